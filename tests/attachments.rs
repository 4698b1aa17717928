//! Attachments against fake Odoo 19 and 17, in both eras: `odoo_attach` (and its dry run), the
//! `odoo://{model}/{id}/attachments` listing and `…/attachments/{attachment_id}` read back (a PDF as a
//! binary `blob` with its `mimeType`, a text file as text, cut at the response budget), the size limit,
//! a record the Odoo user cannot read, a model the key may not use, and the audit rows (never content).

mod support;

use base64::Engine;
use fake_odoo::OdooVersion;
use serde_json::{json, Value};
use support::{text_of, Harness, Session};

const VERSIONS: [OdooVersion; 2] = [OdooVersion::V19, OdooVersion::V17];
/// A quotation of the admin's (demo2 may not read it: "own documents only").
const ORDER: i64 = 1;

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// A small PDF with bytes that are not UTF-8.
fn pdf() -> Vec<u8> {
    let mut pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n".to_vec();
    pdf.extend_from_slice(&[0, 159, 255, 254, 10]);
    pdf.extend_from_slice(b"%%EOF\n");
    pdf
}

/// A connection with sale.order and res.partner readable and updatable.
fn setup(h: &Harness, v: OdooVersion) -> i64 {
    let c = h.connection(v, "c", &[]);
    for m in ["sale.order", "res.partner"] {
        h.allow(c, m, json!({"read": true, "update": true}));
    }
    c
}

fn attach(s: &mut Session<'_>, args: Value) -> Value {
    let r = s.tool("odoo_attach", args);
    assert!(r.get("isError").is_none(), "{r}");
    r["structuredContent"].clone()
}

fn read(s: &mut Session<'_>, uri: &str) -> Value {
    s.request("resources/read", json!({ "uri": uri }))
}

fn listing(s: &mut Session<'_>, uri: &str) -> Value {
    let r = read(s, uri);
    assert!(r.get("error").is_none(), "{r}");
    assert_eq!(r["result"]["contents"][0]["mimeType"], "application/json");
    serde_json::from_str(r["result"]["contents"][0]["text"].as_str().expect("text")).expect("json")
}

#[test]
fn a_pdf_reads_back_as_a_blob_and_a_text_file_as_text_in_both_eras() {
    for v in VERSIONS {
        let h = Harness::new();
        let key = h.key(setup(&h, v), v, "admin");
        let mut s = h.session(&key);
        let pdf = pdf();
        let out = attach(
            &mut s,
            json!({"model": "sale.order", "id": ORDER, "name": "quote.pdf", "mimetype": "application/pdf", "content_base64": b64(&pdf)}),
        );
        assert_eq!(out["dry_run"], false);
        assert_eq!(out["size"], pdf.len());
        assert_eq!(out["mimetype"], "application/pdf");
        assert!(out.get("warning").is_none(), "{out}");
        let pdf_id = out["attachment_id"].as_i64().expect("attachment id");
        let out = attach(
            &mut s,
            json!({"model": "sale.order", "id": ORDER, "name": "notes.txt", "mimetype": "text/plain", "text": "Delivery: Tuesday\nGate 3 – ask Zoë"}),
        );
        let text_id = out["attachment_id"].as_i64().expect("attachment id");

        let list = listing(&mut s, &format!("odoo://sale.order/{ORDER}/attachments"));
        let items = list["attachments"].as_array().expect("attachments");
        assert_eq!(items.len(), 2, "{list}");
        let pdf_item = items.iter().find(|i| i["id"] == pdf_id).expect("the pdf is listed");
        assert_eq!(pdf_item["name"], "quote.pdf");
        assert_eq!(pdf_item["mimetype"], "application/pdf");
        assert_eq!(pdf_item["size"], pdf.len());
        let pdf_uri = format!("odoo://sale.order/{ORDER}/attachments/{pdf_id}");
        assert_eq!(pdf_item["uri"], pdf_uri);
        assert!(!list.to_string().contains(&b64(&pdf)), "a listing carries no content");

        // Session era.
        let r = read(&mut s, &pdf_uri);
        let c = &r["result"]["contents"][0];
        assert_eq!(c["uri"], pdf_uri, "{r}");
        assert_eq!(c["mimeType"], "application/pdf");
        assert_eq!(c["blob"], b64(&pdf));
        assert!(c.get("text").is_none());
        let text_uri = format!("odoo://sale.order/{ORDER}/attachments/{text_id}");
        let r = read(&mut s, &text_uri);
        let c = &r["result"]["contents"][0];
        assert_eq!(c["mimeType"], "text/plain", "{r}");
        assert_eq!(c["text"], "Delivery: Tuesday\nGate 3 – ask Zoë");
        assert!(c.get("blob").is_none());

        // 2026-07-28.
        let r = h.stateless(&key, json!(1), "resources/read", json!({"uri": pdf_uri}), &[]);
        assert_eq!(r.status, 200, "{}", r.raw);
        assert_eq!(r.body["result"]["resultType"], "complete", "{}", r.raw);
        let c = &r.body["result"]["contents"][0];
        assert_eq!(c["mimeType"], "application/pdf");
        assert_eq!(c["blob"], b64(&pdf));
        let r = h.stateless(&key, json!(2), "resources/read", json!({"uri": text_uri}), &[]);
        assert_eq!(r.body["result"]["contents"][0]["text"], "Delivery: Tuesday\nGate 3 – ask Zoë", "{}", r.raw);
        let r = h.stateless(
            &key,
            json!(3),
            "resources/read",
            json!({"uri": format!("odoo://sale.order/{ORDER}/attachments")}),
            &[],
        );
        let list: Value =
            serde_json::from_str(r.body["result"]["contents"][0]["text"].as_str().expect("text")).unwrap();
        assert_eq!(list["attachments"].as_array().map(Vec::len), Some(2), "{v:?}");

        // An attachment of another record is not this record's.
        let r = read(&mut s, &format!("odoo://sale.order/2/attachments/{pdf_id}"));
        assert_eq!(r["error"]["code"], -32002, "{r}");
    }
}

