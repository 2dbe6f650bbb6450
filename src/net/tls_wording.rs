//! Every way a TLS handshake can fail, in words: the certificate's problems, rustls's other
//! errors, the server's alerts, and the TLS versions a server offers, never rustls's debug text
//! (`Other(OtherError(...))`).
//!
//! rustls's error enums are `#[non_exhaustive]` and grow between minor versions, so each match
//! names the variants a handshake can end with today and words any later one from its name
//! ([`variant_words`]): a new variant reads "selected unoffered cipher suite", not a debug dump.

use rustls::pki_types::UnixTime;
use rustls::{
    AlertDescription, CertificateError, Error, InvalidMessage, PeerIncompatible, PeerMisbehaved,
};
use time::OffsetDateTime;

use super::certificate::{CertificateInfo, SelfSigned, format_time, list_names, relative};

/// What hops offers, and so what a server offering only older versions is told it lacks.
const VERSIONS_TOO_OLD: &str = "the server offers only TLS 1.0 or 1.1; hops needs TLS 1.2 or later";

/// A failed handshake in words a user can act on; `certificate` is the server's certificate when
/// the verifier saw it, for certificate problems.
pub fn tls_problem(error: &Error, certificate: Option<&CertificateInfo>) -> String {
    if let Some(problem) = certificate_problem(error, certificate) {
        return problem;
    }
    match error {
        Error::AlertReceived(alert) => alert_problem(*alert),
        Error::PeerIncompatible(why) => incompatible(why),
        Error::PeerMisbehaved(why) => misbehaved(why),
        Error::InvalidMessage(why) => invalid_message(why),
        Error::InappropriateMessage { .. } | Error::InappropriateHandshakeMessage { .. } => {
            "the server sent a TLS message out of order".to_owned()
        }
        Error::NoCertificatesPresented => "the server sent no certificate".to_owned(),
        Error::UnsupportedNameType => {
            "the host name cannot be sent to the server in the TLS handshake".to_owned()
        }
        Error::DecryptError => {
            "a TLS record from the server could not be decrypted: the connection is corrupted, \
             or something between hops and the server tampers with it"
                .to_owned()
        }
        Error::EncryptError => "a TLS record could not be encrypted".to_owned(),
        Error::PeerSentOversizedRecord => {
            "the server sent a TLS record larger than TLS allows".to_owned()
        }
        Error::HandshakeNotComplete => "the TLS handshake did not complete".to_owned(),
        Error::NoApplicationProtocol => {
            "the server speaks neither HTTP/2 nor HTTP/1.1 (no ALPN protocol in common)".to_owned()
        }
        Error::FailedToGetCurrentTime => {
            "the system clock could not be read to check the certificate's dates".to_owned()
        }
        Error::FailedToGetRandomBytes => {
            "the system gave no random bytes for the TLS handshake".to_owned()
        }
        Error::InvalidEncryptedClientHello(_) => {
            "the encrypted ClientHello (ECH) could not be used".to_owned()
        }
        Error::InvalidCertRevocationList(_) => {
            "a certificate revocation list could not be used".to_owned()
        }
        Error::BadMaxFragmentSize => "the TLS fragment size is out of range".to_owned(),
        Error::InconsistentKeys(_) => "a certificate and its private key do not match".to_owned(),
        // Free text, not a debug dump: written by whoever raised it.
        Error::General(text) => format!("TLS error: {text}"),
        Error::Other(other) => format!("TLS error: {}", readable(&other.0.to_string())),
        other => format!("TLS error: {}", variant_words(&format!("{other:?}"))),
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
        format!("the certificate was refused: {}", variant_words(&name))
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
        return format!("the certificate was refused: {}", readable(&name));
    };
    text.to_owned()
}

fn from_unix(time: UnixTime) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(i64::try_from(time.as_secs()).ok()?).ok()
}

