//! What an https hop shows of TLS: the connection's facts ([`TlsRecord`]) and the server's
//! certificate ([`CertificateInfo`]), the two serializable records, read from DER; what the
//! verifier asks of a certificate (self-signed, common names); and dates in words. A
//! certificate's problems are worded in `tls_wording.rs`.

use std::fmt::Write as _;
use std::net::IpAddr;

use rustls::CertificateError;
use time::OffsetDateTime;

pub use crate::model::{CertificateInfo, EXPIRY_WARNING_DAYS, TlsRecord};

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
/// rustls's error to the words for it (`tls_wording.rs`), which say so and how to trust it.
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
    let amount = crate::model::plural(count, unit);
    if difference.is_negative() {
        format!("{amount} ago")
    } else {
        format!("in {amount}")
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::at;
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
}
