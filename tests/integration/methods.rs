//! The method and body of each hop (docs/rules.md §3): the whole status × method table, the
//! body headers that go with a switch to GET, `-X` on the first request only, curl's
//! `--post30x`, and every way of giving a body, all checked byte for byte on the server.

use crate::support::{Site, assert_absent, assert_header, ok, redirect, write_file};

const FORM: &str = "application/x-www-form-urlencoded";

/// Every byte value once: a body that survives only if replayed byte for byte.
fn binary_body() -> Vec<u8> {
    (0..=255).collect()
}

/// One row of the method table.
struct Row {
    status: u16,
    /// Flags that set the first request's method (`-X M` or `-I`).
    method_args: &'static [&'static str],
    first: &'static str,
    with_body: bool,
    extra: &'static [&'static str],
    second: &'static str,
    /// Whether the second request carries the body (only meaningful `with_body`).
    replayed: bool,
}

#[rustfmt::skip]
const TABLE: &[Row] = &[
    // 301/302: POST becomes GET and loses its body; every other method is replayed.
    Row { status: 301, method_args: &["-X", "POST"], first: "POST", with_body: true, extra: &[], second: "GET", replayed: false },
    Row { status: 302, method_args: &["-X", "POST"], first: "POST", with_body: true, extra: &[], second: "GET", replayed: false },
    Row { status: 301, method_args: &["-X", "PUT"], first: "PUT", with_body: true, extra: &[], second: "PUT", replayed: true },
    Row { status: 301, method_args: &["-X", "DELETE"], first: "DELETE", with_body: true, extra: &[], second: "DELETE", replayed: true },
    Row { status: 301, method_args: &["-X", "PATCH"], first: "PATCH", with_body: true, extra: &[], second: "PATCH", replayed: true },
    Row { status: 302, method_args: &["-X", "PUT"], first: "PUT", with_body: true, extra: &[], second: "PUT", replayed: true },
    Row { status: 302, method_args: &["-X", "DELETE"], first: "DELETE", with_body: true, extra: &[], second: "DELETE", replayed: true },
    Row { status: 302, method_args: &["-X", "PATCH"], first: "PATCH", with_body: true, extra: &[], second: "PATCH", replayed: true },
    Row { status: 301, method_args: &[], first: "GET", with_body: false, extra: &[], second: "GET", replayed: false },
    // 303: GET and HEAD stay; anything else becomes a GET without body.
    Row { status: 303, method_args: &[], first: "GET", with_body: false, extra: &[], second: "GET", replayed: false },
    Row { status: 303, method_args: &["-I"], first: "HEAD", with_body: false, extra: &[], second: "HEAD", replayed: false },
    Row { status: 303, method_args: &["-X", "POST"], first: "POST", with_body: true, extra: &[], second: "GET", replayed: false },
    Row { status: 303, method_args: &["-X", "PUT"], first: "PUT", with_body: true, extra: &[], second: "GET", replayed: false },
    Row { status: 303, method_args: &["-X", "DELETE"], first: "DELETE", with_body: true, extra: &[], second: "GET", replayed: false },
    Row { status: 303, method_args: &["-X", "PATCH"], first: "PATCH", with_body: true, extra: &[], second: "GET", replayed: false },
    Row { status: 303, method_args: &["-X", "PURGE"], first: "PURGE", with_body: true, extra: &[], second: "GET", replayed: false },
    // -X is for the first request only: later hops follow the table, unlike curl.
    Row { status: 303, method_args: &["-X", "DELETE"], first: "DELETE", with_body: false, extra: &[], second: "GET", replayed: false },
    Row { status: 301, method_args: &["-X", "POST"], first: "POST", with_body: false, extra: &[], second: "GET", replayed: false },
    // 307/308: everything is replayed.
    Row { status: 307, method_args: &["-X", "POST"], first: "POST", with_body: true, extra: &[], second: "POST", replayed: true },
    Row { status: 307, method_args: &["-X", "PUT"], first: "PUT", with_body: true, extra: &[], second: "PUT", replayed: true },
    Row { status: 307, method_args: &["-X", "DELETE"], first: "DELETE", with_body: true, extra: &[], second: "DELETE", replayed: true },
    Row { status: 307, method_args: &["-X", "PATCH"], first: "PATCH", with_body: true, extra: &[], second: "PATCH", replayed: true },
    Row { status: 308, method_args: &["-X", "POST"], first: "POST", with_body: true, extra: &[], second: "POST", replayed: true },
    Row { status: 308, method_args: &["-X", "PUT"], first: "PUT", with_body: true, extra: &[], second: "PUT", replayed: true },
    Row { status: 308, method_args: &["-X", "PURGE"], first: "PURGE", with_body: true, extra: &[], second: "PURGE", replayed: true },
    Row { status: 308, method_args: &["-I"], first: "HEAD", with_body: false, extra: &[], second: "HEAD", replayed: false },
    // curl's --post301/302/303 keep POST and its body on that status only.
    Row { status: 301, method_args: &["-X", "POST"], first: "POST", with_body: true, extra: &["--post301"], second: "POST", replayed: true },
    Row { status: 302, method_args: &["-X", "POST"], first: "POST", with_body: true, extra: &["--post302"], second: "POST", replayed: true },
    Row { status: 303, method_args: &["-X", "POST"], first: "POST", with_body: true, extra: &["--post303"], second: "POST", replayed: true },
    Row { status: 301, method_args: &["-X", "POST"], first: "POST", with_body: true, extra: &["--post302", "--post303"], second: "GET", replayed: false },
    Row { status: 303, method_args: &["-X", "PUT"], first: "PUT", with_body: true, extra: &["--post303"], second: "GET", replayed: false },
];

