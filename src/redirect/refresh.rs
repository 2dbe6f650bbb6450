//! Browser redirects that are not HTTP redirects: the `Refresh` header and
//! `<meta http-equiv="refresh">` in HTML, parsed as the HTML standard's "shared declarative
//! refresh steps" do (docs/rules.md §8.5).
//!
//! The meta tag is found with a small tag scanner rather than an HTML parser crate: only `<meta>`
//! start tags and their attributes matter, in at most the first 64 KiB of the body, and a full
//! HTML tree builder would cost far more than the answer is worth.

/// How much of an HTML body is read to look for a meta refresh.
pub const HTML_PREFIX_LIMIT: usize = 64 * 1024;

/// A parsed refresh: wait `delay` seconds, then load `url` (the same page when `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refresh {
    pub delay: u64,
    pub url: Option<String>,
}

/// Parses a `Refresh` value or a meta refresh `content`: `5`, `0; url=/next`, `0;URL='/next'`,
/// `3, /next`. `None` when it does not start with a delay (browsers ignore it then).
pub fn parse_refresh(value: &str) -> Option<Refresh> {
    let text = value.trim_start_matches(is_html_space);
    let digits_end = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (digits, rest) = text.split_at(digits_end);
    // "1.5" counts as 1: the fraction is skipped.
    let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit() || c == '.');
    if digits.is_empty() && !text.starts_with('.') {
        return None;
    }
    // HTML: no digits before the "." means a delay of 0; more digits than fit stay "forever".
    let delay = match digits {
        "" => 0,
        digits => digits.parse().unwrap_or(u64::MAX),
    };
    let rest = rest.trim_start_matches(is_html_space);
    let rest = match rest.strip_prefix([';', ',']) {
        Some(after) => after.trim_start_matches(is_html_space),
        None if rest.is_empty() => return Some(Refresh { delay, url: None }),
        // Anything else right after the delay makes the value invalid.
        None => return None,
    };
    let rest = match rest.get(..3) {
        Some(prefix) if prefix.eq_ignore_ascii_case("url") => {
            let after = rest[3..].trim_start_matches(is_html_space);
            match after.strip_prefix('=') {
                Some(value) => value.trim_start_matches(is_html_space),
                None => rest,
            }
        }
        _ => rest,
    };
    let url = match rest.chars().next() {
        Some(quote @ ('"' | '\'')) => {
            let inner = &rest[1..];
            inner.find(quote).map_or(inner, |end| &inner[..end])
        }
        _ => rest,
    };
    let url = url.trim_end_matches(is_html_space);
    Some(Refresh {
        delay,
        url: (!url.is_empty()).then(|| url.to_owned()),
    })
}

fn is_html_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\x0c')
}

/// The `content` of the first `<meta http-equiv="refresh">` in the first [`HTML_PREFIX_LIMIT`]
/// bytes of an HTML body, entity-decoded for the few entities that appear in URLs.
///
/// Bytes past the limit are ignored even when given (the body arrives in chunks that need not
/// end on it), and a tag cut off by the end of the text is not read: browsers drop a tag that
/// the end of the document interrupts, and its `content` would be cut short.
pub fn find_meta_refresh(html: &[u8]) -> Option<String> {
    let html = &html[..html.len().min(HTML_PREFIX_LIMIT)];
    let text = String::from_utf8_lossy(html);
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(found) = lower[from..].find("<meta") {
        let start = from + found + "<meta".len();
        let end = start + lower[start..].find('>')?;
        let attributes = parse_attributes(&text[start..end]);
        let is_refresh = attributes
            .iter()
            .any(|(name, value)| name == "http-equiv" && value.eq_ignore_ascii_case("refresh"));
        if is_refresh {
            if let Some((_, content)) = attributes.iter().find(|(name, _)| name == "content") {
                return Some(decode_entities(content));
            }
        }
        from = end;
    }
    None
}

