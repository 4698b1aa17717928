//! `POST /jsonrpc`: the legacy JSON-RPC endpoint of both versions. Parses the
//! envelope (plain-text 400 for bad JSON), runs the `common` service
//! (`version`, `login`, `authenticate`), the `db` service (`list`,
//! `server_version`) and the `object` service (`execute_kw`, `execute`), and
//! wraps results and errors in the envelope (`error.code` 200 on 17, 0 on 19).

use crate::errors::{self, access_denied, type_error, Kind, OResult, OdooError};
use crate::http::{bad_content_type, Reply, Shared};
use crate::methods::{self, Call};
use crate::out::{py_repr, py_type, Out};
use crate::records::ids_arg;
use crate::signature;
use crate::store::Env;
use crate::OdooVersion;
use serde_json::{json, Map, Value};

/// `common.version` result.
pub fn version_info(version: OdooVersion) -> Out {
    let major = version.major();
    let full = version.server_version();
    let info = json!([major, 0, 0, "final", 0, ""]);
    let serie = format!("{}.0", major);
    Out::obj(vec![
        ("server_version", Out::V(json!(full))),
        ("server_version_info", Out::V(info)),
        ("server_serie", Out::V(json!(serie))),
        ("protocol_version", Out::V(json!(1))),
    ])
}

/// A JSON-RPC envelope with a result or an error.
pub fn envelope(version: OdooVersion, id: &Value, result: OResult<Out>) -> Reply {
    let body = match result {
        // Odoo's dispatcher sets `result` only when it is not None: a method
        // that returns None answers with neither `result` nor `error`
        // (recorded on 16, 17 and 18: `check_access_rule`, `check_access`).
        Ok(Out::V(Value::Null)) => Out::obj(vec![("jsonrpc", Out::V(json!("2.0"))), ("id", Out::V(id.clone()))]),
        Ok(out) => Out::obj(vec![("jsonrpc", Out::V(json!("2.0"))), ("id", Out::V(id.clone())), ("result", out)]),
        Err(err) => {
            let code = if version.is_19() { 0 } else { 200 };
            Out::obj(vec![
                ("jsonrpc", Out::V(json!("2.0"))),
                ("id", Out::V(id.clone())),
                (
                    "error",
                    Out::obj(vec![
                        ("code", Out::V(json!(code))),
                        ("message", Out::V(json!("Odoo Server Error"))),
                        ("data", err.data(version)),
                    ]),
                ),
            ])
        }
    };
    Reply::json(200, body.to_json())
}

/// Handles one `/jsonrpc` request.
pub fn handle(shared: &Shared, content_type: Option<&str>, body: &[u8]) -> Reply {
    let version = shared.version;
    let mime = content_type.unwrap_or("").split(';').next().unwrap_or("").trim().to_lowercase();
    if mime != "application/json" && mime != "application/json-rpc" {
        let route_type = if version.is_19() { "jsonrpc" } else { "json" };
        return bad_content_type(version, "/jsonrpc", route_type, body.is_empty());
    }
    let parsed: Value = match serde_json::from_slice(body) {
        Ok(v) => v,
        Err(_) => return Reply::text(400, "Invalid JSON data"),
    };
    let Some(request) = parsed.as_object() else {
        return Reply::text(400, "Invalid JSON-RPC data");
    };
    let id = request.get("id").cloned().unwrap_or(Value::Null);
    envelope(version, &id, dispatch(shared, request.get("params")))
}

fn dispatch(shared: &Shared, params: Option<&Value>) -> OResult<Out> {
    let empty = Map::new();
    let params = match params {
        None | Some(Value::Null) => &empty,
        Some(Value::Object(p)) => p,
        Some(other) => {
            return Err(type_error(format!("'{}' object is not a mapping", py_type(other))));
        }
    };
    let mut missing: Vec<&str> =
        ["service", "method", "args"].into_iter().filter(|k| !params.contains_key(*k)).collect();
    if !missing.is_empty() {
        let n = missing.len();
        let names: Vec<String> = missing.drain(..).map(|m| format!("'{}'", m)).collect();
        let list = match names.len() {
            1 => names[0].clone(),
            2 => format!("{} and {}", names[0], names[1]),
            _ => format!("{}, {}, and {}", names[0], names[1], names[2]),
        };
        let s = if n == 1 { "" } else { "s" };
        return Err(type_error(format!("RPC.jsonrpc() missing {} required positional argument{}: {}", n, s, list)));
    }
    let service = params.get("service").and_then(Value::as_str).unwrap_or("");
    let method = params.get("method").and_then(Value::as_str).unwrap_or("");
    let args: Vec<Value> = match params.get("args") {
        Some(Value::Array(a)) => a.clone(),
        Some(Value::Null) | None => Vec::new(),
        Some(other) => {
            return Err(type_error(format!(
                "odoo.http.dispatch_rpc() argument after * must be an iterable, not {}",
                py_type(other)
            )))
        }
    };
    match service {
        "common" => common(shared, method, &args),
        "db" => match method {
            "list" => Ok(Out::V(json!([shared.database]))),
            "server_version" => Ok(Out::V(version_info(shared.version).to_value()["server_version"].clone())),
            other => Err(OdooError::new(Kind::KeyError, py_repr(&json!(format!("exp_{}", other))))),
        },
        "object" => object(shared, method, &args),
        other => Err(OdooError::new(Kind::Exception, format!("Service {} not found", other))),
    }
}

