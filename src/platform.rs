//! The seam between the core and its runtime: SQL execution (`Db`), outbound HTTP (`Http`), the clock
//! and randomness. The Worker adapter implements these with D1 and `fetch`; native tests implement them
//! with SQLite and a plain TCP client. Nothing else in the core knows which runtime it runs on.

use serde_json::{Map, Value};
use std::future::Future;
use std::pin::Pin;

/// A future that need not be `Send`: JS-backed futures in wasm never are.
pub type LocalBoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// One SQL statement with positional (`?1`, `?2`, …) parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Stmt {
    pub sql: &'static str,
    pub params: Vec<Value>,
}

impl Stmt {
    pub fn new(sql: &'static str, params: Vec<Value>) -> Stmt {
        Stmt { sql, params }
    }
}

/// A result row: column name → value (integers, floats, text, null).
pub type Row = Map<String, Value>;

#[derive(Debug, Clone, PartialEq)]
pub enum DbError {
    /// Worth retrying: the database was busy or the connection to it was lost.
    Transient(String),
    /// A constraint was violated (e.g. a duplicate name).
    Constraint(String),
    Other(String),
}

impl std::fmt::Display for DbError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DbError::Transient(m) => write!(f, "database temporarily unavailable: {m}"),
            DbError::Constraint(m) => write!(f, "database constraint: {m}"),
            DbError::Other(m) => write!(f, "database error: {m}"),
        }
    }
}

/// Executes statements as one batch (one round trip, one implicit transaction in D1) and returns the
/// rows of each statement in order.
pub trait Db {
    fn batch<'a>(&'a self, stmts: Vec<Stmt>) -> LocalBoxFuture<'a, Result<Vec<Vec<Row>>, DbError>>;
}

/// Classifies a driver message. D1 and SQLite report busy databases and lost connections in text.
pub fn classify_db_error(message: &str) -> DbError {
    let m = message.to_ascii_lowercase();
    if m.contains("unique constraint") || m.contains("constraint failed") {
        DbError::Constraint(message.to_string())
    } else if m.contains("sqlite_busy")
        || m.contains("database is locked")
        || m.contains("network connection lost")
        || m.contains("object to be reset")
        || m.contains("reset because its code was updated")
        || m.contains("internal error")
    {
        DbError::Transient(message.to_string())
    } else {
        DbError::Other(message.to_string())
    }
}

/// How many times a batch is tried while it fails transiently. The proven recipe for busy local SQLite
/// (docs/toolchain.md §7), with 16 tries rather than 12 (at most about 1.2 s in all): 12 ran out once in
/// the two-worker rate-limit test while the machine was saturated by other builds.
pub const DB_TRIES: u32 = 16;

/// The pause (ms) after failed try `attempt` (1-based), from one random byte: 2 + (r mod 10)·attempt, so
/// isolates that collided spread out, and a longer run of failures waits longer.
pub fn db_retry_delay_ms(attempt: u32, random: u8) -> u64 {
    2 + (random as u64 % 10) * attempt as u64
}

/// Runs `attempt` until it succeeds, fails other than transiently, or has been tried `DB_TRIES` times,
/// awaiting `sleep(ms)` between tries (busy local SQLite and D1's transient resets both clear quickly).
/// A constraint or other error is returned at once: trying again would only repeat it.
pub async fn retry_transient<T, A, F, S, W>(mut attempt: A, mut sleep: S) -> Result<T, DbError>
where
    A: FnMut() -> F,
    F: Future<Output = Result<T, DbError>>,
    S: FnMut(u64) -> W,
    W: Future<Output = ()>,
{
    let mut tried = 0;
    loop {
        tried += 1;
        match attempt().await {
            Err(DbError::Transient(_)) if tried < DB_TRIES => {
                let mut r = [0u8; 1];
                let _ = random_bytes(&mut r);
                sleep(db_retry_delay_ms(tried, r[0])).await;
            }
            other => return other,
        }
    }
}

/// An outbound HTTP request (always to an Odoo server), sent through `net::Guarded`.
#[derive(Debug, Clone, PartialEq)]
pub struct OutboundRequest {
    pub method: &'static str,
    pub url: String,
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    pub timeout_ms: u64,
}

