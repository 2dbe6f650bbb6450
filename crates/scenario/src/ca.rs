//! The test CA and its leaf certificates: a throwaway CA made per server (or one kept in a
//! folder, [`StoredCa`], that a client trusts once), a leaf signed by it (valid for every
//! scenario host, or deliberately expired or for the wrong name) or a self-signed one, the rustls
//! acceptor that presents it (on ring; HTTP/1.1 only unless [`TlsOptions::http2`] asks for h2
//! too), and the CA file clients trust.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    Issuer, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::{Duration, OffsetDateTime};
use tokio_rustls::TlsAcceptor;

/// The names a [`LeafKind::Valid`] leaf certificate covers: every scenario host, a wildcard for
/// subdomain tests, and the loopback names.
pub const LEAF_NAMES: [&str; 9] = [
    "shop.test",
    "shop.dev",
    "www.shop.test",
    "auth.test",
    "other.test",
    "example.test",
    "*.example.test",
    "localhost",
    "127.0.0.1",
];

/// The only name a [`LeafKind::WrongName`] leaf certificate covers: none of the scenario hosts.
pub const WRONG_NAME: &str = "wrong-name.test";

/// Which leaf certificate the https listener presents. The CA is the same kind in every case,
/// except for the self-signed kinds, which have none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LeafKind {
    /// Covers [`LEAF_NAMES`]; valid for [`LEAF_DAYS`] from yesterday.
    #[default]
    Valid,
    /// Covers [`LEAF_NAMES`] but expired yesterday (valid for one day before that).
    Expired,
    /// Valid dates, but covers only [`WRONG_NAME`].
    WrongName,
    /// Signed by its own key and marked as a CA (basicConstraints CA:TRUE), as what
    /// `openssl req -x509` makes by default (plus [`LEAF_NAMES`] as subjectAltName); presented
    /// alone. The CA file holds this certificate itself.
    SelfSignedCa,
    /// Signed by its own key, not a CA (CA:FALSE), covering [`LEAF_NAMES`]; presented alone. The
    /// CA file holds this certificate itself.
    SelfSigned,
}

/// How a scenario server sets up its https listener; the default is what
/// [`crate::ScenarioServer::start`] uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    pub leaf: LeafKind,
    /// Offer ALPN `h2, http/1.1` instead of `http/1.1` only, and serve a connection that
    /// negotiated `h2` over HTTP/2; the http listener then also serves h2c prior knowledge.
    pub http2: bool,
    /// Sign the leaf with this CA instead of a fresh one (for the kinds a CA signs).
    pub ca: Option<Arc<StoredCa>>,
}

/// A CA kept in a folder as `ca.pem` (the certificate a client trusts) and `ca-key.pem` (its
/// key, readable by its owner only): made the first time, the same afterwards, so a browser or
/// a phone that trusts it once keeps trusting the server's leaves.
#[derive(Debug, PartialEq, Eq)]
pub struct StoredCa {
    pub cert_pem: String,
    key_pem: String,
    /// Where the certificate is, to tell the user.
    pub cert_file: PathBuf,
}

