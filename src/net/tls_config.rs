//! The rustls configuration hops hands reqwest ([`client_config`]: trust, `--cacert`, ALPN, the
//! observers). The log the observers fill is [`TlsLog`], in `tls_log.rs`.
//!
//! # Why hops builds the rustls configuration itself
//!
//! reqwest reports only the peer's leaf certificate and the TLS version of a connection
//! (`TlsInfo`); the rustls connection that knows the cipher suite and ALPN protocol is sealed
//! inside its connector. So the `ClientConfig` is built here and handed to reqwest whole
//! (`ClientBuilder::tls_backend_preconfigured`, which uses it as given: ALPN included), with
//! three observers that use only rustls's public extension points:
//!
//! - **The certificate verifier** wraps the one reqwest would use, `rustls-platform-verifier`
//!   (the system's roots, or only `--cacert`'s), records the leaf and the verdict, and with `-k`
//!   accepts what it would have refused, so the hop can still say why it is not trusted. It also
//!   trusts a certificate `--cacert` lists when the server presents exactly it (a self-signed
//!   one), as curl does.
//! - **The cipher suites** are ring's, unchanged except for their transcript hash. Every
//!   handshake message goes through the transcript hash exactly as sent (RFC 8446 §4.4.1,
//!   RFC 5246 §7.4.9), so reading the ServerHello and, on TLS 1.3, the EncryptedExtensions there
//!   gives the version, suite and ALPN protocol the server chose, on both TLS versions. The other
//!   hooks fall short: `KeyLog` labels give the version and the hash but cannot tell AES-128-GCM
//!   from ChaCha20; wrapping the AEAD construction gives the suite but not ALPN; rustls's debug
//!   log is not an interface.
//! - **The session store** is asked for a ticket each time a ClientHello is built, right after
//!   the TCP connection is up: that instant splits TCP from TLS time. It never hands a ticket
//!   out, so every new connection makes a full handshake and has its certificate verified and
//!   shown (a resumed session would skip the certificate).
//!
//! These hooks see handshakes, not connections. The requests of a run are sequential, so the
//! handshake in progress belongs to the connection the connector is opening: when the connector
//! has it ([`TlsLog::connection_ready`]), the facts are filed under the connection's local and
//! remote addresses, after checking that the leaf certificate is the one reqwest reports for that
//! connection (a mismatch drops the handshake's facts rather than show another connection's).
//! A response finds its connection's facts by the same addresses, so a hop on a reused
//! connection still shows them, with `new_connection: false`.

use std::sync::{Arc, OnceLock};

use anyhow::{Context as _, Result};
use rustls::ClientConfig;
use rustls::client::{ClientSessionMemoryCache, Resumption};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

use super::tls_log::{HandshakeClock, TlsLog};
use super::transcript::observed_suites;
use super::verifier::{RecordingVerifier, Trust};

/// The client configuration reqwest is given, and the log its observers write to.
///
/// `cacert_pem` replaces the system's roots, as curl's `--cacert` does; `insecure` (`-k`) accepts
/// any certificate but still verifies it, so the hop can say what is wrong with it.
pub fn client_config(
    cacert_pem: Option<&[u8]>,
    insecure: bool,
) -> Result<(ClientConfig, Arc<TlsLog>)> {
    let log = Arc::new(TlsLog::default());
    let ring = rustls::crypto::ring::default_provider();
    let provider = Arc::new(CryptoProvider {
        cipher_suites: observed_suites(&ring.cipher_suites, &log),
        ..ring
    });
    let extra_roots = match cacert_pem {
        Some(pem) => {
            let roots = CertificateDer::pem_slice_iter(pem)
                .collect::<Result<Vec<_>, _>>()
                .ok()
                .filter(|roots| !roots.is_empty());
            roots.context("--cacert: not a PEM certificate file")?
        }
        None => Vec::new(),
    };
    let listed = extra_roots.clone();
    let trusted = if extra_roots.is_empty() {
        Trust::System {
            provider: Arc::clone(&provider),
            verifier: OnceLock::new(),
        }
    } else {
        let mut roots = rustls::RootCertStore::empty();
        for root in extra_roots {
            roots
                .add(root)
                .context("--cacert: not a usable CA certificate")?;
        }
        let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
            Arc::new(roots),
            Arc::clone(&provider),
        )
        .build()
        .context("--cacert: not a usable CA certificate")?;
        Trust::Only(verifier)
    };
    let verifier = Arc::new(RecordingVerifier {
        trusted,
        listed,
        insecure,
        algorithms: provider.signature_verification_algorithms,
        log: Arc::clone(&log),
    });
    let mut config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .context("cannot set up TLS")?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    // What reqwest offers by default with HTTP/2 enabled; hyper speaks whichever is chosen.
    // `build` sets it again for --http1.1 and --http2-prior-knowledge.
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    config.resumption = Resumption::store(Arc::new(HandshakeClock {
        kx_hints: ClientSessionMemoryCache::new(64),
        log: Arc::clone(&log),
    }));
    Ok((config, log))
}

