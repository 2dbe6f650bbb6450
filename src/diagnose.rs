//! Why a chain went wrong, in words for a support engineer: what kind of loop it is, its likely
//! cause and what to change, plus the one-line verdict shown after every chain.
//!
//! Everything here reads a finished [`Chain`] (or, for URL growth, the URLs so far), so it is pure
//! and table-tested; the hop loop only asks [`growing_url`] before each request.

use serde::Serialize;
use url::Url;

use crate::record::{Chain, Hop, Outcome};

/// Browsers give up after this many redirects (Fetch: the 21st fails).
pub const BROWSER_REDIRECT_LIMIT: usize = 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoopKind {
    /// The same request again, with nothing that explains why.
    ExactRepeat,
    /// http ↔ https on the same host.
    SchemeFlip,
    /// Two hosts sending the client to each other (often www ↔ apex).
    HostFlip,
    /// `/path` ↔ `/path/`.
    TrailingSlashFlip,
    /// A cookie is set but never comes back.
    CookieNotStored,
    /// The cookie comes back but the server redirects anyway.
    CookieIgnored,
    /// The query or path grows on every visit.
    GrowingUrl,
    /// The limit was hit with URLs that differ only in volatile parts.
    VolatileRepeat,
    /// The limit was hit by a long chain of distinct URLs: not a loop.
    LongChain,
}

/// A classified loop or limit, with its explanation and fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnosis {
    pub kind: LoopKind,
    /// The hops that form the cycle (or the repeating shape).
    pub hops: Vec<usize>,
    /// A few words: "http ↔ https flip".
    pub title: String,
    pub explanation: String,
    pub fix: String,
}

/// The earlier visits to the same page whose query wrapped itself once more each time, when
/// `next` would make the third such visit: a loop that never repeats exactly (a return-to
/// parameter wrapped again and again). A query that only gains parameters (`?a=1`, then
/// `?a=1&b=2`) is not this: the nesting depth must grow too. Also a path that keeps repeating a
/// segment (`/a/`, `/a/a/`, ...). Returns the 1-based hop numbers of the earlier visits.
pub fn growing_url(visited: &[Url], next: &Url) -> Option<Vec<usize>> {
    let next_origin = next.origin();
    let same_page: Vec<usize> = visited
        .iter()
        .enumerate()
        // The path first: it is a cheap comparison and usually settles it.
        .filter(|(_, url)| url.path() == next.path() && url.origin() == next_origin)
        .map(|(i, _)| i)
        .collect();
    if same_page.len() >= 2 {
        let tail = &same_page[same_page.len() - 2..];
        let visits: Vec<&Url> = tail.iter().map(|&i| &visited[i]).chain([next]).collect();
        let lengths: Vec<usize> = visits.iter().map(|url| query_len(url)).collect();
        let depths: Vec<usize> = visits.iter().map(|url| nesting_depth(url)).collect();
        let strictly_growing = |values: &[usize]| values.windows(2).all(|w| w[0] < w[1]);
        if strictly_growing(&lengths) && strictly_growing(&depths) {
            return Some(tail.iter().map(|i| i + 1).collect());
        }
    }
    // A path that keeps getting longer, each one extending the one before (/a/ → /a/a/ → ...).
    let recent: Vec<&Url> = visited
        .iter()
        .rev()
        .take(3)
        .rev()
        .chain(std::iter::once(next))
        .collect();
    let extends = |a: &&Url, b: &&Url| {
        a.origin() == b.origin()
            && b.path().len() > a.path().len()
            && b.path().starts_with(a.path().trim_end_matches('/'))
    };
    if recent.len() == 4
        && recent.windows(2).all(|w| extends(&w[0], &w[1]))
        && has_repeated_segment(next.path())
    {
        return Some(((visited.len() - 2)..=visited.len()).collect());
    }
    None
}

fn query_len(url: &Url) -> usize {
    url.query().map_or(0, str::len)
}

