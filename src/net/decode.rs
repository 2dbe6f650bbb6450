//! `--compressed`: the content codings of a body (`Content-Encoding`) and a [`Decoder`] that
//! undoes gzip, deflate, br and zstd as the body arrives, in pieces of bounded size.
//!
//! # Why hops decodes itself
//!
//! reqwest can decode bodies (its `gzip`, `deflate`, `brotli` and `zstd` features), but only for
//! every response of the client at once, and then it removes `Content-Encoding` and
//! `Content-Length` from the headers it hands over. hops shows, checks and writes (`-i`) the
//! headers as received, so the client is left as it is and the driver runs the final response's
//! body, and only that one, through a [`Decoder`]; a redirect's body is drained undecoded.
//!
//! # Why the decoders are pulled from
//!
//! What a server sends is untrusted, and a compressed body is bounded by nothing but the
//! decoder: a few bytes of brotli give a 16 MiB meta-block of one repeated byte, and zstd's RLE
//! blocks expand 32768:1. A decoder that is pushed input and writes all it gives into a buffer
//! (the `Write` decoders) can turn one network chunk into gigabytes. So each coding is undone by
//! its crate's own *reader* (flate2's `bufread` decoders, `brotli_decompressor::Decompressor`,
//! `zstd`'s `read::Decoder`), asked for at most as many bytes as the caller's buffer holds. Its
//! input is an [`Input`] the caller fills with the body's chunks as they come; when it runs dry
//! it says `WouldBlock`, the decoder returns that error before it changes any state (each
//! crate's code was read for this, and the tests feed single bytes so that every position of
//! every coding meets it), and the same read goes on once more input is there. Memory is then
//! the decoders' windows (32 KiB for gzip and deflate, at most 16 MiB for brotli, at most 8 MiB
//! for zstd, as RFC 9659 allows for HTTP) and one buffer per stage, whatever the ratio.
//!
//! This keeps the body a plain `reqwest::Response` read with `chunk`: the driver still has its
//! head for `-i` and can drain the rest as received. An async pull design
//! (`async-compression` over the response's byte stream) would have consumed the response and
//! mixed its network errors into the decoders' I/O errors; these decoders never wait, so there
//! is nothing asynchronous for them to do.

use std::io::{self, BufRead, BufReader, Read};

use brotli_decompressor::Decompressor;
use bytes::{Buf, Bytes, BytesMut};
use flate2::bufread::{DeflateDecoder, MultiGzDecoder, ZlibDecoder};
use reqwest::header::{CONTENT_ENCODING, HeaderMap};

/// What `--compressed` asks for, in the order curl sends it.
pub const ACCEPT_ENCODING: &str = "gzip, deflate, br, zstd";

/// The largest zstd window accepted: 8 MiB, the most RFC 9659 lets an HTTP encoder use. The
/// decoder allocates the window a frame declares, so a larger one is refused rather than
/// allocated (the library's own default would allow 128 MiB).
const ZSTD_WINDOW_LOG_MAX: u32 = 23;

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

/// The codings as messages name them: "gzip", "deflate, br".
pub fn coding_names(codings: &[Coding]) -> String {
    let names: Vec<&str> = codings.iter().map(|coding| coding.name()).collect();
    names.join(", ")
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

/// What one [`Decoder::read`] gave.
#[derive(Debug, PartialEq, Eq)]
pub enum Decoded {
    /// This many decoded bytes, at the start of the buffer (never 0).
    Bytes(usize),
    /// Nothing more until more of the body is fed, or its end is told.
    NeedInput,
    /// The decoded body is complete.
    End,
}

/// Undoes a body's codings, last applied first.
pub struct Decoder {
    /// The stages, each reading from the one below it; the lowest reads the body.
    top: Source,
    /// Whether any byte came: an empty body (a HEAD, a 304) has nothing to decode.
    fed: bool,
    /// The first error, repeated: a decoder that has failed may answer later reads as if its
    /// stream had ended cleanly (brotli's does), which would pass a broken body off as whole.
    failed: Option<(io::ErrorKind, String)>,
}

impl Decoder {
    /// `codings` as [`content_codings`] lists them.
    pub fn new(codings: &[Coding]) -> Decoder {
        let mut top = Source::new(From::Body(Input::default()));
        for &coding in codings.iter().rev() {
            top = Source::new(From::Stage(Box::new(Stage::new(coding, top))));
        }
        Decoder {
            top,
            fed: false,
            failed: None,
        }
    }

    /// More of the body, as received.
    pub fn feed(&mut self, chunk: Bytes) {
        self.fed |= !chunk.is_empty();
        self.top.input().push(chunk);
    }

    /// The body has ended: what is still undecoded is all there is.
    pub fn end_input(&mut self) {
        self.top.input().ended = true;
    }

    /// Decodes into `out`, at most its length (so never more than the caller can hold, however
    /// much the input expands). An error when the body is corrupt or ended mid-stream, or when
    /// `out` has no room at all (a read into it could not tell an end from a full buffer).
    pub fn read(&mut self, out: &mut [u8]) -> io::Result<Decoded> {
        if let Some((kind, message)) = &self.failed {
            return Err(io::Error::new(*kind, message.clone()));
        }
        if out.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "no room to decode into",
            ));
        }
        if !self.fed && self.top.input().ended {
            return Ok(Decoded::End);
        }
        match self.top.read(out) {
            Ok(0) => Ok(Decoded::End),
            Ok(count) => Ok(Decoded::Bytes(count)),
            // Only the body's input says this, when it has run dry: nothing was lost.
            Err(err) if err.kind() == io::ErrorKind::WouldBlock => Ok(Decoded::NeedInput),
            Err(err) => {
                self.failed = Some((err.kind(), err.to_string()));
                Err(err)
            }
        }
    }
}

