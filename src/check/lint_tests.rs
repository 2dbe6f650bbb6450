//! Tests of `hops check --lint`: every kind of finding on small tables of rows, the flags that
//! loosen or tighten it, the report's wording and escaping, and a long map.

use super::*;
use crate::model::RowExpect;

/// Rows of `map.csv` from `(source path, target path, status)`, the first on line 2 (after
/// the header); an empty target is a row without one.
fn rows(table: &[(&str, &str, Option<u16>)]) -> Vec<Row> {
    table
        .iter()
        .enumerate()
        .map(|(i, (source, target, status))| Row {
            file: "map.csv".to_owned(),
            line: i + 2,
            source: url(source),
            expect: RowExpect {
                target: (!target.is_empty()).then(|| url(target)),
                status: *status,
                ..RowExpect::default()
            },
            target_at: None,
        })
        .collect()
}

fn url(path: &str) -> Url {
    Url::parse("https://a.test/").unwrap().join(path).unwrap()
}

/// Each finding as its kind and every line it involves.
fn found(lint: &Lint) -> Vec<(LintKind, Vec<usize>)> {
    lint.findings
        .iter()
        .map(|f| (f.kind(), f.lines().iter().map(|p| p.line).collect()))
        .collect()
}

fn rendered(lint: &Lint) -> String {
    let mut out = Vec::new();
    render(&mut out, lint, Redactor::default()).unwrap();
    String::from_utf8(out).unwrap()
}

const P: Option<u16> = Some(301);
const T: Option<u16> = Some(302);

#[test]
fn each_kind_of_finding_with_its_lines() {
    use LintKind::*;
    type Case = (
        &'static str,
        Vec<(&'static str, &'static str, Option<u16>)>,
        Vec<(LintKind, Vec<usize>)>,
    );
    let cases: Vec<Case> = vec![
        (
            "clean",
            vec![("/a", "/new", P), ("/b", "/new", P), ("/c", "/other", None)],
            vec![],
        ),
        (
            "chain",
            vec![("/a", "/b", None), ("/x", "/y", None), ("/b", "/c", None)],
            vec![(Chain, vec![2, 4])],
        ),
        (
            "a longer chain reports every row that is not the last",
            vec![("/a", "/b", None), ("/b", "/c", None), ("/c", "/d", None)],
            vec![(Chain, vec![2, 3]), (Chain, vec![3, 4])],
        ),
        (
            "cycle, reported once at its first row",
            vec![("/x", "/y", None), ("/a", "/b", None), ("/y", "/x", None)],
            vec![(Cycle, vec![2, 4])],
        ),
        (
            "a longer cycle, and a chain into it",
            vec![
                ("/in", "/b", None),
                ("/b", "/c", None),
                ("/c", "/d", None),
                ("/d", "/b", None),
            ],
            vec![(Chain, vec![2, 3]), (Cycle, vec![3, 4, 5])],
        ),
        (
            "the same source with two targets",
            vec![("/a", "/b", None), ("/x", "/y", None), ("/a", "/c", None)],
            vec![(Conflict, vec![4, 2])],
        ),
        (
            "the same row twice is no conflict",
            vec![("/a", "/b", None), ("/a", "/b", None)],
            vec![],
        ),
        (
            "self-redirect",
            vec![("/a", "/b", None), ("/s", "/s", None)],
            vec![(SelfRedirect, vec![3])],
        ),
        (
            "self-redirect ignoring the fragment",
            vec![("/s", "/s#top", None)],
            vec![(SelfRedirect, vec![2])],
        ),
        (
            "temporary among mostly permanent",
            vec![("/a", "/n", P), ("/b", "/n", T), ("/c", "/n", P)],
            vec![(Temporary, vec![3])],
        ),
        (
            "temporary as often as permanent: not reported",
            vec![("/a", "/n", P), ("/b", "/n", T), ("/c", "/n", None)],
            vec![],
        ),
        (
            "rows that do not redirect are not linted",
            vec![
                ("/a", "", None),
                ("/b", "/a", Some(200)),
                ("/a", "/b", None),
            ],
            vec![],
        ),
    ];
    for (name, table, expected) in cases {
        let lint = lint(rows(&table), &VerdictOptions::default());
        assert_eq!(found(&lint), expected, "{name}");
        assert_eq!(lint.rows, table.len(), "{name}");
    }
}

