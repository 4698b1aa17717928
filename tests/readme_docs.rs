//! The README's examples checked against what they describe, so that the docs cannot drift: the deploy
//! guide against `wrangler.toml`, the secrets and the Configuration table against the settings the
//! Worker reads, every `make` target named against the Makefile, the admin API walkthrough run call by
//! call, the tool and resource examples run with their answers compared, and the `/health` and log-line
//! examples against what the Worker answers and logs. (The client snippets have their own test; the
//! deploy commands themselves need a Cloudflare account, and `make deploy-check` runs the dry run of
//! `wrangler deploy` in CI.)

mod support;

use odoo_mcp_edge::config::Settings;
use odoo_mcp_edge::http::log;
use serde_json::Value;
use std::cell::RefCell;
use std::collections::BTreeSet;

const README: &str = include_str!("../README.md");
const WRANGLER: &str = include_str!("../wrangler.toml");
const WRANGLER_ADMIN: &str = include_str!("../wrangler.admin.toml");
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
    toml_string_in(WRANGLER, key)
}

fn toml_string_in(toml: &str, key: &str) -> String {
    toml.lines()
        .map(str::trim)
        .filter(|l| !l.starts_with('#'))
        .find_map(|l| {
            l.strip_prefix(key)?
                .trim_start()
                .strip_prefix('=')?
                .trim()
                .strip_prefix('"')?
                .split('"')
                .next()
                .map(str::to_string)
        })
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
    // The database is created with one of D1's location hints (near the Odoo it will serve).
    let hint = script
        .lines()
        .find_map(|l| l.strip_prefix(&format!("npx wrangler d1 create {database} --location ")))
        .unwrap_or_else(|| panic!("d1 create names wrangler.toml's database_name {database} and a --location"));
    assert!(["wnam", "enam", "weur", "eeur", "apac", "oc"].contains(&hint.trim()), "not a D1 location hint: {hint}");
    // Smart Placement, as the guide says (scripts/deploy-check.sh checks it before a deploy).
    assert!(
        WRANGLER.contains("\n[placement]\nmode = \"smart\"\n") && deploy.contains("[placement] mode = \"smart\""),
        "wrangler.toml and the guide: [placement] mode = \"smart\""
    );
    assert!(
        script.contains(&format!("npx wrangler d1 execute {binding} --remote --file schema.sql")),
        "the schema goes to binding {binding}"
    );
    assert!(script.contains("npx wrangler deploy\n") && script.contains("npx wrangler login\n"));
    // The admin Worker: on the same database, named by the public one's service binding, deployed first.
    let admin = toml_string_in(WRANGLER_ADMIN, "name");
    for key in ["binding", "database_name", "database_id", "compatibility_date"] {
        assert_eq!(toml_string_in(WRANGLER_ADMIN, key), toml_string(key), "wrangler.admin.toml's {key}");
    }
    assert!(WRANGLER.contains(&format!("[[services]]\nbinding = \"ADMIN\"\nservice = \"{admin}\"\n")), "{admin}");
    let first = script.find("npx wrangler deploy --config wrangler.admin.toml\n").expect("the admin Worker's deploy");
    assert!(first < script.find("npx wrangler deploy\n").expect("deploy"), "the admin Worker is deployed first");
    assert!(
        deploy.contains(&format!("https://{worker}.<your-subdomain>.workers.dev")),
        "the URL names the worker {worker}"
    );

    // ADMIN_TOKEN on the admin Worker; CREDENTIALS_KEY on both, one value.
    let put: BTreeSet<String> =
        script.lines().filter_map(|l| l.split("wrangler secret put ").nth(1)).map(|n| n.trim().to_string()).collect();
    let expected =
        ["ADMIN_TOKEN --config wrangler.admin.toml", "CREDENTIALS_KEY", "CREDENTIALS_KEY --config wrangler.admin.toml"];
    assert_eq!(put, expected.map(String::from).into());
    let names: BTreeSet<String> = put.iter().filter_map(|p| p.split(' ').next()).map(String::from).collect();
    assert!(names.is_subset(&names_read()), "the Worker reads the secrets the guide puts");
    // The generated CREDENTIALS_KEY is what the Worker accepts (base64 of 32 bytes), the same for both.
    assert!(script.contains("CREDENTIALS_KEY=$(openssl rand -base64 32 | tr -d '\\n')"));
    assert_eq!(script.matches("printf '%s' \"$CREDENTIALS_KEY\" | npx wrangler secret put CREDENTIALS_KEY").count(), 2);

    // The cron the guide describes is the one wrangler.toml deploys.
    let cron = WRANGLER
        .lines()
        .find_map(|l| l.trim().strip_prefix("crons = [\"")?.split('"').next())
        .expect("wrangler.toml crons");
    assert!(
        deploy.contains(&format!("crons = [\"{cron}\"]"))
            && deploy.contains(&format!("cron={}", cron.replace(' ', "+"))),
        "{cron}"
    );

    let upgrade = blocks(&deploy[deploy.find("### Upgrading").expect("an Upgrading section")..], "sh").join("\n");
    let (schema, admin_at, deploy_at) = (
        upgrade.find("--file schema.sql").expect("schema step"),
        upgrade.find("npx wrangler deploy --config wrangler.admin.toml\n").expect("the admin Worker's deploy step"),
        upgrade.find("npx wrangler deploy\n").expect("deploy step"),
    );
    assert!(schema < admin_at && admin_at < deploy_at, "the schema first, then the admin Worker, then the public one");
}

