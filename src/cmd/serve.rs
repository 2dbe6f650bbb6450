//! `hops serve`: the built-in scenarios as a redirect playground for any client. One scenario
//! server (crates/scenario) serves every scenario's routes at once on an http and an https port;
//! `/scenario/NAME` answers a 307 to where scenario NAME starts, `/` lists them, and every request
//! is logged on stdout (and as NDJSON with `--log-json`). The server keeps no request history, so
//! it can run for as long as it is needed. Ctrl-C exits 130, SIGTERM 143 (src/exit.rs).
//!
//! Scenarios answer on their own host names (shop.test, auth.test ...), so a client reaches them
//! with `--resolve`. No two scenarios share a route (a unit test of the scenario crate sees to
//! it), so each plays as it does on a server of its own.
//!
//! Built with the `demo` feature (on by default), which brings in the scenario server crate.
#![cfg(feature = "demo")]

use std::fs::File;
use std::io::{BufWriter, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use anyhow::{Context, Result};
use bytes::Bytes;
use hops_scenario::httpbin::{self, HttpbinRequest};
use hops_scenario::{
    Exchange, Full, IDLE_TIMEOUT, Placeholders, Received, Route, SCENARIO_HOSTS, Scenario,
    ScenarioServer, ServeOptions, TlsOptions,
};
use hyper::{Response, StatusCode};
use serde::Serialize;

use super::demo::shell_quote;
use crate::cli_serve::ServeArgs;
use crate::exit::ExitCode;
use crate::model::Signal;
use crate::render::escape::{self, escape};
use crate::trace::Interrupts;

/// A scenario as the playground offers it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub name: String,
    pub title: String,
    pub explain: String,
    /// The scenario's start URL with placeholders unexpanded (`{shop}/checkout`).
    pub start: String,
    /// The hops arguments that play it, placeholders unexpanded, without `--resolve`.
    pub args: Vec<String>,
}

/// The playground's scenarios in order, each with its start URL.
pub fn entries(scenarios: &[Scenario]) -> Vec<Entry> {
    scenarios
        .iter()
        .map(|scenario| Entry {
            name: scenario.name.clone(),
            title: scenario.title.clone(),
            explain: scenario.explain.clone(),
            start: start_of(scenario),
            args: scenario.args.clone(),
        })
        .collect()
}

/// The URL argument hops is run with: the last one naming a placeholder origin.
fn start_of(scenario: &Scenario) -> String {
    scenario
        .args
        .iter()
        .rev()
        .find(|arg| arg.starts_with('{'))
        .cloned()
        .unwrap_or_else(|| "{shop}/".to_owned())
}

/// One line per scenario: name and title.
pub fn list_text(entries: &[Entry]) -> String {
    entries
        .iter()
        .map(|entry| format!("{:<20} {}\n", entry.name, entry.title))
        .collect()
}

/// The list for a browser: each scenario with its explanation and the hops command that plays
/// it on this server.
fn list_html(entries: &[Entry], placeholders: &Placeholders) -> String {
    let resolve: Vec<String> = placeholders
        .resolve_args()
        .iter()
        .map(|arg| shell_quote(arg))
        .collect();
    let mut html = format!(
        "<!doctype html>\n<meta charset=\"utf-8\">\n<title>hops serve</title>\n\
         <h1>hops serve: redirect scenarios</h1>\n\
         <p>Each scenario answers on its own host names; send them to this server with \
         <code>{}</code>. Following a scenario's link plays it with whatever client you \
         use.</p>\n<dl>\n",
        html_escape(&resolve.join(" "))
    );
    for entry in entries {
        // Names, titles and arguments come from the embedded fixtures; escaped all the same.
        let command: Vec<String> = entry
            .args
            .iter()
            .map(|arg| shell_quote(&placeholders.expand(arg)))
            .collect();
        html.push_str(&format!(
            "<dt><a href=\"/scenario/{0}\">{0}</a> {1}</dt>\n\
             <dd>{2}<br><code>hops {3}</code></dd>\n",
            html_escape(&entry.name),
            html_escape(&entry.title),
            html_escape(&entry.explain),
            html_escape(&command.join(" "))
        ));
    }
    html.push_str("</dl>\n");
    html
}

