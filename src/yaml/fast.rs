//! The fast path of YAML loading: a line-based reader for the block-style subset real files
//! are made of, producing the same [`Go`] value as the full loader in [`super::load`].
//!
//! It reads block mappings and sequences (compact ones too: `- a: 1`, `- - x`), plain and
//! quoted scalars on one line, literal and folded block scalars, flow collections on one line,
//! comments and `---` markers. Anything else — anchors, aliases, tags, directives, merge keys,
//! multi-line plain or quoted scalars, complex keys, tabs anywhere, odd indentation, and
//! everything that would be an error — makes it give up (`None`), and the full loader reads
//! the text from the start, so errors and quirks stay the full loader's. Giving up is always
//! correct; producing a value the full loader would not is a bug, which the differential tests
//! (`fast_tests`) and the `yaml_fast` fuzz target look for.

use super::load::{from_resolved, plain_scalar, Go, MapBuilder};

/// Collections nest at most this deep here; deeper input is left to the full loader, which has
/// its own (higher) limit and error.
const MAX_NEST: usize = 100;

/// A simple key may span at most 1024 characters before its `:` in the full loader; longer ones
/// are errors there. Bytes are at least as many as characters, so this bound is safe.
const MAX_KEY_BYTES: usize = 1000;

/// The first document of `text` as [`super::load::load_go_first`] decodes it, or `None` when
/// the text is outside the subset this reader knows (then the full loader must run).
pub fn load_go_first(text: &str) -> Option<Go> {
    Reader::new(text, false)?.first()
}

/// What a manifest head check needs of the first document of `text`, without building it:
/// `None` when the document is empty, else its top-level `apiVersion` and `kind` strings
/// (empty when missing or not strings), as [`super::load::load_go_first`] then
/// [`super::load::check_json_value`] would find them. `None` outside (the `Option` outside)
/// when this reader declines the text, or when the document might not convert to JSON (a
/// null or unsigned key, an infinite or NaN value): the caller then loads it in full, which
/// gives the same answer or the error.
pub fn head_of_first(text: &str) -> Option<Option<(String, String)>> {
    let mut r = Reader::new(text, true)?;
    let root = r.first()?;
    r.skim_value(&root)?;
    Some(match root {
        // A skimmed block mapping comes out empty, its head noted on the way (a flow mapping
        // `{}` is empty too, with nothing noted).
        Go::Map(pairs) if pairs.is_empty() => Some(r.head.take().unwrap_or_default()),
        // Flow mappings are built even here; anything else has no head fields.
        other => super::load::head_of(&other),
    })
}

