//! The store's settings: who the store is, its currency and time zone, default terms, policies and
//! aging buckets. A [`crate::Book`] is made for one store.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::account::{CreditLimit, PaymentTerms, PostalAddress};
use crate::error::{Error, Result};
use crate::i18n::{CurrencyDisplay, Language};
use crate::money::Currency;

/// Credit policies beyond Lightspeed's defaults. Every switch is off (Lightspeed's behaviour) unless
/// the store turns it on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Policies {
    /// Charges may go this many percent above the credit limit (VTEX tolerance). 0 by default.
    pub over_limit_tolerance_percent: Decimal,
    /// Block new charges while an invoice is more than this many days overdue (credit hold).
    pub overdue_hold_days: Option<u32>,
    /// Refunds to store credit are allowed (true by default).
    pub refunds_to_credit: bool,
    /// Refunds without the original sale (no receipt) are allowed, always as store credit and
    /// flagged in the activity (true by default; false refuses them with `ReceiptRequired`).
    pub receipt_less_refunds: bool,
    /// New credit (deposit, overpayment, refund) is applied to open invoices at once (off by default).
    pub auto_apply_credit: bool,
    /// The credit limit of an account opened without one: `Amount(0)` (no credit) unless the
    /// store sets another. Opening with the default needs no permission; naming any limit but 0
    /// needs `credit_limit`.
    pub default_credit_limit: CreditLimit,
}

impl Default for Policies {
    fn default() -> Policies {
        Policies {
            over_limit_tolerance_percent: Decimal::ZERO,
            overdue_hold_days: None,
            refunds_to_credit: true,
            receipt_less_refunds: true,
            auto_apply_credit: false,
            default_credit_limit: CreditLimit::Amount(Decimal::ZERO),
        }
    }
}

/// Aging buckets by days past due: `[30, 60, 90]` gives current, 1-30, 31-60, 61-90, over 90.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgingBuckets {
    bounds: Vec<u32>,
}

impl AgingBuckets {
    /// Buckets ending at these day counts (strictly increasing, each > 0, at most 12).
    ///
    /// ```
    /// use creditbook::AgingBuckets;
    /// assert!(AgingBuckets::new(vec![30, 60, 90, 120]).is_ok());
    /// assert!(AgingBuckets::new(vec![60, 30]).is_err());
    /// ```
    pub fn new(bounds: Vec<u32>) -> Result<AgingBuckets> {
        let increasing = bounds.windows(2).all(|w| w[0] < w[1]);
        if bounds.is_empty() || bounds.len() > 12 || bounds[0] == 0 || !increasing {
            return Err(Error::invalid(
                "aging buckets",
                "need 1 to 12 strictly increasing day counts above 0",
            ));
        }
        Ok(AgingBuckets { bounds })
    }

    /// The upper day counts of the bounded buckets.
    pub fn bounds(&self) -> &[u32] {
        &self.bounds
    }
}

impl Default for AgingBuckets {
    fn default() -> AgingBuckets {
        AgingBuckets {
            bounds: vec![30, 60, 90],
        }
    }
}

/// How the store makes statements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatementSettings {
    /// Days from the statement date to its due date (30); 0 prints "due upon receipt".
    pub days_till_due: u32,
    /// Percent of the closing balance owed asked as the amount due (100).
    pub percent_due: Decimal,
    /// Show the credit limit and available credit on statements (off).
    pub display_credit_limit: bool,
    /// "Make cheques payable to"; blank: the store's name.
    pub cheques_payable_to: String,
    /// Where payments are mailed, when not the store's address.
    pub remittance_address: Option<PostalAddress>,
    /// Extra text under the store's header.
    pub header_text: String,
    /// The languages the store prints statements in (all five by default).
    pub languages: Vec<Language>,
    /// The store's own language: statements of customers without a preferred language (English).
    pub language: Language,
    /// The store's country (ISO 3166 alpha-2) for regional conventions; `None`: from its currency
    /// and time zone (a Canadian store prints `fr-CA`, a Paris one `fr-FR`).
    pub country: Option<String>,
    /// The store's currency as its symbol (`$`, `€`) or its ISO code.
    pub currency_display: CurrencyDisplay,
}

impl Default for StatementSettings {
    fn default() -> StatementSettings {
        StatementSettings {
            days_till_due: 30,
            percent_due: Decimal::ONE_HUNDRED,
            display_credit_limit: false,
            cheques_payable_to: String::new(),
            remittance_address: None,
            header_text: String::new(),
            languages: Language::all().collect(),
            language: Language::EN,
            country: None,
            currency_display: CurrencyDisplay::Symbol,
        }
    }
}

