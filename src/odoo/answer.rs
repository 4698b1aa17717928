//! What Odoo answers when a method worked, for every method whose answer the server relies on, and which
//! methods change data. Any JSON in a 200 is otherwise taken as the result, so an answer of another
//! shape (`false` from `write`, `{}` from `create`, no `result` at all) would read as a success, or as a
//! plain failure of a create that did happen. Such an answer is not Odoo's own: an override that forgot
//! its `return`, or something in front of Odoo rewriting answers. For a write it means the answer was
//! lost, as after a timeout: Odoo may or may not have applied it (`OdooClient::call` marks it so).
//!
//! Shapes, from the recordings of 16 to 19 (`tests/fixtures/odoo/*/traffic`): `write` and `unlink` answer
//! `true`; `create` a list of ids for a list of values (JSON-2 always sends a list) and an int for one
//! values dict over `/jsonrpc`; `message_post` an int on 16–18 and `[id]` on 19.

use super::call::Call;
use super::error::{OdooError, OdooErrorKind};
use serde_json::Value;

/// The answer a method gives when it worked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Exactly `true`.
    True,
    /// `true` or `false`.
    Bool,
    /// A list of exactly this many positive ids.
    Ids(usize),
    /// One positive id.
    Id,
    /// One positive id, bare or as a list of one.
    IdOrOneIdList,
    /// A list (of records or rows).
    List,
    /// An object (fields, defaults).
    Object,
    /// A non-negative integer.
    Count,
}

impl Shape {
    fn describe(self) -> String {
        match self {
            Shape::True => "true".into(),
            Shape::Bool => "true or false".into(),
            Shape::Ids(1) => "a list of one record id".into(),
            Shape::Ids(n) => format!("a list of {n} record ids"),
            Shape::Id => "a record id".into(),
            Shape::IdOrOneIdList => "a record id (or a list of one)".into(),
            Shape::List => "a list".into(),
            Shape::Object => "an object".into(),
            Shape::Count => "a count".into(),
        }
    }

    pub fn fits(self, answer: &Value) -> bool {
        match self {
            Shape::True => answer == &Value::Bool(true),
            Shape::Bool => answer.is_boolean(),
            Shape::Ids(n) => {
                answer.as_array().is_some_and(|ids| ids.len() == n && ids.iter().all(|i| positive(i).is_some()))
            }
            Shape::Id => positive(answer).is_some(),
            Shape::IdOrOneIdList => single_id(answer).is_some(),
            Shape::List => answer.is_array(),
            Shape::Object => answer.is_object(),
            Shape::Count => answer.as_u64().is_some(),
        }
    }
}

/// The shape `call`'s answer must have, when the server relies on it.
pub fn expected(call: &Call<'_>) -> Option<Shape> {
    Some(match call.method {
        "write" | "unlink" => Shape::True,
        "create" => match call.params.iter().find(|(name, _)| matches!(*name, "vals_list" | "vals")).map(|(_, v)| v) {
            Some(Value::Array(vals)) => Shape::Ids(vals.len()),
            Some(_) => Shape::Id,
            None => return None,
        },
        "message_post" => Shape::IdOrOneIdList,
        "has_access" => Shape::Bool,
        "search_read" | "read" => Shape::List,
        "search_count" => Shape::Count,
        "fields_get" | "default_get" => Shape::Object,
        _ => return None,
    })
}

/// `answer` when it has the shape `call` expects; otherwise the error that says what came instead.
pub fn check(call: &Call<'_>, answer: Value) -> Result<Value, OdooError> {
    match expected(call) {
        Some(shape) if !shape.fits(&answer) => Err(OdooError::new(
            OdooErrorKind::UnexpectedAnswer,
            format!(
                "{} on {} answered {}, where Odoo answers {}",
                call.method,
                call.model,
                shown(&answer),
                shape.describe()
            ),
        )),
        _ => Ok(answer),
    }
}

