//! How one accepted connection is served: TLS or plain http told apart by its first bytes,
//! HTTP/1.1 or h2, and the time limits that keep a silent client from holding it for ever.

use std::convert::Infallible;
use std::future::Future;
use std::io;
use std::net::IpAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::task::{Context, Poll};
use std::time::Duration;

use http_body_util::Either;
use hyper::body::Incoming;
use hyper::server::conn::{http1, http2};
use hyper::service::{Service, service_fn};
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinSet;
use tokio::time::{Sleep, timeout};
use tokio_rustls::TlsAcceptor;

use super::{ServerState, respond, respond_plain_on_tls};
use crate::ca;
use crate::drip::{self, Drip};

/// What a listener speaks.
pub(super) enum Protocol {
    /// https only: each connection first completes a TLS handshake. Plain http is answered
    /// 400 with the https URL to use.
    Tls(TlsAcceptor),
    /// Plain http, or https when the first byte is a TLS handshake record. The http port answers
    /// both so that an HSTS upgrade, which keeps an explicit port, reaches this server too.
    Sniffed(TlsAcceptor),
}

/// The first byte of a TLS connection: a handshake record (RFC 8446 §5.1).
const TLS_HANDSHAKE_RECORD: u8 = 0x16;

/// What an HTTP/2 client with prior knowledge (h2c) sends first (RFC 9113 §3.4).
const H2_PREFACE: &[u8] = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/// Who sent a request: the client's address, and the number of its connection (1 for the first
/// connection either listener accepted, 2 for the next...).
#[derive(Debug, Clone, Copy)]
pub(super) struct Peer {
    pub(super) ip: IpAddr,
    pub(super) connection: u64,
}

