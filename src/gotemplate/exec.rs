//! Executes parse trees with Go's `text/template` semantics as Helm configures it
//! (`missingkey=zero`): truth, field and map access, variables, `if`/`with`/`range`,
//! `template`, function calls with Go's argument checks, and Helm's `include` and `tpl`
//! through the [`Runtime`] the executor gives functions.

use std::cell::RefCell;
use std::fmt;
use std::rc::Rc;

use smallvec::SmallVec;

use super::ast::{Arg, Branch, Command, Node, Pipe, TemplateCall, Tree};
use super::builtins::{self, Builtin, Callee, Shape, Val};
use super::error::{cut_context, line_col, Error, Location};
use super::escape;
use super::func::{FuncDef, FuncError, FuncMap, Param, Runtime};
use super::fxhash::FxHashMap as HashMap;
use super::gofmt;
use super::lexer::go_quote;
use super::parser;
use super::value::{ListType, MapType, MapVal, Value};
use crate::Compat;

/// Go's `maxExecDepth`: how deeply `template` calls may nest.
const MAX_EXEC_DEPTH: usize = 100_000;
/// How deeply `include` and `tpl` executions may nest. Helm has no such limit for `tpl`
/// (a self-feeding `tpl` exhausts Go's stack and kills Helm); `include` stops at 1000 per
/// name, so several names recursing through each other nest deeper.
const MAX_CALL_NESTING: usize = 10_000;
/// Helm's `recursionMaxNums`: how often one name may be nested in `include` calls.
const MAX_INCLUDE: usize = 1000;
/// The name Helm gives its template set (and each `tpl` text).
const ROOT_NAME: &str = "gotpl";
/// Stack kept free before recursing; more is allocated on the heap when it runs low.
const RED_ZONE: usize = 128 * 1024;
const STACK_GROWTH: usize = 2 * 1024 * 1024;

/// How one execution behaves.
#[derive(Clone, Debug, Default)]
pub struct ExecOptions {
    /// `helm lint`: `required` and `fail` log their message and return "" instead of failing.
    pub lint_mode: bool,
    /// Helm's `--strict` rendering (`missingkey=error`): a missing map key is an error.
    pub strict: bool,
    /// How many steps (nodes walked and functions called, `include` and `tpl` included)
    /// one execution may take before it fails; none by default, as in Go. Fuzzing sets it
    /// so that a legitimately long loop is told apart from a hang.
    pub step_limit: Option<u64>,
}

/// The parse of one `tpl` text: its trees, the main one first.
type TplParse = Result<Rc<[Rc<Tree>]>, Error>;

/// The trees of one file's text (the main one first) and the name it was parsed as.
type FileParse = (Rc<str>, Rc<[Rc<Tree>]>);

/// A set of named templates parsed with one function map (Go's associated templates).
pub struct TemplateSet {
    funcs: Rc<FuncMap>,
    compat: Compat,
    templates: HashMap<Rc<str>, Rc<Tree>>,
    /// Parsed `tpl` texts, so a text used on every render is parsed once.
    tpl_cache: RefCell<HashMap<Box<str>, TplParse>>,
    /// The trees of every file parsed so far, by text, and the name each was parsed as: a
    /// file repeated across subcharts (each copy of a library chart) is parsed once.
    file_cache: HashMap<Rc<str>, FileParse>,
    logs: RefCell<Vec<String>>,
    /// The name `$`, for every execution's first variable.
    dollar: Rc<str>,
}

impl fmt::Debug for TemplateSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TemplateSet")
            .field("compat", &self.compat)
            .field("templates", &self.templates.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl TemplateSet {
    pub fn new(funcs: Rc<FuncMap>, compat: Compat) -> TemplateSet {
        TemplateSet {
            funcs,
            compat,
            templates: HashMap::default(),
            tpl_cache: RefCell::new(HashMap::default()),
            file_cache: HashMap::default(),
            logs: RefCell::new(Vec::new()),
            dollar: Rc::from("$"),
        }
    }

    pub fn compat(&self) -> Compat {
        self.compat
    }

    /// Parses `text` as template `name`, adding it and its `define`s with Go's redefinition
    /// rules: a later non-empty definition replaces an earlier one; an empty one does not.
    pub fn parse(&mut self, name: &str, text: &str) -> Result<(), Error> {
        let trees = match self.reparse(name, text) {
            Some(trees) => trees,
            None => {
                let parsed = parser::parse(name, text, &self.funcs)?;
                let trees: Rc<[Rc<Tree>]> = parsed.trees.into_iter().map(Rc::new).collect();
                if let Some(first) = trees.first() {
                    self.file_cache
                        .insert(first.text.clone(), (Rc::from(name), trees.clone()));
                }
                trees.to_vec()
            }
        };
        for tree in trees {
            if let Some(old) = self.templates.get(&tree.name) {
                if tree.is_empty() && !old.root.is_empty() {
                    continue;
                }
            }
            self.templates.insert(tree.name.clone(), tree);
        }
        Ok(())
    }

    /// The trees of `text` parsed as `name`, from an earlier parse of the same text under
    /// another name: the same nodes, with `name` as the main tree's name and every tree's
    /// file. `None` when the text is new, or when a `define` shares its name with either file
    /// (the parse of the file's own tree would then differ).
    fn reparse(&self, name: &str, text: &str) -> Option<Vec<Rc<Tree>>> {
        let (first_name, cached) = self.file_cache.get(text)?;
        let main = cached.first()?;
        if main.name != *first_name
            || cached[1..]
                .iter()
                .any(|t| t.name == *first_name || &*t.name == name)
        {
            return None;
        }
        let file: Rc<str> = Rc::from(name);
        Some(
            cached
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    Rc::new(Tree {
                        name: if i == 0 { file.clone() } else { t.name.clone() },
                        parse_name: file.clone(),
                        text: t.text.clone(),
                        root: t.root.clone(),
                    })
                })
                .collect(),
        )
    }

    pub fn has(&self, name: &str) -> bool {
        self.templates.contains_key(name)
    }

    /// The names of all templates, in no particular order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.templates.keys().map(|k| &**k)
    }

    /// Messages logged by `required`/`fail` in lint mode since the last call.
    pub fn take_logs(&self) -> Vec<String> {
        std::mem::take(&mut self.logs.borrow_mut())
    }

    /// Executes template `name` with `data` as dot, appending to `out` (Go's
    /// `ExecuteTemplate` on Helm's template set).
    pub fn execute(
        &self,
        name: &str,
        data: &Value,
        opts: &ExecOptions,
        out: &mut String,
    ) -> Result<(), Error> {
        let Some(tree) = self.templates.get(name).cloned() else {
            return Err(no_template(name));
        };
        let mut ex = Exec {
            set: self,
            opts,
            overlays: Vec::new(),
            include_counts: HashMap::default(),
            tmpl: tree.clone(),
            vars: Vec::with_capacity(16),
            base: 0,
            dollar: self.dollar.clone(),
            depth: 0,
            nesting: 0,
            calls: 0,
            steps: 0,
            pending: None,
            buffers: Vec::new(),
        };
        ex.run(&tree, Val::new(data.clone()), out)
    }
}

