//! PDF statements (feature `pdf`): one statement, or a print run of many, laid out on A4 or
//! Letter for window envelopes, written as PDF/A-3u with the statement's UBL 2.1 XML embedded as
//! an associated file (the way Factur-X carries invoices). See docs/pdf.md.
//!
//! The layout takes the words and figures of `statement::text::View`, as the text and HTML
//! renderers do: no figure is computed here. Text is set in DejaVu Sans (embedded, subset to the
//! glyphs used; its licence is `core/fonts/DejaVu-LICENSE.txt`), which covers Latin, Greek and
//! Cyrillic; a store adds fonts for other scripts with [`PdfOptions::fonts`]. A character no font
//! has is printed as its code point, `[U+4E2D]`, never dropped.

use std::borrow::Cow;
use std::ops::Range;
use std::sync::{Arc, OnceLock};

use krilla::color::rgb;
use krilla::configure::{Archival, ConfigurationBuilder, PdfVersion};
use krilla::embed::{AssociationKind, EmbeddedFile, MimeType};
use krilla::geom::{PathBuilder, Point};
use krilla::metadata::{DateTime, Metadata};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke, StrokeDash};
use krilla::surface::Surface;
use krilla::text::{Font, GlyphId};
use krilla::{Document, SerializeSettings};
use skrifa::instance::{LocationRef, Size};
use skrifa::raw::TableProvider;
use skrifa::{FontRef, MetadataProvider};

use super::text::{Block, Pair, Table, View};
use super::Statement;
use crate::error::{Error, Result};
use crate::i18n::Localizer;

/// The regular face of the built-in font (DejaVu Sans 2.37, Debian's fonts-dejavu-core).
static DEJAVU_SANS: &[u8] = include_bytes!("../../fonts/DejaVuSans.ttf");
/// The bold face of the built-in font.
static DEJAVU_SANS_BOLD: &[u8] = include_bytes!("../../fonts/DejaVuSans-Bold.ttf");

/// Points per millimetre.
const MM: f32 = 72.0 / 25.4;
/// Points per inch.
const INCH: f32 = 72.0;

/// A sheet of paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Paper {
    /// ISO A4, 210 × 297 mm; the address sits where a DL / C5/6 window envelope shows it
    /// (DIN 5008 form B).
    A4,
    /// US Letter, 8.5 × 11 in; the address sits where a #10 window envelope shows it.
    Letter,
}

/// Countries that use Letter paper; every other country uses A4.
const LETTER_COUNTRIES: &[&str] = &[
    "US", "CA", "MX", "PR", "PH", "CL", "CO", "VE", "GT", "CR", "PA", "DO", "SV", "NI", "HN", "BZ",
];

impl Paper {
    /// The paper a country uses: Letter in North America and the countries that follow it,
    /// A4 everywhere else (and when the country is unknown).
    pub fn for_country(country: Option<&str>) -> Paper {
        match country {
            Some(c) if LETTER_COUNTRIES.iter().any(|l| l.eq_ignore_ascii_case(c)) => Paper::Letter,
            _ => Paper::A4,
        }
    }

    /// `"a4"` or `"letter"`.
    pub fn code(self) -> &'static str {
        match self {
            Paper::A4 => "a4",
            Paper::Letter => "letter",
        }
    }

    /// The paper of a code (`"a4"`, `"letter"`, any case), or [`Error::InvalidInput`].
    pub fn from_code(code: &str) -> Result<Paper> {
        if code.eq_ignore_ascii_case("a4") {
            Ok(Paper::A4)
        } else if code.eq_ignore_ascii_case("letter") {
            Ok(Paper::Letter)
        } else {
            Err(Error::invalid(
                "paper",
                format!("{code:?} is not \"a4\" or \"letter\""),
            ))
        }
    }
}

/// A font a store adds for scripts the built-in font lacks (Chinese, Arabic, ...): TrueType or
/// OpenType bytes, read once. Fonts are tried in order after the built-in one, character by
/// character; the font's licence must allow embedding.
#[derive(Clone)]
pub struct PdfFont {
    face: Arc<Face>,
}

impl std::fmt::Debug for PdfFont {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PdfFont").finish_non_exhaustive()
    }
}

impl PdfFont {
    /// A font from the bytes of a TrueType or OpenType file (`.ttf`, `.otf`; the first font of a
    /// collection), or [`Error::InvalidInput`] when they are not one.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<PdfFont> {
        let data: Arc<dyn AsRef<[u8]> + Send + Sync> = Arc::new(bytes);
        Face::new(data)
            .map(|face| PdfFont {
                face: Arc::new(face),
            })
            .ok_or_else(|| Error::invalid("font", "not a TrueType or OpenType font"))
    }
}

/// How to write a PDF statement.
#[derive(Debug, Clone)]
pub struct PdfOptions {
    /// The paper; `None`: the store's, from its country ([`Paper::for_country`]).
    pub paper: Option<Paper>,
    /// Embed the statement's UBL 2.1 XML ([`Statement::to_ubl_xml`]) as an associated file
    /// (default: yes).
    pub embed_ubl: bool,
    /// Fonts tried after the built-in one for characters it lacks.
    pub fonts: Vec<PdfFont>,
}

impl Default for PdfOptions {
    fn default() -> PdfOptions {
        PdfOptions {
            paper: None,
            embed_ubl: true,
            fonts: Vec::new(),
        }
    }
}

impl PdfOptions {
    /// The default options on `paper`.
    pub fn on(paper: Paper) -> PdfOptions {
        PdfOptions {
            paper: Some(paper),
            ..PdfOptions::default()
        }
    }
}

/// The name of the embedded UBL file of a single statement.
pub const UBL_FILE_NAME: &str = "statement-ubl.xml";

impl Statement {
    /// The paper of the store that issued the statement: from the country of its locale
    /// (`fr-CA`: Letter), else of its address.
    pub fn paper(&self) -> Paper {
        let country = self
            .locale
            .split_once('-')
            .map(|(_, c)| c)
            .or_else(|| Some(self.store.address.country.as_str()).filter(|c| !c.is_empty()));
        Paper::for_country(country)
    }

