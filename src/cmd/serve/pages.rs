//! What `hops serve` answers when no scenario route does: its own pages (`/`, the list;
//! `/scenario/NAME`, a 307 to where a scenario starts; `/scenario/NAME/expect`, what the server
//! should receive on the way; `/hsts`), then httpbin's endpoints, then a 404 that says where to
//! look.

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use hops_scenario::httpbin::{self, HttpbinRequest, escape_html};
use hops_scenario::{Full, Placeholders, Received, Scenario};
use hyper::header::{CONTENT_TYPE, HeaderValue, LOCATION, STRICT_TRANSPORT_SECURITY};
use hyper::{Response, StatusCode};
use serde_json::json;

use crate::cmd::demo::shell_quote;

const TEXT: &str = "text/plain; charset=utf-8";

/// A scenario as the playground offers it.
#[derive(Debug, Clone)]
pub struct Entry {
    pub scenario: Scenario,
    /// The scenario's start URL with placeholders unexpanded (`{shop}/checkout`).
    pub start: String,
}

/// The playground's scenarios in order, each with its start URL.
pub fn entries(scenarios: &[Scenario]) -> Vec<Entry> {
    scenarios
        .iter()
        .map(|scenario| Entry {
            scenario: scenario.clone(),
            start: start_of(scenario),
        })
        .collect()
}

/// The URL argument hops is run with: the last one naming a placeholder origin.
fn start_of(scenario: &Scenario) -> String {
    scenario
        .args
        .iter()
        .rev()
        .find(|arg| arg.starts_with('{'))
        .cloned()
        .unwrap_or_else(|| "{shop}/".to_owned())
}

/// Everything the pages need to know about the running server beyond its ports.
#[derive(Clone, Default)]
pub struct Site {
    pub entries: Arc<Vec<Entry>>,
    /// The CA file, once the server has written it: the commands the pages show trust it.
    pub ca_file: Arc<OnceLock<PathBuf>>,
}

/// One line per scenario: name, title and start URL. Without a server (`--list`) the start URL
/// has no port: `http://shop.test/checkout`.
pub fn list_text(entries: &[Entry], placeholders: Option<&Placeholders>) -> String {
    entries
        .iter()
        .map(|entry| {
            let start = match placeholders {
                Some(placeholders) => placeholders.expand(&entry.start),
                None => without_ports(&entry.start),
            };
            format!(
                "{:<20} {}  {start}\n",
                entry.scenario.name, entry.scenario.title
            )
        })
        .collect()
}

/// `{shop}/a` as `http://shop.test/a`, `{shop_tls}/a` as `https://shop.test/a`.
fn without_ports(start: &str) -> String {
    Placeholders::new(80, 443)
        .expand(start)
        .replace(":80/", "/")
        .replace(":443/", "/")
}

/// How to use the playground, above the list on `GET /` (as text).
fn usage(placeholders: &Placeholders) -> String {
    let (port, tls_port) = (placeholders.port(), placeholders.tls_port());
    format!(
        "hops serve: redirect scenarios, httpbin's endpoints and knobs.\n\
         \n\
         A scenario answers on its own host names: resolve them to this server (curl:\n\
         --resolve '*:{port}:ADDR' --resolve '*:{tls_port}:ADDR'; hops: --resolve HOST:{port}:ADDR\n\
         for each host) and GET its start URL, listed below. GET /scenario/NAME redirects there\n\
         (307), which adds a hop and changes the origin: start from the URL itself to test what\n\
         crosses origins. GET /scenario/NAME/expect gives, as JSON, the requests the server must\n\
         receive when a client follows the scenario correctly.\n\
         \n\
         httpbin: /redirect/N /relative-redirect/N /absolute-redirect/N\n\
         /redirect-to?url=URL&status_code=CODE /status/CODE /get /post /put /patch /delete\n\
         /anything /headers /cookies /cookies/set?NAME=VALUE /cookies/delete?NAME\n\
         Knobs on any request: ?delay=MS ?status=CODE ?drip=BYTES_PER_SECOND (not carried to\n\
         where a redirect leads). On https: /hsts?max-age=N&includeSubDomains&preload.\n\
         \n"
    )
}

