//! Where a tool gets a model's fields: the schema cache's lookup order (`store::schema_cache::fields`:
//! this isolate, the D1 row that came with authentication, D1, then Odoo), with a fetch from Odoo shared
//! through D1 after the response.

use super::{ToolCtx, ToolError};
use crate::odoo::schema::ModelSchema;
use crate::odoo::OdooClient;
use crate::store::schema_cache::{self, Owner};
use std::rc::Rc;

pub async fn fields(ctx: &ToolCtx<'_>, client: &OdooClient<'_>, model: &str) -> Result<Rc<ModelSchema>, ToolError> {
    let auth = ctx.req.auth;
    let owner = Owner {
        key_hash: &auth.key_hash,
        connection_id: auth.connection_id,
        conn: &auth.connection,
        login: &auth.odoo_login,
    };
    let (schema, write) =
        schema_cache::fields(ctx.req.svc.db, client, &owner, auth.schema_probe.as_ref(), model, ctx.req.svc.now)
            .await?;
    if let Some(write) = write {
        ctx.req.defer(write);
    }
    Ok(schema)
}
