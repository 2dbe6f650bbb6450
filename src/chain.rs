//! The hop loop: send a request, record the response, ask the policy what comes next, repeat.
//!
//! Every way a chain can end (final response, loop, limit, bad `Location`, network error,
//! timeout) is recorded as the chain's outcome, so the hops already made are never lost.

use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::Response;
use reqwest::header::{self, HeaderMap, HeaderName, HeaderValue};
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::time::timeout_at;
use url::Url;

mod hsts_steps;

use hsts_steps::add_hsts_hints;

use crate::config::Config;
use crate::cookies::Jar;
use crate::hsts::HstsStore;
use crate::net::{HopClient, classify};
use crate::policy::{self, BodyFate, LocationError, PlannedRequest, RequestKey};
use crate::record::{
    Chain, ChainError, ErrorKind, Hop, LoopInfo, NextHop, Outcome, RefreshSeen, RequestSummary,
    Timing, Via, Warning,
};

/// How much of a redirect's body is read so its connection can be reused; past this the
/// connection is dropped instead (a hostile server may send an endless body).
const REDIRECT_BODY_DRAIN_LIMIT: usize = 64 * 1024;

/// How long a redirect's body may take to arrive before its connection is dropped instead.
const REDIRECT_BODY_DRAIN_TIME: Duration = Duration::from_secs(1);

/// Where the final response body goes (`-o`).
pub type BodySink = Box<dyn AsyncWrite + Unpin + Send>;

/// Traces the chain that starts with `start`.
pub async fn trace(
    config: &Config,
    start: PlannedRequest,
    client: &HopClient,
    jar: &mut Jar,
    hsts: &mut HstsStore,
    body_sink: Option<BodySink>,
) -> Chain {
    let started = Instant::now();
    let deadline = config
        .connection
        .max_time
        .map(|limit| tokio::time::Instant::from_std(started + limit));
    let mut tracer = Tracer {
        config,
        client,
        jar,
        hsts,
        hops: Vec::new(),
        keys: Vec::new(),
        visited: Vec::new(),
        deadline,
    };
    let request = summary(&start);
    let (outcome, loop_info, error) = tracer.run(start, body_sink).await;
    let mut chain = Chain {
        request,
        hops: tracer.hops,
        outcome,
        loop_info,
        error,
        diagnosis: None,
        time: started.elapsed(),
    };
    add_hsts_hints(&mut chain.hops);
    chain.diagnosis = crate::diagnose::diagnose(&chain);
    chain
}

struct Tracer<'a> {
    config: &'a Config,
    client: &'a HopClient,
    jar: &'a mut Jar,
    hsts: &'a mut HstsStore,
    hops: Vec<Hop>,
    keys: Vec<RequestKey>,
    /// The hops' URLs, parsed, for the URL-growth check.
    visited: Vec<Url>,
    deadline: Option<tokio::time::Instant>,
}

type Ending = (Outcome, Option<LoopInfo>, Option<ChainError>);

