//! What CI scripts rely on: the `--expect-*` and `-f` checks (✓/✗ lines, `hops: error:` lines,
//! the JSON `checks` array, exit code 1), `-w/--write-out` with curl's variables, and the exit
//! code of a run with several URLs.

use serde::Deserialize;

use crate::support::schema::Check;
use crate::support::{Route, Run, Site, closed_port, ok, redirect, write_file};

/// The part of a JSON document these tests read (the full schema is `support::schema`).
#[derive(Debug, Deserialize)]
struct Document {
    request: Request,
    outcome: String,
    checks: Vec<Check>,
    ok: bool,
    verdict: String,
}

#[derive(Debug, Deserialize)]
struct Request {
    url: String,
}

#[track_caller]
fn documents(run: &Run) -> Vec<Document> {
    run.stdout
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|err| panic!("{err}: {line}\n{run}")))
        .collect()
}

/// `/old` 301 → `/mid` 302 → `/final` 200; `/keep` 307 → `/final`; `/moved` 302 → `/missing`
/// 404; `/a` ↔ `/b` loop; `/bad` to an ftp URL; `/toclosed` to a port nobody listens on;
/// `/utf` 302 to a Location with UTF-8 bytes.
fn site(closed: u16) -> Site {
    Site::start(vec![
        redirect("/old", 301, "/mid"),
        redirect("/mid", 302, "/final"),
        ok("/final"),
        redirect("/keep", 307, "/final"),
        redirect("/moved", 302, "/missing"),
        Route::new("/missing", 404),
        redirect("/a", 302, "/b"),
        redirect("/b", 302, "/a"),
        redirect("/bad", 302, "ftp://files.test/x"),
        redirect("/toclosed", 302, &format!("http://127.0.0.1:{closed}/gone")),
        Route {
            headers_bytes: vec![("Location".to_owned(), "/café".as_bytes().to_vec())],
            ..Route::new("/utf", 302)
        },
        ok("/caf%C3%A9"),
    ])
}

/// What the server receives when hops starts at `path` (GET, no body).
fn requests_for(path: &str) -> Vec<String> {
    let paths: &[&str] = match path {
        "/old" => &["/old", "/mid", "/final"],
        "/keep" => &["/keep", "/final"],
        "/moved" => &["/moved", "/missing"],
        // A loop is found when hop 1's request, sent again, gets the same answer.
        "/a" => &["/a", "/b", "/a"],
        "/toclosed" => &["/toclosed"],
        "/bad" => &["/bad"],
        "/utf" => &["/utf"],
        other => panic!("no requests known for {other}"),
    };
    paths.iter().map(|p| format!("GET shop.test {p}")).collect()
}

/// The ✓ and ✗ lines on stdout.
fn check_lines(run: &Run) -> Vec<&str> {
    run.stdout
        .lines()
        .filter(|line| line.starts_with('✓') || line.starts_with('✗'))
        .collect()
}

