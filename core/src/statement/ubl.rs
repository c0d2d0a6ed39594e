//! The statement as an OASIS UBL 2.1 `Statement` document.
//!
//! Elements follow the schema's `xsd:sequence` order (`UBL-Statement-2.1.xsd`); `make ubl`
//! validates samples against the official XSD. The mapping:
//! - balances are owed by the customer: positive means the customer owes. The first
//!   `StatementLine` (`ID` 0, `BalanceBroughtForwardIndicator`) carries the opening balance; each
//!   entry line has its entry number as `ID`, `DebitLineAmount` (charge), `CreditLineAmount`
//!   (credit) and the running `BalanceAmount`. `TotalBalanceAmount` is the closing balance.
//! - `PaymentTerms` carries the amount due and due date; `PaymentMeans` are cheque (UNCL4461
//!   `20`) and, with a payment link, online payment service (`68`). `PayeeParty` is "make
//!   cheques payable to" and the remittance address.
//! - what UBL has no element for (store credit, credit limit, aging, open invoices, the payment
//!   link's amount) is in `ext:UBLExtensions`, under [`UBL_EXTENSION_NS`].
//!
//! Every amount has a `currencyID` and exactly the currency's decimals; every text is escaped.

use chrono::NaiveDate;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;
use rust_decimal::Decimal;

use super::{Statement, StatementLine};
use crate::account::{CreditLimit, PostalAddress};
use crate::entry::EntryType;
use crate::error::{Error, Result};
use crate::figures::AgeRange;
use crate::i18n::Localizer;

/// `cbc:CustomizationID` of creditbook's statements.
pub const UBL_CUSTOMIZATION_ID: &str = "urn:creditbook:statement:1";
/// Namespace of creditbook's elements inside `ext:ExtensionContent` (prefix `cb`).
pub const UBL_EXTENSION_NS: &str = "urn:creditbook:ubl-extension:1";

