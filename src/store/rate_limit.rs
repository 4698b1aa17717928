//! The per-key rate limit's table, `rate_buckets`: the one atomic statement that admits a request (or
//! not), and the window a refusal is explained from. How the buckets work and what a refusal says is
//! `policy::rate_limit`'s.

use super::failures::{minute_of, Client};
use crate::platform::{Row, Stmt};
use crate::store::{get_i64, int, text, StoreError};

/// The span in which at most `limit` requests are admitted.
pub const WINDOW_S: i64 = 60;
/// One slot per second of the window, plus the bucket that straddles its start.
pub const SLOTS: i64 = WINDOW_S + 1;

/// The second (bucket) a request at `now` (ms) is counted in.
pub fn second_of(now_ms: i64) -> i64 {
    now_ms.div_euclid(1000)
}

/// Counts the request's `weight` (at least 1) in its bucket if the key is live, limited, and has room
/// for all of it within the window; returns the bucket's new count when admitted, no row otherwise. The
/// limit is the key's own, else the administrator's default, else the environment's (`default_limit`).
/// Nothing is counted for a request from a throttled client network (`store::failures`): it is refused.
pub fn admit(key_hash: &str, default_limit: i64, now_ms: i64, weight: i64, client: &Client) -> Stmt {
    let second = second_of(now_ms);
    Stmt::new(
        concat!(
            "INSERT INTO rate_buckets (key_hash, slot, second, count) \
             SELECT k.key_hash, ?2, ?3, ?6 FROM keys k \
             WHERE k.key_hash = ?1 AND k.revoked_at IS NULL AND (k.expires_at IS NULL OR k.expires_at > ?4) \
             AND NOT EXISTS (SELECT 1 FROM key_suspensions s WHERE s.key_id = k.id) \
             AND COALESCE(k.rate_limit, ",
            crate::rate_limit_sql!(),
            ", ?5) > 0 \
             AND NOT EXISTS (SELECT 1 FROM auth_throttle t WHERE t.client = ?7 AND t.window_start = ?8 AND t.count >= ?9) \
             AND (SELECT COALESCE(SUM(b.count), 0) FROM rate_buckets b WHERE b.key_hash = ?1 AND b.second >= ?3 - 60) + ?6 \
                 <= COALESCE(k.rate_limit, ",
            crate::rate_limit_sql!(),
            ", ?5) \
             ON CONFLICT (key_hash, slot) DO UPDATE \
             SET count = CASE WHEN second = excluded.second THEN count + excluded.count ELSE excluded.count END, \
                 second = excluded.second \
             RETURNING count"
        ),
        vec![
            text(key_hash),
            int(second.rem_euclid(SLOTS)),
            int(second),
            int(now_ms),
            int(default_limit),
            int(weight.max(1)),
            text(&client.network),
            int(minute_of(now_ms)),
            int(client.limit),
        ],
    )
}

/// The buckets of the key's window as they stand after `admit` (in the same batch, so on a refusal
/// exactly what the refusal saw): what `retry_after_s` needs.
pub fn window(key_hash: &str, now_ms: i64) -> Stmt {
    Stmt::new(
        "SELECT second, count FROM rate_buckets WHERE key_hash = ?1 AND second >= ?2 - 60 ORDER BY second",
        vec![text(key_hash), int(second_of(now_ms))],
    )
}

/// One bucket of the window: its second and how many requests it admitted.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bucket {
    pub second: i64,
    pub count: i64,
}

pub fn bucket_from_row(row: &Row) -> Result<Bucket, StoreError> {
    Ok(Bucket { second: get_i64(row, "second")?, count: get_i64(row, "count")? })
}
