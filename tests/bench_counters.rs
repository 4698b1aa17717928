//! The `bench` feature's request counters (`make bench` reads them): they count what the request did,
//! and show the budgets of the hot path: one D1 round trip before the Odoo call, one Odoo call warm.

mod support;

use fake_odoo::OdooVersion;
use serde_json::json;
use support::Harness;

#[test]
fn counters_report_d1_round_trips_and_odoo_calls() {
    // 19 speaks JSON-2 (a bearer key per call); 17 speaks /jsonrpc, whose uid is learnt once and kept on the key.
    for (v, cold_calls) in [(OdooVersion::V19, 2), (OdooVersion::V17, 3)] {
        let h = Harness::new();
        let c = h.connection(v, "c", &["res.partner"]);
        let key = h.key(c, v, "admin");
        odoo_mcp_edge::store::schema_cache::invalidate_all();
        h.db.rows("UPDATE keys SET odoo_uid = NULL");
        let call = |id: i64| {
            let params = json!({"name": "odoo_search", "arguments": {"model": "res.partner", "limit": 5}});
            let r = h.stateless(&key, json!(id), "tools/call", params, &[]);
            assert_eq!(r.status, 200, "{}", r.raw);
            let n = |name: &str| {
                r.header(name).and_then(|v| v.parse::<u32>().ok()).unwrap_or_else(|| panic!("{name} missing"))
            };
            (
                n("x-bench-d1-before-odoo"),
                n("x-bench-d1-batches"),
                n("x-bench-odoo-calls"),
                n("x-bench-after-statements"),
            )
        };
        let (before, batches, odoo, after) = call(1);
        assert_eq!((before, batches, odoo), (1, 1, cold_calls), "{v:?} cold: (authenticate,) fields_get, search_read");
        assert!(after >= 3, "last use, audit and the schema written after the response: {after}");
        let (before, batches, odoo, _) = call(2);
        assert_eq!((before, batches, odoo), (1, 1, 1), "{v:?} warm: one D1 round trip, then one Odoo call");
        odoo_mcp_edge::store::schema_cache::invalidate_all();
        let (before, _, odoo, _) = call(3);
        assert_eq!((before, odoo), (1, 1), "{v:?} a new isolate: the schema comes with the authentication batch");
    }
}
