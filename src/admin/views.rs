//! How a model's permission reads in the admin API: the permission endpoints and the Odoo model browser
//! both answer with it, so it lives apart from either.

use crate::access::{ModelPermission, KNOWN_ACTIONS};
use crate::json;
use crate::policy::permissions::sensitive_reason;
use serde_json::Value;

/// A model's permission with its field policy and actions (and the usual actions of the model, when it
/// has known ones), and when the model is sensitive why, and whether it is blocked.
pub fn permission_json(model: &str, p: &ModelPermission) -> Value {
    let mut v = json!({"model": model, "read": p.read, "create": p.create, "update": p.update, "delete": p.delete, "unlock_sensitive": p.sensitive_unlocked, "fields": p.fields, "actions": p.actions});
    let known: Vec<Value> = KNOWN_ACTIONS
        .iter()
        .filter(|(m, _, _)| *m == model)
        .map(|(_, name, description)| json!({"name": name, "description": description}))
        .collect();
    if !known.is_empty() {
        // The usual button methods of this model, which the console offers.
        v["known_actions"] = json!(known);
    }
    if let Some(reason) = sensitive_reason(model) {
        v["sensitive"] = json!(reason);
        if !p.sensitive_unlocked {
            v["blocked"] = json!(format!(
                "sensitive model ({reason}): refused to MCP clients unless unlocked with \"unlock_sensitive\": true"
            ));
        }
    }
    v
}
