/*
 * sched.c - the scheduler engine: intervals, ticks, slot claims, the
 * thread. See sched.h; the jobs themselves are in jobs.c.
 */
#include "sched/sched.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "core/utf8.h"
#include "store/store.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct sched {
	struct store *store;
	char node[JOB_NODE_MAX];
	int64_t *interval;  /* per job of sched_jobs */
	int64_t *done_slot; /* per job: the start of the newest slot known to be taken */

	pthread_t thread;
	bool has_thread;
	pthread_mutex_t mu;
	pthread_cond_t cv; /* stop */
	bool stopping;
};

/* Apply "name=seconds,..." to sc->interval. */
static enum app_err parse_intervals(struct sched *sc, const char *spec, struct app_error *err)
{
	const char *p = spec ? spec : "";
	while (*p) {
		size_t len = strcspn(p, ",");
		char item[96];
		if (len >= sizeof(item))
			return app_fail(err, APP_EINVAL, "job interval '%.40s...' is too long", p);
		memcpy(item, p, len);
		item[len] = '\0';
		p += len + (p[len] == ',');
		char *eq = strchr(item, '=');
		char *end = NULL;
		long long secs = eq ? strtoll(eq + 1, &end, 10) : 0;
		if (!eq || end == eq + 1 || *end || secs < 1 || secs > 366LL * 86400)
			return app_fail(err, APP_EINVAL,
					"job interval '%s' must be NAME=SECONDS (1 to 31622400)",
					item);
		*eq = '\0';
		size_t i = 0;
		while (i < sched_jobs_count && strcmp(sched_jobs[i].name, item) != 0)
			i++;
		if (i == sched_jobs_count)
			return app_fail(err, APP_EINVAL, "job interval names an unknown job '%s'",
					item);
		sc->interval[i] = secs;
	}
	return APP_OK;
}

static void sched_free(struct sched *sc)
{
	pthread_mutex_destroy(&sc->mu);
	pthread_cond_destroy(&sc->cv);
	free(sc->interval);
	free(sc->done_slot);
	free(sc);
}

enum app_err sched_create(const struct sched_options *opt, struct sched **out,
			  struct app_error *err)
{
	struct sched *sc = xcalloc(1, sizeof(*sc));
	sc->store = opt->store;
	snprintf(sc->node, sizeof(sc->node), "%s", opt->node);
	sc->interval = xcalloc(sched_jobs_count, sizeof(*sc->interval));
	sc->done_slot = xcalloc(sched_jobs_count, sizeof(*sc->done_slot));
	for (size_t i = 0; i < sched_jobs_count; i++) {
		sc->interval[i] = sched_jobs[i].interval_s;
		sc->done_slot[i] = -1;
	}
	pthread_mutex_init(&sc->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&sc->cv, &ca);
	pthread_condattr_destroy(&ca);
	enum app_err rc = parse_intervals(sc, opt->intervals, err);
	if (rc != APP_OK) {
		sched_free(sc);
		return rc;
	}
	*out = sc;
	return APP_OK;
}

int64_t sched_interval(const struct sched *sc, size_t i) { return sc->interval[i]; }

/* Run job i for slot, unless another node has it. True when this node ran it. */
static bool run_slot(struct sched *sc, size_t i, int64_t slot, int64_t now)
{
	const struct sched_job *job = &sched_jobs[i];
	struct app_error err;
	struct store_lock *lock;
	if (store_lock_try(sc->store, job->name, &lock, &err) != APP_OK) {
		log_warn("sched.lock_failed", "job=%s reason=\"%s\"", job->name, err.msg);
		return false;
	}
	if (!lock)
		return false; /* running on another node now; look again next tick */
	int64_t run_id = 0;
	if (store_job_claim(sc->store, job->name, slot, sc->node, now, &run_id, &err) != APP_OK) {
		log_warn("sched.claim_failed", "job=%s reason=\"%s\"", job->name, err.msg);
		store_lock_release(sc->store, lock);
		return false;
	}
	sc->done_slot[i] = slot; /* ours now, or taken by another node */
	if (!run_id) {
		store_lock_release(sc->store, lock);
		return false;
	}
	char detail[256] = "";
	enum app_err rc = job->run(sc->store, now, detail, sizeof(detail), &err);
	if (rc != APP_OK)
		utf8_copy_cut(detail, sizeof(detail), err.msg);
	log_info("sched.ran", "job=%s slot=%lld ok=%d detail=\"%s\"", job->name, (long long)slot,
		 rc == APP_OK, detail);
	if (store_job_finish(sc->store, run_id, clock_now(), rc == APP_OK, detail, &err) != APP_OK)
		log_warn("sched.finish_failed", "job=%s reason=\"%s\"", job->name, err.msg);
	store_lock_release(sc->store, lock);
	return true;
}

int sched_tick(struct sched *sc, int64_t now)
{
	int ran = 0;
	for (size_t i = 0; i < sched_jobs_count; i++) {
		/* a slot is named by its start time, so that changing an interval
		 * (or nodes that disagree on it) never makes slots look past */
		int64_t slot = now / sc->interval[i] * sc->interval[i];
		if (slot > sc->done_slot[i] && run_slot(sc, i, slot, now))
			ran++;
	}
	return ran;
}

static void *sched_main(void *arg)
{
	struct sched *sc = arg;
	pthread_mutex_lock(&sc->mu);
	while (!sc->stopping) {
		pthread_mutex_unlock(&sc->mu);
		sched_tick(sc, clock_now());
		pthread_mutex_lock(&sc->mu);
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		until.tv_sec += 1;
		while (!sc->stopping &&
		       pthread_cond_timedwait(&sc->cv, &sc->mu, &until) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&sc->mu);
	return NULL;
}

enum app_err sched_start(const struct sched_options *opt, struct sched **out,
			 struct app_error *err)
{
	struct sched *sc;
	enum app_err rc = sched_create(opt, &sc, err);
	if (rc != APP_OK)
		return rc;
	if (pthread_create(&sc->thread, NULL, sched_main, sc) != 0) {
		sched_free(sc);
		return app_fail(err, APP_EINTERNAL, "cannot start the scheduler: %s",
				strerror(errno));
	}
	sc->has_thread = true;
	*out = sc;
	return APP_OK;
}

void sched_stop(struct sched *sc)
{
	if (!sc)
		return;
	if (sc->has_thread) {
		pthread_mutex_lock(&sc->mu);
		sc->stopping = true;
		pthread_cond_signal(&sc->cv);
		pthread_mutex_unlock(&sc->mu);
		pthread_join(sc->thread, NULL);
	}
	sched_free(sc);
}
