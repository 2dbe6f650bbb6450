//! The certificate verifier: the trusted one (the system's roots, or only `--cacert`'s) wrapped
//! to record the leaf and its verdict, and to accept what it refuses under `-k`.
//!
//! A certificate listed in `--cacert` is also trusted as it is when a server presents exactly
//! it, as curl (OpenSSL) does: that is how a self-signed certificate is trusted, whether it says
//! CA:TRUE (what `openssl req -x509` makes, which webpki refuses as a server's own) or CA:FALSE.
//! Its dates and the server's name are still checked. A self-signed certificate trusted neither
//! way is refused as self-signed, whatever else the trusted verifier found (docs/rules.md §8.7).

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};

use super::certificate::{CertificateInfo, SelfSigned, common_names, is_self_signed};
use super::tls_log::{TlsLog, lock};
use super::tls_wording::tls_problem;

/// Which certificate authorities are trusted.
#[derive(Debug)]
pub(super) enum Trust {
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
pub(super) struct RecordingVerifier {
    pub(super) trusted: Trust,
    /// The certificates of `--cacert`, each trusted as it is when a server presents exactly it.
    pub(super) listed: Vec<CertificateDer<'static>>,
    pub(super) insecure: bool,
    pub(super) algorithms: WebPkiSupportedAlgorithms,
    pub(super) log: Arc<TlsLog>,
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
        let listed = self
            .listed
            .iter()
            .any(|certificate| certificate.as_ref() == end_entity.as_ref());
        // Read once: the checks of a listed certificate and the handshake's record share it.
        let certificate = CertificateInfo::from_der(end_entity);
        let verdict = if listed {
            verify_listed(end_entity, certificate.as_ref(), server_name, now)
        } else {
            match self.trusted.verifier() {
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
            }
        };
        let verdict = match verdict {
            Err(_) if !listed && is_self_signed(end_entity) => Err(SelfSigned::error()),
            verdict => verdict,
        };
        let problem = verdict
            .as_ref()
            .err()
            .map(|error| tls_problem(error, certificate.as_ref()));
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

/// The checks left for a certificate trusted because `--cacert` lists it: its dates and the
/// server's name. The name is looked for in subjectAltName, or, in a certificate that has none,
/// in the subject's common name, as curl (OpenSSL) does for a DNS name. `certificate` is
/// `end_entity` as read, `None` when it could not be.
fn verify_listed(
    end_entity: &CertificateDer<'_>,
    certificate: Option<&CertificateInfo>,
    server_name: &ServerName<'_>,
    now: UnixTime,
) -> Result<ServerCertVerified, rustls::Error> {
    let certificate = certificate.ok_or(rustls::Error::InvalidCertificate(
        CertificateError::BadEncoding,
    ))?;
    let unix = |time: time::OffsetDateTime| {
        UnixTime::since_unix_epoch(Duration::from_secs(
            u64::try_from(time.unix_timestamp()).unwrap_or(0),
        ))
    };
    if now.as_secs() < unix(certificate.not_before).as_secs() {
        return Err(rustls::Error::InvalidCertificate(
            CertificateError::NotValidYetContext {
                time: now,
                not_before: unix(certificate.not_before),
            },
        ));
    }
    if now.as_secs() > unix(certificate.not_after).as_secs() {
        return Err(rustls::Error::InvalidCertificate(
            CertificateError::ExpiredContext {
                time: now,
                not_after: unix(certificate.not_after),
            },
        ));
    }
    let by_common_name = match server_name {
        ServerName::DnsName(name) if certificate.names.is_empty() => {
            let wanted = name.as_ref().trim_end_matches('.');
            common_names(end_entity)
                .iter()
                .any(|common| common.eq_ignore_ascii_case(wanted))
        }
        _ => false,
    };
    if !by_common_name {
        let parsed = ParsedCertificate::try_from(end_entity)?;
        rustls::client::verify_server_name(&parsed, server_name)?;
    }
    Ok(ServerCertVerified::assertion())
}
