//! Domain parsing: validates a JSON domain (prefix notation, implicit AND,
//! leaves `[path, op, value]`) against a model's schema and builds a tree,
//! raising the per-version errors Odoo raises for malformed domains, bad
//! operators and unknown fields. Also domain normalization and AND-ing used
//! for `read_group`'s `__domain`.

use crate::errors::{type_error, value_error, OResult};
use crate::out::{py_repr, py_tuple, py_type};
use crate::store::Store;
use crate::OdooVersion;
use serde_json::{json, Value};

/// Leaf operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    EqQ,
    Like,
    NotLike,
    ILike,
    NotILike,
    EqLike,
    EqILike,
    In,
    NotIn,
    ChildOf,
    ParentOf,
    Any,
    NotAny,
}

impl Op {
    pub fn parse(s: &str) -> Option<Op> {
        Some(match s.to_lowercase().as_str() {
            "=" => Op::Eq,
            "!=" | "<>" => Op::Ne,
            "<" => Op::Lt,
            ">" => Op::Gt,
            "<=" => Op::Le,
            ">=" => Op::Ge,
            "=?" => Op::EqQ,
            "like" => Op::Like,
            "not like" => Op::NotLike,
            "ilike" => Op::ILike,
            "not ilike" => Op::NotILike,
            "=like" => Op::EqLike,
            "=ilike" => Op::EqILike,
            "in" => Op::In,
            "not in" => Op::NotIn,
            "child_of" => Op::ChildOf,
            "parent_of" => Op::ParentOf,
            "any" => Op::Any,
            "not any" => Op::NotAny,
            _ => return None,
        })
    }

    /// Operators whose result includes records where the field is empty.
    pub fn is_negative(self) -> bool {
        matches!(self, Op::Ne | Op::NotLike | Op::NotILike | Op::NotIn | Op::NotAny)
    }

    /// The positive counterpart of a negative operator.
    pub fn positive(self) -> Op {
        match self {
            Op::Ne => Op::Eq,
            Op::NotLike => Op::Like,
            Op::NotILike => Op::ILike,
            Op::NotIn => Op::In,
            Op::NotAny => Op::Any,
            op => op,
        }
    }
}

/// A parsed domain.
#[derive(Debug, Clone)]
pub enum Node {
    True,
    False,
    And(Vec<Node>),
    Or(Vec<Node>),
    Not(Box<Node>),
    Leaf(Leaf),
}

/// `[field, op, value]`; dotted paths become `field any [rest...]`.
#[derive(Debug, Clone)]
pub struct Leaf {
    pub field: String,
    pub op: Op,
    pub value: Value,
    /// Sub-domain on the comodel, for `any` / `not any`.
    pub sub: Option<Box<Node>>,
}

enum Token {
    And,
    Or,
    Not,
    Term(Value),
}

fn is_op_token(v: &Value) -> Option<Token> {
    match v.as_str() {
        Some("&") => Some(Token::And),
        Some("|") => Some(Token::Or),
        Some("!") => Some(Token::Not),
        _ => None,
    }
}

/// Longest domain accepted (deeper trees would exhaust the stack, where
/// Python raises RecursionError).
const MAX_TOKENS: usize = 2000;

/// Parses and validates a domain for `model`.
pub fn parse(store: &Store, model: &str, domain: &Value) -> OResult<Node> {
    let items: Vec<Value> = match domain {
        Value::Null | Value::Bool(false) => return Ok(Node::True),
        Value::Array(items) => items.clone(),
        Value::String(s) => s.chars().map(|c| json!(c.to_string())).collect(),
        Value::Object(map) => map.keys().map(|k| json!(k)).collect(),
        other => return Err(type_error(format!("'{}' object is not iterable", py_type(other)))),
    };
    // Odoo's normalize_domain: count the expected terms, add implicit '&'.
    let mut tokens: Vec<Token> = Vec::new();
    let mut expected: i64 = 1;
    for item in items {
        if expected == 0 {
            tokens.insert(0, Token::And);
            expected = 1;
        }
        match is_op_token(&item) {
            Some(Token::Not) => tokens.push(Token::Not),
            Some(tok) => {
                expected += 1;
                tokens.push(tok);
            }
            None => {
                expected -= 1;
                tokens.push(Token::Term(item));
            }
        }
    }
    if tokens.is_empty() {
        return Ok(Node::True);
    }
    if tokens.len() > MAX_TOKENS {
        return Err(crate::errors::OdooError::new(
            crate::errors::Kind::RecursionError,
            "maximum recursion depth exceeded",
        ));
    }
    if expected != 0 {
        return Err(value_error(format!("Domain {} is syntactically not correct.", py_repr(domain))));
    }
    let mut pos = 0;
    build(store, model, &tokens, &mut pos)
}

fn build(store: &Store, model: &str, tokens: &[Token], pos: &mut usize) -> OResult<Node> {
    let Some(token) = tokens.get(*pos) else {
        return Ok(Node::True);
    };
    *pos += 1;
    Ok(match token {
        Token::And => {
            let a = build(store, model, tokens, pos)?;
            let b = build(store, model, tokens, pos)?;
            Node::And(vec![a, b])
        }
        Token::Or => {
            let a = build(store, model, tokens, pos)?;
            let b = build(store, model, tokens, pos)?;
            Node::Or(vec![a, b])
        }
        Token::Not => Node::Not(Box::new(build(store, model, tokens, pos)?)),
        Token::Term(item) => term(store, model, item)?,
    })
}

