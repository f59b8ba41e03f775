/*
 * programme.c - programme files of 免申即享 (data/programmes/NAME.json, format in
 * docs/entitle.md) into struct entitle_programme: the policies compiled by
 * the rules engine, where each of their inputs is read, the person's name,
 * phone and region, the consent window, the dataset a publication goes to,
 * the message templates and the delivery task. Every field is checked and an
 * unknown one refused, so that a typo never silently changes who is granted
 * or what a person is told. Nothing here touches the store or the clock.
 */
#include "entitle/entitle.h"

#include "core/division.h"
#include "entitle/outbox.h"
#include "exchange/exchange.h"

#include <dirent.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PROGRAMME_FILE_MAX = 1 << 20 };

static char programmes_dir[512] = "data/programmes";

void entitle_set_programmes_dir(const char *dir)
{
	snprintf(programmes_dir, sizeof(programmes_dir), "%s",
		 dir && *dir ? dir : "data/programmes");
}

const char *entitle_programmes_dir(void)
{
	return programmes_dir;
}

bool entitle_state_parse(const char *name, enum entitle_state *out)
{
	int i = store_entitle_name_index(entitle_state_names, ENTITLE_STATE__MAX, name);
	if (i < 0)
		return false;
	*out = (enum entitle_state)i;
	return true;
}

bool entitle_event_parse(const char *name, enum entitle_event *out)
{
	int i = store_entitle_name_index(entitle_event_names, ENTITLE_EVENT__MAX, name);
	if (i < 0)
		return false;
	*out = (enum entitle_event)i;
	return true;
}

void entitle_programme_release(struct entitle_programme *p)
{
	rules_set_release(&p->set);
	arena_release(&p->arena);
	memset(p, 0, sizeof(*p));
}

const struct entitle_input *entitle_programme_input(const struct entitle_programme *p,
						    const char *name)
{
	for (size_t i = 0; i < p->ninputs; i++)
		if (strcmp(p->inputs[i].name, name) == 0)
			return &p->inputs[i];
	return NULL;
}

/* A field name as the exchange's schemas allow: a-z 0-9 _ , not a digit first. */
static bool field_ok(const char *s)
{
	size_t n = strlen(s);
	if (n < 1 || n > EXCHANGE_FIELD_NAME_MAX || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/* "dataset.field" (split at the last dot) into *out; false when malformed. */
static bool ref_parse(struct arena *a, const char *text, struct entitle_ref *out)
{
	const char *dot = strrchr(text, '.');
	if (!dot || dot == text)
		return false;
	char *ds = arena_strndup(a, text, (size_t)(dot - text));
	if (!exchange_code_ok(ds) || !field_ok(dot + 1))
		return false;
	out->dataset = ds;
	out->field = arena_strndup(a, dot + 1, strlen(dot + 1));
	return true;
}

/* String field key of root: NULL (and err set) when required and missing,
 * or not a string of 1..max bytes; "" when optional and missing. */
static const char *str_of(struct entitle_programme *p, json_t *root, const char *key,
			  bool required, size_t max, const char *file, struct app_error *err)
{
	json_t *v = json_object_get(root, key);
	if (!v && !required)
		return "";
	if (!json_is_string(v) || json_string_length(v) == 0 || json_string_length(v) > max) {
		app_fail_field(err, APP_EINVAL, key, "%s: '%s' must be a string of 1 to %zu bytes",
			       file, key, max);
		return NULL;
	}
	return arena_strndup(&p->arena, json_string_value(v), json_string_length(v));
}

static enum app_err check_keys(json_t *obj, const char *const *known, const char *what,
			       const char *file, struct app_error *err)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		bool ok = false;
		for (size_t i = 0; known[i]; i++)
			ok |= strcmp(known[i], key) == 0;
		if (!ok)
			return app_fail_field(err, APP_EINVAL, what, "%s: unknown field '%.64s' in %s",
					      file, key, what);
	}
	return APP_OK;
}

