//! httpbin compatibility table: each expected value names the httpbin code path (httpbin/core.py,
//! httpbin/helpers.py at postmanlabs/httpbin, on Flask 1.0.2 and werkzeug 0.14.1 as Pipfile.lock
//! pins them) that produces it.

use super::*;
use futures_util::FutureExt;
use http_body_util::BodyExt;
use serde_json::Value;

const BASE: &str = "http://127.0.0.1:8080";

struct Got {
    status: u16,
    headers: hyper::HeaderMap,
    body: Vec<u8>,
}

impl Got {
    fn location(&self) -> Option<&str> {
        self.headers
            .get("location")
            .map(|value| value.to_str().unwrap())
    }

    fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .get_all(name)
            .iter()
            .map(|value| value.to_str().unwrap())
            .collect()
    }

    fn json(&self) -> Value {
        assert_eq!(self.headers["content-type"], "application/json");
        serde_json::from_slice(&self.body).unwrap()
    }
}

fn call(method: &str, target: &str, headers: &[(&str, &str)], body: &[u8]) -> Option<Got> {
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    let request = HttpbinRequest {
        method,
        path_and_query: target,
        headers: &headers,
        body,
        origin_ip: "10.0.0.7",
        scheme_and_host: BASE,
    };
    let response = answer(&request)?;
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = futures_body(response.into_body());
    Some(Got {
        status,
        headers,
        body,
    })
}

fn futures_body(body: Full<Bytes>) -> Vec<u8> {
    // A `Full` body is one frame, ready at its first poll.
    let collected = body
        .collect()
        .now_or_never()
        .expect("a Full body is ready at once");
    collected
        .expect("a Full body cannot fail")
        .to_bytes()
        .to_vec()
}

fn get(target: &str) -> Got {
    call("GET", target, &[], b"").unwrap_or_else(|| panic!("{target}: not an endpoint"))
}

#[test]
fn redirect_status_and_location_table() {
    let table: &[(&str, u16, &str)] = &[
        // core.py redirect_n_times: n > 1 and not absolute -> _redirect("relative", ...), whose
        // url_for is not _external.
        ("/redirect/3", 302, "/relative-redirect/2"),
        // core.py redirect_n_times: absolute=true -> _redirect("absolute", n, True).
        (
            "/redirect/3?absolute=true",
            302,
            "http://127.0.0.1:8080/absolute-redirect/2",
        ),
        // core.py redirect_n_times: `absolute` compared after .lower().
        (
            "/redirect/2?absolute=TRUE",
            302,
            "http://127.0.0.1:8080/absolute-redirect/1",
        ),
        // core.py redirect_n_times: n == 1 -> url_for("view_get", _external=absolute).
        ("/redirect/1", 302, "/get"),
        (
            "/redirect/1?absolute=true",
            302,
            "http://127.0.0.1:8080/get",
        ),
        // core.py relative_redirect_n_times: url_for("relative_redirect_n_times", n=n - 1).
        ("/relative-redirect/2", 302, "/relative-redirect/1"),
        // core.py relative_redirect_n_times: n == 1 -> url_for("view_get").
        ("/relative-redirect/1", 302, "/get"),
        // core.py absolute_redirect_n_times: _redirect("absolute", n, True).
        (
            "/absolute-redirect/2",
            302,
            "http://127.0.0.1:8080/absolute-redirect/1",
        ),
        ("/absolute-redirect/1", 302, "http://127.0.0.1:8080/get"),
        // core.py redirect_to: status 302 unless status_code is given; Location is args["url"].
        (
            "/redirect-to?url=http://example.com/",
            302,
            "http://example.com/",
        ),
        // core.py redirect_to: status_code used when 300 <= code < 400.
        (
            "/redirect-to?url=http://example.com/&status_code=307",
            307,
            "http://example.com/",
        ),
        // core.py redirect_to: outside 3xx the 302 stays.
        ("/redirect-to?url=/x&status_code=200", 302, "/x"),
        // core.py redirect_to: args is a CaseInsensitiveDict; the url is percent-decoded.
        ("/redirect-to?URL=%2Fa%3Fb%3D1", 302, "/a?b=1"),
        // helpers.py status_code: 301/302/303/305/307 -> location REDIRECT_LOCATION.
        ("/status/302", 302, "/redirect/1"),
        ("/status/307", 307, "/redirect/1"),
    ];
    for (target, status, location) in table {
        let got = get(target);
        assert_eq!(
            (got.status, got.location()),
            (*status, Some(*location)),
            "{target}"
        );
    }
}

