//! Replays the server's own recorded traffic with real Odoo
//! (`tests/fixtures/odoo/{16,17,18,19}/traffic/`: one file per call shape the
//! MCP server made while a client used every tool, resource and prompt) to a
//! fake of the same version, and checks each answer by structure
//! (`common::recording::check`): status, JSON shape, the presence or absence
//! of `result`, the error's class and text.
//!
//! The recordings come from one run each, so the calls are replayed in the
//! order that run needed: probes and reads of seeded data, then the partner
//! the run created, what it did to it, and its deletion. Ids of partners the
//! run created are mapped to the ids the fake gives when the recorded
//! `create` is replayed (once per such id, as the run created them).

mod common;

use common::recording::{assert_replayed, check, created_id, load, send, Fixture};
use fake_odoo::{Config, FakeOdoo, OdooVersion};
use serde_json::Value;
use std::collections::HashMap;

/// The Odoo method a recorded request calls, and the arguments that carry
/// record ids or domains: the positional `args` of `execute_kw`, or the
/// JSON-2 body.
fn method_of(f: &Fixture) -> String {
    let body = &f.request["body"];
    if let Some(args) = body["params"]["args"].as_array() {
        if body["params"]["method"] == "execute_kw" {
            return args.get(4).and_then(Value::as_str).unwrap_or("").into();
        }
        return body["params"]["method"].as_str().unwrap_or("").into();
    }
    let path = f.request["path"].as_str().unwrap_or("");
    path.rsplit('/').next().unwrap_or("").into()
}

/// Visits the numbers of a call's arguments that can be record ids: inside
/// lists (positional arguments, id lists, domains), and under the keyword
/// arguments `ids` and `domain`; not `limit`, `offset` and the like.
fn each_id_slot(v: &mut Value, in_list: bool, f: &mut impl FnMut(&mut Value)) {
    match v {
        Value::Number(_) if in_list => f(v),
        Value::Array(items) => items.iter_mut().for_each(|i| each_id_slot(i, true, f)),
        Value::Object(m) => {
            for (k, item) in m.iter_mut() {
                if k == "ids" || k == "domain" {
                    each_id_slot(item, true, f);
                }
            }
        }
        _ => {}
    }
}

/// Visits the id slots of a call's arguments: those of `execute_kw` (after
/// database, uid, key, model and method), or the JSON-2 body.
fn each_call_id(req: &mut Value, f: &mut impl FnMut(&mut Value)) {
    let body = &mut req["body"];
    if body["params"]["method"] == "execute_kw" {
        if let Some(args) = body["params"]["args"].as_array_mut() {
            args.iter_mut().skip(5).for_each(|a| each_id_slot(a, false, f));
        }
    } else if body.is_object() && body.get("params").is_none() {
        each_id_slot(body, false, f);
    }
}

/// Ids of records the run created (`first` and the next ones) that a call uses.
fn created_ids_in(req: &Value, first: i64) -> Vec<i64> {
    let mut out = Vec::new();
    each_call_id(&mut req.clone(), &mut |n| {
        if let Some(i) = n.as_i64().filter(|i| *i >= first && *i < first + 100) {
            if !out.contains(&i) {
                out.push(i);
            }
        }
    });
    out
}

/// Rewrites the created ids a call uses to the fake's.
fn map_ids(req: &mut Value, map: &HashMap<i64, i64>) {
    each_call_id(req, &mut |n| {
        if let Some(new) = n.as_i64().and_then(|i| map.get(&i)) {
            *n = Value::from(*new);
        }
    });
}

/// The order a run needs: 0 probes and sign-in, 1 reads of seeded data,
/// 2 the create, 3 posting on it, 4 what reads or checks it, 5 its deletion.
fn phase(f: &Fixture, first_created: Option<i64>) -> u8 {
    let method = method_of(f);
    let ids = first_created.map(|first| created_ids_in(&f.request, first)).unwrap_or_default();
    match method.as_str() {
        "version" | "version_info" | "authenticate" | "context_get" => 0,
        "create" => 2,
        "message_post" => 3,
        "unlink" => 5,
        _ if ids.is_empty() => 1,
        _ => 4,
    }
}

