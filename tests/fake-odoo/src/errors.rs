//! Odoo errors: the exception classes the fake raises, their serialized form
//! (`{name, message, arguments, context, debug}` in each version's key order),
//! their JSON-2 HTTP statuses, and the version-specific message texts that
//! several modules share (invalid field, unknown method, missing record...).

use crate::out::{py_str, Out};
use crate::OdooVersion;
use serde_json::{json, Value};

/// The exception class of an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    AccessDenied,
    AccessError,
    MissingError,
    ValidationError,
    UserError,
    ValueError,
    TypeError,
    AttributeError,
    IndexError,
    KeyError,
    NameError,
    RecursionError,
    Exception,
    OperationalError,
    NotFound,
    UnprocessableEntity,
    Unauthorized,
    BadRequest,
    InternalServerError,
}

impl Kind {
    /// `data.name`: the dotted Python class name.
    pub fn name(self) -> &'static str {
        match self {
            Kind::AccessDenied => "odoo.exceptions.AccessDenied",
            Kind::AccessError => "odoo.exceptions.AccessError",
            Kind::MissingError => "odoo.exceptions.MissingError",
            Kind::ValidationError => "odoo.exceptions.ValidationError",
            Kind::UserError => "odoo.exceptions.UserError",
            Kind::ValueError => "builtins.ValueError",
            Kind::TypeError => "builtins.TypeError",
            Kind::AttributeError => "builtins.AttributeError",
            Kind::IndexError => "builtins.IndexError",
            Kind::KeyError => "builtins.KeyError",
            Kind::NameError => "builtins.NameError",
            Kind::RecursionError => "builtins.RecursionError",
            Kind::Exception => "builtins.Exception",
            Kind::OperationalError => "psycopg2.OperationalError",
            Kind::NotFound => "werkzeug.exceptions.NotFound",
            Kind::UnprocessableEntity => "werkzeug.exceptions.UnprocessableEntity",
            Kind::Unauthorized => "werkzeug.exceptions.Unauthorized",
            Kind::BadRequest => "werkzeug.exceptions.BadRequest",
            Kind::InternalServerError => "werkzeug.exceptions.InternalServerError",
        }
    }

    /// HTTP code of werkzeug exceptions (they carry it in `arguments`).
    pub fn werkzeug_code(self) -> Option<u16> {
        match self {
            Kind::NotFound => Some(404),
            Kind::UnprocessableEntity => Some(422),
            Kind::Unauthorized => Some(401),
            Kind::BadRequest => Some(400),
            Kind::InternalServerError => Some(500),
            _ => None,
        }
    }

    /// The status JSON-2 answers with (Odoo 19 `Json2Dispatcher.handle_error`).
    pub fn json2_status(self) -> u16 {
        match self {
            Kind::AccessDenied | Kind::AccessError => 403,
            Kind::MissingError => 404,
            Kind::UserError | Kind::ValidationError => 422,
            k => k.werkzeug_code().unwrap_or(500),
        }
    }
}

/// An error raised while serving a call.
#[derive(Debug, Clone, PartialEq)]
pub struct OdooError {
    pub kind: Kind,
    pub message: String,
}

pub type OResult<T> = Result<T, OdooError>;

impl OdooError {
    pub fn new(kind: Kind, message: impl Into<String>) -> OdooError {
        OdooError { kind, message: message.into() }
    }

    /// The serialized exception, keys in the order the version sends them.
    pub fn data(&self, version: OdooVersion) -> Out {
        let mut arguments = vec![json!(self.message)];
        if let Some(code) = self.kind.werkzeug_code() {
            arguments.push(json!(code));
        }
        let debug = if self.kind == Kind::AccessDenied && version.is_19() {
            format!("{}: {}", self.kind.name(), self.message)
        } else {
            "Traceback (most recent call last):".to_string()
        };
        let name = Out::V(json!(self.kind.name()));
        let message = Out::V(json!(self.message));
        let arguments = Out::V(Value::Array(arguments));
        let context = Out::V(json!({}));
        let debug = Out::V(json!(debug));
        if version.is_19() {
            Out::obj(vec![
                ("name", name),
                ("message", message),
                ("arguments", arguments),
                ("context", context),
                ("debug", debug),
            ])
        } else {
            Out::obj(vec![
                ("name", name),
                ("debug", debug),
                ("message", message),
                ("arguments", arguments),
                ("context", context),
            ])
        }
    }
}

