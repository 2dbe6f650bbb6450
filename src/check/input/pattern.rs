//! What counts as a pattern in a Netlify or Vercel rule (a splat, a `:placeholder`, a regex), and
//! the one note that counts the pattern rows skipped.
//!
//! A pattern matches many URLs, not one, so there is no single URL to trace: such rows are
//! skipped, and the caller shows the note once instead of a warning per row.

use std::fmt;

/// How many line numbers the note keeps; the count goes on past them.
const SHOWN_LINES: usize = 5;

/// The pattern rows skipped: how many, and the lines of the first few.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PatternNote {
    pub count: usize,
    /// The first lines skipped, at most five, in file order.
    pub first_lines: Vec<usize>,
}

impl PatternNote {
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    pub(super) fn add(&mut self, line: usize) {
        self.count += 1;
        if self.first_lines.len() < SHOWN_LINES {
            self.first_lines.push(line);
        }
    }
}

/// `3 rules are patterns (splats, placeholders, conditions or regexes), not URLs: skipped (lines
/// 4, 7, 9)`; the caller puts the file's name in front.
impl fmt::Display for PatternNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (rules, are) = if self.count == 1 {
            ("rule is a pattern", "line")
        } else {
            ("rules are patterns", "lines")
        };
        let lines: Vec<String> = self.first_lines.iter().map(usize::to_string).collect();
        let more = if self.count > self.first_lines.len() {
            ", …"
        } else {
            ""
        };
        write!(
            f,
            "{} {rules} (splats, placeholders, conditions or regexes), not URLs: skipped ({are} {}{more})",
            self.count,
            lines.join(", ")
        )
    }
}

/// Does this source or target match many URLs: a splat (`*`), a `:placeholder` path segment, or
/// a regex group or class (`(`, `[`)?
pub fn is_pattern(value: &str) -> bool {
    if value.contains(['*', '(', '[']) {
        return true;
    }
    // Only the path: `https:` and `host:8080` hold colons that are not placeholders.
    let path = match value.split_once("://") {
        Some((_, rest)) => rest.find('/').map_or("", |at| &rest[at..]),
        None => value,
    };
    path.split(['/', '?', '&', '=', '.', '-'])
        .any(|segment| segment.starts_with(':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_and_plain_values() {
        let cases = [
            ("/old", false),
            ("/blog/*", true),
            ("/news/:year/:slug", true),
            ("/a/:splat", true),
            ("/(.*)", true),
            ("/post/[0-9]+", true),
            ("/:path*", true),
            ("/files/:name.pdf", true),
            ("https://shop.example/new", false),
            ("https://shop.example:8443/new", false),
            ("https://shop.example/a/:id", true),
            ("/search?q=:q", true),
            ("/a:b", false),
            ("/time/10:30", false),
            ("", false),
        ];
        for (value, expected) in cases {
            assert_eq!(is_pattern(value), expected, "{value}");
        }
    }

    #[test]
    fn the_note_counts_all_and_names_the_first_five() {
        let mut note = PatternNote::default();
        assert!(note.is_empty());
        note.add(3);
        assert_eq!(
            note.to_string(),
            "1 rule is a pattern (splats, placeholders, conditions or regexes), not URLs: \
             skipped (line 3)"
        );
        for line in [4, 8, 9, 12, 20, 21] {
            note.add(line);
        }
        assert_eq!(note.count, 7);
        assert_eq!(note.first_lines, [3, 4, 8, 9, 12]);
        assert!(
            note.to_string()
                .ends_with("skipped (lines 3, 4, 8, 9, 12, …)")
        );
    }
}
