//! Errors of the YAML and JSON layers, worded as Helm's Go libraries word them.
//!
//! goyaml.v2 reports `yaml: line N: <problem>` where N is libyaml's quirky line (the 0-based
//! line of the problem for parser errors, 1-based for scanner errors, or the context's line
//! when the problem is on the first line; nothing when both are 0). `sigs.k8s.io/yaml` wraps
//! that as `error converting YAML to JSON: ...`, and a JSON type mismatch as
//! `error unmarshaling JSON: while decoding JSON: ...`. saphyr-parser's errors are mapped onto
//! the goyaml.v2 texts for the common cases; the rest keep saphyr's wording.

use std::fmt;

use saphyr_parser::ScanError;

/// A YAML load or emit error. `Display` prints the Go text; `line`/`column` (1-based) say
/// where in the input it is, when known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct YamlError {
    message: String,
    /// Whether the `sigs.k8s.io/yaml` prefix is already part of `message`.
    wrapped: bool,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl YamlError {
    /// A goyaml-level error (`yaml: ...`), not yet wrapped by `sigs.k8s.io/yaml`.
    pub fn plain(message: impl Into<String>) -> YamlError {
        YamlError {
            message: message.into(),
            wrapped: false,
            line: None,
            column: None,
        }
    }

    /// `error converting YAML to JSON: <message>`.
    pub fn convert(message: impl Into<String>) -> YamlError {
        YamlError {
            message: format!("error converting YAML to JSON: {}", message.into()),
            wrapped: true,
            line: None,
            column: None,
        }
    }

    /// `error unmarshaling JSON: while decoding JSON: <message>`.
    pub fn unmarshal(message: impl Into<String>) -> YamlError {
        YamlError {
            message: format!(
                "error unmarshaling JSON: while decoding JSON: {}",
                message.into()
            ),
            wrapped: true,
            line: None,
            column: None,
        }
    }

    /// Prefixes `context: ` and marks the error final (no further wrapping).
    #[must_use]
    pub fn with_context(mut self, context: &str) -> YamlError {
        self.message = format!("{context}: {}", self.message);
        self.wrapped = true;
        self
    }

    /// Wraps a goyaml-level error as `sigs.k8s.io/yaml` does; other errors pass through.
    #[must_use]
    pub fn sigs(self) -> YamlError {
        if self.wrapped {
            self
        } else {
            let (line, column) = (self.line, self.column);
            let mut e = YamlError::convert(self.message);
            e.line = line;
            e.column = column;
            e
        }
    }

    /// The goyaml text without any wrapping prefix.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for YamlError {}

/// Maps a saphyr-parser error onto goyaml.v2's message for the same input. saphyr is a
/// port of libyaml, so the problem texts mostly agree once the `while ..., ` context is
/// dropped; the line follows goyaml's rule (see the module doc).
pub fn scan_error(text: &str, e: &ScanError) -> YamlError {
    let mark = e.marker();
    let line = mark.line();
    let info = e.info();
    let parser_error = info.starts_with("while parsing")
        || info.contains("did not find expected")
        || info == "misplaced bracket"
        || info.starts_with("invalid trailing content after")
        || info.contains("illegal placement of ':'");
    let problem = match info.split_once(", ") {
        Some((ctx, rest)) if ctx.starts_with("while ") => rest,
        _ => info,
    };
    // The 0-based line of the problem, as libyaml marks it.
    let mut problem_line = line.saturating_sub(1);
    let msg = match problem {
        "found a tab" => {
            // saphyr marks the plain scalar; libyaml marks the tab on the next line.
            problem_line += 1;
            "found a tab character that violates indentation".to_string()
        }
        p if p.starts_with("tabs disallowed") || p.starts_with("unexpected character") => {
            "found character that cannot start any token".to_string()
        }
        "found unexpected end of stream" => {
            problem_line = text.matches('\n').count();
            problem.to_string()
        }
        "expected ',' or ']'" => "did not find expected ',' or ']'".to_string(),
        // A closing bracket in block context: libyaml is still looking for a mapping key.
        "misplaced bracket" => "did not find expected key".to_string(),
        p if p.starts_with("invalid trailing content after") => {
            "did not find expected key".to_string()
        }
        "simple key expect ':'" => "could not find expected ':'".to_string(),
        // libyaml's own spelling.
        p if p.contains("expected hexadecimal number") => {
            "did not find expected hexdecimal number".to_string()
        }
        p if p.starts_with("a block scalar content cannot start with a tab") => {
            // saphyr marks the block indicator; libyaml the tab on the next line.
            problem_line += 1;
            "found a tab character where an indentation space is expected".to_string()
        }
        // saphyr refuses a multi-line implicit key inside a flow collection; libyaml folds
        // the lines into one scalar and then misses the separator.
        p if p.contains("illegal placement of ':'") => {
            match innermost_bracket(text, mark.index()) {
                Some('{') => "did not find expected ',' or '}'".to_string(),
                _ => "did not find expected ',' or ']'".to_string(),
            }
        }
        // saphyr reports a single-pair mapping inside `[...]` as an unclosed flow mapping;
        // libyaml as an unclosed sequence.
        "did not find expected ',' or '}'"
            if innermost_bracket(text, mark.index()) == Some('[') =>
        {
            "did not find expected ',' or ']'".to_string()
        }
        "found unknown anchor" => {
            let name: String = text
                .chars()
                .skip(mark.index() + 1)
                .take_while(|c| !c.is_whitespace() && !",[]{}".contains(*c))
                .collect();
            return YamlError::plain(format!("yaml: unknown anchor '{name}' referenced"));
        }
        p => p.to_string(),
    };
    let go_line = match (problem_line, parser_error) {
        (0, _) => 0,
        (l, true) => l,
        (l, false) => l + 1,
    };
    let mut err = YamlError::plain(if go_line > 0 {
        format!("yaml: line {go_line}: {msg}")
    } else {
        format!("yaml: {msg}")
    });
    err.line = Some(line);
    err.column = Some(mark.col() + 1);
    err
}

/// The innermost unclosed `[` or `{` before character `index` (quotes and comments are not
/// tracked: only used to pick between two messages).
fn innermost_bracket(text: &str, index: usize) -> Option<char> {
    let mut stack = Vec::new();
    for c in text.chars().take(index) {
        match c {
            '[' | '{' => stack.push(c),
            ']' | '}' => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.pop()
}
