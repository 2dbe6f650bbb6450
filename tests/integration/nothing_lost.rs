//! Nothing a run saw is lost: hops appear as soon as they are complete, even when a later
//! server hangs, and the hints found after the chain come after it; Ctrl-C and SIGTERM show and
//! save what the run gathered; a closed stdout keeps the exit code; `-o` leaves no file behind
//! on failure and `-o -` keeps stdout for the body; a cookie jar written by one run is read by
//! the next, whatever cookies the servers sent.
//!
//! These tests watch a running `hops` process: they read its stdout line by line while it waits
//! on a server that never answers, then end it.

use std::io::{self, BufRead, BufReader, Read};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::Duration;

use wait_timeout::ChildExt;

use crate::support::schema::{Document, ErrorKind, Outcome};
use crate::support::{
    RawRequest, RawServer, Route, Site, ok, over, redirect, warning_codes, warning_message,
    write_file,
};

/// Longer than this and the process is taken to hang: a safety net, not a timing assertion.
const HANG_GUARD: Duration = Duration::from_secs(30);

/// A `hops` process still running, its stdout read line by line as it comes.
struct Running {
    child: Child,
    lines: Receiver<String>,
    stdout: Vec<String>,
    stderr: thread::JoinHandle<String>,
    _home: tempfile::TempDir,
}

/// How a watched run ended.
struct Ended {
    /// The exit code; `None` when a signal ended the process.
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl std::fmt::Display for Ended {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "--- exit code {:?} ---\n--- stdout ---\n{}--- stderr ---\n{}---",
            self.code, self.stdout, self.stderr
        )
    }
}

impl Running {
    /// Starts `hops ARGS` in a scrubbed environment, as `support::hops` does, without waiting.
    fn start(args: &[String]) -> Running {
        let home = tempfile::tempdir().expect("temporary HOME");
        let mut child = spawn(args, home.path());
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut stderr = child.stderr.take().expect("piped stderr");
        let stderr = thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        Running {
            child,
            lines,
            stdout: Vec::new(),
            stderr,
            _home: home,
        }
    }

    /// Reads stdout until a line starts with `prefix`; fails if none comes.
    #[track_caller]
    fn wait_for_line(&mut self, prefix: &str) {
        loop {
            match self.lines.recv_timeout(HANG_GUARD) {
                Ok(line) => {
                    let found = line.starts_with(prefix);
                    self.stdout.push(line);
                    if found {
                        return;
                    }
                }
                Err(_) => {
                    let _ = self.child.kill();
                    let ended = self.wait();
                    panic!("no stdout line starting {prefix:?} while hops ran\n{ended}");
                }
            }
        }
    }

    /// Sends `signal` ("INT", "TERM") to the process, as `kill -s` does.
    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args(["-s", signal, &self.child.id().to_string()])
            .status()
            .expect("kill can be run");
        assert!(status.success(), "kill -s {signal} failed");
    }

    /// Whether the process is still running.
    fn running(&mut self) -> bool {
        self.child.try_wait().expect("hops can be polled").is_none()
    }

    /// Kills the process and reads what it wrote.
    fn kill(mut self) -> Ended {
        let _ = self.child.kill();
        self.wait()
    }

    /// Waits for the process to end (killing it if it hangs) and reads the rest of its output.
    fn wait(&mut self) -> Ended {
        let status = match self
            .child
            .wait_timeout(HANG_GUARD)
            .expect("hops can be waited for")
        {
            Some(status) => status,
            None => {
                let _ = self.child.kill();
                self.child.wait().expect("hops can be reaped")
            }
        };
        while let Ok(line) = self.lines.recv_timeout(HANG_GUARD) {
            self.stdout.push(line);
        }
        let stderr = std::mem::replace(&mut self.stderr, thread::spawn(String::new));
        Ended {
            code: status.code(),
            stdout: self.stdout.iter().map(|line| format!("{line}\n")).collect(),
            stderr: stderr.join().expect("stderr reader"),
        }
    }
}

/// `hops ARGS` in a scrubbed environment (as `support::hops` runs it), stdout and stderr piped.
fn spawn(args: &[String], home: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_hops"))
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .current_dir(home)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hops can be started")
}

