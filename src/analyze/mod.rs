//! After a chain is traced: HSTS hints, the diagnosis of a loop or limit, the user's checks and
//! the verdict, all read from the finished chain. Nothing here sends a request or renders.

pub mod checks;
pub mod diagnose;
pub mod growth;

pub use checks::{Checks, ExpectedTarget};

use crate::model::{Analysis, Chain, Redactor};

/// Analyses a finished chain. The HSTS hints are added to the hops they are about; the rest is
/// returned. `redactor` decides how URLs appear in the check results and the verdict.
pub fn analyze(chain: &mut Chain, checks: &Checks, redactor: Redactor) -> Analysis {
    crate::hsts::add_hsts_hints(&mut chain.hops);
    analysis(chain, checks, redactor)
}

/// [`analyze`] without the HSTS hints, for a chain shared read-only (`hops check`, which
/// judges rows with its own expectations and passes no checks here).
pub fn analysis(chain: &Chain, checks: &Checks, redactor: Redactor) -> Analysis {
    let diagnosis = diagnose::diagnose(chain);
    let checks = checks::evaluate(chain, checks, redactor);
    let mut analysis = Analysis {
        diagnosis,
        checks,
        headline: String::new(),
        verdict: String::new(),
    };
    let mut headline = diagnose::headline(chain, analysis.diagnosis.as_ref(), redactor);
    // A chain that reached its page but failed a check is a failure first: the verdict says
    // which check, then what the chain did.
    if let Some(failure) = analysis
        .first_failure()
        .filter(|_| chain.outcome.is_final())
    {
        let did = headline
            .strip_prefix("OK: ")
            .unwrap_or(&headline)
            .to_owned();
        headline = format!("FAIL: {failure}; {did}");
    }
    analysis.verdict = diagnose::verdict(&headline, analysis.diagnosis.as_ref());
    analysis.headline = headline;
    analysis
}
