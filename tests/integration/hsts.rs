//! HSTS end to end (docs/rules.md §7): upgrades learned in the chain, from `--hsts` and
//! from the preload list, the headers that must be ignored, and the hints, checked on what the
//! loopback server received, in the text output and in the JSON `hsts` object.

use std::fs;
use std::path::Path;

use serde::Deserialize;
use serde_json::Value;

use crate::support::schema::{Hsts, HstsAction, HstsUpgrade};
use crate::support::{
    Route, Site, Trace, hops_of, json_documents, ok, over, redirect, warning_codes,
    warning_message, write_file,
};

/// The strictly-read `hsts` object of a JSON hop (`None` for `null`); the key must exist.
#[track_caller]
fn hsts(hop: &Value) -> Option<Hsts> {
    let value = hop
        .get("hsts")
        .unwrap_or_else(|| panic!("hop without an hsts key: {hop}"));
    Option::<Hsts>::deserialize(value.clone())
        .unwrap_or_else(|err| panic!("hsts object off schema: {err}\n{value}"))
}

/// The `hsts` object of a hop that received a valid header that was applied (or not).
fn seen(
    header: &str,
    max_age: u64,
    include_subdomains: bool,
    preload: bool,
    action: HstsAction,
) -> Hsts {
    Hsts {
        header: Some(header.to_owned()),
        valid: true,
        error: None,
        max_age: Some(max_age),
        max_age_effective: Some(max_age.min(31_536_000)),
        include_subdomains,
        preload,
        action,
        ignored_reason: None,
        upgrade: None,
    }
}

/// The `hsts` object of a hop whose header was ignored for `reason`.
fn ignored(header: &str, max_age: u64, reason: &str) -> Hsts {
    Hsts {
        ignored_reason: Some(reason.to_owned()),
        ..seen(header, max_age, false, false, HstsAction::Ignored)
    }
}

const ONE_YEAR: &str = "max-age=31536000";
const OVER_HTTP: &str =
    "received over plain http: browsers only accept it over https (RFC 6797 §8.1)";
const INSECURE: &str =
    "certificate checks were off (-k): browsers ignore it on a connection with certificate errors";
const NOT_APPLICABLE: &str = "HSTS never applies to IP addresses or localhost";
const THIS_CHAIN: &str = "a header seen earlier in this run";
const CACHE_FILE: &str = "the HSTS cache file";
const PRELOAD_LIST: &str = "the Chromium preload list";

/// `route` with a `Strict-Transport-Security` header.
fn sts(route: Route, value: &str) -> Route {
    route.with_header("Strict-Transport-Security", value)
}

fn https(route: Route) -> Route {
    over("https", route)
}

fn http(route: Route) -> Route {
    over("http", route)
}

/// Hop `n` is the synthetic `307 Internal Redirect` from `from` to `to`, decided by `source`'s
/// entry `matched`: in the JSON (no request, no address, only the two headers browsers show)
/// and in the text.
#[track_caller]
fn assert_upgrade_hop(
    trace: &Trace,
    n: usize,
    (source, matched, include_subdomains): (&str, &str, bool),
    from: &str,
    to: &str,
) {
    let hop = trace.hop(n);
    let context = format!("hop {n}\n{trace}");
    assert_eq!(hop["synthetic"], true, "{context}");
    assert_eq!(hop["status"], 307, "{context}");
    assert_eq!(hop["reason"], "Internal Redirect", "{context}");
    assert_eq!(hop["remote_addr"], Value::Null, "{context}");
    assert_eq!(hop["http_version"], "", "{context}");
    assert_eq!(hop["url"], from, "{context}");
    assert_eq!(hop["location"], to, "{context}");
    assert_eq!(hop["next_url"], to, "{context}");
    assert_eq!(hop["request_headers"], serde_json::json!([]), "{context}");
    assert_eq!(
        hop["response_headers"],
        serde_json::json!([["location", to], ["non-authoritative-reason", "HSTS"]]),
        "{context}"
    );
    assert_eq!(hop["timing_ms"]["connect"], Value::Null, "{context}");
    assert_eq!(
        hsts(hop),
        Some(Hsts {
            header: None,
            valid: false,
            error: None,
            max_age: None,
            max_age_effective: None,
            include_subdomains: false,
            preload: false,
            action: HstsAction::NoAction,
            ignored_reason: None,
            upgrade: Some(HstsUpgrade {
                source: source.to_owned(),
                matched: matched.to_owned(),
                include_subdomains,
                from: from.to_owned(),
                to: to.to_owned(),
            }),
        }),
        "{context}"
    );
    let scope = if include_subdomains {
        ", includeSubDomains"
    } else {
        ""
    };
    let block = [
        format!("{n:>2}  GET {from}"),
        "    307 Internal Redirect  (Non-Authoritative-Reason: HSTS)  no request sent".to_owned(),
        format!("    Location: {to}"),
        format!("    HSTS: upgraded to https by {source} (entry {matched}{scope})"),
        "    next: GET kept\n".to_owned(),
    ];
    trace.text_has(&block.join("\n"));
}

