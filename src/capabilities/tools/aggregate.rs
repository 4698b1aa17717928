//! `odoo_aggregate`: grouped totals over a validated domain. `formatted_read_group` where Odoo has it
//! (saas~18.2 and later), `read_group` before, normalised to one shape: each group's values with their
//! labels, its aggregates, its record count and the domain that selects its records. Groups past the
//! response budget are left for the next offset.

use super::args;
use super::budget::Budget;
use super::definition::{company_property, Tool};
use super::reading::checked_domain;
use crate::access::Operation;
use crate::capabilities::call::{ToolCtx, ToolError, ToolResult};
use crate::json;
use crate::odoo::call::Call;
use crate::odoo::schema::{FieldInfo, ModelSchema};
use crate::policy::fields::Restrict;
use serde_json::{Map, Value};

pub const NAME: &str = "odoo_aggregate";
pub(super) const MAX_GROUP_BY: usize = 3;
pub(super) const MAX_AGGREGATES: usize = 10;
pub(super) const DEFAULT_LIMIT: i64 = 50;
pub(super) const MAX_LIMIT: i64 = 500;
const GRANULARITIES: [&str; 5] = ["day", "week", "month", "quarter", "year"];
const FUNCTIONS: [&str; 5] = ["sum", "avg", "min", "max", "count"];

pub fn definition() -> Tool {
    Tool { name: NAME, text: DEFINITION }
}

/// The definition `tools/list` publishes (with its objects' keys sorted, as the server's JSON is).
const DEFINITION: &str = concat!(
    r#"{
  "name": "odoo_aggregate",
  "title": "Aggregate Odoo records",
  "description": "Grouped totals over the records matching a domain: group by up to 3 fields (dates by :day, :week, :month, :quarter or :year, e.g. \"date_order:month\"), with aggregates \"field:sum\", \"field:avg\", \"field:min\", \"field:max\" or \"field:count\"; every group also has its record count. Order by \"count desc\", an aggregate (\"amount_total:sum desc\") or a group-by. Each group comes with the domain that selects its records, to pass to odoo_search. Answers are capped in size: when groups are left out, has_more is true and notice gives the offset to continue from.",
  "inputSchema": {
    "type": "object",
    "properties": {
      "aggregates": {
        "type": "array",
        "description": "e.g. [\"expected_revenue:sum\", \"probability:avg\"]; the count is always included",
        "items": {"type": "string"},
        "maxItems": 10
      },
      "#,
    company_property!(),
    r#",
      "domain": {"type": "array", "description": "Odoo domain; omit or [] for all records", "items": {}},
      "group_by": {
        "type": "array",
        "description": "Fields to group by, e.g. [\"stage_id\"] or [\"date_order:month\", \"user_id\"]",
        "items": {"type": "string"},
        "maxItems": 3,
        "minItems": 1
      },
      "limit": {"type": "integer", "default": 50, "maximum": 500, "minimum": 1},
      "model": {"type": "string", "description": "Technical model name, e.g. crm.lead"},
      "offset": {"type": "integer", "default": 0, "minimum": 0},
      "order": {"type": "string", "description": "e.g. \"count desc\" or \"expected_revenue:sum desc\""}
    },
    "required": ["model", "group_by"],
    "additionalProperties": false
  },
  "outputSchema": {
    "type": "object",
    "properties": {
      "count": {"type": "integer", "description": "Groups in this answer"},
      "group_by": {"type": "array", "items": {"type": "string"}},
      "groups": {
        "type": "array",
        "items": {"type": "object", "properties": {"aggregates": {"type": "object"}, "count": {"type": "integer"}, "domain": {"type": "array", "description": "Selects this group's records"}, "values": {"type": "object", "description": "Per group-by: {value, label}"}}, "required": ["values", "aggregates", "count", "domain"]}
      },
      "has_more": {"type": "boolean", "description": "More groups follow: ask again with offset + count"},
      "model": {"type": "string"},
      "notice": {
        "type": "string",
        "description": "Present when anything was cut to keep the answer within its size cap: what, and how to get the rest"
      },
      "offset": {"type": "integer"}
    },
    "required": ["model", "group_by", "groups", "count", "offset", "has_more"]
  },
  "annotations": {"openWorldHint": true, "readOnlyHint": true, "title": "Aggregate Odoo records"}
}"#
);

