//! The hop navigator: every decision of the hop loop, as a state machine that does no I/O.
//!
//! It is given the start request, then each response head (and, for a final response, the start
//! of its body), and answers with the next action: send this request, record this synthetic HSTS
//! hop, or stop with this outcome. The driver in `trace` sends, times and reads; it holds no
//! redirect rule. So a whole chain's decisions can be table-tested without a network, and the
//! same navigator serves one chain in a terminal and every row of a bulk check.
//!
//! The order of the checks before each request is part of the rules (docs/rules.md §6, §7):
//! an HSTS upgrade first (it rewrites the URL the loop check compares), then the exact-repeat
//! check, then the URL-growth check.

use std::net::SocketAddr;
use std::time::SystemTime;

use bytes::Bytes;
use reqwest::header::{self, HeaderMap, HeaderValue};
use url::Url;

use super::location::{LocationError, pick_location, resolve_location};
use super::loops::{AnswerKey, History, RequestKey};
use super::method::BodyFate;
use super::record::{escape_if_needed, header_pairs, headers_as_sent, upgrade_hop};
use super::refresh::{HTML_PREFIX_LIMIT, find_meta_refresh, parse_refresh};
pub use super::request::Outgoing;
use super::request::{
    FollowOptions, PlannedRequest, auto_referer, next_request, outgoing_headers, wire_url,
};
use super::status::{is_followed_status, not_followed_reason};
use crate::cookies::Jar;
use crate::hsts::{self, HstsStore};
use crate::model::{
    Hop, HstsRecord, LoopInfo, NextHop, Outcome, Redactor, RefreshSeen, RefreshSource, Timing, Via,
    Warning, WarningCode,
};

/// What the user chose about following, as the navigator needs it.
#[derive(Debug, Clone, Default)]
pub struct NavigatorOptions {
    pub follow: FollowOptions,
    /// `--max-redirs`: how many redirects may be followed; 0 reports the first without following.
    pub max_redirects: u32,
    /// `--follow-refresh`: a `Refresh` header or meta refresh is followed as a GET.
    pub follow_refresh: bool,
    /// `-e URL`: sent on the first hop, and on later hops unless `referer_auto` replaces it.
    pub referer: Option<HeaderValue>,
    /// `-e ';auto'`: later hops send the previous hop's URL.
    pub referer_auto: bool,
    /// Certificates are checked (no `-k`): only then does a `Strict-Transport-Security` count.
    pub certificates_checked: bool,
    /// The cookies given with `-b name=value`: the chain warns once when it leaves them behind.
    pub pasted_cookies: Option<PastedCookies>,
    /// `--compressed` (or `--browser`): a final body is decoded from its `Content-Encoding`, so
    /// an encoded HTML body is searched for a meta refresh too.
    pub compressed: bool,
}

/// Cookies a user pasted with `-b`: their names, and the host (or domain) they were given for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PastedCookies {
    pub names: Vec<String>,
    /// The host of the first URL: the cookies are host-only cookies of it...
    pub host: String,
    /// ...unless `-b` named a `Domain`, which covers that domain and its subdomains.
    pub domain: Option<String>,
}

impl PastedCookies {
    fn cover(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        match &self.domain {
            Some(domain) => host == *domain || host.ends_with(&format!(".{domain}")),
            None => host == self.host.to_ascii_lowercase(),
        }
    }
}

/// What the navigator asks the driver to do next.
#[derive(Debug)]
pub enum Step {
    /// Send this request and report its response head with [`Navigator::on_response`].
    Send(Outgoing),
    /// Record this hop: an HSTS upgrade made by the client, with no request sent.
    Upgraded(Box<Hop>),
    /// The chain is over.
    Finish(Outcome),
}

/// A response's head: everything the rules look at before the body. The headers are borrowed
/// from the response: the rules only read them, and a hop's copy is made of the pairs it keeps.
#[derive(Debug, Clone)]
pub struct ResponseHead<'h> {
    pub status: u16,
    /// The server's own reason phrase, or the standard one.
    pub reason: String,
    /// As "HTTP/1.1" or "HTTP/2.0".
    pub version: String,
    pub headers: &'h HeaderMap,
    pub remote_addr: Option<SocketAddr>,
}

