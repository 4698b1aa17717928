//! The in-memory database: models (schema + records), users, and the call
//! environment. Owns how a field's value is obtained (stored, computed, or the
//! type's empty value), one2many inverses, and display names.

use crate::errors::{Kind, OResult, OdooError};
use crate::schema::{FType, FieldDef};
use crate::OdooVersion;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, HashMap};

/// Stored values of one record.
pub type Record = Map<String, Value>;

/// A model: schema, records and behaviour settings.
pub struct Model {
    pub name: String,
    /// `_description`, as shown in error messages ("Contact").
    pub description: String,
    pub fields: Vec<FieldDef>,
    index: HashMap<String, usize>,
    pub records: BTreeMap<i64, Record>,
    pub next_id: i64,
    /// `_order`.
    pub order: String,
    /// `_rec_name` (None: display name is `model,id`).
    pub rec_name: Option<String>,
    /// Inherits `mail.thread` (has `message_post`).
    pub mail_thread: bool,
}

impl Model {
    pub fn new(name: &str, description: &str, fields: Vec<FieldDef>, order: &str) -> Model {
        let index = fields.iter().enumerate().map(|(i, f)| (f.name.clone(), i)).collect();
        let rec_name =
            ["name", "key", "record_name"].iter().find(|n| fields.iter().any(|f| f.name == **n)).map(|n| n.to_string());
        Model {
            name: name.to_string(),
            description: description.to_string(),
            fields,
            index,
            records: BTreeMap::new(),
            next_id: 1,
            order: order.to_string(),
            rec_name,
            mail_thread: false,
        }
    }

    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.index.get(name).and_then(|i| self.fields.get(*i))
    }

    /// Stores a record under a given id (seeding).
    pub fn insert(&mut self, id: i64, rec: Record) {
        self.records.insert(id, rec);
        if id >= self.next_id {
            self.next_id = id + 1;
        }
    }
}

/// A user who can call the API.
#[derive(Debug, Clone)]
pub struct UserInfo {
    pub uid: i64,
    pub login: String,
    pub key: String,
    pub restricted: bool,
    pub partner_id: i64,
    pub name: String,
}

/// The whole database of one fake server.
pub struct Store {
    pub version: OdooVersion,
    pub models: BTreeMap<String, Model>,
    pub users: Vec<UserInfo>,
}

/// Who calls, and the context flags that matter.
#[derive(Debug, Clone)]
pub struct Env {
    pub version: OdooVersion,
    pub uid: i64,
    pub restricted: bool,
    pub active_test: bool,
    /// The context's `allowed_company_ids` (the first is the current company); `None`: the user's own
    /// current company only, as Odoo does without them.
    pub companies: Option<Vec<i64>>,
    /// The context's `lang`.
    pub lang: Option<String>,
}

impl Env {
    pub fn new(version: OdooVersion, uid: i64, restricted: bool) -> Env {
        Env { version, uid, restricted, active_test: true, companies: None, lang: None }
    }

    /// Reads `active_test`, `allowed_company_ids` and `lang` from a call's `context`.
    pub fn with_context(mut self, context: Option<&Value>) -> Env {
        if let Some(Value::Bool(false)) = context.and_then(|c| c.get("active_test")) {
            self.active_test = false;
        }
        if let Some(Value::Array(ids)) = context.and_then(|c| c.get("allowed_company_ids")) {
            self.companies = Some(ids.iter().map(|i| i.as_i64().unwrap_or(0)).collect());
        }
        if let Some(Value::String(lang)) = context.and_then(|c| c.get("lang")) {
            self.lang = Some(lang.clone());
        }
        self
    }

    /// The companies whose records the call sees, the current one first.
    pub fn companies(&self, store: &Store) -> Vec<i64> {
        match &self.companies {
            Some(c) => c.clone(),
            None => vec![store.user_company(self.uid)],
        }
    }

    /// Odoo's refusals of a context, as recorded: companies the user lacks are an AccessError on every
    /// version; a language that is not installed a UserError on 18 and 19, ignored on 16 and 17.
    pub fn check(&self, store: &Store) -> OResult<()> {
        if let Some(companies) = &self.companies {
            let own = store.user_companies(self.uid);
            if companies.iter().any(|c| !own.contains(c)) {
                return Err(OdooError::new(Kind::AccessError, "Access to unauthorized or invalid companies."));
            }
        }
        if let Some(lang) = &self.lang {
            if lang != "en_US" && matches!(self.version, OdooVersion::V18 | OdooVersion::V19) {
                return Err(OdooError::new(Kind::UserError, format!("Invalid language code: {lang}")));
            }
        }
        Ok(())
    }
}

