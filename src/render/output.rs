//! What `helm template` prints or writes once the documents are sorted: CRDs, manifests and
//! hooks, each headed `---\n# Source: <path>\n`; the `--show-only` filter; and the file plan of
//! `--output-dir`.
//!
//! Nothing is printed or written here: [`assemble`] returns the whole standard output and the
//! files to write, so an error leaves no partial output behind. [`write_files`] writes each
//! file to a temporary name beside it and renames it into place.

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::io::{self, Write};
use std::path::Path;
use std::sync::OnceLock;

use regex::Regex;

use super::glob::filepath_match;
use super::manifest::{split_manifests, Sorted};
use crate::Compat;

/// A CRD file of the chart or a subchart, printed verbatim with `--include-crds`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CrdFile {
    /// `<chart path>/crds/<file>`.
    pub filename: String,
    pub data: String,
}

/// The output flags of `helm template`.
#[derive(Clone, Debug, Default)]
pub struct OutputOptions {
    pub compat: Compat,
    pub include_crds: bool,
    pub no_hooks: bool,
    pub skip_tests: bool,
    pub show_only: Vec<String>,
    /// `--output-dir`; an empty value means standard output, as in Helm.
    pub output_dir: Option<String>,
    /// The release name when `--release-name` asks for it as a folder level.
    pub release_dir: Option<String>,
}

/// A file `--output-dir` writes, with its whole final content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileWrite {
    /// The path as Helm prints it in `wrote <path>`.
    pub path: String,
    pub content: String,
}

/// The result of a render: standard output and the files to write.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    pub stdout: String,
    pub files: Vec<FileWrite>,
}

fn doc(path: &str, content: &str) -> String {
    let mut out = String::with_capacity(path.len() + content.len() + 16);
    push_doc(&mut out, path, content);
    out
}

/// Appends what [`doc`] returns, without an intermediate string (outputs run to megabytes).
fn push_doc(out: &mut String, path: &str, content: &str) {
    out.push_str("---\n# Source: ");
    out.push_str(path);
    out.push('\n');
    out.push_str(content);
    out.push('\n');
}

/// Builds the output of a render.
///
/// `existing` reads a file already on disk (for hooks, which Helm appends to files left by an
/// earlier run); it returns `Ok(None)` when there is no such file.
pub fn assemble(
    crds: &[CrdFile],
    sorted: &Sorted,
    opts: &OutputOptions,
    existing: &dyn Fn(&str) -> io::Result<Option<String>>,
) -> Result<Output, String> {
    let output_dir = opts.output_dir.as_deref().filter(|d| !d.is_empty());
    let mut manifest = String::new();
    if output_dir.is_none() {
        let docs = |path: &str, content: &str| path.len() + content.len() + 16;
        let crd_len: usize = crds.iter().map(|c| docs(&c.filename, &c.data)).sum();
        let len: usize = sorted
            .manifests
            .iter()
            .map(|m| docs(&m.path, &m.content))
            .sum();
        let hooks: usize = sorted.hooks.iter().map(|h| docs(&h.path, &h.content)).sum();
        manifest.reserve(if opts.include_crds { crd_len } else { 0 } + len + hooks + 1);
    }
    let mut plan = FilePlan::default();
    if opts.include_crds {
        for crd in crds {
            match output_dir {
                None => push_doc(&mut manifest, &crd.filename, &crd.data),
                Some(dir) => plan.write(dir, &crd.filename, &crd.data, false),
            }
        }
    }
    let manifest_dir = output_dir.map(|dir| match &opts.release_dir {
        Some(release) => go_join(dir, release),
        None => dir.to_string(),
    });
    for m in &sorted.manifests {
        match &manifest_dir {
            None => push_doc(&mut manifest, &m.path, &m.content),
            Some(dir) => plan.write(dir, &m.path, &m.content, false),
        }
    }
    // `manifest.trim()`, in place: the manifests' text is kept in the buffer the hooks
    // then extend.
    manifest.truncate(manifest.trim_end().len());
    let lead = manifest.len() - manifest.trim_start().len();
    manifest.drain(..lead);
    let mut out = manifest;
    out.push('\n');
    if !opts.no_hooks {
        for h in &sorted.hooks {
            if opts.skip_tests && h.is_test {
                continue;
            }
            match &manifest_dir {
                None => push_doc(&mut out, &h.path, &h.content),
                Some(dir) => plan.write(dir, &h.path, &h.content, true),
            }
        }
    }
    let stdout = if opts.show_only.is_empty() {
        out
    } else {
        show_only(&out, &opts.show_only, opts.compat)?
    };
    let files = plan.finish(existing).map_err(|e| e.to_string())?;
    let mut wrote = String::new();
    for path in &plan.order {
        wrote.push_str(&format!("wrote {path}\n"));
    }
    let stdout = if wrote.is_empty() {
        stdout
    } else {
        wrote + &stdout
    };
    Ok(Output { stdout, files })
}

