//! The input side of `hops check`: a redirect map in any of its formats, read lazily into
//! [`Row`]s, one at a time, so a map of any size is checked in constant memory.
//!
//! ```text
//! let mut rows = input::open("shop.csv", BufReader::new(file), &InputOptions::default())?;
//! for row in rows.by_ref() { ... }          // Result<Row, RowError>, in file order
//! let note = rows.skipped_patterns();       // rules that match many URLs, skipped
//! ```
//!
//! [`open`] reads at most the first [`SNIFF_BYTES`] to pick the format (unless
//! [`InputOptions::format`] forces one), then chains them back in front of the rest of the input.
//! Problems with the whole input (unreadable, a sitemap index, JSON that does not parse, a CSV
//! header without a source column) are an [`InputError`] from [`open`], before any row. A
//! malformed row is a [`RowError`] naming `FILE:LINE` and why, yielded in its place so the caller
//! can stop (a usage error) or skip it (`--skip-bad-rows`); a *fatal* [`RowError`] (the input
//! broke off: an I/O error, XML that stops parsing) ends the iteration and must not be skipped.
//!
//! Every format's rows go through the same URL rule ([`Context::url`]): a path-only value is
//! joined to `--base` (and is malformed without it), a value without a scheme gets `http://` as
//! the URLs hops traces do, and only http and https are accepted.

mod csv;
mod csv_record;
mod line_index;
mod list;
mod netlify;
mod pattern;
mod sitemap;
mod vercel;

use std::fmt;
use std::io::{self, BufRead, Cursor, Read};

use url::Url;

use crate::model::{Row, RowExpect, TargetSpan};

pub use pattern::{PatternNote, is_pattern};

/// How much of the input [`open`] may read to detect its format.
pub const SNIFF_BYTES: u64 = 8 * 1024;

/// The formats of a redirect map (`--input-format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InputFormat {
    /// One URL per line; `#` comments and blank lines skipped.
    UrlList,
    /// Comma-separated with a header row naming the columns.
    Csv,
    /// Tab-separated with a header row naming the columns.
    Tsv,
    /// Cloudflare Bulk Redirects CSV: no header, `source,target[,status,...]`.
    Cloudflare,
    /// Netlify `_redirects`: `from to [status][!]`.
    Netlify,
    /// Vercel `vercel.json`: `{"redirects": [...]}`.
    Vercel,
    /// sitemap.xml: every `<loc>` must answer 2xx without redirecting.
    Sitemap,
}

impl InputFormat {
    /// Every format, in the order `--input-format` lists them.
    pub const ALL: [InputFormat; 7] = [
        InputFormat::UrlList,
        InputFormat::Csv,
        InputFormat::Tsv,
        InputFormat::Cloudflare,
        InputFormat::Netlify,
        InputFormat::Vercel,
        InputFormat::Sitemap,
    ];

    /// The name `--input-format` takes and messages show.
    pub fn as_str(self) -> &'static str {
        match self {
            InputFormat::UrlList => "list",
            InputFormat::Csv => "csv",
            InputFormat::Tsv => "tsv",
            InputFormat::Cloudflare => "cloudflare",
            InputFormat::Netlify => "netlify",
            InputFormat::Vercel => "vercel",
            InputFormat::Sitemap => "sitemap",
        }
    }

    /// The format named `name` (as [`InputFormat::as_str`] writes it), if any.
    pub fn from_name(name: &str) -> Option<InputFormat> {
        InputFormat::ALL
            .into_iter()
            .find(|format| format.as_str().eq_ignore_ascii_case(name))
    }
}

impl fmt::Display for InputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How to read a map: the format when forced, and the base for path-only values.
#[derive(Debug, Clone, Default)]
pub struct InputOptions {
    /// `--input-format`: `None` detects it from the name and the content.
    pub format: Option<InputFormat>,
    /// `--base`: joined to path-only sources and targets.
    pub base: Option<Url>,
}

/// The whole input cannot be read as a map: nothing of it should be checked.
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("{file}: {source}")]
    Io { file: String, source: io::Error },
    /// `line` when the problem has one (a JSON syntax error, a CSV header).
    #[error("{}: {reason}", location(file, *line))]
    Invalid {
        file: String,
        line: Option<usize>,
        reason: String,
    },
}

fn location(file: &str, line: Option<usize>) -> String {
    match line {
        Some(line) => format!("{file}:{line}"),
        None => file.to_owned(),
    }
}

/// One row that cannot be checked: `FILE:LINE: why`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {reason}")]
pub struct RowError {
    pub file: String,
    pub line: usize,
    pub reason: String,
    /// The input broke off here (I/O error, XML that stops parsing): nothing follows, so this
    /// must not be skipped like a malformed row.
    pub fatal: bool,
}

/// The rows of a map, lazily, in file order; see the module docs.
pub struct Rows<'a> {
    format: InputFormat,
    context: Context,
    parser: Box<dyn Parser + 'a>,
    done: bool,
}

