//! The core's `Db` on D1: a batch of prepared, bound statements, its rows read as one JSON text per
//! statement, its errors in the words worker's own `D1Database` uses, transient ones retried
//! (`platform::retry_transient`).

use super::timer;
use crate::platform::{self, classify_db_error, Db, DbError, LocalBoxFuture, Row, Stmt};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use worker::{worker_sys, D1Database, Error};

pub(super) struct D1Db {
    pub(super) d1: D1Database,
}

impl D1Db {
    /// D1's `batch` called as worker's `D1Database::batch` and `D1Result::results` call it, with the same
    /// words for a failure, but with the rows read by `rows_of` rather than by serde_wasm_bindgen.
    async fn batch_once(&self, stmts: &[Stmt]) -> std::result::Result<Vec<Vec<Row>>, DbError> {
        let prepared = js_sys::Array::new();
        for s in stmts {
            let params: Vec<JsValue> = s.params.iter().map(to_js).collect();
            let statement = self.d1.prepare(s.sql).bind(&params).map_err(|e| classify_db_error(&e.to_string()))?;
            prepared.push(statement.inner());
        }
        let d1: &worker_sys::types::D1Database = self.d1.as_ref().unchecked_ref();
        let promise = d1.batch(prepared).map_err(other_error)?;
        let results = JsFuture::from(promise).await.map_err(batch_error)?;
        let results: js_sys::Array = results.dyn_into().map_err(other_error)?;
        let mut all = Vec::new();
        for result in results.iter() {
            let result: worker_sys::types::D1Result = result.unchecked_into();
            if let Some(err) = result.error().ok().flatten() {
                return Err(classify_db_error(&err));
            }
            let rows = match result.results().map_err(|e| DbError::Other(Error::from(e).to_string()))? {
                Some(list) => rows_of(&list)?,
                None => Vec::new(),
            };
            all.push(rows);
        }
        Ok(all)
    }
}

/// worker's `D1Error` (its error's cause) as its `Debug` shows it, for a failed batch's message.
struct D1Error(JsValue);

impl std::fmt::Debug for D1Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("D1Error").field("cause", &self.0).finish()
    }
}

/// A refused batch in worker's words: D1's own errors (a message starting "D1") as `D1: D1Error { cause }`,
/// any other as `worker::Error` shows it.
fn batch_error(err: JsValue) -> DbError {
    match err.dyn_into::<js_sys::Error>() {
        Ok(e) if String::from(e.message()).starts_with("D1") => {
            classify_db_error(&format!("D1: {:#?}", D1Error(e.cause())))
        }
        Ok(e) => other_error(e.into()),
        Err(v) => other_error(v),
    }
}

fn other_error(err: JsValue) -> DbError {
    classify_db_error(&Error::from(err).to_string())
}

/// A statement's rows as the core's `Row`s: the list as JSON text (`JSON.stringify`, one call into the
/// runtime) read by the one JSON reader, rather than a call across for every column of every row.
/// JSON's numbers are what D1 returned (an integral one as an integer, NaN and the infinities as null);
/// D1 returns only null, numbers and text for schema.sql's columns.
fn rows_of(list: &js_sys::Array) -> std::result::Result<Vec<Row>, DbError> {
    let text = js_sys::JSON::stringify(list).map_err(other_error)?;
    let text = String::from(text);
    // The reader's error is not passed on: it could quote a value.
    crate::json::from_str(&text).map_err(|_| DbError::Other("D1 returned rows that are not JSON objects".into()))
}

impl Db for D1Db {
    fn batch<'a>(&'a self, stmts: Vec<Stmt>) -> LocalBoxFuture<'a, std::result::Result<Vec<Vec<Row>>, DbError>> {
        // Bounded, jittered retry of transient errors (`platform::retry_transient`).
        Box::pin(async move { platform::retry_transient(|| self.batch_once(&stmts), timer).await })
    }
}

fn to_js(v: &serde_json::Value) -> JsValue {
    match v {
        serde_json::Value::Null => JsValue::NULL,
        serde_json::Value::Bool(b) => JsValue::from(*b as i32),
        serde_json::Value::Number(n) => JsValue::from(n.as_f64().unwrap_or(0.0)),
        serde_json::Value::String(s) => JsValue::from(s.as_str()),
        other => JsValue::from(other.to_string()),
    }
}
