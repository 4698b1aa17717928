//! Retention: what the daily cron trigger deletes so that D1 does not grow without bound.

use super::int;
use super::rate_limit::WINDOW_S;
use crate::platform::Stmt;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// Ended sessions are kept a day (for diagnosis); expired ones (`sessions::IDLE_LIMIT_MS`) are already
/// refused on use and only deleted here.
const ENDED_SESSION_KEEP_MS: i64 = DAY_MS;

/// The statements of one sweep, run as one batch.
pub fn sweep(now: i64, audit_days: i64) -> Vec<Stmt> {
    let mut stmts = vec![
        // A bucket counts only while it is within 60 s of a request; a key in use reuses its own 61 rows,
        // so this removes the buckets of keys that went quiet.
        Stmt::new("DELETE FROM rate_buckets WHERE second < ?1", vec![int(now.div_euclid(1000) - WINDOW_S)]),
        // The fixed-minute counters of the previous version (still written by it during a rolling deploy).
        Stmt::new("DELETE FROM rate_counters WHERE window_start < ?1", vec![int(now - 2 * WINDOW_S * 1000)]),
        Stmt::new(
            "DELETE FROM sessions WHERE (ended_at IS NOT NULL AND ended_at < ?1) OR last_seen_at < ?2",
            vec![int(now - ENDED_SESSION_KEEP_MS), int(super::sessions::alive_since(now))],
        ),
        super::schema_cache::sweep(now),
        // A cancellation matters only while its request runs (minutes at most).
        Stmt::new("DELETE FROM cancellations WHERE at < ?1", vec![int(now - DAY_MS)]),
        // Approvals: an answer matters while its question waits, a used approval while its signed state is
        // still within its expiry; the client facts of sessions that are gone.
        Stmt::new("DELETE FROM approval_answers WHERE at < ?1", vec![int(now - DAY_MS)]),
        Stmt::new("DELETE FROM approval_uses WHERE at < ?1", vec![int(now - DAY_MS)]),
        Stmt::new("DELETE FROM session_clients WHERE session_id NOT IN (SELECT id FROM sessions)", vec![]),
        // The administrator's setting wins over the environment's `audit_days`.
        Stmt::new(
            concat!("DELETE FROM audit WHERE at < ?1 - MAX(1, COALESCE(", crate::retention_days_sql!(), ", ?2)) * ?3"),
            vec![int(now), int(audit_days), int(DAY_MS)],
        ),
    ];
    // Past minutes of the failed-authentication throttle, and groups that take no more repeats.
    stmts.extend(super::failures::sweep(now));
    // OAuth: expired codes and tokens, registrations no one signed in with, requests no one decided,
    // and the Odoo credentials of grants that ended long ago.
    stmts.push(super::oauth::tokens::sweep(now));
    stmts.push(super::oauth::clients::sweep(now, super::oauth::clients::UNUSED_REGISTRATION_MS));
    stmts.extend(super::oauth::grants::sweep(now));
    stmts
}
