//! `hops check`: a row of a redirect map (its source and what it expects) and the one result it
//! gets, with every expectation it broke.

use serde::Serialize;
use url::Url;

/// One data row of a map: where it is, what to trace, what must happen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// The file's name as given (`-` for stdin).
    pub file: String,
    /// The physical line in its file, 1-based (a header row is line 1).
    pub line: usize,
    pub source: Url,
    pub expect: RowExpect,
    /// Where the target is written in the file, when the row has one to point elsewhere.
    pub target_at: Option<TargetSpan>,
}

/// Where a row's target is written in its file, so `--write-flattened` can replace those bytes
/// and no others.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TargetSpan {
    /// Byte offsets in the file (end excluded) of the value as written: a CSV field with its
    /// quotes, a Netlify token, a JSON string literal with its quotes.
    pub start: u64,
    pub end: u64,
    /// Written as a path (`/new`), resolved against `--base`: a new target on that same origin
    /// is written as a path too, so the file keeps its style.
    pub path: bool,
}

/// What a row expects. `None` means the map and the flags say nothing (flags fill in later).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowExpect {
    /// The chain ends at this URL.
    pub target: Option<Url>,
    /// The first hop answers this status.
    pub status: Option<u16>,
    /// At most this many redirects.
    pub max_hops: Option<usize>,
    /// The final answer has this status (else any 2xx).
    pub final_status: Option<u16>,
    /// The row must not redirect at all (a sitemap `<loc>`).
    pub no_redirect: bool,
}

/// The one result a row gets: the first that applies, in the order of the variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultKind {
    NetworkError,
    Timeout,
    Blocked,
    BadLocation,
    Loop,
    TooManyRedirects,
    Downgrade,
    NotRedirected,
    UnexpectedRedirect,
    WrongStatus,
    WrongTarget,
    Chain,
    BrokenFinal,
    Ok,
}

impl ResultKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ResultKind::NetworkError => "network_error",
            ResultKind::Timeout => "timeout",
            ResultKind::Blocked => "blocked",
            ResultKind::BadLocation => "bad_location",
            ResultKind::Loop => "loop",
            ResultKind::TooManyRedirects => "too_many_redirects",
            ResultKind::Downgrade => "downgrade",
            ResultKind::NotRedirected => "not_redirected",
            ResultKind::UnexpectedRedirect => "unexpected_redirect",
            ResultKind::WrongStatus => "wrong_status",
            ResultKind::WrongTarget => "wrong_target",
            ResultKind::Chain => "chain",
            ResultKind::BrokenFinal => "broken_final",
            ResultKind::Ok => "ok",
        }
    }
}

/// How a row went: its kind, and every expectation it broke, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowResult {
    pub kind: ResultKind,
    pub ok: bool,
    /// Every broken expectation, in the order of the kinds; empty when the row passed.
    pub broken: Vec<String>,
}

impl RowResult {
    /// The broken expectations as one message ("ok" when none).
    pub fn message(&self) -> String {
        if self.broken.is_empty() {
            "ok".to_owned()
        } else {
            self.broken.join("; ")
        }
    }
}