impl Tracer<'_> {
    async fn run(&mut self, start: PlannedRequest, mut body_sink: Option<BodySink>) -> Ending {
        let mut current = start;
        let mut referer = self.config.referer.fixed.clone();
        let mut via = Via::Start;
        loop {
            let index = self.hops.len() + 1;
            if let Some(upgrade) = self.hsts_upgrade(index, &mut current, via) {
                self.hops.push(upgrade);
                via = Via::Redirect;
                continue;
            }
            let headers = self.request_headers(&current, referer.as_ref());
            let cookie = headers
                .get(header::COOKIE)
                .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
            let key = RequestKey::new(
                &current.method,
                &current.url,
                current.body.as_ref(),
                cookie.as_deref(),
            );
            if let Some(earlier) = policy::find_repeat(&self.keys, &key) {
                return self.loop_ending(earlier + 1, index, &current);
            }
            if let Some(visits) = self.growing_url(&current.url) {
                return self.growth_ending(&visits, index, &current);
            }
            self.keys.push(key);

            self.client.log.take();
            let sent_at = Instant::now();
            let response = match self.send(&current, headers.clone()).await {
                Ok(response) => response,
                Err((kind, message)) => {
                    return network_ending(
                        index,
                        kind,
                        format!(
                            "{message} ({} {})",
                            current.method,
                            redact_url(&current.url)
                        ),
                    );
                }
            };
            let first_byte = sent_at.elapsed();
            let setup = self.client.log.take();
            let mut hop = self.record_response(index, &current, &headers, &response, first_byte);
            hop.timing.dns = setup.dns;
            hop.timing.connect = setup.connect;
            hop.timing.tls = setup.tls;
            if current.url.scheme() == "https" {
                if let Some((tls, warnings)) =
                    self.client.tls.hop(response.extensions(), setup.connection)
                {
                    hop.tls = Some(tls);
                    hop.warnings.extend(warnings);
                }
            }

            hop.via = via;
            hop.hsts = self.observe_sts(&current.url, response.headers(), &mut hop.warnings);
            let following_disabled = self.config.max_redirects == 0;
            let location_values: Vec<Vec<u8>> = response
                .headers()
                .get_all(header::LOCATION)
                .iter()
                .map(|value| value.as_bytes().to_vec())
                .collect();
            let followable = policy::is_followed_status(hop.status) && !location_values.is_empty();
            let (target, rule_status, next_via) = if followable && !following_disabled {
                drain_redirect_body(response, self.deadline).await;
                let values: Vec<&[u8]> = location_values.iter().map(Vec::as_slice).collect();
                match self.resolve_location(&values, &current.url, &mut hop) {
                    Ok(target) => (target, hop.status, Via::Redirect),
                    Err(error) => {
                        hop.timing.total = sent_at.elapsed();
                        self.hops.push(hop);
                        return bad_location_ending(index, &error);
                    }
                }
            } else {
                if followable {
                    hop.not_followed = Some("not followed: --max-redirs 0".into());
                }
                let mut response = response;
                let prefix = match self
                    .read_html_prefix(&mut response, &mut hop.warnings)
                    .await
                {
                    Ok(prefix) => prefix,
                    Err((kind, message)) => {
                        hop.timing.total = sent_at.elapsed();
                        self.hops.push(hop);
                        return network_ending(index, kind, message);
                    }
                };
                hop.refresh =
                    detect_refresh(response.headers(), &prefix, &current.url, &mut hop.warnings);
                let refresh_target = hop
                    .refresh
                    .as_ref()
                    .filter(|_| self.config.follow_refresh && !following_disabled)
                    .and_then(|refresh| Url::parse(&refresh.url).ok());
                let Some(refresh_target) = refresh_target else {
                    let body_result = self.write_body(response, prefix, body_sink.take()).await;
                    hop.timing.total = sent_at.elapsed();
                    self.hops.push(hop);
                    return match body_result {
                        Ok(()) => (Outcome::Ok, None, None),
                        Err((kind, message)) => network_ending(index, kind, message),
                    };
                };
                // A refresh is a navigation: GET, like a 303.
                (refresh_target, 303, Via::Refresh)
            };

            // An HSTS upgrade is the client's own doing, not a redirect the server asked for.
            let redirects_so_far = self.hops.iter().filter(|hop| !hop.synthetic).count();
            if redirects_so_far >= self.config.max_redirects as usize {
                hop.timing.total = sent_at.elapsed();
                self.hops.push(hop);
                let message = format!(
                    "too many redirects: {redirects_so_far} followed and hop {index} redirects again \
                     (--max-redirs {})",
                    self.config.max_redirects
                );
                return (
                    Outcome::TooManyRedirects,
                    None,
                    Some(ChainError {
                        hop: index,
                        kind: ErrorKind::TooManyRedirects,
                        message,
                    }),
                );
            }

            let transition =
                policy::next_request(&current, rule_status, target, self.config.follow);
            hop.warnings.extend(transition.warnings);
            hop.next = Some(NextHop {
                url: transition.next.url.to_string(),
                method: transition.next.method.to_string(),
                method_changed: transition.method_rule.method != current.method,
                body_kept: match transition.method_rule.body {
                    BodyFate::Absent => None,
                    BodyFate::Replayed => Some(true),
                    BodyFate::Dropped => Some(false),
                },
                stripped_headers: transition.stripped,
            });
            hop.timing.total = sent_at.elapsed();
            if self.config.referer.auto {
                referer = policy::auto_referer(&current.url, &transition.next.url)
                    .and_then(|r| HeaderValue::from_str(&r).ok());
            }
            self.hops.push(hop);
            current = transition.next;
            via = next_via;
        }
    }

    /// The one `Location` to follow, resolved; warnings go on the hop.
    fn resolve_location(
        &self,
        values: &[&[u8]],
        base: &Url,
        hop: &mut Hop,
    ) -> Result<Url, LocationError> {
        let picked = policy::pick_location(values)?.ok_or(LocationError::Empty)?;
        if picked.repeated > 1 {
            hop.warnings.push(Warning::new(
                "location_repeated",
                format!(
                    "{} identical Location headers: followed, but a server should send one",
                    picked.repeated
                ),
            ));
        }
        let resolved = policy::resolve_location(picked.raw, base)?;
        hop.warnings.extend(resolved.warnings);
        Ok(resolved.url)
    }

    /// The first 64 KiB of an HTML body, where a meta refresh would be; empty for anything else.
    /// An encoded (compressed) HTML body is not decoded: a warning says the meta refresh was
    /// not looked for.
    async fn read_html_prefix(
        &self,
        response: &mut Response,
        warnings: &mut Vec<Warning>,
    ) -> Result<Vec<u8>, (ErrorKind, String)> {
        let headers = response.headers();
        let is_html = headers.get(header::CONTENT_TYPE).is_some_and(|v| {
            String::from_utf8_lossy(v.as_bytes())
                .to_ascii_lowercase()
                .contains("html")
        });
        let encoding = headers
            .get(header::CONTENT_ENCODING)
            .filter(|v| !v.as_bytes().eq_ignore_ascii_case(b"identity"))
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let mut prefix = Vec::new();
        if !is_html {
            return Ok(prefix);
        }
        if let Some(encoding) = encoding {
            warnings.push(Warning::new(
                "html_not_decoded",
                format!(
                    "the HTML body is {encoding}-encoded and hops does not decode it: a \
                     <meta http-equiv=\"refresh\"> in it was not looked for"
                ),
            ));
            return Ok(prefix);
        }
        while prefix.len() < crate::refresh::HTML_PREFIX_LIMIT {
            match self.next_chunk(response).await? {
                Some(chunk) => prefix.extend_from_slice(&chunk),
                None => break,
            }
        }
        Ok(prefix)
    }

    async fn next_chunk(
        &self,
        response: &mut Response,
    ) -> Result<Option<Bytes>, (ErrorKind, String)> {
        let chunk = match self.deadline {
            Some(deadline) => match timeout_at(deadline, response.chunk()).await {
                Ok(result) => result,
                Err(_) => return Err(self.timed_out()),
            },
            None => response.chunk().await,
        };
        chunk.map_err(|err| {
            let (kind, message) = classify(&err, None);
            (kind, format!("reading the response body: {message}"))
        })
    }

    /// Writes the final body (the prefix already read, then the rest) to `-o`, if asked.
    async fn write_body(
        &self,
        mut response: Response,
        prefix: Vec<u8>,
        sink: Option<BodySink>,
    ) -> Result<(), (ErrorKind, String)> {
        let Some(mut sink) = sink else {
            return Ok(());
        };
        let write_error = |err: std::io::Error| {
            (
                ErrorKind::Io,
                format!("cannot write the response body: {err}"),
            )
        };
        sink.write_all(&prefix).await.map_err(write_error)?;
        while let Some(chunk) = self.next_chunk(&mut response).await? {
            sink.write_all(&chunk).await.map_err(write_error)?;
        }
        sink.flush().await.map_err(write_error)
    }

    /// Every header the next request carries, in order: user headers still in force, Basic
    /// credentials from URL userinfo, Referer, and the Cookie header (user's and the jar's).
    fn request_headers(
        &self,
        request: &PlannedRequest,
        referer: Option<&HeaderValue>,
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
            use base64::Engine;
            let token =
                base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
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
        let jar_cookie = self.jar.header_for(&request.url);
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

    async fn send(
        &self,
        request: &PlannedRequest,
        headers: HeaderMap,
    ) -> Result<Response, (ErrorKind, String)> {
        let mut url = request.url.clone();
        url.set_fragment(None);
        let _ = url.set_username("");
        let _ = url.set_password(None);
        let mut builder = self
            .client
            .http
            .request(request.method.clone(), url)
            .headers(headers);
        if let Some(body) = &request.body {
            builder = builder.body(body.clone());
        }
        let request = builder.build().map_err(|err| classify(&err, None))?;
        match self.deadline {
            Some(deadline) => match timeout_at(deadline, self.client.http.execute(request)).await {
                Ok(result) => result.map_err(|err| self.classify(&err)),
                Err(_) => Err(self.timed_out()),
            },
            None => self
                .client
                .http
                .execute(request)
                .await
                .map_err(|err| self.classify(&err)),
        }
    }

    /// A failed request's error, with the certificate the TLS layer refused, if it did.
    fn classify(&self, error: &reqwest::Error) -> (ErrorKind, String) {
        classify(error, self.client.tls.take_rejected().as_ref())
    }

    fn timed_out(&self) -> (ErrorKind, String) {
        let limit = self.config.connection.max_time.unwrap_or_default();
        (
            ErrorKind::Timeout,
            format!(
                "timed out: the run took longer than --max-time {}s",
                limit.as_secs_f64()
            ),
        )
    }

    fn record_response(
        &mut self,
        index: usize,
        request: &PlannedRequest,
        sent_headers: &HeaderMap,
        response: &Response,
        first_byte: Duration,
    ) -> Hop {
        let status = response.status();
        let reason = response
            .extensions()
            .get::<hyper::ext::ReasonPhrase>()
            .map(|r| String::from_utf8_lossy(r.as_bytes()).into_owned())
            .or_else(|| status.canonical_reason().map(str::to_owned))
            .unwrap_or_default();
        let response_headers = header_pairs(response.headers());
        let locations: Vec<&HeaderValue> = response
            .headers()
            .get_all(header::LOCATION)
            .iter()
            .collect();
        let location = match locations.as_slice() {
            [] => None,
            [one] => Some(escape_if_needed(one.as_bytes())),
            many => Some(
                many.iter()
                    .map(|v| escape_if_needed(v.as_bytes()))
                    .collect::<Vec<_>>()
                    .join(", "),
            ),
        };
        let set_cookies = response
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .map(|value| {
                self.jar
                    .receive(&String::from_utf8_lossy(value.as_bytes()), &request.url)
            })
            .collect();
        let not_followed = policy::not_followed_reason(status.as_u16(), location.is_some());
        Hop {
            index,
            method: request.method.to_string(),
            url: request.url.to_string(),
            request_headers: headers_as_sent(request, sent_headers),
            body_bytes: request.body.as_ref().map(Bytes::len),
            request_body: request.body.clone(),
            started_at: std::time::SystemTime::now() - first_byte,
            status: status.as_u16(),
            reason,
            http_version: format!("{:?}", response.version()),
            remote_addr: response.remote_addr(),
            tls: None,
            response_headers,
            location,
            next: None,
            not_followed,
            via: Via::Start,
            synthetic: false,
            hsts: None,
            refresh: None,
            set_cookies,
            timing: Timing {
                first_byte,
                total: first_byte,
                ..Timing::default()
            },
            warnings: Vec::new(),
        }
    }

    fn loop_ending(&self, repeats_hop: usize, at_hop: usize, request: &PlannedRequest) -> Ending {
        let message = format!(
            "redirect loop: this request would repeat hop {repeats_hop} exactly ({} {})",
            request.method,
            redact_url(&request.url)
        );
        loop_outcome(repeats_hop, at_hop, request, message)
    }

    /// Earlier visits to this page with a shorter query or path, when this would be the third.
    fn growing_url(&mut self, next: &Url) -> Option<Vec<usize>> {
        // Each hop's URL is parsed once, not once per later hop.
        let new_hops = &self.hops[self.visited.len().min(self.hops.len())..];
        self.visited
            .extend(new_hops.iter().filter_map(|hop| Url::parse(&hop.url).ok()));
        crate::diagnose::growing_url(&self.visited, next)
    }

    fn growth_ending(&self, visits: &[usize], at_hop: usize, request: &PlannedRequest) -> Ending {
        let shown: Vec<String> = visits.iter().map(usize::to_string).collect();
        let message = format!(
            "redirect loop: the URL grew on every visit (hops {} and now {at_hop}: {} {})",
            shown.join(", "),
            request.method,
            redact_url(&request.url)
        );
        let first_visit = visits.first().copied().unwrap_or(at_hop);
        loop_outcome(first_visit, at_hop, request, message)
    }
}