static void add_dataset(struct entitle_programme *p, const char *ds, bool *full)
{
	for (size_t i = 0; i < p->ndatasets; i++)
		if (strcmp(p->datasets[i], ds) == 0)
			return;
	if (p->ndatasets == ENTITLE_DATASETS_MAX) {
		*full = true;
		return;
	}
	p->datasets[p->ndatasets++] = ds;
}

/* The policies (paths relative to base_dir) into p->set. */
static enum app_err read_policies(struct entitle_programme *p, json_t *pols, const char *base_dir,
				  const char *file, struct app_error *err)
{
	if (!json_is_array(pols) || json_array_size(pols) == 0 ||
	    json_array_size(pols) > ENTITLE_POLICIES_MAX)
		return app_fail_field(err, APP_EINVAL, "policies",
				      "%s: 'policies' must be a list of 1 to %d policy files", file,
				      ENTITLE_POLICIES_MAX);
	size_t i;
	json_t *x;
	json_array_foreach(pols, i, x) {
		if (!json_is_string(x) || json_string_length(x) == 0 || json_string_length(x) > 512)
			return app_fail_field(err, APP_EINVAL, "policies",
					      "%s: policy %zu must be a file name", file, i + 1);
		const char *rel = json_string_value(x);
		char *path = rel[0] == '/' ? arena_strndup(&p->arena, rel, strlen(rel))
					   : arena_printf(&p->arena, "%s/%s", base_dir, rel);
		struct app_error e;
		enum app_err rc = rules_set_add_file(&p->set, path, &e);
		if (rc != APP_OK)
			return app_fail_field(err, rc, "policies", "%s: policy %zu: %s", file, i + 1,
					      e.msg);
	}
	return APP_OK;
}

/* Every input of every policy with where it is read (map: "inputs"). */
static enum app_err read_inputs(struct entitle_programme *p, json_t *map, const char *file,
				struct app_error *err)
{
	if (map && !json_is_object(map))
		return app_fail_field(err, APP_EINVAL, "inputs",
				      "%s: 'inputs' must be an object of input: \"dataset.field\"", file);
	const char *key;
	json_t *v;
	json_object_foreach(map, key, v) {
		bool used = false;
		for (size_t i = 0; i < p->set.n; i++) {
			const struct rules_want *w;
			size_t n = rules_policy_inputs(&p->set, i, &w);
			for (size_t k = 0; k < n; k++)
				used |= strcmp(w[k].name, key) == 0;
		}
		if (!used)
			return app_fail_field(err, APP_EINVAL, "inputs",
					      "%s: input '%.64s' is read by none of the policies", file,
					      key);
		if (!json_is_string(v))
			return app_fail_field(err, APP_EINVAL, "inputs",
					      "%s: input '%.64s' must name a \"dataset.field\"", file, key);
	}
	size_t cap = 0;
	for (size_t i = 0; i < p->set.n; i++) {
		const struct rules_want *w;
		cap += rules_policy_inputs(&p->set, i, &w);
	}
	p->inputs = arena_alloc(&p->arena, (cap ? cap : 1) * sizeof(*p->inputs));
	bool full = false;
	for (size_t i = 0; i < p->set.n; i++) {
		const struct rules_want *w;
		size_t n = rules_policy_inputs(&p->set, i, &w);
		for (size_t k = 0; k < n; k++) {
			const struct entitle_input *seen = entitle_programme_input(p, w[k].name);
			if (seen) {
				if (seen->type != w[k].type)
					return app_fail_field(err, APP_EINVAL, "inputs",
							      "%s: input '%s' is a %s in one policy and "
							      "a %s in policy '%s'", file, w[k].name,
							      rules_type_name(seen->type),
							      rules_type_name(w[k].type),
							      rules_policy_id(&p->set, i));
				continue;
			}
			struct entitle_input *in = &p->inputs[p->ninputs];
			in->name = w[k].name;
			in->type = w[k].type;
			json_t *m = json_object_get(map, w[k].name);
			const char *text = m ? json_string_value(m) : w[k].name;
			if (!ref_parse(&p->arena, text, &in->ref))
				return app_fail_field(err, APP_EINVAL, "inputs",
						      m ? "%s: input '%s': '%.64s' is not a "
							  "\"dataset.field\""
							: "%s: input '%s' of policy '%s' needs a "
							  "\"dataset.field\" in 'inputs'",
						      file, w[k].name,
						      m ? text : rules_policy_id(&p->set, i));
			if (strcmp(in->ref.field, p->key) == 0)
				return app_fail_field(err, APP_EINVAL, "inputs",
						      "%s: input '%s' reads the key field '%s'", file,
						      w[k].name, p->key);
			add_dataset(p, in->ref.dataset, &full);
			p->ninputs++;
		}
	}
	if (full)
		return app_fail_field(err, APP_EINVAL, "inputs",
				      "%s: a programme reads at most %d datasets", file,
				      ENTITLE_DATASETS_MAX);
	return APP_OK;
}

