//! The hop loop's HSTS steps: the synthetic upgrade hop before a plain-http request to a known
//! host, applying each `Strict-Transport-Security` header received, and the chain-level hints.

use std::time::SystemTime;

use bytes::Bytes;
use reqwest::header::{HeaderMap, HeaderValue};
use url::Url;

use super::{Tracer, escape_if_needed};
use crate::hsts;
use crate::policy::PlannedRequest;
use crate::record::{Hop, HstsRecord, HstsUpgrade, NextHop, Timing, Via, Warning};

impl Tracer<'_> {
    /// Before a plain-http request to a known HSTS host: the synthetic hop browsers show
    /// ("307 Internal Redirect"), with `current` moved to https. No request is sent.
    ///
    /// The hop before, if it redirected from https, keeps its `https_downgrade` warning (the
    /// Location is still wrong), reworded: this request did not travel in clear text.
    pub(super) fn hsts_upgrade(
        &mut self,
        index: usize,
        current: &mut PlannedRequest,
        via: Via,
    ) -> Option<Hop> {
        if current.url.scheme() != "http" {
            return None;
        }
        let found = self
            .hsts
            .lookup(current.url.host_str()?, SystemTime::now())?;
        let upgraded = hsts::upgrade(&current.url)?;
        let (from, to) = (current.url.to_string(), upgraded.to_string());
        if let Some(previous) = self.hops.last_mut() {
            for warning in &mut previous.warnings {
                if warning.code == "https_downgrade" {
                    warning.message = format!(
                        "redirect from https to http: HSTS upgrades the next request back to https \
                         (hop {index}), but a client without this HSTS entry would send it and get \
                         its answer in clear text"
                    );
                }
            }
        }
        let hop = Hop {
            index,
            method: current.method.to_string(),
            url: from.clone(),
            request_headers: Vec::new(),
            body_bytes: current.body.as_ref().map(Bytes::len),
            request_body: None,
            started_at: SystemTime::now(),
            status: 307,
            reason: "Internal Redirect".into(),
            http_version: String::new(),
            remote_addr: None,
            tls: None,
            response_headers: vec![
                ("location".into(), to.clone()),
                ("non-authoritative-reason".into(), "HSTS".into()),
            ],
            location: Some(to.clone()),
            next: Some(NextHop {
                url: to.clone(),
                method: current.method.to_string(),
                method_changed: false,
                body_kept: current.body.as_ref().map(|_| true),
                stripped_headers: Vec::new(),
            }),
            not_followed: None,
            via,
            synthetic: true,
            hsts: Some(HstsRecord {
                action: "none",
                upgrade: Some(HstsUpgrade {
                    source: found.source.to_string(),
                    matched: found.matched,
                    include_subdomains: found.include_subdomains,
                    from,
                    to,
                }),
                ..HstsRecord::default()
            }),
            refresh: None,
            set_cookies: Vec::new(),
            timing: Timing::default(),
            warnings: Vec::new(),
        };
        // The client upgrades its own request: method, body and headers stay as they are.
        current.url = upgraded;
        Some(hop)
    }

    /// Applies the first `Strict-Transport-Security` header of a response, as a browser would.
    pub(super) fn observe_sts(
        &mut self,
        url: &Url,
        headers: &HeaderMap,
        warnings: &mut Vec<Warning>,
    ) -> Option<HstsRecord> {
        let values: Vec<&[u8]> = headers
            .get_all("strict-transport-security")
            .iter()
            .map(HeaderValue::as_bytes)
            .collect();
        let parsed = hsts::first_sts(&values)?;
        let mut record = HstsRecord {
            header: Some(escape_if_needed(values[0])),
            action: "ignored",
            ..HstsRecord::default()
        };
        let sts = match parsed {
            Ok(sts) => sts,
            Err(error) => {
                record.error = Some(error.to_string());
                record.ignored_reason = Some("invalid header: browsers ignore all of it".into());
                warnings.push(Warning::new(
                    "hsts_invalid",
                    format!("Strict-Transport-Security is invalid and ignored: {error}"),
                ));
                return Some(record);
            }
        };
        record.valid = true;
        record.max_age = Some(sts.max_age);
        record.max_age_effective = Some(sts.effective_max_age());
        record.include_subdomains = sts.include_subdomains;
        record.preload = sts.preload;
        let ignored = if url.scheme() != "https" {
            Some((
                "hsts_over_http",
                "received over plain http: browsers only accept it over https (RFC 6797 §8.1)",
            ))
        } else if self.config.connection.insecure {
            Some((
                "hsts_insecure",
                "certificate checks were off (-k): browsers ignore it on a connection with certificate errors",
            ))
        } else {
            None
        };
        if let Some((code, reason)) = ignored {
            record.ignored_reason = Some(reason.into());
            warnings.push(Warning::new(
                code,
                format!("Strict-Transport-Security ignored: {reason}"),
            ));
            return Some(record);
        }
        let host = url.host_str().unwrap_or_default();
        record.action = match self.hsts.observe(host, &sts, SystemTime::now()) {
            hsts::Action::Noted => "noted",
            hsts::Action::Updated => "updated",
            hsts::Action::Removed => "removed",
            hsts::Action::None => "none",
            hsts::Action::NotApplicable => {
                record.ignored_reason =
                    Some("HSTS never applies to IP addresses or localhost".into());
                "ignored"
            }
        };
        if record.action != "ignored" && sts.max_age > 0 {
            if sts.max_age < hsts::MAX_AGE_CAP {
                warnings.push(Warning::new(
                    "hsts_short_max_age",
                    format!(
                        "HSTS max-age is {} ({} s): less than a year leaves returning visitors exposed once it lapses",
                        human_duration(sts.max_age),
                        sts.max_age
                    ),
                ));
            }
            if !sts.include_subdomains {
                warnings.push(Warning::new(
                    "hsts_no_include_subdomains",
                    "HSTS without includeSubDomains: subdomains (and cookies set for them) can still be reached over plain http",
                ));
            }
        }
        Some(record)
    }
}

