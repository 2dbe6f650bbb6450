//! Hostile and broken servers: malformed responses, huge headers, connections that close or
//! reset, truncated and endless bodies, refused connections, stalled handshakes, servers that
//! go silent. hops must never panic or hang; a broken answer exits 6 with one
//! `hops: error: hop N:` line and still shows the hops made, while what browsers get past (a
//! reused connection closed under the next request, many header fields, an HTML body that
//! trickles) is not an error.

use std::io::{self, Read, Write};
use std::net::TcpStream;

use crate::support::schema::{Document, ErrorKind, Outcome};
use crate::support::{
    RawRequest, RawServer, Site, closed_port, endless_chunked, hops, ok, redirect, send,
};

/// Runs hops against a raw server at `path` with `--color never` and `extra` flags.
fn run_raw(server: &RawServer, path: &str, extra: &[&str]) -> crate::support::Run {
    let mut args = vec!["--color".to_owned(), "never".to_owned()];
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    args.push(server.url(path));
    hops(args)
}

#[test]
fn malformed_responses_are_network_errors() {
    let huge_header = format!("HTTP/1.1 200 OK\r\nX-Big: {}\r\n\r\n", "a".repeat(1 << 20));
    #[rustfmt::skip]
    let table: Vec<(&str, Vec<u8>)> = vec![
        ("garbage status line", b"HELLO WORLD\r\n\r\n".to_vec()),
        ("non-numeric status", b"HTTP/1.1 abc OK\r\nContent-Length: 0\r\n\r\n".to_vec()),
        ("four-digit status", b"HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n".to_vec()),
        ("binary noise", vec![0, 1, 2, 0xff, 0xfe, b'\r', b'\n', b'\r', b'\n']),
        ("header without colon", b"HTTP/1.1 200 OK\r\nbroken header\r\n\r\n".to_vec()),
        ("bad Content-Length", b"HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n".to_vec()),
        ("two Content-Lengths", b"HTTP/1.1 302 Found\r\nLocation: /x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab".to_vec()),
        ("head cut short", b"HTTP/1.1 302 Found\r\nLocation: /x\r\n".to_vec()),
        ("1 MiB header", huge_header.into_bytes()),
        ("nothing at all", Vec::new()),
    ];
    for (what, response) in table {
        let server = RawServer::start(send(response));
        let run = run_raw(&server, "/start", &[]);
        run.code(6)
            .hops_shown(0)
            .hop_error(1, "invalid HTTP response: ")
            .stderr_has(&format!("(GET {})", server.url("/start")))
            .stdout_has(" 1  ✗ invalid HTTP response: ")
            .stdout_has("stopped: network error");
        assert_eq!(server.targets(), ["GET /start"], "{what}\n{run}");
    }
}

#[test]
fn a_connection_reset_before_the_response_is_a_network_error() {
    // The server closes without reading the request, so the client sees a reset or an EOF.
    let server = RawServer::hang_up();
    let run = run_raw(&server, "/start", &[]);
    run.code(6)
        .hops_shown(0)
        .hop_error(1, "invalid HTTP response: ");
    // An end of stream or a reset, depending on whether the request reached the server before
    // it closed the connection.
    assert!(
        run.stderr
            .contains("connection closed before message completed")
            || run.stderr.contains("Connection reset by peer"),
        "{run}"
    );
}

#[test]
fn a_refused_connection_is_a_network_error() {
    let closed = closed_port();
    let url = format!("http://127.0.0.1:{closed}/start");
    hops(["--color", "never", url.as_str()])
        .code(6)
        .hops_shown(0)
        .hop_error(1, "cannot connect");
}

#[test]
fn a_network_error_mid_chain_keeps_the_hops_already_made() {
    let closed = closed_port();
    let refused = format!("http://127.0.0.1:{closed}/gone");
    let site = Site::start(vec![
        redirect("/a", 302, "/b"),
        redirect("/b", 307, &refused),
    ]);
    let run = site.run(&["-d", "x=1", "{shop}/a"]);
    run.code(6)
        .hops_shown(2)
        .stdout_has(&format!("Location: {refused}"))
        .stdout_has(" 3  ✗ cannot connect")
        .hop_error(3, "cannot connect")
        .stderr_has(&format!("(GET {refused})"));
    assert_eq!(site.requests(), ["POST shop.test /a", "GET shop.test /b"]);
}

