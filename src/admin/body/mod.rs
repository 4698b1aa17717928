//! The one reader of admin API bodies, so that a typo never widens anything. A body is parsed once
//! (`parse.rs`: a key twice in any object is refused, where serde_json would keep the last), then
//! deserialised into the endpoint's typed struct (`de.rs`: an unknown field at any depth is refused,
//! naming the closest known one; a refusal names the field it is about). `types.rs` holds the value
//! types bodies share (checked text, secrets, "absent / null / value").
//!
//! Errors never echo a value: a misplaced API key must not come back in a message or a log line.

mod de;
mod parse;
mod types;

pub use types::{Patch, Secret, Text};

use serde::de::DeserializeOwned;

/// Admin bodies are small; anything larger is refused before parsing.
pub const MAX_BYTES: usize = 64 * 1024;

/// Why a body was refused.
#[derive(Debug, Clone, PartialEq)]
pub enum BodyError {
    TooLarge,
    NotJson(String),
    NotObject,
    /// A route that takes no body got one that is not empty.
    NoBodyExpected,
    /// The same key twice in one object (its dotted path).
    Duplicate(String),
    Unknown {
        field: String,
        suggestion: Option<&'static str>,
        known: &'static [&'static str],
    },
    Missing(String),
    /// `field` (a dotted path) broke a rule; `reason` reads after the field's name.
    Invalid {
        field: String,
        reason: String,
    },
}

impl BodyError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> BodyError {
        BodyError::Invalid { field: field.into(), reason: reason.into() }
    }
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyError::TooLarge => write!(f, "the body is larger than {} KiB", MAX_BYTES / 1024),
            BodyError::NotJson(e) => write!(f, "the body is not valid JSON: {e}"),
            BodyError::NotObject => write!(f, "the body must be a JSON object"),
            BodyError::NoBodyExpected => {
                write!(f, "this request takes no body (send none, or {{}})")
            }
            BodyError::Duplicate(field) => write!(f, "'{}' appears more than once; send each field once", shown(field)),
            BodyError::Unknown { field, suggestion: Some(s), .. } => {
                write!(f, "unknown field '{}': did you mean '{s}'?", shown(field))
            }
            BodyError::Unknown { field, known, .. } => {
                write!(f, "unknown field '{}'; the fields here are: {}", shown(field), known.join(", "))
            }
            BodyError::Missing(field) => write!(f, "'{}' is required", shown(field)),
            BodyError::Invalid { field, reason } => write!(f, "'{}' {reason}", shown(field)),
        }
    }
}

/// A field name as the client sent it, cut short and without control characters.
fn shown(field: &str) -> String {
    crate::text::truncate(field, 80).chars().map(|c| if c.is_control() { '?' } else { c }).collect()
}

/// Reads a body into `T`: size, JSON, no duplicated keys, an object, no unknown fields, typed values.
pub fn read<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, BodyError> {
    T::deserialize(de::Node::root(parse::object(bytes)?)).map_err(de::DeError::into_body_error)
}

/// For routes that take no body: nothing, or `{}`.
pub fn none(bytes: &[u8]) -> Result<(), BodyError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(());
    }
    match parse::object(bytes)?.is_empty() {
        true => Ok(()),
        false => Err(BodyError::NoBodyExpected),
    }
}

/// The known name closest to `word` (case aside): within a few edits, or one that starts with it.
pub fn closest(word: &str, known: &[&'static str]) -> Option<&'static str> {
    let w = word.to_ascii_lowercase();
    if w.is_empty() || w.len() > 64 {
        return None;
    }
    known
        .iter()
        .filter_map(|k| {
            let d = edit_distance(&w, k);
            let near = d < w.len().min(k.len()) && d <= (w.len().max(k.len()) / 3).max(2);
            let prefix = w.len() >= 3 && (k.starts_with(&w) || w.starts_with(k));
            (near || prefix).then_some((if near { d } else { k.len() }, *k))
        })
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests;
