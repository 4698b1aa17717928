//! Authenticates an `/mcp` request in **one D1 round trip**: the key with its connection, the
//! connection's model permissions, the rate limit's decision (`policy::rate_limit`), the client
//! address's failed-authentication throttle (`policy::failures`) and the session touch go in one batch.
//! A key whose connection moved to another Odoo is refused until confirmed (its `key_suspensions` row is
//! read in the key's own statement).

use crate::access::Scope;
use crate::odoo::{Connection, Transport};
use crate::platform::{Db, Stmt};
use crate::policy::failures;
use crate::policy::keys;
use crate::policy::permissions::Permissions;
use crate::policy::rate_limit;
use crate::store::connections::permission_from_row;
use crate::store::schema_cache::{self, CachedFetch};
use crate::store::{get_i64, get_opt_i64, get_opt_str, get_str, text, StoreError};

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
    pub session: Option<SessionState>,
    /// Set when this request is the key's first use (an audit event).
    pub first_use: bool,
    /// The shared schema cache's row for the model the request names, read in the same batch.
    pub schema_probe: Option<SchemaProbe>,
}

/// What the authentication batch found in the shared schema cache for one model.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaProbe {
    pub model: String,
    /// `None`: no row for this connection, version and user.
    pub row: Option<CachedFetch>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SessionState {
    pub id: String,
    pub protocol_version: String,
    pub ended: bool,
    pub log_level: Option<String>,
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
                "Missing bearer key: send 'Authorization: Bearer <key>'.".into()
            }
            AuthFailure::UnknownKey => "Unknown key.".into(),
            AuthFailure::Revoked(_) => {
                "This key has been revoked. Ask your Odoo MCP administrator for a new one.".into()
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

/// Where each statement's rows are in the batch's results (the session touch only with a session id).
const ADMIT_AT: usize = 2;
const WINDOW_AT: usize = 3;
const BLOCKED_AT: usize = 4;
const SESSION_AT: usize = 6;

/// Looks up the presented key, counts the request's `weight` (the requests it carries: one per message of
/// a batch) against its rate limit, when a session id is given touches that session (only if it belongs
/// to this key and has not expired), and when the request names a model reads its shared schema cache
/// row (without the JSON if this isolate holds that very fetch). The client's address (`client`,
/// `policy::failures::client_of`) is refused first when it used up its failed authentications, and
/// is counted a failure when the key is not live, in the same batch.
#[allow(clippy::too_many_arguments)]
pub async fn authenticate(
    db: &dyn Db,
    client: &failures::Client,
    presented_key: Option<&str>,
    session_id: Option<&str>,
    default_rate_limit: u32,
    schema_model: Option<&str>,
    weight: i64,
    now: i64,
) -> Result<AuthContext, AuthFailure> {
    let presented = presented_key.ok_or(AuthFailure::MissingKey)?;
    let key_hash = keys::hash(presented);
    let mut stmts = vec![
        Stmt::new(
            concat!(
                "SELECT k.id, k.prefix, k.connection_id, k.odoo_login, k.odoo_key_enc, k.odoo_uid, k.scope, \
                 COALESCE(k.rate_limit, ",
                crate::rate_limit_sql!(),
                ") AS rate_limit, k.expires_at, k.revoked_at, k.last_used_at, c.url, c.database, c.odoo_major, c.odoo_minor, c.transport, \
                 s.suspended_at FROM keys k JOIN connections c ON c.id = k.connection_id \
                 LEFT JOIN key_suspensions s ON s.key_id = k.id WHERE k.key_hash = ?1"
            ),
            vec![text(&key_hash)],
        ),
        Stmt::new(
            concat!(
                "SELECT ",
                crate::permission_columns!(),
                " FROM model_permissions p JOIN keys k ON k.connection_id = p.connection_id \
                 LEFT JOIN field_policies f ON f.connection_id = p.connection_id AND f.model = p.model WHERE k.key_hash = ?1"
            ),
            vec![text(&key_hash)],
        ),
        // Only live keys get a bucket row, so unknown keys cannot fill the table.
        rate_limit::admit(&key_hash, default_rate_limit as i64, now, weight, client),
        rate_limit::window(&key_hash, now),
        // Read before the count below, so a throttled address is refused whatever its key.
        failures::blocked(client, now),
        failures::count(client, now, Some(&key_hash)),
    ];
    if let Some(sid) = session_id {
        stmts.push(crate::store::sessions::touch(sid, &key_hash, now));
    }
    let probe_at = schema_model.map(|model| {
        let held = crate::odoo::schema::held(&schema_memory_key(&key_hash, model)).map(|h| h.fetched_at);
        stmts.push(schema_cache::probe(&key_hash, model, held));
        stmts.len() - 1
    });
    let results = db.batch(stmts).await.map_err(|e| AuthFailure::Store(e.into()))?;
    let shape = |e: StoreError| AuthFailure::Store(e);
    if results.get(BLOCKED_AT).is_some_and(|rows| !rows.is_empty()) {
        return Err(AuthFailure::Throttled { retry_after_s: failures::retry_after_s(now) });
    }
    let key_row = results.first().and_then(|r| r.first()).ok_or(AuthFailure::UnknownKey)?;
    let known = || -> Result<KnownKey, AuthFailure> {
        Ok(KnownKey {
            id: get_i64(key_row, "id").map_err(shape)?,
            prefix: get_str(key_row, "prefix").map_err(shape)?,
            connection_id: get_i64(key_row, "connection_id").map_err(shape)?,
        })
    };
    if get_opt_i64(key_row, "revoked_at").map_err(shape)?.is_some() {
        return Err(AuthFailure::Revoked(known()?));
    }
    if get_opt_i64(key_row, "expires_at").map_err(shape)?.is_some_and(|t| t <= now) {
        return Err(AuthFailure::Expired(known()?));
    }
    if get_opt_i64(key_row, "suspended_at").map_err(shape)?.is_some() {
        return Err(AuthFailure::Suspended(known()?));
    }
    // The same limit `rate_limit::admit` applied; 0 or less is unlimited. A live, limited key was
    // admitted exactly when the statement returned its bucket's count.
    let limit = get_opt_i64(key_row, "rate_limit").map_err(shape)?.unwrap_or(default_rate_limit as i64);
    let admitted = results.get(ADMIT_AT).is_some_and(|rows| !rows.is_empty());
    if limit > 0 && !admitted && weight > limit {
        return Err(AuthFailure::OverLimitAtOnce { weight, limit, key: known()? });
    }
    if limit > 0 && !admitted {
        let buckets = results
            .get(WINDOW_AT)
            .map(|rows| rows.iter().map(rate_limit::bucket_from_row).collect::<Result<Vec<_>, _>>())
            .transpose()
            .map_err(shape)?
            .unwrap_or_default();
        return Err(AuthFailure::RateLimited {
            retry_after_s: rate_limit::retry_after_s(&buckets, limit, weight, now),
            limit,
            key: known()?,
        });
    }

    let scope: Scope = match get_opt_str(key_row, "scope").map_err(shape)? {
        Some(s) => serde_json::from_str(&s)
            .map_err(|_| AuthFailure::Store(StoreError::Shape("key scope is not valid JSON".into())))?,
        None => Scope::default(),
    };
    let models = results
        .get(1)
        .map(|rows| rows.iter().map(permission_from_row).collect::<Result<_, _>>())
        .transpose()
        .map_err(shape)?
        .unwrap_or_default();
    let session = match results.get(SESSION_AT).filter(|_| session_id.is_some()) {
        Some(rows) => rows
            .first()
            .map(|r| -> Result<SessionState, StoreError> {
                Ok(SessionState {
                    id: get_str(r, "id")?,
                    protocol_version: get_str(r, "protocol_version")?,
                    ended: get_opt_i64(r, "ended_at")?.is_some(),
                    log_level: get_opt_str(r, "log_level")?,
                })
            })
            .transpose()
            .map_err(shape)?,
        None => None,
    };
    let transport = Transport::parse(&get_str(key_row, "transport").map_err(shape)?)
        .ok_or_else(|| AuthFailure::Store(StoreError::Shape("unknown transport".into())))?;
    Ok(AuthContext {
        key_id: get_i64(key_row, "id").map_err(shape)?,
        key_hash,
        key_prefix: get_str(key_row, "prefix").map_err(shape)?,
        connection_id: get_i64(key_row, "connection_id").map_err(shape)?,
        connection: Connection {
            url: get_str(key_row, "url").map_err(shape)?,
            database: get_str(key_row, "database").map_err(shape)?,
            major: get_i64(key_row, "odoo_major").map_err(shape)?,
            minor: get_i64(key_row, "odoo_minor").map_err(shape)?,
            transport,
        },
        odoo_login: get_str(key_row, "odoo_login").map_err(shape)?,
        odoo_key_enc: get_str(key_row, "odoo_key_enc").map_err(shape)?,
        odoo_uid: get_opt_i64(key_row, "odoo_uid").map_err(shape)?,
        permissions: Permissions { models, scope },
        session,
        first_use: get_opt_i64(key_row, "last_used_at").map_err(shape)?.is_none(),
        schema_probe: match (schema_model, probe_at) {
            (Some(model), Some(i)) => Some(SchemaProbe {
                model: model.to_string(),
                row: results
                    .get(i)
                    .and_then(|rows| rows.first())
                    .map(schema_cache::from_row)
                    .transpose()
                    .map_err(shape)?,
            }),
            _ => None,
        },
    })
}

/// Where this isolate holds a key's copy of a model's schema.
pub fn schema_memory_key(key_hash: &str, model: &str) -> String {
    format!("{key_hash}|{model}")
}
