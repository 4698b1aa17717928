//! Method signatures (16.0–19.0 parameter names), which methods exist
//! on which model in which version, and argument binding with Python's error
//! texts: `TypeError` for `execute_kw` calls (`BaseModel.search() got an
//! unexpected keyword argument ...`) and the JSON-2 `UnprocessableEntity`
//! texts (`missing a required argument: 'domain'`).

use crate::errors::{type_error, Kind, OResult, OdooError};
use crate::store::Model;
use crate::OdooVersion;
use serde_json::{Map, Value};
use std::collections::HashMap;

/// A method signature. Defaults are JSON literals; `!` marks a required
/// parameter.
pub struct Sig {
    pub name: &'static str,
    pub qual: &'static str,
    /// `@api.model`: no record ids.
    pub model_api: bool,
    pub params: &'static [(&'static str, &'static str)],
    /// Accepts `**kwargs`.
    pub var_kw: bool,
    /// Parameters are keyword-only (`def f(self, *, ...)`).
    pub kw_only: bool,
}

const fn sig(
    name: &'static str,
    qual: &'static str,
    model_api: bool,
    params: &'static [(&'static str, &'static str)],
) -> Sig {
    Sig { name, qual, model_api, params, var_kw: false, kw_only: false }
}

const COMMON: &[Sig] = &[
    sig("search", "BaseModel.search", true, &[("domain", "!"), ("offset", "0"), ("limit", "null"), ("order", "null")]),
    sig("search_count", "BaseModel.search_count", true, &[("domain", "!"), ("limit", "null")]),
    Sig {
        var_kw: true,
        ..sig(
            "search_read",
            "BaseModel.search_read",
            true,
            &[("domain", "null"), ("fields", "null"), ("offset", "0"), ("limit", "null"), ("order", "null")],
        )
    },
    sig("read", "BaseModel.read", false, &[("fields", "null"), ("load", "\"_classic_read\"")]),
    sig("fields_get", "BaseModel.fields_get", true, &[("allfields", "null"), ("attributes", "null")]),
    sig("create", "BaseModel.create", true, &[("vals_list", "!")]),
    sig("write", "BaseModel.write", false, &[("vals", "!")]),
    sig("unlink", "BaseModel.unlink", false, &[]),
    sig(
        "read_group",
        "BaseModel.read_group",
        true,
        &[
            ("domain", "!"),
            ("fields", "!"),
            ("groupby", "!"),
            ("offset", "0"),
            ("limit", "null"),
            ("orderby", "false"),
            ("lazy", "true"),
        ],
    ),
    sig(
        "check_access_rights",
        "BaseModel.check_access_rights",
        true,
        &[("operation", "!"), ("raise_exception", "true")],
    ),
    sig("check_access_rule", "BaseModel.check_access_rule", false, &[("operation", "!")]),
    sig("exists", "BaseModel.exists", false, &[]),
    sig("action_archive", "BaseModel.action_archive", false, &[]),
    sig("action_unarchive", "BaseModel.action_unarchive", false, &[]),
];

/// 16, 17 and 18: `name_search(name, args, …)`, `default_get(fields_list)`.
const BEFORE_19: &[Sig] = &[
    sig(
        "name_search",
        "BaseModel.name_search",
        true,
        &[("name", "\"\""), ("args", "null"), ("operator", "\"ilike\""), ("limit", "100")],
    ),
    sig("default_get", "BaseModel.default_get", true, &[("fields_list", "!")]),
];

/// 16 and 17 (gone in 18, where `display_name` replaces it).
const NAME_GET: &[Sig] = &[sig("name_get", "BaseModel.name_get", false, &[])];

/// 18 and 19: the access checks that combine ACLs and record rules. 19 marks
/// `check_access` `@api.private` (see [`is_private`]).
const ACCESS_18: &[Sig] = &[
    sig("has_access", "BaseModel.has_access", false, &[("operation", "!")]),
    sig("check_access", "BaseModel.check_access", false, &[("operation", "!")]),
];

