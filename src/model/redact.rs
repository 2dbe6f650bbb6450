//! What may be shown: credentials in headers and URL passwords are masked in every output unless
//! the user asked for `--show-secrets`. One type, used by every renderer and by the checks.

use url::Url;

/// Header values that are credentials: shown as their scheme followed by `****`.
const SECRET_HEADERS: [&str; 2] = ["authorization", "proxy-authorization"];

/// Header values that may hold a URL, and so a password in its userinfo.
const URL_HEADERS: [&str; 5] = ["location", "content-location", "refresh", "referer", "link"];

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
        let _ = shown.set_password(Some("****"));
        shown.to_string()
    }

    /// A header value as it may be shown: credentials masked, passwords in URLs masked.
    pub fn header_value(&self, name: &str, value: &str) -> String {
        if self.show_secrets {
            return value.to_owned();
        }
        if URL_HEADERS.iter().any(|s| name.eq_ignore_ascii_case(s)) {
            return self.text(value);
        }
        if !SECRET_HEADERS.iter().any(|s| name.eq_ignore_ascii_case(s)) {
            return value.to_owned();
        }
        match value.split_once(' ') {
            Some((scheme, _)) => format!("{scheme} ****"),
            None => "****".to_owned(),
        }
    }

    /// Header pairs as they may be shown.
    pub fn headers(&self, pairs: &[(String, String)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(name, value)| (name.clone(), self.header_value(name, value)))
            .collect()
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
