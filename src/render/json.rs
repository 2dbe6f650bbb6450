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
//!     "proxy": "http://127.0.0.1:3128" | null,   // the proxy the request went through (password masked); null when direct
//!     "tls": null | {                  // https hops: the connection's TLS, null for http and synthetic hops
//!       "version": "TLSv1.3" | "TLSv1.2" | null,
//!       "cipher": "TLS13_AES_128_GCM_SHA256" | null,   // IANA name
//!       "alpn": "h2" | "http/1.1" | null,   // null when the server chose no protocol
//!       "new_connection": true,        // false: a connection an earlier hop opened (same facts)
//!       "client_certificate": null | "requested" | "sent",   // the server asked for one (mTLS): none sent, or --cert's
//!       "certificate": null | {        // the server's leaf certificate; null if unparseable
//!         "subject": "CN=shop.test", "issuer": "CN=...",
//!         "names": ["shop.test", "127.0.0.1"],   // subjectAltName DNS names and IP addresses
//!         "not_before": "2024-01-01T00:00:00Z", "not_after": "2025-01-01T00:00:00Z"   // RFC 3339
//!       }
//!     },
//!     "retried": null | "...",         // the first attempt's error, when the request was sent again because
//!                                      // its reused keep-alive connection closed before any answer
//!     "location": "/next" | null,      // raw value as received, escaped if not printable; several joined by commas
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
//!   "outcome": "ok" | "loop" | "too_many_redirects" | "bad_location" | "network_error" | "interrupted",
//!   "loop": null | {                  // set for a loop and for too many redirects
//!     "repeats_hop": 1 | null, "at_hop": 3 | null,   // hop 3 sent hop 1's request again and got the same answer; null at the limit
//!     "kind": "exact_repeat|scheme_flip|host_flip|trailing_slash_flip|cookie_not_stored|cookie_ignored|growing_url|volatile_repeat|long_chain",
//!     "hops": [1, 2],                // the hops that make up the cycle or repeating shape
//!     "method": "GET" | null, "url": "..." | null,   // the repeated request
//!     "title": "http ↔ https flip", "explanation": "...", "fix": "..."
//!   },
//!   "error": null | {"hop": 3, "kind": "loop|too_many_redirects|bad_location|dns|connect|tls|timeout|protocol|io|interrupted", "message": "..."},
//!   "final": null | {"status": 200, "url": "..."},   // null unless the outcome is "ok"
//!   "ok": true | false,              // the outcome is "ok" and every check passed
//!   "verdict": "OK: 2 redirects, final 200 at https://..." | "Loop between hop 2 and hop 4: ...",
//!   "redirects": 2, "time_ms": 12.3,
//!   "checks": [{"check": "expect-status", "expected": "200", "actual": "200", "ok": true, "hop": 3 | null}]
//! }
//! ```
//! `dns` is null when no lookup was made (an IP address, `--resolve`, a reused connection);
//! `connect` is null on a reused connection and includes the TLS handshake on https; `tls` is
//! that handshake alone (from the ClientHello to the connection being ready), null on plain http
//! and on a reused connection. Times are in milliseconds. Secrets (Authorization values, URL
//! passwords, cookie values, values of headers named like `X-Api-Key`) are redacted unless
//! `--show-secrets` is given. Control and bidi characters in strings are written as `\u` escapes
//! ([`super::escape`]), so a document printed on a terminal cannot act on it.

use std::io::{self, Write};

use serde::Serialize;

use crate::model::{
    Analysis, Chain, CheckResult, Hop, HstsRecord, LoopKind, OutcomeKind, Redactor, TlsRecord, Via,
    Warning, millis,
};

pub const SCHEMA_VERSION: u32 = 1;

/// One chain's JSON document, field for field the schema above (serde keeps declaration order).
#[derive(Debug, Serialize)]
pub struct Document<'a> {
    pub schema: u32,
    pub request: Request<'a>,
    pub hops: Vec<HopView<'a>>,
    pub outcome: OutcomeKind,
    #[serde(rename = "loop")]
    pub loop_: Option<LoopView<'a>>,
    pub error: Option<ErrorView>,
    #[serde(rename = "final")]
    pub final_: Option<Final>,
    /// The outcome is `ok` and every check passed.
    pub ok: bool,
    pub verdict: &'a str,
    pub redirects: usize,
    pub time_ms: f64,
    pub checks: &'a [CheckResult],
}

#[derive(Debug, Serialize)]
pub struct Request<'a> {
    pub method: &'a str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body_bytes: Option<usize>,
}