impl StatementSettings {
    /// Sets the languages the store prints in and its own language. Without `own`, the store's
    /// own language is English when it prints in English, else the first of `languages`. At
    /// least one language, the own one among them (`InvalidInput` otherwise, nothing changed);
    /// a language listed twice counts once.
    pub fn set_languages(&mut self, languages: &[Language], own: Option<Language>) -> Result<()> {
        let mut list: Vec<Language> = Vec::with_capacity(languages.len());
        for &l in languages {
            if !list.contains(&l) {
                list.push(l);
            }
        }
        let own = match own {
            Some(l) => l,
            None if list.contains(&Language::EN) => Language::EN,
            None => *list.first().ok_or_else(|| {
                Error::invalid("languages", "the store prints in at least one language")
            })?,
        };
        if !list.contains(&own) {
            return Err(Error::invalid(
                "languages",
                "the store's own language must be one it prints in",
            ));
        }
        self.languages = list;
        self.language = own;
        Ok(())
    }
}

/// How the store sends messages and takes payments online.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageSettings {
    /// The store's email address, the messages' sender (and reply address).
    pub from: Option<String>,
    /// Where payment notices to the store go; `None`: `from`.
    pub notices_to: Option<String>,
    /// Attach the statement as UBL XML too.
    pub attach_ubl: bool,
    /// Attach the statement as a PDF/A-3 document, on the store's paper with the UBL inside
    /// (docs/pdf.md; needs the `pdf` feature: without it composing the email is
    /// [`crate::Error::InvalidState`]).
    pub attach_pdf: bool,
    /// Attach the statement as an HTML document (on by default; a store that attaches the PDF
    /// may turn it off).
    pub attach_html: bool,
    /// The most one payment link may ask, in the store's currency (major units): 100,000.
    pub payment_link_max: Decimal,
    /// Statements get a "Pay online" link by default when a payment provider is given.
    pub include_payment_link: bool,
    /// Days a statement's payment link stays valid (30).
    pub payment_link_days: u32,
    /// Days a deposit request stays valid (14).
    pub deposit_request_days: u32,
}

impl Default for MessageSettings {
    fn default() -> MessageSettings {
        MessageSettings {
            from: None,
            notices_to: None,
            attach_ubl: false,
            attach_pdf: false,
            attach_html: true,
            payment_link_max: Decimal::new(100_000, 0),
            include_payment_link: true,
            payment_link_days: 30,
            deposit_request_days: 14,
        }
    }
}

/// Accounts-receivable automation: reminders and the monthly statement run. Off until someone
/// with `automated_ar` sets them through [`crate::Book::set_automation`], which records the
/// change (who, when, old, new) in the store, so every Book on the store decides the same way.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Automation {
    /// Reminder days relative to due dates, e.g. `[-3, 0, 3, 7, 14, 30]`; empty: no reminders.
    pub reminder_days: Vec<i32>,
    /// Day of the month (1-28) on which last month's statements are due; `None`: no schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub statement_day: Option<u32>,
}

impl Automation {
    /// Checks the days: reminder days strictly increasing within a year, statement day 1 to 28.
    pub fn validate(&self) -> Result<()> {
        let d = &self.reminder_days;
        if d.len() > 12 || d.windows(2).any(|w| w[0] >= w[1]) || d.iter().any(|x| x.abs() > 365) {
            return Err(Error::invalid(
                "reminder days",
                "at most 12 strictly increasing days between -365 and 365",
            ));
        }
        if self
            .statement_day
            .is_some_and(|day| !(1..=28).contains(&day))
        {
            return Err(Error::invalid(
                "statement day",
                "a day of the month from 1 to 28",
            ));
        }
        Ok(())
    }
}

/// One store's settings.
#[derive(Debug, Clone)]
pub struct StoreSettings {
    /// The store's name, printed on statements.
    pub name: String,
    /// The store's postal address.
    pub address: PostalAddress,
    /// The store's currency: every account of the store is in it.
    pub currency: Currency,
    /// The store's IANA time zone: it turns instants into business dates.
    pub timezone: Tz,
    /// Terms for accounts that have none of their own (net 30 by default).
    pub default_terms: PaymentTerms,
    /// Credit policies.
    pub policies: Policies,
    /// Aging buckets.
    pub aging: AgingBuckets,
    /// Statements.
    pub statements: StatementSettings,
    /// Messages and payment links.
    pub messages: MessageSettings,
}

impl StoreSettings {
    /// Settings for a store with a currency code (`"CAD"`) and an IANA time zone name
    /// (`"America/Montreal"`); everything else at its default.
    ///
    /// ```
    /// use creditbook::StoreSettings;
    /// let s = StoreSettings::new("Quincaillerie Lapointe", "CAD", "America/Montreal").unwrap();
    /// assert_eq!(s.currency.code(), "CAD");
    /// assert!(StoreSettings::new("x", "CAD", "Mars/Olympus").is_err());
    /// ```
    pub fn new(name: &str, currency: &str, timezone: &str) -> Result<StoreSettings> {
        Ok(StoreSettings {
            name: crate::validate::text("store name", name, true)?,
            address: PostalAddress::default(),
            currency: Currency::from_code(currency)?,
            timezone: parse_timezone(timezone)?,
            default_terms: PaymentTerms::Net(30),
            policies: Policies::default(),
            aging: AgingBuckets::default(),
            statements: StatementSettings::default(),
            messages: MessageSettings::default(),
        })
    }