impl StoredCa {
    /// Reads the CA in `dir`, or makes one there (and the folder) when it has none.
    pub fn load_or_create(dir: &Path) -> io::Result<StoredCa> {
        let cert_file = dir.join("ca.pem");
        let key_file = dir.join("ca-key.pem");
        if cert_file.exists() || key_file.exists() {
            let read = |path: &Path| {
                fs::read_to_string(path).map_err(|error| {
                    io::Error::new(
                        error.kind(),
                        format!("cannot read {}: {error}", path.display()),
                    )
                })
            };
            let stored = StoredCa {
                cert_pem: read(&cert_file)?,
                key_pem: read(&key_file)?,
                cert_file,
            };
            // A key that does not parse would fail every handshake later; say so now.
            KeyPair::from_pem(&stored.key_pem).map_err(|error| {
                io::Error::other(format!(
                    "{} is not a private key: {error}",
                    key_file.display()
                ))
            })?;
            return Ok(stored);
        }
        fs::create_dir_all(dir)?;
        let key = KeyPair::generate().map_err(pki_error)?;
        let ca = CertifiedIssuer::self_signed(ca_params()?, key).map_err(pki_error)?;
        let key_pem = ca.key().serialize_pem();
        write_private(&key_file, key_pem.as_bytes())?;
        fs::write(&cert_file, ca.pem())?;
        Ok(StoredCa {
            cert_pem: ca.pem(),
            key_pem,
            cert_file,
        })
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?
        .write_all(bytes)
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> io::Result<()> {
    fs::write(path, bytes)
}

/// The CA's own certificate fields: the same for a fresh CA and a stored one, so a leaf signed
/// with a stored key names the issuer its certificate has.
fn ca_params() -> io::Result<CertificateParams> {
    let mut ca_params = CertificateParams::new(Vec::new()).map_err(pki_error)?;
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, "hops scenario test CA");
    ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    Ok(ca_params)
}

/// The ALPN protocol id of HTTP/2 over TLS.
pub(crate) const H2_ALPN: &[u8] = b"h2";

/// A fresh CA and the acceptor presenting a leaf signed by it.
pub(crate) struct TestPki {
    /// What a client trusts: the CA, or the leaf itself when it is self-signed.
    pub ca_pem: String,
    pub acceptor: TlsAcceptor,
}

impl TestPki {
    /// `extra_names` are added to the leaf's names (a valid or expired leaf signed by the CA).
    pub fn generate(options: TlsOptions, extra_names: &[String]) -> io::Result<TestPki> {
        let (chain, key, ca_pem) = match options.leaf {
            LeafKind::SelfSignedCa | LeafKind::SelfSigned => self_signed(options.leaf)?,
            LeafKind::Valid | LeafKind::Expired | LeafKind::WrongName => {
                signed(options.leaf, extra_names, options.ca.as_deref())?
            }
        };
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(io::Error::other)?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(io::Error::other)?;
        // Without `http2` the server speaks HTTP/1.1 only; saying so keeps an h2-capable client
        // from trying h2.
        config.alpn_protocols = if options.http2 {
            vec![H2_ALPN.to_vec(), b"http/1.1".to_vec()]
        } else {
            vec![b"http/1.1".to_vec()]
        };
        Ok(TestPki {
            ca_pem,
            acceptor: TlsAcceptor::from(Arc::new(config)),
        })
    }
}

type Chain = Vec<CertificateDer<'static>>;

/// How long a leaf certificate is valid: the longest Apple's platforms (and the CA/Browser
/// Forum's rules for public certificates) accept.
pub const LEAF_DAYS: i64 = 398;

/// A leaf of `kind` signed by `stored`, or else by a fresh CA: the chain to present, its key,
/// and the CA's PEM.
fn signed(
    kind: LeafKind,
    extra_names: &[String],
    stored: Option<&StoredCa>,
) -> io::Result<(Chain, PrivateKeyDer<'static>, String)> {
    let fresh;
    let kept;
    let (issuer, ca_der, ca_pem): (&Issuer<'_, KeyPair>, CertificateDer<'static>, String) =
        match stored {
            Some(stored) => {
                let key = KeyPair::from_pem(&stored.key_pem).map_err(pki_error)?;
                let der = CertificateDer::from_pem_slice(stored.cert_pem.as_bytes()).map_err(
                    |error| io::Error::other(format!("the stored CA certificate: {error}")),
                )?;
                kept = Issuer::new(ca_params()?, key);
                (&kept, der, stored.cert_pem.clone())
            }
            None => {
                let key = KeyPair::generate().map_err(pki_error)?;
                fresh = CertifiedIssuer::self_signed(ca_params()?, key).map_err(pki_error)?;
                (&fresh, fresh.der().clone(), fresh.pem())
            }
        };

    let names: Vec<String> = match kind {
        LeafKind::WrongName => vec![WRONG_NAME.to_owned()],
        _ => LEAF_NAMES
            .iter()
            .map(|name| (*name).to_owned())
            .chain(extra_names.iter().cloned())
            .collect(),
    };
    let common_name = names[0].clone();
    let leaf_key = KeyPair::generate().map_err(pki_error)?;
    let mut leaf_params = CertificateParams::new(names).map_err(pki_error)?;
    leaf_params
        .distinguished_name
        .push(DnType::CommonName, common_name);
    leaf_params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let now = OffsetDateTime::now_utc();
    if kind == LeafKind::Expired {
        leaf_params.not_before = now - Duration::days(2);
        leaf_params.not_after = now - Duration::days(1);
    } else {
        // 398 days in all, from yesterday (a clock a little behind still accepts it): Apple's
        // platforms refuse a server certificate valid for longer, even under a private CA, and
        // `hops serve` is there for testing clients on them too.
        leaf_params.not_before = now - Duration::days(1);
        leaf_params.not_after = now + Duration::days(LEAF_DAYS - 1);
    }
    let leaf = leaf_params
        .signed_by(&leaf_key, issuer)
        .map_err(pki_error)?;

    let chain = vec![leaf.der().clone(), ca_der];
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der()));
    Ok((chain, key, ca_pem))
}

/// A self-signed leaf covering [`LEAF_NAMES`], a CA or not as `kind` says: the chain to present
/// (the leaf alone), its key, and its own PEM, the one certificate a client can trust.
fn self_signed(kind: LeafKind) -> io::Result<(Chain, PrivateKeyDer<'static>, String)> {
    let names: Vec<String> = LEAF_NAMES.iter().map(|name| (*name).to_owned()).collect();
    let key = KeyPair::generate().map_err(pki_error)?;
    let mut params = CertificateParams::new(names).map_err(pki_error)?;
    params
        .distinguished_name
        .push(DnType::CommonName, LEAF_NAMES[0]);
    if kind == LeafKind::SelfSignedCa {
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    } else {
        params.is_ca = IsCa::ExplicitNoCa;
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    }
    let certificate = params.self_signed(&key).map_err(pki_error)?;
    let private = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    Ok((vec![certificate.der().clone()], private, certificate.pem()))
}

fn pki_error(error: rcgen::Error) -> io::Error {
    io::Error::other(format!(
        "cannot make the scenario test certificates: {error}"
    ))
}

/// Writes the CA certificate as `dir/ca.pem` and returns that path.
pub(crate) fn write_ca(ca_pem: &str, dir: &Path) -> io::Result<PathBuf> {
    let path = dir.join("ca.pem");
    fs::write(&path, ca_pem)?;
    Ok(path)
}

/// `ca.pem` in a directory of its own under the system temp dir, removed with it on drop.
#[derive(Debug)]
pub(crate) struct CaFile {
    dir: PathBuf,
    path: PathBuf,
}

impl CaFile {
    pub fn create(ca_pem: &str) -> io::Result<CaFile> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let base = std::env::temp_dir();
        loop {
            let number = NEXT.fetch_add(1, Ordering::Relaxed);
            let dir = base.join(format!("hops-scenario-{}-{number}", std::process::id()));
            // A leftover from an earlier process with the same id is skipped, never reused.
            match fs::create_dir(&dir) {
                Ok(()) => {}
                Err(error) if error.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(error) => return Err(error),
            }
            let ca_file = CaFile {
                path: dir.join("ca.pem"),
                dir,
            };
            write_ca(ca_pem, &ca_file.dir)?;
            return Ok(ca_file);
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for CaFile {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}
