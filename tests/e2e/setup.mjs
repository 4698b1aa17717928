// Configures the worker through its admin API for the e2e suite and writes the result
// (connection ids, issued MCP keys) to $E2E_SETUP_OUT as JSON. Run by the e2e harness (tests/e2e/harness/worker.mjs).
import { writeFileSync } from "node:fs";
import { adminClient } from "../../scripts/admin-api.mjs";

const env = (name) => {
  const v = process.env[name];
  if (!v) throw new Error(`setup: ${name} is not set`);
  return v;
};
const workerUrl = env("WORKER_URL");
const adminToken = env("ADMIN_TOKEN");
const out = env("E2E_SETUP_OUT");

const call = adminClient(workerUrl, adminToken, { label: "setup" });

function check(cond, message) {
  if (!cond) throw new Error(`setup: ${message}`);
}

const health = await fetch(`${workerUrl}/health`, { signal: AbortSignal.timeout(30_000) });
check(health.status === 200, `GET /health -> HTTP ${health.status}, expected 200`);
check((health.headers.get("content-type") ?? "").includes("application/json"), "GET /health is not JSON");

const fakes = {
  c19: { url: env("FAKE19_URL"), database: "mcptest", major: "19", transport: "json2" },
  c17: { url: env("FAKE17_URL"), database: "mcptest17", major: "17", transport: "jsonrpc" },
  down: { url: env("FAKEDOWN_URL"), database: "mcptest", major: "19", transport: "json2" },
};
const odooKeys = {
  c19: { admin: env("FAKE19_ADMIN_KEY"), demo2: env("FAKE19_DEMO2_KEY") },
  c17: { admin: env("FAKE17_ADMIN_KEY"), demo2: env("FAKE17_DEMO2_KEY") },
  down: { admin: env("FAKEDOWN_ADMIN_KEY"), demo2: env("FAKEDOWN_DEMO2_KEY") },
};

const connections = {};
for (const [name, f] of Object.entries(fakes)) {
  const body = { name: `e2e-${name}`, url: f.url, database: f.database };
  const { body: c } = await call("POST", "/admin/api/connections", body, 201);
  check(Number.isInteger(c.id), `connection ${name}: no integer id in ${JSON.stringify(c)}`);
  check(String(c.odoo_version ?? "").startsWith(f.major), `connection ${name}: odoo_version ${c.odoo_version}, expected ${f.major}.x`);
  check(c.transport === f.transport, `connection ${name}: transport ${c.transport}, expected ${f.transport}`);
  check(c.database === f.database && c.url === f.url, `connection ${name}: url/database not echoed: ${JSON.stringify(c)}`);
  connections[name] = c;
}

// Re-detection on update keeps the same answer.
{
  const f = fakes.c19;
  const { body: c } = await call("PUT", `/admin/api/connections/${connections.c19.id}`,
    { name: "e2e-c19", url: f.url, database: f.database }, 200);
  check(String(c.odoo_version ?? "").startsWith("19") && c.transport === "json2", `PUT connection: ${JSON.stringify(c)}`);
}
{
  const { body } = await call("GET", "/admin/api/connections", undefined, 200);
  const list = Array.isArray(body) ? body : body?.connections;
  check(Array.isArray(list) && list.length >= 3, `GET connections: ${JSON.stringify(body).slice(0, 300)}`);
}

const perms = { read: true, create: false, update: false, delete: false };
const sensitive = {};
for (const name of ["c19", "c17", "down"]) {
  const id = connections[name].id;
  for (const model of ["res.partner", "crm.lead"]) {
    await call("PUT", `/admin/api/connections/${id}/models/${model}`, perms, 200);
  }
  // A sensitive model: the admin API may accept or refuse enabling it; MCP calls must be refused either way.
  const r = await call("PUT", `/admin/api/connections/${id}/models/res.users`, perms, [200, 400, 403, 409, 422]);
  sensitive[name] = r.status;
}
{
  const { body } = await call("GET", `/admin/api/connections/${connections.c19.id}/models`, undefined, 200);
  const text = JSON.stringify(body);
  check(text.includes("res.partner") && text.includes("crm.lead"), `GET models: ${text.slice(0, 300)}`);
}

const keys = {};
const keyIds = {};
async function issue(name, conn, login, odooKey, extra = {}) {
  const { body: k } = await call("POST", "/admin/api/keys", {
    connection_id: connections[conn].id,
    label: `e2e ${name}`,
    odoo_login: login,
    odoo_api_key: odooKey,
    expires_at: null,
    ...extra,
  }, 201);
  check(typeof k.key === "string" && k.key.startsWith("omcp_"), `key ${name}: no omcp_ key in answer`);
  check(typeof k.prefix === "string" && k.key.startsWith(k.prefix), `key ${name}: prefix is not a prefix of the key`);
  check(Number.isInteger(k.id), `key ${name}: no integer id`);
  keys[name] = k.key;
  keyIds[name] = k.id;
}
// The SDK clients (TS 1.x, TS 2.x, Python) drive tools, resources, prompts and completion through the two
// admin keys, several hundred requests within a minute or two: their own limit, above the default 120 a
// minute. The limit itself is tested by ratelimit.mjs; the other keys keep the default.
await issue("admin19", "c19", "admin", odooKeys.c19.admin, { rate_limit: 10000 });
await issue("demo2_19", "c19", "demo2", odooKeys.c19.demo2);
await issue("admin17", "c17", "admin", odooKeys.c17.admin, { rate_limit: 10000 });
await issue("demo2_17", "c17", "demo2", odooKeys.c17.demo2);
await issue("down", "down", "admin", odooKeys.down.admin);
// The conformance suites send hundreds of requests a minute: their own key, with its own rate limit.
await issue("conformance", "c19", "admin", odooKeys.c19.admin, { rate_limit: 100000 });

{
  const res = await call("GET", "/admin/api/keys", undefined, 200);
  const text = JSON.stringify(res.body);
  for (const [name, k] of Object.entries(keys)) {
    check(!text.includes(k), `GET /admin/api/keys shows the secret of key ${name}`);
  }
  for (const k of Object.values(odooKeys)) {
    check(!text.includes(k.admin) && !text.includes(k.demo2), "GET /admin/api/keys shows an Odoo API key");
  }
}

const setup = {
  worker_url: workerUrl,
  mcp_url: `${workerUrl}/mcp`,
  admin_token: adminToken,
  connections,
  keys,
  key_ids: keyIds,
  odoo: { c19: { url: fakes.c19.url, ...odooKeys.c19 } },
  sensitive_enable_status: sensitive,
};
writeFileSync(out, JSON.stringify(setup, null, 2), { mode: 0o600 });
console.log(`setup: done (${Object.keys(connections).length} connections, ${Object.keys(keys).length} keys)`);
