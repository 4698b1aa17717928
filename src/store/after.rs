//! The isolate's queue of `/mcp` audit rows: written after the response, gathered for up to
//! `GATHER_MS` into one D1 batch rather than a batch after every call. Calls in steady use then cost D1
//! one write transaction a second instead of one each (D1 runs a database's writes one at a time), and
//! the Worker one round trip per call, the authentication batch's.
//!
//! Only audit rows wait: nothing on the `/mcp` path reads them back. A response that leaves anything
//! else (a key's last use, which the next batch reads to decide the next stamp and the first use; a
//! fetched schema, which the next request's probe looks for) writes it at once, with the queue.
//! What is queued is written all the same, and as before lost only if that write fails (then logged):
//! by the `wait_until` of the request that planned the write (which keeps the isolate alive until
//! then), at once when the queue reaches `MAX_STATEMENTS`, and before this isolate hands a request to
//! the admin Worker, so that the console shows the calls made through this isolate up to then.
//! The runtime's side (the timer, the batch) is the adapter's; the decisions are here, testable.

use crate::platform::Stmt;
use std::cell::RefCell;

/// How long the first queued row waits for others before the batch is sent.
pub const GATHER_MS: u64 = 1000;
/// The queue is written as soon as it holds this many statements: the invocation that writes it has
/// its own queries too, and D1 allows an invocation 50 on the Workers Free plan (should it count a
/// batch's statements one by one).
pub const MAX_STATEMENTS: usize = 20;

/// What the caller of `queue` does next.
#[derive(Debug, PartialEq)]
pub enum Next {
    /// Nothing: a write is already planned and will take these statements.
    Nothing,
    /// Wait `GATHER_MS`, then write what `take` returns (this request's `wait_until` holds it).
    WriteAfterGathering,
    /// Write these now, as a batch of their own.
    WriteNow(Batch),
}

/// Statements to write together, with the requests they come from (named when the write fails).
#[derive(Debug, Default, PartialEq)]
pub struct Batch {
    pub stmts: Vec<Stmt>,
    pub request_ids: Vec<String>,
}

#[derive(Default)]
struct Queue {
    pending: Batch,
    /// Whether a request's `wait_until` is waiting to write the queue.
    planned: bool,
}

thread_local! {
    // One isolate serves many requests on one thread; natively each test thread has its own.
    static QUEUE: RefCell<Queue> = RefCell::new(Queue::default());
}

/// Adds a `/mcp` response's statements to the queue; says who writes them, and when.
pub fn queue(stmts: Vec<Stmt>, request_id: Option<&str>) -> Next {
    if stmts.is_empty() {
        return Next::Nothing;
    }
    QUEUE.with(|q| {
        let mut q = q.borrow_mut();
        let gathered = stmts.iter().all(super::audit::is_event);
        q.pending.stmts.extend(stmts);
        if let Some(id) = request_id {
            q.pending.request_ids.push(id.to_string());
        }
        if !gathered || q.pending.stmts.len() >= MAX_STATEMENTS {
            // A write planned earlier finds what comes after these.
            Next::WriteNow(std::mem::take(&mut q.pending))
        } else if q.planned {
            Next::Nothing
        } else {
            q.planned = true;
            Next::WriteAfterGathering
        }
    })
}

/// Everything queued, to be written now; the next `queue` plans a write of its own.
pub fn take() -> Batch {
    QUEUE.with(|q| {
        let mut q = q.borrow_mut();
        q.planned = false;
        std::mem::take(&mut q.pending)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::audit::AuditEvent;

    fn rows(n: usize) -> Vec<Stmt> {
        (0..n).map(|_| AuditEvent { event: "tool_call", outcome: "ok", ..AuditEvent::default() }.stmt(1)).collect()
    }

    fn ids(batch: &Batch) -> Vec<&str> {
        batch.request_ids.iter().map(String::as_str).collect()
    }

    #[test]
    fn the_first_response_plans_the_write_and_the_next_ones_join_it() {
        let _ = take();
        assert_eq!(queue(vec![], Some("a")), Next::Nothing, "nothing to write plans nothing");
        assert_eq!(queue(rows(2), Some("a")), Next::WriteAfterGathering);
        assert_eq!(queue(rows(1), Some("b")), Next::Nothing);
        let batch = take();
        assert_eq!((batch.stmts.len(), ids(&batch)), (3, vec!["a", "b"]));
        // Written: the next response plans a write again.
        assert_eq!(queue(rows(1), None), Next::WriteAfterGathering);
        assert_eq!(take().stmts.len(), 1);
        assert_eq!(take(), Batch::default(), "a planned write that finds the queue empty writes nothing");
    }

    #[test]
    fn a_full_queue_is_written_at_once_and_the_planned_write_takes_what_follows() {
        let _ = take();
        assert_eq!(queue(rows(MAX_STATEMENTS - 1), Some("a")), Next::WriteAfterGathering);
        let Next::WriteNow(batch) = queue(rows(1), Some("b")) else { panic!("a full queue is written now") };
        assert_eq!((batch.stmts.len(), ids(&batch)), (MAX_STATEMENTS, vec!["a", "b"]));
        // The write planned by "a" is still coming: "c" joins it.
        assert_eq!(queue(rows(1), Some("c")), Next::Nothing);
        assert_eq!(ids(&take()), vec!["c"]);
    }

    #[test]
    fn anything_but_audit_rows_is_written_at_once_with_the_queue() {
        let _ = take();
        assert_eq!(queue(rows(1), Some("a")), Next::WriteAfterGathering);
        let touch = crate::store::keys::touch(7, 1);
        let Next::WriteNow(batch) = queue(vec![touch.clone(), rows(1).remove(0)], Some("b")) else {
            panic!("a last-use stamp is read by the next batch: written now")
        };
        assert_eq!((batch.stmts.len(), ids(&batch)), (3, vec!["a", "b"]));
        assert_eq!(batch.stmts[1], touch, "in the order the responses left them");
    }
}
