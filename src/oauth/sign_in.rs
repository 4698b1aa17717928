//! The authorization endpoint, where a person signs in (`GET /authorize`, `POST /authorize`,
//! `GET /authorize/wait`). The GET checks the request (errors on a page until the client's redirect is
//! known good, then back to the client) and shows the sign-in page with a sealed ticket; the POST
//! checks the person's Odoo login and API key against Odoo as key issuance does, applies the
//! connection's rule of who may connect, and creates the grant: active (a code, back to the client) or
//! waiting for an administrator (a page that asks again until they decide).

use super::authorize::{self, PageError};
use super::client_document;
use super::page::{self, Offer, SignIn};
use super::params::Params;
use super::resource::Issuer;
use super::sealed::{self, Person, Ticket, PERSON_TTL_MS, TICKET_TTL_MS};
use super::token::CodeDetail;
use super::{audit, cookies, offers};
use super::{redirect, scope};
use crate::access::{Operation, Scope};
use crate::crypto;
use crate::http::{HttpRequest, HttpResponse, Outcome};
use crate::i18n::{self, Lang};
use crate::odoo::users::VerifyError;
use crate::policy::failures::{self, Counted};
use crate::policy::keys;
use crate::policy::tokens::{self, Kind as Secret, CODE_TTL_MS};
use crate::services::Services;
use crate::store::oauth::clients::ClientRow;
use crate::store::oauth::grants::{self, GrantSummary};

use crate::store::connections;
use crate::store::oauth::tokens::{self as rows, Kind, NewToken};

pub const WAIT_PATH: &str = "/authorize/wait";

fn error_page(l: Lang, status: u16, title: &str, text: &str) -> Outcome {
    page::html(status, page::message(l, title, text), None).into()
}

fn redirect_to(location: &str) -> HttpResponse {
    HttpResponse::empty(302).with_header("location", location).with_header("cache-control", "no-store")
}

/// What every sign-in handler needs before anything else: the `CREDENTIALS_KEY` (which encrypts the
/// person's Odoo API key), the key the browser's tickets are sealed with (derived from it), and this
/// server's identity as an issuer.
struct Ready<'s> {
    key: [u8; 32],
    credentials_key: &'s [u8; 32],
    issuer: Issuer,
}

fn ready<'s>(req: &HttpRequest, svc: &Services<'s>) -> Result<Ready<'s>, Box<Outcome>> {
    let l = i18n::choose(req);
    let Some(credentials_key) = svc.settings.credentials_key.as_ref() else {
        return Err(Box::new(error_page(
            l,
            503,
            &l.tr("Sign-in unavailable"),
            &l.tr("This server has no CREDENTIALS_KEY configured."),
        )));
    };
    let Some(issuer) = Issuer::of(&req.origin) else {
        return Err(Box::new(error_page(l, 400, &l.tr("Bad request"), &l.tr("Unknown server address."))));
    };
    Ok(Ready { key: sealed::sealing_key(credentials_key), credentials_key, issuer })
}

