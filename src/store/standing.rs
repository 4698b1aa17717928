//! A key's standing as a watch of its lists reads it again and again (`transport::listen`): what could
//! refuse it (revoked, expired, suspended: `policy::auth` decides) and the permissions it now has, in one
//! round trip, without counting a request against its rate limit.

use super::auth::KeyStatus;
use super::connections::permissions_from_rows;
use super::{get_opt_str, text, StoreError};
use crate::access::ModelPermission;
use crate::platform::{Db, Stmt};
use std::collections::BTreeMap;

/// What the key is now.
pub struct Standing {
    pub status: KeyStatus,
    pub scope: Option<String>,
    pub models: BTreeMap<String, ModelPermission>,
}

/// The key's standing; `None` when no key has that hash (any more).
pub async fn read(db: &dyn Db, key_hash: &str) -> Result<Option<Standing>, StoreError> {
    let results = db
        .batch(vec![
            Stmt::new(
                "SELECT k.id, k.prefix, k.connection_id, k.scope, k.rate_limit, k.revoked_at, k.expires_at, \
                 s.suspended_at FROM keys k LEFT JOIN key_suspensions s ON s.key_id = k.id WHERE k.key_hash = ?1",
                vec![text(key_hash)],
            ),
            super::auth::permissions(key_hash),
        ])
        .await?;
    let Some(key) = results.first().and_then(|rows| rows.first()) else { return Ok(None) };
    let models = permissions_from_rows(results.get(1).map_or(&[], Vec::as_slice))?;
    Ok(Some(Standing { status: KeyStatus::from_row(key)?, scope: get_opt_str(key, "scope")?, models }))
}
