//! Odoo's errors, classified from `error.data.name` (JSON-RPC) or the bare `name` and HTTP status
//! (JSON-2) — never from `error.code`, which Odoo documents as arbitrary (200 on 17, 0 on 19).
//! Messages keep Odoo's own text but never its traceback (`debug`) nor SQL (`odoo::sql_errors`).

use super::sql_errors;
use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OdooErrorKind {
    /// Bad login or API key, expired key, archived user.
    AccessDenied,
    /// ACLs, record rules, field groups, private methods.
    AccessError,
    /// Records that were deleted or never existed.
    MissingError,
    /// Constraint violations.
    ValidationError,
    /// Business rules (also Odoo's "Object x doesn't exist").
    UserError,
    /// Invalid domain, field, order, argument or value (ValueError, TypeError, KeyError, 422, PostgreSQL
    /// refusing a value: `odoo::sql_errors`).
    BadInput,
    /// Unknown model or method, or a route that does not exist.
    NotFound,
    /// Locks and serialization failures: worth retrying later.
    Retryable,
    /// Odoo unreachable, 5xx without an Odoo error, an HTML page, a malformed answer.
    Unavailable,
    /// The connection's URL is not one the Worker may fetch (`net::guard`): nothing was sent.
    NotAllowed,
    /// No answer within our per-call timeout.
    Timeout,
    /// A 200 whose result is not the shape the method answers (`answer.rs`): not Odoo's own answer.
    UnexpectedAnswer,
}

#[derive(Debug, Clone, PartialEq)]
pub struct OdooError {
    pub kind: OdooErrorKind,
    /// Odoo's exception class, e.g. `odoo.exceptions.AccessError`, when Odoo sent one.
    pub name: Option<String>,
    pub message: String,
    /// A write whose answer was lost (timeout, cut connection, a proxy's page instead of Odoo's answer):
    /// Odoo may have applied it. An answer from Odoo itself, even an error, means it did not.
    pub outcome_unknown: bool,
}

const MAX_MESSAGE: usize = 1500;

impl OdooError {
    pub fn new(kind: OdooErrorKind, message: impl Into<String>) -> OdooError {
        OdooError { kind, name: None, message: message.into(), outcome_unknown: false }
    }

    /// From an Odoo error object `{name, message, arguments, context, debug}`.
    pub fn from_odoo_payload(data: &Value, http_status: u16) -> OdooError {
        let name = data.get("name").and_then(Value::as_str).unwrap_or("").to_string();
        let message = data
            .get("message")
            .and_then(Value::as_str)
            .filter(|m| !m.is_empty())
            .map(str::to_string)
            .unwrap_or_else(|| format!("Odoo reported {name} (HTTP {http_status})"));
        // PostgreSQL refusing one of the request's values is the caller's error, whatever status carried
        // it; and no SQL from the database's text reaches a result or an audit row.
        let (kind, message) = if sql_errors::is_value_error(&name, &message) {
            (OdooErrorKind::BadInput, sql_errors::value_message(&message))
        } else {
            (kind_for(&name, http_status), sql_errors::without_sql(&message, name.starts_with("psycopg")).0)
        };
        let message = crate::text::truncate(message.trim(), MAX_MESSAGE).to_string();
        OdooError { kind, name: (!name.is_empty()).then_some(name), message, outcome_unknown: false }
    }

    /// What a person or a model should read, with guidance where we have some. A write whose answer was
    /// lost gets one piece of guidance only: check before retrying (narrowing or simply retrying it could
    /// apply it twice).
    pub fn user_message(&self) -> String {
        let what = self.what();
        if self.outcome_unknown {
            return format!(
                "{what} The change may or may not have been made: Odoo's answer was lost. Check with odoo_get or \
                 odoo_search before retrying, or it may be applied twice."
            );
        }
        match self.hint() {
            Some(hint) => format!("{what} {hint}"),
            None => what,
        }
    }