/// No hop of any document is an HSTS upgrade.
#[track_caller]
fn assert_no_upgrade(trace: &Trace) {
    for doc in &trace.docs {
        for hop in hops_of(doc) {
            assert_eq!(hop["synthetic"], false, "{trace}");
            assert!(hsts(hop).is_none_or(|h| h.upgrade.is_none()), "{trace}");
        }
    }
    trace.text_lacks("Internal Redirect");
}

// ---------------------------------------------------------------------------------------------
// Upgrades learned in the chain

#[test]
fn an_http_link_to_a_host_learned_in_the_chain_is_upgraded_without_a_plain_request() {
    let site = Site::start(vec![
        https(sts(redirect("/", 302, "{example}/account"), ONE_YEAR)),
        https(ok("/account")),
        http(ok("/account")),
    ]);
    let trace = site.trace(&["{example_tls}/"]);
    trace.code(0);
    assert_eq!(
        trace.requests(),
        [
            "https GET example.test /",
            "https GET example.test /account"
        ],
        "no plain-http request\n{trace}"
    );
    assert_eq!(
        hsts(trace.hop(1)),
        Some(seen(ONE_YEAR, 31_536_000, false, false, HstsAction::Noted))
    );
    assert_upgrade_hop(
        &trace,
        2,
        (THIS_CHAIN, "example.test", false),
        &site.url("{example}/account"),
        &site.url("https://example.test:{port}/account"),
    );
    let last = trace.hop(3);
    assert_eq!(
        (&last["url"], &last["status"], &last["synthetic"]),
        (
            &Value::from(site.url("https://example.test:{port}/account")),
            &Value::from(200),
            &Value::from(false)
        )
    );
    assert_eq!(
        trace.doc()["verdict"],
        // The HSTS upgrade is not a redirect the server asked for.
        site.url("OK: 1 redirect, final 200 at https://example.test:{port}/account")
    );
    trace.text_has("Strict-Transport-Security: max-age=31536000  (noted, max-age 31536000 s)");
    // The synthetic hop sent nothing and is not a redirect the server asked for.
    trace.text_has("2 requests, 1 redirect");
}

/// The https → http Location is still a downgrade to fix, but HSTS kept this request encrypted:
/// the warning must not claim that it travelled in clear text.
#[test]
fn a_downgrade_that_hsts_upgrades_is_not_reported_as_clear_text() {
    let site = Site::start(vec![
        https(sts(redirect("/", 302, "{example}/account"), ONE_YEAR)),
        https(ok("/account")),
    ]);
    let trace = site.trace(&["{example_tls}/"]);
    trace.code(0);
    let message = warning_message(trace.hop(1), "https_downgrade");
    assert!(
        message.contains("HSTS upgrades the next request back to https (hop 2)"),
        "{message}\n{trace}"
    );
    assert!(
        !message.contains("travel in clear text"),
        "{message}\n{trace}"
    );
}

#[test]
fn include_subdomains_decides_whether_a_subdomain_is_upgraded() {
    // (STS value, upgraded)
    let table = [
        ("max-age=31536000; includeSubDomains", true),
        (ONE_YEAR, false),
    ];
    for (value, upgraded) in table {
        let site = Site::start(vec![
            https(sts(
                redirect("/", 302, "http://a.example.test:{port}/x"),
                value,
            )),
            ok("/x"),
        ]);
        let trace = site.trace(&[
            "--resolve",
            "a.example.test:{port}:127.0.0.1",
            "{example_tls}/",
        ]);
        trace.code(0);
        let context = format!("{value}\n{trace}");
        if upgraded {
            assert_eq!(
                trace.requests(),
                ["https GET example.test /", "https GET a.example.test /x"],
                "{context}"
            );
            assert_upgrade_hop(
                &trace,
                2,
                (THIS_CHAIN, "example.test", true),
                &site.url("http://a.example.test:{port}/x"),
                &site.url("https://a.example.test:{port}/x"),
            );
        } else {
            assert_eq!(
                trace.requests(),
                ["https GET example.test /", "http GET a.example.test /x"],
                "{context}"
            );
            assert_no_upgrade(&trace);
            assert_eq!(
                trace.hop(2)["url"],
                site.url("http://a.example.test:{port}/x")
            );
        }
    }
}

