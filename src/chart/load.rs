//! Loading a chart from a folder or a `.tgz` into a [`Chart`], as Helm's loader does: sorting
//! files into `Chart.yaml`, values, schema, templates, raw files and subcharts, then loading
//! every subchart under `charts/` (folders and archives) recursively.
//!
//! Folder loads honour `.helmignore` (plus Helm's default `templates/.?*`), refuse irregular
//! files and files over 5 MiB. Unlike Helm, which follows symbolic links anywhere, a link
//! whose target lies outside the chart folder is refused, so no file outside the chart is
//! ever read.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use crate::gotemplate::value::Value;
use crate::Compat;

use super::archive::{self, ArchiveFile, MAX_DECOMPRESSED_FILE_SIZE};
use super::helmignore::Rules;
use super::metadata::{self, go_quote, Metadata};
use super::{yamlio, Chart, ChartFile, Error, Warning};

/// The deepest folder nesting (and subchart nesting) a load follows.
const MAX_DEPTH: usize = 64;

/// Loads the chart at `path` (a folder, or a gzipped tar archive). `shown` is the path as the
/// user typed it, for messages.
pub fn load(path: &Path, compat: Compat, warnings: &mut Vec<Warning>) -> Result<Chart, Error> {
    let meta = fs::metadata(path).map_err(|_| {
        Error::new(format!(
            "path {} not found",
            go_quote(&path.display().to_string())
        ))
    })?;
    // Helm resolves the chart path to an absolute one before loading; messages show it.
    let abs = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let shown = abs.display().to_string();
    if meta.is_dir() {
        if compat == Compat::Helm4 {
            let chart_yaml = abs.join("Chart.yaml");
            let data = fs::read(&chart_yaml).map_err(|e| {
                Error::new(format!(
                    "unable to detect chart at {}: open {}: {}",
                    chart_yaml.display(),
                    chart_yaml.display(),
                    os_text(&e)
                ))
            })?;
            check_api_version(&data)?;
        }
        load_dir(path, compat, warnings)
    } else {
        let data =
            fs::read(path).map_err(|e| Error::new(format!("open {shown}: {}", os_text(&e))))?;
        archive::ensure_archive(&shown, &data)?;
        match compat {
            Compat::Helm3 => load_archive(&data, compat, warnings),
            Compat::Helm4 => {
                let files = archive::unpack(&data).map_err(|e| {
                    if e.message == "gzip: invalid header" {
                        Error::new(format!(
                            "file '{shown}' does not appear to be a valid chart file (details: {})",
                            e.message
                        ))
                    } else {
                        Error::new("unable to load chart archive")
                    }
                })?;
                match files.iter().find(|f| f.name == "Chart.yaml") {
                    Some(f) => check_api_version(&f.data)?,
                    None => {
                        return Err(Error::new(
                            "unable to detect chart version, no Chart.yaml found",
                        ))
                    }
                }
                load_files(files, compat, warnings, 0)
            }
        }
    }
}

/// Helm 4 reads the root `Chart.yaml`'s `apiVersion` first to pick a loader: `v1`, `v2` or
/// none load as here; `v3` charts are not supported by `template`.
fn check_api_version(data: &[u8]) -> Result<(), Error> {
    let doc = yamlio::load_document(data)
        .map_err(|e| Error::new(format!("cannot load Chart.yaml: {e}")))?;
    let api = match &doc {
        Value::Nil => String::new(),
        Value::Map(m) => match m.borrow().get("apiVersion") {
            None | Some(Value::Nil) => String::new(),
            Some(Value::String(s)) => s.to_string(),
            // sigs.k8s.io/yaml turns scalars into strings for a string field.
            Some(v @ (Value::Bool(_) | Value::Float(_) | Value::Int(_) | Value::Int64(_))) => {
                metadata::scalar_to_string(v).unwrap_or_default()
            }
            Some(other) => {
                return Err(Error::new(format!(
                    "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go struct field chartBase.apiVersion of type string",
                    metadata::json_kind(other)
                )))
            }
        },
        other => {
            return Err(Error::new(format!(
                "cannot load Chart.yaml: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type loader.chartBase",
                metadata::json_kind(other)
            )))
        }
    };
    match api.as_str() {
        "" | "v1" | "v2" => Ok(()),
        "v3" => Err(Error::new("invalid chart apiVersion")),
        _ => Err(Error::new("unsupported chart version")),
    }
}

