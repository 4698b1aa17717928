//! `odoo_chatter_post`: posts a log note or a message on a record's chatter with `message_post`.
//! Posting changes the record's thread, so it needs update permission on the model (Odoo itself checks
//! its `_mail_post_access`, write by default). How the body is sent depends on the version:
//! `post_params` is the one place that knows.

use super::args;
use super::chatter::{record_id, require_chatter};
use super::definition::{company_property, dry_run_property, Tool};
use crate::access::Operation;
use crate::capabilities::call::{ToolCtx, ToolError, ToolResult};
use crate::json;
use crate::odoo::answer;
use crate::odoo::call::Call;
use crate::odoo::html_text::plain_to_html;
use crate::odoo::Connection;
use serde_json::{Map, Value};

pub const NAME: &str = "odoo_chatter_post";
pub const MAX_BODY_CHARS: usize = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// "Log note": internal, notifies nobody but mentioned users.
    Note,
    /// "Send message": notifies the record's followers, by email for those who get email.
    Message,
}

impl Kind {
    fn parse(s: Option<&str>) -> Result<Kind, ToolError> {
        match s {
            None | Some("note") => Ok(Kind::Note),
            Some("message") => Ok(Kind::Message),
            Some(_) => Err(ToolError::Invalid("'kind' must be \"note\" or \"message\"".into())),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Note => "note",
            Kind::Message => "message",
        }
    }

    fn subtype_xmlid(self) -> &'static str {
        match self {
            Kind::Note => "mail.mt_note",
            Kind::Message => "mail.mt_comment",
        }
    }
}

pub fn definition() -> Tool {
    Tool { name: NAME, text: DEFINITION }
}

/// The definition `tools/list` publishes (with its objects' keys sorted, as the server's JSON is).
const DEFINITION: &str = concat!(
    r#"{
  "name": "odoo_chatter_post",
  "title": "Post on an Odoo record's chatter",
  "description": "Post on the chatter (message thread) of one record of a model that has one (e.g. crm.lead, res.partner, sale.order). kind \"note\" (default) logs an internal note: only internal users see it and nobody is notified. kind \"message\" sends a message to the record's followers: Odoo notifies them and may EMAIL them, customers included, so use it only when the user asked to send a message. The body is plain text unless html is true (Odoo sanitizes HTML). Use odoo_chatter_read to see the thread.",
  "inputSchema": {
    "type": "object",
    "properties": {
      "body": {"type": "string", "description": "The text to post", "maxLength": 20000, "minLength": 1},
      "#,
    company_property!(),
    r#",
      "#,
    dry_run_property!(),
    r#",
      "html": {"type": "boolean", "description": "The body is HTML rather than plain text", "default": false},
      "id": {"type": "integer", "description": "Id of the record whose chatter this is", "minimum": 1},
      "kind": {
        "type": "string",
        "description": "note: internal log note; message: sent to followers (may email them)",
        "default": "note",
        "enum": ["note", "message"]
      },
      "model": {"type": "string", "description": "Technical model name, e.g. crm.lead"}
    },
    "required": ["model", "id", "body"],
    "additionalProperties": false
  },
  "outputSchema": {
    "type": "object",
    "properties": {
      "display_name": {"description": "Dry run: the record that would get the post"},
      "dry_run": {"type": "boolean"},
      "id": {"type": "integer"},
      "kind": {"type": "string", "enum": ["note", "message"]},
      "message_id": {"type": "integer", "description": "Id of the new mail.message (absent on a dry run)"},
      "model": {"type": "string"}
    },
    "required": ["model", "id", "kind", "dry_run"]
  },
  "annotations": {
    "destructiveHint": false,
    "idempotentHint": false,
    "openWorldHint": true,
    "readOnlyHint": false,
    "title": "Post on an Odoo record's chatter"
  }
}"#
);

