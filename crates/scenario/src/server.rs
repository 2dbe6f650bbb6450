//! The server: two loopback listeners (plain http, which also answers TLS, and https), every
//! request read within its limits, recorded and answered from the route table, knobs applied.
//! [`ScenarioServer`] runs on the caller's tokio runtime, [`BlockingServer`] on a thread of its
//! own for synchronous tests. How each connection is served is `connection`'s.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{CONNECTION, CONTENT_LENGTH, EXPECT, HOST, HeaderValue};
use hyper::{Request, Response, StatusCode};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::ca::{self, CaFile, TestPki, TlsOptions};
use crate::drip::DripRate;
use crate::expect::{Received, hostname_of};
use crate::knobs::Knobs;
use crate::placeholders::Placeholders;
use crate::scenario::{Route, find_route};

mod connection;

use connection::{Peer, Protocol, accept_connections};

/// Large enough for any fixture body, small enough that a runaway client cannot exhaust memory.
/// A longer body is answered 413 and recorded empty, its headers kept: before a byte of it is
/// read when `Content-Length` declares it and the client waits for `100 Continue`, or the body
/// is over [`DRAIN_LIMIT`]; otherwise once it has been read and dropped, so the client, done
/// sending, reads the answer. The server closes the connection after a 413.
pub const MAX_REQUEST_BODY: usize = 1024 * 1024;

/// What a route-less request may still get: consulted when no scenario route matches, before the
/// 404. `hops serve` answers its own pages here (and is where httpbin-like endpoints plug in).
pub type Fallback =
    Arc<dyn Fn(&Received, &Placeholders) -> Option<Response<Full<Bytes>>> + Send + Sync>;

/// Called once per request, after its response is built: `hops serve`'s request log.
pub type OnRequest = Arc<dyn Fn(&Exchange<'_>) + Send + Sync>;

/// One request and what the server answered, as [`OnRequest`] sees it.
pub struct Exchange<'a> {
    pub received: &'a Received,
    /// The status the client gets: knobs applied, never a 1xx.
    pub status: u16,
    /// The first Location header of the response, lossily decoded.
    pub location: Option<String>,
    /// The connection the request came on: 1 for the first one either listener accepted since
    /// the server started, 2 for the next... (every request of a keep-alive connection has the
    /// same number).
    pub connection: u64,
}

/// Where and how a server listens, beyond its certificate. The default is what
/// [`ScenarioServer::start`] uses: 127.0.0.1, any free ports, every request recorded.
#[derive(Clone)]
pub struct ServeOptions {
    pub bind: IpAddr,
    /// 0 picks any free port.
    pub port: u16,
    pub tls_port: u16,
    /// Names the leaf covers besides [`crate::LEAF_NAMES`] (host names or IP addresses).
    pub extra_names: Vec<String>,
    /// Keep every request for [`ServerInfo::received`]. A long-running server turns this off,
    /// or its log grows without bound.
    pub record: bool,
    pub on_request: Option<OnRequest>,
    pub fallback: Option<Fallback>,
    /// Honour `?delay=MS`, `?status=CODE` and `?drip=RATE` on every endpoint, and answer 400
    /// to a value one does not take (see [`crate::knobs`]).
    pub knobs: bool,
    /// How long a client may keep a connection without sending a whole request head: the
    /// first one (TLS handshake included) or the next on a keep-alive connection; and how long
    /// it may take over a request body. The connection is closed then, so that silent clients
    /// cannot hold every file descriptor. An HTTP/2 client must open within it too, and is then
    /// pinged at this interval and closed when a ping goes unanswered for as long; one that
    /// answers may keep an idle connection.
    pub idle_timeout: Duration,
}

/// The default [`ServeOptions::idle_timeout`].
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            bind: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            tls_port: 0,
            extra_names: Vec::new(),
            record: true,
            on_request: None,
            fallback: None,
            knobs: false,
            idle_timeout: IDLE_TIMEOUT,
        }
    }
}

type ReceivedLog = Arc<Mutex<Vec<Received>>>;

/// A panic elsewhere must not hide what was received, so a poisoned log is still read.
fn lock_log(log: &Mutex<Vec<Received>>) -> MutexGuard<'_, Vec<Received>> {
    log.lock().unwrap_or_else(PoisonError::into_inner)
}

