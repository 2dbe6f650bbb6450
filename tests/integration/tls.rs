//! HTTPS details per hop (TLS version, cipher suite, ALPN, the server's certificate) in `-v` and
//! in the JSON, and certificate errors named by hop and reason, against the scenario server's
//! https listener with a valid, an expired and a wrong-name leaf certificate, and hops over
//! HTTP/2 against a listener that offers `h2`.

use hops_scenario::{BlockingServer, LEAF_NAMES, LeafKind, TlsOptions, WRONG_NAME};
use serde::Deserialize;

use crate::support::schema::Tls;
use crate::support::{RawServer, Route, Run, hops, ok, redirect};

/// The scenario server with the leaf certificate `leaf` on its https listener.
struct TlsSite {
    server: BlockingServer,
}

impl TlsSite {
    fn start(routes: Vec<Route>, leaf: LeafKind) -> TlsSite {
        Self::start_with(
            routes,
            TlsOptions {
                leaf,
                ..TlsOptions::default()
            },
        )
    }

    /// Like [`TlsSite::start`], with a valid leaf and ALPN `h2, http/1.1` on the https listener.
    fn start_h2(routes: Vec<Route>) -> TlsSite {
        Self::start_with(
            routes,
            TlsOptions {
                http2: true,
                ..TlsOptions::default()
            },
        )
    }

    fn start_with(routes: Vec<Route>, options: TlsOptions) -> TlsSite {
        TlsSite {
            server: BlockingServer::start_with(routes, options).expect("loopback server starts"),
        }
    }

    /// Runs hops with `--resolve` for this server, `--cacert` for its test CA, `--color never`
    /// and `args` expanded.
    fn run(&self, args: &[&str]) -> Run {
        let mut all = vec![
            "--cacert".to_owned(),
            self.server.ca_file().display().to_string(),
        ];
        all.extend(args.iter().map(|arg| (*arg).to_owned()));
        self.run_without_ca(&all.iter().map(String::as_str).collect::<Vec<_>>())
    }

    /// Like [`TlsSite::run`], trusting only the system's CAs (which never signed the test CA).
    fn run_without_ca(&self, args: &[&str]) -> Run {
        let mut all = self.server.resolve_args();
        all.extend(["--color".to_owned(), "never".to_owned()]);
        all.extend(args.iter().map(|arg| self.server.expand(arg)));
        hops(all)
    }

    /// `METHOD scheme:host path` per request received.
    fn requests(&self) -> Vec<String> {
        self.server
            .received()
            .iter()
            .map(|r| format!("{} {}:{} {}", r.method, r.scheme, r.host, r.path))
            .collect()
    }
}

/// Each hop's `tls` and `timing_ms.tls` from a `--format json` run.
fn json_hops(run: &Run) -> Vec<(Option<Tls>, Option<f64>)> {
    let document: serde_json::Value = serde_json::from_str(run.stdout.trim())
        .unwrap_or_else(|error| panic!("not one JSON document ({error})\n{run}"));
    document["hops"]
        .as_array()
        .expect("hops is an array")
        .iter()
        .map(|hop| {
            let tls = Option::<Tls>::deserialize(
                hop.get("tls")
                    .unwrap_or_else(|| panic!("hop without a tls field\n{run}")),
            )
            .unwrap_or_else(|error| panic!("tls object: {error}\n{run}"));
            (tls, hop["timing_ms"]["tls"].as_f64())
        })
        .collect()
}

const TLS13_SUITES: [&str; 3] = [
    "TLS13_AES_256_GCM_SHA384",
    "TLS13_AES_128_GCM_SHA256",
    "TLS13_CHACHA20_POLY1305_SHA256",
];

