//! Plain-text statements, for email bodies and 40-, 48- and 80-column receipt printers.
//!
//! Widths are counted in Unicode scalar values (the no-break spaces inside amounts are one column
//! each) and no line is ever longer than the width asked for: long words are wrapped on word
//! boundaries and words longer than a line are split. Tables print as columns when their columns
//! fit the width, else as one stacked record per row.
//!
//! This module also holds `View`: the words and formatted figures of a statement, which the
//! HTML renderer ([`super::html`]) lays out too. Renderers only format the statement's own
//! values; they never compute a figure.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::{Statement, StatementLine};
use crate::account::{CreditLimit, PostalAddress};
use crate::entry::EntryType;
use crate::error::{Error, Result};
use crate::figures::AgeRange;
use crate::i18n::{is_bidi_control, Localizer};

/// The narrowest plain-text width accepted.
pub const MIN_WIDTH: usize = 32;
/// The widest plain-text width accepted.
pub const MAX_WIDTH: usize = 160;

/// Columns between two table columns.
const GAP: usize = 2;
/// A wrapping column is never made narrower than this (unless its content is).
const FLEX_MIN: usize = 10;

impl Statement {
    /// The statement as plain text `width` columns wide ([`MIN_WIDTH`]..=[`MAX_WIDTH`]), in its
    /// language. To render many statements, build one [`Localizer`] and call [`render`].
    pub fn to_text(&self, width: usize) -> Result<String> {
        check_width(width)?;
        render(self, &self.localizer()?, width)
    }
}

/// The statement as plain text `width` columns wide, with `loc` (made for the statement's
/// language, locale and currency, e.g. by [`Statement::localizer`]). Every line ends with
/// `\n` and is at most `width` characters; a width outside [`MIN_WIDTH`]..=[`MAX_WIDTH`] is
/// [`Error::InvalidInput`].
pub fn render(st: &Statement, loc: &Localizer, width: usize) -> Result<String> {
    check_width(width)?;
    let view = View::new(st, loc);
    let mut page = Page(String::with_capacity(size_hint(&view, width)));
    document(&view, width, &mut page);
    Ok(page.0)
}

