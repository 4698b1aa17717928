//! Seed data tables: the demo records of both recorded databases (partners,
//! countries, CRM stages/teams, leads, chatter messages, sale orders, system
//! parameters, crons, groups, and the `ir.model` rows). Ids and names follow
//! the fixtures wherever they show them; the rest is invented in the same
//! spirit (companies with contacts, leads spread over Sep-Nov 2026).

/// A partner: ids on 17 and 19 (0: absent), parent ids, name, is_company,
/// email, phone, street, city, zip, country code on 17 and on 19, function.
#[rustfmt::skip]
pub type PartnerRow = (i64, i64, i64, i64, &'static str, bool, &'static str, &'static str, &'static str, &'static str, &'static str, &'static str, &'static str, &'static str);

#[rustfmt::skip]
pub const PARTNERS: &[PartnerRow] = &[
    (1, 1, 0, 0, "YourCompany", true, "info@yourcompany.com", "+1 555-555-5556", "8000 Marina Blvd, Suite 300", "Brisbane", "94005", "US", "US", ""),
    (2, 2, 0, 0, "OdooBot", false, "odoobot@example.com", "", "", "", "", "", "", ""),
    (3, 3, 0, 0, "Mitchell Admin", false, "admin@yourcompany.example.com", "+1 555-555-5555", "215 Vine St", "Scranton", "18503", "US", "US", ""),
    (7, 6, 0, 0, "Marc Demo", false, "mark.brown23@example.com", "+1 555-555-5554", "3575 Buena Vista Avenue", "Eugene", "97401", "US", "US", ""),
    (8, 43, 0, 0, "Joel Willis", false, "joel.willis63@example.com", "(683)-556-5104", "858 Lynn Street", "Bayonne", "07002", "US", "US", ""),
    (9, 8, 0, 0, "Wood Corner", true, "bhu.a100@ic.example.com", "+1 555-555-5557", "1839 Arbor Way", "Turlock", "95380", "US", "US", ""),
    (10, 0, 0, 0, "Deco Addict", true, "info@agrolait.com", "+1 555-555-5558", "77 Santa Barbara Rd", "Pleasant Hill", "94523", "US", "US", ""),
    (0, 9, 0, 0, "Acme Corporation", true, "info@agrolait.com", "(603)-996-3829", "77 Santa Barbara Rd", "Pleasant Hill", "94523", "US", "US", ""),
    (11, 10, 0, 0, "Gemini Furniture", true, "john.b@tech.info", "+1 555-555-5559", "317 Fairchild Dr", "Fairfield", "94535", "US", "SM", ""),
    (12, 11, 0, 0, "Ready Mat", true, "info@deltapc.example.com", "+1 555-555-5560", "7500 W Linne Road", "Tracy", "95304", "US", "US", ""),
    (13, 14, 0, 0, "The Jackson Group", true, "jackson.group82@example.com", "+1 555-555-5561", "1611 Peony Dr", "Tracy", "95377", "US", "US", ""),
    (14, 15, 0, 0, "Azure Interior", true, "vauxoo@yourcompany.example.com", "+1 555-555-5562", "4557 De Silva St", "Fremont", "94538", "US", "US", ""),
    (15, 16, 0, 0, "Lumber Inc", true, "lumber-inv92@example.com", "+1 555-555-5563", "1337 N San Joaquin St", "Stockton", "95202", "US", "US", ""),
    (0, 12, 0, 0, "OpenWood", true, "ErikNFrench@armyspy.com", "+423 235 12 34", "Hauptstrasse 12", "Vaduz", "9490", "LI", "LI", ""),
    (0, 13, 0, 0, "LightsUp", true, "lightsup@example.com", "+382 20 123 456", "Bulevar Svetog Petra Cetinjskog 1", "Podgorica", "81000", "ME", "ME", ""),
    (0, 42, 0, 0, "My US Company", true, "", "", "", "", "", "US", "US", ""),
    (42, 44, 0, 0, "Demo Two", false, "demo2@example.com", "", "", "", "", "US", "US", ""),
    (16, 17, 9, 8, "Willie Burke", false, "willie.burke80@example.com", "(846)-523-2111", "1839 Arbor Way", "Turlock", "95380", "US", "US", "Service Manager"),
    (17, 18, 9, 8, "Ron Gibson", false, "ron.gibson76@example.com", "(976)-397-4091", "1839 Arbor Way", "Turlock", "95380", "US", "US", "Store Manager"),
    (32, 33, 9, 8, "Tom Ruiz", false, "tom.ruiz89@example.com", "(102)-834-1602", "1839 Arbor Way", "Turlock", "95380", "US", "US", "Buyer"),
    (18, 19, 10, 9, "Douglas Fletcher", false, "douglas.fletcher51@example.com", "(132)-553-7242", "77 Santa Barbara Rd", "Pleasant Hill", "94523", "US", "US", "Functional Consultant"),
    (19, 20, 10, 9, "Floyd Steward", false, "floyd.steward34@example.com", "(145)-138-3401", "77 Santa Barbara Rd", "Pleasant Hill", "94523", "US", "US", "Analyst"),
    (35, 36, 10, 9, "Addison Olson", false, "addison.olson28@example.com", "(223)-399-7637", "77 Santa Barbara Rd", "Pleasant Hill", "94523", "US", "US", "Purchase Manager"),
    (20, 21, 11, 10, "Edwin Hansen", false, "edwin.hansen58@example.com", "(943)-352-2555", "317 Fairchild Dr", "Fairfield", "94535", "US", "SM", "Marketing Manager"),
    (22, 23, 11, 10, "Jesse Brown", false, "jesse.brown74@example.com", "(829)-386-3277", "317 Fairchild Dr", "Fairfield", "94535", "US", "SM", "Senior Consultant"),
    (31, 32, 11, 10, "Oscar Morgan", false, "oscar.morgan11@example.com", "(561)-239-1744", "317 Fairchild Dr", "Fairfield", "94535", "US", "SM", "Order Clerk"),
    (23, 24, 11, 10, "Soham Palmer", false, "soham.palmer15@example.com", "(379)-167-2040", "317 Fairchild Dr", "Fairfield", "94535", "US", "SM", "Director"),
    (21, 22, 12, 11, "Billy Fox", false, "billy.fox45@example.com", "(915)-498-5611", "7500 W Linne Road", "Tracy", "95304", "US", "US", "Production Supervisor"),
    (25, 26, 12, 11, "Edith Sanchez", false, "edith.sanchez68@example.com", "(938)-175-2048", "7500 W Linne Road", "Tracy", "95304", "US", "US", "Chief Executive Officer"),
    (37, 38, 12, 11, "Julie Richards", false, "julie.richards84@example.com", "(225)-148-7811", "7500 W Linne Road", "Tracy", "95304", "US", "US", "Financial Manager"),
    (24, 25, 12, 11, "Kim Snyder", false, "kim.snyder96@example.com", "(215)-379-4865", "7500 W Linne Road", "Tracy", "95304", "US", "US", "Chief Financial Officer"),
    (36, 37, 12, 11, "Sandra Neal", false, "sandra.neal80@example.com", "(430)-371-7293", "7500 W Linne Road", "Tracy", "95304", "US", "US", "Sales Manager"),
    (30, 31, 12, 11, "Theodore Gardner", false, "theodore.gardner36@example.com", "(186)-612-6561", "7500 W Linne Road", "Tracy", "95304", "US", "US", "Accountant"),
    (38, 39, 12, 11, "Vivian Hughes", false, "vivian.hughes71@example.com", "(347)-276-4521", "7500 W Linne Road", "Tracy", "95304", "US", "US", "Logistics Manager"),
    (29, 30, 13, 14, "Gordon Owens", false, "gordon.owens47@example.com", "(336)-723-6569", "1611 Peony Dr", "Tracy", "95377", "US", "US", "Sales Manager"),
    (28, 29, 13, 14, "Toni Rhodes", false, "toni.rhodes11@example.com", "(198)-539-4948", "1611 Peony Dr", "Tracy", "95377", "US", "US", "Managing Partner"),
    (26, 27, 14, 15, "Brandon Freeman", false, "brandon.freeman55@example.com", "(355)-687-3262", "4557 De Silva St", "Fremont", "94538", "US", "US", "Creative Director"),
    (33, 34, 14, 15, "Colleen Diaz", false, "colleen.diaz83@example.com", "(255)-595-8393", "4557 De Silva St", "Fremont", "94538", "US", "US", "Business Executive"),
    (27, 28, 14, 15, "Nicole Ford", false, "nicole.ford75@example.com", "(946)-638-6034", "4557 De Silva St", "Fremont", "94538", "US", "US", "Director"),
    (34, 35, 15, 16, "Lorraine Douglas", false, "lorraine.douglas35@example.com", "(443)-648-9155", "1337 N San Joaquin St", "Stockton", "95202", "US", "US", "Operations Manager"),
    (39, 40, 1, 1, "Chester Reed", false, "chester.reed79@example.com", "(979)-904-8902", "8000 Marina Blvd, Suite 300", "Brisbane", "94005", "US", "US", "Chief Executive Officer"),
    (40, 41, 1, 1, "Dwayne Newman", false, "dwayne.newman28@example.com", "(614)-177-4937", "8000 Marina Blvd, Suite 300", "Brisbane", "94005", "US", "US", "Chief Operations Officer"),
];

/// Countries: id, name, code, phone code.
#[rustfmt::skip]
pub const COUNTRIES: &[(i64, &str, &str, i64)] = &[
    (20, "Belgium", "BE", 32),
    (38, "Canada", "CA", 1),
    (57, "Germany", "DE", 49),
    (75, "France", "FR", 33),
    (104, "India", "IN", 91),
    (128, "Liechtenstein", "LI", 423),
    (139, "Montenegro", "ME", 382),
    (203, "San Marino", "SM", 378),
    (231, "United Kingdom", "GB", 44),
    (233, "United States", "US", 1),
];

/// CRM stages: id, name, sequence, is_won.
#[rustfmt::skip]
pub const STAGES: &[(i64, &str, i64, bool)] =
    &[(1, "New", 1, false), (2, "Qualified", 2, false), (3, "Proposition", 3, false), (4, "Won", 70, true)];

/// Leads: id, name, type, partner (17 id, 0: none), contact name, company
/// name, email, stage, expected revenue, probability, salesperson (2 admin,
/// 6 Marc Demo, -1 demo2, 0 none), priority, create date, active.
#[rustfmt::skip]
pub type LeadRow = (i64, &'static str, &'static str, i64, &'static str, &'static str, &'static str, i64, f64, f64, i64, &'static str, &'static str, bool);

#[rustfmt::skip]
pub const LEADS: &[LeadRow] = &[
    (1, "Plan to attend a training", "lead", 0, "Jacques Dunagan", "Le Club SARL", "jacques.dunagan@leclub.example.com", 1, 2000.0, 10.0, 2, "1", "2026-11-24 11:10:40", true),
    (2, "Office Design Project", "opportunity", 14, "Brandon Freeman", "Azure Interior", "brandon.freeman55@example.com", 2, 24000.0, 30.0, 2, "2", "2026-10-03 09:12:00", true),
    (3, "Distributor Contract", "opportunity", 11, "Edwin Hansen", "Gemini Furniture", "edwin.hansen58@example.com", 3, 19800.0, 60.0, -1, "2", "2026-11-05 14:30:00", true),
    (4, "Quote for 12 Tables", "opportunity", 12, "Billy Fox", "Ready Mat", "billy.fox45@example.com", 4, 40000.0, 100.0, 2, "1", "2026-09-14 10:00:00", true),
    (5, "Furnitures for new office", "opportunity", 10, "Douglas Fletcher", "Deco Addict", "douglas.fletcher51@example.com", 1, 3800.0, 10.0, -1, "0", "2026-11-10 08:45:00", true),
    (6, "Modern Open Space", "opportunity", 15, "Lorraine Douglas", "Lumber Inc", "lorraine.douglas35@example.com", 2, 3000.0, 20.0, 0, "1", "2026-10-21 16:05:00", true),
    (7, "Custom Desks", "opportunity", 13, "Gordon Owens", "The Jackson Group", "gordon.owens47@example.com", 3, 35000.0, 70.0, 2, "3", "2026-11-12 11:00:00", true),
    (8, "Need 20 Desks", "opportunity", 9, "Ron Gibson", "Wood Corner", "ron.gibson76@example.com", 1, 60000.0, 10.0, 2, "2", "2026-11-18 09:30:00", true),
    (9, "Interest in your Kitchen products", "lead", 0, "Tina Wells", "Tina's Kitchen", "tina.wells@example.com", 1, 0.0, 5.0, 0, "0", "2026-11-20 13:15:00", true),
    (10, "Pricing for 200 chairs", "opportunity", 14, "Colleen Diaz", "Azure Interior", "colleen.diaz83@example.com", 3, 15000.0, 50.0, -1, "1", "2026-10-09 10:20:00", true),
    (11, "Cabinets", "opportunity", 11, "Jesse Brown", "Gemini Furniture", "jesse.brown74@example.com", 2, 8000.0, 25.0, 6, "0", "2026-09-25 15:40:00", true),
    (12, "Renovation of the office", "opportunity", 12, "Kim Snyder", "Ready Mat", "kim.snyder96@example.com", 4, 23800.0, 100.0, 2, "2", "2026-10-15 12:00:00", true),
    (13, "Storage Solutions", "opportunity", 15, "Lorraine Douglas", "Lumber Inc", "lorraine.douglas35@example.com", 1, 1000.0, 0.0, 2, "0", "2026-11-02 10:10:00", false),
    (14, "Plan to buy 60 keyboards and mouses", "opportunity", 13, "Toni Rhodes", "The Jackson Group", "toni.rhodes11@example.com", 2, 3200.0, 20.0, -1, "1", "2026-11-16 17:25:00", true),
];

/// Messages (17 id, 19 id): document model/id, type, author partner (17 id,
/// 0: none), subtype, body on 17, body on 19.
#[rustfmt::skip]
pub type MessageRow = (i64, i64, &'static str, i64, &'static str, i64, i64, &'static str, &'static str);

const JACQUES: &str = "<p>Hello,<br>\n            I am Jacques from Le Club SARL. I am interested in attending a training organized by your company.<br>\n            Can you send me the details?</p>";

#[rustfmt::skip]
pub const MESSAGES: &[MessageRow] = &[
    (119, 227, "crm.lead", 1, "notification", 2, 8, "", "<div summary=\"o_mail_notification\"><p>A new lead has been created for the team \"Sales\".</p></div>"),
    (120, 228, "crm.lead", 1, "email", 0, 1, JACQUES, JACQUES),
    (121, 229, "crm.lead", 2, "notification", 2, 8, "", "<div summary=\"o_mail_notification\"><p>A new lead has been created for the team \"Sales\".</p></div>"),
    (122, 230, "res.partner", 14, "comment", 3, 2, "<p>Met at the trade fair, wants a catalogue.</p>", "<p>Met at the trade fair, wants a catalogue.</p>"),
    (123, 231, "sale.order", 1, "notification", 3, 1, "<p>Quotation confirmed.</p>", "<p>Quotation confirmed.</p>"),
];

/// Message subtypes: id, name, internal, model.
#[rustfmt::skip]
pub const SUBTYPES: &[(i64, &str, bool, &str)] = &[
    (1, "Discussions", false, ""),
    (2, "Note", true, ""),
    (3, "Activities", true, ""),
    (8, "Opportunity Created", false, "crm.lead"),
    (9, "Stage Changed", false, "crm.lead"),
    (10, "Opportunity Won", false, "crm.lead"),
];

/// Sale orders: id, partner (17 id), salesperson code, state, untaxed, total,
/// order date.
#[rustfmt::skip]
pub const ORDERS: &[(i64, i64, i64, &str, f64, f64, &str)] = &[
    (1, 14, 2, "sale", 1564.35, 1799.0, "2026-10-05 09:00:00"),
    (2, 10, -1, "draft", 2563.04, 2947.5, "2026-11-03 14:20:00"),
    (3, 11, 2, "sent", 328.26, 377.5, "2026-11-19 10:45:00"),
    (4, 12, -1, "cancel", 869.57, 1000.0, "2026-09-28 08:30:00"),
];

/// System parameters: key, value.
#[rustfmt::skip]
pub const PARAMETERS: &[(&str, &str)] = &[
    ("base.login_cooldown_after", "10"),
    ("base.login_cooldown_duration", "60"),
    ("database.create_date", "2026-11-24 11:00:00"),
    ("database.uuid", "3c4c0d2e-95f1-11f1-9a4e-0242ac120002"),
    ("mail.catchall.domain", "example.com"),
    ("web.base.url", "http://localhost:8069"),
];

/// Scheduled actions: name, interval number, interval type, next call.
#[rustfmt::skip]
pub const CRONS: &[(&str, i64, &str, &str)] = &[
    ("Base: Auto-vacuum internal data", 1, "days", "2026-11-25 03:00:00"),
    ("Mail: Email Queue Manager", 1, "hours", "2026-11-24 12:00:00"),
    ("CRM: enrich leads (IAP)", 1, "hours", "2026-11-24 12:00:00"),
    ("Sales: Send quotation reminders", 1, "days", "2026-11-25 05:00:00"),
];

/// Groups: name on 17, full name on 17, name on 19.
#[rustfmt::skip]
pub const GROUPS: &[(&str, &str, &str)] = &[
    ("Internal User", "User types / Internal User", "Role / User"),
    ("Access Rights", "Administration / Access Rights", "Access Rights"),
    ("Settings", "Administration / Settings", "Role / Administrator"),
    ("Technical Features", "Technical / Technical Features", "Technical Features"),
    ("User: Own Documents Only", "Sales / User: Own Documents Only", "Sales / User: Own Documents Only"),
    ("User: All Documents", "Sales / User: All Documents", "Sales / User: All Documents"),
    ("Administrator", "Sales / Administrator", "Sales / Administrator"),
];

/// `ir.model` rows recorded on 17: id, model, name.
#[rustfmt::skip]
pub const IR_MODEL_17: &[(i64, &str, &str)] = &[
    (439, "account.account", "Account"),
    (354, "account.analytic.account", "Analytic Account"),
    (88, "res.partner.bank", "Bank Accounts"),
    (362, "calendar.event", "Calendar Event"),
    (94, "res.company", "Companies"),
    (85, "res.partner", "Contact"),
    (204, "discuss.channel", "Discussion Channel"),
    (159, "mail.thread.cc", "Email CC management"),
    (157, "mail.thread", "Email Thread"),
    (443, "account.journal", "Journal"),
    (452, "account.move", "Journal Entry"),
    (487, "crm.lead", "Lead/Opportunity"),
    (169, "mail.blacklist", "Mail Blacklist"),
    (158, "mail.thread.blacklist", "Mail Blacklist mixin"),
    (160, "mail.thread.main.attachment", "Mail Main Attachment management"),
    (456, "account.payment", "Payments"),
    (371, "phone.blacklist", "Phone Blacklist"),
    (372, "mail.thread.phone", "Phone Blacklist Mixin"),
    (449, "account.reconcile.model", "Preset to create journal entries during a invoices and payments matching"),
    (386, "product.pricelist", "Pricelist"),
];

/// `ir.model` rows recorded on 19: id, model, name.
#[rustfmt::skip]
pub const IR_MODEL_19: &[(i64, &str, &str)] = &[
    (477, "account.account", "Account"),
    (386, "account.analytic.account", "Analytic Account"),
    (93, "res.partner.bank", "Bank Accounts"),
    (395, "calendar.event", "Calendar Event"),
    (98, "res.company", "Companies"),
    (90, "res.partner", "Contact"),
    (228, "discuss.channel", "Discussion Channel"),
    (176, "mail.thread.cc", "Email CC management"),
    (174, "mail.thread", "Email Thread"),
    (163, "iap.account", "IAP Account"),
    (482, "account.journal", "Journal"),
    (472, "account.move", "Journal Entry"),
    (528, "crm.lead", "Lead"),
    (186, "mail.blacklist", "Mail Blacklist"),
    (175, "mail.thread.blacklist", "Mail Blacklist mixin"),
    (177, "mail.thread.main.attachment", "Mail Main Attachment management"),
    (178, "mail.tracking.duration.mixin", "Mixin to compute the time a record has spent in each value a many2one field can take"),
    (496, "account.payment", "Payments"),
    (408, "phone.blacklist", "Phone Blacklist"),
    (409, "mail.thread.phone", "Phone Blacklist Mixin"),
];

/// Transient (wizard) models listed in `ir.model`: model, name.
#[rustfmt::skip]
pub const TRANSIENT_MODELS: &[(&str, &str)] = &[
    ("base.module.update", "Update Module"),
    ("mail.compose.message", "Email composition wizard"),
    ("crm.lead2opportunity.partner", "Convert Lead to Opportunity (not in mass)"),
];