/// The body's bytes received and not decoded yet. Read dry before the body ended, it says
/// `WouldBlock`: the decoder above stops there, and goes on when more is fed.
#[derive(Default)]
struct Input {
    pending: Bytes,
    ended: bool,
}

impl Input {
    fn push(&mut self, chunk: Bytes) {
        if self.pending.is_empty() {
            self.pending = chunk;
        } else {
            // Only fed when dry, so this is not expected; kept correct all the same.
            let mut joined = BytesMut::from(&self.pending[..]);
            joined.extend_from_slice(&chunk);
            self.pending = joined.freeze();
        }
    }
}

impl Read for Input {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.pending.is_empty() {
            return match self.ended {
                true => Ok(0),
                false => Err(io::ErrorKind::WouldBlock.into()),
            };
        }
        let count = out.len().min(self.pending.len());
        out[..count].copy_from_slice(&self.pending[..count]);
        self.pending.advance(count);
        Ok(count)
    }
}

/// What a stage decodes: the body, or what the stage below it decoded.
struct Source {
    from: From,
    /// Bytes read ahead to tell zlib from raw deflate, handed back before the rest.
    sniffed: Vec<u8>,
    /// Whether it has said its input ended (brotli's decoder tells a cut stream from a corrupt
    /// one by nothing else).
    ended: bool,
}

enum From {
    Body(Input),
    Stage(Box<Stage>),
}

impl Source {
    fn new(from: From) -> Source {
        Source {
            from,
            sniffed: Vec::new(),
            ended: false,
        }
    }

    /// The body's input, under however many stages.
    fn input(&mut self) -> &mut Input {
        match &mut self.from {
            From::Body(input) => input,
            From::Stage(stage) => stage.source().input(),
        }
    }

    /// Reads past the sniffed bytes.
    fn read_from(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let count = match &mut self.from {
            From::Body(input) => input.read(out)?,
            From::Stage(stage) => stage.read(out)?,
        };
        self.ended |= count == 0 && !out.is_empty();
        Ok(count)
    }
}

impl Read for Source {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        if self.sniffed.is_empty() {
            return self.read_from(out);
        }
        let count = out.len().min(self.sniffed.len());
        out[..count].copy_from_slice(&self.sniffed[..count]);
        self.sniffed.drain(..count);
        Ok(count)
    }
}

/// One coding's decoder, reading from its [`Source`].
enum Stage {
    Gzip(MultiGzDecoder<BufReader<Source>>),
    /// Deflate until its first two bytes say which kind.
    DeflateStart(Source),
    Zlib(ZlibDecoder<BufReader<Source>>),
    RawDeflate(DeflateDecoder<BufReader<Source>>),
    Brotli(Box<Decompressor<Source>>),
    Zstd(zstd::stream::read::Decoder<'static, BufReader<Source>>),
    /// A decoder that could not be made, and why.
    Broken(Source, String),
}

impl Stage {
    fn new(coding: Coding, source: Source) -> Stage {
        match coding {
            Coding::Gzip => Stage::Gzip(MultiGzDecoder::new(BufReader::new(source))),
            Coding::Deflate => Stage::DeflateStart(source),
            Coding::Brotli => Stage::Brotli(Box::new(Decompressor::new(source, 4096))),
            Coding::Zstd => {
                match zstd::stream::read::Decoder::try_with_buffer(BufReader::new(source)) {
                    Ok(mut decoder) => match decoder.window_log_max(ZSTD_WINDOW_LOG_MAX) {
                        Ok(()) => Stage::Zstd(decoder),
                        Err(error) => {
                            Stage::Broken(decoder.into_inner().into_inner(), error.to_string())
                        }
                    },
                    // The C library could not allocate its context: the body fails to decode.
                    Err((reader, error)) => Stage::Broken(reader.into_inner(), error.to_string()),
                }
            }
        }
    }

