//! What the shop reads, through the public `Book` API: summary and standing, open invoices, aging,
//! activity, the accounts list, business dates in the store's time zone, and the conservation of
//! balances over a mixed scenario.

mod common;

use common::*;
use creditbook::{
    AccountStatus, AccountSummary, AccountsQuery, ActivityQuery, AgeRange, AgingBuckets,
    CreditLimit, Direction, EntryType, Error, OpenInvoice, PaymentTerms, SortKey, Standing,
};
use rust_decimal::Decimal;

// ---- summary and standing ----

#[test]
fn standing_goes_from_settled_to_outstanding_to_overdue_the_day_after_the_due_date() {
    let shop = Shop::with_account("500");
    assert_eq!(shop.summary().standing, Standing::Settled);
    shop.charge("100").unwrap(); // due 04-01
    shop.go_to(day(2026, 3, 20));
    shop.charge_due("50", day(2026, 4, 20)).unwrap();
    let on = |d| shop.book.summary(ACCOUNT, d).unwrap();
    let figures = |s: AccountSummary| (s.standing, s.balance_owed, s.overdue);
    assert_eq!(
        figures(on(day(2026, 4, 1))),
        (Standing::Outstanding, dec("150"), dec("0"))
    );
    assert_eq!(
        figures(on(day(2026, 4, 2))),
        (Standing::Overdue, dec("150"), dec("100"))
    );
    assert_eq!(
        figures(on(day(2026, 4, 21))),
        (Standing::Overdue, dec("150"), dec("150"))
    );
    shop.go_to(day(2026, 4, 21));
    shop.pay("150").unwrap();
    assert_eq!(
        figures(shop.summary()),
        (Standing::Settled, dec("0"), dec("0"))
    );
}

#[test]
fn figures_of_a_past_date_come_from_the_entries_up_to_that_date() {
    let shop = Shop::with_account("500");
    shop.charge("100").unwrap();
    shop.go_to(day(2026, 3, 10));
    shop.pay("40").unwrap();
    let owed = |d| shop.book.summary(ACCOUNT, d).map(|s| s.balance_owed);
    assert_eq!(owed(day(2026, 3, 9)), Ok(dec("100")));
    assert_eq!(owed(day(2026, 3, 10)), Ok(dec("60")));
    assert_eq!(
        owed(day(2026, 3, 1)),
        Err(Error::UnknownAccount {
            account: ACCOUNT.into()
        })
    );
}

#[test]
fn available_credit_is_never_shown_below_zero_and_is_none_when_unlimited() {
    let shop = Shop::with_account("500");
    shop.charge("400").unwrap();
    assert_eq!(shop.summary().available, Some(dec("100")));
    shop.set_limit(manager(), limit("100")).unwrap();
    assert_eq!(shop.summary().available, Some(dec("0")));
    shop.set_limit(manager(), CreditLimit::Unlimited).unwrap();
    assert_eq!(shop.summary().available, None);
}

#[test]
fn open_invoices_tell_days_past_due() {
    let shop = Shop::with_account("500");
    let a = shop.invoice_for("100", "S-1"); // due 04-01
    shop.go_to(day(2026, 3, 10));
    let b = shop.invoice("40"); // due 04-09
    shop.pay("30").unwrap();
    let listed = shop.book.open_invoices(ACCOUNT, day(2026, 4, 5)).unwrap();
    let expected = vec![
        OpenInvoice {
            id: a,
            number: a.to_string(),
            sale: Some("S-1".into()),
            date: day(2026, 3, 2),
            due_date: day(2026, 4, 1),
            amount: dec("100"),
            remaining: dec("70"),
            days_past_due: 4,
        },
        OpenInvoice {
            id: b,
            number: b.to_string(),
            sale: None,
            date: day(2026, 3, 10),
            due_date: day(2026, 4, 9),
            amount: dec("40"),
            remaining: dec("40"),
            days_past_due: -4,
        },
    ];
    assert_eq!(listed, expected);
}