/// Methods that may change data: when their answer is lost, Odoo may have applied them. Every method but
/// the reads and access checks this server calls: `create`, `write`, `unlink`, `message_post`, and any
/// button method (`action_confirm`, `button_validate` …).
pub fn is_write(method: &str) -> bool {
    !matches!(
        method,
        "search_read"
            | "read"
            | "search"
            | "search_count"
            | "fields_get"
            | "default_get"
            | "read_group"
            | "formatted_read_group"
            | "name_search"
            | "context_get"
            | "has_access"
            | "check_access_rights"
            | "check_access_rule"
    )
}

/// The one id of a `create` of one record or a `message_post`: bare (16–18) or a list of one (19).
pub fn single_id(answer: &Value) -> Option<i64> {
    match answer {
        Value::Array(ids) if ids.len() == 1 => ids.first().and_then(positive),
        other => positive(other),
    }
}

fn positive(v: &Value) -> Option<i64> {
    v.as_i64().filter(|id| *id > 0)
}

/// The answer as it came, short enough for a message.
fn shown(answer: &Value) -> String {
    if answer.is_null() {
        return "nothing".into();
    }
    let text = answer.to_string();
    match text.char_indices().nth(80) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn call<'p>(method: &'p str, params: Vec<(&'static str, Value)>) -> Call<'p> {
        Call { model: "res.partner", method, ids: None, params, positional: 1 }
    }

    #[test]
    fn odoo_s_recorded_answers_fit() {
        for (c, answer) in [
            (call("write", vec![("vals", json!({}))]), json!(true)),
            (call("unlink", vec![]), json!(true)),
            (call("create", vec![("vals_list", json!([{"name": "A"}]))]), json!([48])),
            (call("create", vec![("vals_list", json!([{}, {}]))]), json!([48, 49])),
            (call("create", vec![("vals", json!({"name": "A"}))]), json!(48)),
            (call("message_post", vec![]), json!(359)),
            (call("message_post", vec![]), json!([487])),
            (call("has_access", vec![]), json!(false)),
            (call("search_read", vec![]), json!([])),
            (call("search_count", vec![]), json!(0)),
            (call("default_get", vec![]), json!({})),
            (call("action_archive", vec![]), json!(null)),
            (call("check_access_rule", vec![]), json!(null)),
        ] {
            assert_eq!(check(&c, answer.clone()), Ok(answer), "{}", c.method);
        }
    }

    #[test]
    fn other_shapes_are_refused_with_what_came() {
        for (c, answer, needle) in [
            (call("write", vec![]), json!(false), "answered false, where Odoo answers true"),
            (call("unlink", vec![]), json!(null), "answered nothing"),
            (call("unlink", vec![]), json!("ok"), "answered \"ok\""),
            (call("create", vec![("vals_list", json!([{}]))]), json!({}), "a list of one record id"),
            (call("create", vec![("vals_list", json!([{}]))]), json!(48), "a list of one"),
            (call("create", vec![("vals_list", json!([{}]))]), json!([0]), "a list of one"),
            (call("create", vec![("vals_list", json!([{}, {}]))]), json!([48]), "a list of 2 record ids"),
            (call("message_post", vec![]), json!([1, 2]), "a record id"),
            (call("message_post", vec![]), json!("243"), "a record id"),
            (call("has_access", vec![]), json!(1), "true or false"),
            (call("search_read", vec![]), json!({"records": []}), "a list"),
            (call("search_count", vec![]), json!(-1), "a count"),
        ] {
            let e = check(&c, answer).unwrap_err();
            assert_eq!(e.kind, OdooErrorKind::UnexpectedAnswer);
            assert!(e.message.contains(needle), "{}: {}", c.method, e.message);
            assert!(e.message.contains("on res.partner"), "{}", e.message);
        }
        let long = check(&call("write", vec![]), json!("x".repeat(500))).unwrap_err();
        assert!(long.message.len() < 200, "{}", long.message);
    }

    #[test]
    fn one_id_bare_or_in_a_list_of_one() {
        assert_eq!(single_id(&json!(243)), Some(243));
        assert_eq!(single_id(&json!([487])), Some(487));
        for bad in [json!([]), json!([1, 2]), json!(false), json!("243"), json!(0), json!([null])] {
            assert_eq!(single_id(&bad), None, "{bad}");
        }
    }
}
