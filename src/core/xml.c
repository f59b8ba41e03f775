/*
 * xml.c - the XML writer; see xml.h. Escaping walks the text one UTF-8
 * sequence at a time so that a sequence is either copied whole or
 * replaced whole.
 */
#include "core/xml.h"
#include "core/utf8.h"

#include <assert.h>
#include <string.h>

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

/* Bytes of the UTF-8 sequence that lead byte c starts, 0 when none does. */
static size_t sequence_length(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		return 2;
	if (c >= 0xE0 && c <= 0xEF)
		return 3;
	if (c >= 0xF0 && c <= 0xF4)
		return 4;
	return 0;
}

void xml_escape(struct strbuf *out, const char *text)
{
	const unsigned char *s = (const unsigned char *)(text ? text : "");
	size_t n = strlen((const char *)s);
	for (size_t i = 0; i < n;) {
		unsigned char c = s[i];
		if (c < 0x80) {
			switch (c) {
			case '&': strbuf_addstr(out, "&amp;"); break;
			case '<': strbuf_addstr(out, "&lt;"); break;
			case '>': strbuf_addstr(out, "&gt;"); break;
			case '"': strbuf_addstr(out, "&quot;"); break;
			case '\'': strbuf_addstr(out, "&apos;"); break;
			case '\r': strbuf_addstr(out, "&#13;"); break;
			case '\t':
			case '\n': strbuf_addch(out, (char)c); break;
			default:
				if (c < 0x20)
					strbuf_addstr(out, REPLACEMENT);
				else
					strbuf_addch(out, (char)c);
			}
			i++;
			continue;
		}
		size_t len = sequence_length(c);
		if (!len || len > n - i || !utf8_valid((const char *)s + i, len)) {
			strbuf_addstr(out, REPLACEMENT); /* one byte that is no character */
			i++;
			continue;
		}
		/* U+FFFE and U+FFFF are no XML characters */
		if (len == 3 && c == 0xEF && s[i + 1] == 0xBF && s[i + 2] >= 0xBE)
			strbuf_addstr(out, REPLACEMENT);
		else
			strbuf_add(out, s + i, len);
		i += len;
	}
}

void xml_begin(struct xml_writer *w, struct strbuf *out)
{
	w->out = out;
	w->depth = 0;
	strbuf_addstr(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
}

void xml_open(struct xml_writer *w, const char *name)
{
	assert(w->depth < XML_DEPTH_MAX);
	w->open[w->depth++] = name;
	strbuf_addf(w->out, "<%s>", name);
}

void xml_close(struct xml_writer *w)
{
	assert(w->depth > 0);
	strbuf_addf(w->out, "</%s>", w->open[--w->depth]);
}

void xml_text(struct xml_writer *w, const char *name, const char *text)
{
	if (!text || !*text) {
		strbuf_addf(w->out, "<%s/>", name);
		return;
	}
	strbuf_addf(w->out, "<%s>", name);
	xml_escape(w->out, text);
	strbuf_addf(w->out, "</%s>", name);
}

void xml_end(struct xml_writer *w)
{
	while (w->depth > 0)
		xml_close(w);
	strbuf_addch(w->out, '\n');
}
