//! Netlify `_redirects`: `from [query=:param...] to [status][!] [conditions...]`, whitespace
//! separated, one rule a line, `#` comments; the status defaults to 301.
//!
//! Rules with splats, placeholders, query matching or conditions (`Country=`, `Language=`,
//! `Role=`, `Cookie=`) are patterns: skipped and counted. A rule with a status that is not a
//! redirect (200 rewrites and proxies, 404 custom pages) must answer that status in place:
//! `no_redirect` with that `final_status`, and no target.

use std::io::BufRead;

use super::list::{Line, Lines, NOT_UTF8, content};
use super::pattern::is_pattern;
use super::{Context, Parser, RowError, parse_status};
use crate::model::{Row, RowExpect};

const DEFAULT_STATUS: u16 = 301;

pub(super) struct NetlifyParser<R> {
    lines: Lines<R>,
}

impl<R: BufRead> NetlifyParser<R> {
    pub(super) fn new(reader: R) -> Self {
        NetlifyParser {
            lines: Lines::new(reader),
        }
    }
}

/// `key=value`: query matching before the target, a condition after it (never a URL or path).
fn is_assignment(token: &str) -> bool {
    token.contains('=') && !token.starts_with('/') && !token.contains("://")
}

/// The whitespace-separated tokens of `text`, each with where it starts in it.
fn tokens(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.split_whitespace().scan(0, move |searched, token| {
        // Tokens come in order and hold no whitespace: the next match is this token.
        let at = *searched + text[*searched..].find(token)?;
        *searched = at + token.len();
        Some((at, token))
    })
}

/// One rule of a line of text that starts at `start` in the file, or `None` when it is a
/// pattern.
fn parse_rule(
    text: &str,
    start: u64,
    line: usize,
    context: &Context,
) -> Result<Option<Row>, RowError> {
    let mut tokens = tokens(text).peekable();
    let (_, from) = tokens.next().unwrap_or_default();
    let mut pattern = is_pattern(from);
    while tokens.next_if(|(_, token)| is_assignment(token)).is_some() {
        pattern = true;
    }
    let Some((to_at, to)) = tokens.next() else {
        return Err(context.error(line, "the rule has no target (from to [status])"));
    };
    pattern |= is_pattern(to);
    let status = match tokens.next_if(|(_, token)| token.starts_with(|c: char| c.is_ascii_digit()))
    {
        // `!` forces the rule over a file that exists: the status is the same.
        Some((_, token)) => parse_status(token.trim_end_matches('!'), "status")
            .map_err(|reason| context.error(line, reason))?,
        None => DEFAULT_STATUS,
    };
    for (_, token) in tokens {
        if !is_assignment(token) {
            return Err(context.error(
                line,
                format!(
                    "{token:?} is neither a status nor a condition (from to [status] [Key=value])"
                ),
            ));
        }
        pattern = true;
    }
    if pattern {
        return Ok(None);
    }
    let source = context.url(from, "source", line)?;
    if !(300..400).contains(&status) {
        let expect = RowExpect {
            final_status: Some(status),
            no_redirect: true,
            ..RowExpect::default()
        };
        return Ok(Some(context.row(line, source, expect)));
    }
    let expect = RowExpect {
        target: Some(context.url(to, "target", line)?),
        status: Some(status),
        ..RowExpect::default()
    };
    let to_at = start + to_at as u64;
    Ok(Some(Row {
        target_at: Some(context.target_span(to_at, to_at + to.len() as u64, to)),
        ..context.row(line, source, expect)
    }))
}

