//! Schemas and metadata of the models without a recorded `fields_get`:
//! compact field lists, descriptions and `_order` of every modelled model,
//! and the `modules` shown by `ir.model`.

use crate::schema::{self, FieldDef};

/// Compact schemas of the models that have no recorded `fields_get`.
pub fn synth_schema(model: &str, v19: bool) -> Option<Vec<FieldDef>> {
    let groups_field =
        if v19 { "group_ids:many2many:Groups:res.groups" } else { "groups_id:many2many:Groups:res.groups" };
    let users_field = if v19 { "user_ids:many2many:Users:res.users" } else { "users:many2many:Users:res.users" };
    let lines: Vec<&str> = match model {
        "res.users" => vec![
            "name:char:Name", "login:char:Login", "partner_id:many2one:Related Partner:res.partner",
            "active:boolean:Active", "email:char:Email::nostore", "company_id:many2one:Company:res.company",
            "company_ids:many2many:Companies:res.company", groups_field, "share:boolean:Share User::ro",
            "lang:selection:Language::sel=en_US/English (US)", "tz:char:Timezone",
            "login_date:datetime:Latest authentication::ro,nostore", "signature:html:Email Signature",
            "sale_team_id:many2one:User Sales Team:crm.team",
        ],
        "res.groups" => vec!["name:char:Name", "full_name:char:Group Name::ro", "share:boolean:Share Group", "comment:text:Comment", users_field],
        "ir.config_parameter" => vec!["key:char:Key", "value:text:Value"],
        "ir.cron" => vec![
            "name:char:Name", "model_id:many2one:Model:ir.model", "interval_number:integer:Interval Number",
            "interval_type:selection:Interval Unit::sel=minutes/Minutes|hours/Hours|days/Days|weeks/Weeks|months/Months",
            "nextcall:datetime:Next Execution Date", "active:boolean:Active", "priority:integer:Priority",
        ],
        "res.country" => vec!["name:char:Country Name", "code:char:Country Code", "phone_code:integer:Country Calling Code"],
        "crm.stage" => vec![
            "name:char:Stage Name", "sequence:integer:Sequence", "is_won:boolean:Is Won Stage?",
            "fold:boolean:Folded in Pipeline", "requirements:text:Requirements", "team_id:many2one:Sales Team:crm.team",
        ],
        "crm.team" => vec![
            "name:char:Sales Team", "sequence:integer:Sequence", "active:boolean:Active",
            "user_id:many2one:Team Leader:res.users", "company_id:many2one:Company:res.company",
            "use_leads:boolean:Leads", "use_opportunities:boolean:Pipeline",
        ],
        "mail.message" => vec![
            "subject:char:Subject", "body:html:Contents", "date:datetime:Date",
            "author_id:many2one:Author:res.partner", "email_from:char:From",
            "message_type:selection:Type::sel=email/Incoming Email|comment/Comment|email_outgoing/Outgoing Email|notification/System notification|auto_comment/Automated Targeted Notification|user_notification/User Specific Notification",
            "subtype_id:many2one:Subtype:mail.message.subtype", "model:char:Related Document Model",
            "res_id:many2one_reference:Related Document ID", "record_name:char:Message Record Name",
            "parent_id:many2one:Parent Message:mail.message", "partner_ids:many2many:Recipients:res.partner",
            "attachment_ids:many2many:Attachments:ir.attachment",
            "tracking_value_ids:one2many:Tracking values:mail.tracking.value",
            "starred:boolean:Starred::nostore", "is_internal:boolean:Employee Only", "reply_to:char:Reply-To",
        ],
        "mail.message.subtype" => vec![
            "name:char:Message Type", "description:text:Description", "internal:boolean:Internal Only",
            "res_model:char:Model", "sequence:integer:Sequence", "default:boolean:Default", "hidden:boolean:Hidden",
        ],
        "res.company" => vec![
            "name:char:Company Name", "partner_id:many2one:Partner:res.partner", "email:char:Email",
            "phone:char:Phone", "country_id:many2one:Country:res.country", "sequence:integer:Sequence",
            "currency_id:many2one:Currency:res.currency", "parent_id:many2one:Parent Company:res.company",
        ],
        "res.currency" => vec!["name:char:Currency", "symbol:char:Symbol", "active:boolean:Active"],
        "res.lang" => vec!["name:char:Name", "code:char:Locale Code", "active:boolean:Active"],
        "ir.model" => vec![
            "model:char:Model", "name:char:Model Description", "transient:boolean:Transient Model",
            "modules:char:In Apps::ro,nostore", "state:selection:Type::sel=manual/Custom Object|base/Base Object",
            "info:text:Information", "order:char:Order",
        ],
        // Not recorded: the stored and computed fields of ir.attachment (16–19 alike) that the probes'
        // create, read and search_read use, and their neighbours.
        "ir.attachment" => vec![
            "name:char:Name", "description:text:Description", "res_name:char:Resource Name::ro,nostore",
            "res_model:char:Resource Model", "res_field:char:Resource Field", "res_id:many2one_reference:Resource ID",
            "company_id:many2one:Company:res.company", "type:selection:Type::sel=url/URL|binary/File",
            "url:char:Url", "public:boolean:Is public document", "access_token:char:Access Token",
            "raw:binary:File Content (raw)::nostore", "datas:binary:File Content (base64)::nostore",
            "store_fname:char:Stored Filename", "db_datas:binary:Database Data", "file_size:integer:File Size::ro",
            "checksum:char:Checksum/SHA1::ro", "mimetype:char:Mime Type", "index_content:text:Indexed Content::ro",
        ],
        "crm.tag" => vec!["name:char:Tag Name", "color:integer:Color"],
        "res.partner.category" => vec![
            "name:char:Tag Name", "color:integer:Color Index", "active:boolean:Active",
            "parent_id:many2one:Parent Category:res.partner.category",
        ],
        _ => return None,
    };
    Some(schema::synth(&lines))
}

