/*
 * entitle_http.h - HTTP handlers of the entitlement pipeline (免申即享): list
 * the entitlements in scope and read one with its timeline (masked), the
 * person revealed (audited), record an objection, its review, the person's
 * consent and an appeal, and start a run. Routes in src/http/routes.c, the
 * API in docs/api.md and docs/entitle.md; the rules are entitlements.c's
 * and pipeline.c's, the scope auth_scope()'s.
 */
#ifndef ENTITLE_ENTITLE_HTTP_H
#define ENTITLE_ENTITLE_HTTP_H

struct http_req;

void entitle_handle_list(struct http_req *req);
void entitle_handle_get(struct http_req *req);
void entitle_handle_person(struct http_req *req);
void entitle_handle_objection(struct http_req *req);
void entitle_handle_review(struct http_req *req);
void entitle_handle_consent(struct http_req *req);
void entitle_handle_appeal(struct http_req *req);
void entitle_handle_run(struct http_req *req);

#endif
