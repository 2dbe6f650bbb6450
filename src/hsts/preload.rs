//! The embedded Chromium preload list and its lookup.
//!
//! `data/hsts_preload.fst` is Chromium's preload list (force-https entries only; licence and
//! provenance in `data/HSTS_PRELOAD_LICENSE`), built by `examples/gen_preload.rs`
//! (`scripts/gen-preload.sh`). It is an `fst::Map` keyed by the name with its labels reversed
//! (`www.example.com` → `com.example.www`) with the include_subdomains flag as value. Reversed,
//! every parent of a name is a prefix of its key: a lookup is one `get` for the exact name and
//! one per parent, whose cost grows with the host's length and not with the list's. The bytes
//! are embedded with `include_bytes!` and read in place, parsed once on first use.

use std::sync::OnceLock;

use super::entry::Match;
use crate::model::HstsSource;

/// Built by `examples/gen_preload.rs`; see the module doc for the layout.
static PRELOAD_FST: &[u8] = include_bytes!("../../data/hsts_preload.fst");

/// The preload list, parsed on first use. Parsing reads only the fst's header and footer: the
/// map borrows the embedded bytes, nothing is copied or decompressed.
fn preload_list() -> &'static fst::Map<&'static [u8]> {
    static LIST: OnceLock<fst::Map<&'static [u8]>> = OnceLock::new();
    LIST.get_or_init(|| {
        // Not input: bytes fixed at build time, and `embedded_preload_list_loads` fails the
        // tests if they are not a valid fst.
        fst::Map::new(PRELOAD_FST).expect("data/hsts_preload.fst is a valid fst map")
    })
}

/// The preload entry covering `host` (normalized), exact name first, then parents from the
/// nearest. One `get` per label, each proportional to the key's length.
pub(super) fn lookup_preload(host: &str) -> Option<Match> {
    let list = preload_list();
    // `www.example.com` → `com.example.www`: a host's suffix of n bytes that starts a label is
    // the key's prefix of n bytes, so parents are found by cutting the key at its dots.
    let key = host.rsplit('.').collect::<Vec<_>>().join(".");
    let mut end = key.len();
    let mut is_exact = true;
    loop {
        if let Some(flag) = list.get(&key[..end]) {
            let include_subdomains = flag == 1;
            if is_exact || include_subdomains {
                return Some(Match {
                    source: HstsSource::Preload,
                    matched: host[host.len() - end..].to_owned(),
                    include_subdomains,
                });
            }
        }
        end = key[..end].rfind('.')?;
        is_exact = false;
    }
}

#[cfg(test)]
mod tests {
    use super::super::HstsStore;
    use super::*;
    use std::fs;
    use std::time::SystemTime;

    #[test]
    fn embedded_preload_list_loads() {
        assert!(preload_list().len() > 50_000, "{}", preload_list().len());
    }

    #[test]
    fn preload_spot_checks() {
        let now = SystemTime::now();
        let store = HstsStore::new(true);
        let lookup = |host: &str| {
            store
                .lookup(host, now)
                .map(|m| (m.source, m.matched, m.include_subdomains))
        };
        let preloaded =
            |name: &str, subdomains| Some((HstsSource::Preload, name.to_owned(), subdomains));
        // include_subdomains=1: the name and everything under it
        assert_eq!(lookup("github.com"), preloaded("github.com", true));
        assert_eq!(lookup("api.github.com"), preloaded("github.com", true));
        assert_eq!(lookup("A.B.GitHub.com."), preloaded("github.com", true));
        // include_subdomains=0: the exact name only
        assert_eq!(lookup("paypal.com"), preloaded("paypal.com", false));
        assert_eq!(lookup("history.paypal.com"), None);
        assert_eq!(lookup("www.paypal.com"), preloaded("www.paypal.com", false));
        // the nearest entry: session.bbc.co.uk (=1) under bbc.co.uk (=0)
        assert_eq!(lookup("bbc.co.uk"), preloaded("bbc.co.uk", false));
        assert_eq!(lookup("news.bbc.co.uk"), None);
        assert_eq!(
            lookup("x.session.bbc.co.uk"),
            preloaded("session.bbc.co.uk", true)
        );
        // a whole gTLD, including an IDN one
        assert_eq!(lookup("dev"), preloaded("dev", true));
        assert_eq!(lookup("anything.dev"), preloaded("dev", true));
        assert_eq!(lookup("a.b.c.anything.dev"), preloaded("dev", true));
        assert_eq!(
            lookup("\u{4f8b}\u{5b50}.\u{4e9a}\u{9a6c}\u{900a}"),
            preloaded("xn--jlq480n2rg", true)
        );
        // not listed
        assert_eq!(lookup("example.com"), None);
        assert_eq!(lookup("devx"), None);
        assert_eq!(lookup("com"), None);
        // 1.0.0.1 is in Chromium's list, but an IP address is never an HSTS host here.
        assert_eq!(lookup("1.0.0.1"), None);
    }

    /// Every entry of the TSV the fst was built from is found with its flag, and the counts
    /// agree; this is also what checks that `examples/gen_preload.rs` and `lookup_preload`
    /// agree on the key layout. Skipped when the shared TSV is not checked out next to the repo.
    #[test]
    fn preload_list_matches_the_tsv() {
        let tsv_path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../shared/data/hsts_preload.tsv"
        );
        let Ok(tsv) = fs::read_to_string(tsv_path) else {
            return;
        };
        let mut entries = 0;
        for line in tsv.lines().filter(|l| !l.is_empty() && !l.starts_with('#')) {
            let (name, flag) = line.split_once('\t').unwrap();
            entries += 1;
            if name == "1.0.0.1" {
                continue; // an IP address: listed, but never looked up (see the spot checks)
            }
            let found = lookup_preload(name);
            assert_eq!(
                found,
                Some(Match {
                    source: HstsSource::Preload,
                    matched: name.to_owned(),
                    include_subdomains: flag == "1",
                }),
                "entry {name}"
            );
        }
        assert_eq!(preload_list().len(), entries);
        assert_eq!(entries, 94_600);
    }

    #[test]
    fn ten_thousand_lookups_run() {
        let store = HstsStore::new(true);
        let now = SystemTime::now();
        let hosts = [
            "www.github.com",
            "example.com",
            "a.b.c.d.e.f.anything.dev",
            "history.paypal.com",
            "no-such-host.invalid",
        ];
        let found = (0..10_000)
            .filter(|i| store.lookup(hosts[i % hosts.len()], now).is_some())
            .count();
        assert_eq!(found, 4_000);
    }
}
