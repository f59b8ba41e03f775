/*
 * test_qr.c - unit tests of src/groups/qr, the QR codes of group join links.
 *
 * Both images are read back independently of the code that wrote them and
 * compared, module by module and quiet zone included, with the matrix
 * libqrencode gives for the same text (level M, one 8-bit segment): the PNG
 * chunk by chunk (signature, CRCs, IHDR, IDAT inflated to the exact scanline
 * bytes, every pixel), the SVG by parsing its path back into modules. Then
 * the input limits: empty, oversize and ill-formed text, module size.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "groups/qr.h"
#include "testutil.h"

#include <qrencode.h>
#include <zlib.h>

static const char *const texts[] = {
	"x",
	"https://bianmin.example/groups/join/Hq7dK2mZ",
	"https://便民.example/加入?村=东风村&组=3",
	"HTTPS://BIANMIN.EXAMPLE/G/1234567890123456789012345678901234567890",
};

/* The reference matrix, made as qr.c promises to make it. */
static QRcode *reference(const char *text)
{
	QRcode *qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
	assert_non_null(qr);
	return qr;
}

/* Dark module at (x, y) of the picture, counted with the quiet zone. */
static int ref_dark(const QRcode *qr, int x, int y)
{
	x -= QR_QUIET;
	y -= QR_QUIET;
	if (x < 0 || y < 0 || x >= qr->width || y >= qr->width)
		return 0;
	return qr->data[y * qr->width + x] & 1;
}

static char *long_text(size_t n)
{
	char *s = malloc(n + 1);
	assert_non_null(s);
	for (size_t i = 0; i < n; i++)
		s[i] = (char)('a' + i % 26);
	s[n] = '\0';
	return s;
}

/* ---- PNG ---- */

static uint32_t be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

struct png {
	uint32_t width, height;
	unsigned depth, colour, compression, filter, interlace;
	unsigned char *idat; /* concatenated IDAT data */
	size_t idat_len;
};

/* Walk the chunks: each CRC right, IHDR first, IEND last and empty. */
static void png_parse(const unsigned char *p, size_t len, struct png *png)
{
	static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	memset(png, 0, sizeof(*png));
	assert_true(len >= 8);
	assert_memory_equal(p, sig, 8);
	size_t off = 8;
	int chunks = 0, ended = 0;
	while (off < len) {
		assert_false(ended); /* nothing after IEND */
		assert_true(len - off >= 12);
		uint32_t n = be32(p + off);
		assert_true(len - off - 12 >= n);
		const unsigned char *type = p + off + 4, *data = p + off + 8;
		uLong crc = crc32(crc32(0L, Z_NULL, 0), type, 4);
		crc = crc32(crc, data, n);
		if (be32(data + n) != (uint32_t)crc)
			fail_msg("bad CRC in chunk %.4s", (const char *)type);
		if (chunks == 0)
			assert_memory_equal(type, "IHDR", 4);
		if (memcmp(type, "IHDR", 4) == 0) {
			assert_int_equal(chunks, 0);
			assert_int_equal(n, 13);
			png->width = be32(data);
			png->height = be32(data + 4);
			png->depth = data[8];
			png->colour = data[9];
			png->compression = data[10];
			png->filter = data[11];
			png->interlace = data[12];
		} else if (memcmp(type, "IDAT", 4) == 0) {
			png->idat = realloc(png->idat, png->idat_len + n + 1);
			assert_non_null(png->idat);
			memcpy(png->idat + png->idat_len, data, n);
			png->idat_len += n;
		} else if (memcmp(type, "IEND", 4) == 0) {
			assert_int_equal(n, 0);
			ended = 1;
		} else {
			fail_msg("unexpected chunk %.4s", (const char *)type);
		}
		off += 12 + (size_t)n;
		chunks++;
	}
	assert_true(ended);
	assert_non_null(png->idat);
}

