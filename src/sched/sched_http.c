/*
 * sched_http.c - GET /api/v1/jobs: the scheduled jobs and their recent runs
 * on every node, for operators (PERM_OPERATE). Jobs are deployment-wide, so
 * there is no region scope to check beyond holding the permission.
 */
#include "sched/sched_http.h"
#include "http/http.h"
#include "sched/sched.h"
#include "store/store.h"

#include <string.h>

static bool add_run(void *ctx, const struct job_run *r)
{
	json_array_append_new(ctx, json_pack("{s:I, s:s, s:o, s:s, s:o, s:o, s:s, s:s}", "id",
					     (json_int_t)r->id, "job", r->name, "slot",
					     http_json_time(r->slot), "node", r->node, "started_at",
					     http_json_time(r->started_at), "finished_at",
					     r->finished_at ? http_json_time(r->finished_at) : json_null(),
					     "outcome", r->outcome, "detail", r->detail));
	return true;
}

void sched_handle_jobs(struct http_req *req)
{
	const char *job = http_query(req, "job");
	if (job && !*job)
		job = NULL; /* job= is no filter */
	long limit;
	if (!http_query_int_or_reply(req, "limit", 1, 1000, 50, &limit))
		return;
	json_t *jobs = json_array();
	bool known = !job;
	for (size_t i = 0; i < sched_jobs_count; i++) {
		known = known || strcmp(job, sched_jobs[i].name) == 0;
		json_array_append_new(jobs, json_pack("{s:s, s:s, s:I}", "name",
						      sched_jobs[i].name, "summary",
						      sched_jobs[i].summary, "default_interval_s",
						      (json_int_t)sched_jobs[i].interval_s));
	}
	if (!known) {
		json_decref(jobs);
		http_reply_fail(req, APP_EINVAL, "job", "there is no scheduled job called '%.48s'",
				job);
		return;
	}
	json_t *runs = json_array();
	struct app_error err;
	if (store_job_runs(http_store(req), job, (int)limit, add_run, runs, &err) != APP_OK) {
		json_decref(jobs);
		json_decref(runs);
		http_reply_error(req, &err);
		return;
	}
	http_reply_json(req, 200, json_pack("{s:o, s:o}", "jobs", jobs, "runs", runs));
}
