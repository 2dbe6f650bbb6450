//! Whole chains played through the navigator against a scripted server, with no network: every
//! decision of every demo scenario, and the rules around them, one table row each.

use std::cell::Cell;
use std::time::{Duration, SystemTime};

use reqwest::Method;
use reqwest::header::HeaderName;

use super::*;
use crate::model::{OutcomeKind, WarningCode};
use crate::redirect::KeepPost;

/// 2023-11-14, a fixed clock for the HSTS store.
fn now() -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

/// A scripted response.
#[derive(Debug, Clone)]
struct Answer {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: &'static str,
}

fn answer(status: u16, headers: &[(&'static str, &str)]) -> Answer {
    Answer {
        status,
        headers: headers.iter().map(|(n, v)| (*n, (*v).to_owned())).collect(),
        body: "",
    }
}

fn to(status: u16, location: &str) -> Answer {
    answer(status, &[("location", location)])
}

fn ok() -> Answer {
    answer(200, &[("content-type", "text/plain")])
}

fn html(body: &'static str) -> Answer {
    Answer {
        body,
        ..answer(200, &[("content-type", "text/html; charset=utf-8")])
    }
}

/// A route: the answer for a URL (as sent, or every URL under it for a prefix route), when the
/// request's Cookie header contains `cookie` (or always, for `None`), at most `uses` times. The
/// first matching route answers; anything else gets a 404.
struct Route {
    url: &'static str,
    prefix: bool,
    cookie: Option<&'static str>,
    uses: Cell<usize>,
    answer: Answer,
}

impl Route {
    fn answers(&self, url: &str, cookie: &str) -> bool {
        let url_matches = if self.prefix {
            url.starts_with(self.url)
        } else {
            url == self.url
        };
        url_matches && self.cookie.is_none_or(|c| cookie.contains(c)) && self.uses.get() > 0
    }
}

fn at(url: &'static str, answer: Answer) -> Route {
    Route {
        url,
        prefix: false,
        cookie: None,
        uses: Cell::new(usize::MAX),
        answer,
    }
}

fn with_cookie(url: &'static str, cookie: &'static str, answer: Answer) -> Route {
    Route {
        cookie: Some(cookie),
        ..at(url, answer)
    }
}

/// Every URL that starts with `url`.
fn under(url: &'static str, answer: Answer) -> Route {
    Route {
        prefix: true,
        ..at(url, answer)
    }
}

/// The first request to `url` only.
fn once(url: &'static str, answer: Answer) -> Route {
    Route {
        uses: Cell::new(1),
        ..at(url, answer)
    }
}

fn get(url: &str) -> PlannedRequest {
    PlannedRequest {
        method: Method::GET,
        url: Url::parse(url).unwrap(),
        headers: Vec::new(),
        body: None,
    }
}

fn send(
    method: Method,
    url: &str,
    body: &'static str,
    content_type: &'static str,
) -> PlannedRequest {
    PlannedRequest {
        method,
        url: Url::parse(url).unwrap(),
        headers: vec![(
            HeaderName::from_static("content-type"),
            HeaderValue::from_static(content_type),
        )],
        body: Some(Bytes::from_static(body.as_bytes())),
    }
}

fn header(mut request: PlannedRequest, name: &'static str, value: &'static str) -> PlannedRequest {
    request.headers.push((
        HeaderName::from_static(name),
        HeaderValue::from_static(value),
    ));
    request
}

fn options() -> NavigatorOptions {
    NavigatorOptions {
        max_redirects: 20,
        certificates_checked: true,
        ..NavigatorOptions::default()
    }
}

/// What the scripted server saw and how the chain ended.
struct Played {
    sent: Vec<Outgoing>,
    hops: Vec<Hop>,
    outcome: Outcome,
}

impl Played {
    /// "METHOD URL" of every request sent.
    fn requests(&self) -> Vec<String> {
        self.sent
            .iter()
            .map(|o| format!("{} {}", o.method, o.url))
            .collect()
    }

    fn sent_header(&self, request: usize, name: &str) -> Option<&str> {
        self.sent[request]
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
    }

    fn codes(&self, hop: usize) -> Vec<WarningCode> {
        self.hops[hop].warnings.iter().map(|w| w.code).collect()
    }
}

/// Plays a chain: the driver's loop, with the scripted server in place of the network.
fn play_with(
    start: PlannedRequest,
    options: NavigatorOptions,
    hsts: &mut HstsStore,
    routes: &[Route],
) -> Played {
    let mut jar = Jar::new(true);
    let mut navigator = Navigator::new(start, options, &mut jar, hsts, now());
    let mut played = Played {
        sent: Vec::new(),
        hops: Vec::new(),
        outcome: Outcome::Final,
    };
    for _ in 0..64 {
        let outgoing = match navigator.next_step() {
            Step::Send(outgoing) => outgoing,
            Step::Upgraded(hop) => {
                played.hops.push(*hop);
                continue;
            }
            Step::Finish(outcome) => {
                played.outcome = outcome;
                return played;
            }
        };
        let cookie = outgoing
            .headers
            .get("cookie")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned();
        let route = routes
            .iter()
            .find(|r| r.answers(outgoing.url.as_str(), &cookie));
        if let Some(route) = route {
            route.uses.set(route.uses.get().saturating_sub(1));
        }
        let answer = route.map_or_else(|| answer(404, &[]), |r| r.answer.clone());
        let mut headers = HeaderMap::new();
        for (name, value) in &answer.headers {
            headers.append(*name, HeaderValue::from_str(value).unwrap());
        }
        let head = ResponseHead {
            status: answer.status,
            reason: String::new(),
            version: "HTTP/1.1".into(),
            headers: &headers,
            remote_addr: None,
        };
        let decision = navigator.on_response(&outgoing, head);
        played.sent.push(outgoing);
        match decision {
            HeadDecision::Follow(hop) => played.hops.push(*hop),
            HeadDecision::Stop(hop, outcome) => {
                played.hops.push(*hop);
                played.outcome = outcome;
                return played;
            }
            HeadDecision::ReadBody(mut hop, plan) => {
                let prefix = match plan {
                    BodyPlan::Nothing => &[][..],
                    BodyPlan::HtmlPrefix(limit) => {
                        &answer.body.as_bytes()[..answer.body.len().min(limit)]
                    }
                };
                let decision = navigator.on_body(&mut hop, prefix);
                played.hops.push(*hop);
                match decision {
                    BodyDecision::Follow => {}
                    BodyDecision::Final => return played,
                    BodyDecision::Stop(outcome) => {
                        played.outcome = outcome;
                        return played;
                    }
                }
            }
        }
    }
    panic!("the navigator never finished: {:?}", played.requests());
}

/// One chain: how it starts, what the server answers, what must have been sent and how it ends,
/// plus the facts that case is about.
struct Case {
    name: &'static str,
    start: PlannedRequest,
    options: NavigatorOptions,
    preload: bool,
    routes: Vec<Route>,
    sent: Vec<&'static str>,
    outcome: OutcomeKind,
    check: fn(&Played),
}

fn case(
    name: &'static str,
    start: PlannedRequest,
    routes: Vec<Route>,
    sent: &[&'static str],
    outcome: OutcomeKind,
    check: fn(&Played),
) -> Case {
    Case {
        name,
        start,
        options: options(),
        preload: false,
        routes,
        sent: sent.to_vec(),
        outcome,
        check,
    }
}

fn loop_at(played: &Played, repeats: usize, at: usize) {
    let info = played.outcome.loop_info().expect("a loop");
    assert_eq!((info.repeats_hop, info.at_hop), (repeats, at));
}

fn cases() -> Vec<Case> {
    use OutcomeKind::{BadLocation, Loop, Ok, TooManyRedirects};
    let long_chain: Vec<Route> = (1..=21)
        .map(|i| {
            let url: &'static str = format!("http://shop.test/step/{i}").leak();
            at(url, to(301, &format!("/step/{}", i + 1)))
        })
        .collect();
    vec![
        case(
            "301 keeps GET",
            get("http://shop.test/a"),
            vec![
                at("http://shop.test/a", to(301, "/b")),
                at("http://shop.test/b", ok()),
            ],
            &["GET http://shop.test/a", "GET http://shop.test/b"],
            Ok,
            |p| assert!(!p.hops[0].next.as_ref().unwrap().method_changed),
        ),
        case(
            "POST through 301 becomes GET without its body",
            send(
                Method::POST,
                "http://shop.test/form",
                "a=1",
                "application/x-www-form-urlencoded",
            ),
            vec![
                at("http://shop.test/form", to(301, "/done")),
                at("http://shop.test/done", ok()),
            ],
            &["POST http://shop.test/form", "GET http://shop.test/done"],
            Ok,
            |p| {
                assert!(p.sent[1].body.is_none());
                assert_eq!(p.sent_header(1, "content-type"), None);
                let next = p.hops[0].next.as_ref().unwrap();
                assert_eq!((next.method_changed, next.body_kept), (true, Some(false)));
                assert_eq!(next.stripped_headers[0].name, "content-type");
            },
        ),
        case(
            "POST through 302 becomes GET",
            send(Method::POST, "http://shop.test/form", "a=1", "text/plain"),
            vec![
                at("http://shop.test/form", to(302, "/done")),
                at("http://shop.test/done", ok()),
            ],
            &["POST http://shop.test/form", "GET http://shop.test/done"],
            Ok,
            |p| assert!(p.sent[1].body.is_none()),
        ),
        case(
            "demo post-307-303: 307 replays the POST, 303 turns it into a GET",
            send(
                Method::POST,
                "http://shop.test/checkout",
                "name=alice",
                "application/x-www-form-urlencoded",
            ),
            vec![
                at("http://shop.test/checkout", to(307, "/pay")),
                at("http://shop.test/pay", to(303, "/done")),
                at("http://shop.test/done", ok()),
            ],
            &[
                "POST http://shop.test/checkout",
                "POST http://shop.test/pay",
                "GET http://shop.test/done",
            ],
            Ok,
            |p| {
                assert_eq!(p.sent[1].body.as_deref(), Some(&b"name=alice"[..]));
                assert_eq!(
                    p.sent_header(1, "content-type"),
                    Some("application/x-www-form-urlencoded")
                );
                assert!(p.sent[2].body.is_none());
                assert_eq!(p.sent_header(2, "content-type"), None);
            },
        ),
        case(
            "demo put-301: a PUT keeps its method and body through a 301",
            send(
                Method::PUT,
                "http://shop.test/cart/1",
                "{\"qty\":2}",
                "application/json",
            ),
            vec![
                at("http://shop.test/cart/1", to(301, "/cart/one")),
                at("http://shop.test/cart/one", ok()),
            ],
            &[
                "PUT http://shop.test/cart/1",
                "PUT http://shop.test/cart/one",
            ],
            Ok,
            |p| {
                assert_eq!(p.sent[1].body.as_deref(), Some(&b"{\"qty\":2}"[..]));
                assert_eq!(p.sent_header(1, "content-type"), Some("application/json"));
                assert_eq!(p.hops[0].next.as_ref().unwrap().body_kept, Some(true));
            },
        ),
        case(
            "DELETE through 303 becomes GET",
            send(Method::DELETE, "http://shop.test/item", "x", "text/plain"),
            vec![
                at("http://shop.test/item", to(303, "/items")),
                at("http://shop.test/items", ok()),
            ],
            &["DELETE http://shop.test/item", "GET http://shop.test/items"],
            Ok,
            |_| {},
        ),
        case(
            "HEAD through 303 stays HEAD",
            PlannedRequest {
                method: Method::HEAD,
                ..get("http://shop.test/a")
            },
            vec![
                at("http://shop.test/a", to(303, "/b")),
                at("http://shop.test/b", ok()),
            ],
            &["HEAD http://shop.test/a", "HEAD http://shop.test/b"],
            Ok,
            |_| {},
        ),
        Case {
            options: NavigatorOptions {
                follow: FollowOptions {
                    keep_post: KeepPost {
                        on_301: true,
                        ..KeepPost::default()
                    },
                    location_trusted: false,
                },
                ..options()
            },
            ..case(
                "--post301 keeps the POST and its body",
                send(Method::POST, "http://shop.test/form", "a=1", "text/plain"),
                vec![
                    at("http://shop.test/form", to(301, "/done")),
                    at("http://shop.test/done", ok()),
                ],
                &["POST http://shop.test/form", "POST http://shop.test/done"],
                Ok,
                |p| assert_eq!(p.sent[1].body.as_deref(), Some(&b"a=1"[..])),
            )
        },
        case(
            "demo cross-origin-auth: Authorization stays behind on another host",
            header(
                get("http://shop.test/api/me"),
                "authorization",
                "Bearer secret-token",
            ),
            vec![
                at("http://shop.test/api/me", to(302, "http://cdn.test/me")),
                at("http://cdn.test/me", ok()),
            ],
            &["GET http://shop.test/api/me", "GET http://cdn.test/me"],
            Ok,
            |p| {
                assert_eq!(
                    p.sent_header(0, "authorization"),
                    Some("Bearer secret-token")
                );
                assert_eq!(p.sent_header(1, "authorization"), None);
                let stripped = &p.hops[0].next.as_ref().unwrap().stripped_headers;
                assert_eq!(stripped[0].name, "authorization");
                assert!(
                    stripped[0].reason.contains("origin changed"),
                    "{}",
                    stripped[0].reason
                );
            },
        ),
        case(
            "same origin keeps Authorization",
            header(get("http://shop.test/a"), "authorization", "Bearer t"),
            vec![
                at("http://shop.test/a", to(302, "/b")),
                at("http://shop.test/b", ok()),
            ],
            &["GET http://shop.test/a", "GET http://shop.test/b"],
            Ok,
            |p| assert_eq!(p.sent_header(1, "authorization"), Some("Bearer t")),
        ),
        case(
            "credentials stripped once stay stripped back on the first origin",
            header(get("http://shop.test/a"), "authorization", "Bearer t"),
            vec![
                at("http://shop.test/a", to(302, "http://cdn.test/b")),
                at("http://cdn.test/b", to(302, "http://shop.test/c")),
                at("http://shop.test/c", ok()),
            ],
            &[
                "GET http://shop.test/a",
                "GET http://cdn.test/b",
                "GET http://shop.test/c",
            ],
            Ok,
            |p| assert_eq!(p.sent_header(2, "authorization"), None),
        ),
        Case {
            options: NavigatorOptions {
                follow: FollowOptions {
                    location_trusted: true,
                    ..FollowOptions::default()
                },
                ..options()
            },
            ..case(
                "--location-trusted sends credentials on, with a warning",
                header(get("http://shop.test/a"), "authorization", "Bearer t"),
                vec![
                    at("http://shop.test/a", to(302, "http://cdn.test/b")),
                    at("http://cdn.test/b", ok()),
                ],
                &["GET http://shop.test/a", "GET http://cdn.test/b"],
                Ok,
                |p| {
                    assert_eq!(p.sent_header(1, "authorization"), Some("Bearer t"));
                    assert_eq!(p.codes(0), [WarningCode::CredentialsForwarded]);
                },
            )
        },
        case(
            "demo https-downgrade: warned, and the token stays behind",
            header(get("https://shop.test/secure"), "authorization", "Bearer t"),
            vec![
                at(
                    "https://shop.test/secure",
                    to(302, "http://shop.test/insecure"),
                ),
                at("http://shop.test/insecure", ok()),
            ],
            &[
                "GET https://shop.test/secure",
                "GET http://shop.test/insecure",
            ],
            Ok,
            |p| {
                assert_eq!(p.codes(0), [WarningCode::HttpsDowngrade]);
                assert_eq!(p.sent_header(1, "authorization"), None);
                let reason = &p.hops[0].next.as_ref().unwrap().stripped_headers[0].reason;
                assert!(reason.contains("https downgrade"), "{reason}");
            },
        ),
        case(
            "demo consent-cookie: the same URL with a new cookie is not a loop",
            get("http://shop.test/account"),
            vec![
                with_cookie("http://shop.test/account", "consent=yes", ok()),
                at("http://shop.test/account", to(302, "/consent")),
                at(
                    "http://shop.test/consent",
                    answer(
                        302,
                        &[
                            ("location", "/account"),
                            ("set-cookie", "consent=yes; Path=/"),
                        ],
                    ),
                ),
            ],
            &[
                "GET http://shop.test/account",
                "GET http://shop.test/consent",
                "GET http://shop.test/account",
            ],
            Ok,
            |p| {
                assert_eq!(p.sent_header(0, "cookie"), None);
                assert_eq!(p.sent_header(2, "cookie"), Some("consent=yes"));
                assert!(p.hops[1].set_cookies[0].stored);
            },
        ),
        case(
            "demo loop: hop 3 sends hop 1's request again and gets the same answer",
            get("http://shop.test/a"),
            vec![
                at("http://shop.test/a", to(302, "/b")),
                at("http://shop.test/b", to(302, "/a")),
            ],
            &[
                "GET http://shop.test/a",
                "GET http://shop.test/b",
                "GET http://shop.test/a",
            ],
            Loop,
            |p| {
                loop_at(p, 1, 3);
                assert_eq!(p.hops.len(), 3);
                assert!(p.hops[2].next.is_none());
                let message = p.outcome.error().unwrap().message;
                assert!(
                    message.contains("hop 3 sent the request of hop 1 again"),
                    "{message}"
                );
                assert!(message.contains("same answer"), "{message}");
            },
        ),
        case(
            "a page that redirects to itself",
            get("http://shop.test/a"),
            vec![at("http://shop.test/a", to(302, "/a"))],
            &["GET http://shop.test/a", "GET http://shop.test/a"],
            Loop,
            |p| loop_at(p, 1, 2),
        ),
        case(
            "demo bad-location: a scheme other than http(s) is refused",
            get("http://shop.test/download"),
            vec![at(
                "http://shop.test/download",
                to(302, "ftp://files.test/app.zip"),
            )],
            &["GET http://shop.test/download"],
            BadLocation,
            |p| {
                let error = p.outcome.error().unwrap();
                assert_eq!(error.hop, 1);
                assert!(error.message.contains("scheme ftp"), "{}", error.message);
                assert!(p.hops[0].next.is_none());
            },
        ),
        case(
            "two different Location values: refuse to guess",
            get("http://shop.test/a"),
            vec![at(
                "http://shop.test/a",
                answer(302, &[("location", "/b"), ("location", "/c")]),
            )],
            &["GET http://shop.test/a"],
            BadLocation,
            |p| {
                assert!(
                    p.outcome
                        .error()
                        .unwrap()
                        .message
                        .contains("refusing to guess")
                )
            },
        ),
        case(
            "identical Location values: followed, with a warning",
            get("http://shop.test/a"),
            vec![
                at(
                    "http://shop.test/a",
                    answer(302, &[("location", "/b"), ("location", "/b")]),
                ),
                at("http://shop.test/b", ok()),
            ],
            &["GET http://shop.test/a", "GET http://shop.test/b"],
            Ok,
            |p| assert_eq!(p.codes(0), [WarningCode::LocationRepeated]),
        ),
        case(
            "an empty Location stops the chain instead of spinning",
            get("http://shop.test/a"),
            vec![at("http://shop.test/a", to(302, "  "))],
            &["GET http://shop.test/a"],
            BadLocation,
            |p| assert_eq!(p.outcome.error().unwrap().message, "empty Location header"),
        ),
        case(
            "demo scheme-flip: http and https send each other back",
            get("http://shop.test/"),
            vec![
                at("http://shop.test/", to(301, "https://shop.test/")),
                at("https://shop.test/", to(301, "http://shop.test/")),
            ],
            &[
                "GET http://shop.test/",
                "GET https://shop.test/",
                "GET http://shop.test/",
            ],
            Loop,
            |p| loop_at(p, 1, 3),
        ),
        case(
            "demo host-flip: www and the bare domain",
            get("http://www.shop.test/"),
            vec![
                at("http://www.shop.test/", to(301, "http://shop.test/")),
                at("http://shop.test/", to(301, "http://www.shop.test/")),
            ],
            &[
                "GET http://www.shop.test/",
                "GET http://shop.test/",
                "GET http://www.shop.test/",
            ],
            Loop,
            |p| loop_at(p, 1, 3),
        ),
        case(
            "demo trailing-slash: /docs and /docs/",
            get("http://shop.test/docs"),
            vec![
                at("http://shop.test/docs", to(301, "/docs/")),
                at("http://shop.test/docs/", to(301, "/docs")),
            ],
            &[
                "GET http://shop.test/docs",
                "GET http://shop.test/docs/",
                "GET http://shop.test/docs",
            ],
            Loop,
            |p| loop_at(p, 1, 3),
        ),
        case(
            "demo cookie-not-stored: a Secure cookie over http never comes back",
            get("http://shop.test/account"),
            vec![
                with_cookie("http://shop.test/account", "session=1", ok()),
                at("http://shop.test/account", to(302, "/login")),
                at(
                    "http://shop.test/login",
                    answer(
                        302,
                        &[
                            ("location", "/account"),
                            ("set-cookie", "session=1; Path=/; Secure; HttpOnly"),
                        ],
                    ),
                ),
            ],
            &[
                "GET http://shop.test/account",
                "GET http://shop.test/login",
                "GET http://shop.test/account",
            ],
            Loop,
            |p| {
                loop_at(p, 1, 3);
                let cookie = &p.hops[1].set_cookies[0];
                assert!(!cookie.stored);
                assert_eq!(
                    cookie.reason.as_deref(),
                    Some("Secure cookie received over plain http")
                );
            },
        ),
        case(
            "demo cookie-ignored: the cookie comes back and the server loops anyway",
            get("http://shop.test/account"),
            vec![
                at("http://shop.test/account", to(302, "/login")),
                at(
                    "http://shop.test/login",
                    answer(
                        302,
                        &[
                            ("location", "/account"),
                            ("set-cookie", "session=abc; Path=/"),
                        ],
                    ),
                ),
            ],
            &[
                "GET http://shop.test/account",
                "GET http://shop.test/login",
                "GET http://shop.test/account",
                "GET http://shop.test/login",
                "GET http://shop.test/account",
            ],
            Loop,
            |p| {
                // The same URLs with a cookie are new requests; the loop is the second round.
                loop_at(p, 3, 5);
                assert_eq!(p.sent_header(2, "cookie"), Some("session=abc"));
            },
        ),
        case(
            "a growing URL is followed, not stopped early: here it ends at a 404",
            get("http://shop.test/app"),
            vec![
                at("http://shop.test/app", to(302, "/login?r=%2Fapp")),
                at(
                    "http://shop.test/login?r=%2Fapp",
                    to(302, "/app?r=%2Flogin%3Fr%3D%252Fapp"),
                ),
                at(
                    "http://shop.test/app?r=%2Flogin%3Fr%3D%252Fapp",
                    to(302, "/login?r=%2Fapp%3Fr%3D%252Flogin%253Fr%253D%25252Fapp"),
                ),
                at(
                    "http://shop.test/login?r=%2Fapp%3Fr%3D%252Flogin%253Fr%253D%25252Fapp",
                    to(
                        302,
                        "/app?r=%2Flogin%3Fr%3D%252Fapp%253Fr%253D%25252Flogin%25253Fr%25253D%2525252Fapp",
                    ),
                ),
            ],
            &[
                "GET http://shop.test/app",
                "GET http://shop.test/login?r=%2Fapp",
                "GET http://shop.test/app?r=%2Flogin%3Fr%3D%252Fapp",
                "GET http://shop.test/login?r=%2Fapp%3Fr%3D%252Flogin%253Fr%253D%25252Fapp",
                "GET http://shop.test/app?r=%2Flogin%3Fr%3D%252Fapp%253Fr%253D%25252Flogin%25253Fr%25253D%2525252Fapp",
            ],
            Ok,
            |p| {
                assert_eq!(p.sent.len(), 5);
                assert_eq!(p.hops[4].status, 404);
            },
        ),
        Case {
            options: NavigatorOptions {
                max_redirects: 5,
                ..options()
            },
            ..case(
                "demo growing-url: a path that grows every hop runs into the limit",
                get("http://shop.test/en/"),
                vec![under("http://shop.test/en/", to(302, "en/"))],
                &[
                    "GET http://shop.test/en/",
                    "GET http://shop.test/en/en/",
                    "GET http://shop.test/en/en/en/",
                    "GET http://shop.test/en/en/en/en/",
                    "GET http://shop.test/en/en/en/en/en/",
                    "GET http://shop.test/en/en/en/en/en/en/",
                ],
                TooManyRedirects,
                |p| assert_eq!(p.outcome.error().unwrap().hop, 6),
            )
        },
        case(
            "the same request answered differently is not a loop (a 302 to #top, then the page)",
            get("http://shop.test/page"),
            vec![
                once("http://shop.test/page", to(302, "#top")),
                at("http://shop.test/page", ok()),
            ],
            &["GET http://shop.test/page", "GET http://shop.test/page"],
            Ok,
            |p| assert_eq!(p.hops[1].url.as_str(), "http://shop.test/page#top"),
        ),
        case(
            "a request sent again that gets a new cookie is not yet a loop",
            get("http://shop.test/a"),
            vec![
                once(
                    "http://shop.test/a",
                    answer(302, &[("location", "/a"), ("set-cookie", "n=1")]),
                ),
                with_cookie("http://shop.test/a", "n=1", ok()),
            ],
            &["GET http://shop.test/a", "GET http://shop.test/a"],
            Ok,
            |p| assert_eq!(p.sent_header(1, "cookie"), Some("n=1")),
        ),
        Case {
            options: NavigatorOptions {
                max_redirects: 5,
                ..options()
            },
            ..case(
                "demo volatile-loop: a changing timestamp hides the loop until the limit",
                get("http://shop.test/a?t=1"),
                (1..=6)
                    .map(|i| {
                        let path = ["a", "b"][(i + 1) % 2];
                        let next = ["a", "b"][i % 2];
                        let url: &'static str = format!("http://shop.test/{path}?t={i}").leak();
                        at(url, to(302, &format!("/{next}?t={}", i + 1)))
                    })
                    .collect(),
                &[
                    "GET http://shop.test/a?t=1",
                    "GET http://shop.test/b?t=2",
                    "GET http://shop.test/a?t=3",
                    "GET http://shop.test/b?t=4",
                    "GET http://shop.test/a?t=5",
                    "GET http://shop.test/b?t=6",
                ],
                TooManyRedirects,
                |p| {
                    let error = p.outcome.error().unwrap();
                    assert_eq!(error.hop, 6);
                    assert!(error.message.contains("5 followed"), "{}", error.message);
                    assert!(p.hops[5].next.is_none());
                },
            )
        },
        case(
            "demo long-chain: the 21st redirect is one too many",
            get("http://shop.test/step/1"),
            long_chain,
            &[],
            TooManyRedirects,
            |p| {
                assert_eq!(p.sent.len(), 21);
                assert_eq!(p.outcome.error().unwrap().hop, 21);
            },
        ),
        Case {
            options: NavigatorOptions {
                max_redirects: 0,
                ..options()
            },
            ..case(
                "--max-redirs 0 reports the first redirect without following it",
                get("http://shop.test/a"),
                vec![at("http://shop.test/a", to(302, "/b"))],
                &["GET http://shop.test/a"],
                Ok,
                |p| {
                    assert_eq!(
                        p.hops[0].not_followed.as_deref(),
                        Some("not followed: --max-redirs 0")
                    );
                    assert!(p.hops[0].next.is_none());
                },
            )
        },
        Case {
            options: NavigatorOptions {
                follow_refresh: true,
                ..options()
            },
            ..case(
                "demo meta-refresh: followed as a GET with --follow-refresh",
                get("http://shop.test/old-page"),
                vec![
                    at(
                        "http://shop.test/old-page",
                        html(
                            "<html><head><meta http-equiv=\"refresh\" content=\"0; url=/new-page\"></head></html>",
                        ),
                    ),
                    at("http://shop.test/new-page", ok()),
                ],
                &[
                    "GET http://shop.test/old-page",
                    "GET http://shop.test/new-page",
                ],
                Ok,
                |p| {
                    assert_eq!(p.hops[1].via, Via::Refresh);
                    let refresh = p.hops[0].refresh.as_ref().unwrap();
                    assert_eq!(refresh.source, RefreshSource::Meta);
                    assert_eq!(refresh.url.as_str(), "http://shop.test/new-page");
                },
            )
        },
        case(
            "a meta refresh is reported, not followed, by default",
            get("http://shop.test/old-page"),
            vec![at(
                "http://shop.test/old-page",
                html("<meta http-equiv=refresh content='5;URL=/new-page'>"),
            )],
            &["GET http://shop.test/old-page"],
            Ok,
            |p| {
                let refresh = p.hops[0].refresh.as_ref().unwrap();
                assert_eq!(refresh.delay_seconds, 5);
                assert!(p.hops[0].next.is_none());
            },
        ),
        Case {
            options: NavigatorOptions {
                follow_refresh: true,
                ..options()
            },
            ..case(
                "a Refresh header after a POST is followed as a GET",
                send(Method::POST, "http://shop.test/form", "a=1", "text/plain"),
                vec![
                    at(
                        "http://shop.test/form",
                        answer(200, &[("refresh", "0; url=/thanks")]),
                    ),
                    at("http://shop.test/thanks", ok()),
                ],
                &["POST http://shop.test/form", "GET http://shop.test/thanks"],
                Ok,
                |p| {
                    assert_eq!(
                        p.hops[0].refresh.as_ref().unwrap().source,
                        RefreshSource::Header
                    )
                },
            )
        },
        case(
            "demo hsts-upgrade: HSTS learned on the way upgrades a later http link",
            get("http://example.test/"),
            vec![
                at("http://example.test/", to(301, "https://example.test/")),
                at(
                    "https://example.test/",
                    answer(
                        302,
                        &[
                            ("location", "http://example.test/account"),
                            (
                                "strict-transport-security",
                                "max-age=31536000; includeSubDomains; preload",
                            ),
                        ],
                    ),
                ),
                at("https://example.test/account", ok()),
            ],
            &[
                "GET http://example.test/",
                "GET https://example.test/",
                "GET https://example.test/account",
            ],
            Ok,
            |p| {
                let upgrade = &p.hops[2];
                assert!(upgrade.synthetic);
                assert_eq!(
                    (upgrade.status, upgrade.reason.as_str()),
                    (307, "Internal Redirect")
                );
                let record = upgrade.hsts.as_ref().unwrap().upgrade.as_ref().unwrap();
                assert_eq!(record.source, crate::model::HstsSource::ThisRun);
                assert_eq!(
                    p.hops[1].hsts.as_ref().unwrap().action,
                    crate::model::HstsAction::Noted
                );
                // The downgrade is still wrong, but HSTS saves this client from it.
                assert!(
                    p.hops[1].warnings[0]
                        .message
                        .contains("HSTS upgrades the next request")
                );
            },
        ),
        Case {
            preload: true,
            ..case(
                "demo hsts-preload: a preloaded domain is never fetched over http",
                get("http://shop.dev/"),
                vec![at("https://shop.dev/", ok())],
                &["GET https://shop.dev/"],
                Ok,
                |p| {
                    assert!(p.hops[0].synthetic);
                    let upgrade = p.hops[0].hsts.as_ref().unwrap().upgrade.as_ref().unwrap();
                    assert_eq!(
                        (upgrade.matched.as_str(), upgrade.include_subdomains),
                        ("dev", true)
                    );
                },
            )
        },
        case(
            "Strict-Transport-Security over plain http is ignored",
            get("http://shop.test/a"),
            vec![
                at(
                    "http://shop.test/a",
                    answer(
                        302,
                        &[
                            ("location", "/b"),
                            ("strict-transport-security", "max-age=600"),
                        ],
                    ),
                ),
                at("http://shop.test/b", ok()),
            ],
            &["GET http://shop.test/a", "GET http://shop.test/b"],
            Ok,
            |p| assert_eq!(p.codes(0), [WarningCode::HstsOverHttp]),
        ),
        Case {
            options: NavigatorOptions {
                certificates_checked: false,
                ..options()
            },
            ..case(
                "Strict-Transport-Security under -k is ignored",
                get("https://shop.test/a"),
                vec![
                    at(
                        "https://shop.test/a",
                        answer(
                            302,
                            &[
                                ("location", "http://shop.test/b"),
                                ("strict-transport-security", "max-age=31536000"),
                            ],
                        ),
                    ),
                    at("http://shop.test/b", ok()),
                ],
                &["GET https://shop.test/a", "GET http://shop.test/b"],
                Ok,
                |p| assert!(p.codes(0).contains(&WarningCode::HstsInsecure)),
            )
        },
        Case {
            options: NavigatorOptions {
                max_redirects: 2,
                ..options()
            },
            ..case(
                "an HSTS upgrade does not count toward --max-redirs",
                get("http://example.test/"),
                vec![
                    at("http://example.test/", to(301, "https://example.test/")),
                    at(
                        "https://example.test/",
                        answer(
                            302,
                            &[
                                ("location", "http://example.test/account"),
                                ("strict-transport-security", "max-age=31536000"),
                            ],
                        ),
                    ),
                    at("https://example.test/account", ok()),
                ],
                &[
                    "GET http://example.test/",
                    "GET https://example.test/",
                    "GET https://example.test/account",
                ],
                Ok,
                |p| assert_eq!(p.hops.len(), 4),
            )
        },
        case(
            "a Location on a 201 is information, not a redirect",
            send(Method::POST, "http://shop.test/items", "x", "text/plain"),
            vec![at("http://shop.test/items", to(201, "/items/7"))],
            &["POST http://shop.test/items"],
            Ok,
            |p| assert!(p.hops[0].not_followed.as_deref().unwrap().contains("201")),
        ),
        case(
            "a 301 without Location is the final response",
            get("http://shop.test/a"),
            vec![at("http://shop.test/a", answer(301, &[]))],
            &["GET http://shop.test/a"],
            Ok,
            |p| {
                let reason = p.hops[0].not_followed.as_deref().unwrap();
                assert_eq!(reason, "301 without a Location header: final response");
            },
        ),
        case(
            "a 300 is never followed automatically",
            get("http://shop.test/a"),
            vec![at("http://shop.test/a", to(300, "/b"))],
            &["GET http://shop.test/a"],
            Ok,
            |p| {
                assert!(
                    p.hops[0]
                        .not_followed
                        .as_deref()
                        .unwrap()
                        .starts_with("300 Multiple Choices")
                )
            },
        ),
        case(
            "a fragment carries over to a Location without one, and is never sent",
            get("http://shop.test/a#top"),
            vec![
                at("http://shop.test/a", to(302, "/b")),
                at("http://shop.test/b", ok()),
            ],
            &["GET http://shop.test/a", "GET http://shop.test/b"],
            Ok,
            |p| assert_eq!(p.hops[1].url.as_str(), "http://shop.test/b#top"),
        ),
        Case {
            options: NavigatorOptions {
                referer_auto: true,
                ..options()
            },
            ..case(
                "--referer ';auto' sends the previous URL, never from https to http",
                get("https://shop.test/a"),
                vec![
                    at("https://shop.test/a", to(302, "/b")),
                    at("https://shop.test/b", to(302, "http://shop.test/c")),
                    at("http://shop.test/c", ok()),
                ],
                &[
                    "GET https://shop.test/a",
                    "GET https://shop.test/b",
                    "GET http://shop.test/c",
                ],
                Ok,
                |p| {
                    assert_eq!(p.sent_header(0, "referer"), None);
                    assert_eq!(p.sent_header(1, "referer"), Some("https://shop.test/a"));
                    assert_eq!(p.sent_header(2, "referer"), None);
                },
            )
        },
        case(
            "a compressed HTML body is not searched for a meta refresh",
            get("http://shop.test/a"),
            vec![at(
                "http://shop.test/a",
                answer(
                    200,
                    &[("content-type", "text/html"), ("content-encoding", "gzip")],
                ),
            )],
            &["GET http://shop.test/a"],
            Ok,
            |p| {
                assert_eq!(p.codes(0), [WarningCode::HtmlNotDecoded]);
                assert!(
                    p.hops[0].warnings[0].message.starts_with(
                        "the HTML body is gzip-encoded and hops decodes it only with --compressed"
                    ),
                    "{:?}",
                    p.hops[0].warnings
                );
            },
        ),
        Case {
            options: NavigatorOptions {
                compressed: true,
                ..options()
            },
            // The driver decodes the body; the navigator only asks for its start.
            ..case(
                "with --compressed an encoded HTML body is searched for a meta refresh",
                get("http://shop.test/a"),
                vec![at(
                    "http://shop.test/a",
                    Answer {
                        body: "<meta http-equiv=refresh content='0; url=/b'>",
                        ..answer(
                            200,
                            &[("content-type", "text/html"), ("content-encoding", "gzip")],
                        )
                    },
                )],
                &["GET http://shop.test/a"],
                Ok,
                |p| {
                    assert!(p.codes(0).is_empty(), "{:?}", p.hops[0].warnings);
                    assert_eq!(p.hops[0].refresh.as_ref().unwrap().url.path(), "/b");
                },
            )
        },
        case(
            "a coding hops cannot undo is said so, --compressed or not",
            get("http://shop.test/a"),
            vec![at(
                "http://shop.test/a",
                answer(
                    200,
                    &[
                        ("content-type", "text/html"),
                        ("content-encoding", "compress"),
                    ],
                ),
            )],
            &["GET http://shop.test/a"],
            Ok,
            |p| {
                assert_eq!(
                    p.hops[0].warnings[0].message,
                    "the HTML body is compress-encoded, which hops cannot decode: a <meta \
                     http-equiv=\"refresh\"> in it was not looked for"
                );
            },
        ),
        case(
            "URL userinfo goes out as Basic credentials, not in the URL",
            get("http://user:pa%20ss@shop.test/a"),
            vec![at("http://shop.test/a", ok())],
            &["GET http://shop.test/a"],
            Ok,
            |p| {
                assert_eq!(
                    p.sent_header(0, "authorization"),
                    Some("Basic dXNlcjpwYSBzcw==")
                )
            },
        ),
    ]
}

#[test]
fn whole_chains() {
    let cases = cases();
    assert!(cases.len() >= 30, "{} cases", cases.len());
    for case in cases {
        let mut hsts = HstsStore::new(case.preload);
        let played = play_with(case.start, case.options, &mut hsts, &case.routes);
        if !case.sent.is_empty() {
            assert_eq!(played.requests(), case.sent, "{}", case.name);
        }
        assert_eq!(
            played.outcome.kind(),
            case.outcome,
            "{}: {:?}",
            case.name,
            played.outcome
        );
        // Shown with a failing check's panic, which does not know the case.
        eprintln!("case: {}", case.name);
        (case.check)(&played);
    }
}

/// The hop numbers the navigator gives: synthetic hops take a number, and a network failure
/// belongs to the request that was being sent.
#[test]
fn network_errors_name_the_hop_in_flight() {
    let mut jar = Jar::new(true);
    let mut hsts = HstsStore::new(false);
    let mut navigator = Navigator::new(
        get("http://shop.test/a"),
        options(),
        &mut jar,
        &mut hsts,
        now(),
    );
    let Step::Send(first) = navigator.next_step() else {
        panic!("a request first");
    };
    assert_eq!(first.index, 1);
    let head = ResponseHead {
        status: 302,
        reason: "Found".into(),
        version: "HTTP/1.1".into(),
        headers: &[(header::LOCATION, HeaderValue::from_static("/b"))]
            .into_iter()
            .collect(),
        remote_addr: None,
    };
    assert!(matches!(
        navigator.on_response(&first, head),
        HeadDecision::Follow(_)
    ));
    let Step::Send(second) = navigator.next_step() else {
        panic!("then the redirect's target");
    };
    assert_eq!(second.index, 2);
    let outcome =
        navigator.network_error(crate::model::NetworkErrorKind::Connect, "refused".into());
    assert_eq!(outcome.error().map(|e| e.hop), Some(2));
}
