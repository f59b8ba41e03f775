/*
 * demands_http.h - HTTP handlers of demands (诉求); routes in
 * src/http/routes.c, the API in docs/api.md.
 */
#ifndef CASES_DEMANDS_HTTP_H
#define CASES_DEMANDS_HTTP_H

struct http_req;

void demands_handle_raise(struct http_req *req);
void demands_handle_list(struct http_req *req);
void demands_handle_similar(struct http_req *req);
void demands_handle_get(struct http_req *req);
void demands_handle_act(struct http_req *req);
void demands_handle_photo_add(struct http_req *req);
void demands_handle_photo_get(struct http_req *req);
void demands_handle_contact(struct http_req *req);
void demands_handle_group_events(struct http_req *req);

#endif