static enum app_err read_person(struct entitle_programme *p, json_t *person, const char *file,
				struct app_error *err)
{
	static const char *const known[] = { "name", "phone", "region", NULL };
	if (!json_is_object(person) || !json_object_get(person, "region"))
		return app_fail_field(err, APP_EINVAL, "person",
				      "%s: 'person' must be an object giving at least \"region\" "
				      "(and \"name\", \"phone\") as \"dataset.field\"", file);
	enum app_err rc = check_keys(person, known, "person", file, err);
	if (rc != APP_OK)
		return rc;
	struct entitle_ref *refs[3] = { &p->person_name, &p->person_phone, &p->person_region };
	bool full = false;
	for (int i = 0; i < 3; i++) {
		json_t *v = json_object_get(person, known[i]);
		if (!v)
			continue;
		if (!json_is_string(v) || !ref_parse(&p->arena, json_string_value(v), refs[i]))
			return app_fail_field(err, APP_EINVAL, "person",
					      "%s: person.%s must name a \"dataset.field\"", file,
					      known[i]);
		add_dataset(p, refs[i]->dataset, &full);
	}
	if (full)
		return app_fail_field(err, APP_EINVAL, "person",
				      "%s: a programme reads at most %d datasets", file,
				      ENTITLE_DATASETS_MAX);
	return APP_OK;
}

static enum app_err read_templates(struct entitle_programme *p, json_t *tpls, const char *file,
				   struct app_error *err)
{
	if (!tpls)
		return APP_OK;
	if (!json_is_object(tpls))
		return app_fail_field(err, APP_EINVAL, "templates",
				      "%s: 'templates' must be an object of event kind: text", file);
	const char *kind;
	json_t *v;
	json_object_foreach(tpls, kind, v) {
		enum entitle_event ev;
		if (!entitle_event_parse(kind, &ev))
			return app_fail_field(err, APP_EINVAL, "templates",
					      "%s: template for '%.64s', which is no event kind "
					      "(notice.started, consent.asked, granted, revoked...)",
					      file, kind);
		if (!json_is_string(v) || json_string_length(v) == 0 ||
		    json_string_length(v) > ENTITLE_TEMPLATE_MAX)
			return app_fail_field(err, APP_EINVAL, "templates",
					      "%s: template '%s' must be a text of 1 to %d bytes", file,
					      kind, ENTITLE_TEMPLATE_MAX);
		const char *t = json_string_value(v);
		struct app_error e;
		if (outbox_template_check(t, &e) != APP_OK)
			return app_fail_field(err, APP_EINVAL, "templates", "%s: template '%s': %s", file,
					      kind, e.msg);
		p->templates[ev] = arena_strndup(&p->arena, t, json_string_length(v));
	}
	return APP_OK;
}

static enum app_err read_delivery(struct entitle_programme *p, json_t *d, const char *file,
				  struct app_error *err)
{
	static const char *const known[] = { "title", "category", "limit_days", NULL };
	if (!d)
		return APP_OK;
	if (!json_is_object(d))
		return app_fail_field(err, APP_EINVAL, "delivery",
				      "%s: 'delivery' must be an object {title, category, limit_days}",
				      file);
	enum app_err rc = check_keys(d, known, "delivery", file, err);
	if (rc != APP_OK)
		return rc;
	p->delivery_title = str_of(p, d, "title", true, 200, file, err);
	p->delivery_category = p->delivery_title ? str_of(p, d, "category", true, 64, file, err)
						 : NULL;
	if (!p->delivery_category)
		return APP_EINVAL;
	json_t *lim = json_object_get(d, "limit_days");
	if (!json_is_integer(lim) || json_integer_value(lim) < 1 || json_integer_value(lim) > 60)
		return app_fail_field(err, APP_EINVAL, "delivery",
				      "%s: delivery.limit_days must be 1 to 60 working days", file);
	p->delivery_limit_days = (int)json_integer_value(lim);
	p->delivery = true;
	return APP_OK;
}

