//! Reading a chart archive (`.tgz`): the gzip check, unpacking with Helm's path rules
//! (the first path segment is the chart folder and is dropped; absolute paths, `..` and
//! drive letters are refused) and size limits (5 MiB a file, 100 MiB in all), never
//! touching the file system.

use std::io::Read;

use super::metadata::go_quote;
use super::Error;

/// The largest unpacked chart Helm accepts.
pub const MAX_DECOMPRESSED_CHART_SIZE: u64 = 100 * 1024 * 1024;
/// The largest unpacked file Helm accepts.
pub const MAX_DECOMPRESSED_FILE_SIZE: u64 = 5 * 1024 * 1024;

/// A file unpacked from an archive: its path below the chart folder, and its bytes with a
/// leading UTF-8 BOM removed.
#[derive(Clone, Debug)]
pub struct ArchiveFile {
    pub name: String,
    pub data: Vec<u8>,
}

/// Helm's `EnsureArchive`: refuses a file that is not gzip data, naming it. `name` is the
/// path as given on the command line.
pub fn ensure_archive(name: &str, data: &[u8]) -> Result<(), Error> {
    if data.starts_with(b"\x1f\x8b\x08") {
        return Ok(());
    }
    if name.ends_with(".yml") || name.ends_with(".yaml") {
        return Err(Error::new(format!(
            "file '{name}' seems to be a YAML file, but expected a gzipped archive"
        )));
    }
    Err(Error::new(format!(
        "file '{name}' does not appear to be a gzipped archive; got '{}'",
        detect_content_type(data)
    )))
}

/// A small part of Go's `http.DetectContentType`, enough for the usual mistakes.
///
/// Helm reads the first 512 bytes into a zeroed buffer and sniffs the whole buffer, so a
/// file shorter than that looks binary (`application/octet-stream`) unless a signature
/// matches first.
fn detect_content_type(data: &[u8]) -> &'static str {
    let mut buf = [0u8; 512];
    let n = data.len().min(512);
    buf[..n].copy_from_slice(&data[..n]);
    let head = &buf[..];
    let trimmed: &[u8] = {
        let start = head
            .iter()
            .position(|b| !matches!(b, b'\t' | b'\n' | b'\x0c' | b'\r' | b' '))
            .unwrap_or(head.len());
        &head[start..]
    };
    if head.starts_with(b"PK\x03\x04") {
        return "application/zip";
    }
    if trimmed.starts_with(b"<?xml") {
        return "text/xml; charset=utf-8";
    }
    if trimmed.starts_with(b"%PDF-") {
        return "application/pdf";
    }
    if head.starts_with(b"\xEF\xBB\xBF") {
        return "text/plain; charset=utf-8";
    }
    if head.starts_with(b"\xFE\xFF") {
        return "text/plain; charset=utf-16be";
    }
    if head.starts_with(b"\xFF\xFE") {
        return "text/plain; charset=utf-16le";
    }
    let binary = head.iter().any(|&b| {
        b <= 0x08 || b == 0x0B || (0x0E..=0x1A).contains(&b) || (0x1C..=0x1F).contains(&b)
    });
    if binary {
        "application/octet-stream"
    } else {
        "text/plain; charset=utf-8"
    }
}