#[test]
fn permanent_flags_every_temporary_row() {
    let table = [("/a", "/n", T), ("/b", "/n", Some(307)), ("/c", "/n", None)];
    let options = VerdictOptions {
        permanent: true,
        ..VerdictOptions::default()
    };
    let lint = lint(rows(&table), &options);
    assert_eq!(
        found(&lint),
        [
            (LintKind::Temporary, vec![2]),
            (LintKind::Temporary, vec![3])
        ]
    );
    assert!(
        rendered(&lint).contains("is a 307 (temporary), and --permanent wants 301 or 308: use 308"),
        "{}",
        rendered(&lint)
    );
}

#[test]
fn ignore_slash_and_query_join_sources_and_targets() {
    let table = [("/a", "/b/", None), ("/b", "/c?x=1", None)];
    let plain = lint(rows(&table), &VerdictOptions::default());
    assert_eq!(found(&plain), []);
    let loose = lint(
        rows(&table),
        &VerdictOptions {
            ignore_slash: true,
            ignore_query: true,
            ..VerdictOptions::default()
        },
    );
    assert_eq!(found(&loose), [(LintKind::Chain, vec![2, 3])]);
}

#[test]
fn the_report_says_what_and_how_to_fix_it() {
    let table = [
        ("/a", "/b", None),
        ("/x", "/y", None),
        ("/y", "/x", None),
        ("/b", "/c", None),
        ("/a", "/z", None),
    ];
    let lint = lint(rows(&table), &VerdictOptions::default());
    assert_eq!(
        rendered(&lint),
        "map.csv:2: chain: https://a.test/a → https://a.test/b, and https://a.test/b → \
         https://a.test/c on line 5: point https://a.test/a at https://a.test/c\n\
         map.csv:3: cycle: https://a.test/x → https://a.test/y, https://a.test/y → \
         https://a.test/x on line 4: no page is ever reached: point one of them at a page \
         that answers\n\
         map.csv:6: conflict: https://a.test/a → https://a.test/z, but line 2 sends it to \
         https://a.test/b: keep one target for the source\n\
         3 findings in 5 rows\n"
    );
    let clean = super::lint(rows(&[("/a", "/b", None)]), &VerdictOptions::default());
    assert_eq!(rendered(&clean), "no findings in 1 row\n");
}

#[test]
fn rows_of_another_map_are_named_by_file() {
    let mut all = rows(&[("/a", "/b", None)]);
    let mut other = rows(&[("/b", "/c", None)]);
    other[0].file = "more.csv".to_owned();
    all.append(&mut other);
    let lint = lint(all, &VerdictOptions::default());
    assert!(
        rendered(&lint).contains("https://a.test/c on more.csv:2: point"),
        "{}",
        rendered(&lint)
    );
}

#[test]
fn control_characters_in_a_file_name_are_escaped() {
    let mut table = rows(&[("/s", "/s", None)]);
    table[0].file = "evil\u{1b}[2J.csv".to_owned();
    let lint = lint(table, &VerdictOptions::default());
    assert!(rendered(&lint).starts_with("evil\\x1b[2J.csv:2: self_redirect:"));
}

/// A long chain and many rows: one walk per row, no recursion.
#[test]
fn a_long_chain_of_many_rows() {
    let paths: Vec<String> = (0..20_000).map(|i| format!("/p{i}")).collect();
    let table: Vec<(&str, &str, Option<u16>)> = paths
        .windows(2)
        .map(|pair| (pair[0].as_str(), pair[1].as_str(), P))
        .collect();
    let lint = lint(rows(&table), &VerdictOptions::default());
    assert_eq!(lint.findings.len(), table.len() - 1);
    match &lint.findings[0].problem {
        Problem::Chain { end, .. } => assert_eq!(*end, End::At(url("/p19999"))),
        other => panic!("{other:?}"),
    }
}