impl Rows<'_> {
    /// The format read (forced or detected).
    pub fn format(&self) -> InputFormat {
        self.format
    }

    /// The file's name as given to [`open`].
    pub fn file(&self) -> &str {
        &self.context.file
    }

    /// The pattern rules skipped so far (all of them once the iteration has ended).
    pub fn skipped_patterns(&self) -> &PatternNote {
        &self.context.patterns
    }
}

impl fmt::Debug for Rows<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rows")
            .field("format", &self.format)
            .field("file", &self.context.file)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl Iterator for Rows<'_> {
    type Item = Result<Row, RowError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let item = self.parser.next_row(&mut self.context);
        match &item {
            None => self.done = true,
            Some(Err(error)) if error.fatal => self.done = true,
            Some(_) => {}
        }
        item
    }
}

/// Opens a map: detects (or takes) its format and returns its rows, not yet read.
///
/// `name` is the file's name as the user gave it (`-` for stdin): it appears in every message,
/// and its extension helps detection (`.csv`, `.tsv`, `.json`, `.xml`, `_redirects`).
pub fn open<'a>(
    name: &str,
    mut reader: impl BufRead + 'a,
    options: &InputOptions,
) -> Result<Rows<'a>, InputError> {
    let mut prefix = Vec::new();
    reader
        .by_ref()
        .take(SNIFF_BYTES)
        .read_to_end(&mut prefix)
        .map_err(|source| InputError::Io {
            file: name.to_owned(),
            source,
        })?;
    let invalid = |reason: &str| InputError::Invalid {
        file: name.to_owned(),
        line: None,
        reason: reason.to_owned(),
    };
    // A BOM is dropped once here, so no reader sees it in its first field.
    let mut bom = 0;
    if prefix.starts_with(b"\xEF\xBB\xBF") {
        prefix.drain(..3);
        bom = 3;
    } else if prefix.starts_with(b"\xFF\xFE") || prefix.starts_with(b"\xFE\xFF") {
        return Err(invalid("the file is UTF-16: save it as UTF-8"));
    }
    let format = match options.format {
        Some(format) => format,
        None => detect(name, &prefix),
    };
    if format == InputFormat::Sitemap && sitemap::is_index(&prefix) {
        return Err(invalid("a sitemap index: check each sitemap it lists"));
    }
    let context = Context {
        file: name.to_owned(),
        base: options.base.clone(),
        patterns: PatternNote::default(),
        offset: bom,
    };
    let input = Cursor::new(prefix).chain(reader);
    let parser: Box<dyn Parser + 'a> = match format {
        InputFormat::UrlList => Box::new(list::ListParser::new(input)),
        InputFormat::Csv | InputFormat::Tsv | InputFormat::Cloudflare => {
            Box::new(csv::CsvParser::new(input, format, &context)?)
        }
        InputFormat::Netlify => Box::new(netlify::NetlifyParser::new(input)),
        InputFormat::Vercel => Box::new(vercel::VercelParser::new(input, &context)?),
        InputFormat::Sitemap => Box::new(sitemap::SitemapParser::new(input)),
    };
    Ok(Rows {
        format,
        context,
        parser,
        done: false,
    })
}

/// One format's reader: the next row, malformed row or fatal error; `None` at the end.
trait Parser {
    fn next_row(&mut self, context: &mut Context) -> Option<Result<Row, RowError>>;
}

/// What every format's reader shares: the file's name, `--base`, the patterns skipped.
struct Context {
    file: String,
    base: Option<Url>,
    patterns: PatternNote,
    /// Bytes of the file before what the reader sees (a BOM), for spans in the file itself.
    offset: u64,
}

impl Context {
    fn error(&self, line: usize, reason: impl Into<String>) -> RowError {
        RowError {
            file: self.file.clone(),
            line,
            reason: reason.into(),
            fatal: false,
        }
    }

    fn fatal(&self, line: usize, reason: impl Into<String>) -> RowError {
        RowError {
            fatal: true,
            ..self.error(line, reason)
        }
    }

    fn io_error(&self, line: usize, error: &io::Error) -> RowError {
        self.fatal(line, format!("cannot read on: {error}"))
    }

    fn row(&self, line: usize, source: Url, expect: RowExpect) -> Row {
        Row {
            file: self.file.clone(),
            line,
            source,
            expect,
            target_at: None,
        }
    }

    /// The span of a target written as `text` at `start..end` of what the reader sees.
    fn target_span(&self, start: u64, end: u64, text: &str) -> TargetSpan {
        let text = text.trim();
        TargetSpan {
            start: start + self.offset,
            end: end + self.offset,
            path: text.starts_with('/') && !text.starts_with("//"),
        }
    }

