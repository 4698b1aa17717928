//! A method call as callers describe it, in signature order: what the client sends (`client.rs`) and
//! what the answer is checked against (`answer.rs`); its own module so that neither imports the other.

use serde_json::Value;

/// A method call in signature order.
pub struct Call<'p> {
    pub model: &'p str,
    pub method: &'p str,
    /// Record ids for record methods; `None` for `@api.model` methods.
    pub ids: Option<&'p [i64]>,
    pub params: Vec<(&'static str, Value)>,
    /// How many leading `params` go positionally over `/jsonrpc`.
    pub positional: usize,
}