const V19_ONLY: &[Sig] = &[
    sig(
        "name_search",
        "BaseModel.name_search",
        true,
        &[("name", "\"\""), ("domain", "null"), ("operator", "\"ilike\""), ("limit", "100")],
    ),
    sig("default_get", "BaseModel.default_get", true, &[("fields", "!")]),
    sig(
        "formatted_read_group",
        "Base.formatted_read_group",
        true,
        &[
            ("domain", "!"),
            ("groupby", "[]"),
            ("aggregates", "[]"),
            ("having", "[]"),
            ("offset", "0"),
            ("limit", "null"),
            ("order", "null"),
        ],
    ),
];

const MESSAGE_POST: Sig = Sig {
    name: "message_post",
    qual: "MailThread.message_post",
    model_api: false,
    params: &[
        ("body", "\"\""),
        ("subject", "null"),
        ("message_type", "\"notification\""),
        ("email_from", "null"),
        ("author_id", "null"),
        ("parent_id", "false"),
        ("subtype_xmlid", "null"),
        ("subtype_id", "false"),
        ("partner_ids", "null"),
        ("attachments", "null"),
        ("attachment_ids", "null"),
        ("body_is_html", "false"),
    ],
    var_kw: true,
    kw_only: true,
};

const CONTEXT_GET: Sig = sig("context_get", "Users.context_get", true, &[]);

/// The version's own signatures, beside [`COMMON`].
fn specific(version: OdooVersion) -> [&'static [Sig]; 2] {
    match version {
        OdooVersion::V16 | OdooVersion::V17 => [BEFORE_19, NAME_GET],
        OdooVersion::V18 => [BEFORE_19, ACCESS_18],
        OdooVersion::V19 => [V19_ONLY, ACCESS_18],
    }
}

/// Public-looking methods Odoo refuses over RPC: `@api.private` (saas~18.2
/// and 19). Only those the recordings show: 19 answers `check_access` with
/// "Private methods (such as 'res.partner.check_access') cannot be called
/// remotely."; 18 still serves it.
pub fn is_private(version: OdooVersion, method: &str) -> bool {
    version.is_19() && method == "check_access"
}

/// The signature of a public method of a model, if it exists in the version.
pub fn lookup(version: OdooVersion, model: &Model, method: &str) -> Option<&'static Sig> {
    let found = COMMON.iter().chain(specific(version).into_iter().flatten()).find(|s| s.name == method);
    if let Some(s) = found {
        let needs_active = matches!(method, "action_archive" | "action_unarchive");
        return (!needs_active || model.field("active").is_some()).then_some(s);
    }
    match method {
        "message_post" if model.mail_thread => Some(&MESSAGE_POST),
        "context_get" if model.name == "res.users" => Some(&CONTEXT_GET),
        _ => crate::buttons::lookup(&model.name, method),
    }
}

/// Arguments bound to a signature.
#[derive(Debug, Default)]
pub struct Bound {
    pub args: HashMap<String, Value>,
    /// `**kwargs` left over.
    pub extra: Map<String, Value>,
}

impl Bound {
    /// A bound argument (with its default applied).
    pub fn get(&self, name: &str) -> &Value {
        self.args.get(name).unwrap_or(&Value::Null)
    }
}

fn default_of(lit: &str) -> Value {
    serde_json::from_str(lit).unwrap_or(Value::Null)
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{} {}", n, word)
    } else {
        format!("{} {}s", n, word)
    }
}

fn name_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("'{}'", n)).collect();
    match quoted.len() {
        0 => String::new(),
        1 => quoted[0].clone(),
        2 => format!("{} and {}", quoted[0], quoted[1]),
        n => format!("{}, and {}", quoted[..n - 1].join(", "), quoted[n - 1]),
    }
}

