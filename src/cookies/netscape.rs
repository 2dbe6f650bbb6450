//! The Netscape cookie file format that curl reads (`-b FILE`) and writes (`-c FILE`):
//! seven tab-separated fields a line, `#HttpOnly_` before the domain of an HttpOnly cookie.
//! `cookie_store` has no reader or writer for it, so it is written here.

use cookie_store::RawCookie;
use url::Url;

use super::jar::Jar;

/// What [`Jar::load_netscape`] made of a cookie file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetscapeLoad {
    /// Cookies added to the jar.
    pub loaded: usize,
    /// Lines that are not cookie lines; skipped, as curl does, instead of rejecting the file.
    pub skipped: Vec<SkippedLine>,
}

/// A cookie file line that was skipped, for a warning.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedLine {
    /// 1-based.
    pub line: usize,
    pub reason: String,
}

/// The jar as a Netscape cookie file, and the cookies that file cannot hold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetscapeFile {
    pub text: String,
    pub left_out: Vec<LeftOut>,
}

/// A cookie left out of a written file, for a warning. Its value is not repeated: it may be a
/// secret, and it is what could not be written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LeftOut {
    pub name: String,
    pub domain: String,
    pub reason: String,
}

/// The cookie lines of a Netscape cookie file, each with the URL it is stored as from, and the
/// lines that are not cookie lines.
#[derive(Debug, Clone, Default)]
pub struct ParsedCookies {
    cookies: Vec<(RawCookie<'static>, Url)>,
    pub skipped: Vec<SkippedLine>,
}

impl ParsedCookies {
    pub fn parse(text: &str) -> ParsedCookies {
        let mut parsed = ParsedCookies::default();
        for (number, line) in text.lines().enumerate() {
            let (line, http_only) = match line.strip_prefix("#HttpOnly_") {
                Some(rest) => (rest, true),
                None => (line, false),
            };
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            match parse_line(line, http_only) {
                Ok(cookie) => parsed.cookies.push(cookie),
                Err(reason) => parsed.skipped.push(SkippedLine {
                    line: number + 1,
                    reason,
                }),
            }
        }
        parsed
    }
}

impl Jar {
    /// Reads a Netscape cookie file (curl's `-b FILE` / `-c FILE` format). A line that is not a
    /// cookie line is skipped and reported, as curl skips it; the rest of the file still counts.
    pub fn load_netscape(&mut self, text: &str) -> NetscapeLoad {
        let parsed = ParsedCookies::parse(text);
        NetscapeLoad {
            loaded: self.insert_parsed(&parsed),
            skipped: parsed.skipped,
        }
    }

    /// Adds the cookies of a file read once (`hops check` seeds every row's jar with them);
    /// returns how many the store took.
    pub fn insert_parsed(&mut self, parsed: &ParsedCookies) -> usize {
        // A cookie the store refuses (already expired) is left out, as curl does.
        parsed
            .cookies
            .iter()
            .filter(|(cookie, origin)| self.store.insert_raw(cookie, origin).is_ok())
            .count()
    }

