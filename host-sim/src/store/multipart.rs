//! A bounded, streaming `multipart/form-data` parser (RFC 7578) for PostObject bodies.
//!
//! Text fields are collected in memory up to [`FormLimits`]; the `file` part is streamed to a
//! caller-supplied writer and never held whole. Every length is bounded, so hostile input can cost
//! at most the configured limits: no unbounded header lines, part counts or field values.

use std::io::{self, Read, Write};

/// Bounds on the non-file part of a form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FormLimits {
    /// Total bytes of all field names and values before `file`: the parser's hard bound
    /// (OSS allows far more; S3's own 20 KiB rule is applied after parsing, see `post`).
    pub max_form_bytes: usize,
    /// Bytes of one field name.
    pub max_name_bytes: usize,
    /// Number of parts, `file` included.
    pub max_parts: usize,
    /// Bytes of one part header line.
    pub max_header_line: usize,
    /// Header lines in one part.
    pub max_headers: usize,
    /// Bytes of the `file` part.
    pub max_file_bytes: u64,
}

impl Default for FormLimits {
    fn default() -> Self {
        Self {
            max_form_bytes: 1024 * 1024,
            max_name_bytes: 1024,
            max_parts: 64,
            max_header_line: 4096,
            max_headers: 8,
            max_file_bytes: 5 * 1024 * 1024 * 1024,
        }
    }
}

/// Why a body could not be parsed.
#[derive(Debug)]
pub enum MultipartError {
    /// Not well-formed `multipart/form-data`; the text says where.
    Malformed(&'static str),
    /// The fields before `file` exceed [`FormLimits::max_form_bytes`] or a name is too long.
    FormTooLarge,
    /// The `file` part exceeds [`FormLimits::max_file_bytes`].
    FileTooLarge,
    /// Reading the body or writing the file failed.
    Io(io::Error),
}

impl From<io::Error> for MultipartError {
    fn from(e: io::Error) -> Self {
        Self::Io(e)
    }
}

/// The `file` part's metadata; its bytes went to the sink.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FilePart {
    /// `filename` of its `Content-Disposition`, if any.
    pub filename: Option<String>,
    /// Its own `Content-Type` header, if any.
    pub content_type: Option<String>,
    /// Bytes written to the sink.
    pub size: u64,
}

/// A parsed form.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Form {
    /// Text fields before `file`, in order, names as sent.
    pub fields: Vec<(String, String)>,
    /// The `file` part, if there was one.
    pub file: Option<FilePart>,
    /// Names of parts that came after `file` (their values are discarded).
    pub after_file: Vec<String>,
}

/// Extracts the boundary from a `Content-Type: multipart/form-data; boundary=...` header value.
pub fn boundary_of(content_type: &str) -> Option<String> {
    let mut params = content_type.split(';');
    let kind = params.next()?.trim();
    if !kind.eq_ignore_ascii_case("multipart/form-data") {
        return None;
    }
    params.find_map(|p| {
        let (name, value) = p.split_once('=')?;
        if !name.trim().eq_ignore_ascii_case("boundary") {
            return None;
        }
        let value = value.trim();
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        // RFC 2046: 1..=70 characters.
        (!value.is_empty() && value.len() <= 70 && value.bytes().all(|b| (0x20..0x7f).contains(&b)))
            .then(|| value.to_owned())
    })
}

/// A read buffer that finds delimiters across read boundaries.
struct Scanner<R> {
    reader: R,
    buf: Vec<u8>,
    start: usize,
    eof: bool,
}

const CHUNK: usize = 64 * 1024;

impl<R: Read> Scanner<R> {
    fn new(reader: R) -> Self {
        // The body's first delimiter has no leading CRLF; pretend it had one so that every
        // delimiter is `CRLF--boundary`.
        Self {
            reader,
            buf: b"\r\n".to_vec(),
            start: 0,
            eof: false,
        }
    }

    fn pending(&self) -> &[u8] {
        &self.buf[self.start..]
    }

