"""Shared helpers of the Python tests."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Sequence

import creditbook

UTC = dt.timezone.utc
AT = dt.datetime(2026, 11, 3, 15, 0, tzinfo=UTC)
DAY = dt.date(2026, 11, 3)
MANAGER = creditbook.Actor("emp-1", creditbook.PERMISSIONS)


def settings(**kw: Any) -> creditbook.StoreSettings:
    kw.setdefault("languages", ["en", "fr"])
    return creditbook.StoreSettings("Quincaillerie Lapointe", "CAD", "America/Montreal", **kw)


def book_with_account(
    limit: Decimal | None = Decimal("500.00"), store: Any = None, **kw: Any
) -> creditbook.Book:
    book = creditbook.Book(settings(**kw), store=store)
    book.open_account(
        "C-1",
        customer_name="Marie Tremblay",
        email="marie@example.com",
        language="fr",
        credit_limit=limit,
        at=AT,
        op_id="open",
        actor=creditbook.Actor("manager", ["credit_limit"]),
    )
    return book


class MemoryPort:
    """The smallest correct store port: a dict of record lists."""

    def __init__(self) -> None:
        self.records: dict[str, list[str]] = {}
        self.calls: list[str] = []

    def load(self, account: str, after: int) -> list[str]:
        self.calls.append("load")
        return self.records.get(account, [])[after:]

    def append(self, account: str, expected_version: int, records: Sequence[str]) -> None:
        self.calls.append("append")
        have = self.records.setdefault(account, [])
        if len(have) != expected_version:
            raise creditbook.Conflict(f"at {len(have)}, not {expected_version}")
        have.extend(records)

    def account_ids(self) -> list[str]:
        return sorted(a for a, r in self.records.items() if r)
