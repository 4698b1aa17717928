//! `ToolCtx::schema`: a model's fields as the key sees them, the cached copy (`schemas`) less what the
//! model's field policy hides. Apart from `call.rs` because `schemas` takes its context through this
//! registry (`super::ToolCtx`): the context importing it back would make a circle.

use super::schemas;
use crate::capabilities::call::{ToolCtx, ToolError};
use crate::odoo::schema::ModelSchema;
use crate::odoo::OdooClient;
use crate::policy::fields::Restrict;
use std::rc::Rc;

impl ToolCtx<'_> {
    /// The model's fields as this key sees them: what its Odoo user sees (cached), less what the
    /// model's field policy hides.
    pub async fn schema(&self, client: &OdooClient<'_>, model: &str) -> Result<Rc<ModelSchema>, ToolError> {
        let auth = self.req.auth;
        let calls_before = client.calls();
        let mut schema = schemas::fields(self, client, model).await?;
        if let Some(policy) = auth.permissions.field_policy(model) {
            schema = Rc::new(schema.restricted(model, policy));
        }
        let source = if client.calls() > calls_before { "from Odoo" } else { "from the cache" };
        self.log("debug", || format!("{} fields of {model} {source}", schema.fields.len()));
        Ok(schema)
    }
}
