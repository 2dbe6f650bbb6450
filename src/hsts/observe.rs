//! Applying the first `Strict-Transport-Security` header of a response to the store, as a
//! browser would, and recording what happened (and why a header was ignored) for the hop.

use std::time::SystemTime;

use url::Url;

use super::{Action, HstsStore, MAX_AGE_CAP, first_sts};
use crate::model::{HstsAction, HstsRecord, Warning, WarningCode};

/// Applies the first of `values` (a response's STS headers) received on a response from `url`.
/// `certificate_checked` is false under `-k`: browsers ignore STS on a connection with
/// certificate errors. `escape` shows the raw header bytes as text. `None` when there was no
/// STS header.
pub fn observe_sts(
    store: &mut HstsStore,
    url: &Url,
    values: &[&[u8]],
    certificate_checked: bool,
    now: SystemTime,
    escape: impl Fn(&[u8]) -> String,
) -> Option<(HstsRecord, Vec<Warning>)> {
    let parsed = first_sts(values)?;
    let mut warnings = Vec::new();
    let mut record = HstsRecord {
        header: Some(escape(values[0])),
        action: HstsAction::Ignored,
        ..HstsRecord::default()
    };
    let sts = match parsed {
        Ok(sts) => sts,
        Err(error) => {
            record.error = Some(error.to_string());
            record.ignored_reason = Some("invalid header: browsers ignore all of it".into());
            warnings.push(Warning::new(
                WarningCode::HstsInvalid,
                format!("Strict-Transport-Security is invalid and ignored: {error}"),
            ));
            return Some((record, warnings));
        }
    };
    record.valid = true;
    record.max_age = Some(sts.max_age);
    record.max_age_effective = Some(sts.effective_max_age());
    record.include_subdomains = sts.include_subdomains;
    record.preload = sts.preload;
    let ignored = if url.scheme() != "https" {
        Some((
            WarningCode::HstsOverHttp,
            "received over plain http: browsers only accept it over https (RFC 6797 §8.1)",
        ))
    } else if !certificate_checked {
        Some((
            WarningCode::HstsInsecure,
            "certificate checks were off (-k): browsers ignore it on a connection with certificate errors",
        ))
    } else {
        None
    };
    if let Some((code, reason)) = ignored {
        record.ignored_reason = Some(reason.into());
        warnings.push(Warning::new(
            code,
            format!("Strict-Transport-Security ignored: {reason}"),
        ));
        return Some((record, warnings));
    }
    let host = url.host_str().unwrap_or_default();
    record.action = match store.observe(host, &sts, now) {
        Action::Noted => HstsAction::Noted,
        Action::Updated => HstsAction::Updated,
        Action::Removed => HstsAction::Removed,
        Action::None => HstsAction::None,
        Action::NotApplicable => {
            record.ignored_reason = Some("HSTS never applies to IP addresses or localhost".into());
            HstsAction::Ignored
        }
    };
    if record.action != HstsAction::Ignored && sts.max_age > 0 {
        if sts.max_age < MAX_AGE_CAP {
            warnings.push(Warning::new(
                WarningCode::HstsShortMaxAge,
                format!(
                    "HSTS max-age is {} ({} s): less than a year leaves returning visitors exposed once it lapses",
                    human_duration(sts.max_age),
                    sts.max_age
                ),
            ));
        }
        if !sts.include_subdomains {
            warnings.push(Warning::new(
                WarningCode::HstsNoIncludeSubdomains,
                "HSTS without includeSubDomains: subdomains (and cookies set for them) can still be reached over plain http",
            ));
        }
    }
    Some((record, warnings))
}

fn human_duration(seconds: u64) -> String {
    match seconds {
        0..=119 => format!("{seconds} seconds"),
        120..=7199 => format!("{} minutes", seconds / 60),
        7200..=172_799 => format!("{} hours", seconds / 3600),
        _ => format!("{} days", seconds / 86_400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn observe(url: &str, header: &str, checked: bool) -> (HstsRecord, Vec<WarningCode>) {
        let mut store = HstsStore::new(false);
        let (record, warnings) = observe_sts(
            &mut store,
            &Url::parse(url).unwrap(),
            &[header.as_bytes()],
            checked,
            SystemTime::UNIX_EPOCH,
            |b| String::from_utf8_lossy(b).into_owned(),
        )
        .unwrap();
        (record, warnings.iter().map(|w| w.code).collect())
    }

    #[test]
    fn what_a_header_does_and_why_it_is_ignored() {
        use WarningCode::*;
        let cases: [(&str, &str, bool, HstsAction, &[WarningCode]); 6] = [
            (
                "https://a.test/",
                "max-age=31536000; includeSubDomains",
                true,
                HstsAction::Noted,
                &[],
            ),
            (
                "https://a.test/",
                "max-age=600",
                true,
                HstsAction::Noted,
                &[HstsShortMaxAge, HstsNoIncludeSubdomains],
            ),
            (
                "http://a.test/",
                "max-age=31536000",
                true,
                HstsAction::Ignored,
                &[HstsOverHttp],
            ),
            (
                "https://a.test/",
                "max-age=31536000",
                false,
                HstsAction::Ignored,
                &[HstsInsecure],
            ),
            (
                "https://a.test/",
                "max-age=1; max-age=2",
                true,
                HstsAction::Ignored,
                &[HstsInvalid],
            ),
            (
                "https://127.0.0.1/",
                "max-age=31536000",
                true,
                HstsAction::Ignored,
                &[],
            ),
        ];
        for (url, header, checked, action, codes) in cases {
            let (record, warnings) = observe(url, header, checked);
            assert_eq!(record.action, action, "{url} {header}");
            assert_eq!(warnings, codes, "{url} {header}");
        }
        assert_eq!(human_duration(600), "10 minutes");
        assert_eq!(human_duration(86_400 * 3), "3 days");
    }
}
