//! `odoo_chatter_post` and `odoo_chatter_read` against the fake Odoo in 17 (`/jsonrpc`) and 19 (JSON-2)
//! modes: what is sent to `message_post`, what comes back through the thread, and every refusal.

mod support;

use fake_odoo::OdooVersion;
use serde_json::{json, Value};
use support::{text_of, Harness};

/// The admin's lead with a seeded thread (an email and a creation notice).
const LEAD: i64 = 1;

fn each_version(test: impl Fn(&Harness, OdooVersion)) {
    for v in [OdooVersion::V19, OdooVersion::V17] {
        let h = Harness::new();
        test(&h, v);
    }
}

/// Enables read and update on `model`, with `extra` settings (e.g. a field policy).
fn grant(h: &Harness, connection: i64, model: &str, extra: Value) {
    let mut body = json!({"read": true, "update": true});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        b.extend(e.clone());
    }
    let r = h.admin("PUT", &format!("/admin/api/connections/{connection}/models/{model}"), Some(body));
    assert_eq!(r.status, 200, "{}", r.raw);
}

/// A connection where crm.lead may be read and updated.
fn connection(h: &Harness, v: OdooVersion) -> i64 {
    let c = h.connection(v, "c", &[]);
    grant(h, c, "crm.lead", json!({}));
    c
}

/// The keyword parameters of every `message_post` sent to Odoo, on either transport.
fn posted(h: &Harness) -> Vec<Value> {
    h.http
        .sent
        .borrow()
        .iter()
        .filter_map(|(url, body)| {
            let b: Value = serde_json::from_str(body).ok()?;
            if url.ends_with("/message_post") {
                let mut params = b;
                params.as_object_mut()?.remove("ids");
                Some(params)
            } else if url.ends_with("/jsonrpc") && b["params"]["args"][4] == "message_post" {
                Some(b["params"]["args"][6].clone())
            } else {
                None
            }
        })
        .collect()
}

fn ok(r: &Value) -> &Value {
    assert!(r.get("isError").is_none(), "{r}");
    &r["structuredContent"]
}

fn methods(h: &Harness, v: OdooVersion) -> Vec<String> {
    h.fake(v).calls().into_iter().map(|c| format!("{}.{}", c.model.unwrap_or_default(), c.method)).collect()
}

