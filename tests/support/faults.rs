//! What the tests of a misbehaving Odoo share (`odoo_faults.rs`, `wrong_answers.rs`): a harness with a
//! short Odoo timeout, an admin session that may write res.partner with its schema already fetched (so a
//! fault hits the call under test), and the last tool call's audit row.

use super::{Harness, Session};
use fake_odoo::OdooVersion;
use serde_json::{json, Value};

pub fn harness() -> Harness {
    let mut h = Harness::new();
    h.settings.odoo_timeout_ms = 400;
    h
}

pub fn writer_session(h: &Harness, v: OdooVersion) -> Session<'_> {
    let c = h.connection(v, "c", &["res.partner"]);
    h.admin(
        "PUT",
        &format!("/admin/api/connections/{c}/models/res.partner"),
        Some(json!({"read": true, "create": true, "update": true, "delete": true})),
    );
    let mut s = h.session(&h.key(c, v, "admin"));
    let r = s.tool("odoo_search", json!({"model": "res.partner", "limit": 1}));
    assert!(r.get("isError").is_none(), "{r}");
    s
}

pub fn last_audit(h: &Harness) -> Value {
    let rows =
        h.db.rows("SELECT event, tool, outcome, detail FROM audit WHERE event = 'tool_call' ORDER BY id DESC LIMIT 1");
    Value::Object(rows[0].clone())
}
