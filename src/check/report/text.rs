//! The terminal's report: one line per row as its result arrives, then a [`Summary`] of the
//! whole run. Colours come from `colored`, whose global override the caller sets.

use std::collections::HashMap;
use std::io::{self, Write};
use std::time::Duration;

use colored::Colorize;
use url::Url;

use super::{final_answer, statuses};
use crate::model::{Chain, Redactor, ResultKind, Row, RowResult, millis, plural};
use crate::render::escape::shown;

/// Every kind, in the order of the enum: the order counts are shown in.
pub const KINDS: [ResultKind; 14] = [
    ResultKind::NetworkError,
    ResultKind::Timeout,
    ResultKind::Blocked,
    ResultKind::BadLocation,
    ResultKind::Loop,
    ResultKind::TooManyRedirects,
    ResultKind::Downgrade,
    ResultKind::NotRedirected,
    ResultKind::UnexpectedRedirect,
    ResultKind::WrongStatus,
    ResultKind::WrongTarget,
    ResultKind::Chain,
    ResultKind::BrokenFinal,
    ResultKind::Ok,
];

/// How many hosts are counted apart; failures on hosts beyond are counted together, so that a
/// map over a million hosts does not keep a million counters.
pub const MAX_HOSTS: usize = 1000;

/// How many hosts, and slowest rows, the summary shows.
const SHOWN_HOSTS: usize = 10;
const SLOWEST: usize = 5;

/// Redirect counts from 0 to this are counted apart; more are counted together.
pub const HISTOGRAM_MAX: usize = 10;

/// One row's line: `✗ 12 https://a.test/old  302 › 200  https://a.test/new  wrong_status: ...`.
/// The chain's final URL is `-` when it broke before an answer.
pub fn line(
    out: &mut dyn Write,
    row: &Row,
    result: &RowResult,
    chain: &Chain,
    redactor: Redactor,
) -> io::Result<()> {
    let mark = if result.ok {
        "✓".green()
    } else {
        "✗".red()
    };
    let sequence = match statuses(chain, " › ") {
        empty if empty.is_empty() => "-".to_owned(),
        sequence => sequence,
    };
    let ended_at = final_answer(chain, redactor).map_or_else(|| "-".to_owned(), |(_, url)| url);
    write!(
        out,
        "{mark} {} {}  {sequence}  {}  {}",
        row.line,
        shown(&redactor.url(&row.source)),
        shown(&ended_at),
        result.kind.as_str()
    )?;
    if !result.ok {
        write!(out, ": {}", shown(&result.message()))?;
    }
    writeln!(out)
}

/// What the end of a run says about all of its rows. Constant memory: counters, at most
/// [`MAX_HOSTS`] hosts and the five slowest rows.
#[derive(Debug, Clone, Default)]
pub struct Summary {
    counts: [u64; KINDS.len()],
    hosts: HashMap<String, u64>,
    /// Failures on hosts past [`MAX_HOSTS`].
    other_hosts: u64,
    /// Rows by redirects followed: 0 to [`HISTOGRAM_MAX`], then more.
    histogram: [u64; HISTOGRAM_MAX + 2],
    /// Slowest first.
    slowest: Vec<Slow>,
}

/// One of the slowest rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slow {
    pub time: Duration,
    pub line: usize,
    pub source: Url,
}

impl Summary {
    pub fn add(&mut self, row: &Row, result: &RowResult, chain: &Chain) {
        self.counts[result.kind as usize] += 1;
        if !result.ok {
            let host = row.source.host_str().unwrap_or("-");
            if let Some(count) = self.hosts.get_mut(host) {
                *count += 1;
            } else if self.hosts.len() < MAX_HOSTS {
                self.hosts.insert(host.to_owned(), 1);
            } else {
                self.other_hosts += 1;
            }
        }
        self.histogram[chain.redirects().min(HISTOGRAM_MAX + 1)] += 1;
        // Ties keep the earlier row: only a strictly slower one gets in.
        let at = self.slowest.partition_point(|slow| slow.time >= chain.time);
        if at < SLOWEST {
            self.slowest.insert(
                at,
                Slow {
                    time: chain.time,
                    line: row.line,
                    source: row.source.clone(),
                },
            );
            self.slowest.truncate(SLOWEST);
        }
    }

    pub fn rows(&self) -> u64 {
        self.counts.iter().sum()
    }

