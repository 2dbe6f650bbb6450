//! One hop: a request (or an HSTS upgrade made without one), its response, and where it led.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use bytes::Bytes;
use serde::Serialize;
use url::Url;

use super::hsts::HstsRecord;
use super::tls::TlsRecord;
use super::warning::Warning;

/// One request and its response.
#[derive(Debug, Clone)]
pub struct Hop {
    /// 1-based position in the chain.
    pub index: usize,
    pub method: String,
    /// The URL as the chain reached it (userinfo and fragment included; redact when showing).
    pub url: Url,
    pub request_headers: Vec<(String, String)>,
    pub body_bytes: Option<usize>,
    /// The body sent, kept for the HAR export.
    /// Boxed: most hops send none, and a hop of a 100,000-hop chain is counted in bytes.
    pub request_body: Option<Box<Bytes>>,
    /// Wall-clock time the request was sent.
    pub started_at: SystemTime,
    pub status: u16,
    pub reason: String,
    pub http_version: String,
    pub remote_addr: Option<SocketAddr>,
    /// The proxy the request went through (`scheme://[user:password@]host[:port]`, redacted when
    /// shown, as a URL); `None` when it went straight to the server, and for synthetic hops.
    pub proxy: Option<String>,
    /// The TLS facts of the connection used; `None` for plain http and synthetic hops. Boxed, as
    /// are the other rare parts, so a long chain of plain hops stays small.
    pub tls: Option<Box<TlsRecord>>,
    /// Why the request was sent a second time: the first attempt's error, when its reused
    /// keep-alive connection turned out to be closed before any answer came.
    pub retried: Option<String>,
    pub response_headers: Vec<(String, String)>,
    /// The raw value of each `Location` field, in order, escaped where not printable; empty
    /// when there was none. Kept apart (not joined) so each is redacted as the value it is.
    pub locations: Vec<String>,
    /// Where the chain went next; `None` for the last hop.
    pub next: Option<NextHop>,
    /// Why this response was not followed although it looked like a redirect.
    pub not_followed: Option<String>,
    /// How the chain got to this hop.
    pub via: Via,
    /// Made up by the client, with no request sent (an HSTS upgrade).
    pub synthetic: bool,
    /// What this hop did with HSTS: a `Strict-Transport-Security` header received, or an upgrade.
    pub hsts: Option<Box<HstsRecord>>,
    /// A `Refresh` header or meta refresh on a final response.
    pub refresh: Option<Box<RefreshSeen>>,
    pub set_cookies: Vec<SetCookie>,
    pub timing: Timing,
    pub warnings: Vec<Warning>,
}

impl Hop {
    /// Drops what only the hop's own display needed, once it has been shown: its headers (but
    /// the `Cookie` it sent, which loop diagnosis reads), the raw `Location` values, the reason
    /// phrase and version, the next method and the body it sent. A long chain in text mode keeps
    /// every hop for the analysis at its end; this keeps that small (under 1 KB a hop).
    pub fn shed_display_details(&mut self) {
        self.request_headers.retain(|(name, _)| name == "cookie");
        self.request_headers.shrink_to_fit();
        self.response_headers = Vec::new();
        self.locations = Vec::new();
        self.reason = String::new();
        self.http_version = String::new();
        if let Some(next) = &mut self.next {
            next.method = String::new();
        }
        self.request_body = None;
    }

    /// The first response header named `name` (lower case), as recorded.
    pub fn response_header(&self, name: &str) -> Option<&str> {
        self.response_headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The first request header named `name` (lower case), as sent.
    pub fn request_header(&self, name: &str) -> Option<&str> {
        self.request_headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The decision taken after a redirect response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextHop {
    pub url: Url,
    pub method: String,
    pub method_changed: bool,
    /// `None` when there was no body; otherwise whether it is replayed.
    pub body_kept: Option<bool>,
    pub stripped_headers: Vec<StrippedHeader>,
}

/// A header the next request will not carry, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StrippedHeader {
    pub name: String,
    pub reason: String,
}

/// One `Set-Cookie` field and what the jar did with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetCookie {
    pub raw: String,
    pub stored: bool,
    pub reason: Option<String>,
}

/// Where a refresh was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RefreshSource {
    Header,
    Meta,
}

/// A refresh a browser would follow after showing this response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefreshSeen {
    pub source: RefreshSource,
    /// The header value or the meta tag's `content`, as found.
    pub raw: String,
    pub delay_seconds: u64,
    /// The resolved target; the same page when the refresh names none.
    pub url: Url,
}

/// How the chain got to a hop.
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

/// Where a hop's time went.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timing {
    /// The DNS lookup, when one was made for this hop.
    pub dns: Option<Duration>,
    /// Opening a new connection (TCP, and TLS on https), when one was opened for this hop.
    pub connect: Option<Duration>,
    /// The TLS handshake of a new https connection: the part of `connect` after TCP.
    pub tls: Option<Duration>,
    /// Until the response head arrived (includes DNS, connect and TLS on a new connection).
    pub first_byte: Duration,
    /// Until the response body was read or discarded.
    pub total: Duration,
}

#[cfg(test)]
mod tests {
    use crate::model::testing::hop;

    #[test]
    fn a_shown_hop_keeps_what_analysis_reads() {
        let mut shown = hop(1, "http://a.test/", 302, Some("/b"));
        shown.request_headers = vec![
            ("host".into(), "a.test".into()),
            ("cookie".into(), "sid=1".into()),
        ];
        shown.locations = vec!["/b".into()];
        shown.reason = "Found".into();
        shown.shed_display_details();
        assert_eq!(shown.request_header("cookie"), Some("sid=1"));
        assert_eq!(shown.request_headers.len(), 1);
        assert!(shown.response_headers.is_empty() && shown.locations.is_empty());
        assert!(shown.reason.is_empty() && shown.http_version.is_empty());
        // What analysis reads stays: where the hop went, its status and URL.
        assert_eq!(shown.next.as_ref().unwrap().url.as_str(), "http://a.test/b");
        assert_eq!((shown.status, shown.url.as_str()), (302, "http://a.test/"));
    }
}
