//! What the read tools share: choosing fields (defaults, unknown ones dropped and reported), checking
//! an `order`, and reading past fields Odoo refuses so that one unreadable field never fails a read.

use crate::access::Operation;
use crate::capabilities::call::{ToolCtx, ToolError};
use crate::json;
use crate::odoo::domain::{self, Dialect, FieldUse};
use crate::odoo::domain_values;
use crate::odoo::schema::{default_fields, ModelSchema};
use crate::odoo::{OdooClient, OdooError, OdooErrorKind};
use crate::policy::fields::Restrict;
use serde::Serialize;
use serde_json::{Map, Value};
use std::rc::Rc;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DroppedField {
    pub field: String,
    pub reason: String,
}

pub const MAX_FIELDS: usize = 100;

/// The fields to ask Odoo for. Requested fields this user cannot see are dropped and reported
/// (Odoo hides group-restricted fields from `fields_get`, so unknown and unreadable look alike).
pub fn select_fields(schema: &ModelSchema, requested: Option<Vec<String>>) -> (Vec<String>, Vec<DroppedField>) {
    let Some(requested) = requested.filter(|r| !r.is_empty()) else {
        return (never_empty(default_fields(schema)), Vec::new());
    };
    let mut fields = Vec::new();
    let mut dropped = Vec::new();
    for f in requested {
        if schema.fields.contains_key(&f) || f == "id" {
            if !fields.contains(&f) {
                fields.push(f);
            }
        } else if schema.hidden.contains(&f) {
            dropped.push(DroppedField { reason: schema.hidden_reason(&f), field: f });
        } else {
            dropped.push(DroppedField { reason: "unknown field, or not readable by this Odoo user".into(), field: f });
        }
    }
    // Nothing left to read: the defaults, never an empty list (Odoo reads every field for `[]`).
    let fields = if fields.is_empty() { never_empty(default_fields(schema)) } else { fields };
    (fields, dropped)
}

/// Odoo answers an empty field list with every field, including those a field policy hides.
fn never_empty(fields: Vec<String>) -> Vec<String> {
    if fields.is_empty() {
        vec!["id".into()]
    } else {
        fields
    }
}

/// Validates `field [asc|desc] [nulls first|last], …` against sortable fields, returning it normalised.
pub fn check_order(model: &str, schema: &ModelSchema, order: &str) -> Result<String, ToolError> {
    let mut parts = Vec::new();
    for term in order.split(',') {
        let words: Vec<&str> = term.split_whitespace().collect();
        let Some((field, rest)) = words.split_first() else {
            return Err(ToolError::Invalid("'order' has an empty term".into()));
        };
        if schema.hidden.contains(*field) {
            return Err(ToolError::Denied(schema.denial(model, field)));
        }
        let info = schema.fields.get(*field).filter(|_| *field != "id");
        if *field != "id" && info.is_none() {
            return Err(ToolError::Invalid(format!(
                "cannot order by '{}': no such field",
                crate::text::truncate(field, 60)
            )));
        }
        if info.is_some_and(|f| !f.sortable) {
            return Err(ToolError::Invalid(format!(
                "cannot order by '{field}': it is not stored, so Odoo cannot sort on it"
            )));
        }
        let rest: Vec<String> = rest.iter().map(|w| w.to_ascii_lowercase()).collect();
        let ok = match rest.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
            [] | ["asc"] | ["desc"] => true,
            [dir, "nulls", pos] => matches!(*dir, "asc" | "desc") && matches!(*pos, "first" | "last"),
            ["nulls", pos] => matches!(*pos, "first" | "last"),
            _ => false,
        };
        if !ok {
            return Err(ToolError::Invalid(format!(
                "'order' term '{}' must be 'field [asc|desc] [nulls first|last]'",
                term.trim()
            )));
        }
        parts.push(std::iter::once(field.to_string()).chain(rest).collect::<Vec<_>>().join(" "));
    }
    Ok(parts.join(", "))
}