#[test]
fn method_and_body_follow_the_table_on_the_wire() {
    let dir = tempfile::tempdir().unwrap();
    let body = binary_body();
    let body_arg = format!("@{}", write_file(dir.path(), "body.bin", &body).display());
    for row in TABLE {
        let site = Site::start(vec![redirect("/from", row.status, "/to"), ok("/to")]);
        let mut args: Vec<&str> = row.method_args.to_vec();
        if row.with_body {
            args.extend(["--data-binary", &body_arg]);
        }
        args.extend(row.extra);
        args.push("{shop}/from");
        let run = site.run(&args);
        let what = format!("{} {} {:?}", row.status, row.first, row.extra);
        assert_eq!(run.code, 0, "{what}\n{run}");
        assert_eq!(
            site.requests(),
            [
                format!("{} shop.test /from", row.first),
                format!("{} shop.test /to", row.second)
            ],
            "{what}\n{run}"
        );
        let received = site.received();
        let (first, second) = (&received[0], &received[1]);
        if row.with_body {
            assert_eq!(first.body, body, "{what}: first body");
            assert_header(first, "content-type", FORM);
            assert_header(first, "content-length", "256");
        } else {
            assert!(first.body.is_empty(), "{what}: first body");
        }
        if row.with_body && row.replayed {
            assert_eq!(second.body, body, "{what}: replayed body");
            assert_header(second, "content-type", FORM);
            assert_header(second, "content-length", "256");
            run.stdout_has(&format!("next: {} kept, body kept (256 bytes)", row.second));
        } else {
            assert!(
                second.body.is_empty(),
                "{what}: second body {:?}",
                second.body
            );
            assert_absent(second, &["content-length", "transfer-encoding"]);
        }
        if row.first != row.second {
            assert_absent(second, &["content-type"]);
            run.stdout_has(&format!("next: {} → {}", row.first, row.second));
            if row.with_body {
                run.stdout_has("body dropped (256 bytes)")
                    .stdout_has(&format!(
                        "removed Content-Type: method changed to GET on {}",
                        row.status
                    ));
            }
        }
    }
}

#[test]
fn body_headers_go_with_the_switch_to_get_and_only_then() {
    let headers = [
        "Content-Type: text/csv",
        "Content-Language: en",
        "Content-Encoding: identity",
        "Content-Location: /orig",
        "X-Other: kept",
    ];
    let header_args: Vec<&str> = headers.iter().flat_map(|h| ["-H", *h]).collect();
    let body_names = [
        "content-type",
        "content-language",
        "content-encoding",
        "content-location",
        "content-length",
    ];
    for (status, method, switched) in [
        (302, "POST", true),
        (307, "POST", false),
        (301, "GET", false),
    ] {
        let site = Site::start(vec![redirect("/from", status, "/to"), ok("/to")]);
        let mut args = vec!["-X", method];
        if method == "POST" {
            args.extend(["-d", "a=1"]);
        }
        args.extend(&header_args);
        args.push("{shop}/from");
        let run = site.run(&args);
        run.code(0);
        let received = site.received();
        assert_header(&received[0], "content-type", "text/csv");
        assert_header(&received[1], "x-other", "kept");
        if switched {
            assert_absent(&received[1], &body_names);
            for name in [
                "Content-Type",
                "Content-Language",
                "Content-Encoding",
                "Content-Location",
            ] {
                run.stdout_has(&format!("removed {name}: method changed to GET on 302"));
            }
        } else {
            // A GET with its own Content-Type keeps it too: the method did not change.
            assert_header(&received[1], "content-type", "text/csv");
            assert_header(&received[1], "content-language", "en");
            assert_header(&received[1], "content-location", "/orig");
            run.stdout_lacks("removed ");
        }
    }
}