#[test]
fn a_long_text_is_cut_at_the_response_budget_and_says_so() {
    let h = Harness::new();
    let v = OdooVersion::V19;
    let mut s = h.session(&h.key(setup(&h, v), v, "admin"));
    let long = "line of a long export\n".repeat(4000);
    let id = attach(
        &mut s,
        json!({"model": "res.partner", "id": 15, "name": "export.csv", "mimetype": "text/csv", "text": long}),
    )["attachment_id"]
        .as_i64()
        .unwrap();
    let r = read(&mut s, &format!("odoo://res.partner/15/attachments/{id}"));
    let text = r["result"]["contents"][0]["text"].as_str().expect("text");
    let max = h.settings.max_response_bytes;
    // Within the budget as JSON (each newline is two bytes there), with the notice.
    let json_len = serde_json::to_string(text).unwrap().len();
    assert!(json_len < max + 300 && json_len > max - 100, "{json_len}");
    let kept = text.split("\n\n[truncated").next().unwrap();
    assert!(long.starts_with(kept));
    let notice = format!("[truncated: the first {} of {} bytes are shown", kept.len(), long.len());
    assert!(text.contains(&notice), "{text}");
    assert!(text.contains("MAX_RESPONSE_BYTES"));
}

#[test]
fn files_over_the_limit_are_refused_naming_it() {
    for v in VERSIONS {
        let mut h = Harness::new();
        let c = setup(&h, v);
        let key = h.key(c, v, "admin");
        let big = vec![b'x'; 3000];
        let id = {
            let mut s = h.session(&key);
            attach(&mut s, json!({"model": "res.partner", "id": 3, "name": "big.bin", "mimetype": "application/octet-stream", "content_base64": b64(&big)}))
                ["attachment_id"]
                .as_i64()
                .unwrap()
        };
        h.settings.max_attachment_bytes = 2000;
        let mut s = h.session(&key);
        h.fake(v).clear_calls();
        let r = read(&mut s, &format!("odoo://res.partner/3/attachments/{id}"));
        assert_eq!(r["error"]["code"], -32602, "{r}");
        let msg = r["error"]["message"].as_str().unwrap();
        assert!(
            msg.contains("3000 bytes") && msg.contains("2000 bytes") && msg.contains("MAX_ATTACHMENT_BYTES"),
            "{msg}"
        );
        let reads: Vec<_> = h.fake(v).calls().into_iter().filter(|c| c.method == "read").collect();
        assert!(reads.is_empty(), "the content of a file over the limit is never fetched");
        let r = s.tool(
            "odoo_attach",
            json!({"model": "res.partner", "id": 3, "name": "big.bin", "mimetype": "application/octet-stream", "content_base64": b64(&big)}),
        );
        assert_eq!(r["isError"], true);
        assert!(text_of(&r).contains("MAX_ATTACHMENT_BYTES"), "{r}");
        assert!(!h.fake(v).calls().iter().any(|c| c.method == "create"), "nothing sent to Odoo");
    }
}

