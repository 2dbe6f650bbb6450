//! Hosts as HSTS compares them ([`normalize_host`]), the names whose entries could cover one,
//! and the https URL a known host's `http://` URL becomes ([`upgrade`]).
//!
//! [`normalize_host`] is the one form every comparison uses: lowercase, one trailing dot
//! stripped, IDNs in punycode (`xn--` A-labels, as the WHATWG URL host parser produces them).
//! IP literals and `localhost` (and `*.localhost`) normalize to `None`: HSTS never applies to
//! them (RFC 6797 §8.1 and §8.3 for IP literals; `localhost` by the rules of
//! docs/rules.md §7), so a lookup or an observation for them is a no-op.
//!
//! An upgrade is [`upgrade`]: `http` becomes `https`, port 80 becomes 443, other ports are kept.

use url::Url;

/// The form of a host every HSTS comparison uses: lowercase ASCII, one trailing dot stripped,
/// IDN labels in punycode. `None` for IP literals (v4, v6, bracketed or not), `localhost` and
/// `*.localhost`, and anything that is not a DNS name (empty labels, a label over 63 bytes, a
/// name over 253): HSTS never applies to those.
pub fn normalize_host(host: &str) -> Option<String> {
    let host = host.strip_suffix('.').unwrap_or(host);
    // The WHATWG host parser: percent-decoding, UTS #46 mapping (lowercase, punycode), and
    // IPv4 in all its spellings (`127.1`, `0x7f.0.0.1`) recognized as an address.
    let url::Host::Domain(domain) = url::Host::parse(host).ok()? else {
        return None;
    };
    let is_dns_name = domain.len() <= 253
        && domain
            .split('.')
            .all(|label| !label.is_empty() && label.len() <= 63);
    let is_localhost = domain == "localhost" || domain.ends_with(".localhost");
    (is_dns_name && !is_localhost).then_some(domain)
}

/// The https URL an `http://` URL is upgraded to for a known HSTS host (RFC 6797 §8.3): port 80,
/// explicit or implied, becomes https's default 443; any other explicit port is kept. `None`
/// when the URL is not `http`.
pub fn upgrade(url: &Url) -> Option<Url> {
    if url.scheme() != "http" {
        return None;
    }
    let mut upgraded = url.clone();
    // The url crate never stores a port equal to the scheme's default, so `:80` is already gone
    // from an http URL, and `set_scheme` drops a `:443` that becomes https's default.
    upgraded.set_scheme("https").ok()?;
    Some(upgraded)
}

/// `a.b.c` → (`a.b.c`, exact), (`b.c`, parent), (`c`, parent): the names whose entry could
/// cover `host`, nearest first.
pub(super) fn names_and_parents(host: &str) -> impl Iterator<Item = (&str, bool)> {
    std::iter::once((host, true)).chain(
        host.match_indices('.')
            .map(move |(dot, _)| (&host[dot + 1..], false)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn host_normalization() {
        #[rustfmt::skip]
        let table: &[(&str, Option<&str>)] = &[
            ("example.com", Some("example.com")),
            ("EXAMPLE.com", Some("example.com")),
            ("example.com.", Some("example.com")),
            ("Example.COM.", Some("example.com")),
            ("example.com..", None), // only one trailing dot is stripped
            ("www.example.com", Some("www.example.com")),
            ("dev", Some("dev")),
            ("b\u{fc}cher.example", Some("xn--bcher-kva.example")),
            ("B\u{dc}CHER.example.", Some("xn--bcher-kva.example")),
            ("xn--bcher-kva.example", Some("xn--bcher-kva.example")),
            ("\u{4f8b}\u{5b50}.\u{4e9a}\u{9a6c}\u{900a}", Some("xn--fsqu00a.xn--jlq480n2rg")),
            ("stra\u{df}e.de", Some("xn--strae-oqa.de")),
            ("under_score.example", Some("under_score.example")),
            // IP literals
            ("127.0.0.1", None),
            ("127.0.0.1.", None),
            ("1.0.0.1", None),
            ("127.1", None),
            ("0x7f.0.0.1", None),
            ("[::1]", None),
            ("[2001:db8::1]", None),
            ("::1", None),
            ("2001:db8::1", None),
            // localhost
            ("localhost", None),
            ("LOCALHOST", None),
            ("localhost.", None),
            ("app.localhost", None),
            ("a.b.localhost.", None),
            ("localhost.example", Some("localhost.example")),
            ("notlocalhost", Some("notlocalhost")),
            // not DNS names
            ("", None),
            (".", None),
            ("..", None),
            (".example.com", None),
            ("a..b", None),
            ("exa mple.com", None),
            ("example.com:443", None),
            ("xn--", None),
        ];
        for &(host, expected) in table {
            assert_eq!(normalize_host(host).as_deref(), expected, "host {host:?}");
        }
        let long_label = "a".repeat(64);
        assert_eq!(normalize_host(&format!("{long_label}.com")), None);
        assert!(normalize_host(&format!("{}.com", "a".repeat(63))).is_some());
        let long_name = vec!["abcdefghi"; 26].join("."); // 259 bytes
        assert_eq!(normalize_host(&long_name), None);
    }

    #[test]
    fn upgrades() {
        #[rustfmt::skip]
        let table: &[(&str, Option<&str>)] = &[
            ("http://example.com/", Some("https://example.com/")),
            ("http://example.com:80/a?b#c", Some("https://example.com/a?b#c")),
            ("http://example.com:8080/", Some("https://example.com:8080/")),
            ("http://example.com:443/", Some("https://example.com/")),
            ("http://user:pw@example.com/p", Some("https://user:pw@example.com/p")),
            ("http://b\u{fc}cher.example/", Some("https://xn--bcher-kva.example/")),
            ("https://example.com/", None),
            ("https://example.com:8443/", None),
            ("ftp://example.com/", None),
        ];
        for &(from, to) in table {
            assert_eq!(
                upgrade(&url(from)).map(String::from).as_deref(),
                to,
                "url {from}"
            );
        }
    }
}
