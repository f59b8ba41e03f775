/*
 * accounts_http.h - HTTP handlers for signing in, accounts, households,
 * roles and invitations (declared in src/http/routes.c).
 */
#ifndef AUTH_ACCOUNTS_HTTP_H
#define AUTH_ACCOUNTS_HTTP_H

struct http_req;

void accounts_handle_login(struct http_req *req);
void accounts_handle_logout(struct http_req *req);
void accounts_handle_me(struct http_req *req);
void accounts_handle_events(struct http_req *req);
void accounts_handle_password(struct http_req *req);
void accounts_handle_invite_accept(struct http_req *req);
void accounts_handle_user_create(struct http_req *req);
void accounts_handle_user_list(struct http_req *req);
void accounts_handle_user_get(struct http_req *req);
void accounts_handle_grant_add(struct http_req *req);
void accounts_handle_grant_remove(struct http_req *req);
void accounts_handle_household_create(struct http_req *req);
void accounts_handle_household_get(struct http_req *req);
void accounts_handle_invite_create(struct http_req *req);

#endif
