//! The reports of `hops check`, one writer per format. Each takes a row, its result and its
//! chain as they arrive (text, JSON and CSV write them at once), keeping only bounded state
//! across rows: a map of a million rows is reported in the memory of a few.
//!
//! [`text`] is the terminal's line per row and the [`text::Summary`] at the end; [`json`] one
//! object per row (NDJSON); [`csv`] a spreadsheet; [`junit`] a CI test report; [`markdown`] a
//! CI job summary; [`flattened`] the map rewritten without chains; [`progress`] the bar on a terminal's stderr. Messages come from the verdict, already redacted; the URLs a writer shows go
//! through the [`Redactor`] it is given.

pub mod csv;
pub mod flattened;
pub mod json;
pub mod junit;
pub mod markdown;
pub mod progress;
pub mod text;

use crate::model::{Chain, Redactor};

/// The statuses of every hop, in order, joined by `separator`: `301 › 302 › 200`.
pub fn statuses(chain: &Chain, separator: &str) -> String {
    let statuses: Vec<String> = chain
        .hops
        .iter()
        .map(|hop| hop.status.to_string())
        .collect();
    statuses.join(separator)
}

/// Where the chain ended, when it ended on an answer: (status, URL as shown).
pub fn final_answer(chain: &Chain, redactor: Redactor) -> Option<(u16, String)> {
    chain
        .final_response()
        .map(|hop| (hop.status, redactor.url(&hop.url)))
}
