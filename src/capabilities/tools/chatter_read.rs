//! `odoo_chatter_read`: a record's thread, newest first, a page at a time, as plain text. The record is
//! read first so that a missing or invisible record is an error rather than an empty thread; then one
//! `mail.message` `search_read` asks for one message more than the page to know whether more follow.
//! Messages are normalised to one shape on every version.

use super::args;
use super::chatter::{record_id, require_chatter};
use super::definition::{company_property, Tool};
use crate::access::Operation;
use crate::capabilities::call::{ToolCtx, ToolError, ToolResult};
use crate::capabilities::cursor;
use crate::json;
use crate::odoo::call::Call;
use crate::odoo::html_text::{to_text, MAX_BODY_CHARS};
use crate::odoo::{OdooClient, OdooError, OdooErrorKind};
use serde_json::{Map, Value};

pub const NAME: &str = "odoo_chatter_read";
pub const DEFAULT_LIMIT: i64 = 20;
pub const MAX_LIMIT: i64 = 100;
const FIELDS: [&str; 8] =
    ["date", "author_id", "email_from", "body", "message_type", "subtype_id", "subject", "attachment_ids"];
/// `mail.mt_note`'s name, as the recorded threads of 17 and 19 show it (`[2, "Note"]`). Odoo itself
/// tells notes by that subtype's xmlid, which `search_read` does not return; the name is what it
/// returns without an extra call per page.
const NOTE_SUBTYPE: &str = "Note";

pub fn definition() -> Tool {
    Tool { name: NAME, text: DEFINITION }
}

/// The definition `tools/list` publishes (with its objects' keys sorted, as the server's JSON is).
const DEFINITION: &str = concat!(
    r#"{
  "annotations": {
    "openWorldHint": true,
    "readOnlyHint": true,
    "title": "Read an Odoo record's chatter"
  },
  "description": "Read the chatter (message thread) of one record, newest first, a page at a time (default 20, at most 100): log notes, messages, emails and system notifications, each with its date, author, type and body as plain text (long bodies are cut at 4000 characters). Set include_notifications to false to leave out system notifications (stage changes, creation notices). A message that carries files lists their attachment_ids: read one as the resource odoo://{model}/{id}/attachments/{attachment_id}. Pass next_cursor back as cursor (with the same model, id and include_notifications) for older messages.",
  "inputSchema": {
    "additionalProperties": false,
    "properties": {
      "#,
    company_property!(),
    r#",
      "cursor": {
        "description": "next_cursor from the previous page",
        "type": "string"
      },
      "id": {
        "description": "Id of the record whose chatter this is",
        "minimum": 1,
        "type": "integer"
      },
      "include_notifications": {
        "default": true,
        "description": "false leaves out system notifications (message type notification)",
        "type": "boolean"
      },
      "limit": {
        "default": 20,
        "maximum": 100,
        "minimum": 1,
        "type": "integer"
      },
      "model": {
        "description": "Technical model name, e.g. crm.lead",
        "type": "string"
      }
    },
    "required": [
      "model",
      "id"
    ],
    "type": "object"
  },
  "name": "odoo_chatter_read",
  "outputSchema": {
    "properties": {
      "count": {
        "description": "Messages in this page",
        "type": "integer"
      },
      "id": {
        "type": "integer"
      },
      "messages": {
        "items": {
          "properties": {
            "attachment_ids": {
              "description": "Files the message carries (only when it carries some)",
              "items": {
                "type": "integer"
              },
              "type": "array"
            },
            "author": {
              "description": "Author's name, else the sender's address",
              "type": [
                "string",
                "null"
              ]
            },
            "author_id": {
              "description": "The author's res.partner id",
              "type": [
                "integer",
                "null"
              ]
            },
            "body": {
              "description": "Plain text",
              "type": "string"
            },
            "date": {
              "description": "UTC, YYYY-MM-DD HH:MM:SS",
              "type": [
                "string",
                "null"
              ]
            },
            "date_local": {
              "description": "The same in the key's time zone (time_zone), when it has one",
              "type": [
                "string",
                "null"
              ]
            },
            "id": {
              "type": "integer"
            },
            "is_note": {
              "description": "An internal log note",
              "type": "boolean"
            },
            "subject": {
              "type": [
                "string",
                "null"
              ]
            },
            "subtype": {
              "type": [
                "string",
                "null"
              ]
            },
            "type": {
              "description": "Odoo's message_type: comment, email, notification…",
              "type": [
                "string",
                "null"
              ]
            }
          },
          "required": [
            "id",
            "date",
            "author",
            "author_id",
            "type",
            "subtype",
            "is_note",
            "subject",
            "body"
          ],
          "type": "object"
        },
        "type": "array"
      },
      "model": {
        "type": "string"
      },
      "next_cursor": {
        "description": "Present when older messages follow",
        "type": "string"
      },
      "record_name": {
        "type": [
          "string",
          "null"
        ]
      },
      "time_zone": {
        "description": "The key's time zone, when it has one: date_local is in it",
        "type": "string"
      }
    },
    "required": [
      "model",
      "id",
      "record_name",
      "messages",
      "count"
    ],
    "type": "object"
  },
  "title": "Read an Odoo record's chatter"
}"#
);