#[test]
fn each_check_passes_or_fails_with_expected_actual_and_hop() {
    struct Row {
        args: &'static [&'static str],
        start: &'static str,
        check: &'static str,
        ok: bool,
        expected: &'static str,
        actual: &'static str,
        hop: Option<usize>,
    }
    #[rustfmt::skip]
    let rows = [
        Row { args: &["--expect-status", "200"], start: "/old", check: "expect-status", ok: true, expected: "200", actual: "200", hop: Some(3) },
        Row { args: &["--expect-status", "301"], start: "/old", check: "expect-status", ok: false, expected: "301", actual: "200", hop: Some(3) },
        Row { args: &["--expect-status", "404"], start: "/moved", check: "expect-status", ok: true, expected: "404", actual: "404", hop: Some(2) },
        Row { args: &["--expect-url", "{shop}/final"], start: "/old", check: "expect-url", ok: true, expected: "{shop}/final", actual: "{shop}/final", hop: Some(3) },
        Row { args: &["--expect-url", "{shop}/mid"], start: "/old", check: "expect-url", ok: false, expected: "{shop}/mid", actual: "{shop}/final", hop: Some(3) },
        Row { args: &["--expect-redirects", "2"], start: "/old", check: "expect-redirects", ok: true, expected: "2", actual: "2", hop: None },
        Row { args: &["--expect-redirects", "1"], start: "/old", check: "expect-redirects", ok: false, expected: "1", actual: "2", hop: Some(2) },
        Row { args: &["--expect-redirects", "3"], start: "/old", check: "expect-redirects", ok: false, expected: "3", actual: "2", hop: Some(3) },
        Row { args: &["--expect-chain", "301,302,200"], start: "/old", check: "expect-chain", ok: true, expected: "301,302,200", actual: "301,302,200", hop: None },
        Row { args: &["--expect-chain", "301,301,200"], start: "/old", check: "expect-chain", ok: false, expected: "301,301,200", actual: "301,302,200", hop: Some(2) },
        Row { args: &["--expect-chain", "301,302"], start: "/old", check: "expect-chain", ok: false, expected: "301,302", actual: "301,302,200", hop: Some(3) },
        Row { args: &["--expect-location", "1={shop}/mid"], start: "/old", check: "expect-location", ok: true, expected: "1={shop}/mid", actual: "1={shop}/mid", hop: Some(1) },
        Row { args: &["--expect-location", "2={shop}/mid"], start: "/old", check: "expect-location", ok: false, expected: "2={shop}/mid", actual: "2={shop}/final", hop: Some(2) },
        Row { args: &["--expect-location", "3={shop}/final"], start: "/old", check: "expect-location", ok: false, expected: "3={shop}/final", actual: "3=none", hop: Some(3) },
        // Over http only: the downgrade itself is covered by the unit tests of src/analyze/checks.rs.
        Row { args: &["--expect-no-downgrade"], start: "/old", check: "expect-no-downgrade", ok: true, expected: "no https → http hop", actual: "none", hop: None },
        Row { args: &["-f"], start: "/old", check: "fail", ok: true, expected: "final status below 400", actual: "200", hop: Some(3) },
        Row { args: &["--fail"], start: "/moved", check: "fail", ok: false, expected: "final status below 400", actual: "404", hop: Some(2) },
    ];
    let closed = closed_port();
    for row in &rows {
        for format in ["text", "json"] {
            let site = site(closed.port());
            let start = format!("{{shop}}{}", row.start);
            let mut args = vec!["--format", format];
            args.extend(row.args);
            args.push(&start);
            let run = site.run(&args);
            let context = format!("{:?} --format {format}\n{run}", row.args);
            let (expected, actual) = (site.url(row.expected), site.url(row.actual));

            assert_eq!(run.code, if row.ok { 0 } else { 1 }, "{context}");
            assert_eq!(site.requests(), requests_for(row.start), "{context}");
            // A failed check is said once: by its ✗ line in the text view, on stderr otherwise.
            let stderr = match row.hop.filter(|_| !row.ok && format == "json") {
                Some(hop) => format!(
                    "hops: error: hop {hop}: --{} failed: expected {expected}, got {actual}\n",
                    row.check
                ),
                None => String::new(),
            };
            assert_eq!(run.stderr, stderr, "{context}");
            if format == "json" {
                let docs = documents(&run);
                assert_eq!(docs.len(), 1, "{context}");
                assert_eq!(docs[0].ok, row.ok, "{context}");
                assert_eq!(docs[0].verdict.starts_with("FAIL: "), !row.ok, "{context}");
                assert_eq!(
                    docs[0].checks,
                    [Check {
                        check: row.check.into(),
                        expected,
                        actual,
                        ok: row.ok,
                        hop: row.hop,
                    }],
                    "{context}"
                );
            } else {
                let line = if row.ok {
                    format!("✓ --{}: {actual}", row.check)
                } else {
                    let hop = row.hop.expect("a failed check names its hop");
                    format!(
                        "✗ --{}: expected {expected}, got {actual} (hop {hop})",
                        row.check
                    )
                };
                assert_eq!(check_lines(&run), [line], "{context}");
            }
        }
    }
}

