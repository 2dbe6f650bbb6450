//! Loopback server for `bench/run.sh`: the scenario server playing a 50-hop same-host redirect
//! chain, over http and https at once.
//!
//! `GET /hop/N` answers `302 Found` with `Location: /hop/N+1` for N < 50, and `/hop/50` answers
//! `200 OK` with a short body, so `/hop/1` starts a chain of 50 requests (49 redirects). Both
//! listeners of the server serve it: plain http, and https with the scenario leaf certificate
//! (which covers `localhost` and `127.0.0.1`) signed by the server's throwaway test CA.
//!
//! Usage: `bench_server` (no arguments). Once ready it prints one line,
//! `HTTP_PORT HTTPS_PORT CA_FILE`, where CA_FILE is the test CA (PEM) for `--cacert`; it exists
//! as long as the server runs. After that, each line read on stdin is answered on stdout with
//! `connections=C requests=R`: the connections accepted and requests received on both listeners
//! since the previous such line (or the start), which lets the script check that a client reuses
//! one connection for the chain. The server stops when stdin closes.
//!
//! The server answers from a route table and records every request, as in the tests: a few
//! microseconds per request, against hops' and curl's milliseconds of start-up.

use std::io::{self, BufRead, Write};

use hops_scenario::{BlockingServer, Route};

/// The last hop: `/hop/LAST` is the final `200 OK`.
const LAST: u32 = 50;
const FINAL_BODY: &str = "hop 50: the end of the chain\n";

fn main() -> io::Result<()> {
    if let Some(arg) = std::env::args_os().nth(1) {
        eprintln!("usage: bench_server (no arguments; got {arg:?})");
        std::process::exit(2);
    }
    let server = BlockingServer::start(chain())?;
    let mut stdout = io::stdout().lock();
    writeln!(
        stdout,
        "{} {} {}",
        server.port(),
        server.tls_port(),
        server.ca_file().display()
    )?;
    stdout.flush()?;

    let mut connections_before = 0;
    for line in io::stdin().lock().lines() {
        line?;
        let connections = server.connections();
        let requests = server.received().len();
        // Forgetting what was received keeps memory flat however many runs the script makes.
        server.clear_received();
        writeln!(
            stdout,
            "connections={} requests={requests}",
            connections - connections_before
        )?;
        stdout.flush()?;
        connections_before = connections;
    }
    Ok(())
}

/// `/hop/1` → `/hop/2` → … → `/hop/LAST` (200).
fn chain() -> Vec<Route> {
    let mut routes: Vec<Route> = (1..LAST)
        .map(|n| {
            Route::new(format!("/hop/{n}"), 302).with_header("Location", format!("/hop/{}", n + 1))
        })
        .collect();
    routes.push(Route {
        body: Some(FINAL_BODY.to_owned()),
        ..Route::new(format!("/hop/{LAST}"), 200)
            .with_header("Content-Type", "text/plain; charset=utf-8")
    });
    routes
}
