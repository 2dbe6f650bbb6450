//! The redirect rules, pure: which responses are redirects ([`status`]), how `Location` is read
//! ([`location`]), the next request's method and body ([`method`]) and headers ([`request`]),
//! refreshes ([`refresh`]), loops ([`loops`]), and the [`navigator`] that applies them hop by
//! hop. Nothing here does I/O; the rules are written down in docs/rules.md §1–§6.

pub mod location;
pub mod loops;
pub mod method;
pub mod navigator;
mod record;
pub mod refresh;
pub mod request;
pub mod status;

pub use location::{LocationError, escape_bytes};
pub use method::KeepPost;
pub use navigator::{
    BodyDecision, BodyPlan, HeadDecision, Navigator, NavigatorOptions, Outgoing, PastedCookies,
    ResponseHead, Step,
};
pub use request::{FollowOptions, PlannedRequest};
