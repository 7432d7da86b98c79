//! Builds parse trees from tokens as Go's `text/template/parse` does, with its error texts and
//! line numbers (`template: NAME:LINE: MESSAGE`). Function names are resolved here, once, so
//! execution never looks a name up.

use std::rc::Rc;

use super::ast::{Arg, Branch, Command, Fields, Node, Number, Pipe, StrSource, TemplateCall, Tree};
use super::builtins::Callee;
use super::error::Error;
use super::func::FuncMap;
use super::lexer::{go_quote, lex, Lexed, Tok, Token};
use super::value::Value;

/// How deeply parentheses and control structures may nest before parsing gives up. Go has no
/// limit; no real template comes near this one, which keeps every recursive walk of a tree
/// (execution, printing, dropping) well inside the stack.
const MAX_DEPTH: usize = 1_000;

type PResult<T> = Result<T, Error>;

/// The trees of one parse: the named top-level template first, then each `define`/`block`, in
/// source order. Names are unique (Go's `multiple definition` rule is applied).
pub struct Parsed {
    pub trees: Vec<Tree>,
}

/// Parses `text` as template `name` (Go's `parse.Parse`).
pub fn parse(name: &str, text: &str, funcs: &FuncMap) -> PResult<Parsed> {
    let text: Rc<str> = Rc::from(text);
    let lexed = lex(&text);
    let parse_name: Rc<str> = Rc::from(name);
    let dollar: Rc<str> = Rc::from("$");
    let mut p = Parser {
        lexed,
        idx: 0,
        hi: 0,
        parse_name: parse_name.clone(),
        text: text.clone(),
        funcs,
        vars: vec![dollar.clone()],
        names: Names::default(),
        dollar,
        range_depth: 0,
        action_line: 0,
        depth: 0,
        trees: Vec::new(),
        nodes: Vec::new(),
        cmds: Vec::new(),
        args: Vec::new(),
    };
    let root = stacker::maybe_grow(64 * 1024, 1024 * 1024, || p.parse_top())?;
    p.add(Tree {
        name: parse_name.clone(),
        parse_name,
        text,
        root: root.into(),
    })?;
    // The named template first, as callers expect.
    if let Some(i) = p.trees.iter().position(|t| *t.name == *name) {
        let main = p.trees.remove(i);
        p.trees.insert(0, main);
    }
    Ok(Parsed { trees: p.trees })
}

/// Interns the names of fields and variables within one parse: each distinct name is one
/// allocation, shared by every node that uses it.
#[derive(Default)]
struct Names {
    set: super::fxhash::FxHashSet<Rc<str>>,
}

impl Names {
    fn get(&mut self, name: &str) -> Rc<str> {
        if let Some(n) = self.set.get(name) {
            return n.clone();
        }
        let n: Rc<str> = Rc::from(name);
        self.set.insert(n.clone());
        n
    }
}

enum Item {
    Node(Node),
    End,
    Else,
}

struct Parser<'f> {
    lexed: Lexed,
    idx: usize,
    hi: usize,
    parse_name: Rc<str>,
    text: Rc<str>,
    funcs: &'f FuncMap,
    vars: Vec<Rc<str>>,
    /// Field and variable names, shared by every node that uses them.
    names: Names,
    dollar: Rc<str>,
    range_depth: usize,
    action_line: u32,
    depth: usize,
    trees: Vec<Tree>,
    /// Scratch stacks for the lists being built: a list's items are pushed above those of the
    /// lists that enclose it and moved out, into one exactly sized allocation, when it ends.
    nodes: Vec<Node>,
    cmds: Vec<Command>,
    args: Vec<Arg>,
}

