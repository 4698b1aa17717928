//! The one JSON parser of request bodies (`/mcp` messages and admin API bodies): `serde_json`'s, except
//! that an object naming the same key twice, at any depth, is refused. JSON (RFC 8259 §4) leaves
//! duplicated names undefined and parsers disagree (`serde_json` keeps the last, others the first), so a
//! message like `{"method": "tools/list", "method": "tools/call"}` could mean one thing to a proxy or an
//! audit reader and another to us, and an admin body with `"scope"` twice would silently take the last.
//! We refuse it rather than pick.

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::cell::RefCell;
use std::fmt;

/// Parses `body` as JSON, refusing duplicated object keys. The error reads like `serde_json`'s own
/// (`duplicate key "id" at line 1 column 30`), so a client is told where.
pub fn parse(body: &[u8]) -> Result<Value, serde_json::Error> {
    parse_locating(body).map_err(|(e, _)| e)
}

/// As [`parse`], and for a duplicated key also its path (`scope.models`, `a[1].b`).
pub fn parse_locating(body: &[u8]) -> Result<Value, (serde_json::Error, Option<String>)> {
    let duplicate = RefCell::new(None);
    let mut de = serde_json::Deserializer::from_slice(body);
    let parsed =
        Strict { duplicate: &duplicate, path: String::new() }.deserialize(&mut de).and_then(|v| de.end().map(|()| v));
    parsed.map_err(|e| (e, duplicate.into_inner()))
}

/// `parent.key`, or `key` at the top.
pub fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

/// A `Value` seed that refuses duplicated keys in every object it builds, nested ones included (each
/// nested value is deserialised through `Strict` again, within `serde_json`'s own depth limit), and
/// records where the duplicate was.
struct Strict<'a> {
    duplicate: &'a RefCell<Option<String>>,
    path: String,
}

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // JSON has no NaN or infinity, so this never yields Null for a parsed number.
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        self.deserialize(d)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq
            .next_element_seed(Strict { duplicate: self.duplicate, path: format!("{}[{}]", self.path, items.len()) })?
        {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let path = join(&self.path, &key);
            if object.contains_key(&key) {
                *self.duplicate.borrow_mut() = Some(path);
                return Err(de::Error::custom(format_args!("duplicate key \"{}\"", crate::text::truncate(&key, 64))));
            }
            let value = map.next_value_seed(Strict { duplicate: self.duplicate, path })?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_what_serde_json_parses() {
        for text in [
            r#"{"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":[1,-2,3.5,"x",null,true,{}]}}"#,
            r#"[{"a":1},{"a":2}]"#,
            r#""text""#,
            "12345678901234567890",
            "-0.0",
            "1e300",
            r#"{"a":{"a":{"a":1}}}"#,
        ] {
            let want: Value = serde_json::from_str(text).unwrap();
            assert_eq!(parse(text.as_bytes()).unwrap(), want, "{text}");
        }
    }

    #[test]
    fn refuses_duplicated_keys_at_any_depth() {
        for text in [
            r#"{"id":1,"id":2}"#,
            r#"{"jsonrpc":"2.0","id":1,"method":"tools/list","method":"tools/call"}"#,
            r#"{"params":{"name":"a","arguments":{"model":"x","model":"y"}}}"#,
            r#"[{"ok":1},{"dup":1,"dup":1}]"#,
        ] {
            let e = parse(text.as_bytes()).unwrap_err().to_string();
            assert!(e.starts_with("duplicate key \""), "{text}: {e}");
            assert!(e.contains("line 1 column"), "{text}: {e}");
        }
        // Same name in different objects is not a duplicate; escapes are compared decoded.
        assert!(parse(br#"{"a":{"b":1},"b":{"a":2}}"#).is_ok());
        assert!(parse(br#"{"a":1,"\u0061":2}"#).is_err());
        let (_, path) = parse_locating(br#"{"scope":{"models":[{"x":1,"x":2}]}}"#).unwrap_err();
        assert_eq!(path.as_deref(), Some("scope.models[0].x"));
        let (_, path) = parse_locating(b"{").unwrap_err();
        assert_eq!(path, None, "a syntax error is not a duplicate");
    }

    #[test]
    fn keeps_serde_json_limits_and_errors() {
        assert!(parse(b"{} x").is_err(), "trailing characters");
        assert!(parse(b"").is_err());
        let deep = "[".repeat(200) + &"]".repeat(200);
        assert!(parse(deep.as_bytes()).is_err(), "recursion limit");
        assert_eq!(parse(b" {\"a\" : 1 } ").unwrap(), json!({"a": 1}));
    }
}
