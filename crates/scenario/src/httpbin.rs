//! httpbin's endpoints answered in memory: redirects, status codes, request echoes and cookies,
//! with the status, headers and body httpbin (Flask 1.0 on werkzeug 0.14) sends. Pure: no I/O.
//!
//! [`answer`] takes one whole request as [`HttpbinRequest`] and returns `None` when its path is
//! not one of the endpoints below, so the caller can answer 404 or try something else.
//!
//! | path | methods |
//! |---|---|
//! | `/redirect/:n`, `/relative-redirect/:n`, `/absolute-redirect/:n` | GET |
//! | `/redirect-to?url=&status_code=`, `/status/:code`, `/anything[/...]` | GET POST PUT DELETE PATCH TRACE |
//! | `/get`, `/headers`, `/cookies`, `/cookies/set?k=v`, `/cookies/delete?k` | GET |
//! | `/post`, `/put`, `/patch`, `/delete` | that method |
//!
//! As in Flask, GET routes also answer HEAD, every route answers OPTIONS, and any other method
//! gets 405 with `Allow`. Every response carries httpbin's CORS headers.
//!
//! Not reproduced: multipart bodies (`form` and `files` stay empty), the random draw of
//! `/status/a,b:w` (the heaviest code is answered), werkzeug's re-quoting of the path in `url`
//! and its percent-decoding of the path before routing, and integers beyond `i64`/`u64`.

use bytes::Bytes;
use http_body_util::Full;
use hyper::Response;
use hyper::StatusCode;
use hyper::header::{HeaderName, HeaderValue};
use serde_json::{Map, Value};

use encode::{base64, cookie_unquote, set_cookie, write_json};

mod encode;

/// One request as httpbin sees it.
#[derive(Debug, Clone, Copy)]
pub struct HttpbinRequest<'a> {
    pub method: &'a str,
    /// The request target as sent, e.g. `/anything?a=1`.
    pub path_and_query: &'a str,
    /// Name/value pairs in any case; repeated names may appear more than once.
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
    /// The peer address, the `origin` unless `X-Forwarded-For` is sent.
    pub origin_ip: &'a str,
    /// Scheme and authority without a trailing slash, e.g. `http://127.0.0.1:8080`: the base of
    /// absolute `Location`s and of the `url` field; an `https` one marks cookies `Secure`.
    pub scheme_and_host: &'a str,
}

/// httpbin's answer to `request`, or `None` when the path is not an httpbin endpoint.
pub fn answer(request: &HttpbinRequest) -> Option<Response<Full<Bytes>>> {
    let (path, query) = match request.path_and_query.split_once('?') {
        Some((path, query)) => (path, query),
        None => (request.path_and_query, ""),
    };
    let endpoint = route(path)?;
    let methods = endpoint.methods();
    let allowed =
        |method: &str| methods.contains(&method) || (method == "HEAD" && methods.contains(&"GET"));
    let reply = if request.method == "OPTIONS" {
        options_reply(methods, request)
    } else if !allowed(request.method) {
        let mut reply = error_page(405, "Method Not Allowed", METHOD_NOT_ALLOWED);
        reply.header("Allow", allow_header(methods));
        reply
    } else {
        endpoint.reply(request, query)
    };
    Some(reply.into_response(request))
}

const ALL_METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "TRACE"];
const TEXT_HTML: &str = "text/html; charset=utf-8";
const METHOD_NOT_ALLOWED: &str = "The method is not allowed for the requested URL.";
const INTERNAL_ERROR: &str = "The server encountered an internal error and was unable to \
    complete your request.  Either the server is overloaded or there is an error in the \
    application.";
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
    "__utma",
    "__utmb",
];
const TEAPOT: &str = "\n    -=[ teapot ]=-\n\n       _...._\n     .'  _ _ `.\n    | .\"` ^ `\". _,\n    \\_;`\"---\"`|//\n      |       ;/\n      \\_     _/\n        `\"\"\"`\n";

