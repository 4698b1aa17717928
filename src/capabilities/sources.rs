//! Where a prompt argument or a template variable draws its values from (`Source`, `ModelFrom`), and
//! Odoo's `name_search`: what prompts (resolving an argument to a record) and completion (suggesting
//! values) share, kept here so that neither has to import the other for it.

use super::call::ToolError;
use crate::json;
use crate::odoo::call::Call;
use crate::odoo::OdooClient;
use serde_json::{Map, Value};

/// Where an argument's suggestions come from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Source {
    None,
    /// Models this key may read.
    Models,
    /// Field names of the model in another argument. `list` completes the last name of a comma-separated
    /// list; `sortable` offers only fields Odoo can order by.
    Fields {
        model_arg: &'static str,
        list: bool,
        sortable: bool,
    },
    /// Records of a model found by `name_search`: their names, or their ids (`ids`).
    Records {
        model: ModelFrom,
        ids: bool,
    },
    /// Values of a selection field.
    Selection {
        model: &'static str,
        field: &'static str,
    },
    Fixed(&'static [&'static str]),
    /// Ids of the attachments of the record named by two other arguments (its model, its id).
    Attachments {
        model_arg: &'static str,
        id_arg: &'static str,
    },
}

/// Which model an argument refers to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ModelFrom {
    Fixed(&'static str),
    /// The value of another argument (from the request's `context.arguments`).
    Arg(&'static str),
}

impl ModelFrom {
    pub fn resolve<'a>(&self, args: &'a Map<String, Value>) -> Option<&'a str> {
        match self {
            ModelFrom::Fixed(m) => Some(m),
            ModelFrom::Arg(name) => args.get(*name).and_then(Value::as_str).map(str::trim),
        }
    }
}

/// Odoo's `name_search`: `(id, display name)` of the records whose name matches, as this Odoo user
/// sees them. Its second parameter is `args` up to 18 and `domain` from 19.
pub async fn name_search(
    client: &OdooClient<'_>,
    model: &str,
    name: &str,
    limit: usize,
) -> Result<Vec<(i64, String)>, ToolError> {
    let domain_param = if client.connection().at_least(19, 0) { "domain" } else { "args" };
    let call = Call {
        model,
        method: "name_search",
        ids: None,
        params: vec![
            ("name", json!(name)),
            (domain_param, json!([])),
            ("operator", json!("ilike")),
            ("limit", json!(limit)),
        ],
        positional: 2,
    };
    let rows = match client.call(&call).await? {
        Value::Array(rows) => rows,
        _ => return Err(ToolError::Unavailable("Odoo's name_search answer is not a list".into())),
    };
    Ok(rows.iter().filter_map(|r| Some((r.get(0)?.as_i64()?, r.get(1)?.as_str()?.to_string()))).collect())
}