/// `GET /authorize`.
pub async fn show(req: &HttpRequest, svc: &Services<'_>) -> Outcome {
    let l = i18n::choose(req);
    let Ready { key, issuer, .. } = match ready(req, svc) {
        Ok(r) => r,
        Err(page) => return *page,
    };
    let params = match Params::parse(&req.query) {
        Ok(p) => p,
        Err(e) => return error_page(l, 400, &l.tr("This sign-in link is not valid"), &e.description),
    };
    let Some(client_id) = params.get("client_id") else {
        return error_page(
            l,
            400,
            &l.tr("This sign-in link is not valid"),
            &l.tr("It does not name the application (client_id)."),
        );
    };
    let client = match client_document::resolve(svc, client_id).await {
        Ok(c) => c,
        Err(client_document::Unknown(why)) => return error_page(l, 400, &l.tr("Unknown application"), &why),
    };
    if client.blocked_at.is_some() {
        return error_page(
            l,
            403,
            &l.tr("Application blocked"),
            &l.tr("This server's administrator has blocked this application."),
        );
    }
    let redirect_uri = match authorize::redirect_uri(&params, &client.redirect_uris) {
        Ok(r) => r,
        Err(PageError(why)) => return error_page(l, 400, &l.tr("This sign-in link is not valid"), &why),
    };
    let checked = match authorize::check(&params, &issuer, &Operation::ALL) {
        Ok(c) => c,
        Err(e) => {
            let state = params.get("state");
            return redirect_to(&authorize::error_redirect(&redirect_uri, &e, state, &issuer)).into();
        }
    };
    let offers = match offers::offers(svc, params.get("scope"), l).await {
        Ok(o) if !o.is_empty() => o,
        Ok(_) => {
            let e = super::error::OAuthError::new("access_denied", "OAuth sign-in is not enabled on this server");
            return redirect_to(&authorize::error_redirect(&redirect_uri, &e, checked.state.as_deref(), &issuer))
                .into();
        }
        Err(why) => return error_page(l, 503, &l.tr("Try again"), &why),
    };
    let nonce = match cookies::get(req, cookies::NONCE).filter(|n| n.len() >= 16) {
        Some(n) => n.to_string(),
        None => match keys::random_id(18) {
            Ok(n) => n,
            Err(_) => return error_page(l, 500, &l.tr("Sign-in unavailable"), &l.tr("No randomness available.")),
        },
    };
    let ticket = Ticket {
        client_id: client.client_id.clone(),
        redirect_uri: redirect_uri.clone(),
        state: checked.state.clone(),
        code_challenge: checked.code_challenge.clone(),
        scope: params.get("scope").map(str::to_string),
        redirect_named: params.get("redirect_uri").is_some(),
        nonce: nonce.clone(),
        expires_at: svc.now + TICKET_TTL_MS,
    };
    let remembered = cookies::get(req, cookies::PERSON)
        .and_then(|c| sealed::open_person(&key, c, svc.now))
        .filter(|p| offers.iter().any(|(o, _)| o.connection_id == p.connection_id));
    let offered: Vec<Offer> = offers.into_iter().map(|(o, _)| o).collect();
    render(l, &client, &ticket, &key, &offered, remembered.as_ref(), None, None, 200)
        .with_header("set-cookie", cookies::set(req, cookies::NONCE, &nonce, TICKET_TTL_MS))
        .into()
}

#[allow(clippy::too_many_arguments)]
fn render(
    l: Lang,
    client: &ClientRow,
    ticket: &Ticket,
    key: &[u8; 32],
    offers: &[Offer],
    remembered: Option<&Person>,
    error: Option<&str>,
    login: Option<&str>,
    status: u16,
) -> HttpResponse {
    let destination = redirect::shown_destination(&ticket.redirect_uri);
    let sealed_ticket = sealed::seal_ticket(key, ticket);
    let body = page::sign_in(&SignIn {
        client_name: client.name.as_deref(),
        client_id: &client.client_id,
        destination: &destination,
        offers,
        ticket: &sealed_ticket,
        remembered: remembered.map(|p| (p.odoo_login.as_str(), p.connection_id)),
        error,
        login,
        lang: l,
    });
    page::html(status, body, page::redirect_source(&ticket.redirect_uri).as_deref())
}

/// What the sign-in form's answer holds.
struct Answer {
    ticket: Ticket,
    connection_id: i64,
    allow: bool,
    remembered: bool,
    login: Option<String>,
    api_key: Option<String>,
}

fn read_answer(req: &HttpRequest, key: &[u8; 32], now: i64, l: Lang) -> Result<Answer, String> {
    let expired =
        || l.tr("This sign-in page has expired, or was opened in another browser. Start again from the application.");
    let body = std::str::from_utf8(&req.body).map_err(|_| expired())?;
    let form = Params::parse(body).map_err(|_| expired())?;
    let ticket = form
        .get("ticket")
        .and_then(|t| sealed::open_ticket(key, t, cookies::get(req, cookies::NONCE), now))
        .ok_or_else(expired)?;
    Ok(Answer {
        connection_id: form.get("connection").and_then(|c| c.parse().ok()).ok_or_else(expired)?,
        allow: form.get("decision") == Some("allow"),
        remembered: form.get("remembered") == Some("1"),
        login: form.get("login").map(|l| l.trim().to_string()),
        api_key: form.get("api_key").map(|k| k.trim().to_string()),
        ticket,
    })
}

