//! Assertions on a finished chain (`--expect-*`, `-f`): pure functions from a [`Chain`] to
//! check results, each with expected and actual values and the hop where they differ.
//!
//! Checks compare the real URLs, but the texts they produce are shown as they are (text, stderr,
//! JSON), so URL passwords in `expected` and `actual` are redacted like everywhere else.

use url::Url;

use crate::model::{Chain, CheckResult, Outcome, Redactor};

/// The checks the user asked for, already validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checks {
    pub status: Option<u16>,
    /// `--expect-url`: absolute, or relative to the URL each chain starts at.
    pub url: Option<ExpectedTarget>,
    pub redirects: Option<usize>,
    pub chain: Option<Vec<u16>>,
    /// (hop number, expected resolved target)
    pub locations: Vec<(usize, ExpectedTarget)>,
    pub no_downgrade: bool,
    /// `-f/--fail`: the final status is below 400.
    pub fail_on_http_error: bool,
}

impl Checks {
    pub fn is_empty(&self) -> bool {
        *self == Checks::default()
    }
}

const NONE: &str = "none";

/// Evaluates `checks`; `redactor` decides how URLs appear in `expected` and `actual`.
pub fn evaluate(chain: &Chain, checks: &Checks, redactor: Redactor) -> Vec<CheckResult> {
    let mut results = Vec::new();
    let final_hop = chain.final_response();
    let final_status = final_hop.map_or(NONE.to_owned(), |hop| hop.status.to_string());
    // Where a check on the final response points: the final hop, or where the chain broke.
    let final_or_break = final_hop
        .map(|hop| hop.index)
        .or(chain.outcome.error().map(|e| e.hop));
    let broke_at = chain.outcome.error().map(|e| e.hop);

    if let Some(expected) = checks.status {
        results.push(CheckResult {
            check: "expect-status",
            expected: expected.to_string(),
            ok: final_hop.is_some_and(|hop| hop.status == expected),
            actual: final_status.clone(),
            hop: final_or_break,
        });
    }
    if let Some(target) = &checks.url {
        let actual = final_hop.map(|hop| hop.url.clone());
        // A relative expectation (`/new`) is relative to the URL the chain started at.
        let expected = target.resolve(Some(&chain.request.url));
        let ok = match (&actual, &expected) {
            (Some(actual), Ok(expected)) => actual == expected,
            _ => false,
        };
        results.push(CheckResult {
            check: "expect-url",
            expected: match &expected {
                Ok(url) => redactor.url(url),
                Err(reference) => redactor.text(reference),
            },
            ok,
            actual: actual.map_or_else(|| NONE.to_owned(), |url| redactor.url(&url)),
            hop: final_or_break,
        });
    }
    if let Some(expected) = checks.redirects {
        let actual = chain.redirects();
        let ok = chain.outcome.is_final() && actual == expected;
        // One redirect too many shows at hop expected + 1; one too few at the final hop.
        let differs_at = (!ok).then(|| broke_at.unwrap_or(expected.min(actual) + 1));
        results.push(CheckResult {
            check: "expect-redirects",
            expected: expected.to_string(),
            actual: format!("{actual}{}", then_stopped(chain)),
            ok,
            hop: differs_at,
        });
    }
    if let Some(expected) = &checks.chain {
        let actual: Vec<u16> = chain.hops.iter().map(|hop| hop.status).collect();
        let differs_at = expected
            .iter()
            .zip(&actual)
            .position(|(e, a)| e != a)
            .or((expected.len() != actual.len()).then(|| expected.len().min(actual.len())));
        results.push(CheckResult {
            check: "expect-chain",
            expected: join(expected),
            actual: if actual.is_empty() {
                format!("{NONE}{}", then_stopped(chain))
            } else {
                format!("{}{}", join(&actual), then_stopped(chain))
            },
            ok: chain.outcome.is_final() && differs_at.is_none(),
            hop: differs_at.map(|i| i + 1).or(broke_at),
        });
    }
    for (index, target) in &checks.locations {
        let hop = chain.hops.get(index.wrapping_sub(1));
        let actual = hop
            .and_then(|hop| hop.next.as_ref())
            .map(|next| next.url.clone());
        let expected = target.resolve(hop.map(|hop| &hop.url));
        let ok = match (&actual, &expected) {
            (Some(actual), Ok(expected)) => actual == expected,
            _ => false,
        };
        let expected = match expected {
            Ok(url) => redactor.url(&url),
            Err(reference) => redactor.text(&reference),
        };
        results.push(CheckResult {
            check: "expect-location",
            expected: format!("{index}={expected}"),
            ok,
            actual: format!(
                "{index}={}",
                actual.map_or_else(|| NONE.to_owned(), |url| redactor.url(&url))
            ),
            hop: Some(*index),
        });
    }
    if checks.no_downgrade {
        let downgrade = chain.hops.iter().find(|hop| {
            hop.url.scheme() == "https"
                && hop
                    .next
                    .as_ref()
                    .is_some_and(|next| next.url.scheme() == "http")
        });
        results.push(CheckResult {
            check: "expect-no-downgrade",
            expected: "no https → http hop".to_owned(),
            actual: downgrade.map_or("none".to_owned(), |hop| {
                format!(
                    "a redirect from https to {}",
                    hop.next
                        .as_ref()
                        .map_or(String::new(), |n| redactor.url(&n.url))
                )
            }),
            ok: downgrade.is_none(),
            hop: downgrade.map(|hop| hop.index),
        });
    }
    if checks.fail_on_http_error {
        results.push(CheckResult {
            check: "fail",
            expected: "final status below 400".to_owned(),
            ok: final_hop.is_some_and(|hop| hop.status < 400),
            actual: final_status,
            hop: final_or_break,
        });
    }
    results
}

