//! Field definitions. `res.partner`, `crm.lead` and `sale.order` take theirs
//! from the recorded `fields_get` answers (see [`recorded`]) (compiled in with `include_str!`,
//! field order kept); the other models get small hand-written schemas in a
//! compact one-line-per-field notation (see [`synth`]).

use crate::OdooVersion;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::fmt;

/// Odoo field types the fake distinguishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FType {
    Char,
    Text,
    Html,
    Integer,
    Float,
    Monetary,
    Boolean,
    Date,
    Datetime,
    Selection,
    Many2one,
    One2many,
    Many2many,
    Binary,
    Json,
    Properties,
    Reference,
    M2oReference,
}

impl FType {
    pub fn parse(s: &str) -> FType {
        match s {
            "text" => FType::Text,
            "html" => FType::Html,
            "integer" => FType::Integer,
            "float" => FType::Float,
            "monetary" => FType::Monetary,
            "boolean" => FType::Boolean,
            "date" => FType::Date,
            "datetime" => FType::Datetime,
            "selection" => FType::Selection,
            "many2one" => FType::Many2one,
            "one2many" => FType::One2many,
            "many2many" => FType::Many2many,
            "binary" | "image" => FType::Binary,
            "json" => FType::Json,
            "properties" | "properties_definition" => FType::Properties,
            "reference" => FType::Reference,
            "many2one_reference" => FType::M2oReference,
            _ => FType::Char,
        }
    }

    pub fn is_x2many(self) -> bool {
        matches!(self, FType::One2many | FType::Many2many)
    }

    pub fn is_relational(self) -> bool {
        matches!(self, FType::Many2one | FType::One2many | FType::Many2many)
    }

    pub fn is_numeric(self) -> bool {
        matches!(self, FType::Integer | FType::Float | FType::Monetary | FType::M2oReference)
    }

    /// The value read for an unset field.
    pub fn empty(self) -> Value {
        match self {
            FType::Integer | FType::M2oReference => json!(0),
            FType::Float | FType::Monetary => json!(0.0),
            FType::One2many | FType::Many2many | FType::Properties => json!([]),
            _ => Value::Bool(false),
        }
    }
}

/// One field of a model.
#[derive(Debug, Clone)]
pub struct FieldDef {
    pub name: String,
    pub ftype: FType,
    pub relation: Option<String>,
    pub readonly: bool,
    pub store: bool,
    pub groups: Option<String>,
    pub string: String,
    pub selection: Vec<String>,
    /// The `fields_get` description (attribute keys sorted, as Odoo sends them).
    pub attrs: Map<String, Value>,
}

impl FieldDef {
    pub fn from_attrs(name: &str, attrs: Map<String, Value>) -> FieldDef {
        let s = |k: &str| attrs.get(k).and_then(Value::as_str).map(str::to_string);
        let b = |k: &str| attrs.get(k).and_then(Value::as_bool).unwrap_or(false);
        let selection = attrs
            .get("selection")
            .and_then(Value::as_array)
            .map(|opts| opts.iter().filter_map(|o| o.get(0).and_then(Value::as_str).map(str::to_string)).collect())
            .unwrap_or_default();
        FieldDef {
            name: name.to_string(),
            ftype: FType::parse(&s("type").unwrap_or_default()),
            relation: s("relation"),
            readonly: b("readonly"),
            store: b("store"),
            groups: s("groups"),
            string: s("string").unwrap_or_else(|| name.to_string()),
            selection,
            attrs,
        }
    }
}

/// Fields in the order of the recorded answer.
struct OrderedFields(Vec<(String, Map<String, Value>)>);

impl<'de> Deserialize<'de> for OrderedFields {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OrderedFields;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a fields_get map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<OrderedFields, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<String, Map<String, Value>>()? {
                    out.push((k, v));
                }
                Ok(OrderedFields(out))
            }
        }
        d.deserialize_map(V)
    }
}

#[derive(Deserialize)]
struct Fixture {
    response: FixtureResponse,
}
#[derive(Deserialize)]
struct FixtureResponse {
    body: FixtureBody,
}
#[derive(Deserialize)]
#[serde(untagged)]
enum FixtureBody {
    Envelope { result: OrderedFields },
    Bare(OrderedFields),
}

/// Fields from a recorded `fields_get` fixture file (a JSON-RPC envelope or a
/// bare JSON-2 answer).
pub fn from_fixture(text: &str) -> Vec<FieldDef> {
    match serde_json::from_str::<Fixture>(text) {
        Ok(f) => {
            let (FixtureBody::Envelope { result: fields } | FixtureBody::Bare(fields)) = f.response.body;
            fields.0.into_iter().map(|(name, attrs)| FieldDef::from_attrs(&name, attrs)).collect()
        }
        Err(_) => Vec::new(),
    }
}

