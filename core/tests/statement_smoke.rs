mod fixtures;

#[test]
fn november_statement_figures() {
    let book = fixtures::book(
        fixtures::settings("CAD", "America/Montreal"),
        "Marie Tremblay",
        "fr",
    );
    let st = fixtures::november(&book, "en");
    println!("{}", st.to_json());
    assert_eq!(
        st.closing_balance,
        st.opening_balance + st.total_charges - st.total_credits
    );
}