/// A checked group-by: `stage_id`, `date_order:month`.
struct GroupBy {
    spec: String,
    field: FieldInfo,
}

/// A checked aggregate: `expected_revenue:sum`, read back under `alias` from `read_group`.
struct Aggregate {
    spec: String,
    alias: String,
}

pub async fn run(ctx: &ToolCtx<'_>, a: &Map<String, Value>) -> ToolResult {
    args::reject_unknown(a, &["model", "domain", "group_by", "aggregates", "order", "limit", "offset"])?;
    let model = args::required_str(a, "model")?;
    let group_by =
        args::optional_string_list(a, "group_by", MAX_GROUP_BY)?.filter(|g| !g.is_empty()).ok_or_else(|| {
            ToolError::Invalid(format!("'group_by' is required: 1 to {MAX_GROUP_BY} fields, e.g. [\"stage_id\"]"))
        })?;
    let aggregates = args::optional_string_list(a, "aggregates", MAX_AGGREGATES)?.unwrap_or_default();
    let order = args::optional_str(a, "order")?;
    let limit = args::optional_int(a, "limit", 1, MAX_LIMIT)?.unwrap_or(DEFAULT_LIMIT);
    let offset = args::optional_int(a, "offset", 0, 1_000_000)?.unwrap_or(0);
    ctx.require(model, Operation::Read)?;

    let client = ctx.odoo()?;
    let schema = ctx.schema(&client, model).await?;
    ctx.progress(1, 2, || format!("Checked the grouping against the fields of {model}"));
    let domain = checked_domain(ctx, &client, model, &schema, a).await?;
    let group_by = group_by.iter().map(|g| check_group_by(model, &schema, g)).collect::<Result<Vec<_>, _>>()?;
    let aggregates = aggregates.iter().map(|s| check_aggregate(model, &schema, s)).collect::<Result<Vec<_>, _>>()?;
    let formatted = ctx.req.auth.connection.at_least(18, 2);
    let order = order.map(|o| odoo_order(o, &group_by, &aggregates, formatted)).transpose()?;

    ctx.checkpoint(&client).await?;
    let specs: Vec<&str> = group_by.iter().map(|g| g.spec.as_str()).collect();
    let call = if formatted {
        let mut aggs: Vec<&str> = aggregates.iter().map(|x| x.spec.as_str()).collect();
        aggs.push("__count");
        let mut params = vec![
            ("domain", domain.clone()),
            ("groupby", json!(specs)),
            ("aggregates", json!(aggs)),
            ("offset", json!(offset)),
            ("limit", json!(limit + 1)),
        ];
        if let Some(o) = &order {
            params.push(("order", json!(o)));
        }
        Call { model, method: "formatted_read_group", ids: None, params, positional: 3 }
    } else {
        let fields: Vec<String> =
            aggregates.iter().map(|x| format!("{}:{}", x.alias, odoo_function(&x.spec))).collect();
        let mut params = vec![
            ("domain", domain.clone()),
            ("fields", json!(fields)),
            ("groupby", json!(specs)),
            ("offset", json!(offset)),
            ("limit", json!(limit + 1)),
        ];
        if let Some(o) = &order {
            params.push(("orderby", json!(o)));
        }
        params.push(("lazy", json!(false)));
        Call { model, method: "read_group", ids: None, params, positional: 3 }
    };
    let rows = match client.call(&call).await? {
        Value::Array(rows) => rows,
        _ => return Err(ToolError::Unavailable(format!("Odoo's {} answer is not a list", call.method))),
    };
    let has_more = rows.len() as i64 > limit;
    let groups: Vec<Value> = rows
        .iter()
        .take(limit as usize)
        .map(|row| normalise(row, &domain, &group_by, &aggregates, formatted))
        .collect();
    let mut out = json!({"model": model, "group_by": specs, "groups": [], "count": groups.len(), "offset": offset, "has_more": has_more});
    let budget = Budget::new(ctx.req.svc.settings.max_response_bytes);
    let fitted = budget.fit_items(&out, groups);
    let returned = fitted.kept.len();
    ctx.set_record_count(returned);
    ctx.progress(2, 2, || format!("{returned} groups of {model}"));
    ctx.log("info", || format!("{model}: {returned} groups by {}", specs.join(", ")));
    let next = offset + returned as i64;
    if let Some(notice) = fitted.notice(
        budget,
        "groups",
        &format!("Ask again with offset {next} to continue, or with fewer group-bys or aggregates."),
    ) {
        out["notice"] = json!(notice);
    }
    out["has_more"] = json!(has_more || fitted.is_cut());
    out["count"] = json!(returned);
    out["groups"] = Value::Array(fitted.kept);
    Ok(out)
}