fn html_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The playground's own pages, answered when no scenario route matches: `/` (the list, HTML
/// when the client accepts it) and `/scenario/NAME` (a 307 to where NAME starts, so a POST
/// stays a POST with its body).
/// httpbin's endpoints (`/redirect/3`, `/anything`, `/cookies/set`...), for the requests no
/// scenario claims: a client test written against httpbin runs unchanged.
fn httpbin_answer(request: &Received) -> Option<Response<Full<Bytes>>> {
    let authority = request.header("host").unwrap_or(&request.host);
    let scheme_and_host = format!("{}://{authority}", request.scheme);
    // Every request the server read has its peer; only one built by hand lacks it.
    let origin_ip = request.peer_ip.map(|ip| ip.to_string()).unwrap_or_default();
    httpbin::answer(&HttpbinRequest {
        method: &request.method,
        path_and_query: &request.path,
        headers: &request.headers,
        body: &request.body,
        origin_ip: &origin_ip,
        scheme_and_host: &scheme_and_host,
    })
}

pub fn answer(
    entries: &[Entry],
    request: &Received,
    placeholders: &Placeholders,
) -> Option<Response<Full<Bytes>>> {
    let path = request
        .path
        .split_once('?')
        .map_or(&*request.path, |(p, _)| p);
    if path == "/" {
        let html = request
            .header("Accept")
            .is_some_and(|accept| accept.contains("text/html"));
        return Some(if html {
            page(
                StatusCode::OK,
                "text/html; charset=utf-8",
                list_html(entries, placeholders),
            )
        } else {
            page(
                StatusCode::OK,
                "text/plain; charset=utf-8",
                list_text(entries),
            )
        });
    }
    if path == "/hsts" {
        return Some(hsts_page(request));
    }
    let name = path.strip_prefix("/scenario/")?;
    Some(match entries.iter().find(|entry| entry.name == name) {
        Some(entry) => {
            let mut response = page(
                StatusCode::TEMPORARY_REDIRECT,
                "text/plain; charset=utf-8",
                format!("scenario {}: {}\n", entry.name, entry.title),
            );
            let location = placeholders.expand(&entry.start);
            if let Ok(value) = hyper::header::HeaderValue::from_str(&location) {
                response
                    .headers_mut()
                    .insert(hyper::header::LOCATION, value);
            }
            response
        }
        None => page(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "no such scenario (GET / lists them)\n".to_owned(),
        ),
    })
}

/// `/hsts?max-age=N&includeSubDomains&preload`: a `Strict-Transport-Security` header made of
/// the query, on the https listener only (a browser ignores it over http, and so does hops).
fn hsts_page(request: &Received) -> Response<Full<Bytes>> {
    if request.scheme != "https" {
        return page(
            StatusCode::BAD_REQUEST,
            "text/plain; charset=utf-8",
            "Strict-Transport-Security is only sent over https: ask the https listener\n"
                .to_owned(),
        );
    }
    let query = request.path.split_once('?').map_or("", |(_, q)| q);
    let mut max_age = "31536000".to_owned();
    let mut flags = Vec::new();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        match name.to_ascii_lowercase().as_str() {
            "max-age" if value.chars().all(|c| c.is_ascii_digit()) && !value.is_empty() => {
                max_age = value.into_owned();
            }
            "includesubdomains" => flags.push("includeSubDomains"),
            "preload" => flags.push("preload"),
            _ => {}
        }
    }
    let header = std::iter::once(format!("max-age={max_age}"))
        .chain(flags.iter().map(|flag| (*flag).to_owned()))
        .collect::<Vec<_>>()
        .join("; ");
    let mut response = page(
        StatusCode::OK,
        "text/plain; charset=utf-8",
        format!("Strict-Transport-Security: {header}\n"),
    );
    if let Ok(value) = hyper::header::HeaderValue::from_str(&header) {
        response
            .headers_mut()
            .insert(hyper::header::STRICT_TRANSPORT_SECURITY, value);
    }
    response
}

fn page(status: StatusCode, content_type: &'static str, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static(content_type),
    );
    response
}

/// One request as the log shows it.
#[derive(Debug, Serialize)]
pub struct LogLine {
    /// UTC, `HH:MM:SS.mmm`.
    pub time: String,
    pub listener: String,
    pub method: String,
    pub host: String,
    pub path: String,
    pub body_bytes: usize,
    pub status: u16,
    pub location: Option<String>,
    /// The connection the request came on, numbered from 1 in the order the server accepted
    /// them (JSON log only): requests sharing a number shared a keep-alive connection.
    pub connection: u64,
}

impl LogLine {
    fn new(exchange: &Exchange<'_>) -> LogLine {
        let now = time::OffsetDateTime::now_utc();
        let received = exchange.received;
        LogLine {
            time: format!(
                "{:02}:{:02}:{:02}.{:03}",
                now.hour(),
                now.minute(),
                now.second(),
                now.millisecond()
            ),
            listener: received.scheme.clone(),
            method: received.method.clone(),
            host: received.host.clone(),
            path: received.path.clone(),
            body_bytes: received.body.len(),
            status: exchange.status,
            location: exchange.location.clone(),
            connection: exchange.connection,
        }
    }