/// How a broken chain ended, after the statuses or redirects it got to, so that a check failed
/// by a broken chain never reads "expected 2, got 2".
fn then_stopped(chain: &Chain) -> &'static str {
    match chain.outcome {
        Outcome::Final => "",
        Outcome::Loop(_) => ", then a redirect loop",
        Outcome::TooManyRedirects { .. } => ", then too many redirects",
        Outcome::BadLocation { .. } => ", then a Location that cannot be followed",
        Outcome::NetworkError { .. } => ", then a network error",
        Outcome::Interrupted { .. } => ", then the run was interrupted",
    }
}

fn join(statuses: &[u16]) -> String {
    statuses
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// The URL `--expect-location N=URL` expects hop N to redirect to: absolute, or relative to hop
/// N's own URL as a `Location` would be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExpectedTarget {
    Absolute(Url),
    Relative(String),
}

impl ExpectedTarget {
    /// Absolute when it has a scheme (`https://...`), else a reference such as `/new` or `?q=1`.
    pub fn parse(text: &str) -> Result<ExpectedTarget, String> {
        if text.contains("://") {
            Url::parse(text)
                .map(ExpectedTarget::Absolute)
                .map_err(|err| format!("--expect-location: invalid URL {text:?}: {err}"))
        } else if text.is_empty() {
            Err("--expect-location: the URL is empty".to_owned())
        } else {
            Ok(ExpectedTarget::Relative(text.to_owned()))
        }
    }

    /// The absolute URL expected from hop `base`; a relative one stays as typed (`Err`) when
    /// hop N does not exist.
    fn resolve(&self, base: Option<&Url>) -> Result<Url, String> {
        match self {
            ExpectedTarget::Absolute(url) => Ok(url.clone()),
            ExpectedTarget::Relative(reference) => base
                .and_then(|base| base.join(reference).ok())
                .ok_or_else(|| reference.clone()),
        }
    }
}

/// The statuses a check may name: RFC 9110 §15 defines 100 to 599.
pub const STATUS_CODES: std::ops::RangeInclusive<u16> = 100..=599;

/// Parses `--expect-chain 301,302,200`.
pub fn parse_chain(text: &str) -> Result<Vec<u16>, String> {
    text.split(',')
        .map(|part| {
            let part = part.trim();
            part.parse::<u16>()
                .ok()
                .filter(|s| STATUS_CODES.contains(s))
                .ok_or_else(|| {
                    format!(
                        "--expect-chain: {part:?} is not a status code (expected e.g. 301,302,200)"
                    )
                })
        })
        .collect()
}

