//! Authenticates an `/mcp` request in **one D1 round trip**: the key with its connection, the
//! connection's model permissions, the rate limit's decision (`policy::rate_limit`), the client
//! address's failed-authentication throttle (`policy::failures`) and the session touch go in one batch
//! (`store::auth`, with the schema cache's probe as an extra statement). This module decides from the
//! typed rows: a key whose connection moved to another Odoo is refused until confirmed, a revoked,
//! expired or over-the-limit one is refused, a throttled network before its key is looked at.

use super::tokens;
use crate::access::{Approval, Scope};
use crate::odoo::context::OdooContext;
use crate::odoo::Connection;
use crate::platform::Db;
use crate::policy::failures;
use crate::policy::keys;
use crate::policy::permissions::Permissions;
use crate::policy::rate_limit;
use crate::store::audit::AuditEvent;
use crate::store::auth::{KeyStatus, Lookup};
use crate::store::rate_limit::Bucket;
use crate::store::schema_cache;
use crate::store::schema_cache::SchemaProbe;
use crate::store::sessions::SessionState;
use crate::store::{self, StoreError};

// The session as the batch found it, and the schema cache's probe, are the store's; re-exported for the
// callers that name them here.

/// Everything a request needs to know about its caller.
#[derive(Debug, Clone)]
pub struct AuthContext {
    pub key_id: i64,
    pub key_hash: String,
    pub key_prefix: String,
    pub connection_id: i64,
    pub connection: Connection,
    pub odoo_login: String,
    /// Still encrypted; decrypted only when an Odoo call is about to be made.
    pub odoo_key_enc: String,
    pub odoo_uid: Option<i64>,
    pub permissions: Permissions,
    /// The operations that run only once the key's person approved them (`mcp::approval`).
    pub approval: Approval,
    /// The Odoo context every call of the key carries (companies, language, time zone).
    pub odoo_context: OdooContext,
    pub session: Option<SessionState>,
    /// When the key was last used, as the batch found it (`None`: this request is its first use, an
    /// audit event).
    pub last_used_at: Option<i64>,
    /// The shared schema cache's row for the model the request names, read in the same batch.
    pub schema_probe: Option<SchemaProbe>,
}

impl AuthContext {
    /// An audit row of this key's (its id, prefix and connection), to fill in with what happened.
    pub fn audit_event<'a>(&'a self, event: &'a str, outcome: &'a str) -> AuditEvent<'a> {
        AuditEvent {
            event,
            key_id: Some(self.key_id),
            key_prefix: Some(&self.key_prefix),
            connection_id: Some(self.connection_id),
            outcome,
            ..Default::default()
        }
    }
}

/// A key that exists, as a failure may name it (its prefix and id are recorded; the key never).
#[derive(Debug, Clone, PartialEq)]
pub struct KnownKey {
    pub id: i64,
    pub prefix: String,
    pub connection_id: i64,
}

#[derive(Debug, PartialEq)]
pub enum AuthFailure {
    MissingKey,
    UnknownKey,
    Revoked(KnownKey),
    Expired(KnownKey),
    /// The key's connection moved to another Odoo origin; an administrator has not confirmed the key
    /// for it yet (`key_suspensions`).
    Suspended(KnownKey),
    /// The client's address used up its failed authentications this minute (`policy::failures`): refused
    /// before its key is looked at.
    Throttled {
        retry_after_s: i64,
    },
    /// `limit` requests were already admitted within the last 60 s; retry after this many seconds.
    RateLimited {
        retry_after_s: i64,
        limit: i64,
        key: KnownKey,
    },
    /// A batch of `weight` requests is more than the key's `limit` per minute: it never fits.
    OverLimitAtOnce {
        weight: i64,
        limit: i64,
        key: KnownKey,
    },
    Store(StoreError),
}

impl AuthFailure {
    /// A message safe to show to the caller (never echoes the key).
    pub fn message(&self) -> String {
        match self {
            AuthFailure::MissingKey => {
                "Missing bearer key: send 'Authorization: Bearer <key>', or connect with OAuth.".into()
            }
            AuthFailure::UnknownKey => "Unknown key or token.".into(),
            AuthFailure::Revoked(k) if k.prefix == tokens::GRANT_PREFIX => {
                "This access was revoked: connect again (sign in to Odoo MCP from your client).".into()
            }
            AuthFailure::Revoked(_) => {
                "This key has been revoked. Ask your Odoo MCP administrator for a new one.".into()
            }
            AuthFailure::Expired(k) if k.prefix == tokens::GRANT_PREFIX => {
                "This access token has expired: refresh it.".into()
            }
            AuthFailure::Expired(_) => {
                "This key has expired. Ask your Odoo MCP administrator for a new one.".into()
            }
            AuthFailure::Suspended(_) => "This key is suspended: its connection now points at a different Odoo \
                address, and the key's Odoo credentials are not sent there until an administrator confirms the \
                key for the new Odoo address. Ask your Odoo MCP administrator to confirm it."
                .into(),
            AuthFailure::RateLimited {
                retry_after_s,
                limit,
                ..
            } => {
                format!("Rate limit of {limit} requests per minute exceeded; retry in {retry_after_s} s.")
            }
            AuthFailure::OverLimitAtOnce { weight, limit, .. } => format!(
                "This batch of {weight} requests exceeds the rate limit of {limit} requests per minute on its own; send at most {limit} at a time."
            ),
            AuthFailure::Throttled { retry_after_s } => format!(
                "Too many failed authentications from this network; retry in {retry_after_s} s."
            ),
            AuthFailure::Store(e) => format!("The key store is unavailable: {e}"),
        }
    }

