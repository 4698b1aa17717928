//! The subrequest budget of one request: `SUBREQUEST_BUDGET` is the Workers plan's limit on what one
//! invocation may send (D1 round trips and fetches alike). `lib::serve` counts every round trip and
//! fetch the core makes here, so that work done in parts (the messages of a JSON-RPC batch, the
//! operations of `odoo_batch`) starts a part only while what is left of the budget covers it, and
//! never runs into the runtime's own refusal halfway (which would also lose the after-response write:
//! the audit rows).

use crate::platform::{Db, DbError, Http, HttpError, InboundResponse, LocalBoxFuture, OutboundRequest, Row, Stmt};
use std::cell::Cell;

/// The one round trip every request may still need after its answer (audit rows, last use), run by
/// the runtime outside this count: what is left must always cover it.
pub const AFTER_RESPONSE: u32 = 1;

/// The subrequests one request has made so far.
#[derive(Debug, Default)]
pub struct Subrequests {
    spent: Cell<u32>,
}

impl Subrequests {
    pub fn new() -> Subrequests {
        Subrequests::default()
    }

    pub fn spent(&self) -> u32 {
        self.spent.get()
    }

    /// What is left of `budget` once the after-response round trip is set aside.
    pub fn left(&self, budget: u32) -> u32 {
        budget.saturating_sub(self.spent()).saturating_sub(AFTER_RESPONSE)
    }

    fn count(&self) {
        self.spent.set(self.spent.get().saturating_add(1));
    }
}

/// The runtime's `Db` and `Http`, each call counted in `count` (a call the guard refuses before it
/// leaves is not: `Metered` sits under `net::Guarded`).
pub struct Metered<'a> {
    db: &'a dyn Db,
    http: &'a dyn Http,
    count: &'a Subrequests,
}

impl<'a> Metered<'a> {
    pub fn new(db: &'a dyn Db, http: &'a dyn Http, count: &'a Subrequests) -> Metered<'a> {
        Metered { db, http, count }
    }
}

impl Db for Metered<'_> {
    fn batch<'a>(&'a self, stmts: Vec<Stmt>) -> LocalBoxFuture<'a, Result<Vec<Vec<Row>>, DbError>> {
        self.count.count();
        self.db.batch(stmts)
    }
}

impl Http for Metered<'_> {
    fn send<'a>(&'a self, req: OutboundRequest) -> LocalBoxFuture<'a, Result<InboundResponse, HttpError>> {
        self.count.count();
        self.http.send(req)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_left_keeps_the_after_response_round_trip() {
        let s = Subrequests::new();
        assert_eq!(s.left(50), 49);
        for _ in 0..10 {
            s.count();
        }
        assert_eq!((s.spent(), s.left(50)), (10, 39));
        assert_eq!(s.left(10), 0, "never below zero");
    }
}
