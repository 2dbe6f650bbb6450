//! TLS for the client, and what each https hop learns from it: the negotiated version, cipher
//! suite and ALPN protocol, the server's certificate (subject, issuer, names, validity), how long
//! the handshake took, and in words why a certificate was refused.
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
//!   (the system's roots, plus `--cacert`), records the leaf and the verdict, and with `-k`
//!   accepts what it would have refused, so the hop can still say why it is not trusted.
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

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use hyper::http::Extensions;
use hyper_util::client::legacy::connect::HttpInfo;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::{ClientSessionMemoryCache, ClientSessionStore, Resumption};
use rustls::crypto::hash::{Context as HashContext, Hash, HashAlgorithm, Output};
use rustls::crypto::{CipherSuiteCommon, CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, NamedGroup, SignatureScheme,
    SupportedCipherSuite, Tls12CipherSuite, Tls13CipherSuite,
};
use time::OffsetDateTime;

use crate::model::{CertificateInfo, TlsRecord, Warning, WarningCode};

/// A certificate that expires within this many days gets a warning on every hop that uses it.
pub const EXPIRY_WARNING_DAYS: i64 = 14;

/// A connection, named by its local and remote address.
pub type ConnectionKey = (SocketAddr, SocketAddr);

/// The connection a response or a new connection's extras belong to.
pub fn connection_key(extensions: &Extensions) -> Option<ConnectionKey> {
    extensions
        .get::<HttpInfo>()
        .map(|info| (info.local_addr(), info.remote_addr()))
}

impl CertificateInfo {
    /// Reads a DER certificate; `None` if it is not one.
    pub fn from_der(der: &[u8]) -> Option<CertificateInfo> {
        use x509_parser::extensions::GeneralName;
        let (_, certificate) = x509_parser::parse_x509_certificate(der).ok()?;
        let names = match certificate.subject_alternative_name() {
            Ok(Some(san)) => san
                .value
                .general_names
                .iter()
                .filter_map(|name| match name {
                    GeneralName::DNSName(name) => Some((*name).to_owned()),
                    GeneralName::IPAddress(bytes) => ip_address(bytes).map(|ip| ip.to_string()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let validity = certificate.validity();
        Some(CertificateInfo {
            subject: certificate.subject().to_string(),
            issuer: certificate.issuer().to_string(),
            names,
            not_before: validity.not_before.to_datetime(),
            not_after: validity.not_after.to_datetime(),
        })
    }
}

fn ip_address(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(IpAddr::from),
        _ => None,
    }
}

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
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    config.resumption = Resumption::store(Arc::new(HandshakeClock {
        kx_hints: ClientSessionMemoryCache::new(64),
        log: Arc::clone(&log),
    }));
    Ok((config, log))
}

/// What the TLS layer of one client learned: the handshake in progress, the facts of every
/// connection made, and the certificate of the last refused handshake.
#[derive(Debug, Default)]
pub struct TlsLog {
    handshake: Mutex<Option<Handshake>>,
    connections: Mutex<HashMap<ConnectionKey, Arc<ConnectionTls>>>,
    rejected: Mutex<Option<CertificateInfo>>,
}

/// One handshake, as the observers saw it.
#[derive(Debug, Default)]
struct Handshake {
    /// When the ClientHello was built.
    started: Option<Instant>,
    negotiated: Negotiated,
    /// The leaf certificate as received.
    leaf: Option<Vec<u8>>,
    certificate: Option<CertificateInfo>,
    /// Why the certificate would be refused (it was accepted anyway with `-k`).
    problem: Option<String>,
}

/// The facts kept for one connection.
#[derive(Debug)]
struct ConnectionTls {
    version: Option<&'static str>,
    cipher: Option<String>,
    alpn: Option<String>,
    certificate: Option<CertificateInfo>,
    problem: Option<String>,
}

/// A poisoned lock only means an observer panicked; what it logged is still good.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl TlsLog {
    fn handshake_started(&self) {
        *lock(&self.handshake) = Some(Handshake {
            started: Some(Instant::now()),
            ..Handshake::default()
        });
    }

    fn update_handshake(&self, update: impl FnOnce(&mut Handshake)) {
        update(lock(&self.handshake).get_or_insert_with(Handshake::default));
    }

    /// Files the handshake just made under the new connection whose extras (hyper-util's
    /// `Connected` extras) are given; returns how long the handshake took. Nothing happens for a
    /// connection without TLS.
    pub fn connection_ready(&self, extras: &Extensions, negotiated_h2: bool) -> Option<Duration> {
        let key = connection_key(extras)?;
        let info = extras.get::<reqwest::tls::TlsInfo>()?;
        let leaf = info.peer_certificate();
        let handshake = lock(&self.handshake)
            .take()
            .filter(|handshake| leaf.is_some() && handshake.leaf.as_deref() == leaf)
            .unwrap_or_default();
        let negotiated = &handshake.negotiated;
        let version = negotiated.version.and_then(version_name).or_else(|| {
            use reqwest::tls::Version;
            match info.version()? {
                v if v == Version::TLS_1_3 => Some("TLSv1.3"),
                v if v == Version::TLS_1_2 => Some("TLSv1.2"),
                _ => None,
            }
        });
        let alpn = if negotiated.complete {
            negotiated
                .alpn
                .as_deref()
                .map(|protocol| String::from_utf8_lossy(protocol).into_owned())
        } else {
            negotiated_h2.then(|| "h2".to_owned())
        };
        let connection = ConnectionTls {
            version,
            cipher: negotiated.suite.map(suite_name),
            alpn,
            certificate: handshake
                .certificate
                .or_else(|| leaf.and_then(CertificateInfo::from_der)),
            problem: handshake.problem,
        };
        lock(&self.connections).insert(key, Arc::new(connection));
        handshake.started.map(|started| started.elapsed())
    }

    /// The TLS facts of the connection a response came on, and the warnings they call for;
    /// `None` for a connection without TLS. `opened` is the connection opened while the request
    /// was sent, if any.
    pub fn hop(
        &self,
        response_extensions: &Extensions,
        opened: Option<ConnectionKey>,
    ) -> Option<(TlsRecord, Vec<Warning>)> {
        let key = connection_key(response_extensions)?;
        let connection = lock(&self.connections).get(&key).cloned()?;
        let record = TlsRecord {
            version: connection.version.map(str::to_owned),
            cipher: connection.cipher.clone(),
            alpn: connection.alpn.clone(),
            new_connection: opened == Some(key),
            certificate: connection.certificate.clone(),
        };
        let warnings = warnings(&connection, OffsetDateTime::now_utc());
        Some((record, warnings))
    }

    /// The certificate of the last handshake refused for its certificate, once.
    pub fn take_rejected(&self) -> Option<CertificateInfo> {
        lock(&self.rejected).take()
    }
}

fn warnings(connection: &ConnectionTls, now: OffsetDateTime) -> Vec<Warning> {
    let mut warnings = Vec::new();
    if let Some(problem) = &connection.problem {
        warnings.push(Warning::new(
            WarningCode::CertificateNotVerified,
            format!("certificate checks are off (-k); without -k this hop fails: {problem}"),
        ));
    } else if let Some(certificate) = &connection.certificate {
        let left = certificate.not_after - now;
        if !left.is_negative() && left.whole_days() < EXPIRY_WARNING_DAYS {
            warnings.push(Warning::new(
                WarningCode::CertificateExpiresSoon,
                format!(
                    "the certificate expires {} ({}): browsers will refuse it then",
                    relative(certificate.not_after, now),
                    format_time(certificate.not_after)
                ),
            ));
        }
    }
    warnings
}

fn version_name(version: u16) -> Option<&'static str> {
    match version {
        0x0304 => Some("TLSv1.3"),
        0x0303 => Some("TLSv1.2"),
        0x0302 => Some("TLSv1.1"),
        0x0301 => Some("TLSv1.0"),
        _ => None,
    }
}

