//! What the chatter tools share: the record argument, and the check that a model has a chatter
//! (inherits `mail.thread`, seen as its `message_ids` field) before any message call reaches Odoo.

use crate::capabilities::call::{ToolCtx, ToolError};
use crate::odoo::schema::ModelSchema;
use crate::odoo::OdooClient;
use crate::policy::fields::Restrict;
use serde_json::{Map, Value};
use std::rc::Rc;

/// The `id` argument: one positive record id.
pub fn record_id(a: &Map<String, Value>) -> Result<i64, ToolError> {
    match a.get("id") {
        None | Some(Value::Null) => Err(ToolError::Invalid("'id' is required".into())),
        Some(v) => v
            .as_i64()
            .or_else(|| v.as_f64().filter(|f| f.fract() == 0.0 && *f >= 1.0 && *f < 9.0e15).map(|f| f as i64))
            .filter(|id| *id > 0)
            .ok_or_else(|| ToolError::Invalid("'id' must be a positive integer record id".into())),
    }
}

/// Refuses models without a chatter. Checked on the schema this key sees, so it is usually free (the
/// schema cache) and a field policy that hides `message_ids` hides the chatter too. Returns that schema.
pub async fn require_chatter(
    ctx: &ToolCtx<'_>,
    client: &OdooClient<'_>,
    model: &str,
) -> Result<Rc<ModelSchema>, ToolError> {
    let schema = ctx.schema(client, model).await?;
    if schema.fields.contains_key("message_ids") {
        return Ok(schema);
    }
    if schema.hidden.contains("message_ids") {
        return Err(ToolError::Denied(schema.denial(model, "message_ids")));
    }
    Err(ToolError::Invalid(format!(
        "'{model}' has no chatter (it does not inherit mail.thread, or this Odoo user cannot see its messages), \
         so there are no messages to post or read on its records"
    )))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn record_ids_are_positive_integers() {
        let id = |v: Value| record_id(json!({"id": v}).as_object().unwrap());
        assert_eq!(id(json!(7)).unwrap(), 7);
        assert_eq!(id(json!(7.0)).unwrap(), 7);
        for bad in [json!(0), json!(-3), json!(1.5), json!("7"), json!([7]), json!(1e300)] {
            assert!(id(bad.clone()).is_err(), "{bad}");
        }
        assert!(record_id(&Map::new()).is_err());
    }
}
