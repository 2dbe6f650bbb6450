//! The final response's body as hops reads it: as received, or with `--compressed` decoded from
//! its `Content-Encoding` on the way (`crate::net::Decoder`), for the meta refresh search and for
//! `-o` alike. Redirect bodies never come here: they are drained as received.

use bytes::Bytes;
use reqwest::Response;

use crate::model::NetworkErrorKind;
use crate::net::{Decoder, classify_body, content_codings};

/// A network failure: its kind and its message.
pub(super) type Failure = (NetworkErrorKind, String);

/// At most this much encoded input is decoded at a time, so one chunk of a compression bomb
/// cannot fill memory while only the start of the body is wanted.
const DECODE_STEP: usize = 4096;

/// A final response's body, decoded when asked.
pub(super) struct Body {
    response: Response,
    decoding: Option<Decoding>,
}

struct Decoding {
    decoder: Decoder,
    /// The codings, as named in messages ("gzip", "deflate, br").
    names: String,
    /// Encoded bytes received and not decoded yet.
    pending: Bytes,
    ended: bool,
}

impl Body {
    /// `response`'s body; decoded when `decode` (`--compressed`) and its codings are ones hops
    /// can undo, else as received.
    pub(super) fn new(response: Response, decode: bool) -> Body {
        let codings = content_codings(response.headers())
            .ok()
            .filter(|codings| decode && !codings.is_empty());
        let decoding = codings.map(|codings| Decoding {
            decoder: Decoder::new(&codings),
            names: codings
                .iter()
                .map(|coding| coding.name())
                .collect::<Vec<_>>()
                .join(", "),
            pending: Bytes::new(),
            ended: false,
        });
        Body { response, decoding }
    }

    pub(super) fn response(&self) -> &Response {
        &self.response
    }

    /// The response, for the rest of its body to be drained as received (what was already
    /// read and not decoded is of no use then).
    pub(super) fn into_response(self) -> Response {
        self.response
    }

    /// The next piece of the body, `None` at its end. Dropping the future loses nothing: it
    /// only waits on reqwest's `chunk`, and decodes after that without waiting.
    pub(super) async fn chunk(&mut self) -> Result<Option<Bytes>, Failure> {
        let Some(decoding) = &mut self.decoding else {
            return self
                .response
                .chunk()
                .await
                .map_err(|err| classify_body(&err));
        };
        loop {
            if !decoding.pending.is_empty() {
                let step = decoding.pending.len().min(DECODE_STEP);
                let input = decoding.pending.split_to(step);
                let output = decoding
                    .decoder
                    .push(&input)
                    .map_err(|err| decoding.failure(&err))?;
                if !output.is_empty() {
                    return Ok(Some(Bytes::from(output)));
                }
                continue;
            }
            if decoding.ended {
                return Ok(None);
            }
            match self.response.chunk().await {
                Ok(Some(chunk)) => decoding.pending = chunk,
                Ok(None) => {
                    decoding.ended = true;
                    let output = decoding
                        .decoder
                        .finish()
                        .map_err(|err| decoding.failure(&err))?;
                    return Ok((!output.is_empty()).then(|| Bytes::from(output)));
                }
                Err(err) => return Err(classify_body(&err)),
            }
        }
    }
}

impl Decoding {
    fn failure(&self, error: &std::io::Error) -> Failure {
        (
            NetworkErrorKind::Protocol,
            format!(
                "reading the response body: cannot decode its {} content: {error}",
                self.names
            ),
        )
    }
}
