/*
 * sched_http.h - the HTTP handler about scheduled jobs (sched_http.c).
 */
#ifndef SCHED_SCHED_HTTP_H
#define SCHED_SCHED_HTTP_H

struct http_req;

void sched_handle_jobs(struct http_req *req);

#endif
