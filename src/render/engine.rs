//! Executing a chart's templates as Helm's engine does: every template of the chart and its
//! enabled subcharts parsed into one set, in Helm's order (deeper paths first, then reverse
//! lexical order, so that a later `define` of a name replaces an earlier one), then each
//! non-partial template executed with its chart's context, the first failure ending the run.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::capabilities::Capabilities;
use super::objects::{chart_value, template_value, Files, ReleaseInfo, ToYaml};
use crate::chart::Chart;
use crate::gotemplate::func::FuncMap;
use crate::gotemplate::value::{Map, MapRef, MapType, MapVal, Value};
use crate::gotemplate::{ExecOptions, TemplateSet};
use crate::Compat;

/// What a render needs besides the chart tree.
pub struct RenderContext {
    pub release: ReleaseInfo,
    pub capabilities: Rc<Capabilities>,
    pub compat: Compat,
    pub to_yaml: ToYaml,
}

/// A template to execute: its text, the context map of its chart (shared by all the chart's
/// templates, as in Helm, where `.Template` is set on it before each execution) and its
/// `.Template.BasePath`.
struct Renderable {
    text: Rc<str>,
    context: MapRef,
    base_path: String,
}

/// Renders every template of `chart` (a prepared tree: aliases applied, disabled subcharts
/// removed) with `values` as the root `.Values`. Returns the rendered text of every
/// non-partial template by its full name; the error is Helm's message.
pub fn render(
    chart: &Chart,
    values: &Value,
    funcs: Rc<FuncMap>,
    ctx: &RenderContext,
) -> Result<BTreeMap<String, String>, String> {
    render_with(
        chart,
        values,
        funcs,
        ctx,
        &ExecOptions::default(),
        &mut Vec::new(),
    )
}

/// [`render`] as `helm lint` runs it: `required` and `fail` log instead of failing, and
/// `.Release.IsInstall` is false (lint's release is neither an install nor an upgrade).
/// `logs` receives what `required` and `fail` logged, in order.
pub fn render_lint(
    chart: &Chart,
    values: &Value,
    funcs: Rc<FuncMap>,
    ctx: &RenderContext,
    logs: &mut Vec<String>,
) -> Result<BTreeMap<String, String>, String> {
    let opts = ExecOptions {
        lint_mode: true,
        ..ExecOptions::default()
    };
    render_with(chart, values, funcs, ctx, &opts, logs)
}

/// [`render`] with explicit execution options (a step limit, say); `logs` receives what
/// `required` and `fail` logged in lint mode.
pub fn render_with(
    chart: &Chart,
    values: &Value,
    funcs: Rc<FuncMap>,
    ctx: &RenderContext,
    opts: &ExecOptions,
    logs: &mut Vec<String>,
) -> Result<BTreeMap<String, String>, String> {
    let mut templates = BTreeMap::new();
    collect(chart, values, ctx, &mut templates, 0)?;
    if opts.lint_mode {
        for r in templates.values() {
            if let Some(Value::Map(release)) = r.context.borrow().get("Release") {
                release
                    .borrow_mut()
                    .insert("IsInstall".into(), Value::Bool(false));
            }
        }
    }

    let mut set = TemplateSet::new(funcs, ctx.compat);
    let order = parse_order(templates.keys());
    for name in &order {
        let r = &templates[*name];
        set.parse(name, &r.text)
            .map_err(|e| e.helm_message(name, ctx.compat))?;
    }

    let mut rendered = BTreeMap::new();
    for name in order {
        if base_name(name).starts_with('_') {
            continue;
        }
        let r = &templates[name];
        r.context.borrow_mut().insert(
            "Template".into(),
            template_value(name, &r.base_path, ctx.compat),
        );
        // Helm executes each template with its context as the named `Values` type.
        let dot = Value::Map(MapVal::new(r.context.clone(), MapType::Values(ctx.compat)));
        let mut out = String::new();
        let result = set.execute(name, &dot, opts, &mut out);
        logs.extend(set.take_logs());
        result.map_err(|e| e.helm_message(name, ctx.compat))?;
        if out.contains("<no value>") {
            out = out.replace("<no value>", "");
        }
        rendered.insert(name.to_string(), out);
    }
    crate::teardown::discard(set);
    crate::teardown::discard(templates);
    Ok(rendered)
}

