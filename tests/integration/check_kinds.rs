//! `hops check` end to end, beyond tests/integration/check.rs: TSV, Cloudflare, Vercel and
//! Netlify maps read and checked, and the result kinds that need an https hop, a raw server, a
//! closed port or a server that never answers, and the flags and columns that change a verdict.

use std::io::{self, Write};

use serde_json::Value;

use crate::check::check;
use crate::support::{
    RawServer, Route, Run, Site, closed_port, hops_with_stdin, ok, over, redirect, write_file,
};

/// `(line, result)` per row of a `--format json` run, each row's `ok` agreeing with its result.
#[track_caller]
fn results(run: &Run) -> Vec<(u64, String)> {
    rows(run)
        .iter()
        .map(|row| {
            let result = row["result"].as_str().unwrap().to_owned();
            assert_eq!(row["ok"].as_bool(), Some(result == "ok"), "{row}\n{run}");
            (row["line"].as_u64().unwrap(), result)
        })
        .collect()
}

#[track_caller]
fn rows(run: &Run) -> Vec<Value> {
    run.stdout
        .lines()
        .map(|line| {
            serde_json::from_str(line)
                .unwrap_or_else(|err| panic!("not one JSON object per row: {err}\n{run}"))
        })
        .collect()
}

/// The `message` of the row on `line`.
#[track_caller]
fn message(run: &Run, line: u64) -> String {
    rows(run)
        .into_iter()
        .find(|row| row["line"] == line)
        .and_then(|row| row["message"].as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("no message for line {line}\n{run}"))
}

fn expected(rows: &[(u64, &str)]) -> Vec<(u64, String)> {
    rows.iter()
        .map(|&(line, result)| (line, result.to_owned()))
        .collect()
}

fn get(paths: &[&str]) -> Vec<String> {
    paths
        .iter()
        .map(|path| format!("GET shop.test {path}"))
        .collect()
}

#[test]
fn tsv_cloudflare_vercel_and_netlify_maps_are_read_and_checked() {
    let site = Site::start(vec![
        redirect("/old", 301, "/new"),
        redirect("/temp", 302, "/new"),
        redirect("/moved", 308, "/new"),
        redirect("/gone", 301, "/missing"),
        ok("/new"),
    ]);
    let dir = tempfile::tempdir().unwrap();
    let base = site.url("{shop}");

    // TSV with a header, told by the file's extension.
    let tsv = site.url(
        "source\ttarget\tstatus\n\
         {shop}/old\t{shop}/new\t301\n\
         {shop}/temp\t{shop}/new\t301\n",
    );
    let tsv = write_file(dir.path(), "map.tsv", tsv.as_bytes());
    let run = check(
        &site,
        &["--format", "json", "-P", "1", tsv.to_str().unwrap()],
        "",
    );
    run.code(1);
    assert_eq!(
        results(&run),
        expected(&[(2, "ok"), (3, "wrong_status")]),
        "{run}"
    );
    assert!(message(&run, 3).contains("expected 301, got 302"), "{run}");
    assert_eq!(site.requests(), get(&["/old", "/new", "/temp", "/new"]));
    site.clear_received();

    // Cloudflare Bulk Redirects: no header, told from the content on stdin.
    let cloudflare = site.url(
        "{shop}/old,{shop}/new,301,,,,\n\
         {shop}/gone,{shop}/missing,301\n",
    );
    let run = check(&site, &["--format", "json", "-P", "1"], &cloudflare);
    run.code(1);
    assert_eq!(
        results(&run),
        expected(&[(1, "ok"), (2, "broken_final")]),
        "{run}"
    );
    assert_eq!(site.requests(), get(&["/old", "/new", "/gone", "/missing"]));
    site.clear_received();

    // Vercel: `permanent: true` means 308; the placeholder rule is a pattern, skipped.
    let vercel = write_file(
        dir.path(),
        "vercel.json",
        br#"{
  "redirects": [
    { "source": "/moved", "destination": "/new", "permanent": true },
    { "source": "/old", "destination": "/new", "permanent": true },
    { "source": "/blog/:slug", "destination": "/news/:slug" }
  ]
}
"#,
    );
    let run = check(
        &site,
        &[
            "--format",
            "json",
            "-P",
            "1",
            "--base",
            &base,
            vercel.to_str().unwrap(),
        ],
        "",
    );
    run.code(1).stderr_has("1 pattern row skipped");
    assert_eq!(
        results(&run),
        expected(&[(3, "ok"), (4, "wrong_status")]),
        "{run}"
    );
    assert!(message(&run, 4).contains("expected 308, got 301"), "{run}");
    assert_eq!(site.requests(), get(&["/moved", "/new", "/old", "/new"]));
    site.clear_received();

    // Netlify `_redirects`: the status defaults to 301; the splat rule is skipped and noted.
    let netlify = write_file(
        dir.path(),
        "_redirects",
        b"# moved pages\n\
          /old  /new  301\n\
          /blog/*  /news/:splat  301\n\
          /temp  /new  302\n\
          /gone  /missing\n",
    );
    let run = check(
        &site,
        &[
            "--format",
            "json",
            "-P",
            "1",
            "--base",
            &base,
            netlify.to_str().unwrap(),
        ],
        "",
    );
    run.code(1)
        .stderr_has("1 pattern row skipped")
        .stderr_has("from line 3\n");
    assert_eq!(
        results(&run),
        expected(&[(2, "ok"), (4, "ok"), (5, "broken_final")]),
        "{run}"
    );
    assert_eq!(
        site.requests(),
        get(&["/old", "/new", "/temp", "/new", "/gone", "/missing"])
    );
}

