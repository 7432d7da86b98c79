//! Splits template text into tokens exactly as Go's `text/template/parse` lexer does: text,
//! `{{`/`}}` with trim markers, comments, and the words of actions. Lexing stops at the first
//! error, which becomes an [`Tok::Error`] token the parser reports in Go's words.

/// What a token is (Go's `itemType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tok {
    Error,
    Bool,
    Char,
    CharConstant,
    Complex,
    Assign,
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Variable,
    // Keywords.
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

impl Tok {
    pub fn is_keyword(self) -> bool {
        matches!(
            self,
            Tok::Block
                | Tok::Break
                | Tok::Continue
                | Tok::Dot
                | Tok::Define
                | Tok::Else
                | Tok::End
                | Tok::If
                | Tok::Nil
                | Tok::Range
                | Tok::Template
                | Tok::With
        )
    }
}

/// One token: its kind and where its text is. Tokens borrow nothing and own nothing, so
/// lexing allocates only the token list; the text of a token is [`Lexed::val`].
#[derive(Clone, Copy, Debug)]
pub struct Token {
    pub kind: Tok,
    /// Byte offset of the token in the template text.
    pub pos: u32,
    /// Byte offset just past the token.
    pub end: u32,
    /// 1-based line where the token starts.
    pub line: u32,
}

/// The tokens of one text, and the message of the error token that ends them, if any.
#[derive(Debug)]
pub struct Lexed {
    pub tokens: Vec<Token>,
    pub error: String,
}

impl Lexed {
    /// The token's text (for an error token, the message).
    pub fn val<'a>(&'a self, text: &'a str, t: &Token) -> &'a str {
        if t.kind == Tok::Error {
            &self.error
        } else {
            &text[t.pos as usize..t.end as usize]
        }
    }
}

const LEFT: &str = "{{";
const RIGHT: &str = "}}";
const LEFT_COMMENT: &str = "/*";
const RIGHT_COMMENT: &str = "*/";

#[inline]
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

#[inline]
fn is_alnum(c: char) -> bool {
    if c.is_ascii() {
        return c == '_' || c.is_ascii_alphanumeric();
    }
    c.is_alphabetic() || c.is_numeric()
}

/// How many newlines `s` holds (a plain byte count, which the compiler vectorises).
fn count_newlines(s: &str) -> u32 {
    s.bytes().filter(|&b| b == b'\n').count() as u32
}

fn has_left_trim(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == b'-' && is_space(b[1] as char)
}

fn has_right_trim(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && is_space(b[0] as char) && b[1] == b'-'
}

/// Lexes `text` completely; the last token is `Eof` or `Error`.
pub fn lex(text: &str) -> Lexed {
    let mut l = Lexer {
        input: text,
        start: 0,
        pos: 0,
        line: 1,
        start_line: 1,
        paren_depth: 0,
        // About one token per eight bytes in real templates.
        out: Vec::with_capacity(text.len() / 8 + 4),
        error: String::new(),
    };
    l.run();
    Lexed {
        tokens: l.out,
        error: l.error,
    }
}

struct Lexer<'a> {
    input: &'a str,
    start: usize,
    pos: usize,
    line: u32,
    start_line: u32,
    paren_depth: i32,
    out: Vec<Token>,
    error: String,
}

enum State {
    Text,
    LeftDelim,
    Comment,
    RightDelim,
    InsideAction,
    Done,
}

