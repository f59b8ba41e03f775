/*
 * open311.h - Open311 GeoReport v2 (with FixMyStreet's
 * servicerequestupdates) apart from HTTP: how demands and their categories
 * look as Open311's services, requests and updates; who a request's
 * api_key is and which county it is about; the window of a search; a
 * request raised as a demand. The handlers (open311_http.c) read requests
 * and write what these build.
 *
 * Services are the categories of a county's tree; a request is a demand
 * (source "open311"), raised and read through demands.h, so the demands'
 * rules of who may do what hold. Documents are built as the JSON the spec
 * shows and written as JSON or as the spec's XML (open311_write). Contact
 * details go in and never come out.
 */
#ifndef CASES_OPEN311_H
#define CASES_OPEN311_H

#include "auth/auth.h"
#include "cases/case_settings.h"
#include "core/calendar.h"
#include "core/strbuf.h"
#include "store/store.h"

#include <jansson.h>

#define OPEN311_WINDOW (90 * 86400) /* seconds: the longest window of a search, and its default */
#define OPEN311_RESULTS_MAX 1000    /* the most requests or updates one answer lists */

enum open311_format { OPEN311_XML, OPEN311_JSON, OPEN311_NONE };

/* The format a path asks for by its suffix: ".xml", ".json", or neither. */
enum open311_format open311_format_of(const char *path);

/*
 * Append body (taken) to out as a document of format f: compact JSON, or
 * the spec's XML rooted at root (with its declaration; a list's items
 * named as the spec names them: <services><service>..., a null an empty
 * element). f must be OPEN311_JSON or OPEN311_XML.
 */
void open311_write(json_t *body, enum open311_format f, const char *root, struct strbuf *out);

/* The spec's error document: a list of one {code: status, description}. */
json_t *open311_errors(int status, const char *description);

/*
 * The caller that api_key names, into *key: an API key of `bianmin apikey
 * add` (never a session token), known and not revoked (looked up as a
 * Bearer key is: accounts_resolve()), whose role holds perm (doing says
 * what for, in words). APP_EPERM (field "api_key") otherwise, as the spec
 * answers; the store's errors as they are.
 */
enum app_err open311_key(struct store *s, const char *api_key, unsigned perm, const char *doing,
			 struct auth_caller *key, struct app_error *err);

/*
 * The county a request with key is about (jurisdiction_id: given, or NULL
 * for the county of the key's region) into county, and into reach where
 * the key may use perm inside it: the whole county when the key covers it
 * (auth_scope), else the key's own region. APP_EINVAL (field
 * "jurisdiction_id") when a key above county level names none;
 * APP_ENOTFOUND for a county the key does not reach or none at all (the
 * spec's "not found").
 */
enum app_err open311_jurisdiction(struct store *s, const struct auth_caller *key, unsigned perm,
				  const char *given, char county[7],
				  char reach[DIVISION_CODE_MAX + 1], struct app_error *err);

/* A jurisdiction_id (NULL: none) where no key is needed: any county of the
 * registry; APP_ENOTFOUND for anything else. */
enum app_err open311_public_jurisdiction(struct store *s, const char *given,
					 struct app_error *err);

/* A category tree: a county's (its settings held), or the built-in one. */
struct open311_tree {
	const struct case_settings *cs; /* NULL: the built-in tree */
};

/* The tree of county (NULL: the built-in tree every county starts with);
 * let it go with open311_tree_put(). The store's errors. */
enum app_err open311_tree_get(struct store *s, const char *county, struct open311_tree *t,
			      struct app_error *err);
void open311_tree_put(struct open311_tree *t);

/* The discovery document of the endpoint at base_url ("https://bm.example.cn",
 * "" when unknown) + "/open311/v2". */
json_t *open311_discovery(const char *base_url);

/* The services of t (its active categories). */
json_t *open311_services(const struct open311_tree *t);
/* The definition of service code in t (its attributes: village, urgency)
 * into *out; APP_ENOTFOUND (field "service_code") when t offers no such
 * service. */
enum app_err open311_service(const struct open311_tree *t, const char *code, json_t **out,
			     struct app_error *err);
/* Whether code (NULL or "": none) is a category of t, active or not (a
 * search may ask for an old one): APP_EINVAL (field "service_code") if not. */
enum app_err open311_category_check(const struct open311_tree *t, const char *code,
				    struct app_error *err);
/* Demand d as a request, its service named by t (its county's tree). */
json_t *open311_request(const struct open311_tree *t, const struct case_row *d);
/* The answer to a request just raised as d: its id, and what happens next. */
json_t *open311_created(const struct case_row *d);
/* The answer for d's token (a request's token is its id). */
json_t *open311_token(const struct case_row *d);
/* A line of a demand's timeline as an update. */
json_t *open311_update(const struct case_event_row *e);

/*
 * The window [*from, *until) of a search from start_date and end_date
 * (NULL or "": not given): 90 days ending now when neither is given, else
 * 90 days from or to the one given; end_date is included. APP_EINVAL
 * (field named) for a time that is not ISO 8601 with its offset, an end
 * before the start, or more than 90 days.
 */
enum app_err open311_window(const char *start_date, const char *end_date, int64_t now,
			    int64_t *from, int64_t *until, struct app_error *err);

/* The store's state filter of Open311's status ("open", "closed", both, or
 * NULL/"": any) into *state; APP_EINVAL (field "status") for another. */
enum app_err open311_state(const char *status, const char **state, struct app_error *err);

/* The ids of a comma-separated list into ids (room for OPEN311_RESULTS_MAX),
 * *n of them; APP_EINVAL (field "service_request_id") for something that is
 * no id, or too many. */
enum app_err open311_ids(const char *list, int64_t *ids, int *n, struct app_error *err);

/* The fields of a POSTed request (NULL: absent). */
struct open311_new {
	const char *service_code, *village, *urgency, *description;
	const char *lat, *lon, *address, *first_name, *last_name, *phone;
};

/*
 * Raise in as a demand of county (the request's jurisdiction) by key at
 * now, through demands_raise(); *out is the stored demand. Refusals are
 * APP_EINVAL naming the Open311 field at fault (400), APP_EPERM for a
 * village outside the key's region (403), and store nothing.
 */
enum app_err open311_raise(struct store *s, const struct calendar *cal,
			   const struct auth_caller *key, const char *county,
			   const struct open311_new *in, int64_t now, struct case_row *out,
			   struct app_error *err);

/* The demand of id if key may read it and it is of county; APP_ENOTFOUND
 * otherwise, as for none. */
enum app_err open311_read(struct store *s, const struct auth_caller *key, const char *county,
			  int64_t id, struct case_row *out, struct app_error *err);
/* The same for the id written in text (a path's "17"): APP_ENOTFOUND, field
 * name ("service_request_id", "token"), for text that is no id too. */
enum app_err open311_read_text(struct store *s, const struct auth_caller *key,
			       const char *county, const char *name, const char *text,
			       struct case_row *out, struct app_error *err);

#endif
