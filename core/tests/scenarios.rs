//! The shared scenario vectors (tests/scenarios/*.json, specified in tests/scenarios/README.md)
//! run through the core API. The C suite runs the same files through the C API.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use creditbook::{
    Actor, AgingBuckets, Book, Charge, Command, CreditLimit, Currency, Customer, Direction, Error,
    Money, OpenAccount, Operation, Outcome, Payment, PaymentTerms, Permission, StoreSettings,
};
use rust_decimal::Decimal;
use serde_json::Value;

type Args = BTreeMap<String, String>;

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/scenarios")
}

/// A map of strings, refusing any key not in `allowed`.
fn strings(v: &Value, allowed: &[&str], what: &str) -> Args {
    let map = v
        .as_object()
        .unwrap_or_else(|| panic!("{what} is not an object"));
    map.iter()
        .map(|(k, v)| {
            assert!(allowed.contains(&k.as_str()), "{what}: unknown key {k:?}");
            let s = v
                .as_str()
                .unwrap_or_else(|| panic!("{what}.{k} is not a string"));
            (k.clone(), s.to_string())
        })
        .collect()
}

fn list(text: &str) -> Vec<&str> {
    text.split(',').filter(|s| !s.is_empty()).collect()
}

fn boolean(text: &str) -> bool {
    match text {
        "true" => true,
        "false" => false,
        other => panic!("{other:?} is not a boolean"),
    }
}

fn terms(text: &str) -> Option<PaymentTerms> {
    match text {
        "store" => None,
        "due_on_receipt" => Some(PaymentTerms::DueOnReceipt),
        t => {
            let (kind, days) = t.split_once(':').expect("terms: kind:days");
            let days = days.parse().expect("terms days");
            Some(match kind {
                "net" => PaymentTerms::Net(days),
                "eom" => PaymentTerms::EndOfMonthPlus(days),
                k => panic!("unknown terms {k:?}"),
            })
        }
    }
}

fn settings(v: &Value) -> StoreSettings {
    const KEYS: &[&str] = &[
        "name",
        "currency",
        "timezone",
        "default_terms",
        "over_limit_tolerance_percent",
        "overdue_hold_days",
        "refunds_to_credit",
        "receipt_less_refunds",
        "auto_apply_credit",
        "aging_buckets",
        "default_credit_limit",
    ];
    let s = strings(v, KEYS, "store");
    let mut st = StoreSettings::new(&s["name"], &s["currency"], &s["timezone"]).unwrap();
    for (k, v) in &s {
        match k.as_str() {
            "default_terms" => st.default_terms = terms(v).expect("store terms"),
            "over_limit_tolerance_percent" => {
                st.policies.over_limit_tolerance_percent = Decimal::from_str_exact(v).unwrap()
            }
            "overdue_hold_days" => st.policies.overdue_hold_days = Some(v.parse().unwrap()),
            "refunds_to_credit" => st.policies.refunds_to_credit = boolean(v),
            "receipt_less_refunds" => st.policies.receipt_less_refunds = boolean(v),
            "auto_apply_credit" => st.policies.auto_apply_credit = boolean(v),
            "default_credit_limit" => st.policies.default_credit_limit = limit_of(v),
            "aging_buckets" => {
                st.aging =
                    AgingBuckets::new(list(v).iter().map(|b| b.parse().unwrap()).collect()).unwrap()
            }
            _ => {}
        }
    }
    st
}

/// One step's arguments, read as the spec says.
struct Step<'a> {
    args: &'a Args,
    currency: Currency,
}

