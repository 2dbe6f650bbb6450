//! What may be shown: credentials in headers, cookie values and URL passwords are masked in every
//! output unless the user asked for `--show-secrets` (docs/rules.md §4.5). One type, used by every
//! renderer and by the checks. Also how much of an overlong value is shown ([`abbreviate`]).

use std::borrow::Cow;

use url::Url;

/// Header values that are credentials: shown as their scheme followed by `****`.
const SECRET_HEADERS: [&str; 2] = ["authorization", "proxy-authorization"];

/// Header values that may hold a URL, and so a password in its userinfo.
const URL_HEADERS: [&str; 5] = ["location", "content-location", "refresh", "referer", "link"];

/// Words that make a header name one that usually carries a secret (`X-Api-Key`,
/// `X-Auth-Token`, `X-Session-Id`, ...), matched anywhere in the lower-case name.
const SECRET_NAME_WORDS: [&str; 4] = ["token", "secret", "key", "session"];

/// Names that contain one of [`SECRET_NAME_WORDS`] but hold nothing secret: the WebSocket key is
/// a public nonce (its answer, `Sec-WebSocket-Accept`, is derived from it in the clear).
const PUBLIC_NAMES: [&str; 1] = ["sec-websocket-key"];

/// What replaces a secret.
const MASK: &str = "****";

/// Values longer than this many bytes are shown in part by [`abbreviate`].
pub const SHOWN_BYTES: usize = 4096;

/// How many characters of an overlong value [`abbreviate`] keeps.
pub const SHOWN_PREFIX_CHARS: usize = 200;

/// What an output may show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Redactor {
    pub show_secrets: bool,
}

impl Redactor {
    /// A URL with its password masked.
    pub fn url(&self, url: &Url) -> String {
        if self.show_secrets || url.password().is_none() {
            return url.to_string();
        }
        let mut shown = url.clone();
        let _ = shown.set_password(Some(MASK));
        shown.to_string()
    }

    /// A header value as it may be shown: credentials masked, cookie values masked, values of
    /// headers whose name says they hold a secret masked, passwords in URLs masked.
    pub fn header_value(&self, name: &str, value: &str) -> String {
        if self.show_secrets {
            return value.to_owned();
        }
        let lower = name.to_ascii_lowercase();
        if URL_HEADERS.contains(&lower.as_str()) {
            return self.text(value);
        }
        if SECRET_HEADERS.contains(&lower.as_str()) {
            return match value.split_once(' ') {
                Some((scheme, _)) => format!("{scheme} {MASK}"),
                None => MASK.to_owned(),
            };
        }
        match lower.as_str() {
            "cookie" => self.cookie(value),
            "set-cookie" => self.set_cookie(value),
            _ if is_secret_name(&lower) => MASK.to_owned(),
            _ => value.to_owned(),
        }
    }

    /// Header pairs as they may be shown.
    pub fn headers(&self, pairs: &[(String, String)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(name, value)| (name.clone(), self.header_value(name, value)))
            .collect()
    }

    /// A `Cookie` header value: every pair keeps its name and loses its value
    /// (`sid=****; theme=****`).
    pub fn cookie(&self, value: &str) -> String {
        if self.show_secrets {
            return value.to_owned();
        }
        within_quotes(value, |inner| {
            inner
                .split(';')
                .map(mask_pair_value)
                .collect::<Vec<_>>()
                .join(";")
        })
    }

    /// A `Set-Cookie` value: the cookie's value is masked, its attributes stay visible
    /// (`sid=****; Path=/; HttpOnly`).
    pub fn set_cookie(&self, value: &str) -> String {
        if self.show_secrets {
            return value.to_owned();
        }
        within_quotes(value, |inner| match inner.split_once(';') {
            Some((pair, attributes)) => format!("{};{attributes}", mask_pair_value(pair)),
            None => mask_pair_value(inner),
        })
    }

