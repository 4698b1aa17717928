//! What the write tools share: values checked against the model, the comodels of x2many commands and
//! this key's permissions; Odoo's own access check for a dry run; reading written records back; and the
//! shared argument readers (`values`, `ids`, `dry_run`).

use super::args;
use crate::access::Operation;
use crate::capabilities::call::{ToolCtx, ToolError};
use crate::json;
use crate::odoo::call::Call;
use crate::odoo::error::{OdooError, OdooErrorKind};
use crate::odoo::readback::{self, NotApplied};
use crate::odoo::schema::ModelSchema;
use crate::odoo::values::{self, NestedAction, Problem};
use crate::odoo::OdooClient;
use crate::policy::fields::Restrict;
use serde_json::{Map, Value};

pub const MAX_IDS: usize = 100;

/// The `values` argument, checked and normalised. x2many commands that create, update or delete related
/// records need that permission on the related model (or a key could, say, create users through a
/// partner's `user_ids`), and their values are checked against the related model's fields.
pub async fn checked_values(
    ctx: &ToolCtx<'_>,
    client: &OdooClient<'_>,
    model: &str,
    schema: &ModelSchema,
    a: &Map<String, Value>,
) -> Result<Map<String, Value>, ToolError> {
    let raw = match a.get("values") {
        Some(Value::Object(v)) => v,
        None | Some(Value::Null) => {
            return Err(ToolError::Invalid("'values' is required: an object of field names and values".into()))
        }
        Some(_) => return Err(ToolError::Invalid("'values' must be an object of field names and values".into())),
    };
    let mut checked = values::check(raw, schema).map_err(|p| problems_error(model, schema, p))?;
    for n in &checked.nested {
        let op = match n.action {
            NestedAction::Create => Operation::Create,
            NestedAction::Update => Operation::Update,
            NestedAction::Delete => Operation::Delete,
        };
        ctx.req.auth.permissions.check(&n.comodel, op).map_err(ToolError::Denied)?;
        if n.action == NestedAction::Delete {
            continue;
        }
        let comodel_schema = ctx.schema(client, &n.comodel).await?;
        let Some(cmd) = checked.values.get_mut(&n.field).and_then(|c| c.get_mut(n.index)).and_then(Value::as_array_mut)
        else {
            continue;
        };
        let Some(Value::Object(inner)) = cmd.get(2) else {
            continue;
        };
        let inner_checked = values::check(inner, &comodel_schema).map_err(|p| {
            match problems_error(&n.comodel, &comodel_schema, p) {
                ToolError::Invalid(m) => ToolError::Invalid(format!("in '{}' command {}: {m}", n.field, n.index)),
                other => other,
            }
        })?;
        if !inner_checked.nested.is_empty() {
            return Err(ToolError::Invalid(format!(
                "in '{}' command {}: commands that write records inside related records are not supported; write those records separately",
                n.field, n.index
            )));
        }
        cmd[2] = Value::Object(inner_checked.values);
    }
    Ok(checked.values)
}

fn problems_error(model: &str, schema: &ModelSchema, problems: Vec<Problem>) -> ToolError {
    let mut invalid = Vec::new();
    for p in problems {
        match p {
            Problem::Hidden(field) => return ToolError::Denied(schema.denial(model, &field)),
            Problem::Invalid(m) => invalid.push(m),
        }
    }
    ToolError::Invalid(invalid.join("; "))
}

/// The `ids` argument of the write tools.
pub fn ids_arg(a: &Map<String, Value>) -> Result<Vec<i64>, ToolError> {
    args::record_ids(a, MAX_IDS)
}

pub fn dry_run_arg(a: &Map<String, Value>) -> Result<bool, ToolError> {
    Ok(args::optional_bool(a, "dry_run")?.unwrap_or(false))
}

/// Odoo's own verdict on whether this key's Odoo user may `op` these records (none: the model), without
/// changing anything. From 18.0 `has_access` (ACLs and record rules at once; a bare `true`/`false`, never an
/// error): `check_access` raises instead but is `@api.private` on 19, refused over RPC. Before 18,
/// `check_access_rights` (ACLs; raises) then `check_access_rule` (record rules; raises, else returns None,
/// which `/jsonrpc` answers with no `result` at all).
pub async fn odoo_access_check(
    client: &OdooClient<'_>,
    conn: &crate::odoo::Connection,
    model: &str,
    op: Operation,
    ids: &[i64],
) -> Result<(), ToolError> {
    let odoo_op = match op {
        Operation::Read => "read",
        Operation::Create => "create",
        // A button method changes its records: Odoo checks write access on them.
        Operation::Update | Operation::Action => "write",
        Operation::Delete => "unlink",
    };
    if conn.at_least(18, 0) {
        return has_access(client, model, odoo_op, ids).await;
    }
    access_call(client, model, "check_access_rights", None, odoo_op).await?;
    if !ids.is_empty() {
        access_call(client, model, "check_access_rule", Some(ids), odoo_op).await?;
    }
    Ok(())
}

