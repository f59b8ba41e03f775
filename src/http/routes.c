/*
 * routes.c - THE route table, and matching a request against it.
 *
 * Every HTTP endpoint of bianmin is declared here, once, with who may call it
 * and what body it takes. server.c enforces the declarations before any
 * handler runs; tests/unit/test_routes.c fails when a route declares no access
 * or is missing from docs/openapi.json.
 */
#include "http/http_int.h"
#include "auth/accounts_http.h"
#include "audit/audit_http.h"
#include "bundles/bundles_http.h"
#include "cases/case_settings_http.h"
#include "cases/delivery_http.h"
#include "cases/demands_http.h"
#include "cases/open311_http.h"
#include "entitle/entitle_http.h"
#include "entitle/outbox_http.h"
#include "exchange/exchange_http.h"
#include "groups/groups_http.h"
#include "groups/messages_http.h"
#include "patrol/patrol_http.h"
#include "patrol/supervise_http.h"
#include "patrol/stats_http.h"
#include "regions/regions_http.h"
#include "sched/sched_http.h"

#include <string.h>

const char *const http_method_names[HTTP_METHOD__MAX] = {
	[HTTP_GET] = "GET",       [HTTP_HEAD] = "HEAD",     [HTTP_POST] = "POST",
	[HTTP_PUT] = "PUT",       [HTTP_PATCH] = "PATCH",   [HTTP_DELETE] = "DELETE",
	[HTTP_OPTIONS] = "OPTIONS",
};

#define PUBLIC .access = HTTP_ACCESS_PUBLIC
#define SIGNED_IN .access = HTTP_ACCESS_SIGNED_IN
#define JSON_BODY(limit) .body = HTTP_BODY_JSON, .max_body = (limit)
#define CSV_BODY(limit) .body = HTTP_BODY_CSV, .max_body = (limit)
#define BYTES_BODY(limit) .body = HTTP_BODY_BYTES, .max_body = (limit)
#define FORM_BODY(limit) .body = HTTP_BODY_FORM, .max_body = (limit)

