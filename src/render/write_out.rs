//! `-w/--write-out`: curl's format language over a finished chain, so `curl -L -w` scripts port
//! over unchanged. `%{name}` is a variable, `%%` a percent sign, `\n` `\r` `\t` `\\` escapes,
//! and `%{stdout}` / `%{stderr}` switch where the rest goes. Values are written with control and
//! bidi characters escaped ([`super::escape`]).

use std::io::{self, Write};

use serde_json::{Map, Value};

use crate::model::{Chain, Outcome, Redactor};
use crate::redirect::{escape_bytes, location, status};

/// The variables hops knows, in curl's spelling.
pub const VARIABLES: [&str; 14] = [
    "content_type",
    "errormsg",
    "exitcode",
    "http_code",
    "http_version",
    "method",
    "num_redirects",
    "redirect_url",
    "remote_ip",
    "remote_port",
    "response_code",
    "time_total",
    "url",
    "url_effective",
];

pub struct WriteOutContext<'a> {
    pub chain: &'a Chain,
    pub exit_code: i32,
    pub redactor: Redactor,
}

/// The value of one variable; `None` for a name hops does not know.
pub fn variable(name: &str, context: &WriteOutContext) -> Option<Value> {
    let chain = context.chain;
    let last = chain.last_response();
    let text = |s: String| Some(Value::String(s));
    match name {
        "url_effective" => text(context.redactor.url(last_attempt(chain).0)),
        "url" => text(context.redactor.url(&chain.request.url)),
        "http_code" | "response_code" => Some(Value::from(last.map_or(0, |hop| hop.status))),
        "num_redirects" => Some(Value::from(chain.redirects())),
        "redirect_url" => text(
            redirect_url(chain)
                .map(|u| context.redactor.url(&u))
                .unwrap_or_default(),
        ),
        "time_total" => Some(Value::from((chain.time.as_secs_f64() * 1e6).round() / 1e6)),
        "method" => text(last_attempt(chain).1.to_owned()),
        "exitcode" => Some(Value::from(context.exit_code)),
        "errormsg" => text(
            chain
                .outcome
                .error()
                .map(|e| format!("hop {}: {}", e.hop, context.redactor.text(e.message)))
                .unwrap_or_default(),
        ),
        "remote_ip" => text(
            last.and_then(|hop| hop.remote_addr)
                .map(|a| a.ip().to_string())
                .unwrap_or_default(),
        ),
        "remote_port" => Some(
            last.and_then(|hop| hop.remote_addr)
                .map_or(Value::String(String::new()), |a| Value::from(a.port())),
        ),
        "http_version" => text(
            last.map(|hop| curl_http_version(&hop.http_version))
                .unwrap_or_else(|| "0".to_owned()),
        ),
        "content_type" => text(
            last.and_then(|hop| hop.response_header("content-type"))
                .unwrap_or_default()
                .to_owned(),
        ),
        _ => None,
    }
}

/// The URL and method of the last request sent, as curl reports them: after a redirect whose
/// target failed on the network, that target (the request was made even if nothing came back).
fn last_attempt(chain: &Chain) -> (&url::Url, &str) {
    let failed_target = Some(&chain.outcome)
        .filter(|o| matches!(o, Outcome::NetworkError { hop, .. } if *hop > chain.hops.len()))
        .and(chain.last_response())
        .and_then(|hop| hop.next.as_ref());
    match (failed_target, chain.last_response()) {
        (Some(next), _) => (&next.url, &next.method),
        (None, Some(hop)) => (&hop.url, &hop.method),
        (None, None) => (&chain.request.url, &chain.request.method),
    }
}

/// The target of a last redirect that was not followed (`--max-redirs`, or a loop stopped before
/// it), as curl reports it: what the redirect would have gone to.
fn redirect_url(chain: &Chain) -> Option<url::Url> {
    let last = chain.last_response()?;
    if let Some(next) = &last.next {
        return matches!(chain.outcome, Outcome::Loop(_)).then(|| next.url.clone());
    }
    if !status::is_followed_status(last.status) {
        return None;
    }
    let shown = last.response_header("location")?;
    location::resolve_location(&received_bytes(shown), &last.url)
        .ok()
        .map(|r| r.url)
}

/// The bytes of a header value as the record shows it: values that are not printable ASCII are
/// kept quoted and escaped ([`escape_bytes`]); printable ones as they came.
fn received_bytes(shown: &str) -> Vec<u8> {
    let unescaped = shown
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
        .and_then(unescape);
    match unescaped {
        // Only values with a byte outside printable ASCII were escaped: a printable value that
        // merely starts and ends with a quote is taken as it is.
        Some(bytes)
            if !bytes.iter().all(|b| (0x20..0x7f).contains(b)) && escape_bytes(&bytes) == shown =>
        {
            bytes
        }
        _ => shown.as_bytes().to_vec(),
    }
}