    /// What happened, in words, with Odoo's message and without guidance.
    pub fn what(&self) -> String {
        let m = &self.message;
        match self.kind {
            OdooErrorKind::AccessDenied => {
                format!("Odoo rejected this key's Odoo credentials ({m}).")
            }
            OdooErrorKind::AccessError => {
                format!("Odoo refused the operation for this key's Odoo user: {m}")
            }
            OdooErrorKind::MissingError => format!("Odoo says the record does not exist: {m}"),
            OdooErrorKind::ValidationError => format!("Odoo rejected the values: {m}"),
            OdooErrorKind::UserError => format!("Odoo refused: {m}"),
            OdooErrorKind::BadInput => format!("Odoo rejected the request as invalid: {m}"),
            OdooErrorKind::NotFound => format!("Odoo does not know this: {m}"),
            OdooErrorKind::Retryable => format!("Odoo asked to try again later: {m}"),
            OdooErrorKind::Unavailable => format!("Odoo is unavailable right now ({m})."),
            OdooErrorKind::NotAllowed => format!("{m}; nothing was sent to Odoo."),
            OdooErrorKind::Timeout => format!("Odoo did not answer in time ({m})."),
            OdooErrorKind::UnexpectedAnswer => {
                format!("Odoo's answer is not the one this method gives ({m}).")
            }
        }
    }

    fn hint(&self) -> Option<&'static str> {
        Some(match self.kind {
            OdooErrorKind::AccessDenied => {
                "The Odoo API key may be wrong or expired (Odoo 18+ keys expire), or the Odoo user archived. \
                 Ask your Odoo MCP administrator to issue a new key with a fresh Odoo API key."
            }
            OdooErrorKind::AccessError => {
                "(Hint: this is Odoo's own access control for that user, its groups and record rules; retrying \
                 will not help. An Odoo administrator can grant it.)"
            }
            OdooErrorKind::MissingError => "(Hint: it may have been deleted; search for it again before retrying.)",
            OdooErrorKind::ValidationError => {
                "(Hint: change the values and try again; odoo_describe_model lists the fields, their types and \
                 allowed values.)"
            }
            OdooErrorKind::UserError => {
                "(Hint: this is a business rule of the model; tell the user what Odoo said rather than retrying \
                 the same call.)"
            }
            OdooErrorKind::BadInput | OdooErrorKind::NotFound => return None,
            OdooErrorKind::Retryable => "(Hint: this is temporary; retry the same call in a moment.)",
            OdooErrorKind::Unavailable => {
                "Retry in a moment; if it persists, check that the Odoo server is up and reachable."
            }
            OdooErrorKind::Timeout => "Narrow the request (fewer records or fields) or retry later.",
            OdooErrorKind::NotAllowed => {
                "An administrator must correct the connection's Odoo URL in the console; retrying will not help."
            }
            OdooErrorKind::UnexpectedAnswer => {
                "A module of this Odoo may change what the method returns, or something in front of Odoo \
                 rewrote the answer; tell the Odoo administrator."
            }
        })
    }
}

