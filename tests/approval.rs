//! The person's approval (`mcp::approval`, `ToolCtx::approve`) end to end against the fake Odoo 19: in
//! the session era a delete, an action and a batch wait on their stream for the client's answer to
//! `elicitation/create` (accepted, declined, dismissed, unticked; handed over in this isolate or through
//! D1 from another; no answer within the budget; a client that cannot be asked); in 2026-07-28 the
//! `input_required` round with its signed `requestState` (accepted once, replayed, altered, bound to the
//! arguments and the key). Nothing is sent to Odoo before the approval, and the audit says asked,
//! approved, declined. Also the admin API's `approval` on keys and OAuth settings.

mod support;

use fake_odoo::OdooVersion;
use odoo_mcp_edge::mcp::stream::ResponseStream;
use odoo_mcp_edge::platform::join;
use serde_json::{json, Value};
use support::{block_on, sse_messages, stateless_meta, text_of, Harness, Resp};

const V: OdooVersion = OdooVersion::V19;

/// A connection where res.partner may be read, created and deleted and sale.order confirmed, and a key
/// of the fake's admin with `approval`.
fn setup(h: &Harness, approval: Value) -> (i64, String) {
    let c = h.connection(V, "c", &[]);
    h.allow(c, "res.partner", json!({"read": true, "create": true, "delete": true}));
    h.allow(c, "sale.order", json!({"read": true, "actions": ["action_confirm"]}));
    (c, key_for(h, c, approval))
}

/// Another key of the fake's admin on connection `c`.
fn key_for(h: &Harness, c: i64, approval: Value) -> String {
    let cfg = fake_odoo::Config::new(V);
    let user = cfg.users.iter().find(|u| u.login == "admin").expect("fake admin");
    let r = h.admin(
        "POST",
        "/admin/api/keys",
        Some(json!({"connection_id": c, "label": "asks", "odoo_login": "admin", "odoo_api_key": user.api_key, "approval": approval})),
    );
    assert_eq!(r.status, 201, "{}", r.raw);
    assert_eq!(r.body["approval"], approval, "the key says what it asks for");
    r.body["key"].as_str().expect("key").to_string()
}

/// Opens a session whose client declares `capabilities`; its id.
fn open(h: &Harness, key: &str, capabilities: Value) -> String {
    let init = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": capabilities, "clientInfo": {"name": "approver", "version": "1"}}});
    let r = h.post_mcp(key, None, &[], &init.to_string());
    assert_eq!(r.status, 200, "{}", r.raw);
    let sid = r.header("mcp-session-id").expect("session").to_string();
    let r =
        h.post_mcp(key, Some(&sid), &[], &json!({"jsonrpc": "2.0", "method": "notifications/initialized"}).to_string());
    assert_eq!(r.status, 202);
    sid
}

async fn post(h: &Harness, key: &str, sid: &str, body: &Value, stream: &ResponseStream) -> Resp {
    let auth = format!("Bearer {key}");
    let headers = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
        ("accept", "application/json, text/event-stream"),
        ("mcp-session-id", sid),
        ("mcp-protocol-version", "2025-11-25"),
    ];
    h.raw_async("POST", "/mcp", &headers, body.to_string().as_bytes(), stream).await
}

fn tool_call(id: i64, name: &str, args: Value) -> Value {
    json!({"jsonrpc": "2.0", "id": id, "method": "tools/call", "params": {"name": name, "arguments": args}})
}

/// Lets other futures joined with this one run.
async fn yield_now() {
    let mut yielded = false;
    std::future::poll_fn(|cx| {
        if yielded {
            return std::task::Poll::Ready(());
        }
        yielded = true;
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    })
    .await
}

/// Waits for the `elicitation/create` on `stream` (what came before it is returned too).
async fn question_on(stream: &ResponseStream) -> Value {
    let mut seen = String::new();
    loop {
        seen.push_str(&String::from_utf8_lossy(&stream.take_buffered()));
        if let Some(q) = sse_messages(&seen).into_iter().find(|m| m["method"] == "elicitation/create") {
            return q;
        }
        yield_now().await;
    }
}

