//! Printable HTML statements: one self-contained document (inline style, no scripts, no external
//! resources) that prints on A4 and Letter and reads in email clients.
//!
//! The layout is plain tables with simple class selectors, so that it survives email clients
//! and CSS inliners; table headers repeat on each printed page. Every value is escaped.

use std::fmt::Write;

use super::text::{Block, Pair, Pay, Row, Table, View};
use super::Statement;
use crate::error::Result;
use crate::i18n::Localizer;

impl Statement {
    /// The statement as a printable HTML document in its language. To render many statements,
    /// build one [`Localizer`] and call [`render`].
    pub fn to_html(&self) -> Result<String> {
        Ok(render(self, &self.localizer()?))
    }
}

/// The statement as a printable HTML document, with `loc` (made for the statement's language,
/// locale and currency, e.g. by [`Statement::localizer`]).
pub fn render(st: &Statement, loc: &Localizer) -> String {
    let v = View::new(st, loc);
    let mut h = Html(String::with_capacity(size_hint(&v)));
    h.raw("<!DOCTYPE html>\n<html lang=\"");
    h.text(&v.locale);
    h.raw("\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.raw("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.el("title", "", &format!("{} {}", v.title, v.number));
    h.raw("\n<style>\n");
    h.raw(STYLE);
    h.raw(&page_counter(&loc.text("page")));
    h.raw("</style>\n</head>\n<body>\n<div class=\"statement\">\n");
    header(&mut h, &v);
    parties(&mut h, &v);
    table(&mut h, &v.activity, "lines");
    table(&mut h, &v.invoices, "invoices");
    table(&mut h, &v.aging, "aging");
    remittance(&mut h, &v);
    h.el("p", "thanks", &v.thanks);
    h.raw("</div>\n</body>\n</html>\n");
    h.0
}

/// Writes `s` escaped for HTML content and quoted attribute values at the end of `out`.
pub(crate) fn escape_into(out: &mut String, s: &str) {
    let mut rest = s;
    // The characters escaped are ASCII: a byte found is a whole character.
    while let Some(i) = rest
        .bytes()
        .position(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\''))
    {
        out.push_str(&rest[..i]);
        out.push_str(match rest.as_bytes()[i] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        });
        rest = &rest[i + 1..];
    }
    out.push_str(rest);
}

/// About how long the document of a view is, in bytes: its tables' rows are most of it.
fn size_hint(v: &View) -> usize {
    /// Markup around a row's cells: `<tr>`, six `<td class="nowrap"></td>`, `</tr>\n`.
    const ROW_MARKUP: usize = 170;
    let tables = [&v.activity, &v.invoices, &v.aging];
    let rows: usize = tables.iter().map(|t| t.rows.len()).sum();
    let text: usize = tables.iter().map(|t| t.rows.text_len()).sum();
    STYLE.len() + 8192 + text + rows * ROW_MARKUP
}

const STYLE: &str = "\
@page { size: auto; margin: 14mm 12mm; }
body { margin: 0; padding: 16px; background: #fff; color: #111;
  font: 14px/1.4 'Helvetica Neue', Helvetica, Arial, sans-serif; }
