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
    if let Some(proxy) = &connection.proxy {
        let mut proxy =
            Proxy::all(proxy).with_context(|| format!("--proxy: invalid proxy URL {proxy:?}"))?;
        if let Some(hosts) = &connection.noproxy {
            proxy = proxy.no_proxy(reqwest::NoProxy::from_string(hosts));
        }
        builder = builder.proxy(proxy);
    } else if connection
        .noproxy
        .as_deref()
        .is_some_and(|hosts| hosts.trim() == "*")
    {
        builder = builder.no_proxy();
    }
    builder.build().context("cannot set up the HTTP client")
}

/// reqwest is built without a default crypto provider; rustls needs one chosen once per process.
fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Fails only if another provider was installed first, which is just as good.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}