/// Parses `--expect-location N=URL`.
pub fn parse_location(text: &str) -> Result<(usize, String), String> {
    let bad =
        || format!("--expect-location: expected N=URL (hop number, resolved target), not {text:?}");
    let (index, url) = text.split_once('=').ok_or_else(bad)?;
    let index: usize = index
        .trim()
        .parse()
        .ok()
        .filter(|i| *i >= 1)
        .ok_or_else(bad)?;
    Ok((index, url.trim().to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::{self, chain, hop};

    fn sample() -> Chain {
        chain(
            vec![
                hop(1, "https://a.test/old", 301, Some("http://a.test/new")),
                hop(2, "http://a.test/new", 302, Some("http://a.test/final")),
                hop(3, "http://a.test/final", 200, None),
            ],
            Outcome::Final,
        )
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn passing_and_failing_checks() {
        let checks = Checks {
            status: Some(200),
            url: Some(ExpectedTarget::Absolute(url("http://a.test/final"))),
            redirects: Some(2),
            chain: Some(vec![301, 302, 200]),
            locations: vec![
                (1, ExpectedTarget::Absolute(url("http://a.test/new"))),
                (2, ExpectedTarget::Absolute(url("http://a.test/other"))),
                // Relative to hop 2's own URL, as a Location would be.
                (2, ExpectedTarget::Relative("/final".into())),
            ],
            no_downgrade: true,
            fail_on_http_error: true,
        };
        let results = evaluate(&sample(), &checks, Redactor::default());
        let summary: Vec<(&str, bool, Option<usize>)> =
            results.iter().map(|r| (r.check, r.ok, r.hop)).collect();
        assert_eq!(
            summary,
            [
                ("expect-status", true, Some(3)),
                ("expect-url", true, Some(3)),
                ("expect-redirects", true, None),
                ("expect-chain", true, None),
                ("expect-location", true, Some(1)),
                ("expect-location", false, Some(2)),
                ("expect-location", true, Some(2)),
                ("expect-no-downgrade", false, Some(1)),
                ("fail", true, Some(3)),
            ]
        );
        assert_eq!(results[5].actual, "2=http://a.test/final");
    }

    #[test]
    fn chain_mismatch_names_first_differing_hop() {
        let checks = |statuses: Vec<u16>| Checks {
            chain: Some(statuses),
            ..Checks::default()
        };
        let result =
            |statuses| evaluate(&sample(), &checks(statuses), Redactor::default()).remove(0);
        assert_eq!(result(vec![301, 301, 200]).hop, Some(2));
        assert_eq!(result(vec![301, 302]).hop, Some(3));
        assert_eq!(result(vec![301, 302, 200, 200]).hop, Some(4));
        assert_eq!(result(vec![301, 302, 200]).actual, "301,302,200");
    }

    #[test]
    fn broken_chain_fails_checks_on_final_response() {
        let looped = testing::looped(
            vec![hop(1, "http://a.test/", 302, Some("http://a.test/"))],
            1,
        );
        let checks = Checks {
            status: Some(200),
            fail_on_http_error: true,
            redirects: Some(1),
            ..Checks::default()
        };
        let results = evaluate(&looped, &checks, Redactor::default());
        assert!(results.iter().all(|r| !r.ok));
        assert_eq!(results[0].actual, "none");
    }

    #[test]
    fn every_failed_check_names_a_hop() {
        let redirects = |expected| Checks {
            redirects: Some(expected),
            ..Checks::default()
        };
        // Two redirects happened: one too many shows at hop 2, one too few at the final hop 3.
        assert_eq!(
            evaluate(&sample(), &redirects(1), Redactor::default())[0].hop,
            Some(2)
        );
        assert_eq!(
            evaluate(&sample(), &redirects(3), Redactor::default())[0].hop,
            Some(3)
        );
        assert_eq!(
            evaluate(&sample(), &redirects(2), Redactor::default())[0].hop,
            None
        );

        // A broken chain: checks on the final response point at the hop where it broke.
        let looped = testing::looped(
            vec![
                hop(1, "http://a.test/", 302, Some("http://a.test/b")),
                hop(2, "http://a.test/b", 302, Some("http://a.test/")),
            ],
            1,
        );
        let checks = Checks {
            status: Some(200),
            url: Some(ExpectedTarget::Absolute(url("http://a.test/b"))),
            redirects: Some(2),
            chain: Some(vec![302, 302]),
            fail_on_http_error: true,
            ..Checks::default()
        };
        let results = evaluate(&looped, &checks, Redactor::default());
        let summary: Vec<(&str, bool, Option<usize>, &str)> = results
            .iter()
            .map(|r| (r.check, r.ok, r.hop, r.actual.as_str()))
            .collect();
        assert_eq!(
            summary,
            [
                ("expect-status", false, Some(3), "none"),
                ("expect-url", false, Some(3), "none"),
                (
                    "expect-redirects",
                    false,
                    Some(3),
                    "2, then a redirect loop"
                ),
                (
                    "expect-chain",
                    false,
                    Some(3),
                    "302,302, then a redirect loop"
                ),
                ("fail", false, Some(3), "none"),
            ]
        );
    }

    #[test]
    fn url_passwords_are_redacted_in_results() {
        let chain = chain(
            vec![
                hop(
                    1,
                    "https://u:pw@a.test/",
                    302,
                    Some("http://u:pw@a.test/next"),
                ),
                hop(2, "http://u:pw@a.test/next", 200, None),
            ],
            Outcome::Final,
        );
        let checks = Checks {
            url: Some(ExpectedTarget::Absolute(url("http://u:pw@a.test/next"))),
            locations: vec![(
                1,
                ExpectedTarget::Absolute(url("http://u:typo@a.test/next")),
            )],
            no_downgrade: true,
            ..Checks::default()
        };
        let results = evaluate(&chain, &checks, Redactor::default());
        let shown: Vec<(bool, &str, &str)> = results
            .iter()
            .map(|r| (r.ok, r.expected.as_str(), r.actual.as_str()))
            .collect();
        assert_eq!(
            shown,
            [
                // Compared on the real URL, shown redacted.
                (
                    true,
                    "http://u:****@a.test/next",
                    "http://u:****@a.test/next"
                ),
                (
                    false,
                    "1=http://u:****@a.test/next",
                    "1=http://u:****@a.test/next"
                ),
                (
                    false,
                    "no https → http hop",
                    "a redirect from https to http://u:****@a.test/next"
                ),
            ]
        );
        let shown = evaluate(&chain, &checks, Redactor { show_secrets: true });
        assert_eq!(shown[0].actual, "http://u:pw@a.test/next");
    }

    #[test]
    fn a_relative_expected_url_is_relative_to_the_start() {
        let checks = Checks {
            url: Some(ExpectedTarget::Relative("/final".into())),
            ..Checks::default()
        };
        let plain = chain(
            vec![
                hop(1, "http://a.test/old", 301, Some("/final")),
                hop(2, "http://a.test/final", 200, None),
            ],
            Outcome::Final,
        );
        let result = evaluate(&plain, &checks, Redactor::default()).remove(0);
        assert_eq!(
            (result.ok, result.expected.as_str()),
            (true, "http://a.test/final")
        );
        // The sample starts at https: the same expectation means https there.
        let result = evaluate(&sample(), &checks, Redactor::default()).remove(0);
        assert_eq!(
            (result.ok, result.expected.as_str()),
            (false, "https://a.test/final")
        );
    }

    #[test]
    fn argument_parsing() {
        assert_eq!(parse_chain("301, 302,200"), Ok(vec![301, 302, 200]));
        assert!(parse_chain("301,x").is_err());
        assert!(parse_chain("").is_err());
        assert!(parse_chain("301,99").is_err());
        assert!(parse_chain("301,600").is_err());
        assert_eq!(
            parse_location("2=http://a.test/"),
            Ok((2, "http://a.test/".to_owned()))
        );
        assert!(parse_location("0=http://a.test/").is_err());
        assert!(parse_location("http://a.test/").is_err());
    }
}