impl<'a> Reader<'a> {
    fn new(text: &'a str, skim: bool) -> Option<Reader<'a>> {
        let start = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
        if !plain_text(text, start) {
            return None;
        }
        Some(Reader {
            s: text,
            b: text.as_bytes(),
            pos: start,
            partial: None,
            depth: 0,
            seen: None,
            skim,
            head: None,
        })
    }

    /// The first document.
    fn first(&mut self) -> Option<Go> {
        let r = self;
        let root = match r.peek()? {
            Line::Eof => return Some(Go::Nil),
            Line::Marker => {
                r.skip_line();
                match r.peek()? {
                    Line::Eof | Line::Marker => return Some(Go::Nil),
                    Line::At { col, start } => r.parse_node_at(col, start, -1, false)?,
                }
            }
            Line::At { col, start } => r.parse_node_at(col, start, -1, false)?,
        };
        // The full loader stops at the next document's marker without reading past it.
        match r.peek()? {
            Line::Eof | Line::Marker => Some(root),
            Line::At { .. } => None,
        }
    }
}

/// Whether every character of `text` (from byte `start`) is one the reader handles: printable
/// ASCII, `\n`, `\r\n`, and non-ASCII characters the full loader accepts, except the ones YAML
/// 1.1 and 1.2 read differently (NEL, the line and paragraph separators) and byte order marks.
/// No tabs: the full loader has its own rules for them.
fn plain_text(text: &str, start: usize) -> bool {
    let s = &text[start..];
    let (chunks, tail) = s.as_bytes().as_chunks::<32>();
    let mut at = 0;
    for chunk in chunks {
        // Nearly every chunk is printable ASCII and line feeds: a test without branches over
        // a fixed-size block, which the compiler turns into vector instructions, before the
        // byte-by-byte one.
        let mut odd = 0u8;
        for &c in chunk {
            odd |= u8::from(c.wrapping_sub(b' ') > b'~' - b' ') & u8::from(c != b'\n');
        }
        if odd != 0 && !plain_bytes(s, at, chunk) {
            return false;
        }
        at += 32;
    }
    plain_bytes(s, at, tail)
}

/// The byte-by-byte test of [`plain_text`] on `chunk`, the bytes of `s` from `at`: each
/// character that starts in it is checked, a non-ASCII one as a whole (CRD descriptions have
/// a few, in megabytes of ASCII).
fn plain_bytes(s: &str, at: usize, chunk: &[u8]) -> bool {
    for (k, &c) in chunk.iter().enumerate() {
        match c {
            b'\n' | b' '..=b'~' => {}
            b'\r' if s.as_bytes().get(at + k + 1) == Some(&b'\n') => {}
            // Continuation bytes: their character was checked at its first byte.
            0x80..=0xBF => {}
            0xC0.. => {
                let wide = s.get(at + k..).and_then(|rest| rest.chars().next());
                if !wide.is_some_and(|c| {
                    super::load::reader_allows(c)
                        && !matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{FEFF}')
                }) {
                    return false;
                }
            }
            _ => return false,
        }
    }
    true
}

/// What the next line holding something other than blanks and comments starts with.
enum Line {
    Eof,
    /// A `---` line (only blanks or a comment after it).
    Marker,
    /// Content at column `col`, byte `start`.
    At {
        col: usize,
        start: usize,
    },
}

struct Reader<'a> {
    s: &'a str,
    b: &'a [u8],
    /// The start of the next line not read yet, or with `partial`, the next content of the
    /// line being read.
    pos: usize,
    /// The column of `pos` when a node starts in the middle of a line (after `- `).
    partial: Option<usize>,
    depth: usize,
    /// The last content line `peek` found: its start, column and first content byte.
    seen: Option<(usize, usize, usize)>,
    /// Check the text without building collections (see [`head_of_first`]): block mappings
    /// and sequences come out empty, their entries checked for what would stop the JSON
    /// conversion.
    skim: bool,
    /// When skimming, the top-level mapping's `apiVersion` and `kind` so far.
    head: Option<(String, String)>,
}