impl Parser<'_> {
    fn tok(&self, i: usize) -> Token {
        // The token list always ends with Eof or Error, which repeat forever.
        let tokens = &self.lexed.tokens;
        tokens[i.min(tokens.len() - 1)]
    }

    /// The text of a token (an error token's message).
    fn val(&self, t: &Token) -> &str {
        self.lexed.val(&self.text, t)
    }

    fn next(&mut self) -> Token {
        let t = self.tok(self.idx);
        self.hi = self.hi.max(self.idx);
        self.idx += 1;
        t
    }

    fn backup(&mut self) {
        self.idx -= 1;
    }

    fn peek(&mut self) -> Token {
        self.hi = self.hi.max(self.idx);
        self.tok(self.idx)
    }

    fn peek_kind(&mut self) -> Tok {
        self.hi = self.hi.max(self.idx);
        self.tok(self.idx).kind
    }

    fn next_non_space(&mut self) -> Token {
        loop {
            let t = self.next();
            if t.kind != Tok::Space {
                return t;
            }
        }
    }

    fn peek_non_space(&mut self) -> Token {
        let t = self.next_non_space();
        self.backup();
        t
    }

    /// Go's `errorf`: the line is that of the last token read.
    fn error(&self, msg: String) -> Error {
        let line = self.tok(self.hi).line as usize;
        Error::parse(&self.parse_name, line, msg)
    }

    fn errorf<T>(&self, msg: String) -> PResult<T> {
        Err(self.error(msg))
    }

    fn unexpected<T>(&self, token: &Token, context: &str) -> PResult<T> {
        if token.kind == Tok::Error {
            let mut extra = String::new();
            if self.action_line != 0 && self.action_line != token.line {
                extra = format!(
                    " in action started at {}:{}",
                    self.parse_name, self.action_line
                );
                if self.val(token).ends_with(" action") {
                    extra = extra[" in action".len()..].to_string();
                }
            }
            return self.errorf(format!("{}{extra}", self.val(token)));
        }
        self.errorf(format!(
            "unexpected {} in {context}",
            item_string(token, self.val(token))
        ))
    }

    fn expect(&mut self, kind: Tok, context: &str) -> PResult<Token> {
        let t = self.next_non_space();
        if t.kind != kind {
            return self.unexpected(&t, context);
        }
        Ok(t)
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.errorf("max nesting depth exceeded".into());
        }
        Ok(())
    }

    /// Go's `Tree.add` into the parse's tree set.
    fn add(&mut self, tree: Tree) -> PResult<()> {
        if let Some(i) = self.trees.iter().position(|t| t.name == tree.name) {
            if self.trees[i].is_empty() {
                self.trees[i] = tree;
                return Ok(());
            }
            if !tree.is_empty() {
                return self.errorf(format!(
                    "template: multiple definition of template {}",
                    go_quote(&tree.name)
                ));
            }
            return Ok(());
        }
        self.trees.push(tree);
        Ok(())
    }

    fn parse_top(&mut self) -> PResult<Box<[Node]>> {
        let mark = self.nodes.len();
        while self.peek_kind() != Tok::Eof {
            if self.peek_kind() == Tok::LeftDelim {
                let save = self.idx;
                self.next();
                if self.next_non_space().kind == Tok::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.idx = save;
            }
            match self.text_or_action()? {
                Item::End => return self.errorf("unexpected {{end}}".into()),
                Item::Else => return self.errorf("unexpected {{else}}".into()),
                Item::Node(n) => self.nodes.push(n),
            }
        }
        Ok(self.nodes.drain(mark..).collect())
    }

    fn parse_definition(&mut self) -> PResult<()> {
        const CONTEXT: &str = "define clause";
        let t = self.next_non_space();
        if t.kind != Tok::String && t.kind != Tok::RawString {
            return self.unexpected(&t, CONTEXT);
        }
        let name = match unquote(self.val(&t)) {
            Ok(n) => n,
            Err(e) => return self.errorf(e),
        };
        self.expect(Tok::RightDelim, CONTEXT)?;
        let saved_vars = std::mem::replace(&mut self.vars, vec![self.dollar.clone()]);
        let saved_range = std::mem::replace(&mut self.range_depth, 0);
        let (root, end) = self.item_list()?;
        self.vars = saved_vars;
        self.range_depth = saved_range;
        if let Item::Else = end {
            return self.errorf(format!("unexpected {{{{else}}}} in {CONTEXT}"));
        }
        self.add(Tree {
            name: Rc::from(name),
            parse_name: self.parse_name.clone(),
            text: self.text.clone(),
            root: root.into(),
        })
    }

    fn item_list(&mut self) -> PResult<(Box<[Node]>, Item)> {
        let mark = self.nodes.len();
        while self.peek_non_space().kind != Tok::Eof {
            match self.text_or_action()? {
                Item::Node(n) => self.nodes.push(n),
                end => return Ok((self.nodes.drain(mark..).collect(), end)),
            }
        }
        self.errorf("unexpected EOF".into())
    }

    fn text_or_action(&mut self) -> PResult<Item> {
        let t = self.next_non_space();
        match t.kind {
            Tok::Text => Ok(Item::Node(Node::Text(t.pos, t.end))),
            Tok::LeftDelim => {
                let saved = self.action_line;
                self.action_line = t.line;
                let r = self.action();
                self.action_line = saved;
                r
            }
            _ => self.unexpected(&t, "input"),
        }
    }

    fn action(&mut self) -> PResult<Item> {
        let t = self.next_non_space();
        match t.kind {
            Tok::Block => return self.block_control().map(Item::Node),
            Tok::Break | Tok::Continue => {
                let brk = t.kind == Tok::Break;
                let word = if brk { "{{break}}" } else { "{{continue}}" };
                let r = self.next_non_space();
                if r.kind != Tok::RightDelim {
                    return self.unexpected(&r, word);
                }
                if self.range_depth == 0 {
                    return self.errorf(format!("{word} outside {{{{range}}}}"));
                }
                return Ok(Item::Node(if brk {
                    Node::Break(t.pos)
                } else {
                    Node::Continue(t.pos)
                }));
            }
            Tok::Else => {
                let p = self.peek_non_space();
                if p.kind == Tok::If || p.kind == Tok::With {
                    return Ok(Item::Else);
                }
                self.expect(Tok::RightDelim, "else")?;
                return Ok(Item::Else);
            }
            Tok::End => {
                self.expect(Tok::RightDelim, "end")?;
                return Ok(Item::End);
            }
            Tok::If => return self.if_control().map(Item::Node),
            Tok::Range => {
                let b = self.parse_control("range")?;
                return Ok(Item::Node(Node::Range(Box::new(b))));
            }
            Tok::Template => return self.template_control().map(Item::Node),
            Tok::With => return self.with_control().map(Item::Node),
            _ => {}
        }
        self.backup();
        let pipe = self.pipeline("command", Tok::RightDelim)?;
        Ok(Item::Node(Node::Action(Box::new(pipe))))
    }

    fn if_control(&mut self) -> PResult<Node> {
        Ok(Node::If(Box::new(self.parse_control("if")?)))
    }

    fn with_control(&mut self) -> PResult<Node> {
        Ok(Node::With(Box::new(self.parse_control("with")?)))
    }

    fn parse_control(&mut self, context: &str) -> PResult<Branch> {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.parse_control_inner(context))
    }

    fn parse_control_inner(&mut self, context: &str) -> PResult<Branch> {
        self.enter()?;
        let vars = self.vars.len();
        let pipe = self.pipeline(context, Tok::RightDelim)?;
        if context == "range" {
            self.range_depth += 1;
        }
        let (list, next) = self.item_list()?;
        if context == "range" {
            self.range_depth -= 1;
        }
        let mut else_list = None;
        if let Item::Else = next {
            if context == "if" && self.peek_kind() == Tok::If {
                self.next();
                else_list = Some(Box::new([self.if_control()?]) as Box<[Node]>);
            } else if context == "with" && self.peek_kind() == Tok::With {
                self.next();
                else_list = Some(Box::new([self.with_control()?]) as Box<[Node]>);
            } else {
                let (l, next) = self.item_list()?;
                if let Item::Else = next {
                    return self.errorf("expected end; found {{else}}".into());
                }
                else_list = Some(l);
            }
        }
        self.vars.truncate(vars);
        self.depth -= 1;
        Ok(Branch {
            pipe,
            list,
            else_list,
        })
    }

    fn parse_template_name(&mut self, t: &Token, context: &str) -> PResult<String> {
        match t.kind {
            Tok::String | Tok::RawString => match unquote(self.val(t)) {
                Ok(s) => Ok(s),
                Err(e) => self.errorf(e),
            },
            _ => self.unexpected(t, context),
        }
    }

    fn template_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "template clause";
        let t = self.next_non_space();
        let name = self.parse_template_name(&t, CONTEXT)?;
        let mut pipe = None;
        if self.next_non_space().kind != Tok::RightDelim {
            self.backup();
            pipe = Some(self.pipeline(CONTEXT, Tok::RightDelim)?);
        }
        Ok(Node::Template(Box::new(TemplateCall {
            pos: t.pos,
            name: Rc::from(name),
            pipe,
        })))
    }

    fn block_control(&mut self) -> PResult<Node> {
        const CONTEXT: &str = "block clause";
        let t = self.next_non_space();
        let name = self.parse_template_name(&t, CONTEXT)?;
        let pipe = self.pipeline(CONTEXT, Tok::RightDelim)?;
        self.enter()?;
        let saved_vars = std::mem::replace(&mut self.vars, vec![self.dollar.clone()]);
        let saved_range = std::mem::replace(&mut self.range_depth, 0);
        let (root, end) = self.item_list()?;
        self.vars = saved_vars;
        self.range_depth = saved_range;
        self.depth -= 1;
        if let Item::Else = end {
            return self.errorf(format!("unexpected {{{{else}}}} in {CONTEXT}"));
        }
        let name: Rc<str> = Rc::from(name);
        self.add(Tree {
            name: name.clone(),
            parse_name: self.parse_name.clone(),
            text: self.text.clone(),
            root: root.into(),
        })?;
        Ok(Node::Template(Box::new(TemplateCall {
            pos: t.pos,
            name,
            pipe: Some(pipe),
        })))
    }

    fn pipeline(&mut self, context: &str, end: Tok) -> PResult<Pipe> {
        stacker::maybe_grow(64 * 1024, 1024 * 1024, || self.pipeline_inner(context, end))
    }

    fn pipeline_inner(&mut self, context: &str, end: Tok) -> PResult<Pipe> {
        self.enter()?;
        let first = self.peek_non_space();
        let pos = first.pos;
        let mut is_assign = false;
        let mut decl: Vec<Rc<str>> = Vec::new();
        'decls: loop {
            let v = self.peek_non_space();
            if v.kind != Tok::Variable {
                break;
            }
            let save = self.idx;
            self.next();
            let after = self.peek();
            let next = self.peek_non_space();
            if next.kind == Tok::Assign || next.kind == Tok::Declare {
                is_assign = next.kind == Tok::Assign;
                self.next_non_space();
                let name = self.names.get(self.lexed.val(&self.text, &v));
                decl.push(name.clone());
                self.vars.push(name);
                break;
            } else if next.kind == Tok::Char && self.val(&next) == "," {
                self.next_non_space();
                let name = self.names.get(self.lexed.val(&self.text, &v));
                decl.push(name.clone());
                self.vars.push(name);
                if context == "range" && decl.len() < 2 {
                    match self.peek_non_space().kind {
                        Tok::Variable | Tok::RightDelim | Tok::RightParen => continue 'decls,
                        _ => return self.errorf("range can only initialize variables".into()),
                    }
                }
                return self.errorf(format!("too many declarations in {context}"));
            } else {
                let _ = after;
                self.idx = save;
                break;
            }
        }
        let mark = self.cmds.len();
        loop {
            let t = self.next_non_space();
            match t.kind {
                k if k == end => {
                    let pipe = Pipe {
                        pos,
                        is_assign,
                        decl: decl.into_boxed_slice(),
                        cmds: self.cmds.drain(mark..).collect(),
                    };
                    self.check_pipeline(&pipe, context)?;
                    self.depth -= 1;
                    return Ok(pipe);
                }
                Tok::Bool
                | Tok::CharConstant
                | Tok::Complex
                | Tok::Dot
                | Tok::Field
                | Tok::Identifier
                | Tok::Number
                | Tok::Nil
                | Tok::RawString
                | Tok::String
                | Tok::Variable
                | Tok::LeftParen => {
                    self.backup();
                    let c = self.command()?;
                    self.cmds.push(c);
                }
                _ => return self.unexpected(&t, context),
            }
        }
    }

    fn check_pipeline(&self, pipe: &Pipe, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return self.errorf(format!("missing value for {context}"));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args[0],
                Arg::Bool(..) | Arg::Dot(_) | Arg::Nil(_) | Arg::Number(..) | Arg::String(..)
            ) {
                return self.errorf(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                ));
            }
        }
        Ok(())
    }

    fn command(&mut self) -> PResult<Command> {
        let pos = self.peek_non_space().pos;
        let mark = self.args.len();
        loop {
            self.peek_non_space();
            if let Some(op) = self.operand()? {
                self.args.push(op);
            }
            let t = self.next();
            match t.kind {
                Tok::Space => continue,
                Tok::RightDelim | Tok::RightParen => self.backup(),
                Tok::Pipe => {}
                _ => return self.unexpected(&t, "operand"),
            }
            break;
        }
        if self.args.len() == mark {
            return self.errorf("empty command".into());
        }
        Ok(Command {
            pos,
            args: self.args.drain(mark..).collect(),
        })
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek_kind() != Tok::Field {
            return Ok(Some(node));
        }
        // Fields and variables took their fields in `term`.
        let chain_pos = self.peek().pos;
        let fields = self.field_run(None);
        Ok(Some(match node {
            n @ (Arg::Bool(..) | Arg::String(..) | Arg::Number(..) | Arg::Nil(_) | Arg::Dot(_)) => {
                return self.errorf(format!(
                    "unexpected . after term {}",
                    go_quote(&n.to_string())
                ));
            }
            n => Arg::Chain(chain_pos, Box::new(n), fields),
        }))
    }

    /// The names of the run of field tokens that follows (after `first`, if given), as one
    /// allocation.
    fn field_run(&mut self, first: Option<Rc<str>>) -> Fields {
        let mut fields = Fields::new();
        fields.extend(first);
        while self.peek_kind() == Tok::Field {
            let f = self.next();
            fields.push(self.names.get(&self.lexed.val(&self.text, &f)[1..]));
        }
        fields
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let t = self.next_non_space();
        Ok(Some(match t.kind {
            Tok::Identifier => match Callee::resolve(self.val(&t), self.funcs) {
                Some(c) => Arg::Ident(t.pos, c),
                None => {
                    return self.errorf(format!("function {} not defined", go_quote(self.val(&t))));
                }
            },
            Tok::Dot => Arg::Dot(t.pos),
            Tok::Nil => Arg::Nil(t.pos),
            Tok::Variable => {
                let name = self.val(&t);
                if !self.vars.iter().any(|v| **v == *name) {
                    return self.errorf(format!("undefined variable {}", go_quote(name)));
                }
                let name = self.names.get(self.lexed.val(&self.text, &t));
                // Go's chain of fields on a variable is at its first field.
                let pos = match self.peek_kind() {
                    Tok::Field => self.peek().pos,
                    _ => t.pos,
                };
                Arg::Variable(pos, name, self.field_run(None))
            }
            Tok::Field => {
                let name = self.names.get(&self.lexed.val(&self.text, &t)[1..]);
                // `.a.b` is at `.b`, where Go's chain starts.
                let pos = match self.peek_kind() {
                    Tok::Field => self.peek().pos,
                    _ => t.pos,
                };
                Arg::Field(pos, self.field_run(Some(name)))
            }
            Tok::Bool => Arg::Bool(t.pos, self.val(&t) == "true"),
            Tok::CharConstant | Tok::Complex | Tok::Number => {
                match new_number(self.val(&t), t.kind) {
                    Ok(n) => Arg::Number(t.pos, n),
                    Err(e) => return self.errorf(e),
                }
            }
            Tok::LeftParen => Arg::Pipe(Box::new(
                self.pipeline("parenthesized pipeline", Tok::RightParen)?,
            )),
            Tok::String
                if self.val(&t).len() >= 2
                    && !self.val(&t)[1..self.val(&t).len() - 1].contains(['\\', '\n']) =>
            {
                // No escapes: the value is the text between the quotes.
                let src = self.val(&t);
                Arg::String(t.pos, StrSource::Double, Value::str(&src[1..src.len() - 1]))
            }
            Tok::String | Tok::RawString => match unquote(self.val(&t)) {
                Ok(s) => {
                    let src = self.val(&t);
                    let source = if src.len() == s.len() + 2 && src[1..src.len() - 1] == *s {
                        if t.kind == Tok::String {
                            StrSource::Double
                        } else {
                            StrSource::Raw
                        }
                    } else {
                        StrSource::Text(src.into())
                    };
                    Arg::String(t.pos, source, Value::string(s))
                }
                Err(e) => return self.errorf(e),
            },
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }
}

/// Go's `item.String()`, used in `unexpected ...` messages.
fn item_string(t: &Token, val: &str) -> String {
    match t.kind {
        Tok::Eof => "EOF".into(),
        Tok::Error => val.to_string(),
        k if k.is_keyword() => format!("<{val}>"),
        _ => {
            if val.chars().count() > 10 {
                let cut: String = val.chars().take(10).collect();
                format!("{}...", go_quote(&cut))
            } else {
                go_quote(val)
            }
        }
    }
}

/// Go's `strconv.Unquote` for the three quote forms.
pub fn unquote(s: &str) -> Result<String, String> {
    const SYNTAX: &str = "invalid syntax";
    if s.len() < 2 {
        return Err(SYNTAX.into());
    }
    let q = s.as_bytes()[0];
    if q != s.as_bytes()[s.len() - 1] {
        return Err(SYNTAX.into());
    }
    let body = &s[1..s.len() - 1];
    match q {
        b'`' => {
            if body.contains('`') {
                return Err(SYNTAX.into());
            }
            Ok(body.replace('\r', ""))
        }
        b'"' | b'\'' => {
            let quote = q as char;
            if body.contains('\n') {
                return Err(SYNTAX.into());
            }
            // Most literals have no escapes and no stray quote: their body is their value.
            if !body.contains(['\\', quote]) && (quote == '"' || body.chars().count() == 1) {
                return Ok(body.to_string());
            }
            let mut out = String::with_capacity(body.len());
            let mut rest = body;
            while !rest.is_empty() {
                rest = unquote_char(rest, quote, &mut out).map_err(|()| SYNTAX.to_string())?;
                if quote == '\'' && !rest.is_empty() {
                    return Err(SYNTAX.into());
                }
            }
            if quote == '\'' && out.is_empty() {
                return Err(SYNTAX.into());
            }
            Ok(out)
        }
        _ => Err(SYNTAX.into()),
    }
}

/// Go's `strconv.UnquoteChar`: one (possibly escaped) character of a quoted literal, decoded
/// into `out`. Only characters that are valid UTF-8 on their own survive: `\xNN` and octal
/// escapes make single bytes, which a Rust string can hold only when they are ASCII (Go
/// strings may hold any bytes).
fn unquote_char<'s>(s: &'s str, quote: char, out: &mut String) -> Result<&'s str, ()> {
    let mut chars = s.chars();
    let c = chars.next().ok_or(())?;
    if c == quote && (quote == '\'' || quote == '"') {
        return Err(());
    }
    if c != '\\' {
        out.push(c);
        return Ok(chars.as_str());
    }
    let e = chars.next().ok_or(())?;
    let rest = chars.as_str();
    let simple = match e {
        'a' => Some('\x07'),
        'b' => Some('\x08'),
        'f' => Some('\x0c'),
        'n' => Some('\n'),
        'r' => Some('\r'),
        't' => Some('\t'),
        'v' => Some('\x0b'),
        '\\' => Some('\\'),
        '\'' | '"' => {
            if e != quote {
                return Err(());
            }
            Some(e)
        }
        _ => None,
    };
    if let Some(c) = simple {
        out.push(c);
        return Ok(rest);
    }
    match e {
        'x' | 'u' | 'U' => {
            let n = match e {
                'x' => 2,
                'u' => 4,
                _ => 8,
            };
            if rest.len() < n || !rest.is_char_boundary(n) {
                return Err(());
            }
            let v = u32::from_str_radix(&rest[..n], 16).map_err(|_| ())?;
            if !rest[..n].bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(());
            }
            if e == 'x' {
                // A single byte: only ASCII survives as a Rust string character.
                let ch = char::from_u32(v).filter(|_| v < 0x80).ok_or(())?;
                out.push(ch);
                return Ok(&rest[n..]);
            }
            out.push(char::from_u32(v).ok_or(())?);
            Ok(&rest[n..])
        }
        '0'..='7' => {
            if rest.len() < 2 || !rest.is_char_boundary(2) {
                return Err(());
            }
            let digits = &rest.as_bytes()[..2];
            if !digits.iter().all(|b| (b'0'..=b'7').contains(b)) {
                return Err(());
            }
            let v = (u32::from(e) - u32::from('0')) * 64
                + u32::from(digits[0] - b'0') * 8
                + u32::from(digits[1] - b'0');
            if v > 255 {
                return Err(());
            }
            let ch = char::from_u32(v).filter(|_| v < 0x80).ok_or(())?;
            out.push(ch);
            Ok(&rest[2..])
        }
        _ => Err(()),
    }
}

