//! Odoo connections and their per-model permissions.

use super::{each, get_bool, get_i64, get_opt_str, get_str, int, query, text, StoreError};
use crate::access::{FieldMode, FieldPolicy, ModelPermission};
use crate::odoo::{Detected, Transport};
use crate::platform::{Db, Row, Stmt};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConnectionRecord {
    pub id: i64,
    pub name: String,
    pub url: String,
    pub database: String,
    pub odoo_version: String,
    pub odoo_major: i64,
    pub odoo_minor: i64,
    pub transport: Transport,
    pub detected_at: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// The Odoo login the admin console browses models with, if one is set.
    pub browse_login: Option<String>,
}

impl ConnectionRecord {
    /// Where and how the connector reaches this connection's Odoo.
    pub fn odoo(&self) -> crate::odoo::Connection {
        crate::odoo::Connection {
            url: self.url.clone(),
            database: self.database.clone(),
            major: self.odoo_major,
            minor: self.odoo_minor,
            transport: self.transport,
        }
    }

    pub fn from_row(row: &Row) -> Result<ConnectionRecord, StoreError> {
        Ok(ConnectionRecord {
            id: get_i64(row, "id")?,
            name: get_str(row, "name")?,
            url: get_str(row, "url")?,
            database: get_str(row, "database")?,
            odoo_version: get_str(row, "odoo_version")?,
            odoo_major: get_i64(row, "odoo_major")?,
            odoo_minor: get_i64(row, "odoo_minor")?,
            transport: Transport::parse(&get_str(row, "transport")?)
                .ok_or_else(|| StoreError::Shape("unknown transport".into()))?,
            detected_at: get_i64(row, "detected_at")?,
            created_at: get_i64(row, "created_at")?,
            updated_at: get_i64(row, "updated_at")?,
            browse_login: get_opt_str(row, "browse_login")?,
        })
    }
}

/// Inserts a connection; `None` when another one already has this name, compared without regard to
/// ASCII case (`name_taken` also covers the rest of Unicode before this is tried).
pub async fn insert(
    db: &dyn Db,
    name: &str,
    url: &str,
    database: &str,
    d: &Detected,
    now: i64,
) -> Result<Option<ConnectionRecord>, StoreError> {
    let rows = query(
        db,
        Stmt::new(
            "INSERT INTO connections (name, url, database, odoo_version, odoo_major, odoo_minor, transport, detected_at, created_at, updated_at) \
             SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, ?8 WHERE NOT EXISTS (SELECT 1 FROM connections WHERE name = ?1 COLLATE NOCASE) \
             RETURNING id, name, url, database, odoo_version, odoo_major, odoo_minor, transport, detected_at, created_at, updated_at",
            vec![text(name), text(url), text(database), text(&d.version), int(d.major), int(d.minor), text(d.transport.as_str()), int(now)],
        ),
    )
    .await?;
    rows.first().map(ConnectionRecord::from_row).transpose()
}

/// Whether a connection other than `except` has this name, ignoring case (`Acme` and `ACME` would be
/// told apart by nobody reading a list).
/// Removes a connection just inserted whose browsing credentials could not be stored, so that a failed
/// creation leaves nothing behind.
pub async fn remove_new(db: &dyn Db, id: i64) -> Result<(), StoreError> {
    query(db, Stmt::new("DELETE FROM connections WHERE id = ?1", vec![int(id)])).await.map(drop)
}

