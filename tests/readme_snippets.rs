//! README.md's client snippets are the console's: the block between the `snippets:begin` and
//! `snippets:end` markers in "Connecting an assistant" must equal `snippets::for_key` rendered for the
//! placeholder endpoint and key, so the docs cannot drift from what a new key's page shows.
//!
//! After changing src/admin/snippets.rs, regenerate the block with
//! `UPDATE_README=1 cargo test --test readme_snippets`.

use odoo_mcp_edge::admin::snippets;
use serde_json::Value;

const ENDPOINT: &str = "https://odoo-mcp-edge.<your-subdomain>.workers.dev/mcp";
const KEY: &str = "omcp_…";
const BEGIN: &str = "<!-- snippets:begin (generated from src/admin/snippets.rs; see tests/readme_snippets.rs) -->\n";
const END: &str = "<!-- snippets:end -->\n";
/// The order README.md lists them in.
const ORDER: [&str; 5] = ["claude_code", "cursor", "vscode", "claude_desktop", "n8n"];

fn readme_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")
}

/// The markdown for every snippet: its title and where it goes, the text in a fence, and the `then` step.
fn render(all: &Value) -> String {
    let mut out = String::new();
    for id in ORDER {
        let s = &all[id];
        let text = s["text"].as_str().expect("text");
        let lang = if text.trim_start().starts_with('{') { "json" } else { "sh" };
        out.push_str(&format!(
            "**{}**: {}\n\n```{lang}\n{text}\n```\n\n",
            s["title"].as_str().expect("title"),
            s["where"].as_str().expect("where")
        ));
        if let Some(then) = s.get("then").and_then(Value::as_str) {
            out.push_str(&format!("{then}\n\n"));
        }
    }
    out
}

#[test]
fn the_readme_shows_exactly_the_console_snippets() {
    let all = snippets::for_key(ENDPOINT, KEY);
    let mut ids: Vec<&str> = all.as_object().expect("object").keys().map(String::as_str).collect();
    ids.sort_unstable();
    let mut listed = ORDER.to_vec();
    listed.sort_unstable();
    assert_eq!(ids, listed, "a snippet was added or removed: update ORDER here");

    let expected = render(&all);
    let readme = std::fs::read_to_string(readme_path()).expect("README.md");
    let start = readme.find(BEGIN).expect("README.md has the snippets:begin marker") + BEGIN.len();
    let len = readme[start..].find(END).expect("README.md has the snippets:end marker");
    let actual = &readme[start..start + len];
    if actual != expected && std::env::var_os("UPDATE_README").is_some() {
        std::fs::write(readme_path(), format!("{}{expected}{}", &readme[..start], &readme[start + len..]))
            .expect("write README.md");
        return;
    }
    assert!(
        actual == expected,
        "README.md's snippets differ from snippets::for_key; run UPDATE_README=1 cargo test --test readme_snippets. Expected:\n{expected}"
    );
}

#[test]
fn the_readme_snippet_section_sits_in_connecting_an_assistant() {
    let readme = std::fs::read_to_string(readme_path()).expect("README.md");
    let section = readme.find("\n## Connecting an assistant\n").expect("the section");
    let next = readme[section + 1..].find("\n## ").map_or(readme.len(), |i| section + 1 + i);
    let begin = readme.find(BEGIN).expect("begin marker");
    let end = readme.find(END).expect("end marker");
    assert!(section < begin && begin < end && end < next, "the generated block is inside the section");
    assert_eq!(readme.matches(BEGIN).count(), 1);
}
