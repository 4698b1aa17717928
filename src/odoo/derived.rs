//! Which fields of a model carry the value of others, from what `fields_get` reports: `related` (the path a
//! related field copies) and `depends` (the fields Odoo computes a field from). A deny-list that hides
//! `email` must also hide `email_normalized` (depends on `email`) and `email_formatted` (name and email),
//! or the hidden value is one field away.
//!
//! The rule, with judgment rather than blindly:
//! - a field whose `depends` or `related` names a field the policy hides is hidden with it;
//! - a related field is a copy, so one that copies such a derived field is hidden too (to any depth);
//! - a computed field that merely depends on a derived one is not: `is_blacklisted` depends on
//!   `email_normalized` but holds a yes/no, and following every `depends` transitively would hide most
//!   of a model;
//! - a path is followed while it stays on this model (`parent_id.email` on a partner names the hidden
//!   `email`); on another model that model's own policy applies;
//! - `EXEMPT` fields are never hidden this way.

use super::schema::FieldInfo;
use std::collections::{BTreeMap, BTreeSet};

/// Fields Odoo says depend on hidden ones although their value does not show them. `display_name`: Odoo
/// lists `email` and `vat` among its dependencies on a partner for the context variants that append them
/// (`show_email`, `show_vat`), which this server never asks for; its plain value is the record's name,
/// and hiding it would hide every record's name from every read.
pub const EXEMPT: [&str; 1] = ["display_name"];

/// For each field of `fields` (the fields of `model`) derived from one in `hidden`, the hidden field it
/// derives from.
pub fn derived_from(
    model: &str,
    fields: &BTreeMap<String, FieldInfo>,
    hidden: &BTreeSet<String>,
) -> BTreeMap<String, String> {
    let candidates = || fields.values().filter(|f| !EXEMPT.contains(&f.name.as_str()) && !hidden.contains(&f.name));
    let mut derived: BTreeMap<String, String> = BTreeMap::new();
    for f in candidates() {
        let sources = f.depends.iter().chain(f.related.as_ref());
        if let Some(source) = sources.filter_map(|path| touches(model, fields, path, |s| hidden.contains(s))).next() {
            derived.insert(f.name.clone(), source.to_string());
        }
    }
    // Related fields copy their target: follow chains of them until nothing changes (each pass hides at
    // least one more field, so this ends).
    loop {
        let mut found = Vec::new();
        for f in candidates().filter(|f| !derived.contains_key(&f.name)) {
            let Some(path) = f.related.as_ref() else {
                continue;
            };
            if let Some(via) = touches(model, fields, path, |s| derived.contains_key(s)) {
                found.push((f.name.clone(), derived[via].clone()));
            }
        }
        if found.is_empty() {
            return derived;
        }
        derived.extend(found);
    }
}

/// The first field of `path` that `is_hidden`, walking the path while it stays on `model`.
fn touches<'p>(
    model: &str,
    fields: &BTreeMap<String, FieldInfo>,
    path: &'p str,
    is_hidden: impl Fn(&str) -> bool,
) -> Option<&'p str> {
    let mut segments = path.split('.').peekable();
    while let Some(segment) = segments.next() {
        if is_hidden(segment) {
            return Some(segment);
        }
        let stays = fields.get(segment).and_then(|f| f.relation.as_deref()) == Some(model);
        if segments.peek().is_none() || !stays {
            return None;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::odoo::schema::parse_fields_get;
    use serde_json::{json, Value};

    fn hidden(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    /// Odoo's recorded `fields_get` with `related` and `depends` (`tests/fixtures/odoo/*/probes/`).
    fn partner(version: &str) -> BTreeMap<String, FieldInfo> {
        let text = match version {
            "16" => include_str!(
                "../../tests/fixtures/odoo/16/probes/jsonrpc_res.partner.fields_get_0pos_attributes__200_b26325.json"
            ),
            _ => include_str!(
                "../../tests/fixtures/odoo/19/probes/json2_res.partner.fields_get_attributes__200_2c1817.json"
            ),
        };
        let recorded: Value = serde_json::from_str(text).unwrap();
        let body = &recorded["response"]["body"];
        parse_fields_get(body.get("result").unwrap_or(body)).unwrap().fields
    }

    #[test]
    fn what_a_partner_deny_list_takes_with_it() {
        let d = derived_from("res.partner", &partner("19"), &hidden(&["email", "phone", "vat"]));
        let names: Vec<&str> = d.keys().map(String::as_str).collect();
        assert_eq!(
            names,
            [
                "email_formatted",
                "email_normalized",
                "peppol_eas",
                "peppol_endpoint",
                "phone_sanitized",
                "same_company_registry_partner_id",
                "same_vat_partner_id"
            ]
        );
        assert_eq!(d["email_normalized"], "email");
        assert_eq!(d["phone_sanitized"], "phone");
        assert!(!d.contains_key("display_name"), "exempt");
        assert!(!d.contains_key("is_blacklisted"), "depends on a derived field only: not hidden");
        // 16 computes phone_sanitized from mobile too.
        let d16 = derived_from("res.partner", &partner("16"), &hidden(&["mobile"]));
        assert_eq!(d16.get("phone_sanitized").map(String::as_str), Some("mobile"));
    }

    #[test]
    fn related_copies_are_followed_and_paths_stay_on_the_model() {
        let fields = parse_fields_get(&json!({
            "email": {"type": "char", "depends": []},
            "email_normalized": {"type": "char", "depends": ["email"]},
            "copy": {"type": "char", "related": "email_normalized", "depends": ["email_normalized"]},
            "copy_of_copy": {"type": "char", "related": "copy", "depends": ["copy"]},
            "is_blacklisted": {"type": "boolean", "depends": ["email_normalized"]},
            "parent_id": {"type": "many2one", "relation": "res.partner", "depends": []},
            "parent_email": {"type": "char", "related": "parent_id.email", "depends": ["parent_id.email"]},
            "user_id": {"type": "many2one", "relation": "res.users", "depends": []},
            "user_email": {"type": "char", "related": "user_id.email", "depends": ["user_id.email"]},
            "display_name": {"type": "char", "depends": ["name", "email"]}
        }))
        .unwrap()
        .fields;
        let d = derived_from("res.partner", &fields, &hidden(&["email"]));
        let names: Vec<&str> = d.keys().map(String::as_str).collect();
        assert_eq!(names, ["copy", "copy_of_copy", "email_normalized", "parent_email"]);
        assert_eq!(d["copy_of_copy"], "email", "named after the hidden field it comes from");
        assert!(derived_from("res.partner", &fields, &hidden(&[])).is_empty());
    }
}