/// The chain stopped before sending `request`, which would have been hop `at_hop`.
fn loop_outcome(
    repeats_hop: usize,
    at_hop: usize,
    request: &PlannedRequest,
    message: String,
) -> Ending {
    (
        Outcome::Loop,
        Some(LoopInfo {
            repeats_hop,
            at_hop,
            method: request.method.to_string(),
            url: request.url.to_string(),
        }),
        Some(ChainError {
            hop: at_hop,
            kind: ErrorKind::Loop,
            message,
        }),
    )
}

fn network_ending(hop: usize, kind: ErrorKind, message: String) -> Ending {
    (
        Outcome::NetworkError,
        None,
        Some(ChainError { hop, kind, message }),
    )
}

fn bad_location_ending(hop: usize, error: &LocationError) -> Ending {
    (
        Outcome::BadLocation,
        None,
        Some(ChainError {
            hop,
            kind: ErrorKind::BadLocation,
            message: error.to_string(),
        }),
    )
}

/// The refresh a browser would perform after this final response: the `Refresh` header, else a
/// meta refresh in the HTML prefix, resolved against the response's URL.
fn detect_refresh(
    headers: &HeaderMap,
    html_prefix: &[u8],
    base: &Url,
    warnings: &mut Vec<Warning>,
) -> Option<RefreshSeen> {
    use crate::refresh::{RefreshSource, find_meta_refresh, parse_refresh};
    let from_header = headers.get("refresh").map(|v| {
        (
            RefreshSource::Header,
            String::from_utf8_lossy(v.as_bytes()).into_owned(),
        )
    });
    let (source, raw) =
        from_header.or_else(|| find_meta_refresh(html_prefix).map(|c| (RefreshSource::Meta, c)))?;
    let parsed = parse_refresh(&raw)?;
    let url = match &parsed.url {
        None => base.clone(),
        Some(target) => match policy::resolve_location(target.as_bytes(), base) {
            Ok(resolved) => resolved.url,
            Err(error) => {
                warnings.push(Warning::new(
                    "refresh_unusable",
                    format!("refresh to {target:?} cannot be followed: {error}"),
                ));
                return None;
            }
        },
    };
    Some(RefreshSeen {
        source,
        raw,
        delay_seconds: parsed.delay,
        url: url.to_string(),
    })
}

