#!/usr/bin/env python3
"""scripts/shenyang_persons.py - the synthetic persons of the Shenyang demo
(scripts/shenyang-demo.sh, docs/shenyang-demo.md): two months of what the
agencies send through the exchange, and what the pipeline must make of it.

Nobody here is a real person: names are drawn from common characters, ID
numbers are made up (valid GB 11643 checksums, so the exchange and the
pipeline take them as real input), phones are random mobile numbers. The
same seed and count always give the same files, byte for byte.

Writes into OUTDIR:
  divisions.csv            辽宁省, 沈阳市 and its 13 districts and counties
                           (public division codes) for `bianmin import divisions`
  m1/disability.csv        the federation's (CDPF) register, month 1
  m1/insured.csv           the medical-insurance agency's (YBJ) enrolments
  m1/deaths.csv            the civil-affairs bureau's (MZJ) deaths
  m2/...                   the same a month later: some deaths, some grades
                           re-assessed (full snapshots, as providers send them)
  expected.json            the counts the demo must find at each step

The rows of insured.csv and deaths.csv are those of the federation's persons
only (a real agency would send more; the pipeline joins on id_number).

usage: shenyang_persons.py OUTDIR [--persons N] [--seed S]
"""
import argparse
import csv
import datetime
import json
import os
import random

# Shenyang's districts and counties (GB/T 2260 codes) with weights close to
# their shares of the city's population.
DISTRICTS = [
    ("210102", "和平区", 64), ("210103", "沈河区", 77), ("210104", "大东区", 95),
    ("210105", "皇姑区", 83), ("210106", "铁西区", 130), ("210111", "苏家屯区", 53),
    ("210112", "浑南区", 107), ("210113", "沈北新区", 71), ("210114", "于洪区", 94),
    ("210115", "辽中区", 49), ("210123", "康平县", 30), ("210124", "法库县", 37),
    ("210181", "新民市", 57),
]
# Where the persons registered outside the city have their hukou (other
# cities of Liaoning, Jilin, Heilongjiang, Inner Mongolia).
OUTSIDE = ["210202", "210302", "210402", "210502", "210603", "211002", "211102",
           "211202", "220102", "220202", "230102", "150402"]

# Shares of the disability grades among certified persons (1 the most severe),
# close to the federation's national figures.
GRADES = [(1, 12), (2, 26), (3, 24), (4, 38)]
SHARE_OUTSIDE = 0.04        # hukou registered outside Shenyang
SHARE_EMPLOYEE = 0.22       # in the employees' insurance, not the residents'
SHARE_NOT_ENROLLED = 0.04   # in no medical insurance known to YBJ
# (rate, at least): the events, as counts so that a small run shows each
RATE_DIED_BEFORE = (0.006, 2)   # of all: died before month 1 (still on the register)
RATE_DEATHS = (0.004, 2)        # of the granted, and of the others: die during
                                # month 1 (in month 2's deaths)
RATE_GRADE_DOWN = (0.008, 2)    # of all, among the granted: re-assessed to grade 3
RATE_GRADE_UP = (0.006, 2)      # of all, among grade 3 otherwise eligible: to grade 2

SURNAMES = ("王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 彭 曾 "
            "肖 田 董 袁 潘 于 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 石 廖 "
            "贾 夏 韦 付 方 白 邹 孟 熊 秦 邱 江 尹 薛 闫 段 雷 侯 龙 史 陶 黎 贺 顾 毛 郝 龚 邵 万 "
            "钱 严 覃 武 戴 莫 孔 向 汤 关 佟 那 富").split()
MALE = list("伟刚勇毅俊峰强军平保东文辉力明永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发武新利"
            "清飞彬富顺信子杰涛昌成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善"
            "厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树"
            "炎德行时泰盛雄琛钧冠策腾楠榕风航弘")
FEMALE = list("秀娟英华慧巧美娜静淑惠珠翠雅芝玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月"
              "莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹"
              "蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢"
              "霄枫芸菲寒伊亚宜可舒影荔枝丽阳妮宝贝初程梵恒鸿桦骅剑娇纪宽灵玛媚琪晴容睿烁堂唯威韦雯"
              "苇萱阅彦宇雨洋忠宗曼紫逸贤蝶菡绿蓝儿翠")
PHONE_PREFIXES = ("130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 "
                  "159 166 173 177 180 181 182 183 185 186 187 188 189 198").split()