/// How many times the query's first parameter name appears once every level of percent-encoding
/// is undone: `r=%2Fapp%3Fr%3D%252Flogin` reads `r=/app?r=/login`, depth 2.
fn nesting_depth(url: &Url) -> usize {
    let Some(query) = url.query() else {
        return 0;
    };
    let Some(name) = query.split(['=', '&']).next().filter(|n| !n.is_empty()) else {
        return 0;
    };
    let mut decoded = query.to_owned();
    // Each round undoes one level of encoding; a handful covers any loop caught on its third visit.
    for _ in 0..8 {
        let once = percent_encoding::percent_decode_str(&decoded)
            .decode_utf8_lossy()
            .into_owned();
        if once == decoded {
            break;
        }
        decoded = once;
    }
    decoded.matches(&format!("{name}=")).count()
}

fn has_repeated_segment(path: &str) -> bool {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    segments.windows(2).any(|w| w[0] == w[1])
}

/// Classifies a chain that ended in a loop or hit the redirect limit.
pub fn diagnose(chain: &Chain) -> Option<Diagnosis> {
    match chain.outcome {
        Outcome::Loop => Some(classify_loop(chain)),
        Outcome::TooManyRedirects => Some(classify_limit(chain)),
        _ => None,
    }
}

fn classify_loop(chain: &Chain) -> Diagnosis {
    let info = chain
        .loop_info
        .as_ref()
        .expect("a loop outcome has loop info");
    let mut visited: Vec<Url> = chain
        .hops
        .iter()
        .filter_map(|hop| Url::parse(&hop.url).ok())
        .collect();
    if let Ok(next) = Url::parse(&info.url) {
        if let Some(earlier) = growing_url(&visited, &next) {
            return growing(&earlier, &next);
        }
        visited.push(next);
    }
    let first = info.repeats_hop.saturating_sub(1).min(chain.hops.len());
    let cycle = &chain.hops[first..];
    let cycle_numbers: Vec<usize> = cycle.iter().map(|hop| hop.index).collect();
    let urls: Vec<Url> = cycle
        .iter()
        .filter_map(|hop| Url::parse(&hop.url).ok())
        .collect();

    if let Some(diagnosis) = cookie_loop(chain, cycle, &cycle_numbers) {
        return diagnosis;
    }
    let hosts = distinct(urls.iter().filter_map(|u| u.host_str().map(str::to_owned)));
    let schemes = distinct(urls.iter().map(|u| u.scheme().to_owned()));
    if schemes.len() > 1 && hosts.len() == 1 {
        return Diagnosis {
            kind: LoopKind::SchemeFlip,
            hops: cycle_numbers,
            title: "http ↔ https flip".into(),
            explanation: format!(
                "{} sends the browser from http to https, and the https address sends it back to http. \
                 Two layers disagree about the scheme: typically a TLS-terminating proxy or CDN that \
                 forces https in front of an application that still believes its address is http (its \
                 configured base URL), or that builds redirects from the plain-http request the proxy \
                 forwards to it because it does not trust the X-Forwarded-Proto header.",
                hosts[0]
            ),
            fix: "Make the application's base URL https and have it trust X-Forwarded-Proto from the \
                  proxy, so it stops sending https visitors back to http. Keep the http → https redirect \
                  in one place only."
                .into(),
        };
    }
    if hosts.len() > 1 {
        let pair = hosts.join(" ↔ ");
        let www = hosts.iter().any(|h| h.starts_with("www.")) && hosts.len() == 2;
        return Diagnosis {
            kind: LoopKind::HostFlip,
            hops: cycle_numbers,
            title: format!("host flip: {pair}"),
            explanation: format!(
                "The hosts {pair} redirect to each other. Two rules disagree about the canonical host{}: \
                 typically one in the CDN or load balancer and one in the application or web server.",
                if www { " (with or without www)" } else { "" }
            ),
            fix: "Pick one canonical host and make every layer (CDN, load balancer, web server, \
                  application settings such as the site URL) redirect to that one; remove the rule that \
                  points the other way."
                .into(),
        };
    }
    let paths = distinct(urls.iter().map(|u| u.path().to_owned()));
    if paths.len() == 2 && paths[0].trim_end_matches('/') == paths[1].trim_end_matches('/') {
        return Diagnosis {
            kind: LoopKind::TrailingSlashFlip,
            hops: cycle_numbers,
            title: format!("trailing-slash flip: {} ↔ {}", paths[0], paths[1]),
            explanation: "One rule adds a trailing slash and another removes it, so the two addresses \
                          send the browser to each other. Typical when the web server adds slashes to \
                          directories while the application (or a CDN rule) strips them."
                .into(),
            fix: "Decide whether this URL ends with a slash and make the web server, the application \
                  router and any CDN rules agree (for example turn off the server's directory-slash \
                  redirect, or the application's slash stripping)."
                .into(),
        };
    }
    if let [only] = urls.as_slice() {
        if only.scheme() == "https" {
            return Diagnosis {
                kind: LoopKind::ExactRepeat,
                hops: cycle_numbers,
                title: format!("{only} redirects to itself"),
                explanation: "An https address that redirects to itself is the classic sign of a CDN \
                              or proxy in \"flexible\" TLS mode: the browser talks https to the CDN, the \
                              CDN fetches the origin over plain http, and the origin, seeing http, \
                              redirects to https, which is where the browser already is."
                    .into(),
                fix: "Set the CDN or proxy to connect to the origin over https (\"full\" TLS mode), or \
                      make the origin trust X-Forwarded-Proto and skip its http → https redirect when \
                      the original request was https."
                    .into(),
            };
        }
    }
    Diagnosis {
        kind: LoopKind::ExactRepeat,
        hops: cycle_numbers.clone(),
        title: format!("hop {} repeats hop {}", info.at_hop, info.repeats_hop),
        explanation: format!(
            "The server sends the browser round the same {} without anything changing in between \
             (same method, URL, body and cookies), so it would never stop.",
            if cycle_numbers.len() == 1 { "address".to_owned() } else { format!("{} addresses", cycle_numbers.len()) }
        ),
        fix: "Look at the redirect rules for these URLs in the web server, CDN and application; one of \
              them points back to where the chain already was."
            .into(),
    }
}

