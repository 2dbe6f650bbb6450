//! What may be shown: credentials in headers, cookie values and URL passwords are masked in every
//! output unless the user asked for `--show-secrets`. One type, used by every renderer and by the
//! checks.

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

    /// Text that is not a parsed URL but may start with one (a raw `Location` value, a refresh
    /// target, a message): the password of its first `scheme://user:password@host` is masked.
    pub fn text(&self, text: &str) -> String {
        if self.show_secrets {
            return text.to_owned();
        }
        let start = if text.starts_with("//") {
            Some(2)
        } else {
            text.find("://").map(|i| i + 3)
        };
        let Some(start) = start else {
            return text.to_owned();
        };
        let authority_end = text[start..]
            .find(['/', '?', '#'])
            .map_or(text.len(), |i| start + i);
        let authority = &text[start..authority_end];
        match authority
            .rfind('@')
            .and_then(|at| authority[..at].find(':').map(|colon| (colon, at)))
        {
            Some((colon, at)) => {
                format!("{}****{}", &text[..start + colon + 1], &text[start + at..])
            }
            None => text.to_owned(),
        }
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
}
