//! `completion/complete`: suggestions for prompt arguments and resource-template variables, from the
//! key's own permissions and the customer's live Odoo (field names from the cached schema, record names
//! from `name_search`, selection values). A suggestion never shows what the key could not read itself:
//! records and fields need read permission on their model, and field policies apply.

use super::call::{ToolCtx, ToolError};
use super::prompts;
use super::resources::uri;
use super::sources::{name_search, ModelFrom, Source};
use crate::access::Operation;
use crate::json;
use crate::mcp::context::RequestCtx;
use crate::mcp::jsonrpc::RpcError;
use crate::odoo::OdooErrorKind;
use crate::platform::lowercase;
use serde_json::{Map, Value};

/// The protocol's cap on values per answer.
pub const MAX_VALUES: usize = 100;
/// What is being typed is short; anything longer is not a completion request (nor sent to Odoo).
const MAX_VALUE_CHARS: usize = 2000;

pub async fn complete(req: &RequestCtx<'_>, params: &Map<String, Value>) -> Result<Value, RpcError> {
    let bad = |m: &str| RpcError::invalid_params(format!("Invalid params: {m}"));
    let reference = params.get("ref").and_then(Value::as_object).ok_or_else(|| bad("'ref' must be an object"))?;
    let argument = params
        .get("argument")
        .and_then(Value::as_object)
        .ok_or_else(|| bad("'argument' must be an object with name and value"))?;
    let arg_name =
        argument.get("name").and_then(Value::as_str).ok_or_else(|| bad("'argument.name' must be a string"))?;
    let value =
        argument.get("value").and_then(Value::as_str).ok_or_else(|| bad("'argument.value' must be a string"))?;
    if value.chars().count() > MAX_VALUE_CHARS {
        return Err(bad(&format!("'argument.value' is longer than {MAX_VALUE_CHARS} characters")));
    }
    let context = match params.get("context").and_then(|c| c.get("arguments")) {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) if m.values().all(Value::is_string) => m.clone(),
        Some(_) => return Err(bad("'context.arguments' must map argument names to strings")),
    };
    let source = match reference.get("type").and_then(Value::as_str) {
        Some("ref/prompt") => {
            let name =
                reference.get("name").and_then(Value::as_str).ok_or_else(|| bad("'ref.name' must be a string"))?;
            prompts::argument_source(req, name, arg_name)?
        }
        Some("ref/resource") => {
            let template =
                reference.get("uri").and_then(Value::as_str).ok_or_else(|| bad("'ref.uri' must be a string"))?;
            template_source(template, arg_name)?
        }
        _ => return Err(bad("'ref.type' must be \"ref/prompt\" or \"ref/resource\"")),
    };
    let ctx = ToolCtx::new(req, "completion");
    let found = suggest(&ctx, source, value, &context).await;
    ctx.keep_uid();
    let (values, total) = match found {
        Ok(v) => v,
        // Whatever the key may not see, or cannot be looked up yet, simply has no suggestions.
        Err(ToolError::Denied(_) | ToolError::Invalid(_)) => (Vec::new(), Some(0)),
        Err(e) => return Err(e.to_rpc()),
    };
    let has_more = total.is_none_or(|t| t > values.len());
    let mut completion = json!({"values": values, "hasMore": has_more});
    if let Some(t) = total {
        completion["total"] = json!(t);
    }
    Ok(json!({ "completion": completion }))
}

/// The variables of our resource templates.
fn template_source(template: &str, var: &str) -> Result<Source, RpcError> {
    let Some(t) = uri::TEMPLATES.iter().find(|t| t.uri_template == template) else {
        return Err(RpcError::invalid_params(format!(
            "Invalid params: no resource template {}",
            crate::text::truncate(template, 200)
        )));
    };
    let declared = t.uri_template.split(['{', '}', ',', '?']).any(|part| part == var);
    if !declared {
        return Err(RpcError::invalid_params(format!(
            "Invalid params: template {} has no variable '{}'",
            t.uri_template,
            crate::text::truncate(var, 60)
        )));
    }
    Ok(match var {
        "model" => Source::Models,
        "id" => Source::Records { model: ModelFrom::Arg("model"), ids: true },
        "fields" => Source::Fields { model_arg: "model", list: true, sortable: false },
        "order" => Source::Fields { model_arg: "model", list: false, sortable: true },
        "attachment_id" => Source::Attachments { model_arg: "model", id_arg: "id" },
        _ => Source::None,
    })
}

