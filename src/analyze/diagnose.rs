//! Why a chain went wrong, in words for a support engineer: what kind of loop it is, its likely
//! cause and what to change, plus the one-line verdict shown after every chain.
//!
//! Everything here reads a finished [`Chain`], so it is pure and table-tested.

use url::Url;

use super::growth::{Growth, GrowthKind, find_growth};
use crate::model::{Chain, Diagnosis, Hop, LoopKind, Outcome, Redactor, WarningCode, plural};

/// Browsers give up after this many redirects (Fetch: the 21st fails).
pub const BROWSER_REDIRECT_LIMIT: usize = 20;

/// Classifies a chain that ended in a loop or hit the redirect limit.
pub fn diagnose(chain: &Chain) -> Option<Diagnosis> {
    let mut diagnosis = match &chain.outcome {
        Outcome::Loop(_) => classify_loop(chain),
        Outcome::TooManyRedirects { .. } => classify_limit(chain),
        _ => return None,
    };
    mention_pasted_cookies(chain, &mut diagnosis);
    Some(diagnosis)
}

/// Cookies pasted with `-b` that the chain left behind on another host are a likely cause of a
/// login loop: say so whatever the kind.
fn mention_pasted_cookies(chain: &Chain, diagnosis: &mut Diagnosis) {
    let left_at = chain.hops.iter().find(|hop| {
        hop.warnings
            .iter()
            .any(|w| w.code == WarningCode::CookiesLeftBehind)
    });
    let Some(hop) = left_at else {
        return;
    };
    diagnosis.explanation.push_str(&format!(
        " The cookies given with -b were not sent from hop {} on: they were given for another \
         host (see the warning on hop {}).",
        hop.index, hop.index
    ));
    diagnosis.fix.push_str(
        " If the server expects those cookies, give them for the whole domain: \
         -b '...; Domain=example.com'.",
    );
}

fn classify_loop(chain: &Chain) -> Diagnosis {
    let Some(info) = chain.outcome.loop_info() else {
        return classify_limit(chain);
    };
    // The cycle: from the hop that is repeated up to the one before its repeat.
    let last = info.at_hop.saturating_sub(1).min(chain.hops.len());
    let first = info.repeats_hop.saturating_sub(1).min(last);
    let cycle = &chain.hops[first..last];
    let cycle_numbers: Vec<usize> = cycle.iter().map(|hop| hop.index).collect();
    let urls: Vec<&Url> = cycle.iter().map(|hop| &hop.url).collect();

    if let Some(diagnosis) = cookie_loop(chain, cycle, &cycle_numbers) {
        return diagnosis;
    }
    let hosts = distinct(urls.iter().filter_map(|u| u.host_str().map(str::to_owned)));
    let schemes = distinct(urls.iter().map(|u| u.scheme().to_owned()));
    if schemes.len() > 1 && hosts.len() > 1 {
        let origins = distinct(urls.iter().map(|u| u.origin().ascii_serialization()));
        let pair = origins.join(" ↔ ");
        return Diagnosis {
            kind: LoopKind::HostFlip,
            hops: cycle_numbers,
            title: format!("scheme and host flip: {pair}"),
            explanation: format!(
                "The addresses {pair} redirect to each other: both the scheme (http or https) and \
                 the host change on the way round. Two layers disagree about the canonical address: \
                 typically a CDN or load balancer that forces https on one host while the \
                 application redirects to its configured base URL, with the other host and scheme."
            ),
            fix: "Pick one canonical address (scheme and host) and make every layer redirect \
                  straight to it: the CDN or load balancer rule, the web server and the \
                  application's base URL setting."
                .into(),
        };
    }
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
            "The server sends the browser round the same {} without anything changing in between: \
             hop {} sent the request of hop {} again (same method, URL, body and cookies) and got \
             the same answer, so it would never stop.",
            if cycle_numbers.len() == 1 { "address".to_owned() } else { format!("{} addresses", cycle_numbers.len()) },
            info.at_hop,
            info.repeats_hop
        ),
        fix: "Look at the redirect rules for these URLs in the web server, CDN and application; one of \
              them points back to where the chain already was."
            .into(),
    }
}

