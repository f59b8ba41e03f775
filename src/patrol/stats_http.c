/*
 * stats_http.c - the statistics of demands over HTTP: who may see a
 * region's figures is decided by auth_scope() (PERM_CASES_READ; a region
 * out of scope answers 404), the figures by stats.c.
 */
#include "patrol/stats_http.h"
#include "auth/auth.h"
#include "http/http.h"
#include "patrol/stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#define STATS_MIN_SAMPLE 10

/*
 * Compute the report the query asks for (region, from, to) with units at
 * by (NULL: ?by=), or reply the error and return false. r is released by
 * the caller either way.
 */
static bool report_or_reply(struct http_req *req, const char *by, struct stats_report *r)
{
	const struct auth_caller *c = http_caller(req);
	const char *region = http_query(req, "region");
	if (!region || !*region)
		region = auth_home_region(c, PERM_CASES_READ);
	struct app_error err;
	int64_t from, to;
	if (stats_period_parse(http_query(req, "from"), http_query(req, "to"), &from, &to,
			       &err) != APP_OK ||
	    auth_scope(c, PERM_CASES_READ, region ? region : "", &err) != APP_OK ||
	    stats_compute(http_store(req), region, by ? by : http_query(req, "by"), from, to, r,
			  &err) != APP_OK) {
		http_reply_error(req, &err);
		return false;
	}
	return true;
}

void stats_handle_get(struct http_req *req)
{
	struct stats_report r;
	stats_report_init(&r);
	if (report_or_reply(req, NULL, &r))
		http_reply_json(req, 200, stats_json(&r));
	stats_report_release(&r);
}

void stats_handle_ranking(struct http_req *req)
{
	enum stats_rate rate;
	long min;
	if (!stats_rate_parse(http_query(req, "rate"), &rate)) {
		http_reply_fail(req, APP_EINVAL, "rate",
				"rate must be response, resolution, satisfaction, first_line, "
				"return or whistle");
		return;
	}
	if (!http_query_int_or_reply(req, "min", 1, 1000000, STATS_MIN_SAMPLE, &min))
		return;
	/* the units one level below the region: a county's towns, a town's
	 * villages */
	const char *region = http_query(req, "region");
	size_t len = region && *region ? strlen(region) : 0;
	if (len != 6 && len != 9) {
		http_reply_fail(req, APP_EINVAL, "region",
				"a ranking needs the code of a county or a town");
		return;
	}
	struct stats_report r;
	stats_report_init(&r);
	if (report_or_reply(req, len == 6 ? "town" : "village", &r))
		http_reply_json(req, 200, stats_ranking_json(&r, rate, (int)min));
	stats_report_release(&r);
}

void stats_handle_csv(struct http_req *req)
{
	struct stats_report r;
	stats_report_init(&r);
	if (report_or_reply(req, NULL, &r)) {
		struct strbuf sb;
		strbuf_init(&sb, 4096);
		stats_csv(&r, &sb);
		http_reply_data(req, 200, "text/csv; charset=utf-8", sb.buf, sb.len);
		strbuf_release(&sb);
	}
	stats_report_release(&r);
}

/* Write r's workbook to a private temporary file and open it for reading
 * (the name is gone once open): the descriptor, or -1 with err set. */
static int workbook_fd(const struct stats_report *r, uint64_t *size, struct app_error *err)
{
	const char *dir = getenv("TMPDIR");
	char path[512];
	snprintf(path, sizeof(path), "%s/bianmin-stats-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0) {
		app_fail(err, APP_EIO, "cannot create a temporary file in '%s'", dir ? dir : "/tmp");
		return -1;
	}
	close(fd); /* libxlsxwriter writes the file by its name */
	fd = -1;
	struct stat st;
	if (stats_xlsx(r, path, err) == APP_OK) {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && fstat(fd, &st) == 0) {
			*size = (uint64_t)st.st_size;
		} else {
			if (fd >= 0)
				close(fd);
			fd = -1;
			app_fail(err, APP_EIO, "cannot read the workbook back from '%s'", path);
		}
	}
	unlink(path);
	return fd;
}

void stats_handle_xlsx(struct http_req *req)
{
	struct stats_report r;
	stats_report_init(&r);
	if (report_or_reply(req, NULL, &r)) {
		struct app_error err;
		uint64_t size;
		int fd = workbook_fd(&r, &size, &err);
		if (fd < 0)
			http_reply_error(req, &err);
		else
			http_reply_file(req,
					"application/vnd.openxmlformats-officedocument."
					"spreadsheetml.sheet",
					fd, size, "no-store");
	}
	stats_report_release(&r);
}
