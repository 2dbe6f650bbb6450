//! Output a server cannot abuse: control and bidi characters a server sends never reach the
//! terminal raw (text, JSON, HAR), cookie values and secret headers are redacted in every output,
//! every URL password is masked, and overlong values are stopped or shortened.

use std::path::Path;

use serde_json::Value;

use crate::support::{RawServer, Route, Run, Site, hops, send};

/// Characters a terminal acts on instead of printing, or that reorder what it prints: C0 (the
/// newline ending hops' own lines aside), DEL, C1 and the bidi controls.
fn unsafe_chars(text: &str) -> Vec<char> {
    text.chars()
        .filter(|&c| {
            (c.is_control() && c != '\n')
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
        })
        .collect()
}

/// Neither stdout nor stderr carries a character a terminal would act on.
#[track_caller]
fn assert_terminal_safe(run: &Run) {
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        let found = unsafe_chars(text);
        assert!(found.is_empty(), "raw {found:?} on {stream}\n{run}");
    }
}

/// A JSON text written with every unsafe character escaped, that parses back.
#[track_caller]
fn assert_json_safe(what: &str, text: &str) -> Vec<Value> {
    let found = unsafe_chars(text);
    assert!(found.is_empty(), "raw {found:?} in the {what}\n{text}");
    text.lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("{what}: {e}\n{line}")))
        .collect()
}

/// Runs hops with `--color never`, `extra` flags and `url`.
fn run_url(url: &str, extra: &[&str]) -> Run {
    let mut args = vec!["--color".to_owned(), "never".to_owned()];
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    args.push(url.to_owned());
    hops(args)
}

/// The HAR file at `path`, checked like the JSON output.
#[track_caller]
fn read_har(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("the HAR file is written");
    let found = unsafe_chars(&text);
    assert!(found.is_empty(), "raw {found:?} in the HAR file\n{text}");
    serde_json::from_str(&text).expect("the HAR file parses")
}

const META_CONTENT: &str = "5; url=/next\x1b]0;title\x07\x1b[2J";

/// A final page whose meta refresh sets the terminal title and clears the screen, and a cookie
/// whose attribute carries U+009B (CSI on terminals that read 8-bit controls).
fn hostile_page() -> Site {
    let page = Route {
        body: Some(format!(
            "<html><head><meta http-equiv=\"refresh\" content=\"{META_CONTENT}\"></head></html>"
        )),
        ..Route::new("/", 200)
    }
    .with_header("Content-Type", "text/html")
    .with_header("Set-Cookie", "theme=dark; Path=/; X-Note=\u{9b}31m");
    Site::start(vec![page])
}

#[test]
fn server_text_in_the_text_view_is_escaped() {
    let site = hostile_page();
    let run = site.run(&["-v", "{shop}/"]);
    run.code(0)
        .stdout_has("<meta refresh>: 5; url=/next\\x1b]0;title\\x07\\x1b[2J  → ")
        .stdout_has("; Path=/; X-Note=\\u{9b}31m  (stored)");
    assert_terminal_safe(&run);
}

#[test]
fn server_text_in_json_is_escaped_and_parses_back() {
    let site = hostile_page();
    let dir = tempfile::tempdir().unwrap();
    let har = dir.path().join("trace.har");
    let run = site.run(&[
        "--format",
        "json",
        "--har",
        har.to_str().unwrap(),
        "{shop}/",
    ]);
    run.code(0);
    assert!(run.stdout.contains("X-Note=\\u009b31m"), "{run}");
    let docs = assert_json_safe("JSON output", &run.stdout);
    let hop = &docs[0]["hops"][0];
    assert_eq!(hop["refresh"]["raw"], META_CONTENT);
    let set_cookie = hop["set_cookies"][0]["raw"].as_str().unwrap();
    assert!(
        set_cookie.ends_with("; Path=/; X-Note=\u{9b}31m"),
        "{set_cookie}"
    );
    read_har(&har);
}

/// A raw server whose reason phrase has a tab, and whose cookie attribute carries U+202E
/// (right-to-left override, which makes `gnp.exe` read as `exe.png`).
fn raw_hostile_server() -> RawServer {
    RawServer::start(send(
        "HTTP/1.1 200 OK\tgone\r\nSet-Cookie: a=1; X-Dir=\u{202e}gnp.exe\r\nContent-Length: 0\r\n\r\n",
    ))
}

