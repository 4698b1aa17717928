//! The sign-in pages, rendered here with no script: the request (which application, sent back where,
//! which Odoo, what access), the person's Odoo login and API key (or, on a browser that signed in
//! before, a confirmation), the answers (waiting for an administrator, refused, an error). Every page
//! carries the console's strict headers; the form may be answered only to this origin and the
//! client's own redirect (CSP `form-action`, which browsers also apply to the redirect that follows).

use crate::http::HttpResponse;
use crate::i18n::Lang;

const STYLE: &str = include_str!("sign_in.css");
pub const STYLE_PATH: &str = "/authorize/sign-in.css";

/// One connection the person may sign in to.
pub struct Offer {
    pub connection_id: i64,
    /// e.g. "acme (acme.odoo.com, Odoo 18)".
    pub label: String,
    /// What a grant would allow there, in words.
    pub access: String,
    /// Where this Odoo makes an API key, in one line.
    pub key_hint: String,
}

pub struct SignIn<'a> {
    pub client_name: Option<&'a str>,
    pub client_id: &'a str,
    /// The host (or app) the person is sent back to.
    pub destination: &'a str,
    pub offers: &'a [Offer],
    pub ticket: &'a str,
    /// The Odoo login (and its connection, one of `offers`) this browser signed in with before, to
    /// confirm instead of typing a key.
    pub remembered: Option<(&'a str, i64)>,
    pub error: Option<&'a str>,
    /// The login typed before an error, kept in the form.
    pub login: Option<&'a str>,
    /// The person's language (`i18n::choose`).
    pub lang: Lang,
}

pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

fn shell(l: Lang, title: &str, head_extra: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang={} dir={}><head><meta charset=utf-8><meta name=viewport content=\"width=device-width, initial-scale=1\">\
         {head_extra}<title>{} · Odoo MCP</title><link rel=stylesheet href=\"{STYLE_PATH}\"></head><body><main>{body}</main></body></html>",
        l.tag,
        l.dir(),
        escape(title)
    )
}

pub fn sign_in(v: &SignIn<'_>) -> String {
    let l = v.lang;
    let who = match v.client_name {
        Some(name) => format!(
            "<strong>{}</strong> <span class=muted>{}</span>",
            escape(name),
            escape(&l.tr("(as it names itself; id {0})").replace("{0}", v.client_id))
        ),
        None => format!(
            "{} <span class=muted>{}</span>",
            escape(&l.tr("An application")),
            escape(&l.tr("(id {0})").replace("{0}", v.client_id))
        ),
    };
    let error = v.error.map(|e| format!("<p class=error role=alert>{}</p>", escape(e))).unwrap_or_default();
    let connection_field = match v.offers {
        [only] => format!(
            "<input type=hidden name=connection value={}><p>Odoo: <strong>{}</strong></p><p>{} {}</p>",
            only.connection_id,
            escape(&only.label),
            escape(&l.tr("Access:")),
            escape(&only.access)
        ),
        several => {
            let options: String = several
                .iter()
                .map(|o| {
                    format!("<option value={}>{} — {}</option>", o.connection_id, escape(&o.label), escape(&o.access))
                })
                .collect();
            format!("<label>Odoo <select name=connection required>{options}</select></label>")
        }
    };
    let hints: String = v
        .offers
        .iter()
        .map(|o| &o.key_hint)
        .fold(Vec::<&String>::new(), |mut seen, h| {
            if !seen.contains(&h) {
                seen.push(h);
            }
            seen
        })
        .into_iter()
        .map(|h| format!("<p class=hint>{}</p>", escape(h)))
        .collect();
    let ticket = format!("<input type=hidden name=ticket value=\"{}\">", escape(v.ticket));
    let confirm = v
        .remembered
        .map(|(login, connection_id)| {
            format!(
                "<form method=post action=\"/authorize\" class=confirm>{ticket}<input type=hidden name=connection value={connection_id}>\
                 <input type=hidden name=remembered value=1>\
                 <button type=submit name=decision value=allow id=continue>{}</button>\
                 <button type=submit name=decision value=deny class=secondary>{}</button></form>\
                 <p class=muted>{}</p>",
                escape(&l.tr("Continue as {0}").replace("{0}", login)),
                escape(&l.tr("Deny")),
                escape(&l.tr("Or sign in as someone else:"))
            )
        })
        .unwrap_or_default();
    let login = v.login.map(|l| format!(" value=\"{}\"", escape(l))).unwrap_or_default();
    let title = l.tr("Connect to Odoo");
    let wants = escape(&l.tr("{0} wants to work in Odoo as you.")).replace("{0}", &who);
    let back = escape(&l.tr("After you answer, you are sent back to {0}."))
        .replace("{0}", &format!("<strong>{}</strong>", escape(v.destination)));
    let body = format!(
        "<h1>{}</h1><p>{wants}</p><p>{back}</p>{error}{confirm}\
         <form method=post action=\"/authorize\">{ticket}{connection_field}\
         <label>{} <input name=login id=login autocomplete=username required{login}></label>\
         <label>{} <input type=password name=api_key id=api_key autocomplete=off required></label>{hints}\
         <button type=submit name=decision value=allow id=allow>{}</button>\
         <button type=submit name=decision value=deny class=secondary formnovalidate id=deny>{}</button></form>\
         <p class=muted>{}</p>",
        escape(&title),
        escape(&l.tr("Odoo login")),
        escape(&l.tr("Odoo API key")),
        escape(&l.tr("Allow")),
        escape(&l.tr("Deny")),
        escape(&l.tr(
            "The application gets a token for this server, never your API key; you or your administrator can revoke it at any time."
        ))
    );
    shell(l, &title, "", &body)
}

