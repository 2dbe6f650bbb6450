//! `--compressed`: the content codings of a body (`Content-Encoding`) and a [`Decoder`] that
//! undoes gzip, deflate, br and zstd as the body arrives, chunk by chunk.
//!
//! # Why hops decodes itself
//!
//! reqwest can decode bodies (its `gzip`, `deflate`, `brotli` and `zstd` features), but only for
//! every response of the client at once, and then it removes `Content-Encoding` and
//! `Content-Length` from the headers it hands over. hops shows, checks and writes (`-i`) the
//! headers as received, so the client is left as it is and the driver runs the final response's
//! body, and only that one, through a [`Decoder`]; a redirect's body is drained undecoded.
//! The decoders are the push-style (`Write`) ones of flate2, brotli-decompressor and zstd: they
//! take each chunk as it comes, with no thread and no extra reader between them and reqwest.

use std::io::{self, Write};

use brotli_decompressor::DecompressorWriter;
use flate2::write::{DeflateDecoder, MultiGzDecoder, ZlibDecoder};
use reqwest::header::{CONTENT_ENCODING, HeaderMap};

/// What `--compressed` asks for, in the order curl sends it.
pub const ACCEPT_ENCODING: &str = "gzip, deflate, br, zstd";

/// A content coding hops can undo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coding {
    Gzip,
    /// zlib-wrapped, as RFC 9110 says, or raw deflate, as some servers send it: told apart by
    /// the first two bytes, as browsers do.
    Deflate,
    Brotli,
    Zstd,
}

impl Coding {
    pub fn name(self) -> &'static str {
        match self {
            Coding::Gzip => "gzip",
            Coding::Deflate => "deflate",
            Coding::Brotli => "br",
            Coding::Zstd => "zstd",
        }
    }
}

/// The codings of a body in the order the server applied them (`identity` left out; none for a
/// body as it is), or the first one hops cannot undo, as named.
pub fn content_codings(headers: &HeaderMap) -> Result<Vec<Coding>, String> {
    let mut codings = Vec::new();
    for value in headers.get_all(CONTENT_ENCODING) {
        let value = String::from_utf8_lossy(value.as_bytes()).to_ascii_lowercase();
        for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            codings.push(match name {
                "identity" => continue,
                "gzip" | "x-gzip" => Coding::Gzip,
                "deflate" => Coding::Deflate,
                "br" => Coding::Brotli,
                "zstd" => Coding::Zstd,
                other => return Err(other.to_owned()),
            });
        }
    }
    Ok(codings)
}

/// Undoes a body's codings, last applied first.
pub struct Decoder {
    stages: Vec<Stage>,
    /// Whether any byte came: an empty body (a HEAD, a 304) has nothing to decode.
    fed: bool,
}

impl Decoder {
    /// `codings` as [`content_codings`] lists them.
    pub fn new(codings: &[Coding]) -> Decoder {
        Decoder {
            stages: codings
                .iter()
                .rev()
                .map(|&coding| Stage::new(coding))
                .collect(),
            fed: false,
        }
    }

    /// The decoded bytes `input` gives, as far as they can be decoded yet.
    pub fn push(&mut self, input: &[u8]) -> io::Result<Vec<u8>> {
        self.fed |= !input.is_empty();
        let mut bytes = input.to_vec();
        for stage in &mut self.stages {
            if bytes.is_empty() {
                break;
            }
            bytes = stage.push(&bytes)?;
        }
        Ok(bytes)
    }

    /// The last decoded bytes, once the body has ended; an error when it ended mid-stream.
    pub fn finish(&mut self) -> io::Result<Vec<u8>> {
        if !self.fed {
            return Ok(Vec::new());
        }
        let mut bytes = Vec::new();
        for stage in &mut self.stages {
            if !bytes.is_empty() {
                let mut more = stage.push(&bytes)?;
                bytes = Vec::new();
                bytes.append(&mut more);
            }
            let mut rest = stage.finish()?;
            bytes.append(&mut rest);
        }
        Ok(bytes)
    }
}