struct ServerState {
    routes: Vec<Route>,
    placeholders: Placeholders,
    received: ReceivedLog,
    connections: Arc<AtomicU64>,
    /// [`TlsOptions::http2`]: the http listener also serves HTTP/2 with prior knowledge (h2c).
    h2c: bool,
    record: bool,
    on_request: Option<OnRequest>,
    fallback: Option<Fallback>,
    knobs: bool,
    idle_timeout: Duration,
}

/// A loopback HTTP/1.1 server answering from a route table on two ports, plain http and https,
/// running on the current tokio runtime. With [`TlsOptions::http2`], https connections that
/// negotiate `h2` are served over HTTP/2, and so are plain http connections that open with the
/// HTTP/2 preface (h2c with prior knowledge, as `--http2-prior-knowledge` sends).
///
/// Dropping it stops accepting, closes open connections and removes its CA file.
pub struct ScenarioServer {
    info: ServerInfo,
    accept_tasks: [JoinHandle<()>; 2],
    /// Removes the CA file when the server goes.
    _ca_file: CaFile,
}

/// What tests and the demo ask a running server: its ports, placeholders, CA and request log.
/// Both [`ScenarioServer`] and [`BlockingServer`] dereference to it.
#[derive(Clone)]
pub struct ServerInfo {
    placeholders: Placeholders,
    received: ReceivedLog,
    connections: Arc<AtomicU64>,
    ca_pem: String,
    ca_file: PathBuf,
}

impl ScenarioServer {
    /// Binds two ports on 127.0.0.1 with a valid leaf certificate and starts serving in spawned
    /// tasks.
    pub async fn start(routes: Vec<Route>) -> io::Result<ScenarioServer> {
        Self::start_with(routes, TlsOptions::default()).await
    }

    /// Like [`ScenarioServer::start`], with the https listener's certificate chosen by `options`.
    pub async fn start_with(routes: Vec<Route>, options: TlsOptions) -> io::Result<ScenarioServer> {
        Self::start_serving(routes, options, ServeOptions::default()).await
    }

    /// Like [`ScenarioServer::start_with`], on the address, ports and hooks `serve` gives.
    pub async fn start_serving(
        routes: Vec<Route>,
        options: TlsOptions,
        serve: ServeOptions,
    ) -> io::Result<ScenarioServer> {
        let pki = TestPki::generate(options.clone(), &serve.extra_names)?;
        let ca_file = CaFile::create(&pki.ca_pem)?;
        let listener = TcpListener::bind((serve.bind, serve.port)).await?;
        let tls_listener = TcpListener::bind((serve.bind, serve.tls_port)).await?;
        let placeholders = Placeholders::new(
            listener.local_addr()?.port(),
            tls_listener.local_addr()?.port(),
        )
        .with_ca_file(ca_file.path());
        let received = ReceivedLog::default();
        let connections = Arc::new(AtomicU64::new(0));
        let state = Arc::new(ServerState {
            routes,
            placeholders: placeholders.clone(),
            received: Arc::clone(&received),
            connections: Arc::clone(&connections),
            h2c: options.http2,
            record: serve.record,
            on_request: serve.on_request,
            fallback: serve.fallback,
            knobs: serve.knobs,
            idle_timeout: serve.idle_timeout,
        });
        let accept_tasks = [
            tokio::spawn(accept_connections(
                listener,
                Protocol::Sniffed(pki.acceptor.clone()),
                Arc::clone(&state),
            )),
            tokio::spawn(accept_connections(
                tls_listener,
                Protocol::Tls(pki.acceptor),
                state,
            )),
        ];
        Ok(ScenarioServer {
            info: ServerInfo {
                placeholders,
                received,
                connections,
                ca_pem: pki.ca_pem,
                ca_file: ca_file.path().to_owned(),
            },
            accept_tasks,
            _ca_file: ca_file,
        })
    }
}

impl std::ops::Deref for ScenarioServer {
    type Target = ServerInfo;

    fn deref(&self) -> &ServerInfo {
        &self.info
    }
}