/// A page with a message and nothing to do (an error before the redirect is known good, a refusal).
pub fn message(l: Lang, title: &str, text: &str) -> String {
    shell(l, title, "", &format!("<h1>{}</h1><p>{}</p>", escape(title), escape(text)))
}

/// The page a person sees while an administrator decides; it asks again every few seconds.
pub fn waiting(l: Lang, check_url: &str) -> String {
    let refresh = format!("<meta http-equiv=refresh content=\"5;url={}\">", escape(check_url));
    let title = l.tr("Waiting for approval");
    let link = format!("<a href=\"{}\">{}</a>", escape(check_url), escape(&l.tr("check now")));
    let text = escape(&l.tr(
        "An administrator of this server approves each new connection. This page continues by itself once they have decided; you can also {0}.",
    ))
    .replace("{0}", &link);
    shell(l, &title, &refresh, &format!("<h1>{}</h1><p>{text}</p>", escape(&title)))
}

/// The Content-Security-Policy of a sign-in page whose form answers to this origin and then to
/// `redirect_source` (a CSP source: `https://claude.ai`, `http://127.0.0.1:*`, `cursor:`).
pub fn secured(r: HttpResponse, redirect_source: Option<&str>) -> HttpResponse {
    let form_action = match redirect_source {
        Some(source) => format!("'self' {source}"),
        None => "'self'".to_string(),
    };
    let csp = format!(
        "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action {form_action}; frame-ancestors 'none'; base-uri 'none'"
    );
    r.with_header("content-security-policy", csp)
        .with_header("x-content-type-options", "nosniff")
        .with_header("x-frame-options", "DENY")
        // `no-referrer` would make Chromium send `Origin: null` with the form, which `routes` refuses.
        .with_header("referrer-policy", "same-origin")
        .with_header("cross-origin-opener-policy", "same-origin")
        .with_header("cache-control", "no-store")
}

pub fn html(status: u16, body: String, redirect_source: Option<&str>) -> HttpResponse {
    secured(HttpResponse::text(status, "text/html; charset=utf-8", body), redirect_source)
}

pub fn stylesheet() -> HttpResponse {
    HttpResponse::text(200, "text/css; charset=utf-8", STYLE)
        .with_header("cache-control", "public, max-age=3600")
        .with_header("x-content-type-options", "nosniff")
}

/// The CSP source that allows a redirect to `uri`: its origin; for a loopback one any port (the client
/// may take another); for an app's scheme, the scheme.
pub fn redirect_source(uri: &str) -> Option<String> {
    let url = url::Url::parse(uri).ok()?;
    match url.scheme() {
        "https" => Some(url.origin().ascii_serialization()),
        "http" => Some(format!("http://{}:*", url.host_str()?)),
        scheme => Some(format!("{scheme}:")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offer(id: i64) -> Offer {
        Offer {
            connection_id: id,
            label: format!("acme{id} (acme.odoo.com, Odoo 18)"),
            access: "read".into(),
            key_hint: "In Odoo: My Profile → Account Security → New API Key.".into(),
        }
    }

    #[test]
    fn the_page_names_the_client_the_destination_and_escapes_what_it_was_told() {
        let offers = [offer(1)];
        let html = sign_in(&SignIn {
            client_name: Some("<script>x</script>"),
            client_id: "omcl_1",
            destination: "claude.ai",
            offers: &offers,
            ticket: "t.\"x",
            remembered: None,
            error: Some("Odoo did not accept this login and API key."),
            login: Some("demo2\"><b>"),
            lang: crate::i18n::LANGS[0],
        });
        assert!(!html.contains("<script>") && html.contains("&lt;script&gt;"));
        assert!(html.contains("claude.ai") && html.contains("omcl_1"));
        assert!(html.contains("value=\"t.&quot;x\""));
        assert!(html.contains("value=\"demo2&quot;&gt;&lt;b&gt;\""));
        assert!(html.contains("role=alert"));
        assert!(!html.contains("<select"), "one connection: no choice");
        assert_eq!(html.matches("My Profile").count(), 1);
    }

    #[test]
    fn several_connections_are_a_choice_and_a_remembered_person_only_confirms() {
        let offers = [offer(1), offer(2)];
        let html = sign_in(&SignIn {
            client_name: None,
            client_id: "https://client.example.com/meta.json",
            destination: "127.0.0.1",
            offers: &offers,
            ticket: "t",
            remembered: Some(("demo2", 2)),
            error: None,
            login: None,
            lang: crate::i18n::LANGS[0],
        });
        assert_eq!(html.matches("<select").count(), 1, "a choice in the sign-in form");
        assert!(html.contains("<input type=hidden name=connection value=2><input type=hidden name=remembered"));
        assert!(html.contains("Continue as demo2"));
        assert_eq!(html.matches("My Profile").count(), 1, "the same hint once");
    }

    #[test]
    fn the_form_may_answer_only_here_and_to_the_clients_redirect() {
        assert_eq!(redirect_source("https://claude.ai/api/mcp/auth_callback").as_deref(), Some("https://claude.ai"));
        assert_eq!(redirect_source("http://127.0.0.1:5000/cb").as_deref(), Some("http://127.0.0.1:*"));
        assert_eq!(redirect_source("cursor://anysphere/cb").as_deref(), Some("cursor:"));
        let r = html(200, message(crate::i18n::LANGS[0], "x", "y"), Some("https://claude.ai"));
        let csp = r.header("content-security-policy").unwrap();
        assert!(csp.contains("form-action 'self' https://claude.ai;") && csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("script-src"));
    }
}
