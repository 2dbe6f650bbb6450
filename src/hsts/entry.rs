//! The answer to "is this host a known HSTS host?": which entry made it one, and from where.

use crate::model::HstsSource;

/// The entry that makes a host a known HSTS host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Match {
    pub source: HstsSource,
    /// The entry's name: the host itself, or the parent whose includeSubDomains covers it.
    pub matched: String,
    pub include_subdomains: bool,
}
