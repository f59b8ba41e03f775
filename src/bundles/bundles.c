/*
 * bundles.c - 一件事 bundles (bundles.h): reading an event's definition,
 * starting a bundle, marking a task, and the state of a bundle derived
 * from its services. Talks to storage through store.h only.
 */
#include "bundles/bundles.h"
#include "core/clock.h"
#include "core/division.h"
#include "core/pii.h"
#include "core/utf8.h"
#include "entitle/entitle.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NAME_MAX_CHARS 60   /* an event's, a service's or a unit's name */
#define PERSON_NAME_MAX 30  /* characters of a person's name */

const char *const bundle_outcome_names[BUNDLE_OUTCOME__MAX] = {
	[BUNDLE_PENDING] = "pending",
	[BUNDLE_DONE] = "done",
	[BUNDLE_REFUSED] = "refused",
};

/* ---- the folder of definitions ---- */

/* set once at start, before any thread reads it */
static char def_dir[4096] = "data/bundles";

void bundles_set_dir(const char *dir)
{
	snprintf(def_dir, sizeof(def_dir), "%s", dir && *dir ? dir : "data/bundles");
}

const char *bundles_dir(void)
{
	return def_dir;
}

/* ---- definitions ---- */

/* A code: a lower-case letter, then lower-case letters, digits and '_'. */
static bool code_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > BUNDLE_CODE_MAX || s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

/* Where a problem is: "file: path: " is put in front of each message. */
struct where {
	const char *file;
	char path[64];
	struct app_error *err;
};

