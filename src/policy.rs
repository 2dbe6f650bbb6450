//! The redirect rules as pure functions: which responses are redirects, how `Location` is read
//! and resolved, what method and body the next request gets, and which headers it loses.
//!
//! Nothing here does I/O, so every rule is covered by table-driven unit tests below. The rules
//! are WHATWG Fetch ("HTTP-redirect fetch", "location URL") with curl's opt-outs.

use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{HeaderName, HeaderValue};
use url::Url;

use crate::record::Warning;

/// The statuses a client follows when a `Location` is present (RFC 9110 §15.4, Fetch).
pub const FOLLOWED_STATUSES: [u16; 5] = [301, 302, 303, 307, 308];

/// Headers that describe a request body; they go when the method becomes GET (Fetch
/// "request-body-header name").
const BODY_HEADERS: [&str; 6] = [
    "content-type",
    "content-length",
    "content-encoding",
    "content-language",
    "content-location",
    "transfer-encoding",
];

/// Headers that carry credentials and must not follow a redirect to another origin.
const CREDENTIAL_HEADERS: [&str; 3] = ["authorization", "proxy-authorization", "cookie"];

pub fn is_followed_status(status: u16) -> bool {
    FOLLOWED_STATUSES.contains(&status)
}

/// Why a response ends the chain although it carries a `Location` or has a redirect status.
pub fn not_followed_reason(status: u16, has_location: bool) -> Option<String> {
    match (is_followed_status(status), has_location) {
        (true, false) => Some(format!(
            "{status} without a Location header: final response"
        )),
        (false, true) => Some(match status {
            300 => {
                "300 Multiple Choices is not followed automatically: Location shown as information"
                    .into()
            }
            304 => "304 Not Modified is not a redirect: Location shown as information".into(),
            305 | 306 => {
                format!("{status} is obsolete and never followed: Location shown as information")
            }
            _ if (300..400).contains(&status) => {
                format!("{status} is not a redirect status: Location shown as information")
            }
            _ => format!("Location on a {status} response is not a redirect: shown as information"),
        }),
        _ => None,
    }
}

/// Why a `Location` cannot be followed. Each is a hard stop for the chain (exit code 5).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LocationError {
    #[error("{count} Location headers with different values ({values}): refusing to guess")]
    Conflicting { count: usize, values: String },
    #[error("empty Location header")]
    Empty,
    #[error("Location {raw} cannot be parsed as a URL: {reason}")]
    Unparseable { raw: String, reason: String },
    #[error("Location {raw} has scheme {scheme}: only http and https are followed")]
    RefusedScheme { raw: String, scheme: String },
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
        let shown: Vec<String> = values.iter().map(|v| escape_bytes(v)).collect();
        return Err(LocationError::Conflicting {
            count: values.len(),
            values: shown.join(", "),
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
            "location_not_utf8",
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
    // Fetch "location URL": a Location without a fragment inherits the request's fragment.
    if url.fragment().is_none() && base.fragment().is_some() {
        url.set_fragment(base.fragment());
    }
    warnings.extend(risky_location_warnings(trimmed, base, &url));
    Ok(ResolvedLocation { url, warnings })
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
            "location_backslash",
            "Location contains a backslash: browsers read it as '/', other parsers do not",
        ));
    }
    if raw.iter().any(|b| b.is_ascii_control()) {
        warnings.push(Warning::new(
            "location_control_chars",
            "Location contains control characters: the URL parser removed tabs and newlines",
        ));
    }
    if raw.starts_with(b"//") {
        warnings.push(Warning::new(
            "location_scheme_relative",
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
            "location_parser_mismatch",
            format!(
                "browsers send this Location to host {whatwg_host}, but an RFC 3986 parser would go to {}",
                rfc3986_host.map_or_else(|| "no host at all".to_owned(), |h| format!("host {h}"))
            ),
        ));
    }
    if base.scheme() == "https" && resolved.scheme() == "http" {
        warnings.push(Warning::new(
            "https_downgrade",
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

/// curl's `--post301/302/303`: keep POST (and its body) on these statuses.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct KeepPost {
    pub on_301: bool,
    pub on_302: bool,
    pub on_303: bool,
}

/// What happens to the request body on the way to the next hop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyFate {
    /// There was no body.
    Absent,
    /// The same bytes are sent again.
    Replayed,
    /// The body is not sent again.
    Dropped,
}

/// The method and body rule for one redirect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodRule {
    pub method: Method,
    pub body: BodyFate,
    /// Fetch switched the method to GET: body headers go too.
    pub rewritten_to_get: bool,
}