    /// Reads more input; `false` at end of input.
    fn fill(&mut self) -> io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.start = 0;
        }
        let old = self.buf.len();
        self.buf.resize(old + CHUNK, 0);
        let n = loop {
            match self.reader.read(&mut self.buf[old..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.buf.truncate(old);
                    return Err(e);
                }
            }
        };
        self.buf.truncate(old + n);
        if n == 0 {
            self.eof = true;
        }
        Ok(n > 0)
    }

    /// Ensures at least `n` pending bytes, or fails as truncated.
    fn need(&mut self, n: usize) -> Result<(), MultipartError> {
        while self.pending().len() < n {
            if !self.fill()? {
                return Err(MultipartError::Malformed("truncated body"));
            }
        }
        Ok(())
    }

    /// Passes every byte up to `delim` to `out` and consumes the delimiter.
    fn until(
        &mut self,
        delim: &[u8],
        mut out: impl FnMut(&[u8]) -> Result<(), MultipartError>,
    ) -> Result<(), MultipartError> {
        loop {
            let pending = self.pending();
            if let Some(i) = find(pending, delim) {
                out(&pending[..i])?;
                self.start += i + delim.len();
                return Ok(());
            }
            // Keep a tail that could be the start of a delimiter split across reads.
            let safe = pending.len().saturating_sub(delim.len() - 1);
            if safe > 0 {
                out(&pending[..safe])?;
                self.start += safe;
            }
            if !self.fill()? {
                return Err(MultipartError::Malformed(
                    "truncated body: closing delimiter missing",
                ));
            }
        }
    }

    /// Reads one CRLF-terminated line of at most `max` bytes, without the CRLF.
    fn line(&mut self, max: usize) -> Result<Vec<u8>, MultipartError> {
        let mut line = Vec::new();
        self.until(b"\r\n", |chunk| {
            if line.len() + chunk.len() > max {
                return Err(MultipartError::Malformed("part header line too long"));
            }
            line.extend_from_slice(chunk);
            Ok(())
        })?;
        Ok(line)
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    let first = *needle.first()?;
    let mut from = 0;
    while from + needle.len() <= haystack.len() {
        let i = from + haystack[from..].iter().position(|&b| b == first)?;
        if haystack.get(i..i + needle.len())? == needle {
            return Some(i);
        }
        from = i + 1;
    }
    None
}

/// What a part's headers say.
struct PartHeaders {
    name: String,
    filename: Option<String>,
    content_type: Option<String>,
}

/// Parses `form-data; name="a"; filename="b"` (quoted or token values).
fn parse_disposition(value: &str) -> Option<(String, Option<String>)> {
    let mut rest = value.trim();
    let kind_end = rest.find(';').unwrap_or(rest.len());
    if !rest[..kind_end].trim().eq_ignore_ascii_case("form-data") {
        return None;
    }
    rest = &rest[kind_end..];
    let (mut name, mut filename) = (None, None);
    while let Some(after) = rest.strip_prefix(';') {
        let after = after.trim_start();
        let eq = after.find('=')?;
        let key = after[..eq].trim().to_ascii_lowercase();
        let tail = &after[eq + 1..];
        let (val, remaining) = if let Some(quoted) = tail.strip_prefix('"') {
            let mut out = String::new();
            let mut chars = quoted.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => out.push(chars.next()?.1),
                    '"' => {
                        end = Some(i + 1);
                        break;
                    }
                    c => out.push(c),
                }
            }
            (out, &quoted[end?..])
        } else {
            let end = tail.find(';').unwrap_or(tail.len());
            (tail[..end].trim().to_owned(), &tail[end..])
        };
        match key.as_str() {
            "name" if name.is_none() => name = Some(val),
            "filename" if filename.is_none() => filename = Some(val),
            "name" | "filename" => return None,
            _ => {}
        }
        rest = remaining.trim_start();
    }
    if !rest.is_empty() {
        return None;
    }
    Some((name?, filename))
}

fn read_part_headers<R: Read>(
    scanner: &mut Scanner<R>,
    limits: &FormLimits,
) -> Result<PartHeaders, MultipartError> {
    let mut disposition = None;
    let mut content_type = None;
    for _ in 0..=limits.max_headers {
        let line = scanner.line(limits.max_header_line)?;
        if line.is_empty() {
            let (name, filename) = disposition.ok_or(MultipartError::Malformed(
                "part without Content-Disposition",
            ))?;
            return Ok(PartHeaders {
                name,
                filename,
                content_type,
            });
        }
        let line = String::from_utf8(line)
            .map_err(|_| MultipartError::Malformed("part header is not UTF-8"))?;
        let (name, value) = line
            .split_once(':')
            .ok_or(MultipartError::Malformed("part header without a colon"))?;
        if name.trim().eq_ignore_ascii_case("content-disposition") {
            if disposition.is_some() {
                return Err(MultipartError::Malformed("two Content-Disposition headers"));
            }
            disposition = Some(
                parse_disposition(value)
                    .ok_or(MultipartError::Malformed("bad Content-Disposition"))?,
            );
        } else if name.trim().eq_ignore_ascii_case("content-type") {
            content_type = Some(value.trim().to_owned());
        }
    }
    Err(MultipartError::Malformed("too many part headers"))
}