#[cfg(test)]
mod tests {
    use super::super::tests::{at, info};
    use super::super::tls_log::{
        ConnectionTls, Handshake, lock, suite_name, version_name, warnings,
    };
    use super::super::tls_wording::certificate_problem;
    use super::*;
    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose,
        IsCa, KeyPair, KeyUsagePurpose,
    };
    use rustls::pki_types::ServerName;
    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    use rustls::{ClientConnection, Connection, ServerConfig, ServerConnection};
    use time::OffsetDateTime;

    #[test]
    fn warnings_for_an_expiring_or_unverified_certificate() {
        let now = at(1_000_000_000);
        let connection = |not_after: OffsetDateTime, problem: Option<&str>| ConnectionTls {
            version: Some("TLSv1.3"),
            cipher: None,
            alpn: None,
            certificate: Some(info(&["shop.test"], not_after)),
            problem: problem.map(str::to_owned),
            client_certificate: None,
        };
        let codes = |connection: &ConnectionTls| -> Vec<&'static str> {
            warnings(connection, now)
                .iter()
                .map(|w| w.code.as_str())
                .collect()
        };
        let soon = connection(at(1_000_000_000 + 3 * 86_400), None);
        assert_eq!(codes(&soon), ["certificate_expires_soon"]);
        assert_eq!(
            warnings(&soon, now)[0].message,
            "the certificate expires in 3 days (2001-09-12 01:46:40 UTC): browsers will refuse it then"
        );
        assert!(codes(&connection(at(1_000_000_000 + 15 * 86_400), None)).is_empty());
        assert_eq!(
            codes(&connection(at(1), Some("the certificate has expired"))),
            ["certificate_not_verified"]
        );
    }

    // -----------------------------------------------------------------------------------------
    // Real handshakes, in memory, through the configuration hops gives reqwest.

    struct Pki {
        ca_pem: String,
        chain: Vec<CertificateDer<'static>>,
        key: PrivatePkcs8KeyDer<'static>,
    }

    fn pki(names: &[&str], expired: bool) -> Pki {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca = CertificateParams::new(Vec::new()).unwrap();
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "Unit Test CA");
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign];
        let ca = CertifiedIssuer::self_signed(ca, ca_key).unwrap();
        let key = KeyPair::generate().unwrap();
        let mut leaf =
            CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
                .unwrap();
        leaf.distinguished_name.push(DnType::CommonName, names[0]);
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        if expired {
            let now = OffsetDateTime::now_utc();
            leaf.not_before = now - time::Duration::days(10);
            leaf.not_after = now - time::Duration::days(2);
        }
        let leaf = leaf.signed_by(&key, &ca).unwrap();
        Pki {
            ca_pem: ca.pem(),
            chain: vec![leaf.der().clone(), ca.der().clone()],
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        }
    }

    /// A certificate signed by its own key for `names` (none: only the common name), a CA or
    /// not, expired or not; `ca_pem` is the certificate itself.
    fn self_signed(common_name: &str, names: &[&str], ca: bool, expired: bool) -> Pki {
        let key = KeyPair::generate().unwrap();
        let mut params =
            CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>())
                .unwrap();
        params
            .distinguished_name
            .push(DnType::CommonName, common_name);
        params.is_ca = if ca {
            IsCa::Ca(BasicConstraints::Unconstrained)
        } else {
            IsCa::ExplicitNoCa
        };
        if expired {
            let now = OffsetDateTime::now_utc();
            params.not_before = now - time::Duration::days(10);
            params.not_after = now - time::Duration::days(2);
        }
        let certificate = params.self_signed(&key).unwrap();
        Pki {
            ca_pem: certificate.pem(),
            chain: vec![certificate.der().clone()],
            key: PrivatePkcs8KeyDer::from(key.serialize_der()),
        }
    }

    fn server(
        pki: &Pki,
        versions: &[&'static rustls::SupportedProtocolVersion],
        alpn: &[&[u8]],
    ) -> ServerConnection {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(pki.chain.clone(), PrivateKeyDer::Pkcs8(pki.key.clone_key()))
            .unwrap();
        config.alpn_protocols = alpn.iter().map(|p| p.to_vec()).collect();
        ServerConnection::new(Arc::new(config)).unwrap()
    }

    fn transfer(from: &mut Connection, to: &mut Connection) -> Result<(), rustls::Error> {
        let mut bytes = Vec::new();
        while from.wants_write() {
            from.write_tls(&mut bytes).unwrap();
        }
        let mut rest = &bytes[..];
        while !rest.is_empty() {
            to.read_tls(&mut rest).unwrap();
            to.process_new_packets()?;
        }
        Ok(())
    }

    /// Connects to `host` with hops's client configuration; the log holds the handshake after.
    fn handshake(
        pki: &Pki,
        server: ServerConnection,
        host: &str,
        insecure: bool,
    ) -> (Result<(), rustls::Error>, Arc<TlsLog>) {
        handshake_trusting(&pki.ca_pem, server, host, insecure)
    }

    /// Like [`handshake`], with `--cacert` holding `cacert_pem`.
    fn handshake_trusting(
        cacert_pem: &str,
        server: ServerConnection,
        host: &str,
        insecure: bool,
    ) -> (Result<(), rustls::Error>, Arc<TlsLog>) {
        let (config, log) = client_config(Some(cacert_pem.as_bytes()), insecure).unwrap();
        let name = ServerName::try_from(host.to_owned()).unwrap();
        let mut client = Connection::Client(ClientConnection::new(Arc::new(config), name).unwrap());
        let mut server = Connection::Server(server);
        let mut result = Ok(());
        for _ in 0..10 {
            result = transfer(&mut client, &mut server)
                .and_then(|()| transfer(&mut server, &mut client));
            if result.is_err() || !client.is_handshaking() && !server.is_handshaking() {
                break;
            }
        }
        (result, log)
    }

    fn logged<T>(log: &TlsLog, read: impl FnOnce(&Handshake) -> T) -> T {
        read(
            lock(&log.handshake)
                .as_ref()
                .expect("a handshake was logged"),
        )
    }

    #[test]
    fn tls13_handshake_is_observed() {
        let pki = pki(&["shop.test", "127.0.0.1"], false);
        let (result, log) = handshake(
            &pki,
            server(&pki, &[&rustls::version::TLS13], &[b"http/1.1"]),
            "shop.test",
            false,
        );
        result.unwrap();
        let negotiated = logged(&log, |h| h.negotiated.clone());
        assert_eq!(negotiated.version.and_then(version_name), Some("TLSv1.3"));
        let suite = suite_name(negotiated.suite.unwrap());
        assert!(suite.starts_with("TLS13_"), "{suite}");
        assert_eq!(negotiated.alpn.as_deref(), Some(&b"http/1.1"[..]));
        assert!(negotiated.complete);
        let (started, leaf, certificate, problem) = logged(&log, |h| {
            (
                h.started,
                h.leaf.clone(),
                h.certificate.clone(),
                h.problem.clone(),
            )
        });
        assert!(started.is_some());
        assert_eq!(leaf.as_deref(), Some(pki.chain[0].as_ref()));
        let certificate = certificate.unwrap();
        assert_eq!(certificate.subject, "CN=shop.test");
        assert_eq!(certificate.issuer, "CN=Unit Test CA");
        assert_eq!(certificate.names, ["shop.test", "127.0.0.1"]);
        assert_eq!(problem, None);
        assert_eq!(log.take_rejected(), None);
    }

    #[test]
    fn tls12_handshake_is_observed_with_or_without_alpn() {
        let pki = pki(&["shop.test"], false);
        for (alpn, expected) in [(&[&b"h2"[..]][..], Some(&b"h2"[..])), (&[][..], None)] {
            let (result, log) = handshake(
                &pki,
                server(&pki, &[&rustls::version::TLS12], alpn),
                "shop.test",
                false,
            );
            result.unwrap();
            let negotiated = logged(&log, |h| h.negotiated.clone());
            assert_eq!(negotiated.version.and_then(version_name), Some("TLSv1.2"));
            let suite = suite_name(negotiated.suite.unwrap());
            assert!(suite.starts_with("TLS_ECDHE_ECDSA_WITH_"), "{suite}");
            assert_eq!(negotiated.alpn.as_deref(), expected);
            assert!(negotiated.complete);
        }
    }

    #[test]
    fn a_refused_certificate_is_kept_for_the_error_and_accepted_with_insecure() {
        let pki = pki(&["shop.test"], true);
        let (result, log) = handshake(
            &pki,
            server(&pki, &[&rustls::version::TLS13], &[b"http/1.1"]),
            "shop.test",
            false,
        );
        let error = result.unwrap_err();
        let rejected = log.take_rejected().expect("the refused certificate");
        assert_eq!(rejected.subject, "CN=shop.test");
        let text = certificate_problem(&error, Some(&rejected)).unwrap();
        assert!(
            text.starts_with("the certificate has expired: it was valid until "),
            "{text}"
        );
        assert!(text.ends_with("(2 days ago)"), "{text}");

        let (result, log) = handshake(
            &pki,
            server(&pki, &[&rustls::version::TLS13], &[b"http/1.1"]),
            "shop.test",
            true,
        );
        result.unwrap();
        assert_eq!(log.take_rejected(), None);
        let problem = logged(&log, |h| h.problem.clone()).unwrap();
        assert!(
            problem.starts_with("the certificate has expired"),
            "{problem}"
        );
        assert!(logged(&log, |h| h.negotiated.complete));
    }

    #[test]
    fn a_certificate_for_another_name_is_refused_even_when_trusted() {
        let pki = pki(&["other.test"], false);
        let (result, log) = handshake(
            &pki,
            server(&pki, &[&rustls::version::TLS13], &[]),
            "shop.test",
            false,
        );
        let error = result.unwrap_err();
        let text = certificate_problem(&error, log.take_rejected().as_ref()).unwrap();
        assert_eq!(
            text,
            "the certificate is not valid for shop.test: it is for other.test"
        );
    }

    /// The handshake with `pki`'s server as `host`, trusting `cacert_pem`, and the words for its
    /// failure (`None` when it succeeded).
    fn refusal(pki: &Pki, cacert_pem: &str, host: &str) -> Option<String> {
        let (result, log) = handshake_trusting(
            cacert_pem,
            server(pki, &[&rustls::version::TLS13], &[]),
            host,
            false,
        );
        let rejected = log.take_rejected();
        result
            .err()
            .map(|error| super::super::tls_wording::tls_problem(&error, rejected.as_ref()))
    }

    #[test]
    fn a_self_signed_certificate_listed_in_cacert_is_trusted_ca_or_not() {
        for ca in [true, false] {
            let own = self_signed("shop.test", &["shop.test"], ca, false);
            assert_eq!(refusal(&own, &own.ca_pem, "shop.test"), None, "CA {ca}");
            // Listed among others, as in a bundle.
            let bundle = format!("{}{}", pki(&["x.test"], false).ca_pem, own.ca_pem);
            assert_eq!(refusal(&own, &bundle, "shop.test"), None, "CA {ca}");
        }
    }

    #[test]
    fn a_listed_self_signed_certificate_still_has_its_dates_and_name_checked() {
        let expired = self_signed("shop.test", &["shop.test"], true, true);
        let text = refusal(&expired, &expired.ca_pem, "shop.test").unwrap();
        assert!(
            text.starts_with("the certificate has expired: it was valid until "),
            "{text}"
        );
        assert!(text.ends_with("(2 days ago)"), "{text}");

        let other = self_signed("other.test", &["other.test"], true, false);
        assert_eq!(
            refusal(&other, &other.ca_pem, "shop.test").as_deref(),
            Some("the certificate is not valid for shop.test: it is for other.test")
        );
    }

    #[test]
    fn a_listed_certificate_without_subject_alt_names_is_matched_by_common_name() {
        let bare = self_signed("shop.test", &[], true, false);
        assert_eq!(refusal(&bare, &bare.ca_pem, "shop.test"), None);
        assert_eq!(refusal(&bare, &bare.ca_pem, "SHOP.test"), None);
        assert_eq!(
            refusal(&bare, &bare.ca_pem, "other.test").as_deref(),
            Some("the certificate is not valid for other.test: it names no host")
        );
    }

    #[test]
    fn an_untrusted_self_signed_certificate_is_called_self_signed() {
        for ca in [true, false] {
            let own = self_signed("shop.test", &["shop.test"], ca, false);
            let elsewhere = pki(&["x.test"], false).ca_pem;
            assert_eq!(
                refusal(&own, &elsewhere, "shop.test").as_deref(),
                Some(
                    "self-signed certificate (CN=shop.test); pass it with --cacert FILE, or -k \
                     to skip verification"
                ),
                "CA {ca}"
            );
            let (result, log) = handshake_trusting(
                &elsewhere,
                server(&own, &[&rustls::version::TLS13], &[]),
                "shop.test",
                true,
            );
            result.unwrap();
            let problem = logged(&log, |h| h.problem.clone()).unwrap();
            assert!(
                problem.starts_with("self-signed certificate (CN=shop.test)"),
                "{problem}"
            );
        }
    }

    #[test]
    fn cacert_must_hold_a_certificate() {
        let error = client_config(Some(b"not a certificate"), false).unwrap_err();
        assert_eq!(error.to_string(), "--cacert: not a PEM certificate file");
    }
}
