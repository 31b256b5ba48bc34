#!/usr/bin/env bash
# driftlab against the NumPy reference on the hard workload (issue #9), in one run on one
# machine: the same 10,000 paths x 480 months x 3 assets x 4 strategies, both on every core.
#
#   bash benches/compare_numpy.sh [PATHS] [SEED]
#
# driftlab runs exactly what a user runs, the release CLI on scenarios/bench-hard.toml,
# with --summary-only (summary.csv/json, no charts). The script alternates the two programs
# (NumPy, driftlab, NumPy, driftlab, ... ROUNDS times), prints every wall-clock time, the
# best and median of each and their ratio, then both programs' results side by side with
# the Monte Carlo standard error of each difference.
#
# Environment: NUMPY_REF (default ../shared/bench/numpy_ref.py, then
# /work/shared/bench/numpy_ref.py), ROUNDS (default 3), WORKERS (default: all cores),
# DRIFTLAB (a built binary; default: `cargo build --release` and target/release/driftlab).
set -euo pipefail
cd "$(dirname "$0")/.."
PATHS=${1:-10000}
SEED=${2:-1}
ROUNDS=${ROUNDS:-3}
WORKERS=${WORKERS:-$(nproc)}
REF=${NUMPY_REF:-}
if [[ -z "$REF" ]]; then
  for c in ../shared/bench/numpy_ref.py /work/shared/bench/numpy_ref.py; do
    [[ -f "$c" ]] && REF=$c && break
  done
fi
[[ -f "$REF" ]] || { echo "numpy_ref.py not found; set NUMPY_REF" >&2; exit 2; }
if [[ -z "${DRIFTLAB:-}" ]]; then
  cargo build --release --quiet
  DRIFTLAB="${CARGO_TARGET_DIR:-target}/release/driftlab"
fi
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

for r in $(seq 1 "$ROUNDS"); do
  t0=$EPOCHREALTIME # bash's own clock: no process start-up inside the timings
  python3 "$REF" --paths "$PATHS" --seed "$SEED" --workers "$WORKERS" --json > "$TMP/numpy.json"
  t1=$EPOCHREALTIME
  "$DRIFTLAB" run scenarios/bench-hard.toml --paths "$PATHS" --seed "$SEED" --threads "$WORKERS" \
    --summary-only --quiet --force --out "$TMP/report" --format json > "$TMP/driftlab.json"
  t2=$EPOCHREALTIME
  echo "$t0 $t1 $t2" >> "$TMP/times"
done

python3 - "$TMP" "$PATHS" "$WORKERS" <<'PY'
import json, math, statistics, sys
tmp, paths, workers = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rounds = [list(map(float, l.split())) for l in open(f"{tmp}/times")]
tn = [b - a for a, b, _ in rounds]
td = [c - b for _, b, c in rounds]
print(f"hard workload: {paths} paths x 480 months x 3 assets x 4 strategies, {workers} workers")
print("wall clock per round (s):  numpy " + " ".join(f"{t:.3f}" for t in tn)
      + "   driftlab " + " ".join(f"{t:.3f}" for t in td))
print(f"numpy_ref.py: best {min(tn):.3f} s, median {statistics.median(tn):.3f} s")
print(f"driftlab run: best {min(td):.3f} s, median {statistics.median(td):.3f} s")
print(f"speedup: {min(tn)/min(td):.1f}x (best/best), {statistics.median(tn)/statistics.median(td):.1f}x (median/median),"
      f" per-round {min(a/b for a, b in zip(tn, td)):.1f}x .. {max(a/b for a, b in zip(tn, td)):.1f}x")

npy = json.load(open(f"{tmp}/numpy.json"))["strategies"]
dl = {s["name"]: s for s in json.load(open(f"{tmp}/driftlab.json"))["strategies"]}
n = paths
print()
print("results (independent random streams, so they differ by Monte Carlo error only):")
print(f"{'strategy':8} {'success numpy':>13} {'driftlab':>9} {'z':>5}   {'median terminal nominal numpy':>29} {'driftlab':>11} {'z':>5}")
worst = 0.0
for name, r in npy.items():
    d = dl[name]
    p1, p2 = r["success_rate"], d["success_rate"]
    pbar = (p1 + p2) / 2
    se_p = math.sqrt(2 * pbar * (1 - pbar) / n) or 1e-12
    zp = (p2 - p1) / se_p
    q = r["terminal_pct_5_25_50_75_95"]
    m1, m2 = q[2], d["terminal_nominal"]["p50"]
    # SE of a median ~ 1 / (2 f(m) sqrt(n)); the density at the median from the quartiles
    # of the reference (f ~ 0.5 / IQR), for each of the two samples.
    iqr = (q[3] - q[1]) or 1.0
    se_m = math.sqrt(2) * iqr / math.sqrt(n)
    zm = (m2 - m1) / se_m
    worst = max(worst, abs(zp), abs(zm))
    print(f"{name:8} {p1:13.4f} {p2:9.4f} {zp:5.1f}   {m1:29,.0f} {m2:11,.0f} {zm:5.1f}")
print(f"largest |z| = {worst:.1f}: " + ("agree within Monte Carlo error (|z| < 3)" if worst < 3 else "DISAGREE (|z| >= 3)"))
PY
