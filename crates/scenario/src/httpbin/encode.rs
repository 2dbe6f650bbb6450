//! The encodings httpbin gets from Python and werkzeug: `json.dumps` as Flask's pretty-printing
//! `jsonify` calls it, and werkzeug's cookie value quoting and unquoting.

use serde_json::Value;

pub(super) fn write_json(value: &Value, depth: usize, out: &mut String) {
    let indent = |depth: usize| "  ".repeat(depth);
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&python_number(n)),
        Value::String(s) => write_json_string(s, out),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                out.push_str(if i == 0 { "\n" } else { ", \n" });
                out.push_str(&indent(depth + 1));
                write_json(item, depth + 1, out);
            }
            out.push('\n');
            out.push_str(&indent(depth));
            out.push(']');
        }
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, key) in keys.into_iter().enumerate() {
                out.push_str(if i == 0 { "\n" } else { ", \n" });
                out.push_str(&indent(depth + 1));
                write_json_string(key, out);
                out.push_str(": ");
                write_json(&map[key], depth + 1, out);
            }
            out.push('\n');
            out.push_str(&indent(depth));
            out.push('}');
        }
    }
}

/// Python's float repr writes exponents as `e+20` and `e-05`.
fn python_number(n: &serde_json::Number) -> String {
    let text = n.to_string();
    let Some((mantissa, exponent)) = text.split_once('e') else {
        return text;
    };
    let (sign, digits) = match exponent.strip_prefix('-') {
        Some(digits) => ('-', digits),
        None => ('+', exponent.trim_start_matches('+')),
    };
    format!("{mantissa}e{sign}{digits:0>2}")
}

/// Python's `json.dumps` string escaping with `ensure_ascii`.
fn write_json_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
        }
    }
    out.push('"');
}

/// werkzeug's cookie unquoting: a `"..."` value loses its quotes and its backslash escapes
/// (`\ooo` octal, `\x` for any other `x`).
pub(super) fn cookie_unquote(value: &str) -> String {
    let Some(inner) = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) else {
        return value.to_owned();
    };
    let bytes = inner.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(|b| (b'0'..=b'7').contains(b)));
        match (bytes[i], octal) {
            (b'\\', Some(digits)) => {
                let n = digits.iter().fold(0u32, |n, d| n * 8 + u32::from(d - b'0'));
                out.push(n as u8);
                i += 4;
            }
            (b'\\', None) if i + 1 < bytes.len() => {
                out.push(bytes[i + 1]);
                i += 2;
            }
            (byte, _) => {
                out.push(byte);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// werkzeug's `dump_cookie` for a plain set: the value quoted when it holds a character outside
/// the cookie-safe set, with `,` `;` `"` `\`, control and non-ASCII bytes escaped.
pub(super) fn set_cookie(key: &str, value: &str, secure: bool) -> String {
    const LEGAL: &[u8] = b"/=!#$%&'*+-.^_`|~:";
    let legal = |b: u8| b.is_ascii_alphanumeric() || LEGAL.contains(&b);
    let mut quoted = String::new();
    for b in value.bytes() {
        match b {
            b',' | b';' => quoted.push_str(&format!("\\{b:03o}")),
            b'"' | b'\\' => {
                quoted.push('\\');
                quoted.push(b as char);
            }
            0..32 | 127.. => quoted.push_str(&format!("\\{b:03o}")),
            _ => quoted.push(b as char),
        }
    }
    let value = if value.bytes().all(legal) {
        value.to_owned()
    } else {
        format!("\"{quoted}\"")
    };
    let secure = if secure { "; Secure" } else { "" };
    format!("{key}={value}{secure}; Path=/")
}
