//! Deserialising a parsed body into a typed struct. A `Node` is a JSON value with its path in the
//! body; as a serde `Deserializer` it refuses, for every struct at any depth, a key the struct does
//! not have (with the closest known name), and tags each error with the path of the value it is about.
//! Messages are built from what was expected, never from the value that was sent.

use super::parse::join;
use super::{closest, BodyError};
use serde::de::{self, DeserializeSeed, Expected, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::fmt;

pub struct Node {
    value: Value,
    path: String,
}

impl Node {
    pub fn root(map: Map<String, Value>) -> Node {
        Node { value: Value::Object(map), path: String::new() }
    }
}

#[derive(Debug)]
pub struct DeError {
    /// The path of the value the error is about; set by the innermost `Node` that sees it.
    path: Option<String>,
    kind: Kind,
}

#[derive(Debug)]
enum Kind {
    Missing(String),
    Unknown { field: String, suggestion: Option<&'static str>, known: &'static [&'static str] },
    Reason(String),
}

impl DeError {
    fn reason(reason: String) -> DeError {
        DeError { path: None, kind: Kind::Reason(reason) }
    }

    fn at(mut self, path: &str) -> DeError {
        if self.path.is_none() {
            self.path = Some(path.to_string());
        }
        self
    }

    pub fn into_body_error(self) -> BodyError {
        let path = self.path.unwrap_or_default();
        match self.kind {
            Kind::Missing(field) => BodyError::Missing(join(&path, &field)),
            Kind::Unknown { field, suggestion, known } => {
                BodyError::Unknown { field: join(&path, &field), suggestion, known }
            }
            Kind::Reason(reason) => {
                BodyError::Invalid { field: if path.is_empty() { "body".into() } else { path }, reason }
            }
        }
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Missing(field) => write!(f, "'{field}' is required"),
            Kind::Unknown { field, .. } => write!(f, "unknown field '{field}'"),
            Kind::Reason(r) => f.write_str(r),
        }
    }
}

impl std::error::Error for DeError {}

/// serde's names for what it expected, in words an administrator reads.
fn plain(expected: &dyn Expected) -> String {
    let e = expected.to_string();
    match e.as_str() {
        "a boolean" => "true or false".into(),
        "i8" | "i16" | "i32" | "i64" | "u8" | "u16" | "u32" | "u64" => "an integer".into(),
        "a sequence" => "a list".into(),
        _ => e,
    }
}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> DeError {
        DeError::reason(msg.to_string())
    }

    fn invalid_type(_unexpected: de::Unexpected, expected: &dyn Expected) -> DeError {
        DeError::reason(format!("must be {}", plain(expected)))
    }

    fn invalid_value(_unexpected: de::Unexpected, expected: &dyn Expected) -> DeError {
        DeError::reason(format!("must be {}", plain(expected)))
    }

    fn invalid_length(_len: usize, expected: &dyn Expected) -> DeError {
        DeError::reason(format!("must be {}", plain(expected)))
    }

    fn unknown_variant(_variant: &str, expected: &'static [&'static str]) -> DeError {
        let names: Vec<String> = expected.iter().map(|v| format!("'{v}'")).collect();
        DeError::reason(format!("must be one of {}", names.join(", ")))
    }

    fn unknown_field(field: &str, expected: &'static [&'static str]) -> DeError {
        DeError {
            path: None,
            kind: Kind::Unknown { field: field.to_string(), suggestion: closest(field, expected), known: expected },
        }
    }

    fn missing_field(field: &'static str) -> DeError {
        DeError { path: None, kind: Kind::Missing(field.to_string()) }
    }
}

impl<'de> de::Deserializer<'de> for Node {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let path = self.path;
        let result = match self.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(b),
            Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
                (Some(u), _, _) => visitor.visit_u64(u),
                (_, Some(i), _) => visitor.visit_i64(i),
                (_, _, f) => visitor.visit_f64(f.unwrap_or(f64::NAN)),
            },
            Value::String(s) => visitor.visit_string(s),
            Value::Array(items) => visitor.visit_seq(Items { iter: items.into_iter().enumerate(), path: path.clone() }),
            Value::Object(map) => {
                visitor.visit_map(Entries { iter: map.into_iter(), path: path.clone(), pending: None })
            }
        };
        result.map_err(|e| e.at(&path))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.value {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let Node { value, path } = self;
        let map = match value {
            Value::Object(map) => map,
            // serde's derived structs also take a list, by position: `[null, ["read"]]` would be a scope.
            other => {
                let unexpected = match &other {
                    Value::Array(_) => de::Unexpected::Seq,
                    Value::Null => de::Unexpected::Unit,
                    Value::Bool(b) => de::Unexpected::Bool(*b),
                    Value::Number(_) => de::Unexpected::Other("a number"),
                    Value::String(_) => de::Unexpected::Other("a string"),
                    Value::Object(_) => de::Unexpected::Map,
                };
                return Err(<DeError as de::Error>::invalid_type(unexpected, &visitor).at(&path));
            }
        };
        if let Some(field) = map.keys().find(|k| !fields.contains(&k.as_str())) {
            return Err(DeError {
                kind: Kind::Unknown { field: field.clone(), suggestion: closest(field, fields), known: fields },
                path: Some(path),
            });
        }
        // What `deserialize_any` does with an object, called directly: through `deserialize_any`, each
        // struct's derived `visit_seq` (the list by position, refused above) would be in the bundle too.
        visitor.visit_map(Entries { iter: map.into_iter(), path: path.clone(), pending: None }).map_err(|e| e.at(&path))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.value {
            Value::String(s) => {
                let path = self.path;
                visitor.visit_enum(IntoDeserializer::<DeError>::into_deserializer(s)).map_err(|e| e.at(&path))
            }
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf unit
        unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

struct Items {
    iter: std::iter::Enumerate<std::vec::IntoIter<Value>>,
    path: String,
}

impl Items {
    /// The next item as a node at its path, and the path (to tag an error with): the same for every
    /// item type, so not in each `next_element_seed`.
    #[inline(never)]
    fn next_node(&mut self) -> Option<(Node, String)> {
        let (i, value) = self.iter.next()?;
        let path = format!("{}[{i}]", self.path);
        Some((Node { value, path: path.clone() }, path))
    }
}

impl<'de> SeqAccess<'de> for Items {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, DeError> {
        match self.next_node() {
            None => Ok(None),
            Some((node, path)) => seed.deserialize(node).map(Some).map_err(|e| e.at(&path)),
        }
    }
}

struct Entries {
    iter: serde_json::map::IntoIter,
    path: String,
    pending: Option<(String, Value)>,
}

impl<'de> MapAccess<'de> for Entries {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DeError> {
        match self.iter.next() {
            None => Ok(None),
            Some((key, value)) => {
                let k = seed.deserialize(IntoDeserializer::<DeError>::into_deserializer(key.clone()))?;
                self.pending = Some((key, value));
                Ok(Some(k))
            }
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        let (node, path) = self.next_node()?;
        seed.deserialize(node).map_err(|e| e.at(&path))
    }
}

impl Entries {
    /// The pending entry's value as a node at its path, and the path (to tag an error with): the same
    /// for every value type, so not in each `next_value_seed`.
    #[inline(never)]
    fn next_node(&mut self) -> Result<(Node, String), DeError> {
        let (key, value) = self.pending.take().ok_or_else(|| DeError::reason("has a value without its key".into()))?;
        let path = join(&self.path, &key);
        Ok((Node { value, path: path.clone() }, path))
    }
}
