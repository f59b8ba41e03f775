/*
 * test_store_pg.c - unit tests of the PostgreSQL backend through store.h,
 * each on a database of its own made on the server BIANMIN_TEST_PG names (a
 * libpq URI of a maintenance database, e.g. postgresql:///postgres) and
 * dropped afterwards. Without BIANMIN_TEST_PG every test is skipped with a
 * SKIP line (`make test` runs them inside its throwaway cluster).
 *
 * What only PostgreSQL can get wrong: the backend's name, concurrent writers
 * on separate connections keeping the audit chain unbroken (ids 1..N, each
 * prev_hash the hash before it), constraint violations mapped to the same
 * errors as on SQLite, byte-order listings, and a missing database.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/log.h"
#include "store/store.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fixture {
	char name[64];
	char uri[512];
	struct store *s;
};

/* uri with its database replaced by name (cap bytes). */
static void uri_with_db(char *out, size_t cap, const char *uri, const char *name)
{
	const char *auth = strstr(uri, "://");
	auth = auth ? auth + 3 : uri;
	size_t host = strcspn(auth, "/?");
	const char *rest = auth + host;
	if (*rest == '/')
		rest += strcspn(rest, "?");
	snprintf(out, cap, "%.*s/%s%s", (int)(auth + host - uri), uri, name, rest);
}

static bool admin(const char *sql)
{
	PGconn *c = PQconnectdb(getenv("BIANMIN_TEST_PG"));
	bool ok = PQstatus(c) == CONNECTION_OK;
	if (ok) {
		PGresult *r = PQexec(c, sql);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		if (!ok)
			print_error("%s: %s", sql, PQresultErrorMessage(r));
		PQclear(r);
	} else {
		print_error("cannot connect to BIANMIN_TEST_PG: %s", PQerrorMessage(c));
	}
	PQfinish(c);
	return ok;
}

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	*state = f;
	const char *pg = getenv("BIANMIN_TEST_PG");
	if (!pg || !*pg)
		return 0;
	static int seq;
	snprintf(f->name, sizeof(f->name), "bmu_%ld_%d", (long)getpid(), ++seq);
	uri_with_db(f->uri, sizeof(f->uri), pg, f->name);
	char sql[160];
	snprintf(sql, sizeof(sql), "CREATE DATABASE \"%s\" ENCODING 'UTF8' TEMPLATE template0",
		 f->name);
	if (!admin(sql))
		return -1;
	struct app_error e;
	if (store_open(&f->s, f->uri, STORE_OPEN_CREATE, &e) != APP_OK ||
	    store_migrate(f->s, NULL, &e) != APP_OK) {
		print_error("cannot set up the store: %s\n", e.msg);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	store_close(f->s);
	if (f->name[0]) {
		char sql[160];
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", f->name);
		admin(sql);
	}
	free(f);
	return 0;
}

#define NEED_PG()                                                                              \
	do {                                                                                   \
		if (!((struct fixture *)*state)->s) {                                          \
			printf("SKIP %s: BIANMIN_TEST_PG is not set\n", __func__);             \
			skip();                                                                \
		}                                                                              \
	} while (0)

static void region(struct region *r, const char *code, const char *parent, int level,
		   const char *name)
{
	memset(r, 0, sizeof(*r));
	snprintf(r->code, sizeof(r->code), "%s", code);
	snprintf(r->parent_code, sizeof(r->parent_code), "%s", parent);
	r->level = (enum division_level)level;
	snprintf(r->name, sizeof(r->name), "%s", name);
}

static void seed(struct store *s)
{
	struct region rows[4];
	region(&rows[0], "98", "", 0, "测试省");
	region(&rows[1], "9801", "98", 1, "测试市");
	region(&rows[2], "980101", "9801", 2, "测试县");
	region(&rows[3], "980102", "9801", 2, "另一县");
	struct app_error e;
	struct region_import_counts n;
	assert_int_equal(store_regions_import(s, rows, 4, NULL, &n, &e), APP_OK);
	assert_int_equal(n.inserted, 4);
}

static void test_backend_and_schema(void **state)
{
	NEED_PG();
	struct fixture *f = *state;
	assert_string_equal(store_backend(f->s), "postgresql");
	struct app_error e;
	int cur, want, applied = -1;
	assert_int_equal(store_schema_version(f->s, &cur, &want, &e), APP_OK);
	assert_int_equal(cur, want);
	assert_int_equal(store_migrate(f->s, &applied, &e), APP_OK);
	assert_int_equal(applied, 0);
}

