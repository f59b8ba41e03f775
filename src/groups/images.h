/*
 * images.h - images attached to messages: checked by their bytes (PNG,
 * JPEG, GIF, WebP; never by what the client says they are), at most 5 MB,
 * stored on disk outside the database under DATA_DIR/images/ab/<sha256>,
 * where ab are the first two hex digits, written whole or not at all.
 */
#ifndef GROUPS_IMAGES_H
#define GROUPS_IMAGES_H

#include "auth/auth.h"
#include "store/store.h"

#define IMAGES_MAX_BYTES (5u << 20)

/* The MIME type of data when it is an image we take, else NULL. */
const char *images_type(const void *data, size_t len);

/*
 * Save an image uploaded by c to group g (which c may write in: an active
 * member) and record it; *out receives its record. The same bytes twice are
 * one image. APP_EMEDIA for anything but an image, APP_ETOOBIG beyond
 * IMAGES_MAX_BYTES.
 */
enum app_err images_save(struct store *s, const char *data_dir, const struct auth_caller *c,
			 const struct group *g, const void *data, size_t len,
			 struct attachment *out, struct app_error *err);

/* Open the file of image a for reading; *fd and *size receive it. */
enum app_err images_open(const char *data_dir, const struct attachment *a, int *fd,
			 uint64_t *size, struct app_error *err);

#endif