    /// The statement as a PDF/A-3u document in its language, with its UBL 2.1 XML embedded as
    /// the associated file [`UBL_FILE_NAME`] unless `options` leave it out.
    pub fn to_pdf(&self, options: &PdfOptions) -> Result<Vec<u8>> {
        print_run(std::slice::from_ref(self), options)
    }
}

/// Every statement in one PDF, each starting on a new page, each in its own language and paper
/// (`options.paper`, when given, for all), with its own "page n of m". With `options.embed_ubl`,
/// each statement's UBL XML is embedded: as [`UBL_FILE_NAME`] for a single statement, else as
/// `statement-<n>-<number>-ubl.xml` (`n` from 1, in the run's order). An empty list is [`Error::InvalidInput`] (a PDF has a page).
pub fn print_run(statements: &[Statement], options: &PdfOptions) -> Result<Vec<u8>> {
    let Some(first) = statements.first() else {
        return Err(Error::invalid(
            "statements",
            "a print run needs a statement",
        ));
    };
    let fonts = Fonts::new(&options.fonts);
    let config = ConfigurationBuilder::new()
        .with_version(PdfVersion::Pdf17)
        .with_archival_validator(Archival::A3_U)
        .finish()
        .map_err(|e| pdf_error(format!("{e:?}")))?;
    let mut doc = Document::new_with(SerializeSettings {
        configuration: config,
        ..SerializeSettings::default()
    });
    let loc0 = first.localizer()?;
    let title = format!("{} {}", loc0.text("statement-title"), first.number);
    let date = first.statement_date;
    doc.set_metadata(
        Metadata::new()
            .title(title)
            .language(loc0.locale().to_string())
            .creator("creditbook".to_string())
            .producer("creditbook".to_string())
            .creation_date(pdf_date(date)),
    );
    let mut localizers: Vec<Localizer> = vec![loc0];
    for (n, st) in statements.iter().enumerate() {
        let at = localizers
            .iter()
            .position(|l| l.language() == st.language && l.locale() == st.locale);
        let loc = match at {
            Some(i) => &localizers[i],
            None => {
                localizers.push(st.localizer()?);
                localizers.last().expect("just pushed")
            }
        };
        let view = View::new(st, loc);
        let paper = options.paper.unwrap_or_else(|| st.paper());
        let pages = layout(&view, loc, &fonts, Geometry::of(paper));
        let footer_left = format!("{} · {} {}", view.store_name, view.title, view.number);
        draw_pages(
            &mut doc,
            &pages,
            &fonts,
            Geometry::of(paper),
            loc,
            &footer_left,
        );
        if options.embed_ubl {
            let name = if statements.len() == 1 {
                UBL_FILE_NAME.to_string()
            } else {
                format!("statement-{}-{}-ubl.xml", n + 1, file_safe(&st.number))
            };
            let xml = st.to_ubl_xml()?;
            doc.embed_file(EmbeddedFile {
                path: name,
                mime_type: MimeType::new("text/xml"),
                description: Some(format!("UBL 2.1 Statement {}", st.number)),
                association_kind: AssociationKind::Alternative,
                data: xml.into_bytes().into(),
                modification_date: Some(pdf_date(st.statement_date)),
                compress: Some(true),
                location: None,
            })
            .ok_or_else(|| pdf_error(format!("two statements numbered {}", st.number)))?;
        }
    }
    doc.finish().map_err(|e| pdf_error(format!("{e:?}")))
}

/// A statement number as a file name: letters, digits, `-`, `_` and `.` kept, others `_`.
fn file_safe(number: &str) -> String {
    number
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn pdf_error(reason: String) -> Error {
    Error::InvalidState {
        reason: format!("the PDF could not be written: {reason}"),
    }
}

/// A date at midnight UTC, as PDF metadata writes it (the statement date: the same statement
/// always gives the same bytes).
fn pdf_date(d: chrono::NaiveDate) -> DateTime {
    use chrono::Datelike;
    DateTime::new(u16::try_from(d.year()).unwrap_or(0))
        .month(u8::try_from(d.month()).unwrap_or(1))
        .day(u8::try_from(d.day()).unwrap_or(1))
        .hour(0)
        .minute(0)
        .second(0)
        .utc_offset_hour(0)
        .utc_offset_minute(0)
}

// ---------------------------------------------------------------------------------------------
// Fonts: characters to glyphs and widths.
// ---------------------------------------------------------------------------------------------

/// Characters below this have their glyph and advance in a table (Latin, Greek, Cyrillic).
const TABLE: usize = 0x530;

/// One font: its krilla handle and its glyphs.
struct Face {
    font: Font,
    data: Arc<dyn AsRef<[u8]> + Send + Sync>,
    /// Glyph (0: none) and advance in ems of each character below [`TABLE`].
    table: Vec<(u32, f32)>,
    units_per_em: f32,
}

impl Face {
    fn new(data: Arc<dyn AsRef<[u8]> + Send + Sync>) -> Option<Face> {
        let (table, units_per_em) = {
            let f = FontRef::from_index((*data).as_ref(), 0).ok()?;
            let upem = f32::from(f.head().ok()?.units_per_em());
            let charmap = f.charmap();
            let metrics = f.glyph_metrics(Size::unscaled(), LocationRef::default());
            let table = (0..TABLE as u32)
                .map(|u| {
                    char::from_u32(u)
                        .and_then(|c| charmap.map(c))
                        .filter(|g| g.to_u32() != 0)
                        .map_or((0, 0.0), |g| {
                            (g.to_u32(), metrics.advance_width(g).unwrap_or(0.0) / upem)
                        })
                })
                .collect();
            (table, upem)
        };
        let font = Font::new(krilla::Data::from(data.clone()), 0)?;
        Some(Face {
            font,
            data,
            table,
            units_per_em,
        })
    }

    fn builtin(bytes: &'static [u8]) -> Face {
        let data: Arc<dyn AsRef<[u8]> + Send + Sync> = Arc::new(bytes);
        Face::new(data).expect("the built-in font reads")
    }

    /// The glyph of `c` and its advance in ems, when the font has one.
    #[inline]
    fn glyph(&self, c: char) -> Option<(u32, f32)> {
        if let Some(&(g, adv)) = self.table.get(c as usize) {
            return (g != 0).then_some((g, adv));
        }
        let f = FontRef::from_index((*self.data).as_ref(), 0).ok()?;
        let g = f.charmap().map(c).filter(|g| g.to_u32() != 0)?;
        let adv = f
            .glyph_metrics(Size::unscaled(), LocationRef::default())
            .advance_width(g)
            .unwrap_or(0.0);
        Some((g.to_u32(), adv / self.units_per_em))
    }
}

/// The built-in faces, read once per process.
fn builtin() -> &'static (Arc<Face>, Arc<Face>) {
    static FACES: OnceLock<(Arc<Face>, Arc<Face>)> = OnceLock::new();
    FACES.get_or_init(|| {
        (
            Arc::new(Face::builtin(DEJAVU_SANS)),
            Arc::new(Face::builtin(DEJAVU_SANS_BOLD)),
        )
    })
}

