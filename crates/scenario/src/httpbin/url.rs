//! The request path and URL as werkzeug 0.14 sees them behind gunicorn: the path percent-decoded
//! before routing, and `request.url` rebuilt from that path and a re-quoted query, then turned
//! into an IRI.

use std::borrow::Cow;

/// Bytes `url_quote` never escapes, whatever its `safe` argument.
const ALWAYS_SAFE: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-+";

/// The path werkzeug routes on: gunicorn percent-decodes the target's path into `PATH_INFO`, and
/// werkzeug reads it as UTF-8, replacing what is not.
pub(super) fn routing_path(raw_path: &str) -> Cow<'_, str> {
    if !raw_path.contains('%') {
        return Cow::Borrowed(raw_path);
    }
    Cow::Owned(String::from_utf8_lossy(&percent_decode(raw_path.as_bytes(), b"")).into_owned())
}

/// werkzeug's `get_current_url`: `base` (scheme and authority), the decoded path quoted again
/// (only `/` and `:` kept, leading slashes made one), `?` and the raw query quoted with its own safe set when there is one;
/// then `uri_to_iri` decodes every escape but those of characters with a meaning in the part
/// (`%/;?` in the path, `%;/?:@&=+,$#` in the query) and reads the result as UTF-8.
pub(super) fn current_url(base: &str, path_and_query: &str) -> String {
    let (raw_path, query) = match path_and_query.split_once('?') {
        Some((path, query)) => (path, query),
        None => (path_and_query, ""),
    };
    let decoded_path = percent_decode(raw_path.as_bytes(), b"");
    // werkzeug strips the path's leading slashes and writes one back.
    let first_kept = decoded_path
        .iter()
        .take_while(|&&byte| byte == b'/')
        .count();
    let path = format!("/{}", quote(&decoded_path[first_kept..], b"/:"));
    let mut url = String::from_utf8_lossy(&percent_decode(path.as_bytes(), b"%/;?")).into_owned();
    if !query.is_empty() {
        let query = quote(query.as_bytes(), b":&%=+$!*'(),");
        url.push('?');
        url.push_str(&String::from_utf8_lossy(&percent_decode(
            query.as_bytes(),
            b"%;/?:@&=+,$#",
        )));
    }
    format!("{base}{url}")
}

/// werkzeug's `url_quote`: every byte outside `ALWAYS_SAFE` and `safe` as `%XX`.
fn quote(bytes: &[u8], safe: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for &byte in bytes {
        if ALWAYS_SAFE.contains(&byte) || safe.contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Percent-decoding that leaves an escape as written when it is malformed or decodes to a byte
/// in `kept`, as werkzeug's `_unquote_to_bytes` and Python's `unquote_to_bytes` do.
fn percent_decode(bytes: &[u8], kept: &[u8]) -> Vec<u8> {
    let hex = |byte: u8| char::from(byte).to_digit(16);
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| Some(hex(*bytes.get(i + 1)?)? * 16 + hex(*bytes.get(i + 2)?)?))
            .flatten()
            .map(|value| value as u8)
            .filter(|byte| !kept.contains(byte));
        match escaped {
            Some(byte) => {
                out.push(byte);
                i += 3;
            }
            None => {
                out.push(bytes[i]);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_keeps_escapes_that_mean_something_and_decodes_the_rest() {
        let url = current_url(
            "http://h",
            "/anything/a%20b/%C3%A9;x%3Fy?next=/a~&at=@&sp=%20x&h=%2f",
        );
        assert_eq!(
            url,
            "http://h/anything/a b/\u{e9}%3Bx%3Fy?next=%2Fa~&at=%40&sp= x&h=%2f"
        );
        assert_eq!(current_url("http://h", "/get?"), "http://h/get");
        assert_eq!(current_url("http://h", "//get"), "http://h/get");
        assert_eq!(current_url("http://h", "/%E9"), "http://h/\u{fffd}");
    }

    #[test]
    fn routing_path_is_decoded() {
        assert_eq!(routing_path("/redirect%2F2"), "/redirect/2");
        assert_eq!(routing_path("/bad%zz"), "/bad%zz");
        assert_eq!(routing_path("/plain"), "/plain");
    }
}
