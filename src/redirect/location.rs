//! Reading `Location`: picking one value out of several, decoding its bytes, resolving it with
//! the WHATWG URL parser, refusing what cannot be followed and warning where parsers disagree
//! (docs/rules.md §2).

use url::Url;

use super::request::wire_url;
use crate::model::{Redactor, Warning, WarningCode, abbreviate};

/// The longest URL the HTTP library can send: `http::Uri` refuses anything over `u16::MAX - 1`
/// bytes ("Parsed Url is not a valid Uri"), and reqwest parses the whole URL into one
/// (docs/rules.md §2.8).
pub const MAX_URL_BYTES: usize = u16::MAX as usize - 1;

/// Why a `Location` cannot be followed. Each is a hard stop for the chain (exit code 5).
///
/// The values are kept as received (escaped, [`escape_bytes`]); the message redacts the password
/// of every URL in each of them, always: messages are what gets pasted into a ticket.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocationError {
    #[error(
        "{} Location headers with different values ({}): refusing to guess",
        .values.len(),
        redacted_list(.values)
    )]
    Conflicting { values: Vec<String> },
    #[error("empty Location header")]
    Empty,
    #[error("Location {} cannot be parsed as a URL: {reason}", redacted(.raw))]
    Unparseable { raw: String, reason: String },
    #[error(
        "Location {} has scheme {scheme}: only http and https are followed",
        redacted(.raw)
    )]
    RefusedScheme { raw: String, scheme: String },
    #[error(
        "Location leads to a URL of {url_bytes} bytes, over the {MAX_URL_BYTES} bytes the HTTP \
         library can send: {}",
        abbreviate(&redacted(.raw))
    )]
    TooLong { raw: String, url_bytes: usize },
}

/// A raw value as a message shows it: every URL password masked.
fn redacted(raw: &str) -> String {
    Redactor::default().text(raw)
}

/// Several raw values, each redacted on its own, comma-separated.
fn redacted_list(values: &[String]) -> String {
    let shown: Vec<String> = values.iter().map(|v| redacted(v)).collect();
    shown.join(", ")
}

/// The one `Location` value to follow out of all the fields a response carried.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PickedLocation<'a> {
    pub raw: &'a [u8],
    pub repeated: usize,
}

/// Picks the `Location` to follow: none, one, identical repeats (followed, with a warning), or
/// different values (an error: Chromium and curl refuse rather than guess).
pub fn pick_location<'a>(values: &[&'a [u8]]) -> Result<Option<PickedLocation<'a>>, LocationError> {
    let Some(first) = values.first() else {
        return Ok(None);
    };
    if values
        .iter()
        .any(|v| trim_http_whitespace(v) != trim_http_whitespace(first))
    {
        return Err(LocationError::Conflicting {
            values: values.iter().map(|v| escape_bytes(v)).collect(),
        });
    }
    Ok(Some(PickedLocation {
        raw: first,
        repeated: values.len(),
    }))
}

/// A `Location` resolved against the URL of the response that carried it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedLocation {
    pub url: Url,
    pub warnings: Vec<Warning>,
}

/// Reads a raw `Location` value and resolves it with the WHATWG URL parser.
pub fn resolve_location(raw: &[u8], base: &Url) -> Result<ResolvedLocation, LocationError> {
    let trimmed = trim_http_whitespace(raw);
    if trimmed.is_empty() {
        return Err(LocationError::Empty);
    }
    let mut warnings = Vec::new();
    let decoded = decode_location_bytes(trimmed);
    if std::str::from_utf8(trimmed).is_err() {
        warnings.push(Warning::new(
            WarningCode::LocationNotUtf8,
            "Location has bytes that are not UTF-8: they were percent-encoded as received",
        ));
    }
    let mut url = base
        .join(&decoded)
        .map_err(|err| LocationError::Unparseable {
            raw: escape_bytes(raw),
            reason: err.to_string(),
        })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(LocationError::RefusedScheme {
            raw: escape_bytes(raw),
            scheme: url.scheme().to_owned(),
        });
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(LocationError::Unparseable {
            raw: escape_bytes(raw),
            reason: "no host".into(),
        });
    }
    let url_bytes = sent_length(&url);
    if url_bytes > MAX_URL_BYTES {
        return Err(LocationError::TooLong {
            raw: decoded,
            url_bytes,
        });
    }
    // Fetch "location URL": a Location without a fragment inherits the request's fragment.
    if url.fragment().is_none() && base.fragment().is_some() {
        url.set_fragment(base.fragment());
    }
    warnings.extend(risky_location_warnings(trimmed, base, &url));
    Ok(ResolvedLocation { url, warnings })
}

/// The length of `url` as it is sent: without its fragment and userinfo, which never go out.
fn sent_length(url: &Url) -> usize {
    wire_url(url).as_str().len()
}

/// Spaces and tabs around a field value are not part of it (RFC 9110 §5.5).
fn trim_http_whitespace(value: &[u8]) -> &[u8] {
    let is_ws = |b: &u8| *b == b' ' || *b == b'\t';
    let start = value.iter().position(|b| !is_ws(b)).unwrap_or(value.len());
    let end = value
        .iter()
        .rposition(|b| !is_ws(b))
        .map_or(start, |i| i + 1);
    &value[start..end]
}