fn check_width(width: usize) -> Result<()> {
    if (MIN_WIDTH..=MAX_WIDTH).contains(&width) {
        Ok(())
    } else {
        Err(Error::invalid(
            "width",
            format!("{width} is not between {MIN_WIDTH} and {MAX_WIDTH} columns"),
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// The words of a statement, shared with the HTML renderer.
// ---------------------------------------------------------------------------------------------

/// A statement's words and figures, formatted and cleaned, ready to be laid out.
pub(super) struct View {
    /// The BCP 47 locale (`fr-CA`).
    pub locale: String,
    /// "Statement of account".
    pub title: String,
    /// The statement number.
    pub number: String,
    /// The store's name.
    pub store_name: String,
    /// The store's address lines.
    pub store_address: Vec<String>,
    /// The store's extra header text (may be empty).
    pub header_text: String,
    /// Statement number, date, account and period.
    pub meta: Vec<Pair>,
    /// The customer's name and address.
    pub customer: Block,
    /// Balances, amount due and due date.
    pub summary: Vec<Pair>,
    /// Every line of the period, after the balance brought forward.
    pub activity: Table,
    /// Open invoices.
    pub invoices: Table,
    /// Aging buckets.
    pub aging: Table,
    /// The "Pay online" link.
    pub pay: Option<Pay>,
    /// Why there is no link.
    pub omitted: Option<String>,
    /// Cheques payable to, remit to.
    pub remit: Vec<Block>,
    /// The closing line.
    pub thanks: String,
}

/// A label and its value; `strong` for the amount due.
pub(super) struct Pair {
    pub label: String,
    pub value: String,
    pub strong: bool,
}

/// A heading over lines (a name and an address).
pub(super) struct Block {
    pub heading: String,
    pub lines: Vec<String>,
}

/// The payment link as printed.
pub(super) struct Pay {
    /// "Pay online", with the expiry when there is one.
    pub text: String,
    /// The amount it asks for.
    pub amount: String,
    /// The URL.
    pub url: String,
}

/// A table: columns, rows of formatted cells, an optional footer row and a note (shown alone
/// when there are no rows).
pub(super) struct Table {
    pub heading: Option<String>,
    pub columns: Vec<Column>,
    pub rows: Rows,
    pub foot: Option<Rows>,
    pub note: Option<String>,
}

/// Rows of formatted cells, written end to end into one string: a statement has thousands of
/// rows, and one allocation for all their cells costs far less than one per cell.
pub(super) struct Rows {
    /// Cells per row.
    columns: usize,
    /// Every cell's text, one after the other.
    text: String,
    /// Where each cell ends in `text`.
    ends: Vec<usize>,
}

impl Rows {
    /// No rows yet, with room for about `rows` rows of `columns` cells.
    fn with_capacity(columns: usize, rows: usize) -> Rows {
        Rows {
            columns,
            text: String::with_capacity(rows * columns * 8),
            ends: Vec::with_capacity(rows * columns),
        }
    }

    /// One row of `cells`.
    fn single<S: AsRef<str>>(cells: impl IntoIterator<Item = S>) -> Rows {
        let mut rows = Rows::with_capacity(0, 1);
        for cell in cells {
            rows.push(cell.as_ref());
            rows.columns += 1;
        }
        rows
    }

    /// Adds `cell` (rows fill left to right, then top to bottom).
    fn push(&mut self, cell: &str) {
        self.push_with(|text| text.push_str(cell));
    }

    /// Adds the cell that `write` writes at the end of the cells' text.
    fn push_with(&mut self, write: impl FnOnce(&mut String)) {
        write(&mut self.text);
        self.ends.push(self.text.len());
    }

    /// How many rows there are.
    pub fn len(&self) -> usize {
        self.ends.len().checked_div(self.columns).unwrap_or(0)
    }

    /// True when there is no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The length of all the cells' text, in bytes.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// The rows, top to bottom.
    pub fn iter(&self) -> impl Iterator<Item = Row<'_>> {
        (0..self.len()).map(move |r| Row {
            rows: self,
            first: r * self.columns,
        })
    }
}

/// One row of [`Rows`].
#[derive(Clone, Copy)]
pub(super) struct Row<'a> {
    rows: &'a Rows,
    /// The index of the row's first cell.
    first: usize,
}

impl<'a> Row<'a> {
    /// The row's cells, left to right.
    pub fn cells(self) -> impl Iterator<Item = &'a str> + Clone {
        let Rows { text, ends, .. } = self.rows;
        let start = self.first.checked_sub(1).map_or(0, |k| ends[k]);
        let row_ends = &ends[self.first..self.first + self.rows.columns];
        row_ends.iter().scan(start, move |start, &end| {
            let cell = &text[*start..end];
            *start = end;
            Some(cell)
        })
    }
}

/// A column: its header, how it aligns and wraps, and where its cell goes in a stacked record.
pub(super) struct Column {
    pub header: String,
    pub numeric: bool,
    pub flex: bool,
    pub stack: Stack,
}

/// Where a cell goes when a row is printed as a stacked record.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Stack {
    /// On the first line.
    Lead,
    /// On the first line, after the column's header.
    LeadLabelled,
    /// On the second line, left.
    Left,
    /// On the second line, right, after the column's header.
    Right,
    /// On a line of its own, after the column's header.
    Own,
}

impl Column {
    fn fixed(header: String, stack: Stack) -> Column {
        Column {
            header,
            numeric: false,
            flex: false,
            stack,
        }
    }

    fn flex(header: String, stack: Stack) -> Column {
        Column {
            flex: true,
            ..Column::fixed(header, stack)
        }
    }

    fn numeric(header: String, stack: Stack) -> Column {
        Column {
            numeric: true,
            ..Column::fixed(header, stack)
        }
    }
}

impl View {
    /// The view of `st` in `loc`'s language and conventions.
    pub fn new(st: &Statement, loc: &Localizer) -> View {
        let home = st.store.address.country.as_str();
        View {
            locale: loc.locale().to_string(),
            title: loc.text("statement-title"),
            number: clean(&st.number),
            store_name: clean(&st.store.name),
            store_address: address(&st.store.address, home),
            header_text: clean(&st.store.header_text),
            meta: meta(st, loc),
            customer: Block {
                heading: loc.text("customer"),
                lines: std::iter::once(clean(&st.customer.name))
                    .chain(address(&st.customer.address, home))
                    .collect(),
            },
            summary: summary(st, loc),
            activity: activity(st, loc),
            invoices: invoices(st, loc),
            aging: aging(st, loc),
            pay: pay(st, loc),
            omitted: st
                .payment_link_omitted
                .map(|max| loc.text_with("payment-link-omitted", &[("max", &loc.money(max))])),
            remit: remit(st, loc),
            thanks: loc.text("thank-you"),
        }
    }
}

/// Text from outside (names, addresses, references) without control characters (a line break
/// becomes a space) and without bidirectional controls, which could reorder what follows them.
fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    clean_into(&mut out, s);
    out
}

