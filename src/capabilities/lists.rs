//! The three lists a key sees (`tools/list`, `prompts/list`, `resources/list`) as they depend on its
//! permissions, in one value that can be compared: a watch (`transport::listen`) tells a client which
//! of them changed after an administrator changed the key's scope or a model's permissions.

use crate::policy::permissions::Permissions;
use serde_json::Value;

/// What each list holds for some permissions.
#[derive(Debug, Clone, PartialEq)]
pub struct Lists {
    pub tools: Vec<Value>,
    pub prompts: Vec<Value>,
    pub resources: Vec<Value>,
}

impl Lists {
    pub fn of(perms: &Permissions) -> Lists {
        Lists {
            tools: super::tools::items(perms),
            prompts: super::prompts::items(perms),
            resources: super::resources::items(perms),
        }
    }

    /// The `notifications/*/list_changed` methods for the lists that differ from `before`.
    pub fn changed_since(&self, before: &Lists) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.tools != before.tools {
            out.push("notifications/tools/list_changed");
        }
        if self.prompts != before.prompts {
            out.push("notifications/prompts/list_changed");
        }
        if self.resources != before.resources {
            out.push("notifications/resources/list_changed");
        }
        out
    }
}
