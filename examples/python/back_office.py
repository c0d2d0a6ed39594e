"""A back office's day with creditbook, on its durable store: one SQLite file.

The Book keeps no data of its own here: every entry goes to the file through
`creditbook.SqliteStore` (WAL, fsynced before each operation is acknowledged; the tills may have
the same file open). A host that keeps its accounts in its own database writes a store port
instead: examples/python/host_store.py. The script

1. opens the customers' accounts (once: opening is idempotent by operation id),
2. imports a CSV of the day's sales, payments and returns from the tills (twice, to show that a
   re-import records nothing new),
3. prints the accounts list,
4. writes the month's statements, each in its customer's language (HTML and text), with a
   "Pay online" link from the payment provider, and emails each to its customer (the mailer here
   writes .eml files to an outbox folder),
5. closes everything, reopens the database with a new Book and checks that every figure is the
   same: the data survives a restart.

Run: `python examples/python/back_office.py [--db FILE] [--out DIR]` (temporary ones by default).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Iterable

import creditbook
from creditbook import Actor, Book, Message, PaymentLinkRequest, SqliteStore, StoreSettings


class OutboxMailer:
    """A creditbook mailer that writes each message as an .eml file (RFC 5322 bytes, ready
    for an SMTP relay) instead of sending it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, message: Message) -> str:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{message.id}.eml"
        path.write_bytes(message.to_bytes())
        return path.name  # the delivery id


class DemoPortal:
    """A creditbook payment provider: a real one calls its API and returns the secure URL."""

    def create_link(self, request: PaymentLinkRequest) -> str:
        return f"https://pay.example/{request.reference}?amount={request.amount}"


SETTINGS = dict(
    name="Quincaillerie Lapointe",
    currency="CAD",
    timezone="America/Montreal",
    languages=["en", "fr", "es"],
    overdue_hold_days=60,
    from_="comptes@lapointe.example",
)

CUSTOMERS = [
    # account, name, email, language, credit limit
    ("C-100", "Marie Tremblay", "marie@example.com", "fr", Decimal("800.00")),
    ("C-101", "John Smith", "john@example.com", "en", Decimal("500.00")),
    ("C-102", "Lucía Gómez", "lucia@example.com", "es", Decimal("1500.00")),
    ("C-103", "Paul Gagnon", None, None, None),  # unlimited, no language: the store's
]

# What the tills exported for the day: one line per operation; the till's operation id makes a
# re-import record nothing new.
DAY_CSV = """op_id,account,kind,amount,sale,at
till1-0001,C-100,charge,120.50,S-5001,2026-11-02T14:03:00-05:00
till1-0002,C-101,charge,310.00,S-5002,2026-11-02T14:20:00-05:00
till2-0001,C-102,charge,980.00,S-5003,2026-11-02T15:45:00-05:00
till2-0002,C-100,charge,75.25,S-5004,2026-11-09T10:10:00-05:00
till1-0003,C-103,charge,2400.00,S-5005,2026-11-12T09:30:00-05:00
till1-0004,C-101,payment,200.00,,2026-11-15T11:00:00-05:00
till2-0003,C-102,refund,80.00,S-5003,2026-11-16T16:00:00-05:00
till1-0005,C-100,payment,250.00,,2026-11-20T13:00:00-05:00
till2-0004,C-101,charge,600.00,S-5006,2026-11-24T17:00:00-05:00
"""

MANAGER = Actor("emp-1", {"credit_account_refund"})


def open_accounts(book: Book) -> None:
    at = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.timezone.utc)
    for account, name, email, language, limit in CUSTOMERS:
        book.open_account(
            account,
            customer_name=name,
            email=email,
            language=language,
            credit_limit=limit,
            at=at,
            op_id=f"open-{account}",
            actor=creditbook.Actor("manager", ["credit_limit"]),
        )


def import_day(book: Book, csv_text: str) -> tuple[int, int, list[str]]:
    """Records each line; returns (recorded, replayed, declined with the reason)."""
    recorded = replayed = 0
    declined: list[str] = []
    for row in csv.DictReader(io.StringIO(csv_text)):
        amount = Decimal(row["amount"])
        at = dt.datetime.fromisoformat(row["at"])
        account, op_id, sale = row["account"], row["op_id"], row["sale"] or None
        try:
            if row["kind"] == "charge":
                outcome: creditbook.Outcome = book.charge(
                    account, amount, sale=sale, at=at, op_id=op_id
                )
            elif row["kind"] == "payment":
                outcome = book.pay(account, amount, at=at, op_id=op_id)
            elif row["kind"] == "refund":
                outcome = book.refund_to_credit(
                    account, amount, sale=sale, actor=MANAGER, at=at, op_id=op_id
                )
            else:
                raise ValueError(f"unknown kind {row['kind']!r}")
        except creditbook.CreditbookError as e:
            declined.append(f"{op_id} {account} {row['kind']} {amount}: {e} (code {e.code})")
            continue
        if outcome.replayed:
            replayed += 1
        else:
            recorded += 1
    return recorded, replayed, declined


