//! Deployment settings, read once per request from the Worker's environment (secrets and vars).

/// Everything the core needs to know about the deployment.
#[derive(Clone, Default)]
pub struct Settings {
    /// Guards the admin API. `None` disables it.
    pub admin_token: Option<String>,
    /// 32 raw bytes for AES-256-GCM (the `CREDENTIALS_KEY` secret, base64). `None` = not configured.
    pub credentials_key: Option<[u8; 32]>,
    /// Dev only: allow loopback Origins and `http://` Odoo URLs on loopback hosts.
    pub dev_allow_loopback: bool,
    /// Browser Origins allowed to call `/mcp` (exact `scheme://host[:port]`).
    pub allowed_origins: Vec<String>,
    /// Requests per key per minute unless the key sets its own.
    pub default_rate_limit: u32,
    /// Per Odoo call.
    pub odoo_timeout_ms: u64,
    /// Audit rows older than this are deleted by the daily cron.
    pub audit_retention_days: i64,
    /// Items per page of `tools/list`, `prompts/list`, `resources/list` and `resources/templates/list`.
    pub list_page_size: usize,
    /// Cap on one read tool's answer, in bytes of JSON (`tools/budget.rs`); at least `MIN_RESPONSE_BYTES`.
    pub max_response_bytes: usize,
    /// Outbound calls (Odoo fetches and D1 queries) one request may make: the Workers plan's subrequest
    /// limit (50 on Free, up to 10 000 on Paid). A batch that could exceed it is refused up front.
    pub subrequest_budget: u32,
    /// How long a batch may keep starting operations, in ms: past it the rest are reported as not
    /// attempted, so that hanging operations cannot hold a request (and the client waiting on it) for long.
    pub batch_time_limit_ms: u64,
    /// Failed authentications a client network may make per minute before it gets 429 (`policy::failures`).
    pub auth_failures_per_minute: u32,
    /// How often an open list watch (a session's GET stream, a 2026-07-28 `subscriptions/listen`) looks
    /// whether the key's lists changed, in ms (`transport::listen`).
    pub list_watch_ms: u64,
    /// The largest attachment read (`odoo://{model}/{id}/attachments/{attachment_id}`) or added
    /// (`odoo_attach`), in bytes of the file itself (not of its base64).
    pub max_attachment_bytes: usize,
}

impl std::fmt::Debug for Settings {
    // Secrets stay out of every log line, even debug ones.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("admin_token", &self.admin_token.as_ref().map(|_| "<set>"))
            .field("credentials_key", &self.credentials_key.as_ref().map(|_| "<set>"))
            .field("dev_allow_loopback", &self.dev_allow_loopback)
            .field("allowed_origins", &self.allowed_origins)
            .field("default_rate_limit", &self.default_rate_limit)
            .field("odoo_timeout_ms", &self.odoo_timeout_ms)
            .field("audit_retention_days", &self.audit_retention_days)
            .field("list_page_size", &self.list_page_size)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("max_attachment_bytes", &self.max_attachment_bytes)
            .field("subrequest_budget", &self.subrequest_budget)
            .field("batch_time_limit_ms", &self.batch_time_limit_ms)
            .field("list_watch_ms", &self.list_watch_ms)
            .field("auth_failures_per_minute", &self.auth_failures_per_minute)
            .finish()
    }
}

pub const DEFAULT_RATE_LIMIT: u32 = 120;
pub const DEFAULT_ODOO_TIMEOUT_MS: u64 = 15_000;
pub const DEFAULT_LIST_PAGE_SIZE: usize = 50;
/// The Workers Free plan's limit, safe everywhere.
pub const DEFAULT_SUBREQUEST_BUDGET: u32 = 50;
/// Well within the 60 s many MCP clients wait for an answer, leaving room for the operation under way.
pub const DEFAULT_BATCH_TIME_LIMIT_MS: u64 = 30_000;
/// Half a minute: a change reaches clients soon enough, and a stream costs two D1 reads a minute.
pub const DEFAULT_LIST_WATCH_MS: u64 = 30_000;
/// About 12k tokens: a read leaves most of a model's context free.
pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 48_000;
/// Days of audit kept when `AUDIT_RETENTION_DAYS` is not set.
pub const DEFAULT_AUDIT_RETENTION_DAYS: i64 = 90;
/// Failed authentications counted per client address in a clock minute.
pub const DEFAULT_AUTH_FAILURES_PER_MINUTE: u32 = 30;
/// Below this an answer could not hold one ordinary record and its notice.
pub const MIN_RESPONSE_BYTES: usize = 1_000;
/// 10 MiB: a scanned invoice or a contract fits, a video does not.
pub const DEFAULT_MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;

