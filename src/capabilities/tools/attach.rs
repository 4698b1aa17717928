//! `odoo_attach`: adds a file to a record as an `ir.attachment` (its `res_model`/`res_id`, the content as
//! `datas`, base64), up to `MAX_ATTACHMENT_BYTES`. Attaching changes the record, so it needs update
//! permission on the RECORD's model (Odoo itself checks write access on the record), never on
//! `ir.attachment`. Audited as `attachment_added` (record, attachment id, size, type; never the content).
//!
//! The attachment is not posted as a chatter message: Odoo's chatter lists a record's attachments in its
//! attachment box, and no recording shows `message_post` with `attachment_ids`.

use super::args;
use super::attachments::{create_call, of_record, too_large, visible_record};
use super::chatter::record_id;
use super::definition::Tool;
use crate::access::Operation;
use crate::capabilities::call::{ToolCtx, ToolError, ToolResult};
use crate::json;
use crate::odoo::answer;
use base64::Engine;
use serde_json::{Map, Value};

pub const NAME: &str = "odoo_attach";
/// Odoo's `ir.attachment.name` is a plain char field; a file name longer than this is a mistake.
pub(super) const MAX_NAME_CHARS: usize = 255;

pub fn definition() -> Tool {
    Tool { name: NAME, text: DEFINITION }
}

/// The definition `tools/list` publishes (with its objects' keys sorted, as the server's JSON is).
const DEFINITION: &str = r#"{
  "name": "odoo_attach",
  "title": "Attach a file to an Odoo record",
  "description": "Attach a file to one record (e.g. a quotation PDF to a sale.order, notes to a crm.lead): it appears in the record's attachments in Odoo. Give the content either as text (for text files) or as content_base64 (any file), with its name and mimetype. Needs update permission on the model. Files over the server's size limit are refused. dry_run checks the record and the permission without attaching.",
  "inputSchema": {
    "type": "object",
    "properties": {
      "content_base64": {"type": "string", "description": "The file's content, base64 (give this or text)"},
      "dry_run": {
        "type": "boolean",
        "description": "Run every check and return what would be written, without writing",
        "default": false
      },
      "id": {"type": "integer", "description": "Id of the record to attach the file to", "minimum": 1},
      "mimetype": {"type": "string", "description": "The file's type, e.g. application/pdf or text/plain"},
      "model": {"type": "string", "description": "Technical model name, e.g. sale.order"},
      "name": {"type": "string", "description": "File name, e.g. quote.pdf", "maxLength": 255, "minLength": 1},
      "text": {
        "type": "string",
        "description": "The file's content as text, stored as UTF-8 (give this or content_base64)"
      }
    },
    "required": ["model", "id", "name", "mimetype"],
    "additionalProperties": false
  },
  "outputSchema": {
    "type": "object",
    "properties": {
      "attachment_id": {"type": "integer", "description": "Id of the new ir.attachment (absent on a dry run)"},
      "display_name": {"description": "The record the file is (or would be) attached to"},
      "dry_run": {"type": "boolean"},
      "id": {"type": "integer"},
      "mimetype": {
        "type": "string",
        "description": "The type Odoo stored (it may replace some, e.g. HTML by text/plain)"
      },
      "model": {"type": "string"},
      "name": {"type": "string"},
      "size": {"type": "integer", "description": "Bytes of the file"},
      "warning": {"type": "string"}
    },
    "required": ["model", "id", "name", "mimetype", "size", "dry_run"]
  },
  "annotations": {
    "destructiveHint": false,
    "idempotentHint": false,
    "openWorldHint": true,
    "readOnlyHint": false,
    "title": "Attach a file to an Odoo record"
  }
}"#;

pub async fn run(ctx: &ToolCtx<'_>, a: &Map<String, Value>) -> ToolResult {
    args::reject_unknown(a, &["model", "id", "name", "mimetype", "content_base64", "text", "dry_run"])?;
    let model = args::required_str(a, "model")?;
    let id = record_id(a)?;
    let name = args::required_str(a, "name")?.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(ToolError::Invalid(format!(
            "'name' must be a file name of 1 to {MAX_NAME_CHARS} characters, without control characters"
        )));
    }
    let mimetype = mimetype_arg(args::required_str(a, "mimetype")?)?;
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
    // Read back what Odoo stored: it replaces some types for users who are not administrators.
    match of_record(&client, model, id).await {
        Ok(rows) => {
            let stored = rows.iter().find(|r| r.get("id").and_then(Value::as_i64) == Some(attachment_id));
            match stored.and_then(|r| r.get("mimetype")).and_then(Value::as_str) {
                Some(m) if m != mimetype => {
                    out["warning"] = json!(format!("Odoo stored the file as {m}, not {mimetype}."));
                    out["mimetype"] = json!(m);
                }
                Some(_) => {}
                None => {
                    out["warning"] = json!(format!(
                        "Attached as {attachment_id}, but Odoo does not list it on the record: tell the user."
                    ))
                }
            }
        }
        Err(e) => {
            out["warning"] = json!(format!(
                "Attached as {attachment_id}: do not attach it again. Reading it back failed: {}",
                e.what()
            ))
        }
    }
    Ok(out)
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
