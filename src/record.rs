//! The record of one traced chain: every hop as it happened and how the chain ended.
//!
//! The hop loop fills a [`Chain`]; renderers only read it. Secrets are stored as they were sent
//! and redacted by the renderers, so `--show-secrets` is a rendering choice.

use std::net::SocketAddr;
use std::time::Duration;

use serde::Serialize;

use crate::policy::StrippedHeader;

/// Something the user should know about a hop; `code` is stable for scripts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub code: &'static str,
    pub message: String,
}

impl Warning {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Warning {
            code,
            message: message.into(),
        }
    }
}

/// The whole run for one starting URL.
#[derive(Debug, Clone, Serialize)]
pub struct Chain {
    pub request: RequestSummary,
    pub hops: Vec<Hop>,
    pub outcome: Outcome,
    #[serde(rename = "loop")]
    pub loop_info: Option<LoopInfo>,
    pub error: Option<ChainError>,
    /// What kind of loop or limit this was, for a loop or too-many-redirects outcome.
    pub diagnosis: Option<crate::diagnose::Diagnosis>,
    #[serde(serialize_with = "serialize_millis")]
    pub time: Duration,
}

impl Chain {
    /// Redirects followed: responses that led to another request.
    /// HSTS upgrades are not counted: no server asked for them (curl does not count its own either).
    pub fn redirects(&self) -> usize {
        self.hops
            .iter()
            .filter(|hop| hop.next.is_some() && !hop.synthetic)
            .count()
    }

    /// The last response received, which is the final response when the outcome is `Ok`.
    pub fn last_response(&self) -> Option<&Hop> {
        self.hops.last()
    }
}

/// The first request as the user asked for it.
#[derive(Debug, Clone, Serialize)]
pub struct RequestSummary {
    pub method: String,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body_bytes: Option<usize>,
}

/// One request and its response.
#[derive(Debug, Clone, Serialize)]
pub struct Hop {
    /// 1-based position in the chain.
    pub index: usize,
    pub method: String,
    /// The URL as the chain reached it (userinfo and fragment included; redact when showing).
    pub url: String,
    pub request_headers: Vec<(String, String)>,
    pub body_bytes: Option<usize>,
    /// The body sent, kept for the HAR export.
    #[serde(skip)]
    pub request_body: Option<bytes::Bytes>,
    /// Wall-clock time the request was sent.
    #[serde(skip)]
    pub started_at: std::time::SystemTime,
    pub status: u16,
    pub reason: String,
    pub http_version: String,
    pub remote_addr: Option<SocketAddr>,
    /// The TLS facts of the connection used; `None` for plain http and synthetic hops.
    pub tls: Option<crate::net::TlsRecord>,
    pub response_headers: Vec<(String, String)>,
    /// The raw `Location` value, escaped where not printable; `None` when absent.
    pub location: Option<String>,
    /// Where the chain went next; `None` for the last hop.
    pub next: Option<NextHop>,
    /// Why this response was not followed although it looked like a redirect.
    pub not_followed: Option<String>,
    /// How the chain got to this hop.
    pub via: Via,
    /// Made up by the client, with no request sent (an HSTS upgrade).
    pub synthetic: bool,
    /// What this hop did with HSTS: a `Strict-Transport-Security` header received, or an upgrade.
    pub hsts: Option<HstsRecord>,
    /// A `Refresh` header or meta refresh on a final response.
    pub refresh: Option<RefreshSeen>,
    pub set_cookies: Vec<SetCookie>,
    pub timing: Timing,
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Via {
    /// The request the user asked for.
    Start,
    /// A `Location` of the hop before.
    Redirect,
    /// A `Refresh` header or meta refresh of the hop before (`--follow-refresh`).
    Refresh,
}

/// A hop's HSTS facts.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HstsRecord {
    /// The first `Strict-Transport-Security` value received, as received.
    pub header: Option<String>,
    pub valid: bool,
    pub error: Option<String>,
    pub max_age: Option<u64>,
    /// `max_age` as a browser applies it (capped at one year).
    pub max_age_effective: Option<u64>,
    pub include_subdomains: bool,
    pub preload: bool,
    /// noted | updated | removed | ignored | none
    pub action: &'static str,
    pub ignored_reason: Option<String>,
    pub upgrade: Option<HstsUpgrade>,
}

/// An http URL rewritten to https before any request was sent.
#[derive(Debug, Clone, Serialize)]
pub struct HstsUpgrade {
    /// "this chain", "the HSTS cache file" or "the Chromium preload list".
    pub source: String,
    /// The entry that matched (the host itself or a parent with includeSubDomains).
    pub matched: String,
    pub include_subdomains: bool,
    pub from: String,
    pub to: String,
}