/// Chain-level HSTS hints: a first visit over plain http that no policy covers, and whether the
/// site meets hstspreload.org's rules when the chain starts at http.
pub(super) fn add_hsts_hints(hops: &mut [Hop]) {
    let Some(first) = hops.first() else {
        return;
    };
    let Ok(start) = Url::parse(&first.url) else {
        return;
    };
    if start.scheme() != "http" || first.synthetic {
        return;
    }
    let Some(host) = start.host_str().and_then(hsts::normalize_host) else {
        return;
    };
    let same_host_https = |url: &str| {
        Url::parse(url).is_ok_and(|u| {
            u.scheme() == "https"
                && u.host_str().and_then(hsts::normalize_host).as_deref() == Some(host.as_str())
        })
    };
    if !hops.iter().any(|hop| same_host_https(&hop.url)) {
        return;
    }
    hops[0].warnings.push(Warning::new(
        "hsts_first_visit",
        format!(
            "the first request goes over plain http and no HSTS policy covers {host}: it can be intercepted \
             before the redirect to https (preloading the domain closes this gap)"
        ),
    ));
    let redirects_to_same_host_https = hops[0]
        .next
        .as_ref()
        .is_some_and(|next| same_host_https(&next.url));
    let Some(carrier) = hops
        .iter()
        .position(|hop| same_host_https(&hop.url) && hop.hsts.as_ref().is_some_and(|h| h.valid))
    else {
        return;
    };
    let record = hops[carrier].hsts.clone().unwrap_or_default();
    let sts = hsts::Sts {
        max_age: record.max_age.unwrap_or_default(),
        include_subdomains: record.include_subdomains,
        preload: record.preload,
    };
    let mut problems = hsts::preload_eligibility(&sts);
    if !redirects_to_same_host_https {
        problems.insert(
            0,
            format!("http://{host} must first redirect to https://{host} (same host)"),
        );
    }
    let warning = if problems.is_empty() {
        Warning::new(
            "hsts_preload_eligible",
            format!(
                "{host} meets hstspreload.org's rules for the preload list (for a registrable domain)"
            ),
        )
    } else {
        Warning::new(
            "hsts_preload_not_eligible",
            format!("{host} cannot be preloaded yet: {}", problems.join("; ")),
        )
    };
    hops[carrier].warnings.push(warning);
}

fn human_duration(seconds: u64) -> String {
    match seconds {
        0..=119 => format!("{seconds} seconds"),
        120..=7199 => format!("{} minutes", seconds / 60),
        7200..=172_799 => format!("{} hours", seconds / 3600),
        _ => format!("{} days", seconds / 86_400),
    }
}