/// Decodes a header value as UTF-8, percent-encoding each byte that is not part of valid UTF-8,
/// which is what browsers do with raw `Location` bytes. Hand-written: `String::from_utf8_lossy`
/// would replace such bytes with U+FFFD and lose them.
pub fn decode_location_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for byte in chunk.invalid() {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Shows header bytes exactly, escaping what is not printable ASCII, inside double quotes.
pub fn escape_bytes(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push('"');
    for &b in bytes {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\t' => out.push_str("\\t"),
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02X}")),
        }
    }
    out.push('"');
    out
}

fn risky_location_warnings(raw: &[u8], base: &Url, resolved: &Url) -> Vec<Warning> {
    let mut warnings = Vec::new();
    if raw.contains(&b'\\') {
        warnings.push(Warning::new(
            WarningCode::LocationBackslash,
            "Location contains a backslash: browsers read it as '/', other parsers do not",
        ));
    }
    if raw.iter().any(|b| b.is_ascii_control()) {
        warnings.push(Warning::new(
            WarningCode::LocationControlChars,
            "Location contains control characters: the URL parser removed tabs and newlines",
        ));
    }
    if raw.starts_with(b"//") {
        warnings.push(Warning::new(
            WarningCode::LocationSchemeRelative,
            format!(
                "Location is scheme-relative (//host): it goes to host {} over {}",
                resolved.host_str().unwrap_or_default(),
                resolved.scheme()
            ),
        ));
    }
    let rfc3986_host = rfc3986_target_host(raw, base);
    let whatwg_host = resolved.host_str().unwrap_or_default().to_ascii_lowercase();
    if rfc3986_host.as_deref() != Some(whatwg_host.as_str()) {
        warnings.push(Warning::new(
            WarningCode::LocationParserMismatch,
            format!(
                "browsers send this Location to host {whatwg_host}, but an RFC 3986 parser would go to {}",
                rfc3986_host.map_or_else(|| "no host at all".to_owned(), |h| format!("host {h}"))
            ),
        ));
    }
    if base.scheme() == "https" && resolved.scheme() == "http" {
        warnings.push(Warning::new(
            WarningCode::HttpsDowngrade,
            "redirect from https to http: the next request and its answer travel in clear text",
        ));
    }
    warnings
}