/// Writes `s` [`clean`]ed at the end of `out`.
fn clean_into(out: &mut String, s: &str) {
    if s.bytes().all(|b| (b' '..=b'~').contains(&b)) {
        // Printable ASCII: nothing to take out, and the only white space is the space.
        out.push_str(s.trim_matches(' '));
        return;
    }
    let start = out.len();
    out.extend(s.chars().filter(|c| !is_bidi_control(*c)).map(|c| {
        if c.is_control() {
            ' '
        } else {
            c
        }
    }));
    let end = start + out[start..].trim_end().len();
    out.truncate(end);
    let lead = end - start - out[start..].trim_start().len();
    out.drain(start..start + lead);
}

/// Countries that write the postal code before the city.
const CODE_FIRST: &[&str] = &[
    "AT", "BE", "CH", "DE", "DK", "ES", "FI", "FR", "IT", "LU", "NL", "NO", "PT", "SE",
];

/// An address as printed: street lines, then the locality in the country's order, then the
/// country when it is not `home` (the store's).
fn address(a: &PostalAddress, home: &str) -> Vec<String> {
    let (city, region, code) = (clean(&a.city), clean(&a.region), clean(&a.postal_code));
    let locality = if CODE_FIRST.contains(&a.country.as_str()) {
        join(&[&code, &city, &region])
    } else {
        join(&[&city, &region, &code])
    };
    let country = if a.country == home {
        String::new()
    } else {
        clean(&a.country)
    };
    a.lines
        .iter()
        .map(|l| clean(l))
        .chain([locality, country])
        .filter(|l| !l.is_empty())
        .collect()
}

/// The non-empty parts joined with spaces.
fn join(parts: &[&str]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

fn pair(label: String, value: String) -> Pair {
    Pair {
        label,
        value,
        strong: false,
    }
}

fn meta(st: &Statement, loc: &Localizer) -> Vec<Pair> {
    let period = loc.text_with(
        "period-range",
        &[
            ("from", &loc.long_date(st.period_from)),
            ("to", &loc.long_date(st.period_to)),
        ],
    );
    vec![
        pair(loc.text("statement-number"), clean(&st.number)),
        pair(loc.text("statement-date"), loc.long_date(st.statement_date)),
        pair(loc.text("account"), clean(&st.account_id)),
        pair(loc.text("period"), period),
    ]
}

fn summary(st: &Statement, loc: &Localizer) -> Vec<Pair> {
    let mut rows = vec![
        pair(loc.text("opening-balance"), loc.money(st.opening_balance)),
        pair(loc.text("total-charges"), loc.money(st.total_charges)),
        pair(loc.text("total-credits"), loc.money(st.total_credits)),
        pair(loc.text("closing-balance"), loc.money(st.closing_balance)),
    ];
    if !st.credit_balance.is_zero() {
        rows.push(pair(
            loc.text("credit-balance"),
            loc.money(st.credit_balance),
        ));
    }
    if let Some(shown) = &st.credit_limit {
        let limit = match shown.limit {
            CreditLimit::Amount(a) => loc.money(a),
            CreditLimit::Unlimited => loc.text("unlimited"),
        };
        rows.push(pair(loc.text("credit-limit"), limit));
        if let Some(a) = shown.available {
            rows.push(pair(loc.text("available-credit"), loc.money(a)));
        }
    }
    rows.push(Pair {
        strong: true,
        ..pair(loc.text("amount-due"), loc.money(st.amount_due))
    });
    let due = if st.due_upon_receipt {
        loc.text("due-upon-receipt")
    } else {
        loc.long_date(st.due_date)
    };
    rows.push(Pair {
        strong: true,
        ..pair(loc.text("due-date"), due)
    });
    rows
}

/// Writes an amount, or nothing for zero (a charge column of a payment).
fn amount_or_blank(out: &mut String, loc: &Localizer, amount: Decimal) {
    if !amount.is_zero() {
        loc.write_money(out, amount);
    }
}

/// Short dates with the last one kept: consecutive rows mostly share their date.
struct ShortDates<'a> {
    loc: &'a Localizer,
    last: Option<(NaiveDate, String)>,
}

impl<'a> ShortDates<'a> {
    fn new(loc: &'a Localizer) -> ShortDates<'a> {
        ShortDates { loc, last: None }
    }

    fn write(&mut self, out: &mut String, date: NaiveDate) {
        match &self.last {
            Some((last, text)) if *last == date => out.push_str(text),
            _ => {
                let text = self.loc.short_date(date);
                out.push_str(&text);
                self.last = Some((date, text));
            }
        }
    }
}

/// A sentence of one argument, formatted once around a marker: writing it for a value pastes
/// the value in, instead of running Fluent for every line. Exact, as the argument is text that
/// Fluent only pastes in; a sentence that does not hold the marker exactly once is formatted
/// for each value.
struct Phrase {
    id: &'static str,
    arg: &'static str,
    around: Option<(String, String)>,
}

impl Phrase {
    /// A noncharacter: never in a message or a value.
    const MARKER: &'static str = "\u{fdd0}";