/// RFC 6797 §8.3: an explicit port other than 80 is kept (80 → 443 is unit-tested in
/// `hsts::tests::upgrades`). The scenario server answers TLS on its http port, so the upgraded
/// request arrives there over https, with the port in its Host header.
#[test]
fn an_upgrade_keeps_an_explicit_non_80_port() {
    let site = Site::start(vec![
        https(sts(
            redirect("/", 302, "http://example.test:{port}/p?q=1"),
            ONE_YEAR,
        )),
        https(ok("/p")),
    ]);
    let trace = site.trace(&["{example_tls}/"]);
    trace.code(0);
    assert_ne!(site.port(), 80);
    assert_upgrade_hop(
        &trace,
        2,
        (THIS_CHAIN, "example.test", false),
        &site.url("http://example.test:{port}/p?q=1"),
        &site.url("https://example.test:{port}/p?q=1"),
    );
    let upgraded = &trace.received[1];
    assert_eq!(
        (upgraded.scheme.as_str(), upgraded.path.as_str()),
        ("https", "/p?q=1")
    );
    crate::support::assert_header(upgraded, "host", &site.url("example.test:{port}"));
}

/// The upgrade is the client's own 307: the method and body go to the https URL unchanged.
#[test]
fn an_upgraded_post_keeps_its_method_and_body() {
    let site = Site::start(vec![
        https(sts(redirect("/form", 307, "{example}/submit"), ONE_YEAR)),
        https(ok("/submit")),
    ]);
    let trace = site.trace(&["-d", "a=1", "{example_tls}/form"]);
    trace.code(0);
    assert_eq!(
        trace.requests(),
        [
            "https POST example.test /form",
            "https POST example.test /submit"
        ],
        "{trace}"
    );
    assert_eq!(trace.received[1].body, b"a=1");
    crate::support::assert_header(
        &trace.received[1],
        "content-type",
        "application/x-www-form-urlencoded",
    );
    let hop = trace.hop(2);
    assert_eq!(
        (&hop["method"], &hop["next_method"], &hop["body_kept"]),
        (
            &Value::from("POST"),
            &Value::from("POST"),
            &Value::from(true)
        )
    );
}

// ---------------------------------------------------------------------------------------------
// Headers that must not count

#[test]
fn sts_received_over_plain_http_is_ignored() {
    let site = Site::start(vec![
        http(sts(redirect("/", 302, "/next"), ONE_YEAR)),
        http(ok("/next")),
    ]);
    let trace = site.trace(&["{example}/"]);
    trace.code(0);
    assert_eq!(
        trace.requests(),
        ["http GET example.test /", "http GET example.test /next"],
        "{trace}"
    );
    assert_eq!(
        hsts(trace.hop(1)),
        Some(ignored(ONE_YEAR, 31_536_000, OVER_HTTP))
    );
    assert_eq!(warning_codes(trace.hop(1)), ["hsts_over_http"], "{trace}");
    assert_no_upgrade(&trace);
    trace.text_has(&format!(
        "Strict-Transport-Security: max-age=31536000  (ignored: {OVER_HTTP})"
    ));
}

#[test]
fn sts_received_with_certificate_checks_off_is_ignored() {
    let site = Site::start(vec![
        https(sts(redirect("/", 302, "{example}/next"), ONE_YEAR)),
        ok("/next"),
    ]);
    let trace = site.trace(&["-k", "{example_tls}/"]);
    trace.code(0);
    assert_eq!(
        trace.requests(),
        ["https GET example.test /", "http GET example.test /next"],
        "{trace}"
    );
    assert_eq!(
        hsts(trace.hop(1)),
        Some(ignored(ONE_YEAR, 31_536_000, INSECURE))
    );
    assert_eq!(
        warning_codes(trace.hop(1)),
        ["hsts_insecure", "https_downgrade"],
        "{trace}"
    );
    assert_no_upgrade(&trace);
    trace.text_has(&format!("(ignored: {INSECURE})"));
}

