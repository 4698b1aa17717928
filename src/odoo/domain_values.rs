//! The values of domain conditions, checked against their field's type (`fields_get`) before Odoo hands
//! them to PostgreSQL. Odoo does not check most of them: `["id", "=", "abc"]` reaches the database, whose
//! refusal comes back as a database error with the SQL in it. What a condition may compare a field with:
//!
//! - any field: `false` or `null` (Odoo's "not set");
//! - integer, float, monetary: a number, or text that is one (`"42"`; whole for integers);
//! - many2one, one2many, many2many: a whole record id, or text (Odoo searches the related records by name);
//! - boolean: `true` or `false`;
//! - date, datetime: `YYYY-MM-DD`, or `YYYY-MM-DD HH:MM:SS` (UTC), with a real month, day and time; from
//!   Odoo 19 also its relative dates (`today`, `now -1d`, `today =1d`, `=monday`), before it `today`/`now`;
//! - selection: one of the field's values (its label gets a pointer to the value);
//! - char, text, html: text.
//!
//! Only comparisons (`=`, `!=`, `<`, `>`, `<=`, `>=`, `=?`) and `in`/`not in` (each item) are checked:
//! `like` and its kin compare the field's text with any value, `child_of` and `any` are checked by the
//! structural validation. Other field types (binary, reference, json…) are left to Odoo.

use super::schema::FieldInfo;
use super::values;
use serde_json::Value;

/// What the connected Odoo accepts in a domain beyond the common ground.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dialect {
    /// `any` / `not any` (17+).
    pub any: bool,
    /// Relative dates such as `today -1d` (19+, `odoo.tools.date_utils.parse_date`).
    pub relative_dates: bool,
}

impl Dialect {
    pub fn of(conn: &super::Connection) -> Dialect {
        Dialect { any: conn.at_least(17, 0), relative_dates: conn.at_least(19, 0) }
    }
}

const COMPARISONS: [&str; 8] = ["=", "!=", "<>", "<", ">", "<=", ">=", "=?"];

/// Checks the value of a condition `[path, op, value]` whose last field is `field`; `op` in lower case.
/// The error names the field path and says what the field takes.
pub fn check(path: &str, field: &FieldInfo, op: &str, value: &Value, dialect: Dialect) -> Result<(), String> {
    let invalid = |why: String| format!("invalid value for field '{path}' ({}): {why}", field.ftype);
    match op {
        "in" | "not in" => {
            for (n, item) in value.as_array().into_iter().flatten().enumerate() {
                scalar(field, item, dialect).map_err(|why| invalid(format!("item {n} of the list: {why}")))?;
            }
            Ok(())
        }
        op if COMPARISONS.contains(&op) => scalar(field, value, dialect).map_err(invalid),
        _ => Ok(()),
    }
}

fn scalar(field: &FieldInfo, value: &Value, dialect: Dialect) -> Result<(), String> {
    if matches!(value, Value::Null | Value::Bool(false)) {
        return Ok(());
    }
    let shown = || crate::text::truncate(&value.to_string(), 60).to_string();
    match field.ftype.as_str() {
        "integer" | "many2one_reference" => match value {
            Value::Number(n) if n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0) => Ok(()),
            Value::String(s) if s.trim().parse::<i32>().is_ok() => Ok(()),
            _ => Err(format!("{} is not a whole number", shown())),
        },
        "float" | "monetary" => match value {
            Value::Number(_) => Ok(()),
            Value::String(s) if finite_number(s.trim()) => Ok(()),
            _ => Err(format!("{} is not a number", shown())),
        },
        "many2one" | "one2many" | "many2many" => match value {
            Value::Number(n) if n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0) => Ok(()),
            // A name: Odoo searches the related records for it.
            Value::String(_) | Value::Bool(true) => Ok(()),
            _ => Err(format!("{} is not a record id (a whole number) nor a name", shown())),
        },
        "boolean" => match value {
            Value::Bool(_) => Ok(()),
            _ => Err(format!("{} is not true or false", shown())),
        },
        "date" | "datetime" => match value {
            Value::String(s) if date_like(s.trim(), dialect) => Ok(()),
            _ if dialect.relative_dates => Err(format!(
                "{} is not a date: give YYYY-MM-DD or YYYY-MM-DD HH:MM:SS (UTC), or a relative date such as \
                 'today', 'today -7d' or 'now +1H'",
                shown()
            )),
            _ => Err(format!("{} is not a date: give YYYY-MM-DD or YYYY-MM-DD HH:MM:SS (UTC)", shown())),
        },
        "selection" => values::selection(field, value).map(|_| ()),
        "char" | "text" | "html" => match value {
            Value::String(_) => Ok(()),
            _ => Err(format!("{} is not text; put it in quotes", shown())),
        },
        _ => Ok(()),
    }
}