/// What to do with a response once its head is known. Every variant carries the hop's record,
/// which the driver completes with timings and TLS facts.
#[derive(Debug)]
pub enum HeadDecision {
    /// A redirect that will be followed: its body is not needed.
    Follow(Box<Hop>),
    /// A final response (perhaps with a refresh): read the body as `BodyPlan` says, then call
    /// [`Navigator::on_body`].
    ReadBody(Box<Hop>, BodyPlan),
    /// The chain stops at this response.
    Stop(Box<Hop>, Outcome),
}

/// How much of a final body the navigator needs to see.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyPlan {
    /// Nothing: the body only goes to `-o`, if asked.
    Nothing,
    /// Up to this many bytes of an HTML body, to look for a meta refresh.
    HtmlPrefix(usize),
}

/// What to do once the start of a final body has been seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BodyDecision {
    /// A refresh is followed: the hop's `next` is set, go on with [`Navigator::next_step`].
    Follow,
    /// This is the final response: write the rest of the body, and the chain is over.
    Final,
    /// The chain stops here.
    Stop(Outcome),
}

/// The hop loop's state between steps.
pub struct Navigator<'a> {
    options: NavigatorOptions,
    jar: &'a mut Jar,
    hsts: &'a mut HstsStore,
    /// The request the next step is about.
    current: PlannedRequest,
    via: Via,
    referer: Option<HeaderValue>,
    /// Hops recorded so far, synthetic ones included.
    recorded: usize,
    /// Redirects followed so far (responses that led to another request; upgrades excluded).
    redirects: usize,
    /// The requests sent so far and their answers, for the loop check.
    history: History,
    /// The time HSTS entries are compared with.
    now: SystemTime,
    /// A warning for the hop about to be sent, found before sending it.
    pending_warning: Option<Warning>,
    /// The pasted cookies were left behind once already (the warning is given once).
    pasted_cookies_left: bool,
}

impl<'a> Navigator<'a> {
    pub fn new(
        start: PlannedRequest,
        options: NavigatorOptions,
        jar: &'a mut Jar,
        hsts: &'a mut HstsStore,
        now: SystemTime,
    ) -> Self {
        Navigator {
            referer: options.referer.clone(),
            options,
            jar,
            hsts,
            current: start,
            via: Via::Start,
            recorded: 0,
            redirects: 0,
            history: History::default(),
            now,
            pending_warning: None,
            pasted_cookies_left: false,
        }
    }

    /// The number the next hop will have.
    pub fn next_index(&self) -> usize {
        self.recorded + 1
    }

    /// Whether a final body is read decoded from its `Content-Encoding` (`--compressed`).
    pub fn decodes_bodies(&self) -> bool {
        self.options.compressed
    }

    /// The request the navigator is about to send (or has just sent).
    pub fn current(&self) -> &PlannedRequest {
        &self.current
    }

    /// The next action: an HSTS upgrade, a request to send, or the end of a loop.
    pub fn next_step(&mut self) -> Step {
        let index = self.next_index();
        if let Some(hop) = self.hsts_upgrade(index) {
            return Step::Upgraded(Box::new(hop));
        }
        let jar_cookie = self.jar.header_for(&self.current.url);
        let headers = outgoing_headers(&self.current, self.referer.as_ref(), jar_cookie);
        // Borrowed unless the header is not UTF-8: the key compares it as text either way.
        let cookie = headers
            .get(header::COOKIE)
            .map(|v| String::from_utf8_lossy(v.as_bytes()));
        let key = RequestKey::new(
            &self.current.method,
            &self.current.url,
            self.current.body.as_ref(),
            cookie.as_deref(),
        );
        self.history.sent(index, key);
        self.check_pasted_cookies();
        Step::Send(Outgoing {
            index,
            method: self.current.method.clone(),
            url: wire_url(&self.current.url),
            headers,
            body: self.current.body.clone(),
        })
    }

    /// A failure while sending the current request or reading its response: the chain's end.
    /// `message` names the cause; the hop number is the navigator's.
    pub fn network_error(&self, kind: crate::model::NetworkErrorKind, message: String) -> Outcome {
        Outcome::NetworkError {
            hop: self.next_index(),
            kind,
            message,
        }
    }

    /// A failure after the hop's response was recorded (reading the final body).
    pub fn body_error(&self, kind: crate::model::NetworkErrorKind, message: String) -> Outcome {
        Outcome::NetworkError {
            hop: self.recorded,
            kind,
            message,
        }
    }

