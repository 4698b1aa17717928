//! The schema cache, in one place: a model's fields (`odoo::schema`) kept in this isolate (`memory`)
//! and shared through D1 (`d1`), the probe that rides in the authentication batch, the order a request
//! looks in (this isolate, the D1 row that came with authentication, D1, then Odoo), the console's
//! copies, and clearing. Schemas are cached, records never are.
//!
//! A copy this isolate holds is re-checked against D1 on every request that names its model (the probe
//! carries no JSON when the copy is current), and after `MEMORY_TTL_MS` otherwise; so an administrator's
//! clearing of the cache reaches every isolate.

pub mod d1;
pub mod memory;

pub use d1::{from_row, lookup, probe, store, sweep, CachedFetch, TTL_MS};
pub use memory::{held, hold, invalidate_all, Held, MEMORY_TTL_MS};

use crate::odoo::schema::{self, ModelSchema};
use crate::odoo::{Connection, OdooClient, OdooError};
use crate::platform::{Db, Row, Stmt};
use crate::store::StoreError;
use std::rc::Rc;

/// What the authentication batch found in the shared schema cache for one model.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaProbe {
    pub model: String,
    /// `None`: no row for this connection, version and user.
    pub row: Option<CachedFetch>,
}

/// The probe of one model, before the batch it rides in: its statement, and the reading of its rows.
pub struct Probe {
    key_hash: String,
    model: String,
    /// The fetch time of the copy this isolate holds (its JSON is then not sent).
    held: Option<i64>,
}

impl Probe {
    pub fn new(key_hash: &str, model: &str) -> Probe {
        let held = held(&memory::key_of(key_hash, model)).map(|h| h.fetched_at);
        Probe { key_hash: key_hash.to_string(), model: model.to_string(), held }
    }

    pub fn statement(&self) -> Stmt {
        probe(&self.key_hash, &self.model, self.held)
    }

    /// What the statement's rows (`None`: it did not run) say.
    pub fn read(self, rows: Option<&[Row]>) -> Result<SchemaProbe, StoreError> {
        let row = rows.and_then(|rows| rows.first()).map(from_row).transpose()?;
        Ok(SchemaProbe { model: self.model, row })
    }
}

/// Whose copies a request reads: the key's in this isolate, the connection's, version's and Odoo user's
/// in D1.
pub struct Owner<'a> {
    pub key_hash: &'a str,
    pub connection_id: i64,
    pub conn: &'a Connection,
    pub login: &'a str,
}

/// Where a tool gets a model's fields, cheapest first: this isolate's copy; the shared D1 cache (its row
/// for the model a request names came with the authentication batch, any other model is one lookup);
/// then one `fields_get` call to Odoo. With a fetch from Odoo comes the statement that shares it through
/// D1, for the caller to run after the response.
pub async fn fields(
    db: &dyn Db,
    client: &OdooClient<'_>,
    owner: &Owner<'_>,
    probed: Option<&SchemaProbe>,
    model: &str,
    now: i64,
) -> Result<(Rc<ModelSchema>, Option<Stmt>), OdooError> {
    let conn = owner.conn;
    let key = memory::key_of(owner.key_hash, model);
    let mine = held(&key).filter(|h| h.major == conn.major && h.minor == conn.minor);
    let shared: Option<CachedFetch> = match probed.filter(|p| p.model == model) {
        Some(probe) => probe.row.clone(),
        None => {
            if let Some(h) = mine.as_ref().filter(|h| now - h.checked_at < MEMORY_TTL_MS) {
                return Ok((h.schema.clone(), None));
            }
            // A store failure only costs an Odoo call.
            let held = mine.as_ref().map(|h| h.fetched_at);
            lookup(db, owner.connection_id, conn.major, conn.minor, owner.login, model, held).await.unwrap_or(None)
        }
    };
    let keep = |fetched_at: i64, schema: Rc<ModelSchema>| {
        hold(key.clone(), Held { major: conn.major, minor: conn.minor, fetched_at, checked_at: now, schema });
    };
    if let Some(row) = shared.filter(|r| r.is_fresh(now)) {
        let schema = match (&row.fields_json, &mine) {
            (None, Some(h)) if h.fetched_at == row.fetched_at => Some(h.schema.clone()),
            (Some(json), _) => {
                crate::json::from_str(json).ok().and_then(|v| schema::parse_fields_get(&v).ok()).map(Rc::new)
            }
            _ => None,
        };
        if let Some(schema) = schema {
            keep(row.fetched_at, schema.clone());
            return Ok((schema, None));
        }
    }
    let (json, schema) = schema::fetch(client, model).await?;
    let schema = Rc::new(schema);
    keep(now, schema.clone());
    Ok((schema, Some(store(owner.connection_id, conn.major, conn.minor, owner.login, model, &json, now))))
}

/// The model's schema for the admin console's browsing user: this isolate's copy when recent, else one
/// `fields_get` call (the console's copies are not shared through D1).
pub async fn browse_fields(
    client: &OdooClient<'_>,
    conn: &Connection,
    login: &str,
    model: &str,
    now: i64,
) -> Result<Rc<ModelSchema>, OdooError> {
    let key = format!("browse|{}|{}|{login}|{model}", conn.url, conn.database);
    if let Some(h) =
        held(&key).filter(|h| h.major == conn.major && h.minor == conn.minor && now - h.checked_at < MEMORY_TTL_MS)
    {
        return Ok(h.schema);
    }
    let schema = Rc::new(schema::fetch(client, model).await?.1);
    hold(key, Held { major: conn.major, minor: conn.minor, fetched_at: now, checked_at: now, schema: schema.clone() });
    Ok(schema)
}

/// Forgets a connection's schemas after a change that may alter every model's fields (a new version or
/// URL): this isolate's copies now, the D1 rows by the returned statement, after the response. Other
/// isolates re-check D1 on their next request for a model.
pub fn clear(connection_id: i64) -> Stmt {
    invalidate_all();
    d1::clear(connection_id)
}

/// An administrator's clearing: the connection's D1 rows now, and this isolate's copies; how many rows
/// there were.
pub async fn clear_now(db: &dyn Db, connection_id: i64) -> Result<usize, StoreError> {
    let cleared = d1::clear_now(db, connection_id).await?;
    invalidate_all();
    Ok(cleared)
}