/// The list for a browser: each scenario with its explanation, its start URL and the hops
/// command that plays it on this server.
fn list_html(site: &Site, placeholders: &Placeholders) -> String {
    let placeholders = match site.ca_file.get() {
        Some(ca) => placeholders.clone().with_ca_file(ca),
        None => placeholders.clone(),
    };
    let mut html = format!(
        "<!doctype html>\n<meta charset=\"utf-8\">\n<title>hops serve</title>\n\
         <h1>hops serve: redirect scenarios</h1>\n<pre>{}</pre>\n<dl>\n",
        escape_html(&usage(&placeholders))
    );
    for entry in site.entries.iter() {
        // Names, titles and arguments come from the embedded fixtures; escaped all the same.
        let scenario = &entry.scenario;
        let command: Vec<String> = scenario
            .command_args(&placeholders)
            .iter()
            .map(|arg| shell_quote(arg))
            .collect();
        html.push_str(&format!(
            "<dt><a href=\"/scenario/{0}\">{0}</a> {1}</dt>\n\
             <dd>{2}<br>start: <code>{3}</code> (<a href=\"/scenario/{0}/expect\">what the \
             server should receive</a>)<br><code>hops {4}</code></dd>\n",
            escape_html(&scenario.name),
            escape_html(&scenario.title),
            escape_html(&scenario.explain),
            escape_html(&placeholders.expand(&entry.start)),
            escape_html(&command.join(" "))
        ));
    }
    html.push_str("</dl>\n");
    html
}

/// httpbin's endpoints (`/redirect/3`, `/anything`, `/cookies/set`...), for the requests no
/// scenario claims.
pub fn httpbin_answer(request: &Received) -> Option<Response<Full<Bytes>>> {
    let authority = request.header("host").unwrap_or(&request.host);
    let scheme_and_host = format!("{}://{authority}", request.scheme);
    // Every request the server read has its peer; only one built by hand lacks it.
    let origin_ip = request.peer_ip.map(|ip| ip.to_string()).unwrap_or_default();
    httpbin::answer(&HttpbinRequest {
        method: &request.method,
        path_and_query: &request.path,
        headers: &request.headers,
        body: &request.body,
        origin_ip: &origin_ip,
        scheme_and_host: &scheme_and_host,
    })
}

/// The answer to a request no scenario route matched: the playground's pages, then
/// httpbin's endpoints, then a 404 that says where to look.
pub fn fallback(
    site: &Site,
    request: &Received,
    placeholders: &Placeholders,
) -> Response<Full<Bytes>> {
    answer(site, request, placeholders)
        .or_else(|| httpbin_answer(request))
        .unwrap_or_else(|| {
            page(
                StatusCode::NOT_FOUND,
                TEXT,
                "no such page here: GET / lists the scenarios, httpbin's endpoints and the knobs\n"
                    .to_owned(),
            )
        })
}

/// The playground's own pages, or `None` for a path that is not one of them.
pub fn answer(
    site: &Site,
    request: &Received,
    placeholders: &Placeholders,
) -> Option<Response<Full<Bytes>>> {
    let path = request
        .path
        .split_once('?')
        .map_or(&*request.path, |(p, _)| p);
    if path == "/" {
        let html = request
            .header("Accept")
            .is_some_and(|accept| accept.contains("text/html"));
        return Some(if html {
            page(
                StatusCode::OK,
                "text/html; charset=utf-8",
                list_html(site, placeholders),
            )
        } else {
            let text = usage(placeholders) + &list_text(&site.entries, Some(placeholders));
            page(StatusCode::OK, TEXT, text)
        });
    }
    if path == "/hsts" {
        return Some(hsts_page(request));
    }
    let rest = path.strip_prefix("/scenario/")?;
    let (name, expect) = match rest.strip_suffix("/expect") {
        Some(name) => (name, true),
        None => (rest, false),
    };
    let Some(entry) = site
        .entries
        .iter()
        .find(|entry| entry.scenario.name == name)
    else {
        return Some(page(
            StatusCode::NOT_FOUND,
            TEXT,
            "no such scenario (GET / lists them)\n".to_owned(),
        ));
    };
    if expect {
        let body =
            serde_json::to_string_pretty(&expectations(entry, placeholders)).unwrap_or_default();
        return Some(page(StatusCode::OK, "application/json", body + "\n"));
    }
    let mut response = page(
        StatusCode::TEMPORARY_REDIRECT,
        TEXT,
        format!(
            "scenario {}: {}\n",
            entry.scenario.name, entry.scenario.title
        ),
    );
    if let Ok(value) = HeaderValue::from_str(&placeholders.expand(&entry.start)) {
        response.headers_mut().insert(LOCATION, value);
    }
    Some(response)
}

