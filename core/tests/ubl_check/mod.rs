//! Re-reads a statement's UBL XML and checks it against the statement: totals against the
//! lines and the statement, every amount with its currency and exactly its decimals.
#![allow(dead_code)]

use creditbook::Statement;
use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};
use rust_decimal::Decimal;

/// One element of a document: its path from the root (`Statement/cac:StatementLine/cbc:ID`),
/// attributes and text.
#[derive(Debug)]
pub struct El {
    pub path: String,
    pub attrs: Vec<(String, String)>,
    pub text: String,
}

impl El {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn amount(&self) -> Decimal {
        self.text.parse().unwrap()
    }
}

/// Every element of `xml`, in document order.
pub fn parse(xml: &str) -> Vec<El> {
    let mut reader = Reader::from_str(xml);
    let (mut out, mut open) = (Vec::<El>::new(), Vec::<usize>::new());
    loop {
        let text = match reader.read_event().unwrap() {
            Event::Start(e) => {
                let name = e.name().as_ref().to_string();
                let path = match open.last() {
                    Some(&i) => format!("{}/{name}", out[i].path),
                    None => name,
                };
                let attrs = e
                    .attributes()
                    .map(|a| {
                        let a = a.unwrap();
                        let key = a.key.as_ref().to_string();
                        (
                            key,
                            a.normalized_value(XmlVersion::Explicit1_0)
                                .unwrap()
                                .into_owned(),
                        )
                    })
                    .collect();
                open.push(out.len());
                out.push(El {
                    path,
                    attrs,
                    text: String::new(),
                });
                continue;
            }
            Event::End(_) => {
                open.pop();
                continue;
            }
            Event::Text(t) => t.xml10_content().into_owned(),
            Event::GeneralRef(r) => match r.resolve_char_ref().unwrap() {
                Some(c) => c.to_string(),
                None => quick_xml::escape::resolve_predefined_entity(&r)
                    .unwrap()
                    .to_string(),
            },
            Event::Empty(_) => panic!("the writer leaves no element empty"),
            Event::Eof => return out,
            _ => continue,
        };
        if let Some(&i) = open.last() {
            out[i].text.push_str(&text);
        }
    }
}

pub fn all<'a>(els: &'a [El], path: &str) -> Vec<&'a El> {
    els.iter().filter(|e| e.path == path).collect()
}

pub fn one<'a>(els: &'a [El], path: &str) -> &'a El {
    match all(els, path)[..] {
        [e] => e,
        ref found => panic!("{} elements at {path}", found.len()),
    }
}

pub const LINE: &str = "Statement/cac:StatementLine";

/// Renders `st` and checks the XML against it; returns the XML.
pub fn checked(st: &Statement) -> String {
    let xml = st.to_ubl_xml().unwrap();
    let els = parse(&xml);
    let cur = st.currency;
    for e in els.iter().filter(|e| e.path.ends_with("Amount")) {
        assert_eq!(e.attr("currencyID"), Some(cur.code()), "{}", e.path);
        let decimals = e.text.split_once('.').map_or(0, |(_, f)| f.len());
        assert_eq!(decimals as u32, cur.exponent(), "{} {}", e.path, e.text);
    }
    let total = |name: &str| one(&els, &format!("Statement/cbc:{name}")).amount();
    let sum = |name: &str| -> Decimal {
        all(&els, &format!("{LINE}/cbc:{name}"))
            .iter()
            .map(|e| e.amount())
            .sum()
    };
    let balances = all(&els, &format!("{LINE}/cbc:BalanceAmount"));
    assert_eq!(total("TotalBalanceAmount"), st.closing_balance);
    assert_eq!(balances.last().unwrap().amount(), st.closing_balance);
    assert_eq!(balances[0].amount(), st.opening_balance);
    assert_eq!(sum("DebitLineAmount"), total("TotalDebitAmount"));
    assert_eq!(sum("CreditLineAmount"), total("TotalCreditAmount"));
    assert_eq!(total("TotalDebitAmount"), st.total_charges);
    assert_eq!(total("TotalCreditAmount"), st.total_credits);
    let count = all(&els, LINE).len();
    assert_eq!(count, st.lines.len() + 1);
    assert_eq!(
        one(&els, "Statement/cbc:LineCountNumeric").text,
        count.to_string()
    );
    let forward = one(&els, &format!("{LINE}/cbc:BalanceBroughtForwardIndicator"));
    assert_eq!(forward.text, "true");
    let terms = "Statement/cac:PaymentTerms";
    assert_eq!(
        one(&els, &format!("{terms}/cbc:Amount")).amount(),
        st.amount_due
    );
    let due = &one(&els, &format!("{terms}/cbc:PaymentDueDate")).text;
    assert_eq!(due, &st.due_date.to_string());
    let name = "Statement/cac:AccountingCustomerParty/cac:Party/cac:PartyName/cbc:Name";
    assert_eq!(one(&els, name).text, st.customer.name);
    xml
}