/// One coding's decoder, writing into a buffer the stage empties after each write.
enum Stage {
    Gzip(MultiGzDecoder<Vec<u8>>),
    /// Deflate until its first two bytes say which kind.
    DeflateStart(Vec<u8>),
    Zlib(ZlibDecoder<Vec<u8>>),
    RawDeflate(DeflateDecoder<Vec<u8>>),
    Brotli(Box<DecompressorWriter<Vec<u8>>>),
    Zstd(zstd::stream::write::Decoder<'static, Vec<u8>>),
    /// A decoder that could not be made, and why.
    Broken(String),
}

impl Stage {
    fn new(coding: Coding) -> Stage {
        match coding {
            Coding::Gzip => Stage::Gzip(MultiGzDecoder::new(Vec::new())),
            Coding::Deflate => Stage::DeflateStart(Vec::new()),
            Coding::Brotli => Stage::Brotli(Box::new(DecompressorWriter::new(Vec::new(), 4096))),
            Coding::Zstd => match zstd::stream::write::Decoder::new(Vec::new()) {
                Ok(decoder) => Stage::Zstd(decoder),
                // The C library could not allocate its context: the body fails to decode.
                Err(error) => Stage::Broken(error.to_string()),
            },
        }
    }

    fn push(&mut self, input: &[u8]) -> io::Result<Vec<u8>> {
        fn through<W: Write>(decoder: &mut W, input: &[u8]) -> io::Result<()> {
            decoder.write_all(input)?;
            decoder.flush()
        }
        match self {
            Stage::Gzip(decoder) => through(decoder, input).map(|()| take(decoder.get_mut())),
            Stage::Zlib(decoder) => through(decoder, input).map(|()| take(decoder.get_mut())),
            Stage::RawDeflate(decoder) => through(decoder, input).map(|()| take(decoder.get_mut())),
            Stage::Brotli(decoder) => through(decoder, input).map(|()| take(decoder.get_mut())),
            Stage::Zstd(decoder) => through(decoder, input).map(|()| take(decoder.get_mut())),
            Stage::Broken(why) => Err(io::Error::other(why.clone())),
            Stage::DeflateStart(start) => {
                start.extend_from_slice(input);
                if start.len() < 2 {
                    return Ok(Vec::new());
                }
                let start = std::mem::take(start);
                *self = if is_zlib_header(start[0], start[1]) {
                    Stage::Zlib(ZlibDecoder::new(Vec::new()))
                } else {
                    Stage::RawDeflate(DeflateDecoder::new(Vec::new()))
                };
                self.push(&start)
            }
        }
    }

    fn finish(&mut self) -> io::Result<Vec<u8>> {
        match self {
            Stage::Gzip(decoder) => decoder.try_finish().map(|()| take(decoder.get_mut())),
            Stage::Zlib(decoder) => decoder.try_finish().map(|()| take(decoder.get_mut())),
            Stage::RawDeflate(decoder) => decoder.try_finish().map(|()| take(decoder.get_mut())),
            Stage::Brotli(decoder) => match decoder.close() {
                Ok(()) => Ok(take(decoder.get_mut())),
                Err(_) => Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "the brotli stream ends before its last block",
                )),
            },
            Stage::Zstd(decoder) => decoder.do_finish().map(|()| take(decoder.get_mut())),
            Stage::Broken(why) => Err(io::Error::other(why.clone())),
            Stage::DeflateStart(start) if start.is_empty() => Ok(Vec::new()),
            Stage::DeflateStart(_) => Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "the deflate stream ends after one byte",
            )),
        }
    }
}

fn take(buffer: &mut Vec<u8>) -> Vec<u8> {
    std::mem::take(buffer)
}

