//! Records for the unit tests of the modules that read them.

use std::net::SocketAddr;
use std::time::{Duration, SystemTime};

use url::Url;

use super::*;

fn url(text: &str) -> Url {
    Url::parse(text).expect("test URLs are absolute")
}

/// A GET hop to `url` answered by `status`, redirecting to `next` when given.
pub fn hop(index: usize, hop_url: &str, status: u16, next: Option<&str>) -> Hop {
    Hop {
        index,
        method: "GET".into(),
        url: url(hop_url),
        request_headers: vec![],
        body_bytes: None,
        request_body: None,
        started_at: SystemTime::UNIX_EPOCH,
        status,
        reason: String::new(),
        http_version: "HTTP/1.1".into(),
        remote_addr: Some(SocketAddr::from(([127, 0, 0, 1], 8080))),
        proxy: None,
        tls: None,
        retried: None,
        response_headers: vec![("content-type".into(), "text/html".into())],
        locations: next.map(str::to_owned).into_iter().collect(),
        next: next.map(|next| NextHop {
            url: url(hop_url).join(next).expect("a test Location resolves"),
            method: "GET".into(),
            method_changed: false,
            body_kept: None,
            stripped_headers: vec![],
        }),
        not_followed: None,
        via: if index == 1 {
            Via::Start
        } else {
            Via::Redirect
        },
        synthetic: false,
        hsts: None,
        refresh: None,
        set_cookies: vec![],
        timing: Timing::default(),
        warnings: vec![],
    }
}

/// A chain of `hops` that started with a GET of the first hop's URL.
pub fn chain(hops: Vec<Hop>, outcome: Outcome) -> Chain {
    Chain {
        request: RequestSummary {
            method: "GET".into(),
            url: hops[0].url.clone(),
            headers: vec![],
            body_bytes: None,
        },
        hops: hops.into_iter().map(Box::new).collect(),
        outcome,
        time: Duration::from_micros(12_345),
    }
}

/// A chain stopped at hop `at` because it would repeat hop `repeats`.
pub fn looped(hops: Vec<Hop>, repeats: usize) -> Chain {
    let at = hops.len() + 1;
    let url = hops[repeats - 1].url.clone();
    chain(
        hops,
        Outcome::Loop(LoopInfo {
            repeats_hop: repeats,
            at_hop: at,
            method: "GET".into(),
            url,
            message: "stopped".into(),
        }),
    )
}

/// A chain stopped by the redirect limit at its last hop.
pub fn too_many(hops: Vec<Hop>) -> Chain {
    let hop = hops.len();
    chain(
        hops,
        Outcome::TooManyRedirects {
            hop,
            message: "stopped".into(),
        },
    )
}
