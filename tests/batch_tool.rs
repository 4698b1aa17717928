//! `odoo_batch` against the fake Odoo 17 and 19: operations run in order by their own tools, progress
//! after each, cancellation between them, stop_on_error, dry runs, the subrequest budget and the time
//! limit; a batch that did not do everything is an error result that still lists every outcome.

mod support;

use fake_odoo::OdooVersion;
use odoo_mcp_edge::mcp::stream::ResponseStream;
use serde_json::{json, Value};
use support::{sse_messages, text_of, Harness};

fn setup(h: &Harness, v: OdooVersion, models: &[&str]) -> String {
    let c = h.connection(v, "c", &[]);
    for m in models {
        let r = h.admin(
            "PUT",
            &format!("/admin/api/connections/{c}/models/{m}"),
            Some(json!({"read": true, "create": true, "update": true, "delete": true})),
        );
        assert_eq!(r.status, 200, "{}", r.raw);
    }
    h.key(c, v, "admin")
}

fn writes(h: &Harness, v: OdooVersion) -> Vec<String> {
    h.fake(v)
        .calls()
        .into_iter()
        .map(|c| c.method)
        .filter(|m| matches!(m.as_str(), "create" | "write" | "unlink"))
        .collect()
}

fn batch_ok(r: &Value) -> &Value {
    assert!(r.get("isError").is_none(), "{r}");
    &r["structuredContent"]
}

/// A batch where some operation did not succeed: an error result, with every outcome still listed.
fn batch_incomplete(r: &Value) -> &Value {
    assert_eq!(r["isError"], true, "{r}");
    let out = &r["structuredContent"];
    assert!(out["results"].is_array(), "{r}");
    assert_eq!(
        serde_json::from_str::<Value>(&text_of(r)).ok().as_ref(),
        Some(out),
        "the text mirrors the structured result"
    );
    out
}

fn batch_audit(h: &Harness) -> Value {
    let rows =
        h.db.rows("SELECT outcome, detail, record_count FROM audit WHERE tool = 'odoo_batch' ORDER BY id DESC LIMIT 1");
    Value::Object(rows[0].clone())
}

fn three_steps(doomed: i64) -> Value {
    json!([
        {"action": "create", "model": "res.partner", "values": {"name": "Batch Co", "is_company": true}},
        {"action": "update", "model": "res.partner", "ids": [3], "values": {"city": "Batchville"}},
        {"action": "delete", "model": "res.partner", "ids": [doomed]}
    ])
}

fn new_partner(s: &mut support::Session, name: &str) -> i64 {
    let r = s.tool("odoo_create", json!({"model": "res.partner", "values": {"name": name}}));
    r["structuredContent"]["id"].as_i64().expect("created")
}

#[test]
fn operations_run_in_order_with_their_own_results_and_audit() {
    for v in [OdooVersion::V19, OdooVersion::V17] {
        let h = Harness::new();
        let key = setup(&h, v, &["res.partner"]);
        let mut s = h.session(&key);
        let doomed = new_partner(&mut s, "Doomed");
        h.fake(v).clear_calls();
        let r = s.tool("odoo_batch", json!({"operations": three_steps(doomed)}));
        let out = batch_ok(&r);
        assert_eq!(
            (out["status"].as_str(), out["succeeded"].as_i64(), out["failed"].as_i64(), out["skipped"].as_i64()),
            (Some("completed"), Some(3), Some(0), Some(0)),
            "{v:?}: {out}"
        );
        assert_eq!(out["results"][0]["result"]["record"]["display_name"], "Batch Co");
        assert_eq!(out["results"][1]["result"]["records"][0]["city"], "Batchville");
        assert_eq!(out["results"][2]["result"]["results"][0]["outcome"], "deleted");
        assert_eq!(writes(&h, v), ["create", "write", "unlink"], "{v:?}: in order");
        let audit = h.db.rows("SELECT tool FROM audit WHERE event = 'tool_call' ORDER BY id DESC LIMIT 4");
        let tools: Vec<&str> = audit.iter().map(|r| r["tool"].as_str().unwrap_or("")).collect();
        assert_eq!(
            tools,
            ["odoo_batch", "odoo_delete", "odoo_update", "odoo_create"],
            "each operation audited, then the batch"
        );
    }
}

