"""The host ports a Book calls, as typing Protocols (any object with these methods will do)."""

from typing import TYPE_CHECKING, Iterable, Protocol, Sequence

if TYPE_CHECKING:
    from creditbook._creditbook import Message, PaymentLinkRequest


class StorePort(Protocol):
    """Where a Book keeps its entries (mirrors the Rust `Store` trait).

    The Book calls these methods synchronously, on the thread that called the Book, and never
    while it holds a lock of its own (so a method may call the Book). Entries cross as their
    persisted records: `Entry.to_record()` JSON lines, to be stored as text and handed back as
    they were. An exception raised by a method fails the operation with `StorageError` (the
    exception is its `__cause__`) and nothing is recorded.
    """

    def load(self, account: str, after: int) -> Iterable[str]:
        """The records of `account` numbered above `after` (entry `seq`), in order; none for an
        unknown account."""
        ...

    def append(self, account: str, expected_version: int, records: Sequence[str]) -> None:
        """Writes all `records` (numbered `expected_version + 1`...) atomically if and only if
        the account still has `expected_version` entries; otherwise writes nothing and raises
        `creditbook.Conflict` (the Book then catches up, decides again and retries)."""
        ...

    def account_ids(self) -> Iterable[str]:
        """The id of every account that has entries."""
        ...


class MailerPort(Protocol):
    """Delivers composed messages (by SMTP, an email API, a print queue...); mirrors the Rust
    `Mailer` trait.

    Called synchronously on the thread that called the Book. `message.to_bytes()` gives the
    RFC 5322 bytes to hand to an SMTP relay. An exception raised by `send` fails the send with
    `DeliveryError` (the exception is its `__cause__`); the failed attempt is recorded on the
    account and sending the same message again retries it.
    """

    def send(self, message: "Message") -> str:
        """Delivers `message`; returns the delivery id."""
        ...


class PaymentProviderPort(Protocol):
    """Makes payment links (Lightspeed Payments, Stripe, Square...); mirrors the Rust
    `PaymentProvider` trait.

    creditbook decides the amount, currency, reference and expiry; the provider makes the
    secure URL. An exception raised by `create_link` fails the operation with
    `PaymentProviderError` (the exception is its `__cause__`) and nothing is recorded.
    """

    def create_link(self, request: "PaymentLinkRequest") -> str:
        """Makes a link for `request` (`.amount`, `.currency`, `.reference`, `.expires_at`...);
        returns its URL."""
        ...