#[derive(Debug, Clone)]
pub struct InboundResponse {
    pub status: u16,
    pub content_type: String,
    /// The `Retry-After` header, when the answer had one (a 429 or 503).
    pub retry_after: Option<String>,
    /// The `Location` header of a redirect (3xx), which is never followed.
    pub location: Option<String>,
    pub body: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum HttpError {
    Timeout,
    /// Connection refused, DNS failure, TLS failure, reset …
    Network(String),
    /// The URL is not one the Worker may fetch (`net::guard`); nothing was sent.
    Refused(String),
}

pub trait Http {
    fn send<'a>(&'a self, req: OutboundRequest) -> LocalBoxFuture<'a, Result<InboundResponse, HttpError>>;
}

/// Milliseconds since the Unix epoch.
/// Runs two futures at once, each polled in turn until both are done: independent Odoo calls of one
/// request then cost the longer of the two, not their sum.
pub async fn join<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let (mut a, mut b) = (std::pin::pin!(a), std::pin::pin!(b));
    let (mut ra, mut rb) = (None, None);
    std::future::poll_fn(|cx| {
        if ra.is_none() {
            if let std::task::Poll::Ready(v) = a.as_mut().poll(cx) {
                ra = Some(v);
            }
        }
        if rb.is_none() {
            if let std::task::Poll::Ready(v) = b.as_mut().poll(cx) {
                rb = Some(v);
            }
        }
        match (ra.take(), rb.take()) {
            (Some(x), Some(y)) => std::task::Poll::Ready((x, y)),
            (x, y) => {
                (ra, rb) = (x, y);
                std::task::Poll::Pending
            }
        }
    })
    .await
}

/// Waits `ms` milliseconds on the runtime's timer: a request waiting for its person's answer sleeps
/// between looks (`mcp::approval`). The Worker's is `setTimeout`; `thread_sleep` serves native runs.
pub type Sleep = fn(u64) -> LocalBoxFuture<'static, ()>;

/// A `Sleep` for native runs on any executor: until the time has passed, each poll parks the thread for
/// at most a millisecond and asks to be polled again, so other futures joined with it keep running.
#[cfg(not(target_arch = "wasm32"))]
pub fn thread_sleep(ms: u64) -> LocalBoxFuture<'static, ()> {
    use std::time::{Duration, Instant};
    let until = Instant::now() + Duration::from_millis(ms);
    Box::pin(std::future::poll_fn(move |cx| {
        let now = Instant::now();
        if now >= until {
            return std::task::Poll::Ready(());
        }
        std::thread::sleep((until - now).min(Duration::from_millis(1)));
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    }))
}

/// `utc` (Odoo's `YYYY-MM-DD HH:MM:SS`, in UTC) as the wall-clock time in the time zone `tz`, in the same
/// form; `None` when either cannot be read. The Worker asks the runtime (`Intl`, the tz database workerd
/// carries); native builds use `chrono-tz`.
#[cfg(target_arch = "wasm32")]
pub fn local_time(utc: &str, tz: &str) -> Option<String> {
    let js = |s: &str| js_sys::JsString::from(s);
    let (date, time) = utc.split_once(' ')?;
    let d = js_sys::Date::new(&js(&format!("{date}T{time}Z")));
    if d.get_time().is_nan() {
        return None;
    }
    let options = js_sys::Object::new();
    for (k, v) in [
        ("timeZone", tz),
        ("hourCycle", "h23"),
        ("year", "numeric"),
        ("month", "2-digit"),
        ("day", "2-digit"),
        ("hour", "2-digit"),
        ("minute", "2-digit"),
        ("second", "2-digit"),
    ] {
        js_sys::Reflect::set(&options, &js(k), &js(v)).ok()?;
    }
    // Through Reflect, so that an unknown zone's RangeError is an `Err`, not a trap.
    let f = js_sys::Function::from(js_sys::Reflect::get(&d, &js("toLocaleString")).ok()?);
    if !f.is_function() {
        return None;
    }
    let args = js_sys::Array::of2(&js("sv-SE"), &options);
    let text = js_sys::Reflect::apply(&f, &d, &args).ok()?.as_string()?;
    // Swedish writes ISO dates: "2026-11-24 12:22:03".
    (text.len() == 19).then_some(text)
}

#[cfg(not(target_arch = "wasm32"))]
pub fn local_time(utc: &str, tz: &str) -> Option<String> {
    let zone: chrono_tz::Tz = tz.parse().ok()?;
    let naive = chrono::NaiveDateTime::parse_from_str(utc, "%Y-%m-%d %H:%M:%S").ok()?;
    Some(naive.and_utc().with_timezone(&zone).format("%Y-%m-%d %H:%M:%S").to_string())
}

