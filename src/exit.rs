//! Exit codes, one per way a run can end; the README's table is generated from the same list.

use crate::record::Outcome;

/// The process exit status of a run. The numbers are part of the interface: scripts test them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitCode {
    /// The chain ended in a final response, whatever its status.
    Ok = 0,
    /// A check the user asked for failed (`-f/--fail`).
    CheckFailed = 1,
    /// Bad flag, bad URL, or unreadable file on the command line.
    Usage = 2,
    /// A redirect loop was detected.
    Loop = 3,
    /// More redirects than `--max-redirs`.
    TooManyRedirects = 4,
    /// A `Location` that cannot be followed.
    BadLocation = 5,
    /// DNS, connect, TLS, timeout, or a malformed or truncated response.
    Network = 6,
}

impl ExitCode {
    pub fn for_outcome(outcome: Outcome) -> ExitCode {
        match outcome {
            Outcome::Ok => ExitCode::Ok,
            Outcome::Loop => ExitCode::Loop,
            Outcome::TooManyRedirects => ExitCode::TooManyRedirects,
            Outcome::BadLocation => ExitCode::BadLocation,
            Outcome::NetworkError => ExitCode::Network,
        }
    }

    pub fn code(self) -> i32 {
        self as i32
    }
}