fn source_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    // A constant pattern: compiling it cannot fail.
    RE.get_or_init(|| Regex::new(r"# Source: [^/]+/(.+)").expect("valid regex"))
}

/// `--show-only`: re-splits the output, keeps the documents whose `# Source:` path (without the
/// chart name) matches a pattern, pattern by pattern, each printed as `---\n<doc>\n`.
fn show_only(out: &str, patterns: &[String], compat: Compat) -> Result<String, String> {
    let docs = split_manifests(out, compat);
    let mut shown = String::new();
    for pattern in patterns {
        let mut missing = true;
        for d in &docs {
            let Some(caps) = source_re().captures(d) else {
                continue;
            };
            if filepath_match(pattern, &caps[1]) {
                shown.push_str(&format!("---\n{d}\n"));
                missing = false;
            }
        }
        if missing {
            return Err(format!("could not find template {pattern} in chart"));
        }
    }
    Ok(shown)
}

/// The files `--output-dir` writes, in Helm's order of writes.
#[derive(Debug, Default)]
struct FilePlan {
    /// Every write, as `wrote` lines print them.
    order: Vec<String>,
    /// Content per path; a later write of the same path appends or replaces as Helm would.
    content: HashMap<String, String>,
    /// Paths whose first write appends to what is on disk (hooks of an earlier run).
    append_to_disk: BTreeSet<String>,
}

impl FilePlan {
    /// Helm's `writeToFile(dir, name, data, append)`. Manifests truncate on their first write
    /// in a run; hooks append whenever the file exists (also from an earlier run).
    fn write(&mut self, dir: &str, name: &str, data: &str, hook: bool) {
        let path = format!("{dir}/{name}");
        let text = doc(name, data);
        match self.content.get_mut(&path) {
            Some(existing) => existing.push_str(&text),
            None => {
                if hook {
                    self.append_to_disk.insert(path.clone());
                }
                self.content.insert(path.clone(), text);
            }
        }
        self.order.push(path);
    }

    fn finish(
        &self,
        existing: &dyn Fn(&str) -> io::Result<Option<String>>,
    ) -> io::Result<Vec<FileWrite>> {
        let mut files = Vec::new();
        let mut seen = BTreeSet::new();
        for path in &self.order {
            if !seen.insert(path) {
                continue;
            }
            let mut content = String::new();
            if self.append_to_disk.contains(path) {
                if let Some(old) = existing(path)? {
                    content = old;
                }
            }
            content.push_str(&self.content[path]);
            files.push(FileWrite {
                path: path.clone(),
                content,
            });
        }
        Ok(files)
    }
}

/// Reads a file for [`assemble`]: `None` when it does not exist.
pub fn read_existing(path: &str) -> io::Result<Option<String>> {
    match fs::read(path) {
        Ok(bytes) => Ok(Some(crate::chart::text_of(&bytes).into_owned())),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e),
    }
}

/// Writes every planned file: creates its folder, writes a temporary file beside it, renames
/// it into place. A failure names the file.
pub fn write_files(files: &[FileWrite]) -> io::Result<()> {
    for f in files {
        let path = Path::new(&f.path);
        let named = |e: io::Error| io::Error::new(e.kind(), format!("{}: {e}", f.path));
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            fs::create_dir_all(parent).map_err(named)?;
        }
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = path.with_file_name(format!(".{file_name}.chartctl-{}", std::process::id()));
        let result = (|| {
            let mut out = fs::File::create(&tmp)?;
            out.write_all(f.content.as_bytes())?;
            out.sync_all()?;
            fs::rename(&tmp, path)
        })();
        if let Err(e) = result {
            let _ = fs::remove_file(&tmp);
            return Err(named(e));
        }
    }
    Ok(())
}

/// Go's `filepath.Join(a, b)` on Unix: joined with `/` and cleaned.
fn go_join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, true) => String::new(),
        (true, false) => go_clean(b),
        (false, true) => go_clean(a),
        (false, false) => go_clean(&format!("{a}/{b}")),
    }
}

