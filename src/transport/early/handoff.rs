//! The early calls in flight, and their hand-off: [`Started`] holds the Odoo requests an early start
//! sent (those the request makes before awaiting anything: one, or a few made at once) and their
//! answers (running, or arrived); [`Handoff`] is the `Http` the request is then served with, which
//! gives the served path's n-th request the n-th early answer only if it is, byte for byte, the request
//! sent early (same URL, headers, credentials, body). At the first difference every early answer not
//! yet taken is dropped unseen, and the rest goes out as usual.

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

/// One request sent early, and its answer.
struct Call<'a> {
    sent: OutboundRequest,
    state: RefCell<State<'a>>,
}

/// The Odoo requests sent early, in the order the request made them, and their answers.
pub struct Started<'a> {
    calls: Vec<Call<'a>>,
    used: Cell<usize>,
}

impl<'a> Started<'a> {
    pub fn new(calls: Vec<(OutboundRequest, LocalBoxFuture<'a, Answer>)>) -> Started<'a> {
        let calls = calls
            .into_iter()
            .map(|(sent, answer)| Call { sent, state: RefCell::new(State::Running(answer)) })
            .collect();
        Started { calls, used: Cell::new(0) }
    }

    /// Drives the calls while something else is awaited (keeps each answer once it arrives).
    pub fn drive(&self, cx: &mut Context<'_>) {
        for call in &self.calls {
            let mut state = call.state.borrow_mut();
            if let State::Running(f) = &mut *state {
                if let Poll::Ready(answer) = f.as_mut().poll(cx) {
                    *state = State::Arrived(answer);
                }
            }
        }
    }

    /// Drops every call not taken yet, and whatever it answered.
    pub fn drop_unseen(&self) {
        for call in &self.calls {
            *call.state.borrow_mut() = State::Gone;
        }
    }

    /// The `n`-th call, if `req` is the request it sent and it is still held; otherwise every call not
    /// taken yet is dropped.
    fn take_if(&self, n: usize, req: &OutboundRequest) -> Option<State<'a>> {
        let taken = self
            .calls
            .get(n)
            .filter(|c| c.sent == *req)
            .map(|c| std::mem::replace(&mut *c.state.borrow_mut(), State::Gone))
            .filter(|s| !matches!(s, State::Gone));
        match taken {
            Some(_) => self.used.set(self.used.get() + 1),
            None => self.drop_unseen(),
        }
        taken
    }

    /// Whether the served path took every early answer.
    pub fn was_used(&self) -> bool {
        self.used.get() == self.calls.len()
    }
}

/// The `Http` a request with an early start is served with: its requests get the early answers, in
/// order, as long as each is the request sent early; from the first that is not, every request goes
/// out as usual.
pub struct Handoff<'h, 'a> {
    inner: &'h dyn Http,
    started: &'h Started<'a>,
    /// Requests made so far; `None` once one differed from the early one.
    next: Cell<Option<usize>>,
}

impl<'h, 'a> Handoff<'h, 'a> {
    pub fn new(inner: &'h dyn Http, started: &'h Started<'a>) -> Handoff<'h, 'a> {
        Handoff { inner, started, next: Cell::new(Some(0)) }
    }
}

impl Http for Handoff<'_, '_> {
    fn send<'b>(&'b self, req: OutboundRequest) -> LocalBoxFuture<'b, Answer> {
        let early = self.next.get().and_then(|n| self.started.take_if(n, &req));
        self.next.set(self.next.get().filter(|_| early.is_some()).map(|n| n + 1));
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
        let started = Started::new(vec![(request("{}"), Box::pin(std::future::ready(answer("early"))))]);
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
        let started = Started::new(vec![(request("{}"), Box::pin(std::future::ready(answer("early"))))]);
        let fresh = Fresh(Cell::new(0));
        let http = Handoff::new(&fresh, &started);
        // Another body (other fields, other credentials …): sent as usual, the early answer never read.
        assert_eq!(body_of(run(http.send(request("{\"fields\": [\"name\"]}")))), "fresh");
        assert!(!started.was_used());
        assert_eq!(body_of(run(http.send(request("{}")))), "fresh", "not even by a later identical request");
        assert_eq!(fresh.0.get(), 2);
    }

    #[test]
    fn calls_made_at_once_are_handed_over_in_order_until_one_differs() {
        let ready = |b: &str| -> LocalBoxFuture<'static, Answer> { Box::pin(std::future::ready(answer(b))) };
        let both = || Started::new(vec![(request("1"), ready("early 1")), (request("2"), ready("early 2"))]);
        let fresh = Fresh(Cell::new(0));
        let started = both();
        let http = Handoff::new(&fresh, &started);
        assert_eq!(body_of(run(http.send(request("1")))), "early 1");
        assert_eq!(body_of(run(http.send(request("2")))), "early 2");
        assert!(started.was_used());
        assert_eq!(fresh.0.get(), 0);
        // The second differs: it and everything after goes out; the second early answer is dropped.
        let started = both();
        let http = Handoff::new(&fresh, &started);
        assert_eq!(body_of(run(http.send(request("1")))), "early 1");
        assert_eq!(body_of(run(http.send(request("3")))), "fresh");
        assert_eq!(body_of(run(http.send(request("2")))), "fresh");
        assert!(!started.was_used());
        assert_eq!(fresh.0.get(), 2);
    }

    #[test]
    fn a_dropped_call_is_never_handed_over() {
        let started = Started::new(vec![(request("{}"), Box::pin(std::future::ready(answer("early"))))]);
        started.drop_unseen();
        let fresh = Fresh(Cell::new(0));
        let http = Handoff::new(&fresh, &started);
        assert_eq!(body_of(run(http.send(request("{}")))), "fresh");
        assert!(!started.was_used());
    }
}
