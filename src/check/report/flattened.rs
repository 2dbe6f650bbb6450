//! `--write-flattened`: each map written again byte for byte, except the target of every row
//! that reached a 2xx after redirecting somewhere else than its target: that target becomes the
//! URL the row ended on, written as the format writes a value, so the next deploy has no chains.
//!
//! Everything else stays as it was (comments, blank lines, line endings, quoting, columns hops
//! does not read, pattern rules, Netlify's `!` and conditions, rows that failed or were not
//! checked), so deploying the file changes the targets and nothing else. Each row knows where
//! its target is written ([`TargetSpan`]); rows arrive in input order, so the original file is
//! copied up to the next span, the new value written and the old one skipped: constant memory.
//! With `--unordered` they arrive in any order: the new values are kept and written at the end.
//!
//! Each file is written beside its destination under a temporary name and renamed into place
//! once complete, so a run that stops on an error leaves no half-written map to deploy.

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use tempfile::NamedTempFile;
use url::Position;

use crate::check::input::{InputFormat, is_pattern};
use crate::config::UsageError;
use crate::model::{Chain, Row, TargetSpan};

/// A map to write again: its name as given (`-` for stdin), where to read it, its format.
pub struct MapSource<'a> {
    pub name: &'a str,
    pub path: &'a Path,
    pub format: InputFormat,
}

/// The flattened maps being written, one file per map.
pub struct Flattened {
    outputs: Vec<Output>,
    ordered: bool,
}

/// One map being copied to its flattened file.
struct Output {
    name: String,
    format: InputFormat,
    input: BufReader<File>,
    /// Bytes of the input copied or skipped so far.
    at: u64,
    out: BufWriter<NamedTempFile>,
    path: PathBuf,
    /// New targets not yet written (only with `--unordered`).
    pending: Vec<(TargetSpan, String)>,
}

