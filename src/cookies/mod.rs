//! Cookies across hops: the jar of a run ([`Jar`], on `cookie_store`, with the reason a cookie
//! was refused) and curl's Netscape cookie file format (docs/rules.md §5).

mod jar;
mod netscape;

pub use jar::Jar;
pub use netscape::{LeftOut, NetscapeFile, NetscapeLoad, ParsedCookies, SkippedLine};
