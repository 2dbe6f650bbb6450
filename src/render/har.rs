//! `--har FILE`: the chains as an HTTP Archive (HAR 1.2) that browser devtools import, so support
//! staff can attach a trace to a ticket. One entry per hop that received a response.

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::model::{Chain, Hop, Redactor, millis};

/// A HAR document, field for field HAR 1.2 (serde keeps declaration order).
#[derive(Debug, Serialize)]
pub struct Har<'a> {
    pub log: Log<'a>,
}

#[derive(Debug, Serialize)]
pub struct Log<'a> {
    pub version: &'static str,
    pub creator: Creator,
    pub entries: Vec<Entry<'a>>,
}

#[derive(Debug, Serialize)]
pub struct Creator {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entry<'a> {
    pub started_date_time: String,
    pub time: f64,
    pub request: HarRequest<'a>,
    pub response: HarResponse<'a>,
    pub cache: Empty,
    pub timings: Timings,
    #[serde(rename = "serverIPAddress", skip_serializing_if = "Option::is_none")]
    pub server_ip_address: Option<String>,
    /// The proxy the request went through, password masked (HAR allows fields of one's own
    /// when their names start with `_`); left out when the request went straight.
    #[serde(rename = "_proxy", skip_serializing_if = "Option::is_none")]
    pub proxy: Option<String>,
    /// Why the request was sent a second time (its reused connection was found closed).
    #[serde(rename = "_retried", skip_serializing_if = "Option::is_none")]
    pub retried: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HarRequest<'a> {
    pub method: &'a str,
    pub url: String,
    pub http_version: &'a str,
    pub cookies: [Empty; 0],
    pub headers: Vec<NameValue>,
    pub query_string: Vec<NameValue>,
    pub headers_size: i64,
    pub body_size: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub post_data: Option<PostData<'a>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostData<'a> {
    pub mime_type: &'a str,
    pub text: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HarResponse<'a> {
    pub status: u16,
    pub status_text: &'a str,
    pub http_version: &'a str,
    pub cookies: [Empty; 0],
    pub headers: Vec<NameValue>,
    pub content: Content<'a>,
    #[serde(rename = "redirectURL")]
    pub redirect_url: String,
    pub headers_size: i64,
    pub body_size: i64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Content<'a> {
    pub size: i64,
    pub mime_type: &'a str,
}

/// HAR's phases in milliseconds; -1 for a phase that did not happen.
#[derive(Debug, Serialize)]
pub struct Timings {
    pub blocked: i64,
    pub dns: f64,
    pub connect: f64,
    pub ssl: f64,
    pub send: i64,
    pub wait: f64,
    pub receive: f64,
}

#[derive(Debug, Serialize)]
pub struct NameValue {
    pub name: String,
    pub value: String,
}

/// `{}`: HAR's empty objects (`cache`) and empty-array placeholders (`cookies`).
#[derive(Debug, Serialize)]
pub struct Empty {}

pub fn document(chains: &[Chain], redactor: Redactor) -> Har<'_> {
    Har {
        log: Log {
            version: "1.2",
            creator: Creator {
                name: "hops",
                version: env!("CARGO_PKG_VERSION"),
            },
            entries: chains
                .iter()
                .flat_map(|chain| &chain.hops)
                .map(|hop| entry(hop, redactor))
                .collect(),
        },
    }
}