#[derive(Debug, Serialize)]
pub struct HopView<'a> {
    pub index: usize,
    pub method: &'a str,
    pub url: String,
    pub synthetic: bool,
    pub status: u16,
    pub reason: &'a str,
    pub http_version: &'a str,
    pub remote_addr: Option<String>,
    pub proxy: Option<String>,
    pub tls: Option<&'a TlsRecord>,
    pub retried: Option<String>,
    pub location: Option<String>,
    pub next_url: Option<String>,
    pub next_method: Option<&'a str>,
    pub body_kept: Option<bool>,
    pub stripped_headers: Vec<&'a str>,
    pub not_followed: Option<&'a str>,
    pub via: Via,
    pub hsts: Option<HstsView<'a>>,
    pub refresh: Option<RefreshView>,
    pub set_cookies: Vec<SetCookieView<'a>>,
    pub request_headers: Vec<(String, String)>,
    pub response_headers: Vec<(String, String)>,
    pub timing_ms: TimingView,
    pub warnings: &'a [Warning],
}

#[derive(Debug, Serialize)]
pub struct HstsView<'a> {
    pub header: Option<&'a str>,
    pub valid: bool,
    pub error: Option<&'a str>,
    pub max_age: Option<u64>,
    pub max_age_effective: Option<u64>,
    pub include_subdomains: bool,
    pub preload: bool,
    pub action: crate::model::HstsAction,
    pub ignored_reason: Option<&'a str>,
    pub upgrade: Option<UpgradeView<'a>>,
}

#[derive(Debug, Serialize)]
pub struct UpgradeView<'a> {
    pub source: String,
    pub matched: &'a str,
    pub include_subdomains: bool,
    pub from: String,
    pub to: String,
}

/// One `Set-Cookie` as received, its value redacted like the header's.
#[derive(Debug, Serialize)]
pub struct SetCookieView<'a> {
    pub raw: String,
    pub stored: bool,
    pub reason: Option<&'a str>,
}

#[derive(Debug, Serialize)]
pub struct RefreshView {
    pub source: crate::model::RefreshSource,
    pub raw: String,
    pub delay_seconds: u64,
    pub url: String,
}

#[derive(Debug, Serialize)]
pub struct TimingView {
    pub dns: Option<f64>,
    pub connect: Option<f64>,
    pub tls: Option<f64>,
    pub first_byte: f64,
    pub total: f64,
}

#[derive(Debug, Serialize)]
pub struct LoopView<'a> {
    pub repeats_hop: Option<usize>,
    pub at_hop: Option<usize>,
    pub kind: LoopKind,
    pub hops: &'a [usize],
    pub method: Option<&'a str>,
    pub url: Option<String>,
    pub title: &'a str,
    pub explanation: &'a str,
    pub fix: &'a str,
}

#[derive(Debug, Serialize)]
pub struct ErrorView {
    pub hop: usize,
    pub kind: crate::model::ErrorKind,
    pub message: String,
}

#[derive(Debug, Serialize)]
pub struct Final {
    pub status: u16,
    pub url: String,
}

/// The chain and its analysis as one JSON document.
pub fn document<'a>(chain: &'a Chain, analysis: &'a Analysis, redactor: Redactor) -> Document<'a> {
    let loop_info = chain.outcome.loop_info();
    Document {
        schema: SCHEMA_VERSION,
        request: Request {
            method: &chain.request.method,
            url: redactor.url(&chain.request.url),
            headers: redactor.headers(&chain.request.headers),
            body_bytes: chain.request.body_bytes,
        },
        hops: chain
            .hops
            .iter()
            .map(|hop| hop_view(hop, redactor))
            .collect(),
        outcome: chain.outcome.kind(),
        loop_: analysis.diagnosis.as_ref().map(|diagnosis| LoopView {
            repeats_hop: loop_info.map(|info| info.repeats_hop),
            at_hop: loop_info.map(|info| info.at_hop),
            kind: diagnosis.kind,
            hops: &diagnosis.hops,
            method: loop_info.map(|info| info.method.as_str()),
            url: loop_info.map(|info| redactor.url(&info.url)),
            title: &diagnosis.title,
            explanation: &diagnosis.explanation,
            fix: &diagnosis.fix,
        }),
        error: chain.outcome.error().map(|error| ErrorView {
            hop: error.hop,
            kind: error.kind,
            message: redactor.text(error.message),
        }),
        final_: chain.final_response().map(|hop| Final {
            status: hop.status,
            url: redactor.url(&hop.url),
        }),
        ok: chain.outcome.is_final() && analysis.failed_checks().next().is_none(),
        verdict: &analysis.verdict,
        redirects: chain.redirects(),
        time_ms: millis(chain.time),
        checks: &analysis.checks,
    }
}

