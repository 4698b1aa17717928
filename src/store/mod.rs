//! Typed access to D1. All SQL lives here; the schema is `schema.sql`. The store knows the access types
//! (`access`) and Odoo's, never `policy`: it reads and writes, others decide.
//! Reads of rows are tolerant: a missing or ill-typed column becomes a clear `StoreError`, never a panic.

pub mod after;
pub mod approvals;
pub mod audit;
pub mod auth;
pub mod cancellations;
pub mod connections;
pub mod contexts;
pub mod failures;
pub mod keys;
pub mod oauth;
pub mod rate_limit;
pub mod retention;
pub mod schema_cache;
pub mod sessions;
pub mod settings;
pub mod standing;

pub use audit::AuditEvent;

use crate::platform::{Db, DbError, Row, Stmt};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub enum StoreError {
    Db(DbError),
    /// A row did not have the expected shape (schema drift).
    Shape(String),
}

impl From<DbError> for StoreError {
    fn from(e: DbError) -> StoreError {
        StoreError::Db(e)
    }
}

impl std::fmt::Display for StoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreError::Db(e) => write!(f, "{e}"),
            StoreError::Shape(m) => write!(f, "unexpected row shape: {m}"),
        }
    }
}

impl StoreError {
    pub fn is_transient(&self) -> bool {
        matches!(self, StoreError::Db(DbError::Transient(_)))
    }
}

/// Whether the database answers (`/health`).
pub async fn ping(db: &dyn Db) -> bool {
    query(db, Stmt::new("SELECT 1 AS ok", vec![])).await.is_ok()
}

/// Runs one statement and returns its rows.
pub async fn query(db: &dyn Db, stmt: Stmt) -> Result<Vec<Row>, StoreError> {
    Ok(db.batch(vec![stmt]).await?.into_iter().next().unwrap_or_default())
}

/// Which key a statement is about: by its hash (in the batch that inserts it, before its id is known) or
/// by its id. Bound as `?1` (the hash or null) and `?2` (the id or null), for `WHERE key_hash = ?1 OR id = ?2`.
#[derive(Debug, Clone, Copy)]
pub enum KeyRef<'a> {
    Hash(&'a str),
    Id(i64),
}

impl KeyRef<'_> {
    pub fn params(self) -> [Value; 2] {
        match self {
            KeyRef::Hash(h) => [text(h), Value::Null],
            KeyRef::Id(id) => [Value::Null, int(id)],
        }
    }
}

/// Each row as `from_row` reads it, the first error ending the read. A loop rather than
/// `collect::<Result<Vec<_>, _>>()`, whose adapters the bundle would carry once per row type.
pub fn each<T>(rows: &[Row], from_row: fn(&Row) -> Result<T, StoreError>) -> Result<Vec<T>, StoreError> {
    let mut out = Vec::with_capacity(rows.len());
    for row in rows {
        out.push(from_row(row)?);
    }
    Ok(out)
}

pub fn int(v: i64) -> Value {
    Value::from(v)
}

pub fn text(v: &str) -> Value {
    Value::from(v)
}

pub fn opt_int(v: Option<i64>) -> Value {
    v.map(Value::from).unwrap_or(Value::Null)
}

pub fn opt_text(v: Option<&str>) -> Value {
    v.map(Value::from).unwrap_or(Value::Null)
}

pub fn get_i64(row: &Row, col: &str) -> Result<i64, StoreError> {
    get_opt_i64(row, col)?.ok_or_else(|| StoreError::Shape(format!("column {col} is null")))
}

pub fn get_opt_i64(row: &Row, col: &str) -> Result<Option<i64>, StoreError> {
    match row.get(col) {
        None | Some(Value::Null) => Ok(None),
        // D1 hands numbers to JS as doubles; integral ones come back as floats sometimes.
        Some(Value::Number(n)) => n
            .as_i64()
            .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64))
            .map(Some)
            .ok_or_else(|| StoreError::Shape(format!("column {col} is not an integer"))),
        Some(_) => Err(StoreError::Shape(format!("column {col} is not a number"))),
    }
}

pub fn get_str(row: &Row, col: &str) -> Result<String, StoreError> {
    get_opt_str(row, col)?.ok_or_else(|| StoreError::Shape(format!("column {col} is null")))
}

pub fn get_opt_str(row: &Row, col: &str) -> Result<Option<String>, StoreError> {
    match row.get(col) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(StoreError::Shape(format!("column {col} is not text"))),
    }
}

pub fn get_bool(row: &Row, col: &str) -> Result<bool, StoreError> {
    Ok(get_opt_i64(row, col)?.unwrap_or(0) != 0)
}