/// `s` lowercased by Unicode's rules (`str::to_lowercase`'s). The Worker asks the runtime
/// (`String.prototype.toLowerCase`): Rust's own brings its case tables, about 7 KB of the bundle's gzip,
/// for a few comparisons (logins, connection names, completion); native builds use Rust's.
#[cfg(target_arch = "wasm32")]
pub fn lowercase(s: &str) -> String {
    js_sys::JsString::from(s).to_lower_case().into()
}

#[cfg(not(target_arch = "wasm32"))]
pub fn lowercase(s: &str) -> String {
    s.to_lowercase()
}

#[cfg(target_arch = "wasm32")]
pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

#[cfg(not(target_arch = "wasm32"))]
pub fn now_ms() -> i64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
}

/// Fills `buf` from the platform's CSPRNG (crypto.getRandomValues in workerd).
pub fn random_bytes(buf: &mut [u8]) -> Result<(), String> {
    getrandom::getrandom(buf).map_err(|e| format!("no randomness available: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::{Cell, RefCell};
    use std::task::{Context, Poll, Waker};

    fn block_on<F: Future>(f: F) -> F::Output {
        let mut f = std::pin::pin!(f);
        let mut cx = Context::from_waker(Waker::noop());
        loop {
            if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }

    /// Runs `retry_transient` over `answers` (the last one repeated); the tries made and pauses taken.
    fn run(answers: &[Result<u32, DbError>]) -> (Result<u32, DbError>, u32, Vec<u64>) {
        let tries = Cell::new(0usize);
        let pauses = RefCell::new(Vec::new());
        let result = block_on(retry_transient(
            || {
                let i = tries.get();
                tries.set(i + 1);
                let answer = answers[i.min(answers.len() - 1)].clone();
                async move { answer }
            },
            |ms| {
                pauses.borrow_mut().push(ms);
                async {}
            },
        ));
        (result, tries.get() as u32, pauses.into_inner())
    }

    fn busy() -> Result<u32, DbError> {
        Err(DbError::Transient("SQLITE_BUSY".into()))
    }

    #[test]
    fn local_times_follow_the_zone_and_its_summer_time() {
        assert_eq!(local_time("2026-11-24 11:22:03", "Europe/Brussels").as_deref(), Some("2026-11-24 12:22:03"));
        assert_eq!(local_time("2026-07-01 11:00:00", "Europe/Brussels").as_deref(), Some("2026-07-01 13:00:00"));
        assert_eq!(local_time("2026-01-01 02:00:00", "America/New_York").as_deref(), Some("2025-12-31 21:00:00"));
        assert_eq!(local_time("2026-11-24 11:22:03", "Mars/Olympus"), None);
        assert_eq!(local_time("yesterday", "UTC"), None);
    }

    #[test]
    fn transient_errors_are_retried_until_one_succeeds() {
        let (result, tries, pauses) = run(&[busy(), busy(), Ok(7)]);
        assert_eq!((result, tries, pauses.len()), (Ok(7), 3, 2));
    }

    #[test]
    fn transient_errors_are_retried_up_to_the_bound_and_then_returned() {
        let (result, tries, pauses) = run(&[busy()]);
        assert_eq!(result, busy());
        assert_eq!(tries, DB_TRIES);
        assert_eq!(pauses.len() as u32, DB_TRIES - 1, "no pause after the last try");
        for (i, ms) in pauses.iter().enumerate() {
            assert!((2..=2 + 9 * (i as u64 + 1)).contains(ms), "pause {i}: {ms} ms");
        }
        assert!(pauses.iter().sum::<u64>() <= 2 * 15 + 9 * (1..16).sum::<u64>(), "about 1.2 s at most");
    }

    #[test]
    fn constraint_and_other_errors_are_not_retried() {
        for error in [DbError::Constraint("UNIQUE constraint failed".into()), DbError::Other("no such table".into())] {
            let (result, tries, pauses) = run(&[Err(error.clone()), Ok(1)]);
            assert_eq!((result, tries, pauses), (Err(error), 1, vec![]));
        }
    }

    #[test]
    fn pauses_are_jittered_and_grow_with_the_try() {
        assert_eq!(db_retry_delay_ms(1, 0), 2);
        assert_eq!(db_retry_delay_ms(1, 9), 11);
        assert_eq!(db_retry_delay_ms(3, 19), 29);
        let spread: std::collections::BTreeSet<u64> = (0..=255u8).map(|r| db_retry_delay_ms(4, r)).collect();
        assert_eq!(spread.len(), 10, "ten distinct pauses per try");
        assert_eq!((spread.first(), spread.last()), (Some(&2), Some(&38)));
    }
}
