-- Odoo MCP at the edge: the D1 schema. Idempotent: safe to apply on every deploy and every `make dev`.
-- Times are milliseconds since the Unix epoch (INTEGER). Booleans are 0/1.

-- An Odoo server + database this deployment talks to. A deployment may hold several.
CREATE TABLE IF NOT EXISTS connections (
  id            INTEGER PRIMARY KEY AUTOINCREMENT,
  name          TEXT    NOT NULL UNIQUE,
  url           TEXT    NOT NULL,            -- https://acme.odoo.com (no trailing slash)
  database      TEXT    NOT NULL,
  odoo_version  TEXT    NOT NULL,            -- as reported: "17.0", "19.0", "saas~18.4"
  odoo_major    INTEGER NOT NULL,
  odoo_minor    INTEGER NOT NULL,
  transport     TEXT    NOT NULL CHECK (transport IN ('jsonrpc', 'json2')),
  detected_at   INTEGER NOT NULL,
  created_at    INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL
);

-- What an administrator enabled per model on a connection. No row = nothing allowed (default-deny).
CREATE TABLE IF NOT EXISTS model_permissions (
  connection_id      INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  model              TEXT    NOT NULL,
  can_read           INTEGER NOT NULL DEFAULT 0,
  can_create         INTEGER NOT NULL DEFAULT 0,
  can_update         INTEGER NOT NULL DEFAULT 0,
  can_delete         INTEGER NOT NULL DEFAULT 0,
  sensitive_unlocked INTEGER NOT NULL DEFAULT 0,  -- explicit, audited unlock of a blocked model
  updated_at         INTEGER NOT NULL,
  PRIMARY KEY (connection_id, model)
);

-- A model's field policy on a connection: only the listed fields (allow) or all but them (deny).
-- No row = every field the Odoo user can see. Read together with model_permissions (LEFT JOIN).
CREATE TABLE IF NOT EXISTS field_policies (
  connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  model         TEXT    NOT NULL,
  mode          TEXT    NOT NULL CHECK (mode IN ('allow', 'deny')),
  fields        TEXT    NOT NULL,             -- JSON list of field names
  updated_at    INTEGER NOT NULL,
  PRIMARY KEY (connection_id, model)
);

-- The button methods (`action_confirm` …) a model allows as actions on a connection: a JSON list of
-- method names. No row = none (default-deny). Read together with model_permissions (LEFT JOIN).
CREATE TABLE IF NOT EXISTS model_actions (
  connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  model         TEXT    NOT NULL,
  actions       TEXT    NOT NULL,             -- JSON list of method names
  updated_at    INTEGER NOT NULL,
  PRIMARY KEY (connection_id, model)
);

-- The Odoo user the admin console browses a connection with (models from ir.model, fields): optional,
-- never used for MCP calls. The API key is encrypted like the keys' ones.
CREATE TABLE IF NOT EXISTS connection_credentials (
  connection_id INTEGER PRIMARY KEY REFERENCES connections(id) ON DELETE CASCADE,
  odoo_login    TEXT    NOT NULL,
  odoo_key_enc  TEXT    NOT NULL,             -- AES-256-GCM under CREDENTIALS_KEY: base64(nonce || ciphertext)
  updated_at    INTEGER NOT NULL
);

-- Shared schema cache: Odoo's fields_get answer per connection, Odoo version, Odoo user and model, so
-- that a new isolate does not ask Odoo again. Emptied for a connection by an administrator's action or
-- when its version changes; old rows are swept by the daily cron.
CREATE TABLE IF NOT EXISTS schema_cache (
  connection_id INTEGER NOT NULL REFERENCES connections(id) ON DELETE CASCADE,
  odoo_version  TEXT    NOT NULL,             -- "19.0 attributes:2": Odoo version and fields_get attribute list
  odoo_login    TEXT    NOT NULL,
  model         TEXT    NOT NULL,
  fields_json   TEXT    NOT NULL,             -- the fields_get answer, as Odoo sent it
  fetched_at    INTEGER NOT NULL,
  PRIMARY KEY (connection_id, odoo_version, odoo_login, model)
);

