//! The decoders of `--compressed`: every coding, alone and stacked, fed in chunks of every size
//! and read in pieces of every size, gives the same bytes, never more than asked for at once;
//! cut, corrupt and over-long streams are errors, and an empty body is empty.

use std::io::Write;

use flate2::Compression;
use reqwest::header::HeaderValue;

use super::*;

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

fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut encoded = Vec::new();
    let mut encoder = brotli::CompressorWriter::new(&mut encoded, 4096, 5, 22);
    encoder.write_all(bytes).unwrap();
    drop(encoder);
    encoded
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 3).unwrap()
}

/// `bytes` in each coding, deflate both ways.
fn encodings(bytes: &[u8]) -> Vec<(Coding, Vec<u8>)> {
    vec![
        (Coding::Gzip, gzip(bytes)),
        (Coding::Deflate, zlib(bytes)),
        (Coding::Deflate, raw_deflate(bytes)),
        (Coding::Brotli, brotli(bytes)),
        (Coding::Zstd, zstd(bytes)),
    ]
}

/// A page padded out with 3 MiB of one byte: a few KiB encoded, megabytes decoded.
fn padded_page() -> Vec<u8> {
    let mut page = TEXT.repeat(50);
    page.resize(page.len() + (3 << 20), b' ');
    page.extend_from_slice(TEXT);
    page
}

/// The decoded body when `encoded` arrives in chunks of `size` bytes and is read into a
/// buffer of `piece` bytes: no read gives more than `piece`, or writes past it.
fn decode(codings: &[Coding], encoded: &[u8], size: usize, piece: usize) -> io::Result<Vec<u8>> {
    let mut decoder = Decoder::new(codings);
    let mut chunks = encoded.chunks(size);
    let mut buffer = vec![0xaa; piece + 1];
    let mut out = Vec::new();
    loop {
        match decoder.read(&mut buffer[..piece])? {
            Decoded::Bytes(count) => {
                assert!(0 < count && count <= piece, "a read gave {count} bytes");
                assert_eq!(buffer[piece], 0xaa, "a read wrote past its buffer");
                out.extend_from_slice(&buffer[..count]);
            }
            Decoded::NeedInput => match chunks.next() {
                Some(chunk) => decoder.feed(Bytes::copy_from_slice(chunk)),
                None => decoder.end_input(),
            },
            Decoded::End => return Ok(out),
        }
    }
}

/// [`decode`] in pieces larger than the test texts.
fn decode_in_chunks(codings: &[Coding], encoded: &[u8], size: usize) -> io::Result<Vec<u8>> {
    decode(codings, encoded, size, 64 * 1024)
}

#[test]
fn each_coding_decodes_whatever_the_chunk_size() {
    for (coding, encoded) in encodings(TEXT) {
        for size in [1, 2, 7, 4096] {
            let decoded = decode_in_chunks(&[coding], &encoded, size)
                .unwrap_or_else(|err| panic!("{coding:?} in chunks of {size}: {err}"));
            assert_eq!(decoded, TEXT, "{coding:?} in chunks of {size}");
        }
    }
}

/// Whatever the input's chunks and the reader's buffer, the bytes are the same: each decoder
/// stops when its input runs dry and when the buffer is full, and goes on where it stopped.
#[test]
fn each_coding_decodes_in_bounded_pieces() {
    let page = padded_page();
    for (coding, encoded) in encodings(&page) {
        assert!(encoded.len() < 64 * 1024, "{coding:?} compresses the page");
        for (size, piece) in [(1, 1000), (3, 1), (4096, 64 * 1024), (encoded.len(), 4096)] {
            let decoded = decode(&[coding], &encoded, size, piece)
                .unwrap_or_else(|err| panic!("{coding:?}, {size} in, {piece} out: {err}"));
            assert!(decoded == page, "{coding:?}, {size} in, {piece} out");
        }
    }
}

/// A body that decodes to 64 MiB, arriving whole, comes out as 1024 reads of 64 KiB: what one
/// read decodes is bounded by the buffer, not by the input at hand.
#[test]
fn a_bomb_arriving_whole_comes_out_one_buffer_at_a_time() {
    let zeros = vec![0; 64 << 20];
    for (coding, encoded) in [
        (Coding::Zstd, zstd(&zeros)),
        (Coding::Brotli, brotli(&zeros)),
    ] {
        let mut decoder = Decoder::new(&[coding]);
        decoder.feed(Bytes::from(encoded));
        decoder.end_input();
        let mut buffer = vec![1; 64 * 1024];
        let (mut reads, mut total) = (0, 0);
        while let Decoded::Bytes(count) = decoder.read(&mut buffer).unwrap() {
            assert!(buffer[..count].iter().all(|&byte| byte == 0));
            reads += 1;
            total += count;
        }
        assert_eq!((reads, total), (1024, zeros.len()), "{coding:?}");
    }
}

