//! Model permission decisions: what an administrator enabled on a connection, narrowed by a key's scope,
//! with sensitive models blocked unless explicitly unlocked. Default: nothing is allowed. The types they
//! decide over (operations, model permissions, field policies, scopes) are `access`'s.

use std::collections::BTreeMap;

use crate::access::{FieldPolicy, ModelPermission, Operation, Scope};

// Odoo's naming rules live in `odoo::names`; re-exported for callers that still name them here.

/// Why a model operation is refused; each says what to ask the administrator for.
#[derive(Debug, Clone, PartialEq)]
pub enum Denial {
    NotEnabled {
        model: String,
        op: Operation,
    },
    OutOfScope {
        model: String,
        op: Operation,
    },
    Sensitive {
        model: String,
        reason: &'static str,
    },
    /// The model's field policy hides this field: by name, or because it is computed from a field it
    /// hides (`derived_from`).
    FieldHidden {
        model: String,
        field: String,
        derived_from: Option<String>,
    },
    /// The method can never be an action (private, not a method name, or one of `access::DENIED_ACTIONS`).
    ActionRefused {
        model: String,
        problem: String,
    },
    /// The method is not among the model's allowed actions.
    ActionNotAllowed {
        model: String,
        action: String,
        allowed: Vec<String>,
    },
    /// The key's scope lists actions, and not this one.
    ActionOutOfScope {
        model: String,
        action: String,
    },
}

impl std::fmt::Display for Denial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Denial::NotEnabled { model, op } => write!(
                f,
                "Model '{model}' is not enabled for {} on this connection. Ask your Odoo MCP administrator \
                 to enable '{}' on '{model}' if you need it.",
                op.gerund(),
                op.as_str()
            ),
            Denial::OutOfScope { model, op } => write!(
                f,
                "This key's scope does not include {} '{model}'. Ask your Odoo MCP administrator for a key \
                 whose scope includes '{}' on '{model}'.",
                op.gerund(),
                op.as_str()
            ),
            Denial::Sensitive { model, reason } => write!(
                f,
                "Model '{model}' is blocked because it is sensitive ({reason}). It stays blocked even when \
                 enabled; only an explicit unlock by your Odoo MCP administrator lifts this."
            ),
            Denial::FieldHidden { model, field, derived_from: None } => write!(
                f,
                "Field '{field}' of '{model}' is not available to this key: the administrator's field policy \
                 hides it. Leave it out, or ask your Odoo MCP administrator to allow it."
            ),
            Denial::FieldHidden { model, field, derived_from: Some(source) } => write!(
                f,
                "Field '{field}' of '{model}' is not available to this key: Odoo computes it from '{source}', \
                 which the administrator's field policy hides. Leave it out, or ask your Odoo MCP administrator \
                 to allow both."
            ),
            Denial::ActionRefused { model, problem } => {
                write!(f, "Refused on '{model}': {problem}. Nothing was sent to Odoo.")
            }
            Denial::ActionNotAllowed { model, action, allowed } => {
                let listed = if allowed.is_empty() { "none".to_string() } else { allowed.join(", ") };
                write!(
                    f,
                    "Action '{action}' is not allowed on '{model}' on this connection (allowed: {listed}). Ask your \
                     Odoo MCP administrator to allow '{action}' on '{model}' if you need it."
                )
            }
            Denial::ActionOutOfScope { model, action } => write!(
                f,
                "This key's scope does not include the action '{action}' (on '{model}'). Ask your Odoo MCP \
                 administrator for a key whose scope includes it."
            ),
        }
    }
}

/// The permissions in force for one request: the connection's model rows and the key's scope.
#[derive(Debug, Clone, Default)]
pub struct Permissions {
    pub models: BTreeMap<String, ModelPermission>,
    pub scope: Scope,
}

impl Permissions {
    pub fn check(&self, model: &str, op: Operation) -> Result<(), Denial> {
        let row = self.models.get(model);
        if let Some(reason) = sensitive_reason(model) {
            if !row.is_some_and(|r| r.sensitive_unlocked) {
                return Err(Denial::Sensitive { model: model.to_string(), reason });
            }
        }
        if !row.is_some_and(|r| r.allows(op)) {
            return Err(Denial::NotEnabled { model: model.to_string(), op });
        }
        if !self.scope.allows(model, op) {
            return Err(Denial::OutOfScope { model: model.to_string(), op });
        }
        Ok(())
    }

    /// Whether this key may call the button method `action` on `model`: a method that can be an action at
    /// all (`access::action_problem`, checked again here so that a row written before a rule changed
    /// cannot call it), the model usable for `Operation::Action` (sensitive, enabled, scope), the method in
    /// the model's allowed `actions`, and in the scope's `actions` when it lists some.
    pub fn check_action(&self, model: &str, action: &str) -> Result<(), Denial> {
        if let Some(problem) = crate::access::action_problem(action) {
            return Err(Denial::ActionRefused { model: model.to_string(), problem });
        }
        self.check(model, Operation::Action)?;
        let listed = self.models.get(model).map(|r| r.actions.as_slice()).unwrap_or_default();
        if !listed.iter().any(|a| a == action) {
            return Err(Denial::ActionNotAllowed {
                model: model.to_string(),
                action: action.to_string(),
                allowed: self.actions_on(model).into_iter().map(str::to_string).collect(),
            });
        }
        if !self.scope.allows_action(action) {
            return Err(Denial::ActionOutOfScope { model: model.to_string(), action: action.to_string() });
        }
        Ok(())
    }

