//! `/status/:codes`: one code, or a weighted random pick among several (`/status/200:3,503:1`),
//! answered with the headers and body httpbin's `status_code` helper gives that code.

use super::{Reply, TEXT_HTML, python_int};

const TEAPOT: &str = "\n    -=[ teapot ]=-\n\n       _...._\n     .'  _ _ `.\n    | .\"` ^ `\". _,\n    \\_;`\"---\"`|//\n      |       ;/\n      \\_     _/\n        `\"\"\"`\n";

/// The answer to `/status/{codes}`. `draw`, uniform in `[0, 1)`, picks among several codes the
/// way httpbin's `weighted_choice` does with `random.uniform(0, total)`.
pub(super) fn status(codes: &str, draw: f64) -> Reply {
    let code = if codes.contains(',') {
        let mut choices = Vec::new();
        for choice in codes.split(',') {
            let (code, weight) = match choice.split(':').collect::<Vec<_>>()[..] {
                [code] => (code, "1"),
                [code, weight] => (code, weight),
                // httpbin unpacks `choice.split(":")` outside its try: a ValueError it does
                // not catch.
                _ => return Reply::internal_error(),
            };
            let (Some(code), Some(weight)) = (python_int(code), python_float(weight)) else {
                return invalid_status();
            };
            choices.push((code, weight));
        }
        match weighted_choice(&choices, draw) {
            Some(code) => code,
            // The draw fell past the last cumulative weight (all weights zero, say): httpbin's
            // `values[i]` raises IndexError.
            None => return Reply::internal_error(),
        }
    } else {
        match python_int(codes) {
            Some(code) => code,
            None => return invalid_status(),
        }
    };
    let Ok(code) = u16::try_from(code) else {
        return invalid_status();
    };
    status_code(code)
}

/// httpbin's `weighted_choice`: `bisect_right` of `draw * total` in the running sums of the
/// weights. Written as Python's bisect is, so that odd weights (negative ones) pick what httpbin
/// picks; `None` where httpbin's index runs off the end.
fn weighted_choice(choices: &[(i64, f64)], draw: f64) -> Option<i64> {
    let mut total = 0.0;
    let running: Vec<f64> = choices
        .iter()
        .map(|(_, weight)| {
            total += weight;
            total
        })
        .collect();
    let target = draw * total;
    let (mut low, mut high) = (0, running.len());
    while low < high {
        let middle = (low + high) / 2;
        if target < running[middle] {
            high = middle;
        } else {
            low = middle + 1;
        }
    }
    choices.get(low).map(|(code, _)| *code)
}

/// Python's `float(text)` for the spellings a weight may take: surrounding whitespace, a sign,
/// `_` between digits, exponents, `inf` and `nan`.
fn python_float(text: &str) -> Option<f64> {
    let text = text.trim();
    let bytes = text.as_bytes();
    let digit_at = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    let underscores_between_digits = bytes
        .iter()
        .enumerate()
        .all(|(i, &b)| b != b'_' || (i > 0 && digit_at(i - 1) && digit_at(i + 1)));
    if !underscores_between_digits {
        return None;
    }
    text.replace('_', "").parse().ok()
}

/// httpbin's `status_code` helper: the codes it knows get their headers and body (replacing the
/// default headers, so no `Content-Type`), others an empty text/html page.
fn status_code(code: u16) -> Reply {
    let bare = |headers: &[(&'static str, &str)], body: &str| Reply {
        status: code,
        headers: headers
            .iter()
            .map(|(name, value)| (*name, value.as_bytes().to_vec()))
            .collect(),
        body: body.as_bytes().to_vec(),
        cors: true,
    };
    match code {
        301 | 302 | 303 | 305 | 307 => bare(&[("Location", "/redirect/1")], ""),
        401 => bare(&[("WWW-Authenticate", "Basic realm=\"Fake Realm\"")], ""),
        402 => bare(
            &[("X-More-Info", "http://vimeo.com/22053820")],
            "Fuck you, pay me!",
        ),
        406 => bare(
            &[("Content-Type", "application/json")],
            "{\"message\": \"Client did not request a supported media type.\", \"accept\": \
             [\"image/webp\", \"image/svg+xml\", \"image/jpeg\", \"image/png\", \"image/*\"]}",
        ),
        407 => bare(&[("Proxy-Authenticate", "Basic realm=\"Fake Realm\"")], ""),
        418 => bare(
            &[("X-More-Info", "http://tools.ietf.org/html/rfc2324")],
            TEAPOT,
        ),
        _ => Reply::new(code, TEXT_HTML, Vec::new()),
    }
}

/// A plain werkzeug `Response`, so text/plain.
fn invalid_status() -> Reply {
    Reply::new(
        400,
        "text/plain; charset=utf-8",
        b"Invalid status code".to_vec(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn drawn(codes: &str, draw: f64) -> u16 {
        status(codes, draw).status
    }

    #[test]
    fn every_listed_code_can_come_out_and_no_other() {
        let codes = "200:1,418:2.5,503:0.5,201";
        let mut seen = BTreeSet::new();
        for step in 0..1000 {
            seen.insert(drawn(codes, f64::from(step) / 1000.0));
        }
        assert_eq!(seen, BTreeSet::from([200, 201, 418, 503]));
        for _ in 0..1000 {
            let code = drawn(codes, fastrand::f64());
            assert!([200, 201, 418, 503].contains(&code), "{code}");
        }
    }

    #[test]
    fn draws_fall_in_the_running_sums_of_the_weights() {
        // Running sums 1, 3.5, 4: a draw times 4 below 1 picks 200, below 3.5 picks 418.
        assert_eq!(drawn("200:1,418:2.5,503:0.5", 0.0), 200);
        assert_eq!(drawn("200:1,418:2.5,503:0.5", 0.249), 200);
        assert_eq!(drawn("200:1,418:2.5,503:0.5", 0.25), 418);
        assert_eq!(drawn("200:1,418:2.5,503:0.5", 0.874), 418);
        assert_eq!(drawn("200:1,418:2.5,503:0.5", 0.875), 503);
        // A zero weight is never drawn.
        assert_eq!(drawn("418:1,200:0", 0.999), 418);
        assert_eq!(drawn(" 2_00 : 1_0 ,201:0", 0.5), 200);
    }

    #[test]
    fn malformed_lists() {
        assert_eq!(drawn("200,x", 0.5), 400);
        assert_eq!(drawn("200:y,201", 0.5), 400);
        assert_eq!(drawn("200:1:2,201", 0.5), 500);
        // Every weight zero: the draw lands past the end.
        assert_eq!(drawn("200:0,201:0", 0.5), 500);
    }
}
