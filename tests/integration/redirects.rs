//! Which responses are followed (docs/rules.md §1), how `Location` is read and resolved (§2),
//! and the redirect limit and loop detection (§6), checked on the server and in the output.

use crate::support::{Route, Site, ok, on, redirect};

const FOLLOWED: [u16; 5] = [301, 302, 303, 307, 308];

#[test]
fn redirect_statuses_with_location_are_followed() {
    for status in FOLLOWED {
        let site = Site::start(vec![redirect("/start", status, "/next"), ok("/next")]);
        let run = site.run(&["{shop}/start"]);
        run.code(0)
            .quiet_stderr()
            .hops_shown(2)
            .stdout_has(&site.url("Location: /next  → {shop}/next"))
            .stdout_has(&site.url("final 200 OK at {shop}/next"));
        assert_eq!(
            site.requests(),
            ["GET shop.test /start", "GET shop.test /next"],
            "{status}\n{run}"
        );
    }
}

#[test]
fn other_statuses_with_location_are_final_and_say_why() {
    #[rustfmt::skip]
    let table: &[(u16, &str)] = &[
        (300, "300 Multiple Choices is not followed automatically"),
        (304, "304 Not Modified is not a redirect"),
        (305, "305 is obsolete and never followed"),
        (306, "306 is obsolete and never followed"),
        (309, "309 is not a redirect status"),
        (201, "Location on a 201 response is not a redirect"),
        (200, "Location on a 200 response is not a redirect"),
    ];
    for &(status, reason) in table {
        let site = Site::start(vec![redirect("/start", status, "/next"), ok("/next")]);
        let run = site.run(&["{shop}/start"]);
        run.code(0)
            .quiet_stderr()
            .hops_shown(1)
            .stdout_has("    Location: /next\n")
            .stdout_has(reason)
            .stdout_lacks("→");
        assert_eq!(site.requests(), ["GET shop.test /start"], "{status}\n{run}");
    }
}

#[test]
fn redirect_status_without_location_is_final() {
    for status in FOLLOWED {
        let site = Site::start(vec![Route::new("/start", status)]);
        let run = site.run(&["{shop}/start"]);
        run.code(0)
            .quiet_stderr()
            .hops_shown(1)
            .stdout_has(&format!(
                "{status} without a Location header: final response"
            ))
            .stdout_lacks("Location: ");
        assert_eq!(site.requests().len(), 1, "{run}");
    }
}

#[test]
fn different_location_values_are_refused_and_nothing_is_followed() {
    let site = Site::start(vec![
        redirect("/start", 302, "/one").with_header("Location", "/two"),
        ok("/one"),
        ok("/two"),
    ]);
    let run = site.run(&["{shop}/start"]);
    run.code(5)
        .hops_shown(1)
        .hop_error(1, "2 Location headers with different values")
        .stderr_has("refusing to guess")
        .stdout_has("stopped: Location cannot be followed");
    assert_eq!(site.requests(), ["GET shop.test /start"]);
}

#[test]
fn identical_location_repeats_are_followed_with_a_warning() {
    let site = Site::start(vec![
        redirect("/start", 302, "/next").with_header("Location", "/next"),
        ok("/next"),
    ]);
    let run = site.run(&["{shop}/start"]);
    run.code(0)
        .quiet_stderr()
        .hops_shown(2)
        .stdout_has("! warning: 2 identical Location headers");
    assert_eq!(
        site.requests(),
        ["GET shop.test /start", "GET shop.test /next"]
    );
}

#[test]
fn unusable_location_values_stop_the_chain_with_exit_5() {
    #[rustfmt::skip]
    let table: &[(&str, &str)] = &[
        ("", "empty Location"),
        ("   ", "empty Location"),
        ("\t \t", "empty Location"),
        ("http://[::1", "Location \"http://[::1\" cannot be parsed as a URL"),
        ("http://exa mple.test/", "cannot be parsed as a URL"),
        ("http://shop.test:99999/", "cannot be parsed as a URL"),
        ("ftp://files.test/report.pdf", "has scheme ftp: only http and https are followed"),
        ("file:///etc/passwd", "has scheme file"),
        ("javascript:alert(1)", "has scheme javascript"),
        ("data:text/html,hi", "has scheme data"),
        ("  mailto:x@shop.test ", "has scheme mailto"),
    ];
    for &(location, message) in table {
        let site = Site::start(vec![redirect("/start", 302, location), ok("/")]);
        let run = site.run(&["{shop}/start"]);
        run.code(5)
            .hops_shown(1)
            .hop_error(1, message)
            .stdout_has("stopped: Location cannot be followed");
        assert_eq!(
            site.requests(),
            ["GET shop.test /start"],
            "{location:?}\n{run}"
        );
    }
}