/// Parses a whole form from `reader`, writing the `file` part's bytes to `file_sink`.
///
/// The part named `file` (any case) is the object; parts after it are counted in
/// [`Form::after_file`] and their content is discarded. The body must end with the closing
/// delimiter; anything after it (the epilogue) is not read.
pub fn parse<R: Read, W: Write>(
    reader: R,
    boundary: &str,
    limits: &FormLimits,
    file_sink: &mut W,
) -> Result<Form, MultipartError> {
    let delim = [b"\r\n--".as_slice(), boundary.as_bytes()].concat();
    let mut scanner = Scanner::new(reader);
    let mut form = Form::default();
    let mut form_bytes = 0usize;

    // Preamble: ignored, but bounded.
    let mut preamble = 0usize;
    scanner.until(&delim, |chunk| {
        preamble += chunk.len();
        if preamble > limits.max_form_bytes {
            return Err(MultipartError::FormTooLarge);
        }
        Ok(())
    })?;

    let mut parts = 0usize;
    loop {
        scanner.need(2)?;
        match scanner.pending().get(..2) {
            Some(b"--") => return Ok(form),
            Some(b"\r\n") => scanner.start += 2,
            _ => return Err(MultipartError::Malformed("garbage after a boundary")),
        }
        if parts == limits.max_parts {
            return Err(MultipartError::Malformed("too many parts"));
        }
        parts += 1;
        let headers = read_part_headers(&mut scanner, limits)?;
        if headers.name.len() > limits.max_name_bytes {
            return Err(MultipartError::FormTooLarge);
        }
        if form.file.is_some() {
            scanner.until(&delim, |_| Ok(()))?;
            form.after_file.push(headers.name);
        } else if headers.name.eq_ignore_ascii_case("file") {
            let mut size = 0u64;
            scanner.until(&delim, |chunk| {
                size += chunk.len() as u64;
                if size > limits.max_file_bytes {
                    return Err(MultipartError::FileTooLarge);
                }
                file_sink.write_all(chunk).map_err(MultipartError::Io)
            })?;
            form.file = Some(FilePart {
                filename: headers.filename,
                content_type: headers.content_type,
                size,
            });
        } else {
            form_bytes += headers.name.len();
            let mut value = Vec::new();
            scanner.until(&delim, |chunk| {
                if form_bytes + value.len() + chunk.len() > limits.max_form_bytes {
                    return Err(MultipartError::FormTooLarge);
                }
                value.extend_from_slice(chunk);
                Ok(())
            })?;
            form_bytes += value.len();
            let value = String::from_utf8(value)
                .map_err(|_| MultipartError::Malformed("field value is not UTF-8"))?;
            form.fields.push((headers.name, value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that hands out at most `step` bytes per call, to split delimiters across reads.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(out.len()).min(self.data.len());
            out[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    fn body(parts: &[(&str, &[u8])], boundary: &str) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, value) in parts {
            out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
            if *name == "file" {
                out.extend_from_slice(
                    b"Content-Disposition: form-data; name=\"file\"; filename=\"a.bin\"\r\nContent-Type: image/png\r\n\r\n",
                );
            } else {
                out.extend_from_slice(
                    format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
                );
            }
            out.extend_from_slice(value);
            out.extend_from_slice(b"\r\n");
        }
        out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
        out
    }

    fn run(
        data: &[u8],
        step: usize,
        limits: &FormLimits,
    ) -> Result<(Form, Vec<u8>), MultipartError> {
        let mut sink = Vec::new();
        let form = parse(Trickle { data, step }, "XyZ", limits, &mut sink)?;
        Ok((form, sink))
    }

    #[test]
    fn fields_in_order_and_file_bytes_exact_at_every_read_size() {
        // The file holds CRLF, a partial delimiter and "--XyZ" without CRLF.
        let file: &[u8] = b"\r\n--Xy\r\n-XyZ--XyZ\r\0\xff";
        let data = body(
            &[("key", b"cam/1.jpg"), ("policy", b"eyJ9"), ("file", file)],
            "XyZ",
        );
        for step in [1, 2, 3, 7, 64, 100_000] {
            let (form, sink) = run(&data, step, &FormLimits::default()).expect("parses");
            assert_eq!(
                form.fields,
                vec![
                    ("key".into(), "cam/1.jpg".into()),
                    ("policy".into(), "eyJ9".into())
                ]
            );
            let part = form.file.expect("file part");
            assert_eq!(part.size, file.len() as u64);
            assert_eq!(part.filename.as_deref(), Some("a.bin"));
            assert_eq!(part.content_type.as_deref(), Some("image/png"));
            assert_eq!(sink, file);
            assert!(form.after_file.is_empty());
        }
    }

    #[test]
    fn parts_after_file_are_reported() {
        let data = body(
            &[("key", b"k"), ("file", b"x"), ("submit", b"Upload")],
            "XyZ",
        );
        let (form, _) = run(&data, 5, &FormLimits::default()).expect("parses");
        assert_eq!(form.after_file, vec!["submit".to_owned()]);
    }

    #[test]
    fn limits_are_enforced() {
        let big = vec![b'a'; 300];
        let data = body(&[("key", &big), ("file", b"x")], "XyZ");
        let small = FormLimits {
            max_form_bytes: 200,
            ..FormLimits::default()
        };
        assert!(matches!(
            run(&data, 64, &small),
            Err(MultipartError::FormTooLarge)
        ));
        let data = body(&[("key", b"k"), ("file", &big)], "XyZ");
        let tiny_file = FormLimits {
            max_file_bytes: 299,
            ..FormLimits::default()
        };
        assert!(matches!(
            run(&data, 64, &tiny_file),
            Err(MultipartError::FileTooLarge)
        ));
        let many: Vec<(&str, &[u8])> = (0..10).map(|_| ("x", b"y".as_slice())).collect();
        let few_parts = FormLimits {
            max_parts: 5,
            ..FormLimits::default()
        };
        assert!(matches!(
            run(&body(&many, "XyZ"), 64, &few_parts),
            Err(MultipartError::Malformed(_))
        ));
    }

    #[test]
    fn hostile_inputs_are_rejected_not_panicking() {
        let cases: [&[u8]; 8] = [
            b"",
            b"--XyZ",
            b"--XyZ\r\n",
            b"--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nvalue",
            b"--XyZ\r\nX-Other: 1\r\n\r\nv\r\n--XyZ--",
            b"--XyZ\r\nContent-Disposition: form-data; name=\"a\r\n\r\nv\r\n--XyZ--",
            b"--XyZ\r\nContent-Disposition: attachment; name=\"a\"\r\n\r\nv\r\n--XyZ--",
            b"--XyZ junk\r\n",
        ];
        for case in cases {
            for step in [1, 4, 1000] {
                assert!(run(case, step, &FormLimits::default()).is_err(), "{case:?}");
            }
        }
        let long_header = [
            b"--XyZ\r\nContent-Disposition: form-data; name=\"".as_slice(),
            &[b'a'; 10_000],
        ]
        .concat();
        assert!(matches!(
            run(&long_header, 100, &FormLimits::default()),
            Err(MultipartError::Malformed(_))
        ));
    }

    #[test]
    fn boundary_header() {
        assert_eq!(
            boundary_of("multipart/form-data; boundary=XyZ").as_deref(),
            Some("XyZ")
        );
        assert_eq!(
            boundary_of("Multipart/Form-Data;boundary=\"a b\"").as_deref(),
            Some("a b")
        );
        assert_eq!(boundary_of("multipart/mixed; boundary=XyZ"), None);
        assert_eq!(boundary_of("multipart/form-data"), None);
        assert_eq!(
            boundary_of(&format!("multipart/form-data; boundary={}", "a".repeat(71))),
            None
        );
    }

    #[test]
    fn disposition_forms() {
        assert_eq!(
            parse_disposition(" form-data; name=\"a\\\"b\"; filename=\"c.jpg\""),
            Some(("a\"b".into(), Some("c.jpg".into())))
        );
        assert_eq!(
            parse_disposition("form-data; name=key"),
            Some(("key".into(), None))
        );
        assert_eq!(parse_disposition("form-data; name=\"a\"; name=\"b\""), None);
        assert_eq!(parse_disposition("form-data"), None);
    }
}