/// The message with this id in a thread page.
fn message(thread: &Value, id: i64) -> Value {
    thread["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == id)
        .cloned()
        .unwrap_or_else(|| panic!("message {id} not in {thread}"))
}

#[test]
fn a_plain_text_note_reads_back_as_that_very_text() {
    each_version(|h, v| {
        let mut s = h.session(&h.key(connection(h, v), v, "admin"));
        let text = "Called: plain text with <b>tags</b> & an ampersand.";
        let r = s.tool("odoo_chatter_post", json!({"model": "crm.lead", "id": LEAD, "body": text}));
        let sc = ok(&r);
        let message_id = sc["message_id"].as_i64().unwrap();
        assert_eq!(
            sc,
            &json!({"model": "crm.lead", "id": LEAD, "message_id": message_id, "kind": "note", "dry_run": false})
        );
        // Sent as is (17 and 19 escape a plain string), with no body_is_html.
        assert_eq!(
            posted(h),
            [json!({"body": text, "message_type": "comment", "subtype_xmlid": "mail.mt_note"})],
            "{v:?}"
        );

        let thread = ok(&s.tool("odoo_chatter_read", json!({"model": "crm.lead", "id": LEAD}))).clone();
        assert_eq!(thread["record_name"], "Plan to attend a training");
        let m = message(&thread, message_id);
        assert_eq!(m["body"], text, "Odoo escaped it, so it reads back literally: {m}");
        assert_eq!(
            (m["type"].as_str(), m["subtype"].as_str(), m["is_note"].as_bool()),
            (Some("comment"), Some("Note"), Some(true))
        );
        assert!(m["author"].as_str().is_some_and(|a| !a.is_empty()) && m["author_id"].is_i64(), "{m}");
        assert!(m["date"].is_string() && m["subject"].is_null(), "{m}");
        // Newest first.
        let keys: Vec<(String, i64)> = thread["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| (m["date"].as_str().unwrap().to_string(), m["id"].as_i64().unwrap()))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort_by(|a, b| b.cmp(a));
        assert_eq!(keys, sorted);
        assert_eq!(thread["count"], thread["messages"].as_array().unwrap().len());
        // The seeded email reads as text, its source line breaks gone.
        let email = thread["messages"].as_array().unwrap().iter().find(|m| m["type"] == "email").unwrap();
        assert!(email["body"].as_str().unwrap().starts_with("Hello,\nI am Jacques from Le Club SARL."), "{email}");
    });
}

#[test]
fn an_html_post_is_marked_as_html_and_reads_back_without_tags() {
    each_version(|h, v| {
        let mut s = h.session(&h.key(connection(h, v), v, "admin"));
        let html = "<p>Agenda for <b>Monday</b>:</p><ul><li>demo</li><li>pricing &amp; terms</li></ul>";
        let r = s.tool("odoo_chatter_post", json!({"model": "crm.lead", "id": LEAD, "body": html, "html": true}));
        let message_id = ok(&r)["message_id"].as_i64().unwrap();
        assert_eq!(
            posted(h),
            [json!({"body": html, "message_type": "comment", "subtype_xmlid": "mail.mt_note", "body_is_html": true})],
            "{v:?}"
        );
        let thread = ok(&s.tool("odoo_chatter_read", json!({"model": "crm.lead", "id": LEAD}))).clone();
        assert_eq!(message(&thread, message_id)["body"], "Agenda for Monday:\n- demo\n- pricing & terms");
    });
}

#[test]
fn a_message_is_sent_with_the_comment_subtype() {
    each_version(|h, v| {
        let mut s = h.session(&h.key(connection(h, v), v, "admin"));
        let r = s.tool(
            "odoo_chatter_post",
            json!({"model": "crm.lead", "id": LEAD, "body": "Your quote is ready.", "kind": "message"}),
        );
        let sc = ok(&r);
        assert_eq!(sc["kind"], "message");
        let message_id = sc["message_id"].as_i64().unwrap();
        assert_eq!(posted(h)[0]["subtype_xmlid"], "mail.mt_comment");
        let thread = ok(&s.tool("odoo_chatter_read", json!({"model": "crm.lead", "id": LEAD}))).clone();
        let m = message(&thread, message_id);
        assert_eq!(
            (m["subtype"].as_str(), m["is_note"].as_bool(), m["body"].as_str()),
            (Some("Discussions"), Some(false), Some("Your quote is ready."))
        );
    });
}

#[test]
fn a_read_only_key_may_read_the_thread_but_not_post() {
    each_version(|h, v| {
        let c = h.connection(v, "c", &["crm.lead"]);
        let mut s = h.session(&h.key(c, v, "admin"));
        h.fake(v).clear_calls();
        let r = s.tool("odoo_chatter_post", json!({"model": "crm.lead", "id": LEAD, "body": "hello"}));
        assert_eq!(r["isError"], true);
        assert!(text_of(&r).contains("not enabled for updating"), "{}", text_of(&r));
        assert!(h.fake(v).calls().is_empty(), "a refusal never reaches Odoo: {:?}", methods(h, v));
        let denials = h.db.rows("SELECT count(*) AS n FROM audit WHERE event = 'permission_denied' AND tool = 'odoo_chatter_post' AND operation = 'update'");
        assert_eq!(denials[0]["n"], json!(1));
        assert!(
            ok(&s.tool("odoo_chatter_read", json!({"model": "crm.lead", "id": LEAD})))["count"].as_i64().unwrap() > 0
        );
        assert!(!methods(h, v).iter().any(|m| m.ends_with("message_post")));
    });
}

#[test]
fn models_without_a_chatter_or_with_it_hidden_are_refused() {
    each_version(|h, v| {
        let c = connection(h, v);
        grant(h, c, "res.country", json!({}));
        grant(h, c, "sale.order", json!({"fields": {"mode": "deny", "fields": ["message_ids"]}}));
        let mut s = h.session(&h.key(c, v, "admin"));
        h.fake(v).clear_calls();
        let args = |tool: &str, model: &str| match tool {
            "odoo_chatter_post" => json!({"model": model, "id": 1, "body": "x"}),
            _ => json!({"model": model, "id": 1}),
        };
        for tool in ["odoo_chatter_post", "odoo_chatter_read"] {
            let r = s.tool(tool, args(tool, "res.country"));
            assert_eq!(r["isError"], true, "{tool}");
            assert!(text_of(&r).contains("'res.country' has no chatter"), "{tool}: {}", text_of(&r));
            let r = s.tool(tool, args(tool, "sale.order"));
            assert_eq!(r["isError"], true, "{tool}");
            assert!(
                text_of(&r).contains("field policy") && text_of(&r).contains("message_ids"),
                "{tool}: {}",
                text_of(&r)
            );
        }
        let sent = methods(h, v);
        assert!(
            sent.iter().all(|m| m.ends_with("fields_get") || m.starts_with('.')),
            "only the schemas were asked for: {sent:?}"
        );
    });
}

#[test]
fn a_missing_record_is_a_readable_error() {
    each_version(|h, v| {
        let mut s = h.session(&h.key(connection(h, v), v, "admin"));
        h.fake(v).clear_calls();
        let r = s.tool("odoo_chatter_read", json!({"model": "crm.lead", "id": 987654}));
        assert_eq!(r["isError"], true);
        assert!(text_of(&r).contains("no record crm.lead 987654"), "{}", text_of(&r));
        // The record's name and its thread are asked for at once; the thread (none) is dropped.
        assert!(r.get("structuredContent").is_none_or(|c| c.get("messages").is_none()), "{r}");
        let r = s.tool("odoo_chatter_post", json!({"model": "crm.lead", "id": 987654, "body": "hello"}));
        assert_eq!(r["isError"], true);
        assert!(text_of(&r).contains("does not exist"), "{}", text_of(&r));
    });
}

#[test]
fn threads_page_newest_first_with_cursors_bound_to_the_thread() {
    each_version(|h, v| {
        let c = connection(h, v);
        let mut s = h.session(&h.key(c, v, "admin"));
        // Lead 7 has no seeded messages: its thread is exactly what is posted here.
        for i in 1..=5 {
            ok(&s.tool("odoo_chatter_post", json!({"model": "crm.lead", "id": 7, "body": format!("note {i}")})));
        }
        let mut bodies = Vec::new();
        let mut cursors = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut a = json!({"model": "crm.lead", "id": 7, "limit": 2});
            if let Some(c) = &cursor {
                a["cursor"] = json!(c);
            }
            let page = ok(&s.tool("odoo_chatter_read", a)).clone();
            assert!(page["count"].as_i64().unwrap() <= 2);
            bodies.extend(page["messages"].as_array().unwrap().iter().map(|m| m["body"].as_str().unwrap().to_string()));
            match page["next_cursor"].as_str() {
                Some(c) => {
                    cursor = Some(c.to_string());
                    cursors.push(c.to_string());
                }
                None => break,
            }
        }
        assert_eq!(bodies, ["note 5", "note 4", "note 3", "note 2", "note 1"], "{v:?}");
        assert_eq!(cursors.len(), 2);

        // A cursor pages its own thread only.
        let first = &cursors[0];
        for (args, what) in [
            (json!({"model": "crm.lead", "id": 8, "cursor": first}), "another record"),
            (json!({"model": "crm.lead", "id": 7, "cursor": first, "include_notifications": false}), "another filter"),
            (json!({"model": "crm.lead", "id": 7, "cursor": first.replacen('2', "4", 1)}), "a forged offset"),
        ] {
            let r = s.tool("odoo_chatter_read", args);
            assert_eq!(r["isError"], true, "{what}");
            assert!(text_of(&r).contains("'cursor' is not valid"), "{what}: {}", text_of(&r));
        }
        let other_key = h.key(c, v, "admin");
        let r = h.session(&other_key).tool("odoo_chatter_read", json!({"model": "crm.lead", "id": 7, "cursor": first}));
        assert_eq!(r["isError"], true, "another key");
    });
}

#[test]
fn notifications_can_be_left_out() {
    each_version(|h, v| {
        let mut s = h.session(&h.key(connection(h, v), v, "admin"));
        let types = |r: &Value| -> Vec<String> {
            ok(r)["messages"].as_array().unwrap().iter().map(|m| m["type"].as_str().unwrap().to_string()).collect()
        };
        let all = types(&s.tool("odoo_chatter_read", json!({"model": "crm.lead", "id": LEAD})));
        assert!(all.contains(&"notification".to_string()) && all.contains(&"email".to_string()), "{all:?}");
        let without = types(
            &s.tool("odoo_chatter_read", json!({"model": "crm.lead", "id": LEAD, "include_notifications": false})),
        );
        assert_eq!(without, all.iter().filter(|t| *t != "notification").cloned().collect::<Vec<_>>());
    });
}

#[test]
fn a_restricted_user_gets_odoos_own_access_error() {
    each_version(|h, v| {
        let mut s = h.session(&h.key(connection(h, v), v, "demo2"));
        h.fake(v).clear_calls();
        // Lead 1 belongs to the admin; demo2 sees only its own leads.
        let r = s.tool("odoo_chatter_post", json!({"model": "crm.lead", "id": LEAD, "body": "hello"}));
        assert_eq!(r["isError"], true);
        let t = text_of(&r);
        assert!(
            t.starts_with("Odoo refused the operation for this key's Odoo user")
                && t.contains("(crm.lead)")
                && t.contains("top-secret records"),
            "{t}"
        );
        assert!(methods(h, v).contains(&"crm.lead.message_post".to_string()), "Odoo decided, not us");
        let r = s.tool("odoo_chatter_read", json!({"model": "crm.lead", "id": LEAD}));
        assert!(
            text_of(&r).contains("Odoo refused the operation") && text_of(&r).contains("(crm.lead)"),
            "{}",
            text_of(&r)
        );
        // Its own lead is fine.
        let posted = ok(&s.tool("odoo_chatter_post", json!({"model": "crm.lead", "id": 3, "body": "mine"})))
            ["message_id"]
            .as_i64()
            .unwrap();
        let thread = ok(&s.tool("odoo_chatter_read", json!({"model": "crm.lead", "id": 3}))).clone();
        assert_eq!(message(&thread, posted)["body"], "mine");
    });
}

#[test]
fn bad_arguments_are_tool_errors_that_never_reach_odoo() {
    let h = Harness::new();
    let v = OdooVersion::V19;
    let mut s = h.session(&h.key(connection(&h, v), v, "admin"));
    let long = "x".repeat(20_001);
    let before = h.odoo19.request_count();
    for (tool, args, needle) in [
        ("odoo_chatter_post", json!({"model": "crm.lead", "id": 1}), "'body' is required"),
        ("odoo_chatter_post", json!({"model": "crm.lead", "id": 1, "body": "   "}), "'body' is required"),
        ("odoo_chatter_post", json!({"model": "crm.lead", "id": 1, "body": long}), "longer than 20000"),
        ("odoo_chatter_post", json!({"model": "crm.lead", "id": 1, "body": "x", "kind": "email"}), "'kind' must be"),
        (
            "odoo_chatter_post",
            json!({"model": "crm.lead", "id": 1, "body": "x", "html": "yes"}),
            "'html' must be true or false",
        ),
        ("odoo_chatter_post", json!({"model": "crm.lead", "id": 0, "body": "x"}), "positive integer"),
        ("odoo_chatter_post", json!({"model": "crm.lead", "body": "x"}), "'id' is required"),
        ("odoo_chatter_post", json!({"model": "crm.lead", "id": 1, "body": "x", "subject": "y"}), "unknown argument"),
        ("odoo_chatter_read", json!({"model": "crm.lead", "id": "1"}), "positive integer"),
        ("odoo_chatter_read", json!({"model": "crm.lead", "id": 1, "limit": 101}), "'limit' must be"),
        ("odoo_chatter_read", json!({"model": "crm.lead", "id": 1, "cursor": "garbage"}), "'cursor' is not valid"),
        ("odoo_chatter_read", json!({"model": "crm.lead", "id": 1, "include_notifications": 0}), "true or false"),
        ("odoo_chatter_read", json!({"model": "CRM Lead", "id": 1}), "not a model name"),
        ("odoo_chatter_read", json!({"model": "sale.order", "id": 1}), "not enabled"),
    ] {
        let r = s.tool(tool, args.clone());
        assert_eq!(r["isError"], true, "{tool} {args}");
        assert!(text_of(&r).contains(needle), "{tool} {args}: {}", text_of(&r));
    }
    assert_eq!(h.odoo19.request_count(), before, "no invalid call reaches Odoo");
    // At the limit, the body is accepted.
    ok(&s.tool("odoo_chatter_post", json!({"model": "crm.lead", "id": 1, "body": "x".repeat(20_000)})));
}
