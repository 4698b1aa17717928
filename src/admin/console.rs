//! The browser console at `/admin`: a login page, then one page whose script (`assets/console.js`,
//! no build step) drives the admin JSON API with the session cookie and CSRF token. Every console
//! response carries a strict Content-Security-Policy and the usual security headers. Pages are in the
//! administrator's language (`i18n`): the sign-in page rendered in it, the console loading its words.
//! The script, its style and its words are static files beside the Worker, not in it (under `ASSETS`,
//! written by `scripts/console-assets.mjs`, served by Workers Static Assets): this module only links them.

use super::session;
use crate::http::{urlencoded_value, HttpRequest, HttpResponse, Outcome};
use crate::i18n::{self, Lang, LANGS};
use crate::policy::keys::constant_time_eq;
use crate::services::Services;
use crate::store::AuditEvent;

/// Where the console's static files are served (`scripts/console-assets.mjs` writes them there).
pub const ASSETS: &str = "/admin/assets/";
/// The icon of every page (browsers ask for `/favicon.ico`; an SVG served with its own type is accepted).
const ICON: &str = include_str!("assets/icon.svg");
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

fn secured(r: HttpResponse) -> HttpResponse {
    r.with_header("content-security-policy", CSP)
        .with_header("x-content-type-options", "nosniff")
        .with_header("x-frame-options", "DENY")
        // `no-referrer` would make Chromium send `Origin: null` on the login form, which the Origin gate refuses.
        .with_header("referrer-policy", "same-origin")
        .with_header("cross-origin-opener-policy", "same-origin")
        .with_header("permissions-policy", "camera=(), microphone=(), geolocation=(), clipboard-write=(self)")
}

fn page(status: u16, body: String) -> HttpResponse {
    secured(HttpResponse::text(status, "text/html; charset=utf-8", body)).with_header("cache-control", "no-store")
}

pub async fn handle(req: &HttpRequest, svc: &Services<'_>) -> Outcome {
    let l = i18n::choose(req);
    let Some(token) = svc.settings.admin_token.as_deref() else {
        let body = format!(
            "<main class=narrow><h1>Odoo MCP</h1><p>{}</p></main>",
            escape(&l.tr("The console is disabled: set the {0} secret.")).replace("{0}", "<code>ADMIN_TOKEN</code>")
        );
        return page(503, shell(l, &l.tr("Admin disabled"), &body, "", false)).into();
    };
    match (req.method.as_str(), req.path.trim_end_matches('/')) {
        ("GET", "/admin") => match session::verify(token, req, svc.now) {
            Some(s) => page(200, console_page(l, &session::csrf_token(token, &s))).into(),
            None => page(200, login_page(l, None)).into(),
        },
        ("POST", "/admin/login") => login(req, svc, token, l).await,
        ("POST", "/admin/logout") => match session::verify(token, req, svc.now) {
            Some(s)
                if session::csrf_ok(token, &s, req)
                    || form_field(req, "csrf")
                        .is_some_and(|c| constant_time_eq(&c, &session::csrf_token(token, &s))) =>
            {
                let audit = AuditEvent {
                    event: "admin_action",
                    operation: Some("console.logout"),
                    outcome: "ok",
                    ..Default::default()
                };
                Outcome::new(redirect().with_header("set-cookie", session::clear(req)), vec![audit.stmt(svc.now)])
            }
            _ => redirect().with_header("set-cookie", session::clear(req)).into(),
        },
        ("GET", "/admin/icon.svg") => favicon().into(),
        _ => {
            let body = format!(
                "<main class=narrow><p>{} <a href=\"/admin\">{}</a></p></main>",
                escape(&l.tr("Not found.")),
                escape(&l.tr("Back to the console"))
            );
            page(404, shell(l, &l.tr("Not found."), &body, "", false)).into()
        }
    }
}

/// The icon, at `/favicon.ico` and `/admin/icon.svg`: cached for a day, under the console's headers.
pub fn favicon() -> HttpResponse {
    secured(HttpResponse::text(200, "image/svg+xml", ICON)).with_header("cache-control", "public, max-age=86400")
}

fn redirect() -> HttpResponse {
    secured(HttpResponse::empty(303)).with_header("location", "/admin").with_header("cache-control", "no-store")
}

