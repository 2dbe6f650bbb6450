//! `hops check`: every row of the maps traced (its own cookie jar and HSTS state, one shared
//! client and connection pool), judged, and reported as it completes, in input order through a
//! bounded window of rows in flight, so a map of any length runs in constant memory.

use std::future::pending;
use std::io::Write;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::Arc;
use std::time::SystemTime;

use anyhow::{Context, Result};
use futures_util::StreamExt;
use url::Url;

use crate::check::input::{self, InputFormat, InputOptions};
use crate::check::lint;
use crate::check::repeats::{Repeats, SourceTally};
use crate::check::report::csv::CsvReport;
use crate::check::report::flattened::{Flattened, MapSource};
use crate::check::report::junit::{self, JunitReport};
use crate::check::report::markdown::Failures;
use crate::check::report::progress::Progress;
use crate::check::report::text::Summary;
use crate::check::report::{self};
use crate::check::resume::Reported;
use crate::check::retry;
use crate::check::verdict::{self, VerdictOptions};
use crate::cli::{CheckCommand, CheckFormat, Cli, CookieArgs, MapFormat, OutputArgs};
use crate::cmd::trace::Stream;
use crate::config::{Config, UsageError};
use crate::cookies::{Jar, ParsedCookies};
use crate::exit::ExitCode;
use crate::hsts::HstsStore;
use crate::model::{Chain, Redactor, Row};
use crate::net::{HopClient, HostLimits};
use crate::redirect::Navigator;
use crate::trace::run::navigator_options;
use crate::trace::{BodyOutput, Interrupts, OutputTarget};

/// The run's config from the per-row flags of `hops check`, as a normal run would read them.
pub fn row_config(command: &CheckCommand) -> Result<Config, UsageError> {
    let cli = Cli {
        command: None,
        // Each row brings its own URL; this one only satisfies the reader of the flags.
        urls: vec!["http://hops.invalid/".to_owned()],
        request: command.request.clone(),
        follow: command.follow.clone(),
        checks: Default::default(),
        cookies: CookieArgs {
            cookie: command.cookie.clone(),
            ..CookieArgs::default()
        },
        connection: command.connection.clone(),
        output: OutputArgs {
            color: command.color,
            ..OutputArgs::default()
        },
        generate: None,
    };
    Config::from_cli(&cli)
}

/// The cookie files of `-b`, read once for every row.
pub fn seed_files(config: &Config) -> Vec<ParsedCookies> {
    config
        .cookies
        .seed_files
        .iter()
        .map(|(_, text)| ParsedCookies::parse(text))
        .collect()
}

/// Traces one row: a fresh jar (seeded with `-b`: its pairs, then the cookies of `files`, as
/// a single run seeds it) and HSTS store (the preload list is shared, being static), the
/// shared client.
pub async fn trace_row(
    config: &Config,
    client: &HopClient,
    files: &[ParsedCookies],
    row: &Row,
) -> Result<Chain, UsageError> {
    let mut jar = Jar::new(config.cookies.enabled);
    jar.seed_pairs(
        &config.cookies.seed_pairs,
        &row.source,
        config.cookies.seed_domain.as_deref(),
    )
    .map_err(|err| UsageError(format!("--cookie: {err}")))?;
    for file in files {
        jar.insert_parsed(file);
    }
    let mut hsts = HstsStore::new(config.connection.hsts_preload);
    let options = navigator_options(config, &row.source);
    let navigator = Navigator::new(
        config.start_for(&row.source),
        options,
        &mut jar,
        &mut hsts,
        SystemTime::now(),
    );
    Ok(crate::trace::drive(
        navigator,
        client,
        config.connection.max_time,
        // Read and dropped, so each row's last connection goes back to the pool.
        Some(BodyOutput {
            to: OutputTarget::Discard,
            include_head: false,
        }),
        &mut (),
        pending(),
        true,
    )
    .await)
}

/// Traces a row, and again (up to `retries` more times) while it ends in a way another attempt
/// may change; the last attempt's chain, and how many retries it took.
async fn trace_with_retries(
    config: &Config,
    client: &HopClient,
    files: &[ParsedCookies],
    row: &Row,
    retries: u32,
) -> Result<(Chain, u32), UsageError> {
    let mut done = 0;
    loop {
        let chain = trace_row(config, client, files, row).await?;
        if done == retries || retry::cause(&chain, &row.expect).is_none() {
            return Ok((chain, done));
        }
        tokio::time::sleep(retry::delay(done, &chain, SystemTime::now())).await;
        done += 1;
    }
}

