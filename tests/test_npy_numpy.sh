#!/bin/sh
# Loads the arrays written by npy_demo with numpy and the JSON summary with Python's json module
# and checks shapes, dtypes, alignment and every value bit for bit.
set -u
dump=${PINNSOLVE_BUILD_DIR:?}/npy_demo
py=/usr/bin/python3
[ -x "$dump" ] || { echo "missing $dump"; exit 1; }
dir=$(mktemp -d "${TMPDIR:-/tmp}/pinnsolve_npy.XXXXXX") || exit 1
trap 'rm -rf "$dir"' EXIT

"$dump" "$dir" || { echo "npy_demo failed"; exit 1; }

"$py" - "$dir" <<'PY'
import json, math, os, sys
import numpy as np

d = sys.argv[1]
failures = []

def check(cond, what):
    if not cond:
        failures.append(what)

def same_bits(a, b):
    b = np.asarray(b, dtype='<f8')
    return a.shape == b.shape and np.array_equal(a.view('<u8'), b.view('<u8'))

def load(name, shape):
    path = os.path.join(d, name)
    with open(path, 'rb') as f:
        version = np.lib.format.read_magic(f)
        hshape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
        offset = f.tell()
    check(version == (1, 0), f"{name}: version {version}")
    check(offset % 64 == 0, f"{name}: data offset {offset} not a multiple of 64")
    check(tuple(hshape) == shape and not fortran, f"{name}: header {hshape} {fortran}")
    check(os.path.getsize(path) == offset + 8 * math.prod(shape), f"{name}: file size")
    a = np.load(path, allow_pickle=False)
    check(a.dtype == np.dtype('<f8'), f"{name}: dtype {a.dtype}")
    check(a.shape == shape, f"{name}: shape {a.shape}")
    check(a.flags['C_CONTIGUOUS'], f"{name}: not C order")
    return a

vec = load('vec.npy', (9,))
expect = [0.0, -0.0, 5e-324, 2.2250738585072014e-308 / 3.0, 1.7976931348623157e308, -1e308,
          0.1, -1.0 / 3.0, math.inf]
check(same_bits(vec, expect), f"vec.npy values {vec!r}")
check(math.copysign(1.0, vec[1]) < 0, "vec.npy: -0.0 lost its sign")

mat = load('mat.npy', (3, 4))
check(same_bits(mat, np.arange(12).reshape(3, 4) / 7.0 - 1.0), f"mat.npy values {mat!r}")
check(mat[2, 1] == 9 / 7.0 - 1.0, "mat.npy: row-major order")

cube = load('cube.npy', (2, 3, 5))
check(same_bits(cube, np.sqrt(np.arange(30.0)).reshape(2, 3, 5)), f"cube.npy values {cube!r}")
check(cube[1, 2, 4] == math.sqrt(29.0), "cube.npy: last element")

four = load('four.npy', (2, 1, 3, 2))
check(same_bits(four, (np.arange(12) / 13.0).reshape(2, 1, 3, 2)), f"four.npy values {four!r}")

load('empty.npy', (0, 3))

with open(os.path.join(d, 'summary.json')) as f:
    s = json.load(f)
check(s.get('name') == 'npy_demo' and s.get('count') == 4 and s.get('ok') is True,
      f"summary scalars {s!r}")
vals = s.get('values', [])
check(len(vals) == 4 and vals[0] == 0.1 and vals[1] == -1.0 / 3.0 and
      vals[2] == 2.2250738585072014e-308 / 3.0 and vals[3] is None, f"summary values {vals!r}")
check(s.get('nested') == {'s': 'a"b\\c\n\t\x1f'}, f"summary nested {s.get('nested')!r}")
check(sorted(os.listdir(d)) == sorted(['vec.npy', 'mat.npy', 'cube.npy', 'four.npy',
                                       'empty.npy', 'summary.json']),
      f"unexpected files {os.listdir(d)}")

for f in failures:
    print("FAIL:", f)
print(f"{len(failures)} failures")
sys.exit(1 if failures else 0)
PY
