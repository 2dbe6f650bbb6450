//! Network failures in words: what kind of failure a reqwest error is (DNS, connect, TLS,
//! timeout, protocol) and its most specific cause.

use std::error::Error as _;

use crate::model::NetworkErrorKind as ErrorKind;

/// rustls's error, which tokio-rustls hands up inside an `io::Error` (two, in fact): their
/// `source()` skips the error they wrap, so it is looked for inside them.
fn rustls_error<'a>(mut error: &'a (dyn std::error::Error + 'static)) -> Option<&'a rustls::Error> {
    loop {
        if let Some(tls) = error.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        error = error.downcast_ref::<std::io::Error>()?.get_ref()?;
    }
}

/// Names the kind of network failure and gives its most specific cause; `rejected` is the
/// certificate the TLS layer refused, which a certificate error then describes.
pub(crate) fn classify(
    error: &reqwest::Error,
    rejected: Option<&crate::model::CertificateInfo>,
) -> (ErrorKind, String) {
    let mut causes = Vec::new();
    let mut source = error.source();
    let mut kind = None;
    while let Some(cause) = source {
        if let Some(tls) = rustls_error(cause) {
            kind = Some(ErrorKind::Tls);
            causes.push(super::tls_wording::tls_problem(tls, rejected));
            break;
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            if io.kind() == std::io::ErrorKind::TimedOut {
                kind = kind.or(Some(ErrorKind::Timeout));
            }
        }
        let text = cause.to_string();
        if text.contains("dns error") || text.contains("failed to lookup address") {
            kind = kind.or(Some(ErrorKind::Dns));
        }
        if !causes.iter().any(|c: &String| c.contains(&text)) {
            causes.push(text);
        }
        source = cause.source();
    }
    let kind = kind.unwrap_or(if error.is_timeout() {
        ErrorKind::Timeout
    } else if error.is_connect() {
        ErrorKind::Connect
    } else if error.is_body() || error.is_decode() {
        ErrorKind::Io
    } else {
        ErrorKind::Protocol
    });
    let detail = causes.last().cloned().unwrap_or_else(|| error.to_string());
    let what = match kind {
        ErrorKind::Dns => "cannot resolve host",
        ErrorKind::Connect => "cannot connect",
        ErrorKind::Tls => "TLS handshake failed",
        ErrorKind::Timeout => "timed out",
        ErrorKind::Protocol => "invalid HTTP response",
        _ => "connection failed",
    };
    (kind, format!("{what}: {detail}"))
}
