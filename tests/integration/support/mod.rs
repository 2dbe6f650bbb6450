//! Shared helpers for the end-to-end tests: the real `hops` binary in a scrubbed environment,
//! the scenario route server on loopback, a raw TCP server for broken responses, and assertions
//! on what the server received and what hops printed.
//!
//! Nothing here touches the internet: every host name is pointed at 127.0.0.1 with `--resolve`.
//! Nothing sleeps or measures time; the only clock is a generous kill switch against hangs.

use std::ffi::OsString;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

use wait_timeout::ChildExt;

use socket2::{Domain, Protocol, Socket, Type};

pub use hops_scenario::{BlockingServer, Received, Route, TlsOptions};

pub mod schema;

/// A run that takes longer than this is a hang: the process is killed and the test fails.
/// It is a safety net, not a timing assertion: healthy runs take milliseconds.
const HANG_GUARD: Duration = Duration::from_secs(30);

/// Text that means the binary panicked.
const PANIC_MARKERS: [&str; 2] = ["panicked", "RUST_BACKTRACE"];

/// What one run of `hops` produced.
pub struct Run {
    /// The exit code.
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `hops ARGS` with an empty stdin in a scrubbed environment.
pub fn hops<I, S>(args: I) -> Run
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    hops_with_stdin(args, Vec::new())
}

/// Runs `hops ARGS` with `stdin` as its standard input, in a scrubbed environment: only `PATH`
/// and a fresh temporary `HOME`, so no proxy variables, no `NO_COLOR`, no `RUST_BACKTRACE`.
pub fn hops_with_stdin<I, S>(args: I, stdin: Vec<u8>) -> Run
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    hops_with_env(args, stdin, &[])
}

/// Like [`hops_with_stdin`], with these environment variables set as well (proxies, say).
pub fn hops_with_env<I, S>(args: I, stdin: Vec<u8>, env: &[(&str, &str)]) -> Run
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    run_hops(args, stdin, env, None)
}

/// Like [`hops`], in a process that can map at most `bytes` of address space (`RLIMIT_AS`): one
/// that needs more fails to allocate and aborts, and the run's checks say it was killed.
pub fn hops_within<I, S>(args: I, bytes: u64) -> Run
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    run_hops(args, Vec::new(), &[], Some(bytes))
}

fn run_hops<I, S>(args: I, stdin: Vec<u8>, env: &[(&str, &str)], address_space: Option<u64>) -> Run
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let home = tempfile::tempdir().expect("temporary HOME");
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_hops"));
    if let Some(bytes) = address_space {
        use std::os::unix::process::CommandExt;
        let limit = libc::rlimit {
            rlim_cur: bytes,
            rlim_max: bytes,
        };
        // SAFETY: between fork and exec only async-signal-safe calls are allowed, and
        // setrlimit is one; `limit` is a plain value copied into the closure.
        unsafe {
            command.pre_exec(move || match libc::setrlimit(libc::RLIMIT_AS, &limit) {
                0 => Ok(()),
                _ => Err(io::Error::last_os_error()),
            });
        }
    }
    let mut child = command
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .envs(env.iter().copied())
        .current_dir(home.path())
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hops can be started");
    let mut input = child.stdin.take().expect("piped stdin");
    // hops may exit without reading its stdin: a write error then is not the test's business.
    let writer = thread::spawn(move || input.write_all(&stdin));
    let stdout = read_all(child.stdout.take().expect("piped stdout"));
    let stderr = read_all(child.stderr.take().expect("piped stderr"));
    let status = match child
        .wait_timeout(HANG_GUARD)
        .expect("hops can be waited for")
    {
        Some(status) => status,
        None => {
            let _ = child.kill();
            child.wait().expect("hops can be reaped")
        }
    };
    let _ = writer.join();
    let output = std::process::Output {
        status,
        stdout: stdout.join().expect("stdout reader"),
        stderr: stderr.join().expect("stderr reader"),
    };
    let run = Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    };
    assert!(
        output.status.code().is_some(),
        "hops {args:?} hung or was killed by a signal ({})\n{run}",
        output.status
    );
    for marker in PANIC_MARKERS {
        assert!(
            !run.stderr.contains(marker),
            "hops {args:?} panicked\n{run}"
        );
    }
    run
}

