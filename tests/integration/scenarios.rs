//! Every demo scenario of `fixtures/scenarios.json`, run through the real binary against its own
//! loopback server: exit code, the requests the server received, and the expected output. One
//! test per scenario (`scenario_` and its name), and one that keeps that list complete.

use hops_scenario::{BlockingServer, Scenario, check_received};

use crate::support::hops;

/// Runs one scenario and returns every way it differs from its expectations.
fn problems(scenario: &Scenario) -> Vec<String> {
    let server = BlockingServer::start(scenario.routes.clone()).expect("loopback server starts");
    let placeholders = server.placeholders();
    let mut args = scenario.command_args(&placeholders);
    args.extend(["--color".to_owned(), "never".to_owned()]);
    let run = hops(&args);
    let expect = &scenario.expect;
    let mut problems = Vec::new();
    if run.code != expect.exit {
        problems.push(format!("exit code {} instead of {}", run.code, expect.exit));
    }
    if let Some(received) = &expect.received {
        if let Err(error) = check_received(received, &server.received(), &placeholders) {
            problems.push(error);
        }
    }
    for (stream, wanted, got) in [
        ("stdout", &expect.stdout, &run.stdout),
        ("stderr", &expect.stderr, &run.stderr),
    ] {
        for needle in wanted.iter().map(|text| placeholders.expand(text)) {
            if !got.contains(&needle) {
                problems.push(format!("{stream} lacks {needle:?}"));
            }
        }
    }
    // Failures are shown with the hops made so far and exactly one error line.
    if expect.exit >= 3 {
        let lines: Vec<&str> = run.stderr.lines().collect();
        if lines.len() != 1 || !lines[0].starts_with("hops: error: hop ") {
            problems.push("stderr is not one `hops: error: hop N: ...` line".to_owned());
        }
    } else if expect.exit == 0 && !run.stderr.is_empty() {
        problems.push("stderr is not empty".to_owned());
    }
    if !problems.is_empty() {
        problems.push(format!("hops {}\n{run}", args.join(" ")));
    }
    problems
}

/// Runs one fixture scenario by name and fails with every way it differs from its expectations.
#[track_caller]
fn run_scenario(name: &str) {
    let scenario = hops_scenario::playground()
        .into_iter()
        .find(|scenario| scenario.name == name)
        .unwrap_or_else(|| panic!("no scenario {name:?} in the fixtures"));
    let problems = problems(&scenario);
    assert!(
        problems.is_empty(),
        "scenario {name}:\n{}",
        problems.join("\n")
    );
}

/// One `#[test]` per fixture scenario, named `scenario_` and the fixture name with `_` for `-`,
/// so `cargo test scenario_cookie_not_stored` runs one; and [`LISTED`], the names in this list.
macro_rules! scenario_tests {
    ($($test:ident => $name:literal,)*) => {
        $(
            #[test]
            fn $test() {
                run_scenario($name);
            }
        )*

        /// The fixture names that have a test above, in fixture order.
        const LISTED: &[&str] = &[$($name),*];
    };
}

scenario_tests! {
    scenario_post_307_303 => "post-307-303",
    scenario_put_301 => "put-301",
    scenario_cross_origin_auth => "cross-origin-auth",
    scenario_consent_cookie => "consent-cookie",
    scenario_loop => "loop",
    scenario_bad_location => "bad-location",
    scenario_scheme_flip => "scheme-flip",
    scenario_https_downgrade => "https-downgrade",
    scenario_host_flip => "host-flip",
    scenario_trailing_slash => "trailing-slash",
    scenario_cookie_not_stored => "cookie-not-stored",
    scenario_cookie_ignored => "cookie-ignored",
    scenario_growing_url => "growing-url",
    scenario_volatile_loop => "volatile-loop",
    scenario_long_chain => "long-chain",
    scenario_meta_refresh => "meta-refresh",
    scenario_hsts_upgrade => "hsts-upgrade",
    scenario_hsts_preload => "hsts-preload",
    scenario_post_302 => "post-302",
    scenario_post_308 => "post-308",
    scenario_cookie_domain => "cookie-domain",
    scenario_cookie_path => "cookie-path",
    scenario_refresh_header => "refresh-header",
    scenario_two_locations => "two-locations",
    scenario_location_backslash => "location-backslash",
    scenario_location_invalid => "location-invalid",
    scenario_fragment_kept => "fragment-kept",
    scenario_hsts_over_http => "hsts-over-http",
    scenario_hsts_max_age_zero => "hsts-max-age-zero",
}

/// A scenario added to the fixture file needs a line in `scenario_tests!`, and a line there
/// needs a scenario: otherwise a fixture could go untested.
#[test]
fn every_fixture_scenario_has_a_test() {
    let fixtures: Vec<String> = hops_scenario::playground()
        .into_iter()
        .map(|scenario| scenario.name)
        .collect();
    assert_eq!(
        LISTED, fixtures,
        "scenario_tests! in tests/integration/scenarios.rs must list every scenario of \
         fixtures/scenarios.json, in the same order"
    );
}

/// `hops demo` plays the same scenarios in-process; each reports the exit code its fixture expects.
#[cfg(feature = "demo")]
#[test]
fn demo_reports_the_expected_exit_code_of_each_scenario() {
    let run = hops(["demo", "--color", "never"]);
    run.code(0).quiet_stderr();
    let reported: Vec<&str> = run
        .stdout
        .lines()
        .filter(|line| line.starts_with("(exit code "))
        .collect();
    let expected: Vec<String> = hops_scenario::builtin()
        .iter()
        .map(|s| format!("(exit code {})", s.expect.exit))
        .collect();
    assert_eq!(reported, expected, "{run}");
}

/// Built without the `demo` feature, `hops demo` is still a subcommand (completions do not
/// change) that says why it cannot run.
#[cfg(not(feature = "demo"))]
#[test]
fn demo_without_the_feature_is_one_error_line() {
    let run = hops(["demo"]);
    run.code(2);
    assert_eq!(
        run.stderr, "hops: error: this hops was built without the demo (feature `demo`)\n",
        "{run}"
    );
    assert_eq!(run.stdout, "", "{run}");
}
