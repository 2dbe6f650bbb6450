//! The options around the first request: checks, `-w`, cookies, and how to connect.

use std::net::IpAddr;
use std::time::Duration;

use std::path::{Path, PathBuf};

use super::request::{parse_start_url, read_data_arg, read_file};
use super::{ConnectionConfig, CookieConfig, UsageError, usage};
use crate::analyze::checks::{self, Checks};
use crate::cli::Cli;
use crate::net::{
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_READ_TIMEOUT, HttpVersion, IpVersion, NetOptions,
    ResolveOverride,
};

pub(super) fn checks_config(cli: &Cli) -> Result<Checks, UsageError> {
    let args = &cli.checks;
    let absolute = |text: &str, flag: &str| {
        parse_start_url(text).map_err(|err| usage(format!("{flag}: {err}")))
    };
    if let Some(status) = args.status.filter(|s| !checks::STATUS_CODES.contains(s)) {
        return Err(usage(format!(
            "--expect-status needs an HTTP status from 100 to 599, not {status}"
        )));
    }
    // `/new`, `?q`, `#f` or `./x` is relative to each chain's start URL; anything else is a URL,
    // with http:// added when it has no scheme (as for the URLs to trace).
    let expected_url = |text: &str| -> Result<checks::ExpectedTarget, UsageError> {
        if text.starts_with(['/', '?', '#', '.']) {
            Ok(checks::ExpectedTarget::Relative(text.to_owned()))
        } else {
            absolute(text, "--expect-url").map(checks::ExpectedTarget::Absolute)
        }
    };
    Ok(Checks {
        status: args.status,
        url: args.url.as_deref().map(expected_url).transpose()?,
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
pub(super) fn write_out_format(arg: Option<&str>) -> Result<Option<String>, UsageError> {
    let Some(arg) = arg else {
        return Ok(None);
    };
    if arg.starts_with('@') {
        let bytes = read_data_arg(arg, "--write-out format")?;
        return Ok(Some(String::from_utf8_lossy(&bytes).into_owned()));
    }
    Ok(Some(arg.to_owned()))
}

pub(super) fn cookie_config(cli: &Cli) -> Result<CookieConfig, UsageError> {
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
                let (name, value) = (name.trim(), value.trim());
                // A pasted header has no attributes; a Domain among the pairs scopes them all,
                // as it would in a Set-Cookie.
                if name.eq_ignore_ascii_case("domain") {
                    let domain = value.trim_start_matches('.').to_ascii_lowercase();
                    if domain.is_empty() {
                        return Err(usage("--cookie: Domain= needs a domain name"));
                    }
                    config.seed_domain = Some(domain);
                    continue;
                }
                config.seed_pairs.push((name.to_owned(), value.to_owned()));
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

pub(super) fn connection_config(cli: &Cli) -> Result<ConnectionConfig, UsageError> {
    let args = &cli.connection;
    let cacert_pem = match &args.cacert {
        Some(path) => Some(read_file(path, "CA certificate file")?),
        None => None,
    };
    let client_cert_pem = match &args.cert {
        Some(path) => Some(read_file(path, "client certificate file (--cert)")?),
        None => None,
    };
    let client_key_pem = match &args.key {
        Some(path) => Some(read_file(path, "private key file (--key)")?),
        None => None,
    };
    Ok(ConnectionConfig {
        net: NetOptions {
            resolve: args
                .resolve
                .iter()
                .map(|r| parse_resolve(r))
                .collect::<Result<_, _>>()?,
            cacert_pem,
            insecure: args.insecure,
            client_cert_pem,
            client_key_pem,
            connect_timeout: args
                .connect_timeout
                .map(|s| seconds(s, "--connect-timeout"))
                .transpose()?
                .unwrap_or(DEFAULT_CONNECT_TIMEOUT),
            read_timeout: args
                .read_timeout
                .map(|s| seconds(s, "--read-timeout"))
                .transpose()?
                .unwrap_or(DEFAULT_READ_TIMEOUT),
            // The last of -x and --socks5-hostname wins, as in curl.
            proxy: match &args.socks5_hostname {
                Some(proxy) => Some(format!("socks5h://{proxy}")),
                None => args.proxy.clone(),
            },
            noproxy: args.noproxy.clone(),
            ip_version: match (args.ipv4, args.ipv6) {
                (true, _) => IpVersion::V4,
                (_, true) => IpVersion::V6,
                _ => IpVersion::Any,
            },
            // The flags override one another (the last one typed wins, as in curl).
            http_version: if args.http1_1 {
                HttpVersion::Http1Only
            } else if args.http2_prior_knowledge {
                HttpVersion::Http2PriorKnowledge
            } else {
                HttpVersion::Negotiated
            },
        },
        max_time: args
            .max_time
            .map(|s| seconds(s, "--max-time"))
            .transpose()?,
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
