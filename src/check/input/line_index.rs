//! A reader that notes where its newlines are, so a parser that reads ahead of what it reports
//! (csv, quick-xml) can turn a byte offset into a line. Only the newlines not yet looked up are
//! kept: about as many as the parser's read-ahead holds.

use std::collections::VecDeque;
use std::io::{self, BufRead, Read};

pub(super) struct LineIndex<R> {
    inner: R,
    /// Bytes handed to the parser so far (consumed or read).
    consumed: u64,
    /// Bytes whose newlines are noted: past `consumed` when `fill_buf` showed more.
    seen: u64,
    newlines: VecDeque<u64>,
    /// Newlines before the last offset looked up.
    passed: usize,
}

impl<R> LineIndex<R> {
    pub(super) fn new(inner: R) -> Self {
        LineIndex {
            inner,
            consumed: 0,
            seen: 0,
            newlines: VecDeque::new(),
            passed: 0,
        }
    }

    /// The line (from 1) of the byte at `offset`; offsets looked up must not go back.
    pub(super) fn line_at(&mut self, offset: u64) -> usize {
        while self
            .newlines
            .front()
            .is_some_and(|&newline| newline < offset)
        {
            self.newlines.pop_front();
            self.passed += 1;
        }
        self.passed + 1
    }
}

/// Notes the newlines of `bytes` (which start at `start`) not noted before; bytes already seen
/// are not scanned again, so showing a buffer many times costs nothing.
fn note(newlines: &mut VecDeque<u64>, seen: &mut u64, start: u64, bytes: &[u8]) {
    let skip = usize::try_from(seen.saturating_sub(start)).unwrap_or(usize::MAX);
    if let Some(new) = bytes.get(skip..) {
        let from = start + skip as u64;
        newlines.extend(
            new.iter()
                .enumerate()
                .filter(|(_, byte)| **byte == b'\n')
                .map(|(at, _)| from + at as u64),
        );
    }
    *seen = (*seen).max(start + bytes.len() as u64);
}

impl<R: Read> Read for LineIndex<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        note(&mut self.newlines, &mut self.seen, self.consumed, &buf[..n]);
        self.consumed += n as u64;
        Ok(n)
    }
}

impl<R: BufRead> BufRead for LineIndex<R> {
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        let buffered = self.inner.fill_buf()?;
        // The same buffer may be shown many times: its newlines are noted once.
        note(&mut self.newlines, &mut self.seen, self.consumed, buffered);
        Ok(buffered)
    }

    fn consume(&mut self, amount: usize) {
        self.consumed += amount as u64;
        self.inner.consume(amount);
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead, BufReader, Read};

    use super::LineIndex;

    #[test]
    fn offsets_become_lines_through_read_and_fill_buf() {
        let text = "a\nbb\n\nccc\nd";
        // Small buffers, so lines straddle them.
        let mut index = LineIndex::new(BufReader::with_capacity(3, text.as_bytes()));
        let mut all = Vec::new();
        loop {
            let buffered = index.fill_buf().unwrap();
            if buffered.is_empty() {
                break;
            }
            let n = buffered.len().min(2);
            all.extend_from_slice(&buffered[..n]);
            index.consume(n);
        }
        assert_eq!(all, text.as_bytes());
        let lines: Vec<usize> = [0, 1, 2, 5, 6, 9, 10].map(|at| index.line_at(at)).to_vec();
        assert_eq!(lines, [1, 1, 2, 3, 4, 4, 5]);

        let mut index = LineIndex::new(text.as_bytes());
        let mut all = String::new();
        index.read_to_string(&mut all).unwrap();
        assert_eq!((index.line_at(2), index.line_at(10)), (2, 5));
    }
}
