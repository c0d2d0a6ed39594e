mod fixtures;

#[test]
fn november_statement_figures() {
    let book = fixtures::book(
        fixtures::settings("CAD", "America/Montreal"),
        "Marie Tremblay",
        "fr",
    );
    let st = fixtures::november(&book, "en");
    let d = |s: &str| rust_decimal::Decimal::from_str_exact(s).unwrap();
    // By hand, from the fixture's entries (oldest due date first):
    // opening 415.20 + 1,234.56 - 300.00 = 1,349.76; November's charges 89.99 + 45.00 + 19.95;
    // credits: the refund of 29.99 on the open S-1103, the payment of 500.00, the 5.00 price
    // match, the 19.95 reversal, 20.00 of store credit applied, the 10.00 write-off (the 10.00 of
    // credit paid out in cash moves only the store credit). Store credit: 150.00 deposit - 40.00
    // tender + 12.50 receipt-less refund - 20.00 applied - 10.00 paid out.
    assert_eq!(st.opening_balance, d("1349.76"));
    assert_eq!(st.total_charges, d("154.94"));
    assert_eq!(st.total_credits, d("584.94"));
    assert_eq!(st.closing_balance, d("919.76"));
    assert_eq!(st.credit_balance, d("92.50"));
    // The lines of every kind are there: credit applied, credit paid out, a write-off.
    let kinds: Vec<_> = st.lines.iter().map(|l| l.kind.as_str()).collect();
    for kind in [
        "credit_applied",
        "credit_refund",
        "write_off",
        "reversal",
        "credit_tender",
    ] {
        assert!(kinds.contains(&kind), "{kind} missing from {kinds:?}");
    }
}