/// How deeply subcharts may nest before the render gives up (the loader limits it too).
const MAX_DEPTH: usize = 64;

/// Builds the context map of `chart` and of its subcharts (Helm's `recAllTpls`), registering
/// their templates. `values` is this chart's `.Values`.
fn collect(
    chart: &Chart,
    values: &Value,
    ctx: &RenderContext,
    templates: &mut BTreeMap<String, Renderable>,
    depth: usize,
) -> Result<MapRef, String> {
    if depth > MAX_DEPTH {
        return Err(format!(
            "chart {} nests subcharts more than {MAX_DEPTH} levels deep",
            chart.full_path()
        ));
    }
    let files: BTreeMap<String, Rc<[u8]>> = chart
        .files
        .iter()
        .map(|f| (f.name.clone(), f.data.clone()))
        .collect();
    let subcharts = Value::empty_map();
    let mut m = Map::new();
    m.insert(
        "Chart".into(),
        chart_value(&chart.metadata, chart.is_root(), ctx.compat),
    );
    m.insert(
        "Files".into(),
        Value::Object(Rc::new(Files::new(Rc::new(files), ctx.compat, ctx.to_yaml))),
    );
    m.insert("Release".into(), ctx.release.to_value());
    m.insert(
        "Capabilities".into(),
        Value::Object(ctx.capabilities.clone()),
    );
    // `.Values` is Helm's named `Values` type, also where a subchart's values are a plain map
    // of its parent's.
    let values = match values {
        Value::Map(v) => Value::Map(v.with_type(MapType::Values(ctx.compat))),
        other => other.clone(),
    };
    m.insert("Values".into(), values.clone());
    m.insert("Subcharts".into(), subcharts.clone());
    let context: MapRef = Rc::new(std::cell::RefCell::new(m));

    if let Value::Map(subs) = &subcharts {
        for dep in &chart.dependencies {
            let sub_values = dep.scope_values(&values);
            let sub_ctx = collect(dep, &sub_values, ctx, templates, depth + 1)?;
            subs.borrow_mut()
                .insert(dep.name().to_string(), Value::from_map_ref(sub_ctx));
        }
    }

    let full = chart.full_path();
    let base_path = format!("{full}/templates");
    for t in &chart.templates {
        if chart.is_library() && !base_name(&t.name).starts_with('_') {
            continue;
        }
        templates.insert(
            format!("{full}/{}", t.name),
            Renderable {
                text: Rc::from(crate::chart::text_of(&t.data).as_ref()),
                context: context.clone(),
                base_path: base_path.clone(),
            },
        );
    }
    Ok(context)
}

/// Helm's `sortTemplates`: more `/` first; at equal depth, reverse byte order.
fn parse_order<'a>(names: impl Iterator<Item = &'a String>) -> Vec<&'a str> {
    let mut names: Vec<(usize, &str)> = names
        .map(|n| (n.bytes().filter(|&b| b == b'/').count(), n.as_str()))
        .collect();
    names.sort_by(|(da, a), (db, b)| db.cmp(da).then_with(|| b.cmp(a)));
    names.into_iter().map(|(_, n)| n).collect()
}

/// `path.Base` of a slash-separated name.
fn base_name(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_order_is_deepest_first_then_reverse_lexical() {
        let names: Vec<String> = [
            "c/templates/a.yaml",
            "c/templates/b.yaml",
            "c/templates/sub/c.yaml",
            "c/charts/s/templates/x.yaml",
            "c/templates/_a.tpl",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            parse_order(names.iter()),
            [
                "c/charts/s/templates/x.yaml",
                "c/templates/sub/c.yaml",
                "c/templates/b.yaml",
                "c/templates/a.yaml",
                "c/templates/_a.tpl",
            ]
        );
    }
}
