//! `hops check`: redirect maps of every format checked against a loopback site, row results and
//! their kinds, the reports (text, JSON, CSV, JUnit, Markdown), sharding and exit codes.

use std::collections::HashMap;
use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use crate::support::{RawServer, Route, Run, Site, hops_with_stdin, ok, redirect, write_file};

/// A site in the middle of a migration: `/old` moved for good, `/temp` only for now, `/chain`
/// moves twice, `/gone` leads to a 404, `/loop` never ends, `/new` and `/page` are pages.
fn site() -> Site {
    Site::start(vec![
        redirect("/old", 301, "/new"),
        redirect("/temp", 302, "/new"),
        redirect("/chain", 301, "/step"),
        redirect("/step", 301, "/new"),
        redirect("/gone", 301, "/missing"),
        redirect("/loop", 302, "/loop"),
        ok("/new"),
        ok("/page"),
    ])
}

/// `hops check` with the site's `--resolve`, `--cacert` and `--color never`, `stdin` as input.
pub(crate) fn check(site: &Site, args: &[&str], stdin: &str) -> Run {
    let mut all = vec!["check".to_owned()];
    all.extend(site.args(args));
    hops_with_stdin(all, stdin.as_bytes().to_vec())
}

#[test]
fn a_csv_map_gets_one_result_per_row_and_exit_1_when_one_fails() {
    let site = site();
    let dir = tempfile::tempdir().unwrap();
    let map = site.url(
        "source,target\n\
         {shop}/old,{shop}/new\n\
         {shop}/temp,{shop}/new\n\
         {shop}/chain,{shop}/new\n\
         {shop}/gone,{shop}/missing\n\
         {shop}/loop,{shop}/new\n\
         {shop}/page,{shop}/new\n",
    );
    let file = write_file(dir.path(), "map.csv", map.as_bytes());
    let file = file.to_str().unwrap();
    let run = check(
        &site,
        &["--format", "json", "--permanent", "--max-hops", "1", file],
        "",
    );
    run.code(1);
    let rows: Vec<Value> = run
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per row"))
        .collect();
    let got: Vec<(u64, &str, bool)> = rows
        .iter()
        .map(|row| {
            (
                row["line"].as_u64().unwrap(),
                row["result"].as_str().unwrap(),
                row["ok"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (2, "ok", true),
            (3, "wrong_status", false),
            (4, "chain", false),
            (5, "broken_final", false),
            (6, "loop", false),
            (7, "not_redirected", false),
        ],
        "{run}"
    );
    let temp = rows[1]["message"].as_str().unwrap();
    assert!(temp.contains("temporary instead of permanent"), "{temp}");
    // The whole chain of every row, as a normal run documents it.
    assert_eq!(rows[2]["chain"]["hops"].as_array().unwrap().len(), 3);
    assert_eq!(rows[4]["chain"]["outcome"], "loop");
}

#[test]
fn a_url_list_from_stdin_and_the_text_report() {
    let site = site();
    let run = check(
        &site,
        &[],
        &site.url("# pages that must answer\n{shop}/old\n\n{shop}/gone\n"),
    );
    run.code(1)
        .stdout_has(&site.url("✓ 2 {shop}/old  301 › 200  {shop}/new  ok"))
        .stdout_has(&site.url("✗ 4 {shop}/gone  301 › 404  {shop}/missing  broken_final"));
    let only = check(
        &site,
        &["--only-failures"],
        &site.url("{shop}/old\n{shop}/gone\n"),
    );
    only.code(1);
    assert!(!only.stdout.contains("✓"), "{only}");
}

#[test]
fn a_malformed_row_stops_before_any_request_unless_skipped() {
    let site = site();
    let map = site.url("source,target\n{shop}/old,{shop}/new\nnot a url at all,{shop}/new\n");
    check(&site, &["--input-format", "csv"], &map).usage_error("-:3:");
    assert_eq!(site.requests(), Vec::<String>::new());
    check(&site, &["--input-format", "csv", "--skip-bad-rows"], &map)
        .code(0)
        .stderr_has("-:3:");
    assert_eq!(
        site.requests(),
        ["GET shop.test /old", "GET shop.test /new"]
    );
}

#[test]
fn shards_split_the_rows_and_csv_reports_them() {
    let site = site();
    let list = site.url("{shop}/old\n{shop}/page\n{shop}/chain\n{shop}/temp\n");
    let first = check(&site, &["--shard", "1/2", "--format", "csv"], &list);
    let second = check(&site, &["--shard", "2/2", "--format", "csv"], &list);
    let lines = |run: &Run| -> Vec<String> {
        run.stdout
            .lines()
            .skip(1)
            .map(|line| line.split(',').next().unwrap().to_owned())
            .collect()
    };
    assert_eq!(lines(&first), ["1", "3"], "{first}");
    assert_eq!(lines(&second), ["2", "4"], "{second}");
    assert!(first.stdout.starts_with(
        "line,source,expected_target,final_url,final_status,statuses,redirects,result,message"
    ));
    check(&site, &["--shard", "3/2"], &list).usage_error("--shard needs K/N");
}

#[test]
fn junit_and_markdown_reports_are_written() {
    let site = site();
    let dir = tempfile::tempdir().unwrap();
    let junit = dir.path().join("report.xml");
    let markdown = dir.path().join("summary.md");
    check(
        &site,
        &[
            "--junit",
            junit.to_str().unwrap(),
            "--markdown",
            markdown.to_str().unwrap(),
        ],
        &site.url("{shop}/old\n{shop}/gone\n"),
    )
    .code(1);
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(
        xml.contains("tests=\"2\"") && xml.contains("failures=\"1\""),
        "{xml}"
    );
    assert!(xml.contains("<failure"), "{xml}");
    let md = std::fs::read_to_string(&markdown).unwrap();
    assert!(md.contains("broken_final"), "{md}");
}

#[test]
fn a_sitemap_lists_pages_that_must_not_redirect() {
    let site = site();
    let sitemap = site.url(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n\
         <url><loc>{shop}/page</loc></url>\n\
         <url><loc>{shop}/old</loc></url>\n\
         </urlset>\n",
    );
    let run = check(&site, &["--format", "json"], &sitemap);
    run.code(1);
    let results: Vec<String> = run
        .stdout
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap()["result"].to_string())
        .collect();
    assert_eq!(results, ["\"ok\"", "\"unexpected_redirect\""], "{run}");
}

/// A server whose `/busy` answers 429 once, `/down` always 503 (both with `Retry-After: 0`),
/// `/flaky` hangs up without answering once (each then redirects to `/landing`), and `/slow/*`
/// takes 100 ms while counting how many requests it holds at once.
struct Unsteady {
    server: RawServer,
    most_at_once: Arc<AtomicUsize>,
}

fn unsteady() -> Unsteady {
    let seen: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
    let (at_once, most_at_once) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
    let most = Arc::clone(&most_at_once);
    let server = RawServer::start(move |request, stream| {
        let attempt = {
            let mut seen = seen.lock().unwrap();
            let count = seen.entry(request.target.clone()).or_default();
            *count += 1;
            *count
        };
        let page = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
        let moved =
            "HTTP/1.1 301 Moved Permanently\r\nLocation: /landing\r\nContent-Length: 0\r\n\r\n";
        let reply = match request.target.as_str() {
            "/busy" if attempt == 1 => {
                "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 0\r\nContent-Length: 0\r\n\r\n"
            }
            "/down" => {
                "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 0\r\nContent-Length: 0\r\n\r\n"
            }
            "/flaky" if attempt == 1 => return Ok(()),
            target if target.starts_with("/slow/") => {
                let now = at_once.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                std::thread::sleep(std::time::Duration::from_millis(100));
                at_once.fetch_sub(1, Ordering::SeqCst);
                moved
            }
            "/landing" => page,
            _ => moved,
        };
        stream.write_all(reply.as_bytes())
    });
    Unsteady {
        server,
        most_at_once,
    }
}

fn targets_of(server: &RawServer, target: &str) -> usize {
    server
        .targets()
        .iter()
        .filter(|t| *t == &format!("GET {target}"))
        .count()
}

#[test]
fn rate_limits_and_unavailable_answers_are_retried_as_retry_after_asks() {
    let site = unsteady();
    let list = format!(
        "{}\n{}\n",
        site.server.url("/busy"),
        site.server.url("/down")
    );
    let run = hops_with_stdin(["check", "--final-status", "200"], list.into_bytes());
    run.code(1)
        .stdout_has(&format!(
            "✓ 1 {}  301 › 200  {}  ok",
            site.server.url("/busy"),
            site.server.url("/landing")
        ))
        .stdout_has("gave up after 2 retries");
    // 429 then 200; 503 three times: the first attempt and the two retries of --retry's default.
    assert_eq!(targets_of(&site.server, "/busy"), 2);
    assert_eq!(targets_of(&site.server, "/down"), 3);

    let once = unsteady();
    let run = hops_with_stdin(
        ["check", "--retry", "0"],
        format!("{}\n", once.server.url("/busy")).into_bytes(),
    );
    run.code(1).stdout_has("blocked: the final answer is 429");
    assert_eq!(targets_of(&once.server, "/busy"), 1);
}

#[test]
fn a_connection_dropped_without_an_answer_is_retried() {
    let site = unsteady();
    let run = hops_with_stdin(
        ["check", "--format", "json"],
        format!("{}\n", site.server.url("/flaky")).into_bytes(),
    );
    run.code(0);
    let row: Value = serde_json::from_str(run.stdout.trim()).unwrap();
    assert_eq!(row["result"], "ok", "{run}");
    assert_eq!(targets_of(&site.server, "/flaky"), 2);
}

#[test]
fn per_host_caps_the_requests_in_flight_to_one_host() {
    let site = unsteady();
    let list: String = (1..=4)
        .map(|n| format!("{}\n", site.server.url(&format!("/slow/{n}"))))
        .collect();
    hops_with_stdin(["check", "-P", "4", "--per-host", "1"], list.into_bytes()).code(0);
    assert_eq!(
        site.server.targets().len(),
        8,
        "4 rows, each /slow/N then /landing"
    );
    assert_eq!(site.most_at_once.load(Ordering::SeqCst), 1);
}

#[test]
fn a_source_on_several_rows_is_traced_once_and_judged_on_each() {
    let site = site();
    let map = site.url(
        "source,target\n\
         {shop}/old,{shop}/new\n\
         {shop}/chain,{shop}/new\n\
         {shop}/old,{shop}/elsewhere\n\
         {shop}/old,{shop}/new\n",
    );
    let run = check(&site, &["--input-format", "csv", "-P", "1"], &map);
    run.code(1)
        .stdout_has(&site.url("✓ 2 {shop}/old  301 › 200  {shop}/new  ok"))
        .stdout_has(&site.url("✗ 4 {shop}/old  301 › 200  {shop}/new  wrong_target"))
        .stdout_has(&site.url("✓ 5 {shop}/old  301 › 200  {shop}/new  ok"));
    assert_eq!(
        site.requests(),
        [
            "GET shop.test /old",
            "GET shop.test /new",
            "GET shop.test /chain",
            "GET shop.test /step",
            "GET shop.test /new",
        ]
    );
}

#[test]
fn lint_reports_chains_and_cycles_without_a_single_request() {
    let site = site();
    let dir = tempfile::tempdir().unwrap();
    let map = site.url(
        "source,target\n\
         {shop}/chain,{shop}/step\n\
         {shop}/step,{shop}/new\n\
         {shop}/loop,{shop}/back\n\
         {shop}/back,{shop}/loop\n",
    );
    let file = write_file(dir.path(), "map.csv", map.as_bytes());
    let name = file.to_str().unwrap();
    let run = check(&site, &["--lint", name], "");
    run.code(1);
    let expected = site.url(&format!(
        "{name}:2: chain: {{shop}}/chain → {{shop}}/step, and {{shop}}/step → {{shop}}/new on \
         line 3: point {{shop}}/chain at {{shop}}/new\n\
         {name}:4: cycle: {{shop}}/loop → {{shop}}/back, {{shop}}/back → {{shop}}/loop on line \
         5: no page is ever reached: point one of them at a page that answers\n\
         2 findings in 4 rows\n"
    ));
    assert_eq!(run.stdout, expected, "{run}");
    assert_eq!(site.requests(), Vec::<String>::new());

    let clean = site.url("source,target\n{shop}/old,{shop}/new\n{shop}/temp,{shop}/new\n");
    check(&site, &["--lint"], &clean)
        .code(0)
        .stdout_has("no findings in 2 rows");

    // Pattern rules are skipped by the lint as by a check, with the same note.
    let netlify = write_file(
        dir.path(),
        "_redirects",
        b"/old /new 301\n/blog/* /news/:splat 301\n",
    );
    let base = site.url("{shop}");
    check(
        &site,
        &["--lint", "--base", &base, netlify.to_str().unwrap()],
        "",
    )
    .code(0)
    .stdout_has("no findings in 1 row")
    .stderr_has("_redirects: 1 pattern row skipped")
    .stderr_has("from line 2\n");
    assert_eq!(site.requests(), Vec::<String>::new());
}

#[test]
fn resume_skips_the_rows_an_earlier_json_output_reported() {
    let site = site();
    let dir = tempfile::tempdir().unwrap();
    let list = site.url("{shop}/old\n{shop}/temp\n{shop}/chain\n{shop}/gone\n");
    let file = write_file(dir.path(), "pages.txt", list.as_bytes());
    let file = file.to_str().unwrap();
    let first = check(&site, &["--format", "json", file], "");
    first.code(1);
    // A run cut short: two rows reported, the third cut off mid-line.
    let lines: Vec<&str> = first.stdout.lines().collect();
    let earlier = format!("{}\n{}\n{}", lines[0], lines[1], &lines[2][..40]);
    let earlier = write_file(dir.path(), "earlier.ndjson", earlier.as_bytes());
    let before = site.requests().len();
    let resumed = check(
        &site,
        &[
            "--format",
            "json",
            "--resume",
            earlier.to_str().unwrap(),
            file,
        ],
        "",
    );
    resumed.code(1);
    let lines: Vec<u64> = resumed
        .stdout
        .lines()
        .map(|line| {
            serde_json::from_str::<Value>(line).unwrap()["line"]
                .as_u64()
                .unwrap()
        })
        .collect();
    assert_eq!(lines, [3, 4], "{resumed}");
    // Rows run in parallel: the order of their requests interleaves.
    let mut again = site.requests()[before..].to_vec();
    again.sort();
    assert_eq!(
        again,
        [
            "GET shop.test /chain",
            "GET shop.test /gone",
            "GET shop.test /missing",
            "GET shop.test /new",
            "GET shop.test /step",
        ]
    );
    check(&site, &["--resume", file, file], "").usage_error("not the output of");
}

#[test]
fn write_flattened_points_each_source_at_where_it_ended() {
    let site = site();
    let dir = tempfile::tempdir().unwrap();
    let map = site.url(
        "source,target,status\n\
         {shop}/chain,{shop}/step,301\n\
         {shop}/gone,{shop}/missing,301\n\
         {shop}/temp,{shop}/new,302\n",
    );
    let file = write_file(dir.path(), "map.csv", map.as_bytes());
    let out = dir.path().join("flat.csv");
    check(
        &site,
        &[
            "--write-flattened",
            out.to_str().unwrap(),
            file.to_str().unwrap(),
        ],
        "",
    )
    .code(1);
    let written = std::fs::read_to_string(&out).unwrap();
    // /chain lands on /new in two hops: pointed there; /gone ends in a 404: kept as it was.
    assert_eq!(
        written,
        site.url(
            "source,target,status\n\
             {shop}/chain,{shop}/new,301\n\
             {shop}/gone,{shop}/missing,301\n\
             {shop}/temp,{shop}/new,302\n"
        )
    );

    let netlify = write_file(
        dir.path(),
        "_redirects",
        b"/chain  /step  301\n/old  /new\n",
    );
    let out = dir.path().join("_redirects.flat");
    let base = site.url("{shop}");
    check(
        &site,
        &[
            "--base",
            &base,
            "--write-flattened",
            out.to_str().unwrap(),
            netlify.to_str().unwrap(),
        ],
        "",
    )
    // /chain did not end at /step, as the map says: that is what flattening fixes.
    .code(1);
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(written, "/chain  /new  301\n/old  /new\n");
    check(
        &site,
        &["--write-flattened", out.to_str().unwrap()],
        &site.url("{shop}/old\n"),
    )
    .usage_error("has no targets");
}

/// `hops check map | head -c 1`: the reader goes away after one byte; every row is still
/// checked and the exit code still says a row failed.
#[test]
fn a_closed_stdout_stops_the_output_not_the_check() {
    use std::io::Read;

    let server = RawServer::start(|request, stream| {
        let reply = match request.target.as_str() {
            "/landing" => "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            "/gone" => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            _ => {
                "HTTP/1.1 301 Moved Permanently\r\nLocation: /landing\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            }
        };
        stream.write_all(reply.as_bytes())
    });
    // Enough rows (2 KB of JSON each) to overflow a pipe's buffer (64 KiB on Linux).
    let mut list: String = (1..=100)
        .map(|n| format!("{}\n", server.url(&format!("/r/{n}"))))
        .collect();
    list.push_str(&format!("{}\n", server.url("/gone")));
    let dir = tempfile::tempdir().unwrap();
    let map = write_file(dir.path(), "pages.txt", list.as_bytes());
    let mut child = spawn_check(&["--format", "json", map.to_str().unwrap()]);
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut byte = [0; 1];
    stdout.read_exact(&mut byte).expect("one byte of output");
    drop(stdout);
    let status = wait_guarded(&mut child);
    assert_eq!(status.code(), Some(1), "{status}");
    let targets = server.targets();
    assert_eq!(
        targets.iter().filter(|t| t.starts_with("GET /r/")).count(),
        100
    );
    assert!(targets.contains(&"GET /gone".to_owned()));
}

/// Ctrl-C in the middle of a map: the rows done so far are in every report, the summary says
/// how far the check went, and the exit code is 130.
#[test]
fn ctrl_c_ends_the_check_with_the_rows_done_reported() {
    use std::io::{BufRead, BufReader, Read};
    use std::process::Command;

    let server = RawServer::start(|request, stream| {
        let reply = match request.target.as_str() {
            "/landing" => "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            "/hang" => {
                // Never answers: reads until hops goes away.
                let mut buffer = [0; 1024];
                while std::io::Read::read(stream, &mut buffer)? > 0 {}
                return Ok(());
            }
            _ => {
                "HTTP/1.1 301 Moved Permanently\r\nLocation: /landing\r\nContent-Length: 0\r\n\
                 Connection: close\r\n\r\n"
            }
        };
        stream.write_all(reply.as_bytes())
    });
    let list: String = ["/r/1", "/r/2", "/hang", "/r/4"]
        .iter()
        .map(|path| format!("{}\n", server.url(path)))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let map = write_file(dir.path(), "pages.txt", list.as_bytes());
    let junit = dir.path().join("junit.xml");
    let mut child = spawn_check(&[
        "--color",
        "never",
        "--junit",
        junit.to_str().unwrap(),
        map.to_str().unwrap(),
    ]);
    let mut stdout = BufReader::new(child.stdout.take().expect("piped stdout"));
    let mut shown = String::new();
    for _ in 0..2 {
        stdout.read_line(&mut shown).expect("a row's line");
    }
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let status = wait_guarded(&mut child);
    stdout.read_to_string(&mut shown).unwrap();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert_eq!(status.code(), Some(130), "{shown}\n{stderr}");
    assert!(shown.contains("2 rows: 2 ok, 0 failed"), "{shown}");
    assert!(
        stderr.contains("check interrupted by SIGINT after 2 of 4 rows"),
        "{stderr}"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("tests=\"2\""), "{xml}");
    assert!(server.targets().contains(&"GET /hang".to_owned()));
}

