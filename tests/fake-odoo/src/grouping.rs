//! Aggregation: `read_group` (lazy and `lazy=False` shapes: `<field>_count`
//! or `__count`, `__domain`, `__fold`, `__range`, `__context`) and, on 19,
//! `formatted_read_group` (`field:agg` keys, `__count`, `__extra_domain`,
//! date groups as `[start, label]`).

use crate::domain;
use crate::errors::OResult;
use crate::groups::{aggregate, group_domain, group_value, groups, parse_agg, parse_groupby, Agg, Group, GroupBy};
use crate::out::Out;
use crate::store::{Env, Store};
use serde_json::{json, Value};
use std::cmp::Ordering;

fn str_list(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Array(items) => items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect(),
        _ => Vec::new(),
    }
}

fn window<T>(items: Vec<T>, offset: &Value, limit: &Value) -> Vec<T> {
    let offset = offset.as_u64().unwrap_or(0) as usize;
    let limit = limit.as_u64().map(|l| l as usize).unwrap_or(usize::MAX);
    items.into_iter().skip(offset).take(limit).collect()
}

/// Sorts rows by an `orderby` such as `"expected_revenue desc, __count"`;
/// a groupby key sorts in the groupby's own order (rows come in it).
fn order_rows(rows: &mut [(Vec<(String, Value)>, usize)], order: &Value, gbs: &[GroupBy]) {
    let Some(spec) = order.as_str() else { return };
    let keys: Vec<(String, bool)> = spec
        .split(',')
        .filter_map(|p| {
            let mut w = p.split_whitespace();
            let k = w.next()?.to_string();
            Some((k, w.next().is_some_and(|d| d.eq_ignore_ascii_case("desc"))))
        })
        .collect();
    rows.sort_by(|(a, ia), (b, ib)| {
        for (k, desc) in &keys {
            if gbs.iter().any(|g| &g.spec == k || &g.field == k) {
                let ord = ia.cmp(ib);
                return if *desc { ord.reverse() } else { ord };
            }
            let get = |r: &[(String, Value)]| r.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
            let ord = match (get(a), get(b)) {
                (Some(Value::Number(x)), Some(Value::Number(y))) => {
                    x.as_f64().partial_cmp(&y.as_f64()).unwrap_or(Ordering::Equal)
                }
                (Some(x), Some(y)) => x.to_string().cmp(&y.to_string()),
                _ => Ordering::Equal,
            };
            if ord != Ordering::Equal {
                return if *desc { ord.reverse() } else { ord };
            }
        }
        ia.cmp(ib)
    });
}

/// `read_group(domain, fields, groupby, offset, limit, orderby, lazy)`.
#[allow(clippy::too_many_arguments)]
pub fn read_group(
    store: &Store,
    env: &Env,
    model: &str,
    dom: &Value,
    fields: &Value,
    groupby: &Value,
    offset: &Value,
    limit: &Value,
    orderby: &Value,
    lazy: bool,
) -> OResult<Out> {
    let all_gb = str_list(groupby);
    let used: Vec<String> = if lazy { all_gb.iter().take(1).cloned().collect() } else { all_gb.clone() };
    let gbs = parse_groupby(store, model, &used)?;
    let mut aggs = Vec::new();
    for spec in str_list(fields) {
        if spec == "__count" || all_gb.iter().any(|g| g.split(':').next() == Some(spec.as_str())) {
            continue;
        }
        if let Some(a) = parse_agg(store, model, &spec, true)? {
            aggs.push(a);
        }
    }
    let groups = groups(store, env, model, dom, &gbs)?;
    let base = domain::normalize(dom);
    let mut rows: Vec<(Vec<(String, Value)>, usize)> = Vec::new();
    for (n, grp) in groups.iter().enumerate() {
        let mut row: Vec<(String, Value)> = Vec::new();
        let mut parts = vec![base.clone()];
        let mut ranges: Vec<(String, Value)> = Vec::new();
        for (g, key) in gbs.iter().zip(&grp.key) {
            row.push((g.spec.clone(), group_value(store, g, key, false)));
            let (d, range) = group_domain(g, key);
            parts.push(d);
            if let Some((from, to)) = range {
                ranges.push((g.spec.clone(), json!({"from": from, "to": to})));
            }
        }
        let count_key = match gbs.first() {
            Some(g) if lazy => format!("{}_count", g.field),
            _ => "__count".to_string(),
        };
        row.push((count_key, json!(grp.ids.len())));
        for a in &aggs {
            row.push((a.key.clone(), aggregate(store, env, model, &grp.ids, a)));
        }
        if let (true, Some(g), Some(id)) = (lazy, gbs.first(), grp.key.first().and_then(Value::as_i64)) {
            let rel = g.relation.as_deref().unwrap_or("");
            if store.model(rel).and_then(|m| m.field("fold")).is_some() {
                let fold = store.stored(rel, id, "fold").and_then(Value::as_bool).unwrap_or(false);
                row.push(("__fold".into(), json!(fold)));
            }
        }
        row.push(("__domain".into(), Value::Array(domain::and(parts))));
        if !ranges.is_empty() {
            row.push(("__range".into(), Value::Object(ranges.into_iter().collect())));
        }
        if lazy && all_gb.len() > 1 {
            row.push(("__context".into(), json!({"group_by": all_gb[1..].to_vec()})));
        }
        rows.push((row, n));
    }
    order_rows(&mut rows, orderby, &gbs);
    let rows = window(rows, offset, limit);
    Ok(Out::Arr(
        rows.into_iter().map(|(r, _)| Out::obj(r.into_iter().map(|(k, v)| (k, Out::V(v))).collect())).collect(),
    ))
}

