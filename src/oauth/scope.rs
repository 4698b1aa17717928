//! The scopes a client may ask for, and what each allows: `odoo.read` (read), `odoo.write` (create,
//! update, and the button methods the administrator allowed as actions), `odoo.delete` (delete). A grant never holds more than the administrator's default scope for
//! OAuth grants; a client may ask for less. Scopes narrow what a grant may do; the connection's model
//! permissions still decide, as for keys.

use super::error::OAuthError;
use crate::access::Operation;

/// Every scope this server knows, as `scopes_supported` lists them (no `offline_access`: SEP-2207).
pub const SUPPORTED: &[&str] = &["odoo.read", "odoo.write", "odoo.delete"];

fn operations_of(scope: &str) -> Option<&'static [Operation]> {
    match scope {
        "odoo.read" => Some(&[Operation::Read]),
        "odoo.write" => Some(&[Operation::Create, Operation::Update, Operation::Action]),
        "odoo.delete" => Some(&[Operation::Delete]),
        _ => None,
    }
}

/// The operations a grant gets: what `requested` names (all of `allowed` when it names nothing) within
/// `allowed`. An unknown scope, or a request of which nothing is allowed, is `invalid_scope`.
pub fn grant(requested: Option<&str>, allowed: &[Operation]) -> Result<Vec<Operation>, OAuthError> {
    let requested = requested.unwrap_or("").trim();
    if requested.is_empty() {
        return Ok(allowed.to_vec());
    }
    let mut asked = Vec::new();
    for scope in requested.split(' ').filter(|s| !s.is_empty()) {
        // offline_access is how some clients ask for a refresh token: every grant gets one, so it
        // adds nothing and is not an error.
        if scope == "offline_access" {
            continue;
        }
        let ops = operations_of(scope).ok_or_else(|| {
            let shown = crate::text::truncate(scope, 40);
            OAuthError::new(
                "invalid_scope",
                format!("unknown scope '{shown}': this server knows {}", SUPPORTED.join(", ")),
            )
        })?;
        asked.extend_from_slice(ops);
    }
    if asked.is_empty() {
        return Ok(allowed.to_vec());
    }
    let granted: Vec<Operation> = allowed.iter().copied().filter(|op| asked.contains(op)).collect();
    if granted.is_empty() {
        return Err(OAuthError::new("invalid_scope", "none of the requested scopes is allowed on this server"));
    }
    Ok(granted)
}

/// What a set of operations must hold to be named by `scope`: all of its operations, but for `odoo.write`
/// only create and update (grants made before actions existed hold just those two, and still write).
fn defining(scope: &str) -> Option<&'static [Operation]> {
    match scope {
        "odoo.write" => Some(&[Operation::Create, Operation::Update]),
        other => operations_of(other),
    }
}

/// The scope string of a set of operations: each scope whose defining operations are all present.
pub fn to_scope(ops: &[Operation]) -> String {
    SUPPORTED
        .iter()
        .filter(|s| defining(s).is_some_and(|needed| needed.iter().all(|op| ops.contains(op))))
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The scope that allows `op`, named in an `insufficient_scope` challenge.
pub fn needed_for(op: Operation) -> &'static str {
    match op {
        Operation::Read => "odoo.read",
        Operation::Create | Operation::Update | Operation::Action => "odoo.write",
        Operation::Delete => "odoo.delete",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Operation::*;

    #[test]
    fn a_client_gets_what_it_asks_within_what_is_allowed() {
        let all = [Read, Create, Update, Delete, Action];
        assert_eq!(grant(None, &all).unwrap(), all.to_vec());
        assert_eq!(grant(Some("odoo.read"), &all).unwrap(), vec![Read]);
        assert_eq!(
            grant(Some("odoo.read  odoo.write offline_access"), &all).unwrap(),
            vec![Read, Create, Update, Action]
        );
        assert_eq!(grant(Some("odoo.write"), &[Read, Create, Update]).unwrap(), vec![Create, Update]);
        assert_eq!(grant(Some("odoo.read odoo.delete"), &[Read]).unwrap(), vec![Read], "never wider than allowed");
        assert_eq!(grant(Some("offline_access"), &[Read]).unwrap(), vec![Read]);
    }

    #[test]
    fn unknown_or_wholly_disallowed_scopes_are_refused() {
        assert_eq!(grant(Some("odoo.read admin"), &[Read]).unwrap_err().code, "invalid_scope");
        assert_eq!(grant(Some("odoo.delete"), &[Read]).unwrap_err().code, "invalid_scope");
    }

    #[test]
    fn scope_strings_round_trip() {
        assert_eq!(to_scope(&[Read, Create, Update]), "odoo.read odoo.write");
        assert_eq!(to_scope(&[Read, Create]), "odoo.read", "write needs both create and update");
        assert_eq!(needed_for(Update), "odoo.write");
        assert_eq!(needed_for(Action), "odoo.write");
        assert_eq!(to_scope(&[Read, Create, Update, Action]), "odoo.read odoo.write");
        for s in SUPPORTED {
            assert_eq!(to_scope(&grant(Some(s), &[Read, Create, Update, Delete, Action]).unwrap()), *s);
        }
    }
}