/// one2many fields and the many2one that backs them.
const INVERSES: &[(&str, &str, &str, &str)] = &[
    ("res.partner", "child_ids", "res.partner", "parent_id"),
    ("res.partner", "user_ids", "res.users", "partner_id"),
    ("res.partner", "opportunity_ids", "crm.lead", "partner_id"),
    ("res.partner", "sale_order_ids", "sale.order", "partner_id"),
    ("crm.team", "crm_team_member_ids", "res.users", "sale_team_id"),
];

/// The many2one behind a one2many, if the fake knows it.
pub fn inverse_of(model: &str, field: &str) -> Option<(&'static str, &'static str)> {
    INVERSES.iter().find(|(m, f, _, _)| *m == model && *f == field).map(|(_, _, c, i)| (*c, *i))
}

fn as_id(v: Option<&Value>) -> Option<i64> {
    v.and_then(Value::as_i64).filter(|i| *i > 0)
}

impl Store {
    pub fn model(&self, name: &str) -> Option<&Model> {
        self.models.get(name)
    }

    pub fn record(&self, model: &str, id: i64) -> Option<&Record> {
        self.models.get(model).and_then(|m| m.records.get(&id))
    }

    pub fn exists(&self, model: &str, id: i64) -> bool {
        self.record(model, id).is_some()
    }

    pub fn user(&self, uid: i64) -> Option<&UserInfo> {
        self.users.iter().find(|u| u.uid == uid)
    }

    /// The user's current company (`res.users.company_id`).
    pub fn user_company(&self, uid: i64) -> i64 {
        self.stored("res.users", uid, "company_id").and_then(Value::as_i64).unwrap_or(1)
    }

    /// The companies the user belongs to (`res.users.company_ids`).
    pub fn user_companies(&self, uid: i64) -> Vec<i64> {
        match self.stored("res.users", uid, "company_ids").and_then(Value::as_array) {
            Some(ids) => ids.iter().filter_map(Value::as_i64).collect(),
            None => vec![self.user_company(uid)],
        }
    }

    /// A stored value, `None` when unset.
    pub fn stored(&self, model: &str, id: i64, field: &str) -> Option<&Value> {
        self.record(model, id).and_then(|r| r.get(field)).filter(|v| !v.is_null())
    }

    fn stored_str(&self, model: &str, id: i64, field: &str) -> Option<String> {
        self.stored(model, id, field).and_then(Value::as_str).map(str::to_string)
    }

    fn stored_bool(&self, model: &str, id: i64, field: &str) -> bool {
        self.stored(model, id, field).and_then(Value::as_bool).unwrap_or(false)
    }

    /// Archived records have `active` false; models without it are always active.
    pub fn is_active(&self, model: &str, id: i64) -> bool {
        match self.models.get(model) {
            Some(m) if m.field("active").is_some() => {
                self.stored(model, id, "active").and_then(Value::as_bool).unwrap_or(true)
            }
            _ => true,
        }
    }

    /// The value of a field as the ORM sees it: many2one as an id or false,
    /// x2many as a list of ids, unset fields as their type's empty value.
    pub fn raw(&self, env: &Env, model: &str, id: i64, field: &str) -> Value {
        if field == "id" {
            return json!(id);
        }
        if let Some(v) = self.computed(env, model, id, field) {
            return v;
        }
        let Some(def) = self.models.get(model).and_then(|m| m.field(field)) else {
            return Value::Bool(false);
        };
        match self.stored(model, id, field) {
            Some(v) => v.clone(),
            None => def.ftype.empty(),
        }
    }

    /// Ids of the records a one2many points to (active ones, in `_order`).
    fn o2m(&self, env: &Env, model: &str, id: i64, field: &str) -> Option<Vec<i64>> {
        let (comodel, inverse) = inverse_of(model, field)?;
        let cm = self.models.get(comodel)?;
        let mut ids: Vec<i64> = cm
            .records
            .iter()
            .filter(|(_, r)| as_id(r.get(inverse)) == Some(id))
            .map(|(i, _)| *i)
            .filter(|i| !env.active_test || self.is_active(comodel, *i))
            .collect();
        crate::search::sort_default(self, env, comodel, &mut ids);
        Some(ids)
    }

    /// Messages of a document, newest first.
    fn messages(&self, model: &str, id: i64) -> Vec<i64> {
        let Some(mm) = self.models.get("mail.message") else {
            return Vec::new();
        };
        let mut ids: Vec<i64> = mm
            .records
            .iter()
            .filter(|(_, r)| {
                r.get("model").and_then(Value::as_str) == Some(model)
                    && r.get("res_id").and_then(Value::as_i64) == Some(id)
            })
            .map(|(i, _)| *i)
            .collect();
        ids.reverse();
        ids
    }

