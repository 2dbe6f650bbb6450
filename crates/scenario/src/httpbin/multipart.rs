//! multipart/form-data bodies as werkzeug 0.14 parses them for httpbin: parts without a filename
//! become `form` values, parts with one (even empty) become `files`.

use std::convert::Infallible;

use bytes::Bytes;
use futures_util::FutureExt;
use serde_json::{Map, Value};

use super::echo::{json_safe, semiflatten};

/// The `form` and `files` fields httpbin echoes for a multipart body.
pub(super) struct Parsed {
    pub form: Value,
    pub files: Value,
}

/// Parses `body` sent with `content_type`. Like werkzeug's silent form parser, a body it cannot
/// parse (no boundary, a broken part) leaves both fields empty rather than failing the request.
pub(super) fn parse(content_type: &str, body: &[u8]) -> Parsed {
    let fields = multer::parse_boundary(content_type)
        .ok()
        // multer is async only because it reads a stream; here the stream is one chunk already
        // in memory, so the future is ready at its first poll (`None` if it were not).
        .and_then(|boundary| collect_fields(boundary, Bytes::copy_from_slice(body)).now_or_never())
        .and_then(Result::ok)
        .unwrap_or_default();
    let mut form_values = Vec::new();
    let mut files = Map::new();
    for field in fields {
        match field.file_name {
            None => {
                // werkzeug decodes a form value with the UTF-8 default, replacing what is not.
                let value = String::from_utf8_lossy(&field.data).into_owned();
                form_values.push((field.name, value));
            }
            // httpbin walks `request.files.items()`, which yields the first file of each name.
            Some(_) if files.contains_key(&field.name) => {}
            Some(_) => {
                let content_type = field
                    .content_type
                    .unwrap_or_else(|| "application/octet-stream".to_owned());
                let value = json_safe(&field.data, &content_type);
                files.insert(field.name, Value::String(value));
            }
        }
    }
    Parsed {
        form: semiflatten(form_values.into_iter()),
        files: Value::Object(files),
    }
}

struct Field {
    name: String,
    file_name: Option<String>,
    /// The part's `Content-Type` as written, parameters and all, as werkzeug keeps it.
    content_type: Option<String>,
    data: Bytes,
}

async fn collect_fields(boundary: String, body: Bytes) -> multer::Result<Vec<Field>> {
    let stream = futures_util::stream::iter([Ok::<Bytes, Infallible>(body)]);
    let mut multipart = multer::Multipart::new(stream, boundary);
    let mut fields = Vec::new();
    while let Some(field) = multipart.next_field().await? {
        let Some(name) = field.name().map(str::to_owned) else {
            continue;
        };
        let file_name = field.file_name().map(str::to_owned);
        let content_type = field
            .headers()
            .get(hyper::header::CONTENT_TYPE)
            .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned());
        let data = field.bytes().await?;
        fields.push(Field {
            name,
            file_name,
            content_type,
            data,
        });
    }
    Ok(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    const TYPE: &str = "multipart/form-data; boundary=XyZ";

    #[test]
    fn fields_and_files() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n\
            --XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n2\r\n\
            --XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"\"\r\n\r\ntext\r\n\
            --XyZ\r\nContent-Disposition: form-data; name=\"g\"; filename=\"g.bin\"\r\n\
            Content-Type: image/png; x=1\r\n\r\n\xff\x00\r\n--XyZ--\r\n";
        let parsed = parse(TYPE, body);
        assert_eq!(parsed.form, serde_json::json!({"a": ["1", "2"]}));
        assert_eq!(
            parsed.files,
            serde_json::json!({"f": "text", "g": "data:image/png; x=1;base64,/wA="})
        );
    }

    #[test]
    fn unparsable_bodies_leave_both_fields_empty() {
        let empty = serde_json::json!({});
        for (content_type, body) in [
            ("multipart/form-data", &b"--XyZ\r\n"[..]),
            (
                TYPE,
                b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1",
            ),
            (TYPE, b"garbage"),
        ] {
            let parsed = parse(content_type, body);
            assert_eq!((&parsed.form, &parsed.files), (&empty, &empty), "{body:?}");
        }
    }
}
