//! Detection, the URL rule, and the helpers the format readers' tests share.

use std::io::{BufRead, BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use url::Url;

use super::*;

/// Every item of `input` read as `name`, panicking if the input cannot be opened.
pub(super) fn read(
    name: &str,
    input: impl AsRef<[u8]>,
    format: Option<InputFormat>,
) -> Vec<Result<Row, RowError>> {
    read_options(name, input, &InputOptions { format, base: None })
}

pub(super) fn read_with_base(
    name: &str,
    input: impl AsRef<[u8]>,
    base: &str,
) -> Vec<Result<Row, RowError>> {
    let options = InputOptions {
        format: None,
        base: Some(Url::parse(base).unwrap()),
    };
    read_options(name, input, &options)
}

pub(super) fn read_options(
    name: &str,
    input: impl AsRef<[u8]>,
    options: &InputOptions,
) -> Vec<Result<Row, RowError>> {
    match open(name, input.as_ref(), options) {
        Ok(rows) => rows.collect(),
        Err(error) => panic!("{name}: {error}"),
    }
}

/// The error `open` returns, as its message.
pub(super) fn open_error(
    name: &str,
    input: impl AsRef<[u8]>,
    format: Option<InputFormat>,
) -> String {
    let options = InputOptions { format, base: None };
    match open(name, input.as_ref(), &options) {
        Ok(rows) => panic!("{name} opened as {}", rows.format()),
        Err(error) => error.to_string(),
    }
}

/// `(line, source)` of every good row.
pub(super) fn sources(rows: &[Result<Row, RowError>]) -> Vec<(usize, String)> {
    rows.iter()
        .flatten()
        .map(|row| (row.line, row.source.to_string()))
        .collect()
}

/// Every malformed row, as its message.
pub(super) fn errors(rows: &[Result<Row, RowError>]) -> Vec<String> {
    rows.iter()
        .filter_map(|row| row.as_ref().err())
        .map(ToString::to_string)
        .collect()
}

pub(super) fn url(text: &str) -> Option<Url> {
    Some(Url::parse(text).unwrap())
}

#[test]
fn detection_from_the_name() {
    let cases = [
        ("map.csv", "source,target\n/a,/b\n", InputFormat::Csv),
        (
            "map.CSV",
            "shop.example/a,https://shop.example/b,301\n",
            InputFormat::Cloudflare,
        ),
        (
            "map.csv",
            "\"https://a.example/x\",https://a.example/y\n",
            InputFormat::Cloudflare,
        ),
        ("map.tsv", "from\tto\n", InputFormat::Tsv),
        (
            "vercel.json",
            "\n\n  {\"redirects\": []}",
            InputFormat::Vercel,
        ),
        ("sitemap.xml", "<urlset></urlset>", InputFormat::Sitemap),
        ("site/_redirects", "/a /b\n", InputFormat::Netlify),
        ("_redirects", "https://a.example/x\n", InputFormat::Netlify),
    ];
    for (name, input, expected) in cases {
        assert_eq!(
            detect(name, input.as_bytes()),
            expected,
            "{name}: {input:?}"
        );
    }
}

#[test]
fn detection_from_the_content() {
    let cases = [
        ("https://a.example/\nb.example\n", InputFormat::UrlList),
        ("# my urls\n\nhttps://a.example/x,y\n", InputFormat::UrlList),
        ("", InputFormat::UrlList),
        ("Source,Target,Status\n", InputFormat::Csv),
        ("\"old_url\",\"new_url\"\n", InputFormat::Csv),
        ("url\nhttps://a.example/\n", InputFormat::Csv),
        ("Address\tExpected\n", InputFormat::Tsv),
        (
            "a.example/x,https://b.example/y,301,TRUE\n",
            InputFormat::Cloudflare,
        ),
        ("# rules\n/old   /new 301!\n", InputFormat::Netlify),
        ("/a\t/b\n", InputFormat::Netlify),
        ("{\"redirects\": []}", InputFormat::Vercel),
        ("<?xml version=\"1.0\"?>\n<urlset/>", InputFormat::Sitemap),
    ];
    for (input, expected) in cases {
        assert_eq!(detect("-", input.as_bytes()), expected, "{input:?}");
        assert_eq!(detect("map.txt", input.as_bytes()), expected, "{input:?}");
    }
}

#[test]
fn a_bom_is_dropped_and_utf16_refused() {
    let rows = read(
        "map",
        "\u{feff}source,target\nhttps://a.example/,https://b.example/\n",
        None,
    );
    assert_eq!(sources(&rows), [(2, "https://a.example/".to_owned())]);
    let rows = read("urls", "\u{feff}https://a.example/\n", None);
    assert_eq!(sources(&rows), [(1, "https://a.example/".to_owned())]);
    assert_eq!(
        open_error("map.csv", b"\xFF\xFEs\0", None),
        "map.csv: the file is UTF-16: save it as UTF-8"
    );
}

#[test]
fn the_format_can_be_forced_and_named() {
    let rows = open(
        "map.csv",
        "https://a.example/\n".as_bytes(),
        &InputOptions {
            format: Some(InputFormat::UrlList),
            base: None,
        },
    )
    .unwrap();
    assert_eq!(rows.format(), InputFormat::UrlList);
    assert_eq!(rows.file(), "map.csv");
    for format in InputFormat::ALL {
        assert_eq!(InputFormat::from_name(format.as_str()), Some(format));
    }
    assert_eq!(InputFormat::from_name("CSV"), Some(InputFormat::Csv));
    assert_eq!(InputFormat::from_name("yaml"), None);
}

#[test]
fn the_url_rule() {
    let base = Url::parse("https://shop.example/en/").unwrap();
    let cases: [(&str, Option<&Url>, Result<&str, &str>); 10] = [
        ("https://a.example/x", None, Ok("https://a.example/x")),
        ("a.example/x", None, Ok("http://a.example/x")),
        ("  a.example  ", None, Ok("http://a.example/")),
        ("/old", Some(&base), Ok("https://shop.example/old")),
        (
            "https://a.example/x",
            Some(&base),
            Ok("https://a.example/x"),
        ),
        (
            "/old",
            None,
            Err("the target \"/old\" is a path: give --base URL to resolve it"),
        ),
        (
            "ht!tp://",
            None,
            Err("the target \"ht!tp://\" is not a URL"),
        ),
        (
            "https://",
            None,
            Err("the target \"https://\" is not a URL: empty host"),
        ),
        ("", None, Err("the target is empty")),
        (
            "mailto://x.example",
            None,
            Err("the target \"mailto://x.example\" is not an http or https URL"),
        ),
    ];
    for (raw, base, expected) in cases {
        let got = parse_url(raw, "target", base).map(String::from);
        assert_eq!(
            got,
            expected.map(str::to_owned).map_err(str::to_owned),
            "{raw}"
        );
    }
}

/// A reader that counts the bytes handed out, to show rows come before the input is read.
struct Counting<R> {
    inner: R,
    read: Arc<AtomicUsize>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.fetch_add(n, Ordering::Relaxed);
        Ok(n)
    }
}

