//! Record CRUD: `read`, `create`, `write`, `unlink` with their checks in
//! Odoo's order (ACL, field access, unknown fields, missing records, record
//! rules), readonly fields ignored on write, x2many commands, and delete
//! cascades. Defaults and constraints come from `model_rules`.

use crate::access::{self, Perm};
use crate::dates;
use crate::errors::{invalid_field, missing_error, type_error, Kind, OResult, OdooError};
use crate::model_rules::{check_constraints, check_required, defaults};
use crate::out::{py_type, Out};
use crate::schema::{FType, FieldDef};
use crate::store::{inverse_of, Env, Store};
use crate::values::{self, Cmd};
use serde_json::{json, Map, Value};

/// Resolves requested field names (None/empty: all the caller can see),
/// raising ValueError for unknown names and AccessError for forbidden ones.
pub fn fields_to_read(
    store: &Store,
    env: &Env,
    model: &str,
    fields: Option<&[String]>,
    op: &str,
) -> OResult<Vec<FieldDef>> {
    let m = store.model(model).ok_or_else(|| crate::errors::unknown_model(model, false))?;
    let requested: Vec<String> = match fields {
        Some(f) if !f.is_empty() => f.to_vec(),
        _ => {
            return Ok(m.fields.iter().filter(|f| access::field_allowed(env, f)).cloned().collect());
        }
    };
    let mut out: Vec<FieldDef> = Vec::new();
    let mut forbidden: Vec<&FieldDef> = Vec::new();
    for name in &requested {
        let def = m.field(name).ok_or_else(|| invalid_field(env.version, name, model))?;
        if !access::field_allowed(env, def) {
            forbidden.push(def);
        } else if !out.iter().any(|f| f.name == def.name) {
            out.push(def.clone());
        }
    }
    if !forbidden.is_empty() {
        return Err(access::field_error(store, env, model, &forbidden, op));
    }
    Ok(out)
}

/// `read`: rows for the existing ids (missing ids are dropped), `id` first.
pub fn read(
    store: &Store,
    env: &Env,
    model: &str,
    ids: &[i64],
    fields: Option<&[String]>,
    classic: bool,
) -> OResult<Vec<Out>> {
    access::check_model(store, env, model, Perm::Read)?;
    let defs = fields_to_read(store, env, model, fields, "read")?;
    let mut seen = Vec::new();
    let existing: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|id| store.exists(model, *id))
        .filter(|id| {
            let first = !seen.contains(id);
            seen.push(*id);
            first
        })
        .collect();
    access::check_rules(store, env, model, &existing, Perm::Read)?;
    Ok(existing.iter().map(|id| row(store, env, model, *id, &defs, classic)).collect())
}

/// One formatted row.
pub fn row(store: &Store, env: &Env, model: &str, id: i64, defs: &[FieldDef], classic: bool) -> Out {
    let mut pairs = vec![("id".to_string(), Out::V(json!(id)))];
    for def in defs.iter().filter(|d| d.name != "id") {
        pairs.push((def.name.clone(), Out::V(values::format(store, env, model, id, def, classic))));
    }
    Out::Obj(pairs)
}

fn check_vals(store: &Store, env: &Env, model: &str, vals: &Map<String, Value>) -> OResult<()> {
    let m = store.model(model).ok_or_else(|| crate::errors::unknown_model(model, false))?;
    let mut forbidden = Vec::new();
    for name in vals.keys() {
        let def = m.field(name).ok_or_else(|| invalid_field(env.version, name, model))?;
        if !access::field_allowed(env, def) {
            forbidden.push(def);
        }
    }
    if !forbidden.is_empty() {
        return Err(access::field_error(store, env, model, &forbidden, "write"));
    }
    Ok(())
}

/// `create` of one record; returns its id.
pub fn create(store: &mut Store, env: &Env, model: &str, vals: &Value) -> OResult<i64> {
    access::check_model(store, env, model, Perm::Create)?;
    let vals = vals.as_object().ok_or_else(|| {
        OdooError::new(Kind::AttributeError, format!("'{}' object has no attribute 'items'", py_type(vals)))
    })?;
    check_vals(store, env, model, vals)?;
    let mut rec = Map::new();
    for (k, v) in defaults(store, env, model) {
        rec.insert(k.to_string(), v);
    }
    let now = dates::now();
    rec.insert("create_date".into(), json!(now));
    rec.insert("write_date".into(), json!(now));
    rec.insert("create_uid".into(), json!(env.uid));
    rec.insert("write_uid".into(), json!(env.uid));
    let id = {
        let m = store.models.get_mut(model).ok_or_else(|| crate::errors::unknown_model(model, false))?;
        let id = m.next_id;
        m.insert(id, rec);
        id
    };
    if model == "sale.order" && !vals.contains_key("name") {
        set(store, model, id, "name", json!(format!("S{:05}", id)));
    }
    apply(store, env, model, id, vals)?;
    if model == "sale.order" {
        let partner = store.raw(env, model, id, "partner_id");
        for f in ["partner_invoice_id", "partner_shipping_id"] {
            if store.stored(model, id, f).is_none_or(|v| v == &json!(false)) {
                set(store, model, id, f, partner.clone());
            }
        }
    }
    if model == crate::attachments::MODEL {
        crate::attachments::on_create(store, env, id, vals);
    }
    check_required(store, env, model, id)?;
    check_constraints(store, model, id)?;
    access::check_rules(store, env, model, &[id], Perm::Create)?;
    Ok(id)
}