fn growing(earlier: &[usize], next: &Url) -> Diagnosis {
    Diagnosis {
        kind: LoopKind::GrowingUrl,
        hops: earlier.to_vec(),
        title: format!("the URL grows on every visit to {}", next.path()),
        explanation: "Each time the chain comes back to this page its address is longer: typically a \
                      \"return to\" parameter that gets wrapped inside another one on every round (a login \
                      page that sends you back to itself with the current URL appended). It never repeats \
                      exactly, so it only stops when the URL becomes too long or the redirect limit is hit."
            .into(),
        fix: "Find the redirect that adds the parameter (often a login or consent check) and make it keep \
              an existing return-to value instead of wrapping the whole current URL, or exempt the login \
              page itself from the check."
            .into(),
    }
}

/// A cookie set inside the cycle explains the loop: either it never came back, or it came back
/// and the server did not care.
fn cookie_loop(chain: &Chain, cycle: &[Hop], cycle_numbers: &[usize]) -> Option<Diagnosis> {
    let (setter, cookie) = cycle
        .iter()
        .flat_map(|hop| hop.set_cookies.iter().map(move |c| (hop, c)))
        .next()?;
    let name_value = cookie
        .raw
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let name = name_value
        .split('=')
        .next()
        .unwrap_or_default()
        .trim()
        .to_owned();
    let returned_to = |hop: &Hop| {
        hop.request_headers
            .iter()
            .filter(|(n, _)| n == "cookie")
            .any(|(_, v)| v.split(';').any(|pair| pair.trim() == name_value))
    };
    let later: Vec<&Hop> = chain
        .hops
        .iter()
        .filter(|hop| hop.index > setter.index)
        .collect();
    // The request that was not sent is identical to hop `repeats_hop`, cookies included.
    let repeated = chain
        .loop_info
        .as_ref()
        .and_then(|info| chain.hops.get(info.repeats_hop.wrapping_sub(1)));
    let came_back = later.iter().copied().chain(repeated).any(returned_to);
    if came_back {
        // The hop whose cookie came back: the first to set it, which may be before the cycle
        // (a cycle that sets it again only refreshes it).
        let first_setter = chain
            .hops
            .iter()
            .find(|hop| {
                hop.set_cookies
                    .iter()
                    .any(|c| c.raw.split(';').next().unwrap_or_default().trim() == name_value)
            })
            .map_or(setter.index, |hop| hop.index);
        return Some(Diagnosis {
            kind: LoopKind::CookieIgnored,
            hops: cycle_numbers.to_vec(),
            title: format!("cookie {name} is sent back but the server keeps redirecting"),
            explanation: format!(
                "Hop {} sets the cookie {name}, and the browser sends it back on the next requests, but \
                 the server still redirects as if it were missing. The server does not accept its own \
                 cookie: a session that is not found (for example session storage not shared between \
                 servers behind a load balancer), a signature or encryption key that differs between \
                 servers, or a check that looks for a different cookie name.",
                first_setter
            ),
            fix: "Check how the server validates this cookie: shared session storage or sticky sessions \
                  behind the load balancer, the same secret key on every server, and the cookie name the \
                  check expects."
                .into(),
        });
    }
    let why = match (&cookie.reason, cookie.stored) {
        (Some(reason), false) => format!("it was not stored: {reason}"),
        _ => not_sent_reason(
            &cookie.raw,
            setter,
            later
                .first()
                .copied()
                .map(|h| h.url.as_str())
                .or(chain.loop_info.as_ref().map(|i| i.url.as_str())),
        ),
    };
    Some(Diagnosis {
        kind: LoopKind::CookieNotStored,
        hops: cycle_numbers.to_vec(),
        title: format!("cookie {name} is never sent back"),
        explanation: format!(
            "Hop {} sets the cookie {name} and redirects, expecting it on the next request, but the \
             browser does not send it back ({why}), so the server redirects again.",
            setter.index
        ),
        fix: cookie_fix(&why),
    })
}