#[test]
fn redirect_to_answers_every_listed_method_with_an_empty_body() {
    // core.py redirect_to: methods GET POST PUT DELETE PATCH TRACE; app.make_response("").
    for method in ["GET", "POST", "PUT", "DELETE", "PATCH", "TRACE"] {
        let got = call(method, "/redirect-to?url=/a&status_code=303", &[], b"x").unwrap();
        assert_eq!((got.status, got.location()), (303, Some("/a")), "{method}");
        assert!(got.body.is_empty(), "{method}");
    }
}

#[test]
fn redirect_errors_are_500s() {
    // core.py: `assert n > 0` in every redirect view; int(args["status_code"]) raises in
    // redirect_to. Flask's after_request does not run for them: no CORS headers.
    for target in [
        "/redirect/0",
        "/relative-redirect/0",
        "/absolute-redirect/0",
        "/redirect-to?url=/a&status_code=abc",
    ] {
        let got = get(target);
        assert_eq!(got.status, 500, "{target}");
        assert_eq!(got.headers["content-type"], "text/html", "{target}");
        assert!(
            got.all("access-control-allow-origin").is_empty(),
            "{target}"
        );
    }
    // core.py redirect_to: CaseInsensitiveDict answers None for a missing url, and werkzeug
    // writes the header as str(None).
    let got = get("/redirect-to?status_code=301");
    assert_eq!((got.status, got.location()), (301, Some("None")));
}

#[test]
fn werkzeug_redirect_page_body() {
    // werkzeug.utils.redirect (0.14): the HTML page naming the escaped target.
    let got = get("/redirect/2");
    assert_eq!(got.headers["content-type"], "text/html; charset=utf-8");
    let body = String::from_utf8(got.body).unwrap();
    assert!(body.ends_with(
        "<a href=\"/relative-redirect/1\">/relative-redirect/1</a>.  If not click the link."
    ));
}

#[test]
fn status_codes() {
    // helpers.py status_code: code_map entries replace the headers, the rest are empty pages.
    let teapot = get("/status/418");
    assert_eq!(teapot.status, 418);
    assert_eq!(
        teapot.headers["x-more-info"],
        "http://tools.ietf.org/html/rfc2324"
    );
    assert!(
        String::from_utf8(teapot.body)
            .unwrap()
            .contains("-=[ teapot ]=-")
    );
    assert!(!teapot.headers.contains_key("content-type"));

    let empty = get("/status/204");
    assert_eq!((empty.status, empty.body.len()), (204, 0));
    assert_eq!(empty.headers["content-type"], "text/html; charset=utf-8");

    // helpers.py status_code: 401 and 407 carry the Fake Realm challenge.
    assert_eq!(
        get("/status/401").headers["www-authenticate"],
        "Basic realm=\"Fake Realm\""
    );
    assert_eq!(
        get("/status/407").headers["proxy-authenticate"],
        "Basic realm=\"Fake Realm\""
    );
    // helpers.py status_code: 304 has data='' and keeps the default headers.
    assert_eq!(get("/status/304").location(), None);
    // helpers.py status_code: 406 is a json.dumps body with default separators.
    let not_acceptable = get("/status/406");
    assert_eq!(not_acceptable.headers["content-type"], "application/json");
    assert!(
        not_acceptable
            .body
            .starts_with(b"{\"message\": \"Client did not")
    );
    // core.py view_status_code: int(codes) failing -> 400 "Invalid status code".
    let invalid = get("/status/abc");
    assert_eq!(
        (invalid.status, invalid.body.as_slice()),
        (400, &b"Invalid status code"[..])
    );
    // core.py view_status_code: every listed method answers.
    assert_eq!(call("DELETE", "/status/202", &[], b"").unwrap().status, 202);
}