    pub fn count(&self, kind: ResultKind) -> u64 {
        self.counts[kind as usize]
    }

    pub fn failed(&self) -> u64 {
        self.rows() - self.count(ResultKind::Ok)
    }

    /// The kinds that some row got, with their counts, in the order of the kinds.
    pub fn counts(&self) -> impl Iterator<Item = (ResultKind, u64)> + '_ {
        KINDS
            .iter()
            .map(|&kind| (kind, self.count(kind)))
            .filter(|&(_, count)| count > 0)
    }

    /// Hosts by failures, most first (then by name), and the failures on hosts not counted apart.
    pub fn failing_hosts(&self) -> (Vec<(&str, u64)>, u64) {
        let mut hosts: Vec<(&str, u64)> = self
            .hosts
            .iter()
            .map(|(host, &count)| (host.as_str(), count))
            .collect();
        hosts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        (hosts, self.other_hosts)
    }

    /// Rows by redirects followed, from 0; the last count is of rows with more than
    /// [`HISTOGRAM_MAX`].
    pub fn histogram(&self) -> &[u64] {
        &self.histogram
    }

    pub fn slowest(&self) -> &[Slow] {
        &self.slowest
    }

    /// `3 rows: 2 ok, 1 failed`: the first line of the text and Markdown summaries.
    pub fn tally(&self) -> String {
        format!(
            "{}: {} ok, {} failed",
            plural(self.rows(), "row"),
            self.count(ResultKind::Ok),
            self.failed()
        )
    }

    /// The end of the text report: counts per kind, the hosts with most failures, redirects per
    /// row and the slowest rows.
    pub fn render(&self, out: &mut dyn Write, redactor: Redactor) -> io::Result<()> {
        let tally = self.tally();
        if self.failed() == 0 {
            writeln!(out, "{}", tally.green())?;
        } else {
            writeln!(out, "{}", tally.red())?;
        }
        for (kind, count) in self.counts().filter(|(kind, _)| *kind != ResultKind::Ok) {
            writeln!(out, "  {:<20}{count:>8}", kind.as_str())?;
        }
        let (hosts, other) = self.failing_hosts();
        if !hosts.is_empty() {
            writeln!(out, "failures by host:")?;
            for (host, count) in hosts.iter().take(SHOWN_HOSTS) {
                writeln!(out, "  {:<40}{count:>8}", shown(host))?;
            }
            let rest: u64 = hosts.iter().skip(SHOWN_HOSTS).map(|(_, c)| c).sum::<u64>() + other;
            if rest > 0 {
                writeln!(out, "  {:<40}{rest:>8}", "other hosts")?;
            }
        }
        writeln!(out, "redirects per row:")?;
        for (redirects, &count) in self.histogram.iter().enumerate() {
            if count == 0 {
                continue;
            }
            let label = if redirects > HISTOGRAM_MAX {
                format!("more than {HISTOGRAM_MAX}")
            } else {
                redirects.to_string()
            };
            writeln!(out, "  {label:<20}{count:>8}")?;
        }
        if !self.slowest.is_empty() {
            writeln!(out, "slowest:")?;
            for slow in &self.slowest {
                writeln!(
                    out,
                    "  {:>12} ms  line {}  {}",
                    format!("{:.3}", millis(slow.time)),
                    slow.line,
                    shown(&redactor.url(&slow.source))
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::check::verdict::{VerdictOptions, judge};
    use crate::model::testing::{chain, hop};
    use crate::model::{NetworkErrorKind, Outcome, RowExpect};

    /// A row of `file.csv` at `line` from `source`, expecting `target`.
    pub fn row(line: usize, source: &str, target: Option<&str>) -> Row {
        Row {
            file: "map.csv".into(),
            line,
            source: Url::parse(source).unwrap(),
            expect: RowExpect {
                target: target.map(|t| Url::parse(t).unwrap()),
                ..RowExpect::default()
            },
            target_at: None,
        }
    }

    /// Three judged rows: a pass, a wrong target, a network error.
    pub fn sample() -> Vec<(Row, RowResult, Chain)> {
        let moved = || {
            chain(
                vec![
                    hop(1, "https://a.test/old", 301, Some("/new")),
                    hop(2, "https://a.test/new", 200, None),
                ],
                Outcome::Final,
            )
        };
        let refused = chain(
            vec![hop(1, "https://b.test/x", 302, Some("https://c.test/"))],
            Outcome::NetworkError {
                hop: 2,
                kind: NetworkErrorKind::Connect,
                message: "connection refused".into(),
            },
        );
        let rows = vec![
            (
                row(2, "https://a.test/old", Some("https://a.test/new")),
                moved(),
            ),
            (
                row(3, "https://a.test/old", Some("https://a.test/else")),
                moved(),
            ),
            (row(4, "https://b.test/x", None), refused),
        ];
        rows.into_iter()
            .map(|(row, chain)| {
                let result = judge(&chain, &row.expect, &VerdictOptions::default());
                (row, result, chain)
            })
            .collect()
    }

    /// A server's text that would act on a terminal: clear screen, bell, CSI, bidi override.
    pub const HOSTILE: &str = "\x1b[2J\x07\u{9b}31m\u{202e}";

    #[test]
    fn one_line_per_row() {
        colored::control::set_override(false);
        let mut out = Vec::new();
        for (row, result, chain) in sample() {
            line(&mut out, &row, &result, &chain, Redactor::default()).unwrap();
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "✓ 2 https://a.test/old  301 › 200  https://a.test/new  ok\n\
             ✗ 3 https://a.test/old  301 › 200  https://a.test/new  wrong_target: expected to end at https://a.test/else, ended at https://a.test/new\n\
             ✗ 4 https://b.test/x  302  -  network_error: network error at hop 2: connection refused\n"
        );
    }

    #[test]
    fn server_text_is_escaped() {
        colored::control::set_override(false);
        let (row, mut result, chain) = sample().remove(2);
        result.broken = vec![format!("network error at hop 2: {HOSTILE}")];
        let mut out = Vec::new();
        line(&mut out, &row, &result, &chain, Redactor::default()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.ends_with("hop 2: \\x1b[2J\\x07\\u{9b}31m\\u{202e}\n"),
            "{text}"
        );
    }

    #[test]
    fn the_summary_counts_in_bounded_memory() {
        colored::control::set_override(false);
        let mut summary = Summary::default();
        for (i, (row, result, mut chain)) in sample().into_iter().cycle().take(9).enumerate() {
            chain.time = Duration::from_millis(i as u64 % 7);
            summary.add(&row, &result, &chain);
        }
        assert_eq!((summary.rows(), summary.failed()), (9, 6));
        assert_eq!(
            summary.counts().collect::<Vec<_>>(),
            [
                (ResultKind::NetworkError, 3),
                (ResultKind::WrongTarget, 3),
                (ResultKind::Ok, 3)
            ]
        );
        let slowest: Vec<(u64, usize)> = summary
            .slowest()
            .iter()
            .map(|s| (s.time.as_millis() as u64, s.line))
            .collect();
        // Times 0..=6 then 0, 1: the 6, 5, 4, 3 and the first 2.
        assert_eq!(slowest, [(6, 2), (5, 4), (4, 3), (3, 2), (2, 4)]);
        let mut out = Vec::new();
        summary.render(&mut out, Redactor::default()).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "9 rows: 3 ok, 6 failed\n\
             \x20 network_error              3\n\
             \x20 wrong_target               3\n\
             failures by host:\n\
             \x20 a.test                                         3\n\
             \x20 b.test                                         3\n\
             redirects per row:\n\
             \x20 1                          9\n\
             slowest:\n\
             \x20        6.000 ms  line 2  https://a.test/old\n\
             \x20        5.000 ms  line 4  https://b.test/x\n\
             \x20        4.000 ms  line 3  https://a.test/old\n\
             \x20        3.000 ms  line 2  https://a.test/old\n\
             \x20        2.000 ms  line 4  https://b.test/x\n"
        );
    }

    #[test]
    fn hosts_past_the_limit_are_counted_together() {
        let (_, result, chain) = sample().remove(1);
        let mut summary = Summary::default();
        for i in 0..MAX_HOSTS + 3 {
            let row = row(i, &format!("https://h{i}.test/"), None);
            summary.add(&row, &result, &chain);
        }
        let (hosts, other) = summary.failing_hosts();
        assert_eq!((hosts.len(), other), (MAX_HOSTS, 3));
        assert_eq!(summary.histogram()[1], MAX_HOSTS as u64 + 3);
    }
}
