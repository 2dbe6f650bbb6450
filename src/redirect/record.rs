//! Recording a hop: the headers as they went out and came back, shown as text (escaped where
//! not printable), and the synthetic hop of an HSTS upgrade, as browser devtools show it.

use std::time::SystemTime;

use bytes::Bytes;
use reqwest::header::{self, HeaderMap};
use url::Url;

use super::location::escape_bytes;
use super::request::{Outgoing, PlannedRequest};
use crate::hsts::Match;
use crate::model::{Hop, HstsRecord, HstsUpgrade, NextHop, Timing, Via};

/// The "307 Internal Redirect" hop of an upgrade from `request`'s http URL to `to`, which the
/// HSTS entry `found` called for. No request was sent for it.
pub(super) fn upgrade_hop(
    index: usize,
    request: &PlannedRequest,
    via: Via,
    found: Match,
    to: &Url,
    now: SystemTime,
) -> Hop {
    Hop {
        index,
        method: request.method.to_string(),
        url: request.url.clone(),
        request_headers: Vec::new(),
        body_bytes: request.body.as_ref().map(Bytes::len),
        request_body: None,
        started_at: now,
        status: 307,
        reason: "Internal Redirect".into(),
        http_version: String::new(),
        remote_addr: None,
        proxy: None,
        tls: None,
        retried: None,
        response_headers: vec![
            ("location".into(), to.to_string()),
            ("non-authoritative-reason".into(), "HSTS".into()),
        ],
        locations: vec![to.to_string()],
        next: Some(NextHop {
            url: to.clone(),
            method: request.method.to_string(),
            method_changed: false,
            body_kept: request.body.as_ref().map(|_| true),
            stripped_headers: Vec::new(),
        }),
        not_followed: None,
        via,
        synthetic: true,
        hsts: Some(Box::new(HstsRecord {
            upgrade: Some(HstsUpgrade {
                source: found.source,
                matched: found.matched,
                include_subdomains: found.include_subdomains,
                from: request.url.clone(),
                to: to.clone(),
            }),
            ..HstsRecord::default()
        })),
        refresh: None,
        set_cookies: Vec::new(),
        timing: Timing::default(),
        warnings: Vec::new(),
    }
}

/// The request's headers as they go out: the ones hops set, plus `Host` and `Content-Length`,
/// which the HTTP library adds, so `-v` and the JSON show everything that was sent.
pub(super) fn headers_as_sent(url: &Url, sent: &Outgoing) -> Vec<(String, String)> {
    let mut pairs = header_pairs(&sent.headers);
    if !sent.headers.contains_key(header::HOST) {
        let host = url.host_str().unwrap_or_default();
        let authority = match url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        pairs.insert(0, ("host".to_owned(), authority));
    }
    if let Some(body) = &sent.body {
        if !sent.headers.contains_key(header::CONTENT_LENGTH) {
            pairs.push(("content-length".to_owned(), body.len().to_string()));
        }
    }
    pairs
}

pub(super) fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value)| (name.as_str().to_owned(), escape_if_needed(value.as_bytes())))
        .collect()
}

/// Header bytes as text: unchanged when printable, escaped (quoted) otherwise.
pub fn escape_if_needed(bytes: &[u8]) -> String {
    if bytes.iter().all(|b| (0x20..0x7f).contains(b)) {
        String::from_utf8_lossy(bytes).into_owned()
    } else {
        escape_bytes(bytes)
    }
}
