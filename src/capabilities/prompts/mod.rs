//! Prompts: ready-made Odoo workflows behind `prompts/list` and `prompts/get`. A prompt is listed only
//! when the models it needs are readable with the key. `prompts/get` checks every argument for real: a
//! model must be readable, a record is found by id or by `name_search` (several matches are put to the
//! user, none is an error), a selection value must be one of the field's values, a date a real date.
//! The text then names the tools, models, ids and domains to use, and only what this key may do.

mod text;

use super::call::{ToolCtx, ToolError, ToolResult};
use super::pages;
use super::sources::{name_search, ModelFrom, Source};
use crate::access::Operation;
use crate::json;
use crate::mcp::context::RequestCtx;
use crate::mcp::jsonrpc::RpcError;
use crate::odoo::call::Call;
use crate::odoo::names::is_model_name;
use crate::platform::now_ms;
use crate::policy::permissions::Permissions;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

#[derive(Clone, Copy)]
enum Kind {
    Text,
    Date,
    /// A model this key may read.
    Model,
    /// A record of a model, by id or name.
    Record(ModelFrom),
    /// One of a selection field's values (or labels).
    Selection {
        model: &'static str,
        field: &'static str,
    },
    Choice(&'static [&'static str]),
}

struct Arg {
    name: &'static str,
    description: &'static str,
    required: bool,
    kind: Kind,
}

enum Needs {
    /// At least one readable model.
    AnyModel,
    Models(&'static [&'static str]),
}

struct Prompt {
    name: &'static str,
    title: &'static str,
    description: &'static str,
    needs: Needs,
    args: &'static [Arg],
}

const MAX_ARG_CHARS: usize = 2000;
const PERIODS: &[&str] = &["day", "week", "month", "quarter", "year"];

const MODEL_ARG: Arg =
    Arg { name: "model", description: "Technical model name, e.g. res.partner", required: true, kind: Kind::Model };
const RECORD_ARG: Arg = Arg {
    name: "record",
    description: "The record: its name (or part of it) or its id",
    required: true,
    kind: Kind::Record(ModelFrom::Arg("model")),
};

const PROMPTS: [Prompt; 6] = [
    Prompt {
        name: "find_records",
        title: "Find records in plain words",
        description: "Turn a plain-language request into an Odoo search on one model, and show what it finds.",
        needs: Needs::AnyModel,
        args: &[
            MODEL_ARG,
            Arg { name: "request", description: "What you are looking for, in plain words", required: true, kind: Kind::Text },
        ],
    },
    Prompt {
        name: "summarize_record",
        title: "Summarise a record with its chatter",
        description: "Summarise one record: what it is, where it stands, and what happened recently in its chatter.",
        needs: Needs::AnyModel,
        args: &[MODEL_ARG, RECORD_ARG],
    },
    Prompt {
        name: "customer_overview",
        title: "Customer overview",
        description: "One customer at a glance: contact details, sales, invoices, opportunities and recent messages.",
        needs: Needs::Models(&["res.partner"]),
        args: &[Arg {
            name: "customer",
            description: "The customer: name (or part of it) or id",
            required: true,
            kind: Kind::Record(ModelFrom::Fixed("res.partner")),
        }],
    },
    Prompt {
        name: "pipeline_review",
        title: "Review the sales pipeline",
        description: "The open opportunities by stage with their expected revenue, and the deals that need attention.",
        needs: Needs::Models(&["crm.lead"]),
        args: &[Arg {
            name: "team",
            description: "Only this sales team (name or id); leave empty for all teams",
            required: false,
            kind: Kind::Record(ModelFrom::Fixed("crm.team")),
        }],
    },
    Prompt {
        name: "sales_by_period",
        title: "Sales by period",
        description: "Sales order totals per day, week, month, quarter or year, with the trend.",
        needs: Needs::Models(&["sale.order"]),
        args: &[
            Arg { name: "period", description: "day, week, month (default), quarter or year", required: false, kind: Kind::Choice(PERIODS) },
            Arg { name: "from", description: "First day, YYYY-MM-DD", required: false, kind: Kind::Date },
            Arg { name: "to", description: "Last day, YYYY-MM-DD", required: false, kind: Kind::Date },
            Arg {
                name: "status",
                description: "Order status to count (default: confirmed sales orders)",
                required: false,
                kind: Kind::Selection { model: "sale.order", field: "state" },
            },
        ],
    },
    Prompt {
        name: "draft_follow_up",
        title: "Draft a follow-up note",
        description: "Draft a follow-up note on a record from its details and chatter, to post as an internal note once you approve it.",
        needs: Needs::AnyModel,
        args: &[MODEL_ARG, RECORD_ARG, Arg { name: "topic", description: "What the follow-up is about (optional)", required: false, kind: Kind::Text }],
    },
];