/// Accepts on one listener, serving each connection as `protocol` says.
pub(super) async fn accept_connections(
    listener: TcpListener,
    protocol: Protocol,
    state: Arc<ServerState>,
) {
    // Owning the connection tasks here means aborting this task also closes them.
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        match listener.accept().await {
            Ok((stream, address)) => {
                let peer = Peer {
                    ip: address.ip(),
                    connection: state.connections.fetch_add(1, Ordering::Relaxed) + 1,
                };
                // Responses are written whole; no need to wait for an ACK before the next one.
                let _ = stream.set_nodelay(true);
                let state = Arc::clone(&state);
                let (acceptor, serves_plain) = match &protocol {
                    Protocol::Tls(acceptor) => (acceptor.clone(), false),
                    Protocol::Sniffed(acceptor) => (acceptor.clone(), true),
                };
                connections.spawn(serve(stream, acceptor, serves_plain, peer, state));
            }
            // Errors such as running out of file descriptors are usually transient; avoid a hot loop.
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

/// How a connection opens.
enum Opening {
    Tls,
    /// The HTTP/2 preface, on a server that serves h2c.
    H2c,
    Http1,
}

/// Serves one connection; `serves_plain` on the http listener, which answers both plain http
/// and TLS.
async fn serve(
    stream: TcpStream,
    acceptor: TlsAcceptor,
    serves_plain: bool,
    peer: Peer,
    state: Arc<ServerState>,
) {
    let limit = state.idle_timeout;
    // hyper's header timeout starts only once hyper reads, and a TLS handshake has none: a
    // client that connects and says nothing is bounded here. The https listener looks too, to
    // tell plain http apart; only the http one serves h2c.
    let Ok(Some(opening)) = timeout(limit, opening(&stream, serves_plain && state.h2c)).await
    else {
        return;
    };
    match opening {
        Opening::Tls => {
            // A failed handshake is the client refusing the certificate, or not speaking TLS:
            // either way there is nothing to serve.
            let Ok(Ok(stream)) = timeout(limit, acceptor.accept(stream)).await else {
                return;
            };
            // `h2` is negotiated only when the acceptor offers it (`TlsOptions::http2`).
            if stream.get_ref().1.alpn_protocol() == Some(ca::H2_ALPN) {
                serve_h2(stream, "https", peer, state).await;
            } else {
                serve_http1(stream, "https", peer, state).await;
            }
        }
        // Told where to go, rather than sent TLS bytes it cannot read.
        _ if !serves_plain => refuse_plain_http(stream, peer, state).await,
        Opening::Http1 => serve_http1(stream, "http", peer, state).await,
        Opening::H2c => serve_h2(stream, "http", peer, state).await,
    }
}

/// Plain http on the https port: each request is answered 400 with the https URL to use, and
/// the connection closed.
async fn refuse_plain_http(stream: TcpStream, peer: Peer, state: Arc<ServerState>) {
    let Ok(local) = stream.local_addr() else {
        return;
    };
    let limit = state.idle_timeout;
    let service = service_fn(move |request| {
        let state = Arc::clone(&state);
        async move { Ok::<_, Infallible>(respond_plain_on_tls(request, peer, &state, local).await) }
    });
    let _ = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limit)
        .serve_connection(TokioIo::new(stream), service)
        .await;
}

/// Tells TLS, h2c with prior knowledge and HTTP/1.1 apart from the first bytes, without
/// consuming them; `None` when the client hung up first.
async fn opening(stream: &TcpStream, h2c: bool) -> Option<Opening> {
    let mut first = [0u8; 24];
    loop {
        let read = stream.peek(&mut first).await.ok()?;
        let seen = &first[..read];
        match seen.first()? {
            &TLS_HANDSHAKE_RECORD => return Some(Opening::Tls),
            _ if !h2c || !H2_PREFACE.starts_with(seen) => return Some(Opening::Http1),
            _ if seen.len() == H2_PREFACE.len() => return Some(Opening::H2c),
            // A peek returns at once while the bytes already there are unread: wait a little
            // for the rest of the preface rather than spin.
            _ => tokio::time::sleep(Duration::from_millis(5)).await,
        }
    }
}

async fn serve_http1<S>(stream: S, scheme: &'static str, peer: Peer, state: Arc<ServerState>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let limit = state.idle_timeout;
    // The header read timeout runs from when hyper starts waiting for a request head: it bounds
    // both a half-sent header and an idle keep-alive connection between two requests.
    // Failures here are clients hanging up or sending garbage, which hyper has already answered.
    let _ = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(limit)
        .keep_alive(true)
        .serve_connection(TokioIo::new(stream), Answer::new(scheme, peer, state))
        .await;
}

/// Like [`serve_http1`], over HTTP/2: a TLS connection that negotiated `h2`, or h2c.
async fn serve_h2<S>(stream: S, scheme: &'static str, peer: Peer, state: Arc<ServerState>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let limit = state.idle_timeout;
    // HTTP/2 has no header timeout in hyper: pings find a client that stopped answering. One
    // that answers them may keep an idle connection, as browsers do with h2.
    let stream = FirstByteWithin::new(stream, limit);
    let _ = http2::Builder::new(TokioExecutor::new())
        .timer(TokioTimer::new())
        .keep_alive_interval(limit)
        .keep_alive_timeout(limit)
        .serve_connection(TokioIo::new(stream), Answer::new(scheme, peer, state))
        .await;
}

/// A stream whose first byte must come within a time limit: hyper's HTTP/2 server waits for
/// the client's preface without one, and sends its first ping only after it.
struct FirstByteWithin<S> {
    inner: S,
    /// `None` once a byte came.
    deadline: Option<Pin<Box<Sleep>>>,
}

impl<S> FirstByteWithin<S> {
    fn new(inner: S, limit: Duration) -> Self {
        FirstByteWithin {
            inner,
            deadline: Some(Box::pin(tokio::time::sleep(limit))),
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for FirstByteWithin<S> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        let Some(deadline) = self.deadline.as_mut() else {
            return polled;
        };
        match polled {
            Poll::Ready(Ok(())) if buf.filled().len() > before => {
                self.deadline = None;
                polled
            }
            Poll::Pending if deadline.as_mut().poll(cx).is_ready() => {
                Poll::Ready(Err(io::ErrorKind::TimedOut.into()))
            }
            polled => polled,
        }
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for FirstByteWithin<S> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

/// The service of one connection: every request answered by [`respond`].
#[derive(Clone)]
struct Answer {
    scheme: &'static str,
    peer: Peer,
    state: Arc<ServerState>,
}

impl Answer {
    fn new(scheme: &'static str, peer: Peer, state: Arc<ServerState>) -> Answer {
        Answer {
            scheme,
            peer,
            state,
        }
    }
}

type Served = Response<Either<http_body_util::Full<bytes::Bytes>, Drip>>;

impl Service<Request<Incoming>> for Answer {
    type Response = Served;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Served, Infallible>> + Send>>;

    fn call(&self, request: Request<Incoming>) -> Self::Future {
        let Answer {
            scheme,
            peer,
            state,
        } = self.clone();
        Box::pin(async move {
            let response = respond(request, scheme, peer, &state).await;
            Ok(drip::served(response).await)
        })
    }
}