/// Attribute name/value pairs of a start tag's inside, names lowercased.
fn parse_attributes(tag: &str) -> Vec<(String, String)> {
    let mut attributes = Vec::new();
    let mut rest = tag.trim_start_matches(|c: char| is_html_space(c) || c == '/');
    while !rest.is_empty() {
        let name_end = rest
            .find(|c: char| is_html_space(c) || c == '=' || c == '/')
            .unwrap_or(rest.len());
        let name = rest[..name_end].to_ascii_lowercase();
        rest = rest[name_end..].trim_start_matches(is_html_space);
        let mut value = String::new();
        if let Some(after) = rest.strip_prefix('=') {
            let after = after.trim_start_matches(is_html_space);
            match after.chars().next() {
                Some(quote @ ('"' | '\'')) => {
                    let inner = &after[1..];
                    let end = inner.find(quote).unwrap_or(inner.len());
                    value = inner[..end].to_owned();
                    rest = inner.get(end + 1..).unwrap_or("");
                }
                _ => {
                    let end = after
                        .find(|c: char| is_html_space(c) || c == '>')
                        .unwrap_or(after.len());
                    value = after[..end].to_owned();
                    rest = &after[end..];
                }
            }
        }
        if !name.is_empty() {
            attributes.push((name, value));
        }
        rest = rest.trim_start_matches(|c: char| is_html_space(c) || c == '/');
        if name_end == 0 && !rest.is_empty() {
            // A stray character that starts no name: skip it so the scan always advances.
            rest = &rest[rest.chars().next().map_or(1, char::len_utf8)..];
        }
    }
    attributes
}

fn decode_entities(text: &str) -> String {
    text.replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&apos;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refresh_values() {
        let r = |delay, url: Option<&str>| {
            Some(Refresh {
                delay,
                url: url.map(str::to_owned),
            })
        };
        #[rustfmt::skip]
        let table = [
            ("0", r(0, None)),
            ("5", r(5, None)),
            ("0; url=/next", r(0, Some("/next"))),
            ("0;URL=/next", r(0, Some("/next"))),
            ("0; url = '/quoted page'", r(0, Some("/quoted page"))),
            ("0; url=\"/dq\" trailing", r(0, Some("/dq"))),
            ("3, /comma", r(3, Some("/comma"))),
            ("1.5; url=/frac", r(1, Some("/frac"))),
            (".5", r(0, None)),
            (".5; url=/half", r(0, Some("/half"))),
            ("  2 ;  /spaced  ", r(2, Some("/spaced"))),
            ("0; https://other.test/", r(0, Some("https://other.test/"))),
            ("0; urlish", r(0, Some("urlish"))),
            ("99999999999999999999999", r(u64::MAX, None)),
            ("soon", None),
            ("", None),
            ("5x; url=/bad", None),
        ];
        for (value, expected) in table {
            assert_eq!(parse_refresh(value), expected, "{value:?}");
        }
    }

    #[test]
    fn meta_refresh_found_in_html() {
        #[rustfmt::skip]
        let table: &[(&str, Option<&str>)] = &[
            (r#"<html><head><meta http-equiv="refresh" content="0; url=/next"></head>"#, Some("0; url=/next")),
            (r#"<META HTTP-EQUIV='Refresh' CONTENT='3;URL=/a?x=1&amp;y=2'>"#, Some("3;URL=/a?x=1&y=2")),
            (r#"<meta content="0;url=/first" http-equiv=refresh />"#, Some("0;url=/first")),
            (r#"<meta charset="utf-8"><meta name="viewport" content="x"><meta http-equiv="refresh" content="1">"#, Some("1")),
            (r#"<meta http-equiv="content-type" content="text/html">"#, None),
            ("<meta", None),
            ("<meta =x ==y \"'>", None),
            // cut off by the end of the text: not a tag yet
            (r#"<meta http-equiv="refresh" content="0; url=/next"#, None),
            (r#"<meta http-equiv="refresh" content="0; url=/ne"#, None),
            ("no html at all", None),
        ];
        for &(html, expected) in table {
            assert_eq!(
                find_meta_refresh(html.as_bytes()).as_deref(),
                expected,
                "{html}"
            );
        }
    }

    #[test]
    fn only_the_first_64_kib_are_searched() {
        let tag = r#"<meta http-equiv="refresh" content="0; url=/next">"#;
        let page = |filler: usize| format!("<html><head>{}{tag}", " ".repeat(filler));
        let fits = HTML_PREFIX_LIMIT - "<html><head>".len() - tag.len();
        assert_eq!(
            find_meta_refresh(page(fits).as_bytes()).as_deref(),
            Some("0; url=/next")
        );
        // One byte more and the tag's closing '>' is past the limit: the tag is cut off.
        assert_eq!(find_meta_refresh(page(fits + 1).as_bytes()), None);
        assert_eq!(find_meta_refresh(page(HTML_PREFIX_LIMIT).as_bytes()), None);
        // Cut in the middle of a multi-byte character: no panic.
        let accents = "\u{e9}".repeat(HTML_PREFIX_LIMIT);
        assert_eq!(find_meta_refresh(accents.as_bytes()), None);
    }
}
