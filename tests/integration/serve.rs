//! `hops serve`, the redirect playground, as a process: the ports it prints, a scenario played
//! by name and followed to its end by hops over http and over https (trusting the CA file it
//! wrote), every scenario played on the one server as on its own, httpbin's endpoints, the
//! knobs, reqwest as a client (httpbin, scenarios, knobs, `/hsts`), `--bind` and `--name`, its
//! request log on stdout and in NDJSON, hostile paths escaped in that log, bodies over the cap
//! refused, `--quiet`, `--list`, and SIGINT and SIGTERM ending it with 130 and 143.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::Duration;

use wait_timeout::ChildExt;

use crate::support::{hops, write_file};

/// Longer than this and the process is taken to hang: a safety net, not a timing assertion.
const HANG_GUARD: Duration = Duration::from_secs(30);

/// The last line of what `hops serve` prints at start.
const BANNER_END: &str = "GET / lists the scenarios";

/// A running `hops serve`, its stdout read line by line as it comes.
struct Serving {
    child: Child,
    lines: Receiver<String>,
    /// Every stdout line read so far.
    seen: Vec<String>,
    port: u16,
    tls_port: u16,
    dir: tempfile::TempDir,
}

impl Serving {
    /// Starts `hops serve --port 0 --https-port 0 --ca-out DIR/ca.pem EXTRA` and reads its banner.
    fn start(extra: &[&str]) -> Serving {
        let dir = tempfile::tempdir().expect("temporary directory");
        let ca = dir.path().join("ca.pem");
        let mut child = Command::new(env!("CARGO_BIN_EXE_hops"))
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", dir.path())
            .current_dir(dir.path())
            .args(["serve", "--port", "0", "--https-port", "0", "--ca-out"])
            .arg(&ca)
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("hops serve can be started");
        let stdout = child.stdout.take().expect("piped stdout");
        let (sender, lines) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut serving = Serving {
            child,
            lines,
            seen: Vec::new(),
            port: 0,
            tls_port: 0,
            dir,
        };
        serving.wait_for(|line| line.starts_with(BANNER_END));
        let first = serving.seen[0].clone();
        let port_after = |marker: &str| -> u16 {
            let rest = &first[first.find(marker).expect("listener in the banner") + marker.len()..];
            let address = rest.split([',', ' ']).next().unwrap();
            address.rsplit(':').next().unwrap().parse().expect("a port")
        };
        serving.port = port_after("http on ");
        serving.tls_port = port_after("https on ");
        assert_ne!(serving.port, 0, "{first}");
        assert_ne!(serving.tls_port, 0, "{first}");
        serving
    }

    fn ca(&self) -> String {
        self.dir.path().join("ca.pem").display().to_string()
    }

    /// `--resolve` for every scenario host, to this server.
    fn resolve(&self) -> Vec<String> {
        hops_scenario::SCENARIO_HOSTS
            .iter()
            .flat_map(|host| {
                [
                    "--resolve".to_owned(),
                    format!("{host}:{}:127.0.0.1", self.port),
                ]
            })
            .collect()
    }

    /// Reads stdout until a line passes `test`, and returns it; fails if none comes.
    #[track_caller]
    fn wait_for(&mut self, test: impl Fn(&str) -> bool) -> String {
        loop {
            match self.lines.recv_timeout(HANG_GUARD) {
                Ok(line) => {
                    self.seen.push(line.clone());
                    if test(&line) {
                        return line;
                    }
                }
                Err(_) => {
                    let _ = self.child.kill();
                    panic!("no such line from hops serve:\n{}", self.seen.join("\n"));
                }
            }
        }
    }

    /// The next log line from `listener` that contains `tail`.
    #[track_caller]
    fn logged(&mut self, listener: &str, tail: &str) -> String {
        let listener = format!(" {listener:<5} ");
        let tail = tail.to_owned();
        self.wait_for(move |line| line.contains(&listener) && line.contains(&tail))
    }

