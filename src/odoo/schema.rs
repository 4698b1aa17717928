//! A model's fields as an Odoo user sees them (`fields_get`): the call, the parse, the default field
//! set. Where copies are kept (this isolate, D1) is `store::schema_cache`'s. Schemas are cached, records
//! never are.

use super::call::Call;
use super::client::OdooClient;
use super::error::{OdooError, OdooErrorKind};
use crate::json;
use serde::Serialize;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldInfo {
    pub name: String,
    pub label: String,
    #[serde(rename = "type")]
    pub ftype: String,
    pub required: bool,
    pub readonly: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relation: Option<String>,
    /// `[[value, label], …]` for selection fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selection: Option<Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    pub stored: bool,
    pub sortable: bool,
    /// A value per company (Odoo's `company_dependent`): reads and writes see the current company's.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub company_dependent: bool,
    /// The path a related field copies (`parent_id.name`), from `fields_get`'s `related`.
    #[serde(skip)]
    pub related: Option<String>,
    /// What Odoo computes this field from (`fields_get`'s `depends`: field names and paths).
    #[serde(skip)]
    pub depends: Vec<String>,
}

impl FieldInfo {
    pub fn is_relational(&self) -> bool {
        matches!(self.ftype.as_str(), "many2one" | "one2many" | "many2many")
    }

    /// A selection field's `(value, label)` pairs; none for other fields.
    pub fn options(&self) -> Vec<(String, String)> {
        let pairs = self.selection.as_ref().and_then(Value::as_array);
        pairs
            .map(|p| {
                p.iter()
                    .filter_map(|o| Some((o.get(0)?.as_str()?.to_string(), o.get(1)?.as_str()?.to_string())))
                    .collect()
            })
            .unwrap_or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct ModelSchema {
    pub fields: BTreeMap<String, FieldInfo>,
    /// Fields removed by the key's field policy (see `policy::fields`); Odoo has them, this key may not use them.
    pub hidden: BTreeSet<String>,
    /// The hidden fields a deny-list does not name but that carry the value of one it does (see
    /// `odoo::derived`), each with the field it derives from.
    pub derived: BTreeMap<String, String>,
}

impl ModelSchema {
    /// Why `field`, which this schema hides, is left out of a read.
    pub fn hidden_reason(&self, field: &str) -> String {
        match self.derived.get(field) {
            Some(source) => format!("computed from '{source}', which the administrator's field policy hides"),
            None => "hidden by the administrator's field policy".into(),
        }
    }
}

/// The attributes asked of `fields_get`. `related` and `depends` say what each field is computed from, for
/// field policies (`odoo::derived`); `company_dependent` which fields hold a value per company. A change
/// here is a change of the cached answers' shape: bump `ATTRIBUTES_VERSION`.
const ATTRIBUTES: [&str; 13] = [
    "string",
    "type",
    "required",
    "readonly",
    "relation",
    "selection",
    "help",
    "store",
    "sortable",
    "searchable",
    "related",
    "depends",
    "company_dependent",
];
/// Which attribute list a cached `fields_get` answer was fetched with: part of the shared cache's key, so
/// that an answer fetched with an older list (without `related` and `depends`, where every field would
/// look underived) is never read as one of this list.
pub const ATTRIBUTES_VERSION: i64 = 3;
/// One `fields_get` call: the answer as Odoo sent it (to share through D1) and the schema.
pub async fn fetch(client: &OdooClient<'_>, model: &str) -> Result<(String, ModelSchema), OdooError> {
    let call = Call {
        model,
        method: "fields_get",
        ids: None,
        params: vec![("allfields", Value::Null), ("attributes", json!(ATTRIBUTES))],
        positional: 0,
    };
    let raw = client.call(&call).await?;
    let schema = parse_fields_get(&raw)?;
    Ok((raw.to_string(), schema))
}

pub fn parse_fields_get(raw: &Value) -> Result<ModelSchema, OdooError> {
    let obj = raw
        .as_object()
        .ok_or_else(|| OdooError::new(OdooErrorKind::Unavailable, "Odoo's fields_get answer is not an object"))?;
    let mut fields = BTreeMap::new();
    for (name, attrs) in obj {
        let s = |k: &str| attrs.get(k).and_then(Value::as_str).map(str::to_string);
        let b = |k: &str| attrs.get(k).and_then(Value::as_bool);
        fields.insert(
            name.clone(),
            FieldInfo {
                name: name.clone(),
                label: s("string").unwrap_or_else(|| name.clone()),
                ftype: s("type").unwrap_or_else(|| "unknown".into()),
                required: b("required").unwrap_or(false),
                readonly: b("readonly").unwrap_or(false),
                relation: s("relation").filter(|r| !r.is_empty()),
                selection: attrs.get("selection").filter(|v| v.is_array()).cloned(),
                help: s("help").filter(|h| !h.is_empty()),
                stored: b("store").unwrap_or(true),
                sortable: b("sortable").unwrap_or_else(|| b("store").unwrap_or(true)),
                company_dependent: b("company_dependent").unwrap_or(false),
                related: s("related").filter(|r| !r.is_empty()),
                depends: attrs
                    .get("depends")
                    .and_then(Value::as_array)
                    .map(|d| d.iter().filter_map(Value::as_str).map(str::to_string).collect())
                    .unwrap_or_default(),
            },
        );
    }
    Ok(ModelSchema { fields, ..ModelSchema::default() })
}

/// Fields returned when a caller names none: small, cheap, and telling. Large text, binary and
/// x2many fields are left out (they flood a model's context); `display_name` identifies each record.
pub fn default_fields(schema: &ModelSchema) -> Vec<String> {
    const PREFERRED: [&str; 14] = [
        "display_name",
        "name",
        "email",
        "phone",
        "partner_id",
        "user_id",
        "company_id",
        "state",
        "stage_id",
        "date",
        "date_order",
        "amount_total",
        "expected_revenue",
        "active",
    ];
    let mut out: Vec<String> =
        PREFERRED.iter().filter(|f| schema.fields.contains_key(**f)).map(|f| f.to_string()).collect();
    for (name, f) in &schema.fields {
        if out.len() >= 12 {
            break;
        }
        let cheap = matches!(
            f.ftype.as_str(),
            "char" | "integer" | "float" | "monetary" | "boolean" | "date" | "datetime" | "selection" | "many2one"
        );
        if f.required
            && cheap
            && f.stored
            && !out.contains(name)
            && !name.starts_with("message_")
            && !name.starts_with("activity_")
        {
            out.push(name.clone());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fields_get_and_picks_defaults() {
        let raw = json!({
            "name": {"string": "Name", "type": "char", "required": true, "store": true},
            "display_name": {"string": "Display Name", "type": "char", "store": false},
            "image_1920": {"string": "Image", "type": "binary", "required": false},
            "child_ids": {"string": "Contacts", "type": "one2many", "relation": "res.partner"},
            "country_id": {"string": "Country", "type": "many2one", "relation": "res.country", "store": true},
            "type": {"string": "Type", "type": "selection", "selection": [["contact", "Contact"]], "required": true, "store": true}
        });
        let s = parse_fields_get(&raw).unwrap();
        assert_eq!(s.fields["country_id"].relation.as_deref(), Some("res.country"));
        assert!(s.fields["child_ids"].is_relational());
        let d = default_fields(&s);
        assert!(
            d.contains(&"display_name".to_string())
                && d.contains(&"name".to_string())
                && d.contains(&"type".to_string())
        );
        assert!(!d.contains(&"image_1920".to_string()) && !d.contains(&"child_ids".to_string()));
        assert!(parse_fields_get(&json!([1])).is_err());
    }
}
