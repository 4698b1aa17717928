//! The `bench` feature's request counters (`make bench` reads them): they count what the request did,
//! and show the budgets of the hot path: one D1 round trip before the Odoo call (none warm: the call
//! starts alongside it), one Odoo call warm.

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
            let early = r.header("x-bench-early").map(str::to_string);
            (
                n("x-bench-d1-before-odoo"),
                n("x-bench-d1-batches"),
                n("x-bench-odoo-calls"),
                n("x-bench-after-statements"),
                early,
            )
        };
        let (before, batches, odoo, after, early) = call(1);
        assert_eq!((before, batches, odoo), (1, 1, cold_calls), "{v:?} cold: (authenticate,) fields_get, search_read");
        assert_eq!(early, None);
        assert!(after >= 3, "last use, audit and the schema written after the response: {after}");
        // Over /jsonrpc the first call learnt the uid after its batch, so the second is not started early.
        let (_, batches, odoo, _, _) = call(2);
        assert_eq!((batches, odoo), (1, 1), "{v:?} warm: one D1 round trip, one Odoo call");
        let (before, batches, odoo, _, early) = call(3);
        assert_eq!((before, batches, odoo), (0, 1, 1), "{v:?} warm: one Odoo call, alongside one D1 round trip");
        assert_eq!(early.as_deref(), Some("used"));
        odoo_mcp_edge::store::schema_cache::invalidate_all();
        odoo_mcp_edge::transport::early::warm::forget_all();
        let (before, _, odoo, _, early) = call(4);
        assert_eq!((before, odoo), (1, 1), "{v:?} a new isolate: the schema comes with the authentication batch");
        assert_eq!(early, None, "nothing held: nothing starts early");
    }
}