    /// Sends `signal` as `kill -s` does, and returns the exit code and all of stdout.
    fn stop(&mut self, signal: &str) -> (Option<i32>, Vec<String>) {
        let status = Command::new("kill")
            .args(["-s", signal, &self.child.id().to_string()])
            .status()
            .expect("kill can be run");
        assert!(status.success(), "kill -s {signal} failed");
        let status = match self.child.wait_timeout(HANG_GUARD).expect("waitable") {
            Some(status) => status,
            None => {
                let _ = self.child.kill();
                self.child.wait().expect("hops serve can be reaped")
            }
        };
        while let Ok(line) = self.lines.recv_timeout(HANG_GUARD) {
            self.seen.push(line);
        }
        (status.code(), self.seen.clone())
    }
}

/// A test that ends without `stop`, or fails, must not leave the server running.
impl Drop for Serving {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Sends raw bytes as one HTTP/1.1 request and returns the status line.
fn raw_request(port: u16, request: &[u8]) -> String {
    let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).expect("connect");
    stream.set_read_timeout(Some(HANG_GUARD)).unwrap();
    stream.write_all(request).unwrap();
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    let text = String::from_utf8_lossy(&response).into_owned();
    text.lines().next().unwrap_or_default().to_owned()
}

#[test]
fn a_scenario_by_name_is_played_to_its_end_and_logged() {
    let mut serve = Serving::start(&["--log-json", "log.ndjson"]);
    let port = serve.port;
    let mut args = serve.resolve();
    args.push(format!("http://127.0.0.1:{port}/scenario/post-307-303"));
    let run = hops(&args);
    run.code(0)
        .stdout_has("307 Temporary Redirect")
        .stdout_has("303 See Other")
        .stdout_has("200 OK");
    serve.logged(
        "http",
        &format!(" GET /scenario/post-307-303 0B 307 -> http://shop.test:{port}/checkout"),
    );
    serve.logged("http", " GET /checkout 0B 307 -> /pay");
    serve.logged("http", " GET /pay 0B 303 -> /done");
    serve.logged("http", " GET /done 0B 200");

    // The https listener, trusting the CA file it wrote; the leaf covers localhost.
    let tls_port = serve.tls_port;
    let mut args = vec!["--cacert".to_owned(), serve.ca()];
    args.extend(serve.resolve());
    args.extend(["-d".to_owned(), "abc".to_owned()]);
    args.push(format!(
        "https://localhost:{tls_port}/scenario/post-307-303"
    ));
    hops(&args).code(0).stdout_has("200 OK");
    // A 307 keeps the method and the body: the POST reaches the scenario as a POST.
    serve.logged(
        "https",
        " POST /scenario/post-307-303 3B 307 -> http://shop.test:",
    );
    serve.logged("http", " POST /checkout 3B 307 -> /pay");

    // The index, and a request body over the cap.
    hops([format!("http://127.0.0.1:{port}/")]).code(0);
    serve.logged("http", " GET / 0B 200");
    let big = write_file(serve.dir.path(), "big", &vec![b'x'; 2 * 1024 * 1024]);
    let run = hops([
        "--data-binary".to_owned(),
        format!("@{}", big.display()),
        format!("http://127.0.0.1:{port}/upload"),
    ]);
    run.stdout_has("413");
    serve.logged("http", " POST /upload 0B 413");

    let json_path = serve.dir.path().join("log.ndjson");
    let (code, _) = serve.stop("INT");
    assert_eq!(code, Some(130), "SIGINT ends hops serve with 130");
    let json = std::fs::read_to_string(json_path).unwrap();
    let first: serde_json::Value = serde_json::from_str(json.lines().next().unwrap()).unwrap();
    assert_eq!(first["listener"], "http");
    assert_eq!(first["method"], "GET");
    assert_eq!(first["path"], "/scenario/post-307-303");
    assert_eq!(first["status"], 307);
    assert!(
        first["connection"].as_u64().is_some_and(|n| n >= 1),
        "{first}"
    );
    assert_eq!(
        first["location"],
        format!("http://shop.test:{port}/checkout")
    );
    assert!(json.lines().count() >= 7, "{json}");
}

