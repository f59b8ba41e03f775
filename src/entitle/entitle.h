/*
 * entitle.h - the entitlement pipeline of 免申即享 (docs/entitle.md): a
 * programme (data/programmes/NAME.json) names the policies of the rules engine
 * it runs, the exchange member that runs it and where each policy input is
 * read (a dataset's field); a run evaluates the policies over the latest
 * data and makes, holds or revokes entitlements, which then go through
 * notice (公示), objection, consent (意愿确认), grant and appeal.
 *
 * The states and event kinds (enum entitle_state, enum entitle_event, their
 * names) and struct entitlement live in store.h, which stores them.
 *
 * This header: the programme as loaded from its file (programme.c). Other
 * parts (the outbox and delivery, bundles) load programmes through it and
 * use the struct read-only.
 */
#ifndef ENTITLE_ENTITLE_H
#define ENTITLE_ENTITLE_H

#include "auth/auth.h"
#include "core/calendar.h"
#include "core/err.h"
#include "core/mem.h"
#include "core/strbuf.h"
#include "rules/rules.h"
#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>

enum {
	ENTITLE_POLICIES_MAX = 16,     /* policies of a programme */
	ENTITLE_DATASETS_MAX = 16,     /* datasets a programme reads */
	ENTITLE_TEMPLATE_MAX = 1000,   /* bytes of a message template */
	ENTITLE_CONSENT_DAYS_DEFAULT = 30,
};

/* A dataset's field, written "dataset.field" in a programme file. */
struct entitle_ref {
	const char *dataset;
	const char *field;
};

/* A policy input and where it is read; type as the policy declares it. */
struct entitle_input {
	const char *name;
	struct entitle_ref ref;
	enum rules_type type;
};

/*
 * A programme, as read by entitle_programme_load(). Every string lives in
 * the programme's arena; release the whole with entitle_programme_release().
 */
struct entitle_programme {
	const char *path;          /* the file it was read from */
	const char *id;            /* "shenyang.disability_premium" */
	const char *name;          /* its title, for people and messages */
	const char *region;        /* the division that runs it ("2101") */
	const char *operator_code; /* the exchange member that runs it ("YBJ") */
	const char *key;           /* the field naming a person in every dataset read */
	struct rules_set set;      /* its policies, compiled, in the file's order */
	struct entitle_input *inputs; /* every input of every policy, once */
	size_t ninputs;
	const char *datasets[ENTITLE_DATASETS_MAX]; /* the datasets read, distinct */
	size_t ndatasets;
	struct entitle_ref person_name;   /* dataset NULL when not given */
	struct entitle_ref person_phone;  /* dataset NULL when not given */
	struct entitle_ref person_region; /* always given */
	int consent_days;                 /* how long consent is asked for (days) */
	const char *granted_dataset;      /* the operator's dataset publish uploads; NULL none */
	const char *templates[ENTITLE_EVENT__MAX]; /* message per event kind; NULL none */
	bool delivery;                    /* a grant opens a delivery task */
	const char *delivery_title;       /* "社会保障卡送达" */
	const char *delivery_category;    /* a category code of the county tree */
	int delivery_limit_days;          /* working days to deliver */
	struct arena arena;
};

/*
 * Parse the programme JSON text (name: for messages, e.g. its file name) and
 * load its policies, whose paths are relative to the directory base_dir.
 * Every field is checked and an unknown field refused; every input of every
 * policy must resolve to a dataset's field (given in "inputs", or the
 * default for an input named "a.b": dataset a, field b), an input read by
 * two policies must have one type. On success fills *out (release it with
 * entitle_programme_release); on failure out is untouched and err says what
 * and where (APP_EINVAL; APP_EIO for a policy file that cannot be read).
 */
enum app_err entitle_programme_parse(const char *text, size_t len, const char *name,
				     const char *base_dir, struct entitle_programme *out,
				     struct app_error *err);

/* As entitle_programme_parse with the file at path (policies relative to
 * its directory). APP_EIO when it cannot be read. */
enum app_err entitle_programme_load(const char *path, struct entitle_programme *out,
				    struct app_error *err);

/*
 * The programme with that id among the files dir/ *.json (in name order):
 * loaded into *out as entitle_programme_load. Files that are not JSON
 * objects with an "id" are skipped; the file whose id matches must load.
 * APP_ENOTFOUND when no file has the id, APP_EIO when dir cannot be read.
 */
