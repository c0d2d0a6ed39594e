#!/usr/bin/env bash
# make pdf: the PDF statement tests (core/tests/statement_pdf.rs: qpdf --check, pdftotext,
# pdfdetach, pdfinfo on every sample) with the samples kept, then the UBL statement detached from
# every sample validated against the OASIS UBL 2.1 XSD with xmllint (the XSD from tests/ubl's
# venv, installed by `make ubl`, which runs before this in `make test`). Installs qpdf,
# poppler-utils and xmllint when missing.
# With SNAPSHOTS=DIR: writes the first page of each language's sample as a PNG to DIR instead.
set -euo pipefail
cd "$(dirname "$0")/../.."

CARGO="${CARGO:-cargo}"
TARGET="${CARGO_TARGET_DIR:-target}"
case "$TARGET" in /*) ;; *) TARGET="$PWD/$TARGET" ;; esac
OUT="$TARGET/pdf-samples"
MIN_SAMPLES=12

command -v qpdf >/dev/null || tests/apt-install.sh qpdf
command -v pdfdetach >/dev/null || tests/apt-install.sh poppler-utils
command -v xmllint >/dev/null || tests/apt-install.sh libxml2-utils

rm -rf "$OUT"
CREDITBOOK_PDF_OUT="$OUT" "$CARGO" test --quiet -p creditbook --features pdf \
    --test statement_pdf --locked

if [ -n "${SNAPSHOTS:-}" ]; then
    mkdir -p "$SNAPSHOTS"
    for lang in en fr es de nl; do
        pdftoppm -png -r 50 -f 1 -l 1 -singlefile "$OUT/statement-$lang-a4.pdf" "$SNAPSHOTS/statement-$lang-a4"
    done
    pdftoppm -png -r 50 -f 1 -l 1 -singlefile "$OUT/statement-en-letter.pdf" "$SNAPSHOTS/statement-en-letter"
    echo "pdf: snapshots in $SNAPSHOTS"
    exit 0
fi

VENV=.venv
SITE="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])' 2>/dev/null || true)"
XSD="$SITE/odoo/addons/base_ubl/data/xsd-2.1/maindoc/UBL-Statement-2.1.xsd"
if [ ! -f "$XSD" ]; then
    # The XSD comes with make ubl's venv: make it when this runs alone.
    CARGO="$CARGO" tests/ubl/validate.sh >/dev/null
    SITE="$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
    XSD="$SITE/odoo/addons/base_ubl/data/xsd-2.1/maindoc/UBL-Statement-2.1.xsd"
fi

shopt -s nullglob
samples=("$OUT"/*.pdf)
if [ "${#samples[@]}" -lt "$MIN_SAMPLES" ]; then
    echo "pdf: expected at least $MIN_SAMPLES samples in $OUT, found ${#samples[@]}" >&2
    exit 1
fi
DETACHED="$OUT/detached"
xmls=0
for pdf in "${samples[@]}"; do
    dir="$DETACHED/$(basename "$pdf" .pdf)"
    mkdir -p "$dir"
    pdfdetach -saveall -o "$dir" "$pdf"
    for xml in "$dir"/*.xml; do
        xmllint --noout --nonet --schema "$XSD" "$xml"
        xmls=$((xmls + 1))
    done
done
[ "$xmls" -ge "$MIN_SAMPLES" ] || { echo "pdf: only $xmls UBL attachments found" >&2; exit 1; }
echo "pdf: ${#samples[@]} PDFs checked; $xmls embedded UBL statements valid against UBL-Statement-2.1.xsd"
