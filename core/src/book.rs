//! The Book: the engine that runs operations over the host's [`Store`].
//!
//! For each operation the Book takes the account's folded state (kept in memory, caught up from the
//! store), asks the pure [`rules`](crate::rules::decide) for a decision, appends the resulting entries with
//! the version it decided on, and folds them in. When another writer appended first, the store
//! answers `Conflict`: the Book catches up, decides again and retries, a bounded number of times.
//! No lock of the Book is held while the store is called, so a store callback may call the Book.

use std::sync::{Arc, Mutex, MutexGuard};

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use smol_str::SmolStr;

use crate::account::{CreditLimit, Customer, PaymentTerms};
use crate::command::{Charge, Command, OpenAccount, Operation, Payment};
use crate::entry::{Allocation, Direction, Effect, Entry};
use crate::error::{Error, Result};
use crate::figures::{self, AccountSummary, ActivityLine, ActivityQuery, Aging, OpenInvoice};
use crate::ledger::Ledger;
use crate::list::AccountsQuery;
use crate::money::{self, Money};
use crate::ports::{Mailer, PaymentProvider};
use crate::rules;
use crate::settings::StoreSettings;
use crate::sharded::Sharded;
use crate::state::AccountState;
use crate::statement::{self, Statement, StatementRequest};
use crate::store::{MemoryStore, Store, StoreError};
use crate::validate;

/// How many times an operation is decided again after a conflicting write before giving up.
pub const MAX_ATTEMPTS: u32 = 64;

type Slot = Arc<Mutex<AccountState>>;

/// What an operation recorded (or, for a replay, had recorded the first time).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The account.
    pub account: SmolStr,
    /// The entries of the operation, in order (usually one).
    pub entries: Vec<Entry>,
    /// True when the operation id had been used before with the same content: nothing new was
    /// recorded and these are the entries of the first time.
    pub replayed: bool,
}

impl Outcome {
    /// The operation's first entry.
    pub fn entry(&self) -> &Entry {
        &self.entries[0]
    }

    /// The invoice the operation opened (a charge, a debit adjustment), by number.
    pub fn invoice(&self) -> Option<u64> {
        let e = self.entry();
        e.kind.opens_invoice().map(|_| e.seq)
    }

    /// The due date of the invoice the operation opened.
    pub fn due_date(&self) -> Option<NaiveDate> {
        self.entry().kind.opens_invoice().map(|(_, due)| due)
    }

    /// Every allocation to invoices the operation made, in order.
    pub fn allocations(&self) -> Vec<Allocation> {
        self.entries
            .iter()
            .flat_map(|e| e.allocations.iter().copied())
            .collect()
    }

    /// What the operation put toward invoices, in all (zero when it allocated nothing).
    pub fn allocated(&self) -> Result<Decimal> {
        money::sum(
            self.entries
                .iter()
                .flat_map(|e| e.allocations.iter().map(|a| a.amount)),
        )
    }

    /// The operation's net effect on the balance owed and the credit balance.
    pub fn effect(&self) -> Result<Effect> {
        // Nearly every operation records one entry: its effect is the outcome's (this runs on
        // every charge a till makes).
        if let [one] = self.entries.as_slice() {
            return one.effect();
        }
        self.entries.iter().try_fold(Effect::default(), |acc, e| {
            let x = e.effect()?;
            Ok(Effect {
                owed: money::add(acc.owed, x.owed)?,
                credit: money::add(acc.credit, x.credit)?,
            })
        })
    }
}

