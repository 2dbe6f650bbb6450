//! Judging one row of a map: its traced chain against what the row (and the flags) expect,
//! giving exactly one result kind and, in words, every expectation the row broke.
//!
//! Pure: no I/O, no clock. Messages name URLs through the default [`Redactor`] (passwords
//! masked), since a report may be pasted anywhere; the chain itself keeps the real URLs.

use url::Url;

use crate::model::{
    Chain, Hop, NetworkErrorKind, Outcome, Redactor, ResultKind, RowExpect, RowResult, plural,
};
use crate::redirect::status::is_followed_status;

/// What the flags expect of every row; a row's own column wins over its flag.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct VerdictOptions {
    /// `--permanent`: a row with no status must answer 301 or 308.
    pub permanent: bool,
    /// `/a` and `/a/` end at the same place.
    pub ignore_slash: bool,
    /// The query is not compared.
    pub ignore_query: bool,
    /// At most this many redirects.
    pub max_hops: Option<usize>,
    /// The final answer has this status (else any 2xx).
    pub final_status: Option<u16>,
}

/// The permanent redirect statuses, which `--permanent` and the lint expect.
pub const PERMANENT: [u16; 2] = [301, 308];

/// What a row expects once the flags have filled in what its columns left out: what was
/// actually checked (a report may show it in place of the row's own columns).
pub fn effective(expect: &RowExpect, options: &VerdictOptions) -> RowExpect {
    RowExpect {
        target: expect.target.clone(),
        status: expect.status,
        max_hops: expect.max_hops.or(options.max_hops),
        final_status: expect.final_status.or(options.final_status),
        no_redirect: expect.no_redirect,
    }
}

