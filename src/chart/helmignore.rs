//! `.helmignore`: Helm's ignore rules for folder loads (archives ignore it).
//!
//! One pattern a line (blank lines and `#` comments skipped), matched with Go's
//! `filepath.Match`: a pattern without `/` matches the base name, one with `/` the whole
//! path, a leading `/` anchors it, a trailing `/` restricts it to folders, `**` is refused.
//! A `!` pattern is Helm's peculiar negation: a path it does *not* match is ignored. The rule
//! `templates/.?*` is always added, so hidden files directly under `templates/` are skipped.

use super::Error;

/// Parsed ignore rules.
#[derive(Clone, Debug, Default)]
pub struct Rules {
    patterns: Vec<Pattern>,
}

#[derive(Clone, Debug)]
struct Pattern {
    rule: String,
    negate: bool,
    must_dir: bool,
    /// Match the base name only.
    base_only: bool,
    /// The shape of `rule`, for the common cases matched without Go's general algorithm.
    shape: Shape,
}

/// Most `.helmignore` lines are a plain name (`.git`) or a star and a suffix (`*.swp`); each
/// is matched against every file of the chart and its subcharts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Shape {
    /// No metacharacter: equal or not.
    Literal,
    /// `*` and then neither a metacharacter nor `/`: a name without `/` that ends with the
    /// rest.
    StarSuffix,
    General,
}

impl Pattern {
    fn matches(&self, target: &str) -> bool {
        match self.shape {
            Shape::Literal => self.rule == target,
            Shape::StarSuffix => !target.contains('/') && target.ends_with(&self.rule[1..]),
            Shape::General => go_match(&self.rule, target).unwrap_or(false),
        }
    }
}

fn shape_of(rule: &str) -> Shape {
    let plain = |s: &str| !s.contains(['*', '?', '[', '\\']);
    if plain(rule) {
        Shape::Literal
    } else if rule
        .strip_prefix('*')
        .is_some_and(|rest| plain(rest) && !rest.contains('/'))
    {
        Shape::StarSuffix
    } else {
        Shape::General
    }
}

impl Rules {
    /// Rules of a `.helmignore` file. Errors are Helm's (`syntax error in pattern`,
    /// `double-star (**) syntax is not supported`).
    pub fn parse(text: &[u8]) -> Result<Rules, Error> {
        let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
        let text = crate::chart::text_of(text);
        let mut rules = Rules::default();
        for line in text.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            rules.add(line)?;
        }
        Ok(rules)
    }

    /// Adds Helm's default rule (`templates/.?*`).
    pub fn add_defaults(&mut self) {
        // The default rule is well-formed, so adding it cannot fail.
        let _ = self.add("templates/.?*");
    }

    fn add(&mut self, rule: &str) -> Result<(), Error> {
        let rule = rule.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err(Error::new("double-star (**) syntax is not supported"));
        }
        if go_match(rule, "abc").is_err() {
            return Err(Error::new("syntax error in pattern"));
        }
        let mut r = rule;
        let negate = r.starts_with('!');
        if negate {
            r = &r[1..];
        }
        let must_dir = r.ends_with('/');
        if must_dir {
            r = &r[..r.len() - 1];
        }
        let (r, base_only) = if let Some(after) = r.strip_prefix('/') {
            (after, false)
        } else {
            (r, !r.contains('/'))
        };
        self.patterns.push(Pattern {
            rule: r.to_string(),
            negate,
            must_dir,
            base_only,
            shape: shape_of(r),
        });
        Ok(())
    }

    /// Whether `path` (relative, `/`-separated) is ignored.
    pub fn ignored(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        for p in &self.patterns {
            let target = if p.base_only { go_base(path) } else { path };
            let matched = p.matches(target);
            if p.negate {
                if p.must_dir && !is_dir {
                    return true;
                }
                if !matched {
                    return true;
                }
                continue;
            }
            if p.must_dir && !is_dir {
                continue;
            }
            if matched {
                return true;
            }
        }
        false
    }
}

fn go_base(p: &str) -> &str {
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return "/";
    }
    match t.rfind('/') {
        Some(i) => &t[i + 1..],
        None => t,
    }
}

/// Go's `filepath.ErrBadPattern`.
#[derive(Debug, PartialEq, Eq)]
pub struct BadPattern;

/// Go's `path/filepath.Match` on Unix: `*` (no `/`), `?`, `[...]` (with `^`, ranges and
/// `\` escapes). `Err(BadPattern)` is `ErrBadPattern`.
pub fn go_match(pattern: &str, name: &str) -> Result<bool, BadPattern> {
    let mut pattern: &str = pattern;
    let mut name: &str = name;
    'pattern: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            // A trailing star matches the rest unless it holds a separator.
            return Ok(!name.contains('/'));
        }
        let (t, ok) = match_chunk(chunk, name)?;
        if ok && (t.is_empty() || !pattern.is_empty()) {
            name = t;
            continue;
        }
        if star {
            let mut i = 0;
            while i < name.len() && name.as_bytes()[i] != b'/' {
                let c_len = name[i..].chars().next().map_or(1, char::len_utf8);
                i += c_len;
                let (t, ok) = match_chunk(chunk, &name[i..])?;
                if ok {
                    if pattern.is_empty() && !t.is_empty() {
                        continue;
                    }
                    name = t;
                    continue 'pattern;
                }
            }
        }
        // Go checks the rest of the pattern for syntax errors before failing.
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            match_chunk(chunk, "")?;
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

