//! The server's limits: connections closed when a client stays silent, request bodies refused
//! from their declared length, invalid knobs and statuses answered with an explanation.

use super::tests::{read_response, tls_client_config};
use super::*;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

/// An idle timeout short enough that tests need not wait the default 30 seconds, long enough
/// that a test's own next step never comes after it on a busy machine.
const SHORT: Duration = Duration::from_millis(500);

/// A server whose connections are closed after [`SHORT`] idle time.
async fn impatient_server() -> ScenarioServer {
    let options = ServeOptions {
        idle_timeout: SHORT,
        knobs: true,
        ..ServeOptions::default()
    };
    ScenarioServer::start_serving(vec![Route::new("/ok", 204)], TlsOptions::default(), options)
        .await
        .unwrap()
}

/// Reads until the server closes the connection and returns what it sent. A server that never
/// closes fails the test after a generous wait, rather than hanging it.
async fn until_closed<S: AsyncRead + Unpin>(stream: &mut S) -> String {
    let mut sent = Vec::new();
    let mut chunk = [0u8; 1024];
    loop {
        let read = tokio::time::timeout(Duration::from_secs(20), stream.read(&mut chunk))
            .await
            .expect("the server kept the connection open");
        match read {
            Ok(0) | Err(_) => return String::from_utf8_lossy(&sent).into_owned(),
            Ok(read) => sent.extend_from_slice(&chunk[..read]),
        }
    }
}

async fn connect(port: u16) -> TcpStream {
    TcpStream::connect((Ipv4Addr::LOCALHOST, port))
        .await
        .unwrap()
}

#[tokio::test]
async fn silent_and_half_sent_connections_are_closed() {
    let server = impatient_server().await;
    // Not a byte, on either listener: before the sniffing or the TLS handshake is done.
    for port in [server.port(), server.tls_port()] {
        let mut stream = connect(port).await;
        assert_eq!(until_closed(&mut stream).await, "", "port {port}");
    }
    // Half a request header, over plain http and over TLS.
    let mut stream = connect(server.port()).await;
    stream
        .write_all(b"GET /ok HTTP/1.1\r\nHost: a.")
        .await
        .unwrap();
    until_closed(&mut stream).await;

    let connector = TlsConnector::from(Arc::new(tls_client_config(server.ca_pem())));
    let name = ServerName::try_from("shop.test").unwrap();
    let tcp = connect(server.tls_port()).await;
    let mut stream = connector.connect(name, tcp).await.unwrap();
    stream
        .write_all(b"GET /ok HTTP/1.1\r\nHost: a.")
        .await
        .unwrap();
    until_closed(&mut stream).await;
    assert!(server.received().is_empty());
}

