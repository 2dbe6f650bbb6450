//! The final response's body as hops reads it: as received, or with `--compressed` decoded from
//! its `Content-Encoding` on the way (`crate::net::Decoder`), for the meta refresh search and for
//! `-o` alike. Redirect bodies never come here: they are drained as received.

use bytes::Bytes;
use reqwest::Response;

use crate::model::NetworkErrorKind;
use crate::net::{Coding, Decoded, Decoder, classify_body, coding_names, content_codings};

/// A network failure: its kind and its message.
pub(super) type Failure = (NetworkErrorKind, String);

/// At most this many decoded bytes come out of one [`Body::chunk`], whatever the coding and its
/// ratio: a compression bomb is decoded piece by piece, in constant memory, and only as far as
/// it is read (the start of an HTML page, or all of it for `-o`).
pub(super) const DECODED_PIECE: usize = 64 * 1024;

/// A final response's body, decoded when asked.
pub(super) struct Body {
    response: Response,
    decoding: Option<Decoding>,
}

struct Decoding {
    decoder: Decoder,
    /// The codings, named only in the message of a body that fails to decode.
    codings: Vec<Coding>,
    /// Where each piece is decoded before it is copied out at its own size.
    buffer: Box<[u8]>,
}

impl Body {
    /// `response`'s body; decoded when `decode` (`--compressed`) and its codings are ones hops
    /// can undo, else as received.
    pub(super) fn new(response: Response, decode: bool) -> Body {
        // Without `--compressed` the Content-Encoding header is not even read.
        let codings = decode
            .then(|| content_codings(response.headers()).ok())
            .flatten()
            .filter(|codings| !codings.is_empty());
        let decoding = codings.map(|codings| Decoding {
            decoder: Decoder::new(&codings),
            codings,
            buffer: vec![0; DECODED_PIECE].into_boxed_slice(),
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
            let decoded = decoding.decoder.read(&mut decoding.buffer);
            match decoded.map_err(|err| decoding.failure(&err))? {
                Decoded::Bytes(count) => {
                    return Ok(Some(Bytes::copy_from_slice(&decoding.buffer[..count])));
                }
                Decoded::End => return Ok(None),
                Decoded::NeedInput => match self.response.chunk().await {
                    Ok(Some(chunk)) => decoding.decoder.feed(chunk),
                    Ok(None) => decoding.decoder.end_input(),
                    Err(err) => return Err(classify_body(&err)),
                },
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
                coding_names(&self.codings)
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::CONTENT_ENCODING;

    fn response(coding: Option<&str>, body: Vec<u8>) -> Response {
        let mut response = hyper::Response::builder();
        if let Some(coding) = coding {
            response = response.header(CONTENT_ENCODING, coding);
        }
        Response::from(response.body(body).unwrap())
    }

    /// Every piece of `body`, read to its end.
    async fn pieces(mut body: Body) -> Vec<Bytes> {
        let mut pieces = Vec::new();
        while let Some(piece) = body.chunk().await.unwrap() {
            pieces.push(piece);
        }
        pieces
    }

    /// 16 MiB of zstd that arrive as one chunk of a few hundred bytes come out 64 KiB at a time.
    #[tokio::test]
    async fn a_decoded_body_comes_in_bounded_pieces() {
        let zeros = vec![0; 16 << 20];
        let encoded = zstd::encode_all(&zeros[..], 3).unwrap();
        let pieces = pieces(Body::new(response(Some("zstd"), encoded), true)).await;
        assert!(pieces.iter().all(|piece| piece.len() <= DECODED_PIECE));
        assert_eq!(pieces.concat(), zeros);
    }

    /// Without `--compressed`, or with a coding hops cannot undo, the body is as received.
    #[tokio::test]
    async fn a_body_not_decoded_is_as_received() {
        for (coding, decode) in [
            (Some("zstd"), false),
            (Some("compress"), true),
            (None, true),
        ] {
            let body = Body::new(response(coding, b"as sent".to_vec()), decode);
            assert_eq!(
                pieces(body).await.concat(),
                b"as sent",
                "{coding:?} {decode}"
            );
        }
    }

    /// A body that cannot be decoded fails naming its codings; an empty one is empty.
    #[tokio::test]
    async fn a_broken_body_names_its_codings_and_an_empty_one_is_empty() {
        let mut body = Body::new(response(Some("gzip, br"), b"not brotli".to_vec()), true);
        let (kind, message) = loop {
            match body.chunk().await {
                Ok(Some(_)) => continue,
                Ok(None) => panic!("a broken body decoded"),
                Err(failure) => break failure,
            }
        };
        assert_eq!(kind, NetworkErrorKind::Protocol);
        assert!(
            message.starts_with("reading the response body: cannot decode its gzip, br content: "),
            "{message}"
        );
        let body = Body::new(response(Some("br"), Vec::new()), true);
        assert!(pieces(body).await.is_empty());
    }
}
