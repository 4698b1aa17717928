//! Invariants of `odoo://` resource URIs (`capabilities::resources::uri`): parsing never panics, what it
//! accepts is well-formed, and the URIs the server builds (`search_uri`, `chatter_uri`, `attachment_uri`) parse back to
//! the value they were built from. Input: a URI (invalid UTF-8 replaced).

use crate::capabilities::resources::uri::{self, ResourceUri, UriError, MAX_URI};
use crate::odoo::names::{is_field_name, is_model_name};

pub fn resource_uri(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let parsed = uri::parse(&text);
    if text.len() > MAX_URI {
        assert!(matches!(parsed, Err(UriError::Invalid(_))), "an over-long URI was not refused: {parsed:?}");
    }
    let Ok(value) = parsed else {
        return;
    };
    if let Some(model) = value.model() {
        assert!(is_model_name(model), "model {model:?}");
    }
    let rebuilt = match &value {
        ResourceUri::Models => "odoo://models".to_string(),
        ResourceUri::Fields { model } => format!("odoo://{model}/fields"),
        ResourceUri::Record { model, id, fields } => {
            assert!(*id >= 1);
            fields_ok(fields.as_deref());
            match fields {
                Some(f) => format!("odoo://{model}/{id}?fields={}", uri::encode(&f.join(","))),
                None => format!("odoo://{model}/{id}"),
            }
        }
        ResourceUri::Search { model, query } => {
            fields_ok(query.fields.as_deref());
            assert!(query.domain.as_ref().is_none_or(|d| d.is_array()), "domain {:?}", query.domain);
            assert!(query.limit.is_none_or(|l| l >= 1) && query.offset.is_none_or(|o| o >= 0));
            assert!(query.order.as_ref().is_none_or(|o| !o.is_empty()), "an empty order is absent");
            uri::search_uri(model, query)
        }
        ResourceUri::Attachments { model, id } => {
            assert!(*id >= 1);
            format!("odoo://{model}/{id}/attachments")
        }
        ResourceUri::Attachment { model, id, attachment_id } => {
            assert!(*id >= 1 && *attachment_id >= 1);
            uri::attachment_uri(model, *id, *attachment_id)
        }
        ResourceUri::Chatter { model, id, limit, cursor } => {
            assert!(*id >= 1 && limit.is_none_or(|l| l >= 1));
            match cursor {
                Some(c) => {
                    assert!(!c.is_empty(), "an empty cursor is absent");
                    uri::chatter_uri(model, *id, *limit, c)
                }
                None => match limit {
                    Some(l) => format!("odoo://{model}/{id}/chatter?limit={l}"),
                    None => format!("odoo://{model}/{id}/chatter"),
                },
            }
        }
    };
    // Percent-encoding can make the rebuilt URI longer than the limit the client's form fitted in.
    let reparsed = uri::parse(&rebuilt);
    if rebuilt.len() > MAX_URI {
        assert!(matches!(reparsed, Err(UriError::Invalid(_))), "{reparsed:?}");
    } else {
        assert_eq!(reparsed, Ok(value), "{text:?} rebuilt as {rebuilt:?}");
    }
}

fn fields_ok(fields: Option<&[String]>) {
    if let Some(f) = fields {
        assert!(!f.is_empty() && f.len() <= 100 && f.iter().all(|n| is_field_name(n)), "fields {f:?}");
    }
}
