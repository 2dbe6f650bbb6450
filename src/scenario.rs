//! Redirect scenarios and the loopback HTTP/1.1 server that plays them, shared by `hops demo` and the integration tests.
//!
//! A server listens on two loopback ports: plain http, and https with a leaf certificate signed by
//! a test CA made when the server starts ([`tls`]). Both serve the same routes and record into the
//! same log, each request tagged with the scheme of the listener that got it. Scenario hosts reach
//! both through one `--resolve HOST:PORT:127.0.0.1` each, since hops ignores the port there.

use std::convert::Infallible;
use std::fmt;
use std::io;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::ext::ReasonPhrase;
use hyper::header::{HOST, HeaderMap, HeaderName, HeaderValue};
use hyper::server::conn::{http1, http2};
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde::Deserialize;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::{JoinHandle, JoinSet};
use tokio_rustls::TlsAcceptor;

mod tls;

pub use tls::{LEAF_NAMES, LeafKind, TlsOptions, WRONG_NAME};

/// The host names every scenario may use; `--resolve` points all of them at the one loopback
/// server, which covers both its listeners. The test CA's leaf certificate names each of them.
pub const SCENARIO_HOSTS: [&str; 6] = [
    "shop.test",
    "auth.test",
    "other.test",
    "www.shop.test",
    "example.test",
    // Under the `dev` top-level domain, which the HSTS preload list covers whole.
    "shop.dev",
];

/// Placeholders that lead to https (`{dev}` through the HSTS preload list); a scenario using one
/// runs with `--cacert`.
const TLS_PLACEHOLDERS: [&str; 7] = [
    "{dev}",
    "{shop_tls}",
    "{auth_tls}",
    "{other_tls}",
    "{www_tls}",
    "{example_tls}",
    "{tls_port}",
];

/// Large enough for any fixture body, small enough that a runaway client cannot exhaust memory.
const MAX_REQUEST_BODY: usize = 1024 * 1024;

/// One demonstrable redirect situation: how to run hops, what the server answers, what must happen.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    pub name: String,
    pub title: String,
    pub explain: String,
    /// Command-line arguments for hops, before placeholder expansion and without `--resolve`.
    pub args: Vec<String>,
    pub routes: Vec<Route>,
    pub expect: Expect,
}

impl Scenario {
    /// The full hops argument list for a server: `--resolve` pairs first, then `--cacert` with the
    /// server's CA file if the scenario uses https (and does not pass `--cacert` itself), then the
    /// expanded `args`.
    pub fn command_args(&self, placeholders: &Placeholders) -> Vec<String> {
        let mut args = placeholders.resolve_args();
        let own_cacert = self
            .args
            .iter()
            .any(|arg| arg == "--cacert" || arg.starts_with("--cacert="));
        if self.uses_tls() && !own_cacert {
            if let Some(ca_file) = placeholders.ca_file() {
                args.push("--cacert".to_owned());
                args.push(ca_file.to_string_lossy().into_owned());
            }
        }
        args.extend(self.args.iter().map(|arg| placeholders.expand(arg)));
        args
    }

    /// Whether an argument or a route (headers or body) mentions an https placeholder.
    pub fn uses_tls(&self) -> bool {
        let args = self.args.iter().map(|arg| arg.as_bytes());
        let routes = self.routes.iter().flat_map(|route| {
            let headers = route.headers.iter().map(|(_, value)| value.as_bytes());
            let raw = route
                .headers_bytes
                .iter()
                .map(|(_, value)| value.as_slice());
            let body = route.body.iter().map(|body| body.as_bytes());
            headers.chain(raw).chain(body)
        });
        let https_routes = self.routes.iter().any(|route| {
            route
                .scheme
                .as_deref()
                .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https"))
        });
        https_routes || args.chain(routes).any(mentions_tls)
    }
}

fn mentions_tls(text: &[u8]) -> bool {
    TLS_PLACEHOLDERS.iter().any(|placeholder| {
        text.windows(placeholder.len())
            .any(|window| window == placeholder.as_bytes())
    })
}

/// The scenarios embedded from `fixtures/scenarios.json`, in demo order.
///
/// Cannot fail at run time: the embedded file is fixed at build time and a unit test parses it.
pub fn builtin() -> Vec<Scenario> {
    parse_scenarios(include_str!("../fixtures/scenarios.json"))
        .expect("fixtures/scenarios.json is embedded at build time and parsed by the unit tests")
}

/// Parses a JSON array of scenarios in the fixture format.
pub fn parse_scenarios(json: &str) -> Result<Vec<Scenario>, serde_json::Error> {
    serde_json::from_str(json)
}

/// A canned response and the conditions a request must meet to get it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Hostname the Host header must name (port ignored, case-insensitive); `None` matches any host.
    #[serde(default)]
    pub host: Option<String>,
    /// `"http"` or `"https"`: the listener the request must arrive on; `None` matches both.
    #[serde(default)]
    pub scheme: Option<String>,
    /// Exact request path, without the query string.
    pub path: String,
    /// Exact raw query string (without `?`); `None` matches any query.
    #[serde(default)]
    pub query: Option<String>,
    /// A `name=value` pair the Cookie header must contain.
    #[serde(default)]
    pub cookie: Option<String>,
    /// A cookie name the Cookie header must not contain.
    #[serde(default)]
    pub no_cookie: Option<String>,
    pub status: u16,
    /// Reason phrase to send instead of the canonical one.
    #[serde(default)]
    pub reason: Option<String>,
    /// Response headers in order; repeats are sent as separate header lines.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// Headers whose values are not UTF-8, sent after `headers`.
    #[serde(default)]
    pub headers_bytes: Vec<(String, Vec<u8>)>,
    #[serde(default)]
    pub body: Option<String>,
}