/// Go's `parse.NewNumber`.
fn new_number(text: &str, kind: Tok) -> Result<Number, String> {
    let mut n = Number {
        text: text.into(),
        is_int: false,
        is_uint: false,
        is_float: false,
        int: 0,
        uint: 0,
        float: 0.0,
    };
    match kind {
        Tok::CharConstant => {
            let inner = &text[1..];
            let mut c = String::new();
            let tail =
                unquote_char(inner, '\'', &mut c).map_err(|()| "invalid syntax".to_string())?;
            if tail != "'" {
                return Err(format!("malformed character constant: {text}"));
            }
            let r = c.chars().next().map_or(0, |c| c as u32);
            n.int = i64::from(r);
            n.uint = u64::from(r);
            n.float = f64::from(r);
            n.is_int = true;
            n.is_uint = true;
            n.is_float = true;
            return Ok(n);
        }
        Tok::Complex => return Err(format!("complex constants are not supported: {text}")),
        _ => {}
    }
    if text.ends_with('i') {
        return Err(format!("complex constants are not supported: {text}"));
    }
    let u = parse_uint(text);
    if let Some(u) = u {
        n.is_uint = true;
        n.uint = u;
    }
    if let Some(i) = parse_int(text) {
        n.is_int = true;
        n.int = i;
        if i == 0 {
            n.is_uint = true;
            n.uint = 0;
        }
    }
    if n.is_int {
        n.is_float = true;
        n.float = n.int as f64;
    } else if n.is_uint {
        n.is_float = true;
        n.float = n.uint as f64;
    } else if let Some(f) = parse_float(text) {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!("integer overflow: {}", go_quote(text)));
        }
        n.is_float = true;
        n.float = f;
        if f.fract() == 0.0 && (-9.223_372_036_854_776e18..9.223_372_036_854_776e18).contains(&f) {
            n.is_int = true;
            n.int = f as i64;
        }
        if f.fract() == 0.0 && (0.0..1.844_674_407_370_955_2e19).contains(&f) {
            n.is_uint = true;
            n.uint = f as u64;
        }
    }
    if !n.is_int && !n.is_uint && !n.is_float {
        return Err(format!("illegal number syntax: {}", go_quote(text)));
    }
    Ok(n)
}

