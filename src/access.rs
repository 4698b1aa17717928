//! What a key may do, as types: the operations, one model's permission row with its field policy, and a
//! key's scope, with their own small validation. `store` reads and writes them and `policy` decides with
//! them (`policy::permissions::Permissions::check`); they sit between, so that `store` need not know
//! `policy`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Operation {
    Read,
    Create,
    Update,
    Delete,
}

impl Operation {
    pub const ALL: [Operation; 4] = [Operation::Read, Operation::Create, Operation::Update, Operation::Delete];

    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Read => "read",
            Operation::Create => "create",
            Operation::Update => "update",
            Operation::Delete => "delete",
        }
    }

    /// The verb used in messages: "reading", "creating" …
    pub fn gerund(self) -> &'static str {
        match self {
            Operation::Read => "reading",
            Operation::Create => "creating",
            Operation::Update => "updating",
            Operation::Delete => "deleting",
        }
    }
}

/// One row of `model_permissions`, with the model's field policy (`field_policies`) if it has one.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ModelPermission {
    pub read: bool,
    pub create: bool,
    pub update: bool,
    pub delete: bool,
    pub sensitive_unlocked: bool,
    pub fields: Option<FieldPolicy>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldMode {
    /// Only the listed fields (and `id`) are visible.
    Allow,
    /// Every field but the listed ones is visible.
    Deny,
}

/// Which fields of a model a key may see, filter, order, group and write.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, expecting = "an object such as {\"mode\": \"allow\", \"fields\": [\"name\"]}, or null")]
pub struct FieldPolicy {
    pub mode: FieldMode,
    pub fields: Vec<String>,
}

impl FieldPolicy {
    pub const MAX_FIELDS: usize = 500;

    pub fn allows(&self, field: &str) -> bool {
        // `id` identifies a record; hiding it would break every read without protecting anything.
        field == "id"
            || match self.mode {
                FieldMode::Allow => self.fields.iter().any(|f| f == field),
                FieldMode::Deny => !self.fields.iter().any(|f| f == field),
            }
    }

    /// Checks names and size, and removes duplicates.
    pub fn validated(mut self) -> Result<FieldPolicy, String> {
        if self.fields.len() > Self::MAX_FIELDS {
            return Err(format!("at most {} fields may be listed", Self::MAX_FIELDS));
        }
        if let Some(bad) = self.fields.iter().find(|f| !crate::odoo::names::is_field_name(f)) {
            return Err(format!("'{}' is not a field name (e.g. email)", crate::text::truncate(bad, 60)));
        }
        self.fields.sort();
        self.fields.dedup();
        Ok(self)
    }
}

impl ModelPermission {
    pub fn allows(&self, op: Operation) -> bool {
        match op {
            Operation::Read => self.read,
            Operation::Create => self.create,
            Operation::Update => self.update,
            Operation::Delete => self.delete,
        }
    }
}

/// A key's narrowing of its connection's permissions (stored as JSON; absent members = no narrowing).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(
    deny_unknown_fields,
    expecting = "an object such as {\"models\": [\"res.partner\"], \"operations\": [\"read\"]}"
)]
pub struct Scope {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub models: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operations: Option<Vec<Operation>>,
}

impl Scope {
    /// Whether the scope leaves `op` on `model` in (absent members narrow nothing).
    pub fn allows(&self, model: &str, op: Operation) -> bool {
        self.models.as_ref().is_none_or(|m| m.iter().any(|x| x == model))
            && self.operations.as_ref().is_none_or(|o| o.contains(&op))
    }
}
