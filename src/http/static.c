/*
 * static.c - the front end's files from web_root.
 *
 * Only plain files under web_root are served: no "..", no hidden names, no
 * symbolic links (O_NOFOLLOW on the last part; the folder itself is trusted).
 * "/" and folder paths serve index.html, and so does "/join/CODE", the
 * join link of a service group (public_url + "/join/" + code): the page
 * reads the code from its own address.
 */
#include "http/http_int.h"

#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
	const char *ext;
	const char *type;
} mime_types[] = {
	{ ".html", "text/html; charset=utf-8" }, { ".js", "text/javascript; charset=utf-8" },
	{ ".mjs", "text/javascript; charset=utf-8" }, { ".css", "text/css; charset=utf-8" },
	{ ".json", "application/json; charset=utf-8" }, { ".svg", "image/svg+xml" },
	{ ".png", "image/png" }, { ".jpg", "image/jpeg" }, { ".ico", "image/x-icon" },
	{ ".webmanifest", "application/manifest+json" }, { ".txt", "text/plain; charset=utf-8" },
	{ ".woff2", "font/woff2" },
};

static const char *mime_for(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (dot)
		for (size_t i = 0; i < sizeof(mime_types) / sizeof(mime_types[0]); i++)
			if (strcmp(dot, mime_types[i].ext) == 0)
				return mime_types[i].type;
	return "application/octet-stream";
}

static bool safe_relative(const char *rel)
{
	if (!*rel)
		return false;
	const char *seg = rel;
	for (;;) {
		if (*seg == '.' || *seg == '/' || *seg == '\0')
			return false; /* hidden, "..", empty segment */
		const char *next = strchr(seg, '/');
		if (!next)
			return true;
		seg = next + 1;
	}
}

bool http_static_serve(struct http_req *req)
{
	if (req->srv->web_fd < 0 || req->path[0] != '/')
		return false;
	if (strncmp(req->path, "/api/", 5) == 0)
		return false;
	const char *rel = req->path + 1;
	size_t n = strlen(rel);
	if (n == 0 || rel[n - 1] == '/')
		rel = arena_printf(&req->arena, "%sindex.html", rel);
	else if (strncmp(rel, "join/", 5) == 0 && rel[5] && !strchr(rel + 5, '/'))
		rel = "index.html";
	if (!safe_relative(rel))
		return false;
	int fd = openat(req->srv->web_fd, rel, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return false;
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return false;
	}
	const char *type = mime_for(rel);
	/* Pages and code must change together after an upgrade: revalidate
	 * them; only images may be kept for a while. */
	http_reply_file(req, type, fd, (uint64_t)st.st_size,
			strncmp(type, "image/", 6) == 0 ? "public, max-age=3600" : "no-cache");
	return true;
}
