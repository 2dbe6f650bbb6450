//! Vercel's `vercel.json`: `{"redirects": [{"source", "destination", "permanent",
//! "statusCode", "has", "missing"}]}`. `statusCode` wins; else `permanent: false` is 307 and
//! `true` or absent is 308, as Vercel does.
//!
//! The file is read whole: a `vercel.json` is written by hand and small (Vercel caps it at 2,048
//! redirects), and serde_json cannot say where in the file a value starts, which each row's
//! line needs. So the bytes are scanned once for where each element of `redirects` starts and
//! ends, and each element is parsed on its own when its row is asked for.
//!
//! Rules with `:placeholders`, splats, regexes or `has`/`missing` conditions are patterns:
//! skipped and counted.

use std::io::BufRead;

use serde_json::{Map, Value};

use super::pattern::is_pattern;
use super::{Context, InputError, Parser, RowError, parse_status};
use crate::model::{Row, RowExpect};

pub(super) struct VercelParser {
    bytes: Vec<u8>,
    /// Start and end of each element of `redirects`, in file order.
    spans: Vec<(usize, usize)>,
    next: usize,
    /// The line at `counted`, so lines are counted once over the whole file.
    line: usize,
    counted: usize,
}

impl VercelParser {
    pub(super) fn new(mut input: impl BufRead, context: &Context) -> Result<Self, InputError> {
        let invalid = |line: Option<usize>, reason: String| InputError::Invalid {
            file: context.file.clone(),
            line,
            reason,
        };
        let mut bytes = Vec::new();
        input
            .read_to_end(&mut bytes)
            .map_err(|source| InputError::Io {
                file: context.file.clone(),
                source,
            })?;
        if let Err(error) = serde_json::from_slice::<serde::de::IgnoredAny>(&bytes) {
            // serde_json's message ends with its own "at line L column C": the line leads here.
            let message = error.to_string();
            let reason = message
                .rsplit_once(" at line ")
                .map_or(message.as_str(), |(reason, _)| reason);
            return Err(invalid(
                Some(error.line()),
                format!("not valid JSON: {reason}"),
            ));
        }
        let spans = redirect_spans(&bytes).map_err(|reason| invalid(None, reason.to_owned()))?;
        Ok(VercelParser {
            bytes,
            spans,
            next: 0,
            line: 1,
            counted: 0,
        })
    }

    fn line_at(&mut self, at: usize) -> usize {
        self.line += self.bytes[self.counted..at]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.counted = at;
        self.line
    }
}

impl Parser for VercelParser {
    fn next_row(&mut self, context: &mut Context) -> Option<Result<Row, RowError>> {
        loop {
            let &(start, end) = self.spans.get(self.next)?;
            self.next += 1;
            let line = self.line_at(start);
            let value: Value = match serde_json::from_slice(&self.bytes[start..end]) {
                Ok(value) => value,
                Err(error) => return Some(Err(context.error(line, error.to_string()))),
            };
            match parse_entry(&value, line, context) {
                Ok(Some(row)) => {
                    let target_at =
                        member_span(&self.bytes, start, "destination").map(|(from, to)| {
                            let text = value["destination"].as_str().unwrap_or_default();
                            context.target_span(from as u64, to as u64, text)
                        });
                    return Some(Ok(Row { target_at, ..row }));
                }
                Ok(None) => context.patterns.add(line),
                Err(error) => return Some(Err(error)),
            }
        }
    }
}

/// One redirect, or `None` when it is a pattern.
fn parse_entry(value: &Value, line: usize, context: &Context) -> Result<Option<Row>, RowError> {
    let Some(entry) = value.as_object() else {
        return Err(context.error(line, "a redirect is not an object"));
    };
    let text = |key: &str| match entry.get(key) {
        Some(Value::String(text)) => Ok(text.as_str()),
        _ => Err(context.error(line, format!("the redirect has no {key:?} string"))),
    };
    let source = text("source")?;
    let destination = text("destination")?;
    if is_pattern(source) || is_pattern(destination) || has_condition(entry) {
        return Ok(None);
    }
    let status = match (entry.get("statusCode"), entry.get("permanent")) {
        (Some(Value::Number(code)), _) => parse_status(&code.to_string(), "statusCode")
            .map_err(|reason| context.error(line, reason))?,
        (Some(other), _) => {
            return Err(context.error(line, format!("\"statusCode\" is {other}, not a number")));
        }
        (None, None | Some(Value::Bool(true))) => 308,
        (None, Some(Value::Bool(false))) => 307,
        (None, Some(other)) => {
            return Err(context.error(line, format!("\"permanent\" is {other}, not true or false")));
        }
    };
    let expect = RowExpect {
        target: Some(context.url(destination, "destination", line)?),
        status: Some(status),
        ..RowExpect::default()
    };
    Ok(Some(context.row(
        line,
        context.url(source, "source", line)?,
        expect,
    )))
}

