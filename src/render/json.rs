//! The machine-readable chain (`--format json`): one JSON document per traced URL, one per line.
//!
//! The schema is versioned by `"schema"`; a field is never removed or changed in meaning without
//! a new version. Documents are the same on success and on every failure. Schema 1:
//!
//! ```text
//! {
//!   "schema": 1,
//!   "request": {"method": "POST", "url": "...", "headers": [["name", "value"]], "body_bytes": 10 | null},
//!   "hops": [{
//!     "index": 1,                      // 1-based
//!     "method": "POST", "url": "...",  // the request of this hop (fragment shown, never sent)
//!     "synthetic": false,              // true for an HSTS upgrade: 307 Internal Redirect, no request sent
//!     "status": 307, "reason": "Temporary Redirect", "http_version": "HTTP/1.1",
//!     "remote_addr": "127.0.0.1:8080" | null,
//!     "tls": null | {                  // https hops: the connection's TLS, null for http and synthetic hops
//!       "version": "TLSv1.3" | "TLSv1.2" | null,
//!       "cipher": "TLS13_AES_128_GCM_SHA256" | null,   // IANA name
//!       "alpn": "h2" | "http/1.1" | null,   // null when the server chose no protocol
//!       "new_connection": true,        // false: a connection an earlier hop opened (same facts)
//!       "certificate": null | {        // the server's leaf certificate; null if unparseable
//!         "subject": "CN=shop.test", "issuer": "CN=...",
//!         "names": ["shop.test", "127.0.0.1"],   // subjectAltName DNS names and IP addresses
//!         "not_before": "2024-01-01T00:00:00Z", "not_after": "2025-01-01T00:00:00Z"   // RFC 3339
//!       }
//!     },
//!     "location": "/next" | null,      // raw value as received, escaped if not printable
//!     "next_url": "http://.../next" | null,  // resolved target, null when not followed
//!     "next_method": "POST" | null,
//!     "body_kept": true | false | null,      // null when there was no body or no next hop
//!     "stripped_headers": ["authorization"], // lower-case names removed for the next hop
//!     "not_followed": "..." | null,          // why a Location or redirect status was not followed
//!     "via": "start" | "redirect" | "refresh",  // how the chain got to this hop
//!     "hsts": null | {                 // a Strict-Transport-Security header received, or an upgrade
//!       "header": "max-age=31536000" | null, "valid": true, "error": null | "...",
//!       "max_age": 31536000 | null, "max_age_effective": 31536000 | null,   // capped at one year
//!       "include_subdomains": false, "preload": false,
//!       "action": "noted|updated|removed|ignored|none", "ignored_reason": null | "...",
//!       "upgrade": null | {"source": "the Chromium preload list", "matched": "example.com",
//!                          "include_subdomains": true, "from": "http://...", "to": "https://..."}
//!     },
//!     "refresh": null | {"source": "header" | "meta", "raw": "0; url=/next", "delay_seconds": 0, "url": "http://.../next"},
//!     "set_cookies": [{"raw": "...", "stored": true, "reason": null | "..."}],
//!     "request_headers": [["name", "value"]],
//!     "response_headers": [["name", "value"]],
//!     "timing_ms": {"dns": null, "connect": null, "tls": null, "first_byte": 1.0, "total": 1.3},
//!     "warnings": [{"code": "https_downgrade", "message": "..."}]
//!   }],
//!   "outcome": "ok" | "loop" | "too_many_redirects" | "bad_location" | "network_error",
//!   "loop": null | {                  // set for a loop and for too many redirects
//!     "repeats_hop": 1 | null, "at_hop": 3 | null,   // null when the limit was hit without an exact repeat
//!     "kind": "exact_repeat|scheme_flip|host_flip|trailing_slash_flip|cookie_not_stored|cookie_ignored|growing_url|volatile_repeat|long_chain",
//!     "hops": [1, 2],                // the hops that make up the cycle or repeating shape
//!     "method": "GET" | null, "url": "..." | null,   // the request that was not sent
//!     "title": "http ↔ https flip", "explanation": "...", "fix": "..."
//!   },
//!   "error": null | {"hop": 3, "kind": "loop|too_many_redirects|bad_location|dns|connect|tls|timeout|protocol|io", "message": "..."},
//!   "final": null | {"status": 200, "url": "..."},   // null unless the outcome is "ok"
//!   "verdict": "OK: 2 redirects, final 200 at https://..." | "Loop between hop 2 and hop 4: ...",
//!   "redirects": 2, "time_ms": 12.3,
//!   "checks": [{"check": "expect-status", "expected": "200", "actual": "200", "ok": true, "hop": 3 | null}]
//! }
//! ```
//! `dns` is null when no lookup was made (an IP address, `--resolve`, a reused connection);
//! `connect` is null on a reused connection and includes the TLS handshake on https; `tls` is
//! that handshake alone (from the ClientHello to the connection being ready), null on plain http
//! and on a reused connection. Times are in milliseconds. Secrets (Authorization values, URL
//! passwords) are redacted unless `--show-secrets` is given.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Value, json};

