//! Input encodings: UTF-8 (with or without BOM) or GB18030/GBK as saved by Excel on
//! Chinese Windows, detected from the first block or forced with `--encoding`.

use std::io::{self, Read};

/// Input encoding choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// UTF-8 unless the first 64 KiB are not valid UTF-8, then GB18030.
    #[default]
    Auto,
    /// UTF-8.
    Utf8,
    /// GB18030 (a superset of GBK and GB2312).
    Gb18030,
}

const SNIFF: usize = 64 * 1024;

/// A reader that yields UTF-8, transcoding from GB18030 when needed.
pub struct Utf8Reader<R: Read> {
    inner: R,
    decoder: Option<encoding_rs::Decoder>,
    /// Raw bytes read but not yet passed on or decoded.
    pending: Vec<u8>,
    pending_pos: usize,
    /// Decoded output not yet handed out.
    out: Vec<u8>,
    out_pos: usize,
    eof: bool,
    /// The encoding actually used.
    pub detected: Encoding,
}

impl<R: Read> Utf8Reader<R> {
    /// Wraps `inner`; with `Auto` reads up to 64 KiB to decide.
    pub fn new(mut inner: R, choice: Encoding) -> io::Result<Utf8Reader<R>> {
        let mut pending = Vec::new();
        let detected = match choice {
            Encoding::Utf8 => Encoding::Utf8,
            Encoding::Gb18030 => Encoding::Gb18030,
            Encoding::Auto => {
                (&mut inner).take(SNIFF as u64).read_to_end(&mut pending)?;
                if looks_utf8(&pending) {
                    Encoding::Utf8
                } else {
                    Encoding::Gb18030
                }
            }
        };
        let decoder = (detected == Encoding::Gb18030).then(|| encoding_rs::GB18030.new_decoder_without_bom_handling());
        Ok(Utf8Reader { inner, decoder, pending, pending_pos: 0, out: Vec::new(), out_pos: 0, eof: false, detected })
    }
}

/// True when `bytes` are UTF-8, allowing a multi-byte character cut at the end.
fn looks_utf8(bytes: &[u8]) -> bool {
    match std::str::from_utf8(bytes) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

impl<R: Read> Read for Utf8Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(decoder) = self.decoder.as_mut() else {
            if self.pending_pos < self.pending.len() {
                let n = buf.len().min(self.pending.len() - self.pending_pos);
                buf[..n].copy_from_slice(&self.pending[self.pending_pos..self.pending_pos + n]);
                self.pending_pos += n;
                return Ok(n);
            }
            return self.inner.read(buf);
        };
        loop {
            if self.out_pos < self.out.len() {
                let n = buf.len().min(self.out.len() - self.out_pos);
                buf[..n].copy_from_slice(&self.out[self.out_pos..self.out_pos + n]);
                self.out_pos += n;
                return Ok(n);
            }
            if self.eof {
                return Ok(0);
            }
            if self.pending_pos >= self.pending.len() {
                self.pending.clear();
                self.pending_pos = 0;
                let mut chunk = vec![0u8; SNIFF];
                let n = self.inner.read(&mut chunk)?;
                chunk.truncate(n);
                self.pending = chunk;
            }
            let last = self.pending.is_empty();
            let src = &self.pending[self.pending_pos..];
            self.out.clear();
            self.out.resize(decoder.max_utf8_buffer_length(src.len()).unwrap_or(src.len() * 4 + 16).max(16), 0);
            self.out_pos = 0;
            let (_, read, written, _) = decoder.decode_to_utf8(src, &mut self.out, last);
            self.pending_pos += read;
            self.out.truncate(written);
            if last {
                self.eof = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gb18030_is_detected_and_transcoded() {
        let (bytes, _, _) = encoding_rs::GB18030.encode("id,label\na,潍坊 男\n");
        let mut r = Utf8Reader::new(&bytes[..], Encoding::Auto).unwrap();
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert_eq!(s, "id,label\na,潍坊 男\n");
        assert_eq!(r.detected, Encoding::Gb18030);
    }

    #[test]
    fn utf8_passes_through() {
        let text = "\u{feff}id\n潍坊\n";
        let mut r = Utf8Reader::new(text.as_bytes(), Encoding::Auto).unwrap();
        let mut s = String::new();
        r.read_to_string(&mut s).unwrap();
        assert_eq!(s, text);
        assert_eq!(r.detected, Encoding::Utf8);
    }
}