const struct http_route http_routes[] = {
	{ HTTP_GET, "/healthz", http_handle_healthz, PUBLIC, .summary = "liveness and database check" },
	{ HTTP_GET, "/metrics", http_handle_metrics, PUBLIC, .summary = "Prometheus metrics" },
	{ HTTP_GET, "/api/v1/openapi.json", http_handle_openapi, PUBLIC,
	  .summary = "this API's OpenAPI 3 document" },

	/* the divisions registry: public reference data */
	{ HTTP_GET, "/api/v1/regions", regions_handle_search, PUBLIC,
	  .summary = "search regions by name" },
	{ HTTP_POST, "/api/v1/regions/lookup", regions_handle_lookup, PUBLIC, JSON_BODY(64 * 1024),
	  .summary = "resolve many region codes at once" },
	{ HTTP_GET, "/api/v1/regions/{code}", regions_handle_get, PUBLIC,
	  .summary = "one region with its parents and children" },
	{ HTTP_GET, "/api/v1/regions/{code}/tree", regions_handle_tree, PUBLIC,
	  .summary = "the subtree under a region" },

	/* signing in and out */
	{ HTTP_POST, "/api/v1/auth/login", accounts_handle_login, PUBLIC, JSON_BODY(4096),
	  .summary = "sign in with phone and password" },
	{ HTTP_POST, "/api/v1/auth/logout", accounts_handle_logout, SIGNED_IN,
	  .flags = HTTP_BEFORE_PASSWORD_CHANGE, .summary = "sign out (end this session)" },
	{ HTTP_GET, "/api/v1/me", accounts_handle_me, SIGNED_IN,
	  .flags = HTTP_BEFORE_PASSWORD_CHANGE, .summary = "the signed-in person and their roles" },
	{ HTTP_GET, "/api/v1/me/events", accounts_handle_events, SIGNED_IN,
	  .summary = "live events about one's account (Server-Sent Events)" },
	{ HTTP_POST, "/api/v1/me/password", accounts_handle_password, SIGNED_IN, JSON_BODY(4096),
	  .flags = HTTP_BEFORE_PASSWORD_CHANGE, .summary = "change one's password" },
	{ HTTP_POST, "/api/v1/invites/accept", accounts_handle_invite_accept, PUBLIC,
	  JSON_BODY(4096), .summary = "join with an invitation code" },

	/* accounts, households, roles, invitations */
	{ HTTP_POST, "/api/v1/users", accounts_handle_user_create, SIGNED_IN,
	  .perm = PERM_USERS_MANAGE, JSON_BODY(8192), .summary = "create an account" },
	{ HTTP_GET, "/api/v1/users", accounts_handle_user_list, SIGNED_IN,
	  .perm = PERM_USERS_READ, .summary = "accounts in a region" },
	{ HTTP_GET, "/api/v1/users/{id}", accounts_handle_user_get, SIGNED_IN,
	  .summary = "one account (masked; reveal=true with a reason unmasks, audited)" },
	{ HTTP_POST, "/api/v1/users/{id}/roles", accounts_handle_grant_add, SIGNED_IN,
	  .perm = PERM_ROLES_MANAGE, JSON_BODY(4096), .summary = "grant a role for a region" },
	{ HTTP_DELETE, "/api/v1/users/{id}/roles/{role}/{region}", accounts_handle_grant_remove,
	  SIGNED_IN, .perm = PERM_ROLES_MANAGE, .summary = "remove a role" },
	{ HTTP_POST, "/api/v1/households", accounts_handle_household_create, SIGNED_IN,
	  .perm = PERM_USERS_MANAGE, JSON_BODY(4096), .summary = "register a household" },
	{ HTTP_GET, "/api/v1/households/{id}", accounts_handle_household_get, SIGNED_IN,
	  .perm = PERM_USERS_READ, .summary = "a household and its members" },
	{ HTTP_POST, "/api/v1/invites", accounts_handle_invite_create, SIGNED_IN,
	  .perm = PERM_USERS_MANAGE, JSON_BODY(4096), .summary = "make an invitation code" },

	/* the service network: groups, members, joining, duty (who may act on a
	 * group is decided by groups_open(): members, owners and admins hold no
	 * permission of their own) */
	{ HTTP_GET, "/api/v1/groups", groups_handle_list, SIGNED_IN, .perm = PERM_GROUPS_READ,
	  .summary = "service groups in a region" },
	{ HTTP_POST, "/api/v1/groups", groups_handle_create, SIGNED_IN, .perm = PERM_GROUPS_MANAGE,
	  JSON_BODY(4096), .summary = "make an ad-hoc group" },
	{ HTTP_GET, "/api/v1/groups/{id}", groups_handle_get, SIGNED_IN,
	  .summary = "one group (with its join link for its managers)" },
	{ HTTP_PATCH, "/api/v1/groups/{id}", groups_handle_update, SIGNED_IN, JSON_BODY(4096),
	  .summary = "change a group's name, approval and duty hours" },
	{ HTTP_POST, "/api/v1/groups/{id}/join-code", groups_handle_join_code, SIGNED_IN,
	  .summary = "a new join link (the old one stops working)" },
	{ HTTP_GET, "/api/v1/groups/{id}/qr", groups_handle_qr, SIGNED_IN,
	  .summary = "the join link as a QR code (SVG or PNG)" },
	{ HTTP_GET, "/api/v1/groups/{id}/members", groups_handle_members, SIGNED_IN,
	  .summary = "members of a group" },
	{ HTTP_PUT, "/api/v1/groups/{id}/members/{user}", groups_handle_member_put, SIGNED_IN,
	  JSON_BODY(4096), .summary = "add a member or change their role" },
	{ HTTP_DELETE, "/api/v1/groups/{id}/members/{user}", groups_handle_member_delete,
	  SIGNED_IN, .summary = "remove a member, or leave a group" },
	{ HTTP_POST, "/api/v1/groups/{id}/members/{user}/approve", groups_handle_member_approve,
	  SIGNED_IN, .summary = "let a waiting member in" },
	{ HTTP_POST, "/api/v1/groups/{id}/roster", groups_handle_roster, SIGNED_IN,
	  CSV_BODY(2u << 20), .summary = "import households from a CSV roster (all or nothing)" },
	{ HTTP_GET, "/api/v1/groups/{id}/duty", groups_handle_duty, SIGNED_IN,
	  .summary = "who is on duty now and next" },
	{ HTTP_GET, "/api/v1/groups/{id}/duty/rota", groups_handle_rota_get, SIGNED_IN,
	  .summary = "the weekly rota, overrides and leave of the next four weeks" },
	{ HTTP_PUT, "/api/v1/groups/{id}/duty/rota", groups_handle_rota_set, SIGNED_IN,
	  JSON_BODY(4096), .summary = "set the weekly rota" },
	{ HTTP_PUT, "/api/v1/groups/{id}/duty/days/{day}", groups_handle_override_put, SIGNED_IN,
	  JSON_BODY(4096), .summary = "put someone on duty on one day" },
	{ HTTP_DELETE, "/api/v1/groups/{id}/duty/days/{day}", groups_handle_override_delete,
	  SIGNED_IN, .summary = "give a day back to the rota" },
	{ HTTP_POST, "/api/v1/groups/{id}/duty/leave", groups_handle_leave_add, SIGNED_IN,
	  JSON_BODY(4096), .summary = "record leave (others stand in)" },
	{ HTTP_DELETE, "/api/v1/groups/{id}/duty/leave/{leave}", groups_handle_leave_delete,
	  SIGNED_IN, .summary = "withdraw leave" },
	/* messages of the groups (信息留痕: never deleted) */
	{ HTTP_GET, "/api/v1/groups/{id}/messages", messages_handle_list, SIGNED_IN,
	  .summary = "the talk of a group, newest first or since an id" },
	{ HTTP_POST, "/api/v1/groups/{id}/messages", messages_handle_post, SIGNED_IN,
	  JSON_BODY(16384), .summary = "write in a group (text, reply, mentions, image)" },
	{ HTTP_GET, "/api/v1/groups/{id}/events", messages_handle_events, SIGNED_IN,
	  .summary = "live messages of a group (Server-Sent Events)" },
	{ HTTP_POST, "/api/v1/groups/{id}/images", messages_handle_image_upload, SIGNED_IN,
	  BYTES_BODY(5u << 20), .summary = "upload an image to send (PNG, JPEG, GIF, WebP; 5 MB)" },
	{ HTTP_POST, "/api/v1/groups/{id}/broadcasts", messages_handle_broadcast, SIGNED_IN,
	  JSON_BODY(16384), .summary = "broadcast a policy to every group below" },
	{ HTTP_GET, "/api/v1/broadcasts/{bid}", messages_handle_broadcast_get, SIGNED_IN,
	  .summary = "a broadcast and its delivery to each group" },
	{ HTTP_GET, "/api/v1/messages/search", messages_handle_search, SIGNED_IN,
	  .summary = "search messages (Chinese full text) in one's groups and scope" },
	{ HTTP_GET, "/api/v1/messages/{mid}", messages_handle_get, SIGNED_IN,
	  .summary = "one message" },
	{ HTTP_POST, "/api/v1/messages/{mid}/recall", messages_handle_recall, SIGNED_IN,
	  .summary = "recall one's message (within 2 minutes)" },
	{ HTTP_POST, "/api/v1/messages/{mid}/hide", messages_handle_hide, SIGNED_IN,
	  JSON_BODY(4096), .summary = "hide a message with a reason (group managers)" },
	{ HTTP_GET, "/api/v1/messages/{mid}/history", messages_handle_history, SIGNED_IN,
	  .summary = "what happened to a message (managers and supervisors)" },
	{ HTTP_GET, "/api/v1/groups/{id}/images/{sha}", messages_handle_image_get, SIGNED_IN,
	  .summary = "an image sent in a group" },
	{ HTTP_POST, "/api/v1/ingest/messages", messages_handle_ingest, SIGNED_IN,
	  .perm = PERM_INGEST, JSON_BODY(4u << 20),
	  .summary = "messages from another chat platform, in bulk, idempotent by key" },

	/* residents' demands (诉求): who may read and act is decided by
	 * demands.c (the resident who raised one, and handlers in scope) */
	{ HTTP_POST, "/api/v1/demands", demands_handle_raise, SIGNED_IN, JSON_BODY(64 * 1024),
	  .summary = "raise a demand" },
	{ HTTP_GET, "/api/v1/demands", demands_handle_list, SIGNED_IN,
	  .summary = "demands one raised or may read, newest first" },
	{ HTTP_GET, "/api/v1/demands/categories", case_settings_handle_categories, SIGNED_IN,
	  .summary = "the category tree of demands in one's county (or ?region='s)" },
	{ HTTP_GET, "/api/v1/demands/settings", case_settings_handle_get, SIGNED_IN,
	  .perm = PERM_CASES_READ,
	  .summary = "a county's limits of the demand clocks, warning share and duty hours" },
	{ HTTP_GET, "/api/v1/demands/similar", demands_handle_similar, SIGNED_IN,
	  .summary = "open demands of a village and category in the last 30 days" },
	{ HTTP_GET, "/api/v1/demands/{id}", demands_handle_get, SIGNED_IN,
	  .summary = "one demand with its clocks and timeline" },
	{ HTTP_POST, "/api/v1/demands/{id}/actions", demands_handle_act, SIGNED_IN, JSON_BODY(16 * 1024),
	  .summary = "act on a demand (acknowledge, resolve, escalate, 吹哨, 退单, follow up...)" },
	{ HTTP_POST, "/api/v1/demands/{id}/photos", demands_handle_photo_add, SIGNED_IN,
	  BYTES_BODY(5u << 20), .summary = "add a photo to a demand (JPEG, PNG, WebP; 5 MB; 9 at most)" },
	{ HTTP_GET, "/api/v1/demands/{id}/photos/{sha}", demands_handle_photo_get, SIGNED_IN,
	  .summary = "a photo of a demand" },
	{ HTTP_GET, "/api/v1/demands/{id}/contact", demands_handle_contact, SIGNED_IN,
	  .perm = PERM_PERSONAL_DATA,
	  .summary = "a demand's contact unmasked (its handlers; a reason, audited)" },
	{ HTTP_GET, "/api/v1/groups/{id}/cases/events", demands_handle_group_events, SIGNED_IN,
	  .perm = PERM_CASES_READ, .summary = "live changes of a group's demands (Server-Sent Events)" },

	/* the smart patrol's alerts (智能巡群): addressed to the supervising
	 * level, seen by its supervisors only (alerts.c) */
	{ HTTP_GET, "/api/v1/alerts", alerts_handle_list, SIGNED_IN, .perm = PERM_GROUPS_SUPERVISE,
	  .summary = "alerts addressed to the regions one supervises, newest first" },
	{ HTTP_GET, "/api/v1/alerts/events", alerts_handle_events, SIGNED_IN,
	  .perm = PERM_GROUPS_SUPERVISE,
	  .summary = "live alerts addressed to one region (Server-Sent Events)" },
	{ HTTP_POST, "/api/v1/alerts/{id}/acknowledge", alerts_handle_acknowledge, SIGNED_IN,
	  .perm = PERM_GROUPS_SUPERVISE, .summary = "acknowledge an alert" },
	{ HTTP_POST, "/api/v1/alerts/{id}/close", alerts_handle_close, SIGNED_IN,
	  .perm = PERM_GROUPS_SUPERVISE, .summary = "close an alert that was dealt with" },
	{ HTTP_POST, "/api/v1/patrol/run", patrol_handle_run, SIGNED_IN, .perm = PERM_OPERATE,
	  .summary = "run one patrol sweep now, as the job does every minute" },
	/* 督办: reminders on alerts and demands, and the 通报 (supervise.c) */
	{ HTTP_POST, "/api/v1/supervision", supervise_handle_issue, SIGNED_IN,
	  .perm = PERM_GROUPS_SUPERVISE, JSON_BODY(8 * 1024),
	  .summary = "issue a reminder (催办) on an alert or a demand" },
	{ HTTP_POST, "/api/v1/supervision/{id}/acknowledge", supervise_handle_acknowledge,
	  SIGNED_IN, .summary = "acknowledge a reminder, as who handles its item" },
	{ HTTP_GET, "/api/v1/supervision/notices", supervise_handle_notices, SIGNED_IN,
	  .summary = "the 通报 of a month: reminders unresolved at their deadline" },
	{ HTTP_POST, "/api/v1/supervision/notices/{id}/acknowledge",
	  supervise_handle_notice_acknowledge, SIGNED_IN,
	  .summary = "acknowledge a 通报, as who handles its item" },
	/* the statistics of demands (docs/patrol.md "Statistics"): a region in
	 * the caller's scope (stats_http.c) */
	{ HTTP_GET, "/api/v1/stats", stats_handle_get, SIGNED_IN, .perm = PERM_CASES_READ,
	  .summary = "the rates of demands of a region over a period, by village or town" },
	{ HTTP_GET, "/api/v1/stats/ranking", stats_handle_ranking, SIGNED_IN,
	  .perm = PERM_CASES_READ,
	  .summary = "the towns or villages of a region ranked by a rate, with a minimum sample" },
	{ HTTP_GET, "/api/v1/stats/export.csv", stats_handle_csv, SIGNED_IN,
	  .perm = PERM_CASES_READ, .summary = "the statistics as CSV with Chinese headers" },
	{ HTTP_GET, "/api/v1/stats/export.xlsx", stats_handle_xlsx, SIGNED_IN,
	  .perm = PERM_CASES_READ, .summary = "the statistics as an XLSX workbook" },
	/* the data-sharing exchange (docs/exchange.md): member agencies by
	 * their bound API keys, operators in their scope (exchange_http.c) */
	{ HTTP_POST, "/api/v1/exchange/datasets/{code}/batches/{batch}", exchange_handle_upload,
	  SIGNED_IN, .perm = PERM_EXCHANGE_MEMBER, BYTES_BODY(64u << 20),
	  .summary = "upload a signed batch of a dataset (CSV or JSON lines), all or nothing" },
	{ HTTP_GET, "/api/v1/exchange/subscriptions/{id}/rows", exchange_handle_pull, SIGNED_IN,
	  .perm = PERM_EXCHANGE_MEMBER,
	  .summary = "pull the granted fields of the batches after a cursor (JSON lines)" },
	{ HTTP_GET, "/api/v1/exchange/members", exchange_handle_members, SIGNED_IN,
	  .perm = PERM_EXCHANGE_ADMIN, .summary = "member agencies of the exchange and their keys" },
	{ HTTP_GET, "/api/v1/exchange/datasets", exchange_handle_datasets, SIGNED_IN,
	  .perm = PERM_EXCHANGE_ADMIN, .summary = "datasets with their schema and sharing class" },
	{ HTTP_GET, "/api/v1/exchange/batches", exchange_handle_batches, SIGNED_IN,
	  .perm = PERM_EXCHANGE_ADMIN, .summary = "batches received, with their hash and resends" },
	{ HTTP_GET, "/api/v1/exchange/subscriptions", exchange_handle_subscriptions, SIGNED_IN,
	  .perm = PERM_EXCHANGE_ADMIN, .summary = "subscriptions with their state and schedule" },
	{ HTTP_GET, "/api/v1/exchange/subscriptions/{id}/attempts", exchange_handle_attempts,
	  SIGNED_IN, .perm = PERM_EXCHANGE_ADMIN,
	  .summary = "the push attempts of a subscription, with their HTTP status" },
	{ HTTP_POST, "/api/v1/exchange/subscriptions/{id}/approve", exchange_handle_approve,
	  SIGNED_IN, .perm = PERM_EXCHANGE_ADMIN,
	  .summary = "approve a subscription of a 有条件 (conditional) dataset" },
	/* delivery tasks of entitlements and the outbox of SMS (docs/outbox.md):
	 * delivery officers in scope (delivery_http.c), supervisors read the
	 * outbox (outbox_http.c) */
	{ HTTP_GET, "/api/v1/deliveries", delivery_handle_list, SIGNED_IN,
	  .perm = PERM_DELIVERIES_HANDLE, .summary = "delivery tasks in scope, newest first, masked" },
	{ HTTP_GET, "/api/v1/deliveries/{id}", delivery_handle_get, SIGNED_IN,
	  .perm = PERM_DELIVERIES_HANDLE, .summary = "one delivery task with its timeline" },
	{ HTTP_GET, "/api/v1/deliveries/{id}/contact", delivery_handle_contact, SIGNED_IN,
	  .perm = PERM_DELIVERIES_HANDLE, .summary = "the person to deliver to (audited)" },
	{ HTTP_POST, "/api/v1/deliveries/{id}/actions/{action}", delivery_handle_act, SIGNED_IN,
	  JSON_BODY(16 * 1024), .perm = PERM_DELIVERIES_HANDLE,
	  .summary = "start, deliver (the receiver's words), fail or note a delivery task" },
	{ HTTP_GET, "/api/v1/outbox", outbox_handle_list, SIGNED_IN, .perm = PERM_ENTITLE_READ,
	  .summary = "SMS of the outbox in scope, newest first, phone masked" },
	{ HTTP_GET, "/api/v1/outbox/{id}/phone", outbox_handle_phone, SIGNED_IN,
	  .perm = PERM_PERSONAL_DATA, .summary = "the phone number of one SMS (audited)" },

	/* entitlements of 免申即享 (docs/entitle.md): agency operators run the
	 * programmes and record what officers hear, supervisors follow them, in
	 * their scope (entitle_http.c, entitlements.c) */
	{ HTTP_GET, "/api/v1/entitlements", entitle_handle_list, SIGNED_IN,
	  .perm = PERM_ENTITLE_READ, .summary = "entitlements of a region in id order, masked" },
	{ HTTP_GET, "/api/v1/entitlements/{id}", entitle_handle_get, SIGNED_IN,
	  .perm = PERM_ENTITLE_READ,
	  .summary = "one entitlement with its explanation and timeline, masked" },
	{ HTTP_GET, "/api/v1/entitlements/{id}/person", entitle_handle_person, SIGNED_IN,
	  .perm = PERM_PERSONAL_DATA,
	  .summary = "one entitlement with its person unmasked (audited, with a reason)" },
	{ HTTP_POST, "/api/v1/entitlements/{id}/objection", entitle_handle_objection, SIGNED_IN,
	  .perm = PERM_ENTITLE_MANAGE, JSON_BODY(16 * 1024),
	  .summary = "record an objection (异议) during the public notice" },
	{ HTTP_POST, "/api/v1/entitlements/{id}/review", entitle_handle_review, SIGNED_IN,
	  .perm = PERM_ENTITLE_MANAGE, JSON_BODY(16 * 1024),
	  .summary = "uphold or dismiss the objection to an entitlement" },
	{ HTTP_POST, "/api/v1/entitlements/{id}/consent", entitle_handle_consent, SIGNED_IN,
	  .perm = PERM_ENTITLE_MANAGE, JSON_BODY(16 * 1024),
	  .summary = "record the person's answer (意愿确认): accept or refuse" },
	{ HTTP_POST, "/api/v1/entitlements/{id}/appeal", entitle_handle_appeal, SIGNED_IN,
	  .perm = PERM_ENTITLE_MANAGE, JSON_BODY(16 * 1024),
	  .summary = "an appeal (申诉) against a refusal or revocation, raised as a demand" },
	{ HTTP_POST, "/api/v1/entitlements/runs", entitle_handle_run, SIGNED_IN,
	  .perm = PERM_ENTITLE_MANAGE, JSON_BODY(4096),
	  .summary = "run a programme at a date over the latest data of the exchange" },

	/* 一件事 bundles (docs/bundles.md): agency operators start and mark
	 * them in their scope, supervisors follow them (bundles_http.c) */
	{ HTTP_POST, "/api/v1/bundles", bundles_handle_start, SIGNED_IN,
	  .perm = PERM_ENTITLE_MANAGE, JSON_BODY(16 * 1024),
	  .summary = "start a life event's bundle of services (一件事) for a person" },
	{ HTTP_GET, "/api/v1/bundles", bundles_handle_list, SIGNED_IN, .perm = PERM_ENTITLE_READ,
	  .summary = "bundles of a region, newest first, person masked" },
	{ HTTP_GET, "/api/v1/bundles/{id}", bundles_handle_get, SIGNED_IN,
	  .perm = PERM_ENTITLE_READ, .summary = "one bundle with every service's state" },
	{ HTTP_GET, "/api/v1/bundles/{id}/person", bundles_handle_person, SIGNED_IN,
	  .perm = PERM_ENTITLE_READ, .summary = "a bundle with its person unmasked (audited)" },
	{ HTTP_POST, "/api/v1/bundles/{id}/services/{code}", bundles_handle_mark, SIGNED_IN,
	  .perm = PERM_ENTITLE_MANAGE, JSON_BODY(16 * 1024),
	  .summary = "mark a task service of a bundle done or refused" },

	{ HTTP_GET, "/api/v1/join/{code}", groups_handle_join_info, PUBLIC,
	  .summary = "the group a join link leads to" },
	{ HTTP_POST, "/api/v1/join/{code}", groups_handle_join, SIGNED_IN,
	  .summary = "join a group by its link" },
	{ HTTP_GET, "/api/v1/me/groups", groups_handle_my_groups, SIGNED_IN,
	  .summary = "the groups one belongs to" },

	/* running the deployment */
	{ HTTP_GET, "/api/v1/jobs", sched_handle_jobs, SIGNED_IN, .perm = PERM_OPERATE,
	  .summary = "scheduled jobs and their recent runs on every node" },

	/* Open311 GeoReport v2 (cases/open311_http.c): answers in the format of the
	 * path's suffix; the caller is the API key named by api_key (query, or
	 * form field), never a header, checked by the handlers; errors are
	 * Open311's (http_error_dialects below) */
	{ HTTP_GET, "/open311/v2/discovery.json", open311_handle_discovery, PUBLIC,
	  .summary = "Open311: where the GeoReport v2 API is and what it speaks (JSON)" },
	{ HTTP_GET, "/open311/v2/discovery.xml", open311_handle_discovery, PUBLIC,
	  .summary = "Open311: where the GeoReport v2 API is and what it speaks (XML)" },
	{ HTTP_GET, "/open311/v2/services.json", open311_handle_services, PUBLIC,
	  .summary = "Open311: the services (demand categories) (JSON)" },
	{ HTTP_GET, "/open311/v2/services.xml", open311_handle_services, PUBLIC,
	  .summary = "Open311: the services (demand categories) (XML)" },
	{ HTTP_GET, "/open311/v2/services/{service_code}", open311_handle_service, PUBLIC,
	  .summary = "Open311: the attributes of a service (code.json or code.xml)" },
	{ HTTP_POST, "/open311/v2/requests.json", open311_handle_post_request, PUBLIC,
	  FORM_BODY(64 * 1024), .summary = "Open311: raise a demand with an API key (JSON)" },
	{ HTTP_POST, "/open311/v2/requests.xml", open311_handle_post_request, PUBLIC,
	  FORM_BODY(64 * 1024), .summary = "Open311: raise a demand with an API key (XML)" },
	{ HTTP_GET, "/open311/v2/requests.json", open311_handle_requests, PUBLIC,
	  .summary = "Open311: demands in the key's scope, by window, status, service (JSON)" },
	{ HTTP_GET, "/open311/v2/requests.xml", open311_handle_requests, PUBLIC,
	  .summary = "Open311: demands in the key's scope, by window, status, service (XML)" },
	{ HTTP_GET, "/open311/v2/requests/{service_request_id}", open311_handle_request, PUBLIC,
	  .summary = "Open311: one demand (id.json or id.xml)" },
	{ HTTP_GET, "/open311/v2/tokens/{token}", open311_handle_token, PUBLIC,
	  .summary = "Open311: the request of a token (token.json or token.xml)" },
	{ HTTP_GET, "/open311/v2/servicerequestupdates.json", open311_handle_updates, PUBLIC,
	  .summary = "Open311 (FixMyStreet): what changed on demands in a window (JSON)" },
	{ HTTP_GET, "/open311/v2/servicerequestupdates.xml", open311_handle_updates, PUBLIC,
	  .summary = "Open311 (FixMyStreet): what changed on demands in a window (XML)" },

	/* the audit trail */
	{ HTTP_GET, "/api/v1/audit", audit_handle_list, SIGNED_IN, .perm = PERM_AUDIT_READ,
	  .summary = "the history of one object" },
};
const size_t http_routes_count = sizeof(http_routes) / sizeof(http_routes[0]);