/// One store's customer accounts. Thread-safe: share it (`Arc<Book>`) between tills.
///
/// ```
/// use chrono::{TimeZone, Utc};
/// use creditbook::{Actor, Book, Charge, CreditLimit, Customer, Money, OpenAccount, Operation};
/// use creditbook::{Permission, StoreSettings};
/// use rust_decimal::Decimal;
///
/// let settings = StoreSettings::new("Quincaillerie Lapointe", "CAD", "America/Montreal").unwrap();
/// let cad = settings.currency;
/// let book = Book::new(settings);
/// let at = Utc.with_ymd_and_hms(2026, 11, 2, 15, 0, 0).unwrap();
/// // Granting credit needs the `credit_limit` permission.
/// let manager = Actor::new("manager").with(Permission::CreditLimit);
/// book.open_account("C-1", &Operation::new("o1", at).by(manager), OpenAccount {
///     customer: Customer::new("cust-1", "Marie Tremblay"),
///     credit_limit: Some(CreditLimit::Amount(Decimal::new(50000, 2))),
///     terms: None,
/// }).unwrap();
/// let charged = book.charge("C-1", &Operation::new("o2", at),
///     Charge::new(Money::parse("120.00", cad).unwrap()).sale("S-1")).unwrap();
/// assert_eq!(charged.invoice(), Some(2));
/// let summary = book.summary("C-1", at.date_naive()).unwrap();
/// assert_eq!(summary.available, Some(Decimal::new(38000, 2)));
/// ```
pub struct Book<S: Store = MemoryStore> {
    settings: StoreSettings,
    /// Why the settings are unusable, if they are: every operation is then refused with it.
    settings_error: Option<Error>,
    store: S,
    accounts: Sharded<Slot>,
    pub(crate) mailer: Option<Box<dyn Mailer>>,
    pub(crate) payments: Option<Box<dyn PaymentProvider>>,
}

impl Book<MemoryStore> {
    /// A Book on the embedded in-memory store.
    pub fn new(settings: StoreSettings) -> Book<MemoryStore> {
        Book::with_store(settings, MemoryStore::new())
    }
}

impl<S: Store> std::fmt::Debug for Book<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Book")
            .field("store", &self.settings.name)
            .finish_non_exhaustive()
    }
}

impl<S: Store> Book<S> {
    /// A Book on the host's store. Settings that do not validate ([`StoreSettings::validate`])
    /// make every operation fail with the reason.
    pub fn with_store(settings: StoreSettings, store: S) -> Book<S> {
        Book {
            settings_error: settings.validate().err(),
            settings,
            store,
            accounts: Sharded::default(),
            mailer: None,
            payments: None,
        }
    }

    /// The same Book, delivering messages through the host's mailer.
    pub fn with_mailer(mut self, mailer: impl Mailer + 'static) -> Book<S> {
        self.mailer = Some(Box::new(mailer));
        self
    }

    /// The same Book, making payment links through the host's payment provider.
    pub fn with_payment_provider(mut self, provider: impl PaymentProvider + 'static) -> Book<S> {
        self.payments = Some(Box::new(provider));
        self
    }

    /// The store's settings.
    pub fn settings(&self) -> &StoreSettings {
        &self.settings
    }

    /// An error's message in one of the store's languages (`"fr"`), for the clerk: amounts in
    /// the store's currency formatted like its statements (`80,00 $ disponible`). A language the
    /// store does not print in is `LanguageNotOffered`. The error's `Display` stays English, for
    /// logs.
    pub fn localize_error(&self, error: &Error, language: &str) -> Result<String> {
        self.settings.localize_error(error, language)
    }

    /// The host's store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Runs one operation on an account: decides it, records its entries (all or none) and
    /// returns them. Replaying an operation id returns the first outcome and records nothing.
    pub fn execute(&self, account: &str, op: &Operation, command: &Command) -> Result<Outcome> {
        let account = validate::account_id(account)?;
        self.execute_on(&account, op, command)
    }

    /// Runs one operation on a ledger whose id is checked (a customer's, or the book's own).
    pub(crate) fn execute_on(
        &self,
        account: &SmolStr,
        op: &Operation,
        command: &Command,
    ) -> Result<Outcome> {
        if let Some(e) = &self.settings_error {
            return Err(e.clone());
        }
        let account = account.clone();
        let create = matches!(command, Command::OpenAccount(_) | Command::SetAutomation(_));
        let slot = self
            .slot(&account, create)?
            .ok_or_else(|| Error::UnknownAccount {
                account: account.to_string(),
            })?;
        let result = self.run(&account, &slot, op, command);
        if create && result.is_err() {
            self.forget_if_empty(&account, &slot);
        }
        result
    }

