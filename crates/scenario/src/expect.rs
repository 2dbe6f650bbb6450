//! What the server received and what a scenario expected it to receive: [`Received`] (one
//! request as the server saw it), [`Expect`], [`ExpectedRequest`] and [`check_received`], which
//! compares the two and names every difference.

use std::fmt;
use std::net::IpAddr;

use serde::Deserialize;

use crate::placeholders::Placeholders;

/// What a scenario must produce. Only `exit` is required in the fixture.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub exit: i32,
    /// The requests the server must see, in order; `None` leaves them unchecked.
    #[serde(default)]
    pub received: Option<Vec<ExpectedRequest>>,
    /// Substrings hops's plain-text stdout must contain.
    #[serde(default)]
    pub stdout: Vec<String>,
    /// Substrings stderr must contain.
    #[serde(default)]
    pub stderr: Vec<String>,
}

/// Checks on one received request; every field left out is not checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedRequest {
    #[serde(default)]
    pub method: Option<String>,
    /// Path and query as sent, e.g. `/a?x=1`.
    #[serde(default)]
    pub path: Option<String>,
    /// Hostname only, compared case-insensitively.
    #[serde(default)]
    pub host: Option<String>,
    /// `"http"` or `"https"`: the listener that received the request.
    #[serde(default)]
    pub scheme: Option<String>,
    /// Exact body; `Some("")` requires an empty body.
    #[serde(default)]
    pub body: Option<String>,
    /// Header names that must be present.
    #[serde(default)]
    pub present: Vec<String>,
    /// Header names that must be absent.
    #[serde(default)]
    pub absent: Vec<String>,
    /// Name/value pairs of which at least one header of that name must carry that exact value.
    #[serde(default)]
    pub header_values: Vec<(String, String)>,
}

impl ExpectedRequest {
    /// One line per field that does not match, without naming the request.
    pub fn mismatches(&self, got: &Received, placeholders: &Placeholders) -> Vec<String> {
        let mut problems = Vec::new();
        if let Some(method) = &self.method {
            let method = placeholders.expand(method);
            if method != got.method {
                problems.push(format!("method: expected {method:?}, got {:?}", got.method));
            }
        }
        if let Some(path) = &self.path {
            let path = placeholders.expand(path);
            if path != got.path {
                problems.push(format!("path: expected {path:?}, got {:?}", got.path));
            }
        }
        if let Some(host) = &self.host {
            let host = placeholders.expand(host);
            if !host.eq_ignore_ascii_case(&got.host) {
                problems.push(format!("host: expected {host:?}, got {:?}", got.host));
            }
        }
        if let Some(scheme) = &self.scheme {
            if !scheme.eq_ignore_ascii_case(&got.scheme) {
                problems.push(format!("scheme: expected {scheme:?}, got {:?}", got.scheme));
            }
        }
        if let Some(body) = &self.body {
            let body = placeholders.expand(body);
            if body.as_bytes() != got.body.as_slice() {
                problems.push(format!(
                    "body: expected {body:?}, got {:?}",
                    String::from_utf8_lossy(&got.body)
                ));
            }
        }
        for name in &self.present {
            if got.header(name).is_none() {
                problems.push(format!("header {name:?}: expected present, missing"));
            }
        }
        for name in &self.absent {
            if let Some(value) = got.header(name) {
                problems.push(format!("header {name:?}: expected absent, got {value:?}"));
            }
        }
        for (name, value) in &self.header_values {
            let value = placeholders.expand(value);
            let actual: Vec<&str> = got.header_values(name).collect();
            if !actual.contains(&value.as_str()) {
                let found = if actual.is_empty() {
                    "missing".to_owned()
                } else {
                    format!("got {actual:?}")
                };
                problems.push(format!("header {name:?}: expected {value:?}, {found}"));
            }
        }
        problems
    }
}

