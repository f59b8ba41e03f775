/*
 * open311_http.h - the HTTP handlers of the Open311 GeoReport v2 API at
 * /open311/v2/ (routes.c), and the writer of its errors, which answers
 * every error under /open311/ in the spec's format, routes or not. What
 * the answers hold is open311.h's; these read requests and write replies
 * in the format of the path's suffix (.json, .xml).
 */
#ifndef CASES_OPEN311_HTTP_H
#define CASES_OPEN311_HTTP_H

struct http_req;
struct app_error;

void open311_handle_discovery(struct http_req *req);
void open311_handle_services(struct http_req *req);
void open311_handle_service(struct http_req *req);
void open311_handle_post_request(struct http_req *req);
void open311_handle_requests(struct http_req *req);
void open311_handle_request(struct http_req *req);
void open311_handle_token(struct http_req *req);
void open311_handle_updates(struct http_req *req);

/* An error as Open311 writes them: a list of one {code, description} (XML
 * <errors>), in the format of the path's suffix (XML when it has none). */
void open311_reply_error(struct http_req *req, int status, const struct app_error *err);

#endif
