//! Structural validation of Odoo domains before they reach Odoo. A domain we cannot fully understand is
//! rejected, never dropped or widened (an invalid domain must not turn into an unfiltered search). Each
//! condition's value is checked against its field's type (`domain_values`) where the field is known: here
//! for the model's own fields, by the caller for paths into related models.

use super::domain_values;
pub use super::domain_values::Dialect;
use super::schema::ModelSchema;
use serde_json::Value;

const OPERATORS: [&str; 21] = [
    "=",
    "!=",
    "<>",
    "<",
    ">",
    "<=",
    ">=",
    "=?",
    "like",
    "not like",
    "ilike",
    "not ilike",
    "=like",
    "=ilike",
    "in",
    "not in",
    "child_of",
    "parent_of",
    "any",
    "not any",
    "not =like",
];
const MAX_TERMS: usize = 200;
const MAX_DEPTH: usize = 4;

/// A field path a domain uses, for the permission checks that follow validation.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldUse {
    /// `name`, `partner_id.country_id.code`; conditions inside `any` are prefixed with its field.
    pub path: String,
    /// The condition reaches into the last field's related model: `any`, or a name search
    /// (`partner_id ilike "Azure"`) on a relational field.
    pub reaches_relation: bool,
    /// The condition's operator (lower case) and value, for the value check of a path the caller
    /// resolves (`partner_id.country_id`, the conditions inside an `any`).
    pub operator: String,
    pub value: Value,
}

/// Checks a domain against a model's fields and what the connected Odoo accepts (`dialect`). Returns the
/// field paths the domain uses. Fields hidden by a field policy pass here (their values unchecked); the
/// caller refuses them with a permission error.
pub fn validate(domain: &Value, schema: &ModelSchema, dialect: Dialect) -> Result<Vec<FieldUse>, String> {
    let mut paths = Vec::new();
    check(domain, Some(schema), dialect, 0, &mut paths)?;
    Ok(paths)
}

fn check(
    domain: &Value,
    schema: Option<&ModelSchema>,
    dialect: Dialect,
    depth: usize,
    paths: &mut Vec<FieldUse>,
) -> Result<(), String> {
    let items = domain.as_array().ok_or("a domain must be a list, e.g. [[\"name\", \"ilike\", \"acme\"]]")?;
    if items.len() > MAX_TERMS {
        return Err(format!("the domain has {} items; at most {MAX_TERMS} are allowed", items.len()));
    }
    // Prefix notation with implicit AND: read from the end, counting complete operands.
    let mut operands: usize = 0;
    for (i, item) in items.iter().enumerate().rev() {
        match item {
            Value::String(op) if op == "&" || op == "|" => {
                if operands < 2 {
                    return Err(format!("'{op}' at position {i} needs two conditions after it"));
                }
                operands -= 1;
            }
            Value::String(op) if op == "!" => {
                if operands < 1 {
                    return Err(format!("'!' at position {i} needs a condition after it"));
                }
            }
            Value::Array(leaf) => {
                check_leaf(leaf, i, schema, dialect, depth, paths)?;
                operands += 1;
            }
            other => {
                return Err(format!(
                    "item {i} of the domain ({}) is neither a condition [field, operator, value] nor '&', '|', '!'",
                    short(other)
                ))
            }
        }
    }
    Ok(())
}

