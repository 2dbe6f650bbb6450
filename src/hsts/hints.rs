//! Chain-level HSTS hints, found after tracing: a first visit over plain http that no policy
//! covers, and whether the site meets hstspreload.org's rules when the chain starts at http.

use url::Url;

use super::{Sts, normalize_host, preload_eligibility};
use crate::model::{Hop, Warning, WarningCode};

/// Adds the hints to the hops they are about.
pub fn add_hsts_hints(hops: &mut [Box<Hop>]) {
    let Some(first) = hops.first() else {
        return;
    };
    if first.url.scheme() != "http" || first.synthetic {
        return;
    }
    let Some(host) = first.url.host_str().and_then(normalize_host) else {
        return;
    };
    let same_host_https = |url: &Url| {
        url.scheme() == "https"
            && url.host_str().and_then(normalize_host).as_deref() == Some(host.as_str())
    };
    if !hops.iter().any(|hop| same_host_https(&hop.url)) {
        return;
    }
    hops[0].warnings.push(Warning::new(
        WarningCode::HstsFirstVisit,
        format!(
            "the first request goes over plain http and no HSTS policy covers {host}: it can be intercepted \
             before the redirect to https (preloading the domain closes this gap)"
        ),
    ));
    let redirects_to_same_host_https = hops[0]
        .next
        .as_ref()
        .is_some_and(|next| same_host_https(&next.url));
    let Some(carrier) = hops
        .iter()
        .position(|hop| same_host_https(&hop.url) && hop.hsts.as_ref().is_some_and(|h| h.valid))
    else {
        return;
    };
    let record = hops[carrier].hsts.clone().unwrap_or_default();
    let sts = Sts {
        max_age: record.max_age.unwrap_or_default(),
        include_subdomains: record.include_subdomains,
        preload: record.preload,
    };
    let mut problems = preload_eligibility(&sts);
    if !redirects_to_same_host_https {
        problems.insert(
            0,
            format!("http://{host} must first redirect to https://{host} (same host)"),
        );
    }
    let warning = if problems.is_empty() {
        Warning::new(
            WarningCode::HstsPreloadEligible,
            format!(
                "{host} meets hstspreload.org's rules for the preload list (for a registrable domain)"
            ),
        )
    } else {
        Warning::new(
            WarningCode::HstsPreloadNotEligible,
            format!("{host} cannot be preloaded yet: {}", problems.join("; ")),
        )
    };
    hops[carrier].warnings.push(warning);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testing::hop;
    use crate::model::{HstsAction, HstsRecord};

    fn sts_hop(index: usize, url: &str, max_age: u64, sub: bool, preload: bool) -> Hop {
        let mut hop = hop(index, url, 200, None);
        hop.hsts = Some(Box::new(HstsRecord {
            valid: true,
            max_age: Some(max_age),
            include_subdomains: sub,
            preload,
            action: HstsAction::Noted,
            ..HstsRecord::default()
        }));
        hop
    }

    fn codes(hops: &[Box<Hop>]) -> Vec<Vec<WarningCode>> {
        hops.iter()
            .map(|h| h.warnings.iter().map(|w| w.code).collect())
            .collect()
    }

    #[test]
    fn first_visit_and_preload_hints() {
        let mut hops = vec![
            Box::new(hop(1, "http://shop.test/", 301, Some("https://shop.test/"))),
            Box::new(sts_hop(2, "https://shop.test/", 31_536_000, true, true)),
        ];
        add_hsts_hints(&mut hops);
        assert_eq!(
            codes(&hops),
            [
                vec![WarningCode::HstsFirstVisit],
                vec![WarningCode::HstsPreloadEligible]
            ]
        );

        let mut short = vec![
            Box::new(hop(1, "http://shop.test/", 301, Some("https://shop.test/"))),
            Box::new(sts_hop(2, "https://shop.test/", 600, false, false)),
        ];
        add_hsts_hints(&mut short);
        assert_eq!(
            short[1].warnings[0].code,
            WarningCode::HstsPreloadNotEligible
        );

        let mut https_only = vec![Box::new(sts_hop(
            1,
            "https://shop.test/",
            600,
            false,
            false,
        ))];
        add_hsts_hints(&mut https_only);
        assert!(https_only[0].warnings.is_empty());
    }
}