-- Keys handed to MCP clients. Only the SHA-256 of a key is stored; the key itself is shown once.
CREATE TABLE IF NOT EXISTS keys (
  id             INTEGER PRIMARY KEY AUTOINCREMENT,
  key_hash       TEXT    NOT NULL UNIQUE,     -- lowercase hex SHA-256 of the whole key
  prefix         TEXT    NOT NULL,            -- first characters, for people to recognise a key
  label          TEXT    NOT NULL,
  connection_id  INTEGER NOT NULL REFERENCES connections(id),
  odoo_login     TEXT    NOT NULL,
  odoo_key_enc   TEXT    NOT NULL,            -- AES-256-GCM under CREDENTIALS_KEY: base64(nonce || ciphertext)
  odoo_uid       INTEGER,                     -- cached Odoo uid of odoo_login
  scope          TEXT,                        -- JSON narrowing of the connection's permissions; NULL = all of them
  rate_limit     INTEGER,                     -- requests per minute; NULL = the deployment default
  expires_at     INTEGER,                     -- NULL = never
  revoked_at     INTEGER,
  created_at     INTEGER NOT NULL,
  last_used_at   INTEGER
);
CREATE INDEX IF NOT EXISTS keys_by_connection ON keys(connection_id);

-- Keys held back because their connection moved to another Odoo origin (scheme, host or port) than the
-- one their Odoo credentials were given for: /mcp refuses them, so those credentials are never sent to
-- the new address, until an administrator confirms the key (which deletes its row). Read with the key
-- in the authentication statement (LEFT JOIN).
CREATE TABLE IF NOT EXISTS key_suspensions (
  key_id        INTEGER PRIMARY KEY REFERENCES keys(id) ON DELETE CASCADE,
  connection_id INTEGER NOT NULL,
  from_origin   TEXT    NOT NULL,             -- the origin the key's credentials were given for
  to_origin     TEXT    NOT NULL,             -- where the connection points now
  suspended_at  INTEGER NOT NULL
);

-- Per key: the operations (JSON list: "delete", "action") that run only after the key's person approves
-- them, asked through their MCP client. No row = none. Read with the key in the authentication statement
-- (LEFT JOIN).
CREATE TABLE IF NOT EXISTS key_approvals (
  key_id        INTEGER PRIMARY KEY REFERENCES keys(id) ON DELETE CASCADE,
  operations    TEXT    NOT NULL,
  updated_at    INTEGER NOT NULL
);

-- Per key: the Odoo context its calls carry: the companies it may use (JSON list of ids, the default one
-- first; NULL: the Odoo user's own default), the language and the time zone (NULL: the user's own). No
-- row = none of them. Read with the key in the authentication statement (LEFT JOIN).
CREATE TABLE IF NOT EXISTS key_contexts (
  key_id        INTEGER PRIMARY KEY REFERENCES keys(id) ON DELETE CASCADE,
  companies     TEXT,
  lang          TEXT,
  tz            TEXT,
  updated_at    INTEGER NOT NULL
);

-- MCP sessions of the 2025 protocol era, bound to the key that created them.
CREATE TABLE IF NOT EXISTS sessions (
  id               TEXT    PRIMARY KEY,       -- random, visible ASCII
  key_hash         TEXT    NOT NULL,
  protocol_version TEXT    NOT NULL,
  client_name      TEXT,
  client_version   TEXT,
  log_level        TEXT,
  created_at       INTEGER NOT NULL,
  last_seen_at     INTEGER NOT NULL,
  ended_at         INTEGER
);
CREATE INDEX IF NOT EXISTS sessions_by_last_seen ON sessions(last_seen_at);

-- Session-era `notifications/cancelled`, checked by long operations between Odoo calls.
CREATE TABLE IF NOT EXISTS cancellations (
  session_id    TEXT    NOT NULL,
  request_id    TEXT    NOT NULL,             -- the JSON text of the cancelled request's id
  at            INTEGER NOT NULL,
  PRIMARY KEY (session_id, request_id)
);
CREATE INDEX IF NOT EXISTS cancellations_by_at ON cancellations(at);

-- Session era: what a client declared at initialize that a later request relies on (form elicitation:
-- whether the person can be asked to approve).
CREATE TABLE IF NOT EXISTS session_clients (
  session_id    TEXT    PRIMARY KEY,
  elicitation   INTEGER NOT NULL              -- 1: form-mode elicitation declared
);

