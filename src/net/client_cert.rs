//! Client certificates (mTLS, `--cert`, `--key`): the identity read from PEM, and the resolver
//! rustls asks when a server requests a certificate, which offers it to every server that asks,
//! as curl does, and notes in the [`TlsLog`] that it was asked and whether one was sent.

use std::sync::Arc;

use anyhow::{Context as _, Result, bail};
use rustls::client::ResolvesClientCert;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::sign::CertifiedKey;
use rustls::{InconsistentKeys, SignatureScheme};

use super::tls_log::TlsLog;
use crate::model::ClientCertificate;

/// The resolver for a client: `cert_pem` holds the certificate chain (and the key, unless
/// `key_pem` is given); with neither, no certificate is sent, but a request is still noted.
pub(super) fn resolver(
    cert_pem: Option<&[u8]>,
    key_pem: Option<&[u8]>,
    provider: &CryptoProvider,
    log: &Arc<TlsLog>,
) -> Result<Arc<dyn ResolvesClientCert>> {
    let identity = match cert_pem {
        Some(cert_pem) => Some(identity(cert_pem, key_pem, provider)?),
        None => None,
    };
    Ok(Arc::new(RecordingResolver {
        identity,
        log: Arc::clone(log),
    }))
}

/// The certificate chain and its signing key, checked to belong together.
fn identity(
    cert_pem: &[u8],
    key_pem: Option<&[u8]>,
    provider: &CryptoProvider,
) -> Result<Arc<CertifiedKey>> {
    let chain = CertificateDer::pem_slice_iter(cert_pem)
        .collect::<Result<Vec<_>, _>>()
        .ok()
        .filter(|chain| !chain.is_empty())
        .context("--cert: not a PEM certificate file")?;
    let key = match key_pem {
        Some(pem) => PrivateKeyDer::from_pem_slice(pem).context("--key: not a PEM private key")?,
        None => PrivateKeyDer::from_pem_slice(cert_pem)
            .context("--cert: the file holds no private key; give it with --key FILE")?,
    };
    let signing_key = provider
        .key_provider
        .load_private_key(key)
        .context("--key: a private key hops cannot sign with (RSA, ECDSA or Ed25519)")?;
    let identity = CertifiedKey::new(chain, signing_key);
    match identity.keys_match() {
        Err(rustls::Error::InconsistentKeys(InconsistentKeys::KeyMismatch)) => {
            bail!("--key: the private key is not the certificate's")
        }
        // `Unknown`: the key cannot say its public half; the server will tell.
        _ => Ok(Arc::new(identity)),
    }
}

/// Offers the identity to any server that asks, and notes each request.
#[derive(Debug)]
struct RecordingResolver {
    identity: Option<Arc<CertifiedKey>>,
    log: Arc<TlsLog>,
}

impl ResolvesClientCert for RecordingResolver {
    /// Called only when the server sent a CertificateRequest. The CA names it hints at are not
    /// used to hold the certificate back: curl sends it whatever they say, and a server that
    /// names no CA is common.
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        // rustls sends the certificate only if its key can sign with a scheme the server takes.
        let usable = self
            .identity
            .as_ref()
            .filter(|identity| identity.key.choose_scheme(sigschemes).is_some());
        self.log.client_certificate_asked(match usable {
            Some(_) => ClientCertificate::Sent,
            None => ClientCertificate::Requested,
        });
        usable.cloned()
    }

    fn has_certs(&self) -> bool {
        self.identity.is_some()
    }
}
