//! The CI job summary of `hops check --report markdown` (GitHub's `$GITHUB_STEP_SUMMARY`):
//! a table of counts per result kind, then the failing rows. Written at the end, from the
//! [`Summary`] and a [`Failures`] list kept to its first [`MAX_FAILURES`] rows.
//!
//! A job summary renders Markdown and HTML, so every cell is escaped: server text could
//! otherwise close the table (`|`), add markup or links, or inject HTML.

use std::io::{self, Write};

use url::Url;

use super::text::Summary;
use crate::model::{Redactor, ResultKind, Row, RowResult};
use crate::render::escape::escape;

/// How many failing rows are listed; the rest are counted.
pub const MAX_FAILURES: usize = 1000;

/// The failing rows to list: the first [`MAX_FAILURES`], and how many more there were.
#[derive(Debug, Clone, Default)]
pub struct Failures {
    listed: Vec<Failure>,
    more: u64,
}

#[derive(Debug, Clone)]
struct Failure {
    line: usize,
    source: Url,
    kind: ResultKind,
    message: String,
}

impl Failures {
    /// Keeps the row if it failed and the list has room.
    pub fn add(&mut self, row: &Row, result: &RowResult) {
        if result.ok {
            return;
        }
        if self.listed.len() < MAX_FAILURES {
            self.listed.push(Failure {
                line: row.line,
                source: row.source.clone(),
                kind: result.kind,
                message: result.message(),
            });
        } else {
            self.more += 1;
        }
    }
}

/// Writes the job summary.
pub fn write(
    out: &mut dyn Write,
    summary: &Summary,
    failures: &Failures,
    redactor: Redactor,
) -> io::Result<()> {
    writeln!(out, "## hops check\n")?;
    writeln!(out, "{}\n", summary.tally())?;
    writeln!(out, "| result | rows |\n|---|---:|")?;
    for (kind, count) in summary.counts() {
        writeln!(out, "| {} | {count} |", kind.as_str())?;
    }
    if failures.listed.is_empty() {
        return Ok(());
    }
    writeln!(
        out,
        "\n### Failures\n\n| line | source | result | message |\n|---:|---|---|---|"
    )?;
    for failure in &failures.listed {
        writeln!(
            out,
            "| {} | {} | {} | {} |",
            failure.line,
            cell(&redactor.url(&failure.source)),
            failure.kind.as_str(),
            cell(&failure.message)
        )?;
    }
    if failures.more > 0 {
        writeln!(out, "\nand {} more", failures.more)?;
    }
    Ok(())
}

/// Text as one table cell shows it literally: controls escaped as in every output, then every
/// character Markdown or HTML would act on backslash-escaped (CommonMark allows it for any
/// ASCII punctuation, and GitHub's tables honour `\|`).
fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in escape(text).chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '&' | '!' | '#' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::report::text::tests::{HOSTILE, sample};

    fn written(edit: impl Fn(&mut RowResult)) -> String {
        let mut summary = Summary::default();
        let mut failures = Failures::default();
        for (row, mut result, chain) in sample() {
            edit(&mut result);
            summary.add(&row, &result, &chain);
            failures.add(&row, &result);
        }
        let mut out = Vec::new();
        write(&mut out, &summary, &failures, Redactor::default()).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn counts_then_failing_rows() {
        assert_eq!(
            written(|_| {}),
            "## hops check\n\n\
             3 rows: 1 ok, 2 failed\n\n\
             | result | rows |\n\
             |---|---:|\n\
             | network_error | 1 |\n\
             | wrong_target | 1 |\n\
             | ok | 1 |\n\
             \n### Failures\n\n\
             | line | source | result | message |\n\
             |---:|---|---|---|\n\
             | 3 | https://a.test/old | wrong_target | expected to end at https://a.test/else, ended at https://a.test/new |\n\
             | 4 | https://b.test/x | network_error | network error at hop 2: connection refused |\n"
        );
    }

    #[test]
    fn cells_cannot_break_the_table_or_inject_markup() {
        let text = written(|result| {
            if !result.ok {
                result.broken = vec![format!("a | b <img src=x> [x](y) *z*{HOSTILE}")];
            }
        });
        assert!(
            text.contains(
                r"| a \| b \<img src=x\> \[x\](y) \*z\*\\x1b\[2J\\x07\\u{9b}31m\\u{202e} |"
            ),
            "{text}"
        );
    }

    #[test]
    fn the_list_stops_at_its_limit() {
        let (row, result, _) = sample().remove(1);
        let mut failures = Failures::default();
        for _ in 0..MAX_FAILURES + 5 {
            failures.add(&row, &result);
        }
        let mut out = Vec::new();
        write(
            &mut out,
            &Summary::default(),
            &failures,
            Redactor::default(),
        )
        .unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.matches("| wrong_target |").count(), MAX_FAILURES);
        assert!(text.ends_with("\nand 5 more\n"), "{text}");
    }
}