fn kind_for(name: &str, status: u16) -> OdooErrorKind {
    match name {
        "odoo.exceptions.AccessDenied" | "werkzeug.exceptions.Unauthorized" => OdooErrorKind::AccessDenied,
        "odoo.exceptions.AccessError" => OdooErrorKind::AccessError,
        "odoo.exceptions.MissingError" => OdooErrorKind::MissingError,
        "odoo.exceptions.ValidationError" => OdooErrorKind::ValidationError,
        "odoo.exceptions.UserError" | "odoo.exceptions.RedirectWarning" => OdooErrorKind::UserError,
        "odoo.exceptions.LockError" | "odoo.exceptions.ConcurrencyError" => OdooErrorKind::Retryable,
        "werkzeug.exceptions.NotFound" | "builtins.AttributeError" => OdooErrorKind::NotFound,
        "werkzeug.exceptions.UnprocessableEntity" | "werkzeug.exceptions.BadRequest" => OdooErrorKind::BadInput,
        n if n.starts_with("builtins.") => OdooErrorKind::BadInput,
        n if n.contains("SerializationFailure") || n.contains("LockNotAvailable") => OdooErrorKind::Retryable,
        _ => match status {
            401 => OdooErrorKind::AccessDenied,
            403 => OdooErrorKind::AccessError,
            404 => OdooErrorKind::NotFound,
            409 | 429 => OdooErrorKind::Retryable,
            400 | 422 => OdooErrorKind::BadInput,
            _ if status >= 500 => OdooErrorKind::Unavailable,
            _ => OdooErrorKind::UserError,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn classifies_by_name_not_code() {
        let e = OdooError::from_odoo_payload(
            &json!({"name": "odoo.exceptions.AccessError", "message": "You are not allowed", "debug": "Traceback (most recent call last):\n secret path"}),
            200,
        );
        assert_eq!(e.kind, OdooErrorKind::AccessError);
        assert!(!e.user_message().contains("Traceback"));
        assert_eq!(
            OdooError::from_odoo_payload(&json!({"name": "builtins.ValueError", "message": "Invalid field"}), 500).kind,
            OdooErrorKind::BadInput
        );
        assert_eq!(
            OdooError::from_odoo_payload(
                &json!({"name": "werkzeug.exceptions.Unauthorized", "message": "Invalid apikey"}),
                401
            )
            .kind,
            OdooErrorKind::AccessDenied
        );
        assert_eq!(
            OdooError::from_odoo_payload(&json!({"name": "odoo.exceptions.MissingError", "message": "gone"}), 404).kind,
            OdooErrorKind::MissingError
        );
        assert_eq!(
            OdooError::from_odoo_payload(&json!({"name": "werkzeug.exceptions.NotFound", "message": "no model"}), 404)
                .kind,
            OdooErrorKind::NotFound
        );
    }

    #[test]
    fn refusals_carry_a_hint_the_model_can_act_on() {
        for (name, hint) in [
            ("odoo.exceptions.AccessError", "retrying will not help"),
            ("odoo.exceptions.MissingError", "search for it again"),
            ("odoo.exceptions.ValidationError", "odoo_describe_model"),
            ("odoo.exceptions.UserError", "business rule"),
        ] {
            let m = OdooError::from_odoo_payload(
                &json!({"name": name, "message": "Odoo's words", "debug": "Traceback"}),
                200,
            )
            .user_message();
            assert!(m.contains("Odoo's words") && m.contains(hint) && !m.contains("Traceback"), "{name}: {m}");
        }
    }

    #[test]
    fn a_lost_write_answer_only_says_to_check_before_retrying() {
        for kind in [OdooErrorKind::Timeout, OdooErrorKind::Unavailable, OdooErrorKind::UnexpectedAnswer] {
            let mut e = OdooError::new(kind, "no answer within 400 ms");
            let read = e.user_message();
            e.outcome_unknown = true;
            let write = e.user_message();
            assert!(write.contains("may or may not have been made") && write.contains("before retrying"), "{write}");
            assert!(
                !write.contains("Narrow the request")
                    && !write.contains("Retry in a moment")
                    && !write.contains("tell the Odoo administrator"),
                "{kind:?}: the only guidance is to check first: {write}"
            );
            assert!(write.starts_with(&e.what()) && read.starts_with(&e.what()));
        }
        assert!(OdooError::new(OdooErrorKind::Timeout, "x").user_message().contains("Narrow the request"));
    }

    #[test]
    fn a_value_the_database_refuses_is_bad_input_without_sql() {
        let message = "invalid input syntax for type integer: \"abc\"\nLINE 1: ...(\"res_partner\".\"id\" = 'abc')\n                                   ^\n";
        for status in [200, 500] {
            let e = OdooError::from_odoo_payload(
                &json!({"name": "psycopg2.errors.InvalidTextRepresentation", "message": message}),
                status,
            );
            assert_eq!(e.kind, OdooErrorKind::BadInput, "HTTP {status}");
            let m = e.user_message();
            assert!(
                m.contains("invalid value for field 'id'") && !m.contains("LINE") && !m.contains("res_partner"),
                "{m}"
            );
        }
        // SQL never survives in any message, whatever the class.
        let e = OdooError::from_odoo_payload(
            &json!({"name": "builtins.Exception", "message": "boom\nLINE 1: SELECT x"}),
            500,
        );
        assert_eq!(e.message, "boom");
    }

    #[test]
    fn access_denied_says_the_key_may_have_expired() {
        let e = OdooError::from_odoo_payload(
            &json!({"name": "odoo.exceptions.AccessDenied", "message": "Access Denied"}),
            200,
        );
        assert!(e.user_message().contains("expire"));
    }
}
