/*
 * metrics.c - request counters and latency histograms, /metrics and /healthz.
 *
 * Counters are plain atomics indexed by route (the route table's order, then
 * "static" and "unmatched") and by status slot, so recording costs a few
 * relaxed increments and never takes a lock.
 */
#include "http/http_int.h"
#include "core/clock.h"
#include "groups/ingest.h"
#include "store/store.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

const int http_counted_status[HTTP_STATUS_SLOTS - 1] = {
	200, 201, 202, 204, 206, 304, 400, 401, 403, 404, 405, 409, 413, 415, 429, 500, 503,
};

const uint64_t http_latency_bounds_us[HTTP_LAT_BUCKETS] = {
	50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 50000, 100000, 250000, 1000000, 5000000,
};

struct route_metrics {
	atomic_uint_fast64_t by_status[HTTP_STATUS_SLOTS];
	atomic_uint_fast64_t latency[HTTP_LAT_BUCKETS + 1]; /* last: above every bound */
	atomic_uint_fast64_t latency_sum_us;
};

static struct route_metrics *metrics;
static size_t metrics_slots;

void http_metrics_init(void)
{
	if (metrics)
		return;
	metrics_slots = http_routes_count + HTTP_ROUTE_EXTRAS;
	metrics = xcalloc(metrics_slots, sizeof(*metrics));
}

void http_metrics_record(int slot, int status, uint64_t elapsed_us)
{
	if (!metrics || slot < 0 || (size_t)slot >= metrics_slots)
		return;
	struct route_metrics *m = &metrics[slot];
	int s = HTTP_STATUS_SLOTS - 1;
	for (int i = 0; i < HTTP_STATUS_SLOTS - 1; i++)
		if (http_counted_status[i] == status)
			s = i;
	atomic_fetch_add_explicit(&m->by_status[s], 1, memory_order_relaxed);
	int b = 0;
	while (b < HTTP_LAT_BUCKETS && elapsed_us > http_latency_bounds_us[b])
		b++;
	atomic_fetch_add_explicit(&m->latency[b], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->latency_sum_us, elapsed_us, memory_order_relaxed);
}

static const char *slot_name(size_t slot)
{
	if (slot < http_routes_count)
		return http_routes[slot].path;
	return slot - http_routes_count == HTTP_ROUTE_STATIC_EXTRA ? "static" : "unmatched";
}

static const char *slot_method(size_t slot)
{
	return slot < http_routes_count ? http_method_names[http_routes[slot].method] : "any";
}