#[test]
fn a_truncated_final_body_is_a_network_error() {
    #[rustfmt::skip]
    let table: &[(&str, &[u8])] = &[
        ("short Content-Length", b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten b"),
        ("unfinished chunks", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\nonly ten b\r\n"),
        ("broken chunk size", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nonly ten b\r\n0\r\n\r\n"),
    ];
    for &(what, response) in table {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("body");
        let server = RawServer::start(send(response));
        let run = run_raw(&server, "/file", &["-o", file.to_str().unwrap()]);
        run.code(6)
            .hops_shown(1)
            .stdout_has("200 OK")
            .hop_error(1, "reading the response body");
        let written = std::fs::read(&file).unwrap_or_default();
        assert!(
            b"only ten b".starts_with(&written),
            "{what}: only what arrived is written: {written:?}"
        );
    }
}

/// Writes a whole response, however broken, on the connection.
type WriteBody = fn(&mut TcpStream) -> io::Result<()>;

/// Answers `/start` with a redirect to `/final` whose body never ends (or never comes), and
/// `/final` with a short 200.
fn redirect_with_bad_body(
    body: WriteBody,
) -> impl Fn(&RawRequest, &mut TcpStream) -> io::Result<()> + Send + Sync + 'static {
    move |request, stream| {
        if request.target == "/final" {
            return stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
        }
        body(stream)
    }
}

/// Reads until the client hangs up, so the connection stays open without sending anything.
fn wait_for_client(stream: &mut TcpStream) -> io::Result<()> {
    let mut buffer = [0; 1024];
    while stream.read(&mut buffer)? > 0 {}
    Ok(())
}

#[test]
fn a_redirect_with_an_endless_or_stalled_body_is_still_followed() {
    let bodies: [(&str, WriteBody); 3] = [
        ("endless chunked body", |stream| {
            endless_chunked(
                "HTTP/1.1 302 Found\r\nLocation: /final\r\nTransfer-Encoding: chunked\r\n\r\n",
                stream,
            )
        }),
        ("endless body with a huge Content-Length", |stream| {
            stream.write_all(
                b"HTTP/1.1 302 Found\r\nLocation: /final\r\nContent-Length: 1000000000000\r\n\r\n",
            )?;
            loop {
                stream.write_all(&[b'x'; 8192])?;
            }
        }),
        ("body that never comes", |stream| {
            stream.write_all(
                b"HTTP/1.1 302 Found\r\nLocation: /final\r\nContent-Length: 1000\r\n\r\n",
            )?;
            wait_for_client(stream)
        }),
    ];
    for (what, body) in bodies {
        let server = RawServer::start(redirect_with_bad_body(body));
        let run = run_raw(&server, "/start", &[]);
        run.code(0)
            .quiet_stderr()
            .hops_shown(2)
            .stdout_has(&format!("final 200 OK at {}", server.url("/final")));
        assert_eq!(
            server.targets(),
            ["GET /start", "GET /final"],
            "{what}\n{run}"
        );
    }
}

#[test]
fn an_endless_final_body_stops_at_max_time() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("body");
    let server = RawServer::start(|_, stream| {
        endless_chunked(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            stream,
        )
    });
    let run = run_raw(
        &server,
        "/stream",
        &["-m", "1", "-o", file.to_str().unwrap()],
    );
    run.code(6)
        .hops_shown(1)
        .stdout_has("200 OK")
        .hop_error(1, "timed out")
        .stderr_has("--max-time 1s");
    let written = std::fs::read(&file).expect("the body file exists");
    assert!(
        written.iter().all(|b| *b == b'x'),
        "only body bytes written"
    );
}

#[test]
fn a_server_that_never_answers_stops_at_max_time() {
    let server = RawServer::start(|_, stream| wait_for_client(stream));
    run_raw(&server, "/silent", &["-m", "1"])
        .code(6)
        .hops_shown(0)
        .hop_error(1, "timed out");
}

/// Without --max-time, the read timeout still ends a run on a server that accepts and never
/// answers, naming its flag and its length.
#[test]
fn a_server_that_never_answers_stops_at_the_read_timeout() {
    let server = RawServer::start(|_, stream| wait_for_client(stream));
    run_raw(&server, "/silent", &["--read-timeout", "0.5"])
        .code(6)
        .hops_shown(0)
        .hop_error(1, "timed out")
        .stderr_has("the server sent nothing for 0.5 s (--read-timeout)");
}

/// A body that stops coming halfway is cut by the read timeout; the hop, with its head, is
/// still shown, and the bytes that came are in the output file.
#[test]
fn a_body_that_stalls_stops_at_the_read_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("body");
    let server = RawServer::start(|_, stream| {
        stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\nhalf")?;
        wait_for_client(stream)
    });
    let run = run_raw(
        &server,
        "/stalls",
        &["--read-timeout", "0.5", "-o", file.to_str().unwrap()],
    );
    run.code(6)
        .hops_shown(1)
        .stdout_has("200 OK")
        .stderr_has("reading the response body")
        .stderr_has("--read-timeout");
    assert_eq!(std::fs::read(&file).unwrap(), b"half");
}

