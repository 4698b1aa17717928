//! This server's identity as OAuth sees it: the issuer (the Worker's origin) and the one resource it
//! protects, `<origin>/mcp` (RFC 8707). Both come from the URL the request arrived at, so a Worker on
//! a custom domain names itself by that domain.

use super::error::OAuthError;
use url::Url;

/// The path of the protected resource.
pub const MCP_PATH: &str = "/mcp";

#[derive(Debug, Clone, PartialEq)]
pub struct Issuer {
    /// `scheme://host[:port]`, lower case, no trailing slash.
    origin: String,
}

impl Issuer {
    /// The issuer of a request to `url` (any path of this Worker).
    pub fn of(url: &str) -> Option<Issuer> {
        let parsed = Url::parse(url).ok()?;
        match parsed.origin() {
            origin @ url::Origin::Tuple(..) => Some(Issuer { origin: origin.ascii_serialization() }),
            url::Origin::Opaque(_) => None,
        }
    }

    /// The issuer identifier (RFC 8414 §2): the origin, with no path.
    pub fn id(&self) -> &str {
        &self.origin
    }

    /// An endpoint of this server, e.g. `url("/token")`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.origin)
    }

    /// The canonical URI of the protected resource.
    pub fn resource(&self) -> String {
        self.url(MCP_PATH)
    }

    /// Checks a `resource` parameter (RFC 8707): required, and naming this server's `/mcp`. Scheme and
    /// host compare case-insensitively and a trailing slash is forgiven (RFC 8707 §2 leaves the exact
    /// form to the client); any other path, query or fragment is another resource.
    pub fn check_resource(&self, resource: Option<&str>) -> Result<(), OAuthError> {
        let resource = resource
            .filter(|r| !r.is_empty())
            .ok_or_else(|| OAuthError::new("invalid_target", format!("resource is required: {}", self.resource())))?;
        let named = Url::parse(resource).ok().filter(|u| u.fragment().is_none() && u.query().is_none());
        let same = named.is_some_and(|u| {
            u.origin().ascii_serialization() == self.origin && u.path().trim_end_matches('/') == MCP_PATH
        });
        if same {
            Ok(())
        } else {
            Err(OAuthError::new(
                "invalid_target",
                format!("this server issues tokens only for the resource {}", self.resource()),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issuer_is_the_origin_of_the_request() {
        let issuer = Issuer::of("https://Odoo-MCP.example.workers.dev/.well-known/oauth-authorization-server").unwrap();
        assert_eq!(issuer.id(), "https://odoo-mcp.example.workers.dev");
        assert_eq!(issuer.resource(), "https://odoo-mcp.example.workers.dev/mcp");
        assert_eq!(Issuer::of("http://127.0.0.1:8787/mcp").unwrap().url("/token"), "http://127.0.0.1:8787/token");
    }

    #[test]
    fn only_this_servers_mcp_is_a_resource() {
        let issuer = Issuer::of("https://mcp.example.com/mcp").unwrap();
        for ok in ["https://mcp.example.com/mcp", "https://MCP.example.com/mcp/", "HTTPS://mcp.example.com/mcp"] {
            assert_eq!(issuer.check_resource(Some(ok)), Ok(()), "{ok}");
        }
        for other in [
            None,
            Some(""),
            Some("https://mcp.example.com/"),
            Some("https://mcp.example.com/mcp2"),
            Some("https://mcp.example.com/mcp?x=1"),
            Some("https://mcp.example.com/mcp#x"),
            Some("https://other.example.com/mcp"),
            Some("http://mcp.example.com/mcp"),
            Some("https://mcp.example.com:8443/mcp"),
            Some("mcp"),
        ] {
            assert_eq!(issuer.check_resource(other).map_err(|e| e.code), Err("invalid_target"), "{other:?}");
        }
    }
}
