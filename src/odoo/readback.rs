//! Read-back after `create` and `write`: Odoo ignores some values without an error (a field that became
//! computed, a link to a record that is gone, a value an onchange-like compute replaced), which looks
//! exactly like success. Comparing what was sent with what a `read` returns tells which values did not
//! apply. Differences Odoo makes on purpose are not reported: trimmed text, HTML markup its sanitizer
//! rewrites (the text is compared: tags, comments, scripts and entities aside, whitespace collapsed),
//! binary content (images are resized; only whether there is any is compared), x2many lists that a create
//! command changes in ways the caller cannot predict.

use super::html_text::to_text;
use super::schema::ModelSchema;
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeSet;

/// A value Odoo did not store as it was sent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NotApplied {
    pub id: i64,
    pub field: String,
    pub sent: Value,
    pub stored: Value,
}

/// The values of `sent` that `stored` (one record as `read` returns it) does not reflect.
pub fn not_applied(
    id: i64,
    sent: &Map<String, Value>,
    stored: &Map<String, Value>,
    schema: &ModelSchema,
) -> Vec<NotApplied> {
    let mut out = Vec::new();
    for (name, value) in sent {
        let (Some(field), Some(got)) = (schema.fields.get(name), stored.get(name)) else {
            continue;
        };
        let applied = match field.ftype.as_str() {
            "many2one" => id_of(value) == id_of(got),
            "one2many" | "many2many" => x2many_applied(value, got),
            "char" => text(value).trim() == text(got).trim(),
            "html" => html_words(value) == html_words(got),
            "binary" => empty(value) == empty(got),
            // Odoo reads an unset number as 0.
            "float" | "monetary" => match (number(value), number(got)) {
                (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(1.0),
                _ => false,
            },
            "integer" => value.as_i64().unwrap_or(0) == got.as_i64().unwrap_or(0),
            "boolean" => value.as_bool().unwrap_or(false) == got.as_bool().unwrap_or(false),
            _ => value == got || (empty(value) && empty(got)),
        };
        if !applied {
            out.push(NotApplied { id, field: name.clone(), sent: value.clone(), stored: got.clone() });
        }
    }
    out
}

fn empty(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn text(v: &Value) -> &str {
    v.as_str().unwrap_or("")
}

/// The words of an html value's text, whatever markup the sanitizer left or added around them.
fn html_words(v: &Value) -> Vec<String> {
    to_text(text(v), usize::MAX).split_whitespace().map(str::to_string).collect()
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Null | Value::Bool(false) => Some(0.0),
        other => other.as_f64(),
    }
}

/// A many2one as sent (an id) or as read (`[id, name]`, or an id without display names).
fn id_of(v: &Value) -> Option<i64> {
    match v {
        Value::Array(pair) => pair.first().and_then(Value::as_i64),
        other => other.as_i64(),
    }
}

/// The integers of a list (none if it is not one), inserted one by one: `collect()` would sort them
/// first, with a sort's code in the bundle for this one use.
fn id_set(list: Option<&Value>) -> BTreeSet<i64> {
    let mut ids = BTreeSet::new();
    for id in list.and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_i64) {
        ids.insert(id);
    }
    ids
}

