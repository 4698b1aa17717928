//! What each field is computed from: the `depends` and `related` attributes
//! of `fields_get`, from the derivation probes recorded on real 16, 17, 18
//! and 19 (`tests/fixtures/odoo/<version>/probes/`): every field of
//! `res.partner`, and seven fields of `crm.lead` (`expected_revenue`,
//! `prorated_revenue`, `probability`, `email_from`, `email_normalized`,
//! `partner_name`, `phone_sanitized`).
//!
//! Odoo answers `depends` for every field whenever it is asked for (`[]` for a
//! plain stored field) and `related` only for related fields. A field no probe
//! recorded (the other `crm.lead` fields, `sale.order`, the compact schemas)
//! answers `depends: []`: the shape Odoo gives, though what such a field
//! really depends on was not recorded.

use crate::schema::{from_fixture, FieldDef};
use crate::OdooVersion;
use serde_json::json;
use std::collections::HashMap;

/// The derivation probe of a model on a version, if one was recorded.
fn probe(model: &str, version: OdooVersion) -> Option<&'static str> {
    use OdooVersion::*;
    Some(match (model, version) {
        ("res.partner", V16) => {
            include_str!(
                "../../fixtures/odoo/16/probes/jsonrpc_res.partner.fields_get_0pos_attributes__200_b26325.json"
            )
        }
        ("res.partner", V17) => {
            include_str!(
                "../../fixtures/odoo/17/probes/jsonrpc_res.partner.fields_get_0pos_attributes__200_b26325.json"
            )
        }
        ("res.partner", V18) => {
            include_str!(
                "../../fixtures/odoo/18/probes/jsonrpc_res.partner.fields_get_0pos_attributes__200_b26325.json"
            )
        }
        ("res.partner", V19) => {
            include_str!("../../fixtures/odoo/19/probes/json2_res.partner.fields_get_attributes__200_2c1817.json")
        }
        ("crm.lead", V16) => include_str!(
            "../../fixtures/odoo/16/probes/jsonrpc_crm.lead.fields_get_0pos_allfields_attributes__200_e4619e.json"
        ),
        ("crm.lead", V17) => include_str!(
            "../../fixtures/odoo/17/probes/jsonrpc_crm.lead.fields_get_0pos_allfields_attributes__200_e4619e.json"
        ),
        ("crm.lead", V18) => include_str!(
            "../../fixtures/odoo/18/probes/jsonrpc_crm.lead.fields_get_0pos_allfields_attributes__200_e4619e.json"
        ),
        ("crm.lead", V19) => include_str!(
            "../../fixtures/odoo/19/probes/json2_crm.lead.fields_get_allfields_attributes__200_63bca3.json"
        ),
        _ => return None,
    })
}

/// Gives every field its `depends` (the recorded one, else `[]`) and, for a
/// related field, its `related` path.
pub fn add(model: &str, version: OdooVersion, fields: Vec<FieldDef>) -> Vec<FieldDef> {
    let recorded: HashMap<String, FieldDef> =
        probe(model, version).map(from_fixture).unwrap_or_default().into_iter().map(|f| (f.name.clone(), f)).collect();
    fields
        .into_iter()
        .map(|f| {
            let mut attrs = f.attrs.clone();
            let probed = recorded.get(&f.name).map(|p| &p.attrs);
            let depends = probed.and_then(|a| a.get("depends")).cloned().unwrap_or_else(|| json!([]));
            attrs.insert("depends".into(), depends);
            if let Some(related) = probed.and_then(|a| a.get("related")).filter(|r| r.is_string()) {
                attrs.insert("related".into(), related.clone());
            }
            FieldDef::from_attrs(&f.name, attrs)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::recorded;
    use serde_json::Value;

    fn attr(fields: &[FieldDef], name: &str, key: &str) -> Option<Value> {
        fields.iter().find(|f| f.name == name).and_then(|f| f.attrs.get(key).cloned())
    }

    #[test]
    fn recorded_derivations_on_every_version() {
        for v in [OdooVersion::V16, OdooVersion::V17, OdooVersion::V18, OdooVersion::V19] {
            let partner = recorded("res.partner", v).unwrap_or_default();
            assert_eq!(attr(&partner, "email_normalized", "depends"), Some(json!(["email"])), "{v:?}");
            assert_eq!(attr(&partner, "email", "depends"), Some(json!([])), "{v:?}");
            assert_eq!(attr(&partner, "parent_name", "related"), Some(json!("parent_id.name")), "{v:?}");
            assert!(partner.iter().all(|f| f.attrs.contains_key("depends")), "{v:?}: every field answers depends");
            assert!(attr(&partner, "email", "related").is_none(), "only related fields have a path");
            let lead = recorded("crm.lead", v).unwrap_or_default();
            assert_eq!(
                attr(&lead, "prorated_revenue", "depends"),
                Some(json!(["expected_revenue", "probability"])),
                "{v:?}"
            );
            assert_eq!(attr(&lead, "name", "depends"), Some(json!([])), "not recorded: []");
        }
        let phone19 =
            attr(&recorded("res.partner", OdooVersion::V19).unwrap_or_default(), "phone_sanitized", "depends");
        assert_eq!(phone19, Some(json!(["phone", "country_id"])), "19 has no mobile");
    }
}