#[test]
fn stop_on_error_skips_the_rest_and_can_be_turned_off() {
    let v = OdooVersion::V19;
    let h = Harness::new();
    let key = setup(&h, v, &["res.partner"]);
    let mut s = h.session(&key);
    let doomed = new_partner(&mut s, "Doomed");
    let mut ops = three_steps(doomed);
    ops[1]["values"] = json!({"citty": "typo"});
    h.fake(v).clear_calls();
    let r = s.tool("odoo_batch", json!({"operations": ops}));
    let out = batch_incomplete(&r);
    assert_eq!(
        (out["status"].as_str(), out["succeeded"].as_i64(), out["failed"].as_i64(), out["skipped"].as_i64()),
        (Some("stopped"), Some(1), Some(1), Some(1)),
        "{out}"
    );
    assert_eq!(
        out["error"],
        "1 of 3 operations succeeded; 1 failed; 1 skipped after the failure (stop_on_error). Each operation's \
         outcome is in results."
    );
    assert_eq!(out["results"][1]["outcome_unknown"], false, "Odoo never got it");
    let audit = batch_audit(&h);
    assert_eq!((audit["outcome"].as_str(), audit["record_count"].as_i64()), (Some("incomplete"), Some(1)), "{audit}");
    assert!(audit["detail"].as_str().unwrap().contains("1 failed"), "{audit}");
    assert!(out["results"][1]["error"].as_str().unwrap().contains("'citty' is not a field"), "{out}");
    assert_eq!(out["results"][2], json!({"index": 2, "action": "delete", "model": "res.partner", "status": "skipped"}));
    assert_eq!(writes(&h, v), ["create"], "the delete after the failure never ran");
    h.fake(v).clear_calls();
    let r = s.tool("odoo_batch", json!({"operations": ops, "stop_on_error": false}));
    let out = batch_incomplete(&r);
    assert_eq!(
        (out["status"].as_str(), out["succeeded"].as_i64(), out["failed"].as_i64()),
        (Some("completed"), Some(2), Some(1)),
        "{out}"
    );
    assert_eq!(writes(&h, v), ["create", "unlink"]);
}

#[test]
fn a_dry_run_batch_writes_nothing() {
    for v in [OdooVersion::V19, OdooVersion::V17] {
        let h = Harness::new();
        let key = setup(&h, v, &["res.partner"]);
        let mut s = h.session(&key);
        let doomed = new_partner(&mut s, "Doomed");
        h.fake(v).clear_calls();
        let r = s.tool("odoo_batch", json!({"operations": three_steps(doomed), "dry_run": true}));
        let out = batch_ok(&r);
        assert_eq!(out["succeeded"], 3, "{v:?}: {out}");
        assert!(out["results"].as_array().unwrap().iter().all(|r| r["result"]["dry_run"] == true));
        assert_eq!(out["results"][2]["result"]["results"][0]["outcome"], "would_delete");
        assert!(writes(&h, v).is_empty(), "{v:?}");
        let e = s.tool("odoo_batch", json!({"operations": [{"action": "delete", "model": "res.partner", "ids": [doomed], "dry_run": false}], "dry_run": true}));
        assert!(text_of(&e).contains("for the whole batch"), "{e}");
    }
}

#[test]
fn a_batch_beyond_the_subrequest_budget_is_refused_before_anything_runs() {
    let v = OdooVersion::V19;
    let mut h = Harness::new();
    let key = setup(&h, v, &["res.partner"]);
    let ops: Vec<Value> = (0..30)
        .map(|i| json!({"action": "create", "model": "res.partner", "values": {"name": format!("Bulk {i}")}}))
        .collect();
    let mut s = h.session(&key);
    h.fake(v).clear_calls();
    let r = s.tool("odoo_batch", json!({"operations": ops}));
    let e = text_of(&r);
    assert_eq!(r["isError"], true, "{r}");
    assert!(
        e.contains("allows 50 per request") && e.contains("Nothing was run") && e.contains("batches of about"),
        "{e}"
    );
    assert!(h.fake(v).calls().is_empty(), "refused before any Odoo call");
    drop(s);
    // On a plan with a larger budget, the same batch runs.
    h.settings.subrequest_budget = 1000;
    let mut s = h.session(&key);
    let r = s.tool("odoo_batch", json!({"operations": ops}));
    assert_eq!(batch_ok(&r)["succeeded"], 30);
}

