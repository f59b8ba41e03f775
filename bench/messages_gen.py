#!/usr/bin/env python3
"""bench/messages_gen.py - inputs of bench/messages.sh, made before any timing.

  texts OUT CSV...          one JSON string per line: real message texts (the
                            留言主题 of each complaint, and its 留言详情 cut
                            into chat-sized pieces of at most 120 characters)
  ingest DIR TEXTS PREFIX START COUNT GROUPS_FILE
                            DIR/body-NNNNNN.json, 1,000 messages each (the last
                            may be shorter): keys PREFIX-START.., groups taken
                            in turn from GROUPS_FILE (one id a line), texts in
                            turn from TEXTS, authors from a list of names;
                            with BENCH_INGEST_KEYS=random each key is instead
                            20 hex digits of a hash of PREFIX-N, like another
                            platform's message ids (no order: each lands
                            anywhere in the keys' B-tree)
  rosters DIR GROUPS_FILE TOTAL PHONE0
                            DIR/roster-GID.csv per group of GROUPS_FILE, TOTAL
                            households in all (spread evenly), phones PHONE0..
  words OUT CSV...          2- to 4-character Chinese search words: a fixed list
                            of everyday words, kept when they occur in the texts
Only the standard library; deterministic (no randomness).
"""
import csv
import hashlib
import json
import os
import sys

csv.field_size_limit(1 << 24)


def real_texts(paths):
    out = []
    for p in paths:
        with open(p, newline="", encoding="utf-8-sig") as f:
            for row in csv.DictReader(f):
                subj = (row.get("留言主题") or "").strip()
                det = " ".join((row.get("留言详情") or "").split())
                if subj:
                    out.append(subj)
                # chat-sized pieces of the detail, cut at a sentence end when one is near
                while det:
                    piece = det[:120]
                    if len(det) > 120:
                        cut = max(piece.rfind(c) for c in "。！？；")
                        if cut >= 20:
                            piece = piece[: cut + 1]
                    out.append(piece)
                    det = det[len(piece):].strip()
    return [t for t in out if t]


def cmd_texts(out, paths):
    texts = real_texts(paths)
    with open(out, "w", encoding="utf-8") as f:
        for t in texts:
            f.write(json.dumps(t, ensure_ascii=False) + "\n")
    print(len(texts))


AUTHORS = ["老李（微信）", "王大姐（微信）", "张师傅（微信）", "小刘（微信）", "赵会计（微信）",
           "陈老师（微信）", "杨村医（微信）", "周电工（微信）", "吴婶（微信）", "郑大爷（微信）"]


def cmd_ingest(d, texts_file, prefix, start, count, groups_file):
    start, count = int(start), int(count)
    with open(texts_file, encoding="utf-8") as f:
        texts = [line.rstrip("\n") for line in f]
    with open(groups_file) as f:
        groups = [int(x) for x in f.read().split()]
    authors = [json.dumps(a, ensure_ascii=False) for a in AUTHORS]
    os.makedirs(d, exist_ok=True)
    if os.environ.get("BENCH_INGEST_KEYS", "seq") == "random":
        def key(i):
            return hashlib.blake2b(("%s-%d" % (prefix, i)).encode(), digest_size=10).hexdigest()
    else:
        def key(i):
            return "%s-%d" % (prefix, i)
    n = 0
    b = 0
    while n < count:
        k = min(1000, count - n)
        items = []
        for i in range(start + n, start + n + k):
            items.append('{"key":"%s","group":%d,"author":%s,"text":%s}' % (
                key(i), groups[i % len(groups)], authors[i % len(authors)],
                texts[(i * 7919) % len(texts)]))
        with open(os.path.join(d, "body-%06d.json" % b), "w", encoding="utf-8") as f:
            f.write('{"messages":[' + ",".join(items) + "]}")
        n += k
        b += 1
    print(b)


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "秀英桂英建国建华志强玉兰明德海燕春梅国庆淑珍丽娟红霞文华振华永刚德胜金凤凤英保国俊杰"


def cmd_rosters(d, groups_file, total, phone0):
    total, phone = int(total), int(phone0)
    with open(groups_file) as f:
        groups = [int(x) for x in f.read().split()]
    os.makedirs(d, exist_ok=True)
    per, extra = divmod(total, len(groups))
    for gi, g in enumerate(groups):
        n = per + (1 if gi < extra else 0)
        lines = ["姓名,手机号,住址"]
        for i in range(n):
            name = SURNAMES[phone % len(SURNAMES)] + GIVEN[(phone // 7) % (len(GIVEN) - 1):][:2]
            lines.append("%s,%d,%d组%d号" % (name, phone, i // 40 + 1, i % 40 + 1))
            phone += 1
        with open(os.path.join(d, "roster-%d.csv" % g), "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
    print(phone - int(phone0))


WORDS = """停水 停电 噪音 拆迁 物业 社保 医保 水费 电费 药费 街道办 路灯 垃圾 停车 学校 幼儿园
工资 拖欠工资 补贴 公积金 户口 落户 房产证 不动产 小区 业主 开发商 装修 污染 油烟 扰民 施工
违建 违章建筑 马路 公交 地铁 出租车 农村 土地 征地 补偿款 养老 退休 低保 残疾 教师 医院
医生 看病 高速 红绿灯 人行道 下水道 自来水 燃气 供暖 网络 宽带 快递 学区 入学 招生 考试
环保 绿化 广场舞 超市 菜市场 市场 摊贩 城管 派出所 交警 消防 安全隐患 电梯 维修 漏水 排水
积水 道路 修路 门牌 产权 租房 中介 房租 买房 购房 贷款 商铺 烂尾 质量 投诉 举报 部门 政府
书记 市长 领导 请求 希望 解决 问题 什么时候 为什么 怎么办 合法 收费 乱收费 罚款 村民 居民""".split()


def cmd_words(out, paths):
    texts = real_texts(paths)
    blob = "\n".join(texts)
    kept = [w for w in WORDS if 2 <= len(w) <= 4 and w in blob]
    with open(out, "w", encoding="utf-8") as f:
        for w in kept:
            f.write(w + "\n")
    print(len(kept))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"texts": lambda: cmd_texts(args[0], args[1:]),
     "ingest": lambda: cmd_ingest(*args),
     "rosters": lambda: cmd_rosters(*args),
     "words": lambda: cmd_words(args[0], args[1:])}[cmd]()