/// `write` of the same values on several records.
pub fn write(store: &mut Store, env: &Env, model: &str, ids: &[i64], vals: &Value) -> OResult<()> {
    access::check_model(store, env, model, Perm::Write)?;
    let vals = vals.as_object().ok_or_else(|| {
        OdooError::new(Kind::AttributeError, format!("'{}' object has no attribute 'items'", py_type(vals)))
    })?;
    check_vals(store, env, model, vals)?;
    require_existing(store, env, model, ids)?;
    // mail.thread's tracking reads the tracked values first, so a record the
    // user cannot see fails on 'read' (recorded: demo2 writing another's lead).
    if store.model(model).is_some_and(|m| m.mail_thread) {
        access::check_rules(store, env, model, ids, Perm::Read)?;
    }
    access::check_rules(store, env, model, ids, Perm::Write)?;
    for id in ids {
        apply(store, env, model, *id, vals)?;
        set(store, model, *id, "write_date", json!(dates::now()));
        set(store, model, *id, "write_uid", json!(env.uid));
    }
    for id in ids {
        check_constraints(store, model, *id)?;
    }
    Ok(())
}

fn set(store: &mut Store, model: &str, id: i64, field: &str, value: Value) {
    if let Some(rec) = store.models.get_mut(model).and_then(|m| m.records.get_mut(&id)) {
        rec.insert(field.to_string(), value);
    }
}

/// Applies values to one record (readonly fields are ignored, as Odoo does
/// for computed fields without inverse).
fn apply(store: &mut Store, env: &Env, model: &str, id: i64, vals: &Map<String, Value>) -> OResult<()> {
    for (name, value) in vals {
        let Some(def) = store.model(model).and_then(|m| m.field(name)).cloned() else {
            return Err(invalid_field(env.version, name, model));
        };
        if model == "res.partner" && name == "company_type" {
            set(store, model, id, "is_company", json!(value.as_str() == Some("company")));
            continue;
        }
        if def.readonly || name == "id" {
            continue;
        }
        if def.ftype.is_x2many() {
            let cmds = values::commands(model, &def, value)?;
            apply_x2many(store, env, model, id, &def, cmds)?;
        } else {
            let v = values::convert(model, &def, value)?;
            set(store, model, id, name, v);
        }
    }
    Ok(())
}

fn apply_x2many(store: &mut Store, env: &Env, model: &str, id: i64, def: &FieldDef, cmds: Vec<Cmd>) -> OResult<()> {
    let Some(comodel) = def.relation.clone() else {
        return Ok(());
    };
    if store.model(&comodel).is_none() {
        return Ok(());
    }
    let inverse = if def.ftype == FType::One2many { inverse_of(model, &def.name) } else { None };
    if def.ftype == FType::One2many && inverse.is_none() {
        return Ok(());
    }
    let current = |store: &Store| -> Vec<i64> {
        match store.raw(env, model, id, &def.name) {
            Value::Array(items) => items.iter().filter_map(Value::as_i64).collect(),
            _ => Vec::new(),
        }
    };
    let mut ids = current(store);
    for cmd in cmds {
        match cmd {
            Cmd::Create(mut vals) => {
                if let Some((_, inv)) = inverse {
                    vals.insert(inv.to_string(), json!(id));
                }
                let new = create(store, env, &comodel, &Value::Object(vals))?;
                ids.push(new);
            }
            Cmd::Update(rid, vals) => write(store, env, &comodel, &[rid], &Value::Object(vals))?,
            Cmd::Delete(rid) => {
                unlink(store, env, &comodel, &[rid])?;
                ids.retain(|i| *i != rid);
            }
            Cmd::Unlink(rid) => ids.retain(|i| *i != rid),
            Cmd::Link(rid) => {
                if !ids.contains(&rid) && store.exists(&comodel, rid) {
                    ids.push(rid);
                }
            }
            Cmd::Clear => ids.clear(),
            Cmd::Set(new) => ids = new.into_iter().filter(|r| store.exists(&comodel, *r)).collect(),
        }
    }
    match inverse {
        Some((_, inv)) => {
            for old in current(store) {
                if !ids.contains(&old) {
                    set(store, &comodel, old, inv, json!(false));
                }
            }
            for new in &ids {
                set(store, &comodel, *new, inv, json!(id));
            }
        }
        None => set(store, model, id, &def.name, json!(ids)),
    }
    Ok(())
}