/// Writes the document as one line.
pub fn render(
    chain: &Chain,
    analysis: &Analysis,
    redactor: Redactor,
    out: &mut dyn Write,
) -> io::Result<()> {
    super::escape::to_writer(&mut *out, &document(chain, analysis, redactor))?;
    writeln!(out)
}

fn hop_view(hop: &Hop, redactor: Redactor) -> HopView<'_> {
    HopView {
        index: hop.index,
        method: &hop.method,
        url: redactor.url(&hop.url),
        synthetic: hop.synthetic,
        status: hop.status,
        reason: &hop.reason,
        http_version: &hop.http_version,
        remote_addr: hop.remote_addr.map(|addr| addr.to_string()),
        proxy: hop.proxy.as_deref().map(|proxy| redactor.text(proxy)),
        tls: hop.tls.as_deref(),
        // A message: masked even with --show-secrets, as the error message is.
        retried: hop
            .retried
            .as_deref()
            .map(|error| Redactor::default().text(error)),
        location: (!hop.locations.is_empty()).then(|| {
            let shown: Vec<String> = hop.locations.iter().map(|l| redactor.text(l)).collect();
            shown.join(", ")
        }),
        next_url: hop.next.as_ref().map(|next| redactor.url(&next.url)),
        next_method: hop.next.as_ref().map(|next| next.method.as_str()),
        body_kept: hop.next.as_ref().and_then(|next| next.body_kept),
        stripped_headers: hop.next.as_ref().map_or(Vec::new(), |next| {
            next.stripped_headers
                .iter()
                .map(|s| s.name.as_str())
                .collect()
        }),
        not_followed: hop.not_followed.as_deref(),
        via: hop.via,
        hsts: hop.hsts.as_ref().map(|record| hsts_view(record, redactor)),
        refresh: hop.refresh.as_ref().map(|refresh| RefreshView {
            source: refresh.source,
            raw: redactor.text(&refresh.raw),
            delay_seconds: refresh.delay_seconds,
            url: redactor.url(&refresh.url),
        }),
        set_cookies: hop
            .set_cookies
            .iter()
            .map(|cookie| SetCookieView {
                raw: redactor.set_cookie(&cookie.raw),
                stored: cookie.stored,
                reason: cookie.reason.as_deref(),
            })
            .collect(),
        request_headers: redactor.headers(&hop.request_headers),
        response_headers: redactor.headers(&hop.response_headers),
        timing_ms: TimingView {
            dns: hop.timing.dns().map(millis),
            connect: hop.timing.connect().map(millis),
            tls: hop.timing.tls().map(millis),
            first_byte: millis(hop.timing.first_byte()),
            total: millis(hop.timing.total()),
        },
        warnings: &hop.warnings,
    }
}

