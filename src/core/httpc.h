/*
 * httpc.h - the one HTTP client of bianmin (libcurl): a POST to an
 * operator-configured endpoint, with the rule of which endpoints may be
 * used. Shared by the exchange's pushes (exchange/push.c) and the SMS
 * gateway of the outbox (entitle/outbox.c). No retries here: callers
 * record each attempt and decide when to try again.
 */
#ifndef CORE_HTTPC_H
#define CORE_HTTPC_H

#include <stdbool.h>
#include <stddef.h>

/* Whether url may receive personal data: an https:// address, or plain
 * http:// to this machine only (127.0.0.1, localhost, [::1]: a local
 * relay); no spaces or control characters, shorter than max bytes. */
bool httpc_url_ok(const char *url, size_t max);

/*
 * POST body (len bytes, of content_type) to url with the extra header
 * lines headers[0..nheaders) ("Name: value"), within a minute. *status gets
 * the HTTP status, 0 when no answer came; detail (cap bytes) says what
 * happened in words ("HTTP 503", "no answer: ..."). The answer's body is
 * dropped.
 */
void httpc_post(const char *url, const char *content_type, const char *const *headers,
		int nheaders, const char *body, size_t len, int *status, char *detail, size_t cap);

#endif