/// Judges one traced row. The kind is the first that applies in [`ResultKind`]'s order; `broken`
/// says every expectation broken, in that same order.
pub fn judge(chain: &Chain, expect: &RowExpect, options: &VerdictOptions) -> RowResult {
    let expect = effective(expect, options);
    let redactor = Redactor::default();
    let mut broken: Vec<(ResultKind, String)> = Vec::new();
    let mut fail = |kind, message: String| broken.push((kind, message));

    // The first response a server sent: an HSTS upgrade made by the client answers nothing.
    let first = chain
        .hops
        .iter()
        .find(|hop| !hop.synthetic)
        .map(|hop| &**hop);
    let final_hop = chain.final_response();
    let redirects = chain.redirects();
    // What the final answer must be: the row's final status, else the status of a row that
    // expects no redirect at all (a 410 row ends at its 410), else the flag's, else any 2xx.
    let final_expected = expect
        .final_status
        .or(expect.status.filter(|s| !is_followed_status(*s)));

    match &chain.outcome {
        Outcome::NetworkError { hop, kind, message } => {
            let message = redactor.text(message);
            if *kind == NetworkErrorKind::Timeout {
                fail(
                    ResultKind::Timeout,
                    format!("timed out at hop {hop}: {message}"),
                );
            } else {
                fail(
                    ResultKind::NetworkError,
                    format!("network error at hop {hop}: {message}"),
                );
            }
        }
        // The run was stopped: the row has no answer, which is a failure to reach it.
        Outcome::Interrupted { hop, signal, .. } => fail(
            ResultKind::NetworkError,
            format!("interrupted by {} at hop {hop}", signal.name()),
        ),
        _ => {}
    }
    // A final 403 or 429 is the site refusing the checker, unless the row expects exactly it.
    let blocked = final_hop
        .filter(|last| matches!(last.status, 403 | 429) && final_expected != Some(last.status));
    if let Some(last) = blocked {
        let why = if last.status == 429 {
            "rate limited"
        } else {
            "forbidden"
        };
        fail(
            ResultKind::Blocked,
            format!(
                "blocked: the final answer is {} ({why}) at {}",
                last.status,
                redactor.url(&last.url)
            ),
        );
    }
    match &chain.outcome {
        Outcome::BadLocation { hop, message } => fail(
            ResultKind::BadLocation,
            format!(
                "hop {hop} has a Location that cannot be followed: {}",
                redactor.text(message)
            ),
        ),
        Outcome::Loop(info) => fail(
            ResultKind::Loop,
            format!(
                "redirect loop: hop {} requests {} again, as hop {} did",
                info.at_hop,
                redactor.url(&info.url),
                info.repeats_hop
            ),
        ),
        Outcome::TooManyRedirects { .. } => fail(
            ResultKind::TooManyRedirects,
            format!("too many redirects: stopped after {redirects}"),
        ),
        _ => {}
    }
    if let Some((hop, to)) = downgrade(chain) {
        fail(
            ResultKind::Downgrade,
            format!(
                "hop {} redirects from https to {}",
                hop.index,
                redactor.url(to)
            ),
        );
    }
    if let Some(first) = first {
        judge_first(first, &expect, options, &mut fail);
    }
    // Where the chain ends, and how, is known only when it ended on an answer.
    let missed = expect
        .target
        .as_ref()
        .zip(final_hop)
        .filter(|(target, last)| !same_place(&last.url, target, options));
    if let Some((target, last)) = missed {
        fail(
            ResultKind::WrongTarget,
            format!(
                "expected to end at {}, ended at {}",
                redactor.url(target),
                redactor.url(&last.url)
            ),
        );
    }
    if let Some(max) = expect.max_hops.filter(|&max| redirects > max) {
        let allowed = if max == 1 { "is" } else { "are" };
        let straight = final_hop.map_or_else(
            || "the final URL".to_owned(),
            |last| redactor.url(&last.url),
        );
        fail(
            ResultKind::Chain,
            format!(
                "{} where at most {max} {allowed} allowed: point the source straight at {straight}",
                plural(redirects as u64, "redirect")
            ),
        );
    }
    if let Some(last) = final_hop {
        let fine = match final_expected {
            Some(status) => last.status == status,
            None => (200..300).contains(&last.status),
        };
        // A block is reported once, as blocked.
        if !fine && blocked.is_none() {
            let expected = final_expected.map_or_else(|| "2xx".to_owned(), |s| s.to_string());
            fail(
                ResultKind::BrokenFinal,
                format!(
                    "expected a final {expected}, got {} at {}",
                    last.status,
                    redactor.url(&last.url)
                ),
            );
        }
    }

    // Checks run in the order of the kinds but for the first hop's, which one test decides:
    // sorting (stable) keeps each kind's own messages in the order they were found.
    broken.sort_by_key(|(kind, _)| *kind);
    RowResult {
        kind: broken.first().map_or(ResultKind::Ok, |(kind, _)| *kind),
        ok: broken.is_empty(),
        broken: broken.into_iter().map(|(_, message)| message).collect(),
    }
}

/// The status of the first answer: a redirect (of the right kind) unless the row says which,
/// and none at all for a row that must not redirect.
fn judge_first(
    first: &Hop,
    expect: &RowExpect,
    options: &VerdictOptions,
    fail: &mut impl FnMut(ResultKind, String),
) {
    let got = first.status;
    let redirected = is_followed_status(got);
    if expect.no_redirect {
        if redirected || first.next.is_some() {
            let to = first.next.as_ref().map_or_else(String::new, |next| {
                format!(" to {}", Redactor::default().url(&next.url))
            });
            fail(
                ResultKind::UnexpectedRedirect,
                format!("expected no redirect, got {got}{to}"),
            );
        } else if let Some(status) = expect.status.filter(|&s| s != got) {
            fail(
                ResultKind::WrongStatus,
                format!("expected {status}, got {got}"),
            );
        }
        return;
    }
    match expect.status {
        Some(status) if status == got => {}
        // A redirect was expected and none came: that, not the exact status, is the news.
        Some(status) if is_followed_status(status) && !redirected => fail(
            ResultKind::NotRedirected,
            format!("expected {status}, got {got} (no redirect)"),
        ),
        Some(status) => fail(
            ResultKind::WrongStatus,
            format!("expected {status}, got {got}{}", permanence(status, got)),
        ),
        None if !redirected => fail(
            ResultKind::NotRedirected,
            format!("expected a redirect, got {got}"),
        ),
        None if options.permanent && !PERMANENT.contains(&got) => fail(
            ResultKind::WrongStatus,
            format!("expected 301 or 308, got {got}{}", permanence(301, got)),
        ),
        None => {}
    }
}

