#!/usr/bin/env bash
# make month-end: runs examples/month_end.rs on a small export and checks
#  - its figures against an independent oracle (oracle.py: signed sums of the entries),
#  - one statement file per account in each format,
#  - that bad input (malformed line, unknown kind, too many decimals) stops the run with the line
#    number and leaves nothing in the output folder.
set -euo pipefail
cd "$(dirname "$0")/../.."
CARGO="${CARGO:-cargo}"
DIR=tests/month_end
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT

"$CARGO" build --quiet -p creditbook --example month_end --locked
BIN="${CARGO_TARGET_DIR:-target}/debug/examples/month_end"
run() { "$BIN" --entries "$1" --from 2024-12-01 --to 2024-12-31 "${@:2}"; }

accounts=$(tail -n +2 "$DIR/entries-2k.csv" | cut -d, -f2 | sort -u | wc -l)
for format in text html ubl json; do
    run "$DIR/entries-2k.csv" --format "$format" --out "$TMP/$format" > "$TMP/report-$format.csv"
    files=$(find "$TMP/$format" -type f | wc -l)
    [ "$files" -eq "$accounts" ] || { echo "month-end: $format: $files files for $accounts accounts" >&2; exit 1; }
    cmp -s "$TMP/report-text.csv" "$TMP/report-$format.csv" || { echo "month-end: $format report differs" >&2; exit 1; }
done
run "$DIR/entries-2k.csv" --format text --language fr --out "$TMP/fr" > /dev/null
grep -q "Relevé de compte" "$TMP/fr/C0001.txt" || { echo "month-end: --language fr did not print French" >&2; exit 1; }
python3 "$DIR/oracle.py" "$DIR/entries-2k.csv" "$TMP/report-text.csv" 2024-12-01 2024-12-31

# Bad input: line 6 of a copy is broken in three ways; each stops the run at line 6.
bad() {
    local name=$1 sed_expr=$2 want=$3
    sed "6${sed_expr}" "$DIR/entries-2k.csv" > "$TMP/$name.csv"
    mkdir -p "$TMP/out-$name"
    if run "$TMP/$name.csv" --format text --out "$TMP/out-$name" > /dev/null 2> "$TMP/$name.err"; then
        echo "month-end: $name was accepted" >&2; exit 1
    fi
    grep -q "line 6: .*$want" "$TMP/$name.err" || { echo "month-end: $name: $(cat "$TMP/$name.err")" >&2; exit 1; }
    [ -z "$(ls -A "$TMP/out-$name")" ] || { echo "month-end: $name left files behind" >&2; exit 1; }
}
bad malformed 's/,/;/g' "expected 6 fields"
bad unknown-kind 's/,\(charge\|payment\|deposit\|refund_to_credit\|adjustment\),/,gift,/' "unknown kind"
bad decimals 's/,\([0-9]*\.[0-9][0-9]\),/,\15,/' "bad amount"
echo "month-end: $accounts accounts, 4 formats, French, oracle and 3 kinds of bad input checked"