#[test]
fn checks_combine_and_every_failure_is_reported() {
    let closed = closed_port();
    let all_passing = [
        "--expect-status",
        "200",
        "--expect-url",
        "{shop}/final",
        "--expect-redirects",
        "2",
        "--expect-chain",
        "301,302,200",
        "--expect-location",
        "1={shop}/mid",
        "--expect-location",
        "2={shop}/final",
        "--expect-no-downgrade",
        "-f",
        "{shop}/old",
    ];
    let site = site(closed.port());
    let run = site.run(&all_passing);
    run.code(0).quiet_stderr();
    let s = |text: &str| site.url(text);
    assert_eq!(
        check_lines(&run),
        [
            "✓ --expect-status: 200".to_owned(),
            s("✓ --expect-url: {shop}/final"),
            "✓ --expect-redirects: 2".to_owned(),
            "✓ --expect-chain: 301,302,200".to_owned(),
            s("✓ --expect-location: 1={shop}/mid"),
            s("✓ --expect-location: 2={shop}/final"),
            "✓ --expect-no-downgrade: none".to_owned(),
            "✓ --fail: 200".to_owned(),
        ],
        "{run}"
    );
    let mut json = vec!["--format", "json"];
    json.extend(all_passing);
    let run = site.run(&json);
    run.code(0).quiet_stderr();
    let checks = &documents(&run)[0].checks;
    assert_eq!(checks.len(), 8, "{run}");
    assert!(checks.iter().all(|c| c.ok), "{run}");

    let mixed = [
        "--expect-status",
        "201",
        "--expect-chain",
        "301,302,200",
        "--expect-location",
        "2={shop}/mid",
        "-f",
        "{shop}/old",
    ];
    let failures = [
        "hops: error: hop 3: --expect-status failed: expected 201, got 200".to_owned(),
        s(
            "hops: error: hop 2: --expect-location failed: expected 2={shop}/mid, got 2={shop}/final",
        ),
    ];
    let run = site.run(&mixed);
    run.code(1);
    assert_eq!(
        check_lines(&run),
        [
            "✗ --expect-status: expected 201, got 200 (hop 3)".to_owned(),
            "✓ --expect-chain: 301,302,200".to_owned(),
            s("✗ --expect-location: expected 2={shop}/mid, got 2={shop}/final (hop 2)"),
            "✓ --fail: 200".to_owned(),
        ],
        "{run}"
    );
    // Said once: the ✗ lines above, nothing more on stderr.
    assert_eq!(run.stderr, "", "{run}");
    run.stdout_has("FAIL: --expect-status expected 201, got 200 (and 1 more);");

    // -s: nothing on stdout, the failures on stderr.
    let mut silent = vec!["-s"];
    silent.extend(mixed);
    let run = site.run(&silent);
    run.code(1);
    assert_eq!(run.stdout, "", "{run}");
    assert_eq!(run.stderr.lines().collect::<Vec<_>>(), failures, "{run}");

    assert_eq!(site.requests(), vec![requests_for("/old"); 4].concat());
}

/// A check that fails because the chain broke: the chain's exit code (3 to 6) and its one error
/// line on stderr; the failed checks are in the output, pointing at the hop where it broke.
#[test]
fn a_broken_chain_wins_over_failed_checks() {
    let closed = closed_port();
    let refused = format!("http://127.0.0.1:{closed}/");
    struct Broken<'a> {
        flags: &'a [&'a str],
        start: &'a str,
        code: i32,
        /// Where the chain broke: its error line and every failed check point there.
        hop: usize,
        error: &'a str,
        /// (check, expected, actual) of each failed check
        failed: &'a [(&'a str, &'a str, &'a str)],
        paths: &'a [&'a str],
    }
    let rows = [
        Broken {
            flags: &["--expect-status", "200", "--expect-redirects", "2", "-f"],
            start: "{shop}/a",
            code: 3,
            hop: 3,
            error: "redirect loop",
            failed: &[
                ("expect-status", "200", "none"),
                ("expect-redirects", "2", "2, then a redirect loop"),
                ("fail", "final status below 400", "none"),
            ],
            paths: &["/a", "/b", "/a"],
        },
        Broken {
            flags: &["--max-redirs", "1", "--expect-chain", "301,302"],
            start: "{shop}/old",
            code: 4,
            hop: 2,
            error: "too many redirects",
            failed: &[(
                "expect-chain",
                "301,302",
                "301,302, then too many redirects",
            )],
            paths: &["/old", "/mid"],
        },
        Broken {
            flags: &["--expect-status", "302"],
            start: "{shop}/bad",
            code: 5,
            hop: 1,
            error: "ftp",
            failed: &[("expect-status", "302", "none")],
            paths: &["/bad"],
        },
        Broken {
            flags: &["-f"],
            start: &refused,
            code: 6,
            hop: 1,
            error: "cannot connect",
            failed: &[("fail", "final status below 400", "none")],
            paths: &[],
        },
    ];
    for row in rows {
        let Broken {
            flags,
            start,
            code,
            hop,
            error,
            failed,
            paths,
        } = row;
        for format in ["text", "json"] {
            let site = site(closed.port());
            let mut args = vec!["--format", format];
            args.extend(flags);
            args.push(start);
            let run = site.run(&args);
            let context = format!("{args:?}\n{run}");
            assert_eq!(run.code, code, "{context}");
            run.hop_error(hop, error);
            let paths: Vec<String> = paths.iter().map(|p| format!("GET shop.test {p}")).collect();
            assert_eq!(site.requests(), paths, "{context}");
            if format == "json" {
                let expected: Vec<Check> = failed
                    .iter()
                    .map(|&(check, expected, actual)| Check {
                        check: check.into(),
                        expected: expected.into(),
                        actual: actual.into(),
                        ok: false,
                        hop: Some(hop),
                    })
                    .collect();
                assert_eq!(documents(&run)[0].checks, expected, "{context}");
            } else {
                let expected: Vec<String> = failed
                    .iter()
                    .map(|(check, expected, actual)| {
                        format!("✗ --{check}: expected {expected}, got {actual} (hop {hop})")
                    })
                    .collect();
                assert_eq!(check_lines(&run), expected, "{context}");
            }
        }
    }
}