/// The faces text is set in: the built-in one, then the store's, for regular and bold text.
struct Fonts {
    regular: Vec<Arc<Face>>,
    bold: Vec<Arc<Face>>,
}

/// A glyph placed in a run of text.
struct PlacedGlyph {
    id: u32,
    range: Range<usize>,
    advance: f32,
    /// How far the next glyph is below this one, in ems (0 but at the end of a table line).
    down: f32,
}

impl krilla::text::Glyph for PlacedGlyph {
    fn glyph_id(&self) -> GlyphId {
        GlyphId::new(self.id)
    }
    fn text_range(&self) -> Range<usize> {
        self.range.clone()
    }
    fn x_advance(&self, size: f32) -> f32 {
        self.advance * size
    }
    fn x_offset(&self, _: f32) -> f32 {
        0.0
    }
    fn y_offset(&self, _: f32) -> f32 {
        0.0
    }
    fn y_advance(&self, size: f32) -> f32 {
        // krilla's text space has y up.
        -self.down * size
    }
    fn location(&self) -> Option<krilla::surface::Location> {
        None
    }
}

impl Fonts {
    fn new(extra: &[PdfFont]) -> Fonts {
        let (regular, bold) = builtin();
        let mut fonts = Fonts {
            regular: vec![regular.clone()],
            bold: vec![bold.clone()],
        };
        for f in extra {
            fonts.regular.push(f.face.clone());
            fonts.bold.push(f.face.clone());
        }
        fonts
    }

    fn faces(&self, bold: bool) -> &[Arc<Face>] {
        if bold {
            &self.bold
        } else {
            &self.regular
        }
    }

    /// The face of `c` and its glyph, or `None` when no face has it.
    #[inline]
    fn find(&self, bold: bool, c: char) -> Option<(usize, u32, f32)> {
        self.faces(bold)
            .iter()
            .enumerate()
            .find_map(|(i, f)| f.glyph(c).map(|(g, a)| (i, g, a)))
    }

    /// The width of `text` at `size` points.
    fn width(&self, text: &str, bold: bool, size: f32) -> f32 {
        let mut w = 0.0;
        for c in text.chars() {
            w += match self.find(bold, c) {
                Some((_, _, adv)) => adv,
                None => self.width(&missing(c), bold, 1.0),
            };
        }
        w * size
    }

    /// Calls `run` with each run of `text` set in one face: the face, the run's text and its
    /// glyphs (ranges into the run's text). A character no face has is set as [`missing`].
    fn runs(&self, text: &str, bold: bool, mut run: impl FnMut(&Face, &str, &[PlacedGlyph])) {
        let faces = self.faces(bold);
        let mut glyphs: Vec<PlacedGlyph> = Vec::with_capacity(text.len());
        let mut face = 0usize;
        let mut start = 0usize;
        for (i, c) in text.char_indices() {
            match self.find(bold, c) {
                Some((f, g, adv)) => {
                    if f != face && !glyphs.is_empty() {
                        run(&faces[face], &text[start..i], &glyphs);
                        glyphs.clear();
                    }
                    if glyphs.is_empty() {
                        start = i;
                        face = f;
                    }
                    glyphs.push(PlacedGlyph {
                        id: g,
                        range: i - start..i - start + c.len_utf8(),
                        advance: adv,
                        down: 0.0,
                    });
                }
                None => {
                    if !glyphs.is_empty() {
                        run(&faces[face], &text[start..i], &glyphs);
                        glyphs.clear();
                    }
                    let shown = missing(c);
                    let mut placed = Vec::with_capacity(shown.len());
                    for (j, d) in shown.char_indices() {
                        let (g, adv) = faces[0].glyph(d).unwrap_or((0, 0.0));
                        placed.push(PlacedGlyph {
                            id: g,
                            range: j..j + 1,
                            advance: adv,
                            down: 0.0,
                        });
                    }
                    run(&faces[0], &shown, &placed);
                }
            }
        }
        if !glyphs.is_empty() {
            run(&faces[face], &text[start..], &glyphs);
        }
    }
}

/// How a character no font has is printed: its code point.
fn missing(c: char) -> String {
    format!("[U+{:04X}]", u32::from(c))
}

// ---------------------------------------------------------------------------------------------
// Layout: a statement's view placed on pages.
// ---------------------------------------------------------------------------------------------

/// Where things go on a sheet (points, from the top left).
#[derive(Clone, Copy)]
struct Geometry {
    width: f32,
    height: f32,
    left: f32,
    right: f32,
    top: f32,
    /// The lowest baseline of the flowing content.
    bottom: f32,
    /// The envelope window: left, top, width, bottom of the address text.
    window: (f32, f32, f32, f32),
}

