//! The `Strict-Transport-Security` header: parsing it as browsers do ([`parse_sts`],
//! [`first_sts`]), and what the preload list asks of it ([`preload_eligibility`]).
//!
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

/// Chromium stores at most one year of HSTS (`kMaxHSTSAgeSecs`), whatever max-age says.
pub const MAX_AGE_CAP: u64 = 31_536_000;

/// The max-age hstspreload.org requires before it accepts a domain for the preload list (one
/// year; the same number as [`MAX_AGE_CAP`] by coincidence of policy, not by definition).
pub const PRELOAD_MIN_MAX_AGE: u64 = 31_536_000;

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

#[cfg(test)]
mod tests {
    use super::super::tests::{Odd, sts};
    use super::*;

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
}