#[test]
fn curl_write_out_scripts_port_unchanged() {
    let closed = closed_port();
    let site = site(closed.port());
    let run = site.run(&[
        "-s",
        "-w",
        "%{http_code} %{num_redirects} %{url_effective}\\n",
        "{shop}/old",
    ]);
    run.code(0).quiet_stderr();
    assert_eq!(run.stdout, site.url("200 2 {shop}/final\n"), "{run}");
    assert_eq!(site.requests(), requests_for("/old"));
}

#[test]
fn write_out_variables_on_success_and_on_every_failure() {
    const FORMAT: &str = "%{http_code} %{response_code} %{num_redirects} %{method} %{exitcode} \
                          [%{redirect_url}] %{url_effective}\\n";
    let closed = closed_port();
    let refused = format!("http://127.0.0.1:{closed}/");
    let gone = format!("http://127.0.0.1:{closed}/gone");
    #[rustfmt::skip]
    let rows: Vec<(Vec<&str>, String, i32, &str)> = vec![
        (vec!["{shop}/old"], "200 200 2 GET 0 [] {shop}/final\n".into(), 0, "/old"),
        (vec!["-d", "x=1", "{shop}/keep"], "200 200 1 POST 0 [] {shop}/final\n".into(), 0, "/keep"),
        // --max-redirs 0 stops on the 302: redirect_url is where it would have gone.
        (vec!["--max-redirs", "0", "{shop}/mid"], "302 302 0 GET 0 [{shop}/final] {shop}/mid\n".into(), 0, "/mid"),
        (vec!["--max-redirs", "0", "{shop}/utf"], "302 302 0 GET 0 [{shop}/caf%C3%A9] {shop}/utf\n".into(), 0, "/utf"),
        (vec!["--max-redirs", "1", "{shop}/old"], "302 302 1 GET 4 [{shop}/final] {shop}/mid\n".into(), 4, "/old"),
        // The loop's last hop is /a again: its redirect to /b was not followed.
        (vec!["{shop}/a"], "302 302 2 GET 3 [{shop}/b] {shop}/a\n".into(), 3, "/a"),
        (vec!["-f", "{shop}/moved"], "404 404 1 GET 1 [] {shop}/missing\n".into(), 1, "/moved"),
        (vec!["{shop}/bad"], "302 302 0 GET 5 [] {shop}/bad\n".into(), 5, "/bad"),
        // As curl: the last URL tried, and the last status received.
        (vec!["{shop}/toclosed"], format!("302 302 1 GET 6 [] {gone}\n"), 6, "/toclosed"),
        (vec![&refused], format!("000 000 0 GET 6 [] {refused}\n"), 6, ""),
    ];
    for (args, expected, code, start) in rows {
        let site = site(closed.port());
        let mut all = vec!["-s", "-w", FORMAT];
        all.extend(&args);
        let run = site.run(&all);
        let context = format!("{args:?}\n{run}");
        assert_eq!(run.code, code, "{context}");
        assert_eq!(run.stdout, site.url(&expected), "{context}");
        // -s leaves only the error line on stderr, naming what the exit code stands for.
        let cause = match code {
            0 => None,
            1 => Some("--fail failed"),
            3 => Some("redirect loop"),
            4 => Some("too many redirects"),
            5 => Some("has scheme ftp"),
            6 => Some("cannot connect"),
            _ => panic!("no cause listed for exit code {code}"),
        };
        match cause {
            None => assert_eq!(run.stderr, "", "{context}"),
            Some(cause) => {
                let lines: Vec<&str> = run.stderr.lines().collect();
                assert!(
                    lines.len() == 1
                        && lines[0].starts_with("hops: error: hop ")
                        && lines[0].contains(cause),
                    "expected one error line naming {cause:?}\n{context}"
                );
            }
        }
        let requests = match start {
            "" => vec![],
            "/mid" => vec!["GET shop.test /mid".to_owned()],
            "/old" if code == 4 => requests_for("/old")[..2].to_vec(),
            "/keep" => vec![
                "POST shop.test /keep".into(),
                "POST shop.test /final".into(),
            ],
            path => requests_for(path),
        };
        assert_eq!(site.requests(), requests, "{context}");
    }
}

