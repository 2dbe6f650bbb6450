//! The network side of a run: the one reqwest client ([`build`], [`HopClient`]), its proxies,
//! DNS lookups and connections, and TLS.
//!
//! TLS for the client, and what each https hop learns from it: the negotiated version, cipher
//! suite and ALPN protocol, the server's certificate (subject, issuer, names, validity), how long
//! the handshake took, and in words why a certificate was refused; network failures in words.
//!
//! One file per job:
//! - `options.rs`: what the client is built from ([`NetOptions`]);
//! - `client.rs`: building the client, the timed resolver and connect layer;
//! - `limits.rs`: the connect timeout and the response head limits, and why;
//! - `retry.rs`: sending a request, once more when its reused connection was found closed;
//! - `proxy.rs`: which proxy a request goes through, and failures through it in words;
//! - `decode.rs`: `--compressed`, the final body's content codings undone as it arrives;
//! - `tls_config.rs`: the rustls configuration handed to reqwest (trust, `--cacert`);
//! - `client_cert.rs`: `--cert` and `--key`, offered to servers that ask, each request noted;
//! - `tls_log.rs`: the log its observers fill, per connection, and the handshake clock;
//! - `verifier.rs`: the certificate verifier that records the leaf and its verdict;
//! - `transcript.rs`: the cipher suites' transcript hash, read for what the server chose;
//! - `certificate.rs`: the TLS facts of a hop ([`TlsRecord`], [`CertificateInfo`]), what the
//!   verifier reads of a certificate, and dates in words;
//! - `tls_wording.rs`: every rustls error and server alert a handshake can end with, in words,
//!   certificate problems included;
//! - `error_wording.rs`: what kind of failure a reqwest error is, in words.

mod certificate;
mod client;
mod client_cert;
mod decode;
mod error_wording;
mod host_limits;
mod limits;
mod options;
mod proxy;
mod retry;
mod tls_config;
mod tls_log;
mod tls_wording;
mod transcript;
mod verifier;

pub use certificate::{
    CertificateInfo, EXPIRY_WARNING_DAYS, TlsRecord, format_date, list_names, relative,
};
pub use client::{ConnectionLog, HopClient, SetupTiming, build};
pub use decode::{ACCEPT_ENCODING, Coding, Decoded, Decoder, coding_names, content_codings};
pub(crate) use error_wording::{classify, classify_body};
pub use host_limits::HostLimits;
pub use limits::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT};
pub use options::{HttpVersion, IpVersion, NetOptions, ResolveOverride};
pub use proxy::{ProxyChoice, through_proxy};
pub use retry::Sent;
pub use tls_log::{ConnectionKey, TlsLog};

/// `host:port` of `url`, the port written even when it is the scheme's default: one name for a
/// host whether it is counted for `--per-host` or named as a proxy tunnel's target.
fn host_port(url: &url::Url) -> String {
    format!(
        "{}:{}",
        url.host_str().unwrap_or_default(),
        url.port_or_known_default().unwrap_or_default()
    )
}

/// Helpers the unit tests of the files here share.
#[cfg(test)]
mod tests {
    use time::OffsetDateTime;

    use super::CertificateInfo;

    pub(super) fn at(unix: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(unix).unwrap()
    }

    pub(super) fn info(names: &[&str], not_after: OffsetDateTime) -> CertificateInfo {
        CertificateInfo {
            subject: "CN=shop.test".into(),
            issuer: "CN=Test CA".into(),
            names: names.iter().map(|n| (*n).to_owned()).collect(),
            not_before: at(0),
            not_after,
        }
    }
}
