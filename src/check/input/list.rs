//! A URL list: one URL per line, `#` comments and blank lines skipped; and the line reader the
//! line-based formats share.

use std::io::BufRead;

use super::{Context, Parser, RowError};
use crate::model::{Row, RowExpect};

/// Lines one at a time, numbered from 1, without their `\n` or `\r\n`; one buffer reused.
pub(super) struct Lines<R> {
    reader: R,
    buffer: Vec<u8>,
    line: usize,
    /// Where the line last read starts in the input, and where the next one does.
    start: u64,
    next: u64,
}

/// What [`Lines::next_line`] found: the text of a line, or a line that is not UTF-8.
pub(super) enum Line<'b> {
    Text(&'b str),
    NotUtf8,
}

impl<R: BufRead> Lines<R> {
    pub(super) fn new(reader: R) -> Self {
        Lines {
            reader,
            buffer: Vec::new(),
            line: 0,
            start: 0,
            next: 0,
        }
    }

    /// The next line and its number; `None` at the end; a read error is fatal.
    pub(super) fn next_line(
        &mut self,
        context: &Context,
    ) -> Option<Result<(usize, Line<'_>), RowError>> {
        self.next_line_at(context)
            .map(|line| line.map(|(number, _, line)| (number, line)))
    }

    /// As [`Lines::next_line`], with where the line starts in the input.
    pub(super) fn next_line_at(
        &mut self,
        context: &Context,
    ) -> Option<Result<(usize, u64, Line<'_>), RowError>> {
        self.buffer.clear();
        match self.reader.read_until(b'\n', &mut self.buffer) {
            Ok(0) => None,
            Ok(read) => {
                self.line += 1;
                self.start = self.next;
                self.next += read as u64;
                let mut bytes = self.buffer.as_slice();
                bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
                bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
                let line = match std::str::from_utf8(bytes) {
                    Ok(text) => Line::Text(text),
                    Err(_) => Line::NotUtf8,
                };
                Some(Ok((self.line, self.start, line)))
            }
            Err(error) => Some(Err(context.io_error(self.line + 1, &error))),
        }
    }
}

/// The text of a line that holds something: not blank, not a `#` comment.
pub(super) fn content(text: &str) -> Option<&str> {
    let text = text.trim();
    (!text.is_empty() && !text.starts_with('#')).then_some(text)
}

pub(super) const NOT_UTF8: &str = "the line is not UTF-8 text";

pub(super) struct ListParser<R> {
    lines: Lines<R>,
}

impl<R: BufRead> ListParser<R> {
    pub(super) fn new(reader: R) -> Self {
        ListParser {
            lines: Lines::new(reader),
        }
    }
}

impl<R: BufRead> Parser for ListParser<R> {
    fn next_row(&mut self, context: &mut Context) -> Option<Result<Row, RowError>> {
        loop {
            let (line, text) = match self.lines.next_line(context)? {
                Ok((line, Line::Text(text))) => (line, text),
                Ok((line, Line::NotUtf8)) => return Some(Err(context.error(line, NOT_UTF8))),
                Err(error) => return Some(Err(error)),
            };
            let Some(value) = content(text) else {
                continue;
            };
            return Some(
                context
                    .url(value, "URL", line)
                    .map(|source| context.row(line, source, RowExpect::default())),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::InputFormat;
    use super::super::tests::{errors, read, read_with_base, sources};

    #[test]
    fn urls_comments_blank_lines_and_crlf() {
        let input = "# the old shop\n\nhttps://shop.example/a\r\n  shop.example/b  \n#x\nhttp://h.example:8080/c?q=1\n";
        let rows = read("urls.txt", input, Some(InputFormat::UrlList));
        assert_eq!(
            sources(&rows),
            [
                (3, "https://shop.example/a".to_owned()),
                (4, "http://shop.example/b".to_owned()),
                (6, "http://h.example:8080/c?q=1".to_owned()),
            ]
        );
        assert!(
            rows.iter()
                .flatten()
                .all(|row| row.expect == Default::default())
        );
    }

    #[test]
    fn malformed_lines_name_file_and_line() {
        let cases = [
            (
                "ht!tp://x\n",
                "urls.txt:1: the URL \"ht!tp://x\" is not a URL",
            ),
            (
                "\n/old\n",
                "urls.txt:2: the URL \"/old\" is a path: give --base URL to resolve it",
            ),
            (
                "ftp://files.example/a\n",
                "urls.txt:1: the URL \"ftp://files.example/a\" is not an http or https URL",
            ),
            (
                "https://a.example/x y\n",
                "urls.txt:1: the URL \"https://a.example/x y\" is not a URL: it contains spaces (percent-encode them as %20)",
            ),
            (
                "https://a.example:99999/\n",
                "urls.txt:1: the URL \"https://a.example:99999/\" is not a URL: invalid port number",
            ),
        ];
        for (input, expected) in cases {
            let rows = read("urls.txt", input, Some(InputFormat::UrlList));
            assert_eq!(
                errors(&rows).last().map(String::as_str),
                Some(expected),
                "{input:?}"
            );
        }
        let rows = read("urls.txt", b"a.example\n\xff\n", Some(InputFormat::UrlList));
        assert_eq!(errors(&rows), ["urls.txt:2: the line is not UTF-8 text"]);
    }

    #[test]
    fn base_resolves_paths() {
        let rows = read_with_base(
            "urls.txt",
            "/old\n//cdn.example/x\nother.example/y\n",
            "https://shop.example/",
        );
        assert_eq!(
            sources(&rows),
            [
                (1, "https://shop.example/old".to_owned()),
                (2, "https://cdn.example/x".to_owned()),
                (3, "http://other.example/y".to_owned()),
            ]
        );
    }
}