#[test]
fn write_out_streams_files_and_json() {
    let closed = closed_port();
    let site = site(closed.port());
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = write_file(dir.path(), "format.txt", b"%{http_code} from a file\n");
    let at_file = format!("@{}", file.display());
    let json = {
        let run = site.run(&["-s", "-w", "%{json}", "{shop}/old"]);
        run.code(0).quiet_stderr();
        serde_json::from_str::<serde_json::Value>(&run.stdout)
            .unwrap_or_else(|err| panic!("{err}\n{run}"))
    };
    let port = site.port();
    for (name, value) in [
        ("http_code", serde_json::json!(200)),
        ("response_code", 200.into()),
        ("num_redirects", 2.into()),
        ("url_effective", site.url("{shop}/final").into()),
        ("url", site.url("{shop}/old").into()),
        ("method", "GET".into()),
        ("exitcode", 0.into()),
        ("redirect_url", "".into()),
        ("remote_ip", "127.0.0.1".into()),
        ("remote_port", port.into()),
    ] {
        assert_eq!(json[name], value, "{name} in {json}");
    }
    // Seconds with microseconds: three hops on loopback take some, and far less than a minute.
    assert!(
        json["time_total"]
            .as_f64()
            .is_some_and(|t| t > 0.0 && t < 60.0),
        "{json}"
    );

    #[rustfmt::skip]
    let rows: [(&str, String, String); 5] = [
        ("%{remote_ip}:%{remote_port}", format!("127.0.0.1:{port}"), String::new()),
        ("out %{stderr}err %{http_code}\\n%{stdout}back", "out back".into(), "err 200\n".into()),
        // As curl: \t is a tab, \\ stays two backslashes.
        ("a\\tb\\\\c 100%%", "a\tb\\\\c 100%".into(), String::new()),
        (&at_file, "200 from a file\n".into(), String::new()),
        ("%{nope}.", ".".into(), "hops: warning: unknown --write-out variable: 'nope'\n".into()),
    ];
    for (format, stdout, stderr) in rows {
        let run = site.run(&["-s", "-w", format, "{shop}/old"]);
        run.code(0);
        assert_eq!(
            (run.stdout.as_str(), run.stderr.as_str()),
            (&*stdout, &*stderr),
            "{run}"
        );
    }

    // Seconds with six decimals, as curl prints them; the value itself is not asserted.
    let run = site.run(&["-s", "-w", "%{time_total}", "{shop}/old"]);
    let (seconds, micros) = run.stdout.split_once('.').expect("a decimal point");
    assert!(
        seconds.bytes().all(|b| b.is_ascii_digit()) && !seconds.is_empty(),
        "{run}"
    );
    assert!(
        micros.len() == 6 && micros.bytes().all(|b| b.is_ascii_digit()),
        "{run}"
    );

    assert_eq!(site.requests(), vec![requests_for("/old"); 7].concat());
}