    pub fn audit_outcome(&self) -> &'static str {
        match self {
            AuthFailure::MissingKey => "missing_key",
            AuthFailure::UnknownKey => "unknown_key",
            AuthFailure::Revoked(_) => "revoked",
            AuthFailure::Expired(_) => "expired",
            AuthFailure::Throttled { .. } => "throttled",
            AuthFailure::Suspended(_) => "suspended",
            AuthFailure::RateLimited { .. } | AuthFailure::OverLimitAtOnce { .. } => "rate_limited",
            AuthFailure::Store(_) => "store_error",
        }
    }

    /// The existing key a failure is about, when it is about one.
    pub fn known_key(&self) -> Option<&KnownKey> {
        match self {
            AuthFailure::Revoked(k)
            | AuthFailure::Expired(k)
            | AuthFailure::Suspended(k)
            | AuthFailure::RateLimited { key: k, .. }
            | AuthFailure::OverLimitAtOnce { key: k, .. } => Some(k),
            _ => None,
        }
    }

    /// A failure of the caller's identity (counted against its address and grouped in the audit), as
    /// opposed to a live key's own rate limit, a throttled address or an unavailable store.
    pub fn is_identity_failure(&self) -> bool {
        matches!(
            self,
            AuthFailure::MissingKey | AuthFailure::UnknownKey | AuthFailure::Revoked(_) | AuthFailure::Expired(_)
        )
    }
}

/// Looks up the presented key, counts the request's `weight` (the requests it carries: one per message of
/// a batch) against its rate limit, when a session id is given touches that session (only if it belongs
/// to this key and has not expired), and when the request names a model reads its shared schema cache
/// row (without the JSON if this isolate holds that very fetch): one batch (`store::auth`). The client's
/// address (`client`, `policy::failures::client_of`) is refused first when it used up its failed
/// authentications, and is counted a failure when the key is not live, in the same batch.
#[allow(clippy::too_many_arguments)]
pub async fn authenticate(
    db: &dyn Db,
    client: &crate::store::failures::Client,
    presented_key: Option<&str>,
    session_id: Option<&str>,
    default_rate_limit: u32,
    schema_model: Option<&str>,
    weight: i64,
    now: i64,
) -> Result<AuthContext, AuthFailure> {
    let presented = presented_key.ok_or(AuthFailure::MissingKey)?;
    let key_hash = keys::hash(presented);
    let lookup =
        Lookup { key_hash: &key_hash, client, session_id, default_rate_limit: default_rate_limit as i64, weight, now };
    let probe = schema_model.map(|model| schema_cache::Probe::new(&key_hash, model));
    let extra = probe.iter().map(schema_cache::Probe::statement).collect();
    let rows = store::auth::run(db, &lookup, extra).await.map_err(|e| AuthFailure::Store(e.into()))?;
    if rows.throttled() {
        return Err(AuthFailure::Throttled { retry_after_s: failures::retry_after_s(now) });
    }
    let key = rows.key().map_err(AuthFailure::Store)?.ok_or(AuthFailure::UnknownKey)?;
    check_key(&key, default_rate_limit, rows.admitted(), weight, now, || rows.window())?;

    let details = rows.key_details().map_err(AuthFailure::Store)?;
    let scope: Scope = match details.scope.as_deref() {
        Some(s) => crate::json::from_str(s)
            .map_err(|_| AuthFailure::Store(StoreError::Shape("key scope is not valid JSON".into())))?,
        None => Scope::default(),
    };
    let models = rows.permissions().map_err(AuthFailure::Store)?;
    let session = rows.session().map_err(AuthFailure::Store)?;
    let schema_probe = match probe {
        Some(p) => Some(p.read(rows.extra(0)).map_err(AuthFailure::Store)?),
        None => None,
    };
    Ok(AuthContext {
        key_id: key.id,
        key_hash,
        key_prefix: key.prefix,
        connection_id: key.connection_id,
        connection: details.connection,
        odoo_login: details.odoo_login,
        odoo_key_enc: details.odoo_key_enc,
        odoo_uid: details.odoo_uid,
        permissions: Permissions { models, scope },
        approval: details.approval,
        odoo_context: details.context,
        session,
        last_used_at: details.last_used_at,
        schema_probe,
    })
}