/// A session-era call answered by the person with `answer` (the result of `elicitation/create`, or
/// `None` for no answer at all); the question and the call's final JSON-RPC response.
fn call_answered(h: &Harness, key: &str, sid: &str, call: &Value, answer: Option<Value>) -> (Value, Value) {
    let stream = ResponseStream::new();
    let (resp, question) = block_on(join(post(h, key, sid, call, &stream), async {
        let q = question_on(&stream).await;
        if let Some(result) = answer {
            let reply = json!({"jsonrpc": "2.0", "id": q["id"], "result": result});
            let r = post(h, key, sid, &reply, &ResponseStream::new()).await;
            assert_eq!(r.status, 202, "an answer is acknowledged: {}", r.raw);
        }
        q
    }));
    assert_eq!(resp.status, 200, "{}", resp.raw);
    let last = sse_messages(&resp.raw).into_iter().find(|m| m.get("id") == call.get("id")).expect("the call's answer");
    (question, last)
}

fn partner(h: &Harness, key: &str, name: &str) -> i64 {
    let mut s = h.session(key);
    let r = s.tool("odoo_create", json!({"model": "res.partner", "values": {"name": name}}));
    r["structuredContent"]["id"].as_i64().expect("created")
}

fn unlinks(h: &Harness) -> usize {
    h.fake(V).calls().iter().filter(|c| c.method == "unlink").count()
}

fn audit(h: &Harness) -> Vec<String> {
    h.db.rows("SELECT event, outcome FROM audit WHERE event LIKE 'approval_%' ORDER BY id")
        .iter()
        .map(|r| format!("{} {}", r["event"].as_str().unwrap_or(""), r["outcome"].as_str().unwrap_or("")))
        .collect()
}

const ELICITS: &str = r#"{"elicitation": {"form": {}}}"#;

fn elicits() -> Value {
    serde_json::from_str(ELICITS).expect("json")
}

#[test]
fn a_delete_runs_only_after_the_person_accepts() {
    let h = Harness::new();
    let (_, key) = setup(&h, json!(["delete"]));
    let id = partner(&h, &key, "Approve me");
    let sid = open(&h, &key, elicits());
    h.fake(V).clear_calls();
    let call = tool_call(7, "odoo_delete", json!({"model": "res.partner", "ids": [id]}));
    let (question, answer) =
        call_answered(&h, &key, &sid, &call, Some(json!({"action": "accept", "content": {"confirm": true}})));
    let message = question["params"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("Delete 1 res.partner")
            && message.contains("Approve me")
            && message.contains(&format!("id {id}")),
        "{message}"
    );
    assert_eq!(question["params"]["requestedSchema"]["required"], json!(["confirm"]));
    assert!(question["id"].as_str().is_some_and(|i| i.starts_with("approval-")), "{question}");
    let result = &answer["result"];
    assert!(result.get("isError").is_none(), "{answer}");
    assert_eq!(result["structuredContent"]["deleted"], 1);
    assert_eq!(unlinks(&h), 1);
    assert_eq!(audit(&h), ["approval_asked asked", "approval_approved approved"]);
    let row = &h.db.rows("SELECT tool, model, detail FROM audit WHERE event = 'approval_approved'")[0];
    assert_eq!(row["tool"], "odoo_delete");
    assert_eq!(row["model"], "res.partner");
    assert_eq!(row["detail"], "delete 1 res.partner record(s)", "no record names in the audit");
}

