//! Small wording helpers shared by every layer that writes sentences: renderers, the analysis
//! and the certificate descriptions all count things the same way.

/// `count` followed by `noun`, with an `s` unless there is exactly one: "1 request", "2 redirects".
pub fn plural(count: u64, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_is_singular_and_everything_else_plural() {
        assert_eq!(plural(0, "byte"), "0 bytes");
        assert_eq!(plural(1, "request"), "1 request");
        assert_eq!(plural(2, "redirect"), "2 redirects");
    }
}
