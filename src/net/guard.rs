//! The one decision on where the Worker may send a request: the URL is parsed with the WHATWG parser
//! `fetch` itself uses (the `url` crate implements the same standard as the runtime's `URL`), the decision
//! is made on the parsed host, and the request then goes to the parsed URL's serialisation, which parses
//! back to the same host. Text tricks (percent-encoded or numeric hosts, IPv4 inside IPv6, trailing dots)
//! therefore meet the same checks as their plain spelling.
//!
//! Allowed: `https://` to a public name or a public IP; with `allow_loopback` (dev) also `http://` or
//! `https://` to a loopback host. Refused: userinfo, `%` in the host, a host typed in non-ASCII letters
//! (an international name is entered in its `xn--` form; see `Refusal::NonAsciiHost`), every IANA special-purpose IPv4 and
//! IPv6 range that is not globally reachable (IPv4 embedded in IPv6 is judged as IPv4), and names that
//! only resolve locally. Left to the platform: a public name whose DNS answer is a private address
//! (Workers cannot reach private networks through `fetch`; see README, Security model).

use std::net::{Ipv4Addr, Ipv6Addr};
use url::{Host, Url};

/// Why a URL may not be fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    NotAUrl,
    Scheme,
    Userinfo,
    PercentInHost,
    /// A host typed with non-ASCII letters: the build carries no Unicode IDNA tables (Cargo.toml,
    /// `idna_adapter`), so an international domain name is entered in its `xn--` form.
    NonAsciiHost,
    NoHost,
    Port,
    PlainHttp,
    Loopback,
    /// A special-purpose address or name; names the range.
    Internal(&'static str),
    SingleLabel,
}

impl Refusal {
    pub fn message(&self) -> String {
        match self {
            Refusal::NotAUrl => "the URL cannot be parsed".into(),
            Refusal::Scheme => "the URL must start with https://".into(),
            Refusal::Userinfo => "the URL must not carry a user name or password".into(),
            Refusal::PercentInHost => "the host must not contain percent-encoding".into(),
            Refusal::NonAsciiHost => {
                "the host must be ASCII: enter an international domain name in its xn-- form (e.g. xn--mnchen-3ya.example.com for münchen.example.com)".into()
            }
            Refusal::NoHost => "the URL has no host".into(),
            Refusal::Port => "the URL has an invalid port".into(),
            Refusal::PlainHttp => "the URL must use https:// (Odoo credentials travel in every request)".into(),
            Refusal::Loopback => "loopback addresses are not allowed for Odoo connections".into(),
            Refusal::Internal(range) => {
                format!("private, link-local and internal addresses are not allowed for Odoo connections ({range})")
            }
            Refusal::SingleLabel => "the host must be a public domain name".into(),
        }
    }
}

/// Parses `raw` and decides whether the Worker may fetch it; the URL to send is the one returned.
pub fn check(raw: &str, allow_loopback: bool) -> Result<Url, Refusal> {
    let raw = raw.trim();
    // The authority as typed: `%` there is never needed for a real Odoo host, and WHATWG decodes it before
    // reading an IPv4 address ("%31%32%37.0.0.1" is 127.0.0.1).
    if let Some((_, rest)) = raw.split_once("://") {
        let authority = rest.split(['/', '?', '#', '\\']).next().unwrap_or("");
        if authority.contains('%') {
            return Err(Refusal::PercentInHost);
        }
        // Even an empty one ("https://:@host"): a URL with userinfo is never an Odoo base URL.
        if authority.contains('@') {
            return Err(Refusal::Userinfo);
        }
        if !authority.is_ascii() {
            return Err(Refusal::NonAsciiHost);
        }
    }
    let url = Url::parse(raw).map_err(|_| Refusal::NotAUrl)?;
    let https = match url.scheme() {
        "https" => true,
        "http" => false,
        _ => return Err(Refusal::Scheme),
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Refusal::Userinfo);
    }
    if url.port() == Some(0) {
        return Err(Refusal::Port);
    }
    let host = url.host().ok_or(Refusal::NoHost)?;
    match classify(&host) {
        Class::Loopback if allow_loopback => {}
        Class::Loopback => return Err(Refusal::Loopback),
        Class::Internal(range) => return Err(Refusal::Internal(range)),
        Class::SingleLabel => return Err(Refusal::SingleLabel),
        Class::Public if !https => return Err(Refusal::PlainHttp),
        Class::Public => {}
    }
    Ok(url)
}