.statement { max-width: 760px; margin: 0 auto; }
table { border-collapse: collapse; width: 100%; }
th, td { padding: 3px 6px; text-align: left; vertical-align: top; }
p { margin: 0 0 6px; }
p, h1, h2, h3, .wrap { overflow-wrap: anywhere; word-break: break-word; }
h1 { font-size: 20px; margin: 0 0 4px; }
h2 { font-size: 15px; margin: 18px 0 6px; }
h3 { font-size: 12px; margin: 0 0 4px; text-transform: uppercase; letter-spacing: .04em; color: #555; }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.nowrap { white-space: nowrap; }
.head, .parties, .remit { table-layout: fixed; }
.store, .title, .customer, .side { padding: 0; }
.store { width: 55%; }
.title h2 { font-size: 18px; margin: 0 0 6px; }
.meta th, .meta td { padding: 1px 0 1px 8px; }
.meta th { font-weight: normal; color: #555; white-space: nowrap; }
.meta td { text-align: right; }
.parties { margin-top: 18px; }
.customer { width: 50%; padding-right: 16px; }
.summary { border: 1px solid #111; }
.summary th { font-weight: normal; }
.summary tr.strong th, .summary tr.strong td { font-weight: bold; font-size: 15px; }
.summary tr.first-strong th, .summary tr.first-strong td { border-top: 2px solid #111; }
.pay { margin-top: 10px; }
.pay td { padding: 0; vertical-align: middle; }
.pay .num { padding-left: 12px; font-size: 15px; font-weight: bold; }
.pay a { display: inline-block; padding: 7px 14px; background: #0b5394; color: #fff;
  font-weight: bold; text-decoration: none; border-radius: 3px; }
.url { margin-top: 4px; font-size: 11px; color: #555; }
.note { color: #555; }
.lines, .invoices, .aging { margin-top: 18px; }
.lines th, .invoices th, .aging th { border-bottom: 1.5px solid #111; font-size: 12px; }
.lines td, .invoices td, .aging td { border-bottom: 1px solid #ddd; }
.lines tfoot td { border-top: 1.5px solid #111; border-bottom: 0; font-weight: bold; }
.remit { margin-top: 24px; }
.remit td { width: 50%; padding: 10px 16px 0 0; border-top: 1px dashed #555; }
.thanks { margin-top: 18px; text-align: center; }
thead { display: table-header-group; }
tfoot { display: table-row-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
@media screen and (max-width: 600px) {
  body { padding: 10px; }
  .store, .title, .customer, .side, .remit td { display: block; width: auto; padding: 0; }
  .title, .side, .remit td + td { margin-top: 14px; }
  .lines, .invoices, .aging { font-size: 12px; }
  .lines th, .lines td, .invoices th, .invoices td, .aging th, .aging td { padding: 3px 2px; }
  th.num { white-space: normal; }
}
@media print {
  body { padding: 0; font-size: 10pt; }
  .statement { max-width: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
  .pay a { background: none; color: #111; border: 1px solid #111; }
  .remit { break-inside: avoid; page-break-inside: avoid; }
}
";

/// The printed page's number in its bottom margin ("Page 2"), the word quoted for CSS.
fn page_counter(word: &str) -> String {
    let mut quoted = String::new();
    for c in word.chars() {
        if c.is_alphanumeric() || c == ' ' {
            quoted.push(c);
        } else {
            let _ = write!(quoted, "\\{:x} ", u32::from(c));
        }
    }
    format!(
        "@page {{ @bottom-right {{ content: \"{quoted} \" counter(page); \
         font: 9px Arial, sans-serif; color: #555; }} }}\n"
    )
}

/// An HTML document being written.
struct Html(String);

impl Html {
    /// Markup, as is.
    fn raw(&mut self, s: &str) {
        self.0.push_str(s);
    }

    /// Text, escaped.
    fn text(&mut self, s: &str) {
        escape_into(&mut self.0, s);
    }

    /// An opening tag with an optional class (classes are constants of this module).
    fn open(&mut self, tag: &str, class: &str) {
        self.0.push('<');
        self.0.push_str(tag);
        if !class.is_empty() {
            self.0.push_str(" class=\"");
            self.0.push_str(class);
            self.0.push('"');
        }
        self.0.push('>');
    }

    fn close(&mut self, tag: &str) {
        self.0.push_str("</");
        self.0.push_str(tag);
        self.0.push('>');
    }

    /// An element holding text.
    fn el(&mut self, tag: &str, class: &str, text: &str) {
        self.open(tag, class);
        self.text(text);
        self.close(tag);
    }

    /// Lines of text in one paragraph.
    fn lines(&mut self, class: &str, lines: &[String]) {
        if lines.is_empty() {
            return;
        }
        self.open("p", class);
        for (i, l) in lines.iter().enumerate() {
            if i > 0 {
                self.raw("<br>");
            }
            self.text(l);
        }
        self.close("p");
    }

    /// A layout table's single row opened: `<table role="presentation"><tr>`.
    fn layout_row(&mut self, class: &str) {
        let _ = write!(
            self.0,
            "\n<table class=\"{class}\" role=\"presentation\"><tr>"
        );
    }

    fn end_layout_row(&mut self) {
        self.raw("</tr></table>\n");
    }
}

/// Store block on the left, title and statement details on the right.
fn header(h: &mut Html, v: &View) {
    h.layout_row("head");
    h.open("td", "store");
    h.el("h1", "", &v.store_name);
    h.lines("", &v.store_address);
    if !v.header_text.is_empty() {
        h.el("p", "note", &v.header_text);
    }
    h.close("td");
    h.open("td", "title");
    h.el("h2", "", &v.title);
    pairs(h, "meta", &v.meta, "wrap");
    h.close("td");
    h.end_layout_row();
}

/// Customer on the left, the summary box and the payment link on the right.
fn parties(h: &mut Html, v: &View) {
    h.layout_row("parties");
    h.open("td", "customer");
    block(h, &v.customer);
    h.close("td");
    h.open("td", "side");
    pairs(h, "summary", &v.summary, "num");
    if let Some(p) = &v.pay {
        pay(h, p);
    }
    if let Some(note) = &v.omitted {
        h.el("p", "note", note);
    }
    h.close("td");
    h.end_layout_row();
}

/// The "Pay online" button with its amount, then the URL (for print).
fn pay(h: &mut Html, p: &Pay) {
    h.layout_row("pay");
    h.open("td", "");
    if is_https(&p.url) {
        h.raw("<a href=\"");
        h.text(&p.url);
        h.raw("\">");
        h.text(&p.text);
        h.raw("</a>");
    } else {
        h.el("strong", "", &p.text);
    }
    h.close("td");
    h.el("td", "num", &p.amount);
    h.end_layout_row();
    h.el("p", "url", &p.url);
}

/// Only `https://` links are made clickable: anything else (`javascript:`) prints as text.
fn is_https(url: &str) -> bool {
    url.get(..8)
        .is_some_and(|s| s.eq_ignore_ascii_case("https://"))
}

fn block(h: &mut Html, b: &Block) {
    h.el("h3", "", &b.heading);
    h.lines("", &b.lines);
}

/// Labels and values as a two-column table; the strong ones (amount due) stand out.
fn pairs(h: &mut Html, class: &str, list: &[Pair], value_class: &str) {
    h.open("table", class);
    let mut strong_before = false;
    for p in list {
        let row_class = match (p.strong, strong_before) {
            (true, false) => "strong first-strong",
            (true, true) => "strong",
            _ => "",
        };
        strong_before = p.strong;
        h.open("tr", row_class);
        h.el("th", "", &p.label);
        h.el("td", value_class, &p.value);
        h.close("tr");
    }
    h.close("table");
}

fn table(h: &mut Html, t: &Table, class: &str) {
    h.raw("\n");
    if let Some(heading) = &t.heading {
        h.el("h2", "", heading);
    }
    if t.rows.is_empty() {
        if let Some(note) = &t.note {
            h.el("p", "note", note);
        }
        return;
    }
    let classes: Vec<&str> = t
        .columns
        .iter()
        .map(|c| match c {
            c if c.numeric => "num",
            c if c.flex => "wrap",
            _ => "nowrap",
        })
        .collect();
    h.open("table", class);
    h.raw("<thead><tr>");
    for (c, class) in t.columns.iter().zip(&classes) {
        h.el("th", class, &c.header);
    }
    h.raw("</tr></thead>\n<tbody>\n");
    // Each cell's opening tag, made once: a table may have thousands of rows.
    let opens: Vec<String> = classes
        .iter()
        .map(|c| format!("<td class=\"{c}\">"))
        .collect();
    for row in t.rows.iter() {
        cells(h, row, &opens);
    }
    if let Some(note) = &t.note {
        let _ = write!(
            h.0,
            "<tr><td class=\"note\" colspan=\"{}\">",
            t.columns.len()
        );
        h.text(note);
        h.raw("</td></tr>\n");
    }
    h.raw("</tbody>\n");
    if let Some(foot) = &t.foot {
        h.raw("<tfoot>");
        for row in foot.iter() {
            cells(h, row, &opens);
        }
        h.raw("</tfoot>\n");
    }
    h.close("table");
}

/// A row of cells, each opened by its column's tag of `opens`.
fn cells(h: &mut Html, row: Row<'_>, opens: &[String]) {
    h.raw("<tr>");
    for (cell, open) in row.cells().zip(opens) {
        h.raw(open);
        h.text(cell);
        h.raw("</td>");
    }
    h.raw("</tr>\n");
}

/// The remittance part: cheques payable to, where to mail them.
fn remittance(h: &mut Html, v: &View) {
    h.layout_row("remit");
    for b in &v.remit {
        h.open("td", "");
        block(h, b);
        h.close("td");
    }
    h.end_layout_row();
}