impl ServerInfo {
    pub fn placeholders(&self) -> Placeholders {
        self.placeholders.clone()
    }

    pub fn port(&self) -> u16 {
        self.placeholders.port()
    }

    /// The https listener's port.
    pub fn tls_port(&self) -> u16 {
        self.placeholders.tls_port()
    }

    /// The test CA's certificate, PEM-encoded: the one root a client needs to trust the server.
    pub fn ca_pem(&self) -> &str {
        &self.ca_pem
    }

    /// The CA certificate file this server wrote at start; it lives as long as the server.
    pub fn ca_file(&self) -> &Path {
        &self.ca_file
    }

    /// Writes the CA certificate as `dir/ca.pem` and returns that path.
    pub fn write_ca(&self, dir: &Path) -> io::Result<PathBuf> {
        ca::write_ca(&self.ca_pem, dir)
    }

    pub fn expand(&self, text: &str) -> String {
        self.placeholders.expand(text)
    }

    pub fn resolve_args(&self) -> Vec<String> {
        self.placeholders.resolve_args()
    }

    /// Everything received so far on both listeners, in arrival order.
    pub fn received(&self) -> Vec<Received> {
        lock_log(&self.received).clone()
    }

    pub fn clear_received(&self) {
        lock_log(&self.received).clear();
    }

    /// How many connections both listeners have accepted since the server started.
    pub fn connections(&self) -> u64 {
        self.connections.load(Ordering::Relaxed)
    }
}

impl Drop for ScenarioServer {
    fn drop(&mut self) {
        for task in &self.accept_tasks {
            task.abort();
        }
    }
}

async fn respond(
    request: Request<Incoming>,
    scheme: &str,
    peer: Peer,
    state: &ServerState,
) -> Response<Full<Bytes>> {
    let (received, body) = read_request(request, scheme, peer.ip, state.idle_timeout).await;
    let knobs = if state.knobs {
        Knobs::parse(&received.path)
    } else {
        Ok(Knobs::default())
    };
    let mut response = match body {
        // The rest of the body is left unread, so hyper closes the connection after this
        // answer in any case; saying so tells the client not to send it.
        BodyRead::TooLarge => closing(text_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            "request body too large",
        )),
        // The rest of the body may still come: the connection cannot carry another request.
        BodyRead::TooSlow => closing(text_response(
            StatusCode::REQUEST_TIMEOUT,
            "request body too slow",
        )),
        BodyRead::Failed => text_response(StatusCode::BAD_REQUEST, "unreadable request body"),
        // At once and in place of the answer: a client that set a knob must not get an answer
        // that looks like it was honoured.
        BodyRead::Whole => match &knobs {
            Err(invalid) => text_response(StatusCode::BAD_REQUEST, &invalid.to_string()),
            Ok(_) => final_answer(answer(&received, state)),
        },
    };
    let knobs = knobs.unwrap_or_default();
    let status = knobs.status_for(response.status().as_u16());
    if let Ok(status) = StatusCode::from_u16(status) {
        *response.status_mut() = status;
    }
    if let Some(rate) = knobs.drip {
        response.extensions_mut().insert(DripRate(rate));
    }
    if let Some(delay) = knobs.delay {
        tokio::time::sleep(delay).await;
    }
    finish(received, response, peer, state)
}

/// The answer to plain http on the https port, whatever was asked: where to go instead, and
/// the end of the connection, whose client has the wrong idea of this port.
async fn respond_plain_on_tls(
    request: Request<Incoming>,
    peer: Peer,
    state: &ServerState,
    local: SocketAddr,
) -> Response<Full<Bytes>> {
    let (received, _) = read_request(request, "http", peer.ip, state.idle_timeout).await;
    let host = match (received.host.as_str(), local.ip()) {
        ("", IpAddr::V6(ip)) => format!("[{ip}]"),
        ("", ip) => ip.to_string(),
        (host, _) => host.to_owned(),
    };
    let text = format!(
        "this port speaks https: use https://{host}:{}/",
        local.port()
    );
    let response = closing(text_response(StatusCode::BAD_REQUEST, &text));
    finish(received, response, peer, state)
}