/// Go's `path.Clean`: collapses `//`, `.` and `..` lexically.
pub fn go_clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            other => parts.push(other),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::manifest::{Hook, Manifest};

    fn sorted() -> Sorted {
        Sorted {
            manifests: vec![
                Manifest {
                    path: "c/templates/a.yaml".into(),
                    content: "kind: A".into(),
                    kind: "A".into(),
                },
                Manifest {
                    path: "c/charts/s/templates/b.yaml".into(),
                    content: "kind: B".into(),
                    kind: "B".into(),
                },
            ],
            hooks: vec![
                Hook {
                    path: "c/templates/t.yaml".into(),
                    content: "kind: Pod".into(),
                    kind: "Pod".into(),
                    is_test: true,
                },
                Hook {
                    path: "c/templates/a.yaml".into(),
                    content: "kind: Job".into(),
                    kind: "Job".into(),
                    is_test: false,
                },
            ],
            skipped_hooks: Vec::new(),
        }
    }

    fn none(_: &str) -> io::Result<Option<String>> {
        Ok(None)
    }

    #[test]
    fn stdout_is_manifests_trimmed_then_hooks() {
        let opts = OutputOptions::default();
        let out = assemble(&[], &sorted(), &opts, &none).unwrap();
        assert_eq!(
            out.stdout,
            "---\n# Source: c/templates/a.yaml\nkind: A\n---\n# Source: c/charts/s/templates/b.yaml\nkind: B\n\
             ---\n# Source: c/templates/t.yaml\nkind: Pod\n---\n# Source: c/templates/a.yaml\nkind: Job\n"
        );
        let opts = OutputOptions {
            skip_tests: true,
            ..Default::default()
        };
        assert!(!assemble(&[], &sorted(), &opts, &none)
            .unwrap()
            .stdout
            .contains("Pod"));
    }

    #[test]
    fn empty_render_prints_one_newline() {
        let out = assemble(&[], &Sorted::default(), &OutputOptions::default(), &none).unwrap();
        assert_eq!(out.stdout, "\n");
    }

    #[test]
    fn crds_keep_their_bytes() {
        let crds = [CrdFile {
            filename: "c/crds/x.yaml".into(),
            data: "kind: CustomResourceDefinition\n".into(),
        }];
        let opts = OutputOptions {
            include_crds: true,
            no_hooks: true,
            ..Default::default()
        };
        let out = assemble(&crds, &sorted(), &opts, &none).unwrap();
        assert!(out.stdout.starts_with(
            "---\n# Source: c/crds/x.yaml\nkind: CustomResourceDefinition\n\n---\n# Source: c/templates/a.yaml"
        ));
    }

    #[test]
    fn show_only_matches_paths_below_the_chart() {
        let opts = OutputOptions {
            compat: Compat::Helm3,
            show_only: vec!["templates/a.yaml".into(), "charts/*/templates/*".into()],
            ..Default::default()
        };
        let out = assemble(&[], &sorted(), &opts, &none).unwrap();
        assert_eq!(
            out.stdout,
            "---\n# Source: c/templates/a.yaml\nkind: A\n---\n# Source: c/templates/a.yaml\nkind: Job\n\
             ---\n# Source: c/charts/s/templates/b.yaml\nkind: B\n"
        );
        // Helm 4's re-split keeps the newline before each `---`: every document shown ends
        // with a blank line.
        let opts = OutputOptions {
            show_only: vec!["charts/s/templates/b.yaml".into()],
            ..Default::default()
        };
        assert_eq!(
            assemble(&[], &sorted(), &opts, &none).unwrap().stdout,
            "---\n# Source: c/charts/s/templates/b.yaml\nkind: B\n\n"
        );
        let opts = OutputOptions {
            show_only: vec!["c/templates/a.yaml".into()],
            ..Default::default()
        };
        assert_eq!(
            assemble(&[], &sorted(), &opts, &none),
            Err("could not find template c/templates/a.yaml in chart".into())
        );
    }

    #[test]
    fn output_dir_plans_files_and_wrote_lines() {
        let opts = OutputOptions {
            output_dir: Some("out/".into()),
            release_dir: Some("rel".into()),
            ..Default::default()
        };
        let existing = |p: &str| -> io::Result<Option<String>> {
            Ok((p == "out/rel/c/templates/t.yaml").then(|| "old\n".to_string()))
        };
        let out = assemble(&[], &sorted(), &opts, &existing).unwrap();
        assert_eq!(
            out.stdout,
            "wrote out/rel/c/templates/a.yaml\nwrote out/rel/c/charts/s/templates/b.yaml\n\
             wrote out/rel/c/templates/t.yaml\nwrote out/rel/c/templates/a.yaml\n\n"
        );
        assert_eq!(out.files.len(), 3);
        assert_eq!(
            out.files[0].content,
            "---\n# Source: c/templates/a.yaml\nkind: A\n---\n# Source: c/templates/a.yaml\nkind: Job\n"
        );
        assert_eq!(
            out.files[2].content,
            "old\n---\n# Source: c/templates/t.yaml\nkind: Pod\n"
        );
    }

    #[test]
    fn clean_follows_go() {
        assert_eq!(go_clean("./out//x/../y/"), "out/y");
        assert_eq!(go_clean("/../a"), "/a");
        assert_eq!(go_clean("../../a"), "../../a");
        assert_eq!(go_join("out/", "rel"), "out/rel");
    }
}