    /// The button methods this key may call on `model` (none when the model is not usable for actions).
    pub fn actions_on(&self, model: &str) -> Vec<&str> {
        if self.check(model, Operation::Action).is_err() {
            return Vec::new();
        }
        self.models.get(model).map_or_else(Vec::new, |row| {
            row.actions
                .iter()
                .map(String::as_str)
                .filter(|a| crate::access::action_problem(a).is_none() && self.scope.allows_action(a))
                .collect()
        })
    }

    /// The model's field policy, if it has one.
    pub fn field_policy(&self, model: &str) -> Option<&FieldPolicy> {
        self.models.get(model).and_then(|p| p.fields.as_ref())
    }

    /// Whether the field policy lets this key see `field` of `model` (no policy: every field).
    pub fn field_allowed(&self, model: &str, field: &str) -> bool {
        self.field_policy(model).is_none_or(|p| p.allows(field))
    }

    /// Models usable for `op` with this key, sorted.
    pub fn models_allowing(&self, op: Operation) -> Vec<&str> {
        self.models.keys().filter(|m| self.check(m, op).is_ok()).map(String::as_str).collect()
    }

    /// The operations this key may perform on `model` (`action` only while some action is left to it).
    pub fn operations_on(&self, model: &str) -> Vec<Operation> {
        Operation::ALL
            .into_iter()
            .filter(|op| self.check(model, *op).is_ok())
            .filter(|op| *op != Operation::Action || !self.actions_on(model).is_empty())
            .collect()
    }
}