#[test]
fn downgrades_too_many_redirects_missing_and_temporary_redirects() {
    let site = Site::start(vec![
        over("https", redirect("/secure", 301, "{shop}/new")),
        redirect("/a", 301, "/b"),
        redirect("/b", 301, "/c"),
        redirect("/c", 301, "/new"),
        redirect("/temp", 302, "/new"),
        ok("/new"),
        ok("/page"),
    ]);
    let map = site.url(
        "source,target\n\
         {shop_tls}/secure,{shop}/new\n\
         {shop}/a,{shop}/new\n\
         {shop}/page,{shop}/new\n\
         {shop}/temp,{shop}/new\n",
    );
    let run = check(
        &site,
        &[
            "--format",
            "json",
            "-P",
            "1",
            "--permanent",
            "--max-redirs",
            "2",
            "--input-format",
            "csv",
        ],
        &map,
    );
    run.code(1);
    assert_eq!(
        results(&run),
        expected(&[
            (2, "downgrade"),
            (3, "too_many_redirects"),
            (4, "not_redirected"),
            (5, "wrong_status"),
        ]),
        "{run}"
    );
    assert!(
        message(&run, 2).contains("redirects from https to"),
        "{run}"
    );
    assert!(message(&run, 3).contains("too many redirects"), "{run}");
    assert!(
        message(&run, 5).contains("temporary instead of permanent"),
        "{run}"
    );
    assert_eq!(
        site.requests(),
        [
            "GET https:shop.test /secure",
            "GET shop.test /new",
            "GET shop.test /a",
            "GET shop.test /b",
            "GET shop.test /c",
            "GET shop.test /page",
            "GET shop.test /temp",
            "GET shop.test /new",
        ]
    );
}

#[test]
fn slash_and_query_flags_and_final_status_and_max_hops_columns() {
    let site = Site::start(vec![
        redirect("/slash", 301, "/new/"),
        redirect("/query", 301, "/new?ref=old"),
        redirect("/retired", 301, "/gone"),
        Route::new("/gone", 410),
        redirect("/chain", 301, "/step"),
        redirect("/step", 301, "/new"),
        ok("/new/"),
        ok("/new"),
    ]);
    let map = site.url(
        "source,target\n\
         {shop}/slash,{shop}/new\n\
         {shop}/query,{shop}/new\n",
    );
    let traced = get(&["/slash", "/new/", "/query", "/new?ref=old"]);
    let cases: [(&[&str], [&str; 2]); 4] = [
        (&[], ["wrong_target", "wrong_target"]),
        (&["--ignore-slash"], ["ok", "wrong_target"]),
        (&["--ignore-query"], ["wrong_target", "ok"]),
        (&["--ignore-slash", "--ignore-query"], ["ok", "ok"]),
    ];
    for (flags, [slash, query]) in cases {
        site.clear_received();
        let mut args = vec!["--format", "json", "-P", "1", "--input-format", "csv"];
        args.extend_from_slice(flags);
        let run = check(&site, &args, &map);
        let code = if slash == "ok" && query == "ok" { 0 } else { 1 };
        run.code(code);
        assert_eq!(
            results(&run),
            expected(&[(2, slash), (3, query)]),
            "{flags:?}\n{run}"
        );
        assert_eq!(site.requests(), traced, "{flags:?}");
    }

    site.clear_received();
    let columns = site.url(
        "source,target,status,final_status,max_hops\n\
         {shop}/retired,{shop}/gone,301,410,\n\
         {shop}/retired,{shop}/gone,301,,\n\
         {shop}/chain,{shop}/new,301,,2\n\
         {shop}/chain,{shop}/new,301,,1\n",
    );
    let run = check(
        &site,
        &["--format", "json", "-P", "1", "--input-format", "csv"],
        &columns,
    );
    run.code(1);
    assert_eq!(
        results(&run),
        expected(&[(2, "ok"), (3, "broken_final"), (4, "ok"), (5, "chain")]),
        "{run}"
    );
    assert!(
        message(&run, 3).contains("expected a final 2xx, got 410"),
        "{run}"
    );
    assert!(
        message(&run, 5).contains("2 redirects where at most 1 is allowed"),
        "{run}"
    );
    // A source on several rows is traced once per final status expected (it decides whether a
    // 429 or 503 is retried): /retired twice, /chain once.
    assert_eq!(
        site.requests(),
        get(&[
            "/retired", "/gone", "/retired", "/gone", "/chain", "/step", "/new"
        ])
    );
}