static enum app_err bad(struct where *w, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static enum app_err bad(struct where *w, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return app_fail(w->err, APP_EINVAL, "%s: %s%s%s", w->file, w->path, *w->path ? ": " : "",
			msg);
}

/* Only the members named in allowed (NULL-terminated) may appear in o. */
static enum app_err only_members(struct where *w, json_t *o, const char *const *allowed)
{
	const char *key;
	json_t *v;
	json_object_foreach(o, key, v) {
		bool known = false;
		for (const char *const *a = allowed; *a && !known; a++)
			known = strcmp(*a, key) == 0;
		if (!known)
			return bad(w, "unknown member '%s'", key);
	}
	return APP_OK;
}

/* Member name of o as text of 1 to max characters into out (cap bytes). */
static enum app_err text_member(struct where *w, json_t *o, const char *name, size_t max,
				char *out, size_t cap)
{
	json_t *v = json_object_get(o, name);
	if (!v)
		return bad(w, "'%s' is missing", name);
	if (!json_is_string(v))
		return bad(w, "'%s' must be a string", name);
	const char *s = json_string_value(v);
	size_t n = json_string_length(v);
	if (n == 0 || memchr(s, '\0', n) || !utf8_valid(s, n) || utf8_length(s, n) > max ||
	    n >= cap)
		return bad(w, "'%s' must be 1 to %zu characters of text", name, max);
	memcpy(out, s, n + 1);
	return APP_OK;
}

static enum app_err parse_service(struct where *w, json_t *o, struct bundle_service *v)
{
	static const char *const task_members[] = { "code", "name", "kind", "unit", "days", NULL };
	static const char *const ent_members[] = { "code", "name", "kind", "programme", NULL };
	if (!json_is_object(o))
		return bad(w, "a service must be an object");
	memset(v, 0, sizeof(*v));
	enum app_err rc;
	if ((rc = text_member(w, o, "code", BUNDLE_CODE_MAX, v->code, sizeof(v->code))) != APP_OK)
		return rc;
	if (!code_ok(v->code))
		return bad(w, "code '%s' must be a lower-case letter, then lower-case letters, "
			      "digits or '_' (at most %d)", v->code, BUNDLE_CODE_MAX);
	if ((rc = text_member(w, o, "name", NAME_MAX_CHARS, v->name, sizeof(v->name))) != APP_OK ||
	    (rc = text_member(w, o, "kind", 16, v->kind, sizeof(v->kind))) != APP_OK)
		return rc;
	if (strcmp(v->kind, "task") == 0) {
		if ((rc = only_members(w, o, task_members)) != APP_OK ||
		    (rc = text_member(w, o, "unit", NAME_MAX_CHARS, v->unit, sizeof(v->unit))) !=
			    APP_OK)
			return rc;
		json_t *days = json_object_get(o, "days");
		if (!days)
			return bad(w, "'days' is missing: the limit of a task in working days");
		if (!json_is_integer(days) || json_integer_value(days) < 1 ||
		    json_integer_value(days) > BUNDLES_DAYS_MAX)
			return bad(w, "'days' must be a whole number of working days from 1 to %d",
				   BUNDLES_DAYS_MAX);
		v->days = (int)json_integer_value(days);
		snprintf(v->state, sizeof(v->state), "todo");
	} else if (strcmp(v->kind, "entitlement") == 0) {
		if ((rc = only_members(w, o, ent_members)) != APP_OK ||
		    (rc = text_member(w, o, "programme", ENTITLE_ID_MAX, v->programme,
				      sizeof(v->programme))) != APP_OK)
			return rc;
		snprintf(v->state, sizeof(v->state), "follows");
	} else {
		return bad(w, "kind '%s' must be \"task\" or \"entitlement\"", v->kind);
	}
	return APP_OK;
}

enum app_err bundles_def_parse(const char *text, size_t len, const char *file, const char *event,
			       struct bundle_def *out, struct app_error *err)
{
	static const char *const top_members[] = { "event", "name", "services", NULL };
	struct where w = { .file = file, .err = err };
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root)
		return bad(&w, "not valid JSON: %s (line %d, column %d)", jerr.text, jerr.line,
			   jerr.column);
	struct bundle_def *d = calloc(1, sizeof(*d));
	enum app_err rc = APP_OK;
	if (!d) {
		json_decref(root);
		return app_fail(err, APP_EINTERNAL, "out of memory");
	}
	json_t *services = json_object_get(root, "services");
	if (!json_is_object(root))
		rc = bad(&w, "a definition must be a JSON object");
	if (rc == APP_OK)
		rc = only_members(&w, root, top_members);
	if (rc == APP_OK)
		rc = text_member(&w, root, "event", BUNDLE_CODE_MAX, d->event, sizeof(d->event));
	if (rc == APP_OK && !code_ok(d->event))
		rc = bad(&w, "event '%s' must be a lower-case letter, then lower-case letters, "
			     "digits or '_'", d->event);
	if (rc == APP_OK && event && strcmp(event, d->event) != 0)
		rc = bad(&w, "defines event '%s', not '%s' (the file is named after its event)",
			 d->event, event);
	if (rc == APP_OK)
		rc = text_member(&w, root, "name", NAME_MAX_CHARS, d->name, sizeof(d->name));
	if (rc == APP_OK && (!json_is_array(services) || json_array_size(services) < 1 ||
			     json_array_size(services) > BUNDLE_SERVICES_MAX))
		rc = bad(&w, "'services' must be a list of 1 to %d services", BUNDLE_SERVICES_MAX);
	for (size_t i = 0; rc == APP_OK && i < json_array_size(services); i++) {
		snprintf(w.path, sizeof(w.path), "services[%zu]", i);
		rc = parse_service(&w, json_array_get(services, i), &d->services[i]);
		for (size_t k = 0; rc == APP_OK && k < i; k++)
			if (strcmp(d->services[k].code, d->services[i].code) == 0)
				rc = bad(&w, "code '%s' is used by services[%zu] already",
					 d->services[i].code, k);
		d->nservices = (int)i + 1;
	}
	json_decref(root);
	if (rc == APP_OK)
		*out = *d;
	free(d);
	return rc;
}