enum app_err entitle_programme_find(const char *dir, const char *id,
				    struct entitle_programme *out, struct app_error *err);

void entitle_programme_release(struct entitle_programme *p);

/* The paths "dir/NAME.json" of the files dir holds, in name order, into
 * *paths (*count of them; release with entitle_programme_paths_release).
 * APP_EIO when dir cannot be read. */
enum app_err entitle_programme_paths(const char *dir, char ***paths, size_t *count,
				     struct app_error *err);
void entitle_programme_paths_release(char **paths, size_t n);

/* Where the daemon finds programmes by id (option programmes_dir, default
 * data/programmes): set once at start, before the scheduler and the HTTP
 * server run; read by the jobs and handlers of src/entitle. */
void entitle_set_programmes_dir(const char *dir);
const char *entitle_programmes_dir(void);

/* The input of p named name, or NULL. */
const struct entitle_input *entitle_programme_input(const struct entitle_programme *p,
						    const char *name);

/* ---- the run (pipeline.c) ---- */

/*
 * Run programme p at day (the evaluation date, a day number) at time now by
 * actor: read the latest batch of every dataset p reads, each through an
 * ACTIVE subscription of p's operator granting the fields used (refused,
 * APP_EPERM, naming the dataset or field, otherwise; each read audited as a
 * pull), evaluate p's policies, then in one transaction: a new entitlement
 * for each person and policy granted with none for the period (in_notice,
 * awaiting_consent or granted by the policy's notice and consent; held when
 * two policies grant one benefit), and the revocation of the live ones
 * (in notice, objected, awaiting consent, granted, held) whom a policy now
 * refuses (known), from entitle_revocation_day(), or whose person is no
 * longer in the data (from day). Persons a policy cannot decide (missing
 * data) are left as they are and counted unknown; a person granted outside
 * p->region gets nothing (counted out_of_region); a grant of a benefit
 * another policy's live entitlement already gives the person for the
 * period makes nothing (counted held). *out gets the run with its counts
 * and data_seq, the highest exchange batch id it read (stored with it).
 * The persons are the rows of the dataset of person.region; rows of other
 * datasets join on p->key.
 */
enum app_err entitle_run(struct store *s, const struct entitle_programme *p, int32_t day,
			 int64_t now, const char *actor, struct entitlement_run *out,
			 struct app_error *err);

/*
 * The scheduled job "entitle.evaluate" (new data -> evaluation): each
 * programme of entitle_programmes_dir() that reads a dataset with a batch
 * newer than its last run's data_seq is run at today's date (China time)
 * by "job:entitle.evaluate". A programme that fails (a bad file, a missing
 * subscription) is logged by its id (or file) and the others go on; detail
 * says how many ran, with their counts, and how many failed. When any
 * failed, the call fails with the first failure's code and the same words
 * in err (the job's run is then marked failed: monitoring sees it).
 */
enum app_err entitle_evaluate_job(struct store *s, int64_t now, char *detail, size_t cap,
				  struct app_error *err);

/*
 * The first day from which policy (of set) no longer grants person row of
 * cols, an entitlement effective from `from`, as seen on day (on which it
 * does not grant): the first of the dates of row's date inputs before day,
 * in order, on which the policy stops granting (evaluated with the data as
 * it stood: a date after the day evaluated has not happened yet) - granted
 * the day before it, not on it - else day itself (a change no date names,
 * e.g. a grade, is not backdated to an unrelated date). A date before
 * `from` (a death reported late, before the grant) gives `from`. *out
 * gets it.
 */
enum app_err entitle_revocation_day(const struct rules_set *set, size_t policy,
				    const struct rules_columns *cols, size_t row, int32_t from,
				    int32_t day, int32_t *out, struct app_error *err);

/* ---- after the run (entitlements.c) ----
 * Each action checks c's scope on the entitlement's region with
 * auth_scope(): PERM_ENTITLE_MANAGE (out of scope: APP_ENOTFOUND, as if it
 * did not exist); a state that does not allow it is APP_ECONFLICT naming
 * the state. The change, its event(s) and an audit entry are one
 * transaction. Texts are at most 500 bytes. */

/* Mask e's personal data in place, for lists and reads without
 * PERM_PERSONAL_DATA: key "4116**********123X", name "张**", phone
 * "138****5678". */
