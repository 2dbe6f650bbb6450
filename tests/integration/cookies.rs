//! The cookie jar across hops (docs/rules.md §5): what is stored, sent and where, why a
//! cookie is refused, `--no-cookies`, and seeding and writing jars with `-b` and `-c`.

use crate::support::{Route, Site, assert_absent, ok, on, redirect, write_file};

/// The Cookie header each received request carried, in order.
fn cookies_sent(site: &Site) -> Vec<Option<String>> {
    site.received()
        .iter()
        .map(|r| r.header("cookie").map(str::to_owned))
        .collect()
}

fn some(text: &str) -> Option<String> {
    Some(text.to_owned())
}

/// shop.test/a sets `set_cookie`, then the chain goes on to shop.test/b, other.test/c and back
/// to shop.test/end.
fn cookie_site(set_cookie: &str) -> Site {
    Site::start(vec![
        on(
            "shop.test",
            redirect("/a", 302, "/b").with_header("Set-Cookie", set_cookie),
        ),
        on("shop.test", redirect("/b", 302, "{other}/c")),
        on("other.test", redirect("/c", 302, "{shop}/end")),
        ok("/end"),
    ])
}

#[test]
fn the_jar_is_on_by_default_and_keeps_cookies_on_their_host() {
    let site = cookie_site("sid=1; Path=/");
    let run = site.run(&["{shop}/a"]);
    run.code(0)
        .hops_shown(4)
        .stdout_has("Set-Cookie: sid=****; Path=/  (stored)");
    assert_eq!(
        site.requests(),
        [
            "GET shop.test /a",
            "GET shop.test /b",
            "GET other.test /c",
            "GET shop.test /end"
        ]
    );
    // Stored on shop.test: sent there on later hops, never to other.test.
    assert_eq!(
        cookies_sent(&site),
        [None, some("sid=1"), None, some("sid=1")]
    );
}

#[test]
fn refused_cookies_are_shown_with_the_reason_and_never_sent() {
    #[rustfmt::skip]
    let table: &[(&str, &str, &str)] = &[
        // sent, shown (value redacted), reason
        ("s=1; Secure; Path=/", "s=****; Secure; Path=/", "Secure cookie received over plain http"),
        ("d=1; Domain=other.test; Path=/", "d=****; Domain=other.test; Path=/",
            "Domain=other.test does not match the host shop.test"),
        ("old=1; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
            "old=****; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT", "already expired"),
        ("no equals sign", "****", "malformed"),
    ];
    for &(set_cookie, shown, reason) in table {
        let site = cookie_site(set_cookie);
        let run = site.run(&["{shop}/a"]);
        run.code(0)
            .hops_shown(4)
            .stdout_has(&format!("Set-Cookie: {shown}  (not stored: "))
            .stdout_has(reason);
        assert_eq!(cookies_sent(&site), [None, None, None, None], "{run}");
    }
}

#[test]
fn a_secure_cookie_from_https_goes_back_over_https_only() {
    let site = Site::start(vec![
        redirect("/a", 302, "/b").with_header("Set-Cookie", "s=1; Secure; Path=/"),
        redirect("/b", 302, "{shop}/c"),
        redirect("/c", 302, "{shop_tls}/d"),
        ok("/d"),
    ]);
    let run = site.run(&["{shop_tls}/a"]);
    run.code(0)
        .hops_shown(4)
        .stdout_has("Set-Cookie: s=****; Secure; Path=/  (stored)");
    assert_eq!(
        site.requests(),
        [
            "GET https:shop.test /a",
            "GET https:shop.test /b",
            "GET shop.test /c",
            "GET https:shop.test /d"
        ]
    );
    assert_eq!(cookies_sent(&site), [None, some("s=1"), None, some("s=1")]);
}

#[test]
fn a_path_cookie_goes_only_below_its_path() {
    let site = Site::start(vec![
        redirect("/a", 302, "/private/x").with_header("Set-Cookie", "p=1; Path=/private"),
        redirect("/private/x", 302, "/public"),
        ok("/public"),
    ]);
    site.run(&["{shop}/a"]).code(0).hops_shown(3);
    assert_eq!(cookies_sent(&site), [None, some("p=1"), None]);
}

