//! `--compressed` against compression bombs: brotli and zstd bodies of a few KiB that decode to
//! gigabytes. hops decodes them in bounded pieces, so it reads the start of an HTML page, or
//! writes the whole body with `-o`, in a process whose address space is capped far below what
//! the body decodes to.

use std::io::Write;

use crate::support::{RawServer, hops_within};

/// The address space hops may map in these runs: several times what it maps to decode a bomb
/// piece by piece (under 48 MiB), and less than decoding one network chunk of a zstd bomb at
/// once takes (128 MiB, then copied into the page's start); a brotli chunk takes gigabytes.
const ADDRESS_SPACE: u64 = 256 << 20;

/// The zeros behind each repeated piece of a bomb.
const SEGMENT: usize = 16 << 20;

/// A brotli stream of `segments` × 16 MiB of zeros, about 14 bytes per 16 MiB. Encoding
/// gigabytes would take the test minutes, so 16 MiB is encoded a few times over with a flush
/// after each: a flush ends on a byte boundary, and once the encoder's state repeats (checked)
/// so do the bytes it writes, which can then be repeated by hand; an empty last meta-block ends
/// the stream.
fn brotli_zeros(segments: usize) -> Vec<u8> {
    let zeros = vec![0; SEGMENT];
    let mut encoder = brotli::CompressorWriter::new(Vec::new(), 4096, 5, 24);
    let mut ends = Vec::new();
    for _ in 0..3 {
        encoder.write_all(&zeros).unwrap();
        encoder.flush().unwrap();
        ends.push(encoder.get_ref().len());
    }
    let stream = encoder.get_ref();
    let segment = &stream[ends[0]..ends[1]];
    assert_eq!(
        segment,
        &stream[ends[1]..ends[2]],
        "flushed segments repeat"
    );
    let mut bomb = stream[..ends[0]].to_vec();
    for _ in 1..segments {
        bomb.extend_from_slice(segment);
    }
    // ISLAST and ISLASTEMPTY (RFC 7932 §9.2).
    bomb.push(0b11);
    bomb
}

/// A zstd stream of `segments` frames of 16 MiB of zeros each (a decoder reads concatenated
/// frames as one stream), about 32768:1, the most zstd's 128 KiB blocks allow.
fn zstd_zeros(segments: usize) -> Vec<u8> {
    let mut encoder = zstd::stream::Encoder::new(Vec::new(), 1).unwrap();
    encoder.write_all(&vec![0; SEGMENT]).unwrap();
    let frame = encoder.finish().unwrap();
    frame.repeat(segments)
}

/// Serves `body` with `Content-Encoding: coding` as an HTML page.
fn serving(coding: &'static str, body: Vec<u8>) -> RawServer {
    RawServer::start(move |_, stream| {
        let head = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: {coding}\r\n\
             Content-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(head.as_bytes())?;
        stream.write_all(&body)
    })
}

/// The bombs are what they say: a small one decodes to its size in zeros.
#[test]
fn the_bombs_decode_to_zeros() {
    use std::io::Read;
    let count = |mut reader: Box<dyn Read>| {
        let mut buffer = vec![0xff; 1 << 20];
        let mut total = 0;
        loop {
            match reader.read(&mut buffer).unwrap() {
                0 => return total,
                n => {
                    assert!(buffer[..n].iter().all(|&byte| byte == 0));
                    total += n;
                }
            }
        }
    };
    let brotli = brotli_zeros(3);
    let zstd = zstd_zeros(3);
    assert_eq!(
        count(Box::new(brotli::Decompressor::new(&brotli[..], 4096))),
        3 * SEGMENT
    );
    assert_eq!(
        count(Box::new(
            zstd::stream::read::Decoder::new(&zstd[..]).unwrap()
        )),
        3 * SEGMENT
    );
}

/// Runs hops with `--compressed` and `extra` on a page of `body`, within [`ADDRESS_SPACE`]: it
/// ends as for any page (no meta refresh, exit 0), not killed for want of memory.
fn read_within_limits(coding: &'static str, body: Vec<u8>, extra: &[&str]) {
    let server = serving(coding, body);
    let mut args = vec!["--color", "never", "--compressed"];
    args.extend_from_slice(extra);
    let url = server.url("/page");
    args.push(&url);
    hops_within(args, ADDRESS_SPACE)
        .code(0)
        .stdout_has("200 OK");
}

/// A brotli page that decodes to 4 GiB: only its first 64 KiB are decoded, for the meta refresh
/// search. (A few bytes of it are 16 MiB meta-blocks: decoded in one go, they would be
/// gigabytes.)
#[test]
fn only_the_start_of_a_brotli_bomb_is_decoded() {
    read_within_limits("br", brotli_zeros(256), &[]);
}

/// A zstd page that decodes to 4 GiB: only its first 64 KiB are decoded.
#[test]
fn only_the_start_of_a_zstd_bomb_is_decoded() {
    read_within_limits("zstd", zstd_zeros(256), &[]);
}

/// With `-o`, a body that decodes to 1 GiB is decoded whole, to its clean end (a cut or corrupt
/// stream fails the chain), in the same little memory: the file written has every byte.
fn written_whole_within_limits(coding: &'static str, body: Vec<u8>) {
    let dir = tempfile::tempdir().expect("temporary directory");
    let file = dir.path().join("body");
    let file_arg = file.to_str().expect("a UTF-8 temporary path");
    read_within_limits(coding, body, &["-o", file_arg]);
    let written = std::fs::metadata(&file)
        .expect("the body was written")
        .len();
    assert_eq!(written, 64 * SEGMENT as u64, "{coding}");
}

#[test]
fn a_brotli_bomb_is_written_whole_in_constant_memory() {
    written_whole_within_limits("br", brotli_zeros(64));
}

#[test]
fn a_zstd_bomb_is_written_whole_in_constant_memory() {
    written_whole_within_limits("zstd", zstd_zeros(64));
}

/// `--max-time` ends the writing of a bomb that would decode for hours (a TiB of zeros in under
/// 1 MiB): decoding what has already arrived never waits, so nothing but a look at the clock
/// before each piece can see the deadline pass.
#[test]
fn max_time_ends_a_bomb_written_with_o() {
    let server = serving("br", brotli_zeros(1 << 16));
    let url = server.url("/page");
    let args = [
        "--color",
        "never",
        "--compressed",
        "-m",
        "1",
        "-o",
        "/dev/null",
        &url,
    ];
    hops_within(args, ADDRESS_SPACE)
        .code(6)
        .hop_error(1, "timed out: the run took longer than --max-time 1s");
}