enum Endpoint<'a> {
    Redirect(u64),
    RelativeRedirect(u64),
    AbsoluteRedirect(u64),
    RedirectTo,
    Status(&'a str),
    Echo(&'static str),
    Anything,
    Headers,
    Cookies,
    CookiesSet,
    CookiesDelete,
}

fn route(path: &str) -> Option<Endpoint<'_>> {
    let count = |rest: &str| -> Option<u64> {
        // werkzeug's int converter: ASCII digits only, no sign.
        (!rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit()))
            .then(|| rest.parse().ok())
            .flatten()
    };
    let endpoint = match path {
        "/get" => Endpoint::Echo("GET"),
        "/post" => Endpoint::Echo("POST"),
        "/put" => Endpoint::Echo("PUT"),
        "/patch" => Endpoint::Echo("PATCH"),
        "/delete" => Endpoint::Echo("DELETE"),
        "/anything" => Endpoint::Anything,
        "/headers" => Endpoint::Headers,
        "/cookies" => Endpoint::Cookies,
        "/cookies/set" => Endpoint::CookiesSet,
        "/cookies/delete" => Endpoint::CookiesDelete,
        "/redirect-to" => Endpoint::RedirectTo,
        _ => {
            if let Some(rest) = path.strip_prefix("/redirect/") {
                Endpoint::Redirect(count(rest)?)
            } else if let Some(rest) = path.strip_prefix("/relative-redirect/") {
                Endpoint::RelativeRedirect(count(rest)?)
            } else if let Some(rest) = path.strip_prefix("/absolute-redirect/") {
                Endpoint::AbsoluteRedirect(count(rest)?)
            } else if let Some(codes) = path.strip_prefix("/status/") {
                (!codes.is_empty() && !codes.contains('/')).then_some(Endpoint::Status(codes))?
            } else if path
                .strip_prefix("/anything/")
                .is_some_and(|rest| !rest.is_empty())
            {
                Endpoint::Anything
            } else {
                return None;
            }
        }
    };
    Some(endpoint)
}

impl Endpoint<'_> {
    /// The methods the route lists; HEAD (with GET) and OPTIONS are added as Flask adds them.
    fn methods(&self) -> &'static [&'static str] {
        match self {
            Endpoint::RedirectTo | Endpoint::Status(_) | Endpoint::Anything => ALL_METHODS,
            Endpoint::Echo("POST") => &["POST"],
            Endpoint::Echo("PUT") => &["PUT"],
            Endpoint::Echo("PATCH") => &["PATCH"],
            Endpoint::Echo("DELETE") => &["DELETE"],
            _ => &["GET"],
        }
    }

    fn reply(&self, request: &HttpbinRequest, query: &str) -> Reply {
        let base = request.scheme_and_host.trim_end_matches('/');
        match *self {
            // `assert n > 0` fails with a 500 in every redirect view.
            Endpoint::Redirect(0)
            | Endpoint::RelativeRedirect(0)
            | Endpoint::AbsoluteRedirect(0) => {
                error_page(500, "Internal Server Error", INTERNAL_ERROR)
            }
            Endpoint::Redirect(n) => {
                let absolute = first_arg(query, "absolute")
                    .is_some_and(|value| value.to_lowercase() == "true");
                let prefix = if absolute { base } else { "" };
                match (n, absolute) {
                    (1, _) => redirect_page(format!("{prefix}/get")),
                    (_, true) => redirect_page(format!("{prefix}/absolute-redirect/{}", n - 1)),
                    (_, false) => redirect_page(format!("/relative-redirect/{}", n - 1)),
                }
            }
            Endpoint::RelativeRedirect(n) => {
                let location = match n {
                    1 => "/get".to_owned(),
                    _ => format!("/relative-redirect/{}", n - 1),
                };
                let mut reply = Reply::new(302, TEXT_HTML, Vec::new());
                reply.header("Location", location);
                reply
            }
            Endpoint::AbsoluteRedirect(n) => match n {
                1 => redirect_page(format!("{base}/get")),
                _ => redirect_page(format!("{base}/absolute-redirect/{}", n - 1)),
            },
            Endpoint::RedirectTo => redirect_to(query),
            Endpoint::Status(codes) => status(codes),
            Endpoint::Echo("GET") => {
                json_reply(&echo(request, query, &["url", "args", "headers", "origin"]))
            }
            Endpoint::Echo(_) => json_reply(&echo(request, query, &BODY_FIELDS[..8])),
            Endpoint::Anything => json_reply(&echo(request, query, &BODY_FIELDS)),
            Endpoint::Headers => json_reply(&echo(request, query, &["headers"])),
            Endpoint::Cookies => cookies(request, query),
            Endpoint::CookiesSet | Endpoint::CookiesDelete => {
                let secure = base.starts_with("https:");
                let mut reply = redirect_page("/cookies".to_owned());
                let mut seen: Vec<String> = Vec::new();
                for (key, value) in form_urlencoded::parse(query.as_bytes()) {
                    // dict(request.args.items()): the first value of each name.
                    if seen.contains(&key.to_string()) {
                        continue;
                    }
                    let cookie = match self {
                        Endpoint::CookiesSet => set_cookie(&key, &value, secure),
                        _ => format!(
                            "{key}=; Expires=Thu, 01-Jan-1970 00:00:00 GMT; Max-Age=0; Path=/"
                        ),
                    };
                    reply.header_bytes("Set-Cookie", cookie.into_bytes());
                    seen.push(key.into_owned());
                }
                reply
            }
        }
    }
}