const NAMESPACES: [(&str, &str); 4] = [
    (
        "xmlns",
        "urn:oasis:names:specification:ubl:schema:xsd:Statement-2",
    ),
    (
        "xmlns:cac",
        "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    ),
    (
        "xmlns:cbc",
        "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    ),
    (
        "xmlns:ext",
        "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    ),
];

/// UN/CEFACT 4461 payment means: cheque, online payment service.
const CHEQUE: &str = "20";
const ONLINE: &str = "68";

type Written = Result<()>;

/// A UBL document being written: the XML writer and what every element needs.
struct Doc<'a> {
    w: Writer<Vec<u8>>,
    st: &'a Statement,
    loc: Localizer,
}

/// Refuses text XML 1.0 cannot hold (control characters other than tab and line breaks).
fn xml_text(s: &str) -> Result<&str> {
    match s.chars().find(|&c| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{FFFE}' | '\u{FFFF}')
    }) {
        Some(c) => Err(Error::invalid(
            "statement text",
            format!("{c:?} cannot be written in XML"),
        )),
        None => Ok(s),
    }
}

fn written(r: std::io::Result<()>) -> Written {
    r.map_err(|e| Error::invalid("UBL XML", e.to_string()))
}

impl Doc<'_> {
    fn start(&mut self, name: &str, attrs: &[(&str, &str)]) -> Written {
        let mut e = BytesStart::new(name);
        for &(k, v) in attrs {
            e.push_attribute((k, xml_text(v)?));
        }
        written(self.w.write_event(Event::Start(e)))
    }

    fn end(&mut self, name: &str) -> Written {
        written(self.w.write_event(Event::End(BytesEnd::new(name))))
    }

    /// `<name attrs>f</name>`.
    fn nest(
        &mut self,
        name: &str,
        attrs: &[(&str, &str)],
        f: impl FnOnce(&mut Self) -> Written,
    ) -> Written {
        self.start(name, attrs)?;
        f(self)?;
        self.end(name)
    }

    /// `<name attrs>text</name>`, escaped.
    fn el(&mut self, name: &str, attrs: &[(&str, &str)], text: &str) -> Written {
        let text = BytesText::new(xml_text(text)?);
        self.nest(name, attrs, |d| written(d.w.write_event(Event::Text(text))))
    }

    /// An element of text, left out when the text is blank.
    fn text(&mut self, name: &str, text: &str) -> Written {
        if text.trim().is_empty() {
            return Ok(());
        }
        self.el(name, &[], text)
    }

    /// A `cbc:Note` in the statement's language.
    fn note(&mut self, text: &str) -> Written {
        self.el("cbc:Note", &[("languageID", self.st.language.code())], text)
    }

    /// An amount: `currencyID`, `.` and exactly the currency's decimals.
    fn amount(&mut self, name: &str, amount: Decimal) -> Written {
        let cur = self.st.currency;
        let a = cur.at_scale(cur.normalize(amount)?).to_string();
        self.el(name, &[("currencyID", cur.code())], &a)
    }

    fn date(&mut self, name: &str, date: NaiveDate) -> Written {
        self.el(name, &[], &date.format("%Y-%m-%d").to_string())
    }

    fn document(&mut self) -> Written {
        let st = self.st;
        self.extension()?;
        self.el("cbc:UBLVersionID", &[], "2.1")?;
        self.el("cbc:CustomizationID", &[], UBL_CUSTOMIZATION_ID)?;
        self.el("cbc:ID", &[], &st.number)?;
        self.date("cbc:IssueDate", st.statement_date)?;
        self.note(&self.loc.text("statement-title"))?;
        self.text("cbc:Note", &st.store.header_text)?;
        self.el("cbc:DocumentCurrencyCode", &[], st.currency.code())?;
        self.amount("cbc:TotalDebitAmount", st.total_charges)?;
        self.amount("cbc:TotalCreditAmount", st.total_credits)?;
        self.amount("cbc:TotalBalanceAmount", st.closing_balance)?;
        self.el(
            "cbc:LineCountNumeric",
            &[],
            &(st.lines.len() + 1).to_string(),
        )?;
        self.nest("cac:StatementPeriod", &[], |d| {
            d.date("cbc:StartDate", st.period_from)?;
            d.date("cbc:EndDate", st.period_to)
        })?;
        if let Some(link) = &st.payment_link {
            self.nest("cac:AdditionalDocumentReference", &[], |d| {
                d.el("cbc:ID", &[], &st.number)?;
                d.el("cbc:DocumentType", &[], &d.loc.text("pay-online"))?;
                let reference = |d: &mut Self| {
                    d.el("cbc:URI", &[], &link.url)?;
                    if let Some(at) = link.expires_at {
                        d.date("cbc:ExpiryDate", at.date_naive())?;
                        d.el("cbc:ExpiryTime", &[], &at.format("%H:%M:%S%:z").to_string())?;
                    }
                    Ok(())
                };
                d.nest("cac:Attachment", &[], |d| {
                    d.nest("cac:ExternalReference", &[], reference)
                })
            })?;
        }
        self.parties()?;
        self.payment()?;
        self.brought_forward()?;
        st.lines.iter().try_for_each(|l| self.line(l))
    }

    fn parties(&mut self) -> Written {
        let st = self.st;
        self.nest("cac:AccountingSupplierParty", &[], |d| {
            d.party(&st.store.name, &st.store.address)
        })?;
        self.nest("cac:AccountingCustomerParty", &[], |d| {
            d.el("cbc:SupplierAssignedAccountID", &[], &st.account_id)?;
            d.nest("cac:Party", &[], |d| {
                let c = &st.customer;
                d.nest("cac:PartyIdentification", &[], |d| {
                    d.el("cbc:ID", &[], &c.id)
                })?;
                d.party_name(&c.name)?;
                d.nest("cac:Language", &[], |d| {
                    d.el("cbc:ID", &[], st.language.code())?;
                    d.el("cbc:LocaleCode", &[], &st.locale)
                })?;
                d.address(&c.address)?;
                match &c.email {
                    Some(email) => d.nest("cac:Contact", &[], |d| {
                        d.el("cbc:ElectronicMail", &[], email)
                    }),
                    None => Ok(()),
                }
            })
        })?;
        let remit = st.store.remittance_address.as_ref();
        self.nest("cac:PayeeParty", &[], |d| {
            d.party_name(&st.store.cheques_payable_to)?;
            d.address(remit.unwrap_or(&st.store.address))
        })
    }

    /// `cac:Party` with a name and an address.
    fn party(&mut self, name: &str, address: &PostalAddress) -> Written {
        self.nest("cac:Party", &[], |d| {
            d.party_name(name)?;
            d.address(address)
        })
    }

    fn party_name(&mut self, name: &str) -> Written {
        self.nest("cac:PartyName", &[], |d| d.el("cbc:Name", &[], name))
    }

    /// `cac:PostalAddress`, left out when the address is empty.
    fn address(&mut self, a: &PostalAddress) -> Written {
        if *a == PostalAddress::default() {
            return Ok(());
        }
        self.nest("cac:PostalAddress", &[], |d| {
            d.text("cbc:CityName", &a.city)?;
            d.text("cbc:PostalZone", &a.postal_code)?;
            d.text("cbc:CountrySubentity", &a.region)?;
            for line in a.lines.iter().filter(|l| !l.trim().is_empty()) {
                d.nest("cac:AddressLine", &[], |d| d.el("cbc:Line", &[], line))?;
            }
            if a.country.trim().is_empty() {
                return Ok(());
            }
            let iso = a.country.len() == 2 && a.country.chars().all(|c| c.is_ascii_alphabetic());
            d.nest("cac:Country", &[], |d| {
                if iso {
                    d.el(
                        "cbc:IdentificationCode",
                        &[],
                        &a.country.to_ascii_uppercase(),
                    )
                } else {
                    d.el("cbc:Name", &[], &a.country)
                }
            })
        })
    }

    fn payment(&mut self) -> Written {
        let st = self.st;
        let means = |d: &mut Self, code: &str| {
            d.nest("cac:PaymentMeans", &[], |d| {
                d.el("cbc:PaymentMeansCode", &[("listID", "UNCL4461")], code)?;
                d.date("cbc:PaymentDueDate", st.due_date)?;
                d.el("cbc:PaymentID", &[], &st.number)
            })
        };
        means(self, CHEQUE)?;
        if st.payment_link.is_some() {
            means(self, ONLINE)?;
        }
        self.nest("cac:PaymentTerms", &[], |d| {
            if st.due_upon_receipt {
                d.note(&d.loc.text("due-upon-receipt"))?;
            }
            d.amount("cbc:Amount", st.amount_due)?;
            d.date("cbc:PaymentDueDate", st.due_date)
        })
    }

    fn brought_forward(&mut self) -> Written {
        let st = self.st;
        self.nest("cac:StatementLine", &[], |d| {
            d.el("cbc:ID", &[], "0")?;
            d.note(&d.loc.text("balance-forward"))?;
            d.el("cbc:BalanceBroughtForwardIndicator", &[], "true")?;
            d.amount("cbc:DebitLineAmount", Decimal::ZERO)?;
            d.amount("cbc:CreditLineAmount", Decimal::ZERO)?;
            d.amount("cbc:BalanceAmount", st.opening_balance)
        })
    }

    fn line(&mut self, l: &StatementLine) -> Written {
        self.nest("cac:StatementLine", &[], |d| {
            let id = l.entry.to_string();
            d.el("cbc:ID", &[], &id)?;
            d.note(&d.loc.text(&format!("kind-{}", l.kind.as_str())))?;
            if l.receipt_less {
                d.note(&d.loc.text("kind-note-receipt-less"))?;
            }
            if let Some(r) = &l.reference {
                d.text("cbc:Note", r)?;
            }
            if !l.credit_change.is_zero() {
                let (id, amount) = if l.credit_change.is_sign_positive() {
                    ("kind-note-to-credit", l.credit_change)
                } else {
                    ("kind-note-from-credit", -l.credit_change)
                };
                let amount = d.loc.money(amount);
                d.note(&d.loc.text_with(id, &[("amount", &amount)]))?;
            }
            d.amount("cbc:DebitLineAmount", l.charge)?;
            d.amount("cbc:CreditLineAmount", l.credit)?;
            d.amount("cbc:BalanceAmount", l.balance)?;
            let billed = match l.kind {
                EntryType::Charge => Some("cac:InvoiceDocumentReference"),
                EntryType::RefundToCredit => Some("cac:CreditNoteDocumentReference"),
                _ => None,
            };
            if let Some(doc) = billed {
                d.nest("cac:BillingReference", &[], |d| {
                    d.nest(doc, &[], |d| {
                        d.el("cbc:ID", &[], &id)?;
                        d.date("cbc:IssueDate", l.date)?;
                        d.text(
                            "cbc:DocumentDescription",
                            l.reference.as_deref().unwrap_or(""),
                        )
                    })
                })?;
            }
            if matches!(l.kind, EntryType::Payment | EntryType::Deposit) {
                d.nest("cac:CollectedPayment", &[], |d| {
                    d.text("cbc:ID", l.reference.as_deref().unwrap_or(""))?;
                    d.amount("cbc:PaidAmount", l.amount)?;
                    d.date("cbc:PaidDate", l.date)
                })?;
            }
            Ok(())
        })
    }

    /// `ext:UBLExtensions`: store credit, credit limit, aging, open invoices, the link's amount.
    fn extension(&mut self) -> Written {
        let st = self.st;
        let content = |d: &mut Self| {
            d.amount("cb:CreditBalanceAmount", st.credit_balance)?;
            if let Some(shown) = &st.credit_limit {
                d.nest("cb:CreditLimit", &[], |d| match shown.limit {
                    CreditLimit::Amount(limit) => {
                        d.amount("cb:LimitAmount", limit)?;
                        let available = shown.available.unwrap_or(Decimal::ZERO);
                        d.amount("cb:AvailableAmount", available)
                    }
                    CreditLimit::Unlimited => d.el("cb:UnlimitedIndicator", &[], "true"),
                })?;
            }
            d.nest("cb:Aging", &[], |d| {
                d.date("cb:AsOfDate", st.aging.as_of)?;
                st.aging.buckets.iter().try_for_each(|b| {
                    d.nest("cb:AgingBucket", &[], |d| {
                        let (from, to) = match b.range {
                            AgeRange::Current => (None, Some(0)),
                            AgeRange::Between { from, to } => (Some(from), Some(to)),
                            AgeRange::Over { days } => (Some(days + 1), None),
                        };
                        if let Some(from) = from {
                            d.el("cb:FromDaysPastDue", &[], &from.to_string())?;
                        }
                        if let Some(to) = to {
                            d.el("cb:ToDaysPastDue", &[], &to.to_string())?;
                        }
                        d.amount("cb:Amount", b.amount)
                    })
                })
            })?;
            st.open_invoices.iter().try_for_each(|i| {
                d.nest("cb:OpenInvoice", &[], |d| {
                    d.text("cb:ID", &i.number)?;
                    d.text("cb:SaleID", i.sale.as_deref().unwrap_or(""))?;
                    d.date("cb:IssueDate", i.date)?;
                    d.date("cb:DueDate", i.due_date)?;
                    d.amount("cb:Amount", i.amount)?;
                    d.amount("cb:RemainingAmount", i.remaining)?;
                    d.el("cb:DaysPastDue", &[], &i.days_past_due.to_string())
                })
            })?;
            match &st.payment_link {
                Some(link) => d.amount("cb:PaymentLinkAmount", link.amount),
                None => Ok(()),
            }
        };
        self.nest("ext:UBLExtensions", &[], |d| {
            d.nest("ext:UBLExtension", &[], |d| {
                d.el("ext:ExtensionURI", &[], UBL_EXTENSION_NS)?;
                d.nest("ext:ExtensionContent", &[], |d| {
                    d.nest(
                        "cb:StatementExtension",
                        &[("xmlns:cb", UBL_EXTENSION_NS)],
                        content,
                    )
                })
            })
        })
    }
}

impl Statement {
    /// The statement as a UBL 2.1 `Statement` document (UTF-8, indented), valid against the
    /// OASIS schema. Fails only on text XML cannot hold (control characters) or an amount with
    /// more decimals than the currency has.
    pub fn to_ubl_xml(&self) -> Result<String> {
        let mut doc = Doc {
            w: Writer::new_with_indent(Vec::new(), b' ', 2),
            st: self,
            loc: self.localizer()?,
        };
        let decl = BytesDecl::new("1.0", Some("UTF-8"), None);
        written(doc.w.write_event(Event::Decl(decl)))?;
        doc.nest("Statement", &NAMESPACES, Doc::document)?;
        let mut xml = String::from_utf8(doc.w.into_inner())
            .map_err(|e| Error::invalid("UBL XML", e.to_string()))?;
        xml.push('\n');
        Ok(xml)
    }
}
