//! Three patterns of bitnami's common library, matched by hand. Nearly every bitnami chart runs
//! them in each render (`regexReplaceAll "[^A-Za-z0-9]+$"` and `"(-?[^a-z\d\-])+-?"` on names,
//! `regexFind "-r\d+$|sha256:"` on image tags), and compiling them with the `regex` crate cost
//! a small chart's render more than a tenth of its time: a few hundred microseconds and about a
//! hundred fresh pages (BENCHMARKS.md). Each matcher gives the match the compiled pattern gives
//! (leftmost, then the longest its greedy repetitions take), which the tests check against the
//! compiled pattern on generated texts.

/// A pattern matched here rather than compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Common {
    /// `[^A-Za-z0-9]+$`: the run of characters other than ASCII letters and digits that ends
    /// the text.
    TrailingNonAlnum,
    /// `(-?[^a-z\d\-])+-?`: runs of characters other than lowercase ASCII letters, digits and
    /// `-`, each optionally after a `-`, and a `-` after the run.
    NameInvalidRun,
    /// `-r\d+$|sha256:`: a `-r` and digits that end the text, or `sha256:`.
    RevisionOrDigest,
}

impl Common {
    /// The matcher for Go pattern `expr`, if it is one of the three.
    pub(super) fn of(expr: &str) -> Option<Common> {
        match expr {
            "[^A-Za-z0-9]+$" => Some(Common::TrailingNonAlnum),
            r"(-?[^a-z\d\-])+-?" => Some(Common::NameInvalidRun),
            r"-r\d+$|sha256:" => Some(Common::RevisionOrDigest),
            _ => None,
        }
    }

    /// The first match that starts at `from` (a character boundary) or later.
    pub(super) fn find_at(self, text: &str, from: usize) -> Option<(usize, usize)> {
        match self {
            Common::TrailingNonAlnum => {
                let kept = text
                    .trim_end_matches(|c: char| !c.is_ascii_alphanumeric())
                    .len();
                let start = kept.max(from);
                (start < text.len()).then_some((start, text.len()))
            }
            Common::NameInvalidRun => name_invalid_run(text, from),
            Common::RevisionOrDigest => revision_or_digest(text, from),
        }
    }
}

/// A character `[^a-z\d\-]` takes (a whole character, whatever its width).
fn invalid_at(text: &str, at: usize) -> Option<usize> {
    let c = text[at..].chars().next()?;
    let valid = c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    (!valid).then_some(c.len_utf8())
}

/// One `-?[^a-z\d\-]` at `at`: its length, if it matches. (A `-` not followed by an invalid
/// character cannot start one: `-` is itself valid.)
fn step_at(text: &str, at: usize) -> Option<usize> {
    if let Some(width) = invalid_at(text, at) {
        return Some(width);
    }
    if text.as_bytes().get(at) == Some(&b'-') {
        return invalid_at(text, at + 1).map(|width| width + 1);
    }
    None
}

fn name_invalid_run(text: &str, from: usize) -> Option<(usize, usize)> {
    let start = (from..text.len())
        .filter(|&i| text.is_char_boundary(i))
        .find(|&i| step_at(text, i).is_some())?;
    let mut end = start;
    while let Some(width) = step_at(text, end) {
        end += width;
    }
    if text.as_bytes().get(end) == Some(&b'-') {
        end += 1;
    }
    Some((start, end))
}

fn revision_or_digest(text: &str, from: usize) -> Option<(usize, usize)> {
    let bytes = text.as_bytes();
    (from..text.len()).find_map(|i| {
        let rest = &bytes[i..];
        if rest.len() > 2 && rest.starts_with(b"-r") && rest[2..].iter().all(u8::is_ascii_digit) {
            Some((i, text.len()))
        } else if rest.starts_with(b"sha256:") {
            Some((i, i + 7))
        } else {
            None
        }
    })
}
