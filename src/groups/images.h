/*
 * images.h - images kept on disk outside the database: those attached to
 * messages, and the photos of demands (src/cases/demand_photos.c). Each is
 * checked by its bytes (never by what the client says it is), at most 5 MB,
 * and stored under DATA_DIR/images/ab/<sha256>, where ab are the first two
 * hex digits, written whole or not at all. Named by their content, the same
 * bytes are one file wherever they are shown; who may see one is for the
 * rows that name it (attachments, case photos) to say.
 */
#ifndef GROUPS_IMAGES_H
#define GROUPS_IMAGES_H

#include "auth/auth.h"
#include "store/store.h"

#define IMAGES_MAX_BYTES (5u << 20)

/* The kinds of image, by their bytes; a caller takes some of them. */
enum images_kind {
	IMAGES_PNG = 1u << 0,
	IMAGES_JPEG = 1u << 1,
	IMAGES_GIF = 1u << 2,
	IMAGES_WEBP = 1u << 3,
};

/*
 * Check that data is an image of one of kinds (bits of enum images_kind)
 * of at most IMAGES_MAX_BYTES; *mime receives its MIME type (static).
 * APP_ETOOBIG beyond the size, APP_EMEDIA (saying which kinds are taken)
 * for anything else.
 */
enum app_err images_check(const void *data, size_t len, unsigned kinds, const char **mime,
			  struct app_error *err);

/* The SHA-256 of data in lower-case hex: the name of its file. */
void images_sha256(const void *data, size_t len, char sha[ATTACHMENT_SHA_LEN + 1]);

/* Store data (checked) as the file named sha (its images_sha256), unless
 * that file is there already. APP_EIO when it cannot be written. */
enum app_err images_write(const char *data_dir, const char *sha, const void *data, size_t len,
			  struct app_error *err);

/*
 * Save an image uploaded by c to group g (which c may write in: an active
 * member) and record it; *out receives its record. The same bytes twice are
 * one image. APP_EMEDIA for anything but a PNG, JPEG, GIF or WebP image,
 * APP_ETOOBIG beyond IMAGES_MAX_BYTES.
 */
enum app_err images_save(struct store *s, const char *data_dir, const struct auth_caller *c,
			 const struct group *g, const void *data, size_t len,
			 struct attachment *out, struct app_error *err);

/* Open the file of image sha for reading; *fd and *size receive it.
 * APP_ENOTFOUND when it is missing. */
enum app_err images_open(const char *data_dir, const char *sha, int *fd, uint64_t *size,
			 struct app_error *err);

#endif
