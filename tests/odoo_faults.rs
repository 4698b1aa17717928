//! Odoo failing in every way the fake can: refused connections, answers slower than our timeout, 500s,
//! a proxy's HTML page, 429 with Retry-After, malformed JSON, a cut answer, a closed connection. Each
//! gives a readable tool error with guidance and an audit row; a write whose answer was lost is never
//! reported as done (it says to check first); a create whose read-back failed says the record exists;
//! and the next call works. 200s of the wrong shape: `wrong_answers.rs`.

mod support;

use fake_odoo::{Fault, OdooVersion};
use serde_json::{json, Value};
use support::faults::{harness, last_audit, writer_session};
use support::{text_of, Harness, Session};

const V: OdooVersion = OdooVersion::V19;

fn search(s: &mut Session<'_>) -> Value {
    s.tool("odoo_search", json!({"model": "res.partner", "domain": [["is_company", "=", true]], "limit": 2}))
}

fn partners_named(s: &mut Session<'_>, name: &str) -> usize {
    let r = s.tool("odoo_search", json!({"model": "res.partner", "domain": [["name", "=", name]]}));
    r["structuredContent"]["records"].as_array().map(Vec::len).unwrap_or(0)
}

/// A fault's name, how to set it on the fake, and what the tool's error must say.
type FaultCase = (&'static str, Box<dyn Fn(&Harness)>, &'static [&'static str]);

#[test]
fn every_fault_on_a_read_is_a_readable_error_then_the_next_call_works() {
    let h = harness();
    let mut s = writer_session(&h, V);
    let cases: [FaultCase; 7] = [
        (
            "http_500",
            Box::new(|h| h.fake(V).set_fault(Fault::Http500, &["search_read"], Some(1)).unwrap()),
            &["Odoo is unavailable", "Retry in a moment"],
        ),
        (
            "html",
            Box::new(|h| h.fake(V).set_fault(Fault::Html, &["search_read"], Some(1)).unwrap()),
            &["HTML page", "HTTP 502", "Retry"],
        ),
        (
            "rate_limited",
            Box::new(|h| h.fake(V).set_fault(Fault::RateLimited, &["search_read"], Some(1)).unwrap()),
            &["HTTP 429", "wait 3 s", "retry the same call"],
        ),
        (
            "malformed_json",
            Box::new(|h| h.fake(V).set_fault(Fault::MalformedJson, &["search_read"], Some(1)).unwrap()),
            &["malformed JSON", "Retry"],
        ),
        (
            "truncated",
            Box::new(|h| h.fake(V).set_fault(Fault::Truncated, &["search_read"], Some(1)).unwrap()),
            &["Odoo is unavailable"],
        ),
        (
            "close",
            Box::new(|h| h.fake(V).set_fault(Fault::Close, &["search_read"], Some(1)).unwrap()),
            &["Odoo is unavailable"],
        ),
        (
            "slower than our timeout",
            Box::new(|h| h.fake(V).set_delay(1500, &["search_read"]).unwrap()),
            &["did not answer in time", "400 ms"],
        ),
    ];
    for (name, inject, needles) in cases {
        inject(&h);
        let r = search(&mut s);
        h.fake(V).reset();
        assert_eq!(r["isError"], true, "{name}: {r}");
        let text = text_of(&r);
        for n in needles {
            assert!(text.contains(n), "{name}: '{n}' in {text}");
        }
        assert!(!text.contains("may or may not have been made"), "{name}: a read changes nothing");
        let audit = last_audit(&h);
        assert_eq!(
            (audit["tool"].as_str(), audit["outcome"].as_str()),
            (Some("odoo_search"), Some("odoo_error")),
            "{name}"
        );
        assert!(audit["detail"].as_str().unwrap().contains(needles[0]), "{name}: {audit}");
        let r = search(&mut s);
        assert!(r.get("isError").is_none(), "{name}: the next call works: {r}");
    }
}

#[test]
fn an_unreachable_odoo_says_so() {
    let h = harness();
    let mut s = writer_session(&h, V);
    // Nothing listens on port 9 of this host.
    h.db.rows("UPDATE connections SET url = 'http://127.0.0.1:9'");
    let r = search(&mut s);
    assert_eq!(r["isError"], true);
    assert!(
        text_of(&r).contains("cannot reach Odoo") && text_of(&r).contains("check that the Odoo server is up"),
        "{}",
        text_of(&r)
    );
    assert_eq!(last_audit(&h)["outcome"], "odoo_error");
}

#[test]
fn a_write_whose_answer_was_lost_is_not_reported_as_done() {
    let h = harness();
    let mut s = writer_session(&h, V);
    for (name, fault) in [("cut", Some(Fault::Truncated)), ("timeout", None)] {
        let partner = format!("Fault Test {name}");
        match fault {
            Some(f) => h.fake(V).set_fault(f, &["create"], Some(1)).unwrap(),
            None => h.fake(V).set_delay(1000, &["create"]).unwrap(),
        }
        let r = s.tool("odoo_create", json!({"model": "res.partner", "values": {"name": partner}}));
        assert_eq!(r["isError"], true, "{name}: {r}");
        assert!(r.get("structuredContent").is_none(), "{name}: no result that could read as success");
        assert!(
            text_of(&r).contains("may or may not have been made") && text_of(&r).contains("before retrying"),
            "{name}: {}",
            text_of(&r)
        );
        assert!(
            !text_of(&r).contains("Narrow the request") && !text_of(&r).contains("Retry in a moment"),
            "{name}: retrying or narrowing a write could apply it twice: {}",
            text_of(&r)
        );
        // The fake did create it (after its delay, or before cutting its answer): hence the warning.
        h.fake(V).reset();
        let mut found = partners_named(&mut s, &partner);
        for _ in 0..100 {
            if found == 1 {
                break;
            }
            // The delayed create finishes in the fake's own time; wait for it rather than guess.
            std::thread::sleep(std::time::Duration::from_millis(20));
            found = partners_named(&mut s, &partner);
        }
        assert_eq!(found, 1, "{name}: Odoo applied it; the error said it might have");
    }
    // An error that is Odoo's own answer means nothing was written: no such warning.
    h.fake(V).set_fault(Fault::Http500, &["write"], Some(1)).unwrap();
    let r = s.tool("odoo_update", json!({"model": "res.partner", "ids": [15], "values": {"phone": "+1 555 0100"}}));
    h.fake(V).reset();
    assert_eq!(r["isError"], true);
    assert!(!text_of(&r).contains("may or may not have been made"), "{}", text_of(&r));
    let r = s.tool("odoo_update", json!({"model": "res.partner", "ids": [15], "values": {"phone": "+1 555 0100"}}));
    assert!(r.get("isError").is_none(), "healthy again: {r}");
}

#[test]
fn a_batch_stops_at_a_lost_answer_and_says_what_is_unknown() {
    let h = harness();
    let mut s = writer_session(&h, V);
    h.fake(V).set_fault(Fault::Close, &["create"], Some(1)).unwrap();
    let ops = json!([
        {"action": "create", "model": "res.partner", "values": {"name": "Batch Fault A"}},
        {"action": "create", "model": "res.partner", "values": {"name": "Batch Fault B"}}
    ]);
    let r = s.tool("odoo_batch", json!({"operations": ops}));
    h.fake(V).reset();
    assert_eq!(r["isError"], true, "an operation failed: {r}");
    let out = &r["structuredContent"];
    assert_eq!(
        (out["status"].as_str(), out["failed"].as_i64(), out["skipped"].as_i64()),
        (Some("stopped"), Some(1), Some(1)),
        "{r}"
    );
    assert_eq!(out["results"][0]["status"], "failed");
    assert_eq!(
        (out["results"][0]["outcome_unknown"].as_bool(), out["outcome_unknown"].as_i64()),
        (Some(true), Some(1)),
        "{r}"
    );
    assert!(out["error"].as_str().unwrap().contains("may or may not have been applied"), "{r}");
    assert!(out["results"][0]["error"].as_str().unwrap().contains("may or may not have been made"), "{r}");
    assert_eq!(out["results"][1]["status"], "skipped");
    assert_eq!(partners_named(&mut s, "Batch Fault B"), 0, "stop_on_error: nothing after the unknown outcome");
    let audit = h.db.rows("SELECT tool, outcome FROM audit WHERE tool = 'odoo_create' ORDER BY id DESC LIMIT 1");
    assert_eq!(audit[0]["outcome"], "odoo_error", "the lost create is audited as such");
    let audit = h.db.rows("SELECT outcome FROM audit WHERE tool = 'odoo_batch' ORDER BY id DESC LIMIT 1");
    assert_eq!(audit[0]["outcome"], "incomplete", "and so is the batch");
}

#[test]
fn a_create_whose_read_back_failed_says_the_record_exists() {
    let h = harness();
    let mut s = writer_session(&h, V);
    for (name, inject) in [
        (
            "http_500",
            Box::new(|h: &Harness| h.fake(V).set_fault(Fault::Http500, &["search_read"], Some(1)).unwrap())
                as Box<dyn Fn(&Harness)>,
        ),
        ("timeout", Box::new(|h: &Harness| h.fake(V).set_delay(1000, &["search_read"]).unwrap())),
    ] {
        let partner = format!("Read Back {name}");
        inject(&h);
        let r = s.tool("odoo_create", json!({"model": "res.partner", "values": {"name": partner}}));
        h.fake(V).reset();
        assert!(r.get("isError").is_none(), "{name}: the record was created: {r}");
        let out = &r["structuredContent"];
        let id = out["id"].as_i64().expect("the new record's id");
        let warning = out["warning"].as_str().unwrap_or_default();
        assert!(
            warning.contains(&format!("Created res.partner {id}"))
                && warning.contains("do not create it again")
                && warning.contains("odoo_get"),
            "{name}: {warning}"
        );
        assert!(
            !warning.contains("Retry") && !warning.contains("retry") && !warning.contains("Narrow"),
            "{name}: no advice that reads as 'try the create again': {warning}"
        );
        assert_eq!(partners_named(&mut s, &partner), 1, "{name}");
    }
}

#[test]
fn a_value_postgresql_refuses_is_the_callers_error_without_its_sql() {
    // 19 answers it with JSON-2's 500, 17 with a JSON-RPC error in a 200: the same error to the caller.
    for v in [OdooVersion::V19, OdooVersion::V17] {
        let h = harness();
        let c = h.connection(v, "c", &["res.partner"]);
        let mut s = h.session(&h.key(c, v, "admin"));
        h.fake(v).set_fault(Fault::InvalidValue, &["search_read"], Some(1)).unwrap();
        let r = s.tool("odoo_search", json!({"model": "res.partner", "domain": [["is_company", "=", true]]}));
        assert_eq!(r["isError"], true, "{v:?}: {r}");
        let text = text_of(&r);
        assert!(
            text.starts_with("Odoo rejected the request as invalid: invalid value for field 'id': invalid input syntax for type integer: \"abc\"."),
            "{v:?}: {text}"
        );
        assert!(!text.contains("unavailable") && !text.contains("Retry"), "{v:?}: not an outage: {text}");
        let audit = last_audit(&h);
        let detail = audit["detail"].as_str().unwrap();
        assert_eq!(detail, text, "{v:?}");
        for sql in [&text, detail] {
            assert!(
                !sql.contains("LINE 1") && !sql.contains("res_partner") && !sql.contains("ORDER BY"),
                "{v:?}: {sql}"
            );
        }
        let log = h.db.rows(
            "SELECT count(*) AS n FROM audit WHERE instr(detail, 'LINE 1') > 0 OR instr(detail, '\"res_partner\"') > 0",
        );
        assert_eq!(log[0]["n"], 0, "{v:?}: no SQL in any audit row");
        assert!(s.tool("odoo_search", json!({"model": "res.partner", "limit": 1})).get("isError").is_none());
    }
}