/// Never answers: reads until the client goes away, so the thread ends with the test's hops.
fn never_answer(stream: &mut TcpStream) -> io::Result<()> {
    let mut buffer = [0; 1024];
    while stream.read(&mut buffer)? > 0 {}
    Ok(())
}

/// `/1` redirects to `/2`, `/2` to `/3`, and `/3` never answers.
fn hangs_on_hop_3() -> RawServer {
    hangs_on_hop_3_and_tells().0
}

/// [`hangs_on_hop_3`], and a message on the receiver when the request of hop 3 has come: hops 1
/// and 2 are complete by then.
fn hangs_on_hop_3_and_tells() -> (RawServer, Receiver<()>) {
    let (arrived, hanging) = mpsc::channel();
    let arrived = Mutex::new(arrived);
    let server = RawServer::start(move |request: &RawRequest, stream: &mut TcpStream| {
        let next = match request.target.as_str() {
            "/1" => "/2",
            "/2" => "/3",
            _ => {
                let _ = arrived.lock().unwrap_or_else(|e| e.into_inner()).send(());
                return never_answer(stream);
            }
        };
        let answer = format!(
            "HTTP/1.1 302 Found\r\nLocation: {next}\r\nContent-Length: 0\r\n\
             Connection: close\r\n\r\n"
        );
        io::Write::write_all(stream, answer.as_bytes())
    });
    (server, hanging)
}

fn args(extra: &[&str], url: String) -> Vec<String> {
    let mut args = vec!["--color".to_owned(), "never".to_owned()];
    args.extend(extra.iter().map(|arg| (*arg).to_owned()));
    args.push(url);
    args
}

#[test]
fn each_hop_is_shown_as_soon_as_it_is_complete() {
    let server = hangs_on_hop_3();
    let mut hops = Running::start(&args(&[], server.url("/1")));
    hops.wait_for_line(" 1  GET ");
    hops.wait_for_line(" 2  GET ");
    hops.wait_for_line("    next: GET kept");
    // Hop 3 never answers and there is no --max-time: the run cannot have ended.
    assert!(hops.running(), "hops ended before hop 3 answered");
    let ended = hops.kill();
    assert!(ended.stdout.contains("302 Found"), "{ended}");
    assert!(!ended.stdout.contains(" 3  "), "{ended}");
    assert_eq!(server.targets()[..2], ["GET /1", "GET /2"], "{ended}");
}

/// The HSTS hints are found once the chain is over, when the hops they are about are already
/// shown: the text puts them after the chain, above the summary; the JSON keeps them on the hops.
#[test]
fn hsts_hints_come_after_the_chain_in_text_and_on_their_hops_in_json() {
    let site = Site::start(vec![
        over("http", redirect("/", 301, "{example_tls}/")),
        over(
            "https",
            ok("/").with_header(
                "Strict-Transport-Security",
                "max-age=63072000; includeSubDomains; preload",
            ),
        ),
    ]);
    let trace = site.trace(&["{example}/"]);
    trace.code(0);
    assert_eq!(warning_codes(trace.hop(1)), ["hsts_first_visit"], "{trace}");
    assert_eq!(
        warning_codes(trace.hop(2)),
        ["hsts_preload_eligible"],
        "{trace}"
    );
    let text = &trace.text.stdout;
    let first_visit = warning_message(trace.hop(1), "hsts_first_visit");
    let eligible = warning_message(trace.hop(2), "hsts_preload_eligible");
    let notes = format!("hop 1  ! warning: {first_visit}\nhop 2  i note: {eligible}\n\n");
    let at = text
        .find(&notes)
        .unwrap_or_else(|| panic!("no hints block\n{trace}"));
    assert!(
        at > text.find(" 2  GET ").expect("hop 2"),
        "hints before the last hop\n{trace}"
    );
    assert!(
        text[at + notes.len()..].starts_with("2 requests, 1 redirect,"),
        "the summary does not follow the hints\n{trace}"
    );
    assert_eq!(text.matches(first_visit).count(), 1, "{trace}");
}