/// The method/body table of Fetch's "HTTP-redirect fetch" step 12, with curl's opt-outs.
pub fn method_rule(
    status: u16,
    method: &Method,
    has_body: bool,
    keep_post: KeepPost,
) -> MethodRule {
    let is_post = method == Method::POST;
    let to_get = match status {
        301 => is_post && !keep_post.on_301,
        302 => is_post && !keep_post.on_302,
        303 => {
            let safe = method == Method::GET || method == Method::HEAD;
            !(safe || (is_post && keep_post.on_303))
        }
        _ => false,
    };
    // A 303 points at another resource to GET: a GET or HEAD keeps its method but no body.
    let drops_body = to_get || (status == 303 && (method == Method::GET || method == Method::HEAD));
    let body = match (has_body, drops_body) {
        (false, _) => BodyFate::Absent,
        (true, true) => BodyFate::Dropped,
        (true, false) => BodyFate::Replayed,
    };
    MethodRule {
        method: if to_get { Method::GET } else { method.clone() },
        body,
        rewritten_to_get: to_get,
    }
}

/// Origin = scheme, host and port (the URL standard's tuple origin).
pub fn same_origin(a: &Url, b: &Url) -> bool {
    a.origin() == b.origin()
}

/// A request the chain will send: what the user asked for, as the redirects so far changed it.
#[derive(Debug, Clone)]
pub struct PlannedRequest {
    pub method: Method,
    /// May hold userinfo (sent as Basic credentials for this request only) and a fragment
    /// (never sent).
    pub url: Url,
    /// User-supplied headers still in force, in the order given.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    pub body: Option<Bytes>,
}

impl PlannedRequest {
    pub fn header(&self, name: &str) -> Option<&HeaderValue> {
        self.headers
            .iter()
            .find(|(n, _)| n.as_str() == name)
            .map(|(_, v)| v)
    }
}

/// Options of the redirect policy that the user can change.
#[derive(Debug, Clone, Copy, Default)]
pub struct FollowOptions {
    pub keep_post: KeepPost,
    pub location_trusted: bool,
}

/// A header the next request will not carry, and why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StrippedHeader {
    pub name: String,
    pub reason: String,
}

/// The decision for one redirect: the next request and what changed on the way.
#[derive(Debug, Clone)]
pub struct Transition {
    pub next: PlannedRequest,
    pub method_rule: MethodRule,
    pub stripped: Vec<StrippedHeader>,
    pub warnings: Vec<Warning>,
}

/// Builds the next request from the current one after a followed redirect to `target`.
pub fn next_request(
    current: &PlannedRequest,
    status: u16,
    target: Url,
    options: FollowOptions,
) -> Transition {
    let rule = method_rule(
        status,
        &current.method,
        current.body.is_some(),
        options.keep_post,
    );
    let mut stripped = Vec::new();
    let mut warnings = Vec::new();
    let mut headers = Vec::with_capacity(current.headers.len());
    let origin_changed = !same_origin(&current.url, &target);

    for (name, value) in &current.headers {
        let lower = name.as_str();
        if rule.rewritten_to_get && BODY_HEADERS.contains(&lower) {
            push_stripped(
                &mut stripped,
                name,
                format!("method changed to GET on {status}"),
            );
            continue;
        }
        if rule.body == BodyFate::Dropped && matches!(lower, "content-length" | "transfer-encoding")
        {
            push_stripped(&mut stripped, name, format!("body dropped on {status}"));
            continue;
        }
        if lower == "host" && origin_changed {
            push_stripped(
                &mut stripped,
                name,
                "a custom Host header belongs to the first origin".into(),
            );
            continue;
        }
        if CREDENTIAL_HEADERS.contains(&lower) {
            if origin_changed && !options.location_trusted {
                push_stripped(
                    &mut stripped,
                    name,
                    origin_change_reason(&current.url, &target),
                );
                continue;
            }
            if origin_changed {
                warnings.push(Warning::new(
                    "credentials_forwarded",
                    format!(
                        "{} sent to another origin ({}) because of --location-trusted",
                        display_name(name),
                        target.origin().ascii_serialization()
                    ),
                ));
            }
        }
        headers.push((name.clone(), value.clone()));
    }

    let body = match rule.body {
        BodyFate::Replayed => current.body.clone(),
        BodyFate::Absent | BodyFate::Dropped => None,
    };
    Transition {
        next: PlannedRequest {
            method: rule.method.clone(),
            url: target,
            headers,
            body,
        },
        method_rule: rule,
        stripped,
        warnings,
    }
}