/// `formatted_read_group(domain, groupby, aggregates, having, offset, limit, order)`.
#[allow(clippy::too_many_arguments)]
pub fn formatted_read_group(
    store: &Store,
    env: &Env,
    model: &str,
    dom: &Value,
    groupby: &Value,
    aggregates: &Value,
    having: &Value,
    offset: &Value,
    limit: &Value,
    order: &Value,
) -> OResult<Out> {
    let gbs = parse_groupby(store, model, &str_list(groupby))?;
    let specs = str_list(aggregates);
    let mut aggs: Vec<Option<Agg>> = Vec::new();
    for spec in &specs {
        aggs.push(if spec == "__count" { None } else { parse_agg(store, model, spec, false)? });
    }
    let mut groups = groups(store, env, model, dom, &gbs)?;
    if gbs.is_empty() && groups.is_empty() {
        groups.push(Group { key: Vec::new(), ids: Vec::new() });
    }
    let mut rows: Vec<(Vec<(String, Value)>, usize)> = Vec::new();
    for (n, grp) in groups.iter().enumerate() {
        let mut row: Vec<(String, Value)> = Vec::new();
        let mut parts = Vec::new();
        for (g, key) in gbs.iter().zip(&grp.key) {
            row.push((g.spec.clone(), group_value(store, g, key, true)));
            parts.push(group_domain(g, key).0);
        }
        row.push(("__extra_domain".into(), Value::Array(domain::and(parts))));
        for (spec, agg) in specs.iter().zip(&aggs) {
            let v = match agg {
                Some(a) => aggregate(store, env, model, &grp.ids, a),
                None => json!(grp.ids.len()),
            };
            row.push((spec.clone(), v));
        }
        if having_ok(&row, having) {
            rows.push((row, n));
        }
    }
    order_rows(&mut rows, order, &gbs);
    let rows = window(rows, offset, limit);
    Ok(Out::Arr(
        rows.into_iter().map(|(r, _)| Out::obj(r.into_iter().map(|(k, v)| (k, Out::V(v))).collect())).collect(),
    ))
}

/// Evaluates a `having` domain (AND of `[aggregate, op, value]` leaves).
fn having_ok(row: &[(String, Value)], having: &Value) -> bool {
    let Some(items) = having.as_array() else {
        return true;
    };
    items.iter().filter_map(Value::as_array).all(|leaf| {
        let (Some(k), Some(op), Some(target)) = (
            leaf.first().and_then(Value::as_str),
            leaf.get(1).and_then(Value::as_str),
            leaf.get(2).and_then(Value::as_f64),
        ) else {
            return true;
        };
        let Some(v) = row.iter().find(|(n, _)| n == k).and_then(|(_, v)| v.as_f64()) else {
            return false;
        };
        match op {
            "=" => v == target,
            "!=" => v != target,
            ">" => v > target,
            ">=" => v >= target,
            "<" => v < target,
            "<=" => v <= target,
            _ => true,
        }
    })
}