    fn new(loc: &Localizer, id: &'static str, arg: &'static str) -> Phrase {
        let text = loc.text_with(id, &[(arg, Phrase::MARKER)]);
        let around = text
            .split_once(Phrase::MARKER)
            .filter(|(_, after)| !after.contains(Phrase::MARKER))
            .map(|(before, after)| (before.to_string(), after.to_string()));
        Phrase { id, arg, around }
    }

    fn write(&self, out: &mut String, loc: &Localizer, value: &str) {
        match &self.around {
            Some((before, after)) => {
                out.push_str(before);
                out.push_str(value);
                out.push_str(after);
            }
            None => out.push_str(&loc.text_with(self.id, &[(self.arg, value)])),
        }
    }
}

/// Writes lines' descriptions, "Deposit (150,00 $ to store credit)", "Refund to store credit
/// (no receipt)", with each sentence looked up once.
struct Descriptions<'a> {
    loc: &'a Localizer,
    kinds: Vec<(EntryType, String)>,
    receipt_less: String,
    to_credit: Phrase,
    from_credit: Phrase,
    amount: String,
}

impl<'a> Descriptions<'a> {
    fn new(loc: &'a Localizer) -> Descriptions<'a> {
        Descriptions {
            loc,
            kinds: Vec::new(),
            receipt_less: loc.text("kind-note-receipt-less"),
            to_credit: Phrase::new(loc, "kind-note-to-credit", "amount"),
            from_credit: Phrase::new(loc, "kind-note-from-credit", "amount"),
            amount: String::new(),
        }
    }

    /// The name of a kind of entry.
    fn kind(&mut self, kind: EntryType) -> &str {
        let i = match self.kinds.iter().position(|(k, _)| *k == kind) {
            Some(i) => i,
            None => {
                let name = self.loc.text(&format!("kind-{}", kind.as_str()));
                self.kinds.push((kind, name));
                self.kinds.len() - 1
            }
        };
        &self.kinds[i].1
    }

    fn write(&mut self, out: &mut String, line: &StatementLine) {
        out.push_str(self.kind(line.kind));
        let change = line.credit_change;
        let credit_note = if change > Decimal::ZERO {
            Some(&self.to_credit)
        } else if change < Decimal::ZERO {
            Some(&self.from_credit)
        } else {
            None
        };
        if !line.receipt_less && credit_note.is_none() {
            return;
        }
        out.push_str(" (");
        if line.receipt_less {
            out.push_str(&self.receipt_less);
        }
        if let Some(note) = credit_note {
            if line.receipt_less {
                out.push_str("; ");
            }
            self.amount.clear();
            self.loc.write_money(&mut self.amount, change.abs());
            note.write(out, self.loc, &self.amount);
        }
        out.push(')');
    }
}

fn activity(st: &Statement, loc: &Localizer) -> Table {
    let mut rows = Rows::with_capacity(6, st.lines.len() + 1);
    rows.push(&loc.short_date(st.period_from));
    rows.push(&loc.text("balance-forward"));
    for _ in 0..3 {
        rows.push("");
    }
    rows.push(&loc.money(st.opening_balance));
    let mut dates = ShortDates::new(loc);
    let mut descriptions = Descriptions::new(loc);
    for l in &st.lines {
        rows.push_with(|out| dates.write(out, l.date));
        rows.push_with(|out| descriptions.write(out, l));
        rows.push_with(|out| clean_into(out, l.reference.as_deref().unwrap_or_default()));
        rows.push_with(|out| amount_or_blank(out, loc, l.charge));
        rows.push_with(|out| amount_or_blank(out, loc, l.credit));
        rows.push_with(|out| loc.write_money(out, l.balance));
    }
    Table {
        heading: None,
        columns: vec![
            Column::fixed(loc.text("date"), Stack::Lead),
            Column::flex(loc.text("description"), Stack::Lead),
            Column::flex(loc.text("reference"), Stack::Left),
            Column::numeric(loc.text("charges"), Stack::Right),
            Column::numeric(loc.text("credits"), Stack::Right),
            Column::numeric(loc.text("balance"), Stack::Own),
        ],
        rows,
        foot: Some(Rows::single([
            String::new(),
            loc.text("closing-balance"),
            String::new(),
            loc.money(st.total_charges),
            loc.money(st.total_credits),
            loc.money(st.closing_balance),
        ])),
        note: st.lines.is_empty().then(|| loc.text("no-activity")),
    }
}

fn invoices(st: &Statement, loc: &Localizer) -> Table {
    let mut rows = Rows::with_capacity(6, st.open_invoices.len());
    let (mut dates, mut due_dates) = (ShortDates::new(loc), ShortDates::new(loc));
    for i in &st.open_invoices {
        rows.push_with(|out| clean_into(out, &i.number));
        rows.push_with(|out| clean_into(out, i.sale.as_deref().unwrap_or_default()));
        rows.push_with(|out| dates.write(out, i.date));
        rows.push_with(|out| due_dates.write(out, i.due_date));
        rows.push_with(|out| {
            if i.days_past_due > 0 {
                loc.write_number(out, Decimal::from(i.days_past_due));
            }
        });
        rows.push_with(|out| loc.write_money(out, i.remaining));
    }
    Table {
        heading: Some(loc.text("open-invoices")),
        columns: vec![
            Column::fixed(loc.text("invoice"), Stack::LeadLabelled),
            Column::flex(loc.text("reference"), Stack::Lead),
            Column::fixed(loc.text("invoice-date"), Stack::Own),
            Column::fixed(loc.text("due-date"), Stack::Own),
            Column::numeric(loc.text("days-past-due"), Stack::Own),
            Column::numeric(loc.text("remaining"), Stack::Own),
        ],
        rows,
        foot: None,
        note: st
            .open_invoices
            .is_empty()
            .then(|| loc.text("no-open-invoices")),
    }
}

/// "Current", "1–30 days", "Over 90 days".
fn aging_label(range: &AgeRange, loc: &Localizer) -> String {
    match range {
        AgeRange::Current => loc.text("aging-current"),
        AgeRange::Between { from, to } => loc.text_with(
            "aging-range",
            &[("from", &from.to_string()), ("to", &to.to_string())],
        ),
        AgeRange::Over { days } => loc.text_with("aging-over", &[("days", &days.to_string())]),
    }
}

fn aging(st: &Statement, loc: &Localizer) -> Table {
    let buckets = &st.aging.buckets;
    Table {
        heading: Some(loc.text("aging")),
        columns: buckets
            .iter()
            .map(|b| Column::numeric(aging_label(&b.range, loc), Stack::Own))
            .collect(),
        rows: Rows::single(buckets.iter().map(|b| loc.money(b.amount))),
        foot: None,
        note: None,
    }
}

fn pay(st: &Statement, loc: &Localizer) -> Option<Pay> {
    let link = st.payment_link.as_ref()?;
    let text = match link.expires_at {
        // In the store's time, as the statement carries it.
        Some(t) => {
            let until = format!("{} {}", loc.long_date(t.date_naive()), t.format("%H:%M"));
            loc.text_with("pay-online-until", &[("date", &until)])
        }
        None => loc.text("pay-online"),
    };
    Some(Pay {
        text,
        amount: loc.money(link.amount),
        url: clean(&link.url),
    })
}

fn remit(st: &Statement, loc: &Localizer) -> Vec<Block> {
    let home = st.store.address.country.as_str();
    let to = st
        .store
        .remittance_address
        .as_ref()
        .unwrap_or(&st.store.address);
    vec![
        Block {
            heading: loc.text("cheques-payable-to"),
            lines: vec![clean(&st.store.cheques_payable_to)],
        },
        Block {
            heading: loc.text("remit-to"),
            lines: std::iter::once(clean(&st.store.name))
                .chain(address(to, home))
                .collect(),
        },
    ]
}

// ---------------------------------------------------------------------------------------------
// Plain-text layout.
// ---------------------------------------------------------------------------------------------

/// Plain text being written, line by line.
struct Page(String);

impl Page {
    fn line(&mut self, line: &str) {
        self.0.push_str(line);
        self.0.push('\n');
    }

