//! The authorization server end to end through `lib::serve`, as a client and a person's browser use
//! it: discovery, registration, the sign-in page and its answer as demo2, the code for tokens, refresh,
//! revocation; and each refusal the spec requires (PKCE, a code twice, an unregistered redirect, another
//! resource, a refresh token reused, who may connect, an administrator's decision, a blocked client).

mod support;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use fake_odoo::OdooVersion;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use support::{Harness, Resp, WORKER_ORIGIN};

const REDIRECT: &str = "http://127.0.0.1:33418/callback";
const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
const DEMO2_KEY: &str = "demo2-api-key-000000000000000000000000002";

fn challenge(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

fn form(pairs: &[(&str, &str)]) -> String {
    pairs.iter().map(|(k, v)| format!("{}={}", enc(k), enc(v))).collect::<Vec<_>>().join("&")
}

/// A connection to the fake Odoo 19 with crm.lead readable and OAuth on for `who`.
fn setup(who: &str, logins: &[&str]) -> (Harness, i64) {
    let h = Harness::new();
    let conn = h.connection(OdooVersion::V19, "main", &["crm.lead", "res.partner"]);
    let r = h.admin(
        "PUT",
        &format!("/admin/api/connections/{conn}/oauth"),
        Some(json!({"enabled": true, "who": who, "logins": logins})),
    );
    assert_eq!(r.status, 200, "{}", r.raw);
    (h, conn)
}

fn register(h: &Harness) -> String {
    let r = h.raw(
        "POST",
        "/register",
        &[("content-type", "application/json")],
        json!({"client_name": "Test client", "redirect_uris": [REDIRECT], "token_endpoint_auth_method": "none"})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(r.status, 201, "{}", r.raw);
    r.body["client_id"].as_str().unwrap().to_string()
}

fn authorize_query(client_id: &str, extra: &[(&str, &str)]) -> String {
    let c = challenge(VERIFIER);
    let mut pairs = vec![
        ("response_type", "code"),
        ("client_id", client_id),
        ("redirect_uri", REDIRECT),
        ("state", "xyz"),
        ("code_challenge", &c),
        ("code_challenge_method", "S256"),
        ("resource", "http://127.0.0.1:8787/mcp"),
    ];
    pairs.extend_from_slice(extra);
    form(&pairs)
}

/// The sign-in page: its sealed ticket and the nonce cookie it set.
fn open_page(h: &Harness, client_id: &str) -> (String, String, Resp) {
    let r = h.raw("GET", &format!("/authorize?{}", authorize_query(client_id, &[])), &[], b"");
    assert_eq!(r.status, 200, "{}", r.raw);
    let ticket = r.raw.split("name=ticket value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let cookie = r.header("set-cookie").unwrap().split(';').next().unwrap().to_string();
    (ticket, cookie, r)
}

fn answer(h: &Harness, ticket: &str, cookie: &str, conn: i64, login: &str, key: &str, decision: &str) -> Resp {
    let body = form(&[
        ("ticket", ticket),
        ("connection", &conn.to_string()),
        ("login", login),
        ("api_key", key),
        ("decision", decision),
    ]);
    h.raw(
        "POST",
        "/authorize",
        &[("content-type", "application/x-www-form-urlencoded"), ("cookie", cookie), ("origin", WORKER_ORIGIN)],
        body.as_bytes(),
    )
}

fn query_of(location: &str) -> Vec<(String, String)> {
    let url = url::Url::parse(location).unwrap();
    url.query_pairs().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn param(location: &str, name: &str) -> Option<String> {
    query_of(location).into_iter().find(|(k, _)| k == name).map(|(_, v)| v)
}

fn token(h: &Harness, pairs: &[(&str, &str)]) -> Resp {
    h.raw("POST", "/token", &[("content-type", "application/x-www-form-urlencoded")], form(pairs).as_bytes())
}

fn code_for_demo2(h: &Harness, conn: i64, client_id: &str) -> String {
    let (ticket, cookie, _) = open_page(h, client_id);
    let r = answer(h, &ticket, &cookie, conn, "demo2", DEMO2_KEY, "allow");
    assert_eq!(r.status, 302, "{}", r.raw);
    let location = r.header("location").unwrap();
    assert!(location.starts_with(REDIRECT), "{location}");
    assert_eq!(param(location, "state").as_deref(), Some("xyz"));
    assert_eq!(param(location, "iss").as_deref(), Some(WORKER_ORIGIN));
    param(location, "code").unwrap()
}

fn redeem(h: &Harness, client_id: &str, code: &str, verifier: &str) -> Resp {
    token(
        h,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("client_id", client_id),
            ("redirect_uri", REDIRECT),
            ("code_verifier", verifier),
            ("resource", "http://127.0.0.1:8787/mcp"),
        ],
    )
}

#[test]
fn discovery_points_clients_at_this_server() {
    let (h, _) = setup("ask", &[]);
    let prm = h.raw("GET", "/.well-known/oauth-protected-resource/mcp", &[], b"");
    assert_eq!(prm.status, 200);
    assert_eq!(prm.body["resource"], "http://127.0.0.1:8787/mcp");
    assert_eq!(prm.header("access-control-allow-origin"), Some("*"));
    for path in ["/.well-known/oauth-authorization-server", "/.well-known/openid-configuration"] {
        let asm = h.raw("GET", path, &[], b"");
        assert_eq!(asm.status, 200, "{path}");
        assert_eq!(asm.body["issuer"], prm.body["authorization_servers"][0]);
        assert_eq!(asm.body["code_challenge_methods_supported"], json!(["S256"]));
        assert_eq!(asm.body["authorization_endpoint"], "http://127.0.0.1:8787/authorize");
    }
    assert_eq!(h.raw("OPTIONS", "/token", &[("origin", "https://inspector.example")], b"").status, 204);
}

#[test]
fn demo2_signs_in_and_the_client_gets_rotating_tokens() {
    let (h, conn) = setup("any", &[]);
    let client_id = register(&h);
    let (_, _, page) = open_page(&h, &client_id);
    assert!(
        page.raw.contains("Test client") && page.raw.contains("127.0.0.1"),
        "names the client and where it sends back"
    );
    let csp = page.header("content-security-policy").unwrap();
    assert!(csp.contains("form-action 'self' http://127.0.0.1:*"), "{csp}");

    let code = code_for_demo2(&h, conn, &client_id);
    let r = redeem(&h, &client_id, &code, VERIFIER);
    assert_eq!(r.status, 200, "{}", r.raw);
    assert_eq!(r.header("cache-control"), Some("no-store"));
    assert_eq!(r.body["token_type"], "Bearer");
    assert_eq!(r.body["expires_in"], 3600);
    assert_eq!(r.body["scope"], "odoo.read", "a grant is read-only unless the administrator widens it");
    let access = r.body["access_token"].as_str().unwrap().to_string();
    let refresh = r.body["refresh_token"].as_str().unwrap().to_string();
    assert!(access.starts_with("omat_") && refresh.starts_with("omrt_"));

    // The grant is listed beside the keys, as demo2, and not among them.
    let grants = h.admin("GET", "/admin/api/oauth/grants", None);
    assert_eq!(grants.body["grants"][0]["odoo_login"], "demo2");
    assert_eq!(grants.body["grants"][0]["status"], "active");
    assert_eq!(h.admin("GET", "/admin/api/keys", None).body["keys"], json!([]));
    // Where it acts is set through its key id, as a key's, and listed with the grant.
    let key_id = grants.body["grants"][0]["key_id"].as_i64().unwrap();
    assert_eq!(grants.body["grants"][0]["companies"], json!([]));
    let r = h.admin("PUT", &format!("/admin/api/keys/{key_id}/context"), Some(json!({"tz": "Europe/Paris"})));
    assert_eq!(r.status, 200, "{}", r.raw);
    let grant = h.admin("GET", "/admin/api/oauth/grants", None).body["grants"][0].clone();
    assert_eq!((grant["tz"].as_str(), grant["lang"].as_str()), (Some("Europe/Paris"), None), "{grant}");

    // Refresh rotates; the old refresh token, presented again, revokes the grant.
    let r2 = token(&h, &[("grant_type", "refresh_token"), ("refresh_token", &refresh), ("client_id", &client_id)]);
    assert_eq!(r2.status, 200, "{}", r2.raw);
    assert_ne!(r2.body["refresh_token"], json!(refresh));
    let reused = token(&h, &[("grant_type", "refresh_token"), ("refresh_token", &refresh), ("client_id", &client_id)]);
    assert_eq!((reused.status, reused.body["error"].as_str()), (400, Some("invalid_grant")));
    let newest = r2.body["refresh_token"].as_str().unwrap();
    let after = token(&h, &[("grant_type", "refresh_token"), ("refresh_token", newest), ("client_id", &client_id)]);
    assert_eq!(after.body["error"], "invalid_grant", "the whole grant is gone");
    assert_eq!(h.admin("GET", "/admin/api/oauth/grants", None).body["grants"][0]["status"], "revoked");
    let audit = h.admin("GET", "/admin/api/audit?event=oauth_refresh_reused", None);
    assert_eq!(audit.body["events"].as_array().map(Vec::len), Some(1), "{}", audit.raw);
}

#[test]
fn a_code_needs_its_verifier_works_once_and_only_for_this_resource() {
    let (h, conn) = setup("any", &[]);
    let client_id = register(&h);
    let code = code_for_demo2(&h, conn, &client_id);
    let wrong = redeem(&h, &client_id, &code, &VERIFIER.replace('d', "e"));
    assert_eq!(wrong.body["error"], "invalid_grant");
    // The code was taken by the failed attempt: it does not work a second time either.
    assert_eq!(redeem(&h, &client_id, &code, VERIFIER).body["error"], "invalid_grant");

    let code = code_for_demo2(&h, conn, &client_id);
    let other = token(
        &h,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("client_id", &client_id),
            ("redirect_uri", REDIRECT),
            ("code_verifier", VERIFIER),
            ("resource", "https://other.example/mcp"),
        ],
    );
    assert_eq!(other.body["error"], "invalid_target");

    let code = code_for_demo2(&h, conn, &client_id);
    assert_eq!(redeem(&h, &client_id, &code, VERIFIER).status, 200);
    assert_eq!(redeem(&h, &client_id, &code, VERIFIER).body["error"], "invalid_grant", "a code twice");
    let grants = h.admin("GET", "/admin/api/oauth/grants", None).body["grants"].clone();
    assert!(
        grants.as_array().unwrap().iter().any(|g| g["status"] == "revoked"),
        "a code used twice revokes its grant: {grants}"
    );
}

#[test]
fn an_unregistered_redirect_gets_a_page_never_a_redirect() {
    let (h, _) = setup("any", &[]);
    let client_id = register(&h);
    let query = authorize_query(&client_id, &[]).replace(&enc(REDIRECT), &enc("https://evil.example/cb"));
    let r = h.raw("GET", &format!("/authorize?{query}"), &[], b"");
    assert_eq!(r.status, 400);
    assert!(r.header("location").is_none());
    assert!(r.raw.contains("did not register"));
    let unknown = h.raw("GET", &format!("/authorize?{}", authorize_query("omcl_nobody", &[])), &[], b"");
    assert_eq!((unknown.status, unknown.header("location")), (400, None));
}

#[test]
fn errors_after_the_redirect_is_known_go_back_to_the_client() {
    let (h, _) = setup("any", &[]);
    let client_id = register(&h);
    let no_pkce =
        authorize_query(&client_id, &[]).replace("&code_challenge_method=S256", "&code_challenge_method=plain");
    let r = h.raw("GET", &format!("/authorize?{no_pkce}"), &[], b"");
    assert_eq!(r.status, 302);
    let location = r.header("location").unwrap();
    assert_eq!(param(location, "error").as_deref(), Some("invalid_request"));
    assert_eq!(param(location, "state").as_deref(), Some("xyz"));
    let other =
        authorize_query(&client_id, &[]).replace(&enc("http://127.0.0.1:8787/mcp"), &enc("https://other.example/mcp"));
    let r = h.raw("GET", &format!("/authorize?{other}"), &[], b"");
    assert_eq!(param(r.header("location").unwrap(), "error").as_deref(), Some("invalid_target"));
}

#[test]
fn a_person_may_deny() {
    let (h, conn) = setup("any", &[]);
    let client_id = register(&h);
    let (ticket, cookie, _) = open_page(&h, &client_id);
    let r = answer(&h, &ticket, &cookie, conn, "", "", "deny");
    assert_eq!(r.status, 302);
    assert_eq!(param(r.header("location").unwrap(), "error").as_deref(), Some("access_denied"));
}

#[test]
fn wrong_keys_stay_on_the_page_and_a_forged_answer_is_refused() {
    let (h, conn) = setup("any", &[]);
    let client_id = register(&h);
    let (ticket, cookie, _) = open_page(&h, &client_id);
    let r = answer(&h, &ticket, &cookie, conn, "demo2", "not-the-key", "allow");
    assert_eq!(r.status, 400);
    assert!(r.raw.contains("did not accept this login and API key"));
    assert!(!r.raw.contains("not-the-key"), "the key typed is never shown back");
    let other_browser = answer(&h, &ticket, "omcp_oauth_nonce=someone-elses-nonce", conn, "demo2", DEMO2_KEY, "allow");
    assert_eq!(other_browser.status, 400);
    assert!(other_browser.raw.contains("Start again"));
    let body = form(&[
        ("ticket", &ticket),
        ("connection", &conn.to_string()),
        ("login", "demo2"),
        ("api_key", DEMO2_KEY),
        ("decision", "allow"),
    ]);
    let cross_site = h.raw(
        "POST",
        "/authorize",
        &[
            ("content-type", "application/x-www-form-urlencoded"),
            ("cookie", &cookie),
            ("origin", "https://evil.example"),
        ],
        body.as_bytes(),
    );
    assert_eq!(cross_site.status, 403);
}

#[test]
fn only_listed_logins_may_connect_when_the_administrator_says_so() {
    let (h, conn) = setup("list", &["admin"]);
    let client_id = register(&h);
    let (ticket, cookie, _) = open_page(&h, &client_id);
    let r = answer(&h, &ticket, &cookie, conn, "demo2", DEMO2_KEY, "allow");
    assert_eq!(r.status, 403);
    assert!(r.raw.contains("may not connect"));
    assert_eq!(h.admin("GET", "/admin/api/oauth/grants", None).body["grants"], json!([]));
}

#[test]
fn ask_me_waits_for_the_administrator() {
    let (h, conn) = setup("ask", &[]);
    let client_id = register(&h);
    let (ticket, cookie, _) = open_page(&h, &client_id);
    let r = answer(&h, &ticket, &cookie, conn, "demo2", DEMO2_KEY, "allow");
    assert_eq!(r.status, 200);
    assert!(r.raw.contains("Waiting for approval"));
    let wait = r.raw.split("url=").nth(1).unwrap().split('"').next().unwrap().replace("&amp;", "&");
    let still = h.raw("GET", &wait, &[("cookie", &cookie)], b"");
    assert!(still.raw.contains("Waiting for approval"));

    let grant = h.admin("GET", "/admin/api/oauth/grants", None).body["grants"][0].clone();
    assert_eq!(grant["status"], "pending");
    let id = grant["key_id"].as_i64().unwrap();
    assert_eq!(h.admin("POST", &format!("/admin/api/oauth/grants/{id}/approve"), None).status, 200);
    let done = h.raw("GET", &wait, &[("cookie", &cookie)], b"");
    assert_eq!(done.status, 302, "{}", done.raw);
    let code = param(done.header("location").unwrap(), "code").unwrap();
    assert_eq!(redeem(&h, &client_id, &code, VERIFIER).status, 200);
}

#[test]
fn a_refused_request_goes_back_as_access_denied() {
    let (h, conn) = setup("ask", &[]);
    let client_id = register(&h);
    let (ticket, cookie, _) = open_page(&h, &client_id);
    let r = answer(&h, &ticket, &cookie, conn, "demo2", DEMO2_KEY, "allow");
    let wait = r.raw.split("url=").nth(1).unwrap().split('"').next().unwrap().replace("&amp;", "&");
    let id = h.admin("GET", "/admin/api/oauth/grants", None).body["grants"][0]["key_id"].as_i64().unwrap();
    assert_eq!(h.admin("POST", &format!("/admin/api/oauth/grants/{id}/refuse"), None).status, 200);
    let done = h.raw("GET", &wait, &[("cookie", &cookie)], b"");
    assert_eq!(param(done.header("location").unwrap(), "error").as_deref(), Some("access_denied"));
}

#[test]
fn a_blocked_client_gets_no_page_and_no_token() {
    let (h, conn) = setup("any", &[]);
    let client_id = register(&h);
    let code = code_for_demo2(&h, conn, &client_id);
    let tokens = redeem(&h, &client_id, &code, VERIFIER);
    let refresh = tokens.body["refresh_token"].as_str().unwrap().to_string();
    let r = h.admin("POST", "/admin/api/oauth/clients/block", Some(json!({"client_id": client_id})));
    assert_eq!(r.status, 200, "{}", r.raw);
    let page = h.raw("GET", &format!("/authorize?{}", authorize_query(&client_id, &[])), &[], b"");
    assert_eq!(page.status, 403);
    let refreshed =
        token(&h, &[("grant_type", "refresh_token"), ("refresh_token", &refresh), ("client_id", &client_id)]);
    assert_eq!(refreshed.body["error"], "invalid_client");
}

#[test]
fn revoking_a_refresh_token_ends_the_grant() {
    let (h, conn) = setup("any", &[]);
    let client_id = register(&h);
    let code = code_for_demo2(&h, conn, &client_id);
    let refresh = redeem(&h, &client_id, &code, VERIFIER).body["refresh_token"].as_str().unwrap().to_string();
    let r = h.raw(
        "POST",
        "/revoke",
        &[("content-type", "application/x-www-form-urlencoded")],
        form(&[("token", &refresh), ("client_id", &client_id)]).as_bytes(),
    );
    assert_eq!(r.status, 200);
    assert_eq!(h.admin("GET", "/admin/api/oauth/grants", None).body["grants"][0]["status"], "revoked");
    let unknown = h.raw(
        "POST",
        "/revoke",
        &[("content-type", "application/x-www-form-urlencoded")],
        form(&[("token", "omrt_whatever"), ("client_id", &client_id)]).as_bytes(),
    );
    assert_eq!(unknown.status, 200, "RFC 7009: the same answer whatever was found");
}

#[test]
fn registration_refuses_what_it_cannot_serve() {
    let (h, _) = setup("ask", &[]);
    let r = h.raw(
        "POST",
        "/register",
        &[("content-type", "application/json")],
        br#"{"redirect_uris": ["http://evil.example/cb"]}"#,
    );
    assert_eq!((r.status, r.body["error"].as_str()), (400, Some("invalid_redirect_uri")));
    let twice = h.raw(
        "POST",
        "/register",
        &[("content-type", "application/json")],
        br#"{"redirect_uris": ["http://127.0.0.1/cb"], "redirect_uris": []}"#,
    );
    assert_eq!(twice.status, 400);
    let confidential = h.raw(
        "POST",
        "/register",
        &[("content-type", "application/json")],
        br#"{"redirect_uris": ["https://n8n.example.com/rest/oauth2-credential/callback"]}"#,
    );
    assert_eq!(confidential.status, 201);
    assert!(confidential.body["client_secret"].as_str().unwrap().starts_with("omcs_"));
    let _: Value = confidential.body;
}

#[test]
fn a_token_works_on_mcp_as_demo2_survives_a_refresh_and_stops_when_revoked() {
    let (h, conn) = setup("any", &[]);
    let client_id = register(&h);
    let code = code_for_demo2(&h, conn, &client_id);
    let tokens = redeem(&h, &client_id, &code, VERIFIER);
    let access = tokens.body["access_token"].as_str().unwrap().to_string();
    let refresh = tokens.body["refresh_token"].as_str().unwrap().to_string();

    let mut s = h.session(&access);
    let names: Vec<String> = s.request("tools/list", json!({}))["result"]["tools"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect();
    assert!(names.contains(&"odoo_search".to_string()), "{names:?}");
    let found = s.tool("odoo_search", json!({"model": "crm.lead", "fields": ["name", "user_id"], "limit": 50}));
    assert_ne!(found["isError"], json!(true), "{found}");
    // demo2 sees only their own leads: the token works as that Odoo user, not as an administrator.
    let users: Vec<Value> =
        found["structuredContent"]["records"].as_array().unwrap().iter().map(|r| r["user_id"].clone()).collect();
    assert!(!users.is_empty() && users.iter().all(|u| u[1] != "Mitchell Admin"), "{users:?}");
    // A read-only grant writes nothing: the client is told which scope to ask the person for.
    let write = s.post(&json!({"jsonrpc": "2.0", "id": 50, "method": "tools/call",
        "params": {"name": "odoo_create", "arguments": {"model": "crm.lead", "values": {"name": "x"}}}}));
    assert_eq!(write.status, 403, "{}", write.raw);
    let challenge = write.header("www-authenticate").unwrap();
    assert!(
        challenge.contains("error=\"insufficient_scope\"") && challenge.contains("scope=\"odoo.read odoo.write\""),
        "{challenge}"
    );
    assert!(challenge.contains("resource_metadata="), "{challenge}");
    let action = s.post(&json!({"jsonrpc": "2.0", "id": 51, "method": "tools/call",
        "params": {"name": "odoo_action", "arguments": {"model": "crm.lead", "ids": [3], "action": "action_set_lost"}}}));
    assert_eq!(action.status, 403, "an action needs odoo.write: {}", action.raw);
    assert!(action.header("www-authenticate").unwrap().contains("scope=\"odoo.read odoo.write\""));

    // A refresh hands the same session a new token; the old one stops.
    let r = token(&h, &[("grant_type", "refresh_token"), ("refresh_token", &refresh), ("client_id", &client_id)]);
    let fresh = r.body["access_token"].as_str().unwrap().to_string();
    s.key = fresh.clone();
    assert!(
        s.request("tools/list", json!({}))["result"]["tools"].is_array(),
        "the session lives on under the new token"
    );
    s.key = access.clone();
    let old = s.post(&json!({"jsonrpc": "2.0", "id": 99, "method": "tools/list"}));
    assert_eq!(old.status, 401);
    let challenge = old.header("www-authenticate").unwrap();
    assert!(
        challenge.contains("resource_metadata=\"http://127.0.0.1:8787/.well-known/oauth-protected-resource/mcp\""),
        "{challenge}"
    );

    // An expired access token is refused until refreshed.
    s.key = fresh.clone();
    *h.now.borrow_mut() += 3_600_001;
    assert_eq!(s.post(&json!({"jsonrpc": "2.0", "id": 100, "method": "tools/list"})).status, 401);
    *h.now.borrow_mut() -= 3_600_001;

    // The administrator revokes: refused at once.
    let id = h.admin("GET", "/admin/api/oauth/grants", None).body["grants"][0]["key_id"].as_i64().unwrap();
    assert_eq!(h.admin("POST", &format!("/admin/api/oauth/grants/{id}/revoke"), None).status, 200);
    let after = s.post(&json!({"jsonrpc": "2.0", "id": 101, "method": "tools/list"}));
    assert_eq!(after.status, 401, "{}", after.raw);
}

#[test]
fn a_revoked_access_token_stops_but_its_grant_refreshes() {
    let (h, conn) = setup("any", &[]);
    let client_id = register(&h);
    let code = code_for_demo2(&h, conn, &client_id);
    let tokens = redeem(&h, &client_id, &code, VERIFIER);
    let access = tokens.body["access_token"].as_str().unwrap().to_string();
    let refresh = tokens.body["refresh_token"].as_str().unwrap().to_string();
    let mut s = h.session(&access);
    let r = h.raw(
        "POST",
        "/revoke",
        &[("content-type", "application/x-www-form-urlencoded")],
        form(&[("token", &access), ("client_id", &client_id)]).as_bytes(),
    );
    assert_eq!(r.status, 200);
    let initialize = json!({"jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}});
    assert_eq!(h.post_mcp(&access, None, &[], &initialize.to_string()).status, 401);
    assert_eq!(s.post(&json!({"jsonrpc": "2.0", "id": 98, "method": "tools/list"})).status, 401);
    let next = token(&h, &[("grant_type", "refresh_token"), ("refresh_token", &refresh), ("client_id", &client_id)]);
    let fresh = next.body["access_token"].as_str().unwrap();
    assert_eq!(h.post_mcp(fresh, None, &[], &initialize.to_string()).status, 200);
    // The session opened with the revoked token is the grant's: the refresh carries it on, as after an
    // expiry (the TS SDK refreshes on the 401 and goes on in the same session).
    s.key = fresh.to_string();
    assert!(
        s.request("tools/list", json!({}))["result"]["tools"].is_array(),
        "the session lives on under the new token"
    );
}

#[test]
fn guessing_codes_is_throttled_per_address() {
    let (h, _) = setup("any", &[]);
    let client_id = register(&h);
    let limit = h.settings.auth_failures_per_minute as usize;
    let guess = |n: usize| {
        let code = format!("omac_{:0>43}", n);
        h.raw(
            "POST",
            "/token",
            &[("content-type", "application/x-www-form-urlencoded"), ("cf-connecting-ip", "203.0.113.9")],
            form(&[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("client_id", &client_id),
                ("code_verifier", VERIFIER),
            ])
            .as_bytes(),
        )
    };
    // The registration counted once against this test's address ("unknown"); guesses come from another.
    for n in 0..limit {
        assert_eq!(guess(n).status, 400, "guess {n}");
    }
    let refused = guess(limit);
    assert_eq!(refused.status, 429, "{}", refused.raw);
    assert!(refused.header("retry-after").is_some());
}

#[test]
fn nothing_is_advertised_until_a_connection_offers_oauth() {
    let h = Harness::new();
    let conn = h.connection(OdooVersion::V19, "main", &["crm.lead"]);
    let key = h.key(conn, OdooVersion::V19, "demo2");
    assert_eq!(h.raw("GET", "/.well-known/oauth-protected-resource/mcp", &[], b"").status, 404);
    assert_eq!(h.raw("GET", "/.well-known/oauth-authorization-server", &[], b"").status, 404);
    let register = h.raw(
        "POST",
        "/register",
        &[("content-type", "application/json")],
        br#"{"redirect_uris": ["http://127.0.0.1/cb"]}"#,
    );
    assert_eq!(register.status, 404);
    let wrong = h.post_mcp(&format!("{key}x"), None, &[], r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#);
    assert_eq!(wrong.status, 401);
    let challenge = wrong.header("www-authenticate").unwrap();
    assert!(
        !challenge.contains("resource_metadata"),
        "a key client is not sent to a sign-in that cannot succeed: {challenge}"
    );

    let r =
        h.admin("PUT", &format!("/admin/api/connections/{conn}/oauth"), Some(json!({"enabled": true, "who": "ask"})));
    assert_eq!(r.status, 200);
    assert_eq!(h.raw("GET", "/.well-known/oauth-protected-resource/mcp", &[], b"").status, 200);
    let wrong = h.post_mcp(&format!("{key}x"), None, &[], r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#);
    assert!(wrong.header("www-authenticate").unwrap().contains("resource_metadata="));
}

#[test]
fn a_browser_that_signed_in_before_only_confirms() {
    let (h, conn) = setup("any", &[]);
    let client_id = register(&h);
    let (ticket, cookie, _) = open_page(&h, &client_id);
    let first = answer(&h, &ticket, &cookie, conn, "demo2", DEMO2_KEY, "allow");
    assert_eq!(first.status, 302);
    let person =
        first.headers.iter().find(|(k, v)| k == "set-cookie" && v.starts_with("omcp_oauth_person=")).unwrap().1.clone();
    let person = person.split(';').next().unwrap().to_string();

    // Another client, the same browser: the page offers to continue as demo2, with no key typed.
    let other = register(&h);
    let both = format!("{cookie}; {person}");
    let r = h.raw("GET", &format!("/authorize?{}", authorize_query(&other, &[])), &[("cookie", &both)], b"");
    assert!(r.raw.contains("Continue as demo2"), "{}", r.raw);
    let ticket = r.raw.split("name=ticket value=\"").nth(1).unwrap().split('"').next().unwrap().to_string();
    let body =
        form(&[("ticket", &ticket), ("connection", &conn.to_string()), ("remembered", "1"), ("decision", "allow")]);
    let confirmed = h.raw(
        "POST",
        "/authorize",
        &[("content-type", "application/x-www-form-urlencoded"), ("cookie", &both), ("origin", WORKER_ORIGIN)],
        body.as_bytes(),
    );
    assert_eq!(confirmed.status, 302, "{}", confirmed.raw);
    let code = param(confirmed.header("location").unwrap(), "code").unwrap();
    assert_eq!(redeem(&h, &other, &code, VERIFIER).status, 200);
    let grants = h.admin("GET", "/admin/api/oauth/grants", None).body["grants"].clone();
    assert_eq!(grants.as_array().unwrap().len(), 2);
    assert!(grants.as_array().unwrap().iter().all(|g| g["odoo_login"] == "demo2"));

    // Without the remembered person, confirming is refused and the key must be typed.
    let r = h.raw("GET", &format!("/authorize?{}", authorize_query(&other, &[])), &[("cookie", &cookie)], b"");
    assert!(!r.raw.contains("Continue as"));
}

#[test]
fn a_grant_that_writes_but_may_not_run_actions_gets_the_tools_refusal_not_a_challenge() {
    let (h, conn) = setup("any", &[]);
    // A default scope saved before actions existed: read, create and update.
    let r = h.admin(
        "PUT",
        &format!("/admin/api/connections/{conn}/oauth"),
        Some(
            json!({"enabled": true, "who": "any", "logins": [], "scope": {"operations": ["read", "create", "update"]}}),
        ),
    );
    assert_eq!(r.status, 200, "{}", r.raw);
    let r = h.admin(
        "PUT",
        &format!("/admin/api/connections/{conn}/models/crm.lead"),
        Some(json!({"read": true, "actions": ["action_set_lost"]})),
    );
    assert_eq!(r.status, 200, "{}", r.raw);
    let client_id = register(&h);
    let code = code_for_demo2(&h, conn, &client_id);
    let tokens = redeem(&h, &client_id, &code, VERIFIER);
    assert_eq!(tokens.body["scope"], "odoo.read odoo.write", "{}", tokens.raw);
    let mut s = h.session(tokens.body["access_token"].as_str().unwrap());
    // Asking the person for odoo.write again could not help: the tool says why instead.
    let r = s.post(&json!({"jsonrpc": "2.0", "id": 7, "method": "tools/call",
        "params": {"name": "odoo_action", "arguments": {"model": "crm.lead", "ids": [3], "action": "action_set_lost"}}}));
    assert_eq!(r.status, 200, "{}", r.raw);
    let text = r.body["result"]["content"][0]["text"].as_str().unwrap_or_default().to_string();
    assert!(text.contains("scope does not include running actions on"), "{}", r.raw);
}

#[test]
fn the_sign_in_page_speaks_the_persons_language() {
    let (h, _) = setup("any", &[]);
    let client_id = register(&h);
    let url = format!("/authorize?{}", authorize_query(&client_id, &[]));
    let fr = h.raw("GET", &url, &[("accept-language", "fr-BE,fr;q=0.9,en;q=0.5")], b"");
    assert_eq!(fr.status, 200, "{}", fr.raw);
    assert!(fr.raw.contains("<html lang=fr dir=ltr>"), "{}", &fr.raw[..200]);
    assert!(fr.raw.contains("Se connecter à Odoo") && fr.raw.contains(">Autoriser<") && fr.raw.contains("Mon profil"));
    assert!(fr.raw.contains("Test client") && fr.raw.contains("veut travailler dans Odoo en votre nom"));
    let ar = h.raw("GET", &url, &[("accept-language", "ar")], b"");
    assert!(ar.raw.contains("<html lang=ar dir=rtl>") && ar.raw.contains("الاتصال بـ Odoo"));
    // The console's choice, remembered in its cookie, wins here too; English otherwise.
    let ja = h.raw("GET", &url, &[("accept-language", "fr"), ("cookie", "omcp_lang=ja")], b"");
    assert!(ja.raw.contains("<html lang=ja") && ja.raw.contains("Odoo に接続"));
    let en = h.raw("GET", &url, &[], b"");
    assert!(en.raw.contains("<html lang=en dir=ltr>") && en.raw.contains("Connect to Odoo"));
    // An error page is in the language too.
    let bad = h.raw("GET", "/authorize?response_type=code", &[("accept-language", "de")], b"");
    assert!(bad.raw.contains("Dieser Anmeldelink ist ungültig"), "{}", bad.raw);
}
