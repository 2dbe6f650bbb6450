//! The bottom layer: every type a traced chain is made of, from the first request to the
//! outcome, plus what analysis adds (diagnosis, check results) and what may be shown (redaction).
//!
//! Nothing here imports from any other module of the crate: the tracer fills these types, the
//! analysis reads them, the renderers write them out. URLs are [`url::Url`], parsed once.

mod analysis;
mod chain;
mod check;
mod hop;
mod hsts;
mod outcome;
mod redact;
mod tls;
mod warning;
mod words;

#[cfg(test)]
pub(crate) mod testing;

pub use analysis::{Analysis, CheckResult, Diagnosis, LoopKind};
pub use chain::{Chain, RequestSummary, millis};
pub use check::{ResultKind, Row, RowExpect, RowResult, TargetSpan};
pub use hop::{Hop, NextHop, RefreshSeen, RefreshSource, SetCookie, StrippedHeader, Timing, Via};
pub use hsts::{HstsAction, HstsRecord, HstsSource, HstsUpgrade};
pub use outcome::{
    ChainError, ErrorKind, LoopInfo, NetworkErrorKind, Outcome, OutcomeKind, Signal,
};
pub use redact::{Redactor, SHOWN_BYTES, abbreviate};
pub use tls::{CertificateInfo, ClientCertificate, EXPIRY_WARNING_DAYS, TlsRecord};
pub use warning::{Warning, WarningCode};
pub use words::plural;
