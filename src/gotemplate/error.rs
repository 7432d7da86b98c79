//! The engine's one error type. It prints exactly as Go's `text/template` error does
//! (`template: NAME:LINE:COL: executing "NAME" at <NODE>: MESSAGE`), and keeps the parts and the
//! chain through nested `include`/`tpl`/`template` calls, because Helm 4 re-formats that chain
//! into a multi-line message (see [`Error::helm_message`]).

use std::fmt;

use crate::Compat;

/// What failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// A parse error: `template: NAME:LINE: MESSAGE`.
    Parse,
    /// An execution error (Go's `ExecError`).
    Exec,
    /// A plain error text, possibly wrapping another (`error during tpl function execution ...`).
    Plain,
}

/// Where in a template text an error happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The name of the top-level template (file) whose text holds the spot.
    pub parse_name: String,
    /// 1-based line.
    pub line: usize,
    /// 0-based byte column, as Go prints it (execution errors only).
    pub col: Option<usize>,
}

#[derive(Clone, Debug)]
struct Repr {
    kind: ErrorKind,
    name: String,
    location: Option<Location>,
    context: Option<String>,
    message: String,
    cause: Option<Error>,
}

/// A template parse or execution error.
#[derive(Clone, Debug)]
pub struct Error {
    repr: Box<Repr>,
}

impl Error {
    pub(crate) fn parse(parse_name: &str, line: usize, message: String) -> Error {
        Error {
            repr: Box::new(Repr {
                kind: ErrorKind::Parse,
                name: parse_name.to_string(),
                location: Some(Location {
                    parse_name: parse_name.to_string(),
                    line,
                    col: None,
                }),
                context: None,
                message,
                cause: None,
            }),
        }
    }

    pub(crate) fn exec(
        name: &str,
        location: Option<Location>,
        context: Option<String>,
        message: String,
        cause: Option<Error>,
    ) -> Error {
        Error {
            repr: Box::new(Repr {
                kind: ErrorKind::Exec,
                name: name.to_string(),
                location,
                context,
                message,
                cause,
            }),
        }
    }

    pub(crate) fn plain(message: String, cause: Option<Error>) -> Error {
        Error {
            repr: Box::new(Repr {
                kind: ErrorKind::Plain,
                name: String::new(),
                location: None,
                context: None,
                message,
                cause,
            }),
        }
    }

    pub fn kind(&self) -> ErrorKind {
        self.repr.kind
    }

    /// The template being executed (`executing "NAME"`), or parsed.
    pub fn template_name(&self) -> &str {
        &self.repr.name
    }

    pub fn location(&self) -> Option<&Location> {
        self.repr.location.as_ref()
    }

    /// The node text Go quotes (`at <...>`), cut to 20 characters plus `...` as Go does.
    pub fn context(&self) -> Option<&str> {
        self.repr.context.as_deref()
    }

    /// This level's message, without the wrapped cause (e.g. `error calling include: `).
    pub fn message(&self) -> &str {
        &self.repr.message
    }

    /// The wrapped error (a nested template's error, a function's error text).
    pub fn cause(&self) -> Option<&Error> {
        self.repr.cause.as_ref()
    }

    /// The innermost error of the chain.
    pub fn root_cause(&self) -> &Error {
        let mut e = self;
        while let Some(c) = e.cause() {
            e = c;
        }
        e
    }

    /// The texts of Go's `errors.Unwrap` chain of this error, outermost first, as Helm 4's
    /// `reformatExecErrorMsg` walks it. Each text holds all deeper ones, so a deep chain costs
    /// quadratic memory; [`Error::helm_message`] gets Helm's text without building them.
    pub fn go_chain(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut e = Some(self);
        while let Some(err) = e {
            let s = err.to_string();
            if err.kind() == ErrorKind::Exec {
                // An ExecError unwraps to the fmt error holding the same text.
                out.push(s.clone());
            }
            out.push(s);
            e = err.cause();
        }
        out
    }

    /// The message Helm prints for this error when it fails rendering `filename`:
    /// Helm's `cleanupParseError` for parse errors, `reformatExecErrorMsg` for the rest.
    pub fn helm_message(&self, filename: &str, compat: Compat) -> String {
        let s = self.to_string();
        match self.kind() {
            ErrorKind::Parse => {
                let tokens: Vec<&str> = s.split(": ").collect();
                if tokens.len() == 1 {
                    return format!("parse error in ({filename}): {s}");
                }
                format!(
                    "parse error at ({}): {}",
                    tokens[1],
                    tokens[tokens.len() - 1]
                )
            }
            ErrorKind::Plain => s,
            ErrorKind::Exec => {
                let tokens: Vec<&str> = s.splitn(3, ": ").collect();
                if tokens.len() != 3 {
                    return format!("execution error in ({filename}): {s}");
                }
                if let Some(msg) = helm_warning(tokens[2]) {
                    return format!("execution error at ({}): {msg}", tokens[1]);
                }
                if compat == Compat::Helm3 {
                    return s;
                }
                let mut levels: Vec<Traceable> = Vec::new();
                let mut e = Some(self);
                while let Some(err) = e {
                    let Some(t) = Traceable::of_level(err) else {
                        return s;
                    };
                    if levels.last() != Some(&t) {
                        levels.push(t);
                    }
                    e = err.cause();
                }
                let mut out = String::new();
                for l in &levels {
                    l.write(&mut out);
                }
                out.trim().to_string()
            }
        }
    }
}

