//! `hops check --lint`: a redirect map judged on its own, without a single request: chains
//! inside the map, cycles, a source sent to two places, self-redirects, and temporary statuses
//! in a map of permanent ones; each finding typed, with its lines, its URLs and a fix.
//!
//! Pure: [`lint`] reads rows and returns findings, [`render`] writes them one a line. URLs are
//! compared as the verdict compares targets ([`verdict::comparable`]), so `--ignore-slash` and
//! `--ignore-query` apply. Only redirect rows are linted: a row with a target and a redirect
//! status (or none); URL lists, sitemaps and rewrites have nothing to lint. When a source
//! appears twice, the first row is the one a server applies: later rows only conflict with it.
//!
//! Temporary statuses: with `--permanent` every 302, 303 and 307 row is reported; without it,
//! they are reported only when the rows that give a redirect status are mostly (more than half)
//! 301 or 308, since a map that is mostly temporary is temporary on purpose.
//!
//! Memory: one entry per redirect row and one map from source to its first row.

use std::collections::HashMap;
use std::io::{self, Write};

use url::Url;

use super::verdict::{self, PERMANENT, VerdictOptions};
use crate::model::{Redactor, Row};
use crate::redirect::status::is_followed_status;
use crate::render::escape::{escape, shown};

/// What a finding is about, in the order findings on the same line are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LintKind {
    SelfRedirect,
    Cycle,
    Conflict,
    Chain,
    Temporary,
}

impl LintKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LintKind::SelfRedirect => "self_redirect",
            LintKind::Cycle => "cycle",
            LintKind::Conflict => "conflict",
            LintKind::Chain => "chain",
            LintKind::Temporary => "temporary",
        }
    }
}

/// A row of a map: its file as given and its line there.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Place {
    pub file: String,
    pub line: usize,
}

/// One row of a cycle: where it is and what it redirects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub at: Place,
    pub source: Url,
    pub target: Url,
}

/// Where a chain inside the map ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum End {
    /// At this URL, which no row redirects.
    At(Url),
    /// Nowhere: it runs into the cycle (or self-redirect) reported at this row.
    Loops(Place),
}

/// What is wrong, with the URLs and other rows involved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The row redirects its source to itself.
    SelfRedirect { source: Url },
    /// Every row of the cycle, from the first in the map, each redirecting to the next.
    Cycle { steps: Vec<Step> },
    /// The row's source was already sent elsewhere by an earlier row.
    Conflict {
        source: Url,
        target: Url,
        first: Place,
        first_target: Url,
    },
    /// The row's target is the source of another row (`next`), so the redirect takes two hops
    /// or more: the source should point straight at `end`.
    Chain {
        source: Url,
        target: Url,
        next: Place,
        next_target: Url,
        end: End,
    },
    /// A temporary status in a map of permanent redirects (or under `--permanent`).
    Temporary {
        source: Url,
        target: Url,
        status: u16,
        /// `--permanent` asked for it, rather than the rest of the map.
        by_flag: bool,
        /// Rows giving 301 or 308, of `with_status` rows giving a redirect status.
        permanent: usize,
        with_status: usize,
    },
}

/// One finding: reported at `at` (for a cycle, its first row in the map).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub at: Place,
    pub problem: Problem,
}

/// The findings of a lint, sorted by file (in the order given) and line, and how many rows
/// were read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Lint {
    pub rows: usize,
    pub findings: Vec<Finding>,
}

impl Finding {
    pub fn kind(&self) -> LintKind {
        match self.problem {
            Problem::SelfRedirect { .. } => LintKind::SelfRedirect,
            Problem::Cycle { .. } => LintKind::Cycle,
            Problem::Conflict { .. } => LintKind::Conflict,
            Problem::Chain { .. } => LintKind::Chain,
            Problem::Temporary { .. } => LintKind::Temporary,
        }
    }

    /// Every row involved, the reported one first.
    pub fn lines(&self) -> Vec<Place> {
        let mut lines = vec![self.at.clone()];
        match &self.problem {
            Problem::Cycle { steps } => lines.extend(steps.iter().skip(1).map(|s| s.at.clone())),
            Problem::Conflict { first, .. } => lines.push(first.clone()),
            Problem::Chain { next, .. } => lines.push(next.clone()),
            Problem::SelfRedirect { .. } | Problem::Temporary { .. } => {}
        }
        lines
    }

