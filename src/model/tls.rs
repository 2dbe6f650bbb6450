//! The TLS facts of the connection an https hop used, and what its certificate says.

use serde::Serialize;
use time::OffsetDateTime;

/// The TLS facts of the connection an https hop used.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TlsRecord {
    /// "TLSv1.3" or "TLSv1.2".
    pub version: Option<String>,
    /// The IANA name, as "TLS13_AES_128_GCM_SHA256".
    pub cipher: Option<String>,
    /// The protocol the server chose by ALPN; `None` when it chose none.
    pub alpn: Option<String>,
    /// The connection was opened, and its handshake made, for this hop.
    pub new_connection: bool,
    /// Whether the server asked for a client certificate (mTLS), and whether one was sent;
    /// `None` when it did not ask.
    pub client_certificate: Option<ClientCertificate>,
    /// The server's (leaf) certificate; `None` if it cannot be parsed.
    pub certificate: Option<CertificateInfo>,
}

/// What became of a server's request for a client certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ClientCertificate {
    /// Asked for, and none sent: no `--cert`, or one the server cannot take.
    Requested,
    /// Asked for, and the `--cert` certificate sent.
    Sent,
}

/// What a server certificate says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateInfo {
    /// The subject's distinguished name, as "CN=shop.test".
    pub subject: String,
    pub issuer: String,
    /// The DNS names and IP addresses of subjectAltName, in certificate order: what the
    /// certificate is valid for.
    pub names: Vec<String>,
    #[serde(serialize_with = "serialize_rfc3339")]
    pub not_before: OffsetDateTime,
    #[serde(serialize_with = "serialize_rfc3339")]
    pub not_after: OffsetDateTime,
}

/// A certificate that expires within this many days gets a warning on every hop that uses it.
pub const EXPIRY_WARNING_DAYS: i64 = 14;

impl CertificateInfo {
    /// Still valid at `now`, but not for [`EXPIRY_WARNING_DAYS`] more days: worth a warning,
    /// since browsers will refuse it soon.
    pub fn expires_soon(&self, now: OffsetDateTime) -> bool {
        let left = self.not_after - now;
        !left.is_negative() && left.whole_days() < EXPIRY_WARNING_DAYS
    }
}

fn serialize_rfc3339<S: serde::Serializer>(
    time: &OffsetDateTime,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let text = time
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(serde::ser::Error::custom)?;
    serializer.serialize_str(&text)
}

#[cfg(test)]
mod tests {
    use time::Duration;

    use super::*;

    #[test]
    fn expires_soon_only_while_still_valid_and_close_to_the_end() {
        let now = OffsetDateTime::UNIX_EPOCH + Duration::days(1000);
        let ending = |left: Duration| CertificateInfo {
            subject: "CN=a.test".to_owned(),
            issuer: "CN=CA".to_owned(),
            names: vec![],
            not_before: OffsetDateTime::UNIX_EPOCH,
            not_after: now + left,
        };
        assert!(ending(Duration::days(EXPIRY_WARNING_DAYS - 1)).expires_soon(now));
        assert!(ending(Duration::ZERO).expires_soon(now));
        assert!(!ending(Duration::days(EXPIRY_WARNING_DAYS)).expires_soon(now));
        assert!(!ending(Duration::seconds(-1)).expires_soon(now));
    }
}
