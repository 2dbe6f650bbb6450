//! Credentials across origins (docs/rules.md §4): which hops carry `Authorization`,
//! `Proxy-Authorization`, a user `Cookie`, `-u` and URL userinfo; `--location-trusted`;
//! secrets redacted in every output; and `Referer`.

use crate::support::{Site, assert_absent, assert_header, ok, on, redirect};

const BEARER: &str = "Bearer secret-token";
const PROXY_AUTH: &str = "Basic cHJveHk6c2VjcmV0";
const USER_COOKIE: &str = "session=user-supplied";

/// `-H` arguments for the three credential headers and one ordinary header.
const CREDENTIAL_ARGS: [&str; 8] = [
    "-H",
    "Authorization: Bearer secret-token",
    "-H",
    "Proxy-Authorization: Basic cHJveHk6c2VjcmV0",
    "-H",
    "Cookie: session=user-supplied",
    "-H",
    "X-Ordinary: stays",
];

const CREDENTIAL_HEADERS: [&str; 3] = ["authorization", "proxy-authorization", "cookie"];

fn assert_credentials(request: &crate::support::Received) {
    assert_header(request, "authorization", BEARER);
    assert_header(request, "proxy-authorization", PROXY_AUTH);
    assert_header(request, "cookie", USER_COOKIE);
    assert_header(request, "x-ordinary", "stays");
}

fn assert_no_credentials(request: &crate::support::Received) {
    assert_absent(request, &CREDENTIAL_HEADERS);
    assert_header(request, "x-ordinary", "stays");
}

#[test]
fn credentials_stay_within_the_origin() {
    let site = Site::start(vec![redirect("/a", 302, "/b?same=origin"), ok("/b")]);
    let mut args = CREDENTIAL_ARGS.to_vec();
    args.push("{shop}/a");
    site.run(&args).code(0).stdout_lacks("removed ");
    let received = site.received();
    assert_eq!(received.len(), 2);
    received.iter().for_each(assert_credentials);
}

#[test]
fn credentials_are_removed_at_a_host_change_and_never_come_back() {
    let site = Site::start(vec![
        on("shop.test", redirect("/a", 302, "{other}/b")),
        on("other.test", redirect("/b", 307, "{shop}/c")),
        on("shop.test", redirect("/c", 301, "/d")),
        on("shop.test", ok("/d")),
    ]);
    let mut args = CREDENTIAL_ARGS.to_vec();
    args.push("{shop}/a");
    let run = site.run(&args);
    run.code(0).hops_shown(4);
    for name in ["Authorization", "Proxy-Authorization", "Cookie"] {
        run.stdout_has(&site.url(&format!(
            "removed {name}: origin changed from {{shop}} to {{other}}"
        )));
    }
    assert_eq!(
        site.requests(),
        [
            "GET shop.test /a",
            "GET other.test /b",
            "GET shop.test /c",
            "GET shop.test /d"
        ]
    );
    let received = site.received();
    assert_credentials(&received[0]);
    // A → B → A: back on the first origin, the credentials are still gone (curl re-sends them).
    received[1..].iter().for_each(assert_no_credentials);
}

#[test]
fn credentials_are_removed_at_a_port_change() {
    let second = Site::start(vec![ok("/b")]);
    let first = Site::start(vec![redirect(
        "/a",
        302,
        &format!("http://shop.test:{}/b", second.port()),
    )]);
    let mut args: Vec<String> = second.resolve_args();
    args.extend(CREDENTIAL_ARGS.map(String::from));
    args.push("{shop}/a".to_owned());
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = first.run(&args);
    run.code(0).hops_shown(2).stdout_has(&format!(
        "removed Authorization: origin changed from http://shop.test:{} to http://shop.test:{}",
        first.port(),
        second.port()
    ));
    assert_credentials(&first.received()[0]);
    let at_second = second.received();
    assert_eq!(at_second.len(), 1);
    assert_no_credentials(&at_second[0]);
}

#[test]
fn a_custom_host_header_belongs_to_the_first_origin() {
    let site = Site::start(vec![
        redirect("/a", 302, "/b"),
        redirect("/b", 302, "{other}/c"),
        ok("/c"),
    ]);
    let run = site.run(&["-H", "Host: virtual.test", "{shop}/a"]);
    run.code(0)
        .stdout_has("removed Host: a custom Host header belongs to the first origin");
    let hosts: Vec<String> = site.received().into_iter().map(|r| r.host).collect();
    assert_eq!(hosts, ["virtual.test", "virtual.test", "other.test"]);
}

