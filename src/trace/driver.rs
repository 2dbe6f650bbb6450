//! The driver of one chain: does the I/O the navigator asks for (send, time, read and write
//! bodies) and records each hop. It holds no redirect rule: those are in `crate::redirect`.
//!
//! Every way a chain can end (final response, loop, limit, bad `Location`, network error,
//! timeout) is recorded as the chain's outcome, so the hops already made are never lost.

use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use reqwest::Response;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::time::timeout_at;

use super::prefix::{self, Cut, Failure, Prefix};
use crate::model::{Chain, Hop, NetworkErrorKind, Outcome, RequestSummary};
use crate::net::{HopClient, Sent, classify, classify_body};
use crate::redirect::{
    BodyDecision, BodyPlan, HeadDecision, Navigator, Outgoing, PlannedRequest, ResponseHead, Step,
};

/// How much of a redirect's body is read so its connection can be reused; past this the
/// connection is dropped instead (a hostile server may send an endless body).
const REDIRECT_BODY_DRAIN_LIMIT: usize = 64 * 1024;

/// How long a redirect's body may take to arrive before its connection is dropped instead.
const REDIRECT_BODY_DRAIN_TIME: Duration = Duration::from_secs(1);

/// Where the final response body goes (`-o`).
pub type BodySink = Box<dyn AsyncWrite + Unpin + Send>;

/// Traces one chain: drives `navigator` from its start request to its outcome.
pub async fn drive(
    mut navigator: Navigator<'_>,
    client: &HopClient,
    max_time: Option<Duration>,
    body_sink: Option<BodySink>,
) -> Chain {
    let started = Instant::now();
    let io = Io {
        client,
        max_time,
        deadline: max_time.map(|limit| tokio::time::Instant::from_std(started + limit)),
    };
    let request = summary(navigator.current());
    let mut hops: Vec<Hop> = Vec::new();
    let outcome = io.run(&mut navigator, &mut hops, body_sink).await;
    Chain {
        request,
        hops,
        outcome,
        time: started.elapsed(),
    }
}

struct Io<'a> {
    client: &'a HopClient,
    max_time: Option<Duration>,
    deadline: Option<tokio::time::Instant>,
}