static void test_missing_database(void **state)
{
	NEED_PG();
	char uri[512];
	uri_with_db(uri, sizeof(uri), getenv("BIANMIN_TEST_PG"), "bmu_no_such_database");
	struct store *s = NULL;
	struct app_error e;
	assert_int_equal(store_open(&s, uri, STORE_OPEN_EXISTING, &e), APP_ENOTFOUND);
	assert_non_null(strstr(e.msg, "does not exist"));
	assert_null(s);
}

struct appender {
	struct store *s;
	int n;
	int failures;
};

static void *append_many(void *arg)
{
	struct appender *a = arg;
	struct audit_note note = { .actor = "cli:test", .action = "test.append", .object = "x:1",
				   .region = "", .summary = "concurrent" };
	for (int i = 0; i < a->n; i++) {
		struct app_error e;
		if (store_audit_append(a->s, &note, &e) != APP_OK)
			a->failures++;
	}
	return NULL;
}

struct chain_check {
	int64_t next_id;
	uint8_t last[AUDIT_HASH_LEN];
	bool broken;
};

static bool check_link(void *ctx, const struct audit_record *r)
{
	struct chain_check *c = ctx;
	if (r->id != c->next_id || memcmp(r->prev_hash, c->last, AUDIT_HASH_LEN) != 0)
		c->broken = true;
	memcpy(c->last, r->hash, AUDIT_HASH_LEN);
	c->next_id++;
	return true;
}

static void test_audit_chain_under_concurrency(void **state)
{
	NEED_PG();
	struct fixture *f = *state;
	enum { THREADS = 6, EACH = 25 };
	pthread_t t[THREADS];
	struct appender a[THREADS];
	for (int i = 0; i < THREADS; i++) {
		a[i] = (struct appender){ f->s, EACH, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, append_many, &a[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(a[i].failures, 0);
	}
	struct chain_check c = { .next_id = 1 };
	struct app_error e;
	assert_int_equal(store_audit_scan(f->s, check_link, &c, &e), APP_OK);
	assert_false(c.broken);
	assert_int_equal(c.next_id - 1, THREADS * EACH);
}

static void test_constraint_errors(void **state)
{
	NEED_PG();
	struct fixture *f = *state;
	seed(f->s);
	struct user u = { .created_at = 1 };
	snprintf(u.name, sizeof(u.name), "张三");
	snprintf(u.phone, sizeof(u.phone), "13800000001");
	snprintf(u.region, sizeof(u.region), "980101");
	struct app_error e;
	int64_t id = 0, id2 = 0;
	assert_int_equal(store_user_create(f->s, &u, "h", NULL, NULL, &id, &e), APP_OK);
	assert_true(id > 0);
	assert_int_equal(store_user_create(f->s, &u, "h", NULL, NULL, &id2, &e), APP_ECONFLICT);
	assert_string_equal(e.field, "phone");
	assert_string_equal(e.msg, "this phone number is already registered");
	snprintf(u.phone, sizeof(u.phone), "13800000002");
	snprintf(u.region, sizeof(u.region), "999999");
	assert_int_equal(store_user_create(f->s, &u, "h", NULL, NULL, &id2, &e), APP_EINVAL);
	struct role_grant g = { .role = "resident", .region = "980101" };
	assert_int_equal(store_grant_add(f->s, id, &g, NULL, &e), APP_OK);
	assert_int_equal(store_grant_add(f->s, id, &g, NULL, &e), APP_ECONFLICT);
	assert_string_equal(e.msg, "the user has role resident for 980101 already");
	struct user out;
	assert_int_equal(store_user_get(f->s, 424242, &out, &e), APP_ENOTFOUND);
	assert_string_equal(e.msg, "not found");
	struct region r;
	assert_int_equal(store_region_get(f->s, "980199", &r, &e), APP_ENOTFOUND);
	assert_string_equal(e.msg, "region '980199' is not in the registry");
}

static bool collect(void *ctx, const struct region *r)
{
	strcat(ctx, r->code);
	strcat(ctx, " ");
	return true;
}

static void test_subtree_in_byte_order(void **state)
{
	NEED_PG();
	struct fixture *f = *state;
	seed(f->s);
	char got[256] = "";
	struct app_error e;
	assert_int_equal(store_region_subtree(f->s, "98", 3, collect, got, &e), APP_OK);
	assert_string_equal(got, "98 9801 980101 980102 ");
	got[0] = '\0';
	struct region_query q = { .text = "县", .level = -1, .limit = 10 };
	assert_int_equal(store_region_search(f->s, &q, collect, got, &e), APP_OK);
	assert_string_equal(got, "980101 980102 ");
}

int main(void)
{
	log_set_level(LOG_ERROR);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_backend_and_schema, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_database, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_chain_under_concurrency, setup, teardown),
		cmocka_unit_test_setup_teardown(test_constraint_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_subtree_in_byte_order, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
