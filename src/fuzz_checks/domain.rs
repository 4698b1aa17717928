//! Invariants of Odoo domain validation (`odoo::domain::validate`) against a real schema: Odoo 19's
//! `res.partner` as recorded in `tests/fixtures/`. Input: a domain as JSON.

use crate::odoo::domain::{validate, FieldUse};
use crate::odoo::schema::{parse_fields_get, ModelSchema};
use serde_json::Value;
use std::sync::OnceLock;

const FIXTURE: &str = include_str!("../../tests/fixtures/odoo/19/json2/fields_get_res_partner.json");
/// Hidden by a field policy in the restricted variant: plain, relational (both kinds) and x2many fields.
const HIDDEN: [&str; 5] = ["email", "phone", "parent_id", "child_ids", "category_id"];

/// res.partner as the admin sees it, and as a key whose field policy hides `HIDDEN`.
fn schemas() -> &'static (ModelSchema, ModelSchema) {
    static SCHEMAS: OnceLock<(ModelSchema, ModelSchema)> = OnceLock::new();
    SCHEMAS.get_or_init(|| {
        let recorded: Value = serde_json::from_str(FIXTURE).expect("the fixture is JSON");
        let full = parse_fields_get(&recorded["response"]["body"]).expect("the fixture is a fields_get answer");
        let mut restricted = full.clone();
        for f in HIDDEN {
            assert!(restricted.fields.remove(f).is_some(), "res.partner has no field {f}");
            restricted.hidden.insert(f.to_string());
        }
        (full, restricted)
    })
}

pub fn domain(data: &[u8]) {
    let Ok(domain) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let (full, restricted) = schemas();
    let with_any = validate(&domain, full, true);
    let without_any = validate(&domain, full, false);
    // Knowing `any` only widens what is accepted, and does not change what an accepted domain uses.
    if let Ok(uses) = &without_any {
        assert_eq!(with_any.as_ref(), Ok(uses), "accepted without `any`, not with it");
    }
    let Ok(uses) = with_any else {
        return;
    };
    accepted(&domain, &uses, full);
    // A hidden field passes the structure checks (the caller refuses it by permission): hiding fields
    // never turns an accepted domain into a refused one, nor changes the paths reported.
    assert_eq!(validate(&domain, restricted, true), Ok(uses), "the restricted schema refuses an accepted domain");
}

/// What an accepted domain is: a bounded list, every path well-formed, on a real field, and through
/// a relational field whenever it goes further.
fn accepted(domain: &Value, uses: &[FieldUse], schema: &ModelSchema) {
    let items = domain.as_array().expect("an accepted domain is a list");
    assert!(items.len() <= 200, "an accepted domain has {} items", items.len());
    for u in uses {
        let segments: Vec<&str> = u.path.split('.').collect();
        assert!(
            segments.iter().all(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')),
            "ill-formed path {:?}",
            u.path
        );
        let field =
            schema.fields.get(segments[0]).unwrap_or_else(|| panic!("path {:?} starts with an unknown field", u.path));
        if segments.len() > 1 {
            assert!(field.is_relational(), "path {:?} goes through a non-relational field", u.path);
        }
    }
    // Every condition is reported: at least one use per non-constant leaf at the top level.
    let leaves = items.iter().filter(|i| i.as_array().is_some_and(|l| l.first().is_some_and(Value::is_string))).count();
    assert!(uses.len() >= leaves, "{} uses for {leaves} conditions", uses.len());
}