impl Step<'_> {
    fn get(&self, key: &str) -> &str {
        self.args
            .get(key)
            .unwrap_or_else(|| panic!("missing arg {key:?}"))
    }
    fn opt(&self, key: &str) -> Option<&str> {
        self.args.get(key).map(String::as_str)
    }
    fn money(&self, key: &str) -> Money {
        Money::new(
            Decimal::from_str_exact(self.get(key)).unwrap(),
            self.currency,
        )
    }
    fn opt_money(&self, key: &str) -> Option<Money> {
        self.opt(key).map(|_| self.money(key))
    }
    fn instant(&self, key: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(self.get(key))
            .unwrap()
            .to_utc()
    }
    fn date(&self, key: &str) -> NaiveDate {
        self.get(key).parse().unwrap()
    }
    fn ids(&self, key: &str) -> Vec<u64> {
        list(self.opt(key).unwrap_or(""))
            .iter()
            .map(|i| i.parse().unwrap())
            .collect()
    }
    fn limit(&self) -> CreditLimit {
        limit_of(self.get("credit_limit"))
    }
    fn operation(&self) -> Operation {
        let op = Operation::new(self.get("op_id"), self.instant("at"));
        match self.opt("actor") {
            Some(id) => op.by(list(self.opt("permissions").unwrap_or(""))
                .into_iter()
                .fold(Actor::new(id), |a, p| {
                    a.with(Permission::from_name(p).unwrap())
                })),
            None => {
                assert!(
                    self.opt("permissions").is_none(),
                    "permissions need an actor"
                );
                op
            }
        }
    }
    fn customer(&self) -> Customer {
        let mut c = Customer::new(self.get("customer_id"), self.get("customer_name"));
        c.email = self.opt("email").map(str::to_string);
        c
    }
    fn command(&self, op: &str) -> Command {
        let text = |k| self.get(k).to_string();
        let opt = |k| self.opt(k).map(Into::into);
        match op {
            "open_account" => Command::OpenAccount(OpenAccount {
                customer: self.customer(),
                credit_limit: self.opt("credit_limit").map(limit_of),
                terms: terms(self.opt("terms").unwrap_or("store")),
            }),
            "update_contact" => Command::UpdateContact(self.customer()),
            "set_credit_limit" => Command::SetCreditLimit(self.limit()),
            "set_terms" => Command::SetTerms(terms(self.get("terms"))),
            "hold" => Command::Hold {
                reason: self.opt("reason").map(str::to_string),
            },
            "release" => Command::Release,
            "archive" => Command::Archive,
            "reactivate" => Command::Reactivate,
            "charge" => Command::Charge(Charge {
                amount: self.money("amount"),
                sale: opt("sale"),
                due_date: self.opt("due_date").map(|_| self.date("due_date")),
                override_reason: self.opt("override_reason").map(str::to_string),
                invoice_number: opt("invoice_number"),
            }),
            "pay" => Command::Payment(Payment {
                amount: self.money("amount"),
                invoices: self.ids("invoices"),
                reference: opt("reference"),
            }),
            "deposit" => Command::Deposit {
                amount: self.money("amount"),
                reference: opt("reference"),
            },
            "use_credit" => Command::UseCredit {
                amount: self.money("amount"),
                sale: opt("sale"),
            },
            "apply_credit" => Command::ApplyCredit {
                amount: self.money("amount"),
                invoices: self.ids("invoices"),
            },
            "refund_to_credit" => Command::RefundToCredit {
                amount: self.money("amount"),
                sale: opt("sale"),
                sale_total: self.opt_money("sale_total"),
            },
            "refund_credit" => Command::RefundCredit {
                amount: self.money("amount"),
                method: opt("method"),
            },
            "reverse" => Command::Reverse {
                entry: self.get("entry").parse().unwrap(),
                reason: text("reason"),
            },
            "adjust" => Command::Adjust {
                direction: match self.get("direction") {
                    "debit" => Direction::Debit,
                    "credit" => Direction::Credit,
                    d => panic!("unknown direction {d:?}"),
                },
                amount: self.money("amount"),
                reason: text("reason"),
            },
            "write_off" => Command::WriteOff {
                invoice: self.get("invoice").parse().unwrap(),
                amount: self.opt_money("amount"),
                reason: text("reason"),
            },
            other => panic!("unknown op {other:?}"),
        }
    }
}

/// The args each op may have (the spec's tables).
fn allowed_args(op: &str) -> Vec<&'static str> {
    let common = ["account", "op_id", "at", "actor", "permissions"];
    let own: &[&str] = match op {
        "open_account" => &["customer_id", "customer_name", "credit_limit", "terms"],
        "update_contact" => &["customer_id", "customer_name", "email"],
        "set_credit_limit" => &["credit_limit"],
        "set_terms" => &["terms"],
        "hold" => &["reason"],
        "release" | "archive" | "reactivate" => &[],
        "charge" => &[
            "amount",
            "sale",
            "due_date",
            "override_reason",
            "invoice_number",
        ],
        "pay" => &["amount", "invoices", "reference"],
        "deposit" => &["amount", "reference"],
        "use_credit" => &["amount", "sale"],
        "apply_credit" => &["amount", "invoices"],
        "refund_to_credit" => &["amount", "sale", "sale_total"],
        "refund_credit" => &["amount", "method"],
        "reverse" => &["entry", "reason"],
        "adjust" => &["direction", "amount", "reason"],
        "write_off" => &["invoice", "amount", "reason"],
        "max_charge" => return vec!["account", "amount", "at"],
        "summary" | "aging" => return vec!["account", "as_of"],
        other => panic!("unknown op {other:?}"),
    };
    common.iter().chain(own).copied().collect()
}

fn amount_text(d: Decimal) -> String {
    d.to_string()
}