/// A refresh a browser would follow after showing this response.
#[derive(Debug, Clone, Serialize)]
pub struct RefreshSeen {
    pub source: crate::refresh::RefreshSource,
    /// The header value or the meta tag's `content`, as found.
    pub raw: String,
    pub delay_seconds: u64,
    /// The resolved target; the same page when the refresh names none.
    pub url: String,
}

/// The decision taken after a redirect response.
#[derive(Debug, Clone, Serialize)]
pub struct NextHop {
    pub url: String,
    pub method: String,
    pub method_changed: bool,
    /// `None` when there was no body; otherwise whether it is replayed.
    pub body_kept: Option<bool>,
    pub stripped_headers: Vec<StrippedHeader>,
}

/// One `Set-Cookie` field and what the jar did with it.
#[derive(Debug, Clone, Serialize)]
pub struct SetCookie {
    pub raw: String,
    pub stored: bool,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Timing {
    /// The DNS lookup, when one was made for this hop.
    #[serde(serialize_with = "serialize_optional_millis")]
    pub dns: Option<Duration>,
    /// Opening a new connection (TCP, and TLS on https), when one was opened for this hop.
    #[serde(serialize_with = "serialize_optional_millis")]
    pub connect: Option<Duration>,
    /// The TLS handshake of a new https connection: the part of `connect` after TCP.
    #[serde(serialize_with = "serialize_optional_millis")]
    pub tls: Option<Duration>,
    /// Until the response head arrived (includes DNS, connect and TLS on a new connection).
    #[serde(serialize_with = "serialize_millis")]
    pub first_byte: Duration,
    /// Until the response body was read or discarded.
    #[serde(serialize_with = "serialize_millis")]
    pub total: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Ok,
    Loop,
    TooManyRedirects,
    BadLocation,
    NetworkError,
}

/// A request that would have repeated an earlier one exactly.
#[derive(Debug, Clone, Serialize)]
pub struct LoopInfo {
    /// The earlier hop that the next request would repeat.
    pub repeats_hop: usize,
    /// The hop number the repeated request would have had.
    pub at_hop: usize,
    pub method: String,
    pub url: String,
}

/// What stopped the chain early.
#[derive(Debug, Clone, Serialize)]
pub struct ChainError {
    pub hop: usize,
    pub kind: ErrorKind,
    pub message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    Loop,
    TooManyRedirects,
    BadLocation,
    Dns,
    Connect,
    Tls,
    Timeout,
    Protocol,
    Io,
}

/// Milliseconds with microsecond precision, the unit of every time in the machine outputs.
pub fn millis(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

fn serialize_optional_millis<S: serde::Serializer>(
    d: &Option<Duration>,
    s: S,
) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_some(&millis(*d)),
        None => s.serialize_none(),
    }
}

fn serialize_millis<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(millis(*d))
}

/// Records for unit tests of the modules that read them.
#[cfg(test)]
pub(crate) mod testing {
    use super::*;

    /// A GET hop to `url` answered by `status`, redirecting to `next` when given.
    pub fn hop(index: usize, url: &str, status: u16, next: Option<&str>) -> Hop {
        Hop {
            index,
            method: "GET".into(),
            url: url.into(),
            request_headers: vec![],
            body_bytes: None,
            request_body: None,
            started_at: std::time::SystemTime::UNIX_EPOCH,
            status,
            reason: String::new(),
            http_version: "HTTP/1.1".into(),
            remote_addr: Some(SocketAddr::from(([127, 0, 0, 1], 8080))),
            tls: None,
            response_headers: vec![("content-type".into(), "text/html".into())],
            location: next.map(str::to_owned),
            next: next.map(|url| NextHop {
                url: url.into(),
                method: "GET".into(),
                method_changed: false,
                body_kept: None,
                stripped_headers: vec![],
            }),
            not_followed: None,
            via: if index == 1 {
                Via::Start
            } else {
                Via::Redirect
            },
            synthetic: false,
            hsts: None,
            refresh: None,
            set_cookies: vec![],
            timing: Timing::default(),
            warnings: vec![],
        }
    }

    /// A chain of `hops` that started with a GET of the first hop's URL.
    pub fn chain(hops: Vec<Hop>, outcome: Outcome) -> Chain {
        Chain {
            request: RequestSummary {
                method: "GET".into(),
                url: hops[0].url.clone(),
                headers: vec![],
                body_bytes: None,
            },
            error: (outcome != Outcome::Ok).then(|| ChainError {
                hop: hops.len() + 1,
                kind: ErrorKind::Loop,
                message: "stopped".into(),
            }),
            hops,
            outcome,
            loop_info: None,
            diagnosis: None,
            time: Duration::from_micros(12_345),
        }
    }
}
