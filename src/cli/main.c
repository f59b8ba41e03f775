/*
 * main.c - the bianmin command: global options, the commands[] table and
 * dispatch. Only src/cli may exit the process.
 */
#include "cli/cli.h"
#include "core/clock.h"
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_command commands[] = {
	{ "serve", cmd_serve, "serve [--listen ADDR:PORT] [--threads N]",
	  "serve the web interface and the API",
	  "Serves until SIGINT or SIGTERM. Logs one line (event=serve.ready) with the\n"
	  "address once it accepts requests. The database must exist (see init)." },
	{ "init", cmd_init, "init [--demo]", "create the database (and the demo county)",
	  "Creates the database if needed and brings its schema up to date.\n"
	  "--demo also loads the demo county (see demo)." },
	{ "migrate", cmd_migrate, "migrate", "bring the database schema up to date", NULL },
	{ "import", cmd_import, "import divisions FILE...", "import data files",
	  "import divisions FILE...  division codes from CSV (plain or .gz), each file\n"
	  "  all or nothing; a parent must already be imported or be in the same file:\n"
	  "  load provinces.csv, cities.csv and counties.csv before towns and villages." },
	{ "demo", cmd_demo, "demo",
	  "load the demo county (code 990101, clearly labelled 演示) and its demo accounts",
	  "Safe to run again. Prints the demo accounts, one per role, and their password." },
	{ "groups", cmd_groups, "groups sync [--within CODE]",
	  "make the service group of every county, town and village",
	  "groups sync [--within CODE]  one group per county, town and village of the\n"
	  "  registry (under CODE) that has none; run it again after importing divisions." },
	{ "patrol", cmd_patrol, "patrol [--json] [--at TIME]",
	  "run the smart patrol (智能巡群) now and print what it found",
	  "Runs one sweep, as the scheduled job 'patrol' does every minute: unanswered\n"
	  "  questions, demands at risk or overdue, groups with nobody on duty, emergency and\n"
	  "  complaint words, hidden complaints (docs/patrol.md). Each finding is raised once\n"
	  "  as an alert to the supervising level; one raised before says so. --json prints\n"
	  "  {findings, raised, messages}. --at TIME (RFC 3339, not in the future) sweeps at\n"
	  "  that instant instead of now." },
	{ "stats", cmd_stats,
	  "stats --region CODE [--from DATE [--to DATE]] [--by village|town] [--json] "
	  "[--csv FILE] [--xlsx FILE] | stats verify | stats rebuild",
	  "the rates of residents' demands of a region over a period (CSV, JSON or XLSX)",
	  "stats --region CODE  响应率, 解决率, 满意率, first-line resolution, 退单率, 吹哨率,\n"
	  "  overdue demands, first-response times and valid interactions of the demands\n"
	  "  raised in the period (docs/patrol.md \"Statistics\"). --from is a day\n"
	  "  (2026-11-29, default today) or a month (2026-11); --to the exclusive end in\n"
	  "  either form (default: the day or month of --from). --by adds a row per village\n"
	  "  or town. Prints CSV with Chinese headers (or JSON with --json); --csv FILE and\n"
	  "  --xlsx FILE write the table to files instead.\n"
	  "stats verify  recompute the statistics rollup from the demands and print each\n"
	  "  region and day that differs (exit 1 when any does); stats rebuild  refill it." },
	{ "search", cmd_search, "search rebuild",
	  "rebuild the full-text search index of messages from the messages",
	  "search rebuild  drops the search index and makes it again from every message,\n"
	  "  in large batches, merged into one segment at the end (docs/search.md). Run it\n"
	  "  with the server stopped, after a lost or damaged index or a bulk load. SQLite:\n"
	  "  needs free disk about twice the index (<db>.search); PostgreSQL: REINDEX." },
	{ "supervision", cmd_supervision, "supervision check [--at TIME]",
	  "settle the reminders (督办) now: resolved ones, and the overdue ones into the 通报",
	  "supervision check [--at TIME]  as the scheduled job 'supervision' does every hour:\n"
	  "  a reminder whose alert or demand was resolved or closed by its deadline is\n"
	  "  resolved; one still open at its deadline is listed in the 通报 of the month the\n"
	  "  deadline fell in (docs/patrol.md). --at TIME (RFC 3339, not in the future)\n"
	  "  checks at that instant instead of now." },
	{ "bundle", cmd_bundle,
	  "bundle start EVENT --id ID_NUMBER --name NAME --region CODE [--phone PHONE] | "
	  "list [--region CODE] [--event EVENT] [--limit N] | show ID | mark ID CODE done|refused "
	  "[--note TEXT]",
	  "一件事 bundles: a life event's services started at once and followed together",
	  "bundle start EVENT --id ID_NUMBER --name NAME --region CODE [--phone PHONE]  start\n"
	  "  the services of EVENT (data/bundles/EVENT.json, option bundles_dir) for a person;\n"
	  "  task deadlines on the working-day calendar. Exit 3 when refused, nothing written.\n"
	  "bundle list [--region CODE] [--event EVENT] [--limit N]  newest first, person masked.\n"
	  "bundle show ID  every service's state, due time and overdue flag.\n"
	  "bundle mark ID CODE done|refused [--note TEXT]  a task service (a refusal needs a\n"
	  "  note). docs/bundles.md." },
	{ "entitle", cmd_entitle,
	  "entitle run|advance|list|show|object|review|consent|appeal|publish ...",
	  "the entitlement pipeline of 免申即享: runs, notices, consent, grants, appeals",
	  "entitle run PROGRAMME_FILE --at DATE  evaluate the programme's policies over the\n"
	  "  latest data its operator subscribes to; new entitlements (notice, consent or\n"
	  "  grant), held ones, revocations from the right date (docs/entitle.md).\n" },
	{ "exchange", cmd_exchange,
	  "exchange member|dataset|sign|upload|subscribe|approve|end|subscriptions|attempts|"
	  "push|pull|key ...",
	  "the data-sharing exchange: member agencies, datasets, signed batches, subscriptions",
	  "exchange member add CODE --name NAME --region CODE [--key-out FILE]  a member agency\n"
	  "  with a new Ed25519 key pair; the secret key goes to FILE (default CODE.key, mode\n"
	  "  0600) and is kept nowhere else. member rotate CODE [--key-out FILE]  a new key\n"
	  "  (the old one still verifies old batches). member link CODE --apikey ID  the API\n"
	  "  key (role exchange_member) the agency calls with. member list.\n"
	  "exchange dataset add CODE --provider MEMBER --name NAME --sharing 无条件|有条件|不予共享\n"
	  "  --schema FILE  (docs/exchange.md); dataset list.\n"
	  "exchange sign --key FILE --member M --dataset D --batch B FILE  print the signature\n"
	  "  of a batch file. exchange upload --member M --dataset D --batch B (--key FILE |\n"
	  "  --signature SIG) [--format csv|jsonl] FILE  receive a batch, all or nothing.\n"
	  "exchange subscribe --consumer M --dataset D --fields a,b [--endpoint URL --monthly\n"
	  "  DAY --time HH:MM]  grant fields of a dataset; approve ID (有条件), end ID,\n"
	  "  subscriptions, attempts ID (pushes and their HTTP status).\n"
	  "exchange push [--at TIME]  push what is due now, as the job 'exchange' does every\n"
	  "  minute. exchange pull ID [--after SEQ] [--batches N]  the granted rows as JSON\n"
	  "  lines. exchange key  the exchange's public key, to verify pushes." },
	{ "demands", cmd_demands,
	  "demands sweep | settings show|set --county CODE [name=value...] | "
	  "categories show|import --county CODE [FILE]",
	  "run the clocks of residents' demands now; a county's limits and category tree",
	  "demands sweep  warn, expire and escalate the demands whose clocks are due, as the\n"
	  "  scheduled job 'demands' does every minute (docs/cases.md).\n"
	  "demands settings show --county CODE  the county's limits (ack, resolve.<urgency>,\n"
	  "  arrive, followup), warning share (warn) and default duty hours (duty_hours).\n"
	  "demands settings set --county CODE name=value...  change them, all or nothing:\n"
	  "  limits as 30m, 2h or 7wd (working days), warn as 80%, duty_hours as 08:00-20:00.\n"
	  "demands categories show --county CODE  the county's category tree as CSV.\n"
	  "demands categories import --county CODE FILE  replace it with the CSV FILE\n"
	  "  (code,parent,name,urgency,active), all or nothing; a category that open\n"
	  "  demands have stays (deactivate it: active no).\n" },
	{ "delivery", cmd_delivery,
	  "delivery list --region CODE [--state S] [--limit N] | show ID | "
	  "act ID start|deliver|fail|note [--words TEXT]",
	  "delivery tasks of entitlements (送达): list a region's, follow one, act on it",
	  "delivery list --region CODE [--state waiting|out|delivered|failed|cancelled]\n"
	  "  [--limit N]  the tasks of a region, newest first, with the level and the due\n"
	  "  time of their clock (person masked).\n"
	  "delivery show ID  a task and its timeline.\n"
	  "delivery act ID start|deliver|fail|note [--words TEXT]  as an officer: start\n"
	  "  (出发送达), deliver (确认送达: the receiver's words), fail (无法送达: why), note\n"
	  "  (docs/cases.md \"Delivery tasks\"). Exit 3 when refused, nothing changed.\n" },
	{ "outbox", cmd_outbox,
	  "outbox send [--gateway URL] | list --region CODE [--state S] [--limit N]",
	  "the SMS of 免申即享 to persons: send what is due, list a region's",
	  "outbox send [--gateway URL]  send the due messages through the gateway (default:\n"
	  "  option sms_gateway), or keep them when there is none, as the job 'outbox.send'\n"
	  "  does every minute (docs/outbox.md).\n"
	  "outbox list --region CODE [--state pending|sent|failed|kept] [--limit N]\n"
	  "  newest first, phone masked.\n" },
	{ "calendar", cmd_calendar, "calendar import FILE | show [YEAR]",
	  "public holidays and make-up workdays (调休) of the working-day calendar",
	  "calendar import FILE  add a year's holidays and make-up workdays from a CSV file\n"
	  "  (date,kind,name), all or nothing; a day imported replaces what the calendar said.\n"
	  "calendar show [YEAR]  the year's holidays and make-up workdays (default: this\n"
	  "  year), each marked built-in or imported." },
	{ "user", cmd_user, "user add --role ROLE --region CODE [--id-number ID] NAME PHONE",
	  "create an account and print its one-time password",
	  "Roles: resident, village_admin, key_person, town_supervisor, county_supervisor,\n"
	  "agency_operator, lawyer, system_admin. A role for a region covers all of it." },
	{ "apikey", cmd_apikey, "apikey add NAME --role ROLE --region CODE | list | revoke ID",
	  "manage API keys of machine clients (a new key is printed once)", NULL },
	{ "audit", cmd_audit, "audit verify",
	  "check the hash chain of the audit trail (exit 3 names the first broken entry)", NULL },
	{ "classify", cmd_classify, "classify train|eval|text ...",
	  "learn and try the message classifier (demand, question, chat; category)",
	  "classify train FILE.csv... [-o MODEL] [--all] [--method lr|nb] [--bits N] [--epochs N]\n"
	  "  learn a model from labelled rows (fold 0 of 5 held out unless --all);\n"
	  "  MODEL defaults to var/classify.model.\n"
	  "classify eval FILE.csv... [-m MODEL | --folds] [-l LEXICON] [--method ...]\n"
	  "  accuracy, macro-F1 and per-class precision and recall on the held-out fold,\n"
	  "  of a model learnt there and then on the other folds (or of MODEL), or over\n"
	  "  all five folds in turn (--folds).\n"
	  "classify [text] [-m MODEL] [-l LEXICON] [TEXT...]  classify each TEXT (or each\n"
	  "  line of standard input): intent, p, category, p, lexicon words, text.\n"
	  "File formats and figures: docs/classify.md." },
	{ "policy", cmd_policy,
	  "policy check FILE... | test FILE... | eval POLICY... --persons FILE.csv --at DATE "
	  "[--explain ID]",
	  "compile, test and run the policies of the rules engine (免申即享)",
	  "policy check FILE...  compile each policy file and report its errors (exit 3).\n"
	  "policy test FILE...  run policy test files: persons, a date, the expected decision\n"
	  "  and amount per policy; exit 1 when a case fails, showing expected and got.\n"
	  "policy eval POLICY... --persons FILE.csv --at DATE [--explain ID]  decide every\n"
	  "  person of the CSV file (header of input names, an id column) at DATE: CSV of\n"
	  "  person, policy, benefit, decision, amount, period, then conflict lines; with\n"
	  "  --explain ID why person ID is granted or refused by each policy.\n"
	  "Formats and the expression language: docs/rules.md." },
	{ "config", cmd_config, "config dump", "show every setting and where it came from",
	  NULL },
	{ "version", cmd_version, "version", "print the version", NULL },
	{ "help", cmd_help, "help [COMMAND]", "show help", NULL },
};

