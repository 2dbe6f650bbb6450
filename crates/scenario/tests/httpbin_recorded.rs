//! Replays every request of httpbin-recorded.json (what a real httpbin answered, recorded by
//! record_httpbin.py) through `httpbin::answer` and checks that the answers match.
//!
//! Normalisations, and why there are so few: the recorder sent a fixed `Host: httpbin.test`, so
//! `url` and absolute `Location`s carry no port, and the test passes `http://` + that Host as
//! `scheme_and_host`, as `hops serve` does. The recorder's socket was on the loopback, so
//! `origin_ip` is `127.0.0.1`, the peer address httpbin saw. Its http.client was told to add no
//! header (no automatic Host or Accept-Encoding), and gunicorn adds none to what httpbin echoes,
//! so the recorded request headers are exactly those fed here and JSON bodies can be compared
//! byte for byte. What is left:
//! - `Allow` is compared as a set of methods: Werkzeug builds it from a Python set, whose order
//!   changes with the interpreter's hash seed.
//! - HEAD answers have no body to compare: httpbin's HEAD body is dropped by the WSGI server, and
//!   `answer` leaves the dropping to the HTTP server (hyper sends no body for HEAD).
//! - Headers the server adds on its own (`Server`, `Date`, `Content-Length`, `Connection`) were
//!   never recorded.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use bytes::Bytes;
use futures_util::FutureExt;
use hops_scenario::httpbin::{self, HttpbinRequest};
use http_body_util::{BodyExt, Full};
use serde_json::Value;

const RECORDING: &str = include_str!("httpbin-recorded.json");
/// The peer address httpbin saw: the recorder connected over the loopback.
const LOOPBACK_ORIGIN: &str = "127.0.0.1";
/// Response headers the recorder kept; `access-control-*` ones are kept too.
const COMPARED_HEADERS: &[&str] = &[
    "location",
    "content-type",
    "set-cookie",
    "allow",
    "www-authenticate",
    "x-more-info",
];

fn body_bytes(recorded: &Value) -> Vec<u8> {
    if let Some(text) = recorded["text"].as_str() {
        return text.as_bytes().to_vec();
    }
    let encoded = recorded["base64"].as_str().expect("a text or base64 body");
    STANDARD.decode(encoded).expect("valid base64")
}

fn compared(name: &str) -> bool {
    COMPARED_HEADERS.contains(&name) || name.starts_with("access-control-")
}

/// Header name/value pairs in a form where equal answers compare equal: sorted by name (the
/// order between different names means nothing), values of one name kept in order (Set-Cookie
/// order matters), and `Allow` as a sorted set.
fn comparable(mut headers: Vec<(String, String)>) -> Vec<(String, String)> {
    for (name, value) in &mut headers {
        if name == "allow" {
            let mut methods: Vec<&str> = value.split(',').map(str::trim).collect();
            methods.sort_unstable();
            *value = methods.join(", ");
        }
    }
    headers.sort_by(|a, b| a.0.cmp(&b.0));
    headers
}

fn collect(body: Full<Bytes>) -> Vec<u8> {
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

/// What differs between the recorded answer to `exchange` and `httpbin::answer`'s.
fn differences(exchange: &Value) -> Vec<String> {
    let request = &exchange["request"];
    let recorded = &exchange["response"];
    let method = request["method"].as_str().unwrap();
    let headers: Vec<(String, String)> = request["headers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|pair| {
            (
                pair[0].as_str().unwrap().to_owned(),
                pair[1].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let host = headers
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("host"))
        .map(|(_, value)| value.clone())
        .expect("the recorder always sends Host");
    let body = body_bytes(&request["body"]);
    let scheme_and_host = format!("http://{host}");
    let Some(response) = httpbin::answer(&HttpbinRequest {
        method,
        path_and_query: request["target"].as_str().unwrap(),
        headers: &headers,
        body: &body,
        origin_ip: LOOPBACK_ORIGIN,
        scheme_and_host: &scheme_and_host,
    }) else {
        return vec!["not answered as an httpbin endpoint".to_owned()];
    };
    let mut found = Vec::new();
    let status = u64::from(response.status().as_u16());
    if Some(status) != recorded["status"].as_u64() {
        found.push(format!("status {status}, recorded {}", recorded["status"]));
    }
    let ours = comparable(
        response
            .headers()
            .iter()
            .filter(|(name, _)| compared(name.as_str()))
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
                (name.as_str().to_owned(), value)
            })
            .collect(),
    );
    let theirs = comparable(
        recorded["headers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|pair| {
                (
                    pair[0].as_str().unwrap().to_owned(),
                    pair[1].as_str().unwrap().to_owned(),
                )
            })
            .collect(),
    );
    if ours != theirs {
        found.push(format!("headers {ours:?}, recorded {theirs:?}"));
    }
    if method != "HEAD" {
        let ours = collect(response.into_body());
        let theirs = body_bytes(&recorded["body"]);
        if let Some(json) = recorded["body"].get("json") {
            match serde_json::from_slice::<Value>(&ours) {
                Ok(parsed) if &parsed == json => {}
                Ok(parsed) => found.push(format!("JSON body {parsed}, recorded {json}")),
                Err(error) => found.push(format!("body is not JSON ({error})")),
            }
        }
        if ours != theirs {
            found.push(format!(
                "body {:?}, recorded {:?}",
                String::from_utf8_lossy(&ours),
                String::from_utf8_lossy(&theirs)
            ));
        }
    }
    found
}

#[test]
fn every_recorded_httpbin_answer_is_reproduced() {
    let recording: Value = serde_json::from_str(RECORDING).unwrap();
    let exchanges = recording["exchanges"].as_array().unwrap();
    assert!(exchanges.len() >= 80, "the recording lost exchanges");
    let mut report = Vec::new();
    for exchange in exchanges {
        let found = differences(exchange);
        if !found.is_empty() {
            let request = &exchange["request"];
            report.push(format!(
                "{} {}:\n  {}",
                request["method"].as_str().unwrap(),
                request["target"].as_str().unwrap(),
                found.join("\n  ")
            ));
        }
    }
    assert!(
        report.is_empty(),
        "{} of {} answers differ from the recording:\n{}",
        report.len(),
        exchanges.len(),
        report.join("\n")
    );
}
