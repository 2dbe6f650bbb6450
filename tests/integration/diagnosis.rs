//! Explaining a chain (docs/rules.md §6 and §8): every loop kind with its JSON `loop`
//! object, verdict and text paragraph; the verdict of a good chain; `Refresh` and meta refresh,
//! reported and followed; and the browser-like request options support staff reach for.

use serde_json::Value;

use crate::support::{
    Route, Site, Trace, assert_absent, assert_header, hops_of, ok, on, over, redirect,
};

/// A `Loop between ...` or `Too many redirects: ...` verdict with its explanation, the same in
/// the JSON `loop` object, the JSON `verdict` and the text paragraphs.
struct Explained<'a> {
    kind: &'a str,
    /// The first line of the text diagnosis and the start of the verdict.
    headline: &'a str,
    /// Phrases the explanation must contain.
    why: &'a [&'a str],
    /// Phrases the fix must contain.
    fix: &'a [&'a str],
}

/// The words of a labelled, wrapped text paragraph (`  Why: ...` and its indented lines).
fn paragraph(stdout: &str, label: &str) -> Option<String> {
    let start = format!("  {label} ");
    let continuation = " ".repeat(3 + label.len());
    let mut lines = stdout.lines().skip_while(|line| !line.starts_with(&start));
    let first = lines.next()?;
    let mut words: Vec<&str> = first[start.len()..].split_whitespace().collect();
    for line in lines.take_while(|line| line.starts_with(&continuation)) {
        words.extend(line.split_whitespace());
    }
    Some(words.join(" "))
}

