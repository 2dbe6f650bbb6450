//! The one reqwest client of a run: no automatic redirects, no cookie or referer handling of its
//! own (the hop loop owns those), pooled connections, TLS (configured and observed by
//! `tls_config.rs`) and resolve overrides from the config, and a log of DNS lookups and new
//! connections so each hop can show where its time went.

use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};
use std::time::{Duration, Instant};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};

use anyhow::{Context, Result};
use hyper_util::client::legacy::connect::Connection;
use reqwest::{Client, redirect};

use crate::model::{ClientCertificate, NetworkErrorKind};

use super::error_wording::classify_with_limits;
use super::host_limits::HostLimits;
use super::limits::{RESPONSE_HEAD_BYTES, RESPONSE_HEAD_FIELDS};
use super::options::{HttpVersion, IpVersion, NetOptions};
use super::proxy::Proxies;
use super::tls_log::{ConnectionKey, TlsLog};

/// What happened on the wire while a request was being sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SetupTiming {
    /// A DNS lookup was made (none with `--resolve` or an IP address).
    pub dns: Option<Duration>,
    /// A new connection was opened: TCP, plus the TLS handshake on https; DNS excluded.
    pub connect: Option<Duration>,
    /// The TLS handshake of the new connection: the part of `connect` after TCP.
    pub tls: Option<Duration>,
    /// The new connection, by its local and remote address.
    pub connection: Option<ConnectionKey>,
}

/// DNS lookups and new connections, as they happen; the hop loop takes them after each request.
/// Requests of a run are sequential, so what was logged during one belongs to it.
#[derive(Debug, Clone, Default)]
pub struct ConnectionLog {
    timing: Arc<Mutex<SetupTiming>>,
    /// New connections opened so far, never reset: a request during which it did not change
    /// went out on a connection from the pool.
    opened: Arc<AtomicUsize>,
}

impl ConnectionLog {
    fn record(&self, update: impl FnOnce(&mut SetupTiming)) {
        if let Ok(mut timing) = self.timing.lock() {
            update(&mut timing);
        }
    }

    /// How many new connections were opened so far.
    pub fn opened(&self) -> usize {
        self.opened.load(Ordering::SeqCst)
    }

    /// What was logged since the last call.
    pub fn take(&self) -> SetupTiming {
        self.timing
            .lock()
            .map(|mut timing| std::mem::take(&mut *timing))
            .unwrap_or_default()
    }
}

/// The client and the logs its connector and TLS layer write to.
pub struct HopClient {
    pub http: Client,
    pub log: ConnectionLog,
    pub tls: Arc<TlsLog>,
    /// The connect and read timeouts it was built with, for error messages.
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
    /// The proxies the client uses, to say which one a hop went through.
    pub proxies: Arc<Proxies>,
    /// Requests in flight and request starts per host, for `hops check` (none in a normal run).
    pub host_limits: Option<Arc<HostLimits>>,
}

impl HopClient {
    /// A failed request in words: its kind, and its cause with the certificate the TLS layer
    /// refused or the connect timeout that ran out, when that is what happened.
    pub fn describe(&self, error: &reqwest::Error) -> (NetworkErrorKind, String) {
        let (kind, mut message) = classify_with_limits(
            error,
            self.tls.take_rejected().as_ref(),
            self.connect_timeout,
            self.read_timeout,
        );
        // A server that requires a client certificate only says so with an alert, in words
        // that do not name the flag.
        let unanswered = self.tls.take_client_certificate() == Some(ClientCertificate::Requested);
        if kind == NetworkErrorKind::Tls && unanswered {
            message
                .push_str(" (the server asked for a client certificate and none was sent: --cert)");
        }
        (kind, message)
    }
}

