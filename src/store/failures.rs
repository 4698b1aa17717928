//! The failed-authentication tables: `auth_throttle` (failures per client network and clock minute) and
//! `auth_failure_groups` (repeats of one failure grouped into one audit row). The statements only; when
//! a network is throttled and what it is told is `policy::failures`'.

use crate::platform::{Db, Stmt};
use crate::store::{int, opt_int, opt_text, text, AuditEvent};

const MINUTE_MS: i64 = 60_000;
/// Repeats join a group while they come within this of the group's last failure …
pub const GROUP_GAP_MS: i64 = 10 * 60_000;
/// … and within this of its first, so a group's audit row never stays open for long.
pub const GROUP_SPAN_MS: i64 = 60 * 60_000;

/// Who failed: the client's network, and how many failures a minute it is allowed
/// (`AUTH_FAILURES_PER_MINUTE`).
#[derive(Debug, Clone, PartialEq)]
pub struct Client {
    /// The address as it is used and stored: `a.b.c.0/24`, `x:x:x:x::/64`, or `unknown`.
    pub network: String,
    pub limit: i64,
}

/// The start (ms) of the clock minute failures at `now_ms` are counted in: the throttle's rows are keyed
/// by it.
pub fn minute_of(now_ms: i64) -> i64 {
    now_ms.div_euclid(MINUTE_MS) * MINUTE_MS
}

/// The minute after the one failures at `now_ms` are counted in starts at this (ms).
pub fn next_minute(now_ms: i64) -> i64 {
    minute_of(now_ms) + MINUTE_MS
}

/// A row when the address has used up this minute's failures: it is refused before anything else.
pub fn blocked(client: &Client, now_ms: i64) -> Stmt {
    Stmt::new(
        "SELECT count FROM auth_throttle WHERE client = ?1 AND window_start = ?2 AND count >= ?3",
        vec![text(&client.network), int(minute_of(now_ms)), int(client.limit)],
    )
}

/// Counts one failure of the address, unless `key_hash` names a live key (then the request is not a
/// failure and nothing is written) or the minute already holds the limit (nothing is written either).
/// Returns the minute's new count when it counted, no row otherwise.
pub fn count(client: &Client, now_ms: i64, key_hash: Option<&str>) -> Stmt {
    Stmt::new(
        "INSERT INTO auth_throttle (client, window_start, count) SELECT ?1, ?2, 1 \
         WHERE NOT EXISTS (SELECT 1 FROM keys k WHERE k.key_hash = ?4 AND k.revoked_at IS NULL \
                           AND (k.expires_at IS NULL OR k.expires_at > ?5)) \
         ON CONFLICT (client) DO UPDATE \
         SET count = CASE WHEN window_start = excluded.window_start THEN count + 1 ELSE 1 END, \
             window_start = excluded.window_start \
         WHERE auth_throttle.window_start <> excluded.window_start OR auth_throttle.count < ?3 \
         RETURNING count",
        vec![text(&client.network), int(minute_of(now_ms)), int(client.limit), opt_text(key_hash), int(now_ms)],
    )
}

/// Counts a failure in its own round trip (the failure path only): `true` when it was counted, `false`
/// when the minute already held the limit. When D1 fails it says counted: a busy database is no reason
/// to tell a client more.
pub async fn count_now(db: &dyn Db, client: &Client, now_ms: i64) -> bool {
    !matches!(db.batch(vec![count(client, now_ms, None)]).await, Ok(results) if results.first().is_some_and(|rows| rows.is_empty()))
}

/// The statements (after the response) that record a failure in its group: the first of a group
/// inserts the audit row, a repeat only updates that row's detail, `{"client", "count", "first_at",
/// "last_at"}`. A group is the address and everything the row says (event, tool, outcome, key).
pub fn grouped(client: &Client, e: &AuditEvent<'_>, now_ms: i64) -> Vec<Stmt> {
    let client = client.network.as_str();
    let kind = format!(
        "{}|{}|{}|{}",
        e.event,
        e.tool.unwrap_or(""),
        e.outcome,
        e.key_id.map(|k| k.to_string()).unwrap_or_default()
    );
    vec![
        // A repeat continues its group while it is within `GROUP_GAP_MS` of the last failure and
        // `GROUP_SPAN_MS` of the first; otherwise the group starts afresh, with a new audit row.
        Stmt::new(
            "INSERT INTO auth_failure_groups (client, kind, first_at, last_at, count, audit_id) \
             VALUES (?1, ?2, ?3, ?3, 1, NULL) \
             ON CONFLICT (client, kind) DO UPDATE SET \
             count = CASE WHEN last_at >= ?3 - ?4 AND first_at >= ?3 - ?5 THEN count + 1 ELSE 1 END, \
             first_at = CASE WHEN last_at >= ?3 - ?4 AND first_at >= ?3 - ?5 THEN first_at ELSE ?3 END, \
             audit_id = CASE WHEN last_at >= ?3 - ?4 AND first_at >= ?3 - ?5 THEN audit_id ELSE NULL END, \
             last_at = ?3",
            vec![text(client), text(&kind), int(now_ms), int(GROUP_GAP_MS), int(GROUP_SPAN_MS)],
        ),
        Stmt::new(
            "INSERT INTO audit (at, event, key_id, key_prefix, connection_id, tool, outcome) \
             SELECT ?3, ?4, ?5, ?6, ?7, ?8, ?9 FROM auth_failure_groups \
             WHERE client = ?1 AND kind = ?2 AND audit_id IS NULL",
            vec![
                text(client),
                text(&kind),
                int(now_ms),
                text(e.event),
                opt_int(e.key_id),
                opt_text(e.key_prefix),
                opt_int(e.connection_id),
                opt_text(e.tool),
                text(e.outcome),
            ],
        ),
        // In the same transaction: the row just inserted is the newest.
        Stmt::new(
            "UPDATE auth_failure_groups SET audit_id = (SELECT MAX(id) FROM audit) \
             WHERE client = ?1 AND kind = ?2 AND audit_id IS NULL",
            vec![text(client), text(&kind)],
        ),
        Stmt::new(
            "UPDATE audit SET detail = (SELECT json_object('client', g.client, 'count', g.count, \
                 'first_at', g.first_at, 'last_at', g.last_at) FROM auth_failure_groups g WHERE g.client = ?1 AND g.kind = ?2) \
             WHERE id = (SELECT audit_id FROM auth_failure_groups WHERE client = ?1 AND kind = ?2)",
            vec![text(client), text(&kind)],
        ),
    ]
}

/// What the retention sweep deletes: minutes past, and groups that can take no more repeats.
pub fn sweep(now_ms: i64) -> Vec<Stmt> {
    vec![
        Stmt::new("DELETE FROM auth_throttle WHERE window_start < ?1", vec![int(minute_of(now_ms) - MINUTE_MS)]),
        Stmt::new(
            "DELETE FROM auth_failure_groups WHERE last_at < ?1 OR first_at < ?2",
            vec![int(now_ms - GROUP_GAP_MS), int(now_ms - GROUP_SPAN_MS)],
        ),
    ]
}