#[test]
fn a_record_the_odoo_user_cannot_read_gives_no_attachment() {
    for v in VERSIONS {
        let h = Harness::new();
        let c = setup(&h, v);
        let admin = h.key(c, v, "admin");
        let id = attach(
            &mut h.session(&admin),
            json!({"model": "sale.order", "id": ORDER, "name": "secret.txt", "mimetype": "text/plain", "text": "margin 42%"}),
        )["attachment_id"]
            .as_i64()
            .unwrap();
        let mut s = h.session(&h.key(c, v, "demo2"));
        for uri in
            [format!("odoo://sale.order/{ORDER}/attachments"), format!("odoo://sale.order/{ORDER}/attachments/{id}")]
        {
            let r = read(&mut s, &uri);
            assert_eq!(r["error"]["code"], -32602, "{v:?} {uri}: {r}");
            assert!(!r.to_string().contains("margin 42%"));
        }
        let r = s.tool(
            "odoo_attach",
            json!({"model": "sale.order", "id": ORDER, "name": "x.txt", "mimetype": "text/plain", "text": "x", "dry_run": true}),
        );
        assert_eq!(r["isError"], true, "{r}");
        // What demo2 may read, it reads the attachments of: a partner's.
        let out = attach(
            &mut s,
            json!({"model": "res.partner", "id": 3, "name": "card.txt", "mimetype": "text/plain", "text": "hi"}),
        );
        let r = read(&mut s, &format!("odoo://res.partner/3/attachments/{}", out["attachment_id"]));
        assert_eq!(r["result"]["contents"][0]["text"], "hi", "{r}");
    }
}

#[test]
fn the_record_model_permission_gates_attachments_and_ir_attachment_stays_blocked() {
    let h = Harness::new();
    let v = OdooVersion::V19;
    let c = h.connection(v, "c", &["res.partner"]);
    let mut s = h.session(&h.key(c, v, "admin"));
    h.fake(v).clear_calls();
    let r = read(&mut s, &format!("odoo://sale.order/{ORDER}/attachments"));
    assert_eq!(r["error"]["code"], -32602, "{r}");
    assert!(r["error"]["message"].as_str().unwrap().contains("sale.order"), "{r}");
    let r = s.tool(
        "odoo_attach",
        json!({"model": "res.partner", "id": 3, "name": "a.txt", "mimetype": "text/plain", "text": "a"}),
    );
    assert_eq!(r["isError"], true, "read-only on res.partner: {r}");
    let r = s.tool("odoo_search", json!({"model": "ir.attachment"}));
    assert_eq!(r["isError"], true);
    assert!(text_of(&r).contains("sensitive"), "{r}");
    assert!(!h.fake(v).calls().iter().any(|c| c.model.as_deref() == Some("ir.attachment")));
    let tools = s.request("tools/list", json!({}));
    assert!(!tools.to_string().contains("odoo_attach"), "a read-only key is not offered odoo_attach");
    let r = read(&mut s, "odoo://res.partner/3/attachments");
    assert_eq!(listing_of(&r)["attachments"], json!([]));
}

fn listing_of(r: &Value) -> Value {
    serde_json::from_str(r["result"]["contents"][0]["text"].as_str().expect("text")).expect("json")
}

