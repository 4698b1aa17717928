//! `odoo_attach`: adds a file to a record as an `ir.attachment` (its `res_model`/`res_id`, the content as
//! `datas`, base64), up to `MAX_ATTACHMENT_BYTES`. Attaching changes the record, so it needs update
//! permission on the RECORD's model (Odoo itself checks write access on the record), never on
//! `ir.attachment`. Audited as `attachment_added` (record, attachment id, size, type; never the content).
//!
//! On a record with a chatter the file is also posted there, as a log note carrying the attachment
//! (`message_post` with `attachment_ids`, as Odoo's own composer does), so that people see who added
//! what and when; the note notifies nobody.

use super::args;
use super::attachments::{create_call, of_record, too_large, visible_record};
use super::chatter::record_id;
use super::chatter_post::{post_params, Kind, MAX_BODY_CHARS};
use super::definition::{company_property, dry_run_property, Tool};
use crate::access::Operation;
use crate::capabilities::call::{ToolCtx, ToolError, ToolResult};
use crate::json;
use crate::odoo::call::Call;
use crate::odoo::{answer, OdooClient};
use base64::Engine;
use serde_json::{Map, Value};

pub const NAME: &str = "odoo_attach";
/// Odoo's `ir.attachment.name` is a plain char field; a file name longer than this is a mistake.
pub(super) const MAX_NAME_CHARS: usize = 255;

pub fn definition() -> Tool {
    Tool { name: NAME, text: DEFINITION }
}

/// The definition `tools/list` publishes (with its objects' keys sorted, as the server's JSON is).
const DEFINITION: &str = concat!(
    r#"{
  "annotations": {
    "destructiveHint": false,
    "idempotentHint": false,
    "openWorldHint": true,
    "readOnlyHint": false,
    "title": "Attach a file to an Odoo record"
  },
  "description": "Attach a file to one record (e.g. a quotation PDF to a sale.order, notes to a crm.lead): it appears in the record's attachments in Odoo and, on a record with a chatter, as a log note carrying the file (with `note` as its text; it notifies nobody). Give the content either as text (for text files) or as content_base64 (any file), with its name and mimetype. Needs update permission on the model. Files over the server's size limit are refused. dry_run checks the record and the permission without attaching.",
  "inputSchema": {
    "additionalProperties": false,
    "properties": {
      "#,
    company_property!(),
    r#",
      "content_base64": {
        "description": "The file's content, base64 (give this or text)",
        "type": "string"
      },
      "#,
    dry_run_property!(),
    r#",
      "id": {
        "description": "Id of the record to attach the file to",
        "minimum": 1,
        "type": "integer"
      },
      "mimetype": {
        "description": "The file's type, e.g. application/pdf or text/plain",
        "type": "string"
      },
      "model": {
        "description": "Technical model name, e.g. sale.order",
        "type": "string"
      },
      "name": {
        "description": "File name, e.g. quote.pdf",
        "maxLength": 255,
        "minLength": 1,
        "type": "string"
      },
      "note": {
        "description": "Text of the chatter note that carries the file (plain text; none by default)",
        "maxLength": 20000,
        "type": "string"
      },
      "text": {
        "description": "The file's content as text, stored as UTF-8 (give this or content_base64)",
        "type": "string"
      }
    },
    "required": [
      "model",
      "id",
      "name",
      "mimetype"
    ],
    "type": "object"
  },
  "name": "odoo_attach",
  "outputSchema": {
    "properties": {
      "attachment_id": {
        "description": "Id of the new ir.attachment (absent on a dry run)",
        "type": "integer"
      },
      "display_name": {
        "description": "The record the file is (or would be) attached to"
      },
      "dry_run": {
        "type": "boolean"
      },
      "id": {
        "type": "integer"
      },
      "message_id": {
        "description": "Id of the chatter note carrying the file (a record with a chatter)",
        "type": "integer"
      },
      "mimetype": {
        "description": "The type Odoo stored (it may replace some, e.g. HTML by text/plain)",
        "type": "string"
      },
      "model": {
        "type": "string"
      },
      "name": {
        "type": "string"
      },
      "size": {
        "description": "Bytes of the file",
        "type": "integer"
      },
      "warning": {
        "type": "string"
      }
    },
    "required": [
      "model",
      "id",
      "name",
      "mimetype",
      "size",
      "dry_run"
    ],
    "type": "object"
  },
  "title": "Attach a file to an Odoo record"
}"#
);