/// Checks Go's rule for `_` in number literals: only between digits, or after a base prefix.
fn underscore_ok(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
        i += 1;
    }
    let mut saw = b'^';
    let mut hex = false;
    if b.len() >= i + 2
        && b[i] == b'0'
        && matches!(b[i + 1].to_ascii_lowercase(), b'x' | b'o' | b'b')
    {
        hex = b[i + 1].eq_ignore_ascii_case(&b'x');
        i += 2;
        saw = b'0';
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// Go's `strconv.ParseUint(s, 0, 64)`.
fn parse_uint(s: &str) -> Option<u64> {
    if s.starts_with(['+', '-']) {
        return None;
    }
    parse_magnitude(s)
}

/// Go's `strconv.ParseInt(s, 0, 64)`.
fn parse_int(s: &str) -> Option<i64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let m = parse_magnitude(body)?;
    if neg {
        if m > 1 << 63 {
            return None;
        }
        Some((m as i64).wrapping_neg())
    } else {
        i64::try_from(m).ok()
    }
}

fn parse_magnitude(s: &str) -> Option<u64> {
    if s.is_empty() || !underscore_ok(s) {
        return None;
    }
    let b = s.as_bytes();
    let (radix, digits) = if b[0] == b'0' && b.len() > 1 {
        match b[1] {
            b'x' | b'X' => (16, &s[2..]),
            b'o' | b'O' => (8, &s[2..]),
            b'b' | b'B' => (2, &s[2..]),
            _ => (8, &s[1..]),
        }
    } else {
        (10, s)
    };
    if digits.contains('_') {
        let digits: String = digits.chars().filter(|&c| c != '_').collect();
        if digits.is_empty() {
            return None;
        }
        return u64::from_str_radix(&digits, radix).ok();
    }
    if digits.is_empty() {
        return None;
    }
    u64::from_str_radix(digits, radix).ok()
}

