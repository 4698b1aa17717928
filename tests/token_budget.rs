//! The response-size budget of the read tools against the fake Odoo in 17 and 19 modes: a small
//! `max_response_bytes` cuts pages short with a notice and a cursor (or ids, or an offset) that continues
//! exactly where the answer stopped; long values are cut with a marker and reported; the default cap
//! leaves ordinary answers alone.

mod support;

use fake_odoo::{Config, OdooVersion};
use odoo_mcp_edge::platform::{Http, OutboundRequest};
use serde_json::{json, Value};
use support::{block_on, text_of, Harness, TcpHttp};

const CAP: usize = 2_000;
/// Enough per partner that a 20-record page does not fit in `CAP`.
const FIELDS: [&str; 5] = ["name", "email", "street", "city", "phone"];

fn capped(max_response_bytes: usize) -> Harness {
    let mut h = Harness::new();
    h.settings.max_response_bytes = max_response_bytes;
    h
}

fn each_version(test: impl Fn(OdooVersion)) {
    for v in [OdooVersion::V19, OdooVersion::V17] {
        test(v);
    }
}

fn ok(r: &Value) -> &Value {
    assert!(r.get("isError").is_none(), "{r}");
    &r["structuredContent"]
}

fn ids_of(records: &Value) -> Vec<i64> {
    records.as_array().expect("records").iter().map(|r| r["id"].as_i64().expect("id")).collect()
}

/// The answer's text is its structuredContent, and holds to the cap unless it is a single record.
fn assert_within(r: &Value, cap: usize, items: &str) {
    let text = text_of(r);
    assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), r["structuredContent"], "text mirrors structuredContent");
    let n = r["structuredContent"][items].as_array().unwrap().len();
    assert!(n == 1 || text.len() <= cap, "{} bytes for {n} {items}, cap {cap}", text.len());
}

/// Writes `vals` on a record as the fake's admin, over its JSON-RPC (the MCP tools only read).
fn write_as_admin(h: &Harness, v: OdooVersion, model: &str, id: i64, vals: Value) {
    let cfg = Config::new(v);
    let admin = cfg.users.iter().find(|u| u.login == "admin").unwrap();
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": "call", "params": {"service": "object", "method": "execute_kw",
        "args": [cfg.database, admin.uid, admin.api_key, model, "write", [[id], vals]]}});
    let req = OutboundRequest {
        method: "POST",
        url: format!("{}/jsonrpc", h.fake(v).url()),
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: Some(body.to_string()),
        timeout_ms: 5_000,
    };
    let answer: Value = serde_json::from_str(&block_on(TcpHttp::new().send(req)).unwrap().body).unwrap();
    assert_eq!(answer["result"], true, "{answer}");
}

/// 12 345 characters, multi-byte ones included, so a cut on a byte count would split a character.
fn long_comment() -> String {
    let text: String = "Ünïcødé nötes — ".chars().cycle().take(12_345).collect();
    assert_eq!(text.chars().count(), 12_345);
    text
}

#[test]
fn search_pages_cut_by_size_continue_exactly_where_they_stopped() {
    each_version(|v| {
        let search = json!({"model": "res.partner", "fields": FIELDS, "order": "id asc", "limit": 20});
        let reference = Harness::new();
        let c = reference.connection(v, "c", &["res.partner"]);
        let mut s = reference.session(&reference.key(c, v, "admin"));
        let mut everything = search.clone();
        everything["limit"] = json!(200);
        let all = ok(&s.tool("odoo_search", everything)).clone();
        assert!(
            all.get("notice").is_none() && all.get("next_cursor").is_none(),
            "the default cap holds every partner: {all}"
        );
        let all_ids = ids_of(&all["records"]);
        assert!(all_ids.len() > 30, "{v:?}: {}", all_ids.len());

        let h = capped(CAP);
        let c = h.connection(v, "c", &["res.partner"]);
        let mut s = h.session(&h.key(c, v, "admin"));
        let (mut seen, mut cut_pages, mut cursor) = (Vec::new(), 0, None::<String>);
        for _ in 0..100 {
            let mut args = search.clone();
            if let Some(c) = &cursor {
                args["cursor"] = json!(c);
            }
            let r = s.tool("odoo_search", args);
            let sc = ok(&r);
            assert_within(&r, CAP, "records");
            let page = ids_of(&sc["records"]);
            assert!(!page.is_empty(), "every page makes progress");
            assert_eq!(sc["count"], json!(page.len()));
            assert_eq!(sc["offset"], json!(seen.len()), "a cursor continues right after the last record returned");
            // What Odoo had for this page: a full page, or the rest.
            let read = (all_ids.len() - seen.len()).min(20);
            seen.extend(page.iter().copied());
            cursor = sc["next_cursor"].as_str().map(str::to_string);
            if page.len() < read {
                cut_pages += 1;
                assert!(cursor.is_some(), "a cut page has a cursor");
                let notice = sc["notice"].as_str().expect("a cut page says so");
                assert!(
                    notice.starts_with(&format!(
                        "Response cut at {CAP} bytes: {} of {read} records returned.",
                        page.len()
                    )),
                    "{notice}"
                );
                assert!(notice.contains("next_cursor") && notice.contains("fewer fields"), "{notice}");
                assert!(text_of(&r).contains(notice), "the model reads the notice in the text content");
            } else {
                assert_eq!(page.len(), read);
                assert!(sc.get("notice").is_none(), "{sc}");
            }
            if cursor.is_none() {
                break;
            }
        }
        assert!(cursor.is_none(), "the cursors reach the end");
        assert!(cut_pages >= 2, "{v:?}: the cap cut pages ({cut_pages})");
        assert_eq!(seen, all_ids, "{v:?}: every partner exactly once, in order");
    });
}

