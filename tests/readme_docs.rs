//! The README's operator-facing text checked against what it describes, so that the docs cannot drift:
//! the deploy guide against `wrangler.toml`, the secrets and the Configuration table against the
//! settings the Worker reads, every `make` target named against the Makefile, and the `/health` and
//! log-line examples against what the Worker answers and logs. (The client snippets have their own
//! test; the deploy commands themselves need a Cloudflare account, and `make deploy-check` runs the
//! dry run of `wrangler deploy` in CI.)

mod support;

use odoo_mcp_edge::config::Settings;
use odoo_mcp_edge::http::log;
use serde_json::Value;
use std::cell::RefCell;
use std::collections::BTreeSet;

const README: &str = include_str!("../README.md");
const WRANGLER: &str = include_str!("../wrangler.toml");
const MAKEFILE: &str = include_str!("../Makefile");

/// A README section's text, from its `## ` heading to the next one of the same level.
fn section(heading: &str) -> &'static str {
    let start = README.find(&format!("\n## {heading}\n")).unwrap_or_else(|| panic!("README has no section {heading}"));
    let rest = &README[start + 1..];
    &rest[..rest[3..].find("\n## ").map(|i| i + 3).unwrap_or(rest.len())]
}

/// The fenced code blocks of `text` marked with `lang`.
fn blocks(text: &str, lang: &str) -> Vec<String> {
    text.split(&format!("```{lang}\n")).skip(1).map(|b| b.split("```").next().unwrap_or("").to_string()).collect()
}

/// The value of `key = "value"` on a line of wrangler.toml that is not a comment.
fn toml_string(key: &str) -> String {
    WRANGLER
        .lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| l.strip_prefix(key)?.trim_start().strip_prefix('=')?.trim().strip_prefix('"')?.split('"').next().map(str::to_string))
        .unwrap_or_else(|| panic!("wrangler.toml has no {key}"))
}

/// The names the Worker reads from its environment (vars and secrets).
fn names_read() -> BTreeSet<String> {
    let asked = RefCell::new(BTreeSet::new());
    let _ = Settings::from_env(|name| {
        asked.borrow_mut().insert(name.to_string());
        None
    });
    asked.into_inner()
}

#[test]
fn the_deploy_guide_matches_wrangler_toml_and_the_settings() {
    let deploy = section("Deploy to Cloudflare");
    let script = blocks(deploy, "sh").join("\n");
    let (binding, database, worker) = (toml_string("binding"), toml_string("database_name"), toml_string("name"));
    assert!(script.contains(&format!("npx wrangler d1 create {database}\n")), "d1 create names wrangler.toml's database_name {database}");
    assert!(script.contains(&format!("npx wrangler d1 execute {binding} --remote --file schema.sql")), "the schema goes to binding {binding}");
    assert!(script.contains("npx wrangler deploy\n") && script.contains("npx wrangler login\n"));
    assert!(deploy.contains(&format!("https://{worker}.<your-subdomain>.workers.dev")), "the URL names the worker {worker}");

    let put: BTreeSet<String> = script.lines().filter_map(|l| l.split("wrangler secret put ").nth(1)).map(|n| n.trim().to_string()).collect();
    assert_eq!(put, BTreeSet::from(["ADMIN_TOKEN".to_string(), "CREDENTIALS_KEY".to_string()]));
    assert!(put.is_subset(&names_read()), "the Worker reads the secrets the guide puts");
    // The generated CREDENTIALS_KEY is what the Worker accepts: base64 of 32 bytes.
    assert!(script.contains("openssl rand -base64 32 | tr -d '\\n' | npx wrangler secret put CREDENTIALS_KEY"));

    // The cron the guide describes is the one wrangler.toml deploys.
    let cron = WRANGLER.lines().find_map(|l| l.trim().strip_prefix("crons = [\"")?.split('"').next()).expect("wrangler.toml crons");
    assert!(deploy.contains(&format!("crons = [\"{cron}\"]")) && deploy.contains(&format!("cron={}", cron.replace(' ', "+"))), "{cron}");

    let upgrade = blocks(&deploy[deploy.find("### Upgrading").expect("an Upgrading section")..], "sh").join("\n");
    let (schema, deploy_at) = (upgrade.find("--file schema.sql").expect("schema step"), upgrade.find("npx wrangler deploy").expect("deploy step"));
    assert!(schema < deploy_at, "the schema is applied before the new code is deployed");
}

#[test]
fn the_configuration_table_lists_exactly_what_the_worker_reads() {
    let documented: BTreeSet<String> =
        section("Configuration").lines().filter_map(|l| l.strip_prefix("| `")?.split('`').next().map(str::to_string)).collect();
    assert_eq!(documented, names_read());
}

#[test]
fn every_make_target_the_readme_names_exists() {
    let targets: BTreeSet<&str> = MAKEFILE.lines().filter_map(|l| l.split_once(':').filter(|(t, _)| !t.is_empty() && !t.contains([' ', '\t', '$', '.', '#'])).map(|(t, _)| t)).collect();
    let named: BTreeSet<String> = README
        .split("make ")
        .skip(1)
        .filter_map(|rest| {
            let word: String = rest.chars().take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-').collect();
            (!word.is_empty()).then_some(word)
        })
        .collect();
    assert!(named.len() >= 5, "{named:?}");
    for t in &named {
        assert!(targets.contains(t.as_str()), "README names `make {t}`, which the Makefile does not have");
    }
}

#[test]
fn the_health_and_log_examples_are_what_the_worker_answers() {
    let text = section("Health and logs");
    let h = support::Harness::new();
    let health = h.raw("GET", "/health", &[], b"");
    let example = text.split("answers `").nth(1).and_then(|r| r.split('`').next()).expect("the /health example");
    let example: Value = serde_json::from_str(example).expect("the /health example is JSON");
    let keys = |v: &Value| v.as_object().map(|o| o.keys().cloned().collect::<BTreeSet<_>>()).unwrap_or_default();
    assert_eq!(keys(&example), keys(&health.body), "the /health example has the answer's fields");

    // The log line example: the fields a real tool call's line has, in the format `http::log` writes.
    let example: Value = serde_json::from_str(&blocks(text, "json")[0]).expect("the log example is JSON");
    let c = h.connection(fake_odoo::OdooVersion::V19, "c", &["res.partner"]);
    let mut s = h.session(&h.key(c, fake_odoo::OdooVersion::V19, "admin"));
    let r = s.post(&serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": "odoo_search", "arguments": {"model": "res.partner", "limit": 1}}}));
    let line: Value = serde_json::from_str(&log::line("POST", "/mcp", r.status, 63, &r.log)).expect("a JSON line");
    assert_eq!(keys(&example), keys(&line));
    for field in ["http_method", "path", "era", "method", "tool", "model", "outcome"] {
        assert_eq!(example[field], line[field], "{field}");
    }
}