impl Lexer<'_> {
    #[inline]
    fn rest(&self) -> &str {
        &self.input[self.pos..]
    }

    #[inline]
    fn peek(&self) -> Option<char> {
        let b = *self.input.as_bytes().get(self.pos)?;
        if b.is_ascii() {
            return Some(char::from(b));
        }
        self.rest().chars().next()
    }

    #[inline]
    fn next(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        if c == '\n' {
            self.line += 1;
        }
        Some(c)
    }

    #[inline]
    fn backup(&mut self, c: Option<char>) {
        if let Some(c) = c {
            self.pos -= c.len_utf8();
            if c == '\n' {
                self.line -= 1;
            }
        }
    }

    #[inline]
    fn emit(&mut self, kind: Tok) {
        self.out.push(Token {
            kind,
            pos: self.start as u32,
            end: self.pos as u32,
            line: self.start_line,
        });
        self.start = self.pos;
        self.start_line = self.line;
    }

    fn ignore(&mut self) {
        self.start = self.pos;
        self.start_line = self.line;
    }

    /// Skips to `pos` without emitting, counting newlines.
    fn skip_to(&mut self, pos: usize) {
        self.line += count_newlines(&self.input[self.pos..pos]);
        self.pos = pos;
    }

    fn error(&mut self, msg: String) -> State {
        self.out.push(Token {
            kind: Tok::Error,
            pos: self.start as u32,
            end: self.start as u32,
            line: self.start_line,
        });
        self.error = msg;
        State::Done
    }

    /// Where the next `{{` is, relative to `pos`.
    fn find_left(&self) -> Option<usize> {
        let rest = self.rest();
        let bytes = rest.as_bytes();
        let mut from = 0;
        while let Some(x) = rest[from..].find('{') {
            let at = from + x;
            if bytes.get(at + 1) == Some(&b'{') {
                return Some(at);
            }
            from = at + 1;
        }
        None
    }

    fn accept(&mut self, valid: &str) -> bool {
        match self.peek() {
            Some(c) if valid.contains(c) => {
                self.next();
                true
            }
            _ => false,
        }
    }

    fn accept_run(&mut self, valid: &str) {
        while self.accept(valid) {}
    }

    fn run(&mut self) {
        let mut state = State::Text;
        loop {
            state = match state {
                State::Text => self.lex_text(),
                State::LeftDelim => self.lex_left_delim(),
                State::Comment => self.lex_comment(),
                State::RightDelim => self.lex_right_delim(),
                State::InsideAction => self.lex_inside_action(),
                State::Done => return,
            };
        }
    }

    fn lex_text(&mut self) -> State {
        if let Some(x) = self.find_left() {
            if x > 0 {
                let delim_pos = self.pos + x;
                let mut text_end = delim_pos;
                if has_left_trim(&self.input[delim_pos + LEFT.len()..]) {
                    text_end = self.input[self.start..delim_pos]
                        .trim_end_matches(is_space)
                        .len()
                        + self.start;
                }
                self.skip_to(text_end);
                if text_end > self.start {
                    self.emit(Tok::Text);
                }
                self.skip_to(delim_pos);
                self.ignore();
            }
            return State::LeftDelim;
        }
        let end = self.input.len();
        self.skip_to(end);
        if self.pos > self.start {
            self.emit(Tok::Text);
        }
        self.emit(Tok::Eof);
        State::Done
    }

    fn lex_left_delim(&mut self) -> State {
        self.pos += LEFT.len();
        let trim = has_left_trim(self.rest());
        let after = if trim { 2 } else { 0 };
        if self.input[self.pos + after..].starts_with(LEFT_COMMENT) {
            self.skip_to(self.pos + after);
            self.ignore();
            return State::Comment;
        }
        self.emit(Tok::LeftDelim);
        self.skip_to(self.pos + after);
        self.ignore();
        self.paren_depth = 0;
        State::InsideAction
    }

    #[inline]
    fn at_right_delim(&self) -> (bool, bool) {
        let rest = self.rest().as_bytes();
        match rest.first() {
            Some(b'}') => (rest.get(1) == Some(&b'}'), false),
            Some(&c) if is_space(char::from(c)) => {
                let trim = rest.len() >= 4 && rest[1] == b'-' && rest[2..4] == *RIGHT.as_bytes();
                (trim, trim)
            }
            _ => (false, false),
        }
    }

    fn lex_comment(&mut self) -> State {
        self.pos += LEFT_COMMENT.len();
        // Comments run to hundreds of bytes in library charts: a vectorised search.
        let Some(x) = memchr::memmem::find(self.rest().as_bytes(), RIGHT_COMMENT.as_bytes()) else {
            return self.error("unclosed comment".into());
        };
        self.skip_to(self.pos + x + RIGHT_COMMENT.len());
        let (delim, trim) = self.at_right_delim();
        if !delim {
            return self.error("comment ends before closing delimiter".into());
        }
        if trim {
            self.skip_to(self.pos + 2);
        }
        self.pos += RIGHT.len();
        if trim {
            let n = self.rest().len() - self.rest().trim_start_matches(is_space).len();
            self.skip_to(self.pos + n);
        }
        self.ignore();
        State::Text
    }

    fn lex_right_delim(&mut self) -> State {
        let (_, trim) = self.at_right_delim();
        if trim {
            self.skip_to(self.pos + 2);
            self.ignore();
        }
        self.pos += RIGHT.len();
        self.emit(Tok::RightDelim);
        if trim {
            let n = self.rest().len() - self.rest().trim_start_matches(is_space).len();
            self.skip_to(self.pos + n);
            self.ignore();
        }
        State::Text
    }

    fn lex_inside_action(&mut self) -> State {
        let (delim, _) = self.at_right_delim();
        if delim {
            if self.paren_depth == 0 {
                return State::RightDelim;
            }
            return self.error("unclosed left paren".into());
        }
        let r = self.next();
        match r {
            None => return self.error("unclosed action".into()),
            Some(c) if is_space(c) => {
                self.backup(r);
                return self.lex_space();
            }
            Some('=') => self.emit(Tok::Assign),
            Some(':') => {
                if self.next() != Some('=') {
                    return self.error("expected :=".into());
                }
                self.emit(Tok::Declare);
            }
            Some('|') => self.emit(Tok::Pipe),
            Some('"') => return self.lex_quote(),
            Some('`') => return self.lex_raw_quote(),
            Some('$') => return self.lex_variable(),
            Some('\'') => return self.lex_char(),
            Some('.') => match self.rest().as_bytes().first() {
                Some(b) if b.is_ascii_digit() => {
                    self.backup(r);
                    return self.lex_number();
                }
                _ => return self.lex_field_or_variable(Tok::Field),
            },
            Some(c) if c == '+' || c == '-' || c.is_ascii_digit() => {
                self.backup(r);
                return self.lex_number();
            }
            Some(c) if is_alnum(c) => {
                self.backup(r);
                return self.lex_identifier();
            }
            Some('(') => {
                self.emit(Tok::LeftParen);
                self.paren_depth += 1;
            }
            Some(')') => {
                self.paren_depth -= 1;
                if self.paren_depth < 0 {
                    return self.error("unexpected right paren".into());
                }
                self.emit(Tok::RightParen);
            }
            Some(c) if c.is_ascii() && !c.is_ascii_control() => self.emit(Tok::Char),
            Some(c) => {
                return self.error(format!(
                    "unrecognized character in action: {}",
                    go_rune_u(c)
                ))
            }
        }
        State::InsideAction
    }

    fn lex_space(&mut self) -> State {
        let mut n = 0;
        while let Some(c) = self.peek() {
            if !is_space(c) {
                break;
            }
            self.next();
            n += 1;
        }
        // A trim-marked closing delimiter starts with a space: leave that space to it.
        let before = self.pos - 1;
        let s = &self.input[before..];
        if has_right_trim(s) && s[2..].starts_with(RIGHT) {
            let c = self.input[before..].chars().next();
            self.backup(c);
            if n == 1 {
                return State::InsideAction;
            }
        }
        self.emit(Tok::Space);
        State::InsideAction
    }

    fn at_terminator(&self) -> bool {
        match self.peek() {
            None => true,
            Some(c) if is_space(c) => true,
            Some('.' | ',' | '|' | ':' | ')' | '(') => true,
            _ => self.rest().starts_with(RIGHT),
        }
    }

    /// Skips a run of ASCII letters, digits and `_` (no newline among them) a byte at a
    /// time; words are nearly always ASCII, and the character loops finish the rest.
    #[inline]
    fn skip_ascii_word(&mut self) {
        let bytes = self.input.as_bytes();
        let mut p = self.pos;
        while p < bytes.len() && (bytes[p].is_ascii_alphanumeric() || bytes[p] == b'_') {
            p += 1;
        }
        self.pos = p;
    }

    fn lex_identifier(&mut self) -> State {
        self.skip_ascii_word();
        loop {
            let r = self.next();
            match r {
                Some(c) if is_alnum(c) => {}
                _ => {
                    self.backup(r);
                    if !self.at_terminator() {
                        return self.bad_char(r);
                    }
                    let word = &self.input[self.start..self.pos];
                    let kind = match word {
                        "block" => Tok::Block,
                        "break" => Tok::Break,
                        "continue" => Tok::Continue,
                        "define" => Tok::Define,
                        "else" => Tok::Else,
                        "end" => Tok::End,
                        "if" => Tok::If,
                        "range" => Tok::Range,
                        "nil" => Tok::Nil,
                        "template" => Tok::Template,
                        "with" => Tok::With,
                        "true" | "false" => Tok::Bool,
                        _ => Tok::Identifier,
                    };
                    self.emit(kind);
                    return State::InsideAction;
                }
            }
        }
    }

    fn bad_char(&mut self, r: Option<char>) -> State {
        let c = r.map_or_else(|| "U+FFFFFFFF".to_string(), go_rune_u);
        self.error(format!("bad character {c}"))
    }

    fn lex_variable(&mut self) -> State {
        if self.at_terminator() {
            self.emit(Tok::Variable);
            return State::InsideAction;
        }
        self.lex_field_or_variable(Tok::Variable)
    }

    fn lex_field_or_variable(&mut self, kind: Tok) -> State {
        if self.at_terminator() {
            self.emit(if kind == Tok::Variable {
                Tok::Variable
            } else {
                Tok::Dot
            });
            return State::InsideAction;
        }
        let mut r;
        self.skip_ascii_word();
        loop {
            r = self.next();
            match r {
                Some(c) if is_alnum(c) => {}
                _ => {
                    self.backup(r);
                    break;
                }
            }
        }
        if !self.at_terminator() {
            let r = self.peek();
            return self.bad_char(r);
        }
        self.emit(kind);
        State::InsideAction
    }

    fn lex_char(&mut self) -> State {
        loop {
            match self.next() {
                Some('\\') => {
                    let r = self.next();
                    if r.is_some() && r != Some('\n') {
                        continue;
                    }
                    return self.error("unterminated character constant".into());
                }
                None | Some('\n') => {
                    return self.error("unterminated character constant".into());
                }
                Some('\'') => break,
                _ => {}
            }
        }
        self.emit(Tok::CharConstant);
        State::InsideAction
    }

    fn lex_number(&mut self) -> State {
        if !self.scan_number() {
            let t = self.input[self.start..self.pos].to_string();
            return self.error(format!("bad number syntax: {}", go_quote(&t)));
        }
        if matches!(self.peek(), Some('+' | '-')) {
            if !self.scan_number() || !self.input[..self.pos].ends_with('i') {
                let t = self.input[self.start..self.pos].to_string();
                return self.error(format!("bad number syntax: {}", go_quote(&t)));
            }
            self.emit(Tok::Complex);
        } else {
            self.emit(Tok::Number);
        }
        State::InsideAction
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if self.peek().is_some_and(is_alnum) {
            self.next();
            return false;
        }
        true
    }

    fn lex_quote(&mut self) -> State {
        loop {
            match self.next() {
                Some('\\') => {
                    let r = self.next();
                    if r.is_some() && r != Some('\n') {
                        continue;
                    }
                    return self.error("unterminated quoted string".into());
                }
                None | Some('\n') => return self.error("unterminated quoted string".into()),
                Some('"') => break,
                _ => {}
            }
        }
        self.emit(Tok::String);
        State::InsideAction
    }

    fn lex_raw_quote(&mut self) -> State {
        loop {
            match self.next() {
                None => return self.error("unterminated raw quoted string".into()),
                Some('`') => break,
                _ => {}
            }
        }
        self.emit(Tok::RawString);
        State::InsideAction
    }
}