/// Models with their description and `_order` (recorded or compact schema).
pub const MODELS: &[(&str, &str, &str)] = &[
    ("res.partner", "Contact", "complete_name asc, id desc"),
    ("crm.lead", "Lead/Opportunity", "priority desc, id desc"),
    ("sale.order", "Sales Order", "date_order desc, id desc"),
    ("res.users", "User", "name, login"),
    ("res.groups", "Access Groups", "name"),
    ("ir.config_parameter", "System Parameter", "key"),
    ("ir.cron", "Scheduled Actions", "priority, name"),
    ("res.country", "Country", "name"),
    ("crm.stage", "CRM Stages", "sequence, name, id"),
    ("crm.team", "Sales Team", "sequence, name"),
    ("mail.message", "Message", "id desc"),
    ("mail.message.subtype", "Message subtypes", "sequence, id"),
    ("res.company", "Companies", "sequence, name"),
    ("res.currency", "Currency", "active desc, name"),
    ("res.lang", "Languages", "active desc, name"),
    ("ir.model", "Models", "name, id"),
    ("crm.tag", "CRM Tag", "name"),
    ("ir.attachment", "Attachment", "id desc"),
    ("res.partner.category", "Partner Tags", "name"),
];

pub fn modules_of(model: &str) -> &'static str {
    match model {
        "res.partner" => "account, base, contacts, crm, mail, sale",
        "res.users" => "base, crm, mail, sale",
        "crm.lead" => "crm, sale_crm",
        "sale.order" => "sale, sale_crm, sale_management",
        m if m.starts_with("account.") => "account",
        m if m.starts_with("crm.") => "crm",
        m if m.starts_with("mail.") || m.starts_with("discuss.") => "mail",
        m if m.starts_with("calendar.") => "calendar",
        m if m.starts_with("product.") => "product",
        m if m.starts_with("phone.") => "phone_validation",
        m if m.starts_with("iap.") => "iap",
        m if m.starts_with("sale.") => "sale",
        _ => "base",
    }
}
