//! A model's fields as an Odoo user sees them (`fields_get`), and the copies this isolate holds. The
//! request path's cache order (isolate, D1, Odoo) is in `capabilities::tools::schemas`. Schemas are
//! cached, records never are.

use super::client::{Call, OdooClient};
use super::error::{OdooError, OdooErrorKind};
use super::Connection;
use crate::policy::permissions::FieldPolicy;
use serde::Serialize;
use serde_json::{json, Value};
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

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
    /// Fields removed by the key's field policy (see `restricted`); Odoo has them, this key may not use them.
    pub hidden: BTreeSet<String>,
}

impl ModelSchema {
    /// This schema as a field policy lets a key see it: the fields it hides move to `hidden`, so that
    /// every reader of the schema (field choice, defaults, descriptions, domains, orderings) leaves them out.
    pub fn restricted(&self, policy: &FieldPolicy) -> ModelSchema {
        let (fields, hidden): (BTreeMap<_, _>, BTreeMap<_, _>) =
            self.fields.clone().into_iter().partition(|(name, _)| policy.allows(name));
        ModelSchema { fields, hidden: hidden.into_keys().collect() }
    }
}

const ATTRIBUTES: [&str; 10] =
    ["string", "type", "required", "readonly", "relation", "selection", "help", "store", "sortable", "searchable"];
/// How long this isolate trusts a copy without asking D1 (or, for the console, Odoo) again.
pub const MEMORY_TTL_MS: i64 = 10 * 60 * 1000;
const MAX_ENTRIES: usize = 256;

/// A schema this isolate holds: for which Odoo version, from which fetch, and when it was last
/// confirmed current.
#[derive(Debug, Clone)]
pub struct Held {
    pub major: i64,
    pub minor: i64,
    pub fetched_at: i64,
    pub checked_at: i64,
    pub schema: Rc<ModelSchema>,
}

thread_local! {
    // One isolate serves many requests; wasm has one thread, natively each test thread has its own.
    static HELD: RefCell<HashMap<String, Held>> = RefCell::new(HashMap::new());
}

pub fn held(key: &str) -> Option<Held> {
    HELD.with(|c| c.borrow().get(key).cloned())
}

pub fn hold(key: String, entry: Held) {
    let now = entry.checked_at;
    HELD.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() >= MAX_ENTRIES {
            c.retain(|_, h| now - h.checked_at < MEMORY_TTL_MS);
            if c.len() >= MAX_ENTRIES {
                c.clear();
            }
        }
        c.insert(key, entry);
    });
}

/// Drops every schema this isolate holds (admin action, version change).
pub fn invalidate_all() {
    HELD.with(|c| c.borrow_mut().clear());
}

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

/// The model's schema for the admin console's browsing user: this isolate's copy when recent, else one
/// `fields_get` call.
pub async fn fields(
    client: &OdooClient<'_>,
    conn: &Connection,
    login: &str,
    model: &str,
    now: i64,
) -> Result<Rc<ModelSchema>, OdooError> {
    let key = format!("browse|{}|{}|{login}|{model}", conn.url, conn.database);
    if let Some(h) =
        held(&key).filter(|h| h.major == conn.major && h.minor == conn.minor && now - h.checked_at < MEMORY_TTL_MS)
    {
        return Ok(h.schema);
    }
    let schema = Rc::new(fetch(client, model).await?.1);
    hold(key, Held { major: conn.major, minor: conn.minor, fetched_at: now, checked_at: now, schema: schema.clone() });
    Ok(schema)
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
            },
        );
    }
    Ok(ModelSchema { fields, hidden: BTreeSet::new() })
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