enum { COMMANDS_COUNT = sizeof(commands) / sizeof(commands[0]) };

static const struct cli_command *find_command(const char *name)
{
	for (size_t i = 0; i < COMMANDS_COUNT; i++)
		if (strcmp(commands[i].name, name) == 0)
			return &commands[i];
	return NULL;
}

static void print_overview(FILE *out)
{
	fprintf(out, "usage: bianmin [--db PATH] [--config FILE] COMMAND [ARGS]\n\ncommands:\n");
	for (size_t i = 0; i < COMMANDS_COUNT; i++)
		fprintf(out, "  %-28s %s\n", commands[i].usage, commands[i].summary);
	fprintf(out, "\noptions (also settable in the config file and the environment):\n");
	for (int i = 0; i < CFG__MAX; i++)
		fprintf(out, "  %-20s %-26s %s\n", config_options[i].flag, config_options[i].env,
			config_options[i].help);
	fprintf(out, "  %-20s %-26s %s\n", "--config FILE", "BIANMIN_CONFIG",
		"read settings from FILE (name = value lines)");
	fprintf(out, "\nexit codes: 0 ok, 1 failure, 2 usage error, 3 input rejected "
		     "(nothing changed), 4 not found\n");
}

void cli_print_help(const char *name)
{
	const struct cli_command *c = name ? find_command(name) : NULL;
	if (!c) {
		print_overview(stdout);
		return;
	}
	printf("usage: bianmin %s\n\n%s\n", c->usage, c->summary);
	if (c->help)
		printf("\n%s\n", c->help);
}

