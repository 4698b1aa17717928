//! A few real button methods with their real effects and answers, as the
//! probes recorded them on 16–19 (`tests/fixtures/odoo/*/probes/`):
//! `sale.order.action_confirm` (draft/sent → sale, `true`),
//! `sale.order.action_cancel` (`true` on 19; on 16–18 a sent or confirmed
//! order answers the `sale.order.cancel` wizard and stays as it is),
//! `sale.order.action_quotation_send` (the `mail.compose.message` wizard,
//! nothing changes), `crm.lead.action_set_won_rainbowman` (won stage,
//! probability 100, the rainbow man `effect`) and `crm.lead.action_set_lost`
//! (archived, probability 0, None). Like Odoo, each reads its records first
//! (so a record hidden by a rule is a `read` AccessError, as recorded for
//! demo2) and then writes them.

use crate::access::{self, Perm};
use crate::errors::{Kind, OResult, OdooError};
use crate::out::Out;
use crate::signature::Sig;
use crate::store::{Env, Store};
use crate::OdooVersion;
use serde_json::{json, Value};

const fn button(name: &'static str, qual: &'static str) -> Sig {
    Sig { name, qual, model_api: false, params: &[], var_kw: false, kw_only: false }
}

const SALE: &[Sig] = &[
    button("action_confirm", "SaleOrder.action_confirm"),
    button("action_cancel", "SaleOrder.action_cancel"),
    button("action_quotation_send", "SaleOrder.action_quotation_send"),
];

const LEAD: &[Sig] = &[
    button("action_set_won_rainbowman", "Lead.action_set_won_rainbowman"),
    button("action_set_lost", "Lead.action_set_lost"),
];

/// The signature of a button method of `model`, if the fake has it.
pub fn lookup(model: &str, method: &str) -> Option<&'static Sig> {
    let buttons = match model {
        "sale.order" => SALE,
        "crm.lead" => LEAD,
        _ => return None,
    };
    buttons.iter().find(|s| s.name == method)
}

/// Whether `method` is a button of `model` (so it changes data and is rolled back when it fails).
pub fn is_button(model: &str, method: &str) -> bool {
    lookup(model, method).is_some()
}

/// Runs the button `method` of `model` on `ids`.
pub fn run(store: &mut Store, env: &Env, model: &str, method: &str, ids: &[i64]) -> OResult<Out> {
    // `self.state` and the like are read first: a hidden record fails on 'read'.
    access::check_model(store, env, model, Perm::Read)?;
    access::check_rules(store, env, model, ids, Perm::Read)?;
    let missing: Vec<i64> = ids.iter().copied().filter(|i| !store.exists(model, *i)).collect();
    if !missing.is_empty() {
        return Err(crate::errors::missing_error(model, &missing, env.uid));
    }
    let v = |x: Value| Ok(Out::V(x));
    match (model, method) {
        ("sale.order", "action_confirm") => {
            let state_ok = ids.iter().all(|i| matches!(state(store, model, *i).as_deref(), Some("draft" | "sent")));
            if !state_ok {
                // Odoo's `_confirmation_error_message` (not recorded).
                return Err(OdooError::new(Kind::UserError, "Some orders are not in a state requiring confirmation."));
            }
            write(store, env, model, ids, &[("state", json!("sale"))])?;
            v(json!(true))
        }
        ("sale.order", "action_cancel") => {
            let warn = ids.iter().any(|i| matches!(state(store, model, *i).as_deref(), Some("sent" | "sale")));
            if warn && !env.version.is_19() {
                return v(cancel_wizard(env.version, ids[0]));
            }
            write(store, env, model, ids, &[("state", json!("cancel"))])?;
            v(json!(true))
        }
        ("sale.order", "action_quotation_send") => {
            access::check_rules(store, env, model, ids, Perm::Write)?;
            v(send_wizard(env.version, ids))
        }
        ("crm.lead", "action_set_won_rainbowman") => {
            let won = store
                .model("crm.stage")
                .and_then(|m| m.records.iter().find(|(_, r)| r.get("is_won") == Some(&json!(true))).map(|(id, _)| *id))
                .unwrap_or(4);
            write(store, env, model, ids, &[("stage_id", json!(won)), ("probability", json!(100.0))])?;
            let message = if env.version.is_19() {
                "Go, go, go! Congrats for your first deal."
            } else {
                "Boom! Team record for the past 30 days."
            };
            v(
                json!({"effect": {"fadeout": "slow", "message": message, "img_url": "/web/static/img/smile.svg", "type": "rainbow_man"}}),
            )
        }
        ("crm.lead", "action_set_lost") => {
            write(store, env, model, ids, &[("active", json!(false)), ("probability", json!(0.0))])?;
            v(Value::Null)
        }
        _ => Err(crate::errors::unknown_method(env.version, model, method, false)),
    }
}

