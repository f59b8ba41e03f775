/*
 * judge.h - the smart patrol's rules for one message (智能巡群): whether a
 * resident's text asks the cadres something, when it must be answered,
 * which keywords it holds, and what the patrol must remember of a message
 * as it is posted (patrol_judge). No storage here; the sweep (patrol.h)
 * and the posting of messages (groups/messages.c) both judge with these.
 * docs/patrol.md says what each rule means.
 */
#ifndef PATROL_JUDGE_H
#define PATROL_JUDGE_H

#include "store/store.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lexicon;
struct classify_model;

/* What messages are judged with: a keyword lexicon and an intent model
 * (either may be NULL: then it is not consulted). */
struct patrol_rules {
	const struct lexicon *lex;
	const struct classify_model *model;
};

#define PATROL_ACK_SECONDS 180 /* a resident's question answered within 3 minutes of duty */

/*
 * When a question asked at `at` in a group with duty hours
 * [duty_start, duty_end) (minutes of the day, China time) must be answered:
 * window seconds counted in duty hours only. Asked during duty hours, the
 * window starts at once and, past the end of the day's hours, goes on when
 * they start the next day; asked outside them, it starts when they next
 * start (a question at 22:00 is due at 08:03). Pure.
 */
int64_t patrol_ack_due(int duty_start, int duty_end, int64_t at, int64_t window);

/*
 * Whether a resident's text asks something of the cadres (docs/patrol.md):
 * it ends in a question mark, 吗 or 呢 or starts with 请问
 * (classify_subject_is_question), or has a request word (帮忙, 麻烦, 怎么办,
 * 能不能 ...), or the model says demand or question (an urgent word of the
 * lexicon makes it a demand, classify_text()).
 */
bool patrol_is_request(const struct patrol_rules *r, const char *text);

/* Whether a member of role ("owner", "admin", "key_person", "resident",
 * "" for none) speaks for the group: a cadre. */
bool patrol_is_cadre(const char *role);

/* The words of lexicon class cls ("emergency", "cadre_complaint",
 * "escalation") in text, "、"-joined into out (cap bytes), each once; the
 * highest severity among them, 0 when none (or lex is NULL). */
int patrol_scan_class(const struct lexicon *lex, const char *text, const char *cls, char *out,
		      size_t cap);

/*
 * What the patrol must remember of m as it is posted by an author of
 * author_role in a group with duty hours [duty_start, duty_end), into
 * m->patrol: a resident's question or request is watched until its due
 * time (m->at must be set); a cadre's reply answers what it replies to; a
 * message with an emergency word, or a resident's with a complaint about
 * cadres, is flagged for the sweep to raise alerts. A broadcast is judged
 * to need nothing. With r NULL (the rules did not load) m is left
 * unjudged, for the sweep to judge.
 */
void patrol_judge(const struct patrol_rules *r, struct message *m, const char *author_role,
		  int duty_start, int duty_end);

/* The rules compiled into the binary, made once per process: the lexicon
 * data/patrol/lexicon.csv and the model learnt from data/patrol/intent.csv
 * at build time (tools/patrol_model.c, as `make model` learns it). NULL
 * (and a log line) when either does not load. */
const struct patrol_rules *patrol_builtin(void);

#endif