#[test]
fn sts_for_an_ip_address_or_localhost_is_ignored() {
    for host in ["localhost", "127.0.0.1"] {
        let site = Site::start(vec![
            https(sts(
                redirect("/", 302, &format!("http://{host}:{{port}}/next")),
                ONE_YEAR,
            )),
            ok("/next"),
        ]);
        let start = format!("https://{host}:{{tls_port}}/");
        let trace = site.trace(&["--resolve", "localhost:{port}:127.0.0.1", &start]);
        trace.code(0);
        assert_eq!(
            trace.requests(),
            [
                format!("https GET {host} /"),
                format!("http GET {host} /next")
            ],
            "{trace}"
        );
        assert_eq!(
            hsts(trace.hop(1)),
            Some(ignored(ONE_YEAR, 31_536_000, NOT_APPLICABLE)),
            "{host}\n{trace}"
        );
        // No HSTS hint about a host HSTS does not apply to.
        assert!(
            warning_codes(trace.hop(1))
                .iter()
                .all(|code| !code.starts_with("hsts_")),
            "{trace}"
        );
        assert_no_upgrade(&trace);
        trace.text_has(&format!("(ignored: {NOT_APPLICABLE})"));
    }
}

#[test]
fn an_invalid_sts_header_is_reported_and_not_applied() {
    // (header, error)
    let table = [
        ("max-age=abc", "max-age value \"abc\" is not a number"),
        (
            "max-age=1; max-age=1",
            "directive max-age appears more than once",
        ),
        (
            "max-age=31536000; includeSubDomains; includeSubDomains",
            "directive includeSubDomains appears more than once",
        ),
        (
            "max-age=31536000, includeSubDomains",
            "unexpected ',' at column 17 — directives are separated by ';'",
        ),
        ("includeSubDomains", "max-age is missing"),
    ];
    for (header, error) in table {
        let site = Site::start(vec![
            https(sts(redirect("/", 302, "{example}/next"), header)),
            ok("/next"),
        ]);
        let trace = site.trace(&["{example_tls}/"]);
        trace.code(0);
        let context = format!("{header}\n{trace}");
        assert_eq!(
            trace.requests(),
            ["https GET example.test /", "http GET example.test /next"],
            "{context}"
        );
        assert_eq!(
            hsts(trace.hop(1)),
            Some(Hsts {
                header: Some(header.to_owned()),
                valid: false,
                error: Some(error.to_owned()),
                max_age: None,
                max_age_effective: None,
                include_subdomains: false,
                preload: false,
                action: HstsAction::Ignored,
                ignored_reason: Some("invalid header: browsers ignore all of it".to_owned()),
                upgrade: None,
            }),
            "{context}"
        );
        assert_eq!(
            warning_message(trace.hop(1), "hsts_invalid"),
            format!("Strict-Transport-Security is invalid and ignored: {error}"),
            "{context}"
        );
        assert_no_upgrade(&trace);
        trace.text_has(&format!(
            "Strict-Transport-Security: {header}  (invalid: {error})"
        ));
    }
}

#[test]
fn only_the_first_of_two_sts_headers_counts() {
    // (first, second, upgraded)
    let table = [
        (ONE_YEAR, "max-age=abc", true),
        ("max-age=abc", ONE_YEAR, false),
        ("max-age=0", ONE_YEAR, false),
    ];
    for (first, second, upgraded) in table {
        let site = Site::start(vec![
            https(sts(
                sts(redirect("/", 302, "{example}/next"), first),
                second,
            )),
            ok("/next"),
        ]);
        let trace = site.trace(&["{example_tls}/"]);
        trace.code(0);
        let context = format!("{first} then {second}\n{trace}");
        let record = hsts(trace.hop(1)).expect("an hsts object");
        assert_eq!(record.header.as_deref(), Some(first), "{context}");
        let next_scheme = if upgraded { "https" } else { "http" };
        assert_eq!(
            trace.requests(),
            [
                "https GET example.test /".to_owned(),
                format!("{next_scheme} GET example.test /next")
            ],
            "{context}"
        );
        if upgraded {
            assert_eq!(trace.hop(2)["synthetic"], true, "{context}");
        } else {
            assert_no_upgrade(&trace);
        }
    }
}

