/*
 * images.c - storing and finding images on disk; see images.h. What the
 * bytes are is decided by their first bytes (the formats' signatures).
 */
#include "groups/images.h"
#include "core/clock.h"
#include "core/strbuf.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
	unsigned kind;
	const char *name, *mime;
} kinds_known[] = {
	{ IMAGES_PNG, "PNG", "image/png" },
	{ IMAGES_JPEG, "JPEG", "image/jpeg" },
	{ IMAGES_GIF, "GIF", "image/gif" },
	{ IMAGES_WEBP, "WebP", "image/webp" },
};
enum { KINDS_KNOWN = sizeof(kinds_known) / sizeof(kinds_known[0]) };

/* The kind of image data is by its signature, 0 when none we know. */
static unsigned kind_of(const void *data, size_t len)
{
	const unsigned char *b = data;
	if (len >= 8 && memcmp(b, "\x89PNG\r\n\x1a\n", 8) == 0)
		return IMAGES_PNG;
	if (len >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff)
		return IMAGES_JPEG;
	if (len >= 6 && (memcmp(b, "GIF87a", 6) == 0 || memcmp(b, "GIF89a", 6) == 0))
		return IMAGES_GIF;
	if (len >= 12 && memcmp(b, "RIFF", 4) == 0 && memcmp(b + 8, "WEBP", 4) == 0)
		return IMAGES_WEBP;
	return 0;
}

enum app_err images_check(const void *data, size_t len, unsigned kinds, const char **mime,
			  struct app_error *err)
{
	if (len > IMAGES_MAX_BYTES)
		return app_fail(err, APP_ETOOBIG, "an image has at most 5 MB");
	unsigned kind = kind_of(data, len);
	for (int i = 0; kind & kinds && i < KINDS_KNOWN; i++) {
		if (kinds_known[i].kind == kind) {
			*mime = kinds_known[i].mime;
			return APP_OK;
		}
	}
	/* "only PNG, JPEG and WebP images are taken" */
	const char *names[KINDS_KNOWN];
	int n = 0;
	for (int i = 0; i < KINDS_KNOWN; i++)
		if (kinds & kinds_known[i].kind)
			names[n++] = kinds_known[i].name;
	struct strbuf list = STRBUF_INIT;
	for (int i = 0; i < n; i++)
		strbuf_addf(&list, "%s%s", !i ? "" : i + 1 == n ? " and " : ", ", names[i]);
	enum app_err rc = app_fail(err, APP_EMEDIA, "only %s images are taken", list.buf);
	strbuf_release(&list);
	return rc;
}

void images_sha256(const void *data, size_t len, char sha[ATTACHMENT_SHA_LEN + 1])
{
	unsigned char hash[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(hash, data, len);
	sodium_bin2hex(sha, ATTACHMENT_SHA_LEN + 1, hash, sizeof(hash));
}

static void image_path(const char *data_dir, const char *sha, char *out, size_t cap)
{
	snprintf(out, cap, "%s/images/%.2s/%s", data_dir, sha, sha);
}

/* mkdir -p of the folders of path (not path itself). */
static enum app_err make_dirs(const char *path, struct app_error *err)
{
	char dir[4096];
	snprintf(dir, sizeof(dir), "%s", path);
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0750) != 0 && errno != EEXIST)
			return app_fail(err, APP_EIO, "cannot make folder %s: %s", dir,
					strerror(errno));
		*p = '/';
	}
	return APP_OK;
}

/* Write data to path durably: a temporary file, fsync, rename, fsync of
 * the folder. Never a half-written image under its name. */
static enum app_err write_whole(const char *path, const void *data, size_t len,
				struct app_error *err)
{
	char tmp[4200];
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640);
	if (fd < 0)
		return app_fail(err, APP_EIO, "cannot store the image: %s", strerror(errno));
	const char *p = data;
	size_t left = len;
	while (left) {
		ssize_t w = write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		p += w;
		left -= (size_t)w;
	}
	bool ok = !left && fsync(fd) == 0;
	int saved = errno;
	close(fd);
	if (!ok || rename(tmp, path) != 0) {
		saved = ok ? errno : saved;
		unlink(tmp);
		return app_fail(err, APP_EIO, "cannot store the image: %s", strerror(saved));
	}
	char dir[4200];
	snprintf(dir, sizeof(dir), "%s", path);
	char *slash = strrchr(dir, '/');
	if (slash) {
		*slash = '\0';
		int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd >= 0) {
			fsync(dfd);
			close(dfd);
		}
	}
	return APP_OK;
}

enum app_err images_write(const char *data_dir, const char *sha, const void *data, size_t len,
			  struct app_error *err)
{
	char path[4096];
	image_path(data_dir, sha, path, sizeof(path));
	struct stat st;
	if (stat(path, &st) == 0 && (size_t)st.st_size == len) /* same name: same bytes */
		return APP_OK;
	enum app_err rc = make_dirs(path, err);
	return rc == APP_OK ? write_whole(path, data, len, err) : rc;
}

enum app_err images_save(struct store *s, const char *data_dir, const struct auth_caller *c,
			 const struct group *g, const void *data, size_t len,
			 struct attachment *out, struct app_error *err)
{
	struct attachment a = { .group_id = g->id, .size = (int64_t)len, .at = clock_now() };
	const char *mime;
	enum app_err rc = images_check(data, len, IMAGES_PNG | IMAGES_JPEG | IMAGES_GIF |
						  IMAGES_WEBP, &mime, err);
	if (rc != APP_OK)
		return rc;
	if (c->kind != AUTH_SESSION)
		return app_fail(err, APP_EINVAL, "an image is sent by a person");
	struct group_member me;
	if (store_member_get(s, g->id, c->user_id, &me, err) != APP_OK ||
	    strcmp(me.state, "active") != 0)
		return app_fail(err, APP_EPERM, "only the group's members can send images to it");
	a.uploader = c->user_id;
	snprintf(a.mime, sizeof(a.mime), "%s", mime);
	images_sha256(data, len, a.sha256);
	rc = images_write(data_dir, a.sha256, data, len, err);
	if (rc == APP_OK)
		rc = store_attachment_put(s, &a, err);
	if (rc == APP_OK)
		rc = store_attachment_get(s, a.sha256, g->id, out, err);
	return rc;
}

enum app_err images_open(const char *data_dir, const char *sha, int *fd, uint64_t *size,
			 struct app_error *err)
{
	char path[4096];
	image_path(data_dir, sha, path, sizeof(path));
	*fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (*fd < 0 || fstat(*fd, &st) != 0) {
		if (*fd >= 0)
			close(*fd);
		return app_fail(err, APP_ENOTFOUND, "the image file is missing");
	}
	*size = (uint64_t)st.st_size;
	return APP_OK;
}
