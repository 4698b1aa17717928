//! Grouping building blocks: `groupby` and aggregate specs, the group keys
//! of a record (date periods, x2many fan-out), aggregation functions, group
//! ordering, and each group's domain and displayed value.

use crate::access::{self, Perm};
use crate::dates;
use crate::errors::{invalid_field, value_error, OResult};
use crate::out::py_str;
use crate::schema::FType;
use crate::search::{self, Query};
use crate::store::{Env, Store};
use serde_json::{json, Value};
use std::cmp::Ordering;

/// A `groupby` spec: field and date granularity.
pub struct GroupBy {
    pub spec: String,
    pub field: String,
    pub ftype: FType,
    pub relation: Option<String>,
    pub granularity: Option<String>,
}

/// An aggregate: output key, field, function.
pub struct Agg {
    pub key: String,
    pub field: String,
    pub func: String,
}

pub fn parse_groupby(store: &Store, model: &str, specs: &[String]) -> OResult<Vec<GroupBy>> {
    let m = store.model(model).ok_or_else(|| crate::errors::unknown_model(model, false))?;
    specs
        .iter()
        .map(|spec| {
            let (field, gran) = match spec.split_once(':') {
                Some((f, g)) => (f, Some(g.to_string())),
                None => (spec.as_str(), None),
            };
            let def = m.field(field).ok_or_else(|| invalid_field(store.version, field, model))?;
            let is_date = matches!(def.ftype, FType::Date | FType::Datetime);
            let granularity = match gran {
                Some(g) if is_date && dates::GRANULARITIES.contains(&g.as_str()) => Some(g),
                Some(g) => {
                    return Err(value_error(format!("Invalid granularity {} for field {}", py_str(&g), py_str(field))))
                }
                None if is_date => Some("month".to_string()),
                None => None,
            };
            Ok(GroupBy {
                spec: spec.clone(),
                field: field.to_string(),
                ftype: def.ftype,
                relation: def.relation.clone(),
                granularity,
            })
        })
        .collect()
}

const AGGREGATORS: &[&str] =
    &["sum", "avg", "min", "max", "count", "count_distinct", "bool_and", "bool_or", "array_agg"];

pub fn parse_agg(store: &Store, model: &str, spec: &str, legacy: bool) -> OResult<Option<Agg>> {
    let m = store.model(model).ok_or_else(|| crate::errors::unknown_model(model, false))?;
    let (key, field, func) = match spec.split_once(':') {
        Some((alias, rest)) if rest.contains('(') && rest.ends_with(')') => {
            let (func, inner) = rest.split_once('(').unwrap_or((rest, ""));
            (alias.to_string(), inner.trim_end_matches(')').to_string(), func.to_string())
        }
        Some((f, func)) => (if legacy { f.to_string() } else { spec.to_string() }, f.to_string(), func.to_string()),
        None if legacy => (spec.to_string(), spec.to_string(), String::new()),
        None => return Err(value_error(format!("Invalid aggregate specification {}", py_str(spec)))),
    };
    let def = m.field(&field).ok_or_else(|| invalid_field(store.version, &field, model))?;
    let func = if func.is_empty() {
        if !def.ftype.is_numeric() || field == "id" {
            return Ok(None);
        }
        "sum".to_string()
    } else {
        func
    };
    if !AGGREGATORS.contains(&func.as_str()) {
        return Err(value_error(format!("Invalid aggregation function {}.", py_str(&func))));
    }
    Ok(Some(Agg { key, field, func }))
}

/// The values a record contributes for a groupby (x2many: one per id).
pub fn keys_of(store: &Store, env: &Env, model: &str, id: i64, g: &GroupBy) -> Vec<Value> {
    let raw = store.raw(env, model, id, &g.field);
    if let Some(gran) = &g.granularity {
        return vec![match raw.as_str().and_then(dates::parse) {
            Some(stamp) => json!(dates::fmt_day(dates::period(stamp, gran).start, g.ftype == FType::Datetime)),
            None => json!(false),
        }];
    }
    match raw {
        Value::Array(items) if items.is_empty() => vec![json!(false)],
        Value::Array(items) => items,
        Value::Null => vec![json!(false)],
        v => vec![v],
    }
}

pub fn cartesian(store: &Store, env: &Env, model: &str, id: i64, gbs: &[GroupBy]) -> Vec<Vec<Value>> {
    let mut combos: Vec<Vec<Value>> = vec![Vec::new()];
    for g in gbs {
        let keys = keys_of(store, env, model, id, g);
        combos =
            combos.into_iter().flat_map(|c| keys.iter().map(move |k| [c.clone(), vec![k.clone()]].concat())).collect();
    }
    combos
}

pub struct Group {
    pub key: Vec<Value>,
    pub ids: Vec<i64>,
}