/// Whether the ids read back agree with what the (normalised) commands say for certain.
fn x2many_applied(commands: &Value, got: &Value) -> bool {
    let stored = id_set(Some(got));
    // `exact`: the whole list, while it is known; `present`/`absent`: what must (not) be in it.
    let mut exact: Option<BTreeSet<i64>> = None;
    let (mut present, mut absent) = (BTreeSet::new(), BTreeSet::new());
    for cmd in commands.as_array().into_iter().flatten() {
        let code = cmd.get(0).and_then(Value::as_i64);
        let id = cmd.get(1).and_then(Value::as_i64).unwrap_or(0);
        match code {
            Some(0) => {
                present.extend(exact.take().unwrap_or_default());
            }
            Some(1) | Some(4) => {
                absent.remove(&id);
                present.insert(id);
                if let Some(e) = exact.as_mut() {
                    e.insert(id);
                }
            }
            Some(2) | Some(3) => {
                present.remove(&id);
                absent.insert(id);
                if let Some(e) = exact.as_mut() {
                    e.remove(&id);
                }
            }
            Some(5) => {
                present.clear();
                exact = Some(BTreeSet::new());
            }
            Some(6) => {
                present.clear();
                absent.clear();
                exact = Some(id_set(cmd.get(2)));
            }
            _ => {}
        }
    }
    match exact {
        Some(e) => e == stored && present.is_subset(&stored),
        None => present.is_subset(&stored) && absent.is_disjoint(&stored),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::odoo::schema::parse_fields_get;
    use serde_json::json;

    fn schema() -> ModelSchema {
        parse_fields_get(&json!({
            "name": {"type": "char"}, "note": {"type": "html"}, "amount": {"type": "float"}, "qty": {"type": "integer"},
            "partner_id": {"type": "many2one", "relation": "res.partner"}, "tag_ids": {"type": "many2many", "relation": "t"},
            "website": {"type": "char"}, "date": {"type": "date"}, "done": {"type": "boolean"}
        }))
        .unwrap()
    }

    fn diff(sent: Value, stored: Value) -> Vec<String> {
        not_applied(1, sent.as_object().unwrap(), stored.as_object().unwrap(), &schema())
            .into_iter()
            .map(|n| n.field)
            .collect()
    }

    #[test]
    fn equal_values_in_odoo_read_shapes_are_applied() {
        assert!(diff(
            json!({"name": " Azure ", "note": "hi", "amount": 2.5, "qty": 0, "partner_id": 7, "tag_ids": [[6, 0, [1, 2]]], "date": false, "done": false}),
            json!({"name": "Azure", "note": "<p>hi</p>", "amount": 2.5, "qty": false, "partner_id": [7, "Azure"], "tag_ids": [2, 1], "date": false, "done": false})
        )
        .is_empty());
    }

    #[test]
    fn values_odoo_ignored_are_reported() {
        assert_eq!(
            diff(
                json!({"website": "https://x", "partner_id": 7, "amount": 3.0, "tag_ids": [[6, 0, [1]]], "done": true}),
                json!({"website": false, "partner_id": false, "amount": 0.0, "tag_ids": [], "done": false})
            ),
            vec!["amount", "done", "partner_id", "tag_ids", "website"]
        );
    }

    #[test]
    fn html_is_compared_by_its_text_not_its_markup() {
        assert!(diff(
            json!({"note": "Call <b>back</b> &amp; confirm\n\nsoon"}),
            json!({"note": "<p>Call <b>back</b> &amp; confirm</p><p>soon</p>"})
        )
        .is_empty());
        assert!(
            diff(json!({"note": "<p onclick=\"x()\">Hi</p><script>alert(1)</script>"}), json!({"note": "<p>Hi</p>"}))
                .is_empty(),
            "what the sanitizer removes on purpose"
        );
        assert!(diff(json!({"note": ""}), json!({"note": false})).is_empty());
        assert_eq!(
            diff(json!({"note": "<p>New terms</p>"}), json!({"note": "<p>Old terms</p>"})),
            ["note"],
            "a value Odoo did not store, though neither is empty"
        );
        assert_eq!(diff(json!({"note": "<p>Hi</p>"}), json!({"note": false})), ["note"]);
    }

    #[test]
    fn numbers_are_compared_as_numbers() {
        assert!(diff(json!({"amount": false}), json!({"amount": 0.0})).is_empty());
        assert_eq!(diff(json!({"amount": false}), json!({"amount": 2.0})), ["amount"]);
        assert_eq!(diff(json!({"amount": 2.5}), json!({"amount": "2.5"})), ["amount"]);
    }

    #[test]
    fn x2many_commands_are_checked_only_where_certain() {
        assert!(x2many_applied(&json!([[0, 0, {"a": 1}], [4, 5, 0]]), &json!([5, 99])));
        assert!(!x2many_applied(&json!([[4, 5, 0]]), &json!([6])));
        assert!(!x2many_applied(&json!([[3, 5, 0]]), &json!([5])));
        assert!(x2many_applied(&json!([[5, 0, 0], [4, 3, 0]]), &json!([3])));
        assert!(!x2many_applied(&json!([[5, 0, 0], [4, 3, 0]]), &json!([3, 4])));
        assert!(x2many_applied(&json!([[6, 0, [1]], [0, 0, {"a": 1}]]), &json!([1, 8])));
    }
}