/// A fatal alert the server sent, by its RFC 8446 §6 name and what it means for the user.
fn alert_problem(alert: AlertDescription) -> String {
    let code = u8::from(alert);
    let (name, meaning) = match code {
        70 => return VERSIONS_TOO_OLD.to_owned(),
        0 => (
            "close_notify",
            "the server closed the connection during the handshake",
        ),
        10 => (
            "unexpected_message",
            "the server did not expect hops's TLS message",
        ),
        20 => (
            "bad_record_mac",
            "the server could not authenticate hops's TLS record",
        ),
        21 => (
            "decryption_failed",
            "the server could not decrypt hops's TLS record",
        ),
        22 => (
            "record_overflow",
            "the server found hops's TLS record too long",
        ),
        30 => (
            "decompression_failure",
            "the server could not decompress hops's TLS record",
        ),
        40 => (
            "handshake_failure",
            "the server found no TLS settings it shares with hops (cipher suites, key \
             exchange, signature schemes), or wants something hops cannot give",
        ),
        41 => ("no_certificate", "the server wants a client certificate"),
        42 => ("bad_certificate", "the server refused a certificate"),
        43 => (
            "unsupported_certificate",
            "the server refused a certificate of that kind",
        ),
        44 => (
            "certificate_revoked",
            "the server refused a revoked certificate",
        ),
        45 => (
            "certificate_expired",
            "the server refused an expired certificate",
        ),
        46 => ("certificate_unknown", "the server refused a certificate"),
        47 => (
            "illegal_parameter",
            "the server found a field of hops's TLS message out of range",
        ),
        48 => (
            "unknown_ca",
            "the server does not trust a certificate's authority",
        ),
        49 => ("access_denied", "the server denies access"),
        50 => (
            "decode_error",
            "the server could not read hops's TLS message",
        ),
        51 => ("decrypt_error", "the server could not verify the handshake"),
        60 => ("export_restriction", "the server refused an export cipher"),
        71 => (
            "insufficient_security",
            "the server wants stronger ciphers than hops offered",
        ),
        80 => ("internal_error", "the server failed inside the handshake"),
        86 => (
            "inappropriate_fallback",
            "the server saw a downgraded retry and refused it",
        ),
        90 => ("user_canceled", "the server canceled the handshake"),
        100 => ("no_renegotiation", "the server refused to renegotiate"),
        109 => (
            "missing_extension",
            "the server needs a TLS extension hops did not send",
        ),
        110 => (
            "unsupported_extension",
            "the server got a TLS extension it does not support",
        ),
        111 => (
            "certificate_unobtainable",
            "the server could not fetch a certificate",
        ),
        112 => {
            return "the server does not serve the host name hops asked for (unrecognized_name \
                    alert); check the host name, or --resolve"
                .to_owned();
        }
        113 => (
            "bad_certificate_status_response",
            "the server refused a certificate status response",
        ),
        114 => (
            "bad_certificate_hash_value",
            "the server refused a certificate hash",
        ),
        115 => (
            "unknown_psk_identity",
            "the server does not know the pre-shared key offered",
        ),
        116 => (
            "certificate_required",
            "the server requires a client certificate, which hops cannot send",
        ),
        120 => (
            "no_application_protocol",
            "the server speaks neither HTTP/2 nor HTTP/1.1 (no ALPN protocol in common)",
        ),
        121 => (
            "ech_required",
            "the server requires an encrypted ClientHello (ECH)",
        ),
        _ => return format!("the server ended the handshake with TLS alert {code}"),
    };
    format!("{meaning} ({name} alert)")
}

/// The server and hops share no version, suite or parameter.
fn incompatible(why: &PeerIncompatible) -> String {
    let text = match why {
        PeerIncompatible::ServerDoesNotSupportTls12Or13 => VERSIONS_TOO_OLD,
        PeerIncompatible::ServerTlsVersionIsDisabledByOurConfig
        | PeerIncompatible::SupportedVersionsExtensionRequired
        | PeerIncompatible::Tls12NotOffered
        | PeerIncompatible::Tls12NotOfferedOrEnabled => {
            "the server chose a TLS version hops does not offer; hops speaks TLS 1.2 and 1.3"
        }
        PeerIncompatible::NoCipherSuitesInCommon => {
            "the server and hops have no cipher suite in common"
        }
        PeerIncompatible::NoKxGroupsInCommon | PeerIncompatible::NamedGroupsExtensionRequired => {
            "the server and hops have no key exchange group in common"
        }
        PeerIncompatible::NoSignatureSchemesInCommon
        | PeerIncompatible::SignatureAlgorithmsExtensionRequired => {
            "the server and hops have no signature scheme in common"
        }
        PeerIncompatible::NoCertificateRequestSignatureSchemesInCommon => {
            "the server asks for a client certificate signed in a way hops does not know"
        }
        PeerIncompatible::ExtendedMasterSecretExtensionRequired => {
            "the server does not support the extended master secret (RFC 7627) hops requires"
        }
        PeerIncompatible::EcPointsExtensionRequired
        | PeerIncompatible::NoEcPointFormatsInCommon
        | PeerIncompatible::UncompressedEcPointsRequired => {
            "the server and hops have no elliptic-curve point format in common"
        }
        PeerIncompatible::NullCompressionRequired => {
            "the server insists on TLS compression, which hops does not do"
        }
        PeerIncompatible::KeyShareExtensionRequired => "the server sent no key share for TLS 1.3",
        PeerIncompatible::ServerRejectedEncryptedClientHello(_) => {
            "the server refused the encrypted ClientHello (ECH)"
        }
        other => {
            return format!(
                "the server and hops have no TLS parameters in common: {}",
                variant_words(&format!("{other:?}"))
            );
        }
    };
    text.to_owned()
}

