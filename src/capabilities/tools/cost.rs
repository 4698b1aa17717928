//! What a tool call may cost in subrequests (D1 round trips and Odoo calls), known before it runs: a
//! message of a JSON-RPC batch starts only while this much of the request's budget is left
//! (`transport::dispatch::subrequests_reserve`). `odoo_batch` estimates its own operations and checks them
//! against what is left when it runs (`batch::subrequests_needed`).

use super::{attach, delete};
use serde_json::{Map, Value};

/// One call of a tool or of a method that reads through one: the login, the model's schema (D1, then
/// Odoo), a cancellation check, the call itself and its count, and a schema met on the way (a related
/// model, a comodel).
pub const SUBREQUESTS_PER_CALL: u32 = 8;

/// What `odoo_attach` needs beyond one call: the record check (a hidden record's access check), and a
/// dry run's access checks or the read-back.
pub const ATTACH_EXTRA: u32 = 3;

/// The reserve of `tools/call` with these params: a delete of several records may retry each alone
/// (`delete::MAX_RETRIES`); `odoo_attach` reads the record, checks access on a dry run and reads the
/// attachment back; `odoo_batch` needs at least one call's, then checks its own estimate.
pub fn subrequests_reserve(params: &Map<String, Value>) -> u32 {
    let name = params.get("name").and_then(Value::as_str);
    let ids = params.get("arguments").and_then(|a| a.get("ids")).and_then(Value::as_array).map_or(0, Vec::len);
    match name {
        Some(delete::NAME) if ids > 1 => SUBREQUESTS_PER_CALL + ids.min(delete::MAX_RETRIES) as u32,
        Some(attach::NAME) => SUBREQUESTS_PER_CALL + ATTACH_EXTRA,
        _ => SUBREQUESTS_PER_CALL,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn params(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn a_multi_record_delete_reserves_its_retries() {
        let one = params(json!({"name": "odoo_delete", "arguments": {"model": "x", "ids": [1]}}));
        assert_eq!(subrequests_reserve(&one), SUBREQUESTS_PER_CALL);
        let many: Vec<i64> = (1..=60).collect();
        let many = params(json!({"name": "odoo_delete", "arguments": {"model": "x", "ids": many}}));
        assert_eq!(subrequests_reserve(&many), SUBREQUESTS_PER_CALL + 20);
        assert_eq!(subrequests_reserve(&params(json!({"name": "odoo_search"}))), SUBREQUESTS_PER_CALL);
        assert_eq!(subrequests_reserve(&params(json!({"name": "odoo_attach"}))), SUBREQUESTS_PER_CALL + ATTACH_EXTRA);
    }
}