/// Go's `%#U` of a rune: `U+0023 '#'`.
pub fn go_rune_u(c: char) -> String {
    if c.is_control() {
        format!("U+{:04X}", c as u32)
    } else {
        format!("U+{:04X} '{}'", c as u32, c)
    }
}

/// Go's `strconv.Quote` (`%q` of a string), as error messages quote names and texts.
pub fn go_quote(s: &str) -> String {
    super::gofmt::quote(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(s: &str) -> Vec<(Tok, String)> {
        let l = lex(s);
        l.tokens
            .iter()
            .map(|t| (t.kind, l.val(s, t).to_string()))
            .collect()
    }

    fn last_val(s: &str) -> String {
        let l = lex(s);
        l.val(s, l.tokens.last().unwrap()).to_string()
    }

    #[test]
    fn trims_around_markers() {
        let k = kinds("a  {{- .x -}}  b");
        assert_eq!(k[0], (Tok::Text, "a".into()));
        assert_eq!(k[2], (Tok::Field, ".x".into()));
        assert_eq!(k[4], (Tok::Text, "b".into()));
    }

    #[test]
    fn comment_is_dropped() {
        let k = kinds("x {{- /* c */ -}} y");
        assert_eq!(
            k,
            vec![
                (Tok::Text, "x".into()),
                (Tok::Text, "y".into()),
                (Tok::Eof, "".into())
            ]
        );
    }

    #[test]
    fn errors() {
        assert_eq!(last_val("{{ .x"), "unclosed action");
        assert_eq!(last_val("{{ .x-}}"), "bad character U+002D '-'");
        assert_eq!(last_val("{{ \"a }}"), "unterminated quoted string");
    }
}
