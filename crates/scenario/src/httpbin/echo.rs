//! The echoing endpoints' JSON: httpbin's `get_dict` fields (`url`, `args`, `form`, `data`,
//! `origin`, `headers`, `files`, `json`, `method`) and `/cookies`, in httpbin's shapes.

use serde_json::{Map, Value};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::encode::{cookie_unquote, write_json};
use super::{HttpbinRequest, Reply, header, multipart, url};

/// Request headers a hosting proxy adds; httpbin hides them unless the query has `show_env`.
const ENV_HEADERS: &[&str] = &[
    "X-Varnish",
    "X-Request-Start",
    "X-Heroku-Queue-Depth",
    "X-Real-Ip",
    "X-Forwarded-Proto",
    "X-Forwarded-Protocol",
    "X-Forwarded-Ssl",
    "X-Heroku-Queue-Wait-Time",
    "X-Forwarded-For",
    "X-Heroku-Dynos-In-Use",
    "X-Forwarded-Port",
    "X-Request-Id",
    "Via",
    "Total-Route-Time",
    "Connect-Time",
];
/// Analytics cookies httpbin hides from `/cookies` unless the query has `show_env`.
const ENV_COOKIES: &[&str] = &[
    "_gauges_unique",
    "_gauges_unique_year",
    "_gauges_unique_month",
    "_gauges_unique_day",
    "_gauges_unique_hour",
    "__utmz",
    "__utmb",
    "__utma",
];

/// `get_dict`'s fields in the order httpbin lists them; `/post` and its kind echo the first 8.
pub(super) const BODY_FIELDS: [&str; 9] = [
    "url", "args", "form", "data", "origin", "headers", "files", "json", "method",
];

/// httpbin's `get_dict`: the named fields of the request.
pub(super) fn echo(request: &HttpbinRequest, query: &str, fields: &[&str]) -> Value {
    let show_env = form_urlencoded::parse(query.as_bytes()).any(|(key, _)| key == "show_env");
    let content_type = header(request, "Content-Type").unwrap_or("");
    let mime = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    // werkzeug parses these two into `form` (and `files`) and leaves `data` empty.
    let (form, files, data): (Value, Value, &[u8]) = match mime.as_str() {
        "application/x-www-form-urlencoded" => {
            let form = semiflatten(form_urlencoded::parse(request.body).into_owned());
            (form, Value::Object(Map::new()), b"")
        }
        "multipart/form-data" => {
            let parsed = multipart::parse(content_type, request.body);
            (parsed.form, parsed.files, b"")
        }
        _ => (
            Value::Object(Map::new()),
            Value::Object(Map::new()),
            request.body,
        ),
    };
    let mut out = Map::new();
    for &field in fields {
        let value = match field {
            "url" => Value::String(request_url(request)),
            "args" => semiflatten(form_urlencoded::parse(query.as_bytes()).into_owned()),
            "form" => form.clone(),
            "data" => Value::String(json_safe(data, "application/octet-stream")),
            "origin" => Value::String(
                header(request, "X-Forwarded-For")
                    .unwrap_or(request.origin_ip)
                    .to_owned(),
            ),
            "headers" => Value::Object(echo_headers(request, show_env)),
            "files" => files.clone(),
            "json" => std::str::from_utf8(data)
                .ok()
                .and_then(|text| serde_json::from_str(text).ok())
                .unwrap_or(Value::Null),
            _ => Value::String(request.method.to_owned()),
        };
        out.insert(field.to_owned(), value);
    }
    Value::Object(out)
}

/// httpbin's `get_url`: werkzeug's request URL, its scheme replaced by a forwarded one.
fn request_url(request: &HttpbinRequest) -> String {
    let base = request.scheme_and_host.trim_end_matches('/');
    let forwarded = header(request, "X-Forwarded-Proto")
        .or_else(|| header(request, "X-Forwarded-Protocol"))
        .or_else(|| (header(request, "X-Forwarded-Ssl") == Some("on")).then_some("https"));
    let base = match (forwarded, base.split_once("://")) {
        (Some(scheme), Some((_, authority))) => format!("{scheme}://{authority}"),
        _ => base.to_owned(),
    };
    url::current_url(&base, request.path_and_query)
}

/// Request headers under WSGI's Title-Cased names; repeats joined with `,` as gunicorn joins them.
pub(super) fn echo_headers(request: &HttpbinRequest, show_env: bool) -> Map<String, Value> {
    let mut headers = Map::new();
    for (name, value) in request.headers {
        let name = title_case(name);
        if !show_env && ENV_HEADERS.contains(&name.as_str()) {
            continue;
        }
        match headers.get_mut(&name) {
            Some(Value::String(joined)) => {
                joined.push(',');
                joined.push_str(value);
            }
            _ => {
                headers.insert(name, Value::String(value.clone()));
            }
        }
    }
    headers
}

/// Python's `str.title()` on a header name: a letter after a non-letter is upper, others lower.
fn title_case(name: &str) -> String {
    let mut previous_letter = false;
    name.replace('_', "-")
        .chars()
        .map(|c| {
            let out = if previous_letter {
                c.to_ascii_lowercase()
            } else {
                c.to_ascii_uppercase()
            };
            previous_letter = c.is_alphabetic();
            out
        })
        .collect()
}

/// httpbin's `semiflatten`: a name with one value maps to it, a repeated name to the list.
pub(super) fn semiflatten(pairs: impl Iterator<Item = (String, String)>) -> Value {
    let mut map = Map::new();
    for (key, value) in pairs {
        match map.get_mut(&key) {
            Some(Value::Array(values)) => values.push(Value::String(value)),
            Some(single) => *single = Value::Array(vec![single.take(), Value::String(value)]),
            None => {
                map.insert(key, Value::String(value));
            }
        }
    }
    Value::Object(map)
}

/// httpbin's `json_safe`: UTF-8 text as is, anything else as a base64 `data:` URL of
/// `content_type`.
pub(super) fn json_safe(data: &[u8], content_type: &str) -> String {
    match std::str::from_utf8(data) {
        Ok(text) => text.to_owned(),
        Err(_) => format!("data:{content_type};base64,{}", BASE64.encode(data)),
    }
}

/// `/cookies`: the Cookie header's pairs, analytics cookies hidden. werkzeug 0.14 parses them
/// into a plain dict, so of a repeated name the last value wins.
pub(super) fn cookies(request: &HttpbinRequest, query: &str) -> Reply {
    let show_env = form_urlencoded::parse(query.as_bytes()).any(|(key, _)| key == "show_env");
    let joined: Vec<&str> = request
        .headers
        .iter()
        .filter(|(name, _)| name.eq_ignore_ascii_case("Cookie"))
        .map(|(_, value)| value.as_str())
        .collect();
    let mut cookies = Map::new();
    for pair in joined.join("; ").split(';') {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let key = key.trim();
        if key.is_empty() || (!show_env && ENV_COOKIES.contains(&key)) {
            continue;
        }
        cookies.insert(key.to_owned(), Value::String(cookie_unquote(value.trim())));
    }
    let mut body = Map::new();
    body.insert("cookies".to_owned(), Value::Object(cookies));
    json_reply(&Value::Object(body))
}

/// Flask's `jsonify` with httpbin's settings: keys sorted, 2-space indent, `", "` and `": "`
/// separators (so lines end in `, `), non-ASCII escaped, a final newline.
pub(super) fn json_reply(value: &Value) -> Reply {
    let mut body = String::new();
    write_json(value, 0, &mut body);
    body.push('\n');
    Reply::new(200, "application/json", body.into_bytes())
}