fn scan_chunk(mut pattern: &str) -> (bool, &str, &str) {
    let mut star = false;
    while pattern.starts_with('*') {
        pattern = &pattern[1..];
        star = true;
    }
    let bytes = pattern.as_bytes();
    let mut in_range = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if i + 1 < bytes.len() => i += 1,
            b'[' => in_range = true,
            b']' => in_range = false,
            b'*' if !in_range => break,
            _ => {}
        }
        i += 1;
    }
    (star, &pattern[..i], &pattern[i..])
}

/// Matches one chunk at the start of `s`; returns the rest of `s` and whether it matched.
fn match_chunk<'a>(chunk: &str, s: &'a str) -> Result<(&'a str, bool), BadPattern> {
    let mut failed = false;
    let mut chunk = chunk;
    let mut s = s;
    while !chunk.is_empty() {
        if !failed && s.is_empty() {
            failed = true;
        }
        match chunk.as_bytes()[0] {
            b'[' => {
                let mut r = '\0';
                if !failed {
                    let c = s.chars().next().unwrap_or('\0');
                    r = c;
                    s = &s[c.len_utf8()..];
                }
                chunk = &chunk[1..];
                let negated = chunk.starts_with('^');
                if negated {
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut n = 0;
                loop {
                    if !chunk.is_empty() && chunk.starts_with(']') && n > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, rest) = get_esc(chunk)?;
                    chunk = rest;
                    let mut hi = lo;
                    if chunk.starts_with('-') {
                        let (h, rest) = get_esc(&chunk[1..])?;
                        hi = h;
                        chunk = rest;
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    n += 1;
                }
                if matched == negated {
                    failed = true;
                }
            }
            b'?' => {
                if !failed {
                    let c = s.chars().next().unwrap_or('\0');
                    if c == '/' {
                        failed = true;
                    }
                    s = &s[c.len_utf8().min(s.len())..];
                }
                chunk = &chunk[1..];
            }
            b'\\' => {
                chunk = &chunk[1..];
                if chunk.is_empty() {
                    return Err(BadPattern);
                }
                let c = chunk.chars().next().unwrap_or('\0');
                if !failed {
                    if !s.starts_with(c) {
                        failed = true;
                    } else {
                        s = &s[c.len_utf8()..];
                    }
                }
                chunk = &chunk[c.len_utf8()..];
            }
            _ => {
                let c = chunk.chars().next().unwrap_or('\0');
                if !failed {
                    if !s.starts_with(c) {
                        failed = true;
                    } else {
                        s = &s[c.len_utf8()..];
                    }
                }
                chunk = &chunk[c.len_utf8()..];
            }
        }
    }
    if failed {
        return Ok(("", false));
    }
    Ok((s, true))
}

fn get_esc(chunk: &str) -> Result<(char, &str), BadPattern> {
    if chunk.is_empty() || chunk.starts_with('-') || chunk.starts_with(']') {
        return Err(BadPattern);
    }
    let mut chunk = chunk;
    if chunk.starts_with('\\') {
        chunk = &chunk[1..];
        if chunk.is_empty() {
            return Err(BadPattern);
        }
    }
    let c = chunk.chars().next().ok_or(BadPattern)?;
    let rest = &chunk[c.len_utf8()..];
    if rest.is_empty() {
        return Err(BadPattern);
    }
    Ok((c, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_shapes_agree_with_go_match() {
        let rules = [
            "*.swp", "*", "*~", ".git", "*/x", "a*b", "", "x.y", "*.[ch]",
        ];
        let names = [
            "a.swp", "d/a.swp", ".swp", "x~", ".git", "a/.git", "a/x", "ab", "", "x.y", "a.c",
        ];
        for rule in rules {
            let p = Pattern {
                rule: rule.to_string(),
                negate: false,
                must_dir: false,
                base_only: false,
                shape: shape_of(rule),
            };
            for name in names {
                assert_eq!(
                    p.matches(name),
                    go_match(rule, name).unwrap_or(false),
                    "{rule:?} on {name:?}"
                );
            }
        }
        assert_eq!(shape_of("*/x"), Shape::General);
        assert_eq!(shape_of("*.swp"), Shape::StarSuffix);
        assert_eq!(shape_of(".git"), Shape::Literal);
    }

    #[test]
    fn go_match_basics() {
        assert_eq!(go_match("*.txt", "a.txt"), Ok(true));
        assert_eq!(go_match("*.txt", "d/a.txt"), Ok(false));
        assert_eq!(go_match("templates/.?*", "templates/.x"), Ok(true));
        assert_eq!(go_match("templates/.?*", "templates/."), Ok(false));
        assert_eq!(go_match("[a-c]x", "bx"), Ok(true));
        assert_eq!(go_match("[^a-c]x", "bx"), Ok(false));
        assert_eq!(go_match("[", "a"), Err(BadPattern));
    }

    #[test]
    fn rules() {
        let mut r = Rules::parse(b"# c\n*.bak\nsecret/\n/top.txt\n").unwrap();
        r.add_defaults();
        assert!(r.ignored("x/y.bak", false));
        assert!(r.ignored("secret", true));
        assert!(!r.ignored("secret", false));
        assert!(r.ignored("top.txt", false));
        assert!(r.ignored("templates/.hidden", false));
        assert!(!r.ignored("templates/sub/.hidden", false));
        assert!(Rules::parse(b"a/**").is_err());
    }

    #[test]
    fn negation_ignores_what_it_does_not_match() {
        let r = Rules::parse(b"!keep.txt\n").unwrap();
        assert!(r.ignored("other.txt", false));
        assert!(!r.ignored("keep.txt", false));
    }
}
