//! `--format json` read back into structs that mirror the schema documented in
//! `src/render/json.rs` field for field (unknown or missing fields fail), on success and on every
//! way a chain can fail; and `--har`, checked against the HAR 1.2 structure.

use serde::Deserialize;

use crate::support::schema::{
    Check, Document, ErrorKind, Final, HstsAction, LoopKind, Outcome, Refresh, RefreshSource,
    SetCookie, Via,
};
use crate::support::{Received, Route, Run, Site, closed_port, hops, ok, on, redirect};

/// Every stdout line as a schema-1 document; stdout is nothing but those lines.
#[track_caller]
fn documents(run: &Run) -> Vec<Document> {
    assert!(
        run.stdout.ends_with('\n'),
        "stdout is not whole lines\n{run}"
    );
    run.stdout
        .lines()
        .map(|line| {
            let doc: Document = serde_json::from_str(line)
                .unwrap_or_else(|err| panic!("not a schema-1 document: {err}\n{line}\n{run}"));
            assert_eq!(doc.schema, 1, "{run}");
            doc
        })
        .collect()
}

#[track_caller]
fn document(run: &Run) -> Document {
    let mut docs = documents(run);
    assert_eq!(docs.len(), 1, "one document expected\n{run}");
    docs.remove(0)
}

fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_str())
}