enum Class {
    Public,
    Loopback,
    Internal(&'static str),
    SingleLabel,
}

fn classify(host: &Host<&str>) -> Class {
    match host {
        Host::Ipv4(ip) => v4(*ip),
        Host::Ipv6(ip) => v6(*ip),
        Host::Domain(name) => domain(name),
    }
}

fn domain(name: &str) -> Class {
    // "localhost." is localhost: a trailing dot only makes the name absolute.
    let name = name.trim_end_matches('.');
    if name == "localhost" || name.ends_with(".localhost") {
        return Class::Loopback;
    }
    // RFC 6761 / 6762 / 8375 / 9476 special-use names, and ICANN's private-use `.internal`: none reaches a
    // public server.
    const SPECIAL: [&str; 8] = ["local", "internal", "home.arpa", "invalid", "test", "onion", "alt", "lan"];
    for suffix in SPECIAL {
        if name == suffix || name.strip_suffix(suffix).is_some_and(|rest| rest.ends_with('.')) {
            return Class::Internal("a special-use domain name");
        }
    }
    if !name.contains('.') {
        return Class::SingleLabel;
    }
    Class::Public
}

/// The IANA IPv4 special-purpose registry, minus what is globally reachable.
fn v4(ip: Ipv4Addr) -> Class {
    let [a, b, c, _] = ip.octets();
    let range = match (a, b, c) {
        (127, _, _) => return Class::Loopback,
        (0, _, _) => "0.0.0.0/8, this network",
        (10, _, _) => "10.0.0.0/8, private",
        (100, 64..=127, _) => "100.64.0.0/10, shared address space",
        (169, 254, _) => "169.254.0.0/16, link-local",
        (172, 16..=31, _) => "172.16.0.0/12, private",
        (192, 0, 0) => "192.0.0.0/24, IETF protocol assignments",
        (192, 0, 2) => "192.0.2.0/24, documentation",
        (192, 31, 196) => "192.31.196.0/24, AS112",
        (192, 52, 193) => "192.52.193.0/24, AMT",
        (192, 88, 99) => "192.88.99.0/24, 6to4 relay",
        (192, 168, _) => "192.168.0.0/16, private",
        (192, 175, 48) => "192.175.48.0/24, AS112",
        (198, 18..=19, _) => "198.18.0.0/15, benchmarking",
        (198, 51, 100) => "198.51.100.0/24, documentation",
        (203, 0, 113) => "203.0.113.0/24, documentation",
        (224..=239, _, _) => "224.0.0.0/4, multicast",
        (240..=255, _, _) => "240.0.0.0/4, reserved",
        _ => return Class::Public,
    };
    Class::Internal(range)
}

/// The IANA IPv6 special-purpose registry; IPv4 carried inside an IPv6 address is judged as IPv4.
fn v6(ip: Ipv6Addr) -> Class {
    let s = ip.segments();
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from(((hi as u32) << 16) | lo as u32);
    if ip.is_loopback() {
        return Class::Loopback;
    }
    let range = match s {
        [0, 0, 0, 0, 0, 0, 0, 0] => "::/128, unspecified",
        // ::ffff:a.b.c.d (mapped) and ::a.b.c.d (compatible, deprecated): the IPv4 address is the target.
        [0, 0, 0, 0, 0, 0xffff, hi, lo] | [0, 0, 0, 0, 0, 0, hi, lo] => return v4(embedded(hi, lo)),
        // 64:ff9b::/96, NAT64's well-known prefix: translated to the embedded IPv4 address.
        [0x64, 0xff9b, 0, 0, 0, 0, hi, lo] => return v4(embedded(hi, lo)),
        [0x64, 0xff9b, 1, ..] => "64:ff9b:1::/48, local-use NAT64",
        [0x100, 0, 0, 0, ..] => "100::/64, discard-only",
        // 6to4: the IPv4 address sits in bits 16-48.
        [0x2002, hi, lo, ..] => return v4(embedded(hi, lo)),
        [0x2001, 0xdb8, ..] => "2001:db8::/32, documentation",
        [0x2001, 0..=0x1ff, ..] => "2001::/23, IETF protocol assignments (Teredo, ORCHID …)",
        [0x3fff, 0..=0x0fff, ..] => "3fff::/20, documentation",
        [0x5f00, ..] => "5f00::/16, segment routing",
        [hi, ..] if hi & 0xfe00 == 0xfc00 => "fc00::/7, unique local",
        [hi, ..] if hi & 0xffc0 == 0xfe80 => "fe80::/10, link-local",
        [hi, ..] if hi & 0xffc0 == 0xfec0 => "fec0::/10, site-local",
        [hi, ..] if hi & 0xff00 == 0xff00 => "ff00::/8, multicast",
        // Everything else outside 2000::/3 is unassigned.
        [hi, ..] if hi & 0xe000 != 0x2000 => "outside 2000::/3, unassigned",
        _ => return Class::Public,
    };
    Class::Internal(range)
}