pub async fn name_taken(db: &dyn Db, name: &str, except: Option<i64>) -> Result<bool, StoreError> {
    let wanted = crate::platform::lowercase(name);
    for row in query(db, Stmt::new("SELECT id, name FROM connections", vec![])).await? {
        if Some(get_i64(&row, "id")?) != except && crate::platform::lowercase(&get_str(&row, "name")?) == wanted {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Sets a connection's name, address and detection (run in the caller's batch, with what a change of
/// address implies: `admin::moves`). Returns the connection's row, without `browse_login`.
pub fn update_stmt(id: i64, name: &str, url: &str, database: &str, d: &Detected, now: i64) -> Stmt {
    Stmt::new(
        "UPDATE connections SET name = ?2, url = ?3, database = ?4, odoo_version = ?5, odoo_major = ?6, odoo_minor = ?7, \
         transport = ?8, detected_at = ?9, updated_at = ?9 WHERE id = ?1 \
         RETURNING id, name, url, database, odoo_version, odoo_major, odoo_minor, transport, detected_at, created_at, updated_at",
        vec![int(id), text(name), text(url), text(database), text(&d.version), int(d.major), int(d.minor), text(d.transport.as_str()), int(now)],
    )
}

pub async fn get(db: &dyn Db, id: i64) -> Result<Option<ConnectionRecord>, StoreError> {
    let sql: &'static str = "SELECT c.id, c.name, c.url, c.database, c.odoo_version, c.odoo_major, c.odoo_minor, c.transport, c.detected_at, \
        c.created_at, c.updated_at, b.odoo_login AS browse_login FROM connections c LEFT JOIN connection_credentials b ON b.connection_id = c.id WHERE c.id = ?1";
    query(db, Stmt::new(sql, vec![int(id)])).await?.first().map(ConnectionRecord::from_row).transpose()
}

pub async fn list(db: &dyn Db) -> Result<Vec<ConnectionRecord>, StoreError> {
    query(
        db,
        Stmt::new(
            "SELECT c.id, c.name, c.url, c.database, c.odoo_version, c.odoo_major, c.odoo_minor, c.transport, c.detected_at, c.created_at, \
             c.updated_at, b.odoo_login AS browse_login FROM connections c LEFT JOIN connection_credentials b ON b.connection_id = c.id ORDER BY c.id",
            vec![],
        ),
    )
    .await.and_then(|rows| each(&rows, ConnectionRecord::from_row))
}

/// The console's browsing credentials of a connection: login and encrypted API key.
pub async fn browse_credentials(db: &dyn Db, connection_id: i64) -> Result<Option<(String, String)>, StoreError> {
    let rows = query(
        db,
        Stmt::new(
            "SELECT odoo_login, odoo_key_enc FROM connection_credentials WHERE connection_id = ?1",
            vec![int(connection_id)],
        ),
    )
    .await?;
    rows.first().map(|r| Ok((get_str(r, "odoo_login")?, get_str(r, "odoo_key_enc")?))).transpose()
}

pub fn set_browse_credentials(connection_id: i64, login: &str, key_enc: &str, now: i64) -> Stmt {
    Stmt::new(
        "INSERT INTO connection_credentials (connection_id, odoo_login, odoo_key_enc, updated_at) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (connection_id) DO UPDATE SET odoo_login = ?2, odoo_key_enc = ?3, updated_at = ?4",
        vec![int(connection_id), text(login), text(key_enc), int(now)],
    )
}

/// Forgets the console's browsing credentials of a connection; returns a row if there were some.
pub fn clear_browse_credentials(connection_id: i64) -> Stmt {
    Stmt::new(
        "DELETE FROM connection_credentials WHERE connection_id = ?1 RETURNING connection_id",
        vec![int(connection_id)],
    )
}

/// Removes a model's permission row and field policy; `false` if the model had no permission row.
pub async fn remove_model_permission(db: &dyn Db, connection_id: i64, model: &str) -> Result<bool, StoreError> {
    let results = db
        .batch(vec![
            Stmt::new(
                "DELETE FROM field_policies WHERE connection_id = ?1 AND model = ?2",
                vec![int(connection_id), text(model)],
            ),
            Stmt::new(
                "DELETE FROM model_actions WHERE connection_id = ?1 AND model = ?2",
                vec![int(connection_id), text(model)],
            ),
            Stmt::new(
                "DELETE FROM model_permissions WHERE connection_id = ?1 AND model = ?2 RETURNING model",
                vec![int(connection_id), text(model)],
            ),
        ])
        .await?;
    Ok(results.get(2).is_some_and(|rows| !rows.is_empty()))
}

/// Sets a model's permissions on a connection (insert or replace), its actions with them (an empty list
/// removes the row: no actions).
pub async fn set_model_permission(
    db: &dyn Db,
    connection_id: i64,
    model: &str,
    p: &ModelPermission,
    now: i64,
) -> Result<(), StoreError> {
    let actions = if p.actions.is_empty() {
        Stmt::new(
            "DELETE FROM model_actions WHERE connection_id = ?1 AND model = ?2",
            vec![int(connection_id), text(model)],
        )
    } else {
        Stmt::new(
            "INSERT INTO model_actions (connection_id, model, actions, updated_at) VALUES (?1, ?2, ?3, ?4) \
             ON CONFLICT (connection_id, model) DO UPDATE SET actions = ?3, updated_at = ?4",
            vec![int(connection_id), text(model), text(&crate::json!(p.actions).to_string()), int(now)],
        )
    };
    db.batch(vec![Stmt::new(
        "INSERT INTO model_permissions (connection_id, model, can_read, can_create, can_update, can_delete, sensitive_unlocked, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
         ON CONFLICT (connection_id, model) DO UPDATE SET can_read = ?3, can_create = ?4, can_update = ?5, can_delete = ?6, \
         sensitive_unlocked = ?7, updated_at = ?8",
        vec![
            int(connection_id),
            text(model),
            int(p.read as i64),
            int(p.create as i64),
            int(p.update as i64),
            int(p.delete as i64),
            int(p.sensitive_unlocked as i64),
            int(now),
        ],
    ),
    actions])
    .await?;
    Ok(())
}

/// The columns `permission_from_row` reads, from `model_permissions p LEFT JOIN field_policies f LEFT
/// JOIN model_actions a` (`actions_join!`)
/// (a macro so that statements stay `&'static str` through `concat!`).
#[macro_export]
macro_rules! permission_columns {
    () => {
        "p.model, p.can_read, p.can_create, p.can_update, p.can_delete, p.sensitive_unlocked, f.mode AS field_mode, f.fields AS field_list, \
         a.actions AS action_list"
    };
}

/// The joins `permission_columns!` reads from, after `model_permissions p`.
#[macro_export]
macro_rules! permission_joins {
    () => {
        " LEFT JOIN field_policies f ON f.connection_id = p.connection_id AND f.model = p.model \
         LEFT JOIN model_actions a ON a.connection_id = p.connection_id AND a.model = p.model"
    };
}

/// Replaces (or with `None` removes) a model's field policy.
pub async fn set_field_policy(
    db: &dyn Db,
    connection_id: i64,
    model: &str,
    policy: Option<&FieldPolicy>,
    now: i64,
) -> Result<(), StoreError> {
    let stmt = match policy {
        Some(p) => Stmt::new(
            "INSERT INTO field_policies (connection_id, model, mode, fields, updated_at) VALUES (?1, ?2, ?3, ?4, ?5) \
             ON CONFLICT (connection_id, model) DO UPDATE SET mode = ?3, fields = ?4, updated_at = ?5",
            vec![
                int(connection_id),
                text(model),
                text(field_mode_str(p.mode)),
                text(&crate::json!(p.fields).to_string()),
                int(now),
            ],
        ),
        None => Stmt::new(
            "DELETE FROM field_policies WHERE connection_id = ?1 AND model = ?2",
            vec![int(connection_id), text(model)],
        ),
    };
    db.batch(vec![stmt]).await?;
    Ok(())
}

fn field_mode_str(m: FieldMode) -> &'static str {
    match m {
        FieldMode::Allow => "allow",
        FieldMode::Deny => "deny",
    }
}

/// Model → its permission, from rows of `permission_columns!`. Inserted one by one: `collect()` would sort
/// them first, with a copy of the stable sort's code in the bundle for this element type.
pub fn permissions_from_rows(rows: &[Row]) -> Result<BTreeMap<String, ModelPermission>, StoreError> {
    let mut permissions = BTreeMap::new();
    for row in rows {
        let (model, permission) = permission_from_row(row)?;
        permissions.insert(model, permission);
    }
    Ok(permissions)
}

pub fn permission_from_row(row: &Row) -> Result<(String, ModelPermission), StoreError> {
    let fields = match (get_opt_str(row, "field_mode")?.as_deref(), get_opt_str(row, "field_list")?) {
        (None, _) => None,
        (Some(mode), Some(list)) => {
            let mode = match mode {
                "allow" => FieldMode::Allow,
                "deny" => FieldMode::Deny,
                _ => return Err(StoreError::Shape("unknown field policy mode".into())),
            };
            let fields = crate::json::from_str(&list)
                .map_err(|_| StoreError::Shape("field policy list is not a JSON list of names".into()))?;
            Some(FieldPolicy { mode, fields })
        }
        (Some(_), None) => return Err(StoreError::Shape("field policy without fields".into())),
    };
    let actions = match get_opt_str(row, "action_list")? {
        None => Vec::new(),
        Some(list) => crate::json::from_str(&list)
            .map_err(|_| StoreError::Shape("model actions are not a JSON list of names".into()))?,
    };
    Ok((
        get_str(row, "model")?,
        ModelPermission {
            read: get_bool(row, "can_read")?,
            create: get_bool(row, "can_create")?,
            update: get_bool(row, "can_update")?,
            delete: get_bool(row, "can_delete")?,
            sensitive_unlocked: get_bool(row, "sensitive_unlocked")?,
            fields,
            actions,
        },
    ))
}

pub async fn model_permissions(db: &dyn Db, connection_id: i64) -> Result<Vec<(String, ModelPermission)>, StoreError> {
    query(
        db,
        Stmt::new(
            concat!(
                "SELECT ",
                permission_columns!(),
                " FROM model_permissions p",
                crate::permission_joins!(),
                " WHERE p.connection_id = ?1 ORDER BY p.model"
            ),
            vec![int(connection_id)],
        ),
    )
    .await
    .and_then(|rows| each(&rows, permission_from_row))
}