#[test]
fn a_zero_figure_is_never_shown_as_minus_zero() {
    let shop = Shop::with_account("500");
    shop.deposit("10").unwrap();
    let s = shop.summary();
    let shown = |d: Decimal| d.to_string();
    assert_eq!(
        (shown(s.balance_owed), shown(s.overdue)),
        ("0.00".to_string(), "0.00".to_string())
    );
    let inv = shop.invoice("10");
    let write_off = shop.write_off(inv, None).unwrap();
    let reversal = shop.reverse(write_off.seq()).unwrap();
    assert!(
        reversal
            .entry()
            .to_record()
            .contains(r#""credit_delta":"0""#),
        "{}",
        reversal.entry().to_record()
    );
    let minus_zero = |d: Decimal| d.is_zero() && d.is_sign_negative();
    let all = ActivityQuery::between(opening_day(), opening_day());
    for line in shop.book.activity(ACCOUNT, &all).unwrap() {
        let effect = line.entry.effect().unwrap();
        let figures = [
            line.owed_after,
            line.credit_after,
            effect.owed,
            effect.credit,
        ];
        assert!(!figures.into_iter().any(minus_zero), "{line:?}");
    }
}

// ---- aging ----

/// A due-on-receipt account with one invoice per (days before `as_of`, amount).
fn aged_shop(shop: Shop, as_of: chrono::NaiveDate, ages: &[(u64, &str)]) -> Shop {
    let first = as_of - chrono::Days::new(ages[0].0);
    shop.go_to(first);
    let shop = Shop::with_account_in(shop, limit("10000"));
    for (age, amount) in ages {
        shop.go_to(as_of - chrono::Days::new(*age));
        shop.charge(amount).unwrap();
    }
    shop
}

fn on_receipt(shop: &mut creditbook::StoreSettings) {
    shop.default_terms = PaymentTerms::DueOnReceipt;
}

fn aging_of(shop: &Shop, as_of: chrono::NaiveDate) -> Vec<(String, Decimal)> {
    let aging = shop.book.aging(ACCOUNT, as_of).unwrap();
    assert_eq!(
        aging.total().unwrap(),
        shop.book.summary(ACCOUNT, as_of).unwrap().balance_owed,
        "the buckets sum to the balance owed"
    );
    aging
        .buckets
        .iter()
        .map(|b| (b.range.label(), b.amount))
        .collect()
}

fn buckets(labels: &[&str], amounts: &[&str]) -> Vec<(String, Decimal)> {
    assert_eq!(labels.len(), amounts.len());
    let pairs = labels.iter().zip(amounts);
    pairs.map(|(l, a)| (l.to_string(), dec(a))).collect()
}

#[test]
fn aging_puts_each_invoice_in_its_bucket_and_sums_to_the_balance_owed() {
    let as_of = day(2026, 6, 30);
    let ages = [
        (91, "128"),
        (90, "64"),
        (61, "32"),
        (60, "16"),
        (31, "8"),
        (30, "4"),
        (1, "2"),
        (0, "1"),
    ];
    let shop = aged_shop(Shop::with(on_receipt), as_of, &ages);
    let labels = ["current", "1-30", "31-60", "61-90", "over 90"];
    let expected = buckets(&labels, &["1", "6", "24", "96", "128"]);
    assert_eq!(aging_of(&shop, as_of), expected);
    shop.pay("100").unwrap(); // the oldest first
    let after = buckets(&labels, &["1", "6", "24", "96", "28"]);
    assert_eq!(aging_of(&shop, as_of), after);
}

#[test]
fn aging_buckets_can_be_the_stores_own() {
    let custom = Shop::with(|s| {
        on_receipt(s);
        s.aging = AgingBuckets::new(vec![15, 45]).unwrap();
    });
    let as_of = day(2026, 6, 30);
    let shop = aged_shop(custom, as_of, &[(46, "100"), (16, "20"), (15, "3")]);
    shop.charge_due("0.50", day(2026, 7, 15)).unwrap(); // not yet due
    let labels = ["current", "1-15", "16-45", "over 45"];
    let expected = buckets(&labels, &["0.50", "3", "20", "100"]);
    assert_eq!(aging_of(&shop, as_of), expected);
    let ranges: Vec<AgeRange> = shop
        .book
        .aging(ACCOUNT, as_of)
        .unwrap()
        .buckets
        .iter()
        .map(|b| b.range)
        .collect();
    assert_eq!(
        ranges,
        vec![
            AgeRange::Current,
            AgeRange::Between { from: 1, to: 15 },
            AgeRange::Between { from: 16, to: 45 },
            AgeRange::Over { days: 45 }
        ]
    );
}

// ---- activity ----

#[test]
fn activity_lists_the_entries_between_two_dates_with_the_balances_after_each() {
    let shop = Shop::with_account("500");
    shop.charge("100").unwrap(); // 2, 03-02
    shop.go_to(day(2026, 3, 5));
    shop.deposit("30").unwrap(); // 3
    shop.go_to(day(2026, 3, 9));
    shop.pay("60").unwrap(); // 4
    shop.go_to(day(2026, 3, 12));
    shop.use_credit("10", None).unwrap(); // 5
    shop.go_to(day(2026, 3, 15));
    shop.charge("20").unwrap(); // 6
    let lines = |from, to, types: &[EntryType]| {
        let query = ActivityQuery {
            from,
            to,
            types: types.to_vec(),
        };
        let lines = shop.book.activity(ACCOUNT, &query).unwrap();
        let row = |l: &creditbook::ActivityLine| (l.entry.seq, l.owed_after, l.credit_after);
        lines.iter().map(row).collect::<Vec<_>>()
    };
    let rows = |list: &[(u64, &str, &str)]| -> Vec<(u64, Decimal, Decimal)> {
        list.iter().map(|(s, o, c)| (*s, dec(o), dec(c))).collect()
    };
    let march_5_to_12 = rows(&[(3, "100", "30"), (4, "40", "30"), (5, "40", "20")]);
    assert_eq!(lines(day(2026, 3, 5), day(2026, 3, 12), &[]), march_5_to_12);
    assert_eq!(
        lines(day(2026, 3, 5), day(2026, 3, 5), &[]),
        rows(&[(3, "100", "30")])
    );
    let money_in_and_out = [EntryType::Payment, EntryType::Charge];
    assert_eq!(
        lines(day(2026, 3, 1), day(2026, 3, 31), &money_in_and_out),
        rows(&[(2, "100", "0"), (4, "40", "30"), (6, "60", "20")])
    );
    let query = ActivityQuery::between(day(2026, 3, 5), day(2026, 3, 5));
    let line = &shop.book.activity(ACCOUNT, &query).unwrap()[0];
    assert_eq!(line.entry_type(), EntryType::Deposit);
    assert_eq!(
        (line.entry.kind.amount(), line.entry.kind.reference()),
        (Some(dec("30")), Some("layaway"))
    );
    let backwards = ActivityQuery::between(day(2026, 3, 12), day(2026, 3, 5));
    assert_eq!(
        shop.book.activity(ACCOUNT, &backwards),
        Err(Error::InvalidDateRange {
            from: day(2026, 3, 12),
            to: day(2026, 3, 5)
        })
    );
}

#[test]
fn a_refund_without_receipt_is_flagged_in_the_activity() {
    let shop = Shop::with_account("500");
    shop.refund("25", None, None).unwrap();
    let query = ActivityQuery {
        types: vec![EntryType::RefundToCredit],
        ..ActivityQuery::between(opening_day(), opening_day())
    };
    let lines = shop.book.activity(ACCOUNT, &query).unwrap();
    assert_eq!(lines.len(), 1);
    assert!(matches!(
        lines[0].entry.kind,
        creditbook::EntryKind::RefundToCredit {
            receipt_less: true,
            ..
        }
    ));
    assert_eq!(lines[0].credit_after, dec("25"));
}

// ---- the accounts list ----

/// Five accounts on 2026-04-15:
/// A-1 Marie Tremblay   limit 500   owes 100, all overdue        active
/// A-2 Jean Côté        limit 1000  owes 300, not due, credit 50 active
/// A-3 marc-andré Roy   unlimited   settled, credit 10           active
/// A-4 Sophie Martin    limit 0     settled, credit 75           on hold
/// A-5 Luc Tremblay     limit 200   owes 50, all overdue         archived
fn list_shop() -> Shop {
    let shop = Shop::new();
    let open = |id: &'static str, name: &str, limit: CreditLimit| {
        shop.open(id, name, limit).unwrap();
        shop.select(id);
    };
    open("A-1", "Marie Tremblay", limit("500"));
    shop.charge("100").unwrap();
    open("A-5", "Luc Tremblay", limit("200"));
    shop.charge("50").unwrap();
    shop.book.archive("A-5", &shop.op()).unwrap();
    shop.go_to(day(2026, 4, 1));
    open("A-2", "Jean Côté", limit("1000"));
    shop.charge("300").unwrap();
    shop.deposit("50").unwrap();
    open("A-3", "marc-andré Roy", CreditLimit::Unlimited);
    shop.deposit("10").unwrap();
    open("A-4", "Sophie Martin", limit("0"));
    shop.deposit("75").unwrap();
    shop.hold().unwrap();
    shop.go_to(day(2026, 4, 15));
    shop
}

