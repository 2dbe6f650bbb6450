//! Loopback server for `bench/run.sh`: a 50-hop same-host redirect chain, over http or https.
//!
//! `GET /hop/N` answers `302 Found` with `Location: /hop/N+1` for N < 50, and `/hop/50` answers
//! `200 OK` with a short body, so `/hop/1` starts a chain of 50 requests (49 redirects).
//! `GET /stats` answers `connections=C requests=R` (counted since start, `/stats` itself
//! included), which lets the script check that a client reuses one connection for the chain.
//!
//! Usage: `bench_server [--tls --cert-out PATH]`. It binds 127.0.0.1 on a free port, prints the
//! port alone on the first stdout line once it is ready, and serves until killed. With `--tls` it
//! generates a throwaway CA and a certificate for `localhost` and `127.0.0.1` signed by it, and
//! writes the CA certificate (PEM) to PATH before printing the port, for `--cacert PATH`.
//!
//! Responses are built without any per-request work beyond parsing N: the point is to time the
//! clients, not the server. Connections are kept alive (HTTP/1.1 only).

use std::convert::Infallible;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::{Context, Result, bail};
use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, LOCATION};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// The last hop: `/hop/LAST` is the final `200 OK`.
const LAST: u32 = 50;
const FINAL_BODY: &str = "hop 50: the end of the chain\n";

#[derive(Default)]
struct Counters {
    connections: AtomicU64,
    requests: AtomicU64,
}

struct Options {
    tls: bool,
    cert_out: Option<PathBuf>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<()> {
    let options = parse_args()?;
    // Validated: a CA path is given exactly when serving https.
    let acceptor = options.cert_out.as_deref().map(tls_acceptor).transpose()?;
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .context("cannot bind 127.0.0.1:0")?;
    let port = listener.local_addr()?.port();
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{port}")?;
    stdout.flush()?;
    drop(stdout);

    let counters = Arc::new(Counters::default());
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(accepted) => accepted,
            // Transient (e.g. out of file descriptors): wait a little instead of spinning.
            Err(_) => {
                tokio::time::sleep(std::time::Duration::from_millis(10)).await;
                continue;
            }
        };
        counters.connections.fetch_add(1, Ordering::Relaxed);
        let _ = stream.set_nodelay(true);
        let counters = Arc::clone(&counters);
        let acceptor = acceptor.clone();
        tokio::spawn(async move {
            match acceptor {
                None => serve(stream, counters).await,
                Some(acceptor) => {
                    if let Ok(stream) = acceptor.accept(stream).await {
                        serve(stream, counters).await;
                    }
                }
            }
        });
    }
}

fn parse_args() -> Result<Options> {
    let mut options = Options {
        tls: false,
        cert_out: None,
    };
    let mut args = std::env::args_os().skip(1);
    while let Some(arg) = args.next() {
        match arg.to_str() {
            Some("--tls") => options.tls = true,
            Some("--cert-out") => {
                let path = args.next().context("--cert-out needs a PATH")?;
                options.cert_out = Some(PathBuf::from(path));
            }
            _ => bail!("usage: bench_server [--tls --cert-out PATH] (got {arg:?})"),
        }
    }
    if options.tls != options.cert_out.is_some() {
        bail!("--tls and --cert-out PATH go together: clients need the CA to trust the server");
    }
    Ok(options)
}

/// A fresh CA, a server certificate for `localhost` and `127.0.0.1` signed by it, and the CA
/// written to `ca_out` as PEM.
fn tls_acceptor(ca_out: &Path) -> Result<TlsAcceptor> {
    let ca_key = rcgen::KeyPair::generate()?;
    let mut ca_params = rcgen::CertificateParams::new(Vec::new())?;
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "hops bench CA");
    ca_params.key_usages = vec![
        rcgen::KeyUsagePurpose::KeyCertSign,
        rcgen::KeyUsagePurpose::CrlSign,
    ];
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key)?;

    let server_key = rcgen::KeyPair::generate()?;
    let mut server_params =
        rcgen::CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])?;
    server_params
        .distinguished_name
        .push(rcgen::DnType::CommonName, "localhost");
    server_params.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let server_cert = server_params.signed_by(&server_key, &ca)?;

    std::fs::write(ca_out, ca.pem())
        .with_context(|| format!("cannot write {}", ca_out.display()))?;

    let chain = vec![server_cert.der().clone(), ca.der().clone()];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der()));
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_no_client_auth()
        .with_single_cert(chain, key)?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(TlsAcceptor::from(Arc::new(config)))
}

async fn serve<S>(stream: S, counters: Arc<Counters>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let service = service_fn(move |request: Request<Incoming>| {
        counters.requests.fetch_add(1, Ordering::Relaxed);
        let response = respond(request.uri().path(), &counters);
        async move { Ok::<_, Infallible>(response) }
    });
    // Errors are clients hanging up mid-request; nothing to do about them here.
    let _ = http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

fn respond(path: &str, counters: &Counters) -> Response<Full<Bytes>> {
    if path == "/stats" {
        let stats = format!(
            "connections={} requests={}\n",
            counters.connections.load(Ordering::Relaxed),
            counters.requests.load(Ordering::Relaxed)
        );
        return text_response(StatusCode::OK, stats.into());
    }
    match path.strip_prefix("/hop/").map(str::parse::<u32>) {
        Some(Ok(n)) if n < LAST => {
            let mut response = Response::new(Full::new(Bytes::new()));
            *response.status_mut() = StatusCode::FOUND;
            let location = format!("/hop/{}", n + 1);
            response.headers_mut().insert(
                LOCATION,
                location.parse().expect("a path is a valid header value"),
            );
            response
        }
        Some(Ok(LAST)) => text_response(StatusCode::OK, Bytes::from_static(FINAL_BODY.as_bytes())),
        _ => text_response(StatusCode::NOT_FOUND, Bytes::from_static(b"no such hop\n")),
    }
}

fn text_response(status: StatusCode, body: Bytes) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(body));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}