/// Reads a child's output to the end on a thread of its own, so a full pipe never blocks it.
fn read_all(mut pipe: impl Read + Send + 'static) -> thread::JoinHandle<Vec<u8>> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    })
}

impl fmt::Display for Run {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "--- exit code {} ---\n--- stdout ---\n{}--- stderr ---\n{}---",
            self.code, self.stdout, self.stderr
        )
    }
}

impl Run {
    #[track_caller]
    pub fn code(&self, expected: i32) -> &Self {
        assert_eq!(self.code, expected, "unexpected exit code\n{self}");
        self
    }

    #[track_caller]
    pub fn stdout_has(&self, needle: &str) -> &Self {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}\n{self}"
        );
        self
    }

    #[track_caller]
    pub fn stdout_lacks(&self, needle: &str) -> &Self {
        assert!(
            !self.stdout.contains(needle),
            "stdout has {needle:?}\n{self}"
        );
        self
    }

    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Self {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}\n{self}"
        );
        self
    }

    /// Nothing at all on stderr.
    #[track_caller]
    pub fn quiet_stderr(&self) -> &Self {
        assert_eq!(self.stderr, "", "unexpected stderr\n{self}");
        self
    }

    /// stderr is exactly one line, `hops: error: hop N: ...`, and that line contains `needle`.
    #[track_caller]
    pub fn hop_error(&self, hop: usize, needle: &str) -> &Self {
        let lines: Vec<&str> = self.stderr.lines().collect();
        let prefix = format!("hops: error: hop {hop}: ");
        assert!(
            lines.len() == 1 && lines[0].starts_with(&prefix),
            "expected one stderr line starting {prefix:?}\n{self}"
        );
        assert!(
            lines[0].contains(needle),
            "error line lacks {needle:?}\n{self}"
        );
        self
    }

    /// A usage error: exit code 2 and one `hops: error:` line (clap's own messages start with
    /// `error:`), no hop shown.
    #[track_caller]
    pub fn usage_error(&self, needle: &str) -> &Self {
        self.code(2);
        assert!(
            self.stderr.starts_with("hops: error: ") || self.stderr.starts_with("error: "),
            "not a usage error message\n{self}"
        );
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}\n{self}"
        );
        assert!(!self.stdout.contains(" 1  "), "a hop was shown\n{self}");
        self
    }

    /// The numbers of the hops shown as sent requests (`" 1  GET http://..."`), in order.
    pub fn shown_hops(&self) -> Vec<usize> {
        self.stdout
            .lines()
            .filter(|line| !line.ends_with("(not sent)"))
            .filter_map(|line| {
                let (number, rest) = line.trim_start().split_once("  ")?;
                let number: usize = number.parse().ok()?;
                rest.starts_with(|c: char| c.is_ascii_uppercase())
                    .then_some(number)
            })
            .collect()
    }

    /// Hops 1..=count, and no others, are shown as sent requests.
    #[track_caller]
    pub fn hops_shown(&self, count: usize) -> &Self {
        let expected: Vec<usize> = (1..=count).collect();
        assert_eq!(self.shown_hops(), expected, "hops shown\n{self}");
        self
    }
}

/// The scenario route server plus the arguments that reach it under every scenario host name.
pub struct Site {
    server: BlockingServer,
}

impl Site {
    pub fn start(routes: Vec<Route>) -> Site {
        Site::start_with(routes, TlsOptions::default())
    }

    /// A site whose listeners are set up as `options` says (`http2`: h2 by ALPN, and h2c).
    pub fn start_with(routes: Vec<Route>, options: TlsOptions) -> Site {
        Site {
            server: BlockingServer::start_with(routes, options).expect("loopback server starts"),
        }
    }

