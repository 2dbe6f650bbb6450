//! The known HSTS hosts of a run ([`HstsStore`]): learned entries, looked up before the preload
//! list, and how a header updates them.
//!
//! [`HstsStore`] holds learned entries (from [`HstsSource::ThisRun`] or [`HstsSource::CacheFile`]) and
//! consults the embedded [`HstsSource::Preload`] list after them. A host matches an entry for the
//! exact name, or for a parent that has includeSubDomains; the most specific match wins.
//! `max-age=0` removes only the exact learned entry; a preloaded entry is never removed.

use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

use super::entry::Match;
use super::header::Sts;
use super::host::{names_and_parents, normalize_host};
use super::preload::lookup_preload;
use crate::model::HstsSource;

/// What [`HstsStore::observe`] did with a valid header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// The host was not known (or its entry had expired): it is now.
    Noted,
    /// The host was known: its entry now has the header's expiry and includeSubDomains.
    Updated,
    /// `max-age=0` removed the host's learned entry.
    Removed,
    /// `max-age=0`, and there was no learned entry for the exact host to remove (a preloaded
    /// entry, or a parent's includeSubDomains entry, still applies).
    None,
    /// The host is an IP literal, `localhost` or not a DNS name: HSTS never applies to it, so
    /// the header is ignored.
    NotApplicable,
}

/// When a learned entry stops applying. `At` sorts before `Never`, so `max` keeps the later.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Expiry {
    At(SystemTime),
    Never,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct LearnedEntry {
    pub(super) include_subdomains: bool,
    pub(super) expires: Expiry,
    pub(super) source: HstsSource,
}

impl LearnedEntry {
    /// Chromium keeps an entry until the current time is past its expiry.
    pub(super) fn is_live(&self, now: SystemTime) -> bool {
        match self.expires {
            Expiry::At(expires) => now <= expires,
            Expiry::Never => true,
        }
    }
}

/// The known HSTS hosts of a run: learned entries, then the preload list.
#[derive(Debug, Clone)]
pub struct HstsStore {
    /// Keyed by normalized host; a `BTreeMap` so the cache file comes out sorted.
    pub(super) learned: BTreeMap<String, LearnedEntry>,
    use_preload: bool,
}

impl HstsStore {
    /// An empty store; `use_preload` is false under `--no-preload`.
    pub fn new(use_preload: bool) -> Self {
        HstsStore {
            learned: BTreeMap::new(),
            use_preload,
        }
    }

    /// Applies a valid header received over https (without certificate errors) from `host`
    /// (RFC 6797 §8.1). The stored expiry uses the capped max-age.
    pub fn observe(&mut self, host: &str, sts: &Sts, now: SystemTime) -> Action {
        let Some(host) = normalize_host(host) else {
            return Action::NotApplicable;
        };
        let max_age = sts.effective_max_age();
        if max_age == 0 {
            return match self.learned.remove(&host) {
                Some(previous) if previous.is_live(now) => Action::Removed,
                _ => Action::None,
            };
        }
        // Only a `now` at the very end of SystemTime's range overflows; "never" is the nearest
        // meaning then.
        let expires = now
            .checked_add(Duration::from_secs(max_age))
            .map_or(Expiry::Never, Expiry::At);
        let entry = LearnedEntry {
            include_subdomains: sts.include_subdomains,
            expires,
            source: HstsSource::ThisRun,
        };
        match self.learned.insert(host, entry) {
            Some(previous) if previous.is_live(now) => Action::Updated,
            _ => Action::Noted,
        }
    }

    /// The entry that makes `host` a known HSTS host at `now`, if any: an unexpired learned
    /// entry first, then the preload list; in each, the exact host first, then its parents
    /// from the nearest, where only an includeSubDomains entry covers a subdomain.
    pub fn lookup(&self, host: &str, now: SystemTime) -> Option<Match> {
        let host = normalize_host(host)?;
        self.lookup_learned(&host, now).or_else(|| {
            if self.use_preload {
                lookup_preload(&host)
            } else {
                None
            }
        })
    }

