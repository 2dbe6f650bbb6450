//! HSTS (RFC 6797 as Chromium applies it): `Strict-Transport-Security` parsing, the known-host
//! store (this chain, the `--hsts` cache file, the embedded preload list) and upgrade decisions.
//!
//! Nothing here does I/O except [`HstsStore::save_cache`], and the current time is always passed
//! in as `now`, so every rule is covered by table-driven unit tests below. The hop loop in
//! `chain.rs` decides when a header counts (https only, no certificate errors, the first STS
//! field of a response) and turns the answers into hops, warnings and hints.
//!
//! # Parsing the header
//! No crate parses `Strict-Transport-Security` the way browsers do: the typed-header crates
//! (`headers`, hyper's old `header` module) split on `;` without honouring quoted strings, let
//! `max-age=+1` through, and reject an overflowing max-age that Chromium saturates. So
//! [`parse_sts`] is our own, after RFC 6797 §6.1 and Chromium's `ParseHSTSHeader`:
//! - `directive *( ";" directive )`, where a directive may be empty (`max-age=1;;preload`) and
//!   optional whitespace (space, tab) may surround `;` and `=`;
//! - `directive = name [ "=" value ]`, the name a token (matched case-insensitively), the value
//!   a token or a quoted string with `\` escapes (RFC 9110 §5.6, formerly RFC 7230 §3.2.6);
//! - `max-age` is required, its value digits only (also when quoted); a value too large for a
//!   `u64` saturates instead of failing, as Chromium's does, and [`Sts::effective_max_age`] caps
//!   it at [`MAX_AGE_CAP`] (one year) when the entry is stored;
//! - `includeSubDomains` takes no value;
//! - a repeated `max-age` or `includeSubDomains`, or any syntax error (a `,` used as a separator
//!   is the common one), makes the whole header invalid ([`StsError`] says why);
//! - unknown directives are ignored, repeated or not, as Chromium does, but must still be
//!   well-formed. `preload` is one of them for browsers, which never read it: hops notes it
//!   (for the preload-list hints) when it appears without a value, and lets a repeat or a value
//!   pass, as browsers do.
//!
//! # Hosts
//! [`normalize_host`] is the one form every comparison uses: lowercase, one trailing dot
//! stripped, IDNs in punycode (`xn--` A-labels, as the WHATWG URL host parser produces them).
//! IP literals and `localhost` (and `*.localhost`) normalize to `None`: HSTS never applies to
//! them (RFC 6797 §8.1 and §8.3 for IP literals; `localhost` by the rules of
//! `REDIRECT-RULES.md` §7), so a lookup or an observation for them is a no-op.
//!
//! # Known hosts
//! [`HstsStore`] holds learned entries (from [`Source::Chain`] or [`Source::CacheFile`]) and
//! consults the embedded [`Source::Preload`] list after them. A host matches an entry for the
//! exact name, or for a parent that has includeSubDomains; the most specific match wins.
//! `max-age=0` removes only the exact learned entry; a preloaded entry is never removed. An
//! upgrade is [`upgrade`]: `http` becomes `https`, port 80 becomes 443, other ports are kept.
//!
//! # The cache file (`--hsts FILE`)
//! curl's format, so the file can be shared with `curl --hsts`: one entry per line,
//! `host "YYYYMMDD HH:MM:SS"` (UTC) or `host "unlimited"`, a leading `.` on the host meaning
//! includeSubDomains, `#` comments and blank lines ignored. Like curl, a bad line is skipped
//! rather than failing the run; [`HstsStore::load_cache`] says which lines and why. Writing it
//! back replaces the file atomically (a temporary file renamed over it).
//!
//! # The preload list
//! `data/hsts_preload.fst` is Chromium's preload list (force-https entries only; licence and
//! provenance in `data/HSTS_PRELOAD_LICENSE`), built by `examples/gen_preload.rs`
//! (`scripts/gen-preload.sh`). It is an `fst::Map` keyed by the name with its labels reversed
//! (`www.example.com` → `com.example.www`) with the include_subdomains flag as value. Reversed,
//! every parent of a name is a prefix of its key: a lookup is one `get` for the exact name and
//! one per parent, whose cost grows with the host's length and not with the list's. The bytes
//! are embedded with `include_bytes!` and read in place, parsed once on first use.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt::{self, Write as _};
use std::fs;
use std::io::{self, Write as _};
use std::path::Path;
use std::sync::OnceLock;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use url::Url;

mod hints;
mod observe;

pub use hints::add_hsts_hints;
pub use observe::observe_sts;

/// Chromium stores at most one year of HSTS (`kMaxHSTSAgeSecs`), whatever max-age says.
pub const MAX_AGE_CAP: u64 = 31_536_000;

/// The max-age hstspreload.org requires before it accepts a domain for the preload list (one
/// year; the same number as [`MAX_AGE_CAP`] by coincidence of policy, not by definition).
pub const PRELOAD_MIN_MAX_AGE: u64 = 31_536_000;

/// The first lines of a cache file written by [`HstsStore::cache_text`]: curl's, naming hops.
pub const CACHE_HEADER: &str = "# Your HSTS cache. https://curl.se/docs/hsts.html\n\
                                # This file was generated by hops! Edit at your own risk.\n";

// ---------------------------------------------------------------------------------------------
// Strict-Transport-Security parsing
// ---------------------------------------------------------------------------------------------

/// A valid `Strict-Transport-Security` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sts {
    /// max-age as sent, saturated at `u64::MAX`; see [`Sts::effective_max_age`].
    pub max_age: u64,
    pub include_subdomains: bool,
    pub preload: bool,
}

impl Sts {
    /// The max-age a browser stores: the one sent, capped at one year ([`MAX_AGE_CAP`]).
    pub fn effective_max_age(&self) -> u64 {
        self.max_age.min(MAX_AGE_CAP)
    }
}

/// Why a `Strict-Transport-Security` value is invalid. Each makes browsers ignore the whole
/// header. Columns count characters from 1.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StsError {
    #[error("max-age is missing")]
    MissingMaxAge,
    #[error("max-age has no value")]
    MaxAgeWithoutValue,
    #[error("max-age value {value:?} is not a number")]
    MaxAgeNotANumber { value: String },
    #[error("directive {directive} appears more than once")]
    Repeated { directive: &'static str },
    #[error("directive {directive} takes no value")]
    UnexpectedValue { directive: &'static str },
    #[error("unexpected ',' at column {column} — directives are separated by ';'")]
    CommaSeparator { column: usize },
    #[error("unexpected {found} at column {column}: expected {expected}")]
    Syntax {
        column: usize,
        found: String,
        expected: &'static str,
    },
    #[error("the quoted string opened at column {column} is never closed")]
    UnterminatedQuotedString { column: usize },
    #[error("the header value is not valid UTF-8")]
    NotUtf8,
}

/// The directive names hops understands, spelled as in RFC 6797 and hstspreload.org for messages.
const MAX_AGE: &str = "max-age";
const INCLUDE_SUBDOMAINS: &str = "includeSubDomains";
const PRELOAD: &str = "preload";

/// Parses one `Strict-Transport-Security` field value (see the module doc for the rules).
pub fn parse_sts(value: &str) -> Result<Sts, StsError> {
    let mut scanner = Scanner {
        text: value,
        pos: 0,
    };
    let mut max_age = None;
    let mut include_subdomains = false;
    let mut preload = false;

    while let Some((name, directive_value)) = scanner.next_directive()? {
        if name.eq_ignore_ascii_case(MAX_AGE) {
            if max_age.is_some() {
                return Err(StsError::Repeated { directive: MAX_AGE });
            }
            let digits = directive_value.ok_or(StsError::MaxAgeWithoutValue)?;
            max_age = Some(parse_max_age(&digits)?);
        } else if name.eq_ignore_ascii_case(INCLUDE_SUBDOMAINS) {
            include_subdomains =
                set_flag_once(include_subdomains, INCLUDE_SUBDOMAINS, directive_value)?;
        } else if name.eq_ignore_ascii_case(PRELOAD) {
            // Browsers ignore it; hstspreload.org looks for the bare token.
            preload |= directive_value.is_none();
        }
        // Any other directive is ignored (RFC 6797 §6.1 rule 5); the scanner has already
        // checked that it is well-formed.
    }

    Ok(Sts {
        max_age: max_age.ok_or(StsError::MissingMaxAge)?,
        include_subdomains,
        preload,
    })
}

/// The header that counts among the raw `Strict-Transport-Security` fields of one response:
/// the first (RFC 6797 §8.1: "the UA MUST process only the first such header field"). `None`
/// when there is none. A first field that is invalid, or not UTF-8, is an error even if a later
/// one is valid, as in browsers.
pub fn first_sts(values: &[&[u8]]) -> Option<Result<Sts, StsError>> {
    let first = values.first()?;
    Some(
        std::str::from_utf8(first)
            .map_err(|_| StsError::NotUtf8)
            .and_then(parse_sts),
    )
}

/// What hstspreload.org would reject about this header, one human sentence per problem; empty
/// when the header itself qualifies (the site must also redirect http to https on the same
/// host first, which only the chain can tell).
pub fn preload_eligibility(sts: &Sts) -> Vec<String> {
    let mut problems = Vec::new();
    if sts.max_age < PRELOAD_MIN_MAX_AGE {
        problems.push(format!(
            "max-age is {}: the preload list requires at least {PRELOAD_MIN_MAX_AGE} (one year)",
            sts.max_age
        ));
    }
    if !sts.include_subdomains {
        problems.push("includeSubDomains is missing: the preload list requires it".to_owned());
    }
    if !sts.preload {
        problems.push("preload is missing: the preload list requires it".to_owned());
    }
    problems
}

/// A flag directive (`includeSubDomains`, `preload`): present once, without a value.
fn set_flag_once(
    already_seen: bool,
    directive: &'static str,
    value: Option<String>,
) -> Result<bool, StsError> {
    if already_seen {
        return Err(StsError::Repeated { directive });
    }
    if value.is_some() {
        return Err(StsError::UnexpectedValue { directive });
    }
    Ok(true)
}

/// Digits only (no sign, no spaces); saturates rather than failing, as Chromium does, because a
/// site sending max-age=99999999999999999999 means "as long as possible", not "nothing".
fn parse_max_age(value: &str) -> Result<u64, StsError> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(StsError::MaxAgeNotANumber {
            value: value.to_owned(),
        });
    }
    Ok(value.bytes().fold(0u64, |acc, digit| {
        acc.saturating_mul(10)
            .saturating_add(u64::from(digit - b'0'))
    }))
}

