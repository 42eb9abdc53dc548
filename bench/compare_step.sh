#!/usr/bin/env bash
# Runs bench_step single-threaded with OpenBLAS's own kernel choice and with SkylakeX kernels
# forced, and prints each case next to PyTorch 1.13's step time (double precision, same nets and
# point counts, measured on this machine kind): speed-up = PyTorch ms / pinnsolve ms.
# Usage: bench/compare_step.sh [build-dir]
set -euo pipefail
build=${1:-"$(dirname "$0")/../build"}
declare -A torch_ms=(["20x3 2000"]=4.7 ["64x4 2000"]=26.4 ["64x4 10000"]=165)

run() { OPENBLAS_NUM_THREADS=1 "$@" "$build/bench_step" --repeats 30; }

report() { # report LABEL < bench output
  local label=$1
  while read -r kind net n ms gflops blas_gflops ratio; do
    [ "$kind" = step ] || { echo "$kind $net $n $ms $gflops $blas_gflops $ratio"; continue; }
    local key="${net#net=} ${n#n=}" t=${ms#ms=}
    local torch=${torch_ms[$key]:-}
    local speedup="-"
    [ -n "$torch" ] && speedup=$(awk -v a="$torch" -v b="$t" 'BEGIN { printf "%.2f", a / b }')
    printf '%-9s %-10s %-8s %-12s %-14s %-19s %-15s torch_ms=%-6s speedup=%s\n' "$label" "$net" "$n" \
      "$ms" "$gflops" "$blas_gflops" "$ratio" "${torch:--}" "$speedup"
  done
}

run env | report default
run env OPENBLAS_CORETYPE=SkylakeX | report skylakex
run env OPENBLAS_CORETYPE=Haswell | report haswell
