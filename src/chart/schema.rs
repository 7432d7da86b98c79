//! `values.schema.json`: validating the root chart's and every enabled subchart's values
//! against their schemas, with each Helm version's report layout.
//!
//! Validation uses the `jsonschema` crate with no network or file access: a `$ref` to
//! another document fails instead of being fetched. The crate's error kinds are turned into
//! the messages of the library each Helm uses:
//!
//! * Helm 4 (santhosh-tekuri/jsonschema v6, default draft 2020-12, `format` not asserted):
//!   `- at '/path': message`, nested causes of `anyOf`/`oneOf` indented by two spaces, all
//!   missing required properties of one object in one line. Helm's order follows Go's map
//!   iteration, which is random; we sort by instance path.
//! * Helm 3 (xeipuuv/gojsonschema, drafts 4 to 7, `format` asserted): `- path: message` with
//!   `(root)` for the top and `.` between path segments; for a failed `anyOf`/`oneOf` the
//!   errors of its first branch follow.
//!
//! The report is `values don't meet the specifications of the schema(s) in the following
//! chart(s):` and, per failing chart, `<name>:` and its lines; root first, then subcharts
//! depth first. A schema that is not JSON reports Go's `encoding/json` error instead.

use std::cell::RefCell;
use std::rc::Rc;

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::LocationSegment;
use jsonschema::{Draft, ValidationError};
use serde_json::Value as Json;

use crate::gotemplate::value::Value;
use crate::Compat;

use super::{Chart, Error};

const HEADER: &str =
    "values don't meet the specifications of the schema(s) in the following chart(s):\n";

/// Validates `values` (the root chart's coalesced values) against the schema of `chart` and
/// of every subchart (each with its own values slice). The error is Helm's whole message.
pub fn validate(chart: &Chart, values: &Value, compat: Compat) -> Result<(), Error> {
    let mut report = String::new();
    validate_chart(chart, values, compat, &mut report);
    if report.is_empty() {
        Ok(())
    } else {
        Err(Error::new(format!("{HEADER}{report}")))
    }
}

fn validate_chart(chart: &Chart, values: &Value, compat: Compat, report: &mut String) {
    if let Some(schema) = &chart.schema {
        if let Err(text) = validate_single(schema, values, compat) {
            report.push_str(chart.name());
            report.push_str(":\n");
            report.push_str(&text);
        }
    }
    for sub in &chart.dependencies {
        let raw = values
            .as_map()
            .and_then(|m| m.borrow().get(sub.name()).cloned());
        let sub_values = match raw {
            None | Some(Value::Nil) if compat == Compat::Helm4 => continue,
            None | Some(Value::Nil) => Value::empty_map(),
            Some(v @ Value::Map(_)) => v,
            Some(other) => {
                report.push_str(&format!(
                    "{}:\ninvalid type for values: expected object (map), got {}\n",
                    sub.name(),
                    other.type_name()
                ));
                continue;
            }
        };
        validate_chart(sub, &sub_values, compat, report);
    }
}

/// Converts chart values to JSON as the validators see them. Helm 3 round-trips the values
/// through YAML, so integral floats become integers.
fn to_json(v: &Value, compat: Compat, depth: usize) -> Json {
    if depth > 512 {
        return Json::Null;
    }
    match v {
        Value::Nil => Json::Null,
        Value::Bool(b) => Json::Bool(*b),
        Value::Int(i) | Value::Int64(i) => Json::from(*i),
        Value::Uint(u) => Json::from(*u),
        Value::Float(f) => {
            if compat == Compat::Helm3 && f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 {
                Json::from(*f as i64)
            } else {
                serde_json::Number::from_f64(*f).map_or(Json::Null, Json::Number)
            }
        }
        Value::String(s) => Json::String(s.to_string()),
        Value::Bytes(b) => Json::String(crate::chart::text_of(b).into_owned()),
        Value::List(l) => Json::Array(l.iter().map(|x| to_json(x, compat, depth + 1)).collect()),
        Value::Map(m) => Json::Object(
            m.borrow()
                .iter()
                .map(|(k, x)| (k.clone(), to_json(x, compat, depth + 1)))
                .collect(),
        ),
        Value::Object(o) => to_json(&o.to_data(), compat, depth + 1),
    }
}

/// Validates one chart's values; `Err` holds the lines Helm prints under the chart's name.
pub fn validate_single(schema: &[u8], values: &Value, compat: Compat) -> Result<(), String> {
    let compiled = compiled(schema, compat)?;
    let instance = to_json(values, compat, 0);
    let errors: Vec<ValidationError> = compiled.validator.iter_errors(&instance).collect();
    if errors.is_empty() {
        crate::teardown::discard(instance);
        return Ok(());
    }
    Err(match compat {
        Compat::Helm4 => helm4_report(&errors, &compiled.json, &instance),
        Compat::Helm3 => helm3_report(&errors, &compiled.json, &instance),
    })
}