pub fn value_error(msg: impl Into<String>) -> OdooError {
    OdooError::new(Kind::ValueError, msg)
}

pub fn type_error(msg: impl Into<String>) -> OdooError {
    OdooError::new(Kind::TypeError, msg)
}

pub fn access_denied() -> OdooError {
    OdooError::new(Kind::AccessDenied, "Access Denied")
}

/// `Invalid field 'x' on model 'y'` (16-18) / `Invalid field 'x' on 'y'` (19).
pub fn invalid_field(version: OdooVersion, field: &str, model: &str) -> OdooError {
    let msg = if version.is_19() {
        format!("Invalid field {} on {}", py_str(field), py_str(model))
    } else {
        format!("Invalid field {} on model {}", py_str(field), py_str(model))
    };
    value_error(msg)
}

/// Unknown method through `/jsonrpc` (AttributeError) or JSON-2 (NotFound).
pub fn unknown_method(version: OdooVersion, model: &str, method: &str, json2: bool) -> OdooError {
    if json2 {
        return OdooError::new(Kind::NotFound, format!("The method '{}.{}' does not exist", model, method));
    }
    // 18 moved the lookup to `get_public_method`, which words it as 19 does.
    let msg = if version.at_least_18() {
        format!("The method '{}.{}' does not exist", model, method)
    } else {
        format!("The method '{}' does not exist on the model '{}'", method, model)
    };
    OdooError::new(Kind::AttributeError, msg)
}

/// A `_`-prefixed (or, on 19, `@api.private`) method called remotely; 18
/// and 19 quote `model.method` (recorded probes), 16 and 17 name the method.
pub fn private_method(version: OdooVersion, model: &str, method: &str) -> OdooError {
    let msg = if version.at_least_18() {
        format!("Private methods (such as '{}.{}') cannot be called remotely.", model, method)
    } else {
        format!("Private methods (such as {}) cannot be called remotely.", method)
    };
    OdooError::new(Kind::AccessError, msg)
}

/// An unknown model through `/jsonrpc` (UserError) or JSON-2 (NotFound).
pub fn unknown_model(model: &str, json2: bool) -> OdooError {
    if json2 {
        OdooError::new(Kind::NotFound, format!("the model '{}' does not exist", model))
    } else {
        OdooError::new(Kind::UserError, format!("Object {} doesn't exist", model))
    }
}

/// Python's repr of a recordset: `res.partner(44,)`, `res.partner(1, 2)`.
pub fn recordset_repr(model: &str, ids: &[i64]) -> String {
    let parts: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
    if parts.len() == 1 {
        format!("{}({},)", model, parts[0])
    } else {
        format!("{}({})", model, parts.join(", "))
    }
}

/// Write/unlink on records that do not exist.
pub fn missing_error(model: &str, ids: &[i64], uid: i64) -> OdooError {
    OdooError::new(
        Kind::MissingError,
        format!("Record does not exist or has been deleted.\n(Record: {}, User: {})", recordset_repr(model, ids), uid),
    )
}

/// The error PostgreSQL gives for an unknown database name.
pub fn unknown_database(db: &str) -> OdooError {
    OdooError::new(
        Kind::OperationalError,
        format!(
            "connection to server on socket \"/var/run/postgresql/.s.PGSQL.5432\" failed: FATAL:  database \"{}\" does not exist\n",
            db
        ),
    )
}

/// `ensure_one()` failing.
pub fn expected_singleton(model: &str, ids: &[i64]) -> OdooError {
    let parts: Vec<String> = ids.iter().map(|i| i.to_string()).collect();
    let repr =
        if ids.len() == 1 { format!("{}({},)", model, parts[0]) } else { format!("{}({})", model, parts.join(", ")) };
    value_error(format!("Expected singleton: {}", repr))
}
