/*
 * supervise_http.h - HTTP handlers of 督办: reminders, their
 * acknowledgements and the 通报; routes in src/http/routes.c, the API in
 * docs/api.md. The rules are supervise.c's.
 */
#ifndef PATROL_SUPERVISE_HTTP_H
#define PATROL_SUPERVISE_HTTP_H

struct http_req;

void supervise_handle_issue(struct http_req *req);
void supervise_handle_acknowledge(struct http_req *req);
void supervise_handle_notices(struct http_req *req);
void supervise_handle_notice_acknowledge(struct http_req *req);

#endif
