/*
 * qr.c - QR codes of join links as SVG and PNG; see qr.h.
 *
 * libqrencode makes the module matrix; this file only draws it. The PNG is
 * written by hand (signature, IHDR, one IDAT, IEND) because a 1-bit
 * greyscale image of squares needs nothing more than zlib, which we already
 * link. Neither format embeds the text, so nothing here needs escaping.
 */
#include "groups/qr.h"

#include "core/mem.h"
#include "core/utf8.h"

#include <errno.h>
#include <qrencode.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* The matrix of text, or an error; the caller frees it with QRcode_free(). */
static enum app_err qr_encode(const char *text, QRcode **out, struct app_error *err)
{
	size_t n = text ? strnlen(text, QR_TEXT_MAX + 1) : 0;
	if (n == 0)
		return app_fail(err, APP_EINVAL, "cannot make a qr code of an empty text");
	if (n > QR_TEXT_MAX)
		return app_fail(err, APP_EINVAL, "cannot make a qr code of a text over %d bytes",
				QR_TEXT_MAX);
	if (!utf8_valid(text, n))
		return app_fail(err, APP_EINVAL, "cannot make a qr code of a text that is not utf-8");

	/*
	 * The 8bit entry point, not QRcode_encodeString(..., QR_MODE_8, ...):
	 * that one still splits digit and upper-case runs into their own modes.
	 * One 8-bit segment is what readers handle best with UTF-8 links.
	 */
	errno = 0;
	QRcode *qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
	if (!qr) {
		int e = errno ? errno : EINVAL;
		return app_fail(err, APP_EINTERNAL, "cannot make a qr code: libqrencode: %s",
				strerror(e));
	}
	*out = qr;
	return APP_OK;
}

static int qr_dark(const QRcode *qr, int x, int y)
{
	return qr->data[(size_t)y * (size_t)qr->width + (size_t)x] & 1;
}

enum app_err qr_svg(const char *text, struct strbuf *out, struct app_error *err)
{
	QRcode *qr;
	enum app_err rc = qr_encode(text, &qr, err);
	if (rc)
		return rc;

	int n = qr->width, dim = n + 2 * QR_QUIET;
	strbuf_addf(out,
		    "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
		    "shape-rendering=\"crispEdges\">"
		    "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
		    dim, dim, dim, dim);
	/* One 1-module-high rectangle per horizontal run of dark modules. */
	for (int y = 0; y < n; y++) {
		for (int x = 0; x < n;) {
			if (!qr_dark(qr, x, y)) {
				x++;
				continue;
			}
			int run = 1;
			while (x + run < n && qr_dark(qr, x + run, y))
				run++;
			strbuf_addf(out, "M%d %dh%dv1h-%dz", x + QR_QUIET, y + QR_QUIET, run, run);
			x += run;
		}
	}
	strbuf_addstr(out, "\"/></svg>\n");
	QRcode_free(qr);
	return APP_OK;
}

static void qr_put_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

/* Append one PNG chunk: length, type, data, CRC-32 of type and data. */
static void qr_png_chunk(struct strbuf *out, const char type[4], const unsigned char *data,
			 size_t len)
{
	unsigned char b[8];
	qr_put_be32(b, (uint32_t)len);
	memcpy(b + 4, type, 4);
	strbuf_add(out, b, sizeof(b));
	uLong crc = crc32(0L, (const Bytef *)type, 4);
	if (len) {
		strbuf_add(out, data, len);
		crc = crc32_z(crc, data, len);
	}
	qr_put_be32(b, (uint32_t)crc);
	strbuf_add(out, b, 4);
}

enum app_err qr_png(const char *text, int module_px, struct strbuf *out,
		    struct app_error *err)
{
	if (module_px < QR_MODULE_PX_MIN || module_px > QR_MODULE_PX_MAX)
		return app_fail(err, APP_EINVAL, "qr code module size %d px is not in %d..%d",
				module_px, QR_MODULE_PX_MIN, QR_MODULE_PX_MAX);
	QRcode *qr;
	enum app_err rc = qr_encode(text, &qr, err);
	if (rc)
		return rc;

	/*
	 * At most (177 + 8) * 16 = 2960 pixels a side, about 1.1 MB of
	 * scanlines: no overflow is possible. Each scanline is a filter byte
	 * (0, none) and the pixels at 1 bit each, 1 = white, unused bits 0.
	 */
	int n = qr->width;
	size_t side = (size_t)(n + 2 * QR_QUIET) * (size_t)module_px;
	size_t row_len = 1 + (side + 7) / 8;
	size_t raw_len = row_len * side;
	unsigned char *raw = xcalloc(side, row_len);
	for (size_t y = 0; y < side; y += (size_t)module_px) {
		unsigned char *row = raw + y * row_len;
		int my = (int)(y / (size_t)module_px) - QR_QUIET;
		for (size_t x = 0; x < side; x++) {
			int mx = (int)(x / (size_t)module_px) - QR_QUIET;
			int dark = my >= 0 && my < n && mx >= 0 && mx < n && qr_dark(qr, mx, my);
			if (!dark)
				row[1 + x / 8] |= (unsigned char)(0x80u >> (x % 8));
		}
		for (int k = 1; k < module_px; k++)
			memcpy(row + (size_t)k * row_len, row, row_len);
	}
	QRcode_free(qr);

	uLongf z_len = compressBound((uLong)raw_len);
	unsigned char *z = xmalloc(z_len);
	int zrc = compress2(z, &z_len, raw, (uLong)raw_len, Z_BEST_COMPRESSION);
	free(raw);
	if (zrc != Z_OK) {
		free(z);
		return app_fail(err, APP_EINTERNAL, "cannot compress a qr code png: zlib error %d",
				zrc);
	}

	static const unsigned char signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	unsigned char ihdr[13];
	qr_put_be32(ihdr, (uint32_t)side);     /* width */
	qr_put_be32(ihdr + 4, (uint32_t)side); /* height */
	ihdr[8] = 1;                           /* bit depth */
	ihdr[9] = 0;                           /* colour type: greyscale */
	ihdr[10] = 0;                          /* compression: deflate */
	ihdr[11] = 0;                          /* filter method: adaptive */
	ihdr[12] = 0;                          /* no interlace */
	strbuf_grow(out, sizeof(signature) + 25 + 12 + z_len + 12);
	strbuf_add(out, signature, sizeof(signature));
	qr_png_chunk(out, "IHDR", ihdr, sizeof(ihdr));
	qr_png_chunk(out, "IDAT", z, z_len);
	qr_png_chunk(out, "IEND", NULL, 0);
	free(z);
	return APP_OK;
}