/// Odoo's MissingError for the ids that do not exist (`write` and `unlink`).
fn require_existing(store: &Store, env: &Env, model: &str, ids: &[i64]) -> OResult<()> {
    let missing: Vec<i64> = ids.iter().copied().filter(|id| !store.exists(model, *id)).collect();
    if missing.is_empty() {
        Ok(())
    } else {
        Err(missing_error(model, &missing, env.uid))
    }
}

/// `unlink`: deletes records, nulls many2one references, drops their messages.
pub fn unlink(store: &mut Store, env: &Env, model: &str, ids: &[i64]) -> OResult<()> {
    access::check_model(store, env, model, Perm::Unlink)?;
    require_existing(store, env, model, ids)?;
    access::check_rules(store, env, model, ids, Perm::Unlink)?;
    restrict_check(store, model, ids)?;
    if let Some(m) = store.models.get_mut(model) {
        for id in ids {
            m.records.remove(id);
        }
    }
    let refs: Vec<(String, String, FType)> = store
        .models
        .values()
        .flat_map(|m| {
            m.fields
                .iter()
                .filter(|f| f.relation.as_deref() == Some(model) && f.store)
                .filter(|f| matches!(f.ftype, FType::Many2one | FType::Many2many))
                .map(|f| (m.name.clone(), f.name.clone(), f.ftype))
                .collect::<Vec<_>>()
        })
        .collect();
    for m in store.models.values_mut() {
        for rec in m.records.values_mut() {
            for (_, field, ftype) in refs.iter().filter(|(mn, _, _)| *mn == m.name) {
                let Some(v) = rec.get_mut(field) else {
                    continue;
                };
                match ftype {
                    FType::Many2one if v.as_i64().is_some_and(|i| ids.contains(&i)) => *v = json!(false),
                    FType::Many2many => {
                        if let Value::Array(items) = v {
                            items.retain(|i| !i.as_i64().is_some_and(|i| ids.contains(&i)));
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    if let Some(mm) = store.models.get_mut("mail.message") {
        mm.records.retain(|_, r| {
            !(r.get("model").and_then(Value::as_str) == Some(model)
                && r.get("res_id").and_then(Value::as_i64).is_some_and(|i| ids.contains(&i)))
        });
    }
    Ok(())
}

/// A required many2one is `ondelete='restrict'` in Odoo: deleting a record
/// another one needs fails (PostgreSQL's foreign key, reported by the ORM).
fn restrict_check(store: &Store, model: &str, ids: &[i64]) -> OResult<()> {
    for m in store.models.values() {
        for f in m.fields.iter().filter(|f| {
            f.ftype == FType::Many2one
                && f.store
                && f.relation.as_deref() == Some(model)
                && f.attrs.get("required") == Some(&json!(true))
        }) {
            let used =
                m.records.values().any(|r| r.get(&f.name).and_then(Value::as_i64).is_some_and(|i| ids.contains(&i)));
            if used {
                return Err(OdooError::new(
                    Kind::ValidationError,
                    format!(
                        "The operation cannot be completed:\n- Create/update: a mandatory field is not set.\n- Delete: another model requires the record being deleted. If possible, archive it instead.\n\nModel: {} ({})\nField: {} ({})",
                        m.description, m.name, f.string, f.name
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Extracts record ids from a call's ids argument (a list or one int).
pub fn ids_arg(v: &Value) -> OResult<Vec<i64>> {
    match v {
        Value::Null | Value::Bool(false) => Ok(Vec::new()),
        Value::Number(n) => n.as_i64().map(|i| vec![i]).ok_or_else(|| type_error("ids must be integers")),
        Value::Array(items) => items
            .iter()
            .map(|i| {
                i.as_i64()
                    .ok_or_else(|| type_error(format!("'{}' object cannot be interpreted as an integer", py_type(i))))
            })
            .collect(),
        other => Err(type_error(format!("'{}' object cannot be interpreted as an integer", py_type(other)))),
    }
}