#[test]
fn credentials_are_removed_when_the_scheme_changes() {
    #[rustfmt::skip]
    let table: &[(&str, &str, &str)] = &[
        // start, Location, why
        ("{shop_tls}/a", "{shop}/b", "origin changed from {shop_tls} to {shop} (https downgrade)"),
        ("{shop}/a", "{shop_tls}/b", "origin changed from {shop} to {shop_tls}"),
    ];
    for &(start, location, why) in table {
        let site = Site::start(vec![redirect("/a", 302, location), ok("/b")]);
        let mut args = CREDENTIAL_ARGS.to_vec();
        args.push(start);
        let run = site.run(&args);
        run.code(0)
            .hops_shown(2)
            .stdout_has(&site.url(&format!("removed Authorization: {why}\n")));
        let downgrade = "! warning: redirect from https to http";
        if why.ends_with("(https downgrade)") {
            run.stdout_has(downgrade);
        } else {
            run.stdout_lacks(downgrade);
        }
        let received = site.received();
        let schemes: Vec<&str> = received.iter().map(|r| r.scheme.as_str()).collect();
        let expected = if start.contains("_tls") {
            ["https", "http"]
        } else {
            ["http", "https"]
        };
        assert_eq!(schemes, expected, "{run}");
        assert_credentials(&received[0]);
        assert_no_credentials(&received[1]);
    }
}

#[test]
fn user_credentials_go_to_the_first_origin_only() {
    let site = Site::start(vec![
        on("shop.test", redirect("/a", 302, "/b")),
        on("shop.test", redirect("/b", 302, "{other}/c")),
        on("other.test", redirect("/c", 302, "{shop}/d")),
        on("shop.test", ok("/d")),
    ]);
    let run = site.run(&["-u", "user:pw", "{shop}/a"]);
    run.code(0)
        .hops_shown(4)
        .stdout_has(&site.url("removed Authorization: origin changed from {shop} to {other}"))
        .stdout_lacks("dXNlcjpwdw==");
    let auth: Vec<Option<String>> = site
        .received()
        .iter()
        .map(|r| r.header("authorization").map(str::to_owned))
        .collect();
    let basic = Some("Basic dXNlcjpwdw==".to_owned());
    assert_eq!(auth, [basic.clone(), basic, None, None]);
}

#[test]
fn location_trusted_keeps_credentials_and_warns() {
    let site = Site::start(vec![
        on("shop.test", redirect("/a", 302, "{other}/b")),
        on("other.test", redirect("/b", 302, "{shop}/c")),
        on("shop.test", ok("/c")),
    ]);
    let mut args = vec!["--location-trusted"];
    args.extend(CREDENTIAL_ARGS);
    args.push("{shop}/a");
    let run = site.run(&args);
    run.code(0).hops_shown(3).stdout_lacks("removed ");
    for (name, origin) in [
        ("Authorization", "{other}"),
        ("Proxy-Authorization", "{other}"),
        ("Cookie", "{other}"),
        ("Authorization", "{shop}"),
    ] {
        run.stdout_has(&site.url(&format!(
            "! warning: {name} sent to another origin ({origin}) because of --location-trusted"
        )));
    }
    let received = site.received();
    assert_eq!(received.len(), 3);
    received.iter().for_each(assert_credentials);
}

/// Runs a chain whose second hop comes from `http://alice:hunter2@other.test:PORT/in` and checks
/// the hop got the userinfo as Basic credentials; returns the run for the output checks.
fn run_with_userinfo_location(extra: &[&str]) -> crate::support::Run {
    let site = Site::start(vec![
        on(
            "shop.test",
            redirect("/a", 302, "http://alice:hunter2@other.test:{port}/in"),
        ),
        on("other.test", ok("/in")),
    ]);
    let mut args = extra.to_vec();
    args.push("{shop}/a");
    let run = site.run(&args);
    run.code(0).hops_shown(2);
    let received = site.received();
    assert_absent(&received[0], &["authorization"]);
    // base64("alice:hunter2"); the userinfo itself is never sent in the request target.
    assert_header(&received[1], "authorization", "Basic YWxpY2U6aHVudGVyMg==");
    assert_eq!(received[1].path, "/in");
    run
}

#[test]
fn userinfo_in_a_location_is_used_for_that_hop_and_redacted() {
    let run = run_with_userinfo_location(&[]);
    run.stdout_has("Location: http://alice:****@other.test")
        .stdout_has(" 2  GET http://alice:****@other.test")
        .stdout_lacks("hunter2")
        .quiet_stderr();
    run_with_userinfo_location(&["--show-secrets"])
        .stdout_has(" 2  GET http://alice:hunter2@other.test");
}

#[test]
fn userinfo_in_a_location_is_redacted_in_verbose_headers() {
    run_with_userinfo_location(&["-v"])
        .stdout_has("> authorization: Basic ****")
        .stdout_lacks("hunter2");
}

const BAD_LOCATIONS_WITH_PASSWORD: [&str; 2] = [
    "http://alice:hunter2@[::1",
    "ftp://alice:hunter2@files.test/",
];