#[test]
fn a_declined_dismissed_or_unticked_question_deletes_nothing() {
    let h = Harness::new();
    let (_, key) = setup(&h, json!(["delete", "action"]));
    let id = partner(&h, &key, "Keep me");
    let sid = open(&h, &key, elicits());
    h.fake(V).clear_calls();
    for (n, (answer, says, outcome)) in [
        (json!({"action": "decline"}), "declined", "declined"),
        (json!({"action": "cancel"}), "dismissed", "dismissed"),
        (json!({"action": "accept", "content": {"confirm": false}}), "without ticking", "unconfirmed"),
    ]
    .into_iter()
    .enumerate()
    {
        let call = tool_call(10 + n as i64, "odoo_delete", json!({"model": "res.partner", "ids": [id]}));
        let (_, r) = call_answered(&h, &key, &sid, &call, Some(answer));
        assert_eq!(r["result"]["isError"], true, "{r}");
        let text = text_of(&r["result"]);
        assert!(text.contains(says) && text.contains("nothing was done"), "{text}");
        assert_eq!(unlinks(&h), 0, "{outcome}: nothing deleted");
        assert_eq!(audit(&h).last().map(String::as_str), Some(format!("approval_declined {outcome}").as_str()));
    }
    let mut s = h.session(&key);
    let still = s.tool("odoo_get", json!({"model": "res.partner", "ids": [id], "fields": ["name"]}));
    assert_eq!(still["structuredContent"]["records"][0]["name"], "Keep me");
}

#[test]
fn an_answer_posted_to_another_isolate_reaches_the_question_through_d1() {
    let h = Harness::new();
    let (_, key) = setup(&h, json!(["delete"]));
    let id = partner(&h, &key, "Far away");
    let sid = open(&h, &key, elicits());
    let stream = ResponseStream::new();
    let call = tool_call(8, "odoo_delete", json!({"model": "res.partner", "ids": [id]}));
    let (resp, _) = block_on(join(post(&h, &key, &sid, &call, &stream), async {
        let q = question_on(&stream).await;
        // What the session lane of another isolate records (its mailbox has no such question).
        h.db.rows(&format!(
            "INSERT INTO approval_answers (session_id, request_id, answer, at) VALUES ('{sid}', '{}', 'accept', 0)",
            q["id"].as_str().unwrap_or_default()
        ));
    }));
    let last = sse_messages(&resp.raw).pop().expect("answer");
    assert_eq!(last["result"]["structuredContent"]["deleted"], 1, "{last}");
}

#[test]
fn a_client_that_cannot_ask_is_refused_with_guidance_and_nothing_reaches_odoo() {
    let h = Harness::new();
    let (_, key) = setup(&h, json!(["delete"]));
    let id = partner(&h, &key, "Unasked");
    h.fake(V).clear_calls();
    // No elicitation declared, then a URL-only one.
    for caps in [json!({}), json!({"elicitation": {"url": {}}})] {
        let mut s = h.session(&key);
        s.session_id = Some(open(&h, &key, caps));
        let r = s.tool("odoo_delete", json!({"model": "res.partner", "ids": [id]}));
        assert_eq!(r["isError"], true, "{r}");
        let text = text_of(&r);
        assert!(text.contains("could not be asked") && text.contains("form elicitation"), "{text}");
        assert!(text.contains("administrator"), "both ways out: {text}");
    }
    // A client that accepts no event stream cannot be asked either.
    let sid = open(&h, &key, elicits());
    let auth = format!("Bearer {key}");
    let headers = [
        ("authorization", auth.as_str()),
        ("content-type", "application/json"),
        ("accept", "application/json"),
        ("mcp-session-id", sid.as_str()),
        ("mcp-protocol-version", "2025-11-25"),
    ];
    let body = tool_call(3, "odoo_delete", json!({"model": "res.partner", "ids": [id]})).to_string();
    let r = h.raw("POST", "/mcp", &headers, body.as_bytes());
    assert!(text_of(&r.body["result"]).contains("event stream"), "{}", r.raw);
    assert_eq!(unlinks(&h), 0);
    assert!(audit(&h).iter().all(|a| a == "approval_unavailable cannot_ask"), "{:?}", audit(&h));
    // A dry run asks nothing; a key without the rule deletes directly.
    let mut s = h.session(&key);
    let dry = s.tool("odoo_delete", json!({"model": "res.partner", "ids": [id], "dry_run": true}));
    assert!(dry.get("isError").is_none(), "{dry}");
}

