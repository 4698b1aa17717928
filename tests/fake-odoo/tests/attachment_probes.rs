//! Replays the attachment probes (`tests/fixtures/odoo/{16,17,18,19}/probes/`: `ir.attachment` `create`
//! of a text file on a partner, `read` of its name, type and `datas`, and `search_read` of the partner's
//! attachments with `file_size`) to a fake of the same version, in that order: each answer by structure
//! (`common::recording::check`), and its values exactly but for the attachment's id and date (the fake
//! gives its own): the name, the type, the content and its size in bytes.

mod common;

use common::recording::{check, created_id, load, send, Fixture};
use fake_odoo::{Config, FakeOdoo, OdooVersion};
use serde_json::Value;

fn method_of(f: &Fixture) -> String {
    f.model_and_method().1
}

fn is_attachment_call(f: &Fixture) -> bool {
    f.model_and_method().0 == "ir.attachment"
}

/// The answer's rows (or id), without ids and dates, for the exact comparison.
fn values_of(v: &Value) -> Value {
    let v = v.get("result").unwrap_or(v);
    match v {
        Value::Array(rows) => Value::Array(
            rows.iter()
                .map(|r| match r {
                    Value::Object(o) => Value::Object(
                        o.iter()
                            .filter(|(k, _)| !matches!(k.as_str(), "id" | "create_date"))
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect(),
                    ),
                    _ => Value::Null,
                })
                .collect(),
        ),
        _ => Value::Null,
    }
}

fn replay(version: OdooVersion, dir: &str) {
    let odoo = FakeOdoo::start(Config::new(version)).expect("start fake");
    let mut fixtures: Vec<Fixture> = load(dir, "probes").into_iter().filter(is_attachment_call).collect();
    fixtures.sort_by_key(|f| match method_of(f).as_str() {
        "create" => 0,
        "read" => 1,
        _ => 2,
    });
    assert_eq!(fixtures.len(), 3, "{dir}: create, read and search_read");
    let mut recorded_id = None;
    let mut fake_id = None;
    let mut failures = Vec::new();
    for f in &fixtures {
        let mut text = f.request.to_string();
        if let (Some(from), Some(to)) = (recorded_id, fake_id) {
            text = text.replace(&format!("[{from}]"), &format!("[{to}]"));
        }
        let req: Value = serde_json::from_str(&text).expect("request");
        let sent = send(odoo.port(), &req);
        failures.extend(check(f, &f.response["body"], sent.status, &sent.content_type, &sent.body, false));
        let got: Value = serde_json::from_str(&sent.body).unwrap_or(Value::Null);
        if method_of(f) == "create" {
            recorded_id = created_id(&f.response["body"]);
            fake_id = created_id(&got);
            assert!(recorded_id.is_some() && fake_id.is_some(), "{dir}/{}: no created id in {got}", f.name);
        } else {
            let (want, have) = (values_of(&f.response["body"]), values_of(&got));
            if want != have {
                failures.push(format!("{}: values {have} where Odoo answered {want}", f.name));
            }
        }
    }
    assert!(failures.is_empty(), "{dir}:\n{}", failures.join("\n"));
}

#[test]
fn replay_16_attachment_probes() {
    replay(OdooVersion::V16, "16");
}

#[test]
fn replay_17_attachment_probes() {
    replay(OdooVersion::V17, "17");
}

#[test]
fn replay_18_attachment_probes() {
    replay(OdooVersion::V18, "18");
}

#[test]
fn replay_19_attachment_probes() {
    replay(OdooVersion::V19, "19");
}
