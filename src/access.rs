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
    /// Calling one of a model's button methods (`action_confirm` …) that the administrator listed in the
    /// model's `actions`: the operation is allowed when at least one is, and each method is checked by
    /// name (`policy::permissions::Permissions::check_action`).
    Action,
}

impl Operation {
    pub const ALL: [Operation; 5] =
        [Operation::Read, Operation::Create, Operation::Update, Operation::Delete, Operation::Action];

    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Read => "read",
            Operation::Create => "create",
            Operation::Update => "update",
            Operation::Delete => "delete",
            Operation::Action => "action",
        }
    }

    /// The verb used in messages: "reading", "creating" …
    pub fn gerund(self) -> &'static str {
        match self {
            Operation::Read => "reading",
            Operation::Create => "creating",
            Operation::Update => "updating",
            Operation::Delete => "deleting",
            Operation::Action => "running actions on",
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
    /// The button methods a key may call on the model (`model_actions`), sorted; none by default.
    pub actions: Vec<String>,
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
        self.fields = crate::text::sorted_unique(self.fields);
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
            Operation::Action => !self.actions.is_empty(),
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
    /// The button methods the key may call, on whichever models allow them (absent: every allowed one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actions: Option<Vec<String>>,
}

impl Scope {
    /// Whether the scope leaves `op` on `model` in (absent members narrow nothing).
    pub fn allows(&self, model: &str, op: Operation) -> bool {
        self.models.as_ref().is_none_or(|m| m.iter().any(|x| x == model))
            && self.operations.as_ref().is_none_or(|o| o.contains(&op))
    }

    /// Whether the scope leaves the button method `action` in (absent `actions` narrows nothing).
    pub fn allows_action(&self, action: &str) -> bool {
        self.actions.as_ref().is_none_or(|a| a.iter().any(|x| x == action))
    }
}

/// Which of a key's operations run only once its person approved them, each time (a batch containing
/// one too): deleting records and calling button methods can be undone only by hand, if at all. Stored
/// as a JSON list of names (`["delete", "action"]`); none is the default, every operation runs directly.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Approval {
    pub delete: bool,
    pub action: bool,
}

impl Approval {
    /// The operations an approval can be required for.
    pub const OPERATIONS: [Operation; 2] = [Operation::Delete, Operation::Action];

    pub fn requires(self, op: Operation) -> bool {
        match op {
            Operation::Delete => self.delete,
            Operation::Action => self.action,
            _ => false,
        }
    }

    pub fn is_none(self) -> bool {
        !self.delete && !self.action
    }

    /// From operation names; an operation no approval can be required for is refused (with its name).
    pub fn from_names<S: AsRef<str>>(names: &[S]) -> Result<Approval, String> {
        let mut a = Approval::default();
        for name in names {
            match name.as_ref() {
                "delete" => a.delete = true,
                "action" => a.action = true,
                other => return Err(crate::text::truncate(other, 40).to_string()),
            }
        }
        Ok(a)
    }

    /// As stored. A stored value that cannot be read asks for every approval: never fewer than meant.
    pub fn from_stored(json: Option<&str>) -> Approval {
        match json.map(crate::json::from_str::<Vec<String>>) {
            None => Approval::default(),
            Some(Ok(names)) => Approval::from_names(&names).unwrap_or(Approval { delete: true, action: true }),
            Some(Err(_)) => Approval { delete: true, action: true },
        }
    }

    pub fn names(self) -> Vec<&'static str> {
        Approval::OPERATIONS.into_iter().filter(|op| self.requires(*op)).map(Operation::as_str).collect()
    }
}

impl Serialize for Approval {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.names().serialize(s)
    }
}

/// Methods that are never callable as actions, whatever an administrator lists: the ORM's own reads and
/// writes (which the other tools do with their checks: field policies, value checks, read-back), switches
/// of the environment (user, company, context, superuser), Odoo's access checks, cache and flush
/// internals, imports and exports, and the chatter's own methods (`odoo_chatter_post` posts). A button
/// method is a model's own public `action_*` / `button_*` method; `toggle_active`, `action_archive` and
/// `action_unarchive` stay possible (they are buttons on every form that has `active`).
#[rustfmt::skip]
pub const DENIED_ACTIONS: &[&str] = &[
    // records: create, read, write, delete, copy
    "create", "write", "unlink", "copy", "copy_data", "copy_multi", "read", "browse", "exists", "load",
    "export_data", "name_create", "web_save", "web_read", "web_search_read", "web_read_group", "name_get",
    // search
    "search", "search_read", "search_count", "search_fetch", "read_group", "formatted_read_group",
    "name_search", "fields_get", "default_get", "onchange", "get_views", "fields_view_get", "load_views",
    "get_metadata", "get_external_id", "get_xml_id", "get_formview_id", "get_formview_action",
    // environment, identity, access
    "sudo", "with_user", "with_context", "with_company", "with_env", "with_prefetch", "ensure_one",
    "check_access", "check_access_rights", "check_access_rule", "has_access", "check_field_access_rights",
    "check_company", "user_has_groups", "has_group",
    // cache and database internals
    "invalidate_cache", "invalidate_model", "invalidate_recordset", "flush", "flush_model", "flush_recordset",
    "modified", "recompute", "init", "clear_caches", "unlink_orphans",
    // chatter and followers (odoo_chatter_post has its own checks)
    "message_post", "message_notify", "message_subscribe", "message_unsubscribe", "message_post_with_source",
    "message_post_with_template", "message_update", "message_new", "message_route", "message_process",
    "message_main_attachment_id",
    // configuration and execution of code
    "execute", "execute_kw", "run", "method_direct_trigger", "button_immediate_install",
    "button_immediate_upgrade", "button_immediate_uninstall", "button_install", "button_upgrade",
    "button_uninstall",
];

