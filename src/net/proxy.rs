//! Which proxy a request goes through, read as curl reads it: `-x` for everything, else
//! `http_proxy` (lower case only), `https_proxy`, `all_proxy`, each minus `--noproxy` or
//! `no_proxy`; and a failure through a proxy in words that name it.
//!
//! One decision serves both the client and the hops: reqwest is given a custom proxy that asks
//! [`Proxies::for_url`], and the driver asks the same function which proxy each hop went
//! through, so what a hop shows cannot drift from what was done (docs/rules.md §8.1). The
//! no-proxy list is matched by hyper-util's matcher, the one reqwest's own proxies use.

use std::sync::Arc;

use hyper_util::client::proxy::matcher::Matcher;
use url::Url;

use crate::model::NetworkErrorKind;

use super::host_port;
use super::options::NetOptions;

/// A proxy a request goes through, and where it was set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyChoice {
    /// As given (credentials included), with `http://` added when it had no scheme.
    pub url: Url,
    /// Where it was set, as the user would name it: `-x`, `http_proxy`, `HTTPS_PROXY`, ...
    pub origin: String,
}

impl ProxyChoice {
    /// `scheme://[user:password@]host[:port]`, without the path: what a hop records. The
    /// password is there as given; outputs redact it like any URL password.
    pub fn address(&self) -> String {
        let url = &self.url;
        let mut address = format!("{}://", url.scheme());
        if !url.username().is_empty() || url.password().is_some() {
            address.push_str(url.username());
            if let Some(password) = url.password() {
                address.push(':');
                address.push_str(password);
            }
            address.push('@');
        }
        address.push_str(url.host_str().unwrap_or_default());
        if let Some(port) = url.port() {
            address.push_str(&format!(":{port}"));
        }
        address
    }

    /// The proxy as named in a message: its address with any password masked, and its origin.
    fn named(&self) -> String {
        let shown = crate::model::Redactor::default().text(&self.address());
        format!("the proxy {shown} (from {})", self.origin)
    }
}

/// Which requests a proxy setting applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Applies {
    Http,
    Https,
    All,
}

#[derive(Debug)]
struct Rule {
    proxy: ProxyChoice,
    /// hyper-util's matcher for this proxy and the no-proxy list, as reqwest builds it.
    matcher: Matcher,
}

/// The proxies of a run, in the order they are tried: the first whose scheme and no-proxy list
/// let a URL through is the one it goes through.
#[derive(Debug, Default)]
pub struct Proxies {
    rules: Vec<Rule>,
}

/// A proxy setting that cannot be a proxy URL: a usage error, before any request.
#[derive(Debug, thiserror::Error)]
#[error("{setting}: not a proxy URL ({why})")]
pub struct BadProxy {
    /// `-x VALUE` or `NAME=VALUE`.
    setting: String,
    why: String,
}