    fn lines<S: AsRef<str>>(&mut self, lines: impl IntoIterator<Item = S>) {
        for line in lines {
            self.line(line.as_ref());
        }
    }

    /// One line of a table: each cell padded to its column's width (numbers against the right),
    /// [`GAP`] spaces between columns, the spaces at the end trimmed.
    fn grid_line<'a>(
        &mut self,
        cells: impl Iterator<Item = &'a str>,
        widths: &[usize],
        columns: &[Column],
    ) {
        let start = self.0.len();
        for (i, (cell, (&w, c))) in cells.zip(widths.iter().zip(columns)).enumerate() {
            if i > 0 {
                push_spaces(&mut self.0, GAP);
            }
            let pad = w.saturating_sub(cols(cell));
            if c.numeric {
                push_spaces(&mut self.0, pad);
                self.0.push_str(cell);
            } else {
                self.0.push_str(cell);
                push_spaces(&mut self.0, pad);
            }
        }
        let end = start + self.0[start..].trim_end().len();
        self.0.truncate(end);
        self.0.push('\n');
    }
}

/// Writes `n` spaces.
fn push_spaces(out: &mut String, n: usize) {
    const SPACES: &str = "                                                                ";
    let mut left = n;
    while left > 0 {
        let k = left.min(SPACES.len());
        out.push_str(&SPACES[..k]);
        left -= k;
    }
}