/// `POST /authorize`: the person's answer.
pub async fn answer(req: &HttpRequest, svc: &Services<'_>) -> Outcome {
    let l = i18n::choose(req);
    let Ready { key, credentials_key, issuer } = match ready(req, svc) {
        Ok(r) => r,
        Err(page) => return *page,
    };
    let a = match read_answer(req, &key, svc.now, l) {
        Ok(a) => a,
        Err(why) => return error_page(l, 400, &l.tr("Start again"), &why),
    };
    let t = &a.ticket;
    let back = |e: super::error::OAuthError| -> HttpResponse {
        redirect_to(&authorize::error_redirect(&t.redirect_uri, &e, t.state.as_deref(), &issuer))
    };
    let client = match client_document::resolve(svc, &t.client_id).await {
        Ok(c) if c.blocked_at.is_none() => c,
        Ok(_) => {
            return error_page(
                l,
                403,
                &l.tr("Application blocked"),
                &l.tr("This server's administrator has blocked this application."),
            )
        }
        Err(client_document::Unknown(why)) => return error_page(l, 400, &l.tr("Unknown application"), &why),
    };
    if !a.allow {
        let after = vec![audit("oauth_denied", None, Some(a.connection_id), "denied", &client_label(&client), svc.now)];
        return Outcome::new(back(super::error::OAuthError::new("access_denied", "the person declined")), after);
    }
    let offered = match offers::offers(svc, t.scope.as_deref(), l).await {
        Ok(o) => o,
        Err(why) => return error_page(l, 503, &l.tr("Try again"), &why),
    };
    let Some(settings) = offered.iter().map(|(_, s)| s).find(|s| s.connection_id == a.connection_id).cloned() else {
        return error_page(
            l,
            400,
            &l.tr("Start again"),
            &l.tr("This Odoo is no longer offered for sign-in. Start again from the application."),
        );
    };
    let default = offers::default_scope(&settings);
    let operations = match scope::grant(t.scope.as_deref(), &offers::allowed_operations(&settings)) {
        Ok(ops) => ops,
        Err(e) => return back(e).into(),
    };
    let Ok(Some(conn)) = connections::get(svc.db, a.connection_id).await else {
        return error_page(l, 503, &l.tr("Try again"), &l.tr("The server's database did not answer; try again."));
    };
    let offers_only: Vec<Offer> = offered.into_iter().map(|(o, _)| o).collect();
    let again = |error: &str, login: Option<&str>, status: u16| -> Outcome {
        render(l, &client, t, &key, &offers_only, None, Some(error), login, status).into()
    };

    // The credentials: typed now, or those this browser's earlier grant was given with.
    let remembered_person = cookies::get(req, cookies::PERSON).and_then(|c| sealed::open_person(&key, c, svc.now));
    let (login, api_key, typed) = match (a.remembered, remembered_person) {
        (true, Some(p)) if p.connection_id == a.connection_id => match grants::credentials(svc.db, p.key_id).await {
            Ok(Some((login, enc, _))) => match crypto::decrypt(credentials_key, &enc) {
                Ok(api_key) => (login, api_key, false),
                Err(_) => return again(&l.tr("Sign in with your Odoo API key again."), Some(&p.odoo_login), 400),
            },
            _ => return again(&l.tr("Sign in with your Odoo API key again."), Some(&p.odoo_login), 400),
        },
        (true, _) => return again(&l.tr("Sign in with your Odoo API key again."), None, 400),
        (false, _) => {
            match (a.login.as_deref().filter(|l| !l.is_empty()), a.api_key.as_deref().filter(|k| !k.is_empty())) {
                (Some(l), Some(k)) if l.len() <= 200 && k.len() <= 500 => (l.to_string(), k.to_string(), true),
                _ => return again(&l.tr("Enter your Odoo login and an Odoo API key."), a.login.as_deref(), 400),
            }
        }
    };

    // Strangers may try keys here: failures count against the address and against the login, and
    // either over its minute's limit is refused before Odoo is asked.
    let network = failures::client_of(req, svc.settings);
    let per_login = crate::store::failures::Client {
        network: format!("login:{}", &keys::hash(&crate::platform::lowercase(&login))[..16]),
        limit: network.limit,
    };
    let checks =
        vec![crate::store::failures::blocked(&network, svc.now), crate::store::failures::blocked(&per_login, svc.now)];
    if svc.db.batch(checks).await.map_or(true, |r| r.iter().any(|rows| !rows.is_empty())) {
        return again(&l.tr("Too many attempts. Wait a minute, then try again."), Some(&login), 429);
    }
    let uid = match crate::odoo::users::verify(svc.http, &conn.odoo(), &login, &api_key, svc.settings.odoo_timeout_ms)
        .await
    {
        Ok(uid) => uid,
        Err(e) => {
            if !matches!(e, VerifyError::Unreachable(_)) {
                for client in [&network, &per_login] {
                    let _: Counted = failures::count_now(svc.db, client, svc.now).await;
                }
            }
            let why = match e {
                VerifyError::Rejected => {
                    l.tr("Odoo did not accept this login and API key. Check the key (and that it has not expired).")
                }
                VerifyError::OtherLogin(actual) => l
                    .tr("This API key belongs to the Odoo user '{0}', not to '{1}'.")
                    .replace("{0}", &actual)
                    .replace("{1}", &login),
                VerifyError::Unreachable(_) => l.tr("Odoo did not answer. Try again in a moment."),
            };
            let after =
                vec![audit("oauth_sign_in_failed", None, Some(conn.id), "denied", &client_label(&client), svc.now)];
            let mut outcome = again(&why, Some(&login), 400);
            outcome.after.extend(after);
            return outcome;
        }
    };

    // Who may connect.
    let allowed_login = settings.logins.iter().any(|l| l.eq_ignore_ascii_case(&login));
    let pending = match settings.who.as_str() {
        "any" => false,
        "list" if allowed_login => false,
        "list" => {
            let after = vec![audit(
                "oauth_refused",
                None,
                Some(conn.id),
                "denied",
                &format!("{login} is not on the list; {}", client_label(&client)),
                svc.now,
            )];
            let mut outcome = again(
                &l.tr("The Odoo user '{0}' may not connect through this server. Ask its administrator.")
                    .replace("{0}", &login),
                Some(&login),
                403,
            );
            outcome.after.extend(after);
            return outcome;
        }
        _ => !allowed_login,
    };

    // The grant: a key row holding the person's Odoo credentials, encrypted as a key's are.
    let Ok(enc) = crypto::encrypt(credentials_key, &api_key) else {
        return error_page(l, 500, &l.tr("Sign-in unavailable"), &l.tr("The credentials could not be encrypted."));
    };
    let Ok(hidden) = keys::generate() else {
        return error_page(l, 500, &l.tr("Sign-in unavailable"), &l.tr("No randomness available."));
    };
    let scope_json = crate::json!(Scope {
        models: default.models.clone(),
        operations: Some(operations.clone()),
        actions: default.actions.clone(),
    })
    .to_string();
    let label = format!("OAuth: {}", client.name.as_deref().unwrap_or(&client.client_id));
    let row = crate::store::keys::NewKeyRow {
        checked_url: &conn.url,
        key_hash: &hidden.hash,
        prefix: crate::policy::tokens::GRANT_PREFIX,
        label: crate::text::truncate(&label, 100),
        connection_id: conn.id,
        odoo_login: &login,
        odoo_key_enc: &enc,
        odoo_uid: Some(uid),
        scope_json: Some(&scope_json),
        rate_limit: settings.rate_limit,
        expires_at: None,
        approval: settings.approval,
        // A grant acts in its person's own companies, language and time zone.
        context: crate::odoo::context::OdooContext::default(),
    };
    let grant = match grants::create(svc.db, &row, &client.client_id, pending, svc.now).await {
        Ok(Some(g)) => g,
        _ => return error_page(l, 503, &l.tr("Try again"), &l.tr("The grant could not be saved; try again.")),
    };
    let person = Person {
        key_id: grant.key_id,
        connection_id: conn.id,
        odoo_login: login.clone(),
        expires_at: svc.now + PERSON_TTL_MS,
    };
    let remember = cookies::set(req, cookies::PERSON, &sealed::seal_person(&key, &person), PERSON_TTL_MS);
    let how = if typed { "signed in" } else { "confirmed" };
    let mut after = vec![audit(
        if pending { "oauth_requested" } else { "oauth_granted" },
        Some(grant.key_id),
        Some(conn.id),
        if pending { "pending" } else { "ok" },
        &format!("{login} {how} for {}", client_label(&client)),
        svc.now,
    )];
    if pending {
        let waiting = sealed::Waiting { ticket: t.clone(), key_id: grant.key_id };
        let check = format!("{WAIT_PATH}?w={}", sealed::seal_waiting(&key, &waiting));
        let response = page::html(200, page::waiting(l, &check), None).with_header("set-cookie", remember);
        return Outcome::new(response, after);
    }
    match code_for(svc, &grant, t, &issuer, l).await {
        Ok(location) => {
            after.push(crate::store::oauth::clients::touch(&client.client_id, svc.now));
            Outcome::new(redirect_to(&location).with_header("set-cookie", remember), after)
        }
        Err(outcome) => outcome,
    }
}

