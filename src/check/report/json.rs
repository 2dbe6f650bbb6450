//! The machine report of `hops check --report json`: one JSON object per row, one per line
//! (NDJSON), written as each result arrives:
//!
//! ```text
//! {"file": "map.csv", "line": 12, "source": "https://a.test/old",
//!  "expected": {"target": "https://a.test/new" | null, "status": 301 | null,
//!               "max_hops": 1 | null, "final_status": 200 | null},
//!  "result": "ok" | "wrong_target" | ...,   // the one kind the row got
//!  "ok": true, "message": "ok" | "every broken expectation; joined like this",
//!  "chain": {"schema": 1, ...}}             // the document `hops URL --format json` writes
//! ```
//!
//! `expected` is what the row was checked against as the caller passes it (its own columns, or
//! those filled in by the flags: [`crate::check::verdict::effective`]). The chain's document
//! comes with the analysis of a run without `--expect-*` flags: its diagnosis of a loop and its
//! verdict, no checks. The row's own verdict is `result`, outside it, so that `chain` means
//! exactly what it means in a normal run and its `checks` hold only `--expect-*` results.

use std::io::{self, Write};

use serde::Serialize;

use crate::analyze::Checks;
use crate::model::{Analysis, Chain, Redactor, ResultKind, Row, RowResult};
use crate::render::{escape, json};

#[derive(Debug, Serialize)]
struct RowDocument<'a> {
    file: &'a str,
    line: usize,
    source: String,
    expected: Expected,
    result: ResultKind,
    ok: bool,
    message: String,
    chain: json::Document<'a>,
}

#[derive(Debug, Serialize)]
struct Expected {
    target: Option<String>,
    status: Option<u16>,
    max_hops: Option<usize>,
    final_status: Option<u16>,
}

/// What a normal run concludes about a chain when no `--expect-*` flag was given (the HSTS
/// hints aside, which `analyze` adds to the hops themselves, and the caller may have).
pub fn plain_analysis(chain: &Chain, redactor: Redactor) -> Analysis {
    crate::analyze::analysis(chain, &Checks::default(), redactor)
}

/// Writes one row's object as one line, control and bidi characters escaped.
pub fn row(
    out: &mut dyn Write,
    row: &Row,
    result: &RowResult,
    chain: &Chain,
    redactor: Redactor,
) -> io::Result<()> {
    let analysis = plain_analysis(chain, redactor);
    let expect = &row.expect;
    let document = RowDocument {
        file: &row.file,
        line: row.line,
        source: redactor.url(&row.source),
        expected: Expected {
            target: expect.target.as_ref().map(|url| redactor.url(url)),
            status: expect.status,
            max_hops: expect.max_hops,
            final_status: expect.final_status,
        },
        result: result.kind,
        ok: result.ok,
        message: result.message(),
        chain: json::document(chain, &analysis, redactor),
    };
    escape::to_writer(&mut *out, &document)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::check::report::text::tests::{HOSTILE, sample};

    fn written(redactor: Redactor) -> String {
        let mut out = Vec::new();
        for (r, result, chain) in sample() {
            row(&mut out, &r, &result, &chain, redactor).unwrap();
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn one_object_per_line_around_the_chain_document() {
        let text = written(Redactor::default());
        let objects: Vec<Value> = text
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        assert_eq!(objects.len(), 3);
        let mut first = objects[1].clone();
        let chain = first.as_object_mut().unwrap().remove("chain").unwrap();
        assert_eq!(
            first,
            json!({
                "file": "map.csv",
                "line": 3,
                "source": "https://a.test/old",
                "expected": {"target": "https://a.test/else", "status": null, "max_hops": null, "final_status": null},
                "result": "wrong_target",
                "ok": false,
                "message": "expected to end at https://a.test/else, ended at https://a.test/new",
            })
        );
        // The chain is a normal run's document: it reached its page, so it is ok on its own.
        assert_eq!(chain["schema"], 1);
        assert_eq!(chain["ok"], true);
        assert_eq!(chain["checks"], json!([]));
        assert_eq!(
            chain["verdict"],
            "OK: 1 redirect, final 200 at https://a.test/new"
        );
        assert_eq!(chain["hops"].as_array().unwrap().len(), 2);
        assert_eq!(objects[0]["result"], "ok");
        assert_eq!(objects[2]["result"], "network_error");
        assert_eq!(objects[2]["chain"]["error"]["kind"], "connect");
        // The key order is the documented one.
        assert!(text.starts_with(
            "{\"file\":\"map.csv\",\"line\":2,\"source\":\"https://a.test/old\",\"expected\":"
        ));
    }

    #[test]
    fn server_text_is_escaped_and_parses_back() {
        let (r, mut result, mut chain) = sample().remove(0);
        result.broken = vec![HOSTILE.to_owned()];
        chain.hops[1].reason = HOSTILE.to_owned();
        let mut out = Vec::new();
        row(&mut out, &r, &result, &chain, Redactor::default()).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.trim_end().chars().any(escape::is_unsafe), "{text:?}");
        assert!(
            text.contains("\\u001b[2J\\u0007\\u009b31m\\u202e"),
            "{text}"
        );
        let back: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(back["message"], HOSTILE);
        assert_eq!(back["chain"]["hops"][1]["reason"], HOSTILE);
    }

    #[test]
    fn passwords_are_masked_unless_shown() {
        let (mut r, result, chain) = sample().remove(0);
        r.source = url::Url::parse("https://u:pw@a.test/old").unwrap();
        for (redactor, shown) in [
            (Redactor::default(), "https://u:****@a.test/old"),
            (Redactor { show_secrets: true }, "https://u:pw@a.test/old"),
        ] {
            let mut out = Vec::new();
            row(&mut out, &r, &result, &chain, redactor).unwrap();
            let back: Value = serde_json::from_slice(&out).unwrap();
            assert_eq!(back["source"], shown);
        }
    }
}