#[test]
fn max_age_zero_removes_the_learned_entry() {
    let site = Site::start(vec![
        https(sts(redirect("/a", 302, "/b"), ONE_YEAR)),
        https(sts(redirect("/b", 302, "{example}/c"), "max-age=0")),
        ok("/c"),
    ]);
    let trace = site.trace(&["{example_tls}/a"]);
    trace.code(0);
    assert_eq!(
        trace.requests(),
        [
            "https GET example.test /a",
            "https GET example.test /b",
            "http GET example.test /c"
        ],
        "{trace}"
    );
    assert_eq!(
        hsts(trace.hop(1)).map(|h| h.action),
        Some(HstsAction::Noted)
    );
    assert_eq!(
        hsts(trace.hop(2)),
        Some(seen("max-age=0", 0, false, false, HstsAction::Removed))
    );
    // Removing is not a misconfiguration to hint about.
    assert_eq!(warning_codes(trace.hop(2)), ["https_downgrade"], "{trace}");
    assert_no_upgrade(&trace);
    trace.text_has("Strict-Transport-Security: max-age=0  (removed, max-age 0 s)");
}

/// A header seen twice in one chain updates the entry; max-age=0 cannot remove a preloaded one.
#[test]
fn a_repeated_header_updates_and_max_age_zero_leaves_the_preload_list_alone() {
    let site = Site::start(vec![
        https(sts(redirect("/a", 302, "/b"), "max-age=600")),
        https(sts(
            redirect("/b", 302, "{example}/c"),
            "max-age=31536000; includeSubDomains",
        )),
        https(ok("/c")),
        https(sts(redirect("/dev", 302, "{dev}/next"), "max-age=0")),
        https(ok("/next")),
    ]);
    let trace = site.trace(&["{example_tls}/a"]);
    trace.code(0);
    assert_eq!(
        hsts(trace.hop(1)).map(|h| h.action),
        Some(HstsAction::Noted)
    );
    assert_eq!(
        hsts(trace.hop(2)).map(|h| h.action),
        Some(HstsAction::Updated)
    );
    assert_eq!(
        trace.hop(3)["hsts"]["upgrade"]["include_subdomains"],
        true,
        "the updated entry counts\n{trace}"
    );

    let trace = site.trace(&["https://shop.dev:{tls_port}/dev"]);
    trace.code(0);
    assert_eq!(
        trace.requests(),
        ["https GET shop.dev /dev", "https GET shop.dev /next"],
        "{trace}"
    );
    assert_eq!(
        hsts(trace.hop(1)),
        Some(seen("max-age=0", 0, false, false, HstsAction::NoAction))
    );
    assert_upgrade_hop(
        &trace,
        2,
        (PRELOAD_LIST, "dev", true),
        &site.url("{dev}/next"),
        &site.url("https://shop.dev:{port}/next"),
    );
}

// ---------------------------------------------------------------------------------------------
// The `--hsts` cache file

const CACHE_HEADER: &str = "# Your HSTS cache. https://curl.se/docs/hsts.html\n";

/// `host "YYYYMMDD HH:MM:SS"`, curl's entry line with a date (not checked against the clock).
fn is_dated_entry(line: &str, host: &str) -> bool {
    let Some(date) = line
        .strip_prefix(host)
        .and_then(|rest| rest.strip_prefix(" \""))
        .and_then(|rest| rest.strip_suffix('"'))
    else {
        return false;
    };
    let bytes = date.as_bytes();
    bytes.len() == 17
        && (bytes[8], bytes[11], bytes[14]) == (b' ', b':', b':')
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| [8, 11, 14].contains(&i) || b.is_ascii_digit())
}

