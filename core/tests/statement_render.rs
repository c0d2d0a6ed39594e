//! The HTML and plain-text renderings of a statement: snapshots in every language, widths,
//! escaping of hostile values, and every figure of the statement printed.

mod fixtures;

use chrono::{TimeZone, Utc};
use creditbook::statement::{html, text, PaymentLinkShown};
use creditbook::{Book, CurrencyDisplay, Error, Statement, StatementRequest, StoreSettings};
use rust_decimal::Decimal;

const WIDTHS: [usize; 5] = [32, 40, 48, 80, 120];

/// The fixture's book of a store with `settings` and its customer Marie Tremblay.
fn book(settings: StoreSettings) -> Book {
    fixtures::book(settings, "Marie Tremblay", "fr")
}

/// The fixture's Montréal store.
fn montreal() -> StoreSettings {
    fixtures::settings("CAD", "America/Montreal")
}

/// November's statement of the fixture's Montréal store, in `lang`.
fn november(lang: &str) -> Statement {
    fixtures::november(&book(montreal()), lang)
}

fn with_link(mut st: Statement) -> Statement {
    st.payment_link = Some(PaymentLinkShown {
        url: "https://pay.example.com/s/C-1-20261130?t=abc&v=2".into(),
        amount: st.amount_due,
        // 04:59 UTC is 23:59 the day before in Montreal (EST, UTC-5), as `Book` shows it.
        expires_at: Some(
            Utc.with_ymd_and_hms(2026, 12, 31, 4, 59, 0)
                .unwrap()
                .with_timezone(&chrono::FixedOffset::west_opt(5 * 3600).unwrap()),
        ),
    });
    st
}

/// Columns a character takes on a receipt printer, written out here for the characters the
/// tests use (independently of the library's unicode-width): the CJK ideographs, Hangul and
/// fullwidth forms and the emoji blocks two, combining diacritics and zero-width or bidi
/// controls none, everything else one.
fn columns(line: &str) -> usize {
    line.chars()
        .map(|c| match u32::from(c) {
            0x0300..=0x036F | 0x200B..=0x200F | 0x202A..=0x202E | 0x2066..=0x2069 => 0,
            0x1100..=0x115F
            | 0x2E80..=0x303E
            | 0x3041..=0x33FF
            | 0x3400..=0x4DBF
            | 0x4E00..=0x9FFF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFF01..=0xFF60
            | 0x1F300..=0x1F64F
            | 0x1F900..=0x1F9FF => 2,
            _ => 1,
        })
        .sum()
}

/// Every line of `text` fits `width` columns and has no trailing spaces.
fn assert_fits(text: &str, width: usize, what: &str) {
    for (n, line) in text.lines().enumerate() {
        assert_eq!(
            line,
            line.trim_end(),
            "{what}: line {} ends with spaces",
            n + 1
        );
        assert!(
            columns(line) <= width,
            "{what}: line {} is {} > {width} columns: {line:?}",
            n + 1,
            columns(line)
        );
    }
}

#[test]
fn wide_and_combining_characters_keep_receipts_aligned() {
    let mut st = november("en");
    // CJK (two columns each), emoji (two), and accents written as combining marks (none).
    st.customer.name = "株式会社 山田商店 🛠️ Ame\u{301}lie Bou\u{308}chard".into();
    st.store.name = "東京ハードウェア 금물 가게".into();
    st.lines[0].reference = Some("領収書-二〇二六年十一月-第四十二号".into());
    st.lines[1].reference = Some("🧾".repeat(30));
    for width in WIDTHS {
        let text = st.to_text(width).unwrap();
        assert_fits(&text, width, &format!("wide/{width}"));
        // Each activity line's amount ends at the right margin, whatever the reference holds.
        for reference in ["領収書", "🧾"] {
            let line = text
                .lines()
                .find(|l| l.contains(reference))
                .unwrap_or_else(|| panic!("{reference} is printed at {width}: {text}"));
            assert!(columns(line) <= width);
        }
    }
    let text = st.to_text(40).unwrap();
    assert!(text.contains("山田商店"), "{text}");
    assert!(
        text.contains("Ame\u{301}lie"),
        "a combining accent stays with its letter"
    );
}

