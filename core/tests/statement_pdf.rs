//! PDF statements (feature `pdf`) read back by independent tools: `qpdf --check` for structure,
//! poppler's `pdftotext` for the text a reader selects and searches, `pdfdetach` for the
//! embedded UBL, `pdfinfo` for pages and paper. The tools are installed (Debian's qpdf and
//! poppler-utils, tests/apt-install.sh) when missing. With `CREDITBOOK_PDF_OUT` set, the samples
//! are also written there (tests/pdf/check.sh validates their UBL against the XSD).

mod fixtures;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Once;

use creditbook::statement::pdf::{print_run, Paper, PdfFont, PdfOptions, UBL_FILE_NAME};
use creditbook::{Book, Statement, StoreSettings};

/// Installs qpdf and poppler-utils once when a tool is missing.
fn tools() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let have = ["qpdf", "pdftotext", "pdfdetach", "pdfinfo"]
            .iter()
            .all(|t| {
                Command::new(t)
                    .arg("--version")
                    .output()
                    .is_ok_and(|o| o.status.success() || !o.stderr.is_empty())
            });
        if !have {
            let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/apt-install.sh");
            let ok = Command::new(script)
                .args(["qpdf", "poppler-utils"])
                .status()
                .expect("run tests/apt-install.sh");
            assert!(ok.success(), "installing qpdf and poppler-utils failed");
        }
    });
}

/// A fresh directory for one test's files.
fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("creditbook-pdf-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Writes `pdf` to `dir/name`, and to `$CREDITBOOK_PDF_OUT/name` when set.
fn save(dir: &Path, name: &str, pdf: &[u8]) -> PathBuf {
    if let Some(out) = std::env::var_os("CREDITBOOK_PDF_OUT") {
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(Path::new(&out).join(name), pdf).unwrap();
    }
    let p = dir.join(name);
    std::fs::write(&p, pdf).unwrap();
    p
}

fn run(tool: &str, args: &[&str]) -> (bool, String) {
    tools();
    let o = Command::new(tool).args(args).output().unwrap();
    let mut text = String::from_utf8(o.stdout).expect("tools print UTF-8");
    text.push_str(&String::from_utf8_lossy(&o.stderr));
    (o.status.success(), text)
}

/// `qpdf --check` passes without a warning.
fn assert_qpdf_clean(path: &Path) {
    let (ok, out) = run("qpdf", &["--check", path.to_str().unwrap()]);
    assert!(ok, "qpdf --check {}: {out}", path.display());
    assert!(
        out.contains("No syntax or stream encoding errors found") && !out.contains("WARNING"),
        "qpdf --check {}: {out}",
        path.display()
    );
}

/// The text of a PDF as laid out (`pdftotext -layout`).
fn text_of(path: &Path) -> String {
    let (ok, out) = run(
        "pdftotext",
        &["-layout", "-enc", "UTF-8", path.to_str().unwrap(), "-"],
    );
    assert!(ok, "pdftotext: {out}");
    out
}

/// The page count and page size of a PDF (`pdfinfo`).
fn info(path: &Path) -> (usize, String) {
    let (ok, out) = run("pdfinfo", &[path.to_str().unwrap()]);
    assert!(ok, "pdfinfo: {out}");
    let field = |name: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(name))
            .unwrap_or_else(|| panic!("no {name} in {out}"))
            .trim()
            .to_string()
    };
    (field("Pages:").parse().unwrap(), field("Page size:"))
}

/// Text without white space (pdftotext spaces columns out; the no-break spaces of amounts are
/// white space too).
fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// Each needle is found in `text` after the one before it.
fn assert_in_order(text: &str, needles: &[String], what: &str) {
    let hay = squeeze(text);
    let mut at = 0;
    for n in needles {
        let n = squeeze(n);
        match hay[at..].find(&n) {
            Some(i) => at += i + n.len(),
            None => panic!(
                "{what}: {n:?} not found after position {at} (in order); found anywhere: {}\n{text}",
                hay.contains(&n)
            ),
        }
    }
}

fn montreal_book() -> Book {
    fixtures::book(
        fixtures::settings("CAD", "America/Montreal"),
        "Marie Tremblay",
        "fr",
    )
}

