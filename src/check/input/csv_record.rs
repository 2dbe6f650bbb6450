//! CSV records read with `csv-core`, each field with where it is written in the input (its raw
//! bytes, quotes included), so `--write-flattened` can replace one cell and keep every other
//! byte. The `csv` crate parses the same way but does not say where a field was.
//!
//! Parsing is `csv-core`'s (RFC 4180 quoting, any of CR, LF and CRLF ending a record, blank
//! lines skipped, `#` comment lines); this module only keeps count of the bytes and lines.

use std::io::{self, BufRead};

use csv_core::{ReadFieldResult, Reader, ReaderBuilder};

/// One field: where its unescaped bytes end in [`Records::data`], and its raw span.
#[derive(Debug, Clone, Copy)]
struct Field {
    data_end: usize,
    raw: (u64, u64),
}

/// The records of a CSV input, one at a time, one buffer reused.
pub(super) struct Records<R> {
    input: R,
    parser: Reader,
    /// Bytes of the input consumed so far.
    offset: u64,
    /// Line breaks consumed so far.
    newlines: usize,
    data: Vec<u8>,
    fields: Vec<Field>,
    /// The line the record last read starts on.
    line: usize,
}

impl<R: BufRead> Records<R> {
    pub(super) fn new(input: R, delimiter: u8) -> Self {
        Records {
            input,
            parser: ReaderBuilder::new()
                .delimiter(delimiter)
                .comment(Some(b'#'))
                .build(),
            offset: 0,
            newlines: 0,
            data: Vec::new(),
            fields: Vec::new(),
            line: 1,
        }
    }

    /// Reads the next record; `false` at the end of the input.
    pub(super) fn read(&mut self) -> io::Result<bool> {
        self.data.clear();
        self.fields.clear();
        if !self.skip_between_records()? {
            return Ok(false);
        }
        self.line = self.newlines + 1;
        let mut chunk = [0u8; 1024];
        let mut start = self.offset;
        loop {
            let input = self.input.fill_buf()?;
            let at_end = input.is_empty();
            let (result, nin, nout) = self.parser.read_field(input, &mut chunk);
            let newlines = input[..nin].iter().filter(|&&b| b == b'\n').count();
            self.input.consume(nin);
            self.newlines += newlines;
            self.offset += nin as u64;
            self.data.extend_from_slice(&chunk[..nout]);
            match result {
                ReadFieldResult::InputEmpty | ReadFieldResult::OutputFull => {}
                ReadFieldResult::Field { record_end } => {
                    // The delimiter or line break that ended the field was consumed with it,
                    // unless the input ended there.
                    let end = if at_end { self.offset } else { self.offset - 1 };
                    self.fields.push(Field {
                        data_end: self.data.len(),
                        raw: (start, end),
                    });
                    if record_end {
                        return Ok(true);
                    }
                    start = self.offset;
                }
                ReadFieldResult::End => return Ok(!self.fields.is_empty()),
            }
        }
    }

    /// Consumes what `csv-core` skips before a record (line breaks, blank lines, `#` comment
    /// lines), so that the record's first field starts where the parser is next called and its
    /// span is exact; `false` when the input ends first.
    fn skip_between_records(&mut self) -> io::Result<bool> {
        let mut in_comment = false;
        loop {
            let input = self.input.fill_buf()?;
            if input.is_empty() {
                return Ok(false);
            }
            let mut n = 0;
            for &byte in input {
                if in_comment {
                    in_comment = byte != b'\n';
                } else if byte == b'#' {
                    in_comment = true;
                } else if byte != b'\r' && byte != b'\n' {
                    break;
                }
                n += 1;
            }
            let found = n < input.len();
            let newlines = input[..n].iter().filter(|&&b| b == b'\n').count();
            self.input.consume(n);
            self.newlines += newlines;
            self.offset += n as u64;
            if found {
                return Ok(true);
            }
        }
    }

    /// The line the record last read starts on (from 1).
    pub(super) fn line(&self) -> usize {
        self.line
    }

    /// The line the input is at now: where a read error happened.
    pub(super) fn current_line(&self) -> usize {
        self.newlines + 1
    }

    /// The unescaped fields of the record last read.
    pub(super) fn fields(&self) -> impl Iterator<Item = &[u8]> {
        (0..self.fields.len()).filter_map(|at| self.get(at))
    }

    pub(super) fn get(&self, at: usize) -> Option<&[u8]> {
        let field = self.fields.get(at)?;
        let start = match at {
            0 => 0,
            _ => self.fields[at - 1].data_end,
        };
        Some(&self.data[start..field.data_end])
    }

    /// Where field `at` is written in the input: start and end, end excluded.
    pub(super) fn span(&self, at: usize) -> Option<(u64, u64)> {
        self.fields.get(at).map(|field| field.raw)
    }
}

#[cfg(test)]
mod tests {
    use std::io::BufReader;

    use super::Records;

    /// Every record as `(line, [(field, raw text at its span)])`.
    fn read(input: &str, delimiter: u8, capacity: usize) -> Vec<(usize, Vec<(String, String)>)> {
        let mut records = Records::new(
            BufReader::with_capacity(capacity, input.as_bytes()),
            delimiter,
        );
        let mut all = Vec::new();
        while records.read().unwrap() {
            let fields = (0..records.fields().count())
                .map(|at| {
                    let (start, end) = records.span(at).unwrap();
                    (
                        String::from_utf8(records.get(at).unwrap().to_vec()).unwrap(),
                        input[start as usize..end as usize].to_owned(),
                    )
                })
                .collect();
            all.push((records.line(), fields));
        }
        all
    }

    fn pairs(fields: &[(&str, &str)]) -> Vec<(String, String)> {
        fields
            .iter()
            .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
            .collect()
    }

    #[test]
    fn spans_cover_each_field_as_written() {
        let input = "# head\r\nsource,target,note\r\n\r\n/a,\"/b,\"\"c\"\"\", x \r\n# mid\n\n/d,/e,\"two\nlines\"\n/f,,\n/g,/h";
        let expected = vec![
            (
                2,
                pairs(&[("source", "source"), ("target", "target"), ("note", "note")]),
            ),
            (
                4,
                pairs(&[
                    ("/a", "/a"),
                    ("/b,\"c\"", "\"/b,\"\"c\"\"\""),
                    (" x ", " x "),
                ]),
            ),
            (
                7,
                pairs(&[("/d", "/d"), ("/e", "/e"), ("two\nlines", "\"two\nlines\"")]),
            ),
            (9, pairs(&[("/f", "/f"), ("", ""), ("", "")])),
            (10, pairs(&[("/g", "/g"), ("/h", "/h")])),
        ];
        // Buffers of every small size, so fields, quotes and CRLFs straddle them.
        for capacity in [1, 2, 3, 5, 8, 1024] {
            assert_eq!(read(input, b',', capacity), expected, "capacity {capacity}");
        }
    }

    #[test]
    fn tsv_and_a_long_field() {
        let long = "x".repeat(3000);
        let input = format!("a\tb\n{long}\t\"q\"\n");
        let got = read(&input, b'\t', 7);
        assert_eq!(got[1].1[0], (long.clone(), long));
        assert_eq!(got[1].1[1], ("q".to_owned(), "\"q\"".to_owned()));
        assert_eq!(got[1].0, 2);
    }
}