pub async fn run(ctx: &ToolCtx<'_>, a: &Map<String, Value>) -> ToolResult {
    args::reject_unknown(a, &["model", "id", "name", "mimetype", "content_base64", "text", "note", "dry_run"])?;
    let model = args::required_str(a, "model")?;
    let id = record_id(a)?;
    let name = args::required_str(a, "name")?.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(ToolError::Invalid(format!(
            "'name' must be a file name of 1 to {MAX_NAME_CHARS} characters, without control characters"
        )));
    }
    let mimetype = mimetype_arg(args::required_str(a, "mimetype")?)?;
    let note = args::optional_str(a, "note")?.unwrap_or("");
    if note.chars().count() > MAX_BODY_CHARS {
        return Err(ToolError::Invalid(format!("'note' is longer than {MAX_BODY_CHARS} characters; shorten it")));
    }
    let dry_run = super::writing::dry_run_arg(a)?;
    ctx.set_event("attachment_added");
    ctx.require(model, Operation::Update)?;
    let bytes = content_arg(a)?;
    let limit = ctx.req.svc.settings.max_attachment_bytes;
    if bytes.len() > limit {
        return Err(too_large("the file", bytes.len(), limit));
    }

    let client = ctx.odoo()?;
    let record = visible_record(ctx, &client, model, id).await?;
    // Known before anything is attached (the schema `visible_record` read), so nothing after the attachment
    // exists can fail for want of it.
    let chatter = ctx.schema(&client, model).await?.fields.contains_key("message_ids");
    ctx.checkpoint(&client).await?;
    let mut out = json!({"model": model, "id": id, "name": name, "mimetype": mimetype, "size": bytes.len(),
        "display_name": record.get("display_name")});
    if dry_run {
        // Odoo lets a user attach a file to a record it may write.
        super::writing::odoo_access_check(&client, &ctx.req.auth.connection, model, Operation::Update, &[id]).await?;
        out["dry_run"] = json!(true);
        return Ok(out);
    }
    let mut vals = Map::new();
    vals.insert("name".into(), json!(name));
    vals.insert("res_model".into(), json!(model));
    vals.insert("res_id".into(), json!(id));
    vals.insert("datas".into(), json!(base64::engine::general_purpose::STANDARD.encode(&bytes)));
    vals.insert("mimetype".into(), json!(mimetype));
    // The client has checked the answer's shape: one positive id (bare, or a list of one).
    let created = client.call(&create_call(&ctx.req.auth.connection, vals)).await?;
    let attachment_id = answer::single_id(&created)
        .ok_or_else(|| ToolError::Unavailable("Odoo's create answer holds no attachment id".into()))?;
    ctx.set_record_count(1);
    ctx.set_answer(format!("record {id}, attachment {attachment_id}, {} bytes, {mimetype}", bytes.len()));
    ctx.log("info", || format!("{model} {id}: attached {attachment_id}"));
    out["attachment_id"] = json!(attachment_id);
    out["dry_run"] = json!(false);
    let mut warnings = Vec::new();
    if chatter {
        match post_note(ctx, &client, model, id, note, attachment_id).await {
            Ok(message_id) => out["message_id"] = json!(message_id),
            // The file is attached: say so, so that it is not attached twice.
            Err(e) => warnings.push(format!(
                "Attached as {attachment_id}: do not attach it again. Posting the chatter note failed: {}",
                e.what()
            )),
        }
    }
    // Read back what Odoo stored: it replaces some types for users who are not administrators.
    match of_record(&client, model, id).await {
        Ok(rows) => {
            let stored = rows.iter().find(|r| r.get("id").and_then(Value::as_i64) == Some(attachment_id));
            match stored.and_then(|r| r.get("mimetype")).and_then(Value::as_str) {
                Some(m) if m != mimetype => {
                    warnings.push(format!("Odoo stored the file as {m}, not {mimetype}."));
                    out["mimetype"] = json!(m);
                }
                Some(_) => {}
                None => warnings.push(format!(
                    "Attached as {attachment_id}, but Odoo does not list it on the record: tell the user."
                )),
            }
        }
        Err(e) => warnings
            .push(format!("Attached as {attachment_id}: do not attach it again. Reading it back failed: {}", e.what())),
    }
    if !warnings.is_empty() {
        out["warning"] = json!(warnings.join(" "));
    }
    Ok(out)
}

