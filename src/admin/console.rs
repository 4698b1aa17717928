//! The browser console at `/admin`: a login page, then one page whose script (`assets/console.js`,
//! no build step) drives the admin JSON API with the session cookie and CSRF token. Every console
//! response carries a strict Content-Security-Policy and the usual security headers.

use super::session;
use crate::http::{urlencoded_value, HttpRequest, HttpResponse, Outcome};
use crate::policy::keys::constant_time_eq;
use crate::services::Services;
use crate::store::AuditEvent;

const SCRIPT: &str = include_str!("assets/console.js");
const STYLE: &str = include_str!("assets/console.css");
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
    let Some(token) = svc.settings.admin_token.as_deref() else {
        return page(503, shell("Admin disabled", "<main class=narrow><h1>Odoo MCP</h1><p>The console is disabled: set the <code>ADMIN_TOKEN</code> secret.</p></main>", "")).into();
    };
    match (req.method.as_str(), req.path.trim_end_matches('/')) {
        ("GET", "/admin") => match session::verify(token, req, svc.now) {
            Some(s) => page(200, console_page(&session::csrf_token(token, &s))).into(),
            None => page(200, login_page(None)).into(),
        },
        ("POST", "/admin/login") => login(req, svc, token).await,
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
        ("GET", "/admin/console.js") => asset("text/javascript; charset=utf-8", SCRIPT),
        ("GET", "/admin/console.css") => asset("text/css; charset=utf-8", STYLE),
        ("GET", "/admin/icon.svg") => favicon().into(),
        _ => page(
            404,
            shell(
                "Not found",
                "<main class=narrow><p>Not found. <a href=\"/admin\">Back to the console</a></p></main>",
                "",
            ),
        )
        .into(),
    }
}

/// The icon, at `/favicon.ico` and `/admin/icon.svg`: cached for a day, under the console's headers.
pub fn favicon() -> HttpResponse {
    secured(HttpResponse::text(200, "image/svg+xml", ICON)).with_header("cache-control", "public, max-age=86400")
}

fn asset(content_type: &str, body: &str) -> Outcome {
    secured(HttpResponse::text(200, content_type, body)).with_header("cache-control", "no-cache").into()
}

fn redirect() -> HttpResponse {
    secured(HttpResponse::empty(303)).with_header("location", "/admin").with_header("cache-control", "no-store")
}

async fn login(req: &HttpRequest, svc: &Services<'_>, token: &str) -> Outcome {
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
            page(401, login_page(Some("That is not the admin token.")))
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
        Err(e) => page(500, login_page(Some(&format!("Could not start a session: {e}")))).into(),
    }
}

/// A field of an `application/x-www-form-urlencoded` body.
fn form_field(req: &HttpRequest, name: &str) -> Option<String> {
    urlencoded_value(std::str::from_utf8(&req.body).ok()?, name)
}

fn shell(title: &str, body: &str, csrf: &str) -> String {
    format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><meta name=viewport content=\"width=device-width, initial-scale=1\">\
         <meta name=csrf-token content=\"{csrf}\"><title>{title} · Odoo MCP</title><link rel=icon type=\"image/svg+xml\" href=\"/admin/icon.svg\"><link rel=stylesheet href=\"/admin/console.css\"></head>\
         <body>{body}</body></html>"
    )
}

fn login_page(error: Option<&str>) -> String {
    let error = error.map(|e| format!("<p class=error role=alert>{}</p>", escape(e))).unwrap_or_default();
    shell(
        "Sign in",
        &format!(
            "<main class=narrow><h1>Odoo MCP</h1><p>Sign in with the deployment's admin token.</p>{error}\
             <form method=post action=\"/admin/login\"><label>Admin token <input type=password name=token id=token autocomplete=current-password required autofocus></label>\
             <button type=submit id=login>Sign in</button></form></main>"
        ),
        "",
    )
}

fn console_page(csrf: &str) -> String {
    shell(
        "Console",
        "<header><strong>Odoo MCP</strong><nav id=nav>\
         <a href=\"#connections\">Connections</a><a href=\"#models\">Models</a><a href=\"#keys\">Connect an AI assistant</a><a href=\"#oauth\">OAuth</a>\
         <a href=\"#audit\">Audit</a><a href=\"#settings\">Settings</a></nav><button id=logout class=link>Sign out</button></header>\
         <main id=app><p>Loading…</p></main><div id=toast role=status aria-live=polite></div><script src=\"/admin/console.js\"></script>",
        csrf,
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}