/// `/scenario/NAME/expect`: the scenario, where it starts, and the requests a client that
/// follows it as browsers do sends, with what each must and must not carry; `exit` is what
/// `hops` exits with on it.
fn expectations(entry: &Entry, placeholders: &Placeholders) -> serde_json::Value {
    let scenario = &entry.scenario;
    let expand = |text: &Option<String>| text.as_deref().map(|text| placeholders.expand(text));
    let requests: Vec<serde_json::Value> = scenario
        .expect
        .received
        .iter()
        .flatten()
        .map(|request| {
            json!({
                "method": expand(&request.method),
                "host": expand(&request.host),
                "path": expand(&request.path),
                "listener": request.scheme,
                "body": request.body,
                "headers_present": request.present,
                "headers_absent": request.absent,
                "header_values": request.header_values,
            })
        })
        .collect();
    json!({
        "name": scenario.name,
        "title": scenario.title,
        "explain": scenario.explain,
        "start": placeholders.expand(&entry.start),
        "hops_args": scenario.args.iter().map(|arg| placeholders.expand(arg)).collect::<Vec<_>>(),
        "hops_exit": scenario.expect.exit,
        "requests": requests,
    })
}

/// `/hsts?max-age=N&includeSubDomains&preload`: a `Strict-Transport-Security` header made of
/// the query, on the https listener only (a browser ignores it over http, and so does hops).
/// `max-age` is required: a default would have a browser remember HSTS for the host unasked.
fn hsts_page(request: &Received) -> Response<Full<Bytes>> {
    if request.scheme != "https" {
        return page(
            StatusCode::BAD_REQUEST,
            TEXT,
            "Strict-Transport-Security is only sent over https: ask the https listener\n"
                .to_owned(),
        );
    }
    let query = request.path.split_once('?').map_or("", |(_, q)| q);
    let mut max_age = None;
    let mut flags = Vec::new();
    for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
        match name.to_ascii_lowercase().as_str() {
            "max-age" => max_age = Some(value.into_owned()),
            "includesubdomains" => flags.push("includeSubDomains"),
            "preload" => flags.push("preload"),
            _ => {}
        }
    }
    let max_age = match max_age {
        Some(seconds) if !seconds.is_empty() && seconds.chars().all(|c| c.is_ascii_digit()) => {
            seconds
        }
        other => {
            let got = other.map_or("nothing".to_owned(), |value| format!("{value:?}"));
            return page(
                StatusCode::BAD_REQUEST,
                TEXT,
                format!("/hsts needs ?max-age= with a number of seconds, not {got}\n"),
            );
        }
    };
    let header = std::iter::once(format!("max-age={max_age}"))
        .chain(flags.iter().map(|flag| (*flag).to_owned()))
        .collect::<Vec<_>>()
        .join("; ");
    let mut response = page(
        StatusCode::OK,
        TEXT,
        format!("Strict-Transport-Security: {header}\n"),
    );
    if let Ok(value) = HeaderValue::from_str(&header) {
        response
            .headers_mut()
            .insert(STRICT_TRANSPORT_SECURITY, value);
    }
    response
}

