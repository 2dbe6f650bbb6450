//! Proxies: `-x`, `--noproxy`, and the proxy environment variables read as curl reads them.
//!
//! The scenario server doubles as the proxy: a proxied request arrives in absolute form and is
//! routed by its Host header, so the server's log shows which requests went through it.

use hops_scenario::BlockingServer;

use crate::support::{Route, hops, hops_with_env, ok, on, redirect};

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