/// The first byte at or after `i` that is not a space. Indentation in deeply nested documents
/// is most of their bytes, so it is skipped eight bytes at a time.
fn skip_spaces(b: &[u8], mut i: usize) -> usize {
    while let Some(chunk) = b.get(i..i + 8) {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let other = u64::from_le_bytes(word) ^ 0x2020_2020_2020_2020;
        if other != 0 {
            return i + (other.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while b.get(i) == Some(&b' ') {
        i += 1;
    }
    i
}

fn is_blank_or_end(c: Option<&u8>) -> bool {
    matches!(c, None | Some(b' ' | b'\n' | b'\r'))
}

impl Reader<'_> {
    /// Skips blank and comment lines; `None` for a line this reader does not take.
    fn peek(&mut self) -> Option<Line> {
        if let Some(col) = self.partial {
            return Some(Line::At {
                col,
                start: self.pos,
            });
        }
        // A line ending several collections is looked at by each of them.
        if let Some((pos, col, start)) = self.seen {
            if pos == self.pos {
                return Some(Line::At { col, start });
            }
        }
        let b = self.b;
        loop {
            let line = self.pos;
            let i = skip_spaces(b, line);
            match b.get(i) {
                None => {
                    self.pos = b.len();
                    return Some(Line::Eof);
                }
                Some(b'\n') => self.pos = i + 1,
                Some(b'\r') => self.pos = i + 2,
                Some(b'#') => self.skip_line_from(i),
                Some(_) => {
                    if i == line && (b[i..].starts_with(b"---") || b[i..].starts_with(b"...")) {
                        if b[i] == b'.' || !self.rest_is_empty(i + 3) {
                            return None;
                        }
                        return Some(Line::Marker);
                    }
                    self.seen = Some((line, i - line, i));
                    return Some(Line::At {
                        col: i - line,
                        start: i,
                    });
                }
            }
        }
    }

    /// Moves to the line after the one holding byte `i`.
    fn skip_line_from(&mut self, i: usize) {
        self.partial = None;
        self.pos = match memchr::memchr(b'\n', &self.b[i..]) {
            Some(n) => i + n + 1,
            None => self.b.len(),
        };
    }

    fn skip_line(&mut self) {
        self.skip_line_from(self.pos);
    }

    /// Whether only blanks and a comment follow byte `i` on its line. A `#` right at `i` is
    /// not a comment: one must be separated from what precedes it.
    fn rest_is_empty(&self, i: usize) -> bool {
        let b = self.b;
        let j = skip_spaces(b, i);
        match b.get(j) {
            None | Some(b'\n' | b'\r') => true,
            Some(b'#') => j > i,
            Some(_) => false,
        }
    }

    /// Ends the line after a node that finished at byte `i`: only blanks and a comment may
    /// follow.
    fn finish_line(&mut self, i: usize) -> Option<()> {
        if !self.rest_is_empty(i) {
            return None;
        }
        self.skip_line_from(i);
        Some(())
    }

    /// A skimmed entry of a block mapping: declines what could stop the JSON conversion, and
    /// notes the top-level `apiVersion` and `kind` (a repeated key's last value counts).
    fn skim_entry(&mut self, key: &Go, value: &Go) -> Option<()> {
        if matches!(key, Go::Nil | Go::Uint(_) | Go::Seq(_) | Go::Map(_)) {
            return None;
        }
        self.skim_value(value)?;
        if self.depth == 1 {
            if let Go::Str(k) = key {
                let text = match value {
                    Go::Str(v) => v.clone(),
                    _ => String::new(),
                };
                let head = self.head.get_or_insert_with(Default::default);
                match k.as_str() {
                    "apiVersion" => head.0 = text,
                    "kind" => head.1 = text,
                    _ => {}
                }
            }
        }
        Some(())
    }

    /// A skimmed value: declines one that could stop the JSON conversion (flow collections
    /// are built, and checked whole).
    fn skim_value(&self, value: &Go) -> Option<()> {
        match value {
            Go::Float(f) if !f.is_finite() => None,
            Go::Seq(_) | Go::Map(_) => super::load::check_json_value(value).ok(),
            _ => Some(()),
        }
    }

    /// Whether scalars' text is kept: always, but in a skim only at the top level (where
    /// `apiVersion` and `kind` are).
    fn wants_text(&self) -> bool {
        !self.skim || self.depth <= 1
    }

    /// A plain scalar on one line; in a skim below the top level, a string's text is left out.
    fn scalar(&self, text: &str) -> Go {
        let resolved = super::resolve::resolve_plain(text);
        from_resolved(resolved, if self.wants_text() { text } else { "" })
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_NEST).then_some(())
    }

    fn is_seq_entry(&self, i: usize) -> bool {
        self.b[i] == b'-' && is_blank_or_end(self.b.get(i + 1))
    }

    /// The value of a key or entry whose line held nothing more: a node on the lines below,
    /// more indented than `n` (the enclosing collection's column), or a sequence at `n` itself
    /// after a mapping key; otherwise null.
    fn parse_block_value(&mut self, n: isize, indentless: bool) -> Option<Go> {
        match self.peek()? {
            Line::Eof | Line::Marker => Some(Go::Nil),
            Line::At { col, start } => {
                if col as isize > n {
                    self.parse_node_at(col, start, n, false)
                } else if indentless && col as isize == n && self.is_seq_entry(start) {
                    self.parse_seq(col, true)
                } else {
                    Some(Go::Nil)
                }
            }
        }
    }

    /// The node starting at byte `start`, column `col`: at the start of a line, or after `- `
    /// when `inline`. `n` is the column of the enclosing block collection (-1 at the root).
    fn parse_node_at(&mut self, col: usize, start: usize, n: isize, inline: bool) -> Option<Go> {
        self.pos = start;
        self.partial = Some(col);
        match self.b[start] {
            b'-' if self.is_seq_entry(start) => self.parse_seq(col, false),
            b'|' | b'>' if inline && n >= 0 => self.block_scalar(start, n),
            b'[' | b'{' => {
                let (v, end) = self.flow(start)?;
                self.finish_line(end)?;
                Some(v)
            }
            _ => match self.scalar_or_key(start, n)? {
                Item::Key(k, after) => self.parse_map(col, Some((k, after))),
                Item::Value(v, end) => {
                    self.finish_line(end)?;
                    Some(v)
                }
                Item::Plain(text_end) => self.plain_lines(start, text_end, n),
            },
        }
    }

    /// Where the next line of a block whose entries stand at column `m` starts: `Some(None)`
    /// when the block has ended (the end of the document, or a line further left), `None`
    /// (decline) for a line further right, which no entry of the block explains.
    fn next_at(&mut self, m: usize) -> Option<Option<usize>> {
        match self.peek()? {
            Line::Eof | Line::Marker => Some(None),
            Line::At { col, .. } if col < m => Some(None),
            Line::At { col, .. } if col > m => None,
            Line::At { start, .. } => Some(Some(start)),
        }
    }

    /// A block sequence whose entries stand at column `m`. An `indentless` one (a mapping
    /// value at the key's column) ends at the first line at `m` that is not an entry.
    fn parse_seq(&mut self, m: usize, indentless: bool) -> Option<Go> {
        self.enter()?;
        let mut items = Vec::new();
        while let Some(start) = self.next_at(m)? {
            if !self.is_seq_entry(start) {
                if indentless {
                    break;
                }
                return None;
            }
            let mut i = start + 1;
            while self.b.get(i) == Some(&b' ') {
                i += 1;
            }
            #[allow(clippy::cast_possible_wrap)] // columns of real text
            let item = if self.rest_is_empty(start + 1) {
                self.skip_line_from(i);
                self.parse_block_value(m as isize, false)?
            } else {
                self.parse_node_at(m + (i - start), i, m as isize, true)?
            };
            if self.skim {
                self.skim_value(&item)?;
            } else {
                items.push(item);
            }
        }
        self.depth -= 1;
        Some(Go::Seq(items))
    }

    /// A block mapping whose keys stand at column `m`; `first` is its first key when the
    /// caller has read it (the key and the byte after its `:`).
    fn parse_map(&mut self, m: usize, mut first: Option<(Go, usize)>) -> Option<Go> {
        self.enter()?;
        let mut map = MapBuilder::default();
        loop {
            let (key, after) = match first.take() {
                Some(kv) => kv,
                None => {
                    let Some(start) = self.next_at(m)? else {
                        break;
                    };
                    match self.scalar_or_key(start, m as isize)? {
                        Item::Key(k, after) => (k, after),
                        Item::Value(..) | Item::Plain(..) => return None,
                    }
                }
            };
            let value = self.parse_value(after, m)?;
            if self.skim {
                self.skim_entry(&key, &value)?;
            } else {
                map.set(key, value);
            }
        }
        self.depth -= 1;
        Some(Go::Map(map.into_pairs()))
    }

    /// The value after a key's `:` (byte `after`) in a mapping at column `m`.
    #[allow(clippy::cast_possible_wrap)] // columns of real text
    fn parse_value(&mut self, after: usize, m: usize) -> Option<Go> {
        let b = self.b;
        let mut i = after;
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
        if self.rest_is_empty(after) {
            self.skip_line_from(i);
            return self.parse_block_value(m as isize, true);
        }
        match b[i] {
            b'|' | b'>' => self.block_scalar(i, m as isize),
            b'[' | b'{' => {
                let (v, end) = self.flow(i)?;
                self.finish_line(end)?;
                Some(v)
            }
            _ => match self.scalar_or_key(i, m as isize)? {
                // `a: b: c` is an error.
                Item::Key(..) => None,
                Item::Value(v, end) => {
                    self.finish_line(end)?;
                    Some(v)
                }
                Item::Plain(text_end) => self.plain_lines(i, text_end, m as isize),
            },
        }
    }

    /// A plain scalar in block context whose first line holds bytes `start..end` (trailing
    /// blanks included), inside a block collection at column `n`: the lines below indented
    /// more than `n` continue it (folded: one line break is a space, more keep all but the
    /// first), up to a comment or a less indented line.
    fn plain_lines(&mut self, start: usize, end: usize, n: isize) -> Option<Go> {
        let b = self.b;
        let first = self.s[start..end].trim_end_matches(' ');
        if b.get(end) == Some(&b' ') {
            // Ends with a comment: the scalar ends on this line (a line below indented more
            // than `n` is then an error, which the enclosing collection declines).
            self.finish_line(end)?;
            return Some(self.scalar(first));
        }
        // A skim below the top level reads continuation lines without keeping them: folded
        // text is a string whatever it says.
        let build = self.wants_text();
        let mut multi = false;
        let mut text: Option<String> = None;
        // `p` is the start of the line after the text read so far.
        let mut p = match memchr::memchr(b'\n', &b[end..]) {
            Some(k) => end + k + 1,
            None => b.len(),
        };
        loop {
            // Empty lines, then the next line's indentation.
            let mut breaks = 0usize;
            let (col, from) = loop {
                let k = skip_spaces(b, p);
                match b.get(k) {
                    Some(b'\n') => p = k + 1,
                    Some(b'\r') => p = k + 2,
                    _ => break (k - p, k),
                }
                breaks += 1;
            };
            #[allow(clippy::cast_possible_wrap)] // columns of real text
            let continues = col as isize > n && !matches!(b.get(from), None | Some(b'#'));
            if !continues {
                self.pos = p;
                self.partial = None;
                return Some(match text {
                    // Folded text holds a blank or a break, which no YAML 1.1 value but a
                    // string does; resolved all the same, as the full loader resolves it.
                    Some(t) => plain_scalar(&t),
                    None if multi => Go::Str(String::new()),
                    None => self.scalar(first),
                });
            }
            // The root has no indentation to stop at: document markers end it instead.
            if n < 0 {
                return None;
            }
            multi = true;
            if build {
                let t = text.get_or_insert_with(|| first.to_string());
                if breaks == 0 {
                    t.push(' ');
                } else {
                    push_breaks(t, breaks);
                }
            }
            // The line's text: up to ` #` or its end; `: ` would make it a key (an error).
            let mut j = from;
            let comment = loop {
                j += b[j..]
                    .iter()
                    .position(|&c| matches!(c, b'\n' | b'\r' | b':' | b'#'))
                    .unwrap_or(b.len() - j);
                match b.get(j) {
                    None | Some(b'\n' | b'\r') => break false,
                    Some(b':') if is_blank_or_end(b.get(j + 1)) => return None,
                    // The line's first byte is no `#` (that line would not continue it).
                    Some(b'#') if b[j - 1] == b' ' => {
                        j -= 1;
                        break true;
                    }
                    _ => j += 1,
                }
            };
            if let Some(t) = text.as_mut() {
                t.push_str(self.s[from..j].trim_end_matches(' '));
            }
            if comment {
                self.finish_line(j)?;
                return Some(match text {
                    Some(t) => plain_scalar(&t),
                    None => Go::Str(String::new()),
                });
            }
            p = match memchr::memchr(b'\n', &b[j..]) {
                Some(k) => j + k + 1,
                None => b.len(),
            };
        }
    }

    /// A scalar at byte `i` (a quoted one may go on over the lines below indented more than
    /// `n`), or a mapping key (a scalar on one line followed by `:` and a blank).
    fn scalar_or_key(&self, i: usize, n: isize) -> Option<Item> {
        let b = self.b;
        let (value, end) = match b[i] {
            b'\'' | b'"' => self.quoted(i, Some(n))?,
            _ => return self.plain(i),
        };
        let mut j = end;
        while b.get(j) == Some(&b' ') {
            j += 1;
        }
        if b.get(j) == Some(&b':') {
            // A key must be on one line.
            let one_line = memchr::memchr(b'\n', &b[i..j]).is_none();
            if !is_blank_or_end(b.get(j + 1)) || j - i > MAX_KEY_BYTES || !one_line {
                return None;
            }
            return Some(Item::Key(Go::Str(value), j + 1));
        }
        Some(Item::Value(Go::Str(value), end))
    }

    /// A plain scalar on one line at byte `i`: up to a `: ` (a key), a ` #` or the line's end.
    fn plain(&self, i: usize) -> Option<Item> {
        let b = self.b;
        match b[i] {
            // `- ` is a sequence entry, not a scalar.
            b'-' if is_blank_or_end(b.get(i + 1)) => return None,
            b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|'
            | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`' => return None,
            _ => {}
        }
        let mut j = i + 1;
        loop {
            // Skip to the next byte that may end the scalar.
            j += b[j..]
                .iter()
                .position(|&c| matches!(c, b'\n' | b'\r' | b':' | b'#'))
                .unwrap_or(b.len() - j);
            match b.get(j) {
                None | Some(b'\n' | b'\r') => break,
                Some(b':') if is_blank_or_end(b.get(j + 1)) => {
                    let text = self.s[i..j].trim_end_matches(' ');
                    // `<<` is a merge key.
                    if j - i > MAX_KEY_BYTES || text == "<<" {
                        return None;
                    }
                    return Some(Item::Key(self.scalar(text), j + 1));
                }
                // A comment: the scalar ends at the blank before it.
                Some(b'#') if b[j - 1] == b' ' => {
                    j -= 1;
                    break;
                }
                _ => j += 1,
            }
        }
        Some(Item::Plain(j))
    }

    /// A quoted scalar at byte `i`: its text and the byte after the closing quote. With `n`
    /// (the column of the enclosing block collection) it may go on over the lines below
    /// indented more than `n`, folded as the full loader folds it (blanks around a line break
    /// dropped; one break is a space, more keep all but the first); without, it must close on
    /// its line.
    fn quoted(&self, i: usize, n: Option<isize>) -> Option<(String, usize)> {
        let b = self.b;
        let single = b[i] == b'\'';
        let mut out = String::new();
        let mut seg = i + 1;
        let mut j = seg;
        loop {
            let found = if single {
                memchr::memchr2(b'\'', b'\n', &b[j..])
            } else {
                memchr::memchr3(b'"', b'\\', b'\n', &b[j..])
            };
            j += found?;
            match b[j] {
                b'\'' if b.get(j + 1) == Some(&b'\'') => {
                    out.push_str(&self.s[seg..=j]);
                    j += 2;
                    seg = j;
                }
                b'\'' | b'"' => {
                    out.push_str(&self.s[seg..j]);
                    return Some((out, j + 1));
                }
                b'\\' => {
                    out.push_str(&self.s[seg..j]);
                    let (c, len) = self.escape(j + 1)?;
                    out.push(c);
                    j += 1 + len;
                    seg = j;
                }
                _ => {
                    // A line break: the line's trailing blanks go (not escaped ones).
                    // At the root, document markers would end it: left to the full loader.
                    let n = n.filter(|&n| n >= 0)?;
                    let end = if b[j - 1] == b'\r' { j - 1 } else { j };
                    out.push_str(self.s[seg..end.max(seg)].trim_end_matches(' '));
                    let mut breaks = 0usize;
                    let mut p = j + 1;
                    let from = loop {
                        let k = skip_spaces(b, p);
                        match b.get(k) {
                            None => return None,
                            Some(b'\n') => p = k + 1,
                            Some(b'\r') => p = k + 2,
                            #[allow(clippy::cast_possible_wrap)] // columns of real text
                            Some(_) if ((k - p) as isize) <= n => return None,
                            Some(_) => break k,
                        }
                        breaks += 1;
                    };
                    if breaks == 0 {
                        out.push(' ');
                    } else {
                        push_breaks(&mut out, breaks);
                    }
                    seg = from;
                    j = from;
                }
            }
        }
    }

    /// The escape after a `\` at byte `i`: the character and how many bytes it took.
    fn escape(&self, i: usize) -> Option<(char, usize)> {
        let b = self.b;
        let c = match *b.get(i)? {
            b'0' => '\0',
            b'a' => '\x07',
            b'b' => '\x08',
            b't' => '\t',
            b'n' => '\n',
            b'v' => '\x0b',
            b'f' => '\x0c',
            b'r' => '\r',
            b'e' => '\x1b',
            b' ' => ' ',
            b'"' => '"',
            b'/' => '/',
            b'\\' => '\\',
            b'N' => '\u{85}',
            b'_' => '\u{a0}',
            b'L' => '\u{2028}',
            b'P' => '\u{2029}',
            b'x' => return self.hex_escape(i + 1, 2),
            b'u' => return self.hex_escape(i + 1, 4),
            b'U' => return self.hex_escape(i + 1, 8),
            _ => return None,
        };
        Some((c, 1))
    }

    fn hex_escape(&self, i: usize, digits: usize) -> Option<(char, usize)> {
        let hex = self.b.get(i..i + digits)?;
        if !hex.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        let code = u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
        Some((char::from_u32(code)?, 1 + digits))
    }

    /// A literal (`|`) or folded (`>`) block scalar whose header is at byte `i`, inside a
    /// block collection at column `n`. The algorithm is the full loader's (`saphyr-parser`'s
    /// `scan_block_scalar`) for the cases taken: no indentation indicator, at least one
    /// content line, a final line break.
    fn block_scalar(&mut self, i: usize, n: isize) -> Option<Go> {
        let b = self.b;
        let folded = b[i] == b'>';
        let mut j = i + 1;
        let chomp = match b.get(j) {
            Some(b'-') => {
                j += 1;
                Chomp::Strip
            }
            Some(b'+') => {
                j += 1;
                Chomp::Keep
            }
            _ => Chomp::Clip,
        };
        // An indentation indicator, or anything else after the header, is left to the full
        // loader; so is a `#` not separated from the header.
        if !matches!(b.get(j), None | Some(b' ' | b'\n' | b'\r')) || !self.rest_is_empty(j) {
            return None;
        }
        let mut p = match memchr::memchr(b'\n', &b[j..]) {
            Some(k) => j + k + 1,
            None => return None,
        };
        // Leading empty lines; the first content line sets the indentation.
        let mut trailing_breaks = 0usize;
        let mut max_blank = 0usize;
        let indent = loop {
            let k = skip_spaces(b, p);
            match b.get(k) {
                None => return None,
                Some(b'\n') => {
                    max_blank = max_blank.max(k - p);
                    trailing_breaks += 1;
                    p = k + 1;
                }
                Some(b'\r') => {
                    max_blank = max_blank.max(k - p);
                    trailing_breaks += 1;
                    p = k + 2;
                }
                Some(_) => break k - p,
            }
        };
        #[allow(clippy::cast_possible_wrap)] // columns of real text
        if max_blank > indent || indent as isize <= n {
            return None;
        }
        let mut out = String::new();
        // A skim below the top level reads the lines without keeping them.
        let build = self.wants_text();
        let mut leading_break = false;
        let mut leading_blank = false;
        loop {
            // `p` starts a content line of at least `indent` spaces.
            let start = p + indent;
            let trailing_blank = b[start] == b' ';
            if !build {
            } else if folded && leading_break && !leading_blank && !trailing_blank {
                if trailing_breaks == 0 {
                    out.push(' ');
                }
            } else if leading_break {
                out.push('\n');
            }
            if build {
                push_breaks(&mut out, trailing_breaks);
            }
            trailing_breaks = 0;
            leading_blank = trailing_blank;
            let eol = start + memchr::memchr(b'\n', &b[start..])?;
            let end = if b[eol - 1] == b'\r' { eol - 1 } else { eol };
            if build {
                out.push_str(&self.s[start..end]);
            }
            leading_break = true;
            p = eol + 1;
            // Empty lines, then the next line: content when indented enough.
            let more = loop {
                let mut k = p;
                while k - p < indent && b.get(k) == Some(&b' ') {
                    k += 1;
                }
                match b.get(k) {
                    None if k == p => break false,
                    None => return None,
                    Some(b'\n') => {
                        trailing_breaks += 1;
                        p = k + 1;
                    }
                    Some(b'\r') => {
                        trailing_breaks += 1;
                        p = k + 2;
                    }
                    Some(_) => break k - p == indent,
                }
            };
            if !more {
                break;
            }
        }
        if build && chomp != Chomp::Strip && leading_break {
            out.push('\n');
        }
        if build && chomp == Chomp::Keep {
            push_breaks(&mut out, trailing_breaks);
        }
        self.pos = p;
        self.partial = None;
        Some(Go::Str(out))
    }

    /// A flow collection on one line at byte `i`; its value and the byte after it.
    fn flow(&mut self, i: usize) -> Option<(Go, usize)> {
        self.enter()?;
        let b = self.b;
        let close = if b[i] == b'[' { b']' } else { b'}' };
        let mut j = self.skip_spaces(i + 1);
        let mut items = Vec::new();
        let mut map = MapBuilder::default();
        if b.get(j) != Some(&close) {
            loop {
                if close == b'}' {
                    let (key, end) = self.flow_scalar(j, true)?;
                    // `: ` with a blank; a key without a value is left to the full loader.
                    if b.get(end) != Some(&b':') || b.get(end + 1) != Some(&b' ') {
                        return None;
                    }
                    let (value, end) = self.flow_node(self.skip_spaces(end + 1))?;
                    map.set(key, value);
                    j = self.skip_spaces(end);
                } else {
                    let (value, end) = self.flow_node(j)?;
                    items.push(value);
                    j = self.skip_spaces(end);
                }
                match b.get(j) {
                    Some(b',') => {
                        j = self.skip_spaces(j + 1);
                        // A trailing comma is left to the full loader.
                        if b.get(j) == Some(&close) {
                            return None;
                        }
                    }
                    Some(&c) if c == close => break,
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        let value = if close == b']' {
            Go::Seq(items)
        } else {
            Go::Map(map.into_pairs())
        };
        Some((value, j + 1))
    }

    fn skip_spaces(&self, i: usize) -> usize {
        skip_spaces(self.b, i)
    }

    fn flow_node(&mut self, i: usize) -> Option<(Go, usize)> {
        match self.b.get(i)? {
            b'[' | b'{' => self.flow(i),
            _ => self.flow_scalar(i, false),
        }
    }

    /// A scalar inside a flow collection; a key stops at its `:`, which must follow at once.
    fn flow_scalar(&self, i: usize, key: bool) -> Option<(Go, usize)> {
        let b = self.b;
        let (value, end) = match *b.get(i)? {
            b'\'' | b'"' => {
                let (s, e) = self.quoted(i, None)?;
                (Go::Str(s), e)
            }
            c => {
                let plain_start = match c {
                    b'-' => b
                        .get(i + 1)
                        .is_some_and(|n| n.is_ascii_alphanumeric() || *n == b'.'),
                    b'?' | b':' | b',' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!'
                    | b'|' | b'>' | b'\'' | b'"' | b'%' | b'@' | b'`' | b' ' | b'\n' | b'\r' => {
                        false
                    }
                    _ => true,
                };
                if !plain_start {
                    return None;
                }
                let mut j = i + 1;
                loop {
                    match b.get(j) {
                        None | Some(b'\n' | b'\r' | b'#') => return None,
                        Some(b',' | b'[' | b']' | b'{' | b'}') => break,
                        Some(b':') if key => break,
                        Some(b':') => return None,
                        // The full loader refuses `-` before a flow indicator (`[a -]`).
                        Some(b'-')
                            if matches!(b.get(j + 1), Some(b',' | b'[' | b']' | b'{' | b'}')) =>
                        {
                            return None
                        }
                        _ => j += 1,
                    }
                }
                let text = self.s[i..j].trim_end_matches(' ');
                if key && text == "<<" {
                    return None;
                }
                return Some((plain_scalar(text), i + text.len()));
            }
        };
        // What may follow (blanks, `,`, the closing bracket, a key's `:` at once) is checked
        // by the collection.
        Some((value, end))
    }
}

fn push_breaks(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push('\n');
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Chomp {
    Strip,
    Clip,
    Keep,
}

enum Item {
    /// A key and the byte after its `:`.
    Key(Go, usize),
    /// A quoted scalar and the byte after it.
    Value(Go, usize),
    /// A plain scalar's first line, up to this byte (its end, or the blank before a `#`).
    Plain(usize),
}

#[cfg(test)]
#[path = "fast_tests.rs"]
mod tests;
