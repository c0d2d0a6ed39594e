//! The statement JSON (schema 1): it parses back, keeps its snapshot, writes amounts as strings
//! at the currency's scale, and docs/statement-json.md documents every key it writes.
mod fixtures;

use creditbook::statement::PaymentLinkShown;
use creditbook::Statement;
use serde_json::Value;

/// Every object key in `v`, recursively.
fn keys(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => m.iter().for_each(|(k, v)| {
            out.push(k.clone());
            keys(v, out);
        }),
        Value::Array(a) => a.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

/// The fixture's November statement in `language`.
fn november(language: &str) -> Statement {
    let settings = fixtures::settings("CAD", "America/Montreal");
    fixtures::november(&fixtures::book(settings, "Marie Tremblay", "fr"), language)
}

#[test]
fn fixture_json() {
    let st = november("en");
    let json = st.to_json();
    let v: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["schema"], 1);
    assert_eq!(v["currency"], "CAD");
    assert_eq!(v["closing_balance"], "919.76");
    assert_eq!(v["lines"][0]["charge"], "89.99");
    assert_eq!(v["statement_date"], "2026-11-30");
    insta::assert_snapshot!("fixture_en", json);
}

#[test]
fn every_key_is_documented() {
    let mut st = november("fr");
    st.payment_link = Some(PaymentLinkShown {
        url: "https://pay.example/p".into(),
        amount: st.amount_due,
        expires_at: None,
    });
    let v: Value = serde_json::from_str(&st.to_json()).unwrap();
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../docs/statement-json.md"
    ))
    .unwrap();
    let mut found = Vec::new();
    keys(&v, &mut found);
    let missing: Vec<_> = found
        .iter()
        .filter(|k| !doc.contains(&format!("`{k}`")) && !doc.contains(&format!("\"{k}\"")))
        .collect();
    assert!(missing.is_empty(), "undocumented keys: {missing:?}");
}
