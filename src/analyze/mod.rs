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
    let diagnosis = diagnose::diagnose(chain);
    let checks = checks::evaluate(chain, checks, redactor);
    let headline = diagnose::headline(chain, diagnosis.as_ref(), redactor);
    let verdict = diagnose::verdict(&headline, diagnosis.as_ref());
    Analysis {
        diagnosis,
        checks,
        headline,
        verdict,
    }
}