fn check_leaf(
    leaf: &[Value],
    i: usize,
    schema: Option<&ModelSchema>,
    dialect: Dialect,
    depth: usize,
    paths: &mut Vec<FieldUse>,
) -> Result<(), String> {
    if leaf.len() != 3 {
        return Err(format!(
            "condition {i} must have exactly three parts [field, operator, value], it has {}",
            leaf.len()
        ));
    }
    // The constant conditions Odoo itself uses: [1, "=", 1] (true) and [0, "=", 1] (false).
    if let (Some(a), Some("="), Some(1)) = (leaf[0].as_i64(), leaf[1].as_str(), leaf[2].as_i64()) {
        if a == 0 || a == 1 {
            return Ok(());
        }
    }
    let path = leaf[0]
        .as_str()
        .ok_or_else(|| format!("condition {i}: the field must be a string, got {}", short(&leaf[0])))?;
    let op_raw = leaf[1].as_str().ok_or_else(|| format!("condition {i}: the operator must be a string"))?;
    let op = op_raw.to_ascii_lowercase();
    if !OPERATORS.contains(&op.as_str()) {
        return Err(format!("condition {i}: unknown operator '{op_raw}'; use one of {}", OPERATORS.join(", ")));
    }
    if (op == "any" || op == "not any") && !dialect.any {
        return Err(format!("condition {i}: '{op}' needs Odoo 17 or later"));
    }
    let mut own_field = None;
    if let Some(schema) = schema.filter(|s| !s.hidden.contains(path.split('.').next().unwrap_or(path))) {
        let first = path.split('.').next().unwrap_or(path);
        let field = schema.fields.get(first).ok_or_else(|| {
            format!("condition {i}: field '{first}' does not exist on this model (or this Odoo user cannot see it); use describe_model to list fields")
        })?;
        if (path.contains('.') || op == "any" || op == "not any") && !field.is_relational() {
            return Err(format!(
                "condition {i}: '{first}' is not a relational field, so '{path}' / '{op}' cannot follow it"
            ));
        }
        own_field = (first == path).then_some(field);
    }
    if path.is_empty()
        || path.split('.').any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    {
        return Err(format!("condition {i}: '{path}' is not a valid field path"));
    }
    let value = &leaf[2];
    match op.as_str() {
        "in" | "not in" => {
            let arr = value.as_array().ok_or_else(|| format!("condition {i}: '{op}' needs a list value"))?;
            if arr.iter().any(|v| v.is_array() || v.is_object()) {
                return Err(format!("condition {i}: the '{op}' list may only hold plain values"));
            }
        }
        "any" | "not any" => {
            if depth >= MAX_DEPTH {
                return Err(format!("condition {i}: '{op}' is nested too deeply"));
            }
            // The structure is checked here; the related model's fields by the caller, through the paths.
            let mut inner = Vec::new();
            check(value, None, dialect, depth + 1, &mut inner)
                .map_err(|e| format!("condition {i}: the '{op}' sub-domain is invalid: {e}"))?;
            paths.extend(inner.into_iter().map(|u| FieldUse { path: format!("{path}.{}", u.path), ..u }));
        }
        "child_of" | "parent_of" => {
            if !(value.is_i64() || value.as_array().is_some_and(|a| a.iter().all(Value::is_i64))) {
                return Err(format!("condition {i}: '{op}' needs a record id or a list of ids"));
            }
        }
        _ => {
            if value.is_array() || value.is_object() {
                return Err(format!("condition {i}: '{op}' needs a single value (use 'in' for a list)"));
            }
        }
    }
    if let Some(field) = own_field {
        domain_values::check(path, field, &op, value, dialect).map_err(|e| format!("condition {i}: {e}"))?;
    }
    let names_something = value.is_string() || value.as_array().is_some_and(|a| a.iter().any(Value::is_string));
    paths.push(FieldUse {
        path: path.to_string(),
        reaches_relation: op == "any" || op == "not any" || names_something,
        operator: op,
        value: value.clone(),
    });
    Ok(())
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    crate::text::truncate(&s, 60).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::odoo::schema::parse_fields_get;
    use serde_json::json;

    const ALL: Dialect = Dialect { any: true, relative_dates: true };

    fn schema() -> ModelSchema {
        parse_fields_get(&json!({
            "name": {"type": "char"}, "is_company": {"type": "boolean"},
            "country_id": {"type": "many2one", "relation": "res.country"},
            "child_ids": {"type": "one2many", "relation": "res.partner"}, "id": {"type": "integer"}
        }))
        .unwrap()
    }

    #[test]
    fn accepts_valid_domains() {
        let s = schema();
        for d in [
            json!([]),
            json!([["is_company", "=", true]]),
            json!(["|", ["name", "ilike", "acme"], ["country_id.code", "=", "BE"]]),
            json!(["&", "!", ["name", "=", false], ["id", "in", [1, 2]]]),
            json!([["child_ids", "any", [["name", "ilike", "x"]]]]),
            json!([[1, "=", 1]]),
            json!([["name", "ilike", "a"], ["id", ">", 3]]),
        ] {
            assert!(validate(&d, &s, ALL).is_ok(), "{d}");
        }
    }

    #[test]
    fn rejects_what_it_cannot_understand() {
        let s = schema();
        for (d, needle) in [
            (json!({"name": "x"}), "must be a list"),
            (json!(["garbage"]), "neither"),
            (json!([["name", "~~", "x"]]), "unknown operator"),
            (json!([["no_such_field", "=", 1]]), "does not exist"),
            (json!([["name.foo", "=", 1]]), "not a relational"),
            (json!(["|", ["name", "=", "a"]]), "needs two"),
            (json!(["!"]), "needs a condition"),
            (json!([["name", "="]]), "three parts"),
            (json!([["id", "in", 3]]), "list value"),
            (json!([["name", "=", ["a"]]]), "single value"),
            (json!([["child_ids", "any", ["garbage"]]]), "sub-domain"),
            (json!([["name; drop", "=", 1]]), "does not exist"),
        ] {
            let err = validate(&d, &s, ALL).unwrap_err();
            assert!(err.contains(needle), "{d}: {err}");
        }
        assert!(
            validate(&json!([["child_ids", "any", []]]), &s, Dialect { any: false, relative_dates: false }).is_err()
        );
    }

    #[test]
    fn reports_every_path_with_what_it_reaches() {
        let d = json!([
            "|",
            ["name", "ilike", "a"],
            ["country_id", "=", 3],
            ["child_ids", "any", [["country_id", "ilike", "Bel"]]]
        ]);
        let uses = validate(&d, &schema(), ALL).unwrap();
        let got: Vec<(&str, bool)> = uses.iter().map(|u| (u.path.as_str(), u.reaches_relation)).collect();
        assert_eq!(
            got,
            vec![("child_ids.country_id", true), ("child_ids", true), ("country_id", false), ("name", true)]
        );
    }

    #[test]
    fn values_are_checked_against_the_models_own_fields() {
        let s = schema();
        let err = validate(&json!([["name", "=", "a"], ["id", "=", "abc"]]), &s, ALL).unwrap_err();
        assert_eq!(err, "condition 1: invalid value for field 'id' (integer): \"abc\" is not a whole number");
        let err = validate(&json!(["|", ["is_company", "=", 1], ["id", "in", [1, 2]]]), &s, ALL).unwrap_err();
        assert!(err.starts_with("condition 1: invalid value for field 'is_company' (boolean)"), "{err}");
        // A path into a related model is the caller's to check, with that model's fields.
        let uses = validate(&json!([["country_id.code", "=", 5]]), &s, ALL).unwrap();
        assert_eq!((uses[0].operator.as_str(), &uses[0].value), ("=", &json!(5)));
    }

    #[test]
    fn hidden_fields_pass_structure_checks_for_the_caller_to_refuse() {
        let mut s = schema();
        s.fields.remove("name");
        s.hidden.insert("name".into());
        let uses = validate(&json!([["name", "=", "x"]]), &s, ALL).unwrap();
        assert_eq!(uses[0].path, "name");
    }
}