/// The maps to read: each by the name the user gave it, and a path to open it from (stdin is
/// copied to a temporary file first, so it can be read twice: once to find malformed rows
/// before any request, once to check).
struct Map {
    name: String,
    path: PathBuf,
    /// The copy of stdin `path` names, kept while the map is (both passes read it).
    _copy: Option<Rc<tempfile::NamedTempFile>>,
}

/// What the second pass runs: the shard's rows, how many there are (for the progress bar) and
/// which sources repeat.
struct Plan {
    shard: Option<Shard>,
    rows: usize,
    tally: SourceTally,
    reported: Reported,
}

/// A row with the flags' expectations filled in where its columns said nothing.
fn effective_row(row: Row, verdict: &VerdictOptions) -> Row {
    let expect = verdict::effective(&row.expect, verdict);
    Row { expect, ..row }
}

/// `--shard K/N`: which data rows to check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Shard {
    index: usize,
    count: usize,
}

impl Shard {
    fn parse(text: &str) -> Result<Shard, UsageError> {
        let bad = || UsageError(format!("--shard needs K/N with 1 <= K <= N, not {text:?}"));
        let (index, count) = text.split_once('/').ok_or_else(bad)?;
        let (index, count): (usize, usize) = (
            index.trim().parse().map_err(|_| bad())?,
            count.trim().parse().map_err(|_| bad())?,
        );
        if index == 0 || index > count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }

    /// Whether data row `number` (0-based, over every map in order) is this shard's.
    fn takes(self, number: usize) -> bool {
        number % self.count == self.index - 1
    }
}

/// Runs `hops check`. Exit 0 when every row passes, 1 when one fails, 2 for usage or input errors.
pub fn execute(command: &CheckCommand) -> Result<ExitCode> {
    let config = row_config(command)?;
    let redactor = Redactor::default();
    colored::control::set_override(config.output.color && command.format == CheckFormat::Text);
    if command.parallel == 0 {
        return Err(UsageError("-P/--parallel needs at least 1".into()).into());
    }
    let shard = command.shard.as_deref().map(Shard::parse).transpose()?;
    let input = InputOptions {
        format: command.input_format.map(map_format),
        base: command
            .base
            .as_deref()
            .map(|base| {
                Url::parse(base).map_err(|err| UsageError(format!("--base {base:?}: {err}")))
            })
            .transpose()?,
    };
    // Every flag is checked before the maps are read: a typo must not wait for a long read.
    if let Some(rate) = command
        .rate
        .filter(|rate| !(rate.is_finite() && *rate > 0.0))
    {
        return Err(UsageError(format!(
            "--rate needs a number of requests per second above 0, not {rate}"
        ))
        .into());
    }
    let verdict = VerdictOptions {
        permanent: command.permanent,
        ignore_slash: command.ignore_slash,
        ignore_query: command.ignore_query,
        max_hops: command.max_hops,
        final_status: command.final_status,
    };
    let mut stdin_copy: Option<Rc<tempfile::NamedTempFile>> = None;
    let mut maps = Vec::new();
    let names: Vec<String> = if command.files.is_empty() {
        vec!["-".to_owned()]
    } else {
        command
            .files
            .iter()
            .map(|f| f.display().to_string())
            .collect()
    };
    for name in names {
        if name == "-" {
            // Stdin can be read once: a second `-` is the same copy.
            let copy = match &stdin_copy {
                Some(copy) => Rc::clone(copy),
                None => {
                    let mut copy = tempfile::NamedTempFile::new()
                        .map_err(|err| UsageError(format!("cannot copy stdin: {err}")))?;
                    std::io::copy(&mut std::io::stdin().lock(), &mut copy)
                        .map_err(|err| UsageError(format!("cannot read stdin: {err}")))?;
                    Rc::clone(stdin_copy.insert(Rc::new(copy)))
                }
            };
            maps.push(Map {
                name,
                path: copy.path().to_owned(),
                _copy: Some(copy),
            });
        } else {
            maps.push(Map {
                path: PathBuf::from(&name),
                name,
                _copy: None,
            });
        }
    }
    let reported = match &command.resume {
        Some(path) => {
            let file = std::fs::File::open(path).map_err(|err| {
                UsageError(format!("cannot read --resume {}: {err}", path.display()))
            })?;
            Reported::read(&path.display().to_string(), std::io::BufReader::new(file))
                .map_err(UsageError)?
        }
        None => Reported::default(),
    };
    // First pass: every row readable, before any request (a typo on line 90,000 must not cost
    // the first 89,999 requests).
    let mut readable_rows = 0;
    let mut rows_to_check = 0;
    let mut tally = SourceTally::default();
    for map in &maps {
        for row in open_map(map, &input)? {
            match row {
                Ok(row) => {
                    // The lint reads the maps again on its own; it sends no request to plan.
                    if !command.lint
                        && shard.is_none_or(|shard| shard.takes(readable_rows))
                        && !reported.contains(&row)
                    {
                        tally.add(&effective_row(row, &verdict));
                        rows_to_check += 1;
                    }
                    readable_rows += 1;
                }
                Err(error) if command.skip_bad_rows && !error.fatal => {
                    eprintln!("hops: warning: {error}: skipped");
                }
                Err(error) => return Err(UsageError(error.to_string()).into()),
            }
        }
    }
    if command.lint {
        let mut opened = Vec::new();
        for map in &maps {
            opened.push(open_map(map, &input)?);
        }
        let rows = opened
            .iter_mut()
            .flat_map(|rows| rows.by_ref().filter_map(Result::ok));
        let lint = lint::lint(rows, &verdict);
        let mut out = std::io::stdout().lock();
        lint::render(&mut out, &lint, redactor)?;
        out.flush()?;
        note_skipped_patterns(&opened);
        return Ok(if lint.findings.is_empty() {
            ExitCode::Ok
        } else {
            ExitCode::CheckFailed
        });
    }
    let runtime = super::runtime()?;
    runtime.block_on(check_all(
        command,
        &config,
        &maps,
        &input,
        Plan {
            shard,
            rows: rows_to_check,
            tally,
            reported,
        },
        verdict,
        redactor,
    ))
}

