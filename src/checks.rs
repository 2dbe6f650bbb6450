//! Assertions on a finished chain (`--expect-*`, `-f`): pure functions from a [`Chain`] to
//! check results, each with expected and actual values and the hop where they differ.

use serde::Serialize;
use url::Url;

use crate::record::{Chain, Outcome};

/// The checks the user asked for, already validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Checks {
    pub status: Option<u16>,
    pub url: Option<Url>,
    pub redirects: Option<usize>,
    pub chain: Option<Vec<u16>>,
    /// (hop number, expected resolved target)
    pub locations: Vec<(usize, Url)>,
    pub no_downgrade: bool,
    /// `-f/--fail`: the final status is below 400.
    pub fail_on_http_error: bool,
}

impl Checks {
    pub fn is_empty(&self) -> bool {
        *self == Checks::default()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// The flag's name without dashes: `expect-status`, `fail`, ...
    pub check: &'static str,
    pub expected: String,
    pub actual: String,
    pub ok: bool,
    /// The hop where expected and actual part ways, when there is one.
    pub hop: Option<usize>,
}

const NONE: &str = "none";

pub fn evaluate(chain: &Chain, checks: &Checks) -> Vec<CheckResult> {
    let mut results = Vec::new();
    let final_hop = chain
        .last_response()
        .filter(|_| chain.outcome == Outcome::Ok);
    let final_status = final_hop.map_or(NONE.to_owned(), |hop| hop.status.to_string());

    if let Some(expected) = checks.status {
        results.push(CheckResult {
            check: "expect-status",
            expected: expected.to_string(),
            ok: final_hop.is_some_and(|hop| hop.status == expected),
            actual: final_status.clone(),
            hop: final_hop
                .map(|hop| hop.index)
                .or(chain.error.as_ref().map(|e| e.hop)),
        });
    }
    if let Some(expected) = &checks.url {
        let actual = final_hop.map(|hop| hop.url.clone());
        results.push(CheckResult {
            check: "expect-url",
            expected: expected.to_string(),
            ok: actual.as_deref() == Some(expected.as_str()),
            actual: actual.unwrap_or_else(|| NONE.to_owned()),
            hop: final_hop.map(|hop| hop.index),
        });
    }
    if let Some(expected) = checks.redirects {
        let actual = chain.redirects();
        results.push(CheckResult {
            check: "expect-redirects",
            expected: expected.to_string(),
            actual: actual.to_string(),
            ok: chain.outcome == Outcome::Ok && actual == expected,
            hop: None,
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
                NONE.to_owned()
            } else {
                join(&actual)
            },
            ok: chain.outcome == Outcome::Ok && differs_at.is_none(),
            hop: differs_at.map(|i| i + 1),
        });
    }
    for (index, expected) in &checks.locations {
        let actual = chain
            .hops
            .get(index.wrapping_sub(1))
            .and_then(|hop| hop.next.as_ref())
            .map(|next| next.url.clone());
        results.push(CheckResult {
            check: "expect-location",
            expected: format!("{index}={expected}"),
            ok: actual.as_deref() == Some(expected.as_str()),
            actual: format!("{index}={}", actual.as_deref().unwrap_or(NONE)),
            hop: Some(*index),
        });
    }
    if checks.no_downgrade {
        let downgrade = chain.hops.iter().find(|hop| {
            hop.url.starts_with("https:")
                && hop
                    .next
                    .as_ref()
                    .is_some_and(|next| next.url.starts_with("http:"))
        });
        results.push(CheckResult {
            check: "expect-no-downgrade",
            expected: "no https → http hop".to_owned(),
            actual: downgrade.map_or("none".to_owned(), |hop| {
                format!(
                    "hop {} goes from https to {}",
                    hop.index,
                    hop.next.as_ref().map_or("", |n| n.url.as_str())
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
            hop: final_hop.map(|hop| hop.index),
        });
    }
    results
}

fn join(statuses: &[u16]) -> String {
    statuses
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// Parses `--expect-chain 301,302,200`.
pub fn parse_chain(text: &str) -> Result<Vec<u16>, String> {
    text.split(',')
        .map(|part| {
            let part = part.trim();
            part.parse::<u16>()
                .ok()
                .filter(|s| (100..=999).contains(s))
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
    use crate::record::testing::{chain, hop};

    fn sample() -> Chain {
        chain(
            vec![
                hop(1, "https://a.test/old", 301, Some("http://a.test/new")),
                hop(2, "http://a.test/new", 302, Some("http://a.test/final")),
                hop(3, "http://a.test/final", 200, None),
            ],
            Outcome::Ok,
        )
    }

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn passing_and_failing_checks() {
        let checks = Checks {
            status: Some(200),
            url: Some(url("http://a.test/final")),
            redirects: Some(2),
            chain: Some(vec![301, 302, 200]),
            locations: vec![
                (1, url("http://a.test/new")),
                (2, url("http://a.test/other")),
            ],
            no_downgrade: true,
            fail_on_http_error: true,
        };
        let results = evaluate(&sample(), &checks);
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
        let result = |statuses| evaluate(&sample(), &checks(statuses)).remove(0);
        assert_eq!(result(vec![301, 301, 200]).hop, Some(2));
        assert_eq!(result(vec![301, 302]).hop, Some(3));
        assert_eq!(result(vec![301, 302, 200, 200]).hop, Some(4));
        assert_eq!(result(vec![301, 302, 200]).actual, "301,302,200");
    }

    #[test]
    fn broken_chain_fails_checks_on_final_response() {
        let looped = chain(
            vec![hop(1, "http://a.test/", 302, Some("http://a.test/"))],
            Outcome::Loop,
        );
        let checks = Checks {
            status: Some(200),
            fail_on_http_error: true,
            redirects: Some(1),
            ..Checks::default()
        };
        let results = evaluate(&looped, &checks);
        assert!(results.iter().all(|r| !r.ok));
        assert_eq!(results[0].actual, "none");
    }

    #[test]
    fn argument_parsing() {
        assert_eq!(parse_chain("301, 302,200"), Ok(vec![301, 302, 200]));
        assert!(parse_chain("301,x").is_err());
        assert!(parse_chain("").is_err());
        assert_eq!(
            parse_location("2=http://a.test/"),
            Ok((2, "http://a.test/".to_owned()))
        );
        assert!(parse_location("0=http://a.test/").is_err());
        assert!(parse_location("http://a.test/").is_err());
    }
}