use super::Redaction;
use crate::checks::CheckResult;
use crate::record::millis;
use crate::record::{Chain, Hop, Outcome};

pub const SCHEMA_VERSION: u32 = 1;

/// The chain as one JSON value.
pub fn document(chain: &Chain, checks: &[CheckResult], redaction: Redaction) -> Value {
    let final_response = chain
        .last_response()
        .filter(|_| chain.outcome == Outcome::Ok)
        .map(|hop| json!({"status": hop.status, "url": redaction.url(&hop.url)}));
    json!({
        "schema": SCHEMA_VERSION,
        "request": {
            "method": chain.request.method,
            "url": redaction.url(&chain.request.url),
            "headers": headers(&chain.request.headers, redaction),
            "body_bytes": chain.request.body_bytes,
        },
        "hops": chain.hops.iter().map(|hop| hop_value(hop, redaction)).collect::<Vec<_>>(),
        "outcome": chain.outcome,
        "loop": chain.diagnosis.as_ref().map(|diagnosis| json!({
            "repeats_hop": chain.loop_info.as_ref().map(|info| info.repeats_hop),
            "at_hop": chain.loop_info.as_ref().map(|info| info.at_hop),
            "kind": diagnosis.kind,
            "hops": diagnosis.hops,
            "method": chain.loop_info.as_ref().map(|info| &info.method),
            "url": chain.loop_info.as_ref().map(|info| redaction.url(&info.url)),
            "title": diagnosis.title,
            "explanation": diagnosis.explanation,
            "fix": diagnosis.fix,
        })),
        "error": chain.error.as_ref().map(|error| json!({
            "hop": error.hop,
            "kind": error.kind,
            "message": redaction.url(&error.message),
        })),
        "final": final_response,
        "verdict": redaction.url(&crate::diagnose::verdict(chain, chain.diagnosis.as_ref())),
        "redirects": chain.redirects(),
        "time_ms": millis(chain.time),
        "checks": checks,
    })
}

pub fn render(
    chain: &Chain,
    checks: &[CheckResult],
    redaction: Redaction,
    out: &mut dyn Write,
) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &document(chain, checks, redaction))?;
    writeln!(out)
}

fn hop_value(hop: &Hop, redaction: Redaction) -> Value {
    json!({
        "index": hop.index,
        "method": hop.method,
        "url": redaction.url(&hop.url),
        "synthetic": hop.synthetic,
        "status": hop.status,
        "reason": hop.reason,
        "http_version": hop.http_version,
        "remote_addr": hop.remote_addr.map(|addr| addr.to_string()),
        "tls": hop.tls,
        "location": hop.location.as_deref().map(|l| redaction.url(l)),
        "next_url": hop.next.as_ref().map(|next| redaction.url(&next.url)),
        "next_method": hop.next.as_ref().map(|next| &next.method),
        "body_kept": hop.next.as_ref().and_then(|next| next.body_kept),
        "stripped_headers": hop.next.as_ref().map_or(Vec::new(), |next| {
            next.stripped_headers.iter().map(|s| s.name.clone()).collect()
        }),
        "not_followed": hop.not_followed,
        "via": hop.via,
        "hsts": hop.hsts.as_ref().map(|record| {
            let mut value = json!(record);
            if let Some(upgrade) = value.get_mut("upgrade").filter(|u| u.is_object()) {
                for key in ["from", "to"] {
                    if let Some(Value::String(url)) = upgrade.get_mut(key) {
                        *url = redaction.url(url);
                    }
                }
            }
            value
        }),
        "refresh": hop.refresh.as_ref().map(|refresh| json!({
            "source": refresh.source,
            "raw": redaction.url(&refresh.raw),
            "delay_seconds": refresh.delay_seconds,
            "url": redaction.url(&refresh.url),
        })),
        "set_cookies": hop.set_cookies,
        "request_headers": headers(&hop.request_headers, redaction),
        "response_headers": headers(&hop.response_headers, redaction),
        "timing_ms": Timing {
            dns: hop.timing.dns.map(millis),
            connect: hop.timing.connect.map(millis),
            tls: hop.timing.tls.map(millis),
            first_byte: millis(hop.timing.first_byte),
            total: millis(hop.timing.total),
        },
        "warnings": hop.warnings,
    })
}

#[derive(Serialize)]
struct Timing {
    dns: Option<f64>,
    connect: Option<f64>,
    tls: Option<f64>,
    first_byte: f64,
    total: f64,
}

fn headers(pairs: &[(String, String)], redaction: Redaction) -> Vec<[String; 2]> {
    pairs
        .iter()
        .map(|(name, value)| [name.clone(), redaction.header_value(name, value)])
        .collect()
}
