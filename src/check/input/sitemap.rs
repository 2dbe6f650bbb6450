//! sitemap.xml: every `<url><loc>` is a row that must answer 2xx without redirecting
//! (`no_redirect`), streamed by quick-xml so a 50,000-URL sitemap is never held whole.
//!
//! A sitemap index (`<sitemapindex>`) lists sitemaps, not pages: it is refused with a usage
//! error rather than fetched, since `hops check` reads local maps and does no I/O of its own
//! here. Other `<loc>`s (an image sitemap's `<image:loc>`) are not pages of the site: ignored.

use std::io::BufRead;

use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::Event;

use super::line_index::LineIndex;
use super::{Context, Parser, RowError};
use crate::model::{Row, RowExpect};

const INDEX: &str = "a sitemap index: check each sitemap it lists";

/// Does this start of a sitemap open a sitemap index?
pub(super) fn is_index(prefix: &[u8]) -> bool {
    prefix
        .windows(b"sitemapindex".len() + 1)
        .any(|window| matches!(window[0], b'<' | b':') && &window[1..] == b"sitemapindex")
}

pub(super) struct SitemapParser<R> {
    reader: Reader<LineIndex<R>>,
    buffer: Vec<u8>,
    depth: usize,
    in_url: bool,
    /// Inside a `<url>`'s `<loc>`: its line and its text so far.
    loc: Option<(usize, String)>,
}

impl<R: BufRead> SitemapParser<R> {
    pub(super) fn new(input: R) -> Self {
        SitemapParser {
            reader: Reader::from_reader(LineIndex::new(input)),
            buffer: Vec::new(),
            depth: 0,
            in_url: false,
            loc: None,
        }
    }
}

