//! Slow host callbacks: while the mailer or the payment provider takes its time, the account keeps
//! working for every other till (no lock is held during a callback), a second send of the same
//! message is refused instead of sent twice, and a till that asks again for the same link while
//! the provider is still answering gets one link, recorded once.
//!
//! The slow port is a gate, not a sleep: its first call waits until the test opens it, so every
//! interleaving below is certain, not likely. A call that blocks where it must not fails the test
//! after a timeout instead of hanging it.

mod common;
mod ports;

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use creditbook::{
    Book, Charge, Customer, Entry, EntryKind, EntryType, Error, LinkPurpose, Mailer, Message,
    OpenAccount, Operation, PaymentLinkRequest, PaymentProvider, PortError, StatementRequest,
};

use common::{day, limit, money, noon, settings, ACCOUNT};
use ports::{recorded_messages, RecordingMailer};

/// How long a call may take before the test calls it blocked.
const PATIENCE: Duration = Duration::from_secs(20);

/// Holds the first call of a port until [`Gate::open`]; later calls pass straight through.
#[derive(Clone, Default)]
struct Gate {
    calls: Arc<AtomicU32>,
    entered: Arc<Mutex<Option<mpsc::Sender<()>>>>,
    release: Arc<Mutex<Option<mpsc::Receiver<()>>>>,
}

impl Gate {
    /// A gate, a receiver told when the first call is inside, and the sender that opens it.
    fn new() -> (Gate, mpsc::Receiver<()>, mpsc::Sender<()>) {
        let (entered_tx, entered_rx) = mpsc::channel();
        let (open_tx, open_rx) = mpsc::channel();
        let gate = Gate {
            calls: Arc::default(),
            entered: Arc::new(Mutex::new(Some(entered_tx))),
            release: Arc::new(Mutex::new(Some(open_rx))),
        };
        (gate, entered_rx, open_tx)
    }

    fn pass(&self) {
        if self.calls.fetch_add(1, Ordering::SeqCst) > 0 {
            return;
        }
        if let Some(entered) = self.entered.lock().unwrap().take() {
            entered.send(()).unwrap();
        }
        let release = self.release.lock().unwrap().take().unwrap();
        release
            .recv_timeout(PATIENCE)
            .expect("the gate was never opened");
    }
}

/// A mailer whose first send waits at a gate.
#[derive(Clone)]
struct SlowMailer {
    gate: Gate,
    inner: RecordingMailer,
}

impl Mailer for SlowMailer {
    fn send(&self, message: &Message) -> Result<String, PortError> {
        self.gate.pass();
        self.inner.send(message)
    }
}

/// A provider whose first call waits at a gate, and which makes a new link for every call (as a
/// provider without idempotency keys does).
#[derive(Clone)]
struct SlowProvider {
    gate: Gate,
    requests: Arc<Mutex<Vec<PaymentLinkRequest>>>,
}

impl PaymentProvider for SlowProvider {
    fn create_link(&self, request: &PaymentLinkRequest) -> Result<String, PortError> {
        let n = {
            let mut requests = self.requests.lock().unwrap();
            requests.push(request.clone());
            requests.len()
        };
        self.gate.pass();
        Ok(format!("https://pay.example/{}/{n}", request.reference))
    }
}

/// Runs `f` on another thread; fails when it does not return within [`PATIENCE`].
fn within<T: Send + 'static>(what: &str, f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || tx.send(f()).unwrap());
    rx.recv_timeout(PATIENCE)
        .unwrap_or_else(|_| panic!("{what} blocked while a callback was slow"))
}

/// When everything below happens.
fn at() -> DateTime<Utc> {
    noon(day(2026, 3, 2))
}

fn op(id: &str) -> Operation {
    Operation::new(id, at())
}

/// A Book, with its ports, whose account has a charge of 100.00 (invoice 2).
fn book(ports: impl FnOnce(Book) -> Book) -> Arc<Book> {
    let mut settings = settings();
    settings.messages.from = Some("comptes@lapointe.example".into());
    let book = ports(Book::new(settings));
    let mut customer = Customer::new("cust-1", "Marie Tremblay");
    customer.email = Some("marie@example.com".into());
    let open = OpenAccount {
        customer,
        credit_limit: Some(limit("2000.00")),
        terms: None,
    };
    book.open_account(
        ACCOUNT,
        &op("open").by(creditbook::Actor::new("manager").with(creditbook::Permission::CreditLimit)),
        open,
    )
    .unwrap();
    book.charge(ACCOUNT, &op("c-1"), Charge::new(money("100.00")))
        .unwrap();
    Arc::new(book)
}