    /// The text line: every value from the request escaped, as the client sent it.
    pub fn text(&self) -> String {
        let mut line = format!(
            "{} {:<5} {} {} {}B {}",
            self.time,
            self.listener,
            escape(&self.method),
            escape(&self.path),
            self.body_bytes,
            self.status
        );
        if let Some(location) = &self.location {
            line.push_str(&format!(" -> {}", escape(location)));
        }
        line
    }
}

/// Where the log goes; each sink is written whole line by line, failures ignored (a closed
/// stdout must not stop the server).
struct Log {
    stdout: bool,
    json: Option<Mutex<BufWriter<File>>>,
}

impl Log {
    fn write(&self, exchange: &Exchange<'_>) {
        let line = LogLine::new(exchange);
        if self.stdout {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}", line.text());
            let _ = out.flush();
        }
        if let Some(json) = &self.json {
            let mut file = json.lock().unwrap_or_else(PoisonError::into_inner);
            let _ = escape::to_writer(&mut *file, &line);
            let _ = writeln!(file);
            let _ = file.flush();
        }
    }
}

pub fn execute(args: &ServeArgs) -> Result<ExitCode> {
    let scenarios = hops_scenario::playground();
    let entries = Arc::new(entries(&scenarios));
    if args.list {
        std::io::stdout()
            .lock()
            .write_all(list_text(&entries).as_bytes())?;
        return Ok(ExitCode::Ok);
    }
    let json = match &args.log_json {
        Some(path) => Some(Mutex::new(BufWriter::new(
            File::create(path)
                .with_context(|| format!("cannot create the log file {}", path.display()))?,
        ))),
        None => None,
    };
    let log = Arc::new(Log {
        stdout: !args.quiet,
        json,
    });
    let mut extra_names = vec!["::1".to_owned()];
    extra_names.extend(args.names.iter().cloned());
    let fallback_entries = Arc::clone(&entries);
    let options = ServeOptions {
        bind: args.bind,
        port: args.port,
        tls_port: args.https_port,
        extra_names,
        record: false,
        knobs: true,
        idle_timeout: IDLE_TIMEOUT,
        on_request: Some(Arc::new(move |exchange: &Exchange<'_>| log.write(exchange))),
        fallback: Some(Arc::new(
            move |request: &Received, placeholders: &Placeholders| {
                answer(&fallback_entries, request, placeholders).or_else(|| httpbin_answer(request))
            },
        )),
    };
    let routes: Vec<Route> = scenarios.into_iter().flat_map(|s| s.routes).collect();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let signal = runtime.block_on(async {
        let mut interrupts = Interrupts::listen().context("cannot listen for signals")?;
        let server = ScenarioServer::start_serving(routes, TlsOptions::default(), options)
            .await
            .with_context(|| format!("cannot listen on {}", args.bind))?;
        let ca = match &args.ca_out {
            Some(path) => {
                std::fs::write(path, server.ca_pem())
                    .with_context(|| format!("cannot write the CA to {}", path.display()))?;
                path.clone()
            }
            None => PathBuf::from(server.ca_file()),
        };
        let mut out = std::io::stdout().lock();
        out.write_all(
            banner(args.bind, server.port(), server.tls_port(), &ca, args.quiet).as_bytes(),
        )?;
        out.flush()?;
        drop(out);
        let signal = interrupts.next().await;
        drop(server);
        anyhow::Ok(signal)
    })?;
    Ok(match signal {
        Signal::Interrupt => ExitCode::Interrupted,
        Signal::Terminate => ExitCode::Terminated,
    })
}

/// What `hops serve` prints at start: where it listens, the CA file, and three commands that
/// play a scenario (it needs only shop.test resolved, which keeps them short; `GET /` gives
/// the `--resolve` of every scenario host). The request log follows unless `quiet`.
pub fn banner(bind: IpAddr, port: u16, tls_port: u16, ca: &Path, quiet: bool) -> String {
    let address = if bind.is_unspecified() {
        "127.0.0.1".to_owned()
    } else {
        match bind {
            IpAddr::V6(v6) => format!("[{v6}]"),
            IpAddr::V4(v4) => v4.to_string(),
        }
    };
    let target = address.trim_start_matches('[').trim_end_matches(']');
    let resolve = format!("--resolve shop.test:{port}:{target}");
    let ca = shell_quote(&ca.display().to_string());
    let hosts = SCENARIO_HOSTS.join(", ");
    let log = if quiet { "" } else { " Requests:" };
    format!(
        "hops serve: http on {bind}:{port}, https on {bind}:{tls_port}\n\
         CA certificate: {ca}\n\
         Scenarios answer on their own host names ({hosts});\n\
         --resolve sends them here. Try:\n  \
         hops {resolve} http://{address}:{port}/scenario/post-307-303\n  \
         hops --cacert {ca} {resolve} https://localhost:{tls_port}/scenario/post-307-303\n  \
         curl -L --cacert {ca} {resolve} https://localhost:{tls_port}/scenario/post-307-303\n\
         GET / lists the scenarios.{log}\n",
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(path: &str, accept: Option<&str>) -> Received {
        Received {
            scheme: "http".to_owned(),
            method: "GET".to_owned(),
            path: path.to_owned(),
            host: "127.0.0.1".to_owned(),
            headers: accept
                .map(|a| vec![("accept".to_owned(), a.to_owned())])
                .unwrap_or_default(),
            body: Vec::new(),
            peer_ip: None,
        }
    }

    #[test]
    fn scenario_pages_redirect_to_the_start_and_list() {
        let entries = entries(&hops_scenario::playground());
        let placeholders = Placeholders::new(8080, 8443);
        let found = answer(
            &entries,
            &request("/scenario/trailing-slash", None),
            &placeholders,
        )
        .unwrap();
        assert_eq!(found.status(), StatusCode::TEMPORARY_REDIRECT);
        assert_eq!(found.headers()["location"], "http://shop.test:8080/docs");
        let missing = answer(&entries, &request("/scenario/nope", None), &placeholders).unwrap();
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        let html = answer(
            &entries,
            &request("/", Some("text/html,*/*")),
            &placeholders,
        )
        .unwrap();
        assert!(
            html.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let page = list_html(&entries, &placeholders);
        assert!(
            page.contains("<code>hops -X POST -d user=alice http://shop.test:8080/sign-up</code>"),
            "{page}"
        );
        assert!(
            page.contains("<code>--resolve shop.test:8080:127.0.0.1 --resolve"),
            "{page}"
        );
        assert!(page.contains("&quot;now GET the next page&quot;"), "{page}");
        let text = answer(&entries, &request("/?x", None), &placeholders).unwrap();
        assert!(
            text.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        );
        assert!(answer(&entries, &request("/other", None), &placeholders).is_none());
    }

    #[test]
    fn httpbin_origin_is_the_peer_address() {
        let mut received = request("/get", None);
        received.peer_ip = Some(IpAddr::from([192, 0, 2, 7]));
        let response = httpbin_answer(&received).unwrap();
        // A `Full` body is one frame, ready at once.
        let mut body = std::pin::pin!(response.into_body());
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        let std::task::Poll::Ready(Some(Ok(frame))) =
            hyper::body::Body::poll_frame(body.as_mut(), &mut context)
        else {
            panic!("no body");
        };
        let json: serde_json::Value = serde_json::from_slice(frame.data_ref().unwrap()).unwrap();
        assert_eq!(json["origin"], "192.0.2.7");
    }

    #[test]
    fn the_banner_says_where_and_what_to_try_and_announces_the_log_unless_quiet() {
        let ca = Path::new("/tmp/a b/ca.pem");
        let text = banner(IpAddr::from([127, 0, 0, 1]), 8080, 8443, ca, false);
        assert!(text.starts_with("hops serve: http on 127.0.0.1:8080, https on 127.0.0.1:8443\n"));
        assert!(text.contains(
            "  hops --cacert '/tmp/a b/ca.pem' --resolve shop.test:8080:127.0.0.1 \
             https://localhost:8443/scenario/post-307-303\n"
        ));
        assert!(
            text.ends_with("GET / lists the scenarios. Requests:\n"),
            "{text}"
        );
        let quiet = banner(IpAddr::from([127, 0, 0, 1]), 8080, 8443, ca, true);
        assert!(quiet.ends_with("GET / lists the scenarios.\n"), "{quiet}");
        let everywhere = banner(IpAddr::from([0, 0, 0, 0]), 8080, 8443, ca, true);
        assert!(
            everywhere.contains("http://127.0.0.1:8080/scenario/"),
            "{everywhere}"
        );
    }

    #[test]
    fn log_lines_escape_the_path() {
        let received = request("/a\u{1b}[31m\u{9b}", None);
        let exchange = Exchange {
            received: &received,
            status: 404,
            location: None,
            connection: 1,
        };
        let text = LogLine::new(&exchange).text();
        assert!(!text.chars().any(escape::is_unsafe), "{text}");
        assert!(text.contains(r"/a\x1b[31m"), "{text}");
        assert!(text.ends_with(" GET /a\\x1b[31m\\u{9b} 0B 404"), "{text}");
    }
}
