//! Domain evaluation: whether a record satisfies a parsed domain. Implements
//! the operator semantics of the ORM over the in-memory values (NULL
//! handling of negative operators, `like` patterns, many2one/x2many matching
//! by id or by display name, `child_of`/`parent_of`, `any`/`not any`).

use crate::domain::{Leaf, Node, Op};
use crate::schema::FType;
use crate::store::{Env, Store};
use serde_json::Value;
use std::cmp::Ordering;
use std::collections::BTreeSet;

/// Whether record `id` of `model` matches `node`.
pub fn matches(store: &Store, env: &Env, model: &str, id: i64, node: &Node) -> bool {
    match node {
        Node::True => true,
        Node::False => false,
        Node::And(parts) => parts.iter().all(|p| matches(store, env, model, id, p)),
        Node::Or(parts) => parts.iter().any(|p| matches(store, env, model, id, p)),
        Node::Not(inner) => !matches(store, env, model, id, inner),
        Node::Leaf(leaf) => leaf_matches(store, env, model, id, leaf),
    }
}

/// SQL `LIKE` matching (`%`, `_`, `\` escapes).
pub fn like(pattern: &str, text: &str, insensitive: bool) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = if insensitive {
        (pattern.to_lowercase().chars().collect(), text.to_lowercase().chars().collect())
    } else {
        (pattern.chars().collect(), text.chars().collect())
    };
    like_at(&p, &t)
}

/// Iterative LIKE matching (dynamic programming over pattern tokens).
fn like_at(p: &[char], t: &[char]) -> bool {
    // Tokens: Some(c) a literal, None for '_', and '%' kept as a flag.
    let mut tokens: Vec<(bool, Option<char>)> = Vec::new();
    let mut i = 0;
    while i < p.len() {
        match p[i] {
            '%' => tokens.push((true, None)),
            '_' => tokens.push((false, None)),
            '\\' if i + 1 < p.len() => {
                i += 1;
                tokens.push((false, Some(p[i])));
            }
            c => tokens.push((false, Some(c))),
        }
        i += 1;
    }
    // row[j]: the tokens so far match t[..j].
    let mut row = vec![false; t.len() + 1];
    row[0] = true;
    for (any, lit) in tokens {
        let mut next = vec![false; t.len() + 1];
        if any {
            let mut reachable = false;
            for j in 0..=t.len() {
                reachable |= row[j];
                next[j] = reachable;
            }
        } else {
            for j in 1..=t.len() {
                next[j] = row[j - 1] && lit.is_none_or(|c| c == t[j - 1]);
            }
        }
        row = next;
    }
    row[t.len()]
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => false,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        _ => true,
    }
}

fn as_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn as_num(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        Value::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        _ => None,
    }
}

fn scalar_eq(ftype: FType, raw: &Value, val: &Value) -> bool {
    if ftype == FType::Boolean {
        return truthy(raw) == truthy(val);
    }
    if is_empty(val) && matches!(val, Value::Null | Value::Bool(false)) {
        return is_empty(raw) && !matches!(raw, Value::Number(_));
    }
    if ftype.is_numeric() {
        return match (as_num(raw), as_num(val)) {
            (Some(a), Some(b)) => a == b,
            _ => false,
        };
    }
    match (raw, val) {
        (Value::String(a), Value::String(b)) => a == b,
        (Value::String(a), Value::Number(n)) => *a == n.to_string(),
        _ => raw == val,
    }
}

fn compare(ftype: FType, raw: &Value, val: &Value) -> Option<Ordering> {
    if matches!(raw, Value::Null | Value::Bool(false)) && ftype != FType::Boolean {
        return None;
    }
    if ftype.is_numeric() || ftype == FType::Boolean {
        return as_num(raw)?.partial_cmp(&as_num(val)?);
    }
    Some(as_text(raw)?.cmp(&as_text(val)?))
}

fn like_op(op: Op, raw: &Value, val: &Value) -> bool {
    let Some(text) = as_text(raw) else {
        return false;
    };
    let Some(pat) = as_text(val) else {
        return is_empty(raw);
    };
    match op {
        Op::Like => like(&format!("%{}%", pat), &text, false),
        Op::ILike => like(&format!("%{}%", pat), &text, true),
        Op::EqLike => like(&pat, &text, false),
        Op::EqILike => like(&pat, &text, true),
        _ => false,
    }
}

fn list_of(val: &Value) -> Vec<Value> {
    match val {
        Value::Array(items) => items.clone(),
        other => vec![other.clone()],
    }
}

