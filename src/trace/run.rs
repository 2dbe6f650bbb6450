//! One run of hops: the client and its connection pool, the cookie jar, the HSTS store and the
//! `-o` output, shared by the chains of every URL traced, and saved when the run ends.

use std::future::Future;
use std::path::Path;
use std::time::SystemTime;

use anyhow::{Context, Result};
use url::Url;

use super::driver::{BodyOutput, HopObserver, OutputTarget, drive};
use crate::config::{Config, UsageError};
use crate::cookies::Jar;
use crate::hsts::HstsStore;
use crate::model::{Chain, Signal};
use crate::net::HopClient;
use crate::redirect::{Navigator, NavigatorOptions, PastedCookies, PlannedRequest};

/// What the chains of one run share.
pub struct Run<'a> {
    config: &'a Config,
    client: HopClient,
    jar: Jar,
    hsts: HstsStore,
    body_output: Option<BodyOutput>,
}

impl<'a> Run<'a> {
    /// Builds the client, seeds the jar, loads the HSTS store and checks the `-o` path.
    pub async fn open(config: &'a Config) -> Result<Run<'a>> {
        let client = crate::net::build(&config.connection.net)
            .map_err(|err| UsageError(format!("{err:#}")))?;
        Ok(Run {
            config,
            client,
            jar: seeded_jar(config)?,
            hsts: loaded_hsts(config),
            body_output: body_output(config)?,
        })
    }

    /// Traces the chain that starts with `start`, telling `observer` about each hop as it
    /// completes. `-o` applies to the first chain only.
    /// The chain ends as interrupted if `stop` resolves first.
    pub async fn trace(
        &mut self,
        start: PlannedRequest,
        observer: &mut dyn HopObserver,
        stop: impl Future<Output = Signal>,
    ) -> Chain {
        let body_output = self.body_output.take();
        let keep_every_header = self.keeps_every_header();
        let navigator = Navigator::new(
            start,
            // The jar was seeded for the first URL's host, whichever URL this chain starts at.
            navigator_options(self.config, &self.config.start.url),
            &mut self.jar,
            &mut self.hsts,
            SystemTime::now(),
        );
        drive(
            navigator,
            &self.client,
            self.config.connection.max_time,
            body_output,
            observer,
            stop,
            keep_every_header,
        )
        .await
    }

    /// Whether every hop keeps its headers to the end: the JSON documents and the HAR file
    /// show them all; the text view has shown each hop as it came.
    fn keeps_every_header(&self) -> bool {
        self.config.format != crate::cli::Format::Text || self.config.har.is_some()
    }

    /// Writes what the run learned: the cookie jar (`-c`) and the HSTS cache (`--hsts`). A
    /// cookie the Netscape format cannot hold is left out of the jar, with a warning.
    pub fn save(&self) -> Result<()> {
        if let Some(path) = &self.config.cookies.jar_out {
            let file = self.jar.to_netscape();
            for cookie in &file.left_out {
                eprintln!(
                    "hops: warning: cookie jar {}: left out the cookie {:?} of {}: {}",
                    path.display(),
                    cookie.name,
                    cookie.domain,
                    cookie.reason
                );
            }
            std::fs::write(path, file.text)
                .with_context(|| format!("cannot write the cookie jar {}", path.display()))?;
        }
        if let Some((path, _)) = &self.config.connection.hsts_file {
            self.hsts
                .save_cache(path)
                .with_context(|| format!("cannot write the HSTS cache file {}", path.display()))?;
        }
        Ok(())
    }
}

/// The navigator's view of the config, for a chain that starts at `start` (the host `-b`'s
/// pairs are pasted for).
pub fn navigator_options(config: &Config, start: &Url) -> NavigatorOptions {
    NavigatorOptions {
        follow: config.follow,
        max_redirects: config.max_redirects,
        follow_refresh: config.follow_refresh,
        referer: config.referer.fixed.clone(),
        referer_auto: config.referer.auto,
        certificates_checked: !config.connection.net.insecure,
        pasted_cookies: (!config.cookies.seed_pairs.is_empty()).then(|| PastedCookies {
            names: config
                .cookies
                .seed_pairs
                .iter()
                .map(|(name, _)| name.clone())
                .collect(),
            host: start.host_str().unwrap_or_default().to_owned(),
            domain: config.cookies.seed_domain.clone(),
        }),
        compressed: config.compressed,
    }
}

/// The HSTS store: the embedded preload list (unless `--no-preload`) and the `--hsts` cache file.
/// Unreadable lines of the cache file are skipped, as curl does, with a warning.
fn loaded_hsts(config: &Config) -> HstsStore {
    let mut store = HstsStore::new(config.connection.hsts_preload);
    if let Some((path, Some(text))) = &config.connection.hsts_file {
        let report = store.load_cache(text, SystemTime::now());
        for skipped in &report.skipped {
            eprintln!(
                "hops: warning: {}:{}: skipped: {}",
                path.display(),
                skipped.line,
                skipped.reason
            );
        }
    }
    store
}

/// The jar: the `-b` pairs, then the `-b` files. Lines of a cookie file that are not cookie
/// lines are skipped, as curl does, with a warning.
fn seeded_jar(config: &Config) -> Result<Jar> {
    let mut jar = Jar::new(config.cookies.enabled);
    jar.seed_pairs(
        &config.cookies.seed_pairs,
        &config.start.url,
        config.cookies.seed_domain.as_deref(),
    )
    .map_err(|err| UsageError(format!("--cookie: {err}")))?;
    for (path, text) in &config.cookies.seed_files {
        for skipped in &jar.load_netscape(text).skipped {
            eprintln!(
                "hops: warning: {}:{}: skipped: {}",
                path.display(),
                skipped.line,
                skipped.reason
            );
        }
    }
    Ok(jar)
}

/// `-o`, `--body`, `-i`. The file is created only when the final body starts, but a path that cannot be
/// written (in a missing directory, a directory itself, a read-only file) is a usage error
/// before any request is sent.
fn body_output(config: &Config) -> Result<Option<BodyOutput>> {
    let Some(path) = &config.output.body_to else {
        return Ok(None);
    };
    let output = |to| {
        Ok(Some(BodyOutput {
            to,
            include_head: config.output.include_head,
        }))
    };
    if path.as_os_str() == "-" {
        return output(OutputTarget::Stdout);
    }
    let parent = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let problem = match std::fs::metadata(path) {
        Ok(found) if found.is_dir() => Some("it is a directory".to_owned()),
        // Opened without creating or truncating it: only whether it could be written.
        Ok(_) => std::fs::OpenOptions::new()
            .write(true)
            .open(path)
            .err()
            .map(|err| err.to_string()),
        Err(_) => match std::fs::metadata(parent) {
            Ok(found) if found.is_dir() => None,
            Ok(_) => Some(format!("{} is not a directory", parent.display())),
            Err(err) => Some(err.to_string()),
        },
    };
    match problem {
        Some(problem) => Err(UsageError(format!(
            "cannot create output file {}: {problem}",
            path.display()
        ))
        .into()),
        None => output(OutputTarget::File(path.clone())),
    }
}