    pub fn port(&self) -> u16 {
        self.server.port()
    }

    /// Expands `{shop}`, `{shop_tls}`, `{other}`, `{port}` and the other scenario placeholders.
    pub fn url(&self, text: &str) -> String {
        self.server.expand(text)
    }

    /// `--resolve` for every scenario host on this server's port.
    pub fn resolve_args(&self) -> Vec<String> {
        self.server.resolve_args()
    }

    /// The CA certificate that signs this server's https listener (`{shop_tls}` and the like).
    pub fn ca_file(&self) -> &Path {
        self.server.ca_file()
    }

    /// Runs hops with `--resolve` for this server, `--cacert` for its https listener,
    /// `--color never`, and `args` expanded.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, Vec::new())
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: Vec<u8>) -> Run {
        hops_with_stdin(self.args(args), stdin)
    }

    /// The full argument list [`Site::run`] uses.
    pub fn args(&self, args: &[&str]) -> Vec<String> {
        let mut all = self.resolve_args();
        all.extend([
            "--cacert".to_owned(),
            self.ca_file().display().to_string(),
            "--color".to_owned(),
            "never".to_owned(),
        ]);
        all.extend(args.iter().map(|arg| self.url(arg)));
        all
    }

    pub fn received(&self) -> Vec<Received> {
        self.server.received()
    }

    /// `METHOD host path` per received request, for compact comparisons; `https:` before the
    /// host for requests that came in over TLS.
    pub fn requests(&self) -> Vec<String> {
        self.received()
            .iter()
            .map(|r| {
                let tls = if r.scheme == "https" { "https:" } else { "" };
                format!("{} {tls}{} {}", r.method, r.host, r.path)
            })
            .collect()
    }
}

/// A route that answers `status` with a `Location`.
pub fn redirect(path: &str, status: u16, location: &str) -> Route {
    Route::new(path, status).with_header("Location", location)
}

/// A route that answers 200 with a short body.
pub fn ok(path: &str) -> Route {
    Route {
        body: Some(format!("reached {path}")),
        ..Route::new(path, 200)
    }
}

/// `route`, served only when the Host header names `host`.
pub fn on(host: &str, route: Route) -> Route {
    Route {
        host: Some(host.to_owned()),
        ..route
    }
}

/// A header that must be absent from a received request.
#[track_caller]
pub fn assert_absent(request: &Received, names: &[&str]) {
    for name in names {
        assert!(
            request.header(name).is_none(),
            "{request}: header {name} should be absent, got {:?}\nall headers: {:?}",
            request.header(name),
            request.headers
        );
    }
}

/// A header that must carry exactly `value`.
#[track_caller]
pub fn assert_header(request: &Received, name: &str, value: &str) {
    assert_eq!(
        request.header(name),
        Some(value),
        "{request}: header {name}\nall headers: {:?}",
        request.headers
    );
}

/// A file under `dir` with `bytes` in it.
pub fn write_file(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, bytes).expect("write test file");
    path
}

/// A loopback port that refuses connections for as long as this value lives: a socket is bound
/// to it but never listens. Holding the port, unlike binding and releasing it, leaves no window
/// for another process to start listening there. Shows as the port number in `format!`.
pub struct ClosedPort {
    _socket: Socket,
    port: u16,
}

/// A port that refuses connections; keep the value alive for as long as the port is used.
pub fn closed_port() -> ClosedPort {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP)).expect("TCP socket");
    let address = SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    socket.bind(&address.into()).expect("bind loopback");
    let port = socket
        .local_addr()
        .ok()
        .and_then(|address| address.as_socket())
        .expect("local address")
        .port();
    ClosedPort {
        _socket: socket,
        port,
    }
}

impl ClosedPort {
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl fmt::Display for ClosedPort {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.port)
    }
}

