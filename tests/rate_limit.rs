//! The per-key rate limit on `/mcp`, driven through `lib::serve` with an injected clock: never more than
//! the limit admitted in any 60-second span (also across a minute boundary), refused requests not
//! counted, `Retry-After` naming the second a request is admitted again, and the limit taken from the
//! key, else the console's default, else the environment.

mod support;

use fake_odoo::OdooVersion;
use serde_json::json;
use support::Harness;

/// A minute boundary on the clock (1_800_000_000_000 ms is a multiple of 60 000).
const BOUNDARY: i64 = 1_800_000_000_000;

fn harness() -> (Harness, i64) {
    let h = Harness::new();
    let c = h.connection(OdooVersion::V19, "main", &["res.partner"]);
    (h, c)
}

/// Issues a key with this limit (`None`: the default applies).
fn key(h: &Harness, c: i64, limit: Option<i64>) -> String {
    let key = h.key(c, OdooVersion::V19, "demo2");
    if let Some(n) = limit {
        h.db.rows(&format!("UPDATE keys SET rate_limit = {n} WHERE id = (SELECT MAX(id) FROM keys)"));
    }
    key
}

/// A request at `t` (ms): `Ok(())` when admitted, `Err(retry_after_s)` when refused with 429.
fn request_at(h: &Harness, key: &str, t: i64) -> Result<(), i64> {
    *h.now.borrow_mut() = t;
    let r = h.stateless(key, json!(1), "server/discover", json!({}), &[]);
    match r.status {
        200 => Ok(()),
        429 => {
            let retry = r.header("retry-after").expect("429 has Retry-After").parse::<i64>().expect("whole seconds");
            assert!(retry >= 1, "Retry-After {retry}");
            assert!(r.raw.contains("requests per minute exceeded"), "{}", r.raw);
            Err(retry)
        }
        other => panic!("unexpected status {other}: {}", r.raw),
    }
}

fn bucketed_requests(h: &Harness) -> i64 {
    h.db.rows("SELECT COALESCE(SUM(count), 0) AS n FROM rate_buckets")[0]["n"].as_i64().unwrap()
}

#[test]
fn a_burst_across_a_minute_boundary_admits_at_most_the_limit_in_any_60_seconds() {
    let (h, c) = harness();
    let key = key(&h, c, Some(5));
    // The case: 5 admitted and 3 refused just before the minute turns; the next one, just after
    // it, is still within 60 s of all five.
    for i in 0..5 {
        assert_eq!(request_at(&h, &key, BOUNDARY - 3_000 + i * 100), Ok(()), "request {i}");
    }
    for i in 0..3 {
        assert!(request_at(&h, &key, BOUNDARY - 2_000 + i * 500).is_err(), "request {} before the boundary", 5 + i);
    }
    assert!(request_at(&h, &key, BOUNDARY + 200).is_err(), "the minute turning frees nothing");

    // Then a steady stream, two a second for over two minutes.
    let mut admitted = vec![];
    for t in (BOUNDARY + 500..BOUNDARY + 130_000).step_by(500) {
        if request_at(&h, &key, t).is_ok() {
            admitted.push(t);
        }
    }
    let mut all: Vec<i64> = (0..5).map(|i| BOUNDARY - 3_000 + i * 100).collect();
    all.extend(&admitted);
    // The busiest 60-second span starts at an admitted request.
    for &start in &all {
        let within = all.iter().filter(|&&t| t >= start && t < start + 60_000).count();
        assert!(within <= 5, "{within} admitted in the 60 s from {start}: {all:?}");
    }
    // Never starved beyond the one-second buckets: the first five's bucket leaves the window 61 s after
    // its second began (the limit is then reached again within three seconds), and again 61 s later.
    assert_eq!(admitted.len(), 10, "{admitted:?}");
    assert_eq!(admitted[0], BOUNDARY + 58_000);
    // The slots of the buckets that left were reused: the table holds the last window's five.
    assert_eq!(bucketed_requests(&h), 5, "only admitted requests are counted");
    assert_eq!(h.db.rows("SELECT COUNT(*) AS n FROM rate_buckets")[0]["n"], json!(3));
}

