//! The driver of one chain: does the I/O the navigator asks for (send, time, read and write
//! bodies) and records each hop. It holds no redirect rule: those are in `crate::redirect`.
//!
//! Every way a chain can end (final response, loop, limit, bad `Location`, network error,
//! timeout, a signal) is recorded as the chain's outcome, so the hops already made are never
//! lost.

use std::future::Future;
use std::path::PathBuf;
use std::time::{Duration, Instant, SystemTime};

use bytes::Bytes;
use reqwest::Response;
use tokio::io::{AsyncWrite, AsyncWriteExt};
use tokio::time::timeout_at;

use super::body::Body;
use super::prefix::{self, Cut, Failure, Prefix};
use crate::model::{Chain, Hop, NetworkErrorKind, Outcome, Redactor, RequestSummary, Signal};
use crate::net::{HopClient, ProxyChoice, Sent, classify, through_proxy};
use crate::redirect::{
    BodyDecision, BodyPlan, HeadDecision, Navigator, Outgoing, PlannedRequest, ResponseHead, Step,
};

/// How much of a redirect's body is read so its connection can be reused; past this the
/// connection is dropped instead (a hostile server may send an endless body).
const REDIRECT_BODY_DRAIN_LIMIT: usize = 64 * 1024;

/// How long a redirect's body may take to arrive before its connection is dropped instead.
const REDIRECT_BODY_DRAIN_TIME: Duration = Duration::from_secs(1);

/// What is written of the final response (`-o`, `--body`, `-i`), and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BodyOutput {
    pub to: OutputTarget,
    /// `-i`: the response's status line and headers, as received, go before the body.
    pub include_head: bool,
}

/// Where the final response body goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputTarget {
    Stdout,
    /// Created (or truncated) only when a final response's body starts, as curl does: a chain
    /// that fails leaves no empty file behind, and an existing file as it was.
    File(PathBuf),
    /// Read and dropped, as a redirect's body is (within the same size and time caps), so the
    /// connection goes back to the pool: `hops check` shows no body but reuses connections.
    Discard,
}

type BodySink = Box<dyn AsyncWrite + Unpin + Send>;

impl OutputTarget {
    async fn open(&self) -> Result<BodySink, Failure> {
        match self {
            OutputTarget::Stdout => Ok(Box::new(tokio::io::stdout())),
            OutputTarget::Discard => Ok(Box::new(tokio::io::sink())),
            OutputTarget::File(path) => match tokio::fs::File::create(path).await {
                Ok(file) => Ok(Box::new(file)),
                Err(err) => Err((
                    NetworkErrorKind::Io,
                    format!("cannot create output file {}: {err}", path.display()),
                )),
            },
        }
    }
}

/// Told about each hop as soon as it is complete, while the chain goes on, so a chain whose
/// last server hangs still shows the hops before it.
pub trait HopObserver {
    fn on_hop(&mut self, hop: &Hop);
}

/// Nobody to tell: the chain is only read when it ends.
impl HopObserver for () {
    fn on_hop(&mut self, _: &Hop) {}
}

/// Traces one chain: drives `navigator` from its start request to its outcome, telling
/// `observer` about each hop as it completes. When `stop` resolves first (a signal), the chain
/// ends there as interrupted, with the hops made so far.
pub async fn drive(
    mut navigator: Navigator<'_>,
    client: &HopClient,
    max_time: Option<Duration>,
    body_output: Option<BodyOutput>,
    observer: &mut dyn HopObserver,
    stop: impl Future<Output = Signal>,
    keep_every_header: bool,
) -> Chain {
    let started = Instant::now();
    let io = Io {
        client,
        max_time,
        deadline: max_time.map(|limit| tokio::time::Instant::from_std(started + limit)),
    };
    let request = summary(navigator.current());
    let mut record = Record {
        hops: Vec::new(),
        keep_every_header,
        reading: None,
        observer,
    };
    let finished = tokio::select! {
        biased;
        signal = stop => Err(signal),
        outcome = io.run(&mut navigator, &mut record, body_output) => Ok(outcome),
    };
    let outcome = finished.unwrap_or_else(|signal| record.interrupted(signal));
    Chain {
        request,
        hops: record.hops,
        outcome,
        time: started.elapsed(),
    }
}

/// The hops of the chain so far, each told to the observer as it is added.
struct Record<'o> {
    // Boxed on purpose, as in `Chain::hops`: a hop is large, and growing a vector of 100,000
    // of them would copy them all and hold two copies at once.
    #[allow(clippy::vec_box)]
    hops: Vec<Box<Hop>>,
    /// Whether hops keep their headers once shown (JSON and HAR need them; text has shown them).
    keep_every_header: bool,
    /// The hop whose response head has arrived while its body is still being read, with the
    /// time its request was sent.
    reading: Option<(Box<Hop>, Instant)>,
    observer: &'o mut dyn HopObserver,
}

