//! The parse tree of a template, shaped like Go's `text/template/parse` nodes. Positions are byte
//! offsets into the template text; line and column are computed only when an error needs them.
//! `Display` prints a node as Go's `Node.String()` does, which error messages quote.

use std::fmt::{self, Write};
use std::rc::Rc;

use super::builtins::Callee;
use super::lexer::go_quote;
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
    pub root: Vec<Node>,
}

impl Tree {
    /// Go's `parse.IsEmptyTree`: only whitespace text and comments.
    pub fn is_empty(&self) -> bool {
        is_empty_list(&self.root)
    }
}

fn is_empty_list(nodes: &[Node]) -> bool {
    nodes.iter().all(|n| match n {
        Node::Text(_, t) => t.trim_matches(|c: char| c.is_whitespace()).is_empty(),
        Node::Comment(_) => true,
        _ => false,
    })
}

#[derive(Debug)]
pub enum Node {
    Text(Pos, Box<str>),
    Comment(Pos),
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
    pub list: Vec<Node>,
    pub else_list: Option<Vec<Node>>,
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
    pub decl: Vec<Rc<str>>,
    pub cmds: Vec<Command>,
}

#[derive(Debug)]
pub struct Command {
    pub pos: Pos,
    pub args: Vec<Arg>,
}

/// An operand of a command.
#[derive(Debug)]
pub enum Arg {
    /// `.a.b`
    Field(Pos, Box<[Rc<str>]>),
    /// `$x.a.b`: the variable name and the fields after it.
    Variable(Pos, Rc<str>, Box<[Rc<str>]>),
    /// `(pipe).a.b`, `fn.a`: a term followed by fields.
    Chain(Pos, Box<Arg>, Box<[Rc<str>]>),
    /// A function name, resolved at parse time.
    Ident(Pos, Callee),
    Dot(Pos),
    Nil(Pos),
    Bool(Pos, bool),
    Number(Pos, Box<Number>),
    /// The quoted source text and the value.
    String(Pos, Box<str>, Value),
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

struct Fields<'a>(&'a [Rc<str>]);

impl fmt::Display for Fields<'_> {
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
                write!(f, "{}", Fields(idents))
            }
            Arg::Variable(_, name, idents) => write!(f, "{name}{}", Fields(idents)),
            Arg::Chain(_, node, idents) => {
                if let Arg::Pipe(_) = **node {
                    write!(f, "({node}){}", Fields(idents))
                } else {
                    write!(f, "{node}{}", Fields(idents))
                }
            }
            Arg::Ident(_, c) => f.write_str(c.name()),
            Arg::Dot(_) => f.write_str("."),
            Arg::Nil(_) => f.write_str("nil"),
            Arg::Bool(_, b) => write!(f, "{b}"),
            Arg::Number(_, n) => f.write_str(&n.text),
            Arg::String(_, q, _) => f.write_str(q),
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

pub struct List<'a>(pub &'a [Node]);

impl fmt::Display for List<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for n in self.0 {
            write!(f, "{n}")?;
        }
        Ok(())
    }
}

fn branch(f: &mut fmt::Formatter<'_>, name: &str, b: &Branch) -> fmt::Result {
    write!(f, "{{{{{name} {}}}}}{}", b.pipe, List(&b.list))?;
    if let Some(e) = &b.else_list {
        write!(f, "{{{{else}}}}{}", List(e))?;
    }
    f.write_str("{{end}}")
}

impl fmt::Display for Node {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Node::Text(_, t) => f.write_str(t),
            Node::Comment(_) => f.write_str("{{/* */}}"),
            Node::Action(p) => write!(f, "{{{{{p}}}}}"),
            Node::If(b) => branch(f, "if", b),
            Node::With(b) => branch(f, "with", b),
            Node::Range(b) => branch(f, "range", b),
            Node::Template(t) => match &t.pipe {
                None => write!(f, "{{{{template {}}}}}", go_quote(&t.name)),
                Some(p) => write!(f, "{{{{template {} {p}}}}}", go_quote(&t.name)),
            },
            Node::Break(_) => f.write_str("{{break}}"),
            Node::Continue(_) => f.write_str("{{continue}}"),
        }
    }
}