enum app_err bundles_def_load(const char *dir, const char *event, struct bundle_def *out,
			      struct app_error *err)
{
	if (!event || !code_ok(event))
		return app_fail_field(err, APP_EINVAL, "event",
				      "say which event: a code such as \"disability\", \"birth\" or "
				      "\"retirement\"");
	char path[4200], file[BUNDLE_CODE_MAX + 8];
	snprintf(file, sizeof(file), "%s.json", event);
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (errno == ENOENT)
			return app_fail_field(err, APP_EINVAL, "event",
					      "no bundle is defined for event '%s'", event);
		return app_fail(err, APP_EIO, "cannot open bundle definition %s: %s", path,
				strerror(errno));
	}
	char *buf = malloc(BUNDLES_DEF_FILE_MAX + 1);
	size_t n = buf ? fread(buf, 1, BUNDLES_DEF_FILE_MAX + 1, f) : 0;
	bool failed = ferror(f);
	fclose(f);
	enum app_err rc;
	if (!buf)
		rc = app_fail(err, APP_EINTERNAL, "out of memory");
	else if (failed)
		rc = app_fail(err, APP_EIO, "cannot read bundle definition %s", path);
	else if (n > BUNDLES_DEF_FILE_MAX)
		rc = app_fail(err, APP_EINVAL, "%s: larger than %d bytes", file,
			      BUNDLES_DEF_FILE_MAX);
	else
		rc = bundles_def_parse(buf, n, file, event, out, err);
	free(buf);
	return rc;
}

/* ---- state ---- */

void bundles_service_state(const struct bundle_service *v, int64_t now,
			   struct bundle_service_state *out)
{
	memset(out, 0, sizeof(*out));
	if (strcmp(v->kind, "entitlement") == 0) {
		int i = store_entitle_name_index(entitle_state_names, ENTITLE_STATE__MAX,
						 v->entitlement_state);
		if (i < 0) { /* not (yet) found by the programme's runs */
			out->outcome = BUNDLE_PENDING;
			out->state = "waiting";
			out->label = "待评估";
			return;
		}
		out->state = entitle_state_names[i];
		out->label = entitle_state_names_zh[i];
		switch ((enum entitle_state)i) {
		case ENTITLE_GRANTED:
			out->outcome = BUNDLE_DONE;
			break;
		case ENTITLE_DECLINED:
		case ENTITLE_REFUSED:
		case ENTITLE_REVOKED:
			out->outcome = BUNDLE_REFUSED;
			break;
		default:
			out->outcome = BUNDLE_PENDING;
		}
		return;
	}
	if (strcmp(v->state, "done") == 0) {
		out->outcome = BUNDLE_DONE;
		out->state = "done";
		out->label = "已办结";
	} else if (strcmp(v->state, "refused") == 0) {
		out->outcome = BUNDLE_REFUSED;
		out->state = "refused";
		out->label = "不予办理";
	} else {
		out->outcome = BUNDLE_PENDING;
		out->state = "todo";
		out->label = "办理中";
		/* from the due instant on, as the case clocks count (cases/case.c) */
		out->overdue = v->due_at > 0 && now >= v->due_at;
	}
}

void bundles_summarize(const struct bundle *b, int64_t now, struct bundle_summary *out)
{
	memset(out, 0, sizeof(*out));
	for (int i = 0; i < b->nservices; i++) {
		struct bundle_service_state st;
		bundles_service_state(&b->services[i], now, &st);
		out->pending += st.outcome == BUNDLE_PENDING;
		out->done += st.outcome == BUNDLE_DONE;
		out->refused += st.outcome == BUNDLE_REFUSED;
		out->overdue += st.overdue;
	}
	out->completed = b->nservices > 0 && out->pending == 0;
	out->state = out->completed ? "completed" : "in_progress";
	out->label = out->completed ? "已办结" : "办理中";
}

/* ---- starting and marking ---- */

