//! The cipher suites, observed through their transcript hash: the handshake messages are read
//! as they are hashed, up to the version, cipher suite and ALPN protocol the server chose.

use std::sync::Arc;

use rustls::crypto::CipherSuiteCommon;
use rustls::crypto::hash::{Context as HashContext, Hash, HashAlgorithm, Output};
use rustls::{SupportedCipherSuite, Tls12CipherSuite, Tls13CipherSuite};

use super::tls_log::{Negotiated, TlsLog};

/// ring's suites with a transcript hash that reads what the server chose.
///
/// rustls takes suites and hashes as `&'static`, so these are leaked: about a kilobyte per client,
/// and a run builds one client (the demo, one per scenario).
pub(super) fn observed_suites(
    suites: &[SupportedCipherSuite],
    log: &Arc<TlsLog>,
) -> Vec<SupportedCipherSuite> {
    let mut hashes: Vec<(HashAlgorithm, &'static ObservedHash)> = Vec::new();
    let mut observed = |common: &CipherSuiteCommon| {
        let algorithm = common.hash_provider.algorithm();
        let hash = match hashes.iter().find(|(a, _)| *a == algorithm) {
            Some((_, hash)) => *hash,
            None => {
                let hash: &'static ObservedHash = Box::leak(Box::new(ObservedHash {
                    inner: common.hash_provider,
                    log: Arc::clone(log),
                }));
                hashes.push((algorithm, hash));
                hash
            }
        };
        CipherSuiteCommon {
            suite: common.suite,
            hash_provider: hash,
            confidentiality_limit: common.confidentiality_limit,
        }
    };
    suites
        .iter()
        .map(|suite| match suite {
            SupportedCipherSuite::Tls13(suite) => {
                SupportedCipherSuite::Tls13(Box::leak(Box::new(Tls13CipherSuite {
                    common: observed(&suite.common),
                    hkdf_provider: suite.hkdf_provider,
                    aead_alg: suite.aead_alg,
                    quic: suite.quic,
                })))
            }
            SupportedCipherSuite::Tls12(suite) => {
                SupportedCipherSuite::Tls12(Box::leak(Box::new(Tls12CipherSuite {
                    common: observed(&suite.common),
                    prf_provider: suite.prf_provider,
                    kx: suite.kx,
                    sign: suite.sign,
                    aead_alg: suite.aead_alg,
                })))
            }
        })
        .collect()
}

/// A hash whose contexts read the handshake messages they are fed.
struct ObservedHash {
    inner: &'static dyn Hash,
    log: Arc<TlsLog>,
}

impl Hash for ObservedHash {
    fn start(&self) -> Box<dyn HashContext> {
        Box::new(ObservedContext {
            inner: self.inner.start(),
            reader: Some(TranscriptReader::default()),
            log: Arc::clone(&self.log),
        })
    }

    fn hash(&self, data: &[u8]) -> Output {
        self.inner.hash(data)
    }

    fn output_len(&self) -> usize {
        self.inner.output_len()
    }

    fn algorithm(&self) -> HashAlgorithm {
        self.inner.algorithm()
    }

    fn fips(&self) -> bool {
        self.inner.fips()
    }
}

struct ObservedContext {
    inner: Box<dyn HashContext>,
    /// `None` once it has nothing more to learn.
    reader: Option<TranscriptReader>,
    log: Arc<TlsLog>,
}

impl HashContext for ObservedContext {
    fn fork_finish(&self) -> Output {
        self.inner.fork_finish()
    }

    /// Forks hash what was said so far for a signature or a Finished message: not read again.
    fn fork(&self) -> Box<dyn HashContext> {
        self.inner.fork()
    }

    fn finish(self: Box<Self>) -> Output {
        self.inner.finish()
    }

    fn update(&mut self, data: &[u8]) {
        self.inner.update(data);
        if let Some(reader) = &mut self.reader {
            if reader.feed(data) {
                let negotiated = reader.negotiated.clone();
                self.log
                    .update_handshake(|handshake| handshake.negotiated = negotiated);
            }
            if reader.is_done() {
                self.reader = None;
            }
        }
    }
}

/// The random of a HelloRetryRequest, which is a ServerHello in form (RFC 8446 §4.1.3).
const HELLO_RETRY_RANDOM: [u8; 32] = [
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
];

