/*
 * outbox_http.h - HTTP handlers of the outbox of notifications: the
 * messages of a region (phone masked) and one message's phone revealed
 * (PERM_PERSONAL_DATA, audited). Routes in src/http/routes.c, the API in
 * docs/api.md and docs/outbox.md.
 */
#ifndef ENTITLE_OUTBOX_HTTP_H
#define ENTITLE_OUTBOX_HTTP_H

struct http_req;

void outbox_handle_list(struct http_req *req);
void outbox_handle_phone(struct http_req *req);

#endif
