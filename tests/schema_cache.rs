//! The shared schema cache: a model's `fields_get` is fetched once per connection, version and Odoo user,
//! kept in D1 for new isolates, looked up in the authentication batch (no extra round trip), and
//! forgotten on an administrator's request, a version change, or when it is an hour old.

mod support;

use fake_odoo::OdooVersion;
use odoo_mcp_edge::store::schema_cache::invalidate_all as new_isolate;
use serde_json::json;
use std::cell::Cell;
use std::rc::Rc;
use support::{Harness, Session};

const V: OdooVersion = OdooVersion::V19;

/// Odoo methods one search sent, and the D1 batches run before the first of them.
fn search(h: &Harness, s: &mut Session<'_>) -> (Vec<String>, u64) {
    h.fake(V).clear_calls();
    let before_odoo = Rc::new(Cell::new(None));
    let seen = before_odoo.clone();
    let batches_at_start = h.db.batches.get();
    let counter = h.db.batches.clone();
    *h.http.on_send.borrow_mut() = Some(Box::new(move || {
        if seen.get().is_none() {
            seen.set(Some(counter.get()));
        }
    }));
    let r = s.tool("odoo_search", json!({"model": "res.partner", "domain": [["is_company", "=", true]], "limit": 2}));
    *h.http.on_send.borrow_mut() = None;
    assert!(r.get("isError").is_none(), "{r}");
    let methods = h.fake(V).calls().into_iter().map(|c| c.method).collect();
    (methods, before_odoo.get().unwrap_or(0) - batches_at_start)
}

/// Whether the search fetched the model's schema: its own calls, `fields_get` then `search_read`, alone or
/// after the one early call a warm key sent first (`transport::early`), dropped because the batch brought
/// a change.
fn fetched_schema(methods: &[String]) -> bool {
    methods == ["fields_get", "search_read"] || methods == ["search_read", "fields_get", "search_read"]
}

fn rows(h: &Harness) -> i64 {
    h.db.rows("SELECT count(*) AS n FROM schema_cache")[0]["n"].as_i64().unwrap()
}

#[test]
fn a_new_isolate_gets_the_schema_from_d1_in_the_authentication_batch() {
    let h = Harness::new();
    let c = h.connection(V, "c", &["res.partner"]);
    let mut s = h.session(&h.key(c, V, "admin"));
    new_isolate();
    let (methods, _) = search(&h, &mut s);
    assert_eq!(methods, ["fields_get", "search_read"], "cold everywhere");
    assert_eq!(rows(&h), 1, "stored after the response");

    new_isolate();
    let (methods, d1_before_odoo) = search(&h, &mut s);
    assert_eq!(methods, ["search_read"], "exactly one Odoo call on a warm D1 cache");
    assert_eq!(d1_before_odoo, 1, "one D1 round trip before the Odoo call");

    // A warm isolate: the early call leaves before the batch, which it then waits for.
    let (methods, d1_before_odoo) = search(&h, &mut s);
    assert_eq!((methods, d1_before_odoo), (vec!["search_read".to_string()], 0), "warm isolate");
}

#[test]
fn each_odoo_user_and_version_has_its_own_schema() {
    let h = Harness::new();
    let c = h.connection(V, "c", &["res.partner"]);
    let mut admin = h.session(&h.key(c, V, "admin"));
    let mut demo = h.session(&h.key(c, V, "demo2"));
    search(&h, &mut admin);
    let (methods, _) = search(&h, &mut demo);
    assert!(fetched_schema(&methods), "another user sees other fields: {methods:?}");
    assert_eq!(rows(&h), 2);
    // The connection is now on another version: its cached schemas no longer apply.
    h.db.rows(&format!("UPDATE connections SET odoo_minor = 1 WHERE id = {c}"));
    let (methods, _) = search(&h, &mut admin);
    assert!(fetched_schema(&methods), "{methods:?}");
    assert_eq!(rows(&h), 3);
}