/// One request as a [`RawServer`] read it.
#[derive(Debug, Clone)]
pub struct RawRequest {
    pub method: String,
    pub target: String,
    /// The connection it came on, numbered from 1 in the order they were accepted.
    pub connection: usize,
    /// The body, as long as its `Content-Length` said.
    pub body: Vec<u8>,
}

type Responder = dyn Fn(&RawRequest, &mut TcpStream) -> io::Result<()> + Send + Sync;
type Server = dyn Fn(&mut RawConnection) -> io::Result<()> + Send + Sync;

/// A TCP server on 127.0.0.1 that reads one request per connection and lets the test write any
/// bytes back (malformed, truncated, endless), then closes the connection; or, with
/// [`RawServer::per_connection`], lets the test drive each connection.
pub struct RawServer {
    port: u16,
    requests: Arc<Mutex<Vec<RawRequest>>>,
    stop: Arc<AtomicBool>,
}

impl RawServer {
    pub fn start(
        respond: impl Fn(&RawRequest, &mut TcpStream) -> io::Result<()> + Send + Sync + 'static,
    ) -> RawServer {
        let respond: Arc<Responder> = Arc::new(respond);
        RawServer::per_connection(move |connection| {
            let request = connection.request()?;
            // The client hanging up mid-write is expected for endless or huge responses.
            let _ = respond(&request, connection.stream());
            Ok(())
        })
    }

    /// A server that hands each connection to `serve`, which reads requests from it with
    /// [`RawConnection::request`] and writes what it likes; the connection is closed when `serve`
    /// returns. For servers that keep a connection open across requests, or say nothing at all.
    pub fn per_connection(
        serve: impl Fn(&mut RawConnection) -> io::Result<()> + Send + Sync + 'static,
    ) -> RawServer {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind loopback");
        let port = listener.local_addr().expect("local address").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let serve: Arc<Server> = Arc::new(serve);
        let (log, stopping) = (Arc::clone(&requests), Arc::clone(&stop));
        thread::spawn(move || {
            for (number, stream) in listener.incoming().enumerate() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = stream else { continue };
                let (log, serve) = (Arc::clone(&log), Arc::clone(&serve));
                thread::spawn(move || serve_connection(stream, number + 1, log, &*serve));
            }
        });
        RawServer {
            port,
            requests,
            stop,
        }
    }

    /// A server that accepts each connection and closes it at once, without reading the
    /// request: the client sees a reset or an end of stream before any response.
    pub fn hang_up() -> RawServer {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind loopback");
        let port = listener.local_addr().expect("local address").port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                drop(stream);
            }
        });
        RawServer {
            port,
            requests: Arc::default(),
            stop,
        }
    }

    /// A server that reads the first bytes of each connection (whatever they are: a TLS
    /// ClientHello, say), writes `reply` and closes the connection.
    pub fn replying(reply: &'static [u8]) -> RawServer {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind loopback");
        let port = listener.local_addr().expect("local address").port();
        let stop = Arc::new(AtomicBool::new(false));
        let stopping = Arc::clone(&stop);
        thread::spawn(move || {
            for stream in listener.incoming() {
                if stopping.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(mut stream) = stream else { continue };
                let mut first = [0u8; 4096];
                if stream.read(&mut first).is_ok() {
                    let _ = stream.write_all(reply);
                    let _ = stream.flush();
                }
                let _ = stream.shutdown(Shutdown::Both);
            }
        });
        RawServer {
            port,
            requests: Arc::default(),
            stop,
        }
    }

    /// `http://127.0.0.1:PORT` followed by `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// `https://127.0.0.1:PORT` followed by `path`.
    pub fn https_url(&self, path: &str) -> String {
        format!("https://127.0.0.1:{}{path}", self.port)
    }

    pub fn requests(&self) -> Vec<RawRequest> {
        self.requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// `METHOD target` per request received.
    pub fn targets(&self) -> Vec<String> {
        self.requests()
            .iter()
            .map(|r| format!("{} {}", r.method, r.target))
            .collect()
    }
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect((Ipv4Addr::LOCALHOST, self.port));
    }
}

