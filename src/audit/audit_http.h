/*
 * audit_http.h - the audit trail over HTTP (declared in src/http/routes.c).
 */
#ifndef AUDIT_AUDIT_HTTP_H
#define AUDIT_AUDIT_HTTP_H

struct http_req;

/* GET /api/v1/audit?object=user:12&limit=N */
void audit_handle_list(struct http_req *req);

#endif
