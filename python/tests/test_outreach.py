"""Emails, payment links, online payments and reminders through Python ports.

The mailer and the provider are recording Python classes; every rule and refusal of the core
shows through: link amounts with their figures, replays recorded once, a message never sent
twice, a failing mailer retried, header injection refused, the port's exception as `__cause__`.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Optional, Sequence

import pytest

import creditbook
from creditbook import Automation, Book, Message, PaymentLinkRequest

from _support import AT, MANAGER, UTC, MemoryPort, settings

START, END = dt.date(2026, 11, 1), dt.date(2026, 11, 30)


class RecordingMailer:
    """Keeps every message it delivers; fails the next `fail` sends."""

    def __init__(self) -> None:
        self.sent: list[Message] = []
        self.fail = 0

    def send(self, message: Message) -> str:
        if self.fail:
            self.fail -= 1
            raise ConnectionError("smtp relay unreachable")
        self.sent.append(message)
        return f"queued-{len(self.sent)}"


class RecordingProvider:
    """Makes URLs from the reference; fails while `fail` is set."""

    def __init__(self) -> None:
        self.requests: list[PaymentLinkRequest] = []
        self.fail = False

    def create_link(self, request: PaymentLinkRequest) -> str:
        if self.fail:
            raise RuntimeError("provider timeout")
        self.requests.append(request)
        return f"https://pay.example/{request.reference}"


def make(
    email: Optional[str] = "marie@example.com",
    reminder_days: Sequence[int] = (),
    statement_day: Optional[int] = None,
    **kw: Any,
) -> tuple[Book, RecordingMailer, RecordingProvider]:
    mailer, provider = RecordingMailer(), RecordingProvider()
    kw.setdefault("from_", "comptes@lapointe.example")
    book = Book(settings(**kw), mailer=mailer, payments=provider)
    if reminder_days or statement_day is not None:
        book.set_automation(
            Automation(reminder_days=list(reminder_days), statement_day=statement_day),
            at=AT, op_id="automation", actor=MANAGER,
        )
    book.open_account(
        "C-1",
        customer_name="Marie Tremblay",
        email=email,
        language="fr",
        credit_limit=Decimal("500.00"),
        at=AT,
        op_id="open",
        actor=creditbook.Actor("manager", ["credit_limit"]),
    )
    book.charge("C-1", Decimal("70.00"), sale="S-1", at=AT, op_id="c1")
    return book, mailer, provider


def kinds(book: Book) -> list[str]:
    return [e.kind for e in book.entries("C-1")]


# ---- settings ----


def test_message_settings_and_automation_are_keywords_with_the_core_defaults() -> None:
    s = settings()
    assert s.payment_link_max == Decimal("100000")
    assert s.include_payment_link is True and s.attach_ubl is False
    assert (s.payment_link_days, s.deposit_request_days) == (30, 14)
    assert s.from_ is None and s.notices_to is None
    assert s.default_credit_limit == Decimal("0")
    s = settings(
        from_="a@lapointe.example",
        notices_to="b@lapointe.example",
        attach_ubl=True,
        payment_link_max=Decimal("500"),
        include_payment_link=False,
        payment_link_days=10,
        deposit_request_days=3,
        default_credit_limit=Decimal("250.00"),
    )
    d = s.to_dict()
    assert d["from_"] == "a@lapointe.example" and d["payment_link_max"] == Decimal("500")
    assert d["default_credit_limit"] == Decimal("250.00")
    assert settings(default_credit_limit=None).default_credit_limit is None  # unlimited
    with pytest.raises(creditbook.InvalidEmail):
        settings(from_="not an address")
    with pytest.raises(creditbook.InvalidAmount) as negative:
        settings(default_credit_limit=Decimal("-1"))
    assert negative.value.code == 101
    with pytest.raises(creditbook.InvalidInput):
        settings(payment_link_max=0)
    with pytest.raises(TypeError):
        settings(payment_link_max=100.0)


def test_ports_must_have_their_method() -> None:
    with pytest.raises(TypeError, match="send"):
        Book(settings(), mailer=object())  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="create_link"):
        Book(settings(), payments=object())  # type: ignore[arg-type]
    mailer, provider = RecordingMailer(), RecordingProvider()
    book = Book(settings(), mailer=mailer, payments=provider)
    assert book.mailer is mailer and book.payments is provider


# ---- composing and sending ----


def test_statement_email_is_complete_and_sent_once() -> None:
    book, mailer, _ = make()
    st = book.statement("C-1", start=START, end=END)
    msg = book.compose_statement_email(st, to=None)
    assert msg.kind == "statement" and msg.account == "C-1" and msg.language == "fr"
    assert msg.to == ["marie@example.com"] and msg.from_ == "comptes@lapointe.example"
    assert st.number in msg.subject and "Marie Tremblay" in msg.text
    assert msg.html.startswith("<!DOCTYPE html>")
    [html] = msg.attachments
    assert html.content_type.startswith("text/html") and html.content.startswith(b"<!DOCTYPE")
    assert msg.to_dict()["attachments"][0]["filename"] == html.filename
    assert "Message(" in repr(msg)

    sent = book.send(msg, at=AT)
    assert (sent.delivery_id, sent.already_delivered) == ("queued-1", False)
    again = book.send(msg, at=AT)
    assert (again.delivery_id, again.already_delivered) == ("queued-1", True)
    assert len(mailer.sent) == 1 and mailer.sent[0].id == msg.id
    # the claim to send, then the delivery
    assert kinds(book).count("message_sent") == 2


def test_rfc5322_bytes() -> None:
    book, _, _ = make()
    msg = book.compose_statement_email(book.statement("C-1", start=START, end=END))
    raw = msg.to_bytes(dt.datetime(2026, 12, 1, 13, 0, tzinfo=UTC))
    assert raw.startswith(b"Message-ID: <" + msg.id.encode())
    assert b"To: <marie@example.com>" in raw and b"Date: Tue, 1 Dec 2026 13:00:00 +0000" in raw
    assert b"multipart/mixed" in raw
    assert msg.to_bytes().count(b"Message-ID") == 1  # now
    with pytest.raises(ValueError):
        msg.to_bytes(dt.datetime(2026, 12, 1))


def test_recipients_are_checked() -> None:
    book, _, _ = make(email=None)
    st = book.statement("C-1", start=START, end=END)
    with pytest.raises(creditbook.MissingRecipient) as missing:
        book.compose_statement_email(st)
    assert missing.value.code == 113
    assert book.compose_statement_email(st, to="compta@client.example").to == [
        "compta@client.example"
    ]
    with pytest.raises(creditbook.InvalidEmail):
        book.compose_statement_email(st, to="not an address")
    with pytest.raises(creditbook.HeaderInjection) as injected:
        book.compose_statement_email(st, to="a@client.example\r\nBcc: all@evil.example")
    assert injected.value.code == 114 and injected.value.field == "recipient"
    with pytest.raises(TypeError):
        book.compose_statement_email(st, to=b"a@client.example")  # type: ignore[arg-type]


def test_invoice_email() -> None:
    book, _, _ = make()
    msg = book.compose_invoice_email("C-1", 2)
    assert msg.kind == "invoice" and msg.to == ["marie@example.com"]
    with pytest.raises(creditbook.UnknownInvoice):
        book.compose_invoice_email("C-1", 99)
    with pytest.raises(creditbook.UnknownAccount):
        book.compose_invoice_email("C-9", 2)


def test_mailer_failing_then_retry() -> None:
    book, mailer, _ = make()
    msg = book.compose_invoice_email("C-1", 2)
    mailer.fail = 1
    with pytest.raises(creditbook.DeliveryError) as failed:
        book.send(msg, at=AT)
    e = failed.value
    assert e.code == 604 and e.host_code == creditbook.PYTHON_PORT_FAILED
    assert isinstance(e.__cause__, ConnectionError) and "smtp relay" in e.host_message
    assert kinds(book).count("message_sent") == 2  # claimed, then recorded as failed
    sent = book.send(msg, at=AT)  # retried
    assert not sent.already_delivered and len(mailer.sent) == 1
    assert kinds(book).count("message_sent") == 4
    assert book.send(msg, at=AT).already_delivered


def test_mailer_returning_no_str_fails_the_send() -> None:
    class Bad:
        def send(self, message: Message) -> Any:
            return 42

    book = Book(settings(), mailer=Bad())
    book.open_account("C-1", customer_name="M", email="m@example.com", credit_limit=None,
                      at=AT, op_id="o", actor=MANAGER)
    book.charge("C-1", 10, at=AT, op_id="c")
    with pytest.raises(creditbook.DeliveryError) as failed:
        book.send(book.compose_invoice_email("C-1", 2), at=AT)
    assert isinstance(failed.value.__cause__, TypeError)


def test_ports_missing() -> None:
    book = Book(settings())
    book.open_account("C-1", customer_name="M", email="m@example.com", credit_limit=None,
                      at=AT, op_id="o", actor=MANAGER)
    book.charge("C-1", 10, at=AT, op_id="c")
    with pytest.raises(creditbook.PortMissing) as no_mailer:
        book.send(book.compose_invoice_email("C-1", 2))
    assert no_mailer.value.port == "mailer"
    with pytest.raises(creditbook.PortMissing):
        book.payment_link("C-1", 10, at=AT, reference="R-1")
    st = book.statement_with_link("C-1", start=START, end=END, at=AT, op_id="l")
    assert st.payment_link is None  # no provider: no link by default
    with pytest.raises(creditbook.PortMissing):
        book.statement_with_link("C-1", start=START, end=END, at=AT, op_id="l", with_link=True)


# ---- payment links ----


def test_payment_link_for_a_statement() -> None:
    book, _, provider = make()
    st = book.statement("C-1", start=START, end=END)
    link = book.payment_link("C-1", Decimal("70.00"), at=AT, statement=st)
    [request] = provider.requests
    assert (request.amount, request.currency, request.reference) == (
        Decimal("70.00"),
        "CAD",
        link.reference,
    )
    assert request.expires_at == AT + dt.timedelta(days=30) == link.expires_at
    assert request.purpose == "balance" and request.statement_number == st.number
    assert request.customer_name == "Marie Tremblay" and request.account == "C-1"
    assert link.url == f"https://pay.example/{link.reference}" and link.amount == Decimal("70.00")
    assert link.reference == f"C-1-link-{st.number}-70.00" and not link.replayed
    assert link.to_dict()["purpose"] == "balance" and "PaymentLink(" in repr(link)

    # Asked again (70 is 70.00): the same link, recorded once, the provider not called again.
    again = book.payment_link("C-1", 70, at=AT, statement=st)
    assert again.replayed and again.url == link.url and len(provider.requests) == 1
    assert kinds(book).count("payment_link_created") == 1
    # The same op id with another amount is another operation.
    with pytest.raises(creditbook.OperationIdConflict):
        book.payment_link("C-1", 50, at=AT, statement=st, op_id=f"link-{st.number}-70.00")

    shown = st.with_payment_link(link)
    assert st.payment_link is None and shown.payment_link is not None
    assert shown.payment_link.url == link.url and shown.payment_link.amount == Decimal("70.00")
    assert link.url in shown.to_text() and link.url in shown.to_html()
    assert shown.to_dict()["payment_link"]["url"] == link.url
    msg = book.compose_statement_email(shown)
    assert link.url in msg.text and link.url in msg.html


def test_payment_link_amount_range() -> None:
    book, _, provider = make(payment_link_max=Decimal("1000"))
    with pytest.raises(creditbook.PaymentLinkAmountOutOfRange) as above_owed:
        book.payment_link("C-1", Decimal("70.01"), at=AT, reference="R-1")
    e = above_owed.value
    assert e.code == 310 and (e.min, e.max, e.requested) == (
        Decimal("0.00"),
        Decimal("70.00"),
        Decimal("70.01"),
    )
    book.charge("C-1", Decimal("400.00"), at=AT, op_id="c2")
    book.set_credit_limit("C-1", None, actor=MANAGER, at=AT, op_id="unlimited")
    book.charge("C-1", Decimal("900.00"), at=AT, op_id="c3")
    with pytest.raises(creditbook.PaymentLinkAmountOutOfRange) as above_cap:
        book.payment_link("C-1", Decimal("1200.00"), at=AT, reference="R-1")
    assert above_cap.value.max == Decimal("1000.00")
    with pytest.raises(creditbook.InvalidAmount):
        book.payment_link("C-1", Decimal("0.001"), at=AT, reference="R-1")
    with pytest.raises(TypeError):
        book.payment_link("C-1", 10.0, at=AT, reference="R-1")  # type: ignore[arg-type]
    assert provider.requests == [] and "payment_link_created" not in kinds(book)

    # Above the cap, a statement has no link and says why; it does not fail.
    st = book.statement_with_link("C-1", start=START, end=END, at=AT, op_id="st-link")
    assert st.payment_link is None and st.payment_link_omitted == Decimal("1000.00")


def test_payment_link_needs_one_purpose() -> None:
    book, _, _ = make()
    with pytest.raises(TypeError):
        book.payment_link("C-1", 10, at=AT)
    st = book.statement("C-1", start=START, end=END)
    with pytest.raises(TypeError):
        book.payment_link("C-1", 10, at=AT, statement=st, sale="S-1")
    with pytest.raises(creditbook.InvalidInput):
        book.payment_link("C-2", 10, at=AT, statement=st)


def test_provider_failure_records_nothing() -> None:
    book, _, provider = make()
    before = kinds(book)
    provider.fail = True
    with pytest.raises(creditbook.PaymentProviderError) as failed:
        book.payment_link("C-1", 10, at=AT, reference="R-1")
    assert failed.value.code == 605 and isinstance(failed.value.__cause__, RuntimeError)
    assert "provider timeout" in failed.value.host_message
    assert kinds(book) == before


def test_statement_with_link() -> None:
    book, _, provider = make()
    st = book.statement_with_link("C-1", start=START, end=END, at=AT, op_id="st-link")
    assert st.payment_link is not None and st.payment_link.amount == Decimal("70.00")
    assert st.payment_link.url in st.to_text(width=100) and st.payment_link.url in st.to_html()
    assert provider.requests[0].reference == "C-1-st-link"
    # Replayed: the same link, no second request.
    st2 = book.statement_with_link("C-1", start=START, end=END, at=AT, op_id="st-link")
    assert st2.payment_link is not None and st2.payment_link.url == st.payment_link.url
    assert len(provider.requests) == 1
    none = book.statement_with_link(
        "C-1", start=START, end=END, at=AT, op_id="st-none", with_link=False
    )
    assert none.payment_link is None


# ---- online payments ----


def test_confirm_online_payment_through_a_link() -> None:
    book, mailer, _ = make()
    st = book.statement("C-1", start=START, end=END)
    link = book.payment_link("C-1", Decimal("70.00"), at=AT, statement=st)
    done = book.confirm_online_payment(
        "C-1", provider_payment_id="pp_1", amount=Decimal("70.00"), at=AT, link=link.reference
    )
    assert not done.replayed and done.outcome.amount == Decimal("70.00")
    assert [a.invoice for a in done.outcome.allocations] == [2]
    assert done.receipt is not None and done.receipt.ok and done.receipt.sent is not None
    assert done.receipt.message is not None and done.receipt.message.kind == "receipt"
    assert done.notice is not None and done.notice.message is not None
    assert done.notice.message.to == ["comptes@lapointe.example"]
    assert len(mailer.sent) == 2
    assert book.summary("C-1", as_of=dt.date(2026, 11, 3)).balance_owed == Decimal("0.00")
    assert done.to_dict()["outcome"]["replayed"] is False and "Confirmed(" in repr(done)

    again = book.confirm_online_payment(
        "C-1", provider_payment_id="pp_1", amount=Decimal("70.00"), at=AT, link=link.reference
    )
    assert again.replayed and again.receipt is None and again.notice is None
    assert len(mailer.sent) == 2 and kinds(book).count("payment") == 1
    assert book.summary("C-1", as_of=dt.date(2026, 11, 3)).balance_owed == Decimal("0.00")


def test_money_received_is_recorded_whatever_its_link_says() -> None:
    book, mailer, _ = make()
    link = book.payment_link("C-1", Decimal("50.00"), at=AT, reference="R-1")
    # Another amount than the link's: recorded for what arrived, flagged, the store told.
    c = book.confirm_online_payment(
        "C-1", provider_payment_id="pp_1", amount=Decimal("40.00"), at=AT, link=link.reference
    )
    assert not c.replayed and c.outcome.entry.unusual == ("amount_differs",)
    assert c.outcome.entry.amount == Decimal("40.00")
    notice = mailer.sent[-1]
    assert notice.kind == "store_notice" and "the link asked $50.00." in notice.text
    # A link no one made: recorded as a payment, flagged.
    c = book.confirm_online_payment(
        "C-1", provider_payment_id="pp_2", amount=Decimal("5.00"), at=AT, link="C-1-nope"
    )
    assert c.outcome.entry.unusual == ("link_unknown",) and c.outcome.entry.kind == "payment"
    assert book.summary("C-1", as_of=dt.date(2026, 11, 3)).balance_owed == Decimal("25.00")
    # Paid already: the link's status says so.
    (listed,) = book.payment_links("C-1", at=AT)
    assert (listed.reference, listed.status) == (link.reference, "paid")


def test_a_deposit_request_expires_and_a_late_payment_is_still_a_deposit() -> None:
    book, _, _ = make()
    link = book.payment_link("C-1", Decimal("30.00"), at=AT, sale="S-9")
    expiry = AT + dt.timedelta(days=14)
    assert link.expires_at == expiry
    assert [l.status for l in book.payment_links("C-1", at=expiry - dt.timedelta(minutes=1))] \
        == ["pending"]
    assert [l.status for l in book.payment_links("C-1", at=expiry)] == ["expired"]
    # The activity says so too, as the link stands at the end of the last day shown.
    lines = [l for l in book.activity("C-1", start=dt.date(2026, 11, 1), end=expiry.date())
             if l.kind == "payment_link_created"]
    assert [l.link_status for l in lines] == ["expired"]
    late = expiry + dt.timedelta(hours=1)
    c = book.confirm_online_payment(
        "C-1", provider_payment_id="pp_9", amount=Decimal("30.00"), at=late, link=link.reference
    )
    assert c.outcome.entry.kind == "deposit" and c.outcome.entry.unusual == ("link_expired",)
    assert book.summary("C-1", as_of=late.date()).credit_balance == Decimal("30.00")


def test_portal_payment_without_link_and_a_failing_receipt() -> None:
    book, mailer, _ = make()
    mailer.fail = 1  # the receipt fails; the payment stands and the notice goes out
    done = book.confirm_online_payment(
        "C-1", provider_payment_id="pp_9", amount=Decimal("100.00"), at=AT, link=None
    )
    assert done.outcome.credit == Decimal("30.00")  # overpayment kept as credit
    assert done.receipt is not None and not done.receipt.ok
    err = done.receipt.error
    assert isinstance(err, creditbook.DeliveryError)
    assert isinstance(err.__cause__, ConnectionError)
    assert done.notice is not None and done.notice.ok
    # The receipt is retried by sending its message again.
    assert done.receipt.message is not None
    assert not book.send(done.receipt.message, at=AT).already_delivered


def test_deposit_request_paid_becomes_credit() -> None:
    book, _, provider = make()
    link = book.payment_link("C-1", Decimal("40.00"), at=AT, sale="LAYAWAY-7")
    assert link.purpose == "deposit" and link.sale == "LAYAWAY-7"
    assert provider.requests[0].expires_at == AT + dt.timedelta(days=14)
    done = book.confirm_online_payment(
        "C-1", provider_payment_id="pp_3", amount=Decimal("40.00"), at=AT, link=link.reference
    )
    assert done.outcome.entry.kind == "deposit"
    assert book.summary("C-1", as_of=dt.date(2026, 11, 3)).credit_balance == Decimal("40.00")


# ---- reminders and the statement schedule ----


def test_automation_needs_automated_ar() -> None:
    port = MemoryPort()
    book = Book(settings(from_="comptes@lapointe.example"), store=port)
    assert book.automation == Automation()
    with pytest.raises(creditbook.PermissionDenied) as denied:
        book.set_automation(Automation(reminder_days=[0]), at=AT, op_id="a1",
                            actor=creditbook.Actor("emp-9"))
    assert denied.value.permission == "automated_ar"
    with pytest.raises(creditbook.InvalidInput):
        Automation(reminder_days=[3, 0])
    book.set_automation(Automation(reminder_days=[-3, 0, 7], statement_day=1), at=AT,
                        op_id="a1", actor=MANAGER)
    assert book.automation.reminder_days == (-3, 0, 7)
    assert book.automation.to_dict() == {"reminder_days": (-3, 0, 7), "statement_day": 1}
    # Recorded in the store: another Book on the same store (a restart, another till) follows.
    other = Book(settings(from_="comptes@lapointe.example"), store=port)
    assert other.automation.to_dict() == {"reminder_days": (-3, 0, 7), "statement_day": 1}


def test_reminders_sent_once() -> None:
    book, mailer, _ = make(reminder_days=[-3, 0, 7])
    assert book.reminders_due(dt.date(2026, 11, 20)) == []  # due 2026-12-03
    [due] = book.reminders_due(dt.date(2026, 12, 4))
    assert (due.account, due.invoice, due.level, due.days_from_due) == ("C-1", 2, 1, 1)
    assert due.message is not None and due.message.kind == "reminder" and due.error is None
    assert due.message.reminder == (2, 1)
    [(r, result)] = book.send_reminders(dt.date(2026, 12, 4), at=AT)
    assert r.invoice == 2 and result.ok and len(mailer.sent) == 1
    assert book.send_reminders(dt.date(2026, 12, 4), at=AT) == []
    [(later, _)] = book.send_reminders(dt.date(2026, 12, 11), at=AT)
    assert later.level == 2 and len(mailer.sent) == 2


def test_reminder_without_address() -> None:
    book, mailer, _ = make(email=None, reminder_days=[0])
    [due] = book.reminders_due(dt.date(2026, 12, 3))
    assert due.message is None and isinstance(due.error, creditbook.MissingRecipient)
    [(_, result)] = book.send_reminders(dt.date(2026, 12, 3), at=AT)
    assert not result.ok and isinstance(result.error, creditbook.MissingRecipient)
    assert mailer.sent == []


def test_statements_due_on_the_statement_day() -> None:
    book, _, provider = make(statement_day=1)
    assert book.statements_due(dt.date(2026, 12, 2), at=AT) == []
    [st] = book.statements_due(dt.date(2026, 12, 1), at=AT)
    assert (st.start, st.end) == (START, END) and st.payment_link is not None
    assert len(provider.requests) == 1
    [again] = book.statements_due(dt.date(2026, 12, 1), at=AT)
    assert again.payment_link is not None and len(provider.requests) == 1  # replayed


def test_one_message_sent_from_8_threads_goes_out_once() -> None:
    import threading
    import time

    class SlowMailer(RecordingMailer):
        def send(self, message: Message) -> str:
            time.sleep(0.02)  # the GIL is released while the Book waits
            return super().send(message)

    mailer = SlowMailer()
    book = Book(settings(), mailer=mailer)
    book.open_account("C-1", customer_name="M", email="m@example.com", credit_limit=None,
                      at=AT, op_id="o", actor=MANAGER)
    book.charge("C-1", 10, at=AT, op_id="c")
    msg = book.compose_invoice_email("C-1", 2)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker() -> None:
        try:
            sent = book.send(msg, at=AT)
            what = "before" if sent.already_delivered else "sent"
        except creditbook.InvalidState:  # the same message is being sent by another thread
            what = "busy"
        with lock:
            outcomes.append(what)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("sent") == 1 and len(outcomes) == 8
    assert len(mailer.sent) == 1
    # one claim to send, one delivery: the other threads were told it was being sent
    assert [e.kind for e in book.entries("C-1")].count("message_sent") == 2
