//! The scenario server's tests: keep-alive, TLS listeners and their leafs, the fallback and
//! the request hook, the blocking wrapper.

use super::*;
use crate::ca::{LeafKind, WRONG_NAME};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName};
use rustls::{CertificateError, ClientConfig, RootCertStore};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

pub(super) async fn read_response<S: AsyncRead + Unpin>(stream: &mut S) -> String {
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

    assert_eq!(
        server.connections(),
        1,
        "both requests came on one connection"
    );
    server.clear_received();
    assert!(server.received().is_empty());
}

pub(super) fn tls_client_config(ca_pem: &str) -> ClientConfig {
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
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
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
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
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
async fn self_signed_leafs_are_presented_alone_and_are_their_own_ca_file() {
    let start = |leaf| {
        ScenarioServer::start_with(
            Vec::new(),
            TlsOptions {
                leaf,
                ..TlsOptions::default()
            },
        )
    };
    let server = start(LeafKind::SelfSigned).await.unwrap();
    let stream = tls_connect(&server, "shop.test").await.unwrap();
    let presented = stream.get_ref().1.peer_certificates().unwrap().to_vec();
    let own = CertificateDer::from_pem_slice(server.ca_pem().as_bytes()).unwrap();
    assert_eq!(presented, [own]);

    // Trusting a CA certificate as a server's own is not webpki's rule: the client hops
    // builds has to add it.
    let server = start(LeafKind::SelfSignedCa).await.unwrap();
    let error = tls_connect(&server, "shop.test").await.unwrap_err();
    assert!(
        matches!(certificate_error(&error), Some(CertificateError::Other(_))),
        "{error}"
    );
    assert!(error.to_string().contains("CaUsedAsEndEntity"), "{error}");
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

#[tokio::test]
async fn fallback_answers_unrouted_requests_and_the_hook_sees_every_one() {
    type Seen = Vec<(String, u16, Option<String>, u64)>;
    let seen: Arc<Mutex<Seen>> = Arc::default();
    let hook_seen = Arc::clone(&seen);
    let options = ServeOptions {
        record: false,
        on_request: Some(Arc::new(move |exchange: &Exchange<'_>| {
            lock_log_of(&hook_seen).push((
                exchange.received.path.clone(),
                exchange.status,
                exchange.location.clone(),
                exchange.connection,
            ));
        })),
        fallback: Some(Arc::new(
            |request: &Received, placeholders: &Placeholders| {
                (request.path == "/fallback").then(|| {
                    let mut response = text_response(StatusCode::FOUND, "");
                    let location = placeholders.expand("{shop}/routed");
                    response
                        .headers_mut()
                        .insert(hyper::header::LOCATION, location.parse().unwrap());
                    response
                })
            },
        )),
        ..ServeOptions::default()
    };
    let routes = vec![Route::new("/routed", 204)];
    let server = ScenarioServer::start_serving(routes, TlsOptions::default(), options)
        .await
        .unwrap();
    let port = server.port();
    let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port))
        .await
        .unwrap();
    for path in ["/routed", "/fallback"] {
        let request = format!("GET {path} HTTP/1.1\r\nHost: a.test\r\n\r\n");
        stream.write_all(request.as_bytes()).await.unwrap();
        read_response(&mut stream).await;
    }
    // A second connection gets the next number.
    let mut other = TcpStream::connect((Ipv4Addr::LOCALHOST, port))
        .await
        .unwrap();
    let request = "GET /missing HTTP/1.1\r\nHost: a.test\r\n\r\n";
    other.write_all(request.as_bytes()).await.unwrap();
    read_response(&mut other).await;
    let location = format!("http://shop.test:{port}/routed");
    assert_eq!(
        *lock_log_of(&seen),
        [
            ("/routed".to_owned(), 204, None, 1),
            ("/fallback".to_owned(), 302, Some(location), 1),
            ("/missing".to_owned(), 404, None, 2),
        ]
    );
    assert!(server.received().is_empty(), "record: false keeps nothing");
}

fn lock_log_of<T>(log: &Mutex<T>) -> MutexGuard<'_, T> {
    log.lock().unwrap_or_else(PoisonError::into_inner)
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
    let client_ip = stream.local_addr().unwrap().ip();
    assert_eq!(server.received()[0].peer_ip, Some(client_ip));
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
