//! The files attached to a record (`ir.attachment` rows with its `res_model`/`res_id`): listing them and
//! reading one, for the `odoo://{model}/{id}/attachments[/{attachment_id}]` resources, and what
//! `odoo_attach` shares with them (the record check, the size limit, the calls' shapes).
//!
//! Gated by the RECORD's model permission, never by `ir.attachment`'s (a sensitive model, blocked as a
//! model everywhere else): the record is read first as the key's Odoo user, and only its attachments
//! are searched, so a key reaches no file of a record it cannot read. Odoo applies its own check on top
//! (an attachment is readable when its record is). The content is `datas` (base64) on Odoo 16–19; it
//! never reaches a log line or an audit row.

use super::budget::Budget;
use super::writing::{read_records, refuse_hidden};
use crate::access::Operation;
use crate::capabilities::call::{ToolCtx, ToolError, ToolResult};
use crate::json;
use crate::odoo::call::Call;
use crate::odoo::error::{OdooError, OdooErrorKind};
use crate::odoo::{Connection, OdooClient, Transport};
use base64::Engine;
use serde_json::{Map, Value};

/// The audit rows' `tool` of the resource reads (no tool of that name is listed).
pub const LIST: &str = "attachments";
pub const READ: &str = "attachment";
const MODEL: &str = "ir.attachment";
/// What a listing reads of each attachment (never its content).
const LIST_FIELDS: [&str; 4] = ["name", "mimetype", "file_size", "create_date"];
const OCTET_STREAM: &str = "application/octet-stream";

/// The record `model` `id` as this Odoo user sees it (its `display_name`): a record hidden by a rule is
/// Odoo's access refusal, one that does not exist is a missing record.
pub async fn visible_record(
    ctx: &ToolCtx<'_>,
    client: &OdooClient<'_>,
    model: &str,
    id: i64,
) -> Result<Map<String, Value>, ToolError> {
    let schema = ctx.schema(client, model).await?;
    let found = read_records(client, model, &schema, &[id], std::iter::empty()).await?;
    if let Some(record) = found.into_iter().next() {
        return Ok(record);
    }
    refuse_hidden(client, &ctx.req.auth.connection, model, &[id]).await?;
    Err(OdooError::new(OdooErrorKind::MissingError, format!("no record {model} {id}: it does not exist")).into())
}

/// The record (as `visible_record`) and its attachments (as `of_record`), asked for at once: the
/// attachments are used only once the record is known visible (and Odoo itself lists only attachments of
/// records its user may read), so a hidden or missing record answers with the record's refusal.
pub async fn record_and_attachments(
    ctx: &ToolCtx<'_>,
    client: &OdooClient<'_>,
    model: &str,
    id: i64,
) -> Result<(Map<String, Value>, Vec<Map<String, Value>>), ToolError> {
    client.logged_in().await?;
    let (record, rows) =
        crate::platform::join(visible_record(ctx, client, model, id), of_record(client, model, id)).await;
    Ok((record?, rows?))
}

/// The attachments of a record, newest first (Odoo's order), without their content. Attachments that
/// hold a binary field of the record (an image, `res_field` set) are not among them: Odoo leaves them
/// out of a search that does not name `res_field`.
pub async fn of_record(client: &OdooClient<'_>, model: &str, id: i64) -> Result<Vec<Map<String, Value>>, ToolError> {
    let domain = json!([["res_model", "=", model], ["res_id", "=", id]]);
    let call = Call {
        model: MODEL,
        method: "search_read",
        ids: None,
        params: vec![("domain", domain), ("fields", json!(LIST_FIELDS))],
        positional: 2,
    };
    super::writing::object_rows(client.call(&call).await?)
}

/// What a listing says of one attachment.
pub fn summary(row: &Map<String, Value>) -> Value {
    let attachment_id = row.get("id").and_then(Value::as_i64).unwrap_or(0);
    json!({
        "id": attachment_id,
        "name": row.get("name").and_then(Value::as_str).unwrap_or(""),
        "mimetype": mimetype_of(row),
        "size": size_of(row),
        "create_date": row.get("create_date").cloned().unwrap_or(Value::Null),
    })
}

