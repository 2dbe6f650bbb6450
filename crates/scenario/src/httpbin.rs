//! httpbin's endpoints answered in memory: redirects, status codes, request echoes and cookies,
//! with the status, headers and body httpbin sends as httpbin.org serves it (httpbin 0.10 on
//! Flask 1.0.2, Werkzeug 0.14.1 and gunicorn 19.9). No I/O; [`answer`] only draws a random
//! number, for `/status/a,b:w`.
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
//! gets 405 with `Allow`. Every response but an unhandled error's 500 carries httpbin's CORS
//! headers. tests/httpbin-recorded.json holds what a real httpbin answered, and
//! tests/httpbin_recorded.rs checks every answer against it.
//!
//! Not reproduced: integers beyond `i64`/`u64`; status codes outside 100-999 (hyper cannot send
//! them: httpbin would); the order of `Allow` (werkzeug's comes from a Python set, so it changes
//! with the interpreter's hash seed); and werkzeug's reading of the request, which this module
//! takes already parsed: header names and values as hyper decoded them, a body already
//! de-chunked, no form size limits.

use bytes::Bytes;
use http_body_util::Full;
use hyper::Response;
use hyper::StatusCode;
use hyper::header::{HeaderName, HeaderValue};

use echo::{BODY_FIELDS, cookies, echo, json_reply};
use encode::set_cookie;

mod echo;
mod encode;
mod multipart;
mod status;
mod url;

/// One request as httpbin sees it.
#[derive(Debug, Clone, Copy)]
pub struct HttpbinRequest<'a> {
    pub method: &'a str,
    /// The request target as sent, e.g. `/anything?a=1`.
    pub path_and_query: &'a str,
    /// Name/value pairs in any case; repeated names may appear more than once.
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
    /// The peer's IP address, the `origin` unless `X-Forwarded-For` is sent.
    pub origin_ip: &'a str,
    /// Scheme and authority without a trailing slash, e.g. `http://127.0.0.1:8080`: the base of
    /// absolute `Location`s and of the `url` field; an `https` one marks cookies `Secure`.
    pub scheme_and_host: &'a str,
}

/// httpbin's answer to `request`, or `None` when the path is not an httpbin endpoint.
pub fn answer(request: &HttpbinRequest) -> Option<Response<Full<Bytes>>> {
    answer_with_draw(request, fastrand::f64())
}

/// [`answer`] with the random number given: `draw`, uniform in `[0, 1)`, picks the code of
/// `/status/a:w,b:w` as httpbin's `weighted_choice` would; other endpoints ignore it.
pub fn answer_with_draw(request: &HttpbinRequest, draw: f64) -> Option<Response<Full<Bytes>>> {
    let (raw_path, query) = match request.path_and_query.split_once('?') {
        Some((path, query)) => (path, query),
        None => (request.path_and_query, ""),
    };
    let path = url::routing_path(raw_path);
    let endpoint = route(&path)?;
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
        endpoint.reply(request, query, draw)
    };
    Some(reply.into_response(request))
}

const ALL_METHODS: &[&str] = &["GET", "POST", "PUT", "DELETE", "PATCH", "TRACE"];
const TEXT_HTML: &str = "text/html; charset=utf-8";
/// werkzeug 0.14's `HTTPException` names no charset.
const ERROR_PAGE_TYPE: &str = "text/html";
const METHOD_NOT_ALLOWED: &str = "The method is not allowed for the requested URL.";
const INTERNAL_ERROR: &str = "The server encountered an internal error and was unable to \
    complete your request.  Either the server is overloaded or there is an error in the \
    application.";
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

    fn reply(&self, request: &HttpbinRequest, query: &str, draw: f64) -> Reply {
        let base = request.scheme_and_host.trim_end_matches('/');
        match *self {
            // `assert n > 0` fails with a 500 in every redirect view.
            Endpoint::Redirect(0)
            | Endpoint::RelativeRedirect(0)
            | Endpoint::AbsoluteRedirect(0) => Reply::internal_error(),
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
            Endpoint::Status(codes) => status::status(codes, draw),
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

/// A response before it becomes a hyper one: header values may still be invalid.
struct Reply {
    status: u16,
    headers: Vec<(&'static str, Vec<u8>)>,
    body: Vec<u8>,
    /// Whether httpbin's `after_request` hook adds its CORS headers: it does not run when a view
    /// raises an exception nothing handles.
    cors: bool,
}

impl Reply {
    fn new(status: u16, content_type: &str, body: Vec<u8>) -> Self {
        Reply {
            status,
            headers: vec![("Content-Type", content_type.as_bytes().to_vec())],
            body,
            cors: true,
        }
    }

    /// Flask's answer to an exception a view does not handle (a failed assert, a bad `int()`).
    fn internal_error() -> Self {
        Reply {
            cors: false,
            ..error_page(500, "Internal Server Error", INTERNAL_ERROR)
        }
    }

    fn header(&mut self, name: &'static str, value: impl Into<String>) {
        self.header_bytes(name, value.into().into_bytes());
    }

    fn header_bytes(&mut self, name: &'static str, value: Vec<u8>) {
        self.headers.push((name, value));
    }

    /// Adds the CORS headers of httpbin's `after_request` hook and builds the response; a header
    /// value hyper cannot send (a control character in a `redirect-to` URL) makes it a 500, as
    /// werkzeug's refusal of such a value does.
    fn into_response(mut self, request: &HttpbinRequest) -> Response<Full<Bytes>> {
        if self.cors {
            let origin = header(request, "Origin").unwrap_or("*").to_owned();
            self.header("Access-Control-Allow-Origin", origin);
            self.header("Access-Control-Allow-Credentials", "true");
        }
        if matches!(self.status, 304 | 412) {
            // werkzeug strips entity headers from these two; Content-Type is the one sent here.
            self.headers.retain(|(name, _)| *name != "Content-Type");
        }
        let built = (|| {
            let mut response = Response::new(Full::new(Bytes::from(self.body)));
            *response.status_mut() = StatusCode::from_u16(self.status).ok()?;
            for (name, value) in self.headers {
                let value = HeaderValue::from_bytes(&value).ok()?;
                // `from_bytes` lowercases the name, as HTTP/2 requires and hyper expects.
                let name = HeaderName::from_bytes(name.as_bytes()).ok()?;
                response.headers_mut().append(name, value);
            }
            Some(response)
        })();
        built.unwrap_or_else(|| {
            let page = Reply::internal_error();
            let mut response = Response::new(Full::new(Bytes::from(page.body)));
            *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
            response.headers_mut().insert(
                hyper::header::CONTENT_TYPE,
                HeaderValue::from_static(ERROR_PAGE_TYPE),
            );
            response
        })
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
    Reply::new(status, ERROR_PAGE_TYPE, body.into_bytes())
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

/// `&`, `<`, `>` and `"` as HTML entities, as werkzeug escapes a redirect page's link; enough
/// for text and attribute values in double quotes.
pub fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// `/redirect-to`: the query's `url` (names matched case-insensitively, first wins) as the exact
/// `Location`, with `status_code` used only when it is 3xx. A `status_code` that is not an
/// integer raises in httpbin, a 500; a missing `url` reads as Python's `None`, and werkzeug
/// writes that as the header's value.
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
            None => return Reply::internal_error(),
        }
    }
    let location = arg("url").map_or("None", |(_, url)| url.as_str());
    let mut reply = Reply::new(status, TEXT_HTML, Vec::new());
    reply.header("Location", location);
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

#[cfg(test)]
#[path = "httpbin_tests.rs"]
mod tests;
