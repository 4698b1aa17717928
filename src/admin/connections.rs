//! Connections: version and transport detection, and the optional Odoo user the console browses with.
//! What a change of Odoo address does to the credentials held for the old one is `moves.rs`.

use super::body::{Secret, Text};
use super::{admin_audit, moves, ApiError, ApiResult};
use crate::crypto;
use crate::json;
use crate::odoo::users::VerifyError;
use crate::odoo::{self};
use crate::platform::Stmt;
use crate::services::Services;
use crate::store::{self, connections, connections::ConnectionRecord};
use serde::Deserialize;
use serde_json::Value;

/// `POST /admin/api/connections`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewConnection {
    name: Text<100>,
    url: Text<500>,
    database: Text<200>,
    #[serde(default)]
    odoo_login: Option<Text<200>>,
    #[serde(default)]
    odoo_api_key: Option<Secret<500>>,
}

/// `PUT /admin/api/connections/{id}`: what is absent (or null) stays as it is.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConnectionChange {
    #[serde(default)]
    name: Option<Text<100>>,
    #[serde(default)]
    url: Option<Text<500>>,
    #[serde(default)]
    database: Option<Text<200>>,
    #[serde(default)]
    odoo_login: Option<Text<200>>,
    #[serde(default)]
    odoo_api_key: Option<Secret<500>>,
}

async fn detect(svc: &Services<'_>, url: &str) -> Result<(String, odoo::Detected), ApiError> {
    let url = odoo::url::normalize(url, svc.settings.dev_allow_loopback)
        .map_err(|e| ApiError::bad_request(format!("url: {}", e.0)))?;
    let detected = odoo::detect(svc.http, &url, svc.settings.odoo_timeout_ms).await.map_err(|e| {
        ApiError::new(502, "odoo_unreachable", format!("could not detect the Odoo version at {url}: {}", e.message))
    })?;
    Ok((url, detected))
}

/// Checks an Odoo login and API key against a connection and returns the user's uid
/// (`odoo::users::verify`), as the admin API's error.
pub async fn verify_user(
    svc: &Services<'_>,
    conn: &odoo::Connection,
    login: &str,
    api_key: &str,
) -> Result<i64, ApiError> {
    odoo::users::verify(svc.http, conn, login, api_key, svc.settings.odoo_timeout_ms).await.map_err(|e| match e {
        VerifyError::Rejected => ApiError::new(
            400,
            "odoo_rejected_credentials",
            format!("Odoo rejected the login or API key of '{login}' (is the API key valid and not expired?)"),
        ),
        VerifyError::OtherLogin(actual) => {
            ApiError::bad_request(format!("this Odoo API key belongs to '{actual}', not to '{login}'"))
        }
        VerifyError::Unreachable(message) => {
            ApiError::new(502, "odoo_unreachable", format!("could not verify the credentials with Odoo: {message}"))
        }
    })
}

/// The optional `odoo_login` + `odoo_api_key` pair of a connection body.
fn browse_pair<'a>(
    login: &'a Option<Text<200>>,
    key: &'a Option<Secret<500>>,
) -> Result<Option<(&'a str, &'a str)>, ApiError> {
    match (login, key) {
        (Some(l), Some(k)) => Ok(Some((l.as_str(), k.expose()))),
        (None, None) => Ok(None),
        _ => Err(ApiError::bad_request(
            "'odoo_login' and 'odoo_api_key' go together (the Odoo user the console lists models with)",
        )),
    }
}

/// Refuses a name another connection has, ignoring case.
async fn ensure_name_free(svc: &Services<'_>, name: &str, except: Option<i64>) -> Result<(), ApiError> {
    if connections::name_taken(svc.db, name, except).await? {
        return Err(name_conflict());
    }
    Ok(())
}

fn name_conflict() -> ApiError {
    ApiError::new(409, "conflict", "another connection already has this name (names are compared ignoring case)")
}