/// Models that can leak secrets, grant rights or run code. Blocked even when enabled, unless unlocked.
pub fn sensitive_reason(model: &str) -> Option<&'static str> {
    const EXACT: &[(&str, &str)] = &[
        ("res.groups", "access groups grant rights"),
        ("res.company.ldap", "directory credentials"),
        ("base.automation", "automation rules run code"),
        ("fetchmail.server", "mail server credentials"),
        ("payment.provider", "payment provider credentials"),
        ("auth.oauth.provider", "sign-in provider configuration"),
        ("bus.bus", "internal message bus"),
        ("mail.mail", "outgoing e-mails with their full contents"),
    ];
    const PREFIXES: &[(&str, &str)] = &[
        ("ir.", "technical configuration: parameters, scheduled actions, server actions, access rules"),
        ("res.users", "user accounts, passwords and API keys"),
        ("res.groups.", "access groups grant rights"),
        ("base.automation.", "automation rules run code"),
        ("res.config", "settings"),
        ("auth_totp", "two-factor secrets"),
        ("res.device", "login devices and sessions"),
        ("iap.", "in-app purchase accounts"),
        ("base.module.", "module installation"),
        ("base.language.", "system language installation"),
    ];
    if let Some((_, r)) = EXACT.iter().find(|(m, _)| *m == model) {
        return Some(r);
    }
    if let Some((_, r)) = PREFIXES.iter().find(|(p, _)| model.starts_with(p)) {
        return Some(r);
    }
    if model.ends_with(".apikeys") || model.contains(".apikeys.") {
        return Some("API keys");
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::FieldMode;

    fn perms(rows: &[(&str, ModelPermission)], scope: Scope) -> Permissions {
        Permissions { models: rows.iter().map(|(m, p)| (m.to_string(), p.clone())).collect(), scope }
    }

    fn read_only() -> ModelPermission {
        ModelPermission { read: true, ..Default::default() }
    }

    #[test]
    fn default_deny() {
        let p = perms(&[], Scope::default());
        assert_eq!(
            p.check("res.partner", Operation::Read),
            Err(Denial::NotEnabled { model: "res.partner".into(), op: Operation::Read })
        );
        let p = perms(&[("res.partner", read_only())], Scope::default());
        assert!(p.check("res.partner", Operation::Read).is_ok());
        assert!(p.check("res.partner", Operation::Update).is_err());
    }

    #[test]
    fn sensitive_models_stay_blocked_unless_unlocked() {
        for m in [
            "res.users",
            "res.users.apikeys",
            "ir.config_parameter",
            "ir.cron",
            "ir.actions.server",
            "res.groups",
            "base.automation",
        ] {
            let p = perms(&[(m, ModelPermission { read: true, update: true, ..Default::default() })], Scope::default());
            assert!(matches!(p.check(m, Operation::Read), Err(Denial::Sensitive { .. })), "{m}");
        }
        let unlocked = ModelPermission { read: true, sensitive_unlocked: true, ..Default::default() };
        let p = perms(&[("res.users", unlocked)], Scope::default());
        assert!(p.check("res.users", Operation::Read).is_ok());
        assert!(sensitive_reason("res.partner").is_none());
        assert!(sensitive_reason("crm.lead").is_none());
    }

    #[test]
    fn scope_narrows_never_widens() {
        let rows = [
            ("res.partner", ModelPermission { read: true, update: true, ..Default::default() }),
            ("crm.lead", read_only()),
        ];
        let scope = Scope {
            models: Some(vec!["res.partner".into(), "sale.order".into()]),
            operations: Some(vec![Operation::Read]),
            actions: None,
        };
        let p = perms(&rows, scope);
        assert!(p.check("res.partner", Operation::Read).is_ok());
        assert!(matches!(p.check("res.partner", Operation::Update), Err(Denial::OutOfScope { .. })));
        assert!(matches!(p.check("crm.lead", Operation::Read), Err(Denial::OutOfScope { .. })));
        assert!(matches!(p.check("sale.order", Operation::Read), Err(Denial::NotEnabled { .. })));
        assert_eq!(p.models_allowing(Operation::Read), vec!["res.partner"]);
    }

    #[test]
    fn denial_messages_say_what_to_ask_for() {
        let msg = Denial::NotEnabled { model: "sale.order".into(), op: Operation::Read }.to_string();
        assert!(msg.contains("sale.order") && msg.contains("administrator"));
    }

    #[test]
    fn field_policies_allow_or_deny_and_always_keep_id() {
        let deny = FieldPolicy { mode: FieldMode::Deny, fields: vec!["email".into(), "phone".into()] };
        assert!(!deny.allows("email") && deny.allows("name") && deny.allows("id"));
        let allow = FieldPolicy { mode: FieldMode::Allow, fields: vec!["name".into()] };
        assert!(allow.allows("name") && allow.allows("id") && !allow.allows("email"));
        let p = perms(
            &[("res.partner", ModelPermission { read: true, fields: Some(deny), ..Default::default() })],
            Scope::default(),
        );
        assert!(!p.field_allowed("res.partner", "email"));
        assert!(p.field_allowed("crm.lead", "email"), "no policy: every field");
        let dup = FieldPolicy { mode: FieldMode::Deny, fields: vec!["b".into(), "a".into(), "b".into()] }
            .validated()
            .unwrap();
        assert_eq!(dup.fields, vec!["a", "b"]);
        assert!(FieldPolicy { mode: FieldMode::Deny, fields: vec!["Email; drop".into()] }.validated().is_err());
    }

    fn with_actions(actions: &[&str]) -> ModelPermission {
        ModelPermission { read: true, actions: actions.iter().map(|a| a.to_string()).collect(), ..Default::default() }
    }

    #[test]
    fn actions_are_default_deny_and_checked_by_name() {
        let p = perms(&[("sale.order", read_only())], Scope::default());
        assert!(matches!(p.check_action("sale.order", "action_confirm"), Err(Denial::NotEnabled { .. })));
        let p = perms(&[("sale.order", with_actions(&["action_confirm"]))], Scope::default());
        assert!(p.check_action("sale.order", "action_confirm").is_ok());
        assert!(matches!(p.check_action("sale.order", "action_cancel"), Err(Denial::ActionNotAllowed { .. })));
        assert!(matches!(p.check_action("crm.lead", "action_confirm"), Err(Denial::NotEnabled { .. })));
        for bad in ["_action_confirm", "unlink", "write", "sudo", "Action_Confirm", "action confirm", ""] {
            assert!(matches!(p.check_action("sale.order", bad), Err(Denial::ActionRefused { .. })), "{bad}");
        }
        assert_eq!(p.operations_on("sale.order"), vec![Operation::Read, Operation::Action]);
    }

    #[test]
    fn a_denied_name_stored_earlier_is_still_refused() {
        let p = perms(&[("sale.order", with_actions(&["unlink", "action_confirm"]))], Scope::default());
        assert!(matches!(p.check_action("sale.order", "unlink"), Err(Denial::ActionRefused { .. })));
        assert_eq!(p.actions_on("sale.order"), vec!["action_confirm"]);
    }

    #[test]
    fn sensitive_models_refuse_actions_and_scopes_narrow_them() {
        let p = perms(&[("res.users", with_actions(&["action_reset_password"]))], Scope::default());
        assert!(matches!(p.check_action("res.users", "action_reset_password"), Err(Denial::Sensitive { .. })));
        let rows = [("sale.order", with_actions(&["action_cancel", "action_confirm"]))];
        let scope = Scope { actions: Some(vec!["action_confirm".into()]), ..Scope::default() };
        let p = perms(&rows, scope);
        assert!(p.check_action("sale.order", "action_confirm").is_ok());
        assert!(matches!(p.check_action("sale.order", "action_cancel"), Err(Denial::ActionOutOfScope { .. })));
        assert_eq!(p.actions_on("sale.order"), vec!["action_confirm"]);
        let scope = Scope { operations: Some(vec![Operation::Read]), ..Scope::default() };
        let p = perms(&rows, scope);
        assert!(matches!(p.check_action("sale.order", "action_confirm"), Err(Denial::OutOfScope { .. })));
        assert!(p.actions_on("sale.order").is_empty());
    }
}