impl Arg {
    /// An optional argument naming records of a model the key may not read is left out for that key.
    fn available(&self, perms: &Permissions) -> bool {
        match self.kind {
            Kind::Record(ModelFrom::Fixed(model)) | Kind::Selection { model, .. } if !self.required => {
                perms.check(model, Operation::Read).is_ok()
            }
            _ => true,
        }
    }
}

impl Prompt {
    fn available(&self, perms: &Permissions) -> bool {
        match self.needs {
            Needs::AnyModel => !perms.models_allowing(Operation::Read).is_empty(),
            Needs::Models(models) => models.iter().all(|m| perms.check(m, Operation::Read).is_ok()),
        }
    }

    /// The arguments this key may give.
    fn args_for<'p>(&'p self, perms: &'p Permissions) -> impl Iterator<Item = &'p Arg> {
        self.args.iter().filter(move |a| a.available(perms))
    }

    fn definition(&self, perms: &Permissions) -> Value {
        let args: Vec<Value> = self
            .args_for(perms)
            .map(|a| json!({"name": a.name, "description": a.description, "required": a.required}))
            .collect();
        json!({"name": self.name, "title": self.title, "description": self.description, "arguments": args})
    }
}

impl Kind {
    fn source(self) -> Source {
        match self {
            Kind::Text | Kind::Date => Source::None,
            Kind::Model => Source::Models,
            Kind::Record(model) => Source::Records { model, ids: false },
            Kind::Selection { model, field } => Source::Selection { model, field },
            Kind::Choice(options) => Source::Fixed(options),
        }
    }
}

/// The prompt called `name`, if this key may use it. A prompt it may not use is unknown to it.
fn find(perms: &Permissions, name: &str) -> Result<&'static Prompt, RpcError> {
    PROMPTS.iter().find(|p| p.name == name && p.available(perms)).ok_or_else(|| {
        RpcError::invalid_params(format!("Invalid params: unknown prompt '{}'", crate::text::truncate(name, 100)))
    })
}

pub fn list(ctx: &RequestCtx<'_>, params: &Map<String, Value>) -> Result<Value, RpcError> {
    pages::list_result(ctx, "prompts/list", "prompts", items(&ctx.auth.permissions), params)
}

/// The prompts these permissions list (`prompts/list`, and what a change of them is watched for).
pub fn items(perms: &Permissions) -> Vec<Value> {
    PROMPTS.iter().filter(|p| p.available(perms)).map(|p| p.definition(perms)).collect()
}

/// Where `completion/complete` finds suggestions for a prompt's argument.
pub fn argument_source(ctx: &RequestCtx<'_>, prompt: &str, arg: &str) -> Result<Source, RpcError> {
    let perms = &ctx.auth.permissions;
    let p = find(perms, prompt)?;
    p.args_for(perms).find(|a| a.name == arg).map(|a| a.kind.source()).ok_or_else(|| {
        RpcError::invalid_params(format!(
            "Invalid params: prompt '{}' has no argument '{}'",
            p.name,
            crate::text::truncate(arg, 60)
        ))
    })
}

pub async fn get(req: &RequestCtx<'_>, params: &Map<String, Value>) -> Result<Value, RpcError> {
    let name = params
        .get("name")
        .and_then(Value::as_str)
        .ok_or_else(|| RpcError::invalid_params("Invalid params: 'name' must be a string"))?;
    let prompt = find(&req.auth.permissions, name)?;
    let given = given_arguments(prompt, &req.auth.permissions, params.get("arguments"))?;
    let ctx = ToolCtx::new(req, "prompt_get");
    let started = now_ms();
    let outcome = resolve(&ctx, prompt, &given).await;
    if !matches!(outcome, Err(ToolError::Cancelled)) {
        let audited: ToolResult = outcome.as_ref().map(|_| json!({})).map_err(Clone::clone);
        ctx.finish(prompt.name, &audited, now_ms() - started);
    }
    let resolved = outcome.map_err(|e| e.to_rpc())?;
    let text = text::render(prompt.name, &resolved, &req.auth.permissions);
    Ok(json!({
        "description": prompt.description,
        "messages": [{"role": "user", "content": {"type": "text", "text": text}}],
    }))
}