/// Where the recorded database's demo data differs from the fake's seeds
/// (which mirror the golden recordings), the request is pointed at the
/// fake's equivalent, so that the answer is still compared by shape and not
/// trivially empty: (folder, file name prefix, what to change, why).
const SEED_DIFFERENCES: &[(&str, &str, Adapt, &str)] = &[
    (
        "17",
        "jsonrpc_crm.lead.check_access_rule_2pos",
        Adapt::RecordId(20, 2),
        "the fake seeds 14 leads; lead 2 belongs to another salesperson than demo2, as lead 20 of the recorded database does",
    ),
    (
        "19",
        "json2_res.partner.name_search",
        Adapt::Name("Deco", "Gemini"),
        "the traffic's 19 database has 'Deco Addict'; the golden 19 database the seeds mirror has 'Acme Corporation' in its place",
    ),
];

#[derive(Clone, Copy)]
enum Adapt {
    RecordId(i64, i64),
    Name(&'static str, &'static str),
}

fn adapt(dir: &str, f: &Fixture, req: &mut Value) {
    for (folder, prefix, change, _why) in SEED_DIFFERENCES {
        if *folder != dir || !f.name.starts_with(prefix) {
            continue;
        }
        match *change {
            Adapt::RecordId(from, to) => map_ids(req, &HashMap::from([(from, to)])),
            Adapt::Name(from, to) => {
                if req["body"]["name"] == from {
                    req["body"]["name"] = Value::from(to);
                }
            }
        }
    }
}

fn replay(version: OdooVersion, dir: &str) -> (usize, Vec<String>) {
    let odoo = FakeOdoo::start(Config::new(version)).expect("start fake");
    let mut fixtures = load(dir, "traffic");
    let create = fixtures.iter().position(|f| method_of(f) == "create");
    let first_created = create.and_then(|i| created_id(&fixtures[i].response["body"]));
    let create_request = create.map(|i| fixtures[i].request.clone());
    fixtures.sort_by_key(|f| phase(f, first_created));

    let mut ids: HashMap<i64, i64> = HashMap::new();
    let mut failures = Vec::new();
    for f in &fixtures {
        let mut req = f.request.clone();
        adapt(dir, f, &mut req);
        if let (Some(first), Some(create_req)) = (first_created, &create_request) {
            // A created id the fake has not made yet: create it, as the run did.
            for old in created_ids_in(&req, first) {
                ids.entry(old)
                    .or_insert_with(|| created_id(&send(odoo.port(), create_req).json()).expect("fake create"));
            }
            map_ids(&mut req, &ids);
        }
        let sent = send(odoo.port(), &req);
        if method_of(f) == "create" {
            if let (Some(old), Some(new)) = (created_id(&f.response["body"]), created_id(&sent.json())) {
                ids.insert(old, new);
            }
        }
        let expected = f.response["body"].clone();
        let problems = check(f, &expected, sent.status, &sent.content_type, &sent.body, false);
        if !problems.is_empty() {
            failures.push(format!("{}/traffic/{}:\n    {}", dir, f.name, problems.join("\n    ")));
        }
    }
    (fixtures.len(), failures)
}

fn assert_replay(version: OdooVersion, dir: &str) {
    let (count, failures) = replay(version, dir);
    assert_replayed(count, &failures, 20, &format!("recordings in {dir}/traffic"));
}

#[test]
fn replay_16_traffic() {
    assert_replay(OdooVersion::V16, "16");
}

#[test]
fn replay_17_traffic() {
    assert_replay(OdooVersion::V17, "17");
}

#[test]
fn replay_18_traffic() {
    assert_replay(OdooVersion::V18, "18");
}

#[test]
fn replay_19_traffic() {
    assert_replay(OdooVersion::V19, "19");
}

/// The recordings here are copies of the project's shared fixtures (`../shared/fixtures/odoo` beside the
/// checkout, where it exists): every shared file must be here, unchanged, so that a new recording
/// reaches these replays.
#[test]
fn fixtures_are_the_shared_recordings() {
    let shared = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures/odoo");
    if !shared.is_dir() {
        return;
    }
    let ours = common::recording::fixtures_dir();
    let mut stack = vec![shared.clone()];
    let mut checked = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("shared dir") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path.strip_prefix(&shared).expect("under shared");
            let here = std::fs::read(ours.join(rel)).unwrap_or_default();
            assert!(
                here == std::fs::read(&path).expect("shared file"),
                "tests/fixtures/odoo/{} differs from the shared recording (copy it: cp -r ../shared/fixtures/odoo/. tests/fixtures/odoo/)",
                rel.display()
            );
            checked += 1;
        }
    }
    assert!(checked > 300, "only {checked} shared files");
}
