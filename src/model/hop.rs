//! One hop: a request (or an HSTS upgrade made without one), its response, and where it led.

use std::net::SocketAddr;
use std::num::NonZeroU64;
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

/// Where a hop's time went. Kept as nanoseconds in 8 bytes each (a `Duration` takes 16, and a
/// hop of a 100,000-hop chain is counted in bytes); read and set as `Duration`s.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timing {
    dns: Nanos,
    connect: Nanos,
    tls: Nanos,
    first_byte: Nanos,
    total: Nanos,
}

/// A duration in nanoseconds plus one, so that `None` takes no room (584 years at most).
type Nanos = Option<NonZeroU64>;

fn to_nanos(duration: Option<Duration>) -> Nanos {
    let nanos = u64::try_from(duration?.as_nanos()).unwrap_or(u64::MAX - 1);
    NonZeroU64::new(nanos + 1)
}

fn from_nanos(nanos: Nanos) -> Option<Duration> {
    nanos.map(|n| Duration::from_nanos(n.get() - 1))
}

impl Timing {
    /// The DNS lookup, when one was made for this hop.
    pub fn dns(&self) -> Option<Duration> {
        from_nanos(self.dns)
    }

    /// Opening a new connection (TCP, and TLS on https), when one was opened for this hop.
    pub fn connect(&self) -> Option<Duration> {
        from_nanos(self.connect)
    }

    /// The TLS handshake of a new https connection: the part of `connect` after TCP.
    pub fn tls(&self) -> Option<Duration> {
        from_nanos(self.tls)
    }

    /// Until the response head arrived (includes DNS, connect and TLS on a new connection).
    pub fn first_byte(&self) -> Duration {
        from_nanos(self.first_byte).unwrap_or_default()
    }

    /// Until the response body was read or discarded.
    pub fn total(&self) -> Duration {
        from_nanos(self.total).unwrap_or_default()
    }

    /// What opening the connection took, when one was opened (or looked up) for this hop.
    pub fn set_setup(
        &mut self,
        dns: Option<Duration>,
        connect: Option<Duration>,
        tls: Option<Duration>,
    ) {
        self.dns = to_nanos(dns);
        self.connect = to_nanos(connect);
        self.tls = to_nanos(tls);
    }

    pub fn set_first_byte(&mut self, first_byte: Duration) {
        self.first_byte = to_nanos(Some(first_byte));
    }

    pub fn set_total(&mut self, total: Duration) {
        self.total = to_nanos(Some(total));
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use crate::model::testing::hop;

    #[test]
    fn timings_keep_their_nanoseconds_and_none_stays_none() {
        let mut timing = super::Timing::default();
        assert_eq!((timing.dns(), timing.total()), (None, Duration::ZERO));
        let zero = Some(Duration::ZERO);
        timing.set_setup(zero, Some(Duration::from_nanos(1_234_567)), None);
        timing.set_total(Duration::from_secs(3600));
        assert_eq!(timing.dns(), zero);
        assert_eq!(timing.connect(), Some(Duration::from_nanos(1_234_567)));
        assert_eq!(timing.tls(), None);
        assert_eq!(timing.total(), Duration::from_secs(3600));
    }

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
