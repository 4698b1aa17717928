//! What a tool's definition is made of, as `tools/list` publishes it: MCP's `Tool` (name, title,
//! description, input and output JSON Schemas, annotations), written in each tool's file as JSON text and
//! parsed when listed. Text rather than code built with `json!`: the same definitions cost the wasm
//! bundle about 9 KiB gzip less. The arguments several tools share are one text each here
//! (`company_property!`, `dry_run_property!`), spliced in at compile time; the tests below check that
//! what tools share is described alike and that the limits a schema states are the ones enforced.

use serde::{Serialize, Serializer};

/// The `company` argument's schema, one text for every tool that takes it (spliced into a definition
/// with `concat!`, so the text is still a constant).
macro_rules! company_property {
    () => {
        r#""company": {
        "type": ["integer", "string"],
        "description": "Act in this company for this call only (its id or name), one of those this key may use; absent: the key's default company"
      }"#
    };
}
pub(crate) use company_property;

/// The `dry_run` argument's schema, one text for every tool whose dry run returns what would be written.
macro_rules! dry_run_property {
    () => {
        r#""dry_run": {
        "type": "boolean",
        "description": "Run every check and return what would be written, without writing",
        "default": false
      }"#
    };
}
pub(crate) use dry_run_property;
use serde_json::Value;

/// One tool as `tools/list` lists it: its name, and its definition as JSON text.
#[derive(Debug, Clone, Copy)]
pub struct Tool {
    pub name: &'static str,
    pub text: &'static str,
}

impl Tool {
    /// The definition (`Null` if its text were not JSON, which the tests rule out).
    pub fn value(&self) -> Value {
        crate::json::from_str(self.text).unwrap_or_default()
    }
}

impl Serialize for Tool {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.value().serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::super::{
        aggregate, attach, batch, budget, chatter_post, chatter_read, definitions, get, search, writing,
    };
    use serde_json::{json, Value};
    use std::collections::BTreeMap;

    fn tool(name: &str) -> Value {
        let tool = definitions().into_iter().find(|t| t.name == name).unwrap();
        tool.value()
    }

    #[test]
    fn every_definition_is_json_under_its_tools_name() {
        for t in definitions() {
            let v: Value = serde_json::from_str(t.text).unwrap_or_else(|e| panic!("{}: {e}", t.name));
            assert_eq!(v["name"], t.name);
            for key in ["title", "description"] {
                assert!(v[key].as_str().is_some_and(|s| !s.is_empty()), "{}: {key}", t.name);
            }
            // Every tool refuses an argument it does not know (`args::reject_unknown`) rather than ignore a typo.
            assert_eq!(v["inputSchema"]["type"], "object", "{}", t.name);
            assert_eq!(v["inputSchema"]["additionalProperties"], false, "{}", t.name);
            assert_eq!(v["annotations"]["title"], v["title"], "{}", t.name);
        }
    }

    /// An argument or a result entry several tools have is described the same way by each.
    #[test]
    fn what_tools_share_they_describe_alike() {
        let mut seen: BTreeMap<(&str, String), (String, Value)> = BTreeMap::new();
        let shared_in = ["company", "domain", "fields", "cursor", "values", "dry_run"];
        let shared_out = ["notice", "truncated_values", "dropped_fields", "not_applied", "values"];
        for t in definitions() {
            let v = t.value();
            for (schema, names) in [("inputSchema", &shared_in[..]), ("outputSchema", &shared_out[..])] {
                for name in names {
                    let Some(p) = v[schema]["properties"].get(*name) else { continue };
                    // The batch's `dry_run` covers all its operations, and says so in its description.
                    if (t.name, *name) == ("odoo_batch", "dry_run") {
                        continue;
                    }
                    let first = seen.entry((schema, name.to_string())).or_insert((t.name.into(), p.clone()));
                    assert_eq!(&first.1, p, "{schema} {name}: {} and {} differ", first.0, t.name);
                }
            }
            if let Some(model) = v["inputSchema"]["properties"].get("model") {
                let text = model["description"].as_str().unwrap_or_default();
                assert!(text.starts_with("Technical model name, e.g. "), "{}: {model}", t.name);
            }
        }
        assert!(seen.len() >= shared_in.len() + shared_out.len() - 1, "{seen:?}");
    }

    /// The limits a schema states are the ones its tool enforces.
    #[test]
    fn the_schemas_state_the_limits_the_tools_enforce() {
        let at = |name: &str, pointer: &str| tool(name).pointer(pointer).cloned().unwrap_or_default();
        let limits = [
            ("odoo_search", "/inputSchema/properties/limit/maximum", json!(search::MAX_LIMIT)),
            ("odoo_search", "/inputSchema/properties/limit/default", json!(search::DEFAULT_LIMIT)),
            ("odoo_search", "/inputSchema/properties/offset/maximum", json!(search::MAX_OFFSET)),
            ("odoo_get", "/inputSchema/properties/ids/maxItems", json!(get::MAX_IDS)),
            ("odoo_update", "/inputSchema/properties/ids/maxItems", json!(writing::MAX_IDS)),
            ("odoo_delete", "/inputSchema/properties/ids/maxItems", json!(writing::MAX_IDS)),
            ("odoo_action", "/inputSchema/properties/ids/maxItems", json!(writing::MAX_IDS)),
            ("odoo_aggregate", "/inputSchema/properties/limit/maximum", json!(aggregate::MAX_LIMIT)),
            ("odoo_aggregate", "/inputSchema/properties/limit/default", json!(aggregate::DEFAULT_LIMIT)),
            ("odoo_aggregate", "/inputSchema/properties/group_by/maxItems", json!(aggregate::MAX_GROUP_BY)),
            ("odoo_aggregate", "/inputSchema/properties/aggregates/maxItems", json!(aggregate::MAX_AGGREGATES)),
            ("odoo_chatter_read", "/inputSchema/properties/limit/maximum", json!(chatter_read::MAX_LIMIT)),
            ("odoo_chatter_read", "/inputSchema/properties/limit/default", json!(chatter_read::DEFAULT_LIMIT)),
            ("odoo_chatter_post", "/inputSchema/properties/body/maxLength", json!(chatter_post::MAX_BODY_CHARS)),
            ("odoo_attach", "/inputSchema/properties/name/maxLength", json!(attach::MAX_NAME_CHARS)),
            ("odoo_batch", "/inputSchema/properties/operations/maxItems", json!(batch::MAX_OPERATIONS)),
            (
                "odoo_batch",
                "/inputSchema/properties/operations/items/properties/action/enum",
                json!(batch::ACTIONS.map(|(action, _)| action)),
            ),
        ];
        for (name, pointer, want) in limits {
            assert_eq!(at(name, pointer), want, "{name} {pointer}");
        }
        let cut = format!("Values longer than {} characters", budget::MAX_VALUE_CHARS);
        for t in definitions() {
            if let Some(d) = t.value().pointer("/outputSchema/properties/truncated_values/description") {
                assert!(d.as_str().unwrap().starts_with(&cut), "{}", t.name);
            }
        }
    }
}