/// The server broke the protocol: a bug in it, or something in between rewriting the bytes.
fn misbehaved(why: &PeerMisbehaved) -> String {
    let detail = match why {
        PeerMisbehaved::AttemptedDowngradeToTls12WhenTls13IsSupported => {
            "it answered TLS 1.2 while signalling TLS 1.3, which is what a downgrade attack looks \
             like"
                .to_owned()
        }
        PeerMisbehaved::SelectedUnofferedCipherSuite => {
            "it chose a cipher suite hops did not offer".to_owned()
        }
        PeerMisbehaved::SelectedUnofferedApplicationProtocol => {
            "it chose an ALPN protocol hops did not offer".to_owned()
        }
        PeerMisbehaved::SelectedUnofferedKxGroup | PeerMisbehaved::WrongGroupForKeyShare => {
            "it chose a key exchange group hops did not offer".to_owned()
        }
        PeerMisbehaved::SignedHandshakeWithUnadvertisedSigScheme
        | PeerMisbehaved::SignedKxWithWrongAlgorithm => {
            "it signed the handshake in a way hops did not offer".to_owned()
        }
        other => variant_words(&format!("{other:?}")),
    };
    format!("the server broke the TLS protocol: {detail}")
}

/// A message rustls could not parse.
fn invalid_message(why: &InvalidMessage) -> String {
    match why {
        // A plain-http server answers a ClientHello with text: "HTTP/1.1 400 ..." starts with a
        // byte that is no TLS record type.
        InvalidMessage::InvalidContentType => {
            "the server did not answer in TLS: is this an http port?".to_owned()
        }
        InvalidMessage::UnknownProtocolVersion => {
            "the server answered with a TLS version hops does not know".to_owned()
        }
        InvalidMessage::MessageTooLarge
        | InvalidMessage::HandshakePayloadTooLarge
        | InvalidMessage::CertificatePayloadTooLarge => {
            "the server sent a TLS message larger than hops accepts".to_owned()
        }
        other => format!(
            "the server sent a malformed TLS message: {}",
            variant_words(&format!("{other:?}"))
        ),
    }
}

/// A variant's name in words: `SelectedUnofferedCipherSuite(..)` → "selected unoffered cipher
/// suite". Only the name is kept; what follows it (fields, payloads) is debug text.
pub(super) fn variant_words(debug: &str) -> String {
    let name: &str = debug
        .split(|c: char| !c.is_ascii_alphanumeric())
        .next()
        .unwrap_or_default();
    let mut words = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        // A capital starts a word, except inside an acronym ("UnknownCA", "PSKIdentity"): there
        // only the last capital before a lower-case letter does.
        let starts_word = i > 0
            && c.is_ascii_uppercase()
            && (chars[i - 1].is_ascii_lowercase()
                || chars.get(i + 1).is_some_and(char::is_ascii_lowercase));
        if starts_word {
            words.push(' ');
        }
        words.push(c);
    }
    let lower = words.to_ascii_lowercase();
    if lower.is_empty() {
        "no detail".to_owned()
    } else {
        lower
    }
}