impl Geometry {
    fn of(paper: Paper) -> Geometry {
        match paper {
            // DIN 5008 form B: the address field is 85 × 45 mm at 20 mm from the left and 45 mm
            // from the top, its first 17.7 mm for the return address.
            Paper::A4 => Geometry {
                width: 210.0 * MM,
                height: 297.0 * MM,
                left: 20.0 * MM,
                right: 195.0 * MM,
                top: 14.0 * MM,
                bottom: 297.0 * MM - 20.0 * MM,
                window: (25.0 * MM, 50.0 * MM, 75.0 * MM, 88.0 * MM),
            },
            // A #10 envelope's window (4.5 × 1.125 in, 7/8 in from the left) over a sheet folded
            // in three: the address between 2 and 3.4 in from the top, 1 in from the left.
            Paper::Letter => Geometry {
                width: 8.5 * INCH,
                height: 11.0 * INCH,
                left: 0.75 * INCH,
                right: 8.5 * INCH - 0.6 * INCH,
                top: 0.55 * INCH,
                bottom: 11.0 * INCH - 0.8 * INCH,
                window: (1.0 * INCH, 2.0 * INCH, 3.4 * INCH, 3.4 * INCH),
            },
        }
    }
}

/// Body text size.
const BODY: f32 = 8.0;
/// Small print.
const SMALL: f32 = 7.0;
/// Line height as a multiple of the size.
const LEADING: f32 = 1.25;
/// Padding of table cells, left and right.
const PAD: f32 = 3.0;

/// Gray for labels and rules.
const GRAY: (u8, u8, u8) = (85, 85, 85);
/// Text and rules.
const BLACK: (u8, u8, u8) = (17, 17, 17);
/// Light rules.
const LIGHT: (u8, u8, u8) = (190, 190, 190);

fn color((r, g, b): (u8, u8, u8)) -> rgb::Color {
    rgb::Color::new(r, g, b)
}

/// One thing drawn on a page.
enum Op<'a> {
    /// Text at a baseline.
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        gray: bool,
        text: Cow<'a, str>,
    },
    /// Texts on one baseline (a table row's line): drawn as one run when one face has every
    /// character.
    Row {
        y: f32,
        size: f32,
        bold: bool,
        cells: Vec<(f32, &'a str)>,
    },
    /// A horizontal rule.
    Rule {
        x1: f32,
        x2: f32,
        y: f32,
        width: f32,
        dashed: bool,
        light: bool,
    },
    /// A rectangle's outline.
    Frame { x: f32, y: f32, w: f32, h: f32 },
}

/// Pages being filled, top to bottom.
struct Flow<'a, 'f> {
    fonts: &'f Fonts,
    g: Geometry,
    pages: Vec<Vec<Op<'a>>>,
    /// The baseline of the last line written on the current page.
    y: f32,
}

impl<'a, 'f> Flow<'a, 'f> {
    fn page(&mut self) -> &mut Vec<Op<'a>> {
        self.pages.last_mut().expect("a page")
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = self.g.top;
    }

    /// Makes room for `height` points below the cursor, on a new page when the current one is
    /// full (and when that helps).
    fn room(&mut self, height: f32) {
        let fresh = self.y <= self.g.top + 0.01;
        if self.y + height > self.g.bottom && !fresh {
            self.new_page();
        }
    }

    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, text: impl Into<Cow<'a, str>>) {
        let text = text.into();
        if !text.is_empty() {
            self.page().push(Op::Text {
                x,
                y,
                size,
                bold,
                gray: false,
                text,
            });
        }
    }

    fn gray(&mut self, x: f32, y: f32, size: f32, text: impl Into<Cow<'a, str>>) {
        let text = text.into();
        if !text.is_empty() {
            self.page().push(Op::Text {
                x,
                y,
                size,
                bold: false,
                gray: true,
                text,
            });
        }
    }

    fn rule(&mut self, y: f32, width: f32, light: bool) {
        let (x1, x2) = (self.g.left, self.g.right);
        self.page().push(Op::Rule {
            x1,
            x2,
            y,
            width,
            dashed: false,
            light,
        });
    }

    /// A paragraph across the page's width, wrapped, breaking pages between lines.
    fn paragraph(&mut self, text: &'a str, size: f32, bold: bool, gap: f32) {
        let width = self.g.right - self.g.left;
        let lines = wrap(self.fonts, text, bold, size, width);
        self.y += gap;
        for line in lines {
            self.room(size * LEADING);
            self.y += size * LEADING;
            let (x, y) = (self.g.left, self.y);
            self.text(x, y, size, bold, line);
        }
    }
}

/// `text` cut into lines at most `width` points wide: at spaces, and inside words longer than a
/// line. Every character is kept (the spaces where lines break are dropped).
fn wrap<'a>(fonts: &Fonts, text: &'a str, bold: bool, size: f32, width: f32) -> Vec<&'a str> {
    if fonts.width(text, bold, size) <= width {
        return vec![text];
    }
    let mut lines = Vec::new();
    let mut start = 0; // the current line's start
    let mut w = 0.0; // its width so far
    let mut last_space: Option<usize> = None; // where it can break
    let mut i = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    while i < chars.len() {
        let (at, c) = chars[i];
        let cw = fonts.width(c.encode_utf8(&mut [0; 4]), bold, size);
        if c == ' ' {
            last_space = Some(i);
        }
        if w + cw > width && at > start {
            if let Some(s) = last_space.filter(|&s| chars[s].0 > start) {
                // Break at the last space: the line ends before it.
                lines.push(&text[start..chars[s].0]);
                i = s + 1;
            } else {
                lines.push(&text[start..at]);
            }
            start = chars.get(i).map_or(text.len(), |(a, _)| *a);
            w = 0.0;
            last_space = None;
            continue;
        }
        w += cw;
        i += 1;
    }
    if start < text.len() {
        lines.push(&text[start..]);
    }
    lines
}

