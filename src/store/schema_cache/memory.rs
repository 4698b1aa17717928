//! The isolate tier: the schemas this isolate holds, for the request path (per key and model) and the
//! console (per browsing user and model), each with the Odoo version and fetch it came from.

use crate::odoo::schema::ModelSchema;
use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

/// How long this isolate trusts a copy without asking D1 (or, for the console, Odoo) again.
pub const MEMORY_TTL_MS: i64 = 10 * 60 * 1000;
const MAX_ENTRIES: usize = 256;

/// A schema this isolate holds: for which Odoo version, from which fetch, and when it was last
/// confirmed current.
#[derive(Debug, Clone)]
pub struct Held {
    pub major: i64,
    pub minor: i64,
    pub fetched_at: i64,
    pub checked_at: i64,
    pub schema: Rc<ModelSchema>,
}

thread_local! {
    // One isolate serves many requests; wasm has one thread, natively each test thread has its own.
    static HELD: RefCell<HashMap<String, Held>> = RefCell::new(HashMap::new());
}

pub fn held(key: &str) -> Option<Held> {
    HELD.with(|c| c.borrow().get(key).cloned())
}

pub fn hold(key: String, entry: Held) {
    let now = entry.checked_at;
    HELD.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= MAX_ENTRIES {
            c.retain(|_, h| now - h.checked_at < MEMORY_TTL_MS);
            if c.len() >= MAX_ENTRIES {
                c.clear();
            }
        }
        c.insert(key, entry);
    });
}

/// Drops every schema this isolate holds (admin action, version change).
pub fn invalidate_all() {
    HELD.with(|c| c.borrow_mut().clear());
}

/// Where this isolate holds a key's copy of a model's schema.
pub fn key_of(key_hash: &str, model: &str) -> String {
    format!("{key_hash}|{model}")
}