/// `GET /authorize/wait`: the page of a grant waiting for an administrator, asked again.
pub async fn wait(req: &HttpRequest, svc: &Services<'_>) -> Outcome {
    let l = i18n::choose(req);
    let Ready { key, issuer, .. } = match ready(req, svc) {
        Ok(r) => r,
        Err(page) => return *page,
    };
    let Some(waiting) =
        req.query_param("w").and_then(|w| sealed::open_waiting(&key, &w, cookies::get(req, cookies::NONCE), svc.now))
    else {
        return error_page(
            l,
            400,
            &l.tr("Start again"),
            &l.tr("This page has expired, or was opened in another browser. Start again from the application."),
        );
    };
    let t = &waiting.ticket;
    match grants::find(svc.db, waiting.key_id).await {
        Ok(Some(g)) if g.status == "active" => match code_for(svc, &g, t, &issuer, l).await {
            Ok(location) => redirect_to(&location).into(),
            Err(outcome) => outcome,
        },
        Ok(Some(g)) if g.status == "pending" => {
            let check = format!("{WAIT_PATH}?w={}", req.query_param("w").unwrap_or_default());
            page::html(200, page::waiting(l, &check), None).into()
        }
        Ok(_) => {
            let e = super::error::OAuthError::new("access_denied", "the server's administrator refused the connection");
            redirect_to(&authorize::error_redirect(&t.redirect_uri, &e, t.state.as_deref(), &issuer)).into()
        }
        Err(_) => error_page(l, 503, &l.tr("Try again"), &l.tr("The server's database did not answer; try again.")),
    }
}

