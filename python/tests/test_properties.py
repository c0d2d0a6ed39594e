"""The core's invariants, checked through Python on random sequences of operations."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Callable

from hypothesis import given, settings as hsettings, strategies as st

import creditbook

from _support import AT, MANAGER, MemoryPort, book_with_account

LIMIT = Decimal("300.00")
KINDS = ["charge", "pay", "deposit", "use_credit", "apply_credit", "refund", "refund_credit"]

operations = st.lists(
    st.tuples(
        st.sampled_from(KINDS),
        st.integers(min_value=1, max_value=25_000).map(lambda c: Decimal(c) / 100),
        st.integers(min_value=0, max_value=3),  # days after the previous operation
        st.integers(min_value=0, max_value=5),  # which sale
    ),
    max_size=25,
)


def run(book: creditbook.Book, ops: list[tuple[str, Decimal, int, int]]) -> list[Callable[[], object]]:
    """Applies the operations (refusals are fine) and returns them as replayable calls."""
    calls: list[Callable[[], object]] = []
    at = AT
    for i, (kind, amount, days, sale) in enumerate(ops):
        at = at + dt.timedelta(days=days)
        op, s = f"op-{i}", f"S-{sale}"

        def call(kind: str = kind, amount: Decimal = amount, at: dt.datetime = at,
                 op: str = op, s: str = s) -> object:
            if kind == "charge":
                return book.charge("C-1", amount, sale=s, at=at, op_id=op)
            if kind == "pay":
                return book.pay("C-1", amount, at=at, op_id=op)
            if kind == "deposit":
                return book.deposit("C-1", amount, at=at, op_id=op)
            if kind == "use_credit":
                return book.use_credit("C-1", amount, sale=s, at=at, op_id=op)
            if kind == "apply_credit":
                return book.apply_credit("C-1", amount, at=at, op_id=op)
            if kind == "refund":
                return book.refund_to_credit("C-1", amount, sale=s, actor=MANAGER, at=at,
                                             op_id=op)
            return book.refund_credit("C-1", amount, at=at, op_id=op, actor=MANAGER)

        try:
            call()
            calls.append(call)
        except creditbook.CreditbookError:
            pass
        check(book, at.date())
    return calls


def check(book: creditbook.Book, day: dt.date) -> None:
    s = book.summary("C-1", day)
    remainders = sum((i.remaining for i in book.open_invoices("C-1", day)), Decimal("0"))
    assert s.balance_owed == remainders
    assert s.credit_balance >= 0
    assert s.balance_owed <= LIMIT
    assert s.available == LIMIT - s.balance_owed
    aging = book.aging("C-1", day)
    assert aging.total == s.balance_owed


@hsettings(max_examples=60, deadline=None)
@given(operations)
def test_invariants_hold_after_every_operation(ops: list[tuple[str, Decimal, int, int]]) -> None:
    book = book_with_account(LIMIT)
    run(book, ops)


@hsettings(max_examples=40, deadline=None)
@given(operations)
def test_replaying_every_operation_changes_nothing(ops: list[tuple[str, Decimal, int, int]]) -> None:
    port = MemoryPort()
    book = book_with_account(LIMIT, store=port)
    calls = run(book, ops)
    records = list(port.records["C-1"])
    for call in calls:
        outcome = call()
        assert isinstance(outcome, creditbook.Outcome) and outcome.replayed
    assert port.records["C-1"] == records


@hsettings(max_examples=40, deadline=None)
@given(operations)
def test_statements_chain_and_match_the_figures(ops: list[tuple[str, Decimal, int, int]]) -> None:
    book = book_with_account(LIMIT)
    run(book, ops)
    start = AT.date()
    middle, end = start + dt.timedelta(days=20), start + dt.timedelta(days=90)
    first = book.statement("C-1", start=start, end=middle)
    second = book.statement("C-1", start=middle + dt.timedelta(days=1), end=end)
    assert first.closing_balance == second.opening_balance
    assert second.closing_balance == book.summary("C-1", end).balance_owed
    assert sum(second.aging.values()) == second.closing_balance
    assert second.credit_balance == book.summary("C-1", end).credit_balance