pub async fn run(ctx: &ToolCtx<'_>, a: &Map<String, Value>) -> ToolResult {
    args::reject_unknown(a, &["model", "id", "body", "kind", "html", "dry_run"])?;
    let model = args::required_str(a, "model")?;
    let id = record_id(a)?;
    let body = args::required_str(a, "body")?;
    if body.chars().count() > MAX_BODY_CHARS {
        return Err(ToolError::Invalid(format!("'body' is longer than {MAX_BODY_CHARS} characters; shorten it")));
    }
    let kind = Kind::parse(args::optional_str(a, "kind")?)?;
    let html = args::optional_bool(a, "html")?.unwrap_or(false);
    let dry_run = super::writing::dry_run_arg(a)?;
    ctx.require(model, Operation::Update)?;

    let client = ctx.odoo()?;
    let schema = require_chatter(ctx, &client, model).await?;
    ctx.checkpoint(&client).await?;
    let ids = [id];
    if dry_run {
        // The record must exist for this user, and Odoo must let it write there (`_mail_post_access`).
        let found = super::writing::read_records(&client, model, &schema, &ids, std::iter::empty()).await?;
        if found.is_empty() {
            super::writing::refuse_hidden(&client, &ctx.req.auth.connection, model, &ids).await?;
        }
        let record = found.first().ok_or_else(|| {
            ToolError::Invalid(format!("no record {model} {id}: it does not exist, or this Odoo user cannot see it"))
        })?;
        super::writing::odoo_access_check(&client, &ctx.req.auth.connection, model, Operation::Update, &ids).await?;
        return Ok(
            json!({"model": model, "id": id, "kind": kind.as_str(), "dry_run": true, "display_name": record.get("display_name")}),
        );
    }
    let call = Call {
        model,
        method: "message_post",
        ids: Some(&ids),
        params: post_params(&ctx.req.auth.connection, body, kind, html),
        positional: 0,
    };
    // The client has checked the answer's shape: one positive id, bare or in a list of one.
    let posted = client.call(&call).await?;
    let message_id = answer::single_id(&posted)
        .ok_or_else(|| ToolError::Unavailable("Odoo's message_post answer is not a message id".into()))?;
    ctx.set_record_count(1);
    ctx.log("info", || format!("{model} {id}: posted {} {message_id}", kind.as_str()));
    Ok(json!({"model": model, "id": id, "message_id": message_id, "kind": kind.as_str(), "dry_run": false}))
}

/// `message_post`'s keyword parameters (it takes no positional ones) for this Odoo version.
/// 17+ escapes a string body and takes `body_is_html` to keep HTML; 16 takes any string as HTML, so
/// plain text is escaped here. (saas~16.3/16.4 already escaped but had no `body_is_html`; Odoo Online
/// no longer runs them.)
pub fn post_params(conn: &Connection, body: &str, kind: Kind, html: bool) -> Vec<(&'static str, Value)> {
    let modern = conn.at_least(17, 0);
    let body = if html || modern { body.to_string() } else { plain_to_html(body) };
    let mut params =
        vec![("body", json!(body)), ("message_type", json!("comment")), ("subtype_xmlid", json!(kind.subtype_xmlid()))];
    if html && modern {
        params.push(("body_is_html", json!(true)));
    }
    params
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::odoo::Transport;

    fn conn(major: i64) -> Connection {
        let transport = if major >= 19 { Transport::Json2 } else { Transport::Jsonrpc };
        Connection { url: "https://odoo.example.com".into(), database: "db".into(), major, minor: 0, transport }
    }

    fn as_map(params: Vec<(&'static str, Value)>) -> Value {
        Value::Object(crate::json::object(params.into_iter().map(|(k, v)| (k.to_string(), v))))
    }

    #[test]
    fn odoo_16_gets_escaped_plain_text_and_raw_html() {
        let plain = as_map(post_params(&conn(16), "a <b> & c\n\nnext", Kind::Note, false));
        assert_eq!(
            plain,
            json!({"body": "<p>a &lt;b&gt; &amp; c</p><p>next</p>", "message_type": "comment", "subtype_xmlid": "mail.mt_note"})
        );
        let html = as_map(post_params(&conn(16), "<p>Hi <b>there</b></p>", Kind::Message, true));
        assert_eq!(
            html,
            json!({"body": "<p>Hi <b>there</b></p>", "message_type": "comment", "subtype_xmlid": "mail.mt_comment"}),
            "no body_is_html: 16 rejects unknown values"
        );
    }

    #[test]
    fn odoo_17_and_19_escape_plain_text_themselves_and_mark_html() {
        for major in [17, 19] {
            let plain = as_map(post_params(&conn(major), "a <b> & c", Kind::Note, false));
            assert_eq!(
                plain,
                json!({"body": "a <b> & c", "message_type": "comment", "subtype_xmlid": "mail.mt_note"}),
                "{major}"
            );
            let html = as_map(post_params(&conn(major), "<p>Hi</p>", Kind::Message, true));
            assert_eq!(
                html,
                json!({"body": "<p>Hi</p>", "message_type": "comment", "subtype_xmlid": "mail.mt_comment", "body_is_html": true}),
                "{major}"
            );
        }
    }

    #[test]
    fn kinds_parse_strictly() {
        assert_eq!(Kind::parse(None).unwrap(), Kind::Note);
        assert_eq!(Kind::parse(Some("message")).unwrap(), Kind::Message);
        assert!(Kind::parse(Some("email")).is_err());
    }
}
