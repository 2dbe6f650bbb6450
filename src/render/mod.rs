//! Renderers read a finished [`crate::record::Chain`] and write it out; they never send requests.

pub mod har;
pub mod json;
pub mod text;
pub mod write_out;

/// Header values that are credentials: shown as their scheme followed by `****`.
const SECRET_HEADERS: [&str; 2] = ["authorization", "proxy-authorization"];

/// Header values that may hold a URL, and so a password in its userinfo.
const URL_HEADERS: [&str; 5] = ["location", "content-location", "refresh", "referer", "link"];

/// What a renderer may show.
#[derive(Debug, Clone, Copy, Default)]
pub struct Redaction {
    pub show_secrets: bool,
}

impl Redaction {
    pub fn header_value(&self, name: &str, value: &str) -> String {
        if self.show_secrets {
            return value.to_owned();
        }
        if URL_HEADERS.iter().any(|s| name.eq_ignore_ascii_case(s)) {
            return self.url(value);
        }
        if !SECRET_HEADERS.iter().any(|s| name.eq_ignore_ascii_case(s)) {
            return value.to_owned();
        }
        match value.split_once(' ') {
            Some((scheme, _)) => format!("{scheme} ****"),
            None => "****".to_owned(),
        }
    }

    /// Replaces the password of `scheme://user:password@host` wherever it appears in `text`,
    /// which may be a URL or a raw `Location` value.
    pub fn url(&self, text: &str) -> String {
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
        let hide = Redaction::default();
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
            hide.url("http://u:p@shop.test/"),
            "http://u:****@shop.test/"
        );
        assert_eq!(hide.url("http://u@shop.test/"), "http://u@shop.test/");
        assert_eq!(
            hide.url("//u:p@cdn.test/x?a=b:c@d"),
            "//u:****@cdn.test/x?a=b:c@d"
        );
        assert_eq!(hide.url("/path?x=a:b@c"), "/path?x=a:b@c");
        let show = Redaction { show_secrets: true };
        assert_eq!(
            show.header_value("authorization", "Bearer abc"),
            "Bearer abc"
        );
        assert_eq!(show.url("http://u:p@shop.test/"), "http://u:p@shop.test/");
    }
}
