//! The per-key rate limit: at most `limit` requests admitted in **any** 60-second span, admitted by one
//! atomic statement in the authentication batch (its SQL is `store::rate_limit`'s, its outcome is read
//! by `policy::auth::check_key`), and the `Retry-After` of a refusal, decided here.
//!
//! Admitted requests are counted per key in one-second buckets (`rate_buckets`). A request at second `s`
//! is admitted when the buckets from `s - 60` on hold fewer than `limit` requests. A fixed clock-minute
//! window would let up to twice the limit through around a minute boundary; these buckets cover every
//! request that may lie within 60 s of this one (the bucket `s - 60` only partly, so the limiter is
//! conservative by less than a second, never over). Buckets newer than `s` count too: an isolate whose
//! clock runs behind another's still sees the requests the other admitted.
//!
//! Each key has 61 slots (`second mod 61`); a slot is reused once its second has left the window, so a
//! key holds at most 61 rows whatever its limit, and no request needs a delete.
//!
//! The admission is a single statement (`store::rate_limit::admit`), `INSERT … SELECT … WHERE (sum) +
//! weight <= limit … ON CONFLICT DO UPDATE … RETURNING`: D1 runs one statement at a time, so the sum and the increment are atomic across isolates
//! and processes. A refused request writes nothing (it does not consume the limit), and neither does an
//! unknown, revoked, expired or suspended key, nor an unlimited one (a limit of 0 or less).
//!
//! A request's weight is the number of requests it carries: 1, or one per message of a JSON-RPC batch
//! (`transport::session_lane::weight`). A batch is admitted whole or not at all: counting only the part that fits
//! would need the admitted count back from the same statement, and serving part of a batch would leave
//! the client to work out which part. A batch that does not fit now is refused with the `Retry-After`
//! at which it would; one larger than the limit itself never fits and is told so.

use crate::store::rate_limit::{Bucket, SLOTS};

/// Whole seconds (at least 1) after which a request of `weight` refused at `now_ms` would be admitted, if
/// no other request is admitted meanwhile: the oldest buckets leave the window one by one, and the
/// request is admitted once those left hold at most `limit - weight`. A bucket `b` leaves the window of
/// a request at second `b + 61`, i.e. at `(b + 61) * 1000` ms; rounding up makes the answer never too
/// early. (A weight above the limit never fits: the caller says so instead of asking.)
pub fn retry_after_s(buckets: &[Bucket], limit: i64, weight: i64, now_ms: i64) -> i64 {
    let mut sorted = buckets.to_vec();
    sorted.sort_by_key(|b| b.second);
    let mut must_leave = sorted.iter().map(|b| b.count).sum::<i64>() - limit + weight.max(1);
    for b in &sorted {
        must_leave -= b.count;
        if must_leave <= 0 {
            let admitted_at_ms = (b.second + SLOTS) * 1000;
            return ((admitted_at_ms - now_ms + 999).div_euclid(1000)).max(1);
        }
    }
    // The window held fewer than the limit (a refusal raced a change of the limit): retry at once.
    1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(second: i64, count: i64) -> Bucket {
        Bucket { second, count }
    }

    #[test]
    fn retry_after_is_when_enough_of_the_oldest_buckets_have_left() {
        // Limit 5, full: 3 at second 100, 2 at second 130; refused at 150.4 s.
        let full = [b(130, 2), b(100, 3)];
        // The bucket at 100 leaves at 161 s: 10.6 s away, rounded up.
        assert_eq!(retry_after_s(&full, 5, 1, 150_400), 11);
        // A limit lowered to 2 needs both buckets gone (191 s).
        assert_eq!(retry_after_s(&full, 2, 1, 150_400), 41);
        // A request exactly on a second boundary waits whole seconds.
        assert_eq!(retry_after_s(&full, 5, 1, 151_000), 10);
    }

    #[test]
    fn retry_after_is_at_least_one_second() {
        assert_eq!(retry_after_s(&[b(100, 5)], 5, 1, 160_999), 1);
        assert_eq!(retry_after_s(&[b(100, 1)], 5, 1, 160_000), 1);
        assert_eq!(retry_after_s(&[], 5, 1, 160_000), 1);
    }

    #[test]
    fn a_batch_waits_until_there_is_room_for_all_of_it() {
        // Limit 5: 3 at second 100, 1 at 130; refused at 150.4 s. A batch of 2 (or 4) needs the bucket
        // at 100 gone (161 s); one of 5 needs every bucket gone (191 s).
        let window = [b(100, 3), b(130, 1)];
        assert_eq!(retry_after_s(&window, 5, 2, 150_400), 11);
        assert_eq!(retry_after_s(&window, 5, 4, 150_400), 11);
        assert_eq!(retry_after_s(&window, 5, 5, 150_400), 41);
    }

    #[test]
    fn a_bucket_ahead_of_this_clock_leaves_last() {
        // Another isolate's clock is 2 s ahead: its bucket (202) counts and leaves at 263 s.
        assert_eq!(retry_after_s(&[b(202, 1), b(150, 1)], 2, 1, 200_500), 11);
        assert_eq!(retry_after_s(&[b(202, 1), b(150, 1)], 1, 1, 200_500), 63);
    }
}