pub fn aggregate(store: &Store, env: &Env, model: &str, ids: &[i64], agg: &Agg) -> Value {
    let ftype = store.model(model).and_then(|m| m.field(&agg.field)).map(|f| f.ftype).unwrap_or(FType::Char);
    let vals: Vec<Value> = ids.iter().map(|id| store.raw(env, model, *id, &agg.field)).collect();
    let nums: Vec<f64> = vals.iter().filter_map(Value::as_f64).collect();
    let int = ftype == FType::Integer;
    let num = |f: f64| if int { json!(f as i64) } else { json!(f) };
    match agg.func.as_str() {
        "sum" => num(nums.iter().sum()),
        "avg" if nums.is_empty() => json!(false),
        "avg" => json!(nums.iter().sum::<f64>() / nums.len() as f64),
        "min" | "max" if ftype.is_numeric() => {
            let it = nums.iter().copied();
            let r =
                if agg.func == "min" { it.fold(f64::INFINITY, f64::min) } else { it.fold(f64::NEG_INFINITY, f64::max) };
            if r.is_finite() {
                num(r)
            } else {
                json!(false)
            }
        }
        "min" | "max" => {
            let mut strs: Vec<String> = vals.iter().filter_map(|v| v.as_str().map(str::to_string)).collect();
            strs.sort();
            let pick = if agg.func == "min" { strs.first() } else { strs.last() };
            pick.map(|s| json!(s)).unwrap_or(json!(false))
        }
        "count" => json!(vals.iter().filter(|v| !matches!(v, Value::Null | Value::Bool(false))).count()),
        "count_distinct" => {
            let mut seen: Vec<&Value> = Vec::new();
            for v in vals.iter().filter(|v| !matches!(v, Value::Null | Value::Bool(false))) {
                if !seen.contains(&v) {
                    seen.push(v);
                }
            }
            json!(seen.len())
        }
        "bool_and" => json!(vals.iter().all(|v| v.as_bool().unwrap_or(false))),
        "bool_or" => json!(vals.iter().any(|v| v.as_bool().unwrap_or(false))),
        _ => Value::Array(vals),
    }
}

/// Groups the records matching `domain`, sorted by the groupby values.
pub fn groups(store: &Store, env: &Env, model: &str, dom: &Value, gbs: &[GroupBy]) -> OResult<Vec<Group>> {
    access::check_model(store, env, model, Perm::Read)?;
    let ids = search::search(store, env, model, &Query { domain: dom, order: None, offset: 0, limit: None })?;
    let mut out: Vec<Group> = Vec::new();
    for id in ids {
        for key in cartesian(store, env, model, id, gbs) {
            match out.iter_mut().find(|g| g.key == key) {
                Some(g) => g.ids.push(id),
                None => out.push(Group { key, ids: vec![id] }),
            }
        }
    }
    let ranks: Vec<Vec<i64>> = gbs
        .iter()
        .map(|g| match (&g.relation, g.ftype) {
            (Some(rel), FType::Many2one | FType::Many2many) => {
                let mut all: Vec<i64> =
                    store.model(rel).map(|m| m.records.keys().copied().collect()).unwrap_or_default();
                search::sort_default(store, env, rel, &mut all);
                all
            }
            _ => Vec::new(),
        })
        .collect();
    out.sort_by(|a, b| {
        for (i, g) in gbs.iter().enumerate() {
            let ord = cmp_key(&a.key[i], &b.key[i], g, &ranks[i]);
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    });
    Ok(out)
}

pub fn cmp_key(a: &Value, b: &Value, g: &GroupBy, rank: &[i64]) -> Ordering {
    let empty = |v: &Value| matches!(v, Value::Null | Value::Bool(false)) && g.ftype != FType::Boolean;
    match (empty(a), empty(b)) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        let pos = |v: i64| rank.iter().position(|r| *r == v).unwrap_or(usize::MAX);
        if !rank.is_empty() {
            return pos(x).cmp(&pos(y));
        }
        return x.cmp(&y);
    }
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64().partial_cmp(&y.as_f64()).unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.to_lowercase().cmp(&y.to_lowercase()),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => Ordering::Equal,
    }
}

/// The domain of one group value, and the `__range` entry for dates.
pub fn group_domain(g: &GroupBy, key: &Value) -> (Vec<Value>, Option<(String, String)>) {
    if let (Some(gran), Some(start)) = (&g.granularity, key.as_str()) {
        let dt = g.ftype == FType::Datetime;
        let end = dates::parse(start).map(|s| dates::fmt_day(dates::period(s, gran).end, dt)).unwrap_or_default();
        let dom = vec![json!("&"), json!([g.field, ">=", start]), json!([g.field, "<", end])];
        return (dom, Some((start.to_string(), end)));
    }
    (vec![json!([g.field, "=", key])], None)
}

/// The value shown for a group: `[id, name]`, a date label, or the raw value.
pub fn group_value(store: &Store, g: &GroupBy, key: &Value, formatted: bool) -> Value {
    if let (Some(gran), Some(start)) = (&g.granularity, key.as_str()) {
        let label = dates::parse(start).map(|s| dates::period(s, gran).label).unwrap_or_default();
        return if formatted { json!([start, label]) } else { json!(label) };
    }
    match (&g.relation, key.as_i64()) {
        (Some(rel), Some(id)) => json!([id, store.display_name(rel, id)]),
        _ => key.clone(),
    }
}
