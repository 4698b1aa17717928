//! PostgreSQL's errors as Odoo passes them on (`psycopg2.errors.InvalidTextRepresentation`, its message
//! followed by the SQL it points into): which ones are a value the caller sent that the column cannot take,
//! and the message without SQL. No SQL, table or query text ever reaches a result or an audit row.

use super::names::is_field_name;

/// psycopg2 classes for a value the column cannot take (SQLSTATE class 22, data exceptions; and 42883, a
/// comparison of the column with a value of another type: `integer = boolean`).
const VALUE_ERRORS: [&str; 16] = [
    "DataError",
    "InvalidTextRepresentation",
    "NumericValueOutOfRange",
    "InvalidDatetimeFormat",
    "DatetimeFieldOverflow",
    "StringDataRightTruncation",
    "InvalidParameterValue",
    "InvalidBinaryRepresentation",
    "InvalidEscapeSequence",
    "CharacterNotInRepertoire",
    "UntranslatableCharacter",
    "IntervalFieldOverflow",
    "InvalidRegularExpression",
    "InvalidTimeZoneDisplacementValue",
    "DivisionByZero",
    "UndefinedFunction",
];

/// PostgreSQL's texts for a value it cannot read, which Odoo may also pass on inside another class
/// (a `ValueError`).
const VALUE_TEXTS: [&str; 4] =
    ["invalid input syntax", "out of range for type", "date/time field value out of range", "operator does not exist"];

/// Whether Odoo's error is PostgreSQL refusing a value of the request.
pub fn is_value_error(name: &str, message: &str) -> bool {
    let class = name.strip_prefix("psycopg2.").or_else(|| name.strip_prefix("psycopg."));
    let by_class = class.is_some_and(|c| VALUE_ERRORS.contains(&c.rsplit('.').next().unwrap_or(c)));
    let first = message.lines().next().unwrap_or("");
    by_class || VALUE_TEXTS.iter().any(|t| first.contains(t))
}

/// `message` without what follows PostgreSQL's error line: the `LINE n:` excerpt of the query and the caret
/// under it, a `QUERY:` line and, for an error of the database's own class (`from_database`), its `HINT:`,
/// `DETAIL:` (which may quote a row) and `CONTEXT:` lines. Also the column the caret points at, when it
/// names one (`"res_partner"."id" = 'abc'` → `id`).
pub fn without_sql(message: &str, from_database: bool) -> (String, Option<String>) {
    let lines: Vec<&str> = message.lines().collect();
    let Some(at) = lines.iter().position(|l| is_sql_line(l, from_database)) else {
        return (message.to_string(), None);
    };
    let column = lines
        .get(at)
        .filter(|l| is_line_excerpt(l))
        .zip(lines.get(at + 1))
        .and_then(|(excerpt, caret)| column_at_caret(excerpt, caret));
    (lines[..at].join("\n").trim().to_string(), column)
}

fn is_line_excerpt(line: &str) -> bool {
    line.strip_prefix("LINE ")
        .and_then(|rest| rest.split_once(':'))
        .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

fn is_sql_line(line: &str, from_database: bool) -> bool {
    const PREFIXES: [&str; 3] = ["HINT:", "DETAIL:", "CONTEXT:"];
    is_line_excerpt(line)
        || line.starts_with("QUERY:")
        || (from_database && PREFIXES.iter().any(|p| line.starts_with(p)))
}

/// The last quoted identifier before the caret: the column the condition compares (PostgreSQL points at
/// the value, or at the operator).
fn column_at_caret(excerpt: &str, caret: &str) -> Option<String> {
    let at = caret.find('^').filter(|_| caret.trim() == "^")?;
    let before: String = excerpt.chars().take(at).collect();
    let end = before.rfind('"')?;
    let start = before[..end].rfind('"')?;
    let name = &before[start + 1..end];
    is_field_name(name).then(|| name.to_string())
}

/// The message for the caller: what was wrong with which field, in PostgreSQL's words, without SQL.
pub fn value_message(message: &str) -> String {
    let (text, column) = without_sql(message, true);
    let text = text.lines().next().unwrap_or("").trim();
    let field = column.map(|c| format!(" for field '{c}'")).unwrap_or_default();
    format!(
        "invalid value{field}: {text}. Give a value of the field's type (odoo_describe_model lists each field's \
         type); this is the request's error, not an outage."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What real Odoo answers `["id", "=", "abc"]` with (psycopg2's text).
    const INVALID_INTEGER: &str = "invalid input syntax for type integer: \"abc\"\nLINE 1: ...ner\".\"active\" = TRUE) AND (\"res_partner\".\"id\" = 'abc')) ORDER BY \"r...\n                                                           ^\n";

    #[test]
    fn recognises_postgresql_refusing_a_value() {
        assert!(is_value_error("psycopg2.errors.InvalidTextRepresentation", INVALID_INTEGER));
        assert!(is_value_error("psycopg2.DataError", "value too long for type character varying(2)"));
        assert!(is_value_error("psycopg2.errors.UndefinedFunction", "operator does not exist: integer = boolean"));
        assert!(is_value_error("builtins.ValueError", "invalid input syntax for type date: \"x\""));
        assert!(!is_value_error("psycopg2.OperationalError", "connection to server failed"));
        assert!(!is_value_error("psycopg2.errors.SerializationFailure", "could not serialize access"));
        assert!(!is_value_error("odoo.exceptions.UserError", "Invalid language code"));
    }

    #[test]
    fn keeps_the_error_names_the_column_and_drops_the_sql() {
        let (text, column) = without_sql(INVALID_INTEGER, true);
        assert_eq!(text, "invalid input syntax for type integer: \"abc\"");
        assert_eq!(column.as_deref(), Some("id"));
        let m = value_message(INVALID_INTEGER);
        assert!(m.starts_with("invalid value for field 'id': invalid input syntax for type integer: \"abc\"."), "{m}");
        assert!(!m.contains("LINE") && !m.contains("res_partner") && !m.contains("ORDER BY"), "{m}");
        let operator = "operator does not exist: integer = boolean\nLINE 1: ...WHERE \"res_partner\".\"color\" = true\n                                         ^\nHINT:  No operator matches the given name and argument types.";
        let (text, column) = without_sql(operator, true);
        assert_eq!((text.as_str(), column.as_deref()), ("operator does not exist: integer = boolean", Some("color")));
        // No excerpt: the text as it is, no field to name.
        assert_eq!(without_sql("integer out of range", true), ("integer out of range".to_string(), None));
        assert_eq!(
            value_message("integer out of range").split('.').next(),
            Some("invalid value: integer out of range")
        );
        // A caret that does not point under a quoted name names nothing.
        assert_eq!(without_sql("bad\nLINE 1: SELECT 1 +\n          ^", false), ("bad".to_string(), None));
        // Another class's HINT line is its own text, not the database's.
        assert_eq!(without_sql("Odoo says\nHINT: do this", false).0, "Odoo says\nHINT: do this");
        let row =
            "null value in column \"name\" violates not-null constraint\nDETAIL:  Failing row contains (7, secret).";
        assert_eq!(without_sql(row, true).0, "null value in column \"name\" violates not-null constraint");
    }
}
