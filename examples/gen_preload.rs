//! Builds `data/hsts_preload.fst`, the HSTS preload list that `src/hsts/preload.rs` embeds, from a TSV
//! in the format of `../shared/data/hsts_preload.tsv`: `name<TAB>include_subdomains` per line
//! (`1` or `0`), `#` comments and blank lines ignored.
//!
//! Usage: `cargo run --example gen_preload -- INPUT.tsv OUTPUT.fst` (`scripts/gen-preload.sh`
//! runs it with the default paths and also refreshes `data/HSTS_PRELOAD_LICENSE`).
//!
//! The fst is an `fst::Map` keyed by the name with its labels in reverse order
//! (`www.example.com` is stored as `com.example.www`), with the include_subdomains flag (0 or 1)
//! as the value. Reversed, every parent of a name is a prefix of its key, which is how
//! `src/hsts/preload.rs` finds the exact name and each parent with one `get` per label. The key layout
//! here and the lookup there must agree: the `preload_list_matches_the_tsv` unit test in
//! `src/hsts/preload.rs` checks every entry of the TSV against the embedded fst.
//!
//! A malformed line, a duplicate name, or an entry count that disagrees with the header's
//! `# Entries: N` line is an error: a silently shortened preload list would be a security bug.

use std::error::Error;
use std::fs::File;
use std::io::BufWriter;
use std::process::ExitCode;

type AnyError = Box<dyn Error>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        eprintln!("usage: gen_preload INPUT.tsv OUTPUT.fst");
        return ExitCode::from(2);
    };
    match generate(input, output) {
        Ok(summary) => {
            println!("{summary}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("gen_preload: error: {err}");
            ExitCode::FAILURE
        }
    }
}

fn generate(input: &str, output: &str) -> Result<String, AnyError> {
    let text = std::fs::read_to_string(input).map_err(|err| format!("reading {input}: {err}"))?;
    let mut entries = parse_tsv(&text).map_err(|err| format!("{input}: {err}"))?;
    if let Some(declared) = declared_entry_count(&text).filter(|&n| n != entries.len()) {
        return Err(format!(
            "{input}: the header declares {declared} entries but {} were read",
            entries.len()
        )
        .into());
    }

    // fst requires its keys in strictly increasing byte order.
    entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    if let Some(pair) = entries.windows(2).find(|pair| pair[0].0 == pair[1].0) {
        return Err(format!("{input}: {} is listed twice", unreverse_labels(&pair[0].0)).into());
    }

    let writer = BufWriter::new(File::create(output).map_err(|err| format!("{output}: {err}"))?);
    let mut builder = fst::MapBuilder::new(writer)?;
    for (key, include_subdomains) in &entries {
        builder.insert(key, u64::from(*include_subdomains))?;
    }
    builder.finish()?;

    let size = std::fs::metadata(output)?.len();
    let with_subdomains = entries.iter().filter(|(_, flag)| *flag).count();
    Ok(format!(
        "{output}: {} entries (include_subdomains=1: {with_subdomains}, =0: {}), {size} bytes",
        entries.len(),
        entries.len() - with_subdomains,
    ))
}

/// Reads every `name<TAB>flag` line into (reversed-label key, include_subdomains).
fn parse_tsv(text: &str) -> Result<Vec<(String, bool)>, String> {
    let mut entries = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line_number = index + 1;
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let (name, flag) = line
            .split_once('\t')
            .ok_or_else(|| format!("line {line_number}: expected name<TAB>include_subdomains"))?;
        let include_subdomains = match flag.trim_end() {
            "1" => true,
            "0" => false,
            other => {
                return Err(format!(
                    "line {line_number}: include_subdomains is {other:?}, expected 1 or 0"
                ));
            }
        };
        if !is_canonical_name(name) {
            return Err(format!(
                "line {line_number}: {name:?} is not a lowercase ASCII host name \
                 (IDNs must be in punycode, no empty labels, no trailing dot)"
            ));
        }
        entries.push((reverse_labels(name), include_subdomains));
    }
    Ok(entries)
}

/// The form `src/hsts/preload.rs` looks names up in: `normalize_host` output, which is lowercase ASCII
/// with non-empty labels. Anything else in the list could never match, so it is rejected here.
fn is_canonical_name(name: &str) -> bool {
    !name.is_empty()
        && name.split('.').all(|label| {
            !label.is_empty()
                && label
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        })
}

/// `www.example.com` → `com.example.www`.
fn reverse_labels(name: &str) -> String {
    name.rsplit('.').collect::<Vec<_>>().join(".")
}

/// Reversing labels is its own inverse; the separate name says which way the caller goes.
fn unreverse_labels(key: &str) -> String {
    reverse_labels(key)
}

/// The `N` of a `# Entries: N ...` header line, when the list declares one.
fn declared_entry_count(text: &str) -> Option<usize> {
    text.lines()
        .take_while(|line| line.starts_with('#'))
        .find_map(|line| line.strip_prefix("# Entries:"))
        .and_then(|rest| {
            let digits: String = rest
                .trim_start()
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
}