    /// The store-local business date of an instant.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.timezone).date_naive()
    }

    /// The country whose conventions statements follow: the setting, else one that follows from
    /// the currency and the time zone.
    pub fn country(&self) -> Option<String> {
        self.statements.country.clone().or_else(|| {
            crate::i18n::default_country(self.currency, self.timezone.name()).map(str::to_string)
        })
    }

    /// The language a customer's documents are printed in: `requested` when given (it must be one
    /// of the store's), else the customer's preferred language when the store prints in it, else
    /// the store's.
    pub fn pick_language(
        &self,
        requested: Option<&str>,
        preferred: Option<&str>,
    ) -> Result<Language> {
        let offered = &self.statements.languages;
        if let Some(tag) = requested {
            return Language::from_tag(tag)
                .filter(|l| offered.contains(l))
                .ok_or_else(|| Error::LanguageNotOffered {
                    language: tag.chars().take(35).collect(),
                    offered: offered.iter().map(|l| l.code().to_string()).collect(),
                });
        }
        Ok(preferred
            .and_then(Language::from_tag)
            .filter(|l| offered.contains(l))
            .unwrap_or(self.statements.language))
    }

    /// An error's message in one of the store's languages (see [`crate::Book::localize_error`]).
    pub fn localize_error(&self, error: &Error, language: &str) -> Result<String> {
        let language = self.pick_language(Some(language), None)?;
        let loc = crate::i18n::Localizer::new(
            language,
            self.country().as_deref(),
            self.currency,
            self.statements.currency_display,
        )?;
        Ok(loc.error(error))
    }

    /// Checks the settings that public fields could have made inconsistent.
    pub fn validate(&self) -> Result<()> {
        if self.policies.over_limit_tolerance_percent < Decimal::ZERO
            || self.policies.over_limit_tolerance_percent > Decimal::ONE_HUNDRED
        {
            return Err(Error::invalid(
                "over-limit tolerance",
                "must be between 0 and 100 percent",
            ));
        }
        crate::validate::text("store name", &self.name, true)?;
        self.policies
            .default_credit_limit
            .in_currency(self.currency)?;
        let st = &self.statements;
        if st.percent_due < Decimal::ZERO || st.percent_due > Decimal::ONE_HUNDRED {
            return Err(Error::invalid("percent due", "must be between 0 and 100"));
        }
        let m = &self.messages;
        if m.payment_link_max <= Decimal::ZERO {
            return Err(Error::invalid("payment link maximum", "must be above 0"));
        }
        for address in [&m.from, &m.notices_to].into_iter().flatten() {
            crate::validate::header_address(address)?;
        }
        if st.languages.is_empty() || !st.languages.contains(&st.language) {
            return Err(Error::invalid(
                "languages",
                "the store prints in at least one language, its own among them",
            ));
        }
        Ok(())
    }
}

/// Parses an IANA time zone name.
pub fn parse_timezone(name: &str) -> Result<Tz> {
    name.parse::<Tz>().map_err(|_| Error::UnknownTimeZone {
        name: name.chars().take(64).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn langs(tags: &[&str]) -> Vec<Language> {
        tags.iter()
            .map(|t| Language::parse("language", t).unwrap())
            .collect()
    }

    #[test]
    fn the_own_language_is_english_when_offered_else_the_first() {
        let mut st = StatementSettings::default();
        st.set_languages(&langs(&["fr", "en"]), None).unwrap();
        assert_eq!(
            (st.languages.clone(), st.language),
            (langs(&["fr", "en"]), Language::EN)
        );
        st.set_languages(&langs(&["nl", "de", "nl"]), None).unwrap();
        assert_eq!(
            st.languages,
            langs(&["nl", "de"]),
            "a language listed twice counts once"
        );
        assert_eq!(st.language, langs(&["nl"])[0]);
        st.set_languages(&langs(&["fr", "de"]), Some(langs(&["de"])[0]))
            .unwrap();
        assert_eq!(st.language, langs(&["de"])[0]);
    }

    #[test]
    fn languages_that_do_not_hold_together_change_nothing() {
        let mut st = StatementSettings::default();
        st.set_languages(&langs(&["fr", "es"]), None).unwrap();
        let before = (st.languages.clone(), st.language);
        assert!(matches!(
            st.set_languages(&langs(&["fr"]), Some(Language::EN)),
            Err(Error::InvalidInput {
                field: "languages",
                ..
            })
        ));
        assert!(st.set_languages(&[], None).is_err());
        assert_eq!((st.languages.clone(), st.language), before);
        assert!(matches!(
            Language::parse("language", "tlh"),
            Err(Error::InvalidInput {
                field: "language",
                ..
            })
        ));
    }
}
