//! What a server cannot make a terminal do: characters that a terminal acts on instead of
//! printing (C0 and C1 controls, DEL) and that reorder what is shown (bidi controls) are written
//! as escapes in every output, the model keeping the exact value (docs/rules.md §4.7).
//!
//! Text output goes through [`escape`] (or [`shown`], which also shortens overlong values);
//! JSON output through [`to_writer`] and [`to_vec_pretty`], whose formatter writes these
//! characters as `\u` escapes (serde_json escapes C0 itself, but not DEL, C1 or bidi controls),
//! so a document piped to a terminal is as harmless as the text view and parses back to the
//! same strings.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io;

use serde::Serialize;
use serde_json::ser::{CompactFormatter, Formatter, PrettyFormatter};

/// A character shown escaped: a C0 control (tab included), DEL, a C1 control (U+0080 to
/// U+009F), or a bidi embedding, override or isolate (U+202A to U+202E, U+2066 to U+2069).
pub fn is_unsafe(c: char) -> bool {
    // `is_control` is Unicode's Cc category: exactly C0, DEL and C1.
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `text` with every [`is_unsafe`] character escaped: `\x1b`, `\x7f` below U+0080, `\u{9b}`,
/// `\u{202e}` above. Unchanged (and not copied) when there is nothing to escape.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            c if !is_unsafe(c) => out.push(c),
            c if (c as u32) < 0x80 => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
    }
    Cow::Owned(out)
}

/// Server text as the text view shows it: shortened when overlong
/// ([`crate::model::abbreviate`]), then escaped.
pub fn shown(text: &str) -> Cow<'_, str> {
    match crate::model::abbreviate(text) {
        Cow::Borrowed(whole) => escape(whole),
        Cow::Owned(short) => Cow::Owned(escape(&short).into_owned()),
    }
}

/// A serde_json formatter that writes [`is_unsafe`] characters inside strings as `\uXXXX`,
/// around another formatter that decides the layout (compact or pretty).
struct SafeFormatter<F>(F);

impl<F: Formatter> Formatter for SafeFormatter<F> {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        // serde_json has already escaped quotes, backslashes and C0; what is left is written
        // as it is, except the characters a terminal would act on.
        let mut start = 0;
        for (i, c) in fragment.char_indices().filter(|&(_, c)| is_unsafe(c)) {
            self.0.write_string_fragment(writer, &fragment[start..i])?;
            write!(writer, "\\u{:04x}", c as u32)?;
            start = i + c.len_utf8();
        }
        self.0.write_string_fragment(writer, &fragment[start..])
    }

    // The layout is the inner formatter's. Strings and numbers keep serde_json's defaults,
    // which neither compact nor pretty output overrides.
    fn begin_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_array(writer)
    }

    fn end_array<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array(writer)
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_array_value(writer, first)
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_array_value(writer)
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object(writer)
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object(writer)
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        first: bool,
    ) -> io::Result<()> {
        self.0.begin_object_key(writer, first)
    }

    fn end_object_key<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object_key(writer)
    }

    fn begin_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.begin_object_value(writer)
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, writer: &mut W) -> io::Result<()> {
        self.0.end_object_value(writer)
    }
}

/// `value` as compact JSON on `writer`, unsafe characters escaped.
pub fn to_writer<W: io::Write, T: ?Sized + Serialize>(writer: W, value: &T) -> io::Result<()> {
    let mut serializer =
        serde_json::Serializer::with_formatter(writer, SafeFormatter(CompactFormatter));
    value.serialize(&mut serializer).map_err(io::Error::from)
}

/// `value` as indented JSON, unsafe characters escaped (the HAR file).
pub fn to_vec_pretty<T: ?Sized + Serialize>(value: &T) -> io::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let mut serializer =
        serde_json::Serializer::with_formatter(&mut bytes, SafeFormatter(PrettyFormatter::new()));
    value.serialize(&mut serializer).map_err(io::Error::from)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn controls_and_bidi_are_escaped_for_the_terminal() {
        #[rustfmt::skip]
        let table = [
            ("plain text, é and ✓", "plain text, é and ✓"),
            ("\x1b]0;title\x07\x1b[2J", "\\x1b]0;title\\x07\\x1b[2J"),
            ("a\tb\r\nc\0", "a\\x09b\\x0d\\x0ac\\x00"),
            ("del\x7f", "del\\x7f"),
            ("csi\u{9b}31m \u{80}\u{9f}", "csi\\u{9b}31m \\u{80}\\u{9f}"),
            ("\u{202a}\u{202e}abc\u{2066}\u{2069}", "\\u{202a}\\u{202e}abc\\u{2066}\\u{2069}"),
            // Neighbours of the ranges are printable.
            ("\u{a0}\u{2029}\u{202f}\u{2065}\u{206a}", "\u{a0}\u{2029}\u{202f}\u{2065}\u{206a}"),
        ];
        for (raw, expected) in table {
            assert_eq!(escape(raw), expected, "{raw:?}");
        }
        assert!(matches!(escape("nothing to do"), Cow::Borrowed(_)));
    }

    #[test]
    fn shown_shortens_before_escaping() {
        let long = format!("\x1b{}", "x".repeat(crate::model::SHOWN_BYTES));
        let shown = shown(&long);
        assert!(shown.starts_with("\\x1bxxx"), "{shown}");
        assert!(
            shown.ends_with(&format!("…({} bytes)", long.len())),
            "{shown}"
        );
        assert!(!shown.contains('\x1b'));
    }

    #[test]
    fn json_escapes_what_a_terminal_acts_on_and_parses_back() {
        let raw = "a\x1b[2J b\x7f c\u{9b}31m d\u{202e}e \u{2066}f\u{2069} \"q\" \\ é ✓";
        let value = serde_json::json!({ "k\u{85}ey": [raw, 1, null, 2.5] });
        let mut compact = Vec::new();
        to_writer(&mut compact, &value).unwrap();
        let pretty = to_vec_pretty(&value).unwrap();
        for bytes in [&compact, &pretty] {
            let text = std::str::from_utf8(bytes).unwrap();
            // Pretty output has newlines of its own, between values.
            assert!(!text.chars().any(|c| c != '\n' && is_unsafe(c)), "{text}");
            assert!(
                text.contains("\\u009b31m") && text.contains("\\u202e"),
                "{text}"
            );
            assert!(
                text.contains("\\u007f") && text.contains("k\\u0085ey"),
                "{text}"
            );
            let back: serde_json::Value = serde_json::from_slice(bytes).unwrap();
            assert_eq!(back, value);
        }
        assert_eq!(
            std::str::from_utf8(&compact).unwrap(),
            serde_json::to_string(&value)
                .unwrap()
                .replace('\u{7f}', "\\u007f")
                .replace('\u{9b}', "\\u009b")
                .replace('\u{85}', "\\u0085")
                .replace('\u{202e}', "\\u202e")
                .replace('\u{2066}', "\\u2066")
                .replace('\u{2069}', "\\u2069")
        );
        assert_eq!(
            String::from_utf8(pretty).unwrap(),
            serde_json::to_string_pretty(&value)
                .unwrap()
                .replace('\u{7f}', "\\u007f")
                .replace('\u{9b}', "\\u009b")
                .replace('\u{85}', "\\u0085")
                .replace('\u{202e}', "\\u202e")
                .replace('\u{2066}', "\\u2066")
                .replace('\u{2069}', "\\u2069")
        );
    }
}