const struct http_error_dialect http_error_dialects[] = {
	{ "/open311/", open311_reply_error },
};
const size_t http_error_dialects_count =
	sizeof(http_error_dialects) / sizeof(http_error_dialects[0]);

bool http_method_parse(const char *s, enum http_method *out)
{
	for (int i = 0; i < HTTP_METHOD__MAX; i++) {
		if (strcmp(s, http_method_names[i]) == 0) {
			*out = (enum http_method)i;
			return true;
		}
	}
	return false;
}

/*
 * Match path against pattern; on success record the {name} segments in req.
 * Segments never contain '/', and a parameter never matches an empty segment.
 */
static bool path_match(struct http_req *req, const char *pattern, const char *path)
{
	int nparams = 0;
	const char *p = pattern, *s = path;
	while (*p && *s) {
		if (*p == '{') {
			const char *pe = strchr(p, '}');
			const char *se = strchr(s, '/');
			if (!se)
				se = s + strlen(s);
			if (se == s || nparams == HTTP_MAX_PARAMS)
				return false;
			if (req) {
				req->param_names[nparams] = arena_strndup(&req->arena, p + 1,
									  (size_t)(pe - p - 1));
				req->param_values[nparams] = arena_strndup(&req->arena, s,
									   (size_t)(se - s));
			}
			nparams++;
			p = pe + 1;
			s = se;
			continue;
		}
		if (*p != *s)
			return false;
		p++;
		s++;
	}
	if (*p || *s)
		return false;
	if (req)
		req->nparams = nparams;
	return true;
}

