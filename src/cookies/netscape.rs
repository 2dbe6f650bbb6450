//! The Netscape cookie file format that curl reads (`-b FILE`) and writes (`-c FILE`):
//! seven tab-separated fields a line, `#HttpOnly_` before the domain of an HttpOnly cookie.
//! `cookie_store` has no reader or writer for it, so it is written here.

use cookie_store::RawCookie;
use url::Url;

use super::jar::Jar;

impl Jar {
    /// Reads a Netscape cookie file (curl's `-b FILE` / `-c FILE` format).
    pub fn load_netscape(&mut self, text: &str) -> Result<usize, String> {
        let mut loaded = 0;
        for (number, line) in text.lines().enumerate() {
            let (line, http_only) = match line.strip_prefix("#HttpOnly_") {
                Some(rest) => (rest, true),
                None => (line, false),
            };
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split('\t').collect();
            let [domain, _subdomains, path, secure, expires, name, value] = fields[..] else {
                return Err(format!(
                    "line {}: expected 7 tab-separated fields",
                    number + 1
                ));
            };
            let expires: i64 = expires
                .trim()
                .parse()
                .map_err(|_| format!("line {}: bad expiry {expires:?}", number + 1))?;
            let host = domain.trim_start_matches('.');
            let secure = secure.eq_ignore_ascii_case("TRUE");
            let origin = Url::parse(&format!(
                "{}://{host}/",
                if secure { "https" } else { "http" }
            ))
            .map_err(|_| format!("line {}: bad domain {domain:?}", number + 1))?;
            let mut builder = RawCookie::build((name.to_owned(), value.to_owned()))
                .path(path.to_owned())
                .secure(secure)
                .http_only(http_only);
            if domain.starts_with('.') {
                builder = builder.domain(host.to_owned());
            }
            if expires > 0 {
                let at = cookie_store::CookieExpiration::from(
                    time::OffsetDateTime::from_unix_timestamp(expires)
                        .map_err(|_| format!("line {}: bad expiry {expires}", number + 1))?,
                );
                if let cookie_store::CookieExpiration::AtUtc(at) = at {
                    builder = builder.expires(at);
                }
            }
            if self.store.insert_raw(&builder.build(), &origin).is_ok() {
                loaded += 1;
            }
        }
        Ok(loaded)
    }

    /// The jar in Netscape format, as curl's `-c` writes it.
    pub fn to_netscape(&self) -> String {
        let mut out = String::from(
            "# Netscape HTTP Cookie File\n# Written by hops. Edit at your own risk.\n\n",
        );
        for cookie in self.store.iter_unexpired() {
            let host_only = matches!(cookie.domain, cookie_store::CookieDomain::HostOnly(_));
            let domain = String::from(&cookie.domain);
            let expires = match cookie.expires {
                cookie_store::CookieExpiration::AtUtc(at) => at.unix_timestamp(),
                cookie_store::CookieExpiration::SessionEnd => 0,
            };
            out.push_str(&format!(
                "{}{}{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                if cookie.http_only() == Some(true) {
                    "#HttpOnly_"
                } else {
                    ""
                },
                if host_only { "" } else { "." },
                domain,
                if host_only { "FALSE" } else { "TRUE" },
                String::from(&cookie.path),
                if cookie.secure() == Some(true) {
                    "TRUE"
                } else {
                    "FALSE"
                },
                expires,
                cookie.name(),
                cookie.value()
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn netscape_round_trip() {
        let mut jar = Jar::new(true);
        let file = "# Netscape HTTP Cookie File\n\
                    .shop.test\tTRUE\t/\tFALSE\t0\tdomain\t1\n\
                    #HttpOnly_auth.test\tFALSE\t/\tTRUE\t4102444800\tsecret\t2\n";
        assert_eq!(jar.load_netscape(file), Ok(2));
        assert_eq!(
            jar.header_for(&url("http://www.shop.test/")).as_deref(),
            Some("domain=1")
        );
        assert_eq!(
            jar.header_for(&url("https://auth.test/")).as_deref(),
            Some("secret=2")
        );
        assert_eq!(jar.header_for(&url("http://auth.test/")), None);
        let written = jar.to_netscape();
        assert!(
            written.contains(".shop.test\tTRUE\t/\tFALSE\t0\tdomain\t1"),
            "{written}"
        );
        assert!(
            written.contains("#HttpOnly_auth.test\tFALSE\t/\tTRUE\t4102444800\tsecret\t2"),
            "{written}"
        );
        let mut again = Jar::new(true);
        assert_eq!(again.load_netscape(&written), Ok(2));
        assert!(Jar::new(true).load_netscape("bad line\n").is_err());
    }
}