#[test]
fn no_answer_within_what_the_request_may_spend_does_nothing() {
    let mut h = Harness::new();
    let (_, key) = setup(&h, json!(["delete"]));
    let id = partner(&h, &key, "Waiting");
    let sid = open(&h, &key, elicits());
    h.fake(V).clear_calls();
    // Authentication, the schema and the read of the records, the delete's own reserve, and one look.
    h.settings.subrequest_budget = 3 + 2 + odoo_mcp_edge_delete_retries() + 1;
    let call = tool_call(9, "odoo_delete", json!({"model": "res.partner", "ids": [id]}));
    let (_, r) = call_answered(&h, &key, &sid, &call, None);
    assert!(text_of(&r["result"]).contains("No answer came"), "{r}");
    assert_eq!(unlinks(&h), 0);
    assert_eq!(audit(&h).last().map(String::as_str), Some("approval_declined no_answer"));
}

/// `odoo_delete`'s one-by-one retries, as its reserve counts them.
fn odoo_mcp_edge_delete_retries() -> u32 {
    20
}

#[test]
fn an_action_and_a_batch_ask_once_for_everything_they_do() {
    let h = Harness::new();
    let (_, key) = setup(&h, json!(["delete", "action"]));
    let sid = open(&h, &key, elicits());
    let mut s = h.session(&key);
    let order = s.tool(
        "odoo_search",
        json!({"model": "sale.order", "domain": [["state", "=", "draft"]], "fields": ["name"], "limit": 1}),
    );
    let order = &order["structuredContent"]["records"][0];
    let (order_id, order_name) = (order["id"].as_i64().expect("a draft order"), order["name"].as_str().unwrap_or(""));
    h.fake(V).clear_calls();
    let call =
        tool_call(4, "odoo_action", json!({"model": "sale.order", "ids": [order_id], "action": "action_confirm"}));
    let (q, r) = call_answered(&h, &key, &sid, &call, Some(json!({"action": "accept", "content": {"confirm": true}})));
    let message = q["params"]["message"].as_str().unwrap_or_default();
    assert!(message.contains("action_confirm") && message.contains(order_name), "names the order: {message}");
    assert_eq!(r["result"]["structuredContent"]["records"][0]["state"], "sale", "{r}");
    // A batch: one question listing every operation, then each runs.
    let victim = partner(&h, &key, "Batch victim");
    let batch = tool_call(
        5,
        "odoo_batch",
        json!({"operations": [
            {"action": "create", "model": "res.partner", "values": {"name": "Batch new"}},
            {"action": "delete", "model": "res.partner", "ids": [victim]}
        ]}),
    );
    let (q, r) = call_answered(&h, &key, &sid, &batch, Some(json!({"action": "accept", "content": {"confirm": true}})));
    let message = q["params"]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("1. create a res.partner record")
            && message.contains(&format!("2. delete res.partner records with ids {victim}")),
        "{message}"
    );
    assert_eq!(r["result"]["structuredContent"]["succeeded"], 2, "{r}");
    assert_eq!(audit(&h).iter().filter(|a| *a == "approval_asked asked").count(), 2, "one question per call");
    // Declined, the batch runs nothing at all.
    h.fake(V).clear_calls();
    let again = tool_call(6, "odoo_batch", batch["params"]["arguments"].clone());
    let (_, r) = call_answered(&h, &key, &sid, &again, Some(json!({"action": "decline"})));
    assert_eq!(r["result"]["isError"], true);
    assert!(h.fake(V).calls().iter().all(|c| c.method != "create" && c.method != "unlink"));
    // Creating alone needs no approval.
    let r = s.tool("odoo_create", json!({"model": "res.partner", "values": {"name": "No question"}}));
    assert!(r.get("isError").is_none(), "{r}");
}