fn types(entries: &[Entry]) -> Vec<EntryType> {
    entries.iter().map(|e| e.kind.entry_type()).collect()
}

#[test]
fn while_the_mailer_is_slow_the_account_keeps_working_and_the_message_goes_out_once() {
    let (gate, entered, open) = Gate::new();
    let mailer = RecordingMailer::default();
    let slow = SlowMailer {
        gate,
        inner: mailer.clone(),
    };
    let book = book(|b| b.with_mailer(slow));
    let message = book.compose_invoice_email(ACCOUNT, 2, None).unwrap();

    // Till 1 sends the invoice; the mailer holds it.
    let sending = {
        let (book, message) = (Arc::clone(&book), message.clone());
        std::thread::spawn(move || book.send(&message, at()))
    };
    entered.recv_timeout(PATIENCE).unwrap();

    // Meanwhile the other tills work on the same account.
    let others = Arc::clone(&book);
    let (charged, statement, again) = within("the account", move || {
        let charged = others.charge(ACCOUNT, &op("c-2"), Charge::new(money("25.00")));
        let period = StatementRequest::new(day(2026, 3, 1), day(2026, 3, 2));
        let statement = others.statement(ACCOUNT, &period);
        let again = others.send(&message, at());
        (charged, statement, again)
    });
    charged.unwrap();
    statement.unwrap();
    let Err(Error::InvalidState { reason }) = again else {
        panic!("a second send of a message being sent: {again:?}")
    };
    assert!(reason.ends_with("is being sent"), "{reason}");

    open.send(()).unwrap();
    let sent = sending.join().unwrap().unwrap();
    assert!(!sent.already_delivered);
    assert_eq!(mailer.delivered().len(), 1);
    let records = recorded_messages(&book, ACCOUNT);
    assert_eq!(records.len(), 1, "{records:?}");

    // Sent again now that it is delivered: nothing goes out.
    let again = book.compose_invoice_email(ACCOUNT, 2, None).unwrap();
    assert!(book.send(&again, at()).unwrap().already_delivered);
    assert_eq!(mailer.delivered().len(), 1);
    assert_eq!(
        types(&book.entries(ACCOUNT).unwrap()),
        [
            EntryType::AccountOpened,
            EntryType::Charge,
            EntryType::MessageSent,
            EntryType::Charge,
            EntryType::MessageSent
        ],
        "the claim to send is recorded before the mailer is called, the charge made meanwhile \
         once, then how the sending went"
    );
}

#[test]
fn a_link_asked_again_while_the_provider_is_slow_is_one_link() {
    let (gate, entered, open) = Gate::new();
    let provider = SlowProvider {
        gate,
        requests: Arc::default(),
    };
    let book = book(|b| b.with_payment_provider(provider.clone()));
    let op = op("link-1");
    let purpose = LinkPurpose::Balance {
        reference: "ST-1".into(),
    };

    // Till 1 asks for a link; the provider takes its time.
    let first = {
        let (book, op, purpose) = (Arc::clone(&book), op.clone(), purpose.clone());
        std::thread::spawn(move || book.payment_link(ACCOUNT, &op, money("100.00"), purpose))
    };
    entered.recv_timeout(PATIENCE).unwrap();

    // The clerk taps again: the same operation id, while the first call is still out.
    let again = {
        let (book, op, purpose) = (Arc::clone(&book), op.clone(), purpose.clone());
        within("the second request", move || {
            book.payment_link(ACCOUNT, &op, money("100.00"), purpose)
        })
    }
    .unwrap();
    open.send(()).unwrap();
    let first = first.join().unwrap().unwrap();

    // One link is recorded, and both calls give it.
    let links: Vec<_> = book
        .entries(ACCOUNT)
        .unwrap()
        .into_iter()
        .filter_map(|e| match e.kind {
            EntryKind::PaymentLinkCreated(l) => Some(l),
            _ => None,
        })
        .collect();
    assert_eq!(links.len(), 1, "{links:?}");
    assert_eq!(first.record.url, links[0].url);
    assert_eq!(again.record.url, links[0].url);
    assert!(first.replayed, "the slower call is the replay");
    // The provider was asked twice with one reference (what a provider dedupes on).
    let requests = provider.requests.lock().unwrap().clone();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].reference, requests[1].reference);
    assert_eq!(requests[0].amount, requests[1].amount);
    assert_eq!(requests[0].expires_at, requests[1].expires_at);
}
