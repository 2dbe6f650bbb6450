//! The per-run cookie jar (RFC 6265 via `cookie_store`), with the reason a cookie was not
//! stored.
//!
//! `cookie_store` does the storage model and matching; it does not refuse a `Secure` cookie set
//! over plain http (RFC 6265bis §5.7) and does not read or write Netscape files, so those two
//! parts are written here (the file format in `netscape.rs`).

use cookie_store::{CookieError, CookieStore, RawCookie, StoreAction};
use url::Url;

use crate::model::SetCookie;

pub struct Jar {
    pub(super) store: CookieStore,
    enabled: bool,
}

impl Jar {
    pub fn new(enabled: bool) -> Self {
        Jar {
            store: CookieStore::new(),
            enabled,
        }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Stores `name=value` pairs as host-only cookies of `url` (what `-b 'a=1; b=2'` means), or
    /// as cookies of `domain` and its subdomains when given. A domain that does not cover `url`'s
    /// host is refused, as a server's `Set-Cookie` would be.
    pub fn seed_pairs(
        &mut self,
        pairs: &[(String, String)],
        url: &Url,
        domain: Option<&str>,
    ) -> Result<(), String> {
        let mut root = url.clone();
        root.set_path("/");
        for (name, value) in pairs {
            let mut cookie = RawCookie::build((name.clone(), value.clone())).path("/");
            if let Some(domain) = domain {
                cookie = cookie.domain(domain.to_owned());
            }
            // A pair the store refuses for another reason (an odd name) is simply not seeded.
            if let Err(CookieError::DomainMismatch) = self.store.insert_raw(&cookie.build(), &root)
            {
                return Err(format!(
                    "Domain={} does not cover {}, the host of the first URL",
                    domain.unwrap_or_default(),
                    url.host_str().unwrap_or_default()
                ));
            }
        }
        Ok(())
    }

    /// Handles one `Set-Cookie` field received from `url`.
    pub fn receive(&mut self, raw: &str, url: &Url) -> SetCookie {
        let refused = |reason: &str| SetCookie {
            raw: raw.to_owned(),
            stored: false,
            reason: Some(reason.to_owned()),
        };
        let Ok(cookie) = RawCookie::parse(raw) else {
            return refused("malformed: not a name=value pair");
        };
        if !self.enabled {
            return refused("cookies are off (--no-cookies)");
        }
        if cookie.secure() == Some(true) && !is_secure_context(url) {
            return refused("Secure cookie received over plain http");
        }
        match self.store.insert_raw(&cookie, url) {
            Ok(StoreAction::Inserted | StoreAction::UpdatedExisting) => SetCookie {
                raw: raw.to_owned(),
                stored: true,
                reason: None,
            },
            Ok(StoreAction::ExpiredExisting) => {
                refused("already expired: removed the stored cookie of that name")
            }
            Err(CookieError::Expired) => refused("already expired"),
            Err(CookieError::DomainMismatch) => refused(&format!(
                "Domain={} does not match the host {}",
                cookie.domain().unwrap_or_default(),
                url.host_str().unwrap_or_default()
            )),
            Err(CookieError::Parse) => refused("malformed"),
            Err(other) => refused(&other.to_string()),
        }
    }

    /// The `Cookie` header the jar would send to `url`, if any.
    pub fn header_for(&self, url: &Url) -> Option<String> {
        if !self.enabled {
            return None;
        }
        // `cookie_store` sends Secure cookies over plain http only to `localhost` and loopback IPs,
        // but `receive` also stores them from `*.localhost`: ask as https so both agree.
        let mut secure_url;
        let mut url = url;
        if url.scheme() == "http" && is_secure_context(url) {
            secure_url = url.clone();
            // Cannot fail: http and https are both special schemes.
            let _ = secure_url.set_scheme("https");
            url = &secure_url;
        }
        // RFC 6265 §5.4: longer paths first, then oldest first (the store keeps insertion order).
        let mut cookies = self.store.matches(url);
        cookies.sort_by_key(|cookie| std::cmp::Reverse(String::from(&cookie.path).len()));
        let pairs: Vec<String> = cookies
            .iter()
            .map(|cookie| format!("{}={}", cookie.name(), cookie.value()))
            .collect();
        (!pairs.is_empty()).then(|| pairs.join("; "))
    }
}

/// Browsers treat https and loopback hosts as secure contexts for cookies.
fn is_secure_context(url: &Url) -> bool {
    match url.host() {
        _ if url.scheme() == "https" => true,
        Some(url::Host::Domain(domain)) => domain == "localhost" || domain.ends_with(".localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn set_cookie_outcomes() {
        let mut jar = Jar::new(true);
        #[rustfmt::skip]
        let table: &[(&str, &str, bool, &str)] = &[
            ("http://shop.test/", "sid=1; Path=/", true, ""),
            ("http://shop.test/", "s=1; Secure", false, "Secure cookie received over plain http"),
            ("https://shop.test/", "s=1; Secure", true, ""),
            ("http://127.0.0.1/", "s=1; Secure", true, ""),
            ("http://shop.test/", "d=1; Domain=other.test", false, "does not match the host"),
            ("http://shop.test/", "old=1; Expires=Thu, 01 Jan 1970 00:00:00 GMT", false, "already expired"),
            ("http://shop.test/", "no equals sign", false, "malformed"),
            ("http://www.shop.test/", "p=1; Domain=shop.test", true, ""),
        ];
        for &(from, raw, stored, reason) in table {
            let got = jar.receive(raw, &url(from));
            assert_eq!(got.stored, stored, "{raw} from {from}: {got:?}");
            assert!(got.reason.unwrap_or_default().contains(reason), "{raw}");
        }
        assert_eq!(
            jar.header_for(&url("http://shop.test/x")).as_deref(),
            Some("sid=1; p=1")
        );
        assert_eq!(jar.header_for(&url("http://auth.test/")), None);
    }

    #[test]
    fn longer_paths_are_sent_first() {
        let mut jar = Jar::new(true);
        jar.receive("root=1; Path=/", &url("http://shop.test/"));
        jar.receive("deep=2; Path=/deep", &url("http://shop.test/deep/x"));
        assert_eq!(
            jar.header_for(&url("http://shop.test/deep/x")).as_deref(),
            Some("deep=2; root=1")
        );
        assert_eq!(
            jar.header_for(&url("http://shop.test/other")).as_deref(),
            Some("root=1")
        );
    }

    #[test]
    fn secure_cookies_from_secure_contexts_are_sent_back_there() {
        for origin in [
            "http://127.0.0.1:8080/",
            "http://localhost/",
            "http://app.localhost/",
            "http://[::1]/",
            "https://shop.test/",
        ] {
            let mut jar = Jar::new(true);
            assert!(
                jar.receive("s=1; Secure; Path=/", &url(origin)).stored,
                "{origin}"
            );
            assert_eq!(
                jar.header_for(&url(origin)).as_deref(),
                Some("s=1"),
                "{origin}"
            );
        }
        let mut jar = Jar::new(true);
        jar.receive("s=1; Secure; Path=/", &url("https://shop.test/"));
        assert_eq!(jar.header_for(&url("http://shop.test/")), None);
    }

    #[test]
    fn expired_cookie_removes_stored_one() {
        let mut jar = Jar::new(true);
        jar.receive("a=1; Path=/", &url("http://shop.test/"));
        let removal = jar.receive("a=; Path=/; Max-Age=0", &url("http://shop.test/"));
        assert!(!removal.stored);
        assert_eq!(jar.header_for(&url("http://shop.test/")), None);
    }

    #[test]
    fn disabled_jar_stores_nothing() {
        let mut jar = Jar::new(false);
        let got = jar.receive("a=1", &url("http://shop.test/"));
        assert_eq!(
            got.reason.as_deref(),
            Some("cookies are off (--no-cookies)")
        );
        assert_eq!(jar.header_for(&url("http://shop.test/")), None);
    }

    #[test]
    fn seeded_pairs_are_host_only() {
        let mut jar = Jar::new(true);
        jar.seed_pairs(
            &[("a".into(), "1".into())],
            &url("http://shop.test/deep/path"),
            None,
        )
        .unwrap();
        assert_eq!(
            jar.header_for(&url("http://shop.test/other")).as_deref(),
            Some("a=1")
        );
        assert_eq!(jar.header_for(&url("http://www.shop.test/")), None);

        let mut scoped = Jar::new(true);
        scoped
            .seed_pairs(
                &[("a".into(), "1".into())],
                &url("http://shop.test/"),
                Some("shop.test"),
            )
            .unwrap();
        assert_eq!(
            scoped.header_for(&url("http://www.shop.test/")).as_deref(),
            Some("a=1")
        );
        let refused = Jar::new(true).seed_pairs(
            &[("a".into(), "1".into())],
            &url("http://shop.test/"),
            Some("other.test"),
        );
        assert!(refused.unwrap_err().contains("does not cover shop.test"));
    }
}
