//! Incoming values: converts the values of `create`/`write` to what is stored
//! for each field type (raising `Wrong value for model.field: ...` like the
//! ORM's `convert_to_cache`), parses x2many command lists, and formats stored
//! values for `read` (many2one as `[id, display_name]` or a bare id).

use crate::dates;
use crate::errors::{value_error, OResult, OdooError};
use crate::out::py_repr;
use crate::schema::{FType, FieldDef};
use crate::store::{Env, Store};
use serde_json::{json, Map, Value};

/// An x2many command (`odoo.fields.Command`).
#[derive(Debug, Clone)]
pub enum Cmd {
    Create(Map<String, Value>),
    Update(i64, Map<String, Value>),
    Delete(i64),
    Unlink(i64),
    Link(i64),
    Clear,
    Set(Vec<i64>),
}

fn wrong(model: &str, def: &FieldDef, value: &Value) -> OdooError {
    value_error(format!("Wrong value for {}.{}: {}", model, def.name, py_repr(value)))
}

fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
        _ => None,
    }
}

/// The stored form of a non-x2many value.
pub fn convert(model: &str, def: &FieldDef, value: &Value) -> OResult<Value> {
    let empty = matches!(value, Value::Null | Value::Bool(false));
    let bad = || wrong(model, def, value);
    Ok(match def.ftype {
        FType::Char | FType::Text | FType::Html | FType::Reference => match value {
            _ if empty => json!(false),
            Value::String(s) => json!(s),
            Value::Number(n) => json!(n.to_string()),
            Value::Bool(true) => json!("True"),
            _ => return Err(bad()),
        },
        FType::Binary => match value {
            _ if empty => json!(false),
            Value::String(s) => json!(s),
            _ => return Err(bad()),
        },
        FType::Integer | FType::M2oReference => match value {
            _ if empty => json!(0),
            Value::Bool(true) => json!(1),
            v => json!(as_int(v).ok_or_else(bad)?),
        },
        FType::Float | FType::Monetary => match value {
            _ if empty => json!(0.0),
            Value::Number(n) => json!(n.as_f64().unwrap_or(0.0)),
            Value::Bool(true) => json!(1.0),
            Value::String(s) => json!(s.trim().parse::<f64>().map_err(|_| bad())?),
            _ => return Err(bad()),
        },
        FType::Boolean => json!(match value {
            Value::Null | Value::Bool(false) => false,
            Value::Number(n) => n.as_f64() != Some(0.0),
            Value::String(s) => !s.is_empty(),
            Value::Array(a) => !a.is_empty(),
            _ => true,
        }),
        FType::Date => match value {
            _ if empty => json!(false),
            Value::String(s) => json!(dates::normalize_date(s).ok_or_else(bad)?),
            _ => return Err(bad()),
        },
        FType::Datetime => match value {
            _ if empty => json!(false),
            Value::String(s) => json!(dates::normalize_datetime(s).ok_or_else(bad)?),
            _ => return Err(bad()),
        },
        FType::Selection => match value {
            _ if empty => json!(false),
            Value::String(s) if def.selection.is_empty() || def.selection.contains(s) => json!(s),
            _ => return Err(bad()),
        },
        FType::Many2one => match value {
            _ if empty => json!(false),
            Value::Number(_) => match as_int(value) {
                Some(0) => json!(false),
                Some(i) if i > 0 => json!(i),
                _ => return Err(bad()),
            },
            Value::Array(items) if !items.is_empty() => {
                json!(items.first().and_then(as_int).filter(|i| *i > 0).ok_or_else(bad)?)
            }
            _ => return Err(bad()),
        },
        FType::Json | FType::Properties => value.clone(),
        FType::One2many | FType::Many2many => return Err(bad()),
    })
}

/// Parses an x2many value: a list of ids (= SET) or of commands.
pub fn commands(model: &str, def: &FieldDef, value: &Value) -> OResult<Vec<Cmd>> {
    let bad = || wrong(model, def, value);
    let items = match value {
        Value::Null | Value::Bool(false) => return Ok(vec![Cmd::Clear]),
        Value::Array(items) => items,
        _ => return Err(bad()),
    };
    if items.iter().all(|i| i.is_number()) {
        return Ok(vec![Cmd::Set(items.iter().filter_map(as_int).collect())]);
    }
    let mut out = Vec::new();
    for item in items {
        let parts = item.as_array().ok_or_else(bad)?;
        let code = parts.first().and_then(as_int).ok_or_else(bad)?;
        let id = parts.get(1).and_then(as_int).unwrap_or(0);
        let vals = parts.get(2).and_then(Value::as_object).cloned().unwrap_or_default();
        out.push(match code {
            0 => Cmd::Create(vals),
            1 => Cmd::Update(id, vals),
            2 => Cmd::Delete(id),
            3 => Cmd::Unlink(id),
            4 => Cmd::Link(id),
            5 => Cmd::Clear,
            6 => Cmd::Set(
                parts
                    .get(2)
                    .and_then(Value::as_array)
                    .map(|ids| ids.iter().filter_map(as_int).collect())
                    .unwrap_or_default(),
            ),
            _ => return Err(bad()),
        });
    }
    Ok(out)
}

/// The value `read` returns for a field of a record.
pub fn format(store: &Store, env: &Env, model: &str, id: i64, def: &FieldDef, classic: bool) -> Value {
    let raw = store.raw(env, model, id, &def.name);
    match def.ftype {
        FType::Many2one => match raw.as_i64() {
            Some(target) if target > 0 => {
                if classic {
                    let comodel = def.relation.as_deref().unwrap_or("");
                    json!([target, store.display_name(comodel, target)])
                } else {
                    json!(target)
                }
            }
            _ => json!(false),
        },
        FType::Float | FType::Monetary => json!(raw.as_f64().unwrap_or(0.0)),
        FType::Integer | FType::M2oReference if def.name != "id" => {
            json!(raw.as_i64().or_else(|| raw.as_f64().map(|f| f as i64)).unwrap_or(0))
        }
        FType::Boolean => json!(raw.as_bool().unwrap_or(false)),
        _ => match raw {
            Value::Null => def.ftype.empty(),
            v => v,
        },
    }
}