fn suite_name(suite: u16) -> String {
    rustls::CipherSuite::from(suite)
        .as_str()
        .map_or_else(|| format!("0x{suite:04x}"), str::to_owned)
}

/// A certificate refusal in words a user can act on, with the certificate's own facts when the
/// verifier recorded them.
pub fn certificate_problem(
    error: &rustls::Error,
    certificate: Option<&CertificateInfo>,
) -> Option<String> {
    let rustls::Error::InvalidCertificate(problem) = error else {
        return None;
    };
    // Classified by the variant's name, so that context-carrying variants rustls adds between
    // minor versions (`ExpiredContext` after `Expired`) still read right; the context is used
    // where it is there.
    let name = format!("{problem:?}");
    let text = if name.starts_with("ExpiredRevocationList") {
        "the certificate revocation list has expired".to_owned()
    } else if name.starts_with("Expired") {
        let (now, not_after) = match problem {
            CertificateError::ExpiredContext { time, not_after } => {
                (from_unix(*time), from_unix(*not_after))
            }
            _ => (None, None),
        };
        let not_after = not_after.or(certificate.map(|c| c.not_after));
        match not_after {
            Some(end) => {
                let now = now.unwrap_or_else(OffsetDateTime::now_utc);
                format!(
                    "the certificate has expired: it was valid until {} ({})",
                    format_time(end),
                    relative(end, now)
                )
            }
            None => "the certificate has expired".to_owned(),
        }
    } else if name.starts_with("NotValidYet") {
        let (now, not_before) = match problem {
            CertificateError::NotValidYetContext { time, not_before } => {
                (from_unix(*time), from_unix(*not_before))
            }
            _ => (None, None),
        };
        match not_before.or(certificate.map(|c| c.not_before)) {
            Some(start) => {
                let now = now.unwrap_or_else(OffsetDateTime::now_utc);
                format!(
                    "the certificate is not valid yet: it is valid from {} ({})",
                    format_time(start),
                    relative(start, now)
                )
            }
            None => "the certificate is not valid yet".to_owned(),
        }
    } else if name.starts_with("NotValidForName") {
        let expected = match problem {
            CertificateError::NotValidForNameContext { expected, .. } => {
                Some(expected.to_str().into_owned())
            }
            _ => None,
        };
        let expected = expected.unwrap_or_else(|| "this host name".to_owned());
        match certificate {
            Some(certificate) if certificate.names.is_empty() => {
                format!("the certificate is not valid for {expected}: it names no host")
            }
            Some(certificate) => format!(
                "the certificate is not valid for {expected}: it is for {}",
                list_names(&certificate.names, 8)
            ),
            None => format!("the certificate is not valid for {expected}"),
        }
    } else if name.starts_with("UnknownIssuer") {
        let issuer = certificate.map_or(String::new(), |c| format!(": {}", c.issuer));
        format!(
            "the certificate was issued by an unknown authority{issuer}; --cacert FILE trusts a \
             private CA"
        )
    } else if name.starts_with("Revoked") {
        "the certificate has been revoked".to_owned()
    } else if name.starts_with("BadSignature") {
        "the certificate's signature is invalid".to_owned()
    } else {
        format!("invalid certificate: {error}")
    };
    Some(text)
}