/// `/N` redirects to `/N+1` without end; each answer carries a 2 KiB header, so the `-v` output
/// of a long chain is far larger than a pipe holds.
fn endless_chain() -> RawServer {
    let padding = "p".repeat(2048);
    RawServer::start(move |request: &RawRequest, stream: &mut TcpStream| {
        let n: usize = request.target.trim_start_matches('/').parse().unwrap_or(0);
        let answer = format!(
            "HTTP/1.1 302 Found\r\nLocation: /{}\r\nX-Padding: {padding}\r\n\
             Content-Length: 0\r\nConnection: close\r\n\r\n",
            n + 1
        );
        io::Write::write_all(stream, answer.as_bytes())
    })
}

/// `hops ... | head -c 1`: the reader goes away after one byte. The chain still fails, with its
/// own exit code and error line.
#[test]
fn a_closed_stdout_keeps_the_exit_code_and_the_error_line() {
    let server = endless_chain();
    let home = tempfile::tempdir().expect("temporary HOME");
    let mut child = spawn(
        &args(&["-v", "--max-redirs", "150"], server.url("/1")),
        home.path(),
    );
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut byte = [0; 1];
    stdout.read_exact(&mut byte).expect("one byte of output");
    drop(stdout);
    let mut stderr = child.stderr.take().expect("piped stderr");
    let reader = thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
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
    let stderr = reader.join().expect("stderr reader");
    assert_eq!(status.code(), Some(4), "{status}\n{stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "{stderr}");
    assert!(
        lines[0].starts_with("hops: error: hop 151: too many redirects: "),
        "{stderr}"
    );
    assert_eq!(server.targets().len(), 151);
}

/// `-o -` puts the body on stdout, so the chain's text goes to stderr; `-w` stays on stdout,
/// after the body, as curl has it.
#[test]
fn with_o_dash_stdout_is_exactly_the_body() {
    let site = Site::start(vec![
        redirect("/a", 302, "/b"),
        ok("/b"),
        redirect("/loop", 302, "/loop"),
    ]);
    let run = site.run(&["-o", "-", "{shop}/a"]);
    run.code(0)
        .stderr_has(" 1  GET ")
        .stderr_has(" 2  GET ")
        .stderr_has("2 requests, 1 redirect, ");
    assert_eq!(run.stdout, "reached /b", "{run}");

    let run = site.run(&[
        "-o",
        "-",
        "-w",
        "\\n%{http_code} %{num_redirects}\\n",
        "{shop}/a",
    ]);
    run.code(0).stderr_has("2 requests, 1 redirect, ");
    assert_eq!(run.stdout, "reached /b\n200 1\n", "{run}");

    let run = site.run(&["-o", "-", "{shop}/loop"]);
    run.code(3)
        .stderr_has("stopped: redirect loop")
        .stderr_has("hops: error: hop 2: redirect loop");
    assert_eq!(run.stdout, "", "{run}");
}

/// `-o FILE` is created when the final response's body starts, as curl does: a chain that fails
/// leaves no file behind (and an existing one as it was), an empty final body an empty file.
#[test]
fn o_file_is_created_only_for_a_final_body() {
    let dir = tempfile::tempdir().unwrap();
    let site = Site::start(vec![
        redirect("/loop", 302, "/loop"),
        redirect("/empty", 302, "/nothing"),
        Route::new("/nothing", 200),
    ]);
    let file = dir.path().join("body.out");
    let path = file.to_str().unwrap();
    site.run(&["-o", path, "{shop}/loop"]).code(3);
    assert!(!file.exists(), "a failed chain left {path} behind");

    std::fs::write(&file, "kept").unwrap();
    site.run(&["-o", path, "{shop}/loop"]).code(3);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "kept");

    std::fs::remove_file(&file).unwrap();
    site.run(&["-o", path, "{shop}/empty"])
        .code(0)
        .quiet_stderr()
        .stdout_has("200 OK");
    assert_eq!(std::fs::read(&file).expect("an empty body file"), b"");
}