/// A cursor over a header value. Outside quoted strings it only steps over ASCII, so `pos` is
/// always on a character boundary there.
struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    /// The next non-empty directive as (name, value), `None` at the end of the header.
    fn next_directive(&mut self) -> Result<Option<(&'a str, Option<String>)>, StsError> {
        loop {
            self.skip_whitespace();
            match self.peek() {
                None => return Ok(None),
                Some(b';') => self.pos += 1, // an empty directive
                Some(b',') => return Err(self.comma()),
                Some(_) => break,
            }
        }

        let name = self.token();
        if name.is_empty() {
            return Err(self.unexpected("a directive name"));
        }
        self.skip_whitespace();
        let value = if self.peek() == Some(b'=') {
            self.pos += 1;
            self.skip_whitespace();
            Some(self.value()?)
        } else {
            None
        };
        self.skip_whitespace();
        match self.peek() {
            None | Some(b';') => Ok(Some((name, value))),
            Some(b',') => Err(self.comma()),
            Some(_) => Err(self.unexpected("';' or the end of the header")),
        }
    }

    /// A directive value: a token, or a quoted string with its escapes resolved.
    fn value(&mut self) -> Result<String, StsError> {
        if self.peek() == Some(b'"') {
            return self.quoted_string();
        }
        let token = self.token();
        if token.is_empty() {
            return Err(self.unexpected("a value (a token or a quoted string)"));
        }
        Ok(token.to_owned())
    }

    /// RFC 9110 §5.6.4 `quoted-string`, the cursor on its opening quote.
    fn quoted_string(&mut self) -> Result<String, StsError> {
        let opened_at = self.pos;
        let unterminated = |scanner: &Self| StsError::UnterminatedQuotedString {
            column: scanner.column_at(opened_at),
        };
        self.pos += 1;
        // Bytes, because obs-text (≥ 0x80) is copied byte by byte; only ASCII backslashes are
        // dropped, so the content stays valid UTF-8.
        let mut content = Vec::new();
        loop {
            match self.peek() {
                None => return Err(unterminated(self)),
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(String::from_utf8_lossy(&content).into_owned());
                }
                Some(b'\\') => {
                    self.pos += 1;
                    match self.peek() {
                        None => return Err(unterminated(self)),
                        Some(byte) if is_quoted_pair_byte(byte) => content.push(byte),
                        Some(_) => return Err(self.unexpected("a visible character after '\\'")),
                    }
                }
                Some(byte) if is_qdtext_byte(byte) => content.push(byte),
                Some(_) => {
                    return Err(self.unexpected("a character allowed in a quoted string"));
                }
            }
            self.pos += 1;
        }
    }

    fn token(&mut self) -> &'a str {
        let start = self.pos;
        while self.peek().is_some_and(is_tchar) {
            self.pos += 1;
        }
        &self.text[start..self.pos]
    }

    /// Optional whitespace (RFC 9110 OWS: spaces and tabs).
    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t')) {
            self.pos += 1;
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn comma(&self) -> StsError {
        StsError::CommaSeparator {
            column: self.column_at(self.pos),
        }
    }

    fn unexpected(&self, expected: &'static str) -> StsError {
        let found = match self
            .text
            .get(self.pos..)
            .and_then(|rest| rest.chars().next())
        {
            Some(c) => format!("{c:?}"),
            None if self.pos >= self.text.len() => "end of header".to_owned(),
            None => format!("byte 0x{:02x}", self.peek().unwrap_or(0)),
        };
        StsError::Syntax {
            column: self.column_at(self.pos),
            found,
            expected,
        }
    }

    fn column_at(&self, pos: usize) -> usize {
        self.text
            .get(..pos)
            .map_or(pos, |before| before.chars().count())
            + 1
    }
}

/// RFC 9110 §5.6.2 `tchar`.
fn is_tchar(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&byte)
}

/// RFC 9110 §5.6.4 `qdtext`: HTAB, SP, visible ASCII except `"` and `\`, obs-text.
fn is_qdtext_byte(byte: u8) -> bool {
    matches!(byte, b'\t' | b' ' | 0x21 | 0x23..=0x5b | 0x5d..=0x7e | 0x80..=0xff)
}

/// RFC 9110 §5.6.4 `quoted-pair`: what may follow a backslash.
fn is_quoted_pair_byte(byte: u8) -> bool {
    matches!(byte, b'\t' | b' ' | 0x21..=0x7e | 0x80..=0xff)
}

// ---------------------------------------------------------------------------------------------
// Hosts and upgrades
// ---------------------------------------------------------------------------------------------

/// The form of a host every HSTS comparison uses: lowercase ASCII, one trailing dot stripped,
/// IDN labels in punycode. `None` for IP literals (v4, v6, bracketed or not), `localhost` and
/// `*.localhost`, and anything that is not a DNS name (empty labels, a label over 63 bytes, a
/// name over 253): HSTS never applies to those.
pub fn normalize_host(host: &str) -> Option<String> {
    let host = host.strip_suffix('.').unwrap_or(host);
    // The WHATWG host parser: percent-decoding, UTS #46 mapping (lowercase, punycode), and
    // IPv4 in all its spellings (`127.1`, `0x7f.0.0.1`) recognized as an address.
    let url::Host::Domain(domain) = url::Host::parse(host).ok()? else {
        return None;
    };
    let is_dns_name = domain.len() <= 253
        && domain
            .split('.')
            .all(|label| !label.is_empty() && label.len() <= 63);
    let is_localhost = domain == "localhost" || domain.ends_with(".localhost");
    (is_dns_name && !is_localhost).then_some(domain)
}

/// The https URL an `http://` URL is upgraded to for a known HSTS host (RFC 6797 §8.3): port 80,
/// explicit or implied, becomes https's default 443; any other explicit port is kept. `None`
/// when the URL is not `http`.
pub fn upgrade(url: &Url) -> Option<Url> {
    if url.scheme() != "http" {
        return None;
    }
    let mut upgraded = url.clone();
    // The url crate never stores a port equal to the scheme's default, so `:80` is already gone
    // from an http URL, and `set_scheme` drops a `:443` that becomes https's default.
    upgraded.set_scheme("https").ok()?;
    Some(upgraded)
}

// ---------------------------------------------------------------------------------------------
// The known-host store
// ---------------------------------------------------------------------------------------------