/// Why a redirect status differs in a way that matters to search engines and caches.
fn permanence(expected: u16, got: u16) -> &'static str {
    let redirect = is_followed_status;
    match (PERMANENT.contains(&expected), PERMANENT.contains(&got)) {
        (true, false) if redirect(got) => " (temporary instead of permanent)",
        (false, true) if redirect(expected) => " (permanent instead of temporary)",
        _ => "",
    }
}

/// The first hop sent from https to http, and where.
fn downgrade(chain: &Chain) -> Option<(&Hop, &Url)> {
    chain.hops.iter().find_map(|hop| {
        let next = hop.next.as_ref()?;
        (hop.url.scheme() == "https" && next.url.scheme() == "http").then_some((&**hop, &next.url))
    })
}

/// Whether `url` is where `target` says, as browsers compare URLs (both are already WHATWG
/// parsed): the fragment never counts, the trailing slash and the query only when asked.
fn same_place(url: &Url, target: &Url, options: &VerdictOptions) -> bool {
    comparable(url, options) == comparable(target, options)
}

/// `url` as targets are compared: no fragment, and no query or trailing slash when the options
/// say so (two URLs are the same place when these are equal).
pub fn comparable(url: &Url, options: &VerdictOptions) -> Url {
    let mut url = url.clone();
    url.set_fragment(None);
    if options.ignore_query {
        url.set_query(None);
    }
    if options.ignore_slash && url.path().len() > 1 && url.path().ends_with('/') {
        let trimmed = url.path().trim_end_matches('/').to_owned();
        url.set_path(if trimmed.is_empty() { "/" } else { &trimmed });
    }
    url
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::{chain, hop, looped, too_many};

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    fn ended(hops: Vec<Hop>) -> Chain {
        chain(hops, Outcome::Final)
    }

    /// `https://a.test/old` → 301 → `/new` → 200.
    fn moved() -> Chain {
        ended(vec![
            hop(1, "https://a.test/old", 301, Some("/new")),
            hop(2, "https://a.test/new", 200, None),
        ])
    }

    fn network(kind: NetworkErrorKind, message: &str) -> Chain {
        chain(
            vec![hop(1, "https://a.test/old", 301, Some("https://b.test/"))],
            Outcome::NetworkError {
                hop: 2,
                kind,
                message: message.into(),
            },
        )
    }

    fn to(target: &str) -> RowExpect {
        RowExpect {
            target: Some(url(target)),
            ..RowExpect::default()
        }
    }

    fn with(expect: RowExpect, edit: impl FnOnce(&mut RowExpect)) -> RowExpect {
        let mut expect = expect;
        edit(&mut expect);
        expect
    }

    /// A named row: its chain, what it expects, the flags, the kind it gets and its messages.
    type Case = (
        &'static str,
        Chain,
        RowExpect,
        VerdictOptions,
        ResultKind,
        Vec<&'static str>,
    );

    #[test]
    fn every_kind_and_its_message() {
        use ResultKind::*;
        let flags = VerdictOptions::default();
        let permanent = VerdictOptions {
            permanent: true,
            ..flags
        };
        #[rustfmt::skip]
        let table: Vec<Case> = vec![
            ("a redirect to its target", moved(), to("https://a.test/new"), flags, Ok, vec![]),
            ("no target: any redirect to a 2xx", moved(), RowExpect::default(), flags, Ok, vec![]),
            ("connection refused", network(NetworkErrorKind::Connect, "connection refused"),
                to("https://b.test/"), flags, NetworkError,
                vec!["network error at hop 2: connection refused"]),
            ("a timeout", network(NetworkErrorKind::Timeout, "no answer in 10 s"),
                to("https://b.test/"), flags, Timeout, vec!["timed out at hop 2: no answer in 10 s"]),
            ("a final 429", ended(vec![
                    hop(1, "https://a.test/old", 301, Some("/new")),
                    hop(2, "https://a.test/new", 429, None),
                ]), to("https://a.test/new"), flags, Blocked,
                vec!["blocked: the final answer is 429 (rate limited) at https://a.test/new"]),
            ("a final 403", ended(vec![hop(1, "https://a.test/old", 403, None)]),
                RowExpect::default(), flags, Blocked,
                vec![
                    "blocked: the final answer is 403 (forbidden) at https://a.test/old",
                    "expected a redirect, got 403",
                ]),
            ("a 403 the row expects", ended(vec![
                    hop(1, "https://a.test/old", 301, Some("/new")),
                    hop(2, "https://a.test/new", 403, None),
                ]), with(to("https://a.test/new"), |e| e.final_status = Some(403)), flags, Ok, vec![]),
            ("a bad Location", chain(vec![hop(1, "https://a.test/old", 301, None)],
                    Outcome::BadLocation { hop: 1, message: "\"http://[::1\" is not a URL".into() }),
                to("https://a.test/new"), flags, BadLocation,
                vec!["hop 1 has a Location that cannot be followed: \"http://[::1\" is not a URL"]),
            ("a loop", looped(vec![
                    hop(1, "https://a.test/a", 302, Some("/b")),
                    hop(2, "https://a.test/b", 302, Some("/a")),
                ], 1), to("https://a.test/c"), flags, Loop,
                vec!["redirect loop: hop 3 requests https://a.test/a again, as hop 1 did"]),
            ("the redirect limit", too_many(vec![
                    hop(1, "https://a.test/1", 301, Some("/2")),
                    hop(2, "https://a.test/2", 301, Some("/3")),
                ]), RowExpect::default(), flags, TooManyRedirects,
                vec!["too many redirects: stopped after 2"]),
            ("https to http", ended(vec![
                    hop(1, "https://a.test/old", 301, Some("http://a.test/new")),
                    hop(2, "http://a.test/new", 200, None),
                ]), to("http://a.test/new"), flags, Downgrade,
                vec!["hop 1 redirects from https to http://a.test/new"]),
            ("no redirect at all", ended(vec![hop(1, "https://a.test/old", 200, None)]),
                RowExpect::default(), flags, NotRedirected, vec!["expected a redirect, got 200"]),
            ("a 200 where 301 is expected", ended(vec![hop(1, "https://a.test/old", 200, None)]),
                with(RowExpect::default(), |e| e.status = Some(301)), flags, NotRedirected,
                vec!["expected 301, got 200 (no redirect)"]),
            ("a sitemap URL that redirects", moved(),
                RowExpect { no_redirect: true, ..RowExpect::default() }, flags, UnexpectedRedirect,
                vec!["expected no redirect, got 301 to https://a.test/new"]),
            ("a sitemap URL that answers", ended(vec![hop(1, "https://a.test/old", 200, None)]),
                RowExpect { no_redirect: true, ..RowExpect::default() }, flags, Ok, vec![]),
            ("302 where 301 is expected", ended(vec![
                    hop(1, "https://a.test/old", 302, Some("/new")),
                    hop(2, "https://a.test/new", 200, None),
                ]), with(to("https://a.test/new"), |e| e.status = Some(301)), flags, WrongStatus,
                vec!["expected 301, got 302 (temporary instead of permanent)"]),
            ("308 where 307 is expected", ended(vec![
                    hop(1, "https://a.test/old", 308, Some("/new")),
                    hop(2, "https://a.test/new", 200, None),
                ]), with(to("https://a.test/new"), |e| e.status = Some(307)), flags, WrongStatus,
                vec!["expected 307, got 308 (permanent instead of temporary)"]),
            ("--permanent and a 307", ended(vec![
                    hop(1, "https://a.test/old", 307, Some("/new")),
                    hop(2, "https://a.test/new", 200, None),
                ]), to("https://a.test/new"), permanent, WrongStatus,
                vec!["expected 301 or 308, got 307 (temporary instead of permanent)"]),
            ("--permanent and a 308", ended(vec![
                    hop(1, "https://a.test/old", 308, Some("/new")),
                    hop(2, "https://a.test/new", 200, None),
                ]), to("https://a.test/new"), permanent, Ok, vec![]),
            ("the row's 302 wins over --permanent", ended(vec![
                    hop(1, "https://a.test/old", 302, Some("/new")),
                    hop(2, "https://a.test/new", 200, None),
                ]), with(to("https://a.test/new"), |e| e.status = Some(302)), permanent, Ok, vec![]),
            ("somewhere else", moved(), to("https://a.test/old-home"), flags, WrongTarget,
                vec!["expected to end at https://a.test/old-home, ended at https://a.test/new"]),
            ("a chain of two", ended(vec![
                    hop(1, "http://a.test/old", 301, Some("https://a.test/old")),
                    hop(2, "https://a.test/old", 301, Some("/new")),
                    hop(3, "https://a.test/new", 200, None),
                ]), with(to("https://a.test/new"), |e| e.max_hops = Some(1)), flags, Chain,
                vec!["2 redirects where at most 1 is allowed: point the source straight at https://a.test/new"]),
            ("a 404 at the end", ended(vec![
                    hop(1, "https://a.test/old", 301, Some("/new")),
                    hop(2, "https://a.test/new", 404, None),
                ]), to("https://a.test/new"), flags, BrokenFinal,
                vec!["expected a final 2xx, got 404 at https://a.test/new"]),
            ("a gone page the row expects", ended(vec![hop(1, "https://a.test/old", 410, None)]),
                with(RowExpect::default(), |e| e.status = Some(410)), flags, Ok, vec![]),
            ("--final-status 410 not met", moved(), RowExpect::default(),
                VerdictOptions { final_status: Some(410), ..flags }, BrokenFinal,
                vec!["expected a final 410, got 200 at https://a.test/new"]),
        ];
        for (name, chain, expect, options, kind, broken) in table {
            let result = judge(&chain, &expect, &options);
            assert_eq!(result.kind, kind, "{name}: {result:?}");
            assert_eq!(result.broken, broken, "{name}");
            assert_eq!(result.ok, kind == Ok, "{name}");
        }
    }

    #[test]
    fn the_first_kind_wins_and_every_broken_expectation_is_listed() {
        // A temporary redirect to http, then another, to a 404 elsewhere.
        let chain = ended(vec![
            hop(1, "https://a.test/old", 302, Some("http://a.test/x")),
            hop(2, "http://a.test/x", 302, Some("/y")),
            hop(3, "http://a.test/y", 404, None),
        ]);
        let expect = with(to("https://a.test/new"), |e| {
            e.status = Some(301);
            e.max_hops = Some(1);
        });
        let result = judge(&chain, &expect, &VerdictOptions::default());
        assert_eq!(result.kind, ResultKind::Downgrade);
        assert_eq!(
            result.broken,
            [
                "hop 1 redirects from https to http://a.test/x",
                "expected 301, got 302 (temporary instead of permanent)",
                "expected to end at https://a.test/new, ended at http://a.test/y",
                "2 redirects where at most 1 is allowed: point the source straight at http://a.test/y",
                "expected a final 2xx, got 404 at http://a.test/y",
            ]
        );
        assert!(!result.ok);
        assert!(
            result
                .message()
                .starts_with("hop 1 redirects from https to http://a.test/x; ")
        );
    }

    #[test]
    fn a_broken_chain_is_judged_only_on_what_it_got_to() {
        // The status of the first hop and the length so far are known; where it ends is not.
        let chain = too_many(vec![
            hop(1, "https://a.test/1", 302, Some("/2")),
            hop(2, "https://a.test/2", 301, Some("/3")),
        ]);
        let expect = with(to("https://a.test/new"), |e| {
            e.status = Some(301);
            e.max_hops = Some(1);
        });
        let result = judge(&chain, &expect, &VerdictOptions::default());
        assert_eq!(result.kind, ResultKind::TooManyRedirects);
        assert_eq!(
            result.broken,
            [
                "too many redirects: stopped after 2",
                "expected 301, got 302 (temporary instead of permanent)",
                "2 redirects where at most 1 is allowed: point the source straight at the final URL",
            ]
        );
    }

    #[test]
    fn targets_compare_as_parsed_urls_with_the_flags_loosening() {
        let loose = VerdictOptions {
            ignore_slash: true,
            ignore_query: true,
            ..VerdictOptions::default()
        };
        #[rustfmt::skip]
        let table = [
            // (ended at, expected, same strictly, same with --ignore-slash --ignore-query)
            ("https://a.test/new", "HTTPS://A.test:443/new", true, true),
            ("https://a.test/new#top", "https://a.test/new", true, true),
            ("https://a.test/%7Enew", "https://a.test/%7Enew", true, true),
            ("https://a.test/new/", "https://a.test/new", false, true),
            ("https://a.test/new?utm=1", "https://a.test/new", false, true),
            ("https://a.test/", "https://a.test", true, true),
            ("https://a.test/new", "https://a.test/other", false, false),
            ("https://a.test/new", "http://a.test/new", false, false),
        ];
        for (ended_at, expected, strict, loosened) in table {
            let chain = ended(vec![
                hop(1, "https://a.test/old", 301, Some(ended_at)),
                hop(2, ended_at, 200, None),
            ]);
            for (options, same) in [(VerdictOptions::default(), strict), (loose, loosened)] {
                let result = judge(&chain, &to(expected), &options);
                assert_eq!(result.ok, same, "{ended_at} vs {expected}: {result:?}");
            }
        }
    }

    #[test]
    fn the_rows_columns_win_over_the_flags() {
        let chain = ended(vec![
            hop(1, "https://a.test/1", 301, Some("/2")),
            hop(2, "https://a.test/2", 301, Some("/3")),
            hop(3, "https://a.test/3", 410, None),
        ]);
        let flags = VerdictOptions {
            max_hops: Some(1),
            final_status: Some(200),
            ..VerdictOptions::default()
        };
        assert_eq!(
            judge(&chain, &RowExpect::default(), &flags).kind,
            ResultKind::Chain
        );
        let row = RowExpect {
            max_hops: Some(2),
            final_status: Some(410),
            ..RowExpect::default()
        };
        assert!(judge(&chain, &row, &flags).ok);
        assert_eq!(effective(&RowExpect::default(), &flags).max_hops, Some(1));
    }

    #[test]
    fn an_hsts_upgrade_is_not_the_first_answer_nor_a_redirect() {
        let mut upgrade = hop(1, "http://a.test/old", 307, Some("https://a.test/old"));
        upgrade.synthetic = true;
        let chain = ended(vec![
            upgrade,
            hop(2, "https://a.test/old", 301, Some("/new")),
            hop(3, "https://a.test/new", 200, None),
        ]);
        let expect = with(to("https://a.test/new"), |e| {
            e.status = Some(301);
            e.max_hops = Some(1);
        });
        let result = judge(&chain, &expect, &VerdictOptions::default());
        assert!(result.ok, "{result:?}");
    }

    #[test]
    fn passwords_in_urls_are_masked_in_messages() {
        let chain = ended(vec![
            hop(
                1,
                "https://a.test/old",
                301,
                Some("https://u:secret@b.test/"),
            ),
            hop(2, "https://u:secret@b.test/", 200, None),
        ]);
        let result = judge(
            &chain,
            &to("https://u:other@c.test/"),
            &VerdictOptions::default(),
        );
        assert_eq!(
            result.broken,
            ["expected to end at https://u:****@c.test/, ended at https://u:****@b.test/"]
        );
    }
}
