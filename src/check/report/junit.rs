//! The CI report of `hops check --report junit`: JUnit XML, one `testcase` per row (named by
//! its line and source, its class the map's file), with a `failure` for a failing row that
//! holds its message and its chain, one hop a line.
//!
//! The `testsuite` tag carries the counts of tests and failures and the total time, which are
//! known only at the end, and tags cannot be rewritten once written. So the testcases are
//! written as they come to a spool (an unnamed temporary file, [`spool`]) and copied out after
//! the tags with the counts: constant memory whatever the size of the map, at the price of
//! the report appearing only when the run ends (which is when CI reads it).

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use crate::model::{Chain, Redactor, Row, RowResult};
use crate::render::escape::escape;

const SUITE: &str = "hops check";

/// A JUnit report being written: testcases go to `spool` until [`JunitReport::finish`].
pub struct JunitReport<W: Write, S: Read + Write + Seek> {
    out: W,
    spool: BufWriter<S>,
    redactor: Redactor,
    tests: u64,
    failures: u64,
    time: Duration,
}

impl<W: Write, S: Read + Write + Seek> JunitReport<W, S> {
    /// A report to `out`, its testcases held in `spool` (empty) meanwhile.
    pub fn new(out: W, spool: S, redactor: Redactor) -> Self {
        JunitReport {
            out,
            spool: BufWriter::new(spool),
            redactor,
            tests: 0,
            failures: 0,
            time: Duration::ZERO,
        }
    }

    /// Adds one row's testcase.
    pub fn row(&mut self, row: &Row, result: &RowResult, chain: &Chain) -> io::Result<()> {
        self.tests += 1;
        self.time += chain.time;
        let name = format!("{} {}", row.line, self.redactor.url(&row.source));
        let spool = &mut self.spool;
        write!(
            spool,
            "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\"",
            xml(&name),
            xml(&row.file),
            seconds(chain.time)
        )?;
        if result.ok {
            return writeln!(spool, "/>");
        }
        self.failures += 1;
        let message = result.message();
        writeln!(
            spool,
            ">\n      <failure type=\"{}\" message=\"{}\">{}",
            result.kind.as_str(),
            xml(&message),
            xml(&message)
        )?;
        for hop in &chain.hops {
            writeln!(
                spool,
                "{} {}",
                hop.status,
                xml(&self.redactor.url(&hop.url))
            )?;
        }
        writeln!(spool, "</failure>\n    </testcase>")
    }

    /// Writes the whole document: the counts, then every testcase from the spool. Gives back
    /// the output.
    pub fn finish(self) -> io::Result<W> {
        let JunitReport {
            mut out,
            spool,
            tests,
            failures,
            time,
            ..
        } = self;
        let mut spool = spool.into_inner().map_err(|err| err.into_error())?;
        spool.seek(SeekFrom::Start(0))?;
        let counts = format!(
            "tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" time=\"{}\"",
            seconds(time)
        );
        writeln!(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>")?;
        writeln!(out, "<testsuites name=\"{SUITE}\" {counts}>")?;
        writeln!(out, "  <testsuite name=\"{SUITE}\" {counts} skipped=\"0\">")?;
        io::copy(&mut spool, &mut out)?;
        writeln!(out, "  </testsuite>\n</testsuites>")?;
        out.flush()?;
        Ok(out)
    }
}

/// Text as XML may hold it: control characters (which XML 1.0 cannot hold at all) and bidi
/// controls escaped as in every output, then markup characters as entities.
fn xml(text: &str) -> String {
    quick_xml::escape::escape(escape(text).as_ref()).into_owned()
}

fn seconds(time: Duration) -> String {
    format!("{:.3}", time.as_secs_f64())
}

/// An unnamed temporary file for [`JunitReport`]: on Unix removed as soon as it is open (it
/// lives until closed, and nothing is left behind if the process is killed); elsewhere
/// removed when dropped.
pub struct Spool {
    file: File,
    path: Option<PathBuf>,
}

/// Opens a new [`Spool`] in the system's temporary directory, readable by its owner only.
pub fn spool() -> io::Result<Spool> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |since| since.subsec_nanos());
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path =
            std::env::temp_dir().join(format!(".hops-junit-{}-{nanos}-{n}", std::process::id()));
        let mut options = OpenOptions::new();
        // `create_new` never opens what someone else put there (a link to another file).
        options.read(true).write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&path) {
            Ok(file) => {
                let path = fs::remove_file(&path).err().map(|_| path);
                return Ok(Spool { file, path });
            }
            Err(err) if err.kind() == io::ErrorKind::AlreadyExists && n < 1000 => continue,
            Err(err) => return Err(err),
        }
    }
}