#[test]
fn verbose_https_hop_shows_version_cipher_alpn_and_certificate() {
    let site = TlsSite::start(vec![ok("/secure")], LeafKind::Valid);
    let run = site.run(&["-v", "{shop_tls}/secure"]);
    run.code(0).quiet_stderr().hops_shown(1);
    let tls_line = run
        .stdout
        .lines()
        .find(|line| line.trim_start().starts_with("TLS 1.3 "))
        .unwrap_or_else(|| panic!("no TLS line\n{run}"));
    assert!(
        TLS13_SUITES.iter().any(|suite| tls_line.contains(suite)),
        "{tls_line}"
    );
    assert!(tls_line.ends_with(", ALPN http/1.1"), "{tls_line}");
    run.stdout_has("    certificate: CN=shop.test, issued by CN=hops scenario test CA, names shop.test, shop.dev, www.shop.test, ")
        .stdout_has("auth.test, other.test and 4 more, expires 20")
        .stdout_has(" (in 39")
        .stdout_lacks("warning");
    // The facts sit under the status line, before the response headers.
    let status = run.stdout.find("200 OK").expect("status line");
    let certificate = run.stdout.find("certificate:").expect("certificate line");
    let headers = run
        .stdout
        .find("< content-length")
        .expect("response headers");
    assert!(status < certificate && certificate < headers, "{run}");
}

#[test]
fn tls_facts_are_shown_only_with_verbose() {
    let site = TlsSite::start(vec![ok("/secure")], LeafKind::Valid);
    site.run(&["{shop_tls}/secure"])
        .code(0)
        .stdout_lacks("TLS 1.3")
        .stdout_lacks("certificate:");
}

#[test]
fn json_has_the_tls_object_on_https_hops_and_null_on_http_hops() {
    let site = TlsSite::start(
        vec![redirect("/start", 302, "{shop_tls}/secure"), ok("/secure")],
        LeafKind::Valid,
    );
    let run = site.run(&["--format", "json", "{shop}/start"]);
    run.code(0).quiet_stderr();
    let hops = json_hops(&run);
    assert_eq!(hops.len(), 2, "{run}");
    let (http, http_time) = &hops[0];
    assert!(http.is_none() && http_time.is_none(), "{run}");
    let (Some(tls), Some(handshake)) = &hops[1] else {
        panic!("the https hop has no tls object or time\n{run}");
    };
    assert_eq!(tls.version.as_deref(), Some("TLSv1.3"));
    assert!(
        TLS13_SUITES.contains(&tls.cipher.as_deref().unwrap_or_default()),
        "{tls:?}"
    );
    assert_eq!(tls.alpn.as_deref(), Some("http/1.1"));
    assert!(tls.new_connection);
    let certificate = tls.certificate.as_ref().expect("certificate");
    assert_eq!(certificate.subject, "CN=shop.test");
    assert_eq!(certificate.issuer, "CN=hops scenario test CA");
    assert_eq!(certificate.names, LEAF_NAMES);
    // Valid for 398 days from yesterday.
    let not_after = time::OffsetDateTime::parse(
        &certificate.not_after,
        &time::format_description::well_known::Rfc3339,
    )
    .expect("an RFC 3339 time");
    let left = not_after - time::OffsetDateTime::now_utc();
    assert!(
        left > time::Duration::days(396) && left <= time::Duration::days(397),
        "{certificate:?}"
    );
    assert!(
        certificate.not_before.len() == 20 && certificate.not_before.ends_with('Z'),
        "{certificate:?}"
    );
    let document: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    let connect = document["hops"][1]["timing_ms"]["connect"]
        .as_f64()
        .expect("a new connection has a connect time");
    assert!(
        *handshake > 0.0 && *handshake <= connect,
        "tls {handshake} within connect {connect}"
    );
}

#[test]
fn an_expired_certificate_stops_the_chain_at_its_hop_with_exit_6() {
    let site = TlsSite::start(vec![ok("/secure")], LeafKind::Expired);
    let run = site.run(&["{shop_tls}/secure"]);
    run.code(6)
        .hop_error(1, "TLS handshake failed: the certificate has expired")
        .hop_error(1, "it was valid until ")
        .hop_error(1, "(1 day ago)");
    assert_eq!(site.requests(), Vec::<String>::new(), "nothing was sent");
}

