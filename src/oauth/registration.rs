//! What a client is, from either way it introduces itself: Dynamic Client Registration (RFC 7591), a
//! JSON body posted to `/register`; or a Client ID Metadata Document, where the `client_id` is an https
//! URL whose document says the same things. Both give a `ClientMetadata`, checked the same way. Fields
//! this server does not use are ignored, as RFC 7591 §2 requires; the ones it uses are checked strictly.

use super::error::OAuthError;
use super::redirect;
use serde_json::Value;

/// At most this many redirect URIs, each at most this long: a registration is stored.
const MAX_REDIRECTS: usize = 10;
const MAX_URI_LEN: usize = 2000;
const MAX_NAME_LEN: usize = 200;

/// How the client proves itself at the token endpoint.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum AuthMethod {
    /// A public client: PKCE alone proves the code's holder.
    None,
    ClientSecretBasic,
    ClientSecretPost,
}

impl AuthMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            AuthMethod::None => "none",
            AuthMethod::ClientSecretBasic => "client_secret_basic",
            AuthMethod::ClientSecretPost => "client_secret_post",
        }
    }

    pub fn parse(s: &str) -> Option<AuthMethod> {
        match s {
            "none" => Some(AuthMethod::None),
            "client_secret_basic" => Some(AuthMethod::ClientSecretBasic),
            "client_secret_post" => Some(AuthMethod::ClientSecretPost),
            _ => None,
        }
    }

    pub fn has_secret(self) -> bool {
        self != AuthMethod::None
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ClientMetadata {
    /// As the client names itself; shown on the sign-in page as the client's claim, never trusted.
    pub name: Option<String>,
    pub redirect_uris: Vec<String>,
    pub auth_method: AuthMethod,
    /// The client's home page, if it gave one (shown beside its name).
    pub client_uri: Option<String>,
}

fn invalid(description: impl Into<String>) -> OAuthError {
    OAuthError::new("invalid_client_metadata", description)
}

fn optional_text(body: &Value, field: &str, max: usize) -> Result<Option<String>, OAuthError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.chars().count() <= max && !s.chars().any(char::is_control) => {
            Ok(Some(s.trim().to_string()).filter(|s| !s.is_empty()))
        }
        Some(Value::String(_)) => Err(invalid(format!("{field} must be at most {max} characters of text"))),
        Some(_) => Err(invalid(format!("{field} must be a string"))),
    }
}

fn redirect_uris(body: &Value) -> Result<Vec<String>, OAuthError> {
    let list = match body.get("redirect_uris") {
        Some(Value::Array(list)) if !list.is_empty() => list,
        Some(Value::Array(_)) | None | Some(Value::Null) => {
            return Err(OAuthError::new("invalid_redirect_uri", "redirect_uris must list at least one URI"))
        }
        Some(_) => return Err(OAuthError::new("invalid_redirect_uri", "redirect_uris must be an array of URIs")),
    };
    if list.len() > MAX_REDIRECTS {
        return Err(OAuthError::new("invalid_redirect_uri", format!("at most {MAX_REDIRECTS} redirect_uris")));
    }
    list.iter()
        .map(|uri| {
            let uri = uri.as_str().filter(|u| u.len() <= MAX_URI_LEN).ok_or_else(|| {
                OAuthError::new("invalid_redirect_uri", "each redirect URI must be a string of at most 2000 characters")
            })?;
            redirect::check_registrable(uri).map_err(|why| {
                OAuthError::new(
                    "invalid_redirect_uri",
                    format!("redirect URI '{}' {why}", crate::text::truncate(uri, 100)),
                )
            })?;
            Ok(uri.to_string())
        })
        .collect()
}