/// The read timeout is a limit on silence, not on the whole body: a body whose pieces come
/// well within it arrives whole even when all of it takes longer.
#[test]
fn a_trickling_body_is_not_cut_by_the_read_timeout() {
    let server = RawServer::start(|_, stream| {
        stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n")?;
        for _ in 0..12 {
            std::thread::sleep(std::time::Duration::from_millis(100));
            stream.write_all(b"x")?;
        }
        wait_for_client(stream)
    });
    let run = run_raw(&server, "/trickle", &["--read-timeout", "1", "-o", "-"]);
    run.code(0).stderr_has("OK: final 200 OK");
    assert_eq!(run.stdout, "x".repeat(12));
}

#[test]
fn an_endless_final_body_is_not_read_without_output_file() {
    let server = RawServer::start(|_, stream| {
        endless_chunked(
            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
            stream,
        )
    });
    run_raw(&server, "/stream", &[])
        .code(0)
        .quiet_stderr()
        .hops_shown(1);
}

#[test]
fn a_redirect_to_a_malformed_server_shows_the_first_hop() {
    let broken = RawServer::start(send(b"NOT HTTP\r\n\r\n".to_vec()));
    let site = Site::start(vec![redirect("/a", 302, &broken.url("/b")), ok("/unused")]);
    let run = site.run(&["{shop}/a"]);
    run.code(6)
        .hops_shown(1)
        .hop_error(2, "invalid HTTP response: invalid HTTP version parsed")
        .stdout_has("stopped: network error");
    assert_eq!(broken.targets(), ["GET /b"]);
}

// ---------------------------------------------------------------------------------------------
// A reused keep-alive connection that the server closes as the next request goes out.

/// The first answer on every connection: a 307 to `/final` that keeps the connection open.
const KEEP_ALIVE_REDIRECT: &[u8] = b"HTTP/1.1 307 Temporary Redirect\r\nLocation: /final\r\n\
    Content-Length: 0\r\nConnection: keep-alive\r\n\r\n";

const FINAL_OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";

/// `(connection, METHOD target, body)` per request the server read.
fn requests_by_connection(server: &RawServer) -> Vec<(usize, String, String)> {
    server
        .requests()
        .iter()
        .map(|r| {
            (
                r.connection,
                format!("{} {}", r.method, r.target),
                String::from_utf8_lossy(&r.body).into_owned(),
            )
        })
        .collect()
}

#[test]
fn a_reused_connection_closed_before_any_answer_is_retried_once() {
    // Connection 1 answers `/start`, then reads the next request and closes without a word,
    // as a server whose keep-alive timer fired just then does. Later connections answer.
    let server = RawServer::per_connection(|connection| {
        let request = connection.request()?;
        if request.target == "/start" {
            connection.write(KEEP_ALIVE_REDIRECT)?;
            connection.request()?;
            return Ok(());
        }
        connection.write(FINAL_OK)
    });
    let run = run_raw(&server, "/start", &["-v", "-d", "x=1"]);
    run.code(0)
        .quiet_stderr()
        .hops_shown(2)
        .stdout_has(&format!("final 200 OK at {}", server.url("/final")))
        .stdout_has("retried: the reused connection closed before any answer (")
        .stdout_has("); sent again on a new connection");
    // Any method: a POST is sent again with its body, which hops keeps.
    let once = |connection: usize, target: &str| (connection, target.to_owned(), "x=1".to_owned());
    assert_eq!(
        requests_by_connection(&server),
        [
            once(1, "POST /start"),
            once(1, "POST /final"),
            once(2, "POST /final")
        ],
        "{run}"
    );

    let json = run_raw(&server, "/start", &["--format", "json", "-d", "x=1"]);
    json.code(0);
    let doc: Document = serde_json::from_str(json.stdout.trim_end()).expect("a JSON document");
    assert_eq!(doc.hops[0].retried, None, "{json}");
    let retried = doc.hops[1].retried.as_deref().expect("hop 2 was retried");
    assert!(
        retried.contains("connection closed before message completed"),
        "{json}"
    );
}

