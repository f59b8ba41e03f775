/*
 * messages_http.h - the HTTP handlers of messages (messages_http.c), for the
 * route table.
 */
#ifndef GROUPS_MESSAGES_HTTP_H
#define GROUPS_MESSAGES_HTTP_H

struct http_req;

void messages_handle_list(struct http_req *req);
void messages_handle_events(struct http_req *req);
void messages_handle_post(struct http_req *req);
void messages_handle_get(struct http_req *req);
void messages_handle_recall(struct http_req *req);
void messages_handle_hide(struct http_req *req);
void messages_handle_history(struct http_req *req);
void messages_handle_image_upload(struct http_req *req);
void messages_handle_image_get(struct http_req *req);
void messages_handle_broadcast(struct http_req *req);
void messages_handle_broadcast_get(struct http_req *req);
void messages_handle_ingest(struct http_req *req);
void messages_handle_search(struct http_req *req);

#endif