/// The grant and response types: only the authorization code flow (with refresh) is served.
fn check_flows(body: &Value) -> Result<(), OAuthError> {
    let listed = |field: &str| -> Result<Vec<String>, OAuthError> {
        match body.get(field) {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|i| i.as_str().map(str::to_string).ok_or_else(|| invalid(format!("{field} must be strings"))))
                .collect(),
            Some(_) => Err(invalid(format!("{field} must be an array"))),
        }
    };
    if let Some(bad) = listed("grant_types")?.iter().find(|g| *g != "authorization_code" && *g != "refresh_token") {
        return Err(invalid(format!(
            "grant type '{}' is not served: use authorization_code (and refresh_token)",
            crate::text::truncate(bad, 60)
        )));
    }
    if let Some(bad) = listed("response_types")?.iter().find(|r| *r != "code") {
        return Err(invalid(format!("response type '{}' is not served: use code", crate::text::truncate(bad, 60))));
    }
    Ok(())
}

fn auth_method(body: &Value, default: AuthMethod) -> Result<AuthMethod, OAuthError> {
    match body.get("token_endpoint_auth_method") {
        None | Some(Value::Null) => Ok(default),
        Some(Value::String(s)) => AuthMethod::parse(s).ok_or_else(|| {
            invalid(format!(
                "token_endpoint_auth_method '{}' is not supported: use none, client_secret_basic or client_secret_post",
                crate::text::truncate(s, 60)
            ))
        }),
        Some(_) => Err(invalid("token_endpoint_auth_method must be a string")),
    }
}

/// A Dynamic Client Registration request (RFC 7591 §2). Its default authentication method is
/// `client_secret_basic`, as the RFC says; MCP clients ask for `none`.
pub fn from_registration(body: &Value) -> Result<ClientMetadata, OAuthError> {
    if !body.is_object() {
        return Err(invalid("the registration must be a JSON object"));
    }
    check_flows(body)?;
    Ok(ClientMetadata {
        name: optional_text(body, "client_name", MAX_NAME_LEN)?,
        redirect_uris: redirect_uris(body)?,
        auth_method: auth_method(body, AuthMethod::ClientSecretBasic)?,
        client_uri: optional_text(body, "client_uri", MAX_URI_LEN)?,
    })
}

/// Whether a `client_id` is the URL of a metadata document rather than an id this server issued.
pub fn is_metadata_url(client_id: &str) -> bool {
    client_id.starts_with("https://")
}

/// Checks a metadata document URL before it is fetched: https, a path, no fragment, no user name, no
/// dot segments (the document must name exactly this URL as its `client_id`).
pub fn check_metadata_url(client_id: &str) -> Result<url::Url, OAuthError> {
    let refuse = |why: &str| {
        OAuthError::new("invalid_client", format!("client_id '{}' {why}", crate::text::truncate(client_id, 100)))
    };
    let url = url::Url::parse(client_id).map_err(|_| refuse("is not a URL"))?;
    if url.scheme() != "https" {
        return Err(refuse("must be an https URL"));
    }
    if url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("must have no fragment and no user name"));
    }
    if url.path() == "/" || client_id.split('/').any(|seg| seg == "." || seg == "..") {
        return Err(refuse("must have a path, without . or .. segments"));
    }
    if url.as_str() != client_id {
        return Err(refuse("must be written in its normal form"));
    }
    Ok(url)
}

