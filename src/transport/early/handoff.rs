//! The early call in flight, and its hand-off: [`Started`] holds the Odoo request an early start sent
//! and its answer (running, or arrived); [`Handoff`] is the `Http` the request is then served with,
//! which gives the served path that answer only if its first Odoo request is, byte for byte, the one
//! sent early (same URL, headers, credentials, body). Any other first request, or none, and the early
//! answer is dropped unseen.

use crate::platform::{Http, HttpError, InboundResponse, LocalBoxFuture, OutboundRequest};
use std::cell::{Cell, RefCell};
use std::task::{Context, Poll};

type Answer = Result<InboundResponse, HttpError>;

enum State<'a> {
    Running(LocalBoxFuture<'a, Answer>),
    Arrived(Answer),
    /// Handed over, or dropped.
    Gone,
}

/// An Odoo request sent early, and its answer.
pub struct Started<'a> {
    sent: OutboundRequest,
    state: RefCell<State<'a>>,
    used: Cell<bool>,
}

impl<'a> Started<'a> {
    pub fn new(sent: OutboundRequest, answer: LocalBoxFuture<'a, Answer>) -> Started<'a> {
        Started { sent, state: RefCell::new(State::Running(answer)), used: Cell::new(false) }
    }

    /// Drives the call while something else is awaited (keeps its answer once it arrives).
    pub fn drive(&self, cx: &mut Context<'_>) {
        let mut state = self.state.borrow_mut();
        if let State::Running(f) = &mut *state {
            if let Poll::Ready(answer) = f.as_mut().poll(cx) {
                *state = State::Arrived(answer);
            }
        }
    }

    /// Drops the call and whatever it answered: the request is not served (or not as assumed).
    pub fn drop_unseen(&self) {
        *self.state.borrow_mut() = State::Gone;
    }

    /// The call, if `req` is the request it sent and it is still held; either way it cannot be taken
    /// again.
    fn take_if(&self, req: &OutboundRequest) -> Option<State<'a>> {
        let state = std::mem::replace(&mut *self.state.borrow_mut(), State::Gone);
        let taken = *req == self.sent && !matches!(state, State::Gone);
        self.used.set(taken);
        taken.then_some(state)
    }

    /// Whether the served path took the early answer.
    pub fn was_used(&self) -> bool {
        self.used.get()
    }
}

/// The `Http` a request with an early start is served with: its first request gets the early answer
/// when it is the request sent early; every other request goes out as usual.
pub struct Handoff<'h, 'a> {
    inner: &'h dyn Http,
    started: &'h Started<'a>,
    first: Cell<bool>,
}

impl<'h, 'a> Handoff<'h, 'a> {
    pub fn new(inner: &'h dyn Http, started: &'h Started<'a>) -> Handoff<'h, 'a> {
        Handoff { inner, started, first: Cell::new(true) }
    }
}

impl Http for Handoff<'_, '_> {
    fn send<'b>(&'b self, req: OutboundRequest) -> LocalBoxFuture<'b, Answer> {
        let early = if self.first.replace(false) { self.started.take_if(&req) } else { None };
        match early {
            Some(State::Running(answer)) => answer,
            Some(State::Arrived(answer)) => Box::pin(std::future::ready(answer)),
            Some(State::Gone) | None => self.inner.send(req),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::future::Future;

    fn request(body: &str) -> OutboundRequest {
        OutboundRequest {
            method: "POST",
            url: "https://odoo.example/json/2/res.partner/search_read".into(),
            headers: vec![("authorization".into(), "bearer k".into())],
            body: Some(body.into()),
            timeout_ms: 1000,
        }
    }

    fn answer(body: &str) -> Answer {
        Ok(InboundResponse {
            status: 200,
            content_type: "application/json".into(),
            retry_after: None,
            location: None,
            body: body.into(),
        })
    }

    /// Answers "fresh" to anything, counting what it sent.
    struct Fresh(Cell<u32>);
    impl Http for Fresh {
        fn send<'a>(&'a self, _req: OutboundRequest) -> LocalBoxFuture<'a, Answer> {
            self.0.set(self.0.get() + 1);
            Box::pin(std::future::ready(answer("fresh")))
        }
    }

    fn body_of(a: Answer) -> String {
        a.map(|r| r.body).unwrap_or_default()
    }

    fn run<T>(f: impl Future<Output = T>) -> T {
        let mut f = std::pin::pin!(f);
        match f.as_mut().poll(&mut Context::from_waker(std::task::Waker::noop())) {
            Poll::Ready(v) => v,
            Poll::Pending => panic!("ready futures only"),
        }
    }

    #[test]
    fn the_same_first_request_gets_the_early_answer_once() {
        let started = Started::new(request("{}"), Box::pin(std::future::ready(answer("early"))));
        started.drive(&mut Context::from_waker(std::task::Waker::noop()));
        let fresh = Fresh(Cell::new(0));
        let http = Handoff::new(&fresh, &started);
        assert_eq!(body_of(run(http.send(request("{}")))), "early");
        assert!(started.was_used());
        // The second identical request goes out: an answer is used once.
        assert_eq!(body_of(run(http.send(request("{}")))), "fresh");
        assert_eq!(fresh.0.get(), 1);
    }

    #[test]
    fn any_other_first_request_drops_the_early_answer() {
        let started = Started::new(request("{}"), Box::pin(std::future::ready(answer("early"))));
        let fresh = Fresh(Cell::new(0));
        let http = Handoff::new(&fresh, &started);
        // Another body (other fields, other credentials …): sent as usual, the early answer never read.
        assert_eq!(body_of(run(http.send(request("{\"fields\": [\"name\"]}")))), "fresh");
        assert!(!started.was_used());
        assert_eq!(body_of(run(http.send(request("{}")))), "fresh", "not even by a later identical request");
        assert_eq!(fresh.0.get(), 2);
    }

    #[test]
    fn a_dropped_call_is_never_handed_over() {
        let started = Started::new(request("{}"), Box::pin(std::future::ready(answer("early"))));
        started.drop_unseen();
        let fresh = Fresh(Cell::new(0));
        let http = Handoff::new(&fresh, &started);
        assert_eq!(body_of(run(http.send(request("{}")))), "fresh");
        assert!(!started.was_used());
    }
}