    /// Records the response to the request just sent (`sent` is what went out) and decides what
    /// comes next. The jar and the HSTS store learn from its headers here.
    pub fn on_response(&mut self, sent: &Outgoing, head: ResponseHead<'_>) -> HeadDecision {
        let index = sent.index;
        let set_cookies = self.store_response_cookies(head.headers);
        let location_values: Vec<&[u8]> = head
            .headers
            .get_all(header::LOCATION)
            .iter()
            .map(HeaderValue::as_bytes)
            .collect();
        let mut hop = Hop {
            index,
            method: self.current.method.to_string(),
            url: self.current.url.clone(),
            request_headers: headers_as_sent(&self.current.url, sent),
            body_bytes: self.current.body.as_ref().map(Bytes::len),
            request_body: self.current.body.clone().map(Box::new),
            started_at: self.now,
            status: head.status,
            reason: head.reason,
            http_version: head.version,
            remote_addr: head.remote_addr,
            proxy: None,
            tls: None,
            retried: None,
            response_headers: header_pairs(head.headers),
            locations: location_values
                .iter()
                .map(|v| escape_if_needed(v))
                .collect(),
            next: None,
            not_followed: not_followed_reason(head.status, !location_values.is_empty()),
            via: self.via,
            synthetic: false,
            hsts: None,
            refresh: None,
            set_cookies,
            timing: Timing::default(),
            warnings: Vec::new(),
        };
        hop.warnings.extend(self.pending_warning.take());
        hop.hsts = self
            .record_sts(head.headers, &mut hop.warnings)
            .map(Box::new);

        let followable = is_followed_status(head.status) && !location_values.is_empty();
        if followable && self.options.max_redirects == 0 {
            hop.not_followed = Some("not followed: --max-redirs 0".into());
        }
        if !followable || self.options.max_redirects == 0 {
            let plan = self.body_plan(head.headers, &mut hop.warnings);
            return HeadDecision::ReadBody(Box::new(hop), plan);
        }
        let target = match self.resolve_location(&location_values, &mut hop.warnings) {
            Ok(target) => target,
            Err(error) => {
                self.record(&hop);
                let outcome = Outcome::BadLocation {
                    hop: index,
                    message: error.to_string(),
                };
                return HeadDecision::Stop(Box::new(hop), outcome);
            }
        };
        match self.follow(&mut hop, head.status, target, Via::Redirect) {
            Some(outcome) => HeadDecision::Stop(Box::new(hop), outcome),
            None => HeadDecision::Follow(Box::new(hop)),
        }
    }

    /// Looks at the start of a final response's body (empty when [`BodyPlan::Nothing`]) for a
    /// refresh, and follows it when `--follow-refresh` asks.
    pub fn on_body(&mut self, hop: &mut Hop, html_prefix: &[u8]) -> BodyDecision {
        hop.refresh = self.detect_refresh(hop, html_prefix).map(Box::new);
        let refresh_target = hop
            .refresh
            .as_ref()
            .filter(|_| self.options.follow_refresh && self.options.max_redirects > 0)
            .map(|refresh| refresh.url.clone());
        let Some(target) = refresh_target else {
            self.record(hop);
            return BodyDecision::Final;
        };
        // A refresh is a navigation: GET, like a 303.
        match self.follow(hop, 303, target, Via::Refresh) {
            Some(outcome) => BodyDecision::Stop(outcome),
            None => BodyDecision::Follow,
        }
    }

    /// The first request to a host the pasted cookies are not for: support staff paste a
    /// browser's Cookie header with `-b` and would otherwise not know why a later hop acts as if
    /// logged out.
    fn check_pasted_cookies(&mut self) {
        let Some(pasted) = &self.options.pasted_cookies else {
            return;
        };
        let host = self.current.url.host_str().unwrap_or_default();
        if self.pasted_cookies_left || pasted.cover(host) {
            return;
        }
        self.pasted_cookies_left = true;
        let scope = match &pasted.domain {
            Some(domain) => format!("for {domain} and its subdomains"),
            None => format!("for {} only", pasted.host),
        };
        let hint = match &pasted.domain {
            Some(_) => String::new(),
            None => format!(
                "; add \"; Domain=...\" to -b (e.g. -b '...; Domain={}') to send them to every \
                 host of a domain",
                pasted.host.trim_start_matches("www.")
            ),
        };
        self.pending_warning = Some(Warning::new(
            WarningCode::CookiesLeftBehind,
            format!(
                "the cookies given with -b ({}) are {scope}: not sent to {host}{hint}",
                pasted.names.join(", ")
            ),
        ));
    }

