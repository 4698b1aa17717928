//! Parsing an admin body into a JSON object with the request bodies' one strict parser
//! (`http::strict_json`): a key that appears twice in any object is refused, naming where.

use super::{BodyError, MAX_BYTES};
use serde_json::{Map, Value};

pub use crate::http::strict_json::join;

/// The body as a JSON object.
pub fn object(bytes: &[u8]) -> Result<Map<String, Value>, BodyError> {
    if bytes.len() > MAX_BYTES {
        return Err(BodyError::TooLarge);
    }
    match crate::http::strict_json::parse_locating(bytes) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(BodyError::NotObject),
        Err((_, Some(path))) => Err(BodyError::Duplicate(path)),
        Err((e, None)) => Err(BodyError::NotJson(e.to_string())),
    }
}