/// About how long the text of a view is, in bytes: its tables' lines are most of it.
fn size_hint(v: &View, w: usize) -> usize {
    let rows = v.activity.rows.len() + v.invoices.rows.len();
    (rows + 100) * (w + 1)
}

fn document(v: &View, w: usize, page: &mut Page) {
    for line in std::iter::once(&v.store_name)
        .chain(&v.store_address)
        .chain([&v.header_text])
    {
        page.lines(centered(line, w));
    }
    page.line(&rule('=', w));
    page.lines(centered(&v.title, w));
    page.line("");
    page.lines(pairs(&v.meta, w));
    page.line("");
    page.lines(block(&v.customer, w));
    page.line(&rule('=', w));
    page.lines(pairs(&v.summary, w));
    page.line(&rule('=', w));
    table(&v.activity, w, page);
    for t in [&v.invoices, &v.aging] {
        page.line("");
        table(t, w, page);
    }
    page.line(&rule('-', w));
    page.lines(payment(v, w));
    for b in &v.remit {
        page.lines(block(b, w));
    }
    page.line(&rule('-', w));
    page.lines(centered(&v.thanks, w));
}

fn payment(v: &View, w: usize) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(p) = &v.pay {
        out.extend(split_pair(&p.text, &p.amount, w));
        out.extend(hard_split(&p.url, w));
        out.push(String::new());
    }
    if let Some(note) = &v.omitted {
        out.extend(wrap(note, w));
        out.push(String::new());
    }
    out
}

/// Characters that never break a line (inside amounts and dates).
fn breaks(c: char) -> bool {
    c.is_whitespace() && !matches!(c, '\u{a0}' | '\u{202f}' | '\u{2007}')
}

/// Columns a string takes on a receipt printer or a terminal: two for an East Asian wide
/// character (CJK, most emoji), none for a combining mark or a control, one for the others.
fn cols(s: &str) -> usize {
    if s.is_ascii() {
        s.len()
    } else {
        UnicodeWidthStr::width(s)
    }
}

/// Columns a character takes (see [`cols`]).
fn char_cols(c: char) -> usize {
    UnicodeWidthChar::width(c).unwrap_or(0)
}

/// The byte length of the longest start of `s` that fits `w` columns, at least one character
/// (a character wider than `w` then makes a piece of its own).
fn fitting(s: &str, w: usize) -> usize {
    let mut used = 0;
    for (i, c) in s.char_indices() {
        used += char_cols(c);
        if used > w && i > 0 {
            return i;
        }
    }
    s.len()
}

/// `s` in pieces of at most `w` columns.
fn hard_split(s: &str, w: usize) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut rest = s;
    while !rest.is_empty() {
        let cut = fitting(rest, w.max(1));
        pieces.push(rest[..cut].to_string());
        rest = &rest[cut..];
    }
    pieces
}

/// `text` wrapped on word boundaries to lines of at most `w` characters; a word longer than a
/// line is split. Empty text is no lines.
fn wrap(text: &str, w: usize) -> Vec<String> {
    wrap_with(text, w, w)
}

/// `text` wrapped, the lines after the first indented.
fn hanging(text: &str, w: usize) -> Vec<String> {
    let mut lines = wrap_with(text, w, w - GAP);
    for l in lines.iter_mut().skip(1) {
        l.insert_str(0, &" ".repeat(GAP));
    }
    lines
}

