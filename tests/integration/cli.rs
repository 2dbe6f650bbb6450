//! The command line: usage errors (exit 2, nothing sent), `-f`, URLs without a scheme, `-I`,
//! `-A`, `-H`, `-o`, `-s`, and color only when asked for.

use crate::support::{Route, Site, assert_absent, assert_header, hops, ok, redirect};

#[test]
fn usage_errors_exit_2_and_send_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let no_dir_output = dir.path().join("missing/dir/body");
    let no_dir_output = no_dir_output.to_str().unwrap();
    #[rustfmt::skip]
    let table: &[(&[&str], &str)] = &[
        (&["http://[::1"], "invalid URL"),
        (&["http://"], "invalid URL"),
        (&["ftp://shop.test/"], "unsupported scheme \"ftp\""),
        (&["file:///etc/passwd"], "unsupported scheme \"file\""),
        (&["-H", "no colon", "{shop}/"], "bad header \"no colon\""),
        (&["-H", "Bad Name: x", "{shop}/"], "bad header"),
        (&["-X", "BAD METHOD", "{shop}/"], "invalid method"),
        (&["-d", "@/nonexistent/body", "{shop}/"], "cannot read body file /nonexistent/body"),
        (&["--data-binary", "@/nonexistent/body", "{shop}/"], "cannot read body file"),
        (&["-b", "/nonexistent/cookies", "{shop}/"], "cannot read cookie file /nonexistent/cookies"),
        (&["--resolve", "bad", "{shop}/"], "bad --resolve \"bad\""),
        (&["--resolve", "shop.test:x:127.0.0.1", "{shop}/"], "invalid port"),
        (&["--max-time", "0", "{shop}/"], "--max-time needs a positive number of seconds"),
        (&["--max-time=-1", "{shop}/"], "--max-time needs a positive number of seconds"),
        (&["--connect-timeout", "0", "{shop}/"], "--connect-timeout"),
        (&["-o", no_dir_output, "{shop}/"], "cannot create output file"),
        (&["--max-redirs=-2", "{shop}/"], "--max-redirs needs a number from -1 up, not -2"),
        (&["--no-cookies", "-b", "a=1", "{shop}/"], "cannot be used with"),
        (&["--unknown-flag", "{shop}/"], "unexpected argument '--unknown-flag'"),
        (&["--expect-status", "99", "{shop}/"], "--expect-status needs an HTTP status from 100 to 599, not 99"),
        (&["--expect-status", "999", "{shop}/"], "from 100 to 599, not 999"),
        (&["--expect-chain", "301,600", "{shop}/"], "--expect-chain: \"600\" is not a status code"),
        (&[], "no URL given"),
    ];
    let site = Site::start(vec![ok("/")]);
    for &(args, message) in table {
        site.run(args).usage_error(message);
    }
    assert_eq!(site.requests(), Vec::<String>::new());
}

#[test]
fn fail_flag_turns_a_final_error_status_into_exit_1() {
    let site = Site::start(vec![
        redirect("/gone", 301, "/missing"),
        Route::new("/missing", 404),
        redirect("/moved", 302, "/ok"),
        ok("/ok"),
        redirect("/loop", 302, "/loop"),
    ]);
    let run = site.run(&["-f", "{shop}/gone"]);
    run.code(1)
        .hops_shown(2)
        .stdout_has("404 Not Found")
        .stdout_has("✗ --fail: expected final status below 400, got 404 (hop 2)")
        .stdout_has("FAIL: --fail expected final status below 400, got 404; final 404 Not Found");
    // Said once, in the text view; stderr has it when the text view is not shown.
    assert_eq!(run.stderr, "", "{run}");
    site.run(&["-s", "-f", "{shop}/gone"])
        .code(1)
        .stderr_has("hops: error: hop 2: --fail failed: expected final status below 400, got 404");
    site.run(&["{shop}/gone"]).code(0).quiet_stderr();
    site.run(&["-f", "{shop}/moved"]).code(0).quiet_stderr();
    // A broken chain says more than the failed check: its code wins.
    site.run(&["-f", "{shop}/loop"])
        .code(3)
        .stderr_has("hops: error: hop 2: redirect loop");
}

#[test]
fn fail_flag_adds_nothing_to_a_broken_chain() {
    let site = Site::start(vec![redirect("/loop", 302, "/loop")]);
    site.run(&["-f", "{shop}/loop"])
        .code(3)
        .hop_error(2, "redirect loop");
}