    /// Free text that is not a parsed URL but may hold some (a raw `Location` value, a refresh
    /// value, a message): the password of every `scheme://user:password@host` in it is masked,
    /// and of every `//user:password@host` (a scheme-relative reference).
    ///
    /// Authorities are looked for after every `//`, wherever it is, so a path with `//a:b@c` in
    /// it is masked too: showing a little less is better than showing a password.
    pub fn text(&self, text: &str) -> String {
        if self.show_secrets {
            return text.to_owned();
        }
        let mut shown = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(slashes) = rest.find("//") {
            // A run of slashes is one separator: `http:///u:p@host` has the authority `u:p@host`.
            let start =
                slashes + rest[slashes..].len() - rest[slashes..].trim_start_matches('/').len();
            let end = rest[start..]
                .find(['/', '?', '#'])
                .map_or(rest.len(), |i| start + i);
            let authority = &rest[start..end];
            shown.push_str(&rest[..start]);
            match authority
                .rfind('@')
                .and_then(|at| authority[..at].find(':').map(|colon| (colon, at)))
            {
                Some((colon, at)) => {
                    shown.push_str(&authority[..=colon]);
                    shown.push_str(MASK);
                    shown.push_str(&authority[at..]);
                }
                None => shown.push_str(authority),
            }
            rest = &rest[end..];
        }
        shown.push_str(rest);
        shown
    }
}

/// A header name that usually carries a secret (see [`SECRET_NAME_WORDS`]); `lower` is lower case.
fn is_secret_name(lower: &str) -> bool {
    !PUBLIC_NAMES.contains(&lower) && SECRET_NAME_WORDS.iter().any(|word| lower.contains(word))
}

/// One `name=value` pair with its value masked, its spacing kept; a pair without `=` is all
/// value (RFC 6265bis reads it as a cookie with an empty name).
fn mask_pair_value(pair: &str) -> String {
    let lead = &pair[..pair.len() - pair.trim_start().len()];
    match pair.split_once('=') {
        Some((name, _)) => format!("{name}={MASK}"),
        None if pair.trim().is_empty() => pair.to_owned(),
        None => format!("{lead}{MASK}"),
    }
}

/// Applies `mask` inside the double quotes of a value recorded quoted and escaped (one that was
/// not printable ASCII), so the closing quote is not lost with the last value.
fn within_quotes(value: &str, mask: impl Fn(&str) -> String) -> String {
    match value
        .strip_prefix('"')
        .and_then(|inner| inner.strip_suffix('"'))
    {
        Some(inner) => format!("\"{}\"", mask(inner)),
        None => mask(value),
    }
}

