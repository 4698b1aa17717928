//! A key's standing as a watch of its lists reads it again and again (`transport::listen`): whether it
//! is still usable (not revoked, not expired, not suspended) and the permissions it now has, in one
//! round trip, without counting a request against its rate limit.

use super::connections::permissions_from_rows;
use super::{get_opt_i64, get_opt_str, text, StoreError};
use crate::access::ModelPermission;
use crate::platform::{Db, Stmt};
use std::collections::BTreeMap;

/// What the key is now: `None` when it is gone or no longer usable.
pub struct Standing {
    pub scope: Option<String>,
    pub models: BTreeMap<String, ModelPermission>,
}

pub async fn read(db: &dyn Db, key_hash: &str, now: i64) -> Result<Option<Standing>, StoreError> {
    let results = db
        .batch(vec![
            Stmt::new(
                "SELECT k.scope, k.revoked_at, k.expires_at, s.suspended_at FROM keys k \
                 LEFT JOIN key_suspensions s ON s.key_id = k.id WHERE k.key_hash = ?1",
                vec![text(key_hash)],
            ),
            super::auth::permissions(key_hash),
        ])
        .await?;
    let Some(key) = results.first().and_then(|rows| rows.first()) else { return Ok(None) };
    let usable = get_opt_i64(key, "revoked_at")?.is_none()
        && get_opt_i64(key, "suspended_at")?.is_none()
        && get_opt_i64(key, "expires_at")?.is_none_or(|e| e > now);
    if !usable {
        return Ok(None);
    }
    let models = permissions_from_rows(results.get(1).map_or(&[], Vec::as_slice))?;
    Ok(Some(Standing { scope: get_opt_str(key, "scope")?, models }))
}
