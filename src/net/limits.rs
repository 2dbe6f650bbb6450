//! The client's limits and default timeouts, with why each is what it is: how long a new
//! connection may take, how long a response may stay silent, and how large its head may be.

use std::time::Duration;

/// How long a new connection may take, unless `--connect-timeout` says otherwise: the DNS lookup,
/// TCP and the TLS handshake together (reqwest's timeout wraps its whole connector), as curl's
/// `--connect-timeout` does.
///
/// curl waits 300 s by default; that long, a script waiting on a host that drops packets or a
/// server that accepts and never finishes the handshake looks hung. Browsers give up on a TLS
/// handshake in tens of seconds (Firefox's `network.http.tls-handshake-timeout` is 30 s). A
/// healthy server, even across the world or over a satellite link, connects in a few seconds,
/// so 30 s only ever cuts off what was not going to work.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(30);

/// How long a response may go without a byte arriving, unless `--read-timeout` says otherwise:
/// waiting for the head, and between reads of the body (reqwest's read timeout, reset by each
/// read), as wget's `--read-timeout` does.
///
/// Without one, a server that accepts the connection and never answers holds a run (or a row of
/// `hops check`) for ever. The proxies in front of most sites give up first: nginx's
/// `proxy_read_timeout` is 60 s and Cloudflare answers 524 after 100 s, so a silence of 120 s
/// means nothing is coming. A download that keeps trickling is never cut off by it; `--max-time`
/// limits the whole run.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(120);

/// The most bytes of a response head (status line and header fields) that hyper reads before
/// giving up: its HTTP/1 read buffer, 8,192 + 4,096 × 100 bytes, which reqwest does not let us
/// change. Browsers allow 256 KiB (Chromium's limit); this is more.
pub const RESPONSE_HEAD_BYTES: usize = 8192 + 4096 * 100;

/// The most header fields hops accepts in a response. hyper's default, 100, failed a hop whose
/// server set many cookies (a thousand `Set-Cookie` fields happen on misconfigured sites), and
/// browsers set no limit on the count, only on the bytes. Not unbounded: hyper makes room for
/// this many fields for every response head it parses.
pub const RESPONSE_HEAD_FIELDS: usize = 10_000;

// What a hop must get through: 1,000 fields and 256 KiB of head.
const _: () = assert!(RESPONSE_HEAD_FIELDS >= 1000 && RESPONSE_HEAD_BYTES >= 256 * 1024);

/// The limits, as a message names them. hyper reports a head over either limit with the same
/// error, so both are named.
pub fn response_head_limits() -> String {
    format!(
        "{} KiB or {} header fields",
        RESPONSE_HEAD_BYTES / 1024,
        thousands(RESPONSE_HEAD_FIELDS)
    )
}

/// `10000` as `10,000`.
fn thousands(number: usize) -> String {
    let digits = number.to_string();
    let mut shown = String::new();
    for (index, digit) in digits.chars().enumerate() {
        if index > 0 && (digits.len() - index) % 3 == 0 {
            shown.push(',');
        }
        shown.push(digit);
    }
    shown
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limits_are_over_what_the_issue_asked_for_and_named() {
        assert_eq!(response_head_limits(), "408 KiB or 10,000 header fields");
        assert_eq!(
            [0, 999, 1000, 123_456, 1_234_567].map(thousands),
            ["0", "999", "1,000", "123,456", "1,234,567"]
        );
    }
}
