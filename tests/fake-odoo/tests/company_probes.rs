//! Replays the companies and language probes (`tests/fixtures/odoo/{16,17,18,19}/probes/`: `res.company`,
//! `res.lang`, `res.users` `read` and `context_get`, and `res.partner.search_read` with a context) to a
//! fake of the same version: the 19 database's two companies, only English installed, a context naming a
//! company the user lacks (AccessError on every version) or a language that is not installed (UserError
//! on 18 and 19, ignored on 16 and 17), by structure, and exactly where the answer is the demo's own.

mod common;

use common::recording::{assert_replayed, load, replay_one, Fixture};
use fake_odoo::{Config, FakeOdoo, OdooVersion};

fn wanted(f: &Fixture) -> bool {
    let text = f.request["body"].to_string();
    match f.model_and_method() {
        (m, _) if m == "res.company" || m == "res.lang" => true,
        (m, method) if m == "res.users" => method == "read" || method == "context_get",
        (m, method) => m == "res.partner" && method == "search_read" && text.contains("context"),
    }
}

fn replay(version: OdooVersion, dir: &str) -> (usize, Vec<String>) {
    let odoo = FakeOdoo::start(Config::new(version)).expect("start fake");
    let fixtures: Vec<Fixture> = load(dir, "probes").into_iter().filter(wanted).collect();
    let mut failures = Vec::new();
    for f in &fixtures {
        let (model, _) = f.model_and_method();
        // Exact: the companies and languages are the demo database's own; errors are exact anyway.
        let exact = model == "res.company" || model == "res.lang";
        failures.extend(replay_one(odoo.port(), f, &f.request, exact, &format!("{dir}/probes")));
    }
    (fixtures.len(), failures)
}

fn assert_replay(version: OdooVersion, dir: &str) {
    let (count, failures) = replay(version, dir);
    assert_replayed(count, &failures, 5, &format!("company and language recordings in {dir}/probes"));
}

#[test]
fn replay_16_company_probes() {
    assert_replay(OdooVersion::V16, "16");
}

#[test]
fn replay_17_company_probes() {
    assert_replay(OdooVersion::V17, "17");
}

#[test]
fn replay_18_company_probes() {
    assert_replay(OdooVersion::V18, "18");
}

#[test]
fn replay_19_company_probes() {
    assert_replay(OdooVersion::V19, "19");
}
