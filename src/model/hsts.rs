//! A hop's HSTS facts: the `Strict-Transport-Security` header it received and what the store did
//! with it, or the upgrade of a plain-http URL made before any request was sent.

use std::fmt;

use serde::Serialize;
use url::Url;

/// A hop's HSTS facts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HstsRecord {
    /// The first `Strict-Transport-Security` value received, as received.
    pub header: Option<String>,
    pub valid: bool,
    pub error: Option<String>,
    pub max_age: Option<u64>,
    /// `max_age` as a browser applies it (capped at one year).
    pub max_age_effective: Option<u64>,
    pub include_subdomains: bool,
    pub preload: bool,
    pub action: HstsAction,
    pub ignored_reason: Option<String>,
    pub upgrade: Option<HstsUpgrade>,
}

/// What the HSTS store did with a header.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HstsAction {
    /// A new host was added.
    Noted,
    /// A known host's entry was refreshed or changed.
    Updated,
    /// `max-age=0` removed the host.
    Removed,
    /// The header did not count (plain http, `-k`, an IP address, invalid).
    Ignored,
    /// Nothing changed (or no header: an upgrade hop).
    #[default]
    None,
}

impl HstsAction {
    pub fn as_str(self) -> &'static str {
        match self {
            HstsAction::Noted => "noted",
            HstsAction::Updated => "updated",
            HstsAction::Removed => "removed",
            HstsAction::Ignored => "ignored",
            HstsAction::None => "none",
        }
    }
}

/// Where a known HSTS host came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HstsSource {
    /// A `Strict-Transport-Security` header on an earlier hop of this run.
    ThisRun,
    /// The `--hsts` cache file.
    CacheFile,
    /// The embedded Chromium preload list.
    Preload,
}

impl fmt::Display for HstsSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HstsSource::ThisRun => "a header seen earlier in this run",
            HstsSource::CacheFile => "the HSTS cache file",
            HstsSource::Preload => "the Chromium preload list",
        })
    }
}

/// An http URL rewritten to https before any request was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HstsUpgrade {
    pub source: HstsSource,
    /// The entry that matched (the host itself or a parent with includeSubDomains).
    pub matched: String,
    pub include_subdomains: bool,
    pub from: Url,
    pub to: Url,
}
