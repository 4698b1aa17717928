//! Where a tool gets a model's fields, cheapest first: this isolate's copy; the shared D1 cache (its
//! row for the model a request names came with the authentication batch, any other model is one
//! lookup); then one `fields_get` call to Odoo, whose answer is written to D1 after the response.
//! A copy this isolate holds is re-checked against D1 on every request that names its model (the
//! probe carries no JSON when the copy is current), and after `MEMORY_TTL_MS` otherwise; so an
//! administrator's clearing of the cache reaches every isolate.

use super::{ToolCtx, ToolError};
use crate::odoo::schema::{self, Held, ModelSchema, MEMORY_TTL_MS};
use crate::odoo::OdooClient;
use crate::policy::auth::schema_memory_key;
use crate::store::schema_cache::{self, CachedFetch};
use std::rc::Rc;

pub async fn fields(ctx: &ToolCtx<'_>, client: &OdooClient<'_>, model: &str) -> Result<Rc<ModelSchema>, ToolError> {
    let auth = ctx.req.auth;
    let conn = &auth.connection;
    let now = ctx.req.svc.now;
    let key = schema_memory_key(&auth.key_hash, model);
    let mine = schema::held(&key).filter(|h| h.major == conn.major && h.minor == conn.minor);
    let shared: Option<CachedFetch> = match auth.schema_probe.as_ref().filter(|p| p.model == model) {
        Some(probe) => probe.row.clone(),
        None => {
            if let Some(h) = mine.as_ref().filter(|h| now - h.checked_at < MEMORY_TTL_MS) {
                return Ok(h.schema.clone());
            }
            // A store failure only costs an Odoo call.
            let held = mine.as_ref().map(|h| h.fetched_at);
            schema_cache::lookup(
                ctx.req.svc.db,
                auth.connection_id,
                conn.major,
                conn.minor,
                &auth.odoo_login,
                model,
                held,
            )
            .await
            .unwrap_or(None)
        }
    };
    let hold = |fetched_at: i64, schema: Rc<ModelSchema>| {
        schema::hold(key.clone(), Held { major: conn.major, minor: conn.minor, fetched_at, checked_at: now, schema });
    };
    if let Some(row) = shared.filter(|r| r.is_fresh(now)) {
        let schema = match (&row.fields_json, &mine) {
            (None, Some(h)) if h.fetched_at == row.fetched_at => Some(h.schema.clone()),
            (Some(json), _) => {
                serde_json::from_str(json).ok().and_then(|v| schema::parse_fields_get(&v).ok()).map(Rc::new)
            }
            _ => None,
        };
        if let Some(schema) = schema {
            hold(row.fetched_at, schema.clone());
            return Ok(schema);
        }
    }
    let (json, schema) = schema::fetch(client, model).await?;
    let schema = Rc::new(schema);
    hold(now, schema.clone());
    ctx.req.defer(schema_cache::store(auth.connection_id, conn.major, conn.minor, &auth.odoo_login, model, &json, now));
    Ok(schema)
}