/// Handshake message types (RFC 8446 §4, RFC 5246 §7.4).
const CLIENT_HELLO: u8 = 1;
const SERVER_HELLO: u8 = 2;
const ENCRYPTED_EXTENSIONS: u8 = 8;
/// The stand-in for the first ClientHello after a HelloRetryRequest (RFC 8446 §4.4.1).
const MESSAGE_HASH: u8 = 254;

const EXTENSION_ALPN: u16 = 16;
const EXTENSION_SUPPORTED_VERSIONS: u16 = 43;
const TLS13: u16 = 0x0304;

/// Messages longer than this are not what it looks for: it stops reading.
const LARGEST_EXPECTED_MESSAGE: usize = 1 << 16;

/// Reads handshake messages from a transcript (their concatenation, fed in pieces of any size)
/// up to what the server chose, then stops. A transcript that does not start with a ClientHello
/// (a hash used for anything else) is left alone.
#[derive(Debug, Default)]
struct TranscriptReader {
    buffer: Vec<u8>,
    state: ReaderState,
    negotiated: Negotiated,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum ReaderState {
    /// Expecting a ClientHello (or the message hash that replaces it after a retry).
    #[default]
    Start,
    /// Until the ServerHello that is not a HelloRetryRequest.
    ServerHello,
    /// TLS 1.3: the EncryptedExtensions that follow the ServerHello.
    EncryptedExtensions,
    Done,
}

impl TranscriptReader {
    /// Reads `data`; true when it learned something.
    fn feed(&mut self, data: &[u8]) -> bool {
        if self.is_done() {
            return false;
        }
        self.buffer.extend_from_slice(data);
        let mut learned = false;
        let mut offset = 0;
        while let Some(header) = self.buffer.get(offset..offset + 4) {
            let kind = header[0];
            let length =
                usize::from(header[1]) << 16 | usize::from(header[2]) << 8 | usize::from(header[3]);
            if length > LARGEST_EXPECTED_MESSAGE {
                self.state = ReaderState::Done;
                break;
            }
            let Some(body) = self.buffer.get(offset + 4..offset + 4 + length) else {
                break;
            };
            offset += 4 + length;
            let body = body.to_vec();
            learned |= self.read_message(kind, &body);
            if self.is_done() {
                break;
            }
        }
        if self.is_done() {
            self.buffer = Vec::new();
        } else {
            self.buffer.drain(..offset);
        }
        learned
    }

    fn is_done(&self) -> bool {
        self.state == ReaderState::Done
    }

