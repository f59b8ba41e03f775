/*
 * categories.c - the default category tree of village affairs; see
 * categories.h. Water, power, gas and heating imply the 24-hour class
 * (水电气暖); safety and fire the emergency class; land, disputes over
 * property and petitions the complex one; everything else is general.
 */
#include "cases/categories.h"

#include <string.h>

#define E DEMAND_EMERGENCY
#define U DEMAND_UTILITIES
#define G DEMAND_GENERAL
#define C DEMAND_COMPLEX

static const struct category tree[] = {
	{ "utilities", "水电气暖", U },
	{ "utilities.water", "供水、停水", U },
	{ "utilities.power", "供电、停电", U },
	{ "utilities.gas", "燃气", U },
	{ "utilities.heating", "供暖", U },
	{ "roads", "道路交通", G },
	{ "roads.repair", "道路破损、积水", G },
	{ "roads.lights", "路灯", G },
	{ "roads.traffic", "交通秩序、停车", G },
	{ "environment", "环境卫生", G },
	{ "environment.waste", "垃圾清运", G },
	{ "environment.pollution", "污染、噪音", G },
	{ "safety", "安全隐患", E },
	{ "safety.fire", "火灾、燃气泄漏", E },
	{ "safety.building", "房屋、桥梁、堤坝危险", E },
	{ "safety.flood", "防汛、地质灾害", E },
	{ "welfare", "社会保障", G },
	{ "welfare.assistance", "低保、救助", G },
	{ "welfare.pension", "养老、医保", G },
	{ "welfare.disability", "残疾人服务", G },
	{ "agriculture", "农业生产", G },
	{ "agriculture.irrigation", "灌溉、水利", G },
	{ "agriculture.subsidy", "惠农补贴", G },
	{ "land", "土地、宅基地", C },
	{ "disputes", "矛盾纠纷", C },
	{ "disputes.neighbours", "邻里纠纷", G },
	{ "disputes.wages", "拖欠工资", C },
	{ "health", "医疗卫生", G },
	{ "education", "教育", G },
	{ "cadres", "干部作风", G },
	{ "other", "其他", G },
};

const struct category *categories_all(size_t *n)
{
	*n = sizeof(tree) / sizeof(tree[0]);
	return tree;
}

const struct category *category_of(const char *code)
{
	for (size_t i = 0; code && i < sizeof(tree) / sizeof(tree[0]); i++)
		if (strcmp(tree[i].code, code) == 0)
			return &tree[i];
	return NULL;
}
