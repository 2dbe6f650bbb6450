//! `--resume FILE`: the rows an earlier `hops check --format json` run already reported, so a
//! run cut short (a CI timeout, Ctrl-C) goes on from where it stopped.
//!
//! Rows are known by file name and line, as the NDJSON output names them. A line that does not
//! parse is not a reported row: the last line of an interrupted run may be cut off, and that
//! row is checked again.

use std::collections::{HashMap, HashSet};
use std::io::BufRead;

use serde::Deserialize;

use crate::model::Row;

/// The rows already reported.
#[derive(Debug, Default)]
pub struct Reported {
    /// The lines reported, by file.
    lines: HashMap<String, HashSet<usize>>,
}

#[derive(Deserialize)]
struct ReportedRow {
    file: String,
    line: usize,
}

impl Reported {
    /// Reads an NDJSON report; `name` is for the error of a file that is not one.
    pub fn read(name: &str, input: impl BufRead) -> Result<Reported, String> {
        let mut reported = Reported::default();
        let mut lines = 0;
        for line in input.lines() {
            let line = line.map_err(|err| format!("cannot read {name}: {err}"))?;
            if line.trim().is_empty() {
                continue;
            }
            lines += 1;
            if let Ok(row) = serde_json::from_str::<ReportedRow>(&line) {
                reported.lines.entry(row.file).or_default().insert(row.line);
            }
        }
        if lines > 0 && reported.is_empty() {
            return Err(format!(
                "--resume {name}: not the output of `hops check --format json` (no line names a \
                 file and a line)"
            ));
        }
        Ok(reported)
    }

    pub fn contains(&self, row: &Row) -> bool {
        self.lines
            .get(&row.file)
            .is_some_and(|lines| lines.contains(&row.line))
    }

    pub fn len(&self) -> usize {
        self.lines.values().map(HashSet::len).sum()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use url::Url;

    use super::*;
    use crate::model::RowExpect;

    fn row(file: &str, line: usize) -> Row {
        Row {
            file: file.into(),
            line,
            source: Url::parse("https://a.test/").unwrap(),
            expect: RowExpect::default(),
            target_at: None,
        }
    }

    #[test]
    fn reported_rows_are_known_by_file_and_line_and_a_cut_off_line_is_not_one() {
        let output = "{\"file\":\"map.csv\",\"line\":2,\"result\":\"ok\"}\n\n\
                      {\"file\":\"map.csv\",\"line\":3,\"result\":\"loop\"}\n\
                      {\"file\":\"map.csv\",\"line\":4,\"res";
        let reported = Reported::read("out.ndjson", output.as_bytes()).unwrap();
        assert_eq!(reported.len(), 2);
        assert!(reported.contains(&row("map.csv", 2)) && reported.contains(&row("map.csv", 3)));
        assert!(!reported.contains(&row("map.csv", 4)));
        assert!(!reported.contains(&row("other.csv", 2)));
        assert!(Reported::read("empty", "".as_bytes()).unwrap().is_empty());
        let error = Reported::read("map.csv", "source,target\n/a,/b\n".as_bytes()).unwrap_err();
        assert!(
            error.contains("not the output of `hops check --format json`"),
            "{error}"
        );
    }
}