impl Io<'_> {
    async fn run(
        &self,
        navigator: &mut Navigator<'_>,
        hops: &mut Vec<Hop>,
        mut body_sink: Option<BodySink>,
    ) -> Outcome {
        loop {
            let outgoing = match navigator.next_step() {
                Step::Send(outgoing) => outgoing,
                Step::Upgraded(mut hop) => {
                    hop.started_at = SystemTime::now();
                    hops.push(*hop);
                    continue;
                }
                Step::Finish(outcome) => return outcome,
            };
            self.client.log.take();
            let sent_at = Instant::now();
            let Sent { response, retried } = match self.send(&outgoing).await {
                Ok(sent) => sent,
                Err((kind, message)) => {
                    let shown = crate::redirect::redact_password(&navigator.current().url);
                    let message = format!("{message} ({} {shown})", outgoing.method);
                    return navigator.network_error(kind, message);
                }
            };
            let first_byte = sent_at.elapsed();
            let setup = self.client.log.take();
            let head = response_head(&response);
            let tls = self
                .client
                .tls
                .hop(response.extensions(), setup.connection)
                .filter(|_| outgoing.url.scheme() == "https");
            let complete = |hop: &mut Hop| {
                hop.started_at = SystemTime::now() - first_byte;
                hop.timing.dns = setup.dns;
                hop.timing.connect = setup.connect;
                hop.timing.tls = setup.tls;
                hop.timing.first_byte = first_byte;
                hop.retried.clone_from(&retried);
                if let Some((record, warnings)) = &tls {
                    hop.tls = Some(Box::new(record.clone()));
                    // TLS facts come before what the rules said about the response.
                    hop.warnings.splice(0..0, warnings.iter().cloned());
                }
            };
            match navigator.on_response(&outgoing, head) {
                HeadDecision::Follow(mut hop) => {
                    complete(&mut hop);
                    drain_redirect_body(response, self.deadline).await;
                    hop.timing.total = sent_at.elapsed();
                    hops.push(*hop);
                }
                HeadDecision::Stop(mut hop, outcome) => {
                    complete(&mut hop);
                    drain_redirect_body(response, self.deadline).await;
                    hop.timing.total = sent_at.elapsed();
                    hops.push(*hop);
                    return outcome;
                }
                HeadDecision::ReadBody(mut hop, plan) => {
                    complete(&mut hop);
                    let mut response = response;
                    let prefix = match plan {
                        BodyPlan::Nothing => Prefix::default(),
                        BodyPlan::HtmlPrefix(limit) => {
                            let prefix = self.read_prefix(&mut response, limit).await;
                            hop.warnings.extend(prefix.warning());
                            prefix
                        }
                    };
                    let decision = navigator.on_body(&mut hop, &prefix.bytes);
                    match decision {
                        BodyDecision::Follow => {
                            hop.timing.total = sent_at.elapsed();
                            hops.push(*hop);
                        }
                        BodyDecision::Stop(outcome) => {
                            hop.timing.total = sent_at.elapsed();
                            hops.push(*hop);
                            return outcome;
                        }
                        BodyDecision::Final => {
                            let written = self.write_body(response, prefix, body_sink.take()).await;
                            hop.timing.total = sent_at.elapsed();
                            hops.push(*hop);
                            return match written {
                                Ok(()) => Outcome::Final,
                                Err((kind, message)) => navigator.body_error(kind, message),
                            };
                        }
                    }
                }
            }
        }
    }

    async fn send(&self, outgoing: &Outgoing) -> Result<Sent, Failure> {
        let mut builder = self
            .client
            .http
            .request(outgoing.method.clone(), outgoing.url.clone())
            .headers(outgoing.headers.clone());
        if let Some(body) = &outgoing.body {
            builder = builder.body(body.clone());
        }
        let request = builder.build().map_err(|err| classify(&err, None))?;
        // Sent once more, within the same deadline, if its reused connection was found closed.
        let sending = self.client.send(request);
        let result = match self.deadline {
            Some(deadline) => match timeout_at(deadline, sending).await {
                Ok(result) => result,
                Err(_) => return Err(self.timed_out()),
            },
            None => sending.await,
        };
        result.map_err(|err| self.client.describe(&err))
    }

    /// Up to `limit` bytes of an HTML body, capped in time too; never an error (`prefix.rs`).
    async fn read_prefix(&self, response: &mut Response, limit: usize) -> Prefix {
        prefix::read(response, limit, self.deadline).await
    }

    async fn next_chunk(&self, response: &mut Response) -> Result<Option<Bytes>, Failure> {
        let chunk = match self.deadline {
            Some(deadline) => match timeout_at(deadline, response.chunk()).await {
                Ok(result) => result,
                Err(_) => return Err(self.timed_out()),
            },
            None => response.chunk().await,
        };
        chunk.map_err(|err| classify_body(&err))
    }

    /// Writes the final body (the prefix already read, then the rest) to `-o`, if asked. What
    /// came is written even when the body breaks off.
    async fn write_body(
        &self,
        mut response: Response,
        prefix: Prefix,
        sink: Option<BodySink>,
    ) -> Result<(), Failure> {
        let Some(mut sink) = sink else {
            return Ok(());
        };
        let write_error = |err: std::io::Error| {
            (
                NetworkErrorKind::Io,
                format!("cannot write the response body: {err}"),
            )
        };
        sink.write_all(&prefix.bytes).await.map_err(write_error)?;
        let read = match prefix.cut {
            // The body's own error: the rest will not come.
            Some(Cut::Broken(failure)) => Err(failure),
            Some(Cut::Slow { .. }) | None => loop {
                match self.next_chunk(&mut response).await {
                    Ok(Some(chunk)) => sink.write_all(&chunk).await.map_err(write_error)?,
                    Ok(None) => break Ok(()),
                    Err(failure) => break Err(failure),
                }
            },
        };
        sink.flush().await.map_err(write_error)?;
        read
    }

    fn timed_out(&self) -> Failure {
        let limit = self.max_time.unwrap_or_default();
        (
            NetworkErrorKind::Timeout,
            format!(
                "timed out: the run took longer than --max-time {}s",
                limit.as_secs_f64()
            ),
        )
    }
}

/// The response head as the navigator reads it.
fn response_head(response: &Response) -> ResponseHead {
    let status = response.status();
    let reason = response
        .extensions()
        .get::<hyper::ext::ReasonPhrase>()
        .map(|r| String::from_utf8_lossy(r.as_bytes()).into_owned())
        .or_else(|| status.canonical_reason().map(str::to_owned))
        .unwrap_or_default();
    ResponseHead {
        status: status.as_u16(),
        reason,
        version: format!("{:?}", response.version()),
        headers: response.headers().clone(),
        remote_addr: response.remote_addr(),
    }
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
        url: start.url.clone(),
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