def print_accounts(book: Book, as_of: dt.date) -> None:
    print(f"Accounts on {as_of}:")
    print(f"  {'account':<7} {'customer':<16} {'owed':>9} {'credit':>8} {'available':>10} status")
    for row in book.accounts(as_of, sort="balance_owed", descending=True):
        available = "unlimited" if row.available is None else f"{row.available}"
        print(
            f"  {row.account_id:<7} {row.customer_name:<16} {row.balance_owed:>9} "
            f"{row.credit_balance:>8} {available:>10} {row.standing}"
        )


def write_statements(book: Book, start: dt.date, end: dt.date, out: Path) -> list[Path]:
    """Writes each statement (with its "Pay online" link) and emails it when the customer has an
    address; the link and the message are recorded on the account, so a rerun sends nothing
    twice and makes no second link."""
    out.mkdir(parents=True, exist_ok=True)
    at = dt.datetime.combine(end, dt.time(23, 0), tzinfo=dt.timezone.utc)
    written = []
    for row in book.accounts(end):
        st = book.statement_with_link(
            row.account_id, start=start, end=end, at=at, op_id=f"statement-link-{end:%Y%m}"
        )
        for suffix, text in ((".html", st.to_html()), (".txt", st.to_text(width=80))):
            path = out / f"{st.number}-{st.language}{suffix}"
            path.write_text(text, encoding="utf-8")
            written.append(path)
        try:
            done = book.send(book.compose_statement_email(st), at=at)
            sent = done.delivery_id + (" (before: not sent again)" if done.already_delivered else "")
        except creditbook.MissingRecipient:
            sent = "no email on file: print it"
        link = f", pay online at {st.payment_link.url}" if st.payment_link else ""
        print(
            f"  {st.number} ({st.language}): closing balance {st.closing_balance}, "
            f"amount due {st.amount_due} by {st.due_date}{link}; emailed: {sent}"
        )
    return written


def figures(book: Book, as_of: dt.date) -> list[dict[str, object]]:
    return [row.to_dict() for row in book.accounts(as_of)]


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--db", help="creditbook SQLite file (default: a temporary one)")
    parser.add_argument("--out", help="folder for the statements (default: a temporary one)")
    args = parser.parse_args(list(argv) if argv is not None else None)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(args.db) if args.db else Path(tmp) / "back_office.sqlite3"
        out = Path(args.out) if args.out else Path(tmp) / "statements"
        month_end = dt.date(2026, 11, 30)

        store = SqliteStore(db)
        mailer, portal = OutboxMailer(out / "outbox"), DemoPortal()
        book = Book(
            StoreSettings(**SETTINGS), store=store, mailer=mailer, payments=portal  # type: ignore[arg-type]
        )
        open_accounts(book)
        recorded, replayed, declined = import_day(book, DAY_CSV)
        print(f"Imported the day: {recorded} recorded, {replayed} already there")
        for line in declined:
            print(f"  declined: {line}")
        again = import_day(book, DAY_CSV)
        print(f"Imported it again: {again[0]} recorded, {again[1]} already there")
        assert again[0] == 0, "a re-import must record nothing new"
        print()
        print_accounts(book, month_end)
        print()
        print(f"Statements for {month_end:%B %Y} in {out}:")
        written = write_statements(book, dt.date(2026, 11, 1), month_end, out)
        before = figures(book, month_end)
        del book, store  # the last reference closes the file

        # A restart: a new process would do exactly this.
        store = SqliteStore(db)
        book = Book(
            StoreSettings(**SETTINGS), store=store, mailer=mailer, payments=portal  # type: ignore[arg-type]
        )
        after = figures(book, month_end)
        assert after == before, "the figures after a restart differ"
        replay = book.charge("C-100", Decimal("120.50"), sale="S-5001",
                             at=dt.datetime(2026, 11, 2, 19, 3, tzinfo=dt.timezone.utc),
                             op_id="till1-0001")
        assert replay.replayed, "an operation id must be remembered across a restart"
        emailed = sorted(p.name for p in (out / "outbox").iterdir())
        print()
        print("The month-end run again, after the restart:")
        write_statements(book, dt.date(2026, 11, 1), month_end, out)
        assert sorted(p.name for p in (out / "outbox").iterdir()) == emailed, "sent twice"
        del book, store
        print()
        print(
            f"Restarted on {db.name}: {len(after)} accounts, same figures, "
            f"operation ids remembered; {len(written)} statement files written, "
            f"{len(emailed)} emailed once."
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
