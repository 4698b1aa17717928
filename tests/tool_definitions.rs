//! Snapshots of the tool surface, one file per tool (`tests/snapshots/tools/<name>.json`, the tool's
//! definition as `tools/list` returns it), so that a diff names the tool. Any change to a tool's name,
//! title, description, schemas or annotations fails here until its snapshot is updated on purpose
//! (`UPDATE_SNAPSHOTS=1 cargo test --test tool_definitions`), and so does a tool without a snapshot or
//! a snapshot without a tool.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const UPDATE: &str = "review the change and run UPDATE_SNAPSHOTS=1 cargo test --test tool_definitions";

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/tools")
}

/// Tool name → its definition, pretty-printed as the snapshot holds it.
fn current() -> BTreeMap<String, String> {
    odoo_mcp_edge::capabilities::tools::definitions()
        .iter()
        .map(|tool| {
            let value = serde_json::to_value(tool).unwrap();
            let name = value["name"].as_str().expect("every tool has a name").to_string();
            (name, serde_json::to_string_pretty(&value).unwrap() + "\n")
        })
        .collect()
}

/// Snapshot name (the file's stem) → its text.
fn saved() -> BTreeMap<String, String> {
    let Ok(entries) = std::fs::read_dir(dir()) else { return BTreeMap::new() };
    entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read_to_string(&p).unwrap())
        })
        .collect()
}

#[test]
fn each_tool_matches_its_snapshot() {
    let current = current();
    assert_eq!(current.len(), odoo_mcp_edge::capabilities::tools::definitions().len(), "two tools share a name");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::create_dir_all(dir()).unwrap();
        for name in saved().keys().filter(|n| !current.contains_key(*n)) {
            std::fs::remove_file(dir().join(format!("{name}.json"))).unwrap();
        }
        for (name, text) in &current {
            std::fs::write(dir().join(format!("{name}.json")), text).unwrap();
        }
    }
    let saved = saved();
    let mut problems = Vec::new();
    for (name, text) in &current {
        match saved.get(name) {
            None => problems.push(format!("{name}: a tool without a snapshot (tests/snapshots/tools/{name}.json)")),
            Some(s) if s != text => problems.push(format!("{name}: its definition changed")),
            Some(_) => {}
        }
    }
    for name in saved.keys().filter(|n| !current.contains_key(*n)) {
        problems.push(format!("{name}: a snapshot without a tool (tests/snapshots/tools/{name}.json)"));
    }
    assert!(problems.is_empty(), "the tool surface changed:\n  {}\n{UPDATE}", problems.join("\n  "));
}