#[test]
fn bad_locations_refused_connections_and_silent_servers() {
    let closed = closed_port();
    let away = format!(
        "HTTP/1.1 301 Moved Permanently\r\nLocation: http://127.0.0.1:{closed}/gone\r\n\
         Content-Length: 0\r\n\r\n"
    );
    let server = RawServer::start(move |request, stream| match request.target.as_str() {
        "/bad" => stream.write_all(
            b"HTTP/1.1 301 Moved Permanently\r\nLocation: http://[::1\r\nContent-Length: 0\r\n\r\n",
        ),
        "/away" => stream.write_all(away.as_bytes()),
        // Never answers: reads until hops gives up and closes the connection.
        _ => io::copy(stream, &mut io::sink()).map(|_| ()),
    });
    let list = format!(
        "{}\n{}\n{}\n",
        server.url("/bad"),
        server.url("/away"),
        server.url("/hang")
    );
    let run = hops_with_stdin(
        [
            "check",
            "--format",
            "json",
            "--retry",
            "0",
            "--max-time",
            "1",
        ],
        list.into_bytes(),
    );
    run.code(1);
    assert_eq!(
        results(&run),
        expected(&[(1, "bad_location"), (2, "network_error"), (3, "timeout")]),
        "{run}"
    );
    assert!(
        message(&run, 1).contains("Location that cannot be followed"),
        "{run}"
    );
    assert!(message(&run, 2).contains("at hop 2"), "{run}");
    let mut targets = server.targets();
    targets.sort();
    assert_eq!(targets, ["GET /away", "GET /bad", "GET /hang"]);
}

/// Each row's final body is read (and dropped) so its keep-alive connection serves the next
/// row: five rows one after the other, on one connection, even when the final body comes in a
/// write of its own after the head.
#[test]
fn rows_reuse_the_connection_after_a_final_body() {
    let server = RawServer::per_connection(|connection| {
        loop {
            let request = connection.request()?;
            if request.target == "/landing" {
                connection.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")?;
                connection.stream().flush()?;
                connection.write(b"hello")?;
            } else {
                connection.write(
                b"HTTP/1.1 301 Moved Permanently\r\nLocation: /landing\r\nContent-Length: 0\r\n\r\n",
            )?;
            }
        }
    });
    let list: String = (1..=5)
        .map(|n| format!("{}\n", server.url(&format!("/r/{n}"))))
        .collect();
    hops_with_stdin(["check", "-P", "1"], list.into_bytes()).code(0);
    let requests = server.requests();
    assert_eq!(requests.len(), 10);
    let connections: Vec<usize> = requests.iter().map(|r| r.connection).collect();
    assert_eq!(
        connections, [1; 10],
        "every request on the first connection"
    );
}