    fn read_message(&mut self, kind: u8, body: &[u8]) -> bool {
        use ReaderState::*;
        match (self.state, kind) {
            (Start, CLIENT_HELLO | MESSAGE_HASH) => {
                self.state = ServerHello;
                false
            }
            // After a retry: the retry itself, then the second ClientHello.
            (ServerHello, CLIENT_HELLO) => false,
            (ServerHello, SERVER_HELLO) => match parse_server_hello(body) {
                Some(hello) if hello.retry => false,
                Some(hello) => {
                    let tls13 = hello.version == TLS13;
                    self.negotiated = Negotiated {
                        version: Some(hello.version),
                        suite: Some(hello.suite),
                        alpn: hello.alpn,
                        complete: !tls13,
                    };
                    self.state = if tls13 { EncryptedExtensions } else { Done };
                    true
                }
                None => {
                    self.state = Done;
                    false
                }
            },
            (EncryptedExtensions, ENCRYPTED_EXTENSIONS) => {
                self.state = Done;
                match parse_extensions(&mut Reader(body)) {
                    Some(extensions) => {
                        self.negotiated.alpn = extensions.alpn;
                        self.negotiated.complete = true;
                        true
                    }
                    None => false,
                }
            }
            _ => {
                self.state = Done;
                false
            }
        }
    }
}

struct ServerHello {
    retry: bool,
    /// The selected version: supported_versions on TLS 1.3, else the legacy field.
    version: u16,
    suite: u16,
    alpn: Option<Vec<u8>>,
}

fn parse_server_hello(body: &[u8]) -> Option<ServerHello> {
    let mut reader = Reader(body);
    let legacy_version = reader.u16()?;
    let random = reader.take(32)?;
    reader.vec8()?; // session id
    let suite = reader.u16()?;
    reader.u8()?; // compression
    // A TLS 1.2 ServerHello may end here, without extensions.
    let extensions = if reader.0.is_empty() {
        HelloExtensions::default()
    } else {
        parse_extensions(&mut reader)?
    };
    Some(ServerHello {
        retry: random == HELLO_RETRY_RANDOM,
        version: extensions.selected_version.unwrap_or(legacy_version),
        suite,
        alpn: extensions.alpn,
    })
}

#[derive(Default)]
struct HelloExtensions {
    selected_version: Option<u16>,
    alpn: Option<Vec<u8>>,
}

fn parse_extensions(reader: &mut Reader<'_>) -> Option<HelloExtensions> {
    let mut list = Reader(reader.vec16()?);
    let mut found = HelloExtensions::default();
    while !list.0.is_empty() {
        let kind = list.u16()?;
        let mut data = Reader(list.vec16()?);
        match kind {
            EXTENSION_SUPPORTED_VERSIONS => found.selected_version = Some(data.u16()?),
            EXTENSION_ALPN => {
                // A list with exactly one protocol, from a server (RFC 7301 §3.1).
                let mut protocols = Reader(data.vec16()?);
                found.alpn = Some(protocols.vec8()?.to_vec());
            }
            _ => {}
        }
    }
    Some(found)
}

/// Big-endian fields and length-prefixed vectors, as TLS encodes them.
struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, count: usize) -> Option<&'a [u8]> {
        if self.0.len() < count {
            return None;
        }
        let (taken, rest) = self.0.split_at(count);
        self.0 = rest;
        Some(taken)
    }

    fn u8(&mut self) -> Option<u8> {
        self.take(1).map(|bytes| bytes[0])
    }

    fn u16(&mut self) -> Option<u16> {
        self.take(2)
            .map(|bytes| u16::from_be_bytes([bytes[0], bytes[1]]))
    }

    fn vec8(&mut self) -> Option<&'a [u8]> {
        let length = self.u8()?;
        self.take(usize::from(length))
    }

    fn vec16(&mut self) -> Option<&'a [u8]> {
        let length = self.u16()?;
        self.take(usize::from(length))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(kind: u8, body: &[u8]) -> Vec<u8> {
        let length = u32::try_from(body.len()).unwrap().to_be_bytes();
        let mut bytes = vec![kind, length[1], length[2], length[3]];
        bytes.extend_from_slice(body);
        bytes
    }

    fn extension(kind: u16, data: &[u8]) -> Vec<u8> {
        let mut bytes = kind.to_be_bytes().to_vec();
        bytes.extend_from_slice(&u16::try_from(data.len()).unwrap().to_be_bytes());
        bytes.extend_from_slice(data);
        bytes
    }

    fn alpn(protocol: &[u8]) -> Vec<u8> {
        let mut list = vec![u8::try_from(protocol.len()).unwrap()];
        list.extend_from_slice(protocol);
        let mut data = u16::try_from(list.len()).unwrap().to_be_bytes().to_vec();
        data.extend(list);
        extension(EXTENSION_ALPN, &data)
    }

    fn extensions(list: &[Vec<u8>]) -> Vec<u8> {
        let all: Vec<u8> = list.concat();
        let mut bytes = u16::try_from(all.len()).unwrap().to_be_bytes().to_vec();
        bytes.extend(all);
        bytes
    }

    fn server_hello(random: [u8; 32], suite: u16, exts: Option<&[Vec<u8>]>) -> Vec<u8> {
        let mut body = vec![0x03, 0x03];
        body.extend_from_slice(&random);
        body.extend_from_slice(&[4, 1, 2, 3, 4]); // session id
        body.extend_from_slice(&suite.to_be_bytes());
        body.push(0); // no compression
        if let Some(exts) = exts {
            body.extend(extensions(exts));
        }
        message(SERVER_HELLO, &body)
    }

    fn client_hello() -> Vec<u8> {
        message(CLIENT_HELLO, &[0x03, 0x03, 7, 7, 7, 7, 7, 7])
    }

    fn supported_version(version: u16) -> Vec<u8> {
        extension(EXTENSION_SUPPORTED_VERSIONS, &version.to_be_bytes())
    }

    /// Feeds `transcript` in pieces of `piece` bytes.
    fn read(transcript: &[u8], piece: usize) -> TranscriptReader {
        let mut reader = TranscriptReader::default();
        for chunk in transcript.chunks(piece) {
            reader.feed(chunk);
        }
        reader
    }

    #[test]
    fn tls12_server_hello_gives_version_suite_and_alpn() {
        let transcript = [
            client_hello(),
            server_hello([1; 32], 0xc02f, Some(&[alpn(b"h2")])),
            message(11, &[0; 300]), // Certificate: not read
        ]
        .concat();
        for piece in [1, 3, 7, transcript.len()] {
            let reader = read(&transcript, piece);
            assert_eq!(
                reader.negotiated,
                Negotiated {
                    version: Some(0x0303),
                    suite: Some(0xc02f),
                    alpn: Some(b"h2".to_vec()),
                    complete: true
                },
                "pieces of {piece}"
            );
            assert!(reader.is_done() && reader.buffer.is_empty());
        }
    }

    #[test]
    fn tls12_server_hello_without_extensions_chose_no_alpn() {
        let reader = read(
            &[client_hello(), server_hello([1; 32], 0xc02b, None)].concat(),
            5,
        );
        assert_eq!(reader.negotiated.alpn, None);
        assert!(reader.negotiated.complete);
    }

    #[test]
    fn tls13_alpn_comes_from_encrypted_extensions() {
        let hello = server_hello([2; 32], 0x1301, Some(&[supported_version(TLS13)]));
        let mut reader = TranscriptReader::default();
        assert!(!reader.feed(&client_hello()));
        assert!(reader.feed(&hello));
        assert_eq!(reader.negotiated.version, Some(TLS13));
        assert!(
            !reader.negotiated.complete,
            "ALPN not known before EncryptedExtensions"
        );
        assert!(reader.feed(&message(
            ENCRYPTED_EXTENSIONS,
            &extensions(&[alpn(b"http/1.1")])
        )));
        assert_eq!(reader.negotiated.alpn.as_deref(), Some(&b"http/1.1"[..]));
        assert!(reader.negotiated.complete && reader.is_done());

        let mut none = read(&[client_hello(), hello].concat(), 4);
        none.feed(&message(ENCRYPTED_EXTENSIONS, &extensions(&[])));
        assert_eq!(
            (none.negotiated.alpn, none.negotiated.complete),
            (None, true)
        );
    }

    #[test]
    fn a_hello_retry_request_is_skipped_for_the_real_server_hello() {
        let retry = server_hello(
            HELLO_RETRY_RANDOM,
            0x1302,
            Some(&[supported_version(TLS13)]),
        );
        let first = read(&[client_hello(), retry.clone()].concat(), 9);
        assert_eq!(first.negotiated, Negotiated::default());
        // After the retry, the transcript restarts with a hash of the first ClientHello.
        let transcript = [
            message(MESSAGE_HASH, &[0xaa; 32]),
            retry,
            client_hello(),
            server_hello([3; 32], 0x1302, Some(&[supported_version(TLS13)])),
            message(ENCRYPTED_EXTENSIONS, &extensions(&[alpn(b"h2")])),
        ]
        .concat();
        let reader = read(&transcript, 2);
        assert_eq!(reader.negotiated.suite, Some(0x1302));
        assert_eq!(reader.negotiated.alpn.as_deref(), Some(&b"h2"[..]));
    }

    #[test]
    fn anything_but_a_transcript_is_left_alone() {
        let mut reader = TranscriptReader::default();
        assert!(!reader.feed(b"\x10\x00\x00\x02abcdefgh"));
        assert!(reader.is_done());
        assert!(!reader.feed(&server_hello([1; 32], 0x1301, None)));
        // A message too long to be a hello stops reading too.
        let mut huge = TranscriptReader::default();
        huge.feed(&[CLIENT_HELLO, 0xff, 0xff, 0xff]);
        assert!(huge.is_done());
        // So does a malformed ServerHello.
        let broken = read(
            &[client_hello(), message(SERVER_HELLO, &[3, 3, 1])].concat(),
            64,
        );
        assert!(broken.is_done());
        assert_eq!(broken.negotiated, Negotiated::default());
    }
}