/// Why a stored cookie would not go with the next request.
fn not_sent_reason(raw: &str, setter: &Hop, next_url: Option<&str>) -> String {
    let Ok(cookie) = cookie_store::RawCookie::parse(raw.to_owned()) else {
        return "it is malformed".into();
    };
    let Some(next) = next_url.and_then(|u| Url::parse(u).ok()) else {
        return "the next request does not match it".into();
    };
    if cookie.secure() == Some(true) && next.scheme() == "http" {
        return "it is marked Secure and the next request is plain http".into();
    }
    let setter_host = Url::parse(&setter.url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .unwrap_or_default();
    let next_host = next.host_str().unwrap_or_default().to_owned();
    let domain_ok = match cookie.domain() {
        Some(domain) => {
            let domain = domain.trim_start_matches('.').to_ascii_lowercase();
            next_host == domain || next_host.ends_with(&format!(".{domain}"))
        }
        None => next_host == setter_host,
    };
    if !domain_ok {
        return format!(
            "its Domain ({}) does not cover {next_host}",
            cookie
                .domain()
                .map_or_else(|| format!("{setter_host} only"), str::to_owned)
        );
    }
    if let Some(path) = cookie.path() {
        let path = path.trim_end_matches('/');
        let next_path = next.path();
        if !(next_path == path || next_path.starts_with(&format!("{path}/")) || path.is_empty()) {
            return format!(
                "its Path ({}) does not cover {next_path}",
                cookie.path().unwrap_or_default()
            );
        }
    }
    if cookie
        .max_age()
        .is_some_and(|age| age.is_zero() || age.is_negative())
    {
        return "it is already expired".into();
    }
    "the next request does not match it".into()
}

fn cookie_fix(why: &str) -> String {
    let specific = if why.contains("--no-cookies") {
        "hops was run with --no-cookies: run it without to see what a browser does."
    } else if why.contains("Secure") {
        "Serve every page of this flow over https, or do not mark the cookie Secure."
    } else if why.contains("Domain") {
        "Set the cookie's Domain to the parent domain shared by the hosts in the chain (or none at all, \
         if only one host needs it)."
    } else if why.contains("Path") {
        "Set the cookie with Path=/ (or a path that covers every page of the flow)."
    } else if why.contains("expired") {
        "Check the cookie's Expires/Max-Age and the server clock."
    } else {
        "Compare the Set-Cookie attributes (Domain, Path, Secure, SameSite, expiry) with the URL the \
         browser goes to next."
    };
    specific.to_owned()
}

fn classify_limit(chain: &Chain) -> Diagnosis {
    let shapes: Vec<String> = chain
        .hops
        .iter()
        .map(|hop| match Url::parse(&hop.url) {
            // The origin stays as it is: a port number is not a volatile part.
            Ok(url) => format!(
                "{}{}",
                url.origin().ascii_serialization(),
                url_shape(&url[url::Position::BeforePath..])
            ),
            Err(_) => url_shape(&hop.url),
        })
        .collect();
    let repeated = shapes.iter().enumerate().find_map(|(i, shape)| {
        shapes[i + 1..]
            .iter()
            .position(|s| s == shape)
            .map(|j| (i, i + 1 + j))
    });
    if let Some((first, again)) = repeated {
        let hops: Vec<usize> = (first..=again).map(|i| i + 1).collect();
        return Diagnosis {
            kind: LoopKind::VolatileRepeat,
            hops,
            title: format!("probable loop: {} comes back with new values", shapes[first]),
            explanation: format!(
                "No request repeated exactly, but hop {} and hop {} have the same shape, {}, and differ \
                 only in parts that change on every request (numbers, timestamps, random tokens). The \
                 server is most likely sending the browser round in a circle, adding a fresh nonce or \
                 timestamp each time.",
                first + 1,
                again + 1,
                shapes[first]
            ),
            fix: "Follow the hops of one round and find the redirect that sends the browser back; the \
                  changing values are usually a cache-buster or login state that is created but never \
                  accepted."
                .into(),
        };
    }
    let count = chain.hops.len();
    if count <= BROWSER_REDIRECT_LIMIT {
        // Fewer redirects than a browser follows: the user's --max-redirs stopped the chain,
        // which says nothing about the site.
        return Diagnosis {
            kind: LoopKind::LongChain,
            hops: chain.hops.iter().map(|hop| hop.index).collect(),
            title: format!("{count} distinct redirects, not a loop (stopped by --max-redirs)"),
            explanation: format!(
                "Every hop goes somewhere new, so this is not a loop. hops stopped at the \
                 --max-redirs limit; a browser follows up to {BROWSER_REDIRECT_LIMIT} redirects, so it \
                 may still reach a final page."
            ),
            fix: format!(
                "Run hops again with a higher --max-redirs (browsers follow up to \
                 {BROWSER_REDIRECT_LIMIT}) to see where the chain ends."
            ),
        };
    }
    Diagnosis {
        kind: LoopKind::LongChain,
        hops: chain.hops.iter().map(|hop| hop.index).collect(),
        title: format!("a long chain of {count} distinct redirects, not a loop"),
        explanation: format!(
            "Every hop goes somewhere new, so this is not a loop, but a browser follows at most \
             {BROWSER_REDIRECT_LIMIT} redirects and then reports too many redirects."
        ),
        fix: "Shorten the chain: point the first redirect straight at the final address, and merge \
              redirect rules applied one after the other (http → https, host, path, trailing slash)."
            .into(),
    }
}

/// A URL with its volatile parts replaced: runs of 4+ digits, hex or random-looking tokens of
/// 16+ characters, and query values that look like timestamps or nonces.
pub fn url_shape(url: &str) -> String {
    let mut shape = String::with_capacity(url.len());
    let mut token = String::new();
    let flush = |token: &mut String, shape: &mut String| {
        let digits = token.chars().filter(char::is_ascii_digit).count();
        let volatile = (token.len() >= 4 && digits == token.len())
            || (token.len() >= 16 && digits > 0)
            || (token.len() >= 24);
        shape.push_str(if volatile { "{…}" } else { token });
        token.clear();
    };
    for c in url.chars() {
        if c.is_ascii_alphanumeric() || c == '_' || c == '-' {
            token.push(c);
        } else {
            flush(&mut token, &mut shape);
            shape.push(c);
        }
    }
    flush(&mut token, &mut shape);
    shape
}

fn distinct(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut seen: Vec<String> = Vec::new();
    for item in items {
        if !seen.contains(&item) {
            seen.push(item);
        }
    }
    seen
}

/// How the chain ended, in a few words: "OK: ...", "Loop between hop 2 and hop 4: ...".
pub fn headline(chain: &Chain, diagnosis: Option<&Diagnosis>) -> String {
    let redirects = chain.redirects();
    let plural = if redirects == 1 { "" } else { "s" };
    let error = || {
        chain
            .error
            .as_ref()
            .map(|e| format!("hop {}: {}", e.hop, e.message))
    };
    match (chain.outcome, chain.last_response(), diagnosis) {
        (Outcome::Ok, Some(last), _) => {
            format!(
                "OK: {redirects} redirect{plural}, final {} at {}",
                last.status, last.url
            )
        }
        (_, _, Some(d)) if d.kind == LoopKind::LongChain => {
            format!("Too many redirects: {}", d.title)
        }
        (Outcome::Loop | Outcome::TooManyRedirects, _, Some(d)) => {
            let first = d.hops.first().copied().unwrap_or(1);
            let last = chain
                .loop_info
                .as_ref()
                .map_or_else(|| d.hops.last().copied().unwrap_or(first), |i| i.at_hop);
            format!("Loop between hop {first} and hop {last}: {}", d.title)
        }
        (Outcome::BadLocation, ..) => format!("Broken redirect: {}", error().unwrap_or_default()),
        _ => format!(
            "Network error: {}",
            error().unwrap_or_else(|| "no response".into())
        ),
    }
}

/// The one plain-language verdict after a chain: the headline, and for a loop its likely cause
/// and fix.
pub fn verdict(chain: &Chain, diagnosis: Option<&Diagnosis>) -> String {
    let headline = headline(chain, diagnosis);
    match diagnosis {
        Some(d) => format!(
            "{headline}. {} Fix: {}",
            first_sentence(&d.explanation),
            d.fix
        ),
        None => headline,
    }
}

fn first_sentence(text: &str) -> &str {
    text.find(". ").map_or(text, |end| &text[..=end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::testing::{chain, hop};
    use crate::record::{LoopInfo, SetCookie};

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    /// A loop chain over `urls`, where the request after the last hop repeats `repeats`.
    fn looped(urls: &[&str], repeats: usize) -> Chain {
        let hops: Vec<Hop> = urls
            .iter()
            .enumerate()
            .map(|(i, u)| {
                hop(
                    i + 1,
                    u,
                    302,
                    Some(urls.get(i + 1).copied().unwrap_or(urls[repeats - 1])),
                )
            })
            .collect();
        let mut chain = chain(hops, Outcome::Loop);
        chain.loop_info = Some(LoopInfo {
            repeats_hop: repeats,
            at_hop: urls.len() + 1,
            method: "GET".into(),
            url: urls[repeats - 1].into(),
        });
        chain
    }

    #[test]
    fn loop_kinds() {
        #[rustfmt::skip]
        let table: &[(&[&str], LoopKind)] = &[
            (&["http://shop.test/", "https://shop.test/"], LoopKind::SchemeFlip),
            (&["https://www.shop.test/", "https://shop.test/"], LoopKind::HostFlip),
            (&["https://shop.test/docs", "https://shop.test/docs/"], LoopKind::TrailingSlashFlip),
            (&["https://shop.test/a", "https://shop.test/b"], LoopKind::ExactRepeat),
            (&["https://shop.test/a"], LoopKind::ExactRepeat),
        ];
        for &(urls, kind) in table {
            let diagnosis = diagnose(&looped(urls, 1)).unwrap();
            assert_eq!(diagnosis.kind, kind, "{urls:?}");
            assert_eq!(diagnosis.hops, (1..=urls.len()).collect::<Vec<_>>());
        }
    }

    #[test]
    fn cookie_not_stored_names_the_reason() {
        let mut chain = looped(&["http://shop.test/account", "http://shop.test/consent"], 1);
        chain.hops[1].set_cookies = vec![SetCookie {
            raw: "consent=yes; Secure".into(),
            stored: false,
            reason: Some("Secure cookie received over plain http".into()),
        }];
        let diagnosis = diagnose(&chain).unwrap();
        assert_eq!(diagnosis.kind, LoopKind::CookieNotStored);
        assert!(
            diagnosis
                .explanation
                .contains("Secure cookie received over plain http"),
            "{}",
            diagnosis.explanation
        );
        assert!(diagnosis.fix.contains("https"));
    }

    #[test]
    fn cookie_stored_but_path_does_not_match() {
        let mut chain = looped(&["http://shop.test/account", "http://shop.test/login"], 1);
        chain.hops[1].set_cookies = vec![SetCookie {
            raw: "sid=1; Path=/login".into(),
            stored: true,
            reason: None,
        }];
        let diagnosis = diagnose(&chain).unwrap();
        assert_eq!(diagnosis.kind, LoopKind::CookieNotStored);
        assert!(
            diagnosis
                .explanation
                .contains("Path (/login) does not cover /account"),
            "{}",
            diagnosis.explanation
        );
    }

    #[test]
    fn cookie_sent_back_but_ignored() {
        let mut chain = looped(
            &[
                "http://shop.test/account",
                "http://shop.test/login",
                "http://shop.test/account",
                "http://shop.test/login",
            ],
            3,
        );
        chain.hops[1].set_cookies = vec![SetCookie {
            raw: "sid=1; Path=/".into(),
            stored: true,
            reason: None,
        }];
        chain.hops[3].set_cookies = chain.hops[1].set_cookies.clone();
        for hop in &mut chain.hops[2..] {
            hop.request_headers.push(("cookie".into(), "sid=1".into()));
        }
        let diagnosis = diagnose(&chain).unwrap();
        assert_eq!(diagnosis.kind, LoopKind::CookieIgnored);
        // The cookie that came back was set by hop 2; hop 4 only set it again.
        assert!(
            diagnosis
                .explanation
                .starts_with("Hop 2 sets the cookie sid,"),
            "{}",
            diagnosis.explanation
        );
    }

    #[test]
    fn growing_query_detected_on_third_visit() {
        let visited = [
            url("http://shop.test/login?next=%2F"),
            url("http://shop.test/account"),
            url("http://shop.test/login?next=%2Flogin%3Fnext%3D%252F"),
            url("http://shop.test/account"),
        ];
        let next =
            url("http://shop.test/login?next=%2Flogin%3Fnext%3D%252Flogin%253Fnext%253D%25252F");
        assert_eq!(growing_url(&visited, &next), Some(vec![1, 3]));
        assert_eq!(growing_url(&visited[..2], &visited[2]), None);
        assert_eq!(
            growing_url(&visited, &url("http://shop.test/login?next=%2F")),
            None
        );
    }

    #[test]
    fn a_query_that_only_gains_parameters_is_not_growing() {
        let visited = [
            url("http://s.test/start"),
            url("http://s.test/start?lang=en"),
        ];
        assert_eq!(
            growing_url(&visited, &url("http://s.test/start?lang=en&region=eu")),
            None
        );
        assert_eq!(
            nesting_depth(&url("http://s.test/?r=%2Fapp%3Fr%3D%252Flogin")),
            2
        );
        assert_eq!(nesting_depth(&url("http://s.test/?lang=en&region=eu")), 1);
        assert_eq!(nesting_depth(&url("http://s.test/")), 0);
    }

    #[test]
    fn growing_path_detected() {
        let visited = [
            url("http://s.test/a/"),
            url("http://s.test/a/a/"),
            url("http://s.test/a/a/a/"),
        ];
        assert!(growing_url(&visited, &url("http://s.test/a/a/a/a/")).is_some());
        let distinct = [
            url("http://s.test/a"),
            url("http://s.test/a/b"),
            url("http://s.test/a/b/c"),
        ];
        assert_eq!(growing_url(&distinct, &url("http://s.test/a/b/c/d")), None);
    }

    #[test]
    fn limit_hits_classified() {
        let volatile: Vec<Hop> = (0..21)
            .map(|i| {
                hop(
                    i + 1,
                    &format!(
                        "http://shop.test/{}?t={}",
                        ["a", "b"][i % 2],
                        1_700_000_000 + i
                    ),
                    302,
                    Some("x"),
                )
            })
            .collect();
        let diagnosis = diagnose(&chain(volatile, Outcome::TooManyRedirects)).unwrap();
        assert_eq!(diagnosis.kind, LoopKind::VolatileRepeat);
        assert_eq!(diagnosis.hops, vec![1, 2, 3]);
        assert!(
            diagnosis.title.contains("http://shop.test/a?t={…}"),
            "{}",
            diagnosis.title
        );

        let long: Vec<Hop> = (0..21)
            .map(|i| hop(i + 1, &format!("http://shop.test/step-{i}"), 302, Some("x")))
            .collect();
        let diagnosis = diagnose(&chain(long, Outcome::TooManyRedirects)).unwrap();
        assert_eq!(diagnosis.kind, LoopKind::LongChain);
        assert!(diagnosis.explanation.contains("not a loop"));
        assert!(diagnosis.explanation.contains("at most 20 redirects"));
        assert!(diagnosis.fix.starts_with("Shorten the chain"));
    }

    /// A limit hit before a browser's 20 is the user's --max-redirs, not a chain to shorten.
    #[test]
    fn a_limit_below_the_browsers_is_the_users() {
        let short: Vec<Hop> = (0..3)
            .map(|i| hop(i + 1, &format!("http://shop.test/step-{i}"), 302, Some("x")))
            .collect();
        let chain = chain(short, Outcome::TooManyRedirects);
        let diagnosis = diagnose(&chain).unwrap();
        assert_eq!(diagnosis.kind, LoopKind::LongChain);
        assert_eq!(
            diagnosis.title,
            "3 distinct redirects, not a loop (stopped by --max-redirs)"
        );
        assert!(diagnosis.explanation.contains("not a loop"));
        assert!(diagnosis.fix.contains("higher --max-redirs"));
        assert_eq!(
            headline(&chain, Some(&diagnosis)),
            "Too many redirects: 3 distinct redirects, not a loop (stopped by --max-redirs)"
        );
    }

    #[test]
    fn shapes_mask_volatile_parts() {
        #[rustfmt::skip]
        let table = [
            ("http://a.test/p?t=1700000000", "http://a.test/p?t={…}"),
            ("http://a.test/p?n=9f86d081884c7d659a2feaa0c55ad015", "http://a.test/p?n={…}"),
            ("http://a.test/step-2?x=12", "http://a.test/step-2?x=12"),
            ("http://a.test/page", "http://a.test/page"),
        ];
        for (input, expected) in table {
            assert_eq!(url_shape(input), expected);
        }
    }

    #[test]
    fn verdicts() {
        let ok = chain(
            vec![
                hop(1, "http://a.test/", 301, Some("https://a.test/")),
                hop(2, "https://a.test/", 200, None),
            ],
            Outcome::Ok,
        );
        assert_eq!(
            verdict(&ok, None),
            "OK: 1 redirect, final 200 at https://a.test/"
        );
        let flip = looped(&["http://shop.test/", "https://shop.test/"], 1);
        let text = verdict(&flip, diagnose(&flip).as_ref());
        assert!(
            text.starts_with("Loop between hop 1 and hop 3: http ↔ https flip."),
            "{text}"
        );
        assert!(text.contains("Fix:"));
    }
}
