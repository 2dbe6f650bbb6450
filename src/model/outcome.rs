//! How a chain ended: on a final response, or stopped, each stop carrying exactly its own facts.

use serde::Serialize;
use url::Url;

/// How a chain ended. Each way of stopping carries the hop it stopped at and its message, so a
/// loop without its cycle or a network error without its cause cannot be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The last hop is the final response, whatever its status.
    Final,
    /// A request was sent again and got the same answer as before.
    Loop(LoopInfo),
    /// More redirects than `--max-redirs`.
    TooManyRedirects { hop: usize, message: String },
    /// A `Location` that cannot be followed.
    BadLocation { hop: usize, message: String },
    /// DNS, connect, TLS, timeout, protocol or I/O failure.
    NetworkError {
        hop: usize,
        kind: NetworkErrorKind,
        message: String,
    },
    /// The user stopped the run (Ctrl-C, or SIGTERM from a supervisor) while this hop was under
    /// way: the hops before it are complete, the chain has no verdict of its own.
    Interrupted {
        hop: usize,
        signal: Signal,
        message: String,
    },
}

impl Outcome {
    pub fn is_final(&self) -> bool {
        matches!(self, Outcome::Final)
    }

    pub fn kind(&self) -> OutcomeKind {
        match self {
            Outcome::Final => OutcomeKind::Ok,
            Outcome::Loop(_) => OutcomeKind::Loop,
            Outcome::TooManyRedirects { .. } => OutcomeKind::TooManyRedirects,
            Outcome::BadLocation { .. } => OutcomeKind::BadLocation,
            Outcome::NetworkError { .. } => OutcomeKind::NetworkError,
            Outcome::Interrupted { .. } => OutcomeKind::Interrupted,
        }
    }

    /// The repeated request, for a loop.
    pub fn loop_info(&self) -> Option<&LoopInfo> {
        match self {
            Outcome::Loop(info) => Some(info),
            _ => None,
        }
    }

    /// What stopped the chain, as shown in the `error` field and the `hops: error:` line.
    pub fn error(&self) -> Option<ChainError<'_>> {
        let (hop, kind, message) = match self {
            Outcome::Final => return None,
            Outcome::Loop(info) => (info.at_hop, ErrorKind::Loop, &info.message),
            Outcome::TooManyRedirects { hop, message } => {
                (*hop, ErrorKind::TooManyRedirects, message)
            }
            Outcome::BadLocation { hop, message } => (*hop, ErrorKind::BadLocation, message),
            Outcome::NetworkError { hop, kind, message } => (*hop, (*kind).into(), message),
            Outcome::Interrupted { hop, message, .. } => (*hop, ErrorKind::Interrupted, message),
        };
        Some(ChainError {
            hop,
            kind,
            message: message.as_str(),
        })
    }
}

/// The outcome's name in the JSON (`outcome`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    Ok,
    Loop,
    TooManyRedirects,
    BadLocation,
    NetworkError,
    Interrupted,
}

/// A request sent again that got the same answer as before: the chain could only go round.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoopInfo {
    /// The earlier hop whose request and answer came back.
    pub repeats_hop: usize,
    /// The hop that sent that request again and got the same answer (its redirect not followed).
    pub at_hop: usize,
    pub method: String,
    pub url: Url,
    pub message: String,
}

/// What stopped the chain early: a view of a stopped [`Outcome`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ChainError<'a> {
    pub hop: usize,
    pub kind: ErrorKind,
    pub message: &'a str,
}

/// The `error.kind` of the JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    Loop,
    TooManyRedirects,
    BadLocation,
    Dns,
    Connect,
    Tls,
    Timeout,
    Protocol,
    Io,
    Interrupted,
}

/// A signal that stops a run cleanly instead of ending the process where it stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT: Ctrl-C.
    Interrupt,
    /// SIGTERM: a supervisor or `kill`.
    Terminate,
}

impl Signal {
    pub fn name(self) -> &'static str {
        match self {
            Signal::Interrupt => "SIGINT",
            Signal::Terminate => "SIGTERM",
        }
    }
}

/// What kind of network failure stopped a chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkErrorKind {
    Dns,
    Connect,
    Tls,
    Timeout,
    Protocol,
    Io,
}

impl From<NetworkErrorKind> for ErrorKind {
    fn from(kind: NetworkErrorKind) -> ErrorKind {
        match kind {
            NetworkErrorKind::Dns => ErrorKind::Dns,
            NetworkErrorKind::Connect => ErrorKind::Connect,
            NetworkErrorKind::Tls => ErrorKind::Tls,
            NetworkErrorKind::Timeout => ErrorKind::Timeout,
            NetworkErrorKind::Protocol => ErrorKind::Protocol,
            NetworkErrorKind::Io => ErrorKind::Io,
        }
    }
}