/// Where a known HSTS host comes from; shown when it decides an upgrade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A `Strict-Transport-Security` header on an earlier hop of this chain.
    Chain,
    /// The `--hsts` file.
    CacheFile,
    /// The embedded Chromium preload list.
    Preload,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Source::Chain => "a header seen earlier in this run",
            Source::CacheFile => "the HSTS cache file",
            Source::Preload => "the Chromium preload list",
        })
    }
}

/// What [`HstsStore::observe`] did with a valid header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The host was not known (or its entry had expired): it is now.
    Noted,
    /// The host was known: its entry now has the header's expiry and includeSubDomains.
    Updated,
    /// `max-age=0` removed the host's learned entry.
    Removed,
    /// `max-age=0`, and there was no learned entry for the exact host to remove (a preloaded
    /// entry, or a parent's includeSubDomains entry, still applies).
    None,
    /// The host is an IP literal, `localhost` or not a DNS name: HSTS never applies to it, so
    /// the header is ignored.
    NotApplicable,
}

/// The entry that makes a host a known HSTS host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub source: Source,
    /// The entry's name: the host itself, or the parent whose includeSubDomains covers it.
    pub matched: String,
    pub include_subdomains: bool,
}

/// When a learned entry stops applying. `At` sorts before `Never`, so `max` keeps the later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Expiry {
    At(SystemTime),
    Never,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct LearnedEntry {
    include_subdomains: bool,
    expires: Expiry,
    source: Source,
}

impl LearnedEntry {
    /// Chromium keeps an entry until the current time is past its expiry.
    fn is_live(&self, now: SystemTime) -> bool {
        match self.expires {
            Expiry::At(expires) => now <= expires,
            Expiry::Never => true,
        }
    }
}

/// What [`HstsStore::load_cache`] made of a cache file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CacheLoad {
    /// Hosts added to the store (a host listed twice counts once, with the later expiry).
    pub loaded: usize,
    /// Well-formed entries that had already expired, left out as curl does.
    pub expired: usize,
    /// Lines that are neither an entry, a comment nor blank; skipped, as curl does.
    pub skipped: Vec<SkippedLine>,
}

/// A cache file line that was skipped, for a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedLine {
    /// 1-based.
    pub line: usize,
    pub reason: String,
}

/// The known HSTS hosts of a run: learned entries, then the preload list.
#[derive(Debug, Clone)]
pub struct HstsStore {
    /// Keyed by normalized host; a `BTreeMap` so the cache file comes out sorted.
    learned: BTreeMap<String, LearnedEntry>,
    use_preload: bool,
}

impl HstsStore {
    /// An empty store; `use_preload` is false under `--no-preload`.
    pub fn new(use_preload: bool) -> Self {
        HstsStore {
            learned: BTreeMap::new(),
            use_preload,
        }
    }

    /// Applies a valid header received over https (without certificate errors) from `host`
    /// (RFC 6797 §8.1). The stored expiry uses the capped max-age.
    pub fn observe(&mut self, host: &str, sts: &Sts, now: SystemTime) -> Action {
        let Some(host) = normalize_host(host) else {
            return Action::NotApplicable;
        };
        let max_age = sts.effective_max_age();
        if max_age == 0 {
            return match self.learned.remove(&host) {
                Some(previous) if previous.is_live(now) => Action::Removed,
                _ => Action::None,
            };
        }
        // Only a `now` at the very end of SystemTime's range overflows; "never" is the nearest
        // meaning then.
        let expires = now
            .checked_add(Duration::from_secs(max_age))
            .map_or(Expiry::Never, Expiry::At);
        let entry = LearnedEntry {
            include_subdomains: sts.include_subdomains,
            expires,
            source: Source::Chain,
        };
        match self.learned.insert(host, entry) {
            Some(previous) if previous.is_live(now) => Action::Updated,
            _ => Action::Noted,
        }
    }

    /// The entry that makes `host` a known HSTS host at `now`, if any: an unexpired learned
    /// entry first, then the preload list; in each, the exact host first, then its parents
    /// from the nearest, where only an includeSubDomains entry covers a subdomain.
    pub fn lookup(&self, host: &str, now: SystemTime) -> Option<Match> {
        let host = normalize_host(host)?;
        self.lookup_learned(&host, now).or_else(|| {
            if self.use_preload {
                lookup_preload(&host)
            } else {
                None
            }
        })
    }

    fn lookup_learned(&self, host: &str, now: SystemTime) -> Option<Match> {
        names_and_parents(host).find_map(|(name, is_exact)| {
            let entry = self.learned.get(name)?;
            (entry.is_live(now) && (is_exact || entry.include_subdomains)).then(|| Match {
                source: entry.source,
                matched: name.to_owned(),
                include_subdomains: entry.include_subdomains,
            })
        })
    }

    /// Reads a cache file in curl's format (see the module doc). Entries already expired at
    /// `now`, and lines that are not entries, are skipped and counted; nothing here is fatal,
    /// as in curl. A host already in the store keeps the later of the two expiries.
    pub fn load_cache(&mut self, text: &str, now: SystemTime) -> CacheLoad {
        let mut report = CacheLoad::default();
        for (index, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (host, include_subdomains, expires) = match parse_cache_line(line) {
                Ok(entry) => entry,
                Err(reason) => {
                    report.skipped.push(SkippedLine {
                        line: index + 1,
                        reason,
                    });
                    continue;
                }
            };
            let entry = LearnedEntry {
                include_subdomains,
                expires,
                source: Source::CacheFile,
            };
            if !entry.is_live(now) {
                report.expired += 1;
                continue;
            }
            match self.learned.get_mut(&host) {
                Some(existing) if existing.expires >= entry.expires => {}
                Some(existing) => *existing = entry,
                None => {
                    self.learned.insert(host, entry);
                    report.loaded += 1;
                }
            }
        }
        report
    }

    /// The cache file to write at the end of a run: [`CACHE_HEADER`], then every learned entry
    /// (from the file and from the chain, never from the preload list) sorted by host. An entry
    /// that expired during the run is still written (there is no `now` here); the next load
    /// skips it.
    pub fn cache_text(&self) -> String {
        let mut text = String::from(CACHE_HEADER);
        for (host, entry) in &self.learned {
            let subdomains_dot = if entry.include_subdomains { "." } else { "" };
            let expires = match entry.expires {
                Expiry::At(time) => format_cache_time(time),
                Expiry::Never => "unlimited".to_owned(),
            };
            // Writing to a String cannot fail.
            let _ = writeln!(text, "{subdomains_dot}{host} \"{expires}\"");
        }
        text
    }

    /// Writes [`HstsStore::cache_text`] to `path` so that a crash never leaves a truncated
    /// cache: the text goes to a temporary file in the same directory, is synced, and is
    /// renamed over the target. A symlink is followed (the file it points to is replaced, the
    /// link kept). A target that exists but is not a regular file (`/dev/null`, a FIFO) is
    /// written directly, as curl does, since it cannot be replaced by a rename.
    pub fn save_cache(&self, path: &Path) -> io::Result<()> {
        let text = self.cache_text();
        let existing = fs::metadata(path).ok();
        if existing.as_ref().is_some_and(|meta| !meta.is_file()) {
            return fs::write(path, text);
        }
        let target = if existing.is_some() {
            fs::canonicalize(path)?
        } else {
            path.to_path_buf()
        };
        let Some(file_name) = target.file_name() else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("{} does not name a file", path.display()),
            ));
        };
        let mut temp_name = OsString::from(".");
        temp_name.push(file_name);
        temp_name.push(format!(".hops-{}.tmp", std::process::id()));
        let temp_path = target.with_file_name(temp_name);

        let written = (|| {
            let mut file = fs::File::create(&temp_path)?;
            if let Some(meta) = &existing {
                // Keep a cache the user made private (0600) private.
                file.set_permissions(meta.permissions())?;
            }
            file.write_all(text.as_bytes())?;
            file.sync_all()?;
            fs::rename(&temp_path, &target)
        })();
        if written.is_err() {
            // Best effort: the error that matters is the one returned.
            let _ = fs::remove_file(&temp_path);
        }
        written
    }
}

/// `a.b.c` → (`a.b.c`, exact), (`b.c`, parent), (`c`, parent): the names whose entry could
/// cover `host`, nearest first.
fn names_and_parents(host: &str) -> impl Iterator<Item = (&str, bool)> {
    std::iter::once((host, true)).chain(
        host.match_indices('.')
            .map(move |(dot, _)| (&host[dot + 1..], false)),
    )
}