#[test]
fn a_secure_cookie_over_loopback_is_stored_and_sent_back() {
    // Loopback addresses and `localhost` names are secure contexts for cookies, as in browsers.
    for host in ["127.0.0.1", "localhost", "app.localhost"] {
        let site = Site::start(vec![
            redirect("/a", 302, "/b").with_header("Set-Cookie", "s=1; Secure; Path=/"),
            ok("/b"),
        ]);
        let port = site.port();
        let resolve = format!("{host}:{port}:127.0.0.1");
        let start = format!("http://{host}:{port}/a");
        let run = site.run(&["--resolve", &resolve, &start]);
        run.code(0)
            .stdout_has("Set-Cookie: s=****; Secure; Path=/  (stored)");
        assert_eq!(cookies_sent(&site), [None, some("s=1")], "{host}\n{run}");
    }
}

#[test]
fn no_cookies_stores_nothing_and_says_so() {
    let site = cookie_site("sid=1; Path=/");
    let run = site.run(&["--no-cookies", "{shop}/a"]);
    run.code(0)
        .stdout_has("Set-Cookie: sid=****; Path=/  (not stored: cookies are off (--no-cookies))");
    assert_eq!(cookies_sent(&site), [None, None, None, None]);
}

/// /account needs a consent cookie; /consent sets it and sends the visitor back.
fn consent_routes() -> Vec<Route> {
    vec![
        Route {
            cookie: Some("consent=yes".to_owned()),
            ..ok("/account")
        },
        redirect("/account", 302, "/consent"),
        redirect("/consent", 302, "/account").with_header("Set-Cookie", "consent=yes; Path=/"),
    ]
}

#[test]
fn no_cookies_turns_a_consent_redirect_into_a_loop() {
    let site = Site::start(consent_routes());
    site.run(&["{shop}/account"]).code(0).hops_shown(3);
    let site = Site::start(consent_routes());
    site.run(&["--no-cookies", "{shop}/account"])
        .code(3)
        .hops_shown(3)
        .hop_error(3, "sent the request of hop 1 again");
    assert_eq!(cookies_sent(&site), [None, None, None]);
}

#[test]
fn cookie_pairs_seed_the_first_host() {
    let site = cookie_site("sid=1; Path=/");
    site.run(&["-b", "a=1; b=2", "{shop}/a"])
        .code(0)
        .hops_shown(4);
    assert_eq!(
        cookies_sent(&site),
        [
            some("a=1; b=2"),
            some("a=1; b=2; sid=1"),
            None,
            some("a=1; b=2; sid=1")
        ]
    );
}

#[test]
fn a_netscape_cookie_file_seeds_the_jar() {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(
        dir.path(),
        "cookies.txt",
        b"# Netscape HTTP Cookie File\n\
          \n\
          .shop.test\tTRUE\t/\tFALSE\t0\tdomain\t1\n\
          other.test\tFALSE\t/\tFALSE\t4102444800\thost\t2\n\
          shop.test\tFALSE\t/\tTRUE\t0\tsecure\t3\n\
          #HttpOnly_shop.test\tFALSE\t/b\tFALSE\t0\thttponly\t4\n",
    );
    let site = cookie_site("sid=1; Path=/");
    let run = site.run(&["-b", &file.display().to_string(), "{shop}/a"]);
    run.code(0).hops_shown(4);
    assert_eq!(
        cookies_sent(&site),
        [
            some("domain=1"),
            some("httponly=4; domain=1; sid=1"),
            some("host=2"),
            some("domain=1; sid=1")
        ]
    );
}

