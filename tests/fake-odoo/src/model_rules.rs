//! Per-model behaviour of new and changed records: default values
//! (`default_get`), required fields, and constraints (recursive partner
//! hierarchy, contacts need a name) with Odoo's ValidationError texts.

use crate::dates;
use crate::errors::{Kind, OResult, OdooError};
use crate::out::Out;
use crate::store::{Env, Store};
use serde_json::{json, Value};

/// Default values of a new record.
pub fn defaults(store: &Store, env: &Env, model: &str) -> Vec<(&'static str, Value)> {
    let partner = store.user(env.uid).map(|u| u.partner_id).unwrap_or(0);
    // A new record belongs to the call's current company.
    let company = env.companies(store).first().copied().unwrap_or(1);
    let mut d: Vec<(&'static str, Value)> = match model {
        "res.partner" => vec![("type", json!("contact")), ("is_company", json!(false)), ("lang", json!("en_US"))],
        "crm.lead" => vec![
            ("type", json!("opportunity")),
            ("priority", json!("0")),
            ("probability", json!(10.0)),
            ("user_id", json!(env.uid)),
            ("team_id", json!(1)),
            ("company_id", json!(company)),
            ("stage_id", json!(1)),
        ],
        "sale.order" => vec![
            ("state", json!("draft")),
            ("date_order", json!(dates::now())),
            ("user_id", json!(env.uid)),
            ("team_id", json!(1)),
            ("company_id", json!(company)),
        ],
        "mail.message" => {
            vec![("date", json!(dates::now())), ("message_type", json!("notification")), ("author_id", json!(partner))]
        }
        _ => Vec::new(),
    };
    // Odoo 19's accounting adds this required selection to partners, defaulting to "ask".
    if model == "res.partner" && store.model(model).and_then(|m| m.field("autopost_bills")).is_some() {
        d.push(("autopost_bills", json!("ask")));
    }
    if store.model(model).and_then(|m| m.field("active")).is_some() {
        d.push(("active", json!(true)));
    }
    d
}

/// `default_get`: defaults for the requested fields.
pub fn default_get(store: &Store, env: &Env, model: &str, fields: &[String]) -> Out {
    let d = defaults(store, env, model);
    Out::Obj(
        fields
            .iter()
            .filter_map(|f| d.iter().find(|(k, _)| k == f).map(|(k, v)| (k.to_string(), Out::V(v.clone()))))
            .collect(),
    )
}

pub fn check_required(store: &Store, env: &Env, model: &str, id: i64) -> OResult<()> {
    let required: &[&str] = match model {
        "crm.lead" => &["name", "type"],
        "sale.order" => &["partner_id"],
        "ir.config_parameter" => &["key"],
        "res.users" => &["login"],
        _ => &[],
    };
    let desc = store.model(model).map(|m| m.description.clone()).unwrap_or_default();
    for field in required {
        if matches!(store.raw(env, model, id, field), Value::Bool(false) | Value::Null) {
            let label = store.model(model).and_then(|m| m.field(field)).map(|f| f.string.clone()).unwrap_or_default();
            return Err(OdooError::new(
                Kind::ValidationError,
                format!(
                    "The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n- Delete: another model requires the record being deleted. If possible, archive it instead.\n\nModel: {} ({})\nField: {} ({})",
                    desc, model, label, field
                ),
            ));
        }
    }
    Ok(())
}

pub fn check_constraints(store: &Store, model: &str, id: i64) -> OResult<()> {
    if model != "res.partner" {
        return Ok(());
    }
    let mut cur = id;
    for _ in 0..64 {
        match store.stored(model, cur, "parent_id").and_then(Value::as_i64) {
            Some(p) if p == id => {
                return Err(OdooError::new(Kind::ValidationError, "You cannot create recursive Partner hierarchies."))
            }
            Some(p) => cur = p,
            None => break,
        }
    }
    let name = store.stored(model, id, "name").and_then(Value::as_str).unwrap_or("");
    let kind = store.stored(model, id, "type").and_then(Value::as_str).unwrap_or("contact");
    if name.is_empty() && kind == "contact" {
        return Err(OdooError::new(Kind::ValidationError, "Contacts require a name"));
    }
    Ok(())
}