/// The `domain` argument (absent: every record), validated against the model's fields and checked
/// against this key's permissions (`check_field_uses`).
pub async fn checked_domain(
    ctx: &ToolCtx<'_>,
    client: &OdooClient<'_>,
    model: &str,
    schema: &Rc<ModelSchema>,
    a: &Map<String, Value>,
) -> Result<Value, ToolError> {
    let domain = match a.get("domain") {
        None | Some(Value::Null) => json!([]),
        Some(d) => d.clone(),
    };
    let dialect = Dialect::of(&ctx.req.auth.connection);
    let uses = domain::validate(&domain, schema, dialect).map_err(ToolError::Invalid)?;
    check_field_uses(ctx, client, model, schema, &uses, dialect).await?;
    Ok(domain)
}

/// Checks the field paths a domain uses against this key's permissions. A hidden field is refused
/// anywhere on a path; a path that goes through a relation (`partner_id.email`, `any`, a name search on
/// a relational field) needs read permission on the related model, whose field policy then applies. The
/// value of a condition on a related model's field is checked against that field's type (the model's
/// own fields had theirs checked by `domain::validate`).
async fn check_field_uses(
    ctx: &ToolCtx<'_>,
    client: &OdooClient<'_>,
    model: &str,
    schema: &Rc<ModelSchema>,
    uses: &[FieldUse],
    dialect: Dialect,
) -> Result<(), ToolError> {
    for u in uses {
        let segments: Vec<&str> = u.path.split('.').collect();
        let mut current = (model.to_string(), schema.clone());
        for (i, seg) in segments.iter().enumerate() {
            let (current_model, current_schema) = &current;
            if current_schema.hidden.contains(*seg) {
                return Err(ToolError::Denied(current_schema.denial(current_model, seg)));
            }
            let field = current_schema.fields.get(*seg).ok_or_else(|| {
                ToolError::Invalid(format!(
                    "the domain uses '{}': '{current_model}' has no field '{seg}' (or this Odoo user cannot see it)",
                    u.path
                ))
            })?;
            let last = i + 1 == segments.len();
            if last && i > 0 {
                domain_values::check(&u.path, field, &u.operator, &u.value, dialect)
                    .map_err(|e| ToolError::Invalid(format!("the domain uses '{}': {e}", u.path)))?;
            }
            if last && !(u.reaches_relation && field.is_relational()) {
                break;
            }
            let related = field.relation.clone().ok_or_else(|| {
                ToolError::Invalid(format!("the domain uses '{}': '{seg}' is not a relational field", u.path))
            })?;
            ctx.req.auth.permissions.check(&related, Operation::Read).map_err(ToolError::Denied)?;
            if last {
                break;
            }
            let next = ctx.schema(client, &related).await?;
            current = (related, next);
        }
    }
    Ok(())
}

