//! Values for `create` and `write`, checked against a model's fields before anything reaches Odoo:
//! unknown, hidden and read-only fields, each value against its field type (dates, selections, ids),
//! and x2many command lists. Values come back normalised to what Odoo expects (a many2one as its id, a
//! datetime as `YYYY-MM-DD HH:MM:SS` UTC, a list of ids as a "set" command), so the same form is sent,
//! previewed and compared on read-back.
//!
//! Every problem is collected, not just the first, so a model can fix its values in one go.

use super::schema::{FieldInfo, ModelSchema};
use crate::json;
use serde_json::{Map, Value};

/// Related records an x2many command creates, updates or deletes: these need their own permission and
/// their own value checks, on the comodel.
#[derive(Debug, Clone, PartialEq)]
pub struct NestedWrite {
    /// Where it sits: `field` of the values, command number `index` of that field.
    pub field: String,
    pub index: usize,
    pub comodel: String,
    pub action: NestedAction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NestedAction {
    /// `[0, 0, {values}]`
    Create,
    /// `[1, id, {values}]`
    Update,
    /// `[2, id]`
    Delete,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Problem {
    /// The field policy hides it: a permission matter, not a mistake to fix.
    Hidden(String),
    Invalid(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub values: Map<String, Value>,
    pub nested: Vec<NestedWrite>,
}

pub const MAX_FIELDS: usize = 200;
const MAX_COMMANDS: usize = 200;

/// Checks and normalises `values` (for a new record or an existing one: the rules are the same).
pub fn check(values: &Map<String, Value>, schema: &ModelSchema) -> Result<Checked, Vec<Problem>> {
    let mut problems = Vec::new();
    if values.is_empty() {
        return Err(vec![Problem::Invalid("'values' is empty: name at least one field to set".into())]);
    }
    if values.len() > MAX_FIELDS {
        return Err(vec![Problem::Invalid(format!("'values' may set at most {MAX_FIELDS} fields"))]);
    }
    let mut out = Map::new();
    let mut nested = Vec::new();
    for (name, value) in values {
        if name == "id" {
            problems.push(Problem::Invalid("'id' cannot be set; Odoo assigns it".into()));
            continue;
        }
        if schema.hidden.contains(name) {
            problems.push(Problem::Hidden(name.clone()));
            continue;
        }
        let Some(field) = schema.fields.get(name) else {
            problems.push(Problem::Invalid(format!(
                "'{}' is not a field of this model (or this Odoo user cannot see it); odoo_describe_model lists the fields",
                crate::text::truncate(name, 60)
            )));
            continue;
        };
        if field.readonly {
            problems.push(Problem::Invalid(format!(
                "'{name}' ({}) is read-only: Odoo computes it and would ignore the value",
                field.label
            )));
            continue;
        }
        match normalise(field, value, &mut nested) {
            Ok(v) if field.required && fills_required(field, Some(&v)) => {
                out.insert(name.clone(), v);
            }
            Ok(_) if field.required => {
                problems.push(Problem::Invalid(format!("'{name}' ({}) is required; it cannot be empty", field.label)))
            }
            Ok(v) => {
                out.insert(name.clone(), v);
            }
            Err(msg) => problems.push(Problem::Invalid(format!("'{name}' ({}): {msg}", field.label))),
        }
    }
    if problems.is_empty() {
        Ok(Checked { values: out, nested })
    } else {
        Err(problems)
    }
}

/// Fields a new record must have that `values` does not set (Odoo may still have defaults for them).
/// Read-only required fields are computed by Odoo, so they are not the caller's to set.
pub fn missing_required(values: &Map<String, Value>, schema: &ModelSchema) -> Vec<String> {
    schema
        .fields
        .values()
        .filter(|f| f.required && !f.readonly && f.name != "id" && !values.contains_key(&f.name))
        .map(|f| f.name.clone())
        .collect()
}

/// Whether a default from `default_get` fills a required field (`false` fills only a boolean).
pub fn fills_required(field: &FieldInfo, default: Option<&Value>) -> bool {
    match default {
        None | Some(Value::Null) => false,
        Some(Value::Bool(false)) => field.ftype == "boolean",
        Some(Value::String(s)) => !s.is_empty(),
        Some(_) => true,
    }
}

fn is_empty(v: &Value) -> bool {
    matches!(v, Value::Null | Value::Bool(false))
}

fn as_int(v: &Value) -> Option<i64> {
    v.as_i64().or_else(|| v.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15).map(|f| f as i64))
}

fn record_id(v: &Value) -> Option<i64> {
    as_int(v).filter(|i| *i > 0)
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

fn normalise(field: &FieldInfo, value: &Value, nested: &mut Vec<NestedWrite>) -> Result<Value, String> {
    let expected = |what: &str| format!("expects {what}, got {}", kind_of(value));
    match field.ftype.as_str() {
        "char" | "text" | "html" => match value {
            Value::String(_) => Ok(value.clone()),
            v if is_empty(v) => Ok(json!(false)),
            _ => Err(expected("text (or false to clear it)")),
        },
        "integer" => match value {
            v if is_empty(v) => Ok(json!(0)),
            v => as_int(v).map(|i| json!(i)).ok_or_else(|| expected("a whole number")),
        },
        "float" | "monetary" => match value {
            Value::Number(_) => Ok(value.clone()),
            v if is_empty(v) => Ok(json!(0.0)),
            _ => Err(expected("a number")),
        },
        "boolean" => match value {
            Value::Bool(_) => Ok(value.clone()),
            Value::Null => Ok(json!(false)),
            _ => Err(expected("true or false")),
        },
        "date" => match value {
            v if is_empty(v) => Ok(json!(false)),
            Value::String(s) => date(s.trim())
                .map(|d| json!(d))
                .ok_or_else(|| format!("expects a date as YYYY-MM-DD, got '{}'", crate::text::truncate(s, 40))),
            _ => Err(expected("a date as YYYY-MM-DD")),
        },
        "datetime" => match value {
            v if is_empty(v) => Ok(json!(false)),
            Value::String(s) => datetime(s.trim()).map(|d| json!(d)),
            _ => Err(expected("a UTC date-time as YYYY-MM-DD HH:MM:SS")),
        },
        "selection" => selection(field, value),
        "many2one" => match value {
            v if is_empty(v) => Ok(json!(false)),
            // A many2one as Odoo reads it, `[id, "name"]`, is taken as its id.
            Value::Array(pair) if pair.len() == 2 && pair[1].is_string() => {
                record_id(&pair[0]).map(|i| json!(i)).ok_or_else(|| expected("a record id"))
            }
            v => record_id(v)
                .map(|i| json!(i))
                .ok_or_else(|| expected("a record id (a positive integer), or false to clear it")),
        },
        "one2many" | "many2many" => commands(field, value, nested),
        "reference" => match value {
            v if is_empty(v) => Ok(json!(false)),
            Value::String(s) if reference(s) => Ok(value.clone()),
            _ => Err(expected("a reference as \"model,id\"")),
        },
        "binary" => match value {
            v if is_empty(v) => Ok(json!(false)),
            Value::String(s)
                if s.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'\n' | b'\r')) =>
            {
                Ok(value.clone())
            }
            _ => Err(expected("base64 content")),
        },
        _ => Ok(value.clone()),
    }
}

/// A selection value: one of the field's keys (a label gets a pointer to its key), or empty.
pub fn selection(field: &FieldInfo, value: &Value) -> Result<Value, String> {
    if is_empty(value) {
        return Ok(json!(false));
    }
    let Some(options) = field.selection.as_ref().and_then(Value::as_array) else {
        // A selection Odoo computes per record: it checks the value itself.
        return Ok(value.clone());
    };
    let keys: Vec<&Value> = options.iter().filter_map(|o| o.as_array().and_then(|p| p.first())).collect();
    if keys.contains(&value) {
        return Ok(value.clone());
    }
    // A label instead of its key ("Won" for "won") is a common slip; say which key it is.
    let by_label = options
        .iter()
        .filter_map(Value::as_array)
        .find(|p| p.get(1).and_then(Value::as_str).zip(value.as_str()).is_some_and(|(l, v)| l.eq_ignore_ascii_case(v)));
    let allowed: Vec<String> = keys.iter().take(30).map(|k| k.to_string()).collect();
    match by_label.and_then(|p| p.first()) {
        Some(key) => Err(format!("{value} is a label; use its value {key}")),
        None => Err(format!(
            "{} is not one of the allowed values: {}",
            crate::text::truncate(&value.to_string(), 60),
            allowed.join(", ")
        )),
    }
}

/// x2many values: a list of record ids (taken as "set exactly these") or Odoo's command list.
fn commands(field: &FieldInfo, value: &Value, nested: &mut Vec<NestedWrite>) -> Result<Value, String> {
    let Value::Array(items) = value else {
        if is_empty(value) {
            return Ok(json!([[5, 0, 0]]));
        }
        return Err(format!("expects a list of record ids or of commands, got {}", kind_of(value)));
    };
    if items.len() > MAX_COMMANDS {
        return Err(format!("at most {MAX_COMMANDS} commands"));
    }
    if !items.is_empty() && items.iter().all(|i| !i.is_array()) {
        let ids: Option<Vec<i64>> = items.iter().map(record_id).collect();
        return ids
            .map(|ids| json!([[6, 0, ids]]))
            .ok_or_else(|| "a list of ids must hold positive integers only".into());
    }
    let comodel = field.relation.clone().unwrap_or_default();
    let mut out = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let bad = |why: &str| format!("command {index} ({}) {why}", crate::text::truncate(&item.to_string(), 60));
        let cmd = item.as_array().ok_or_else(|| bad("is not a command list"))?;
        let code = cmd.first().and_then(as_int).ok_or_else(|| bad("must start with a command number 0-6"))?;
        let id = || cmd.get(1).and_then(record_id).ok_or_else(|| bad("needs a record id second"));
        let vals = |pos: usize| {
            cmd.get(pos)
                .and_then(Value::as_object)
                .filter(|v| !v.is_empty())
                .ok_or_else(|| bad("needs an object of values third"))
        };
        let mut push_nested =
            |action| nested.push(NestedWrite { field: field.name.clone(), index, comodel: comodel.clone(), action });
        out.push(match code {
            0 => {
                let v = vals(2)?;
                push_nested(NestedAction::Create);
                json!([0, 0, v])
            }
            1 => {
                let (i, v) = (id()?, vals(2)?);
                push_nested(NestedAction::Update);
                json!([1, i, v])
            }
            2 => {
                let i = id()?;
                push_nested(NestedAction::Delete);
                json!([2, i, 0])
            }
            3 => json!([3, id()?, 0]),
            4 => json!([4, id()?, 0]),
            5 => json!([5, 0, 0]),
            6 => {
                let ids = cmd.get(2).and_then(Value::as_array).ok_or_else(|| bad("needs a list of ids third"))?;
                let ids: Vec<i64> = ids
                    .iter()
                    .map(record_id)
                    .collect::<Option<_>>()
                    .ok_or_else(|| bad("holds an id that is not a positive integer"))?;
                json!([6, 0, ids])
            }
            _ => {
                return Err(bad(
                    "has an unknown command number; use 0 create, 1 update, 2 delete, 3 unlink, 4 link, 5 clear, 6 set",
                ))
            }
        });
    }
    Ok(Value::Array(out))
}