/// Up to `shown` names, then how many more.
pub fn list_names(names: &[String], shown: usize) -> String {
    let mut text = names
        .iter()
        .take(shown)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > shown {
        let _ = write!(text, " and {} more", names.len() - shown);
    }
    text
}

fn from_unix(time: UnixTime) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(i64::try_from(time.as_secs()).ok()?).ok()
}

/// `2026-11-21`, in UTC.
pub fn format_date(time: OffsetDateTime) -> String {
    let utc = time.to_offset(time::UtcOffset::UTC);
    format!(
        "{}-{:02}-{:02}",
        utc.year(),
        u8::from(utc.month()),
        utc.day()
    )
}

/// `2026-11-21 21:18:07 UTC`.
pub fn format_time(time: OffsetDateTime) -> String {
    let utc = time.to_offset(time::UtcOffset::UTC);
    format!(
        "{} {:02}:{:02}:{:02} UTC",
        format_date(utc),
        utc.hour(),
        utc.minute(),
        utc.second()
    )
}

/// How far `when` is from `now`, in the largest whole unit: "in 3 days", "5 hours ago".
pub fn relative(when: OffsetDateTime, now: OffsetDateTime) -> String {
    let difference = when - now;
    let seconds = difference.whole_seconds().unsigned_abs();
    let (count, unit) = match seconds {
        0..=119 => (seconds, "second"),
        120..=7199 => (seconds / 60, "minute"),
        7200..=86_399 => (seconds / 3600, "hour"),
        _ => (seconds / 86_400, "day"),
    };
    let amount = if count == 1 {
        format!("1 {unit}")
    } else {
        format!("{count} {unit}s")
    };
    if difference.is_negative() {
        format!("{amount} ago")
    } else {
        format!("in {amount}")
    }
}

// ---------------------------------------------------------------------------------------------
// The certificate verifier.

/// Which certificate authorities are trusted.
#[derive(Debug)]
enum Trust {
    /// The system's, loaded at the first https handshake: reading the system store costs a few
    /// milliseconds that a plain-http run should not pay. `None` inside when the system has no
    /// CA certificates at all.
    System {
        provider: Arc<CryptoProvider>,
        verifier: OnceLock<Option<rustls_platform_verifier::Verifier>>,
    },
    /// Only those of `--cacert`, as in curl.
    Only(Arc<rustls::client::WebPkiServerVerifier>),
}

impl Trust {
    fn verifier(&self) -> Option<&dyn ServerCertVerifier> {
        match self {
            Trust::System { provider, verifier } => verifier
                .get_or_init(|| rustls_platform_verifier::Verifier::new(Arc::clone(provider)).ok())
                .as_ref()
                .map(|v| v as &dyn ServerCertVerifier),
            Trust::Only(verifier) => Some(verifier.as_ref()),
        }
    }
}

/// The trusted verifier, recording what it saw and said.
#[derive(Debug)]
struct RecordingVerifier {
    trusted: Trust,
    insecure: bool,
    algorithms: WebPkiSupportedAlgorithms,
    log: Arc<TlsLog>,
}