/// `has` or `missing`: the rule applies only to some requests (a header, cookie, host, query).
fn has_condition(entry: &Map<String, Value>) -> bool {
    ["has", "missing"]
        .iter()
        .any(|key| entry.get(*key).is_some_and(|value| !value.is_null()))
}

/// Where each element of the top-level `redirects` array starts and ends; `bytes` is valid JSON.
fn redirect_spans(bytes: &[u8]) -> Result<Vec<(usize, usize)>, &'static str> {
    const NOT_VERCEL: &str = "not a vercel.json: no \"redirects\" list at the top level";
    let mut scan = Scan { bytes, at: 0 };
    scan.whitespace();
    if scan.peek() != Some(b'{') {
        return Err(NOT_VERCEL);
    }
    scan.at += 1;
    loop {
        scan.whitespace();
        match scan.peek() {
            Some(b'"') => {}
            _ => return Err(NOT_VERCEL),
        }
        let key_start = scan.at;
        scan.string();
        let key = &bytes[key_start..scan.at];
        scan.whitespace();
        scan.at += 1; // the `:`
        scan.whitespace();
        if key == b"\"redirects\"" {
            if scan.peek() != Some(b'[') {
                return Err("\"redirects\" is not a list");
            }
            scan.at += 1;
            let mut spans = Vec::new();
            loop {
                scan.whitespace();
                match scan.peek() {
                    Some(b']') | None => return Ok(spans),
                    Some(b',') => scan.at += 1,
                    Some(_) => {
                        let start = scan.at;
                        scan.value();
                        spans.push((start, scan.at));
                    }
                }
            }
        }
        scan.value();
        scan.whitespace();
        if scan.peek() == Some(b',') {
            scan.at += 1;
        }
    }
}

/// Where the value of `key` is in the object that starts at `start` of `bytes` (valid JSON):
/// the last one, as serde_json keeps the last of a repeated key.
fn member_span(bytes: &[u8], start: usize, key: &str) -> Option<(usize, usize)> {
    let mut scan = Scan { bytes, at: start };
    if scan.peek() != Some(b'{') {
        return None;
    }
    scan.at += 1;
    let mut found = None;
    loop {
        scan.whitespace();
        if scan.peek() != Some(b'"') {
            return found;
        }
        let key_start = scan.at;
        scan.string();
        // Decoded, so an escaped spelling of the key is the key too.
        let name: Option<String> = serde_json::from_slice(&bytes[key_start..scan.at]).ok();
        scan.whitespace();
        scan.at += 1; // the `:`
        scan.whitespace();
        let value_start = scan.at;
        scan.value();
        if name.as_deref() == Some(key) {
            found = Some((value_start, scan.at));
        }
        scan.whitespace();
        if scan.peek() == Some(b',') {
            scan.at += 1;
        }
    }
}

/// A cursor over JSON already known to be valid, so it only needs to find where values end.
struct Scan<'b> {
    bytes: &'b [u8],
    at: usize,
}