/// A date or date-time PostgreSQL reads (a real calendar day and time), or a relative date.
/// Whether `s` is a finite number as Rust's `f64` parse reads one (`+1`, `.5`, `1.`, `007`, `1e3`; no
/// `inf` or `nan`), decided by serde_json's parser on the same number in JSON's grammar: core's float
/// parser, with its 10 KB table, would otherwise be in the bundle for this one check.
fn finite_number(s: &str) -> bool {
    let digits = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    let unsigned = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mantissa, exponent) = unsigned.split_once(['e', 'E']).unwrap_or((unsigned, "0"));
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let exponent_digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    if (int.is_empty() && frac.is_empty()) || !digits(int) || !digits(frac) {
        return false;
    }
    if exponent_digits.is_empty() || !digits(exponent_digits) {
        return false;
    }
    // JSON wants one digit at least on each side of the point, and no leading zero: `007.` is `7.0`.
    let int = match int.trim_start_matches('0') {
        "" => "0",
        int => int,
    };
    let frac = if frac.is_empty() { "0" } else { frac };
    // serde_json refuses a number out of f64's range, as the float parse gives it infinite.
    crate::json::from_str::<f64>(&format!("{int}.{frac}e{exponent}")).is_ok()
}

fn date_like(s: &str, dialect: Dialect) -> bool {
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        return values::datetime(s).is_ok();
    }
    if dialect.relative_dates {
        relative_date(s)
    } else {
        // PostgreSQL's own special inputs, which Odoo before 19 passes on as they are.
        matches!(s.to_ascii_lowercase().as_str(), "today" | "now")
    }
}