/// HTTP/2 has no header timeout and pings start only after the client's preface: a client that
/// negotiates h2 and then says nothing is closed too.
#[tokio::test]
async fn a_silent_h2_connection_is_closed() {
    let options = ServeOptions {
        idle_timeout: SHORT,
        ..ServeOptions::default()
    };
    let tls = TlsOptions {
        http2: true,
        ..TlsOptions::default()
    };
    let server = ScenarioServer::start_serving(Vec::new(), tls, options)
        .await
        .unwrap();
    let connector = TlsConnector::from(Arc::new(tls_client_config(server.ca_pem())));
    let name = ServerName::try_from("shop.test").unwrap();
    let tcp = connect(server.tls_port()).await;
    let mut stream = connector.connect(name, tcp).await.unwrap();
    assert_eq!(stream.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    // Whatever hyper sends first (its SETTINGS), then the end of the connection.
    until_closed(&mut stream).await;
}

#[tokio::test]
async fn an_idle_keep_alive_connection_is_closed_between_requests() {
    let server = impatient_server().await;
    let mut stream = connect(server.port()).await;
    for _ in 0..2 {
        stream
            .write_all(b"GET /ok HTTP/1.1\r\nHost: a.test\r\n\r\n")
            .await
            .unwrap();
        let response = read_response(&mut stream).await;
        assert!(response.starts_with("HTTP/1.1 204"), "{response}");
    }
    assert_eq!(until_closed(&mut stream).await, "");
    assert_eq!(server.received().len(), 2);
}

/// The limit is on the client's silence, not on the server's: an answer slower than it still
/// comes whole.
#[tokio::test]
async fn a_response_slower_than_the_idle_timeout_is_sent_whole() {
    let server = impatient_server().await;
    let mut stream = connect(server.port()).await;
    let request = "GET /missing?drip=10 HTTP/1.1\r\nHost: a.test\r\n\r\n";
    stream.write_all(request.as_bytes()).await.unwrap();
    let response = read_response(&mut stream).await;
    assert!(response.ends_with("\r\n\r\nno route"), "{response}");
}

#[tokio::test]
async fn a_request_body_that_stops_coming_gets_408_and_a_close() {
    let server = impatient_server().await;
    let mut stream = connect(server.port()).await;
    let request = "POST /ok HTTP/1.1\r\nHost: a.test\r\nContent-Length: 10\r\n\r\nabc";
    stream.write_all(request.as_bytes()).await.unwrap();
    let response = until_closed(&mut stream).await;
    assert!(response.starts_with("HTTP/1.1 408"), "{response}");
    assert!(response.contains("connection: close\r\n"), "{response}");
}

/// A body longer than the cap is refused from its `Content-Length` alone: a client that asks
/// `Expect: 100-continue` first is told 413, not invited to send half a gigabyte.
#[tokio::test]
async fn a_declared_body_over_the_cap_is_refused_before_it_is_sent() {
    // The default idle timeout, so that the connection is closed for the 413.
    let server = ScenarioServer::start(vec![Route::new("/ok", 204)])
        .await
        .unwrap();
    let mut stream = connect(server.port()).await;
    let request = "PUT /ok HTTP/1.1\r\nHost: a.test\r\nExpect: 100-continue\r\n\
                   Content-Length: 500000000\r\n\r\n";
    stream.write_all(request.as_bytes()).await.unwrap();
    let response = read_response(&mut stream).await;
    assert!(response.starts_with("HTTP/1.1 413 "), "{response}");
    assert!(response.contains("connection: close\r\n"), "{response}");
    assert!(
        response.ends_with("\r\n\r\nrequest body too large"),
        "{response}"
    );
    assert_eq!(until_closed(&mut stream).await, "");
    let received = server.received();
    assert_eq!(received[0].method, "PUT");
    assert_eq!(received[0].header("Content-Length"), Some("500000000"));
}

/// A client that sends a body over the cap without asking first gets its 413 once it is done
/// sending: the body is read and dropped, so closing the connection does not reset it before
/// the client has read the answer.
#[tokio::test]
async fn a_body_over_the_cap_sent_whole_is_read_and_answered_413() {
    let server = ScenarioServer::start(vec![Route::new("/ok", 204)])
        .await
        .unwrap();
    let mut stream = connect(server.port()).await;
    // More than the socket buffers on both sides hold, so it cannot all be sent unread.
    let body = vec![b'x'; 12 * MAX_REQUEST_BODY];
    let head = format!(
        "POST /ok HTTP/1.1\r\nHost: a.test\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    // Every byte is taken: a server that stopped reading would leave this write hanging.
    stream.write_all(&body).await.unwrap();
    let response = until_closed(&mut stream).await;
    assert!(response.starts_with("HTTP/1.1 413 "), "{response}");
    assert!(response.contains("connection: close\r\n"), "{response}");
    assert_eq!(server.received()[0].body.len(), 0);
}

#[tokio::test]
async fn invalid_knobs_get_400_saying_what_they_take_and_1xx_answers_become_500() {
    let seen: Arc<Mutex<Vec<(String, u16)>>> = Arc::default();
    let hook_seen = Arc::clone(&seen);
    let options = ServeOptions {
        knobs: true,
        on_request: Some(Arc::new(move |exchange: &Exchange<'_>| {
            let mut seen = hook_seen.lock().unwrap();
            seen.push((exchange.received.path.clone(), exchange.status));
        })),
        fallback: Some(Arc::new(|request: &Received, _: &Placeholders| {
            let switch = request.path.starts_with("/switch");
            switch.then(|| text_response(StatusCode::SWITCHING_PROTOCOLS, ""))
        })),
        ..ServeOptions::default()
    };
    let routes = vec![Route::new("/ok", 204), Route::new("/early", 103)];
    let server = ScenarioServer::start_serving(routes, TlsOptions::default(), options)
        .await
        .unwrap();
    let status = r#"?status= takes a final status code 200-599"#;
    let drip = r#"?drip= takes a whole number of bytes per second, 1 or more"#;
    let delay = r#"?delay= takes a whole number of milliseconds"#;
    let informational = "an informational status, which cannot end an exchange";
    let cases = [
        ("/ok?status=abc", 400, format!(r#"{status}, not "abc""#)),
        ("/ok?status=5O3", 400, format!(r#"{status}, not "5O3""#)),
        ("/ok?status=101", 400, format!(r#"{status}, not "101""#)),
        ("/ok?drip=0", 400, format!(r#"{drip}, not "0""#)),
        ("/ok?drip=abc", 400, format!(r#"{drip}, not "abc""#)),
        ("/ok?delay=abc", 400, format!(r#"{delay}, not "abc""#)),
        ("/ok?status=503", 503, String::new()),
        (
            "/early",
            500,
            format!("this endpoint answers 103, {informational}"),
        ),
        (
            "/switch",
            500,
            format!("this endpoint answers 101, {informational}"),
        ),
        (
            "/switch?status=200",
            500,
            format!("this endpoint answers 101, {informational}"),
        ),
    ];
    // One connection for all: none of these answers may end it.
    let mut stream = connect(server.port()).await;
    for (path, code, body) in &cases {
        let request = format!("GET {path} HTTP/1.1\r\nHost: a.test\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        let response = read_response(&mut stream).await;
        assert!(
            response.starts_with(&format!("HTTP/1.1 {code} ")),
            "{path}: {response}"
        );
        assert!(
            response.ends_with(&format!("\r\n\r\n{body}")),
            "{path}: {response}"
        );
    }
    let expected: Vec<(String, u16)> = cases
        .iter()
        .map(|(path, code, _)| ((*path).to_owned(), *code))
        .collect();
    assert_eq!(
        *seen.lock().unwrap(),
        expected,
        "the log has the status sent"
    );
}

/// Plain http on the https port is told where to go, in plain http, not sent TLS bytes.
#[tokio::test]
async fn plain_http_on_the_https_port_gets_400_naming_the_https_url() {
    let server = ScenarioServer::start(vec![Route::new("/ok", 204)])
        .await
        .unwrap();
    let tls_port = server.tls_port();
    let requests = [
        (
            format!("GET /ok HTTP/1.1\r\nHost: Shop.test:{tls_port}\r\n\r\n"),
            "shop.test",
        ),
        ("GET /ok HTTP/1.0\r\n\r\n".to_owned(), "127.0.0.1"),
    ];
    for (request, host) in requests {
        let mut stream = connect(tls_port).await;
        stream.write_all(request.as_bytes()).await.unwrap();
        // Closed after the answer, with the default idle timeout far away.
        let response = until_closed(&mut stream).await;
        // An HTTP/1.0 request is answered in HTTP/1.0.
        let status = response.lines().next().unwrap_or_default();
        assert!(status.ends_with(" 400 Bad Request"), "{response}");
        assert!(response.contains("connection: close\r\n"), "{response}");
        let body = format!("\r\n\r\nthis port speaks https: use https://{host}:{tls_port}/");
        assert!(response.ends_with(&body), "{response}");
    }
    let received = server.received();
    assert_eq!(received.len(), 2);
    assert!(received.iter().all(|request| request.scheme == "http"));
}
