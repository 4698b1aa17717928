//! The authorization request (OAuth 2.1 §4.1.1), checked in the order that decides where an error may
//! go: until the client and its redirect URI are known good, an error is shown on a page here (sending
//! it to an unchecked redirect would make this server an open redirector); after, it goes back to the
//! client by redirect, with `state` and `iss` (RFC 9207).

use super::error::OAuthError;
use super::params::Params;
use super::redirect;
use super::resource::Issuer;
use super::{pkce, scope};
use crate::access::Operation;

/// `state` is the client's; this much of it is kept and echoed.
const MAX_STATE_LEN: usize = 1024;

/// An error shown on this server's page: the client or its redirect cannot be trusted with it.
#[derive(Debug, PartialEq)]
pub struct PageError(pub String);

/// The redirect URI to use: the one named, if registered (exactly; a loopback one with any port); or,
/// when none is named, the client's only one.
pub fn redirect_uri(p: &Params, registered: &[String]) -> Result<String, PageError> {
    match p.get("redirect_uri") {
        Some(named) => redirect::find(registered, named).map(|_| named.to_string()).ok_or_else(|| {
            PageError(format!(
                "The application asked to send you back to {}, which it did not register. Nothing was sent to it.",
                crate::text::truncate(named, 200)
            ))
        }),
        None if registered.len() == 1 => Ok(registered[0].clone()),
        None => Err(PageError("The application did not say where to send you back (redirect_uri).".into())),
    }
}

/// What the rest of the request asks for, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub state: Option<String>,
    pub code_challenge: String,
    /// The operations the grant will allow: what the client asked within what the administrator allows.
    pub operations: Vec<Operation>,
}

/// Everything after the redirect: response type, PKCE, the resource and the scope. Errors go back to the
/// client (`error_redirect`).
pub fn check(p: &Params, issuer: &Issuer, allowed: &[Operation]) -> Result<Checked, OAuthError> {
    match p.get("response_type") {
        Some("code") => {}
        Some(_) => return Err(OAuthError::new("unsupported_response_type", "only response_type=code is served")),
        None => return Err(OAuthError::invalid_request("response_type is required (code)")),
    }
    let state = p.get("state").map(str::to_string);
    if state.as_ref().is_some_and(|s| s.len() > MAX_STATE_LEN) {
        return Err(OAuthError::invalid_request(format!("state must be at most {MAX_STATE_LEN} characters")));
    }
    let code_challenge = pkce::check_challenge(p.get("code_challenge"), p.get("code_challenge_method"))?;
    issuer.check_resource(p.get("resource"))?;
    let operations = scope::grant(p.get("scope"), allowed)?;
    Ok(Checked { state, code_challenge, operations })
}

/// `redirect_uri` with `pairs` added to its query (keeping any query it has), as the client gets an
/// authorization response.
pub fn redirect_with(redirect_uri: &str, pairs: &[(&str, &str)]) -> String {
    match url::Url::parse(redirect_uri) {
        Ok(mut url) => {
            url.query_pairs_mut().extend_pairs(pairs);
            url.to_string()
        }
        // Registered URIs parse (registration checks them); keep the original rather than guess.
        Err(_) => redirect_uri.to_string(),
    }
}

/// The error response of RFC 6749 §4.1.2.1, with `iss` (RFC 9207).
pub fn error_redirect(redirect_uri: &str, error: &OAuthError, state: Option<&str>, issuer: &Issuer) -> String {
    let mut pairs = vec![("error", error.code), ("error_description", error.description.as_str())];
    if let Some(state) = state {
        pairs.push(("state", state));
    }
    pairs.push(("iss", issuer.id()));
    redirect_with(redirect_uri, &pairs)
}

/// The success response: the code, `state` and `iss`.
pub fn code_redirect(redirect_uri: &str, code: &str, state: Option<&str>, issuer: &Issuer) -> String {
    let mut pairs = vec![("code", code)];
    if let Some(state) = state {
        pairs.push(("state", state));
    }
    pairs.push(("iss", issuer.id()));
    redirect_with(redirect_uri, &pairs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use Operation::*;

    const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

    fn issuer() -> Issuer {
        Issuer::of("https://mcp.example.com/authorize").unwrap()
    }

    fn request(extra: &str) -> Params {
        Params::parse(&format!(
            "response_type=code&client_id=omcl_x&redirect_uri=http%3A%2F%2F127.0.0.1%3A5000%2Fcb&state=s1\
             &code_challenge={CHALLENGE}&code_challenge_method=S256&resource=https%3A%2F%2Fmcp.example.com%2Fmcp{extra}"
        ))
        .unwrap()
    }

    #[test]
    fn an_unregistered_redirect_is_an_error_page_never_a_redirect() {
        let registered = vec!["http://127.0.0.1/cb".to_string()];
        assert_eq!(redirect_uri(&request(""), &registered).unwrap(), "http://127.0.0.1:5000/cb");
        let evil = Params::parse("redirect_uri=https%3A%2F%2Fevil.example%2Fcb").unwrap();
        assert!(redirect_uri(&evil, &registered).unwrap_err().0.contains("did not register"));
        assert_eq!(redirect_uri(&Params::default(), &registered).unwrap(), "http://127.0.0.1/cb");
        let two = vec!["https://a.example/cb".to_string(), "https://b.example/cb".to_string()];
        assert!(redirect_uri(&Params::default(), &two).is_err());
    }

    #[test]
    fn the_rest_is_checked_and_errors_go_back_with_state_and_iss() {
        let checked = check(&request("&scope=odoo.read"), &issuer(), &[Read, Create, Update]).unwrap();
        assert_eq!(checked.operations, vec![Read]);
        assert_eq!(checked.state.as_deref(), Some("s1"));
        assert_eq!(check(&request(""), &issuer(), &[Read]).unwrap().operations, vec![Read]);

        let no_resource =
            Params::parse(&format!("response_type=code&code_challenge={CHALLENGE}&code_challenge_method=S256"))
                .unwrap();
        assert_eq!(check(&no_resource, &issuer(), &[Read]).unwrap_err().code, "invalid_target");
        let token = Params::parse("response_type=token").unwrap();
        assert_eq!(check(&token, &issuer(), &[Read]).unwrap_err().code, "unsupported_response_type");
        assert_eq!(check(&request("&scope=admin"), &issuer(), &[Read]).unwrap_err().code, "invalid_scope");

        let err = OAuthError::new("access_denied", "the person declined");
        let to = error_redirect("http://127.0.0.1:5000/cb?keep=1", &err, Some("s 1"), &issuer());
        assert_eq!(
            to,
            "http://127.0.0.1:5000/cb?keep=1&error=access_denied&error_description=the+person+declined&state=s+1&iss=https%3A%2F%2Fmcp.example.com"
        );
        assert_eq!(
            code_redirect("https://claude.ai/api/mcp/auth_callback", "omac_x", None, &issuer()),
            "https://claude.ai/api/mcp/auth_callback?code=omac_x&iss=https%3A%2F%2Fmcp.example.com"
        );
    }
}