/// Text from an error of unknown origin: kept when it reads as words, worded from its name when
/// it is a debug name (`CaUsedAsEndEntity`).
pub(super) fn readable(text: &str) -> String {
    let looks_like_debug = !text.contains(' ')
        || text.contains('(')
            && text
                .split(|c: char| !c.is_ascii_alphanumeric())
                .next()
                .is_some_and(|first| first.chars().next().is_some_and(char::is_uppercase));
    if looks_like_debug {
        variant_words(text)
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use rustls::OtherError;
    use rustls::pki_types::ServerName;

    use super::super::tests::{at, info};
    use super::*;

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

    /// Text that gives rustls's debug output away: a payload in parentheses or braces, or a
    /// CamelCase name.
    fn looks_debug(text: &str) -> bool {
        // The handshake messages' own names are words here.
        let terms = ["ClientHello", "ServerHello"];
        let camel = text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .any(|word| {
                if terms.contains(&word) {
                    return false;
                }
                let mut chars = word.chars();
                chars.next().is_some_and(char::is_uppercase)
                    && chars.any(char::is_lowercase)
                    && word[1..].chars().any(char::is_uppercase)
            });
        camel || text.contains('{') || text.contains("Error(")
    }

    #[test]
    fn variant_names_read_as_words() {
        #[rustfmt::skip]
        let table = [
            ("SelectedUnofferedCipherSuite", "selected unoffered cipher suite"),
            ("UnknownCA", "unknown ca"),
            ("UnknownPSKIdentity", "unknown psk identity"),
            ("CaUsedAsEndEntity", "ca used as end entity"),
            ("MissingData(\"x\")", "missing data"),
            ("Unknown(255)", "unknown"),
            ("", "no detail"),
        ];
        for (debug, words) in table {
            assert_eq!(variant_words(debug), words, "{debug}");
        }
        assert_eq!(readable("CaUsedAsEndEntity"), "ca used as end entity");
        assert_eq!(readable("the key is too short"), "the key is too short");
    }

    #[test]
    fn an_old_tls_server_is_named_as_such() {
        let alert = Error::AlertReceived(AlertDescription::ProtocolVersion);
        let hello = Error::PeerIncompatible(PeerIncompatible::ServerDoesNotSupportTls12Or13);
        for error in [alert, hello] {
            assert_eq!(
                tls_problem(&error, None),
                "the server offers only TLS 1.0 or 1.1; hops needs TLS 1.2 or later"
            );
        }
    }

    /// Every alert code, every error a handshake can end with, in words.
    #[test]
    fn no_handshake_failure_is_shown_as_debug_text() {
        let mut errors: Vec<Error> = (0..=255u8)
            .map(|code| Error::AlertReceived(AlertDescription::from(code)))
            .collect();
        #[rustfmt::skip]
        let incompatible = [
            PeerIncompatible::EcPointsExtensionRequired, PeerIncompatible::ExtendedMasterSecretExtensionRequired,
            PeerIncompatible::IncorrectCertificateTypeExtension, PeerIncompatible::KeyShareExtensionRequired,
            PeerIncompatible::NamedGroupsExtensionRequired, PeerIncompatible::NoCertificateRequestSignatureSchemesInCommon,
            PeerIncompatible::NoCipherSuitesInCommon, PeerIncompatible::NoEcPointFormatsInCommon,
            PeerIncompatible::NoKxGroupsInCommon, PeerIncompatible::NoSignatureSchemesInCommon,
            PeerIncompatible::NullCompressionRequired, PeerIncompatible::ServerDoesNotSupportTls12Or13,
            PeerIncompatible::ServerSentHelloRetryRequestWithUnknownExtension,
            PeerIncompatible::ServerTlsVersionIsDisabledByOurConfig, PeerIncompatible::SignatureAlgorithmsExtensionRequired,
            PeerIncompatible::SupportedVersionsExtensionRequired, PeerIncompatible::Tls12NotOffered,
            PeerIncompatible::Tls12NotOfferedOrEnabled, PeerIncompatible::Tls13RequiredForQuic,
            PeerIncompatible::UncompressedEcPointsRequired, PeerIncompatible::UnsolicitedCertificateTypeExtension,
            PeerIncompatible::ServerRejectedEncryptedClientHello(None),
        ];
        errors.extend(incompatible.into_iter().map(Error::PeerIncompatible));
        #[rustfmt::skip]
        let messages = [
            InvalidMessage::CertificatePayloadTooLarge, InvalidMessage::HandshakePayloadTooLarge,
            InvalidMessage::InvalidCcs, InvalidMessage::InvalidContentType,
            InvalidMessage::InvalidCertificateStatusType, InvalidMessage::InvalidCertRequest,
            InvalidMessage::InvalidDhParams, InvalidMessage::InvalidEmptyPayload,
            InvalidMessage::InvalidKeyUpdate, InvalidMessage::InvalidServerName,
            InvalidMessage::MessageTooLarge, InvalidMessage::MessageTooShort,
            InvalidMessage::MissingData("ServerHello"), InvalidMessage::MissingKeyExchange,
            InvalidMessage::NoSignatureSchemes, InvalidMessage::TrailingData("ServerHello"),
            InvalidMessage::UnexpectedMessage("ServerHello"), InvalidMessage::UnknownProtocolVersion,
            InvalidMessage::UnsupportedCompression, InvalidMessage::UnsupportedCurveType,
            InvalidMessage::EmptyTicketValue, InvalidMessage::IllegalEmptyList("Extensions"),
            InvalidMessage::IllegalEmptyValue, InvalidMessage::DuplicateExtension(43),
            InvalidMessage::PreSharedKeyIsNotFinalExtension,
            InvalidMessage::UnknownHelloRetryRequestExtension, InvalidMessage::UnknownCertificateExtension,
        ];
        errors.extend(messages.into_iter().map(Error::InvalidMessage));
        #[rustfmt::skip]
        let misbehaved = [
            PeerMisbehaved::AttemptedDowngradeToTls12WhenTls13IsSupported, PeerMisbehaved::BadCertChainExtensions,
            PeerMisbehaved::IllegalHelloRetryRequestWithNoChanges, PeerMisbehaved::SelectedUnofferedCipherSuite,
            PeerMisbehaved::SelectedUnofferedKxGroup, PeerMisbehaved::SignedKxWithWrongAlgorithm,
            PeerMisbehaved::UnsolicitedServerHelloExtension, PeerMisbehaved::TooManyWarningAlertsReceived,
        ];
        errors.extend(misbehaved.into_iter().map(Error::PeerMisbehaved));
        #[rustfmt::skip]
        let certificate = [
            CertificateError::BadEncoding, CertificateError::Expired, CertificateError::NotValidYet,
            CertificateError::Revoked, CertificateError::UnhandledCriticalExtension,
            CertificateError::UnknownIssuer, CertificateError::UnknownRevocationStatus,
            CertificateError::ExpiredRevocationList, CertificateError::BadSignature,
            CertificateError::NotValidForName, CertificateError::InvalidPurpose,
            CertificateError::InvalidOcspResponse, CertificateError::ApplicationVerificationFailure,
            CertificateError::Other(OtherError(Arc::new(std::io::Error::other("CaUsedAsEndEntity")))),
            CertificateError::Other(OtherError(Arc::new(std::io::Error::other("EndEntityUsedAsCa")))),
            CertificateError::Other(OtherError(Arc::new(std::io::Error::other("RequiredEkuNotFoundContext(RequiredEkuNotFoundContext { required: KeyPurposeId(..) })")))),
        ];
        errors.extend(certificate.into_iter().map(Error::InvalidCertificate));
        errors.extend([
            Error::InappropriateMessage {
                expect_types: vec![rustls::ContentType::Handshake],
                got_type: rustls::ContentType::ApplicationData,
            },
            Error::NoCertificatesPresented,
            Error::UnsupportedNameType,
            Error::DecryptError,
            Error::EncryptError,
            Error::PeerSentOversizedRecord,
            Error::HandshakeNotComplete,
            Error::NoApplicationProtocol,
            Error::FailedToGetCurrentTime,
            Error::FailedToGetRandomBytes,
            Error::BadMaxFragmentSize,
            Error::General("the provider failed".into()),
            Error::Other(OtherError(Arc::new(std::io::Error::other("KeyRejected")))),
        ]);
        for error in &errors {
            let text = tls_problem(error, None);
            assert!(!looks_debug(&text), "{error:?}: {text}");
            assert!(!text.is_empty(), "{error:?}");
        }
        assert_eq!(
            tls_problem(
                &Error::AlertReceived(AlertDescription::UnrecognisedName),
                None
            ),
            "the server does not serve the host name hops asked for (unrecognized_name alert); \
             check the host name, or --resolve"
        );
    }
}