#[test]
fn anything_echo_fields() {
    let got = call(
        "PUT",
        "/anything/x/y?a=1&a=2&b=%20c",
        &[
            ("content-type", "application/json"),
            ("x-custom-thing", "v"),
            ("accept", "*/*"),
        ],
        b"{\"k\": [1, 2]}",
    )
    .unwrap();
    let json = got.json();
    // helpers.py get_dict: method=request.method.
    assert_eq!(json["method"], "PUT");
    // helpers.py semiflatten: repeated names become lists, single ones stay strings.
    assert_eq!(
        json["args"],
        serde_json::json!({"a": ["1", "2"], "b": " c"})
    );
    // helpers.py get_dict: json.loads(data) on any content type; data is the text.
    assert_eq!(json["json"], serde_json::json!({"k": [1, 2]}));
    assert_eq!(json["data"], "{\"k\": [1, 2]}");
    // helpers.py get_dict: form and files are empty for a non-form body.
    assert_eq!(json["form"], serde_json::json!({}));
    assert_eq!(json["files"], serde_json::json!({}));
    // helpers.py get_headers: WSGI Title-Cases header names.
    assert_eq!(json["headers"]["X-Custom-Thing"], "v");
    assert_eq!(json["headers"]["Content-Type"], "application/json");
    // helpers.py get_url: request.url, werkzeug's IRI of the URL, escapes decoded.
    assert_eq!(
        json["url"],
        "http://127.0.0.1:8080/anything/x/y?a=1&a=2&b= c"
    );
    // helpers.py get_dict: origin is X-Forwarded-For or remote_addr.
    assert_eq!(json["origin"], "10.0.0.7");
}

#[test]
fn anything_form_bodies_and_forwarding() {
    let got = call(
        "POST",
        "/anything",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("X-Forwarded-For", "203.0.113.9"),
            ("X-Forwarded-Proto", "https"),
        ],
        b"name=a+b&x=1&x=2",
    )
    .unwrap();
    let json = got.json();
    // helpers.py get_dict: form = semiflatten(request.form); werkzeug leaves data empty.
    assert_eq!(
        json["form"],
        serde_json::json!({"name": "a b", "x": ["1", "2"]})
    );
    assert_eq!(
        (&json["data"], &json["json"]),
        (&Value::from(""), &Value::Null)
    );
    // helpers.py get_dict: origin from X-Forwarded-For; ENV_HEADERS hidden by get_headers.
    assert_eq!(json["origin"], "203.0.113.9");
    assert!(json["headers"].get("X-Forwarded-For").is_none());
    // helpers.py get_url: X-Forwarded-Proto replaces the scheme.
    assert_eq!(json["url"], "https://127.0.0.1:8080/anything");
    // helpers.py json_safe: bytes that are not UTF-8 become a base64 data URL.
    let binary = call("POST", "/post", &[], b"\xff\x00a").unwrap().json();
    assert_eq!(binary["data"], "data:application/octet-stream;base64,/wBh");
}

#[test]
fn json_layout_is_flask_pretty_print() {
    // core.py: JSONIFY_PRETTYPRINT_REGULAR; Flask 1.0 jsonify uses indent=2,
    // separators=(", ", ": "), sorted keys, ASCII-only output and a final newline.
    let got = call("GET", "/get?z=\u{e9}&a=1", &[("Host", "h")], b"").unwrap();
    let text = String::from_utf8(got.body).unwrap();
    assert_eq!(
        text,
        "{\n  \"args\": {\n    \"a\": \"1\", \n    \"z\": \"\\u00e9\"\n  }, \n  \"headers\": {\n    \
         \"Host\": \"h\"\n  }, \n  \"origin\": \"10.0.0.7\", \n  \"url\": \
         \"http://127.0.0.1:8080/get?z=\u{e9}&a=1\"\n}\n"
            .replace('\u{e9}', "\\u00e9")
    );
}