impl Route {
    pub fn new(path: impl Into<String>, status: u16) -> Self {
        Route {
            path: path.into(),
            status,
            ..Route::default()
        }
    }

    pub fn with_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn matches(&self, request: &Received) -> bool {
        let (path, query) = request
            .path
            .split_once('?')
            .unwrap_or((request.path.as_str(), ""));
        if path != self.path {
            return false;
        }
        if self.query.as_deref().is_some_and(|wanted| wanted != query) {
            return false;
        }
        if let Some(wanted) = &self.host {
            if !hostname_of(wanted).eq_ignore_ascii_case(&request.host) {
                return false;
            }
        }
        if let Some(wanted) = &self.scheme {
            if !wanted.eq_ignore_ascii_case(&request.scheme) {
                return false;
            }
        }
        if let Some(wanted) = &self.cookie {
            let wanted = split_cookie(wanted);
            if !request.cookies().any(|cookie| cookie == wanted) {
                return false;
            }
        }
        if let Some(unwanted) = &self.no_cookie {
            if request.cookies().any(|(name, _)| name == unwanted) {
                return false;
            }
        }
        true
    }

    /// Builds the response this route sends, with placeholders expanded in header values.
    pub fn response(&self, placeholders: &Placeholders) -> Result<Response<Full<Bytes>>, String> {
        let status = StatusCode::from_u16(self.status)
            .map_err(|_| format!("route {}: invalid status {}", self.path, self.status))?;
        let body = Bytes::from(self.body.clone().unwrap_or_default());
        let mut response = Response::new(Full::new(body));
        *response.status_mut() = status;
        if let Some(reason) = &self.reason {
            let phrase = ReasonPhrase::try_from(reason.as_bytes())
                .map_err(|_| format!("route {}: invalid reason phrase {reason:?}", self.path))?;
            response.extensions_mut().insert(phrase);
        }
        let headers = response.headers_mut();
        for (name, value) in &self.headers {
            append_header(headers, name, placeholders.expand(value).into_bytes())?;
        }
        for (name, value) in &self.headers_bytes {
            append_header(headers, name, placeholders.expand_bytes(value))?;
        }
        Ok(response)
    }
}

/// The first route that matches wins, so fixtures list specific routes before catch-alls.
pub fn find_route<'a>(routes: &'a [Route], request: &Received) -> Option<&'a Route> {
    routes.iter().find(|route| route.matches(request))
}

fn append_header(headers: &mut HeaderMap, name: &str, value: Vec<u8>) -> Result<(), String> {
    let header_name = HeaderName::from_bytes(name.as_bytes())
        .map_err(|_| format!("invalid header name {name:?}"))?;
    let header_value = HeaderValue::from_bytes(&value)
        .map_err(|_| format!("invalid value for header {name:?}"))?;
    headers.append(header_name, header_value);
    Ok(())
}

/// What a scenario must produce. Only `exit` is required in the fixture.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub exit: i32,
    /// The requests the server must see, in order; `None` leaves them unchecked.
    #[serde(default)]
    pub received: Option<Vec<ExpectedRequest>>,
    /// Substrings hops's plain-text stdout must contain.
    #[serde(default)]
    pub stdout: Vec<String>,
    /// Substrings stderr must contain.
    #[serde(default)]
    pub stderr: Vec<String>,
}

/// Checks on one received request; every field left out is not checked.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectedRequest {
    #[serde(default)]
    pub method: Option<String>,
    /// Path and query as sent, e.g. `/a?x=1`.
    #[serde(default)]
    pub path: Option<String>,
    /// Hostname only, compared case-insensitively.
    #[serde(default)]
    pub host: Option<String>,
    /// `"http"` or `"https"`: the listener that received the request.
    #[serde(default)]
    pub scheme: Option<String>,
    /// Exact body; `Some("")` requires an empty body.
    #[serde(default)]
    pub body: Option<String>,
    /// Header names that must be present.
    #[serde(default)]
    pub present: Vec<String>,
    /// Header names that must be absent.
    #[serde(default)]
    pub absent: Vec<String>,
    /// Name/value pairs of which at least one header of that name must carry that exact value.
    #[serde(default)]
    pub header_values: Vec<(String, String)>,
}

impl ExpectedRequest {
    /// One line per field that does not match, without naming the request.
    pub fn mismatches(&self, got: &Received, placeholders: &Placeholders) -> Vec<String> {
        let mut problems = Vec::new();
        if let Some(method) = &self.method {
            let method = placeholders.expand(method);
            if method != got.method {
                problems.push(format!("method: expected {method:?}, got {:?}", got.method));
            }
        }
        if let Some(path) = &self.path {
            let path = placeholders.expand(path);
            if path != got.path {
                problems.push(format!("path: expected {path:?}, got {:?}", got.path));
            }
        }
        if let Some(host) = &self.host {
            let host = placeholders.expand(host);
            if !host.eq_ignore_ascii_case(&got.host) {
                problems.push(format!("host: expected {host:?}, got {:?}", got.host));
            }
        }
        if let Some(scheme) = &self.scheme {
            if !scheme.eq_ignore_ascii_case(&got.scheme) {
                problems.push(format!("scheme: expected {scheme:?}, got {:?}", got.scheme));
            }
        }
        if let Some(body) = &self.body {
            let body = placeholders.expand(body);
            if body.as_bytes() != got.body.as_slice() {
                problems.push(format!(
                    "body: expected {body:?}, got {:?}",
                    String::from_utf8_lossy(&got.body)
                ));
            }
        }
        for name in &self.present {
            if got.header(name).is_none() {
                problems.push(format!("header {name:?}: expected present, missing"));
            }
        }
        for name in &self.absent {
            if let Some(value) = got.header(name) {
                problems.push(format!("header {name:?}: expected absent, got {value:?}"));
            }
        }
        for (name, value) in &self.header_values {
            let value = placeholders.expand(value);
            let actual: Vec<&str> = got.header_values(name).collect();
            if !actual.contains(&value.as_str()) {
                let found = if actual.is_empty() {
                    "missing".to_owned()
                } else {
                    format!("got {actual:?}")
                };
                problems.push(format!("header {name:?}: expected {value:?}, {found}"));
            }
        }
        problems
    }
}