pub async fn run(ctx: &ToolCtx<'_>, a: &Map<String, Value>) -> ToolResult {
    args::reject_unknown(a, &["model", "id", "limit", "cursor", "include_notifications"])?;
    let model = args::required_str(a, "model")?;
    let id = record_id(a)?;
    let limit = args::optional_int(a, "limit", 1, MAX_LIMIT)?.unwrap_or(DEFAULT_LIMIT);
    let cursor_param = args::optional_str(a, "cursor")?;
    let include_notifications = args::optional_bool(a, "include_notifications")?.unwrap_or(true);
    ctx.require(model, Operation::Read)?;

    let secret = cursor::key(ctx.req.svc.settings);
    let binding = format!("chatter|{}|{model}|{id}|{include_notifications}", ctx.req.auth.key_id);
    let offset = match cursor_param {
        None => 0,
        Some(c) => cursor::decode(&secret, &binding, c).ok_or_else(|| {
            ToolError::Invalid("'cursor' is not valid for this thread; pass next_cursor unchanged with the same model, id and include_notifications".into())
        })?,
    };

    let client = ctx.odoo()?;
    require_chatter(ctx, &client, model).await?;
    ctx.checkpoint(&client).await?;
    let mut domain = vec![json!(["model", "=", model]), json!(["res_id", "=", id])];
    if !include_notifications {
        domain.push(json!(["message_type", "!=", "notification"]));
    }
    let params = vec![
        ("domain", json!(domain)),
        ("fields", json!(FIELDS)),
        ("offset", json!(offset)),
        ("limit", json!(limit + 1)),
        // `id` breaks ties: messages posted in the same second share a date.
        ("order", json!("date desc, id desc")),
    ];
    let call = Call { model: "mail.message", method: "search_read", ids: None, params, positional: 1 };
    // The record's name and its messages are independent: asked for at once (the messages of a record
    // that does not exist are none, and its error is the answer).
    client.logged_in().await?;
    let (record_name, rows) = crate::platform::join(record_name(ctx, &client, model, id), client.call(&call)).await;
    let record_name = record_name?;
    ctx.progress(1, 2, || format!("Found {model} {id}"));
    let mut rows = match rows? {
        Value::Array(r) => r,
        _ => return Err(ToolError::Unavailable("Odoo's search_read answer is not a list".into())),
    };
    let has_more = rows.len() as i64 > limit;
    rows.truncate(limit as usize);
    let mut messages: Vec<Value> = rows.iter().map(normalize).collect();
    // Dates stay in UTC; a key with a time zone also gets each one as its person reads it.
    let tz = ctx.req.auth.odoo_context.tz.as_deref();
    if let Some(tz) = tz {
        for m in &mut messages {
            let local = m["date"].as_str().and_then(|d| crate::platform::local_time(d, tz));
            m["date_local"] = json!(local);
        }
    }
    ctx.set_record_count(messages.len());
    ctx.progress(2, 2, || format!("Read {} messages of {model} {id}", messages.len()));
    let mut out =
        json!({"model": model, "id": id, "record_name": record_name, "count": messages.len(), "messages": messages});
    if let Some(tz) = tz {
        out["time_zone"] = json!(tz);
    }
    if has_more {
        out["next_cursor"] = json!(cursor::encode(&secret, &binding, offset + limit as u64));
    }
    Ok(out)
}