/// One cache file entry: (normalized host, include_subdomains, expiry).
fn parse_cache_line(line: &str) -> Result<(String, bool, Expiry), String> {
    const EXPECTED: &str = "expected host \"YYYYMMDD HH:MM:SS\" or host \"unlimited\"";
    let (host_field, rest) = line
        .split_once([' ', '\t'])
        .ok_or_else(|| EXPECTED.to_owned())?;
    let quoted = rest.trim_start();
    let date = quoted
        .strip_prefix('"')
        .and_then(|inner| inner.strip_suffix('"'))
        .filter(|inner| !inner.contains('"'))
        .ok_or_else(|| EXPECTED.to_owned())?;

    let (include_subdomains, host) = match host_field.strip_prefix('.') {
        Some(host) => (true, host),
        None => (false, host_field),
    };
    let host = normalize_host(host).ok_or_else(|| {
        format!(
            "{host:?} is not a host HSTS applies to (an IP address, localhost or not a DNS name)"
        )
    })?;
    let expires = if date == "unlimited" {
        Expiry::Never
    } else {
        Expiry::At(parse_cache_time(date)?)
    };
    Ok((host, include_subdomains, expires))
}

/// Earliest and latest instants a 4-digit-year `YYYYMMDD HH:MM:SS` can show, in Unix seconds:
/// 0000-01-01 00:00:00 and 9999-12-31 23:59:59 UTC.
const CACHE_TIME_MIN: i64 = -62_167_219_200;
const CACHE_TIME_MAX: i64 = 253_402_300_799;

/// `YYYYMMDD HH:MM:SS`, UTC, the format curl writes.
fn parse_cache_time(text: &str) -> Result<SystemTime, String> {
    let invalid = || format!("{text:?} is not a time in the form \"YYYYMMDD HH:MM:SS\"");
    let bytes = text.as_bytes();
    let shape_ok = bytes.len() == 17
        && bytes[8] == b' '
        && bytes[11] == b':'
        && bytes[14] == b':'
        && [0..8, 9..11, 12..14, 15..17]
            .into_iter()
            .all(|range| bytes[range].iter().all(u8::is_ascii_digit));
    if !shape_ok {
        return Err(invalid());
    }
    let number = |range: std::ops::Range<usize>| {
        bytes[range]
            .iter()
            .fold(0u32, |acc, digit| acc * 10 + u32::from(digit - b'0'))
    };
    let narrow = |value: u32| u8::try_from(value).map_err(|_| invalid());
    let year = i32::try_from(number(0..4)).map_err(|_| invalid())?;
    let month = time::Month::try_from(narrow(number(4..6))?).map_err(|_| invalid())?;
    let date = time::Date::from_calendar_date(year, month, narrow(number(6..8))?)
        .map_err(|_| invalid())?;
    let time_of_day = time::Time::from_hms(
        narrow(number(9..11))?,
        narrow(number(12..14))?,
        narrow(number(15..17))?,
    )
    .map_err(|_| invalid())?;
    let unix_seconds = time::PrimitiveDateTime::new(date, time_of_day)
        .assume_utc()
        .unix_timestamp();
    system_time_from_unix(unix_seconds).ok_or_else(invalid)
}

/// The inverse of [`parse_cache_time`]; an instant beyond what four year digits can show is
/// clamped to the nearest one that can.
fn format_cache_time(time: SystemTime) -> String {
    let unix_seconds = match time.duration_since(UNIX_EPOCH) {
        Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
        Err(before) => i64::try_from(before.duration().as_secs()).map_or(i64::MIN, |secs| -secs),
    };
    let clamped = unix_seconds.clamp(CACHE_TIME_MIN, CACHE_TIME_MAX);
    match time::OffsetDateTime::from_unix_timestamp(clamped) {
        Ok(utc) => format!(
            "{:04}{:02}{:02} {:02}:{:02}:{:02}",
            utc.year(),
            u8::from(utc.month()),
            utc.day(),
            utc.hour(),
            utc.minute(),
            utc.second()
        ),
        // Unreachable: the clamp keeps the value inside the `time` crate's range.
        Err(_) => "99991231 23:59:59".to_owned(),
    }
}

/// `SystemTime` for Unix seconds, `None` where the platform's `SystemTime` cannot reach.
fn system_time_from_unix(unix_seconds: i64) -> Option<SystemTime> {
    let offset = Duration::from_secs(unix_seconds.unsigned_abs());
    if unix_seconds >= 0 {
        UNIX_EPOCH.checked_add(offset)
    } else {
        UNIX_EPOCH.checked_sub(offset)
    }
}

// ---------------------------------------------------------------------------------------------
// The embedded preload list
// ---------------------------------------------------------------------------------------------

/// Built by `examples/gen_preload.rs`; see the module doc for the layout.
static PRELOAD_FST: &[u8] = include_bytes!("../data/hsts_preload.fst");

/// The preload list, parsed on first use. Parsing reads only the fst's header and footer: the
/// map borrows the embedded bytes, nothing is copied or decompressed.
fn preload_list() -> &'static fst::Map<&'static [u8]> {
    static LIST: OnceLock<fst::Map<&'static [u8]>> = OnceLock::new();
    LIST.get_or_init(|| {
        // Not input: bytes fixed at build time, and `embedded_preload_list_loads` fails the
        // tests if they are not a valid fst.
        fst::Map::new(PRELOAD_FST).expect("data/hsts_preload.fst is a valid fst map")
    })
}