/// The suggestions for `value`, and how many there are in all (`None`: more than were looked up).
async fn suggest(
    ctx: &ToolCtx<'_>,
    source: Source,
    value: &str,
    context: &Map<String, Value>,
) -> Result<(Vec<String>, Option<usize>), ToolError> {
    let perms = &ctx.req.auth.permissions;
    let readable = |model: &str| -> Result<(), ToolError> {
        if crate::odoo::names::is_model_name(model) {
            perms.check(model, Operation::Read).map_err(ToolError::Denied)
        } else {
            Err(ToolError::Invalid("no model chosen yet".into()))
        }
    };
    match source {
        Source::None => Ok((Vec::new(), Some(0))),
        Source::Models => Ok(ranked(perms.models_allowing(Operation::Read).into_iter().map(String::from), value)),
        Source::Fixed(options) => Ok(ranked(options.iter().map(|o| o.to_string()), value)),
        Source::Fields { model_arg, list, sortable } => {
            let model = ModelFrom::Arg(model_arg).resolve(context).unwrap_or("");
            readable(model)?;
            let client = ctx.odoo()?;
            let schema = ctx.schema(&client, model).await?;
            // In a list, complete its last name and keep the ones before it.
            let (head, partial) = match value.rsplit_once(',') {
                Some((h, p)) if list => (format!("{h},"), p),
                _ => (String::new(), value),
            };
            let chosen: Vec<&str> = head.split(',').map(str::trim).collect();
            let names = schema
                .fields
                .values()
                .filter(|f| !sortable || f.sortable)
                .map(|f| f.name.clone())
                .filter(|n| !chosen.contains(&n.as_str()));
            let (values, total) = ranked(names, partial.trim());
            Ok((values.into_iter().map(|v| format!("{head}{v}")).collect(), total))
        }
        Source::Selection { model, field } => {
            readable(model)?;
            let client = ctx.odoo()?;
            let schema = ctx.schema(&client, model).await?;
            let options = schema.fields.get(field).map(|f| f.options()).unwrap_or_default();
            let needle = lowercase(value.trim());
            let values: Vec<String> = options
                .into_iter()
                .filter(|(v, label)| lowercase(v).contains(&needle) || lowercase(label).contains(&needle))
                .map(|(v, _)| v)
                .collect();
            let total = values.len();
            Ok((values.into_iter().take(MAX_VALUES).collect(), Some(total)))
        }
        Source::Attachments { model_arg, id_arg } => {
            let model = ModelFrom::Arg(model_arg).resolve(context).unwrap_or("");
            readable(model)?;
            let id = context
                .get(id_arg)
                .and_then(Value::as_str)
                .and_then(|s| s.trim().parse::<i64>().ok())
                .filter(|id| *id > 0)
                .ok_or_else(|| ToolError::Invalid("no record chosen yet".into()))?;
            let ids = match super::tools::attachment_ids(ctx, model, id).await {
                // A record this Odoo user cannot see (or that is gone) has nothing to suggest.
                Err(ToolError::Odoo(e))
                    if matches!(e.kind, OdooErrorKind::AccessError | OdooErrorKind::MissingError) =>
                {
                    Vec::new()
                }
                other => other?,
            };
            Ok(ranked(ids.into_iter().map(|i| i.to_string()), value))
        }
        Source::Records { model, ids } => {
            let model = model.resolve(context).unwrap_or("");
            readable(model)?;
            let client = ctx.odoo()?;
            let found = name_search(&client, model, value.trim(), MAX_VALUES + 1).await?;
            let total = (found.len() <= MAX_VALUES).then_some(found.len());
            let values =
                found.into_iter().take(MAX_VALUES).map(|(id, name)| if ids { id.to_string() } else { name }).collect();
            Ok((values, total))
        }
    }
}

/// Candidates containing `typed` (any case), those starting with it first, at most `MAX_VALUES`, and
/// how many matched.
fn ranked(candidates: impl Iterator<Item = String>, typed: &str) -> (Vec<String>, Option<usize>) {
    let needle = lowercase(typed.trim());
    let (mut starts, contains): (Vec<String>, Vec<String>) =
        candidates.filter(|c| lowercase(c).contains(&needle)).partition(|c| lowercase(c).starts_with(&needle));
    starts.extend(contains);
    let total = starts.len();
    starts.truncate(MAX_VALUES);
    (starts, Some(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranking_puts_prefix_matches_first_and_caps_at_100() {
        let names = ["partner_id", "name", "display_name", "email"].map(String::from);
        assert_eq!(ranked(names.clone().into_iter(), "NAME"), (vec!["name".into(), "display_name".into()], Some(2)));
        assert_eq!(ranked(names.into_iter(), "").1, Some(4));
        let many = (0..250).map(|i| format!("f{i}"));
        let (values, total) = ranked(many, "f");
        assert_eq!((values.len(), total), (MAX_VALUES, Some(250)));
    }

    #[test]
    fn template_variables_are_the_declared_ones() {
        assert_eq!(
            template_source(uri::RECORD, "id").ok(),
            Some(Source::Records { model: ModelFrom::Arg("model"), ids: true })
        );
        assert_eq!(template_source(uri::SEARCH, "limit").ok(), Some(Source::None));
        assert_eq!(
            template_source(uri::ATTACHMENT, "attachment_id").ok(),
            Some(Source::Attachments { model_arg: "model", id_arg: "id" })
        );
        assert!(template_source(uri::FIELDS, "id").is_err(), "the fields template has no id");
        assert!(template_source("odoo://{nope}", "nope").is_err());
    }
}
