//! `--har FILE`: the chains as an HTTP Archive (HAR 1.2) that browser devtools import, so support
//! staff can attach a trace to a ticket. One entry per hop that received a response.

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::Redaction;
use crate::record::millis;
use crate::record::{Chain, Hop};

pub fn document(chains: &[Chain], redaction: Redaction) -> Value {
    let entries: Vec<Value> = chains
        .iter()
        .flat_map(|chain| &chain.hops)
        .map(|hop| entry(hop, redaction))
        .collect();
    json!({
        "log": {
            "version": "1.2",
            "creator": {"name": "hops", "version": env!("CARGO_PKG_VERSION")},
            "entries": entries,
        }
    })
}

fn entry(hop: &Hop, redaction: Redaction) -> Value {
    let url = redaction.url(&hop.url);
    let first_byte = millis(hop.timing.first_byte);
    let total = millis(hop.timing.total);
    // HAR's phases: dns, then connect (which includes ssl), then wait, then receive; -1 for a
    // phase that did not happen (a reused connection has no dns or connect). Computed from the
    // rounded values so `time` is their sum, and rounded again so a difference of two decimals
    // does not show as 0.07400000000000007.
    let round = |ms: f64| (ms.max(0.0) * 1000.0).round() / 1000.0;
    let dns = hop.timing.dns.map(millis);
    let connect = hop.timing.connect.map(millis);
    let ssl = hop.timing.tls.map(millis);
    let wait = round(first_byte - dns.unwrap_or(0.0) - connect.unwrap_or(0.0));
    let receive = round(total - first_byte);
    let mut request = json!({
        "method": hop.method,
        "url": url,
        "httpVersion": hop.http_version,
        "cookies": [],
        "headers": name_values(&hop.request_headers, redaction),
        "queryString": query(&hop.url),
        "headersSize": -1,
        "bodySize": hop.body_bytes.map_or(0, |n| n as i64),
    });
    if let Some(body) = &hop.request_body {
        let mime = hop
            .request_headers
            .iter()
            .find(|(name, _)| name == "content-type")
            .map_or("application/octet-stream", |(_, value)| value.as_str());
        request["postData"] = json!({"mimeType": mime, "text": String::from_utf8_lossy(body)});
    }
    let content_type = hop
        .response_headers
        .iter()
        .find(|(name, _)| name == "content-type")
        .map_or("", |(_, value)| value.as_str());
    let mut entry = json!({
        "startedDateTime": OffsetDateTime::from(hop.started_at).format(&Rfc3339).unwrap_or_default(),
        "time": total,
        "request": request,
        "response": {
            "status": hop.status,
            "statusText": hop.reason,
            "httpVersion": hop.http_version,
            "cookies": [],
            "headers": name_values(&hop.response_headers, redaction),
            "content": {"size": -1, "mimeType": content_type},
            "redirectURL": hop.next.as_ref().map_or(String::new(), |next| redaction.url(&next.url)),
            "headersSize": -1,
            "bodySize": -1,
        },
        "cache": {},
        "timings": {
            "blocked": -1,
            "dns": dns.unwrap_or(-1.0),
            "connect": connect.unwrap_or(-1.0),
            "ssl": ssl.unwrap_or(-1.0),
            "send": 0,
            "wait": wait,
            "receive": receive,
        },
    });
    if let Some(addr) = hop.remote_addr {
        entry["serverIPAddress"] = json!(addr.ip().to_string());
    }
    entry
}

fn name_values(pairs: &[(String, String)], redaction: Redaction) -> Vec<Value> {
    pairs
        .iter()
        .map(|(name, value)| json!({"name": name, "value": redaction.header_value(name, value)}))
        .collect()
}

fn query(url: &str) -> Vec<Value> {
    url::Url::parse(url)
        .map(|u| {
            u.query_pairs()
                .map(|(name, value)| json!({"name": name, "value": value}))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Outcome, testing};
    use std::time::Duration;

    #[test]
    fn timings_add_up_to_time_without_float_noise() {
        let mut hop = testing::hop(1, "http://a.test/?q=a%20b", 200, None);
        hop.timing.first_byte = Duration::from_micros(1146);
        hop.timing.total = Duration::from_micros(1220);
        let har = document(
            &[testing::chain(vec![hop], Outcome::Ok)],
            Redaction::default(),
        );
        let entry = &har["log"]["entries"][0];
        assert_eq!(entry["time"], json!(1.22));
        assert_eq!(
            entry["timings"],
            json!({"blocked": -1, "dns": -1.0, "connect": -1.0, "ssl": -1.0, "send": 0, "wait": 1.146, "receive": 0.074})
        );
        let mut fresh = testing::hop(1, "https://a.test/", 200, None);
        fresh.timing.dns = Some(Duration::from_micros(100));
        fresh.timing.connect = Some(Duration::from_micros(500));
        fresh.timing.tls = Some(Duration::from_micros(300));
        fresh.timing.first_byte = Duration::from_micros(1000);
        fresh.timing.total = Duration::from_micros(1200);
        let har = document(
            &[testing::chain(vec![fresh], Outcome::Ok)],
            Redaction::default(),
        );
        assert_eq!(
            har["log"]["entries"][0]["timings"],
            json!({"blocked": -1, "dns": 0.1, "connect": 0.5, "ssl": 0.3, "send": 0, "wait": 0.4, "receive": 0.2})
        );
        assert_eq!(
            entry["request"]["queryString"],
            json!([{"name": "q", "value": "a b"}])
        );
    }
}
