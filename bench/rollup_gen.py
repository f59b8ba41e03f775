#!/usr/bin/env python3
"""bench/rollup_gen.py - the statistics rollup (sql/*/0019_stats_rollup.sql) that a
county with N demands would have, written directly, for bench/patrol.sh: filling
10 M demands themselves takes about half an hour, while a statistics read touches
only the rollup, whose size depends on regions x days and on the distinct
first-response times per row, not on the demands behind it.

  fill BACKEND N DAY0 DAYS VILLAGES
      SQL on stdout (BACKEND sqlite: INSERT statements in one transaction; pg: one
      COPY block) adding to stats_rollup the rows of N demands spread evenly over
      the VILLAGES file's codes (one per line) and the DAYS days from DAY0 (the
      instant of a day's 00:00 in China time): about N / (villages x days) per
      row, each row's count drawn around that mean. Each demand is drawn as
      bench/demands_gen.py draws its closed ones: the rung it climbed (0-4 in
      70/12/10/5/3%, each rung a missed acknowledgement clock, so overdue and not
      responded from rung 1), acknowledged at rung x 180 + 20..174 seconds,
      resolved and rated (satisfied 80%, fair 12%, dissatisfied 8%), 5% whistled,
      first-line when at rung 0. The first-response histogram is written as the
      store writes it (store_stats_bucket: to the second under one hour).
Only the standard library; deterministic (seeded).
"""
import random
import sys

LEVEL_W = [(0, 0.70), (1, 0.12), (2, 0.10), (3, 0.05), (4, 0.03)]
RATING_W = [("satisfied", 0.80), ("fair", 0.12), ("dissatisfied", 0.08)]


def pick(rng, weights):
    x, acc = rng.random(), 0.0
    for v, w in weights:
        acc += w
        if x < acc:
            return v
    return weights[-1][0]


def bucket(s):
    if s < 3600:
        return max(s, 0)
    if s < 86400:
        return s - s % 60
    if s < 31536000:
        return s - s % 3600
    return 31536000


def row(rng, n):
    """The figures of n demands: counts, acknowledged, times text."""
    responded = satisfied = first_line = whistled = overdue = 0
    hist = {}
    for _ in range(n):
        level = pick(rng, LEVEL_W)
        t = level * 180 + rng.randrange(20, 175)
        b = bucket(t)
        hist[b] = hist.get(b, 0) + 1
        if level == 0:
            responded += 1
            first_line += 1
        else:
            overdue += 1
        if pick(rng, RATING_W) != "dissatisfied":
            satisfied += 1
        if rng.random() < 0.05:
            whistled += 1
    times = ",".join("%d:%d" % (s, hist[s]) for s in sorted(hist))
    # demands responded resolved rated satisfied first_line returned whistled overdue
    return [n, responded, n, n, satisfied, first_line, 0, whistled, overdue], n, times


def cmd_fill(backend, n, day0, days, villages_file):
    with open(villages_file) as f:
        villages = [line.strip() for line in f if line.strip()]
    rng = random.Random(20261129)
    cells = len(villages) * days
    mean = n / cells
    out = sys.stdout
    cols = ("region, day, demands, responded, resolved, rated, satisfied, first_line, "
            "returned, whistled, overdue, acknowledged, times")
    if backend == "pg":
        out.write("BEGIN;\nCOPY stats_rollup(%s) FROM STDIN;\n" % cols)
    else:
        out.write("BEGIN;\n")
    left, total = cells, 0
    for v in villages:
        for d in range(days):
            # the remaining demands shared over the remaining cells, +-20%
            m = (n - total) / left
            k = max(0, int(round(rng.uniform(0.8, 1.2) * m))) if left > 1 else n - total
            left -= 1
            total += k
            if k == 0:
                continue
            counts, acked, times = row(rng, k)
            day = day0 + d * 86400
            vals = [v, str(day)] + [str(c) for c in counts] + [str(acked), times]
            if backend == "pg":
                out.write("\t".join(vals) + "\n")
            else:
                out.write("INSERT INTO stats_rollup(%s) VALUES ('%s', %s, '%s');\n"
                          % (cols, v, ", ".join(vals[1:-1]), times))
    out.write("\\.\nCOMMIT;\n" if backend == "pg" else "COMMIT;\n")
    sys.stderr.write("rollup_gen: %d demands in %d rows (%d villages x %d days)\n"
                     % (total, cells, len(villages), days))


if __name__ == "__main__":
    if len(sys.argv) == 7 and sys.argv[1] == "fill":
        cmd_fill(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6])
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)