/// Issues the authorization code of an active grant and returns where to send the person.
async fn code_for(
    svc: &Services<'_>,
    grant: &GrantSummary,
    t: &Ticket,
    issuer: &Issuer,
    l: Lang,
) -> Result<String, Outcome> {
    let code = tokens::issue(Secret::Code)
        .map_err(|_| error_page(l, 500, &l.tr("Sign-in unavailable"), &l.tr("No randomness available.")))?;
    let detail = CodeDetail {
        redirect_uri: t.redirect_uri.clone(),
        redirect_named: t.redirect_named,
        code_challenge: t.code_challenge.clone(),
    };
    let detail = serde_json::to_string(&detail).unwrap_or_default();
    let new = NewToken {
        hash: &code.hash,
        kind: Kind::Code,
        key_id: grant.key_id,
        client_id: &t.client_id,
        detail: Some(&detail),
        expires_at: svc.now + CODE_TTL_MS,
    };
    svc.db.batch(vec![rows::insert(&new, svc.now)]).await.map_err(|_| {
        error_page(l, 503, &l.tr("Try again"), &l.tr("The server's database did not answer; try again."))
    })?;
    Ok(authorize::code_redirect(&t.redirect_uri, &code.secret, t.state.as_deref(), issuer))
}

fn client_label(client: &ClientRow) -> String {
    match &client.name {
        Some(name) => {
            format!("client {} ({})", crate::text::truncate(name, 80), crate::text::truncate(&client.client_id, 120))
        }
        None => format!("client {}", crate::text::truncate(&client.client_id, 120)),
    }
}