/// Go's `strconv.ParseFloat(s, 64)` for the forms the lexer lets through.
fn parse_float(s: &str) -> Option<f64> {
    if !underscore_ok(s) {
        return None;
    }
    let clean: String = s.chars().filter(|&c| c != '_').collect();
    let (neg, body) = match clean.as_bytes().first() {
        Some(b'-') => (true, &clean[1..]),
        Some(b'+') => (false, &clean[1..]),
        _ => (false, &clean[..]),
    };
    let v = if body.len() > 2 && (body.starts_with("0x") || body.starts_with("0X")) {
        parse_hex_float(&body[2..])?
    } else {
        if !body
            .bytes()
            .all(|c| c.is_ascii_digit() || matches!(c, b'.' | b'e' | b'E' | b'+' | b'-'))
        {
            return None;
        }
        body.parse::<f64>().ok()?
    };
    if v.is_infinite() {
        return None;
    }
    Some(if neg { -v } else { v })
}

fn parse_hex_float(s: &str) -> Option<f64> {
    let (mant, exp) = match s.find(['p', 'P']) {
        Some(i) => (&s[..i], s[i + 1..].parse::<i32>().ok()?),
        None => return None,
    };
    let (int, frac) = mant.split_once('.').unwrap_or((mant, ""));
    let mut v = 0f64;
    for c in int.chars() {
        v = v * 16.0 + f64::from(c.to_digit(16)?);
    }
    let mut scale = 1.0 / 16.0;
    for c in frac.chars() {
        v += f64::from(c.to_digit(16)?) * scale;
        scale /= 16.0;
    }
    Some(v * 2f64.powi(exp))
}
