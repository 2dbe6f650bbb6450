//! Exit codes, one per way a run can end, with what each means: the one list `--help` and the
//! man page are generated from and the README's table is tested against.

use crate::model::{Analysis, Outcome, Signal};

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
    /// Stopped by SIGINT (Ctrl-C): 128 + 2, as shells report it.
    Interrupted = 130,
    /// Stopped by SIGTERM: 128 + 15.
    Terminated = 143,
}

impl ExitCode {
    /// Every code, in the order of the table.
    pub const ALL: [ExitCode; 9] = [
        ExitCode::Ok,
        ExitCode::CheckFailed,
        ExitCode::Usage,
        ExitCode::Loop,
        ExitCode::TooManyRedirects,
        ExitCode::BadLocation,
        ExitCode::Network,
        ExitCode::Interrupted,
        ExitCode::Terminated,
    ];

    /// What the code means, in one line.
    pub fn meaning(self) -> &'static str {
        match self {
            ExitCode::Ok => "the chain ended in a final response (whatever its status)",
            ExitCode::CheckFailed => {
                "a check failed (--expect-*, or -f/--fail: final status 400 or above)"
            }
            ExitCode::Usage => "usage error: bad flag, bad URL or unreadable file",
            ExitCode::Loop => "redirect loop detected",
            ExitCode::TooManyRedirects => "too many redirects",
            ExitCode::BadLocation => {
                "a Location that cannot be followed: empty, unparseable, two different values, \
                 refused scheme, too long"
            }
            ExitCode::Network => {
                "network error: DNS, connect, TLS, timeout, malformed or truncated response"
            }
            ExitCode::Interrupted => {
                "interrupted by Ctrl-C (SIGINT): the hops so far shown, -c, --hsts and --har written"
            }
            ExitCode::Terminated => "stopped by SIGTERM: as for Ctrl-C",
        }
    }

    pub fn for_outcome(outcome: &Outcome) -> ExitCode {
        match outcome {
            Outcome::Final => ExitCode::Ok,
            Outcome::Loop(_) => ExitCode::Loop,
            Outcome::TooManyRedirects { .. } => ExitCode::TooManyRedirects,
            Outcome::BadLocation { .. } => ExitCode::BadLocation,
            Outcome::NetworkError { .. } => ExitCode::Network,
            Outcome::Interrupted { signal, .. } => ExitCode::for_signal(*signal),
        }
    }

    /// The code of a run a signal stopped: a traced chain or `hops serve`.
    pub fn for_signal(signal: Signal) -> ExitCode {
        match signal {
            Signal::Interrupt => ExitCode::Interrupted,
            Signal::Terminate => ExitCode::Terminated,
        }
    }

    /// A chain's code: a broken chain (3 to 6) says more than a check that failed because of it.
    pub fn for_chain(outcome: &Outcome, analysis: &Analysis) -> ExitCode {
        if !outcome.is_final() {
            ExitCode::for_outcome(outcome)
        } else if analysis.failed_checks().next().is_some() {
            ExitCode::CheckFailed
        } else {
            ExitCode::Ok
        }
    }

    /// The code of a run of several chains: the first non-zero one in the order of the table
    /// (1 before 2 before 3 ...), except that a run stopped by a signal says so (130, 143): it
    /// did not finish, whatever the chains before said.
    pub fn worst(self, other: ExitCode) -> ExitCode {
        match (self, other) {
            (signal @ (ExitCode::Interrupted | ExitCode::Terminated), _)
            | (_, signal @ (ExitCode::Interrupted | ExitCode::Terminated)) => signal,
            (ExitCode::Ok, other) => other,
            (this, ExitCode::Ok) => this,
            (this, other) if other.code() < this.code() => other,
            (this, _) => this,
        }
    }

    pub fn code(self) -> i32 {
        self as i32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The README's exit code table lists exactly the codes of the enum, in order, each with
    /// the meaning `--help` and the man page show.
    #[test]
    fn readme_table_lists_every_code() {
        let readme = include_str!("../README.md");
        let table = &readme[readme
            .find("## Exit codes\n")
            .expect("the exit code section")..];
        let listed: Vec<(i32, String)> = table
            .lines()
            .skip_while(|line| !line.starts_with("| code"))
            .skip(2)
            .take_while(|line| line.starts_with('|'))
            .map(|line| {
                let cells: Vec<&str> = line.split('|').map(str::trim).collect();
                (cells[1].parse().unwrap(), cells[2].replace('`', ""))
            })
            .collect();
        let codes: Vec<(i32, String)> = ExitCode::ALL
            .iter()
            .map(|code| (code.code(), code.meaning().to_owned()))
            .collect();
        assert_eq!(listed, codes);
    }

    #[test]
    fn the_first_non_zero_code_in_table_order_wins() {
        assert_eq!(ExitCode::Ok.worst(ExitCode::Loop), ExitCode::Loop);
        assert_eq!(
            ExitCode::Loop.worst(ExitCode::CheckFailed),
            ExitCode::CheckFailed
        );
        assert_eq!(
            ExitCode::CheckFailed.worst(ExitCode::Network),
            ExitCode::CheckFailed
        );
        assert_eq!(ExitCode::Network.worst(ExitCode::Ok), ExitCode::Network);
    }

    #[test]
    fn a_signal_wins_over_every_chain_code() {
        assert_eq!(
            ExitCode::CheckFailed.worst(ExitCode::Interrupted),
            ExitCode::Interrupted
        );
        assert_eq!(
            ExitCode::Terminated.worst(ExitCode::Loop),
            ExitCode::Terminated
        );
        assert_eq!(ExitCode::Ok.worst(ExitCode::Terminated).code(), 143);
    }
}