    /// The jar update: every `Set-Cookie` of a response, stored or refused with its reason.
    fn store_response_cookies(&mut self, headers: &HeaderMap) -> Vec<crate::model::SetCookie> {
        headers
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|value| {
                self.jar.receive(
                    &String::from_utf8_lossy(value.as_bytes()),
                    &self.current.url,
                )
            })
            .collect()
    }

    /// The HSTS store update: the first `Strict-Transport-Security` header of the response.
    fn record_sts(
        &mut self,
        headers: &HeaderMap,
        warnings: &mut Vec<Warning>,
    ) -> Option<HstsRecord> {
        let values: Vec<&[u8]> = headers
            .get_all("strict-transport-security")
            .iter()
            .map(HeaderValue::as_bytes)
            .collect();
        let (record, sts_warnings) = hsts::observe_sts(
            self.hsts,
            &self.current.url,
            &values,
            self.options.certificates_checked,
            self.now,
            escape_if_needed,
        )?;
        warnings.extend(sts_warnings);
        Some(record)
    }

    /// The one `Location` to follow, resolved against the current URL.
    fn resolve_location(
        &self,
        values: &[&[u8]],
        warnings: &mut Vec<Warning>,
    ) -> Result<Url, LocationError> {
        let picked = pick_location(values)?.ok_or(LocationError::Empty)?;
        if picked.repeated > 1 {
            warnings.push(Warning::new(
                WarningCode::LocationRepeated,
                format!(
                    "{} identical Location headers: followed, but a server should send one",
                    picked.repeated
                ),
            ));
        }
        let resolved = resolve_location(picked.raw, &self.current.url)?;
        warnings.extend(resolved.warnings);
        Ok(resolved.url)
    }

    /// Moves on to `target`, unless the redirect limit is reached (then the outcome). `status`
    /// picks the method and body rule.
    fn follow(&mut self, hop: &mut Hop, status: u16, target: Url, via: Via) -> Option<Outcome> {
        let answer = AnswerKey::new(
            hop.status,
            Some(&target),
            hop.set_cookies.iter().map(|cookie| cookie.raw.as_str()),
        );
        if let Some(earlier) = self.history.answered(answer) {
            self.record(hop);
            hop.not_followed = Some(format!(
                "not followed: hop {earlier} got this answer to the same request, so the chain \
                 could only go round again"
            ));
            let message = format!(
                "redirect loop: hop {} sent the request of hop {earlier} again ({} {}) and got the \
                 same answer ({} → {})",
                hop.index,
                hop.method,
                Redactor::default().url(&hop.url),
                hop.status,
                Redactor::default().url(&target)
            );
            return Some(self.loop_outcome(earlier, hop.index, message));
        }
        if self.redirects >= self.options.max_redirects as usize {
            self.record(hop);
            let message = format!(
                "too many redirects: {} followed and hop {} redirects again (--max-redirs {})",
                self.redirects, hop.index, self.options.max_redirects
            );
            return Some(Outcome::TooManyRedirects {
                hop: hop.index,
                message,
            });
        }
        let transition = next_request(&self.current, status, target, self.options.follow);
        hop.warnings.extend(transition.warnings);
        hop.next = Some(NextHop {
            url: transition.next.url.clone(),
            method: transition.next.method.to_string(),
            method_changed: transition.method_rule.method != self.current.method,
            body_kept: match transition.method_rule.body {
                BodyFate::Absent => None,
                BodyFate::Replayed => Some(true),
                BodyFate::Dropped => Some(false),
            },
            stripped_headers: transition.stripped,
        });
        if self.options.referer_auto {
            self.referer = auto_referer(&self.current.url, &transition.next.url)
                .and_then(|r| HeaderValue::from_str(&r).ok());
        }
        self.reword_downgrade_if_upgraded(hop, &transition.next.url);
        self.record(hop);
        self.redirects += 1;
        self.current = transition.next;
        self.via = via;
        None
    }

    /// Counts a finished hop.
    fn record(&mut self, hop: &Hop) {
        self.recorded = hop.index;
    }

    /// Before a plain-http request to a known HSTS host: the synthetic hop browsers show
    /// ("307 Internal Redirect"), with the current request moved to https. No request is sent.
    fn hsts_upgrade(&mut self, index: usize) -> Option<Hop> {
        let from = &self.current.url;
        if from.scheme() != "http" {
            return None;
        }
        let found = self.hsts.lookup(from.host_str()?, self.now)?;
        let to = hsts::upgrade(from)?;
        let hop = upgrade_hop(index, &self.current, self.via, found, &to, self.now);
        // The client upgrades its own request: method, body and headers stay as they are, and
        // an upgrade is not a redirect a server asked for (it does not count toward the limit).
        self.current.url = to;
        self.via = Via::Redirect;
        self.record(&hop);
        Some(hop)
    }

    /// A redirect from https to http whose target HSTS will upgrade keeps its `https_downgrade`
    /// warning (the Location is still wrong), reworded: the next request will not travel in
    /// clear text, but a client without this HSTS entry would send it so.
    fn reword_downgrade_if_upgraded(&self, hop: &mut Hop, next: &Url) {
        let upgraded = next.scheme() == "http"
            && next
                .host_str()
                .is_some_and(|host| self.hsts.lookup(host, self.now).is_some());
        if !upgraded {
            return;
        }
        let upgrade_hop = hop.index + 1;
        for warning in &mut hop.warnings {
            if warning.code == WarningCode::HttpsDowngrade {
                warning.message = format!(
                    "redirect from https to http: HSTS upgrades the next request back to https \
                     (hop {upgrade_hop}), but a client without this HSTS entry would send it and get \
                     its answer in clear text"
                );
            }
        }
    }

    /// How much of a final body is needed: the first 64 KiB of an HTML body, where a meta
    /// refresh would be (decoded, with `--compressed`). An encoded HTML body that is not decoded
    /// (no `--compressed`, or a coding hops cannot undo) gets a warning that says the meta
    /// refresh was not looked for.
    fn body_plan(&self, headers: &HeaderMap, warnings: &mut Vec<Warning>) -> BodyPlan {
        let is_html = headers.get(header::CONTENT_TYPE).is_some_and(|v| {
            String::from_utf8_lossy(v.as_bytes())
                .to_ascii_lowercase()
                .contains("html")
        });
        if !is_html {
            return BodyPlan::Nothing;
        }
        let why = match crate::net::content_codings(headers) {
            Ok(codings) if codings.is_empty() || self.options.compressed => {
                return BodyPlan::HtmlPrefix(HTML_PREFIX_LIMIT);
            }
            Ok(codings) => format!(
                "the HTML body is {}-encoded and hops decodes it only with --compressed (or \
                 --browser)",
                crate::net::coding_names(&codings)
            ),
            Err(unknown) => format!(
                "the HTML body is {}-encoded, which hops cannot decode",
                escape_if_needed(unknown.as_bytes())
            ),
        };
        warnings.push(Warning::new(
            WarningCode::HtmlNotDecoded,
            format!("{why}: a <meta http-equiv=\"refresh\"> in it was not looked for"),
        ));
        BodyPlan::Nothing
    }

    /// The refresh a browser would perform after this final response: the `Refresh` header,
    /// else a meta refresh in the HTML prefix, resolved against the response's URL.
    fn detect_refresh(&self, hop: &mut Hop, html_prefix: &[u8]) -> Option<RefreshSeen> {
        let from_header = hop
            .response_header("refresh")
            .map(|value| (RefreshSource::Header, value.to_owned()));
        let (source, raw) = from_header
            .or_else(|| find_meta_refresh(html_prefix).map(|c| (RefreshSource::Meta, c)))?;
        let parsed = parse_refresh(&raw)?;
        let url = match &parsed.url {
            None => self.current.url.clone(),
            Some(target) => match resolve_location(target.as_bytes(), &self.current.url) {
                Ok(resolved) => resolved.url,
                Err(error) => {
                    hop.warnings.push(Warning::new(
                        WarningCode::RefreshUnusable,
                        format!(
                            "refresh to {:?} cannot be followed: {error}",
                            crate::model::abbreviate(&Redactor::default().text(target))
                        ),
                    ));
                    return None;
                }
            },
        };
        Some(RefreshSeen {
            source,
            raw,
            delay_seconds: parsed.delay,
            url,
        })
    }

    fn loop_outcome(&self, repeats_hop: usize, at_hop: usize, message: String) -> Outcome {
        Outcome::Loop(LoopInfo {
            repeats_hop,
            at_hop,
            method: self.current.method.to_string(),
            url: self.current.url.clone(),
            message,
        })
    }
}

#[cfg(test)]
#[path = "navigator_tests.rs"]
mod tests;
