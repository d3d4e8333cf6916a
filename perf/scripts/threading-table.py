#!/usr/bin/env python3
"""The threading-mode comparison's table: every goal of issue 12 per mode, from the
load.json files and idle.txt that perf/scripts/threading-compare.sh wrote under OUT/<mode>/.
Usage: threading-table.py OUT MODE [MODE ...]"""
import json
import os
import re
import sys

out, modes = sys.argv[1], sys.argv[2:]


def load(mode, run):
    path = os.path.join(out, mode, run, "load.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f)


def ratios(mode, run):
    report = load(mode, run)
    return report["ratios"] if report else []


def p50(mode, run, target, measure="ack"):
    report = load(mode, run)
    if not report:
        return None
    for t in report["targets"]:
        if t["target"] == target and measure in t["latencies"]:
            return t["latencies"][measure]
    return None


rows = {}  # what -> {mode: (value, relation, goal, met)}
order = []
for mode in modes:
    for run in ["ouch", "fix", "fix-depth", "ouch-open"]:
        for r in ratios(mode, run):
            what = r["what"]
            if run == "fix-depth" and "throughput" not in what:
                what = what + " [16 in flight]"
            if what not in rows:
                rows[what] = {}
                order.append(what)
            rows[what][mode] = (r["value"], r["relation"], r["goal"], r["met"])
    idle = os.path.join(out, mode, "idle.txt")
    if os.path.exists(idle):
        m = re.search(r"([0-9.]+)% of one core", open(idle).read())
        if m:
            what = "idle gateway, % of one core"
            if what not in rows:
                rows[what] = {}
                order.append(what)
            v = float(m.group(1))
            rows[what][mode] = (v, "<", 2.0, v < 2.0)

print()
print("Threading modes against the goals (one run, same machine; ratios from each invocation's own floor/QuickFIX)")
for mode in modes:
    for run, label in [("ouch", "OUCH"), ("fix", "FIX"), ("fix-depth", "FIX deep")]:
        g, f, q = p50(mode, run, "gateway"), p50(mode, run, "floor"), p50(mode, run, "quickfix")
        parts = []
        for name, s in [("gateway", g), ("floor", f), ("QuickFIX", q)]:
            if s:
                parts.append("%s p50 %.1f p99 %.1f" % (name, s["p50"], s["p99"]))
        if parts:
            print("  %-20s %-8s %s" % (mode, label, "; ".join(parts)))
print()
width = max([len(w) for w in order] + [10])
print("%-*s  %s  %s" % (width, "goal", "  ".join("%-18s" % m for m in modes), "target"))
for what in order:
    cells = []
    target = ""
    for mode in modes:
        if mode in rows[what]:
            v, rel, goal, met = rows[what][mode]
            cells.append("%-18s" % ("%.3g %s" % (v, "met" if met else "MISSED")))
            target = "%s %.3g" % (rel, goal)
        else:
            cells.append("%-18s" % "-")
    print("%-*s  %s  %s" % (width, what, "  ".join(cells), target))
