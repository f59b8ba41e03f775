/*
 * openapi.c - serves the API document compiled into the binary from
 * docs/openapi.json, so the document always matches the binary.
 */
#include "http/http_int.h"

#include <string.h>

void http_handle_openapi(struct http_req *req)
{
	for (size_t i = 0; i < http_embedded_docs_count; i++) {
		if (strcmp(http_embedded_docs[i].name, "openapi.json") == 0) {
			req->cache_control = "public, max-age=300";
			http_reply_data(req, 200, "application/json; charset=utf-8",
					http_embedded_docs[i].data, http_embedded_docs[i].len);
			return;
		}
	}
	http_reply_fail(req, APP_ENOTFOUND, NULL, "this build carries no API document");
}
