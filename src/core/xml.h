/*
 * xml.h - writing small XML documents: nested elements holding text, the
 * text escaped, and nothing else (no attributes, namespaces or comments:
 * what the protocols we answer in XML need, Open311 first).
 *
 * Text is taken as UTF-8. What XML 1.0 cannot carry at all (control
 * characters other than tab, line feed and carriage return; U+FFFE and
 * U+FFFF; bytes that are not UTF-8) becomes U+FFFD, and a carriage return
 * is written as a character reference so that parsers keep it: whatever
 * the text, the document is well-formed and reads back as the text.
 * Element names are the caller's own constants, never input, and are
 * written as given.
 */
#ifndef CORE_XML_H
#define CORE_XML_H

#include "core/strbuf.h"

#define XML_DEPTH_MAX 16

struct xml_writer {
	struct strbuf *out;
	int depth;
	const char *open[XML_DEPTH_MAX]; /* names of the elements open */
};

/* Start a document at the end of out with the XML declaration (UTF-8). */
void xml_begin(struct xml_writer *w, struct strbuf *out);
/* Open element name (at most XML_DEPTH_MAX deep). */
void xml_open(struct xml_writer *w, const char *name);
/* Close the element opened last. */
void xml_close(struct xml_writer *w);
/* An element holding text: <name>text</name>, or <name/> for NULL or "". */
void xml_text(struct xml_writer *w, const char *name, const char *text);
/* Close every element still open and end the document with a newline. */
void xml_end(struct xml_writer *w);

/* Append text (NULL: nothing) to out escaped as element content. */
void xml_escape(struct strbuf *out, const char *text);

#endif