impl ServerCertVerifier for RecordingVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let verdict = match self.trusted.verifier() {
            Some(trusted) => trusted.verify_server_cert(
                end_entity,
                intermediates,
                server_name,
                ocsp_response,
                now,
            ),
            None => Err(rustls::Error::InvalidCertificate(
                CertificateError::UnknownIssuer,
            )),
        };
        let certificate = CertificateInfo::from_der(end_entity);
        let problem = verdict.as_ref().err().map(|error| {
            certificate_problem(error, certificate.as_ref()).unwrap_or_else(|| error.to_string())
        });
        if problem.is_some() && !self.insecure {
            *lock(&self.log.rejected) = certificate.clone();
        }
        self.log.update_handshake(|handshake| {
            handshake.leaf = Some(end_entity.to_vec());
            handshake.certificate = certificate;
            handshake.problem = problem;
        });
        if self.insecure {
            Ok(ServerCertVerified::assertion())
        } else {
            verdict
        }
    }

    // The handshake signatures are checked even with -k, as curl does: -k trusts the
    // certificate, not a server that cannot prove it holds its key.
    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

// ---------------------------------------------------------------------------------------------
// The session store: the clock that splits TCP from TLS time.

/// Remembers key-exchange hints (so a second connection to a server guesses its group right),
/// never sessions; notes the start of every handshake.
#[derive(Debug)]
struct HandshakeClock {
    kx_hints: ClientSessionMemoryCache,
    log: Arc<TlsLog>,
}

impl ClientSessionStore for HandshakeClock {
    fn set_kx_hint(&self, server_name: ServerName<'static>, group: NamedGroup) {
        self.kx_hints.set_kx_hint(server_name, group);
    }

    fn kx_hint(&self, server_name: &ServerName<'_>) -> Option<NamedGroup> {
        self.kx_hints.kx_hint(server_name)
    }

    fn set_tls12_session(
        &self,
        _: ServerName<'static>,
        _: rustls::client::Tls12ClientSessionValue,
    ) {
    }

    fn tls12_session(&self, _: &ServerName<'_>) -> Option<rustls::client::Tls12ClientSessionValue> {
        None
    }

    fn remove_tls12_session(&self, _: &ServerName<'static>) {}

    fn insert_tls13_ticket(
        &self,
        _: ServerName<'static>,
        _: rustls::client::Tls13ClientSessionValue,
    ) {
    }

    /// Asked first thing when a ClientHello is built, whatever the TLS versions enabled.
    fn take_tls13_ticket(
        &self,
        _: &ServerName<'static>,
    ) -> Option<rustls::client::Tls13ClientSessionValue> {
        self.log.handshake_started();
        None
    }
}

// ---------------------------------------------------------------------------------------------
// The cipher suites, observed through their transcript hash.

/// ring's suites with a transcript hash that reads what the server chose.
///
/// rustls takes suites and hashes as `&'static`, so these are leaked: about a kilobyte per client,
/// and a run builds one client (the demo, one per scenario).
fn observed_suites(
    suites: &[SupportedCipherSuite],
    log: &Arc<TlsLog>,
) -> Vec<SupportedCipherSuite> {
    let mut hashes: Vec<(HashAlgorithm, &'static ObservedHash)> = Vec::new();
    let mut observed = |common: &CipherSuiteCommon| {
        let algorithm = common.hash_provider.algorithm();
        let hash = match hashes.iter().find(|(a, _)| *a == algorithm) {
            Some((_, hash)) => *hash,
            None => {
                let hash: &'static ObservedHash = Box::leak(Box::new(ObservedHash {
                    inner: common.hash_provider,
                    log: Arc::clone(log),
                }));
                hashes.push((algorithm, hash));
                hash
            }
        };
        CipherSuiteCommon {
            suite: common.suite,
            hash_provider: hash,
            confidentiality_limit: common.confidentiality_limit,
        }
    };
    suites
        .iter()
        .map(|suite| match suite {
            SupportedCipherSuite::Tls13(suite) => {
                SupportedCipherSuite::Tls13(Box::leak(Box::new(Tls13CipherSuite {
                    common: observed(&suite.common),
                    hkdf_provider: suite.hkdf_provider,
                    aead_alg: suite.aead_alg,
                    quic: suite.quic,
                })))
            }
            SupportedCipherSuite::Tls12(suite) => {
                SupportedCipherSuite::Tls12(Box::leak(Box::new(Tls12CipherSuite {
                    common: observed(&suite.common),
                    prf_provider: suite.prf_provider,
                    kx: suite.kx,
                    sign: suite.sign,
                    aead_alg: suite.aead_alg,
                })))
            }
        })
        .collect()
}

/// A hash whose contexts read the handshake messages they are fed.
struct ObservedHash {
    inner: &'static dyn Hash,
    log: Arc<TlsLog>,
}