/// Shows `response` to the request hook and records `received`, then hands `response` back.
fn finish(
    received: Received,
    response: Response<Full<Bytes>>,
    peer: Peer,
    state: &ServerState,
) -> Response<Full<Bytes>> {
    if let Some(on_request) = &state.on_request {
        let location = response
            .headers()
            .get(hyper::header::LOCATION)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
        on_request(&Exchange {
            received: &received,
            status: response.status().as_u16(),
            location,
            connection: peer.connection,
        });
    }
    // Recorded before answering, so once the client has its response the log already holds the request.
    if state.record {
        lock_log(&state.received).push(received);
    }
    response
}

/// The answer of the first route that matches, or else of the fallback, or else a 404.
fn answer(received: &Received, state: &ServerState) -> Response<Full<Bytes>> {
    match find_route(&state.routes, received) {
        Some(route) => route
            .response(&state.placeholders)
            .unwrap_or_else(|error| text_response(StatusCode::INTERNAL_SERVER_ERROR, &error)),
        // The one place a request no scenario route matches may still be answered.
        None => state
            .fallback
            .as_ref()
            .and_then(|fallback| fallback(received, &state.placeholders))
            .unwrap_or_else(|| text_response(StatusCode::NOT_FOUND, "no route")),
    }
}

/// How reading a request body went.
enum BodyRead {
    Whole,
    /// Longer than [`MAX_REQUEST_BODY`].
    TooLarge,
    /// The client hung up or sent a broken body.
    Failed,
    /// Not all there within [`ServeOptions::idle_timeout`].
    TooSlow,
}

/// Reads a request whole: what the log records, and whether its body was readable (within
/// [`MAX_REQUEST_BODY`]).
async fn read_request(
    request: Request<Incoming>,
    scheme: &str,
    peer_ip: IpAddr,
    limit: Duration,
) -> (Received, BodyRead) {
    let (parts, body) = request.into_parts();
    let declared = parts
        .headers
        .get(CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok()?.parse::<u64>().ok());
    let asks_first = parts
        .headers
        .get(EXPECT)
        .is_some_and(|value| value.as_bytes().eq_ignore_ascii_case(b"100-continue"));
    // Refused from the header alone when the client waits for `100 Continue` before sending
    // the body (hyper sends it only once the body is polled), or when the body is too large
    // even to read and drop.
    if declared.is_some_and(|length| {
        length > MAX_REQUEST_BODY as u64 && (asks_first || length > DRAIN_LIMIT)
    }) {
        let received = received_of(parts, scheme, peer_ip, Vec::new());
        return (received, BodyRead::TooLarge);
    }
    let (body, body_ok) = read_body(body, limit).await;
    (received_of(parts, scheme, peer_ip, body), body_ok)
}

/// At most this much of a body too large to keep is read and dropped before the 413 goes out.
/// A client still sending when the server closes gets a reset that can destroy the answer it
/// has not read yet (RFC 9112 §9.6), so a body up to this size is taken in full first.
const DRAIN_LIMIT: u64 = 16 * 1024 * 1024;

/// The body whole, up to [`MAX_REQUEST_BODY`]; past that, read on and dropped up to
/// [`DRAIN_LIMIT`]; all within `limit`.
async fn read_body(mut body: Incoming, limit: Duration) -> (Vec<u8>, BodyRead) {
    let deadline = tokio::time::Instant::now() + limit;
    let mut kept = Vec::new();
    let mut seen: u64 = 0;
    let too_large = |seen: u64| seen > MAX_REQUEST_BODY as u64;
    loop {
        let frame = match tokio::time::timeout_at(deadline, body.frame()).await {
            Err(_) if too_large(seen) => return (Vec::new(), BodyRead::TooLarge),
            Err(_) => return (Vec::new(), BodyRead::TooSlow),
            Ok(None) => break,
            Ok(Some(Err(_))) => return (Vec::new(), BodyRead::Failed),
            Ok(Some(Ok(frame))) => frame,
        };
        let Ok(data) = frame.into_data() else {
            continue;
        };
        seen += data.len() as u64;
        if too_large(seen) {
            kept = Vec::new();
            if seen > DRAIN_LIMIT {
                break;
            }
        } else {
            kept.extend_from_slice(&data);
        }
    }
    if too_large(seen) {
        (Vec::new(), BodyRead::TooLarge)
    } else {
        (kept, BodyRead::Whole)
    }
}