#[test]
fn long_values_are_cut_with_a_marker_and_reported() {
    each_version(|v| {
        let h = Harness::new();
        let c = h.connection(v, "c", &["res.partner"]);
        let mut s = h.session(&h.key(c, v, "admin"));
        let id = ids_of(
            &ok(&s
                .tool("odoo_search", json!({"model": "res.partner", "fields": ["id"], "order": "id asc", "limit": 1})))
                ["records"],
        )[0];
        let comment = long_comment();
        write_as_admin(&h, v, "res.partner", id, json!({"comment": comment}));
        let kept: String = comment.chars().take(4_000).collect();
        let want = format!("{kept}… [truncated: 8345 more characters]");

        let found = s.tool(
            "odoo_search",
            json!({"model": "res.partner", "domain": [["id", "=", id]], "fields": ["name", "comment"]}),
        );
        let read = s.tool("odoo_get", json!({"model": "res.partner", "ids": [id], "fields": ["name", "comment"]}));
        for r in [&found, &read] {
            let sc = ok(r);
            assert_eq!(sc["records"][0]["comment"], json!(want), "{v:?}");
            assert!(sc["records"][0]["name"].is_string());
            assert_eq!(sc["truncated_values"], json!([{"id": id, "field": "comment", "length": 12_345}]));
            let notice = sc["notice"].as_str().expect("a notice for the cut value");
            assert!(notice.contains("1 value longer than 4000 characters was cut"), "{notice}");
            assert!(!notice.contains("Response cut"), "no record was left out: {notice}");
            assert!(sc.get("next_cursor").is_none() && sc.get("not_returned_ids").is_none(), "{sc}");
        }

        // Without the long field, nothing is cut or announced.
        let r = s.tool("odoo_get", json!({"model": "res.partner", "ids": [id], "fields": ["name"]}));
        assert!(ok(&r).get("truncated_values").is_none() && ok(&r).get("notice").is_none(), "{r}");
    });
}

#[test]
fn get_lists_the_ids_left_out_for_size() {
    each_version(|v| {
        let h = capped(CAP);
        let c = h.connection(v, "c", &["res.partner"]);
        let mut s = h.session(&h.key(c, v, "admin"));
        let listed =
            s.tool("odoo_search", json!({"model": "res.partner", "fields": ["id"], "order": "id asc", "limit": 30}));
        let ids = ids_of(&ok(&listed)["records"]);
        assert_eq!(ids.len(), 30, "{listed}");

        let mut asked: Vec<Value> = ids.iter().map(|i| json!(i)).collect();
        asked.push(json!(987_654_321));
        let r = s.tool("odoo_get", json!({"model": "res.partner", "ids": asked, "fields": FIELDS}));
        let sc = ok(&r);
        assert_within(&r, CAP, "records");
        let got = ids_of(&sc["records"]);
        assert!(!got.is_empty() && got.len() < 30, "{v:?}: {} records", got.len());
        assert_eq!(got, ids[..got.len()], "the leading records, in the order asked");
        assert_eq!(sc["not_returned_ids"], json!(ids[got.len()..]), "the rest, listed");
        assert_eq!(sc["missing_ids"], json!([987_654_321]), "missing is not the same as left out");
        let notice = sc["notice"].as_str().expect("notice");
        assert!(
            notice.contains(&format!("{} of 30 records returned", got.len())) && notice.contains("not_returned_ids"),
            "{notice}"
        );

        // Asking again for what was left out ends with every record read exactly once.
        let mut seen = got;
        let mut rest = sc["not_returned_ids"].clone();
        for _ in 0..30 {
            let r = s.tool("odoo_get", json!({"model": "res.partner", "ids": rest, "fields": FIELDS}));
            seen.extend(ids_of(&ok(&r)["records"]));
            match ok(&r).get("not_returned_ids") {
                Some(more) => rest = more.clone(),
                None => break,
            }
        }
        assert_eq!(seen, ids);

        // A record larger than the cap still comes back, alone, with its long value cut.
        write_as_admin(&h, v, "res.partner", ids[0], json!({"comment": long_comment()}));
        let r =
            s.tool("odoo_get", json!({"model": "res.partner", "ids": [ids[0], ids[1]], "fields": ["name", "comment"]}));
        let sc = ok(&r);
        assert_eq!(ids_of(&sc["records"]), [ids[0]]);
        assert!(text_of(&r).len() > CAP, "over the cap: progress beats the cap for a single record");
        assert!(sc["records"][0]["comment"].as_str().unwrap().ends_with("… [truncated: 8345 more characters]"));
        assert_eq!(sc["truncated_values"], json!([{"id": ids[0], "field": "comment", "length": 12_345}]));
        assert_eq!(sc["not_returned_ids"], json!([ids[1]]));
        let notice = sc["notice"].as_str().unwrap();
        assert!(notice.contains("1 of 2 records returned") && notice.contains("1 value longer than 4000"), "{notice}");
    });
}

