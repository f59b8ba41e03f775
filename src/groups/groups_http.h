/*
 * groups_http.h - the HTTP handlers of the service network (groups_http.c),
 * for the route table.
 */
#ifndef GROUPS_GROUPS_HTTP_H
#define GROUPS_GROUPS_HTTP_H

struct http_req;

void groups_handle_list(struct http_req *req);
void groups_handle_create(struct http_req *req);
void groups_handle_get(struct http_req *req);
void groups_handle_update(struct http_req *req);
void groups_handle_join_code(struct http_req *req);
void groups_handle_qr(struct http_req *req);
void groups_handle_members(struct http_req *req);
void groups_handle_member_put(struct http_req *req);
void groups_handle_member_delete(struct http_req *req);
void groups_handle_member_approve(struct http_req *req);
void groups_handle_roster(struct http_req *req);
void groups_handle_join_info(struct http_req *req);
void groups_handle_join(struct http_req *req);
void groups_handle_my_groups(struct http_req *req);
void groups_handle_duty(struct http_req *req);
void groups_handle_rota_get(struct http_req *req);
void groups_handle_rota_set(struct http_req *req);
void groups_handle_override_put(struct http_req *req);
void groups_handle_override_delete(struct http_req *req);
void groups_handle_leave_add(struct http_req *req);
void groups_handle_leave_delete(struct http_req *req);

#endif
