#!/usr/bin/env bash
# make abi-check: the C ABI of the library against tests/abi/creditbook.abi, the ABI of the
# release it names (its first line). Any difference (an exported symbol, a declaration of
# include/creditbook.h: type, field, parameter, enum value, or a CREDITBOOK_* constant) fails
# unless CHANGELOG.md announces it: the section of a release after the baseline's (or the
# baseline's own while it says "unreleased") has an entry marked **ABI** and names the changed
# item. At a release, `tests/abi/check.sh --update LIB VERSION` records the new baseline.
#   tests/abi/check.sh LIB                 check (LIB: a libcreditbook.so)
#   tests/abi/check.sh --update LIB VERSION
set -euo pipefail
cd "$(dirname "$0")/../.."
BASELINE=tests/abi/creditbook.abi
if [ "${1:-}" = "--update" ]; then
    [ $# -eq 3 ] || { echo "usage: $0 --update LIB VERSION" >&2; exit 2; }
    {
        echo "# creditbook $3 C ABI (tests/abi/check.sh --update; symbols of libcreditbook.so, declarations and constants of include/creditbook.h)"
        python3 tests/abi/abi.py dump "$2" include/creditbook.h
    } >"$BASELINE"
    echo "abi: $BASELINE is now the ABI of $3"
    exit 0
fi
[ $# -eq 1 ] || { echo "usage: $0 LIB | --update LIB VERSION" >&2; exit 2; }
python3 tests/abi/abi.py check "$1" include/creditbook.h "$BASELINE" CHANGELOG.md