#[test]
fn a_url_without_scheme_gets_http() {
    let site = Site::start(vec![redirect("/a", 302, "/b"), ok("/b")]);
    let port = site.port();
    for start in [format!("127.0.0.1:{port}/a"), format!("shop.test:{port}/a")] {
        let run = site.run(&[&start]);
        run.code(0)
            .stdout_has(&format!(" 1  GET http://{start}\n"))
            .stdout_has(&format!(
                " 2  GET http://{}/b",
                start.trim_end_matches("/a")
            ));
    }
    let paths: Vec<String> = site.received().into_iter().map(|r| r.path).collect();
    assert_eq!(paths, ["/a", "/b", "/a", "/b"]);
}

#[test]
fn default_and_chosen_request_headers() {
    let site = Site::start(vec![redirect("/a", 302, "/b"), ok("/b")]);
    let version = format!("hops/{}", env!("CARGO_PKG_VERSION"));
    #[rustfmt::skip]
    let table: &[(&[&str], &str, Option<&str>)] = &[
        (&[], "user-agent", Some(&version)),
        (&[], "accept", Some("*/*")),
        (&["-A", "probe/1.0"], "user-agent", Some("probe/1.0")),
        (&["-H", "User-Agent: via-header"], "user-agent", Some("via-header")),
        (&["-H", "X-Empty;"], "x-empty", Some("")),
        (&["-H", "X-Trace:  abc  "], "x-trace", Some("abc")),
    ];
    for &(args, name, value) in table {
        let mut all = vec!["-v"];
        all.extend(args);
        all.push("{shop}/a");
        let run = site.run(&all);
        run.code(0);
        // -v shows what was sent.
        match value {
            Some(value) => run.stdout_has(&format!("> {name}: {value}\n")),
            None => run.stdout_lacks(&format!("> {name}:")),
        };
        // Every hop carries the same headers.
        for request in site.received().iter().rev().take(2) {
            match value {
                Some(value) => assert_header(request, name, value),
                None => assert_absent(request, &[name]),
            }
        }
    }
}

/// reqwest sends `Accept: */*` on a request without one, so `-H 'Accept:'` cannot remove it;
/// what `-v` shows must still be what was sent.
#[test]
fn verbose_shows_the_accept_header_that_was_sent() {
    let site = Site::start(vec![ok("/a")]);
    site.run(&["-v", "-H", "Accept:", "{shop}/a"])
        .code(0)
        .stdout_has("> accept: */*");
    assert_header(&site.received()[0], "accept", "*/*");
}

#[test]
fn head_flag_sends_head_on_every_hop() {
    let site = Site::start(vec![redirect("/a", 301, "/b"), ok("/b")]);
    site.run(&["-I", "{shop}/a"])
        .code(0)
        .stdout_has(&site.url(" 1  HEAD {shop}/a"))
        .stdout_has(&site.url(" 2  HEAD {shop}/b"));
    assert_eq!(site.requests(), ["HEAD shop.test /a", "HEAD shop.test /b"]);
}

#[test]
fn output_file_gets_the_final_body_only() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("body.out");
    let site = Site::start(vec![
        Route {
            body: Some("redirect body".to_owned()),
            ..redirect("/a", 302, "/b")
        },
        ok("/b"),
    ]);
    site.run(&["-o", file.to_str().unwrap(), "{shop}/a"])
        .code(0)
        .quiet_stderr()
        .hops_shown(2)
        .stdout_lacks("reached /b");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "reached /b");

    // `-o -` sends the body to stdout, after nothing else is needed from it.
    site.run(&["-o", "-", "{shop}/a"])
        .code(0)
        .stdout_has("reached /b")
        .stdout_lacks("redirect body");
}

