//! What leaves the Worker. Every outbound request passes [`Guarded`], which lets it out only to a URL
//! [`guard::check`] allows, and sends it to the URL as parsed there; redirects are never followed (the
//! runtime adapter fetches with `redirect: "manual"`, and the callers treat a 3xx as an error naming its
//! `Location`), so credentials meant for one host never reach another.

pub mod guard;

use crate::platform::{Http, HttpError, InboundResponse, LocalBoxFuture, OutboundRequest};

/// The runtime's `Http` behind the guard; `lib::serve` hands this, never the bare runtime, to the core.
pub struct Guarded<'a> {
    inner: &'a dyn Http,
    allow_loopback: bool,
}

impl<'a> Guarded<'a> {
    pub fn new(inner: &'a dyn Http, allow_loopback: bool) -> Guarded<'a> {
        Guarded { inner, allow_loopback }
    }
}

impl Http for Guarded<'_> {
    fn send<'a>(&'a self, mut req: OutboundRequest) -> LocalBoxFuture<'a, Result<InboundResponse, HttpError>> {
        Box::pin(async move {
            let url = guard::check(&req.url, self.allow_loopback).map_err(|r| HttpError::Refused(r.message()))?;
            req.url = url.to_string();
            self.inner.send(req).await
        })
    }
}
