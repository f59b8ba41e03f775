/*
 * delivery_http.h - HTTP handlers of delivery tasks: a region's tasks, one
 * with its timeline, an officer's action, the person's contact (audited).
 * Routes in src/http/routes.c, the API in docs/api.md; the rules are
 * delivery.c's, the scope auth_scope()'s.
 */
#ifndef CASES_DELIVERY_HTTP_H
#define CASES_DELIVERY_HTTP_H

struct http_req;

void delivery_handle_list(struct http_req *req);
void delivery_handle_get(struct http_req *req);
void delivery_handle_act(struct http_req *req);
void delivery_handle_contact(struct http_req *req);

#endif