#[test]
fn a_raw_reason_phrase_and_a_bidi_override_are_escaped() {
    let server = raw_hostile_server();
    let url = server.url("/");
    let run = run_url(&url, &[]);
    run.code(0)
        .stdout_has("200 OK\\x09gone  HTTP/1.1")
        .stdout_has("final 200 OK\\x09gone at")
        .stdout_has("; X-Dir=\\u{202e}gnp.exe  (stored)");
    assert_terminal_safe(&run);

    let dir = tempfile::tempdir().unwrap();
    let har = dir.path().join("trace.har");
    let json = run_url(&url, &["--format", "json", "--har", har.to_str().unwrap()]);
    json.code(0);
    assert!(json.stdout.contains("X-Dir=\\u202egnp.exe"), "{json}");
    let docs = assert_json_safe("JSON output", &json.stdout);
    let hop = &docs[0]["hops"][0];
    assert_eq!(hop["reason"], "OK\tgone");
    let set_cookie = hop["set_cookies"][0]["raw"].as_str().unwrap();
    assert!(
        set_cookie.ends_with("; X-Dir=\u{202e}gnp.exe"),
        "{set_cookie}"
    );
    let har = read_har(&har);
    assert_eq!(
        har["log"]["entries"][0]["response"]["statusText"],
        "OK\tgone"
    );

    // A reason phrase with bytes beyond ASCII: the HTTP library hands it over empty, so the
    // override cannot come through that way at all.
    let bidi = RawServer::start(send(
        "HTTP/1.1 200 OK\u{202e}gnp.exe\r\nContent-Length: 0\r\n\r\n",
    ));
    let run = run_url(&bidi.url("/"), &[]);
    run.code(0);
    assert_terminal_safe(&run);
}

/// Secret values the tests send or have the server set; none may appear in any output.
const SECRETS: [&str; 6] = [
    "s3cret-seed",
    "h3ader-cookie",
    "srv-s3t-value",
    "k3y-value",
    "t0ken-value",
    "resp0nse-value",
];

/// Flags that send a cookie with `-b`, another with `-H 'Cookie:'`, and secret-named headers.
const SECRET_FLAGS: [&str; 10] = [
    "-b",
    "sid=s3cret-seed",
    "-H",
    "Cookie: tok=h3ader-cookie",
    "-H",
    "X-Api-Key: k3y-value",
    "-H",
    "X-Auth-Token: t0ken-value",
    "-H",
    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
];

/// A redirect that sets a cookie and answers with a secret-named header, then a final page.
fn secret_site() -> Site {
    Site::start(vec![
        crate::support::redirect("/a", 302, "/b")
            .with_header("Set-Cookie", "back=srv-s3t-value; Path=/; HttpOnly")
            .with_header("X-Session-Token", "resp0nse-value")
            .with_header("Keep-Alive", "timeout=5"),
        crate::support::ok("/b"),
    ])
}

/// Runs the secret site with [`SECRET_FLAGS`] and `extra`; checks the server got every value.
fn run_secret_site(site: &Site, extra: &[&str]) -> Run {
    let mut args = SECRET_FLAGS.to_vec();
    args.extend_from_slice(extra);
    args.push("{shop}/a");
    site.clear_received();
    let run = site.run(&args);
    run.code(0);
    let received = site.received();
    assert_eq!(
        received[0].header("cookie"),
        Some("tok=h3ader-cookie; sid=s3cret-seed"),
        "{run}"
    );
    assert_eq!(
        received[1].header("cookie"),
        Some("tok=h3ader-cookie; sid=s3cret-seed; back=srv-s3t-value"),
        "{run}"
    );
    assert_eq!(received[0].header("x-api-key"), Some("k3y-value"));
    assert_eq!(received[0].header("x-auth-token"), Some("t0ken-value"));
    run
}

#[track_caller]
fn assert_no_secret(what: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{what} shows {secret:?}\n{text}");
    }
}