    /// What is wrong, then how to fix it, in one line: `url` shows a URL (escaped), `place`
    /// names another row (`line 7`, or `FILE:7` in another file).
    pub fn describe(&self, url: &dyn Fn(&Url) -> String) -> (String, String) {
        let place = |other: &Place| {
            if other.file == self.at.file {
                format!("line {}", other.line)
            } else {
                format!("{}:{}", escape(&other.file), other.line)
            }
        };
        match &self.problem {
            Problem::SelfRedirect { source } => (
                format!("{} → {}", url(source), url(source)),
                "remove the row, or point it at the page that replaced it".to_owned(),
            ),
            Problem::Cycle { steps } => {
                let arrows: Vec<String> = steps
                    .iter()
                    .enumerate()
                    .map(|(i, step)| {
                        let on = if i == 0 {
                            String::new()
                        } else {
                            format!(" on {}", place(&step.at))
                        };
                        format!("{} → {}{on}", url(&step.source), url(&step.target))
                    })
                    .collect();
                (
                    arrows.join(", "),
                    "no page is ever reached: point one of them at a page that answers".to_owned(),
                )
            }
            Problem::Conflict {
                source,
                target,
                first,
                first_target,
            } => (
                format!(
                    "{} → {}, but {} sends it to {}",
                    url(source),
                    url(target),
                    place(first),
                    url(first_target)
                ),
                "keep one target for the source".to_owned(),
            ),
            Problem::Chain {
                source,
                target,
                next,
                next_target,
                end,
            } => (
                format!(
                    "{} → {}, and {} → {} on {}",
                    url(source),
                    url(target),
                    url(target),
                    url(next_target),
                    place(next)
                ),
                match end {
                    End::At(end) => format!("point {} at {}", url(source), url(end)),
                    End::Loops(at) => format!("it never ends: fix the loop on {} first", place(at)),
                },
            ),
            Problem::Temporary {
                source,
                target,
                status,
                by_flag,
                permanent,
                with_status,
            } => {
                let why = if *by_flag {
                    "--permanent wants 301 or 308".to_owned()
                } else {
                    format!("{permanent} of the {with_status} rows with a status are 301 or 308")
                };
                let instead = if *status == 307 { 308 } else { 301 };
                (
                    format!(
                        "{} → {} is a {status} (temporary), and {why}",
                        url(source),
                        url(target)
                    ),
                    format!("use {instead} if the move is for good"),
                )
            }
        }
    }
}

/// A redirect row, as the lint keeps it.
struct Entry {
    file: usize,
    line: usize,
    source: Url,
    target: Url,
    status: Option<u16>,
}

/// Where following a row's target through the map leads.
#[derive(Debug, Clone, Copy)]
enum Fate {
    /// To the target of this row, which no row redirects.
    Ends(usize),
    /// Into the cycle whose first row is this one.
    Loops(usize),
}