/// Posts the log note that carries the new attachment; its id.
async fn post_note(
    ctx: &ToolCtx<'_>,
    client: &OdooClient<'_>,
    model: &str,
    id: i64,
    note: &str,
    attachment_id: i64,
) -> Result<i64, ToolError> {
    // An empty note is an empty body on every version, as Odoo's composer sends for a file alone.
    let mut params = post_params(&ctx.req.auth.connection, note, Kind::Note, false);
    params.push(("attachment_ids", json!([attachment_id])));
    let ids = [id];
    let call = Call { model, method: "message_post", ids: Some(&ids), params, positional: 0 };
    let posted = client.call(&call).await?;
    answer::single_id(&posted)
        .ok_or_else(|| ToolError::Unavailable("Odoo's message_post answer is not a message id".into()))
}

/// A media type: `type/subtype`, printable ASCII without spaces (parameters after `;` allowed).
fn mimetype_arg(m: &str) -> Result<&str, ToolError> {
    let m = m.trim();
    let essence = m.split(';').next().unwrap_or("").trim();
    let valid = essence.split_once('/').is_some_and(|(t, s)| !t.is_empty() && !s.is_empty() && !s.contains('/'))
        && m.len() <= 255
        && m.bytes().all(|b| b.is_ascii_graphic() || b == b' ')
        && !essence.contains(' ');
    if valid {
        Ok(m)
    } else {
        Err(ToolError::Invalid("'mimetype' must be a media type such as application/pdf or text/plain".into()))
    }
}

/// The file's bytes, from exactly one of `content_base64` and `text` (taken as sent: a text file's
/// spaces and last newline are its own).
fn content_arg(a: &Map<String, Value>) -> Result<Vec<u8>, ToolError> {
    let raw = |name: &str| match a.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(ToolError::Invalid(format!("'{name}' must be a string"))),
    };
    match (raw("content_base64")?, raw("text")?) {
        (Some(b64), None) => {
            let clean: String = b64.chars().filter(|c| !c.is_ascii_whitespace()).collect();
            base64::engine::general_purpose::STANDARD
                .decode(clean.as_bytes())
                .map_err(|_| ToolError::Invalid("'content_base64' is not valid base64".into()))
        }
        (None, Some(text)) => Ok(text.as_bytes().to_vec()),
        (Some(_), Some(_)) => Err(ToolError::Invalid("give either 'content_base64' or 'text', not both".into())),
        (None, None) => {
            Err(ToolError::Invalid("the file's content is missing: give 'content_base64' or 'text'".into()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types_are_checked() {
        for ok in ["application/pdf", "text/plain; charset=utf-8", "image/svg+xml"] {
            assert!(mimetype_arg(ok).is_ok(), "{ok}");
        }
        for bad in ["pdf", "text/", "/plain", "text/plain/x", "text pl/ain", "text/pl\u{7}ain"] {
            assert!(mimetype_arg(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn content_comes_from_exactly_one_argument() {
        let a = |v: Value| v.as_object().cloned().unwrap();
        assert_eq!(content_arg(&a(json!({"text": " hé\n"}))).unwrap(), " hé\n".as_bytes());
        assert_eq!(content_arg(&a(json!({"content_base64": "aGVs\nbG8="}))).unwrap(), b"hello");
        assert!(content_arg(&a(json!({"content_base64": "not base64!"}))).is_err());
        assert!(content_arg(&a(json!({"text": "a", "content_base64": "YQ=="}))).is_err());
        assert!(content_arg(&a(json!({}))).is_err());
    }
}
