//! Invariants of pagination cursors (`capabilities::cursor`): decoding anything never panics and
//! accepts only the one canonical cursor issued for that secret, binding and offset; issued cursors
//! round-trip, and any single-byte change to one (or another binding or secret) is refused.
//!
//! Input: `secret \n binding \n cursor` (the binding and the cursor with invalid UTF-8 replaced).

use crate::capabilities::cursor::{decode, encode};

pub fn cursor(data: &[u8]) {
    let mut parts = data.splitn(3, |b| *b == b'\n');
    let secret = parts.next().unwrap_or_default();
    let binding = String::from_utf8_lossy(parts.next().unwrap_or_default());
    let given = String::from_utf8_lossy(parts.next().unwrap_or_default());

    if let Some(offset) = decode(secret, &binding, &given) {
        assert_eq!(encode(secret, &binding, offset), given, "accepted a cursor that is not the one issued");
    }

    // Offsets from the input: its cursor's number, and its first eight bytes read as one.
    let mut raw = [0u8; 8];
    given.bytes().take(8).enumerate().for_each(|(i, b)| raw[i] = b);
    let salt = data.last().copied().unwrap_or(b'x');
    round_trip(secret, &binding, u64::from_le_bytes(raw), salt);
    if let Some(n) = given.split('.').next().and_then(|p| p.parse::<u64>().ok()) {
        round_trip(secret, &binding, n, salt);
    }
}

fn round_trip(secret: &[u8], binding: &str, offset: u64, salt: u8) {
    let c = encode(secret, binding, offset);
    assert!(c.is_ascii() && c.matches('.').count() == 1, "cursor {c:?}");
    assert_eq!(decode(secret, binding, &c), Some(offset), "issued {c:?} for {offset}");
    assert_eq!(decode(secret, &format!("{binding}{}", salt as char), &c), None, "accepted for another binding");
    let mut shorter = binding.to_string();
    if shorter.pop().is_some() {
        assert_eq!(decode(secret, &shorter, &c), None, "accepted for a shorter binding");
    }
    // Any other key (flipping a byte avoids HMAC's zero-padding equivalence, `k` ≡ `k\0`).
    let other: Vec<u8> = match secret.split_first() {
        Some((first, rest)) => [&[first ^ 1][..], rest].concat(),
        None => vec![1],
    };
    assert_eq!(decode(&other, binding, &c), None, "accepted under another secret");

    let bytes = c.as_bytes();
    for i in 0..bytes.len() {
        let mut variants = vec![bytes[..i].iter().chain(&bytes[i + 1..]).copied().collect::<Vec<u8>>()];
        for b in [bytes[i] ^ 1, bytes[i] ^ 0x20, salt, b'.'] {
            if b != bytes[i] {
                let mut v = bytes.to_vec();
                v[i] = b;
                variants.push(v);
            }
        }
        for v in variants {
            if let Ok(changed) = String::from_utf8(v) {
                assert_eq!(decode(secret, binding, &changed), None, "{c:?} changed at {i} to {changed:?} was accepted");
            }
        }
    }
}