/// Lines cut to at most `max` lines of `width`, the last ending with "…" when text was cut.
fn clip<'a>(
    fonts: &Fonts,
    text: &'a str,
    bold: bool,
    size: f32,
    width: f32,
    max: usize,
) -> (Vec<Cow<'a, str>>, bool) {
    let lines = wrap(fonts, text, bold, size, width);
    if lines.len() <= max {
        return (lines.into_iter().map(Cow::Borrowed).collect(), false);
    }
    let mut out: Vec<Cow<'a, str>> = lines[..max].iter().map(|l| Cow::Borrowed(*l)).collect();
    if let Some(last) = out.last_mut() {
        let mut s = last.to_string();
        while !s.is_empty() && fonts.width(&format!("{s}…"), bold, size) > width {
            s.pop();
        }
        s.push('…');
        *last = Cow::Owned(s);
    }
    (out, true)
}

/// Lays a statement out on pages (the footer is added when drawing, once the count is known).
fn layout<'a>(v: &'a View, loc: &Localizer, fonts: &Fonts, g: Geometry) -> Vec<Vec<Op<'a>>> {
    let mut f = Flow {
        fonts,
        g,
        pages: vec![Vec::new()],
        y: g.top,
    };
    let name_cut = header(&mut f, v);
    // The full customer name when the window could not hold it.
    if name_cut {
        f.paragraph(&v.customer.heading, BODY, true, 6.0);
        if let Some(name) = v.customer.lines.first() {
            f.paragraph(name, BODY, false, 0.0);
        }
    }
    if !v.header_text.is_empty() {
        f.paragraph(&v.header_text, BODY, false, 6.0);
    }
    table(&mut f, &v.activity, 10.0);
    table(&mut f, &v.invoices, 14.0);
    table(&mut f, &v.aging, 14.0);
    if let Some(pay) = &v.pay {
        f.y += 10.0;
        f.room(3.0 * BODY * LEADING);
        f.y += BODY * LEADING;
        let (x, y) = (g.left, f.y);
        f.text(
            x,
            y,
            BODY + 1.0,
            true,
            format!("{}: {}", pay.text, pay.amount),
        );
        f.paragraph(&pay.url, SMALL, false, 0.0);
    }
    if let Some(note) = &v.omitted {
        f.paragraph(note, BODY, false, 8.0);
    }
    f.paragraph(&v.thanks, BODY, false, 8.0);
    remittance_slip(&mut f, v, loc);
    f.pages
}

/// The first page's top: the store, the title and the statement's details, the customer's
/// address in the envelope window and the summary beside it. True when the customer's name was
/// too long for the window (the caller prints it in full below).
fn header<'a>(f: &mut Flow<'a, '_>, v: &'a View) -> bool {
    let g = f.g;
    let fonts = f.fonts;
    let mid = g.left + (g.right - g.left) * 0.52;
    // The store, top left, above the window.
    let store_width = mid - g.left - 12.0;
    let mut y = g.top + 13.0;
    let (name, _) = clip(fonts, &v.store_name, true, 13.0, store_width, 2);
    for line in name {
        f.text(g.left, y, 13.0, true, line);
        y += 13.0 * 1.15;
    }
    for line in &v.store_address {
        let (lines, _) = clip(fonts, line, false, BODY, store_width, 1);
        for l in lines {
            f.text(g.left, y, BODY, false, l);
            y += BODY * LEADING;
        }
    }
    // The title and the details, top right.
    let mut y = g.top + 14.0;
    let title_w = fonts.width(&v.title, true, 15.0);
    f.text(g.right - title_w, y, 15.0, true, v.title.as_str());
    y += 6.0;
    let col = g.right - mid;
    pairs(f, &v.meta, mid, col, y, false);

    // The window: a return line and the customer's name and address.
    let (wx, wy, ww, wbottom) = g.window;
    let ret = std::iter::once(v.store_name.as_str())
        .chain(v.store_address.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(", ");
    let (ret_lines, _) = clip(fonts, &ret, false, 6.0, ww, 1);
    for l in ret_lines {
        f.gray(wx, wy + 6.0, 6.0, Cow::Owned(l.into_owned()));
    }
    f.page().push(Op::Rule {
        x1: wx,
        x2: wx + ww.min(fonts.width(&ret, false, 6.0)),
        y: wy + 8.0,
        width: 0.3,
        dashed: false,
        light: true,
    });
    let size = 10.0;
    let mut y = wy + 10.0 + size * 1.2;
    let mut cut = false;
    let mut lines = v.customer.lines.iter();
    if let Some(name) = lines.next() {
        let (name_lines, c) = clip(fonts, name, false, size, ww, 2);
        cut = c;
        for l in name_lines {
            f.text(wx, y, size, false, l);
            y += size * 1.2;
        }
    }
    for line in lines {
        if y > wbottom {
            break;
        }
        let (ls, _) = clip(fonts, line, false, size, ww, 1);
        for l in ls {
            f.text(wx, y, size, false, l);
            y += size * 1.2;
        }
    }
    let window_end = y.max(wbottom);

    // The summary, right of the window, in a frame.
    let sx = (wx + ww + 8.0 * MM).max(mid);
    let sw = g.right - sx;
    let top = wy;
    let end = pairs(f, &v.summary, sx + 5.0, sw - 10.0, top + 2.0, true) + 5.0;
    f.page().push(Op::Frame {
        x: sx,
        y: top,
        w: sw,
        h: end - top,
    });
    f.y = window_end.max(end) + 4.0 * MM;
    cut
}

/// Label–value pairs in a column `width` wide from `x`, the value right-aligned (and wrapped
/// under its label when both do not fit one line); bold ones bold. Returns the last baseline.
fn pairs<'a>(
    f: &mut Flow<'a, '_>,
    pairs: &'a [Pair],
    x: f32,
    width: f32,
    mut y: f32,
    rule_before_strong: bool,
) -> f32 {
    let fonts = f.fonts;
    let mut first_strong = true;
    for p in pairs {
        let size = if p.strong { BODY + 1.0 } else { BODY };
        if p.strong && first_strong && rule_before_strong {
            y += 3.0;
            f.page().push(Op::Rule {
                x1: x,
                x2: x + width,
                y,
                width: 1.0,
                dashed: false,
                light: false,
            });
            first_strong = false;
        }
        y += size * LEADING;
        let lw = fonts.width(&p.label, p.strong, size);
        let vw = fonts.width(&p.value, p.strong, size);
        if p.strong {
            f.text(x, y, size, true, p.label.as_str());
        } else {
            f.gray(x, y, size, p.label.as_str());
        }
        if lw + vw + 8.0 > width {
            // The value on lines of its own.
            for l in wrap(fonts, &p.value, p.strong, size, width) {
                y += size * LEADING;
                let w = fonts.width(l, p.strong, size);
                f.text(x + width - w, y, size, p.strong, l);
            }
        } else {
            f.text(x + width - vw, y, size, p.strong, p.value.as_str());
        }
    }
    y
}