/// `text` wrapped to a first line of `first` characters and the others of `rest`.
fn wrap_with(text: &str, first: usize, rest: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for mut word in text.split(breaks).filter(|p| !p.is_empty()) {
        loop {
            let w = if lines.is_empty() { first } else { rest }.max(1);
            let used = if line.is_empty() { 0 } else { cols(&line) + 1 };
            if used + cols(word) <= w {
                if !line.is_empty() {
                    line.push(' ');
                }
                line.push_str(word);
                break;
            }
            if line.is_empty() {
                // A word longer than a whole line: its first `w` columns make a line.
                let cut = fitting(word, w);
                lines.push(word[..cut].to_string());
                word = &word[cut..];
            } else {
                lines.push(std::mem::take(&mut line));
            }
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn pad_left(s: &str, w: usize) -> String {
    format!("{}{s}", " ".repeat(w.saturating_sub(cols(s))))
}

fn pad_right(s: &str, w: usize) -> String {
    format!("{s}{}", " ".repeat(w.saturating_sub(cols(s))))
}

fn centered(text: &str, w: usize) -> Vec<String> {
    wrap(text, w)
        .iter()
        .map(|l| format!("{}{l}", " ".repeat((w - cols(l)) / 2)))
        .collect()
}

fn rule(c: char, w: usize) -> String {
    c.to_string().repeat(w)
}

/// `left` and `right` on one line, `right` against the margin; when they do not fit, `left`
/// wraps beside `right` or, when a word of `left` would have to be split for that, above it.
fn split_pair(left: &str, right: &str, w: usize) -> Vec<String> {
    let (left, right) = (left.trim(), right.trim());
    let (l, r) = (cols(left), cols(right));
    if l == 0 || r == 0 {
        let mut lines = wrap(left, w);
        lines.extend(flush_right(right, w));
        return lines;
    }
    if l + GAP + r <= w {
        return vec![format!("{left}{}", pad_left(right, w - l))];
    }
    let room = w.saturating_sub(r + GAP);
    if left.split(breaks).map(cols).max().unwrap_or(0) <= room {
        let mut lines = wrap(left, room);
        lines[0] = format!("{}{}", pad_right(&lines[0], w - r), right);
        return lines;
    }
    let mut lines = wrap(left, w);
    lines.extend(flush_right(right, w));
    lines
}

/// A value on lines of its own: against the right margin when it fits one line, else wrapped
/// and indented.
fn flush_right(text: &str, w: usize) -> Vec<String> {
    match cols(text) {
        0 => Vec::new(),
        n if n <= w => vec![pad_left(text, w)],
        _ => indented(text, w),
    }
}

/// `text` wrapped and indented.
fn indented(text: &str, w: usize) -> Vec<String> {
    let indent = " ".repeat(GAP);
    wrap(text, w - GAP)
        .iter()
        .map(|l| format!("{indent}{l}"))
        .collect()
}

fn pairs(list: &[Pair], w: usize) -> Vec<String> {
    list.iter()
        .flat_map(|p| {
            let label = if p.strong {
                p.label.to_uppercase()
            } else {
                p.label.clone()
            };
            split_pair(&label, &p.value, w)
        })
        .collect()
}

fn block(b: &Block, w: usize) -> Vec<String> {
    let mut out = wrap(&b.heading, w);
    for line in &b.lines {
        out.extend(indented(line, w));
    }
    out
}

/// A table as columns when they fit `w`, else as stacked records; its note after the rows.
fn table(t: &Table, w: usize, page: &mut Page) {
    if let Some(h) = &t.heading {
        page.lines(wrap(h, w));
    }
    let note = t.note.iter().flat_map(|n| wrap(n, w));
    if t.rows.is_empty() {
        page.lines(note);
        return;
    }
    let widths = column_widths(t, w);
    let lines = |row: Row<'_>, page: &mut Page| match &widths {
        Some(widths) => grid_row(row.cells(), widths, &t.columns, page),
        None => page.lines(record(row, &t.columns, w)),
    };
    // Columns: a rule under the headers and above the footer. Records: a blank line between.
    let separator = match &widths {
        Some(widths) => rule('-', widths.iter().sum::<usize>() + GAP * (widths.len() - 1)),
        None => String::new(),
    };
    if let Some(widths) = &widths {
        let headers = t.columns.iter().map(|c| c.header.as_str());
        grid_row(headers, widths, &t.columns, page);
        page.line(&separator);
    }
    for (n, row) in t.rows.iter().enumerate() {
        if n > 0 && widths.is_none() {
            page.line("");
        }
        lines(row, page);
    }
    page.lines(note);
    if let Some(foot) = &t.foot {
        page.line(&separator);
        for row in foot.iter() {
            lines(row, page);
        }
    }
}

/// The rows and footer of a table.
fn body(t: &Table) -> impl Iterator<Item = Row<'_>> {
    t.rows.iter().chain(t.foot.iter().flat_map(Rows::iter))
}

/// Each column's width when the table is printed as columns, `None` when they do not fit: at
/// least its widest word (a wrapping column: [`FLEX_MIN`]), then the spare columns go first to
/// the wrapping columns' content, then to headers on one line.
fn column_widths(t: &Table, w: usize) -> Option<Vec<usize>> {
    let widest_word = |s: &str| s.split(breaks).map(cols).max().unwrap_or(0);
    let mut content = vec![0; t.columns.len()];
    for row in body(t) {
        for (n, cell) in content.iter_mut().zip(row.cells()) {
            *n = (*n).max(cols(cell));
        }
    }
    let mut widths: Vec<usize> = t
        .columns
        .iter()
        .zip(&content)
        .map(|(c, &n)| {
            let n = n.max(widest_word(&c.header));
            if c.flex {
                n.min(FLEX_MIN)
            } else {
                n
            }
        })
        .collect();
    let gaps = GAP * (widths.len() - 1);
    let spare = w.checked_sub(widths.iter().sum::<usize>() + gaps)?;
    let full: Vec<usize> = t
        .columns
        .iter()
        .zip(&content)
        .map(|(c, &n)| n.max(cols(&c.header)))
        .collect();
    let flex_full: Vec<usize> = t
        .columns
        .iter()
        .zip(&full)
        .map(|(c, &n)| if c.flex { n } else { 0 })
        .collect();
    let mut spare = share(&mut widths, &flex_full, spare);
    // Then whole headers, the nearest to fitting first: as many one-line headers as can be.
    let mut lacking: Vec<usize> = (0..widths.len()).filter(|&i| widths[i] < full[i]).collect();
    lacking.sort_by_key(|&i| full[i] - widths[i]);
    for i in lacking {
        let more = (full[i] - widths[i]).min(spare);
        widths[i] += more;
        spare -= more;
    }
    Some(widths)
}

/// Widens columns toward their `targets`, the narrowest first, one column at a time; returns
/// what is left of `spare`.
fn share(widths: &mut [usize], targets: &[usize], mut spare: usize) -> usize {
    while spare > 0 {
        let Some(i) = (0..widths.len())
            .filter(|&i| widths[i] < targets[i])
            .min_by_key(|&i| widths[i])
        else {
            break;
        };
        widths[i] += 1;
        spare -= 1;
    }
    spare
}

/// One row of cells, each wrapped in its column: as many lines as its tallest cell.
fn grid_row<'a>(
    cells: impl Iterator<Item = &'a str> + Clone,
    widths: &[usize],
    columns: &[Column],
    page: &mut Page,
) {
    if cells.clone().zip(widths).all(|(c, &w)| unwrapped(c, w)) {
        page.grid_line(cells, widths, columns);
        return;
    }
    let wrapped: Vec<Vec<String>> = cells.zip(widths).map(|(c, &w)| wrap(c, w)).collect();
    let height = wrapped.iter().map(Vec::len).max().unwrap_or(0);
    for i in 0..height {
        let cells = wrapped
            .iter()
            .map(|lines| lines.get(i).map_or("", String::as_str));
        page.grid_line(cells, widths, columns);
    }
}

