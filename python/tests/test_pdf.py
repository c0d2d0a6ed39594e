"""PDF statements and the print run from Python, read back with poppler (installed when missing,
as the Rust tests do): the figures are in the text, the UBL inside is `to_ubl_xml()`."""

from __future__ import annotations

import datetime as dt
import pathlib
import shutil
import subprocess
from decimal import Decimal

import pytest

import creditbook

from _support import AT, book_with_account

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _tools() -> None:
    if not all(shutil.which(t) for t in ("pdftotext", "pdfdetach", "pdfinfo")):
        subprocess.run([str(ROOT / "tests" / "apt-install.sh"), "poppler-utils"], check=True)


def _statement(language: str = "fr") -> creditbook.Statement:
    book = book_with_account()
    book.charge("C-1", Decimal("234.56"), sale="S-77", at=AT, op_id="c1")
    book.pay("C-1", Decimal("34.56"), at=AT, op_id="p1")
    return book.statement("C-1", start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30),
                          language=language)


def _text(path: pathlib.Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True,
                          capture_output=True, text=True).stdout


def _pages(path: pathlib.Path) -> tuple[int, str]:
    out = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True,
                         text=True).stdout
    fields = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    return int(fields["Pages"]), fields["Page size"].strip()


def test_to_pdf_reads_back(tmp_path: pathlib.Path) -> None:
    _tools()
    st = _statement("en")
    pdf = st.to_pdf()
    assert isinstance(pdf, bytes) and pdf.startswith(b"%PDF-1.7")
    path = tmp_path / "st.pdf"
    path.write_bytes(pdf)
    text = _text(path)
    for needle in ("Statement of account", "Marie Tremblay", "S-77", "$234.56", "$34.56",
                   "$200.00", "December 30, 2026"):
        assert needle in text, needle
    # Montréal: Letter by default; A4 when asked.
    assert _pages(path)[1].startswith("612 x 792")
    path.write_bytes(st.to_pdf(paper="a4"))
    assert _pages(path)[1].startswith("595.276 x 841.89")
    # The UBL inside, byte for byte.
    out = tmp_path / "detached"
    out.mkdir()
    path.write_bytes(pdf)
    subprocess.run(["pdfdetach", "-saveall", "-o", str(out), str(path)], check=True)
    assert (out / "statement-ubl.xml").read_bytes() == st.to_ubl_xml().encode()
    assert len(st.to_pdf(embed_ubl=False)) < len(pdf)


def test_bad_paper_is_refused() -> None:
    with pytest.raises(creditbook.InvalidInput):
        _statement().to_pdf(paper="a5")


def test_print_run(tmp_path: pathlib.Path) -> None:
    _tools()
    sts = [_statement("en"), _statement("fr")]
    path = tmp_path / "run.pdf"
    path.write_bytes(creditbook.print_run(sts, paper="letter"))
    pages, _ = _pages(path)
    one = tmp_path / "one.pdf"
    total = 0
    for st in sts:
        one.write_bytes(st.to_pdf(paper="letter"))
        total += _pages(one)[0]
    assert pages == total
    text = _text(path)
    assert text.index("Statement of account") < text.index("Relevé de compte")
    with pytest.raises(creditbook.InvalidInput):
        creditbook.print_run([])


def test_statement_email_attaches_the_pdf() -> None:
    book = book_with_account(attach_pdf=True, attach_html=False, from_="billing@example.com")
    assert book.settings.attach_pdf is True and book.settings.attach_html is False
    book.charge("C-1", Decimal("10.00"), sale="S-1", at=AT, op_id="c1")
    st = book.statement("C-1", start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30))
    m = book.compose_statement_email(st)
    assert [(a.filename, a.content_type) for a in m.attachments] == [
        (f"statement-{st.number}.pdf", "application/pdf")]
    assert bytes(m.attachments[0].content) == st.to_pdf()
