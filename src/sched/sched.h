/*
 * sched.h - scheduled jobs (sweeps, purges, later patrol and pushes), run
 * on exactly one node of a deployment per time slot.
 *
 * Jobs are declared in one table (jobs.c): a name, an interval and a
 * function. Time is cut into slots of the interval, each named by its start
 * time (now - now % interval), so changing an interval never makes slots
 * look past; on each tick a node that is due for a slot takes the job's store lock (no
 * two runs of a job overlap), claims the slot in the database (only one node
 * can), runs the job and records how it went. A node that dies mid-run
 * loses the lock with its connection; the slot stays claimed, and the next
 * slot is run by whichever node gets there first.
 */
#ifndef SCHED_SCHED_H
#define SCHED_SCHED_H

#include "core/err.h"

#include <stddef.h>
#include <stdint.h>

struct store;

struct sched_job {
	const char *name;   /* "purge"; under JOB_NAME_MAX bytes */
	int64_t interval_s; /* default slot length */
	const char *summary;
	/* Do the job for `now`; say what was done in detail (cap bytes). */
	enum app_err (*run)(struct store *s, int64_t now, char *detail, size_t cap,
			    struct app_error *err);
};

/* The job table (jobs.c). */
extern const struct sched_job sched_jobs[];
extern const size_t sched_jobs_count;

struct sched_options {
	struct store *store;
	const char *node;      /* this node's name, recorded with its runs */
	const char *intervals; /* overrides, "name=seconds,name=seconds"; "" none */
};

struct sched;

/*
 * A scheduler without a thread (ticks are the caller's). APP_EINVAL when
 * the intervals name an unknown job or a bad number.
 */
enum app_err sched_create(const struct sched_options *opt, struct sched **out,
			  struct app_error *err);
/* A scheduler ticking every second on a thread of its own. */
enum app_err sched_start(const struct sched_options *opt, struct sched **out,
			 struct app_error *err);
/* Stop the thread (after the run in progress) and free. NULL is a no-op. */
void sched_stop(struct sched *sc);

/* One tick at now: run every job due whose slot no node has claimed yet.
 * Returns how many runs this node did. */
int sched_tick(struct sched *sc, int64_t now);

/* The interval in use for job i of sched_jobs. */
int64_t sched_interval(const struct sched *sc, size_t i);

#endif
