//! Sources that appear on more than one row of a map: traced once, the chain reported on each
//! of their rows.
//!
//! The first pass counts every source by a 64-bit hash (a map of 200,000 rows costs a few MB
//! for the pass, freed before any request); only the repeated ones are kept. The second pass
//! shares one trace between the rows of a repeated source and forgets it after its last row,
//! so what stays in memory is bounded by the repeats in flight, not by the map.

use std::cell::RefCell;
use std::collections::HashMap;
use std::collections::hash_map::DefaultHasher;
use std::future::Future;
use std::hash::{Hash, Hasher};

use futures_util::FutureExt;
use futures_util::future::{LocalBoxFuture, Shared};
use url::Url;

use crate::model::Row;

/// What makes two rows the same trace: the source, and the statuses the row expects (they
/// decide whether a 429 or 503 is retried).
type TraceKey = (Url, Option<u16>, Option<u16>);

fn trace_key(row: &Row) -> (&Url, Option<u16>, Option<u16>) {
    (&row.source, row.expect.status, row.expect.final_status)
}

/// Hashed as borrowed, so a row seen once costs no copy of its key.
fn fingerprint(row: &Row) -> u64 {
    let mut hasher = DefaultHasher::new();
    trace_key(row).hash(&mut hasher);
    hasher.finish()
}

/// The first pass's tally.
#[derive(Debug, Default)]
pub struct SourceTally {
    counts: HashMap<u64, u32>,
}

impl SourceTally {
    pub fn add(&mut self, row: &Row) {
        *self.counts.entry(fingerprint(row)).or_default() += 1;
    }

    /// The repeated sources, each with its number of rows.
    pub fn repeats<'a, T: Clone>(mut self) -> Repeats<'a, T> {
        self.counts.retain(|_, rows| *rows > 1);
        self.counts.shrink_to_fit();
        Repeats {
            rows_left: RefCell::new(self.counts),
            in_flight: RefCell::default(),
        }
    }
}

/// The second pass's shared traces.
pub struct Repeats<'a, T: Clone> {
    rows_left: RefCell<HashMap<u64, u32>>,
    in_flight: RefCell<HashMap<TraceKey, Shared<LocalBoxFuture<'a, T>>>>,
}

impl<'a, T: Clone + 'a> Repeats<'a, T> {
    /// The trace for `row`: started with `start` for a source seen once or for the first row
    /// of a repeated one, shared with the earlier rows' trace otherwise.
    pub fn trace<F>(&self, row: &Row, start: impl FnOnce() -> F) -> LocalBoxFuture<'a, T>
    where
        F: Future<Output = T> + 'a,
    {
        let fingerprint = fingerprint(row);
        let last_row = {
            let mut rows_left = self.rows_left.borrow_mut();
            match rows_left.get_mut(&fingerprint) {
                None => return start().boxed_local(),
                Some(left) => {
                    *left -= 1;
                    let last = *left == 0;
                    if last {
                        rows_left.remove(&fingerprint);
                    }
                    last
                }
            }
        };
        let (source, status, final_status) = trace_key(row);
        let key = (source.clone(), status, final_status);
        let mut in_flight = self.in_flight.borrow_mut();
        let shared = match in_flight.get(&key) {
            Some(shared) => shared.clone(),
            None => {
                let shared = start().boxed_local().shared();
                in_flight.insert(key.clone(), shared.clone());
                shared
            }
        };
        if last_row {
            in_flight.remove(&key);
        }
        shared.boxed_local()
    }
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;
    use crate::model::RowExpect;

    fn row(line: usize, source: &str) -> Row {
        Row {
            file: "map.csv".into(),
            line,
            source: Url::parse(source).unwrap(),
            expect: RowExpect::default(),
            target_at: None,
        }
    }

    #[tokio::test]
    async fn a_repeated_source_is_traced_once_and_forgotten_after_its_last_row() {
        let rows = [
            row(2, "https://a.test/x"),
            row(3, "https://a.test/y"),
            row(4, "https://a.test/x"),
            row(5, "https://a.test/x"),
        ];
        let mut tally = SourceTally::default();
        rows.iter().for_each(|row| tally.add(row));
        let repeats: Repeats<'_, usize> = tally.repeats();
        let started = Cell::new(0);
        let traces: Vec<_> = rows
            .iter()
            .map(|row| {
                repeats.trace(row, || {
                    started.set(started.get() + 1);
                    let line = row.line;
                    async move { line }
                })
            })
            .collect();
        assert_eq!(started.get(), 2, "x once, y once");
        assert!(repeats.in_flight.borrow().is_empty());
        assert!(repeats.rows_left.borrow().is_empty());
        let mut got = Vec::new();
        for trace in traces {
            got.push(trace.await);
        }
        assert_eq!(
            got,
            [2, 3, 2, 2],
            "the rows of x share the first row's trace"
        );
    }
}
