//! The first request as the user described it: its URL, headers (`-H`, `-A`, `-u`, `-e`,
//! `--browser`) and body (`-d` and friends, from arguments, files or stdin).

use std::io::Read;
use std::path::Path;

use bytes::Bytes;
use reqwest::header::{HeaderName, HeaderValue};
use url::Url;

use super::{Referer, UsageError, usage};
use crate::cli::{Cli, DataKind};

/// What a current desktop Chrome sends on a navigation, so servers that redirect by client type
/// treat hops like the customer's browser.
pub(super) const BROWSER_HEADERS: [(&str, &str); 5] = [
    (
        "user-agent",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
         Chrome/142.0.0.0 Safari/537.36",
    ),
    (
        "accept",
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,\
         */*;q=0.8",
    ),
    ("accept-language", "en-US,en;q=0.9"),
    ("accept-encoding", crate::net::ACCEPT_ENCODING),
    ("upgrade-insecure-requests", "1"),
];

pub fn default_user_agent() -> HeaderValue {
    HeaderValue::from_static(concat!("hops/", env!("CARGO_PKG_VERSION")))
}

/// Parses the starting URL; without a scheme, `http://` is assumed as curl does.
pub fn parse_start_url(raw: &str) -> Result<Url, UsageError> {
    let trimmed = raw.trim();
    if trimmed.contains(char::is_whitespace) {
        return Err(usage(format!(
            "invalid URL {raw:?}: it contains spaces (percent-encode them as %20)"
        )));
    }
    let has_scheme = trimmed.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    let text = if has_scheme {
        trimmed.to_owned()
    } else {
        format!("http://{trimmed}")
    };
    let url = Url::parse(&text).map_err(|err| usage(format!("invalid URL {raw:?}: {err}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(usage(format!(
            "unsupported scheme {:?} in {raw:?}: only http and https",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(usage(format!("invalid URL {raw:?}: no host")));
    }
    Ok(url)
}

pub(super) fn header_value(value: &str, flag: &str) -> Result<HeaderValue, UsageError> {
    HeaderValue::from_str(value).map_err(|_| {
        usage(format!(
            "invalid value for {flag}: {value:?} (control characters are not allowed)"
        ))
    })
}

pub(super) fn set_header(
    headers: &mut Vec<(HeaderName, HeaderValue)>,
    name: &'static str,
    value: HeaderValue,
) {
    headers.retain(|(n, _)| n.as_str() != name);
    headers.push((HeaderName::from_static(name), value));
}

/// `-H` as curl reads it: `Name: value` adds (replacing a default of that name), `Name:` removes
/// the header, `Name;` sends it with an empty value.
pub(super) fn apply_header_arg(
    headers: &mut Vec<(HeaderName, HeaderValue)>,
    arg: &str,
) -> Result<(), UsageError> {
    let bad = |why: &str| usage(format!("bad header {arg:?}: {why}"));
    let (name, value) = match arg.split_once(':') {
        Some((name, value)) => (name, Some(value.trim_start_matches([' ', '\t']))),
        None => match arg.strip_suffix(';') {
            Some(name) => (name, None),
            None => return Err(bad("expected \"Name: value\"")),
        },
    };
    let name = HeaderName::from_bytes(name.trim_end().as_bytes())
        .map_err(|_| bad("invalid header name"))?;
    // Headers hops adds itself are replaced by a -H of the same name, as curl does.
    let is_default = matches!(
        name.as_str(),
        "user-agent"
            | "accept"
            | "content-type"
            | "authorization"
            | "accept-language"
            | "accept-encoding"
            | "upgrade-insecure-requests"
    );
    match value {
        Some("") => headers.retain(|(n, _)| *n != name),
        Some(value) => {
            let value = HeaderValue::from_str(value.trim_end())
                .map_err(|_| bad("invalid characters in value"))?;
            if is_default {
                headers.retain(|(n, _)| *n != name);
            }
            headers.push((name, value));
        }
        None => {
            if is_default {
                headers.retain(|(n, _)| *n != name);
            }
            headers.push((name, HeaderValue::from_static("")));
        }
    }
    Ok(())
}

/// Reads the request body once, up front, so it can be replayed on 307/308.
/// Joins the body arguments with `&` in the order they were typed, as curl does.
pub(super) fn read_body(cli: &Cli) -> Result<Option<Bytes>, UsageError> {
    let body_parts = &cli.request.body_parts;
    if body_parts.is_empty() {
        return Ok(None);
    }
    let mut parts: Vec<Vec<u8>> = Vec::with_capacity(body_parts.len());
    for part in body_parts {
        let bytes = match part.kind {
            DataKind::Data => {
                let mut bytes = read_data_arg(&part.value, "body")?;
                if part.value.starts_with('@') {
                    bytes.retain(|b| *b != b'\r' && *b != b'\n');
                }
                bytes
            }
            DataKind::Binary => read_data_arg(&part.value, "body")?,
            DataKind::Raw => part.value.as_bytes().to_vec(),
        };
        parts.push(bytes);
    }
    Ok(Some(Bytes::from(parts.join(&b'&'))))
}

/// `DATA`, `@FILE` or `@-` as curl reads them; `what` names the file in messages.
pub(super) fn read_data_arg(arg: &str, what: &str) -> Result<Vec<u8>, UsageError> {
    match arg.strip_prefix('@') {
        Some("-") => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|err| usage(format!("cannot read the {what} from stdin: {err}")))?;
            Ok(bytes)
        }
        Some(path) => read_file(Path::new(path), &format!("{what} file")),
        None => Ok(arg.as_bytes().to_vec()),
    }
}

pub(super) fn read_file(path: &Path, what: &str) -> Result<Vec<u8>, UsageError> {
    std::fs::read(path)
        .map_err(|err| usage(format!("cannot read {what} {}: {err}", path.display())))
}

pub(super) fn parse_referer(arg: Option<&str>) -> Result<Referer, UsageError> {
    let Some(arg) = arg else {
        return Ok(Referer::default());
    };
    let (fixed, auto) = match arg.strip_suffix(";auto") {
        Some(rest) => (rest, true),
        None => (arg, false),
    };
    let fixed = if fixed.is_empty() {
        None
    } else {
        Some(header_value(fixed, "--referer")?)
    };
    Ok(Referer { fixed, auto })
}