/// A zlib header (RFC 1950): method 8 (deflate) with a window of at most 32 KiB, and a check
/// that makes the two bytes a multiple of 31.
fn is_zlib_header(cmf: u8, flg: u8) -> bool {
    cmf & 0x0f == 8 && cmf >> 4 <= 7 && (u16::from(cmf) << 8 | u16::from(flg)) % 31 == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::Compression;
    use reqwest::header::HeaderValue;

    const TEXT: &[u8] = b"<html><head><meta http-equiv=refresh content='0; url=/next'></head>\
                          <body>a page that compresses well, well, well, well</body></html>";

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    fn zlib(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    fn raw_deflate(bytes: &[u8]) -> Vec<u8> {
        let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap()
    }

    /// The decoded body when `encoded` arrives in chunks of `size` bytes.
    fn decode_in_chunks(codings: &[Coding], encoded: &[u8], size: usize) -> io::Result<Vec<u8>> {
        let mut decoder = Decoder::new(codings);
        let mut out = Vec::new();
        for chunk in encoded.chunks(size) {
            out.extend(decoder.push(chunk)?);
        }
        out.extend(decoder.finish()?);
        Ok(out)
    }

    #[test]
    fn each_coding_decodes_whatever_the_chunk_size() {
        let zstd = zstd::encode_all(TEXT, 3).unwrap();
        // A few bytes of brotli written by hand would be opaque; the crate's own test file is
        // not shipped, so an empty-metadata stream of TEXT as one uncompressed meta-block is
        // built: WBITS 16 (a 0 bit), then ISLAST=0, MNIBBLES=4, MLEN-1, ISUNCOMPRESSED=1.
        let brotli = brotli_uncompressed(TEXT);
        for (coding, encoded) in [
            (Coding::Gzip, gzip(TEXT)),
            (Coding::Deflate, zlib(TEXT)),
            (Coding::Deflate, raw_deflate(TEXT)),
            (Coding::Zstd, zstd),
            (Coding::Brotli, brotli),
        ] {
            for size in [1, 2, 7, 4096] {
                let decoded = decode_in_chunks(&[coding], &encoded, size)
                    .unwrap_or_else(|err| panic!("{coding:?} in chunks of {size}: {err}"));
                assert_eq!(decoded, TEXT, "{coding:?} in chunks of {size}");
            }
        }
    }

    /// A brotli stream holding `bytes` as one uncompressed meta-block (RFC 7932 §9.2), then an
    /// empty last meta-block.
    fn brotli_uncompressed(bytes: &[u8]) -> Vec<u8> {
        let mut bits = BitWriter::default();
        bits.put(0, 1); // WBITS = 16
        bits.put(0, 1); // ISLAST = 0
        bits.put(0, 2); // MNIBBLES = 4
        bits.put((bytes.len() - 1) as u32, 16); // MLEN - 1
        bits.put(1, 1); // ISUNCOMPRESSED
        let mut out = bits.finish();
        out.extend_from_slice(bytes);
        let mut last = BitWriter::default();
        last.put(1, 1); // ISLAST
        last.put(1, 1); // ISLASTEMPTY
        out.extend(last.finish());
        out
    }

    #[derive(Default)]
    struct BitWriter {
        bytes: Vec<u8>,
        used: u32,
    }

    impl BitWriter {
        fn put(&mut self, value: u32, count: u32) {
            for bit in 0..count {
                if self.used % 8 == 0 {
                    self.bytes.push(0);
                }
                let last = self.bytes.last_mut().unwrap();
                *last |= (((value >> bit) & 1) as u8) << (self.used % 8);
                self.used += 1;
            }
        }

        fn finish(self) -> Vec<u8> {
            self.bytes
        }
    }

    #[test]
    fn stacked_codings_are_undone_last_first() {
        let encoded = gzip(&zlib(TEXT));
        let decoded = decode_in_chunks(&[Coding::Deflate, Coding::Gzip], &encoded, 5).unwrap();
        assert_eq!(decoded, TEXT);
    }

    #[test]
    fn a_body_cut_short_or_corrupt_is_an_error_and_an_empty_one_is_not() {
        let encoded = gzip(TEXT);
        assert!(decode_in_chunks(&[Coding::Gzip], &encoded[..encoded.len() / 2], 3).is_err());
        assert!(decode_in_chunks(&[Coding::Gzip], b"not gzip at all", 3).is_err());
        let zstd = zstd::encode_all(TEXT, 3).unwrap();
        assert!(decode_in_chunks(&[Coding::Zstd], &zstd[..zstd.len() - 3], 3).is_err());
        assert_eq!(decode_in_chunks(&[Coding::Gzip], b"", 3).unwrap(), b"");
    }

    #[test]
    fn content_encoding_headers_name_the_codings() {
        let codings = |values: &[&str]| {
            let mut headers = HeaderMap::new();
            for value in values {
                headers.append(CONTENT_ENCODING, HeaderValue::from_str(value).unwrap());
            }
            content_codings(&headers)
        };
        assert_eq!(codings(&[]), Ok(vec![]));
        assert_eq!(codings(&["identity"]), Ok(vec![]));
        assert_eq!(codings(&["GZIP"]), Ok(vec![Coding::Gzip]));
        assert_eq!(
            codings(&["deflate, br", "zstd"]),
            Ok(vec![Coding::Deflate, Coding::Brotli, Coding::Zstd])
        );
        assert_eq!(codings(&["gzip, compress"]), Err("compress".to_owned()));
    }
}