/// The record's display name; an error when Odoo returns no such record (`read` drops missing ids).
async fn record_name(ctx: &ToolCtx<'_>, client: &OdooClient<'_>, model: &str, id: i64) -> Result<Value, ToolError> {
    // A field policy may hide the name; `id` alone still proves the record exists.
    let field = if ctx.req.auth.permissions.field_allowed(model, "display_name") { "display_name" } else { "id" };
    let ids = [id];
    let call = Call { model, method: "read", ids: Some(&ids), params: vec![("fields", json!([field]))], positional: 0 };
    let records = client.call(&call).await?;
    let record = records
        .as_array()
        .and_then(|r| r.iter().find(|r| r.get("id").and_then(Value::as_i64) == Some(id)))
        .ok_or_else(|| {
            OdooError::new(
                OdooErrorKind::MissingError,
                format!("no record {model} {id}: it does not exist, or this Odoo user cannot see it"),
            )
        })?;
    Ok(record.get("display_name").and_then(Value::as_str).map_or(Value::Null, |n| json!(n)))
}

/// One `mail.message` row in the shape this tool returns on every version. Odoo's `false` for an
/// empty value becomes `null`.
fn normalize(row: &Value) -> Value {
    let text = |f: &str| row.get(f).and_then(Value::as_str).filter(|s| !s.is_empty());
    let (author_id, author_name) = many2one(row.get("author_id"));
    let (_, subtype) = many2one(row.get("subtype_id"));
    let mut message = json!({
        "id": row.get("id").and_then(Value::as_i64),
        "date": text("date"),
        "author": author_name.or_else(|| text("email_from")),
        "author_id": author_id,
        "type": text("message_type"),
        "subtype": subtype,
        "is_note": subtype == Some(NOTE_SUBTYPE),
        "subject": text("subject"),
        "body": text("body").map(|b| to_text(b, MAX_BODY_CHARS)).unwrap_or_default(),
    });
    let files: Vec<i64> = row
        .get("attachment_ids")
        .and_then(Value::as_array)
        .map(|ids| ids.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    if !files.is_empty() {
        message["attachment_ids"] = json!(files);
    }
    message
}

/// `[id, "name"]` → (id, name); `false` → (None, None).
fn many2one(v: Option<&Value>) -> (Option<i64>, Option<&str>) {
    match v.and_then(Value::as_array).map(Vec::as_slice) {
        Some([id, name, ..]) => (id.as_i64(), name.as_str()),
        Some([id]) => (id.as_i64(), None),
        _ => (None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recorded_messages_normalise_to_one_shape() {
        // Rows as recorded from 17 and 19 (mail_message_search_read_chatter.json).
        let note = json!({"id": 243, "body": "<p>Fixture recorder note: plain text with &lt;b&gt;tags&lt;/b&gt; &amp; an ampersand.</p>",
            "author_id": [3, "YourCompany, Mitchell Admin"], "date": "2026-11-24 11:22:03", "message_type": "comment", "subtype_id": [2, "Note"]});
        assert_eq!(
            normalize(&note),
            json!({"id": 243, "date": "2026-11-24 11:22:03", "author": "YourCompany, Mitchell Admin", "author_id": 3,
            "type": "comment", "subtype": "Note", "is_note": true, "subject": null,
            "body": "Fixture recorder note: plain text with <b>tags</b> & an ampersand."})
        );
        let email = json!({"id": 228, "body": "<p>Hello,<br>\n            I am Jacques.</p>", "author_id": false, "email_from": "\"Jacques\" <jacques@example.com>",
            "date": "2026-11-24 11:04:16", "message_type": "email", "subtype_id": [1, "Discussions"], "subject": "Training"});
        let e = normalize(&email);
        assert_eq!(
            (e["author"].as_str(), e["author_id"].is_null(), e["is_note"].as_bool()),
            (Some("\"Jacques\" <jacques@example.com>"), true, Some(false))
        );
        assert_eq!(
            (e["body"].as_str(), e["subject"].as_str(), e["subtype"].as_str()),
            (Some("Hello,\nI am Jacques."), Some("Training"), Some("Discussions"))
        );
        // 17 records an empty body for the creation notice, 19 a <div>; both read as text.
        let bare = normalize(
            &json!({"id": 119, "body": "", "author_id": [2, "OdooBot"], "email_from": false, "subtype_id": false, "subject": false, "message_type": "notification"}),
        );
        assert_eq!(
            (bare["body"].as_str(), bare["subtype"].is_null(), bare["subject"].is_null(), bare["date"].is_null()),
            (Some(""), true, true, true)
        );
        let nobody = normalize(&json!({"id": 5, "author_id": false, "email_from": false}));
        assert!(nobody["author"].is_null());
    }
}