fn digits(s: &str) -> Option<u32> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())).then(|| s.parse().ok()).flatten()
}

/// `YYYY-MM-DD` with a real month and day.
pub fn date(s: &str) -> Option<String> {
    let mut parts = s.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (year, month, day) = (digits(y)?, digits(m)?, digits(d)?);
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days).contains(&day).then(|| s.to_string())
}

/// A UTC date-time as Odoo stores it. Also takes ISO 8601 (`T`, `Z`, `+00:00`, fractions) and a bare
/// date (midnight); refuses other offsets rather than guess a time zone.
pub fn datetime(s: &str) -> Result<String, String> {
    let bad = || format!("expects a UTC date-time as YYYY-MM-DD HH:MM:SS, got '{}'", crate::text::truncate(s, 40));
    if s.len() == 10 {
        return date(s).map(|d| format!("{d} 00:00:00")).ok_or_else(bad);
    }
    let (day, rest) = s.split_at_checked(10).ok_or_else(bad)?;
    let day = date(day).ok_or_else(bad)?;
    let rest = rest.strip_prefix(' ').or_else(|| rest.strip_prefix('T')).ok_or_else(bad)?;
    let time = if let Some(t) = rest.strip_suffix('Z').or_else(|| rest.strip_suffix("+00:00")) {
        t
    } else if rest.len() > 8 && rest[8..].contains(['+', '-']) {
        return Err(format!(
            "'{}' has a time-zone offset; give the time in UTC (e.g. 2026-05-01 14:30:00)",
            crate::text::truncate(s, 40)
        ));
    } else {
        rest
    };
    let time = time.split('.').next().unwrap_or(time);
    let hms: Vec<&str> = time.split(':').collect();
    let ok = match hms.as_slice() {
        [h, m] | [h, m, _] if h.len() == 2 && m.len() == 2 => {
            let sec = hms.get(2).map(|s| if s.len() == 2 { digits(s) } else { None }).unwrap_or(Some(0));
            matches!((digits(h), digits(m), sec), (Some(h), Some(m), Some(sec)) if h < 24 && m < 60 && sec < 60)
        }
        _ => false,
    };
    if !ok {
        return Err(bad());
    }
    let seconds = hms.get(2).copied().unwrap_or("00");
    Ok(format!("{day} {}:{}:{seconds}", hms[0], hms[1]))
}