#[test]
fn several_urls_exit_with_the_first_code_of_the_table() {
    let closed = closed_port();
    let refused = format!("http://127.0.0.1:{closed}/");
    // (start, outcome, exit code alone) with --expect-status 200
    type Target<'a> = (&'a str, &'a str, i32);
    let ok_ = ("{shop}/old", "ok", 0);
    let missing = ("{shop}/moved", "ok", 1);
    let looped = ("{shop}/a", "loop", 3);
    let bad = ("{shop}/bad", "bad_location", 5);
    let down = (refused.as_str(), "network_error", 6);
    #[rustfmt::skip]
    let rows: [(Vec<Target>, i32); 7] = [
        (vec![ok_, looped, missing], 1),
        (vec![ok_, down, looped], 3),
        (vec![ok_, ok_], 0),
        (vec![missing, ok_], 1),
        (vec![down, bad], 5),
        (vec![looped, down, bad], 3),
        (vec![down], 6),
    ];
    for (targets, code) in rows {
        let starts: Vec<&str> = targets.iter().map(|t| t.0).collect();
        let requests: Vec<String> = starts
            .iter()
            .filter_map(|s| s.strip_prefix("{shop}"))
            .flat_map(requests_for)
            .collect();
        let mut stderr_by_format = Vec::new();
        for format in ["text", "json"] {
            let site = site(closed.port());
            let mut args = vec!["--expect-status", "200", "--format", format];
            args.extend(&starts);
            let run = site.run(&args);
            let context = format!("{starts:?} --format {format}\n{run}");
            assert_eq!(run.code, code, "{context}");
            assert_eq!(site.requests(), requests, "{context}");
            if format == "json" {
                let docs = documents(&run);
                let got: Vec<(String, &str, bool)> = docs
                    .iter()
                    .map(|d| (d.request.url.clone(), d.outcome.as_str(), d.checks[0].ok))
                    .collect();
                let expected: Vec<(String, &str, bool)> = targets
                    .iter()
                    .map(|(start, outcome, alone)| (site.url(start), *outcome, *alone == 0))
                    .collect();
                assert_eq!(got, expected, "{context}");
            }
            stderr_by_format.push(run.stderr.replace(&site.port().to_string(), "PORT"));
        }
        // The same chain errors, in URL order, whatever the format; a failed check is on stderr
        // in JSON only (the text view has its ✗ line).
        let chain_errors = |stderr: &String| -> Vec<String> {
            stderr
                .lines()
                .filter(|line| !line.contains("--expect-status failed"))
                .map(str::to_owned)
                .collect()
        };
        assert_eq!(
            chain_errors(&stderr_by_format[0]),
            chain_errors(&stderr_by_format[1]),
            "{starts:?}"
        );
        assert!(
            !stderr_by_format[0].contains("--expect-status failed"),
            "{starts:?}"
        );
    }

    // -w runs once per URL, in order, each with that chain's own exit code.
    let site = site(closed.port());
    let run = site.run(&[
        "-s",
        "-w",
        "%{url_effective} %{exitcode}\\n",
        "{shop}/old",
        "{shop}/a",
    ]);
    run.code(3);
    assert_eq!(
        run.stdout,
        site.url("{shop}/final 0\n{shop}/a 3\n"),
        "{run}"
    );
    assert_eq!(
        site.requests(),
        [requests_for("/old"), requests_for("/a")].concat()
    );
}

/// `--expect-url /new` is relative to each URL traced, as a `Location` would be.
#[test]
fn a_relative_expected_url_is_resolved_against_each_start_url() {
    let site = Site::start(vec![redirect("/old", 301, "/final"), ok("/final")]);
    site.run(&["-s", "--expect-url", "/final", "{shop}/old", "{other}/old"])
        .code(0)
        .quiet_stderr();
    let run = site.run(&["-s", "--expect-url", "/elsewhere", "{shop}/old"]);
    run.code(1)
        .stderr_has(&site.url("expected {shop}/elsewhere, got {shop}/final"));
}

/// With several URLs, every error and failed-check line names the URL its chain started at.
#[test]
fn several_urls_name_their_start_url_in_every_error_line() {
    let site = site(closed_port().port());
    let run = site.run(&["-s", "-f", "{shop}/moved", "{shop}/old", "{other}/moved"]);
    run.code(1);
    assert_eq!(
        run.stderr,
        site.url(
            "hops: error: {shop}/moved: hop 2: --fail failed: expected final status below 400, got 404\n\
             hops: error: {other}/moved: hop 2: --fail failed: expected final status below 400, got 404\n"
        ),
        "{run}"
    );
    // One URL: no name, as before.
    site.run(&["-s", "-f", "{shop}/moved"])
        .code(1)
        .stderr_has("hops: error: hop 2: --fail failed");
}