/// Reverses [`escape_bytes`] on the text between the quotes.
fn unescape(text: &str) -> Option<Vec<u8>> {
    let mut bytes = Vec::with_capacity(text.len());
    let mut rest = text.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        rest = tail;
        if b != b'\\' {
            bytes.push(b);
            continue;
        }
        let (&kind, tail) = rest.split_first()?;
        rest = tail;
        match kind {
            b'"' | b'\\' => bytes.push(kind),
            b't' => bytes.push(b'\t'),
            b'r' => bytes.push(b'\r'),
            b'n' => bytes.push(b'\n'),
            b'x' => {
                let hex = std::str::from_utf8(rest.get(..2)?).ok()?;
                bytes.push(u8::from_str_radix(hex, 16).ok()?);
                rest = &rest[2..];
            }
            _ => return None,
        }
    }
    Some(bytes)
}

fn curl_http_version(version: &str) -> String {
    match version {
        "HTTP/0.9" => "0.9",
        "HTTP/1.0" => "1",
        "HTTP/1.1" => "1.1",
        "HTTP/2.0" => "2",
        "HTTP/3.0" => "3",
        other => other,
    }
    .to_owned()
}

fn all_variables(context: &WriteOutContext) -> Value {
    let mut map = Map::new();
    for name in VARIABLES {
        if let Some(value) = variable(name, context) {
            map.insert(name.to_owned(), value);
        }
    }
    Value::Object(map)
}