/// Verifies and encrypts browsing credentials against `conn`, returning the encrypted API key.
async fn checked_browse_key(
    svc: &Services<'_>,
    conn: &odoo::Connection,
    login: &str,
    api_key: &str,
) -> Result<String, ApiError> {
    let cred_key = svc
        .settings
        .credentials_key
        .as_ref()
        .ok_or_else(|| ApiError::new(503, "not_configured", crypto::CryptoError::NotConfigured.to_string()))?;
    verify_user(svc, conn, login, api_key).await?;
    crypto::encrypt(cred_key, api_key).map_err(|e| ApiError::new(500, "encryption_failed", e.to_string()))
}

pub async fn create(svc: &Services<'_>, b: NewConnection, after: &mut Vec<Stmt>) -> ApiResult {
    let browse = browse_pair(&b.odoo_login, &b.odoo_api_key)?;
    ensure_name_free(svc, b.name.as_str(), None).await?;
    let (url, detected) = detect(svc, b.url.as_str()).await?;
    // The browsing user is checked before anything is stored: nothing half-made.
    let browse_enc = match browse {
        Some((login, key)) => {
            let conn = odoo::Connection {
                url: url.clone(),
                database: b.database.as_str().to_string(),
                major: detected.major,
                minor: detected.minor,
                transport: detected.transport,
            };
            Some((login, checked_browse_key(svc, &conn, login, key).await?))
        }
        None => None,
    };
    let mut c = connections::insert(svc.db, b.name.as_str(), &url, b.database.as_str(), &detected, svc.now)
        .await?
        .ok_or_else(name_conflict)?;
    if let Some((login, enc)) = browse_enc {
        let stored = store::query(svc.db, connections::set_browse_credentials(c.id, login, &enc, svc.now)).await;
        if let Err(e) = stored {
            connections::remove_new(svc.db, c.id).await?;
            return Err(e.into());
        }
        c.browse_login = Some(login.to_string());
    }
    after.push(admin_audit(
        "connection.create",
        Some(c.id),
        &format!("{} {} {}", c.url, c.odoo_version, c.transport.as_str()),
        svc.now,
    ));
    Ok((201, json!(c)))
}

pub async fn update(svc: &Services<'_>, id: i64, b: ConnectionChange, after: &mut Vec<Stmt>) -> ApiResult {
    let (c, moved) = update_record(svc, id, b, true, after).await?;
    let mut out = json!(c);
    if let Some(m) = moved {
        out["moved"] = m;
    }
    Ok((200, out))
}

/// Re-detects and stores a connection with the changes of `b`. When its Odoo origin changes, the
/// returned report says what `moves` did to the credentials held for the old one.
/// `audited`: whether the change is audited as `connection.update` (a test is audited as a test instead).
async fn update_record(
    svc: &Services<'_>,
    id: i64,
    b: ConnectionChange,
    audited: bool,
    after: &mut Vec<Stmt>,
) -> Result<(ConnectionRecord, Option<Value>), ApiError> {
    let current = connections::get(svc.db, id).await?.ok_or_else(|| ApiError::not_found("connection"))?;
    let browse = browse_pair(&b.odoo_login, &b.odoo_api_key)?;
    let name = b.name.map_or_else(|| current.name.clone(), Text::into_string);
    if crate::platform::lowercase(&name) != crate::platform::lowercase(&current.name) {
        ensure_name_free(svc, &name, Some(id)).await?;
    }
    let database = b.database.map_or_else(|| current.database.clone(), Text::into_string);
    let requested_url = b.url.map_or_else(|| current.url.clone(), Text::into_string);
    let (url, detected) = detect(svc, &requested_url).await?;
    let probe = ConnectionRecord {
        url: url.clone(),
        database: database.clone(),
        odoo_major: detected.major,
        odoo_minor: detected.minor,
        transport: detected.transport,
        ..current.clone()
    };
    // New browsing credentials are checked against the new address: the administrator gave them for it.
    let browse_enc = match browse {
        Some((login, key)) => Some((login, checked_browse_key(svc, &probe.odoo(), login, key).await?)),
        None => None,
    };
    let moved = moves::Move::between(&current.url, &url);
    let mut stmts = vec![connections::update_stmt(id, &name, &url, &database, &detected, svc.now)];
    if let Some((login, enc)) = &browse_enc {
        stmts.push(connections::set_browse_credentials(id, login, enc, svc.now));
    }
    // The URL and what its move implies change together, in one batch: no request can see the new
    // address with the old credentials still in force.
    let move_at = stmts.len();
    if let Some(m) = &moved {
        stmts.extend(m.statements(id, browse_enc.is_some(), svc.now));
    }
    let results = svc.db.batch(stmts).await.map_err(store::StoreError::from)?;
    let mut c = results
        .first()
        .and_then(|rows| rows.first())
        .map(ConnectionRecord::from_row)
        .transpose()?
        .ok_or_else(|| ApiError::not_found("connection"))?;
    c.browse_login = match (&browse_enc, &moved) {
        (Some((login, _)), _) => Some(login.to_string()),
        (None, Some(_)) => None,
        (None, None) => current.browse_login.clone(),
    };
    // A new version or URL may change every model's fields.
    if (c.url.as_str(), c.database.as_str(), c.odoo_major, c.odoo_minor)
        != (current.url.as_str(), current.database.as_str(), current.odoo_major, current.odoo_minor)
    {
        after.push(store::schema_cache::clear(id));
    }
    if audited {
        after.push(admin_audit(
            "connection.update",
            Some(id),
            &format!("{} {} {}", c.url, c.odoo_version, c.transport.as_str()),
            svc.now,
        ));
    }
    let report =
        moved.map(|m| m.report(id, results.get(move_at..).unwrap_or_default(), browse_enc.is_some(), svc.now, after));
    Ok((c, report))
}

