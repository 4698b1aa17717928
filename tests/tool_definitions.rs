//! Snapshot of the whole tool surface: any change to a tool's name, description, schemas or annotations
//! fails here until the snapshot is updated on purpose (`UPDATE_SNAPSHOTS=1 cargo test --test tool_definitions`).

#[test]
fn tool_definitions_match_the_snapshot() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/snapshots/tools.json");
    let current = serde_json::to_string_pretty(&odoo_mcp_edge::capabilities::tools::definitions()).unwrap() + "\n";
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(path, &current).unwrap();
    }
    let saved = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        saved == current,
        "the tool surface changed; review it and run UPDATE_SNAPSHOTS=1 cargo test --test tool_definitions"
    );
}