    fn lookup_learned(&self, host: &str, now: SystemTime) -> Option<Match> {
        names_and_parents(host).find_map(|(name, is_exact)| {
            let entry = self.learned.get(name)?;
            (entry.is_live(now) && (is_exact || entry.include_subdomains)).then(|| Match {
                source: entry.source,
                matched: name.to_owned(),
                include_subdomains: entry.include_subdomains,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::CACHE_HEADER;
    use super::super::header::MAX_AGE_CAP;
    use super::super::tests::{at, sts};
    use super::*;
    use std::time::UNIX_EPOCH;

    #[test]
    fn observe_actions() {
        let now = at(1_000_000);
        let mut store = HstsStore::new(false);
        assert_eq!(
            store.observe("example.com", &sts(100, false, false), now),
            Action::Noted
        );
        assert_eq!(
            store.observe("EXAMPLE.com.", &sts(200, true, false), now),
            Action::Updated
        );
        assert_eq!(
            store.lookup("a.example.com", now).map(|m| m.matched),
            Some("example.com".to_owned())
        );
        assert_eq!(
            store.observe("example.com", &sts(0, false, false), now),
            Action::Removed
        );
        assert_eq!(store.lookup("example.com", now), None);
        assert_eq!(
            store.observe("example.com", &sts(0, true, false), now),
            Action::None
        );
        for host in ["127.0.0.1", "[::1]", "localhost", "x.localhost", "", "a..b"] {
            assert_eq!(
                store.observe(host, &sts(100, true, false), now),
                Action::NotApplicable,
                "host {host:?}"
            );
        }
        assert_eq!(store.cache_text(), CACHE_HEADER);
    }

    #[test]
    fn max_age_zero_removes_only_the_exact_entry() {
        let now = at(1_000_000);
        let mut store = HstsStore::new(false);
        store.observe("example.com", &sts(100, true, false), now);
        store.observe("www.example.com", &sts(100, false, false), now);
        assert_eq!(
            store.observe("www.example.com", &sts(0, false, false), now),
            Action::Removed
        );
        // The parent's includeSubDomains still covers the host.
        assert_eq!(
            store.lookup("www.example.com", now).map(|m| m.matched),
            Some("example.com".to_owned())
        );
        // And max-age=0 on a covered subdomain with no entry of its own removes nothing.
        assert_eq!(
            store.observe("api.example.com", &sts(0, false, false), now),
            Action::None
        );
        assert!(store.lookup("api.example.com", now).is_some());
    }

    #[test]
    fn an_expired_entry_is_gone() {
        let noted_at = at(1_000_000);
        let mut store = HstsStore::new(false);
        store.observe("example.com", &sts(100, false, false), noted_at);
        assert!(store.lookup("example.com", at(1_000_100)).is_some());
        assert_eq!(store.lookup("example.com", at(1_000_101)), None);
        // Seen again after expiry: noted anew, not updated; max-age=0 then has nothing live.
        assert_eq!(
            store.observe("example.com", &sts(100, false, false), at(2_000_000)),
            Action::Noted
        );
        assert_eq!(
            store.observe("example.com", &sts(0, false, false), at(3_000_000)),
            Action::None
        );
    }

    #[test]
    fn the_stored_max_age_is_capped_at_one_year() {
        let now = at(1_000_000);
        let mut store = HstsStore::new(false);
        store.observe("example.com", &sts(u64::MAX, false, false), now);
        assert!(
            store
                .lookup("example.com", at(1_000_000 + MAX_AGE_CAP))
                .is_some()
        );
        assert_eq!(
            store.lookup("example.com", at(1_000_000 + MAX_AGE_CAP + 1)),
            None
        );
        // Near the end of SystemTime's range, the expiry saturates instead of panicking.
        let far = UNIX_EPOCH + Duration::from_secs(i64::MAX as u64 - 10);
        assert_eq!(
            store.observe("far.example", &sts(MAX_AGE_CAP, false, false), far),
            Action::Noted
        );
        assert!(store.lookup("far.example", far).is_some());
    }

    #[test]
    fn lookup_matching_rules() {
        let now = at(1_000_000);
        let mut store = HstsStore::new(false);
        store.observe("sub.example.com", &sts(100, true, false), now);
        store.observe("exact.example.org", &sts(100, false, false), now);
        #[rustfmt::skip]
        let table: &[(&str, Option<(&str, bool)>)] = &[
            // host, (matched, include_subdomains)
            ("sub.example.com", Some(("sub.example.com", true))),
            ("SUB.Example.com.", Some(("sub.example.com", true))),
            ("a.sub.example.com", Some(("sub.example.com", true))),
            ("a.b.c.sub.example.com", Some(("sub.example.com", true))),
            ("example.com", None), // a subdomain's entry never covers its parent
            ("othersub.example.com", None),
            ("xsub.example.com", None), // a suffix that is not a label boundary
            ("exact.example.org", Some(("exact.example.org", false))),
            ("www.exact.example.org", None),
            ("127.0.0.1", None),
        ];
        for &(host, expected) in table {
            let found = store
                .lookup(host, now)
                .map(|m| (m.matched, m.include_subdomains));
            assert_eq!(
                found,
                expected.map(|(name, flag)| (name.to_owned(), flag)),
                "host {host:?}"
            );
        }
        // The nearest applicable entry wins: an exact-only entry does not hide a parent's
        // includeSubDomains entry from a deeper host.
        store.observe("example.com", &sts(100, true, false), now);
        store.observe("mid.example.com", &sts(100, false, false), now);
        assert_eq!(
            store.lookup("deep.mid.example.com", now).unwrap().matched,
            "example.com"
        );
        assert_eq!(
            store.lookup("mid.example.com", now).unwrap().matched,
            "mid.example.com"
        );
    }

    #[test]
    fn learned_entries_come_before_the_preload_list() {
        let now = at(1_000_000);
        let mut store = HstsStore::new(true);
        let preloaded = store.lookup("github.com", now).unwrap();
        assert_eq!(preloaded.source, HstsSource::Preload);
        store.observe("github.com", &sts(100, false, false), now);
        assert_eq!(
            store.lookup("github.com", now).unwrap().source,
            HstsSource::ThisRun
        );
        // The learned entry is exact-only, so a subdomain falls through to the preload list.
        assert_eq!(
            store.lookup("api.github.com", now).unwrap().source,
            HstsSource::Preload
        );
        // max-age=0 removes the learned entry; the preloaded one stays.
        assert_eq!(
            store.observe("github.com", &sts(0, false, false), now),
            Action::Removed
        );
        assert_eq!(
            store.observe("github.com", &sts(0, false, false), now),
            Action::None
        );
        assert_eq!(store.lookup("github.com", now), Some(preloaded));
        // --no-preload
        assert_eq!(HstsStore::new(false).lookup("github.com", now), None);
    }

    #[test]
    fn sources_are_named() {
        assert_eq!(
            HstsSource::ThisRun.to_string(),
            "a header seen earlier in this run"
        );
        assert_eq!(HstsSource::CacheFile.to_string(), "the HSTS cache file");
        assert_eq!(HstsSource::Preload.to_string(), "the Chromium preload list");
    }
}
