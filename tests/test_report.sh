#!/usr/bin/env bash
# scripts/report on tiny Burgers runs (2 adaptive rounds of fm and of rad, and fixed points):
# every figure and index.html are written; the page references only files that exist; each PNG
# is non-empty with the pixel size the report declares (read from the PNG header); the page
# loads in headless Chromium with every <img> decoded (DOM dump) and renders non-blank.
set -euo pipefail
src=${PINNSOLVE_SOURCE_DIR:?}
bin=${PINNSOLVE_BIN:?}
py=/usr/bin/python3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if ! $py -c "import numpy, matplotlib" 2>/dev/null; then
  echo "test_report: FAIL: $py lacks numpy or matplotlib (run scripts/setup)"
  exit 1
fi

tiny=(--quiet --set network.hidden=[8,8] --set points.n=300 --set trainer.adam_steps=100
      --set trainer.lbfgs_steps=50 --set trainer.eval_every=50 --set evaluation.points=[64,20]
      --set adaptive.adam_steps=0 --set adaptive.lbfgs_steps=30 --set sampler.pool_size=2000
      --set adaptive.save_every=1)

"$bin" "$src/problems/burgers.toml" "${tiny[@]}" --out "$work/fm" --set adaptive.rounds=2 \
  --set sampler.kind=fm --set sampler.fm_train_steps=100 --set sampler.fm_width=16 --set sampler.fm_depth=2
"$bin" "$src/problems/burgers.toml" "${tiny[@]}" --out "$work/rad" --set adaptive.rounds=2 --set sampler.kind=rad
# The fixed-point run goes through pinnsolve --report (pinn/run.c runs scripts/report itself).
"$bin" "$src/problems/burgers.toml" "${tiny[@]}" --out "$work/fixed" --set adaptive.rounds=0 --report
for r in fm rad; do $py "$src/scripts/report" "$work/$r"; done

# Per-round diagnostics the C side writes (fm has a density; rad has none).
for f in grid_residuals_round_001.npy grid_residuals_round_002.npy weights_round_001.npy \
         grid_logdensity_round_002.npy; do
  [ -s "$work/fm/$f" ] || { echo "test_report: FAIL: fm run lacks $f"; exit 1; }
done
[ -s "$work/rad/weights_round_001.npy" ] || { echo "test_report: FAIL: rad run lacks weights"; exit 1; }
[ ! -e "$work/rad/grid_logdensity_round_001.npy" ] || { echo "test_report: FAIL: rad wrote a density"; exit 1; }
[ -s "$work/fixed/grid_residuals.npy" ] || { echo "test_report: FAIL: no grid_residuals.npy"; exit 1; }