/// A table's columns: where each starts and how wide it is.
fn columns(fonts: &Fonts, t: &Table, width: f32) -> Vec<(f32, f32)> {
    let n = t.columns.len();
    let mut natural = vec![0.0f32; n];
    let body = t.rows.iter().map(|r| (r, false));
    let foot = t.foot.iter().flat_map(|f| f.iter()).map(|r| (r, true));
    for (row, bold) in body.chain(foot) {
        for (k, cell) in row.cells().enumerate() {
            if !t.columns[k].flex {
                natural[k] = natural[k].max(fonts.width(cell, bold, BODY));
            }
        }
    }
    for (k, c) in t.columns.iter().enumerate() {
        // Headers wrap: a wide header gets at most 80 points.
        let h = fonts.width(&c.header, true, SMALL + 0.5).min(80.0);
        natural[k] = natural[k].max(h) + 2.0 * PAD;
    }
    let flex: Vec<usize> = (0..n).filter(|&k| t.columns[k].flex).collect();
    let fixed: f32 = (0..n)
        .filter(|k| !t.columns[*k].flex)
        .map(|k| natural[k])
        .sum();
    let mut widths = natural.clone();
    if flex.is_empty() {
        // Spread the space left over the columns.
        let extra = ((width - fixed) / n as f32).max(0.0);
        if fixed > width {
            widths.iter_mut().for_each(|w| *w *= width / fixed);
        } else {
            widths.iter_mut().for_each(|w| *w += extra);
        }
    } else {
        let left = (width - fixed).max(40.0 * flex.len() as f32);
        // The first flexible column (description) gets more.
        let shares: Vec<f32> = (0..flex.len())
            .map(|i| if i == 0 { 1.8 } else { 1.0 })
            .collect();
        let total: f32 = shares.iter().sum();
        for (i, &k) in flex.iter().enumerate() {
            widths[k] = left * shares[i] / total;
        }
        let sum: f32 = widths.iter().sum();
        if sum > width {
            widths.iter_mut().for_each(|w| *w *= width / sum);
        }
    }
    let mut x = 0.0;
    widths
        .into_iter()
        .map(|w| {
            let at = x;
            x += w;
            (at, w)
        })
        .collect()
}

/// One row of cells: each cell wrapped in its column, the row breaking pages between lines when
/// it is taller than a page.
#[allow(clippy::too_many_arguments)]
fn row<'a>(
    f: &mut Flow<'a, '_>,
    t: &'a Table,
    cols: &[(f32, f32)],
    cells: impl Iterator<Item = &'a str>,
    size: f32,
    bold: bool,
    header: &mut dyn FnMut(&mut Flow<'a, '_>),
) {
    let fonts = f.fonts;
    let wrapped: Vec<Vec<&'a str>> = cells
        .enumerate()
        .map(|(k, cell)| wrap(fonts, cell, bold, size, cols[k].1 - 2.0 * PAD))
        .collect();
    let lines = wrapped.iter().map(Vec::len).max().unwrap_or(1).max(1);
    let lh = size * LEADING;
    let height = lines as f32 * lh;
    if f.y + height > f.g.bottom && height <= f.g.bottom - f.g.top - 4.0 * lh {
        f.new_page();
        header(f);
    }
    for i in 0..lines {
        if f.y + lh > f.g.bottom {
            f.new_page();
            header(f);
        }
        f.y += lh;
        let mut cells = Vec::with_capacity(wrapped.len());
        for (k, cell) in wrapped.iter().enumerate() {
            let Some(line) = cell.get(i).filter(|l| !l.is_empty()) else {
                continue;
            };
            let (cx, cw) = cols[k];
            let x = if t.columns[k].numeric {
                f.g.left + cx + cw - PAD - fonts.width(line, bold, size)
            } else {
                f.g.left + cx + PAD
            };
            cells.push((x, *line));
        }
        let y = f.y;
        f.page().push(Op::Row {
            y,
            size,
            bold,
            cells,
        });
    }
    f.y += 2.0;
}

/// A table with its heading, its header row (repeated on each page it runs onto), its rows, its
/// footer row and its note.
fn table<'a>(f: &mut Flow<'a, '_>, t: &'a Table, gap: f32) {
    let fonts = f.fonts;
    let width = f.g.right - f.g.left;
    let cols = columns(fonts, t, width);
    f.y += gap;
    // Keep the heading, the header row and the first row together.
    f.room(6.0 * BODY * LEADING);
    if let Some(h) = &t.heading {
        f.y += 11.0 * LEADING;
        let (x, y) = (f.g.left, f.y);
        f.text(x, y, 11.0, true, h.as_str());
    }
    let headers: Vec<&'a str> = t.columns.iter().map(|c| c.header.as_str()).collect();
    let mut header_row = |f: &mut Flow<'a, '_>| {
        f.y += 2.0;
        row(
            f,
            t,
            &cols,
            headers.clone().into_iter(),
            SMALL + 0.5,
            true,
            &mut |_| {},
        );
        let y = f.y;
        f.rule(y, 0.8, false);
    };
    header_row(f);
    if t.rows.is_empty() {
        if let Some(note) = &t.note {
            f.paragraph(note, BODY, false, 2.0);
        }
    }
    for r in t.rows.iter() {
        row(f, t, &cols, r.cells(), BODY, false, &mut header_row);
    }
    if let Some(foot) = &t.foot {
        for r in foot.iter() {
            f.room(2.0 * BODY * LEADING);
            let y = f.y + 1.0;
            f.rule(y, 0.8, false);
            f.y += 1.0;
            row(f, t, &cols, r.cells(), BODY, true, &mut header_row);
        }
    }
}

