//! Builds the initial database of a server: the models (recorded schemas for
//! partners/leads/orders, compact schemas for the rest, a minimal schema for
//! every other model listed in `ir.model`), the configured users, and the
//! records from `seed_data`, mapped to the version's ids.

use crate::schema;
use crate::seed_data::*;
use crate::seed_schema::{modules_of, synth_schema, MODELS};
use crate::store::{Model, Record, Store, UserInfo};
use crate::{Config, OdooVersion};
use serde_json::{json, Value};
use std::collections::BTreeMap;

fn rec(pairs: Vec<(&str, Value)>) -> Record {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn opt(s: &str) -> Value {
    if s.is_empty() {
        json!(false)
    } else {
        json!(s)
    }
}

/// Builds the store of a new server.
pub fn build(config: &Config) -> Store {
    let v19 = config.version == OdooVersion::V19;
    let mut models: BTreeMap<String, Model> = BTreeMap::new();
    for (name, desc, order) in MODELS {
        let fields = match schema::recorded(name, config.version) {
            Some(fields) => fields,
            None => synth_schema(name, v19).unwrap_or_default(),
        };
        let desc = if *name == "crm.lead" && v19 { "Lead" } else { desc };
        // 16 has no `complete_name`: partners are ordered by their stored
        // `display_name` there.
        let order = if *name == "res.partner" && config.version == OdooVersion::V16 {
            "display_name asc, id desc"
        } else {
            order
        };
        let mut m = Model::new(name, desc, fields, order);
        m.mail_thread = matches!(*name, "res.partner" | "crm.lead" | "sale.order" | "crm.team");
        models.insert(name.to_string(), m);
    }
    let recorded = if v19 { IR_MODEL_19 } else { IR_MODEL_17 };
    let listed = recorded.iter().map(|(_, m, n)| (*m, *n)).chain(TRANSIENT_MODELS.iter().copied());
    for (model, name) in listed {
        models
            .entry(model.to_string())
            .or_insert_with(|| Model::new(model, name, schema::synth(&["name:char:Name"]), "id"));
    }
    let mut store = Store { version: config.version, models, users: Vec::new() };
    seed_users(&mut store, config);
    seed_records(&mut store, v19);
    seed_ir_model(&mut store, v19);
    store
}

fn partner_id(id17: i64, v19: bool) -> i64 {
    if !v19 {
        return id17;
    }
    PARTNERS.iter().find(|p| p.0 == id17).map(|p| p.1).unwrap_or(id17)
}

fn seed_users(store: &mut Store, config: &Config) {
    let v19 = config.version == OdooVersion::V19;
    let demo2_partner = partner_id(42, v19);
    let marc_partner = partner_id(7, v19);
    let mut users: Vec<(i64, String, String, i64, bool)> = vec![
        (1, "__system__".into(), "OdooBot".into(), 2, false),
        (2, "admin".into(), "Mitchell Admin".into(), 3, true),
        (6, "demo".into(), "Marc Demo".into(), marc_partner, true),
    ];
    let mut next_partner = 100;
    for u in &config.users {
        let (name, partner) = match u.login.as_str() {
            "admin" => ("Mitchell Admin".to_string(), 3),
            "demo2" => ("Demo Two".to_string(), demo2_partner),
            other => {
                next_partner += 1;
                (other.to_string(), next_partner)
            }
        };
        users.retain(|(uid, login, ..)| *uid != u.uid && *login != u.login);
        users.push((u.uid, u.login.clone(), name.clone(), partner, true));
        store.users.push(UserInfo {
            uid: u.uid,
            login: u.login.clone(),
            key: u.api_key.clone(),
            restricted: u.restricted,
            partner_id: partner,
            name,
        });
        if partner > 100 {
            if let Some(m) = store.models.get_mut("res.partner") {
                m.insert(
                    partner,
                    rec(vec![("name", json!(u.login)), ("active", json!(true)), ("type", json!("contact"))]),
                );
            }
        }
    }
    if let Some(m) = store.models.get_mut("res.users") {
        for (uid, login, name, partner, active) in users {
            m.insert(
                uid,
                rec(vec![
                    ("name", json!(name)),
                    ("login", json!(login)),
                    ("partner_id", json!(partner)),
                    ("active", json!(active)),
                    ("company_id", json!(1)),
                    // As recorded: on 19 the administrator also belongs to the second company.
                    ("company_ids", if v19 && uid == 2 { json!([2, 1]) } else { json!([1]) }),
                    ("lang", json!("en_US")),
                    ("tz", json!("Europe/Brussels")),
                    ("share", json!(false)),
                    ("create_date", json!("2026-11-24 11:00:00")),
                ]),
            );
        }
    }
}

fn insert(store: &mut Store, model: &str, id: i64, mut r: Record, date: &str) {
    r.entry("create_date").or_insert(json!(date));
    r.entry("write_date").or_insert(json!(date));
    r.entry("create_uid").or_insert(json!(1));
    r.entry("write_uid").or_insert(json!(1));
    if let Some(m) = store.models.get_mut(model) {
        m.insert(id, r);
    }
}

fn seed_records(store: &mut Store, v19: bool) {
    let date = if v19 { "2026-11-24 11:03:37" } else { "2026-11-24 11:10:10" };
    let uid_of = |code: i64, store: &Store| -> Value {
        match code {
            0 => json!(false),
            -1 => store.users.iter().find(|u| u.login == "demo2").map(|u| json!(u.uid)).unwrap_or(json!(false)),
            c => json!(c),
        }
    };
    let country = |code: &str| COUNTRIES.iter().find(|c| c.2 == code).map(|c| json!(c.0)).unwrap_or(json!(false));
    for (id, name, code, phone) in COUNTRIES {
        insert(
            store,
            "res.country",
            *id,
            rec(vec![("name", json!(name)), ("code", json!(code)), ("phone_code", json!(phone))]),
            date,
        );
    }
    for p in PARTNERS {
        let (id, parent, cc) = if v19 { (p.1, p.3, p.12) } else { (p.0, p.2, p.11) };
        if id == 0 {
            continue;
        }
        let mut r = rec(vec![
            ("name", json!(p.4)),
            ("is_company", json!(p.5)),
            ("email", opt(p.6)),
            ("phone", opt(p.7)),
            ("street", opt(p.8)),
            ("city", opt(p.9)),
            ("zip", opt(p.10)),
            ("country_id", country(cc)),
            ("function", opt(p.13)),
            ("parent_id", if parent == 0 { json!(false) } else { json!(parent) }),
            ("active", json!(p.4 != "OdooBot")),
            ("type", json!("contact")),
            ("lang", json!("en_US")),
            ("customer_rank", json!(if p.5 { 1 } else { 0 })),
        ]);
        if matches!(p.4, "Mitchell Admin" | "Marc Demo") {
            r.insert("company_name".into(), json!("YourCompany"));
        }
        let created = if p.4 == "My US Company" { "2026-11-24 11:03:45" } else { date };
        insert(store, "res.partner", id, r, created);
    }
    if let Some(m) = store.models.get_mut("res.partner") {
        m.next_id = m.next_id.max(if v19 { 46 } else { 44 });
    }
    // As recorded: USD is currency 2 on 16, 1 on the later versions.
    let usd = if store.version == OdooVersion::V16 { 2 } else { 1 };
    insert(
        store,
        "res.company",
        1,
        rec(vec![
            ("name", json!("YourCompany")),
            ("partner_id", json!(1)),
            ("email", json!("info@yourcompany.com")),
            ("country_id", json!(233)),
            ("sequence", json!(0)),
            ("currency_id", json!(usd)),
            ("parent_id", json!(false)),
        ]),
        date,
    );
    insert(
        store,
        "res.currency",
        usd,
        rec(vec![("name", json!("USD")), ("symbol", json!("$")), ("active", json!(true))]),
        date,
    );
    // Only English is installed in the recorded databases.
    insert(
        store,
        "res.lang",
        1,
        rec(vec![("name", json!("English (US)")), ("code", json!("en_US")), ("active", json!(true))]),
        date,
    );
    // The 19 demo database has a second company (its partner is seeded above).
    if v19 {
        let partner = store.models.get("res.partner").and_then(|m| {
            m.records.iter().find(|(_, r)| r.get("name") == Some(&json!("My US Company"))).map(|(id, _)| *id)
        });
        insert(
            store,
            "res.company",
            2,
            rec(vec![
                ("name", json!("My US Company")),
                ("partner_id", json!(partner)),
                // The same sequence: Odoo then orders by name, as recorded.
                ("sequence", json!(0)),
                ("currency_id", json!(usd)),
                ("parent_id", json!(false)),
            ]),
            date,
        );
    }
    insert(
        store,
        "crm.team",
        1,
        rec(vec![
            ("name", json!("Sales")),
            ("sequence", json!(10)),
            ("active", json!(true)),
            ("user_id", json!(2)),
            ("company_id", json!(1)),
            ("use_leads", json!(true)),
            ("use_opportunities", json!(true)),
        ]),
        date,
    );
    insert(
        store,
        "crm.team",
        5,
        rec(vec![
            ("name", json!("Pre-Sales")),
            ("sequence", json!(20)),
            ("active", json!(true)),
            ("user_id", json!(6)),
            ("company_id", json!(1)),
            ("use_leads", json!(true)),
            ("use_opportunities", json!(true)),
        ]),
        date,
    );
    for (id, name, seq, won) in STAGES {
        insert(
            store,
            "crm.stage",
            *id,
            rec(vec![("name", json!(name)), ("sequence", json!(seq)), ("is_won", json!(won)), ("fold", json!(false))]),
            date,
        );
    }
    for l in LEADS {
        let partner = if l.3 == 0 { json!(false) } else { json!(partner_id(l.3, v19)) };
        let user = uid_of(l.10, store);
        let r = rec(vec![
            ("name", json!(l.1)),
            ("type", json!(l.2)),
            ("partner_id", partner),
            ("contact_name", json!(l.4)),
            ("partner_name", json!(l.5)),
            ("email_from", json!(l.6)),
            ("stage_id", json!(l.7)),
            ("expected_revenue", json!(l.8)),
            ("probability", json!(l.9)),
            ("user_id", user),
            ("priority", json!(l.11)),
            ("active", json!(l.13)),
            ("team_id", json!(1)),
            ("company_id", json!(1)),
        ]);
        insert(store, "crm.lead", l.0, r, l.12);
    }
    for (id, name, internal, model) in SUBTYPES {
        insert(
            store,
            "mail.message.subtype",
            *id,
            rec(vec![
                ("name", json!(name)),
                ("internal", json!(internal)),
                ("res_model", opt(model)),
                ("sequence", json!(id)),
            ]),
            date,
        );
    }
    let msg_date = if v19 { "2026-11-24 11:04:16" } else { "2026-11-24 11:10:40" };
    for m in MESSAGES {
        let res_id = if m.2 == "res.partner" { partner_id(m.3, v19) } else { m.3 };
        let author = if m.5 == 0 { json!(false) } else { json!(partner_id(m.5, v19)) };
        let record_name = store.display_name(m.2, res_id);
        let r = rec(vec![
            ("body", json!(if v19 { m.8 } else { m.7 })),
            ("model", json!(m.2)),
            ("res_id", json!(res_id)),
            ("message_type", json!(m.4)),
            ("author_id", author),
            ("subtype_id", json!(m.6)),
            ("date", json!(msg_date)),
            ("record_name", json!(record_name)),
            ("subject", json!(false)),
        ]);
        insert(store, "mail.message", if v19 { m.1 } else { m.0 }, r, msg_date);
    }
    for o in ORDERS {
        let partner = json!(partner_id(o.1, v19));
        let r = rec(vec![
            ("name", json!(format!("S{:05}", o.0))),
            ("partner_id", partner.clone()),
            ("partner_invoice_id", partner.clone()),
            ("partner_shipping_id", partner),
            ("user_id", uid_of(o.2, store)),
            ("state", json!(o.3)),
            ("amount_untaxed", json!(o.4)),
            ("amount_tax", json!(((o.5 - o.4) * 100.0).round() / 100.0)),
            ("amount_total", json!(o.5)),
            ("date_order", json!(o.6)),
            ("team_id", json!(1)),
            ("company_id", json!(1)),
        ]);
        insert(store, "sale.order", o.0, r, o.6);
    }
    for (i, (key, value)) in PARAMETERS.iter().enumerate() {
        insert(
            store,
            "ir.config_parameter",
            i as i64 + 1,
            rec(vec![("key", json!(key)), ("value", json!(value))]),
            date,
        );
    }
    for (i, (name, n, unit, next)) in CRONS.iter().enumerate() {
        insert(
            store,
            "ir.cron",
            i as i64 + 1,
            rec(vec![
                ("name", json!(name)),
                ("interval_number", json!(n)),
                ("interval_type", json!(unit)),
                ("nextcall", json!(next)),
                ("active", json!(true)),
                ("priority", json!(5)),
            ]),
            date,
        );
    }
    for (i, (n17, full17, n19)) in GROUPS.iter().enumerate() {
        let name = if v19 { n19 } else { n17 };
        let full = if v19 { n19 } else { full17 };
        insert(
            store,
            "res.groups",
            i as i64 + 1,
            rec(vec![("name", json!(name)), ("full_name", json!(full)), ("share", json!(false))]),
            date,
        );
    }
}

fn seed_ir_model(store: &mut Store, v19: bool) {
    let recorded = if v19 { IR_MODEL_19 } else { IR_MODEL_17 };
    let mut rows: Vec<(i64, String, String, bool)> =
        recorded.iter().map(|(id, m, n)| (*id, m.to_string(), n.to_string(), false)).collect();
    let mut next = 1000;
    let names: Vec<(String, String)> = store.models.values().map(|m| (m.name.clone(), m.description.clone())).collect();
    for (model, desc) in names {
        if rows.iter().any(|r| r.1 == model) {
            continue;
        }
        next += 1;
        let transient = TRANSIENT_MODELS.iter().any(|(m, _)| *m == model);
        rows.push((next, model, desc, transient));
    }
    for (id, model, name, transient) in rows {
        let r = rec(vec![
            ("model", json!(model)),
            ("name", json!(name)),
            ("transient", json!(transient)),
            ("modules", json!(modules_of(&model))),
            ("state", json!("base")),
            ("info", json!(false)),
            ("order", json!("id")),
        ]);
        insert(store, "ir.model", id, r, "2026-11-24 11:00:00");
    }
}