#[test]
fn the_configuration_table_lists_exactly_what_the_worker_reads() {
    let documented: BTreeSet<String> = section("Configuration")
        .lines()
        .filter_map(|l| l.strip_prefix("| `")?.split('`').next().map(str::to_string))
        .collect();
    assert_eq!(documented, names_read());
}

#[test]
fn every_make_target_the_readme_names_exists() {
    let targets: BTreeSet<&str> = MAKEFILE
        .lines()
        .filter_map(|l| {
            l.split_once(':').filter(|(t, _)| !t.is_empty() && !t.contains([' ', '\t', '$', '.', '#'])).map(|(t, _)| t)
        })
        .collect();
    let named: BTreeSet<String> = README
        .split("make ")
        .skip(1)
        .filter_map(|rest| {
            let word: String =
                rest.chars().take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-').collect();
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
    // The example is the `/mcp` Worker's; the native server has the admin half too, whose /admin/health
    // (the same answer) adds admin_token_set.
    let mut fields = keys(&health.body);
    assert!(
        fields.remove("admin_token_set")
            && text.contains("`GET /admin/health`")
            && text.contains("\"admin_token_set\"")
    );
    assert_eq!(keys(&example), fields, "the /health example has the answer's fields");

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

/// One `curl` of the README's admin walkthrough: method, path, JSON body, and the status its
/// `# -> NNN` comment promises (200 when it promises none).
struct Curl {
    method: String,
    path: String,
    body: Option<Value>,
    expect: u16,
}

fn walkthrough() -> Vec<Curl> {
    let script = blocks(section("Setting it up (admin API)"), "sh").remove(0);
    // Continuation lines (indented) belong to the command above them.
    let mut commands: Vec<String> = Vec::new();
    for line in script.lines() {
        match line.strip_prefix("     ") {
            Some(more) if !commands.is_empty() => {
                let last = commands.last_mut().expect("a command");
                *last = format!("{} {}", last.trim_end_matches('\\').trim_end(), more.trim());
            }
            _ => commands.push(line.to_string()),
        }
    }
    let mut curls: Vec<Curl> = Vec::new();
    for c in commands {
        if let Some(status) =
            c.strip_prefix("# -> ").and_then(|r| r.split_whitespace().next()).and_then(|s| s.parse().ok())
        {
            curls.last_mut().expect("a promise follows a curl").expect = status;
        }
        let Some(args) = c.strip_prefix("curl -s ") else {
            continue;
        };
        let method = args.split("-X ").nth(1).and_then(|r| r.split_whitespace().next()).unwrap_or("GET").to_string();
        let path = args.split("$W").nth(1).and_then(|r| r.split_whitespace().next()).expect("a $W path").to_string();
        let body = args
            .split(" -d '")
            .nth(1)
            .map(|b| serde_json::from_str(b.trim_end().trim_end_matches('\'')).expect("each -d body is JSON"));
        curls.push(Curl { method, path, body, expect: 200 });
    }
    curls
}

#[test]
fn the_admin_api_walkthrough_runs_as_written() {
    let h = support::Harness::new();
    let user = fake_odoo::Config::new(fake_odoo::OdooVersion::V19)
        .users
        .into_iter()
        .find(|u| u.login == "admin")
        .expect("fake admin");
    let curls = walkthrough();
    assert_eq!(
        curls.iter().map(|c| c.method.as_str()).collect::<Vec<_>>(),
        ["POST", "PUT", "PUT", "PUT", "POST", "GET", "DELETE"]
    );
    let mut issued = None;
    for c in curls {
        // The fake Odoo stands in for acme.odoo.com, and its admin for Alice; everything else is as written.
        let body = c.body.map(|b| {
            let text = b
                .to_string()
                .replace("https://acme.odoo.com", &h.odoo19.url())
                .replace("\"database\":\"acme\"", "\"database\":\"mcptest\"");
            let text = text.replace("alice@acme.com", &user.login).replace('…', &user.api_key);
            serde_json::from_str::<Value>(&text).expect("still JSON")
        });
        let r = h.admin(&c.method, &c.path, body);
        assert_eq!(r.status, c.expect, "{} {}: {}", c.method, c.path, r.raw);
        if c.path == "/admin/api/connections" {
            assert_eq!(
                (r.body["id"].as_i64(), r.body["odoo_version"].as_str(), r.body["transport"].as_str()),
                (Some(1), Some("19.0"), Some("json2"))
            );
        }
        if c.path == "/admin/api/keys" && c.method == "POST" {
            assert!(
                r.body["key"].as_str().is_some_and(|k| k.starts_with("omcp_")) && r.body["prefix"].is_string(),
                "{}",
                r.raw
            );
            issued = r.body["key"].as_str().map(str::to_string);
        }
        if c.path.ends_with("/models/sale.order") {
            assert_eq!(r.body["actions"], serde_json::json!(["action_confirm"]), "{}", r.raw);
        }
        if c.path == "/admin/api/keys" && c.method == "GET" {
            assert_eq!(r.body["keys"][0]["label"], "Alice, Claude Code", "{}", r.raw);
        }
    }
    // The key was issued read-only on the two enabled models, then revoked by the last call.
    let key = issued.expect("the walkthrough issued a key");
    let body = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {}}).to_string();
    let r = h.raw(
        "POST",
        "/mcp",
        &[
            ("authorization", &format!("Bearer {key}")),
            ("content-type", "application/json"),
            ("accept", "application/json"),
        ],
        body.as_bytes(),
    );
    assert_eq!(r.status, 401, "revoked by step 4");
}

#[test]
fn the_tool_examples_run_and_answer_as_shown() {
    let tools = section("Tools").replace('\n', " ");
    let call = |tool: &str| -> Value {
        let args = tools
            .split(&format!("`{tool} "))
            .nth(1)
            .and_then(|r| r.split('`').next())
            .unwrap_or_else(|| panic!("an example of {tool}"));
        serde_json::from_str(args).unwrap_or_else(|e| panic!("{tool}'s example arguments are JSON: {e}"))
    };
    let h = support::Harness::new();
    let c = h.connection(fake_odoo::OdooVersion::V19, "c", &["res.partner", "crm.lead", "res.country", "crm.stage"]);
    let mut s = h.session(&h.key(c, fake_odoo::OdooVersion::V19, "admin"));

    let r = s.tool("odoo_search", call("odoo_search"));
    assert!(r.get("isError").is_none(), "{r}");
    assert!(r["structuredContent"]["records"].as_array().is_some_and(|a| !a.is_empty()), "{r}");

    let r = s.tool("odoo_aggregate", call("odoo_aggregate"));
    assert!(r.get("isError").is_none(), "{r}");
    let shown = tools
        .split("answers `{\"groups\": [")
        .nth(1)
        .and_then(|r| r.split(", …]}`").next())
        .expect("the aggregate answer");
    let shown: Value = serde_json::from_str(shown).expect("the shown group is JSON");
    assert_eq!(r["structuredContent"]["groups"][0], shown, "the first group is the one shown");

    // The resource example reads the same kind of page.
    let resources = section("Resources").replace('\n', " ");
    let uri = resources.split("For example `").nth(1).and_then(|r| r.split('`').next()).expect("a resource example");
    let r = s.request("resources/read", serde_json::json!({"uri": uri}));
    let page: Value = serde_json::from_str(r["result"]["contents"][0]["text"].as_str().unwrap_or_default())
        .unwrap_or_else(|_| panic!("{r}"));
    assert!(page["records"].as_array().is_some_and(|a| !a.is_empty() && a.len() <= 5), "{page}");
}