#[test]
fn cookie_jar_file_is_written_in_netscape_format() {
    let dir = tempfile::tempdir().unwrap();
    let jar = dir.path().join("jar.txt");
    let site = Site::start(vec![
        redirect("/a", 302, "{other}/b")
            .with_header("Set-Cookie", "sid=abc; Path=/")
            .with_header("Set-Cookie", "keep=1; Path=/; Max-Age=3600; HttpOnly"),
        redirect("/b", 302, "/c").with_header("Set-Cookie", "wide=2; Domain=other.test"),
        ok("/c"),
    ]);
    let run = site.run(&["-b", "seed=0", "-c", &jar.display().to_string(), "{shop}/a"]);
    run.code(0)
        .hops_shown(3)
        .stdout_has("Set-Cookie: sid=****; Path=/  (stored)")
        .stdout_has("Set-Cookie: wide=****; Domain=other.test  (stored)");
    let written = std::fs::read_to_string(&jar).expect("cookie jar written");
    assert!(
        written.starts_with("# Netscape HTTP Cookie File\n"),
        "{written}"
    );
    let lines: Vec<Vec<&str>> = written
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with("# "))
        .map(|line| line.split('\t').collect())
        .collect();
    let find = |name: &str| {
        lines
            .iter()
            .find(|fields| fields.get(5) == Some(&name))
            .unwrap_or_else(|| panic!("{name} not in the jar:\n{written}"))
            .clone()
    };
    assert_eq!(
        find("seed"),
        ["shop.test", "FALSE", "/", "FALSE", "0", "seed", "0"]
    );
    assert_eq!(
        find("sid"),
        ["shop.test", "FALSE", "/", "FALSE", "0", "sid", "abc"]
    );
    assert_eq!(
        find("wide"),
        [".other.test", "TRUE", "/", "FALSE", "0", "wide", "2"]
    );
    let keep = find("keep");
    assert_eq!(keep[0], "#HttpOnly_shop.test");
    let expires: i64 = keep[4].parse().expect("expiry is a number");
    assert!(
        expires > 1_700_000_000,
        "Max-Age gives a real expiry: {keep:?}"
    );
    assert_eq!(lines.len(), 4, "{written}");

    // The written jar seeds a later run.
    let again = Site::start(vec![ok("/x")]);
    again
        .run(&["-b", &jar.display().to_string(), "{other}/x"])
        .code(0);
    assert_eq!(cookies_sent(&again), [some("wide=2")]);
    assert_absent(&again.received()[0], &["authorization"]);
}

/// Cookies pasted with `-b` are the first host's: leaving that host is said once, on the hop
/// that leaves it, and a loop that follows mentions it; `Domain=` in `-b` scopes them to a domain.
#[test]
fn pasted_cookies_left_behind_are_named_and_can_be_scoped() {
    let routes = || {
        vec![
            on("shop.test", redirect("/a", 302, "{www}/b")),
            on("www.shop.test", redirect("/b", 302, "{shop}/a")),
        ]
    };
    let site = Site::start(routes());
    let trace = site.trace(&["-b", "sid=s3cret; lang=en", "{shop}/a"]);
    trace.code(3);
    let warnings = &trace.hop(2)["warnings"];
    assert_eq!(warnings[0]["code"], "cookies_left_behind", "{trace}");
    let message = warnings[0]["message"].as_str().unwrap();
    assert!(
        message.contains("the cookies given with -b (sid, lang) are for shop.test only: not sent to www.shop.test"),
        "{message}"
    );
    assert!(
        trace.doc()["loop"]["explanation"]
            .as_str()
            .unwrap()
            .contains("The cookies given with -b were not sent from hop 2 on")
    );
    assert_eq!(trace.received[1].header("cookie"), None);
    // Said once: the chain comes back to shop.test and leaves it again without a new warning.
    let said: usize = trace.docs[0]["hops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hop| hop["warnings"].as_array().unwrap().len())
        .sum();
    assert_eq!(said, 1, "{trace}");

    let site = Site::start(routes());
    let trace = site.trace(&["-b", "sid=s3cret; Domain=shop.test", "{shop}/a"]);
    trace.code(3);
    assert_eq!(trace.received[1].header("cookie"), Some("sid=s3cret"));
    assert!(
        trace.hop(2)["warnings"].as_array().unwrap().is_empty(),
        "{trace}"
    );

    Site::start(routes())
        .run(&["-b", "sid=1; Domain=other.test", "{shop}/a"])
        .usage_error("--cookie: Domain=other.test does not cover shop.test");
}
