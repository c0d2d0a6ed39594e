#!/usr/bin/env bash
# make bench (month-end part): the whole month_end process on gen.py's 1,000 accounts x 1,000,000
# entries (seed 42), --format text, five runs; prints each run's wall time and peak memory and
# the medians. The data is generated once into target/bench-data/ by ../shared/bench/gen.py.
set -euo pipefail
cd "$(dirname "$0")/../.."
CARGO="${CARGO:-cargo}"
TARGET="${CARGO_TARGET_DIR:-target}"
DATA="$TARGET/bench-data/1m"
GEN=../shared/bench/gen.py
RUNS=5

command -v /usr/bin/time >/dev/null || [ -x /usr/bin/time ] || {
    apt-get install -y --no-install-recommends time || { apt-get update && apt-get install -y --no-install-recommends time; }
}
if [ ! -f "$DATA/entries.csv" ]; then
    [ -f "$GEN" ] || { echo "month-end bench: $GEN not found (it comes with shared/)" >&2; exit 1; }
    python3 "$GEN" --accounts 1000 --entries 1000000 --seed 42 --out "$DATA"
fi
"$CARGO" build --quiet --release -p creditbook --example month_end --locked
BIN="$TARGET/release/examples/month_end"
RESULTS="$(mktemp)"
trap 'rm -f "$RESULTS"' EXIT
for i in $(seq "$RUNS"); do
    /usr/bin/time -f "%e %M" "$BIN" --entries "$DATA/entries.csv" --from 2024-12-01 --to 2024-12-31 \
        --format text 2>&1 >/dev/null | tail -n 1 | tee -a "$RESULTS" |
        awk -v run="$i" '{ printf "run %s: %.2f s, %.0f MiB\n", run, $1, $2 / 1024 }'
done
median() { cut -d' ' -f"$1" "$RESULTS" | sort -n | sed -n "$(((RUNS + 1) / 2))p"; }
wall=$(median 1)
peak=$(median 2)
awk -v w="$wall" -v m="$peak" 'BEGIN {
    printf "month_end, 1,000,000 entries, 1,000 text statements: median %.2f s, median peak %.0f MiB (%.0f bytes per entry)\n",
        w, m / 1024, m * 1024 / 1000000 }'
