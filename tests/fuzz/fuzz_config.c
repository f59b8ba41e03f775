/*
 * fuzz_config.c - config_load_file() (core/config.h) on arbitrary bytes.
 *
 * The input becomes the contents of an anonymous in-memory file (memfd),
 * read through its /proc/self/fd path, so config.c is fuzzed as it is with
 * nothing written to disk. It must not crash; an error must name the file;
 * and whatever it accepted must be a value its option allows, since the
 * rest of the program reads them with config_int()/config_bool() unchecked.
 */
#include "fuzz.h"

#include "core/config.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static int fd = -1;
static char path[64];

static bool parse_bool(const char *v, bool *b)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	for (size_t i = 0; i < 4; i++) {
		if (strcmp(v, yes[i]) == 0)
			return *b = true, true;
		if (strcmp(v, no[i]) == 0)
			return *b = false, true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (fd < 0) {
		fd = memfd_create("fuzz_config", 0);
		FUZZ_CHECK(fd >= 0);
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	}
	FUZZ_CHECK(ftruncate(fd, 0) == 0);
	FUZZ_CHECK(pwrite(fd, data, size, 0) == (ssize_t)size);

	struct config cfg;
	struct app_error err;
	config_init(&cfg);
	enum app_err rc = config_load_file(&cfg, path, &err);
	if (rc != APP_OK)
		FUZZ_CHECK(rc == APP_EINVAL && strncmp(err.msg, path, strlen(path)) == 0);

	for (int i = 0; i < CFG__MAX; i++) {
		const struct config_option *o = &config_options[i];
		FUZZ_CHECK(cfg.value[i] != NULL);
		FUZZ_CHECK(cfg.source[i] == SRC_DEFAULT || cfg.source[i] == SRC_FILE);
		if (cfg.source[i] == SRC_DEFAULT)
			FUZZ_CHECK(strcmp(cfg.value[i], o->def) == 0);
		if (o->type == CONFIG_INT) {
			long v = config_int(&cfg, (enum config_key)i);
			FUZZ_CHECK(v >= o->min && v <= o->max);
		} else if (o->type == CONFIG_BOOL) {
			bool b;
			FUZZ_CHECK(parse_bool(cfg.value[i], &b));
		}
	}
	config_release(&cfg);
	return 0;
}
