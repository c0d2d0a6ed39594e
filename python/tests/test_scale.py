"""A million entries on one account through the Python API (the Python half of
core/tests/scale.rs): the figures, a replay, a month's statement and a lifetime's activity stay
exact, and no call slows to a crawl (about 3 s in all on a 2-core machine)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import creditbook
from creditbook import Book

ENTRIES = 1_000_000
START = dt.datetime(2024, 1, 1, 15, 0, tzinfo=dt.timezone.utc)


def at(n: int) -> dt.datetime:
    return START + dt.timedelta(minutes=n)


def test_a_million_entries_on_one_account() -> None:
    book = Book(creditbook.StoreSettings("Entreprises Big", "CAD", "America/Montreal"))
    book.open_account("BIG", customer_name="Entreprises Big", credit_limit=None, at=at(0),
                      op_id="o-0", actor=creditbook.Actor("manager", ["credit_limit"]))
    # Charges of 1.00 to 9.99 (by entry number); every tenth operation a payment of 5.00.
    charged = paid = Decimal("0")
    five = Decimal("5.00")
    for n in range(1, ENTRIES):
        if n % 10 == 0:
            book.pay("BIG", five, at=at(n), op_id=f"o-{n}")
            paid += five
        else:
            amount = Decimal(100 + n % 900).scaleb(-2)
            book.charge("BIG", amount, at=at(n), op_id=f"o-{n}")
            charged += amount
    last_day = at(ENTRIES).date()
    summary = book.summary("BIG", last_day)
    assert summary.balance_owed == charged - paid
    assert summary.credit_balance == 0

    # A retry of the first operation a million entries later is still a replay.
    assert book.charge("BIG", Decimal("1.01"), at=at(1), op_id="o-1").replayed

    # October 2025 in Montreal: 31 whole days of daylight time, one entry a minute.
    october = book.statement("BIG", start=dt.date(2025, 10, 1), end=dt.date(2025, 10, 31))
    assert len(october.lines) == 31 * 24 * 60
    assert october.closing_balance == (
        october.opening_balance + october.total_charges - october.total_credits
    )
    assert october.closing_balance == book.summary("BIG", dt.date(2025, 10, 31)).balance_owed

    payments = book.activity("BIG", start=at(0).date(), end=last_day, kinds=["payment"])
    assert len(payments) == (ENTRIES - 1) // 10