impl Flattened {
    /// Opens every map's flattened file before any request, so a bad path costs none: `dest`
    /// itself for one map; `dest/<the map's file name>` when `dest` is a directory, which
    /// several maps need (as `cp` does). `ordered` says rows arrive in input order.
    pub fn create(
        dest: &Path,
        maps: &[MapSource<'_>],
        ordered: bool,
    ) -> Result<Flattened, UsageError> {
        let mut paths: Vec<PathBuf> = Vec::new();
        for map in maps {
            if matches!(map.format, InputFormat::UrlList | InputFormat::Sitemap) {
                return Err(UsageError(format!(
                    "--write-flattened: {} has no targets to point anywhere else",
                    map.name
                )));
            }
            let path = destination(dest, map, maps.len())?;
            if let Some(other) = paths.iter().position(|earlier| *earlier == path) {
                return Err(UsageError(format!(
                    "--write-flattened: {} and {} would both be written to {}: give the maps \
                     different file names",
                    maps[other].name,
                    map.name,
                    path.display()
                )));
            }
            if same_file(&path, map.path) {
                return Err(UsageError(format!(
                    "--write-flattened: {} is the map {} itself, which the check reads: write \
                     elsewhere, then replace it",
                    path.display(),
                    map.name
                )));
            }
            paths.push(path);
        }
        let mut outputs = Vec::new();
        for (map, path) in maps.iter().zip(paths) {
            let input = File::open(map.path)
                .map_err(|err| UsageError(format!("cannot read {}: {err}", map.name)))?;
            let out = temp_beside(&path)
                .map_err(|err| UsageError(format!("cannot write {}: {err}", path.display())))?;
            outputs.push(Output {
                name: map.name.to_owned(),
                format: map.format,
                input: BufReader::new(input),
                at: 0,
                out: BufWriter::new(out),
                path,
                pending: Vec::new(),
            });
        }
        Ok(Flattened { outputs, ordered })
    }

    /// Points `row`'s target at where its chain ended, when that is a 2xx reached by
    /// redirecting somewhere else than its target; leaves it as it was otherwise.
    pub fn row(&mut self, row: &Row, chain: &Chain) -> io::Result<()> {
        let Some(format) = self.output(&row.file).map(|output| output.format) else {
            return Ok(());
        };
        match new_target(row, chain, format) {
            Some((span, value)) => self.replace(&row.file, span, value),
            None => Ok(()),
        }
    }

    fn output(&mut self, file: &str) -> Option<&mut Output> {
        self.outputs.iter_mut().find(|output| output.name == file)
    }

    /// Replaces the target at `span` of map `file` with `value`, now or at the end.
    fn replace(&mut self, file: &str, span: TargetSpan, value: String) -> io::Result<()> {
        let ordered = self.ordered;
        let Some(output) = self.output(file) else {
            return Ok(());
        };
        if ordered {
            output.replace(span, &value)
        } else {
            output.pending.push((span, value));
            Ok(())
        }
    }

    /// Writes what is left of every map (and the new targets kept for the end), and flushes.
    pub fn finish(self) -> io::Result<()> {
        for mut output in self.outputs {
            let mut pending = std::mem::take(&mut output.pending);
            pending.sort_by_key(|(span, _)| span.start);
            for (span, value) in pending {
                output.replace(span, &value)?;
            }
            io::copy(&mut output.input, &mut output.out)?;
            let file = output.out.into_inner().map_err(|err| err.into_error())?;
            file.persist(&output.path).map_err(|err| err.error)?;
        }
        Ok(())
    }
}

impl Output {
    /// Copies the input up to `span`, writes `value` there in place of what it held.
    fn replace(&mut self, span: TargetSpan, value: &str) -> io::Result<()> {
        if span.start < self.at || span.end < span.start {
            // Spans only move forward: one behind was already copied as it was.
            return Ok(());
        }
        let copied = io::copy(
            &mut (&mut self.input).take(span.start - self.at),
            &mut self.out,
        )?;
        let mut old = Vec::new();
        (&mut self.input)
            .take(span.end - span.start)
            .read_to_end(&mut old)?;
        self.at += copied + old.len() as u64;
        if self.at != span.end {
            // The file changed under the check: keep what it holds now.
            self.out.write_all(&old)?;
            return Ok(());
        }
        self.out.write_all(&encode(self.format, &old, value))
    }
}

/// Where `map` is written: into `dest` under its own file name when `dest` is a directory.
fn destination(dest: &Path, map: &MapSource<'_>, maps: usize) -> Result<PathBuf, UsageError> {
    if !dest.is_dir() {
        if maps > 1 {
            return Err(UsageError(format!(
                "--write-flattened: {maps} maps are written one file each, under their own \
                 names: give a directory, not {}",
                dest.display()
            )));
        }
        return Ok(dest.to_owned());
    }
    match Path::new(map.name).file_name() {
        Some(name) if map.name != "-" => Ok(dest.join(name)),
        _ => Err(UsageError(format!(
            "--write-flattened: the map read from {} has no file name to write it under in {}: \
             give a file",
            if map.name == "-" { "stdin" } else { map.name },
            dest.display()
        ))),
    }
}

/// A new file in `path`'s directory, to be renamed to `path` once written.
fn temp_beside(path: &Path) -> io::Result<NamedTempFile> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    let mut builder = tempfile::Builder::new();
    builder.prefix(".hops-flattened-");
    // As `File::create` makes a file (0o666 less the umask), not a temporary one's 0o600.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    builder.tempfile_in(dir)
}

/// Are these the same file (so writing one would empty the other before it is read)?
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The span to replace and the new value of `row`'s target, if it has a new one.
fn new_target(row: &Row, chain: &Chain, format: InputFormat) -> Option<(TargetSpan, String)> {
    let span = row.target_at?;
    let target = row.expect.target.as_ref()?;
    let last = chain
        .final_response()
        .filter(|last| (200..300).contains(&last.status) && chain.redirects() > 0)?;
    if last.url == *target {
        return None;
    }
    // A path was resolved against the target's origin (`--base`): on that origin it stays one.
    let value = if span.path && last.url.origin() == target.origin() {
        last.url[Position::BeforePath..].to_owned()
    } else {
        last.url.to_string()
    };
    // A value Netlify or Vercel would read as a pattern (a `:name`, a splat) would send the
    // source somewhere else again: such a row keeps its target.
    if matches!(format, InputFormat::Netlify | InputFormat::Vercel) && is_pattern(&value) {
        return None;
    }
    Some((span, value))
}

/// `value` written where `old` was, as the format writes a value there.
fn encode(format: InputFormat, old: &[u8], value: &str) -> Vec<u8> {
    match format {
        InputFormat::Csv | InputFormat::Tsv | InputFormat::Cloudflare => {
            let delimiter = if format == InputFormat::Tsv {
                '\t'
            } else {
                ','
            };
            encode_field(old, value, delimiter)
        }
        // JSON's own escaping, within the string's quotes.
        InputFormat::Vercel => serde_json::to_string(value)
            .unwrap_or_default()
            .into_bytes(),
        // A token: a serialized URL holds no whitespace.
        InputFormat::Netlify | InputFormat::UrlList | InputFormat::Sitemap => {
            value.as_bytes().to_vec()
        }
    }
}