/// The remittance slip at the foot of the last page (on a page of its own when the last one is
/// too full): cut along the dashed line and send with the payment.
fn remittance_slip<'a>(f: &mut Flow<'a, '_>, v: &'a View, loc: &Localizer) {
    let g = f.g;
    let fonts = f.fonts;
    let lh = BODY * LEADING;
    let half = (g.right - g.left) / 2.0;
    // Left: cheques payable to, remit to.
    let mut left: Vec<(Cow<'a, str>, bool, bool)> = Vec::new(); // (text, bold, gray)
    for Block { heading, lines } in &v.remit {
        left.push((Cow::Borrowed(heading.as_str()), false, true));
        for l in lines {
            let (ls, _) = clip(fonts, l, false, BODY, half - 10.0, 2);
            left.extend(ls.into_iter().map(|l| (l, false, false)));
        }
    }
    // Right: who pays, which statement, how much, by when.
    let mut right: Vec<(Cow<'a, str>, Cow<'a, str>, bool)> = Vec::new();
    if let Some(name) = v.customer.lines.first() {
        let (ls, _) = clip(fonts, name, true, BODY, half - 10.0, 2);
        for l in ls {
            right.push((l, Cow::Borrowed(""), true));
        }
    }
    let pick = |label: &str| v.meta.iter().chain(&v.summary).find(|p| p.label == label);
    for key in ["account", "statement-number", "amount-due", "due-date"] {
        if let Some(p) = pick(&loc.text(key)) {
            right.push((
                Cow::Borrowed(p.label.as_str()),
                Cow::Borrowed(p.value.as_str()),
                p.strong,
            ));
        }
    }
    let rows = left.len().max(right.len() + 2);
    let height = 10.0 + 11.0 * LEADING + rows as f32 * lh + 8.0;
    if f.y + height > g.bottom {
        f.new_page();
    }
    let top = g.bottom - height;
    f.page().push(Op::Rule {
        x1: g.left,
        x2: g.right,
        y: top,
        width: 0.6,
        dashed: true,
        light: false,
    });
    let mut y = top + 6.0 + 11.0 * LEADING;
    f.text(g.left, y, 11.0, true, loc.text("remittance-slip"));
    let start = y;
    for (text, bold, gray) in left {
        y += lh;
        if gray {
            f.gray(g.left, y, BODY, text);
        } else {
            f.text(g.left, y, BODY, bold, text);
        }
    }
    let mut y = start;
    let rx = g.left + half + 6.0;
    let rw = half - 6.0;
    for (label, value, strong) in right {
        y += lh;
        if value.is_empty() {
            f.text(rx, y, BODY, strong, label);
            continue;
        }
        let vw = fonts.width(&value, strong, BODY);
        if strong {
            f.text(rx, y, BODY, true, label);
        } else {
            f.gray(rx, y, BODY, label);
        }
        f.text(rx + rw - vw, y, BODY, strong, value);
    }
    y += lh * 1.6;
    f.text(rx, y, BODY, true, loc.text("amount-enclosed"));
    f.page().push(Op::Frame {
        x: rx + rw - 110.0,
        y: y - BODY - 3.0,
        w: 110.0,
        h: BODY + 8.0,
    });
}

// ---------------------------------------------------------------------------------------------
// Drawing: pages of ops into the document, with each page's footer.
// ---------------------------------------------------------------------------------------------

fn draw_pages(
    doc: &mut Document,
    pages: &[Vec<Op<'_>>],
    fonts: &Fonts,
    g: Geometry,
    loc: &Localizer,
    footer_left: &str,
) {
    let count = pages.len();
    for (n, ops) in pages.iter().enumerate() {
        let settings = PageSettings::from_wh(g.width, g.height).expect("paper sizes are positive");
        let mut page = doc.start_page_with(settings);
        let mut s = page.surface();
        let mut color = None;
        let mut i = 0;
        while i < ops.len() {
            // Consecutive lines of a table in one face and size: one text object.
            if let Op::Row { size, bold, .. } = ops[i] {
                let end = ops[i..]
                    .iter()
                    .position(|o| !matches!(o, Op::Row { size: z, bold: b, .. } if *z == size && *b == bold))
                    .map_or(ops.len(), |n| i + n);
                if end - i > 1 {
                    fill(&mut s, BLACK, &mut color);
                    if rows_in_one_run(&mut s, fonts, size, bold, &ops[i..end]) {
                        i = end;
                        continue;
                    }
                }
            }
            draw(&mut s, &ops[i], fonts, &mut color);
            i += 1;
        }
        // The footer: the store and statement, "Page n of m".
        let y = g.height - 10.0 * MM;
        let (left, _) = clip(
            fonts,
            footer_left,
            false,
            SMALL,
            (g.right - g.left) * 0.7,
            1,
        );
        for l in left {
            draw(
                &mut s,
                &Op::Text {
                    x: g.left,
                    y,
                    size: SMALL,
                    bold: false,
                    gray: true,
                    text: l,
                },
                fonts,
                &mut color,
            );
        }
        let page_of = loc.text_with(
            "page-of",
            &[
                ("page", &(n + 1).to_string()),
                ("pages", &count.to_string()),
            ],
        );
        let x = g.right - fonts.width(&page_of, false, SMALL);
        draw(
            &mut s,
            &Op::Text {
                x,
                y,
                size: SMALL,
                bold: false,
                gray: true,
                text: page_of.into(),
            },
            fonts,
            &mut color,
        );
        s.finish();
        page.finish();
    }
}

/// Sets the fill colour when it changes.
fn fill(s: &mut Surface<'_>, rgb: (u8, u8, u8), current: &mut Option<(u8, u8, u8)>) {
    if *current != Some(rgb) {
        s.set_fill(Some(Fill {
            paint: color(rgb).into(),
            ..Fill::default()
        }));
        *current = Some(rgb);
    }
}

fn draw(s: &mut Surface<'_>, op: &Op<'_>, fonts: &Fonts, current: &mut Option<(u8, u8, u8)>) {
    match op {
        Op::Text {
            x,
            y,
            size,
            bold,
            gray,
            text,
        } => {
            fill(s, if *gray { GRAY } else { BLACK }, current);
            let mut x = *x;
            fonts.runs(text, *bold, |face, run, glyphs| {
                s.draw_glyphs(
                    Point::from_xy(x, *y),
                    glyphs,
                    face.font.clone(),
                    run,
                    *size,
                    false,
                );
                x += glyphs.iter().map(|g| g.advance).sum::<f32>() * size;
            });
        }
        Op::Row {
            y,
            size,
            bold,
            cells,
        } => {
            fill(s, BLACK, current);
            if !row_in_one_run(s, fonts, *y, *size, *bold, cells) {
                for (x, text) in cells {
                    let text = Op::Text {
                        x: *x,
                        y: *y,
                        size: *size,
                        bold: *bold,
                        gray: false,
                        text: Cow::Borrowed(*text),
                    };
                    draw(s, &text, fonts, current);
                }
            }
        }
        Op::Rule {
            x1,
            x2,
            y,
            width,
            dashed,
            light,
        } => {
            let mut pb = PathBuilder::new();
            pb.move_to(*x1, *y);
            pb.line_to(*x2, *y);
            if let Some(path) = pb.finish() {
                s.set_fill(None);
                *current = None;
                s.set_stroke(Some(Stroke {
                    paint: color(if *light { LIGHT } else { BLACK }).into(),
                    width: *width,
                    dash: dashed.then(|| StrokeDash {
                        array: vec![3.0, 2.0],
                        offset: 0.0,
                    }),
                    ..Stroke::default()
                }));
                s.draw_path(&path);
                s.set_stroke(None);
            }
        }
        Op::Frame { x, y, w, h } => {
            let mut pb = PathBuilder::new();
            if let Some(rect) = krilla::geom::Rect::from_xywh(*x, *y, *w, *h) {
                pb.push_rect(rect);
            }
            if let Some(path) = pb.finish() {
                s.set_fill(None);
                *current = None;
                s.set_stroke(Some(Stroke {
                    paint: color(BLACK).into(),
                    width: 0.8,
                    ..Stroke::default()
                }));
                s.draw_path(&path);
                s.set_stroke(None);
            }
        }
    }
}

/// Appends `cell`'s glyphs (in `face`, at `size`) to a run and its text to `text`; the width it
/// took, or `None`, appending nothing, when the face lacks one of its characters.
fn push_cell(
    face: &Face,
    cell: &str,
    size: f32,
    text: &mut String,
    glyphs: &mut Vec<PlacedGlyph>,
) -> Option<f32> {
    let start = glyphs.len();
    let mut width = 0.0;
    for (i, c) in cell.char_indices() {
        let Some((g, adv)) = face.glyph(c) else {
            glyphs.truncate(start);
            return None;
        };
        let at = text.len() + i;
        glyphs.push(PlacedGlyph {
            id: g,
            range: at..at + c.len_utf8(),
            advance: adv,
            down: 0.0,
        });
        width += adv * size;
    }
    text.push_str(cell);
    Some(width)
}

/// Draws the cells of a row as one run of glyphs (the last glyph of each cell advancing to the
/// next cell): one text object instead of one per cell. False, drawing nothing, when the first
/// face lacks a character.
fn row_in_one_run(
    s: &mut Surface<'_>,
    fonts: &Fonts,
    y: f32,
    size: f32,
    bold: bool,
    cells: &[(f32, &str)],
) -> bool {
    let Some(&(x0, _)) = cells.first() else {
        return true;
    };
    let face = &fonts.faces(bold)[0];
    let mut text = String::with_capacity(cells.iter().map(|(_, t)| t.len()).sum());
    let mut glyphs: Vec<PlacedGlyph> = Vec::with_capacity(text.capacity());
    let mut x = x0;
    for &(cx, cell) in cells {
        // Move to the cell: widen the previous glyph's advance by the gap.
        if let Some(last) = glyphs.last_mut() {
            last.advance += (cx - x) / size;
        }
        x = cx;
        let Some(width) = push_cell(face, cell, size, &mut text, &mut glyphs) else {
            return false;
        };
        x += width;
    }
    s.draw_glyphs(
        Point::from_xy(x0, y),
        &glyphs,
        face.font.clone(),
        &text,
        size,
        false,
    );
    true
}

/// Draws lines of a table (`Op::Row`s of one size and face) as one run of glyphs: the last glyph
/// of each cell advances to the next cell, the last of each line to the next line's start. False,
/// drawing nothing, when the first face lacks a character.
fn rows_in_one_run(
    s: &mut Surface<'_>,
    fonts: &Fonts,
    size: f32,
    bold: bool,
    rows: &[Op<'_>],
) -> bool {
    let face = &fonts.faces(bold)[0];
    let mut text = String::new();
    let mut glyphs: Vec<PlacedGlyph> = Vec::new();
    let mut start: Option<(f32, f32)> = None;
    let (mut x, mut y) = (0.0f32, 0.0f32);
    for op in rows {
        let Op::Row {
            y: row_y, cells, ..
        } = op
        else {
            return false;
        };
        for &(cx, cell) in cells {
            match glyphs.last_mut() {
                // Move to the cell: from the previous glyph, across and (on a new line) down.
                Some(last) => {
                    last.advance += (cx - x) / size;
                    last.down += (row_y - y) / size;
                }
                None => start = Some((cx, *row_y)),
            }
            x = cx;
            y = *row_y;
            let Some(width) = push_cell(face, cell, size, &mut text, &mut glyphs) else {
                return false;
            };
            x += width;
        }
    }
    if let Some((x0, y0)) = start {
        s.draw_glyphs(
            Point::from_xy(x0, y0),
            &glyphs,
            face.font.clone(),
            &text,
            size,
            false,
        );
    }
    true
}
