//! Network failures in words: what kind of failure a reqwest error is (DNS, connect, TLS,
//! timeout, protocol) and its most specific cause, with hops's own limits named where one was
//! hit; and whether an error means the connection was gone before any answer came.

use std::error::Error as _;
use std::io::ErrorKind as IoKind;
use std::time::Duration;

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
            if io.kind() == IoKind::TimedOut {
                kind = kind.or(Some(ErrorKind::Timeout));
            }
        }
        if cause
            .downcast_ref::<hyper::Error>()
            .is_some_and(head_too_large)
        {
            // hyper's words ("message head is too large") name neither the limits nor whose
            // they are, and are the same for both.
            causes.push(format!(
                "response head over {}, the most hops reads",
                super::limits::response_head_limits()
            ));
            break;
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
    let mut detail = causes.last().cloned().unwrap_or_else(|| error.to_string());
    // The client's read timeout is the only timeout reqwest enforces after connecting (hops
    // keeps --max-time itself), and its words, "operation timed out", name no limit.
    if kind == ErrorKind::Timeout && !error.is_connect() {
        detail = "the server sent nothing for as long as --read-timeout allows".to_owned();
    }
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

/// [`classify`] for a failure while reading a response body.
pub(crate) fn classify_body(error: &reqwest::Error) -> (ErrorKind, String) {
    let (kind, message) = classify(error, None);
    (kind, format!("reading the response body: {message}"))
}

/// Whether hyper stopped reading a response head at one of its limits (`limits.rs`).
/// `hyper::Error::is_parse_too_large` exists only with hyper's server feature, which hops does
/// not need, so the error is known by its words; a test holds them.
fn head_too_large(error: &hyper::Error) -> bool {
    error.is_parse() && error.to_string() == "message head is too large"
}

/// [`classify`], with the connect or read timeout named, and how long it is, when it is what ran
/// out: reqwest only says "operation timed out", which does not tell a stalled handshake from a
/// server that never answers.
pub(crate) fn classify_with_limits(
    error: &reqwest::Error,
    rejected: Option<&crate::model::CertificateInfo>,
    connect_timeout: Duration,
    read_timeout: Duration,
) -> (ErrorKind, String) {
    if error.is_connect() && error.is_timeout() {
        let tls = error.url().is_some_and(|url| url.scheme() == "https");
        return (
            ErrorKind::Timeout,
            connect_timeout_message(connect_timeout, tls),
        );
    }
    let (kind, message) = classify(error, rejected);
    if kind == ErrorKind::Timeout && !error.is_connect() {
        return (kind, read_timeout_message(read_timeout));
    }
    (kind, message)
}

fn read_timeout_message(limit: Duration) -> String {
    format!(
        "timed out: no response: the server sent nothing for {} s (--read-timeout)",
        limit.as_secs_f64()
    )
}

fn connect_timeout_message(limit: Duration, tls: bool) -> String {
    let layers = if tls { "TCP/TLS" } else { "TCP" };
    format!(
        "cannot connect: no {layers} connection within {} s (--connect-timeout)",
        limit.as_secs_f64()
    )
}

/// The most specific cause of `error`, without the kind [`classify`] puts before it.
pub(crate) fn cause(error: &reqwest::Error) -> String {
    let (_, message) = classify(error, None);
    match message.split_once(": ") {
        Some((_, detail)) => detail.to_owned(),
        None => message,
    }
}

/// Whether `error` says the connection was closed or reset under the request, before any
/// answer came: an end of stream where a response should start, a reset, a broken pipe while
/// the request was written, or a request hyper dropped because its connection closed. Connect
/// errors are not: the connection never was.
///
/// hyper reports an end of stream in the middle of a response head the same way as one before
/// it, so a head cut short also counts; a response whose head came is never an error here.
pub(crate) fn closed_before_answer(error: &reqwest::Error) -> bool {
    !error.is_connect() && !error.is_timeout() && chain_says_closed(error)
}

fn chain_says_closed(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut source = error.source();
    while let Some(cause) = source {
        if let Some(hyper) = cause.downcast_ref::<hyper::Error>() {
            if hyper.is_incomplete_message() || hyper.is_canceled() || hyper.is_closed() {
                return true;
            }
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            if matches!(
                io.kind(),
                IoKind::ConnectionReset
                    | IoKind::ConnectionAborted
                    | IoKind::BrokenPipe
                    | IoKind::UnexpectedEof
            ) {
                return true;
            }
        }
        source = cause.source();
    }
    false
}

#[cfg(test)]
mod tests {
    use std::fmt;
    use std::io;

    use super::*;

    /// An error that wraps another, as reqwest's and hyper's do.
    #[derive(Debug)]
    struct Wrapper(Box<dyn std::error::Error + Send + Sync>);

    impl fmt::Display for Wrapper {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("wrapper")
        }
    }

    impl std::error::Error for Wrapper {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&*self.0)
        }
    }

    fn wrapped(kind: IoKind) -> Wrapper {
        Wrapper(Box::new(Wrapper(Box::new(io::Error::from(kind)))))
    }

    #[test]
    fn a_reset_or_an_early_end_of_stream_is_a_closed_connection() {
        for kind in [
            IoKind::ConnectionReset,
            IoKind::ConnectionAborted,
            IoKind::BrokenPipe,
            IoKind::UnexpectedEof,
        ] {
            assert!(chain_says_closed(&wrapped(kind)), "{kind:?}");
        }
        for kind in [
            IoKind::ConnectionRefused,
            IoKind::TimedOut,
            IoKind::InvalidData,
            IoKind::Other,
        ] {
            assert!(!chain_says_closed(&wrapped(kind)), "{kind:?}");
        }
    }

    #[test]
    fn the_read_timeout_is_named_with_its_flag() {
        assert_eq!(
            read_timeout_message(Duration::from_secs(120)),
            "timed out: no response: the server sent nothing for 120 s (--read-timeout)"
        );
    }

    #[test]
    fn the_connect_timeout_is_named_with_its_flag() {
        assert_eq!(
            connect_timeout_message(Duration::from_secs(30), true),
            "cannot connect: no TCP/TLS connection within 30 s (--connect-timeout)"
        );
        assert_eq!(
            connect_timeout_message(Duration::from_millis(1500), false),
            "cannot connect: no TCP connection within 1.5 s (--connect-timeout)"
        );
    }
}
