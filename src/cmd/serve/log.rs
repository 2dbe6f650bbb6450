//! `hops serve`'s request log: one line per request on stdout, and the same as NDJSON with
//! `--log-json` (appended to, so a log survives restarts), every value from a client escaped.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::sync::{Mutex, PoisonError};

use hops_scenario::Exchange;
use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::render::escape::{self, escape};

/// One request as the log shows it.
#[derive(Debug, Serialize)]
pub struct LogLine {
    /// When the answer went out (after any `?delay=`), UTC: RFC 3339 with milliseconds in the
    /// JSON log, the time of day alone in the text one.
    #[serde(serialize_with = "rfc3339")]
    pub time: OffsetDateTime,
    pub listener: String,
    pub method: String,
    /// The Host header's name, port left out; empty when the request had none.
    pub host: String,
    pub path: String,
    pub body_bytes: usize,
    pub status: u16,
    pub location: Option<String>,
    /// The connection the request came on, numbered from 1 in the order the server accepted
    /// them (JSON log only): requests sharing a number shared a keep-alive connection.
    pub connection: u64,
}

fn rfc3339<S: serde::Serializer>(time: &OffsetDateTime, serializer: S) -> Result<S::Ok, S::Error> {
    let millis = time.replace_nanosecond(time.millisecond() as u32 * 1_000_000);
    let text = millis
        .unwrap_or(*time)
        .format(&Rfc3339)
        .map_err(serde::ser::Error::custom)?;
    serializer.serialize_str(&text)
}

impl LogLine {
    pub fn new(exchange: &Exchange<'_>) -> LogLine {
        let received = exchange.received;
        LogLine {
            time: OffsetDateTime::now_utc(),
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

    /// The text line: every value from the request escaped, as the client sent it. The host
    /// comes before the method, so a line still reads `GET /path ...` from there on.
    pub fn text(&self) -> String {
        let host = if self.host.is_empty() {
            "-".to_owned()
        } else {
            escape(&self.host).into_owned()
        };
        let mut line = format!(
            "{:02}:{:02}:{:02}.{:03} {:<5} {host:<13} {} {} {}B {}",
            self.time.hour(),
            self.time.minute(),
            self.time.second(),
            self.time.millisecond(),
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
pub struct Log {
    pub stdout: bool,
    pub json: Option<Mutex<BufWriter<File>>>,
}

impl Log {
    pub fn write(&self, exchange: &Exchange<'_>) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use hops_scenario::Received;

    fn exchange_for(received: &Received, status: u16) -> Exchange<'_> {
        Exchange {
            received,
            status,
            location: None,
            connection: 3,
        }
    }

    fn request(host: &str, path: &str) -> Received {
        Received {
            scheme: "http".to_owned(),
            method: "GET".to_owned(),
            path: path.to_owned(),
            host: host.to_owned(),
            headers: Vec::new(),
            body: Vec::new(),
            peer_ip: None,
        }
    }

    #[test]
    fn log_lines_escape_the_path_and_name_the_host() {
        let received = request("shop.test", "/a\u{1b}[31m\u{9b}");
        let text = LogLine::new(&exchange_for(&received, 404)).text();
        assert!(!text.chars().any(escape::is_unsafe), "{text}");
        assert!(
            text.contains(" http  shop.test     GET /a\\x1b[31m"),
            "{text}"
        );
        assert!(text.ends_with(" GET /a\\x1b[31m\\u{9b} 0B 404"), "{text}");
        let no_host = request("", "/");
        let text = LogLine::new(&exchange_for(&no_host, 200)).text();
        assert!(text.contains(" http  -             GET / 0B 200"), "{text}");
    }

    #[test]
    fn the_json_line_has_the_date_and_time_in_utc() {
        let received = request("shop.test", "/");
        let mut line = LogLine::new(&exchange_for(&received, 200));
        line.time = time::macros::datetime!(2026-12-01 17:34:14.844_123 UTC);
        let json = serde_json::to_value(&line).unwrap();
        assert_eq!(json["time"], "2026-12-01T17:34:14.844Z");
        assert_eq!(json["connection"], 3);
        assert!(
            line.text().starts_with("17:34:14.844 http "),
            "{}",
            line.text()
        );
    }
}