/// Loads a chart archive from its bytes.
pub fn load_archive(
    data: &[u8],
    compat: Compat,
    warnings: &mut Vec<Warning>,
) -> Result<Chart, Error> {
    let files = archive::unpack(data)?;
    load_files(files, compat, warnings, 0)
}

/// Loads a chart folder.
pub fn load_dir(dir: &Path, compat: Compat, warnings: &mut Vec<Warning>) -> Result<Chart, Error> {
    let top = fs::canonicalize(dir)
        .map_err(|e| Error::new(format!("{}: {}", dir.display(), os_text(&e))))?;
    let mut rules = Rules::default();
    let ignore_file = top.join(".helmignore");
    if ignore_file.is_file() {
        let text = fs::read(&ignore_file)
            .map_err(|e| Error::new(format!("open {}: {}", ignore_file.display(), os_text(&e))))?;
        rules = Rules::parse(&text)?;
    }
    rules.add_defaults();
    let mut files = Vec::new();
    walk(&top, &top, "", &rules, &mut files, 0)?;
    load_files(files, compat, warnings, 0)
}

/// Go's text for an OS error (`no such file or directory`, `permission denied`, ...).
fn os_text(e: &std::io::Error) -> String {
    let s = e.to_string();
    // Rust appends " (os error N)"; Go prints the bare description in lower case.
    let s = match s.find(" (os error") {
        Some(i) => s[..i].to_string(),
        None => s,
    };
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().collect::<String>() + c.as_str(),
        None => s,
    }
}

fn walk(
    top: &Path,
    dir: &Path,
    rel: &str,
    rules: &Rules,
    out: &mut Vec<ArchiveFile>,
    depth: usize,
) -> Result<(), Error> {
    if depth > MAX_DEPTH {
        return Err(Error::new(format!(
            "chart folder {rel} is nested deeper than {MAX_DEPTH} levels"
        )));
    }
    // The entry's type comes with the listing (no `stat` per entry where the file system
    // gives it); files are opened once, their size checked on the open file: a bitnami chart
    // is a few hundred files, and system calls are most of the cost of reading small ones.
    let mut entries: Vec<(String, PathBuf, Option<fs::FileType>)> = fs::read_dir(dir)
        .map_err(|e| Error::new(format!("open {}: {}", dir.display(), os_text(&e))))?
        .filter_map(|e| e.ok())
        .map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            (name, e.path(), e.file_type().ok())
        })
        .collect();
    entries.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    for (name, path, kind) in entries {
        let n = if rel.is_empty() {
            name.clone()
        } else {
            format!("{rel}/{name}")
        };
        match kind {
            Some(kind) if kind.is_dir() => {
                if !rules.ignored(&n, true) {
                    walk(top, &path, &n, rules, out, depth + 1)?;
                }
                continue;
            }
            Some(kind) if kind.is_file() => {
                if !rules.ignored(&n, false) {
                    let data = read_file(&path, &name, &n)?;
                    out.push(ArchiveFile { name: n, data });
                }
                continue;
            }
            // Links, other kinds, and entries whose type the listing did not give.
            _ => {}
        }
        let link = fs::symlink_metadata(&path)
            .map_err(|e| Error::new(format!("error reading {n}: {}", os_text(&e))))?;
        let (target, meta) = if link.file_type().is_symlink() {
            let resolved = fs::canonicalize(&path)
                .map_err(|e| Error::new(format!("error reading {n}: {}", os_text(&e))))?;
            if !resolved.starts_with(top) {
                return Err(Error::new(format!(
                    "chart file {n} is a symbolic link to {}, outside the chart",
                    resolved.display()
                )));
            }
            let meta = fs::metadata(&resolved)
                .map_err(|e| Error::new(format!("error reading {n}: {}", os_text(&e))))?;
            (resolved, meta)
        } else {
            // Not a link: its own metadata is the target's, no second lookup needed.
            (path.clone(), link)
        };
        if meta.is_dir() {
            if rules.ignored(&n, true) {
                continue;
            }
            walk(top, &target, &n, rules, out, depth + 1)?;
            continue;
        }
        if rules.ignored(&n, false) {
            continue;
        }
        if !meta.is_file() {
            return Err(Error::new(format!(
                "cannot load irregular file {} as it has file mode type bits set",
                path.display()
            )));
        }
        if meta.len() > MAX_DECOMPRESSED_FILE_SIZE {
            return Err(Error::new(format!(
                "chart file {} is larger than the maximum file size {MAX_DECOMPRESSED_FILE_SIZE}",
                go_quote(&name)
            )));
        }
        let data = read_file(&target, &name, &n)?;
        out.push(ArchiveFile { name: n, data });
    }
    Ok(())
}

