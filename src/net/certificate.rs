//! What an https hop shows of TLS: the connection's facts ([`TlsRecord`]) and the server's
//! certificate ([`CertificateInfo`]), the two serializable records; and a certificate's problems
//! and dates in words.

use std::fmt::Write as _;
use std::net::IpAddr;

use rustls::CertificateError;
use rustls::pki_types::UnixTime;
use time::OffsetDateTime;

pub use crate::model::{CertificateInfo, TlsRecord};

/// A certificate that expires within this many days gets a warning on every hop that uses it.
pub const EXPIRY_WARNING_DAYS: i64 = 14;

impl CertificateInfo {
    /// Reads a DER certificate; `None` if it is not one.
    pub fn from_der(der: &[u8]) -> Option<CertificateInfo> {
        use x509_parser::extensions::GeneralName;
        let (_, certificate) = x509_parser::parse_x509_certificate(der).ok()?;
        let names = match certificate.subject_alternative_name() {
            Ok(Some(san)) => san
                .value
                .general_names
                .iter()
                .filter_map(|name| match name {
                    GeneralName::DNSName(name) => Some((*name).to_owned()),
                    GeneralName::IPAddress(bytes) => ip_address(bytes).map(|ip| ip.to_string()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        let validity = certificate.validity();
        Some(CertificateInfo {
            subject: certificate.subject().to_string(),
            issuer: certificate.issuer().to_string(),
            names,
            not_before: validity.not_before.to_datetime(),
            not_after: validity.not_after.to_datetime(),
        })
    }
}

/// A certificate signed by its own key, as far as its names tell: its issuer is its subject.
pub(super) fn is_self_signed(der: &[u8]) -> bool {
    x509_parser::parse_x509_certificate(der).is_ok_and(|(_, certificate)| {
        certificate.subject().as_raw() == certificate.issuer().as_raw()
    })
}

/// The subject's common names (CN), in certificate order.
pub(super) fn common_names(der: &[u8]) -> Vec<String> {
    let Ok((_, certificate)) = x509_parser::parse_x509_certificate(der) else {
        return Vec::new();
    };
    certificate
        .subject()
        .iter_common_name()
        .filter_map(|name| name.as_str().ok().map(str::to_owned))
        .collect()
}

/// The verifier's answer for a self-signed certificate it does not trust: carried inside
/// rustls's error to [`certificate_problem`], which says so and how to trust it.
#[derive(Debug)]
pub(super) struct SelfSigned;

impl std::fmt::Display for SelfSigned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("self-signed certificate")
    }
}

impl std::error::Error for SelfSigned {}

impl SelfSigned {
    pub(super) fn error() -> rustls::Error {
        rustls::Error::InvalidCertificate(CertificateError::Other(rustls::OtherError(
            std::sync::Arc::new(SelfSigned),
        )))
    }
}

fn ip_address(bytes: &[u8]) -> Option<IpAddr> {
    match bytes.len() {
        4 => <[u8; 4]>::try_from(bytes).ok().map(IpAddr::from),
        16 => <[u8; 16]>::try_from(bytes).ok().map(IpAddr::from),
        _ => None,
    }
}

/// A certificate refusal in words a user can act on, with the certificate's own facts when the
/// verifier recorded them.
pub fn certificate_problem(
    error: &rustls::Error,
    certificate: Option<&CertificateInfo>,
) -> Option<String> {
    let rustls::Error::InvalidCertificate(problem) = error else {
        return None;
    };
    // Classified by the variant's name, so that context-carrying variants rustls adds between
    // minor versions (`ExpiredContext` after `Expired`) still read right; the context is used
    // where it is there.
    let name = format!("{problem:?}");
    let text = if name.starts_with("ExpiredRevocationList") {
        "the certificate revocation list has expired".to_owned()
    } else if name.starts_with("Expired") {
        let (now, not_after) = match problem {
            CertificateError::ExpiredContext { time, not_after } => {
                (from_unix(*time), from_unix(*not_after))
            }
            _ => (None, None),
        };
        let not_after = not_after.or(certificate.map(|c| c.not_after));
        match not_after {
            Some(end) => {
                let now = now.unwrap_or_else(OffsetDateTime::now_utc);
                format!(
                    "the certificate has expired: it was valid until {} ({})",
                    format_time(end),
                    relative(end, now)
                )
            }
            None => "the certificate has expired".to_owned(),
        }
    } else if name.starts_with("NotValidYet") {
        let (now, not_before) = match problem {
            CertificateError::NotValidYetContext { time, not_before } => {
                (from_unix(*time), from_unix(*not_before))
            }
            _ => (None, None),
        };
        match not_before.or(certificate.map(|c| c.not_before)) {
            Some(start) => {
                let now = now.unwrap_or_else(OffsetDateTime::now_utc);
                format!(
                    "the certificate is not valid yet: it is valid from {} ({})",
                    format_time(start),
                    relative(start, now)
                )
            }
            None => "the certificate is not valid yet".to_owned(),
        }
    } else if name.starts_with("NotValidForName") {
        let expected = match problem {
            CertificateError::NotValidForNameContext { expected, .. } => {
                Some(expected.to_str().into_owned())
            }
            _ => None,
        };
        let expected = expected.unwrap_or_else(|| "this host name".to_owned());
        match certificate {
            Some(certificate) if certificate.names.is_empty() => {
                format!("the certificate is not valid for {expected}: it names no host")
            }
            Some(certificate) => format!(
                "the certificate is not valid for {expected}: it is for {}",
                list_names(&certificate.names, 8)
            ),
            None => format!("the certificate is not valid for {expected}"),
        }
    } else if name.starts_with("UnknownIssuer") {
        let issuer = certificate.map_or(String::new(), |c| format!(": {}", c.issuer));
        format!(
            "the certificate was issued by an unknown authority{issuer}; --cacert FILE trusts a \
             private CA"
        )
    } else if name.starts_with("Revoked") {
        "the certificate has been revoked".to_owned()
    } else if name.starts_with("BadSignature") {
        "the certificate's signature is invalid".to_owned()
    } else if name.starts_with("BadEncoding") {
        "the certificate cannot be read: it is not valid DER".to_owned()
    } else if name.starts_with("UnhandledCriticalExtension") {
        "the certificate has a critical extension hops does not understand".to_owned()
    } else if name.starts_with("UnknownRevocationStatus") {
        "the certificate's revocation status is unknown".to_owned()
    } else if name.starts_with("UnsupportedSignatureAlgorithm") {
        "the certificate is signed with an algorithm hops does not support".to_owned()
    } else if name.starts_with("InvalidPurpose") {
        "the certificate is not for servers: its extended key usage lacks serverAuth".to_owned()
    } else if name.starts_with("InvalidOcspResponse") {
        "the server's OCSP response (its certificate's status) is invalid".to_owned()
    } else if name.starts_with("ApplicationVerificationFailure") {
        "the certificate failed verification".to_owned()
    } else if let CertificateError::Other(other) = problem {
        other_problem(other, certificate)
    } else {
        format!(
            "the certificate was refused: {}",
            super::tls_wording::variant_words(&name)
        )
    };
    Some(text)
}

/// What webpki says beyond rustls's own variants (`Other(OtherError(CaUsedAsEndEntity))`): its
/// `Display` is its debug name, so it is read by name.
fn other_problem(other: &rustls::OtherError, certificate: Option<&CertificateInfo>) -> String {
    if other.0.downcast_ref::<SelfSigned>().is_some() {
        let subject = certificate.map_or(String::new(), |c| format!(" ({})", c.subject));
        return format!(
            "self-signed certificate{subject}; pass it with --cacert FILE, or -k to skip \
             verification"
        );
    }
    let name = other.0.to_string();
    let text = if name.starts_with("CaUsedAsEndEntity") {
        "the server presents a CA certificate (basicConstraints CA:TRUE) as its own; a server's \
         certificate must not be a CA"
    } else if name.starts_with("EndEntityUsedAsCa") {
        "a certificate that is not a CA (CA:FALSE) signed another in the chain"
    } else if name.starts_with("RequiredEkuNotFound") || name.starts_with("EmptyEkuExtension") {
        "the certificate is not for servers: its extended key usage lacks serverAuth"
    } else if name.starts_with("CertDistrusted") {
        "the certificate's authority is distrusted"
    } else if name.starts_with("PathLenConstraintViolated") {
        "the chain is longer than a CA in it allows (pathLenConstraint)"
    } else if name.starts_with("NameConstraintViolation") {
        "the certificate names a host its CA may not issue for (name constraints)"
    } else if name.starts_with("Maximum") {
        "the certificate chain is too long or too complex to verify"
    } else if name.starts_with("UnsupportedCertVersion") {
        "the certificate is not an X.509 version 3 certificate"
    } else if name.starts_with("UnsupportedCriticalExtension") {
        "the certificate has a critical extension hops does not understand"
    } else if name.starts_with("UnsupportedNameType") {
        "the certificate names its host in a form hops does not support"
    } else if name.starts_with("SignatureAlgorithmMismatch") {
        "the certificate's two signature algorithm fields disagree"
    } else if name.starts_with("Malformed")
        || name.starts_with("BadDer")
        || name.starts_with("ExtensionValueInvalid")
        || name.starts_with("InvalidSerialNumber")
        || name.starts_with("InvalidCertValidity")
        || name.starts_with("TrailingData")
    {
        "the certificate is malformed"
    } else {
        return format!(
            "the certificate was refused: {}",
            super::tls_wording::readable(&name)
        );
    };
    text.to_owned()
}

/// Up to `shown` names, then how many more.
pub fn list_names(names: &[String], shown: usize) -> String {
    let mut text = names
        .iter()
        .take(shown)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > shown {
        let _ = write!(text, " and {} more", names.len() - shown);
    }
    text
}

fn from_unix(time: UnixTime) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(i64::try_from(time.as_secs()).ok()?).ok()
}

/// `2026-11-21`, in UTC.
pub fn format_date(time: OffsetDateTime) -> String {
    let utc = time.to_offset(time::UtcOffset::UTC);
    format!(
        "{}-{:02}-{:02}",
        utc.year(),
        u8::from(utc.month()),
        utc.day()
    )
}

/// `2026-11-21 21:18:07 UTC`.
pub fn format_time(time: OffsetDateTime) -> String {
    let utc = time.to_offset(time::UtcOffset::UTC);
    format!(
        "{} {:02}:{:02}:{:02} UTC",
        format_date(utc),
        utc.hour(),
        utc.minute(),
        utc.second()
    )
}

/// How far `when` is from `now`, in the largest whole unit: "in 3 days", "5 hours ago".
pub fn relative(when: OffsetDateTime, now: OffsetDateTime) -> String {
    let difference = when - now;
    let seconds = difference.whole_seconds().unsigned_abs();
    let (count, unit) = match seconds {
        0..=119 => (seconds, "second"),
        120..=7199 => (seconds / 60, "minute"),
        7200..=86_399 => (seconds / 3600, "hour"),
        _ => (seconds / 86_400, "day"),
    };
    let amount = if count == 1 {
        format!("1 {unit}")
    } else {
        format!("{count} {unit}s")
    };
    if difference.is_negative() {
        format!("{amount} ago")
    } else {
        format!("in {amount}")
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use rustls::pki_types::ServerName;

    use super::super::tests::{at, info};
    use super::*;

    #[test]
    fn relative_times_and_dates_read_well() {
        let now = at(1_000_000_000);
        #[rustfmt::skip]
        let table: &[(i64, &str)] = &[
            (0, "in 0 seconds"), (1, "in 1 second"), (-90, "90 seconds ago"),
            (600, "in 10 minutes"), (-7200, "2 hours ago"), (86_399, "in 23 hours"),
            (-86_400, "1 day ago"), (3 * 86_400 + 5, "in 3 days"),
        ];
        for &(offset, expected) in table {
            assert_eq!(
                relative(at(1_000_000_000 + offset), now),
                expected,
                "{offset}"
            );
        }
        assert_eq!(format_time(at(1_000_000_000)), "2001-09-09 01:46:40 UTC");
        assert_eq!(format_date(at(1_000_000_000)), "2001-09-09");
        assert_eq!(
            list_names(&["a".into(), "b".into(), "c".into()], 2),
            "a, b and 1 more"
        );
        assert_eq!(list_names(&["a".into()], 2), "a");
    }

    #[test]
    fn certificate_errors_are_explained_with_the_certificate() {
        let expired = rustls::Error::InvalidCertificate(CertificateError::ExpiredContext {
            time: UnixTime::since_unix_epoch(Duration::from_secs(1_000_086_400)),
            not_after: UnixTime::since_unix_epoch(Duration::from_secs(1_000_000_000)),
        });
        let wrong_name =
            rustls::Error::InvalidCertificate(CertificateError::NotValidForNameContext {
                expected: ServerName::try_from("shop.test").unwrap().to_owned(),
                presented: vec!["DnsName(\"other.test\")".into()],
            });
        let unknown = rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer);
        let leaf = info(&["other.test", "*.other.test"], at(1_000_000_000));
        #[rustfmt::skip]
        let table: &[(&rustls::Error, Option<&CertificateInfo>, &str)] = &[
            (&expired, None, "the certificate has expired: it was valid until 2001-09-09 01:46:40 UTC (1 day ago)"),
            (&wrong_name, Some(&leaf), "the certificate is not valid for shop.test: it is for other.test, *.other.test"),
            (&wrong_name, None, "the certificate is not valid for shop.test"),
            (&unknown, Some(&leaf), "the certificate was issued by an unknown authority: CN=Test CA; --cacert FILE trusts a private CA"),
            (&unknown, None, "the certificate was issued by an unknown authority; --cacert FILE trusts a private CA"),
            (&rustls::Error::InvalidCertificate(CertificateError::Expired), Some(&leaf), "the certificate has expired: it was valid until 2001-09-09 01:46:40 UTC ("),
            (&rustls::Error::InvalidCertificate(CertificateError::ExpiredRevocationList), None, "the certificate revocation list has expired"),
            (&rustls::Error::InvalidCertificate(CertificateError::BadEncoding), None, "the certificate cannot be read: it is not valid DER"),
        ];
        for (error, certificate, expected) in table {
            let text = certificate_problem(error, *certificate).unwrap();
            assert!(text.starts_with(expected), "{error:?}: {text}");
        }
        assert_eq!(
            certificate_problem(&rustls::Error::HandshakeNotComplete, None),
            None
        );
    }
}