#[test]
fn x_sets_the_first_method_only_across_a_whole_chain() {
    let site = Site::start(vec![
        redirect("/one", 307, "/two"),
        redirect("/two", 302, "/three"),
        redirect("/three", 303, "/four"),
        redirect("/four", 308, "/five"),
        ok("/five"),
    ]);
    let run = site.run(&["-X", "PUT", "-d", "v=1", "{shop}/one"]);
    run.code(0)
        .hops_shown(5)
        .stdout_has("next: PUT kept, body kept (3 bytes)")
        .stdout_has("next: PUT → GET, body dropped (3 bytes)")
        .stdout_has("next: GET kept\n");
    assert_eq!(
        site.requests(),
        [
            "PUT shop.test /one",
            "PUT shop.test /two",
            "PUT shop.test /three",
            "GET shop.test /four",
            "GET shop.test /five",
        ]
    );
    let bodies: Vec<Vec<u8>> = site.received().into_iter().map(|r| r.body).collect();
    let v1 = b"v=1".to_vec();
    assert_eq!(bodies, [v1.clone(), v1.clone(), v1, vec![], vec![]]);
}

/// One way of giving the body on the command line and the exact bytes it must send.
struct BodySource {
    args: Vec<String>,
    stdin: Vec<u8>,
    expected: Vec<u8>,
}

#[test]
fn body_sources_are_read_once_and_replayed_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let lines = write_file(dir.path(), "lines.txt", b"a=1\r\nb=2\nc=3\n");
    let at = |path: &std::path::Path| format!("@{}", path.display());
    let sources = vec![
        // -d @file drops CR and LF, as curl does.
        BodySource {
            args: vec!["-d".into(), at(&lines)],
            stdin: vec![],
            expected: b"a=1b=2c=3".to_vec(),
        },
        // --data-binary @file keeps every byte.
        BodySource {
            args: vec!["--data-binary".into(), at(&lines)],
            stdin: vec![],
            expected: b"a=1\r\nb=2\nc=3\n".to_vec(),
        },
        // -d @- reads stdin (and drops newlines too).
        BodySource {
            args: vec!["-d".into(), "@-".into()],
            stdin: b"from=stdin\n".to_vec(),
            expected: b"from=stdin".to_vec(),
        },
        // --data-binary @- reads stdin byte for byte.
        BodySource {
            args: vec!["--data-binary".into(), "@-".into()],
            stdin: binary_body(),
            expected: binary_body(),
        },
        // Several -d are joined with '&'.
        BodySource {
            args: ["-d", "a=1", "-d", "b=2", "-d", "c=3"]
                .map(String::from)
                .to_vec(),
            stdin: vec![],
            expected: b"a=1&b=2&c=3".to_vec(),
        },
        // Different body flags are joined in the order they were typed, as curl does.
        BodySource {
            args: [
                "--data-raw",
                "a=1",
                "-d",
                "b=2",
                "--data-binary",
                "c=3",
                "-d",
                "d=4",
            ]
            .map(String::from)
            .to_vec(),
            stdin: vec![],
            expected: b"a=1&b=2&c=3&d=4".to_vec(),
        },
        // --data-raw takes a leading @ literally.
        BodySource {
            args: vec!["--data-raw".into(), at(&lines)],
            stdin: vec![],
            expected: at(&lines).into_bytes(),
        },
        // An empty -d is still a (zero-byte) POST body.
        BodySource {
            args: vec!["-d".into(), String::new()],
            stdin: vec![],
            expected: vec![],
        },
    ];
    for source in sources {
        let site = Site::start(vec![redirect("/from", 307, "/to"), ok("/to")]);
        let mut args: Vec<&str> = source.args.iter().map(String::as_str).collect();
        args.push("{shop}/from");
        let run = site.run_with_stdin(&args, source.stdin.clone());
        run.code(0).stdout_has(&format!(
            "next: POST kept, body kept ({} byte",
            source.expected.len()
        ));
        assert_eq!(
            site.requests(),
            ["POST shop.test /from", "POST shop.test /to"],
            "{:?}\n{run}",
            source.args
        );
        for request in site.received() {
            assert_eq!(
                request.body, source.expected,
                "{:?}: {request}",
                source.args
            );
            assert_header(
                &request,
                "content-length",
                &source.expected.len().to_string(),
            );
        }
    }
}
