//! What the sign-in page offers: the connections whose OAuth sign-in is enabled, each with the access a
//! grant would get there (its default scope, narrowed by what the client asks) in words, and where that
//! Odoo version makes an API key.

use super::page::Offer;
use super::scope;
use crate::access::{Operation, Scope};
use crate::i18n::Lang;
use crate::services::Services;
use crate::store::connections;
use crate::store::oauth::settings::{self, OAuthSettings};

/// The operations a connection's OAuth grants get by default, and its models (`None`: all enabled).
pub fn default_scope(s: &OAuthSettings) -> Scope {
    s.scope.as_ref().and_then(|v| crate::json::from_value::<Scope>(v).ok()).unwrap_or(Scope {
        models: None,
        operations: Some(vec![Operation::Read]),
        actions: None,
    })
}

pub fn allowed_operations(s: &OAuthSettings) -> Vec<Operation> {
    default_scope(s).operations.unwrap_or_else(|| Operation::ALL.to_vec())
}

/// What a grant would allow, in the person's words (the console's: "read, create on 2 models").
fn access_words(l: Lang, ops: &[Operation], models: Option<&[String]>) -> String {
    let verbs: Vec<String> = ops.iter().map(|op| verb(l, *op)).collect();
    let verbs = verbs.join(", ");
    match models {
        Some([_]) => l.tr("{0} on 1 model").replace("{0}", &verbs),
        Some(m) => l.tr("{0} on {1} models").replace("{0}", &verbs).replace("{1}", &m.len().to_string()),
        None => l.tr("{0} on every enabled model").replace("{0}", &verbs),
    }
}

/// An operation in the person's words: each text written out, since the build keeps in the server's
/// table only the texts named literally in `tr` calls (`build.rs`).
fn verb(l: Lang, op: Operation) -> String {
    match op {
        Operation::Read => l.tr("read"),
        Operation::Create => l.tr("create"),
        Operation::Update => l.tr("update"),
        Operation::Delete => l.tr("delete"),
        Operation::Action => l.tr("action"),
    }
}

fn key_hint(l: Lang, major: i64) -> String {
    let path = if major <= 16 { l.tr("Preferences") } else { l.tr("My Profile") };
    let hint = l.tr("Make an API key in Odoo: your avatar (top right) → {0} → Account Security → New API Key.");
    let hint = hint.replace("{0}", &path);
    match major >= 18 {
        true => format!("{hint} {}", l.tr("Pick a duration: the key stops working when it ends.")),
        false => hint,
    }
}

pub async fn offers(
    svc: &Services<'_>,
    ops_asked: Option<&str>,
    l: Lang,
) -> Result<Vec<(Offer, OAuthSettings)>, String> {
    let enabled =
        settings::enabled(svc.db).await.map_err(|_| l.tr("The server's database did not answer; try again."))?;
    let mut out = Vec::new();
    for s in enabled {
        let Ok(Some(conn)) = connections::get(svc.db, s.connection_id).await else { continue };
        let scope = default_scope(&s);
        let ops = scope::grant(ops_asked, &allowed_operations(&s)).unwrap_or_default();
        let host = url::Url::parse(&conn.url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .unwrap_or_else(|| conn.url.clone());
        out.push((
            Offer {
                connection_id: conn.id,
                label: format!("{} ({host}, database {}, Odoo {})", conn.name, conn.database, conn.odoo_version),
                access: access_words(l, &ops, scope.models.as_deref()),
                key_hint: key_hint(l, conn.odoo_major),
            },
            s,
        ));
    }
    Ok(out)
}