/// Field names an Odoo AccessError says are not readable (17: "Fields:\n- x (…)", 19: `the field "x"`).
pub fn denied_fields(e: &OdooError) -> Vec<String> {
    if e.kind != OdooErrorKind::AccessError {
        return Vec::new();
    }
    let msg = &e.message;
    let mut out = Vec::new();
    if let Some(rest) = msg.split("Fields:").nth(1) {
        for line in rest.lines() {
            if let Some(item) = line.trim().strip_prefix("- ") {
                if let Some(name) = item.split_whitespace().next() {
                    out.push(name.to_string());
                }
            }
        }
    }
    for marker in ["access the field ", "access the fields "] {
        if let Some(rest) = msg.split(marker).nth(1) {
            let list = rest.split(" on ").next().unwrap_or("");
            out.extend(
                list.split(',')
                    .map(|s| s.trim().trim_matches('"').trim_matches('\'').to_string())
                    .filter(|s| !s.is_empty()),
            );
        }
    }
    out.retain(|f| f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'));
    out
}

/// Reads with `read_once(fields)`; when Odoo refuses named fields, drops them and reads again, at
/// most three times. Other errors pass through.
pub async fn read_dropping_refused<F, Fut>(
    mut fields: Vec<String>,
    dropped: &mut Vec<DroppedField>,
    mut read_once: F,
) -> Result<Value, ToolError>
where
    F: FnMut(Vec<String>) -> Fut,
    Fut: std::future::Future<Output = Result<Value, OdooError>>,
{
    for _ in 0..3 {
        match read_once(fields.clone()).await {
            Ok(v) => return Ok(v),
            Err(e) => {
                let refused: Vec<String> = denied_fields(&e).into_iter().filter(|f| fields.contains(f)).collect();
                if refused.is_empty() {
                    return Err(e.into());
                }
                fields.retain(|f| !refused.contains(f));
                dropped.extend(
                    refused.into_iter().map(|field| DroppedField {
                        field,
                        reason: "this Odoo user has no access to this field".into(),
                    }),
                );
                fields = never_empty(fields);
            }
        }
    }
    Err(ToolError::Unavailable("Odoo kept refusing fields of this read; ask for fewer fields".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::odoo::schema::parse_fields_get;
    use crate::policy::permissions::Denial;
    use serde_json::json;

    fn schema() -> ModelSchema {
        parse_fields_get(&json!({"name": {"type": "char", "store": true}, "display_name": {"type": "char", "store": false, "sortable": false}, "date": {"type": "date", "store": true}})).unwrap()
    }

    #[test]
    fn parses_refused_fields_from_both_versions() {
        let v17 = OdooError::new(OdooErrorKind::AccessError, "The requested operation can not be completed due to security restrictions.\n\nDocument type: Contact (res.partner)\nOperation: read\nUser: 8\nFields:\n- signup_type (allowed for groups 'Administration / Access Rights')\n- credit (allowed for groups 'Invoicing')");
        assert_eq!(denied_fields(&v17), vec!["signup_type", "credit"]);
        let v19 = OdooError::new(OdooErrorKind::AccessError, "You do not have enough rights to access the field \"signup_type\" on Contact (res.partner). Please contact your system administrator.");
        assert_eq!(denied_fields(&v19), vec!["signup_type"]);
        let other = OdooError::new(
            OdooErrorKind::AccessError,
            "You are not allowed to access 'Contact' (res.partner) records.",
        );
        assert!(denied_fields(&other).is_empty());
    }

    #[test]
    fn selects_and_drops_fields() {
        let (f, d) = select_fields(&schema(), Some(vec!["name".into(), "nope".into(), "name".into()]));
        assert_eq!(f, vec!["name"]);
        assert_eq!(d[0].field, "nope");
        let (f, _) = select_fields(&schema(), None);
        assert!(f.contains(&"display_name".to_string()));
    }

    #[test]
    fn orders_are_checked() {
        assert_eq!(check_order("m", &schema(), "name DESC, id").unwrap(), "name desc, id");
        assert_eq!(check_order("m", &schema(), "date asc nulls last").unwrap(), "date asc nulls last");
        assert!(check_order("m", &schema(), "display_name").is_err());
        assert!(check_order("m", &schema(), "nope").is_err());
        assert!(check_order("m", &schema(), "name; drop table").is_err());
        assert!(check_order("m", &schema(), "name sideways").is_err());
        assert!(check_order("m", &schema(), "name,").is_err());
        let mut hidden = schema();
        hidden.fields.remove("date");
        hidden.hidden.insert("date".into());
        assert!(matches!(check_order("m", &hidden, "date desc"), Err(ToolError::Denied(Denial::FieldHidden { .. }))));
        let (f, d) = select_fields(&hidden, Some(vec!["date".into(), "name".into()]));
        assert_eq!(f, vec!["name"]);
        assert!(d[0].reason.contains("field policy"));
        let (f, _) = select_fields(&hidden, Some(vec!["date".into()]));
        assert!(!f.is_empty() && !f.contains(&"date".to_string()), "all dropped: the defaults, never []: {f:?}");
    }
}