    fn run(
        &self,
        account: &SmolStr,
        slot: &Slot,
        op: &Operation,
        command: &Command,
    ) -> Result<Outcome> {
        // A state emptied after a panic (see `lock`) is reloaded before anything is decided on it.
        if lock(slot).version() == 0 {
            self.catch_up(account, slot)?;
        }
        for attempt in 0..MAX_ATTEMPTS {
            let decided = {
                let state = lock(slot);
                if let Some(first) = state.operation(&op.op_id) {
                    return replay(account, first, command.digest(), &op.op_id);
                }
                let decided = rules::decide(&state, &self.settings, account, op, command);
                (state.version(), decided)
            };
            let (expected, entries) = match decided {
                (version, Ok(entries)) => (version, entries),
                (version, Err(refusal)) => {
                    // A write is checked by the store (the expected version); a refusal is not.
                    // The cache may be behind the store (another Book wrote, or a write the store
                    // reported failed had happened), so refuse only on the store's latest entries.
                    self.catch_up(account, slot)?;
                    if lock(slot).version() == version {
                        return Err(refusal);
                    }
                    continue;
                }
            };
            match self.store.append(account, expected, &entries) {
                Ok(()) => {
                    let mut state = lock(slot);
                    if state.version() == expected {
                        // The entries are recorded whatever happens here. Should folding them fail
                        // (a bug), the cache is dropped and the account reloaded on next use.
                        if entries
                            .iter()
                            .try_for_each(|e| state.apply(e.clone()))
                            .is_err()
                        {
                            *state = AccountState::default();
                        }
                    } else {
                        drop(state);
                        // The entries are recorded: a store failure while catching up only leaves
                        // the cache behind (the next call catches up) and must not tell the caller
                        // that nothing was recorded.
                        let _ = self.catch_up(account, slot);
                    }
                    return Ok(Outcome {
                        account: account.clone(),
                        entries,
                        replayed: false,
                    });
                }
                Err(StoreError::Conflict) => {
                    self.catch_up(account, slot)?;
                    if attempt >= 2 {
                        std::thread::yield_now();
                    }
                }
                Err(StoreError::Failed { code, message }) => {
                    return Err(Error::StoreFailed { code, message })
                }
            }
        }
        Err(Error::StoreContention {
            attempts: MAX_ATTEMPTS,
        })
    }

    /// The account's cached state, loaded from the store when not cached. `None` when the account
    /// has no entries and `create` is false.
    fn slot(&self, account: &SmolStr, create: bool) -> Result<Option<Slot>> {
        if let Some(slot) = self.accounts.get(account) {
            return Ok(Some(slot));
        }
        let entries = self.store.load(account, 0)?;
        if entries.is_empty() && !create {
            return Ok(None);
        }
        let state = AccountState::from_entries(entries)?;
        Ok(Some(self.accounts.get_or_insert_with(account, || {
            Arc::new(Mutex::new(state))
        })))
    }

    fn forget_if_empty(&self, account: &SmolStr, slot: &Slot) {
        self.accounts.remove_if(account, |s| {
            Arc::ptr_eq(s, slot) && lock(slot).version() == 0
        });
    }

    /// Folds whatever the store holds beyond the cached version.
    fn catch_up(&self, account: &str, slot: &Slot) -> Result<()> {
        let version = lock(slot).version();
        let newer = self.store.load(account, version)?;
        if newer.is_empty() {
            return Ok(());
        }
        let mut state = lock(slot);
        for e in newer {
            if e.seq > state.version() {
                state.apply(e)?;
            }
        }
        Ok(())
    }

    /// Runs `f` on a ledger's state caught up with the store, whatever the ledger (the book's own
    /// included); `None` when it has no entries.
    pub(crate) fn with_ledger<R>(
        &self,
        id: &SmolStr,
        f: impl FnOnce(&AccountState) -> R,
    ) -> Result<Option<R>> {
        let Some(slot) = self.slot(id, false)? else {
            return Ok(None);
        };
        self.catch_up(id, &slot)?;
        let state = lock(&slot);
        Ok(Some(f(&state)))
    }