const BODY_FIELDS: [&str; 9] = [
    "url", "args", "form", "data", "origin", "headers", "files", "json", "method",
];

/// A response before it becomes a hyper one: header values may still be invalid.
struct Reply {
    status: u16,
    headers: Vec<(&'static str, Vec<u8>)>,
    body: Vec<u8>,
}

impl Reply {
    fn new(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        Reply {
            status,
            headers: vec![("Content-Type", content_type.as_bytes().to_vec())],
            body,
        }
    }

    fn header(&mut self, name: &'static str, value: impl Into<String>) {
        self.header_bytes(name, value.into().into_bytes());
    }

    fn header_bytes(&mut self, name: &'static str, value: Vec<u8>) {
        self.headers.push((name, value));
    }

    /// Adds the CORS headers of httpbin's `after_request` hook and builds the response; a header
    /// value hyper cannot send (a control character in a `redirect-to` URL) makes it a 500.
    fn into_response(mut self, request: &HttpbinRequest) -> Response<Full<Bytes>> {
        let origin = header(request, "Origin").unwrap_or("*").to_owned();
        self.header("Access-Control-Allow-Origin", origin);
        self.header("Access-Control-Allow-Credentials", "true");
        let built = (|| {
            let mut response = Response::new(Full::new(Bytes::from(self.body)));
            *response.status_mut() = StatusCode::from_u16(self.status).ok()?;
            for (name, value) in self.headers {
                let value = HeaderValue::from_bytes(&value).ok()?;
                response
                    .headers_mut()
                    .append(HeaderName::from_static(lower(name)), value);
            }
            Some(response)
        })();
        built.unwrap_or_else(|| {
            let page = error_page(500, "Internal Server Error", INTERNAL_ERROR);
            let mut response = Response::new(Full::new(Bytes::from(page.body)));
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            response.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                HeaderValue::from_static(TEXT_HTML),
            );
            response
        })
    }
}