#[test]
fn location_forms_resolve_as_browsers_do() {
    #[rustfmt::skip]
    let table: &[(&str, &str, &str, Option<&str>)] = &[
        // raw Location, host reached, path sent, warning shown
        ("/abs", "shop.test", "/abs", None),
        ("next", "shop.test", "/a/b/next", None),
        ("../x", "shop.test", "/a/x", None),
        ("./../../up?k=v", "shop.test", "/up?k=v", None),
        ("?q=1", "shop.test", "/a/b/c?q=1", None),
        ("  /trimmed  ", "shop.test", "/trimmed", None),
        ("http:/path", "shop.test", "/path", Some("an RFC 3986 parser would go to no host at all")),
        ("//other.test:{port}/p", "other.test", "/p", Some("Location is scheme-relative (//host): it goes to host other.test over http")),
        ("/\\other.test:{port}/landing", "other.test", "/landing", Some("Location contains a backslash")),
        ("HTTP://OTHER.TEST:{port}/Case", "other.test", "/Case", None),
        ("/with space", "shop.test", "/with%20space", None),
        ("/caf\u{e9}", "shop.test", "/caf%C3%A9", None),
        ("/a\tb", "shop.test", "/ab", Some("Location contains control characters")),
    ];
    for &(location, host, path, warning) in table {
        let site = Site::start(vec![
            // Only the first visit (no query) redirects; `?q=1` comes back to the same path.
            Route {
                query: Some(String::new()),
                ..redirect("/a/b/c", 302, location)
            },
            ok(path.split('?').next().unwrap_or(path)),
        ]);
        let run = site.run(&["{shop}/a/b/c"]);
        run.code(0).quiet_stderr().hops_shown(2);
        assert_eq!(
            site.requests(),
            [
                "GET shop.test /a/b/c".to_owned(),
                format!("GET {host} {path}")
            ],
            "{location:?}\n{run}"
        );
        let resolved = format!("http://{host}:{}{path}", site.port());
        run.stdout_has(&format!("  → {resolved}\n"))
            .stdout_has(&format!("final 200 OK at {resolved}"));
        match warning {
            Some(warning) => run.stdout_has("! warning: ").stdout_has(warning),
            None => run.stdout_lacks("! warning:"),
        };
    }
}

#[test]
fn raw_location_is_shown_as_received() {
    #[rustfmt::skip]
    let table: &[(&[u8], &str)] = &[
        (b"/with space?x=a b", "Location: /with space?x=a b  \u{2192} "),
        (b"/a\tb", "Location: \"/a\\tb\"  \u{2192} "),
        (b"/caf\xC3\xA9", "Location: \"/caf\\xC3\\xA9\"  \u{2192} "),
        (b"/caf\xE9", "Location: \"/caf\\xE9\"  \u{2192} "),
    ];
    for &(raw, shown) in table {
        let site = Site::start(vec![
            Route {
                headers_bytes: vec![("Location".to_owned(), raw.to_vec())],
                ..Route::new("/start", 302)
            },
            Route::new("/with%20space", 200),
            Route::new("/ab", 200),
            Route::new("/caf%C3%A9", 200),
            Route::new("/caf%E9", 200),
        ]);
        site.run(&["{shop}/start"])
            .code(0)
            .hops_shown(2)
            .stdout_has(shown);
    }
}

#[test]
fn non_utf8_location_byte_is_percent_encoded_as_that_byte() {
    let site = Site::start(vec![
        Route {
            headers_bytes: vec![("Location".to_owned(), b"/caf\xE9".to_vec())],
            ..Route::new("/start", 302)
        },
        ok("/caf%E9"),
    ]);
    let run = site.run(&["{shop}/start"]);
    run.code(0)
        .quiet_stderr()
        .stdout_has("Location: \"/caf\\xE9\"")
        .stdout_has(&site.url("→ {shop}/caf%E9"))
        .stdout_has("! warning: Location has bytes that are not UTF-8");
    assert_eq!(
        site.requests(),
        ["GET shop.test /start", "GET shop.test /caf%E9"]
    );
}

