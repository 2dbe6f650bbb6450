//! What analysis adds to a finished chain: the diagnosis of a loop or limit, the results of the
//! user's checks, and the one-line verdict.

use serde::Serialize;

/// Everything analysis concluded about one chain; renderers show it beside the chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Analysis {
    /// What kind of loop or limit this was, for a loop or too-many-redirects outcome.
    pub diagnosis: Option<Diagnosis>,
    /// `--expect-*` and `-f`, in the order they are reported.
    pub checks: Vec<CheckResult>,
    /// How the chain ended, in a few words: "OK: ...", "Loop between hop 2 and hop 4: ...".
    pub headline: String,
    /// The headline and, for a loop, its likely cause and fix: one plain-language line.
    pub verdict: String,
}

impl Analysis {
    pub fn failed_checks(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks.iter().filter(|result| !result.ok)
    }

    /// The first failed check in a few words: "--expect-status expected 200, got 404".
    pub fn first_failure(&self) -> Option<String> {
        let failed: Vec<&CheckResult> = self.failed_checks().collect();
        let first = failed.first()?;
        let more = match failed.len() {
            1 => String::new(),
            n => format!(" (and {} more)", n - 1),
        };
        Some(format!(
            "--{} expected {}, got {}{more}",
            first.check, first.expected, first.actual
        ))
    }
}

/// The kinds of loop (and of limit) hops tells apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LoopKind {
    /// The same request again, with nothing that explains why.
    ExactRepeat,
    /// http ↔ https on the same host.
    SchemeFlip,
    /// Two hosts sending the client to each other (often www ↔ apex).
    HostFlip,
    /// `/path` ↔ `/path/`.
    TrailingSlashFlip,
    /// A cookie is set but never comes back.
    CookieNotStored,
    /// The cookie comes back but the server redirects anyway.
    CookieIgnored,
    /// The query or path grows on every visit.
    GrowingUrl,
    /// The limit was hit with URLs that differ only in volatile parts.
    VolatileRepeat,
    /// The limit was hit by a long chain of distinct URLs: not a loop.
    LongChain,
}

/// A classified loop or limit, with its explanation and fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnosis {
    pub kind: LoopKind,
    /// The hops that form the cycle (or the repeating shape).
    pub hops: Vec<usize>,
    /// A few words: "http ↔ https flip".
    pub title: String,
    pub explanation: String,
    pub fix: String,
}

/// One `--expect-*` or `-f` check and how it went.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// The flag's name without dashes: `expect-status`, `fail`, ...
    pub check: &'static str,
    pub expected: String,
    pub actual: String,
    pub ok: bool,
    /// The hop where expected and actual part ways: set on every failed check. When the chain
    /// broke, the hop where it broke (a check on the final response has nothing to compare).
    pub hop: Option<usize>,
}