/// A regular file's bytes (a UTF-8 byte order mark dropped), refused above the size Helm
/// accepts: open, size, one read of that many bytes. `name` is the file's own name, `n` its
/// path in the chart, for messages.
fn read_file(path: &Path, name: &str, n: &str) -> Result<Vec<u8>, Error> {
    use std::io::Read;
    let error = |e: std::io::Error| Error::new(format!("error reading {n}: {}", os_text(&e)));
    let file = fs::File::open(path).map_err(error)?;
    let len = file.metadata().map_err(error)?.len();
    if len > MAX_DECOMPRESSED_FILE_SIZE {
        return Err(Error::new(format!(
            "chart file {} is larger than the maximum file size {MAX_DECOMPRESSED_FILE_SIZE}",
            go_quote(name)
        )));
    }
    // Reading stops at the size just taken: no further read to find the end of the file.
    let mut data = Vec::with_capacity(len as usize);
    file.take(len).read_to_end(&mut data).map_err(error)?;
    if data.starts_with(b"\xEF\xBB\xBF") {
        data.drain(..3);
    }
    Ok(data)
}

/// Helm's `LoadFiles`: builds a chart from its files (paths relative to the chart root).
pub fn load_files(
    files: Vec<ArchiveFile>,
    compat: Compat,
    warnings: &mut Vec<Warning>,
    depth: usize,
) -> Result<Chart, Error> {
    if depth > MAX_DEPTH {
        return Err(Error::new(format!(
            "subcharts are nested deeper than {MAX_DEPTH} levels"
        )));
    }
    let mut md: Option<Metadata> = None;
    for f in files.iter().filter(|f| f.name == "Chart.yaml") {
        let mut m = md.take().unwrap_or_default();
        let doc = yamlio::load_document(&f.data)
            .map_err(|e| Error::new(format!("cannot load Chart.yaml: {e}")))?;
        metadata::decode_into(&mut m, &doc, compat)
            .map_err(|e| e.context("cannot load Chart.yaml"))?;
        if m.api_version.is_empty() {
            m.api_version = "v1".into();
        }
        md = Some(m);
    }
    let mut chart = Chart {
        metadata: Metadata::default(),
        templates: Vec::new(),
        files: Vec::new(),
        values: Default::default(),
        schema: None,
        dependencies: Vec::new(),
        parents: Vec::new(),
        alias_of: None,
    };
    let mut subcharts: BTreeMap<String, Vec<ArchiveFile>> = BTreeMap::new();
    for f in files {
        let name = f.name.clone();
        match name.as_str() {
            "Chart.yaml" => {}
            "Chart.lock" => {
                yamlio::load_document(&f.data)
                    .map_err(|e| Error::new(format!("cannot load Chart.lock: {e}")))?;
            }
            "values.yaml" => {
                chart.values = yamlio::load_values(&f.data, compat)
                    .map_err(|e| Error::new(format!("cannot load values.yaml: {e}")))?;
            }
            "values.schema.json" => chart.schema = Some(Rc::from(f.data)),
            "requirements.yaml" => {
                let m = md.get_or_insert_with(Metadata::default);
                if m.api_version != "v1" {
                    warnings.push(Warning::printf(
                        "load.go:120",
                        "Warning: Dependencies are handled in Chart.yaml since apiVersion \"v2\". We recommend migrating dependencies to Chart.yaml.",
                    ));
                }
                let doc = yamlio::load_document(&f.data)
                    .map_err(|e| Error::new(format!("cannot load requirements.yaml: {e}")))?;
                metadata::decode_into(m, &doc, compat)
                    .map_err(|e| e.context("cannot load requirements.yaml"))?;
                if m.api_version == "v1" {
                    chart.files.push(ChartFile::new(name, f.data));
                }
            }
            "requirements.lock" => {
                let m = md.get_or_insert_with(Metadata::default);
                if m.api_version != "v1" {
                    warnings.push(Warning::printf(
                        "load.go:138",
                        "Warning: Dependency locking is handled in Chart.lock since apiVersion \"v2\". We recommend migrating to Chart.lock.",
                    ));
                }
                if m.api_version == "v1" {
                    chart.files.push(ChartFile::new(name, f.data));
                }
            }
            _ if name.starts_with("templates/") => {
                chart.templates.push(ChartFile::new(name, f.data));
            }
            _ if name.starts_with("charts/") => {
                if name.ends_with(".prov") {
                    chart.files.push(ChartFile::new(name, f.data));
                    continue;
                }
                let rest = &name["charts/".len()..];
                let cname = rest.split('/').next().unwrap_or(rest).to_string();
                subcharts.entry(cname).or_default().push(ArchiveFile {
                    name: rest.to_string(),
                    data: f.data,
                });
            }
            _ => chart.files.push(ChartFile::new(name, f.data)),
        }
    }
    let Some(mut md) = md else {
        return Err(Error::new("Chart.yaml file is missing"));
    };
    metadata::validate(&mut md, compat)?;
    chart.metadata = md;
    if chart.is_library() {
        chart.templates.retain(|t| {
            t.name
                .rsplit('/')
                .next()
                .is_some_and(|base| base.starts_with('_'))
        });
    }
    chart.templates.sort_by(|a, b| a.name.cmp(&b.name));
    chart.files.sort_by(|a, b| a.name.cmp(&b.name));
    for (n, files) in subcharts {
        if n.starts_with('_') || n.starts_with('.') {
            continue;
        }
        let loaded = if n.ends_with(".tgz") {
            let Some(file) = files.into_iter().next() else {
                continue;
            };
            if file.name != n {
                return Err(Error::new(format!(
                    "error unpacking subchart tar in {}: expected {n}, got {}",
                    chart.name(),
                    file.name
                )));
            }
            archive::unpack(&file.data).and_then(|fs| load_files(fs, compat, warnings, depth + 1))
        } else {
            let inner: Vec<ArchiveFile> = files
                .into_iter()
                .filter_map(|f| {
                    f.name.split_once('/').map(|(_, rest)| ArchiveFile {
                        name: rest.to_string(),
                        data: f.data,
                    })
                })
                .collect();
            load_files(inner, compat, warnings, depth + 1)
        };
        let sub = loaded
            .map_err(|e| e.context(format!("error unpacking subchart {n} in {}", chart.name())))?;
        chart.dependencies.push(sub);
    }
    Ok(chart)
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
            h.set_path(name).expect("test paths are valid");
            h.set_cksum();
            b.append(&h, *data).expect("writing to a Vec cannot fail");
        }
        let tar = b.into_inner().expect("writing to a Vec cannot fail");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, &tar).expect("writing to a Vec cannot fail");
        gz.finish().expect("writing to a Vec cannot fail")
    }

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("chartctl-load-{}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("temp dir is writable");
        dir
    }

    #[test]
    fn archive_subchart_is_loaded_by_its_chart_yaml_name() {
        let dir = scratch("tgz");
        fs::create_dir_all(dir.join("charts")).unwrap();
        fs::write(
            dir.join("Chart.yaml"),
            "apiVersion: v2\nname: top\nversion: 0.1.0\n",
        )
        .unwrap();
        let sub = tgz(&[
            (
                "whatever/Chart.yaml",
                b"apiVersion: v2\nname: packed\nversion: 1.2.3\n",
            ),
            ("whatever/values.yaml", b"x: 1\n"),
            ("whatever/templates/.hidden", b"kept in archives"),
        ]);
        fs::write(dir.join("charts/packed-1.2.3.tgz"), sub).unwrap();
        let mut w = Vec::new();
        let c = load(&dir, Compat::Helm4, &mut w).unwrap();
        assert_eq!(c.dependencies.len(), 1);
        let d = &c.dependencies[0];
        assert_eq!(d.name(), "packed");
        assert_eq!(d.metadata.version, "1.2.3");
        // .helmignore and its default rule do not apply inside archives.
        assert_eq!(d.templates.len(), 1);
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn root_archive_loads() {
        let dir = scratch("root-tgz");
        let data = tgz(&[
            ("c/Chart.yaml", b"apiVersion: v2\nname: c\nversion: 0.1.0\n"),
            ("c/templates/a.yaml", b"a: 1\n"),
        ]);
        fs::write(dir.join("c-0.1.0.tgz"), data).unwrap();
        for compat in [Compat::Helm3, Compat::Helm4] {
            let c = load(&dir.join("c-0.1.0.tgz"), compat, &mut Vec::new()).unwrap();
            assert_eq!(c.templates[0].name, "templates/a.yaml");
        }
        let _ = fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_outside_the_chart_are_refused() {
        let dir = scratch("symlink");
        let chart = dir.join("c");
        fs::create_dir_all(chart.join("templates")).unwrap();
        fs::write(
            chart.join("Chart.yaml"),
            "apiVersion: v2\nname: c\nversion: 0.1.0\n",
        )
        .unwrap();
        fs::write(dir.join("secret.txt"), "outside").unwrap();
        fs::write(chart.join("inside.txt"), "inside").unwrap();
        std::os::unix::fs::symlink(chart.join("inside.txt"), chart.join("link.txt")).unwrap();
        let c = load(&chart, Compat::Helm4, &mut Vec::new()).unwrap();
        assert!(c
            .files
            .iter()
            .any(|f| f.name == "link.txt" && &*f.data == b"inside"));
        std::os::unix::fs::symlink(dir.join("secret.txt"), chart.join("leak.txt")).unwrap();
        let e = load(&chart, Compat::Helm4, &mut Vec::new()).unwrap_err();
        assert!(e.message.contains("outside the chart"), "{}", e.message);
        let _ = fs::remove_dir_all(&dir);
    }

    #[cfg(unix)]
    #[test]
    fn oversized_and_irregular_files_are_refused() {
        let dir = scratch("refused");
        fs::create_dir_all(dir.join("templates")).unwrap();
        fs::write(
            dir.join("Chart.yaml"),
            "apiVersion: v2\nname: c\nversion: 0.1.0\n",
        )
        .unwrap();
        // Sparse: the size is what counts, not the bytes on disk.
        let big = fs::File::create(dir.join("big.bin")).unwrap();
        big.set_len(MAX_DECOMPRESSED_FILE_SIZE + 1).unwrap();
        let e = load(&dir, Compat::Helm4, &mut Vec::new()).unwrap_err();
        assert!(
            e.message
                .contains("chart file \"big.bin\" is larger than the maximum file size"),
            "{}",
            e.message
        );
        big.set_len(MAX_DECOMPRESSED_FILE_SIZE).unwrap();
        let c = load(&dir, Compat::Helm4, &mut Vec::new()).unwrap();
        let file = c.files.iter().find(|f| f.name == "big.bin").unwrap();
        assert_eq!(file.data.len() as u64, MAX_DECOMPRESSED_FILE_SIZE);
        let made = std::process::Command::new("mkfifo")
            .arg(dir.join("pipe"))
            .status();
        if made.is_ok_and(|s| s.success()) {
            let e = load(&dir, Compat::Helm4, &mut Vec::new()).unwrap_err();
            assert!(
                e.message.contains("cannot load irregular file"),
                "{}",
                e.message
            );
        }
        let _ = fs::remove_dir_all(&dir);
    }

    #[test]
    fn garbage_archives_fail_cleanly() {
        // Truncations and bit flips of a valid archive must give errors, never panics.
        let good = tgz(&[("c/Chart.yaml", b"apiVersion: v2\nname: c\nversion: 0.1.0\n")]);
        for cut in 0..good.len() {
            let _ = load_archive(&good[..cut], Compat::Helm4, &mut Vec::new());
        }
        for i in 0..good.len() {
            let mut bad = good.clone();
            bad[i] ^= 0x55;
            let _ = load_archive(&bad, Compat::Helm3, &mut Vec::new());
        }
    }
}