/// The arguments as given: all strings, none unknown, every required one present.
fn given_arguments(
    prompt: &'static Prompt,
    perms: &Permissions,
    raw: Option<&Value>,
) -> Result<BTreeMap<&'static str, String>, RpcError> {
    let bad = |m: String| RpcError::invalid_params(format!("Invalid params: {m}"));
    let empty = Map::new();
    let raw = match raw {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(m)) => m,
        Some(_) => return Err(bad("'arguments' must be an object of strings".into())),
    };
    if let Some(unknown) = raw.keys().find(|k| !prompt.args_for(perms).any(|a| a.name == k.as_str())) {
        let known: Vec<&str> = prompt.args_for(perms).map(|a| a.name).collect();
        let takes =
            if known.is_empty() { "it takes none".to_string() } else { format!("it takes {}", known.join(", ")) };
        return Err(bad(format!(
            "prompt '{}' has no argument '{}'; {takes}",
            prompt.name,
            crate::text::truncate(unknown, 60)
        )));
    }
    let mut given = BTreeMap::new();
    for arg in prompt.args_for(perms) {
        let value = match raw.get(arg.name) {
            None | Some(Value::Null) => "",
            Some(Value::String(s)) => s.trim(),
            Some(_) => return Err(bad(format!("argument '{}' must be a string", arg.name))),
        };
        if value.chars().count() > MAX_ARG_CHARS {
            return Err(bad(format!("argument '{}' is longer than {MAX_ARG_CHARS} characters", arg.name)));
        }
        if value.is_empty() {
            if arg.required {
                return Err(bad(format!("missing required argument '{}' ({})", arg.name, arg.description)));
            }
            continue;
        }
        given.insert(arg.name, value.to_string());
    }
    Ok(given)
}

/// An argument after checking it against the key's permissions and Odoo.
pub(super) enum Resolved {
    Text(String),
    Record {
        model: String,
        id: i64,
        name: String,
    },
    /// Several records match what was typed: the user picks.
    Ambiguous {
        model: String,
        typed: String,
        candidates: Vec<(i64, String)>,
    },
}

pub(super) type ResolvedArgs = BTreeMap<&'static str, Resolved>;

async fn resolve(
    ctx: &ToolCtx<'_>,
    prompt: &Prompt,
    given: &BTreeMap<&'static str, String>,
) -> Result<ResolvedArgs, ToolError> {
    let as_map = crate::json::object(given.iter().map(|(k, v)| (k.to_string(), json!(v))));
    let mut out = BTreeMap::new();
    for arg in prompt.args {
        let Some(value) = given.get(arg.name) else {
            continue;
        };
        let resolved = match arg.kind {
            Kind::Text => Resolved::Text(value.clone()),
            Kind::Date => match crate::odoo::values::date(value) {
                Some(d) => Resolved::Text(d),
                None => {
                    return Err(ToolError::Invalid(format!(
                        "'{}' must be a date as YYYY-MM-DD, not '{}'",
                        arg.name,
                        crate::text::truncate(value, 40)
                    )))
                }
            },
            Kind::Model => {
                ctx.require(value, Operation::Read)?;
                Resolved::Text(value.clone())
            }
            Kind::Choice(options) => match options.iter().find(|o| o.eq_ignore_ascii_case(value)) {
                Some(o) => Resolved::Text(o.to_string()),
                None => {
                    return Err(ToolError::Invalid(format!("'{}' must be one of {}", arg.name, options.join(", "))))
                }
            },
            Kind::Selection { model, field } => {
                ctx.require(model, Operation::Read)?;
                let client = ctx.odoo()?;
                let schema = ctx.schema(&client, model).await?;
                let options = schema.fields.get(field).map(|f| f.options()).unwrap_or_default();
                match options
                    .iter()
                    .find(|(v, label)| v.eq_ignore_ascii_case(value) || label.eq_ignore_ascii_case(value))
                {
                    Some((v, _)) => Resolved::Text(v.clone()),
                    None => {
                        let listed: Vec<String> = options.iter().map(|(v, l)| format!("{v} ({l})")).collect();
                        return Err(ToolError::Invalid(format!(
                            "'{}' must be one of: {}",
                            arg.name,
                            listed.join(", ")
                        )));
                    }
                }
            }
            Kind::Record(from) => {
                let model = from.resolve(&as_map).unwrap_or("");
                if !is_model_name(model) {
                    return Err(ToolError::Invalid(format!("'{}' needs a model first", arg.name)));
                }
                ctx.require(model, Operation::Read)?;
                find_record(ctx, model, value).await?
            }
        };
        out.insert(arg.name, resolved);
    }
    Ok(out)
}