fn arg_count(name: &str, args: &[Value], names: &[&str]) -> OResult<()> {
    if args.len() < names.len() {
        let missing: Vec<String> = names[args.len()..].iter().map(|n| format!("'{}'", n)).collect();
        let list = match missing.len() {
            1 => missing[0].clone(),
            2 => format!("{} and {}", missing[0], missing[1]),
            n => format!("{}, and {}", missing[..n - 1].join(", "), missing[n - 1]),
        };
        let s = if missing.len() == 1 { "" } else { "s" };
        return Err(type_error(format!(
            "{}() missing {} required positional argument{}: {}",
            name,
            missing.len(),
            s,
            list
        )));
    }
    if args.len() > names.len() {
        return Err(type_error(format!(
            "{}() takes {} positional arguments but {} were given",
            name,
            names.len(),
            args.len()
        )));
    }
    Ok(())
}

fn common(shared: &Shared, method: &str, args: &[Value]) -> OResult<Out> {
    match method {
        "version" => Ok(version_info(shared.version)),
        "about" => Ok(Out::V(json!("See http://openerp.com"))),
        "login" | "authenticate" => {
            let names: &[&str] = if method == "login" {
                &["db", "login", "password"]
            } else {
                &["db", "login", "password", "user_agent_env"]
            };
            arg_count(&format!("exp_{}", method), args, names)?;
            let db = args[0].as_str().unwrap_or("");
            if db != shared.database {
                return Err(errors::unknown_database(db));
            }
            let login = args[1].as_str().unwrap_or("");
            let password = args[2].as_str().unwrap_or("");
            let store = shared.lock();
            let user = store.users.iter().find(|u| u.login == login && !password.is_empty() && u.key == password);
            Ok(Out::V(user.map(|u| json!(u.uid)).unwrap_or(json!(false))))
        }
        other => Err(OdooError::new(Kind::KeyError, py_repr(&json!(format!("exp_{}", other))))),
    }
}

fn object(shared: &Shared, method: &str, params: &[Value]) -> OResult<Out> {
    if method != "execute_kw" && method != "execute" {
        return Err(OdooError::new(Kind::NameError, format!("Method not available {}", method)));
    }
    if params.len() < 3 {
        return Err(OdooError::new(Kind::IndexError, "list index out of range"));
    }
    let db = params[0].as_str().unwrap_or("");
    let uid = match &params[1] {
        Value::Number(n) => n.as_i64().unwrap_or(0),
        Value::String(s) => s.trim().parse::<i64>().map_err(|_| {
            errors::value_error(format!("invalid literal for int() with base 10: {}", py_repr(&params[1])))
        })?,
        Value::Bool(b) => *b as i64,
        other => {
            return Err(type_error(format!(
                "int() argument must be a string, a bytes-like object or a real number, not '{}'",
                py_type(other)
            )))
        }
    };
    let password = params[2].as_str().unwrap_or("");
    let rest = &params[3..];
    if db != shared.database {
        return Err(errors::unknown_database(db));
    }
    let mut store = shared.lock();
    let user = store
        .users
        .iter()
        .find(|u| u.uid == uid && !password.is_empty() && u.key == password)
        .cloned()
        .ok_or_else(access_denied)?;
    let (model, meth, args, kwargs) = if method == "execute_kw" {
        arg_count("execute_kw", &rest[..rest.len().min(3)], &["obj", "method", "args"])?;
        if rest.len() > 4 {
            return Err(type_error(format!(
                "execute_kw() takes from 5 to 6 positional arguments but {} were given",
                rest.len() + 2
            )));
        }
        let args = match &rest[2] {
            Value::Array(a) => a.clone(),
            other => return Err(type_error(format!("argument after * must be an iterable, not {}", py_type(other)))),
        };
        let kwargs = match rest.get(3) {
            None | Some(Value::Null) => Map::new(),
            Some(Value::Object(k)) => k.clone(),
            Some(other) => {
                return Err(type_error(format!("argument after ** must be a mapping, not {}", py_type(other))))
            }
        };
        (rest[0].clone(), rest[1].clone(), args, kwargs)
    } else {
        arg_count("execute", &rest[..rest.len().min(2)], &["obj", "method"])?;
        (rest[0].clone(), rest[1].clone(), rest[2..].to_vec(), Map::new())
    };
    let model = model.as_str().unwrap_or("").to_string();
    let meth = meth.as_str().unwrap_or("").to_string();
    let version = shared.version;
    // 16/17 check the name in `call_kw` before the model exists; 18/19 after.
    if !version.at_least_18() && meth.starts_with('_') {
        return Err(errors::private_method(version, &model, &meth));
    }
    let Some(m) = store.model(&model) else {
        return Err(errors::unknown_model(&model, false));
    };
    if meth.starts_with('_') || signature::is_private(version, &meth) {
        return Err(errors::private_method(version, &model, &meth));
    }
    let sig =
        signature::lookup(version, m, &meth).ok_or_else(|| errors::unknown_method(version, &model, &meth, false))?;
    let mut kwargs = kwargs;
    let context = kwargs.remove("context");
    let env = Env::new(version, user.uid, user.restricted).with_context(context.as_ref());
    env.check(&store)?;
    let (ids, positional) = if sig.model_api {
        (Vec::new(), args.as_slice())
    } else {
        let first = args.first().ok_or_else(|| OdooError::new(Kind::IndexError, "list index out of range"))?;
        (ids_arg(first)?, &args[1..])
    };
    let bound = signature::bind_call(sig, positional, &kwargs)?;
    if meth == "create" && args.is_empty() {
        return Err(OdooError::new(Kind::IndexError, "list index out of range"));
    }
    let call = Call { model: &model, method: &meth, ids, bound, json2: false };
    methods::run(&mut store, &env, &call)
}
