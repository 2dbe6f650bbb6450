//! HSTS (RFC 6797 as Chromium applies it): `Strict-Transport-Security` parsing, the known-host
//! store (this chain, the `--hsts` cache file, the embedded preload list) and upgrade decisions
//! (docs/rules.md §7).
//!
//! Nothing here does I/O except [`HstsStore::save_cache`], and the current time is always passed
//! in as `now`, so every rule is covered by table-driven unit tests next to it. The navigator
//! (`crate::redirect::navigator`) asks for upgrades before each request and hands each response's
//! headers to [`observe_sts`]; the analysis adds the chain-level [`add_hsts_hints`].
//!
//! One file per job, each with its own rules in its module doc:
//! - `header.rs`: parsing the header ([`parse_sts`], [`first_sts`]) and what the preload list
//!   asks of it ([`preload_eligibility`]);
//! - `host.rs`: the one form of a host every comparison uses ([`normalize_host`]), and
//!   [`upgrade`];
//! - `store.rs`: the known hosts of a run ([`HstsStore`]) and how a host matches one;
//! - `entry.rs`: the entry a host matched ([`Match`]);
//! - `cache_file.rs`: curl's cache file format (`--hsts FILE`), read and written;
//! - `preload.rs`: the embedded Chromium preload list;
//! - `observe.rs`: what one response's header does to the store, recorded for its hop;
//! - `hints.rs`: the chain-level hints (first visit over http, preload eligibility).

mod cache_file;
mod entry;
mod header;
mod hints;
mod host;
mod observe;
mod preload;
mod store;

pub use cache_file::{CACHE_HEADER, CacheLoad, SkippedLine};
pub use entry::Match;
pub use header::{
    MAX_AGE_CAP, PRELOAD_MIN_MAX_AGE, Sts, StsError, first_sts, parse_sts, preload_eligibility,
};
pub use hints::add_hsts_hints;
pub use host::{normalize_host, upgrade};
pub use observe::observe_sts;
pub use store::{Action, HstsStore};

/// Helpers the unit tests of every file here share, and the test that crosses them all.
#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    use url::Url;

    use super::*;

    pub(super) fn at(unix_seconds: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(unix_seconds)
    }

    pub(super) fn sts(max_age: u64, include_subdomains: bool, preload: bool) -> Sts {
        Sts {
            max_age,
            include_subdomains,
            preload,
        }
    }

    /// 2025-01-01 00:00:00 UTC.
    pub(super) const JAN_2025: u64 = 1_735_689_600;

    /// A small deterministic generator (xorshift), so the odd strings are the same every run.
    pub(super) struct Odd(pub(super) u64);

    impl Odd {
        pub(super) fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }

        pub(super) fn string(&mut self, pieces: &[&str], max_pieces: u64) -> String {
            let count = self.next() % (max_pieces + 1);
            (0..count)
                .map(|_| pieces[(self.next() % pieces.len() as u64) as usize])
                .collect()
        }
    }

    #[test]
    fn odd_hosts_and_cache_lines_never_panic() {
        let host_pieces = [
            "a",
            "B",
            ".",
            "..",
            "-",
            "_",
            "[",
            "]",
            ":",
            "xn--",
            "localhost",
            "1",
            "0x",
            "%",
            "%2e",
            "\u{e9}",
            "\u{df}",
            "\u{4e9a}",
            " ",
            "\u{0}",
            "\u{200d}",
            "\u{ff0e}",
            "#",
            "@",
            "dev",
            "github",
            "com",
        ];
        let line_pieces = [
            "example.com",
            ".",
            " ",
            "\t",
            "\"",
            "unlimited",
            "20250101",
            "00:00:00",
            "9999",
            "#",
            "\u{e9}",
            "\n",
            "\r",
            "x",
        ];
        let mut odd = Odd(0x2545_f491_4f6c_dd1d);
        let now = at(JAN_2025);
        let mut store = HstsStore::new(true);
        for _ in 0..20_000 {
            let host = odd.string(&host_pieces, 8);
            if let Some(normal) = normalize_host(&host) {
                assert_eq!(
                    normalize_host(&normal).as_deref(),
                    Some(normal.as_str()),
                    "normalizing {host:?} is idempotent"
                );
            }
            let _ = store.lookup(&host, now);
            let _ = store.observe(&host, &sts(60, true, false), now);
            if let Ok(url) = Url::parse(&format!("http://{host}/")) {
                let _ = upgrade(&url);
            }
            let _ = store.load_cache(&odd.string(&line_pieces, 12), now);
        }
        let _ = store.cache_text();
    }
}