static const char *const known_keys[] = { "id", "name", "region", "operator", "policies", "key",
					  "inputs", "person", "consent_days", "granted_dataset",
					  "templates", "delivery", "description", NULL };

static enum app_err build(struct entitle_programme *p, json_t *root, const char *file,
			  const char *base_dir, struct app_error *err)
{
	if (!json_is_object(root))
		return app_fail(err, APP_EINVAL, "%s: a programme is a JSON object", file);
	enum app_err rc = check_keys(root, known_keys, "the programme", file, err);
	if (rc != APP_OK)
		return rc;
	p->id = str_of(p, root, "id", true, ENTITLE_ID_MAX, file, err);
	p->name = p->id ? str_of(p, root, "name", true, 200, file, err) : NULL;
	p->region = p->name ? str_of(p, root, "region", true, DIVISION_CODE_MAX, file, err) : NULL;
	p->operator_code = p->region ? str_of(p, root, "operator", true, 32, file, err) : NULL;
	p->key = p->operator_code ? str_of(p, root, "key", true, 48, file, err) : NULL;
	const char *granted = p->key ? str_of(p, root, "granted_dataset", false, 32, file, err)
				     : NULL;
	if (!granted || !str_of(p, root, "description", false, 2000, file, err))
		return APP_EINVAL;
	for (const char *c = p->id; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '_' ||
		      *c == '.' || *c == '-'))
			return app_fail_field(err, APP_EINVAL, "id",
					      "%s: id '%s' may have only a-z, 0-9, '_', '.', '-'",
					      file, p->id);
	enum division_level lvl;
	struct app_error e;
	if (division_code_check(p->region, &lvl, &e) != APP_OK)
		return app_fail_field(err, APP_EINVAL, "region", "%s: region: %s", file, e.msg);
	if (!exchange_code_ok(p->operator_code))
		return app_fail_field(err, APP_EINVAL, "operator",
				      "%s: operator '%s' is not a member code of the exchange", file,
				      p->operator_code);
	if (!field_ok(p->key))
		return app_fail_field(err, APP_EINVAL, "key",
				      "%s: key '%s' is not a field name (a-z, 0-9, '_')", file, p->key);
	if (granted[0] && !exchange_code_ok(granted))
		return app_fail_field(err, APP_EINVAL, "granted_dataset",
				      "%s: granted_dataset '%s' is not a dataset code", file, granted);
	p->granted_dataset = granted[0] ? granted : NULL;
	json_t *cd = json_object_get(root, "consent_days");
	if (cd && (!json_is_integer(cd) || json_integer_value(cd) < 1 ||
		   json_integer_value(cd) > 365))
		return app_fail_field(err, APP_EINVAL, "consent_days",
				      "%s: 'consent_days' must be 1 to 365 days", file);
	p->consent_days = cd ? (int)json_integer_value(cd) : ENTITLE_CONSENT_DAYS_DEFAULT;
	rc = read_policies(p, json_object_get(root, "policies"), base_dir, file, err);
	if (rc == APP_OK)
		rc = read_inputs(p, json_object_get(root, "inputs"), file, err);
	if (rc == APP_OK)
		rc = read_person(p, json_object_get(root, "person"), file, err);
	if (rc == APP_OK)
		rc = read_templates(p, json_object_get(root, "templates"), file, err);
	if (rc == APP_OK)
		rc = read_delivery(p, json_object_get(root, "delivery"), file, err);
	return rc;
}