fn page(status: StatusCode, content_type: &'static str, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;

    fn request(path: &str, accept: Option<&str>) -> Received {
        Received {
            scheme: "http".to_owned(),
            method: "GET".to_owned(),
            path: path.to_owned(),
            host: "127.0.0.1".to_owned(),
            headers: accept
                .map(|a| vec![("accept".to_owned(), a.to_owned())])
                .unwrap_or_default(),
            body: Vec::new(),
            peer_ip: None,
        }
    }

    fn site() -> Site {
        let site = Site {
            entries: Arc::new(entries(&hops_scenario::playground())),
            ..Site::default()
        };
        site.ca_file.set(PathBuf::from("/tmp/ca.pem")).unwrap();
        site
    }

    /// A `Full` body is one frame, ready at once.
    fn body_of(response: Response<Full<Bytes>>) -> String {
        let mut body = std::pin::pin!(response.into_body());
        let mut context = std::task::Context::from_waker(std::task::Waker::noop());
        let std::task::Poll::Ready(Some(Ok(frame))) =
            hyper::body::Body::poll_frame(body.as_mut(), &mut context)
        else {
            panic!("no body");
        };
        String::from_utf8(frame.data_ref().unwrap().to_vec()).unwrap()
    }

    #[test]
    fn scenario_pages_redirect_to_the_start_and_list() {
        let site = site();
        let placeholders = Placeholders::new(8080, 8443);
        let answer_to =
            |path: &str, accept: Option<&str>| answer(&site, &request(path, accept), &placeholders);
        let found = answer_to("/scenario/trailing-slash", None).unwrap();
        assert_eq!(found.status(), StatusCode::TEMPORARY_REDIRECT);
        assert_eq!(found.headers()["location"], "http://shop.test:8080/docs");
        let missing = answer_to("/scenario/nope", None).unwrap();
        assert_eq!(missing.status(), StatusCode::NOT_FOUND);
        let html = answer_to("/", Some("text/html,*/*")).unwrap();
        assert!(
            html.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html")
        );
        let page = body_of(html);
        assert!(
            page.contains("-X POST -d user=alice http://shop.test:8080/sign-up</code>"),
            "{page}"
        );
        // An https scenario's command trusts the CA the server wrote.
        assert!(
            page.contains("--cacert /tmp/ca.pem -H &#39;Authorization: Bearer t&#39;")
                || page.contains("--cacert /tmp/ca.pem -H 'Authorization: Bearer t'"),
            "{page}"
        );
        assert!(page.contains("&quot;now GET the next page&quot;"), "{page}");
        let text = answer_to("/?x", None).unwrap();
        assert!(
            text.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain")
        );
        let text = body_of(text);
        assert!(text.contains("GET /scenario/NAME/expect"), "{text}");
        assert!(
            text.contains(
                "post-307-303         A form POST through 307 then 303  \
                           http://shop.test:8080/checkout\n"
            ),
            "{text}"
        );
        assert!(answer_to("/other", None).is_none());
        let lost = fallback(&site, &request("/nowhere", None), &placeholders);
        assert_eq!(lost.status(), StatusCode::NOT_FOUND);
        assert!(body_of(lost).contains("GET / lists"));
    }

    #[test]
    fn the_list_without_a_server_has_start_urls_without_ports() {
        let text = list_text(&site().entries, None);
        assert!(text.contains("  http://shop.test/checkout\n"), "{text}");
        assert!(text.contains("  https://shop.test/secure\n"), "{text}");
        assert_eq!(text.lines().count(), hops_scenario::playground().len());
    }

    #[test]
    fn expect_gives_the_requests_a_client_should_send() {
        let placeholders = Placeholders::new(8080, 8443);
        let response = answer(
            &site(),
            &request("/scenario/post-307-303/expect", None),
            &placeholders,
        )
        .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        let json: serde_json::Value = serde_json::from_str(&body_of(response)).unwrap();
        assert_eq!(json["start"], "http://shop.test:8080/checkout");
        assert_eq!(json["hops_exit"], 0);
        let requests = json["requests"].as_array().unwrap();
        assert_eq!(requests.len(), 3);
        assert_eq!(requests[0]["method"], "POST");
        assert_eq!(requests[1]["path"], "/pay");
        assert_eq!(requests[1]["body"], "name=alice");
        assert_eq!(requests[2]["method"], "GET");
    }

    #[test]
    fn hsts_needs_https_and_a_max_age() {
        let mut https = request("/hsts?max-age=60&includeSubDomains", None);
        https.scheme = "https".to_owned();
        let sent = hsts_page(&https);
        assert_eq!(
            sent.headers()["strict-transport-security"],
            "max-age=60; includeSubDomains"
        );
        for path in [
            "/hsts",
            "/hsts?max-age=",
            "/hsts?max-age=abc",
            "/hsts?preload",
        ] {
            let mut bad = request(path, None);
            bad.scheme = "https".to_owned();
            let refused = hsts_page(&bad);
            assert_eq!(refused.status(), StatusCode::BAD_REQUEST, "{path}");
            assert!(refused.headers().get("strict-transport-security").is_none());
        }
        assert_eq!(
            hsts_page(&request("/hsts?max-age=60", None)).status(),
            StatusCode::BAD_REQUEST
        );
    }

    #[test]
    fn httpbin_origin_is_the_peer_address() {
        let mut received = request("/get", None);
        received.peer_ip = Some(IpAddr::from([192, 0, 2, 7]));
        let json: serde_json::Value =
            serde_json::from_str(&body_of(httpbin_answer(&received).unwrap())).unwrap();
        assert_eq!(json["origin"], "192.0.2.7");
    }
}