impl<R: BufRead> Parser for NetlifyParser<R> {
    fn next_row(&mut self, context: &mut Context) -> Option<Result<Row, RowError>> {
        loop {
            let (line, start, text) = match self.lines.next_line_at(context)? {
                Ok((line, start, Line::Text(text))) => (line, start, text),
                Ok((line, _, Line::NotUtf8)) => return Some(Err(context.error(line, NOT_UTF8))),
                Err(error) => return Some(Err(error)),
            };
            if content(text).is_none() {
                continue;
            }
            match parse_rule(text, start, line, context) {
                Ok(Some(row)) => return Some(Ok(row)),
                Ok(None) => context.patterns.add(line),
                Err(error) => return Some(Err(error)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{errors, read, read_with_base, url};
    use super::super::{InputOptions, open};
    use crate::model::RowExpect;

    const BASE: &str = "https://shop.example/";

    #[test]
    fn rules_statuses_and_rewrites() {
        let input = "# moved\r\n/old   /new\r\n\n/a https://b.example/x 302!\n/legacy /v2 308\n/app/ /index.html 200\n/gone /404.html 404!\nhttps://old.example/p https://shop.example/p 301\n";
        let rows = read_with_base("_redirects", input, BASE);
        let redirect = |target: &str, status| RowExpect {
            target: url(target),
            status: Some(status),
            ..RowExpect::default()
        };
        let in_place = |status| RowExpect {
            final_status: Some(status),
            no_redirect: true,
            ..RowExpect::default()
        };
        let got: Vec<_> = rows
            .into_iter()
            .map(|row| {
                let row = row.unwrap();
                (row.line, row.source.to_string(), row.expect)
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    2,
                    "https://shop.example/old".to_owned(),
                    redirect("https://shop.example/new", 301)
                ),
                (
                    4,
                    "https://shop.example/a".to_owned(),
                    redirect("https://b.example/x", 302)
                ),
                (
                    5,
                    "https://shop.example/legacy".to_owned(),
                    redirect("https://shop.example/v2", 308)
                ),
                (6, "https://shop.example/app/".to_owned(), in_place(200)),
                (7, "https://shop.example/gone".to_owned(), in_place(404)),
                (
                    8,
                    "https://old.example/p".to_owned(),
                    redirect("https://shop.example/p", 301)
                ),
            ]
        );
    }

    #[test]
    fn patterns_are_skipped_and_counted() {
        let input = "/blog/* /news/:splat 301\n/plain /target\n/news/:year/:slug /articles/:slug\n/store id=:id /blog/:id 301\n/ /fr 302 Language=fr\n/admin/* /login 401! Role=admin\n/x /y 302 Country=us,ca\n/last /end\n";
        let mut rows = open(
            "_redirects",
            input.as_bytes(),
            &InputOptions {
                format: None,
                base: url(BASE),
            },
        )
        .unwrap();
        let first = rows.next().unwrap().unwrap();
        assert_eq!(first.line, 2);
        assert_eq!(rows.skipped_patterns().count, 1);
        let rest: Vec<_> = rows.by_ref().map(|row| row.unwrap().line).collect();
        assert_eq!(rest, [8]);
        assert_eq!(rows.skipped_patterns().count, 6);
        assert_eq!(rows.skipped_patterns().first_lines, [1, 3, 4, 5, 6]);
    }

    #[test]
    fn malformed_rules_name_file_and_line() {
        let cases = [
            (
                "/only\n",
                "_redirects:1: the rule has no target (from to [status])",
            ),
            (
                "/a /b 3o1\n",
                "_redirects:1: the status \"3o1\" is not an HTTP status (100 to 599)",
            ),
            (
                "/a /b 301 extra\n",
                "_redirects:1: \"extra\" is neither a status nor a condition (from to [status] [Key=value])",
            ),
            (
                "#\n/a ht!tp://x\n",
                "_redirects:2: the target \"ht!tp://x\" is not a URL",
            ),
        ];
        for (input, expected) in cases {
            let rows = read_with_base("_redirects", input, BASE);
            assert_eq!(errors(&rows), [expected], "{input:?}");
        }
        let rows = read("_redirects", "/a /b\n", None);
        assert_eq!(
            errors(&rows),
            ["_redirects:1: the source \"/a\" is a path: give --base URL to resolve it"]
        );
    }
}