fn ids(shop: &Shop, query: &AccountsQuery) -> Vec<String> {
    let rows = shop.book.accounts(query).unwrap();
    rows.iter().map(|r| r.account_id.to_string()).collect()
}

fn april_15() -> AccountsQuery {
    AccountsQuery::on(day(2026, 4, 15))
}

#[test]
fn the_accounts_list_shows_every_figure_per_account() {
    let shop = list_shop();
    let rows = shop.book.accounts(&april_15()).unwrap();
    let figures: Vec<_> = rows
        .iter()
        .map(|r| {
            (
                r.account_id.as_str(),
                r.customer.name.as_str(),
                r.status,
                r.standing,
                r.balance_owed,
                r.overdue,
                r.credit_balance,
                r.credit_limit,
                r.available,
            )
        })
        .collect();
    use AccountStatus::*;
    use Standing::*;
    let (d, l) = (dec, limit);
    assert_eq!(
        figures,
        vec![
            (
                "A-1",
                "Marie Tremblay",
                Active,
                Overdue,
                d("100"),
                d("100"),
                d("0"),
                l("500"),
                Some(d("400"))
            ),
            (
                "A-2",
                "Jean Côté",
                Active,
                Outstanding,
                d("300"),
                d("0"),
                d("50"),
                l("1000"),
                Some(d("700"))
            ),
            (
                "A-3",
                "marc-andré Roy",
                Active,
                Settled,
                d("0"),
                d("0"),
                d("10"),
                CreditLimit::Unlimited,
                None
            ),
            (
                "A-4",
                "Sophie Martin",
                OnHold,
                Settled,
                d("0"),
                d("0"),
                d("75"),
                l("0"),
                Some(d("0"))
            ),
            (
                "A-5",
                "Luc Tremblay",
                Archived,
                Overdue,
                d("50"),
                d("50"),
                d("0"),
                l("200"),
                Some(d("150"))
            ),
        ]
    );
}

