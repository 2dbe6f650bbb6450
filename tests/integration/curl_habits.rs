//! What a curl user types just works: `--body`, `-i`, `--compressed`, and curl's HTTP version
//! flags, against loopback servers.

use std::io::Write;

use crate::support::{
    RawServer, Route, Site, TlsOptions, hops, hops_of, json_documents, ok, redirect, warning_codes,
};

/// The head and the body of what `-i` wrote, split at the blank line.
#[track_caller]
fn split_head(output: &str) -> (Vec<&str>, &str) {
    let (head, body) = output
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no blank line after a head in {output:?}"));
    (head.split("\r\n").collect(), body)
}

/// `--body` is `-o -`: the final body alone on stdout, the chain on stderr.
#[test]
fn body_sends_the_final_body_to_stdout_and_the_chain_to_stderr() {
    let site = Site::start(vec![
        Route {
            body: Some("redirect body".to_owned()),
            ..redirect("/a", 302, "/b")
        },
        ok("/b"),
    ]);
    let run = site.run(&["--body", "{shop}/a"]);
    run.code(0)
        .stderr_has(" 1  GET ")
        .stderr_has("2 requests, 1 redirect, ");
    assert_eq!(run.stdout, "reached /b", "{run}");

    site.run(&["--body", "--format", "json", "{shop}/a"])
        .usage_error("--body would mix the response body into the JSON lines");
    site.run(&["--body", "-o", "out.txt", "{shop}/a"])
        .usage_error("cannot be used with");
}

/// `-i` writes the head of every response, as received, before the final body, as curl -i -L
/// does: to stdout when there is no `-o` (the chain then goes to stderr), else into the file.
#[test]
fn include_writes_every_head_before_the_body() {
    let site = Site::start(vec![
        redirect("/a", 302, "/b"),
        Route {
            reason: Some("Made It".to_owned()),
            body: Some("the body".to_owned()),
            ..Route::new("/b", 201)
                .with_header("X-One", "1")
                .with_header("X-Two", "two words")
        },
    ]);
    let run = site.run(&["-i", "{shop}/a"]);
    run.code(0).stderr_has(" 1  GET ").stderr_has("201 Made It");
    let (redirect_head, rest) = split_head(&run.stdout);
    assert_eq!(redirect_head[0], "HTTP/1.1 302 Found", "{run}");
    assert!(redirect_head.contains(&"location: /b"), "{run}");
    let (head, body) = split_head(rest);
    assert_eq!(body, "the body", "{run}");
    assert_eq!(head[0], "HTTP/1.1 201 Made It", "{run}");
    let mut fields: Vec<&str> = head[1..].to_vec();
    // The server stamps the time; every other line is known.
    fields.retain(|field| !field.starts_with("date: "));
    fields.sort_unstable();
    assert_eq!(
        fields,
        ["content-length: 8", "x-one: 1", "x-two: two words"],
        "{run}"
    );
    assert_eq!(head.len(), 5, "{run}");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("out.txt");
    let run = site.run(&["-i", "-o", file.to_str().unwrap(), "{shop}/a"]);
    run.code(0).quiet_stderr().stdout_has(" 2  GET ");
    let written = std::fs::read_to_string(&file).unwrap();
    assert!(written.starts_with("HTTP/1.1 302 Found\r\n"), "{written:?}");
    assert!(
        written.contains("\r\n\r\nHTTP/1.1 201 Made It\r\n"),
        "{written:?}"
    );
    assert!(written.ends_with("\r\n\r\nthe body"), "{written:?}");

    site.run(&["-i", "--format", "json", "{shop}/a"])
        .usage_error("-i would mix the response body into the JSON lines");
}

/// A page followed by its meta refresh is a response of the chain too: `-i` writes its head.
#[test]
fn include_writes_the_head_of_a_page_followed_by_its_refresh() {
    let site = Site::start(vec![
        Route {
            body: Some(REFRESHING_PAGE.to_owned()),
            ..Route::new("/page", 200).with_header("Content-Type", "text/html")
        },
        ok("/next"),
    ]);
    let run = site.run(&["-i", "--follow-refresh", "{shop}/page"]);
    run.code(0);
    let (page_head, rest) = split_head(&run.stdout);
    assert_eq!(page_head[0], "HTTP/1.1 200 OK", "{run}");
    assert!(page_head.contains(&"content-type: text/html"), "{run}");
    let (next_head, body) = split_head(rest);
    assert_eq!(next_head[0], "HTTP/1.1 200 OK", "{run}");
    assert_eq!(body, "reached /next", "{run}");
}

