//! The `company` argument: one call acting in another of the key's companies. The tools that take it
//! (`TAKES_COMPANY`) publish `definition::company_param` beside their own arguments; `tools::call` takes
//! it out of the arguments before the tool runs (the tool never sees it) and sets the company the call's
//! Odoo context names (`ToolCtx::odoo`). An id must be one of the key's companies when the key names
//! them (otherwise Odoo itself refuses a company its user lacks); a name is looked up among the
//! companies the Odoo user can see, and must be unambiguous.

use crate::capabilities::call::{ToolCtx, ToolError};
use crate::odoo::context;
use serde_json::{Map, Value};

/// The tools whose schema has `company` (a unit test checks it against the definitions).
pub const TAKES_COMPANY: [&str; 10] = [
    super::search::NAME,
    super::get::NAME,
    super::aggregate::NAME,
    super::chatter_read::NAME,
    super::create::NAME,
    super::update::NAME,
    super::delete::NAME,
    super::action::NAME,
    super::chatter_post::NAME,
    super::attach::NAME,
];

/// Takes `company` out of a call's arguments (the copy the tool then gets) and sets the call's company.
pub async fn choose(ctx: &ToolCtx<'_>, args: &mut Map<String, Value>) -> Result<(), ToolError> {
    let Some(given) = args.remove("company") else { return Ok(()) };
    let allowed = &ctx.req.auth.odoo_context.companies;
    let id = match &given {
        Value::Number(n) => n.as_i64().filter(|i| *i > 0).ok_or_else(|| {
            ToolError::Invalid("'company' must be a company id (a positive integer) or a name".into())
        })?,
        Value::String(name) if !name.trim().is_empty() => by_name(ctx, name.trim()).await?,
        _ => return Err(ToolError::Invalid("'company' must be a company id (a positive integer) or a name".into())),
    };
    if !allowed.is_empty() && !allowed.contains(&id) {
        let list: Vec<String> = allowed.iter().map(i64::to_string).collect();
        return Err(ToolError::Invalid(format!(
            "company {id} is not one this key may use (companies {}); ask the administrator to add it",
            list.join(", ")
        )));
    }
    ctx.set_company(id);
    Ok(())
}

/// The id of the company named `name` (case-insensitive, exact), among those the Odoo user can see.
async fn by_name(ctx: &ToolCtx<'_>, name: &str) -> Result<i64, ToolError> {
    let client = ctx.odoo()?;
    let companies = context::companies(&client).await?;
    let allowed = &ctx.req.auth.odoo_context.companies;
    let usable: Vec<&(i64, String)> =
        companies.iter().filter(|(id, _)| allowed.is_empty() || allowed.contains(id)).collect();
    let hits: Vec<&&(i64, String)> = usable.iter().filter(|(_, n)| n.eq_ignore_ascii_case(name)).collect();
    match hits.as_slice() {
        [(id, _)] => Ok(*id),
        _ => {
            let names: Vec<String> = usable.iter().map(|(id, n)| format!("{n} ({id})")).collect();
            Err(ToolError::Invalid(format!(
                "no single company is named '{}' among those this key may use: {}",
                crate::text::truncate(name, 80),
                names.join(", ")
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_the_tools_that_publish_company_take_it() {
        for tool in super::super::definitions() {
            let publishes = tool.value()["inputSchema"]["properties"].get("company").is_some();
            assert_eq!(publishes, TAKES_COMPANY.contains(&tool.name), "{}", tool.name);
        }
    }
}