/// The recorded `fields_get` (admin, every attribute) of a model on 17 or 19.
fn golden(model: &str, v19: bool) -> Option<&'static str> {
    Some(match (model, v19) {
        ("res.partner", false) => {
            include_str!("../../fixtures/odoo/17/jsonrpc/fields_get_res_partner.json")
        }
        ("res.partner", true) => {
            include_str!("../../fixtures/odoo/19/jsonrpc/fields_get_res_partner.json")
        }
        ("crm.lead", false) => {
            include_str!("../../fixtures/odoo/17/jsonrpc/fields_get_crm_lead.json")
        }
        ("crm.lead", true) => {
            include_str!("../../fixtures/odoo/19/jsonrpc/fields_get_crm_lead.json")
        }
        ("sale.order", false) => {
            include_str!("../../fixtures/odoo/17/jsonrpc/fields_get_sale_order.json")
        }
        ("sale.order", true) => {
            include_str!("../../fixtures/odoo/19/jsonrpc/fields_get_sale_order.json")
        }
        _ => return None,
    })
}

/// The `fields_get` each version answered the server in the recorded
/// traffic (admin; the attributes the server asks for, `searchable` and
/// `sortable` among them, but not `groups`).
fn traffic(model: &str, version: OdooVersion) -> Option<&'static str> {
    use OdooVersion::*;
    Some(match (model, version) {
        ("res.partner", V16) => include_str!(
            "../../fixtures/odoo/16/traffic/jsonrpc_res.partner.fields_get_0pos_allfields_attributes__200_1bbc4a.json"
        ),
        ("res.partner", V17) => include_str!(
            "../../fixtures/odoo/17/traffic/jsonrpc_res.partner.fields_get_0pos_allfields_attributes__200_1bbc4a.json"
        ),
        ("res.partner", V18) => include_str!(
            "../../fixtures/odoo/18/traffic/jsonrpc_res.partner.fields_get_0pos_allfields_attributes__200_1bbc4a.json"
        ),
        ("res.partner", V19) => include_str!(
            "../../fixtures/odoo/19/traffic/json2_res.partner.fields_get_allfields_attributes__200_b70425.json"
        ),
        ("crm.lead", V16) => include_str!(
            "../../fixtures/odoo/16/traffic/jsonrpc_crm.lead.fields_get_0pos_allfields_attributes__200_e4619e.json"
        ),
        ("crm.lead", V17) => include_str!(
            "../../fixtures/odoo/17/traffic/jsonrpc_crm.lead.fields_get_0pos_allfields_attributes__200_e4619e.json"
        ),
        ("crm.lead", V18) => include_str!(
            "../../fixtures/odoo/18/traffic/jsonrpc_crm.lead.fields_get_0pos_allfields_attributes__200_e4619e.json"
        ),
        ("crm.lead", V19) => include_str!(
            "../../fixtures/odoo/19/traffic/json2_crm.lead.fields_get_allfields_attributes__200_63bca3.json"
        ),
        _ => return None,
    })
}

/// The fields of a model with a recorded `fields_get`, with what each is
/// computed from (`crate::derivation`). 17 and 19: their full
/// golden recording, with the attributes their traffic adds (`searchable`,
/// `sortable`). 16 and 18: the fields and attributes their traffic recorded,
/// with each field's `groups` (not asked for there, and what hides fields
/// from the restricted user) taken from 17's field of the same name.
/// `sale.order`, never recorded on 16 or 18, is 17's there.
pub fn recorded(model: &str, version: OdooVersion) -> Option<Vec<FieldDef>> {
    let fields = merged(model, version)?;
    Some(crate::company_dependent::add(model, crate::derivation::add(model, version, fields)))
}

fn merged(model: &str, version: OdooVersion) -> Option<Vec<FieldDef>> {
    let golden = from_fixture(golden(model, version.is_19())?);
    let Some(own) = traffic(model, version).map(from_fixture) else {
        return Some(golden);
    };
    let merge = |base: &FieldDef, over: &FieldDef| {
        let mut attrs = base.attrs.clone();
        attrs.extend(over.attrs.clone());
        FieldDef::from_attrs(&base.name, attrs)
    };
    let own_version = matches!(version, OdooVersion::V16 | OdooVersion::V18);
    let fields = if own_version {
        let groups: HashMap<&str, &Value> =
            golden.iter().filter_map(|f| f.attrs.get("groups").map(|g| (f.name.as_str(), g))).collect();
        own.iter()
            .map(|f| match groups.get(f.name.as_str()) {
                Some(g) => {
                    let mut attrs = f.attrs.clone();
                    attrs.insert("groups".into(), (*g).clone());
                    FieldDef::from_attrs(&f.name, attrs)
                }
                None => f.clone(),
            })
            .collect()
    } else {
        let extra: HashMap<&str, &FieldDef> = own.iter().map(|f| (f.name.as_str(), f)).collect();
        golden
            .iter()
            .map(|f| match extra.get(f.name.as_str()) {
                Some(over) => merge(f, over),
                None => f.clone(),
            })
            .collect()
    };
    Some(fields)
}