const WARN_START: &str = "HELM_ERR_START";
const WARN_END: &str = "HELM_ERR_END";

/// Wraps a `required`/`fail` message as Helm does so that it can find it again.
pub fn helm_warn_wrap(msg: &str) -> String {
    format!("{WARN_START}{msg}{WARN_END}")
}

/// The message between Helm's warning markers (greedy, as Helm's regular expression is).
fn helm_warning(s: &str) -> Option<&str> {
    let start = s.find(WARN_START)? + WARN_START.len();
    let end = s.rfind(WARN_END)?;
    (end >= start).then(|| &s[start..end])
}

/// One level of Helm 4's re-formatted execution error.
#[derive(PartialEq, Eq)]
struct Traceable {
    location: String,
    message: String,
    function: String,
}

impl Traceable {
    /// Helm's parse of one level of the chain, from the level's parts rather than its full
    /// text where that gives the same result (the full text of every level of a deep chain
    /// would cost quadratic memory).
    fn of_level(err: &Error) -> Option<Traceable> {
        let r = &err.repr;
        if let (ErrorKind::Exec, Some(loc), Some(ctx)) = (r.kind, &r.location, &r.context) {
            let mut msg = r.message.clone();
            // The message runs into the cause's text up to the next " template:".
            let mut cause = err.cause();
            while let Some(c) = cause {
                let mut own = String::new();
                let _ = c.write_own(&mut own);
                msg.push_str(&own);
                if msg.contains(" template:") {
                    break;
                }
                cause = c.cause();
            }
            if let Some(i) = msg.find(" template:") {
                msg.truncate(i);
            }
            if ctx.contains(">: ") || r.name.contains('"') {
                return Traceable::parse(&err.to_string());
            }
            return Some(Traceable {
                location: format!("{}:{}:{}", loc.parse_name, loc.line, loc.col.unwrap_or(0)),
                message: msg,
                function: format!("executing \"{}\" at <{ctx}>:", r.name),
            });
        }
        Traceable::parse(&err.to_string())
    }

    fn parse(s: &str) -> Option<Traceable> {
        let rest = s.strip_prefix("template: ")?;
        if rest.starts_with("no template ") {
            return Some(Traceable {
                location: String::new(),
                message: s.to_string(),
                function: String::new(),
            });
        }
        if let Some((name, after)) = rest.split_once(": executing ") {
            let after = after.strip_prefix('"')?;
            let end = after.find('"')?;
            let func = &after[..end];
            let after_at = after[end + 1..].strip_prefix(" at <")?;
            let (loc, msg) = after_at.split_once(">: ")?;
            let msg = match msg.find(" template:") {
                Some(i) => &msg[..i],
                None => msg,
            };
            return Some(Traceable {
                location: name.to_string(),
                message: msg.to_string(),
                function: format!("executing \"{func}\" at <{loc}>:"),
            });
        }
        let sep = rest.rfind(": ")?;
        let msg = &rest[sep + 2..];
        let msg = match msg.find(" template:") {
            Some(i) => &msg[..i],
            None => msg,
        };
        Some(Traceable {
            location: rest[..sep].to_string(),
            message: msg.to_string(),
            function: String::new(),
        })
    }

    fn write(&self, out: &mut String) {
        if !self.location.is_empty() {
            out.push_str(&self.location);
            out.push_str("\n  ");
        }
        if !self.function.is_empty() {
            out.push_str(&self.function);
            out.push_str("\n    ");
        }
        if !self.message.is_empty() {
            out.push_str(&self.message);
            out.push('\n');
        }
    }
}

impl Error {
    /// This level's own text: Go's message of this level without the wrapped cause.
    fn write_own(&self, f: &mut dyn fmt::Write) -> fmt::Result {
        let r = &self.repr;
        match r.kind {
            ErrorKind::Parse => {
                let line = r.location.as_ref().map_or(0, |l| l.line);
                write!(f, "template: {}:{}: {}", r.name, line, r.message)
            }
            ErrorKind::Exec => match (&r.location, &r.context) {
                (Some(loc), Some(ctx)) => write!(
                    f,
                    "template: {}:{}:{}: executing \"{}\" at <{}>: {}",
                    loc.parse_name,
                    loc.line,
                    loc.col.unwrap_or(0),
                    r.name,
                    ctx,
                    r.message
                ),
                _ => write!(f, "template: {}: {}", r.name, r.message),
            },
            ErrorKind::Plain => f.write_str(&r.message),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A chain can be thousands of levels deep (recursive `include`): walk it in a loop.
        let mut e = Some(self);
        while let Some(err) = e {
            err.write_own(f)?;
            e = err.cause();
        }
        Ok(())
    }
}

impl Drop for Error {
    fn drop(&mut self) {
        // Unlink the chain so that dropping a deep one does not recurse.
        let mut next = self.repr.cause.take();
        while let Some(mut e) = next {
            next = e.repr.cause.take();
        }
    }
}

impl std::error::Error for Error {}

/// Go's `ErrorContext` location of byte offset `pos` in `text`: 1-based line, 0-based column.
pub(crate) fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let pos = pos.min(text.len());
    let before = &text.as_bytes()[..pos];
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let col = match before.iter().rposition(|&b| b == b'\n') {
        Some(i) => pos - (i + 1),
        None => pos,
    };
    (line, col)
}

/// The node text quoted in an error context. Go once cut it to 20 characters; the Go
/// versions Helm ships print it whole.
pub(crate) fn cut_context(s: String) -> String {
    s
}