#[test]
fn fragments_are_inherited_and_shown_but_never_sent() {
    #[rustfmt::skip]
    let table: &[(&str, &str)] = &[
        // Location, fragment the next hop shows
        ("/next", "#frag"),
        ("/next#own", "#own"),
        ("{other}/next", "#frag"),
    ];
    for &(location, fragment) in table {
        let site = Site::start(vec![redirect("/start", 302, location), ok("/next")]);
        let run = site.run(&["{shop}/start?x=1#frag"]);
        run.code(0)
            .quiet_stderr()
            .stdout_has(&site.url(" 1  GET {shop}/start?x=1#frag\n"))
            .stdout_has(&format!("/next{fragment}\n"));
        let paths: Vec<String> = site.received().into_iter().map(|r| r.path).collect();
        assert_eq!(paths, ["/start?x=1", "/next"], "{location}\n{run}");
    }
}

#[test]
fn a_loop_is_a_request_sent_again_and_answered_the_same() {
    let site = Site::start(vec![
        redirect("/a", 302, "/b"),
        redirect("/b", 301, "{other}/c"),
        redirect("/c", 307, "{shop}/a#again"),
    ]);
    let run = site.run(&["{shop}/a"]);
    run.code(3)
        .hops_shown(4)
        .stdout_has(&site.url(" 4  GET {shop}/a#again\n"))
        .stdout_has("stopped: redirect loop")
        .hop_error(4, "redirect loop: hop 4 sent the request of hop 1 again")
        .stderr_has(
            &site.url("(GET {shop}/a#again) and got the same answer (302 → {shop}/b#again)"),
        );
    assert_eq!(
        site.requests(),
        [
            "GET shop.test /a",
            "GET shop.test /b",
            "GET other.test /c",
            "GET shop.test /a"
        ]
    );
}

#[test]
fn the_same_request_answered_differently_is_not_a_loop() {
    // The first visit to /page redirects to #top; the second (the same request) gets the page,
    // as a browser would.
    let site = Site::start(vec![
        Route {
            cookie: Some("n=1".to_owned()),
            ..ok("/page")
        },
        redirect("/page", 302, "#top").with_header("Set-Cookie", "n=1; Path=/"),
    ]);
    site.run(&["--no-cookies", "{shop}/page"])
        .code(3)
        .hops_shown(2)
        .hop_error(2, "sent the request of hop 1 again");
    let site = Site::start(vec![
        Route {
            cookie: Some("n=1".to_owned()),
            ..ok("/page")
        },
        redirect("/page", 302, "#top").with_header("Set-Cookie", "n=1; Path=/"),
    ]);
    site.run(&["{shop}/page"])
        .code(0)
        .hops_shown(2)
        .stdout_has(&site.url(" 2  GET {shop}/page#top\n"));
    assert_eq!(
        site.requests(),
        ["GET shop.test /page", "GET shop.test /page"]
    );
}

#[test]
fn the_same_url_with_a_new_cookie_is_not_a_loop() {
    let site = Site::start(vec![
        Route {
            cookie: Some("seen=1".to_owned()),
            ..ok("/a")
        },
        redirect("/a", 302, "/a").with_header("Set-Cookie", "seen=1; Path=/"),
    ]);
    let run = site.run(&["{shop}/a"]);
    run.code(0)
        .quiet_stderr()
        .hops_shown(2)
        .stdout_has("Set-Cookie: seen=****; Path=/  (stored)")
        .stdout_lacks("loop");
    let received = site.received();
    assert_eq!(site.requests(), ["GET shop.test /a", "GET shop.test /a"]);
    assert_eq!(received[0].header("cookie"), None);
    assert_eq!(received[1].header("cookie"), Some("seen=1"));
}

#[test]
fn a_repeated_post_with_the_same_body_is_a_loop() {
    let site = Site::start(vec![redirect("/a", 307, "/b"), redirect("/b", 308, "/a")]);
    let run = site.run(&["-d", "x=1", "{shop}/a"]);
    run.code(3)
        .hops_shown(3)
        .hop_error(3, "sent the request of hop 1 again (POST ");
    let received = site.received();
    assert_eq!(
        site.requests(),
        [
            "POST shop.test /a",
            "POST shop.test /b",
            "POST shop.test /a"
        ]
    );
    assert!(received.iter().all(|r| r.body == b"x=1"));
}