/// One accepted connection of a [`RawServer`], as its `serve` function sees it.
pub struct RawConnection {
    reader: BufReader<TcpStream>,
    number: usize,
    log: Arc<Mutex<Vec<RawRequest>>>,
}

impl RawConnection {
    /// Reads the next request on this connection and logs it; an error once the client has
    /// closed the connection.
    pub fn request(&mut self) -> io::Result<RawRequest> {
        let request = read_raw_request(&mut self.reader, self.number)?;
        self.log
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(request.clone());
        Ok(request)
    }

    pub fn stream(&mut self) -> &mut TcpStream {
        self.reader.get_mut()
    }

    /// Writes `bytes` and flushes them.
    pub fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream().write_all(bytes)?;
        self.stream().flush()
    }

    /// Reads and drops whatever comes until the client closes the connection.
    pub fn wait_for_close(&mut self) -> io::Result<()> {
        io::copy(&mut self.reader, &mut io::sink()).map(|_| ())
    }
}

fn serve_connection(
    stream: TcpStream,
    number: usize,
    log: Arc<Mutex<Vec<RawRequest>>>,
    serve: &Server,
) {
    let mut connection = RawConnection {
        reader: BufReader::new(stream),
        number,
        log,
    };
    let _ = serve(&mut connection);
    let stream = connection.stream();
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Both);
}