#[test]
fn aggregate_groups_cut_by_size_give_the_offset_to_continue() {
    each_version(|v| {
        let grouping = json!({"model": "crm.lead", "group_by": ["name"], "order": "name asc", "limit": 50});
        let reference = Harness::new();
        let c = reference.connection(v, "c", &["crm.lead"]);
        let mut s = reference.session(&reference.key(c, v, "admin"));
        let all = ok(&s.tool("odoo_aggregate", grouping.clone())).clone();
        assert_eq!(all["has_more"], false, "{all}");
        assert!(all.get("notice").is_none());
        let all_groups = all["groups"].as_array().unwrap().clone();
        assert!(all_groups.len() > 8, "{v:?}: {}", all_groups.len());

        let cap = 1_000;
        let h = capped(cap);
        let c = h.connection(v, "c", &["crm.lead"]);
        let mut s = h.session(&h.key(c, v, "admin"));
        let (mut seen, mut offset) = (Vec::new(), 0);
        for _ in 0..50 {
            let mut args = grouping.clone();
            args["offset"] = json!(offset);
            let r = s.tool("odoo_aggregate", args);
            let sc = ok(&r);
            assert_within(&r, cap, "groups");
            let groups = sc["groups"].as_array().unwrap();
            assert!(!groups.is_empty());
            seen.extend(groups.iter().cloned());
            if sc["has_more"] == false {
                assert!(sc.get("notice").is_none(), "{sc}");
                break;
            }
            let notice = sc["notice"].as_str().expect("a cut answer says where to continue");
            let next = offset + groups.len();
            assert!(
                notice.contains(&format!("{} of {} groups returned", groups.len(), all_groups.len() - offset)),
                "{notice}"
            );
            assert!(notice.contains(&format!("Ask again with offset {next} to continue")), "{notice}");
            offset = next;
        }
        assert!(offset > 0, "{v:?}: the cap cut the groups");
        assert_eq!(seen, all_groups, "{v:?}: every group exactly once, in order");
    });
}

#[test]
fn the_default_cap_leaves_ordinary_answers_alone() {
    each_version(|v| {
        let h = Harness::new();
        let c = h.connection(v, "c", &["res.partner", "crm.lead"]);
        let mut s = h.session(&h.key(c, v, "admin"));
        let r = s.tool("odoo_search", json!({"model": "res.partner", "limit": 200}));
        let sc = ok(&r);
        let ids = ids_of(&sc["records"]);
        assert!(ids.len() > 30 && sc.get("next_cursor").is_none(), "{v:?}: {}", ids.len());
        for key in ["notice", "truncated_values"] {
            assert!(sc.get(key).is_none(), "{key}: {sc}");
        }
        let r = s.tool("odoo_get", json!({"model": "res.partner", "ids": ids[..30]}));
        let sc = ok(&r);
        assert_eq!(sc["records"].as_array().unwrap().len(), 30);
        for key in ["notice", "truncated_values", "not_returned_ids"] {
            assert!(sc.get(key).is_none(), "{key}: {sc}");
        }
        let r = s.tool("odoo_aggregate", json!({"model": "crm.lead", "group_by": ["name"], "limit": 500}));
        assert!(ok(&r).get("notice").is_none() && ok(&r)["has_more"] == false, "{r}");
    });
}