/// Why a key that exists may not be used at all, whatever the request: revoked, expired or suspended, in
/// that order. (Every request's check, and the list watch's re-reads of the key.)
pub fn unusable(key: &KeyStatus, now: i64) -> Option<AuthFailure> {
    let known = || KnownKey { id: key.id, prefix: key.prefix.clone(), connection_id: key.connection_id };
    if key.revoked {
        Some(AuthFailure::Revoked(known()))
    } else if key.expires_at.is_some_and(|t| t <= now) {
        Some(AuthFailure::Expired(known()))
    } else if key.suspended {
        Some(AuthFailure::Suspended(known()))
    } else {
        None
    }
}

/// The decisions on a key that exists, from what the batch found: revoked, expired, suspended, or over
/// its rate limit (`admitted`: whether the admission statement counted the request; `window`, read only
/// for a refusal, the buckets it saw).
pub fn check_key(
    key: &KeyStatus,
    default_rate_limit: u32,
    admitted: bool,
    weight: i64,
    now: i64,
    window: impl FnOnce() -> Result<Vec<Bucket>, StoreError>,
) -> Result<(), AuthFailure> {
    if let Some(refusal) = unusable(key, now) {
        return Err(refusal);
    }
    let known = || KnownKey { id: key.id, prefix: key.prefix.clone(), connection_id: key.connection_id };
    // The same limit `store::rate_limit::admit` applied; 0 or less is unlimited. A live, limited key was
    // admitted exactly when the statement returned its bucket's count.
    let limit = key.rate_limit.unwrap_or(default_rate_limit as i64);
    if limit > 0 && !admitted && weight > limit {
        return Err(AuthFailure::OverLimitAtOnce { weight, limit, key: known() });
    }
    if limit > 0 && !admitted {
        let buckets = window().map_err(AuthFailure::Store)?;
        return Err(AuthFailure::RateLimited {
            retry_after_s: rate_limit::retry_after_s(&buckets, limit, weight, now),
            limit,
            key: known(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> KeyStatus {
        KeyStatus {
            id: 7,
            prefix: "omcp_ab".into(),
            connection_id: 1,
            revoked: false,
            expires_at: None,
            suspended: false,
            rate_limit: Some(5),
        }
    }

    fn no_window() -> Result<Vec<Bucket>, StoreError> {
        panic!("the window is read only for a refusal")
    }

    #[test]
    fn a_live_admitted_key_passes_without_reading_its_window() {
        assert_eq!(check_key(&key(), 60, true, 1, 1_000, no_window), Ok(()));
        // Unlimited (0 or less): never counted, never refused.
        let unlimited = KeyStatus { rate_limit: Some(0), ..key() };
        assert_eq!(check_key(&unlimited, 60, false, 100, 1_000, no_window), Ok(()));
        // No limit of its own nor the administrator's: the environment's applies.
        let default = KeyStatus { rate_limit: None, ..key() };
        assert!(matches!(
            check_key(&default, 3, false, 4, 1_000, no_window),
            Err(AuthFailure::OverLimitAtOnce { weight: 4, limit: 3, .. })
        ));
    }

    #[test]
    fn revoked_expired_and_suspended_keys_are_refused_in_that_order() {
        let known = KnownKey { id: 7, prefix: "omcp_ab".into(), connection_id: 1 };
        let all = KeyStatus { revoked: true, expires_at: Some(500), suspended: true, ..key() };
        assert_eq!(check_key(&all, 60, true, 1, 1_000, no_window), Err(AuthFailure::Revoked(known.clone())));
        let expired = KeyStatus { expires_at: Some(1_000), suspended: true, ..key() };
        assert_eq!(check_key(&expired, 60, true, 1, 1_000, no_window), Err(AuthFailure::Expired(known.clone())));
        let later = KeyStatus { expires_at: Some(1_001), ..key() };
        assert_eq!(check_key(&later, 60, true, 1, 1_000, no_window), Ok(()));
        let suspended = KeyStatus { suspended: true, ..key() };
        assert_eq!(check_key(&suspended, 60, true, 1, 1_000, no_window), Err(AuthFailure::Suspended(known)));
    }

    #[test]
    fn a_refused_request_is_told_when_it_would_fit() {
        let window = || Ok(vec![Bucket { second: 100, count: 3 }, Bucket { second: 130, count: 2 }]);
        match check_key(&key(), 60, false, 1, 150_400, window) {
            Err(AuthFailure::RateLimited { retry_after_s: 11, limit: 5, key }) => assert_eq!(key.id, 7),
            other => panic!("{other:?}"),
        }
        // A batch larger than the limit never fits: told so, without the window.
        assert!(matches!(
            check_key(&key(), 60, false, 6, 150_400, no_window),
            Err(AuthFailure::OverLimitAtOnce { weight: 6, limit: 5, .. })
        ));
        let broken = || Err(StoreError::Shape("column second is null".into()));
        assert!(matches!(check_key(&key(), 60, false, 1, 150_400, broken), Err(AuthFailure::Store(_))));
    }
}
