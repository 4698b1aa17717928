//! How much of a request body is ever read, and what its headers say before it is: a runtime reads a
//! body only after `lib::before_body` found no answer without it, and stops one byte past the limit,
//! so that a body of any size costs at most `BODY_READ_LIMIT` bytes of memory and the core still
//! answers an oversized one (413, after authentication).

use super::HttpRequest;
/// Bodies above this are refused with 413 before parsing.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// The most of a body a runtime reads: one byte past `MAX_BODY_BYTES`, which is enough to know that
/// the body is over it.
pub const BODY_READ_LIMIT: usize = MAX_BODY_BYTES + 1;

/// Appends `chunk` to `body` without letting it grow past `BODY_READ_LIMIT`; `true` once it is full
/// (the runtime then stops reading: the rest is never needed).
pub fn append_bounded(body: &mut Vec<u8>, chunk: &[u8]) -> bool {
    let room = BODY_READ_LIMIT.saturating_sub(body.len());
    body.extend_from_slice(&chunk[..chunk.len().min(room)]);
    body.len() >= BODY_READ_LIMIT
}

/// The body's length as the `Content-Length` header declares it; `None` when it does not (a chunked
/// body, whose length is known only once read) or cannot be read.
pub fn declared_length(req: &HttpRequest) -> Option<u64> {
    req.header("content-length")?.trim().parse().ok()
}

/// Whether a body of this declared length may be read in one piece: it says where it ends, and that
/// is within `MAX_BODY_BYTES`. Any other is read as a stream, no further than `BODY_READ_LIMIT`.
pub fn read_whole(declared: Option<u64>) -> bool {
    declared.is_some_and(|n| n <= MAX_BODY_BYTES as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reading_stops_one_byte_past_the_limit() {
        let mut body = Vec::new();
        assert!(!append_bounded(&mut body, &[1; 1000]));
        assert!(!append_bounded(&mut body, &vec![2; MAX_BODY_BYTES - 1000]));
        assert_eq!(body.len(), MAX_BODY_BYTES, "a body at the limit is read whole");
        assert!(append_bounded(&mut body, &[3; 64 * 1024]));
        assert_eq!(body.len(), BODY_READ_LIMIT);
        assert!(append_bounded(&mut body, &[4; 10]), "full stays full");
        assert_eq!(body.len(), BODY_READ_LIMIT);
        assert_eq!(body[MAX_BODY_BYTES], 3);
    }

    #[test]
    fn only_a_declared_body_within_the_limit_is_read_whole() {
        assert!(read_whole(Some(0)));
        assert!(read_whole(Some(MAX_BODY_BYTES as u64)));
        assert!(!read_whole(Some(MAX_BODY_BYTES as u64 + 1)));
        assert!(!read_whole(Some(u64::MAX)));
        assert!(!read_whole(None), "chunked: its length is known only once read");
    }

    #[test]
    fn declared_lengths() {
        let with = |v: &str| HttpRequest { headers: vec![("content-length".into(), v.into())], ..Default::default() };
        assert_eq!(declared_length(&with("42")), Some(42));
        assert_eq!(declared_length(&with(" 10485760 ")), Some(10_485_760));
        assert_eq!(declared_length(&with("lots")), None);
        assert_eq!(declared_length(&HttpRequest::default()), None);
    }
}