impl Proxies {
    /// Reads `-x`, `--noproxy` and the environment (`env` looks a variable up) as curl does.
    pub fn new(
        options: &NetOptions,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<Proxies, BadProxy> {
        // The variable as set, lower case first; an empty one counts as unset.
        let either_case = |name: &str| -> Option<(String, String)> {
            let upper = name.to_ascii_uppercase();
            [name.to_owned(), upper]
                .into_iter()
                .find_map(|n| env(&n).filter(|v| !v.is_empty()).map(|v| (n, v)))
        };
        let no_proxy = options
            .noproxy
            .clone()
            .or_else(|| either_case("no_proxy").map(|(_, value)| value))
            .unwrap_or_default();
        let mut settings: Vec<(Applies, String, String)> = Vec::new();
        if let Some(value) = &options.proxy {
            settings.push((Applies::All, "-x".to_owned(), value.clone()));
        } else {
            // curl ignores HTTP_PROXY in capitals: a CGI server sets it from a request header.
            if let Some(value) = env("http_proxy").filter(|v| !v.is_empty()) {
                settings.push((Applies::Http, "http_proxy".to_owned(), value));
            }
            if let Some((name, value)) = either_case("https_proxy") {
                settings.push((Applies::Https, name, value));
            }
            if let Some((name, value)) = either_case("all_proxy") {
                settings.push((Applies::All, name, value));
            }
        }
        let mut rules = Vec::new();
        for (applies, origin, value) in settings {
            let url = proxy_url(&origin, &value)?;
            let mut builder = Matcher::builder().no(no_proxy.clone());
            let target = String::from(url.clone());
            builder = match applies {
                Applies::Http => builder.http(target),
                Applies::Https => builder.https(target),
                Applies::All => builder.all(target),
            };
            rules.push(Rule {
                proxy: ProxyChoice { url, origin },
                matcher: builder.build(),
            });
        }
        // curl's "*" means no host at all goes through a proxy; hyper-util's list matches it
        // against names only, not IP addresses.
        if no_proxy.trim() == "*" {
            rules.clear();
        }
        Ok(Proxies { rules })
    }

    /// The proxy a request to `url` goes through; `None`: straight to the server.
    pub fn for_url(&self, url: &Url) -> Option<&ProxyChoice> {
        // The common case, no proxy at all, needs no URI to match against.
        if self.rules.is_empty() {
            return None;
        }
        let host = url.host_str()?;
        let port = url.port_or_known_default()?;
        let uri: hyper::http::Uri = format!("{}://{host}:{port}/", url.scheme()).parse().ok()?;
        self.rules
            .iter()
            .find(|rule| rule.matcher.intercept(&uri).is_some())
            .map(|rule| &rule.proxy)
    }

    /// What reqwest is given: one custom proxy that asks [`Proxies::for_url`]; `None` when no
    /// proxy is set.
    pub(super) fn reqwest_proxy(self: &Arc<Self>) -> Option<reqwest::Proxy> {
        if self.rules.is_empty() {
            return None;
        }
        let proxies = Arc::clone(self);
        Some(reqwest::Proxy::custom(move |url| {
            proxies.for_url(url).map(|proxy| proxy.url.clone())
        }))
    }
}

/// A proxy setting read as curl reads it (`http://` when there is no scheme), refused when it
/// cannot be one.
fn proxy_url(origin: &str, value: &str) -> Result<Url, BadProxy> {
    let setting = if origin == "-x" {
        format!("-x {value}")
    } else {
        format!("{origin}={value}")
    };
    let bad = |why: String| BadProxy {
        setting: crate::model::Redactor::default().text(&setting),
        why,
    };
    let text = if value.contains("://") {
        value.to_owned()
    } else {
        format!("http://{value}")
    };
    let url = Url::parse(&text).map_err(|err| bad(err.to_string()))?;
    match url.scheme() {
        "http" | "https" | "socks5" | "socks5h" => {}
        scheme if scheme.starts_with("socks") => {
            return Err(bad(format!(
                "{scheme} proxies are not supported: hops speaks to http, https, socks5 and \
                 socks5h proxies"
            )));
        }
        scheme => {
            return Err(bad(format!(
                "{scheme} is not a proxy scheme: hops speaks to http, https, socks5 and socks5h \
                 proxies"
            )));
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("no host".to_owned()));
    }
    Ok(url)
}

/// A request through `proxy` to `target` failed with `message` (as `classify` words it, "what:
/// detail"): the words name the proxy. Failing to resolve or reach the proxy, or to have it open
/// a tunnel, is the proxy's failure; anything later says it went through the proxy.
pub fn through_proxy(
    proxy: &ProxyChoice,
    target: &Url,
    kind: NetworkErrorKind,
    message: &str,
) -> String {
    let named = proxy.named();
    let detail = message
        .split_once(": ")
        .map_or(message, |(_, detail)| detail);
    let tunnel_to = host_port(target);
    match kind {
        // With a proxy, hops looks up no name but the proxy's: the proxy resolves the target.
        NetworkErrorKind::Dns => format!("cannot resolve {named}: {}", tidy(detail)),
        NetworkErrorKind::Connect => match detail.strip_prefix("tunnel error: ") {
            Some("proxy authorization required") => format!(
                "{named} wants credentials (407) to open a tunnel to {tunnel_to}: put them in \
                 the proxy URL, as http://user:password@host:port"
            ),
            Some("unsuccessful") => format!(
                "{named} refused to open a tunnel to {tunnel_to} (it answered CONNECT with an \
                 error status)"
            ),
            Some("unexpected end of file") => {
                format!("{named} closed the connection instead of opening a tunnel to {tunnel_to}")
            }
            Some(other) => format!("{named} did not open a tunnel to {tunnel_to}: {other}"),
            None => format!("cannot connect to {named}: {}", tidy(detail)),
        },
        _ => format!("{message} (through {named})"),
    }
}

/// An operating system's error as words in a sentence: "Connection refused (os error 111)"
/// reads "connection refused".
fn tidy(detail: &str) -> String {
    let text = match detail.rfind(" (os error ") {
        Some(at) if detail.ends_with(')') => &detail[..at],
        _ => detail,
    };
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        // Lower the first letter of a sentence, not of an acronym ("TLS").
        (Some(first), Some(second)) if first.is_uppercase() && second.is_lowercase() => first
            .to_lowercase()
            .chain(text[first.len_utf8()..].chars())
            .collect(),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::IpVersion;

    fn options(proxy: Option<&str>, noproxy: Option<&str>) -> NetOptions {
        NetOptions {
            resolve: Vec::new(),
            cacert_pem: None,
            insecure: false,
            client_cert_pem: None,
            client_key_pem: None,
            connect_timeout: crate::net::DEFAULT_CONNECT_TIMEOUT,
            read_timeout: crate::net::DEFAULT_READ_TIMEOUT,
            proxy: proxy.map(str::to_owned),
            noproxy: noproxy.map(str::to_owned),
            ip_version: IpVersion::Any,
            http_version: crate::net::HttpVersion::Negotiated,
        }
    }

    /// Environment variables as (name, value) pairs.
    type Env<'a> = &'a [(&'a str, &'a str)];

    /// `-x`, `--noproxy`, the environment, a URL, and the route it takes.
    type Case<'a> = (Option<&'a str>, Option<&'a str>, Env<'a>, &'a str, &'a str);