/// True when [`wrap`] leaves `s` as it is: empty, or one line of at most `w` characters with
/// no break but single spaces between words.
fn unwrapped(s: &str, w: usize) -> bool {
    if s.bytes().all(|b| b.is_ascii_graphic()) {
        // One word of ASCII (most cells: amounts, dates, references), or nothing.
        return s.len() <= w;
    }
    single_spaced(s) && cols(s) <= w
}

/// True when the only breaks in `s` are single spaces between words.
fn single_spaced(s: &str) -> bool {
    let mut after_space = true;
    for c in s.chars() {
        let space = c == ' ';
        if (space && after_space) || (!space && breaks(c)) {
            return false;
        }
        after_space = space;
    }
    !after_space
}

/// One row as lines: its lead cells, then its left cells beside its right cells, then each
/// cell of its own.
fn record(row: Row<'_>, columns: &[Column], w: usize) -> Vec<String> {
    let cells = |stack: Stack| -> Vec<(&str, &str)> {
        columns
            .iter()
            .zip(row.cells())
            .filter(|(c, v)| c.stack == stack && !v.is_empty())
            .map(|(c, v)| (c.header.as_str(), v))
            .collect()
    };
    let labelled = |(h, v): (&str, &str)| format!("{h} {v}");
    let lead: Vec<String> = columns
        .iter()
        .zip(row.cells())
        .filter(|(c, v)| matches!(c.stack, Stack::Lead | Stack::LeadLabelled) && !v.is_empty())
        .map(|(c, v)| match c.stack {
            Stack::LeadLabelled => labelled((&c.header, v)),
            _ => v.to_string(),
        })
        .collect();
    let mut out = hanging(&lead.join(" "), w);
    let left: Vec<&str> = cells(Stack::Left).iter().map(|(_, v)| *v).collect();
    let right: Vec<String> = cells(Stack::Right).into_iter().map(labelled).collect();
    let (left, right_line) = (left.join("  "), right.join("  "));
    if cols(&left) + GAP + cols(&right_line) <= w || right.len() < 2 {
        out.extend(split_pair(&left, &right_line, w));
    } else {
        out.extend(wrap(&left, w));
        for (h, v) in cells(Stack::Right) {
            out.extend(split_pair(h, v, w));
        }
    }
    for (h, v) in cells(Stack::Own) {
        out.extend(split_pair(h, v, w));
    }
    out
}