#[test]
fn a_password_in_a_bad_location_is_redacted_on_stderr() {
    for location in BAD_LOCATIONS_WITH_PASSWORD {
        let site = Site::start(vec![redirect("/a", 302, location)]);
        let run = site.run(&["{shop}/a"]);
        run.code(5)
            .hop_error(1, "alice:****@")
            .stdout_has("Location: ")
            .stdout_has("alice:****@");
        assert!(!run.stderr.contains("hunter2"), "{run}");
    }
}

#[test]
fn a_password_in_a_bad_location_is_redacted_on_stdout() {
    for location in BAD_LOCATIONS_WITH_PASSWORD {
        let site = Site::start(vec![redirect("/a", 302, location)]);
        site.run(&["{shop}/a"]).code(5).stdout_lacks("hunter2");
    }
}

#[test]
fn verbose_output_redacts_credentials_unless_asked() {
    let proxy = "Proxy-Authorization: Basic cHJveHk6c2VjcmV0";
    #[rustfmt::skip]
    let table: &[(&[&str], &[&str], &[&str])] = &[
        // flags, shown, never shown
        (&["-u", "user:pw", "-H", proxy],
            &["> authorization: Basic ****", "> proxy-authorization: Basic ****"],
            &["dXNlcjpwdw==", "cHJveHk6c2VjcmV0"]),
        (&["-H", "Authorization: Bearer secret-token"],
            &["> authorization: Bearer ****"],
            &["secret-token"]),
        (&["-H", "Authorization: secret-token"],
            &["> authorization: ****"],
            &["secret-token"]),
        (&["-H", "Authorization: Bearer secret-token", "-H", proxy, "--show-secrets"],
            &["> authorization: Bearer secret-token", "> proxy-authorization: Basic cHJveHk6c2VjcmV0"],
            &["****"]),
    ];
    let site = Site::start(vec![ok("/a")]);
    for &(flags, shown, hidden) in table {
        let mut args = vec!["-v"];
        args.extend(flags);
        args.push("{shop}/a");
        let run = site.run(&args);
        run.code(0);
        shown.iter().for_each(|text| {
            run.stdout_has(text);
        });
        hidden.iter().for_each(|text| {
            run.stdout_lacks(text);
        });
    }
}

#[test]
fn no_referer_unless_asked() {
    let site = Site::start(vec![redirect("/a", 302, "/b"), ok("/b")]);
    site.run(&["-v", "{shop}/a"])
        .code(0)
        .hops_shown(2)
        .stdout_has("> user-agent: ")
        .stdout_lacks("> referer");
    for request in site.received() {
        assert_absent(&request, &["referer"]);
    }
}

#[test]
fn auto_referer_is_never_sent_from_https_to_http() {
    let site = Site::start(vec![
        redirect("/a", 302, "{shop_tls}/b"),
        redirect("/b", 302, "{shop}/c"),
        redirect("/c", 302, "{shop_tls}/d"),
        ok("/d"),
    ]);
    site.run(&["-e", ";auto", "{shop_tls}/a"])
        .code(0)
        .hops_shown(4);
    let referers: Vec<Option<String>> = site
        .received()
        .iter()
        .map(|r| r.header("referer").map(str::to_owned))
        .collect();
    let expected =
        [None, Some("{shop_tls}/a"), None, Some("{shop}/c")].map(|r| r.map(|r| site.url(r)));
    assert_eq!(referers, expected);
}

#[test]
fn referer_flag_forms() {
    #[rustfmt::skip]
    let table: &[(&str, &str, [Option<&str>; 3])] = &[
        // -e value, start URL, Referer on hops 1..3
        ("http://ref.test/page", "{shop}/a",
            [Some("http://ref.test/page"), Some("http://ref.test/page"), Some("http://ref.test/page")]),
        (";auto", "http://alice:pw@shop.test:{port}/a?x=1#frag",
            [None, Some("{shop}/a?x=1"), Some("{shop}/b")]),
        ("http://ref.test/;auto", "{shop}/a",
            [Some("http://ref.test/"), Some("{shop}/a"), Some("{shop}/b")]),
    ];
    for (flag, start, expected) in table {
        let site = Site::start(vec![
            redirect("/a", 302, "/b"),
            redirect("/b", 307, "{other}/c"),
            ok("/c"),
        ]);
        site.run(&["-e", flag, start]).code(0).hops_shown(3);
        let got: Vec<Option<String>> = site
            .received()
            .iter()
            .map(|r| r.header("referer").map(str::to_owned))
            .collect();
        let expected: Vec<Option<String>> =
            expected.iter().map(|r| r.map(|r| site.url(r))).collect();
        assert_eq!(got, expected, "-e {flag:?}");
    }
}