fn words(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[track_caller]
fn assert_explained(trace: &Trace, expected: &Explained<'_>) {
    let doc = trace.doc();
    let info = &doc["loop"];
    assert_eq!(info["kind"], expected.kind, "{trace}");
    let explanation = info["explanation"].as_str().expect("an explanation");
    let fix = info["fix"].as_str().expect("a fix");
    for phrase in expected.why {
        assert!(
            explanation.contains(phrase),
            "explanation lacks {phrase:?}\n{trace}"
        );
    }
    for phrase in expected.fix {
        assert!(fix.contains(phrase), "fix lacks {phrase:?}\n{trace}");
    }
    // The verdict: the headline, the explanation's first sentence, the fix.
    let verdict = doc["verdict"].as_str().expect("a verdict");
    let cause = verdict
        .strip_prefix(&format!("{}. ", expected.headline))
        .and_then(|rest| rest.strip_suffix(&format!(" Fix: {fix}")))
        .unwrap_or_else(|| panic!("verdict {verdict:?} is not headline. cause Fix: fix\n{trace}"));
    assert!(
        !cause.is_empty() && explanation.starts_with(cause),
        "the verdict's cause {cause:?} is not the explanation's start\n{trace}"
    );
    // The text: the headline on a line of its own after the summary, then Why: and Fix:.
    assert!(
        trace
            .text
            .stdout
            .lines()
            .any(|line| line == expected.headline),
        "no headline line {:?}\n{trace}",
        expected.headline
    );
    assert_eq!(
        paragraph(&trace.text.stdout, "Why:"),
        Some(words(explanation)),
        "{trace}"
    );
    assert_eq!(
        paragraph(&trace.text.stdout, "Fix:"),
        Some(words(fix)),
        "{trace}"
    );
}

/// The exact-repeat fields of the `loop` object, and hop `at_hop` shown as sent and answered.
#[track_caller]
fn assert_repeat(trace: &Trace, repeats_hop: usize, at_hop: usize, url: &str) {
    let info = &trace.doc()["loop"];
    assert_eq!(
        (
            &info["repeats_hop"],
            &info["at_hop"],
            &info["method"],
            &info["url"]
        ),
        (
            &Value::from(repeats_hop),
            &Value::from(at_hop),
            &Value::from("GET"),
            &Value::from(url)
        ),
        "{trace}"
    );
    assert_eq!(trace.doc()["outcome"], "loop");
    assert_eq!(trace.doc()["error"]["kind"], "loop");
    trace
        .text_has(&format!("{at_hop:>2}  GET {url}"))
        .text_has(&format!(
            "redirect loop: hop {at_hop} sent the request of hop {repeats_hop} again"
        ))
        .text_has("and got the same answer")
        .text_has("stopped: redirect loop");
    trace.json.hop_error(at_hop, "redirect loop");
}

fn https(route: Route) -> Route {
    over("https", route)
}

fn http(route: Route) -> Route {
    over("http", route)
}

// ---------------------------------------------------------------------------------------------
// Loops, one kind at a time

#[test]
fn a_scheme_flip_is_explained_as_a_proxy_and_application_disagreeing() {
    let site = Site::start(vec![
        http(redirect("/", 301, "{shop_tls}/")),
        https(redirect("/", 301, "{shop}/")),
    ]);
    let trace = site.trace(&["{shop}/"]);
    trace.code(3);
    assert_eq!(
        trace.requests(),
        [
            "http GET shop.test /",
            "https GET shop.test /",
            "http GET shop.test /"
        ],
        "{trace}"
    );
    assert_repeat(&trace, 1, 3, &site.url("{shop}/"));
    assert_eq!(trace.doc()["loop"]["hops"], serde_json::json!([1, 2]));
    assert_explained(
        &trace,
        &Explained {
            kind: "scheme_flip",
            headline: "Loop between hop 1 and hop 3: http ↔ https flip",
            why: &[
                "shop.test sends the browser from http to https, \
                 and the https address sends it back to http",
                "TLS-terminating proxy",
                "X-Forwarded-Proto",
            ],
            fix: &["base URL https", "trust X-Forwarded-Proto"],
        },
    );
}

#[test]
fn a_host_flip_between_www_and_the_apex_is_explained() {
    let site = Site::start(vec![
        on("www.shop.test", redirect("/", 301, "{shop}/")),
        on("shop.test", redirect("/", 301, "{www}/")),
    ]);
    let trace = site.trace(&["{www}/"]);
    trace.code(3);
    assert_eq!(
        trace.requests(),
        [
            "http GET www.shop.test /",
            "http GET shop.test /",
            "http GET www.shop.test /"
        ],
        "{trace}"
    );
    assert_repeat(&trace, 1, 3, &site.url("{www}/"));
    assert_explained(
        &trace,
        &Explained {
            kind: "host_flip",
            headline: "Loop between hop 1 and hop 3: host flip: www.shop.test ↔ shop.test",
            why: &[
                "The hosts www.shop.test ↔ shop.test redirect to each other",
                "(with or without www)",
            ],
            fix: &["Pick one canonical host"],
        },
    );
}

#[test]
fn a_trailing_slash_flip_is_explained() {
    let site = Site::start(vec![
        redirect("/docs", 301, "/docs/"),
        redirect("/docs/", 301, "/docs"),
    ]);
    let trace = site.trace(&["{shop}/docs"]);
    trace.code(3);
    assert_eq!(
        trace.requests(),
        [
            "http GET shop.test /docs",
            "http GET shop.test /docs/",
            "http GET shop.test /docs"
        ],
        "{trace}"
    );
    assert_repeat(&trace, 1, 3, &site.url("{shop}/docs"));
    assert_explained(
        &trace,
        &Explained {
            kind: "trailing_slash_flip",
            headline: "Loop between hop 1 and hop 3: trailing-slash flip: /docs ↔ /docs/",
            why: &["One rule adds a trailing slash and another removes it"],
            fix: &["Decide whether this URL ends with a slash"],
        },
    );
}

#[test]
fn a_cookie_that_never_comes_back_is_explained_with_the_reason() {
    struct Case {
        name: &'static str,
        args: &'static [&'static str],
        routes: Vec<Route>,
        /// (hop that sets it, stored, reason shown on that hop)
        set: (usize, bool, Option<&'static str>),
        why: &'static str,
        fix: &'static str,
        /// The second request, where the cookie is set.
        second: &'static str,
    }
    let login = |set_cookie: &str| {
        vec![
            on("shop.test", redirect("/account", 302, "/login")),
            on(
                "shop.test",
                redirect("/login", 302, "/account").with_header("Set-Cookie", set_cookie),
            ),
        ]
    };
    let cases = [
        Case {
            name: "Secure over plain http",
            args: &[],
            routes: login("session=1; Path=/; Secure; HttpOnly"),
            set: (2, false, Some("Secure cookie received over plain http")),
            why: "it was not stored: Secure cookie received over plain http",
            fix: "Serve every page of this flow over https, or do not mark the cookie Secure.",
            second: "http GET shop.test /login",
        },
        Case {
            name: "Domain that does not match the host",
            args: &[],
            routes: login("session=1; Domain=other.test; Path=/"),
            set: (
                2,
                false,
                Some("Domain=other.test does not match the host shop.test"),
            ),
            why: "it was not stored: Domain=other.test does not match the host shop.test",
            fix: "Set the cookie's Domain to the parent domain shared by the hosts in the chain",
            second: "http GET shop.test /login",
        },
        Case {
            name: "host-only cookie of another host",
            args: &[],
            routes: vec![
                on("shop.test", redirect("/account", 302, "{auth}/login")),
                on(
                    "auth.test",
                    redirect("/login", 302, "{shop}/account")
                        .with_header("Set-Cookie", "session=1; Path=/"),
                ),
            ],
            set: (2, true, None),
            why: "its Domain (auth.test only) does not cover shop.test",
            fix: "Set the cookie's Domain to the parent domain shared by the hosts in the chain",
            second: "http GET auth.test /login",
        },
        Case {
            name: "Path that does not cover the next page",
            args: &[],
            routes: login("session=1; Path=/login"),
            set: (2, true, None),
            why: "its Path (/login) does not cover /account",
            fix: "Set the cookie with Path=/",
            second: "http GET shop.test /login",
        },
        Case {
            name: "--no-cookies",
            args: &["--no-cookies"],
            routes: login("session=1; Path=/"),
            set: (2, false, Some("cookies are off (--no-cookies)")),
            why: "it was not stored: cookies are off (--no-cookies)",
            fix: "hops was run with --no-cookies: run it without to see what a browser does.",
            second: "http GET shop.test /login",
        },
    ];
    for case in cases {
        let site = Site::start(case.routes);
        let mut args = case.args.to_vec();
        args.push("{shop}/account");
        let trace = site.trace(&args);
        let name = case.name;
        trace.code(3);
        assert_eq!(
            trace.requests(),
            [
                "http GET shop.test /account",
                case.second,
                "http GET shop.test /account"
            ],
            "{name}\n{trace}"
        );
        for request in &trace.received {
            assert_absent(request, &["cookie"]);
        }
        assert_repeat(&trace, 1, 3, &site.url("{shop}/account"));
        let (hop, stored, reason) = case.set;
        let set_cookie = &trace.hop(hop)["set_cookies"][0];
        assert_eq!(set_cookie["stored"], stored, "{name}\n{trace}");
        assert_eq!(
            set_cookie["reason"],
            reason.map_or(Value::Null, Value::from),
            "{name}\n{trace}"
        );
        if let Some(reason) = reason {
            trace.text_has(&format!("(not stored: {reason})"));
        }
        assert_explained(
            &trace,
            &Explained {
                kind: "cookie_not_stored",
                headline: "Loop between hop 1 and hop 3: cookie session is never sent back",
                why: &[
                    "Hop 2 sets the cookie session and redirects",
                    &format!("({})", case.why),
                ],
                fix: &[case.fix],
            },
        );
    }
}

#[test]
fn a_cookie_the_server_ignores_is_explained() {
    let site = Site::start(vec![
        redirect("/account", 302, "/login"),
        redirect("/login", 302, "/account").with_header("Set-Cookie", "session=abc; Path=/"),
    ]);
    let trace = site.trace(&["{shop}/account"]);
    trace.code(3);
    assert_eq!(
        trace.requests(),
        [
            "http GET shop.test /account",
            "http GET shop.test /login",
            "http GET shop.test /account",
            "http GET shop.test /login",
            "http GET shop.test /account"
        ],
        "{trace}"
    );
    assert_absent(&trace.received[0], &["cookie"]);
    assert_absent(&trace.received[1], &["cookie"]);
    for repeat in &trace.received[2..] {
        assert_header(repeat, "cookie", "session=abc");
    }
    assert_repeat(&trace, 3, 5, &site.url("{shop}/account"));
    assert_explained(
        &trace,
        &Explained {
            kind: "cookie_ignored",
            headline: "Loop between hop 3 and hop 5: \
                       cookie session is sent back but the server keeps redirecting",
            why: &[
                "Hop 2 sets the cookie session",
                "does not accept its own cookie",
            ],
            fix: &["shared session storage or sticky sessions"],
        },
    );
}

/// The return-to wrapping of a login loop: `/app` → `/login?r=/app` → `/app?r=/login?r=/app` ...
fn wrapped_login_routes(rounds: usize) -> Vec<Route> {
    let encode = |text: &str| {
        text.replace('%', "%25")
            .replace('/', "%2F")
            .replace('?', "%3F")
            .replace('=', "%3D")
    };
    let mut urls = vec!["/app".to_owned()];
    for round in 1..=rounds {
        let page = if round % 2 == 1 { "/login" } else { "/app" };
        urls.push(format!("{page}?r={}", encode(&urls[round - 1])));
    }
    urls.windows(2)
        .map(|pair| {
            let (path, query) = pair[0].split_once('?').unwrap_or((&pair[0], ""));
            Route {
                query: Some(query.to_owned()),
                ..redirect(path, 302, &pair[1])
            }
        })
        .collect()
}

#[test]
fn a_growing_query_is_named_when_the_limit_is_hit() {
    let site = Site::start(wrapped_login_routes(8));
    let trace = site.trace(&["--max-redirs", "4", "{shop}/app"]);
    // Never stopped early: a growing chain may end in a page, as it would in a browser.
    trace.code(4);
    assert_eq!(trace.requests().len(), 5, "{trace}");
    let info = &trace.doc()["loop"];
    assert_eq!(info["kind"], "growing_url", "{trace}");
    assert_eq!(info["hops"], serde_json::json!([1, 3, 5]), "{trace}");
    assert_eq!(info["repeats_hop"], Value::Null, "{trace}");
    assert_explained(
        &trace,
        &Explained {
            kind: "growing_url",
            headline: "Too many redirects: the URL grows on every visit to /app (parameter r)",
            why: &["\"return to\" parameter of a login or consent page"],
            fix: &["keep an existing return-to value"],
        },
    );

    // The same chain, when the server stops wrapping, ends in its page.
    let mut routes = wrapped_login_routes(3);
    let last = routes.last().unwrap().clone();
    let final_path = last.headers[0].1.clone();
    let (path, query) = final_path.split_once('?').unwrap();
    routes.push(Route {
        query: Some(query.to_owned()),
        ..ok(path)
    });
    let site = Site::start(routes);
    site.trace(&["{shop}/app"]).code(0);
}

#[test]
fn a_path_that_grows_by_the_same_piece_is_named() {
    for (start, location, piece) in [
        ("/en/", "en/", "en/"),
        ("/index.php/", "index.php/", "index.php/"),
    ] {
        let site = Site::start(vec![Route {
            prefix: true,
            ..redirect(start, 302, location)
        }]);
        let trace = site.trace(&[&format!("{{shop}}{start}")]);
        trace.code(4);
        assert_eq!(trace.requests().len(), 21, "{trace}");
        assert_explained(
            &trace,
            &Explained {
                kind: "growing_url",
                headline: &format!("Too many redirects: the path grows by {piece:?} every hop"),
                why: &["no address ever repeats"],
                fix: &["absolute"],
            },
        );
    }
}

/// Redirects `/a?t=N` → `/b?t=N+1` → `/a?t=N+2` ...: never the same URL twice.
fn volatile_routes(count: u64) -> Vec<Route> {
    (1..=count)
        .map(|i| {
            let (here, there) = if i % 2 == 1 {
                ("/a", "/b")
            } else {
                ("/b", "/a")
            };
            Route {
                query: Some(format!("t={}", 1_700_000_000 + i)),
                ..redirect(here, 302, &format!("{there}?t={}", 1_700_000_001 + i))
            }
        })
        .collect()
}

#[test]
fn the_limit_hit_by_urls_that_differ_only_in_a_timestamp_is_a_probable_loop() {
    let site = Site::start(volatile_routes(30));
    let trace = site.trace(&["{shop}/a?t=1700000001"]);
    trace.code(4);
    assert_eq!(
        trace.received.len(),
        21,
        "the 20 redirects a browser follows, and no more\n{trace}"
    );
    assert_eq!(trace.received[20].path, "/a?t=1700000021");
    let info = &trace.doc()["loop"];
    assert_eq!(
        (&info["repeats_hop"], &info["at_hop"]),
        (&Value::Null, &Value::Null),
        "{trace}"
    );
    assert_eq!(
        (&info["method"], &info["url"]),
        (&Value::Null, &Value::Null),
        "{trace}"
    );
    assert_eq!(info["hops"], serde_json::json!([1, 2, 3]), "{trace}");
    assert_eq!(trace.doc()["outcome"], "too_many_redirects");
    trace.json.hop_error(
        21,
        "too many redirects: 20 followed and hop 21 redirects again (--max-redirs 20)",
    );
    let shape = site.url("http://shop.test:{port}/a?t={…}");
    assert_explained(
        &trace,
        &Explained {
            kind: "volatile_repeat",
            headline: &format!(
                "Loop between hop 1 and hop 3: probable loop: {shape} comes back with new values"
            ),
            why: &["hop 1 and hop 3 have the same shape", "timestamps"],
            fix: &["find the redirect that sends the browser back"],
        },
    );
}

#[test]
fn twenty_one_distinct_redirects_are_a_long_chain_not_a_loop() {
    let mut routes: Vec<Route> = (1..=21)
        .map(|i| redirect(&format!("/step/{i}"), 302, &format!("/step/{}", i + 1)))
        .collect();
    routes.push(ok("/step/22"));
    let site = Site::start(routes);
    let trace = site.trace(&["{shop}/step/1"]);
    trace.code(4);
    assert_eq!(trace.received.len(), 21, "{trace}");
    assert_eq!(trace.received[20].path, "/step/21");
    assert_eq!(hops_of(trace.doc()).len(), 21);
    assert_eq!(
        trace.doc()["loop"]["hops"],
        serde_json::json!((1..=21).collect::<Vec<_>>())
    );
    assert_explained(
        &trace,
        &Explained {
            kind: "long_chain",
            headline: "Too many redirects: a long chain of 21 distinct redirects, not a loop",
            why: &[
                "so this is not a loop",
                "a browser follows at most 20 redirects",
            ],
            fix: &["Shorten the chain"],
        },
    );
}

/// Below the 20 a browser follows, a limit hit is the user's `--max-redirs`: not a long chain
/// to shorten, and no advice about browsers giving up.
#[test]
fn a_user_limit_below_the_browsers_is_not_blamed_on_the_chain() {
    let mut routes: Vec<Route> = (1..=3)
        .map(|i| redirect(&format!("/step/{i}"), 302, &format!("/step/{}", i + 1)))
        .collect();
    routes.push(ok("/step/4"));
    let site = Site::start(routes);
    let trace = site.trace(&["--max-redirs", "2", "{shop}/step/1"]);
    trace.code(4);
    assert_eq!(trace.received.len(), 3, "{trace}");
    assert_explained(
        &trace,
        &Explained {
            kind: "long_chain",
            headline: "Too many redirects: \
                       3 distinct redirects, not a loop (stopped by --max-redirs)",
            why: &["not a loop", "--max-redirs", "a browser follows up to 20"],
            fix: &["higher --max-redirs"],
        },
    );
    trace.text_lacks("Shorten the chain");
}

#[test]
fn exact_repeats_are_explained() {
    let site = Site::start(vec![
        redirect("/a", 302, "/b"),
        redirect("/b", 302, "/a"),
        https(redirect("/self", 301, "/self")),
    ]);
    let trace = site.trace(&["{shop}/a"]);
    trace.code(3);
    assert_eq!(
        trace.requests(),
        [
            "http GET shop.test /a",
            "http GET shop.test /b",
            "http GET shop.test /a"
        ],
        "{trace}"
    );
    assert_repeat(&trace, 1, 3, &site.url("{shop}/a"));
    assert_explained(
        &trace,
        &Explained {
            kind: "exact_repeat",
            headline: "Loop between hop 1 and hop 3: hop 3 repeats hop 1",
            why: &["round the same 2 addresses without anything changing"],
            fix: &["points back to where the chain already was"],
        },
    );

    let trace = site.trace(&["{shop_tls}/self"]);
    trace.code(3);
    assert_eq!(
        trace.requests(),
        ["https GET shop.test /self", "https GET shop.test /self"],
        "{trace}"
    );
    assert_repeat(&trace, 1, 2, &site.url("{shop_tls}/self"));
    let headline = site.url("Loop between hop 1 and hop 2: {shop_tls}/self redirects to itself");
    assert_explained(
        &trace,
        &Explained {
            kind: "exact_repeat",
            headline: &headline,
            why: &["\"flexible\" TLS mode"],
            fix: &["\"full\" TLS mode"],
        },
    );
}

#[test]
fn a_good_chain_gets_an_ok_verdict() {
    let site = Site::start(vec![
        redirect("/a", 301, "/b"),
        redirect("/b", 302, "/c"),
        ok("/c"),
    ]);
    // (start, verdict, summary)
    let table = [
        (
            "{shop}/a",
            "OK: 2 redirects, final 200 at {shop}/c",
            "3 requests, 2 redirects",
        ),
        (
            "{shop}/b",
            "OK: 1 redirect, final 200 at {shop}/c",
            "2 requests, 1 redirect",
        ),
        (
            "{shop}/c",
            "OK: 0 redirects, final 200 at {shop}/c",
            "1 request, 0 redirects",
        ),
    ];
    for (start, verdict, summary) in table {
        let trace = site.trace(&[start]);
        trace.code(0);
        assert_eq!(
            trace.received.last().map(|r| r.path.as_str()),
            Some("/c"),
            "{trace}"
        );
        let doc = trace.doc();
        assert_eq!(doc["verdict"], site.url(verdict), "{trace}");
        assert_eq!((&doc["loop"], &doc["error"]), (&Value::Null, &Value::Null));
        assert_eq!(
            doc["final"],
            serde_json::json!({"status": 200, "url": site.url("{shop}/c")})
        );
        trace
            .text_has(&format!("{summary}, "))
            .text_has(&site.url(" · OK: final 200 OK at {shop}/c\n"))
            .text_lacks("Why:")
            .text_lacks("Fix:");
        assert_eq!(trace.json.stderr, "");
    }
}

// ---------------------------------------------------------------------------------------------
// Refresh and meta refresh

const HTML: (&str, &str) = ("Content-Type", "text/html; charset=utf-8");

fn html_page(path: &str, body: &str) -> Route {
    Route {
        body: Some(body.to_owned()),
        ..Route::new(path, 200).with_header(HTML.0, HTML.1)
    }
}

fn meta_refresh(content: &str) -> String {
    format!(
        "<!doctype html><html><head><meta http-equiv=\"refresh\" content=\"{content}\"></head>\
         <body>Moved.</body></html>"
    )
}

#[test]
fn a_refresh_on_the_final_response_is_reported_but_not_followed_by_default() {
    let site = Site::start(vec![
        redirect("/old", 301, "/page"),
        ok("/page").with_header("Refresh", "5; url=/next"),
        html_page("/meta", &meta_refresh("0; URL='/next'")),
        ok("/next"),
    ]);
    // (start, source, raw, delay)
    let table = [
        ("{shop}/old", "header", "5; url=/next", 5),
        ("{shop}/meta", "meta", "0; URL='/next'", 0),
    ];
    for (start, source, raw, delay) in table {
        let trace = site.trace(&[start]);
        trace.code(0);
        assert!(
            trace.received.iter().all(|r| r.path != "/next"),
            "the refresh is not followed\n{trace}"
        );
        let last = hops_of(trace.doc()).last().unwrap();
        assert_eq!(
            last["refresh"],
            serde_json::json!({
                "source": source,
                "raw": raw,
                "delay_seconds": delay,
                "url": site.url("{shop}/next"),
            }),
            "{trace}"
        );
        assert_eq!(last["next_url"], Value::Null);
        assert!(
            trace.doc()["verdict"].as_str().unwrap().starts_with("OK: "),
            "{trace}"
        );
        let label = if source == "header" {
            "Refresh"
        } else {
            "<meta refresh>"
        };
        trace
            .text_has(&site.url(&format!("    {label}: {raw}  → {{shop}}/next\n")))
            .text_has(&format!(
                "browsers go there after {delay} s; --follow-refresh follows it"
            ));
    }
}

#[test]
fn follow_refresh_follows_header_and_meta_refreshes_as_get_hops() {
    let site = Site::start(vec![
        ok("/start").with_header("Refresh", "0; url=/meta"),
        html_page("/meta", &meta_refresh("1; url=/end")),
        ok("/end"),
    ]);
    let trace = site.trace(&["--follow-refresh", "-d", "a=1", "{shop}/start"]);
    trace.code(0);
    assert_eq!(
        trace.requests(),
        [
            "http POST shop.test /start",
            "http GET shop.test /meta",
            "http GET shop.test /end"
        ],
        "a refresh is a navigation: GET without the body\n{trace}"
    );
    assert!(trace.received[1].body.is_empty() && trace.received[2].body.is_empty());
    assert_absent(&trace.received[1], &["content-type"]);
    let vias: Vec<&Value> = hops_of(trace.doc()).iter().map(|hop| &hop["via"]).collect();
    assert_eq!(vias, ["start", "refresh", "refresh"], "{trace}");
    assert_eq!(trace.hop(1)["next_url"], site.url("{shop}/meta"));
    assert_eq!(trace.hop(2)["refresh"]["source"], "meta");
    assert_eq!(trace.hop(2)["next_method"], "GET");
    assert_eq!(
        trace.doc()["verdict"],
        site.url("OK: 2 redirects, final 200 at {shop}/end")
    );
    trace
        .text_has(&site.url(" 2  GET {shop}/meta (via refresh)\n"))
        .text_has(&site.url(" 3  GET {shop}/end (via refresh)\n"))
        .text_lacks("--follow-refresh follows it");
}

#[test]
fn a_page_that_refreshes_to_itself_is_a_loop() {
    let site = Site::start(vec![
        ok("/self").with_header("Refresh", "0"),
        html_page("/meta-self", &meta_refresh("0; url=/meta-self")),
    ]);
    for path in ["/self", "/meta-self"] {
        let url = site.url(&format!("{{shop}}{path}"));
        let trace = site.trace(&["--follow-refresh", &url]);
        trace.code(3);
        assert_eq!(
            trace.requests(),
            [
                format!("http GET shop.test {path}"),
                format!("http GET shop.test {path}")
            ],
            "{trace}"
        );
        assert_eq!(trace.hop(1)["next_url"], url.as_str());
        assert_repeat(&trace, 1, 2, &url);
        assert_explained(
            &trace,
            &Explained {
                kind: "exact_repeat",
                headline: "Loop between hop 1 and hop 2: hop 2 repeats hop 1",
                why: &["same address without anything changing"],
                fix: &["points back to where the chain already was"],
            },
        );
    }
}

#[test]
fn refreshes_count_against_the_redirect_limit() {
    let site = Site::start(vec![
        redirect("/a", 302, "/b"),
        ok("/b").with_header("Refresh", "0; url=/c"),
        ok("/c"),
    ]);
    let trace = site.trace(&["--follow-refresh", "--max-redirs", "1", "{shop}/a"]);
    trace.code(4);
    assert_eq!(
        trace.requests(),
        ["http GET shop.test /a", "http GET shop.test /b"],
        "{trace}"
    );
    trace.json.hop_error(
        2,
        "too many redirects: 1 followed and hop 2 redirects again (--max-redirs 1)",
    );
    assert_eq!(trace.doc()["outcome"], "too_many_redirects");
    assert_eq!(trace.doc()["loop"]["kind"], "long_chain", "{trace}");

    // --max-redirs 0 shows the refresh without following it.
    let trace = site.trace(&["--follow-refresh", "--max-redirs", "0", "{shop}/b"]);
    trace.code(0);
    assert_eq!(trace.requests(), ["http GET shop.test /b"], "{trace}");
    assert_eq!(trace.hop(1)["refresh"]["url"], site.url("{shop}/c"));
    assert_eq!(trace.hop(1)["next_url"], Value::Null);
}

#[test]
fn a_meta_refresh_beyond_the_first_64_kib_is_not_seen() {
    let tag = meta_refresh("0; url=/next");
    // A comment of `size` bytes, then the page with its meta refresh.
    let after = |size: usize| format!("<!--{}-->{tag}", "x".repeat(size - 7));
    let site = Site::start(vec![
        html_page("/late", &after(64 * 1024)),
        html_page("/early", &after(60 * 1024)),
        ok("/next"),
    ]);

    let trace = site.trace(&["--follow-refresh", "{shop}/late"]);
    trace.code(0);
    assert_eq!(trace.requests(), ["http GET shop.test /late"], "{trace}");
    assert_eq!(trace.hop(1)["refresh"], Value::Null);
    trace.text_lacks("meta refresh");

    let trace = site.trace(&["--follow-refresh", "{shop}/early"]);
    trace.code(0);
    assert_eq!(
        trace.requests(),
        ["http GET shop.test /early", "http GET shop.test /next"],
        "{trace}"
    );
    assert_eq!(trace.hop(1)["refresh"]["source"], "meta");
}

// ---------------------------------------------------------------------------------------------
// Acting like the customer's browser

#[test]
fn browser_sends_a_browsers_headers_and_h_still_wins() {
    let site = Site::start(vec![ok("/")]);
    let trace = site.trace(&["--browser", "{shop}/"]);
    trace.code(0);
    let got = &trace.received[0];
    let user_agent = got.header("user-agent").unwrap_or_default();
    assert!(
        user_agent.contains("Chrome/") && user_agent.starts_with("Mozilla/5.0"),
        "{user_agent}"
    );
    assert!(
        got.header("accept")
            .unwrap_or_default()
            .starts_with("text/html,"),
        "{got:?}"
    );
    assert_header(got, "accept-language", "en-US,en;q=0.9");
    assert_header(got, "accept-encoding", "gzip, deflate, br, zstd");
    // What was printed is what was sent.
    let sent: Vec<(String, String)> =
        serde_json::from_value(trace.hop(1)["request_headers"].clone()).unwrap();
    for name in ["user-agent", "accept", "accept-language", "accept-encoding"] {
        assert!(
            sent.iter()
                .any(|(n, v)| n == name && Some(v.as_str()) == got.header(name)),
            "{name} not shown as sent\n{trace}"
        );
    }

    for override_args in [&["-H", "User-Agent: x"][..], &["-A", "x"][..]] {
        let mut args = vec!["--browser"];
        args.extend_from_slice(override_args);
        args.push("{shop}/");
        let trace = site.trace(&args);
        trace.code(0);
        let got = &trace.received[0];
        assert_eq!(
            got.header_values("user-agent").collect::<Vec<_>>(),
            ["x"],
            "{override_args:?}\n{trace}"
        );
        assert!(
            got.header("accept")
                .unwrap_or_default()
                .starts_with("text/html,")
        );
    }
}

#[test]
fn a_cookie_header_copied_from_devtools_is_sent_as_its_pairs() {
    let site = Site::start(vec![redirect("/", 302, "/in"), ok("/in")]);
    for arg in ["Cookie: a=1; b=2", "a=1; b=2"] {
        let trace = site.trace(&["-b", arg, "{shop}/"]);
        trace.code(0);
        for request in &trace.received {
            assert_eq!(
                request.header_values("cookie").collect::<Vec<_>>(),
                ["a=1; b=2"],
                "{arg:?}\n{trace}"
            );
        }
        let sent: Vec<(String, String)> =
            serde_json::from_value(trace.hop(2)["request_headers"].clone()).unwrap();
        assert!(
            sent.contains(&("cookie".to_owned(), "a=****; b=****".to_owned())),
            "{trace}"
        );
    }
}

#[test]
fn a_flip_of_both_scheme_and_host_names_both() {
    let site = Site::start(vec![
        http(on("www.shop.test", redirect("/", 301, "{shop_tls}/"))),
        https(on("shop.test", redirect("/", 301, "{www}/"))),
    ]);
    let trace = site.trace(&["{www}/"]);
    trace.code(3);
    assert_repeat(&trace, 1, 3, &site.url("{www}/"));
    let pair = site.url("{www} ↔ {shop_tls}");
    assert_explained(
        &trace,
        &Explained {
            kind: "host_flip",
            headline: &format!("Loop between hop 1 and hop 3: scheme and host flip: {pair}"),
            why: &["both the scheme (http or https) and the host change"],
            fix: &["Pick one canonical address (scheme and host)"],
        },
    );
}

#[test]
fn a_cookie_that_changes_every_round_is_named() {
    use std::io::Write as _;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let round = AtomicUsize::new(0);
    let server = crate::support::RawServer::start(move |_, stream| {
        let n = round.fetch_add(1, Ordering::SeqCst);
        write!(
            stream,
            "HTTP/1.1 302 Found\r\nLocation: /session\r\nSet-Cookie: sid=s{n}; Path=/\r\n\
             Content-Length: 0\r\nConnection: close\r\n\r\n"
        )
    });
    let run = crate::support::hops([
        "--format".to_owned(),
        "json".to_owned(),
        server.url("/session"),
    ]);
    run.code(4);
    let doc: Value = serde_json::from_str(run.stdout.trim()).expect("one JSON document");
    let diagnosis = &doc["loop"];
    assert_eq!(diagnosis["kind"], "cookie_ignored", "{run}");
    assert_eq!(
        diagnosis["title"], "cookie sid changes every round and never satisfies the server",
        "{run}"
    );
    assert_eq!(diagnosis["hops"], serde_json::json!([20, 21]), "{run}");
    let explanation = diagnosis["explanation"].as_str().unwrap();
    assert!(
        explanation.contains("only the value of the cookie sid differs"),
        "{run}"
    );
    // Every request went out: the cookie changed each time, so none was a repeat.
    assert_eq!(server.requests().len(), 21);
}

#[test]
fn a_fractional_refresh_delay_is_read_as_browsers_do() {
    let site = Site::start(vec![
        ok("/half").with_header("Refresh", ".5; url=/next"),
        ok("/next"),
    ]);
    let trace = site.trace(&["{shop}/half"]);
    trace.code(0);
    assert_eq!(trace.hop(1)["refresh"]["delay_seconds"], 0, "{trace}");
    trace.text_has("browsers go there after 0 s");
    let trace = site.trace(&["--follow-refresh", "{shop}/half"]);
    trace.code(0);
    assert_eq!(
        trace.requests(),
        ["http GET shop.test /half", "http GET shop.test /next"],
        "{trace}"
    );
}