    /// A source or target (`what` names it in the message) as a URL; see the module docs.
    fn url(&self, raw: &str, what: &str, line: usize) -> Result<Url, RowError> {
        parse_url(raw, what, self.base.as_ref()).map_err(|reason| self.error(line, reason))
    }
}

/// The URL rule of the module docs; the error is the reason, without `FILE:LINE`.
fn parse_url(raw: &str, what: &str, base: Option<&Url>) -> Result<Url, String> {
    let value = raw.trim();
    if value.is_empty() {
        return Err(format!("the {what} is empty"));
    }
    let not_url = |why: &str| {
        if why.is_empty() {
            format!("the {what} {value:?} is not a URL")
        } else {
            format!("the {what} {value:?} is not a URL: {why}")
        }
    };
    if value.contains(char::is_whitespace) {
        return Err(not_url("it contains spaces (percent-encode them as %20)"));
    }
    let url = if value.starts_with('/') {
        match base {
            Some(base) => base.join(value).map_err(|err| not_url(&err.to_string()))?,
            // `//host/path` keeps the base's scheme in a browser; without a base, http as below.
            None if value.starts_with("//") => {
                Url::parse(&format!("http:{value}")).map_err(|err| not_url(&err.to_string()))?
            }
            None => {
                return Err(format!(
                    "the {what} {value:?} is a path: give --base URL to resolve it"
                ));
            }
        }
    } else {
        let text = match value.split_once("://") {
            Some((scheme, _)) if is_scheme(scheme) => value.to_owned(),
            // `ht!tp://x` would otherwise become the host `ht!tp` of `http://ht!tp://x`.
            Some(_) => return Err(not_url("")),
            None => format!("http://{value}"),
        };
        Url::parse(&text).map_err(|err| not_url(&err.to_string()))?
    };
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("the {what} {value:?} is not an http or https URL"));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(not_url("no host"));
    }
    Ok(url)
}

fn is_scheme(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic())
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
}

/// A status cell: an HTTP status, 100 to 599.
fn parse_status(raw: &str, what: &str) -> Result<u16, String> {
    let value = raw.trim();
    value
        .parse::<u16>()
        .ok()
        .filter(|status| (100..=599).contains(status))
        .ok_or_else(|| format!("the {what} {value:?} is not an HTTP status (100 to 599)"))
}

/// Could this value be a URL or a path (and so not a column name)? Column names have no `/`,
/// `.` or `:`; sources always have one of them.
fn looks_like_url(value: &str) -> bool {
    let value = value.trim();
    !value.is_empty()
        && !value.contains(char::is_whitespace)
        && (value.starts_with('/') || value.contains("://") || value.contains('.'))
}

/// Picks the format from the file's name, then from its first bytes.
fn detect(name: &str, prefix: &[u8]) -> InputFormat {
    let text = String::from_utf8_lossy(prefix);
    let first = first_line(&text);
    let base_name = name
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or(name)
        .to_ascii_lowercase();
    if base_name == "_redirects" {
        return InputFormat::Netlify;
    }
    match base_name.rsplit_once('.').map(|(_, ext)| ext) {
        Some("csv") => return csv_kind(first.unwrap_or("")),
        Some("tsv" | "tab") => return InputFormat::Tsv,
        Some("json") => return InputFormat::Vercel,
        Some("xml") => return InputFormat::Sitemap,
        _ => {}
    }
    let start = text.trim_start();
    if start.starts_with('<') {
        return InputFormat::Sitemap;
    }
    if start.starts_with('{') {
        return InputFormat::Vercel;
    }
    let Some(first) = first else {
        return InputFormat::UrlList;
    };
    if first.contains('\t') && csv::is_header(first.split('\t')) {
        return InputFormat::Tsv;
    }
    if first.contains(',') {
        if csv::is_header(first.split(',')) {
            return InputFormat::Csv;
        }
        let mut fields = first.split(',');
        if fields.next().is_some_and(looks_like_url) && fields.next().is_some_and(looks_like_url) {
            return InputFormat::Cloudflare;
        }
    }
    // A one-column sheet: its header is a single source name.
    if csv::is_header(std::iter::once(first)) {
        return InputFormat::Csv;
    }
    let mut words = first.split_whitespace();
    if words.next().is_some_and(looks_like_url) && words.next().is_some() {
        return InputFormat::Netlify;
    }
    InputFormat::UrlList
}

/// A `.csv` file: Cloudflare's when its first field is a URL or path, else a header CSV.
fn csv_kind(first: &str) -> InputFormat {
    let field = first
        .split(',')
        .next()
        .unwrap_or("")
        .trim()
        .trim_matches('"');
    if looks_like_url(field) {
        InputFormat::Cloudflare
    } else {
        InputFormat::Csv
    }
}

/// The first line that is neither blank nor a `#` comment.
fn first_line(text: &str) -> Option<&str> {
    text.lines()
        .map(str::trim)
        .find(|line| !line.is_empty() && !line.starts_with('#'))
}

#[cfg(test)]
mod tests;
