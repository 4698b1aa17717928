//! Changing a connection's Odoo address. Credentials are given for one Odoo: the console's browsing
//! user and each key's Odoo login and API key. When the origin (scheme, host, port) changes they must
//! not follow on their own: the browsing user is forgotten unless the same request gives one (checked
//! against the new address), and every live key of the connection is suspended, refused at `/mcp`,
//! until an administrator confirms it (`POST /admin/api/keys/{id}/confirm`, `keys::confirm`). A new
//! path or database on the same origin keeps both: the credentials go to the same server.

use super::admin_audit;
use crate::json;
use crate::odoo::url::origin_of;
use crate::platform::{Row, Stmt};
use crate::store::{self, connections, get_i64};
use serde_json::Value;

/// A connection leaving one Odoo origin for another.
#[derive(Debug, PartialEq)]
pub struct Move {
    from: String,
    to: String,
}

impl Move {
    /// The move between two normalised URLs, if their origins differ.
    pub fn between(old_url: &str, new_url: &str) -> Option<Move> {
        let (from, to) = (origin_of(old_url), origin_of(new_url));
        (from != to).then(|| Move { from: from.to_string(), to: to.to_string() })
    }

    /// What goes in the batch that changes the URL: the browsing user forgotten (unless the request
    /// replaced it), then the keys suspended (last: its rows are the suspended keys).
    pub fn statements(&self, connection_id: i64, browse_replaced: bool, now: i64) -> Vec<Stmt> {
        let mut stmts = Vec::new();
        if !browse_replaced {
            stmts.push(connections::clear_browse_credentials(connection_id));
        }
        stmts.push(store::keys::suspend_for_connection(connection_id, &self.from, &self.to, now));
        stmts
    }

    /// The answer's `moved` member, from the rows of `statements`, and its audit row.
    pub fn report(
        &self,
        connection_id: i64,
        rows: &[Vec<Row>],
        browse_replaced: bool,
        now: i64,
        after: &mut Vec<Stmt>,
    ) -> Value {
        let suspended: Vec<i64> =
            rows.last().map(|keys| keys.iter().filter_map(|r| get_i64(r, "key_id").ok()).collect()).unwrap_or_default();
        let browse_cleared = !browse_replaced && rows.first().is_some_and(|r| !r.is_empty());
        after.push(admin_audit(
            "connection.move",
            Some(connection_id),
            crate::text::truncate(
                &format!(
                    "{} -> {}: keys suspended until confirmed: {:?}{}",
                    self.from,
                    self.to,
                    suspended,
                    if browse_cleared { "; browsing user cleared" } else { "" }
                ),
                900,
            ),
            now,
        ));
        let notice = match suspended.len() {
            0 => format!("The connection now points at {}.", self.to),
            n => format!(
                "The connection now points at {}. Its {n} key(s) are suspended: their Odoo credentials are not \
                 sent there until you confirm each key (POST /admin/api/keys/{{id}}/confirm, or Confirm in the \
                 console's key list).",
                self.to
            ),
        };
        json!({
            "from": self.from,
            "to": self.to,
            "suspended_keys": suspended,
            "browse_user_cleared": browse_cleared,
            "notice": notice,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_new_origin_is_a_move() {
        assert_eq!(Move::between("https://a.example", "https://a.example/odoo"), None);
        assert_eq!(Move::between("https://a.example:8443/x", "https://a.example:8443"), None);
        for to in ["https://b.example", "https://a.example:8443", "http://a.example"] {
            assert!(Move::between("https://a.example", to).is_some(), "{to}");
        }
    }
}
