//! `hops check`: every row of the maps traced (its own cookie jar and HSTS state, one shared
//! client and connection pool), judged, and reported as it completes, in input order through a
//! bounded window of rows in flight, so a map of any length runs in constant memory.

use std::future::pending;
use std::time::SystemTime;

use anyhow::Result;

use crate::cli::{Cli, CheckCommand, CookieArgs, OutputArgs};
use crate::config::{Config, UsageError};
use crate::cookies::Jar;
use crate::hsts::HstsStore;
use crate::model::{Chain, Row};
use crate::net::HopClient;
use crate::redirect::{Navigator, PastedCookies};
use crate::trace::run::navigator_options;

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

/// Traces one row: a fresh jar (seeded with `-b`) and HSTS store (the preload list is shared,
/// being static), the shared client.
pub async fn trace_row(config: &Config, client: &HopClient, row: &Row) -> Result<Chain, UsageError> {
    let mut jar = Jar::new(config.cookies.enabled);
    jar.seed_pairs(
        &config.cookies.seed_pairs,
        &row.source,
        config.cookies.seed_domain.as_deref(),
    )
    .map_err(|err| UsageError(format!("--cookie: {err}")))?;
    for (_, text) in &config.cookies.seed_files {
        jar.load_netscape(text);
    }
    let mut hsts = HstsStore::new(config.connection.hsts_preload);
    let mut options = navigator_options(config);
    if let Some(pasted) = &mut options.pasted_cookies {
        *pasted = PastedCookies {
            host: row.source.host_str().unwrap_or_default().to_owned(),
            ..pasted.clone()
        };
    }
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
        None,
        &mut (),
        pending(),
        true,
    )
    .await)
}
