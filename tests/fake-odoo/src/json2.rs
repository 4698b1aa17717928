//! `POST /json/2/<model>/<method>` (19 only; 16 and 17 answer their website
//! 404 page, 18 a redirect to the login page). Checks, in Odoo's order: database header, bearer key, body, model,
//! method, `ids` on `@api.model` methods, signature; answers the bare result
//! or a bare error object with the JSON-2 status of its class.

use crate::errors::{self, Kind, OdooError};
use crate::http::{bad_content_type, pages, Reply, Shared};
use crate::methods::{self, Call};
use crate::records::ids_arg;
use crate::signature;
use crate::store::Env;
use crate::OdooVersion;
use serde_json::{Map, Value};

/// Request data JSON-2 looks at.
pub struct Json2Request<'a> {
    pub http_method: &'a str,
    pub path: &'a str,
    pub authorization: Option<&'a str>,
    pub database: Option<&'a str>,
    pub content_type: Option<&'a str>,
    pub body: &'a [u8],
}

fn error(version: OdooVersion, err: OdooError) -> Reply {
    let mut reply = Reply::json(err.kind.json2_status(), err.data(version).to_json());
    if err.kind == Kind::Unauthorized {
        reply.headers.push(("WWW-Authenticate".into(), "bearer".into()));
    }
    reply
}

/// Python's `json.loads` error text for a body that is not JSON.
fn json_error_text(body: &[u8], err: &serde_json::Error) -> String {
    let text = String::from_utf8_lossy(body);
    let line = err.line().max(1);
    let column = err.column().max(1);
    let char_pos: usize = text.split('\n').take(line - 1).map(|l| l.chars().count() + 1).sum::<usize>() + column - 1;
    format!("Expecting value: line {} column {} (char {})", line, column, char_pos)
}

/// The key of an `Authorization: bearer <key>` header (scheme case-insensitive).
pub(crate) fn bearer(header: Option<&str>) -> Option<&str> {
    let h = header?.trim_start();
    let (scheme, rest) = h.split_once(char::is_whitespace)?;
    let key = rest.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !key.is_empty()).then_some(key)
}

/// Handles a request whose path starts with `/json/2`.
pub fn handle(shared: &Shared, req: &Json2Request) -> Reply {
    let version = shared.version;
    match version {
        OdooVersion::V16 | OdooVersion::V17 => return pages::odoo17_not_found(),
        OdooVersion::V18 => return pages::login_redirect(),
        OdooVersion::V19 => {}
    }
    let rest = req.path.strip_prefix("/json/2").unwrap_or("");
    let segments: Vec<&str> = rest.trim_start_matches('/').split('/').collect();
    let (model, method) = match segments.as_slice() {
        [m, f] if !m.is_empty() && !f.is_empty() => (*m, *f),
        _ => return error(version, OdooError::new(Kind::NotFound, "Did you mean POST /json/2/<model>/<method>?")),
    };
    if req.database.is_some_and(|db| db != shared.database) {
        return pages::no_database();
    }
    if req.http_method != "POST" {
        return pages::method_not_allowed();
    }
    let mime = req.content_type.unwrap_or("").split(';').next().unwrap_or("").trim().to_lowercase();
    if !req.body.is_empty() && mime != "application/json" {
        return bad_content_type(version, "/json/2/<model>/<method>", "json2", false);
    }
    let user = {
        let store = shared.lock();
        let Some(key) = bearer(req.authorization) else {
            return error(
                version,
                OdooError::new(
                    Kind::Unauthorized,
                    "User not authenticated, use an API Key with a Bearer Authorization header.",
                ),
            );
        };
        match store.users.iter().find(|u| u.key == key) {
            Some(u) => u.clone(),
            None => return error(version, OdooError::new(Kind::Unauthorized, "Invalid apikey")),
        }
    };
    let body: Map<String, Value> = if req.body.iter().all(u8::is_ascii_whitespace) {
        Map::new()
    } else {
        match serde_json::from_slice::<Value>(req.body) {
            Ok(Value::Object(m)) => m,
            Ok(_) => Map::new(),
            Err(e) => {
                let msg = format!("could not parse the body as json: {}", json_error_text(req.body, &e));
                return error(version, OdooError::new(Kind::BadRequest, msg));
            }
        }
    };
    let mut store = shared.lock();
    let Some(m) = store.model(model) else {
        return error(version, errors::unknown_model(model, true));
    };
    if method.starts_with('_') || signature::is_private(version, method) {
        return error(version, errors::private_method(version, model, method));
    }
    let Some(sig) = signature::lookup(version, m, method) else {
        return error(version, errors::unknown_method(version, model, method, true));
    };
    let ids_value = body.get("ids").cloned().unwrap_or(Value::Null);
    let ids_given = match &ids_value {
        Value::Array(a) => !a.is_empty(),
        Value::Null | Value::Bool(false) => false,
        Value::Number(n) => n.as_i64() != Some(0),
        _ => true,
    };
    if ids_given && sig.model_api {
        let msg = format!("cannot call {}.{} with ids", model, method);
        return error(version, OdooError::new(Kind::UnprocessableEntity, msg));
    }
    let ids = match ids_arg(&ids_value) {
        Ok(ids) => ids,
        Err(e) => return error(version, e),
    };
    let bound = match signature::bind_json2(sig, &body) {
        Ok(b) => b,
        Err(e) => return error(version, e),
    };
    let env = Env::new(version, user.uid, user.restricted).with_context(body.get("context"));
    if let Err(e) = env.check(&store) {
        return error(version, e);
    }
    let call = Call { model, method, ids, bound, json2: true };
    match methods::run(&mut store, &env, &call) {
        Ok(out) => Reply::json(200, out.to_json()),
        Err(e) => error(version, e),
    }
}

#[cfg(test)]
mod tests {
    use super::bearer;

    #[test]
    fn bearer_scheme_is_case_insensitive() {
        assert_eq!(bearer(Some("bearer abc")), Some("abc"));
        assert_eq!(bearer(Some("Bearer  abc ")), Some("abc"));
        assert_eq!(bearer(Some("BEARER abc")), Some("abc"));
        assert_eq!(bearer(Some("Basic abc")), None);
        assert_eq!(bearer(Some("bearer")), None);
        assert_eq!(bearer(None), None);
    }
}
