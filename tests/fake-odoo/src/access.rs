//! Access control for the restricted user (demo2: "Sales / User: Own
//! Documents Only"): model ACLs, the "own documents" record rules on
//! `crm.lead`/`sale.order`, field `groups`, and the per-version error texts
//! and group names of the AccessErrors Odoo raises for each.

use crate::errors::{Kind, OResult, OdooError};
use crate::out::py_str;
use crate::schema::FieldDef;
use crate::store::{Env, Store};
use crate::OdooVersion;
use serde_json::Value;

/// An access-right operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Perm {
    Read,
    Write,
    Create,
    Unlink,
}

impl Perm {
    pub fn parse(s: &str) -> Option<Perm> {
        Some(match s {
            "read" => Perm::Read,
            "write" => Perm::Write,
            "create" => Perm::Create,
            "unlink" => Perm::Unlink,
            _ => return None,
        })
    }

    /// The operation as Odoo names it.
    pub fn name(self) -> &'static str {
        match self {
            Perm::Read => "read",
            Perm::Write => "write",
            Perm::Create => "create",
            Perm::Unlink => "unlink",
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Perm::Read => "access",
            Perm::Write => "modify",
            Perm::Create => "create",
            Perm::Unlink => "delete",
        }
    }
}

/// Groups the restricted user belongs to (Sales / User: Own Documents Only
/// and what it implies).
const RESTRICTED_GROUPS: &[&str] = &[
    "base.group_user",
    "base.group_partner_manager",
    "base.group_no_one",
    "sales_team.group_sale_salesman",
    "product.group_product_variant",
    "sale_management.group_sale_order_template",
    "mail.group_mail_template_editor",
];

#[derive(Clone, Copy)]
enum Group {
    Settings,
    AccessRights,
    SalesAdmin,
    ContactCreation,
}

fn group_label(g: Group, version: OdooVersion) -> &'static str {
    let v17 = !version.is_19();
    match g {
        Group::Settings if v17 => "Administration/Settings",
        Group::Settings => "Role / Administrator",
        Group::AccessRights if v17 => "Administration/Access Rights",
        Group::AccessRights => "Access Rights",
        Group::SalesAdmin if v17 => "Sales/Administrator",
        Group::SalesAdmin => "Sales / Administrator",
        // Not recorded: the label base.group_partner_manager has on each side.
        Group::ContactCreation if v17 => "Extra Rights/Contact Creation",
        Group::ContactCreation => "Contact Creation",
    }
}

/// The group a restricted user lacks for `perm` on `model`, if any.
fn denial(model: &str, perm: Perm) -> Option<Group> {
    match model {
        "ir.config_parameter" | "ir.cron" | "ir.rule" | "ir.model.access" | "ir.mail_server" => Some(Group::Settings),
        // A salesman may create and write contacts, not delete them (recorded:
        // demo2's `has_access(unlink)` on res.partner is false).
        "res.partner" if perm == Perm::Unlink => Some(Group::ContactCreation),
        "res.partner" | "crm.lead" | "sale.order" | "mail.message" | "mail.followers" | "mail.activity"
        | "sale.order.line" => None,
        // Every internal user may read, add and remove attachments; `attachments::check` then asks for
        // access to the record each belongs to.
        "ir.attachment" => None,
        _ if perm == Perm::Read => None,
        "res.users" | "res.groups" => Some(Group::AccessRights),
        "crm.stage" | "crm.team" | "crm.tag" | "crm.lost.reason" => Some(Group::SalesAdmin),
        _ => Some(Group::Settings),
    }
}

/// Whether the caller has the model-level right.
pub fn has_model(env: &Env, model: &str, perm: Perm) -> bool {
    !env.restricted || denial(model, perm).is_none()
}

/// Raises the ACL AccessError when the caller lacks the model-level right.
pub fn check_model(store: &Store, env: &Env, model: &str, perm: Perm) -> OResult<()> {
    let Some(group) = (if env.restricted { denial(model, perm) } else { None }) else {
        return Ok(());
    };
    let desc = store.model(model).map(|m| m.description.clone()).unwrap_or_default();
    let msg = format!(
        "You are not allowed to {} '{}' ({}) records.\n\nThis operation is allowed for the following groups:\n\t- {}\n\nContact your administrator to request access if necessary.",
        perm.verb(),
        desc,
        model,
        group_label(group, env.version)
    );
    Err(OdooError::new(Kind::AccessError, msg))
}

/// Models with an "own documents" rule ("Personal Leads", "Personal Orders").
fn has_own_documents_rule(model: &str) -> bool {
    matches!(model, "crm.lead" | "sale.order")
}

/// Whether record rules let the caller see/change a record.
pub fn rule_allows(store: &Store, env: &Env, model: &str, id: i64) -> bool {
    if model == crate::attachments::MODEL {
        return crate::attachments::visible(store, env, id);
    }
    // Multi-company rules: a record of a company outside the call's companies is not there.
    if let Some(company) = store.stored(model, id, "company_id").and_then(Value::as_i64) {
        if model != "res.users" && model != "res.company" && !env.companies(store).contains(&company) {
            return false;
        }
    }
    if !env.restricted || !has_own_documents_rule(model) {
        return true;
    }
    match store.stored(model, id, "user_id").and_then(Value::as_i64) {
        Some(user) => user == env.uid,
        None => true,
    }
}