#[test]
fn method_routes_and_405() {
    // core.py view_post: methods=("POST",); Flask answers other methods 405 with Allow.
    let got = call("GET", "/post", &[], b"").unwrap();
    assert_eq!(got.status, 405);
    assert_eq!(got.headers["allow"], "POST, OPTIONS");
    // core.py view_get: methods=("GET",), which Flask extends with HEAD.
    assert_eq!(call("HEAD", "/get", &[], b"").unwrap().status, 200);
    assert_eq!(call("POST", "/get", &[], b"").unwrap().status, 405);
    // core.py view_put / view_patch / view_delete: one method each.
    for (method, path) in [("PUT", "/put"), ("PATCH", "/patch"), ("DELETE", "/delete")] {
        let json = call(method, path, &[], b"").unwrap().json();
        assert!(
            json.get("method").is_none(),
            "{path}: only /anything echoes the method"
        );
        assert_eq!(call("GET", path, &[], b"").unwrap().status, 405, "{path}");
    }
    // Flask's automatic OPTIONS plus core.py set_cors_headers preflight headers.
    let options = call("OPTIONS", "/post", &[], b"").unwrap();
    assert_eq!(options.status, 200);
    assert_eq!(options.headers["access-control-max-age"], "3600");
}

#[test]
fn cors_headers_on_every_answer() {
    // core.py set_cors_headers: Origin echoed (or *) and credentials allowed.
    let got = call("GET", "/status/418", &[("Origin", "http://a.test")], b"").unwrap();
    assert_eq!(got.headers["access-control-allow-origin"], "http://a.test");
    assert_eq!(got.headers["access-control-allow-credentials"], "true");
    assert_eq!(get("/get").headers["access-control-allow-origin"], "*");
}

#[test]
fn headers_endpoint() {
    // core.py view_headers: get_dict("headers"); repeats joined with "," as gunicorn's WSGI
    // environ holds them; show_env keeps ENV_HEADERS.
    let headers = [("accept", "a"), ("accept", "b"), ("via", "1.1 p")];
    let json = call("GET", "/headers", &headers, b"").unwrap().json();
    assert_eq!(json, serde_json::json!({"headers": {"Accept": "a,b"}}));
    let json = call("GET", "/headers?show_env=1", &headers, b"")
        .unwrap()
        .json();
    assert_eq!(json["headers"]["Via"], "1.1 p");
}

#[test]
fn cookies_endpoints() {
    // core.py view_cookies: jsonify(cookies=dict(request.cookies)), ENV_COOKIES hidden.
    let cookie = [("Cookie", "a=1; b=\"x\\073y\"; __utma=9")];
    let json = call("GET", "/cookies", &cookie, b"").unwrap().json();
    assert_eq!(json, serde_json::json!({"cookies": {"a": "1", "b": "x;y"}}));

    // core.py set_cookies: redirect(url_for("view_cookies")) with r.set_cookie per query pair;
    // werkzeug 0.14 dump_cookie writes `key=value; Path=/`.
    let got = get("/cookies/set?a=1&b=2");
    assert_eq!((got.status, got.location()), (302, Some("/cookies")));
    assert_eq!(got.all("set-cookie"), ["a=1; Path=/", "b=2; Path=/"]);
    // werkzeug _cookie_quote: a value with an unsafe character is quoted, `;` as \073.
    assert_eq!(
        get("/cookies/set?c=x%3By%20z").all("set-cookie"),
        ["c=\"x\\073y z\"; Path=/"]
    );

    // core.py delete_cookies: r.delete_cookie(key), i.e. expires=0, max_age=0.
    let got = get("/cookies/delete?a");
    assert_eq!((got.status, got.location()), (302, Some("/cookies")));
    assert_eq!(
        got.all("set-cookie"),
        ["a=; Expires=Thu, 01-Jan-1970 00:00:00 GMT; Max-Age=0; Path=/"]
    );
}

#[test]
fn secure_cookies_over_https() {
    // helpers.py secure_cookie: wsgi.url_scheme == "https" adds Secure.
    let headers: Vec<(String, String)> = Vec::new();
    let request = HttpbinRequest {
        method: "GET",
        path_and_query: "/cookies/set?a=1",
        headers: &headers,
        body: b"",
        origin_ip: "::1",
        scheme_and_host: "https://localhost:8443",
    };
    let response = answer(&request).unwrap();
    assert_eq!(response.headers()["set-cookie"], "a=1; Secure; Path=/");
}

#[test]
fn unknown_paths_are_not_endpoints() {
    // core.py routes: no rule matches, so Flask would 404; the caller decides.
    for target in [
        "/",
        "/nope",
        "/get/",
        "/redirect/x",
        "/redirect/-1",
        "/anything/",
        "/status/",
    ] {
        assert!(call("GET", target, &[], b"").is_none(), "{target}");
    }
}
