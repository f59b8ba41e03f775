#!/usr/bin/env python3
"""bench/rules_gen.py DIR - the 20 policies of the rules benchmark.

Writes DIR/policies/NN.json (bianmin policy files) and DIR/spec.json (the same
policies as data for the NumPy and json-rules-engine runs). Four shapes, each
with variants of grades, ages, regions, amounts and household counts:

  disability  grade in G and within(region, R) and insurance = "resident"
              and missing(death_date)                      (Shenyang, issue 9)
  elderly     age(birth) >= A and within(region, R) and income < X
  children    count(household, age(birth) < 16) >= K and income < X
              and within(region, R)
  young_dis   grade in G and age(birth) < A and insurance = "resident"
"""
import json
import os
import sys

INPUTS = {
    "grade": "int", "birth": "date", "region": "string", "insurance": "string",
    "household": "string", "income": "decimal", "death_date": "date",
}


def policies():
    out = []
    regions = ["2101", "2102", "2103", "21", "210102", "210112"]
    for i, (g, r) in enumerate([([1, 2], "2101"), ([1, 2], "2102"), ([1], "21"), ([1, 2, 3], "2101"),
                                ([2], "2103")]):
        out.append({"shape": "disability", "grades": g, "region": r, "amount": 380 + 10 * i,
                    "benefit": "premium" if i < 2 else "premium_%d" % i})
    for i, (a, r, x) in enumerate([(60, "2101", 3000), (65, "21", 2500), (70, "2102", 4000),
                                   (80, "2101", 10000), (60, "210102", 1500)]):
        out.append({"shape": "elderly", "age": a, "region": r, "income": x, "amount": 100 + 50 * i,
                    "benefit": "elderly_%d" % i})
    for i, (k, x, r) in enumerate([(2, 2000, "2101"), (3, 3000, "21"), (1, 1500, "2102"),
                                   (2, 2500, "2103"), (4, 5000, "2101")]):
        out.append({"shape": "children", "kids": k, "income": x, "region": r, "amount": 200 + 20 * i,
                    "benefit": "children_%d" % i})
    for i, (g, a) in enumerate([([1, 2], 18), ([1, 2, 3], 16), ([1], 60), ([3, 4], 30), ([1, 2], 6)]):
        out.append({"shape": "young_dis", "grades": g, "age": a, "amount": 150 + 25 * i,
                    "benefit": "young_dis_%d" % i})
    assert len(out) == 20 and all(p.get("region", "21") in regions for p in out)
    return out


def condition(p):
    s = p["shape"]
    if s == "disability":
        return ("grade in [%s] and within(region, \"%s\") and insurance = \"resident\" "
                "and missing(death_date)" % (", ".join(map(str, p["grades"])), p["region"]))
    if s == "elderly":
        return "age(birth) >= %d and within(region, \"%s\") and income < %d" % (
            p["age"], p["region"], p["income"])
    if s == "children":
        return ("count(household, age(birth) < 16) >= %d and income < %d and within(region, \"%s\")"
                % (p["kids"], p["income"], p["region"]))
    return "grade in [%s] and age(birth) < %d and insurance = \"resident\"" % (
        ", ".join(map(str, p["grades"])), p["age"])


def main():
    d = sys.argv[1]
    os.makedirs(os.path.join(d, "policies"), exist_ok=True)
    spec = policies()
    for i, p in enumerate(spec):
        p["id"] = "bench.%02d_%s" % (i, p["shape"])
        doc = {"id": p["id"], "name": p["id"], "benefit": p["benefit"], "period": "yearly",
               "inputs": INPUTS,
               "parameters": {"amount": [{"from": "2025-01-01", "value": p["amount"] - 10},
                                         {"from": "2026-01-01", "value": p["amount"]}]},
               "condition": condition(p), "amount": "amount"}
        with open(os.path.join(d, "policies", "%02d.json" % i), "w") as f:
            json.dump(doc, f, ensure_ascii=False, indent=1)
    with open(os.path.join(d, "spec.json"), "w") as f:
        json.dump(spec, f, indent=1)


if __name__ == "__main__":
    main()