    /// Every customer account with entries in the store (the book's own ledger left out).
    pub fn account_ids(&self) -> Result<Vec<SmolStr>> {
        let mut ids = self.store.account_ids()?;
        ids.retain(|id| id != crate::store::BOOK_LEDGER);
        Ok(ids)
    }

    /// Runs `f` on the account's state, caught up with the store.
    pub fn with_account<R>(&self, account: &str, f: impl FnOnce(&AccountState) -> R) -> Result<R> {
        let unknown = || Error::UnknownAccount {
            account: account.to_string(),
        };
        let id = validate::account_id(account)?;
        let slot = self.slot(&id, false)?.ok_or_else(unknown)?;
        self.catch_up(&id, &slot)?;
        let state = lock(&slot);
        if state.ledger().profile().is_none() {
            return Err(unknown());
        }
        Ok(f(&state))
    }

    /// Runs `f` on the account's figures as of a date (the folded ledger when nothing is dated
    /// later, else a fold of the ledger's prefix up to that date).
    fn as_of<R>(
        &self,
        account: &str,
        as_of: NaiveDate,
        f: impl FnOnce(&SmolStr, &Ledger) -> Result<R>,
    ) -> Result<R> {
        let id = SmolStr::new(account);
        self.with_account(account, |state| {
            let ledger = state.ledger();
            if ledger.last_date().is_none_or(|d| d <= as_of) {
                f(&id, ledger)
            } else {
                let past = figures::ledger_as_of(state.entries(), as_of)?;
                if past.profile().is_none() {
                    return Err(Error::UnknownAccount {
                        account: account.to_string(),
                    });
                }
                f(&id, &past)
            }
        })?
    }

    /// The account's figures on a date: limit, balances, available credit, overdue, standing.
    pub fn summary(&self, account: &str, as_of: NaiveDate) -> Result<AccountSummary> {
        self.as_of(account, as_of, |id, ledger| {
            figures::summary(id, ledger, as_of)
        })
    }

    /// The account's open invoices on a date, oldest due first, with days past due.
    pub fn open_invoices(&self, account: &str, as_of: NaiveDate) -> Result<Vec<OpenInvoice>> {
        self.as_of(account, as_of, |_, ledger| {
            Ok(figures::open_invoices(ledger, as_of))
        })
    }

    /// The balance owed on a date by days past due, in the store's buckets.
    pub fn aging(&self, account: &str, as_of: NaiveDate) -> Result<Aging> {
        self.as_of(account, as_of, |_, ledger| {
            figures::aging(ledger, &self.settings.aging, as_of)
        })
    }

    /// The account's entries between two store-local dates (both included), optionally of some
    /// kinds only, each with the balances right after it.
    pub fn activity(&self, account: &str, query: &ActivityQuery) -> Result<Vec<ActivityLine>> {
        // Links stand as they do at the end of the last day asked for, in the store's time.
        let end = query
            .to
            .succ_opt()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .and_then(|t| t.and_local_timezone(self.settings.timezone).earliest())
            .map(|t| t.to_utc());
        self.with_account(account, |state| {
            let mut lines = figures::activity(state.entries(), query)?;
            if let Some(end) = end {
                let links = crate::links::links(state.entries(), end);
                for line in &mut lines {
                    if let crate::entry::EntryKind::PaymentLinkCreated(r) = &line.entry.kind {
                        line.link_status = links
                            .iter()
                            .find(|l| l.record.reference == r.reference)
                            .map(|l| l.status);
                    }
                }
            }
            Ok(lines)
        })?
    }

    /// Computes a statement of the account (see [`crate::statement`]).
    pub fn statement(&self, account: &str, request: &StatementRequest) -> Result<Statement> {
        let id = SmolStr::new(account);
        self.with_account(account, |state| {
            statement::build(&id, state, &self.settings, request)
        })?
    }

    /// Every entry of the account, in ledger order.
    pub fn entries(&self, account: &str) -> Result<Vec<Entry>> {
        self.with_account(account, |state| state.entries().to_vec())
    }