#[test]
fn cookie_values_and_secret_headers_are_redacted_in_the_text_view() {
    let site = secret_site();
    let run = run_secret_site(&site, &["-v"]);
    assert_no_secret("stdout", &run.stdout);
    assert_no_secret("stderr", &run.stderr);
    run.stdout_has("> cookie: tok=****; sid=****\n")
        .stdout_has("> cookie: tok=****; sid=****; back=****\n")
        .stdout_has("> x-api-key: ****\n")
        .stdout_has("> x-auth-token: ****\n")
        .stdout_has("> sec-websocket-key: dGhlIHNhbXBsZSBub25jZQ==\n")
        .stdout_has("< set-cookie: back=****; Path=/; HttpOnly\n")
        .stdout_has("< x-session-token: ****\n")
        .stdout_has("< keep-alive: timeout=5\n")
        .stdout_has("Set-Cookie: back=****; Path=/; HttpOnly  (stored)");

    let shown = run_secret_site(&site, &["-v", "--show-secrets"]);
    shown
        .stdout_has("> cookie: tok=h3ader-cookie; sid=s3cret-seed; back=srv-s3t-value\n")
        .stdout_has("> x-api-key: k3y-value\n")
        .stdout_has("< x-session-token: resp0nse-value\n")
        .stdout_has("Set-Cookie: back=srv-s3t-value; Path=/; HttpOnly  (stored)");
}

#[test]
fn cookie_values_and_secret_headers_are_redacted_in_json_and_har() {
    let site = secret_site();
    let dir = tempfile::tempdir().unwrap();
    let har = dir.path().join("trace.har");
    let har_arg = har.to_str().unwrap();
    let run = run_secret_site(&site, &["--format", "json", "--har", har_arg]);
    assert_no_secret("JSON output", &run.stdout);
    assert_no_secret("stderr", &run.stderr);
    let har_text = std::fs::read_to_string(&har).unwrap();
    assert_no_secret("HAR file", &har_text);
    let doc = &assert_json_safe("JSON output", &run.stdout)[0];
    let pair = |name: &str, value: &str| serde_json::json!([name, value]);
    let request_headers = doc["request"]["headers"].as_array().unwrap();
    assert!(
        request_headers.contains(&pair("cookie", "tok=****")),
        "{doc}"
    );
    assert!(
        request_headers.contains(&pair("x-api-key", "****")),
        "{doc}"
    );
    let hop = &doc["hops"][1];
    let sent = hop["request_headers"].as_array().unwrap();
    assert!(
        sent.contains(&pair("cookie", "tok=****; sid=****; back=****")),
        "{doc}"
    );
    assert_eq!(
        doc["hops"][0]["set_cookies"][0]["raw"],
        "back=****; Path=/; HttpOnly"
    );

    let run = run_secret_site(
        &site,
        &["--format", "json", "--show-secrets", "--har", har_arg],
    );
    let har_text = std::fs::read_to_string(&har).unwrap();
    for secret in SECRETS {
        assert!(run.stdout.contains(secret), "JSON lacks {secret}\n{run}");
        assert!(har_text.contains(secret), "HAR lacks {secret}\n{har_text}");
    }
}

#[test]
fn a_cookie_loop_names_the_cookie_but_never_its_value() {
    // A Secure cookie over plain http is refused, so the server asks for it again and again.
    let site = Site::start(vec![
        crate::support::redirect("/", 302, "/")
            .with_header("Set-Cookie", "sid=l00p-value; Secure; Path=/"),
    ]);
    let text = site.run(&["{shop}/"]);
    text.code(3)
        .stdout_has("cookie sid is never sent back")
        .stdout_has("Set-Cookie: sid=****; Secure; Path=/");
    let json = site.run(&["--format", "json", "{shop}/"]);
    json.code(3);
    for run in [&text, &json] {
        assert!(!run.stdout.contains("l00p-value"), "{run}");
        assert!(!run.stderr.contains("l00p-value"), "{run}");
    }
    let doc = &assert_json_safe("JSON output", &json.stdout)[0];
    assert_eq!(doc["loop"]["kind"], "cookie_not_stored", "{doc}");
}

