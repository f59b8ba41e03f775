/*
 * patrol_http.h - HTTP handlers of the patrol's alerts; routes in
 * src/http/routes.c, the API in docs/api.md.
 */
#ifndef PATROL_PATROL_HTTP_H
#define PATROL_PATROL_HTTP_H

struct http_req;

void alerts_handle_list(struct http_req *req);
void alerts_handle_acknowledge(struct http_req *req);
void alerts_handle_close(struct http_req *req);
void alerts_handle_events(struct http_req *req);
void patrol_handle_run(struct http_req *req);

#endif