fn outcome_figures(o: &Outcome) -> Args {
    let effect = o.effect().unwrap();
    let allocated: Decimal = o.allocations().iter().map(|a| a.amount).sum();
    let none = || "none".to_string();
    [
        ("first_entry", o.entry().seq.to_string()),
        ("entries", o.entries.len().to_string()),
        ("replayed", o.replayed.to_string()),
        ("invoice", o.invoice().map_or_else(none, |i| i.to_string())),
        (
            "due_date",
            o.due_date().map_or_else(none, |d| d.to_string()),
        ),
        ("owed_change", amount_text(effect.owed)),
        ("credit_change", amount_text(effect.credit)),
        ("allocated", amount_text(allocated)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// A credit limit: an amount or `unlimited`.
fn limit_of(text: &str) -> CreditLimit {
    match text {
        "unlimited" => CreditLimit::Unlimited,
        a => CreditLimit::Amount(Decimal::from_str_exact(a).unwrap()),
    }
}

fn limit_text(l: Option<Decimal>) -> String {
    l.map_or_else(|| "unlimited".to_string(), amount_text)
}

/// Runs one step: its figures, or its error.
fn run(book: &Book, op: &str, step: &Step) -> Result<Args, Error> {
    let account = step.get("account");
    match op {
        "max_charge" => {
            let max = book.max_charge(account, step.money("amount"), step.instant("at"))?;
            Ok([("amount".to_string(), amount_text(max))].into())
        }
        "summary" => {
            let s = book.summary(account, step.date("as_of"))?;
            Ok([
                ("status", s.status.as_str().to_string()),
                ("standing", s.standing.as_str().to_string()),
                ("credit_limit", limit_text(s.credit_limit.amount())),
                ("balance_owed", amount_text(s.balance_owed)),
                ("credit_balance", amount_text(s.credit_balance)),
                ("available", limit_text(s.available)),
                ("overdue", amount_text(s.overdue)),
                ("open_invoices", s.open_invoices.to_string()),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect())
        }
        "aging" => {
            let a = book.aging(account, step.date("as_of"))?;
            let mut figures: Args = a
                .buckets
                .iter()
                .map(|b| (b.range.label(), amount_text(b.amount)))
                .collect();
            figures.insert("total".into(), amount_text(a.total()?));
            Ok(figures)
        }
        _ => {
            let cmd = step.command(op);
            Ok(outcome_figures(&book.execute(
                account,
                &step.operation(),
                &cmd,
            )?))
        }
    }
}

fn is_amount_figure(key: &str) -> bool {
    !matches!(
        key,
        "first_entry"
            | "entries"
            | "replayed"
            | "invoice"
            | "due_date"
            | "status"
            | "standing"
            | "open_invoices"
    )
}

fn same(key: &str, expected: &str, got: &str) -> bool {
    if expected == got {
        return true;
    }
    match (
        Decimal::from_str_exact(expected),
        Decimal::from_str_exact(got),
    ) {
        (Ok(a), Ok(b)) => is_amount_figure(key) && a == b,
        _ => false,
    }
}

fn run_file(path: &Path) -> usize {
    let text = std::fs::read_to_string(path).unwrap();
    let v: Value = serde_json::from_str(&text).unwrap();
    let top = v.as_object().unwrap();
    for k in top.keys() {
        assert!(
            ["name", "description", "store", "steps"].contains(&k.as_str()),
            "unknown key {k}"
        );
    }
    let book = Book::new(settings(&v["store"]));
    let currency = book.settings().currency;
    let steps = v["steps"].as_array().unwrap();
    for (i, s) in steps.iter().enumerate() {
        let where_ = format!("{} step {}", path.display(), i + 1);
        let op = s["op"].as_str().unwrap();
        let args = strings(&s["args"], &allowed_args(op), &where_);
        let step = Step {
            args: &args,
            currency,
        };
        let expect = s["expect"].as_object().unwrap();
        assert_eq!(expect.len(), 1, "{where_}: expect holds one key");
        let got = run(&book, op, &step);
        if let Some(code) = expect.get("error") {
            let code = code.as_u64().unwrap();
            match got {
                Err(e) => assert_eq!(u64::from(e.code()), code, "{where_}: {e}"),
                Ok(f) => panic!("{where_}: expected error {code}, got {f:?}"),
            }
        } else {
            let figures = expect["figures"].as_object().unwrap();
            let got = got.unwrap_or_else(|e| panic!("{where_}: {op} failed: {e}"));
            for (k, want) in figures {
                let want = want.as_str().unwrap();
                let have = got
                    .get(k)
                    .unwrap_or_else(|| panic!("{where_}: {op} has no figure {k:?}"));
                assert!(
                    same(k, want, have),
                    "{where_}: {k} is {have}, expected {want}"
                );
            }
        }
    }
    steps.len()
}

#[test]
fn every_scenario_passes_through_the_core() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    assert!(files.len() >= 3, "scenario files: {files:?}");
    let steps: usize = files.iter().map(|f| run_file(f)).sum();
    assert!(steps > 40);
}
