//! OAuth's rows (`schema.sql`, "OAuth"): clients, grants (each backed by a `keys` row, so that a token
//! is checked like a key), codes and tokens by hash, and each connection's OAuth settings.

pub mod clients;
pub mod grants;
pub mod settings;
pub mod tokens;