/// November's English statement, its figures computed by hand from the fixture's entries
/// (tests/fixtures/mod.rs) and read back from the PDF top to bottom.
#[test]
fn english_statement_reads_back_in_order() {
    let st = fixtures::november(&montreal_book(), "en");
    let d = dir("en");
    let path = save(
        &d,
        "statement-en.pdf",
        &st.to_pdf(&PdfOptions::default()).unwrap(),
    );
    assert_qpdf_clean(&path);
    let text = text_of(&path);
    let expected: Vec<String> = [
        "Quincaillerie Lapointe",
        "Statement of account",
        "C-1-20261130",
        "November 30, 2026",
        "November 1, 2026 to November 30, 2026",
        // The summary: opening, charges, credits, closing, store credit, limit, available.
        "$1,349.76",
        "$154.94",
        "$584.94",
        "$919.76",
        "$92.50",
        "$2,500.00",
        "$1,580.24",
        "Amount due",
        "$919.76",
        "December 30, 2026",
        // The lines: dates, references, charges, credits, balances.
        "2026-11-01",
        "Balance brought forward",
        "$1,349.76",
        "2026-11-03",
        "S-1103",
        "$89.99",
        "$1,439.75",
        "2026-11-05",
        "layaway-7",
        "2026-11-09",
        "S-1109",
        "2026-11-12",
        "$29.99",
        "$1,409.76",
        "2026-11-18",
        "$500.00",
        "$909.76",
        "2026-11-21",
        "S-1121",
        "$45.00",
        "$954.76",
        "2026-11-24",
        "Price match",
        "$5.00",
        "$949.76",
        "2026-11-25",
        "S-1125",
        "$19.95",
        "$969.71",
        "2026-11-26",
        "Rung up twice",
        "$19.95",
        "$949.76",
        "2026-11-27",
        "$20.00",
        "$929.76",
        "2026-11-28",
        "cash",
        "2026-11-29",
        "Damaged in delivery",
        "$10.00",
        "$919.76",
        // Totals.
        "Closing balance",
        "$154.94",
        "$584.94",
        "$919.76",
        // Open invoices: S-1006 overdue 25 days with $814.76 left, S-1103 $60.00, S-1121.
        "Open invoices",
        "S-1006",
        "2026-10-06",
        "2026-11-05",
        "25",
        "$814.76",
        "S-1103",
        "$60.00",
        "S-1121",
        "$45.00",
        // Aging.
        "Aging",
        "$105.00",
        "$814.76",
        "Thank you for your business.",
        // The remittance slip.
        "Make cheques payable to",
        "Marie Tremblay",
        "C-1",
        "C-1-20261130",
        "$919.76",
        "December 30, 2026",
        "Amount enclosed",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_in_order(&text, &expected, "en");
    for name in [
        "Marie Tremblay",
        "88, avenue du Parc",
        "Montréal QC H2V 4E7",
    ] {
        assert!(text.contains(name), "{name} missing:\n{text}");
    }
    // Montréal prints on Letter, with "page n of m" on each page.
    let (pages, size) = info(&path);
    assert!(size.starts_with("612 x 792"), "{size}");
    for n in 1..=pages {
        assert!(text.contains(&format!("Page {n} of {pages}")), "page {n}");
    }
}

/// Every language: every figure, date and name of the statement (each line's date, reference
/// and amounts, the summary, the slip), in order, the words in the language.
#[test]
fn every_language_reads_back_in_order() {
    let book = montreal_book();
    let d = dir("langs");
    let words = [
        ("en", "Statement of account", "Page 1 of"),
        ("fr", "Relevé de compte", "Page 1 sur"),
        ("es", "Estado de cuenta", "Página 1 de"),
        ("de", "Kontoauszug", "Seite 1 von"),
        ("nl", "Rekeningoverzicht", "Pagina 1 van"),
    ];
    for (lang, title, page) in words {
        let st = fixtures::november(&book, lang);
        let loc = st.localizer().unwrap();
        for paper in [Paper::A4, Paper::Letter] {
            let name = format!("statement-{lang}-{}.pdf", paper.code());
            let path = save(&d, &name, &st.to_pdf(&PdfOptions::on(paper)).unwrap());
            assert_qpdf_clean(&path);
            let text = text_of(&path);
            let mut needles = vec![
                st.store.name.clone(),
                title.to_string(),
                st.number.clone(),
                loc.long_date(st.statement_date),
                loc.money(st.opening_balance),
                loc.money(st.closing_balance),
                loc.money(st.amount_due),
            ];
            for l in &st.lines {
                needles.push(loc.short_date(l.date));
                if let Some(r) = &l.reference {
                    needles.push(r.clone());
                }
                for a in [l.charge, l.credit] {
                    if !a.is_zero() {
                        needles.push(loc.money(a));
                    }
                }
                needles.push(loc.money(l.balance));
            }
            needles.push(loc.money(st.total_charges));
            needles.push(loc.money(st.total_credits));
            for i in &st.open_invoices {
                needles.push(loc.short_date(i.due_date));
                needles.push(loc.money(i.remaining));
            }
            for b in &st.aging.buckets {
                needles.push(loc.money(b.amount));
            }
            needles.push(st.customer.name.clone());
            needles.push(loc.money(st.amount_due));
            needles.push(loc.long_date(st.due_date));
            assert_in_order(&text, &needles, &name);
            assert!(text.contains(page), "{name}: no {page:?}");
            let (_, size) = info(&path);
            let want = match paper {
                Paper::A4 => "595.276 x 841.89",
                Paper::Letter => "612 x 792",
            };
            assert!(size.starts_with(want), "{name}: {size}");
        }
    }
}

/// The store's paper follows its country: Letter in Montréal, A4 in Paris and Berlin.
#[test]
fn paper_follows_the_store() {
    let paris = fixtures::book(
        fixtures::settings("EUR", "Europe/Paris"),
        "Marie Tremblay",
        "fr",
    );
    assert_eq!(fixtures::november(&paris, "fr").paper(), Paper::A4);
    assert_eq!(
        fixtures::november(&montreal_book(), "fr").paper(),
        Paper::Letter
    );
    assert_eq!(Paper::for_country(Some("DE")), Paper::A4);
    assert_eq!(Paper::for_country(Some("us")), Paper::Letter);
    assert_eq!(Paper::for_country(None), Paper::A4);
    assert_eq!(Paper::from_code("LETTER").unwrap(), Paper::Letter);
    assert!(Paper::from_code("a5").is_err());
}

/// The UBL statement travels inside the PDF, byte for byte; an option leaves it out.
#[test]
fn ubl_is_embedded_byte_identical() {
    let st = fixtures::november(&montreal_book(), "de");
    let d = dir("ubl");
    let path = save(
        &d,
        "statement-ubl-de.pdf",
        &st.to_pdf(&PdfOptions::default()).unwrap(),
    );
    let out = d.join("detached");
    std::fs::create_dir_all(&out).unwrap();
    let (ok, list) = run("pdfdetach", &["-list", path.to_str().unwrap()]);
    assert!(ok && list.contains(UBL_FILE_NAME), "{list}");
    let (ok, msg) = run(
        "pdfdetach",
        &[
            "-saveall",
            "-o",
            out.to_str().unwrap(),
            path.to_str().unwrap(),
        ],
    );
    assert!(ok, "{msg}");
    let xml = std::fs::read(out.join(UBL_FILE_NAME)).unwrap();
    assert_eq!(xml, st.to_ubl_xml().unwrap().into_bytes());
    // PDF/A-3 says so in its XMP metadata, and the file is an associated file of the document.
    let plain = d.join("plain.pdf");
    let (ok, msg) = run(
        "qpdf",
        &[
            "--qdf",
            "--object-streams=disable",
            path.to_str().unwrap(),
            plain.to_str().unwrap(),
        ],
    );
    assert!(ok, "{msg}");
    let raw = std::fs::read(&plain).unwrap();
    let has = |needle: &[u8]| raw.windows(needle.len()).any(|w| w == needle);
    assert!(has(b"<pdfaid:part>3</pdfaid:part>"));
    assert!(has(b"/AFRelationship /Alternative"));

    let options = PdfOptions {
        embed_ubl: false,
        ..PdfOptions::default()
    };
    let path = save(&d, "statement-no-ubl.pdf", &st.to_pdf(&options).unwrap());
    assert_qpdf_clean(&path);
    let (ok, list) = run("pdfdetach", &["-list", path.to_str().unwrap()]);
    assert!(ok && list.trim() == "0 embedded files", "{list}");
}

/// The same statement gives the same bytes (the dates in the file are the statement's).
#[test]
fn output_is_deterministic() {
    let st = fixtures::november(&montreal_book(), "nl");
    let a = st.to_pdf(&PdfOptions::default()).unwrap();
    let b = st.to_pdf(&PdfOptions::default()).unwrap();
    assert_eq!(a, b);
}

/// November's statement with its lines repeated to 10,000: the figures do not add up, which a
/// renderer does not check (it never computes); the layout is what is tested.
fn ten_thousand_lines() -> Statement {
    let mut st = fixtures::november(&montreal_book(), "en");
    let lines = st.lines.clone();
    st.lines = lines.iter().cycle().take(10_000).cloned().collect();
    st
}

/// A 10,000-line statement paginates: a stable page count, the header row repeated on every
/// page, "Page n of m" on each, the first and last lines there, and the slip at the end.
#[test]
fn ten_thousand_lines_paginate() {
    let st = ten_thousand_lines();
    let d = dir("long");
    for (paper, pages_expected) in [(Paper::A4, 177), (Paper::Letter, 193)] {
        let pdf = st.to_pdf(&PdfOptions::on(paper)).unwrap();
        let path = save(&d, &format!("statement-10000-{}.pdf", paper.code()), &pdf);
        assert_qpdf_clean(&path);
        let (pages, _) = info(&path);
        eprintln!("{paper:?}: {pages} pages");
        assert_eq!(pages, pages_expected, "{paper:?}: page count changed");
        let text = text_of(&path);
        let page_texts: Vec<&str> = text
            .split('\u{c}')
            .filter(|p| !p.trim().is_empty())
            .collect();
        assert_eq!(page_texts.len(), pages);
        for (n, p) in page_texts.iter().enumerate() {
            assert!(
                p.contains(&format!("Page {} of {pages}", n + 1)),
                "page {}",
                n + 1
            );
            // Each page but the slip's shows the table's header row.
            if n + 1 < pages || p.contains("Closing balance") {
                assert!(
                    squeeze(p).contains("DateDescriptionReferenceChargesCreditsBalance"),
                    "page {} has no header row",
                    n + 1
                );
            }
        }
        // Every line is printed: count the rows of one balance.
        let balances = squeeze(&text).matches("$1,439.75").count();
        let rows = st
            .lines
            .iter()
            .filter(|l| l.balance.to_string() == "1439.75")
            .count();
        assert!(rows > 2000);
        assert_eq!(balances, rows);
        assert!(page_texts.last().unwrap().contains("Amount enclosed"));
    }
}

/// Markup, bidirectional controls and a 10,000-character name print as text: the markup as its
/// characters, the controls taken out, every character of the name there.
#[test]
fn hostile_name_renders_as_text() {
    let mut st = fixtures::november(&montreal_book(), "en");
    let long = "N".repeat(10_000);
    st.customer.name = format!("<script>alert(1)</script> \u{202e}evil\u{202c} {long}");
    st.lines[0].reference = Some("<b>x</b>&amp;".into());
    st.store.header_text = "%PDF-1.7 endstream endobj".into();
    let d = dir("hostile");
    let path = save(
        &d,
        "statement-hostile.pdf",
        &st.to_pdf(&PdfOptions::default()).unwrap(),
    );
    assert_qpdf_clean(&path);
    let text = text_of(&path);
    assert!(text.contains("<script>alert(1)</script>"));
    assert!(text.contains("<b>x</b>&amp;"));
    assert!(text.contains("%PDF-1.7 endstream endobj"));
    assert!(text.contains("evil"));
    assert!(!text.contains('\u{202e}') && !text.contains('\u{202c}'));
    // The name in full, wrapped over lines, below the window that shows its start.
    // (Without the page footers between the pages it runs over.)
    let body: String = text
        .lines()
        .filter(|l| !l.contains("Statement of account C-1-20261130"))
        .collect();
    assert!(squeeze(&body).contains(&long), "the whole name is printed");
}

/// A character the font lacks is shown as its code point, not dropped; a store's font must be
/// a font.
#[test]
fn missing_glyphs_are_shown() {
    let mut st = fixtures::november(&montreal_book(), "en");
    st.customer.name = "Ελένη Иванова 王芳".into();
    let d = dir("glyphs");
    let path = save(
        &d,
        "statement-scripts.pdf",
        &st.to_pdf(&PdfOptions::default()).unwrap(),
    );
    assert_qpdf_clean(&path);
    let text = text_of(&path);
    assert!(text.contains("Ελένη Иванова [U+738B][U+82B3]"), "{text}");
    assert!(PdfFont::from_bytes(b"not a font".to_vec()).is_err());
    // A store font is used for what the built-in one lacks: DejaVu Sans Mono's box drawing
    // characters are in DejaVu Sans too, so use it for a check that it reads and renders.
    let mono = PdfFont::from_bytes(
        std::fs::read("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf")
            .unwrap_or_else(|_| include_bytes!("../fonts/DejaVuSans.ttf").to_vec()),
    )
    .unwrap();
    let options = PdfOptions {
        fonts: vec![mono],
        ..PdfOptions::default()
    };
    let path = save(&d, "statement-fonts.pdf", &st.to_pdf(&options).unwrap());
    assert_qpdf_clean(&path);
}

/// The print run: every statement on new pages, each in its language with its own page count,
/// each one's UBL attached; pages add up.
#[test]
fn print_run_holds_every_statement() {
    let book = montreal_book();
    let d = dir("run");
    let statements: Vec<Statement> = fixtures::LANGUAGES
        .iter()
        .map(|l| fixtures::november(&book, l))
        .collect();
    let pdf = print_run(&statements, &PdfOptions::default()).unwrap();
    let path = save(&d, "print-run.pdf", &pdf);
    assert_qpdf_clean(&path);
    let (pages, _) = info(&path);
    let mut sum = 0;
    for st in &statements {
        let one = save(&d, "one.pdf", &st.to_pdf(&PdfOptions::default()).unwrap());
        sum += info(&one).0;
    }
    assert_eq!(pages, sum);
    let text = text_of(&path);
    let titles: Vec<String> = [
        "Statement of account",
        "Relevé de compte",
        "Estado de cuenta",
        "Kontoauszug",
        "Rekeningoverzicht",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_in_order(&text, &titles, "print run");
    // Each statement starts a page: its title is on a page's first lines.
    let starts = text
        .split('\u{c}')
        .filter(|p| {
            titles
                .iter()
                .any(|t| p.lines().next().unwrap_or("").contains(t.as_str()))
        })
        .count();
    assert_eq!(starts, statements.len());
    let (_, list) = run("pdfdetach", &["-list", path.to_str().unwrap()]);
    assert!(list.starts_with("5 embedded files"), "{list}");
    assert!(print_run(&[], &PdfOptions::default()).is_err());
}

#[test]
fn settings_default_is_letter_in_montreal() {
    let s = StoreSettings::new("X", "CAD", "America/Toronto").unwrap();
    assert_eq!(
        Paper::for_country(s.country().as_deref()),
        Paper::Letter,
        "Canada prints on Letter"
    );
}

/// The statement email attaches the PDF when the store asks (and the HTML only when it still
/// wants it): the attachment is the statement's PDF, byte for byte.
#[test]
fn statement_email_attaches_the_pdf() {
    let mut settings = fixtures::settings("CAD", "America/Montreal");
    settings.messages.from = Some("billing@lapointe.example".into());
    settings.messages.attach_pdf = true;
    settings.messages.attach_html = false;
    let book = fixtures::book(settings, "Marie Tremblay", "fr");
    let st = fixtures::november(&book, "en");
    let m = book.compose_statement_email(&st, None).unwrap();
    let names: Vec<(&str, &str)> = m
        .attachments
        .iter()
        .map(|a| (a.filename.as_str(), a.content_type.as_str()))
        .collect();
    assert_eq!(names, [("statement-C-1-20261130.pdf", "application/pdf")]);
    assert_eq!(
        m.attachments[0].content,
        st.to_pdf(&PdfOptions::default()).unwrap()
    );
    let d = dir("email");
    let path = save(&d, "statement-email.pdf", &m.attachments[0].content);
    assert_qpdf_clean(&path);
    assert!(text_of(&path).contains("Amount enclosed"));
}