fn leaf_matches(store: &Store, env: &Env, model: &str, id: i64, leaf: &Leaf) -> bool {
    let Some(def) = store.model(model).and_then(|m| m.field(&leaf.field)) else {
        return false;
    };
    let raw = store.raw(env, model, id, &leaf.field);
    let relational = def.ftype.is_relational() || leaf.field == "id";
    if relational && !(leaf.field == "id" && matches!(leaf.op, Op::Lt | Op::Gt | Op::Le | Op::Ge)) {
        let comodel = if leaf.field == "id" { model.to_string() } else { def.relation.clone().unwrap_or_default() };
        let ids: Vec<i64> = match &raw {
            Value::Array(items) => items.iter().filter_map(Value::as_i64).collect(),
            Value::Number(n) => n.as_i64().into_iter().collect(),
            _ => Vec::new(),
        };
        return relational_matches(store, env, &comodel, &ids, leaf);
    }
    let ftype = if leaf.field == "id" { FType::Integer } else { def.ftype };
    let val = &leaf.value;
    match leaf.op {
        Op::Eq => scalar_eq(ftype, &raw, val),
        Op::Ne => !scalar_eq(ftype, &raw, val),
        Op::EqQ => is_empty(val) || scalar_eq(ftype, &raw, val),
        Op::Lt => compare(ftype, &raw, val) == Some(Ordering::Less),
        Op::Gt => compare(ftype, &raw, val) == Some(Ordering::Greater),
        Op::Le => matches!(compare(ftype, &raw, val), Some(Ordering::Less | Ordering::Equal)),
        Op::Ge => matches!(compare(ftype, &raw, val), Some(Ordering::Greater | Ordering::Equal)),
        Op::Like | Op::ILike | Op::EqLike | Op::EqILike => like_op(leaf.op, &raw, val),
        Op::NotLike | Op::NotILike => {
            is_empty(&raw) && ftype != FType::Boolean || !like_op(leaf.op.positive(), &raw, val)
        }
        Op::In | Op::ChildOf | Op::ParentOf => list_of(val).iter().any(|v| scalar_eq(ftype, &raw, v)),
        Op::NotIn => !list_of(val).iter().any(|v| scalar_eq(ftype, &raw, v)),
        Op::Any | Op::NotAny => false,
    }
}

/// Ids of `comodel` whose display name matches `op` `value` (name search).
fn ids_by_name(store: &Store, comodel: &str, op: Op, value: &Value) -> BTreeSet<i64> {
    let Some(m) = store.model(comodel) else {
        return BTreeSet::new();
    };
    m.records
        .keys()
        .filter(|rid| {
            let name = Value::String(store.display_name(comodel, **rid));
            match op {
                Op::Eq | Op::In | Op::ChildOf | Op::ParentOf => {
                    list_of(value).iter().any(|v| as_text(v).as_deref() == name.as_str())
                }
                Op::Like | Op::ILike | Op::EqLike | Op::EqILike => like_op(op, &name, value),
                _ => false,
            }
        })
        .copied()
        .collect()
}

/// Targets named by a leaf value: ids, names, and whether `false` is listed.
fn targets(store: &Store, comodel: &str, op: Op, value: &Value) -> (BTreeSet<i64>, bool) {
    let mut ids = BTreeSet::new();
    let mut with_false = false;
    for v in list_of(value) {
        match &v {
            Value::Number(n) => ids.extend(n.as_i64()),
            Value::String(_) => ids.extend(ids_by_name(store, comodel, op, &v)),
            Value::Null | Value::Bool(false) => with_false = true,
            _ => {}
        }
    }
    (ids, with_false)
}

/// Expands ids to all their descendants (`child_of`) or ancestors (`parent_of`).
fn hierarchy(store: &Store, comodel: &str, start: BTreeSet<i64>, down: bool) -> BTreeSet<i64> {
    let Some(parent) = store.parent_field(comodel) else {
        return start;
    };
    let parent_of = |id: i64| store.stored(comodel, id, parent).and_then(Value::as_i64);
    let mut result = start.clone();
    let mut frontier: Vec<i64> = start.into_iter().collect();
    while let Some(cur) = frontier.pop() {
        let next: Vec<i64> = if down {
            store
                .model(comodel)
                .map(|m| m.records.keys().copied().filter(|c| parent_of(*c) == Some(cur)).collect())
                .unwrap_or_default()
        } else {
            parent_of(cur).into_iter().collect()
        };
        for n in next {
            if result.insert(n) {
                frontier.push(n);
            }
        }
    }
    result
}

fn relational_matches(store: &Store, env: &Env, comodel: &str, ids: &[i64], leaf: &Leaf) -> bool {
    let op = leaf.op;
    match op {
        Op::Any | Op::NotAny => {
            let found = ids.iter().any(|rid| {
                store.exists(comodel, *rid)
                    && (!env.active_test || store.is_active(comodel, *rid))
                    && leaf.sub.as_ref().is_some_and(|sub| matches(store, env, comodel, *rid, sub))
            });
            return found == (op == Op::Any);
        }
        Op::Lt | Op::Gt | Op::Le | Op::Ge => {
            let Some(target) = as_num(&leaf.value) else {
                return false;
            };
            return ids.iter().any(|i| {
                let ord = (*i as f64).partial_cmp(&target);
                match op {
                    Op::Lt => ord == Some(Ordering::Less),
                    Op::Gt => ord == Some(Ordering::Greater),
                    Op::Le => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
                    _ => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
                }
            });
        }
        Op::EqQ if is_empty(&leaf.value) => return true,
        _ => {}
    }
    let positive = if op == Op::EqQ { Op::Eq } else { op.positive() };
    if matches!(positive, Op::Eq) && matches!(leaf.value, Value::Null | Value::Bool(false)) {
        return ids.is_empty() != op.is_negative();
    }
    let (mut wanted, with_false) = targets(store, comodel, positive, &leaf.value);
    match positive {
        Op::ChildOf => wanted = hierarchy(store, comodel, wanted, true),
        Op::ParentOf => wanted = hierarchy(store, comodel, wanted, false),
        _ => {}
    }
    let hit = ids.iter().any(|i| wanted.contains(i)) || (with_false && ids.is_empty());
    hit != op.is_negative()
}

#[cfg(test)]
mod tests {
    use super::like;

    #[test]
    fn like_patterns() {
        assert!(like("%gem%", "Gemini Furniture", true));
        assert!(!like("%gem%", "Gemini Furniture", false));
        assert!(like("G_mini%", "Gemini", false));
        assert!(like("100\\%", "100%", false));
        assert!(!like("abc", "abcd", false));
    }
}
