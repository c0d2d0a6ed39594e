"""Typed surface of the native module `creditbook._creditbook` (checked by mypy's stubtest)."""

import datetime
import os
import pathlib
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, Final, Optional, Union, final

from typing_extensions import deprecated, disjoint_base

from creditbook._enums import AccountStatus as AccountStatus
from creditbook._enums import Standing as Standing
from creditbook._ports import MailerPort, PaymentProviderPort, StorePort

__all__ = [
    "__version__",
    "PYTHON_PORT_FAILED",
    "PERMISSIONS",
    "StoreSettings",
    "PostalAddress",
    "PaymentTerms",
    "Actor",
    "Book",
    "SqliteStore",
    "PostgresStore",
    "Outcome",
    "Charge",
    "Payment",
    "Allocation",
    "Entry",
    "ActivityLine",
    "Customer",
    "AccountSummary",
    "OpenInvoice",
    "Aging",
    "AgingBucket",
    "Statement",
    "StatementLine",
    "Message",
    "Attachment",
    "PaymentLinkRequest",
    "PaymentLink",
    "PaymentLinkShown",
    "Sent",
    "SendResult",
    "Confirmed",
    "ReminderDue",
    "Automation",
    "CreditbookError",
    "InternalError",
    "InvalidInput",
    "InvalidAmount",
    "CurrencyMismatch",
    "UnknownCurrency",
    "InvalidEmail",
    "UnknownTimeZone",
    "InvalidDateRange",
    "LanguageNotOffered",
    "InvalidStatementRequest",
    "UnknownAccount",
    "AccountExists",
    "AccountOnHold",
    "AccountArchived",
    "UnknownEntry",
    "UnknownInvoice",
    "InvoiceNotOpen",
    "InvalidState",
    "CreditLimitExceeded",
    "InsufficientCredit",
    "OverdueCreditHold",
    "RefundExceedsSale",
    "RefundsToCreditDisabled",
    "ReceiptRequired",
    "ApplyExceedsBalanceOwed",
    "AlreadyReversed",
    "NotReversible",
    "WriteOffExceedsInvoice",
    "MissingRecipient",
    "HeaderInjection",
    "PaymentLinkAmountOutOfRange",
    "UnknownPaymentLink",
    "PaymentAmountMismatch",
    "DeliveryError",
    "PaymentProviderError",
    "PortMissing",
    "PermissionDenied",
    "OperationIdConflict",
    "StorageError",
    "StoreContention",
    "CorruptRecord",
    "UnsupportedSchema",
    "AmountNotPositive",
    "AmountNegative",
    "TooManyDecimals",
    "InvalidAmountText",
    "Overflow",
    "DeliveryFailed",
    "PaymentProviderFailed",
    "StoreFailed",
    "Conflict",
    "Standing",
    "AccountStatus",
    "check_store",
    "print_run",
    "_localize_error",
    "_CoreError",
]

__version__: Final[str]
PYTHON_PORT_FAILED: Final[int]
PERMISSIONS: Final[frozenset[str]]
"""The permission names an `Actor` can be granted."""
"""`StorageError.host_code` when a Python store port raised."""

_Amount = Union[Decimal, int]
"""Money: a `decimal.Decimal` or an `int`, both exact (float, bool and str raise TypeError)."""

# ---------------------------------------------------------------------------------------------
# Inputs

