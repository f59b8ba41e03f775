/*
 * qr.h - QR codes of short texts (a group's join link) as SVG or PNG.
 *
 * The symbol is made by libqrencode at error correction level M, the whole
 * text in 8-bit mode (so any UTF-8 URL encodes as its bytes), the smallest
 * version that fits, and is drawn with the quiet zone of 4 modules the
 * standard asks for. The images are built here: the SVG as one path, the PNG
 * by hand with zlib, so nothing else is needed. Pure functions of the text:
 * no I/O, no state, safe from any thread.
 */
#ifndef GROUPS_QR_H
#define GROUPS_QR_H

#include "core/err.h"
#include "core/strbuf.h"

/* Longest text accepted, in bytes. */
#define QR_TEXT_MAX 1024
/* Modules of white border on every side. */
#define QR_QUIET 4
/* Range of PNG pixels per module. */
#define QR_MODULE_PX_MIN 1
#define QR_MODULE_PX_MAX 16

/*
 * Append to out an SVG document of the QR code of text (a NUL-terminated
 * UTF-8 string of 1..QR_TEXT_MAX bytes). The viewBox is in modules, quiet
 * zone included, and there is no width or height, so the picture scales to
 * whatever box it is put in. Errors: APP_EINVAL for empty, oversize or
 * ill-formed text; APP_EINTERNAL when libqrencode fails. out is left
 * unchanged on error.
 */
enum app_err qr_svg(const char *text, struct strbuf *out, struct app_error *err);

/*
 * Append to out a PNG (1-bit greyscale, dark modules black) of the QR code of
 * text, with module_px pixels per module (QR_MODULE_PX_MIN..MAX): the image
 * is (modules + 2 * QR_QUIET) * module_px pixels square. Errors: those of
 * qr_svg, APP_EINVAL for module_px out of range, APP_EINTERNAL when zlib
 * fails. out is left unchanged on error.
 */
enum app_err qr_png(const char *text, int module_px, struct strbuf *out,
		    struct app_error *err);

#endif