static void check_png(const char *text, int px)
{
	struct strbuf out = STRBUF_INIT;
	struct app_error err = { 0 };
	assert_int_equal(qr_png(text, px, &out, &err), APP_OK);

	QRcode *qr = reference(text);
	struct png png;
	png_parse((const unsigned char *)out.buf, out.len, &png);
	uint32_t side = (uint32_t)(qr->width + 8) * (uint32_t)px;
	assert_int_equal(png.width, side);
	assert_int_equal(png.height, side);
	assert_int_equal(png.depth, 1);
	assert_int_equal(png.colour, 0);
	assert_int_equal(png.compression, 0);
	assert_int_equal(png.filter, 0);
	assert_int_equal(png.interlace, 0);

	/* The scanlines as they must be: filter 0, 1 bit a pixel, 1 = white, padding 0. */
	size_t row = 1 + (side + 7) / 8;
	size_t want_len = row * side;
	unsigned char *want = calloc(side, row);
	assert_non_null(want);
	for (uint32_t y = 0; y < side; y++)
		for (uint32_t x = 0; x < side; x++)
			if (!ref_dark(qr, (int)(x / (uint32_t)px), (int)(y / (uint32_t)px)))
				want[y * row + 1 + x / 8] |= (unsigned char)(0x80 >> (x % 8));

	/* Room for more than expected, so that a longer stream shows. */
	uLongf got_len = (uLongf)want_len + 64;
	unsigned char *got = malloc(got_len);
	assert_non_null(got);
	assert_int_equal(uncompress(got, &got_len, png.idat, (uLong)png.idat_len), Z_OK);
	assert_int_equal(got_len, want_len);
	assert_memory_equal(got, want, want_len);

	/* And read as an image: each pixel the colour of its module. */
	for (uint32_t y = 0; y < side; y++) {
		assert_int_equal(got[y * row], 0);
		for (uint32_t x = 0; x < side; x++) {
			int white = (got[y * row + 1 + x / 8] >> (7 - x % 8)) & 1;
			int dark = ref_dark(qr, (int)(x / (uint32_t)px), (int)(y / (uint32_t)px));
			if (white == dark)
				fail_msg("pixel (%u, %u) of '%s' at %d px is %s", x, y, text, px,
					 white ? "white" : "black");
		}
	}
	free(got);
	free(want);
	free(png.idat);
	QRcode_free(qr);
	strbuf_release(&out);
}

static void test_png(void **state)
{
	(void)state;
	static const int sizes[] = { 1, 3, 8, 16 };
	for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++)
		for (size_t s = 0; s < sizeof(sizes) / sizeof(sizes[0]); s++)
			check_png(texts[t], sizes[s]);
}

static void test_png_largest(void **state)
{
	(void)state;
	char *s = long_text(QR_TEXT_MAX);
	check_png(s, 1);
	check_png(s, QR_MODULE_PX_MAX);
	free(s);
}

static void test_png_appends(void **state)
{
	(void)state;
	struct strbuf out = STRBUF_INIT, alone = STRBUF_INIT;
	strbuf_addstr(&out, "before");
	assert_int_equal(qr_png(texts[1], 2, &out, NULL), APP_OK);
	assert_int_equal(qr_png(texts[1], 2, &alone, NULL), APP_OK);
	assert_int_equal(out.len, 6 + alone.len);
	assert_memory_equal(out.buf, "before", 6);
	assert_memory_equal(out.buf + 6, alone.buf, alone.len);
	strbuf_release(&out);
	strbuf_release(&alone);
}

/* ---- SVG ---- */

static long number(const char **p)
{
	char *end;
	long v = strtol(*p, &end, 10);
	if (end == *p)
		fail_msg("number expected at '%.20s'", *p);
	*p = end;
	return v;
}

static void expect(const char **p, const char *s)
{
	size_t n = strlen(s);
	if (strncmp(*p, s, n) != 0)
		fail_msg("'%s' expected at '%.20s'", s, *p);
	*p += n;
}

