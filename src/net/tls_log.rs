//! The log the TLS observers fill ([`TlsLog`]): the handshake in progress, then per connection
//! the TLS facts and warnings each https hop shows, and the certificate of a refused handshake.
//! It also holds the session store that times the handshake ([`HandshakeClock`]).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use hyper::http::Extensions;
use hyper_util::client::legacy::connect::HttpInfo;
use rustls::NamedGroup;
use rustls::client::{ClientSessionMemoryCache, ClientSessionStore};
use rustls::pki_types::ServerName;
use time::OffsetDateTime;

use super::certificate::{CertificateInfo, TlsRecord, format_time, relative};
use crate::model::{ClientCertificate, Warning, WarningCode};

/// A connection, named by its local and remote address.
pub type ConnectionKey = (SocketAddr, SocketAddr);

/// The connection a response or a new connection's extras belong to.
pub fn connection_key(extensions: &Extensions) -> Option<ConnectionKey> {
    extensions
        .get::<HttpInfo>()
        .map(|info| (info.local_addr(), info.remote_addr()))
}

/// What the server chose, as read from the transcript.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct Negotiated {
    pub(super) version: Option<u16>,
    pub(super) suite: Option<u16>,
    pub(super) alpn: Option<Vec<u8>>,
    /// The message that carries the ALPN choice was read (ServerHello on TLS 1.2,
    /// EncryptedExtensions on TLS 1.3), so `alpn: None` means the server chose none.
    pub(super) complete: bool,
}

/// What the TLS layer of one client learned: the handshake in progress, the facts of every
/// connection made, and the certificate of the last refused handshake.
#[derive(Debug, Default)]
pub struct TlsLog {
    pub(super) handshake: Mutex<Option<Handshake>>,
    connections: Mutex<HashMap<ConnectionKey, Arc<ConnectionTls>>>,
    pub(super) rejected: Mutex<Option<CertificateInfo>>,
    /// What became of the last handshake's request for a client certificate, kept for the
    /// error when that handshake fails.
    client_certificate: Mutex<Option<ClientCertificate>>,
}

/// One handshake, as the observers saw it.
#[derive(Debug, Default)]
pub(super) struct Handshake {
    /// When the ClientHello was built.
    pub(super) started: Option<Instant>,
    pub(super) negotiated: Negotiated,
    /// The leaf certificate as received.
    pub(super) leaf: Option<Vec<u8>>,
    pub(super) certificate: Option<CertificateInfo>,
    /// Why the certificate would be refused (it was accepted anyway with `-k`).
    pub(super) problem: Option<String>,
    pub(super) client_certificate: Option<ClientCertificate>,
}

/// The facts kept for one connection.
#[derive(Debug)]
pub(super) struct ConnectionTls {
    pub(super) version: Option<&'static str>,
    pub(super) cipher: Option<String>,
    pub(super) alpn: Option<String>,
    pub(super) certificate: Option<CertificateInfo>,
    pub(super) problem: Option<String>,
    pub(super) client_certificate: Option<ClientCertificate>,
}