/// The host a strict RFC 3986 resolver would reach for `raw`. Only used to warn about
/// references that browsers and other tools resolve to different hosts (`/\evil`, `https:evil`).
fn rfc3986_target_host(raw: &[u8], base: &Url) -> Option<String> {
    let text = String::from_utf8_lossy(raw);
    let base_host = || base.host_str().map(str::to_ascii_lowercase);
    let authority = if let Some(rest) = text.strip_prefix("//") {
        rest
    } else if let Some((scheme, rest)) = text.split_once(':') {
        let is_scheme = scheme
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
        if !is_scheme {
            return base_host();
        }
        // "http:path" has a scheme but no authority: RFC 3986 gives it no host.
        rest.strip_prefix("//")?
    } else {
        return base_host();
    };
    let end = authority.find(['/', '?', '#']).unwrap_or(authority.len());
    let authority = &authority[..end];
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(bracketed) = host_port.strip_prefix('[') {
        format!("[{}]", bracketed.split(']').next().unwrap_or_default())
    } else {
        host_port.split(':').next().unwrap_or_default().to_owned()
    };
    Some(host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn location_resolution() {
        let base = url("http://shop.test/a/b?x=1#frag");
        #[rustfmt::skip]
        let table: &[(&[u8], &str)] = &[
            (b"/next", "http://shop.test/next#frag"),
            (b"next", "http://shop.test/a/next#frag"),
            (b"../up", "http://shop.test/up#frag"),
            (b"?q=2", "http://shop.test/a/b?q=2#frag"),
            (b"#other", "http://shop.test/a/b?x=1#other"),
            (b"//cdn.test/p", "http://cdn.test/p#frag"),
            (b"https://Secure.TEST:443/p", "https://secure.test/p#frag"),
            (b"http:/path", "http://shop.test/path#frag"),
            (b"http:path", "http://shop.test/a/path#frag"),
            (b"  /trimmed\t", "http://shop.test/trimmed#frag"),
            (b"/with space", "http://shop.test/with%20space#frag"),
            (b"/caf\xC3\xA9", "http://shop.test/caf%C3%A9#frag"),
            (b"/caf\xE9", "http://shop.test/caf%E9#frag"),
            (b"\\\\evil.test\\x", "http://evil.test/x#frag"),
            (b"/\\evil.test", "http://evil.test/#frag"),
            (b"/a\tb\nc", "http://shop.test/abc#frag"),
            (b"https:other.test", "https://other.test/#frag"),
            (b"http://u:p@shop.test/x", "http://u:p@shop.test/x#frag"),
        ];
        for &(raw, expected) in table {
            let got = resolve_location(raw, &base).unwrap_or_else(|e| panic!("{raw:?}: {e}"));
            assert_eq!(got.url.as_str(), expected, "raw {}", escape_bytes(raw));
        }
    }

    #[test]
    fn location_errors() {
        let base = url("http://shop.test/");
        assert_eq!(resolve_location(b"", &base), Err(LocationError::Empty));
        assert_eq!(resolve_location(b" \t ", &base), Err(LocationError::Empty));
        for raw in [
            &b"ftp://files.test/x"[..],
            b"file:///etc/passwd",
            b"javascript:alert(1)",
            b"data:,x",
        ] {
            assert!(
                matches!(
                    resolve_location(raw, &base),
                    Err(LocationError::RefusedScheme { .. })
                ),
                "{}",
                escape_bytes(raw)
            );
        }
        for raw in [
            &b"http://[::1"[..],
            b"http://exa mple.test/",
            b"http://a:99999/",
            b"http://",
        ] {
            assert!(
                matches!(
                    resolve_location(raw, &base),
                    Err(LocationError::Unparseable { .. })
                ),
                "{}",
                escape_bytes(raw)
            );
        }
    }

    #[test]
    fn location_warnings() {
        let base = url("https://shop.test/");
        let codes = |raw: &[u8]| -> Vec<&'static str> {
            resolve_location(raw, &base)
                .unwrap()
                .warnings
                .iter()
                .map(|w| w.code.as_str())
                .collect()
        };
        assert_eq!(codes(b"/plain"), Vec::<&str>::new());
        assert_eq!(
            codes(b"/\\evil.test"),
            ["location_backslash", "location_parser_mismatch"]
        );
        assert_eq!(codes(b"//cdn.test/"), ["location_scheme_relative"]);
        assert_eq!(codes(b"/a\tb"), ["location_control_chars"]);
        assert_eq!(codes(b"http://shop.test/"), ["https_downgrade"]);
        assert_eq!(codes(b"/caf\xE9"), ["location_not_utf8"]);
        assert_eq!(
            codes(b"http:evil.test"),
            ["location_parser_mismatch", "https_downgrade"]
        );
    }

    #[test]
    fn picking_location() {
        assert_eq!(pick_location(&[]), Ok(None));
        assert_eq!(pick_location(&[b"/a"]).unwrap().unwrap().repeated, 1);
        assert_eq!(
            pick_location(&[b"/a", b" /a"]).unwrap().unwrap().repeated,
            2
        );
        assert!(matches!(
            pick_location(&[b"/a", b"/b"]),
            Err(LocationError::Conflicting { values }) if values.len() == 2
        ));
    }

    #[test]
    fn messages_mask_every_password() {
        let base = url("http://shop.test/");
        let conflicting = pick_location(&[b"http://a:pw1@x.test/", b" http://b:pw2@x.test/"]);
        assert_eq!(
            conflicting.unwrap_err().to_string(),
            r#"2 Location headers with different values ("http://a:****@x.test/", " http://b:****@x.test/"): refusing to guess"#
        );
        let unparseable = resolve_location(b"//u:pw1@[::1", &base).unwrap_err();
        assert!(
            unparseable
                .to_string()
                .starts_with(r#"Location "//u:****@[::1" cannot be parsed as a URL: "#),
            "{unparseable}"
        );
        let refused = resolve_location(b"ftp://u:pw1@x.test/?next=http://v:pw2@y.test/", &base);
        assert_eq!(
            refused.unwrap_err().to_string(),
            r#"Location "ftp://u:****@x.test/?next=http://v:****@y.test/" has scheme ftp: only http and https are followed"#
        );
    }

    #[test]
    fn a_url_longer_than_the_http_library_sends_is_refused() {
        let base = url("http://u:p@shop.test/#frag");
        // "http://shop.test/" is 17 bytes: the path makes up the rest. Userinfo and fragment are
        // not sent, so they do not count.
        let fits = format!("/{}", "a".repeat(MAX_URL_BYTES - 17));
        let got = resolve_location(fits.as_bytes(), &base).unwrap();
        assert_eq!(
            got.url.as_str().len(),
            MAX_URL_BYTES + "u:p@".len() + "#frag".len()
        );
        let over = format!("http://v:pw@shop.test/{}", "a".repeat(MAX_URL_BYTES));
        let error = resolve_location(over.as_bytes(), &base).unwrap_err();
        assert!(
            matches!(error, LocationError::TooLong { url_bytes, .. } if url_bytes == MAX_URL_BYTES + 17),
            "{error:?}"
        );
        let message = error.to_string();
        assert_eq!(
            message,
            format!(
                "Location leads to a URL of {} bytes, over the 65534 bytes the HTTP library can \
                 send: http://v:****@shop.test/{}…({} bytes)",
                MAX_URL_BYTES + 17,
                "a".repeat(200 - "http://v:****@shop.test/".len()),
                over.len() + 2
            )
        );
    }

    #[test]
    fn location_bytes_decoding_and_escaping() {
        assert_eq!(decode_location_bytes(b"/caf\xE9/\xC3\xA9"), "/caf%E9/é");
        assert_eq!(escape_bytes(b"/a\tb\xE9\"\\"), r#""/a\tb\xE9\"\\""#);
    }
}