fn stateless_call(h: &Harness, key: &str, args: Value, caps: Value, extra: Value) -> Value {
    stateless_tool(h, key, "odoo_delete", args, caps, extra)
}

fn stateless_tool(h: &Harness, key: &str, tool: &str, args: Value, caps: Value, extra: Value) -> Value {
    let mut meta = stateless_meta();
    meta["io.modelcontextprotocol/clientCapabilities"] = caps;
    let mut params = json!({"name": tool, "arguments": args, "_meta": meta});
    for (k, v) in extra.as_object().cloned().unwrap_or_default() {
        params[k] = v;
    }
    let r = h.stateless(key, json!(1), "tools/call", params, &[("mcp-name", tool)]);
    assert_eq!(r.status, 200, "{}", r.raw);
    r.body["result"].clone()
}

#[test]
fn in_2026_07_28_the_input_required_round_runs_the_call_once() {
    let h = Harness::new();
    let (c, key) = setup(&h, json!(["delete"]));
    let id = partner(&h, &key, "Stateless");
    let args = json!({"model": "res.partner", "ids": [id]});
    h.fake(V).clear_calls();
    let first = stateless_call(&h, &key, args.clone(), elicits(), json!({}));
    assert_eq!(first["resultType"], "input_required", "{first}");
    let ask = &first["inputRequests"]["approval"];
    assert_eq!(ask["method"], "elicitation/create");
    assert!(ask["params"]["message"].as_str().unwrap_or_default().contains("Stateless"));
    let state = first["requestState"].as_str().expect("state").to_string();
    assert!(first.get("content").is_none() && first.get("ttlMs").is_none());
    assert_eq!(unlinks(&h), 0, "asking calls nothing");
    let accept = json!({"approval": {"action": "accept", "content": {"confirm": true}}});

    // Altered, for other arguments, or with no answer: refused or asked again, never run.
    let altered = format!("{}x", &state[..state.len() - 1]);
    let r =
        stateless_call(&h, &key, args.clone(), elicits(), json!({"inputResponses": accept, "requestState": altered}));
    assert!(text_of(&r).contains("not valid"), "{r}");
    let other = json!({"model": "res.partner", "ids": [id, 1]});
    let r = stateless_call(&h, &key, other, elicits(), json!({"inputResponses": accept, "requestState": state}));
    assert!(text_of(&r).contains("not valid"), "bound to the arguments: {r}");
    let r = stateless_call(&h, &key, args.clone(), elicits(), json!({"requestState": state}));
    assert_eq!(r["resultType"], "input_required", "no answer: asked again");
    assert_eq!(unlinks(&h), 0);

    // Accepted: runs, once.
    let r = stateless_call(&h, &key, args.clone(), elicits(), json!({"inputResponses": accept, "requestState": state}));
    assert_eq!(r["resultType"], "complete", "{r}");
    assert_eq!(r["structuredContent"]["deleted"], 1, "{r}");
    // Sent again, the record is gone: nothing to delete, nothing asked.
    let again =
        stateless_call(&h, &key, args.clone(), elicits(), json!({"inputResponses": accept, "requestState": state}));
    assert_eq!(again["structuredContent"]["results"][0]["outcome"], "missing", "{again}");
    assert_eq!(unlinks(&h), 1);
    // A batch's approval replayed is refused before anything runs (its create would run again).
    let victim = partner(&h, &key, "Batch victim");
    let batch = json!({"operations": [
        {"action": "create", "model": "res.partner", "values": {"name": "Created once"}},
        {"action": "delete", "model": "res.partner", "ids": [victim]}
    ]});
    let first = stateless_tool(&h, &key, "odoo_batch", batch.clone(), elicits(), json!({}));
    let answer = json!({"inputResponses": accept, "requestState": first["requestState"]});
    let r = stateless_tool(&h, &key, "odoo_batch", batch.clone(), elicits(), answer.clone());
    assert_eq!(r["structuredContent"]["succeeded"], 2, "{r}");
    h.fake(V).clear_calls();
    let again = stateless_tool(&h, &key, "odoo_batch", batch, elicits(), answer);
    assert!(text_of(&again).contains("already used"), "{again}");
    assert!(h.fake(V).calls().iter().all(|c| c.method != "create"), "nothing ran again");

    // Another key cannot use this key's state.
    // Declined, and another key cannot use this key's state.
    let id2 = partner(&h, &key, "Stateless 2");
    let args2 = json!({"model": "res.partner", "ids": [id2]});
    let first = stateless_call(&h, &key, args2.clone(), elicits(), json!({}));
    let other_key = key_for(&h, c, json!(["delete"]));
    let stolen = json!({"inputResponses": accept, "requestState": first["requestState"]});
    let r = stateless_call(&h, &other_key, args2.clone(), elicits(), stolen);
    assert!(text_of(&r).contains("not valid"), "bound to the key: {r}");
    let decline = json!({"approval": {"action": "decline"}, "unrelated": {"action": "accept"}});
    let r = stateless_call(
        &h,
        &key,
        args2.clone(),
        elicits(),
        json!({"inputResponses": decline, "requestState": first["requestState"]}),
    );
    assert!(text_of(&r).contains("declined"), "{r}");
    // A client without elicitation is refused with guidance.
    let r = stateless_call(&h, &key, args2, json!({}), json!({}));
    assert!(text_of(&r).contains("could not be asked"), "{r}");
    assert_eq!(unlinks(&h), 0, "nothing deleted since the batch");
    let events = audit(&h);
    assert!(
        events.contains(&"approval_asked asked".to_string())
            && events.contains(&"approval_approved approved".to_string())
    );
    assert!(events.contains(&"approval_declined already_used".to_string()), "{events:?}");
    assert!(events.contains(&"approval_declined invalid_state".to_string()), "{events:?}");
}

