//! Authorization codes, access tokens and refresh tokens, each stored only as its hash. A code and a
//! refresh token are taken once, atomically (`UPDATE … WHERE used_at IS NULL RETURNING`): of two
//! concurrent redemptions one wins, and the loser learns that the secret was used already, which for a
//! code or a refresh token means it was stolen or replayed, so the caller revokes the grant.

use crate::platform::{Db, Row, Stmt};
use crate::store::{get_i64, get_opt_i64, get_opt_str, get_str, int, opt_text, query, text, StoreError};

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Code,
    Access,
    Refresh,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Code => "code",
            Kind::Access => "access",
            Kind::Refresh => "refresh",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct TokenRow {
    pub key_id: i64,
    pub client_id: String,
    /// A code's redirect URI, PKCE challenge and scope (JSON).
    pub detail: Option<String>,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

impl TokenRow {
    fn from_row(row: &Row) -> Result<TokenRow, StoreError> {
        Ok(TokenRow {
            key_id: get_i64(row, "key_id")?,
            client_id: get_str(row, "client_id")?,
            detail: get_opt_str(row, "detail")?,
            expires_at: get_i64(row, "expires_at")?,
            used_at: get_opt_i64(row, "used_at")?,
        })
    }
}

pub struct NewToken<'a> {
    pub hash: &'a str,
    pub kind: Kind,
    pub key_id: i64,
    pub client_id: &'a str,
    pub detail: Option<&'a str>,
    pub expires_at: i64,
}

pub fn insert(t: &NewToken<'_>, now: i64) -> Stmt {
    Stmt::new(
        "INSERT INTO oauth_tokens (token_hash, kind, key_id, client_id, detail, created_at, expires_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        vec![text(t.hash), text(t.kind.as_str()), int(t.key_id), text(t.client_id), opt_text(t.detail), int(now), int(t.expires_at)],
    )
}

/// What taking a once-only secret found.
#[derive(Debug, PartialEq)]
pub enum Taken {
    /// Unused and unexpired, now marked used.
    Fresh(TokenRow),
    /// Used before: a replay.
    Replayed(TokenRow),
    /// Expired, or never issued (or its grant was revoked and its tokens deleted).
    Unknown,
}

/// Takes a code or a refresh token once.
pub async fn take(db: &dyn Db, kind: Kind, hash: &str, now: i64) -> Result<Taken, StoreError> {
    let results = db
        .batch(vec![
            Stmt::new(
                "UPDATE oauth_tokens SET used_at = ?3 WHERE token_hash = ?1 AND kind = ?2 AND used_at IS NULL AND expires_at > ?3 \
                 RETURNING key_id, client_id, detail, expires_at, used_at",
                vec![text(hash), text(kind.as_str()), int(now)],
            ),
            Stmt::new(
                "SELECT key_id, client_id, detail, expires_at, used_at FROM oauth_tokens WHERE token_hash = ?1 AND kind = ?2",
                vec![text(hash), text(kind.as_str())],
            ),
        ])
        .await?;
    if let Some(row) = results.first().and_then(|rows| rows.first()) {
        return Ok(Taken::Fresh(TokenRow::from_row(row)?));
    }
    match results.get(1).and_then(|rows| rows.first()) {
        Some(row) => {
            let token = TokenRow::from_row(row)?;
            Ok(if token.used_at.is_some() { Taken::Replayed(token) } else { Taken::Unknown })
        }
        None => Ok(Taken::Unknown),
    }
}

/// Finds a token without using it (revocation: RFC 7009 answers the same whatever it finds).
pub async fn find(db: &dyn Db, hash: &str) -> Result<Option<(Kind, TokenRow)>, StoreError> {
    let rows = query(
        db,
        Stmt::new(
            "SELECT kind, key_id, client_id, detail, expires_at, used_at FROM oauth_tokens WHERE token_hash = ?1",
            vec![text(hash)],
        ),
    )
    .await?;
    let Some(row) = rows.first() else { return Ok(None) };
    let kind = match get_str(row, "kind")?.as_str() {
        "code" => Kind::Code,
        "access" => Kind::Access,
        "refresh" => Kind::Refresh,
        other => return Err(StoreError::Shape(format!("oauth_tokens.kind '{other}'"))),
    };
    Ok(Some((kind, TokenRow::from_row(row)?)))
}

/// Deletes one token (revocation of an access token, which leaves its grant alone).
pub fn delete(hash: &str) -> Stmt {
    Stmt::new("DELETE FROM oauth_tokens WHERE token_hash = ?1", vec![text(hash)])
}

/// Expired tokens go; a used refresh token is kept until it would have expired, so that its replay is
/// still recognised (and revokes its grant) until then.
pub fn sweep(now: i64) -> Stmt {
    Stmt::new("DELETE FROM oauth_tokens WHERE expires_at < ?1", vec![int(now)])
}