#[test]
fn a_certificate_for_another_name_names_both_names() {
    let site = TlsSite::start(
        vec![redirect("/start", 302, "{shop_tls}/secure"), ok("/secure")],
        LeafKind::WrongName,
    );
    let run = site.run(&["{shop}/start"]);
    run.code(6).hops_shown(1).hop_error(
        2,
        &format!("the certificate is not valid for shop.test: it is for {WRONG_NAME}"),
    );
    assert_eq!(site.requests(), ["GET http:shop.test /start"]);
}

#[test]
fn a_certificate_from_an_untrusted_ca_is_an_unknown_authority() {
    let site = TlsSite::start(vec![ok("/secure")], LeafKind::Valid);
    let run = site.run_without_ca(&["{shop_tls}/secure"]);
    run.code(6).hop_error(
        1,
        "the certificate was issued by an unknown authority: CN=hops scenario test CA; --cacert FILE",
    );
    assert_eq!(site.requests(), Vec::<String>::new());
}

#[test]
fn insecure_accepts_an_expired_certificate_and_still_shows_it_and_why() {
    let site = TlsSite::start(vec![ok("/secure")], LeafKind::Expired);
    let run = site.run(&["-k", "-v", "{shop_tls}/secure"]);
    run.code(0)
        .quiet_stderr()
        .hops_shown(1)
        .stdout_has(", ALPN http/1.1\n")
        .stdout_has("    certificate: CN=shop.test, issued by CN=hops scenario test CA, names shop.test, ")
        .stdout_has(" (1 day ago)\n")
        .stdout_has(
            "! warning: certificate checks are off (-k); without -k this hop fails: the certificate has expired",
        );
    let tls_line = run
        .stdout
        .lines()
        .find(|line| line.trim_start().starts_with("TLS 1.3 TLS13_"))
        .map(str::to_owned);
    assert!(tls_line.is_some(), "{run}");
    assert_eq!(site.requests(), ["GET https:shop.test /secure"]);
}

#[test]
fn a_reused_connection_keeps_its_tls_facts() {
    let site = TlsSite::start(vec![redirect("/a", 302, "/b"), ok("/b")], LeafKind::Valid);
    let run = site.run(&["--format", "json", "{shop_tls}/a"]);
    run.code(0).quiet_stderr();
    let hops = json_hops(&run);
    assert_eq!(hops.len(), 2, "{run}");
    let (Some(first), Some(_)) = &hops[0] else {
        panic!("hop 1 has no tls object or time\n{run}");
    };
    let (Some(second), second_time) = &hops[1] else {
        panic!("hop 2 has no tls object\n{run}");
    };
    assert!(first.new_connection, "{run}");
    assert!(!second.new_connection, "{run}");
    assert_eq!(*second_time, None, "no handshake on a reused connection");
    assert_eq!(
        (&second.version, &second.cipher, &second.alpn),
        (&first.version, &first.cipher, &first.alpn)
    );
    assert_eq!(
        second.certificate.as_ref().map(|c| &c.subject),
        Some(&"CN=shop.test".to_owned())
    );
    assert_eq!(
        site.requests(),
        ["GET https:shop.test /a", "GET https:shop.test /b"]
    );

    let verbose = site.run(&["-v", "{shop_tls}/a"]);
    verbose
        .code(0)
        .stdout_has(", ALPN http/1.1\n")
        .stdout_has(", ALPN http/1.1 (connection reused)\n");
    assert_eq!(
        verbose
            .stdout
            .matches("    certificate: CN=shop.test")
            .count(),
        2,
        "{verbose}"
    );
}

