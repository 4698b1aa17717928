// What `make bench` (scripts/bench.mjs) and `make profile` (scripts/profile.mjs) both set up and send: the
// served Workers' secrets, the connection and key their calls use, and the measured call itself, the
// stateless `tools/call odoo_search`, so that the profile is of the very call the bench times.

import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { adminClient } from "../admin-api.mjs";

/** The search both measure (and bench.mjs sends straight to Odoo as the direct call). */
export const SEARCH = { model: "res.partner", domain: [["is_company", "=", true]], fields: ["name", "email", "city"], limit: 10 };
export const STATELESS_VERSION = "2026-07-28";
// The per-request envelope the stateless lane requires (src/transport/stateless_lane.rs, `envelope`).
const META = { "io.modelcontextprotocol/protocolVersion": STATELESS_VERSION, "io.modelcontextprotocol/clientCapabilities": {}, "io.modelcontextprotocol/clientInfo": { name: "bench", version: "1" } };
// Accept: both types get a JSON answer (what most clients send); only SSE gets a one-event SSE stream
// (src/transport/mod.rs, `response_encoding`).
export const ACCEPT = { json: "application/json, text/event-stream", sse: "text/event-stream" };

/** The served Workers' secrets, in the env file's format (`serve.mjs --env-file`): the admin token given,
 * a new CREDENTIALS_KEY, loopback Odoo URLs allowed. */
export function writeEnvFile(path, adminToken) {
  writeFileSync(path, `ADMIN_TOKEN="${adminToken}"\nCREDENTIALS_KEY="${randomBytes(32).toString("base64")}"\nDEV_ALLOW_LOOPBACK="true"\n`, { mode: 0o600 });
}

/** Through the admin API at `base`: a connection to the fake Odoo `odoo` (database mcptest) allowed to read
 * res.partner, and a key on it as Odoo's admin with a limit no run reaches; resolves to the key. */
export async function issueKey(base, adminToken, odoo, odooKey, label) {
  const call = adminClient(base, adminToken, { label, log: () => {} });
  const { body: conn } = await call("POST", "/admin/api/connections", { name: label, url: odoo, database: "mcptest" }, 201);
  await call("PUT", `/admin/api/connections/${conn.id}/models/res.partner`, { read: true }, 200);
  const { body: issued } = await call("POST", "/admin/api/keys", { connection_id: conn.id, label, odoo_login: "admin", odoo_api_key: odooKey, rate_limit: 100000 }, 201);
  return issued.key;
}

/** The `fetch` options of one 2026-07-28 tools/call odoo_search, no session: the version header,
 * Mcp-Method/Mcp-Name and params._meta; a JSON answer, or with `sse` a one-event stream. */
export function statelessSearchInit(key, id, { sse = false } = {}) {
  return {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", accept: sse ? ACCEPT.sse : ACCEPT.json, "mcp-protocol-version": STATELESS_VERSION, "mcp-method": "tools/call", "mcp-name": "odoo_search" },
    body: JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "odoo_search", arguments: SEARCH, _meta: META } }),
  };
}
