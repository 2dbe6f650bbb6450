//! CSV and TSV maps with a header row naming their columns, and Cloudflare's Bulk Redirects CSV
//! (no header: `source,target[,status,preserve_query_string,include_subdomains,
//! subpath_matching,preserve_path_suffix]`). Quoting is RFC 4180's, by `csv-core`, which also
//! says where each field is written, for the target's span.
//!
//! Header names are matched without regard to case, spaces or dashes (`Old URL` is `old_url`).
//! Columns hops does not know are ignored, so a spreadsheet can keep its notes.

use std::io::BufRead;

use super::csv_record::Records;
use super::{Context, InputError, InputFormat, Parser, RowError, parse_status};
use crate::model::{Row, RowExpect};

const SOURCE: &[&str] = &["source", "from", "old", "url", "address", "old_url"];
const TARGET: &[&str] = &["target", "to", "new", "destination", "expected", "new_url"];
const STATUS: &[&str] = &["status", "code", "status_code"];
const FINAL_STATUS: &[&str] = &["final_status"];
const MAX_HOPS: &[&str] = &["max_hops"];

/// Cloudflare's default status when the third column is empty or absent.
const CLOUDFLARE_STATUS: u16 = 301;

/// `Old URL`, `old-url` and `OLD_URL` all become `old_url`.
fn normalise(name: &str) -> String {
    name.trim()
        .trim_matches('"')
        .chars()
        .map(|c| match c {
            ' ' | '-' => '_',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}

/// Does this header row name a source column?
pub(super) fn is_header<'t>(fields: impl IntoIterator<Item = &'t str>) -> bool {
    fields
        .into_iter()
        .any(|field| SOURCE.contains(&normalise(field).as_str()))
}

/// Where each known column is; only the source is required.
#[derive(Debug, Default, PartialEq, Eq)]
struct Columns {
    source: usize,
    target: Option<usize>,
    status: Option<usize>,
    final_status: Option<usize>,
    max_hops: Option<usize>,
}

impl Columns {
    /// Cloudflare's fixed order; its other columns change how the rule matches other URLs, not
    /// where the source itself goes.
    const CLOUDFLARE: Columns = Columns {
        source: 0,
        target: Some(1),
        status: Some(2),
        final_status: None,
        max_hops: None,
    };

    fn from_header(names: &[String]) -> Result<Columns, String> {
        let find = |aliases: &[&str], what: &str| -> Result<Option<usize>, String> {
            let found: Vec<usize> = (0..names.len())
                .filter(|&at| aliases.contains(&names[at].as_str()))
                .collect();
            match found.as_slice() {
                [] => Ok(None),
                [at] => Ok(Some(*at)),
                [first, second, ..] => Err(format!(
                    "the header names two {what} columns, {:?} and {:?}: keep one",
                    names[*first], names[*second]
                )),
            }
        };
        let Some(source) = find(SOURCE, "source")? else {
            return Err(format!(
                "the header row names no source column (one of {})",
                SOURCE.join(", ")
            ));
        };
        Ok(Columns {
            source,
            target: find(TARGET, "target")?,
            status: find(STATUS, "status")?,
            final_status: find(FINAL_STATUS, "final_status")?,
            max_hops: find(MAX_HOPS, "max_hops")?,
        })
    }
}

pub(super) struct CsvParser<R> {
    records: Records<R>,
    columns: Columns,
    /// Cloudflare rows redirect with 301 when they name no status.
    default_status: Option<u16>,
}

impl<R: BufRead> CsvParser<R> {
    /// Reads the header row now (for `Csv` and `Tsv`), so a map without a source column is
    /// refused before any row.
    pub(super) fn new(
        input: R,
        format: InputFormat,
        context: &Context,
    ) -> Result<Self, InputError> {
        let delimiter = if format == InputFormat::Tsv {
            b'\t'
        } else {
            b','
        };
        let mut parser = CsvParser {
            records: Records::new(input, delimiter),
            columns: Columns::CLOUDFLARE,
            default_status: Some(CLOUDFLARE_STATUS),
        };
        if format == InputFormat::Cloudflare {
            return Ok(parser);
        }
        parser.default_status = None;
        let invalid = |line: usize, reason: String| InputError::Invalid {
            file: context.file.clone(),
            line: Some(line),
            reason,
        };
        let line = match parser.records.read() {
            Ok(true) => parser.records.line(),
            Ok(false) => return Ok(parser),
            Err(error) => return Err(invalid(1, format!("cannot read the header row: {error}"))),
        };
        let names: Vec<String> = parser
            .records
            .fields()
            .map(|field| normalise(&String::from_utf8_lossy(field)))
            .collect();
        parser.columns = Columns::from_header(&names).map_err(|reason| invalid(line, reason))?;
        Ok(parser)
    }

    fn field(&self, at: Option<usize>) -> Result<Option<&str>, ()> {
        match at.and_then(|at| self.records.get(at)) {
            None => Ok(None),
            Some(bytes) => {
                let text = std::str::from_utf8(bytes).map_err(|_| ())?.trim();
                Ok((!text.is_empty()).then_some(text))
            }
        }
    }

    fn row(&self, line: usize, context: &Context) -> Result<Row, RowError> {
        let columns = &self.columns;
        let field = |at: Option<usize>, what: &str| {
            self.field(at)
                .map_err(|()| context.error(line, format!("the {what} is not UTF-8 text")))
        };
        let Some(source) = field(Some(columns.source), "source")? else {
            return Err(context.error(line, "the source is empty"));
        };
        let source = context.url(source, "source", line)?;
        let target = field(columns.target, "target")?
            .map(|target| context.url(target, "target", line))
            .transpose()?;
        let target_at = columns
            .target
            .filter(|_| target.is_some())
            .and_then(|at| Some((self.records.span(at)?, self.field(Some(at)).ok()??)))
            .map(|((start, end), text)| context.target_span(start, end, text));
        let status = |at: Option<usize>, what: &str| -> Result<Option<u16>, RowError> {
            field(at, what)?
                .map(|value| {
                    parse_status(value, what).map_err(|reason| context.error(line, reason))
                })
                .transpose()
        };
        let max_hops = field(columns.max_hops, "max_hops")?
            .map(|value| {
                value.parse::<usize>().map_err(|_| {
                    context.error(
                        line,
                        format!("the max_hops {value:?} is not a number of redirects"),
                    )
                })
            })
            .transpose()?;
        let expect = RowExpect {
            status: status(columns.status, "status")?.or(self.default_status),
            target,
            max_hops,
            final_status: status(columns.final_status, "final_status")?,
            no_redirect: false,
        };
        Ok(Row {
            target_at,
            ..context.row(line, source, expect)
        })
    }
}

impl<R: BufRead> Parser for CsvParser<R> {
    fn next_row(&mut self, context: &mut Context) -> Option<Result<Row, RowError>> {
        loop {
            match self.records.read() {
                Ok(false) => return None,
                Ok(true) => {}
                Err(error) => {
                    let line = self.records.current_line();
                    return Some(Err(context.io_error(line, &error)));
                }
            }
            // A row of empty cells (a spreadsheet's trailing `,,,`) is no row.
            if self
                .records
                .fields()
                .all(|field| field.trim_ascii().is_empty())
            {
                continue;
            }
            let line = self.records.line();
            return Some(self.row(line, context));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::InputFormat::{Cloudflare, Csv, Tsv};
    use super::super::tests::{errors, open_error, read, read_with_base, sources, url};
    use super::*;

    #[test]
    fn header_aliases_and_all_columns() {
        let cases = [
            "source,target,status,final_status,max_hops",
            "Source,Target,Code,Final_Status,MAX_HOPS",
            "from,to,status_code,final status,max-hops",
            "Old URL,New URL,Status Code,Final Status,Max Hops",
            "old,new,status,final_status,max_hops",
            "address,expected,status,final_status,max_hops",
            "url,destination,status,final_status,max_hops",
        ];
        for header in cases {
            let input =
                format!("{header}\nhttps://a.example/old,https://a.example/new,301,200,2\n");
            let rows = read("map.csv", &input, None);
            let row = rows[0].as_ref().unwrap();
            assert_eq!(row.line, 2, "{header}");
            assert_eq!(row.source.as_str(), "https://a.example/old");
            assert_eq!(
                row.expect,
                RowExpect {
                    target: url("https://a.example/new"),
                    status: Some(301),
                    max_hops: Some(2),
                    final_status: Some(200),
                    no_redirect: false,
                },
                "{header}"
            );
        }
    }

    #[test]
    fn columns_in_any_order_unknown_ones_ignored_and_empty_cells() {
        let input =
            "note,Expected,Address\nhello,,a.example/x\n,https://b.example/,b.example/y\n,,\n";
        let rows = read("map.csv", input, None);
        assert_eq!(errors(&rows), Vec::<String>::new());
        assert_eq!(
            sources(&rows),
            [
                (2, "http://a.example/x".to_owned()),
                (3, "http://b.example/y".to_owned())
            ]
        );
        assert_eq!(rows[0].as_ref().unwrap().expect, RowExpect::default());
        assert_eq!(
            rows[1].as_ref().unwrap().expect.target,
            url("https://b.example/")
        );
    }

    #[test]
    fn quoting_crlf_comments_and_tsv() {
        let input = "source,target\r\n\"https://a.example/x?a=1,2\",\"https://a.example/\"\"q\"\"\"\r\n# a note\r\n\r\n\"https://a.example/multi\",https://a.example/m\r\n";
        let rows = read("map.csv", input, None);
        assert_eq!(errors(&rows), Vec::<String>::new());
        assert_eq!(
            sources(&rows),
            [
                (2, "https://a.example/x?a=1,2".to_owned()),
                (5, "https://a.example/multi".to_owned())
            ]
        );
        assert_eq!(
            rows[0].as_ref().unwrap().expect.target,
            url("https://a.example/%22q%22")
        );

        let input = "From\tTo\tStatus\n/a\t/b\t302\n/c\t/d\t\n";
        let rows = read_with_base("map.tsv", input, "https://shop.example");
        let row = rows[0].as_ref().unwrap();
        assert_eq!(
            (row.line, row.source.as_str()),
            (2, "https://shop.example/a")
        );
        assert_eq!(row.expect.target, url("https://shop.example/b"));
        assert_eq!(row.expect.status, Some(302));
        assert_eq!(rows[1].as_ref().unwrap().expect.status, None);
    }

    #[test]
    fn cloudflare_rows() {
        let input = "shop.example/old,https://shop.example/new\n\
                     https://shop.example/a,https://shop.example/b,302,TRUE,FALSE,TRUE,FALSE\n\
                     shop.example/c,https://shop.example/d,,\n";
        let rows = read("bulk.csv", input, None);
        let got: Vec<_> = rows
            .iter()
            .map(|row| {
                let row = row.as_ref().unwrap();
                (
                    row.line,
                    row.source.to_string(),
                    row.expect.target.clone(),
                    row.expect.status,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    1,
                    "http://shop.example/old".to_owned(),
                    url("https://shop.example/new"),
                    Some(301)
                ),
                (
                    2,
                    "https://shop.example/a".to_owned(),
                    url("https://shop.example/b"),
                    Some(302)
                ),
                (
                    3,
                    "http://shop.example/c".to_owned(),
                    url("https://shop.example/d"),
                    Some(301)
                ),
            ]
        );
    }

    #[test]
    fn malformed_rows_name_file_and_line() {
        let header = "source,target,status,final_status,max_hops\n";
        let cases = [
            (
                "https://a.example/,ht!tp://,,,\n",
                "shop.csv:2: the target \"ht!tp://\" is not a URL",
            ),
            (
                ",https://a.example/,,,\n",
                "shop.csv:2: the source is empty",
            ),
            (
                "/old,https://a.example/,,,\n",
                "shop.csv:2: the source \"/old\" is a path: give --base URL to resolve it",
            ),
            (
                "https://a.example/,,abc,,\n",
                "shop.csv:2: the status \"abc\" is not an HTTP status (100 to 599)",
            ),
            (
                "https://a.example/,,,600,\n",
                "shop.csv:2: the final_status \"600\" is not an HTTP status (100 to 599)",
            ),
            (
                "https://a.example/,,,,-1\n",
                "shop.csv:2: the max_hops \"-1\" is not a number of redirects",
            ),
            (
                "\n\nhttps://a.example/,https://a.example/ x,,,\n",
                "shop.csv:4: the target \"https://a.example/ x\" is not a URL: it contains spaces (percent-encode them as %20)",
            ),
        ];
        for (row, expected) in cases {
            let rows = read("shop.csv", format!("{header}{row}"), None);
            assert_eq!(errors(&rows), [expected], "{row:?}");
        }
        let rows = read("shop.csv", b"source\nhttps://a.example/\xff\n", None);
        assert_eq!(errors(&rows), ["shop.csv:2: the source is not UTF-8 text"]);
        // A bad row does not stop the rows after it.
        let rows = read(
            "shop.csv",
            format!("{header}x y,,,,\nhttps://a.example/,,,,\n"),
            None,
        );
        assert_eq!(sources(&rows), [(3, "https://a.example/".to_owned())]);
    }

    #[test]
    fn a_header_without_a_source_column_is_refused() {
        let cases = [
            (
                "map.csv",
                "name,target\n",
                Some(Csv),
                "map.csv:1: the header row names no source column (one of source, from, old, url, address, old_url)",
            ),
            (
                "map.tsv",
                "# exported\nurl\tsource\n",
                None,
                "map.tsv:2: the header names two source columns, \"url\" and \"source\": keep one",
            ),
            (
                "map.csv",
                "https://a.example/,https://b.example/\n",
                Some(Tsv),
                "map.csv:1: the header row names no source column (one of source, from, old, url, address, old_url)",
            ),
        ];
        for (name, input, format, expected) in cases {
            assert_eq!(open_error(name, input, format), expected);
        }
        assert!(read("empty.csv", "", Some(Csv)).is_empty());
        assert!(read("header.csv", "source,target\n", None).is_empty());
        assert!(read("empty.csv", "", Some(Cloudflare)).is_empty());
    }
}
