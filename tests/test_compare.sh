#!/usr/bin/env bash
# scripts/compare on 2 samplers x 2 seeds with tiny budgets: compare.csv and compare.md have one
# row per sampler, and their medians and quartiles equal those computed here from the runs'
# summary.json files; a second call collects the existing runs instead of rerunning them.
set -euo pipefail
src=${PINNSOLVE_SOURCE_DIR:?}
bin=${PINNSOLVE_BIN:?}
py=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

args=("$src/problems/burgers.toml" --samplers rad,uniform --seeds 2 --out "$work/cmp" --bin "$bin"
      --set network.hidden=[8,8] --set points.n=200 --set trainer.adam_steps=60 --set trainer.lbfgs_steps=30
      --set trainer.eval_every=30 --set evaluation.points=[32,16] --set adaptive.rounds=2
      --set adaptive.adam_steps=0 --set adaptive.lbfgs_steps=20 --set sampler.pool_size=1000)
$py "$src/scripts/compare" "${args[@]}" > "$work/first.md"
stamp=$(stat -c %Y "$work/cmp/rad-s1/summary.json")
$py "$src/scripts/compare" "${args[@]}" > "$work/second.md"

$py - "$work" "$stamp" <<'EOF'
import csv, json, os, sys
import numpy as np
work, stamp = sys.argv[1], int(sys.argv[2])
out = os.path.join(work, "cmp")
fail = []
rows = list(csv.DictReader(open(os.path.join(out, "compare.csv"))))
if [r["sampler"] for r in rows] != ["rad", "uniform"]:
    fail.append("compare.csv rows %s" % [r["sampler"] for r in rows])
for r in rows:
    sums = [json.load(open(os.path.join(out, "%s-s%d" % (r["sampler"], s), "summary.json"))) for s in (1, 2)]
    if any(s["sampler"] != r["sampler"] or s["rounds"] != 2 for s in sums):
        fail.append("%s: runs have the wrong sampler or rounds" % r["sampler"])
    values = {"l2": [s["relative_l2"] for s in sums], "wall": [s["wall_seconds"] for s in sums],
              "share": [(s["fit_seconds"] + s["sample_seconds"] + s["pool_seconds"]) / s["wall_seconds"]
                        for s in sums]}
    if int(r["runs"]) != 2 or int(r["failed"]) != 0:
        fail.append("%s: runs %s failed %s" % (r["sampler"], r["runs"], r["failed"]))
    for key, v in values.items():
        # two seeds: median = mean; quartiles by linear interpolation at 1/4 and 3/4 of the way
        lo, hi = min(v), max(v)
        want = {"median": (lo + hi) / 2, "q25": lo + 0.25 * (hi - lo), "q75": lo + 0.75 * (hi - lo)}
        for stat, w in want.items():
            got = float(r["%s_%s" % (key, stat)])
            if not abs(got - w) <= 1e-8 * abs(w):
                fail.append("%s %s_%s = %r, expected %r" % (r["sampler"], key, stat, got, w))
    if not values["l2"][0] != values["l2"][1]:
        fail.append("%s: seeds 1 and 2 gave the same L2 (seed not passed?)" % r["sampler"])
md = open(os.path.join(out, "compare.md")).read()
for r in rows:
    line = [l for l in md.splitlines() if l.startswith("| %s |" % r["sampler"])]
    if len(line) != 1 or ("%.3e" % float(r["l2_median"])) not in line[0]:
        fail.append("compare.md row for %s: %s" % (r["sampler"], line))
if not os.path.getsize(os.path.join(out, "compare_l2_vs_wall.png")) > 5000:
    fail.append("compare_l2_vs_wall.png missing or empty")
if int(os.stat(os.path.join(out, "rad-s1", "summary.json")).st_mtime) != stamp:
    fail.append("the second call reran rad-s1 instead of collecting it")
if open(os.path.join(work, "first.md")).read() != open(os.path.join(work, "second.md")).read():
    fail.append("collecting the existing runs gave a different table")
if fail:
    print("test_compare: FAIL:\n  " + "\n  ".join(fail))
    sys.exit(1)
print("test_compare: rows, medians and quartiles match the runs' summary.json")
print("test_compare: 1 passed, 0 failed")
EOF