-- Session era: a person's answer to an approval question, posted by their client, for the request that
-- asked (which may be waiting in another isolate). Only the answer's action, never form content.
CREATE TABLE IF NOT EXISTS approval_answers (
  session_id    TEXT    NOT NULL,
  request_id    TEXT    NOT NULL,             -- the id of the server's elicitation/create request
  answer        TEXT    NOT NULL,             -- accept | decline | cancel | unconfirmed
  at            INTEGER NOT NULL,
  PRIMARY KEY (session_id, request_id)
);
CREATE INDEX IF NOT EXISTS approval_answers_by_at ON approval_answers(at);

-- 2026-07-28: approvals already used (the nonce of their signed requestState), so that one approval runs
-- its call once.
CREATE TABLE IF NOT EXISTS approval_uses (
  nonce         TEXT    PRIMARY KEY,
  at            INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS approval_uses_by_at ON approval_uses(at);

-- The previous version's fixed clock-minute counters: no longer used (see rate_buckets), kept so that a
-- worker of that version keeps working during a rolling deploy; old rows are swept daily.
CREATE TABLE IF NOT EXISTS rate_counters (
  key_hash      TEXT    NOT NULL,
  window_start  INTEGER NOT NULL,             -- start of the window, ms
  count         INTEGER NOT NULL,
  PRIMARY KEY (key_hash, window_start)
);
CREATE INDEX IF NOT EXISTS rate_counters_by_window ON rate_counters(window_start);

-- Requests admitted per key and second, for the limit of `limit` requests in any 60 s
-- (src/policy/rate_limit.rs). A key has 61 slots (second mod 61), each reused once its second has left
-- the window; refused requests are not counted. Upserted by one statement so the limit holds across isolates.
CREATE TABLE IF NOT EXISTS rate_buckets (
  key_hash      TEXT    NOT NULL,
  slot          INTEGER NOT NULL,             -- second mod 61
  second        INTEGER NOT NULL,             -- ms since the epoch / 1000, of the requests counted here
  count         INTEGER NOT NULL,
  PRIMARY KEY (key_hash, slot)
);
-- No index on second: the table stays small (61 rows per key at most), the daily sweep can scan it, and
-- every request would otherwise rewrite an index entry as well.

-- Failed authentications counted per client address (CF-Connecting-IP truncated to its /24 or /64) in
-- the current clock minute (src/policy/failures.rs): past the limit the address gets 429 and nothing is
-- written. One row per address, reused each minute; old rows are swept daily.
CREATE TABLE IF NOT EXISTS auth_throttle (
  client        TEXT    PRIMARY KEY,          -- a.b.c.0/24, x:x:x:x::/64 or unknown
  window_start  INTEGER NOT NULL,             -- start of the minute, ms
  count         INTEGER NOT NULL
);

-- Repeated failures of one kind from one address, grouped into one audit row (audit_id) whose detail
-- carries the count and the span; a group takes repeats while they keep coming (see failures.rs).
CREATE TABLE IF NOT EXISTS auth_failure_groups (
  client        TEXT    NOT NULL,
  kind          TEXT    NOT NULL,             -- event|tool|outcome|key id
  first_at      INTEGER NOT NULL,
  last_at       INTEGER NOT NULL,
  count         INTEGER NOT NULL,
  audit_id      INTEGER,                      -- the audit row of the group
  PRIMARY KEY (client, kind)
);

-- What happened. Never secrets, never record contents beyond ids.
CREATE TABLE IF NOT EXISTS audit (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  at           INTEGER NOT NULL,
  event        TEXT    NOT NULL,              -- auth_failure, tool_call, permission_denied, rate_limited, admin_action, …
  key_id       INTEGER,
  key_prefix   TEXT,
  connection_id INTEGER,
  tool         TEXT,
  model        TEXT,
  operation    TEXT,
  outcome      TEXT,                          -- ok, denied, error, …
  record_count INTEGER,
  duration_ms  INTEGER,
  detail       TEXT                           -- short JSON or text, scrubbed of secrets
);
CREATE INDEX IF NOT EXISTS audit_by_at ON audit(at);
CREATE INDEX IF NOT EXISTS audit_by_key ON audit(key_id, at);
CREATE INDEX IF NOT EXISTS audit_by_event ON audit(event, at);

-- Settings changed at run time by an administrator; a missing row means the environment's value.
-- Names: default_rate_limit (integer), audit_retention_days (integer), allowed_origins (JSON list).
CREATE TABLE IF NOT EXISTS settings (
  name          TEXT    PRIMARY KEY,
  value         TEXT    NOT NULL,
  updated_at    INTEGER NOT NULL
);

-- OAuth (src/oauth/). Clients that connect by URL alone: registered (RFC 7591), introduced by a metadata
-- document URL (fetched, kept as a cache), or pre-registered by an administrator. Never a secret in
-- clear: a client secret is stored as its hash.
CREATE TABLE IF NOT EXISTS oauth_clients (
  client_id     TEXT    PRIMARY KEY,          -- omcl_… issued here, or the https URL of its metadata document
  source        TEXT    NOT NULL,             -- registered | document | admin
  name          TEXT,                         -- as the client names itself (shown as its claim)
  client_uri    TEXT,
  redirect_uris TEXT    NOT NULL,             -- JSON list, matched exactly (loopback: any port)
  auth_method   TEXT    NOT NULL,             -- none | client_secret_basic | client_secret_post
  secret_hash   TEXT,                         -- SHA-256 of the client secret, when it has one
  created_at    INTEGER NOT NULL,
  fetched_at    INTEGER,                      -- a metadata document's last fetch
  last_used_at  INTEGER,
  blocked_at    INTEGER                       -- an administrator's block: no sign-in, no token
);

-- A grant: one person (an Odoo user) letting one client work as them. Its access is a `keys` row (the
-- same connection, Odoo credentials, scope and rate limit as a key, whose own secret is never handed
-- out), so that a token is checked, limited and audited exactly as a key is.
CREATE TABLE IF NOT EXISTS oauth_grants (
  key_id        INTEGER PRIMARY KEY REFERENCES keys(id) ON DELETE CASCADE,
  client_id     TEXT    NOT NULL,
  status        TEXT    NOT NULL,             -- pending (an administrator decides) | active | refused | revoked
  created_at    INTEGER NOT NULL,
  decided_at    INTEGER
);
CREATE INDEX IF NOT EXISTS oauth_grants_by_client ON oauth_grants(client_id);

-- Authorization codes, access and refresh tokens, by hash. A code and a refresh token are used once
-- (used_at); a refresh token presented again revokes its whole grant.
CREATE TABLE IF NOT EXISTS oauth_tokens (
  token_hash    TEXT    PRIMARY KEY,
  kind          TEXT    NOT NULL,             -- code | access | refresh
  key_id        INTEGER NOT NULL,             -- the grant's keys row
  client_id     TEXT    NOT NULL,
  detail        TEXT,                         -- a code's redirect URI, PKCE challenge and scope (JSON)
  created_at    INTEGER NOT NULL,
  expires_at    INTEGER NOT NULL,
  used_at       INTEGER
);
CREATE INDEX IF NOT EXISTS oauth_tokens_by_key ON oauth_tokens(key_id);
CREATE INDEX IF NOT EXISTS oauth_tokens_by_expiry ON oauth_tokens(expires_at);

-- Per connection: whether OAuth sign-in is offered, who may connect, and what a grant gets by default.
CREATE TABLE IF NOT EXISTS oauth_settings (
  connection_id INTEGER PRIMARY KEY REFERENCES connections(id),
  enabled       INTEGER NOT NULL DEFAULT 0,
  who           TEXT    NOT NULL DEFAULT 'ask', -- any | list | ask
  logins        TEXT,                         -- JSON list of Odoo logins, for who = list
  scope         TEXT,                         -- JSON: the default scope of a grant (as a key's scope); NULL = read only
  rate_limit    INTEGER,                      -- per grant; NULL = the deployment default
  updated_at    INTEGER NOT NULL
);

-- Per connection: what an OAuth grant runs only after its person approves it (JSON list: "delete",
-- "action"), copied to each new grant's key_approvals row. No row = none.
CREATE TABLE IF NOT EXISTS oauth_approvals (
  connection_id INTEGER PRIMARY KEY REFERENCES connections(id),
  operations    TEXT    NOT NULL,
  updated_at    INTEGER NOT NULL
);
