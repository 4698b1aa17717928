//! The message of each prompt: which tools to call with which models, ids and domains, given the
//! resolved arguments, and only what this key may do (steps for models it cannot read are left out,
//! posting is offered only with update permission).

use super::{Resolved, ResolvedArgs};
use crate::access::Operation;
use crate::policy::permissions::Permissions;

/// How the text names a record, and how its steps refer to its id.
fn record_ref(r: &Resolved) -> (String, String) {
    match r {
        Resolved::Record { model, id, name } => (format!("{model} {id} (\"{name}\")"), id.to_string()),
        Resolved::Ambiguous { model, typed, candidates } => {
            let listed: Vec<String> = candidates.iter().map(|(id, n)| format!("{id} \"{n}\"")).collect();
            (
                format!(
                    "the {model} record I mean (several match \"{typed}\": {}; ask me which one before anything else)",
                    listed.join(", ")
                ),
                "its id".into(),
            )
        }
        Resolved::Text(t) => (t.clone(), t.clone()),
    }
}

fn text<'a>(args: &'a ResolvedArgs, name: &str) -> Option<&'a str> {
    match args.get(name) {
        Some(Resolved::Text(t)) => Some(t),
        _ => None,
    }
}

pub(super) fn render(prompt: &str, args: &ResolvedArgs, perms: &Permissions) -> String {
    let readable = |m: &str| perms.check(m, Operation::Read).is_ok();
    let model = text(args, "model").unwrap_or("");
    match prompt {
        "find_records" => format!(
            "Find {model} records matching this request: \"{request}\".\n\n\
             1. Call odoo_describe_model with model \"{model}\" to learn its fields, their types and selection values.\n\
             2. Turn the request into an Odoo domain using only those fields: [field, operator, value] conditions; \
             ilike for words in names and text; \"field.name\" to filter on a related record's name; dates as \
             YYYY-MM-DD and date-times in UTC as YYYY-MM-DD HH:MM:SS.\n\
             3. Call odoo_search with model \"{model}\", that domain, the few fields that answer the request and a sensible order.\n\
             4. If nothing matches, loosen the domain once (ilike instead of =, fewer conditions) and say that you did.\n\n\
             Answer with a short table of the records found, with their ids, and state the domain you used so I can check it.",
            request = text(args, "request").unwrap_or("")
        ),
        "summarize_record" => {
            let (record, id) = args.get("record").map(record_ref).unwrap_or_default();
            format!(
                "Summarise {record} for me.\n\n\
                 1. Read it with odoo_get (model \"{model}\", ids [{id}]); odoo_describe_model tells you which fields matter.\n\
                 2. Read its latest messages with odoo_chatter_read (model \"{model}\", id {id}, limit 20), if the model has a chatter.\n\
                 3. Write a short summary: what the record is, where it stands (state, key figures, people), what happened \
                 recently according to the chatter (with dates), and any open question or next step.\n\n\
                 Say only what you read; do not guess missing values."
            )
        }
        "customer_overview" => {
            let (customer, id) = args.get("customer").map(record_ref).unwrap_or_default();
            let mut steps = vec![format!(
                "Read the contact with odoo_get (model \"res.partner\", ids [{id}], fields name, email, phone, street, city, country_id, is_company, parent_id, user_id)."
            )];
            if readable("sale.order") {
                steps.push(format!(
                    "Its sales: odoo_search on sale.order with domain [[\"partner_id\", \"child_of\", {id}]], order \"date_order desc\", limit 10, \
                     fields name, date_order, state, amount_total; and odoo_aggregate on sale.order with the same domain, group_by [\"state\"], aggregates [\"amount_total:sum\"]."
                ));
            }
            if readable("account.move") {
                steps.push(format!(
                    "Its open invoices: odoo_search on account.move with domain [[\"partner_id\", \"child_of\", {id}], [\"move_type\", \"=\", \"out_invoice\"], \
                     [\"payment_state\", \"in\", [\"not_paid\", \"partial\"]]], fields name, invoice_date, invoice_date_due, amount_residual."
                ));
            }
            if readable("crm.lead") {
                steps.push(format!(
                    "Its open opportunities: odoo_search on crm.lead with domain [[\"partner_id\", \"child_of\", {id}]], fields name, stage_id, expected_revenue, date_deadline."
                ));
            }
            steps.push(format!("Its recent messages: odoo_chatter_read (model \"res.partner\", id {id}, limit 10)."));
            let numbered: Vec<String> = steps.iter().enumerate().map(|(i, s)| format!("{}. {s}", i + 1)).collect();
            format!(
                "Give me an overview of the customer {customer}.\n\n{}\n\n\
                 Present: who they are and how to reach them, what they bought and what they owe, what is in progress, \
                 and anything in the recent messages that needs an answer. Leave out a section whose data you could not read, and say so.",
                numbered.join("\n")
            )
        }
        "pipeline_review" => {
            let (scope, filter) = match args.get("team") {
                Some(team) => {
                    let (name, id) = record_ref(team);
                    (format!(" of the sales team {name}"), format!(", [\"team_id\", \"=\", {id}]"))
                }
                None => (String::new(), String::new()),
            };
            format!(
                "Review the sales pipeline{scope}.\n\n\
                 1. odoo_aggregate on crm.lead with domain [[\"type\", \"=\", \"opportunity\"]{filter}], group_by [\"stage_id\"], \
                 aggregates [\"expected_revenue:sum\", \"probability:avg\"]: the pipeline by stage.\n\
                 2. odoo_search on crm.lead with the same domain, order \"expected_revenue desc\", limit 20, fields name, partner_id, \
                 user_id, stage_id, expected_revenue, probability, date_deadline, activity_date_deadline: the biggest deals.\n\
                 3. odoo_search again with the domain plus [\"date_deadline\", \"<\", today's date]: the overdue deals.\n\n\
                 Present the pipeline by stage (count, expected revenue, weighted by probability), the deals that need attention \
                 (overdue, no next activity, large but unlikely) with their salesperson, and three concrete next steps."
            )
        }
        "sales_by_period" => {
            let period = text(args, "period").unwrap_or("month");
            let status = text(args, "status").unwrap_or("sale");
            let mut domain = vec![format!("[\"state\", \"=\", \"{status}\"]")];
            if let Some(from) = text(args, "from") {
                domain.push(format!("[\"date_order\", \">=\", \"{from} 00:00:00\"]"));
            }
            if let Some(to) = text(args, "to") {
                domain.push(format!("[\"date_order\", \"<=\", \"{to} 23:59:59\"]"));
            }
            let range = match (text(args, "from"), text(args, "to")) {
                (Some(f), Some(t)) => format!(" from {f} to {t}"),
                (Some(f), None) => format!(" since {f}"),
                (None, Some(t)) => format!(" until {t}"),
                (None, None) => String::new(),
            };
            format!(
                "Show me sales by {period}{range} (sale.order with status \"{status}\").\n\n\
                 1. odoo_aggregate on sale.order with domain [{}], group_by [\"date_order:{period}\"], aggregates [\"amount_total:sum\"], \
                 order \"date_order:{period} asc\" (continue with offset while has_more is true).\n\
                 2. For the best and the worst {period}, pass that group's domain to odoo_aggregate grouped by [\"partner_id\"], \
                 order \"amount_total:sum desc\", limit 5: who made the difference.\n\n\
                 Present a table (period, orders, total), the trend in one sentence, and the customers behind the peaks. \
                 Amounts are in the company currency as Odoo reports them.",
                domain.join(", ")
            )
        }
        "draft_follow_up" => {
            let (record, id) = args.get("record").map(record_ref).unwrap_or_default();
            let topic = text(args, "topic").map(|t| format!(" about: {t}")).unwrap_or_default();
            let posting = if perms.check(model, Operation::Update).is_ok() {
                format!(
                    "Only after I approve it, post it with odoo_chatter_post (model \"{model}\", id {id}, kind \"note\"): an internal note, so nobody is emailed."
                )
            } else {
                format!("This key may not post on {model}: give me the text to paste into Odoo myself.")
            };
            format!(
                "Draft a follow-up note on {record}{topic}.\n\n\
                 1. Read the record with odoo_get (model \"{model}\", ids [{id}]) and its recent messages with odoo_chatter_read \
                 (model \"{model}\", id {id}, limit 10).\n\
                 2. Draft a short, factual note: where things stand, what was agreed or asked last, and the next step with an owner and a date.\n\
                 3. Show me the draft. {posting}"
            )
        }
        _ => String::new(),
    }
}