fn entry(hop: &Hop, redactor: Redactor) -> Entry<'_> {
    let first_byte = millis(hop.timing.first_byte());
    let total = millis(hop.timing.total());
    // HAR's phases: dns, then connect (which includes ssl), then wait, then receive; -1 for a
    // phase that did not happen (a reused connection has no dns or connect). Computed from the
    // rounded values so `time` is their sum, and rounded again so a difference of two decimals
    // does not show as 0.07400000000000007.
    let round = |ms: f64| (ms.max(0.0) * 1000.0).round() / 1000.0;
    let dns = hop.timing.dns().map(millis);
    let connect = hop.timing.connect().map(millis);
    let ssl = hop.timing.tls().map(millis);
    let wait = round(first_byte - dns.unwrap_or(0.0) - connect.unwrap_or(0.0));
    let receive = round(total - first_byte);
    let post_data = hop.request_body.as_ref().map(|body| PostData {
        mime_type: hop
            .request_header("content-type")
            .unwrap_or("application/octet-stream"),
        text: String::from_utf8_lossy(body).into_owned(),
    });
    Entry {
        started_date_time: OffsetDateTime::from(hop.started_at)
            .format(&Rfc3339)
            .unwrap_or_default(),
        time: total,
        request: HarRequest {
            method: &hop.method,
            url: redactor.url(&hop.url),
            http_version: &hop.http_version,
            cookies: [],
            headers: name_values(&hop.request_headers, redactor),
            query_string: hop
                .url
                .query_pairs()
                .map(|(name, value)| NameValue {
                    name: name.into_owned(),
                    value: value.into_owned(),
                })
                .collect(),
            headers_size: -1,
            body_size: hop.body_bytes.map_or(0, |n| n as i64),
            post_data,
        },
        response: HarResponse {
            status: hop.status,
            status_text: &hop.reason,
            http_version: &hop.http_version,
            cookies: [],
            headers: name_values(&hop.response_headers, redactor),
            content: Content {
                size: -1,
                mime_type: hop.response_header("content-type").unwrap_or(""),
            },
            redirect_url: hop
                .next
                .as_ref()
                .map_or(String::new(), |next| redactor.url(&next.url)),
            headers_size: -1,
            body_size: -1,
        },
        cache: Empty {},
        timings: Timings {
            blocked: -1,
            dns: dns.unwrap_or(-1.0),
            connect: connect.unwrap_or(-1.0),
            ssl: ssl.unwrap_or(-1.0),
            send: 0,
            wait,
            receive,
        },
        server_ip_address: hop.remote_addr.map(|addr| addr.ip().to_string()),
        proxy: hop.proxy.as_deref().map(|proxy| redactor.text(proxy)),
        retried: hop.retried.as_deref().map(|why| redactor.text(why)),
    }
}

/// HAR's `{name, value}` objects for header pairs as they may be shown.
fn name_values(pairs: &[(String, String)], redactor: Redactor) -> Vec<NameValue> {
    redactor
        .headers(pairs)
        .into_iter()
        .map(|(name, value)| NameValue { name, value })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Outcome, testing};
    use serde_json::json;
    use std::time::Duration;

    #[test]
    fn timings_add_up_to_time_without_float_noise() {
        let mut hop = testing::hop(1, "http://a.test/?q=a%20b", 200, None);
        hop.timing.set_first_byte(Duration::from_micros(1146));
        hop.timing.set_total(Duration::from_micros(1220));
        let har = serde_json::to_value(document(
            &[testing::chain(vec![hop], Outcome::Final)],
            Redactor::default(),
        ))
        .unwrap();
        let entry = &har["log"]["entries"][0];
        assert_eq!(entry["time"], json!(1.22));
        assert_eq!(
            entry["timings"],
            json!({"blocked": -1, "dns": -1.0, "connect": -1.0, "ssl": -1.0, "send": 0, "wait": 1.146, "receive": 0.074})
        );
        let mut fresh = testing::hop(1, "https://a.test/", 200, None);
        fresh.timing.set_setup(
            Some(Duration::from_micros(100)),
            Some(Duration::from_micros(500)),
            Some(Duration::from_micros(300)),
        );
        fresh.timing.set_first_byte(Duration::from_micros(1000));
        fresh.timing.set_total(Duration::from_micros(1200));
        let har = serde_json::to_value(document(
            &[testing::chain(vec![fresh], Outcome::Final)],
            Redactor::default(),
        ))
        .unwrap();
        assert_eq!(
            har["log"]["entries"][0]["timings"],
            json!({"blocked": -1, "dns": 0.1, "connect": 0.5, "ssl": 0.3, "send": 0, "wait": 0.4, "receive": 0.2})
        );
        assert_eq!(
            entry["request"]["queryString"],
            json!([{"name": "q", "value": "a b"}])
        );
        assert!(entry.get("_proxy").is_none() && entry.get("_retried").is_none());
    }

    #[test]
    fn the_proxy_and_a_retry_are_fields_of_their_own_with_the_password_masked() {
        let mut hop = testing::hop(1, "http://a.test/", 200, None);
        hop.proxy = Some("http://u:pw@127.0.0.1:3128".into());
        hop.retried = Some("connection closed before message completed".into());
        let har = serde_json::to_value(document(
            &[testing::chain(vec![hop], Outcome::Final)],
            Redactor::default(),
        ))
        .unwrap();
        let entry = &har["log"]["entries"][0];
        assert_eq!(entry["_proxy"], "http://u:****@127.0.0.1:3128");
        assert_eq!(
            entry["_retried"],
            "connection closed before message completed"
        );
    }
}
