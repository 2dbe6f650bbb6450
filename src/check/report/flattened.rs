//! `--write-flattened FILE`: the map written back in its own format with every source that
//! reached a 2xx pointed straight at the URL it ended on, so the next deploy has no chains.
//!
//! Rows that did not end in 2xx keep the target and status they had: a flattened map must not
//! point a source at a 404 it happened to reach. Rows are written as they arrive, in input
//! order; a Vercel file is one JSON document, written as it goes with its brackets around.

use std::io::{self, Write};

use url::Url;

use crate::check::input::InputFormat;
use crate::model::{Chain, Row};

/// A flattened map being written.
pub struct FlattenedMap<W: Write> {
    out: W,
    format: InputFormat,
    rows: usize,
}

/// The formats a map can be written back in: those with targets.
pub fn can_write(format: InputFormat) -> bool {
    !matches!(format, InputFormat::UrlList | InputFormat::Sitemap)
}

impl<W: Write> FlattenedMap<W> {
    /// Starts the file (a header, or the opening of the JSON document).
    pub fn new(mut out: W, format: InputFormat) -> io::Result<Self> {
        match format {
            InputFormat::Csv => writeln!(out, "source,target,status")?,
            InputFormat::Tsv => writeln!(out, "source\ttarget\tstatus")?,
            InputFormat::Netlify => writeln!(
                out,
                "# Flattened: every source points at the URL it ended on."
            )?,
            InputFormat::Vercel => write!(out, "{{\n  \"redirects\": [")?,
            _ => {}
        }
        Ok(FlattenedMap {
            out,
            format,
            rows: 0,
        })
    }

    /// Writes `row` pointed at its final URL when the chain ended in 2xx after a redirect, as
    /// it was otherwise; a row with no target and no 2xx end (a URL list's) has nothing to say.
    pub fn row(&mut self, row: &Row, chain: &Chain) -> io::Result<()> {
        let landed = chain
            .final_response()
            .filter(|last| (200..300).contains(&last.status) && chain.redirects() > 0);
        let target = match (landed, &row.expect.target) {
            (Some(last), _) => &last.url,
            (None, Some(target)) => target,
            (None, None) => return Ok(()),
        };
        let status = row
            .expect
            .status
            .filter(|status| (300..400).contains(status))
            .unwrap_or(301);
        let (source, target) = (&row.source, target);
        match self.format {
            InputFormat::Csv | InputFormat::Cloudflare => {
                let mut writer = csv::WriterBuilder::new()
                    .has_headers(false)
                    .from_writer(&mut self.out);
                writer.write_record([source.as_str(), target.as_str(), &status.to_string()])?;
                writer.flush()?;
            }
            InputFormat::Tsv => {
                let mut writer = csv::WriterBuilder::new()
                    .has_headers(false)
                    .delimiter(b'\t')
                    .from_writer(&mut self.out);
                writer.write_record([source.as_str(), target.as_str(), &status.to_string()])?;
                writer.flush()?;
            }
            InputFormat::Netlify => writeln!(
                self.out,
                "{}  {}  {status}",
                path_if_same_origin(source, source),
                path_if_same_origin(target, source)
            )?,
            InputFormat::Vercel => {
                let entry = serde_json::json!({
                    "source": source.path(),
                    "destination": path_if_same_origin(target, source),
                    "statusCode": status,
                });
                let separator = if self.rows == 0 { "" } else { "," };
                write!(self.out, "{separator}\n    {entry}")?;
            }
            InputFormat::UrlList | InputFormat::Sitemap => return Ok(()),
        }
        self.rows += 1;
        Ok(())
    }

    /// Closes the JSON document of a Vercel file, and flushes.
    pub fn finish(mut self) -> io::Result<()> {
        if self.format == InputFormat::Vercel {
            writeln!(self.out, "\n  ]\n}}")?;
        }
        self.out.flush()
    }
}

/// `url` as a path (and query) when it is on `base`'s origin, as these files write their
/// rules; in full otherwise.
fn path_if_same_origin(url: &Url, base: &Url) -> String {
    if url.origin() == base.origin() {
        match url.query() {
            Some(query) => format!("{}?{query}", url.path()),
            None => url.path().to_owned(),
        }
    } else {
        url.to_string()
    }
}