    /// Computed fields the fake implements (`None`: not computed here).
    fn computed(&self, env: &Env, model: &str, id: i64, field: &str) -> Option<Value> {
        if field == "display_name" {
            return Some(json!(self.display_name(model, id)));
        }
        if field == "message_ids" {
            return Some(json!(self.messages(model, id)));
        }
        if let Some(ids) = self.o2m(env, model, id, field) {
            return Some(json!(ids));
        }
        match (model, field) {
            ("res.partner", _) => self.partner_computed(model, id, field),
            ("crm.lead", "prorated_revenue") => {
                let rev = self.stored(model, id, "expected_revenue").and_then(Value::as_f64);
                let prob = self.stored(model, id, "probability").and_then(Value::as_f64);
                Some(json!(rev.unwrap_or(0.0) * prob.unwrap_or(0.0) / 100.0))
            }
            ("crm.lead", "won_status") => {
                let stage = as_id(self.stored(model, id, "stage_id"));
                let won = stage.map(|s| self.stored_bool("crm.stage", s, "is_won")).unwrap_or(false);
                let prob = self.stored(model, id, "probability").and_then(Value::as_f64);
                Some(json!(if won {
                    "won"
                } else if !self.is_active(model, id) && prob.unwrap_or(0.0) == 0.0 {
                    "lost"
                } else {
                    "pending"
                }))
            }
            ("res.users", "email") => {
                let partner = as_id(self.stored(model, id, "partner_id"))?;
                Some(self.stored("res.partner", partner, "email").cloned().unwrap_or(json!(false)))
            }
            _ => None,
        }
    }

    fn partner_computed(&self, model: &str, id: i64, field: &str) -> Option<Value> {
        let s = |v: Option<String>| v.map(Value::String).unwrap_or(Value::Bool(false));
        Some(match field {
            "complete_name" => json!(self.display_name(model, id)),
            "commercial_partner_id" => json!(self.commercial_partner(id)),
            "commercial_company_name" => s(self.commercial_company_name(id)),
            "company_type" => {
                json!(if self.stored_bool(model, id, "is_company") { "company" } else { "person" })
            }
            "parent_name" => {
                let parent = as_id(self.stored(model, id, "parent_id"));
                s(parent.and_then(|p| self.stored_str(model, p, "name")))
            }
            "email_formatted" => match self.stored_str(model, id, "email") {
                Some(email) => {
                    let name = self.stored_str(model, id, "name").unwrap_or_default();
                    json!(format!("\"{}\" <{}>", name, email))
                }
                None => json!(false),
            },
            "country_code" => {
                let country = as_id(self.stored(model, id, "country_id"));
                s(country.and_then(|c| self.stored_str("res.country", c, "code")))
            }
            "opportunity_count" => json!(self.count_refs("crm.lead", "partner_id", id)),
            "sale_order_count" => json!(self.count_refs("sale.order", "partner_id", id)),
            _ => return None,
        })
    }

    fn count_refs(&self, model: &str, field: &str, id: i64) -> usize {
        self.models
            .get(model)
            .map(|m| m.records.values().filter(|r| as_id(r.get(field)) == Some(id)).count())
            .unwrap_or(0)
    }

    /// The company a partner belongs to (itself when it is one, or the top).
    pub fn commercial_partner(&self, id: i64) -> i64 {
        let mut current = id;
        for _ in 0..32 {
            if self.stored_bool("res.partner", current, "is_company") {
                return current;
            }
            match as_id(self.stored("res.partner", current, "parent_id")) {
                Some(p) if self.exists("res.partner", p) => current = p,
                _ => return current,
            }
        }
        current
    }

    fn commercial_company_name(&self, id: i64) -> Option<String> {
        let cp = self.commercial_partner(id);
        if self.stored_bool("res.partner", cp, "is_company") {
            self.stored_str("res.partner", cp, "name")
        } else {
            self.stored_str("res.partner", cp, "company_name")
        }
    }

    /// `display_name` of a record.
    pub fn display_name(&self, model: &str, id: i64) -> String {
        let Some(m) = self.models.get(model) else {
            return format!("{},{}", model, id);
        };
        if model == "res.partner" {
            let name = self.stored_str(model, id, "name").unwrap_or_default();
            let parent = as_id(self.stored(model, id, "parent_id"));
            let has_company = self.stored_str(model, id, "company_name").is_some() || parent.is_some();
            if has_company && !self.stored_bool(model, id, "is_company") {
                let prefix =
                    self.commercial_company_name(id).or_else(|| parent.and_then(|p| self.stored_str(model, p, "name")));
                if let Some(prefix) = prefix.filter(|p| !p.is_empty()) {
                    return format!("{}, {}", prefix, name);
                }
            }
            return name;
        }
        match &m.rec_name {
            Some(rec_name) => self.stored_str(model, id, rec_name).unwrap_or_default(),
            None => format!("{},{}", model, id),
        }
    }

    /// Parent links of a model with a `parent_id` to itself (for child_of).
    pub fn parent_field(&self, model: &str) -> Option<&'static str> {
        let m = self.models.get(model)?;
        let f = m.field("parent_id")?;
        (f.ftype == FType::Many2one && f.relation.as_deref() == Some(model)).then_some("parent_id")
    }
}