impl<R: BufRead> Parser for SitemapParser<R> {
    fn next_row(&mut self, context: &mut Context) -> Option<Result<Row, RowError>> {
        loop {
            self.buffer.clear();
            let event = match self.reader.read_event_into(&mut self.buffer) {
                Ok(event) => event,
                Err(error) => {
                    let offset = self.reader.error_position();
                    let line = self.reader.get_mut().line_at(offset);
                    return Some(Err(context.fatal(line, format!("not valid XML: {error}"))));
                }
            };
            // The line of the event's last byte: a `<loc>` tag's `>`.
            let offset = self.reader.buffer_position().saturating_sub(1);
            let line = self.reader.get_mut().line_at(offset);
            match event {
                Event::Start(element) => {
                    self.depth += 1;
                    let name = element.local_name();
                    let name = name.as_ref();
                    match (self.depth, name) {
                        (1, b"urlset") => {}
                        (1, b"sitemapindex") => return Some(Err(context.fatal(line, INDEX))),
                        (1, _) => {
                            let name = String::from_utf8_lossy(name).into_owned();
                            return Some(Err(context.fatal(
                                line,
                                format!(
                                    "not a sitemap: the root element is <{name}>, not <urlset>"
                                ),
                            )));
                        }
                        (2, b"url") => self.in_url = true,
                        (3, b"loc") if self.in_url => self.loc = Some((line, String::new())),
                        _ => {}
                    }
                }
                Event::Text(text) => {
                    if let Some((_, loc)) = &mut self.loc {
                        loc.push_str(&text.decode().unwrap_or_default());
                    }
                }
                Event::CData(text) => {
                    if let Some((_, loc)) = &mut self.loc {
                        loc.push_str(&text.decode().unwrap_or_default());
                    }
                }
                Event::GeneralRef(reference) => {
                    if let Some((_, loc)) = &mut self.loc {
                        let resolved = match reference.resolve_char_ref() {
                            Ok(Some(c)) => Some(c.to_string()),
                            Ok(None) => reference
                                .decode()
                                .ok()
                                .and_then(|name| resolve_predefined_entity(&name))
                                .map(str::to_owned),
                            Err(_) => None,
                        };
                        let Some(resolved) = resolved else {
                            let name = String::from_utf8_lossy(&reference).into_owned();
                            self.loc = None;
                            return Some(Err(context.error(
                                line,
                                format!("the <loc> holds an unknown entity &{name};"),
                            )));
                        };
                        loc.push_str(&resolved);
                    }
                }
                Event::End(_) => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.depth < 2 {
                        self.in_url = false;
                    }
                    if self.depth == 2
                        && let Some((line, loc)) = self.loc.take()
                    {
                        let expect = RowExpect {
                            no_redirect: true,
                            ..RowExpect::default()
                        };
                        return Some(
                            context
                                .url(&loc, "<loc>", line)
                                .map(|source| context.row(line, source, expect)),
                        );
                    }
                }
                Event::Eof => return None,
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::InputFormat;
    use super::super::tests::{errors, open_error, read, read_with_base, sources};
    use crate::model::RowExpect;

    #[test]
    fn every_url_loc_is_a_row_that_must_not_redirect() {
        let input = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:image=\"http://www.google.com/schemas/sitemap-image/1.1\">\r\n  <url>\r\n    <loc>https://shop.example/</loc>\r\n    <lastmod>2024-01-01</lastmod>\r\n  </url>\r\n  <!-- <url><loc>https://shop.example/commented</loc></url> -->\r\n  <url><loc>\n  https://shop.example/a?x=1&amp;y=&#50;\n  </loc>\r\n    <image:image><image:loc>https://cdn.example/i.png</image:loc></image:image>\r\n  </url>\r\n  <url><loc><![CDATA[https://shop.example/c]]></loc></url>\r\n</urlset>\r\n";
        let rows = read("sitemap.xml", input, None);
        assert_eq!(
            sources(&rows),
            [
                (4, "https://shop.example/".to_owned()),
                (8, "https://shop.example/a?x=1&y=2".to_owned()),
                (13, "https://shop.example/c".to_owned()),
            ]
        );
        let expect = RowExpect {
            no_redirect: true,
            ..RowExpect::default()
        };
        assert!(
            rows.iter()
                .all(|row| row.as_ref().unwrap().expect == expect)
        );
        let rows = read_with_base(
            "-",
            "<urlset><url><loc>/p</loc></url></urlset>",
            "https://shop.example/",
        );
        assert_eq!(sources(&rows), [(1, "https://shop.example/p".to_owned())]);
    }

    #[test]
    fn malformed_locs_and_broken_xml() {
        let cases = [
            (
                "<urlset>\n<url><loc>ht!tp://x</loc></url></urlset>",
                vec!["sitemap.xml:2: the <loc> \"ht!tp://x\" is not a URL"],
            ),
            (
                "<urlset>\n<url><loc></loc></url></urlset>",
                vec!["sitemap.xml:2: the <loc> is empty"],
            ),
            (
                "<urlset><url><loc>https://a.example/&nbsp;</loc></url></urlset>",
                vec!["sitemap.xml:1: the <loc> holds an unknown entity &nbsp;"],
            ),
            (
                "<html>\n<body/></html>",
                vec!["sitemap.xml:1: not a sitemap: the root element is <html>, not <urlset>"],
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                errors(&read("sitemap.xml", input, None)),
                expected,
                "{input}"
            );
        }
        // Broken XML ends the rows with a fatal error after the good ones.
        let rows = read(
            "sitemap.xml",
            "<urlset>\n<url><loc>https://a.example/</loc></url>\n<url></loc></urlset>",
            None,
        );
        assert_eq!(sources(&rows).len(), 1);
        let error = rows.last().unwrap().as_ref().unwrap_err();
        assert!(error.fatal);
        assert!(
            error
                .to_string()
                .starts_with("sitemap.xml:3: not valid XML"),
            "{error}"
        );
    }

    #[test]
    fn a_sitemap_index_is_a_usage_error() {
        let index = "<?xml version=\"1.0\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"><sitemap><loc>https://a.example/s1.xml</loc></sitemap></sitemapindex>";
        assert_eq!(
            open_error("sitemap.xml", index, None),
            "sitemap.xml: a sitemap index: check each sitemap it lists"
        );
        assert_eq!(
            open_error("-", index, Some(InputFormat::Sitemap)),
            "-: a sitemap index: check each sitemap it lists"
        );
        // Past the first bytes, the reader still refuses it.
        let late = format!("<!--{}-->\n<sitemapindex></sitemapindex>", " ".repeat(9000));
        let rows = read("sitemap.xml", late, None);
        assert_eq!(
            errors(&rows),
            ["sitemap.xml:2: a sitemap index: check each sitemap it lists"]
        );
    }
}
