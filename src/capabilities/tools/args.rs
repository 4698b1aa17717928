//! Argument readers that say exactly what is wrong, so the model can fix its call.

use crate::capabilities::call::ToolError;
use serde_json::{Map, Value};

pub fn required_str<'a>(args: &'a Map<String, Value>, name: &str) -> Result<&'a str, ToolError> {
    match args.get(name) {
        Some(Value::String(s)) if !s.trim().is_empty() => Ok(s.trim()),
        Some(Value::String(_)) | None | Some(Value::Null) => Err(ToolError::Invalid(format!("'{name}' is required"))),
        Some(_) => Err(ToolError::Invalid(format!("'{name}' must be a string"))),
    }
}

pub fn optional_str<'a>(args: &'a Map<String, Value>, name: &str) -> Result<Option<&'a str>, ToolError> {
    match args.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim())),
        Some(_) => Err(ToolError::Invalid(format!("'{name}' must be a string"))),
    }
}

pub fn optional_string_list(
    args: &Map<String, Value>,
    name: &str,
    max: usize,
) -> Result<Option<Vec<String>>, ToolError> {
    match args.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => {
            if items.len() > max {
                return Err(ToolError::Invalid(format!("'{name}' may hold at most {max} entries")));
            }
            items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| ToolError::Invalid(format!("'{name}' must be a list of strings")))
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some)
        }
        Some(_) => Err(ToolError::Invalid(format!("'{name}' must be a list of strings"))),
    }
}

pub fn optional_int(args: &Map<String, Value>, name: &str, min: i64, max: i64) -> Result<Option<i64>, ToolError> {
    match args.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => match v.as_i64().or_else(|| v.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)) {
            Some(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ => Err(ToolError::Invalid(format!("'{name}' must be an integer from {min} to {max}"))),
        },
    }
}

pub fn optional_bool(args: &Map<String, Value>, name: &str) -> Result<Option<bool>, ToolError> {
    match args.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(ToolError::Invalid(format!("'{name}' must be true or false"))),
    }
}

/// `ids`: 1 to `max` positive integer record ids, duplicates removed, order kept.
pub fn record_ids(args: &Map<String, Value>, max: usize) -> Result<Vec<i64>, ToolError> {
    let bad = || ToolError::Invalid(format!("'ids' must be a list of 1 to {max} positive integer record ids"));
    let items = args.get("ids").and_then(Value::as_array).ok_or_else(bad)?;
    if items.is_empty() || items.len() > max {
        return Err(bad());
    }
    let mut ids = Vec::with_capacity(items.len());
    for item in items {
        let id = item.as_i64().filter(|i| *i > 0).ok_or_else(bad)?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    Ok(ids)
}

/// Refuses arguments a tool does not know, so a typo is not silently ignored.
pub fn reject_unknown(args: &Map<String, Value>, known: &[&str]) -> Result<(), ToolError> {
    match args.keys().find(|k| !known.contains(&k.as_str())) {
        Some(k) if known.is_empty() => Err(ToolError::Invalid(format!(
            "unknown argument '{}'; this tool takes no arguments",
            crate::text::truncate(k, 60)
        ))),
        Some(k) => Err(ToolError::Invalid(format!(
            "unknown argument '{}'; expected {}",
            crate::text::truncate(k, 60),
            known.join(", ")
        ))),
        None => Ok(()),
    }
}