/// Raises the record-rule AccessError for records the caller may not touch,
/// in the words real Odoo uses for a user without debug rights (demo2's, as
/// recorded): 16 names the model, 17-19 the user, the operation and the model.
pub fn check_rules(store: &Store, env: &Env, model: &str, ids: &[i64], perm: Perm) -> OResult<()> {
    if model == crate::attachments::MODEL {
        return crate::attachments::check(store, env, ids, perm);
    }
    let denied = ids.iter().any(|id| store.exists(model, *id) && !rule_allows(store, env, model, *id));
    if !denied {
        return Ok(());
    }
    let desc = store.model(model).map(|m| m.description.clone()).unwrap_or_default();
    let msg = if env.version == OdooVersion::V16 {
        format!(
            "Due to security restrictions, you are not allowed to {} '{}' ({}) records.\n\nContact your administrator to request access if necessary.",
            perm.verb(),
            desc,
            model
        )
    } else {
        let user = store.user(env.uid).map(|u| u.name.clone()).unwrap_or_default();
        format!(
            "Uh-oh! Looks like you have stumbled upon some top-secret records.\n\nSorry, {} (id={}) doesn't have '{}' access to:\n- {} ({})\n\nIf you really, really need access, perhaps you can win over your friendly administrator with a batch of freshly baked cookies.",
            user,
            env.uid,
            perm.name(),
            desc,
            model
        )
    };
    Err(OdooError::new(Kind::AccessError, msg))
}

/// Whether the caller may see a field with `groups`.
pub fn field_allowed(env: &Env, def: &FieldDef) -> bool {
    let Some(groups) = def.groups.as_deref() else {
        return true;
    };
    if !env.restricted {
        return true;
    }
    let mut any_positive = false;
    for g in groups.split(',').map(str::trim) {
        if let Some(neg) = g.strip_prefix('!') {
            if RESTRICTED_GROUPS.contains(&neg) {
                return false;
            }
        } else {
            any_positive = true;
            if RESTRICTED_GROUPS.contains(&g) {
                return true;
            }
        }
    }
    !any_positive
}

fn group_display(xmlid: &str, version: OdooVersion) -> String {
    let v17 = !version.is_19();
    let name = match xmlid {
        "base.group_erp_manager" if v17 => "Administration / Access Rights",
        "base.group_erp_manager" => "Access Rights",
        "base.group_system" if v17 => "Administration / Settings",
        "base.group_system" => "Role / Administrator",
        "account.group_account_invoice" if v17 => "Invoicing / Billing",
        "account.group_account_invoice" => "Invoicing",
        "account.group_account_readonly" if v17 => "Technical / Show Accounting Features - Readonly",
        "account.group_account_readonly" => "Show Accounting Features - Readonly",
        "sales_team.group_sale_salesman" => "Sales / User: Own Documents Only",
        "base.group_user" if v17 => "User types / Internal User",
        "base.group_user" => "Role / User",
        other => other,
    };
    name.to_string()
}

fn format_groups(groups: &str, version: OdooVersion) -> String {
    let names: Vec<String> = groups
        .split(',')
        .map(str::trim)
        .filter(|g| !g.starts_with('!') && !g.is_empty())
        .map(|g| py_str(&group_display(g, version)))
        .collect();
    format!("allowed for groups {}", names.join(", "))
}

/// The AccessError for explicitly used fields the caller may not access.
pub fn field_error(store: &Store, env: &Env, model: &str, fields: &[&FieldDef], op: &str) -> OdooError {
    let desc = store.model(model).map(|m| m.description.clone()).unwrap_or_default();
    let mut sorted: Vec<&&FieldDef> = fields.iter().collect();
    sorted.sort_by(|a, b| a.name.cmp(&b.name));
    let groups_of = |f: &FieldDef| format_groups(f.groups.as_deref().unwrap_or(""), env.version);
    let msg = match env.version {
        OdooVersion::V16 | OdooVersion::V17 | OdooVersion::V18 => {
            let list: Vec<String> = sorted.iter().map(|f| format!("- {} ({})", f.name, groups_of(f))).collect();
            format!(
                "The requested operation can not be completed due to security restrictions.\n\nDocument type: {} ({})\nOperation: {}\nUser: {}\nFields:\n{}",
                desc,
                model,
                op,
                env.uid,
                list.join("\n")
            )
        }
        OdooVersion::V19 => {
            let first = sorted.first().map(|f| (f.name.clone(), groups_of(f))).unwrap_or_default();
            format!(
                "You do not have enough rights to access the field \"{}\" on {} ({}). Please contact your system administrator.\n\nOperation: {}\nUser: {}\nGroups: {}",
                first.0, desc, model, op, env.uid, first.1
            )
        }
    };
    OdooError::new(Kind::AccessError, msg)
}
