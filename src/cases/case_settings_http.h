/*
 * case_settings_http.h - HTTP handlers of what a county configures for its
 * demands (case_settings.h): its settings and its category tree, to read.
 * Changing them is the CLI's (`bianmin demands settings|categories`).
 * Routes in src/http/routes.c, the API in docs/api.md.
 */
#ifndef CASES_CASE_SETTINGS_HTTP_H
#define CASES_CASE_SETTINGS_HTTP_H

struct http_req;

void case_settings_handle_get(struct http_req *req);
void case_settings_handle_categories(struct http_req *req);

#endif