#[test]
fn snapshots_in_every_language() {
    for lang in fixtures::LANGUAGES {
        let st = november(lang);
        insta::assert_snapshot!(format!("html_{lang}"), st.to_html().unwrap());
        for width in [40, 48, 80] {
            insta::assert_snapshot!(format!("text_{lang}_{width}"), st.to_text(width).unwrap());
        }
    }
}

#[test]
fn snapshot_euro_store_in_paris() {
    let st = fixtures::november(&book(fixtures::settings("EUR", "Europe/Paris")), "fr");
    assert_eq!(st.locale, "fr-FR");
    insta::assert_snapshot!("html_fr_FR_eur", st.to_html().unwrap());
    insta::assert_snapshot!("text_fr_FR_eur_48", st.to_text(48).unwrap());
}

#[test]
fn snapshot_euro_stores_in_berlin_and_amsterdam() {
    for (lang, zone, locale) in [
        ("de", "Europe/Berlin", "de-DE"),
        ("nl", "Europe/Amsterdam", "nl-NL"),
    ] {
        let st = fixtures::november(&book(fixtures::settings("EUR", zone)), lang);
        assert_eq!(st.locale, locale);
        insta::assert_snapshot!(format!("text_{locale}_eur_80"), st.to_text(80).unwrap());
    }
}

#[test]
fn snapshot_iso_code_currency() {
    let mut settings = montreal();
    settings.statements.currency_display = CurrencyDisplay::IsoCode;
    let st = fixtures::november(&book(settings), "en");
    insta::assert_snapshot!("html_en_iso", st.to_html().unwrap());
    insta::assert_snapshot!("text_en_iso_80", st.to_text(80).unwrap());
}

#[test]
fn snapshot_payment_link_and_its_absence() {
    let st = with_link(november("en"));
    insta::assert_snapshot!("html_en_link", st.to_html().unwrap());
    insta::assert_snapshot!("text_en_link_48", st.to_text(48).unwrap());
    let mut st = november("fr");
    st.payment_link_omitted = Some(Decimal::new(100_000, 0));
    st.due_upon_receipt = true;
    st.due_date = st.statement_date;
    insta::assert_snapshot!("text_fr_omitted_40", st.to_text(40).unwrap());
}

#[test]
fn snapshot_quiet_month() {
    let mut request =
        StatementRequest::new(fixtures::date(2026, 8, 1), fixtures::date(2026, 8, 31));
    request.language = Some("de".into());
    let st = book(montreal()).statement("C-1", &request).unwrap();
    assert!(st.lines.is_empty() && st.open_invoices.is_empty());
    insta::assert_snapshot!("text_de_quiet_32", st.to_text(32).unwrap());
    insta::assert_snapshot!("html_de_quiet", st.to_html().unwrap());
}

#[test]
fn every_line_fits_every_width_in_every_language() {
    for lang in fixtures::LANGUAGES {
        let st = with_link(november(lang));
        for width in WIDTHS {
            assert_fits(
                &st.to_text(width).unwrap(),
                width,
                &format!("{lang}/{width}"),
            );
        }
        let mut long = hostile();
        long.language = st.language;
        long.locale = st.locale.clone();
        for width in 32..=160 {
            let what = format!("hostile {lang}/{width}");
            assert_fits(&long.to_text(width).unwrap(), width, &what);
        }
    }
}

#[test]
fn widths_outside_32_to_160_are_refused() {
    let st = november("en");
    for width in [0, 31, 161, 1000] {
        assert!(
            matches!(st.to_text(width), Err(Error::InvalidInput { .. })),
            "{width}"
        );
    }
    assert!(st.to_text(32).is_ok() && st.to_text(160).is_ok());
}

#[test]
fn one_localizer_renders_many_statements() {
    let st = november("nl");
    let loc = st.localizer().unwrap();
    assert_eq!(html::render(&st, &loc), st.to_html().unwrap());
    assert_eq!(
        text::render(&st, &loc, 48).unwrap(),
        st.to_text(48).unwrap()
    );
    assert!(text::render(&st, &loc, 20).is_err());
}

/// A statement whose every outside value is hostile.
fn hostile() -> Statement {
    let mut st = november("en");
    st.customer.name = "<script>alert(1)</script>".into();
    st.customer.address.lines = vec![
        "\"onmouseover=alert(1) x=\"".into(),
        "]]><!-- '".into(),
        "\u{202e}evil\u{202c} & co".into(),
    ];
    st.store.header_text = "=HYPERLINK(\"x\",\"y\")".into();
    st.store.name = "A&B <b>Hardware</b>".into();
    st.lines[0].reference = Some("</td></tr></table><img src=x onerror=alert(1)>".into());
    st.lines[1].reference = Some("R".repeat(300));
    st.payment_link = Some(PaymentLinkShown {
        url: "javascript:alert(1)".into(),
        amount: st.amount_due,
        expires_at: None,
    });
    st
}