#[test]
fn a_retry_that_fails_again_is_the_error() {
    // Every connection answers its first request and closes at the second one: the retry goes
    // out on a new connection, whose first request is `/final`, and that one gets no answer.
    let server = RawServer::per_connection(|connection| {
        let request = connection.request()?;
        if request.target == "/start" {
            connection.write(KEEP_ALIVE_REDIRECT)?;
            connection.request()?;
        }
        Ok(())
    });
    let run = run_raw(&server, "/start", &[]);
    run.code(6)
        .hops_shown(1)
        .hop_error(2, "connection closed before message completed");
    let targets: Vec<(usize, String)> = requests_by_connection(&server)
        .into_iter()
        .map(|(connection, target, _)| (connection, target))
        .collect();
    assert_eq!(
        targets,
        [
            (1, "GET /start".to_owned()),
            (1, "GET /final".to_owned()),
            (2, "GET /final".to_owned())
        ],
        "one retry, no more\n{run}"
    );
}

#[test]
fn a_new_connection_closed_before_any_answer_is_not_retried() {
    // Nothing shows that the server would answer a second time: a retry would only send the
    // request twice.
    let server = RawServer::start(|_, _| Ok(()));
    let run = run_raw(&server, "/start", &["-d", "x=1"]);
    run.code(6)
        .hops_shown(0)
        .hop_error(1, "connection closed before message completed");
    assert_eq!(server.targets(), ["POST /start"], "{run}");
}

