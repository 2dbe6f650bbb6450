//! The resolved, validated run: what to send first, how to follow, how to connect and show.
//!
//! [`Config::from_cli`] is the only place that reads the clap structs; every error here is a
//! usage error (exit code 2): bad URL, bad header, unreadable file, bad number. The first
//! request is read in `request.rs`, the other options in `options.rs`.

mod options;
mod request;

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use base64::Engine;
use reqwest::Method;
use reqwest::header::{HeaderName, HeaderValue};
use url::Url;

use crate::analyze::checks::Checks;
use crate::cli::{Cli, ColorWhen, Format};
use crate::net::NetOptions;
use crate::redirect::{FollowOptions, KeepPost, PlannedRequest};
pub use options::parse_resolve;
use options::{checks_config, connection_config, cookie_config, write_out_format};
use request::{
    BROWSER_HEADERS, apply_header_arg, header_value, parse_referer, read_body, set_header,
};
pub use request::{default_user_agent, parse_start_url};

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
    /// `--compressed`, or `--browser`: ask for compressed bodies and decode the final one.
    pub compressed: bool,
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
    /// `name=value` pairs from `-b`, stored as host-only cookies of the first URL, or as
    /// cookies of `seed_domain` when `-b` names one (`-b 'sid=1; Domain=example.com'`).
    pub seed_pairs: Vec<(String, String)>,
    /// `Domain=` given among the `-b` pairs: the pairs are sent to every host of that domain.
    pub seed_domain: Option<String>,
    /// Netscape cookie files from `-b`, already read.
    pub seed_files: Vec<(PathBuf, String)>,
    pub jar_out: Option<PathBuf>,
}

/// How to connect (the network's options) and what the run knows of HSTS and its time limit.
#[derive(Debug, Clone)]
pub struct ConnectionConfig {
    pub net: NetOptions,
    /// `-m/--max-time`: the whole run's limit.
    pub max_time: Option<Duration>,
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
    /// Where the final response body goes; `-` is stdout (`-o -`, `--body`, `-i` alone).
    pub body_to: Option<PathBuf>,
    /// `-i`: the final response's status line and headers go before its body.
    pub include_head: bool,
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
        // A browser asks for compressed bodies and decodes them: so does --browser.
        let compressed = cli.request.compressed || cli.request.browser;
        if compressed {
            set_header(
                &mut headers,
                "accept-encoding",
                HeaderValue::from_static(crate::net::ACCEPT_ENCODING),
            );
        }
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
        let output = OutputConfig {
            verbose: cli.output.verbose,
            silent: cli.output.silent,
            color: color_enabled(cli.output.color),
            show_secrets: cli.output.show_secrets,
            body_to: body_destination(cli)?,
            include_head: cli.output.include,
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
            compressed,
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

/// Where the final body goes: `-o FILE`, or stdout for `-o -`, `--body`, and `-i` without `-o`
/// (as `curl -i` prints head and body to stdout). Stdout is refused with `--format json`, whose
/// documents it carries.
fn body_destination(cli: &Cli) -> Result<Option<PathBuf>, UsageError> {
    let args = &cli.output;
    let (destination, flag) = match &args.output {
        Some(path) => (Some(path.clone()), "-o -"),
        None if args.body => (Some(PathBuf::from("-")), "--body"),
        None if args.include => (Some(PathBuf::from("-")), "-i"),
        None => (None, ""),
    };
    let to_stdout = destination.as_deref().is_some_and(|p| p.as_os_str() == "-");
    if to_stdout && cli.output.format == Format::Json {
        return Err(usage(format!(
            "{flag} would mix the response body into the JSON lines on stdout: write it to a \
             file with -o FILE"
        )));
    }
    Ok(destination)
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
    fn the_timeouts_have_defaults_that_help_names() {
        let timeouts = |args: &[&str]| {
            let cli = Cli::try_parse_ordered(args).unwrap();
            let net = Config::from_cli(&cli).unwrap().connection.net;
            (net.connect_timeout, net.read_timeout)
        };
        assert_eq!(
            timeouts(&["hops", "http://a.test/"]),
            (
                crate::net::DEFAULT_CONNECT_TIMEOUT,
                crate::net::DEFAULT_READ_TIMEOUT
            )
        );
        assert_eq!(
            timeouts(&[
                "hops",
                "--connect-timeout",
                "2.5",
                "--read-timeout",
                "0.25",
                "http://a.test/"
            ]),
            (Duration::from_millis(2500), Duration::from_millis(250))
        );
        assert!(
            Config::from_cli(
                &Cli::try_parse_ordered(["hops", "--read-timeout=-1", "http://a.test/"]).unwrap()
            )
            .is_err()
        );
        let command = <Cli as clap::CommandFactory>::command();
        for (flag, default) in [
            ("connect-timeout", crate::net::DEFAULT_CONNECT_TIMEOUT),
            ("read-timeout", crate::net::DEFAULT_READ_TIMEOUT),
        ] {
            let help = command
                .get_arguments()
                .find(|arg| arg.get_long() == Some(flag))
                .and_then(|arg| arg.get_help())
                .map(ToString::to_string)
                .unwrap_or_default();
            let default = format!("(default {})", default.as_secs());
            assert!(help.contains(&default), "{flag}: {help}");
        }
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
