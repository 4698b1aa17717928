//! Searching: `order` parsing and sorting (many2one by the comodel's own
//! order, NULLs last ascending / first descending like PostgreSQL), and the
//! search pipeline (record rules, `active_test`, domain, offset, limit).

use crate::access;
use crate::domain::{self, Node};
use crate::errors::{invalid_field, value_error, OResult};
use crate::eval;
use crate::schema::FType;
use crate::store::{Env, Store};
use serde_json::Value;
use std::cmp::Ordering;
use std::collections::HashMap;

/// One `field [asc|desc] [nulls first|last]` term of an order.
#[derive(Debug, Clone)]
pub struct OrderKey {
    pub field: String,
    pub desc: bool,
    pub nulls_first: bool,
}

/// Parses an `order` specification, checking fields exist.
pub fn parse_order(store: &Store, model: &str, spec: &str) -> OResult<Vec<OrderKey>> {
    let mut keys = Vec::new();
    let invalid = || {
        value_error(format!(
            "Invalid \"order\" specified ({}). A valid \"order\" specification is a comma-separated list of valid field names (optionally followed by asc/desc for the direction)",
            spec
        ))
    };
    for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let words: Vec<String> = part.split_whitespace().map(str::to_lowercase).collect();
        let field = part.split_whitespace().next().unwrap_or("").to_string();
        if field.is_empty() || !field.chars().all(|c| c.is_alphanumeric() || c == '_') {
            return Err(invalid());
        }
        let (desc, rest) = match words.get(1).map(String::as_str) {
            Some("desc") => (true, &words[2..]),
            Some("asc") => (false, &words[2..]),
            _ => (false, &words[1..]),
        };
        let nulls_first = match rest.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
            [] => desc,
            ["nulls", "first"] => true,
            ["nulls", "last"] => false,
            _ => return Err(invalid()),
        };
        if field != "id" && store.model(model).and_then(|m| m.field(&field)).is_none() {
            return Err(invalid_field(store.version, &field, model));
        }
        keys.push(OrderKey { field, desc, nulls_first });
    }
    Ok(keys)
}

#[derive(Debug, Clone, PartialEq, PartialOrd)]
enum SortVal {
    Null,
    Num(f64),
    Str(String, String),
}

fn sort_val(store: &Store, env: &Env, model: &str, id: i64, field: &str, ranks: &mut Ranks) -> SortVal {
    let ftype = store.model(model).and_then(|m| m.field(field)).map(|f| f.ftype);
    let raw = store.raw(env, model, id, field);
    match (ftype, &raw) {
        (Some(FType::Many2one), Value::Number(n)) => {
            let comodel =
                store.model(model).and_then(|m| m.field(field)).and_then(|f| f.relation.clone()).unwrap_or_default();
            let target = n.as_i64().unwrap_or(0);
            match ranks.rank(store, env, &comodel, target) {
                Some(r) => SortVal::Num(r as f64),
                None => {
                    let name = store.display_name(&comodel, target);
                    SortVal::Str(name.to_lowercase(), name)
                }
            }
        }
        (Some(FType::Boolean), v) => SortVal::Num(if v.as_bool() == Some(true) { 1.0 } else { 0.0 }),
        (_, Value::Number(n)) => SortVal::Num(n.as_f64().unwrap_or(0.0)),
        (_, Value::String(s)) => SortVal::Str(s.to_lowercase(), s.clone()),
        (_, Value::Array(a)) => SortVal::Num(a.len() as f64),
        _ => SortVal::Null,
    }
}

/// Positions of comodel records in the comodel's default order (for
/// sorting by a many2one), computed once per sort.
#[derive(Default)]
struct Ranks {
    depth: usize,
    cache: HashMap<String, HashMap<i64, usize>>,
}

impl Ranks {
    fn rank(&mut self, store: &Store, env: &Env, comodel: &str, id: i64) -> Option<usize> {
        if self.depth > 0 {
            return None;
        }
        if !self.cache.contains_key(comodel) {
            let m = store.model(comodel)?;
            let mut ids: Vec<i64> = m.records.keys().copied().collect();
            let keys = parse_order(store, comodel, &m.order).unwrap_or_default();
            let mut inner = Ranks { depth: 1, cache: HashMap::new() };
            sort_with(store, env, comodel, &mut ids, &keys, &mut inner);
            let map = ids.into_iter().enumerate().map(|(i, id)| (id, i)).collect();
            self.cache.insert(comodel.to_string(), map);
        }
        self.cache.get(comodel).and_then(|m| m.get(&id)).copied()
    }
}