fn unpack_error(n: usize) -> crate::errors::OdooError {
    if n > 3 {
        value_error("too many values to unpack (expected 3)")
    } else {
        value_error(format!("not enough values to unpack (expected 3, got {})", n))
    }
}

fn invalid_item(item: &Value) -> crate::errors::OdooError {
    value_error(format!("Domain() invalid item in domain: {}", py_repr(item)))
}

/// Parses one term of a domain into a leaf (or a constant).
fn term(store: &Store, model: &str, item: &Value) -> OResult<Node> {
    let v19 = store.version == OdooVersion::V19;
    let parts: Vec<Value> = match item {
        Value::Array(parts) if parts.len() == 3 => parts.clone(),
        Value::Array(parts) => return Err(if v19 { invalid_item(item) } else { unpack_error(parts.len()) }),
        Value::String(s) => {
            let chars: Vec<Value> = s.chars().map(|c| json!(c.to_string())).collect();
            if v19 || chars.len() != 3 {
                return Err(if v19 { invalid_item(item) } else { unpack_error(chars.len()) });
            }
            chars
        }
        other if v19 => return Err(invalid_item(other)),
        other => return Err(type_error(format!("cannot unpack non-iterable {} object", py_type(other)))),
    };
    leaf(store, model, &parts[0], &parts[1], &parts[2])
}

fn leaf_repr(left: &Value, op: &Value, right: &Value) -> String {
    py_tuple(&[left.clone(), op.clone(), right.clone()])
}

fn bad_operator(v19: bool, repr: &str) -> crate::errors::OdooError {
    if v19 {
        value_error(format!("Invalid operator in condition {}", repr))
    } else {
        value_error(format!("Invalid leaf {}", repr))
    }
}

fn bad_field(v19: bool, model: &str, path: &str, repr: &str) -> crate::errors::OdooError {
    let word = if v19 { "condition" } else { "leaf" };
    value_error(format!("Invalid field {}.{} in {} {}", model, path, word, repr))
}

fn leaf(store: &Store, model: &str, left: &Value, op_v: &Value, right: &Value) -> OResult<Node> {
    let v19 = store.version == OdooVersion::V19;
    let repr = leaf_repr(left, op_v, right);
    let op = op_v.as_str().and_then(Op::parse);
    if let Some(n) = left.as_i64() {
        if (n == 1 || n == 0) && op_v.as_str() == Some("=") && right.as_i64() == Some(1) {
            return Ok(if n == 1 { Node::True } else { Node::False });
        }
    }
    let Some(op) = op else {
        return Err(bad_operator(v19, &repr));
    };
    let Some(path) = left.as_str() else {
        return Err(bad_operator(v19, &repr));
    };
    let (first, rest) = match path.split_once('.') {
        Some((a, b)) => (a, Some(b)),
        None => (path, None),
    };
    let Some(m) = store.model(model) else {
        return Ok(Node::False);
    };
    let Some(def) = m.field(first) else {
        return Err(bad_field(v19, model, first, &repr));
    };
    let comodel = def.relation.clone();
    if let Some(rest) = rest {
        if !def.ftype.is_relational() {
            return Err(bad_field(v19, model, path, &repr));
        }
        let sub = match comodel.as_deref().filter(|c| store.model(c).is_some()) {
            Some(c) => leaf(store, c, &json!(rest), op_v, right)?,
            None => Node::False,
        };
        return Ok(Node::Leaf(Leaf {
            field: first.to_string(),
            op: Op::Any,
            value: Value::Null,
            sub: Some(Box::new(sub)),
        }));
    }
    let mut sub = None;
    if matches!(op, Op::Any | Op::NotAny) {
        if !def.ftype.is_relational() {
            return Err(bad_operator(v19, &repr));
        }
        sub = Some(Box::new(match comodel.as_deref().filter(|c| store.model(c).is_some()) {
            Some(c) => parse(store, c, right)?,
            None => Node::False,
        }));
    }
    Ok(Node::Leaf(Leaf { field: first.to_string(), op, value: right.clone(), sub }))
}

/// Whether a domain's top level has a leaf on `active` (disables active_test).
pub fn mentions_active(domain: &Value) -> bool {
    domain.as_array().is_some_and(|items| {
        items
            .iter()
            .any(|i| i.get(0).and_then(Value::as_str).is_some_and(|f| f == "active" || f.starts_with("active.")))
    })
}

/// A domain with its implicit ANDs made explicit (`['&', a, b]`).
pub fn normalize(domain: &Value) -> Vec<Value> {
    let Some(items) = domain.as_array() else {
        return Vec::new();
    };
    let mut out: Vec<Value> = Vec::new();
    let mut expected = 1i64;
    for item in items {
        if expected == 0 {
            out.insert(0, json!("&"));
            expected = 1;
        }
        match item.as_str() {
            Some("&") | Some("|") => expected += 1,
            Some("!") => {}
            _ => expected -= 1,
        }
        out.push(item.clone());
    }
    out
}

/// `expression.AND`: the conjunction of normalized domains.
pub fn and(domains: Vec<Vec<Value>>) -> Vec<Value> {
    let parts: Vec<Vec<Value>> = domains.into_iter().filter(|d| !d.is_empty()).collect();
    let mut out: Vec<Value> = Vec::new();
    for _ in 1..parts.len() {
        out.push(json!("&"));
    }
    for p in parts {
        out.extend(p);
    }
    out
}