static enum app_err check_person(struct store *s, const struct bundle_person *p, int64_t now,
				 struct bundle *b, struct app_error *err)
{
	int minute;
	enum app_err rc;
	if (!p->id_number || !*p->id_number)
		return app_fail_field(err, APP_EINVAL, "id_number",
				      "say whose bundle it is: the person's ID number");
	if ((rc = pii_id_check(p->id_number, clock_china_day(now, &minute), b->person_key, err)) !=
	    APP_OK)
		return rc;
	size_t n = p->name ? strlen(p->name) : 0;
	if (n == 0 || !utf8_valid(p->name, n) || utf8_length(p->name, n) > PERSON_NAME_MAX ||
	    n >= sizeof(b->person_name))
		return app_fail_field(err, APP_EINVAL, "name",
				      "the person's name must be 1 to %d characters",
				      PERSON_NAME_MAX);
	memcpy(b->person_name, p->name, n + 1);
	if (p->phone && *p->phone &&
	    (rc = pii_phone_check(p->phone, b->phone, err)) != APP_OK)
		return rc;
	enum division_level level;
	struct app_error ignored;
	if (!p->region || division_code_check(p->region, &level, &ignored) != APP_OK)
		return app_fail_field(err, APP_EINVAL, "region",
				      "say where the person lives: a region code");
	bool exists = false;
	if ((rc = store_region_exists(s, p->region, &exists, err)) != APP_OK)
		return rc;
	if (!exists)
		return app_fail_field(err, APP_EINVAL, "region", "no region '%s'", p->region);
	snprintf(b->region, sizeof(b->region), "%s", p->region);
	return APP_OK;
}

/* Every programme of d's entitlement services exists in programmes_dir. */
static enum app_err check_programmes(const struct bundle_def *d, const char *programmes_dir,
				     struct app_error *err)
{
	for (int i = 0; i < d->nservices; i++) {
		if (strcmp(d->services[i].kind, "entitlement") != 0)
			continue;
		struct entitle_programme p;
		enum app_err rc = entitle_programme_find(programmes_dir, d->services[i].programme,
							 &p, err);
		if (rc == APP_ENOTFOUND)
			return app_fail(err, APP_EINVAL, "%s.json: services[%d]: no programme '%s' in "
					"'%s'", d->event, i, d->services[i].programme,
					programmes_dir);
		if (rc != APP_OK)
			return rc;
		entitle_programme_release(&p);
	}
	return APP_OK;
}

/* Bundle id into out after what was committed; when that read fails the
 * error says the write stands, so nobody repeats it. */
static enum app_err read_back(struct store *s, int64_t id, const char *what, struct bundle *out,
			      struct app_error *err)
{
	enum app_err rc = store_bundle_get(s, id, out, err);
	if (rc != APP_OK) {
		char why[sizeof(err->msg)];
		snprintf(why, sizeof(why), "%s", err->msg);
		app_fail(err, rc, "%s and saved, but reading bundle %" PRId64 " back failed: %s",
			 what, id, why);
	}
	return rc;
}

enum app_err bundles_start(struct store *s, const struct calendar *cal, const char *dir,
			   const char *programmes_dir, const char *event,
			   const struct bundle_person *p, const char *actor, int64_t now,
			   struct bundle *out, struct app_error *err)
{
	struct bundle_def *d = malloc(sizeof(*d));
	struct bundle *b = calloc(1, sizeof(*b));
	enum app_err rc = APP_OK;
	if (!d || !b)
		rc = app_fail(err, APP_EINTERNAL, "out of memory");
	if (rc == APP_OK)
		rc = bundles_def_load(dir, event, d, err);
	if (rc == APP_OK)
		rc = check_programmes(d, programmes_dir, err);
	if (rc == APP_OK)
		rc = check_person(s, p, now, b, err);
	if (rc == APP_OK) {
		snprintf(b->event, sizeof(b->event), "%s", d->event);
		snprintf(b->name, sizeof(b->name), "%s", d->name);
		snprintf(b->started_by, sizeof(b->started_by), "%s", actor);
		b->started_at = now;
		b->nservices = d->nservices;
		memcpy(b->services, d->services, sizeof(d->services[0]) * (size_t)d->nservices);
	}
	for (int i = 0; rc == APP_OK && i < b->nservices; i++)
		if (b->services[i].days > 0)
			rc = calendar_due(cal, now, CALENDAR_WORKDAYS, b->services[i].days,
					  &b->services[i].due_at, err);
	if (rc == APP_OK) { /* no personal data in the trail: supervisors read it */
		char summary[512];
		snprintf(summary, sizeof(summary), "%s started: %d services", b->name,
			 b->nservices);
		struct audit_note note = { actor, "bundle.start", "bundle:{id}", b->region,
					   summary };
		rc = store_bundle_start(s, b, &note, err);
	}
	if (rc == APP_OK) {
		char what[64];
		snprintf(what, sizeof(what), "bundle %" PRId64 " was started", b->id);
		rc = read_back(s, b->id, what, out, err);
	}
	free(b);
	free(d);
	return rc;
}