fn growing(growth: Growth) -> Diagnosis {
    let (title, explanation, fix) = match &growth.kind {
        GrowthKind::Query { page, parameter } => (
            format!("the URL grows on every visit to {page} (parameter {parameter})"),
            format!(
                "Each time the chain comes back to {page} its address is longer: the {parameter} \
                 parameter wraps the previous address inside itself once more, typically a \
                 \"return to\" parameter of a login or consent page that sends you back with the \
                 current URL appended. It never repeats exactly, so it only stops when the URL \
                 becomes too long or the redirect limit is hit."
            ),
            "Find the redirect that adds the parameter (often a login or consent check) and make it \
             keep an existing return-to value instead of wrapping the whole current URL, or exempt \
             the login page itself from the check."
                .to_owned(),
        ),
        GrowthKind::Path { piece, period } => (
            format!(
                "the path grows by {piece:?} every {}",
                if *period == 1 { "hop".to_owned() } else { format!("{period} hops") }
            ),
            format!(
                "Every round adds {piece:?} to the path, so no address ever repeats and the chain \
                 only stops at the redirect limit. Typical causes: a relative Location (such as \
                 {piece:?} where {:?} was meant) resolved against an address that already has it, \
                 or a rewrite rule that adds a prefix to paths that already start with it.",
                format!("/{}", piece.trim_start_matches('/'))
            ),
            "Make the redirect's Location absolute (starting with /), or make the rewrite rule skip \
             paths that already carry the piece."
                .to_owned(),
        ),
    };
    Diagnosis {
        kind: LoopKind::GrowingUrl,
        hops: growth.hops,
        title,
        explanation,
        fix,
    }
}