/// Before a dry run reports `ids` that a search did not find as missing: asks Odoo whether they are hidden
/// from this user rather than gone (`read` access, which Odoo grants on records that do not exist), so that
/// a record the user may not see is reported as refused, as the real operation would be.
pub async fn refuse_hidden(
    client: &OdooClient<'_>,
    conn: &crate::odoo::Connection,
    model: &str,
    not_found: &[i64],
) -> Result<(), ToolError> {
    if not_found.is_empty() {
        return Ok(());
    }
    if conn.at_least(18, 0) {
        return has_access(client, model, "read", not_found).await;
    }
    access_call(client, model, "check_access_rule", Some(not_found), "read").await?;
    Ok(())
}

/// `model.method(ids, operation)`, the shape every access check shares.
async fn access_call(
    client: &OdooClient<'_>,
    model: &str,
    method: &str,
    ids: Option<&[i64]>,
    odoo_op: &str,
) -> Result<Value, ToolError> {
    let call = Call { model, method, ids, params: vec![("operation", json!(odoo_op))], positional: 1 };
    Ok(client.call(&call).await?)
}

/// `has_access`, with a `false` turned into the refusal Odoo itself would raise (in words: it gives none).
async fn has_access(client: &OdooClient<'_>, model: &str, odoo_op: &str, ids: &[i64]) -> Result<(), ToolError> {
    match access_call(client, model, "has_access", Some(ids), odoo_op).await? {
        Value::Bool(true) => Ok(()),
        Value::Bool(false) => {
            let which = match ids {
                [] => format!("{model} records"),
                _ => {
                    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
                    format!("{model} record(s) {}", ids.join(", "))
                }
            };
            let message = format!("this user may not {odoo_op} {which} (Odoo's has_access answered false)");
            Err(OdooError::new(OdooErrorKind::AccessError, message).into())
        }
        _ => Err(ToolError::Unavailable("Odoo's has_access answer is not true or false".into())),
    }
}

/// `fields` (plus `display_name` where the model has it) of the records among `ids` that this Odoo user
/// can see, archived ones included. A search, not a `read`: a record hidden by a record rule is then
/// simply not found, where `read` would fail the whole call.
pub async fn read_records(
    client: &OdooClient<'_>,
    model: &str,
    schema: &ModelSchema,
    ids: &[i64],
    fields: impl Iterator<Item = String>,
) -> Result<Vec<Map<String, Value>>, ToolError> {
    let mut fields: Vec<String> = fields.collect();
    if schema.fields.contains_key("display_name") && !fields.iter().any(|f| f == "display_name") {
        fields.push("display_name".into());
    }
    let mut domain = vec![json!(["id", "in", ids])];
    if schema.fields.contains_key("active") {
        domain.push(json!(["active", "in", [true, false]]));
    }
    let call = Call {
        model,
        method: "search_read",
        ids: None,
        params: vec![("domain", json!(domain)), ("fields", json!(fields))],
        positional: 1,
    };
    object_rows(client.call(&call).await?)
}

/// The records of a `search_read` answer (anything in it that is not a record is left out).
pub(super) fn object_rows(answer: Value) -> Result<Vec<Map<String, Value>>, ToolError> {
    match answer {
        Value::Array(rows) => Ok(rows
            .into_iter()
            .filter_map(|r| match r {
                Value::Object(o) => Some(o),
                _ => None,
            })
            .collect()),
        _ => Err(ToolError::Unavailable("Odoo's search_read answer is not a list".into())),
    }
}

/// Reads the written fields back and lists what Odoo did not apply.
pub async fn read_back(
    client: &OdooClient<'_>,
    model: &str,
    schema: &ModelSchema,
    ids: &[i64],
    sent: &Map<String, Value>,
) -> Result<(Vec<Map<String, Value>>, Vec<NotApplied>), ToolError> {
    let records = read_records(client, model, schema, ids, sent.keys().cloned()).await?;
    let mut not_applied = Vec::new();
    for r in &records {
        if let Some(id) = r.get("id").and_then(Value::as_i64) {
            not_applied.extend(readback::not_applied(id, sent, r, schema));
        }
    }
    Ok((records, not_applied))
}

/// The sentence that goes with a non-empty `not_applied`.
pub fn not_applied_warning(not_applied: &[NotApplied]) -> Option<String> {
    if not_applied.is_empty() {
        return None;
    }
    let mut fields: Vec<&str> = not_applied.iter().map(|n| n.field.as_str()).collect();
    fields.dedup();
    Some(format!(
        "Odoo accepted the call but did not store {} as sent (see not_applied): the field may be computed, \
         or a rule of the model replaced the value. Tell the user; do not assume these values were saved.",
        fields.join(", ")
    ))
}