#[test]
fn the_accounts_list_filters_by_standing_and_status() {
    let shop = list_shop();
    let by = |standing: Option<Standing>, status: Option<AccountStatus>| {
        let query = AccountsQuery {
            standing,
            status,
            ..april_15()
        };
        ids(&shop, &query)
    };
    assert_eq!(by(Some(Standing::Overdue), None), ["A-1", "A-5"]);
    assert_eq!(by(Some(Standing::Outstanding), None), ["A-2"]);
    assert_eq!(by(Some(Standing::Settled), None), ["A-3", "A-4"]);
    assert_eq!(by(None, Some(AccountStatus::Active)), ["A-1", "A-2", "A-3"]);
    assert_eq!(by(None, Some(AccountStatus::OnHold)), ["A-4"]);
    assert_eq!(by(None, Some(AccountStatus::Archived)), ["A-5"]);
    let overdue_active = by(Some(Standing::Overdue), Some(AccountStatus::Active));
    assert_eq!(overdue_active, ["A-1"]);
    // On an earlier date the list has the accounts open then, with their figures then.
    let march_2 = AccountsQuery::on(day(2026, 3, 2));
    assert_eq!(ids(&shop, &march_2), ["A-1", "A-5"]);
    let rows = shop.book.accounts(&march_2).unwrap();
    assert_eq!(rows[1].status, AccountStatus::Archived);
    assert!(ids(&shop, &AccountsQuery::on(day(2026, 3, 1))).is_empty());
}

