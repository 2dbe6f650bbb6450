//! The certificate verifier: the trusted one (the system's roots, or only `--cacert`'s) wrapped
//! to record the leaf and its verdict, and to accept what it refuses under `-k`.

use std::sync::{Arc, OnceLock};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};

use super::certificate::CertificateInfo;
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