/// Odoo 19's relative dates: `('today' | 'now')? offset*`, an offset being `[=+-]N[dwmyHMS]` or
/// `[=+-]weekday` (`monday` … `sunday`, `week_start`).
fn relative_date(s: &str) -> bool {
    const DAYS: [&str; 8] =
        ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "week_start"];
    let mut terms = s.split_whitespace().peekable();
    if terms.peek().is_none() {
        return false;
    }
    if matches!(terms.peek(), Some(&"today") | Some(&"now")) {
        terms.next();
    }
    terms.all(|t| {
        let Some(rest) = t.strip_prefix(['=', '+', '-']) else {
            return false;
        };
        if DAYS.contains(&rest) {
            return true;
        }
        let Some(number) = rest.strip_suffix(['d', 'w', 'm', 'y', 'H', 'M', 'S']) else {
            return false;
        };
        !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit())
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_number_in_a_string_is_read_as_the_float_parse_reads_it() {
        let mut cases: Vec<String> = [
            "0",
            "1",
            "-1",
            "+1",
            "007",
            "1.",
            ".5",
            "-.5",
            "1.5e3",
            "1E-3",
            "1e+3",
            "1e",
            "e3",
            ".",
            "+",
            "-",
            "",
            "1.2.3",
            "1e3e3",
            "inf",
            "-infinity",
            "NaN",
            "1e308",
            "1.7976931348623157e308",
            "1.8e308",
            "1e309",
            "0e999999999999",
            "1e-999999999999",
            "1e999999999999",
            "4.9e-324",
            "1e-400",
            "1_000",
            "0x10",
            "1 2",
            "١",
            "+-1",
            "--1",
            "1.e5",
            ".e5",
            "00.00",
            "123456789012345678901234567890",
        ]
        .map(String::from)
        .to_vec();
        for sign in ["", "+", "-"] {
            for int in ["", "0", "12"] {
                for frac in ["", ".", ".5", ".05"] {
                    for exp in ["", "e", "e5", "E-5", "e+05", "e400", "e-400"] {
                        cases.push(format!("{sign}{int}{frac}{exp}"));
                    }
                }
            }
        }
        for case in cases {
            let want = case.parse::<f64>().is_ok_and(f64::is_finite);
            assert_eq!(super::finite_number(&case), want, "{case:?}");
        }
    }

    use super::*;
    use crate::odoo::schema::parse_fields_get;
    use serde_json::json;

    const V19: Dialect = Dialect { any: true, relative_dates: true };
    const V17: Dialect = Dialect { any: true, relative_dates: false };

    fn field(ftype: &str) -> FieldInfo {
        let selection = json!([["draft", "Draft"], ["won", "Won"]]);
        let schema = parse_fields_get(&json!({"f": {"type": ftype, "selection": selection}})).unwrap();
        schema.fields["f"].clone()
    }

    fn accepts(ftype: &str, op: &str, value: Value, dialect: Dialect) -> bool {
        check("f", &field(ftype), op, &value, dialect).is_ok()
    }

    #[test]
    fn values_of_the_fields_type_pass() {
        for (ftype, op, value) in [
            ("integer", "=", json!(3)),
            ("integer", ">", json!("42")),
            ("integer", "=", json!(false)),
            ("integer", "in", json!([1, "2", false])),
            ("integer", "ilike", json!("abc")),
            ("float", "<", json!(1.5)),
            ("monetary", ">=", json!("1e3")),
            ("many2one", "=", json!(7)),
            ("many2one", "=", json!("Azure")),
            ("many2one", "in", json!([7, "Azure"])),
            ("many2many", "!=", json!(false)),
            ("boolean", "=", json!(true)),
            ("boolean", "!=", json!(null)),
            ("date", ">=", json!("2024-02-29")),
            ("datetime", "<", json!("2026-05-01 14:30:00")),
            ("datetime", "<", json!("2026-05-01T14:30:00Z")),
            ("date", "=", json!("today")),
            ("selection", "=", json!("won")),
            ("selection", "not in", json!(["draft", false])),
            ("char", "=", json!("x")),
            ("char", "=?", json!(false)),
            ("binary", "=", json!(5)),
        ] {
            assert!(accepts(ftype, op, value.clone(), V17), "{ftype} {op} {value}");
        }
        for relative in ["today -7d", "now +1H", "today =1d", "=monday", "-1m +2w"] {
            assert!(accepts("date", ">=", json!(relative), V19), "{relative} on 19");
            assert!(!accepts("date", ">=", json!(relative), V17) || relative == "today", "{relative} before 19");
        }
    }

    #[test]
    fn values_postgresql_would_refuse_are_refused_naming_the_field() {
        for (ftype, op, value, needle) in [
            ("integer", "=", json!("abc"), "\"abc\" is not a whole number"),
            ("integer", "=", json!("1.5"), "not a whole number"),
            ("integer", "=", json!(true), "not a whole number"),
            ("integer", "in", json!([1, "x"]), "item 1 of the list"),
            ("float", ">", json!("lots"), "not a number"),
            ("many2one", "=", json!(1.5), "not a record id"),
            ("boolean", "=", json!(1), "not true or false"),
            ("boolean", "=", json!("yes"), "not true or false"),
            ("date", ">=", json!("2023-02-29"), "not a date"),
            ("date", ">=", json!("yesterday"), "not a date"),
            ("datetime", "<", json!("2026-05-01 25:00:00"), "not a date"),
            ("datetime", "<", json!(20260501), "not a date"),
            ("selection", "=", json!("Won"), "is a label; use its value \"won\""),
            ("selection", "=", json!("lost"), "not one of the allowed values"),
            ("char", "=", json!(5), "not text"),
        ] {
            let err = check("f", &field(ftype), op, &value, V17).unwrap_err();
            assert!(err.starts_with(&format!("invalid value for field 'f' ({ftype}): ")), "{err}");
            assert!(err.contains(needle), "{ftype} {op} {value}: {err}");
        }
        let err = check("f", &field("date"), "=", &json!("someday"), V19).unwrap_err();
        assert!(err.contains("relative date such as 'today'"), "{err}");
        assert!(!accepts("date", "=", json!("today -7x"), V19) && !accepts("date", "=", json!("+d"), V19));
    }
}