fn mimetype_of(row: &Map<String, Value>) -> String {
    row.get("mimetype").and_then(Value::as_str).filter(|m| !m.is_empty()).unwrap_or(OCTET_STREAM).to_string()
}

fn size_of(row: &Map<String, Value>) -> i64 {
    row.get("file_size").and_then(Value::as_i64).unwrap_or(0)
}

/// The refusal of a file over `MAX_ATTACHMENT_BYTES`.
pub fn too_large(what: &str, size: usize, limit: usize) -> ToolError {
    ToolError::Invalid(format!(
        "{what} is {size} bytes, over this server's attachment limit of {limit} bytes (MAX_ATTACHMENT_BYTES, \
         set by its administrator); open it in Odoo instead"
    ))
}

/// `odoo://{model}/{id}/attachments`: the record's attachments (id, name, mimetype, size), within the
/// response budget.
pub async fn list(ctx: &ToolCtx<'_>, model: &str, id: i64) -> ToolResult {
    ctx.require(model, Operation::Read)?;
    let client = ctx.odoo()?;
    let (record, rows) = record_and_attachments(ctx, &client, model, id).await?;
    let items: Vec<Value> = rows.iter().map(summary).collect();
    let mut out = json!({"model": model, "id": id, "display_name": record.get("display_name"), "attachments": []});
    let budget = Budget::new(ctx.req.svc.settings.max_response_bytes);
    let fitted = budget.fit_records(&out, items);
    ctx.set_record_count(fitted.kept.len());
    ctx.set_answer(format!("record {id}: {} attachment(s)", rows.len()));
    if let Some(notice) = fitted.notice(budget, "attachments", "Open the record in Odoo to see the others.") {
        out["notice"] = json!(notice);
    }
    if !fitted.truncated_values.is_empty() {
        out["truncated_values"] = json!(fitted.truncated_values);
    }
    out["attachments"] = Value::Array(fitted.kept);
    Ok(out)
}

/// `odoo://{model}/{id}/attachments/{attachment_id}`: `{"mimeType", "text"}` for a text type (cut at the
/// response budget, and saying so), else `{"mimeType", "blob"}` (base64), up to `MAX_ATTACHMENT_BYTES`.
/// The size is known before the content is asked for, so a file over the limit is never fetched.
pub async fn read(ctx: &ToolCtx<'_>, model: &str, id: i64, attachment_id: i64) -> ToolResult {
    ctx.require(model, Operation::Read)?;
    let client = ctx.odoo()?;
    let (_, rows) = record_and_attachments(ctx, &client, model, id).await?;
    let row = rows.iter().find(|r| r.get("id").and_then(Value::as_i64) == Some(attachment_id)).ok_or_else(|| {
        OdooError::new(
            OdooErrorKind::MissingError,
            format!("{model} {id} has no attachment {attachment_id} (see odoo://{model}/{id}/attachments)"),
        )
    })?;
    let limit = ctx.req.svc.settings.max_attachment_bytes;
    let listed = usize::try_from(size_of(row)).unwrap_or(0);
    if listed > limit {
        return Err(too_large(&format!("attachment {attachment_id}"), listed, limit));
    }
    ctx.checkpoint(&client).await?;
    let content = content_of(&client, attachment_id).await?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(content.datas.as_bytes())
        .map_err(|_| ToolError::Unavailable("Odoo's attachment content is not base64".into()))?;
    if bytes.len() > limit {
        return Err(too_large(&format!("attachment {attachment_id}"), bytes.len(), limit));
    }
    let mimetype = content.mimetype.unwrap_or_else(|| mimetype_of(row));
    ctx.set_record_count(1);
    ctx.set_answer(format!("record {id}, attachment {attachment_id}, {} bytes, {mimetype}", bytes.len()));
    if !is_text(&mimetype) {
        return Ok(json!({"mimeType": mimetype, "blob": content.datas}));
    }
    let text = String::from_utf8_lossy(&bytes);
    let max = ctx.req.svc.settings.max_response_bytes;
    let kept = within_json_bytes(&text, max);
    if kept.len() == text.len() {
        return Ok(json!({"mimeType": mimetype, "text": text}));
    }
    let notice = format!(
        "\n\n[truncated: the first {} of {} bytes are shown (the response size limit, MAX_RESPONSE_BYTES); open the \
         file in Odoo for the rest]",
        kept.len(),
        text.len()
    );
    Ok(json!({"mimeType": mimetype, "text": format!("{kept}{notice}")}))
}