/// Builds a schema from compact lines `name:type:Label[:relation][:flags]`.
///
/// Flags (comma separated): `ro` (readonly), `nostore`, `sel=a/A|b/B`
/// (selection keys and labels). `id`, `display_name`, `create_uid`,
/// `create_date`, `write_uid` and `write_date` are added to every schema.
pub fn synth(lines: &[&str]) -> Vec<FieldDef> {
    let mut out = Vec::new();
    let base = [
        "id:integer:ID::ro",
        "display_name:char:Display Name::ro,nostore",
        "create_uid:many2one:Created by:res.users:ro",
        "create_date:datetime:Created on::ro",
        "write_uid:many2one:Last Updated by:res.users:ro",
        "write_date:datetime:Last Updated on::ro",
    ];
    for line in base.iter().chain(lines.iter()) {
        let parts: Vec<&str> = line.splitn(5, ':').collect();
        let get = |i: usize| parts.get(i).copied().unwrap_or("");
        let (name, ftype, label, relation, flags) = (get(0), get(1), get(2), get(3), get(4));
        let mut attrs = Map::new();
        let mut readonly = false;
        let mut store = true;
        for flag in flags.split(',').filter(|f| !f.is_empty()) {
            if flag == "ro" {
                readonly = true;
            } else if flag == "nostore" {
                store = false;
            } else if let Some(sel) = flag.strip_prefix("sel=") {
                let opts: Vec<Value> = sel
                    .split('|')
                    .map(|o| {
                        let (k, l) = o.split_once('/').unwrap_or((o, o));
                        json!([k, l])
                    })
                    .collect();
                attrs.insert("selection".into(), Value::Array(opts));
            }
        }
        // Computed from nothing: what Odoo answers for a plain stored field.
        attrs.insert("company_dependent".into(), json!(false));
        attrs.insert("depends".into(), json!([]));
        attrs.insert("readonly".into(), json!(readonly));
        if !relation.is_empty() {
            attrs.insert("relation".into(), json!(relation));
        }
        attrs.insert("required".into(), json!(false));
        attrs.insert("store".into(), json!(store));
        attrs.insert("string".into(), json!(label));
        attrs.insert("type".into(), json!(ftype));
        out.push(FieldDef::from_attrs(name, attrs));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixtures_load_in_order() {
        let f17 = recorded("res.partner", OdooVersion::V17).unwrap_or_default();
        assert_eq!(f17.len(), 156);
        assert_eq!(f17[0].name, "message_is_follower");
        let f19 = recorded("res.partner", OdooVersion::V19).unwrap_or_default();
        assert_eq!(f19.len(), 169);
        let parent = f19.iter().find(|f| f.name == "parent_id");
        assert_eq!(parent.and_then(|f| f.relation.clone()).as_deref(), Some("res.partner"));
        let len = |m, v| recorded(m, v).map(|f| f.len());
        assert_eq!(len("crm.lead", OdooVersion::V19), Some(116));
        assert_eq!(len("sale.order", OdooVersion::V17), Some(94));
        assert_eq!(len("sale.order", OdooVersion::V18), Some(94));
        assert_eq!(len("res.partner", OdooVersion::V16), Some(148));
        assert_eq!(len("res.partner", OdooVersion::V18), Some(167));
    }

    #[test]
    fn traffic_attributes_and_borrowed_groups() {
        // 17 and 19 gain what their traffic asked for.
        let f17 = recorded("res.partner", OdooVersion::V17).unwrap_or_default();
        let name = f17.iter().find(|f| f.name == "name").map(|f| &f.attrs);
        assert!(name.is_some_and(|a| a.contains_key("searchable") && a.contains_key("sortable")));
        // 16 keeps its own fields and takes `groups` from 17's field.
        let f16 = recorded("res.partner", OdooVersion::V16).unwrap_or_default();
        assert!(f16.iter().any(|f| f.name == "__last_update"));
        assert!(!f16.iter().any(|f| f.name == "complete_name"));
        let credit17 = f17.iter().find(|f| f.name == "credit").and_then(|f| f.groups.clone());
        let credit16 = f16.iter().find(|f| f.name == "credit").and_then(|f| f.groups.clone());
        assert!(credit17.is_some());
        assert_eq!(credit16, credit17);
    }

    #[test]
    fn synth_lines() {
        let f = synth(&["state:selection:Type::sel=manual/Custom|base/Base", "key:char:Key"]);
        let state = f.iter().find(|d| d.name == "state");
        assert_eq!(state.map(|s| s.selection.clone()), Some(vec!["manual".into(), "base".into()]));
        assert_eq!(f.len(), 8);
    }
}
