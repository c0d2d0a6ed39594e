"""The public surface of issue 6, used the way a back-office script uses it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from decimal import Decimal

import pytest

import creditbook
from creditbook import Actor, Book, PaymentTerms, PostalAddress, Standing, StoreSettings

from _support import AT, DAY, MANAGER, UTC, book_with_account, settings


def test_the_issue_example() -> None:
    s = StoreSettings(
        name="Quincaillerie Lapointe",
        currency="CAD",
        timezone="America/Montreal",
        languages=["en", "fr"],
    )
    book = Book(s)
    dt_ = AT
    book.open_account("C-1", customer_name="Marie Tremblay", email="marie@example.com",
                      language="fr", credit_limit=Decimal("500.00"), at=dt_, op_id="o1", actor=creditbook.Actor("manager", ["credit_limit"]))
    book.set_credit_limit("C-1", Decimal("800.00"), actor=Actor("emp-7", {"credit_limit"}),
                          at=dt_, op_id="o2")
    charge = book.charge("C-1", Decimal("120.00"), sale="S-1", at=dt_, op_id="o3")
    assert isinstance(charge, creditbook.Charge) and isinstance(charge, creditbook.Outcome)
    assert charge.invoice_id == 3
    assert charge.due_date == dt.date(2026, 12, 3)
    assert book.max_charge("C-1", Decimal("900.00")) == Decimal("680.00")
    paid = book.pay("C-1", Decimal("50.00"), at=dt_, op_id="o4")
    assert [(a.invoice, a.amount) for a in paid.allocations] == [(3, Decimal("50.00"))]
    assert paid.credit == Decimal("0.00")
    book.deposit("C-1", Decimal("40.00"), at=dt_, op_id="o5", reference="layaway-7")
    book.use_credit("C-1", Decimal("20.00"), sale="S-2", at=dt_, op_id="o6")
    book.apply_credit("C-1", Decimal("10.00"), at=dt_, op_id="o7")
    book.refund_to_credit("C-1", Decimal("30.00"), sale="S-1",
                          actor=Actor("emp-7", {"credit_account_refund"}), at=dt_, op_id="o8")
    summary = book.summary("C-1", as_of=DAY)
    assert summary.credit_limit == Decimal("800.00")
    assert summary.balance_owed == Decimal("30.00")  # 120 - 50 - 10 - 30
    assert summary.credit_balance == Decimal("10.00")  # 40 - 20 - 10
    assert summary.available == Decimal("770.00")
    assert summary.overdue == Decimal("0.00")
    assert summary.standing == "outstanding" and summary.standing is Standing.OUTSTANDING
    assert [r.account_id for r in book.accounts(as_of=DAY, standing=None)] == ["C-1"]
    kinds = [e.kind for e in book.activity("C-1", start=DAY, end=DAY)]
    assert kinds == ["account_opened", "credit_limit_changed", "charge", "payment", "deposit",
                     "credit_tender", "credit_applied", "refund_to_credit"]
    st = book.statement("C-1", start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30),
                        statement_date=None, due_date=None, amount_due=None, language=None)
    assert (st.opening_balance, st.closing_balance, st.credit_balance, st.amount_due) == (
        Decimal("0.00"), Decimal("30.00"), Decimal("10.00"), Decimal("30.00"))
    assert st.due_date == dt.date(2026, 12, 30)
    assert list(st.aging) == ["current", "1-30", "31-60", "61-90", "over 90"]
    assert sum(st.aging.values()) == st.closing_balance
    assert [line.kind for line in st.lines] == ["charge", "payment", "deposit", "credit_tender",
                                                 "credit_applied", "refund_to_credit"]
    assert st.language == "fr"
    assert "Relevé" in st.to_html() and "</html>" in st.to_html()
    assert all(len(line) <= 80 for line in st.to_text(width=80).splitlines())
    assert st.to_ubl_xml().startswith("<?xml")
    assert json.loads(st.to_json())["closing_balance"] == "30.00"


def test_settings_defaults_and_every_keyword() -> None:
    s = settings()
    assert s.days_till_due == 30 and s.percent_due == Decimal("100")
    assert s.display_credit_limit is False and s.default_terms == PaymentTerms.net(30)
    assert s.aging_buckets == (30, 60, 90) and s.language == "en" and s.country == "CA"
    full = StoreSettings(
        "Ferreteria", "EUR", "Europe/Madrid", address=PostalAddress(lines=["Calle 1"], city="Madrid"),
        default_terms=PaymentTerms.end_of_month_plus(10), over_limit_tolerance_percent=Decimal("5"),
        overdue_hold_days=45, refunds_to_credit=False, receipt_less_refunds=False,
        auto_apply_credit=True, aging_buckets=[15, 30], days_till_due=0, percent_due=50,
        display_credit_limit=True, cheques_payable_to="Ferreteria SL",
        remittance_address=PostalAddress(city="Sevilla"), header_text="Gracias",
        languages=["es", "en"], language="es", country="ES", currency_display="iso_code",
    )
    d = full.to_dict()
    assert d["default_terms"] == {"kind": "end_of_month_plus", "days": 10}
    assert d["aging_buckets"] == (15, 30) and d["percent_due"] == Decimal("50")
    assert full.remittance_address is not None and full.remittance_address.city == "Sevilla"
    assert full.languages == ("es", "en") and full.currency_display == "iso_code"
    # Without English the store's own language is its first.
    assert settings(languages=["fr", "es"]).language == "fr"
    with pytest.raises(creditbook.InvalidInput):
        settings(percent_due=Decimal("150"))
    with pytest.raises(creditbook.InvalidInput):
        settings(languages=["xx"])


def test_results_are_read_only_with_to_dict_and_repr() -> None:
    book = book_with_account()
    charge = book.charge("C-1", Decimal("120"), sale="S-1", at=AT, op_id="c1")
    summary = book.summary("C-1", DAY)
    st = book.statement("C-1", start=DAY, end=DAY)
    for obj in (charge, summary, st, st.lines[0], charge.entry, book.aging("C-1", DAY),
                book.open_invoices("C-1", DAY)[0], settings(), MANAGER, PaymentTerms.net(3),
                summary.customer):
        with pytest.raises(AttributeError):
            setattr(obj, "anything", 1)
        assert isinstance(obj.to_dict(), dict)
        assert repr(obj).startswith(type(obj).__name__)
    assert charge.amount == Decimal("120.00")  # at the currency's scale
    d = charge.to_dict()
    assert d["invoice_id"] == 2 and d["entries"][0]["kind"] == "charge"
    assert summary.to_dict()["standing"] == "outstanding"
    assert "balance_owed=Decimal('120.00')" in repr(summary)
    assert not dataclasses.is_dataclass(summary)


def test_replay_returns_the_first_outcome() -> None:
    book = book_with_account()
    first = book.charge("C-1", Decimal("10.00"), at=AT, op_id="x")
    again = book.charge("C-1", 10, at=AT + dt.timedelta(hours=1), op_id="x")
    assert not first.replayed and again.replayed
    assert again.invoice_id == first.invoice_id
    with pytest.raises(creditbook.OperationIdConflict) as e:
        book.charge("C-1", Decimal("11.00"), at=AT, op_id="x")
    assert e.value.code == 500 and e.value.op_id == "x"


def test_every_operation_named_like_the_rust_api() -> None:
    book = book_with_account(Decimal("1000.00"), overdue_hold_days=10)
    book.update_contact("C-1", customer_name="Marie T.", email="mt@example.com", at=AT, op_id="u")
    assert book.summary("C-1", DAY).customer.email == "mt@example.com"
    book.set_terms("C-1", PaymentTerms.due_on_receipt(), actor=MANAGER, at=AT, op_id="t")
    c = book.charge("C-1", Decimal("100.00"), at=AT, op_id="c1")
    assert c.due_date == DAY
    book.hold("C-1", reason="check", at=AT, op_id="h")
    with pytest.raises(creditbook.AccountOnHold):
        book.charge("C-1", Decimal("1.00"), at=AT, op_id="c2")
    book.release("C-1", at=AT, op_id="r")
    later = AT + dt.timedelta(days=20)
    with pytest.raises(creditbook.OverdueCreditHold) as hold:
        book.charge("C-1", Decimal("1.00"), at=later, op_id="c3")
    assert hold.value.days_overdue == 20
    over = book.charge("C-1", Decimal("1.00"), override_reason="known customer", actor=MANAGER,
                       at=later, op_id="c4")
    assert over.entry.override_reason == "known customer"
    adj = book.adjust("C-1", "debit", Decimal("5.00"), reason="fee", actor=MANAGER, at=later,
                      op_id="a1")
    assert adj.owed_change == Decimal("5.00")
    wo = book.write_off("C-1", c.invoice_id, Decimal("10.00"), reason="goodwill", actor=MANAGER, at=later,
                        op_id="w1")
    assert wo.entry.invoice == c.invoice_id and wo.owed_change == Decimal("-10.00")
    book.deposit("C-1", Decimal("50.00"), at=later, op_id="d1")
    book.refund_credit("C-1", Decimal("20.00"), method="cash", at=later, op_id="rc",
                       actor=MANAGER)
    dep = book.deposit("C-1", Decimal("7.00"), at=later, op_id="d2")
    rev = book.reverse("C-1", dep.entry.seq, reason="typo", actor=MANAGER, at=later, op_id="rv")
    assert rev.entry.reverses == dep.entry.seq and rev.credit_change == Decimal("-7.00")
    book.refund_to_credit("C-1", Decimal("3.00"), actor=MANAGER, at=later, op_id="rl")
    assert book.entries("C-1")[-1].receipt_less
    book.archive("C-1", actor=MANAGER, at=later, op_id="ar")
    assert book.summary("C-1").account_status == "archived"
    with pytest.raises(creditbook.AccountArchived):
        book.pay("C-1", Decimal("1.00"), at=later, op_id="p")
    book.reactivate("C-1", actor=MANAGER, at=later, op_id="re")
    paid = book.pay("C-1", Decimal("1000.00"), invoices=[c.invoice_id], reference="chq 12", at=later,
                    op_id="p2")
    assert paid.allocations[0].invoice == c.invoice_id


def test_accounts_filter_search_sort() -> None:
    book = Book(settings())
    for i, (name, limit) in enumerate([("Zoé", "100"), ("anne", None), ("Bob", "300")]):
        book.open_account(f"A{i}", customer_name=name, credit_limit=None if limit is None
                          else Decimal(limit), at=AT, op_id="o", actor=creditbook.Actor("manager", ["credit_limit"]))
    book.charge("A0", Decimal("50"), at=AT, op_id="c")
    assert [r.customer_name for r in book.accounts(DAY, sort="customer_name")] == [
        "anne", "Bob", "Zoé"]
    assert [r.account_id for r in book.accounts(DAY, standing="outstanding")] == ["A0"]
    assert [r.account_id for r in book.accounts(DAY, standing=Standing.SETTLED)] == ["A1", "A2"]
    assert [r.account_id for r in book.accounts(DAY, search="O")] == ["A0", "A2"]
    assert [r.account_id for r in book.accounts(DAY, sort="available", descending=True)] == [
        "A1", "A2", "A0"]
    assert book.accounts(DAY, account_status="archived") == []
    with pytest.raises(creditbook.InvalidInput):
        book.accounts(DAY, sort="nope")


def test_statement_choices_and_languages() -> None:
    book = book_with_account(display_credit_limit=True)
    book.charge("C-1", Decimal("200.00"), at=AT, op_id="c")
    st = book.statement("C-1", start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 30),
                        statement_date=dt.date(2026, 12, 1), due_date=dt.date(2026, 12, 15),
                        amount_due=Decimal("50.00"), language="en", number="ST-1")
    assert (st.number, st.language, st.amount_due, st.due_date) == (
        "ST-1", "en", Decimal("50.00"), dt.date(2026, 12, 15))
    assert st.credit_limit == Decimal("500.00")
    assert st.open_invoices[0].remaining == Decimal("200.00")
    assert st.to_dict()["lines"][0]["charge"] == Decimal("200.00")
    assert "Statement" in st.to_text(width=40)
    with pytest.raises(creditbook.InvalidInput):
        st.to_text(width=10)


def test_aging_and_open_invoices() -> None:
    book = book_with_account(Decimal("1000.00"))
    book.charge("C-1", Decimal("100.00"), at=AT, op_id="c1")
    book.charge("C-1", Decimal("40.00"), at=AT + dt.timedelta(days=40), op_id="c2")
    as_of = DAY + dt.timedelta(days=75)
    aging = book.aging("C-1", as_of)
    assert aging.amounts == {"current": Decimal("0.00"), "1-30": Decimal("40.00"),
                             "31-60": Decimal("100.00"), "61-90": Decimal("0.00"),
                             "over 90": Decimal("0.00")}
    assert aging.total == Decimal("140.00") and aging.buckets[2].min_days == 31
    invoices = book.open_invoices("C-1", as_of)
    assert [(i.id, i.days_past_due) for i in invoices] == [(2, 45), (3, 5)]
    assert book.summary("C-1", as_of).standing == "overdue"


def test_entries_round_trip_their_records() -> None:
    book = book_with_account()
    book.charge("C-1", Decimal("12.50"), sale="S-9", at=AT, op_id="c")
    for e in book.entries("C-1"):
        again = creditbook.Entry.from_record(e.to_record())
        assert again.to_record() == e.to_record()
    e = book.entries("C-1")[1]
    assert (e.seq, e.kind, e.amount, e.sale, e.at, e.date) == (
        2, "charge", Decimal("12.50"), "S-9", AT, DAY)
    assert e.at.tzinfo is not None and e.at.utcoffset() == dt.timedelta(0)


def test_instants_in_any_zone_are_the_same_instant() -> None:
    book = book_with_account()
    montreal = dt.timezone(dt.timedelta(hours=-5))
    c = book.charge("C-1", Decimal("1.00"), at=AT.astimezone(montreal), op_id="c")
    assert c.entry.at == AT and c.entry.at.tzinfo == UTC


def test_the_old_names_of_standing_warn_and_still_answer() -> None:
    book = book_with_account()
    book.charge("C-1", Decimal("10.00"), at=AT, op_id="c-old")
    summary = book.summary("C-1", DAY)
    with pytest.warns(DeprecationWarning, match="use .standing"):
        assert summary.status == "outstanding"
    with pytest.warns(DeprecationWarning, match="use standing="):
        assert [r.account_id for r in book.accounts(DAY, status="outstanding")] == ["C-1"]
    with pytest.raises(creditbook.InvalidInput):
        book.accounts(DAY, status="outstanding", standing="outstanding")
    assert summary.to_dict()["status"] == summary.to_dict()["standing"] == "outstanding"
