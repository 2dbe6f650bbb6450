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
    /// `--connect-timeout`, or [`super::DEFAULT_CONNECT_TIMEOUT`]: DNS, TCP and TLS of a new
    /// connection.
    pub connect_timeout: Duration,
    /// `-x`.
    pub proxy: Option<String>,
    /// `--noproxy`.
    pub noproxy: Option<String>,
    pub ip_version: IpVersion,
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
