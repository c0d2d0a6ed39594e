"""Strict types at the boundary: exact money, aware instants, plain dates."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

import creditbook

from _support import AT, DAY, book_with_account


@pytest.mark.parametrize("amount", [12.5, 0.1 + 0.2, True, False, "12.50", None, b"1", [1]])
def test_money_is_decimal_or_int_only(amount: Any) -> None:
    book = book_with_account()
    with pytest.raises(TypeError, match="decimal.Decimal or an int"):
        book.charge("C-1", amount, at=AT, op_id="c")
    with pytest.raises(TypeError):
        book.max_charge("C-1", amount)
    assert book.summary("C-1", DAY).balance_owed == Decimal("0.00")  # nothing recorded


def test_int_and_decimal_are_exact() -> None:
    book = book_with_account()
    assert book.charge("C-1", 12, at=AT, op_id="a").amount == Decimal("12.00")
    assert book.charge("C-1", Decimal("1E+1"), at=AT, op_id="b").amount == Decimal("10.00")
    # 30 decimals that are all zeros are still 1.
    assert book.charge("C-1", Decimal("1." + "0" * 30), at=AT, op_id="c").amount == Decimal("1")


@pytest.mark.parametrize(
    "amount, code",
    [
        (Decimal("1.005"), 102),  # more decimals than CAD has: never rounded
        (Decimal("0.0000000000000000000000000000001"), 102),  # beyond any currency
        (Decimal("NaN"), 105),
        (Decimal("Infinity"), 105),
        (Decimal("1E+40"), 106),
        (10**40, 106),
        (Decimal("0"), 100),
        (Decimal("-5"), 100),
    ],
)
def test_bad_amounts_raise_invalid_amount(amount: Any, code: int) -> None:
    book = book_with_account()
    with pytest.raises(creditbook.InvalidAmount) as e:
        book.charge("C-1", amount, at=AT, op_id="c")
    assert e.value.code == code
    assert isinstance(e.value, creditbook.InvalidInput)
    assert isinstance(e.value, creditbook.CreditbookError)


def test_naive_datetime_is_refused_with_value_error() -> None:
    book = book_with_account()
    with pytest.raises(ValueError, match="timezone-aware"):
        book.charge("C-1", Decimal("1"), at=dt.datetime(2026, 11, 3, 15), op_id="c")


@pytest.mark.parametrize("at", [DAY, "2026-11-03T15:00:00Z", 1_700_000_000, None])
def test_instants_must_be_datetimes(at: Any) -> None:
    book = book_with_account()
    with pytest.raises(TypeError, match="datetime"):
        book.charge("C-1", Decimal("1"), at=at, op_id="c")


@pytest.mark.parametrize("as_of", [AT, "2026-11-03", 20261103])
def test_dates_must_be_dates_not_datetimes(as_of: Any) -> None:
    book = book_with_account()
    with pytest.raises(TypeError, match="datetime.date"):
        book.summary("C-1", as_of)
    with pytest.raises(TypeError):
        book.statement("C-1", start=as_of, end=DAY)
    with pytest.raises(TypeError):
        book.charge("C-1", Decimal("1"), due_date=as_of, at=AT, op_id="c")


def test_strings_are_not_coerced() -> None:
    book = book_with_account()
    with pytest.raises(TypeError):
        book.charge("C-1", Decimal("1"), at=AT, op_id=7)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        book.charge("C-1", Decimal("1"), sale=5001, at=AT, op_id="c")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        book.pay("C-1", Decimal("1"), invoices=[True], at=AT, op_id="p")
    with pytest.raises(TypeError):
        creditbook.Actor("emp", "credit_limit")  # one str is not a set of permissions
    with pytest.raises(creditbook.InvalidInput) as e:
        creditbook.Actor("emp", {"root"})
    assert e.value.code == 107


def test_settings_amounts_are_strict_too() -> None:
    with pytest.raises(TypeError):
        creditbook.StoreSettings("S", "CAD", "America/Toronto", percent_due=50.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        creditbook.StoreSettings("S", "CAD", "America/Toronto", days_till_due=True)
