//! The parse tree of a template, shaped like Go's `text/template/parse` nodes. Positions are byte
//! offsets into the template text; line and column are computed only when an error needs them.
//! `Display` prints an operand, command or pipeline as Go's `Node.String()` does, which error
//! messages quote.
//!
//! The tree is built to be cheap to make and to walk: text is a span of the template text, every
//! list is one exactly sized allocation, and field and variable names are shared.

use std::fmt::{self, Write};
use std::rc::Rc;

use smallvec::SmallVec;

use super::builtins::Callee;
use super::value::Value;

pub type Pos = u32;

/// A parsed template: the body of a file, a `define` or a `block`.
#[derive(Debug)]
pub struct Tree {
    pub name: Rc<str>,
    /// The name of the top-level template whose text held this one (the file), for errors.
    pub parse_name: Rc<str>,
    /// The whole text that was parsed, for line and column of errors.
    pub text: Rc<str>,
    /// Shared by the trees of every file with the same text (see `TemplateSet::parse`).
    pub root: Rc<[Node]>,
}

impl Tree {
    /// Go's `parse.IsEmptyTree`: only whitespace text and comments.
    pub fn is_empty(&self) -> bool {
        self.is_empty_list(&self.root)
    }
}

impl Tree {
    /// The template text a text node stands for.
    pub fn text_of(&self, start: Pos, end: Pos) -> &str {
        self.text
            .get(start as usize..end as usize)
            .unwrap_or_default()
    }

    fn is_empty_list(&self, nodes: &[Node]) -> bool {
        nodes.iter().all(|n| match n {
            Node::Text(start, end) => self
                .text_of(*start, *end)
                .trim_matches(|c: char| c.is_whitespace())
                .is_empty(),
            _ => false,
        })
    }
}

#[derive(Debug)]
pub enum Node {
    /// Text between actions: the span `start..end` of the tree's text.
    Text(Pos, Pos),
    Action(Box<Pipe>),
    If(Box<Branch>),
    With(Box<Branch>),
    Range(Box<Branch>),
    Template(Box<TemplateCall>),
    Break(Pos),
    Continue(Pos),
}

#[derive(Debug)]
pub struct Branch {
    pub pipe: Pipe,
    pub list: Box<[Node]>,
    pub else_list: Option<Box<[Node]>>,
}

#[derive(Debug)]
pub struct TemplateCall {
    pub pos: Pos,
    pub name: Rc<str>,
    pub pipe: Option<Pipe>,
}

#[derive(Debug)]
pub struct Pipe {
    pub pos: Pos,
    pub is_assign: bool,
    pub decl: Box<[Rc<str>]>,
    /// Most pipelines are one command, kept in place.
    pub cmds: SmallVec<[Command; 1]>,
}

/// The field names of a chain (`.a.b.c`); short chains are kept in place.
pub type Fields = SmallVec<[Rc<str>; 3]>;

#[derive(Debug)]
pub struct Command {
    pub pos: Pos,
    pub args: Box<[Arg]>,
}

/// An operand of a command.
#[derive(Debug)]
pub enum Arg {
    /// `.a.b`
    Field(Pos, Fields),
    /// `$x.a.b`: the variable name and the fields after it.
    Variable(Pos, Rc<str>, Fields),
    /// `(pipe).a.b`, `fn.a`: a term followed by fields.
    Chain(Pos, Box<Arg>, Fields),
    /// A function name, resolved at parse time.
    Ident(Pos, Callee),
    Dot(Pos),
    Nil(Pos),
    Bool(Pos, bool),
    Number(Pos, Number),
    /// How the literal was written, and its value.
    String(Pos, StrSource, Value),
    Pipe(Box<Pipe>),
}

impl Arg {
    pub fn pos(&self) -> Pos {
        match self {
            Arg::Field(p, _)
            | Arg::Variable(p, _, _)
            | Arg::Chain(p, _, _)
            | Arg::Ident(p, _)
            | Arg::Dot(p)
            | Arg::Nil(p)
            | Arg::Bool(p, _)
            | Arg::Number(p, _)
            | Arg::String(p, _, _) => *p,
            Arg::Pipe(p) => p.pos,
        }
    }
}

/// The source text of a string literal, which error messages quote. Most literals have no
/// escapes, so their source is their value in quotes and need not be kept.
#[derive(Debug)]
pub enum StrSource {
    /// `"value"`.
    Double,
    /// `` `value` ``.
    Raw,
    /// Anything else (escapes, or a raw string that lost a carriage return).
    Text(Box<str>),
}

/// A number literal with every reading Go's `NumberNode` keeps.
#[derive(Debug)]
pub struct Number {
    pub text: Box<str>,
    pub is_int: bool,
    pub is_uint: bool,
    pub is_float: bool,
    pub int: i64,
    pub uint: u64,
    pub float: f64,
}

impl Number {
    /// Go's `idealConstant`: the value a literal has where any type is accepted.
    pub fn ideal(&self) -> Result<Value, String> {
        let t = &*self.text;
        let hex_int = t.len() > 2
            && t.starts_with('0')
            && matches!(t.as_bytes()[1], b'x' | b'X')
            && !t.contains(['p', 'P']);
        let rune = t.starts_with('\'');
        if self.is_float && !hex_int && !rune && t.contains(['.', 'e', 'E', 'p', 'P']) {
            return Ok(Value::Float(self.float));
        }
        if self.is_int {
            return Ok(Value::Int(self.int));
        }
        if self.is_uint {
            return Err(format!("{t} overflows int"));
        }
        Ok(Value::Nil)
    }
}

struct Dotted<'a>(&'a [Rc<str>]);

impl fmt::Display for Dotted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for x in self.0 {
            f.write_char('.')?;
            f.write_str(x)?;
        }
        Ok(())
    }
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Field(_, idents) => {
                write!(f, "{}", Dotted(idents))
            }
            Arg::Variable(_, name, idents) => write!(f, "{name}{}", Dotted(idents)),
            Arg::Chain(_, node, idents) => {
                if let Arg::Pipe(_) = **node {
                    write!(f, "({node}){}", Dotted(idents))
                } else {
                    write!(f, "{node}{}", Dotted(idents))
                }
            }
            Arg::Ident(_, c) => f.write_str(c.name()),
            Arg::Dot(_) => f.write_str("."),
            Arg::Nil(_) => f.write_str("nil"),
            Arg::Bool(_, b) => write!(f, "{b}"),
            Arg::Number(_, n) => f.write_str(&n.text),
            Arg::String(_, StrSource::Double, v) => write!(f, "\"{}\"", v.as_str().unwrap_or("")),
            Arg::String(_, StrSource::Raw, v) => write!(f, "`{}`", v.as_str().unwrap_or("")),
            Arg::String(_, StrSource::Text(q), _) => f.write_str(q),
            Arg::Pipe(p) => write!(f, "{p}"),
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_char(' ')?;
            }
            if let Arg::Pipe(p) = a {
                write!(f, "({p})")?;
            } else {
                write!(f, "{a}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Pipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            for (i, d) in self.decl.iter().enumerate() {
                if i > 0 {
                    f.write_str(", ")?;
                }
                f.write_str(d)?;
            }
            f.write_str(if self.is_assign { " = " } else { " := " })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}