impl Hash for ObservedHash {
    fn start(&self) -> Box<dyn HashContext> {
        Box::new(ObservedContext {
            inner: self.inner.start(),
            reader: Some(TranscriptReader::default()),
            log: Arc::clone(&self.log),
        })
    }

    fn hash(&self, data: &[u8]) -> Output {
        self.inner.hash(data)
    }

    fn output_len(&self) -> usize {
        self.inner.output_len()
    }

    fn algorithm(&self) -> HashAlgorithm {
        self.inner.algorithm()
    }

    fn fips(&self) -> bool {
        self.inner.fips()
    }
}

struct ObservedContext {
    inner: Box<dyn HashContext>,
    /// `None` once it has nothing more to learn.
    reader: Option<TranscriptReader>,
    log: Arc<TlsLog>,
}

impl HashContext for ObservedContext {
    fn fork_finish(&self) -> Output {
        self.inner.fork_finish()
    }

    /// Forks hash what was said so far for a signature or a Finished message: not read again.
    fn fork(&self) -> Box<dyn HashContext> {
        self.inner.fork()
    }

    fn finish(self: Box<Self>) -> Output {
        self.inner.finish()
    }

    fn update(&mut self, data: &[u8]) {
        self.inner.update(data);
        if let Some(reader) = &mut self.reader {
            if reader.feed(data) {
                let negotiated = reader.negotiated.clone();
                self.log
                    .update_handshake(|handshake| handshake.negotiated = negotiated);
            }
            if reader.is_done() {
                self.reader = None;
            }
        }
    }
}

/// What the server chose, as read from the transcript.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Negotiated {
    version: Option<u16>,
    suite: Option<u16>,
    alpn: Option<Vec<u8>>,
    /// The message that carries the ALPN choice was read (ServerHello on TLS 1.2,
    /// EncryptedExtensions on TLS 1.3), so `alpn: None` means the server chose none.
    complete: bool,
}

/// The random of a HelloRetryRequest, which is a ServerHello in form (RFC 8446 §4.1.3).
const HELLO_RETRY_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// Handshake message types (RFC 8446 §4, RFC 5246 §7.4).
const CLIENT_HELLO: u8 = 1;
const SERVER_HELLO: u8 = 2;
const ENCRYPTED_EXTENSIONS: u8 = 8;
/// The stand-in for the first ClientHello after a HelloRetryRequest (RFC 8446 §4.4.1).
const MESSAGE_HASH: u8 = 254;

const EXTENSION_ALPN: u16 = 16;
const EXTENSION_SUPPORTED_VERSIONS: u16 = 43;
const TLS13: u16 = 0x0304;

/// Messages longer than this are not what it looks for: it stops reading.
const LARGEST_EXPECTED_MESSAGE: usize = 1 << 16;

/// Reads handshake messages from a transcript (their concatenation, fed in pieces of any size)
/// up to what the server chose, then stops. A transcript that does not start with a ClientHello
/// (a hash used for anything else) is left alone.
#[derive(Debug, Default)]
struct TranscriptReader {
    buffer: Vec<u8>,
    state: ReaderState,
    negotiated: Negotiated,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum ReaderState {
    /// Expecting a ClientHello (or the message hash that replaces it after a retry).
    #[default]
    Start,
    /// Until the ServerHello that is not a HelloRetryRequest.
    ServerHello,
    /// TLS 1.3: the EncryptedExtensions that follow the ServerHello.
    EncryptedExtensions,
    Done,
}

impl TranscriptReader {
    /// Reads `data`; true when it learned something.
    fn feed(&mut self, data: &[u8]) -> bool {
        if self.is_done() {
            return false;
        }
        self.buffer.extend_from_slice(data);
        let mut learned = false;
        let mut offset = 0;
        while let Some(header) = self.buffer.get(offset..offset + 4) {
            let kind = header[0];
            let length =
                usize::from(header[1]) << 16 | usize::from(header[2]) << 8 | usize::from(header[3]);
            if length > LARGEST_EXPECTED_MESSAGE {
                self.state = ReaderState::Done;
                break;
            }
            let Some(body) = self.buffer.get(offset + 4..offset + 4 + length) else {
                break;
            };
            offset += 4 + length;
            let body = body.to_vec();
            learned |= self.read_message(kind, &body);
            if self.is_done() {
                break;
            }
        }
        if self.is_done() {
            self.buffer = Vec::new();
        } else {
            self.buffer.drain(..offset);
        }
        learned
    }

    fn is_done(&self) -> bool {
        self.state == ReaderState::Done
    }

