//! `GET`/`PUT /admin/api/settings`: the default rate limit, audit retention and allowed browser Origins
//! an administrator sets at run time, over the environment's values (`null` returns to them). An Origin
//! is stored only as `http::origin::parse_origin` reads it: what a browser would send.

use super::body::{BodyError, Patch};
use super::{admin_audit, ApiResult};
use crate::http::origin::parse_origin;
use crate::json;
use crate::platform::Stmt;
use crate::services::Services;
use crate::store::settings::{self, ALLOWED_ORIGINS, AUDIT_RETENTION_DAYS, DEFAULT_RATE_LIMIT};
use serde::Deserialize;

const MAX_ORIGINS: usize = 50;

pub async fn get(svc: &Services<'_>) -> ApiResult {
    let o = settings::load(svc.db).await?;
    let env = svc.settings;
    Ok((
        200,
        json!({
            "default_rate_limit": o.default_rate_limit.unwrap_or(env.default_rate_limit as i64),
            "audit_retention_days": o.audit_retention_days.unwrap_or(env.audit_retention_days),
            "allowed_origins": o.allowed_origins.clone().unwrap_or_default(),
            "overrides": o,
            "environment": {
                "default_rate_limit": env.default_rate_limit,
                "audit_retention_days": env.audit_retention_days,
                "allowed_origins": env.allowed_origins,
            },
        }),
    ))
}

/// `PUT /admin/api/settings`: each field absent (unchanged), `null` (the environment's value) or a value.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsBody {
    #[serde(default)]
    default_rate_limit: Patch<i64>,
    #[serde(default)]
    audit_retention_days: Patch<i64>,
    #[serde(default)]
    allowed_origins: Patch<Vec<String>>,
}

pub async fn put(svc: &Services<'_>, b: SettingsBody, after: &mut Vec<Stmt>) -> ApiResult {
    let mut stmts = Vec::new();
    let mut changed = Vec::new();
    for (name, value, min, max, what) in [
        (DEFAULT_RATE_LIMIT, &b.default_rate_limit, 1, 100_000, "requests per minute"),
        (AUDIT_RETENTION_DAYS, &b.audit_retention_days, 1, 3650, "days"),
    ] {
        match value {
            Patch::Absent => {}
            Patch::Null => {
                stmts.push(settings::set(name, None, svc.now));
                changed.push(format!("{name}=environment"));
            }
            Patch::Set(n) if (min..=max).contains(n) => {
                stmts.push(settings::set(name, Some(n.to_string()), svc.now));
                changed.push(format!("{name}={n}"));
            }
            Patch::Set(_) => return Err(BodyError::invalid(name, format!("must be {what}, {min} to {max}")).into()),
        }
    }
    match &b.allowed_origins {
        Patch::Absent => {}
        Patch::Null => {
            stmts.push(settings::set(ALLOWED_ORIGINS, None, svc.now));
            changed.push(format!("{ALLOWED_ORIGINS}=none"));
        }
        Patch::Set(items) if items.len() > MAX_ORIGINS => {
            return Err(BodyError::invalid(ALLOWED_ORIGINS, format!("must list at most {MAX_ORIGINS} origins")).into())
        }
        Patch::Set(items) => {
            let mut origins = Vec::new();
            for (i, item) in items.iter().enumerate() {
                let o = parse_origin(item).map_err(|why| {
                    BodyError::invalid(
                        format!("{ALLOWED_ORIGINS}[{i}]"),
                        format!("is not an origin like https://app.example.com: it {why}"),
                    )
                })?;
                if !origins.contains(&o) {
                    origins.push(o);
                }
            }
            changed.push(format!("{ALLOWED_ORIGINS}={}", origins.join(" ")));
            stmts.push(settings::set(ALLOWED_ORIGINS, Some(json!(origins).to_string()), svc.now));
        }
    }
    if !stmts.is_empty() {
        svc.db.batch(stmts).await.map_err(crate::store::StoreError::from)?;
        after.push(admin_audit("settings.update", None, crate::text::truncate(&changed.join(", "), 900), svc.now));
    }
    get(svc).await
}
