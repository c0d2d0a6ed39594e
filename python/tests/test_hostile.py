"""Hostile input through the Python API, end to end (the Python half of core/tests/hostile.rs).

What a till, a customer or a misconfigured host can hand the Book reaches every statement format
and every message escaped or refused, never as markup, formula or reordering control; control
characters in any header value are refused with a typed exception before the mailer is called;
amounts at the limits of `decimal.Decimal` and sums near the largest amount give typed errors or
exact results; identifiers of a megabyte, lone surrogates and wrong Python types are refused;
every operation that needs a permission is refused without it and records nothing.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import json
import subprocess
import sys
import unicodedata
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from decimal import Decimal
from html.parser import HTMLParser
from typing import Any, Callable, Optional

import pytest
from hypothesis import given, settings as hsettings, strategies as st

import creditbook
from creditbook import Actor, Book, Message, PaymentLinkRequest, PostalAddress

from _support import AT, DAY, MANAGER, settings

SCRIPT = "<script>alert(1)</script>"
CDATA_END = "]]><x/>"
FORMULA = '=HYPERLINK("http://evil.example","pay here")'
IMG = "'\"><img src=x onerror=alert(1)>"
STORE = "Lapointe & Fils <b>Quincaillerie</b>"
# Every bidirectional control the core takes out of printed text (core/src/statement/text.rs):
# they reorder what follows them when displayed.
BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
NAME = f"{SCRIPT} {FORMULA} {CDATA_END} \u202egnp.exe\u2066 \u200fMarie\u2067\u2068\u061c"
CITY = "\u202a\u202b\u202dlasrever\u202c\u2069\u200e"
ADDRESS = PostalAddress(
    lines=[SCRIPT, CDATA_END, FORMULA], city=CITY, region=IMG, postal_code="@SUM(A1:A9)",
    country="CA",
)
START, END = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
WIDTHS = [32, 40, 80, 160]
# What a header value may not carry: line breaks, NUL, tabs, other C0/C1 controls, DEL.
CONTROLS = ["\r", "\n", "\r\n", "\0", "\t", "\x0b", "\x0c", "\x1b[2J", "\x7f", "\x85"]
MEGABYTE = "x" * (1 << 20)


class RecordingMailer:
    """Keeps every message it is asked to deliver."""

    def __init__(self) -> None:
        self.sent: list[Message] = []

    def send(self, message: Message) -> str:
        self.sent.append(message)
        return f"queued-{len(self.sent)}"


class RecordingProvider:
    """Keeps every link request; the URL is harmless."""

    def __init__(self) -> None:
        self.requests: list[PaymentLinkRequest] = []

    def create_link(self, request: PaymentLinkRequest) -> str:
        self.requests.append(request)
        return f"https://pay.example/{len(self.requests)}"


def hostile_settings(**kw: Any) -> creditbook.StoreSettings:
    kw.setdefault("from_", "comptes@lapointe.example")
    return creditbook.StoreSettings(
        STORE,
        "CAD",
        "America/Montreal",
        languages=["en", "fr"],
        address=PostalAddress(lines=[SCRIPT], city=IMG),
        header_text=FORMULA,
        cheques_payable_to=CDATA_END,
        attach_ubl=True,
        **kw,
    )


def hostile_book(
    mailer: Optional[RecordingMailer] = None, provider: Optional[RecordingProvider] = None
) -> Book:
    """Account "H-1" opened and used with hostile text wherever a caller gives text: name,
    address, sale and payment references, reasons; the store's own texts are hostile too."""
    book = Book(hostile_settings(), mailer=mailer, payments=provider)
    book.set_automation(creditbook.Automation(reminder_days=[0]), at=AT, op_id="auto",
                        actor=MANAGER)
    book.open_account("H-1", customer_name=NAME, email="eve@example.com", language="en",
                      address=ADDRESS, credit_limit=Decimal("5000.00"), at=AT, op_id="o1", actor=creditbook.Actor("manager", ["credit_limit"]))
    book.charge("H-1", Decimal("120.00"), sale=FORMULA, at=AT, op_id="o2")
    second = book.charge("H-1", Decimal("80.00"), sale=SCRIPT, at=AT, op_id="o3")
    book.pay("H-1", Decimal("50.00"), reference=CDATA_END, at=AT, op_id="o4")
    book.adjust("H-1", "debit", Decimal("1.00"), reason=NAME, at=AT, op_id="o5", actor=MANAGER)
    book.write_off("H-1", second.invoice_id, Decimal("5.00"), reason=f"{IMG} write-off", at=AT,
                   op_id="o6", actor=MANAGER)
    deposit = book.deposit("H-1", Decimal("3.00"), reference="D-1", at=AT, op_id="o7")
    book.reverse("H-1", deposit.entry.seq, reason=f"{CDATA_END} reversal", at=AT, op_id="o8",
                 actor=MANAGER)
    return book


def records(book: Book, account: str = "H-1") -> list[str]:
    return [e.to_record() for e in book.entries(account)]


def figures(book: Book, account: str) -> tuple[list[str], dict[str, Any]]:
    """Everything recorded on the account and its figures: equal before and after a refusal."""
    return records(book, account), book.summary(account, DAY).to_dict()


