//! Odoo's context as a key's calls carry it (`allowed_company_ids`, the current company first; `lang`;
//! `tz`), and the reads that check a key's choices against Odoo before they are kept: the user's
//! companies, language and time zone (`res.users.read`), the installed languages (`res.lang`) and the
//! companies' names (`res.company`), each exactly as the probes recorded them.

use super::call::Call;
use super::{OdooClient, OdooError};
use crate::json;
use serde::Serialize;
use serde_json::{Map, Value};

/// What a key sends as Odoo's context on every call; empty: nothing is sent (Odoo's own defaults).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct OdooContext {
    /// The companies the calls may see, the current (default) one first; empty: the user's own default.
    pub companies: Vec<i64>,
    pub lang: Option<String>,
    pub tz: Option<String>,
}

impl OdooContext {
    pub fn is_empty(&self) -> bool {
        self.companies.is_empty() && self.lang.is_none() && self.tz.is_none()
    }

    /// The `context` member of a call, `None` when there is nothing to say.
    pub fn to_json(&self) -> Option<Value> {
        if self.is_empty() {
            return None;
        }
        let mut c = Map::new();
        if !self.companies.is_empty() {
            c.insert("allowed_company_ids".into(), json!(self.companies));
        }
        if let Some(lang) = &self.lang {
            c.insert("lang".into(), json!(lang));
        }
        if let Some(tz) = &self.tz {
            c.insert("tz".into(), json!(tz));
        }
        Some(Value::Object(c))
    }

    /// The same context acting in `company` alone (one call's switch).
    pub fn in_company(&self, company: i64) -> OdooContext {
        OdooContext { companies: vec![company], ..self.clone() }
    }
}

/// Whether `tz` looks like an IANA time zone name (`Europe/Brussels`, `America/Argentina/Salta`, `UTC`):
/// Odoo's list is the tz database's; a typo is refused here rather than stored.
pub fn is_tz_name(tz: &str) -> bool {
    let ok_part = |p: &str| {
        !p.is_empty()
            && p.len() <= 30
            && p.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '+'))
            && p.starts_with(|c: char| c.is_ascii_uppercase())
    };
    let parts: Vec<&str> = tz.split('/').collect();
    (1..=3).contains(&parts.len()) && parts.iter().all(|p| ok_part(p))
}

/// The user's own settings, as `res.users.read` gives them.
#[derive(Debug, Clone, PartialEq)]
pub struct UserSettings {
    pub company: Option<i64>,
    pub companies: Vec<i64>,
    pub lang: Option<String>,
    pub tz: Option<String>,
}

/// The Odoo user's companies, language and time zone.
pub async fn user_settings(client: &OdooClient<'_>, uid: i64) -> Result<UserSettings, OdooError> {
    let call = Call {
        model: "res.users",
        method: "read",
        ids: Some(&[uid]),
        params: vec![("fields", json!(["company_id", "company_ids", "lang", "tz"]))],
        positional: 1,
    };
    let rows = client.call(&call).await?;
    let row = rows.as_array().and_then(|r| r.first()).cloned().unwrap_or_default();
    let text = |k: &str| row.get(k).and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
    Ok(UserSettings {
        company: row.get("company_id").and_then(|c| c.get(0)).and_then(Value::as_i64),
        companies: row
            .get("company_ids")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(Value::as_i64)
            .collect(),
        lang: text("lang"),
        tz: text("tz"),
    })
}

/// The codes of the languages installed (active) in the database.
pub async fn installed_languages(client: &OdooClient<'_>) -> Result<Vec<String>, OdooError> {
    let call = Call {
        model: "res.lang",
        method: "search_read",
        ids: None,
        params: vec![("domain", json!([["active", "=", true]])), ("fields", json!(["code", "name"]))],
        positional: 2,
    };
    let rows = client.call(&call).await?;
    Ok(rows
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r.get("code").and_then(Value::as_str).map(str::to_string))
        .collect())
}

/// Every company the user can see, by id and name.
pub async fn companies(client: &OdooClient<'_>) -> Result<Vec<(i64, String)>, OdooError> {
    let call = Call {
        model: "res.company",
        method: "search_read",
        ids: None,
        params: vec![("domain", json!([])), ("fields", json!(["name", "currency_id", "parent_id"]))],
        positional: 2,
    };
    let rows = client.call(&call).await?;
    Ok(rows
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| Some((r.get("id")?.as_i64()?, r.get("name")?.as_str()?.to_string())))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_context_sends_nothing_and_a_switch_keeps_the_rest() {
        assert_eq!(OdooContext::default().to_json(), None);
        let c = OdooContext { companies: vec![1, 2], lang: Some("fr_BE".into()), tz: None };
        assert_eq!(c.to_json(), Some(json!({"allowed_company_ids": [1, 2], "lang": "fr_BE"})));
        assert_eq!(c.in_company(2).to_json(), Some(json!({"allowed_company_ids": [2], "lang": "fr_BE"})));
    }

    #[test]
    fn time_zone_names() {
        for ok in ["Europe/Brussels", "UTC", "America/Argentina/Salta", "Etc/GMT+5", "America/Port-au-Prince"] {
            assert!(is_tz_name(ok), "{ok}");
        }
        for bad in ["", "europe/brussels", "Europe/", "Europe//Paris", "A/B/C/D", "Europe/Brus sels", "Ü/X"] {
            assert!(!is_tz_name(bad), "{bad}");
        }
    }
}