fn read_raw_request(reader: &mut impl BufRead, connection: usize) -> io::Result<RawRequest> {
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Err(io::ErrorKind::UnexpectedEof.into());
        }
        let end = line == "\r\n";
        head.push_str(&line);
        if end {
            break;
        }
    }
    let length: usize = head
        .lines()
        .find_map(|line| {
            let (name, value) = line.split_once(':')?;
            name.eq_ignore_ascii_case("content-length")
                .then(|| value.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    let mut words = head.split_whitespace();
    Ok(RawRequest {
        method: words.next().unwrap_or_default().to_owned(),
        target: words.next().unwrap_or_default().to_owned(),
        connection,
        body,
    })
}

/// A responder that writes `bytes` and closes the connection.
pub fn send(
    bytes: impl Into<Vec<u8>>,
) -> impl Fn(&RawRequest, &mut TcpStream) -> io::Result<()> + Send + Sync + 'static {
    let bytes = bytes.into();
    move |_, stream| stream.write_all(&bytes)
}

/// Writes `head` (ending in the blank line) and then `chunk` forever, as one endless chunked
/// body, until the client hangs up.
pub fn endless_chunked(head: &str, stream: &mut TcpStream) -> io::Result<()> {
    stream.write_all(head.as_bytes())?;
    let chunk = format!("{:x}\r\n{}\r\n", 4096, "x".repeat(4096));
    loop {
        stream.write_all(chunk.as_bytes())?;
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers for the HSTS and diagnosis tests: https-only routes, and one trace run twice (JSON and
// text) with what the server received each time.

impl Site {
    /// Forgets what the server received so far.
    pub fn clear_received(&self) {
        self.server.clear_received();
    }

    /// Runs `args` twice, with `--format json` and as text, and checks that both runs sent the
    /// server the same requests and ended with the same exit code, and that every JSON warning
    /// is printed in the text as `! warning: MESSAGE` (`i note:` for good news).
    #[track_caller]
    pub fn trace(&self, args: &[&str]) -> Trace {
        self.clear_received();
        let mut json_args = vec!["--format", "json"];
        json_args.extend_from_slice(args);
        let json = self.run(&json_args);
        let received = self.received();
        self.clear_received();
        let text = self.run(args);
        let text_received = self.received();
        assert_eq!(
            request_lines(&received),
            request_lines(&text_received),
            "the JSON and text runs sent different requests\n{json}\n{text}"
        );
        assert_eq!(json.code, text.code, "exit codes differ\n{json}\n{text}");
        let docs = json_documents(&json);
        for hop in docs.iter().flat_map(hops_of) {
            for warning in hop["warnings"].as_array().into_iter().flatten() {
                let message = warning["message"].as_str().unwrap_or_default();
                let label = if warning["code"] == "hsts_preload_eligible" {
                    "i note"
                } else {
                    "! warning"
                };
                text.stdout_has(&format!("{label}: {message}"));
            }
        }
        Trace {
            json,
            text,
            docs,
            received,
        }
    }
}

/// `METHOD scheme://host/path` per request, for comparing two runs.
fn request_lines(received: &[Received]) -> Vec<String> {
    received
        .iter()
        .map(|r| format!("{} {}://{}{}", r.method, r.scheme, r.host, r.path))
        .collect()
}

/// One URL list traced twice by [`Site::trace`].
pub struct Trace {
    /// The `--format json` run.
    pub json: Run,
    /// The text run (`--color never`).
    pub text: Run,
    /// One document per URL, from the JSON run.
    pub docs: Vec<serde_json::Value>,
    /// What the server received during the JSON run (the text run sent the same).
    pub received: Vec<Received>,
}

impl fmt::Display for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{}", self.text)?;
        writeln!(f, "--- received ---")?;
        for request in &self.received {
            writeln!(f, "{} {} {}", request.scheme, request.method, request.path)?;
        }
        write!(f, "{}", self.json)
    }
}

impl Trace {
    /// The only document (the run traced one URL).
    #[track_caller]
    pub fn doc(&self) -> &serde_json::Value {
        assert_eq!(self.docs.len(), 1, "one document expected\n{self}");
        &self.docs[0]
    }

    /// Hop `n` (1-based) of the only document.
    #[track_caller]
    pub fn hop(&self, n: usize) -> &serde_json::Value {
        let hops = hops_of(self.doc());
        assert!(n >= 1 && n <= hops.len(), "no hop {n}\n{self}");
        &hops[n - 1]
    }

    /// The exit code of both runs.
    #[track_caller]
    pub fn code(&self, expected: i32) -> &Self {
        assert_eq!(self.json.code, expected, "unexpected exit code\n{self}");
        self
    }

    /// `scheme METHOD host path` per request the server received.
    pub fn requests(&self) -> Vec<String> {
        self.received
            .iter()
            .map(|r| format!("{} {} {} {}", r.scheme, r.method, r.host, r.path))
            .collect()
    }

    #[track_caller]
    pub fn text_has(&self, needle: &str) -> &Self {
        self.text.stdout_has(needle);
        self
    }

    #[track_caller]
    pub fn text_lacks(&self, needle: &str) -> &Self {
        self.text.stdout_lacks(needle);
        self
    }
}

/// Every stdout line of a `--format json` run, parsed; stdout is nothing but those lines.
#[track_caller]
pub fn json_documents(run: &Run) -> Vec<serde_json::Value> {
    run.stdout
        .lines()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|err| panic!("stdout line is not JSON: {err}\n{line}\n{run}"))
        })
        .collect()
}

/// The `hops` array of a JSON document.
pub fn hops_of(doc: &serde_json::Value) -> &[serde_json::Value] {
    doc["hops"].as_array().map_or(&[], Vec::as_slice)
}

/// The warning codes of one JSON hop, in order.
pub fn warning_codes(hop: &serde_json::Value) -> Vec<&str> {
    hop["warnings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|warning| warning["code"].as_str())
        .collect()
}

/// The message of the warning with `code` on one JSON hop.
#[track_caller]
pub fn warning_message<'a>(hop: &'a serde_json::Value, code: &str) -> &'a str {
    hop["warnings"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|warning| warning["code"] == code)
        .and_then(|warning| warning["message"].as_str())
        .unwrap_or_else(|| panic!("no warning {code} on hop {hop}"))
}

/// `route`, served only on the listener of `scheme` ("http" or "https").
pub fn over(scheme: &str, route: Route) -> Route {
    Route {
        scheme: Some(scheme.to_owned()),
        ..route
    }
}
