//! The next request after a redirect: its method and body (by [`super::method`]), the headers
//! it keeps and the ones it loses (body headers on a switch to GET, credentials on an origin
//! change), and the automatic `Referer` (docs/rules.md §3.2 and §4).

use base64::Engine;
use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use url::Url;

use super::method::{BodyFate, KeepPost, MethodRule, method_rule};
use crate::model::{StrippedHeader, Warning, WarningCode};

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
                    WarningCode::CredentialsForwarded,
                    format!(
                        "{} sent to another origin ({}) because of --location-trusted",
                        display_name(name.as_str()),
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
pub fn display_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
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
    Some(wire_url(previous).into())
}

/// A request to send as hop `index`: the URL as it goes on the wire (no userinfo, no fragment)
/// and every header hops sets.
#[derive(Debug, Clone)]
pub struct Outgoing {
    pub index: usize,
    pub method: Method,
    pub url: Url,
    pub headers: HeaderMap,
    pub body: Option<Bytes>,
}

/// `url` as it goes on the wire: without its fragment and userinfo, which never go out.
pub fn wire_url(url: &Url) -> Url {
    let mut wire = url.clone();
    wire.set_fragment(None);
    // Setting these cannot fail on http(s) URLs, which always have a host.
    let _ = wire.set_username("");
    let _ = wire.set_password(None);
    wire
}

/// Every header a request carries as it goes out, in order: the user's headers still in force,
/// Basic credentials from URL userinfo, `Referer`, and one `Cookie` header joining the user's
/// and the jar's.
pub fn outgoing_headers(
    request: &PlannedRequest,
    referer: Option<&HeaderValue>,
    jar_cookie: Option<String>,
) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in &request.headers {
        if name != header::COOKIE {
            headers.append(name.clone(), value.clone());
        }
    }
    // reqwest adds `Accept: */*` to a request without one; recording it here keeps `-v` and
    // the JSON true to what was sent.
    if !headers.contains_key(header::ACCEPT) {
        headers.insert(header::ACCEPT, HeaderValue::from_static("*/*"));
    }
    if !headers.contains_key(header::AUTHORIZATION) && !request.url.username().is_empty() {
        let user = percent_decode(request.url.username());
        let password = percent_decode(request.url.password().unwrap_or_default());
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
        if let Ok(value) = HeaderValue::from_str(&format!("Basic {token}")) {
            headers.insert(header::AUTHORIZATION, value);
        }
    }
    if let Some(referer) = referer {
        headers.insert(header::REFERER, referer.clone());
    }
    let user_cookie = request
        .header("cookie")
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let cookie = match (user_cookie, jar_cookie) {
        (Some(user), Some(jar)) => Some(format!("{user}; {jar}")),
        (one, other) => one.or(other),
    };
    if let Some(value) = cookie.and_then(|c| HeaderValue::from_str(&c).ok()) {
        headers.insert(header::COOKIE, value);
    }
    // An empty body (`-d ''`) is still a body: hyper sends no length for it, which some
    // servers answer with 411 Length Required. curl sends `Content-Length: 0`; so do we.
    if request.body.as_ref().is_some_and(Bytes::is_empty)
        && !headers.contains_key(header::CONTENT_LENGTH)
    {
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("0"));
    }
    headers
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
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
        assert_eq!(t.warnings[0].code, WarningCode::CredentialsForwarded);
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
    fn header_display_names() {
        assert_eq!(display_name("proxy-authorization"), "Proxy-Authorization");
    }
}