/// What the log records of a request whose body was read as `body`.
fn received_of(
    parts: hyper::http::request::Parts,
    scheme: &str,
    peer_ip: IpAddr,
    body: Vec<u8>,
) -> Received {
    let host = match parts.headers.get(HOST) {
        Some(value) => hostname_of(&String::from_utf8_lossy(value.as_bytes())),
        None => parts.uri.host().map(hostname_of).unwrap_or_default(),
    };
    let path = parts
        .uri
        .path_and_query()
        .map_or_else(|| parts.uri.path().to_owned(), |pq| pq.as_str().to_owned());
    let headers = parts
        .headers
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.as_str().to_owned(), value)
        })
        .collect();
    Received {
        scheme: scheme.to_owned(),
        method: parts.method.as_str().to_owned(),
        path,
        host,
        headers,
        body,
        peer_ip: Some(peer_ip),
    }
}

fn text_response(status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(text.to_owned())));
    *response.status_mut() = status;
    response
}

/// `response` if its status is a final one. hyper cannot end an exchange with a 1xx: it sends
/// a 500 instead, or for 101 switches protocols and drops the connection, while the log would
/// show the 1xx. Such an answer of a route or fallback becomes a 500 that says why.
fn final_answer(response: Response<Full<Bytes>>) -> Response<Full<Bytes>> {
    let status = response.status();
    if !status.is_informational() {
        return response;
    }
    let why = format!(
        "this endpoint answers {}, an informational status, which cannot end an exchange",
        status.as_u16()
    );
    text_response(StatusCode::INTERNAL_SERVER_ERROR, &why)
}

/// `response`, telling the client that the server closes the connection after it.
fn closing(mut response: Response<Full<Bytes>>) -> Response<Full<Bytes>> {
    response
        .headers_mut()
        .insert(CONNECTION, HeaderValue::from_static("close"));
    response
}

/// A [`ScenarioServer`] on its own thread and current-thread runtime, for synchronous tests.
///
/// Dropping it shuts the runtime down, which closes every connection and removes the CA file.
pub struct BlockingServer {
    info: ServerInfo,
    shutdown: Option<oneshot::Sender<()>>,
    thread: Option<thread::JoinHandle<()>>,
}

impl BlockingServer {
    pub fn start(routes: Vec<Route>) -> io::Result<Self> {
        Self::start_with(routes, TlsOptions::default())
    }

    /// Like [`BlockingServer::start`], with the https listener's certificate chosen by `options`.
    pub fn start_with(routes: Vec<Route>, options: TlsOptions) -> io::Result<Self> {
        let (ready_tx, ready_rx) = std::sync::mpsc::channel::<io::Result<ServerInfo>>();
        let (shutdown_tx, shutdown_rx) = oneshot::channel::<()>();
        let thread = thread::Builder::new()
            .name("scenario-server".to_owned())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(error) => {
                        let _ = ready_tx.send(Err(error));
                        return;
                    }
                };
                runtime.block_on(async move {
                    match ScenarioServer::start_with(routes, options).await {
                        Ok(server) => {
                            let _ = ready_tx.send(Ok(server.info.clone()));
                            // Resolves on an explicit send or when the sender is dropped.
                            let _ = shutdown_rx.await;
                        }
                        Err(error) => {
                            let _ = ready_tx.send(Err(error));
                        }
                    }
                });
            })?;
        let info = ready_rx
            .recv()
            .map_err(|_| io::Error::other("scenario server thread stopped before it started"))??;
        Ok(BlockingServer {
            info,
            shutdown: Some(shutdown_tx),
            thread: Some(thread),
        })
    }
}

impl std::ops::Deref for BlockingServer {
    type Target = ServerInfo;

    fn deref(&self) -> &ServerInfo {
        &self.info
    }
}

impl Drop for BlockingServer {
    fn drop(&mut self) {
        drop(self.shutdown.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

#[cfg(test)]
#[path = "server_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "limits_tests.rs"]
mod limits_tests;