fn hsts_view(record: &HstsRecord, redactor: Redactor) -> HstsView<'_> {
    HstsView {
        header: record.header.as_deref(),
        valid: record.valid,
        error: record.error.as_deref(),
        max_age: record.max_age,
        max_age_effective: record.max_age_effective,
        include_subdomains: record.include_subdomains,
        preload: record.preload,
        action: record.action,
        ignored_reason: record.ignored_reason.as_deref(),
        upgrade: record.upgrade.as_ref().map(|upgrade| UpgradeView {
            source: upgrade.source.to_string(),
            matched: &upgrade.matched,
            include_subdomains: upgrade.include_subdomains,
            from: redactor.url(&upgrade.from),
            to: redactor.url(&upgrade.to),
        }),
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use serde_json::Value;
    use time::OffsetDateTime;
    use url::Url;

    use super::*;
    use crate::model::{
        CertificateInfo, Diagnosis, HstsAction, HstsSource, HstsUpgrade, RefreshSeen,
        RefreshSource, SetCookie, StrippedHeader, Warning, WarningCode, testing,
    };

    /// A document with every optional part filled in, consistent or not: each field shows.
    fn full_document() -> Value {
        let url = |s: &str| Url::parse(s).unwrap();
        let mut hop = testing::hop(1, "https://a.test/", 302, Some("https://a.test/next"));
        hop.timing
            .set_setup(Some(Duration::from_millis(1)), None, None);
        hop.retried = Some("connection closed before message completed".into());
        hop.proxy = Some("http://u:pw@127.0.0.1:3128".into());
        hop.tls = Some(Box::new(TlsRecord {
            version: Some("TLSv1.3".into()),
            cipher: Some("TLS13_AES_128_GCM_SHA256".into()),
            alpn: Some("h2".into()),
            new_connection: true,
            client_certificate: Some(crate::model::ClientCertificate::Sent),
            certificate: Some(CertificateInfo {
                subject: "CN=a.test".into(),
                issuer: "CN=CA".into(),
                names: vec!["a.test".into()],
                not_before: OffsetDateTime::UNIX_EPOCH,
                not_after: OffsetDateTime::UNIX_EPOCH,
            }),
        }));
        hop.next.as_mut().unwrap().stripped_headers = vec![StrippedHeader {
            name: "authorization".into(),
            reason: "origin changed".into(),
        }];
        hop.hsts = Some(Box::new(HstsRecord {
            header: Some("max-age=1".into()),
            valid: true,
            action: HstsAction::Noted,
            upgrade: Some(HstsUpgrade {
                source: HstsSource::Preload,
                matched: "a.test".into(),
                include_subdomains: true,
                from: url("http://a.test/"),
                to: url("https://a.test/"),
            }),
            ..HstsRecord::default()
        }));
        hop.refresh = Some(Box::new(RefreshSeen {
            source: RefreshSource::Meta,
            raw: "0; url=/next".into(),
            delay_seconds: 0,
            url: url("https://a.test/next"),
        }));
        hop.set_cookies = vec![SetCookie {
            raw: "a=1".into(),
            stored: true,
            reason: None,
        }];
        hop.warnings = vec![Warning::new(WarningCode::HttpsDowngrade, "x")];
        let chain = testing::looped(vec![hop], 1);
        let analysis = Analysis {
            diagnosis: Some(Diagnosis {
                kind: LoopKind::ExactRepeat,
                hops: vec![1],
                title: "t".into(),
                explanation: "e".into(),
                fix: "f".into(),
            }),
            checks: vec![CheckResult {
                check: "expect-status",
                expected: "200".into(),
                actual: "302".into(),
                ok: false,
                hop: Some(1),
            }],
            headline: "h".into(),
            verdict: "v".into(),
        };
        let mut value = serde_json::to_value(document(&chain, &analysis, Redactor::default()))
            .expect("the document serialises");
        // A loop has no final response; the schema still names the field's shape.
        value["final"] = serde_json::json!({"status": 200, "url": "https://a.test/"});
        value
    }

    /// Every object key, depth first, in document order (an array's first element stands for all).
    fn keys(value: &Value, out: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    out.push(key.clone());
                    keys(child, out);
                }
            }
            Value::Array(items) => {
                if let Some(first) = items.first().filter(|item| item.is_object()) {
                    keys(first, out);
                }
            }
            _ => {}
        }
    }

    /// The `"name":` keys of a schema listing, in the order written (comments included).
    fn schema_keys(listing: &str) -> Vec<String> {
        let mut found = Vec::new();
        let mut rest = listing;
        while let Some(start) = rest.find('"') {
            let after = &rest[start + 1..];
            let Some(end) = after.find('"') else { break };
            let word = &after[..end];
            let tail = after[end + 1..].trim_start();
            if tail.starts_with(':') && !word.is_empty() && !word.contains(' ') {
                found.push(word.to_owned());
            }
            rest = &after[end + 1..];
        }
        found
    }

    fn listing_between<'a>(text: &'a str, start: &str) -> &'a str {
        let from = text.find(start).expect("the schema listing") + start.len();
        let to = text[from..].find("```").expect("the listing's end") + from;
        &text[from..to]
    }

    /// The README's schema, this module's documented schema and the structs are one and the same.
    #[test]
    fn documented_schemas_match_the_structs() {
        let mut serialised = Vec::new();
        keys(&full_document(), &mut serialised);
        let readme = include_str!("../../README.md");
        let schema_section = &readme[readme.find("Schema 1 (the `schema` field").unwrap()..];
        let readme_listing = listing_between(schema_section, "```");
        assert_eq!(schema_keys(readme_listing), serialised, "README.md");
        let module_doc: String = include_str!("json.rs")
            .lines()
            .filter_map(|line| line.strip_prefix("//!"))
            .collect::<Vec<_>>()
            .join("\n");
        let module_listing = listing_between(&module_doc, "```text");
        assert_eq!(
            schema_keys(module_listing),
            serialised,
            "src/render/json.rs"
        );
    }
}