#[test]
fn an_https_chain_runs_over_http2_when_the_server_offers_h2() {
    let site = TlsSite::start_h2(vec![redirect("/a", 301, "/b"), ok("/b")]);
    let run = site.run(&["--format", "json", "{shop_tls}/a"]);
    run.code(0).quiet_stderr();
    let document: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    let versions: Vec<&str> = document["hops"]
        .as_array()
        .expect("hops is an array")
        .iter()
        .map(|hop| hop["http_version"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(versions, ["HTTP/2.0", "HTTP/2.0"], "{run}");
    let statuses: Vec<u64> = document["hops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hop| hop["status"].as_u64().unwrap_or_default())
        .collect();
    assert_eq!(statuses, [301, 200], "{run}");
    let hops = json_hops(&run);
    assert_eq!(hops.len(), 2, "{run}");
    let (Some(first), Some(_)) = &hops[0] else {
        panic!("hop 1 has no tls object or time\n{run}");
    };
    let (Some(second), None) = &hops[1] else {
        panic!("hop 2 has no tls object, or a handshake time on a reused connection\n{run}");
    };
    assert_eq!(first.alpn.as_deref(), Some("h2"), "{run}");
    assert_eq!(second.alpn.as_deref(), Some("h2"), "{run}");
    assert!(first.new_connection, "{run}");
    assert!(!second.new_connection, "{run}");
    assert_eq!(
        site.requests(),
        ["GET https:shop.test /a", "GET https:shop.test /b"]
    );

    site.server.clear_received();
    let text = site.run(&["{shop_tls}/a"]);
    text.code(0).quiet_stderr().stdout_has("HTTP/2.0");
    let verbose = site.run(&["-v", "{shop_tls}/a"]);
    verbose
        .code(0)
        .stdout_has(", ALPN h2\n")
        .stdout_has(", ALPN h2 (connection reused)\n");
}

#[test]
fn a_post_through_a_307_over_http2_replays_the_body_byte_for_byte() {
    let site = TlsSite::start_h2(vec![redirect("/form", 307, "/done"), ok("/done")]);
    // Not UTF-8 and full of line breaks and NULs: every byte must survive the replay.
    let body: Vec<u8> = (0..=255u8).rev().collect();
    let dir = tempfile::tempdir().unwrap();
    let file = crate::support::write_file(dir.path(), "body.bin", &body);
    let data = format!("@{}", file.display());
    let run = site.run(&[
        "--format",
        "json",
        "--data-binary",
        &data,
        "{shop_tls}/form",
    ]);
    run.code(0).quiet_stderr();
    let document: serde_json::Value = serde_json::from_str(run.stdout.trim()).unwrap();
    for hop in document["hops"].as_array().expect("hops is an array") {
        assert_eq!(hop["http_version"], "HTTP/2.0", "{run}");
    }
    assert_eq!(
        site.requests(),
        ["POST https:shop.test /form", "POST https:shop.test /done"]
    );
    let received = site.server.received();
    assert_eq!(received[0].body, body, "first body");
    assert_eq!(received[1].body, body, "replayed body");
}

#[test]
fn a_thousand_cookies_come_through_over_http2() {
    // HTTP/2 limits a response's header list to 16 KiB unless the client asks for more.
    let mut page = ok("/a");
    for i in 0..1000 {
        page = page.with_header("Set-Cookie", format!("c{i}=v; Path=/"));
    }
    let site = TlsSite::start_h2(vec![page]);
    site.run(&["{shop_tls}/a"])
        .code(0)
        .quiet_stderr()
        .stdout_has("HTTP/2.0")
        .stdout_has("Set-Cookie: c999=****; Path=/  (stored)");
}

/// What a server that speaks only TLS 1.0 answers hops's ClientHello (which offers TLS 1.2 and
/// 1.3), in the two ways such servers do, byte for byte: RFC 5246 §6.2.1 records, §7.2 alerts,
/// §7.4.1.3 ServerHello.
const OLD_TLS_REPLIES: [(&str, &[u8]); 2] = [
    // A current TLS library limited to 1.0 (OpenSSL 3 with MaxProtocol TLSv1) sees no version in
    // common and says so: a fatal (2) protocol_version (70) alert in a TLS 1.0 record.
    (
        "protocol_version alert",
        &[0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 70],
    ),
    // An old library that knows nothing newer picks the highest version it has: a ServerHello
    // for 0x0301 (TLS 1.0), with TLS_RSA_WITH_AES_128_CBC_SHA.
    ("TLS 1.0 ServerHello", &SERVER_HELLO_TLS10),
];

#[rustfmt::skip]
const SERVER_HELLO_TLS10: [u8; 47] = [
    0x16, 0x03, 0x01, 0x00, 0x2a, // handshake record, TLS 1.0, 42 bytes
    0x02, 0x00, 0x00, 0x26,       // ServerHello, 38 bytes
    0x03, 0x01,                   // server_version: TLS 1.0
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, // random
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0x00,                         // session id: none
    0x00, 0x2f,                   // cipher suite
    0x00,                         // compression: none
];

#[test]
fn a_server_that_speaks_only_tls_1_0_is_named_as_such() {
    for (name, reply) in OLD_TLS_REPLIES {
        let server = RawServer::replying(reply);
        let run = hops(["--color", "never", &server.https_url("/")]);
        run.code(6).hop_error(
            1,
            "TLS handshake failed: the server offers only TLS 1.0 or 1.1; hops needs TLS 1.2 or \
             later",
        );
        assert!(!run.stderr.contains("ProtocolVersion"), "{name}\n{run}");
        assert!(!run.stderr.contains("PeerIncompatible"), "{name}\n{run}");
    }
}

#[test]
fn an_http_server_on_an_https_url_is_named_as_such() {
    let server = RawServer::replying(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    hops(["--color", "never", &server.https_url("/")])
        .code(6)
        .hop_error(
            1,
            "TLS handshake failed: the server did not answer in TLS: is this an http port?",
        );
}

const SELF_SIGNED_HINT: &str = "TLS handshake failed: self-signed certificate (CN=shop.test); \
                                pass it with --cacert FILE, or -k to skip verification";

#[test]
fn cacert_trusts_a_self_signed_certificate_the_server_presents_ca_or_not() {
    for leaf in [LeafKind::SelfSignedCa, LeafKind::SelfSigned] {
        // The server's "CA file" is its own certificate, as `openssl req -x509` writes it.
        let site = TlsSite::start(vec![ok("/secure")], leaf);
        site.run(&["-v", "{shop_tls}/secure"])
            .code(0)
            .quiet_stderr()
            .stdout_has("    certificate: CN=shop.test, issued by CN=shop.test, names shop.test, ")
            .stdout_lacks("warning");
        assert_eq!(site.requests(), ["GET https:shop.test /secure"], "{leaf:?}");
    }
}

#[test]
fn a_self_signed_certificate_not_in_cacert_is_called_self_signed() {
    let elsewhere = TlsSite::start(Vec::new(), LeafKind::Valid);
    let other_ca = elsewhere.server.ca_file().display().to_string();
    for leaf in [LeafKind::SelfSignedCa, LeafKind::SelfSigned] {
        let site = TlsSite::start(vec![ok("/secure")], leaf);
        let run = site.run_without_ca(&["{shop_tls}/secure"]);
        run.code(6).hop_error(1, SELF_SIGNED_HINT);
        assert!(!run.stderr.contains("Other("), "{run}");
        site.run_without_ca(&["--cacert", &other_ca, "{shop_tls}/secure"])
            .code(6)
            .hop_error(1, SELF_SIGNED_HINT);
        assert_eq!(site.requests(), Vec::<String>::new(), "{leaf:?}");
    }
}

#[test]
fn a_self_signed_certificate_in_cacert_is_still_refused_for_another_name() {
    let site = TlsSite::start(vec![ok("/secure")], LeafKind::SelfSignedCa);
    let port = site.server.tls_port();
    let resolve = format!("elsewhere.test:{port}:127.0.0.1");
    let url = format!("https://elsewhere.test:{port}/secure");
    site.run(&["--resolve", &resolve, &url]).code(6).hop_error(
        1,
        "TLS handshake failed: the certificate is not valid for elsewhere.test: it is for \
         shop.test, ",
    );
    assert_eq!(site.requests(), Vec::<String>::new());
}