fn field_of<'s>(model: &str, schema: &'s ModelSchema, name: &str, what: &str) -> Result<&'s FieldInfo, ToolError> {
    if schema.hidden.contains(name) {
        return Err(ToolError::Denied(schema.denial(model, name)));
    }
    let f = schema.fields.get(name).ok_or_else(|| {
        ToolError::Invalid(format!(
            "cannot {what} '{}': '{model}' has no such field (or this Odoo user cannot see it)",
            crate::text::truncate(name, 60)
        ))
    })?;
    if !f.stored {
        return Err(ToolError::Invalid(format!(
            "cannot {what} '{name}': it is not stored, so Odoo cannot group on it"
        )));
    }
    Ok(f)
}

fn check_group_by(model: &str, schema: &ModelSchema, spec: &str) -> Result<GroupBy, ToolError> {
    let (name, granularity) = match spec.trim().split_once(':') {
        Some((n, g)) => (n, Some(g.to_ascii_lowercase())),
        None => (spec.trim(), None),
    };
    let field = field_of(model, schema, name, "group by")?;
    let dated = matches!(field.ftype.as_str(), "date" | "datetime");
    let spec = match (granularity, dated) {
        (Some(g), true) if GRANULARITIES.contains(&g.as_str()) => format!("{name}:{g}"),
        (Some(g), true) => {
            return Err(ToolError::Invalid(format!(
                "'{name}:{g}': the granularity must be one of {}",
                GRANULARITIES.join(", ")
            )))
        }
        (Some(_), false) => {
            return Err(ToolError::Invalid(format!("'{spec}': only date and datetime fields take a granularity")))
        }
        // Odoo groups a bare date by month; saying so keeps the output keys explicit.
        (None, true) => format!("{name}:month"),
        (None, false) => name.to_string(),
    };
    if matches!(field.ftype.as_str(), "one2many" | "binary" | "text" | "html" | "json" | "properties") {
        return Err(ToolError::Invalid(format!("cannot group by '{name}': {} fields cannot be grouped", field.ftype)));
    }
    Ok(GroupBy { spec, field: field.clone() })
}

fn check_aggregate(model: &str, schema: &ModelSchema, spec: &str) -> Result<Aggregate, ToolError> {
    let (name, func) = spec.trim().split_once(':').ok_or_else(|| {
        ToolError::Invalid(format!("aggregate '{spec}' must be 'field:function', e.g. amount_total:sum"))
    })?;
    let func = func.to_ascii_lowercase();
    if !FUNCTIONS.contains(&func.as_str()) {
        return Err(ToolError::Invalid(format!(
            "aggregate '{spec}': the function must be one of {}",
            FUNCTIONS.join(", ")
        )));
    }
    let field = field_of(model, schema, name, "aggregate")?;
    let numeric = matches!(field.ftype.as_str(), "integer" | "float" | "monetary");
    let ordered = numeric || matches!(field.ftype.as_str(), "date" | "datetime");
    let ok = match func.as_str() {
        "sum" | "avg" => numeric,
        "min" | "max" => ordered,
        _ => true,
    };
    if !ok {
        return Err(ToolError::Invalid(format!("aggregate '{spec}': cannot {func} a {} field", field.ftype)));
    }
    Ok(Aggregate { spec: format!("{name}:{func}"), alias: format!("{name}_{func}") })
}

