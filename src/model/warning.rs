//! Warnings: something the user should know about a hop, with a code that scripts can match.

use std::fmt;

use serde::Serialize;

/// Something the user should know about a hop.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub code: WarningCode,
    pub message: String,
}

impl Warning {
    pub fn new(code: WarningCode, message: impl Into<String>) -> Self {
        Warning {
            code,
            message: message.into(),
        }
    }

    /// Informational: shown as a note rather than a warning.
    pub fn is_note(&self) -> bool {
        self.code == WarningCode::HstsPreloadEligible
    }
}

/// The stable code of a warning: part of the JSON interface (`warnings[].code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WarningCode {
    /// A redirect from https to http.
    HttpsDowngrade,
    /// Credentials kept across an origin change (`--location-trusted`).
    CredentialsForwarded,
    /// The same `Location` sent more than once.
    LocationRepeated,
    /// Bytes in `Location` that are not UTF-8, percent-encoded.
    LocationNotUtf8,
    /// A backslash in `Location`, read as `/`.
    LocationBackslash,
    /// Control characters in `Location`, removed by the URL parser.
    LocationControlChars,
    /// A scheme-relative `Location` (`//host/path`).
    LocationSchemeRelative,
    /// RFC 3986 parsing would reach another host than the WHATWG parser does.
    LocationParserMismatch,
    /// A refresh whose target cannot be followed.
    RefreshUnusable,
    /// A compressed HTML body not searched for a meta refresh (no `--compressed`, or a coding
    /// hops cannot undo).
    HtmlNotDecoded,
    /// The start of an HTML body that did not come in time, or broke off, so it was searched
    /// for a meta refresh only as far as it came.
    HtmlNotRead,
    /// An invalid `Strict-Transport-Security` header.
    HstsInvalid,
    /// `Strict-Transport-Security` over plain http, ignored.
    HstsOverHttp,
    /// `Strict-Transport-Security` on a connection whose certificate was not checked, ignored.
    HstsInsecure,
    /// An HSTS max-age under one year.
    HstsShortMaxAge,
    /// HSTS without includeSubDomains.
    HstsNoIncludeSubdomains,
    /// A first plain-http request that no HSTS policy covers.
    HstsFirstVisit,
    /// The site meets the preload list's rules (a note).
    HstsPreloadEligible,
    /// What keeps the site off the preload list.
    HstsPreloadNotEligible,
    /// The chain reached a host the cookies given with `-b` are not for.
    CookiesLeftBehind,
    /// The certificate was not verified (`-k`).
    CertificateNotVerified,
    /// The certificate expires soon.
    CertificateExpiresSoon,
}

impl WarningCode {
    /// Found by the analysis once the chain is over (the chain-level HSTS hints), and added to
    /// a hop that may already have been shown.
    pub fn found_after_chain(self) -> bool {
        matches!(
            self,
            WarningCode::HstsFirstVisit
                | WarningCode::HstsPreloadEligible
                | WarningCode::HstsPreloadNotEligible
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            WarningCode::HttpsDowngrade => "https_downgrade",
            WarningCode::CredentialsForwarded => "credentials_forwarded",
            WarningCode::LocationRepeated => "location_repeated",
            WarningCode::LocationNotUtf8 => "location_not_utf8",
            WarningCode::LocationBackslash => "location_backslash",
            WarningCode::LocationControlChars => "location_control_chars",
            WarningCode::LocationSchemeRelative => "location_scheme_relative",
            WarningCode::LocationParserMismatch => "location_parser_mismatch",
            WarningCode::RefreshUnusable => "refresh_unusable",
            WarningCode::HtmlNotDecoded => "html_not_decoded",
            WarningCode::HtmlNotRead => "html_not_read",
            WarningCode::HstsInvalid => "hsts_invalid",
            WarningCode::HstsOverHttp => "hsts_over_http",
            WarningCode::HstsInsecure => "hsts_insecure",
            WarningCode::HstsShortMaxAge => "hsts_short_max_age",
            WarningCode::HstsNoIncludeSubdomains => "hsts_no_include_subdomains",
            WarningCode::HstsFirstVisit => "hsts_first_visit",
            WarningCode::HstsPreloadEligible => "hsts_preload_eligible",
            WarningCode::HstsPreloadNotEligible => "hsts_preload_not_eligible",
            WarningCode::CookiesLeftBehind => "cookies_left_behind",
            WarningCode::CertificateNotVerified => "certificate_not_verified",
            WarningCode::CertificateExpiresSoon => "certificate_expires_soon",
        }
    }
}

impl fmt::Display for WarningCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The JSON name and `as_str` must agree: scripts see the first, the text output the second.
    #[test]
    fn serialized_code_matches_as_str() {
        let all = [
            WarningCode::HttpsDowngrade,
            WarningCode::CredentialsForwarded,
            WarningCode::LocationRepeated,
            WarningCode::LocationNotUtf8,
            WarningCode::LocationBackslash,
            WarningCode::LocationControlChars,
            WarningCode::LocationSchemeRelative,
            WarningCode::LocationParserMismatch,
            WarningCode::RefreshUnusable,
            WarningCode::HtmlNotDecoded,
            WarningCode::HtmlNotRead,
            WarningCode::HstsInvalid,
            WarningCode::HstsOverHttp,
            WarningCode::HstsInsecure,
            WarningCode::HstsShortMaxAge,
            WarningCode::HstsNoIncludeSubdomains,
            WarningCode::HstsFirstVisit,
            WarningCode::HstsPreloadEligible,
            WarningCode::HstsPreloadNotEligible,
            WarningCode::CookiesLeftBehind,
            WarningCode::CertificateNotVerified,
            WarningCode::CertificateExpiresSoon,
        ];
        for code in all {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json.as_str(), Some(code.as_str()));
        }
    }
}