/// A Client ID Metadata Document fetched from `client_id`: it must name that same URL, and a public
/// client has no secret to register.
pub fn from_metadata_document(client_id: &str, doc: &Value) -> Result<ClientMetadata, OAuthError> {
    if doc.get("client_id").and_then(Value::as_str) != Some(client_id) {
        return Err(OAuthError::new("invalid_client", "the metadata document's client_id is not its own URL"));
    }
    if doc.get("client_secret").is_some() || doc.get("client_secret_expires_at").is_some() {
        return Err(OAuthError::new("invalid_client", "a metadata document must not hold a client secret"));
    }
    check_flows(doc).map_err(|e| OAuthError::new("invalid_client", e.description))?;
    let method = auth_method(doc, AuthMethod::None).map_err(|e| OAuthError::new("invalid_client", e.description))?;
    if method != AuthMethod::None {
        return Err(OAuthError::new(
            "invalid_client",
            "a metadata document client must use token_endpoint_auth_method none",
        ));
    }
    Ok(ClientMetadata {
        name: optional_text(doc, "client_name", MAX_NAME_LEN)
            .map_err(|e| OAuthError::new("invalid_client", e.description))?,
        redirect_uris: redirect_uris(doc).map_err(|e| OAuthError::new("invalid_client", e.description))?,
        auth_method: method,
        client_uri: optional_text(doc, "client_uri", MAX_URI_LEN)
            .map_err(|e| OAuthError::new("invalid_client", e.description))?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_dcr_request_as_mcp_clients_send_it() {
        let body = json!({
            "client_name": "Claude",
            "redirect_uris": ["https://claude.ai/api/mcp/auth_callback"],
            "grant_types": ["authorization_code", "refresh_token"],
            "response_types": ["code"],
            "token_endpoint_auth_method": "none",
            "scope": "odoo.read",
            "software_statement_extra": {"ignored": true}
        });
        let meta = from_registration(&body).unwrap();
        assert_eq!(meta.name.as_deref(), Some("Claude"));
        assert_eq!(meta.auth_method, AuthMethod::None);
        assert_eq!(meta.redirect_uris, vec!["https://claude.ai/api/mcp/auth_callback"]);
        let bare = from_registration(&json!({"redirect_uris": ["http://127.0.0.1:5000/cb"]})).unwrap();
        assert_eq!(bare.auth_method, AuthMethod::ClientSecretBasic, "RFC 7591's default");
    }

    #[test]
    fn bad_registrations_say_what_is_wrong() {
        let cases = [
            (json!({}), "invalid_redirect_uri"),
            (json!({"redirect_uris": []}), "invalid_redirect_uri"),
            (json!({"redirect_uris": ["http://evil.example/cb"]}), "invalid_redirect_uri"),
            (json!({"redirect_uris": ["javascript:alert(1)"]}), "invalid_redirect_uri"),
            (json!({"redirect_uris": "https://a.example/cb"}), "invalid_redirect_uri"),
            (
                json!({"redirect_uris": ["https://a.example/cb"], "grant_types": ["client_credentials"]}),
                "invalid_client_metadata",
            ),
            (
                json!({"redirect_uris": ["https://a.example/cb"], "response_types": ["token"]}),
                "invalid_client_metadata",
            ),
            (
                json!({"redirect_uris": ["https://a.example/cb"], "token_endpoint_auth_method": "private_key_jwt"}),
                "invalid_client_metadata",
            ),
            (
                json!({"redirect_uris": ["https://a.example/cb"], "client_name": "x".repeat(201)}),
                "invalid_client_metadata",
            ),
            (json!(["not an object"]), "invalid_client_metadata"),
        ];
        for (body, code) in cases {
            assert_eq!(from_registration(&body).unwrap_err().code, code, "{body}");
        }
    }

    #[test]
    fn a_metadata_document_names_itself() {
        let id = "https://client.example.com/oauth/metadata.json";
        assert!(is_metadata_url(id) && check_metadata_url(id).is_ok());
        let doc = json!({"client_id": id, "client_name": "Example", "redirect_uris": ["http://127.0.0.1/cb"]});
        assert_eq!(from_metadata_document(id, &doc).unwrap().auth_method, AuthMethod::None);
        let other =
            json!({"client_id": "https://client.example.com/other.json", "redirect_uris": ["http://127.0.0.1/cb"]});
        assert_eq!(from_metadata_document(id, &other).unwrap_err().code, "invalid_client");
        let secret = json!({"client_id": id, "client_secret": "s", "redirect_uris": ["http://127.0.0.1/cb"]});
        assert_eq!(from_metadata_document(id, &secret).unwrap_err().code, "invalid_client");
        for bad in [
            "http://client.example.com/meta.json",
            "https://client.example.com/",
            "https://client.example.com/a/../meta.json",
            "https://user@client.example.com/meta.json",
            "https://client.example.com/meta.json#x",
            "https://CLIENT.example.com/meta.json",
        ] {
            assert!(check_metadata_url(bad).is_err(), "{bad}");
        }
    }
}