/// A `values.schema.json` parsed and compiled for one Helm version.
struct CompiledSchema {
    json: Json,
    validator: jsonschema::Validator,
}

/// The schemas compiled so far, by their bytes and the Helm version, or why they do not
/// compile.
type SchemaCache = Vec<(Vec<u8>, Compat, Result<Rc<CompiledSchema>, String>)>;

thread_local! {
    /// `helm lint` validates the root chart's values against its schema twice (its values
    /// rule, then before the render), and compiling a schema costs far more than validating.
    static COMPILED: RefCell<SchemaCache> = const { RefCell::new(Vec::new()) };
}

/// The compiled `schema`, from the cache when the same bytes were compiled for `compat`.
fn compiled(schema: &[u8], compat: Compat) -> Result<Rc<CompiledSchema>, String> {
    let hit = COMPILED.with_borrow(|cache| {
        cache
            .iter()
            .find(|(bytes, c, _)| *c == compat && bytes.as_slice() == schema)
            .map(|(_, _, compiled)| compiled.clone())
    });
    if let Some(found) = hit {
        return found;
    }
    let compiled = compile(schema, compat).map(Rc::new);
    if let Ok(kept) = &compiled {
        // The cache is a thread-local, freed when the thread ends, which for the main thread
        // is the process's exit: a count left behind here keeps the compiled schema (often
        // hundreds of thousands of nodes) from being walked and freed then.
        crate::teardown::discard(Rc::clone(kept));
    }
    COMPILED.with_borrow_mut(|cache| cache.push((schema.to_vec(), compat, compiled.clone())));
    compiled
}

fn compile(schema: &[u8], compat: Compat) -> Result<CompiledSchema, String> {
    let text = super::text_of(schema);
    let schema_json: Json = match serde_json::from_str(&text) {
        Ok(json) => json,
        Err(e) => {
            // Go's encoding/json syntax errors, which both Helms print as they are. Whatever
            // serde_json reads, Go's decoder reads too (serde_json is the stricter: lone
            // surrogates, nesting deeper than 128), so only a failure needs Go's text.
            super::values::decode_json_document(&text)?;
            return Err(e.to_string());
        }
    };
    let mut options = jsonschema::options().should_validate_formats(compat == Compat::Helm3);
    let declared = schema_json
        .get("$schema")
        .and_then(Json::as_str)
        .unwrap_or("");
    options = match compat {
        // gojsonschema knows drafts 4, 6 and 7 and picks 7 by default.
        Compat::Helm3 if declared.contains("draft-04") => options.with_draft(Draft::Draft4),
        Compat::Helm3 if declared.contains("draft-06") => options.with_draft(Draft::Draft6),
        Compat::Helm3 => options.with_draft(Draft::Draft7),
        Compat::Helm4 if declared.is_empty() => options.with_draft(Draft::Draft202012),
        Compat::Helm4 => options,
    };
    let validator = options
        .with_base_uri("file:///values.schema.json")
        .build(&schema_json)
        .map_err(|e| build_error(&e, compat))?;
    Ok(CompiledSchema {
        json: schema_json,
        validator,
    })
}

/// A schema that does not compile. A `$ref` to another document is never fetched: chartctl
/// reports it as Helm does for a file that does not exist.
fn build_error(e: &ValidationError, compat: Compat) -> String {
    let text = e.to_string();
    let uri = text
        .split('\'')
        .nth(1)
        .filter(|u| u.contains("://"))
        .map(String::from);
    match (uri, compat) {
        (Some(uri), Compat::Helm4) if uri.starts_with("file://") => format!(
            "failing loading {}: open {}: no such file or directory",
            super::metadata::go_quote(&uri),
            &uri["file://".len()..]
        ),
        (Some(uri), Compat::Helm3) if uri.starts_with("file://") => {
            format!("Reference {} must be canonical", &uri["file://".len()..])
        }
        _ => text,
    }
}

