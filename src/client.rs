//! The one reqwest client of a run: no automatic redirects, no cookie or referer handling of its
//! own (the hop loop owns those), pooled connections, TLS and resolve overrides from the config.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Once;

use anyhow::{Context, Result};
use reqwest::{Certificate, Client, Proxy, redirect};

use crate::config::{ConnectionConfig, IpVersion};

pub fn build(connection: &ConnectionConfig) -> Result<Client> {
    install_crypto_provider();
    let mut builder = Client::builder()
        .redirect(redirect::Policy::none())
        .referer(false)
        .tcp_nodelay(true)
        .danger_accept_invalid_certs(connection.insecure);
    for entry in &connection.resolve {
        // Port 0: reqwest then uses the URL's port, which is what curl's HOST:PORT selects.
        let addrs: Vec<SocketAddr> = entry
            .addrs
            .iter()
            .map(|ip| SocketAddr::new(*ip, 0))
            .collect();
        builder = builder.resolve_to_addrs(&entry.host, &addrs);
    }
    if let Some(pem) = &connection.cacert_pem {
        for certificate in
            Certificate::from_pem_bundle(pem).context("--cacert: not a PEM certificate file")?
        {
            builder = builder.add_root_certificate(certificate);
        }
    }
    if let Some(timeout) = connection.connect_timeout {
        builder = builder.connect_timeout(timeout);
    }
    builder = match connection.ip_version {
        IpVersion::Any => builder,
        IpVersion::V4 => builder.local_address(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        IpVersion::V6 => builder.local_address(IpAddr::V6(Ipv6Addr::UNSPECIFIED)),
    };
    // reqwest's own environment lookup differs from curl's (it reads HTTP_PROXY in capitals,
    // which curl ignores for safety), so proxies are always configured here.
    builder = builder.no_proxy();
    for proxy in proxies(connection, |name| std::env::var(name).ok())? {
        builder = builder.proxy(proxy);
    }
    builder.build().context("cannot set up the HTTP client")
}

/// The proxies curl would use: `-x` for everything, else `http_proxy` (lower case only),
/// `https_proxy`, `all_proxy`, each minus `--noproxy` or `no_proxy`.
fn proxies(
    connection: &ConnectionConfig,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Vec<Proxy>> {
    let either_case = |name: &str| {
        env(name)
            .or_else(|| env(&name.to_ascii_uppercase()))
            .filter(|v| !v.is_empty())
    };
    let no_proxy = connection
        .noproxy
        .clone()
        .or_else(|| either_case("no_proxy"));
    let with_scheme = |url: String| {
        if url.contains("://") {
            url
        } else {
            format!("http://{url}")
        }
    };
    let mut proxies = Vec::new();
    let mut add = |proxy: reqwest::Result<Proxy>, origin: &str| -> Result<()> {
        let proxy = proxy.with_context(|| format!("{origin}: invalid proxy URL"))?;
        proxies.push(proxy.no_proxy(no_proxy.as_deref().and_then(reqwest::NoProxy::from_string)));
        Ok(())
    };
    if let Some(url) = &connection.proxy {
        add(Proxy::all(with_scheme(url.clone())), "--proxy")?;
        return Ok(proxies);
    }
    if let Some(url) = env("http_proxy").filter(|v| !v.is_empty()) {
        add(Proxy::http(with_scheme(url)), "http_proxy")?;
    }
    if let Some(url) = either_case("https_proxy") {
        add(Proxy::https(with_scheme(url)), "https_proxy")?;
    }
    if let Some(url) = either_case("all_proxy") {
        add(Proxy::all(with_scheme(url)), "all_proxy")?;
    }
    Ok(proxies)
}

/// reqwest is built without a default crypto provider; rustls needs one chosen once per process.
fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Fails only if another provider was installed first, which is just as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connection(proxy: Option<&str>) -> ConnectionConfig {
        ConnectionConfig {
            resolve: Vec::new(),
            cacert_pem: None,
            insecure: false,
            max_time: None,
            connect_timeout: None,
            proxy: proxy.map(str::to_owned),
            noproxy: None,
            ip_version: IpVersion::Any,
        }
    }

    /// Environment variables as (name, value) pairs.
    type Env<'a> = &'a [(&'a str, &'a str)];

    #[test]
    fn proxy_environment_read_as_curl_does() {
        #[rustfmt::skip]
        let table: &[(Option<&str>, Env, usize)] = &[
            (None, &[], 0),
            (None, &[("HTTP_PROXY", "proxy.test:3128")], 0),
            (None, &[("http_proxy", "proxy.test:3128")], 1),
            (None, &[("HTTPS_PROXY", "proxy.test:3128"), ("all_proxy", "http://p.test")], 2),
            (None, &[("https_proxy", "")], 0),
            (Some("proxy.test:8080"), &[("http_proxy", "other.test:1")], 1),
        ];
        for &(flag, vars, expected) in table {
            let env = |name: &str| {
                vars.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v).to_owned())
            };
            let got = proxies(&connection(flag), env).unwrap();
            assert_eq!(got.len(), expected, "{flag:?} {vars:?}");
        }
    }
}
