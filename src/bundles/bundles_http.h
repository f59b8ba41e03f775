/*
 * bundles_http.h - HTTP handlers of 一件事 bundles: start one, list those in
 * scope, one bundle with every service's state, mark a task, and the person
 * revealed (audited). Routes in src/http/routes.c, the API in docs/api.md
 * and docs/bundles.md; the rules are bundles.c's, the scope auth_scope()'s.
 */
#ifndef BUNDLES_BUNDLES_HTTP_H
#define BUNDLES_BUNDLES_HTTP_H

struct http_req;

void bundles_handle_start(struct http_req *req);
void bundles_handle_list(struct http_req *req);
void bundles_handle_get(struct http_req *req);
void bundles_handle_mark(struct http_req *req);
void bundles_handle_person(struct http_req *req);

#endif