fn cmp_vals(a: &SortVal, b: &SortVal, key: &OrderKey) -> Ordering {
    let ord = match (a, b) {
        (SortVal::Null, SortVal::Null) => Ordering::Equal,
        (SortVal::Null, _) => return if key.nulls_first { Ordering::Less } else { Ordering::Greater },
        (_, SortVal::Null) => return if key.nulls_first { Ordering::Greater } else { Ordering::Less },
        (SortVal::Str(la, a), SortVal::Str(lb, b)) => la.cmp(lb).then(a.cmp(b)),
        _ => a.partial_cmp(b).unwrap_or(Ordering::Equal),
    };
    if key.desc {
        ord.reverse()
    } else {
        ord
    }
}

fn sort_with(store: &Store, env: &Env, model: &str, ids: &mut [i64], keys: &[OrderKey], ranks: &mut Ranks) {
    let mut keyed: Vec<(Vec<SortVal>, i64)> = ids
        .iter()
        .map(|id| {
            let vals = keys.iter().map(|k| sort_val(store, env, model, *id, &k.field, ranks)).collect();
            (vals, *id)
        })
        .collect();
    keyed.sort_by(|(a, ia), (b, ib)| {
        for (i, key) in keys.iter().enumerate() {
            let ord = cmp_vals(&a[i], &b[i], key);
            if ord != Ordering::Equal {
                return ord;
            }
        }
        ia.cmp(ib)
    });
    for (slot, (_, id)) in ids.iter_mut().zip(keyed) {
        *slot = id;
    }
}

/// Sorts ids by an order specification (already validated).
pub fn sort_ids(store: &Store, env: &Env, model: &str, ids: &mut [i64], keys: &[OrderKey]) {
    sort_with(store, env, model, ids, keys, &mut Ranks::default());
}

/// Sorts ids by the model's `_order`.
pub fn sort_default(store: &Store, env: &Env, model: &str, ids: &mut [i64]) {
    let order = store.model(model).map(|m| m.order.clone()).unwrap_or_default();
    let keys = parse_order(store, model, &order).unwrap_or_default();
    sort_ids(store, env, model, ids, &keys);
}

/// Parameters of a search.
pub struct Query<'a> {
    pub domain: &'a Value,
    pub order: Option<&'a str>,
    pub offset: usize,
    pub limit: Option<usize>,
}

/// Parses the domain and order of a query (for early error reporting).
pub fn prepare(store: &Store, model: &str, q: &Query) -> OResult<(Node, Vec<OrderKey>)> {
    let node = domain::parse(store, model, q.domain)?;
    let spec = match q.order {
        Some(o) if !o.trim().is_empty() => o.to_string(),
        _ => store.model(model).map(|m| m.order.clone()).unwrap_or_default(),
    };
    let keys = parse_order(store, model, &spec)?;
    Ok((node, keys))
}

/// Runs a search: the matching ids, sorted, with offset and limit applied.
pub fn search(store: &Store, env: &Env, model: &str, q: &Query) -> OResult<Vec<i64>> {
    let (node, keys) = prepare(store, model, q)?;
    let mut ids = matching(store, env, model, &node, domain::mentions_active(q.domain));
    sort_ids(store, env, model, &mut ids, &keys);
    let end = q.limit.map(|l| q.offset.saturating_add(l)).unwrap_or(usize::MAX).min(ids.len());
    let start = q.offset.min(end);
    Ok(ids[start..end].to_vec())
}

/// Unsorted ids of records matching a parsed domain, after record rules and
/// `active_test`.
pub fn matching(store: &Store, env: &Env, model: &str, node: &Node, mentions_active: bool) -> Vec<i64> {
    let Some(m) = store.model(model) else {
        return Vec::new();
    };
    let active_filter = env.active_test && !mentions_active && m.field("active").is_some();
    m.records
        .keys()
        .copied()
        .filter(|id| access::rule_allows(store, env, model, *id))
        .filter(|id| !active_filter || store.is_active(model, *id))
        .filter(|id| eval::matches(store, env, model, *id, node))
        .collect()
}