    fn read_message(&mut self, kind: u8, body: &[u8]) -> bool {
        use ReaderState::*;
        match (self.state, kind) {
            (Start, CLIENT_HELLO | MESSAGE_HASH) => {
                self.state = ServerHello;
                false
            }
            // After a retry: the retry itself, then the second ClientHello.
            (ServerHello, CLIENT_HELLO) => false,
            (ServerHello, SERVER_HELLO) => match parse_server_hello(body) {
                Some(hello) if hello.retry => false,
                Some(hello) => {
                    let tls13 = hello.version == TLS13;
                    self.negotiated = Negotiated {
                        version: Some(hello.version),
                        suite: Some(hello.suite),
                        alpn: hello.alpn,
                        complete: !tls13,
                    };
                    self.state = if tls13 { EncryptedExtensions } else { Done };
                    true
                }
                None => {
                    self.state = Done;
                    false
                }
            },
            (EncryptedExtensions, ENCRYPTED_EXTENSIONS) => {
                self.state = Done;
                match parse_extensions(&mut Reader(body)) {
                    Some(extensions) => {
                        self.negotiated.alpn = extensions.alpn;
                        self.negotiated.complete = true;
                        true
                    }
                    None => false,
                }
            }
            _ => {
                self.state = Done;
                false
            }
        }
    }
}

struct ServerHello {
    retry: bool,
    /// The selected version: supported_versions on TLS 1.3, else the legacy field.
    version: u16,
    suite: u16,
    alpn: Option<Vec<u8>>,
}

fn parse_server_hello(body: &[u8]) -> Option<ServerHello> {
    let mut reader = Reader(body);
    let legacy_version = reader.u16()?;
    let random = reader.take(32)?;
    reader.vec8()?; // session id
    let suite = reader.u16()?;
    reader.u8()?; // compression
    // A TLS 1.2 ServerHello may end here, without extensions.
    let extensions = if reader.0.is_empty() {
        HelloExtensions::default()
    } else {
        parse_extensions(&mut reader)?
    };
    Some(ServerHello {
        retry: random == HELLO_RETRY_RANDOM,
        version: extensions.selected_version.unwrap_or(legacy_version),
        suite,
        alpn: extensions.alpn,
    })
}

#[derive(Default)]
struct HelloExtensions {
    selected_version: Option<u16>,
    alpn: Option<Vec<u8>>,
}

fn parse_extensions(reader: &mut Reader<'_>) -> Option<HelloExtensions> {
    let mut list = Reader(reader.vec16()?);
    let mut found = HelloExtensions::default();
    while !list.0.is_empty() {
        let kind = list.u16()?;
        let mut data = Reader(list.vec16()?);
        match kind {
            EXTENSION_SUPPORTED_VERSIONS => found.selected_version = Some(data.u16()?),
            EXTENSION_ALPN => {
                // A list with exactly one protocol, from a server (RFC 7301 §3.1).
                let mut protocols = Reader(data.vec16()?);
                found.alpn = Some(protocols.vec8()?.to_vec());
            }
            _ => {}
        }
    }
    Some(found)
}

/// Big-endian fields and length-prefixed vectors, as TLS encodes them.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, count: usize) -> Option<&'a [u8]> {
        if self.0.len() < count {
            return None;
        }
        let (taken, rest) = self.0.split_at(count);
        self.0 = rest;
        Some(taken)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|bytes| bytes[0])
    }

    fn u16(&mut self) -> Option<u16> {
        self.take(2)
            .map(|bytes| u16::from_be_bytes([bytes[0], bytes[1]]))
    }

    fn vec8(&mut self) -> Option<&'a [u8]> {
        let length = self.u8()?;
        self.take(usize::from(length))
    }

    fn vec16(&mut self) -> Option<&'a [u8]> {
        let length = self.u16()?;
        self.take(usize::from(length))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rcgen::{
        BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose,
        IsCa, KeyPair, KeyUsagePurpose,
    };
    use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
    use rustls::{ClientConnection, Connection, ServerConfig, ServerConnection};

    // -----------------------------------------------------------------------------------------
    // Reading the transcript.

    fn message(kind: u8, body: &[u8]) -> Vec<u8> {
        let length = u32::try_from(body.len()).unwrap().to_be_bytes();
        let mut bytes = vec![kind, length[1], length[2], length[3]];
        bytes.extend_from_slice(body);
        bytes
    }

    fn extension(kind: u16, data: &[u8]) -> Vec<u8> {
        let mut bytes = kind.to_be_bytes().to_vec();
        bytes.extend_from_slice(&u16::try_from(data.len()).unwrap().to_be_bytes());
        bytes.extend_from_slice(data);
        bytes
    }

    fn alpn(protocol: &[u8]) -> Vec<u8> {
        let mut list = vec![u8::try_from(protocol.len()).unwrap()];
        list.extend_from_slice(protocol);
        let mut data = u16::try_from(list.len()).unwrap().to_be_bytes().to_vec();
        data.extend(list);
        extension(EXTENSION_ALPN, &data)
    }

    fn extensions(list: &[Vec<u8>]) -> Vec<u8> {
        let all: Vec<u8> = list.concat();
        let mut bytes = u16::try_from(all.len()).unwrap().to_be_bytes().to_vec();
        bytes.extend(all);
        bytes
    }

    fn server_hello(random: [u8; 32], suite: u16, exts: Option<&[Vec<u8>]>) -> Vec<u8> {
        let mut body = vec![0x03, 0x03];
        body.extend_from_slice(&random);
        body.extend_from_slice(&[4, 1, 2, 3, 4]); // session id
        body.extend_from_slice(&suite.to_be_bytes());
        body.push(0); // no compression
        if let Some(exts) = exts {
            body.extend(extensions(exts));
        }
        message(SERVER_HELLO, &body)
    }

    fn client_hello() -> Vec<u8> {
        message(CLIENT_HELLO, &[0x03, 0x03, 7, 7, 7, 7, 7, 7])
    }

    fn supported_version(version: u16) -> Vec<u8> {
        extension(EXTENSION_SUPPORTED_VERSIONS, &version.to_be_bytes())
    }

    /// Feeds `transcript` in pieces of `piece` bytes.
    fn read(transcript: &[u8], piece: usize) -> TranscriptReader {
        let mut reader = TranscriptReader::default();
        for chunk in transcript.chunks(piece) {
            reader.feed(chunk);
        }
        reader
    }

    #[test]
    fn tls12_server_hello_gives_version_suite_and_alpn() {
        let transcript = [
            client_hello(),
            server_hello([1; 32], 0xc02f, Some(&[alpn(b"h2")])),
            message(11, &[0; 300]), // Certificate: not read
        ]
        .concat();
        for piece in [1, 3, 7, transcript.len()] {
            let reader = read(&transcript, piece);
            assert_eq!(
                reader.negotiated,
                Negotiated {
                    version: Some(0x0303),
                    suite: Some(0xc02f),
                    alpn: Some(b"h2".to_vec()),
                    complete: true
                },
                "pieces of {piece}"
            );
            assert!(reader.is_done() && reader.buffer.is_empty());
        }
    }

    #[test]
    fn tls12_server_hello_without_extensions_chose_no_alpn() {
        let reader = read(
            &[client_hello(), server_hello([1; 32], 0xc02b, None)].concat(),
            5,
        );
        assert_eq!(reader.negotiated.alpn, None);
        assert!(reader.negotiated.complete);
    }

    #[test]
    fn tls13_alpn_comes_from_encrypted_extensions() {
        let hello = server_hello([2; 32], 0x1301, Some(&[supported_version(TLS13)]));
        let mut reader = TranscriptReader::default();
        assert!(!reader.feed(&client_hello()));
        assert!(reader.feed(&hello));
        assert_eq!(reader.negotiated.version, Some(TLS13));
        assert!(
            !reader.negotiated.complete,
            "ALPN not known before EncryptedExtensions"
        );
        assert!(reader.feed(&message(
            ENCRYPTED_EXTENSIONS,
            &extensions(&[alpn(b"http/1.1")])
        )));
        assert_eq!(reader.negotiated.alpn.as_deref(), Some(&b"http/1.1"[..]));
        assert!(reader.negotiated.complete && reader.is_done());

        let mut none = read(&[client_hello(), hello].concat(), 4);
        none.feed(&message(ENCRYPTED_EXTENSIONS, &extensions(&[])));
        assert_eq!(
            (none.negotiated.alpn, none.negotiated.complete),
            (None, true)
        );
    }

    #[test]
    fn a_hello_retry_request_is_skipped_for_the_real_server_hello() {
        let retry = server_hello(
            HELLO_RETRY_RANDOM,
            0x1302,
            Some(&[supported_version(TLS13)]),
        );
        let first = read(&[client_hello(), retry.clone()].concat(), 9);
        assert_eq!(first.negotiated, Negotiated::default());
        // After the retry, the transcript restarts with a hash of the first ClientHello.
        let transcript = [
            message(MESSAGE_HASH, &[0xaa; 32]),
            retry,
            client_hello(),
            server_hello([3; 32], 0x1302, Some(&[supported_version(TLS13)])),
            message(ENCRYPTED_EXTENSIONS, &extensions(&[alpn(b"h2")])),
        ]
        .concat();
        let reader = read(&transcript, 2);
        assert_eq!(reader.negotiated.suite, Some(0x1302));
        assert_eq!(reader.negotiated.alpn.as_deref(), Some(&b"h2"[..]));
    }

    #[test]
    fn anything_but_a_transcript_is_left_alone() {
        let mut reader = TranscriptReader::default();
        assert!(!reader.feed(b"\x10\x00\x00\x02abcdefgh"));
        assert!(reader.is_done());
        assert!(!reader.feed(&server_hello([1; 32], 0x1301, None)));
        // A message too long to be a hello stops reading too.
        let mut huge = TranscriptReader::default();
        huge.feed(&[CLIENT_HELLO, 0xff, 0xff, 0xff]);
        assert!(huge.is_done());
        // So does a malformed ServerHello.
        let broken = read(
            &[client_hello(), message(SERVER_HELLO, &[3, 3, 1])].concat(),
            64,
        );
        assert!(broken.is_done());
        assert_eq!(broken.negotiated, Negotiated::default());
    }

    // -----------------------------------------------------------------------------------------
    // Words and dates.

    fn at(unix: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(unix).unwrap()
    }

    fn info(names: &[&str], not_after: OffsetDateTime) -> CertificateInfo {
        CertificateInfo {
            subject: "CN=shop.test".into(),
            issuer: "CN=Test CA".into(),
            names: names.iter().map(|n| (*n).to_owned()).collect(),
            not_before: at(0),
            not_after,
        }
    }

    #[test]
    fn relative_times_and_dates_read_well() {
        let now = at(1_000_000_000);
        #[rustfmt::skip]
        let table: &[(i64, &str)] = &[
            (0, "in 0 seconds"), (1, "in 1 second"), (-90, "90 seconds ago"),
            (600, "in 10 minutes"), (-7200, "2 hours ago"), (86_399, "in 23 hours"),
            (-86_400, "1 day ago"), (3 * 86_400 + 5, "in 3 days"),
        ];
        for &(offset, expected) in table {
            assert_eq!(
                relative(at(1_000_000_000 + offset), now),
                expected,
                "{offset}"
            );
        }
        assert_eq!(format_time(at(1_000_000_000)), "2001-09-09 01:46:40 UTC");
        assert_eq!(format_date(at(1_000_000_000)), "2001-09-09");
        assert_eq!(
            list_names(&["a".into(), "b".into(), "c".into()], 2),
            "a, b and 1 more"
        );
        assert_eq!(list_names(&["a".into()], 2), "a");
    }

    #[test]
    fn certificate_errors_are_explained_with_the_certificate() {
        let expired = rustls::Error::InvalidCertificate(CertificateError::ExpiredContext {
            time: UnixTime::since_unix_epoch(Duration::from_secs(1_000_086_400)),
            not_after: UnixTime::since_unix_epoch(Duration::from_secs(1_000_000_000)),
        });
        let wrong_name =
            rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext {
                expected: ServerName::try_from("shop.test").unwrap().to_owned(),
                presented: vec!["DnsName(\"other.test\")".into()],
            });
        let unknown = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        let leaf = info(&["other.test", "*.other.test"], at(1_000_000_000));
        #[rustfmt::skip]
        let table: &[(&rustls::Error, Option<&CertificateInfo>, &str)] = &[
            (&expired, None, "the certificate has expired: it was valid until 2001-09-09 01:46:40 UTC (1 day ago)"),
            (&wrong_name, Some(&leaf), "the certificate is not valid for shop.test: it is for other.test, *.other.test"),
            (&wrong_name, None, "the certificate is not valid for shop.test"),
            (&unknown, Some(&leaf), "the certificate was issued by an unknown authority: CN=Test CA; --cacert FILE trusts a private CA"),
            (&unknown, None, "the certificate was issued by an unknown authority; --cacert FILE trusts a private CA"),
            (&rustls::Error::InvalidCertificate(CertificateError::Expired), Some(&leaf), "the certificate has expired: it was valid until 2001-09-09 01:46:40 UTC ("),
            (&rustls::Error::InvalidCertificate(CertificateError::ExpiredRevocationList), None, "the certificate revocation list has expired"),
            (&rustls::Error::InvalidCertificate(CertificateError::BadEncoding), None, "invalid certificate: invalid peer certificate: BadEncoding"),
        ];
        for (error, certificate, expected) in table {
            let text = certificate_problem(error, *certificate).unwrap();
            assert!(text.starts_with(expected), "{error:?}: {text}");
        }
        assert_eq!(
            certificate_problem(&rustls::Error::HandshakeNotComplete, None),
            None
        );
    }

    #[test]
    fn warnings_for_an_expiring_or_unverified_certificate() {
        let now = at(1_000_000_000);
        let connection = |not_after: OffsetDateTime, problem: Option<&str>| ConnectionTls {
            version: Some("TLSv1.3"),
            cipher: None,
            alpn: None,
            certificate: Some(info(&["shop.test"], not_after)),
            problem: problem.map(str::to_owned),
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
        let (config, log) = client_config(Some(pki.ca_pem.as_bytes()), insecure).unwrap();
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

    #[test]
    fn cacert_must_hold_a_certificate() {
        let error = client_config(Some(b"not a certificate"), false).unwrap_err();
        assert_eq!(error.to_string(), "--cacert: not a PEM certificate file");
    }
}
