#!/usr/bin/env python3
"""bench/demands_gen.py - inputs of bench/demands.sh, made before any timing.

  texts OUT CSV...
      one JSON object per line, {"title": T, "description": D}: the 留言主题
      (at most 60 characters) and 留言详情 (white space folded, at most 4,000
      characters) of each real complaint that has both.

  fill BACKEND N FIRST_ID FIRST_EVENT_ID NOW T0 GROUPS HANDLERS TEXTS CATEGORIES_C THRESHOLDS_OUT [K...]
      SQL on stdout that adds N open demands (ids FIRST_ID..) with their four
      clocks and their timelines, as the store leaves them (src/store/*_cases.c:
      every column of cases but the generated county; case_clocks rows for
      ack, arrive, followup and resolve, idle ones included; case_events lines
      from "open" on). BACKEND sqlite: INSERT statements in one transaction;
      pg: COPY ... FROM STDIN blocks in one transaction.
        NOW       the fill time (seconds since the epoch); no clock is due then
        T0        the earliest next_check (NOW plus a margin)
        GROUPS    "id<TAB>kind<TAB>region<TAB>region name" lines of the standing
                  groups (county, town, village) of the county
        HANDLERS  user ids of county-wide handlers (county supervisor, department
                  operator): the first receivers of the demands raised on a
                  resident's behalf (12345 hotline, village office)
        TEXTS     the output of `texts`
        CATEGORIES_C  src/cases/categories.c: the category tree and urgencies
        K...      due counts to make exact: THRESHOLDS_OUT gets "K NOW_K" lines,
                  NOW_K an instant at which exactly K demands are due
      The mix of states (open demands only): received 8% (half at the top rung
      with the acknowledgement clock missed, half with it running), acknowledged
      15%, in_progress 47% (6% of them whistled: arrival clock running),
      suspended 5% (resolution clock paused: next_check 0), returned 2%,
      resolved 20% (follow-up clock running), followed_up 3% (dissatisfied,
      waiting to be closed: next_check 0). Rungs 0-4 (70/12/10/5/3%), held by
      the standing group of the rung. Half the running clocks have warned
      already (their next look is the due instant), half not (the warning).
      next_check values are distinct, spread evenly over 30 days from T0 in a
      scattered order of ids, with a gap of GAP seconds (env DEMANDS_GAP,
      default 3600) after the K-th earliest for each K, so that a sweep at
      NOW_K finds exactly K due even if it runs for GAP/2 seconds.
      Clocks are derived backwards from next_check with the default limits
      (working days taken as 7/5 calendar days); a start later than NOW is set
      to NOW (the clock then looks longer than its rule: immaterial to the
      sweep, which compares now with warn_at and due).
      Closed demands too, for the statistics (bench/patrol.sh): env
      DEMANDS_CLOSED (a share, default 0) of the N are closed instead of open,
      chosen by a random stream of their own (the open ones keep the mix above
      among themselves), closed at an instant spread over the DEMANDS_CLOSED_DAYS
      (default 365) days before NOW: acknowledged (in time or not, as the
      rungs climbed say), 5% whistled (arrival clock met), resolved, followed
      up and closed, rated satisfied 80%, fair 12%, dissatisfied 8% (closed by
      a handler after the follow-up); all clocks met, next_check 0.
Only the standard library; deterministic (seeded): the same N gives the same mix,
whatever NOW and T0.
"""
import csv
import json
import os
import random
import re
import sys

csv.field_size_limit(1 << 24)
DAY = 86400
SPAN = 30 * DAY


def cmd_texts(out, paths):
    n = 0
    with open(out, "w", encoding="utf-8") as f:
        for p in paths:
            with open(p, newline="", encoding="utf-8-sig") as g:
                for row in csv.DictReader(g):
                    title = (row.get("留言主题") or "").strip()[:60]
                    desc = " ".join((row.get("留言详情") or "").split())[:4000]
                    if title and desc:
                        f.write(json.dumps({"title": title, "description": desc},
                                           ensure_ascii=False) + "\n")
                        n += 1
    print(n)