/// A cookie set inside the cycle explains the loop: either it never came back, or it came back
/// and the server did not care.
fn cookie_loop(chain: &Chain, cycle: &[Box<Hop>], cycle_numbers: &[usize]) -> Option<Diagnosis> {
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
        .map(|hop| &**hop)
        .collect();
    // The request that was not sent is identical to hop `repeats_hop`, cookies included.
    let repeated = chain
        .outcome
        .loop_info()
        .and_then(|info| chain.hops.get(info.repeats_hop.wrapping_sub(1)))
        .map(|hop| &**hop);
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
                .map(|h| &h.url)
                .or(chain.outcome.loop_info().map(|i| &i.url)),
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
fn not_sent_reason(raw: &str, setter: &Hop, next_url: Option<&Url>) -> String {
    let Ok(cookie) = cookie_store::RawCookie::parse(raw.to_owned()) else {
        return "it is malformed".into();
    };
    let Some(next) = next_url else {
        return "the next request does not match it".into();
    };
    if cookie.secure() == Some(true) && next.scheme() == "http" {
        return "it is marked Secure and the next request is plain http".into();
    }
    let setter_host = setter.url.host_str().unwrap_or_default().to_owned();
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
    // HSTS upgrades are the client's own: they are neither redirects nor visits.
    let sent: Vec<&Hop> = chain
        .hops
        .iter()
        .filter(|hop| !hop.synthetic)
        .map(|hop| &**hop)
        .collect();
    let visits: Vec<(usize, &Url)> = sent.iter().map(|hop| (hop.index, &hop.url)).collect();
    if let Some(growth) = find_growth(&visits) {
        return growing(growth);
    }
    let shapes: Vec<String> = sent
        .iter()
        .map(|hop| {
            // The origin stays as it is: a port number is not a volatile part.
            format!(
                "{}{}",
                hop.url.origin().ascii_serialization(),
                url_shape(&hop.url[url::Position::BeforePath..])
            )
        })
        .collect();
    let mut first_seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    let repeated =
        shapes
            .iter()
            .enumerate()
            .find_map(|(i, shape)| match first_seen.entry(shape.as_str()) {
                std::collections::hash_map::Entry::Occupied(first) => Some((*first.get(), i)),
                std::collections::hash_map::Entry::Vacant(slot) => {
                    slot.insert(i);
                    None
                }
            });
    if let Some((first, again)) = repeated {
        let (earlier, later) = (sent[first], sent[again]);
        // The very same URL again and again: compare its last two visits, which both carry
        // whatever cookie the server keeps reissuing.
        let same: Vec<&Hop> = sent
            .iter()
            .filter(|hop| hop.url == earlier.url && hop.method == earlier.method)
            .copied()
            .collect();
        if let [.., before, after] = same.as_slice() {
            if let Some(diagnosis) = cookie_churn(before, after) {
                return diagnosis;
            }
        }
        return Diagnosis {
            kind: LoopKind::VolatileRepeat,
            hops: sent[first..=again].iter().map(|hop| hop.index).collect(),
            title: format!("probable loop: {} comes back with new values", shapes[first]),
            explanation: format!(
                "No request repeated exactly, but hop {} and hop {} have the same shape, {}, and differ \
                 only in parts that change on every request (numbers, timestamps, random tokens). The \
                 server is most likely sending the browser round in a circle, adding a fresh nonce or \
                 timestamp each time.",
                earlier.index, later.index, shapes[first]
            ),
            fix: "Follow the hops of one round and find the redirect that sends the browser back; the \
                  changing values are usually a cache-buster or login state that is created but never \
                  accepted."
                .into(),
        };
    }
    let count = sent.len();
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

/// Two requests to the very same URL that differ only in a cookie's value: the server sets a new
/// value every round and never accepts it.
fn cookie_churn(earlier: &Hop, later: &Hop) -> Option<Diagnosis> {
    if earlier.method != later.method || earlier.url != later.url {
        return None;
    }
    let pairs = |hop: &Hop| -> Vec<(String, String)> {
        hop.request_header("cookie")
            .unwrap_or_default()
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect()
    };
    let (before, after) = (pairs(earlier), pairs(later));
    let changed: Vec<&str> = after
        .iter()
        .filter(|(name, value)| before.iter().any(|(n, v)| n == name && v != value))
        .map(|(name, _)| name.as_str())
        .collect();
    let name = changed.first()?;
    Some(Diagnosis {
        kind: LoopKind::CookieIgnored,
        hops: vec![earlier.index, later.index],
        title: format!("cookie {name} changes every round and never satisfies the server"),
        explanation: format!(
            "Hop {} and hop {} request the same URL; only the value of the cookie {name} differs. The \
             server sets a new {name} on every round and redirects again, so it never accepts the \
             value it issued: a session or token that is created but not found on the next request \
             (storage not shared between servers, a signing key that differs, a clock skew on an \
             expiry check).",
            earlier.index, later.index
        ),
        fix: format!(
            "Check how the server validates the cookie {name}: shared session storage or sticky \
             sessions behind the load balancer, the same secret key on every server, and its expiry."
        ),
    })
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
pub fn headline(chain: &Chain, diagnosis: Option<&Diagnosis>, redactor: Redactor) -> String {
    let redirects = chain.redirects();
    let error = || {
        chain
            .outcome
            .error()
            .map(|e| format!("hop {}: {}", e.hop, e.message))
    };
    match (&chain.outcome, chain.last_response(), diagnosis) {
        (Outcome::Final, Some(last), _) => {
            format!(
                "OK: {}, final {} at {}",
                plural(redirects as u64, "redirect"),
                last.status,
                redactor.url(&last.url)
            )
        }
        (Outcome::TooManyRedirects { .. }, _, Some(d))
            if matches!(d.kind, LoopKind::LongChain | LoopKind::GrowingUrl) =>
        {
            format!("Too many redirects: {}", d.title)
        }
        (Outcome::Loop(_) | Outcome::TooManyRedirects { .. }, _, Some(d)) => {
            let first = d.hops.first().copied().unwrap_or(1);
            let last = chain
                .outcome
                .loop_info()
                .map_or_else(|| d.hops.last().copied().unwrap_or(first), |i| i.at_hop);
            format!("Loop between hop {first} and hop {last}: {}", d.title)
        }
        (Outcome::BadLocation { .. }, ..) => {
            format!("Broken redirect: {}", error().unwrap_or_default())
        }
        (Outcome::Interrupted { .. }, ..) => {
            format!("Interrupted: {}", error().unwrap_or_default())
        }
        _ => format!(
            "Network error: {}",
            error().unwrap_or_else(|| "no response".into())
        ),
    }
}

/// The one plain-language verdict after a chain: the headline, and for a loop its likely cause
/// and fix.
pub fn verdict(headline: &str, diagnosis: Option<&Diagnosis>) -> String {
    match diagnosis {
        Some(d) => format!(
            "{headline}. {} Fix: {}",
            first_sentence(&d.explanation),
            d.fix
        ),
        None => headline.to_owned(),
    }
}

fn first_sentence(text: &str) -> &str {
    text.find(". ").map_or(text, |end| &text[..=end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SetCookie;
    use crate::model::testing::{self, chain, hop};

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
        testing::looped(hops, repeats)
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
        let diagnosis = diagnose(&testing::too_many(volatile)).unwrap();
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
        let diagnosis = diagnose(&testing::too_many(long)).unwrap();
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
        let chain = testing::too_many(short);
        let diagnosis = diagnose(&chain).unwrap();
        assert_eq!(diagnosis.kind, LoopKind::LongChain);
        assert_eq!(
            diagnosis.title,
            "3 distinct redirects, not a loop (stopped by --max-redirs)"
        );
        assert!(diagnosis.explanation.contains("not a loop"));
        assert!(diagnosis.fix.contains("higher --max-redirs"));
        assert_eq!(
            headline(&chain, Some(&diagnosis), Redactor::default()),
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
            Outcome::Final,
        );
        assert_eq!(
            verdict(&headline(&ok, None, Redactor::default()), None),
            "OK: 1 redirect, final 200 at https://a.test/"
        );
        let flip = looped(&["http://shop.test/", "https://shop.test/"], 1);
        let diagnosis = diagnose(&flip);
        let text = verdict(
            &headline(&flip, diagnosis.as_ref(), Redactor::default()),
            diagnosis.as_ref(),
        );
        assert!(
            text.starts_with("Loop between hop 1 and hop 3: http ↔ https flip."),
            "{text}"
        );
        assert!(text.contains("Fix:"));
    }
}