#[test]
fn a_dry_run_checks_the_record_and_odoo_access_and_attaches_nothing() {
    for v in VERSIONS {
        let h = Harness::new();
        let mut s = h.session(&h.key(setup(&h, v), v, "admin"));
        h.fake(v).clear_calls();
        let out = attach(
            &mut s,
            json!({"model": "sale.order", "id": ORDER, "name": "q.pdf", "mimetype": "application/pdf", "content_base64": b64(&pdf()), "dry_run": true}),
        );
        assert_eq!(out["dry_run"], true);
        assert!(out.get("attachment_id").is_none());
        assert!(out["display_name"].is_string(), "{out}");
        let methods: Vec<String> = h.fake(v).calls().into_iter().map(|c| c.method).collect();
        let check = if v == OdooVersion::V19 { "has_access" } else { "check_access_rule" };
        assert!(methods.iter().any(|m| m == check), "{methods:?}");
        assert!(!methods.iter().any(|m| m == "create"), "{methods:?}");
        assert_eq!(listing(&mut s, &format!("odoo://sale.order/{ORDER}/attachments"))["attachments"], json!([]));
        let r = s.tool(
            "odoo_attach",
            json!({"model": "sale.order", "id": 999999, "name": "q.txt", "mimetype": "text/plain", "text": "q", "dry_run": true}),
        );
        assert_eq!(r["isError"], true, "{r}");
    }
}

#[test]
fn audit_rows_say_what_was_attached_and_read_never_the_content() {
    let h = Harness::new();
    let v = OdooVersion::V17;
    let mut s = h.session(&h.key(setup(&h, v), v, "admin"));
    let secret = "IBAN BE71 0961 2345 6769";
    let id = attach(
        &mut s,
        json!({"model": "res.partner", "id": 14, "name": "bank.txt", "mimetype": "text/plain", "text": secret}),
    )["attachment_id"]
        .as_i64()
        .unwrap();
    let r = read(&mut s, &format!("odoo://res.partner/14/attachments/{id}"));
    assert_eq!(r["result"]["contents"][0]["text"], secret);
    listing(&mut s, "odoo://res.partner/14/attachments");
    let rows = h.db.rows("SELECT event, tool, model, operation, outcome, record_count, detail FROM audit WHERE event IN ('attachment_added', 'attachment_read', 'resource_read') ORDER BY id");
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| json!([r["event"], r["tool"], r["model"], r["operation"], r["outcome"], r["detail"]]))
        .collect();
    let detail = format!("record 14, attachment {id}, {} bytes, text/plain", secret.len());
    assert_eq!(
        rows,
        [
            json!(["attachment_added", "odoo_attach", "res.partner", "update", "ok", detail]),
            json!(["attachment_read", "attachment", "res.partner", "read", "ok", detail]),
            json!(["resource_read", "attachments", "res.partner", "read", "ok", "record 14: 1 attachment(s)"]),
        ]
    );
    let all = h.db.rows("SELECT * FROM audit");
    assert!(!format!("{all:?}").contains("IBAN"), "no content in any audit row");
    assert!(!format!("{all:?}").contains(&b64(secret.as_bytes())));
}

#[test]
fn the_templates_are_listed() {
    let h = Harness::new();
    let v = OdooVersion::V19;
    let mut s = h.session(&h.key(setup(&h, v), v, "admin"));
    let r = s.request("resources/templates/list", json!({}));
    let templates = r["result"]["resourceTemplates"].as_array().unwrap();
    let att = templates
        .iter()
        .find(|t| t["uriTemplate"] == "odoo://{model}/{id}/attachments/{attachment_id}")
        .expect("listed");
    assert!(att.get("mimeType").is_none(), "its type is the file's own");
    let list = templates.iter().find(|t| t["uriTemplate"] == "odoo://{model}/{id}/attachments").expect("listed");
    assert_eq!(list["mimeType"], "application/json");
}