/* Number of {name} segments in a pattern. */
static int pattern_params(const char *pattern)
{
	int n = 0;
	for (; *pattern; pattern++)
		n += *pattern == '{';
	return n;
}

/*
 * The route for (method, path), with its parameters recorded in req. Among
 * patterns matching the path, those with the fewest parameters win, so that
 * "/regions/lookup" is never taken for "/regions/{code}". When the path
 * exists but not for this method, returns NULL and sets *allow to the
 * methods that do exist (arena string); otherwise *allow stays NULL.
 * HEAD is answered by the GET route.
 */
const struct http_route *http_route_match(struct http_req *req, const char *path,
					  enum http_method method, const char **allow)
{
	enum http_method want = method == HTTP_HEAD ? HTTP_GET : method;
	*allow = NULL;
	int best = 1 << 20;
	for (size_t i = 0; i < http_routes_count; i++)
		if (path_match(NULL, http_routes[i].path, path) &&
		    pattern_params(http_routes[i].path) < best)
			best = pattern_params(http_routes[i].path);
	struct strbuf methods = STRBUF_INIT;
	const struct http_route *found = NULL;
	for (size_t i = 0; i < http_routes_count && !found; i++) {
		const struct http_route *r = &http_routes[i];
		if (pattern_params(r->path) != best || !path_match(NULL, r->path, path))
			continue;
		if (r->method == want) {
			found = r;
			break;
		}
		if (methods.len)
			strbuf_addstr(&methods, ", ");
		strbuf_addstr(&methods, http_method_names[r->method]);
		if (r->method == HTTP_GET)
			strbuf_addstr(&methods, ", HEAD");
	}
	if (found)
		path_match(req, found->path, path);
	else if (methods.len)
		*allow = arena_strndup(&req->arena, methods.buf, methods.len);
	strbuf_release(&methods);
	return found;
}
