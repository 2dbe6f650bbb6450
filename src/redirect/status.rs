//! Which responses are redirects: the five followed statuses, and why any other response that
//! looks like one (a Location on a 201, a 300, a redirect status without Location) is final
//! (docs/rules.md §1).

/// The statuses a client follows when a `Location` is present (RFC 9110 §15.4, Fetch).
pub const FOLLOWED_STATUSES: [u16; 5] = [301, 302, 303, 307, 308];

pub fn is_followed_status(status: u16) -> bool {
    FOLLOWED_STATUSES.contains(&status)
}

/// Why a response ends the chain although it carries a `Location` or has a redirect status.
pub fn not_followed_reason(status: u16, has_location: bool) -> Option<String> {
    match (is_followed_status(status), has_location) {
        (true, false) => Some(format!(
            "{status} without a Location header: final response"
        )),
        (false, true) => Some(match status {
            300 => {
                "300 Multiple Choices is not followed automatically: Location shown as information"
                    .into()
            }
            304 => "304 Not Modified is not a redirect: Location shown as information".into(),
            305 | 306 => {
                format!("{status} is obsolete and never followed: Location shown as information")
            }
            _ if (300..400).contains(&status) => {
                format!("{status} is not a redirect status: Location shown as information")
            }
            _ => format!("Location on a {status} response is not a redirect: shown as information"),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn followed_statuses() {
        for (status, followed) in [
            (300, false),
            (301, true),
            (302, true),
            (303, true),
            (304, false),
            (305, false),
            (306, false),
            (307, true),
            (308, true),
            (309, false),
            (201, false),
            (200, false),
        ] {
            assert_eq!(is_followed_status(status), followed, "status {status}");
        }
    }

    #[test]
    fn reasons_for_not_following() {
        assert!(
            not_followed_reason(302, false)
                .unwrap()
                .contains("without a Location")
        );
        assert!(not_followed_reason(201, true).unwrap().contains("201"));
        assert!(not_followed_reason(300, true).unwrap().contains("300"));
        assert!(not_followed_reason(304, true).unwrap().contains("304"));
        assert!(not_followed_reason(306, true).unwrap().contains("obsolete"));
        assert!(not_followed_reason(399, true).unwrap().contains("399"));
        assert_eq!(not_followed_reason(302, true), None);
        assert_eq!(not_followed_reason(200, false), None);
    }
}
