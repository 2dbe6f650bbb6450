//! Client certificates (mTLS): `--cert` and `--key` against a TLS server made here that asks
//! for one, with a test CA made with rcgen; each hop says whether the server asked and whether
//! a certificate was sent.

use std::io::{BufRead, BufReader, Write};
use std::net::{Ipv4Addr, TcpListener};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::thread;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::WebPkiClientVerifier;

use crate::support::schema::Document;
use crate::support::{hops, write_file};

/// The files of a test PKI: one CA that signs the server's certificate and the client's.
struct Pki {
    ca: PathBuf,
    client_cert: PathBuf,
    client_key: PathBuf,
    /// The client's certificate and key in one file, as curl's `--cert` takes them.
    client_both: PathBuf,
    ca_der: CertificateDer<'static>,
    server_chain: Vec<CertificateDer<'static>>,
    server_key: PrivatePkcs8KeyDer<'static>,
}

fn pki(dir: &Path) -> Pki {
    let ca_key = KeyPair::generate().unwrap();
    let mut ca = CertificateParams::new(Vec::new()).unwrap();
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "mTLS Test CA");
    ca.key_usages = vec![KeyUsagePurpose::KeyCertSign];
    let ca = CertifiedIssuer::self_signed(ca, ca_key).unwrap();

    let leaf = |name: &str, purpose: ExtendedKeyUsagePurpose| {
        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(vec![name.to_owned()]).unwrap();
        params.distinguished_name.push(DnType::CommonName, name);
        params.extended_key_usages = vec![purpose];
        (params.signed_by(&key, &ca).unwrap(), key)
    };
    let (server, server_key) = leaf("mtls.test", ExtendedKeyUsagePurpose::ServerAuth);
    let (client, client_key) = leaf("client.test", ExtendedKeyUsagePurpose::ClientAuth);
    Pki {
        ca: write_file(dir, "ca.pem", ca.pem().as_bytes()),
        client_cert: write_file(dir, "client.pem", client.pem().as_bytes()),
        client_key: write_file(dir, "client.key", client_key.serialize_pem().as_bytes()),
        client_both: write_file(
            dir,
            "client-and-key.pem",
            format!("{}{}", client.pem(), client_key.serialize_pem()).as_bytes(),
        ),
        ca_der: ca.der().clone(),
        server_chain: vec![server.der().clone(), ca.der().clone()],
        server_key: PrivatePkcs8KeyDer::from(server_key.serialize_der()),
    }
}

/// An https server on 127.0.0.1 that asks every client for a certificate signed by the test
/// CA (and refuses one without it when `required`), and answers whose certificate it got.
fn mtls_server(pki: &Pki, required: bool) -> u16 {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    roots.add(pki.ca_der.clone()).unwrap();
    let verifier = WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider.clone());
    let verifier = if required {
        verifier.build()
    } else {
        verifier.allow_unauthenticated().build()
    }
    .unwrap();
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_client_cert_verifier(verifier)
        .with_single_cert(
            pki.server_chain.clone(),
            PrivateKeyDer::Pkcs8(pki.server_key.clone_key()),
        )
        .unwrap();
    let config = Arc::new(config);
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let config = Arc::clone(&config);
            thread::spawn(move || {
                let connection = rustls::ServerConnection::new(config).unwrap();
                let mut tls = rustls::StreamOwned::new(connection, stream);
                // The request head; a refused handshake ends here, its alert sent.
                let mut reader = BufReader::new(&mut tls);
                let mut line = String::new();
                while reader.read_line(&mut line).is_ok_and(|read| read > 2) {
                    line.clear();
                }
                drop(reader);
                let body = match tls.conn.peer_certificates() {
                    Some(_) => "hello, client.test",
                    None => "hello, stranger",
                };
                let response = format!(
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = tls.write_all(response.as_bytes());
                tls.conn.send_close_notify();
                let _ = tls.flush();
            });
        }
    });
    port
}

/// The `client_certificate` of the only hop of a `--format json` run, and the body it got.
fn client_certificate(pki: &Pki, port: u16, extra: &[&str]) -> (Option<String>, String) {
    let dir = tempfile::tempdir().unwrap();
    let body = dir.path().join("body");
    let resolve = format!("mtls.test:{port}:127.0.0.1");
    let url = format!("https://mtls.test:{port}/");
    let mut args = vec![
        "--format",
        "json",
        "--resolve",
        &resolve,
        "--cacert",
        pki.ca.to_str().unwrap(),
        "-o",
        body.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    args.push(&url);
    let run = hops(args);
    run.code(0);
    // Read through the schema, which holds every field of the documented JSON.
    let doc: Document = serde_json::from_str(run.stdout.trim_end()).expect("one JSON document");
    let tls = doc.hops[0].tls.as_ref().expect("the hop's TLS facts");
    let body = std::fs::read_to_string(&body).unwrap();
    (tls.client_certificate.clone(), body)
}

#[test]
fn a_client_certificate_is_sent_to_a_server_that_asks_and_each_hop_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let pki = pki(dir.path());
    let optional = mtls_server(&pki, false);
    let (cert, key, both) = (
        pki.client_cert.to_str().unwrap(),
        pki.client_key.to_str().unwrap(),
        pki.client_both.to_str().unwrap(),
    );

    let (answer, body) = client_certificate(&pki, optional, &[]);
    assert_eq!(
        (answer.as_deref(), body.as_str()),
        (Some("requested"), "hello, stranger")
    );
    let (answer, body) = client_certificate(&pki, optional, &["--cert", cert, "--key", key]);
    assert_eq!(
        (answer.as_deref(), body.as_str()),
        (Some("sent"), "hello, client.test")
    );
    let (answer, body) = client_certificate(&pki, optional, &["--cert", both]);
    assert_eq!(
        (answer.as_deref(), body.as_str()),
        (Some("sent"), "hello, client.test")
    );

    let required = mtls_server(&pki, true);
    let (answer, _) = client_certificate(&pki, required, &["-E", both]);
    assert_eq!(answer.as_deref(), Some("sent"));
    let resolve = format!("mtls.test:{required}:127.0.0.1");
    let url = format!("https://mtls.test:{required}/");
    let ca = pki.ca.to_str().unwrap();
    hops([
        "--resolve",
        &resolve,
        "--cacert",
        ca,
        "-v",
        "-E",
        both,
        &url,
    ])
    .code(0)
    .stdout_has(", client certificate sent");
    hops(["--resolve", &resolve, "--cacert", ca, &url])
        .code(6)
        .hop_error(
            1,
            "the server asked for a client certificate and none was sent: --cert",
        );
    hops(["--resolve", &resolve, "--cacert", ca, "--cert", cert, &url])
        .usage_error("--cert: the file holds no private key; give it with --key FILE");
    hops([
        "--resolve",
        &resolve,
        "--cacert",
        ca,
        "--cert",
        ca,
        "--key",
        ca,
        &url,
    ])
    .usage_error("--key: not a PEM private key");
}
