//! Odoo answering a 200 whose result is not what the method answers (the fake's `wrong_shape` fault: an
//! override that forgot its `return`, a layer rewriting answers), on JSON-2 and `/jsonrpc`: for a write
//! the answer is lost (it may or may not have happened, never a success nor a plain failure, never
//! retried); for a read a plain error.

mod support;

use fake_odoo::{Fault, OdooVersion};
use serde_json::{json, Value};
use support::faults::{harness, last_audit, writer_session};
use support::{text_of, Session};

const V: OdooVersion = OdooVersion::V19;

fn partners_named(s: &mut Session<'_>, name: &str) -> usize {
    let r = s.tool("odoo_search", json!({"model": "res.partner", "domain": [["name", "=", name]]}));
    r["structuredContent"]["records"].as_array().map(Vec::len).unwrap_or(0)
}

/// A 200 whose result is not what the method answers (an override that forgot its `return`, a layer
/// rewriting answers) is a lost answer, on both transports: never a success, never a plain failure of a
/// write that Odoo did carry out.
#[test]
fn a_write_answered_in_the_wrong_shape_may_or_may_not_have_happened() {
    for v in [OdooVersion::V19, OdooVersion::V17] {
        let h = harness();
        let mut s = writer_session(&h, v);
        let id = |r: &Value| r["structuredContent"]["id"].as_i64().expect("created");
        let a = id(&s.tool("odoo_create", json!({"model": "res.partner", "values": {"name": "Shape A"}})));
        let b = id(&s.tool("odoo_create", json!({"model": "res.partner", "values": {"name": "Shape B"}})));
        let c = id(&s.tool("odoo_create", json!({"model": "res.partner", "values": {"name": "Shape C"}})));
        let cases = [
            ("create", json!({}), "odoo_create", json!({"model": "res.partner", "values": {"name": "Shape New"}})),
            (
                "write",
                json!(false),
                "odoo_update",
                json!({"model": "res.partner", "ids": [a], "values": {"phone": "+1 555 0199"}}),
            ),
            (
                "write",
                json!(null),
                "odoo_update",
                json!({"model": "res.partner", "ids": [a], "values": {"phone": "+1 555 0198"}}),
            ),
            ("unlink", json!("ok"), "odoo_delete", json!({"model": "res.partner", "ids": [a]})),
            ("unlink", json!(false), "odoo_delete", json!({"model": "res.partner", "ids": [b, c]})),
            (
                "message_post",
                json!({"id": 1}),
                "odoo_chatter_post",
                json!({"model": "res.partner", "id": b, "body": "Shape note"}),
            ),
        ];
        for (method, answer, tool, args) in cases {
            let label = format!("{v:?} {method} answered {answer}");
            h.fake(v)
                .control(json!({"fault": "wrong_shape", "methods": [method], "answer": answer, "count": 1}))
                .unwrap();
            h.fake(v).clear_calls();
            let r = s.tool(tool, args);
            h.fake(v).reset();
            assert_eq!(r["isError"], true, "{label}: {r}");
            assert!(r.get("structuredContent").is_none(), "{label}: nothing that reads as done");
            let text = text_of(&r);
            assert!(
                text.contains(&format!("{method} on res.partner answered"))
                    && text.contains("may or may not have been made")
                    && text.contains("before retrying"),
                "{label}: {text}"
            );
            assert!(!text.contains("Narrow the request"), "{label}: {text}");
            let audit = last_audit(&h);
            assert_eq!(audit["outcome"], "odoo_error", "{label}");
            assert!(audit["detail"].as_str().unwrap().contains("answered"), "{label}: {audit}");
            let sent: Vec<String> = h.fake(v).calls().into_iter().map(|c| c.method).filter(|m| m == method).collect();
            assert_eq!(sent.len(), 1, "{label}: sent once, never retried after a lost answer");
        }
        assert_eq!(partners_named(&mut s, "Shape New"), 1, "{v:?}: Odoo did create it, as the error warned");
        let left = s.tool("odoo_get", json!({"model": "res.partner", "ids": [a, b, c]}));
        assert_eq!(
            left["structuredContent"]["missing_ids"],
            json!([a, b, c]),
            "{v:?}: the deletes were carried out: {left}"
        );
    }
}

#[test]
fn a_read_answered_in_the_wrong_shape_is_a_plain_error() {
    let h = harness();
    let mut s = writer_session(&h, V);
    h.fake(V)
        .control(json!({"fault": "wrong_shape", "methods": ["search_read"], "answer": {"records": []}, "count": 1}))
        .unwrap();
    let search = |s: &mut Session<'_>| s.tool("odoo_search", json!({"model": "res.partner", "limit": 2}));
    let r = search(&mut s);
    assert_eq!(r["isError"], true, "{r}");
    let text = text_of(&r);
    assert!(
        text.contains("search_read on res.partner answered {\"records\":[]}, where Odoo answers a list")
            && !text.contains("may or may not"),
        "{text}"
    );
    assert!(search(&mut s).get("isError").is_none(), "the next call works");
}

#[test]
fn a_delete_retried_record_by_record_says_which_outcome_is_unknown() {
    let h = harness();
    let mut s = writer_session(&h, V);
    let mut ids = Vec::new();
    for name in ["Unknown A", "Unknown B"] {
        let r = s.tool("odoo_create", json!({"model": "res.partner", "values": {"name": name}}));
        ids.push(r["structuredContent"]["id"].as_i64().expect("created"));
    }
    // Odoo's own error for both at once (nothing deleted: retried one by one), then a lost answer for the
    // first alone. Different `methods`, so both rules stay; the first matching one applies.
    h.fake(V).set_fault(Fault::Http500, &["unlink"], Some(1)).unwrap();
    h.fake(V).control(json!({"fault": "wrong_shape", "methods": ["unlink", "write"], "count": 1})).unwrap();
    let r = s.tool("odoo_delete", json!({"model": "res.partner", "ids": ids}));
    h.fake(V).reset();
    assert!(r.get("isError").is_none(), "{r}");
    let out = &r["structuredContent"];
    assert_eq!(out["deleted"], 1, "{out}");
    assert_eq!(out["results"][0]["outcome"], "unknown", "{out}");
    assert!(out["results"][0]["error"].as_str().unwrap().contains("may or may not have been made"), "{out}");
    assert_eq!(out["results"][1]["outcome"], "deleted", "{out}");
}