/// On a terminal, a progress bar counts the rows on stderr; when stderr is not a terminal (CI
/// logs), nothing of it is written. The terminal is `script`'s pseudo-terminal.
#[test]
fn the_progress_bar_shows_on_a_terminal_only() {
    let site = Site::start(vec![redirect("/old", 301, "/new"), ok("/new")]);
    let list: String = (1..=10)
        .map(|n| site.url(&format!("{{shop}}/old?n={n}\n")))
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let map = write_file(dir.path(), "pages.txt", list.as_bytes());
    let mut args = vec!["check".to_owned(), "--rate".to_owned(), "20".to_owned()];
    args.extend(site.args(&[map.to_str().unwrap()]));
    let piped = crate::support::hops(args.clone());
    piped.code(0);
    assert!(!piped.stderr.contains("rows/s"), "{piped}");

    let command = std::iter::once(env!("CARGO_BIN_EXE_hops").to_owned())
        .chain(args)
        .map(|arg| format!("'{arg}'"))
        .collect::<Vec<_>>()
        .join(" ");
    let output = std::process::Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .output()
        .expect("script(1) runs");
    let terminal = String::from_utf8_lossy(&output.stdout);
    assert_eq!(output.status.code(), Some(0), "{terminal}");
    assert!(terminal.contains("/10 rows"), "{terminal}");
    assert!(
        terminal.contains("rows/s") && terminal.contains("0 failed"),
        "{terminal}"
    );
    assert!(terminal.contains("10 rows: 10 ok, 0 failed"), "{terminal}");
}

/// A site for `--write-flattened`: `/chain` and `/temp` reach `/new` in two hops, `/old` in one,
/// `/gone` ends in a 404, `/colon` reaches a page whose path Netlify would read as a placeholder.
fn flatten_site() -> Site {
    Site::start(vec![
        redirect("/chain", 301, "/step"),
        redirect("/temp", 302, "/step"),
        redirect("/step", 301, "/new"),
        redirect("/old", 301, "/new"),
        redirect("/gone", 301, "/missing"),
        redirect("/colon", 301, "/at/:x"),
        ok("/new"),
        ok("/at/:x"),
    ])
}

/// Checks `map` (written as `name`, its `{shop}` expanded) with `--base {shop}` and
/// `--write-flattened`; the run, and the flattened file's bytes.
fn flatten(site: &Site, name: &str, map: &str, extra: &[&str]) -> (Run, String) {
    let dir = tempfile::tempdir().unwrap();
    let file = write_file(dir.path(), name, site.url(map).as_bytes());
    let out = dir.path().join("flattened");
    let base = site.url("{shop}");
    let mut args = vec!["--base", &base, "--write-flattened", out.to_str().unwrap()];
    args.extend_from_slice(extra);
    args.push(file.to_str().unwrap());
    let run = check(site, &args, "");
    let written = std::fs::read_to_string(&out).unwrap_or_else(|err| panic!("{err}\n{run}"));
    (run, written)
}

#[test]
fn write_flattened_keeps_a_csv_as_it_was_but_for_the_targets_that_moved() {
    let site = flatten_site();
    // CRLF line ends, a comment, a quoted target, a note column, a path target, a failing row,
    // a malformed row skipped.
    let map = "source,target,status,note\r\n\
               # moved in the spring\r\n\
               {shop}/chain,\"{shop}/step\",301,\"two hops, then /new\"\r\n\
               {shop}/bad,ht!tp://x,301,typo\r\n\
               {shop}/gone,{shop}/missing,301,gone for good\r\n\
               \r\n\
               /temp, /step ,302,relative\r\n\
               {shop}/old,{shop}/new,301,fine\r\n";
    let (run, written) = flatten(&site, "map.csv", map, &["--skip-bad-rows"]);
    run.code(1);
    assert_eq!(
        written,
        site.url(
            "source,target,status,note\r\n\
             # moved in the spring\r\n\
             {shop}/chain,\"{shop}/new\",301,\"two hops, then /new\"\r\n\
             {shop}/bad,ht!tp://x,301,typo\r\n\
             {shop}/gone,{shop}/missing,301,gone for good\r\n\
             \r\n\
             /temp, /new ,302,relative\r\n\
             {shop}/old,{shop}/new,301,fine\r\n"
        ),
        "{run}"
    );
    // With --unordered the rows come back in any order: the file is the same.
    let (_, unordered) = flatten(&site, "map.csv", map, &["--skip-bad-rows", "--unordered"]);
    assert_eq!(unordered, written);
    // The rows another shard checks keep their targets: this shard's only landed where they
    // point.
    let (_, shard) = flatten(
        &site,
        "map.csv",
        map,
        &["--skip-bad-rows", "--shard", "2/2"],
    );
    assert_eq!(shard, site.url(map));
}