fn push_stripped(stripped: &mut Vec<StrippedHeader>, name: &HeaderName, reason: String) {
    if !stripped.iter().any(|s| s.name == name.as_str()) {
        stripped.push(StrippedHeader {
            name: name.as_str().to_owned(),
            reason,
        });
    }
}

fn origin_change_reason(from: &Url, to: &Url) -> String {
    let from_origin = from.origin().ascii_serialization();
    let to_origin = to.origin().ascii_serialization();
    if from.scheme() == "https" && to.scheme() == "http" {
        format!("origin changed from {from_origin} to {to_origin} (https downgrade)")
    } else {
        format!("origin changed from {from_origin} to {to_origin}")
    }
}

/// Header names as people write them, for messages (`authorization` → `Authorization`).
pub fn display_name(name: &HeaderName) -> String {
    let mut out = String::with_capacity(name.as_str().len());
    let mut upper = true;
    for c in name.as_str().chars() {
        out.push(if upper { c.to_ascii_uppercase() } else { c });
        upper = c == '-';
    }
    out
}

/// The `Referer` sent by `--referer ';auto'`: the previous URL without credentials or fragment,
/// and nothing when going from https to http (the default referrer policy of browsers).
pub fn auto_referer(previous: &Url, next: &Url) -> Option<String> {
    if previous.scheme() == "https" && next.scheme() == "http" {
        return None;
    }
    let mut referer = previous.clone();
    referer.set_fragment(None);
    // Setting these cannot fail on http(s) URLs, which always have a host.
    let _ = referer.set_username("");
    let _ = referer.set_password(None);
    Some(referer.into())
}

/// What makes two requests the same for loop detection: method, URL without fragment, body
/// and the Cookie header that would be sent. The same URL with other cookies is not a loop.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestKey {
    pub method: Method,
    pub url: String,
    pub body: Option<Bytes>,
    pub cookie: Option<String>,
}

impl RequestKey {
    pub fn new(method: &Method, url: &Url, body: Option<&Bytes>, cookie: Option<&str>) -> Self {
        let mut url = url.clone();
        url.set_fragment(None);
        RequestKey {
            method: method.clone(),
            url: url.into(),
            body: body.cloned(),
            cookie: cookie.map(str::to_owned),
        }
    }
}

