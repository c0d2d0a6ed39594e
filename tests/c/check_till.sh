#!/usr/bin/env bash
# tests/c/check_till.sh TILL: runs the till example twice over one SQLite file and checks that the
# second run continues the first (the accounts survived the restart) and prints in French, that
# the file holds the entries (read with Python's own sqlite3, not creditbook), and that a file
# that is not a creditbook database is refused with its reason and left as it was.
set -euo pipefail
till="$1"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
db="$dir/accounts.sqlite3"
"$till" "$db" > "$dir/run1.txt"
"$till" "$db" > "$dir/run2.txt"
fail() { echo "till: $1" >&2; cat "$dir/run1.txt" "$dir/run2.txt" >&2; exit 1; }
grep -qF "compte C-100 ouvert" "$dir/run1.txt" || fail "the first run did not open the account"
grep -qF "passage 1: solde dû 70.00 $," "$dir/run1.txt" || fail "the first run's balance is not 70.00"
grep -qF "compte C-100 ouvert" "$dir/run2.txt" && fail "the second run opened the account again"
grep -qF "passage 2: vente S-2 portée au compte: 120.00 $, facture 4" "$dir/run2.txt" ||
    fail "the second run's sale is not invoice 4"
grep -qF "passage 2: solde dû 140.00 $," "$dir/run2.txt" || fail "the second run did not continue the first"
grep -qF "Relevé" "$dir/run2.txt" || fail "the statement is not in French"
grep -qF "140,00" "$dir/run2.txt" || fail "the statement does not show 140,00"
seqs="$(python3 -c 'import sqlite3, sys
c = sqlite3.connect(sys.argv[1])
print(",".join(str(s) for (s,) in c.execute("SELECT seq FROM entries WHERE account = ? ORDER BY seq", ("C-100",))))' "$db")"
[ "$seqs" = "1,2,3,4,5" ] || fail "the file holds entries $seqs of C-100, not 1 to 5"
[ -e "$db-wal" ] && fail "the till left $db-wal behind (a handle was not freed)"
printf 'Quincaillerie Lapointe: notes of the day\n' > "$dir/notes.txt"
cp "$dir/notes.txt" "$dir/notes.orig"
if "$till" "$dir/notes.txt" > "$dir/run3.txt" 2> "$dir/err3.txt"; then
    fail "the till ran on a text file"
fi
grep -qF "is not a creditbook database" "$dir/err3.txt" || { cat "$dir/err3.txt" >&2; fail "no reason given for the text file"; }
cmp -s "$dir/notes.txt" "$dir/notes.orig" || fail "the text file was changed"
echo "till: 2 runs over one SQLite file, the second continues the first; a text file refused untouched"