#[test]
fn a_connection_that_breaks_mid_answer_is_not_retried() {
    // The reused connection sends part of the head and closes: an answer began, so the request
    // may have been acted on.
    let server = RawServer::per_connection(|connection| {
        let request = connection.request()?;
        if request.target == "/start" {
            connection.write(KEEP_ALIVE_REDIRECT)?;
            connection.request()?;
            return connection.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nonly");
        }
        connection.write(FINAL_OK)
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("body");
    let run = run_raw(&server, "/start", &["-o", file.to_str().unwrap()]);
    run.code(6)
        .hops_shown(2)
        .hop_error(2, "reading the response body");
    assert_eq!(
        server.targets(),
        ["GET /start", "GET /final"],
        "not sent again\n{run}"
    );
}

// ---------------------------------------------------------------------------------------------
// Large response heads.

/// A 200 with `fields` (each ending in CRLF) and no body.
fn head_with(fields: &str) -> Vec<u8> {
    format!("HTTP/1.1 200 OK\r\n{fields}Content-Length: 0\r\n\r\n").into_bytes()
}

#[test]
fn a_thousand_header_fields_and_a_large_head_are_read() {
    let cookies: String = (0..1000)
        .map(|i| format!("Set-Cookie: c{i}=v; Path=/\r\n"))
        .collect();
    let server = RawServer::start(send(head_with(&cookies)));
    run_raw(&server, "/start", &[])
        .code(0)
        .quiet_stderr()
        .hops_shown(1)
        .stdout_has("Set-Cookie: c0=****; Path=/  (stored)")
        .stdout_has("Set-Cookie: c999=****; Path=/  (stored)");

    // 300 KiB of head: more than Chromium's 256 KiB, which browsers read.
    let big = format!("X-Big: {}\r\n", "a".repeat(300 * 1024));
    let server = RawServer::start(send(head_with(&big)));
    run_raw(&server, "/start", &[])
        .code(0)
        .quiet_stderr()
        .hops_shown(1);
}

#[test]
fn a_head_over_the_limits_names_them() {
    let huge = format!("X-Big: {}\r\n", "a".repeat(1 << 20));
    let many: String = (0..20_000).map(|i| format!("X-{i}: v\r\n")).collect();
    for (what, fields) in [("1 MiB field", huge), ("20,000 fields", many)] {
        let server = RawServer::start(send(head_with(&fields)));
        let run = run_raw(&server, "/start", &[]);
        run.code(6).hops_shown(0).hop_error(
            1,
            "invalid HTTP response: response head over 408 KiB or 10,000 header fields, the \
             most hops reads",
        );
        assert!(
            !run.stderr.contains("message head is too large"),
            "{what}\n{run}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The start of an HTML body, read to look for a meta refresh: never a hang, never an error.

/// The head of a final HTML page of 100,000 bytes, of which the test sends what it likes.
const HTML_HEAD: &[u8] =
    b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n\r\n";

const HTML_START: &[u8] = b"<html><meta http-equiv=\"refresh\" content=\"5; url=/next\">";

#[test]
fn an_html_body_that_trickles_is_searched_as_far_as_it_came() {
    // A byte at a time, for ever: the first 64 KiB would take hours.
    let server = RawServer::start(|_, stream| {
        stream.write_all(HTML_HEAD)?;
        stream.write_all(HTML_START)?;
        loop {
            stream.write_all(b" ")?;
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
    });
    let run = run_raw(&server, "/page", &["--format", "json"]);
    run.code(0).quiet_stderr();
    let doc: Document = serde_json::from_str(run.stdout.trim_end()).expect("a JSON document");
    assert_eq!(doc.outcome, Outcome::Ok, "{run}");
    let hop = &doc.hops[0];
    let warning = hop
        .warnings
        .iter()
        .find(|warning| warning.code == "html_not_read")
        .unwrap_or_else(|| panic!("no html_not_read warning\n{run}"));
    assert!(
        warning
            .message
            .starts_with("the HTML body was searched for a meta refresh only in the ")
            && warning
                .message
                .ends_with(" bytes that came: it did not come within 2 s"),
        "{run}"
    );
    // What came was searched: the meta refresh is in it.
    let refresh = hop.refresh.as_ref().expect("the meta refresh that came");
    assert_eq!(refresh.url, server.url("/next"), "{run}");
}

#[test]
fn an_html_body_that_breaks_off_is_a_warning_unless_it_is_written() {
    let server = RawServer::start(|_, stream| {
        stream.write_all(HTML_HEAD)?;
        stream.write_all(HTML_START)
    });
    run_raw(&server, "/page", &[])
        .code(0)
        .quiet_stderr()
        .stdout_has(&format!(
            "! warning: the HTML body was searched for a meta refresh only in the {} bytes that \
             came: reading the response body: ",
            HTML_START.len()
        ))
        .stdout_has("<meta refresh>: 5; url=/next");

    // With -o the body is what was asked for, and it broke off: the error it is as text/plain,
    // after writing what came.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("body");
    run_raw(&server, "/page", &["-o", file.to_str().unwrap()])
        .code(6)
        .hops_shown(1)
        .stdout_has("! warning: the HTML body was searched for a meta refresh only")
        .hop_error(1, "reading the response body");
    assert_eq!(std::fs::read(&file).unwrap(), HTML_START);
}

#[test]
fn an_html_body_that_stalls_is_still_written_until_max_time() {
    let server = RawServer::start(|_, stream| {
        stream.write_all(HTML_HEAD)?;
        stream.write_all(HTML_START)?;
        wait_for_client(stream)
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("body");
    // The start of the body stops at 2 s (or at -m, whichever ends first); writing it goes on
    // until -m.
    run_raw(&server, "/page", &["-m", "3", "-o", file.to_str().unwrap()])
        .code(6)
        .hops_shown(1)
        .stdout_has("! warning: the HTML body was searched for a meta refresh only")
        .hop_error(1, "timed out: the run took longer than --max-time 3s");
    assert_eq!(std::fs::read(&file).unwrap(), HTML_START);
}

// ---------------------------------------------------------------------------------------------
// Connections that never come up.

#[test]
fn a_stalled_tls_handshake_stops_at_the_connect_timeout() {
    // The server accepts and never sends its ServerHello.
    let server = RawServer::per_connection(|connection| connection.wait_for_close());
    let url = format!("https://127.0.0.1:{}/", server.port());
    let run = hops([
        "--color",
        "never",
        "--connect-timeout",
        "1",
        "--format",
        "json",
        url.as_str(),
    ]);
    run.code(6).hop_error(
        1,
        "cannot connect: no TCP/TLS connection within 1 s (--connect-timeout)",
    );
    let doc: Document = serde_json::from_str(run.stdout.trim_end()).expect("a JSON document");
    let error = doc.error.expect("the error");
    assert_eq!(error.kind, ErrorKind::Timeout, "{run}");
}
