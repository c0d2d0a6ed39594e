#!/usr/bin/env bash
# tests/c/check_till.sh TILL: runs the till example twice over one data file and checks that the
# second run continues the first (the accounts survived the restart) and prints in French.
set -euo pipefail
till="$1"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
"$till" "$dir/accounts.log" > "$dir/run1.txt"
"$till" "$dir/accounts.log" > "$dir/run2.txt"
fail() { echo "till: $1" >&2; cat "$dir/run1.txt" "$dir/run2.txt" >&2; exit 1; }
grep -qF "compte C-100 ouvert" "$dir/run1.txt" || fail "the first run did not open the account"
grep -qF "passage 1: solde dû 70.00 $," "$dir/run1.txt" || fail "the first run's balance is not 70.00"
grep -qF "compte C-100 ouvert" "$dir/run2.txt" && fail "the second run opened the account again"
grep -qF "passage 2: vente S-2 portée au compte: 120.00 $, facture 4" "$dir/run2.txt" ||
    fail "the second run's sale is not invoice 4"
grep -qF "passage 2: solde dû 140.00 $," "$dir/run2.txt" || fail "the second run did not continue the first"
grep -qF "Relevé" "$dir/run2.txt" || fail "the statement is not in French"
grep -qF "140,00" "$dir/run2.txt" || fail "the statement does not show 140,00"
[ "$(wc -l < "$dir/accounts.log")" -eq 5 ] || fail "the file does not hold 5 entries"
echo "till: 2 runs over one file, the second continues the first"