/// A redirect with two different `Location` fields, each with a password of its own.
fn two_passwords_site() -> Site {
    Site::start(vec![
        crate::support::redirect("/a", 302, "http://a:pw1@x.test/")
            .with_header("Location", "http://b:pw2@x.test/"),
    ])
}

#[test]
fn every_location_password_is_redacted_in_text_json_and_stderr() {
    let site = two_passwords_site();
    let text = site.run(&["-v", "-w", "%{errormsg}", "{shop}/a"]);
    text.code(5)
        .stdout_has("< location: http://a:****@x.test/\n")
        .stdout_has("< location: http://b:****@x.test/\n")
        .stdout_has("Location: http://a:****@x.test/, http://b:****@x.test/\n")
        .hop_error(
            1,
            r#"2 Location headers with different values ("http://a:****@x.test/", "http://b:****@x.test/")"#,
        );
    let json = site.run(&["--format", "json", "{shop}/a"]);
    json.code(5);
    for run in [&text, &json] {
        for password in ["pw1", "pw2"] {
            assert!(!run.stdout.contains(password), "{run}");
            assert!(!run.stderr.contains(password), "{run}");
        }
    }
    let doc = &assert_json_safe("JSON output", &json.stdout)[0];
    assert_eq!(
        doc["hops"][0]["location"],
        "http://a:****@x.test/, http://b:****@x.test/"
    );

    // --show-secrets shows both, in the hop; messages stay redacted.
    let shown = site.run(&["-v", "--show-secrets", "{shop}/a"]);
    shown
        .code(5)
        .stdout_has("< location: http://a:pw1@x.test/\n")
        .stdout_has("< location: http://b:pw2@x.test/\n")
        .stdout_has("Location: http://a:pw1@x.test/, http://b:pw2@x.test/\n")
        .hop_error(1, "http://a:****@x.test/");
    let json = site.run(&["--format", "json", "--show-secrets", "{shop}/a"]);
    let doc = &assert_json_safe("JSON output", &json.stdout)[0];
    assert_eq!(
        doc["hops"][0]["location"],
        "http://a:pw1@x.test/, http://b:pw2@x.test/"
    );
}

#[test]
fn a_location_too_long_to_send_stops_with_one_short_line() {
    let long = format!("/{}", "a".repeat(69_999));
    let site = Site::start(vec![
        crate::support::redirect("/start", 302, &long),
        crate::support::ok(&long),
    ]);
    let run = site.run(&["-v", "{shop}/start"]);
    run.code(5)
        .hop_error(1, "over the 65534 bytes the HTTP library can send: /aaaa")
        .stderr_has("a…(70000 bytes)\n")
        .stdout_has("< location: /aaaa")
        .stdout_has("Location: /aaaa")
        .stdout_lacks("Parsed Url");
    assert!(run.stderr.len() < 500, "{run}");
    for line in run.stdout.lines() {
        assert!(line.len() < 500, "a long line: {}…", &line[..200]);
    }
    assert_eq!(site.requests(), ["GET shop.test /start"]);

    // The JSON keeps the whole value; its message is the short one.
    let json = site.run(&["--format", "json", "{shop}/start"]);
    json.code(5);
    let doc = &assert_json_safe("JSON output", &json.stdout)[0];
    assert_eq!(doc["hops"][0]["location"], long.as_str());
    assert_eq!(doc["error"]["kind"], "bad_location");
    assert!(
        doc["error"]["message"].as_str().unwrap().len() < 500,
        "{doc}"
    );
}

#[test]
fn a_header_value_of_several_kib_is_shortened_in_the_text_view() {
    let big = "b".repeat(5000);
    let site = Site::start(vec![crate::support::ok("/").with_header("X-Big", &big)]);
    site.run(&["-v", "{shop}/"])
        .code(0)
        .stdout_has(&format!("< x-big: {}…(5000 bytes)\n", "b".repeat(200)));
    let json = site.run(&["--format", "json", "{shop}/"]);
    let doc = &assert_json_safe("JSON output", &json.stdout)[0];
    let headers = doc["hops"][0]["response_headers"].as_array().unwrap();
    assert!(
        headers.contains(&serde_json::json!(["x-big", big])),
        "{doc}"
    );
}
