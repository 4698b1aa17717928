//! `GET`/`PUT /admin/api/settings`: the default rate limit, audit retention and allowed browser Origins
//! an administrator sets at run time, over the environment's values (`null` returns to them).

use super::{admin_audit, ApiError, ApiResult};
use crate::platform::Stmt;
use crate::store::settings::{self, ALLOWED_ORIGINS, AUDIT_RETENTION_DAYS, DEFAULT_RATE_LIMIT};
use crate::Services;
use serde_json::{json, Map, Value};

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

pub async fn put(svc: &Services<'_>, b: &Map<String, Value>, after: &mut Vec<Stmt>) -> ApiResult {
    if let Some(k) =
        b.keys().find(|k| ![DEFAULT_RATE_LIMIT, AUDIT_RETENTION_DAYS, ALLOWED_ORIGINS].contains(&k.as_str()))
    {
        return Err(ApiError::bad_request(format!("unknown setting '{}'", crate::store::truncate(k, 60))));
    }
    let mut stmts = Vec::new();
    let mut changed = Vec::new();
    for (name, min, max, what) in
        [(DEFAULT_RATE_LIMIT, 1, 100_000, "requests per minute"), (AUDIT_RETENTION_DAYS, 1, 3650, "days")]
    {
        match b.get(name) {
            None => {}
            Some(Value::Null) => {
                stmts.push(settings::set(name, None, svc.now));
                changed.push(format!("{name}=environment"));
            }
            Some(v) => {
                let n = v
                    .as_i64()
                    .filter(|n| (min..=max).contains(n))
                    .ok_or_else(|| ApiError::bad_request(format!("'{name}' must be {what}, {min} to {max}")))?;
                stmts.push(settings::set(name, Some(n.to_string()), svc.now));
                changed.push(format!("{name}={n}"));
            }
        }
    }
    match b.get(ALLOWED_ORIGINS) {
        None => {}
        Some(Value::Null) => {
            stmts.push(settings::set(ALLOWED_ORIGINS, None, svc.now));
            changed.push(format!("{ALLOWED_ORIGINS}=none"));
        }
        Some(Value::Array(items)) if items.len() <= MAX_ORIGINS => {
            let mut origins = Vec::new();
            for item in items {
                let o = item
                    .as_str()
                    .map(normalise_origin)
                    .ok_or_else(|| ApiError::bad_request("'allowed_origins' must be a list of strings"))??;
                if !origins.contains(&o) {
                    origins.push(o);
                }
            }
            changed.push(format!("{ALLOWED_ORIGINS}={}", origins.join(" ")));
            stmts.push(settings::set(ALLOWED_ORIGINS, Some(json!(origins).to_string()), svc.now));
        }
        Some(_) => {
            return Err(ApiError::bad_request(format!(
                "'allowed_origins' must be a list of at most {MAX_ORIGINS} origins, or null"
            )))
        }
    }
    if !stmts.is_empty() {
        svc.db.batch(stmts).await.map_err(crate::store::StoreError::from)?;
        after.push(admin_audit("settings.update", None, crate::store::truncate(&changed.join(", "), 900), svc.now));
    }
    get(svc).await
}

/// `https://app.example.com[:port]` (or `http://` for loopback), lower-case, no path.
fn normalise_origin(s: &str) -> Result<String, ApiError> {
    let o = s.trim().trim_end_matches('/').to_ascii_lowercase();
    let bad = || {
        ApiError::bad_request(format!(
            "'{}' is not an origin like https://app.example.com",
            crate::store::truncate(s, 80)
        ))
    };
    let rest = o.strip_prefix("https://").or_else(|| o.strip_prefix("http://")).ok_or_else(bad)?;
    if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ', '*']) {
        return Err(bad());
    }
    Ok(o)
}
