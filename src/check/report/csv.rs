//! The spreadsheet report of `hops check --format csv`: a header line, then one record per row
//! as it arrives, quoted as RFC 4180 says (by the `csv` crate):
//!
//! ```text
//! line,source,expected_target,final_url,final_status,statuses,redirects,result,message
//! 12,https://a.test/old,https://a.test/new,https://a.test/new,200,301>200,1,ok,ok
//! ```
//!
//! `final_url` and `final_status` are empty when the chain broke before an answer, as is
//! `expected_target` when the row names none. Control and bidi characters in the message are
//! escaped as in every output: a CSV file is often looked at with `cat`.

use std::io::{self, Write};

use super::{final_answer, statuses};
use crate::model::{Chain, Redactor, Row, RowResult};
use crate::render::escape::escape;

const HEADER: [&str; 9] = [
    "line",
    "source",
    "expected_target",
    "final_url",
    "final_status",
    "statuses",
    "redirects",
    "result",
    "message",
];

/// A CSV report being written.
pub struct CsvReport<W: Write> {
    writer: csv::Writer<W>,
    redactor: Redactor,
}

impl<W: Write> CsvReport<W> {
    /// Starts the report with its header line.
    pub fn new(out: W, redactor: Redactor) -> io::Result<Self> {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(out);
        writer.write_record(HEADER)?;
        Ok(CsvReport { writer, redactor })
    }

    /// Writes one row's record. Flushed at once, so that a report followed with `tail -f` shows
    /// rows as they are judged.
    pub fn row(&mut self, row: &Row, result: &RowResult, chain: &Chain) -> io::Result<()> {
        let redactor = self.redactor;
        let (final_status, final_url) = match final_answer(chain, redactor) {
            Some((status, url)) => (status.to_string(), url),
            None => (String::new(), String::new()),
        };
        self.writer.write_record([
            row.line.to_string().as_str(),
            &redactor.url(&row.source),
            &row.expect
                .target
                .as_ref()
                .map_or_else(String::new, |url| redactor.url(url)),
            &final_url,
            &final_status,
            &statuses(chain, ">"),
            &chain.redirects().to_string(),
            result.kind.as_str(),
            &escape(&result.message()),
        ])?;
        self.writer.flush()
    }

    /// Ends the report, giving back the output.
    pub fn finish(self) -> io::Result<W> {
        self.writer
            .into_inner()
            .map_err(|err| io::Error::other(err.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::report::text::tests::{HOSTILE, sample};

    fn written(edit: impl Fn(&mut RowResult)) -> String {
        let mut report = CsvReport::new(Vec::new(), Redactor::default()).unwrap();
        for (row, mut result, chain) in sample() {
            edit(&mut result);
            report.row(&row, &result, &chain).unwrap();
        }
        String::from_utf8(report.finish().unwrap()).unwrap()
    }

    #[test]
    fn a_header_then_a_record_per_row() {
        assert_eq!(
            written(|_| {}),
            "line,source,expected_target,final_url,final_status,statuses,redirects,result,message\r\n\
             2,https://a.test/old,https://a.test/new,https://a.test/new,200,301>200,1,ok,ok\r\n\
             3,https://a.test/old,https://a.test/else,https://a.test/new,200,301>200,1,wrong_target,\
             \"expected to end at https://a.test/else, ended at https://a.test/new\"\r\n\
             4,https://b.test/x,,,,302,1,network_error,network error at hop 2: connection refused\r\n"
        );
    }

    #[test]
    fn fields_are_quoted_and_server_text_escaped() {
        let text = written(|result| {
            result.broken = vec![format!("say \"hi\", then\nleave{HOSTILE}")];
        });
        let last = text.lines().last().unwrap();
        assert_eq!(
            last,
            "4,https://b.test/x,,,,302,1,network_error,\
             \"say \"\"hi\"\", then\\x0aleave\\x1b[2J\\x07\\u{9b}31m\\u{202e}\""
        );
        // Read back, the record has its nine fields.
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        for record in reader.records() {
            assert_eq!(record.unwrap().len(), 9);
        }
    }
}