    /// The accounts list: one row of figures per account, filtered, searched and sorted.
    pub fn accounts(&self, query: &AccountsQuery) -> Result<Vec<AccountSummary>> {
        let mut rows = Vec::new();
        for id in self.account_ids()? {
            let row = self.summary(&id, query.as_of);
            match row {
                Ok(row) if query.keeps(&row) => rows.push(row),
                Ok(_) | Err(Error::UnknownAccount { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        query.sort(&mut rows);
        Ok(rows)
    }

    /// How much of `sale_due` the account can take now: `min(sale_due, available)` with the
    /// store's tolerance, and never past the largest balance an account may have
    /// ([`money::max_amount`]). Refuses, like a charge would, an account on hold, archived, or under a
    /// credit hold for overdue invoices.
    pub fn max_charge(&self, account: &str, sale_due: Money, at: DateTime<Utc>) -> Result<Decimal> {
        self.with_account(account, |state| {
            let profile = state.ledger().profile_of(account)?;
            let due = sale_due.non_negative_in(profile.currency)?;
            if due.is_zero() {
                return Ok(due);
            }
            // Ask the rules with a probe charge of the smallest unit, so every refusal but the
            // limit (hold, archive, overdue hold) comes out exactly as a charge would give it.
            let probe = Command::Charge(Charge::new(Money::new(
                profile.currency.from_minor(1),
                profile.currency,
            )));
            let op = Operation::new("max-charge-probe", at);
            match rules::decide(state, &self.settings, account, &op, &probe) {
                // The limit, or the largest balance an account may have: a limit, answered below.
                Ok(_) | Err(Error::CreditLimitExceeded { .. }) | Err(Error::Overflow) => {}
                Err(e) => return Err(e),
            }
            let room =
                money::sub(money::max_amount(), state.ledger().balance_owed())?.max(Decimal::ZERO);
            Ok(match rules::chargeable(state.ledger(), &self.settings)? {
                Some(available) => due.min(available),
                None => due,
            }
            .min(room))
        })?
    }

    // ---- one method per operation, for readability at the call site ----

    /// Opens an account.
    pub fn open_account(
        &self,
        account: &str,
        op: &Operation,
        open: OpenAccount,
    ) -> Result<Outcome> {
        self.execute(account, op, &Command::OpenAccount(open))
    }

    /// Replaces the customer's contact details.
    pub fn update_contact(
        &self,
        account: &str,
        op: &Operation,
        customer: Customer,
    ) -> Result<Outcome> {
        self.execute(account, op, &Command::UpdateContact(customer))
    }

    /// Changes the credit limit (needs `credit_limit`).
    pub fn set_credit_limit(
        &self,
        account: &str,
        op: &Operation,
        limit: CreditLimit,
    ) -> Result<Outcome> {
        self.execute(account, op, &Command::SetCreditLimit(limit))
    }

    /// Changes the account's payment terms (needs `credit_limit`).
    pub fn set_terms(
        &self,
        account: &str,
        op: &Operation,
        terms: Option<PaymentTerms>,
    ) -> Result<Outcome> {
        self.execute(account, op, &Command::SetTerms(terms))
    }

    /// Puts the account on hold.
    pub fn hold(&self, account: &str, op: &Operation, reason: Option<String>) -> Result<Outcome> {
        self.execute(account, op, &Command::Hold { reason })
    }

    /// Releases a hold.
    pub fn release(&self, account: &str, op: &Operation) -> Result<Outcome> {
        self.execute(account, op, &Command::Release)
    }

    /// Archives the account (needs `archive_account`).
    pub fn archive(&self, account: &str, op: &Operation) -> Result<Outcome> {
        self.execute(account, op, &Command::Archive)
    }

    /// Reactivates an archived account (needs `archive_account`).
    pub fn reactivate(&self, account: &str, op: &Operation) -> Result<Outcome> {
        self.execute(account, op, &Command::Reactivate)
    }

    /// Charges a sale to the account.
    pub fn charge(&self, account: &str, op: &Operation, charge: Charge) -> Result<Outcome> {
        self.execute(account, op, &Command::Charge(charge))
    }

    /// Records a payment.
    pub fn pay(&self, account: &str, op: &Operation, payment: Payment) -> Result<Outcome> {
        self.execute(account, op, &Command::Payment(payment))
    }

    /// Records a deposit (becomes store credit).
    pub fn deposit(
        &self,
        account: &str,
        op: &Operation,
        amount: Money,
        reference: Option<&str>,
    ) -> Result<Outcome> {
        let reference = reference.map(SmolStr::new);
        self.execute(account, op, &Command::Deposit { amount, reference })
    }

    /// Uses store credit as tender on a sale.
    pub fn use_credit(
        &self,
        account: &str,
        op: &Operation,
        amount: Money,
        sale: Option<&str>,
    ) -> Result<Outcome> {
        let sale = sale.map(SmolStr::new);
        self.execute(account, op, &Command::UseCredit { amount, sale })
    }

    /// Applies store credit to open invoices (the named ones in order, else oldest due first).
    pub fn apply_credit(
        &self,
        account: &str,
        op: &Operation,
        amount: Money,
        invoices: Vec<u64>,
    ) -> Result<Outcome> {
        self.execute(account, op, &Command::ApplyCredit { amount, invoices })
    }

    /// Refunds a sale to store credit (needs `credit_account_refund`). `sale: None` is a refund
    /// without receipt; `sale_total` declares what was paid for a sale paid otherwise.
    pub fn refund_to_credit(
        &self,
        account: &str,
        op: &Operation,
        amount: Money,
        sale: Option<&str>,
        sale_total: Option<Money>,
    ) -> Result<Outcome> {
        let sale = sale.map(SmolStr::new);
        self.execute(
            account,
            op,
            &Command::RefundToCredit {
                amount,
                sale,
                sale_total,
            },
        )
    }

    /// Pays store credit back in cash or to a card.
    pub fn refund_credit(
        &self,
        account: &str,
        op: &Operation,
        amount: Money,
        method: Option<&str>,
    ) -> Result<Outcome> {
        let method = method.map(SmolStr::new);
        self.execute(account, op, &Command::RefundCredit { amount, method })
    }

    /// Reverses an entry (needs `adjust_balance`).
    pub fn reverse(
        &self,
        account: &str,
        op: &Operation,
        entry: u64,
        reason: &str,
    ) -> Result<Outcome> {
        let reason = reason.to_string();
        self.execute(account, op, &Command::Reverse { entry, reason })
    }

    /// Adjusts the balance (needs `adjust_balance`).
    pub fn adjust(
        &self,
        account: &str,
        op: &Operation,
        direction: Direction,
        amount: Money,
        reason: &str,
    ) -> Result<Outcome> {
        let reason = reason.to_string();
        self.execute(
            account,
            op,
            &Command::Adjust {
                direction,
                amount,
                reason,
            },
        )
    }

    /// Writes off an invoice, or part of it (needs `adjust_balance`).
    pub fn write_off(
        &self,
        account: &str,
        op: &Operation,
        invoice: u64,
        amount: Option<Money>,
        reason: &str,
    ) -> Result<Outcome> {
        let reason = reason.to_string();
        self.execute(
            account,
            op,
            &Command::WriteOff {
                invoice,
                amount,
                reason,
            },
        )
    }
}

fn replay(account: &SmolStr, first: &[Entry], digest: u64, op_id: &str) -> Result<Outcome> {
    if first.first().is_some_and(|e| e.op_digest == digest) {
        Ok(Outcome {
            account: account.clone(),
            entries: first.to_vec(),
            replayed: true,
        })
    } else {
        Err(Error::OperationIdConflict {
            op_id: op_id.to_string(),
        })
    }
}

/// Locks an account's state. A panic while it was held may have left it half-folded, so a
/// poisoned state is dropped and the next catch-up reloads the account from the store.
fn lock(slot: &Slot) -> MutexGuard<'_, AccountState> {
    match slot.lock() {
        Ok(guard) => guard,
        Err(poisoned) => {
            let mut guard = poisoned.into_inner();
            *guard = AccountState::default();
            slot.clear_poison();
            guard
        }
    }
}
