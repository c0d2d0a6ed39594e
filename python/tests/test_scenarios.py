"""The shared scenario vectors (tests/scenarios/*.json) run through the Python API.

The runner follows tests/scenarios/README.md and nothing else: the same files are run by the Rust
suite through the core API and by the C suite through the C API.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Optional

import pytest

import creditbook
from creditbook import Actor, Book, PaymentTerms, StoreSettings

SCENARIOS = Path(__file__).resolve().parents[2] / "tests" / "scenarios"
FILES = sorted(SCENARIOS.glob("*.json"))

COMMON_ARGS = {"account", "op_id", "at", "actor", "permissions"}
OP_ARGS: dict[str, set[str]] = {
    "open_account": {"customer_id", "customer_name", "credit_limit", "terms"},
    "update_contact": {"customer_id", "customer_name", "email"},
    "set_credit_limit": {"credit_limit"},
    "set_terms": {"terms"},
    "hold": {"reason"},
    "release": set(),
    "archive": set(),
    "reactivate": set(),
    "charge": {"amount", "sale", "due_date", "override_reason", "invoice_number"},
    "pay": {"amount", "invoices", "reference"},
    "deposit": {"amount", "reference"},
    "use_credit": {"amount", "sale"},
    "apply_credit": {"amount", "invoices"},
    "refund_to_credit": {"amount", "sale", "sale_total"},
    "refund_credit": {"amount", "method"},
    "reverse": {"entry", "reason"},
    "adjust": {"direction", "amount", "reason"},
    "write_off": {"invoice", "amount", "reason"},
}
QUERY_ARGS = {
    "max_charge": {"account", "amount", "at"},
    "summary": {"account", "as_of"},
    "aging": {"account", "as_of"},
}
STORE_KEYS = {
    "name", "currency", "timezone", "default_terms", "over_limit_tolerance_percent",
    "overdue_hold_days", "refunds_to_credit", "receipt_less_refunds", "auto_apply_credit",
    "aging_buckets", "default_credit_limit",
}


def amount(text: str) -> Decimal:
    return Decimal(text)


def instant(text: str) -> dt.datetime:
    assert text.endswith("Z"), f"an instant is RFC 3339 UTC with a Z: {text!r}"
    return dt.datetime.fromisoformat(text[:-1]).replace(tzinfo=dt.timezone.utc)


def date(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def boolean(text: str) -> bool:
    assert text in ("true", "false"), f"not a boolean: {text!r}"
    return text == "true"


def integers(text: str) -> list[int]:
    return [int(t) for t in text.split(",")]


def terms(text: str) -> Optional[PaymentTerms]:
    if text == "store":
        return None
    if text == "due_on_receipt":
        return PaymentTerms.due_on_receipt()
    kind, _, days = text.partition(":")
    if kind == "net":
        return PaymentTerms.net(int(days))
    if kind == "eom":
        return PaymentTerms.end_of_month_plus(int(days))
    raise AssertionError(f"unknown terms {text!r}")


def limit(text: str) -> Optional[Decimal]:
    return None if text == "unlimited" else amount(text)


def settings(store: dict[str, str]) -> StoreSettings:
    unknown = set(store) - STORE_KEYS
    assert not unknown, f"unknown store keys {unknown}"
    kw: dict[str, Any] = {}
    if "default_terms" in store:
        kw["default_terms"] = terms(store["default_terms"])
    if "over_limit_tolerance_percent" in store:
        kw["over_limit_tolerance_percent"] = amount(store["over_limit_tolerance_percent"])
    if "overdue_hold_days" in store:
        kw["overdue_hold_days"] = int(store["overdue_hold_days"])
    for flag in ("refunds_to_credit", "receipt_less_refunds", "auto_apply_credit"):
        if flag in store:
            kw[flag] = boolean(store[flag])
    if "aging_buckets" in store:
        kw["aging_buckets"] = integers(store["aging_buckets"])
    if "default_credit_limit" in store:
        kw["default_credit_limit"] = limit(store["default_credit_limit"])
    return StoreSettings(store["name"], store["currency"], store["timezone"], **kw)


def operation(book: Book, op: str, a: dict[str, str]) -> creditbook.Outcome:
    unknown = set(a) - COMMON_ARGS - OP_ARGS[op]
    assert not unknown, f"unknown args {unknown} for {op}"
    if "permissions" in a:
        assert "actor" in a, "permissions need an actor"
    actor = Actor(a["actor"], a["permissions"].split(",") if a.get("permissions") else ())\
        if "actor" in a else None
    env: dict[str, Any] = {"at": instant(a["at"]), "op_id": a["op_id"], "actor": actor}
    acc = a["account"]
    opt = a.get
    if op == "open_account":
        if "credit_limit" in a:  # none named: the store's default
            env["credit_limit"] = limit(a["credit_limit"])
        return book.open_account(acc, customer_id=a["customer_id"],
                                 customer_name=a["customer_name"],
                                 terms=terms(a["terms"]) if "terms" in a else None, **env)
    if op == "update_contact":
        return book.update_contact(acc, customer_id=a["customer_id"],
                                   customer_name=a["customer_name"], email=opt("email"), **env)
    if op == "set_credit_limit":
        return book.set_credit_limit(acc, limit(a["credit_limit"]), **env)
    if op == "set_terms":
        return book.set_terms(acc, terms(a["terms"]), **env)
    if op == "hold":
        return book.hold(acc, reason=opt("reason"), **env)
    if op in ("release", "archive", "reactivate"):
        method: Callable[..., creditbook.Outcome] = getattr(book, op)
        return method(acc, **env)
    money = amount(a["amount"]) if "amount" in a else None
    if op == "charge":
        assert money is not None
        return book.charge(acc, money, sale=opt("sale"),
                           due_date=date(a["due_date"]) if "due_date" in a else None,
                           override_reason=opt("override_reason"),
                           invoice_number=opt("invoice_number"), **env)
    if op == "pay":
        assert money is not None
        return book.pay(acc, money, reference=opt("reference"),
                        invoices=integers(a["invoices"]) if "invoices" in a else None, **env)
    if op == "deposit":
        assert money is not None
        return book.deposit(acc, money, reference=opt("reference"), **env)
    if op == "use_credit":
        assert money is not None
        return book.use_credit(acc, money, sale=opt("sale"), **env)
    if op == "apply_credit":
        assert money is not None
        return book.apply_credit(acc, money,
                                 invoices=integers(a["invoices"]) if "invoices" in a else None,
                                 **env)
    if op == "refund_to_credit":
        assert money is not None
        return book.refund_to_credit(
            acc, money, sale=opt("sale"),
            sale_total=amount(a["sale_total"]) if "sale_total" in a else None, **env)
    if op == "refund_credit":
        assert money is not None
        return book.refund_credit(acc, money, method=opt("method"), **env)
    if op == "reverse":
        return book.reverse(acc, int(a["entry"]), reason=a["reason"], **env)
    if op == "adjust":
        assert money is not None
        return book.adjust(acc, a["direction"], money, reason=a["reason"], **env)
    if op == "write_off":
        return book.write_off(acc, int(a["invoice"]), money, reason=a["reason"], **env)
    raise AssertionError(f"unknown op {op!r}")


def outcome_figures(o: creditbook.Outcome) -> dict[str, Any]:
    first = o.entries[0]
    opens = first.due_date is not None
    return {
        "first_entry": str(first.seq),
        "entries": str(len(o.entries)),
        "replayed": "true" if o.replayed else "false",
        "invoice": str(first.seq) if opens else "none",
        "due_date": str(first.due_date) if opens else "none",
        "owed_change": o.owed_change,
        "credit_change": o.credit_change,
        "allocated": sum((x.amount for x in o.allocations), Decimal("0")),
    }


def query(book: Book, op: str, a: dict[str, str]) -> dict[str, Any]:
    unknown = set(a) - QUERY_ARGS[op]
    assert not unknown, f"unknown args {unknown} for {op}"
    if op == "max_charge":
        return {"amount": book.max_charge(a["account"], amount(a["amount"]), at=instant(a["at"]))}
    if op == "summary":
        s = book.summary(a["account"], date(a["as_of"]))
        return {
            "status": str(s.account_status),
            "standing": str(s.standing),
            "credit_limit": "unlimited" if s.credit_limit is None else s.credit_limit,
            "balance_owed": s.balance_owed,
            "credit_balance": s.credit_balance,
            "available": "unlimited" if s.available is None else s.available,
            "overdue": s.overdue,
            "open_invoices": str(s.open_invoices),
        }
    aging = book.aging(a["account"], date(a["as_of"]))
    figures: dict[str, Any] = dict(aging.amounts)
    figures["total"] = aging.total
    return figures


def same(got: Any, want: str) -> bool:
    if isinstance(got, Decimal):
        try:
            return got == Decimal(want)
        except ArithmeticError:
            return False
    return str(got) == want


def entry_count(book: Book) -> int:
    return sum(len(book.entries(a.account_id)) for a in book.accounts(dt.date.max))


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_scenario(path: Path) -> None:
    scenario = json.loads(path.read_text(encoding="utf-8"))
    assert set(scenario) <= {"name", "description", "store", "steps"}, set(scenario)
    book = Book(settings(scenario["store"]))
    for i, step in enumerate(scenario["steps"]):
        where = f"{path.name} step {i} ({step.get('op')})"
        assert set(step) == {"op", "args", "expect"}, where
        op, args, expect = step["op"], step["args"], step["expect"]
        assert len(expect) == 1 and set(expect) <= {"error", "figures"}, where
        before = entry_count(book)
        try:
            if op in OP_ARGS:
                figures = outcome_figures(operation(book, op, args))
            elif op in QUERY_ARGS:
                figures = query(book, op, args)
            else:
                raise AssertionError(f"{where}: unknown op")
        except creditbook.CreditbookError as e:
            assert "error" in expect, f"{where}: failed with {e.code} {e}"
            assert e.code == expect["error"], f"{where}: code {e.code} ({e}), not {expect['error']}"
            assert entry_count(book) == before, f"{where}: a refused step recorded something"
            continue
        assert "figures" in expect, f"{where}: succeeded, expected error {expect.get('error')}"
        for name, want in expect["figures"].items():
            assert name in figures, f"{where}: unknown figure {name!r}"
            assert same(figures[name], want), f"{where}: {name} is {figures[name]}, not {want}"


def test_there_are_scenarios() -> None:
    assert len(FILES) >= 4
