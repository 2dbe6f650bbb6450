//! The start of a final HTML body, read only to look for a meta refresh (rules §8.5, §8.6):
//! reading it, capped in size and in time, and the warning the hop carries when it stopped
//! short. Reading it never fails a chain: a body that trickles, stalls or breaks off is searched
//! as far as it came, and the exit code is what it would have been had hops not looked (with
//! `-o`, a broken body is still the error it always is).

use std::time::Duration;

use tokio::time::{Instant, timeout_at};

use super::body::Body;
pub(super) use super::body::Failure;
use crate::model::{Warning, WarningCode};

/// How long the start of an HTML body may take to arrive. A browser shows the page as it comes
/// and acts on a meta refresh as soon as it has one; hops waits for the first 64 KiB or the end
/// of the body, so without a cap a body that trickles or stalls would hold the chain forever.
/// A page served at all comes far faster than this.
pub(super) const HTML_PREFIX_TIME: Duration = Duration::from_secs(2);

/// The start of an HTML body, as far as it came.
#[derive(Debug, Default)]
pub(super) struct Prefix {
    pub(super) bytes: Vec<u8>,
    /// Why it stopped before the size limit and before the end of the body.
    pub(super) cut: Option<Cut>,
}

/// Why the start of a body stopped short.
#[derive(Debug)]
pub(super) enum Cut {
    /// Nothing more came in time: within [`HTML_PREFIX_TIME`], or before `--max-time` ran out.
    Slow { max_time: bool },
    /// Reading the body failed: the rest will not come.
    Broken(Failure),
}

/// Up to `limit` bytes of `body` (whole chunks: a little more is fine; decoded ones with
/// `--compressed`), for at most [`HTML_PREFIX_TIME`] and never past `deadline` (`--max-time`);
/// what stopped it short is kept.
pub(super) async fn read(body: &mut Body, limit: usize, deadline: Option<Instant>) -> Prefix {
    let cap = Instant::now() + HTML_PREFIX_TIME;
    let until = sooner(cap, deadline);
    let mut prefix = Prefix::default();
    while prefix.bytes.len() < limit {
        // `chunk` may be dropped half-way: the body loses nothing, and `-o` reads on.
        match timeout_at(until, body.chunk()).await {
            Ok(Ok(Some(chunk))) => prefix.bytes.extend_from_slice(&chunk),
            Ok(Ok(None)) => break,
            Ok(Err(failure)) => {
                prefix.cut = Some(Cut::Broken(failure));
                break;
            }
            Err(_) => {
                prefix.cut = Some(Cut::Slow {
                    max_time: until < cap,
                });
                break;
            }
        }
    }
    prefix
}

/// When a wait capped at `cap` ends: at the cap, or at `deadline` (`--max-time`) if that comes
/// first. A capped read never outlives the run.
pub(super) fn sooner(cap: Instant, deadline: Option<Instant>) -> Instant {
    deadline.map_or(cap, |deadline| deadline.min(cap))
}

impl Prefix {
    /// The warning for a start of body that stopped short; `None` when it did not.
    pub(super) fn warning(&self) -> Option<Warning> {
        let why = match self.cut.as_ref()? {
            Cut::Slow { max_time: false } => format!(
                "it did not come within {} s",
                HTML_PREFIX_TIME.as_secs_f64()
            ),
            Cut::Slow { max_time: true } => "--max-time ran out while it came".to_owned(),
            Cut::Broken((_, message)) => message.clone(),
        };
        Some(Warning::new(
            WarningCode::HtmlNotRead,
            format!(
                "the HTML body was searched for a meta refresh only in the {} that came: {why}",
                bytes(self.bytes.len())
            ),
        ))
    }
}

fn bytes(count: usize) -> String {
    match count {
        1 => "1 byte".to_owned(),
        _ => format!("{count} bytes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::NetworkErrorKind;

    fn cut(bytes: usize, cut: Option<Cut>) -> Option<String> {
        let prefix = Prefix {
            bytes: vec![b'x'; bytes],
            cut,
        };
        prefix.warning().map(|warning| {
            assert_eq!(warning.code, WarningCode::HtmlNotRead);
            warning.message
        })
    }

    #[test]
    fn a_prefix_cut_short_says_how_far_it_came_and_why() {
        assert_eq!(cut(10, None), None);
        assert_eq!(
            cut(1, Some(Cut::Slow { max_time: false })).as_deref(),
            Some(
                "the HTML body was searched for a meta refresh only in the 1 byte that came: it \
                 did not come within 2 s"
            )
        );
        assert_eq!(
            cut(0, Some(Cut::Slow { max_time: true })).as_deref(),
            Some(
                "the HTML body was searched for a meta refresh only in the 0 bytes that came: \
                 --max-time ran out while it came"
            )
        );
        let broken = Cut::Broken((
            NetworkErrorKind::Io,
            "reading the response body: connection reset".to_owned(),
        ));
        assert!(
            cut(7, Some(broken))
                .unwrap()
                .ends_with("in the 7 bytes that came: reading the response body: connection reset")
        );
    }
}