/// Ctrl-C while hop 3 waits for its answer: hops 1 and 2 stay shown, a line says where the run
/// was interrupted, the cookie jar, the HSTS cache and the HAR hold what the run gathered, and
/// the exit code is 130.
#[test]
fn ctrl_c_shows_and_saves_what_the_run_gathered_and_exits_130() {
    let (hang, hanging) = hangs_on_hop_3_and_tells();
    let site = Site::start(vec![
        over(
            "http",
            redirect("/a", 302, "{shop_tls}/b").with_header("Set-Cookie", "sid=1; Path=/"),
        ),
        over(
            "https",
            redirect("/b", 302, &hang.url("/hang"))
                .with_header("Strict-Transport-Security", "max-age=31536000"),
        ),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let [jar, hsts, har] = ["jar.txt", "hsts.txt", "run.har"].map(|name| dir.path().join(name));
    let files = [&jar, &hsts, &har].map(|path| path.to_str().unwrap());
    let mut hops = Running::start(&site.args(&[
        "-c", files[0], "--hsts", files[1], "--har", files[2], "{shop}/a",
    ]));
    hanging
        .recv_timeout(HANG_GUARD)
        .expect("the request of hop 3");
    hops.signal("INT");
    let ended = hops.wait();
    assert_eq!(ended.code, Some(130), "{ended}");
    for shown in [" 1  GET http://shop.test:", " 2  GET https://shop.test:"] {
        assert!(ended.stdout.contains(shown), "{ended}");
    }
    assert!(
        ended
            .stdout
            .contains(" 3  ✗ interrupted by SIGINT before the response arrived\n"),
        "{ended}"
    );
    assert!(
        ended.stdout.contains("2 requests, 2 redirects, "),
        "{ended}"
    );
    assert!(
        ended.stdout.contains(" · stopped: interrupted by SIGINT\n"),
        "{ended}"
    );
    assert_eq!(
        ended.stderr,
        "hops: error: hop 3: interrupted by SIGINT before the response arrived\n"
    );
    let jar = std::fs::read_to_string(&jar).unwrap();
    assert!(jar.contains("\tsid\t1\n"), "cookie jar:\n{jar}");
    let hsts = std::fs::read_to_string(&hsts).unwrap();
    assert!(
        hsts.lines().any(|line| line.starts_with("shop.test ")),
        "HSTS cache:\n{hsts}"
    );
    let har: serde_json::Value = serde_json::from_slice(&std::fs::read(&har).unwrap()).unwrap();
    let statuses: Vec<&serde_json::Value> = har["log"]["entries"]
        .as_array()
        .expect("HAR entries")
        .iter()
        .map(|entry| &entry["response"]["status"])
        .collect();
    assert_eq!(statuses, [302, 302], "{har}");
}

/// SIGTERM (a supervisor, `timeout`) stops the run the same way, with exit code 143; the JSON
/// document says how the chain ended.
#[test]
fn sigterm_ends_the_json_document_as_interrupted_and_exits_143() {
    let (server, hanging) = hangs_on_hop_3_and_tells();
    let hops = Running::start(&args(&["--format", "json"], server.url("/1")));
    hanging
        .recv_timeout(HANG_GUARD)
        .expect("the request of hop 3");
    hops.signal("TERM");
    let mut hops = hops;
    let ended = hops.wait();
    assert_eq!(ended.code, Some(143), "{ended}");
    let doc: Document = serde_json::from_str(ended.stdout.trim_end())
        .unwrap_or_else(|err| panic!("not one schema 1 document: {err}\n{ended}"));
    assert_eq!(doc.outcome, Outcome::Interrupted, "{ended}");
    assert_eq!(doc.hops.len(), 2, "{ended}");
    let error = doc.error.expect("an error");
    assert_eq!(
        (error.hop, error.kind),
        (3, ErrorKind::Interrupted),
        "{ended}"
    );
    assert_eq!(
        error.message,
        "interrupted by SIGTERM before the response arrived"
    );
    assert!(doc.final_.is_none());
    assert!(doc.verdict.starts_with("Interrupted: hop 3: "), "{ended}");
    assert_eq!(
        ended.stderr,
        "hops: error: hop 3: interrupted by SIGTERM before the response arrived\n"
    );
}

/// Ctrl-C while the final body is being written to `-o`: the hop is shown with its status, the
/// run says it was interrupted while reading that body, and what came of the body is kept.
#[test]
fn ctrl_c_during_the_final_body_keeps_its_hop_and_what_came_of_the_body() {
    let (wrote, written) = mpsc::channel();
    let wrote = Mutex::new(wrote);
    let server = RawServer::start(move |_: &RawRequest, stream: &mut TcpStream| {
        io::Write::write_all(
            stream,
            b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n\
              Content-Length: 100\r\n\r\n0123456789",
        )?;
        let _ = wrote.lock().unwrap_or_else(|e| e.into_inner()).send(());
        never_answer(stream)
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("body.out");
    let mut hops = Running::start(&args(&["-o", file.to_str().unwrap()], server.url("/file")));
    written
        .recv_timeout(HANG_GUARD)
        .expect("the start of the body");
    // The body's first bytes in the file mean hops is reading it. Polled, with a limit.
    let mut waited = Duration::ZERO;
    while std::fs::read(&file).unwrap_or_default() != b"0123456789" {
        assert!(
            waited < HANG_GUARD,
            "the body never reached {}",
            file.display()
        );
        thread::sleep(Duration::from_millis(10));
        waited += Duration::from_millis(10);
    }
    hops.signal("INT");
    let ended = hops.wait();
    assert_eq!(ended.code, Some(130), "{ended}");
    assert!(ended.stdout.contains(" 1  GET "), "{ended}");
    assert!(ended.stdout.contains("    200 OK  HTTP/1.1"), "{ended}");
    assert!(
        ended
            .stdout
            .contains("    ✗ interrupted by SIGINT while reading the response body\n"),
        "{ended}"
    );
    assert_eq!(
        ended.stderr,
        "hops: error: hop 1: interrupted by SIGINT while reading the response body\n"
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"0123456789");
}

/// A cookie with a tab in its value cannot be written as a Netscape line: `-c` leaves it out
/// with a warning naming it, and the next run's `-b` reads the jar.
#[test]
fn a_cookie_jar_survives_a_hostile_cookie_from_c_to_b() {
    let dir = tempfile::tempdir().unwrap();
    let jar = dir.path().join("jar.txt");
    let jar_arg = jar.to_str().unwrap();
    let site = Site::start(vec![
        redirect("/a", 302, "/b")
            .with_header("Set-Cookie", "t=a\tb; Path=/")
            .with_header("Set-Cookie", "ok=1; Path=/"),
        ok("/b"),
    ]);
    let run = site.run(&["-c", jar_arg, "{shop}/a"]);
    run.code(0);
    assert_eq!(
        run.stderr,
        format!(
            "hops: warning: cookie jar {jar_arg}: left out the cookie \"t\" of shop.test: \
             its value holds a tab, which a Netscape cookie file cannot hold\n"
        ),
        "{run}"
    );
    let written = std::fs::read_to_string(&jar).unwrap();
    for line in written
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with("# "))
    {
        assert_eq!(line.split('\t').count(), 7, "{written}");
    }
    assert!(written.contains("\tok\t1\n"), "{written}");

    site.clear_received();
    site.run(&["-b", jar_arg, "{shop}/b"])
        .code(0)
        .quiet_stderr();
    assert_eq!(site.received()[0].header("cookie"), Some("ok=1"));
}

/// A bad line in a `-b` cookie file is skipped with a warning naming the file and the line, as
/// curl skips it; the other lines still seed the jar.
#[test]
fn a_bad_line_in_a_cookie_file_is_skipped_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    // Line 3 is what a jar written without the check held for `t=a<TAB>b`: eight fields.
    let jar = write_file(
        dir.path(),
        "jar.txt",
        b"# Netscape HTTP Cookie File\n\
          shop.test\tFALSE\t/\tFALSE\t0\tok\t1\n\
          shop.test\tFALSE\t/\tFALSE\t0\tt\ta\tb\n",
    );
    let jar_arg = jar.to_str().unwrap();
    let site = Site::start(vec![ok("/")]);
    let run = site.run(&["-b", jar_arg, "{shop}/"]);
    run.code(0);
    assert_eq!(
        run.stderr,
        format!("hops: warning: {jar_arg}:3: skipped: expected 7 tab-separated fields, found 8\n"),
        "{run}"
    );
    assert_eq!(site.received()[0].header("cookie"), Some("ok=1"));
}