pub fn build(connection: &NetOptions) -> Result<HopClient> {
    let (mut tls_config, tls) =
        super::tls_config::client_config(connection.cacert_pem.as_deref(), connection.insecure)?;
    // reqwest uses the configuration as given, ALPN included, so the HTTP version flags set
    // both: what the handshake offers and what hyper speaks.
    tls_config.alpn_protocols = connection.http_version.alpn();
    tls_config.client_auth_cert_resolver = super::client_cert::resolver(
        connection.client_cert_pem.as_deref(),
        connection.client_key_pem.as_deref(),
        tls_config.crypto_provider(),
        &tls,
    )?;
    let log = ConnectionLog::default();
    let mut builder = Client::builder()
        // Used as given: roots, -k, ALPN and the observers are all in it (see tls_config.rs).
        .tls_backend_preconfigured(tls_config)
        // The leaf certificate reqwest reports per connection checks what the observers saw.
        .tls_info(true)
        .dns_resolver(TimedResolver(log.clone()))
        .connector_layer(TimedConnectLayer {
            log: log.clone(),
            tls: Arc::clone(&tls),
        })
        .redirect(redirect::Policy::none())
        .referer(false)
        .tcp_nodelay(true)
        // DNS, TCP and TLS of a new connection: reqwest's timeout wraps its whole connector.
        .connect_timeout(connection.connect_timeout)
        // Each read of a head or a body, reset by every byte that arrives; see limits.rs.
        .read_timeout(connection.read_timeout)
        // hyper's default of 100 fields fails a hop with many cookies; see limits.rs.
        .http1_max_headers(RESPONSE_HEAD_FIELDS)
        .http2_max_header_list_size(u32::try_from(RESPONSE_HEAD_BYTES).unwrap_or(u32::MAX));
    for entry in &connection.resolve {
        // Port 0: reqwest then uses the URL's port, which is what curl's HOST:PORT selects.
        let addrs: Vec<SocketAddr> = entry
            .addrs
            .iter()
            .map(|ip| SocketAddr::new(*ip, 0))
            .collect();
        builder = builder.resolve_to_addrs(&entry.host, &addrs);
    }
    builder = match connection.http_version {
        HttpVersion::Negotiated => builder,
        HttpVersion::Http1Only => builder.http1_only(),
        HttpVersion::Http2PriorKnowledge => builder.http2_prior_knowledge(),
    };
    builder = match connection.ip_version {
        IpVersion::Any => builder,
        IpVersion::V4 => builder.local_address(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
        IpVersion::V6 => builder.local_address(IpAddr::V6(Ipv6Addr::UNSPECIFIED)),
    };
    // reqwest's own environment lookup differs from curl's (it reads HTTP_PROXY in capitals,
    // which curl ignores for safety), so proxies are always configured here.
    builder = builder.no_proxy();
    let proxies = Arc::new(Proxies::new(connection, |name| std::env::var(name).ok())?);
    if let Some(proxy) = proxies.reqwest_proxy() {
        builder = builder.proxy(proxy);
    }
    let http = builder.build().context("cannot set up the HTTP client")?;
    Ok(HopClient {
        http,
        log,
        tls,
        connect_timeout: connection.connect_timeout,
        read_timeout: connection.read_timeout,
        proxies,
        host_limits: None,
    })
}

/// The system resolver, timed.
struct TimedResolver(ConnectionLog);

impl Resolve for TimedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let log = self.0.clone();
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let started = Instant::now();
            let addrs: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let elapsed = started.elapsed();
            log.record(|timing| timing.dns = Some(timing.dns.unwrap_or_default() + elapsed));
            Ok(Box::new(addrs.into_iter()) as Addrs)
        })
    }
}

/// Times every new connection the pool opens (DNS, TCP and TLS together; DNS is taken out
/// afterwards) and hands the TLS log the connection its handshake belongs to.
#[derive(Clone)]
struct TimedConnectLayer {
    log: ConnectionLog,
    tls: Arc<TlsLog>,
}

impl<S> tower_layer::Layer<S> for TimedConnectLayer {
    type Service = TimedConnect<S>;

    fn layer(&self, inner: S) -> Self::Service {
        TimedConnect {
            inner,
            log: self.log.clone(),
            tls: Arc::clone(&self.tls),
        }
    }
}

#[derive(Clone)]
struct TimedConnect<S> {
    inner: S,
    log: ConnectionLog,
    tls: Arc<TlsLog>,
}

impl<S, R> tower_service::Service<R> for TimedConnect<S>
where
    S: tower_service::Service<R>,
    S::Response: Connection,
    S::Future: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: R) -> Self::Future {
        let started = Instant::now();
        let connecting = self.inner.call(request);
        let log = self.log.clone();
        let tls = Arc::clone(&self.tls);
        Box::pin(async move {
            let result = connecting.await;
            if let Ok(connection) = &result {
                log.opened.fetch_add(1, Ordering::SeqCst);
                let elapsed = started.elapsed();
                let connected = connection.connected();
                let mut extras = hyper::http::Extensions::new();
                connected.get_extras(&mut extras);
                let handshake = tls.connection_ready(&extras, connected.is_negotiated_h2());
                log.record(|timing| {
                    let connect = elapsed.saturating_sub(timing.dns.unwrap_or_default());
                    timing.connect = Some(connect);
                    // The handshake is part of connecting; its clock stops a few microseconds
                    // later than this one (after the connection is handed over), which on
                    // loopback can make it look longer than the whole.
                    timing.tls = handshake.map(|handshake| handshake.min(connect));
                    timing.connection = super::tls_log::connection_key(&extras);
                });
            }
            result
        })
    }
}
