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
    /// UTF-16, little-endian: found by its byte-order mark (Excel's "Unicode" files).
    Utf16Le,
    /// UTF-16, big-endian: found by its byte-order mark.
    Utf16Be,
}

impl Encoding {
    /// The name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Auto => "auto",
            Encoding::Utf8 => "UTF-8",
            Encoding::Gb18030 => "GB18030",
            Encoding::Utf16Le => "UTF-16LE",
            Encoding::Utf16Be => "UTF-16BE",
        }
    }
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
    /// Auto mode found only ASCII in the first 64 KiB (UTF-8 and GB18030 read them alike, so
    /// a GB18030 file can still show itself further on).
    pub ascii_start: bool,
}

impl<R: Read> Utf8Reader<R> {
    /// Wraps `inner`; with `Auto` reads up to 64 KiB to decide.
    pub fn new(mut inner: R, choice: Encoding) -> io::Result<Utf8Reader<R>> {
        let mut pending = Vec::new();
        let mut ascii_start = false;
        let detected = match choice {
            Encoding::Auto => {
                (&mut inner).take(SNIFF as u64).read_to_end(&mut pending)?;
                ascii_start = pending.is_ascii();
                if pending.starts_with(&[0xFF, 0xFE]) {
                    Encoding::Utf16Le
                } else if pending.starts_with(&[0xFE, 0xFF]) {
                    Encoding::Utf16Be
                } else if looks_utf8(&pending) {
                    Encoding::Utf8
                } else {
                    Encoding::Gb18030
                }
            }
            forced => forced,
        };
        let decoder = match detected {
            Encoding::Gb18030 => Some(encoding_rs::GB18030.new_decoder_without_bom_handling()),
            Encoding::Utf16Le => Some(encoding_rs::UTF_16LE.new_decoder_with_bom_removal()),
            Encoding::Utf16Be => Some(encoding_rs::UTF_16BE.new_decoder_with_bom_removal()),
            Encoding::Auto | Encoding::Utf8 => None,
        };
        Ok(Utf8Reader {
            inner,
            decoder,
            pending,
            pending_pos: 0,
            out: Vec::new(),
            out_pos: 0,
            eof: false,
            detected,
            ascii_start,
        })
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

/// Line ends as the CSV reader should see them: outside quoted fields, `\r\n` and a lone
/// `\r` become `\n`, and a last line without an end gets one. Every record then ends with
/// one `\n` that the reader consumes with it, which is what makes [`record_line`] exact.
/// Text inside quotes passes unchanged (a label keeps its own line ends). Quotes are
/// followed by their count (`""` inside a field counts twice); a stray quote inside an
/// unquoted field can only make later line numbers off, never change a value.
pub struct LineEnds<R: Read> {
    inner: R,
    /// The previous byte read was a `\r` outside quotes (already handed out as `\n`).
    after_cr: bool,
    /// Inside a quoted field.
    quoted: bool,
    /// The last byte handed out, if any.
    last: Option<u8>,
    done: bool,
}

impl<R: Read> LineEnds<R> {
    /// Wraps `inner`.
    pub fn new(inner: R) -> LineEnds<R> {
        LineEnds { inner, after_cr: false, quoted: false, last: None, done: false }
    }

    /// The wrapped reader.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }
}

impl<R: Read> Read for LineEnds<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.done {
                return Ok(0);
            }
            let n = self.inner.read(buf)?;
            if n == 0 {
                self.done = true;
                if self.last.is_some_and(|b| b != b'\n') {
                    buf[0] = b'\n';
                    self.last = Some(b'\n');
                    return Ok(1);
                }
                return Ok(0);
            }
            // In place: the bytes move down when a `\n` after a `\r` is dropped. Between
            // quotes and carriage returns, plain copies.
            let mut write = 0;
            let mut read = 0;
            if self.after_cr && buf[0] == b'\n' {
                read = 1;
            }
            self.after_cr = false;
            while read < n {
                let Some(k) = memchr::memchr2(b'"', b'\r', &buf[read..n]) else {
                    if write != read {
                        buf.copy_within(read..n, write);
                    }
                    write += n - read;
                    break;
                };
                if write != read {
                    buf.copy_within(read..read + k, write);
                }
                write += k;
                read += k;
                let b = buf[read];
                read += 1;
                if b == b'"' {
                    self.quoted = !self.quoted;
                    buf[write] = b;
                } else if self.quoted {
                    buf[write] = b;
                } else {
                    buf[write] = b'\n';
                    if read == n {
                        self.after_cr = true;
                    } else if buf[read] == b'\n' {
                        read += 1;
                    }
                }
                write += 1;
            }
            if write > 0 {
                self.last = Some(buf[write - 1]);
                return Ok(write);
            }
        }
    }
}