/// Why `name` may not be a model's action, or `None` when it may: a public method name (lowercase
/// letters, digits and `_`, not starting with `_` or a digit, at most 64 characters) outside
/// `DENIED_ACTIONS`. Checked when an administrator saves it and again on every call.
pub fn action_problem(name: &str) -> Option<String> {
    let shown = crate::text::truncate(name, 60);
    if name.starts_with('_') {
        return Some(format!(
            "'{shown}' is a private method (it starts with '_'): Odoo never lets it be called remotely"
        ));
    }
    let shaped = !name.is_empty()
        && name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !shaped {
        return Some(format!(
            "'{shown}' is not a method name (lowercase letters, digits and '_', e.g. action_confirm)"
        ));
    }
    if DENIED_ACTIONS.contains(&name) {
        return Some(format!(
            "'{shown}' is not a button method: it reads, writes or changes access outside the tools' own checks, \
             so it is never allowed as an action"
        ));
    }
    None
}

/// A list of actions checked (`action_problem`), sorted, without duplicates; at most `MAX_ACTIONS`.
pub fn validated_actions(actions: Vec<String>) -> Result<Vec<String>, String> {
    if actions.len() > MAX_ACTIONS {
        return Err(format!("at most {MAX_ACTIONS} actions may be listed"));
    }
    if let Some(problem) = actions.iter().find_map(|a| action_problem(a)) {
        return Err(problem);
    }
    Ok(crate::text::sorted_unique(actions))
}

pub const MAX_ACTIONS: usize = 50;

/// Button methods of common models, each with what it does in one line: the console offers them for the
/// installed models, and `odoo_describe_model` describes an allowed one with its line.
#[rustfmt::skip]
pub const KNOWN_ACTIONS: &[(&str, &str, &str)] = &[
    ("sale.order", "action_confirm", "Confirm the quotation: it becomes a sales order"),
    ("sale.order", "action_cancel", "Cancel the order (Odoo 16 to 18 answer with a cancellation wizard for a sent or confirmed order)"),
    ("sale.order", "action_quotation_send", "Prepare the quotation e-mail (Odoo answers with the e-mail wizard; nothing is sent)"),
    ("sale.order", "action_draft", "Set a cancelled order back to quotation"),
    ("account.move", "action_post", "Post the draft invoice, bill or entry"),
    ("account.move", "button_draft", "Reset a posted or cancelled entry to draft"),
    ("account.move", "button_cancel", "Cancel a draft entry"),
    ("crm.lead", "action_set_won_rainbowman", "Mark the opportunity won (Odoo answers with its congratulation)"),
    ("crm.lead", "action_set_won", "Mark the opportunity won"),
    ("crm.lead", "action_set_lost", "Mark the lead lost (it is archived)"),
    ("stock.picking", "button_validate", "Validate the transfer (Odoo may answer with a backorder or immediate-transfer wizard)"),
    ("stock.picking", "action_assign", "Check availability and reserve the products"),
    ("stock.picking", "action_cancel", "Cancel the transfer"),
    ("purchase.order", "button_confirm", "Confirm the request for quotation as a purchase order"),
    ("purchase.order", "button_cancel", "Cancel the purchase order"),
    ("purchase.order", "button_draft", "Set a cancelled purchase order back to draft"),
    ("project.task", "action_assign_to_me", "Assign the task to the key's Odoo user"),
    ("hr.leave", "action_approve", "Approve the time-off request"),
    ("hr.leave", "action_refuse", "Refuse the time-off request"),
    ("hr.leave", "action_validate", "Give the second approval, where the time-off type needs two"),
];

/// The one-line description of a known button method of `model`.
pub fn known_action(model: &str, action: &str) -> Option<&'static str> {
    KNOWN_ACTIONS.iter().find(|(m, a, _)| *m == model && *a == action).map(|(_, _, d)| *d)
}

#[cfg(test)]
mod tests {
    use super::Operation;

    /// `admin::keys` lists a scope's operations in `Operation::ALL`'s order, taken as their sorted order.
    #[test]
    fn all_operations_are_in_their_order() {
        assert!(Operation::ALL.windows(2).all(|w| w[0] < w[1]));
    }
}