# age of the persons: (lowest, highest, weight)
AGES = [(3, 17, 6), (18, 44, 22), (45, 59, 30), (60, 79, 34), (80, 96, 8)]

# The demo's calendar (docs/shenyang-demo.md): month 1's run, then month 2's.
MONTH1 = datetime.date(2026, 10, 9)
MONTH2 = datetime.date(2026, 11, 2)

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def id_check(first17):
    """The GB 11643-1999 check character of the first 17 digits."""
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, WEIGHTS)) % 11]


def pick(rng, weighted):
    """One item of [(item, weight), ...]."""
    return rng.choices([w[0] for w in weighted], [w[1] for w in weighted])[0]


def some(rng, pool, rate_min, total):
    """A sorted sample of pool: rate * total persons, at least the minimum
    (or the whole pool when it is smaller)."""
    rate, least = rate_min
    n = min(len(pool), max(least, round(rate * total)))
    return sorted(rng.sample(pool, n))


def kleene_and(values):
    """Three-valued and (None is unknown), as the rules engine."""
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def decide(p, on, dead):
    """The policy's decision (data/policies/shenyang-disability-premium.json)
    for person p on a day: True granted, False refused, None unknown."""
    return kleene_and([
        p["grade"] in (1, 2),
        p["region"].startswith("2101"),
        None if p["scheme"] is None else p["scheme"] == "resident",
        not (p["index"] in dead and dead[p["index"]] <= on),
    ])


def make_persons(rng, n):
    persons, ids, phones = [], set(), set()
    district_weights = [(d[0], d[2]) for d in DISTRICTS]
    for i in range(n):
        male = rng.random() < 0.55
        outside = rng.random() < SHARE_OUTSIDE
        region = rng.choice(OUTSIDE) if outside else pick(rng, district_weights)
        lo, hi = pick(rng, [((a, b), w) for a, b, w in AGES])
        born = MONTH1 - datetime.timedelta(days=rng.randint(lo * 365 + 1, hi * 365 + 300))
        # the ID's area: mostly where the hukou is, else elsewhere in Liaoning
        area = region if rng.random() < 0.8 else rng.choice([d[0] for d in DISTRICTS] + OUTSIDE[:8])
        while True:
            seq = rng.randint(0, 499) * 2 + (1 if male else 0)
            first = "%s%s%03d" % (area, born.strftime("%Y%m%d"), seq)
            idn = first + id_check(first)
            if idn not in ids:
                ids.add(idn)
                break
        while True:
            phone = rng.choice(PHONE_PREFIXES) + "%08d" % rng.randint(0, 99999999)
            if phone not in phones:
                phones.add(phone)
                break
        given = rng.choice(MALE if male else FEMALE)
        if rng.random() < 0.8:
            given += rng.choice(MALE if male else FEMALE)
        r = rng.random()
        scheme = None if r < SHARE_NOT_ENROLLED else (
            "employee" if r < SHARE_NOT_ENROLLED + SHARE_EMPLOYEE else "resident")
        earliest = max(born + datetime.timedelta(days=365), datetime.date(2008, 1, 1))
        certified = earliest + datetime.timedelta(
            days=rng.randint(0, max(0, (datetime.date(2026, 9, 30) - earliest).days)))
        persons.append({
            "index": i, "id": idn, "name": rng.choice(SURNAMES) + given, "phone": phone,
            "grade": pick(rng, GRADES), "region": region, "scheme": scheme,
            "certified": certified.isoformat(),
        })
    return persons


def write_csv(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)
    return len(rows)