/// The index (0-based) of an earlier request that `next` repeats exactly, if any.
pub fn find_repeat(earlier: &[RequestKey], next: &RequestKey) -> Option<usize> {
    earlier.iter().position(|key| key == next)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn followed_statuses() {
        for (status, followed) in [
            (300, false),
            (301, true),
            (302, true),
            (303, true),
            (304, false),
            (305, false),
            (306, false),
            (307, true),
            (308, true),
            (309, false),
            (201, false),
            (200, false),
        ] {
            assert_eq!(is_followed_status(status), followed, "status {status}");
        }
    }

    #[test]
    fn reasons_for_not_following() {
        assert!(
            not_followed_reason(302, false)
                .unwrap()
                .contains("without a Location")
        );
        assert!(not_followed_reason(201, true).unwrap().contains("201"));
        assert!(not_followed_reason(300, true).unwrap().contains("300"));
        assert!(not_followed_reason(304, true).unwrap().contains("304"));
        assert!(not_followed_reason(306, true).unwrap().contains("obsolete"));
        assert!(not_followed_reason(399, true).unwrap().contains("399"));
        assert_eq!(not_followed_reason(302, true), None);
        assert_eq!(not_followed_reason(200, false), None);
    }

    #[test]
    fn method_table() {
        use BodyFate::*;
        let none = KeepPost::default();
        let all = KeepPost {
            on_301: true,
            on_302: true,
            on_303: true,
        };
        let m = |s: &str| Method::from_bytes(s.as_bytes()).unwrap();
        #[rustfmt::skip]
        let table: &[(u16, &str, bool, KeepPost, &str, BodyFate, bool)] = &[
            // status, method, has body, keep post, method after, body, rewritten to GET
            (301, "POST", true, none, "GET", Dropped, true),
            (302, "POST", true, none, "GET", Dropped, true),
            (301, "POST", false, none, "GET", Absent, true),
            (301, "PUT", true, none, "PUT", Replayed, false),
            (302, "DELETE", true, none, "DELETE", Replayed, false),
            (302, "PATCH", true, none, "PATCH", Replayed, false),
            (301, "GET", false, none, "GET", Absent, false),
            (302, "HEAD", false, none, "HEAD", Absent, false),
            (303, "GET", false, none, "GET", Absent, false),
            (303, "GET", true, none, "GET", Dropped, false),
            (303, "HEAD", false, none, "HEAD", Absent, false),
            (303, "POST", true, none, "GET", Dropped, true),
            (303, "PUT", true, none, "GET", Dropped, true),
            (303, "DELETE", false, none, "GET", Absent, true),
            (303, "PATCH", true, none, "GET", Dropped, true),
            (303, "PURGE", true, none, "GET", Dropped, true),
            (307, "POST", true, none, "POST", Replayed, false),
            (308, "POST", true, none, "POST", Replayed, false),
            (307, "PUT", true, none, "PUT", Replayed, false),
            (308, "PURGE", true, none, "PURGE", Replayed, false),
            (307, "GET", false, none, "GET", Absent, false),
            (301, "POST", true, all, "POST", Replayed, false),
            (302, "POST", true, all, "POST", Replayed, false),
            (303, "POST", true, all, "POST", Replayed, false),
            (303, "PUT", true, all, "GET", Dropped, true),
            (301, "POST", true, KeepPost { on_302: true, ..none }, "GET", Dropped, true),
        ];
        for &(status, before, has_body, keep, after, body, rewritten) in table {
            let rule = method_rule(status, &m(before), has_body, keep);
            assert_eq!(
                rule,
                MethodRule {
                    method: m(after),
                    body,
                    rewritten_to_get: rewritten
                },
                "{status} {before} body={has_body} keep={keep:?}"
            );
        }
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
                .map(|w| w.code)
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
            Err(LocationError::Conflicting { count: 2, .. })
        ));
    }

    #[test]
    fn location_bytes_decoding_and_escaping() {
        assert_eq!(decode_location_bytes(b"/caf\xE9/\xC3\xA9"), "/caf%E9/é");
        assert_eq!(escape_bytes(b"/a\tb\xE9\"\\"), r#""/a\tb\xE9\"\\""#);
    }

    fn planned(
        method: &str,
        url_text: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> PlannedRequest {
        PlannedRequest {
            method: Method::from_bytes(method.as_bytes()).unwrap(),
            url: url(url_text),
            headers: headers
                .iter()
                .map(|(n, v)| {
                    (
                        HeaderName::from_bytes(n.as_bytes()).unwrap(),
                        HeaderValue::from_str(v).unwrap(),
                    )
                })
                .collect(),
            body: body.map(|b| Bytes::copy_from_slice(b.as_bytes())),
        }
    }

    fn names(request: &PlannedRequest) -> Vec<&str> {
        request.headers.iter().map(|(n, _)| n.as_str()).collect()
    }

    #[test]
    fn post_to_get_drops_body_headers() {
        let current = planned(
            "POST",
            "http://shop.test/form",
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("content-language", "en"),
                ("x-trace", "1"),
            ],
            Some("a=1"),
        );
        let t = next_request(
            &current,
            302,
            url("http://shop.test/done"),
            FollowOptions::default(),
        );
        assert_eq!(t.next.method, Method::GET);
        assert_eq!(t.next.body, None);
        assert_eq!(names(&t.next), ["x-trace"]);
        let stripped: Vec<&str> = t.stripped.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(stripped, ["content-type", "content-language"]);
    }

    #[test]
    fn unchanged_method_keeps_body_headers() {
        let current = planned(
            "GET",
            "http://shop.test/",
            &[("content-type", "text/plain")],
            None,
        );
        let t = next_request(
            &current,
            301,
            url("http://shop.test/x"),
            FollowOptions::default(),
        );
        assert_eq!(names(&t.next), ["content-type"]);
        let current = planned(
            "PUT",
            "http://shop.test/",
            &[("content-type", "application/json")],
            Some("{}"),
        );
        let t = next_request(
            &current,
            308,
            url("http://shop.test/x"),
            FollowOptions::default(),
        );
        assert_eq!(names(&t.next), ["content-type"]);
        assert_eq!(t.next.body.as_deref(), Some(&b"{}"[..]));
    }

    #[test]
    fn credentials_stripped_on_origin_change_and_stay_stripped() {
        let headers = [
            ("authorization", "Bearer t"),
            ("proxy-authorization", "Basic x"),
            ("cookie", "a=1"),
            ("x-keep", "1"),
        ];
        #[rustfmt::skip]
        let table: &[(&str, &str, bool)] = &[
            ("http://shop.test/", "http://shop.test/next", false),
            ("http://shop.test/", "http://shop.test:80/next", false),
            ("http://shop.test/", "http://auth.test/", true),
            ("http://shop.test/", "http://shop.test:8080/", true),
            ("http://shop.test/", "https://shop.test/", true),
            ("https://shop.test/", "http://shop.test/", true),
            ("http://shop.test/", "http://SHOP.test/x", false),
        ];
        for &(from, to, stripped) in table {
            let current = planned("GET", from, &headers, None);
            let t = next_request(&current, 302, url(to), FollowOptions::default());
            let expected: &[&str] = if stripped {
                &["x-keep"]
            } else {
                &["authorization", "proxy-authorization", "cookie", "x-keep"]
            };
            assert_eq!(names(&t.next), expected, "{from} -> {to}");
        }
        // A -> B -> A: once removed, they do not come back.
        let current = planned("GET", "http://shop.test/", &headers, None);
        let to_b = next_request(
            &current,
            302,
            url("http://auth.test/"),
            FollowOptions::default(),
        );
        let back = next_request(
            &to_b.next,
            302,
            url("http://shop.test/"),
            FollowOptions::default(),
        );
        assert_eq!(names(&back.next), ["x-keep"]);
    }

    #[test]
    fn location_trusted_keeps_credentials_with_warning() {
        let current = planned(
            "GET",
            "http://shop.test/",
            &[("authorization", "Bearer t")],
            None,
        );
        let options = FollowOptions {
            location_trusted: true,
            ..FollowOptions::default()
        };
        let t = next_request(&current, 302, url("http://auth.test/"), options);
        assert_eq!(names(&t.next), ["authorization"]);
        assert_eq!(t.warnings[0].code, "credentials_forwarded");
        let same = next_request(&current, 302, url("http://shop.test/x"), options);
        assert!(same.warnings.is_empty());
    }

    #[test]
    fn downgrade_reason_named() {
        let current = planned(
            "GET",
            "https://shop.test/",
            &[("authorization", "Bearer t")],
            None,
        );
        let t = next_request(
            &current,
            302,
            url("http://shop.test/"),
            FollowOptions::default(),
        );
        assert!(t.stripped[0].reason.contains("https downgrade"));
    }

    #[test]
    fn referer_auto() {
        assert_eq!(
            auto_referer(
                &url("http://u:p@shop.test/a?q#f"),
                &url("http://shop.test/b")
            )
            .as_deref(),
            Some("http://shop.test/a?q")
        );
        assert_eq!(
            auto_referer(&url("https://shop.test/a"), &url("http://shop.test/b")),
            None
        );
        assert!(auto_referer(&url("http://shop.test/a"), &url("https://shop.test/b")).is_some());
    }

    #[test]
    fn loop_keys() {
        let body = Bytes::from_static(b"x");
        let a = RequestKey::new(&Method::GET, &url("http://shop.test/a#one"), None, None);
        let a_other_fragment =
            RequestKey::new(&Method::GET, &url("http://shop.test/a#two"), None, None);
        let a_cookie = RequestKey::new(&Method::GET, &url("http://shop.test/a"), None, Some("c=1"));
        let a_post = RequestKey::new(&Method::POST, &url("http://shop.test/a"), Some(&body), None);
        let b = RequestKey::new(&Method::GET, &url("http://shop.test/b"), None, None);
        let earlier = [a.clone(), b.clone()];
        assert_eq!(find_repeat(&earlier, &a_other_fragment), Some(0));
        assert_eq!(find_repeat(&earlier, &b), Some(1));
        assert_eq!(find_repeat(&earlier, &a_cookie), None);
        assert_eq!(find_repeat(&earlier, &a_post), None);
    }

    #[test]
    fn header_display_names() {
        assert_eq!(
            display_name(&HeaderName::from_static("proxy-authorization")),
            "Proxy-Authorization"
        );
    }
}