/// `/r0` → `/r1` → ... → `/r{redirects}` (200), cycling through the redirect statuses.
fn chain_routes(redirects: usize) -> Vec<Route> {
    let mut routes: Vec<Route> = (0..redirects)
        .map(|i| {
            let status = FOLLOWED[i % FOLLOWED.len()];
            redirect(&format!("/r{i}"), status, &format!("/r{}", i + 1))
        })
        .collect();
    routes.push(ok(&format!("/r{redirects}")));
    routes
}

#[test]
fn twenty_redirects_are_followed() {
    let site = Site::start(chain_routes(20));
    let run = site.run(&["{shop}/r0"]);
    run.code(0)
        .quiet_stderr()
        .hops_shown(21)
        .stdout_has("21 requests, 20 redirects");
    assert_eq!(site.received().len(), 21);
}

#[test]
fn the_twenty_first_redirect_is_too_many() {
    let site = Site::start(chain_routes(21));
    let run = site.run(&["{shop}/r0"]);
    run.code(4)
        .hops_shown(21)
        .stdout_has("stopped: too many redirects")
        .hop_error(21, "too many redirects: 20 followed")
        .stderr_has("(--max-redirs 20)");
    assert_eq!(site.received().len(), 21);
}

#[test]
fn max_redirs_minus_one_lifts_the_limit_as_in_curl() {
    let site = Site::start(chain_routes(30));
    site.run(&["--max-redirs", "-1", "{shop}/r0"])
        .code(0)
        .stdout_has("31 requests, 30 redirects");
    assert_eq!(site.received().len(), 31);
}

#[test]
fn max_redirs_sets_the_limit() {
    let site = Site::start(chain_routes(5));
    let run = site.run(&["--max-redirs", "2", "{shop}/r0"]);
    run.code(4)
        .hops_shown(3)
        .hop_error(3, "too many redirects: 2 followed")
        .stderr_has("(--max-redirs 2)");
    assert_eq!(
        site.requests(),
        [
            "GET shop.test /r0",
            "GET shop.test /r1",
            "GET shop.test /r2"
        ]
    );

    let site = Site::start(chain_routes(2));
    site.run(&["--max-redirs", "2", "{shop}/r0"])
        .code(0)
        .hops_shown(3);
}

#[test]
fn max_redirs_zero_shows_the_first_redirect_without_following_it() {
    let site = Site::start(chain_routes(3));
    let run = site.run(&["--max-redirs", "0", "{shop}/r0"]);
    run.code(0)
        .quiet_stderr()
        .hops_shown(1)
        .stdout_has("Location: /r1")
        .stdout_has("not followed: --max-redirs 0");
    assert_eq!(site.requests(), ["GET shop.test /r0"]);
}

#[test]
fn host_names_are_matched_by_route() {
    // Guards the helpers the other tests rely on: `on` restricts a route to one host name.
    let site = Site::start(vec![
        on("shop.test", redirect("/x", 302, "{other}/x")),
        on("other.test", ok("/x")),
    ]);
    site.run(&["{shop}/x"]).code(0).hops_shown(2);
    assert_eq!(site.requests(), ["GET shop.test /x", "GET other.test /x"]);
}

/// Support staff need to know a permanent redirect outlives its fix in browsers' caches.
#[test]
fn permanent_redirects_show_how_long_browsers_keep_them() {
    let site = Site::start(vec![
        redirect("/a", 301, "/b").with_header("Cache-Control", "max-age=3600"),
        redirect("/b", 308, "/c"),
        redirect("/c", 302, "/d").with_header("Retry-After", "120"),
        ok("/d"),
    ]);
    site.run(&["{shop}/a"])
        .code(0)
        .stdout_has("Cache-Control: max-age=3600  (how long browsers keep this permanent redirect)")
        .stdout_has("no Cache-Control: browsers may keep this permanent redirect indefinitely")
        .stdout_has("Retry-After: 120");
    assert_eq!(
        site.requests(),
        [
            "GET shop.test /a",
            "GET shop.test /b",
            "GET shop.test /c",
            "GET shop.test /d"
        ]
    );
}
