//! The parameters of an OAuth request (an authorization URL's query, a token request's form body).
//! RFC 6749 §3.1 and §3.2: no parameter may be sent twice, and one sent empty counts as not sent.

use super::error::OAuthError;
use std::collections::BTreeMap;

/// At most this many parameters, each at most this long: enough for every real request.
const MAX_PARAMS: usize = 32;
const MAX_VALUE_LEN: usize = 4096;

#[derive(Debug, Default, Clone, PartialEq)]
pub struct Params(BTreeMap<String, String>);

impl Params {
    pub fn parse(encoded: &str) -> Result<Params, OAuthError> {
        let mut map = BTreeMap::new();
        for (name, value) in url::form_urlencoded::parse(encoded.as_bytes()) {
            if value.len() > MAX_VALUE_LEN {
                let shown = crate::text::truncate(&name, 40).to_string();
                return Err(OAuthError::invalid_request(format!("parameter '{shown}' is too long")));
            }
            if map.insert(name.to_string(), value.to_string()).is_some() {
                let shown = crate::text::truncate(&name, 40).to_string();
                return Err(OAuthError::invalid_request(format!("parameter '{shown}' is given more than once")));
            }
            if map.len() > MAX_PARAMS {
                return Err(OAuthError::invalid_request("too many parameters"));
            }
        }
        Ok(Params(map))
    }

    /// A parameter's value; an empty one is absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    pub fn require(&self, name: &str) -> Result<&str, OAuthError> {
        self.get(name).ok_or_else(|| OAuthError::invalid_request(format!("{name} is required")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_are_decoded_once_each() {
        let p =
            Params::parse("grant_type=authorization_code&redirect_uri=http%3A%2F%2F127.0.0.1%2Fcb&state=a+b&empty=")
                .unwrap();
        assert_eq!(p.get("redirect_uri"), Some("http://127.0.0.1/cb"));
        assert_eq!(p.get("state"), Some("a b"));
        assert_eq!(p.get("empty"), None);
        assert_eq!(p.require("code").unwrap_err().code, "invalid_request");
        assert_eq!(Params::parse("code=a&code=b").unwrap_err().code, "invalid_request");
        assert!(Params::parse(&format!("state={}", "x".repeat(5000))).is_err());
    }
}