#[test]
fn refused_requests_are_not_counted() {
    let (h, c) = harness();
    let key = key(&h, c, Some(3));
    for t in [BOUNDARY + 100, BOUNDARY + 200, BOUNDARY + 300] {
        assert_eq!(request_at(&h, &key, t), Ok(()));
    }
    // A client hammering while refused: once a second for the whole minute.
    for s in 1..=60 {
        assert!(request_at(&h, &key, BOUNDARY + s * 1_000).is_err(), "at +{s} s");
    }
    assert_eq!(bucketed_requests(&h), 3, "refused requests left no trace in the buckets");
    // Once the three have left the window, the full limit is available again.
    for t in [BOUNDARY + 61_000, BOUNDARY + 61_001, BOUNDARY + 61_002] {
        assert_eq!(request_at(&h, &key, t), Ok(()), "at {t}");
    }
    assert!(request_at(&h, &key, BOUNDARY + 61_003).is_err());
    let events = h.db.rows("SELECT count(*) AS n FROM audit WHERE event = 'rate_limited'");
    assert_eq!(events[0]["n"], json!(61), "each refusal is audited");
}

#[test]
fn retry_after_names_the_second_a_request_is_admitted_again() {
    let (h, c) = harness();
    let key = key(&h, c, Some(2));
    assert_eq!(request_at(&h, &key, BOUNDARY + 300), Ok(()));
    assert_eq!(request_at(&h, &key, BOUNDARY + 20_700), Ok(()));
    let mut t = BOUNDARY + 30_450;
    let mut retries = vec![];
    for round in 0..4 {
        let retry = request_at(&h, &key, t).expect_err("the window is full");
        if retry > 1 {
            assert_eq!(
                request_at(&h, &key, t + (retry - 1) * 1_000),
                Err(1),
                "round {round}: still refused a second before Retry-After"
            );
        }
        assert_eq!(request_at(&h, &key, t + retry * 1_000), Ok(()), "round {round}: admitted when Retry-After says");
        retries.push(retry);
        t += retry * 1_000 + 1;
    }
    // Refused at +30.45 s: the request at +0.3 s leaves the window at +61 s (its second's start + 61),
    // 30.55 s later, rounded up. Admitted at +61.45 s, refused at +61.451 s: the one at +20.7 s leaves at
    // +81 s. And so on, each time the oldest of the two admitted requests.
    assert_eq!(retries, [31, 20, 41, 20]);
}

#[test]
fn the_keys_own_limit_else_the_consoles_default_else_the_environments() {
    let (mut h, c) = harness();
    h.settings.default_rate_limit = 2;
    let from_env = key(&h, c, None);
    let own = key(&h, c, Some(4));
    let admitted = |key: &str, t: i64| (0..10).filter(|i| request_at(&h, key, t + i).is_ok()).count();
    assert_eq!(admitted(&from_env, BOUNDARY), 2, "RATE_LIMIT_PER_MINUTE");
    assert_eq!(admitted(&own, BOUNDARY), 4, "the key's own limit");

    let r = h.admin("PUT", "/admin/api/settings", Some(json!({"default_rate_limit": 3})));
    assert_eq!(r.status, 200, "{}", r.raw);
    let from_console = key(&h, c, None);
    assert_eq!(admitted(&from_console, BOUNDARY + 1_000), 3, "the console's default");
    assert_eq!(admitted(&own, BOUNDARY + 61_000), 4, "the key's own limit wins over the console's");
    // The default raised for a key that is already limited applies at once, to the same window.
    assert_eq!(admitted(&from_env, BOUNDARY + 2_000), 1);
}

#[test]
fn a_limit_of_zero_is_unlimited_and_counts_nothing() {
    let (h, c) = harness();
    let key = key(&h, c, Some(0));
    for i in 0..150 {
        assert_eq!(request_at(&h, &key, BOUNDARY + i * 10), Ok(()), "request {i}");
    }
    assert_eq!(bucketed_requests(&h), 0);
}

#[test]
fn only_live_keys_get_buckets() {
    let (h, c) = harness();
    *h.now.borrow_mut() = BOUNDARY;
    let unknown = "omcp_unknownunknownunknownunknownunknownunknown";
    let revoked = key(&h, c, Some(5));
    h.db.rows("UPDATE keys SET revoked_at = 1 WHERE id = (SELECT MAX(id) FROM keys)");
    let expired = key(&h, c, Some(5));
    h.db.rows(&format!("UPDATE keys SET expires_at = {BOUNDARY} WHERE id = (SELECT MAX(id) FROM keys)"));
    for k in [unknown, &revoked, &expired] {
        *h.now.borrow_mut() = BOUNDARY + 1_000;
        assert_eq!(h.stateless(k, json!(1), "server/discover", json!({}), &[]).status, 401);
    }
    assert_eq!(bucketed_requests(&h), 0, "no bucket for an unknown, revoked or expired key");
    let live = key(&h, c, Some(5));
    assert_eq!(request_at(&h, &live, BOUNDARY + 1_000), Ok(()));
    assert_eq!(bucketed_requests(&h), 1);
}