async fn login(req: &HttpRequest, svc: &Services<'_>, token: &str, l: Lang) -> Outcome {
    let given = form_field(req, "token").unwrap_or_default();
    if given.is_empty() || !constant_time_eq(given.trim(), token) {
        let audit = AuditEvent {
            event: "auth_failure",
            tool: Some("admin_console"),
            // The same words as `/mcp`'s: no token given, or a wrong one.
            outcome: if given.trim().is_empty() { "missing_key" } else { "unknown_key" },
            ..Default::default()
        };
        return super::failed_authentication(req, svc, &audit, || {
            page(401, login_page(l, Some(&l.tr("That is not the admin token."))))
        })
        .await;
    }
    match session::issue(token, svc.now, req) {
        Ok((_, cookie)) => {
            let audit = AuditEvent {
                event: "admin_action",
                operation: Some("console.login"),
                outcome: "ok",
                ..Default::default()
            };
            Outcome::new(redirect().with_header("set-cookie", cookie), vec![audit.stmt(svc.now)])
        }
        Err(e) => page(500, login_page(l, Some(&l.tr("Could not start a session: {0}").replace("{0}", &e)))).into(),
    }
}

/// A field of an `application/x-www-form-urlencoded` body.
fn form_field(req: &HttpRequest, name: &str) -> Option<String> {
    urlencoded_value(std::str::from_utf8(&req.body).ok()?, name)
}

/// A page in `l`'s language and direction; `words`: whether it loads the language's words for the
/// console's script (English has none: the script's own texts are English).
fn shell(l: Lang, title: &str, body: &str, csrf: &str, words: bool) -> String {
    let words = if words && l != LANGS[0] {
        format!("<script src=\"{ASSETS}words/{}.js\"></script>", l.tag)
    } else {
        String::new()
    };
    format!(
        "<!doctype html><html lang={} dir={}><head><meta charset=utf-8><meta name=viewport content=\"width=device-width, initial-scale=1\">\
         <meta name=csrf-token content=\"{csrf}\"><title>{} · Odoo MCP</title><link rel=icon type=\"image/svg+xml\" href=\"/admin/icon.svg\">\
         <link rel=stylesheet href=\"{ASSETS}console.css\">{words}</head><body>{body}</body></html>",
        l.tag,
        l.dir(),
        escape(title)
    )
}

fn login_page(l: Lang, error: Option<&str>) -> String {
    let error = error.map(|e| format!("<p class=error role=alert>{}</p>", escape(e))).unwrap_or_default();
    let body = format!(
        "<main class=narrow><h1>Odoo MCP</h1><p>{}</p>{error}\
         <form method=post action=\"/admin/login\"><label>{} <input type=password name=token id=token autocomplete=current-password required autofocus></label>\
         <button type=submit id=login>{}</button></form></main>",
        escape(&l.tr("Sign in with the deployment's admin token.")),
        escape(&l.tr("Admin token")),
        escape(&l.tr("Sign in")),
    );
    shell(l, &l.tr("Sign in"), &body, "", false)
}

/// The console: the header (views, language picker, sign-out), and the script that draws each view.
fn console_page(l: Lang, csrf: &str) -> String {
    let nav = [
        ("connections", l.tr("Connections")),
        ("models", l.tr("Models")),
        ("keys", l.tr("Connect an AI assistant")),
        ("oauth", l.tr("OAuth")),
        ("audit", l.tr("Audit")),
        ("settings", l.tr("Settings")),
    ]
    .map(|(id, label)| format!("<a href=\"#{id}\">{}</a>", escape(&label)))
    .concat();
    let options = LANGS
        .iter()
        .map(|o| {
            format!("<option value=\"{}\"{}>{}</option>", o.tag, if *o == l { " selected" } else { "" }, escape(o.name))
        })
        .collect::<String>();
    let body = format!(
        "<header><strong>Odoo MCP</strong><nav id=nav>{nav}</nav>\
         <select id=lang aria-label=\"{}\">{options}</select><button id=logout class=link>{}</button></header>\
         <main id=app><p>{}</p></main><div id=toast role=status aria-live=polite></div><script src=\"{ASSETS}console.js\"></script>",
        escape(&l.tr("Language")),
        escape(&l.tr("Sign out")),
        escape(&l.tr("Loading…")),
    );
    shell(l, &l.tr("Console"), &body, csrf, true)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