/// One note per map whose pattern rules were skipped, once its rows have all been read.
fn note_skipped_patterns(opened: &[input::Rows<'_>]) {
    for rows in opened {
        let note = rows.skipped_patterns();
        if !note.is_empty() {
            let lines: Vec<String> = note.first_lines.iter().map(usize::to_string).collect();
            let (rows_word, lines_word) = match (note.count, lines.len()) {
                (1, _) => ("row", "line"),
                (_, 1) => ("rows", "line"),
                _ => ("rows", "lines"),
            };
            let more = if note.count > lines.len() {
                ", …"
            } else {
                ""
            };
            eprintln!(
                "hops: note: {}: {} pattern {rows_word} skipped (splats, placeholders, conditions \
                 or regexes are not URLs), from {lines_word} {}{more}",
                rows.file(),
                note.count,
                lines.join(", ")
            );
        }
    }
}

fn open_map<'a>(map: &Map, input: &InputOptions) -> Result<input::Rows<'a>, UsageError> {
    let file = std::fs::File::open(&map.path)
        .map_err(|err| UsageError(format!("cannot read {}: {err}", map.name)))?;
    let rows = input::open(&map.name, std::io::BufReader::new(file), input)
        .map_err(|err| UsageError(err.to_string()))?;
    Ok(rows)
}

fn map_format(format: MapFormat) -> InputFormat {
    match format {
        MapFormat::List => InputFormat::UrlList,
        MapFormat::Csv => InputFormat::Csv,
        MapFormat::Tsv => InputFormat::Tsv,
        MapFormat::Cloudflare => InputFormat::Cloudflare,
        MapFormat::Netlify => InputFormat::Netlify,
        MapFormat::Vercel => InputFormat::Vercel,
        MapFormat::Sitemap => InputFormat::Sitemap,
    }
}

/// Second pass: rows read lazily, `-P` of them in flight, each reported as it completes (in
/// input order unless `--unordered`), counted for the summary.
async fn check_all(
    command: &CheckCommand,
    config: &Config,
    maps: &[Map],
    input: &InputOptions,
    plan: Plan,
    verdict: VerdictOptions,
    redactor: Redactor,
) -> Result<ExitCode> {
    let mut client =
        crate::net::build(&config.connection.net).map_err(|err| UsageError(format!("{err:#}")))?;
    client.host_limits = Some(Arc::new(HostLimits::new(
        command.per_host as usize,
        command.rate,
    )));
    let seed = &seed_files(config);
    let mut opened = Vec::new();
    for map in maps {
        opened.push(open_map(map, input)?);
    }
    let mut flattened_map = match &command.write_flattened {
        Some(dest) => {
            let sources: Vec<MapSource<'_>> = maps
                .iter()
                .zip(&opened)
                .map(|(map, rows)| MapSource {
                    name: &map.name,
                    path: &map.path,
                    format: rows.format(),
                })
                .collect();
            Some(Flattened::create(dest, &sources, !command.unordered)?)
        }
        None => None,
    };
    let rows = opened
        .iter_mut()
        .flat_map(|rows| rows.by_ref().filter_map(Result::ok))
        .enumerate()
        .filter(|(number, _)| plan.shard.is_none_or(|shard| shard.takes(*number)))
        .map(|(_, row)| row)
        .filter(|row| !plan.reported.contains(row));
    let repeats: Repeats<'_, Rc<Result<(Chain, u32), String>>> = plan.tally.repeats();
    let client = &client;
    let traced = futures_util::stream::iter(rows).map(|row| {
        let row = effective_row(row, &verdict);
        let trace = repeats.trace(&row, || {
            let row = row.clone();
            async move {
                let traced = trace_with_retries(config, client, seed, &row, command.retry).await;
                Rc::new(traced.map_err(|error| error.0))
            }
        });
        async move { (row, trace.await) }
    });
    let mut results: futures_util::stream::LocalBoxStream<'_, _> = if command.unordered {
        traced.buffer_unordered(command.parallel).boxed_local()
    } else {
        traced.buffered(command.parallel).boxed_local()
    };
    // A reader that goes away (`hops check map.csv | head`) stops the output, not the check:
    // the reports to files and the exit code still cover every row.
    let mut out = Stream::new(std::io::stdout().lock());
    let mut csv = match command.format {
        CheckFormat::Csv => Some(CsvReport::new(Stream::new(std::io::stdout()), redactor)?),
        _ => None,
    };
    let mut junit = match &command.junit {
        Some(path) => {
            let file = std::fs::File::create(path).map_err(|err| {
                UsageError(format!(
                    "cannot write the JUnit file {}: {err}",
                    path.display()
                ))
            })?;
            Some(JunitReport::new(file, junit::spool()?, redactor))
        }
        None => None,
    };
    let mut summary = Summary::default();
    let mut failures = Failures::default();
    let mut progress = Progress::new(plan.rows as u64);
    // Ctrl-C or SIGTERM ends the run between rows: the rows done are reported everywhere, the
    // rows in flight are dropped (`--resume` picks them up), and the exit code says so.
    let mut interrupts = Interrupts::listen().context("cannot listen for Ctrl-C")?;
    let mut checked = 0usize;
    let stopped_by = loop {
        let next = tokio::select! {
            next = results.next() => next,
            signal = interrupts.next() => break Some(signal),
        };
        let Some((row, chain)) = next else {
            break None;
        };
        checked += 1;
        let (chain, retries) = Rc::try_unwrap(chain)
            .unwrap_or_else(|shared| (*shared).clone())
            .map_err(UsageError)?;
        let mut result = verdict::judge(&chain, &row.expect, &verdict);
        if !result.ok && retries > 0 && retry::cause(&chain, &row.expect).is_some() {
            result.broken.push(format!(
                "gave up after {retries} {}",
                if retries == 1 { "retry" } else { "retries" }
            ));
        }
        summary.add(&row, &result, &chain);
        failures.add(&row, &result);
        if let Some(junit) = &mut junit {
            junit.row(&row, &result, &chain)?;
        }
        if let Some(flattened_map) = &mut flattened_map {
            flattened_map.row(&row, &chain)?;
        }
        progress.row_done(result.ok);
        if command.only_failures && result.ok {
            continue;
        }
        progress.suspend(|| -> Result<()> {
            match command.format {
                CheckFormat::Text => report::text::line(&mut out, &row, &result, &chain, redactor)?,
                CheckFormat::Json => report::json::row(&mut out, &row, &result, &chain, redactor)?,
                CheckFormat::Csv => {
                    if let Some(csv) = &mut csv {
                        csv.row(&row, &result, &chain)?;
                    }
                }
            }
            Ok(())
        })?;
    };
    progress.finish();
    if let Some(flattened_map) = flattened_map {
        flattened_map.finish()?;
    }
    drop(results);
    if let Some(csv) = csv {
        csv.finish()?;
    }
    if let Some(junit) = junit {
        junit.finish()?;
    }
    note_skipped_patterns(&opened);
    if command.format == CheckFormat::Text {
        summary.render(&mut out, redactor)?;
    }
    if let Some(path) = &command.markdown {
        let mut file = std::fs::File::create(path).map_err(|err| {
            UsageError(format!(
                "cannot write the Markdown file {}: {err}",
                path.display()
            ))
        })?;
        report::markdown::write(&mut file, &summary, &failures, redactor)?;
    }
    out.flush()?;
    if let Some(signal) = stopped_by {
        eprintln!(
            "hops: check interrupted by {} after {checked} of {} rows: the reports cover those",
            signal.name(),
            plan.rows
        );
        return Ok(ExitCode::for_signal(signal));
    }
    Ok(if summary.failed() > 0 {
        ExitCode::CheckFailed
    } else {
        ExitCode::Ok
    })
}