/// The preload entry covering `host` (normalized), exact name first, then parents from the
/// nearest. One `get` per label, each proportional to the key's length.
fn lookup_preload(host: &str) -> Option<Match> {
    let list = preload_list();
    // `www.example.com` → `com.example.www`: a host's suffix of n bytes that starts a label is
    // the key's prefix of n bytes, so parents are found by cutting the key at its dots.
    let key = host.rsplit('.').collect::<Vec<_>>().join(".");
    let mut end = key.len();
    let mut is_exact = true;
    loop {
        if let Some(flag) = list.get(&key[..end]) {
            let include_subdomains = flag == 1;
            if is_exact || include_subdomains {
                return Some(Match {
                    source: Source::Preload,
                    matched: host[host.len() - end..].to_owned(),
                    include_subdomains,
                });
            }
        }
        end = key[..end].rfind('.')?;
        is_exact = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(unix_seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(unix_seconds)
    }

    fn sts(max_age: u64, include_subdomains: bool, preload: bool) -> Sts {
        Sts {
            max_age,
            include_subdomains,
            preload,
        }
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    // --- parsing ---------------------------------------------------------------------------

    #[test]
    fn valid_headers() {
        #[rustfmt::skip]
        let table: &[(&str, u64, bool, bool)] = &[
            // header, max_age, include_subdomains, preload
            ("max-age=31536000", 31_536_000, false, false),
            ("max-age=0", 0, false, false),
            ("max-age=000123", 123, false, false),
            ("max-age=31536000; includeSubDomains", 31_536_000, true, false),
            ("max-age=31536000; includeSubDomains; preload", 31_536_000, true, true),
            ("preload; includeSubDomains; max-age=5", 5, true, true),
            // names are case-insensitive
            ("MAX-AGE=5; INCLUDESUBDOMAINS; PRELOAD", 5, true, true),
            ("Max-Age=5; includesubdomains", 5, true, false),
            // quoted max-age, with an escape
            ("max-age=\"31536000\"", 31_536_000, false, false),
            ("max-age=\"3\\1\"", 31, false, false),
            // whitespace around ';' and '=' and at the ends
            ("  max-age = 5 ;  includeSubDomains  ", 5, true, false),
            ("max-age=5\t;\tpreload", 5, false, true),
            ("max-age\t=\t\"5\"", 5, false, false),
            // empty directives
            ("max-age=1;;includeSubDomains", 1, true, false),
            // browsers ignore preload, so neither a repeat nor a value invalidates the header
            ("max-age=1; preload; PRELOAD", 1, false, true),
            ("max-age=1; preload=yes", 1, false, false),
            (";max-age=1;", 1, false, false),
            ("; ; max-age=1 ; ;", 1, false, false),
            // unknown directives are ignored, repeated or not, valueless or with any value
            ("max-age=1; report-uri=\"https://r.example/?a=1;b=2\"", 1, false, false),
            ("max-age=1; foo; foo; bar=baz; qux=\"a, b; c\"", 1, false, false),
            ("max-age=1; x-y=\"caf\u{e9}\"", 1, false, false),
            ("max-age=1; ext=\"\"", 1, false, false),
            // a quoted string may hold ',' and ';' and escaped quotes
            ("max-age=1; note=\"say \\\"hi\\\", then ; go\"", 1, false, false),
        ];
        for &(header, max_age, include_subdomains, preload) in table {
            assert_eq!(
                parse_sts(header),
                Ok(sts(max_age, include_subdomains, preload)),
                "header {header:?}"
            );
        }
    }

    #[test]
    fn invalid_headers() {
        use StsError::*;
        let syntax = |column, found: &str, expected| Syntax {
            column,
            found: found.to_owned(),
            expected,
        };
        let not_a_number = |value: &str| MaxAgeNotANumber {
            value: value.to_owned(),
        };
        #[rustfmt::skip]
        let table: Vec<(&str, StsError)> = vec![
            // missing max-age
            ("", MissingMaxAge),
            ("   ", MissingMaxAge),
            (";;", MissingMaxAge),
            ("includeSubDomains", MissingMaxAge),
            ("includeSubDomains; preload; maxage=5", MissingMaxAge),
            ("max-age", MaxAgeWithoutValue),
            ("max-age; includeSubDomains", MaxAgeWithoutValue),
            // non-digit values
            ("max-age=abc", not_a_number("abc")),
            ("max-age=-1", not_a_number("-1")),
            ("max-age=+1", not_a_number("+1")),
            ("max-age=1.5", not_a_number("1.5")),
            ("max-age=0x10", not_a_number("0x10")),
            ("max-age=\"\"", not_a_number("")),
            ("max-age=\" 5\"", not_a_number(" 5")),
            ("max-age=\"5 \"", not_a_number("5 ")),
            // repeated directives, in any case
            ("max-age=1; max-age=1", Repeated { directive: "max-age" }),
            ("max-age=1; MAX-AGE=2", Repeated { directive: "max-age" }),
            ("max-age=1; includeSubDomains; includesubdomains", Repeated { directive: "includeSubDomains" }),
            // flags take no value
            ("max-age=1; includeSubDomains=true", UnexpectedValue { directive: "includeSubDomains" }),
            ("max-age=1; includeSubDomains=\"\"", UnexpectedValue { directive: "includeSubDomains" }),
            // a comma as separator, anywhere
            ("max-age=1, includeSubDomains", CommaSeparator { column: 10 }),
            ("max-age=1,includeSubDomains", CommaSeparator { column: 10 }),
            ("max-age=1; includeSubDomains, preload", CommaSeparator { column: 29 }),
            (", max-age=1", CommaSeparator { column: 1 }),
            ("max-age=1; , preload", CommaSeparator { column: 12 }),
            // two STS headers folded into one by a proxy
            ("max-age=1, max-age=2", CommaSeparator { column: 10 }),
            // other syntax errors
            ("max-age=1 2", syntax(11, "'2'", "';' or the end of the header")),
            ("max-age=1; include SubDomains", syntax(20, "'S'", "';' or the end of the header")),
            ("max-age=", syntax(9, "end of header", "a value (a token or a quoted string)")),
            ("max-age=;", syntax(9, "';'", "a value (a token or a quoted string)")),
            ("max-age==1", syntax(9, "'='", "a value (a token or a quoted string)")),
            ("=1; max-age=1", syntax(1, "'='", "a directive name")),
            ("max-age=1; foo=", syntax(16, "end of header", "a value (a token or a quoted string)")),
            ("max-age=1; foo=a b", syntax(18, "'b'", "';' or the end of the header")),
            ("max-age=1; foo=bär", syntax(17, "'ä'", "';' or the end of the header")),
            ("max-age=1; \u{e9}", syntax(12, "'é'", "a directive name")),
            ("max-age=1; foo=\"a\"b", syntax(19, "'b'", "';' or the end of the header")),
            ("max-age=1\u{0}", syntax(10, "'\\0'", "';' or the end of the header")),
            ("max-age=1;\npreload", syntax(11, "'\\n'", "a directive name")),
            ("max-age=1; foo=\"a\u{7}\"", syntax(18, "'\\u{7}'", "a character allowed in a quoted string")),
            ("max-age=1; foo=\"\\\u{7}\"", syntax(18, "'\\u{7}'", "a visible character after '\\'")),
            ("max-age=1; foo=\"abc", UnterminatedQuotedString { column: 16 }),
            ("max-age=1; foo=\"abc\\\"", UnterminatedQuotedString { column: 16 }),
            ("max-age=1; foo=\"abc\\", UnterminatedQuotedString { column: 16 }),
            ("max-age=\"5", UnterminatedQuotedString { column: 9 }),
            // the first problem in reading order is the one reported
            ("max-age=x; max-age=1", not_a_number("x")),
            ("max-age=1; max-age=x", Repeated { directive: "max-age" }),
        ];
        for (header, expected) in table {
            assert_eq!(parse_sts(header), Err(expected), "header {header:?}");
        }
    }

    #[test]
    fn huge_max_age_saturates_and_is_capped() {
        for header in [
            "max-age=18446744073709551615",
            "max-age=18446744073709551616",
            "max-age=99999999999999999999999999999999999999999999999999",
            "max-age=\"99999999999999999999999999999999999999999999999999\"",
        ] {
            let parsed = parse_sts(header).unwrap();
            assert_eq!(parsed.max_age, u64::MAX, "header {header:?}");
            assert_eq!(parsed.effective_max_age(), MAX_AGE_CAP);
        }
        assert_eq!(
            parse_sts("max-age=18446744073709551614").unwrap().max_age,
            u64::MAX - 1
        );
        for (max_age, effective) in [
            (0, 0),
            (1, 1),
            (MAX_AGE_CAP - 1, MAX_AGE_CAP - 1),
            (MAX_AGE_CAP, MAX_AGE_CAP),
            (MAX_AGE_CAP + 1, MAX_AGE_CAP),
            (63_072_000, MAX_AGE_CAP),
        ] {
            assert_eq!(sts(max_age, false, false).effective_max_age(), effective);
        }
    }

    #[test]
    fn error_messages_read_well() {
        let message = |header: &str| parse_sts(header).unwrap_err().to_string();
        assert_eq!(message("includeSubDomains"), "max-age is missing");
        assert_eq!(
            message("max-age=1; includeSubDomains; includeSubDomains"),
            "directive includeSubDomains appears more than once"
        );
        assert_eq!(
            message("max-age=abc"),
            "max-age value \"abc\" is not a number"
        );
        assert_eq!(
            message("max-age=1, includeSubDomains"),
            "unexpected ',' at column 10 — directives are separated by ';'"
        );
        assert_eq!(
            message("max-age=1; includeSubDomains=yes"),
            "directive includeSubDomains takes no value"
        );
        assert_eq!(
            message("max-age=1 2"),
            "unexpected '2' at column 11: expected ';' or the end of the header"
        );
        assert_eq!(
            message("max-age=\"1"),
            "the quoted string opened at column 9 is never closed"
        );
        assert_eq!(message("max-age"), "max-age has no value");
        assert_eq!(
            first_sts(&[b"max-age=\xff"])
                .unwrap()
                .unwrap_err()
                .to_string(),
            "the header value is not valid UTF-8"
        );
    }

    #[test]
    fn only_the_first_sts_header_counts() {
        let valid: &[u8] = b"max-age=10";
        let other_valid: &[u8] = b"max-age=20; includeSubDomains";
        let invalid: &[u8] = b"max-age=ten";
        let not_utf8: &[u8] = b"max-age=1; x=\"\xe9\"";
        assert_eq!(first_sts(&[]), None);
        assert_eq!(first_sts(&[valid]), Some(Ok(sts(10, false, false))));
        assert_eq!(
            first_sts(&[valid, other_valid]),
            Some(Ok(sts(10, false, false)))
        );
        assert_eq!(
            first_sts(&[valid, invalid]),
            Some(Ok(sts(10, false, false)))
        );
        assert!(matches!(
            first_sts(&[invalid, valid]),
            Some(Err(StsError::MaxAgeNotANumber { .. }))
        ));
        assert_eq!(first_sts(&[not_utf8, valid]), Some(Err(StsError::NotUtf8)));
    }

    #[test]
    fn preload_eligibility_lists_every_gap() {
        assert!(preload_eligibility(&sts(31_536_000, true, true)).is_empty());
        assert!(preload_eligibility(&sts(63_072_000, true, true)).is_empty());
        let problems = preload_eligibility(&sts(300, false, false));
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert!(problems[0].contains("max-age is 300") && problems[0].contains("31536000"));
        assert!(problems[1].contains("includeSubDomains"));
        assert!(problems[2].contains("preload"));
        assert_eq!(preload_eligibility(&sts(31_535_999, true, true)).len(), 1);
        assert_eq!(
            preload_eligibility(&sts(31_536_000, false, true)),
            vec!["includeSubDomains is missing: the preload list requires it".to_owned()]
        );
    }

    // --- hosts and upgrades ------------------------------------------------------------------

    #[test]
    fn host_normalization() {
        #[rustfmt::skip]
        let table: &[(&str, Option<&str>)] = &[
            ("example.com", Some("example.com")),
            ("EXAMPLE.com", Some("example.com")),
            ("example.com.", Some("example.com")),
            ("Example.COM.", Some("example.com")),
            ("example.com..", None), // only one trailing dot is stripped
            ("www.example.com", Some("www.example.com")),
            ("dev", Some("dev")),
            ("b\u{fc}cher.example", Some("xn--bcher-kva.example")),
            ("B\u{dc}CHER.example.", Some("xn--bcher-kva.example")),
            ("xn--bcher-kva.example", Some("xn--bcher-kva.example")),
            ("\u{4f8b}\u{5b50}.\u{4e9a}\u{9a6c}\u{900a}", Some("xn--fsqu00a.xn--jlq480n2rg")),
            ("stra\u{df}e.de", Some("xn--strae-oqa.de")),
            ("under_score.example", Some("under_score.example")),
            // IP literals
            ("127.0.0.1", None),
            ("127.0.0.1.", None),
            ("1.0.0.1", None),
            ("127.1", None),
            ("0x7f.0.0.1", None),
            ("[::1]", None),
            ("[2001:db8::1]", None),
            ("::1", None),
            ("2001:db8::1", None),
            // localhost
            ("localhost", None),
            ("LOCALHOST", None),
            ("localhost.", None),
            ("app.localhost", None),
            ("a.b.localhost.", None),
            ("localhost.example", Some("localhost.example")),
            ("notlocalhost", Some("notlocalhost")),
            // not DNS names
            ("", None),
            (".", None),
            ("..", None),
            (".example.com", None),
            ("a..b", None),
            ("exa mple.com", None),
            ("example.com:443", None),
            ("xn--", None),
        ];
        for &(host, expected) in table {
            assert_eq!(normalize_host(host).as_deref(), expected, "host {host:?}");
        }
        let long_label = "a".repeat(64);
        assert_eq!(normalize_host(&format!("{long_label}.com")), None);
        assert!(normalize_host(&format!("{}.com", "a".repeat(63))).is_some());
        let long_name = vec!["abcdefghi"; 26].join("."); // 259 bytes
        assert_eq!(normalize_host(&long_name), None);
    }

    #[test]
    fn upgrades() {
        #[rustfmt::skip]
        let table: &[(&str, Option<&str>)] = &[
            ("http://example.com/", Some("https://example.com/")),
            ("http://example.com:80/a?b#c", Some("https://example.com/a?b#c")),
            ("http://example.com:8080/", Some("https://example.com:8080/")),
            ("http://example.com:443/", Some("https://example.com/")),
            ("http://user:pw@example.com/p", Some("https://user:pw@example.com/p")),
            ("http://b\u{fc}cher.example/", Some("https://xn--bcher-kva.example/")),
            ("https://example.com/", None),
            ("https://example.com:8443/", None),
            ("ftp://example.com/", None),
        ];
        for &(from, to) in table {
            assert_eq!(
                upgrade(&url(from)).map(String::from).as_deref(),
                to,
                "url {from}"
            );
        }
    }

    // --- the store ---------------------------------------------------------------------------

    #[test]
    fn observe_actions() {
        let now = at(1_000_000);
        let mut store = HstsStore::new(false);
        assert_eq!(
            store.observe("example.com", &sts(100, false, false), now),
            Action::Noted
        );
        assert_eq!(
            store.observe("EXAMPLE.com.", &sts(200, true, false), now),
            Action::Updated
        );
        assert_eq!(
            store.lookup("a.example.com", now).map(|m| m.matched),
            Some("example.com".to_owned())
        );
        assert_eq!(
            store.observe("example.com", &sts(0, false, false), now),
            Action::Removed
        );
        assert_eq!(store.lookup("example.com", now), None);
        assert_eq!(
            store.observe("example.com", &sts(0, true, false), now),
            Action::None
        );
        for host in ["127.0.0.1", "[::1]", "localhost", "x.localhost", "", "a..b"] {
            assert_eq!(
                store.observe(host, &sts(100, true, false), now),
                Action::NotApplicable,
                "host {host:?}"
            );
        }
        assert_eq!(store.cache_text(), CACHE_HEADER);
    }

    #[test]
    fn max_age_zero_removes_only_the_exact_entry() {
        let now = at(1_000_000);
        let mut store = HstsStore::new(false);
        store.observe("example.com", &sts(100, true, false), now);
        store.observe("www.example.com", &sts(100, false, false), now);
        assert_eq!(
            store.observe("www.example.com", &sts(0, false, false), now),
            Action::Removed
        );
        // The parent's includeSubDomains still covers the host.
        assert_eq!(
            store.lookup("www.example.com", now).map(|m| m.matched),
            Some("example.com".to_owned())
        );
        // And max-age=0 on a covered subdomain with no entry of its own removes nothing.
        assert_eq!(
            store.observe("api.example.com", &sts(0, false, false), now),
            Action::None
        );
        assert!(store.lookup("api.example.com", now).is_some());
    }

    #[test]
    fn an_expired_entry_is_gone() {
        let noted_at = at(1_000_000);
        let mut store = HstsStore::new(false);
        store.observe("example.com", &sts(100, false, false), noted_at);
        assert!(store.lookup("example.com", at(1_000_100)).is_some());
        assert_eq!(store.lookup("example.com", at(1_000_101)), None);
        // Seen again after expiry: noted anew, not updated; max-age=0 then has nothing live.
        assert_eq!(
            store.observe("example.com", &sts(100, false, false), at(2_000_000)),
            Action::Noted
        );
        assert_eq!(
            store.observe("example.com", &sts(0, false, false), at(3_000_000)),
            Action::None
        );
    }

    #[test]
    fn the_stored_max_age_is_capped_at_one_year() {
        let now = at(1_000_000);
        let mut store = HstsStore::new(false);
        store.observe("example.com", &sts(u64::MAX, false, false), now);
        assert!(
            store
                .lookup("example.com", at(1_000_000 + MAX_AGE_CAP))
                .is_some()
        );
        assert_eq!(
            store.lookup("example.com", at(1_000_000 + MAX_AGE_CAP + 1)),
            None
        );
        // Near the end of SystemTime's range, the expiry saturates instead of panicking.
        let far = UNIX_EPOCH + Duration::from_secs(i64::MAX as u64 - 10);
        assert_eq!(
            store.observe("far.example", &sts(MAX_AGE_CAP, false, false), far),
            Action::Noted
        );
        assert!(store.lookup("far.example", far).is_some());
    }

    #[test]
    fn lookup_matching_rules() {
        let now = at(1_000_000);
        let mut store = HstsStore::new(false);
        store.observe("sub.example.com", &sts(100, true, false), now);
        store.observe("exact.example.org", &sts(100, false, false), now);
        #[rustfmt::skip]
        let table: &[(&str, Option<(&str, bool)>)] = &[
            // host, (matched, include_subdomains)
            ("sub.example.com", Some(("sub.example.com", true))),
            ("SUB.Example.com.", Some(("sub.example.com", true))),
            ("a.sub.example.com", Some(("sub.example.com", true))),
            ("a.b.c.sub.example.com", Some(("sub.example.com", true))),
            ("example.com", None), // a subdomain's entry never covers its parent
            ("othersub.example.com", None),
            ("xsub.example.com", None), // a suffix that is not a label boundary
            ("exact.example.org", Some(("exact.example.org", false))),
            ("www.exact.example.org", None),
            ("127.0.0.1", None),
        ];
        for &(host, expected) in table {
            let found = store
                .lookup(host, now)
                .map(|m| (m.matched, m.include_subdomains));
            assert_eq!(
                found,
                expected.map(|(name, flag)| (name.to_owned(), flag)),
                "host {host:?}"
            );
        }
        // The nearest applicable entry wins: an exact-only entry does not hide a parent's
        // includeSubDomains entry from a deeper host.
        store.observe("example.com", &sts(100, true, false), now);
        store.observe("mid.example.com", &sts(100, false, false), now);
        assert_eq!(
            store.lookup("deep.mid.example.com", now).unwrap().matched,
            "example.com"
        );
        assert_eq!(
            store.lookup("mid.example.com", now).unwrap().matched,
            "mid.example.com"
        );
    }

    #[test]
    fn learned_entries_come_before_the_preload_list() {
        let now = at(1_000_000);
        let mut store = HstsStore::new(true);
        let preloaded = store.lookup("github.com", now).unwrap();
        assert_eq!(preloaded.source, Source::Preload);
        store.observe("github.com", &sts(100, false, false), now);
        assert_eq!(
            store.lookup("github.com", now).unwrap().source,
            Source::Chain
        );
        // The learned entry is exact-only, so a subdomain falls through to the preload list.
        assert_eq!(
            store.lookup("api.github.com", now).unwrap().source,
            Source::Preload
        );
        // max-age=0 removes the learned entry; the preloaded one stays.
        assert_eq!(
            store.observe("github.com", &sts(0, false, false), now),
            Action::Removed
        );
        assert_eq!(
            store.observe("github.com", &sts(0, false, false), now),
            Action::None
        );
        assert_eq!(store.lookup("github.com", now), Some(preloaded));
        // --no-preload
        assert_eq!(HstsStore::new(false).lookup("github.com", now), None);
    }

    #[test]
    fn sources_are_named() {
        assert_eq!(
            Source::Chain.to_string(),
            "a header seen earlier in this run"
        );
        assert_eq!(Source::CacheFile.to_string(), "the HSTS cache file");
        assert_eq!(Source::Preload.to_string(), "the Chromium preload list");
    }

    // --- the cache file ----------------------------------------------------------------------

    /// 2025-01-01 00:00:00 UTC.
    const JAN_2025: u64 = 1_735_689_600;

    #[test]
    fn cache_time_format() {
        #[rustfmt::skip]
        let table: &[(&str, Option<i64>)] = &[
            ("19700101 00:00:00", Some(0)),
            ("20250101 00:00:00", Some(JAN_2025 as i64)),
            ("20241231 23:59:59", Some(JAN_2025 as i64 - 1)),
            ("20240229 12:00:00", Some(1_709_208_000)),
            ("19691231 23:59:59", Some(-1)),
            ("99991231 23:59:59", Some(CACHE_TIME_MAX)),
            ("00000101 00:00:00", Some(CACHE_TIME_MIN)),
            ("20250229 00:00:00", None), // not a leap year
            ("20251301 00:00:00", None),
            ("20250100 00:00:00", None),
            ("20250101 24:00:00", None),
            ("20250101 00:60:00", None),
            ("20250101 00:00:60", None),
            ("2025-01-01 00:00:00", None),
            ("20250101T00:00:00", None),
            ("20250101 0:00:00", None),
            ("20250101 00:00:00Z", None),
            ("+0250101 00:00:00", None),
            ("", None),
            ("unlimited", None),
        ];
        for &(text, expected) in table {
            let parsed = parse_cache_time(text).ok();
            assert_eq!(
                parsed,
                expected.and_then(system_time_from_unix),
                "time {text:?}"
            );
            if let Some(time) = parsed {
                assert_eq!(format_cache_time(time), text, "round trip of {text:?}");
            }
        }
        // Beyond four year digits: clamped, never a panic.
        assert_eq!(
            format_cache_time(UNIX_EPOCH + Duration::from_secs(u64::from(u32::MAX) * 1000)),
            "99991231 23:59:59"
        );
        assert_eq!(
            format_cache_time(UNIX_EPOCH - Duration::from_secs(70_000_000_000)),
            "00000101 00:00:00"
        );
    }

    #[test]
    fn load_cache_reads_curls_format() {
        let now = at(JAN_2025);
        let text = "\
# Your HSTS cache. https://curl.se/docs/hsts.html
# This file was generated by libcurl! Edit at your own risk.
example.com \"20250601 10:00:00\"
.sub.example.org \"unlimited\"

   # an indented comment
  Spaced.Example.NET.   \"20991231 23:59:59\"  \r
b\u{fc}cher.example \"20250601 10:00:00\"
old.example \"20240101 00:00:00\"
just-now.example \"20250101 00:00:00\"
example.com \"20260101 00:00:00\"
example.com \"20250201 00:00:00\"
no-date.example
bad-date.example \"2025-06-01\"
unquoted.example 20250601 10:00:00
two.example \"20250601 10:00:00\" \"20250601 10:00:00\"
127.0.0.1 \"unlimited\"
.localhost \"unlimited\"
[::1] \"unlimited\"
..double.example \"unlimited\"
";
        let mut store = HstsStore::new(false);
        let report = store.load_cache(text, now);
        assert_eq!(report.loaded, 5, "{report:?}");
        assert_eq!(report.expired, 1);
        let skipped_lines: Vec<usize> = report.skipped.iter().map(|s| s.line).collect();
        assert_eq!(
            skipped_lines,
            [13, 14, 15, 16, 17, 18, 19, 20],
            "{report:?}"
        );
        assert!(report.skipped[1].reason.contains("\"2025-06-01\""));
        assert!(report.skipped[4].reason.contains("\"127.0.0.1\""));

        let lookup = |host: &str| store.lookup(host, now).map(|m| (m.source, m.matched));
        let from_file = |name: &str| Some((Source::CacheFile, name.to_owned()));
        assert_eq!(lookup("example.com"), from_file("example.com"));
        assert_eq!(lookup("www.example.com"), None);
        assert_eq!(lookup("a.sub.example.org"), from_file("sub.example.org"));
        assert_eq!(
            lookup("spaced.example.net"),
            from_file("spaced.example.net")
        );
        assert_eq!(
            lookup("xn--bcher-kva.example"),
            from_file("xn--bcher-kva.example")
        );
        assert_eq!(lookup("just-now.example"), from_file("just-now.example"));
        assert_eq!(lookup("old.example"), None);
        // example.com was listed three times: the latest expiry wins.
        assert!(store.lookup("example.com", at(1_767_225_600)).is_some());
        assert_eq!(store.lookup("example.com", at(1_767_225_601)), None);

        assert_eq!(
            store.cache_text(),
            format!(
                "{CACHE_HEADER}\
                 example.com \"20260101 00:00:00\"\n\
                 just-now.example \"20250101 00:00:00\"\n\
                 spaced.example.net \"20991231 23:59:59\"\n\
                 .sub.example.org \"unlimited\"\n\
                 xn--bcher-kva.example \"20250601 10:00:00\"\n"
            )
        );
    }

    #[test]
    fn cache_text_merges_the_file_and_the_chain() {
        let now = at(JAN_2025);
        let mut store = HstsStore::new(true);
        store.load_cache(
            "file-only.example \"20250601 00:00:00\"\nrefreshed.example \"20250102 00:00:00\"\n",
            now,
        );
        assert_eq!(
            store.observe("refreshed.example", &sts(86_400 * 2, true, false), now),
            Action::Updated
        );
        assert_eq!(
            store.lookup("refreshed.example", now).unwrap().source,
            Source::Chain
        );
        store.observe("chain.example", &sts(60, false, false), now);
        // A preloaded host is written only when it was learned, never from the list itself.
        assert!(store.lookup("github.com", now).is_some());
        assert_eq!(
            store.cache_text(),
            format!(
                "{CACHE_HEADER}\
                 chain.example \"20250101 00:01:00\"\n\
                 file-only.example \"20250601 00:00:00\"\n\
                 .refreshed.example \"20250103 00:00:00\"\n"
            )
        );

        // What is written reads back the same.
        let mut reread = HstsStore::new(false);
        let report = reread.load_cache(&store.cache_text(), now);
        assert_eq!(
            (report.loaded, report.expired, report.skipped.len()),
            (3, 0, 0)
        );
        assert_eq!(reread.cache_text(), store.cache_text());
    }

    #[test]
    fn save_cache_replaces_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hsts.txt");
        let now = at(JAN_2025);
        let mut store = HstsStore::new(false);
        store.observe("one.example", &sts(60, false, false), now);
        store.save_cache(&path).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), store.cache_text());

        store.observe("two.example", &sts(60, true, false), now);
        store.save_cache(&path).unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), store.cache_text());
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name())
            .collect();
        assert_eq!(names, ["hsts.txt"], "no temporary file is left behind");

        // A directory in the way is an error, and leaves no temporary file either.
        let blocked = dir.path().join("blocked");
        fs::create_dir(&blocked).unwrap();
        fs::write(blocked.join("keep"), "x").unwrap();
        assert!(store.save_cache(&blocked).is_err());
        // A path in a directory that does not exist is an error, not a panic.
        assert!(
            store
                .save_cache(&dir.path().join("missing/hsts.txt"))
                .is_err()
        );
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 2);
    }

    #[cfg(unix)]
    #[test]
    fn save_cache_keeps_links_permissions_and_devices() {
        use std::os::unix::fs::{PermissionsExt, symlink};
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.txt");
        let link = dir.path().join("link.txt");
        fs::write(&real, "old").unwrap();
        fs::set_permissions(&real, fs::Permissions::from_mode(0o600)).unwrap();
        symlink(&real, &link).unwrap();

        let mut store = HstsStore::new(false);
        store.observe("example.com", &sts(60, false, false), at(JAN_2025));
        store.save_cache(&link).unwrap();
        assert!(
            fs::symlink_metadata(&link)
                .unwrap()
                .file_type()
                .is_symlink()
        );
        assert_eq!(fs::read_to_string(&real).unwrap(), store.cache_text());
        let mode = fs::metadata(&real).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);

        store.save_cache(Path::new("/dev/null")).unwrap();
    }

    // --- the embedded preload list -----------------------------------------------------------

    #[test]
    fn embedded_preload_list_loads() {
        assert!(preload_list().len() > 50_000, "{}", preload_list().len());
    }

    #[test]
    fn preload_spot_checks() {
        let now = SystemTime::now();
        let store = HstsStore::new(true);
        let lookup = |host: &str| {
            store
                .lookup(host, now)
                .map(|m| (m.source, m.matched, m.include_subdomains))
        };
        let preloaded =
            |name: &str, subdomains| Some((Source::Preload, name.to_owned(), subdomains));
        // include_subdomains=1: the name and everything under it
        assert_eq!(lookup("github.com"), preloaded("github.com", true));
        assert_eq!(lookup("api.github.com"), preloaded("github.com", true));
        assert_eq!(lookup("A.B.GitHub.com."), preloaded("github.com", true));
        // include_subdomains=0: the exact name only
        assert_eq!(lookup("paypal.com"), preloaded("paypal.com", false));
        assert_eq!(lookup("history.paypal.com"), None);
        assert_eq!(lookup("www.paypal.com"), preloaded("www.paypal.com", false));
        // the nearest entry: session.bbc.co.uk (=1) under bbc.co.uk (=0)
        assert_eq!(lookup("bbc.co.uk"), preloaded("bbc.co.uk", false));
        assert_eq!(lookup("news.bbc.co.uk"), None);
        assert_eq!(
            lookup("x.session.bbc.co.uk"),
            preloaded("session.bbc.co.uk", true)
        );
        // a whole gTLD, including an IDN one
        assert_eq!(lookup("dev"), preloaded("dev", true));
        assert_eq!(lookup("anything.dev"), preloaded("dev", true));
        assert_eq!(lookup("a.b.c.anything.dev"), preloaded("dev", true));
        assert_eq!(
            lookup("\u{4f8b}\u{5b50}.\u{4e9a}\u{9a6c}\u{900a}"),
            preloaded("xn--jlq480n2rg", true)
        );
        // not listed
        assert_eq!(lookup("example.com"), None);
        assert_eq!(lookup("devx"), None);
        assert_eq!(lookup("com"), None);
        // 1.0.0.1 is in Chromium's list, but an IP address is never an HSTS host here.
        assert_eq!(lookup("1.0.0.1"), None);
    }

    /// Every entry of the TSV the fst was built from is found with its flag, and the counts
    /// agree; this is also what checks that `examples/gen_preload.rs` and `lookup_preload`
    /// agree on the key layout. Skipped when the shared TSV is not checked out next to the repo.
    #[test]
    fn preload_list_matches_the_tsv() {
        let tsv_path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/data/hsts_preload.tsv"
        );
        let Ok(tsv) = fs::read_to_string(tsv_path) else {
            return;
        };
        let mut entries = 0;
        for line in tsv.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let (name, flag) = line.split_once('\t').unwrap();
            entries += 1;
            if name == "1.0.0.1" {
                continue; // an IP address: listed, but never looked up (see the spot checks)
            }
            let found = lookup_preload(name);
            assert_eq!(
                found,
                Some(Match {
                    source: Source::Preload,
                    matched: name.to_owned(),
                    include_subdomains: flag == "1",
                }),
                "entry {name}"
            );
        }
        assert_eq!(preload_list().len(), entries);
        assert_eq!(entries, 94_600);
    }

    #[test]
    fn ten_thousand_lookups_run() {
        let store = HstsStore::new(true);
        let now = SystemTime::now();
        let hosts = [
            "www.github.com",
            "example.com",
            "a.b.c.d.e.f.anything.dev",
            "history.paypal.com",
            "no-such-host.invalid",
        ];
        let found = (0..10_000)
            .filter(|i| store.lookup(hosts[i % hosts.len()], now).is_some())
            .count();
        assert_eq!(found, 4_000);
    }

    // --- odd input never panics -----------------------------------------------------------

    /// A small deterministic generator (xorshift), so the odd strings are the same every run.
    struct Odd(u64);

    impl Odd {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        fn string(&mut self, pieces: &[&str], max_pieces: u64) -> String {
            let count = self.next() % (max_pieces + 1);
            (0..count)
                .map(|_| pieces[(self.next() % pieces.len() as u64) as usize])
                .collect()
        }
    }

    #[test]
    fn odd_headers_never_panic() {
        let pieces = [
            "max-age",
            "MAX-AGE",
            "=",
            "\"",
            "\\",
            ";",
            ",",
            " ",
            "\t",
            "0",
            "1",
            "31536000",
            "99999999999999999999999",
            "includeSubDomains",
            "preload",
            "x",
            "\u{e9}",
            "\u{0}",
            "\u{7f}",
            "\r\n",
            "\u{1F600}",
            "'",
            "(",
            ")",
        ];
        let mut odd = Odd(0x9e37_79b9_7f4a_7c15);
        let mut valid = 0;
        for _ in 0..50_000 {
            let header = odd.string(&pieces, 10);
            if let Ok(parsed) = parse_sts(&header) {
                valid += 1;
                assert!(parsed.effective_max_age() <= MAX_AGE_CAP);
                let _ = preload_eligibility(&parsed);
            } else {
                // Every error renders as a message.
                assert!(!parse_sts(&header).unwrap_err().to_string().is_empty());
            }
        }
        assert!(valid > 0, "the generator should hit some valid headers");
        for byte in 0..=255u8 {
            for template in [&b"max-age=1; x=\"?\""[..], b"max-age=1?", b"?max-age=1"] {
                let raw: Vec<u8> = template
                    .iter()
                    .map(|&b| if b == b'?' { byte } else { b })
                    .collect();
                let _ = first_sts(&[&raw]);
            }
        }
    }

    #[test]
    fn odd_hosts_and_cache_lines_never_panic() {
        let host_pieces = [
            "a",
            "B",
            ".",
            "..",
            "-",
            "_",
            "[",
            "]",
            ":",
            "xn--",
            "localhost",
            "1",
            "0x",
            "%",
            "%2e",
            "\u{e9}",
            "\u{df}",
            "\u{4e9a}",
            " ",
            "\u{0}",
            "\u{200d}",
            "\u{ff0e}",
            "#",
            "@",
            "dev",
            "github",
            "com",
        ];
        let line_pieces = [
            "example.com",
            ".",
            " ",
            "\t",
            "\"",
            "unlimited",
            "20250101",
            "00:00:00",
            "9999",
            "#",
            "\u{e9}",
            "\n",
            "\r",
            "x",
        ];
        let mut odd = Odd(0x2545_f491_4f6c_dd1d);
        let now = at(JAN_2025);
        let mut store = HstsStore::new(true);
        for _ in 0..20_000 {
            let host = odd.string(&host_pieces, 8);
            if let Some(normal) = normalize_host(&host) {
                assert_eq!(
                    normalize_host(&normal).as_deref(),
                    Some(normal.as_str()),
                    "normalizing {host:?} is idempotent"
                );
            }
            let _ = store.lookup(&host, now);
            let _ = store.observe(&host, &sts(60, true, false), now);
            if let Ok(url) = Url::parse(&format!("http://{host}/")) {
                let _ = upgrade(&url);
            }
            let _ = store.load_cache(&odd.string(&line_pieces, 12), now);
        }
        let _ = store.cache_text();
    }
}
