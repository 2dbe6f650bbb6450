//! Every demo scenario of `fixtures/scenarios.json`, run through the real binary against its own
//! loopback server: exit code, the requests the server received, and the expected output.

mod support;

use hops_scenario::{BlockingServer, Scenario, check_received};
use support::hops;

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

#[test]
fn every_builtin_scenario_meets_its_expectations() {
    let scenarios = hops_scenario::builtin();
    assert!(!scenarios.is_empty());
    let failures: Vec<String> = scenarios
        .iter()
        .filter_map(|scenario| {
            let problems = problems(scenario);
            (!problems.is_empty())
                .then(|| format!("scenario {}:\n{}", scenario.name, problems.join("\n")))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// `hops demo` plays the same scenarios in-process; each reports the exit code its fixture expects.
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