fn odoo_function(spec: &str) -> String {
    let (field, func) = spec.split_once(':').unwrap_or((spec, "count"));
    format!("{func}({field})")
}

/// `count desc`, `amount_total:sum desc` or a group-by, in the method's own terms.
fn odoo_order(
    order: &str,
    group_by: &[GroupBy],
    aggregates: &[Aggregate],
    formatted: bool,
) -> Result<String, ToolError> {
    let mut parts = Vec::new();
    for term in order.split(',') {
        let words: Vec<&str> = term.split_whitespace().collect();
        let (key, dir) = match words.as_slice() {
            [k] => (*k, "asc"),
            [k, d] if d.eq_ignore_ascii_case("asc") || d.eq_ignore_ascii_case("desc") => (*k, *d),
            _ => return Err(ToolError::Invalid(format!("'order' term '{}' must be 'key [asc|desc]'", term.trim()))),
        };
        let key = if key == "count" || key == "__count" {
            "__count".to_string()
        } else if let Some(x) = aggregates.iter().find(|x| x.spec == key) {
            if formatted {
                x.spec.clone()
            } else {
                x.alias.clone()
            }
        } else if let Some(g) = group_by.iter().find(|g| g.spec == key || g.spec.split(':').next() == Some(key)) {
            g.spec.clone()
        } else {
            return Err(ToolError::Invalid(format!(
                "cannot order by '{}': use count, one of the aggregates or one of the group-bys",
                crate::text::truncate(key, 60)
            )));
        };
        parts.push(format!("{key} {}", dir.to_ascii_lowercase()));
    }
    Ok(parts.join(", "))
}

/// One group in the shape both methods are turned into.
fn normalise(row: &Value, domain: &Value, group_by: &[GroupBy], aggregates: &[Aggregate], formatted: bool) -> Value {
    let mut values = Map::new();
    for g in group_by {
        let raw =
            row.get(&g.spec).or_else(|| row.get(g.spec.split(':').next().unwrap_or(&g.spec))).unwrap_or(&Value::Null);
        let range_start = row.get("__range").and_then(|r| r.get(&g.spec)).and_then(|r| r.get("from")).cloned();
        values.insert(g.spec.clone(), group_value(raw, &g.field, range_start));
    }
    let mut aggs = Map::new();
    for x in aggregates {
        let key = if formatted { &x.spec } else { &x.alias };
        aggs.insert(x.spec.clone(), row.get(key).cloned().unwrap_or(Value::Null));
    }
    let count = row.get("__count").and_then(Value::as_i64).unwrap_or(0);
    let group_domain = if formatted {
        // The group's records: the request's domain AND the group's own condition.
        let mut d = domain.as_array().cloned().unwrap_or_default();
        d.extend(row.get("__extra_domain").and_then(Value::as_array).cloned().unwrap_or_default());
        Value::Array(d)
    } else {
        row.get("__domain").cloned().unwrap_or(Value::Array(vec![]))
    };
    json!({"values": values, "aggregates": aggs, "count": count, "domain": group_domain})
}

/// `{value, label}`: a many2one's id and name, a date group's start and label, a selection's key and
/// label, or the plain value; an empty group is `{value: null, label: "None"}`.
fn group_value(raw: &Value, field: &FieldInfo, range_start: Option<Value>) -> Value {
    match raw {
        Value::Bool(false) if field.ftype != "boolean" => json!({"value": null, "label": "None"}),
        Value::Array(pair) if pair.len() == 2 => json!({"value": pair[0], "label": pair[1]}),
        Value::String(label) if range_start.is_some() => {
            json!({"value": range_start, "label": label})
        }
        Value::String(key) if field.ftype == "selection" => {
            let label = field
                .selection
                .as_ref()
                .and_then(Value::as_array)
                .and_then(|opts| opts.iter().find(|o| o.get(0).and_then(Value::as_str) == Some(key)))
                .and_then(|o| o.get(1).cloned())
                .unwrap_or_else(|| json!(key));
            json!({"value": key, "label": label})
        }
        other => {
            json!({"value": other, "label": match other { Value::String(s) => s.clone(), v => v.to_string() }})
        }
    }
}