/// 200,000 rows generated on the fly: never in memory as a whole, on either side.
struct Generated {
    next: usize,
    rows: usize,
    pending: Vec<u8>,
    format: InputFormat,
}

impl Read for Generated {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.pending.len() < buf.len() && self.next <= self.rows + 1 {
            let n = self.next;
            let line = match (self.format, n) {
                (InputFormat::Sitemap, n) if n > self.rows => "</urlset>\n".to_owned(),
                (_, n) if n > self.rows => String::new(),
                (InputFormat::Csv, 0) => "source,target,status\n".to_owned(),
                (InputFormat::Csv, _) => {
                    format!("https://shop.example/old/{n},https://shop.example/new/{n},301\n")
                }
                (InputFormat::Netlify, _) => format!("/old/{n} /new/{n} 301\n"),
                (InputFormat::Sitemap, 0) => "<urlset>\n".to_owned(),
                (InputFormat::Sitemap, _) => {
                    format!("<url><loc>https://shop.example/{n}</loc></url>\n")
                }
                (_, _) => format!("https://shop.example/{n}\n"),
            };
            self.pending.extend_from_slice(line.as_bytes());
            self.next += 1;
        }
        let n = buf.len().min(self.pending.len());
        buf[..n].copy_from_slice(&self.pending[..n]);
        self.pending.drain(..n);
        Ok(n)
    }
}

