//! Rendering helpers: `Out`, a JSON value whose objects keep their key order
//! (so answers come out in Odoo's order: `id` first, requested fields next,
//! error data in the per-version order), and `py_repr`, Python's `repr()` of a
//! JSON value, used to build Odoo's error texts (`('name', '~~', 'x')`).

use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};
use serde_json::Value;

/// A JSON value for answers. Objects are ordered lists of pairs.
#[derive(Debug, Clone, PartialEq)]
pub enum Out {
    V(Value),
    Obj(Vec<(String, Out)>),
    Arr(Vec<Out>),
}

impl Out {
    /// An ordered object from `(&str, Out)` pairs.
    pub fn obj<K: Into<String>>(pairs: Vec<(K, Out)>) -> Out {
        Out::Obj(pairs.into_iter().map(|(k, v)| (k.into(), v)).collect())
    }

    /// Serializes to a compact JSON string (never fails for these types).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_else(|_| "null".to_string())
    }

    /// Converts to a plain `serde_json::Value` (key order is lost).
    pub fn to_value(&self) -> Value {
        match self {
            Out::V(v) => v.clone(),
            Out::Arr(items) => Value::Array(items.iter().map(Out::to_value).collect()),
            Out::Obj(pairs) => Value::Object(pairs.iter().map(|(k, v)| (k.clone(), v.to_value())).collect()),
        }
    }
}

impl From<Value> for Out {
    fn from(v: Value) -> Out {
        Out::V(v)
    }
}

impl Serialize for Out {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Out::V(v) => v.serialize(s),
            Out::Arr(items) => {
                let mut seq = s.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Out::Obj(pairs) => {
                let mut map = s.serialize_map(Some(pairs.len()))?;
                for (k, v) in pairs {
                    map.serialize_entry(k, v)?;
                }
                map.end()
            }
        }
    }
}

/// Python `repr()` of a string.
pub fn py_str(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// Python `repr()` of a float.
pub fn py_float(f: f64) -> String {
    if f.is_nan() {
        "nan".to_string()
    } else if f.is_infinite() {
        if f > 0.0 {
            "inf".to_string()
        } else {
            "-inf".to_string()
        }
    } else if f.fract() == 0.0 && f.abs() < 1e16 {
        format!("{:.1}", f)
    } else {
        format!("{}", f)
    }
}

/// Python `repr()` of a JSON value (lists for arrays, dicts for objects).
pub fn py_repr(v: &Value) -> String {
    match v {
        Value::Null => "None".to_string(),
        Value::Bool(true) => "True".to_string(),
        Value::Bool(false) => "False".to_string(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.to_string()
            } else if let Some(u) = n.as_u64() {
                u.to_string()
            } else {
                py_float(n.as_f64().unwrap_or(0.0))
            }
        }
        Value::String(s) => py_str(s),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(py_repr).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(map) => {
            let parts: Vec<String> = map.iter().map(|(k, v)| format!("{}: {}", py_str(k), py_repr(v))).collect();
            format!("{{{}}}", parts.join(", "))
        }
    }
}

/// Python `repr()` of a tuple built from JSON values: `('a', '=', 1)`.
pub fn py_tuple(items: &[Value]) -> String {
    let parts: Vec<String> = items.iter().map(py_repr).collect();
    if parts.len() == 1 {
        format!("({},)", parts[0])
    } else {
        format!("({})", parts.join(", "))
    }
}

/// The Python type name of a JSON value (`int`, `str`, `list`, ...).
pub fn py_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "NoneType",
        Value::Bool(_) => "bool",
        Value::Number(n) if n.is_f64() => "float",
        Value::Number(_) => "int",
        Value::String(_) => "str",
        Value::Array(_) => "list",
        Value::Object(_) => "dict",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn repr_matches_python() {
        assert_eq!(py_tuple(&[json!("name"), json!("~~"), json!("x")]), "('name', '~~', 'x')");
        assert_eq!(py_repr(&json!([1, true, null, 2.0])), "[1, True, None, 2.0]");
        assert_eq!(py_str("it's"), "\"it's\"");
        assert_eq!(py_repr(&json!({"a": "b"})), "{'a': 'b'}");
        assert_eq!(py_tuple(&[json!(44)]), "(44,)");
    }

    #[test]
    fn out_keeps_order() {
        let o = Out::obj(vec![("z", Out::V(json!(1))), ("a", Out::V(json!(2)))]);
        assert_eq!(o.to_json(), r#"{"z":1,"a":2}"#);
    }
}
