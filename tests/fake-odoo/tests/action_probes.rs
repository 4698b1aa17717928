//! Replays the workflow-action probes (`tests/fixtures/odoo/{16,17,18,19}/probes/`: every sale.order and
//! crm.lead call but `fields_get`, which `derivation_probes.rs` checks) to a fake of the same version:
//! the button methods' answers (`true`, None, the rainbow man `effect`, the cancel and send wizards), a
//! private method's and a hidden record's AccessError, and the reads and access checks around them, by
//! structure (`common::recording::check`), and exactly where the answer holds no id of the demo data.
//!
//! The recorded databases' ids are pointed at the fake's records of the same kind (`IDS`), and the
//! confirmation runs before the cancellation, as in the recorded run.

mod common;

use common::recording::{assert_replayed, load, replay_one, Fixture};
use fake_odoo::{Config, FakeOdoo, OdooVersion};
use serde_json::Value;

/// (model, recorded id, the fake's id, why).
const IDS: &[(&str, i64, i64, &str)] = &[
    ("sale.order", 3, 3, "an admin's quotation, confirmed then cancelled"),
    ("sale.order", 19, 1, "an admin's order that demo2 may not read"),
    ("sale.order", 5, 2, "a quotation whose e-mail wizard is asked for"),
    ("crm.lead", 27, 2, "an admin's opportunity, won (demo2 may not write it)"),
    ("crm.lead", 26, 7, "an admin's opportunity, lost"),
];

/// The record ids a call names: `execute_kw`'s first positional argument when it is a list of ids, or
/// JSON-2's `ids`.
fn ids_slot(req: &mut Value) -> Option<&mut Value> {
    let body = &mut req["body"];
    if body.get("params").is_some() {
        let first = body["params"]["args"].get_mut(5).and_then(|positional| positional.get_mut(0));
        return first.filter(|a| a.as_array().is_some_and(|l| l.iter().all(Value::is_i64)));
    }
    body.get_mut("ids")
}

fn map_ids(model: &str, req: &mut Value) {
    if let Some(Value::Array(ids)) = ids_slot(req) {
        for id in ids.iter_mut() {
            if let Some((_, _, to, _)) = IDS.iter().find(|(m, from, _, _)| *m == model && id.as_i64() == Some(*from)) {
                *id = Value::from(*to);
            }
        }
    }
}

fn replay(version: OdooVersion, dir: &str) -> (usize, Vec<String>) {
    let odoo = FakeOdoo::start(Config::new(version)).expect("start fake");
    let mut fixtures: Vec<Fixture> = load(dir, "probes")
        .into_iter()
        .filter(|f| {
            let (model, method) = f.model_and_method();
            matches!(model.as_str(), "sale.order" | "crm.lead") && method != "fields_get"
        })
        .collect();
    fixtures.sort_by_key(|f| match f.model_and_method().1.as_str() {
        "action_confirm" => 0,
        "action_cancel" => 2,
        _ => 1,
    });
    let mut failures = Vec::new();
    for f in &fixtures {
        let (model, method) = f.model_and_method();
        let mut req = f.request.clone();
        map_ids(&model, &mut req);
        // Exact where the answer names no record of the demo data (the cancel wizard names order 3, the
        // same id here).
        let exact = matches!(
            method.as_str(),
            "action_confirm" | "action_set_won_rainbowman" | "action_set_lost" | "action_cancel" | "_action_confirm"
        );
        failures.extend(replay_one(odoo.port(), f, &req, exact, &format!("{dir}/probes")));
    }
    (fixtures.len(), failures)
}

fn assert_replay(version: OdooVersion, dir: &str) {
    let (count, failures) = replay(version, dir);
    assert_replayed(count, &failures, 10, &format!("action recordings in {dir}/probes"));
}

#[test]
fn replay_16_action_probes() {
    assert_replay(OdooVersion::V16, "16");
}

#[test]
fn replay_17_action_probes() {
    assert_replay(OdooVersion::V17, "17");
}

#[test]
fn replay_18_action_probes() {
    assert_replay(OdooVersion::V18, "18");
}

#[test]
fn replay_19_action_probes() {
    assert_replay(OdooVersion::V19, "19");
}
