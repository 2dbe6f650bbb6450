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

fn serialize_rfc3339<S: serde::Serializer>(
    time: &OffsetDateTime,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    let text = time
        .format(&time::format_description::well_known::Rfc3339)
        .map_err(serde::ser::Error::custom)?;
    serializer.serialize_str(&text)
}
