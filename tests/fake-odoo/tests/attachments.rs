//! `ir.attachment` beyond the probes (which the administrator recorded): what the restricted user
//! (demo2) may do with attachments follows the record they belong to, as Odoo's `ir.attachment.check`
//! does (not recorded): read where the record is readable, add where it is writable, the record's own
//! AccessError otherwise; HTML and XML types stored as `text/plain` for a user who may not write views;
//! the size and type Odoo computes.

mod common;

use common::{execute_kw, ADMIN_KEY, DEMO2_KEY};
use fake_odoo::{Config, FakeOdoo, OdooVersion};
use serde_json::{json, Value};

const DB: &str = "mcptest17";
/// The admin's quotation, hidden from demo2 by "Personal Orders".
const HIDDEN_ORDER: i64 = 1;

fn call(odoo: &FakeOdoo, demo2: bool, method: &str, args: Value) -> Value {
    let (uid, key) = if demo2 { (8, DEMO2_KEY) } else { (2, ADMIN_KEY) };
    execute_kw(odoo.port(), DB, uid, key, "ir.attachment", method, args, json!({}))
}

fn attach(
    odoo: &FakeOdoo,
    demo2: bool,
    model: &str,
    id: i64,
    name: &str,
    mimetype: Option<&str>,
    datas: &str,
) -> Value {
    let mut vals = json!({"name": name, "res_model": model, "res_id": id, "datas": datas});
    if let Some(m) = mimetype {
        vals["mimetype"] = json!(m);
    }
    call(odoo, demo2, "create", json!([vals]))
}

fn listing(odoo: &FakeOdoo, demo2: bool, model: &str, id: i64) -> Value {
    let domain = json!([["res_model", "=", model], ["res_id", "=", id]]);
    call(odoo, demo2, "search_read", json!([domain, ["name", "mimetype", "file_size"]]))["result"].clone()
}

#[test]
fn the_record_decides_who_reads_and_adds_attachments() {
    let odoo = FakeOdoo::start(Config::new(OdooVersion::V17)).expect("start");
    let id = attach(&odoo, false, "sale.order", HIDDEN_ORDER, "secret.txt", Some("text/plain"), "c2VjcmV0")["result"]
        .as_i64()
        .expect("admin attaches");
    assert_eq!(listing(&odoo, false, "sale.order", HIDDEN_ORDER).as_array().map(Vec::len), Some(1));
    assert_eq!(listing(&odoo, true, "sale.order", HIDDEN_ORDER), json!([]), "demo2 does not find it");
    let read = call(&odoo, true, "read", json!([[id], ["datas"]]));
    assert_eq!(read["error"]["data"]["name"], "odoo.exceptions.AccessError", "{read}");
    assert!(read["error"]["data"]["message"].as_str().unwrap_or("").contains("sale.order"), "{read}");
    let added = attach(&odoo, true, "sale.order", HIDDEN_ORDER, "x.txt", Some("text/plain"), "eA==");
    assert_eq!(added["error"]["data"]["name"], "odoo.exceptions.AccessError", "{added}");
    assert_eq!(listing(&odoo, false, "sale.order", HIDDEN_ORDER).as_array().map(Vec::len), Some(1), "rolled back");

    // A partner demo2 may read and write: its attachments are demo2's to read and add.
    let mine =
        attach(&odoo, true, "res.partner", 14, "card.txt", None, "aGVsbG8=")["result"].as_i64().expect("created");
    let rows = listing(&odoo, true, "res.partner", 14);
    assert_eq!(rows, json!([{"id": mine, "name": "card.txt", "mimetype": "text/plain", "file_size": 5}]));
    let read = call(&odoo, true, "read", json!([[mine], ["datas"]]));
    assert_eq!(read["result"][0]["datas"], "aGVsbG8=");
}

#[test]
fn odoo_computes_the_type_and_size() {
    let odoo = FakeOdoo::start(Config::new(OdooVersion::V17)).expect("start");
    // Given (lower-cased), guessed from the name, sniffed from the content, or octet-stream.
    attach(&odoo, false, "res.partner", 3, "a.bin", Some("Application/PDF"), "JVBERi0xLjQK");
    attach(&odoo, false, "res.partner", 3, "b.csv", None, "YSxiCg==");
    attach(&odoo, false, "res.partner", 3, "c", None, "JVBERi0xLjQK");
    attach(&odoo, false, "res.partner", 3, "d", None, "AAEC");
    // HTML stays HTML for the administrator, and becomes text for demo2.
    attach(&odoo, false, "res.partner", 3, "e.html", Some("text/html"), "PHA+");
    attach(&odoo, true, "res.partner", 3, "f.html", Some("text/html"), "PHA+");
    let rows = listing(&odoo, false, "res.partner", 3);
    let got: Vec<(String, String, i64)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["name"].as_str().unwrap().into(),
                r["mimetype"].as_str().unwrap().into(),
                r["file_size"].as_i64().unwrap(),
            )
        })
        .collect();
    let want = [
        ("f.html", "text/plain", 3),
        ("e.html", "text/html", 3),
        ("d", "application/octet-stream", 3),
        ("c", "application/pdf", 9),
        ("b.csv", "text/csv", 4),
        ("a.bin", "application/pdf", 9),
    ];
    let want: Vec<(String, String, i64)> = want.iter().map(|(n, m, s)| (n.to_string(), m.to_string(), *s)).collect();
    assert_eq!(got, want, "newest first, as ir.attachment's _order (id desc)");
}
