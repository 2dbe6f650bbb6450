//! `hops serve`: the built-in scenarios as a redirect playground for any client. One scenario
//! server (crates/scenario) serves every scenario's routes at once on an http and an https port,
//! with the playground's own pages, httpbin's endpoints and the knobs behind them (`pages`), and
//! logs every request on stdout and as NDJSON with `--log-json` (`log`). The server keeps no
//! request history, so it can run for as long as it is needed. Ctrl-C exits 130, SIGTERM 143
//! (src/exit.rs).
//!
//! Scenarios answer on their own host names (shop.test, auth.test ...), so a client reaches them
//! with `--resolve`. No two scenarios share a route (a unit test of the scenario crate sees to
//! it), so each plays as it does on a server of its own. The http port also speaks TLS, as the
//! demo's server does: a client that HSTS upgrades keeps the port.
//!
//! Built with the `demo` feature (on by default), which brings in the scenario server crate.
#![cfg(feature = "demo")]

mod log;
mod pages;

use std::fs::OpenOptions;
use std::io::{BufWriter, Write};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use hops_scenario::{
    Exchange, IDLE_TIMEOUT, Placeholders, Received, Route, ScenarioServer, ServeOptions, StoredCa,
    TlsOptions,
};

use self::log::Log;
use self::pages::{Site, entries, fallback, list_text};
use super::demo::shell_quote;
use crate::cli_serve::ServeArgs;
use crate::exit::ExitCode;
use crate::trace::Interrupts;

pub fn execute(args: &ServeArgs) -> Result<ExitCode> {
    let scenarios = hops_scenario::playground();
    let site = Site {
        entries: Arc::new(entries(&scenarios)),
        ..Site::default()
    };
    if args.list {
        std::io::stdout()
            .lock()
            .write_all(list_text(&site.entries, None).as_bytes())?;
        return Ok(ExitCode::Ok);
    }
    let json = match &args.log_json {
        Some(path) => Some(Mutex::new(BufWriter::new(
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .with_context(|| format!("cannot open the log file {}", path.display()))?,
        ))),
        None => None,
    };
    let log = Arc::new(Log {
        stdout: !args.quiet,
        json,
    });
    if !args.bind.is_loopback() {
        eprintln!(
            "hops serve: warning: listening on {} makes the playground reachable from other \
             machines, /redirect-to (an open redirect) and the request echoes included",
            args.bind
        );
    }
    let mut extra_names = vec!["::1".to_owned()];
    if !args.bind.is_unspecified() {
        extra_names.push(args.bind.to_string());
    }
    extra_names.extend(args.names.iter().cloned());
    let pages = site.clone();
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
                Some(fallback(&pages, request, placeholders))
            },
        )),
    };
    let routes: Vec<Route> = scenarios.into_iter().flat_map(|s| s.routes).collect();
    // HTTP/2 too: over https when the client offers it (ALPN), and h2c with prior knowledge on
    // the http port, so a client's HTTP/2 path can be tested as well.
    let ca = match &args.ca_dir {
        Some(dir) => Some(Arc::new(StoredCa::load_or_create(dir).with_context(
            || format!("cannot keep the test CA in {}", dir.display()),
        )?)),
        None => None,
    };
    let tls = TlsOptions {
        http2: true,
        ca: ca.clone(),
        ..TlsOptions::default()
    };
    let runtime = super::runtime()?;
    let signal = runtime.block_on(async {
        let mut interrupts = Interrupts::listen().context("cannot listen for signals")?;
        let server = ScenarioServer::start_serving(routes, tls, options)
            .await
            .with_context(|| {
                format!(
                    "cannot listen on {} (http port {}, https port {})",
                    args.bind, args.port, args.https_port
                )
            })?;
        let ca = match (&args.ca_out, &ca) {
            (Some(path), _) => {
                std::fs::write(path, server.ca_pem())
                    .with_context(|| format!("cannot write the CA to {}", path.display()))?;
                path.clone()
            }
            (None, Some(stored)) => stored.cert_file.clone(),
            (None, None) => PathBuf::from(server.ca_file()),
        };
        let _ = site.ca_file.set(ca.clone());
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
    Ok(ExitCode::for_signal(signal))
}

/// What `hops serve` prints at start: where it listens, the CA file, and three commands to try
/// on the address it listens on: a POST scenario over http, an https scenario, and httpbin's
/// `/redirect/3` with curl. The scenarios need only shop.test resolved, which keeps the
/// commands short; `GET /` says how to resolve every scenario host. The request log follows
/// unless `quiet`.
pub fn banner(bind: IpAddr, port: u16, tls_port: u16, ca: &Path, quiet: bool) -> String {
    let host = if bind.is_unspecified() {
        "127.0.0.1".to_owned()
    } else {
        bind.to_string()
    };
    let address = match bind {
        IpAddr::V6(_) if !bind.is_unspecified() => format!("[{host}]"),
        _ => host.clone(),
    };
    let shown = |port: u16| match bind {
        IpAddr::V6(_) => format!("[{bind}]:{port}"),
        IpAddr::V4(_) => format!("{bind}:{port}"),
    };
    let resolve = format!("--resolve shop.test:{port}:{host}");
    let ca = shell_quote(&ca.display().to_string());
    let hosts = hops_scenario::SCENARIO_HOSTS.join(", ");
    let log = if quiet { "" } else { " Requests:" };
    format!(
        "hops serve: http on {}, https on {}\n\
         CA certificate: {ca}\n\
         Scenarios answer on their own host names ({hosts});\n\
         --resolve sends them here. Try:\n  \
         hops -d name=alice {resolve} http://{address}:{port}/scenario/post-307-303\n  \
         hops --cacert {ca} {resolve} https://{address}:{tls_port}/scenario/https-downgrade\n  \
         curl -L --cacert {ca} https://{address}:{tls_port}/redirect/3\n\
         GET / lists the scenarios, httpbin's endpoints and the knobs.{log}\n",
        shown(port),
        shown(tls_port),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_banner_says_where_and_what_to_try_and_announces_the_log_unless_quiet() {
        let ca = Path::new("/tmp/a b/ca.pem");
        let text = banner(IpAddr::from([127, 0, 0, 1]), 8080, 8443, ca, false);
        assert!(text.starts_with("hops serve: http on 127.0.0.1:8080, https on 127.0.0.1:8443\n"));
        assert!(text.contains(
            "  hops -d name=alice --resolve shop.test:8080:127.0.0.1 \
             http://127.0.0.1:8080/scenario/post-307-303\n"
        ));
        assert!(text.contains(
            "  hops --cacert '/tmp/a b/ca.pem' --resolve shop.test:8080:127.0.0.1 \
             https://127.0.0.1:8443/scenario/https-downgrade\n"
        ));
        assert!(text.ends_with("the knobs. Requests:\n"), "{text}");
        let quiet = banner(IpAddr::from([127, 0, 0, 1]), 8080, 8443, ca, true);
        assert!(quiet.ends_with("the knobs.\n"), "{quiet}");
        let everywhere = banner(IpAddr::from([0, 0, 0, 0]), 8080, 8443, ca, true);
        assert!(
            everywhere.contains("http://127.0.0.1:8080/scenario/"),
            "{everywhere}"
        );
        let v6 = banner("::1".parse().unwrap(), 8080, 8443, ca, true);
        assert!(
            v6.starts_with("hops serve: http on [::1]:8080, https on [::1]:8443\n"),
            "{v6}"
        );
        assert!(
            v6.contains("--resolve shop.test:8080:::1 http://[::1]:8080/"),
            "{v6}"
        );
    }
}