/// The property whose presence makes `missing` required under `dependentRequired` (or
/// draft 7 `dependencies`) of the schema at `path`.
fn dependent_trigger(schema: &Json, path: &[String], instance: &Json, missing: &str) -> String {
    let mut node = schema;
    for seg in path {
        node = match node {
            Json::Object(m) => m.get(seg).unwrap_or(&Json::Null),
            Json::Array(a) => seg
                .parse::<usize>()
                .ok()
                .and_then(|i| a.get(i))
                .unwrap_or(&Json::Null),
            _ => &Json::Null,
        };
    }
    let Json::Object(deps) = node else {
        return String::new();
    };
    deps.iter()
        .find(|(k, v)| {
            instance.get(k.as_str()).is_some()
                && v.as_array()
                    .is_some_and(|l| l.iter().any(|x| x.as_str() == Some(missing)))
        })
        .map(|(k, _)| k.clone())
        .unwrap_or_default()
}

// ---------------------------------------------------------------------------------------------
// Helm 4 (santhosh-tekuri/jsonschema v6) texts.

/// The schema node at a schema path.
fn schema_node<'s>(schema: &'s Json, path: &[String]) -> &'s Json {
    let mut node = schema;
    for seg in path {
        node = match node {
            Json::Object(m) => m.get(seg).unwrap_or(&Json::Null),
            Json::Array(a) => seg
                .parse::<usize>()
                .ok()
                .and_then(|i| a.get(i))
                .unwrap_or(&Json::Null),
            _ => &Json::Null,
        };
    }
    node
}

/// The allowed types in the schema's own order (the crate keeps a set).
fn type_list(err: &ValidationError, schema: &Json, kind: &TypeKind) -> Vec<String> {
    match schema_node(schema, &schema_keyword(err)) {
        Json::Array(items) => items
            .iter()
            .filter_map(|t| t.as_str().map(String::from))
            .collect(),
        Json::String(t) => vec![t.clone()],
        _ => type_names(kind),
    }
}

/// The properties refused by `additionalProperties: false`: `(object pointer, names)`. With
/// neither `properties` nor `patternProperties` beside it, the crate reports the object once
/// and every key is refused; otherwise it reports each refused property.
fn refused_properties(err: &ValidationError, schema: &Json, root: &Json) -> (String, Vec<String>) {
    let keyword = schema_keyword(err);
    let parent_schema = schema_node(schema, &keyword[..keyword.len().saturating_sub(1)]);
    let object_level = parent_schema.get("properties").is_none()
        && parent_schema.get("patternProperties").is_none();
    if object_level {
        // The crate reports the object's path with the first refused value; the refused
        // names are all the object's keys.
        let object = root.pointer(&pointer(err)).unwrap_or(&Json::Null);
        if let Json::Object(m) = object {
            let mut names: Vec<String> = m.keys().cloned().collect();
            names.sort();
            return (pointer(err), names);
        }
    }
    let p = pointer(err);
    let (parent, name) = p.rsplit_once('/').unwrap_or(("", &p));
    (
        parent.to_string(),
        vec![name.replace("~1", "/").replace("~0", "~")],
    )
}

/// The lines for a failed `contains`: the crate gives no causes, so each item is validated
/// against the `contains` schema here (Helm 4 lists every item's errors; Helm 3 the first
/// item's). A `contains` schema that does not compile alone (a `$ref` to its document) gets
/// no causes.
fn contains_causes(
    err: &ValidationError,
    schema: &Json,
    compat: Compat,
    indent: usize,
) -> Vec<String> {
    let sub = schema_node(schema, &schema_keyword(err));
    let options = match compat {
        Compat::Helm3 => jsonschema::options().with_draft(Draft::Draft7),
        Compat::Helm4 => jsonschema::options().with_draft(Draft::Draft202012),
    };
    let Ok(validator) = options.build(sub) else {
        return Vec::new();
    };
    let items: Vec<Json> = err.instance().as_array().cloned().unwrap_or_default();
    let base = pointer(err);
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let errors: Vec<ValidationError> = validator.iter_errors(item).collect();
        let mut lines = Vec::new();
        match compat {
            Compat::Helm4 => {
                let sorted: Vec<&ValidationError> = errors.iter().collect();
                helm4_lines(&sorted, sub, item, indent + 1, &mut lines);
                for l in &mut lines {
                    *l = l.replacen("- at '", &format!("- at '{base}/{i}"), 1);
                }
            }
            Compat::Helm3 => {
                for e in &errors {
                    helm3_lines(e, sub, item, &mut lines);
                }
                let field = if base.is_empty() {
                    i.to_string()
                } else {
                    format!("{}.{i}", base[1..].replace('/', "."))
                };
                for l in &mut lines {
                    *l = l.replace("(root)", &field);
                    if let Some(rest) = l.strip_prefix("- ") {
                        if !rest.starts_with(&field) {
                            *l = format!("- {field}.{rest}");
                        }
                    }
                }
                out.extend(lines);
                return out;
            }
        }
        out.extend(lines);
    }
    out
}

