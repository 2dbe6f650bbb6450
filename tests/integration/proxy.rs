//! Proxies: `-x`, `--noproxy`, and the proxy environment variables read as curl reads them; the
//! proxy each hop went through, and failures that name the proxy.
//!
//! The scenario server doubles as the proxy: a proxied request arrives in absolute form and is
//! routed by its Host header, so the server's log shows which requests went through it. A raw
//! server stands in for a proxy that refuses to open a tunnel.

use std::io::Write;

use hops_scenario::BlockingServer;

use crate::support::schema::Document;
use crate::support::{RawServer, Route, Run, closed_port, hops, hops_with_env, ok, on, redirect};

fn server(routes: Vec<Route>) -> BlockingServer {
    BlockingServer::start(routes).expect("a loopback server")
}

fn paths(server: &BlockingServer) -> Vec<String> {
    server
        .received()
        .iter()
        .map(|r| format!("{} {} {}", r.method, r.host, r.path))
        .collect()
}

#[test]
fn proxy_flag_sends_every_hop_through_the_proxy() {
    let proxy = server(vec![
        on("shop.test", redirect("/a", 302, "/b")),
        on("shop.test", ok("/b")),
    ]);
    let proxy_url = format!("http://127.0.0.1:{}", proxy.port());
    let run = hops(["--color", "never", "-x", &proxy_url, "http://shop.test/a"]);
    run.code(0)
        .stdout_has(&format!("127.0.0.1:{}", proxy.port()));
    assert_eq!(paths(&proxy), ["GET shop.test /a", "GET shop.test /b"]);
}

#[test]
fn lower_case_http_proxy_is_used_and_upper_case_is_not() {
    let proxy = server(vec![on("shop.test", ok("/a"))]);
    let origin = server(vec![ok("/a")]);
    let proxy_url = format!("http://127.0.0.1:{}", proxy.port());
    let direct = format!("http://127.0.0.1:{}/a", origin.port());

    hops_with_env(
        ["http://shop.test/a"],
        vec![],
        &[("http_proxy", &proxy_url)],
    )
    .code(0);
    assert_eq!(paths(&proxy), ["GET shop.test /a"]);

    // curl ignores HTTP_PROXY in capitals (a CGI server sets it from a request header).
    proxy.clear_received();
    hops_with_env([direct.as_str()], vec![], &[("HTTP_PROXY", &proxy_url)]).code(0);
    assert!(proxy.received().is_empty(), "{:?}", paths(&proxy));
    assert_eq!(origin.received().len(), 1);
}

#[test]
fn no_proxy_and_noproxy_bypass_the_proxy() {
    let proxy = server(vec![ok("/a")]);
    let origin = server(vec![ok("/a")]);
    let proxy_url = format!("http://127.0.0.1:{}", proxy.port());
    let direct = format!("http://127.0.0.1:{}/a", origin.port());
    let proxied = [("http_proxy", proxy_url.as_str())];

    hops_with_env(
        [direct.as_str()],
        vec![],
        &[proxied[0], ("no_proxy", "127.0.0.1")],
    )
    .code(0);
    hops_with_env(["--noproxy", "*", direct.as_str()], vec![], &proxied).code(0);
    hops_with_env(
        ["--noproxy", "127.0.0.1", direct.as_str()],
        vec![],
        &proxied,
    )
    .code(0);
    assert!(proxy.received().is_empty(), "{:?}", paths(&proxy));
    assert_eq!(origin.received().len(), 3);
}

/// Each hop's `proxy` from a `--format json` run, read through the schema mirror.
fn hop_proxies(run: &Run) -> Vec<Option<String>> {
    let document: Document = serde_json::from_str(run.stdout.trim())
        .unwrap_or_else(|error| panic!("not one schema document ({error})\n{run}"));
    document.hops.into_iter().map(|hop| hop.proxy).collect()
}

#[test]
fn each_hop_shows_the_proxy_it_went_through_or_none() {
    let origin = server(vec![ok("/b")]);
    let direct = format!("http://127.0.0.1:{}/b", origin.port());
    let proxy = server(vec![on("shop.test", redirect("/a", 302, &direct))]);
    let proxy_url = format!("http://127.0.0.1:{}", proxy.port());
    // The second hop goes to an address no_proxy names: straight to the server.
    let env = [
        ("http_proxy", proxy_url.as_str()),
        ("no_proxy", "127.0.0.1"),
    ];

    let run = hops_with_env(["--format", "json", "http://shop.test/a"], vec![], &env);
    run.code(0).quiet_stderr();
    assert_eq!(hop_proxies(&run), [Some(proxy_url.clone()), None], "{run}");

    let text = hops_with_env(["--color", "never", "http://shop.test/a"], vec![], &env);
    text.code(0);
    let facts: Vec<&str> = text
        .stdout
        .lines()
        .filter(|line| line.starts_with("    30") || line.starts_with("    200"))
        .collect();
    assert_eq!(facts.len(), 2, "{text}");
    assert!(
        facts[0].ends_with(&format!("  via proxy {proxy_url}")),
        "{text}"
    );
    assert!(!facts[1].contains("via proxy"), "{text}");
    assert_eq!(paths(&proxy), ["GET shop.test /a", "GET shop.test /a"]);
    assert_eq!(origin.received().len(), 2);
}

