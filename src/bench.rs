//! Request counters for `make bench`, compiled only with the `bench` feature: the runtime's `Db` and
//! `Http` are wrapped for one request, and what they counted is reported in response headers.
//! Production builds have none of this.
//!
//! - `x-bench-d1-batches`: D1 round trips made before the response;
//! - `x-bench-d1-before-odoo`: those made before the first Odoo call (the critical path);
//! - `x-bench-d1-statements`: statements in those round trips;
//! - `x-bench-after-statements`: statements written after the response (one more round trip if > 0);
//! - `x-bench-odoo-calls`: HTTP requests sent to Odoo;
//! - `x-bench-d1-ms`, `x-bench-odoo-ms`, `x-bench-total-ms`: time spent waiting on D1, on Odoo, and in
//!   the whole request before its response (the runtime's clock, which advances across I/O; D1 and
//!   Odoo overlap when the Odoo call started early);
//! - `x-bench-early`: `used` or `dropped` when the request started its Odoo call early.

use crate::http::{HttpRequest, Outcome};
use crate::mcp::stream::ResponseStream;
use crate::platform::{
    now_ms, Db, DbError, Http, HttpError, InboundResponse, LocalBoxFuture, OutboundRequest, Row, Stmt,
};
use crate::services::Services;
use std::cell::Cell;

struct Counting<'a> {
    db: &'a dyn Db,
    http: &'a dyn Http,
    d1_batches: Cell<u32>,
    d1_statements: Cell<u32>,
    d1_before_odoo: Cell<Option<u32>>,
    odoo_calls: Cell<u32>,
    d1_ms: Cell<i64>,
    odoo_ms: Cell<i64>,
}

impl Db for Counting<'_> {
    fn batch<'a>(&'a self, stmts: Vec<Stmt>) -> LocalBoxFuture<'a, Result<Vec<Vec<Row>>, DbError>> {
        self.d1_batches.set(self.d1_batches.get() + 1);
        self.d1_statements.set(self.d1_statements.get() + stmts.len() as u32);
        Box::pin(async move {
            let t = now_ms();
            let r = self.db.batch(stmts).await;
            self.d1_ms.set(self.d1_ms.get() + now_ms() - t);
            r
        })
    }
}

impl Http for Counting<'_> {
    fn send<'a>(&'a self, req: OutboundRequest) -> LocalBoxFuture<'a, Result<InboundResponse, HttpError>> {
        if self.d1_before_odoo.get().is_none() {
            self.d1_before_odoo.set(Some(self.d1_batches.get()));
        }
        self.odoo_calls.set(self.odoo_calls.get() + 1);
        Box::pin(async move {
            let t = now_ms();
            let r = self.http.send(req).await;
            self.odoo_ms.set(self.odoo_ms.get() + now_ms() - t);
            r
        })
    }
}

/// `crate::serve` with counters.
pub async fn serve_counted(req: HttpRequest, svc: &Services<'_>, stream: &ResponseStream) -> Outcome {
    let counting = Counting {
        db: svc.db,
        http: svc.http,
        d1_batches: Cell::new(0),
        d1_statements: Cell::new(0),
        d1_before_odoo: Cell::new(None),
        odoo_calls: Cell::new(0),
        d1_ms: Cell::new(0),
        odoo_ms: Cell::new(0),
    };
    let started = now_ms();
    let counted = Services { db: &counting, http: &counting, ..*svc };
    let mut outcome = crate::router::route(&req, &counted, stream).await;
    let c = &counting;
    let before_odoo = c.d1_before_odoo.get().unwrap_or(c.d1_batches.get());
    let total_ms = now_ms() - started;
    let headers = [
        ("x-bench-d1-batches", c.d1_batches.get()),
        ("x-bench-d1-before-odoo", before_odoo),
        ("x-bench-d1-statements", c.d1_statements.get()),
        ("x-bench-after-statements", outcome.after.len() as u32),
        ("x-bench-odoo-calls", c.odoo_calls.get()),
        ("x-bench-d1-ms", c.d1_ms.get() as u32),
        ("x-bench-odoo-ms", c.odoo_ms.get() as u32),
        ("x-bench-total-ms", total_ms as u32),
    ];
    for (name, value) in headers {
        outcome.response.headers.push((name.into(), value.to_string()));
    }
    // What became of the request's early Odoo call, when it started one (`transport::early`).
    if let Some(early) = outcome.log.get("early").and_then(|v| v.as_str()) {
        outcome.response.headers.push(("x-bench-early".into(), early.to_string()));
    }
    outcome
}