int cli_usage(const char *cmd, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "bianmin %s: ", cmd);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	const struct cli_command *c = find_command(cmd);
	fprintf(stderr, "\nusage: bianmin %s\n", c ? c->usage : cmd);
	return CLI_USAGE;
}

int cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return 1;
	return 0;
}

int cmd_help(struct cli_ctx *ctx, int argc, char **argv)
{
	(void)ctx;
	cli_print_help(argc > 1 ? argv[1] : NULL);
	return CLI_OK;
}

/*
 * Settings: defaults < config file < environment < flags. Flags of the option
 * table may stand anywhere on the line; the rest is the command and its own
 * arguments, compacted into argv.
 */
static int resolve_config(struct cli_ctx *ctx, int *argc, char **argv)
{
	struct app_error err;
	const char *file = getenv("BIANMIN_CONFIG");
	for (int i = 1; i < *argc; i++) {
		if (strcmp(argv[i], "--config") == 0) {
			if (i + 1 >= *argc) {
				fprintf(stderr, "bianmin: option --config needs a value\n");
				return CLI_USAGE;
			}
			file = argv[i + 1];
		} else if (strncmp(argv[i], "--config=", 9) == 0) {
			file = argv[i] + 9;
		}
	}
	if (file && config_load_file(&ctx->cfg, file, &err) != APP_OK)
		return cli_fail(&err);
	if (config_load_env(&ctx->cfg, &err) != APP_OK)
		return cli_fail(&err);
	int out = 1;
	for (int i = 1; i < *argc; i++) {
		char *arg = argv[i];
		char *eq = strncmp(arg, "--", 2) == 0 ? strchr(arg, '=') : NULL;
		char flag[64];
		snprintf(flag, sizeof(flag), "%.*s", eq ? (int)(eq - arg) : (int)strlen(arg), arg);
		enum config_key key;
		if (strcmp(flag, "--config") == 0) {
			if (!eq)
				i++;
			continue;
		}
		if (!config_find_flag(flag, &key)) {
			argv[out++] = arg;
			continue;
		}
		const char *value = eq ? eq + 1 : (i + 1 < *argc ? argv[++i] : NULL);
		if (!value) {
			fprintf(stderr, "bianmin: option %s needs a value\n", flag);
			return CLI_USAGE;
		}
		if (config_set(&ctx->cfg, key, value, SRC_FLAG, &err) != APP_OK)
			return cli_fail(&err);
	}
	*argc = out;
	argv[out] = NULL;
	enum log_level level;
	if (log_level_parse(config_str(&ctx->cfg, CFG_LOG_LEVEL), &level))
		log_set_level(level);
	int64_t offset = clock_init_from_env();
	if (offset)
		log_warn("clock.offset", "seconds=%lld source=BIANMIN_CLOCK_OFFSET",
			 (long long)offset);
	return CLI_OK;
}

int main(int argc, char **argv)
{
	struct cli_ctx ctx;
	config_init(&ctx.cfg);
	int rc = resolve_config(&ctx, &argc, argv);
	if (rc != CLI_OK) {
		config_release(&ctx.cfg);
		return rc;
	}
	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		print_overview(argc < 2 ? stderr : stdout);
		config_release(&ctx.cfg);
		return argc < 2 ? CLI_USAGE : CLI_OK;
	}
	if (strcmp(argv[1], "--version") == 0)
		argv[1] = "version";
	const struct cli_command *c = find_command(argv[1]);
	if (!c) {
		fprintf(stderr, "bianmin: '%s' is not a command; see 'bianmin help'\n", argv[1]);
		config_release(&ctx.cfg);
		return CLI_USAGE;
	}
	if (c->fn != cmd_help && cli_wants_help(argc - 1, argv + 1)) {
		cli_print_help(c->name);
		config_release(&ctx.cfg);
		return CLI_OK;
	}
	rc = c->fn(&ctx, argc - 1, argv + 1);
	config_release(&ctx.cfg);
	return rc;
}