$py - "$work" <<'EOF'
import csv, html.parser, json, math, os, struct, sys, tomllib
import numpy as np
work = sys.argv[1]
expected = {
    "fm": ["solution", "slices", "training", "residual_final", "residual_rounds", "residual_hist",
           "density_rounds", "rounds"],
    "rad": ["solution", "slices", "training", "residual_final", "residual_rounds", "residual_hist",
            "density_rounds", "rounds"],
    "fixed": ["solution", "slices", "training", "residual_final", "residual_hist"],
}
class Refs(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs = []
    def handle_starttag(self, tag, attrs):
        for k, v in attrs:
            if k in ("src", "href") and v:
                self.refs.append((tag, v))
failures = []
for run, names in expected.items():
    rep = os.path.join(work, run, "report")
    manifest = {m["file"]: m for m in json.load(open(os.path.join(rep, "figures.json")))}
    got = sorted(f[:-4] for f in manifest)
    if sorted(names) != got:
        failures.append("%s: figures %s, expected %s" % (run, got, sorted(names)))
    for name in names:
        path = os.path.join(rep, name + ".png")
        if not os.path.exists(path) or os.path.getsize(path) < 2000:
            failures.append("%s: %s missing or nearly empty" % (run, path))
            continue
        head = open(path, "rb").read(24)
        if head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
            failures.append("%s: %s is not a PNG" % (run, path))
            continue
        w, h = struct.unpack(">II", head[16:24])
        m = manifest.get(name + ".png", {})
        if w != 1200 or (w, h) != (m.get("width"), m.get("height")) or h < 300:
            failures.append("%s: %s is %dx%d, declared %sx%s, expected width 1200" %
                            (run, name, w, h, m.get("width"), m.get("height")))
    p = Refs()
    p.feed(open(os.path.join(rep, "index.html")).read())
    imgs = [v for t, v in p.refs if t == "img"]
    if sorted(i[:-4] for i in imgs) != sorted(names):
        failures.append("%s: index.html shows %s" % (run, imgs))
    for t, v in p.refs:
        if not os.path.exists(os.path.join(rep, v)):
            failures.append("%s: index.html references missing %s" % (run, v))
# KL / ESS columns of the fm run are finite in the saved rounds and in range.
rows = list(csv.DictReader(open(os.path.join(work, "fm", "rounds.csv"))))
for r in rows[1:]:
    kl, ess = float(r["kl_residual"]), float(r["ess_residual"])
    if not (kl >= 0 and 0 < ess <= 1 + 1e-12):
        failures.append("fm round %s: kl_residual %g, ess_residual %g out of range" % (r["round"], kl, ess))
# The fit weights are the normalised |r| weights of the pool: p ∝ |r|^k / mean|r|^k + c.
w = np.load(os.path.join(work, "fm", "weights_round_001.npy"))
a = np.abs(np.load(os.path.join(work, "fm", "pool_residuals_round_001.npy")))
with open(os.path.join(work, "fm", "config.toml"), "rb") as f:
    c = tomllib.load(f)["sampler"].get("weight_offset", 1.0)  # the resolved config: c as run
p = a / a.mean() + c
err = np.max(np.abs(w / w.sum() - p / p.sum())) / np.max(p / p.sum())
if not err < 1e-9:
    failures.append("fm weights differ from |r|/mean|r| + %g by %g (relative)" % (c, err))
if failures:
    print("test_report: FAIL:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("test_report: figures, sizes, links, KL/ESS and weights ok")
EOF

chrome=/usr/bin/chromium
if [ ! -x "$chrome" ]; then
  echo "test_report: FAIL: $chrome missing (scripts/setup installs chromium)"
  exit 1
fi
for r in fm fixed; do
  page="file://$work/$r/report/index.html"
  flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
         --disable-component-update --disable-sync --user-data-dir="$(mktemp -d -p "$work")")
  # The DOM after load, with each image's natural width written into it by a script the page
  # does not have: --dump-dom shows the live DOM, so a data-w attribute proves the image decoded.
  cp "$work/$r/report/index.html" "$work/$r/report/check.html"
  cat >> "$work/$r/report/check.html" <<'EOF'
<script>window.addEventListener('load',()=>{for(const i of document.images){i.setAttribute('data-w',String(i.naturalWidth));}});</script>
EOF
  timeout 120 "$chrome" "${flags[@]}" --virtual-time-budget=5000 --dump-dom "file://$work/$r/report/check.html" \
    > "$work/$r.dom" 2>/dev/null || true
  timeout 120 "$chrome" "${flags[@]}" --window-size=1280,2000 --screenshot="$work/$r.png" "$page" \
    > /dev/null 2>&1 || true
  $py - "$work/$r.dom" "$work/$r.png" "$work/$r/report/figures.json" <<'EOF'
import json, re, sys, zlib, struct
dom, shot, manifest = sys.argv[1:4]
text = open(dom).read()
imgs = re.findall(r"<img[^>]*>", text)
want = len(json.load(open(manifest)))
widths = [re.search(r'data-w="(\d+)"', i) for i in imgs]
bad = [i for i, w in zip(imgs, widths) if not w or w.group(1) != "1200"]
if len(imgs) != want or bad:
    sys.exit("test_report: FAIL: %s: %d <img> in the DOM (want %d), not decoded at 1200 px: %s"
             % (dom, len(imgs), want, bad[:2]))
# Screenshot: decode the PNG's pixel rows (8-bit RGB/RGBA) and require more than one colour.
data = open(shot, "rb").read()
if data[:8] != b"\x89PNG\r\n\x1a\n":
    sys.exit("test_report: FAIL: no screenshot %s" % shot)
pos, idat, w = 8, b"", 0
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
px = {2: 3, 6: 4}[ctype]
stride = 1 + w * px
rows = [raw[i * stride + 1:(i + 1) * stride] for i in range(0, h, 50)]
colours = len(set(r[j:j + 3] for r in rows for j in range(0, len(r), px * 7)))
if colours < 20:
    sys.exit("test_report: FAIL: screenshot %s looks blank (%d colours)" % (shot, colours))
print("test_report: %s: %d images decoded in Chromium, screenshot has %d colours" % (dom, len(imgs), colours))
EOF
done
echo "test_report: 1 passed, 0 failed"