/// A poisoned lock only means an observer panicked; what it logged is still good.
pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl TlsLog {
    fn handshake_started(&self) {
        *lock(&self.client_certificate) = None;
        *lock(&self.handshake) = Some(Handshake {
            started: Some(Instant::now()),
            ..Handshake::default()
        });
    }

    pub(super) fn update_handshake(&self, update: impl FnOnce(&mut Handshake)) {
        update(lock(&self.handshake).get_or_insert_with(Handshake::default));
    }

    /// Files the handshake just made under the new connection whose extras (hyper-util's
    /// `Connected` extras) are given; returns how long the handshake took. Nothing happens for a
    /// connection without TLS.
    pub fn connection_ready(&self, extras: &Extensions, negotiated_h2: bool) -> Option<Duration> {
        let key = connection_key(extras)?;
        let info = extras.get::<reqwest::tls::TlsInfo>()?;
        let leaf = info.peer_certificate();
        let handshake = lock(&self.handshake)
            .take()
            .filter(|handshake| leaf.is_some() && handshake.leaf.as_deref() == leaf)
            .unwrap_or_default();
        let negotiated = &handshake.negotiated;
        let version = negotiated.version.and_then(version_name).or_else(|| {
            use reqwest::tls::Version;
            match info.version()? {
                v if v == Version::TLS_1_3 => Some("TLSv1.3"),
                v if v == Version::TLS_1_2 => Some("TLSv1.2"),
                _ => None,
            }
        });
        let alpn = if negotiated.complete {
            negotiated
                .alpn
                .as_deref()
                .map(|protocol| String::from_utf8_lossy(protocol).into_owned())
        } else {
            negotiated_h2.then(|| "h2".to_owned())
        };
        let connection = ConnectionTls {
            version,
            cipher: negotiated.suite.map(suite_name),
            alpn,
            certificate: handshake
                .certificate
                .or_else(|| leaf.and_then(CertificateInfo::from_der)),
            problem: handshake.problem,
            client_certificate: handshake.client_certificate,
        };
        lock(&self.connections).insert(key, Arc::new(connection));
        handshake.started.map(|started| started.elapsed())
    }

    /// The TLS facts of the connection a response came on, and the warnings they call for;
    /// `None` for a connection without TLS. `opened` is the connection opened while the request
    /// was sent, if any.
    pub fn hop(
        &self,
        response_extensions: &Extensions,
        opened: Option<ConnectionKey>,
    ) -> Option<(TlsRecord, Vec<Warning>)> {
        let key = connection_key(response_extensions)?;
        let connection = lock(&self.connections).get(&key).cloned()?;
        let record = TlsRecord {
            version: connection.version.map(str::to_owned),
            cipher: connection.cipher.clone(),
            alpn: connection.alpn.clone(),
            new_connection: opened == Some(key),
            client_certificate: connection.client_certificate,
            certificate: connection.certificate.clone(),
        };
        let warnings = warnings(&connection, OffsetDateTime::now_utc());
        Some((record, warnings))
    }

    /// The server asked for a client certificate in the handshake under way (`client_cert.rs`).
    pub(super) fn client_certificate_asked(&self, answer: ClientCertificate) {
        *lock(&self.client_certificate) = Some(answer);
        self.update_handshake(|handshake| handshake.client_certificate = Some(answer));
    }

    /// What became of the last handshake's request for a client certificate, once.
    pub fn take_client_certificate(&self) -> Option<ClientCertificate> {
        lock(&self.client_certificate).take()
    }

    /// The certificate of the last handshake refused for its certificate, once.
    pub fn take_rejected(&self) -> Option<CertificateInfo> {
        lock(&self.rejected).take()
    }
}

pub(super) fn warnings(connection: &ConnectionTls, now: OffsetDateTime) -> Vec<Warning> {
    let mut warnings = Vec::new();
    if let Some(problem) = &connection.problem {
        warnings.push(Warning::new(
            WarningCode::CertificateNotVerified,
            format!("certificate checks are off (-k); without -k this hop fails: {problem}"),
        ));
    } else if let Some(certificate) = &connection.certificate {
        if certificate.expires_soon(now) {
            warnings.push(Warning::new(
                WarningCode::CertificateExpiresSoon,
                format!(
                    "the certificate expires {} ({}): browsers will refuse it then",
                    relative(certificate.not_after, now),
                    format_time(certificate.not_after)
                ),
            ));
        }
    }
    warnings
}

pub(super) fn version_name(version: u16) -> Option<&'static str> {
    match version {
        0x0304 => Some("TLSv1.3"),
        0x0303 => Some("TLSv1.2"),
        0x0302 => Some("TLSv1.1"),
        0x0301 => Some("TLSv1.0"),
        _ => None,
    }
}

pub(super) fn suite_name(suite: u16) -> String {
    rustls::CipherSuite::from(suite)
        .as_str()
        .map_or_else(|| format!("0x{suite:04x}"), str::to_owned)
}

// ---------------------------------------------------------------------------------------------
// The session store: the clock that splits TCP from TLS time.

/// Remembers key-exchange hints (so a second connection to a server guesses its group right),
/// never sessions; notes the start of every handshake.
#[derive(Debug)]
pub(super) struct HandshakeClock {
    pub(super) kx_hints: ClientSessionMemoryCache,
    pub(super) log: Arc<TlsLog>,
}

impl ClientSessionStore for HandshakeClock {
    fn set_kx_hint(&self, server_name: ServerName<'static>, group: NamedGroup) {
        self.kx_hints.set_kx_hint(server_name, group);
    }

    fn kx_hint(&self, server_name: &ServerName<'_>) -> Option<NamedGroup> {
        self.kx_hints.kx_hint(server_name)
    }

    fn set_tls12_session(
        &self,
        _: ServerName<'static>,
        _: rustls::client::Tls12ClientSessionValue,
    ) {
    }

    fn tls12_session(&self, _: &ServerName<'_>) -> Option<rustls::client::Tls12ClientSessionValue> {
        None
    }

    fn remove_tls12_session(&self, _: &ServerName<'static>) {}

    fn insert_tls13_ticket(
        &self,
        _: ServerName<'static>,
        _: rustls::client::Tls13ClientSessionValue,
    ) {
    }

    /// Asked first thing when a ClientHello is built, whatever the TLS versions enabled.
    fn take_tls13_ticket(
        &self,
        _: &ServerName<'static>,
    ) -> Option<rustls::client::Tls13ClientSessionValue> {
        self.log.handshake_started();
        None
    }
}