/// The first pair of equal items, as both libraries report it.
fn unique_pair(instance: &Json) -> (usize, usize) {
    let items = instance.as_array().map(Vec::as_slice).unwrap_or(&[]);
    for j in 1..items.len() {
        for i in 0..j {
            if json_equal(&items[i], &items[j]) {
                return (i, j);
            }
        }
    }
    (0, 0)
}

fn json_equal(a: &Json, b: &Json) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => x.as_f64() == y.as_f64(),
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_equal(p, q))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

/// Schema keywords whose next segment is a name rather than a keyword.
const NAMING: &[&str] = &[
    "properties",
    "patternProperties",
    "$defs",
    "definitions",
    "dependentSchemas",
    "dependentRequired",
    "dependencies",
];

/// Where in an error's schema path the first `keyword` sits (as a keyword, not a name).
fn keyword_at(path: &[String], keyword: &str) -> Option<usize> {
    (0..path.len())
        .find(|&i| path[i] == keyword && (i == 0 || !NAMING.contains(&path[i - 1].as_str())))
}

/// The instance pointer of the schema at `path[..upto]`: one instance segment for each
/// property or item step on the way.
fn pointer_at(err: &ValidationError, path: &[String], upto: usize) -> String {
    let steps = (0..upto)
        .filter(|&i| {
            i > 0
                && matches!(
                    path[i - 1].as_str(),
                    "properties" | "patternProperties" | "items" | "prefixItems"
                )
                || path[i] == "additionalProperties"
        })
        .count();
    let segs: Vec<String> = err
        .instance_path()
        .segments()
        .take(steps)
        .map(|s| match s {
            LocationSegment::Property(p) => p.to_string(),
            LocationSegment::Index(i) => i.to_string(),
        })
        .collect();
    segs.iter().map(|s| format!("/{s}")).collect()
}

fn pointer(err: &ValidationError) -> String {
    err.instance_path().as_str().to_string()
}

fn quote_value(v: &Json) -> String {
    match v {
        Json::String(s) => format!("'{s}'"),
        Json::Null => "<nil>".to_string(),
        other => other.to_string(),
    }
}

/// A limit as gojsonschema (Helm 3) prints it: `strconv.FormatFloat(f, 'g', -1, 64)` of a
/// float64, integral or not (`65535`, `1e+06`, `1.2345675e+06`).
fn number(v: &Json) -> String {
    match v {
        Json::Number(n) => n
            .as_f64()
            .map_or_else(|| n.to_string(), crate::yaml::num::format_g),
        other => other.to_string(),
    }
}

/// A number as santhosh-tekuri's messages print it: converted to a float64 and formatted by
/// `golang.org/x/text/message` for English, as `%v` decides (Go's shortest digits; exponent
/// form below 1e-4 and from 1e6 on), with the integer part grouped by commas and exponents
/// written `×10⁰⁶` (at least two superscript digits): `70,000`, `1,234.5`, `1.234567×10⁰⁶`,
/// `-2.5×10⁻⁰⁷`.
fn localized_number(v: &Json) -> String {
    localized_float(v.as_f64().unwrap_or(0.0))
}

fn localized_float(f: f64) -> String {
    if f == 0.0 {
        return "0".to_string();
    }
    // Rust's `{:e}` gives the shortest digits that read back as the same float, as Go's.
    let sci = format!("{:e}", f.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let sign = if f < 0.0 { "-" } else { "" };
    if !(-4..6).contains(&exp) {
        const SUPERSCRIPT: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
        let digits: String = format!("{:02}", exp.unsigned_abs())
            .bytes()
            .map(|d| SUPERSCRIPT[usize::from(d - b'0')])
            .collect();
        let minus = if exp < 0 { "⁻" } else { "" };
        return format!("{sign}{mantissa}×10{minus}{digits}");
    }
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    // The decimal point sits after `exp + 1` digits (before them when that is not positive).
    let point = exp + 1;
    let (int, frac) = if point <= 0 {
        (
            "0".to_string(),
            format!("{}{digits}", "0".repeat(point.unsigned_abs() as usize)),
        )
    } else {
        let point = point as usize;
        if digits.len() <= point {
            (format!("{digits:0<point$}"), String::new())
        } else {
            (digits[..point].to_string(), digits[point..].to_string())
        }
    };
    let int = grouped(&int);
    if frac.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{frac}")
    }
}