/// The line (1 = the header) on which a record starts, from the reader's line count after
/// it and the line ends inside its fields. (The csv reader's own record position is taken
/// before it skips blank lines and, with `\r\n` ends, before it reads the previous line's
/// `\n`: it was one line short in Excel's files.) Needs [`LineEnds`] under the reader.
pub fn record_line(line_after: u64, rec: &csv::ByteRecord) -> u64 {
    let bytes = rec.as_slice();
    // Most records have no line end inside: one search says so.
    let inside = match memchr::memchr(b'\n', bytes) {
        None => 0,
        Some(k) => 1 + memchr::memchr_iter(b'\n', &bytes[k + 1..]).count() as u64,
    };
    line_after.saturating_sub(1 + inside)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ends(input: &[u8], chunk: usize) -> Vec<u8> {
        // A reader that hands out `chunk` bytes at a time, to cut `\r\n` across reads.
        struct Chunks<'a>(&'a [u8], usize);
        impl Read for Chunks<'_> {
            fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let mut out = Vec::new();
        LineEnds::new(Chunks(input, chunk)).read_to_end(&mut out).unwrap();
        out
    }

    #[test]
    fn line_ends_become_one_newline_whatever_the_reads() {
        for chunk in [1, 2, 3, 7, 4096] {
            assert_eq!(ends(b"a\r\nb\r\n", chunk), b"a\nb\n", "{chunk}");
            assert_eq!(ends(b"a\rb\r\r\nc", chunk), b"a\nb\n\nc\n", "{chunk}");
            assert_eq!(ends(b"a\n\nb\n", chunk), b"a\n\nb\n", "{chunk}");
            assert_eq!(ends(b"\"x\r\ny\",1\r\n", chunk), b"\"x\r\ny\",1\n", "{chunk}");
            assert_eq!(ends(b"\"a\"\"\r\",\"\r\"\r", chunk), b"\"a\"\"\r\",\"\r\"\n", "{chunk}");
            assert_eq!(ends(b"", chunk), b"", "{chunk}");
        }
    }

    #[test]
    fn records_start_on_the_lines_a_reader_of_the_file_sees() {
        // (file, line of each record)
        let cases: [(&[u8], &[u64]); 5] = [
            (b"h\na\nb\n", &[2, 3]),
            (b"h\r\na\r\nb\r\n", &[2, 3]),
            (b"h\n\na\n\n\nb", &[3, 6]),
            (b"h\r\n\r\na\r\n\"x\r\ny\"\r\nb\r\n", &[3, 4, 6]),
            (b"h\ra\rb", &[2, 3]),
        ];
        for (file, lines) in cases {
            let mut r = csv::ReaderBuilder::new().flexible(true).from_reader(LineEnds::new(file));
            let mut rec = csv::ByteRecord::new();
            let mut got = Vec::new();
            while r.read_byte_record(&mut rec).unwrap() {
                got.push(record_line(r.position().line(), &rec));
            }
            assert_eq!(got, lines, "{}", String::from_utf8_lossy(file));
        }
    }

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