#[test]
fn an_administrator_clears_the_cache_and_old_fetches_expire() {
    let h = Harness::new();
    let c = h.connection(V, "c", &["res.partner"]);
    let mut s = h.session(&h.key(c, V, "admin"));
    search(&h, &mut s);
    let r = h.admin("DELETE", &format!("/admin/api/connections/{c}/schema-cache"), None);
    assert_eq!((r.status, r.body["cleared"].as_i64()), (200, Some(1)), "{}", r.raw);
    assert_eq!(
        h.db.rows("SELECT count(*) AS n FROM audit WHERE event = 'admin' OR detail LIKE '%cached schemas%'")[0]["n"]
            .as_i64(),
        Some(1)
    );
    let (methods, _) = search(&h, &mut s);
    assert!(fetched_schema(&methods), "{methods:?}");
    // Cleared by another isolate (straight in D1 here): this isolate's copy is not used either.
    h.db.rows("DELETE FROM schema_cache");
    let (methods, _) = search(&h, &mut s);
    assert!(fetched_schema(&methods), "asked again although this isolate held a copy: {methods:?}");
    assert_eq!(h.admin("DELETE", "/admin/api/connections/999/schema-cache", None).status, 404);

    // An hour later the fetch is too old to trust, wherever it is held.
    *h.now.borrow_mut() += 61 * 60 * 1000;
    let (methods, _) = search(&h, &mut s);
    assert!(fetched_schema(&methods), "{methods:?}");
    let (methods, _) = search(&h, &mut s);
    assert_eq!(methods, ["search_read"]);
}

#[test]
fn models_not_named_up_front_are_looked_up_in_d1() {
    let h = Harness::new();
    let c = h.connection(V, "c", &["res.partner", "res.country"]);
    let mut s = h.session(&h.key(c, V, "admin"));
    // A domain through a relation needs the related model's schema too.
    let args = json!({"model": "res.partner", "domain": [["country_id.code", "=", "US"]], "limit": 1});
    new_isolate();
    s.tool("odoo_search", args.clone());
    assert_eq!(rows(&h), 2);
    new_isolate();
    h.fake(V).clear_calls();
    let r = s.tool("odoo_search", args);
    assert!(r.get("isError").is_none(), "{r}");
    let methods: Vec<String> = h.fake(V).calls().into_iter().map(|c| c.method).collect();
    assert_eq!(methods, ["search_read"], "res.country came from D1");
}

#[test]
fn a_schema_fetched_with_an_older_attribute_list_is_never_served() {
    let h = Harness::new();
    let c = h.connection(V, "c", &[]);
    let r = h.admin(
        "PUT",
        &format!("/admin/api/connections/{c}/models/res.partner"),
        Some(json!({"read": true, "fields": {"mode": "deny", "fields": ["email"]}})),
    );
    assert_eq!(r.status, 200, "{}", r.raw);
    let mut s = h.session(&h.key(c, V, "admin"));
    // What an earlier deploy stored: a fresh answer without `related` and `depends`, keyed by version alone.
    let old = json!({
        "name": {"type": "char", "string": "Name", "store": true},
        "email": {"type": "char", "string": "Email", "store": true},
        "email_normalized": {"type": "char", "string": "Normalized Email", "store": true},
        "is_company": {"type": "boolean", "string": "Is a Company", "store": true}
    });
    h.db.rows(&format!(
        "INSERT INTO schema_cache (connection_id, odoo_version, odoo_login, model, fields_json, fetched_at) \
         VALUES ({c}, '19.0', 'admin', 'res.partner', '{old}', {})",
        *h.now.borrow()
    ));
    new_isolate();
    let (methods, _) = search(&h, &mut s);
    assert_eq!(methods, ["fields_get", "search_read"], "the old row is not read");
    let r = s.tool("odoo_get", json!({"model": "res.partner", "ids": [1], "fields": ["email_normalized"]}));
    assert!(r["structuredContent"]["records"][0].get("email_normalized").is_none(), "{r}");
    assert_eq!(rows(&h), 2, "the new fetch is stored beside it, under its own key");
}
