#!/usr/bin/env bash
# make bench (month-end part), every figure of BENCHMARKS.md's "Month-end run" sections in one run:
#  - 1,000,000 entries / 1,000 accounts (gen.py --seed 42), statements of 2024-12, text, written:
#    the floor (../shared/bench/floor: read, parse every amount, sum per account; built here
#    into the target dir), `creditbook month-end` (the streaming run) and the Book-based
#    examples/month_end.rs (the run before it), alternating, five runs each: wall time and peak
#    memory (GNU time), medians, and the ratios to the floor;
#  - the same job from a SQLite store holding the same 1,000,000 entries (built once from the
#    export by cli/benches/sqlite_file.rs), against the run from the export, alternating;
#  - 10,000,000 entries / 10,000 accounts (gen.py --seed 42, 640 MB, generated here once into
#    the target dir, never committed): three runs, against the 1,000,000 run's median.
set -euo pipefail
cd "$(dirname "$0")/../.."
CARGO="${CARGO:-cargo}"
TARGET="${CARGO_TARGET_DIR:-target}"
DATA="$TARGET/bench-data"
OUT="$TARGET/bench-out"
GEN=../shared/bench/gen.py
FLOOR=../shared/bench/floor
RUNS=${RUNS:-5}
RUNS_10M=${RUNS_10M:-3}
PERIOD=(--from 2024-12-01 --to 2024-12-31)

command -v /usr/bin/time >/dev/null || [ -x /usr/bin/time ] || {
    apt-get install -y --no-install-recommends time || { apt-get update && apt-get install -y --no-install-recommends time; }
}
[ -f "$GEN" ] && [ -d "$FLOOR" ] || { echo "month-end bench: $GEN and $FLOOR come with shared/" >&2; exit 1; }
for size in 1m:1000:1000000 10m:10000:10000000; do
    IFS=: read -r name accounts entries <<< "$size"
    if [ ! -f "$DATA/$name/entries.csv" ]; then
        echo "generating $DATA/$name/entries.csv ($entries entries, $accounts accounts)"
        python3 "$GEN" --accounts "$accounts" --entries "$entries" --seed 42 --out "$DATA/$name"
    fi
done
"$CARGO" build --quiet --release --manifest-path "$FLOOR/Cargo.toml" --target-dir "$TARGET/floor"
"$CARGO" build --quiet --release -p creditbook --example month_end --locked
"$CARGO" build --quiet --release -p creditbook-cli --locked
"$CARGO" bench --quiet -p creditbook-cli --bench sqlite_file --locked -- \
    "$DATA/1m/entries.csv" "$DATA/1m/store.sqlite3"
FLOOR_BIN="$TARGET/floor/release/floor"
EXAMPLE="$TARGET/release/examples/month_end"
CLI="$TARGET/release/creditbook"

RESULTS="$(mktemp)"
trap 'rm -f "$RESULTS"; rm -rf "$OUT"' EXIT
# measure LABEL COMMAND...: one run, its wall time and peak RSS appended to RESULTS as
# "LABEL seconds KiB"; the statements go to a fresh $OUT, removed afterwards.
measure() {
    local label=$1; shift
    rm -rf "$OUT"
    /usr/bin/time -o "$RESULTS.one" -f "%e %M" "$@" > /dev/null 2> "$RESULTS.err" ||
        { cat "$RESULTS.err" >&2; exit 1; }
    read -r wall rss < "$RESULTS.one"
    echo "$label $wall $rss" >> "$RESULTS"
    awk -v l="$label" -v w="$wall" -v m="$rss" 'BEGIN { printf "  %-14s %6.2f s %6.0f MiB\n", l, w, m / 1024 }'
    rm -rf "$OUT"
}
median() { # median LABEL FIELD (2: seconds, 3: KiB)
    awk -v l="$1" -v f="$2" '$1 == l { print $f }' "$RESULTS" | sort -n |
        awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

echo "month-end, 1,000,000 entries, 1,000 accounts, 2024-12, text statements written ($(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)):"
for i in $(seq "$RUNS"); do
    measure floor "$FLOOR_BIN" "$DATA/1m/entries.csv" 2024-12-01 2024-12-31
    measure creditbook "$CLI" month-end --entries "$DATA/1m/entries.csv" "${PERIOD[@]}" --format text --out "$OUT"
    measure sqlite "$CLI" month-end --store "sqlite:$DATA/1m/store.sqlite3" "${PERIOD[@]}" --format text --out "$OUT"
    measure book-example "$EXAMPLE" --entries "$DATA/1m/entries.csv" "${PERIOD[@]}" --format text --out "$OUT"
done
echo "month-end, 10,000,000 entries, 10,000 accounts, 2024-12, text statements written:"
for i in $(seq "$RUNS_10M"); do
    measure floor-10m "$FLOOR_BIN" "$DATA/10m/entries.csv" 2024-12-01 2024-12-31
    measure creditbook-10m "$CLI" month-end --entries "$DATA/10m/entries.csv" "${PERIOD[@]}" --format text --out "$OUT"
done

floor=$(median floor 2); cli=$(median creditbook 2); sqlite=$(median sqlite 2)
book=$(median book-example 2); cli10=$(median creditbook-10m 2); floor10=$(median floor-10m 2)
awk -v f="$floor" -v c="$cli" -v s="$sqlite" -v b="$book" -v c10="$cli10" -v f10="$floor10" \
    -v mc="$(median creditbook 3)" -v ms="$(median sqlite 3)" -v mb="$(median book-example 3)" \
    -v m10="$(median creditbook-10m 3)" 'BEGIN {
    printf "medians: floor %.2f s; creditbook month-end %.2f s, peak %.0f MiB: %.2f x the floor (target <= 2.5 x, <= 128 MiB)\n", f, c, mc / 1024, c / f
    printf "         from the SQLite store %.2f s, peak %.0f MiB: %.2f x the run from the export (target <= 2 x)\n", s, ms / 1024, s / c
    printf "         Book-based example (before) %.2f s, peak %.0f MiB: %.2f x the floor\n", b, mb / 1024, b / f
    printf "         10,000,000 entries: %.2f s, peak %.0f MiB: %.2f x the 1,000,000 run (target <= 10.5 x, <= 256 MiB); floor %.2f s (%.2f x its 1,000,000 run)\n", c10, m10 / 1024, c10 / c, f10, f10 / f
}'
