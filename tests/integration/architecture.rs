//! The shape of the source, held by tests: the model imports nothing of the crate, no module
//! imports one that imports it back (at the top level or inside a folder), every file opens with
//! a `//!` line, and no file carries much more than 600 lines of non-test code.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// A source file of the crate and its module path (`redirect::navigator`, `model`).
struct Source {
    path: PathBuf,
    module: Vec<String>,
    text: String,
}

fn sources() -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(dir) = dirs.pop() {
        for entry in fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(&root).unwrap().with_extension("");
                let mut module: Vec<String> = relative
                    .iter()
                    .map(|part| part.to_string_lossy().into_owned())
                    .collect();
                if module.last().is_some_and(|last| last == "mod") {
                    module.pop();
                }
                let text = fs::read_to_string(&path).unwrap();
                found.push(Source { path, module, text });
            }
        }
    }
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found
}

/// The code before the file's unit tests, without comment lines.
fn code(text: &str) -> String {
    let before_tests = text.split("#[cfg(test)]").next().unwrap_or_default();
    before_tests
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Files that are tests through and through: a navigator's table, the test records.
fn is_test_file(source: &Source) -> bool {
    let name = source.path.file_name().unwrap().to_string_lossy();
    name.ends_with("_tests.rs") || name == "testing.rs"
}

/// The modules `source` names, as paths of at most two segments (`crate::redirect::location`,
/// `super::store` inside `hsts/`).
fn imports(source: &Source) -> BTreeSet<Vec<String>> {
    let code = code(&source.text);
    let mut found = BTreeSet::new();
    for (prefix, base) in [("crate::", Vec::new()), ("super::", parent(&source.module))] {
        let mut rest = code.as_str();
        while let Some(at) = rest.find(prefix) {
            let before = rest[..at].chars().last();
            rest = &rest[at + prefix.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            let mut path = base.clone();
            path.extend(
                rest.split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                    .next()
                    .unwrap_or_default()
                    .split("::")
                    .filter(|part| !part.is_empty())
                    .map(str::to_owned),
            );
            path.truncate(2);
            found.insert(path);
        }
    }
    found
}

fn parent(module: &[String]) -> Vec<String> {
    module[..module.len().saturating_sub(1)].to_vec()
}

/// The edges between modules of at most two segments, each import cut down to the longest
/// module that exists. A module's own parent (its `mod.rs`) is not an edge: it only declares it.
fn graph(sources: &[Source]) -> BTreeMap<String, BTreeSet<String>> {
    let known: BTreeSet<Vec<String>> = sources
        .iter()
        .map(|s| s.module.iter().take(2).cloned().collect())
        .collect();
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for source in sources.iter().filter(|s| !is_test_file(s)) {
        let from: Vec<String> = source.module.iter().take(2).cloned().collect();
        if matches!(from.first().map(String::as_str), Some("main" | "lib")) {
            continue;
        }
        for mut to in imports(source) {
            while !to.is_empty() && !known.contains(&to) {
                to.pop();
            }
            if to.is_empty() || to == from || from.starts_with(&to) {
                continue;
            }
            edges
                .entry(from.join("::"))
                .or_default()
                .insert(to.join("::"));
        }
    }
    edges
}

fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
        found: &mut Vec<Vec<String>>,
    ) {
        state.insert(node.to_owned(), 1);
        stack.push(node.to_owned());
        for next in edges.get(node).into_iter().flatten() {
            match state.get(next.as_str()) {
                Some(1) => {
                    let start = stack.iter().position(|n| n == next).unwrap();
                    let mut cycle = stack[start..].to_vec();
                    cycle.push(next.clone());
                    found.push(cycle);
                }
                Some(_) => {}
                None => visit(next, edges, state, stack, found),
            }
        }
        stack.pop();
        state.insert(node.to_owned(), 2);
    }
    let mut state = BTreeMap::new();
    let mut found = Vec::new();
    for node in edges.keys() {
        if !state.contains_key(node) {
            visit(node, edges, &mut state, &mut Vec::new(), &mut found);
        }
    }
    found
}

fn top_level(edges: &BTreeMap<String, BTreeSet<String>>) -> BTreeMap<String, BTreeSet<String>> {
    let top = |name: &str| name.split("::").next().unwrap().to_owned();
    let mut collapsed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (from, tos) in edges {
        for to in tos {
            if top(from) != top(to) {
                collapsed.entry(top(from)).or_default().insert(top(to));
            }
        }
    }
    collapsed
}

#[test]
fn no_import_cycles() {
    let edges = graph(&sources());
    assert!(edges.contains_key("redirect::navigator"), "{edges:?}");
    assert_eq!(cycles(&top_level(&edges)), Vec::<Vec<String>>::new());
    assert_eq!(cycles(&edges), Vec::<Vec<String>>::new());
}

#[test]
fn the_model_imports_nothing_of_the_crate() {
    let edges = top_level(&graph(&sources()));
    assert_eq!(
        edges.get("model"),
        None,
        "model imports {:?}",
        edges.get("model")
    );
    // Decisions do not depend on how they are shown or on I/O.
    for layer in ["redirect", "analyze", "hsts", "cookies"] {
        for above in ["render", "trace", "cmd", "config", "cli"] {
            let imports = edges.get(layer).cloned().unwrap_or_default();
            assert!(!imports.contains(above), "{layer} imports {above}");
        }
    }
}

#[test]
fn every_file_says_what_it_owns_and_stays_small() {
    for source in sources() {
        assert!(
            source.text.starts_with("//!"),
            "{} does not open with a //! line",
            source.path.display()
        );
        if is_test_file(&source) {
            continue;
        }
        let lines = source
            .text
            .split("#[cfg(test)]")
            .next()
            .unwrap_or_default()
            .lines()
            .count();
        assert!(
            lines <= 650,
            "{}: {lines} lines before its tests",
            source.path.display()
        );
    }
}

/// The graph sees what it should: a cycle planted in made-up sources is found.
#[test]
fn a_planted_cycle_is_found() {
    let planted = |module: &str, text: &str| Source {
        path: PathBuf::from(format!("{module}.rs")),
        module: module.split("::").map(str::to_owned).collect(),
        text: text.to_owned(),
    };
    let sources = [
        planted("a", "//! a\nuse crate::b::Thing;\n"),
        planted("b", "//! b\nuse crate::a;\n#[cfg(test)]\nuse crate::c;\n"),
        planted("c", "//! c\n// crate::a in a comment is no import\n"),
    ];
    let edges = graph(&sources);
    assert_eq!(cycles(&edges), vec![vec!["a", "b", "a"]]);
    assert_eq!(edges.get("c"), None);
}