/// `hops check ARGS` as a child process with piped stdout and stderr, for the tests that close
/// its output or signal it.
fn spawn_check(args: &[&str]) -> std::process::Child {
    use std::process::{Command, Stdio};
    Command::new(env!("CARGO_BIN_EXE_hops"))
        .arg("check")
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hops can be started")
}

/// Waits for the child, killing it after a minute: a safety net against a hang, not a timing
/// assertion.
fn wait_guarded(child: &mut std::process::Child) -> std::process::ExitStatus {
    use wait_timeout::ChildExt;
    match child
        .wait_timeout(std::time::Duration::from_secs(60))
        .expect("hops can be waited for")
    {
        Some(status) => status,
        None => {
            let _ = child.kill();
            child.wait().expect("hops can be reaped")
        }
    }
}

/// `-b` seeds every row's jar alike: the cookies of a file and a `NAME=VALUE` pair reach each
/// row's first request, and a cookie one row is given by the server does not leak into another.
#[test]
fn cookies_given_with_b_reach_every_row_and_rows_keep_their_own_jar() {
    let site = Site::start(vec![
        Route {
            cookie: Some("from_file=1".to_owned()),
            ..redirect("/members", 301, "/welcome")
        },
        redirect("/members", 301, "/login"),
        Route::new("/set", 301)
            .with_header("Location", "/welcome")
            .with_header("Set-Cookie", "given=yes; Path=/"),
        ok("/welcome"),
        ok("/login"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let jar = write_file(
        dir.path(),
        "cookies.txt",
        b"shop.test\tFALSE\t/\tFALSE\t0\tfrom_file\t1\n",
    );
    let map = site.url(
        "source,target\n{shop}/set,{shop}/welcome\n{shop}/members,{shop}/welcome\n\
         {shop}/members?again,{shop}/welcome\n",
    );
    let run = check(
        &site,
        &["-P", "1", "-b", jar.to_str().unwrap(), "-b", "pair=2"],
        &map,
    );
    run.code(0);
    let cookies: Vec<(String, Option<String>)> = site
        .received()
        .iter()
        .map(|request| {
            (
                request.path.clone(),
                request.header("cookie").map(str::to_owned),
            )
        })
        .collect();
    // In the order a single run seeds its jar: the pairs, then the files.
    let seeded = Some("pair=2; from_file=1".to_owned());
    assert_eq!(
        cookies,
        [
            ("/set".to_owned(), seeded.clone()),
            (
                "/welcome".to_owned(),
                Some("pair=2; from_file=1; given=yes".to_owned())
            ),
            ("/members".to_owned(), seeded.clone()),
            ("/welcome".to_owned(), seeded.clone()),
            ("/members?again".to_owned(), seeded.clone()),
            ("/welcome".to_owned(), seeded),
        ],
        "{run}"
    );
}

/// Stdin named twice is read once and checked as two maps (the copy of stdin outlives both).
#[test]
fn stdin_named_twice_is_one_copy_read_twice() {
    let site = site();
    let map = site.url("source,target\n{shop}/old,{shop}/new\n");
    check(&site, &["--lint", "-", "-"], &map)
        .code(0)
        .stdout_has("no findings in 2 rows");
    assert_eq!(site.requests(), Vec::<String>::new());
}