#[test]
fn hostile_paths_are_escaped_in_the_log() {
    let mut serve = Serving::start(&[]);
    // A C1 control (CSI) and a right-to-left override: valid in a request target, harmful on
    // a terminal.
    let status = raw_request(
        serve.port,
        b"GET /x\xc2\x9b31m\xe2\x80\xae HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(status, "HTTP/1.1 404 Not Found");
    let line = serve.logged("http", r" GET /x\u{9b}31m\u{202e} 0B 404");
    assert!(
        !line.contains('\u{9b}') && !line.contains('\u{202e}'),
        "{line}"
    );
    // Garbage the HTTP parser refuses does not stop the server.
    raw_request(serve.port, b"\x00\x01 nonsense\r\n\r\n");
    hops([format!("http://127.0.0.1:{}/", serve.port)]).code(0);
    serve.logged("http", " GET / 0B 200");
    let (code, _) = serve.stop("TERM");
    assert_eq!(code, Some(143), "SIGTERM ends hops serve with 143");
}

#[test]
fn quiet_logs_nothing_on_stdout_and_the_json_log_is_appended_to() {
    let logs = tempfile::tempdir().unwrap();
    let log = write_file(logs.path(), "log.ndjson", b"{\"earlier\":true}\n");
    let mut serve = Serving::start(&["--quiet", "--log-json", log.to_str().unwrap()]);
    hops([format!("http://127.0.0.1:{}/scenario/loop", serve.port)]);
    hops([format!("http://127.0.0.1:{}/", serve.port)]).code(0);
    let (code, lines) = serve.stop("TERM");
    assert_eq!(code, Some(143));
    let after_banner: Vec<&String> = lines
        .iter()
        .skip_while(|line| !line.starts_with(BANNER_END))
        .skip(1)
        .collect();
    assert!(after_banner.is_empty(), "{after_banner:?}");
    let json = std::fs::read_to_string(&log).unwrap();
    let lines: Vec<&str> = json.lines().collect();
    assert_eq!(lines[0], "{\"earlier\":true}", "{json}");
    let first: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
    assert_eq!(first["path"], "/scenario/loop", "{json}");
    assert!(
        first["time"]
            .as_str()
            .is_some_and(|time| time.ends_with('Z')),
        "{json}"
    );
}

/// What a client should send on each hop, as JSON, and HTTP/2 on both listeners (h2 by ALPN
/// over https, h2c with prior knowledge over http).
#[test]
fn expectations_and_http2() {
    let mut serve = Serving::start(&[]);
    let base = format!("http://127.0.0.1:{}", serve.port);
    let run = hops(["-o", "-", &format!("{base}/scenario/cookie-path/expect")]);
    run.code(0);
    let expect: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(
        expect["start"],
        format!("http://shop.test:{}/members", serve.port)
    );
    assert_eq!(expect["hops_exit"], 3);
    assert_eq!(expect["requests"].as_array().unwrap().len(), 3);
    assert_eq!(expect["requests"][2]["headers_absent"][0], "cookie");

    hops(["--http2-prior-knowledge", &format!("{base}/get")])
        .code(0)
        .stdout_has("200 OK  HTTP/2");
    let tls = format!("https://localhost:{}/redirect/1", serve.tls_port);
    hops(["--cacert", &serve.ca(), &tls])
        .code(0)
        .stdout_has("302 Found  HTTP/2")
        .stdout_has("200 OK  HTTP/2");
    serve.logged("https", " GET /get 0B 200");
    serve.stop("TERM");
}

#[test]
fn list_names_every_scenario() {
    let run = hops(["serve", "--list"]);
    run.code(0)
        .stdout_has("post-307-303 ")
        .stdout_has("hsts-preload ")
        .stdout_has("two-locations ");
    assert_eq!(
        run.stdout.lines().count(),
        hops_scenario::playground().len()
    );
}

/// Every scenario, played by hops on one `hops serve` with all the others: the same exit code,
/// output and requests (method, host, path, listener, from the NDJSON log) as on a server of
/// its own (tests/integration/scenarios.rs). A route one scenario shared with another would
/// answer for the wrong one here.
#[test]
fn every_scenario_plays_on_the_shared_server_as_on_its_own() {
    let mut serve = Serving::start(&["--quiet", "--log-json", "log.ndjson"]);
    let log = serve.dir.path().join("log.ndjson");
    let placeholders =
        hops_scenario::Placeholders::new(serve.port, serve.tls_port).with_ca_file(serve.ca());
    let mut problems = Vec::new();
    let mut logged = 0;
    for scenario in hops_scenario::playground() {
        let mut args = scenario.command_args(&placeholders);
        args.extend(["--color".to_owned(), "never".to_owned()]);
        let run = hops(&args);
        let expect = &scenario.expect;
        let mut wrong = Vec::new();
        if run.code != expect.exit {
            wrong.push(format!("exit code {} instead of {}", run.code, expect.exit));
        }
        for needle in expect.stdout.iter().map(|text| placeholders.expand(text)) {
            if !run.stdout.contains(&needle) {
                wrong.push(format!("stdout lacks {needle:?}"));
            }
        }
        let lines: Vec<serde_json::Value> = std::fs::read_to_string(&log)
            .unwrap()
            .lines()
            .skip(logged)
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        logged += lines.len();
        let expected = expect.received.as_deref().unwrap_or_default();
        if lines.len() != expected.len() {
            wrong.push(format!(
                "{} requests instead of {}",
                lines.len(),
                expected.len()
            ));
        }
        for (number, (got, wanted)) in lines.iter().zip(expected).enumerate() {
            let fields = [
                ("method", &wanted.method),
                ("host", &wanted.host),
                ("path", &wanted.path),
                ("listener", &wanted.scheme),
            ];
            for (field, value) in fields {
                if let Some(value) = value {
                    let value = placeholders.expand(value);
                    if got[field].as_str() != Some(value.as_str()) {
                        wrong.push(format!(
                            "request {}: {field} {} not {value:?}",
                            number + 1,
                            got[field]
                        ));
                    }
                }
            }
        }
        if !wrong.is_empty() {
            problems.push(format!("{}: {}\n{run}", scenario.name, wrong.join("; ")));
        }
    }
    serve.stop("TERM");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// httpbin's redirect family and echo, as a client test written against httpbin expects them:
/// hops follows `/redirect/3` to `/get`, and `/anything` echoes what hops sent after a 307.
#[test]
fn httpbin_endpoints_answer_as_httpbin_does() {
    let mut serving = Serving::start(&[]);
    let base = format!("http://127.0.0.1:{}", serving.port);
    let run = hops(["--format", "json", &format!("{base}/redirect/3")]);
    run.code(0);
    let chain: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let hops_seen: Vec<(u64, String)> = chain["hops"]
        .as_array()
        .unwrap()
        .iter()
        .map(|hop| {
            (
                hop["status"].as_u64().unwrap(),
                hop["location"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        hops_seen,
        [
            (302, "/relative-redirect/2".to_owned()),
            (302, "/relative-redirect/1".to_owned()),
            (302, "/get".to_owned()),
            (200, String::new()),
        ]
    );
    serving.logged("http", "GET /redirect/3 0B 302");
    serving.logged("http", "GET /get 0B 200");

    // A 307 keeps the method and the body; /anything says what arrived.
    let target = format!("{base}/anything/echo");
    let run = hops([
        "-d",
        "a=1",
        "-o",
        "-",
        &format!("{base}/redirect-to?url={target}&status_code=307"),
    ]);
    run.code(0);
    let echo: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(echo["method"], "POST", "{run}");
    assert_eq!(echo["form"]["a"], "1", "{run}");
    assert_eq!(echo["url"], target.as_str(), "{run}");
    // The peer's address: hops connected over the loopback.
    assert_eq!(echo["origin"], "127.0.0.1", "{run}");
    serving.logged("http", "POST /anything/echo 3B 200");
    let (code, _) = serving.stop("INT");
    assert_eq!(code, Some(130));
}

/// `?status=` changes a success's status, `?delay=` answers late (not timed here: hops waits
/// for it), and `/hsts` sends the header its query describes, over https only.
#[test]
fn knobs_and_the_hsts_endpoint() {
    let mut serving = Serving::start(&[]);
    let base = format!("http://127.0.0.1:{}", serving.port);
    hops([
        "-s",
        "-w",
        "%{http_code}",
        &format!("{base}/get?status=503&delay=20"),
    ])
    .code(0)
    .stdout_has("503");
    serving.logged("http", "GET /get?status=503&delay=20 0B 503");
    // A redirect keeps its status: the knob is for successes.
    hops(["-s", &format!("{base}/status/302?status=500")]).code(0);
    serving.logged("http", "GET /status/302?status=500 0B 302");

    let tls = format!("https://127.0.0.1:{}", serving.tls_port);
    let run = hops([
        "--cacert",
        &serving.ca(),
        "--format",
        "json",
        &format!("{tls}/hsts?max-age=600&includeSubDomains"),
    ]);
    run.code(0);
    assert!(
        run.stdout
            .contains("\"strict-transport-security\",\"max-age=600; includeSubDomains\""),
        "{run}"
    );
    hops([
        "-s",
        "-w",
        "%{http_code}",
        &format!("{base}/hsts?max-age=600"),
    ])
    .code(0)
    .stdout_has("400");
    serving.logged("https", "GET /hsts?max-age=600&includeSubDomains 0B 200");
    let (code, _) = serving.stop("TERM");
    assert_eq!(code, Some(143));
}

/// Another client than hops: reqwest, with its own redirect policy, over the https listener
/// with the CA `hops serve` wrote. It follows `/redirect/3` to `/get`, and replays a POST's
/// body through a 307 to `/anything`, as httpbin would have it answer.
#[test]
fn reqwest_follows_the_playground_over_https() {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;

    let mut serving = Serving::start(&[]);
    let ca = std::fs::read(serving.ca()).expect("the CA file was written");
    let mut roots = rustls::RootCertStore::empty();
    for certificate in CertificateDer::pem_slice_iter(&ca) {
        roots.add(certificate.expect("a PEM certificate")).unwrap();
    }
    let tls = rustls::ClientConfig::builder_with_provider(std::sync::Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_root_certificates(roots)
    .with_no_client_auth();
    let loopback = std::net::SocketAddr::from((Ipv4Addr::LOCALHOST, 0));
    let client = hops_scenario::SCENARIO_HOSTS
        .iter()
        .fold(reqwest::Client::builder(), |builder, host| {
            builder.resolve(host, loopback)
        })
        .tls_backend_preconfigured(tls)
        .build()
        .expect("a reqwest client");
    let base = format!("https://localhost:{}", serving.tls_port);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let outcome = runtime.block_on(async {
        let response = client
            .get(format!("{base}/redirect/3"))
            .send()
            .await
            .unwrap();
        let (url, status) = (response.url().to_string(), response.status().as_u16());
        let echo = client
            .post(format!("{base}/redirect-to?url=/anything&status_code=307"))
            .body("payload")
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        let echo: serde_json::Value = serde_json::from_slice(&echo).unwrap();
        // A scenario: the JSON POST goes through the playground's 307 and the scenario's 308.
        let created = client
            .post(format!("{base}/scenario/post-308"))
            .header("content-type", "application/json")
            .body(r#"{"id":7}"#)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        // The loop scenario really loops: reqwest gives up after its own redirect limit.
        let looped = client
            .get(format!("{base}/scenario/loop"))
            .send()
            .await
            .unwrap_err()
            .is_redirect();
        // Knobs and the HSTS endpoint.
        let unavailable = client
            .get(format!("{base}/get?status=503"))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        let sts = client
            .get(format!("{base}/hsts?max-age=60&includeSubDomains"))
            .send()
            .await
            .unwrap()
            .headers()
            .get("strict-transport-security")
            .map(|value| value.to_str().unwrap().to_owned());
        (url, status, echo, created, looped, unavailable, sts)
    });
    let (final_url, status, echo, created, looped, unavailable, sts) = outcome;
    assert_eq!((final_url.as_str(), status), (&*format!("{base}/get"), 200));
    assert_eq!(echo["method"], "POST");
    assert_eq!(echo["data"], "payload");
    assert_eq!(created, 201);
    assert!(
        looped,
        "reqwest stops on the loop scenario with a redirect error"
    );
    assert_eq!(unavailable, 503);
    assert_eq!(sts.as_deref(), Some("max-age=60; includeSubDomains"));
    serving.logged("https", "GET /redirect/3 0B 302");
    serving.logged("https", "GET /relative-redirect/1 0B 302");
    serving.logged("https", "POST /anything 7B 200");
    serving.logged("https", "POST /scenario/post-308 8B 307");
    serving.logged("http", "POST /api/v2/orders 8B 201");
    serving.logged("http", "GET /b 0B 302 -> /a");
    serving.logged("https", "GET /get?status=503 0B 503");
}

/// `?drip=` sends the body slowly but whole: hops gets every byte of it (its pace is the
/// server's unit test's business, not a timed assertion here).
#[test]
fn a_dripped_body_arrives_whole() {
    let mut serving = Serving::start(&[]);
    let url = format!("http://127.0.0.1:{}/get?drip=2000", serving.port);
    let run = hops(["-o", "-", &url]);
    run.code(0);
    let echo: serde_json::Value = serde_json::from_str(&run.stdout).expect("the whole JSON body");
    assert_eq!(echo["url"], url.as_str());
    serving.logged("http", "GET /get?drip=2000 0B 200");
}

/// `--bind` moves both listeners (127.0.0.2 is loopback too, but not 127.0.0.1), and the
/// certificate covers each `--name` besides the usual names, and no other name.
#[test]
fn bind_and_name_reach_the_listeners_and_the_certificate() {
    let mut serve = Serving::start(&["--bind", "127.0.0.2", "--name", "play.test"]);
    assert!(
        serve.seen[0].contains(&format!("http on 127.0.0.2:{}", serve.port)),
        "{}",
        serve.seen[0]
    );
    hops([format!("http://127.0.0.2:{}/get", serve.port)])
        .code(0)
        .stdout_has("200 OK");
    serve.logged("http", " GET /get 0B 200");
    hops([format!("http://127.0.0.1:{}/get", serve.port)]).code(6);

    let tls = |name: &str| {
        hops([
            "--cacert".to_owned(),
            serve.ca(),
            "--resolve".to_owned(),
            format!("{name}:{}:127.0.0.2", serve.tls_port),
            format!("https://{name}:{}/get", serve.tls_port),
        ])
    };
    tls("play.test").code(0).stdout_has("200 OK");
    tls("localhost").code(0);
    tls("elsewhere.test")
        .code(6)
        .stderr_has("certificate")
        .stderr_has("elsewhere.test");
    serve.stop("TERM");
}

/// `--ca-dir` keeps the CA: a client that trusts `DIR/ca.pem` from one start trusts the next
/// server too, and the key stays readable by its owner only.
#[test]
fn a_kept_ca_is_trusted_across_starts() {
    let keep = tempfile::tempdir().unwrap();
    let dir = keep.path().join("ca");
    let dir_arg = dir.to_str().unwrap().to_owned();
    let mut first = Serving::start(&["--ca-dir", &dir_arg]);
    first.stop("TERM");
    let trusted = std::fs::read(dir.join("ca.pem")).expect("the CA was kept");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.join("ca-key.pem"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let mut second = Serving::start(&["--ca-dir", &dir_arg]);
    assert_eq!(std::fs::read(dir.join("ca.pem")).unwrap(), trusted);
    let url = format!("https://localhost:{}/get", second.tls_port);
    hops(["--cacert", dir.join("ca.pem").to_str().unwrap(), &url])
        .code(0)
        .stdout_has("200 OK");
    second.logged("https", " GET /get 0B 200");
    second.stop("TERM");
}