#[test]
fn hostile_values_are_escaped_in_html() {
    let html = hostile().to_html().unwrap();
    for raw in [
        "<script",
        "<img",
        "<b>",
        "<!--",
        "]]>",
        "\"onmouseover",
        "href=\"javascript",
        "\u{202e}",
        "\u{202c}",
    ] {
        assert!(!html.contains(raw), "{raw:?} printed raw");
    }
    for escaped in [
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&quot;onmouseover=alert(1) x=&quot;",
        "]]&gt;&lt;!-- &#39;",
        "=HYPERLINK(&quot;x&quot;,&quot;y&quot;)",
        "A&amp;B &lt;b&gt;Hardware&lt;/b&gt;",
        "evil &amp; co",
        "&lt;img src=x onerror=alert(1)&gt;",
    ] {
        assert!(html.contains(escaped), "{escaped:?} missing");
    }
    assert!(!html.contains("<a "), "a javascript: URL is not a link");
}

#[test]
fn hostile_values_wrap_in_text() {
    let mut st = hostile();
    st.customer.name = "N".repeat(10_000);
    for width in WIDTHS {
        let text = st.to_text(width).unwrap();
        assert_fits(&text, width, &format!("hostile/{width}"));
        assert!(!text.contains('\u{202e}'));
        let name_chars: usize = text
            .lines()
            .filter(|l| l.trim().chars().all(|c| c == 'N'))
            .map(|l| l.trim().chars().count())
            .sum();
        assert_eq!(name_chars, 10_000, "the whole name is printed at {width}");
    }
    let html = st.to_html().unwrap();
    assert!(html.contains(&"N".repeat(10_000)));
}

#[test]
fn html_is_self_contained_and_printable() {
    let st = with_link(november("fr"));
    let html = st.to_html().unwrap();
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"fr-CA\">"));
    for needed in [
        "@page { size: auto;",
        "@media print",
        "thead { display: table-header-group; }",
        "tr { break-inside: avoid;",
        "font-variant-numeric: tabular-nums",
        "<thead>",
    ] {
        assert!(html.contains(needed), "{needed:?} missing");
    }
    for banned in [
        "<script", "<link", "<img", "@import", "url(", "src=", "<iframe",
    ] {
        assert!(!html.contains(banned), "{banned:?} found");
    }
    let link = "https://pay.example.com/s/C-1-20261130?t=abc&amp;v=2";
    assert!(html.contains(&format!("<a href=\"{link}\">")));
    let mut rest = html.as_str();
    while let Some(at) = rest.find("http") {
        assert!(rest[at..].starts_with(link), "a URL other than the link");
        rest = &rest[at + 4..];
    }
    let without = november("fr").to_html().unwrap();
    assert!(!without.contains("http"));
}

#[test]
fn every_figure_is_printed() {
    for lang in fixtures::LANGUAGES {
        let st = november(lang);
        let loc = st.localizer().unwrap();
        let html = st.to_html().unwrap();
        let texts = [st.to_text(32).unwrap(), st.to_text(80).unwrap()];
        let mut figures = vec![
            st.opening_balance,
            st.total_charges,
            st.total_credits,
            st.closing_balance,
            st.credit_balance,
            st.amount_due,
        ];
        figures.extend(st.lines.iter().map(|l| l.balance));
        figures.extend(st.open_invoices.iter().map(|i| i.remaining));
        figures.extend(st.aging.buckets.iter().map(|b| b.amount));
        let shown = st.credit_limit.as_ref().unwrap();
        figures.extend(shown.limit.amount().into_iter().chain(shown.available));
        for figure in figures {
            let printed = loc.money(figure);
            assert!(html.contains(&printed), "{lang}: {printed} not in the HTML");
            for text in &texts {
                assert!(text.contains(&printed), "{lang}: {printed} not in the text");
            }
        }
        let due = loc.long_date(st.due_date);
        assert!(html.contains(&due) && texts.iter().all(|t| t.contains(&due)));
    }
}
