#!/usr/bin/env bash
# make month-end: runs examples/month_end.rs (every line through the Book) and the creditbook
# command (cli/: the streaming run) on a small export and checks
#  - its figures against an independent oracle (oracle.py: signed sums of the entries),
#  - one statement file per account in each format,
#  - that bad input (malformed line, unknown kind, too many decimals) stops the run with the line
#    number and leaves nothing in the output folder,
#  - that the command writes the Book's statements byte for byte, exits with its documented
#    codes and refuses bad input the same way.
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

# The command (cli/, `creditbook month-end`, the streaming run of creditbook::month_end) against
# the example above (every line through the Book): the same statement files and the same report,
# byte for byte, in every format, for the last month of the export, a month in its middle and a
# French run; the same with ids out of order (a line repeated: the run keeps every id).
"$CARGO" build --quiet -p creditbook-cli --locked
CLI="${CARGO_TARGET_DIR:-target}/debug/creditbook"
same() {
    local name=$1 csv=$2; shift 2
    run "$csv" "$@" --out "$TMP/book-$name" > "$TMP/book-$name.csv"
    # shellcheck disable=SC2086 # CLI_EXTRA: more options for the command alone
    "$CLI" month-end --entries "$csv" --from 2024-12-01 --to 2024-12-31 "$@" ${CLI_EXTRA:-} --out "$TMP/cli-$name" \
        > "$TMP/cli-$name.csv" 2> "$TMP/cli-$name.err" || { cat "$TMP/cli-$name.err" >&2; exit 1; }
    diff -r "$TMP/book-$name" "$TMP/cli-$name" > /dev/null ||
        { echo "creditbook month-end: $name: statements differ from the Book's" >&2; exit 1; }
    cmp -s "$TMP/book-$name.csv" "$TMP/cli-$name.csv" ||
        { echo "creditbook month-end: $name: report differs from the Book's" >&2; exit 1; }
    grep -q "statements written to" "$TMP/cli-$name.err" ||
        { echo "creditbook month-end: $name: no summary" >&2; exit 1; }
}
for format in text html ubl json; do
    same "$format" "$DIR/entries-2k.csv" --format "$format"
done
same fr "$DIR/entries-2k.csv" --format text --language fr
CLI_EXTRA="--threads 1" same one-thread "$DIR/entries-2k.csv" --format html
sed '41p' "$DIR/entries-2k.csv" > "$TMP/repeated.csv"
same repeated "$TMP/repeated.csv" --format json
python3 "$DIR/oracle.py" "$DIR/entries-2k.csv" "$TMP/cli-text.csv" 2024-12-01 2024-12-31
# A month in the middle: the accounts pass the statement date before the export ends.
"$BIN" --entries "$DIR/entries-2k.csv" --from 2024-06-01 --to 2024-06-30 --format json --out "$TMP/book-june" > "$TMP/book-june.csv"
"$CLI" month-end --entries "$DIR/entries-2k.csv" --from 2024-06-01 --to 2024-06-30 --format json --out "$TMP/cli-june" > "$TMP/cli-june.csv" 2> /dev/null
diff -r "$TMP/book-june" "$TMP/cli-june" > /dev/null && cmp -s "$TMP/book-june.csv" "$TMP/cli-june.csv" ||
    { echo "creditbook month-end: June differs from the Book's" >&2; exit 1; }

# Bad input: exit code 1, the line and the reason, nothing left in DIR; the command line: 2; a
# file that cannot be read: 3.
cli_bad() {
    local name=$1 want=$2
    mkdir -p "$TMP/cli-out-$name"
    set +e
    "$CLI" month-end --entries "$TMP/$name.csv" --from 2024-12-01 --to 2024-12-31 --out "$TMP/cli-out-$name" \
        > /dev/null 2> "$TMP/cli-$name.err"
    local code=$?
    set -e
    [ "$code" -eq 1 ] || { echo "creditbook month-end: $name: exit code $code, not 1" >&2; exit 1; }
    grep -q "line 6: .*$want" "$TMP/cli-$name.err" || { echo "creditbook month-end: $name: $(cat "$TMP/cli-$name.err")" >&2; exit 1; }
    [ -z "$(ls -A "$TMP/cli-out-$name")" ] || { echo "creditbook month-end: $name left files behind" >&2; exit 1; }
}
cli_bad malformed "expected 6 fields"
cli_bad unknown-kind "unknown kind"
cli_bad decimals "bad amount"
code() { set +e; "$CLI" "$@" > /dev/null 2>&1; echo $?; set -e; }
[ "$(code month-end --entries "$DIR/entries-2k.csv" --from 2024-12-01)" -eq 2 ] || { echo "creditbook: a missing --to is not exit 2" >&2; exit 1; }
[ "$(code month-end --entries "$TMP/none.csv" --from 2024-12-01 --to 2024-12-31)" -eq 3 ] || { echo "creditbook: a missing file is not exit 3" >&2; exit 1; }
"$CLI" --help | grep -q "EXIT CODES" || { echo "creditbook --help has no exit codes" >&2; exit 1; }
echo "creditbook month-end: the Book's statements byte for byte (4 formats, French, one thread, a repeated line, June), 3 kinds of bad input, exit codes checked"
