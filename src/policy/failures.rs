//! Failed authentications from strangers, bounded: at most `AUTH_FAILURES_PER_MINUTE` (default
//! `config::DEFAULT_AUTH_FAILURES_PER_MINUTE`) are counted per client address in a clock minute, after
//! which that address is answered 429 (`Retry-After`: the minute's end) without anything being written;
//! and repeats of the same failure from the same address are grouped into one audit row with a count and
//! a time span (`store::failures::grouped`), so a flood writes a constant number of rows.
//!
//! The client is `CF-Connecting-IP`, truncated before it is used or stored (an IPv4 address to its /24,
//! an IPv6 one to its /64): the audit shows the network, never the address of a person. Without the
//! header (local runs) every request is the client `unknown`.
//!
//! The count is one atomic statement (`store::failures::count`, an upsert that does nothing once the
//! minute holds the limit); on `/mcp` it rides in the authentication batch with
//! `store::failures::blocked`, the check that refuses a throttled address before its key is looked at,
//! so a successful request costs no extra round trip.
//! A request that fails without reaching D1 (no key, an impossible one, a wrong admin token) counts with
//! [`count_now`], one round trip on the failure path only.

use crate::http::HttpRequest;
use crate::platform::Db;
use crate::store::failures;
use crate::store::failures::Client;
use std::net::IpAddr;

// The client and the grouped audit statements are the store's (`store::failures`); re-exported for the
// callers that name them here.

/// The request's client, under the deployment's limit.
pub fn client_of(req: &HttpRequest, settings: &crate::config::Settings) -> Client {
    Client { network: network_of(req), limit: i64::from(settings.auth_failures_per_minute) }
}

fn network_of(req: &HttpRequest) -> String {
    match req.header("cf-connecting-ip").and_then(|v| v.trim().parse::<IpAddr>().ok()) {
        Some(IpAddr::V4(a)) => v4(a),
        Some(IpAddr::V6(a)) => match a.to_ipv4_mapped() {
            Some(m) => v4(m),
            None => {
                let s = a.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        None => "unknown".into(),
    }
}

fn v4(a: std::net::Ipv4Addr) -> String {
    let o = a.octets();
    format!("{}.{}.{}.0/24", o[0], o[1], o[2])
}

/// Whole seconds (at least 1) until the current minute ends and the address is counted afresh.
pub fn retry_after_s(now_ms: i64) -> i64 {
    ((failures::next_minute(now_ms) - now_ms + 999).div_euclid(1000)).max(1)
}

/// Whether a failure that did not reach D1 was counted, or the address is throttled.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Counted {
    Yes,
    Throttled { retry_after_s: i64 },
}

/// Counts a failure in its own round trip (the failure path only). When D1 fails the failure is
/// answered as if counted: a busy database is no reason to tell a client more.
pub async fn count_now(db: &dyn Db, client: &Client, now_ms: i64) -> Counted {
    if failures::count_now(db, client, now_ms).await {
        Counted::Yes
    } else {
        Counted::Throttled { retry_after_s: retry_after_s(now_ms) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn req(ip: Option<&str>) -> HttpRequest {
        HttpRequest {
            method: "POST".into(),
            path: "/mcp".into(),
            query: String::new(),
            origin: String::new(),
            headers: ip.map(|i| vec![("cf-connecting-ip".to_string(), i.to_string())]).unwrap_or_default(),
            body: vec![],
        }
    }

    #[test]
    fn the_address_is_truncated_to_its_network() {
        assert_eq!(network_of(&req(Some("203.0.113.77"))), "203.0.113.0/24");
        assert_eq!(network_of(&req(Some("2001:db8:1:2:3:4:5:6"))), "2001:db8:1:2::/64");
        assert_eq!(network_of(&req(Some("::ffff:198.51.100.9"))), "198.51.100.0/24");
        assert_eq!(network_of(&req(Some("not an address"))), "unknown");
        assert_eq!(network_of(&req(None)), "unknown");
        let settings = crate::config::Settings::from_env(|n| (n == "AUTH_FAILURES_PER_MINUTE").then(|| "500".into()));
        assert_eq!(client_of(&req(None), &settings).limit, 500);
        assert_eq!(client_of(&req(None), &crate::config::Settings::from_env(|_| None)).limit, 30);
    }

    #[test]
    fn retry_after_is_the_end_of_the_minute() {
        assert_eq!(retry_after_s(120_000), 60);
        assert_eq!(retry_after_s(179_500), 1);
        assert_eq!(retry_after_s(150_400), 30);
    }
}
