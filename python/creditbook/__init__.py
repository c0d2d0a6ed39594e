"""creditbook: customer credit accounts for point-of-sale software.

A `Book` holds one store's accounts: charges within credit limits, payments, deposits, store
credit, refunds, corrections, figures for any date and statements in the customer's language,
emailed through the host's mailer with "Pay online" links from the host's payment provider.
Money is `decimal.Decimal` (or `int`), instants are timezone-aware datetimes, dates are `date`s.
The entries live in one SQLite file (`Book(settings, store=SqliteStore(path))`), in a PostgreSQL
database many registers share (`Book(settings, store=PostgresStore(dsn))`), in memory (no store:
tests), or in the host's own database through any object with `load`, `append` and
`account_ids` (`StorePort`).
"""

from creditbook import _creditbook as _native
from creditbook._creditbook import AccountArchived as AccountArchived
from creditbook._creditbook import AccountExists as AccountExists
from creditbook._creditbook import AccountOnHold as AccountOnHold
from creditbook._creditbook import AccountStatus as AccountStatus
from creditbook._creditbook import AccountSummary as AccountSummary
from creditbook._creditbook import ActivityLine as ActivityLine
from creditbook._creditbook import Actor as Actor
from creditbook._creditbook import Aging as Aging
from creditbook._creditbook import AgingBucket as AgingBucket
from creditbook._creditbook import Allocation as Allocation
from creditbook._creditbook import AlreadyReversed as AlreadyReversed
from creditbook._creditbook import ApplyExceedsBalanceOwed as ApplyExceedsBalanceOwed
from creditbook._creditbook import Attachment as Attachment
from creditbook._creditbook import Automation as Automation
from creditbook._creditbook import Book as Book
from creditbook._creditbook import check_store as check_store
from creditbook._creditbook import Charge as Charge
from creditbook._creditbook import Confirmed as Confirmed
from creditbook._creditbook import Conflict as Conflict
from creditbook._creditbook import CorruptRecord as CorruptRecord
from creditbook._creditbook import CreditbookError as CreditbookError
from creditbook._creditbook import CreditLimitExceeded as CreditLimitExceeded
from creditbook._creditbook import CurrencyMismatch as CurrencyMismatch
from creditbook._creditbook import Customer as Customer
from creditbook._creditbook import DeliveryError as DeliveryError
from creditbook._creditbook import Entry as Entry
from creditbook._creditbook import HeaderInjection as HeaderInjection
from creditbook._creditbook import InsufficientCredit as InsufficientCredit
from creditbook._creditbook import InternalError as InternalError
from creditbook._creditbook import InvalidAmount as InvalidAmount
from creditbook._creditbook import InvalidDateRange as InvalidDateRange
from creditbook._creditbook import InvalidEmail as InvalidEmail
from creditbook._creditbook import InvalidInput as InvalidInput
from creditbook._creditbook import InvalidState as InvalidState
from creditbook._creditbook import InvalidStatementRequest as InvalidStatementRequest
from creditbook._creditbook import InvoiceNotOpen as InvoiceNotOpen
from creditbook._creditbook import LanguageNotOffered as LanguageNotOffered
from creditbook._creditbook import Message as Message
from creditbook._creditbook import MissingRecipient as MissingRecipient
from creditbook._creditbook import NotReversible as NotReversible
from creditbook._creditbook import OpenInvoice as OpenInvoice
from creditbook._creditbook import OperationIdConflict as OperationIdConflict
from creditbook._creditbook import Outcome as Outcome
from creditbook._creditbook import OverdueCreditHold as OverdueCreditHold
from creditbook._creditbook import Payment as Payment
from creditbook._creditbook import PaymentAmountMismatch as PaymentAmountMismatch
from creditbook._creditbook import PaymentLink as PaymentLink
from creditbook._creditbook import PaymentLinkAmountOutOfRange as PaymentLinkAmountOutOfRange
from creditbook._creditbook import PaymentLinkRequest as PaymentLinkRequest
from creditbook._creditbook import PaymentLinkShown as PaymentLinkShown
from creditbook._creditbook import PaymentProviderError as PaymentProviderError
from creditbook._creditbook import PaymentTerms as PaymentTerms
from creditbook._creditbook import PermissionDenied as PermissionDenied
from creditbook._creditbook import PortMissing as PortMissing
from creditbook._creditbook import PostalAddress as PostalAddress
from creditbook._creditbook import PostgresStore as PostgresStore
from creditbook._creditbook import print_run as print_run
from creditbook._creditbook import ReceiptRequired as ReceiptRequired
from creditbook._creditbook import RefundExceedsSale as RefundExceedsSale
from creditbook._creditbook import RefundsToCreditDisabled as RefundsToCreditDisabled
from creditbook._creditbook import ReminderDue as ReminderDue
from creditbook._creditbook import SendResult as SendResult
from creditbook._creditbook import Sent as Sent
from creditbook._creditbook import Standing as Standing
from creditbook._creditbook import Statement as Statement
from creditbook._creditbook import StatementLine as StatementLine
from creditbook._creditbook import SqliteStore as SqliteStore
from creditbook._creditbook import StorageError as StorageError
from creditbook._creditbook import StoreContention as StoreContention
from creditbook._creditbook import StoreSettings as StoreSettings
from creditbook._creditbook import UnknownAccount as UnknownAccount
from creditbook._creditbook import UnknownCurrency as UnknownCurrency
from creditbook._creditbook import UnknownEntry as UnknownEntry
from creditbook._creditbook import UnknownInvoice as UnknownInvoice
from creditbook._creditbook import UnknownPaymentLink as UnknownPaymentLink
from creditbook._creditbook import UnknownTimeZone as UnknownTimeZone
from creditbook._creditbook import UnsupportedSchema as UnsupportedSchema
from creditbook._creditbook import WriteOffExceedsInvoice as WriteOffExceedsInvoice
from creditbook._creditbook import AmountNotPositive as AmountNotPositive
from creditbook._creditbook import AmountNegative as AmountNegative
from creditbook._creditbook import TooManyDecimals as TooManyDecimals
from creditbook._creditbook import InvalidAmountText as InvalidAmountText
from creditbook._creditbook import Overflow as Overflow
from creditbook._creditbook import DeliveryFailed as DeliveryFailed
from creditbook._creditbook import PaymentProviderFailed as PaymentProviderFailed
from creditbook._creditbook import StoreFailed as StoreFailed
from creditbook._creditbook import PYTHON_PORT_FAILED as PYTHON_PORT_FAILED
from creditbook._creditbook import PERMISSIONS as PERMISSIONS
from creditbook._creditbook import __version__ as __version__
from creditbook._ports import MailerPort as MailerPort
from creditbook._ports import PaymentProviderPort as PaymentProviderPort
from creditbook._ports import StorePort as StorePort



def _localized(self: CreditbookError, language: str) -> str:
    """The error's message in one of the store's languages (`"fr"`), for the clerk: amounts in
    the store's currency as its statements print them. `str(error)` stays English, for logs.
    Errors raised outside a Book (building settings) have no store to speak for: their English
    message. A language the store does not print in raises `LanguageNotOffered`."""
    return _native._localize_error(self, language)


CreditbookError.localized = _localized  # type: ignore[attr-defined]