#[test]
fn silent_prints_nothing_on_success_and_only_the_error_on_failure() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("body.out");
    let site = Site::start(vec![
        redirect("/a", 302, "/b"),
        ok("/b"),
        redirect("/loop", 302, "/loop"),
        redirect("/bad", 302, "javascript:alert(1)"),
    ]);
    let run = site.run(&["-s", "-o", file.to_str().unwrap(), "{shop}/a"]);
    run.code(0).quiet_stderr();
    assert_eq!(run.stdout, "", "{run}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "reached /b");

    for (path, code, hop, message) in [
        ("/loop", 3, 2, "redirect loop"),
        ("/bad", 5, 1, "has scheme javascript"),
    ] {
        let run = site.run(&["-s", &format!("{{shop}}{path}")]);
        run.code(code).hop_error(hop, message);
        assert_eq!(run.stdout, "", "{run}");
    }
    let closed = crate::support::closed_port();
    let refused = format!("http://127.0.0.1:{closed}/");
    let run = hops(["-s", refused.as_str()]);
    run.code(6).hop_error(1, "cannot connect");
    assert_eq!(run.stdout, "", "{run}");
}

#[test]
fn color_only_when_asked_for() {
    let site = Site::start(vec![redirect("/a", 302, "/b"), ok("/b")]);
    let mut plain_args = site.resolve_args();
    plain_args.push(site.url("{shop}/a"));
    // Not a terminal and no --color: plain text.
    let plain = hops(&plain_args);
    plain.code(0).stdout_lacks("\x1b[");
    let mut colored_args = plain_args.clone();
    colored_args.extend(["--color".to_owned(), "always".to_owned()]);
    hops(&colored_args).code(0).stdout_has("\x1b[");
}

/// The scenario server listens on 127.0.0.1 only: `-4` reaches it, `-6` cannot.
#[test]
fn ip_version_flags_choose_the_address_family() {
    let site = Site::start(vec![ok("/a")]);
    site.run(&["-4", "--connect-timeout", "5", "{shop}/a"])
        .code(0);
    assert_eq!(site.requests(), ["GET shop.test /a"]);
    site.run(&["-6", "--connect-timeout", "5", "{shop}/a"])
        .code(6)
        .hop_error(1, "cannot connect");
    assert_eq!(
        site.requests(),
        ["GET shop.test /a"],
        "nothing more arrived"
    );
}

/// `-v` says where each hop's time went; the second hop reuses the first one's connection.
#[test]
fn verbose_shows_where_the_time_went() {
    let site = Site::start(vec![redirect("/a", 302, "/b"), ok("/b")]);
    let run = site.run(&["-v", "{shop}/a"]);
    run.code(0);
    let times: Vec<&str> = run
        .stdout
        .lines()
        .filter(|line| line.trim_start().starts_with("time: "))
        .collect();
    assert_eq!(times.len(), 2, "{run}");
    assert!(
        times[0].contains("connect ") && times[0].contains("first byte "),
        "{run}"
    );
    assert!(times[1].contains("connection reused"), "{run}");
    assert_eq!(site.requests(), ["GET shop.test /a", "GET shop.test /b"]);
}

/// `curl -L`, `-sSL`, `-fsSL` and `--location` command lines run unchanged: following is what
/// hops always does, and errors always show.
#[test]
fn curls_follow_and_show_error_flags_are_accepted() {
    let site = Site::start(vec![redirect("/a", 301, "/b"), ok("/b")]);
    for flags in [
        &["-L"][..],
        &["--location"],
        &["-sSL"],
        &["-fsSL"],
        &["-L", "-L", "-S", "--show-error"],
    ] {
        let mut args = flags.to_vec();
        args.extend(["-w", "%{num_redirects}\\n", "{shop}/a"]);
        let run = site.run(&args);
        run.code(0).stdout_has("1\n");
    }
    assert_eq!(site.requests().len(), 10);
}

/// `-w` reads `\n`, `\r` and `\t` as curl does, and prints every other backslash pair, `\\`
/// included, as it is.
#[test]
fn write_out_escapes_match_curl() {
    let site = Site::start(vec![ok("/a")]);
    let run = site.run(&["-s", "-w", "a\\\\b\\tc\\qd\\n%%\\", "{shop}/a"]);
    run.code(0);
    assert_eq!(run.stdout, "a\\\\b\tc\\qd\n%\\");
}

/// `--generate DIR` writes the completions and the man page, and says so, file by file.
#[test]
fn generate_says_what_it_wrote() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("new/completions");
    let run = hops(["--generate".into(), target.to_string_lossy().into_owned()]);
    run.code(0);
    for name in [
        "hops.bash",
        "_hops",
        "hops.fish",
        "_hops.ps1",
        "hops.elv",
        "hops.1",
    ] {
        assert!(target.join(name).is_file(), "{name}");
        run.stdout_has(&format!("wrote {}", target.join(name).display()));
    }
}