impl Record<'_> {
    fn push(&mut self, hop: Box<Hop>) {
        self.observer.on_hop(&hop);
        // The last hop stays whole: `-w` and the summary read it.
        if !self.keep_every_header {
            if let Some(previous) = self.hops.last_mut() {
                previous.shed_display_details();
            }
        }
        self.hops.push(hop);
    }

    /// `hop`'s head has arrived; its body is read next.
    fn reading(&mut self, hop: Box<Hop>, sent_at: Instant) -> &mut Hop {
        &mut self.reading.insert((hop, sent_at)).0
    }

    /// The body of the hop being read is done with: the hop is complete.
    fn finish_reading(&mut self) {
        if let Some((mut hop, sent_at)) = self.reading.take() {
            hop.timing.set_total(sent_at.elapsed());
            self.push(hop);
        }
    }

    /// A signal stopped the chain: a hop whose body was being read is kept as it stands (its
    /// head arrived); otherwise the hop under way is the next one.
    fn interrupted(&mut self, signal: Signal) -> Outcome {
        let name = signal.name();
        let (hop, message) = match self.reading.as_ref() {
            Some((hop, _)) => (
                hop.index,
                format!("interrupted by {name} while reading the response body"),
            ),
            None => (
                self.hops.len() + 1,
                format!("interrupted by {name} before the response arrived"),
            ),
        };
        self.finish_reading();
        Outcome::Interrupted {
            hop,
            signal,
            message,
        }
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
        record: &mut Record<'_>,
        mut body_output: Option<BodyOutput>,
    ) -> Outcome {
        // `-i`: the heads of the responses followed, written before the final one as curl -i -L
        // does. Kept until the final body starts, so a failed chain still creates no file.
        let include_heads = body_output
            .as_ref()
            .is_some_and(|output| output.include_head);
        let mut earlier_heads = Vec::new();
        loop {
            let outgoing = match navigator.next_step() {
                Step::Send(outgoing) => outgoing,
                Step::Upgraded(mut hop) => {
                    hop.started_at = SystemTime::now();
                    record.push(hop);
                    continue;
                }
                Step::Finish(outcome) => return outcome,
            };
            self.client.log.take();
            let proxy = self.client.proxies.for_url(&outgoing.url);
            let Sent {
                response,
                retried,
                sent_at,
            } = match self.send(&outgoing).await {
                Ok(sent) => sent,
                Err((kind, message)) => {
                    let message = match proxy {
                        Some(proxy) => through_proxy(proxy, &outgoing.url, kind, &message),
                        None => message,
                    };
                    let shown = Redactor::default().url(&navigator.current().url);
                    let message = format!("{message} ({} {shown})", outgoing.method);
                    return navigator.network_error(kind, message);
                }
            };
            let first_byte = sent_at.elapsed();
            let setup = self.client.log.take();
            let head = response_head(&response);
            // TLS facts are shown for https hops only, so no other hop looks them up.
            let tls = (outgoing.url.scheme() == "https")
                .then(|| self.client.tls.hop(response.extensions(), setup.connection))
                .flatten();
            // Each arm below calls this once: what it records is moved into the hop.
            let complete = move |hop: &mut Hop| {
                hop.started_at = SystemTime::now() - first_byte;
                hop.timing.set_setup(setup.dns, setup.connect, setup.tls);
                hop.timing.set_first_byte(first_byte);
                hop.retried = retried;
                hop.proxy = proxy.map(ProxyChoice::address);
                if let Some((record, warnings)) = tls {
                    hop.tls = Some(Box::new(record));
                    // TLS facts come before what the rules said about the response.
                    hop.warnings.splice(0..0, warnings);
                }
            };
            match navigator.on_response(&outgoing, head) {
                HeadDecision::Follow(mut hop) => {
                    complete(&mut hop);
                    if include_heads {
                        earlier_heads.extend(head_as_received(&response));
                    }
                    record.reading(hop, sent_at);
                    drain_body(response, self.deadline).await;
                    record.finish_reading();
                }
                HeadDecision::Stop(mut hop, outcome) => {
                    complete(&mut hop);
                    record.reading(hop, sent_at);
                    drain_body(response, self.deadline).await;
                    record.finish_reading();
                    return outcome;
                }
                HeadDecision::ReadBody(mut hop, plan) => {
                    complete(&mut hop);
                    let hop = record.reading(hop, sent_at);
                    let mut body = Body::new(response, navigator.decodes_bodies());
                    let prefix = match plan {
                        BodyPlan::Nothing => Prefix::default(),
                        BodyPlan::HtmlPrefix(limit) => {
                            let prefix = prefix::read(&mut body, limit, self.deadline).await;
                            hop.warnings.extend(prefix.warning());
                            prefix
                        }
                    };
                    match navigator.on_body(hop, &prefix.bytes) {
                        BodyDecision::Follow => {
                            if include_heads {
                                earlier_heads.extend(head_as_received(body.response()));
                            }
                            record.finish_reading();
                        }
                        BodyDecision::Stop(outcome) => {
                            record.finish_reading();
                            return outcome;
                        }
                        BodyDecision::Final => {
                            let output = body_output.take();
                            let written = self.write_body(body, prefix, output, &earlier_heads);
                            let written = written.await;
                            record.finish_reading();
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
        let result = self.within_max_time(self.client.send(request)).await?;
        result.map_err(|err| self.client.describe(&err))
    }

    async fn next_chunk(&self, body: &mut Body) -> Result<Option<Bytes>, Failure> {
        // A timeout looks at its clock only when what it waits on is not ready, and a body
        // decoded from bytes already at hand is always ready: a compression bomb of a few KiB
        // would be written for hours past `--max-time` unless the clock is read here.
        if self
            .deadline
            .is_some_and(|deadline| tokio::time::Instant::now() >= deadline)
        {
            return Err(self.timed_out());
        }
        self.within_max_time(body.chunk()).await?
    }

    /// `work`, stopped with the `--max-time` error when the run's deadline comes first.
    async fn within_max_time<F: Future>(&self, work: F) -> Result<F::Output, Failure> {
        match self.deadline {
            Some(deadline) => timeout_at(deadline, work)
                .await
                .map_err(|_| self.timed_out()),
            None => Ok(work.await),
        }
    }

    /// Writes the final body (the prefix already read, then the rest) to `-o`, if asked, after
    /// the heads of the chain with `-i` (`earlier_heads`, then its own). What came is written
    /// even when the body breaks off.
    async fn write_body(
        &self,
        mut body: Body,
        prefix: Prefix,
        output: Option<BodyOutput>,
        earlier_heads: &[u8],
    ) -> Result<(), Failure> {
        let Some(output) = output else {
            return Ok(());
        };
        if output.to == OutputTarget::Discard {
            // A body cut short by the HTML prefix's cap is slow: its connection is not worth
            // waiting for.
            if prefix.cut.is_none() {
                drain_body(body.into_response(), self.deadline).await;
            }
            return Ok(());
        }
        let mut sink = output.to.open().await?;
        let write_error = |err: std::io::Error| {
            (
                NetworkErrorKind::Io,
                format!("cannot write the response body: {err}"),
            )
        };
        if output.include_head {
            sink.write_all(earlier_heads).await.map_err(write_error)?;
            sink.write_all(&head_as_received(body.response()))
                .await
                .map_err(write_error)?;
        }
        sink.write_all(&prefix.bytes).await.map_err(write_error)?;
        let read = match prefix.cut {
            // The body's own error: the rest will not come.
            Some(Cut::Broken(failure)) => Err(failure),
            Some(Cut::Slow { .. }) | None => loop {
                match self.next_chunk(&mut body).await {
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

/// The server's own reason phrase, or the standard one.
fn reason(response: &Response) -> String {
    response
        .extensions()
        .get::<hyper::ext::ReasonPhrase>()
        .map(|r| String::from_utf8_lossy(r.as_bytes()).into_owned())
        .or_else(|| response.status().canonical_reason().map(str::to_owned))
        .unwrap_or_default()
}

/// The response head as the navigator reads it, the headers borrowed from `response`.
fn response_head(response: &Response) -> ResponseHead<'_> {
    let status = response.status();
    ResponseHead {
        status: status.as_u16(),
        reason: reason(response),
        version: format!("{:?}", response.version()),
        headers: response.headers(),
        remote_addr: response.remote_addr(),
    }
}

/// `-i`: the status line and header lines as curl writes them, each ending in CRLF, then the
/// blank line. HTTP/2 has no reason phrase, and its line reads `HTTP/2 200 ` as in curl. Header
/// names come lower-cased from the HTTP library, with the values of one name together.
fn head_as_received(response: &Response) -> Vec<u8> {
    let status = response.status().as_u16();
    let mut head = match response.version() {
        reqwest::Version::HTTP_2 => format!("HTTP/2 {status} \r\n"),
        reqwest::Version::HTTP_3 => format!("HTTP/3 {status} \r\n"),
        version => format!("{version:?} {status} {}\r\n", reason(response)),
    }
    .into_bytes();
    for (name, value) in response.headers() {
        head.extend_from_slice(name.as_str().as_bytes());
        head.extend_from_slice(b": ");
        head.extend_from_slice(value.as_bytes());
        head.extend_from_slice(b"\r\n");
    }
    head.extend_from_slice(b"\r\n");
    head
}

/// Reads a small body (a redirect's, or a final one nobody asked to see) to keep the connection
/// reusable; drops a large or slow one.
///
/// The wait is capped (as Chromium caps its drain of redirect bodies): a server that stalls or
/// trickles the body must not hold the chain up, with or without `--max-time`.
async fn drain_body(mut response: Response, deadline: Option<tokio::time::Instant>) {
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
    let _ = timeout_at(prefix::sooner(cap, deadline), drain).await;
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