/// Decimal digits with a comma between each group of three, from the right.
fn grouped(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count as santhosh-tekuri's messages print `%d`: grouped by commas.
fn localized_count(n: usize) -> String {
    grouped(&n.to_string())
}

fn json_type_of(v: &Json) -> &'static str {
    match v {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

fn type_names(kind: &TypeKind) -> Vec<String> {
    match kind {
        TypeKind::Single(t) => vec![t.to_string()],
        TypeKind::Multiple(set) => set.iter().map(|t| t.to_string()).collect(),
    }
}

/// The keyword that produced an error, from the end of its schema path.
fn schema_keyword(err: &ValidationError) -> Vec<String> {
    err.schema_path()
        .segments()
        .map(|s| match s {
            LocationSegment::Property(p) => p.to_string(),
            LocationSegment::Index(i) => i.to_string(),
        })
        .collect()
}

fn helm4_message(err: &ValidationError, indent: usize, out: &mut Vec<String>) {
    let pad = "  ".repeat(indent);
    let at = format!("{pad}- at '{}': ", pointer(err));
    let instance = err.instance();
    let msg = match err.kind() {
        ValidationErrorKind::Required { property } => {
            format!("missing property {}", quote_value(property))
        }
        // santhosh-tekuri names every number `number`, integral or not.
        ValidationErrorKind::Type { kind } => format!(
            "got {}, want {}",
            match instance.as_ref() {
                Json::Number(_) => "number",
                other => json_type_of(other),
            },
            type_names(kind).join(" or ")
        ),
        ValidationErrorKind::Enum { options } => {
            let items: Vec<String> = options
                .as_array()
                .map(|a| a.iter().map(quote_value).collect())
                .unwrap_or_default();
            if items.len() == 1 {
                format!("value must be {}", items[0])
            } else {
                format!("value must be one of {}", items.join(", "))
            }
        }
        ValidationErrorKind::Constant { expected_value } => {
            format!("value must be {}", quote_value(expected_value))
        }
        ValidationErrorKind::AdditionalProperties { unexpected } => format!(
            "additional properties {} not allowed",
            unexpected
                .iter()
                .map(|p| format!("'{p}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        ValidationErrorKind::MinLength { limit } => format!(
            "minLength: got {}, want {}",
            localized_count(instance.as_str().map_or(0, |s| s.chars().count())),
            localized_count(*limit as usize)
        ),
        ValidationErrorKind::MaxLength { limit } => format!(
            "maxLength: got {}, want {}",
            localized_count(instance.as_str().map_or(0, |s| s.chars().count())),
            localized_count(*limit as usize)
        ),
        ValidationErrorKind::Minimum { limit } => format!(
            "minimum: got {}, want {}",
            localized_number(instance),
            localized_number(limit)
        ),
        ValidationErrorKind::Maximum { limit } => format!(
            "maximum: got {}, want {}",
            localized_number(instance),
            localized_number(limit)
        ),
        ValidationErrorKind::ExclusiveMinimum { limit } => format!(
            "exclusiveMinimum: got {}, want {}",
            localized_number(instance),
            localized_number(limit)
        ),
        ValidationErrorKind::ExclusiveMaximum { limit } => format!(
            "exclusiveMaximum: got {}, want {}",
            localized_number(instance),
            localized_number(limit)
        ),
        ValidationErrorKind::MinItems { limit } => format!(
            "minItems: got {}, want {}",
            localized_count(instance.as_array().map_or(0, Vec::len)),
            localized_count(*limit as usize)
        ),
        ValidationErrorKind::MaxItems { limit } => format!(
            "maxItems: got {}, want {}",
            localized_count(instance.as_array().map_or(0, Vec::len)),
            localized_count(*limit as usize)
        ),
        ValidationErrorKind::MinProperties { limit } => format!(
            "minProperties: got {}, want {}",
            localized_count(instance.as_object().map_or(0, |o| o.len())),
            localized_count(*limit as usize)
        ),
        ValidationErrorKind::MaxProperties { limit } => format!(
            "maxProperties: got {}, want {}",
            localized_count(instance.as_object().map_or(0, |o| o.len())),
            localized_count(*limit as usize)
        ),
        ValidationErrorKind::Pattern { pattern } => format!(
            "{} does not match pattern '{pattern}'",
            quote_value(instance)
        ),
        ValidationErrorKind::MultipleOf { multiple_of } => format!(
            "multipleOf: got {}, want {}",
            localized_number(instance),
            localized_float(*multiple_of)
        ),
        ValidationErrorKind::UniqueItems => {
            let (i, j) = unique_pair(instance);
            format!(
                "items at {} and {} are equal",
                localized_count(i),
                localized_count(j)
            )
        }
        ValidationErrorKind::FalseSchema => "false schema".to_string(),
        ValidationErrorKind::Not { .. } => "'not' failed".to_string(),
        ValidationErrorKind::Format { format } => {
            format!("{} is not valid {format}", quote_value(instance))
        }
        ValidationErrorKind::AnyOf { context } => {
            out.push(format!("{at}'anyOf' failed"));
            for branch in context {
                for e in branch {
                    helm4_message(e, indent + 1, out);
                }
            }
            return;
        }
        ValidationErrorKind::OneOfNotValid { context } => {
            out.push(format!("{at}'oneOf' failed, none matched"));
            for branch in context {
                for e in branch {
                    helm4_message(e, indent + 1, out);
                }
            }
            return;
        }
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            "'oneOf' failed, more than one matched".to_string()
        }
        ValidationErrorKind::Contains => "no items match contains schema".to_string(),
        ValidationErrorKind::PropertyNames { error } => {
            out.push(format!(
                "{at}invalid propertyName {}",
                quote_value(error.instance())
            ));
            helm4_message(error, indent + 1, out);
            return;
        }
        _ => err.to_string(),
    };
    out.push(format!("{at}{msg}"));
}

fn helm4_report(errors: &[ValidationError], schema: &Json, root: &Json) -> String {
    let mut sorted: Vec<&ValidationError> = errors.iter().collect();
    sorted.sort_by_key(|e| pointer(e));
    let mut lines: Vec<String> = Vec::new();
    helm4_lines(&sorted, schema, root, 0, &mut lines);
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// Renders errors, regrouping what the crate reports one by one and santhosh-tekuri in one
/// error: missing required properties, properties refused by `additionalProperties: false`,
/// and the failures under one `allOf`.
fn helm4_lines(
    sorted: &[&ValidationError],
    schema: &Json,
    root: &Json,
    indent: usize,
    lines: &mut Vec<String>,
) {
    let pad = "  ".repeat(indent);
    let mut i = 0;
    while i < sorted.len() {
        let e = sorted[i];
        let keyword = schema_keyword(e);
        if let Some(at) = keyword_at(&keyword, "allOf") {
            let prefix = &keyword[..=at];
            let mut j = i;
            while j < sorted.len() && schema_keyword(sorted[j]).starts_with(prefix) {
                j += 1;
            }
            lines.push(format!(
                "{pad}- at '{}': 'allOf' failed",
                pointer_at(e, &keyword, at)
            ));
            // The inner errors, with `allOf/<n>` taken out of their paths' grouping.
            let inner: Vec<&ValidationError> = sorted[i..j].to_vec();
            for f in inner {
                helm4_message(f, indent + 1, lines);
            }
            i = j;
            continue;
        }
        let additional = matches!(e.kind(), ValidationErrorKind::FalseSchema)
            && keyword.last().is_some_and(|k| k == "additionalProperties");
        if additional {
            let (parent, mut names) = refused_properties(e, schema, root);
            let mut j = i + 1;
            while j < sorted.len()
                && matches!(sorted[j].kind(), ValidationErrorKind::FalseSchema)
                && schema_keyword(sorted[j]) == keyword
            {
                let (p, more) = refused_properties(sorted[j], schema, root);
                if p != parent {
                    break;
                }
                names.extend(more);
                j += 1;
            }
            let quoted: Vec<String> = names.iter().map(|n| format!("'{n}'")).collect();
            lines.push(format!(
                "{pad}- at '{parent}': additional properties {} not allowed",
                quoted.join(", ")
            ));
            i = j;
            continue;
        }
        let dependent = keyword
            .last()
            .is_some_and(|k| k == "dependentRequired" || k == "dependencies");
        if let ValidationErrorKind::Required { .. } = e.kind() {
            // santhosh-tekuri reports all missing properties of one object in one error.
            let mut names = Vec::new();
            let mut raw_names = Vec::new();
            let mut j = i;
            while j < sorted.len() {
                let f = sorted[j];
                let same = pointer(f) == pointer(e) && schema_keyword(f) == keyword;
                match f.kind() {
                    ValidationErrorKind::Required { property } if same => {
                        names.push(quote_value(property));
                        raw_names.push(property.as_str().unwrap_or_default().to_string());
                        j += 1;
                    }
                    _ => break,
                }
            }
            let at = format!("{pad}- at '{}': ", pointer(e));
            if dependent {
                let trigger = dependent_trigger(schema, &keyword, e.instance(), &raw_names[0]);
                lines.push(format!(
                    "{at}properties {} required, if '{trigger}' exists",
                    names.join(", ")
                ));
            } else if names.len() == 1 {
                lines.push(format!("{at}missing property {}", names[0]));
            } else {
                lines.push(format!("{at}missing properties {}", names.join(", ")));
            }
            i = j;
            continue;
        }
        if let ValidationErrorKind::Contains = e.kind() {
            lines.push(format!(
                "{pad}- at '{}': no items match contains schema",
                pointer(e)
            ));
            lines.extend(contains_causes(e, schema, Compat::Helm4, indent));
            i += 1;
            continue;
        }
        helm4_message(e, indent, lines);
        i += 1;
    }
}

// ---------------------------------------------------------------------------------------------
// Helm 3 (gojsonschema) texts.

fn helm3_field(err: &ValidationError) -> String {
    let parts: Vec<String> = err
        .instance_path()
        .segments()
        .map(|s| match s {
            LocationSegment::Property(p) => p.to_string(),
            LocationSegment::Index(i) => i.to_string(),
        })
        .collect();
    if parts.is_empty() {
        "(root)".to_string()
    } else {
        parts.join(".")
    }
}

fn helm3_json(v: &Json) -> String {
    v.to_string()
}

fn helm3_lines(err: &ValidationError, schema: &Json, root: &Json, out: &mut Vec<String>) {
    let field = helm3_field(err);
    let instance = err.instance();
    let msg = match err.kind() {
        ValidationErrorKind::Required { property } => {
            let name = property
                .as_str()
                .map_or_else(|| property.to_string(), String::from);
            let keyword = schema_keyword(err);
            let dependent = keyword.last().is_some_and(|k| k == "dependencies");
            if dependent {
                format!("Has a dependency on {name}")
            } else {
                format!("{name} is required")
            }
        }
        ValidationErrorKind::Type { kind } => {
            let types = type_list(err, schema, kind);
            format!(
                "Invalid type. Expected: {}, given: {}",
                if types.len() == 1 {
                    types[0].clone()
                } else {
                    format!("[{}]", types.join(","))
                },
                json_type_of(instance)
            )
        }
        ValidationErrorKind::Enum { options } => format!(
            "{} must be one of the following: {}",
            err.instance_path().segments().last().map_or_else(
                || "(root)".to_string(),
                |s| match s {
                    LocationSegment::Property(p) => p.to_string(),
                    LocationSegment::Index(i) => i.to_string(),
                }
            ),
            options
                .as_array()
                .map(|a| a.iter().map(helm3_json).collect::<Vec<_>>().join(", "))
                .unwrap_or_default()
        ),
        ValidationErrorKind::Constant { expected_value } => format!(
            "{} does not match: {}",
            field.rsplit('.').next().unwrap_or(&field),
            helm3_json(expected_value)
        ),
        ValidationErrorKind::AdditionalProperties { unexpected } => {
            for p in unexpected {
                out.push(format!("- {field}: Additional property {p} is not allowed"));
            }
            return;
        }
        ValidationErrorKind::MinLength { limit } => {
            format!("String length must be greater than or equal to {limit}")
        }
        ValidationErrorKind::MaxLength { limit } => {
            format!("String length must be less than or equal to {limit}")
        }
        ValidationErrorKind::Minimum { limit } => {
            format!("Must be greater than or equal to {}", number(limit))
        }
        ValidationErrorKind::Maximum { limit } => {
            format!("Must be less than or equal to {}", number(limit))
        }
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            format!("Must be greater than {}", number(limit))
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            format!("Must be less than {}", number(limit))
        }
        ValidationErrorKind::MinItems { limit } => {
            format!("Array must have at least {limit} items")
        }
        ValidationErrorKind::MaxItems { limit } => format!("Array must have at most {limit} items"),
        ValidationErrorKind::MinProperties { limit } => {
            format!("Must have at least {limit} properties")
        }
        ValidationErrorKind::MaxProperties { limit } => {
            format!("Must have at most {limit} properties")
        }
        ValidationErrorKind::Pattern { pattern } => format!("Does not match pattern '{pattern}'"),
        ValidationErrorKind::Format { format } => format!("Does not match format '{format}'"),
        ValidationErrorKind::MultipleOf { multiple_of } => format!(
            "Must be a multiple of {}",
            crate::yaml::num::format_g(*multiple_of)
        ),
        ValidationErrorKind::UniqueItems => {
            let (i, j) = unique_pair(instance);
            format!("array items[{i},{j}] must be unique")
        }
        ValidationErrorKind::FalseSchema
            if schema_keyword(err)
                .last()
                .is_some_and(|k| k == "additionalProperties") =>
        {
            let (parent, names) = refused_properties(err, schema, root);
            let parent = if parent.is_empty() {
                "(root)".to_string()
            } else {
                parent[1..].replace('/', ".")
            };
            for name in names {
                out.push(format!(
                    "- {parent}: Additional property {name} is not allowed"
                ));
            }
            return;
        }
        ValidationErrorKind::FalseSchema => "False always fails validation".to_string(),
        ValidationErrorKind::PropertyNames { error } => {
            out.push(format!(
                "- {field}: Property name of {} does not match",
                helm3_json(error.instance())
            ));
            helm3_lines(error, schema, root, out);
            return;
        }
        ValidationErrorKind::Not { .. } => "Must not validate the schema (not)".to_string(),
        ValidationErrorKind::AnyOf { context } => {
            out.push(format!(
                "- {field}: Must validate at least one schema (anyOf)"
            ));
            if let Some(first) = context.first() {
                for e in first {
                    helm3_lines(e, schema, root, out);
                }
            }
            return;
        }
        ValidationErrorKind::OneOfNotValid { context } => {
            out.push(format!(
                "- {field}: Must validate one and only one schema (oneOf)"
            ));
            if let Some(first) = context.first() {
                for e in first {
                    helm3_lines(e, schema, root, out);
                }
            }
            return;
        }
        ValidationErrorKind::OneOfMultipleValid { .. } => {
            "Must validate one and only one schema (oneOf)".to_string()
        }
        ValidationErrorKind::Contains => {
            out.push(format!("- {field}: At least one of the items must match"));
            out.extend(contains_causes(err, schema, Compat::Helm3, 0));
            return;
        }
        _ => err.to_string(),
    };
    out.push(format!("- {field}: {msg}"));
}

fn helm3_report(errors: &[ValidationError], schema: &Json, root: &Json) -> String {
    let mut lines = Vec::new();
    let mut i = 0;
    while i < errors.len() {
        let e = &errors[i];
        let keyword = schema_keyword(e);
        // gojsonschema reports the failed branch's errors, then the `allOf` error; for
        // `if`/`then`/`else` the conditional's error first.
        let wrapper = ["allOf", "then", "else"]
            .iter()
            .filter_map(|k| keyword_at(&keyword, k).map(|at| (at, *k)))
            .min();
        if let Some((at, kw)) = wrapper {
            let prefix = &keyword[..=at];
            let mut j = i;
            while j < errors.len() && schema_keyword(&errors[j]).starts_with(prefix) {
                j += 1;
            }
            let ptr = pointer_at(e, &keyword, at);
            let field = if ptr.is_empty() {
                "(root)".to_string()
            } else {
                ptr[1..].replace('/', ".")
            };
            match kw {
                "then" => lines.push(format!(
                    "- {field}: Must validate \"then\" as \"if\" was valid"
                )),
                "else" => lines.push(format!(
                    "- {field}: Must validate \"else\" as \"if\" was not valid"
                )),
                _ => {}
            }
            for f in &errors[i..j] {
                helm3_lines(f, schema, root, &mut lines);
            }
            if kw == "allOf" {
                lines.push(format!("- {field}: Must validate all the schemas (allOf)"));
            }
            i = j;
            continue;
        }
        helm3_lines(e, schema, root, &mut lines);
        i += 1;
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // A schema is decoded with Go's decoder only when serde_json refuses it: every text Go's
    // decoder refuses must be refused by serde_json too, or its error would go unreported.
    #[test]
    fn serde_json_refuses_what_go_refuses() {
        let deep = format!("{}{}", "[".repeat(1001), "]".repeat(1001));
        for text in [
            "",
            "{",
            "{\"a\": 1,}",
            "[1, 2",
            "1e400",
            "-1e400",
            "123e99999",
            "{\"a\": tru}",
            "{\"a\": \"x\ty\"}",
            "{\"a\": \"\\q\"}",
            "{\"a\": \"\\u12g4\"}",
            "{} x",
            "01",
            "1.",
            "1e",
            "\u{feff}{}",
            &deep,
        ] {
            assert!(
                super::super::values::decode_json_document(text).is_err(),
                "Go's decoder accepts {text:?}"
            );
            assert!(
                serde_json::from_str::<Json>(text).is_err(),
                "serde_json accepts {text:?}"
            );
        }
    }

    #[test]
    fn compiled_schemas_are_reused() {
        let schema = br#"{"type": "object", "required": ["a"]}"#;
        let first = compiled(schema, Compat::Helm4).unwrap();
        let again = compiled(schema, Compat::Helm4).unwrap();
        assert!(Rc::ptr_eq(&first, &again));
        let helm3 = compiled(schema, Compat::Helm3).unwrap();
        assert!(!Rc::ptr_eq(&first, &helm3));
        let values = Value::empty_map();
        assert!(validate_single(schema, &values, Compat::Helm4).is_err());
        assert!(validate_single(schema, &values, Compat::Helm4).is_err());
    }
}
