//! The two halves the server is deployed as (Cargo features `mcp` and `admin`, README "Deploy to
//! Cloudflare"): the `/mcp` Worker hands every path of the admin half to the admin Worker
//! (`router::for_admin`), so nothing the full server answers may fall between the two. Checked here on
//! the full server (the native build has both halves): whatever it answers, other than the `/mcp`
//! Worker's own paths, is a path that Worker forwards.

mod support;

use odoo_mcp_edge::router::for_admin;
use support::Harness;

/// What the `/mcp` Worker answers itself.
const MCP_HALF: [&str; 4] = ["/mcp", "/health", "/favicon.ico", "/"];

/// The admin half's paths, and paths next to them that belong to neither.
const CANDIDATES: [&str; 24] = [
    "/admin",
    "/admin/",
    "/admin/api",
    "/admin/api/keys",
    "/admin/api/settings",
    "/admin/health",
    "/admin/keys",
    "/admin/assets/console.js",
    "/authorize",
    "/authorize/wait",
    "/authorize/sign-in.css",
    "/token",
    "/register",
    "/revoke",
    "/.well-known/oauth-authorization-server",
    "/.well-known/oauth-protected-resource",
    "/.well-known/oauth-protected-resource/mcp",
    "/.well-known/openid-configuration",
    "/administrator",
    "/tokens",
    "/authorize2",
    "/.well-known/other",
    "/mcp/extra",
    "/nothing",
];

#[test]
fn the_mcp_worker_keeps_its_own_paths() {
    for path in MCP_HALF {
        assert!(!for_admin(path), "{path}");
    }
    for path in ["/administrator", "/tokens", "/authorize2", "/.well-known/other", "/mcp/extra", "/nothing"] {
        assert!(!for_admin(path), "{path}");
    }
}

#[test]
fn whatever_the_full_server_answers_beyond_mcp_is_forwarded() {
    let h = Harness::new();
    let mut forwarded = 0;
    for path in CANDIDATES {
        for method in ["GET", "POST", "OPTIONS", "PUT"] {
            let r = h.raw(method, path, &[("content-type", "application/json")], b"{}");
            let unknown = r.status == 404 && r.body["error"]["code"] == "not_found";
            if !unknown {
                assert!(for_admin(path), "{method} {path} is answered ({}) but not forwarded", r.status);
                forwarded += 1;
            }
        }
    }
    assert!(forwarded >= 50, "{forwarded}");
}

/// The Odoo API key the admin Worker encrypted, read by a `/mcp` Worker that holds another
/// `CREDENTIALS_KEY`: the call says so, and where to compare the two, without showing either.
#[test]
fn two_workers_with_different_keys_are_told_apart() {
    let mut h = Harness::new();
    let c = h.connection(fake_odoo::OdooVersion::V19, "c", &["res.partner"]);
    let key = h.key(c, fake_odoo::OdooVersion::V19, "admin");
    h.settings.credentials_key = Some([9u8; 32]);
    let mut s = h.session(&key);
    let r = s.tool("odoo_search", serde_json::json!({"model": "res.partner", "limit": 1}));
    assert_eq!(r["isError"], true, "{r}");
    let text = support::text_of(&r);
    assert!(text.contains("credentials_key_id") && text.contains("/admin/health"), "{text}");
}
