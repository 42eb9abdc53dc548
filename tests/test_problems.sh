#!/usr/bin/env bash
# Every problems/*.toml runs end to end with every sampler pinnsolve lists (tiny budgets: a few
# Adam and L-BFGS steps, two adaptive rounds of 200 points, small flows), exits 0, prints a finite
# relative L2 error and writes summary.json with the reference error.
set -u
bin=${PINNSOLVE_BIN:?} src=${PINNSOLVE_SOURCE_DIR:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

samplers=$("$bin" --help | sed -n 's/^samplers: //p')
[ -n "$samplers" ] || { echo "FAIL: no samplers in pinnsolve --help"; exit 1; }

tiny=(--set points.n=200 --set trainer.adam_steps=5 --set trainer.lbfgs_steps=3
      --set trainer.eval_every=100 --set network.hidden=[16,16]
      --set adaptive.rounds=2 --set adaptive.adam_steps=3 --set adaptive.lbfgs_steps=2
      --set sampler.pool_size=1000
      --set sampler.realnvp_layers=2 --set sampler.realnvp_epochs=2
      --set sampler.spline_layers=2 --set sampler.spline_epochs=2
      --set sampler.fm_train_steps=20 --set sampler.fm_ode_steps=5)

for file in "$src"/problems/*.toml; do
  name=$(basename "$file" .toml)
  extra=()
  case "$name" in
  allen_cahn*) extra=(--set "evaluation.points=[64,21]") ;;
  poisson_peak_10d*) extra=(--set evaluation.random_points=500) ;;
  *) extra=(--set "evaluation.points=[21,21]") ;;
  esac
  for s in $samplers; do
    out="$work/$name-$s"
    if ! "$bin" "$file" --quiet --out "$out" "${tiny[@]}" "${extra[@]}" --set sampler.kind="$s" \
        > "$work/stdout" 2> "$work/stderr"; then
      fail "$name with $s: $(tail -n 3 "$work/stderr")"
      continue
    fi
    l2=$(sed -n 's/^relative L2 error: //p' "$work/stdout")
    python3 - "$out/summary.json" "$l2" <<'PY' || fail "$name with $s: bad summary or L2 '$l2'"
import json, math, sys
s = json.load(open(sys.argv[1]))
assert math.isfinite(float(sys.argv[2])), "L2 not finite"
assert s["rounds"] == 2, s["rounds"]
assert "reference_error" in s and s["reference_error"] is not None and s["reference_error"] < 1e-6, s.get("reference_error")
PY
    echo "ok: $name $s L2 $l2"
  done
done
[ "$failures" -eq 0 ] || { echo "$failures failures"; exit 1; }
echo "all problem files ran with every sampler"
