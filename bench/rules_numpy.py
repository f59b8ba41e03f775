#!/usr/bin/env python3
"""bench/rules_numpy.py DIR [RUNS] - the rules benchmark's policies as a NumPy
vectorised evaluation over the persons bench/rules_bench wrote to DIR/cols/,
at 2026-03-01, with the engine's null rule (a comparison over a missing value
never grants). Prints the granted count and amount sum per policy (to compare
with the C run's) and the best time of RUNS. Needs Debian's python3-numpy.
"""
import json
import sys
import time

import numpy as np

DAY = "2026-03-01"


def load(d):
    cols = {}
    for name in ["grade", "birth", "region", "insurance", "household", "income", "death_date"]:
        v = np.fromfile("%s/cols/%s.i32" % (d, name), dtype=np.int32)
        p = np.fromfile("%s/cols/%s.present" % (d, name), dtype=np.bool_)
        cols[name] = (v, p)
    with open("%s/cols/strings.txt" % d, encoding="utf-8") as f:
        strings = np.array(f.read().split("\n")[:-1])
    return cols, strings


def threshold(years):
    """The latest birth date (day number) of a person aged `years` on DAY."""
    y, rest = DAY.split("-", 1)
    return int(np.datetime64("%04d-%s" % (int(y) - years, rest)).astype("datetime64[D]").astype(np.int64))


def evaluate(spec, cols, strings):
    sid = {s: i for i, s in enumerate(strings.tolist()) if not s.startswith("h")}
    resident = sid.get("resident", -1)
    grade, gp = cols["grade"]
    birth, bp = cols["birth"]
    region, rp = cols["region"]
    ins, ip = cols["insurance"]
    hh, hp = cols["household"]
    income, incp = cols["income"]
    _, dp = cols["death_date"]
    within_cache = {}

    def within(prefix):
        if prefix not in within_cache:
            tab = np.char.startswith(strings, prefix)
            within_cache[prefix] = tab[region] & rp
        return within_cache[prefix]

    out = []
    for p in spec:
        s = p["shape"]
        if s == "disability":
            cond = gp & np.isin(grade, p["grades"]) & within(p["region"]) & ip & (ins == resident) & ~dp
        elif s == "elderly":
            cond = bp & (birth <= threshold(p["age"])) & within(p["region"]) & incp & \
                (income < p["income"] * 100)
        elif s == "children":
            kid = hp & bp & (birth > threshold(16))
            counts = np.bincount(hh[kid], minlength=len(strings))
            cond = hp & (counts[hh] >= p["kids"]) & incp & (income < p["income"] * 100) & within(p["region"])
        else:
            cond = gp & np.isin(grade, p["grades"]) & bp & (birth > threshold(p["age"])) & ip & \
                (ins == resident)
        amount = np.where(cond, p["amount"] * 100, 0)
        out.append((p["id"], int(cond.sum()), int(amount.sum())))
    return out


def main():
    d = sys.argv[1]
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with open("%s/spec.json" % d) as f:
        spec = json.load(f)
    for i, p in enumerate(spec):
        p["id"] = "bench.%02d_%s" % (i, p["shape"])
    cols, strings = load(d)
    n = len(cols["grade"][0])
    best = 1e9
    for _ in range(runs):
        t = time.process_time()
        res = evaluate(spec, cols, strings)
        best = min(best, time.process_time() - t)
    for pid, granted, fen in res:
        print("policy %s granted %d amount_fen %d" % (pid, granted, fen))
    print("numpy %s: %d persons x %d policies in %.3f s (best of %d) = %.1f M person-policies/s"
          % (np.__version__, n, len(spec), best, runs, n * len(spec) / best / 1e6))


if __name__ == "__main__":
    main()