/// An overlong value as a person should see it: values up to [`SHOWN_BYTES`] whole, longer ones
/// as their first [`SHOWN_PREFIX_CHARS`] characters and `…(N bytes)`.
pub fn abbreviate(text: &str) -> Cow<'_, str> {
    if text.len() <= SHOWN_BYTES {
        return Cow::Borrowed(text);
    }
    let end = text
        .char_indices()
        .nth(SHOWN_PREFIX_CHARS)
        .map_or(text.len(), |(i, _)| i);
    Cow::Owned(format!("{}…({} bytes)", &text[..end], text.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_redacted_unless_asked() {
        let hide = Redactor::default();
        assert_eq!(
            hide.header_value("Authorization", "Bearer abc"),
            "Bearer ****"
        );
        assert_eq!(hide.header_value("proxy-authorization", "abc"), "****");
        assert_eq!(hide.header_value("x-other", "abc"), "abc");
        assert_eq!(
            hide.header_value("Location", "http://u:p@a.test/"),
            "http://u:****@a.test/"
        );
        assert_eq!(
            hide.text("http://u:p@shop.test/"),
            "http://u:****@shop.test/"
        );
        assert_eq!(hide.text("http://u@shop.test/"), "http://u@shop.test/");
        assert_eq!(
            hide.text("//u:p@cdn.test/x?a=b:c@d"),
            "//u:****@cdn.test/x?a=b:c@d"
        );
        assert_eq!(hide.text("/path?x=a:b@c"), "/path?x=a:b@c");
        let show = Redactor { show_secrets: true };
        assert_eq!(
            show.header_value("authorization", "Bearer abc"),
            "Bearer abc"
        );
        assert_eq!(show.text("http://u:p@shop.test/"), "http://u:p@shop.test/");
    }

    #[test]
    fn every_url_in_free_text_loses_its_password() {
        let hide = Redactor::default();
        #[rustfmt::skip]
        let table = [
            ("http://a:pw1@x.test/, http://b:pw2@x.test/", "http://a:****@x.test/, http://b:****@x.test/"),
            ("\"http://a:pw1@x.test/\\x01\" and \"//b:pw2@y.test\"", "\"http://a:****@x.test/\\x01\" and \"//b:****@y.test\""),
            ("0; url=http://u:p@a.test?next=https://v:q@b.test/", "0; url=http://u:****@a.test?next=https://v:****@b.test/"),
            ("http:///u:p@a.test/", "http:///u:****@a.test/"),
            ("http://u:p@ss@a.test/x", "http://u:****@a.test/x"),
            ("<http://u:p@a.test/>; rel=next, <http://v:q@b.test/>", "<http://u:****@a.test/>; rel=next, <http://v:****@b.test/>"),
            ("no url here: a:b@c", "no url here: a:b@c"),
            ("http://a.test//x:y@z", "http://a.test//x:****@z"),
            ("ends with //", "ends with //"),
        ];
        for (text, expected) in table {
            assert_eq!(hide.text(text), expected, "{text}");
        }
        let show = Redactor { show_secrets: true };
        assert_eq!(show.text(table[0].0), table[0].0);
    }

    #[test]
    fn cookie_values_are_masked_and_names_kept() {
        let hide = Redactor::default();
        #[rustfmt::skip]
        let table = [
            ("Cookie", "sid=s3cret", "sid=****"),
            ("cookie", "sid=s3cret; theme=dark", "sid=****; theme=****"),
            ("Cookie", "lonely; a=", "****; a=****"),
            ("Cookie", "\"a=\\xC2\\x9B; b=2\"", "\"a=****; b=****\""),
            ("Set-Cookie", "sid=s3cret; Path=/; HttpOnly", "sid=****; Path=/; HttpOnly"),
            ("set-cookie", "sid=s3cret", "sid=****"),
            ("Set-Cookie", "no-equals-sign", "****"),
            ("Set-Cookie", "a=b=c; Domain=x.test", "a=****; Domain=x.test"),
        ];
        for (name, value, expected) in table {
            assert_eq!(hide.header_value(name, value), expected, "{name}: {value}");
        }
        assert_eq!(
            hide.set_cookie("sid=s3cret; Secure"),
            hide.header_value("Set-Cookie", "sid=s3cret; Secure")
        );
        let show = Redactor { show_secrets: true };
        assert_eq!(show.header_value("Cookie", "sid=s3cret"), "sid=s3cret");
        assert_eq!(show.set_cookie("sid=s3cret; Path=/"), "sid=s3cret; Path=/");
    }

    #[test]
    fn header_names_that_hold_secrets() {
        let hide = Redactor::default();
        for name in [
            "X-Api-Key",
            "X-Auth-Token",
            "Api-Key",
            "X-CSRF-TOKEN",
            "X-Client-Secret",
            "X-Session-Id",
            "Idempotency-Key",
        ] {
            assert_eq!(hide.header_value(name, "v4lue"), "****", "{name}");
        }
        for name in [
            "Keep-Alive",
            "Sec-WebSocket-Key",
            "Content-Type",
            "X-Request-Id",
        ] {
            assert_eq!(hide.header_value(name, "v4lue"), "v4lue", "{name}");
        }
        let show = Redactor { show_secrets: true };
        assert_eq!(show.header_value("X-Api-Key", "v4lue"), "v4lue");
    }

    #[test]
    fn typed_urls_lose_only_the_password() {
        let url = Url::parse("http://u:p@shop.test:8080/a?b=c#d").unwrap();
        assert_eq!(
            Redactor::default().url(&url),
            "http://u:****@shop.test:8080/a?b=c#d"
        );
        assert_eq!(
            Redactor { show_secrets: true }.url(&url),
            "http://u:p@shop.test:8080/a?b=c#d"
        );
        let plain = Url::parse("http://u@shop.test/").unwrap();
        assert_eq!(Redactor::default().url(&plain), "http://u@shop.test/");
    }

    #[test]
    fn overlong_values_are_abbreviated() {
        assert_eq!(abbreviate("short"), "short");
        let edge = "a".repeat(SHOWN_BYTES);
        assert_eq!(abbreviate(&edge), edge);
        let long = format!("{}{}", "é".repeat(300), "b".repeat(SHOWN_BYTES));
        let shown = abbreviate(&long);
        assert_eq!(shown, format!("{}…({} bytes)", "é".repeat(200), long.len()));
    }
}