enum app_err entitle_programme_parse(const char *text, size_t len, const char *name,
				     const char *base_dir, struct entitle_programme *out,
				     struct app_error *err)
{
	if (len > PROGRAMME_FILE_MAX)
		return app_fail(err, APP_ETOOBIG, "%s: a programme file is at most %d bytes", name,
				PROGRAMME_FILE_MAX);
	json_error_t je;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return app_fail(err, APP_EINVAL, "%s: line %d, column %d: not valid JSON: %s", name,
				je.line, je.column, je.text);
	struct entitle_programme p;
	memset(&p, 0, sizeof(p));
	arena_init(&p.arena);
	rules_set_init(&p.set);
	p.path = arena_strndup(&p.arena, name, strlen(name));
	enum app_err rc = build(&p, root, name, base_dir, err);
	json_decref(root);
	if (rc != APP_OK) {
		entitle_programme_release(&p);
		return rc;
	}
	*out = p;
	return APP_OK;
}

/* The file at path into a new buffer (*len bytes, NUL-terminated); NULL and
 * err set when it cannot be read or is too big. */
static char *slurp(const char *path, size_t *len, struct app_error *err)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		app_fail(err, APP_EIO, "cannot open programme file '%s': %m", path);
		return NULL;
	}
	char *buf = xmalloc(PROGRAMME_FILE_MAX + 2);
	size_t n = fread(buf, 1, PROGRAMME_FILE_MAX + 1, f);
	bool bad = ferror(f);
	fclose(f);
	if (bad || n > PROGRAMME_FILE_MAX) {
		free(buf);
		app_fail(err, bad ? APP_EIO : APP_ETOOBIG,
			 bad ? "cannot read programme file '%s'" : "programme file '%s' is too big",
			 path);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The directory part of path ("." when none) into a new string. */
static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

enum app_err entitle_programme_load(const char *path, struct entitle_programme *out,
				    struct app_error *err)
{
	size_t len;
	char *buf = slurp(path, &len, err);
	if (!buf)
		return err ? err->code : APP_EIO;
	char *dir = dir_of(path);
	enum app_err rc = entitle_programme_parse(buf, len, path, dir, out, err);
	free(dir);
	free(buf);
	return rc;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

enum app_err entitle_programme_paths(const char *dir, char ***paths, size_t *count,
				     struct app_error *err)
{
	DIR *d = opendir(dir);
	if (!d)
		return app_fail(err, APP_EIO, "cannot open the programmes directory '%s': %m", dir);
	char **names = NULL;
	size_t n = 0, cap = 0;
	for (struct dirent *de; (de = readdir(d));) {
		size_t l = strlen(de->d_name);
		if (l < 6 || strcmp(de->d_name + l - 5, ".json") != 0 || de->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 16;
			names = xrealloc(names, cap * sizeof(*names));
		}
		names[n] = xmalloc(strlen(dir) + l + 2);
		sprintf(names[n++], "%s/%s", dir, de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), name_cmp);
	*paths = names;
	*count = n;
	return APP_OK;
}

void entitle_programme_paths_release(char **paths, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

enum app_err entitle_programme_find(const char *dir, const char *id,
				    struct entitle_programme *out, struct app_error *err)
{
	char **names;
	size_t n;
	enum app_err rc = entitle_programme_paths(dir, &names, &n, err);
	if (rc != APP_OK)
		return rc;
	rc = APP_ENOTFOUND;
	for (size_t i = 0; i < n && rc == APP_ENOTFOUND; i++) {
		const char *path = names[i];
		size_t len;
		struct app_error e;
		char *buf = slurp(path, &len, &e);
		json_t *root = buf ? json_loadb(buf, len, 0, NULL) : NULL;
		const char *fid = json_string_value(json_object_get(root, "id"));
		if (fid && strcmp(fid, id) == 0)
			rc = entitle_programme_parse(buf, len, path, dir, out, err);
		json_decref(root);
		free(buf);
	}
	entitle_programme_paths_release(names, n);
	if (rc == APP_ENOTFOUND)
		return app_fail(err, APP_ENOTFOUND, "no programme '%s' in '%s'", id, dir);
	return rc;
}
