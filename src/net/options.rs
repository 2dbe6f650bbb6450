//! How the client connects: resolve overrides, trust, timeouts, proxies and the IP version, as
//! the config resolved them from the command line.

use std::net::IpAddr;
use std::time::Duration;

/// Everything the client is built from.
#[derive(Debug, Clone)]
pub struct NetOptions {
    /// `--resolve HOST:PORT:ADDR`.
    pub resolve: Vec<ResolveOverride>,
    /// `--cacert FILE`, read.
    pub cacert_pem: Option<Vec<u8>>,
    /// `-k`: certificates are not verified (but still shown).
    pub insecure: bool,
    /// `--cert FILE` and `--key FILE`, read: the client certificate chain and its key (PEM; the
    /// key may be in the certificate file).
    pub client_cert_pem: Option<Vec<u8>>,
    pub client_key_pem: Option<Vec<u8>>,
    /// `--connect-timeout`, or [`super::DEFAULT_CONNECT_TIMEOUT`]: DNS, TCP and TLS of a new
    /// connection.
    pub connect_timeout: Duration,
    /// `--read-timeout`, or [`super::DEFAULT_READ_TIMEOUT`]: the longest silence of a server
    /// while a response is awaited or read.
    pub read_timeout: Duration,
    /// `-x`.
    pub proxy: Option<String>,
    /// `--noproxy`.
    pub noproxy: Option<String>,
    pub ip_version: IpVersion,
    /// `--http1.1`, `--http2-prior-knowledge`, or the default (`--http2`).
    pub http_version: HttpVersion,
}

/// Which HTTP versions the client speaks, by curl's flags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum HttpVersion {
    /// HTTP/2 when an https server picks it by ALPN, else HTTP/1.1: curl's default, and `--http2`
    /// (no `Upgrade: h2c` on plain http: the HTTP library does not send one).
    #[default]
    Negotiated,
    /// `--http1.1`: HTTP/1.1 only; ALPN offers `http/1.1` alone.
    Http1Only,
    /// `--http2-prior-knowledge`: HTTP/2 from the first byte, on plain http (h2c) and on https,
    /// where ALPN then offers `h2` alone.
    Http2PriorKnowledge,
}

impl HttpVersion {
    /// The ALPN protocols offered in the TLS handshake.
    pub fn alpn(self) -> Vec<Vec<u8>> {
        match self {
            HttpVersion::Negotiated => vec![b"h2".to_vec(), b"http/1.1".to_vec()],
            HttpVersion::Http1Only => vec![b"http/1.1".to_vec()],
            HttpVersion::Http2PriorKnowledge => vec![b"h2".to_vec()],
        }
    }
}

/// `-4`, `-6` or either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpVersion {
    Any,
    V4,
    V6,
}

/// One `--resolve HOST:PORT:ADDR[,ADDR...]`.
#[derive(Debug, Clone)]
pub struct ResolveOverride {
    pub host: String,
    pub port: u16,
    pub addrs: Vec<IpAddr>,
}