/// `HeaderName::from_static` takes lowercase names; the few this module sends, spelt out.
fn lower(name: &'static str) -> &'static str {
    match name {
        "Content-Type" => "content-type",
        "Location" => "location",
        "Allow" => "allow",
        "Set-Cookie" => "set-cookie",
        "WWW-Authenticate" => "www-authenticate",
        "Proxy-Authenticate" => "proxy-authenticate",
        "X-More-Info" => "x-more-info",
        "Access-Control-Allow-Origin" => "access-control-allow-origin",
        "Access-Control-Allow-Credentials" => "access-control-allow-credentials",
        "Access-Control-Allow-Methods" => "access-control-allow-methods",
        "Access-Control-Max-Age" => "access-control-max-age",
        _ => "access-control-allow-headers",
    }
}

fn allow_header(methods: &[&str]) -> String {
    let mut all: Vec<&str> = methods.to_vec();
    if methods.contains(&"GET") {
        all.push("HEAD");
    }
    all.push("OPTIONS");
    all.join(", ")
}

/// Flask's automatic OPTIONS answer, with the preflight headers of httpbin's `after_request`.
fn options_reply(methods: &[&str], request: &HttpbinRequest) -> Reply {
    let mut reply = Reply::new(200, TEXT_HTML, Vec::new());
    reply.header("Allow", allow_header(methods));
    reply.header(
        "Access-Control-Allow-Methods",
        "GET, POST, PUT, DELETE, PATCH, OPTIONS",
    );
    reply.header("Access-Control-Max-Age", "3600");
    if let Some(asked) = header(request, "Access-Control-Request-Headers") {
        reply.header("Access-Control-Allow-Headers", asked.to_owned());
    }
    reply
}

/// werkzeug's HTML error page.
fn error_page(status: u16, name: &str, description: &str) -> Reply {
    let body = format!(
        "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<title>{status} {name}</title>\n\
         <h1>{name}</h1>\n<p>{description}</p>\n"
    );
    Reply::new(status, TEXT_HTML, body.into_bytes())
}

/// werkzeug's `redirect()`: a 302 with a small HTML page naming the target.
fn redirect_page(location: String) -> Reply {
    let shown = escape_html(&location);
    let body = format!(
        "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<title>Redirecting...</title>\n\
         <h1>Redirecting...</h1>\n<p>You should be redirected automatically to target URL: \
         <a href=\"{shown}\">{shown}</a>.  If not click the link."
    );
    let mut reply = Reply::new(302, TEXT_HTML, body.into_bytes());
    reply.header("Location", location);
    reply
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `/redirect-to`: the query's `url` (names matched case-insensitively, first wins) as the exact
/// `Location`, with `status_code` used only when it is 3xx. A missing `url` or a `status_code`
/// that is not an integer raises in httpbin, so they answer 500.
fn redirect_to(query: &str) -> Reply {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    let arg = |name: &str| pairs.iter().find(|(key, _)| key.eq_ignore_ascii_case(name));
    let mut status = 302;
    if let Some((_, code)) = arg("status_code") {
        match python_int(code) {
            Some(code) if (300..400).contains(&code) => status = code as u16,
            Some(_) => {}
            None => return error_page(500, "Internal Server Error", INTERNAL_ERROR),
        }
    }
    let Some((_, url)) = arg("url") else {
        return error_page(500, "Internal Server Error", INTERNAL_ERROR);
    };
    let mut reply = Reply::new(status, TEXT_HTML, Vec::new());
    reply.header("Location", url.clone());
    reply
}

/// Python's `int(text)` for the cases that matter here: surrounding whitespace, a sign, and `_`
/// between digits.
fn python_int(text: &str) -> Option<i64> {
    let text = text.trim();
    let digits = text.strip_prefix(['+', '-']).unwrap_or(text);
    let well_formed = !digits.is_empty()
        && !digits.starts_with('_')
        && !digits.ends_with('_')
        && !digits.contains("__")
        && digits.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    well_formed
        .then(|| text.replace('_', "").parse().ok())
        .flatten()
}

/// `/status/:codes`, from httpbin's `status_code` helper: the codes it knows get their headers
/// and body (replacing the default headers, so no `Content-Type`), others an empty text/html page.
fn status(codes: &str) -> Reply {
    let code = if codes.contains(',') {
        // httpbin draws one code at random by weight; this pure module takes the heaviest (the
        // first of equals) so the answer is repeatable. Parse errors are httpbin's 400.
        let mut best: Option<(i64, f64)> = None;
        for choice in codes.split(',') {
            let (code, weight) = choice.split_once(':').unwrap_or((choice, "1"));
            let (Some(code), Ok(weight)) = (python_int(code), weight.trim().parse::<f64>()) else {
                return invalid_status();
            };
            if best.is_none_or(|(_, heaviest)| weight > heaviest) {
                best = Some((code, weight));
            }
        }
        best.map(|(code, _)| code)
    } else {
        python_int(codes)
    };
    let Some(code) = code else {
        return invalid_status();
    };
    let Ok(code) = u16::try_from(code) else {
        return invalid_status();
    };
    let bare = |headers: &[(&'static str, &str)], body: &str| Reply {
        status: code,
        headers: headers
            .iter()
            .map(|(name, value)| (*name, value.as_bytes().to_vec()))
            .collect(),
        body: body.as_bytes().to_vec(),
    };
    match code {
        301 | 302 | 303 | 305 | 307 => bare(&[("Location", "/redirect/1")], ""),
        304 => Reply::new(304, TEXT_HTML, Vec::new()),
        401 => bare(&[("WWW-Authenticate", "Basic realm=\"Fake Realm\"")], ""),
        402 => bare(
            &[("X-More-Info", "http://vimeo.com/22053820")],
            "Fuck you, pay me!",
        ),
        406 => bare(
            &[("Content-Type", "application/json")],
            "{\"message\": \"Client did not request a supported media type.\", \"accept\": \
             [\"image/webp\", \"image/svg+xml\", \"image/jpeg\", \"image/png\", \"image/*\"]}",
        ),
        407 => bare(&[("Proxy-Authenticate", "Basic realm=\"Fake Realm\"")], ""),
        418 => bare(
            &[("X-More-Info", "http://tools.ietf.org/html/rfc2324")],
            TEAPOT,
        ),
        _ => Reply::new(code, TEXT_HTML, Vec::new()),
    }
}

fn invalid_status() -> Reply {
    Reply::new(400, TEXT_HTML, b"Invalid status code".to_vec())
}

fn header<'a>(request: &HttpbinRequest<'a>, name: &str) -> Option<&'a str> {
    request
        .headers
        .iter()
        .find(|(header, _)| header.eq_ignore_ascii_case(name))
        .map(|(_, value)| value.as_str())
}

fn first_arg(query: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.into_owned())
}