/// `DELETE …/schema-cache`: forgets every model schema cached for the connection, in D1 and in this
/// isolate (other isolates re-check D1 on their next request for a model). For when the Odoo database
/// gained or lost fields, e.g. after a module install.
pub async fn clear_schema_cache(svc: &Services<'_>, id: i64, after: &mut Vec<Stmt>) -> ApiResult {
    connections::get(svc.db, id).await?.ok_or_else(|| ApiError::not_found("connection"))?;
    let cleared = store::schema_cache::clear_now(svc.db, id).await?;
    after.push(admin_audit("connection.schema_cache_clear", Some(id), &format!("{cleared} cached schemas"), svc.now));
    Ok((200, json!({"connection_id": id, "cleared": cleared})))
}

/// Re-detects the version and transport (stored if they changed) and checks the browsing credentials.
pub async fn test(svc: &Services<'_>, id: i64, after: &mut Vec<Stmt>) -> ApiResult {
    let (c, _) = update_record(svc, id, ConnectionChange::default(), false, after).await?;
    let credentials = match connections::browse_credentials(svc.db, id).await? {
        None => {
            json!({"status": "not_set", "message": "no Odoo user set for browsing models; add odoo_login and odoo_api_key"})
        }
        Some((login, enc)) => match browse_client_key(svc, &enc) {
            Err(e) => json!({"status": "error", "message": e.message}),
            Ok(key) => match verify_user(svc, &c.odoo(), &login, &key).await {
                Ok(uid) => json!({"status": "ok", "login": login, "uid": uid}),
                Err(e) => json!({"status": "rejected", "login": login, "message": e.message}),
            },
        },
    };
    let status = credentials["status"].as_str().unwrap_or_default();
    let detail = format!("{} {} {}; browsing user {status}", c.url, c.odoo_version, c.transport.as_str());
    after.push(admin_audit("connection.test", Some(id), &detail, svc.now));
    let mut out = json!(c);
    out["reachable"] = json!(true);
    out["credentials"] = credentials;
    Ok((200, out))
}

pub fn browse_client_key(svc: &Services<'_>, enc: &str) -> Result<String, ApiError> {
    let key = svc
        .settings
        .credentials_key
        .as_ref()
        .ok_or_else(|| ApiError::new(503, "not_configured", crypto::CryptoError::NotConfigured.to_string()))?;
    crypto::decrypt(key, enc).map_err(|e| ApiError::new(503, "credentials_unreadable", e.to_string()))
}