impl Scan<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    fn whitespace(&mut self) {
        while self.peek().is_some_and(|b| b.is_ascii_whitespace()) {
            self.at += 1;
        }
    }

    /// Past a string, from its opening quote.
    fn string(&mut self) {
        self.at += 1;
        while let Some(b) = self.peek() {
            self.at += if b == b'\\' { 2 } else { 1 };
            if b == b'"' {
                return;
            }
        }
    }

    /// Past any value.
    fn value(&mut self) {
        match self.peek() {
            Some(b'"') => self.string(),
            Some(b'{' | b'[') => {
                let mut depth = 0usize;
                while let Some(b) = self.peek() {
                    match b {
                        b'"' => {
                            self.string();
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => depth -= 1,
                        _ => {}
                    }
                    self.at += 1;
                    if depth == 0 {
                        return;
                    }
                }
            }
            _ => {
                while self
                    .peek()
                    .is_some_and(|b| !matches!(b, b',' | b']' | b'}') && !b.is_ascii_whitespace())
                {
                    self.at += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{errors, open_error, read_with_base, url};
    use super::super::{InputOptions, open};
    use crate::model::RowExpect;

    const BASE: &str = "https://shop.example/";

    #[test]
    fn redirects_statuses_and_lines() {
        let input = r#"{
  "cleanUrls": true,
  "headers": [{"source": "/(.*)", "headers": []}],
  "redirects": [
    { "source": "/a", "destination": "/b" },
    { "source": "/c", "destination": "https://other.example/d", "permanent": false },
    {
      "source": "/e",
      "destination": "/f",
      "permanent": true,
      "statusCode": 301
    },
    {"source": "/g", "destination": "/h", "permanent": true}, {"source": "/i \"q\"", "destination": "/j"}
  ]
}"#;
        let rows = read_with_base("vercel.json", input, BASE);
        let got: Vec<_> = rows
            .iter()
            .map(|row| match row {
                Ok(row) => (
                    row.line,
                    row.source.to_string(),
                    row.expect.target.clone(),
                    row.expect.status,
                ),
                Err(error) => (error.line, error.to_string(), None, None),
            })
            .collect();
        let redirect = |line, source: &str, target: &str, status| {
            (
                line,
                format!("https://shop.example{source}"),
                url(target),
                Some(status),
            )
        };
        assert_eq!(
            got,
            [
                redirect(5, "/a", "https://shop.example/b", 308),
                redirect(6, "/c", "https://other.example/d", 307),
                redirect(7, "/e", "https://shop.example/f", 301),
                redirect(13, "/g", "https://shop.example/h", 308),
                (13, "vercel.json:13: the source \"/i \\\"q\\\"\" is not a URL: it contains spaces (percent-encode them as %20)".to_owned(), None, None),
            ]
        );
        assert_eq!(
            rows[0].as_ref().unwrap().expect,
            RowExpect {
                target: url("https://shop.example/b"),
                status: Some(308),
                ..RowExpect::default()
            }
        );
    }

    #[test]
    fn patterns_are_skipped_and_counted() {
        let input = r#"{"redirects": [
{"source": "/blog/:slug", "destination": "/news/:slug"},
{"source": "/docs/(.*)", "destination": "/help"},
{"source": "/old", "destination": "/new"},
{"source": "/x", "destination": "/y", "has": [{"type": "host", "value": "a.example"}]},
{"source": "/p", "destination": "/q", "missing": [{"type": "cookie", "key": "s"}]},
{"source": "/all/*", "destination": "/"}
]}"#;
        let options = InputOptions {
            format: None,
            base: url(BASE),
        };
        let mut rows = open("vercel.json", input.as_bytes(), &options).unwrap();
        let lines: Vec<_> = rows.by_ref().map(|row| row.unwrap().line).collect();
        assert_eq!(lines, [4]);
        assert_eq!(rows.skipped_patterns().count, 5);
        assert_eq!(rows.skipped_patterns().first_lines, [2, 3, 5, 6, 7]);
    }

    #[test]
    fn malformed_entries_name_file_and_line() {
        let cases = [
            (
                r#"{"redirects": [{"source": "/a"}]}"#,
                "vercel.json:1: the redirect has no \"destination\" string",
            ),
            (
                "{\"redirects\": [\n 1]}",
                "vercel.json:2: a redirect is not an object",
            ),
            (
                r#"{"redirects": [{"source": "/a", "destination": "/b", "statusCode": 99}]}"#,
                "vercel.json:1: the statusCode \"99\" is not an HTTP status (100 to 599)",
            ),
            (
                r#"{"redirects": [{"source": "/a", "destination": "/b", "permanent": "yes"}]}"#,
                "vercel.json:1: \"permanent\" is \"yes\", not true or false",
            ),
            (
                r#"{"redirects": [{"source": "/a", "destination": "ht!tp://x"}]}"#,
                "vercel.json:1: the destination \"ht!tp://x\" is not a URL",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                errors(&read_with_base("vercel.json", input, BASE)),
                [expected],
                "{input}"
            );
        }
    }

    #[test]
    fn a_file_that_is_not_a_vercel_json_is_refused() {
        let cases = [
            (
                "{\n\"redirects\": [\n{\"source\": }]}",
                "vercel.json:3: not valid JSON: expected value",
            ),
            (
                "[]",
                "vercel.json: not a vercel.json: no \"redirects\" list at the top level",
            ),
            (
                "{\"rewrites\": []}",
                "vercel.json: not a vercel.json: no \"redirects\" list at the top level",
            ),
            (
                "{\"redirects\": {}}",
                "vercel.json: \"redirects\" is not a list",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(open_error("vercel.json", input, None), expected, "{input}");
        }
    }
}