/// Writes `format` for this chain. Unknown variables are reported on `stderr` and print nothing,
/// as in curl.
pub fn render(
    format: &str,
    context: &WriteOutContext,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<()> {
    let mut to_stderr = false;
    let mut rest = format;
    while let Some(c) = rest.chars().next() {
        let out: &mut dyn Write = if to_stderr {
            &mut *stderr
        } else {
            &mut *stdout
        };
        if let Some(after) = rest.strip_prefix("%{") {
            if let Some(end) = after.find('}') {
                let name = &after[..end];
                rest = &after[end + 1..];
                match name {
                    "stdout" => to_stderr = false,
                    "stderr" => to_stderr = true,
                    "json" => super::escape::to_writer(&mut *out, &all_variables(context))?,
                    _ => match variable(name, context) {
                        Some(Value::String(s)) => write!(out, "{}", super::escape::escape(&s))?,
                        Some(value) if name == "time_total" => {
                            write!(out, "{:.6}", value.as_f64().unwrap_or_default())?
                        }
                        Some(value) if name == "http_code" || name == "response_code" => {
                            write!(out, "{:03}", value.as_u64().unwrap_or_default())?
                        }
                        Some(value) => write!(out, "{value}")?,
                        None => writeln!(
                            stderr,
                            "hops: warning: unknown --write-out variable: '{name}'"
                        )?,
                    },
                }
                continue;
            }
        }
        if let Some(after) = rest.strip_prefix("%%") {
            write!(out, "%")?;
            rest = after;
            continue;
        }
        // curl knows three escapes; any other backslash pair, `\\` included, is written as it
        // is, both characters, and a lone backslash at the end too.
        if let Some(after) = rest.strip_prefix('\\') {
            if let Some(next) = after.chars().next() {
                match next {
                    'n' => out.write_all(b"\n")?,
                    'r' => out.write_all(b"\r")?,
                    't' => out.write_all(b"\t")?,
                    other => write!(out, "\\{other}")?,
                }
                rest = &after[next.len_utf8()..];
                continue;
            }
        }
        write!(out, "{c}")?;
        rest = &rest[c.len_utf8()..];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing;

    fn chain() -> Chain {
        testing::chain(
            vec![
                testing::hop(1, "http://a.test/", 301, Some("http://a.test/new")),
                testing::hop(2, "http://a.test/new", 200, None),
            ],
            Outcome::Final,
        )
    }

    fn rendered(format: &str) -> (String, String) {
        rendered_for(&chain(), format)
    }

    fn rendered_for(chain: &Chain, format: &str) -> (String, String) {
        let context = WriteOutContext {
            chain,
            exit_code: 0,
            redactor: Redactor::default(),
        };
        let (mut out, mut err) = (Vec::new(), Vec::new());
        render(format, &context, &mut out, &mut err).unwrap();
        (
            String::from_utf8(out).unwrap(),
            String::from_utf8(err).unwrap(),
        )
    }

    #[test]
    fn curl_variables_and_escapes() {
        #[rustfmt::skip]
        let table = [
            ("%{http_code} %{response_code}\\n", "200 200\n"),
            ("%{url_effective}|%{url}", "http://a.test/new|http://a.test/"),
            ("%{num_redirects} %{method} %{exitcode}", "1 GET 0"),
            ("%{remote_ip}:%{remote_port}", "127.0.0.1:8080"),
            ("%{time_total}", "0.012345"),
            ("%{http_version} %{content_type}", "1.1 text/html"),
            ("[%{redirect_url}]", "[]"),
            ("100%% done\\t\\\\", "100% done\t\\\\"),
            ("\\\\n|a\\", "\\\\n|a\\"),
            ("%{unclosed", "%{unclosed"),
            ("\\q", "\\q"),
        ];
        for (format, expected) in table {
            assert_eq!(rendered(format).0, expected, "{format}");
        }
    }

    #[test]
    fn stream_switch_and_unknown_variables() {
        let (out, err) = rendered("a%{stderr}b%{stdout}c%{nope}");
        assert_eq!(out, "ac");
        assert_eq!(
            err,
            "bhops: warning: unknown --write-out variable: 'nope'\n"
        );
    }

    /// A chain stopped by `--max-redirs 0` on a 302 whose Location is `shown` in the record.
    fn unfollowed(shown: &str) -> Chain {
        let mut hop = testing::hop(1, "http://a.test/dir/", 302, None);
        hop.response_headers
            .push(("location".to_owned(), shown.to_owned()));
        testing::chain(vec![hop], Outcome::Final)
    }

    #[test]
    fn redirect_url_resolves_the_location_as_received() {
        #[rustfmt::skip]
        let table = [
            ("next?a=1", "http://a.test/dir/next?a=1"),
            // Not printable ASCII: the record keeps it escaped; the bytes are what count.
            ("\"/caf\\xC3\\xA9\"", "http://a.test/caf%C3%A9"),
            ("\"/caf\\xE9\"", "http://a.test/caf%E9"),
            ("\"/a\\tb\"", "http://a.test/ab"),
            // Printable and quoted as it came: taken as it is.
            ("\"/q\"", "http://a.test/dir/%22/q%22"),
        ];
        for (shown, expected) in table {
            assert_eq!(
                rendered_for(&unfollowed(shown), "%{redirect_url}").0,
                expected,
                "{shown}"
            );
        }
    }

    #[test]
    fn loop_and_failed_follow_report_as_curl() {
        let hops = || {
            vec![
                testing::hop(1, "http://a.test/", 302, Some("http://a.test/b")),
                testing::hop(2, "http://a.test/b", 302, Some("http://a.test/")),
            ]
        };
        let format = "%{url_effective} %{num_redirects} [%{redirect_url}]";
        // A loop is stopped before its request: the redirect was not followed.
        let looped = testing::looped(hops(), 1);
        assert_eq!(
            rendered_for(&looped, format).0,
            "http://a.test/b 2 [http://a.test/]"
        );
        // A network failure on the redirect's target: that request was made.
        let mut failed = testing::chain(
            hops(),
            Outcome::NetworkError {
                hop: 3,
                kind: crate::model::NetworkErrorKind::Connect,
                message: "cannot connect".into(),
            },
        );
        failed.hops[1].next.as_mut().unwrap().method = "POST".to_owned();
        assert_eq!(
            rendered_for(&failed, &format!("{format} %{{method}} %{{http_code}}")).0,
            "http://a.test/ 2 [] POST 302"
        );
    }

    #[test]
    fn server_text_is_escaped_in_text_and_json() {
        let failed = testing::chain(
            vec![testing::hop(1, "http://a.test/", 200, None)],
            Outcome::NetworkError {
                hop: 1,
                kind: crate::model::NetworkErrorKind::Tls,
                message: "issued by CN=\x1b[2J\u{9b}\u{202e}".into(),
            },
        );
        let (out, _) = rendered_for(&failed, "%{errormsg}");
        assert_eq!(out, "hop 1: issued by CN=\\x1b[2J\\u{9b}\\u{202e}");
        let (out, _) = rendered_for(&failed, "%{json}");
        assert!(out.contains("CN=\\u001b[2J\\u009b\\u202e"), "{out}");
        let value: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            value["errormsg"],
            "hop 1: issued by CN=\x1b[2J\u{9b}\u{202e}"
        );
    }

    #[test]
    fn json_holds_every_variable() {
        let (out, _) = rendered("%{json}");
        let value: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(value.as_object().unwrap().len(), VARIABLES.len());
        assert_eq!(value["http_code"], 200);
    }
}