#[test]
fn write_flattened_keeps_every_netlify_rule_it_did_not_change() {
    let site = flatten_site();
    let map = "# Redirects of the new shop\n\
               \n\
               /chain   /step   301!\n\
               /blog/*  /news/:splat  301\n\
               /old-home  /step  302  Country=us,ca\n\
               /gone    /missing\n\
               /temp\t{shop}/step 302\n\
               /colon /at\n\
               /old /new\n";
    let (run, written) = flatten(&site, "_redirects", map, &[]);
    run.code(1).stderr_has("2 pattern rows skipped");
    assert_eq!(
        written,
        site.url(
            "# Redirects of the new shop\n\
             \n\
             /chain   /new   301!\n\
             /blog/*  /news/:splat  301\n\
             /old-home  /step  302  Country=us,ca\n\
             /gone    /missing\n\
             /temp\t{shop}/new 302\n\
             /colon /at\n\
             /old /new\n"
        ),
        "{run}"
    );
}

#[test]
fn write_flattened_keeps_a_vercel_json_as_written_but_for_the_destinations_that_moved() {
    let site = flatten_site();
    let map = r#"{
  "cleanUrls": true,
  "redirects": [
    { "source": "/blog/:slug", "destination": "/news/:slug" },
    {
      "source": "/chain",
      "destination": "/step",
      "statusCode": 301
    },
    { "source": "/gone", "destination": "/missing", "statusCode": 301 },
    { "source": "/old", "destination": "/new", "statusCode": 301 }
  ]
}
"#;
    let (run, written) = flatten(&site, "vercel.json", map, &[]);
    run.code(1).stderr_has("1 pattern row skipped");
    assert_eq!(
        written,
        map.replace(r#""destination": "/step""#, r#""destination": "/new""#),
        "{run}"
    );
}

#[test]
fn write_flattened_keeps_cloudflare_columns() {
    let site = flatten_site();
    let map = "{shop}/chain,{shop}/step,301,TRUE,FALSE,TRUE,FALSE\n\
               {shop}/gone,{shop}/missing,301,FALSE,FALSE,FALSE,FALSE\n\
               {shop}/temp,{shop}/step,302,,,,";
    let (run, written) = flatten(&site, "bulk.csv", map, &["--input-format", "cloudflare"]);
    run.code(1);
    assert_eq!(
        written,
        site.url(
            "{shop}/chain,{shop}/new,301,TRUE,FALSE,TRUE,FALSE\n\
             {shop}/gone,{shop}/missing,301,FALSE,FALSE,FALSE,FALSE\n\
             {shop}/temp,{shop}/new,302,,,,"
        ),
        "{run}"
    );
}

#[test]
fn write_flattened_writes_several_maps_into_a_directory() {
    let site = flatten_site();
    let dir = tempfile::tempdir().unwrap();
    let csv = write_file(
        dir.path(),
        "map.csv",
        site.url("source,target\n{shop}/chain,{shop}/step\n")
            .as_bytes(),
    );
    let netlify = write_file(dir.path(), "_redirects", b"/temp /step 302\n/x/* /y\n");
    let (csv, netlify) = (csv.to_str().unwrap(), netlify.to_str().unwrap());
    let base = site.url("{shop}");
    let out = dir.path().join("flat");
    let run = |dest: &str, maps: &[&str]| {
        let mut args = vec!["--base", &base, "--write-flattened", dest];
        args.extend_from_slice(maps);
        check(&site, &args, "")
    };
    let not_a_dir = out.to_str().unwrap();
    run(not_a_dir, &[csv, netlify]).usage_error("give a directory");
    std::fs::create_dir(&out).unwrap();
    run(not_a_dir, &[csv, netlify]).code(1);
    assert_eq!(
        std::fs::read_to_string(out.join("map.csv")).unwrap(),
        site.url("source,target\n{shop}/chain,{shop}/new\n")
    );
    assert_eq!(
        std::fs::read_to_string(out.join("_redirects")).unwrap(),
        "/temp /new 302\n/x/* /y\n"
    );
    // Writing over the map being read would lose it: refused before any request.
    run(csv, &[csv]).usage_error("is the map");
    run(dir.path().to_str().unwrap(), &[csv]).usage_error("is the map");
    run(not_a_dir, &[csv, csv]).usage_error("would both be written to");
}
