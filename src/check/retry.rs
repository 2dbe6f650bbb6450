//! When `hops check` traces a row again, and after how long: a network error that may pass
//! (connect, protocol, I/O), or a final 429 or 503 the row did not ask for, honouring the
//! server's `Retry-After` (capped) and backing off exponentially without one.

use std::time::{Duration, SystemTime};

use crate::model::{Chain, NetworkErrorKind, Outcome, RowExpect};

/// The longest `Retry-After` honoured: a server asking for an hour would stall the whole map.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(60);
/// The first wait without `Retry-After`; it doubles on each retry, up to `MAX_BACKOFF`.
const FIRST_BACKOFF: Duration = Duration::from_millis(500);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// Why a row is worth tracing again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryCause {
    Network,
    /// 429 (too many requests) or 503 (unavailable).
    Status(u16),
}

/// Whether the chain ended in a way that another attempt may change. DNS, TLS and timeouts
/// are not retried: they do not pass in a second, and a timeout already cost its full wait.
pub fn cause(chain: &Chain, expect: &RowExpect) -> Option<RetryCause> {
    match &chain.outcome {
        Outcome::NetworkError { kind, .. } => matches!(
            kind,
            NetworkErrorKind::Connect | NetworkErrorKind::Protocol | NetworkErrorKind::Io
        )
        .then_some(RetryCause::Network),
        Outcome::Final => {
            let status = chain.final_response()?.status;
            let asked = expect.final_status == Some(status) || expect.status == Some(status);
            (matches!(status, 429 | 503) && !asked).then_some(RetryCause::Status(status))
        }
        _ => None,
    }
}

/// The wait before retry number `retry` (0 for the first): the last response's `Retry-After`
/// (seconds or an HTTP date) when it has one, capped; else the backoff.
pub fn delay(retry: u32, chain: &Chain, now: SystemTime) -> Duration {
    let asked = chain
        .last_response()
        .and_then(|hop| hop.response_header("retry-after"))
        .and_then(|value| retry_after(value, now));
    asked.map_or_else(|| backoff(retry), |asked| asked.min(MAX_RETRY_AFTER))
}

fn retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    let date = httpdate::parse_http_date(value).ok()?;
    Some(date.duration_since(now).unwrap_or_default())
}

fn backoff(retry: u32) -> Duration {
    FIRST_BACKOFF
        .saturating_mul(2u32.saturating_pow(retry))
        .min(MAX_BACKOFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_in_seconds_or_as_a_date_capped_else_backoff() {
        let now = httpdate::parse_http_date("Tue, 01 Dec 2026 10:00:00 GMT").unwrap();
        let cases: &[(&str, Option<Duration>)] = &[
            ("0", Some(Duration::ZERO)),
            (" 5 ", Some(Duration::from_secs(5))),
            (
                "Tue, 01 Dec 2026 10:00:07 GMT",
                Some(Duration::from_secs(7)),
            ),
            ("Tue, 01 Dec 2026 09:00:00 GMT", Some(Duration::ZERO)),
            ("soon", None),
            ("-3", None),
        ];
        for (value, expected) in cases {
            assert_eq!(retry_after(value, now), *expected, "{value:?}");
        }
        let waits: Vec<Duration> = (0..8).map(backoff).collect();
        assert_eq!(waits[0], Duration::from_millis(500));
        assert_eq!(waits[1], Duration::from_secs(1));
        assert_eq!(waits[2], Duration::from_secs(2));
        assert_eq!(waits[7], MAX_BACKOFF);
        assert_eq!(backoff(u32::MAX), MAX_BACKOFF);
    }
}
