"""What the clerk and the customer see: corrected statements sent again, the Message-ID in the
store's domain, the link's expiry in the store's time, invoices named as the customer knows them,
the French words, and refusals in the clerk's language (the same rules the Rust and C suites pin)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

import creditbook
from creditbook import Automation, Book, Message, PaymentLinkRequest

from _support import MANAGER, UTC, settings

NOV_1 = dt.date(2026, 11, 1)
NOV_30 = dt.date(2026, 11, 30)


class Mailer:
    def __init__(self) -> None:
        self.sent: list[Message] = []

    def send(self, message: Message) -> str:
        self.sent.append(message)
        return f"queued-{len(self.sent)}"


class Portal:
    def create_link(self, request: PaymentLinkRequest) -> str:
        return f"https://pay.example/{request.reference}"


def shop(language: str = "fr") -> tuple[Book, Mailer]:
    mailer = Mailer()
    book = Book(settings(from_="comptes@lapointe.example", languages=["en", "fr", "es", "de", "nl"]),
                mailer=mailer, payments=Portal())
    book.open_account("C-1", customer_name="Marie Tremblay", email="marie@example.com",
                      language=language, credit_limit=Decimal("500.00"),
                      at=dt.datetime(2026, 11, 1, 15, tzinfo=UTC), op_id="open", actor=MANAGER)
    book.charge("C-1", Decimal("120.00"), sale="S-1001", invoice_number="F-0042",
                at=dt.datetime(2026, 11, 2, 15, tzinfo=UTC), op_id="c1")
    return book, mailer


def test_a_corrected_statement_is_sent_again_and_the_same_one_once() -> None:
    book, mailer = shop()
    at = dt.datetime(2026, 12, 1, 15, tzinfo=UTC)
    st = book.statement("C-1", start=NOV_1, end=NOV_30)
    first = book.compose_statement_email(st)
    assert not book.send(first, at=at).already_delivered
    assert book.send(book.compose_statement_email(st), at=at).already_delivered
    corrected = book.compose_statement_email(
        book.statement("C-1", start=NOV_1, end=NOV_30, amount_due=Decimal("50.00")))
    assert corrected.id != first.id
    assert not book.send(corrected, at=at).already_delivered
    other = book.compose_statement_email(st, to="comptable@example.com")
    assert not book.send(other, at=at).already_delivered
    assert [m.to for m in mailer.sent] == [
        ["marie@example.com"], ["marie@example.com"], ["comptable@example.com"]]
    # The Message-ID is in the store's domain.
    assert f"Message-ID: <{first.id}@lapointe.example>".encode() in first.to_bytes(at)


def test_the_links_expiry_is_in_the_stores_time_and_the_words_are_french() -> None:
    book, _ = shop()
    # Made 04:30 UTC on December 1st (23:30 on November 30 in Montreal), valid 30 days.
    st = book.statement_with_link("C-1", start=NOV_1, end=NOV_30,
                                  at=dt.datetime(2026, 12, 1, 4, 30, tzinfo=UTC), op_id="link")
    text = st.to_text(80)
    assert "lien valide jusqu’au 30 décembre 2026 23:30" in text and "UTC" not in text
    assert "<cbc:ExpiryTime>23:30:00-05:00</cbc:ExpiryTime>" in st.to_ubl_xml()
    assert "Ancienneté du solde" in text
    assert "du 1er novembre 2026" in text and "Relevé nº" in text
    assert "F-0042" in text and "S-1001" in text


def test_invoices_carry_the_hosts_number_and_reminders_their_figures() -> None:
    book, mailer = shop("en")
    at = dt.datetime(2026, 11, 5, 15, tzinfo=UTC)
    with pytest.raises(creditbook.InvalidInput) as taken:
        book.charge("C-1", Decimal("1.00"), invoice_number="F-0042", at=at, op_id="c2")
    assert taken.value.field == "invoice number"
    assert book.entries("C-1")[1].invoice_number == "F-0042"
    message = book.compose_invoice_email("C-1", 2)
    assert message.subject == "Invoice F-0042 from Quincaillerie Lapointe"
    book.pay("C-1", Decimal("75.00"), at=at, op_id="p1")
    book.set_automation(Automation(reminder_days=[0]), at=at, op_id="a1", actor=MANAGER)
    (due,) = book.reminders_due(dt.date(2026, 12, 2))
    assert due.message is not None
    assert "Invoice F-0042 of $120.00 is due today; $45.00 is still due." in due.message.text
    assert "Pay online: https://pay.example/C-1-reminder-link-2-45.00" in due.message.text


def test_refusals_speak_the_clerks_language_with_the_statements_amounts() -> None:
    book, _ = shop()
    with pytest.raises(creditbook.CreditLimitExceeded) as declined:
        book.charge("C-1", Decimal("400.00"), at=dt.datetime(2026, 11, 3, 15, tzinfo=UTC),
                    op_id="c9")
    e = declined.value
    assert e.localized("fr") == \
        "Limite de crédit dépassée : 380,00\u00a0$ disponible, 400,00\u00a0$ demandé."
    assert e.localized("en") == "Credit limit exceeded: $380.00 available, $400.00 requested."
    assert e.localized("es").startswith("Límite de crédito superado")
    assert e.localized("de").startswith("Kreditlimit überschritten")
    assert e.localized("nl").startswith("Kredietlimiet overschreden")
    assert str(e) == "credit limit exceeded: 380.00 available, 400.00 requested"  # logs
    with pytest.raises(creditbook.LanguageNotOffered):
        e.localized("it")
    with pytest.raises(creditbook.PermissionDenied) as denied:
        book.set_credit_limit("C-1", Decimal("900.00"), at=dt.datetime(2026, 11, 3, tzinfo=UTC),
                              op_id="l1")
    assert denied.value.localized("fr") == "Permission refusée : « credit_limit » est requise."