#[test]
fn the_admin_api_sets_and_shows_approval() {
    let h = Harness::new();
    let (_, key) = setup(&h, json!(["delete", "action"]));
    let listed = h.admin("GET", "/admin/api/keys", None);
    let id = listed.body["keys"][0]["id"].as_i64().expect("id");
    assert_eq!(listed.body["keys"][0]["approval"], json!(["delete", "action"]));
    let r = h.admin("PUT", &format!("/admin/api/keys/{id}/approval"), Some(json!({"approval": ["write"]})));
    assert_eq!(r.status, 400, "{}", r.raw);
    assert!(r.raw.contains("cannot need approval"), "{}", r.raw);
    let r = h.admin("PUT", &format!("/admin/api/keys/{id}/approval"), Some(json!({"approval": []})));
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(r.body["approval"], json!([]));
    let r = h.admin("PUT", "/admin/api/keys/999/approval", Some(json!({"approval": ["delete"]})));
    assert_eq!(r.status, 404);
    // Lifted: the delete runs directly.
    let pid = partner(&h, &key, "Direct");
    let mut s = h.session(&key);
    let r = s.tool("odoo_delete", json!({"model": "res.partner", "ids": [pid]}));
    assert_eq!(r["structuredContent"]["deleted"], 1, "{r}");
    // OAuth settings carry the rule for new grants.
    let c = listed.body["keys"][0]["connection_id"].as_i64().expect("connection");
    let r = h.admin(
        "PUT",
        &format!("/admin/api/connections/{c}/oauth"),
        Some(json!({"enabled": true, "who": "any", "approval": ["delete"]})),
    );
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(r.body["approval"], json!(["delete"]));
    let r = h.admin(
        "PUT",
        &format!("/admin/api/connections/{c}/oauth"),
        Some(json!({"enabled": true, "who": "any", "approval": ["sudo"]})),
    );
    assert_eq!(r.status, 400);
}
