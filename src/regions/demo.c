/*
 * demo.c - the demo county: a made-up county of realistic size and naming
 * (20 towns and streets, 500 villages and communities) under province code
 * 99, which no real province uses, so it never collides with real data.
 *
 * Names follow the common patterns of the North China plain: surname plus a
 * settlement word (张庄, 王楼, 李营), sometimes with a direction (前刘, 东孙).
 * Generation is deterministic: the same demo everywhere.
 */
#include "regions/regions.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static const char *const surnames[] = {
	"张", "王", "李", "赵", "刘", "陈", "杨", "黄", "周", "吴", "徐", "孙", "马", "朱",
	"胡", "郭", "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯",
	"邓", "曹", "彭", "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "杜", "程", "苏",
	"魏", "吕", "丁", "任", "姚", "卢", "姜", "崔", "陆", "范", "金", "石", "贾", "夏",
	"付", "方", "白", "孟", "秦", "尹", "薛", "段", "雷", "侯", "史", "贺", "顾", "郝",
	"邵", "万", "钱", "武", "孔", "汤", "常", "葛", "鞠", "邝", "牛", "申", "鲁", "柴",
};
static const char *const settlements[] = {
	"庄", "楼", "营", "寨", "集", "湾", "店", "岗", "屯", "洼", "桥", "园",
	"坡", "台", "口", "圩", "铺", "堂", "河", "沟", "湖", "坊", "桥头", "家",
};
static const char *const directions[] = { "前", "后", "东", "西", "南", "北", "大", "小", "新", "老" };
static const char *const town_words[] = {
	"青龙", "白马", "桃花", "丁集", "永丰", "秣陵", "贾岭", "高寺", "新桥", "付集",
	"官会", "孙店", "李寨", "王明口", "范集", "南顿", "郑郭", "三店", "老城", "水寨",
};
static const char *const street_words[] = { "东方", "光武", "千佛阁" };
static const char *const community_words[] = {
	"花园", "人民路", "建设路", "文化", "幸福", "和平", "育新", "胜利", "莲花", "团结",
};

enum { DEMO_TOWNS = 20, DEMO_STREETS = 3, DEMO_TOWNSHIPS = 3, DEMO_VILLAGES_PER_TOWN = 25 };

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* A small fixed generator (xorshift) so the demo is the same everywhere. */
static uint32_t next_rand(uint32_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 17;
	*s ^= *s << 5;
	return *s;
}

static void add(struct regions_batch *b, const char *code, enum division_level level,
		const char *parent, const char *name)
{
	struct region r = { .level = level };
	snprintf(r.code, sizeof(r.code), "%s", code);
	snprintf(r.parent_code, sizeof(r.parent_code), "%s", parent);
	snprintf(r.name, sizeof(r.name), "%s", name);
	regions_batch_add(b, &r, 0);
}

/* True when name is already used by a village of the batch. */
static bool name_taken(const struct regions_batch *b, const char *name)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->rows[i].level == DIV_VILLAGE && strcmp(b->rows[i].name, name) == 0)
			return true;
	return false;
}

static void village_name(uint32_t *seed, const struct regions_batch *b, bool community,
			 char *out, size_t cap)
{
	do {
		uint32_t r = next_rand(seed);
		if (community) {
			snprintf(out, cap, "%s%s社区", (r >> 8) % 3 ? "" : directions[(r >> 12) % 4],
				 community_words[r % N(community_words)]);
		} else if (r % 4 == 0) {
			snprintf(out, cap, "%s%s%s村", directions[(r >> 4) % N(directions)],
				 surnames[(r >> 8) % N(surnames)],
				 settlements[(r >> 16) % N(settlements)]);
		} else {
			snprintf(out, cap, "%s%s村", surnames[(r >> 8) % N(surnames)],
				 settlements[(r >> 16) % N(settlements)]);
		}
	} while (name_taken(b, out));
}

void regions_demo_build(struct regions_batch *out)
{
	const char *county = REGIONS_DEMO_COUNTY;
	add(out, "99", DIV_PROVINCE, "", "演示省");
	add(out, "9901", DIV_CITY, "99", "演示市");
	add(out, county, DIV_COUNTY, "9901", "便民县（演示）");
	uint32_t seed = 20261129;
	for (int t = 0; t < DEMO_TOWNS; t++) {
		char town[32], name[64];
		bool street = t < DEMO_STREETS;
		bool township = t >= DEMO_TOWNS - DEMO_TOWNSHIPS;
		/* NBS numbering: streets 001-099, towns 100-199, townships 200+ */
		int number = street ? 1 + t : township ? 200 + t : 100 + t;
		snprintf(town, sizeof(town), "%s%03d", county, number);
		if (street)
			snprintf(name, sizeof(name), "%s街道", street_words[t]);
		else
			snprintf(name, sizeof(name), "%s%s", town_words[t], township ? "乡" : "镇");
		add(out, town, DIV_TOWN, county, name);
		for (int v = 0; v < DEMO_VILLAGES_PER_TOWN; v++) {
			/* NBS: 001-199 communities (居委会), 200+ villages (村委会) */
			bool community = street && v < 10;
			char code[48], vname[64];
			snprintf(code, sizeof(code), "%s%03d", town, community ? 1 + v : 200 + v);
			village_name(&seed, out, community, vname, sizeof(vname));
			add(out, code, DIV_VILLAGE, town, vname);
		}
	}
}

enum app_err regions_demo_import(struct store *s, const char *actor,
				 struct region_import_counts *counts, struct app_error *err)
{
	struct regions_batch b = { 0 };
	regions_demo_build(&b);
	struct audit_note note = { actor, "regions.import", "region:" REGIONS_DEMO_COUNTY,
				   REGIONS_DEMO_COUNTY, "demo county loaded" };
	enum app_err rc = store_regions_import(s, b.rows, b.n, &note, counts, err);
	regions_batch_release(&b);
	return rc;
}
