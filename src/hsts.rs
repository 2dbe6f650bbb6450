//! HSTS (RFC 6797 as Chromium applies it): `Strict-Transport-Security` parsing, the known-host
//! store (this chain, the `--hsts` cache file, the embedded preload list) and upgrade decisions.
