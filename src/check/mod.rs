//! `hops check`: a whole redirect map, read row by row (from any of the formats of `input`),
//! each row traced with its own cookie jar and HSTS state over one shared client, judged
//! against what it expects (`verdict`), and reported as results arrive (`report`).

pub mod input;
pub mod lint;
pub mod repeats;
pub mod report;
pub mod resume;
pub mod retry;
pub mod verdict;
