//! The resolved, validated run: what to send first, how to follow, how to connect and show.
//!
//! [`Config::from_cli`] is the only place that reads the clap structs; every error here is a
//! usage error (exit code 2): bad URL, bad header, unreadable file, bad number.

use std::io::{IsTerminal, Read};
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;
use bytes::Bytes;
use reqwest::Method;
use reqwest::header::{HeaderName, HeaderValue};
use url::Url;

use crate::analyze::checks::{self, Checks};
use crate::cli::{Cli, ColorWhen, DataKind, Format};
use crate::redirect::{FollowOptions, KeepPost, PlannedRequest};

/// A problem with what the user typed or named on the command line.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

fn usage(message: impl Into<String>) -> UsageError {
    UsageError(message.into())
}

#[derive(Debug, Clone)]
pub struct Config {
    pub start: PlannedRequest,
    pub follow: FollowOptions,
    pub max_redirects: u32,
    pub follow_refresh: bool,
    pub referer: Referer,
    pub cookies: CookieConfig,
    pub connection: ConnectionConfig,
    pub output: OutputConfig,
    /// Every URL to trace, in order; `start.url` is the first.
    pub urls: Vec<Url>,
    pub checks: Checks,
    pub format: Format,
    /// `-w`: the format text itself (read from the file for `@FILE`).
    pub write_out: Option<String>,
    pub har: Option<PathBuf>,
}

/// What `Referer` each hop sends (`-e`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Referer {
    /// Sent on the first hop, and on later hops unless `auto` replaces it.
    pub fixed: Option<HeaderValue>,
    /// `;auto`: later hops send the previous hop's URL.
    pub auto: bool,
}

