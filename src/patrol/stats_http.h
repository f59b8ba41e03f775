/*
 * stats_http.h - HTTP handlers of the statistics of demands: the figures,
 * the rankings and the CSV and XLSX exports; routes in src/http/routes.c,
 * the API in docs/api.md, the definitions in docs/patrol.md.
 */
#ifndef PATROL_STATS_HTTP_H
#define PATROL_STATS_HTTP_H

struct http_req;

void stats_handle_get(struct http_req *req);
void stats_handle_ranking(struct http_req *req);
void stats_handle_csv(struct http_req *req);
void stats_handle_xlsx(struct http_req *req);

#endif