#[test]
fn a_large_map_is_read_lazily() {
    const ROWS: usize = 200_000;
    for format in [
        InputFormat::UrlList,
        InputFormat::Csv,
        InputFormat::Netlify,
        InputFormat::Sitemap,
    ] {
        let read = Arc::new(AtomicUsize::new(0));
        let generated = Generated {
            next: usize::from(matches!(
                format,
                InputFormat::UrlList | InputFormat::Netlify
            )),
            rows: ROWS,
            pending: Vec::new(),
            format,
        };
        let reader = BufReader::new(Counting {
            inner: generated,
            read: Arc::clone(&read),
        });
        let options = InputOptions {
            format: None,
            base: Some(Url::parse("https://shop.example/").unwrap()),
        };
        let mut rows = open("-", reader, &options).unwrap();
        assert_eq!(rows.format(), format);
        let first = rows.next().unwrap().unwrap();
        assert!(
            first.source.as_str().ends_with("/1"),
            "{format}: {}",
            first.source
        );
        let after_first = read.load(Ordering::Relaxed);
        assert!(
            after_first < 64 * 1024,
            "{format}: {after_first} bytes read for one row"
        );
        let mut count = 1;
        let mut last_line = first.line;
        for row in rows.by_ref() {
            let row = row.unwrap();
            assert!(row.line > last_line);
            last_line = row.line;
            count += 1;
        }
        assert_eq!(count, ROWS, "{format}");
        assert!(read.load(Ordering::Relaxed) > 100 * after_first);
    }
}

/// `BufRead` is all `open` asks for: stdin, a file, a slice.
#[test]
fn open_takes_any_bufread() {
    fn check(reader: impl BufRead) {
        let rows: Vec<_> = open("-", reader, &InputOptions::default())
            .unwrap()
            .collect();
        assert_eq!(rows.len(), 1);
    }
    check("https://a.example/\n".as_bytes());
    check(BufReader::new("https://a.example/\n".as_bytes()));
}

/// The text each good row's target span covers in `input`, and whether it was a path.
fn target_texts(name: &str, input: &[u8], format: Option<InputFormat>) -> Vec<(String, bool)> {
    let options = InputOptions {
        format,
        base: Some(Url::parse("https://shop.example/").unwrap()),
    };
    read_options(name, input, &options)
        .into_iter()
        .map(|row| {
            let at = row.unwrap().target_at.expect("a target span");
            let text = &input[at.start as usize..at.end as usize];
            (String::from_utf8(text.to_vec()).unwrap(), at.path)
        })
        .collect()
}

fn texts(expected: &[(&str, bool)]) -> Vec<(String, bool)> {
    expected
        .iter()
        .map(|(text, path)| ((*text).to_owned(), *path))
        .collect()
}

#[test]
fn target_spans_cover_the_target_as_written() {
    let csv = "\u{feff}source,note,target\r\n/a,\"x, y\",\"/b?q=\"\"1\"\"\"\r\n# c\r\n/c,, https://o.example/d \r\n/e,,/f";
    assert_eq!(
        target_texts("map.csv", csv.as_bytes(), None),
        texts(&[
            ("\"/b?q=\"\"1\"\"\"", true),
            (" https://o.example/d ", false),
            ("/f", true),
        ])
    );
    let tsv = "from\tto\n/a\t//cdn.example/b\n";
    assert_eq!(
        target_texts("map.tsv", tsv.as_bytes(), None),
        texts(&[("//cdn.example/b", false)])
    );
    let cloudflare = "shop.example/a,https://shop.example/b,301,TRUE\n";
    assert_eq!(
        target_texts(
            "bulk.csv",
            cloudflare.as_bytes(),
            Some(InputFormat::Cloudflare)
        ),
        texts(&[("https://shop.example/b", false)])
    );
    let netlify = "# moved\n\n  /a   /b   301!\r\n/blog/* /news/:splat\n/c\thttps://o.example/c 302\n/p /p2 302 Country=us\n/q  /q\n";
    assert_eq!(
        target_texts("_redirects", netlify.as_bytes(), None),
        texts(&[("/b", true), ("https://o.example/c", false), ("/q", true)])
    );
    let vercel = r#"{"redirects": [
  {"source": "/blog/:slug", "destination": "/news/:slug"},
  {"destination": "/ignored", "source": "/a", "destin\u0061tion": "/b\/c"},
  { "source": "/d",
    "destination" : "https://o.example/d", "permanent": false }
]}"#;
    assert_eq!(
        target_texts("vercel.json", vercel.as_bytes(), None),
        texts(&[(r#""/b\/c""#, true), (r#""https://o.example/d""#, false)])
    );
}