/// httpbin's `get_dict`: the named fields of the request, in httpbin's shapes.
fn echo(request: &HttpbinRequest, query: &str, fields: &[&str]) -> Value {
    let show_env = form_urlencoded::parse(query.as_bytes()).any(|(key, _)| key == "show_env");
    let mime = header(request, "Content-Type")
        .map(|value| {
            value
                .split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
        .unwrap_or_default();
    // werkzeug parses these two into `form` and leaves `data` empty.
    let is_form = mime == "application/x-www-form-urlencoded" || mime == "multipart/form-data";
    let form = match mime.as_str() {
        "application/x-www-form-urlencoded" => {
            semiflatten(form_urlencoded::parse(request.body).into_owned())
        }
        _ => Value::Object(Map::new()),
    };
    let data: &[u8] = if is_form { b"" } else { request.body };
    let mut out = Map::new();
    for &field in fields {
        let value = match field {
            "url" => Value::String(request_url(request)),
            "args" => semiflatten(form_urlencoded::parse(query.as_bytes()).into_owned()),
            "form" => form.clone(),
            "data" => Value::String(json_safe(data)),
            "origin" => Value::String(
                header(request, "X-Forwarded-For")
                    .unwrap_or(request.origin_ip)
                    .to_owned(),
            ),
            "headers" => Value::Object(echo_headers(request, show_env)),
            "files" => Value::Object(Map::new()),
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

/// httpbin's `get_url`: the request URL, its scheme replaced by a forwarded one.
fn request_url(request: &HttpbinRequest) -> String {
    let base = request.scheme_and_host.trim_end_matches('/');
    let forwarded = header(request, "X-Forwarded-Proto")
        .or_else(|| header(request, "X-Forwarded-Protocol"))
        .or_else(|| (header(request, "X-Forwarded-Ssl") == Some("on")).then_some("https"));
    let base = match (forwarded, base.split_once("://")) {
        (Some(scheme), Some((_, authority))) => format!("{scheme}://{authority}"),
        _ => base.to_owned(),
    };
    format!("{base}{}", request.path_and_query)
}

/// Request headers under WSGI's Title-Cased names; repeats joined with `,` as gunicorn joins them.
fn echo_headers(request: &HttpbinRequest, show_env: bool) -> Map<String, Value> {
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
fn semiflatten(pairs: impl Iterator<Item = (String, String)>) -> Value {
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

/// httpbin's `json_safe`: UTF-8 text as is, anything else as a base64 `data:` URL.
fn json_safe(data: &[u8]) -> String {
    match std::str::from_utf8(data) {
        Ok(text) => text.to_owned(),
        Err(_) => format!("data:application/octet-stream;base64,{}", base64(data)),
    }
}

/// `/cookies`: the Cookie header's pairs, first value of each name, analytics cookies hidden.
fn cookies(request: &HttpbinRequest, query: &str) -> Reply {
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
        if key.is_empty() || cookies.contains_key(key) || (!show_env && ENV_COOKIES.contains(&key))
        {
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
fn json_reply(value: &Value) -> Reply {
    let mut body = String::new();
    write_json(value, 0, &mut body);
    body.push('\n');
    Reply::new(200, "application/json", body.into_bytes())
}

#[cfg(test)]
#[path = "httpbin_tests.rs"]
mod tests;
