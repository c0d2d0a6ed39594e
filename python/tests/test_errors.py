"""Every error family raises its class with the core's code; panics stay inside Exception."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

import creditbook
from creditbook import _creditbook

# The test hooks (`_raise_sample`, `_force_panic`) exist only in a module built with the
# `test-hooks` feature, as python/check.sh builds it; the stubs do not declare them.
native: Any = _creditbook

from _support import AT, DAY, MANAGER, book_with_account, settings

# Every core code and the class it raises (the Rust enum's codes: core/src/error.rs), and the
# family class an `except` written for 0.1 still catches it with.
CLASSES = {
    100: (creditbook.AmountNotPositive, creditbook.InvalidAmount),
    101: (creditbook.AmountNegative, creditbook.InvalidAmount),
    102: (creditbook.TooManyDecimals, creditbook.InvalidAmount),
    103: (creditbook.CurrencyMismatch, creditbook.InvalidInput),
    104: (creditbook.UnknownCurrency, creditbook.InvalidInput),
    105: (creditbook.InvalidAmountText, creditbook.InvalidAmount),
    106: (creditbook.Overflow, creditbook.InvalidAmount),
    107: (creditbook.InvalidInput, creditbook.CreditbookError),
    108: (creditbook.InvalidEmail, creditbook.InvalidInput),
    109: (creditbook.UnknownTimeZone, creditbook.InvalidInput),
    110: (creditbook.InvalidDateRange, creditbook.InvalidInput),
    111: (creditbook.LanguageNotOffered, creditbook.InvalidInput),
    112: (creditbook.InvalidStatementRequest, creditbook.InvalidInput),
    113: (creditbook.MissingRecipient, creditbook.InvalidInput),
    114: (creditbook.HeaderInjection, creditbook.InvalidInput),
    200: (creditbook.UnknownAccount, creditbook.CreditbookError),
    201: (creditbook.AccountExists, creditbook.CreditbookError),
    202: (creditbook.AccountOnHold, creditbook.CreditbookError),
    203: (creditbook.AccountArchived, creditbook.CreditbookError),
    204: (creditbook.UnknownEntry, creditbook.CreditbookError),
    205: (creditbook.UnknownInvoice, creditbook.CreditbookError),
    206: (creditbook.InvoiceNotOpen, creditbook.CreditbookError),
    207: (creditbook.InvalidState, creditbook.CreditbookError),
    300: (creditbook.CreditLimitExceeded, creditbook.CreditbookError),
    301: (creditbook.InsufficientCredit, creditbook.CreditbookError),
    302: (creditbook.OverdueCreditHold, creditbook.CreditbookError),
    303: (creditbook.RefundExceedsSale, creditbook.CreditbookError),
    304: (creditbook.RefundsToCreditDisabled, creditbook.CreditbookError),
    305: (creditbook.ReceiptRequired, creditbook.CreditbookError),
    306: (creditbook.ApplyExceedsBalanceOwed, creditbook.CreditbookError),
    307: (creditbook.AlreadyReversed, creditbook.CreditbookError),
    308: (creditbook.NotReversible, creditbook.CreditbookError),
    309: (creditbook.WriteOffExceedsInvoice, creditbook.CreditbookError),
    310: (creditbook.PaymentLinkAmountOutOfRange, creditbook.CreditbookError),
    311: (creditbook.UnknownPaymentLink, creditbook.CreditbookError),
    312: (creditbook.PaymentAmountMismatch, creditbook.CreditbookError),
    400: (creditbook.PermissionDenied, creditbook.CreditbookError),
    500: (creditbook.OperationIdConflict, creditbook.CreditbookError),
    600: (creditbook.StoreContention, creditbook.StorageError),
    601: (creditbook.StoreFailed, creditbook.StorageError),
    602: (creditbook.CorruptRecord, creditbook.StorageError),
    603: (creditbook.UnsupportedSchema, creditbook.StorageError),
    604: (creditbook.DeliveryFailed, creditbook.DeliveryError),
    605: (creditbook.PaymentProviderFailed, creditbook.PaymentProviderError),
    606: (creditbook.PortMissing, creditbook.CreditbookError),
}



@pytest.mark.parametrize("code", sorted(CLASSES))
def test_every_core_code_maps_to_its_class(code: int) -> None:
    with pytest.raises(creditbook.CreditbookError) as e:
        native._raise_sample(code)
    own, family = CLASSES[code]
    assert type(e.value) is own
    assert isinstance(e.value, family)
    assert e.value.code == code
    assert e.value.message == str(e.value)


def test_figures_travel_with_the_exception() -> None:
    with pytest.raises(creditbook.CurrencyMismatch) as mismatch:
        native._raise_sample(103)
    assert (mismatch.value.expected, mismatch.value.got) == ("CAD", "EUR")
    with pytest.raises(creditbook.StorageError) as failed:
        native._raise_sample(601)
    assert (failed.value.host_code, failed.value.host_message) == (7, "disk")


def test_a_panic_becomes_a_creditbook_error_not_a_base_exception() -> None:
    with pytest.raises(creditbook.CreditbookError) as e:
        native._force_panic()
    assert type(e.value) is creditbook.InternalError and e.value.code == 0
    assert "forced by the test suite" in str(e.value)
    # The module still works after a panic.
    assert book_with_account().summary("C-1", DAY).balance_owed == Decimal("0.00")


def test_rule_refusals_from_real_operations() -> None:
    book = book_with_account(Decimal("100.00"))
    with pytest.raises(creditbook.CreditLimitExceeded) as over:
        book.charge("C-1", Decimal("150.00"), at=AT, op_id="c")
    assert (over.value.code, over.value.available, over.value.requested) == (
        300, Decimal("100.00"), Decimal("150.00"))
    with pytest.raises(creditbook.InsufficientCredit) as credit:
        book.use_credit("C-1", Decimal("5.00"), at=AT, op_id="u")
    assert (credit.value.code, credit.value.available) == (301, Decimal("0.00"))
    c = book.charge("C-1", Decimal("60.00"), sale="S-1", at=AT, op_id="c1")
    with pytest.raises(creditbook.RefundExceedsSale) as refund:
        book.refund_to_credit("C-1", Decimal("70.00"), sale="S-1", actor=MANAGER, at=AT, op_id="r")
    assert (refund.value.code, refund.value.refundable) == (303, Decimal("60.00"))
    with pytest.raises(creditbook.PermissionDenied) as denied:
        book.refund_to_credit("C-1", Decimal("1.00"), sale="S-1", at=AT, op_id="r",
                              actor=creditbook.Actor("clerk"))
    assert (denied.value.code, denied.value.permission) == (400, "credit_account_refund")
    with pytest.raises(creditbook.ApplyExceedsBalanceOwed):
        book.deposit("C-1", Decimal("500.00"), at=AT, op_id="d")
        book.apply_credit("C-1", Decimal("100.00"), at=AT, op_id="ap")
    with pytest.raises(creditbook.WriteOffExceedsInvoice):
        book.write_off("C-1", c.invoice_id, Decimal("61.00"), reason="x", actor=MANAGER, at=AT,
                       op_id="w")
    with pytest.raises(creditbook.UnknownInvoice):
        book.pay("C-1", Decimal("1.00"), invoices=[99], at=AT, op_id="p")
    with pytest.raises(creditbook.UnknownEntry):
        book.reverse("C-1", 99, reason="x", actor=MANAGER, at=AT, op_id="rv")
    dep = book.deposit("C-1", Decimal("1.00"), at=AT, op_id="d2")
    rev = book.reverse("C-1", dep.entry.seq, reason="x", actor=MANAGER, at=AT, op_id="rv1")
    with pytest.raises(creditbook.AlreadyReversed):
        book.reverse("C-1", dep.entry.seq, reason="x", actor=MANAGER, at=AT, op_id="rv2")
    with pytest.raises(creditbook.NotReversible):
        book.reverse("C-1", rev.entry.seq, reason="x", actor=MANAGER, at=AT, op_id="rv3")
    with pytest.raises(creditbook.InvalidState):
        book.release("C-1", at=AT, op_id="rel")
    book.pay("C-1", Decimal("60.00"), at=AT, op_id="p60")
    with pytest.raises(creditbook.InvoiceNotOpen):
        book.pay("C-1", Decimal("1.00"), invoices=[c.invoice_id], at=AT, op_id="p1")


def test_account_and_input_refusals() -> None:
    book = book_with_account()
    with pytest.raises(creditbook.UnknownAccount) as unknown:
        book.summary("nobody", DAY)
    assert (unknown.value.code, unknown.value.account) == (200, "nobody")
    with pytest.raises(creditbook.AccountExists):
        book.open_account("C-1", customer_name="X", at=AT, op_id="again")
    with pytest.raises(creditbook.InvalidEmail) as email:
        book.open_account("C-2", customer_name="X", email="not an email", at=AT, op_id="o")
    assert email.value.code == 108
    with pytest.raises(creditbook.InvalidInput) as empty:
        book.charge("C-1", Decimal("1.00"), at=AT, op_id="")
    assert empty.value.code == 107
    with pytest.raises(creditbook.UnknownCurrency):
        creditbook.StoreSettings("S", "XAU", "America/Toronto")
    with pytest.raises(creditbook.UnknownTimeZone):
        creditbook.StoreSettings("S", "CAD", "Mars/Olympus")
    with pytest.raises(creditbook.InvalidDateRange):
        book.activity("C-1", start=DAY, end=DAY - dt.timedelta(days=1))
    with pytest.raises(creditbook.LanguageNotOffered) as lang:
        book.statement("C-1", start=DAY, end=DAY, language="de")
    assert lang.value.offered == ["en", "fr"]
    with pytest.raises(creditbook.InvalidStatementRequest):
        book.statement("C-1", start=DAY, end=DAY, due_date=DAY - dt.timedelta(days=1))
    with pytest.raises(creditbook.CorruptRecord):
        creditbook.Entry.from_record("{not json")
    record = book.entries("C-1")[0].to_record().replace('"schema":1', '"schema":99')
    with pytest.raises(creditbook.UnsupportedSchema) as schema:
        creditbook.Entry.from_record(record)
    assert (schema.value.version, schema.value.supported) == (99, 1)


def test_store_policies_refusals() -> None:
    strict = book_with_account(refunds_to_credit=False)
    with pytest.raises(creditbook.RefundsToCreditDisabled):
        strict.refund_to_credit("C-1", Decimal("1.00"), sale="S", sale_total=Decimal("5"),
                                actor=MANAGER, at=AT, op_id="r")
    no_receipt = book_with_account(receipt_less_refunds=False)
    with pytest.raises(creditbook.ReceiptRequired):
        no_receipt.refund_to_credit("C-1", Decimal("1.00"), actor=MANAGER, at=AT, op_id="r")
    held = book_with_account()
    held.hold("C-1", at=AT, op_id="h")
    with pytest.raises(creditbook.AccountOnHold):
        held.max_charge("C-1", Decimal("1.00"), at=AT)
    archived = book_with_account()
    archived.archive("C-1", actor=MANAGER, at=AT, op_id="a")
    with pytest.raises(creditbook.AccountArchived):
        archived.charge("C-1", Decimal("1.00"), at=AT, op_id="c")
    assert settings().name == "Quincaillerie Lapointe"