/// Unpacks a gzipped tar chart. Errors are Helm's texts.
pub fn unpack(data: &[u8]) -> Result<Vec<ArchiveFile>, Error> {
    if !data.starts_with(b"\x1f\x8b") {
        return Err(Error::new(if data.len() < 10 {
            "unexpected EOF"
        } else {
            "gzip: invalid header"
        }));
    }
    let gz = flate2::read::GzDecoder::new(data);
    // Cap what we ever decompress, whatever the headers claim.
    let limited = gz.take(MAX_DECOMPRESSED_CHART_SIZE + 64 * 1024 * 1024);
    let mut tar = tar::Archive::new(limited);
    let entries = tar.entries().map_err(|e| Error::new(io_text(&e)))?;
    let mut files = Vec::new();
    let mut remaining = MAX_DECOMPRESSED_CHART_SIZE;
    for entry in entries {
        let mut entry = entry.map_err(|e| Error::new(io_text(&e)))?;
        let header = entry.header();
        let kind = header.entry_type();
        if kind.is_dir() || kind.is_pax_global_extensions() || kind.is_pax_local_extensions() {
            continue;
        }
        let raw_name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let size = header.size().unwrap_or(0);
        let delimiter = if raw_name.contains('\\') { '\\' } else { '/' };
        let parts: Vec<&str> = raw_name.split(delimiter).collect();
        let joined = parts[1..].join("/");
        if joined.starts_with('/') {
            return Err(Error::new("chart illegally contains absolute paths"));
        }
        let n = clean_path(&joined);
        if n == "." {
            return Err(Error::new(format!(
                "chart illegally contains content outside the base directory: {}",
                go_quote(&raw_name)
            )));
        }
        if n.starts_with("..") {
            return Err(Error::new("chart illegally references parent directory"));
        }
        let nb = n.as_bytes();
        if nb.len() >= 3 && nb[0].is_ascii_alphabetic() && nb[1] == b':' && nb[2] == b'/' {
            return Err(Error::new("chart contains illegally named files"));
        }
        if parts[0] == "Chart.yaml" {
            return Err(Error::new("chart yaml not in base directory"));
        }
        if size > remaining {
            return Err(Error::new(format!(
                "decompressed chart is larger than the maximum size {MAX_DECOMPRESSED_CHART_SIZE}"
            )));
        }
        if size > MAX_DECOMPRESSED_FILE_SIZE {
            return Err(Error::new(format!(
                "decompressed chart file {} is larger than the maximum file size {MAX_DECOMPRESSED_FILE_SIZE}",
                go_quote(&raw_name)
            )));
        }
        // Symbolic and hard links carry no data here; they load as empty files, which is
        // what Go's tar reader hands Helm too.
        let mut buf = Vec::new();
        (&mut entry)
            .take(remaining)
            .read_to_end(&mut buf)
            .map_err(|e| Error::new(io_text(&e)))?;
        let written = buf.len() as u64;
        remaining = remaining.saturating_sub(written);
        if written < size || remaining == 0 {
            return Err(Error::new(format!(
                "decompressed chart is larger than the maximum size {MAX_DECOMPRESSED_CHART_SIZE}"
            )));
        }
        if buf.starts_with(b"\xEF\xBB\xBF") {
            buf.drain(..3);
        }
        files.push(ArchiveFile { name: n, data: buf });
    }
    if files.is_empty() {
        return Err(Error::new("no files in chart archive"));
    }
    Ok(files)
}

/// The Go-style text of a decompression or tar error.
fn io_text(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::UnexpectedEof => "unexpected EOF".into(),
        _ => {
            let s = e.to_string();
            if s.contains("corrupt deflate") || s.contains("invalid") {
                "flate: corrupt input before offset 0".into()
            } else {
                s
            }
        }
    }
}

/// Go's `path.Clean`.
pub fn clean_path(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else if !rooted {
                    out.push("..");
                }
            }
            s => out.push(s),
        }
    }
    let joined = out.join("/");
    if rooted {
        format!("/{joined}")
    } else if joined.is_empty() {
        ".".into()
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tgz(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (name, data) in entries {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            h.set_entry_type(tar::EntryType::Regular);
            // `set_path` refuses `..`; write the raw name to test our own checks.
            let raw = name.as_bytes();
            h.as_old_mut().name[..raw.len()].copy_from_slice(raw);
            h.set_cksum();
            b.append(&h, *data).unwrap();
        }
        let tar = b.into_inner().unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &tar).unwrap();
        gz.finish().unwrap()
    }

    #[test]
    fn unpacks_and_drops_the_top_folder() {
        let files = unpack(&tgz(&[("c/Chart.yaml", b"\xEF\xBB\xBFname: c\n")])).unwrap();
        assert_eq!(files[0].name, "Chart.yaml");
        assert_eq!(files[0].data, b"name: c\n");
    }

    #[test]
    fn refuses_parent_paths() {
        let e = unpack(&tgz(&[("c/../../etc/passwd", b"x")])).unwrap_err();
        assert_eq!(e.message, "chart illegally references parent directory");
        let e = unpack(&tgz(&[("Chart.yaml", b"x")])).unwrap_err();
        assert!(
            e.message.contains("outside the base directory"),
            "{}",
            e.message
        );
    }

    #[test]
    fn refuses_non_gzip() {
        assert!(unpack(b"hello world, this is text").is_err());
        assert!(ensure_archive("x.yaml", b"a: 1")
            .unwrap_err()
            .message
            .contains("YAML file"));
    }

    #[test]
    fn clean() {
        assert_eq!(clean_path("a/./b/../c"), "a/c");
        assert_eq!(clean_path("../x"), "../x");
        assert_eq!(clean_path(""), ".");
    }
}