#[derive(Debug, Clone, Default)]
pub struct CookieConfig {
    pub enabled: bool,
    /// `name=value` pairs from `-b`, stored as host-only cookies of the first URL.
    pub seed_pairs: Vec<(String, String)>,
    /// Netscape cookie files from `-b`, already read.
    pub seed_files: Vec<(PathBuf, String)>,
    pub jar_out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpVersion {
    Any,
    V4,
    V6,
}

#[derive(Debug, Clone)]
pub struct ResolveOverride {
    pub host: String,
    pub port: u16,
    pub addrs: Vec<IpAddr>,
}

#[derive(Debug, Clone)]
pub struct ConnectionConfig {
    pub resolve: Vec<ResolveOverride>,
    pub cacert_pem: Option<Vec<u8>>,
    pub insecure: bool,
    pub max_time: Option<Duration>,
    pub connect_timeout: Option<Duration>,
    pub proxy: Option<String>,
    pub noproxy: Option<String>,
    pub ip_version: IpVersion,
    /// `--hsts FILE`, and the file's text when it exists.
    pub hsts_file: Option<(PathBuf, Option<String>)>,
    pub hsts_preload: bool,
}

#[derive(Debug, Clone)]
pub struct OutputConfig {
    pub verbose: bool,
    pub silent: bool,
    pub color: bool,
    pub show_secrets: bool,
    /// Where the final response body goes; `-` is stdout.
    pub body_to: Option<PathBuf>,
}

impl Config {
    pub fn from_cli(cli: &Cli) -> Result<Config, UsageError> {
        let urls = cli
            .urls
            .iter()
            .map(|raw| parse_start_url(raw))
            .collect::<Result<Vec<_>, _>>()?;
        let url = urls
            .first()
            .cloned()
            .ok_or_else(|| usage("no URL given (try `hops --help` or `hops demo`)"))?;
        let body = read_body(cli)?;

        let mut headers = vec![
            (HeaderName::from_static("user-agent"), default_user_agent()),
            (
                HeaderName::from_static("accept"),
                HeaderValue::from_static("*/*"),
            ),
        ];
        if cli.request.browser {
            for (name, value) in BROWSER_HEADERS {
                set_header(&mut headers, name, HeaderValue::from_static(value));
            }
        }
        if let Some(agent) = &cli.request.user_agent {
            set_header(
                &mut headers,
                "user-agent",
                header_value(agent, "--user-agent")?,
            );
        }
        if body.is_some() {
            set_header(
                &mut headers,
                "content-type",
                HeaderValue::from_static("application/x-www-form-urlencoded"),
            );
        }
        if let Some(user) = &cli.request.user {
            let (name, password) = user.split_once(':').unwrap_or((user, ""));
            let token =
                base64::engine::general_purpose::STANDARD.encode(format!("{name}:{password}"));
            set_header(
                &mut headers,
                "authorization",
                header_value(&format!("Basic {token}"), "--user")?,
            );
        }
        for header in &cli.request.headers {
            apply_header_arg(&mut headers, header)?;
        }

        let method = match (&cli.request.method, cli.request.head, &body) {
            (Some(method), _, _) => Method::from_bytes(method.as_bytes())
                .map_err(|_| usage(format!("invalid method {method:?}")))?,
            (None, true, _) => Method::HEAD,
            (None, false, Some(_)) => Method::POST,
            (None, false, None) => Method::GET,
        };

        let referer = parse_referer(cli.request.referer.as_deref())?;
        let cookies = cookie_config(cli)?;
        let connection = connection_config(cli)?;
        if cli.output.format == Format::Json
            && cli
                .output
                .output
                .as_deref()
                .is_some_and(|p| p.as_os_str() == "-")
        {
            return Err(usage(
                "-o - would mix the response body into the JSON lines on stdout: write it to a file",
            ));
        }
        let output = OutputConfig {
            verbose: cli.output.verbose,
            silent: cli.output.silent,
            color: color_enabled(cli.output.color),
            show_secrets: cli.output.show_secrets,
            body_to: cli.output.output.clone(),
        };

        Ok(Config {
            start: PlannedRequest {
                method,
                url,
                headers,
                body,
            },
            follow: FollowOptions {
                keep_post: KeepPost {
                    on_301: cli.follow.post301,
                    on_302: cli.follow.post302,
                    on_303: cli.follow.post303,
                },
                location_trusted: cli.follow.location_trusted,
            },
            max_redirects: match cli.follow.max_redirs {
                // curl's "unlimited"; loops are still caught by their repeats.
                -1 => u32::MAX,
                n => u32::try_from(n).map_err(|_| {
                    usage(format!("--max-redirs needs a number from -1 up, not {n}"))
                })?,
            },
            follow_refresh: cli.follow.follow_refresh,
            referer,
            cookies,
            connection,
            output,
            urls,
            checks: checks_config(cli)?,
            format: cli.output.format,
            write_out: write_out_format(cli.output.write_out.as_deref())?,
            har: cli.output.har.clone(),
        })
    }
}

impl Config {
    /// The first request of the chain that starts at `url`.
    pub fn start_for(&self, url: &Url) -> PlannedRequest {
        PlannedRequest {
            url: url.clone(),
            ..self.start.clone()
        }
    }
}

fn checks_config(cli: &Cli) -> Result<Checks, UsageError> {
    let args = &cli.checks;
    let absolute = |text: &str, flag: &str| {
        parse_start_url(text).map_err(|err| usage(format!("{flag}: {err}")))
    };
    Ok(Checks {
        status: args.status,
        url: args
            .url
            .as_deref()
            .map(|u| absolute(u, "--expect-url"))
            .transpose()?,
        redirects: args.redirects,
        chain: args
            .chain
            .as_deref()
            .map(checks::parse_chain)
            .transpose()
            .map_err(usage)?,
        locations: args
            .locations
            .iter()
            .map(|arg| {
                let (index, url) = checks::parse_location(arg).map_err(usage)?;
                Ok((index, checks::ExpectedTarget::parse(&url).map_err(usage)?))
            })
            .collect::<Result<_, UsageError>>()?,
        no_downgrade: args.no_downgrade,
        fail_on_http_error: args.fail,
    })
}

/// `-w FORMAT`, or `-w @FILE` / `-w @-` read as curl does.
fn write_out_format(arg: Option<&str>) -> Result<Option<String>, UsageError> {
    let Some(arg) = arg else {
        return Ok(None);
    };
    if arg.starts_with('@') {
        let bytes = read_data_arg(arg, "--write-out format")?;
        return Ok(Some(String::from_utf8_lossy(&bytes).into_owned()));
    }
    Ok(Some(arg.to_owned()))
}

/// What a current desktop Chrome sends on a navigation, so servers that redirect by client type
/// treat hops like the customer's browser.
const BROWSER_HEADERS: [(&str, &str); 5] = [
    (
        "user-agent",
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) \
         Chrome/142.0.0.0 Safari/537.36",
    ),
    (
        "accept",
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,\
         */*;q=0.8",
    ),
    ("accept-language", "en-US,en;q=0.9"),
    ("accept-encoding", "gzip, deflate, br, zstd"),
    ("upgrade-insecure-requests", "1"),
];

pub fn default_user_agent() -> HeaderValue {
    HeaderValue::from_static(concat!("hops/", env!("CARGO_PKG_VERSION")))
}

/// Colors only when asked for, or on a terminal that can show them (`NO_COLOR`, `TERM=dumb`).
pub fn color_enabled(when: ColorWhen) -> bool {
    match when {
        ColorWhen::Always => true,
        ColorWhen::Never => false,
        ColorWhen::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map_or(true, |term| term != "dumb")
                && std::io::stdout().is_terminal()
        }
    }
}

/// Parses the starting URL; without a scheme, `http://` is assumed as curl does.
pub fn parse_start_url(raw: &str) -> Result<Url, UsageError> {
    let trimmed = raw.trim();
    if trimmed.contains(char::is_whitespace) {
        return Err(usage(format!(
            "invalid URL {raw:?}: it contains spaces (percent-encode them as %20)"
        )));
    }
    let has_scheme = trimmed.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
    });
    let text = if has_scheme {
        trimmed.to_owned()
    } else {
        format!("http://{trimmed}")
    };
    let url = Url::parse(&text).map_err(|err| usage(format!("invalid URL {raw:?}: {err}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(usage(format!(
            "unsupported scheme {:?} in {raw:?}: only http and https",
            url.scheme()
        )));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(usage(format!("invalid URL {raw:?}: no host")));
    }
    Ok(url)
}

fn header_value(value: &str, flag: &str) -> Result<HeaderValue, UsageError> {
    HeaderValue::from_str(value).map_err(|_| {
        usage(format!(
            "invalid value for {flag}: {value:?} (control characters are not allowed)"
        ))
    })
}

fn set_header(
    headers: &mut Vec<(HeaderName, HeaderValue)>,
    name: &'static str,
    value: HeaderValue,
) {
    headers.retain(|(n, _)| n.as_str() != name);
    headers.push((HeaderName::from_static(name), value));
}

/// `-H` as curl reads it: `Name: value` adds (replacing a default of that name), `Name:` removes
/// the header, `Name;` sends it with an empty value.
fn apply_header_arg(
    headers: &mut Vec<(HeaderName, HeaderValue)>,
    arg: &str,
) -> Result<(), UsageError> {
    let bad = |why: &str| usage(format!("bad header {arg:?}: {why}"));
    let (name, value) = match arg.split_once(':') {
        Some((name, value)) => (name, Some(value.trim_start_matches([' ', '\t']))),
        None => match arg.strip_suffix(';') {
            Some(name) => (name, None),
            None => return Err(bad("expected \"Name: value\"")),
        },
    };
    let name = HeaderName::from_bytes(name.trim_end().as_bytes())
        .map_err(|_| bad("invalid header name"))?;
    // Headers hops adds itself are replaced by a -H of the same name, as curl does.
    let is_default = matches!(
        name.as_str(),
        "user-agent"
            | "accept"
            | "content-type"
            | "authorization"
            | "accept-language"
            | "accept-encoding"
            | "upgrade-insecure-requests"
    );
    match value {
        Some("") => headers.retain(|(n, _)| *n != name),
        Some(value) => {
            let value = HeaderValue::from_str(value.trim_end())
                .map_err(|_| bad("invalid characters in value"))?;
            if is_default {
                headers.retain(|(n, _)| *n != name);
            }
            headers.push((name, value));
        }
        None => {
            if is_default {
                headers.retain(|(n, _)| *n != name);
            }
            headers.push((name, HeaderValue::from_static("")));
        }
    }
    Ok(())
}

/// Reads the request body once, up front, so it can be replayed on 307/308.
/// Joins the body arguments with `&` in the order they were typed, as curl does.
fn read_body(cli: &Cli) -> Result<Option<Bytes>, UsageError> {
    let body_parts = &cli.request.body_parts;
    if body_parts.is_empty() {
        return Ok(None);
    }
    let mut parts: Vec<Vec<u8>> = Vec::with_capacity(body_parts.len());
    for part in body_parts {
        let bytes = match part.kind {
            DataKind::Data => {
                let mut bytes = read_data_arg(&part.value, "body")?;
                if part.value.starts_with('@') {
                    bytes.retain(|b| *b != b'\r' && *b != b'\n');
                }
                bytes
            }
            DataKind::Binary => read_data_arg(&part.value, "body")?,
            DataKind::Raw => part.value.as_bytes().to_vec(),
        };
        parts.push(bytes);
    }
    Ok(Some(Bytes::from(parts.join(&b'&'))))
}

/// `DATA`, `@FILE` or `@-` as curl reads them; `what` names the file in messages.
fn read_data_arg(arg: &str, what: &str) -> Result<Vec<u8>, UsageError> {
    match arg.strip_prefix('@') {
        Some("-") => {
            let mut bytes = Vec::new();
            std::io::stdin()
                .read_to_end(&mut bytes)
                .map_err(|err| usage(format!("cannot read the {what} from stdin: {err}")))?;
            Ok(bytes)
        }
        Some(path) => read_file(Path::new(path), &format!("{what} file")),
        None => Ok(arg.as_bytes().to_vec()),
    }
}

fn read_file(path: &Path, what: &str) -> Result<Vec<u8>, UsageError> {
    std::fs::read(path)
        .map_err(|err| usage(format!("cannot read {what} {}: {err}", path.display())))
}

fn parse_referer(arg: Option<&str>) -> Result<Referer, UsageError> {
    let Some(arg) = arg else {
        return Ok(Referer::default());
    };
    let (fixed, auto) = match arg.strip_suffix(";auto") {
        Some(rest) => (rest, true),
        None => (arg, false),
    };
    let fixed = if fixed.is_empty() {
        None
    } else {
        Some(header_value(fixed, "--referer")?)
    };
    Ok(Referer { fixed, auto })
}

fn cookie_config(cli: &Cli) -> Result<CookieConfig, UsageError> {
    let mut config = CookieConfig {
        enabled: !cli.cookies.no_cookies,
        jar_out: cli.cookies.cookie_jar.clone(),
        ..CookieConfig::default()
    };
    for arg in &cli.cookies.cookie {
        // curl's rule: text with '=' is cookie data, anything else names a file.
        if arg.contains('=') {
            // A Cookie header copied from browser devtools may keep its name.
            let arg = arg
                .strip_prefix("Cookie:")
                .or_else(|| arg.strip_prefix("cookie:"))
                .unwrap_or(arg);
            for pair in arg.split(';').map(str::trim).filter(|p| !p.is_empty()) {
                let (name, value) = pair.split_once('=').ok_or_else(|| {
                    usage(format!(
                        "bad cookie {pair:?} in --cookie: expected name=value"
                    ))
                })?;
                config
                    .seed_pairs
                    .push((name.trim().to_owned(), value.trim().to_owned()));
            }
        } else {
            let bytes = read_file(Path::new(arg), "cookie file")?;
            config.seed_files.push((
                PathBuf::from(arg),
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
        }
    }
    Ok(config)
}

fn connection_config(cli: &Cli) -> Result<ConnectionConfig, UsageError> {
    let args = &cli.connection;
    let cacert_pem = match &args.cacert {
        Some(path) => Some(read_file(path, "CA certificate file")?),
        None => None,
    };
    Ok(ConnectionConfig {
        resolve: args
            .resolve
            .iter()
            .map(|r| parse_resolve(r))
            .collect::<Result<_, _>>()?,
        cacert_pem,
        insecure: args.insecure,
        max_time: args
            .max_time
            .map(|s| seconds(s, "--max-time"))
            .transpose()?,
        connect_timeout: args
            .connect_timeout
            .map(|s| seconds(s, "--connect-timeout"))
            .transpose()?,
        proxy: args.proxy.clone(),
        noproxy: args.noproxy.clone(),
        hsts_file: match &args.hsts {
            None => None,
            // A missing cache file is created at the end, as curl does.
            Some(path) if !path.exists() => Some((path.clone(), None)),
            Some(path) => {
                let bytes = read_file(path, "HSTS cache file")?;
                Some((
                    path.clone(),
                    Some(String::from_utf8_lossy(&bytes).into_owned()),
                ))
            }
        },
        hsts_preload: !args.no_preload,
        ip_version: match (args.ipv4, args.ipv6) {
            (true, _) => IpVersion::V4,
            (_, true) => IpVersion::V6,
            _ => IpVersion::Any,
        },
    })
}

fn seconds(value: f64, flag: &str) -> Result<Duration, UsageError> {
    Duration::try_from_secs_f64(value)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| {
            usage(format!(
                "{flag} needs a positive number of seconds, not {value}"
            ))
        })
}

/// curl's `--resolve HOST:PORT:ADDR[,ADDR]...`; IPv6 addresses may be bracketed.
pub fn parse_resolve(arg: &str) -> Result<ResolveOverride, UsageError> {
    let bad = |why: &str| {
        usage(format!(
            "bad --resolve {arg:?}: {why} (expected HOST:PORT:ADDR)"
        ))
    };
    let (host, rest) = arg.split_once(':').ok_or_else(|| bad("missing port"))?;
    let (port, addrs) = rest.split_once(':').ok_or_else(|| bad("missing address"))?;
    if host.is_empty() {
        return Err(bad("missing host"));
    }
    let port: u16 = port.parse().map_err(|_| bad("invalid port"))?;
    let addrs = addrs
        .split(',')
        .map(|a| {
            let a = a.trim().trim_start_matches('[').trim_end_matches(']');
            a.parse::<IpAddr>().map_err(|_| bad("invalid address"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(ResolveOverride {
        host: host.trim_start_matches('+').to_ascii_lowercase(),
        port,
        addrs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn start_url_gets_http_when_scheme_missing() {
        assert_eq!(
            parse_start_url("shop.test/x").unwrap().as_str(),
            "http://shop.test/x"
        );
        assert_eq!(
            parse_start_url("localhost:8080").unwrap().as_str(),
            "http://localhost:8080/"
        );
        assert_eq!(
            parse_start_url("https://shop.test").unwrap().as_str(),
            "https://shop.test/"
        );
        assert!(parse_start_url("ftp://shop.test/").is_err());
        assert!(parse_start_url("http://").is_err());
        assert!(parse_start_url("http://[::1").is_err());
    }

    #[test]
    fn header_args_as_curl() {
        let mut headers = vec![(
            HeaderName::from_static("accept"),
            HeaderValue::from_static("*/*"),
        )];
        apply_header_arg(&mut headers, "X-One:  1 ").unwrap();
        apply_header_arg(&mut headers, "Accept:").unwrap();
        apply_header_arg(&mut headers, "X-Empty;").unwrap();
        let shown: Vec<(&str, &str)> = headers
            .iter()
            .map(|(n, v)| (n.as_str(), v.to_str().unwrap()))
            .collect();
        assert_eq!(shown, [("x-one", "1"), ("x-empty", "")]);
        assert!(apply_header_arg(&mut headers, "no colon").is_err());
        assert!(apply_header_arg(&mut headers, "Bad Name: x").is_err());
        assert!(apply_header_arg(&mut headers, "X: a\nb").is_err());
    }

    #[test]
    fn resolve_args() {
        let r = parse_resolve("shop.test:443:127.0.0.1").unwrap();
        assert_eq!(
            (r.host.as_str(), r.port, r.addrs.len()),
            ("shop.test", 443, 1)
        );
        let r = parse_resolve("Shop.test:80:[::1],127.0.0.1").unwrap();
        assert_eq!((r.host.as_str(), r.addrs.len()), ("shop.test", 2));
        assert!(parse_resolve("shop.test:80").is_err());
        assert!(parse_resolve("shop.test:x:127.0.0.1").is_err());
        assert!(parse_resolve("shop.test:80:nowhere").is_err());
    }

    #[test]
    fn referer_forms() {
        assert_eq!(
            parse_referer(Some(";auto")).unwrap(),
            Referer {
                fixed: None,
                auto: true
            }
        );
        let both = parse_referer(Some("http://a.test/;auto")).unwrap();
        assert!(both.auto && both.fixed.is_some());
        assert!(!parse_referer(Some("http://a.test/")).unwrap().auto);
    }
}