#[test]
fn a_proxy_password_is_masked_on_the_hop() {
    let proxy = server(vec![on("shop.test", ok("/a"))]);
    let proxy_url = format!("http://user:secret@127.0.0.1:{}", proxy.port());
    let run = hops(["--format", "json", "-x", &proxy_url, "http://shop.test/a"]);
    run.code(0);
    let masked = format!("http://user:****@127.0.0.1:{}", proxy.port());
    assert_eq!(hop_proxies(&run), [Some(masked.clone())], "{run}");
    hops(["--color", "never", "-x", &proxy_url, "http://shop.test/a"])
        .code(0)
        .stdout_has(&format!("  via proxy {masked}\n"))
        .stdout_lacks("secret");
    let shown = hops([
        "--format",
        "json",
        "--show-secrets",
        "-x",
        &proxy_url,
        "http://shop.test/a",
    ]);
    assert_eq!(hop_proxies(&shown), [Some(proxy_url)], "{shown}");
}

#[test]
fn a_refused_proxy_is_named_not_the_server() {
    let closed = closed_port();
    let proxy_url = format!("http://127.0.0.1:{closed}");
    hops(["--color", "never", "-x", &proxy_url, "http://shop.test/a"])
        .code(6)
        .hop_error(
            1,
            &format!("cannot connect to the proxy {proxy_url} (from -x): connection refused"),
        )
        .stderr_has("(GET http://shop.test/a)");
    hops_with_env(
        ["https://shop.test/a"],
        vec![],
        &[("HTTPS_PROXY", &proxy_url)],
    )
    .code(6)
    .hop_error(
        1,
        &format!("cannot connect to the proxy {proxy_url} (from HTTPS_PROXY): connection refused"),
    );
}

/// A proxy that answers every CONNECT with `status`.
fn refusing_proxy(status: &'static str) -> RawServer {
    RawServer::start(move |_, stream| {
        write!(stream, "HTTP/1.1 {status}\r\nContent-Length: 0\r\n\r\n")
    })
}

#[test]
fn a_proxy_that_refuses_the_tunnel_is_named() {
    let forbidden = refusing_proxy("403 Forbidden");
    let run = hops(["-x", &forbidden.url(""), "https://shop.test/a"]);
    run.code(6).hop_error(
        1,
        &format!(
            "the proxy {} (from -x) refused to open a tunnel to shop.test:443 (it answered \
             CONNECT with an error status)",
            forbidden.url("")
        ),
    );
    assert_eq!(forbidden.targets(), ["CONNECT shop.test:443"]);

    let wants_credentials = refusing_proxy("407 Proxy Authentication Required");
    hops(["-x", &wants_credentials.url(""), "https://shop.test/a"])
        .code(6)
        .hop_error(
            1,
            "(from -x) wants credentials (407) to open a tunnel to shop.test:443",
        );
}

/// Arguments, environment variables, and the usage error they make.
type BadSetting<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);

#[test]
fn a_setting_that_cannot_be_a_proxy_url_is_a_usage_error_before_any_request() {
    let site = server(vec![ok("/a")]);
    let target = format!("http://127.0.0.1:{}/a", site.port());
    #[rustfmt::skip]
    let table: &[BadSetting] = &[
        (&["-x", "http://p.test:99999"], &[], "-x http://p.test:99999: not a proxy URL (invalid port number)"),
        (&["-x", "ftp://p.test"], &[], "-x ftp://p.test: not a proxy URL (ftp is not a proxy scheme"),
        (&[], &[("http_proxy", "socks4://127.0.0.1:1")], "http_proxy=socks4://127.0.0.1:1: not a proxy URL (socks4 proxies are not supported"),
        (&[], &[("all_proxy", "http://u:secret@")], "all_proxy=http://u:****@: not a proxy URL (empty host)"),
    ];
    for (args, env, expected) in table {
        let mut all = args.to_vec();
        all.push(&target);
        let run = hops_with_env(all, vec![], env);
        run.usage_error(expected);
        assert!(!run.stderr.contains("secret"), "{run}");
    }
    assert!(site.received().is_empty(), "{:?}", paths(&site));
}