#[test]
fn a_cache_file_entry_upgrades_the_first_request() {
    let site = Site::start(vec![https(ok("/")), http(ok("/"))]);
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(
        dir.path(),
        "hsts.txt",
        b"# Your HSTS cache. https://curl.se/docs/hsts.html\n\
          # written by hand\n\
          \n\
          .example.test \"unlimited\"\n\
          shop.test \"20991231 23:59:59\"\n",
    );
    let file = file.display().to_string();
    let run = site.run(&[
        "--format",
        "json",
        "--hsts",
        &file,
        "--resolve",
        "a.example.test:{port}:127.0.0.1",
        "{example}/",
        "http://a.example.test:{port}/",
        "{shop}/",
        "{www}/",
    ]);
    run.code(0).quiet_stderr();
    assert_eq!(
        site.requests(),
        [
            "GET https:example.test /",
            "GET https:a.example.test /",
            "GET https:shop.test /",
            "GET www.shop.test /"
        ],
        "www.shop.test is not covered: shop.test has no includeSubDomains\n{run}"
    );
    let docs = json_documents(&run);
    let upgrade = |doc: &Value| hsts(&hops_of(doc)[0]).and_then(|h| h.upgrade);
    let expected = |matched: &str, include_subdomains, host: &str| {
        Some(HstsUpgrade {
            source: CACHE_FILE.to_owned(),
            matched: matched.to_owned(),
            include_subdomains,
            from: site.url(&format!("http://{host}:{{port}}/")),
            to: site.url(&format!("https://{host}:{{port}}/")),
        })
    };
    assert_eq!(
        upgrade(&docs[0]),
        expected("example.test", true, "example.test")
    );
    assert_eq!(
        upgrade(&docs[1]),
        expected("example.test", true, "a.example.test")
    );
    assert_eq!(upgrade(&docs[2]), expected("shop.test", false, "shop.test"));
    assert_eq!(upgrade(&docs[3]), None, "{run}");
    // A covered first visit is not exposed: no first-visit hint.
    assert!(
        docs.iter()
            .flat_map(hops_of)
            .all(|hop| !warning_codes(hop).contains(&"hsts_first_visit"))
    );

    let text = site.run(&["--hsts", &file, "{example}/"]);
    text.code(0).stdout_has(
        "HSTS: upgraded to https by the HSTS cache file (entry example.test, includeSubDomains)",
    );
}

#[test]
fn an_expired_cache_entry_does_not_upgrade() {
    let site = Site::start(vec![ok("/")]);
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(
        dir.path(),
        "hsts.txt",
        b"example.test \"20200101 00:00:00\"\n",
    );
    let file_arg = file.display().to_string();
    let run = site.run(&["--format", "json", "--hsts", &file_arg, "{example}/"]);
    run.code(0).quiet_stderr();
    assert_eq!(site.requests(), ["GET example.test /"], "{run}");
    let doc = &json_documents(&run)[0];
    assert_eq!(hops_of(doc)[0]["synthetic"], false, "{run}");
    assert_eq!(hsts(&hops_of(doc)[0]), None);
    // Written back without the expired entry, as curl does.
    assert_eq!(
        fs::read_to_string(&file).unwrap(),
        format!("{CACHE_HEADER}# This file was generated by hops! Edit at your own risk.\n")
    );
}

#[test]
fn hosts_learned_in_a_run_are_saved_to_the_cache_file_by_rename() {
    let site = Site::start(vec![
        https(sts(
            redirect("/", 302, "/a"),
            "max-age=31536000; includeSubDomains",
        )),
        https(sts(ok("/a"), ONE_YEAR)),
        https(ok("/later")),
    ]);
    let site_other = Site::start(vec![https(sts(ok("/"), "max-age=600"))]);
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(
        dir.path(),
        "hsts.txt",
        b"# kept entries only\nauth.test \"20991231 23:59:59\"\n",
    );
    let file_arg = file.display().to_string();
    #[cfg(unix)]
    let inode_before = std::os::unix::fs::MetadataExt::ino(&fs::metadata(&file).unwrap());

    let run = site.run(&["--hsts", &file_arg, "{example_tls}/"]);
    run.code(0).quiet_stderr();
    let text = fs::read_to_string(&file).unwrap();
    assert!(text.starts_with(CACHE_HEADER), "{text}");
    let entries: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(entries.len(), 2, "{text}");
    assert_eq!(entries[0], "auth.test \"20991231 23:59:59\"", "{text}");
    // includeSubDomains from `/` was replaced by `/a`'s header without it: no leading dot.
    assert!(is_dated_entry(entries[1], "example.test"), "{text}");
    #[cfg(unix)]
    assert_ne!(
        std::os::unix::fs::MetadataExt::ino(&fs::metadata(&file).unwrap()),
        inode_before,
        "the file is replaced by a rename, not rewritten in place"
    );
    let names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(names, ["hsts.txt"], "no temporary file left behind");

    // The file written is valid: the next run reads it without a warning and upgrades from it.
    site.clear_received();
    let run = site.run(&["--hsts", &file_arg, "{example}/later"]);
    run.code(0)
        .quiet_stderr()
        .stdout_has("HSTS: upgraded to https by the HSTS cache file (entry example.test)");
    assert_eq!(site.requests(), ["GET https:example.test /later"], "{run}");

    // A file that does not exist yet is created; includeSubDomains is written as a leading dot.
    let new_file = dir.path().join("new.txt");
    let new_arg = new_file.display().to_string();
    site.run(&["--hsts", &new_arg, "{example_tls}/"])
        .code(0)
        .quiet_stderr();
    site_other
        .run(&["--hsts", &new_arg, "{shop_tls}/"])
        .code(0)
        .quiet_stderr();
    let text = fs::read_to_string(&new_file).unwrap();
    let entries: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(entries.len(), 2, "{text}");
    assert!(is_dated_entry(entries[0], "example.test"), "{text}");
    assert!(is_dated_entry(entries[1], "shop.test"), "{text}");
}