#[test]
fn stacked_codings_are_undone_last_first() {
    let encoded = gzip(&zlib(TEXT));
    let decoded = decode_in_chunks(&[Coding::Deflate, Coding::Gzip], &encoded, 5).unwrap();
    assert_eq!(decoded, TEXT);

    let page = padded_page();
    let encoded = zstd(&brotli(&raw_deflate(&gzip(&page))));
    let codings = [Coding::Gzip, Coding::Deflate, Coding::Brotli, Coding::Zstd];
    for (size, piece) in [(1, 777), (4096, 64 * 1024)] {
        assert!(decode(&codings, &encoded, size, piece).unwrap() == page);
    }
}

#[test]
fn a_body_cut_short_or_corrupt_is_an_error_and_an_empty_one_is_not() {
    let page = padded_page();
    for (coding, encoded) in encodings(&page) {
        for cut in [1, encoded.len() / 2, encoded.len() - 1] {
            let result = decode(&[coding], &encoded[..cut], 3, 1000);
            assert!(
                result.is_err(),
                "{coding:?} cut at {cut} of {}",
                encoded.len()
            );
        }
        assert_eq!(decode(&[coding], b"", 3, 1000).unwrap(), b"", "{coding:?}");
        assert!(
            decode(&[coding], b"not encoded at all", 3, 1000).is_err(),
            "{coding:?}"
        );
    }
    let stacked = gzip(&brotli(&page));
    let codings = [Coding::Brotli, Coding::Gzip];
    assert!(decode(&codings, &stacked[..stacked.len() - 1], 5, 1000).is_err());
    assert_eq!(decode(&codings, b"", 5, 1000).unwrap(), b"");

    let encoded = brotli(TEXT);
    let cut = decode(&[Coding::Brotli], &encoded[..encoded.len() - 1], 1, 1000).unwrap_err();
    assert_eq!(cut.kind(), io::ErrorKind::UnexpectedEof, "{cut}");
    assert_eq!(
        cut.to_string(),
        "the brotli stream ends before its last block"
    );
    let one_byte = decode(&[Coding::Deflate], b"x", 1, 1000).unwrap_err();
    assert_eq!(
        one_byte.to_string(),
        "the deflate stream ends after one byte"
    );
}

/// A decoder that failed keeps failing: brotli's would answer the next read as a clean end.
#[test]
fn an_error_is_not_followed_by_a_clean_end() {
    let mut encoded = brotli(TEXT);
    encoded[10] ^= 0xff;
    let mut decoder = Decoder::new(&[Coding::Brotli]);
    decoder.feed(Bytes::from(encoded));
    decoder.end_input();
    let mut buffer = [0; 1024];
    let first = loop {
        match decoder.read(&mut buffer) {
            Ok(Decoded::Bytes(_)) => continue,
            other => break other,
        }
    };
    let first = first.unwrap_err().to_string();
    let again = decoder.read(&mut buffer).unwrap_err().to_string();
    assert_eq!(again, first);
}

#[test]
fn bytes_after_the_end_of_a_stream_are_an_error() {
    for (coding, mut encoded) in encodings(TEXT) {
        encoded.extend_from_slice(b"junk");
        for size in [1, 4096] {
            let result = decode(&[coding], &encoded, size, 1000);
            assert!(
                result.is_err(),
                "{coding:?} in chunks of {size}: {result:?}"
            );
        }
    }
}

/// A zstd frame that asks for a window over 8 MiB is refused rather than allocated.
#[test]
fn a_zstd_window_over_8_mib_is_refused() {
    let framed = |window_log| {
        let mut encoder = zstd::stream::Encoder::new(Vec::new(), 3).unwrap();
        encoder.window_log(window_log).unwrap();
        encoder.write_all(TEXT).unwrap();
        encoder.finish().unwrap()
    };
    assert_eq!(
        decode_in_chunks(&[Coding::Zstd], &framed(23), 4096).unwrap(),
        TEXT
    );
    assert!(decode_in_chunks(&[Coding::Zstd], &framed(24), 4096).is_err());
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