impl Settings {
    /// Builds settings from raw environment strings; `get` returns a var or secret by name.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Settings {
        let nonempty = |name: &str| get(name).map(|v| v.trim().to_string()).filter(|v| !v.is_empty());
        Settings {
            admin_token: nonempty("ADMIN_TOKEN"),
            credentials_key: nonempty("CREDENTIALS_KEY").and_then(|v| crate::crypto::parse_key(&v).ok()),
            dev_allow_loopback: nonempty("DEV_ALLOW_LOOPBACK").is_some_and(|v| v == "true" || v == "1"),
            allowed_origins: nonempty("ALLOWED_ORIGINS")
                .map(|v| {
                    v.split(',')
                        .map(|o| o.trim().trim_end_matches('/').to_ascii_lowercase())
                        .filter(|o| !o.is_empty())
                        .collect()
                })
                .unwrap_or_default(),
            default_rate_limit: nonempty("RATE_LIMIT_PER_MINUTE")
                .and_then(|v| v.parse().ok())
                .unwrap_or(DEFAULT_RATE_LIMIT),
            odoo_timeout_ms: nonempty("ODOO_TIMEOUT_MS")
                .and_then(|v| v.parse().ok())
                .unwrap_or(DEFAULT_ODOO_TIMEOUT_MS),
            audit_retention_days: nonempty("AUDIT_RETENTION_DAYS")
                .and_then(|v| v.parse().ok())
                .filter(|d| *d >= 1)
                .unwrap_or(DEFAULT_AUDIT_RETENTION_DAYS),
            list_page_size: nonempty("LIST_PAGE_SIZE")
                .and_then(|v| v.parse().ok())
                .filter(|n| *n >= 1)
                .unwrap_or(DEFAULT_LIST_PAGE_SIZE),
            // A value below the floor is raised to it: the operator asked for small answers.
            max_response_bytes: nonempty("MAX_RESPONSE_BYTES")
                .and_then(|v| v.parse::<usize>().ok())
                .map(|n| n.max(MIN_RESPONSE_BYTES))
                .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES),
            subrequest_budget: nonempty("SUBREQUEST_BUDGET")
                .and_then(|v| v.parse().ok())
                .filter(|n| *n >= 10)
                .unwrap_or(DEFAULT_SUBREQUEST_BUDGET),
            batch_time_limit_ms: nonempty("BATCH_TIME_LIMIT_MS")
                .and_then(|v| v.parse().ok())
                .filter(|ms| *ms >= 1)
                .unwrap_or(DEFAULT_BATCH_TIME_LIMIT_MS),
            auth_failures_per_minute: nonempty("AUTH_FAILURES_PER_MINUTE")
                .and_then(|v| v.parse().ok())
                .filter(|n| *n >= 1)
                .unwrap_or(DEFAULT_AUTH_FAILURES_PER_MINUTE),
            list_watch_ms: nonempty("LIST_WATCH_MS")
                .and_then(|v| v.parse().ok())
                .filter(|ms| *ms >= 100)
                .unwrap_or(DEFAULT_LIST_WATCH_MS),
            max_attachment_bytes: nonempty("MAX_ATTACHMENT_BYTES")
                .and_then(|v| v.parse().ok())
                .filter(|n| *n >= 1)
                .unwrap_or(DEFAULT_MAX_ATTACHMENT_BYTES),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with(name: &'static str, value: &'static str) -> Settings {
        Settings::from_env(move |n| (n == name).then(|| value.to_string()))
    }

    #[test]
    fn response_cap_has_a_default_and_a_floor() {
        assert_eq!(Settings::from_env(|_| None).max_response_bytes, DEFAULT_MAX_RESPONSE_BYTES);
        assert_eq!(with("MAX_RESPONSE_BYTES", " 20000 ").max_response_bytes, 20_000);
        assert_eq!(with("MAX_RESPONSE_BYTES", "10").max_response_bytes, MIN_RESPONSE_BYTES);
        assert_eq!(with("MAX_RESPONSE_BYTES", "lots").max_response_bytes, DEFAULT_MAX_RESPONSE_BYTES);
        assert!(format!("{:?}", with("MAX_RESPONSE_BYTES", "20000")).contains("max_response_bytes: 20000"));
    }

    #[test]
    fn attachment_limit_has_a_default() {
        assert_eq!(Settings::from_env(|_| None).max_attachment_bytes, 10 * 1024 * 1024);
        assert_eq!(with("MAX_ATTACHMENT_BYTES", "2048").max_attachment_bytes, 2048);
        assert_eq!(with("MAX_ATTACHMENT_BYTES", "0").max_attachment_bytes, DEFAULT_MAX_ATTACHMENT_BYTES);
    }

    #[test]
    fn batch_time_limit_has_a_default() {
        assert_eq!(Settings::from_env(|_| None).batch_time_limit_ms, DEFAULT_BATCH_TIME_LIMIT_MS);
        assert_eq!(with("BATCH_TIME_LIMIT_MS", "5000").batch_time_limit_ms, 5000);
        for bad in ["0", "soon", "-1"] {
            assert_eq!(with("BATCH_TIME_LIMIT_MS", bad).batch_time_limit_ms, DEFAULT_BATCH_TIME_LIMIT_MS);
        }
    }
}