/// An HTML page, gzip-encoded, whose meta refresh leads to `/next`.
const REFRESHING_PAGE: &str =
    "<html><head><meta http-equiv=\"refresh\" content=\"0; url=/next\"></head></html>";

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// `/page` answers the gzip-encoded [`REFRESHING_PAGE`], `/next` a plain text body.
fn compressing_server() -> RawServer {
    RawServer::start(|request, stream| {
        let (headers, body) = if request.target == "/page" {
            (
                "Content-Type: text/html\r\nContent-Encoding: gzip\r\n",
                gzip(REFRESHING_PAGE.as_bytes()),
            )
        } else {
            ("Content-Type: text/plain\r\n", b"arrived".to_vec())
        };
        let head = format!(
            "HTTP/1.1 200 OK\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes())?;
        stream.write_all(&body)
    })
}

/// `--browser` implies `--compressed`: a gzip-encoded HTML page is decoded, so its meta refresh
/// is found and, with `--follow-refresh`, followed. Without it the page is not searched, and the
/// hop says why.
#[test]
fn browser_decodes_a_compressed_page_and_finds_its_meta_refresh() {
    let server = compressing_server();
    let run = hops([
        "--color",
        "never",
        "--browser",
        "--follow-refresh",
        &server.url("/page"),
    ]);
    run.code(0).hops_shown(2).stdout_lacks("html_not_decoded");
    assert_eq!(server.targets(), ["GET /page", "GET /next"]);

    let run = hops([
        "--format",
        "json",
        "-H",
        "Accept-Encoding: gzip",
        &server.url("/page"),
    ]);
    run.code(0);
    let docs = json_documents(&run);
    let hop = &hops_of(&docs[0])[0];
    assert_eq!(warning_codes(hop), ["html_not_decoded"], "{run}");
    assert!(hop["refresh"].is_null(), "{run}");
}

/// `--compressed -o -` writes the decoded body, while `-v` shows the headers as received.
#[test]
fn compressed_writes_the_decoded_body_and_shows_the_headers_as_received() {
    let server = compressing_server();
    let run = hops([
        "--color",
        "never",
        "--compressed",
        "-v",
        "-o",
        "-",
        &server.url("/page"),
    ]);
    run.code(0)
        .stderr_has("> accept-encoding: gzip, deflate, br, zstd")
        .stderr_has("< content-encoding: gzip")
        .stderr_has(&format!(
            "< content-length: {}",
            gzip(REFRESHING_PAGE.as_bytes()).len()
        ));
    assert_eq!(run.stdout, REFRESHING_PAGE, "{run}");

    // Without --compressed the body is written as received, as curl does.
    let run = hops(["--color", "never", "-o", "-", &server.url("/page")]);
    run.code(0);
    assert_ne!(run.stdout, REFRESHING_PAGE, "{run}");
}

/// The HTTP version and ALPN protocol of each hop of a `--format json` run of `args`.
fn versions(site: &Site, args: &[&str]) -> Vec<(String, Option<String>)> {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let run = site.run(&all);
    run.code(0);
    hops_of(&json_documents(&run)[0])
        .iter()
        .map(|hop| {
            (
                hop["http_version"].as_str().unwrap_or_default().to_owned(),
                hop["tls"]["alpn"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

/// curl's version flags: `--http1.1` keeps to HTTP/1.1 where the server would speak h2,
/// `--http2` is the default (h2 by ALPN on https, HTTP/1.1 on http), and
/// `--http2-prior-knowledge` speaks h2 from the first byte, on http (h2c) too. Each hop shows
/// the version it used.
#[test]
fn http_version_flags_choose_the_version_each_hop_speaks() {
    let site = Site::start_with(
        vec![redirect("/a", 302, "{shop_tls}/b"), ok("/b")],
        TlsOptions {
            http2: true,
            ..TlsOptions::default()
        },
    );
    let h1 = |alpn: Option<&str>| ("HTTP/1.1".to_owned(), alpn.map(str::to_owned));
    let h2 = |alpn: Option<&str>| ("HTTP/2.0".to_owned(), alpn.map(str::to_owned));
    for flags in [&[][..], &["--http2"][..], &["--http1.1", "--http2"][..]] {
        let mut args = flags.to_vec();
        args.push("{shop}/a");
        assert_eq!(
            versions(&site, &args),
            [h1(None), h2(Some("h2"))],
            "{flags:?}"
        );
    }
    assert_eq!(
        versions(&site, &["--http1.1", "{shop}/a"]),
        [h1(None), h1(Some("http/1.1"))]
    );
    site.clear_received();
    assert_eq!(
        versions(&site, &["--http2-prior-knowledge", "{shop}/a"]),
        [h2(None), h2(Some("h2"))]
    );
    assert_eq!(
        site.requests(),
        ["GET shop.test /a", "GET https:shop.test /b"]
    );
    site.run(&["--http2-prior-knowledge", "{shop}/a"])
        .code(0)
        .stdout_has("302 Found  HTTP/2.0  ")
        .stdout_has("200 OK  HTTP/2.0  ");
}
