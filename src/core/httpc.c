/*
 * httpc.c - POSTs over HTTP(S) with libcurl, and which endpoints may be
 * used; see httpc.h.
 */
#include "core/httpc.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define HTTPC_TIMEOUT_S 60 /* a whole request */
#define HTTPC_CONNECT_S 10

bool httpc_url_ok(const char *url, size_t max)
{
	size_t n = strlen(url);
	if (n >= max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)url[i] <= ' ' || url[i] == 0x7f)
			return false;
	if (strncmp(url, "https://", 8) == 0)
		return n > 8;
	/* plain http carries personal fields in clear: to this machine only (a
	 * local relay). The host must be followed by an all-digit port, a path
	 * or the end: "http://localhost:1@elsewhere/" names another host (the
	 * part before '@' is user information), so it is refused. */
	static const char *const local[] = { "http://127.0.0.1", "http://localhost", "http://[::1]" };
	for (size_t i = 0; i < sizeof(local) / sizeof(local[0]); i++) {
		size_t k = strlen(local[i]);
		if (strncmp(url, local[i], k) != 0)
			continue;
		const char *p = url + k;
		if (*p == ':') {
			const char *port = ++p;
			while (*p >= '0' && *p <= '9')
				p++;
			if (p == port)
				return false;
		}
		return *p == '/' || *p == '\0';
	}
	return false;
}

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_start(void) { curl_global_init(CURL_GLOBAL_DEFAULT); }

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
	(void)p;
	(void)ctx;
	return size * n;
}

void httpc_post(const char *url, const char *content_type, const char *const *headers,
		int nheaders, const char *body, size_t len, int *status, char *detail, size_t cap)
{
	pthread_once(&curl_once, curl_start);
	*status = 0;
	CURL *h = curl_easy_init();
	if (!h) {
		snprintf(detail, cap, "cannot start an HTTP client");
		return;
	}
	char ctype[128];
	snprintf(ctype, sizeof(ctype), "Content-Type: %s", content_type);
	struct curl_slist *hs = curl_slist_append(NULL, ctype);
	for (int i = 0; i < nheaders; i++)
		hs = curl_slist_append(hs, headers[i]);
	hs = curl_slist_append(hs, "Expect:");
	char errbuf[CURL_ERROR_SIZE] = "";
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)HTTPC_TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)HTTPC_CONNECT_S);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hs);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
	CURLcode cc = curl_easy_perform(h);
	if (cc == CURLE_OK) {
		long code = 0;
		curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
		*status = (int)code;
		snprintf(detail, cap, "HTTP %ld", code);
	} else {
		snprintf(detail, cap, "no answer: %.200s", errbuf[0] ? errbuf : curl_easy_strerror(cc));
	}
	curl_slist_free_all(hs);
	curl_easy_cleanup(h);
}