/// Reads a small redirect body to keep the connection reusable; drops a large or slow one.
///
/// The wait is capped (as Chromium caps its drain of redirect bodies): a server that stalls or
/// trickles the body must not hold the chain up, with or without `--max-time`.
async fn drain_redirect_body(mut response: Response, deadline: Option<tokio::time::Instant>) {
    let mut read = 0;
    let drain = async {
        while let Ok(Some(chunk)) = response.chunk().await {
            read += chunk.len();
            if read > REDIRECT_BODY_DRAIN_LIMIT {
                break;
            }
        }
    };
    let cap = tokio::time::Instant::now() + REDIRECT_BODY_DRAIN_TIME;
    let _ = timeout_at(deadline.map_or(cap, |deadline| deadline.min(cap)), drain).await;
}

fn summary(start: &PlannedRequest) -> RequestSummary {
    RequestSummary {
        method: start.method.to_string(),
        url: start.url.to_string(),
        headers: start
            .headers
            .iter()
            .map(|(n, v)| {
                (
                    n.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body_bytes: start.body.as_ref().map(Bytes::len),
    }
}

/// The request's headers as they go out: the ones hops set, plus `Host` and `Content-Length`,
/// which the HTTP library adds, so `-v` and the JSON show everything that was sent.
fn headers_as_sent(request: &PlannedRequest, headers: &HeaderMap) -> Vec<(String, String)> {
    let mut pairs = header_pairs(headers);
    if !headers.contains_key(header::HOST) {
        let host = request.url.host_str().unwrap_or_default();
        let authority = match request.url.port() {
            Some(port) => format!("{host}:{port}"),
            None => host.to_owned(),
        };
        pairs.insert(0, ("host".to_owned(), authority));
    }
    if let Some(body) = &request.body {
        if !headers.contains_key(header::CONTENT_LENGTH) {
            pairs.push(("content-length".to_owned(), body.len().to_string()));
        }
    }
    pairs
}

fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(name, value): (&HeaderName, &HeaderValue)| {
            (name.as_str().to_owned(), escape_if_needed(value.as_bytes()))
        })
        .collect()
}

/// Header bytes as text: unchanged when printable, escaped (quoted) otherwise.
fn escape_if_needed(bytes: &[u8]) -> String {
    if bytes.iter().all(|b| (0x20..0x7f).contains(b)) {
        String::from_utf8_lossy(bytes).into_owned()
    } else {
        policy::escape_bytes(bytes)
    }
}

fn percent_decode(text: &str) -> String {
    url::form_urlencoded::parse(format!("x={}", text.replace('+', "%2B")).as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

/// A URL for messages: the password replaced.
pub fn redact_url(url: &Url) -> String {
    if url.password().is_some() {
        let mut shown = url.clone();
        let _ = shown.set_password(Some("****"));
        shown.to_string()
    } else {
        url.to_string()
    }
}