class Tags(HTMLParser):
    """The elements and attributes an HTML parser (a browser's first step) sees."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attributes: set[str] = set()
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        self.tags.add(tag)
        self.attributes.update(name for name, _ in attrs)


def assert_no_markup(what: str, out: str) -> None:
    for raw in ["<script", "<img", "<x/>", "<b>"]:
        # Escaped, a payload's `<` is `&lt;`: the raw tag never appears.
        assert raw not in out, f"{what}: raw {raw!r}"


def assert_no_injected_elements(what: str, html: str) -> None:
    parsed = Tags(html)
    assert not parsed.tags & {"script", "img", "x", "b"}, f"{what}: {parsed.tags}"
    assert "onerror" not in parsed.attributes, what


def assert_no_bidi(what: str, out: str) -> None:
    found = sorted({f"U+{ord(c):04X}" for c in out if c in BIDI})
    assert not found, f"{what}: bidirectional controls {found}"


def xml_texts(xml: str) -> set[str]:
    return {e.text for e in ET.fromstring(xml).iter() if e.text}


def test_the_hostile_values_hold_every_payload() -> None:
    # The assertions below are about these characters: they must be in the input.
    assert set(BIDI) <= set(NAME + CITY)
    for payload in [SCRIPT, FORMULA, CDATA_END]:
        assert payload in NAME


# ---- (a) rendering ----


def test_hostile_text_stays_text_in_every_statement_format() -> None:
    st_ = hostile_book().statement("H-1", start=START, end=END)
    assert st_.customer.name == NAME and st_.customer.address.city == CITY

    html = st_.to_html()
    assert_no_markup("html", html)
    assert_no_injected_elements("html", html)
    assert_no_bidi("html", html)
    for escaped in [
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "=HYPERLINK(&quot;http://evil.example&quot;,&quot;pay here&quot;)",
        "]]&gt;&lt;x/&gt;",
        "Lapointe &amp; Fils &lt;b&gt;Quincaillerie&lt;/b&gt;",
    ]:
        assert escaped in html, f"{escaped!r} missing"
    assert "gnp.exe" in html and "lasrever" in html  # only the controls are taken out

    for width in WIDTHS:
        text = st_.to_text(width)
        assert_no_bidi(f"text/{width}", text)
        too_long = [line for line in text.splitlines() if len(line) > width]
        assert not too_long, f"text/{width}: {too_long}"
        assert not [c for c in text if unicodedata.category(c) == "Cc" and c != "\n"]
        assert "lasrever" in text
    wide = st_.to_text(160)
    assert SCRIPT in wide and FORMULA in wide  # plain text keeps text as it is

    xml = st_.to_ubl_xml()
    assert_no_markup("ubl", xml)
    # `]]>` is harmless in XML text only escaped; no CDATA section is opened by a value.
    assert CDATA_END not in xml and "<![CDATA[" not in xml
    texts = xml_texts(xml)  # parses: the values are escaped, not markup
    for value in [NAME, SCRIPT, CDATA_END, FORMULA, IMG, CITY, STORE]:
        assert value in texts, f"{value!r} not in the UBL as text"

    data = json.loads(st_.to_json())
    customer = data["customer"]
    assert customer["name"] == NAME, "json keeps the text as text"
    assert customer["address"]["lines"] == [SCRIPT, CDATA_END, FORMULA]
    assert (customer["address"]["city"], customer["address"]["region"]) == (CITY, IMG)
    references = [line["reference"] for line in data["lines"]]
    for value in [FORMULA, SCRIPT, CDATA_END, NAME, f"{IMG} write-off", f"{CDATA_END} reversal"]:
        assert value in references
    store = data["store"]
    assert (store["name"], store["header_text"], store["cheques_payable_to"]) == (
        STORE, FORMULA, CDATA_END)


def test_hostile_text_stays_text_in_every_message() -> None:
    mailer, provider = RecordingMailer(), RecordingProvider()
    book = hostile_book(mailer, provider)
    statement = book.statement("H-1", start=START, end=END)
    link = book.payment_link("H-1", Decimal("10.00"), at=AT, reference="ST-1")
    confirmed = book.confirm_online_payment(
        "H-1", provider_payment_id="pp-1", amount=Decimal("10.00"), at=AT, link=link.reference)
    assert confirmed.receipt is not None and confirmed.receipt.message is not None
    assert confirmed.notice is not None and confirmed.notice.message is not None
    first_due = book.open_invoices("H-1")[0].due_date
    reminder = next(r for r in book.reminders_due(first_due) if r.invoice == 2)
    assert reminder.message is not None
    messages = [
        book.compose_statement_email(statement),
        book.compose_invoice_email("H-1", 2),
        confirmed.receipt.message,
        confirmed.notice.message,
        reminder.message,
    ]
    assert [m.kind for m in messages] == [
        "statement", "invoice", "receipt", "store_notice", "reminder"]
    for m in messages:
        assert_no_markup(f"{m.kind} html", m.html)
        assert_no_injected_elements(f"{m.kind} html", m.html)
        assert not [c for c in m.subject if unicodedata.category(c) == "Cc"], m.subject
        raw = m.to_bytes(AT)
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        assert {k.lower() for k in parsed.keys()} <= {
            "message-id", "to", "subject", "date", "from", "reply-to", "mime-version",
            "content-type"}, f"{m.kind}: {parsed.keys()}"
        assert parsed["Subject"] == m.subject
        if m.kind != "store_notice":
            # The notice to the store is about the customer by name (see the module's report).
            assert not [c for c in m.subject if c in BIDI], f"{m.kind} subject: {m.subject!r}"
            head = raw.split(b"\r\n\r\n")[0]
            assert SCRIPT.encode() not in head, f"{m.kind}: {head!r}"
        for a in m.attachments:
            if a.content_type.startswith("text/html") or a.filename.endswith(".xml"):
                content = a.content.decode()
                assert_no_markup(a.filename, content)
                if a.filename.endswith(".xml"):
                    assert NAME in xml_texts(content)
                else:
                    assert_no_injected_elements(a.filename, content)
    assert [a.filename.rsplit(".", 1)[1] for a in messages[0].attachments] == ["html", "xml"]
    for m in messages[:2] + messages[4:]:
        assert not book.send(m, at=AT).already_delivered
    assert [m.kind for m in mailer.sent] == [
        "receipt", "store_notice", "statement", "invoice", "reminder"]


LONG = "Ж" * 10_000  # a letter the statement's own words do not use: every one is counted


def test_ten_thousand_characters_are_refused_where_typed() -> None:
    book = Book(settings())
    with pytest.raises(creditbook.InvalidInput) as refused:
        book.open_account("L-1", customer_name=LONG, at=AT, op_id="l1")
    assert refused.value.code == 107 and refused.value.field == "customer name"
    assert book.accounts(DAY) == []
    book.open_account("L-1", customer_name="Léa", credit_limit=None, at=AT, op_id="l2", actor=creditbook.Actor("manager", ["credit_limit"]))
    before = figures(book, "L-1")
    for reason in [LONG, "é" * 5_000]:  # 10,000 characters; 10,000 bytes
        refusals: list[Callable[[], object]] = [
            lambda: book.adjust("L-1", "debit", 1, reason=reason, at=AT, op_id="l3",
                                actor=MANAGER),
            lambda: book.hold("L-1", reason=reason, at=AT, op_id="l4"),
            lambda: book.charge("L-1", 1, override_reason=reason, at=AT, op_id="l5",
                                actor=MANAGER),
            lambda: book.update_contact("L-1", customer_name=reason, at=AT, op_id="l6"),
            lambda: book.update_contact("L-1", customer_name="Léa", at=AT, op_id="l7",
                                        address=PostalAddress(lines=[reason])),
        ]
        for call in refusals:
            with pytest.raises(creditbook.InvalidInput) as e:
                call()
            assert type(e.value) is creditbook.InvalidInput and e.value.code == 107
    assert figures(book, "L-1") == before


def test_ten_thousand_characters_the_store_prints_keep_within_the_width() -> None:
    store = settings(
        header_text=CDATA_END + LONG,
        cheques_payable_to=SCRIPT + LONG + "\u202e",
        address=PostalAddress(lines=[LONG, FORMULA + LONG]),
    )
    book = Book(store)
    book.open_account("L-1", customer_name="N" * 1024, credit_limit=None, at=AT, op_id="o",
                      address=PostalAddress(lines=[SCRIPT + "A" * 990]), actor=creditbook.Actor("manager", ["credit_limit"]))
    book.charge("L-1", 5, sale="S" * 128, at=AT, op_id="c")
    st_ = book.statement("L-1", start=START, end=END)
    for width in [32, 48, 160]:
        text = st_.to_text(width)
        too_long = [line for line in text.splitlines() if len(line) > width]
        assert not too_long, f"{width}: {too_long[:3]}"
        assert_no_bidi(f"long text/{width}", text)
        # The header and the cheques line once, the store's two address lines twice (under
        # its name and under "Remit to"): every character printed, none cut.
        assert text.count("Ж") == 6 * 10_000
    html = st_.to_html()
    assert_no_markup("long html", html)
    assert_no_injected_elements("long html", html)
    assert html.count("Ж") == 6 * 10_000
    xml = st_.to_ubl_xml()
    assert_no_markup("long ubl", xml)
    assert CDATA_END + LONG in xml_texts(xml)
    data = json.loads(st_.to_json())
    assert data["store"]["header_text"] == CDATA_END + LONG
    assert len(data["store"]["header_text"]) == 10_000 + 7
    assert data["store"]["cheques_payable_to"] == SCRIPT + LONG + "\u202e"


# ---- (b) header values ----


def message_book() -> tuple[Book, RecordingMailer, RecordingProvider]:
    mailer, provider = RecordingMailer(), RecordingProvider()
    return hostile_book(mailer, provider), mailer, provider


def placed(bad: str, value: str) -> list[str]:
    """`bad` before, inside and after an address."""
    local, domain = value.split("@")
    return [bad + value, f"{local}{bad}@{domain}", value + bad]


@pytest.mark.parametrize("bad", CONTROLS, ids=repr)
@pytest.mark.parametrize("field", ["statement to", "invoice to", "from_", "notices_to"])
def test_control_characters_in_a_header_value_are_refused(field: str, bad: str) -> None:
    book, mailer, provider = message_book()
    statement = book.statement("H-1", start=START, end=END)
    before = records(book)
    calls: dict[str, Callable[[str], object]] = {
        "statement to": lambda v: book.compose_statement_email(statement, to=v),
        "invoice to": lambda v: book.compose_invoice_email("H-1", 2, to=v),
        "from_": lambda v: hostile_settings(from_=v),
        "notices_to": lambda v: hostile_settings(notices_to=v),
    }
    for value in placed(bad, "a@client.example"):
        with pytest.raises(creditbook.HeaderInjection) as e:
            calls[field](value)
        assert (e.value.code, e.value.field) == (114, "recipient"), repr(value)
    assert mailer.sent == [] and provider.requests == []
    assert records(book) == before, "nothing recorded"
    # The same call with a clean value goes through: the refusal was the control character's.
    assert calls[field]("a@client.example") is not None


def test_a_store_address_read_from_a_file_with_its_newline_is_refused_up_front() -> None:
    # Regression: "a@x.example\n" passed StoreSettings (the core's address check trims it) and
    # every message then failed to compose; confirm_online_payment dropped the receipt silently.
    with pytest.raises(creditbook.HeaderInjection):
        hostile_settings(from_="comptes@lapointe.example\n")
    with pytest.raises(creditbook.HeaderInjection):
        hostile_settings(notices_to="\tnotices@lapointe.example")
    mailer = RecordingMailer()
    book = Book(hostile_settings(from_="comptes@lapointe.example"), mailer=mailer)
    book.open_account("C-1", customer_name="M", email="m@example.com", at=AT, op_id="o")
    done = book.confirm_online_payment("C-1", provider_payment_id="pp", amount=5, at=AT)
    assert done.receipt is not None and done.receipt.ok and len(mailer.sent) == 2


@pytest.mark.parametrize("bad", CONTROLS, ids=repr)
def test_values_that_reach_a_header_are_refused_at_their_own_door(bad: str) -> None:
    book, mailer, provider = message_book()
    before = records(book)
    refusals: dict[str, Callable[[], object]] = {
        # the statement number is in the subject, the message id and the attachment's name
        "statement number": lambda: book.statement("H-1", start=START, end=END,
                                                   number=f"ST{bad}1"),
        # the account id is in every message id
        "account id": lambda: book.open_account(f"H{bad}2", customer_name="M", at=AT,
                                                op_id="o9"),
        # the provider's payment id is in the receipt's and the notice's message ids
        "provider payment id": lambda: book.confirm_online_payment(
            "H-1", provider_payment_id=f"pp{bad}1", amount=1, at=AT),
        # the store's name is in the subjects
        "store name": lambda: creditbook.StoreSettings(f"Store{bad}B", "CAD", "America/Montreal"),
        # the customer's name is in the subject of the payment notice to the store
        "customer name": lambda: book.update_contact("H-1", customer_name=f"M{bad}x", at=AT,
                                                     op_id="u9"),
    }
    for field, call in refusals.items():
        with pytest.raises(creditbook.InvalidInput) as e:
            call()
        assert e.value.field == field and "control characters" in e.value.reason
    # The customer's address on file becomes `To`: refused inside the address; around it,
    # refused or trimmed away.
    before_contact = figures(book, "H-1")
    inside = placed(bad, "m@example.com")[1]
    with pytest.raises(creditbook.InvalidEmail):
        book.update_contact("H-1", customer_name="M", email=inside, at=AT, op_id="u-in")
    assert figures(book, "H-1") == before_contact
    for i, value in enumerate(placed(bad, "m@example.com")[::2]):
        try:
            book.update_contact("H-1", customer_name="M", email=value, at=AT, op_id=f"u{i}")
        except creditbook.InvalidEmail:
            continue
        assert book.summary("H-1", DAY).customer.email == "m@example.com"
        m = book.compose_invoice_email("H-1", 2)
        assert m.to == ["m@example.com"]
        assert bad.encode() not in m.to_bytes(AT).split(b"\r\n\r\n")[0].replace(b"\r\n", b"")
    # Only the contact changes of the trimmed addresses were recorded.
    kinds = [e.kind for e in book.entries("H-1")[len(before):]]
    assert set(kinds) <= {"contact_changed"}
    assert mailer.sent == [] and provider.requests == []
    assert [a.account_id for a in book.accounts(DAY)] == ["H-1"]


# ---- (c) sizes and numbers ----

MAX_DECIMAL = Decimal("79228162514264337593543950335")
LARGEST = Decimal("1000000000000000")  # the largest amount taken (10^15 in major units)

# Amounts no operation takes: (value, code where a positive amount is needed, code where zero is
# allowed (a limit, a sale due) or None when that one is accepted).
NOT_AMOUNTS: dict[str, tuple[Any, int, Optional[int]]] = {
    "Decimal max": (MAX_DECIMAL, 106, 106),
    # Literals: arithmetic on 29 digits would round to the context's 28.
    "Decimal min": (Decimal("-79228162514264337593543950335"), 100, 101),
    "Decimal max + 1": (Decimal("79228162514264337593543950336"), 106, 106),
    "Decimal max / 100": (Decimal("792281625142643375935439503.35"), 106, 106),
    "largest + 0.01": (LARGEST + Decimal("0.01"), 106, 106),
    "1E+28": (Decimal("1E+28"), 106, 106),
    "1E+1000": (Decimal("1E+1000"), 106, 106),
    "-1E+1000": (Decimal("-1E+1000"), 106, 106),
    "10**30": (10**30, 106, 106),
    "-10**30": (-(10**30), 106, 106),
    "1E-30": (Decimal("1E-30"), 102, 102),
    "1E-28": (Decimal("1E-28"), 102, 102),
    "0.001": (Decimal("0.001"), 102, 102),
    "1.005": (Decimal("1.005"), 102, 102),
    "28 decimals": (Decimal("7.9228162514264337593543950335"), 102, 102),
    "NaN": (Decimal("NaN"), 105, 105),
    "sNaN": (Decimal("sNaN"), 105, 105),
    "Infinity": (Decimal("Infinity"), 105, 105),
    "-Infinity": (Decimal("-Infinity"), 105, 105),
    "-0": (Decimal("-0"), 100, None),
    "0": (Decimal("0"), 100, None),
    "0E+999999": (Decimal("0E+999999"), 100, None),
    "-1.00": (Decimal("-1.00"), 100, 101),
    "-5": (-5, 100, 101),
}


def amounts_book(provider: Optional[RecordingProvider] = None) -> Book:
    """Account "C-1" with an invoice (2) of sale S-1, store credit and room under its limit."""
    book = Book(settings(), payments=provider)
    book.open_account("C-1", customer_name="Max", credit_limit=Decimal("5000.00"), at=AT,
                      op_id="o", actor=creditbook.Actor("manager", ["credit_limit"]))
    book.charge("C-1", Decimal("100.00"), sale="S-1", at=AT, op_id="c")
    book.deposit("C-1", Decimal("50.00"), at=AT, op_id="d")
    return book


POSITIVE: dict[str, Callable[[Book, Any], object]] = {
    "charge": lambda b, v: b.charge("C-1", v, at=AT, op_id="x"),
    "pay": lambda b, v: b.pay("C-1", v, at=AT, op_id="x"),
    "deposit": lambda b, v: b.deposit("C-1", v, at=AT, op_id="x"),
    "use_credit": lambda b, v: b.use_credit("C-1", v, at=AT, op_id="x"),
    "apply_credit": lambda b, v: b.apply_credit("C-1", v, at=AT, op_id="x"),
    "refund_to_credit": lambda b, v: b.refund_to_credit("C-1", v, sale="S-1", at=AT, op_id="x",
                                                        actor=MANAGER),
    "refund_credit": lambda b, v: b.refund_credit("C-1", v, at=AT, op_id="x", actor=MANAGER),
    "adjust": lambda b, v: b.adjust("C-1", "credit", v, reason="r", at=AT, op_id="x",
                                    actor=MANAGER),
    "write_off": lambda b, v: b.write_off("C-1", 2, v, reason="r", at=AT, op_id="x",
                                          actor=MANAGER),
    "confirm_online_payment": lambda b, v: b.confirm_online_payment(
        "C-1", provider_payment_id="pp", amount=v, at=AT),
}
NON_NEGATIVE: dict[str, Callable[[Book, Any], object]] = {
    "set_credit_limit": lambda b, v: b.set_credit_limit("C-1", v, at=AT, op_id="x",
                                                        actor=MANAGER),
    "open_account": lambda b, v: b.open_account("C-2", customer_name="N", credit_limit=v, at=AT,
                                                op_id="x", actor=creditbook.Actor("manager", ["credit_limit"])),
    "max_charge": lambda b, v: b.max_charge("C-1", v, at=AT),
}
# Elsewhere an amount is checked against more than its form: a typed error, never a crash.
OTHER: dict[str, Callable[[Book, Any], object]] = {
    "payment_link": lambda b, v: b.payment_link("C-1", v, at=AT, reference="R"),
    "statement amount_due": lambda b, v: b.statement("C-1", start=START, end=END, amount_due=v),
    "refund sale_total": lambda b, v: b.refund_to_credit("C-1", 1, sale="S-9", sale_total=v,
                                                         at=AT, op_id="x", actor=MANAGER),
}


@pytest.mark.parametrize("name", NOT_AMOUNTS)
def test_amounts_that_are_not_amounts_give_typed_errors_and_change_nothing(name: str) -> None:
    value, positive_code, non_negative_code = NOT_AMOUNTS[name]
    provider = RecordingProvider()
    book = amounts_book(provider)
    before = figures(book, "C-1")
    for op, call in POSITIVE.items():
        with pytest.raises(creditbook.InvalidAmount) as e:
            call(book, value)
        assert e.value.code == positive_code, f"{op}: {e.value!r}"
    for op, call in NON_NEGATIVE.items():
        if non_negative_code is None:
            continue
        with pytest.raises(creditbook.InvalidAmount) as e:
            call(book, value)
        assert e.value.code == non_negative_code, f"{op}: {e.value!r}"
    for op, call in OTHER.items():
        try:
            call(book, value)
        except creditbook.CreditbookError:
            pass
        else:
            assert non_negative_code is None, f"{op} took {value!r}"
    assert figures(book, "C-1") == before
    assert [a.account_id for a in book.accounts(DAY)] == ["C-1"]
    assert provider.requests == []


@pytest.mark.parametrize(
    "value, expected",
    [
        (Decimal("1.10000000000000000000000000000000000"), Decimal("1.10")),  # 35 decimals
        (Decimal("100E-2"), Decimal("1.00")),
        (Decimal("1E+1"), Decimal("10.00")),
        (Decimal("1.000"), Decimal("1.00")),
        (7, Decimal("7.00")),
        (LARGEST, LARGEST),
        (Decimal("0.01"), Decimal("0.01")),
    ],
    ids=str,
)
def test_amounts_in_other_forms_are_taken_exactly(value: Any, expected: Decimal) -> None:
    book = Book(settings())
    book.open_account("M-1", customer_name="Max", credit_limit=None, at=AT, op_id="o", actor=creditbook.Actor("manager", ["credit_limit"]))
    charged = book.charge("M-1", value, at=AT, op_id="c")
    assert charged.amount == expected and charged.amount.as_tuple().exponent == -2
    assert book.summary("M-1", DAY).balance_owed == expected


def test_zero_with_a_huge_exponent_is_zero_at_once() -> None:
    # Regression: 0E+999999999999999999 was scaled up one power of ten at a time (10^18 steps)
    # while holding the GIL. Run apart so that a regression fails here instead of hanging.
    code = (
        "import datetime as dt, decimal, creditbook\n"
        "at = dt.datetime(2026, 11, 3, tzinfo=dt.timezone.utc)\n"
        "book = creditbook.Book(creditbook.StoreSettings('S', 'CAD', 'America/Montreal'))\n"
        "book.open_account('C-1', customer_name='M', credit_limit=None, at=at, op_id='o', actor=creditbook.Actor('manager', ['credit_limit']))\n"
        "for text in ['0E+999999999999999999', '-0E+999999999999999999']:\n"
        "    try:\n"
        "        book.charge('C-1', decimal.Decimal(text), at=at, op_id='c')\n"
        "    except creditbook.InvalidAmount as e:\n"
        "        assert e.code == 100, e\n"
        "    else:\n"
        "        raise AssertionError('zero charged')\n"
        "    book.set_credit_limit('C-1', decimal.Decimal(text), at=at, op_id='l' + text[0],\n"
        "                          actor=creditbook.Actor('m', creditbook.PERMISSIONS))\n"
        "    assert book.summary('C-1').credit_limit == 0\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert (done.returncode, done.stdout.strip()) == (0, "ok"), done.stderr


def expected_codes(d: Decimal) -> set[int]:
    """The codes a charge of `d` may be refused with; empty: it is charged, exactly."""
    if not d.is_finite():
        return {105}
    _, digits_, exponent = d.as_tuple()
    assert isinstance(exponent, int)
    digits = list(digits_)
    while exponent < 0 and len(digits) > 1 and digits[-1] == 0:  # 1.10 is 1.1
        digits.pop()
        exponent += 1
    codes = set()
    if d <= 0:
        codes.add(100)
    if exponent < -2:  # more decimals than the dollar's 2
        codes.add(102)
    if d.copy_abs() > LARGEST or len(digits) > 28:  # above the largest, or beyond 96 bits
        codes.add(106)
    return codes


decimals = st.one_of(
    st.decimals(allow_nan=True, allow_infinity=True),
    st.builds(
        lambda sign, digits, exponent: Decimal((sign, tuple(digits), exponent)),
        st.integers(0, 1),
        st.lists(st.integers(0, 9), min_size=1, max_size=40),
        st.integers(-(10**18), 10**18 - 41),  # what decimal.Decimal holds (MAX_EMAX)
    ),
    st.integers(-(10**17), 10**17).map(lambda c: Decimal(c).scaleb(-2)),
)


@hsettings(max_examples=300, deadline=None)
@given(decimals)
def test_any_decimal_is_charged_exactly_or_refused_with_its_code(d: Decimal) -> None:
    book = Book(settings())
    book.open_account("M-1", customer_name="Max", credit_limit=None, at=AT, op_id="o", actor=creditbook.Actor("manager", ["credit_limit"]))
    before = figures(book, "M-1")
    codes = expected_codes(d)
    try:
        charged = book.charge("M-1", d, at=AT, op_id="c")
    except creditbook.InvalidAmount as e:
        assert e.code in codes, (d, e)
        assert figures(book, "M-1") == before
    else:
        assert not codes, (d, charged)
        assert charged.amount == d and book.summary("M-1", DAY).balance_owed == d


def test_the_largest_amounts_are_exact_and_no_balance_passes_them() -> None:
    book = Book(settings())
    book.open_account("M-1", customer_name="Max", credit_limit=None, at=AT, op_id="m1", actor=creditbook.Actor("manager", ["credit_limit"]))
    for i, too_big in enumerate([Decimal("792281625142643375935439503.35"),
                                 LARGEST + Decimal("0.01")]):
        with pytest.raises(creditbook.InvalidAmount) as e:
            book.charge("M-1", too_big, at=AT, op_id=f"big{i}")
        assert e.value.code == 106
    assert len(book.entries("M-1")) == 1
    book.charge("M-1", LARGEST - Decimal("0.01"), at=AT, op_id="m4")
    book.charge("M-1", Decimal("0.01"), at=AT, op_id="m5")
    assert str(book.summary("M-1", DAY).balance_owed) == "1000000000000000.00"
    # No balance passes the largest amount: one cent more is refused, nothing recorded.
    for op, amount in [("m6", Decimal("0.01")), ("m7", LARGEST)]:
        with pytest.raises(creditbook.InvalidAmount) as e:
            book.charge("M-1", amount, at=AT, op_id=op)
        assert e.value.code == 106
    assert len(book.entries("M-1")) == 3
    assert book.max_charge("M-1", LARGEST, at=AT) == Decimal("0.00")
    st_ = book.statement("M-1", start=START, end=END)
    assert (st_.total_charges, st_.closing_balance) == (LARGEST, LARGEST)
    assert json.loads(st_.to_json())["closing_balance"] == "1000000000000000.00"
    # Paid back to the cent, with a dollar over kept as credit.
    paid = book.pay("M-1", LARGEST, at=AT, op_id="p1")
    assert paid.credit == Decimal("0.00")
    paid = book.pay("M-1", Decimal("1.00"), at=AT, op_id="p2")
    assert paid.credit == Decimal("1.00")
    final = book.summary("M-1", DAY)
    assert (final.balance_owed, final.credit_balance) == (Decimal("0.00"), Decimal("1.00"))
    assert book.max_charge("M-1", LARGEST, at=AT) == LARGEST


IDENTIFIERS: dict[str, tuple[str, Callable[[Book, str], object]]] = {
    "account id": ("account id", lambda b, v: b.charge(v, 1, at=AT, op_id="i1")),
    "new account id": ("account id", lambda b, v: b.open_account(v, customer_name="X", at=AT,
                                                                 op_id="i1")),
    "operation id": ("operation id", lambda b, v: b.charge("H-1", 1, at=AT, op_id=v)),
    "sale": ("sale", lambda b, v: b.charge("H-1", 1, sale=v, at=AT, op_id="i2")),
    "payment reference": ("reference", lambda b, v: b.pay("H-1", 1, reference=v, at=AT,
                                                          op_id="i3")),
    "deposit reference": ("reference", lambda b, v: b.deposit("H-1", 1, reference=v, at=AT,
                                                              op_id="i3")),
    "refunded sale": ("sale", lambda b, v: b.refund_to_credit(
        "H-1", 1, sale=v, sale_total=5, at=AT, op_id="i4", actor=MANAGER)),
    "customer id": ("customer id", lambda b, v: b.update_contact(
        "H-1", customer_name="X", customer_id=v, at=AT, op_id="i5")),
    "provider payment id": ("provider payment id", lambda b, v: b.confirm_online_payment(
        "H-1", provider_payment_id=v, amount=1, at=AT)),
    "statement number": ("statement number", lambda b, v: b.statement(
        "H-1", start=START, end=END, number=v)),
    "summary": ("account id", lambda b, v: b.summary(v, DAY)),
    "entries": ("account id", lambda b, v: b.entries(v)),
}


@pytest.mark.parametrize("name", IDENTIFIERS)
def test_identifiers_of_a_megabyte_are_refused(name: str) -> None:
    mailer, provider = RecordingMailer(), RecordingProvider()
    book = hostile_book(mailer, provider)
    before = figures(book, "H-1")
    field, call = IDENTIFIERS[name]
    with pytest.raises(creditbook.InvalidInput) as e:
        call(book, MEGABYTE)
    assert type(e.value) is creditbook.InvalidInput and e.value.code == 107
    assert e.value.field == field and "longer than" in e.value.reason
    assert len(str(e.value)) < 1_000, "the message does not carry the megabyte"
    assert figures(book, "H-1") == before
    assert [a.account_id for a in book.accounts(DAY)] == ["H-1"]
    assert mailer.sent == [] and provider.requests == []


LINK_CALLS: dict[str, Callable[[Book, str], object]] = {
    "payment_link op_id": lambda b, v: b.payment_link("H-1", 1, at=AT, reference="R", op_id=v),
    # the default op id is `link-<reference>-<amount>`, `deposit-<sale>-<amount>`
    "payment_link reference": lambda b, v: b.payment_link("H-1", 1, at=AT, reference=v),
    "payment_link sale": lambda b, v: b.payment_link("H-1", 1, at=AT, sale=v),
    "statement_with_link op_id": lambda b, v: b.statement_with_link(
        "H-1", start=START, end=END, at=AT, op_id=v),
}


@pytest.mark.parametrize("bad", ["", "a\nb", MEGABYTE], ids=["empty", "LF", "1 MB"])
@pytest.mark.parametrize("call", LINK_CALLS)
def test_a_link_whose_operation_id_is_refused_records_nothing(call: str, bad: str) -> None:
    provider = RecordingProvider()
    book = hostile_book(provider=provider)
    before = figures(book, "H-1")
    if bad == "" and call in ("payment_link reference", "payment_link sale"):
        bad = "x\0"  # an empty reference or sale still makes a valid operation id
    with pytest.raises(creditbook.InvalidInput) as e:
        LINK_CALLS[call](book, bad)
    assert e.value.field in ("operation id", "sale")
    assert figures(book, "H-1") == before


@pytest.mark.parametrize("bad", ["a\nb", MEGABYTE], ids=["LF", "1 MB"])
@pytest.mark.parametrize("call", LINK_CALLS)
def test_a_link_that_will_be_refused_is_not_asked_of_the_provider(call: str, bad: str) -> None:
    provider = RecordingProvider()
    book = hostile_book(provider=provider)
    with pytest.raises(creditbook.InvalidInput):
        LINK_CALLS[call](book, bad)
    assert provider.requests == []


def test_a_recipient_of_a_megabyte_is_refused() -> None:
    mailer = RecordingMailer()
    book = hostile_book(mailer)
    with pytest.raises(creditbook.InvalidEmail) as e:
        book.compose_invoice_email("H-1", 2, to=MEGABYTE + "@example.com")
    assert len(e.value.address) <= 254
    assert mailer.sent == []


SURROGATE_TAKERS: dict[str, Callable[[Book, str], object]] = {
    "account": lambda b, v: b.charge(v, 1, at=AT, op_id="s1"),
    "op_id": lambda b, v: b.charge("H-1", 1, at=AT, op_id=v),
    "sale": lambda b, v: b.charge("H-1", 1, sale=v, at=AT, op_id="s2"),
    "override_reason": lambda b, v: b.charge("H-1", 1, override_reason=v, at=AT, op_id="s3",
                                             actor=MANAGER),
    "reference": lambda b, v: b.pay("H-1", 1, reference=v, at=AT, op_id="s4"),
    "customer_name": lambda b, v: b.update_contact("H-1", customer_name=v, at=AT, op_id="s5"),
    "email": lambda b, v: b.update_contact("H-1", customer_name="X", email=v, at=AT,
                                           op_id="s6"),
    "address": lambda b, v: b.update_contact("H-1", customer_name="X", at=AT, op_id="s7",
                                             address=PostalAddress(lines=[v])),
    "reason": lambda b, v: b.adjust("H-1", "debit", 1, reason=v, at=AT, op_id="s8",
                                    actor=MANAGER),
    "provider_payment_id": lambda b, v: b.confirm_online_payment(
        "H-1", provider_payment_id=v, amount=1, at=AT),
    "number": lambda b, v: b.statement("H-1", start=START, end=END, number=v),
    "to": lambda b, v: b.compose_invoice_email("H-1", 2, to=v),
    "actor": lambda b, v: b.charge("H-1", 1, at=AT, op_id="s9", actor=Actor(v)),
    "store name": lambda b, v: creditbook.StoreSettings(v, "CAD", "America/Montreal"),
}


@pytest.mark.parametrize("value", ["\ud800", "a\udfffb", "x" * 100 + "\udbff"], ids=repr)
@pytest.mark.parametrize("param", SURROGATE_TAKERS)
def test_lone_surrogates_are_refused_before_anything_happens(param: str, value: str) -> None:
    # A str with a lone surrogate has no UTF-8 form: Python's own UnicodeEncodeError (a
    # ValueError), as str.encode() raises it, before the core sees anything.
    mailer, provider = RecordingMailer(), RecordingProvider()
    book = hostile_book(mailer, provider)
    before = figures(book, "H-1")
    with pytest.raises(UnicodeEncodeError) as e:
        SURROGATE_TAKERS[param](book, value)
    assert e.value.reason == "surrogates not allowed"
    assert figures(book, "H-1") == before
    assert mailer.sent == [] and provider.requests == []


def wrong_types() -> dict[str, tuple[type[Exception], Callable[[Book], object]]]:
    """Calls with a wrong Python type (the stubs say so: mypy needs its ignores) and the
    exception each raises."""
    c, o = "C-1", "w"
    naive = dt.datetime(2026, 11, 3)
    return {
        "amount float": (TypeError, lambda b: b.charge(c, 1.5, at=AT, op_id=o)),  # type: ignore[arg-type]
        "amount bool": (TypeError, lambda b: b.charge(c, True, at=AT, op_id=o)),
        "amount str": (TypeError, lambda b: b.pay(c, "1.00", at=AT, op_id=o)),  # type: ignore[arg-type]
        "amount bytes": (TypeError, lambda b: b.deposit(c, b"1", at=AT, op_id=o)),  # type: ignore[arg-type]
        "amount None": (TypeError, lambda b: b.charge(c, None, at=AT, op_id=o)),  # type: ignore[arg-type]
        "limit float": (TypeError, lambda b: b.set_credit_limit(c, 1.0, at=AT, op_id=o)),  # type: ignore[arg-type]
        "sale_due None": (TypeError, lambda b: b.max_charge(c, None)),  # type: ignore[arg-type]
        "account bytes": (TypeError, lambda b: b.charge(b"C-1", 1, at=AT, op_id=o)),  # type: ignore[arg-type]
        "account int": (TypeError, lambda b: b.summary(1)),  # type: ignore[arg-type]
        "op_id None": (TypeError, lambda b: b.charge(c, 1, at=AT, op_id=None)),  # type: ignore[arg-type]
        "sale int": (TypeError, lambda b: b.charge(c, 1, sale=5, at=AT, op_id=o)),  # type: ignore[arg-type]
        "at naive": (ValueError, lambda b: b.charge(c, 1, at=naive, op_id=o)),
        "at date": (TypeError, lambda b: b.charge(c, 1, at=DAY, op_id=o)),  # type: ignore[arg-type]
        "at None": (TypeError, lambda b: b.charge(c, 1, at=None, op_id=o)),  # type: ignore[arg-type]
        "due_date datetime": (TypeError, lambda b: b.charge(c, 1, due_date=AT, at=AT, op_id=o)),
        "invoice str": (TypeError, lambda b: b.pay(c, 1, invoices=["2"], at=AT, op_id=o)),  # type: ignore[list-item]
        "invoice -1": (ValueError, lambda b: b.pay(c, 1, invoices=[-1], at=AT, op_id=o)),
        "invoice 2**70": (ValueError, lambda b: b.compose_invoice_email(c, 2**70)),
        "entry -1": (ValueError, lambda b: b.reverse(c, -1, reason="r", at=AT, op_id=o)),
        "actor str": (TypeError, lambda b: b.charge(c, 1, at=AT, op_id=o, actor="emp")),  # type: ignore[arg-type]
        "actor None": (TypeError, lambda b: b.set_automation(creditbook.Automation(), at=AT, op_id=o, actor=None)),  # type: ignore[arg-type]
        "permissions str": (TypeError, lambda b: Actor("a", "credit_limit")),
        "address lines str": (TypeError, lambda b: PostalAddress(lines="abc")),
        "direction None": (TypeError, lambda b: b.adjust(c, None, 1, reason="r", at=AT, op_id=o, actor=MANAGER)),  # type: ignore[arg-type]
        "direction sideways": (creditbook.InvalidInput, lambda b: b.adjust(
            c, "sideways", 1, reason="r", at=AT, op_id=o, actor=MANAGER)),
        "width float": (TypeError, lambda b: b.statement(c, start=START, end=END).to_text(80.0)),  # type: ignore[arg-type]
        "width 2**70": (OverflowError, lambda b: b.statement(c, start=START, end=END).to_text(
            2**70)),
        "width 20": (creditbook.InvalidInput, lambda b: b.statement(
            c, start=START, end=END).to_text(20)),
        "mailer without send": (TypeError, lambda b: Book(settings(), mailer=object())),  # type: ignore[arg-type]
    }


WRONG_TYPES = wrong_types()


@pytest.mark.parametrize("name", WRONG_TYPES)
def test_wrong_python_types_raise_the_documented_error_and_change_nothing(name: str) -> None:
    expected, call = WRONG_TYPES[name]
    book = amounts_book()
    before = figures(book, "C-1")
    automation = book.automation
    with pytest.raises(Exception) as e:
        call(book)
    assert type(e.value) is expected, repr(e.value)
    assert figures(book, "C-1") == before and book.automation == automation


def test_an_adjustment_without_a_direction_is_refused_not_taken_as_a_debit() -> None:
    # Regression: direction=None was read as "debit": a credit meant, a debit recorded.
    book = amounts_book()
    before = figures(book, "C-1")
    with pytest.raises(TypeError, match="direction"):
        book.adjust("C-1", None, 5, reason="goodwill", at=AT, op_id="a", actor=MANAGER)  # type: ignore[arg-type]
    assert figures(book, "C-1") == before
    with pytest.raises(creditbook.InvalidInput) as e:
        book.adjust("C-1", "", 5, reason="goodwill", at=AT, op_id="a", actor=MANAGER)
    assert e.value.field == "direction"
    credit = book.adjust("C-1", "credit", 5, reason="goodwill", at=AT, op_id="a", actor=MANAGER)
    assert credit.owed_change == Decimal("-5.00")


# ---- (d) permissions ----

C1_LIMIT = Decimal("500.00")


@dataclass(frozen=True)
class Guarded:
    """An operation that needs `permission`; `setup` prepares the account, `act` does it."""

    permission: str
    act: Callable[[Book, Optional[Actor]], object]
    recorded: Optional[str]  # the kind of entry recorded when allowed (None: not an entry)
    setup: Callable[[Book], object] = lambda book: None


def clerk_or(actor: Optional[Actor]) -> Actor:
    """set_automation takes no None (TypeError): without an actor, a clerk without rights."""
    return actor if actor is not None else Actor("clerk")


GUARDED: dict[str, Guarded] = {
    "set_credit_limit": Guarded("credit_limit", lambda b, a: b.set_credit_limit(
        "C-1", Decimal("800.00"), at=AT, op_id="g", actor=a), "credit_limit_changed"),
    "set_credit_limit unlimited": Guarded("credit_limit", lambda b, a: b.set_credit_limit(
        "C-1", None, at=AT, op_id="g", actor=a), "credit_limit_changed"),
    "set_credit_limit zero": Guarded("credit_limit", lambda b, a: b.set_credit_limit(
        "C-1", 0, at=AT, op_id="g", actor=a), "credit_limit_changed"),
    "set_terms": Guarded("credit_limit", lambda b, a: b.set_terms(
        "C-1", creditbook.PaymentTerms.net(15), at=AT, op_id="g", actor=a), "terms_changed"),
    "set_terms default": Guarded("credit_limit", lambda b, a: b.set_terms(
        "C-1", None, at=AT, op_id="g", actor=a), "terms_changed"),
    "archive": Guarded("archive_account", lambda b, a: b.archive(
        "C-1", at=AT, op_id="g", actor=a), "status_changed"),
    "reactivate": Guarded("archive_account", lambda b, a: b.reactivate(
        "C-1", at=AT, op_id="g", actor=a), "status_changed",
        setup=lambda b: b.archive("C-1", at=AT, op_id="s", actor=MANAGER)),
    "reverse": Guarded("adjust_balance", lambda b, a: b.reverse(
        "C-1", 3, reason="keyed twice", at=AT, op_id="g", actor=a), "reversal"),
    "adjust debit": Guarded("adjust_balance", lambda b, a: b.adjust(
        "C-1", "debit", Decimal("5.00"), reason="fee", at=AT, op_id="g", actor=a), "adjustment"),
    "adjust credit": Guarded("adjust_balance", lambda b, a: b.adjust(
        "C-1", "credit", Decimal("5.00"), reason="goodwill", at=AT, op_id="g", actor=a),
        "adjustment"),
    "write_off": Guarded("adjust_balance", lambda b, a: b.write_off(
        "C-1", 2, Decimal("10.00"), reason="bad debt", at=AT, op_id="g", actor=a), "write_off"),
    "write_off remaining": Guarded("adjust_balance", lambda b, a: b.write_off(
        "C-1", 2, reason="bad debt", at=AT, op_id="g", actor=a), "write_off"),
    "charge over the limit with an override": Guarded("override_credit_limit", lambda b, a: b.charge(
        "C-1", Decimal("600.00"), override_reason="manager ok", at=AT, op_id="g", actor=a),
        "charge"),
    "refund to store credit": Guarded("credit_account_refund", lambda b, a: b.refund_to_credit(
        "C-1", Decimal("10.00"), sale="S-1", at=AT, op_id="g", actor=a), "refund_to_credit"),
    "receipt-less refund to store credit": Guarded(
        "credit_account_refund", lambda b, a: b.refund_to_credit(
            "C-1", Decimal("10.00"), at=AT, op_id="g", actor=a), "refund_to_credit"),
    "set_automation": Guarded("automated_ar", lambda b, a: b.set_automation(
        creditbook.Automation(reminder_days=[-3, 0, 7], statement_day=1), at=AT, op_id="g",
        actor=clerk_or(a)), None),
    "pay store credit out": Guarded("credit_account_refund", lambda b, a: b.refund_credit(
        "C-1", Decimal("5.00"), method="cash", at=AT, op_id="g", actor=a), "credit_refund",
        setup=lambda b: b.deposit("C-1", Decimal("10.00"), at=AT, op_id="dep-for-refund")),
    "open an account with credit": Guarded("credit_limit", lambda b, a: b.open_account(
        "C-2", customer_name="Jan de Vries", credit_limit=Decimal("100.00"), at=AT, op_id="g",
        actor=a), None),
}


def permissions_book() -> Book:
    """Account "C-1" (limit 500): a charge of 100 for sale S-1 (invoice 2), a deposit of 20
    (entry 3)."""
    book = Book(settings())
    book.open_account("C-1", customer_name="Marie", credit_limit=C1_LIMIT, at=AT, op_id="o", actor=creditbook.Actor("manager", ["credit_limit"]))
    book.charge("C-1", Decimal("100.00"), sale="S-1", at=AT, op_id="c")
    book.deposit("C-1", Decimal("20.00"), at=AT, op_id="d")
    return book


def state(book: Book) -> tuple[list[str], dict[str, Any], dict[str, Any], list[str]]:
    accounts = [row.account_id for row in book.accounts(DAY)]
    return (records(book, "C-1"), book.summary("C-1", DAY).to_dict(), book.automation.to_dict(),
            accounts)


def test_the_permission_cases_cover_every_permission() -> None:
    assert {g.permission for g in GUARDED.values()} == set(creditbook.PERMISSIONS)
    assert permissions_book().entries("C-1")[2].kind == "deposit"  # entry 3, reversed above


@pytest.mark.parametrize("who", ["no actor", "every other permission"])
@pytest.mark.parametrize("name", GUARDED)
def test_an_operation_without_its_permission_is_refused_and_records_nothing(
    name: str, who: str
) -> None:
    case = GUARDED[name]
    book = permissions_book()
    case.setup(book)
    actor = None if who == "no actor" else Actor(
        "emp-2", creditbook.PERMISSIONS - {case.permission})
    assert actor is None or len(actor.permissions) == len(creditbook.PERMISSIONS) - 1
    before = state(book)
    with pytest.raises(creditbook.PermissionDenied) as denied:
        case.act(book, actor)
    assert (denied.value.code, denied.value.permission) == (400, case.permission)
    assert state(book) == before
    # Refused, the operation id was not taken: the same id with the permission goes through.
    case.act(book, Actor("emp-3", [case.permission]))
    assert state(book) != before


@pytest.mark.parametrize("name", GUARDED)
def test_an_operation_with_exactly_its_permission_is_accepted(name: str) -> None:
    case = GUARDED[name]
    book = permissions_book()
    case.setup(book)
    before = state(book)
    case.act(book, Actor("emp-3", [case.permission]))
    entries = book.entries("C-1")
    if name == "open an account with credit":
        assert records(book, "C-1") == before[0]
        assert book.summary("C-2", DAY).credit_limit == Decimal("100.00")
    elif case.recorded is None:
        assert records(book, "C-1") == before[0]
        assert book.automation == creditbook.Automation(reminder_days=[-3, 0, 7],
                                                        statement_day=1)
    else:
        new = entries[len(before[0]):]
        assert [e.kind for e in new][:1] == [case.recorded], [e.kind for e in new]
        assert {e.actor for e in new} == {"emp-3"} and {e.op_id for e in new} == {"g"}
    if name == "charge over the limit with an override":
        assert entries[-1].override_reason == "manager ok"
        assert book.summary("C-1", DAY).balance_owed == Decimal("700.00")


@pytest.mark.parametrize("actor_id", ["", "emp\n1", " emp-1", MEGABYTE], ids=["empty", "LF",
                                                                            "space", "1 MB"])
def test_an_actors_id_is_an_identifier(actor_id: str) -> None:
    book = hostile_book()
    before = figures(book, "H-1")
    with pytest.raises(creditbook.InvalidInput) as e:
        book.adjust("H-1", "debit", Decimal("1.00"), reason="fee", at=AT, op_id="a1",
                    actor=Actor(actor_id, creditbook.PERMISSIONS))
    assert e.value.field == "actor id"
    assert figures(book, "H-1") == before


def test_a_due_date_past_year_9999_is_refused_before_anything_is_recorded() -> None:
    book = hostile_book()
    before = figures(book, "H-1")
    last = dt.datetime(9999, 12, 31, 17, 0, tzinfo=dt.timezone.utc)
    with pytest.raises(creditbook.InvalidInput) as e:
        book.charge("H-1", Decimal("1.00"), at=last, op_id="late")
    assert e.value.field == "due date"
    assert figures(book, "H-1") == before