    fn source(&mut self) -> &mut Source {
        match self {
            Stage::Gzip(decoder) => decoder.get_mut().get_mut(),
            Stage::Zlib(decoder) => decoder.get_mut().get_mut(),
            Stage::RawDeflate(decoder) => decoder.get_mut().get_mut(),
            Stage::Brotli(decoder) => decoder.get_mut(),
            Stage::Zstd(decoder) => decoder.get_mut().get_mut(),
            Stage::DeflateStart(source) | Stage::Broken(source, _) => source,
        }
    }

    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let count = self.decode(out)?;
        if count == 0 && !out.is_empty() {
            self.check_nothing_follows()?;
        }
        Ok(count)
    }

    /// At the end of a stream, its source must have ended too. The readers leave whatever
    /// follows unread; bytes after the end are a corrupt body, as they always were to hops.
    fn check_nothing_follows(&mut self) -> io::Result<()> {
        let follows = match self {
            Stage::Gzip(decoder) => !decoder.get_mut().fill_buf()?.is_empty(),
            Stage::Zlib(decoder) => !decoder.get_mut().fill_buf()?.is_empty(),
            Stage::RawDeflate(decoder) => !decoder.get_mut().fill_buf()?.is_empty(),
            Stage::Zstd(decoder) => !decoder.get_mut().fill_buf()?.is_empty(),
            // Read once more, brotli's decoder fails on what it has buffered past the end.
            Stage::Brotli(decoder) => {
                decoder.read(&mut [0])? > 0 || decoder.get_mut().read(&mut [0])? > 0
            }
            Stage::DeflateStart(_) | Stage::Broken(..) => false,
        };
        match follows {
            true => Err(io::Error::new(
                io::ErrorKind::InvalidData,
                "more data follows the end of the stream",
            )),
            false => Ok(()),
        }
    }

    fn decode(&mut self, out: &mut [u8]) -> io::Result<usize> {
        match self {
            Stage::Gzip(decoder) => decoder.read(out),
            Stage::Zlib(decoder) => decoder.read(out),
            Stage::RawDeflate(decoder) => decoder.read(out),
            Stage::Zstd(decoder) => decoder.read(out),
            Stage::Brotli(decoder) => decoder.read(out).map_err(|err| {
                if err.kind() == io::ErrorKind::InvalidData && decoder.get_ref().ended {
                    io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        "the brotli stream ends before its last block",
                    )
                } else {
                    err
                }
            }),
            Stage::Broken(_, why) => Err(io::Error::other(why.clone())),
            Stage::DeflateStart(source) => {
                while source.sniffed.len() < 2 {
                    let mut byte = [0];
                    match source.read_from(&mut byte)? {
                        0 => break,
                        _ => source.sniffed.push(byte[0]),
                    }
                }
                let zlib = match source.sniffed[..] {
                    // No byte came before the end: an empty deflate body is empty.
                    [] => return Ok(0),
                    [_] => {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "the deflate stream ends after one byte",
                        ));
                    }
                    [cmf, flg, ..] => is_zlib_header(cmf, flg),
                };
                // The source moves into the decoder; what stands in for a moment allocates
                // nothing.
                let idle = Stage::Broken(Source::new(From::Body(Input::default())), String::new());
                if let Stage::DeflateStart(source) = std::mem::replace(self, idle) {
                    let source = BufReader::new(source);
                    *self = match zlib {
                        true => Stage::Zlib(ZlibDecoder::new(source)),
                        false => Stage::RawDeflate(DeflateDecoder::new(source)),
                    };
                }
                self.read(out)
            }
        }
    }
}

/// A zlib header (RFC 1950): method 8 (deflate) with a window of at most 32 KiB, and a check
/// that makes the two bytes a multiple of 31.
fn is_zlib_header(cmf: u8, flg: u8) -> bool {
    cmf & 0x0f == 8 && cmf >> 4 <= 7 && (u16::from(cmf) << 8 | u16::from(flg)) % 31 == 0
}

#[cfg(test)]
#[path = "decode_tests.rs"]
mod tests;