/// A batch over SSE with a progress token; returns the messages streamed.
fn streamed_batch(h: &Harness, key: &str, ops: Value, stream: &ResponseStream) -> Vec<Value> {
    let mut s = h.session(key);
    let msg = json!({"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {"name": "odoo_batch", "arguments": {"operations": ops}, "_meta": {"progressToken": "b"}}});
    sse_messages(&s.post_with(&msg, &[], stream).raw)
}

#[test]
fn progress_follows_each_operation() {
    let v = OdooVersion::V17;
    let h = Harness::new();
    let key = setup(&h, v, &["res.partner"]);
    let doomed = new_partner(&mut h.session(&key), "Doomed");
    let msgs = streamed_batch(&h, &key, three_steps(doomed), &ResponseStream::new());
    let progress: Vec<(f64, String)> = msgs
        .iter()
        .filter(|m| m["method"] == "notifications/progress")
        .map(|m| (m["params"]["progress"].as_f64().unwrap(), m["params"]["message"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        progress.iter().map(|p| p.0).collect::<Vec<_>>(),
        [1.0, 2.0, 3.0],
        "one per operation, increasing, no inner steps: {msgs:?}"
    );
    assert_eq!(progress[1].1, "2 of 3: update res.partner done");
    assert!(msgs.last().unwrap()["result"]["structuredContent"]["succeeded"] == 3, "the result comes last");
}

#[test]
fn cancelling_stops_between_operations_and_keeps_what_is_done() {
    let v = OdooVersion::V19;
    let h = Harness::new();
    let key = setup(&h, v, &["res.partner"]);
    let mut s = h.session(&key);
    let doomed = new_partner(&mut s, "Doomed");
    h.fake(v).clear_calls();
    let stream = ResponseStream::new();
    let client = stream.clone();
    // The client goes away while the first operation's create is on its way to Odoo (the schema is warm).
    *h.http.on_send.borrow_mut() = Some(Box::new(move || drop(client.reader())));
    let msgs = streamed_batch(&h, &key, three_steps(doomed), &stream);
    *h.http.on_send.borrow_mut() = None;
    assert!(msgs.iter().all(|m| m.get("result").is_none()), "no result for a cancelled request: {msgs:?}");
    assert_eq!(writes(&h, v), ["create"], "the first operation finished; the rest never started");
    let audit = h.db.rows("SELECT tool, event, outcome FROM audit ORDER BY id DESC LIMIT 2");
    assert_eq!(
        (audit[0]["event"].as_str(), audit[1]["tool"].as_str(), audit[1]["outcome"].as_str()),
        (Some("request_cancelled"), Some("odoo_create"), Some("ok")),
        "{audit:?}"
    );
    assert_eq!(
        s.tool("odoo_get", json!({"model": "res.partner", "ids": [doomed]}))["structuredContent"]["missing_ids"],
        json!([]),
        "the delete never ran"
    );
}

#[test]
fn malformed_batches_are_refused_whole() {
    let v = OdooVersion::V19;
    let h = Harness::new();
    let key = setup(&h, v, &["res.partner"]);
    let mut s = h.session(&key);
    h.fake(v).clear_calls();
    for (ops, needle) in [
        (json!([]), "1 to 100"),
        (json!("create"), "1 to 100"),
        (
            json!([{"action": "create", "model": "res.partner", "values": {"name": "ok"}}, {"action": "archive", "model": "res.partner"}]),
            "operation 1: unknown action 'archive'",
        ),
        (json!([{"model": "res.partner"}]), "'action' is required"),
        (json!([42]), "must be an object"),
    ] {
        let r = s.tool("odoo_batch", json!({"operations": ops}));
        assert!(text_of(&r).contains(needle), "{needle}: {r}");
    }
    assert!(h.fake(v).calls().is_empty(), "nothing ran");
}

#[test]
fn a_workflow_updates_a_lead_and_logs_a_note() {
    for v in [OdooVersion::V19, OdooVersion::V17] {
        let h = Harness::new();
        let key = setup(&h, v, &["crm.lead"]);
        let mut s = h.session(&key);
        let ops = json!([
            {"action": "update", "model": "crm.lead", "ids": [1], "values": {"priority": "3"}},
            {"action": "post_message", "model": "crm.lead", "id": 1, "body": "Called: they want a demo <soon> & a quote."}
        ]);
        h.fake(v).clear_calls();
        let preview = s.tool("odoo_batch", json!({"operations": ops, "dry_run": true}));
        assert_eq!(batch_ok(&preview)["results"][1]["result"]["dry_run"], true, "{v:?}: {preview}");
        assert!(
            h.fake(v).calls().iter().all(|c| !matches!(c.method.as_str(), "write" | "message_post")),
            "the preview wrote nothing"
        );
        let r = s.tool("odoo_batch", json!({"operations": ops}));
        let out = batch_ok(&r);
        assert_eq!(out["succeeded"], 2, "{v:?}: {out}");
        assert!(out["results"][1]["result"]["message_id"].as_i64().unwrap() > 0);
        let thread = s.tool("odoo_chatter_read", json!({"model": "crm.lead", "id": 1, "limit": 1}));
        assert_eq!(
            thread["structuredContent"]["messages"][0]["body"], "Called: they want a demo <soon> & a quote.",
            "{v:?}: {thread}"
        );
    }
}

#[test]
fn a_batch_that_did_everything_is_audited_ok() {
    let v = OdooVersion::V19;
    let h = Harness::new();
    let key = setup(&h, v, &["res.partner"]);
    let mut s = h.session(&key);
    let r = s.tool(
        "odoo_batch",
        json!({"operations": [{"action": "create", "model": "res.partner", "values": {"name": "All Good"}}]}),
    );
    let out = batch_ok(&r);
    assert_eq!(
        (out["not_attempted"].as_i64(), out["outcome_unknown"].as_i64(), out.get("error")),
        (Some(0), Some(0), None),
        "{out}"
    );
    assert_eq!(batch_audit(&h)["outcome"], "ok");
}

#[test]
fn no_operation_starts_past_the_time_limit() {
    let v = OdooVersion::V19;
    let mut h = Harness::new();
    h.settings.odoo_timeout_ms = 300;
    h.settings.batch_time_limit_ms = 1000;
    let key = setup(&h, v, &["res.partner"]);
    let mut s = h.session(&key);
    // Warm the schema, then every create hangs past the per-call timeout.
    new_partner(&mut s, "Warm");
    h.fake(v).set_delay(5000, &["create"]).unwrap();
    h.fake(v).clear_calls();
    let ops: Vec<Value> = (0..8)
        .map(|i| json!({"action": "create", "model": "res.partner", "values": {"name": format!("Hang {i}")}}))
        .collect();
    let started = std::time::Instant::now();
    let r = s.tool("odoo_batch", json!({"operations": ops, "stop_on_error": false}));
    let took = started.elapsed();
    h.fake(v).reset();
    let out = batch_incomplete(&r);
    let sent = writes(&h, v).len() as i64;
    let not_attempted = out["not_attempted"].as_i64().unwrap();
    assert_eq!(out["status"], "time_limit", "{out}");
    assert!(
        not_attempted >= 1 && sent + not_attempted == 8,
        "{sent} creates sent, {not_attempted} not attempted: {out}"
    );
    assert_eq!(
        (out["failed"].as_i64(), out["outcome_unknown"].as_i64()),
        (Some(sent), Some(sent)),
        "each hanging create timed out: outcome unknown: {out}"
    );
    let results = out["results"].as_array().unwrap();
    for r in &results[..sent as usize] {
        assert_eq!((r["status"].as_str(), r["outcome_unknown"].as_bool()), (Some("failed"), Some(true)), "{r}");
    }
    for r in &results[sent as usize..] {
        assert_eq!(r["status"], "not_attempted", "{r}");
        assert!(r.get("result").is_none() && r.get("error").is_none(), "{r}");
    }
    let error = out["error"].as_str().unwrap();
    assert!(
        error.contains("time limit of 1 s")
            && error.contains("may or may not have been applied")
            && error.contains("run them in a new batch"),
        "{error}"
    );
    assert!(
        took < std::time::Duration::from_millis(300 * 8),
        "stopped early, not after every operation's timeout: {took:?}"
    );
    assert_eq!(batch_audit(&h)["outcome"], "incomplete");
}
