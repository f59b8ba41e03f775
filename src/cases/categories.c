/*
 * categories.c - the built-in category tree of village affairs, the one a
 * county starts with; see categories.h. Water, power, gas and heating
 * imply the 24-hour class (水电气暖); safety and fire the emergency class;
 * land, disputes over property and petitions the complex one; everything
 * else is general.
 */
#include "cases/categories.h"

#include <string.h>

#define E DEMAND_EMERGENCY
#define U DEMAND_UTILITIES
#define G DEMAND_GENERAL
#define C DEMAND_COMPLEX

static const struct category tree[] = {
	{ "utilities", "", "水电气暖", U, true },
	{ "utilities.water", "utilities", "供水、停水", U, true },
	{ "utilities.power", "utilities", "供电、停电", U, true },
	{ "utilities.gas", "utilities", "燃气", U, true },
	{ "utilities.heating", "utilities", "供暖", U, true },
	{ "roads", "", "道路交通", G, true },
	{ "roads.repair", "roads", "道路破损、积水", G, true },
	{ "roads.lights", "roads", "路灯", G, true },
	{ "roads.traffic", "roads", "交通秩序、停车", G, true },
	{ "environment", "", "环境卫生", G, true },
	{ "environment.waste", "environment", "垃圾清运", G, true },
	{ "environment.pollution", "environment", "污染、噪音", G, true },
	{ "safety", "", "安全隐患", E, true },
	{ "safety.fire", "safety", "火灾、燃气泄漏", E, true },
	{ "safety.building", "safety", "房屋、桥梁、堤坝危险", E, true },
	{ "safety.flood", "safety", "防汛、地质灾害", E, true },
	{ "welfare", "", "社会保障", G, true },
	{ "welfare.assistance", "welfare", "低保、救助", G, true },
	{ "welfare.pension", "welfare", "养老、医保", G, true },
	{ "welfare.disability", "welfare", "残疾人服务", G, true },
	{ "agriculture", "", "农业生产", G, true },
	{ "agriculture.irrigation", "agriculture", "灌溉、水利", G, true },
	{ "agriculture.subsidy", "agriculture", "惠农补贴", G, true },
	{ "land", "", "土地、宅基地", C, true },
	{ "disputes", "", "矛盾纠纷", C, true },
	{ "disputes.neighbours", "disputes", "邻里纠纷", G, true },
	{ "disputes.wages", "disputes", "拖欠工资", C, true },
	{ "health", "", "医疗卫生", G, true },
	{ "education", "", "教育", G, true },
	{ "cadres", "", "干部作风", G, true },
	{ "other", "", "其他", G, true },
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
