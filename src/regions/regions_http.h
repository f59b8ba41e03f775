/*
 * regions_http.h - the divisions registry's HTTP handlers (declared in the
 * route table, src/http/routes.c).
 */
#ifndef REGIONS_REGIONS_HTTP_H
#define REGIONS_REGIONS_HTTP_H

struct http_req;

/* GET /api/v1/regions?q=&within=&level=&limit= */
void regions_handle_search(struct http_req *req);
/* POST /api/v1/regions/lookup {"codes":[...]} */
void regions_handle_lookup(struct http_req *req);
/* GET /api/v1/regions/{code} */
void regions_handle_get(struct http_req *req);
/* GET /api/v1/regions/{code}/tree?depth= */
void regions_handle_tree(struct http_req *req);

#endif
