/*
 * exchange_http.h - HTTP handlers of the data-sharing exchange: uploads and
 * pulls by member agencies (an API key of role exchange_member bound to the
 * member), and the operators' views; routes in src/http/routes.c, the API
 * in docs/api.md and docs/exchange.md. The rules are broker.c's.
 */
#ifndef EXCHANGE_EXCHANGE_HTTP_H
#define EXCHANGE_EXCHANGE_HTTP_H

struct http_req;

void exchange_handle_upload(struct http_req *req);
void exchange_handle_pull(struct http_req *req);
void exchange_handle_members(struct http_req *req);
void exchange_handle_datasets(struct http_req *req);
void exchange_handle_batches(struct http_req *req);
void exchange_handle_subscriptions(struct http_req *req);
void exchange_handle_attempts(struct http_req *req);
void exchange_handle_approve(struct http_req *req);

#endif
