//! A key's Odoo context in the admin API: the companies it may use (the default first), its language
//! and time zone, given when the key is issued or changed with `PUT /admin/api/keys/{id}/context`, and
//! checked against Odoo as the key's own user before they are kept: the companies must be the user's
//! (`res.users.company_ids`), the language installed (`res.lang`: Odoo 16 and 17 would silently ignore
//! one that is not, 18 and 19 refuse every call), the time zone a tz database name.

use super::body::{BodyError, Text};
use super::{admin_audit, ApiError, ApiResult};
use crate::crypto;
use crate::json;
use crate::odoo::context::{self, OdooContext};
use crate::odoo::{Connection, OdooClient};
use crate::platform::Stmt;
use crate::services::Services;
use crate::store::{self, connections};
use serde::Deserialize;
use std::cell::Cell;

/// What a body may say of a key's context (absent members: the Odoo user's own).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContextBody {
    /// The companies the key may use, its default first.
    #[serde(default)]
    pub companies: Option<Vec<i64>>,
    #[serde(default)]
    pub lang: Option<Text<20>>,
    #[serde(default)]
    pub tz: Option<Text<64>>,
}

/// The context a body asks for, checked against Odoo as the user `login` (uid `uid`, API key `api_key`).
pub async fn checked(
    svc: &Services<'_>,
    conn: &Connection,
    login: &str,
    api_key: &str,
    uid: i64,
    b: &ContextBody,
) -> Result<OdooContext, ApiError> {
    let mut companies = b.companies.clone().unwrap_or_default();
    if b.companies.is_some() && companies.is_empty() {
        return Err(BodyError::invalid(
            "companies",
            "must name at least one company (or leave it out for the user's own)",
        )
        .into());
    }
    let mut seen = Vec::new();
    companies.retain(|c| {
        !seen.contains(c) && {
            seen.push(*c);
            true
        }
    });
    let lang = b.lang.as_ref().map(|l| l.as_str().to_string());
    let tz = b.tz.as_ref().map(|t| t.as_str().to_string());
    if let Some(tz) = tz.as_deref().filter(|tz| !context::is_tz_name(tz)) {
        return Err(BodyError::invalid("tz", format!("'{tz}' is not a time zone name such as Europe/Brussels")).into());
    }
    let wanted = OdooContext { companies, lang, tz };
    if wanted.companies.is_empty() && wanted.lang.is_none() {
        return Ok(wanted);
    }
    let uid_cell = Cell::new(Some(uid));
    let client = OdooClient::new(svc.http, conn, login, api_key, &uid_cell, svc.settings.odoo_timeout_ms);
    let unreachable = |e: crate::odoo::OdooError| {
        ApiError::new(
            502,
            "odoo_unreachable",
            format!("could not check the key's context with Odoo: {}", e.user_message()),
        )
    };
    if !wanted.companies.is_empty() {
        let user = context::user_settings(&client, uid).await.map_err(unreachable)?;
        if let Some(c) = wanted.companies.iter().find(|c| !user.companies.contains(c)) {
            let own: Vec<String> = user.companies.iter().map(i64::to_string).collect();
            return Err(BodyError::invalid(
                "companies",
                format!("company {c} is not one of the Odoo user's companies ({})", own.join(", ")),
            )
            .into());
        }
    }
    if let Some(lang) = &wanted.lang {
        let installed = context::installed_languages(&client).await.map_err(unreachable)?;
        if !installed.contains(lang) {
            return Err(BodyError::invalid(
                "lang",
                format!("'{lang}' is not installed in this Odoo (installed: {})", installed.join(", ")),
            )
            .into());
        }
    }
    Ok(wanted)
}

/// `PUT /admin/api/keys/{id}/context`: the key's new context, checked as its own Odoo user.
pub async fn set(svc: &Services<'_>, id: i64, b: ContextBody, after: &mut Vec<Stmt>) -> ApiResult {
    let (connection_id, login, enc, uid) =
        store::keys::odoo_user(svc.db, id).await?.ok_or_else(|| ApiError::not_found("key"))?;
    let conn = connections::get(svc.db, connection_id).await?.ok_or_else(|| ApiError::not_found("connection"))?;
    let cred_key = svc
        .settings
        .credentials_key
        .as_ref()
        .ok_or_else(|| ApiError::new(503, "not_configured", crypto::CryptoError::NotConfigured.to_string()))?;
    let api_key =
        crypto::decrypt(cred_key, &enc).map_err(|e| ApiError::new(500, "decryption_failed", e.to_string()))?;
    let uid = match uid {
        Some(uid) => uid,
        None => super::connections::verify_user(svc, &conn.odoo(), &login, &api_key).await?,
    };
    let wanted = checked(svc, &conn.odoo(), &login, &api_key, uid, &b).await?;
    let key =
        store::keys::set_context(svc.db, id, &wanted, svc.now).await?.ok_or_else(|| ApiError::not_found("key"))?;
    after.push(admin_audit(
        "key.context",
        Some(connection_id),
        &format!("key {} ({}): {}", key.id, key.prefix, describe(&wanted)),
        svc.now,
    ));
    Ok((200, json!(key)))
}

/// The context in a few words, for the audit row.
pub fn describe(c: &OdooContext) -> String {
    let companies = match c.companies.as_slice() {
        [] => "the user's companies".to_string(),
        ids => format!("companies {}", ids.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")),
    };
    format!(
        "{companies}, language {}, time zone {}",
        c.lang.as_deref().unwrap_or("the user's"),
        c.tz.as_deref().unwrap_or("the user's")
    )
}