impl Drop for Spool {
    fn drop(&mut self) {
        if let Some(path) = &self.path {
            let _ = fs::remove_file(path);
        }
    }
}

impl Read for Spool {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.file.read(buf)
    }
}

impl Write for Spool {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl Seek for Spool {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.file.seek(pos)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use super::*;
    use crate::check::report::text::tests::{HOSTILE, sample};
    use crate::render::escape::is_unsafe;

    fn written<S: Read + Write + Seek>(
        spool: S,
        edit: impl Fn(&mut Row, &mut RowResult),
    ) -> String {
        let mut report = JunitReport::new(Vec::new(), spool, Redactor::default());
        for (mut row, mut result, chain) in sample() {
            edit(&mut row, &mut result);
            report.row(&row, &result, &chain).unwrap();
        }
        String::from_utf8(report.finish().unwrap()).unwrap()
    }

    const GOLDEN: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="hops check" tests="3" failures="2" errors="0" time="0.037">
  <testsuite name="hops check" tests="3" failures="2" errors="0" time="0.037" skipped="0">
    <testcase name="2 https://a.test/old" classname="map.csv" time="0.012"/>
    <testcase name="3 https://a.test/old" classname="map.csv" time="0.012">
      <failure type="wrong_target" message="expected to end at https://a.test/else, ended at https://a.test/new">expected to end at https://a.test/else, ended at https://a.test/new
301 https://a.test/old
200 https://a.test/new
</failure>
    </testcase>
    <testcase name="4 https://b.test/x" classname="map.csv" time="0.012">
      <failure type="network_error" message="network error at hop 2: connection refused">network error at hop 2: connection refused
302 https://b.test/x
</failure>
    </testcase>
  </testsuite>
</testsuites>
"#;

    #[test]
    fn counts_first_then_every_testcase() {
        assert_eq!(written(Cursor::new(Vec::new()), |_, _| {}), GOLDEN);
        // The same through a real spool file.
        assert_eq!(written(spool().unwrap(), |_, _| {}), GOLDEN);
    }

    #[test]
    fn markup_and_controls_are_escaped() {
        let text = written(Cursor::new(Vec::new()), |row, result| {
            row.file = "a<b>&\"c'.csv".into();
            if !result.ok {
                result.broken = vec![format!("</failure><x a=\"1\">&amp;{HOSTILE}")];
            }
        });
        assert!(
            text.contains("classname=\"a&lt;b&gt;&amp;&quot;c&apos;.csv\""),
            "{text}"
        );
        let escaped =
            "&lt;/failure&gt;&lt;x a=&quot;1&quot;&gt;&amp;amp;\\x1b[2J\\x07\\u{9b}31m\\u{202e}";
        assert!(
            text.contains(&format!("message=\"{escaped}\">{escaped}\n")),
            "{text}"
        );
        assert!(!text.chars().any(|c| c != '\n' && is_unsafe(c)));
        // It stays well-formed: every element read back, and closed.
        let mut reader = quick_xml::Reader::from_str(&text);
        let mut depth = 0i32;
        loop {
            match reader.read_event().unwrap() {
                quick_xml::events::Event::Start(_) => depth += 1,
                quick_xml::events::Event::End(_) => depth -= 1,
                quick_xml::events::Event::Eof => break,
                _ => {}
            }
        }
        assert_eq!(depth, 0);
    }

    #[test]
    fn the_spool_is_unnamed_and_reads_back() {
        let mut spool = spool().unwrap();
        // On Unix its name is gone already: nothing to clean up, even after a kill.
        #[cfg(unix)]
        assert!(spool.path.is_none());
        spool.write_all(b"testcases").unwrap();
        spool.seek(SeekFrom::Start(4)).unwrap();
        let mut back = String::new();
        spool.read_to_string(&mut back).unwrap();
        assert_eq!(back, "cases");
    }
}