fn no_template(name: &str) -> Error {
    Error::plain(
        format!(
            "template: no template {} associated with template {}",
            go_quote(name),
            go_quote(ROOT_NAME)
        ),
        None,
    )
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Flow {
    Normal,
    Break,
    Continue,
}

type R<T> = Result<T, Error>;

/// A node an error message points at.
/// The node Go's executor last moved to (`state.at`) while evaluating `a`. Go reports errors at
/// that node, and a field chain on a parenthesised pipeline, `(index .Values "x").a.b`, moves
/// nowhere itself after evaluating the pipeline: a failing `.a` is reported at the pipeline's
/// last evaluated argument, `"x"` (Helm's kube-prometheus-stack renders such an error).
fn last_visited(a: &Arg) -> &Arg {
    match a {
        Arg::Pipe(p) => match p.cmds.last() {
            Some(cmd) => match &*cmd.args {
                [] => a,
                [only] => last_visited(only),
                [_, .., last] => last_visited(last),
            },
            None => a,
        },
        Arg::Chain(_, inner, _) => last_visited(inner),
        _ => a,
    }
}

#[derive(Clone, Copy)]
enum At<'a> {
    Arg(&'a Arg),
    Cmd(&'a Command),
    Pipe(&'a Pipe),
    Template(&'a TemplateCall),
}

impl At<'_> {
    fn pos(self) -> u32 {
        match self {
            At::Arg(a) => a.pos(),
            At::Cmd(c) => c.pos,
            At::Pipe(p) => p.pos,
            At::Template(t) => t.pos,
        }
    }

    fn text(self) -> String {
        match self {
            At::Arg(a) => a.to_string(),
            At::Cmd(c) => c.to_string(),
            At::Pipe(p) => p.to_string(),
            At::Template(t) => match &t.pipe {
                None => format!("{{{{template {}}}}}", go_quote(&t.name)),
                Some(p) => format!("{{{{template {} {p}}}}}", go_quote(&t.name)),
            },
        }
    }
}

/// The node Go's executor last visited after evaluating `a` (errors found afterwards point there).
fn last_at(a: &Arg) -> &Arg {
    match a {
        Arg::Pipe(p) => match p.cmds.last() {
            Some(c) => last_at_cmd(c),
            None => a,
        },
        _ => a,
    }
}

fn last_at_cmd(c: &Command) -> &Arg {
    match &c.args[0] {
        Arg::Ident(..) if c.args.len() > 1 => last_at(&c.args[c.args.len() - 1]),
        first @ Arg::Pipe(_) => last_at(first),
        first => first,
    }
}

struct Exec<'s> {
    set: &'s TemplateSet,
    opts: &'s ExecOptions,
    /// Templates defined by the `tpl` texts being executed, innermost last.
    overlays: Vec<HashMap<Rc<str>, Rc<Tree>>>,
    include_counts: HashMap<Rc<str>, usize>,
    /// The template being executed.
    tmpl: Rc<Tree>,
    /// Variables of all active frames; the current frame starts at `base`.
    vars: Vec<(Rc<str>, Val)>,
    base: usize,
    /// The name `$`, shared by every frame.
    dollar: Rc<str>,
    /// `template` nesting of this execution (Go's per-state depth).
    depth: usize,
    /// All nesting (`template`, `include`, `tpl`), to bound memory.
    nesting: usize,
    /// Nesting of `include` and `tpl` executions.
    calls: usize,
    /// Steps taken so far, checked against [`ExecOptions::step_limit`].
    steps: u64,
    /// The structured error behind the last `include`/`tpl` failure, which crosses the
    /// function contract as text.
    pending: Option<Error>,
    /// Spare output buffers for `include`.
    buffers: Vec<String>,
}

impl Exec<'_> {
    fn lookup(&self, name: &str) -> Option<Rc<Tree>> {
        for o in self.overlays.iter().rev() {
            if let Some(t) = o.get(name) {
                return Some(t.clone());
            }
        }
        self.set.templates.get(name).cloned()
    }

    fn err(&self, at: At<'_>, msg: String) -> Error {
        self.err_cause(at, msg, None)
    }

    fn err_cause(&self, at: At<'_>, msg: String, cause: Option<Error>) -> Error {
        let (line, col) = line_col(&self.tmpl.text, at.pos() as usize);
        Error::exec(
            &self.tmpl.name,
            Some(Location {
                parse_name: self.tmpl.parse_name.to_string(),
                line,
                col: Some(col),
            }),
            Some(cut_context(at.text())),
            msg,
            cause,
        )
    }

    /// Runs `tree` in a fresh variable scope with `dot`.
    fn run(&mut self, tree: &Rc<Tree>, dot: Val, out: &mut String) -> R<()> {
        self.nesting += 1;
        if self.nesting > MAX_EXEC_DEPTH {
            self.nesting -= 1;
            return Err(Error::exec(
                &tree.name,
                None,
                None,
                format!("exceeded maximum template depth ({MAX_EXEC_DEPTH})"),
                None,
            ));
        }
        // The callee sees only its own variables: a frame starts at `base`.
        let base = self.vars.len();
        let saved_base = std::mem::replace(&mut self.base, base);
        self.vars.push((self.dollar.clone(), dot.clone()));
        let saved_tmpl = std::mem::replace(&mut self.tmpl, tree.clone());
        let r = stacker::maybe_grow(RED_ZONE, STACK_GROWTH, || {
            self.walk_list(&dot, &tree.root, out)
        });
        self.vars.truncate(base);
        self.base = saved_base;
        self.tmpl = saved_tmpl;
        self.nesting -= 1;
        r.map(|_| ())
    }

    fn walk_list(&mut self, dot: &Val, nodes: &[Node], out: &mut String) -> R<Flow> {
        for n in nodes {
            let f = self.walk(dot, n, out)?;
            if f != Flow::Normal {
                return Ok(f);
            }
        }
        Ok(Flow::Normal)
    }

    /// Counts one step against [`ExecOptions::step_limit`].
    fn step(&mut self) -> R<()> {
        self.steps += 1;
        match self.opts.step_limit {
            Some(limit) if self.steps > limit => Err(Error::exec(
                &self.tmpl.name,
                None,
                None,
                format!("exceeded the step limit ({limit})"),
                None,
            )),
            _ => Ok(()),
        }
    }

    fn walk(&mut self, dot: &Val, node: &Node, out: &mut String) -> R<Flow> {
        if self.opts.step_limit.is_some() {
            self.step()?;
        }
        match node {
            Node::Text(start, end) => out.push_str(self.tmpl.text_of(*start, *end)),
            Node::Action(pipe) => {
                // `{{ .a.b }}`, `{{ $x.a }}`: printed from where the value lies.
                if let Some(r) = self.with_plain_chain(dot, pipe, |v| print_plain(v, out)) {
                    r?;
                    return Ok(Flow::Normal);
                }
                let v = self.eval_pipeline(dot, pipe)?;
                if pipe.decl.is_empty() {
                    print_plain(&v.v, out);
                }
            }
            Node::If(b) => return self.walk_if_with(dot, b, false, out),
            Node::With(b) => return self.walk_if_with(dot, b, true, out),
            Node::Range(b) => return self.walk_range(dot, b, out),
            Node::Template(t) => self.walk_template(dot, t, out)?,
            Node::Break(_) => return Ok(Flow::Break),
            Node::Continue(_) => return Ok(Flow::Continue),
        }
        Ok(Flow::Normal)
    }

    fn walk_if_with(&mut self, dot: &Val, b: &Branch, with: bool, out: &mut String) -> R<Flow> {
        stacker::maybe_grow(RED_ZONE, STACK_GROWTH, || {
            let mark = self.vars.len();
            // `{{ if .a.b }}` only needs the truth of a value where it lies.
            let truth = match with {
                false => self.with_plain_chain(dot, &b.pipe, Value::is_true),
                true => None,
            }
            .transpose()?;
            let val = match truth {
                Some(_) => Val::default(),
                None => self.eval_pipeline(dot, &b.pipe)?,
            };
            let r = if truth.unwrap_or_else(|| val.v.is_true()) {
                if with {
                    self.walk_list(&val, &b.list, out)
                } else {
                    self.walk_list(dot, &b.list, out)
                }
            } else if let Some(e) = &b.else_list {
                self.walk_list(dot, e, out)
            } else {
                Ok(Flow::Normal)
            };
            self.vars.truncate(mark);
            r
        })
    }

    fn walk_range(&mut self, dot: &Val, b: &Branch, out: &mut String) -> R<Flow> {
        stacker::maybe_grow(RED_ZONE, STACK_GROWTH, || {
            let mark = self.vars.len();
            let val = self.eval_pipeline(dot, &b.pipe)?;
            let ran = self.range_items(&val, b, out)?;
            if !ran {
                if let Some(e) = &b.else_list {
                    let f = self.walk_list(dot, e, out)?;
                    self.vars.truncate(mark);
                    return Ok(f);
                }
            }
            self.vars.truncate(mark);
            Ok(Flow::Normal)
        })
    }

    /// Runs the body of a range over `val`; false when there was nothing to iterate.
    fn range_items(&mut self, val: &Val, b: &Branch, out: &mut String) -> R<bool> {
        let at = At::Arg(last_at_pipe(&b.pipe));
        match &val.v {
            Value::List(l) => {
                if l.is_empty() {
                    return Ok(false);
                }
                let l = l.clone();
                let iface = l.ty() == ListType::Any;
                for (i, e) in l.iter().enumerate() {
                    let f = self.one_iteration(
                        b,
                        Val::new(Value::Int(i as i64)),
                        Val {
                            v: e.clone(),
                            iface,
                        },
                        out,
                    )?;
                    if f == Flow::Break {
                        break;
                    }
                }
                Ok(true)
            }
            Value::Map(m) => {
                // Go sorts a snapshot of the entries before iterating.
                let entries: Vec<(String, Value)> = m
                    .borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                if entries.is_empty() {
                    return Ok(false);
                }
                for (k, v) in entries {
                    let f =
                        self.one_iteration(b, Val::new(Value::string(k)), Val::iface(v), out)?;
                    if f == Flow::Break {
                        break;
                    }
                }
                Ok(true)
            }
            Value::Bytes(bytes) => {
                if bytes.is_empty() {
                    return Ok(false);
                }
                let bytes = bytes.clone();
                for (i, x) in bytes.iter().enumerate() {
                    let f = self.one_iteration(
                        b,
                        Val::new(Value::Int(i as i64)),
                        Val::new(Value::Uint(u64::from(*x))),
                        out,
                    )?;
                    if f == Flow::Break {
                        break;
                    }
                }
                Ok(true)
            }
            Value::Object(o) => match o.range_entries() {
                Some(entries) => {
                    if entries.is_empty() {
                        return Ok(false);
                    }
                    for (k, v) in entries {
                        let f = self.one_iteration(b, Val::new(k), Val::iface(v), out)?;
                        if f == Flow::Break {
                            break;
                        }
                    }
                    Ok(true)
                }
                None => Err(self.err(at, format!("range can't iterate over {}", fmt_v(&val.v)))),
            },
            Value::Nil => Ok(false),
            Value::Int(_) | Value::Int64(_) | Value::Uint(_)
                if self.set.compat == Compat::Helm4 =>
            {
                if b.pipe.decl.len() > 1 {
                    return Err(self.err(
                        at,
                        format!(
                            "can't use {} to iterate over more than one variable",
                            fmt_v(&val.v)
                        ),
                    ));
                }
                let (n, mk): (u64, fn(u64) -> Value) = match val.v {
                    Value::Int(i) => (i.max(0) as u64, |i| Value::Int(i as i64)),
                    Value::Int64(i) => (i.max(0) as u64, |i| Value::Int64(i as i64)),
                    Value::Uint(u) => (u, Value::Uint),
                    _ => (0, Value::Uint),
                };
                if n == 0 {
                    return Ok(false);
                }
                for i in 0..n {
                    let v = Val::new(mk(i));
                    let f = self.one_iteration(b, v.clone(), v, out)?;
                    if f == Flow::Break {
                        break;
                    }
                }
                Ok(true)
            }
            other => Err(self.err(at, format!("range can't iterate over {}", fmt_v(other)))),
        }
    }

    fn one_iteration(&mut self, b: &Branch, index: Val, elem: Val, out: &mut String) -> R<Flow> {
        let decl = &b.pipe.decl;
        let at = At::Pipe(&b.pipe);
        if !decl.is_empty() {
            if b.pipe.is_assign {
                if decl.len() > 1 {
                    self.set_var(at, &decl[0], index.clone())?;
                } else {
                    self.set_var(at, &decl[0], elem.clone())?;
                }
            } else {
                let n = self.vars.len();
                self.vars[n - 1].1 = elem.clone();
            }
        }
        if decl.len() > 1 {
            if b.pipe.is_assign {
                self.set_var(at, &decl[1], elem.clone())?;
            } else {
                let n = self.vars.len();
                self.vars[n - 2].1 = index;
            }
        }
        let mark = self.vars.len();
        let f = self.walk_list(&elem, &b.list, out)?;
        self.vars.truncate(mark);
        Ok(f)
    }

    fn walk_template(&mut self, dot: &Val, t: &TemplateCall, out: &mut String) -> R<()> {
        let Some(tree) = self.lookup(&t.name) else {
            return Err(self.err(
                At::Template(t),
                format!("template {} not defined", go_quote(&t.name)),
            ));
        };
        if self.depth >= MAX_EXEC_DEPTH {
            return Err(self.err(
                At::Template(t),
                format!("exceeded maximum template depth ({MAX_EXEC_DEPTH})"),
            ));
        }
        let d = match &t.pipe {
            Some(p) => self.eval_pipeline(dot, p)?,
            None => Val::default(),
        };
        self.depth += 1;
        let r = self.run(&tree, Val::new(d.v), out);
        self.depth -= 1;
        r
    }

    fn set_var(&mut self, at: At<'_>, name: &str, v: Val) -> R<()> {
        for slot in self.vars[self.base..].iter_mut().rev() {
            if same_name(&slot.0, name) {
                slot.1 = v;
                return Ok(());
            }
        }
        Err(self.err(at, format!("undefined variable: {name}")))
    }

    fn var_value(&self, at: At<'_>, name: &str) -> R<Val> {
        self.var_ref(at, name).cloned()
    }

    fn var_ref(&self, at: At<'_>, name: &str) -> R<&Val> {
        for slot in self.vars[self.base..].iter().rev() {
            if same_name(&slot.0, name) {
                return Ok(&slot.1);
            }
        }
        Err(self.err(at, format!("undefined variable: {name}")))
    }

    /// A pipeline within an operand, `(...)`: the one place besides control structures and
    /// template calls where evaluation nests, so the stack is checked here.
    fn eval_nested_pipeline(&mut self, dot: &Val, pipe: &Pipe) -> R<Val> {
        stacker::maybe_grow(RED_ZONE, STACK_GROWTH, || self.eval_pipeline(dot, pipe))
    }

    fn eval_pipeline(&mut self, dot: &Val, pipe: &Pipe) -> R<Val> {
        let mut value: Option<Val> = None;
        for cmd in &pipe.cmds {
            let v = self.eval_command(dot, pipe, cmd, value.take())?;
            // A value in an interface{} slot is unwrapped between commands.
            value = Some(Val::new(v.v));
        }
        let v = value.unwrap_or_default();
        for d in &pipe.decl {
            if pipe.is_assign {
                let at = match pipe.cmds.last() {
                    Some(c) => At::Arg(last_at_cmd(c)),
                    None => At::Pipe(pipe),
                };
                self.set_var(at, d, v.clone())?;
            } else {
                self.vars.push((d.clone(), v.clone()));
            }
        }
        Ok(v)
    }

    fn not_a_function(&self, args: &[Arg], fin: &Option<Val>) -> R<()> {
        if args.len() > 1 || fin.is_some() {
            return Err(self.err(
                At::Arg(&args[0]),
                format!("can't give argument to non-function {}", args[0]),
            ));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &Val, outer: &Pipe, cmd: &Command, fin: Option<Val>) -> R<Val> {
        let first = &cmd.args[0];
        let plain = cmd.args.len() == 1 && fin.is_none();
        match first {
            Arg::Field(_, idents) if plain => {
                self.field_chain_ref(&dot.v, dot.iface, idents, first, first)
            }
            Arg::Field(_, idents) => {
                self.eval_field_chain(dot, dot.clone(), first, first, idents, &cmd.args, fin)
            }
            Arg::Chain(_, node, fields) => {
                if let Arg::Nil(_) = **node {
                    return Err(self.err(
                        At::Arg(first),
                        format!("indirection through explicit nil in {first}"),
                    ));
                }
                let recv = self.eval_arg_val(dot, node)?;
                self.eval_field_chain(dot, recv, first, last_visited(node), fields, &cmd.args, fin)
            }
            Arg::Ident(_, callee) => {
                self.eval_call(dot, *callee, At::Cmd(cmd), &cmd.args[1..], fin)
            }
            Arg::Pipe(p) => {
                if cmd.args.len() > 1 || fin.is_some() {
                    // Go checks before moving on: the error points at the enclosing pipeline.
                    return Err(self.err(
                        At::Pipe(outer),
                        format!("can't give argument to non-function {first}"),
                    ));
                }
                self.eval_nested_pipeline(dot, p)
            }
            Arg::Variable(_, name, fields) if plain && !fields.is_empty() => {
                let v = self.var_ref(At::Arg(first), name)?;
                self.field_chain_ref(&v.v, v.iface, fields, first, first)
            }
            Arg::Variable(_, name, fields) => {
                let v = self.var_value(At::Arg(first), name)?;
                if fields.is_empty() {
                    self.not_a_function(&cmd.args, &fin)?;
                    return Ok(v);
                }
                self.eval_field_chain(dot, v, first, first, fields, &cmd.args, fin)
            }
            Arg::Nil(_) => {
                self.not_a_function(&cmd.args, &fin)?;
                Err(self.err(At::Arg(first), "nil is not a command".into()))
            }
            Arg::Dot(_) => {
                self.not_a_function(&cmd.args, &fin)?;
                Ok(dot.clone())
            }
            _ => {
                self.not_a_function(&cmd.args, &fin)?;
                self.eval_literal(first)
            }
        }
    }

    fn eval_literal(&self, a: &Arg) -> R<Val> {
        Ok(Val::new(match a {
            Arg::Bool(_, b) => Value::Bool(*b),
            Arg::String(_, _, v) => v.clone(),
            Arg::Number(_, n) => n.ideal().map_err(|m| self.err(At::Arg(a), m))?,
            _ => Value::Nil,
        }))
    }

    /// A chain of fields given no arguments (`.a.b.c`, `$x.a.b`, the usual case): it borrows
    /// through the maps it crosses, so only the value at its end is copied. Each step is Go's
    /// `evalField` as [`Exec::eval_field`] does it without arguments.
    fn field_chain_ref(
        &self,
        recv: &Value,
        iface: bool,
        idents: &[Rc<str>],
        node: &Arg,
        pos: &Arg,
    ) -> R<Val> {
        self.visit_chain(recv, iface, idents, node, pos, |v, iface| Val {
            v: v.clone(),
            iface,
        })
    }

    /// Walks a field chain given no arguments and hands the value at its end, where it lies,
    /// to `k`.
    fn visit_chain<T>(
        &self,
        recv: &Value,
        iface: bool,
        idents: &[Rc<str>],
        node: &Arg,
        pos: &Arg,
        k: impl FnOnce(&Value, bool) -> T,
    ) -> R<T> {
        let Some((name, rest)) = idents.split_first() else {
            return Ok(k(recv, iface));
        };
        if let Value::Map(m) = recv {
            let map = m.borrow();
            if let Some(v) = map.get(&**name) {
                return self.visit_chain(v, m.ty() != MapType::Strings, rest, node, pos, k);
            }
        }
        let v = self.field_no_args(recv, iface, name, node, pos)?;
        self.visit_chain(&v.v, v.iface, rest, node, pos, k)
    }

    /// When `pipe` is a lone field chain with no declaration (`.a.b`, `$x.a`), the value at
    /// its end handed to `k` where it lies; `None` for any other pipeline.
    fn with_plain_chain<T>(
        &self,
        dot: &Val,
        pipe: &Pipe,
        k: impl FnOnce(&Value) -> T,
    ) -> Option<R<T>> {
        if !pipe.decl.is_empty() || pipe.cmds.len() != 1 {
            return None;
        }
        match &*pipe.cmds[0].args {
            [a @ Arg::Field(_, idents)] => {
                Some(self.visit_chain(&dot.v, dot.iface, idents, a, a, |v, _| k(v)))
            }
            [a @ Arg::Variable(_, name, fields)] if !fields.is_empty() => Some(
                self.var_ref(At::Arg(a), name)
                    .and_then(|v| self.visit_chain(&v.v, v.iface, fields, a, a, |v, _| k(v))),
            ),
            _ => None,
        }
    }

    /// One field of `recv` with no arguments, as an owned value.
    fn field_no_args(
        &self,
        recv: &Value,
        iface: bool,
        name: &str,
        node: &Arg,
        pos: &Arg,
    ) -> R<Val> {
        match recv {
            Value::Nil if !iface => {
                if self.opts.strict {
                    return Err(self.err(
                        At::Arg(pos),
                        format!("nil data; no entry for key {}", go_quote(name)),
                    ));
                }
                Ok(Val::default())
            }
            Value::Nil => Err(self.err(
                At::Arg(pos),
                format!("nil pointer evaluating interface {{}}.{name}"),
            )),
            Value::Map(m) => self.map_field(m, name, pos),
            Value::Object(o) => {
                if let Some(v) = o.field(name) {
                    return Ok(if v.is_nil() {
                        Val::iface(v)
                    } else {
                        Val::new(v)
                    });
                }
                if o.has_method(name) {
                    return self.method_result(o.call(name, &[]), name, node);
                }
                let ty = Val {
                    v: recv.clone(),
                    iface,
                }
                .type_name();
                Err(self.err(
                    At::Arg(pos),
                    format!("can't evaluate field {name} in type {ty}"),
                ))
            }
            _ => {
                let ty = Val {
                    v: recv.clone(),
                    iface,
                }
                .type_name();
                Err(self.err(
                    At::Arg(pos),
                    format!("can't evaluate field {name} in type {ty}"),
                ))
            }
        }
    }

    /// `.name` on a map: its entry, or under `missingkey=zero` the element type's zero value.
    fn map_field(&self, m: &MapVal, name: &str, pos: &Arg) -> R<Val> {
        let found = m.borrow().get(name).cloned();
        match found {
            Some(v) if m.ty() == MapType::Strings => Ok(Val::new(v)),
            Some(v) => Ok(Val::iface(v)),
            None if self.opts.strict => Err(self.err(
                At::Arg(pos),
                format!("map has no entry for key {}", go_quote(name)),
            )),
            // Helm's `missingkey=zero`: the zero value of the element type.
            None if m.ty() == MapType::Strings => Ok(Val::new(Value::str(""))),
            None => Ok(Val::iface(Value::Nil)),
        }
    }

    /// `node` is the operand the chain belongs to (Go's `evalCall` reports a method's error
    /// there); `pos` is where Go's executor stands when a field fails (see `last_visited`).
    #[allow(clippy::too_many_arguments)]
    fn eval_field_chain(
        &mut self,
        dot: &Val,
        receiver: Val,
        node: &Arg,
        pos: &Arg,
        idents: &[Rc<str>],
        args: &[Arg],
        fin: Option<Val>,
    ) -> R<Val> {
        let n = idents.len();
        let mut recv = receiver;
        for ident in &idents[..n - 1] {
            recv = self.eval_field(dot, ident, node, pos, &[], None, recv)?;
        }
        self.eval_field(dot, &idents[n - 1], node, pos, args, fin, recv)
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_field(
        &mut self,
        dot: &Val,
        name: &str,
        node: &Arg,
        pos: &Arg,
        args: &[Arg],
        fin: Option<Val>,
        recv: Val,
    ) -> R<Val> {
        let has_args = args.len() > 1 || fin.is_some();
        match &recv.v {
            Value::Nil if !recv.iface => {
                if self.opts.strict {
                    return Err(self.err(
                        At::Arg(pos),
                        format!("nil data; no entry for key {}", go_quote(name)),
                    ));
                }
                Ok(Val::default())
            }
            Value::Nil => Err(self.err(
                At::Arg(pos),
                format!("nil pointer evaluating interface {{}}.{name}"),
            )),
            Value::Map(m) => {
                if has_args {
                    return Err(self.err(
                        At::Arg(pos),
                        format!("{name} is not a method but has arguments"),
                    ));
                }
                self.map_field(m, name, pos)
            }
            Value::Object(o) => {
                let o = o.clone();
                if has_args && o.has_method(name) {
                    return self.call_method(dot, &*o, name, node, args, fin);
                }
                if let Some(v) = o.field(name) {
                    if has_args {
                        return Err(self.err(
                            At::Arg(pos),
                            format!("{name} has arguments but cannot be invoked as function"),
                        ));
                    }
                    return Ok(if v.is_nil() {
                        Val::iface(v)
                    } else {
                        Val::new(v)
                    });
                }
                if o.has_method(name) {
                    return self.call_method(dot, &*o, name, node, args, fin);
                }
                Err(self.err(
                    At::Arg(pos),
                    format!("can't evaluate field {name} in type {}", recv.type_name()),
                ))
            }
            _ => Err(self.err(
                At::Arg(pos),
                format!("can't evaluate field {name} in type {}", recv.type_name()),
            )),
        }
    }

    fn call_method(
        &mut self,
        dot: &Val,
        o: &dyn super::value::Object,
        name: &str,
        node: &Arg,
        args: &[Arg],
        fin: Option<Val>,
    ) -> R<Val> {
        let mut argv = Vec::with_capacity(args.len());
        for a in args.iter().skip(1) {
            argv.push(self.eval_arg_typed(dot, Param::Any, a)?);
        }
        if let Some(f) = fin {
            argv.push(f.v);
        }
        self.method_result(o.call(name, &argv), name, node)
    }

    /// A method's result, its error reported at `node` as Go's `evalCall` does.
    fn method_result(&self, r: Result<Value, String>, name: &str, node: &Arg) -> R<Val> {
        match r {
            Ok(v) => Ok(Val::new(v)),
            Err(msg) if msg.starts_with("wrong number of args") => {
                Err(self.err(At::Arg(node), msg))
            }
            Err(msg) => Err(self.err_cause(
                At::Arg(node),
                format!("error calling {name}: "),
                Some(Error::plain(msg, None)),
            )),
        }
    }

    /// Evaluates an argument for a parameter of any type (Go's `evalArg` minus the type check).
    fn eval_arg_val(&mut self, dot: &Val, a: &Arg) -> R<Val> {
        match a {
            Arg::Dot(_) => Ok(dot.clone()),
            Arg::Field(_, idents) => self.field_chain_ref(&dot.v, dot.iface, idents, a, a),
            Arg::Variable(_, name, fields) => {
                let v = self.var_ref(At::Arg(a), name)?;
                if fields.is_empty() {
                    return Ok(v.clone());
                }
                self.field_chain_ref(&v.v, v.iface, fields, a, a)
            }
            Arg::Chain(_, node, fields) => {
                if let Arg::Nil(_) = **node {
                    return Err(self.err(
                        At::Arg(a),
                        format!("indirection through explicit nil in {a}"),
                    ));
                }
                let recv = self.eval_arg_val(dot, node)?;
                self.field_chain_ref(&recv.v, recv.iface, fields, a, last_visited(node))
            }
            Arg::Pipe(p) => self.eval_nested_pipeline(dot, p),
            Arg::Ident(_, callee) => self.eval_call(dot, *callee, At::Arg(a), &[], None),
            Arg::Nil(_) => Ok(Val::default()),
            _ => self.eval_literal(a),
        }
    }

    /// Go's `evalArg` for a parameter of type `p`.
    fn eval_arg_typed(&mut self, dot: &Val, p: Param, a: &Arg) -> R<Value> {
        match a {
            Arg::Nil(_) => {
                if matches!(p, Param::Any | Param::List | Param::Map | Param::Strings) {
                    return Ok(Value::Nil);
                }
                Err(self.err(At::Arg(a), format!("cannot assign nil to {}", p.go_name())))
            }
            Arg::Bool(..) | Arg::Number(..) | Arg::String(..) if p != Param::Any => {
                let bad = |what: &str| format!("expected {what}; found {a}");
                let v = match (p, a) {
                    (Param::String, Arg::String(_, _, v)) => Ok(v.clone()),
                    (Param::String, _) => Err(bad("string")),
                    (Param::Int, Arg::Number(_, n)) if n.is_int => Ok(Value::Int(n.int)),
                    (Param::Int64, Arg::Number(_, n)) if n.is_int => Ok(Value::Int64(n.int)),
                    (Param::Int | Param::Int64, _) => Err(bad("integer")),
                    (Param::Float64, Arg::Number(_, n)) if n.is_float => Ok(Value::Float(n.float)),
                    (Param::Float64, _) => Err(bad("float")),
                    (Param::Bool, Arg::Bool(_, b)) => Ok(Value::Bool(*b)),
                    (Param::Bool, _) => Err(bad("bool")),
                    // Go's `SetUint` on a `uint32` keeps the low 32 bits.
                    (Param::Uint32, Arg::Number(_, n)) if n.is_uint => {
                        Ok(Value::Uint(u64::from(n.uint as u32)))
                    }
                    (Param::Uint32, _) => Err(bad("unsigned integer")),
                    _ => Err(format!("can't handle {a} for arg of type {}", p.go_name())),
                };
                v.map_err(|m| self.err(At::Arg(a), m))
            }
            _ => {
                let v = self.eval_arg_val(dot, a)?;
                self.validate(v, p, At::Arg(last_at(a)))
            }
        }
    }

    /// Go's `validateType` of a computed value against parameter type `p`.
    fn validate(&self, v: Val, p: Param, at: At<'_>) -> R<Value> {
        if v.v.is_nil() {
            let can_be_nil = matches!(p, Param::Any | Param::List | Param::Map | Param::Strings);
            if !v.iface {
                if can_be_nil {
                    return Ok(Value::Nil);
                }
                return Err(self.err(at, format!("invalid value; expected {}", p.go_name())));
            }
            if p == Param::Any {
                return Ok(Value::Nil);
            }
            return Err(self.err(
                at,
                format!(
                    "wrong type for value; expected {}; got interface {{}}",
                    p.go_name()
                ),
            ));
        }
        let ok = match (p, &v.v) {
            (Param::Any, _)
            | (Param::String, Value::String(_))
            | (Param::Int, Value::Int(_))
            | (Param::Int64, Value::Int64(_))
            | (Param::Float64, Value::Float(_))
            | (Param::Bool, Value::Bool(_)) => true,
            (Param::List, Value::List(l)) => l.ty() == ListType::Any,
            (Param::Strings, Value::List(l)) => l.ty() == ListType::Strings,
            (Param::Time | Param::Certificate, Value::Object(o)) => o.type_name() == p.go_name(),
            (Param::Map, Value::Map(m)) => match m.ty() {
                MapType::Any => true,
                // Helm's named `Values` type is assignable to `map[string]interface{}`: the
                // function sees (and returns) the plain map type.
                MapType::Values(_) => {
                    return Ok(Value::Map(m.with_type(MapType::Any)));
                }
                MapType::Strings => false,
            },
            _ => false,
        };
        if ok {
            return Ok(v.v);
        }
        Err(self.err(
            at,
            format!(
                "wrong type for value; expected {}; got {}",
                p.go_name(),
                v.v.type_name()
            ),
        ))
    }

    fn eval_call(
        &mut self,
        dot: &Val,
        callee: Callee,
        at: At<'_>,
        args: &[Arg],
        fin: Option<Val>,
    ) -> R<Val> {
        match callee {
            Callee::Func(def) => self.call_func(dot, &def, at, args, fin),
            Callee::Builtin(b) => self.call_builtin(dot, b, at, args, fin),
        }
    }

    fn arity(
        &self,
        at: At<'_>,
        name: &str,
        fixed: usize,
        variadic: bool,
        args: usize,
        num_in: usize,
    ) -> R<()> {
        // Go reports arity at the function name, not the whole command.
        let at = match at {
            At::Cmd(c) => At::Arg(&c.args[0]),
            other => other,
        };
        if variadic {
            if num_in < fixed {
                return Err(self.err(
                    at,
                    format!("wrong number of args for {name}: want at least {fixed} got {args}"),
                ));
            }
        } else if num_in != fixed {
            return Err(self.err(
                at,
                format!("wrong number of args for {name}: want {fixed} got {num_in}"),
            ));
        }
        Ok(())
    }

    fn final_at<'a>(at: At<'a>, args: &'a [Arg]) -> At<'a> {
        match args.last() {
            Some(a) => At::Arg(last_at(a)),
            None => match at {
                At::Cmd(c) => At::Arg(&c.args[0]),
                other => other,
            },
        }
    }

    fn call_func(
        &mut self,
        dot: &Val,
        def: &FuncDef,
        at: At<'_>,
        args: &[Arg],
        fin: Option<Val>,
    ) -> R<Val> {
        let num_in = args.len() + usize::from(fin.is_some());
        let fixed = def.params.len();
        self.arity(
            at,
            def.name,
            fixed,
            def.variadic.is_some(),
            args.len(),
            num_in,
        )?;
        let param = |i: usize| -> Param {
            if i < fixed {
                def.params[i]
            } else {
                def.variadic.unwrap_or(Param::Any)
            }
        };
        let mut argv: SmallVec<[Value; 4]> = SmallVec::with_capacity(num_in);
        for (i, a) in args.iter().enumerate() {
            argv.push(self.eval_arg_typed(dot, param(i), a)?);
        }
        if let Some(f) = fin {
            let v = self.validate(f, param(num_in - 1), Self::final_at(at, args))?;
            argv.push(v);
        }
        if self.opts.step_limit.is_some() {
            self.step()?;
        }
        self.pending = None;
        let r = (def.imp)(self, &argv);
        match r {
            Ok(v) => Ok(if v.is_nil() {
                Val::iface(v)
            } else {
                Val::new(v)
            }),
            Err(FuncError::Call(msg) | FuncError::Exec(msg)) => {
                // `include` and `tpl` leave their structured error behind (set just now:
                // it is cleared before every call).
                let cause = match self.pending.take() {
                    Some(e) => e,
                    None => Error::plain(msg, None),
                };
                Err(self.err_cause(at, format!("error calling {}: ", def.name), Some(cause)))
            }
        }
    }

    fn call_builtin(
        &mut self,
        dot: &Val,
        b: Builtin,
        at: At<'_>,
        args: &[Arg],
        fin: Option<Val>,
    ) -> R<Val> {
        let name = b.name();
        let num_in = args.len() + usize::from(fin.is_some());
        if matches!(b, Builtin::And | Builtin::Or) {
            self.arity(at, name, 1, true, args.len(), num_in)?;
            let mut v = Val::default();
            for a in args {
                v = self.eval_arg_val(dot, a)?;
                if v.v.is_true() == (b == Builtin::Or) {
                    return Ok(v);
                }
            }
            if let Some(f) = fin {
                v = f;
            }
            return Ok(v);
        }
        let mut argv: SmallVec<[Val; 4]> = SmallVec::with_capacity(num_in);
        match b.shape() {
            Shape::Reflect(n, variadic) => {
                self.arity(at, name, n, variadic, args.len(), num_in)?;
                for a in args {
                    argv.push(self.eval_arg_val(dot, a)?);
                }
                if let Some(f) = fin {
                    argv.push(f);
                }
            }
            Shape::Any | Shape::FormatAny => {
                let fixed = usize::from(b.shape() == Shape::FormatAny);
                self.arity(at, name, fixed, true, args.len(), num_in)?;
                for (i, a) in args.iter().enumerate() {
                    let p = if i < fixed { Param::String } else { Param::Any };
                    argv.push(Val::new(self.eval_arg_typed(dot, p, a)?));
                }
                if let Some(f) = fin {
                    let p = if num_in - 1 < fixed {
                        Param::String
                    } else {
                        Param::Any
                    };
                    argv.push(Val::new(self.validate(f, p, Self::final_at(at, args))?));
                }
            }
        }
        let compat = self.set.compat;
        let values = || {
            argv.iter()
                .map(|v| v.v.clone())
                .collect::<SmallVec<[Value; 4]>>()
        };
        let r: Result<Val, String> = match b {
            Builtin::Not => Ok(Val::new(Value::Bool(!argv[0].v.is_true()))),
            Builtin::Len => builtins::len(&argv[0]).map(Val::new),
            Builtin::Index => builtins::index(&argv),
            Builtin::Slice => builtins::slice(&argv).map(Val::new),
            Builtin::Eq => builtins::eq(compat, &argv).map(Val::new),
            Builtin::Ne | Builtin::Lt | Builtin::Le | Builtin::Gt | Builtin::Ge => {
                builtins::compare(b, compat, &argv).map(Val::new)
            }
            Builtin::Call => Err(if argv[0].v.is_nil() {
                "call of nil".to_string()
            } else {
                format!(
                    "non-function {} of type {}",
                    args.first().map_or(String::new(), |a| a.to_string()),
                    argv[0].v.type_name()
                )
            }),
            Builtin::Print => Ok(Val::new(Value::string(gofmt::sprint(&values())))),
            Builtin::Println => Ok(Val::new(Value::string(gofmt::sprintln(&values())))),
            Builtin::Printf => {
                let vs = values();
                let f = vs[0].as_str().unwrap_or_default();
                Ok(Val::new(Value::string(gofmt::sprintf(f, &vs[1..]))))
            }
            Builtin::Html => Ok(Val::new(Value::string(escape::html_builtin(&values())))),
            Builtin::Js => Ok(Val::new(Value::string(escape::js_builtin(&values())))),
            Builtin::Urlquery => Ok(Val::new(Value::string(escape::urlquery_builtin(&values())))),
            Builtin::And | Builtin::Or => Ok(Val::default()),
        };
        r.map_err(|m| {
            self.err_cause(
                at,
                format!("error calling {name}: "),
                Some(Error::plain(m, None)),
            )
        })
    }

    fn tpl_trees(&self, text: &str) -> Result<Rc<[Rc<Tree>]>, Error> {
        if let Some(r) = self.set.tpl_cache.borrow().get(text) {
            return r.clone();
        }
        let r = parser::parse(ROOT_NAME, text, &self.set.funcs)
            .map(|p| p.trees.into_iter().map(Rc::new).collect::<Rc<[Rc<Tree>]>>());
        self.set
            .tpl_cache
            .borrow_mut()
            .insert(text.into(), r.clone());
        r
    }

    /// Checks the nesting of `include`/`tpl` executions before one more starts.
    fn enter_call(&mut self, name: &str) -> Result<(), Error> {
        self.calls += 1;
        if self.calls > MAX_CALL_NESTING {
            self.calls -= 1;
            return Err(Error::exec(
                name,
                None,
                None,
                format!("exceeded maximum template depth ({MAX_CALL_NESTING})"),
                None,
            ));
        }
        Ok(())
    }

    /// Helm's `include`: executes template `name` with `data` and hands the output to `k`.
    fn include_impl<T>(
        &mut self,
        name: &str,
        data: &Value,
        k: impl FnOnce(&str) -> T,
    ) -> Result<T, Error> {
        self.enter_call(name)?;
        let r = self.include_inner(name, data, k);
        self.calls -= 1;
        r
    }

    fn include_inner<T>(
        &mut self,
        name: &str,
        data: &Value,
        k: impl FnOnce(&str) -> T,
    ) -> Result<T, Error> {
        match self.include_counts.get_mut(name) {
            Some(c) if *c > MAX_INCLUDE => {
                return Err(Error::plain(
                    format!("rendering template has a nested reference name: {name}: "),
                    Some(Error::plain("unable to execute template".into(), None)),
                ));
            }
            Some(c) => *c += 1,
            None => {
                self.include_counts.insert(Rc::from(name), 1);
            }
        }
        let r = match self.lookup(name) {
            None => Err(no_template(name)),
            Some(tree) => {
                let saved_depth = std::mem::replace(&mut self.depth, 0);
                // Output buffers are reused from one include to the next.
                let mut out = self.buffers.pop().unwrap_or_default();
                out.clear();
                let r = self.run(&tree, Val::new(data.clone()), &mut out);
                self.depth = saved_depth;
                let r = r.map(|()| k(&out));
                self.buffers.push(out);
                r
            }
        };
        if let Some(c) = self.include_counts.get_mut(name) {
            *c -= 1;
        }
        r
    }

    fn tpl_impl(&mut self, text: &str, data: &Value) -> Result<String, Error> {
        self.enter_call(ROOT_NAME)?;
        let r = self.tpl_inner(text, data);
        self.calls -= 1;
        r
    }

    fn tpl_inner(&mut self, text: &str, data: &Value) -> Result<String, Error> {
        let trees = match self.tpl_trees(text) {
            Ok(t) => t,
            Err(e) => {
                return Err(Error::plain(
                    format!("cannot parse template {}: ", go_quote(text)),
                    Some(e),
                ))
            }
        };
        // The text's own templates are visible (to `include` too) while it runs, as in
        // Helm's clone of the template set.
        let pushed = trees.len() > 1;
        if pushed {
            let mut overlay = HashMap::default();
            for t in trees.iter() {
                if let Some(old) = self.lookup(&t.name) {
                    if t.is_empty() && !old.root.is_empty() {
                        continue;
                    }
                }
                overlay.insert(t.name.clone(), t.clone());
            }
            self.overlays.push(overlay);
        }
        let saved_depth = std::mem::replace(&mut self.depth, 0);
        let mut out = String::new();
        let r = self.run(&trees[0], Val::new(data.clone()), &mut out);
        self.depth = saved_depth;
        if pushed {
            self.overlays.pop();
        }
        match r {
            Ok(()) => Ok(out.replace("<no value>", "")),
            Err(e) => Err(Error::plain(
                format!(
                    "error during tpl function execution for {}: ",
                    go_quote(text)
                ),
                Some(e),
            )),
        }
    }
}

fn last_at_pipe(p: &Pipe) -> &Arg {
    match p.cmds.last() {
        Some(c) => last_at_cmd(c),
        None => unreachable_arg(),
    }
}

/// A parsed pipeline always has a command (the parser checks it); this keeps the type total.
fn unreachable_arg() -> &'static Arg {
    thread_local! {
        static DOT: &'static Arg = Box::leak(Box::new(Arg::Dot(0)));
    }
    DOT.with(|d| *d)
}

/// Whether a variable slot holds `name`. Names are shared within a parse, so the same text is
/// usually the same allocation.
#[inline]
fn same_name(slot: &str, name: &str) -> bool {
    std::ptr::eq(slot.as_ptr(), name.as_ptr()) && slot.len() == name.len() || slot == name
}

fn fmt_v(v: &Value) -> String {
    gofmt::fmt_value(v)
}

/// Prints an action's value as Go's `printValue` does: no value prints `<no value>`.
fn print_plain(v: &Value, out: &mut String) {
    match v {
        Value::Nil => out.push_str("<no value>"),
        Value::String(s) => out.push_str(s),
        other => gofmt::write_action_value(out, other),
    }
}

impl Exec<'_> {
    /// Keeps the structured error of a failed `include` or `tpl` for the engine (it crosses
    /// the function contract as text) and returns that text.
    fn pending_error(&mut self, e: Error) -> FuncError {
        // The full text is built only if someone prints it; the engine takes `pending`.
        let msg = e.message().to_string();
        self.pending = Some(e);
        FuncError::Call(msg)
    }
}

impl Runtime for Exec<'_> {
    fn compat(&self) -> Compat {
        self.set.compat
    }

    fn lint_mode(&self) -> bool {
        self.opts.lint_mode
    }

    fn include(&mut self, name: &str, data: &Value) -> Result<String, FuncError> {
        self.include_impl(name, data, str::to_string)
            .map_err(|e| self.pending_error(e))
    }

    fn include_value(&mut self, name: &str, data: &Value) -> Result<Value, FuncError> {
        self.include_impl(name, data, Value::str)
            .map_err(|e| self.pending_error(e))
    }

    fn tpl(&mut self, text: &str, data: &Value) -> Result<String, FuncError> {
        self.tpl_impl(text, data).map_err(|e| {
            let msg = e.message().to_string();
            self.pending = Some(e);
            FuncError::Call(msg)
        })
    }

    fn log(&mut self, msg: &str) {
        self.set.logs.borrow_mut().push(msg.to_string());
    }
}