#[test]
fn an_include_subdomains_entry_is_saved_with_a_leading_dot() {
    let site = Site::start(vec![https(sts(
        ok("/"),
        "max-age=31536000; includeSubDomains",
    ))]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("hsts.txt");
    let file_arg = file.display().to_string();
    site.run(&["--hsts", &file_arg, "{example_tls}/"])
        .code(0)
        .quiet_stderr();
    let text = fs::read_to_string(&file).unwrap();
    let entries: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
    assert_eq!(entries.len(), 1, "{text}");
    assert!(is_dated_entry(entries[0], ".example.test"), "{text}");
    assert!(Path::new(&file).is_file());
}

// ---------------------------------------------------------------------------------------------
// The preload list

#[test]
fn a_preloaded_host_is_upgraded_before_any_request() {
    let site = Site::start(vec![ok("/")]);
    let trace = site.trace(&["{dev}/"]);
    trace.code(0);
    assert_eq!(trace.requests(), ["https GET shop.dev /"], "{trace}");
    assert_upgrade_hop(
        &trace,
        1,
        (PRELOAD_LIST, "dev", true),
        &site.url("{dev}/"),
        &site.url("https://shop.dev:{port}/"),
    );
    assert_eq!(trace.hop(1)["via"], "start");
    assert_eq!(trace.hop(2)["via"], "redirect");
    // Nothing went over plain http, so no first-visit hint.
    assert!(warning_codes(trace.hop(1)).is_empty(), "{trace}");
    assert!(warning_codes(trace.hop(2)).is_empty(), "{trace}");
    assert_eq!(
        trace.doc()["verdict"],
        site.url("OK: 0 redirects, final 200 at https://shop.dev:{port}/")
    );
    trace.text_has("1 request, 0 redirects");
}

#[test]
fn no_preload_turns_the_preload_list_off() {
    let site = Site::start(vec![ok("/")]);
    let trace = site.trace(&["--no-preload", "{dev}/"]);
    trace.code(0);
    assert_eq!(trace.requests(), ["http GET shop.dev /"], "{trace}");
    assert_no_upgrade(&trace);
    assert_eq!(hops_of(trace.doc()).len(), 1);
    assert_eq!(
        trace.doc()["verdict"],
        site.url("OK: 0 redirects, final 200 at {dev}/")
    );
}

// ---------------------------------------------------------------------------------------------
// The JSON object and the hints

#[test]
fn a_max_age_over_one_year_is_capped_and_every_field_is_reported() {
    let header = "max-age=99999999; includeSubDomains; preload";
    let site = Site::start(vec![https(sts(ok("/"), header))]);
    let trace = site.trace(&["{example_tls}/"]);
    trace.code(0);
    assert_eq!(
        hsts(trace.hop(1)),
        Some(Hsts {
            header: Some(header.to_owned()),
            valid: true,
            error: None,
            max_age: Some(99_999_999),
            max_age_effective: Some(31_536_000),
            include_subdomains: true,
            preload: true,
            action: HstsAction::Noted,
            ignored_reason: None,
            upgrade: None,
        })
    );
    // Over a year, with both flags: nothing to hint about, and the start was not http.
    assert!(warning_codes(trace.hop(1)).is_empty(), "{trace}");
    trace.text_has(&format!(
        "Strict-Transport-Security: {header}  \
         (noted, max-age 31536000 s, capped at one year, includeSubDomains, preload)"
    ));
}

#[test]
fn hops_without_sts_have_a_null_hsts_object() {
    let site = Site::start(vec![redirect("/", 302, "/b"), ok("/b")]);
    let trace = site.trace(&["{shop}/"]);
    trace.code(0);
    for hop in hops_of(trace.doc()) {
        assert_eq!(hop.get("hsts"), Some(&Value::Null), "{trace}");
        assert_eq!(hop["synthetic"], false);
    }
    trace
        .text_lacks("HSTS")
        .text_lacks("Strict-Transport-Security");
}

#[test]
fn a_site_that_meets_the_preload_rules_is_told_so() {
    let site = Site::start(vec![
        http(redirect("/", 301, "{example_tls}/")),
        https(sts(ok("/"), "max-age=63072000; includeSubDomains; preload")),
    ]);
    let trace = site.trace(&["{example}/"]);
    trace.code(0);
    assert_eq!(
        trace.requests(),
        ["http GET example.test /", "https GET example.test /"],
        "{trace}"
    );
    assert_eq!(warning_codes(trace.hop(1)), ["hsts_first_visit"], "{trace}");
    assert!(
        warning_message(trace.hop(1), "hsts_first_visit")
            .contains("no HSTS policy covers example.test")
    );
    assert_eq!(
        warning_codes(trace.hop(2)),
        ["hsts_preload_eligible"],
        "{trace}"
    );
    assert_eq!(
        warning_message(trace.hop(2), "hsts_preload_eligible"),
        "example.test meets hstspreload.org's rules for the preload list (for a registrable domain)"
    );
}

#[test]
fn a_site_that_misses_the_preload_rules_is_told_what_is_missing() {
    let site = Site::start(vec![
        http(redirect("/", 301, "/step")),
        http(redirect("/step", 301, "{example_tls}/")),
        https(sts(ok("/"), "max-age=300")),
    ]);
    let trace = site.trace(&["{example}/"]);
    trace.code(0);
    assert_eq!(warning_codes(trace.hop(1)), ["hsts_first_visit"], "{trace}");
    assert_eq!(
        warning_codes(trace.hop(3)),
        [
            "hsts_short_max_age",
            "hsts_no_include_subdomains",
            "hsts_preload_not_eligible"
        ],
        "{trace}"
    );
    assert_eq!(
        warning_message(trace.hop(3), "hsts_short_max_age"),
        "HSTS max-age is 5 minutes (300 s): \
         less than a year leaves returning visitors exposed once it lapses"
    );
    assert!(
        warning_message(trace.hop(3), "hsts_no_include_subdomains")
            .starts_with("HSTS without includeSubDomains")
    );
    assert_eq!(
        warning_message(trace.hop(3), "hsts_preload_not_eligible"),
        "example.test cannot be preloaded yet: \
         http://example.test must first redirect to https://example.test (same host); \
         max-age is 300: the preload list requires at least 31536000 (one year); \
         includeSubDomains is missing: the preload list requires it; \
         preload is missing: the preload list requires it"
    );
}

#[test]
fn a_redirect_from_https_to_plain_http_is_a_downgrade() {
    let site = Site::start(vec![
        https(redirect("/secure", 302, "{shop}/plain")),
        http(ok("/plain")),
    ]);
    let trace = site.trace(&["{shop_tls}/secure"]);
    trace.code(0);
    assert_eq!(
        trace.requests(),
        ["https GET shop.test /secure", "http GET shop.test /plain"],
        "{trace}"
    );
    assert_eq!(warning_codes(trace.hop(1)), ["https_downgrade"], "{trace}");
    assert_eq!(
        warning_message(trace.hop(1), "https_downgrade"),
        "redirect from https to http: the next request and its answer travel in clear text"
    );
    assert_no_upgrade(&trace);
}

/// URL passwords are redacted everywhere, the upgrade's `from` and `to` included.
#[test]
fn an_upgrade_does_not_show_a_url_password() {
    let site = Site::start(vec![https(ok("/"))]);
    let trace = site.trace(&["http://u:secret@shop.dev:{port}/"]);
    trace.code(0);
    assert_eq!(trace.requests(), ["https GET shop.dev /"], "{trace}");
    crate::support::assert_header(&trace.received[0], "authorization", "Basic dTpzZWNyZXQ=");
    assert!(!trace.json.stdout.contains("secret"), "{trace}");
    assert!(!trace.text.stdout.contains("secret"), "{trace}");
    let upgrade = hsts(trace.hop(1))
        .and_then(|h| h.upgrade)
        .expect("an upgrade");
    assert_eq!(upgrade.from, site.url("http://u:****@shop.dev:{port}/"));
    assert_eq!(upgrade.to, site.url("https://u:****@shop.dev:{port}/"));
}