/// A record by id (all digits) or by name: one exact (case-insensitive) or single match is the record,
/// several are put to the user, none is an error.
async fn find_record(ctx: &ToolCtx<'_>, model: &str, typed: &str) -> Result<Resolved, ToolError> {
    let client = ctx.odoo()?;
    if let Some(id) = typed.parse::<i64>().ok().filter(|id| *id > 0 && typed.bytes().all(|b| b.is_ascii_digit())) {
        let call = Call {
            model,
            method: "search_read",
            ids: None,
            params: vec![
                ("domain", json!([["id", "=", id]])),
                ("fields", json!(["display_name"])),
                ("limit", json!(1)),
            ],
            positional: 1,
        };
        let rows = client.call(&call).await?;
        let name = rows.get(0).and_then(|r| r.get("display_name")).and_then(Value::as_str).map(str::to_string);
        return match name {
            Some(name) => Ok(Resolved::Record { model: model.into(), id, name }),
            None => Err(ToolError::Invalid(format!("no {model} record with id {id} is visible to this key"))),
        };
    }
    let mut found = name_search(&client, model, typed, 6).await?;
    if let Some(exact) = found.iter().position(|(_, n)| n.eq_ignore_ascii_case(typed)) {
        found = vec![found.swap_remove(exact)];
    }
    match found.len() {
        0 => Err(ToolError::Invalid(format!("no {model} record matches '{}'", crate::text::truncate(typed, 80)))),
        1 => {
            let (id, name) = found.swap_remove(0);
            Ok(Resolved::Record { model: model.into(), id, name })
        }
        _ => Ok(Resolved::Ambiguous { model: model.into(), typed: typed.into(), candidates: found }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::ModelPermission;

    fn perms(models: &[&str]) -> Permissions {
        let mut p = Permissions::default();
        for m in models {
            p.models.insert(m.to_string(), ModelPermission { read: true, ..Default::default() });
        }
        p
    }

    #[test]
    fn prompts_appear_only_with_the_models_they_need() {
        let names = |p: &Permissions| PROMPTS.iter().filter(|x| x.available(p)).map(|x| x.name).collect::<Vec<_>>();
        assert!(names(&perms(&[])).is_empty());
        assert_eq!(names(&perms(&["crm.tag"])), ["find_records", "summarize_record", "draft_follow_up"]);
        assert_eq!(names(&perms(&["res.partner", "crm.lead", "sale.order"])).len(), 6);
        assert!(find(&perms(&["crm.tag"]), "pipeline_review").is_err(), "an unavailable prompt is unknown");
        let team_arg =
            |p: &Permissions| find(p, "pipeline_review").unwrap().definition(p)["arguments"].as_array().unwrap().len();
        assert_eq!(team_arg(&perms(&["crm.lead"])), 0, "no team argument without crm.team");
        assert_eq!(team_arg(&perms(&["crm.lead", "crm.team"])), 1);
    }

    #[test]
    fn arguments_are_strings_known_and_complete() {
        let p = &PROMPTS[0];
        let all = perms(&["res.partner"]);
        assert!(given_arguments(p, &all, Some(&json!({"model": "res.partner"})))
            .unwrap_err()
            .message
            .contains("missing required argument 'request'"));
        assert!(given_arguments(p, &all, Some(&json!({"model": "res.partner", "request": "x", "colour": "red"})))
            .unwrap_err()
            .message
            .contains("'colour'"));
        assert!(given_arguments(p, &all, Some(&json!({"model": 7, "request": "x"})))
            .unwrap_err()
            .message
            .contains("string"));
        assert!(given_arguments(p, &all, Some(&json!([]))).is_err());
        // A prompt whose only argument this key may not give takes none.
        let review = find(&perms(&["crm.lead"]), "pipeline_review").unwrap();
        let e = given_arguments(review, &perms(&["crm.lead"]), Some(&json!({"team": "Europe"}))).unwrap_err();
        assert!(e.message.ends_with("has no argument 'team'; it takes none"), "{}", e.message);
        let ok =
            given_arguments(p, &all, Some(&json!({"model": " res.partner ", "request": "belgian companies"}))).unwrap();
        assert_eq!(ok.get("model").map(String::as_str), Some("res.partner"));
    }
}