def write_month(folder, persons, grades, dead):
    """One month's three snapshots; returns their row counts."""
    os.makedirs(folder, exist_ok=True)
    rows = {}
    rows["disability"] = write_csv(
        os.path.join(folder, "disability.csv"),
        ["id_number", "name", "phone", "grade", "hukou_region", "certified"],
        [[p["id"], p["name"], p["phone"], grades[p["index"]], p["region"], p["certified"]]
         for p in persons])
    rows["insured"] = write_csv(
        os.path.join(folder, "insured.csv"), ["id_number", "scheme"],
        [[p["id"], p["scheme"]] for p in persons if p["scheme"]])
    rows["deaths"] = write_csv(
        os.path.join(folder, "deaths.csv"), ["id_number", "death_date"],
        [[persons[i]["id"], d.isoformat()] for i, d in sorted(dead.items())])
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("outdir")
    ap.add_argument("--persons", type=int, default=47000)
    ap.add_argument("--seed", type=int, default=2101)
    args = ap.parse_args()
    if args.persons < 100:
        ap.error("--persons: at least 100, so that every kind of person is there")
    rng = random.Random(args.seed)
    persons = make_persons(rng, args.persons)
    n = len(persons)
    os.makedirs(args.outdir, exist_ok=True)

    write_csv(os.path.join(args.outdir, "divisions.csv"), ["code", "name", "level", "parent_code"],
              [["21", "辽宁省", "province", ""], ["2101", "沈阳市", "city", "21"]] +
              [[c, name, "county", "2101"] for c, name, _ in DISTRICTS])

    # month 1: some persons on the register died before it
    everyone = list(range(n))
    died_before = some(rng, everyone, RATE_DIED_BEFORE, n)
    dead1 = {i: MONTH1 - datetime.timedelta(days=rng.randint(1, 400)) for i in died_before}
    grades1 = {p["index"]: p["grade"] for p in persons}
    decided1 = [decide(p, MONTH1, dead1) for p in persons]
    eligible1 = [i for i in everyone if decided1[i] is True]

    # month 2: deaths during month 1 (among the granted and the others),
    # grades re-assessed down (granted) and up (grade 3, otherwise eligible)
    alive = [i for i in everyone if i not in dead1]
    granted = set(eligible1)
    deaths = sorted(some(rng, eligible1, RATE_DEATHS, len(eligible1)) +
                    some(rng, [i for i in alive if i not in granted], RATE_DEATHS, n - len(granted)))
    eligible_alive = [i for i in eligible1 if i not in deaths]
    down = some(rng, eligible_alive, RATE_GRADE_DOWN, n)
    up_pool = [i for i in alive if i not in deaths and grades1[i] == 3 and
               decide(dict(persons[i], grade=2), MONTH2, dead1) is True]
    up = some(rng, up_pool, RATE_GRADE_UP, n)
    dead2 = dict(dead1)
    span = (MONTH2 - MONTH1).days - 1
    for i in deaths:
        dead2[i] = MONTH1 + datetime.timedelta(days=rng.randint(1, span))
    grades2 = dict(grades1)
    for i in down:
        grades2[i] = 3
    for i in up:
        grades2[i] = 2
    persons2 = [dict(p, grade=grades2[p["index"]]) for p in persons]
    decided2 = [decide(p, MONTH2, dead2) for p in persons2]

    rows1 = write_month(os.path.join(args.outdir, "m1"), persons, grades1, dead1)
    rows2 = write_month(os.path.join(args.outdir, "m2"), persons, grades2, dead2)

    in_city = [p for p in persons if p["region"].startswith("2101")]
    revoked_death = [i for i in deaths if i in granted]
    by_district = {c: 0 for c, _, _ in DISTRICTS}
    for i in eligible1:
        by_district[persons[i]["region"]] += 1
    expected = {
        "persons": n,
        "seed": args.seed,
        "districts": len(DISTRICTS),
        "month1": {
            "date": MONTH1.isoformat(),
            "rows": rows1,
            "grade_1_2": sum(1 for p in persons if p["grade"] in (1, 2)),
            "grade_3_4": sum(1 for p in persons if p["grade"] in (3, 4)),
            "outside_city": n - len(in_city),
            "not_enrolled": sum(1 for p in persons if p["scheme"] is None),
            "employee_insured": sum(1 for p in persons if p["scheme"] == "employee"),
            "died_before": len(died_before),
            "eligible": len(eligible1),
            "unknown": sum(1 for d in decided1 if d is None),
            "refused": sum(1 for d in decided1 if d is False),
            "eligible_by_district": by_district,
            "amount_fen": 41000,
        },
        "month2": {
            "date": MONTH2.isoformat(),
            "rows": rows2,
            "deaths": len(deaths),
            "deaths_of_granted": len(revoked_death),
            "grade_down": len(down),
            "grade_up": len(up),
            "revoked": len(revoked_death) + len(down),
            "eligible": sum(1 for d in decided2 if d is True),
            "unknown": sum(1 for d in decided2 if d is None),
            "revoked_by_district": {c: sum(1 for i in revoked_death + down if persons[i]["region"] == c)
                                    for c, _, _ in DISTRICTS},
            # who the revocations are, and from which day (the test checks them)
            "revoked_from": dict(
                sorted([(persons[i]["id"], dead2[i].isoformat()) for i in revoked_death] +
                       [(persons[i]["id"], MONTH2.isoformat()) for i in down])),
        },
    }
    with open(os.path.join(args.outdir, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
