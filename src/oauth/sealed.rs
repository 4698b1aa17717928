//! What the browser carries between the sign-in page and its form's answer, sealed: the checked
//! authorization request (so the answer cannot change the client, redirect, challenge or scope), and the
//! person remembered from an earlier sign-in. Signed with HMAC-SHA256 under a key derived from
//! `CREDENTIALS_KEY` for this purpose alone; expiring; a ticket is also bound to the browser's nonce
//! cookie, so that another site cannot make a signed-in browser submit a form of its own (CSRF).

use crate::crypto::{derive_key, hmac_sha256};
use crate::policy::keys::constant_time_eq;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

/// How long the sign-in page may stay open before its form expires.
pub const TICKET_TTL_MS: i64 = 15 * 60_000;
/// How long a browser remembers who signed in on it.
pub const PERSON_TTL_MS: i64 = 90 * 24 * 60 * 60_000;

/// The key that seals both, derived from `CREDENTIALS_KEY`.
pub fn sealing_key(credentials_key: &[u8; 32]) -> [u8; 32] {
    derive_key(credentials_key, "odoo-mcp-edge/oauth-sign-in/v1")
}

/// A checked authorization request waiting for the person's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub client_id: String,
    pub redirect_uri: String,
    /// Whether the request named the redirect (then the token request must name it too).
    pub redirect_named: bool,
    pub state: Option<String>,
    pub code_challenge: String,
    /// The scope asked for, checked for form; what it grants is decided against the connection the
    /// person picks (`scope::grant`).
    pub scope: Option<String>,
    /// The browser's nonce cookie when the page was made.
    pub nonce: String,
    pub expires_at: i64,
}

/// A grant waiting for an administrator, and the request it will answer once decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Waiting {
    pub ticket: Ticket,
    pub key_id: i64,
}

/// Who signed in on this browser before: the grant whose Odoo credentials a confirmation reuses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub key_id: i64,
    pub connection_id: i64,
    pub odoo_login: String,
    pub expires_at: i64,
}

trait Expiring {
    fn expires_at(&self) -> i64;
}

impl Expiring for Ticket {
    fn expires_at(&self) -> i64 {
        self.expires_at
    }
}

impl Expiring for Waiting {
    fn expires_at(&self) -> i64 {
        self.ticket.expires_at
    }
}

impl Expiring for Person {
    fn expires_at(&self) -> i64 {
        self.expires_at
    }
}

fn seal<T: Serialize>(key: &[u8; 32], kind: &str, value: &T) -> String {
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap_or_default());
    let tag = URL_SAFE_NO_PAD.encode(hmac_sha256(key, format!("{kind}.{body}").as_bytes()));
    format!("{body}.{tag}")
}

fn open<T: DeserializeOwned + Expiring>(key: &[u8; 32], kind: &str, sealed: &str, now: i64) -> Option<T> {
    let (body, tag) = sealed.split_once('.')?;
    let expected = URL_SAFE_NO_PAD.encode(hmac_sha256(key, format!("{kind}.{body}").as_bytes()));
    if !constant_time_eq(tag, &expected) {
        return None;
    }
    let value: T = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).ok()?).ok()?;
    (value.expires_at() > now).then_some(value)
}

pub fn seal_ticket(key: &[u8; 32], t: &Ticket) -> String {
    seal(key, "ticket", t)
}

/// The ticket, if it is intact, unexpired and made for this browser's nonce.
pub fn open_ticket(key: &[u8; 32], sealed: &str, nonce: Option<&str>, now: i64) -> Option<Ticket> {
    let ticket: Ticket = open(key, "ticket", sealed, now)?;
    nonce.is_some_and(|n| constant_time_eq(n, &ticket.nonce)).then_some(ticket)
}

pub fn seal_waiting(key: &[u8; 32], w: &Waiting) -> String {
    seal(key, "waiting", w)
}

/// A waiting grant's check, if intact and made for this browser. It lives as long as its ticket.
pub fn open_waiting(key: &[u8; 32], sealed: &str, nonce: Option<&str>, now: i64) -> Option<Waiting> {
    let waiting: Waiting = open(key, "waiting", sealed, now)?;
    nonce.is_some_and(|n| constant_time_eq(n, &waiting.ticket.nonce)).then_some(waiting)
}

pub fn seal_person(key: &[u8; 32], p: &Person) -> String {
    seal(key, "person", p)
}

pub fn open_person(key: &[u8; 32], sealed: &str, now: i64) -> Option<Person> {
    open(key, "person", sealed, now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket() -> Ticket {
        Ticket {
            client_id: "omcl_x".into(),
            redirect_uri: "http://127.0.0.1/cb".into(),
            redirect_named: true,
            state: Some("s".into()),
            code_challenge: "c".into(),
            scope: Some("odoo.read".into()),
            nonce: "n1".into(),
            expires_at: 1_000,
        }
    }

    #[test]
    fn a_ticket_opens_only_intact_in_time_and_in_its_browser() {
        let key = sealing_key(&[7; 32]);
        let sealed = seal_ticket(&key, &ticket());
        assert_eq!(open_ticket(&key, &sealed, Some("n1"), 999), Some(ticket()));
        assert_eq!(open_ticket(&key, &sealed, Some("n1"), 1_000), None, "expired");
        assert_eq!(open_ticket(&key, &sealed, Some("n2"), 999), None, "another browser");
        assert_eq!(open_ticket(&key, &sealed, None, 999), None);
        assert_eq!(open_ticket(&sealing_key(&[8; 32]), &sealed, Some("n1"), 999), None, "another key");
        let (body, tag) = sealed.split_once('.').unwrap();
        let widened = Ticket { scope: Some("odoo.read odoo.delete".into()), ..ticket() };
        let forged = format!("{}.{tag}", URL_SAFE_NO_PAD.encode(serde_json::to_vec(&widened).unwrap()));
        assert_ne!(body, forged.split_once('.').unwrap().0);
        assert_eq!(open_ticket(&key, &forged, Some("n1"), 999), None, "a changed ticket");
    }

    #[test]
    fn a_person_is_not_a_ticket() {
        let key = sealing_key(&[7; 32]);
        let person = Person { key_id: 3, connection_id: 1, odoo_login: "demo2".into(), expires_at: 1_000 };
        let sealed = seal_person(&key, &person);
        assert_eq!(open_person(&key, &sealed, 10), Some(person));
        assert_eq!(open_ticket(&key, &sealed, Some("n1"), 10), None, "sealed for another purpose");
    }
}