void http_handle_metrics(struct http_req *req)
{
	struct strbuf sb = STRBUF_INIT;
	strbuf_addstr(&sb, "# HELP bianmin_http_requests_total HTTP requests answered, by route "
			   "and status.\n# TYPE bianmin_http_requests_total counter\n");
	for (size_t r = 0; r < metrics_slots; r++) {
		for (int s = 0; s < HTTP_STATUS_SLOTS; s++) {
			uint64_t v = atomic_load_explicit(&metrics[r].by_status[s],
							  memory_order_relaxed);
			if (!v)
				continue;
			char status[8];
			if (s < HTTP_STATUS_SLOTS - 1)
				snprintf(status, sizeof(status), "%d", http_counted_status[s]);
			else
				snprintf(status, sizeof(status), "other");
			strbuf_addf(&sb,
				    "bianmin_http_requests_total{method=\"%s\",route=\"%s\",status=\"%s\"} %llu\n",
				    slot_method(r), slot_name(r), status, (unsigned long long)v);
		}
	}
	strbuf_addstr(&sb, "# HELP bianmin_http_request_duration_seconds Time from request "
			   "headers to response sent.\n"
			   "# TYPE bianmin_http_request_duration_seconds histogram\n");
	for (size_t r = 0; r < metrics_slots; r++) {
		uint64_t cum = 0;
		for (int b = 0; b <= HTTP_LAT_BUCKETS; b++)
			cum += atomic_load_explicit(&metrics[r].latency[b], memory_order_relaxed);
		if (!cum)
			continue;
		uint64_t total = cum;
		cum = 0;
		for (int b = 0; b < HTTP_LAT_BUCKETS; b++) {
			cum += atomic_load_explicit(&metrics[r].latency[b], memory_order_relaxed);
			strbuf_addf(&sb,
				    "bianmin_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"%g\"} %llu\n",
				    slot_method(r), slot_name(r),
				    (double)http_latency_bounds_us[b] / 1e6, (unsigned long long)cum);
		}
		strbuf_addf(&sb,
			    "bianmin_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\",le=\"+Inf\"} %llu\n"
			    "bianmin_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n"
			    "bianmin_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %llu\n",
			    slot_method(r), slot_name(r), (unsigned long long)total, slot_method(r),
			    slot_name(r),
			    (double)atomic_load_explicit(&metrics[r].latency_sum_us,
							 memory_order_relaxed) / 1e6,
			    slot_method(r), slot_name(r), (unsigned long long)total);
	}
	struct store_stats st;
	store_stats(http_store(req), &st);
	strbuf_addf(&sb,
		    "# HELP bianmin_db_commits_total Write transactions committed (group commits).\n"
		    "# TYPE bianmin_db_commits_total counter\nbianmin_db_commits_total %llu\n"
		    "# HELP bianmin_db_writes_total Writes carried by those commits.\n"
		    "# TYPE bianmin_db_writes_total counter\nbianmin_db_writes_total %llu\n"
		    "# HELP bianmin_db_write_failures_total Writes rolled back.\n"
		    "# TYPE bianmin_db_write_failures_total counter\nbianmin_db_write_failures_total %llu\n"
		    "# HELP bianmin_db_commit_seconds_total Time spent in COMMIT (durable flush).\n"
		    "# TYPE bianmin_db_commit_seconds_total counter\nbianmin_db_commit_seconds_total %.6f\n"
		    "# HELP bianmin_db_max_batch Most writes carried by one commit.\n"
		    "# TYPE bianmin_db_max_batch gauge\nbianmin_db_max_batch %llu\n"
		    "# HELP bianmin_db_reader_connections Read connections open.\n"
		    "# TYPE bianmin_db_reader_connections gauge\nbianmin_db_reader_connections %llu\n"
		    "# HELP bianmin_db_reader_connections_max Read connections open at most before "
		    "reads wait for a busy one (0: no such bound).\n"
		    "# TYPE bianmin_db_reader_connections_max gauge\n"
		    "bianmin_db_reader_connections_max %llu\n"
		    "# HELP bianmin_db_reader_waits_total Reads that waited for a read connection "
		    "(all were busy).\n"
		    "# TYPE bianmin_db_reader_waits_total counter\nbianmin_db_reader_waits_total %llu\n"
		    "# HELP bianmin_db_size_bytes Size of the main database file.\n"
		    "# TYPE bianmin_db_size_bytes gauge\nbianmin_db_size_bytes %llu\n"
		    "# HELP bianmin_search_lag_messages Messages stored but not yet findable.\n"
		    "# TYPE bianmin_search_lag_messages gauge\nbianmin_search_lag_messages %llu\n"
		    "# HELP bianmin_roster_fallbacks_total Roster imports whose new persons were "
		    "written line by line (the set-based step met a conflict).\n"
		    "# TYPE bianmin_roster_fallbacks_total counter\nbianmin_roster_fallbacks_total %llu\n",
		    (unsigned long long)st.commits, (unsigned long long)st.write_jobs,
		    (unsigned long long)st.write_failures, (double)st.commit_us / 1e6,
		    (unsigned long long)st.max_batch, (unsigned long long)st.readers,
		    (unsigned long long)st.readers_max, (unsigned long long)st.reader_waits,
		    (unsigned long long)st.db_bytes, (unsigned long long)st.search_lag,
		    (unsigned long long)st.roster_fallbacks);
	struct ingest_queue_stats iq;
	ingest_queue_stats(&iq);
	strbuf_addf(&sb,
		    "# HELP bianmin_ingest_queued_messages Messages of queued bulk ingest calls "
		    "not yet stored (every node's on PostgreSQL).\n"
		    "# TYPE bianmin_ingest_queued_messages gauge\nbianmin_ingest_queued_messages %lld\n"
		    "# HELP bianmin_ingest_loaded_total Queued messages this process stored.\n"
		    "# TYPE bianmin_ingest_loaded_total counter\nbianmin_ingest_loaded_total %lld\n"
		    "# HELP bianmin_ingest_failed_calls Queued calls set aside: they could not be "
		    "stored (see the log).\n"
		    "# TYPE bianmin_ingest_failed_calls gauge\nbianmin_ingest_failed_calls %lld\n",
		    (long long)iq.queued, (long long)iq.loaded, (long long)iq.failed);
	http_reply_data(req, 200, "text/plain; version=0.0.4; charset=utf-8", sb.buf, sb.len);
	strbuf_release(&sb);
}

void http_handle_healthz(struct http_req *req)
{
	struct app_error err;
	struct store *s = http_store(req);
	int cur = 0, want = 0;
	enum app_err rc = store_schema_version(s, &cur, &want, &err);
	if (rc == APP_OK && cur != want)
		rc = app_fail(&err, APP_EUNAVAIL, "database schema is at version %d, not %d", cur,
			      want);
	if (rc != APP_OK) {
		err.code = APP_EUNAVAIL;
		http_reply_error(req, &err);
		return;
	}
	/* time: the server's "now", so that a page on a phone whose clock is
	 * wrong counts a demand's remaining time by the server's. */
	char now[32];
	clock_format_utc(clock_now(), now, sizeof(now));
	http_reply_json(req, 200, json_pack("{s:s,s:s,s:i,s:s}", "status", "ok", "db",
					    store_backend(s), "schema", cur, "time", now));
}