/// Compares the requests a server received with a scenario's expectations.
///
/// The error lists every problem, one per line, naming requests by 1-based position.
pub fn check_received(
    expect: &[ExpectedRequest],
    got: &[Received],
    placeholders: &Placeholders,
) -> Result<(), String> {
    let mut problems = Vec::new();
    if expect.len() != got.len() {
        problems.push(format!(
            "expected {} request(s), server received {}:",
            expect.len(),
            got.len()
        ));
        for (index, received) in got.iter().enumerate() {
            problems.push(format!("  #{} {received}", index + 1));
        }
    }
    for (index, (expected, received)) in expect.iter().zip(got).enumerate() {
        for problem in expected.mismatches(received, placeholders) {
            problems.push(format!("request #{} ({received}): {problem}", index + 1));
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// One request as the server saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Received {
    /// `"http"` or `"https"`: which listener got the request.
    pub scheme: String,
    pub method: String,
    /// Path and query exactly as in the request target.
    pub path: String,
    /// Lowercase hostname from the Host header, without the port; without one (as over HTTP/2),
    /// from the request URI's authority (`:authority`).
    pub host: String,
    /// Lowercase names; values decoded lossily. Repeated names are grouped, in first-seen order.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Received {
    /// The first value of a header, by case-insensitive name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.header_values(name).next()
    }

    /// Every value of a header, by case-insensitive name.
    pub fn header_values<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> {
        self.headers
            .iter()
            .filter(move |(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// `(name, value)` pairs from every Cookie header.
    pub fn cookies(&self) -> impl Iterator<Item = (&str, &str)> {
        self.header_values("cookie")
            .flat_map(|header| header.split(';'))
            .map(str::trim)
            .filter(|pair| !pair.is_empty())
            .map(split_cookie)
    }

    async fn from_request(request: Request<Incoming>, scheme: &str) -> (Self, bool) {
        let (parts, body) = request.into_parts();
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
        let collected = Limited::new(body, MAX_REQUEST_BODY).collect().await;
        let (body, body_ok) = match collected {
            Ok(collected) => (collected.to_bytes().to_vec(), true),
            Err(_) => (Vec::new(), false),
        };
        let received = Received {
            scheme: scheme.to_owned(),
            method: parts.method.as_str().to_owned(),
            path,
            host,
            headers,
            body,
        };
        (received, body_ok)
    }
}

impl fmt::Display for Received {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} on {}", self.method, self.path, self.host)?;
        if self.scheme == "https" {
            f.write_str(" over https")?;
        }
        Ok(())
    }
}

/// A `name=value` cookie without `=` is treated as a name with an empty value.
fn split_cookie(pair: &str) -> (&str, &str) {
    let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
    (name.trim(), value.trim())
}

/// Drops the port from a Host value, keeping IPv6 literals intact.
fn hostname_of(authority: &str) -> String {
    let host = match authority.strip_prefix('[') {
        Some(rest) => rest
            .find(']')
            .map_or(authority, |end| &authority[..end + 2]),
        None => authority
            .split_once(':')
            .map_or(authority, |(name, _)| name),
    };
    host.trim().to_ascii_lowercase()
}

/// Expands the scenario placeholders for one server: `{shop}`, `{auth}`, `{other}`, `{www}`
/// (www.shop.test) and `{example}` give `http://HOST:PORT`; the same names with `_tls`
/// (`{shop_tls}`, ...) give `https://HOST:TLS_PORT`; `{port}` and `{tls_port}` give the ports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placeholders {
    port: u16,
    tls_port: u16,
    ca_file: Option<Arc<Path>>,
}

impl Placeholders {
    /// Placeholders for the given ports, with no CA file (so no `--cacert` in command lines).
    pub fn new(port: u16, tls_port: u16) -> Self {
        Placeholders {
            port,
            tls_port,
            ca_file: None,
        }
    }

    /// The CA certificate file that [`Scenario::command_args`] passes as `--cacert`.
    pub fn with_ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_file = Some(Arc::from(path.into()));
        self
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    pub fn tls_port(&self) -> u16 {
        self.tls_port
    }

    pub fn ca_file(&self) -> Option<&Path> {
        self.ca_file.as_deref()
    }

    /// `http://HOST:PORT`, the origin a scenario host has on this server.
    pub fn origin(&self, host: &str) -> String {
        format!("http://{host}:{}", self.port)
    }

    /// `https://HOST:TLS_PORT`, the origin a scenario host has on this server's https listener.
    pub fn tls_origin(&self, host: &str) -> String {
        format!("https://{host}:{}", self.tls_port)
    }

    pub fn expand(&self, text: &str) -> String {
        let expanded = self.expand_bytes(text.as_bytes());
        // Replacements are ASCII and cut only at ASCII `{`, so valid UTF-8 stays valid.
        String::from_utf8(expanded)
            .unwrap_or_else(|error| String::from_utf8_lossy(error.as_bytes()).into_owned())
    }

    /// Expands in one left-to-right pass, so a replacement is never itself expanded.
    pub fn expand_bytes(&self, bytes: &[u8]) -> Vec<u8> {
        let substitutions = self.substitutions();
        let mut out = Vec::with_capacity(bytes.len());
        let mut rest = bytes;
        while let Some(start) = rest.iter().position(|&byte| byte == b'{') {
            out.extend_from_slice(&rest[..start]);
            let tail = &rest[start..];
            match substitutions
                .iter()
                .find(|(placeholder, _)| tail.starts_with(placeholder.as_bytes()))
            {
                Some((placeholder, value)) => {
                    out.extend_from_slice(value.as_bytes());
                    rest = &tail[placeholder.len()..];
                }
                None => {
                    out.push(b'{');
                    rest = &tail[1..];
                }
            }
        }
        out.extend_from_slice(rest);
        out
    }

    /// `--resolve` arguments that send every scenario host to this loopback server.
    ///
    /// One per host serves both listeners: hops (like reqwest) ignores the port of an override.
    pub fn resolve_args(&self) -> Vec<String> {
        SCENARIO_HOSTS
            .iter()
            .flat_map(|host| {
                [
                    "--resolve".to_owned(),
                    format!("{host}:{}:127.0.0.1", self.port),
                ]
            })
            .collect()
    }

    fn substitutions(&self) -> [(&'static str, String); 13] {
        [
            ("{dev}", self.origin("shop.dev")),
            ("{shop}", self.origin("shop.test")),
            ("{auth}", self.origin("auth.test")),
            ("{other}", self.origin("other.test")),
            ("{www}", self.origin("www.shop.test")),
            ("{example}", self.origin("example.test")),
            ("{shop_tls}", self.tls_origin("shop.test")),
            ("{auth_tls}", self.tls_origin("auth.test")),
            ("{other_tls}", self.tls_origin("other.test")),
            ("{www_tls}", self.tls_origin("www.shop.test")),
            ("{example_tls}", self.tls_origin("example.test")),
            ("{port}", self.port.to_string()),
            ("{tls_port}", self.tls_port.to_string()),
        ]
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
}

/// A loopback HTTP/1.1 server answering from a route table on two ports, plain http and https,
/// running on the current tokio runtime. With [`TlsOptions::http2`], https connections that
/// negotiate `h2` are served over HTTP/2.
///
/// Dropping it stops accepting, closes open connections and removes its CA file.
pub struct ScenarioServer {
    info: ServerInfo,
    accept_tasks: [JoinHandle<()>; 2],
    /// Removes the CA file when the server goes.
    _ca_file: tls::CaFile,
}

/// What tests and the demo ask a running server: its ports, placeholders, CA and request log.
/// Both [`ScenarioServer`] and [`BlockingServer`] dereference to it.
#[derive(Clone)]
pub struct ServerInfo {
    placeholders: Placeholders,
    received: ReceivedLog,
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
        let pki = tls::TestPki::generate(options)?;
        let ca_file = tls::CaFile::create(&pki.ca_pem)?;
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let tls_listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
        let placeholders = Placeholders::new(
            listener.local_addr()?.port(),
            tls_listener.local_addr()?.port(),
        )
        .with_ca_file(ca_file.path());
        let received = ReceivedLog::default();
        let state = Arc::new(ServerState {
            routes,
            placeholders: placeholders.clone(),
            received: Arc::clone(&received),
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
        tls::write_ca(&self.ca_pem, dir)
    }

    pub fn origin(&self, host: &str) -> String {
        self.placeholders.origin(host)
    }

    pub fn tls_origin(&self, host: &str) -> String {
        self.placeholders.tls_origin(host)
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
}

impl Drop for ScenarioServer {
    fn drop(&mut self) {
        for task in &self.accept_tasks {
            task.abort();
        }
    }
}

/// What a listener speaks.
enum Protocol {
    /// https only: each connection first completes a TLS handshake.
    Tls(TlsAcceptor),
    /// Plain http, or https when the first byte is a TLS handshake record. The http port answers
    /// both so that an HSTS upgrade, which keeps an explicit port, reaches this server too.
    Sniffed(TlsAcceptor),
}

/// The first byte of a TLS connection: a handshake record (RFC 8446 §5.1).
const TLS_HANDSHAKE_RECORD: u8 = 0x16;

/// Accepts on one listener, serving each connection as `protocol` says.
async fn accept_connections(listener: TcpListener, protocol: Protocol, state: Arc<ServerState>) {
    // Owning the connection tasks here means aborting this task also closes them.
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        match listener.accept().await {
            Ok((stream, _)) => {
                let state = Arc::clone(&state);
                let (acceptor, sniff) = match &protocol {
                    Protocol::Tls(acceptor) => (acceptor.clone(), false),
                    Protocol::Sniffed(acceptor) => (acceptor.clone(), true),
                };
                connections.spawn(async move {
                    let mut first = [0u8; 1];
                    let is_tls = !sniff
                        || matches!(stream.peek(&mut first).await, Ok(1) if first[0] == TLS_HANDSHAKE_RECORD);
                    if !is_tls {
                        return serve_connection(stream, "http", state).await;
                    }
                    // A failed handshake is the client refusing the certificate, or not
                    // speaking TLS: either way there is nothing to serve.
                    if let Ok(stream) = acceptor.accept(stream).await {
                        // `h2` is negotiated only when the acceptor offers it (`TlsOptions::http2`).
                        if stream.get_ref().1.alpn_protocol() == Some(tls::H2_ALPN) {
                            serve_h2_connection(stream, "https", state).await;
                        } else {
                            serve_connection(stream, "https", state).await;
                        }
                    }
                });
            }
            // Errors such as running out of file descriptors are usually transient; avoid a hot loop.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

async fn serve_connection<S>(stream: S, scheme: &'static str, state: Arc<ServerState>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |request| {
        let state = Arc::clone(&state);
        async move { Ok::<_, Infallible>(respond(request, scheme, &state).await) }
    });
    // Failures here are clients hanging up or sending garbage, which hyper has already answered.
    let _ = http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// Like [`serve_connection`], over HTTP/2 (a TLS connection that negotiated `h2`).
async fn serve_h2_connection<S>(stream: S, scheme: &'static str, state: Arc<ServerState>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |request| {
        let state = Arc::clone(&state);
        async move { Ok::<_, Infallible>(respond(request, scheme, &state).await) }
    });
    let _ = http2::Builder::new(TokioExecutor::new())
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

async fn respond(
    request: Request<Incoming>,
    scheme: &str,
    state: &ServerState,
) -> Response<Full<Bytes>> {
    let (received, body_ok) = Received::from_request(request, scheme).await;
    let route = find_route(&state.routes, &received);
    // Recorded before answering, so once the client has its response the log already holds the request.
    lock_log(&state.received).push(received);
    if !body_ok {
        return text_response(StatusCode::BAD_REQUEST, "unreadable request body");
    }
    match route {
        None => text_response(StatusCode::NOT_FOUND, "no route"),
        Some(route) => route
            .response(&state.placeholders)
            .unwrap_or_else(|error| text_response(StatusCode::INTERNAL_SERVER_ERROR, &error)),
    }
}

fn text_response(status: StatusCode, text: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(text.to_owned())));
    *response.status_mut() = status;
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
mod tests {
    use super::*;
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, ServerName};
    use rustls::{CertificateError, ClientConfig, RootCertStore};
    use std::collections::HashSet;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    use tokio::net::TcpStream;
    use tokio_rustls::TlsConnector;
    use tokio_rustls::client::TlsStream;

    fn request(host: &str, path: &str, cookie: Option<&str>) -> Received {
        let mut headers = vec![("host".to_owned(), host.to_owned())];
        if let Some(cookie) = cookie {
            headers.push(("cookie".to_owned(), cookie.to_owned()));
        }
        Received {
            scheme: "http".to_owned(),
            method: "GET".to_owned(),
            path: path.to_owned(),
            host: hostname_of(host),
            headers,
            body: Vec::new(),
        }
    }

    #[test]
    fn builtin_fixtures_parse_in_demo_order() {
        let names: Vec<String> = builtin().into_iter().map(|s| s.name).collect();
        assert_eq!(
            names,
            [
                "post-307-303",
                "put-301",
                "cross-origin-auth",
                "consent-cookie",
                "loop",
                "bad-location",
                "scheme-flip",
                "https-downgrade",
                "host-flip",
                "trailing-slash",
                "cookie-not-stored",
                "cookie-ignored",
                "growing-url",
                "volatile-loop",
                "long-chain",
                "meta-refresh",
                "hsts-upgrade",
                "hsts-preload"
            ]
        );
    }

    #[test]
    fn builtin_names_are_unique() {
        let scenarios = builtin();
        let names: HashSet<&str> = scenarios.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names.len(), scenarios.len());
    }

    #[test]
    fn builtin_routes_all_build_responses() {
        let placeholders = Placeholders::new(8080, 8443);
        for scenario in builtin() {
            assert!(scenario.expect.received.is_some(), "{}", scenario.name);
            for route in &scenario.routes {
                if let Err(error) = route.response(&placeholders) {
                    panic!("{}: {error}", scenario.name);
                }
            }
        }
    }

    /// A misspelt scheme would silently never match, so fixtures may only name the two listeners.
    #[test]
    fn builtin_schemes_name_a_listener() {
        for scenario in builtin() {
            let routes = scenario.routes.iter().map(|route| &route.scheme);
            let expected = scenario.expect.received.iter().flatten();
            for scheme in routes.chain(expected.map(|request| &request.scheme)) {
                assert!(
                    matches!(scheme.as_deref(), None | Some("http" | "https")),
                    "{}: scheme {scheme:?}",
                    scenario.name
                );
            }
        }
    }

    #[test]
    fn unknown_fixture_fields_are_rejected() {
        let json = r#"[{"name":"x","title":"t","explain":"e","args":[],"routes":[],
            "expect":{"exit":0,"stdout_contains":[]}}]"#;
        assert!(parse_scenarios(json).is_err());
    }

    #[test]
    fn route_host_ignores_port_and_case() {
        let route = Route {
            host: Some("Shop.Test".to_owned()),
            ..Route::new("/a", 200)
        };
        assert!(route.matches(&request("SHOP.test:8080", "/a", None)));
        assert!(!route.matches(&request("auth.test:8080", "/a", None)));
        assert!(Route::new("/a", 200).matches(&request("auth.test", "/a", None)));
    }

    #[test]
    fn route_path_excludes_query_and_query_is_exact() {
        let any_query = Route::new("/login", 200);
        assert!(any_query.matches(&request("shop.test", "/login?from=shop", None)));
        assert!(!any_query.matches(&request("shop.test", "/login/x", None)));
        let with_query = Route {
            query: Some("from=shop".to_owned()),
            ..Route::new("/login", 200)
        };
        assert!(with_query.matches(&request("shop.test", "/login?from=shop", None)));
        assert!(!with_query.matches(&request("shop.test", "/login?from=shop&x=1", None)));
        assert!(!with_query.matches(&request("shop.test", "/login", None)));
    }

    #[test]
    fn route_cookie_conditions() {
        let needs = Route {
            cookie: Some("consent=yes".to_owned()),
            ..Route::new("/account", 200)
        };
        let refuses = Route {
            no_cookie: Some("consent".to_owned()),
            ..Route::new("/account", 302)
        };
        let with = request("shop.test", "/account", Some("a=1; consent=yes"));
        let wrong_value = request("shop.test", "/account", Some("consent=no"));
        let without = request("shop.test", "/account", Some("consents=yes"));
        assert!(needs.matches(&with));
        assert!(!needs.matches(&wrong_value));
        assert!(!needs.matches(&without));
        assert!(!refuses.matches(&with));
        assert!(!refuses.matches(&wrong_value));
        assert!(refuses.matches(&without));
        assert!(refuses.matches(&request("shop.test", "/account", None)));
    }

    #[test]
    fn first_matching_route_wins() {
        let routes = vec![
            Route {
                cookie: Some("consent=yes".to_owned()),
                ..Route::new("/account", 200)
            },
            Route::new("/account", 302),
            Route::new("/account", 500),
        ];
        let found = |cookie| find_route(&routes, &request("shop.test", "/account", cookie));
        assert_eq!(found(Some("consent=yes")).map(|r| r.status), Some(200));
        assert_eq!(found(None).map(|r| r.status), Some(302));
        assert!(find_route(&routes, &request("shop.test", "/other", None)).is_none());
    }

    #[test]
    fn placeholders_expand_once_and_resolve_every_host() {
        let placeholders = Placeholders::new(4242, 4443);
        assert_eq!(
            placeholders.expand("{shop}/a {auth}/b {other} :{port} {nope} {"),
            "http://shop.test:4242/a http://auth.test:4242/b http://other.test:4242 :4242 {nope} {"
        );
        assert_eq!(
            placeholders.expand("{www}/ {example}/ :{tls_port} {shop_tls}/a {auth_tls}/b"),
            "http://www.shop.test:4242/ http://example.test:4242/ :4443 \
             https://shop.test:4443/a https://auth.test:4443/b"
        );
        assert_eq!(
            placeholders.expand("{other_tls} {www_tls} {example_tls}/{shop_tls"),
            "https://other.test:4443 https://www.shop.test:4443 https://example.test:4443/{shop_tls"
        );
        assert_eq!(
            placeholders.expand_bytes(b"{shop}/caf\xE9"),
            b"http://shop.test:4242/caf\xE9"
        );
        assert_eq!(
            placeholders.resolve_args(),
            [
                "--resolve",
                "shop.test:4242:127.0.0.1",
                "--resolve",
                "auth.test:4242:127.0.0.1",
                "--resolve",
                "other.test:4242:127.0.0.1",
                "--resolve",
                "www.shop.test:4242:127.0.0.1",
                "--resolve",
                "example.test:4242:127.0.0.1",
                "--resolve",
                "shop.dev:4242:127.0.0.1"
            ]
        );
    }

    #[test]
    fn route_scheme_picks_a_listener() {
        let https_only = Route {
            scheme: Some("https".to_owned()),
            ..Route::new("/", 301)
        };
        let mut request = request("shop.test", "/", None);
        assert!(!https_only.matches(&request));
        assert!(Route::new("/", 200).matches(&request));
        request.scheme = "https".to_owned();
        assert!(https_only.matches(&request));
        assert_eq!(request.to_string(), "GET / on shop.test over https");
    }

    fn scenario(args: &[&str], location: &str) -> Scenario {
        Scenario {
            name: "s".to_owned(),
            title: "t".to_owned(),
            explain: "e".to_owned(),
            args: args.iter().map(|arg| (*arg).to_owned()).collect(),
            routes: vec![Route::new("/", 302).with_header("Location", location)],
            expect: Expect::default(),
        }
    }

    #[test]
    fn command_args_add_cacert_only_for_https_scenarios() {
        let placeholders = Placeholders::new(80, 443).with_ca_file("/tmp/x/ca.pem");
        let resolve = placeholders.resolve_args();
        let with_cacert = |rest: &[&str]| {
            let mut args = resolve.clone();
            args.extend(["--cacert", "/tmp/x/ca.pem"].map(String::from));
            args.extend(rest.iter().map(|arg| (*arg).to_owned()));
            args
        };
        let plain = scenario(&["{shop}/"], "{auth}/");
        let mut expected = resolve.clone();
        expected.push("http://shop.test:80/".to_owned());
        assert_eq!(plain.command_args(&placeholders), expected);

        let by_arg = scenario(&["{shop_tls}/"], "/next");
        assert_eq!(
            by_arg.command_args(&placeholders),
            with_cacert(&["https://shop.test:443/"])
        );
        let by_route = scenario(&["{shop}/"], "https://shop.test:{tls_port}/");
        assert_eq!(
            by_route.command_args(&placeholders),
            with_cacert(&["http://shop.test:80/"])
        );
        let own_cacert = scenario(&["--cacert", "mine.pem", "{shop_tls}/"], "/");
        assert_eq!(
            own_cacert.command_args(&placeholders)[resolve.len()],
            "--cacert"
        );
        assert_eq!(
            own_cacert.command_args(&placeholders)[resolve.len() + 1],
            "mine.pem"
        );
        // Without a CA file (placeholders made by hand) there is nothing to pass.
        let no_file = Placeholders::new(80, 443);
        assert!(
            !by_arg
                .command_args(&no_file)
                .contains(&"--cacert".to_owned())
        );
    }

    #[test]
    fn check_received_names_request_and_field() {
        let placeholders = Placeholders::new(1, 2);
        let expect = vec![
            ExpectedRequest {
                method: Some("POST".to_owned()),
                body: Some("name=alice".to_owned()),
                ..ExpectedRequest::default()
            },
            ExpectedRequest {
                absent: vec!["cookie".to_owned()],
                header_values: vec![("host".to_owned(), "auth.test".to_owned())],
                ..ExpectedRequest::default()
            },
        ];
        let got = vec![
            request("shop.test", "/a", None),
            request("shop.test", "/b", Some("x=1")),
        ];
        let message = check_received(&expect, &got, &placeholders).unwrap_err();
        assert!(
            message.contains("request #1 (GET /a on shop.test): method"),
            "{message}"
        );
        assert!(
            message.contains("request #1 (GET /a on shop.test): body"),
            "{message}"
        );
        assert!(
            message.contains("request #2 (GET /b on shop.test): header \"cookie\""),
            "{message}"
        );
        assert!(
            message.contains("header \"host\": expected \"auth.test\", got [\"shop.test\"]"),
            "{message}"
        );

        let message = check_received(&expect[..1], &got, &placeholders).unwrap_err();
        assert!(
            message.starts_with("expected 1 request(s), server received 2:"),
            "{message}"
        );
        assert!(message.contains("  #2 GET /b on shop.test"), "{message}");

        let wrong_scheme = ExpectedRequest {
            scheme: Some("https".to_owned()),
            ..ExpectedRequest::default()
        };
        let message = check_received(&[wrong_scheme], &got[..1], &placeholders).unwrap_err();
        assert!(
            message.ends_with("scheme: expected \"https\", got \"http\""),
            "{message}"
        );

        let fine = ExpectedRequest {
            scheme: Some("HTTP".to_owned()),
            path: Some("/b".to_owned()),
            header_values: vec![("cookie".to_owned(), "x=1".to_owned())],
            ..ExpectedRequest::default()
        };
        assert_eq!(check_received(&[fine], &got[1..], &placeholders), Ok(()));
    }

    /// Reads exactly one response, so the connection can be reused for the next request.
    async fn read_response<S: AsyncRead + Unpin>(stream: &mut S) -> String {
        let mut buffer = Vec::new();
        let mut chunk = [0u8; 1024];
        loop {
            if let Some(end) = buffer.windows(4).position(|window| window == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buffer[..end]);
                let length: usize = head
                    .lines()
                    .find_map(|line| line.strip_prefix("content-length: "))
                    .and_then(|value| value.trim().parse().ok())
                    .unwrap_or(0);
                if buffer.len() >= end + 4 + length {
                    return String::from_utf8_lossy(&buffer).into_owned();
                }
            }
            // A server bug should fail the test, not hang it.
            let read = tokio::time::timeout(Duration::from_secs(10), stream.read(&mut chunk))
                .await
                .expect("response timed out")
                .unwrap();
            assert!(read > 0, "connection closed mid-response: {buffer:?}");
            buffer.extend_from_slice(&chunk[..read]);
        }
    }

    #[tokio::test]
    async fn serves_two_requests_on_one_keep_alive_connection() {
        let routes = vec![
            Route {
                host: Some("shop.test".to_owned()),
                reason: Some("Moved Along".to_owned()),
                headers: vec![
                    ("Location".to_owned(), "{auth}/one".to_owned()),
                    ("Location".to_owned(), "/two".to_owned()),
                ],
                headers_bytes: vec![("X-Raw".to_owned(), b"caf\xE9".to_vec())],
                ..Route::new("/start", 302)
            },
            Route::new("/start", 500),
        ];
        let server = ScenarioServer::start(routes).await.unwrap();
        let port = server.port();
        let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port))
            .await
            .unwrap();

        let first = format!(
            "POST /start?x=1 HTTP/1.1\r\nHost: Shop.Test:{port}\r\nContent-Length: 5\r\n\
             Content-Type: text/plain\r\n\r\nhello"
        );
        stream.write_all(first.as_bytes()).await.unwrap();
        let response = read_response(&mut stream).await;
        assert!(
            response.starts_with("HTTP/1.1 302 Moved Along\r\n"),
            "{response}"
        );
        let auth_location = format!("location: http://auth.test:{port}/one\r\nlocation: /two\r\n");
        assert!(response.contains(&auth_location), "{response}");
        assert!(response.contains("x-raw: caf\u{FFFD}"), "{response}");

        let second = format!("GET /missing HTTP/1.1\r\nHost: auth.test:{port}\r\n\r\n");
        stream.write_all(second.as_bytes()).await.unwrap();
        let response = read_response(&mut stream).await;
        assert!(
            response.starts_with("HTTP/1.1 404 Not Found\r\n"),
            "{response}"
        );
        assert!(response.ends_with("\r\n\r\nno route"), "{response}");

        let received = server.received();
        assert_eq!(received.len(), 2);
        assert_eq!(received[0].method, "POST");
        assert_eq!(received[0].path, "/start?x=1");
        assert_eq!(received[0].host, "shop.test");
        assert_eq!(received[0].body, b"hello");
        assert_eq!(received[0].header("Content-Type"), Some("text/plain"));
        assert_eq!(received[1].method, "GET");
        assert_eq!(received[1].path, "/missing");
        assert_eq!(received[1].host, "auth.test");
        assert!(received[1].body.is_empty());

        server.clear_received();
        assert!(server.received().is_empty());
    }

    fn tls_client_config(ca_pem: &str) -> ClientConfig {
        let mut roots = RootCertStore::empty();
        roots
            .add(CertificateDer::from_pem_slice(ca_pem.as_bytes()).unwrap())
            .unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_root_certificates(roots)
            .with_no_client_auth();
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        config
    }

    /// A verifying rustls client that trusts only the server's test CA.
    async fn tls_connect(server: &ScenarioServer, name: &str) -> io::Result<TlsStream<TcpStream>> {
        let connector = TlsConnector::from(Arc::new(tls_client_config(server.ca_pem())));
        let stream = TcpStream::connect((Ipv4Addr::LOCALHOST, server.tls_port())).await?;
        let name = ServerName::try_from(name.to_owned()).unwrap();
        connector.connect(name, stream).await
    }

    /// The certificate problem a verifying client reported, if that is why the handshake failed.
    fn certificate_error(error: &io::Error) -> Option<&CertificateError> {
        match error.get_ref()?.downcast_ref::<rustls::Error>()? {
            rustls::Error::InvalidCertificate(error) => Some(error),
            _ => None,
        }
    }

    #[tokio::test]
    async fn https_listener_serves_the_routes_to_a_client_trusting_the_ca() {
        let routes = vec![
            Route {
                scheme: Some("https".to_owned()),
                ..Route::new("/", 301).with_header("Location", "{shop}/")
            },
            Route::new("/", 301).with_header("Location", "{shop_tls}/"),
        ];
        let server = ScenarioServer::start(routes).await.unwrap();
        assert_ne!(server.port(), server.tls_port());

        let mut stream = tls_connect(&server, "shop.test").await.unwrap();
        assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
        let tls_port = server.tls_port();
        let request = format!("GET / HTTP/1.1\r\nHost: shop.test:{tls_port}\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let response = read_response(&mut stream).await;
        assert!(
            response.starts_with("HTTP/1.1 301 Moved Permanently\r\n"),
            "{response}"
        );
        let back_to_http = format!("location: http://shop.test:{}/\r\n", server.port());
        assert!(response.contains(&back_to_http), "{response}");

        let mut plain = TcpStream::connect((Ipv4Addr::LOCALHOST, server.port()))
            .await
            .unwrap();
        let request = "GET / HTTP/1.1\r\nHost: shop.test\r\n\r\n";
        plain.write_all(request.as_bytes()).await.unwrap();
        let response = read_response(&mut plain).await;
        let to_https = format!("location: https://shop.test:{tls_port}/\r\n");
        assert!(response.contains(&to_https), "{response}");

        let schemes: Vec<String> = server.received().into_iter().map(|r| r.scheme).collect();
        assert_eq!(schemes, ["https", "http"]);

        // Every name the leaf covers, the wildcard and the loopback address included.
        for name in [
            "www.shop.test",
            "auth.test",
            "a.example.test",
            "localhost",
            "127.0.0.1",
        ] {
            if let Err(error) = tls_connect(&server, name).await {
                panic!("{name}: {error}");
            }
        }
        let error = tls_connect(&server, "a.b.example.test").await.unwrap_err();
        assert!(
            matches!(
                certificate_error(&error),
                Some(
                    CertificateError::NotValidForName
                        | CertificateError::NotValidForNameContext { .. }
                )
            ),
            "{error}"
        );
    }

    /// A server with this leaf, and the error a verifying client gets connecting as shop.test.
    async fn refused_leaf(leaf: LeafKind) -> (ScenarioServer, io::Error) {
        let options = TlsOptions {
            leaf,
            ..TlsOptions::default()
        };
        let server = ScenarioServer::start_with(Vec::new(), options)
            .await
            .unwrap();
        let error = tls_connect(&server, "shop.test").await.unwrap_err();
        (server, error)
    }

    #[tokio::test]
    async fn expired_and_wrong_name_leafs_are_rejected_by_a_verifying_client() {
        let (_server, error) = refused_leaf(LeafKind::Expired).await;
        assert!(
            matches!(
                certificate_error(&error),
                Some(CertificateError::Expired | CertificateError::ExpiredContext { .. })
            ),
            "{error}"
        );

        let (server, error) = refused_leaf(LeafKind::WrongName).await;
        assert!(
            matches!(
                certificate_error(&error),
                Some(
                    CertificateError::NotValidForName
                        | CertificateError::NotValidForNameContext { .. }
                )
            ),
            "{error}"
        );
        // The certificate itself is sound: it is only the name that is wrong.
        tls_connect(&server, WRONG_NAME).await.unwrap();
        // Neither handshake reached the routes.
        assert!(server.received().is_empty());
    }

    #[tokio::test]
    async fn ca_file_lives_as_long_as_the_server() {
        let server = ScenarioServer::start(Vec::new()).await.unwrap();
        let ca_file = server.ca_file().to_owned();
        assert_eq!(std::fs::read_to_string(&ca_file).unwrap(), server.ca_pem());
        assert!(server.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
        assert_eq!(server.placeholders().ca_file(), Some(ca_file.as_path()));

        let dir = std::env::temp_dir().join(format!("hops-write-ca-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let written = server.write_ca(&dir).unwrap();
        assert_eq!(written, dir.join("ca.pem"));
        assert_eq!(std::fs::read_to_string(&written).unwrap(), server.ca_pem());
        std::fs::remove_dir_all(&dir).unwrap();

        let other = ScenarioServer::start(Vec::new()).await.unwrap();
        assert_ne!(other.ca_file(), ca_file, "each server has its own CA file");
        assert_ne!(other.ca_pem(), server.ca_pem(), "and its own CA");
        drop(server);
        assert!(!ca_file.exists());
        assert!(!ca_file.parent().unwrap().exists());
    }

    #[test]
    fn blocking_server_answers_and_records() {
        let server = BlockingServer::start(vec![Route::new("/ok", 204)]).unwrap();
        let port = server.port();
        let mut stream = std::net::TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let request = "GET /ok HTTP/1.1\r\nHost: other.test\r\nConnection: close\r\n\r\n";
        std::io::Write::write_all(&mut stream, request.as_bytes()).unwrap();
        let mut response = String::new();
        std::io::Read::read_to_string(&mut stream, &mut response).unwrap();
        assert!(
            response.starts_with("HTTP/1.1 204 No Content\r\n"),
            "{response}"
        );
        assert_eq!(server.received()[0].host, "other.test");
        assert_eq!(server.received()[0].scheme, "http");
        assert_eq!(
            server.expand("{other}"),
            format!("http://other.test:{port}")
        );
        assert_eq!(
            server.expand("{other_tls}"),
            format!("https://other.test:{}", server.tls_port())
        );
        let ca_file = server.ca_file().to_owned();
        assert_eq!(std::fs::read_to_string(&ca_file).unwrap(), server.ca_pem());
        drop(server);
        assert!(!ca_file.exists(), "the server thread removes its CA file");
    }
}