static void check_svg(const char *text)
{
	struct strbuf out = STRBUF_INIT;
	struct app_error err = { 0 };
	assert_int_equal(qr_svg(text, &out, &err), APP_OK);
	assert_int_equal(strlen(out.buf), out.len);

	QRcode *qr = reference(text);
	int dim = qr->width + 8;
	char want[160];
	assert_true(strncmp(out.buf, "<svg xmlns=\"http://www.w3.org/2000/svg\"", 39) == 0);
	snprintf(want, sizeof(want), "viewBox=\"0 0 %d %d\"", dim, dim);
	assert_non_null(strstr(out.buf, want));
	assert_non_null(strstr(out.buf, "shape-rendering=\"crispEdges\""));
	snprintf(want, sizeof(want), "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>", dim, dim);
	assert_non_null(strstr(out.buf, want));
	assert_true(out.len > 7 && strcmp(out.buf + out.len - 7, "</svg>\n") == 0);

	/* Exactly one path, after the background; parse it back into modules. */
	const char *path = strstr(out.buf, "<path");
	assert_non_null(path);
	assert_null(strstr(path + 1, "<path"));
	assert_true(path > strstr(out.buf, "<rect"));
	const char *p = strstr(path, " d=\"");
	assert_non_null(p);
	p += 4;
	unsigned char *drawn = calloc((size_t)dim * (size_t)dim, 1);
	assert_non_null(drawn);
	long count = 0;
	while (*p != '"') {
		expect(&p, "M");
		long x = number(&p);
		expect(&p, " ");
		long y = number(&p);
		expect(&p, "h");
		long w = number(&p);
		expect(&p, "v1h-");
		long back = number(&p);
		expect(&p, "z");
		assert_int_equal(back, w);
		assert_true(w >= 1 && x >= 0 && y >= 0 && x + w <= dim && y < dim);
		for (long i = x; i < x + w; i++) {
			if (drawn[y * dim + i])
				fail_msg("module (%ld, %ld) drawn twice", i, y);
			drawn[y * dim + i] = 1;
			count++;
		}
	}
	expect(&p, "\"/></svg>\n");

	long dark = 0;
	for (int y = 0; y < dim; y++)
		for (int x = 0; x < dim; x++) {
			dark += ref_dark(qr, x, y);
			if (drawn[y * dim + x] != ref_dark(qr, x, y))
				fail_msg("module (%d, %d) of '%s' is %s", x, y, text,
					 drawn[y * dim + x] ? "drawn dark" : "missing");
		}
	assert_int_equal(count, dark);
	assert_true(dark > 0);
	free(drawn);
	QRcode_free(qr);
	strbuf_release(&out);
}

static void test_svg(void **state)
{
	(void)state;
	for (size_t t = 0; t < sizeof(texts) / sizeof(texts[0]); t++)
		check_svg(texts[t]);
	char *s = long_text(QR_TEXT_MAX);
	check_svg(s);
	free(s);
}

/* ---- limits ---- */

static void expect_einval(enum app_err rc, const struct app_error *err, const struct strbuf *out)
{
	assert_int_equal(rc, APP_EINVAL);
	assert_int_equal(err->code, APP_EINVAL);
	assert_true(strlen(err->msg) > 0);
	assert_string_equal(out->buf, "keep"); /* untouched on error */
}

static void test_errors(void **state)
{
	(void)state;
	struct strbuf out = STRBUF_INIT;
	struct app_error err;
	strbuf_addstr(&out, "keep");
	char *over = long_text(QR_TEXT_MAX + 1);
	const char *bad[] = { "", over, "https://x.example/\xff", "caf\xc3" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		app_error_clear(&err);
		expect_einval(qr_svg(bad[i], &out, &err), &err, &out);
		app_error_clear(&err);
		expect_einval(qr_png(bad[i], 4, &out, &err), &err, &out);
	}
	app_error_clear(&err);
	expect_einval(qr_svg(NULL, &out, &err), &err, &out);
	app_error_clear(&err);
	qr_svg("", &out, &err);
	assert_non_null(strstr(err.msg, "empty"));
	app_error_clear(&err);
	qr_svg(over, &out, &err);
	assert_non_null(strstr(err.msg, "1024 bytes"));

	static const int px[] = { 0, -1, QR_MODULE_PX_MAX + 1, 1000 };
	for (size_t i = 0; i < sizeof(px) / sizeof(px[0]); i++) {
		app_error_clear(&err);
		expect_einval(qr_png(texts[1], px[i], &out, &err), &err, &out);
		assert_non_null(strstr(err.msg, "module size"));
	}
	/* NULL err is allowed */
	assert_int_equal(qr_png(texts[1], 0, &out, NULL), APP_EINVAL);
	assert_int_equal(qr_svg("", &out, NULL), APP_EINVAL);
	free(over);
	strbuf_release(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_png),
		cmocka_unit_test(test_png_largest),
		cmocka_unit_test(test_png_appends),
		cmocka_unit_test(test_svg),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests_name("qr", tests, NULL, NULL);
}