fn reference(s: &str) -> bool {
    s.split_once(',').is_some_and(|(m, id)| super::names::is_model_name(m) && digits(id.trim()).is_some())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::odoo::schema::parse_fields_get;

    fn schema() -> ModelSchema {
        let mut s = parse_fields_get(&json!({
            "name": {"string": "Name", "type": "char", "required": true},
            "display_name": {"string": "Display Name", "type": "char", "readonly": true},
            "color": {"string": "Color", "type": "integer"},
            "amount": {"string": "Amount", "type": "monetary"},
            "active": {"string": "Active", "type": "boolean"},
            "date": {"string": "Date", "type": "date"},
            "when": {"string": "When", "type": "datetime"},
            "state": {"string": "State", "type": "selection", "selection": [["draft", "Draft"], ["won", "Won"]], "required": true},
            "partner_id": {"string": "Partner", "type": "many2one", "relation": "res.partner"},
            "tag_ids": {"string": "Tags", "type": "many2many", "relation": "crm.tag"},
            "line_ids": {"string": "Lines", "type": "one2many", "relation": "sale.order.line"},
            "secret": {"string": "Secret", "type": "char"}
        }))
        .unwrap();
        s.fields.remove("secret");
        s.hidden.insert("secret".into());
        s
    }

    fn ok(values: Value) -> Checked {
        check(values.as_object().unwrap(), &schema()).unwrap()
    }

    fn problems(values: Value) -> Vec<Problem> {
        check(values.as_object().unwrap(), &schema()).unwrap_err()
    }

    #[test]
    fn normalises_values_odoo_accepts() {
        let c = ok(json!({"name": "A", "color": 3.0, "amount": 1.5, "active": true, "date": "2024-02-29",
            "when": "2026-05-01T14:30:00Z", "state": "won", "partner_id": [7, "Azure"], "tag_ids": [1, 2]}));
        assert_eq!(c.values["color"], json!(3));
        assert_eq!(c.values["when"], json!("2026-05-01 14:30:00"));
        assert_eq!(c.values["partner_id"], json!(7));
        assert_eq!(c.values["tag_ids"], json!([[6, 0, [1, 2]]]));
        assert!(c.nested.is_empty());
        assert_eq!(ok(json!({"when": "2026-05-01"})).values["when"], json!("2026-05-01 00:00:00"));
        assert_eq!(ok(json!({"when": "2026-05-01 09:05"})).values["when"], json!("2026-05-01 09:05:00"));
        assert_eq!(ok(json!({"partner_id": false, "date": null})).values["partner_id"], json!(false));
    }

    #[test]
    fn reports_every_problem_at_once() {
        let p = problems(json!({"nope": 1, "display_name": "x", "color": "red", "date": "2023-02-29", "state": "Won",
            "when": "2026-05-01T14:30:00+02:00", "partner_id": -3, "secret": "s", "id": 4}));
        let text: Vec<String> = p.iter().map(|p| format!("{p:?}")).collect();
        let all = text.join("\n");
        assert_eq!(p.len(), 9, "{all}");
        assert!(p.contains(&Problem::Hidden("secret".into())));
        for needle in [
            "'nope' is not a field",
            "read-only",
            "whole number",
            "YYYY-MM-DD",
            "use its value \\\"won\\\"",
            "UTC",
            "record id",
            "'id' cannot be set",
        ] {
            assert!(all.contains(needle), "{needle} in {all}");
        }
        assert!(format!("{:?}", problems(json!({"state": "lost"}))).contains("\\\"draft\\\", \\\"won\\\""));
    }

    #[test]
    fn checks_x2many_commands_and_reports_nested_writes() {
        let c = ok(
            json!({"line_ids": [[0, 0, {"name": "x"}], [1, 5, {"name": "y"}], [2, 6], [3, 7], [4, 8], [5], [6, 0, [1]]]}),
        );
        assert_eq!(
            c.values["line_ids"],
            json!([[0, 0, {"name": "x"}], [1, 5, {"name": "y"}], [2, 6, 0], [3, 7, 0], [4, 8, 0], [5, 0, 0], [6, 0, [1]]])
        );
        let actions: Vec<NestedAction> = c.nested.iter().map(|n| n.action).collect();
        assert_eq!(actions, [NestedAction::Create, NestedAction::Update, NestedAction::Delete]);
        assert_eq!(c.nested[0].comodel, "sale.order.line");
        for bad in [
            json!([[7, 1]]),
            json!([[0, 0, {}]]),
            json!([[1, 0, {"a": 1}]]),
            json!([[6, 0, ["x"]]]),
            json!(["a"]),
            json!({"a": 1}),
            json!([[]]),
        ] {
            assert!(check(json!({"line_ids": bad}).as_object().unwrap(), &schema()).is_err(), "{bad}");
        }
    }

    #[test]
    fn required_fields_and_defaults() {
        let v = json!({"name": "A"});
        assert_eq!(missing_required(v.as_object().unwrap(), &schema()), vec!["state"]);
        let s = schema();
        assert!(!fills_required(&s.fields["state"], Some(&json!(false))));
        assert!(fills_required(&s.fields["state"], Some(&json!("draft"))));
        assert!(fills_required(&s.fields["active"], Some(&json!(false))));
        assert!(!fills_required(&s.fields["name"], None));
    }

    #[test]
    fn dates_are_real_dates() {
        assert!(
            date("2024-02-29").is_some()
                && date("2023-02-29").is_none()
                && date("2024-13-01").is_none()
                && date("24-01-01").is_none()
        );
        assert!(
            datetime("2026-05-01 24:00:00").is_err()
                && datetime("2026-05-01T10:00:00.123Z").is_ok()
                && datetime("2026-05-01X").is_err()
        );
    }
}