@final
class PostalAddress:
    """A postal address; every part is optional."""

    def __new__(
        cls,
        *,
        lines: Sequence[str] = (),
        city: str = "",
        region: str = "",
        postal_code: str = "",
        country: str = "",
    ) -> PostalAddress: ...
    @property
    def lines(self) -> tuple[str, ...]: ...
    @property
    def city(self) -> str: ...
    @property
    def region(self) -> str: ...
    @property
    def postal_code(self) -> str: ...
    @property
    def country(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class PaymentTerms:
    """When an invoice falls due, counted from its store-local invoice date."""

    @staticmethod
    def due_on_receipt() -> PaymentTerms: ...
    @staticmethod
    def net(days: int) -> PaymentTerms: ...
    @staticmethod
    def end_of_month_plus(days: int) -> PaymentTerms: ...
    @property
    def kind(self) -> str:
        """`"due_on_receipt"`, `"net"` or `"end_of_month_plus"`."""
    @property
    def days(self) -> Optional[int]: ...
    def due_date(self, invoice_date: datetime.date) -> datetime.date: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __hash__(self) -> int: ...

@final
class Actor:
    """Who acts and the permissions the host's role system grants them for this call.

    Permissions: credit_limit, credit_account_refund, override_credit_limit, adjust_balance,
    automated_ar, archive_account (an unknown name raises InvalidInput).
    """

    def __new__(cls, id: str, permissions: Optional[Iterable[str]] = None) -> Actor: ...
    @property
    def id(self) -> str: ...
    @property
    def permissions(self) -> frozenset[str]: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class StoreSettings:
    """One store's settings; every setting but the first three has the core's default.

    `languages`: the languages the store prints in (default: all five, en fr es de nl);
    `language`: the store's own (default: English when offered, else the first of `languages`).
    Settings that do not validate raise InvalidInput (or UnknownCurrency, UnknownTimeZone).
    """

    def __new__(
        cls,
        name: str,
        currency: str,
        timezone: str,
        *,
        address: Optional[PostalAddress] = None,
        default_terms: Optional[PaymentTerms] = None,
        over_limit_tolerance_percent: Optional[_Amount] = None,
        overdue_hold_days: Optional[int] = None,
        refunds_to_credit: bool = True,
        receipt_less_refunds: bool = True,
        auto_apply_credit: bool = False,
        aging_buckets: Optional[Sequence[int]] = None,
        days_till_due: Optional[int] = None,
        percent_due: Optional[_Amount] = None,
        display_credit_limit: bool = False,
        cheques_payable_to: str = "",
        remittance_address: Optional[PostalAddress] = None,
        header_text: str = "",
        languages: Optional[Sequence[str]] = None,
        language: Optional[str] = None,
        country: Optional[str] = None,
        currency_display: str = "symbol",
        from_: Optional[str] = None,
        notices_to: Optional[str] = None,
        attach_ubl: bool = False,
        attach_pdf: bool = False,
        attach_html: bool = True,
        payment_link_max: Optional[_Amount] = None,
        include_payment_link: bool = True,
        payment_link_days: Optional[int] = None,
        deposit_request_days: Optional[int] = None,
        default_credit_limit: Optional[_Amount] = ...,
    ) -> StoreSettings: ...
    @property
    def name(self) -> str: ...
    @property
    def currency(self) -> str: ...
    @property
    def timezone(self) -> str: ...
    @property
    def address(self) -> PostalAddress: ...
    @property
    def default_terms(self) -> PaymentTerms: ...
    @property
    def over_limit_tolerance_percent(self) -> Decimal: ...
    @property
    def overdue_hold_days(self) -> Optional[int]: ...
    @property
    def refunds_to_credit(self) -> bool: ...
    @property
    def receipt_less_refunds(self) -> bool: ...
    @property
    def auto_apply_credit(self) -> bool: ...
    @property
    def aging_buckets(self) -> tuple[int, ...]: ...
    @property
    def days_till_due(self) -> int: ...
    @property
    def percent_due(self) -> Decimal: ...
    @property
    def display_credit_limit(self) -> bool: ...
    @property
    def cheques_payable_to(self) -> str: ...
    @property
    def remittance_address(self) -> Optional[PostalAddress]: ...
    @property
    def header_text(self) -> str: ...
    @property
    def languages(self) -> tuple[str, ...]: ...
    @property
    def language(self) -> str: ...
    @property
    def country(self) -> Optional[str]: ...
    @property
    def currency_display(self) -> str:
        """`"symbol"` or `"iso_code"`."""
    @property
    def from_(self) -> Optional[str]:
        """The store's email address: the messages' sender and reply address."""
    @property
    def notices_to(self) -> Optional[str]:
        """Where payment notices to the store go (`None`: `from_`)."""
    @property
    def attach_ubl(self) -> bool: ...
    @property
    def attach_pdf(self) -> bool: ...
    @property
    def attach_html(self) -> bool: ...
    @property
    def payment_link_max(self) -> Decimal:
        """The most one payment link may ask (default 100000)."""
    @property
    def include_payment_link(self) -> bool: ...
    @property
    def payment_link_days(self) -> int:
        """Days a statement's payment link stays valid (default 30)."""
    @property
    def deposit_request_days(self) -> int:
        """Days a deposit request stays valid (default 14)."""
    @property
    def default_credit_limit(self) -> Optional[Decimal]:
        """The limit of an account opened without one (`None`: unlimited; default 0)."""
    def to_dict(self) -> dict[str, Any]: ...

# ---------------------------------------------------------------------------------------------
# Results (read-only)

@final
class Allocation:
    """Part of an amount put toward one invoice."""

    @property
    def invoice(self) -> int: ...
    @property
    def amount(self) -> Decimal: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class Customer:
    """The customer an account belongs to."""

    @property
    def id(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def email(self) -> Optional[str]: ...
    @property
    def language(self) -> Optional[str]: ...
    @property
    def address(self) -> PostalAddress: ...
    def to_dict(self) -> dict[str, Any]: ...

@disjoint_base
class Entry:
    """One immutable ledger entry."""

    @staticmethod
    def from_record(record: str) -> Entry:
        """Reads a persisted record (the JSON line of `to_record()`)."""
    def to_record(self) -> str:
        """The persisted record: one line of versioned JSON, amounts as decimal strings."""
    @property
    def seq(self) -> int: ...
    @property
    def op_id(self) -> str: ...
    @property
    def at(self) -> datetime.datetime: ...
    @property
    def date(self) -> datetime.date: ...
    @property
    def actor(self) -> Optional[str]: ...
    @property
    def kind(self) -> str:
        """account_opened, contact_changed, credit_limit_changed, terms_changed, status_changed,
        charge, payment, deposit, credit_tender, credit_applied, refund_to_credit, credit_refund,
        adjustment, write_off or reversal."""
    @property
    def amount(self) -> Optional[Decimal]: ...
    @property
    def reference(self) -> Optional[str]: ...
    @property
    def sale(self) -> Optional[str]: ...
    @property
    def due_date(self) -> Optional[datetime.date]: ...
    @property
    def invoice(self) -> Optional[int]: ...
    @property
    def reverses(self) -> Optional[int]: ...
    @property
    def override_reason(self) -> Optional[str]: ...
    @property
    def receipt_less(self) -> bool: ...
    @property
    def invoice_number(self) -> Optional[str]:
        """The host's own invoice number given at charge time."""
    @property
    def unusual(self) -> tuple[str, ...]:
        """What was unusual about a payment confirmed online (`"amount_differs"`,
        `"link_expired"`, `"link_cancelled"`, `"link_already_paid"`, `"link_unknown"`)."""
    @property
    def allocations(self) -> list[Allocation]: ...
    @property
    def owed_change(self) -> Decimal: ...
    @property
    def credit_change(self) -> Decimal: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class ActivityLine(Entry):
    """An entry of an account's activity, with the balances right after it."""

    @property
    def owed_after(self) -> Decimal: ...
    @property
    def credit_after(self) -> Decimal: ...
    @property
    def link_status(self) -> Optional[str]:
        """For a payment link: `"pending"`, `"paid"`, `"cancelled"` or `"expired"` at the end
        of the activity's last day; `None` for any other entry."""

@disjoint_base
class Outcome:
    """What an operation recorded (or, when `replayed`, had recorded the first time)."""

    @property
    def account(self) -> str: ...
    @property
    def replayed(self) -> bool: ...
    @property
    def entries(self) -> list[Entry]: ...
    @property
    def entry(self) -> Entry: ...
    @property
    def allocations(self) -> list[Allocation]: ...
    @property
    def owed_change(self) -> Decimal: ...
    @property
    def credit_change(self) -> Decimal: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class Charge(Outcome):
    """A charge's outcome: the invoice it opened."""

    @property
    def invoice_id(self) -> int: ...
    @property
    def due_date(self) -> datetime.date: ...
    @property
    def amount(self) -> Decimal: ...

@final
class Payment(Outcome):
    """A payment's outcome: its allocations and the store credit kept from any excess."""

    @property
    def amount(self) -> Decimal: ...
    @property
    def credit(self) -> Decimal: ...

@final
class AccountSummary:
    """An account's figures on a date."""

    @property
    def account_id(self) -> str: ...
    @property
    def customer(self) -> Customer: ...
    @property
    def customer_name(self) -> str: ...
    @property
    @deprecated("use .standing")
    def status(self) -> Standing:
        """The old name of `standing` (a `DeprecationWarning`)."""
    @property
    def standing(self) -> Standing:
        """Equal to "settled", "outstanding" or "overdue"."""
    @property
    def account_status(self) -> AccountStatus:
        """Equal to "active", "on_hold" or "archived"."""
    @property
    def currency(self) -> str: ...
    @property
    def credit_limit(self) -> Optional[Decimal]:
        """`None` when unlimited."""
    @property
    def balance_owed(self) -> Decimal: ...
    @property
    def credit_balance(self) -> Decimal: ...
    @property
    def available(self) -> Optional[Decimal]:
        """Limit less balance owed, never below 0; `None` when unlimited."""
    @property
    def overdue(self) -> Decimal: ...
    @property
    def open_invoices(self) -> int:
        """The number of open invoices."""
    @property
    def as_of(self) -> datetime.date: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class OpenInvoice:
    """An open invoice on a date."""

    @property
    def id(self) -> int: ...
    @property
    def sale(self) -> Optional[str]: ...
    @property
    def date(self) -> datetime.date: ...
    @property
    def due_date(self) -> datetime.date: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def remaining(self) -> Decimal: ...
    @property
    def days_past_due(self) -> int: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class AgingBucket:
    """One aging bucket."""

    @property
    def label(self) -> str:
        """`current`, `1-30`, ..., `over 90`."""
    @property
    def min_days(self) -> Optional[int]: ...
    @property
    def max_days(self) -> Optional[int]: ...
    @property
    def amount(self) -> Decimal: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class Aging:
    """The balance owed by days past due; the buckets sum to the balance owed."""

    @property
    def as_of(self) -> datetime.date: ...
    @property
    def buckets(self) -> list[AgingBucket]: ...
    @property
    def amounts(self) -> dict[str, Decimal]: ...
    @property
    def total(self) -> Decimal: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class StatementLine:
    """One line of a statement: an entry of the period with its effect and running balances."""

    @property
    def seq(self) -> int: ...
    @property
    def date(self) -> datetime.date: ...
    @property
    def kind(self) -> str: ...
    @property
    def reference(self) -> Optional[str]: ...
    @property
    def receipt_less(self) -> bool: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def charge(self) -> Decimal: ...
    @property
    def credit(self) -> Decimal: ...
    @property
    def balance(self) -> Decimal: ...
    @property
    def credit_change(self) -> Decimal: ...
    @property
    def credit_balance(self) -> Decimal: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class Statement:
    """A statement of account; every rendering comes from this one value."""

    def to_html(self) -> str: ...
    def to_text(self, width: int = 80) -> str:
        """Plain text `width` columns wide (32 to 160)."""
    def to_ubl_xml(self) -> str: ...
    def to_json(self) -> str: ...
    def to_pdf(self, paper: Optional[str] = None, embed_ubl: bool = True) -> bytes:
        """A PDF/A-3 document on `paper` ("a4", "letter"; None: the store's), the UBL inside."""
    @property
    def number(self) -> str: ...
    @property
    def account_id(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def locale(self) -> str: ...
    @property
    def currency(self) -> str: ...
    @property
    def customer(self) -> Customer: ...
    @property
    def statement_date(self) -> datetime.date: ...
    @property
    def start(self) -> datetime.date: ...
    @property
    def end(self) -> datetime.date: ...
    @property
    def opening_balance(self) -> Decimal: ...
    @property
    def opening_credit_balance(self) -> Decimal: ...
    @property
    def total_charges(self) -> Decimal: ...
    @property
    def total_credits(self) -> Decimal: ...
    @property
    def closing_balance(self) -> Decimal: ...
    @property
    def credit_balance(self) -> Decimal: ...
    @property
    def amount_due(self) -> Decimal: ...
    @property
    def due_date(self) -> datetime.date: ...
    @property
    def due_upon_receipt(self) -> bool: ...
    @property
    def credit_limit(self) -> Optional[Decimal]: ...
    @property
    def aging(self) -> dict[str, Decimal]:
        """Bucket label to amount, current first."""
    @property
    def lines(self) -> list[StatementLine]: ...
    @property
    def open_invoices(self) -> list[OpenInvoice]: ...
    @property
    def payment_link(self) -> Optional[PaymentLinkShown]:
        """The "Pay online" link the statement shows (in `to_html()`, `to_text()`, UBL)."""
    @property
    def payment_link_omitted(self) -> Optional[Decimal]:
        """The store's cap, when the amount due is above it and the statement has no link."""
    def with_payment_link(self, link: PaymentLink) -> Statement:
        """The same statement showing `link` (one of its account's) as its "Pay online" link."""
    def to_dict(self) -> dict[str, Any]: ...


# ---------------------------------------------------------------------------------------------
# Messages, payment links, online payments, reminders

@final
class Attachment:
    """A file attached to a message."""

    @property
    def filename(self) -> str: ...
    @property
    def content_type(self) -> str:
        """Its MIME type, e.g. `text/html; charset=utf-8`."""
    @property
    def content(self) -> bytes: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class Message:
    """A complete message to review, then `Book.send()`: recipients, subject, text and HTML
    bodies in the customer's language, attachments. Made by the Book's `compose_*` methods."""

    @property
    def id(self) -> str:
        """Sending the same id again after a delivery sends nothing."""
    @property
    def kind(self) -> str:
        """`"statement"`, `"invoice"`, `"receipt"`, `"store_notice"` or `"reminder"`."""
    @property
    def account(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def from_(self) -> Optional[str]: ...
    @property
    def to(self) -> list[str]: ...
    @property
    def subject(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def html(self) -> str: ...
    @property
    def attachments(self) -> list[Attachment]: ...
    @property
    def reminder(self) -> Optional[tuple[int, int]]:
        """For a reminder: `(invoice, level)`."""
    def to_bytes(self, date: Optional[datetime.datetime] = None) -> bytes:
        """The RFC 5322 / MIME bytes that will be sent, dated `date` (aware; now when `None`)."""
    def to_dict(self) -> dict[str, Any]: ...

@final
class PaymentLinkRequest:
    """What the payment provider's `create_link(request)` is asked to make a URL for."""

    @property
    def account(self) -> str: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def currency(self) -> str: ...
    @property
    def reference(self) -> str:
        """Reported back with the payment (`link=` of `Book.confirm_online_payment`)."""
    @property
    def purpose(self) -> str:
        """`"balance"` or `"deposit"`."""
    @property
    def statement_number(self) -> Optional[str]: ...
    @property
    def sale(self) -> Optional[str]: ...
    @property
    def expires_at(self) -> datetime.datetime: ...
    @property
    def customer_name(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class PaymentLink:
    """A payment link as the Book made and recorded it."""

    @property
    def account(self) -> str: ...
    @property
    def url(self) -> str: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def reference(self) -> str:
        """`<account>-<operation id>`: give it as `link=` to `Book.confirm_online_payment`."""
    @property
    def expires_at(self) -> datetime.datetime: ...
    @property
    def purpose(self) -> str:
        """`"balance"` or `"deposit"`."""
    @property
    def statement_number(self) -> Optional[str]:
        """For a balance link: the statement number (or the reference given)."""
    @property
    def sale(self) -> Optional[str]:
        """For a deposit request: the sale."""
    @property
    def replayed(self) -> bool:
        """The operation id had made this link before: the provider was not called again."""
    @property
    def status(self) -> Optional[str]:
        """`"pending"`, `"paid"`, `"cancelled"` or `"expired"` when read with
        `Book.payment_links`; `None` on a link `Book.payment_link` returns."""
    def to_dict(self) -> dict[str, Any]: ...

@final
class PaymentLinkShown:
    """The "Pay online" link a statement shows."""

    @property
    def url(self) -> str: ...
    @property
    def amount(self) -> Decimal: ...
    @property
    def expires_at(self) -> Optional[datetime.datetime]: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class Sent:
    """What sending a message did."""

    @property
    def delivery_id(self) -> str:
        """The mailer's delivery id."""
    @property
    def already_delivered(self) -> bool:
        """Delivered before: nothing was sent this time."""
    def to_dict(self) -> dict[str, Any]: ...

@final
class SendResult:
    """How sending a message the Book composed itself went: `sent`, or `error` (the exception
    it would have raised: `DeliveryError` with the mailer's exception as `__cause__`,
    `MissingRecipient`...)."""

    @property
    def message(self) -> Optional[Message]: ...
    @property
    def sent(self) -> Optional[Sent]: ...
    @property
    def error(self) -> Optional[CreditbookError]: ...
    @property
    def ok(self) -> bool: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class Confirmed:
    """What confirming an online payment did: the payment recorded and how the receipt to the
    customer and the notice to the store went (`None` on a replay, without a mailer, or
    without an address)."""

    @property
    def outcome(self) -> Payment: ...
    @property
    def receipt(self) -> Optional[SendResult]: ...
    @property
    def notice(self) -> Optional[SendResult]: ...
    @property
    def replayed(self) -> bool: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class ReminderDue:
    """A reminder due on a day, composed (`message`), or why it cannot be (`error`)."""

    @property
    def account(self) -> str: ...
    @property
    def invoice(self) -> int: ...
    @property
    def level(self) -> int:
        """Its place in the store's reminder days (0 = the first)."""
    @property
    def days_from_due(self) -> int:
        """Days from the due date (negative: before it)."""
    @property
    def message(self) -> Optional[Message]: ...
    @property
    def error(self) -> Optional[CreditbookError]: ...
    def to_dict(self) -> dict[str, Any]: ...

@final
class Automation:
    """Reminder days relative to due dates (at most 12, strictly increasing, within a year;
    empty: no reminders) and the day of the month (1 to 28) last month's statements are due
    (`None`: no schedule). Invalid days raise InvalidInput."""

    def __new__(
        cls, *, reminder_days: Sequence[int] = (), statement_day: Optional[int] = None
    ) -> Automation: ...
    @property
    def reminder_days(self) -> tuple[int, ...]: ...
    @property
    def statement_day(self) -> Optional[int]: ...
    def to_dict(self) -> dict[str, Any]: ...

# ---------------------------------------------------------------------------------------------
# The SQLite store

@final
class SqliteStore:
    """A creditbook store in one SQLite file: `Book(settings, store=SqliteStore(path))`. Safe to
    share between Books and threads; several processes may open the same file (on one machine).
    Its calls run in Rust with the GIL released."""

    def __new__(
        cls,
        path: Union[str, os.PathLike[str]],
        *,
        synchronous: str = "full",
        busy_timeout: float = 5.0,
    ) -> SqliteStore:
        """Opens (creating it when missing) the store in the file at `path`, in WAL mode.
        `synchronous`: `"full"` (an acknowledged operation survives a power loss) or `"normal"`
        (survives the process being killed; the last operations before a power loss or an OS
        crash may be missing). `busy_timeout`: seconds a call waits for another process's write.
        A file that is not a creditbook database, of a newer schema or read-only raises
        `StorageError` (`host_code` 26, 17 or 8; SQLite's code otherwise), untouched."""
        ...
    @property
    def path(self) -> pathlib.Path:
        """The file the store is in."""
        ...
    def backup_to(self, target: Union[str, os.PathLike[str]]) -> None:
        """Writes a consistent copy to `target`, a new file, while Books keep writing."""
        ...
    def checkpoint(self) -> None:
        """Moves the write-ahead log into the database file and truncates it."""
        ...

# ---------------------------------------------------------------------------------------------
# The PostgreSQL store

@final
class PostgresStore:
    """A creditbook store in a PostgreSQL database: `Book(settings, store=PostgresStore(dsn))`.
    Safe to share between Books and threads (one pool of connections); many processes on many
    machines may use the same database. Its calls run in Rust with the GIL released."""

    def __new__(
        cls,
        dsn: str,
        *,
        pool_size: int = 4,
        schema: Optional[str] = None,
        table_prefix: Optional[str] = None,
    ) -> PostgresStore:
        """Connects to `dsn` (`"host=/run/postgresql user=till dbname=shop"` or
        `"postgresql://till@db/shop"`), creating or migrating the schema. `pool_size`:
        connections kept at most; `schema` (default `public`) and `table_prefix` (default
        `creditbook_`): where the tables are. A malformed DSN or bad names, a newer schema,
        tables that are not creditbook's, or a server that cannot be reached or refuses raise
        `StorageError` (`host_code` -6, -4, -5, or the SQLSTATE as a number), the database left
        untouched; the message never holds the password."""
        ...
    @property
    def entries_table(self) -> str:
        """The entries table, qualified and quoted (`"public"."creditbook_entries"`)."""
        ...
    def entry_count(self) -> int:
        """The number of entries held, over all accounts."""
        ...

# ---------------------------------------------------------------------------------------------
# The Book

@final
class Book:
    """One store's customer accounts, on the embedded in-memory store or on `store`: a
    `SqliteStore`, or a Python object with `load`, `append` and `account_ids` (see
    `creditbook.StorePort`); `mailer` and
    `payments` are the host's mailer and payment provider (`creditbook.MailerPort`,
    `creditbook.PaymentProviderPort`). Safe to share between threads; every call releases the
    GIL while the core works."""

    def __new__(
        cls,
        settings: StoreSettings,
        *,
        store: Union[SqliteStore, PostgresStore, StorePort, None] = None,
        mailer: Optional[MailerPort] = None,
        payments: Optional[PaymentProviderPort] = None,
    ) -> Book: ...
    @property
    def settings(self) -> StoreSettings: ...
    @property
    def store(self) -> Union[SqliteStore, PostgresStore, StorePort, None]: ...
    @property
    def mailer(self) -> Optional[MailerPort]: ...
    @property
    def payments(self) -> Optional[PaymentProviderPort]: ...
    def open_account(
        self,
        account: str,
        *,
        customer_name: str,
        at: datetime.datetime,
        op_id: str,
        customer_id: Optional[str] = None,
        email: Optional[str] = None,
        language: Optional[str] = None,
        address: Optional[PostalAddress] = None,
        credit_limit: Optional[_Amount] = ...,
        terms: Optional[PaymentTerms] = None,
        actor: Optional[Actor] = None,
    ) -> Outcome:
        """Opens an account. `credit_limit` omitted: the store's default limit (no permission
        needed); `None`: unlimited; `0`: no credit (deposits only). Any limit but 0 needs an
        `actor` granted `credit_limit`."""
    def update_contact(
        self,
        account: str,
        *,
        customer_name: str,
        at: datetime.datetime,
        op_id: str,
        customer_id: Optional[str] = None,
        email: Optional[str] = None,
        language: Optional[str] = None,
        address: Optional[PostalAddress] = None,
        actor: Optional[Actor] = None,
    ) -> Outcome: ...
    def set_credit_limit(
        self,
        account: str,
        limit: Optional[_Amount],
        *,
        at: datetime.datetime,
        op_id: str,
        actor: Optional[Actor] = None,
    ) -> Outcome: ...
    def set_terms(
        self,
        account: str,
        terms: Optional[PaymentTerms],
        *,
        at: datetime.datetime,
        op_id: str,
        actor: Optional[Actor] = None,
    ) -> Outcome: ...
    def hold(
        self,
        account: str,
        *,
        at: datetime.datetime,
        op_id: str,
        reason: Optional[str] = None,
        actor: Optional[Actor] = None,
    ) -> Outcome: ...
    def release(
        self, account: str, *, at: datetime.datetime, op_id: str, actor: Optional[Actor] = None
    ) -> Outcome: ...
    def archive(
        self, account: str, *, at: datetime.datetime, op_id: str, actor: Optional[Actor] = None
    ) -> Outcome: ...
    def reactivate(
        self, account: str, *, at: datetime.datetime, op_id: str, actor: Optional[Actor] = None
    ) -> Outcome: ...
    def charge(
        self,
        account: str,
        amount: _Amount,
        *,
        at: datetime.datetime,
        op_id: str,
        sale: Optional[str] = None,
        due_date: Optional[datetime.date] = None,
        override_reason: Optional[str] = None,
        actor: Optional[Actor] = None,
        invoice_number: Optional[str] = None,
    ) -> Charge: ...
    def max_charge(
        self, account: str, sale_due: _Amount, *, at: Optional[datetime.datetime] = None
    ) -> Decimal: ...
    def pay(
        self,
        account: str,
        amount: _Amount,
        *,
        at: datetime.datetime,
        op_id: str,
        invoices: Optional[Iterable[int]] = None,
        reference: Optional[str] = None,
        actor: Optional[Actor] = None,
    ) -> Payment: ...
    def deposit(
        self,
        account: str,
        amount: _Amount,
        *,
        at: datetime.datetime,
        op_id: str,
        reference: Optional[str] = None,
        actor: Optional[Actor] = None,
    ) -> Outcome: ...
    def use_credit(
        self,
        account: str,
        amount: _Amount,
        *,
        at: datetime.datetime,
        op_id: str,
        sale: Optional[str] = None,
        actor: Optional[Actor] = None,
    ) -> Outcome: ...
    def apply_credit(
        self,
        account: str,
        amount: _Amount,
        *,
        at: datetime.datetime,
        op_id: str,
        invoices: Optional[Iterable[int]] = None,
        actor: Optional[Actor] = None,
    ) -> Outcome: ...
    def refund_to_credit(
        self,
        account: str,
        amount: _Amount,
        *,
        at: datetime.datetime,
        op_id: str,
        sale: Optional[str] = None,
        sale_total: Optional[_Amount] = None,
        actor: Optional[Actor] = None,
    ) -> Outcome: ...
    def refund_credit(
        self,
        account: str,
        amount: _Amount,
        *,
        at: datetime.datetime,
        op_id: str,
        method: Optional[str] = None,
        actor: Optional[Actor] = None,
    ) -> Outcome: ...
    def reverse(
        self,
        account: str,
        entry: int,
        *,
        reason: str,
        at: datetime.datetime,
        op_id: str,
        actor: Optional[Actor] = None,
    ) -> Outcome: ...
    def adjust(
        self,
        account: str,
        direction: str,
        amount: _Amount,
        *,
        reason: str,
        at: datetime.datetime,
        op_id: str,
        actor: Optional[Actor] = None,
    ) -> Outcome:
        """`direction`: "debit" (more owed) or "credit" (less owed)."""
    def write_off(
        self,
        account: str,
        invoice: int,
        amount: Optional[_Amount] = None,
        *,
        reason: str,
        at: datetime.datetime,
        op_id: str,
        actor: Optional[Actor] = None,
    ) -> Outcome: ...
    def summary(self, account: str, as_of: Optional[datetime.date] = None) -> AccountSummary: ...
    def accounts(
        self,
        as_of: Optional[datetime.date] = None,
        *,
        standing: Optional[str] = None,
        account_status: Optional[str] = None,
        search: Optional[str] = None,
        sort: Optional[str] = None,
        descending: bool = False,
        status: Optional[str] = None,
    ) -> list[AccountSummary]:
        """`standing`: settled, outstanding or overdue; `account_status`: active, on_hold or
        archived; `sort`: account_id (default), customer_name, balance_owed, overdue,
        credit_balance, credit_limit or available. `status` is the deprecated name of
        `standing`."""
    def activity(
        self,
        account: str,
        *,
        start: datetime.date,
        end: datetime.date,
        kinds: Optional[Iterable[str]] = None,
    ) -> list[ActivityLine]: ...
    def entries(self, account: str) -> list[Entry]: ...
    def open_invoices(
        self, account: str, as_of: Optional[datetime.date] = None
    ) -> list[OpenInvoice]: ...
    def aging(self, account: str, as_of: Optional[datetime.date] = None) -> Aging: ...
    def statement(
        self,
        account: str,
        *,
        start: datetime.date,
        end: datetime.date,
        statement_date: Optional[datetime.date] = None,
        due_date: Optional[datetime.date] = None,
        amount_due: Optional[_Amount] = None,
        language: Optional[str] = None,
        number: Optional[str] = None,
    ) -> Statement: ...
    def payment_link(
        self,
        account: str,
        amount: _Amount,
        *,
        at: datetime.datetime,
        statement: Optional[Statement] = None,
        sale: Optional[str] = None,
        reference: Optional[str] = None,
        op_id: Optional[str] = None,
        actor: Optional[Actor] = None,
    ) -> PaymentLink:
        """A payment link made by the provider and recorded: exactly one of `statement=` (what
        is owed; show it with `statement.with_payment_link(link)`), `reference=` (what is owed,
        another reference) or `sale=` (a deposit request). `op_id` defaults to
        `link-<statement number or reference>-<amount>` or `deposit-<sale>-<amount>`: asking
        again replays the link without calling the provider. Refused amounts raise
        PaymentLinkAmountOutOfRange (`.min`, `.max`, `.requested`); no provider: PortMissing."""
    def statement_with_link(
        self,
        account: str,
        *,
        start: datetime.date,
        end: datetime.date,
        at: datetime.datetime,
        op_id: str,
        with_link: Optional[bool] = None,
        statement_date: Optional[datetime.date] = None,
        due_date: Optional[datetime.date] = None,
        amount_due: Optional[_Amount] = None,
        language: Optional[str] = None,
        number: Optional[str] = None,
        actor: Optional[Actor] = None,
    ) -> Statement:
        """A statement with a "Pay online" link for its amount due (at most what is owed now),
        made under `op_id`; by default when the store includes links and the Book has a
        provider. Above the store's cap: no link, `payment_link_omitted` says why."""
    def compose_statement_email(self, statement: Statement, to: Optional[str] = None) -> Message:
        """The statement's email (statement attached); `to`: else the customer's email on file
        (none: MissingRecipient; invalid: InvalidEmail; a line break: HeaderInjection)."""
    def compose_invoice_email(
        self, account: str, invoice: int, to: Optional[str] = None
    ) -> Message: ...
    def send(self, message: Message, *, at: Optional[datetime.datetime] = None) -> Sent:
        """Sends through the mailer and records it on the account; never twice once delivered.
        The mailer failing raises DeliveryError (recorded; sending again retries)."""
    def confirm_online_payment(
        self,
        account: str,
        *,
        provider_payment_id: str,
        amount: _Amount,
        at: datetime.datetime,
        link: Optional[str] = None,
    ) -> Confirmed:
        """Records a payment the provider reports, once per `provider_payment_id`, then sends
        the receipt and the store notice. `link`: the link's reference (`None`: paid through
        the portal without a link)."""
    def reminders_due(self, day: Optional[datetime.date] = None) -> list[ReminderDue]: ...
    def send_reminders(
        self, day: Optional[datetime.date] = None, *, at: Optional[datetime.datetime] = None
    ) -> list[tuple[ReminderDue, SendResult]]: ...
    def statements_due(
        self, day: Optional[datetime.date] = None, *, at: Optional[datetime.datetime] = None
    ) -> list[Statement]:
        """On the store's statement day, last month's statements (with links); else none."""
    @property
    def automation(self) -> Automation: ...
    def set_automation(
        self, automation: Automation, *, at: datetime.datetime, op_id: str, actor: Actor
    ) -> None:
        """Needs the `automated_ar` permission; recorded in the store (who, when, old, new), so
        every Book on the store follows it."""
    def payment_links(self, account: str, *, at: datetime.datetime) -> list[PaymentLink]:
        """The account's payment links as they stand at `at`, each with its `status`."""

# ---------------------------------------------------------------------------------------------
# Exceptions: `.code` is the core's stable error number (the C API's result code)

class CreditbookError(Exception):
    code: int
    message: str
    def localized(self, language: str) -> str:
        """The message in one of the store's languages (`"fr"`), amounts as its statements
        print them; `str(error)` stays English, for logs."""

class InternalError(CreditbookError):
    """A Rust panic inside creditbook, caught at the boundary (`.code` is 0)."""

class InvalidInput(CreditbookError):
    field: str
    reason: str

class InvalidAmount(InvalidInput):
    """The family of amount errors: each is raised as its own subclass below."""

    amount: Decimal
    currency: str
    allowed: int
    text: str

class AmountNotPositive(InvalidAmount):
    """Code 100: an amount that must be positive is zero or negative (`.amount`)."""

class AmountNegative(InvalidAmount):
    """Code 101: an amount that must not be negative is negative (`.amount`)."""

class TooManyDecimals(InvalidAmount):
    """Code 102: more decimals than the currency allows (`.amount`, `.currency`, `.allowed`)."""

class InvalidAmountText(InvalidAmount):
    """Code 105: text that cannot be read as a decimal amount (`.text`)."""

class Overflow(InvalidAmount):
    """Code 106: a sum or product that does not fit."""

class CurrencyMismatch(InvalidInput):
    expected: str
    got: str

class UnknownCurrency(InvalidInput):
    currency: str

class InvalidEmail(InvalidInput):
    address: str

class UnknownTimeZone(InvalidInput):
    name: str

class InvalidDateRange(InvalidInput):
    start: datetime.date
    end: datetime.date

class LanguageNotOffered(InvalidInput):
    language: str
    offered: list[str]

class InvalidStatementRequest(InvalidInput): ...

class MissingRecipient(InvalidInput): ...

class HeaderInjection(InvalidInput):
    field: str

class UnknownAccount(CreditbookError):
    account: str

class AccountExists(CreditbookError):
    account: str

class AccountOnHold(CreditbookError):
    account: str

class AccountArchived(CreditbookError):
    account: str

class UnknownEntry(CreditbookError):
    entry: int

class UnknownInvoice(CreditbookError):
    invoice: int

class InvoiceNotOpen(CreditbookError):
    invoice: int

class InvalidState(CreditbookError):
    reason: str

class CreditLimitExceeded(CreditbookError):
    available: Decimal
    requested: Decimal

class InsufficientCredit(CreditbookError):
    available: Decimal
    requested: Decimal

class OverdueCreditHold(CreditbookError):
    invoice: int
    days_overdue: int
    allowed_days: int

class RefundExceedsSale(CreditbookError):
    refundable: Decimal
    requested: Decimal

class RefundsToCreditDisabled(CreditbookError): ...
class ReceiptRequired(CreditbookError): ...

class ApplyExceedsBalanceOwed(CreditbookError):
    owed: Decimal
    requested: Decimal

class AlreadyReversed(CreditbookError):
    entry: int

class NotReversible(CreditbookError):
    entry: int
    reason: str

class WriteOffExceedsInvoice(CreditbookError):
    remaining: Decimal
    requested: Decimal

class PaymentLinkAmountOutOfRange(CreditbookError):
    min: Decimal
    max: Decimal
    requested: Decimal

class UnknownPaymentLink(CreditbookError):
    reference: str

class PaymentAmountMismatch(CreditbookError):
    expected: Decimal
    paid: Decimal

class DeliveryError(CreditbookError):
    """The host's mailer failed (code 604): the failed attempt is recorded on the account and
    sending the message again retries it. A Python mailer's exception is the `__cause__`."""

    host_code: int
    host_message: str

class PaymentProviderError(CreditbookError):
    """The host's payment provider failed (code 605); nothing was recorded. A Python
    provider's exception is the `__cause__`."""

    host_code: int
    host_message: str

class DeliveryFailed(DeliveryError):
    """Code 604: what a failed send raises (`except DeliveryError` catches it)."""

class PaymentProviderFailed(PaymentProviderError):
    """Code 605: what a failed payment provider raises (`except PaymentProviderError`
    catches it)."""

class PortMissing(CreditbookError):
    port: str

class PermissionDenied(CreditbookError):
    permission: str

class OperationIdConflict(CreditbookError):
    op_id: str

class StorageError(CreditbookError):
    """The store failed; nothing was recorded. A Python port's exception is the `__cause__`,
    and `host_code` is `PYTHON_PORT_FAILED`."""

    host_code: int
    host_message: str

class StoreFailed(StorageError):
    """Code 601: the store failed (`except StorageError` catches it)."""

class StoreContention(StorageError):
    attempts: int

class CorruptRecord(StorageError):
    reason: str

class UnsupportedSchema(StorageError):
    version: int
    supported: int

class Conflict(Exception):
    """Raised by a store port's `append` when the account is no longer at the expected
    version."""

def print_run(
    statements: Sequence[Statement], paper: Optional[str] = None, embed_ubl: bool = True
) -> bytes:
    """Every statement in one PDF/A-3 document, each on new pages in its own language."""

def check_store(store: Union[StorePort, SqliteStore, PostgresStore]) -> str:
    """Runs the Store contract's checks on `store`; returns the report, or raises
    `AssertionError` naming the first check that failed and what the store did."""

def _localize_error(err: CreditbookError, language: str) -> str: ...
@final
class _CoreError: ...
