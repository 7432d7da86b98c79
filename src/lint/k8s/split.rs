//! Splitting the Kubernetes schema bundle's JSON text into its pieces without parsing it.
//! `build.rs` runs this at build time and compiles in where each piece is
//! (`schemas_index.rs`), so a lint run finds them without reading the 1.1 MB of text; the
//! tests run it too, to check both sides.

/// The bundle's JSON split without parsing it, in one pass that counts brackets outside
/// strings: each definition's text (the elements of `defs`), the `kinds` table's text, and
/// each version's table text (the entries of `versions`). The bundle is our own generated
/// JSON; every piece is still parsed by serde when used.
pub struct Split<'a> {
    pub defs: Vec<&'a str>,
    pub kinds: Option<&'a str>,
    pub versions: Vec<(&'a str, &'a str)>,
}

pub fn split_bundle(text: &str) -> Result<Split<'_>, String> {
    let b = text.as_bytes();
    let mut out = Split {
        defs: Vec::new(),
        kinds: None,
        versions: Vec::new(),
    };
    let (mut depth, mut i) = (0usize, 0usize);
    // The last string seen, the keys of the current top-level and second-level entries, and
    // where the current second- and third-level containers opened.
    let (mut last, mut top_key, mut sub_key) = ("", "", "");
    let (mut top_start, mut sub_start) = (0, 0);
    while i < b.len() {
        match b[i] {
            b'"' => {
                let start = i + 1;
                i = start;
                loop {
                    match b.get(i) {
                        Some(b'"') => break,
                        Some(b'\\') => i += 2,
                        Some(_) => i += 1,
                        None => return Err(format!("unterminated string at byte {start}")),
                    }
                }
                last = &text[start..i];
            }
            b':' if depth == 1 => top_key = last,
            b':' if depth == 2 => sub_key = last,
            b'{' | b'[' => {
                depth += 1;
                if depth == 2 {
                    top_start = i;
                } else if depth == 3 {
                    sub_start = i;
                }
            }
            b'}' | b']' => {
                if depth == 2 && top_key == "kinds" {
                    out.kinds = Some(&text[top_start..=i]);
                } else if depth == 3 && top_key == "defs" {
                    out.defs.push(&text[sub_start..=i]);
                } else if depth == 3 && top_key == "versions" {
                    out.versions.push((sub_key, &text[sub_start..=i]));
                }
                depth = depth
                    .checked_sub(1)
                    .ok_or_else(|| format!("unbalanced bracket at byte {i}"))?;
            }
            _ => {}
        }
        i += 1;
    }
    if depth != 0 {
        return Err("unbalanced brackets".into());
    }
    Ok(out)
}
