//! Which fields hold one value per company: `fields_get`'s `company_dependent` attribute.
//!
//! Not recorded: no fixture asked `fields_get` for `company_dependent`. Odoo 16–19 describe it for every
//! field whenever asked (`Field._description_company_dependent`, `false` for ordinary fields), and the
//! recordings agree with the list below: exactly these `res.partner` fields turn from `store: false` on
//! 16/17 (kept in `ir.property`) to `store: true` on 18/19 (a JSON column per company). `crm.lead`,
//! `sale.order` and the fake's compact schemas have none. Replace this with the recorded answer once
//! `fields_get` with `company_dependent` is recorded.

use crate::schema::FieldDef;
use serde_json::json;

/// `res.partner`'s company-dependent fields in base and account (16–19). `property_product_pricelist` is
/// not one: it is computed from `specific_property_product_pricelist` (18/19), which is.
const PARTNER: [&str; 10] = [
    "barcode",
    "property_account_payable_id",
    "property_account_receivable_id",
    "property_account_position_id",
    "property_payment_term_id",
    "property_supplier_payment_term_id",
    "property_payment_method_id",
    "property_outbound_payment_method_line_id",
    "property_inbound_payment_method_line_id",
    "specific_property_product_pricelist",
];

/// Gives every field its `company_dependent` attribute.
pub fn add(model: &str, fields: Vec<FieldDef>) -> Vec<FieldDef> {
    fields
        .into_iter()
        .map(|f| {
            let mut attrs = f.attrs.clone();
            let dependent = model == "res.partner" && PARTNER.contains(&f.name.as_str());
            attrs.insert("company_dependent".into(), json!(dependent));
            FieldDef::from_attrs(&f.name, attrs)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use crate::schema::recorded;
    use crate::OdooVersion;

    /// The list matches the recordings' own evidence: a company-dependent field is unstored on 16/17 and
    /// stored on 18/19.
    #[test]
    fn company_dependent_fields_follow_the_recorded_storage_change() {
        for v in [OdooVersion::V16, OdooVersion::V17, OdooVersion::V18, OdooVersion::V19] {
            let partner = recorded("res.partner", v).unwrap_or_default();
            let dependent: Vec<_> =
                partner.iter().filter(|f| f.attrs.get("company_dependent") == Some(&serde_json::json!(true))).collect();
            assert!(dependent.iter().any(|f| f.name == "property_account_receivable_id"), "{v:?}");
            let stored_since_18 = matches!(v, OdooVersion::V18 | OdooVersion::V19);
            for f in &dependent {
                assert_eq!(f.store, stored_since_18, "{v:?} {}", f.name);
            }
            assert!(partner.iter().all(|f| f.attrs.contains_key("company_dependent")), "{v:?}");
            let pricelist = partner.iter().find(|f| f.name == "property_product_pricelist");
            assert_eq!(pricelist.and_then(|f| f.attrs.get("company_dependent")), Some(&serde_json::json!(false)));
        }
    }
}