void entitle_mask(struct entitlement *e);

/*
 * Entitlement id, when c holds perm for its region, into *out; its
 * explanation is copied into expl (out->explanation points there).
 */
enum app_err entitle_get(struct store *s, const struct auth_caller *c, int64_t id, unsigned perm,
			 struct entitlement *out, struct strbuf *expl, struct app_error *err);

/* Entitlement id with its person unmasked, for a caller who reads it and
 * holds PERM_PERSONAL_DATA in its region (APP_EPERM otherwise), with a
 * reason, which the audit entry (entitlement.person_read) records. */
enum app_err entitle_person(struct store *s, const struct auth_caller *c, int64_t id,
			    const char *reason, struct entitlement *out, struct strbuf *expl,
			    struct app_error *err);

/* An objection (异议) recorded by an officer during the notice: in_notice
 * (before notice_until) -> objected. text is required. */
enum app_err entitle_object(struct store *s, const struct auth_caller *c, int64_t id,
			    const char *text, int64_t now, struct app_error *err);

/* The review of an objection of programme p's entitlement id: uphold ->
 * refused (reason required); dismiss -> back in_notice while the notice
 * lasts (entitle_advance moves it at its end), else as if the notice had
 * ended (awaiting_consent or granted, by the policy). */
enum app_err entitle_review(struct store *s, const struct auth_caller *c,
			    const struct entitle_programme *p, int64_t id, bool uphold,
			    const char *reason, int64_t now, struct app_error *err);

/* The person's answer (意愿确认) on programme p's entitlement id, recorded
 * by an officer with its channel ("sms", "phone"...) and a note:
 * awaiting_consent -> granted (accept) or declined. On a held entitlement
 * the person chooses: accept goes on as a new entitlement would (in_notice
 * when the policy has a notice, else granted) and declines the other held
 * ones of the benefit and period. */
enum app_err entitle_consent(struct store *s, const struct auth_caller *c,
			     const struct entitle_programme *p, int64_t id, bool accept,
			     const char *channel, const char *note, int64_t now,
			     struct app_error *err);

/* An appeal (申诉) against a refused, revoked or declined entitlement: a
 * demand (category "welfare", the person as contact) raised by c in the
 * entitlement's region (a village; c must handle demands there), linked as
 * appeal_case, event "appealed"; *demand gets its id. Once per entitlement:
 * the appeal is reserved (appeal_case -1, version-checked) before the
 * demand is raised, so of two at once one is refused. */
enum app_err entitle_appeal(struct store *s, const struct calendar *cal,
			    const struct auth_caller *c, int64_t id, const char *text, int64_t now,
			    int64_t *demand, struct app_error *err);

/* Every entitlement in notice whose notice_until has passed at now: to
 * awaiting_consent (consent_until = now + consent_days) or granted, as its
 * policy says; programmes found by id in dir. *advanced counts them. One
 * transaction per programme; a programme that fails is logged and the
 * others still move on (the first failure is returned). Awaiting consent
 * never lapses. */
enum app_err entitle_advance(struct store *s, const char *dir, int64_t now, const char *actor,
			     size_t *advanced, struct app_error *err);

/*
 * Publish the granted list of p for period: every entitlement of the period
 * ever granted (granted, or revoked since, with effective_to) as JSON lines
 * {key, name, amount "410.00", effective_from, effective_to}, uploaded as a
 * batch "DATASET.PERIOD.N" of p's granted_dataset signed with the operator's
 * secret key at secret_path; the exchange's subscriptions push it to the
 * paying agency. One audit entry (entitle.publish). *out gets the batch.
 * When the period's latest batch has the same content (sha256) nothing is
 * uploaded: *out gets that batch and *unchanged is set.
 */
enum app_err entitle_publish(struct store *s, const struct entitle_programme *p, int32_t period,
			     const char *secret_path, const char *actor, int64_t now,
			     struct exchange_batch *out, bool *unchanged, struct app_error *err);

/* A store_entitlement_fn: copies e into *ctx (a struct entitlement),
 * without its explanation, and stops. */
bool entitle_copy_one(void *ctx, const struct entitlement *e);

/* State and event kind by name ("in_notice", "granted"...); false when unknown. */
bool entitle_state_parse(const char *name, enum entitle_state *out);
bool entitle_event_parse(const char *name, enum entitle_event *out);

#endif