    fn proxies(flag: Option<&str>, noproxy: Option<&str>, vars: Env) -> Proxies {
        let env = |name: &str| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        };
        Proxies::new(&options(flag, noproxy), env).unwrap()
    }

    /// The proxy address and origin a URL goes through, or "direct".
    fn route(proxies: &Proxies, url: &str) -> String {
        match proxies.for_url(&Url::parse(url).unwrap()) {
            Some(proxy) => format!("{} from {}", proxy.address(), proxy.origin),
            None => "direct".to_owned(),
        }
    }

    #[test]
    fn proxy_settings_are_read_as_curl_reads_them() {
        #[rustfmt::skip]
        let table: &[Case] = &[
            (None, None, &[], "http://shop.test/", "direct"),
            (None, None, &[("HTTP_PROXY", "p.test:3128")], "http://shop.test/", "direct"),
            (None, None, &[("http_proxy", "p.test:3128")], "http://shop.test/", "http://p.test:3128 from http_proxy"),
            (None, None, &[("http_proxy", "p.test:3128")], "https://shop.test/", "direct"),
            (None, None, &[("HTTPS_PROXY", "p.test:1")], "https://shop.test/", "http://p.test:1 from HTTPS_PROXY"),
            (None, None, &[("https_proxy", "p.test:1"), ("HTTPS_PROXY", "q.test:1")], "https://shop.test/", "http://p.test:1 from https_proxy"),
            (None, None, &[("https_proxy", "")], "https://shop.test/", "direct"),
            (None, None, &[("HTTPS_PROXY", "p.test:1"), ("all_proxy", "https://a.test")], "http://shop.test/", "https://a.test from all_proxy"),
            (Some("p.test:8080"), None, &[("http_proxy", "other.test:1")], "https://shop.test/", "http://p.test:8080 from -x"),
            (Some("http://u:pw@p.test:8080/x"), None, &[], "http://shop.test/", "http://u:pw@p.test:8080 from -x"),
            (None, None, &[("http_proxy", "p.test:3128"), ("NO_PROXY", "*")], "http://127.0.0.1/", "direct"),
            (None, None, &[("http_proxy", "p.test:3128"), ("no_proxy", "shop.test")], "http://www.shop.test/", "direct"),
            (None, None, &[("http_proxy", "p.test:3128"), ("no_proxy", "shop.test")], "http://other.test/", "http://p.test:3128 from http_proxy"),
            (None, Some("127.0.0.0/8"), &[("http_proxy", "p.test:3128"), ("no_proxy", "x")], "http://127.0.0.1:8080/", "direct"),
            (Some("p.test:1"), Some("::1"), &[], "http://[::1]:8080/", "direct"),
            (Some("p.test:1"), Some("::1"), &[], "http://[::2]:8080/", "http://p.test:1 from -x"),
        ];
        for &(flag, noproxy, vars, url, expected) in table {
            let proxies = proxies(flag, noproxy, vars);
            assert_eq!(
                route(&proxies, url),
                expected,
                "{flag:?} {noproxy:?} {vars:?} {url}"
            );
        }
    }

    #[test]
    fn a_setting_that_cannot_be_a_proxy_url_is_refused_by_name() {
        #[rustfmt::skip]
        let table: &[(Option<&str>, Env, &str)] = &[
            (Some("http://"), &[], "-x http://: not a proxy URL (empty host)"),
            (Some("http://p.test:99999"), &[], "-x http://p.test:99999: not a proxy URL (invalid port number)"),
            (Some("exa mple"), &[], "-x exa mple: not a proxy URL (invalid international domain name)"),
            (Some("ftp://p.test"), &[], "-x ftp://p.test: not a proxy URL (ftp is not a proxy scheme: hops speaks to http, https, socks5 and socks5h proxies)"),
            (Some("socks4://p.test"), &[], "-x socks4://p.test: not a proxy URL (socks4 proxies are not supported: hops speaks to http, https, socks5 and socks5h proxies)"),
            (None, &[("https_proxy", "http://u:secret@[::1")], "https_proxy=http://u:****@[::1: not a proxy URL (invalid IPv6 address)"),
        ];
        for &(flag, vars, expected) in table {
            let env = |name: &str| {
                vars.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            };
            let error = Proxies::new(&options(flag, None), env).unwrap_err();
            assert_eq!(error.to_string(), expected);
        }
    }

    #[test]
    fn failures_through_a_proxy_name_it() {
        let proxy = ProxyChoice {
            url: Url::parse("http://u:secret@127.0.0.1:3128").unwrap(),
            origin: "-x".to_owned(),
        };
        let target = Url::parse("https://shop.test/a").unwrap();
        let named = "the proxy http://u:****@127.0.0.1:3128 (from -x)";
        #[rustfmt::skip]
        let table: &[(NetworkErrorKind, &str, String)] = &[
            (NetworkErrorKind::Connect, "cannot connect: Connection refused (os error 111)",
             format!("cannot connect to {named}: connection refused")),
            (NetworkErrorKind::Dns, "cannot resolve host: failed to lookup address information: Name or service not known",
             format!("cannot resolve {named}: failed to lookup address information: Name or service not known")),
            (NetworkErrorKind::Connect, "cannot connect: tunnel error: unsuccessful",
             format!("{named} refused to open a tunnel to shop.test:443 (it answered CONNECT with an error status)")),
            (NetworkErrorKind::Connect, "cannot connect: tunnel error: proxy authorization required",
             format!("{named} wants credentials (407) to open a tunnel to shop.test:443: put them in the proxy URL, as http://user:password@host:port")),
            (NetworkErrorKind::Tls, "TLS handshake failed: the certificate has expired",
             format!("TLS handshake failed: the certificate has expired (through {named})")),
        ];
        for (kind, message, expected) in table {
            assert_eq!(&through_proxy(&proxy, &target, *kind, message), expected);
        }
        assert_eq!(tidy("TLS is off"), "TLS is off");
        assert_eq!(
            tidy("Network unreachable (os error 101)"),
            "network unreachable"
        );
    }
}