#[test]
fn completion_suggests_the_attachment_ids_of_a_record_the_user_can_read() {
    let h = Harness::new();
    let v = OdooVersion::V19;
    let c = setup(&h, v);
    let mut admin = h.session(&h.key(c, v, "admin"));
    let id = attach(
        &mut admin,
        json!({"model": "sale.order", "id": ORDER, "name": "a.txt", "mimetype": "text/plain", "text": "a"}),
    )["attachment_id"]
        .as_i64()
        .unwrap();
    let complete = |s: &mut Session<'_>, model: &str, record: &str| {
        let r = s.request(
            "completion/complete",
            json!({"ref": {"type": "ref/resource", "uri": "odoo://{model}/{id}/attachments/{attachment_id}"},
                "argument": {"name": "attachment_id", "value": ""},
                "context": {"arguments": {"model": model, "id": record}}}),
        );
        assert!(r.get("error").is_none(), "{r}");
        r["result"]["completion"]["values"].clone()
    };
    assert_eq!(complete(&mut admin, "sale.order", &ORDER.to_string()), json!([id.to_string()]));
    assert_eq!(complete(&mut admin, "sale.order", ""), json!([]), "no record chosen yet");
    assert_eq!(complete(&mut admin, "crm.lead", "1"), json!([]), "a model the key may not read");
    let mut demo2 = h.session(&h.key(c, v, "demo2"));
    assert_eq!(complete(&mut demo2, "sale.order", &ORDER.to_string()), json!([]), "a record demo2 cannot read");
}

#[test]
fn a_long_listing_keeps_within_the_response_budget_and_says_so() {
    let mut h = Harness::new();
    h.settings.max_response_bytes = 1000;
    let v = OdooVersion::V17;
    let mut s = h.session(&h.key(setup(&h, v), v, "admin"));
    for n in 0..12 {
        let name = format!("{n:02}-{}.txt", "report".repeat(10));
        attach(&mut s, json!({"model": "res.partner", "id": 14, "name": name, "mimetype": "text/plain", "text": "x"}));
    }
    let list = listing(&mut s, "odoo://res.partner/14/attachments");
    let kept = list["attachments"].as_array().unwrap().len();
    assert!((1..12).contains(&kept), "{list}");
    assert!(list["notice"].as_str().unwrap_or_default().contains("Open the record in Odoo"), "{list}");
    assert!(list.to_string().len() <= 1000, "{}", list.to_string().len());
}

#[test]
fn odoo_16_and_18_attach_and_read_back_through_datas_too() {
    for v in [OdooVersion::V16, OdooVersion::V18] {
        let h = Harness::new();
        let mut s = h.session(&h.key(setup(&h, v), v, "admin"));
        let pdf = pdf();
        let dry = attach(
            &mut s,
            json!({"model": "res.partner", "id": 3, "name": "q.pdf", "mimetype": "application/pdf", "content_base64": b64(&pdf), "dry_run": true}),
        );
        assert_eq!(dry["dry_run"], true, "{v:?}");
        let out = attach(
            &mut s,
            json!({"model": "res.partner", "id": 3, "name": "q.pdf", "mimetype": "application/pdf", "content_base64": b64(&pdf)}),
        );
        let r = read(&mut s, &format!("odoo://res.partner/3/attachments/{}", out["attachment_id"]));
        assert_eq!(r["result"]["contents"][0]["blob"], b64(&pdf), "{v:?}: {r}");
        assert_eq!(r["result"]["contents"][0]["mimeType"], "application/pdf");
    }
}