/// Compares the requests a server received with a scenario's expectations.
///
/// The error lists every problem, one per line, naming requests by 1-based position.
pub fn check_received(
    expect: &[ExpectedRequest],
    got: &[Received],
    placeholders: &Placeholders,
) -> Result<(), String> {
    let mut problems = Vec::new();
    if expect.len() != got.len() {
        problems.push(format!(
            "expected {} request(s), server received {}:",
            expect.len(),
            got.len()
        ));
        for (index, received) in got.iter().enumerate() {
            problems.push(format!("  #{} {received}", index + 1));
        }
    }
    for (index, (expected, received)) in expect.iter().zip(got).enumerate() {
        for problem in expected.mismatches(received, placeholders) {
            problems.push(format!("request #{} ({received}): {problem}", index + 1));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// One request as the server saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Received {
    /// `"http"` or `"https"`: which listener got the request.
    pub scheme: String,
    pub method: String,
    /// Path and query exactly as in the request target.
    pub path: String,
    /// Lowercase hostname from the Host header, without the port; without one (as over HTTP/2),
    /// from the request URI's authority (`:authority`).
    pub host: String,
    /// Lowercase names; values decoded lossily. Repeated names are grouped, in first-seen order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The client's IP address, from the accepted TCP connection (as the socket reports it: an
    /// IPv4 client of a dual-stack listener shows as `::ffff:a.b.c.d`). `None` for a request
    /// that did not come from a socket.
    pub peer_ip: Option<IpAddr>,
}

impl Received {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.header_values(name).next()
    }

    /// Every value of a header, by case-insensitive name.
    pub fn header_values<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> {
        self.headers
            .iter()
            .filter(move |(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// `(name, value)` pairs from every Cookie header.
    pub fn cookies(&self) -> impl Iterator<Item = (&str, &str)> {
        self.header_values("cookie")
            .flat_map(|header| header.split(';'))
            .map(str::trim)
            .filter(|pair| !pair.is_empty())
            .map(split_cookie)
    }
}

impl fmt::Display for Received {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} on {}", self.method, self.path, self.host)?;
        if self.scheme == "https" {
            f.write_str(" over https")?;
        }
        Ok(())
    }
}

/// A `name=value` cookie without `=` is treated as a name with an empty value.
pub(crate) fn split_cookie(pair: &str) -> (&str, &str) {
    let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
    (name.trim(), value.trim())
}

/// Drops the port from a Host value, keeping IPv6 literals intact.
pub(crate) fn hostname_of(authority: &str) -> String {
    let host = match authority.strip_prefix('[') {
        Some(rest) => rest
            .find(']')
            .map_or(authority, |end| &authority[..end + 2]),
        None => authority
            .split_once(':')
            .map_or(authority, |(name, _)| name),
    };
    host.trim().to_ascii_lowercase()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A GET over http with a Host header and, if given, a Cookie header.
    pub(crate) fn request(host: &str, path: &str, cookie: Option<&str>) -> Received {
        let mut headers = vec![("host".to_owned(), host.to_owned())];
        if let Some(cookie) = cookie {
            headers.push(("cookie".to_owned(), cookie.to_owned()));
        }
        Received {
            scheme: "http".to_owned(),
            method: "GET".to_owned(),
            path: path.to_owned(),
            host: hostname_of(host),
            headers,
            body: Vec::new(),
            peer_ip: None,
        }
    }

    #[test]
    fn check_received_names_request_and_field() {
        let placeholders = Placeholders::new(1, 2);
        let expect = vec![
            ExpectedRequest {
                method: Some("POST".to_owned()),
                body: Some("name=alice".to_owned()),
                ..ExpectedRequest::default()
            },
            ExpectedRequest {
                absent: vec!["cookie".to_owned()],
                header_values: vec![("host".to_owned(), "auth.test".to_owned())],
                ..ExpectedRequest::default()
            },
        ];
        let got = vec![
            request("shop.test", "/a", None),
            request("shop.test", "/b", Some("x=1")),
        ];
        let message = check_received(&expect, &got, &placeholders).unwrap_err();
        assert!(
            message.contains("request #1 (GET /a on shop.test): method"),
            "{message}"
        );
        assert!(
            message.contains("request #1 (GET /a on shop.test): body"),
            "{message}"
        );
        assert!(
            message.contains("request #2 (GET /b on shop.test): header \"cookie\""),
            "{message}"
        );
        assert!(
            message.contains("header \"host\": expected \"auth.test\", got [\"shop.test\"]"),
            "{message}"
        );

        let message = check_received(&expect[..1], &got, &placeholders).unwrap_err();
        assert!(
            message.starts_with("expected 1 request(s), server received 2:"),
            "{message}"
        );
        assert!(message.contains("  #2 GET /b on shop.test"), "{message}");

        let wrong_scheme = ExpectedRequest {
            scheme: Some("https".to_owned()),
            ..ExpectedRequest::default()
        };
        let message = check_received(&[wrong_scheme], &got[..1], &placeholders).unwrap_err();
        assert!(
            message.ends_with("scheme: expected \"https\", got \"http\""),
            "{message}"
        );

        let fine = ExpectedRequest {
            scheme: Some("HTTP".to_owned()),
            path: Some("/b".to_owned()),
            header_values: vec![("cookie".to_owned(), "x=1".to_owned())],
            ..ExpectedRequest::default()
        };
        assert_eq!(check_received(&[fine], &got[1..], &placeholders), Ok(()));
    }
}