fn state(store: &Store, model: &str, id: i64) -> Option<String> {
    store.stored(model, id, "state").and_then(Value::as_str).map(str::to_string)
}

/// Writes as the button does: write access on the records, then the values (readonly fields included,
/// as server code writes them).
fn write(store: &mut Store, env: &Env, model: &str, ids: &[i64], vals: &[(&str, Value)]) -> OResult<()> {
    access::check_model(store, env, model, Perm::Write)?;
    access::check_rules(store, env, model, ids, Perm::Write)?;
    for id in ids {
        if let Some(rec) = store.models.get_mut(model).and_then(|m| m.records.get_mut(id)) {
            for (field, value) in vals {
                rec.insert(field.to_string(), value.clone());
            }
            rec.insert("write_date".into(), json!(crate::dates::now()));
            rec.insert("write_uid".into(), json!(env.uid));
        }
    }
    Ok(())
}

/// The `sale.order.cancel` wizard 16–18 answer for a sent or confirmed order, as recorded.
fn cancel_wizard(version: OdooVersion, id: i64) -> Value {
    let layout = "mail.mail_notification_layout_with_responsible_signature";
    let (view_id, context) = match version {
        OdooVersion::V16 => (
            877,
            json!({"default_use_template": true, "default_template_id": 19, "default_order_id": id,
                   "mark_so_as_canceled": true, "default_email_layout_xmlid": layout, "model_description": "Sales Order"}),
        ),
        v => (
            if v == OdooVersion::V17 { 962 } else { 1020 },
            json!({"default_template_id": 19, "default_order_id": id, "mark_so_as_canceled": true,
                   "default_email_layout_xmlid": layout, "model_description": "Sales Order"}),
        ),
    };
    json!({"name": "Cancel Sales Order", "view_mode": "form", "res_model": "sale.order.cancel", "view_id": view_id,
           "type": "ir.actions.act_window", "context": context, "target": "new"})
}

/// The `mail.compose.message` wizard of `action_quotation_send`, as recorded on each version.
fn send_wizard(version: OdooVersion, ids: &[i64]) -> Value {
    let layout = "mail.mail_notification_layout_with_responsible_signature";
    let first = ids.first().copied().unwrap_or(0);
    let context = match version {
        OdooVersion::V16 => {
            json!({"default_model": "sale.order", "default_res_id": first, "default_use_template": true,
            "default_template_id": 17, "default_composition_mode": "comment", "mark_so_as_sent": true,
            "default_email_layout_xmlid": layout, "proforma": false, "force_email": true, "model_description": "Quotation"})
        }
        OdooVersion::V17 => json!({"default_model": "sale.order", "default_res_ids": ids, "default_template_id": 16,
            "default_composition_mode": "comment", "mark_so_as_sent": true, "default_email_layout_xmlid": layout,
            "proforma": false, "force_email": true, "model_description": "Quotation"}),
        OdooVersion::V18 => json!({"default_model": "sale.order", "default_res_ids": ids,
            "default_composition_mode": "comment", "default_email_layout_xmlid": layout,
            "email_notification_allow_footer": true, "proforma": false, "force_email": true,
            "model_description": "Quotation", "default_template_id": 16, "mark_so_as_sent": true}),
        OdooVersion::V19 => json!({"default_model": "sale.order", "default_res_ids": ids,
            "default_composition_mode": "comment", "default_email_layout_xmlid": layout,
            "email_notification_allow_footer": true, "hide_mail_template_management_options": true,
            "proforma": false, "force_email": true, "default_template_id": 22, "mark_so_as_sent": true}),
    };
    let mut wizard = json!({"type": "ir.actions.act_window", "view_mode": "form", "res_model": "mail.compose.message",
        "views": [[false, "form"]], "view_id": false, "target": "new", "context": context});
    if version.is_19() {
        wizard["name"] = json!("Send");
    }
    wizard
}
