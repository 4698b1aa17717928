//! Production-shaped latency for the native harness: [`Slow`] puts a fixed delay in front of every D1
//! batch and every Odoo request (D1 a network hop to the database's home, Odoo a real server's time),
//! and records when each started and ended; [`run`] is an executor that really waits (parks until a
//! timer wakes it), so that what the server overlaps shows in the wall time.

use super::{Harness, Resp, WORKER_ORIGIN};
use odoo_mcp_edge::http::HttpRequest;
use odoo_mcp_edge::mcp::stream::ResponseStream;
use odoo_mcp_edge::platform::{
    Db, DbError, Http, HttpError, InboundResponse, LocalBoxFuture, OutboundRequest, Row, Stmt,
};
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::{Duration, Instant};

/// A timer future: ready at `until`, woken by a thread that sleeps until then.
pub struct Sleep {
    until: Instant,
    armed: bool,
}

pub fn sleep(d: Duration) -> Sleep {
    Sleep { until: Instant::now() + d, armed: false }
}

impl Future for Sleep {
    type Output = ();
    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        if Instant::now() >= self.until {
            return Poll::Ready(());
        }
        if !self.armed {
            self.armed = true;
            let (until, waker) = (self.until, cx.waker().clone());
            std::thread::spawn(move || {
                std::thread::sleep(until.saturating_duration_since(Instant::now()));
                waker.wake();
            });
        }
        Poll::Pending
    }
}

struct Unpark(std::thread::Thread);

impl Wake for Unpark {
    fn wake(self: Arc<Self>) {
        self.0.unpark();
    }
}

/// Runs a future to completion, parking the thread while it waits (at most 1 ms at a time, for a
/// future that returns `Pending` without arranging a wake).
pub fn run<F: Future>(f: F) -> F::Output {
    let mut f = std::pin::pin!(f);
    let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
    let mut cx = Context::from_waker(&waker);
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
        std::thread::park_timeout(Duration::from_millis(1));
    }
}

/// What happened, and when (from the start of the request).
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    D1Sent,
    D1Answered,
    /// The last segment of the Odoo URL's path (`search_read`, `jsonrpc` …).
    OdooSent(String),
    OdooAnswered,
}

/// The harness's `Db` and `Http` behind fixed delays, with a log of events.
pub struct Slow<'a> {
    pub db: &'a dyn Db,
    pub http: &'a dyn Http,
    pub d1: Duration,
    pub odoo: Duration,
    pub events: RefCell<Vec<(Event, Duration)>>,
    started: Instant,
}

impl<'a> Slow<'a> {
    pub fn new(h: &'a Harness, d1_ms: u64, odoo_ms: u64) -> Slow<'a> {
        Slow {
            db: &h.db,
            http: &h.http,
            d1: Duration::from_millis(d1_ms),
            odoo: Duration::from_millis(odoo_ms),
            events: RefCell::new(Vec::new()),
            started: Instant::now(),
        }
    }

    fn note(&self, e: Event) {
        self.events.borrow_mut().push((e, self.started.elapsed()));
    }

    pub fn events(&self) -> Vec<Event> {
        self.events.borrow().iter().map(|(e, _)| e.clone()).collect()
    }

    pub fn count(&self, f: impl Fn(&Event) -> bool) -> usize {
        self.events.borrow().iter().filter(|(e, _)| f(e)).count()
    }

    /// Serves one request through the delays; returns the response and the time to it (the
    /// after-response statements run afterwards, outside that time, as `wait_until` runs them).
    pub fn serve(&self, h: &Harness, headers: &[(&str, &str)], body: &str) -> (Resp, Duration) {
        self.events.borrow_mut().clear();
        let req = HttpRequest {
            method: "POST".into(),
            path: "/mcp".into(),
            query: String::new(),
            origin: WORKER_ORIGIN.into(),
            headers: headers.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.to_string())).collect(),
            body: body.as_bytes().to_vec(),
        };
        let subrequests = odoo_mcp_edge::subrequests::Subrequests::new();
        let svc = odoo_mcp_edge::Services {
            sleep: odoo_mcp_edge::platform::thread_sleep,
            db: self,
            http: self,
            settings: &h.settings,
            now: *h.now.borrow(),
            subrequests: &subrequests,
        };
        let stream = ResponseStream::new();
        let t = Instant::now();
        let mut outcome = run(odoo_mcp_edge::serve(req, &svc, &stream));
        let took = t.elapsed();
        if let Some(streamed) = stream.into_buffered_response() {
            outcome.response = streamed;
        }
        if !outcome.after.is_empty() {
            run(h.db.batch(outcome.after)).expect("after-response statements run");
        }
        let mut r = super::to_resp(outcome.response);
        r.log = outcome.log;
        (r, took)
    }
}

impl Db for Slow<'_> {
    fn batch<'a>(&'a self, stmts: Vec<Stmt>) -> LocalBoxFuture<'a, Result<Vec<Vec<Row>>, DbError>> {
        Box::pin(async move {
            self.note(Event::D1Sent);
            sleep(self.d1).await;
            let rows = self.db.batch(stmts).await;
            self.note(Event::D1Answered);
            rows
        })
    }
}

impl Http for Slow<'_> {
    fn send<'a>(&'a self, req: OutboundRequest) -> LocalBoxFuture<'a, Result<InboundResponse, HttpError>> {
        Box::pin(async move {
            self.note(Event::OdooSent(req.url.rsplit('/').next().unwrap_or_default().to_string()));
            sleep(self.odoo).await;
            let answer = self.http.send(req).await;
            self.note(Event::OdooAnswered);
            answer
        })
    }
}
