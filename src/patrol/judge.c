/*
 * judge.c - the smart patrol's rules for one message (judge.h): questions
 * and requests, the acknowledgement window in duty hours, keyword classes,
 * what is remembered of a message as it is posted, and the rules compiled
 * into the binary.
 */
#include "patrol/judge.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/mem.h"
#include "patrol/classify.h"
#include "patrol/lexicon.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int64_t patrol_ack_due(int duty_start, int duty_end, int64_t at, int64_t window)
{
	int day = clock_china_day(at, NULL);
	int64_t t = at, left = window;
	/* each day of the loop uses up at least a minute of the window */
	for (;;) {
		int64_t from = clock_china_time(day, duty_start), until = clock_china_time(day, duty_end);
		if (t < from)
			t = from;
		if (t < until) {
			if (t + left <= until)
				return t + left;
			left -= until - t;
		}
		day = clock_day_add(day, 1);
		t = clock_china_time(day, duty_start);
	}
}

/* Words that ask the cadres for something, besides the form of a question. */
static const char *const request_words[] = {
	"帮忙", "帮帮", "麻烦", "怎么办", "怎么弄", "能不能", "可不可以", "什么时候",
	"求助", "反映", "报修", "没人管", "请尽快", "请帮",
};

bool patrol_is_request(const struct patrol_rules *r, const char *text)
{
	if (classify_subject_is_question(text))
		return true;
	for (size_t i = 0; i < sizeof(request_words) / sizeof(request_words[0]); i++)
		if (strstr(text, request_words[i]))
			return true;
	if (!r->model)
		return false;
	struct classify_result res;
	classify_text(r->model, r->lex, text, strlen(text), &res);
	return res.intent == CLASSIFY_DEMAND || res.intent == CLASSIFY_QUESTION;
}



struct patrol_file {
	const char *name;
	const char *data;
	size_t len;
};
extern const struct patrol_file patrol_builtin_files[];
extern const size_t patrol_builtin_files_count;

static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;
static struct patrol_rules builtin;
static bool builtin_ok;

/* The built-in file name; NULL when it is not built in. */
static const struct patrol_file *builtin_file(const char *name)
{
	for (size_t i = 0; i < patrol_builtin_files_count; i++)
		if (strcmp(patrol_builtin_files[i].name, name) == 0)
			return &patrol_builtin_files[i];
	return NULL;
}

/* A writable, NUL-terminated copy of the built-in file name (the lexicon's
 * parser rewrites its input); the caller frees it. */
static char *builtin_copy(const char *name, size_t *len)
{
	const struct patrol_file *f = builtin_file(name);
	if (!f)
		return NULL;
	char *buf = xmalloc(f->len + 1);
	memcpy(buf, f->data, f->len);
	buf[f->len] = '\0';
	*len = f->len;
	return buf;
}

static void load_builtin(void)
{
	struct app_error err;
	struct lexicon *lex = NULL;
	struct classify_model *model = NULL;
	size_t len;
	char *buf = builtin_copy("lexicon.csv", &len);
	enum app_err rc = buf ? lexicon_parse("lexicon.csv", buf, len, &lex, &err)
			      : app_fail(&err, APP_EINVAL, "lexicon.csv is not built in");
	free(buf);
	/* the model learnt from data/patrol/intent.csv at build time
	 * (tools/patrol_model.c), as `make model` learns it, read in place:
	 * learning it here took about 12 ms of the ~117 ms of CPU of a
	 * `bianmin patrol` with nothing new to read (some 10%,
	 * bench/RESULTS-patrol.md) */
	if (rc == APP_OK) {
		const struct patrol_file *f = builtin_file("intent.model");
		rc = f ? classify_model_read("intent.model", f->data, f->len, &model, &err)
		       : app_fail(&err, APP_EINVAL, "intent.model is not built in");
	}
	if (rc != APP_OK) {
		log_error("patrol.rules", "error=\"%s\"", err.msg);
		lexicon_free(lex);
		return;
	}
	builtin = (struct patrol_rules){ lex, model };
	builtin_ok = true;
}

const struct patrol_rules *patrol_builtin(void)
{
	pthread_once(&builtin_once, load_builtin);
	return builtin_ok ? &builtin : NULL;
}

/* ---- keywords ---- */

bool patrol_is_cadre(const char *role)
{
	return strcmp(role, "owner") == 0 || strcmp(role, "admin") == 0 ||
	       strcmp(role, "key_person") == 0;
}

/* The words of one class found in text, "、"-joined into out; the
 * highest severity among them (0: none). */
struct class_scan {
	const char *cls;
	char *out;
	size_t cap;
	int severity;
};

static int class_hit(void *arg, const struct lexicon_hit *hit)
{
	struct class_scan *cs = arg;
	if (strcmp(hit->entry->cls, cs->cls) != 0)
		return 0;
	if (strstr(cs->out, hit->entry->word))
		return 0; /* said once */
	size_t n = strlen(cs->out);
	snprintf(cs->out + n, cs->cap - n, "%s%s", n ? "、" : "", hit->entry->word);
	if ((int)hit->entry->severity > cs->severity)
		cs->severity = (int)hit->entry->severity;
	return 0;
}

int patrol_scan_class(const struct lexicon *lex, const char *text, const char *cls, char *out,
		      size_t cap)
{
	struct class_scan cs = { cls, out, cap, 0 };
	out[0] = '\0';
	if (lex)
		lexicon_scan(lex, text, strlen(text), class_hit, &cs);
	return cs.severity;
}

/* Which of the classes the sweep raises alerts for a text holds. */
struct flag_scan {
	bool emergency, complaint;
};

static int flag_hit(void *arg, const struct lexicon_hit *hit)
{
	struct flag_scan *fs = arg;
	if (strcmp(hit->entry->cls, "emergency") == 0)
		fs->emergency = true;
	else if (strcmp(hit->entry->cls, "cadre_complaint") == 0)
		fs->complaint = true;
	return 0;
}

void patrol_judge(const struct patrol_rules *r, struct message *m, const char *author_role,
		  int duty_start, int duty_end)
{
	memset(&m->patrol, 0, sizeof(m->patrol));
	if (strcmp(m->kind, "broadcast") == 0) {
		m->patrol.judged = true; /* policy sent down, not talk in the group */
		return;
	}
	if (!r)
		return;
	m->patrol.judged = true;
	bool cadre = patrol_is_cadre(author_role);
	struct flag_scan fs = { false, false };
	if (r->lex)
		lexicon_scan(r->lex, m->body, strlen(m->body), flag_hit, &fs);
	m->patrol.flagged = fs.emergency || (fs.complaint && !cadre);
	if (cadre)
		m->patrol.answers = m->reply_to != 0;
	else if (m->body[0] && patrol_is_request(r, m->body))
		m->patrol.due = patrol_ack_due(duty_start, duty_end, m->at, PATROL_ACK_SECONDS);
}