/// Binds positional and keyword arguments like a Python call (execute_kw).
pub fn bind_call(sig: &Sig, positional: &[Value], kwargs: &Map<String, Value>) -> OResult<Bound> {
    let max = if sig.kw_only { 0 } else { sig.params.len() };
    if positional.len() > max {
        let min = if sig.kw_only { 0 } else { sig.params.iter().filter(|(_, d)| *d == "!").count() };
        let given = positional.len() + 1;
        let msg = if min == max {
            format!(
                "{}() takes {} but {} {} given",
                sig.qual,
                plural(max + 1, "positional argument"),
                given,
                if given == 1 { "was" } else { "were" }
            )
        } else {
            format!(
                "{}() takes from {} to {} positional arguments but {} were given",
                sig.qual,
                min + 1,
                max + 1,
                given
            )
        };
        return Err(type_error(msg));
    }
    let mut bound = Bound::default();
    for (value, (name, _)) in positional.iter().zip(sig.params.iter()) {
        bound.args.insert(name.to_string(), value.clone());
    }
    for (key, value) in kwargs {
        if sig.params.iter().any(|(n, _)| n == key) {
            if bound.args.contains_key(key) {
                return Err(type_error(format!("{}() got multiple values for argument '{}'", sig.qual, key)));
            }
            bound.args.insert(key.clone(), value.clone());
        } else if sig.var_kw {
            bound.extra.insert(key.clone(), value.clone());
        } else {
            return Err(type_error(format!("{}() got an unexpected keyword argument '{}'", sig.qual, key)));
        }
    }
    let missing: Vec<&str> =
        sig.params.iter().filter(|(n, d)| *d == "!" && !bound.args.contains_key(*n)).map(|(n, _)| *n).collect();
    if !missing.is_empty() {
        let kind = if sig.kw_only { "keyword-only argument" } else { "positional argument" };
        return Err(type_error(format!(
            "{}() missing {}: {}",
            sig.qual,
            plural(missing.len(), &format!("required {}", kind)),
            name_list(&missing)
        )));
    }
    fill_defaults(sig, &mut bound);
    Ok(bound)
}

/// Binds JSON-2 keyword arguments (`inspect.Signature.bind` texts, 422).
pub fn bind_json2(sig: &Sig, body: &Map<String, Value>) -> OResult<Bound> {
    let unprocessable = |msg: String| OdooError::new(Kind::UnprocessableEntity, msg);
    let mut bound = Bound::default();
    for (name, default) in sig.params {
        match body.get(*name) {
            Some(v) => {
                bound.args.insert(name.to_string(), v.clone());
            }
            None if *default == "!" => {
                return Err(unprocessable(format!("missing a required argument: '{}'", name)));
            }
            None => {}
        }
    }
    for (key, value) in body {
        if key == "ids" || key == "context" || sig.params.iter().any(|(n, _)| n == key) {
            continue;
        }
        if sig.var_kw {
            bound.extra.insert(key.clone(), value.clone());
        } else {
            return Err(unprocessable(format!("got an unexpected keyword argument '{}'", key)));
        }
    }
    fill_defaults(sig, &mut bound);
    Ok(bound)
}

fn fill_defaults(sig: &Sig, bound: &mut Bound) {
    for (name, default) in sig.params {
        if *default != "!" && !bound.args.contains_key(*name) {
            bound.args.insert(name.to_string(), default_of(default));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn find(name: &str) -> &'static Sig {
        COMMON.iter().find(|s| s.name == name).unwrap_or(&CONTEXT_GET)
    }

    #[test]
    fn python_call_errors() {
        let s = find("search_count");
        let kw: Map<String, Value> = json!({"limt": 1}).as_object().cloned().unwrap_or_default();
        let err = bind_call(s, &[json!([])], &kw).err().map(|e| e.message);
        assert_eq!(err.as_deref(), Some("BaseModel.search_count() got an unexpected keyword argument 'limt'"));
        let err = bind_call(s, &[], &Map::new()).err().map(|e| e.message);
        assert_eq!(err.as_deref(), Some("BaseModel.search_count() missing 1 required positional argument: 'domain'"));
        let err = bind_call(find("search"), &[json!([]), json!(0), json!(1), json!(""), json!(1)], &Map::new());
        assert_eq!(
            err.err().map(|e| e.message).as_deref(),
            Some("BaseModel.search() takes from 2 to 5 positional arguments but 6 were given")
        );
    }

    #[test]
    fn json2_errors() {
        let body = json!({"domian": []}).as_object().cloned().unwrap_or_default();
        let err = bind_json2(find("search_count"), &body).err();
        assert_eq!(err.map(|e| e.message).as_deref(), Some("missing a required argument: 'domain'"));
        let ok = bind_json2(find("search_read"), &body).ok();
        assert!(ok.is_some_and(|b| b.extra.contains_key("domian") && b.get("offset") == &json!(0)));
    }
}