/// `METHOD host path body` per received request.
fn received(requests: &[Received]) -> Vec<String> {
    requests
        .iter()
        .map(|r| {
            let body = String::from_utf8_lossy(&r.body);
            format!("{} {} {} {body}", r.method, r.host, r.path)
                .trim_end()
                .to_owned()
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------

#[test]
fn a_followed_chain_is_one_document_with_every_hop() {
    let site = Site::start(vec![
        on(
            "shop.test",
            redirect("/checkout", 307, "/pay").with_header("Set-Cookie", "sid=1; Path=/"),
        ),
        on("shop.test", redirect("/pay", 303, "{other}/done")),
        on("other.test", ok("/done")),
    ]);
    let run = site.run(&[
        "--format",
        "json",
        "-d",
        "name=alice",
        "-H",
        "Authorization: Bearer t0ken",
        "{shop}/checkout",
    ]);
    run.code(0).quiet_stderr().stdout_lacks("t0ken");
    let doc = document(&run);

    assert_eq!(doc.request.method, "POST");
    assert_eq!(doc.request.url, site.url("{shop}/checkout"));
    assert_eq!(doc.request.body_bytes, Some(10));
    assert_eq!(
        header(&doc.request.headers, "authorization"),
        Some("Bearer ****")
    );
    assert_eq!(
        header(&doc.request.headers, "content-type"),
        Some("application/x-www-form-urlencoded")
    );

    // (index, method, url, status, reason, location, next_url, next_method, body_kept, stripped)
    type Shape = (
        usize,
        String,
        String,
        u16,
        String,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<bool>,
        Vec<String>,
    );
    let shape: Vec<Shape> = doc
        .hops
        .iter()
        .map(|h| {
            (
                h.index,
                h.method.clone(),
                h.url.clone(),
                h.status,
                h.reason.clone(),
                h.location.clone(),
                h.next_url.clone(),
                h.next_method.clone(),
                h.body_kept,
                h.stripped_headers.clone(),
            )
        })
        .collect();
    let s = |text: &str| site.url(text);
    let o = |text: &str| text.to_owned();
    assert_eq!(
        shape,
        [
            (
                1,
                o("POST"),
                s("{shop}/checkout"),
                307,
                o("Temporary Redirect"),
                Some(o("/pay")),
                Some(s("{shop}/pay")),
                Some(o("POST")),
                Some(true),
                vec![],
            ),
            (
                2,
                o("POST"),
                s("{shop}/pay"),
                303,
                o("See Other"),
                Some(s("{other}/done")),
                Some(s("{other}/done")),
                Some(o("GET")),
                Some(false),
                vec![o("content-type"), o("authorization")],
            ),
            (
                3,
                o("GET"),
                s("{other}/done"),
                200,
                o("OK"),
                None,
                None,
                None,
                None,
                vec![],
            ),
        ],
        "{run}"
    );
    let remote = format!("127.0.0.1:{}", site.port());
    for hop in &doc.hops {
        assert!(!hop.synthetic, "{hop:?}");
        assert_eq!(hop.http_version, "HTTP/1.1");
        assert_eq!(hop.remote_addr.as_deref(), Some(remote.as_str()));
        assert!(hop.tls.is_none(), "plain http hops have no TLS facts");
        assert_eq!(hop.not_followed, None);
        assert!(hop.refresh.is_none());
        assert!(hop.warnings.is_empty(), "{:?}", hop.warnings);
        assert!(hop.hsts.is_none());
        // No lookup (--resolve) and no TLS over http; connect only on a new connection.
        let t = &hop.timing_ms;
        assert_eq!((t.dns, t.tls), (None, None), "{t:?}");
        // A new connection is opened before the first byte, which comes before the end.
        assert!(
            t.connect.unwrap_or(0.0) <= t.first_byte && t.first_byte <= t.total,
            "{t:?}"
        );
        assert!(t.first_byte > 0.0, "a round trip takes time: {t:?}");
    }
    assert!(doc.hops[0].timing_ms.connect.is_some(), "{run}");
    let via: Vec<Via> = doc.hops.iter().map(|h| h.via).collect();
    assert_eq!(via, [Via::Start, Via::Redirect, Via::Redirect]);
    assert_eq!(
        doc.hops[0].set_cookies,
        [SetCookie {
            raw: "sid=****; Path=/".into(),
            stored: true,
            reason: None
        }]
    );
    assert_eq!(
        header(&doc.hops[0].response_headers, "location"),
        Some("/pay")
    );
    assert_eq!(
        header(&doc.hops[0].request_headers, "authorization"),
        Some("Bearer ****")
    );
    assert_eq!(
        header(&doc.hops[1].request_headers, "cookie"),
        Some("sid=****")
    );
    assert_eq!(header(&doc.hops[2].request_headers, "authorization"), None);

    assert_eq!(doc.outcome, Outcome::Ok);
    assert!(doc.loop_.is_none() && doc.error.is_none());
    assert_eq!(
        doc.final_,
        Some(Final {
            status: 200,
            url: site.url("{other}/done")
        })
    );
    assert!(!doc.verdict.is_empty());
    assert_eq!(doc.redirects, 2);
    // The chain's time covers every hop (each value rounded to the microsecond).
    let hops_time: f64 = doc.hops.iter().map(|hop| hop.timing_ms.total).sum();
    assert!(
        hops_time > 0.0 && hops_time <= doc.time_ms + 0.01,
        "hops took {hops_time} ms in a chain of {} ms",
        doc.time_ms
    );
    assert!(doc.checks.is_empty());

    let got = site.received();
    assert_eq!(
        received(&got),
        [
            "POST shop.test /checkout name=alice",
            "POST shop.test /pay name=alice",
            "GET other.test /done",
        ]
    );
    assert_eq!(got[0].header("authorization"), Some("Bearer t0ken"));
    assert_eq!(got[1].header("cookie"), Some("sid=1"));
    assert_eq!(got[2].header("authorization"), None);
}

#[test]
fn warnings_hsts_and_an_unfollowed_refresh_are_recorded_on_their_hop() {
    let site = Site::start(vec![
        redirect("/a", 302, "/b").with_header("Location", "/b"),
        ok("/b")
            .with_header("Refresh", "0; url=/c")
            .with_header("Strict-Transport-Security", "max-age=60"),
        ok("/c"),
    ]);
    let run = site.run(&["--format", "json", "{shop}/a"]);
    run.code(0).quiet_stderr();
    let doc = document(&run);
    let codes: Vec<&str> = doc.hops[0]
        .warnings
        .iter()
        .map(|w| w.code.as_str())
        .collect();
    assert_eq!(codes, ["location_repeated"], "{run}");
    assert!(
        doc.hops[0].warnings[0]
            .message
            .contains("2 identical Location headers")
    );
    assert_eq!(doc.hops[0].refresh, None);
    assert_eq!(
        doc.hops[1].refresh,
        Some(Refresh {
            source: RefreshSource::Header,
            raw: "0; url=/c".into(),
            delay_seconds: 0,
            url: site.url("{shop}/c"),
        }),
        "{run}"
    );
    // Strict-Transport-Security over plain http: parsed, shown, ignored.
    assert_eq!(doc.hops[0].hsts, None);
    let hsts = doc.hops[1].hsts.as_ref().expect("an hsts object");
    assert_eq!(hsts.header.as_deref(), Some("max-age=60"));
    assert!(hsts.valid && hsts.error.is_none());
    assert_eq!((hsts.max_age, hsts.max_age_effective), (Some(60), Some(60)));
    assert!(!hsts.include_subdomains && !hsts.preload);
    assert_eq!(hsts.action, HstsAction::Ignored);
    assert!(
        hsts.ignored_reason
            .as_deref()
            .is_some_and(|r| r.contains("plain http"))
    );
    assert_eq!(hsts.upgrade, None);
    let codes: Vec<&str> = doc.hops[1]
        .warnings
        .iter()
        .map(|w| w.code.as_str())
        .collect();
    assert_eq!(codes, ["hsts_over_http"], "{run}");
    // Shown, not followed without --follow-refresh.
    assert_eq!(doc.final_.map(|f| f.url), Some(site.url("{shop}/b")));
    assert_eq!(site.requests(), ["GET shop.test /a", "GET shop.test /b"]);
}

/// The test structs are the guard against drift: they reject a missing field (nullable ones
/// included) and an unknown one, at the top and nested.
#[test]
fn schema_structs_reject_missing_and_unknown_fields() {
    let site = Site::start(vec![redirect("/a", 302, "/b"), ok("/b")]);
    let run = site.run(&["--format", "json", "{shop}/a"]);
    run.code(0).quiet_stderr();
    assert_eq!(site.requests(), ["GET shop.test /a", "GET shop.test /b"]);
    let value: serde_json::Value = serde_json::from_str(run.stdout.trim_end()).unwrap();
    if let Err(error) = serde_json::from_value::<Document>(value.clone()) {
        panic!("the document as printed is rejected: {error}\n{run}");
    }

    type Edit = fn(&mut serde_json::Value);
    // (what, edit, the words of the error it must cause)
    let edits: [(&str, Edit, &str); 6] = [
        (
            "missing nullable",
            |v| {
                v["hops"][1].as_object_mut().unwrap().remove("next_url");
            },
            "missing field `next_url`",
        ),
        (
            "missing nullable at top",
            |v| {
                v.as_object_mut().unwrap().remove("loop");
            },
            "missing field `loop`",
        ),
        (
            "missing nested",
            |v| {
                v["hops"][0]["timing_ms"]
                    .as_object_mut()
                    .unwrap()
                    .remove("dns");
            },
            "missing field `dns`",
        ),
        (
            "unknown at top",
            |v| v["extra"] = 1.into(),
            "unknown field `extra`",
        ),
        (
            "unknown in hop",
            |v| v["hops"][0]["extra"] = 1.into(),
            "unknown field `extra`",
        ),
        (
            "unknown outcome",
            |v| v["outcome"] = "maybe".into(),
            "unknown variant `maybe`",
        ),
    ];
    for (what, edit, cause) in edits {
        let mut changed = value.clone();
        edit(&mut changed);
        match serde_json::from_value::<Document>(changed) {
            Ok(_) => panic!("{what} was accepted"),
            Err(error) => assert!(
                error.to_string().contains(cause),
                "{what}: rejected for another reason than {cause:?}: {error}"
            ),
        }
    }
}

#[test]
fn every_failure_is_a_complete_document_with_its_exit_code() {
    struct Case {
        name: &'static str,
        routes: Vec<Route>,
        args: Vec<String>,
        code: i32,
        outcome: Outcome,
        /// (hop, kind, part of the message)
        error: (usize, ErrorKind, &'static str),
        hops: usize,
        redirects: usize,
        requests: Vec<&'static str>,
    }
    let closed = closed_port();
    let cases = [
        Case {
            name: "loop",
            routes: vec![redirect("/a", 302, "/b"), redirect("/b", 301, "/a")],
            args: vec!["{shop}/a".into()],
            code: 3,
            outcome: Outcome::Loop,
            error: (3, ErrorKind::Loop, "redirect loop"),
            hops: 3,
            redirects: 2,
            requests: vec!["GET shop.test /a", "GET shop.test /b", "GET shop.test /a"],
        },
        Case {
            name: "too many redirects",
            routes: vec![
                redirect("/r0", 302, "/r1"),
                redirect("/r1", 302, "/r2"),
                ok("/r2"),
            ],
            args: vec!["--max-redirs".into(), "1".into(), "{shop}/r0".into()],
            code: 4,
            outcome: Outcome::TooManyRedirects,
            error: (2, ErrorKind::TooManyRedirects, "too many redirects"),
            hops: 2,
            redirects: 1,
            requests: vec!["GET shop.test /r0", "GET shop.test /r1"],
        },
        Case {
            name: "bad Location",
            routes: vec![redirect("/a", 302, "ftp://files.test/x")],
            args: vec!["{shop}/a".into()],
            code: 5,
            outcome: Outcome::BadLocation,
            error: (1, ErrorKind::BadLocation, "ftp"),
            hops: 1,
            redirects: 0,
            requests: vec!["GET shop.test /a"],
        },
        Case {
            name: "connection refused after a redirect",
            routes: vec![redirect(
                "/a",
                302,
                &format!("http://127.0.0.1:{closed}/gone"),
            )],
            args: vec!["{shop}/a".into()],
            code: 6,
            outcome: Outcome::NetworkError,
            error: (2, ErrorKind::Connect, "cannot connect"),
            hops: 1,
            redirects: 1,
            requests: vec!["GET shop.test /a"],
        },
        Case {
            name: "connection refused at once",
            routes: vec![],
            args: vec![format!("http://127.0.0.1:{closed}/")],
            code: 6,
            outcome: Outcome::NetworkError,
            error: (1, ErrorKind::Connect, "cannot connect"),
            hops: 0,
            redirects: 0,
            requests: vec![],
        },
    ];
    for case in cases {
        let site = Site::start(case.routes);
        let mut args = vec!["--format", "json", "--expect-status", "200"];
        args.extend(case.args.iter().map(String::as_str));
        let run = site.run(&args);
        let name = case.name;
        run.code(case.code);
        let doc = document(&run);
        let (hop, kind, message) = case.error;

        assert_eq!(doc.outcome, case.outcome, "{name}\n{run}");
        assert_eq!(doc.hops.len(), case.hops, "{name}\n{run}");
        let error = doc.error.as_ref().expect("an error object");
        assert_eq!((error.hop, error.kind), (hop, kind), "{name}\n{run}");
        assert!(error.message.contains(message), "{name}\n{run}");
        assert!(doc.final_.is_none(), "{name}\n{run}");
        assert!(!doc.ok, "{name}\n{run}");
        assert_eq!(doc.redirects, case.redirects, "{name}\n{run}");
        assert_eq!(
            doc.checks,
            [Check {
                check: "expect-status".into(),
                expected: "200".into(),
                actual: "none".into(),
                ok: false,
                hop: Some(hop),
            }],
            "{name}\n{run}"
        );
        // The hops made before the failure are all there, numbered from 1.
        let indexes: Vec<usize> = doc.hops.iter().map(|h| h.index).collect();
        assert_eq!(indexes, (1..=case.hops).collect::<Vec<_>>(), "{name}");
        // One error line, the same message as the document's (the failed check is only in it).
        assert_eq!(
            run.stderr,
            format!("hops: error: hop {hop}: {}\n", error.message),
            "{name}\n{run}"
        );
        assert_eq!(site.requests(), case.requests, "{name}\n{run}");

        match case.outcome {
            Outcome::Loop => {
                let info = doc.loop_.as_ref().expect("a loop object");
                assert_eq!(info.kind, LoopKind::ExactRepeat, "{run}");
                assert_eq!((info.repeats_hop, info.at_hop), (Some(1), Some(3)));
                assert_eq!(info.method.as_deref(), Some("GET"));
                assert_eq!(info.url, Some(site.url("{shop}/a")));
                assert!(!info.hops.is_empty() && !info.title.is_empty());
                assert!(!info.explanation.is_empty() && !info.fix.is_empty());
            }
            Outcome::TooManyRedirects => {
                // The last response is shown with its Location, not followed.
                let last = doc.hops.last().unwrap();
                assert_eq!(last.location.as_deref(), Some("/r2"));
                assert_eq!(last.next_url, None);
            }
            Outcome::BadLocation => {
                let last = doc.hops.last().unwrap();
                assert_eq!(last.location.as_deref(), Some("ftp://files.test/x"));
                assert_eq!(last.next_url, None);
                assert!(doc.loop_.is_none());
            }
            Outcome::NetworkError => {
                if let Some(last) = doc.hops.last() {
                    let target = format!("http://127.0.0.1:{closed}/gone");
                    assert_eq!(last.next_url.as_deref(), Some(target.as_str()));
                }
                assert!(doc.loop_.is_none());
            }
            // Ok is not a failure; an interrupted run is in nothing_lost.rs.
            Outcome::Ok | Outcome::Interrupted => unreachable!(),
        }
    }
}

#[test]
fn json_is_never_coloured() {
    let site = Site::start(vec![
        redirect("/a", 302, "/gone"),
        Route::new("/gone", 404),
        redirect("/loop", 302, "/loop"),
    ]);
    for when in ["always", "auto", "never"] {
        for start in ["{shop}/a", "{shop}/loop"] {
            let mut args = site.resolve_args();
            args.extend(["--color", when, "--format", "json", "-f"].map(String::from));
            args.push(site.url(start));
            let run = hops(args);
            assert!(
                !run.stdout.contains('\x1b') && !run.stderr.contains('\x1b'),
                "--color {when}\n{run}"
            );
            let doc = document(&run);
            assert_eq!(
                (run.code, doc.checks.len()),
                if start.ends_with("/a") {
                    (1, 1)
                } else {
                    (3, 1)
                },
                "{run}"
            );
        }
    }
    // The same flags in text do colour, so the absence above means something.
    let mut args = site.resolve_args();
    args.extend(["--color", "always", "-f"].map(String::from));
    args.push(site.url("{shop}/a"));
    hops(args).code(1).stdout_has("\x1b[");
    let a = ["GET shop.test /a", "GET shop.test /gone"];
    // A loop is known when /loop, asked for again, answers the same.
    let l = ["GET shop.test /loop", "GET shop.test /loop"];
    let expected: Vec<&str> = [a.as_slice(), &l, &a, &l, &a, &l, &a].concat();
    assert_eq!(site.requests(), expected);
}

#[test]
fn secrets_are_redacted_unless_shown() {
    let site = Site::start(vec![redirect("/a", 302, "/b"), ok("/b")]);
    let start = "http://user:s3cret@shop.test:{port}/a";
    let expect = "--expect-url=http://user:s3cret@shop.test:{port}/b";
    let run = site.run(&["--format", "json", expect, start]);
    run.code(0).quiet_stderr().stdout_lacks("s3cret");
    let doc = document(&run);
    let redacted = |path: &str| site.url(&format!("http://user:****@shop.test:{{port}}{path}"));
    assert_eq!(doc.request.url, redacted("/a"));
    let urls: Vec<&str> = doc.hops.iter().map(|h| h.url.as_str()).collect();
    assert_eq!(urls, [redacted("/a"), redacted("/b")]);
    assert_eq!(doc.hops[0].next_url, Some(redacted("/b")));
    assert_eq!(
        header(&doc.hops[0].request_headers, "authorization"),
        Some("Basic ****")
    );
    assert_eq!(
        doc.final_.as_ref().map(|f| f.url.clone()),
        Some(redacted("/b"))
    );
    assert_eq!(
        doc.checks,
        [Check {
            check: "expect-url".into(),
            expected: redacted("/b"),
            actual: redacted("/b"),
            ok: true,
            hop: Some(2),
        }]
    );

    let run = site.run(&["--format", "json", "--show-secrets", start]);
    run.code(0).quiet_stderr();
    let doc = document(&run);
    assert_eq!(doc.request.url, site.url(start));
    assert_eq!(
        header(&doc.hops[0].request_headers, "authorization"),
        Some("Basic dXNlcjpzM2NyZXQ=")
    );

    // The server got the credentials (same origin on both hops), never the userinfo in the URL.
    let got = site.received();
    assert_eq!(
        received(&got),
        ["GET shop.test /a", "GET shop.test /b"].repeat(2)
    );
    for request in &got {
        assert_eq!(
            request.header("authorization"),
            Some("Basic dXNlcjpzM2NyZXQ=")
        );
    }
}

#[test]
fn several_urls_print_one_document_per_line_in_order() {
    let site = Site::start(vec![
        redirect("/a", 301, "/b"),
        ok("/b"),
        redirect("/loop", 302, "/loop"),
    ]);
    let run = site.run(&["--format", "json", "{shop}/a", "{shop}/loop", "{other}/b"]);
    run.code(3);
    let docs = documents(&run);
    let summary: Vec<(String, Outcome, usize)> = docs
        .iter()
        .map(|d| (d.request.url.clone(), d.outcome, d.hops.len()))
        .collect();
    assert_eq!(
        summary,
        [
            (site.url("{shop}/a"), Outcome::Ok, 2),
            (site.url("{shop}/loop"), Outcome::Loop, 2),
            (site.url("{other}/b"), Outcome::Ok, 1),
        ],
        "{run}"
    );
    assert_eq!(run.stderr.lines().count(), 1, "{run}");
    run.stderr_has(&site.url("hops: error: {shop}/loop: hop 2: redirect loop"));
    assert_eq!(
        site.requests(),
        [
            "GET shop.test /a",
            "GET shop.test /b",
            "GET shop.test /loop",
            "GET shop.test /loop",
            "GET other.test /b"
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// HAR 1.2: the fields the specification requires (unknown ones are allowed there), and the
// optional ones hops writes.

#[derive(Debug, Deserialize)]
struct Har {
    log: HarLog,
}

#[derive(Debug, Deserialize)]
struct HarLog {
    version: String,
    creator: HarCreator,
    entries: Vec<HarEntry>,
}

#[derive(Debug, Deserialize)]
struct HarCreator {
    name: String,
    version: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HarEntry {
    started_date_time: String,
    time: f64,
    request: HarRequest,
    response: HarResponse,
    cache: serde_json::Map<String, serde_json::Value>,
    timings: HarTimings,
    #[serde(rename = "serverIPAddress", default)]
    server_ip_address: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HarRequest {
    method: String,
    url: String,
    http_version: String,
    cookies: Vec<serde_json::Value>,
    headers: Vec<NameValue>,
    query_string: Vec<NameValue>,
    #[serde(default)]
    post_data: Option<HarPostData>,
    headers_size: i64,
    body_size: i64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HarPostData {
    mime_type: String,
    text: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HarResponse {
    status: u16,
    status_text: String,
    http_version: String,
    cookies: Vec<serde_json::Value>,
    headers: Vec<NameValue>,
    content: HarContent,
    #[serde(rename = "redirectURL")]
    redirect_url: String,
    headers_size: i64,
    body_size: i64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct HarContent {
    size: i64,
    mime_type: String,
}

#[derive(Debug, Deserialize)]
struct HarTimings {
    send: f64,
    wait: f64,
    receive: f64,
    #[serde(default)]
    blocked: Option<f64>,
    #[serde(default)]
    dns: Option<f64>,
    #[serde(default)]
    connect: Option<f64>,
    #[serde(default)]
    ssl: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
struct NameValue {
    name: String,
    value: String,
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)`, the RFC 3339 date-time HAR asks for.
fn is_rfc3339(text: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let Some((date, time)) = text.split_once('T') else {
        return false;
    };
    let date: Vec<&str> = date.split('-').collect();
    let date_ok = matches!(date.as_slice(), [y, m, d]
        if y.len() == 4 && m.len() == 2 && d.len() == 2 && date.iter().all(|p| digits(p)));
    let (clock, offset) = match time.strip_suffix('Z') {
        Some(clock) => (clock, "00:00"),
        None => match time.rfind(['+', '-']) {
            Some(i) => (&time[..i], &time[i + 1..]),
            None => return false,
        },
    };
    let (clock, fraction) = clock.split_once('.').unwrap_or((clock, "0"));
    let hms: Vec<&str> = clock.split(':').collect();
    let hm: Vec<&str> = offset.split(':').collect();
    let two_digit_parts = |parts: &[&str], n: usize| {
        parts.len() == n && parts.iter().all(|p| p.len() == 2 && digits(p))
    };
    date_ok && two_digit_parts(&hms, 3) && two_digit_parts(&hm, 2) && digits(fraction)
}

#[test]
fn har_file_holds_every_hop_of_every_chain() {
    // The date check below is only as good as this.
    for good in [
        "2024-05-06T07:08:09Z",
        "2024-05-06T07:08:09.123456789Z",
        "2024-05-06T07:08:09+02:00",
    ] {
        assert!(is_rfc3339(good), "{good}");
    }
    for bad in [
        "2024-05-06 07:08:09Z",
        "2024-05-06T07:08Z",
        "2024-5-06T07:08:09Z",
        "2024-05-06T07:08:09",
        "2024-05-06T07:08:09.Z",
    ] {
        assert!(!is_rfc3339(bad), "{bad}");
    }

    let site = Site::start(vec![
        on("shop.test", redirect("/checkout", 307, "/pay")),
        on("shop.test", redirect("/pay", 302, "{other}/done")),
        on("other.test", ok("/done")),
        redirect("/loop", 302, "/loop"),
    ]);
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("trace.har");
    let run = site.run(&[
        "-s",
        "--har",
        path.to_str().expect("UTF-8 path"),
        "-d",
        "a=1",
        "-H",
        "Authorization: Bearer t0ken",
        "{shop}/checkout?x=1&y=two%20words",
        "{shop}/loop",
    ]);
    run.code(3);
    assert_eq!(run.stdout, "", "-s prints nothing\n{run}");
    let text = std::fs::read_to_string(&path).expect("the HAR file is written");
    assert!(!text.contains("t0ken"), "{text}");
    let har: Har = serde_json::from_str(&text).unwrap_or_else(|err| panic!("{err}\n{text}"));

    assert_eq!(har.log.version, "1.2");
    assert_eq!(har.log.creator.name, "hops");
    assert_eq!(har.log.creator.version, env!("CARGO_PKG_VERSION"));

    // (method, url, status, redirectURL, postData text)
    let s = |text: &str| site.url(text);
    let o = |text: &str| text.to_owned();
    let shape: Vec<(String, String, u16, String, Option<String>)> = har
        .log
        .entries
        .iter()
        .map(|e| {
            (
                e.request.method.clone(),
                e.request.url.clone(),
                e.response.status,
                e.response.redirect_url.clone(),
                e.request.post_data.as_ref().map(|p| p.text.clone()),
            )
        })
        .collect();
    let post = Some("a=1".to_owned());
    assert_eq!(
        shape,
        [
            (
                o("POST"),
                s("{shop}/checkout?x=1&y=two%20words"),
                307,
                s("{shop}/pay"),
                post.clone()
            ),
            (
                o("POST"),
                s("{shop}/pay"),
                302,
                s("{other}/done"),
                post.clone()
            ),
            (o("GET"), s("{other}/done"), 200, String::new(), None),
            // POST → GET on the 302; the GET, sent again, gets the same answer: a loop, whose
            // last redirect is not followed.
            (o("POST"), s("{shop}/loop"), 302, s("{shop}/loop"), post),
            (o("GET"), s("{shop}/loop"), 302, s("{shop}/loop"), None),
            (o("GET"), s("{shop}/loop"), 302, String::new(), None),
        ],
        "{text}"
    );

    let first = &har.log.entries[0];
    assert_eq!(
        first.request.query_string,
        [
            NameValue {
                name: "x".into(),
                value: "1".into()
            },
            NameValue {
                name: "y".into(),
                value: "two words".into()
            },
        ]
    );
    assert_eq!(
        first
            .request
            .post_data
            .as_ref()
            .map(|p| p.mime_type.as_str()),
        Some("application/x-www-form-urlencoded")
    );
    let authorization = |entry: &HarEntry| {
        entry
            .request
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("authorization"))
            .map(|h| h.value.clone())
    };
    // Sent to shop.test on every hop, removed when the chain moved to other.test.
    let shown: Vec<Option<String>> = har.log.entries.iter().map(authorization).collect();
    let bearer = Some("Bearer ****".to_owned());
    assert_eq!(
        shown,
        [
            bearer.clone(),
            bearer.clone(),
            None,
            bearer.clone(),
            bearer.clone(),
            bearer
        ]
    );

    for entry in &har.log.entries {
        let context = format!("{entry:?}");
        assert!(is_rfc3339(&entry.started_date_time), "{context}");
        assert!(entry.time > 0.0, "{context}");
        let t = &entry.timings;
        for required in [t.send, t.wait, t.receive] {
            assert!(required >= 0.0, "{context}");
        }
        let optional = [t.blocked, t.dns, t.connect, t.ssl];
        for phase in optional.into_iter().flatten() {
            assert!(phase >= 0.0 || phase == -1.0, "{context}");
        }
        // HAR: `time` is the sum of the phases that happened (-1: did not); ssl is part of
        // connect. Each is rounded to the microsecond.
        let happened = [t.blocked, t.dns, t.connect].into_iter().flatten();
        let phases = happened.filter(|ms| *ms != -1.0).sum::<f64>() + t.send + t.wait + t.receive;
        assert!(
            (phases - entry.time).abs() < 0.002,
            "phases add up to {phases}\n{context}"
        );
        assert!(entry.cache.is_empty(), "{context}");
        let (request, response) = (&entry.request, &entry.response);
        assert_eq!(request.http_version, "HTTP/1.1");
        assert_eq!(response.http_version, "HTTP/1.1");
        assert!(request.cookies.is_empty() && response.cookies.is_empty());
        assert_eq!((request.headers_size, response.headers_size), (-1, -1));
        let body_size = if request.post_data.is_some() { 3 } else { 0 };
        assert_eq!(request.body_size, body_size, "{context}");
        assert!(response.body_size >= -1 && response.content.size >= -1);
        assert!(!response.status_text.is_empty(), "{context}");
        assert!(response.content.mime_type.is_empty() || response.content.mime_type.contains('/'));
        let location = response
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case("location"));
        assert_eq!(
            location.is_some(),
            response.status == 307 || response.status == 302
        );
        assert_eq!(entry.server_ip_address.as_deref(), Some("127.0.0.1"));
    }

    let got = site.received();
    assert_eq!(
        received(&got),
        [
            "POST shop.test /checkout?x=1&y=two%20words a=1",
            "POST shop.test /pay a=1",
            "GET other.test /done",
            "POST shop.test /loop a=1",
            "GET shop.test /loop",
            "GET shop.test /loop",
        ]
    );
    let sent: Vec<Option<&str>> = got.iter().map(|r| r.header("authorization")).collect();
    let bearer = Some("Bearer t0ken");
    assert_eq!(sent, [bearer, bearer, None, bearer, bearer, bearer]);
}
