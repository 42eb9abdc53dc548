#!/usr/bin/env bash
# The command line end to end: every kind of bad input gets one clear error line naming the
# file, line and key, and the documented exit status; a tiny run writes a complete run
# directory, reaches an error bound, and repeats bit for bit with the same seed.
set -u
bin=${PINNSOLVE_BIN:?} src=${PINNSOLVE_SOURCE_DIR:?}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# expect_error NAME STATUS PATTERN -- ARGS...: runs pinnsolve, checks exit status, that stderr
# is exactly one line, and that it contains PATTERN (fixed string).
expect_error() {
  local name=$1 status=$2 pattern=$3
  shift 4
  "$bin" "$@" > "$work/out" 2> "$work/err"
  local got=$?
  [ "$got" -eq "$status" ] || fail "$name: exit $got, want $status ($(cat "$work/err"))"
  grep -qF -- "$pattern" "$work/err" || fail "$name: stderr lacks '$pattern': $(cat "$work/err")"
  [ "$(wc -l < "$work/err")" -eq 1 ] || fail "$name: want one error line, got: $(cat "$work/err")"
  echo "ok: $name -> $(cat "$work/err")"
}

# A valid small problem file other cases derive from.
base="$work/base.toml"
cat > "$base" <<'TOML'
[problem]
name = "burgers"
nu = 0.05  # smoother than the benchmark's 0.01/pi so a tiny budget resolves it

[network]
hidden = [16, 16]

[points]
n = 300

[trainer]
adam_steps = 300
lbfgs_steps = 600
eval_every = 100

[evaluation]
points = [64, 25]
lower = [-1.0, 0.0]
upper = [1.0, 0.99]
TOML

variant() { # variant NAME SED-EXPRESSION: a copy of base with one edit
  sed "$2" "$base" > "$work/$1.toml"
  echo "$work/$1.toml"
}

f=$(variant malformed 's/^n = 300$/n = = 300/')
expect_error "malformed TOML" 2 "malformed.toml:9:" -- "$f"
f=$(variant unknown 's/^adam_steps = 300$/adam_step = 300/')
expect_error "unknown key" 2 "unknown.toml:12: unknown key 'trainer.adam_step' (did you mean 'trainer.adam_steps'?)" -- "$f"
f=$(variant wrongtype 's/^n = 300$/n = "many"/')
expect_error "wrong type" 2 "wrongtype.toml:9: points.n must be an integer, got string" -- "$f"
f=$(variant negative 's/^n = 300$/n = -5/')
expect_error "negative count" 2 "negative.toml:9: points.n must be >= 1, got -5" -- "$f"
f=$(variant badchoice 's/^hidden = \[16, 16\]$/hidden = [16, 16]\nactivation = "relu"/')
expect_error "impossible value" 2 "badchoice.toml:7: network.activation" -- "$f"
expect_error "missing file" 2 "cannot read config '$work/nope.toml': No such file or directory" -- "$work/nope.toml"
expect_error "bad override" 2 "--set trainer.adam_steps=abc: trainer.adam_steps must be an integer" -- "$base" --set trainer.adam_steps=abc
expect_error "unknown override" 2 "did you mean 'trainer.lbfgs_steps'" -- "$base" --set trainer.lbfgs_step=5
expect_error "negative seed" 2 "run.seed must be >= 0" -- "$base" --seed -3
expect_error "unknown option" 2 "unknown option '--frobnicate'" -- "$base" --frobnicate
expect_error "no problem file" 2 "no problem file given" --
echo "not a directory" > "$work/plainfile"
expect_error "unwritable --out" 1 "output directory '$work/plainfile/run': Not a directory" -- "$base" --quiet --out "$work/plainfile/run"
expect_error "--out without parent" 1 "output directory '$work/no/such/run'" -- "$base" --quiet --out "$work/no/such/run"
mkdir -p "$work/full" && touch "$work/full/keep"
expect_error "non-empty --out" 1 "output directory '$work/full' already exists and is not empty" -- "$base" --quiet --out "$work/full"
[ -f "$work/full/keep" ] || fail "non-empty --out: existing file was touched"

"$bin" --help > "$work/help" || fail "--help exits non-zero"
grep -q "trainer.adam_steps" "$work/help" || fail "--help does not show --set usage"
"$bin" --version | grep -q "^pinnsolve " || fail "--version"

# A tiny run: complete run directory, error bound, final line, determinism.
"$bin" "$base" --quiet --out "$work/run1" > "$work/run1.out" 2> "$work/run1.err" || fail "tiny run failed: $(cat "$work/run1.err")"
"$bin" "$base" --quiet --out "$work/run2" > "$work/run2.out" 2> /dev/null || fail "second tiny run failed"
for file in config.toml metrics.csv summary.json prediction.npy reference.npy error.npy eval_points.npy \
            collocation_points.npy residuals.npy; do
  [ -s "$work/run1/$file" ] || fail "run directory lacks $file"
done
last=$(tail -n 1 "$work/run1.out")
case "$last" in "relative L2 error: "*) ;; *) fail "last line is '$last'";; esac
cmp -s "$work/run1/prediction.npy" "$work/run2/prediction.npy" || fail "same seed, different prediction"
cmp -s "$work/run1/collocation_points.npy" "$work/run2/collocation_points.npy" || fail "same seed, different points"
"$bin" "$work/run1/config.toml" --quiet --out "$work/run3" > /dev/null 2>&1 || fail "resolved config.toml does not load"
cmp -s "$work/run1/prediction.npy" "$work/run3/prediction.npy" || fail "rerun from resolved config differs"
/usr/bin/python3 - "$work/run1" <<'PY' || fail "numpy cross-check of the run directory"
import json, sys
import numpy as np
d = sys.argv[1]
pred, ref, err = (np.load(f"{d}/{n}.npy") for n in ("prediction", "reference", "error"))
assert pred.shape == (64, 25) and ref.shape == (64, 25), pred.shape
assert np.array_equal(err, pred - ref)
summary = json.load(open(f"{d}/summary.json"))
l2 = np.linalg.norm(pred - ref) / np.linalg.norm(ref)
assert abs(summary["relative_l2"] - l2) < 1e-12 * l2, (summary["relative_l2"], l2)
# nu = 0.05, 16x16 tanh network, 300 Sobol points, 300 Adam + 600 L-BFGS steps reaches
# about 6e-3 (the untrained network is near 1, 300 Adam steps alone near 1e-1).
assert l2 < 2e-2, l2
pts = np.load(f"{d}/collocation_points.npy")
assert pts.shape == (300, 2) and (pts[:, 0] >= -1).all() and (pts[:, 0] <= 1).all()
assert (pts[:, 1] >= 0).all() and (pts[:, 1] <= 1).all()
print(f"ok: tiny run L2 {l2:.3e}")
PY
[ -z "$(ls "$work" | grep partial)" ] || fail "a .partial staging directory was left behind"

if [ "$failures" -ne 0 ]; then
  echo "$failures failure(s)"
  exit 1
fi
echo "all CLI checks passed"