/// The longest prefix of `text` whose JSON string (escapes included, quotes excluded) fits in `max` bytes.
fn within_json_bytes(text: &str, max: usize) -> &str {
    let mut used = 0usize;
    for (at, c) in text.char_indices() {
        used += match c {
            '"' | '\\' | '\n' | '\r' | '\t' | '\u{8}' | '\u{c}' => 2,
            c if (c as u32) < 0x20 => 6,
            c => c.len_utf8(),
        };
        if used > max {
            return &text[..at];
        }
    }
    text
}

struct Content {
    datas: String,
    mimetype: Option<String>,
}

/// One attachment's content (`datas`, base64; `false` for an empty file) and type.
async fn content_of(client: &OdooClient<'_>, attachment_id: i64) -> Result<Content, ToolError> {
    let ids = [attachment_id];
    let call = Call {
        model: MODEL,
        method: "read",
        ids: Some(&ids),
        params: vec![("fields", json!(["name", "mimetype", "datas"]))],
        positional: 1,
    };
    let answer = client.call(&call).await?;
    let row = answer.as_array().and_then(|rows| rows.first()).and_then(Value::as_object).ok_or_else(|| {
        OdooError::new(OdooErrorKind::MissingError, format!("attachment {attachment_id} does not exist"))
    })?;
    let datas = match row.get("datas") {
        Some(Value::String(s)) => s.chars().filter(|c| !c.is_ascii_whitespace()).collect(),
        Some(Value::Bool(false)) | None => String::new(),
        Some(_) => return Err(ToolError::Unavailable("Odoo's attachment content is not base64 text".into())),
    };
    let mimetype = row.get("mimetype").and_then(Value::as_str).filter(|m| !m.is_empty()).map(str::to_string);
    Ok(Content { datas, mimetype })
}

/// Whether a file of this type is read as text: `text/*`, JSON, XML (SVG included), YAML, JavaScript, CSV.
pub fn is_text(mimetype: &str) -> bool {
    let m = mimetype.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    m.starts_with("text/")
        || m.ends_with("+json")
        || m.ends_with("+xml")
        || matches!(
            m.as_str(),
            "application/json"
                | "application/xml"
                | "application/javascript"
                | "application/x-yaml"
                | "application/yaml"
                | "application/csv"
        )
}

/// `ir.attachment.create` of one file on a record, in the shape each transport was recorded with: a
/// list of one over JSON-2 (answered `[id]`), a single dict over `/jsonrpc` (answered with a bare id).
pub fn create_call<'p>(conn: &Connection, vals: Map<String, Value>) -> Call<'p> {
    let vals = match conn.transport {
        Transport::Json2 => json!([vals]),
        _ => Value::Object(vals),
    };
    Call { model: MODEL, method: "create", ids: None, params: vec![("vals_list", vals)], positional: 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_types_are_told_from_binary_ones() {
        for t in ["text/plain", "text/csv; charset=utf-8", "application/json", "image/svg+xml", "application/ld+json"] {
            assert!(is_text(t), "{t}");
        }
        for t in ["application/pdf", "image/png", "application/octet-stream", "application/zip", ""] {
            assert!(!is_text(t), "{t}");
        }
    }

    #[test]
    fn text_is_cut_by_its_json_length() {
        assert_eq!(within_json_bytes("abc", 3), "abc");
        assert_eq!(within_json_bytes("a\nb", 3), "a\n", "a newline is two bytes of JSON");
        assert_eq!(within_json_bytes("aé", 2), "a", "never inside a character");
        assert_eq!(within_json_bytes("\u{1}x", 6), "\u{1}");
    }

    #[test]
    fn a_listing_never_carries_content_and_defaults_its_type() {
        let row = json!({"id": 903, "name": "probe.txt", "file_size": 32, "create_date": "2026-12-04 05:43:49", "mimetype": false});
        let s = summary(row.as_object().unwrap());
        assert_eq!(s["mimetype"], "application/octet-stream");
        assert_eq!(s["size"], 32);
        assert!(s.get("datas").is_none());
    }
}