/// Lints every row (of every map, in order: together they are one map). Rows that are not
/// redirects are counted, not linted.
pub fn lint(rows: impl IntoIterator<Item = Row>, options: &VerdictOptions) -> Lint {
    let mut files: Vec<String> = Vec::new();
    let mut entries: Vec<Entry> = Vec::new();
    let mut count = 0;
    for row in rows {
        count += 1;
        let redirect = row.expect.status.is_none_or(is_followed_status);
        let Some(target) = row
            .expect
            .target
            .filter(|_| redirect && !row.expect.no_redirect)
        else {
            continue;
        };
        if files.last() != Some(&row.file) {
            files.push(row.file);
        }
        entries.push(Entry {
            file: files.len() - 1,
            line: row.line,
            source: row.source,
            target,
            status: row.expect.status,
        });
    }
    let key = |url: &Url| verdict::comparable(url, options);
    let place = |i: usize| Place {
        file: files[entries[i].file].clone(),
        line: entries[i].line,
    };
    let mut found: Vec<(usize, Finding)> = Vec::new();
    let mut report = |i: usize, problem| {
        found.push((
            i,
            Finding {
                at: place(i),
                problem,
            },
        ));
    };

    // The first row of each source is the one that applies; a later one with another target
    // conflicts with it.
    let mut first: HashMap<Url, usize> = HashMap::with_capacity(entries.len());
    let mut applies = vec![false; entries.len()];
    for (i, entry) in entries.iter().enumerate() {
        match first.get(&key(&entry.source)) {
            Some(&j) if key(&entries[j].target) != key(&entry.target) => report(
                i,
                Problem::Conflict {
                    source: entry.source.clone(),
                    target: entry.target.clone(),
                    first: place(j),
                    first_target: entries[j].target.clone(),
                },
            ),
            Some(_) => {}
            None => {
                first.insert(key(&entry.source), i);
                applies[i] = true;
            }
        }
    }

    // Where each applying row's target is redirected next, then where that leads: walked once
    // per row, each path's fate shared by every row on it.
    let next: Vec<Option<usize>> = entries
        .iter()
        .map(|entry| first.get(&key(&entry.target)).copied())
        .collect();
    drop(first);
    let mut fate: Vec<Option<Fate>> = vec![None; entries.len()];
    let mut on_path = vec![false; entries.len()];
    let mut in_cycle = vec![false; entries.len()];
    let mut cycles: Vec<Vec<usize>> = Vec::new();
    for start in (0..entries.len()).filter(|&i| applies[i]) {
        let mut path = Vec::new();
        let mut at = start;
        let known = loop {
            if let Some(known) = fate[at] {
                break known;
            }
            if on_path[at] {
                let members = &path[path.iter().position(|&p| p == at).unwrap_or(0)..];
                let head = members.iter().copied().min().unwrap_or(at);
                let from = members.iter().position(|&m| m == head).unwrap_or(0);
                cycles.push([&members[from..], &members[..from]].concat());
                for &member in members {
                    fate[member] = Some(Fate::Loops(head));
                    in_cycle[member] = true;
                }
                break Fate::Loops(head);
            }
            on_path[at] = true;
            path.push(at);
            match next[at] {
                Some(then) => at = then,
                None => {
                    fate[at] = Some(Fate::Ends(at));
                    break Fate::Ends(at);
                }
            }
        };
        for &row in &path {
            fate[row].get_or_insert(known);
            on_path[row] = false;
        }
    }

    for members in cycles {
        let head = members[0];
        if members.len() == 1 {
            let source = entries[head].source.clone();
            report(head, Problem::SelfRedirect { source });
            continue;
        }
        let steps = members
            .iter()
            .map(|&m| Step {
                at: place(m),
                source: entries[m].source.clone(),
                target: entries[m].target.clone(),
            })
            .collect();
        report(head, Problem::Cycle { steps });
    }
    for (i, entry) in entries.iter().enumerate() {
        let (Some(then), Some(fate)) = (next[i], fate[i]) else {
            continue;
        };
        if !applies[i] || in_cycle[i] {
            continue;
        }
        let end = match fate {
            Fate::Ends(last) => End::At(entries[last].target.clone()),
            Fate::Loops(head) => End::Loops(place(head)),
        };
        report(
            i,
            Problem::Chain {
                source: entry.source.clone(),
                target: entry.target.clone(),
                next: place(then),
                next_target: entries[then].target.clone(),
                end,
            },
        );
    }

    let with_status = entries.iter().filter(|e| e.status.is_some()).count();
    let permanent = entries
        .iter()
        .filter(|e| e.status.is_some_and(|s| PERMANENT.contains(&s)))
        .count();
    if options.permanent || permanent * 2 > with_status {
        for (i, entry) in entries.iter().enumerate() {
            let Some(status) = entry.status.filter(|s| !PERMANENT.contains(s)) else {
                continue;
            };
            report(
                i,
                Problem::Temporary {
                    source: entry.source.clone(),
                    target: entry.target.clone(),
                    status,
                    by_flag: options.permanent,
                    permanent,
                    with_status,
                },
            );
        }
    }

    // Rows are in map order, so a row's index orders it by file and line.
    found.sort_by_key(|(i, finding)| (*i, finding.kind()));
    Lint {
        rows: count,
        findings: found.into_iter().map(|(_, finding)| finding).collect(),
    }
}

/// One line per finding, `FILE:LINE: kind: what: fix`, then `N findings in M rows`.
pub fn render(out: &mut dyn Write, lint: &Lint, redactor: Redactor) -> io::Result<()> {
    let url = |url: &Url| shown(&redactor.url(url)).into_owned();
    for finding in &lint.findings {
        let (what, fix) = finding.describe(&url);
        writeln!(
            out,
            "{}:{}: {}: {what}: {fix}",
            escape(&finding.at.file),
            finding.at.line,
            finding.kind().as_str()
        )?;
    }
    let rows = match lint.rows {
        1 => "1 row".to_owned(),
        n => format!("{n} rows"),
    };
    match lint.findings.len() {
        0 => writeln!(out, "no findings in {rows}"),
        1 => writeln!(out, "1 finding in {rows}"),
        n => writeln!(out, "{n} findings in {rows}"),
    }
}

#[cfg(test)]
#[path = "lint_tests.rs"]
mod tests;