enum app_err bundles_mark(struct store *s, struct bundle *b, const char *code,
			  const char *state, const char *note, const char *actor, int64_t now,
			  struct app_error *err)
{
	const struct bundle_service *v = NULL;
	for (int i = 0; i < b->nservices && !v; i++)
		if (code && strcmp(b->services[i].code, code) == 0)
			v = &b->services[i];
	if (!v)
		return app_fail(err, APP_ENOTFOUND, "bundle %" PRId64 " has no service '%s'", b->id,
				code ? code : "");
	if (strcmp(v->kind, "task") != 0)
		return app_fail_field(err, APP_EINVAL, "state",
				      "service '%s' follows the programme %s: its state is the "
				      "person's entitlement, not marked by hand",
				      v->code, v->programme);
	if (!state || (strcmp(state, "done") != 0 && strcmp(state, "refused") != 0))
		return app_fail_field(err, APP_EINVAL, "state",
				      "a task is marked \"done\" or \"refused\"");
	size_t n = note ? strlen(note) : 0;
	if (n && (!utf8_valid(note, n) || utf8_length(note, n) > BUNDLES_NOTE_MAX))
		return app_fail_field(err, APP_EINVAL, "note", "a note has at most %d characters",
				      BUNDLES_NOTE_MAX);
	if (strcmp(state, "refused") == 0 && n == 0)
		return app_fail_field(err, APP_EINVAL, "note",
				      "say in 'note' why the service is refused");
	if (strcmp(v->state, "todo") != 0)
		return app_fail(err, APP_ECONFLICT, "service '%s' is %s already", v->code,
				v->state);
	char object[32], summary[128];
	snprintf(object, sizeof(object), "bundle:%" PRId64, b->id);
	snprintf(summary, sizeof(summary), "service %s marked %s", v->code, state);
	struct audit_note audit = { actor, "bundle.mark", object, b->region, summary };
	enum app_err rc = store_bundle_mark(s, b->id, v->code, state, note, now, actor, &audit, err);
	if (rc == APP_OK) {
		char what[64 + BUNDLE_CODE_MAX];
		snprintf(what, sizeof(what), "service '%s' was marked %s", v->code, state);
		rc = read_back(s, b->id, what, b, err);
	}
	return rc;
}

enum app_err bundles_reveal(struct store *s, const struct bundle *b, const char *reason,
			    const char *actor, struct app_error *err)
{
	size_t n = reason ? strlen(reason) : 0;
	if (n == 0 || !utf8_valid(reason, n) || utf8_length(reason, n) > BUNDLES_NOTE_MAX)
		return app_fail_field(err, APP_EINVAL, "reason",
				      "say why in 'reason' (at most %d characters): every reveal "
				      "is recorded",
				      BUNDLES_NOTE_MAX);
	/* room for the whole reason: a cut one would lose its end */
	char object[32], summary[64 + 4 * BUNDLES_NOTE_MAX];
	snprintf(object, sizeof(object), "bundle:%" PRId64, b->id);
	snprintf(summary, sizeof(summary), "person revealed; reason: %s", reason);
	struct audit_note note = { actor, "bundle.person_read", object, b->region, summary };
	return store_audit_append(s, &note, err);
}
