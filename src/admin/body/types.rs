//! Value types admin bodies share: checked text, secrets that never print, and "absent, null or a
//! value" for fields where null means something.

use serde::de::{self, Deserialize, Deserializer};
use std::fmt;

/// Text an administrator typed: trimmed, not empty, at most `MAX` characters, no control characters
/// (a line break or a bidirectional override in a label or a name would mislead whoever reads it).
#[derive(Clone, PartialEq)]
pub struct Text<const MAX: usize>(String);

impl<const MAX: usize> Text<MAX> {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

impl<const MAX: usize> fmt::Debug for Text<MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl<'de, const MAX: usize> Deserialize<'de> for Text<MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        checked(&s, MAX).map(|t| Text(t.to_string())).map_err(de::Error::custom)
    }
}

/// A credential (an Odoo API key): checked like `Text`, never shown by `Debug`.
#[derive(Clone, PartialEq)]
pub struct Secret<const MAX: usize>(String);

impl<const MAX: usize> Secret<MAX> {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl<const MAX: usize> fmt::Debug for Secret<MAX> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(…)")
    }
}

impl<'de, const MAX: usize> Deserialize<'de> for Secret<MAX> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        checked(&s, MAX).map(|t| Secret(t.to_string())).map_err(de::Error::custom)
    }
}

/// The text trimmed, or why it is refused (in words that follow the field's name).
pub fn checked(s: &str, max: usize) -> Result<&str, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("must not be empty".into());
    }
    if t.chars().count() > max {
        return Err(format!("is longer than {max} characters"));
    }
    if t.chars().any(is_forbidden) {
        return Err("must not contain control characters (line breaks, tabs, direction overrides)".into());
    }
    Ok(t)
}

fn is_forbidden(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A field where absence and `null` differ: absent leaves a value as it is, `null` clears it.
/// Use with `#[serde(default)]`.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Patch<T> {
    #[default]
    Absent,
    Null,
    Set(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(d)? {
            None => Patch::Null,
            Some(v) => Patch::Set(v),
        })
    }
}