#[test]
fn a_file_attached_to_a_lead_shows_in_its_chatter_as_a_note_carrying_it() {
    for v in [OdooVersion::V19, OdooVersion::V17, OdooVersion::V16] {
        let h = Harness::new();
        let c = setup(&h, v);
        h.allow(c, "crm.lead", json!({"read": true, "create": true, "update": true}));
        h.allow(c, "crm.tag", json!({"read": true, "create": true, "update": true}));
        let key = h.key(c, v, "admin");
        let mut s = h.session(&key);
        let lead = s.tool("odoo_create", json!({"model": "crm.lead", "values": {"name": "Attach here"}}));
        let lead = lead["structuredContent"]["id"].as_i64().expect("lead id");
        let out = attach(
            &mut s,
            json!({"model": "crm.lead", "id": lead, "name": "brief.txt", "mimetype": "text/plain", "text": "Scope", "note": "The brief <as agreed>"}),
        );
        let (file, message) = (out["attachment_id"].clone(), out["message_id"].clone());
        assert!(message.as_i64().is_some(), "{v:?}: {out}");
        assert!(out.get("warning").is_none(), "{out}");
        let plain = attach(
            &mut s,
            json!({"model": "crm.lead", "id": lead, "name": "b.txt", "mimetype": "text/plain", "text": "B"}),
        );

        let thread =
            s.tool("odoo_chatter_read", json!({"model": "crm.lead", "id": lead, "include_notifications": false}));
        let messages = thread["structuredContent"]["messages"].as_array().expect("messages").clone();
        let note = messages.iter().find(|m| m["id"] == message).expect("the note is in the chatter");
        assert_eq!(note["is_note"], true, "{v:?}: {note}");
        assert_eq!(note["body"], "The brief <as agreed>", "{v:?}: plain text, escaped for Odoo");
        assert_eq!(note["attachment_ids"], json!([file]), "{v:?}");
        let bare = messages.iter().find(|m| m["id"] == plain["message_id"]).expect("the second note");
        assert_eq!(bare["body"], "", "{v:?}: a file alone posts an empty note");
        assert_eq!(bare["attachment_ids"], json!([plain["attachment_id"]]));
        assert!(messages.iter().filter(|m| m.get("attachment_ids").is_none()).all(|m| m["id"] != message));

        // A model without a chatter: attached, no note.
        let tag = s.tool("odoo_create", json!({"model": "crm.tag", "values": {"name": "Files"}}));
        let tag = tag["structuredContent"]["id"].as_i64().expect("tag id");
        let out = attach(
            &mut s,
            json!({"model": "crm.tag", "id": tag, "name": "t.txt", "mimetype": "text/plain", "text": "T"}),
        );
        assert!(out["attachment_id"].as_i64().is_some() && out.get("message_id").is_none(), "{out}");
        assert!(out.get("warning").is_none(), "{out}");
    }
}

#[test]
fn a_file_is_attached_in_the_company_the_call_names() {
    let h = Harness::new();
    let v = OdooVersion::V19;
    let key = h.key(setup(&h, v), v, "admin");
    let mut s = h.session(&key);
    let args = |company: i64| json!({"model": "sale.order", "id": ORDER, "name": "x.txt", "mimetype": "text/plain", "text": "x", "company": company});
    assert!(attach(&mut s, args(1))["attachment_id"].as_i64().is_some());
    // The order is company 1's: acting in company 2, Odoo's multi-company rule hides it.
    let r = s.tool("odoo_attach", args(2));
    assert_eq!(r["isError"], true, "{r}");
    assert!(text_of(&r).contains("sale.order"), "{r}");
    // Not one of the user's companies: refused by Odoo too, and nothing attached.
    let r = s.tool("odoo_attach", args(99));
    assert_eq!(r["isError"], true, "{r}");
    let list = listing(&mut s, &format!("odoo://sale.order/{ORDER}/attachments"));
    assert_eq!(list["attachments"].as_array().map(Vec::len), Some(1), "{list}");
}

#[test]
fn a_note_that_fails_leaves_the_file_attached_and_says_so() {
    let v = OdooVersion::V19;
    let h = Harness::new();
    let key = h.key(setup(&h, v), v, "admin");
    let mut s = h.session(&key);
    h.fake(v).set_fault(fake_odoo::Fault::Http500, &["message_post"], Some(1)).unwrap();
    let out = attach(
        &mut s,
        json!({"model": "sale.order", "id": ORDER, "name": "n.txt", "mimetype": "text/plain", "text": "n"}),
    );
    let file = out["attachment_id"].as_i64().expect("attached");
    assert!(out.get("message_id").is_none(), "{out}");
    let warning = out["warning"].as_str().unwrap_or("");
    assert!(warning.contains(&format!("Attached as {file}: do not attach it again")), "{out}");
    let list = listing(&mut s, &format!("odoo://sale.order/{ORDER}/attachments"));
    assert_eq!(list["attachments"].as_array().map(Vec::len), Some(1), "{list}");
}