/// A CSV field: quoted (inner quotes doubled) when the old one was or when the value needs it;
/// an unquoted field keeps the spaces around it.
fn encode_field(old: &[u8], value: &str, delimiter: char) -> Vec<u8> {
    let core = old.trim_ascii();
    let needs_quotes = value.contains([delimiter, '"', '\r', '\n']) || value.starts_with('#');
    if core.starts_with(b"\"") || needs_quotes {
        return format!("\"{}\"", value.replace('"', "\"\"")).into_bytes();
    }
    let lead = old.len() - old.trim_ascii_start().len();
    let trail = old.trim_ascii_start().len() - core.len();
    let mut field = old[..lead].to_vec();
    field.extend_from_slice(value.as_bytes());
    field.extend_from_slice(&old[old.len() - trail..]);
    field
}

#[cfg(test)]
mod tests {
    use super::*;

    fn encoded(format: InputFormat, old: &str, value: &str) -> String {
        String::from_utf8(encode(format, old.as_bytes(), value)).unwrap()
    }

    #[test]
    fn spans_are_replaced_in_any_order_and_the_rest_copied() {
        let dir = tempfile::tempdir().unwrap();
        let map = dir.path().join("map.csv");
        std::fs::write(&map, "source,target\n/a,/b\n/c,\"/d\"\n/e,/f\n").unwrap();
        let span = |start, end| TargetSpan {
            start,
            end,
            path: true,
        };
        for ordered in [true, false] {
            let out = dir.path().join(format!("flat-{ordered}.csv"));
            let source = MapSource {
                name: "map.csv",
                path: &map,
                format: InputFormat::Csv,
            };
            let mut flattened = Flattened::create(&out, &[source], ordered).unwrap();
            let edits = [(span(17, 19), "/z"), (span(23, 27), "/y,x")];
            let edits = if ordered {
                edits.to_vec()
            } else {
                edits.into_iter().rev().collect()
            };
            for (span, value) in edits {
                flattened
                    .replace("map.csv", span, value.to_owned())
                    .unwrap();
            }
            flattened.finish().unwrap();
            assert_eq!(
                std::fs::read_to_string(&out).unwrap(),
                "source,target\n/a,/z\n/c,\"/y,x\"\n/e,/f\n",
                "ordered: {ordered}"
            );
        }
        // A run that stops before the end leaves no file behind, nor any temporary one.
        let out = dir.path().join("stopped.csv");
        let source = MapSource {
            name: "map.csv",
            path: &map,
            format: InputFormat::Csv,
        };
        let mut flattened = Flattened::create(&out, &[source], true).unwrap();
        flattened
            .replace("map.csv", span(17, 19), "/z".to_owned())
            .unwrap();
        drop(flattened);
        let mut left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|entry| entry.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(left, ["flat-false.csv", "flat-true.csv", "map.csv"]);
    }

    #[test]
    fn values_are_written_as_each_format_writes_them() {
        let cases = [
            (InputFormat::Csv, "/old", "/new", "/new"),
            (InputFormat::Csv, " /old ", "/new", " /new "),
            (InputFormat::Csv, "\"/old\"", "/new", "\"/new\""),
            (InputFormat::Csv, "/old", "/a,b", "\"/a,b\""),
            (InputFormat::Csv, " /old", "/a\"b", "\"/a\"\"b\""),
            (
                InputFormat::Cloudflare,
                "https://a.example/",
                "/a,b",
                "\"/a,b\"",
            ),
            (InputFormat::Tsv, "/old", "/a,b", "/a,b"),
            (InputFormat::Tsv, "/old", "/a\tb", "\"/a\tb\""),
            (
                InputFormat::Netlify,
                "/old",
                "https://b.example/x?y=1",
                "https://b.example/x?y=1",
            ),
            (
                InputFormat::Vercel,
                "\"/old\"",
                "/a\"b\\c",
                "\"/a\\\"b\\\\c\"",
            ),
            (InputFormat::Vercel, "\"/old\"", "/a/b", "\"/a/b\""),
        ];
        for (format, old, value, expected) in cases {
            assert_eq!(
                encoded(format, old, value),
                expected,
                "{format} {old:?} {value:?}"
            );
        }
    }
}
