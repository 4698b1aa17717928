//! What this isolate remembers of the keys it served, so that a read may call Odoo before the
//! authentication batch has answered: a key's authentication as the last batch that passed it found it
//! (its connection, Odoo login, **encrypted** Odoo key, uid and permissions; never the decrypted key,
//! which is decrypted per request), kept for `WARM_TTL_MS` after that batch; and the keys refused
//! lately, which start nothing early for `REFUSAL_PAUSE_MS`.

use crate::policy::auth::AuthContext;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// How long after the last batch that passed a key this isolate lets it start early. Short: it bounds
/// how long a key revoked elsewhere can still make an early call (whose answer it never sees).
pub const WARM_TTL_MS: i64 = 60 * 1000;
/// How long a refusal of a key (revoked, expired, suspended, rate-limited, outside its scope, or a
/// store failure) keeps it from starting anything early.
pub const REFUSAL_PAUSE_MS: i64 = 5 * 60 * 1000;
const MAX_ENTRIES: usize = 256;

#[derive(Clone)]
enum Entry {
    /// Passed by a batch at `at`, with what that batch found.
    Passed { at: i64, auth: Rc<AuthContext> },
    /// Refused at `at`.
    Refused { at: i64 },
}

thread_local! {
    // One isolate serves many requests; wasm has one thread, natively each test thread has its own.
    static KEYS: RefCell<HashMap<String, Entry>> = RefCell::new(HashMap::new());
}

/// The key's authentication as the last batch that passed it found it, when that was less than
/// `WARM_TTL_MS` ago and the key has not been refused since (nor within `REFUSAL_PAUSE_MS`).
pub fn passed(key_hash: &str, now: i64) -> Option<Rc<AuthContext>> {
    KEYS.with(|k| match k.borrow().get(key_hash) {
        Some(Entry::Passed { at, auth }) if now - at < WARM_TTL_MS && now >= *at => Some(auth.clone()),
        _ => None,
    })
}

/// Records what a batch that passed the key found (replacing whatever was held: the batch is the
/// truth), unless the key was refused within `REFUSAL_PAUSE_MS`.
pub fn confirm(auth: &AuthContext, now: i64) {
    KEYS.with(|k| {
        let mut k = k.borrow_mut();
        if let Some(Entry::Refused { at }) = k.get(&auth.key_hash) {
            if now - at < REFUSAL_PAUSE_MS {
                return;
            }
        }
        make_room(&mut k, now);
        // Only what an early start needs: no session, no schema probe.
        let held = AuthContext { session: None, schema_probe: None, ..auth.clone() };
        k.insert(auth.key_hash.clone(), Entry::Passed { at: now, auth: Rc::new(held) });
    });
}

/// Forgets what was held of the key and keeps it from starting early for `REFUSAL_PAUSE_MS`.
pub fn refuse(key_hash: &str, now: i64) {
    KEYS.with(|k| {
        let mut k = k.borrow_mut();
        make_room(&mut k, now);
        k.insert(key_hash.to_string(), Entry::Refused { at: now });
    });
}

/// Forgets what was held of the key (a failure that names no key of ours: unknown, or the store failed).
pub fn forget(key_hash: &str) {
    KEYS.with(|k| {
        let mut k = k.borrow_mut();
        if matches!(k.get(key_hash), Some(Entry::Passed { .. })) {
            k.remove(key_hash);
        }
    });
}

/// Forgets everything (a new isolate, as tests and the latency simulation need one).
pub fn forget_all() {
    KEYS.with(|k| k.borrow_mut().clear());
}

/// Bounds the map: drops what no longer counts, then, if still full, everything but the refusals.
fn make_room(k: &mut HashMap<String, Entry>, now: i64) {
    if k.len() < MAX_ENTRIES {
        return;
    }
    k.retain(|_, e| match e {
        Entry::Passed { at, .. } => now - *at < WARM_TTL_MS,
        Entry::Refused { at } => now - *at < REFUSAL_PAUSE_MS,
    });
    if k.len() >= MAX_ENTRIES {
        k.retain(|_, e| matches!(e, Entry::Refused { .. }));
    }
    if k.len() >= MAX_ENTRIES {
        k.clear();
    }
}
