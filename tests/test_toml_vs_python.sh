#!/bin/sh
# Compares pinnsolve's TOML reader (toml_dump) with Python's tomllib on every problem file and on
# tests/toml_cases/{valid,invalid,unsupported}: valid files must give the same canonical JSON, invalid ones must be rejected
# by both readers, and unsupported ones (valid TOML outside pinnsolve's subset) must be accepted by
# tomllib and rejected by pinnsolve with a "not supported" message.
set -u
src=${PINNSOLVE_SOURCE_DIR:?}
dump=${PINNSOLVE_BUILD_DIR:?}/toml_dump
py=/usr/bin/python3
[ -x "$dump" ] || { echo "missing $dump"; exit 1; }

ref() {
  "$py" - "$1" <<'PY'
import math, sys, tomllib

def put(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        s = "%.17g" % v
        return s if ("." in s or "e" in s) else s + ".0"
    if isinstance(v, str):
        out = []
        for ch in v:
            if ch in '"\\':
                out.append("\\" + ch)
            elif ord(ch) < 0x20 or ord(ch) == 0x7f:
                out.append("\\u%04x" % ord(ch))
            else:
                out.append(ch)
        return '"' + "".join(out) + '"'
    if isinstance(v, list):
        return "[" + ",".join(put(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ",".join(put(k) + ":" + put(v[k]) for k in sorted(v)) + "}"
    return "<%s %s>" % (type(v).__name__, v)  # dates and times: pinnsolve rejects them

try:
    with open(sys.argv[1], "rb") as f:
        doc = tomllib.load(f)
except Exception as e:  # tomllib.TOMLDecodeError, or UnicodeDecodeError for bad UTF-8
    print("error: %s" % e)
    sys.exit(1)
sys.stdout.buffer.write((put(doc) + "\n").encode("utf-8"))
PY
}

pass=0
fail=0
check() { # file expected(valid|invalid)
  ours=$("$dump" "$1"); ours_rc=$?
  theirs=$(ref "$1"); theirs_rc=$?
  name=${1#"$src"/}
  if [ "$2" = valid ]; then
    if [ $ours_rc -eq 0 ] && [ $theirs_rc -eq 0 ] && [ "$ours" = "$theirs" ]; then
      pass=$((pass + 1))
    else
      fail=$((fail + 1))
      printf 'FAIL %s (valid)\n  ours:    %s\n  tomllib: %s\n' "$name" "$ours" "$theirs"
    fi
  elif [ "$2" = unsupported ]; then
    case $ours in *"not supported"*) ok=1 ;; *) ok=0 ;; esac
    if [ $ours_rc -eq 1 ] && [ $ok -eq 1 ] && [ $theirs_rc -eq 0 ]; then
      pass=$((pass + 1))
      printf 'ok   %s -> %s\n' "$name" "$ours"
    else
      fail=$((fail + 1))
      printf 'FAIL %s (unsupported)\n  ours:    %s (rc %s)\n  tomllib: %s\n' "$name" "$ours" \
        "$ours_rc" "$theirs"
    fi
  else
    if [ $ours_rc -eq 1 ] && [ $theirs_rc -ne 0 ]; then
      pass=$((pass + 1))
      printf 'ok   %s -> %s\n' "$name" "$ours"
    else
      fail=$((fail + 1))
      printf 'FAIL %s (invalid)\n  ours:    %s (rc %s)\n  tomllib: %s\n' "$name" "$ours" \
        "$ours_rc" "$theirs"
    fi
  fi
}

for f in "$src"/problems/*.toml "$src"/tests/toml_cases/valid/*.toml; do
  [ -e "$f" ] && check "$f" valid
done
for f in "$src"/tests/toml_cases/invalid/*.toml; do
  [ -e "$f" ] && check "$f" invalid
done
for f in "$src"/tests/toml_cases/unsupported/*.toml; do
  [ -e "$f" ] && check "$f" unsupported
done
[ $pass -gt 0 ] || { echo "no TOML files found"; exit 1; }
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
