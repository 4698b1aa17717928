//! The outbound guard (`net::guard`) against the table of URL spellings in `tests/fixtures/url_guard.json`
//! (loopback disallowed, as deployed), directly, through `odoo::url::normalize` and through the admin API;
//! a connection stored while loopback was allowed is refused at send time once it is not; and a redirect
//! from Odoo is reported with its `Location`, never followed. `tests/e2e/url_guard.mjs` runs the same table
//! through the wasm build in workerd.

mod support;

use fake_odoo::{Fault, OdooVersion};
use odoo_mcp_edge::net::guard;
use odoo_mcp_edge::odoo::url::normalize;
use serde_json::{json, Value};
use support::{text_of, Harness};

fn table() -> Vec<(String, bool, String)> {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/url_guard.json")).expect("table");
    let v: Value = serde_json::from_str(&text).expect("json");
    v["cases"]
        .as_array()
        .expect("cases")
        .iter()
        .map(|c| {
            (
                c["url"].as_str().expect("url").to_string(),
                c["allowed"].as_bool().expect("allowed"),
                c["why"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

#[test]
fn the_table_has_every_kind_of_spelling() {
    let t = table();
    assert!(t.len() >= 100, "{} spellings", t.len());
    assert!(t.iter().filter(|(_, ok, _)| *ok).count() >= 10, "public hosts are allowed too");
}

#[test]
fn every_spelling_is_decided_on_the_parsed_host() {
    let mut wrong = Vec::new();
    for (url, allowed, why) in table() {
        let guarded = guard::check(&url, false);
        if guarded.is_ok() != allowed {
            wrong.push(format!("{url} ({why}): guard says {guarded:?}"));
        }
        // A stored Odoo URL passes the same guard.
        if normalize(&url, false).is_ok() && !allowed {
            wrong.push(format!("{url} ({why}): normalize accepts it"));
        }
        // What the guard allows is what is fetched: its serialisation parses back to the same host.
        if let Ok(u) = guarded {
            let again = guard::check(u.as_str(), false).map(|v| v.host_str().map(str::to_string));
            if again != Ok(u.host_str().map(str::to_string)) {
                wrong.push(format!("{url}: re-parsing {u} gives {again:?}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn loopback_is_allowed_only_in_dev_and_never_other_internal_addresses() {
    assert!(guard::check("http://127.0.0.1:8069", true).is_ok());
    assert!(guard::check("http://localhost:8069", true).is_ok());
    assert!(guard::check("http://[::ffff:127.0.0.1]:8069", true).is_ok());
    for bad in ["http://10.0.0.1:8069", "https://169.254.169.254", "https://[fe80::1]", "http://acme.odoo.com"] {
        assert!(guard::check(bad, true).is_err(), "{bad}");
    }
}

#[test]
fn the_admin_api_refuses_every_internal_spelling_before_fetching_anything() {
    let mut h = Harness::new();
    h.settings.dev_allow_loopback = false;
    let before = h.odoo19.request_count();
    for (url, allowed, why) in table().into_iter().filter(|(_, ok, _)| !ok) {
        let r = h.admin("POST", "/admin/api/connections", Some(json!({"name": "x", "url": url, "database": "db"})));
        assert_eq!(r.status, 400, "{url} ({why}): {}", r.raw);
        assert!(!allowed);
    }
    assert_eq!(h.odoo19.request_count(), before);
}

#[test]
fn a_non_ascii_host_is_refused_with_a_message_that_asks_for_its_xn_form() {
    // The build carries no Unicode IDNA tables (Cargo.toml, idna_adapter): the xn-- spelling of the same
    // name is allowed, the Unicode one refused with a clear message, here and through the admin API.
    assert_eq!(
        guard::check("https://xn--mnchen-3ya.example.com", false).map(|u| u.to_string()).as_deref(),
        Ok("https://xn--mnchen-3ya.example.com/")
    );
    for url in [
        "https://münchen.example.com",
        "https://MÜNCHEN.example.com/odoo",
        "https://example\u{3002}com",
        "https://ｅｘａｍｐｌｅ.com",
    ] {
        let refusal = guard::check(url, false).expect_err(url);
        assert_eq!(refusal, guard::Refusal::NonAsciiHost, "{url}");
        assert!(refusal.message().contains("xn--"), "{url}: {}", refusal.message());
    }
    // Fullwidth digits that WHATWG would map to 127.0.0.1 are refused, never read as an address.
    assert!(guard::check("https://１２７.０.０.１", true).is_err());
    let h = Harness::new();
    let r = h.admin(
        "POST",
        "/admin/api/connections",
        Some(json!({"name": "x", "url": "https://münchen.example.com", "database": "db"})),
    );
    assert_eq!(r.status, 400, "{}", r.raw);
    assert!(r.raw.contains("xn--"), "{}", r.raw);
}

#[test]
fn a_stored_loopback_connection_is_refused_at_send_time_once_loopback_is_not_allowed() {
    let mut h = Harness::new();
    let c = h.connection(OdooVersion::V19, "c", &["res.partner"]);
    let key = h.key(c, OdooVersion::V19, "admin");
    h.settings.dev_allow_loopback = false;
    let before = h.odoo19.request_count();
    let mut s = h.session(&key);
    let r = s.tool("odoo_search", json!({"model": "res.partner", "limit": 1}));
    assert_eq!(r["isError"], true, "{r}");
    assert!(text_of(&r).contains("the Odoo URL is not allowed: loopback"), "{}", text_of(&r));
    assert_eq!(h.odoo19.request_count(), before, "nothing reached Odoo");
}

#[test]
fn a_redirect_is_reported_with_its_location_and_not_followed() {
    for v in [OdooVersion::V19, OdooVersion::V17] {
        let h = Harness::new();
        let c = h.connection(v, "c", &["res.partner"]);
        let mut s = h.session(&h.key(c, v, "admin"));
        h.fake(v).set_fault(Fault::Redirect, &["search_read"], Some(1)).expect("fault");
        h.fake(v).clear_calls();
        let r = s.tool("odoo_search", json!({"model": "res.partner", "fields": ["name"], "limit": 1}));
        assert_eq!(r["isError"], true, "{v:?}: {r}");
        let t = text_of(&r);
        assert!(t.contains("redirect (HTTP 307) to http://odoo-moved.example.com/"), "{v:?}: {t}");
        let searches = h.fake(v).calls().iter().filter(|c| c.method == "search_read").count();
        assert_eq!(searches, 1, "{v:?}: one request, the redirect not followed (in workerd: tests/e2e/url_guard.mjs)");
    }
}

#[test]
fn a_write_refused_by_the_guard_says_nothing_was_sent_not_that_it_may_have_happened() {
    let mut h = Harness::new();
    let c = h.connection(OdooVersion::V19, "c", &[]);
    let r = h.admin(
        "PUT",
        &format!("/admin/api/connections/{c}/models/res.partner"),
        Some(json!({"read": true, "create": true})),
    );
    assert_eq!(r.status, 200, "{}", r.raw);
    let key = h.key(c, OdooVersion::V19, "admin");
    h.settings.dev_allow_loopback = false;
    let mut s = h.session(&key);
    let r = s.tool("odoo_create", json!({"model": "res.partner", "values": {"name": "Nowhere"}}));
    let t = text_of(&r);
    assert!(t.contains("nothing was sent to Odoo") && !t.contains("may or may not"), "{t}");
}