#[test]
fn the_accounts_list_searches_customer_names_case_insensitively() {
    let shop = list_shop();
    let search = |text: &str| {
        let query = AccountsQuery {
            search: Some(text.into()),
            ..april_15()
        };
        ids(&shop, &query)
    };
    assert_eq!(search("tremblay"), ["A-1", "A-5"]);
    assert_eq!(search("TREMBLAY"), ["A-1", "A-5"]);
    assert_eq!(search("MARC-André"), ["A-3"]);
    assert_eq!(search("côté"), ["A-2"]);
    assert!(search("zzz").is_empty());
}

#[test]
fn the_accounts_list_sorts_by_each_figure_both_ways() {
    let shop = list_shop();
    let cases = [
        (SortKey::AccountId, ["A-1", "A-2", "A-3", "A-4", "A-5"]),
        // Case-insensitive: "marc-andré" sorts among the M's.
        (SortKey::CustomerName, ["A-2", "A-5", "A-3", "A-1", "A-4"]),
        (SortKey::BalanceOwed, ["A-3", "A-4", "A-5", "A-1", "A-2"]),
        (SortKey::Overdue, ["A-2", "A-3", "A-4", "A-5", "A-1"]),
        (SortKey::CreditBalance, ["A-1", "A-5", "A-3", "A-2", "A-4"]),
        // Unlimited sorts above every amount.
        (SortKey::CreditLimit, ["A-4", "A-5", "A-1", "A-2", "A-3"]),
        (SortKey::Available, ["A-4", "A-5", "A-1", "A-2", "A-3"]),
    ];
    for (sort, ascending) in cases {
        let query = AccountsQuery { sort, ..april_15() };
        assert_eq!(ids(&shop, &query), ascending, "{sort:?}");
        let descending = AccountsQuery {
            descending: true,
            ..query
        };
        let mut reversed = ascending.to_vec();
        reversed.reverse();
        assert_eq!(ids(&shop, &descending), reversed, "{sort:?} descending");
    }
}

// ---- dates ----

#[test]
fn the_store_time_zone_decides_the_business_date_at_the_end_of_a_month() {
    let shop = Shop::opened_on(day(2026, 10, 1), limit("500"));
    let late = local(2026, 10, 31, 23, 30); // EDT
    assert_eq!(late, utc(2026, 11, 1, 3, 30));
    let charged = shop.charge_at(late, "80");
    let e = charged.entry();
    assert_eq!((e.at, e.date), (late, day(2026, 10, 31)));
    assert_eq!(charged.due_date(), Some(day(2026, 11, 30))); // net 30
    let in_month = |from, to| {
        let query = ActivityQuery::between(from, to);
        shop.book.activity(ACCOUNT, &query).unwrap().len()
    };
    assert_eq!(in_month(day(2026, 10, 1), day(2026, 10, 31)), 2);
    assert_eq!(in_month(day(2026, 11, 1), day(2026, 11, 30)), 0);
}

#[test]
fn business_dates_follow_the_daylight_saving_change() {
    // Montreal leaves daylight time at 02:00 EDT on 2026-11-01 (UTC-4, then UTC-5).
    let shop = Shop::opened_on(day(2026, 10, 1), CreditLimit::Unlimited);
    let dated = |at| shop.charge_at(at, "1").entry().date;
    assert_eq!(dated(utc(2026, 10, 31, 3, 30)), day(2026, 10, 30)); // 23:30 EDT
    assert_eq!(dated(utc(2026, 10, 31, 4, 30)), day(2026, 10, 31)); // 00:30 EDT
    assert_eq!(dated(utc(2026, 11, 1, 5, 30)), day(2026, 11, 1)); // 01:30 EDT
    assert_eq!(dated(utc(2026, 11, 1, 6, 30)), day(2026, 11, 1)); // 01:30 EST, again
    assert_eq!(dated(utc(2026, 11, 2, 4, 30)), day(2026, 11, 1)); // 23:30 EST
    assert_eq!(dated(utc(2026, 11, 2, 5, 30)), day(2026, 11, 2)); // 00:30 EST
}

