//! Replays the field derivation probes (`tests/fixtures/odoo/<version>/probes/`:
//! `fields_get` with `related` and `depends` on `res.partner` and `crm.lead`,
//! recorded on real 16, 17, 18 and 19) to a fake of the same version, and
//! checks that it answers every recorded field's `depends` and `related`
//! exactly as Odoo did (the other attributes are the golden recordings'
//! business, checked by `replay.rs` and `replay_traffic.rs`).

mod common;

use common::recording::{load, Fixture};
use common::{request, ADMIN_KEY, DEMO2_KEY};
use fake_odoo::{Config, FakeOdoo, OdooVersion};
use serde_json::Value;

fn is_fields_get(f: &Fixture) -> bool {
    f.name.contains(".fields_get_")
}

/// The answer's field map: the JSON-RPC `result`, or JSON-2's bare body.
fn fields_of(body: &Value) -> Option<&serde_json::Map<String, Value>> {
    body.get("result").unwrap_or(body).as_object()
}

fn send(odoo: &FakeOdoo, req: &Value) -> Value {
    let text = req.to_string().replace("<API_KEY:admin>", ADMIN_KEY).replace("<API_KEY:demo2>", DEMO2_KEY);
    let req: Value = serde_json::from_str(&text).expect("request json");
    let headers: Vec<(String, String)> = req["headers"]
        .as_object()
        .map(|h| h.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap_or("").to_string())).collect())
        .unwrap_or_default();
    let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let path = req["path"].as_str().unwrap_or("/");
    let resp = request(odoo.port(), "POST", path, &headers, req["body"].to_string().as_bytes());
    assert_eq!(resp.status, 200, "{path}: {}", resp.body);
    resp.json()
}

fn check(version: OdooVersion, dir: &str) {
    let odoo = FakeOdoo::start(Config::new(version)).expect("start fake");
    let probes: Vec<Fixture> = load(dir, "probes").into_iter().filter(is_fields_get).collect();
    assert_eq!(probes.len(), 3, "{dir}: res.partner (all fields, and eight), crm.lead (seven)");
    let mut problems = Vec::new();
    for f in &probes {
        let answer = send(&odoo, &f.request);
        let recorded = fields_of(&f.response["body"]).expect("a recorded fields_get answer");
        let given = fields_of(&answer).expect("the fake's fields_get answer");
        assert_eq!(given.len(), recorded.len(), "{dir}/{}: field count", f.name);
        for (name, attrs) in recorded {
            for key in ["depends", "related"] {
                let fake = given.get(name).and_then(|a| a.get(key));
                if fake != attrs.get(key) {
                    problems.push(format!(
                        "{dir}/{}: {name}.{key}: {:?} != recorded {:?}",
                        f.name,
                        fake,
                        attrs.get(key)
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn derivations_as_recorded_on_16() {
    check(OdooVersion::V16, "16");
}

#[test]
fn derivations_as_recorded_on_17() {
    check(OdooVersion::V17, "17");
}

#[test]
fn derivations_as_recorded_on_18() {
    check(OdooVersion::V18, "18");
}

#[test]
fn derivations_as_recorded_on_19() {
    check(OdooVersion::V19, "19");
}