    /// The jar in Netscape format, as curl's `-c` writes it. A cookie with a tab, CR or LF in
    /// its name, value, domain or path would break its line (or the file for the next reader),
    /// so it is left out and reported instead.
    pub fn to_netscape(&self) -> NetscapeFile {
        let mut file = NetscapeFile {
            text: String::from(
                "# Netscape HTTP Cookie File\n# Written by hops. Edit at your own risk.\n\n",
            ),
            left_out: Vec::new(),
        };
        for cookie in self.store.iter_unexpired() {
            let host_only = matches!(cookie.domain, cookie_store::CookieDomain::HostOnly(_));
            let domain = String::from(&cookie.domain);
            let path = String::from(&cookie.path);
            let fields = [
                ("name", cookie.name()),
                ("value", cookie.value()),
                ("domain", domain.as_str()),
                ("path", path.as_str()),
            ];
            if let Some(reason) = fields
                .iter()
                .find_map(|(field, text)| unwritable(field, text))
            {
                file.left_out.push(LeftOut {
                    name: cookie.name().to_owned(),
                    domain: domain.clone(),
                    reason,
                });
                continue;
            }
            let expires = match cookie.expires {
                cookie_store::CookieExpiration::AtUtc(at) => at.unix_timestamp(),
                cookie_store::CookieExpiration::SessionEnd => 0,
            };
            file.text.push_str(&format!(
                "{}{}{}\t{}\t{}\t{}\t{}\t{}\t{}\n",
                if cookie.http_only() == Some(true) {
                    "#HttpOnly_"
                } else {
                    ""
                },
                if host_only { "" } else { "." },
                domain,
                if host_only { "FALSE" } else { "TRUE" },
                path,
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
        file
    }
}

/// One cookie line (the `#HttpOnly_` prefix already taken off) as a cookie and the origin it is
/// stored for.
fn parse_line(line: &str, http_only: bool) -> Result<(RawCookie<'static>, Url), String> {
    let fields: Vec<&str> = line.split('\t').collect();
    let [domain, _subdomains, path, secure, expires, name, value] = fields[..] else {
        return Err(format!(
            "expected 7 tab-separated fields, found {}",
            fields.len()
        ));
    };
    let expires: i64 = expires
        .trim()
        .parse()
        .map_err(|_| format!("bad expiry {expires:?}"))?;
    let host = domain.trim_start_matches('.');
    let secure = secure.eq_ignore_ascii_case("TRUE");
    let origin = Url::parse(&format!(
        "{}://{host}/",
        if secure { "https" } else { "http" }
    ))
    .map_err(|_| format!("bad domain {domain:?}"))?;
    let mut builder = RawCookie::build((name.to_owned(), value.to_owned()))
        .path(path.to_owned())
        .secure(secure)
        .http_only(http_only);
    if domain.starts_with('.') {
        builder = builder.domain(host.to_owned());
    }
    if expires > 0 {
        let at = time::OffsetDateTime::from_unix_timestamp(expires)
            .map_err(|_| format!("bad expiry {expires}"))?;
        if let cookie_store::CookieExpiration::AtUtc(at) = cookie_store::CookieExpiration::from(at)
        {
            builder = builder.expires(at);
        }
    }
    Ok((builder.build(), origin))
}

/// Why `text`, a cookie's `field`, cannot be written in a Netscape file, if it cannot.
fn unwritable(field: &str, text: &str) -> Option<String> {
    let what = match text.chars().find(|c| matches!(c, '\t' | '\r' | '\n'))? {
        '\t' => "a tab",
        '\r' => "a carriage return",
        _ => "a line feed",
    };
    Some(format!(
        "its {field} holds {what}, which a Netscape cookie file cannot hold"
    ))
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
        assert_eq!(jar.load_netscape(file).loaded, 2);
        assert_eq!(
            jar.header_for(&url("http://www.shop.test/")).as_deref(),
            Some("domain=1")
        );
        assert_eq!(
            jar.header_for(&url("https://auth.test/")).as_deref(),
            Some("secret=2")
        );
        assert_eq!(jar.header_for(&url("http://auth.test/")), None);
        let written = jar.to_netscape().text;
        assert!(
            written.contains(".shop.test\tTRUE\t/\tFALSE\t0\tdomain\t1"),
            "{written}"
        );
        assert!(
            written.contains("#HttpOnly_auth.test\tFALSE\t/\tTRUE\t4102444800\tsecret\t2"),
            "{written}"
        );
        let mut again = Jar::new(true);
        assert_eq!(again.load_netscape(&written).loaded, 2);
    }

    #[test]
    fn bad_lines_are_skipped_and_the_rest_is_read() {
        let mut jar = Jar::new(true);
        let file = "# Netscape HTTP Cookie File\n\
                    bad line\n\
                    shop.test\tFALSE\t/\tFALSE\tsoon\ta\t1\n\
                    shop.test\tFALSE\t/\tFALSE\t0\tgood\t2\n\
                    shop.test\tFALSE\t/\tFALSE\t0\tt\ta\tb\n";
        let report = jar.load_netscape(file);
        assert_eq!(report.loaded, 1);
        let skipped: Vec<(usize, &str)> = report
            .skipped
            .iter()
            .map(|s| (s.line, s.reason.as_str()))
            .collect();
        assert_eq!(
            skipped,
            [
                (2, "expected 7 tab-separated fields, found 1"),
                (3, "bad expiry \"soon\""),
                (5, "expected 7 tab-separated fields, found 8"),
            ]
        );
        assert_eq!(
            jar.header_for(&url("http://shop.test/")).as_deref(),
            Some("good=2")
        );
    }

    #[test]
    fn cookies_the_format_cannot_hold_are_left_out() {
        let mut jar = Jar::new(true);
        let from = url("http://shop.test/");
        assert!(jar.receive("t=a\tb; Path=/", &from).stored);
        assert!(jar.receive("ok=1; Path=/", &from).stored);
        let written = jar.to_netscape();
        assert_eq!(
            written.left_out,
            [LeftOut {
                name: "t".into(),
                domain: "shop.test".into(),
                reason: "its value holds a tab, which a Netscape cookie file cannot hold".into(),
            }]
        );
        assert!(written.text.contains("\tok\t1\n"), "{}", written.text);
        assert!(!written.text.contains("\tt\t"), "{}", written.text);
        let mut again = Jar::new(true);
        let report = again.load_netscape(&written.text);
        assert_eq!((report.loaded, report.skipped.len()), (1, 0));
    }
}
