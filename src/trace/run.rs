//! One run of hops: the client and its connection pool, the cookie jar, the HSTS store and the
//! `-o` body sink, shared by the chains of every URL traced, and saved when the run ends.

use std::time::SystemTime;

use anyhow::{Context, Result};

use super::driver::{BodySink, HopObserver, drive};
use crate::config::{Config, UsageError};
use crate::cookies::Jar;
use crate::hsts::HstsStore;
use crate::model::Chain;
use crate::net::HopClient;
use crate::redirect::{Navigator, NavigatorOptions, PlannedRequest};

/// What the chains of one run share.
pub struct Run<'a> {
    config: &'a Config,
    client: HopClient,
    jar: Jar,
    hsts: HstsStore,
    sink: Option<BodySink>,
}

impl<'a> Run<'a> {
    /// Builds the client, seeds the jar, loads the HSTS store and opens `-o`.
    pub async fn open(config: &'a Config) -> Result<Run<'a>> {
        let client = crate::net::build(&config.connection.net)
            .map_err(|err| UsageError(format!("{err:#}")))?;
        Ok(Run {
            config,
            client,
            jar: seeded_jar(config)?,
            hsts: loaded_hsts(config),
            sink: open_body_sink(config).await?,
        })
    }

    /// Traces the chain that starts with `start`, telling `observer` about each hop as it
    /// completes. The `-o` sink goes to the first chain only.
    pub async fn trace(&mut self, start: PlannedRequest, observer: &mut dyn HopObserver) -> Chain {
        let sink = self.sink.take();
        let navigator = Navigator::new(
            start,
            navigator_options(self.config),
            &mut self.jar,
            &mut self.hsts,
            SystemTime::now(),
        );
        drive(
            navigator,
            &self.client,
            self.config.connection.max_time,
            sink,
            observer,
        )
        .await
    }

    /// Writes what the run learned: the cookie jar (`-c`) and the HSTS cache (`--hsts`).
    pub fn save(&self) -> Result<()> {
        if let Some(path) = &self.config.cookies.jar_out {
            std::fs::write(path, self.jar.to_netscape())
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

/// The navigator's view of the config.
pub fn navigator_options(config: &Config) -> NavigatorOptions {
    NavigatorOptions {
        follow: config.follow,
        max_redirects: config.max_redirects,
        follow_refresh: config.follow_refresh,
        referer: config.referer.fixed.clone(),
        referer_auto: config.referer.auto,
        certificates_checked: !config.connection.net.insecure,
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

fn seeded_jar(config: &Config) -> Result<Jar> {
    let mut jar = Jar::new(config.cookies.enabled);
    jar.seed_pairs(&config.cookies.seed_pairs, &config.start.url);
    for (path, text) in &config.cookies.seed_files {
        jar.load_netscape(text)
            .map_err(|err| UsageError(format!("cookie file {}: {err}", path.display())))?;
    }
    Ok(jar)
}

async fn open_body_sink(config: &Config) -> Result<Option<BodySink>> {
    let Some(path) = &config.output.body_to else {
        return Ok(None);
    };
    if path.as_os_str() == "-" {
        return Ok(Some(Box::new(tokio::io::stdout())));
    }
    let file = tokio::fs::File::create(path).await.map_err(|err| {
        UsageError(format!(
            "cannot create output file {}: {err}",
            path.display()
        ))
    })?;
    Ok(Some(Box::new(file)))
}