#[test]
fn a_late_entry_is_dated_no_earlier_than_the_latest_one() {
    let shop = Shop::with_account("500");
    shop.go_to(day(2026, 3, 10));
    shop.charge("10").unwrap();
    // An offline till's sale of 03-08 reaches the ledger after the charge of 03-10.
    let op = shop.op_at(noon(day(2026, 3, 8))).by(manager());
    let late = shop.book.deposit(ACCOUNT, &op, money("5"), None).unwrap();
    assert_eq!(late.entry().date, day(2026, 3, 10));
}

#[test]
fn due_dates_follow_the_terms_from_the_store_local_invoice_date() {
    let shop = Shop::opened_on(day(2026, 1, 20), CreditLimit::Unlimited);
    let due = |terms: PaymentTerms, on: chrono::NaiveDate| {
        shop.set_terms(terms);
        shop.go_to(on);
        shop.charge("1").unwrap().due_date().unwrap()
    };
    assert_eq!(
        due(PaymentTerms::Net(30), day(2026, 1, 20)),
        day(2026, 2, 19)
    );
    assert_eq!(
        due(PaymentTerms::Net(30), day(2026, 1, 31)),
        day(2026, 3, 2)
    );
    let eom = PaymentTerms::EndOfMonthPlus;
    assert_eq!(due(eom(10), day(2026, 2, 3)), day(2026, 3, 10));
    assert_eq!(due(eom(0), day(2026, 2, 14)), day(2026, 2, 28));
    assert_eq!(due(eom(15), day(2026, 12, 5)), day(2027, 1, 15));
    assert_eq!(
        due(PaymentTerms::DueOnReceipt, day(2026, 12, 6)),
        day(2026, 12, 6)
    );
    // Back to the store's terms, which a store may set to end of month.
    let store = Shop::with(|s| s.default_terms = PaymentTerms::EndOfMonthPlus(10));
    let store = Shop::with_account_in(store, limit("100"));
    assert_eq!(
        store.charge("1").unwrap().due_date(),
        Some(day(2026, 4, 10))
    );
    let fee = store.adjust(Direction::Debit, "2").unwrap();
    assert_eq!(fee.due_date(), Some(day(2026, 4, 10)));
}

// ---- conservation ----

#[test]
fn balances_are_conserved_over_a_mixed_scenario() {
    let shop = mixed_scenario();
    let s = shop.summary();
    assert_eq!(
        (s.balance_owed, s.credit_balance),
        (dec("70"), dec("97.50"))
    );
    let entries = shop.book.entries(ACCOUNT).unwrap();
    let (mut owed, mut credit) = (Decimal::ZERO, Decimal::ZERO);
    for e in &entries {
        let effect = e.effect().unwrap();
        owed += effect.owed;
        credit += effect.credit;
    }
    assert_eq!(s.balance_owed - s.credit_balance, owed - credit);
    assert_eq!((s.balance_owed, s.credit_balance), (owed, credit));
    let open = shop.book.open_invoices(ACCOUNT, shop.today()).unwrap();
    let remaining: Decimal = open.iter().map(|i| i.remaining).sum();
    assert_eq!(remaining, s.balance_owed);
    assert_eq!(
        shop.open_items(),
        items(&[(5, "15"), (14, "15"), (6, "40")])
    );
    let aging = shop.book.aging(ACCOUNT, shop.today()).unwrap();
    assert_eq!(aging.total().unwrap(), s.balance_owed);
    let all = ActivityQuery::between(opening_day(), shop.today());
    let last = shop.book.activity(ACCOUNT, &all).unwrap().pop().unwrap();
    assert_eq!((last.owed_after, last.credit_after), (owed, credit));
}