# ---- fill ----

STATES = [("received", 0.08), ("acknowledged", 0.15), ("in_progress", 0.47), ("suspended", 0.05),
          ("returned", 0.02), ("resolved", 0.20), ("followed_up", 0.03)]
LEVEL_W = [(0, 0.70), (1, 0.12), (2, 0.10), (3, 0.05), (4, 0.03)]
LEVELS = ["village_duty", "village_owner", "town", "county_department", "county_government"]
RESOLVE_L = {"emergency": 2 * 3600, "utilities": 24 * 3600, "general": 7 * DAY * 7 // 5,
             "complex": 15 * DAY * 7 // 5}
ACK_L, ARRIVE_L, FOLLOWUP_L = 180, 1800, DAY
UNITS = ["县供电公司", "县自来水公司", "县水利局", "县住建局", "县交通运输局", "县生态环境分局", "县人社局"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程"
CALLS = ["大爷", "大娘", "先生", "女士", "师傅", "大姐"]
CASE_COLS = ("id, type, version, state, level, region, group_id, category, urgency, title, "
             "description, address, lat, lon, located, contact_name, contact_phone, resident_id, "
             "source, source_message_id, assignee_user, assignee_group, unit, first_receiver, "
             "returns, whistles, transfers, reopens, escalations, merged_into, rating, "
             "created_at, updated_at, closed_at, next_check")
CLOCK_COLS = "case_id, name, status, started, used, warn_at, due, warned, stopped"
EVENT_COLS = "id, case_id, at, actor, action, from_state, to_state, clock, level, detail"


def pick(rng, weighted):
    u = rng.random()
    for v, w in weighted:
        if u < w:
            return v
        u -= w
    return weighted[-1][0]


def categories(path):
    cats = []
    letters = {"E": "emergency", "U": "utilities", "G": "general", "C": "complex"}
    with open(path, encoding="utf-8") as f:
        for m in re.finditer(r'\{\s*"([a-z.]+)",(?:\s*"[^"]*",)+\s*([EUGC])\b', f.read()):
            cats.append((m.group(1), letters[m.group(2)]))
    if not cats:
        sys.exit("demands_gen: no categories found in " + path)
    return cats


def running(started, limit, event, warned):
    """A running clock whose next look (warning, else due) is `event`."""
    if warned:
        return ["running", started, 0, started + limit * 4 // 5, event, 1, 0]
    return ["running", started, 0, event, started + limit, 0, 0]


IDLE = ["idle", 0, 0, 0, 0, 0, 0]


def clock_on(rng, now, limit, event):
    """A running clock of this limit whose next look is event (warned or not)."""
    warned = rng.random() < 0.5
    started = event - (limit if warned else limit * 4 // 5)
    k = running(started, limit, event, warned)
    if k[1] > now:  # a start in the future: at the fill time instead (no draw: the
        k[1] = now - 60 - event % 3540  # mix must not depend on the fill time)
    return k, warned


def sql_str(s):
    return "'" + s.replace("'", "''") + "'"


def copy_str(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


class Out:
    """Rows of the three tables, written per chunk of cases."""

    def __init__(self, backend, w):
        self.pg = backend == "pg"
        self.w = w
        self.cases, self.clocks, self.events = [], [], []
        self.w("BEGIN;\n")

    def fmt(self, v, boolean=False):
        if self.pg:
            if boolean:
                return "t" if v else "f"
            return copy_str(v) if isinstance(v, str) else str(v)
        return sql_str(v) if isinstance(v, str) else str(v)

    def row(self, vals, bools=()):
        f = [self.fmt(v, i in bools) for i, v in enumerate(vals)]
        return "\t".join(f) if self.pg else "(" + ",".join(f) + ")"

    def flush(self):
        for table, cols, rows in (("cases", CASE_COLS, self.cases),
                                  ("case_clocks", CLOCK_COLS, self.clocks),
                                  ("case_events", EVENT_COLS, self.events)):
            if not rows:
                continue
            if self.pg:
                self.w("COPY %s (%s) FROM STDIN;\n" % (table, cols))
                self.w("\n".join(rows))
                self.w("\n\\.\n")
            else:
                for i in range(0, len(rows), 500):
                    self.w("INSERT INTO %s (%s) VALUES\n%s;\n" % (table, cols, ",\n".join(rows[i:i + 500])))
            rows.clear()

    def end(self):
        self.flush()
        self.w("COMMIT;\n")


def cmd_fill(backend, n, first_id, first_event, now, t0, groups_file, handlers_file, texts_file,
             cats_file, thresholds_out, *ks):
    n, first_id, first_event, now, t0 = int(n), int(first_id), int(first_event), int(now), int(t0)
    gap = int(os.environ.get("DEMANDS_GAP", "3600"))
    closed_share = float(os.environ.get("DEMANDS_CLOSED", "0"))
    closed_days = int(os.environ.get("DEMANDS_CLOSED_DAYS", "365"))
    ks = sorted({int(k) for k in ks if int(k) > 0})
    villages, town_group, county_group, names = [], {}, {}, {}
    with open(groups_file, encoding="utf-8") as f:
        for line in f:
            gid, kind, region, name = line.rstrip("\n").split("\t")
            if kind == "village":
                villages.append((region, int(gid)))
                names[region] = name
            elif kind == "town":
                town_group[region] = int(gid)
            elif kind == "county":
                county_group[region] = int(gid)
    villages.sort()
    with open(handlers_file) as f:
        handlers = [int(x) for x in f.read().split()]
    texts = []
    with open(texts_file, encoding="utf-8") as f:
        for line in f:
            t = json.loads(line)
            texts.append((t["title"], t["description"]))
    cats = categories(cats_file)
    if not villages or not handlers or not texts:
        sys.exit("demands_gen: no villages, handlers or texts")

    # pass 1: the state of each case, and which have a running clock
    rs = random.Random(6)
    states = [pick(rs, STATES) for _ in range(n)]
    if closed_share > 0:
        rcl = random.Random(7)
        states = ["closed" if rcl.random() < closed_share else st for st in states]
    clocked = [i for i in range(n) if states[i] not in ("suspended", "followed_up", "closed")]
    m = len(clocked)
    ks = [k for k in ks if k <= m]
    mult = 1000003
    while m and m % mult == 0:
        mult += 2
    rank = [0] * n
    for j, i in enumerate(clocked):
        rank[i] = (j * mult) % m

    def nc_of(r):
        return t0 + r * SPAN // m + gap * sum(1 for k in ks if r >= k)

    with open(thresholds_out, "w") as f:
        for k in ks:
            f.write("%d %d\n" % (k, nc_of(k - 1) + gap // 2))

    rng = random.Random(2026)
    w = sys.stdout.write
    out = Out(backend, w)
    ev_id = first_event
    counts = {}
    for i in range(n):
        cid = first_id + i
        state = states[i]
        counts[state] = counts.get(state, 0) + 1
        code, urgency = cats[rng.randrange(len(cats))]
        region, vgroup = villages[rng.randrange(len(villages))]
        town, county = region[:9], region[:6]
        title, desc = texts[(i * 7919) % len(texts)]
        level = pick(rng, LEVEL_W)
        fr = handlers[i % len(handlers)]
        Lr = RESOLVE_L[urgency]
        nc = nc_of(rank[i]) if state not in ("suspended", "followed_up", "closed") else 0
        ack, resolve, arrive, followup = IDLE[:], IDLE[:], IDLE[:], IDLE[:]
        lines = []  # (action, from, to, clock, level, detail, actor): after "open"
        version = 1
        unit, whistles, returns, rating, closed_at = "", 0, 0, "", 0
        variant = ""
        if state == "received":
            if urgency == "emergency" or rng.random() < 0.5:
                variant = "top"
                level = 4
            else:
                variant = "ack"
                level = min(level, 1)
        # the rungs climbed: each a missed acknowledgement clock (nobody took it)
        for k in range(1, level + 1):
            lines.append(("clock.missed", "received", "received", "ack", k - 1, "", 0))
            lines.append(("escalated", "received", "received", "ack", k, LEVELS[k], 0))
            version += 1
        warned = False
        if state == "received" and variant == "ack":
            ack, warned = clock_on(rng, now, ACK_L, nc)
            s0 = ack[1]
            resolve = running(s0, Lr, s0 + Lr * 4 // 5, False)
            if warned:
                lines.append(("clock.warning", "received", "received", "ack", level, "", 0))
                version += 1
        else:
            if state == "received":  # at the top: the acknowledgement clock missed for good
                resolve, warned = clock_on(rng, now, Lr, nc)
                s0 = min(resolve[1], now - 600) - level * 180 - rng.randrange(0, 600)
                ack = ["missed", s0 + level * 180, 0, 0, 0, 1, s0 + (level + 1) * 180]
                lines.append(("clock.missed", "received", "received", "ack", level, "", 0))
                version += 1
                if warned:
                    lines.append(("clock.warning", "received", "received", "resolve", level, "", 0))
                    version += 1
            elif state == "resolved":
                followup, warned = clock_on(rng, now, FOLLOWUP_L, nc)
                t_res = min(followup[1], now - 300)
                s0 = t_res - rng.randrange(3600, 5 * DAY)
                resolve = ["met", s0, 0, 0, 0, int(rng.random() < 0.3), t_res]
            elif state == "followed_up":
                t_conf = now - rng.randrange(3600, 3 * DAY)
                t_res = t_conf - rng.randrange(600, DAY)
                s0 = t_res - rng.randrange(3600, 5 * DAY)
                resolve = ["met", s0, 0, 0, 0, 0, t_res]
                followup = ["met", t_res, 0, 0, 0, 0, t_conf]
                rating = "dissatisfied"
            elif state == "closed":
                rating = pick(rng, [("satisfied", 0.80), ("fair", 0.12), ("dissatisfied", 0.08)])
                closed_at = now - rng.randrange(3600, closed_days * DAY)
                t_conf = closed_at - (rng.randrange(600, 3 * DAY) if rating == "dissatisfied" else 0)
                t_res = t_conf - rng.randrange(600, DAY)
                s0 = t_res - rng.randrange(1800, min(Lr, 10 * DAY) + 1800)
                resolve = ["met", s0, 0, 0, 0, int(rng.random() < 0.3), t_res]
                followup = ["met", t_res, 0, 0, 0, 0, t_conf]
                if urgency != "emergency" and rng.random() < 0.05:
                    arrive = ["met", s0 + 600, 0, 0, 0, 0, s0 + 600 + rng.randrange(300, ARRIVE_L)]
            elif state == "suspended":
                s0 = now - rng.randrange(DAY, 10 * DAY)
                used = rng.randrange(1, max(2, Lr * 3 // 5 // 60))
                resolve = ["paused", s0, used, 0, 0, 0, 0]
            else:  # acknowledged, in_progress, returned: the resolution clock runs
                whistled = state == "in_progress" and urgency != "emergency" and rng.random() < 0.06
                if whistled:
                    arrive, warned = clock_on(rng, now, ARRIVE_L, nc)
                    e = nc + rng.randrange(60, max(61, Lr * 4 // 5 - ARRIVE_L))
                    resolve = running(e - Lr * 4 // 5, Lr, e, False)
                    if resolve[1] > now:
                        resolve[1] = now - 60 - e % 3540
                else:
                    resolve, warned = clock_on(rng, now, Lr, nc)
                s0 = min(resolve[1], now - 600) - rng.randrange(0, 600)
            if state != "received":  # acknowledged at the rung it had reached
                t_ack = s0 + level * 180 + rng.randrange(20, 175)
                ack = ["met", s0 + level * 180, 0, 0, 0, int(t_ack - s0 - level * 180 >= 120), t_ack]
                lines.append(("acknowledge", "received", "acknowledged", "", level, "", fr))
                version += 1
                cur = "acknowledged"
                if state in ("in_progress", "suspended", "returned", "resolved", "followed_up", "closed"):
                    lines.append(("start", "acknowledged", "in_progress", "", level, "", fr))
                    version += 1
                    cur = "in_progress"
                if arrive[0] != "idle":
                    unit = UNITS[rng.randrange(len(UNITS))]
                    whistles = 1
                    lines.append(("whistle", cur, cur, "", level, "需" + unit + "到场处理", fr))
                    version += 1
                if state == "suspended":
                    lines.append(("suspend", cur, "suspended", "", level, "等待相关部门鉴定结果", fr))
                    version += 1
                elif state == "returned":
                    returns = 1
                    lines.append(("return", cur, "returned", "", level,
                                  "不属本级职责；依据：《中华人民共和国村民委员会组织法》第二条", fr))
                    version += 1
                elif state in ("resolved", "followed_up", "closed"):
                    lines.append(("resolve", cur, "resolved", "", level, "已派人现场处理完毕", fr))
                    version += 1
                    if state in ("followed_up", "closed"):
                        lines.append(("confirm", "resolved", "followed_up", "", level, "", fr))
                        version += 1
                    if state == "closed":
                        lines.append(("close", "followed_up", "closed", "", level, "", fr))
                        version += 1
                if warned:
                    k = "arrive" if arrive[0] == "running" else (
                        "followup" if state == "resolved" else "resolve")
                    lines.append(("clock.warning", state, state, k, level, "", 0))
                    version += 1
        created = min(s0, now - 600)
        end = max(created + 60, min(now - 60, max(c[1] for c in (ack, resolve, arrive, followup))))
        if closed_at:
            end = closed_at
        step = (end - created) // (len(lines) + 1)
        group = vgroup if level <= 1 else (town_group.get(town, vgroup) if level == 2
                                           else county_group.get(county, vgroup))
        located = rng.random() < 0.3
        lat = round(33.3 + rng.random() * 0.3, 6) if located else 0
        lon = round(114.7 + rng.random() * 0.3, 6) if located else 0
        address = "%s%d组" % (names[region].replace("村委会", "村").replace("居委会", "社区"),
                              rng.randrange(1, 12)) if rng.random() < 0.4 else ""
        if rng.random() < 0.5:
            cname = SURNAMES[rng.randrange(len(SURNAMES))] + CALLS[rng.randrange(len(CALLS))]
            cphone = "1%d%09d" % (rng.choice((3, 5, 7, 8, 9)), rng.randrange(10 ** 9))
        else:
            cname = cphone = ""
        updated = created + step * len(lines) if lines else created
        out.cases.append(out.row([
            cid, "demand", version, state, level, region, vgroup, code, urgency, title, desc,
            address, lat, lon, 1 if located else 0, cname, cphone, 0, "app", 0, 0, group, unit, fr,
            returns, whistles, 0, 0, level, 0, rating, created, updated, closed_at, nc], bools=(14,)))
        for name, k in (("ack", ack), ("arrive", arrive), ("followup", followup), ("resolve", resolve)):
            out.clocks.append(out.row([cid, name] + k, bools=(7,)))
        out.events.append(out.row([ev_id, cid, created, fr, "open", "", "received", "", 0, "", ]))
        ev_id += 1
        for j, (action, frm, to, clock, lvl, detail, actor) in enumerate(lines):
            out.events.append(out.row([ev_id, cid, created + step * (j + 1), actor, action, frm, to,
                                       clock, lvl, detail]))
            ev_id += 1
        if (i + 1) % 20000 == 0:
            out.flush()
    out.end()
    sys.stderr.write("demands_gen: %d demands (%s), %d with a running clock, %d timeline lines; "
                     "next_check %d..%d\n" % (n, ", ".join("%s %d" % (s, counts.get(s, 0))
                                                           for s, _ in STATES + [("closed", 0)]),
                                              m, ev_id - first_event, t0, nc_of(m - 1) if m else 0))


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    {"texts": lambda: cmd_texts(args[0], args[1:]),
     "fill": lambda: cmd_fill(*args)}[cmd]()
