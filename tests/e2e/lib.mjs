// Shared helpers for the e2e suite (Node 22, no dependencies beyond the MCP SDK in the tests).
import { appendFileSync, readFileSync } from "node:fs";

export const PROTOCOL = "2025-11-25";

/** The state written by setup.mjs (worker URL, admin token, connection ids, MCP keys). */
export function loadSetup() {
  const path = process.env.E2E_SETUP;
  if (!path) throw new Error("E2E_SETUP is not set: run the suite through make test-e2e (tests/e2e/harness)");
  return JSON.parse(readFileSync(path, "utf8"));
}

/** Admin API call; returns {status, headers, body} with body parsed as JSON when possible. */
export async function admin(setup, method, path, body) {
  const res = await fetch(`${setup.worker_url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${setup.admin_token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  });
  return { status: res.status, headers: res.headers, body: await readBody(res) };
}

export async function readBody(res) {
  const text = await res.text();
  try {
    return text === "" ? null : JSON.parse(text);
  } catch {
    return text;
  }
}

/** One raw POST /mcp. `headers` are added to (or override) the defaults. */
export async function rawPost(url, { key, body, headers = {}, rawBody } = {}) {
  const h = {
    "content-type": "application/json",
    accept: "application/json, text/event-stream",
    ...(key ? { authorization: `Bearer ${key}` } : {}),
    ...headers,
  };
  for (const [k, v] of Object.entries(h)) if (v === undefined) delete h[k];
  const res = await fetch(url, {
    method: "POST",
    headers: h,
    body: rawBody ?? JSON.stringify(body),
    signal: AbortSignal.timeout(60_000),
  });
  return { status: res.status, headers: res.headers, body: await parseMcpBody(res) };
}

/** A JSON body, or the last JSON-RPC message of an SSE body. */
async function parseMcpBody(res) {
  const text = await res.text();
  const ct = res.headers.get("content-type") ?? "";
  if (ct.includes("text/event-stream")) {
    const datas = text
      .split(/\r?\n/)
      .filter((l) => l.startsWith("data:"))
      .map((l) => l.slice(5).trim())
      .filter((d) => d !== "");
    return datas.length ? JSON.parse(datas[datas.length - 1]) : null;
  }
  try {
    return text === "" ? null : JSON.parse(text);
  } catch {
    return text;
  }
}

export function initializeRequest(id = 1) {
  return {
    jsonrpc: "2.0",
    id,
    method: "initialize",
    params: {
      protocolVersion: PROTOCOL,
      capabilities: {},
      clientInfo: { name: "odoo-mcp-e2e-raw", version: "0.0.1" },
    },
  };
}

/** A raw MCP session: initialize + notifications/initialized; then `call(method, params)`. */
export async function rawSession(mcpUrl, key) {
  const init = await rawPost(mcpUrl, { key, body: initializeRequest() });
  if (init.status !== 200) {
    throw new Error(`initialize: HTTP ${init.status} ${JSON.stringify(init.body)}`);
  }
  const sessionId = init.headers.get("mcp-session-id") ?? undefined;
  const common = { "mcp-protocol-version": PROTOCOL, "mcp-session-id": sessionId };
  const note = await rawPost(mcpUrl, {
    key,
    headers: common,
    body: { jsonrpc: "2.0", method: "notifications/initialized" },
  });
  if (note.status !== 202) throw new Error(`notifications/initialized: HTTP ${note.status}, expected 202`);
  let nextId = 2;
  return {
    sessionId,
    init,
    headers: common,
    /** Sends one request; returns {status, headers, body}. */
    async request(method, params, { headers = {}, key: otherKey } = {}) {
      return rawPost(mcpUrl, {
        key: otherKey ?? key,
        headers: { ...common, ...headers },
        body: { jsonrpc: "2.0", id: nextId++, method, params },
      });
    },
    /** tools/call; returns the JSON-RPC result (throws on an HTTP or JSON-RPC error). */
    async callTool(name, args) {
      const r = await this.request("tools/call", { name, arguments: args });
      if (r.status !== 200) throw new Error(`tools/call ${name}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
      if (r.body?.error) throw new Error(`tools/call ${name}: JSON-RPC error ${JSON.stringify(r.body.error)}`);
      return r.body.result;
    },
  };
}

/** The text of a tool result's content blocks, joined. */
export function resultText(result) {
  return (result?.content ?? [])
    .filter((c) => c.type === "text")
    .map((c) => c.text)
    .join("\n");
}

/**
 * A connection of its own on fake Odoo 19 with exactly these model permissions (each value is the body
 * of PUT /admin/api/connections/<id>/models/<model>, field policy included), and an admin key for it
 * (with `keyFields` added to its issue body, e.g. `{ approval: ["delete"] }`).
 * The key is appended to $E2E_EXTRA_SECRETS, which the e2e harness scans for leaks at the end.
 */
export async function keyForModels(setup, label, models, keyFields = {}) {
  const c19 = setup.connections.c19;
  const expect = (r, status, what) => {
    if (r.status !== status) throw new Error(`${what}: HTTP ${r.status}, expected ${status}: ${JSON.stringify(r.body).slice(0, 300)}`);
    return r.body;
  };
  const conn = expect(await admin(setup, "POST", "/admin/api/connections", { name: label, url: c19.url, database: c19.database }), 201, "create connection");
  for (const [model, body] of Object.entries(models)) {
    expect(await admin(setup, "PUT", `/admin/api/connections/${conn.id}/models/${model}`, body), 200, `enable ${model}`);
  }
  const k = expect(
    await admin(setup, "POST", "/admin/api/keys", { connection_id: conn.id, label, odoo_login: "admin", odoo_api_key: setup.odoo.c19.admin, ...keyFields }),
    201,
    "issue key",
  );
  if (process.env.E2E_EXTRA_SECRETS) appendFileSync(process.env.E2E_EXTRA_SECRETS, `${k.key}\n`, { mode: 0o600 });
  return k.key;
}

// ---- OAuth (the worker as its own authorization server; oauth.test.mjs, browser.test.mjs) ----

/** Appends secrets the worker handed out (tokens, codes, client secrets) to $E2E_EXTRA_SECRETS, which
 * the closing scan looks for in the workers' logs, the D1 files and every captured answer. */
export function rememberSecrets(...secrets) {
  const list = secrets.filter((s) => typeof s === "string" && s.length >= 16);
  if (process.env.E2E_EXTRA_SECRETS && list.length) appendFileSync(process.env.E2E_EXTRA_SECRETS, `${list.join("\n")}\n`, { mode: 0o600 });
}

/**
 * A connection of its own on fake Odoo 19 (res.partner and crm.lead readable) that offers OAuth
 * sign-in to `who` ("any", "list" with `logins`, "ask"). Returns its id.
 */
export async function oauthConnection(setup, name, { who = "any", logins = [] } = {}) {
  const c19 = setup.connections.c19;
  const conn = await admin(setup, "POST", "/admin/api/connections", { name, url: c19.url, database: c19.database });
  if (conn.status !== 201) throw new Error(`create connection ${name}: HTTP ${conn.status} ${JSON.stringify(conn.body)}`);
  for (const model of ["res.partner", "crm.lead"]) {
    const r = await admin(setup, "PUT", `/admin/api/connections/${conn.body.id}/models/${model}`, { read: true, create: false, update: false, delete: false });
    if (r.status !== 200) throw new Error(`enable ${model}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  }
  const r = await admin(setup, "PUT", `/admin/api/connections/${conn.body.id}/oauth`, { enabled: true, who, logins });
  if (r.status !== 200) throw new Error(`enable OAuth on ${name}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  return conn.body.id;
}

/** The grants of the admin API, newest first as it lists them. */
export async function oauthGrants(setup) {
  const r = await admin(setup, "GET", "/admin/api/oauth/grants");
  if (r.status !== 200) throw new Error(`GET grants: HTTP ${r.status}`);
  return r.body.grants;
}

/** A PKCE verifier and its S256 challenge. */
export async function pkcePair() {
  const { randomBytes, createHash } = await import("node:crypto");
  const verifier = randomBytes(32).toString("base64url");
  return { verifier, challenge: createHash("sha256").update(verifier).digest("base64url") };
}

const form = (pairs) => new URLSearchParams(Object.entries(pairs).filter(([, v]) => v !== undefined)).toString();

/** POST <base>/token with a form; {status, body}. Its tokens are remembered for the secret scan. */
export async function tokenRequest(base, pairs, headers = {}) {
  const res = await fetch(`${base}/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
    body: form(pairs),
    signal: AbortSignal.timeout(30_000),
  });
  const body = await readBody(res);
  rememberSecrets(body?.access_token, body?.refresh_token);
  return { status: res.status, headers: res.headers, body };
}

/** Dynamic Client Registration; {status, body} (a client secret is remembered for the secret scan). */
export async function registerClient(base, metadata) {
  const res = await fetch(`${base}/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(metadata),
    signal: AbortSignal.timeout(30_000),
  });
  const body = await readBody(res);
  rememberSecrets(body?.client_secret);
  return { status: res.status, body };
}

/**
 * The sign-in page answered with plain HTTP, as a browser without script would: GET the authorization
 * URL, keep the nonce cookie it sets and the hidden ticket, POST the form (from the worker's origin)
 * with `connection`, `login`, `api_key` and `decision`. Returns the POST's {status, location, html}
 * (a 302 back to the client carries the code in `location`).
 */
export async function signInHttp(authorizationUrl, { connection, login, apiKey, decision = "allow" }) {
  const url = new URL(authorizationUrl);
  const page = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(30_000) });
  const html = await page.text();
  if (page.status !== 200) return { status: page.status, location: page.headers.get("location"), html };
  const ticket = /name=ticket value="([^"]+)"/.exec(html)?.[1];
  const cookie = (page.headers.get("set-cookie") ?? "").split(";")[0];
  if (!ticket || !cookie) throw new Error(`sign-in page without a ticket or cookie: ${html.slice(0, 300)}`);
  const offered = [...html.matchAll(/name=connection value=(\d+)|<option value=(\d+)>/g)].map((m) => Number(m[1] ?? m[2]));
  if (!offered.includes(connection)) throw new Error(`connection ${connection} is not offered on the page (${offered})`);
  const res = await fetch(`${url.origin}/authorize`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie, origin: url.origin },
    body: form({ ticket: ticket.replaceAll("&amp;", "&"), connection: String(connection), login, api_key: apiKey, decision }),
    signal: AbortSignal.timeout(30_000),
  });
  const location = res.headers.get("location");
  if (location) rememberSecrets(new URL(location).searchParams.get("code"));
  return { status: res.status, location, html: await res.text() };
}

/** An authorization request's URL for a client of our own (the parameters an MCP client sends). */
export function authorizationUrl(base, { clientId, redirectUri, challenge, state = "e2e-state", scope, resource = `${base}/mcp` }) {
  const u = new URL(`${base}/authorize`);
  for (const [k, v] of Object.entries({ response_type: "code", client_id: clientId, redirect_uri: redirectUri, state,
    code_challenge: challenge, code_challenge_method: "S256", scope, resource })) if (v !== undefined) u.searchParams.set(k, v);
  return u;
}

/**
 * A whole grant by plain HTTP: a public client registered by DCR, demo2 signed in on `connection`,
 * the code redeemed. Returns {clientId, access, refresh, redirectUri}.
 */
export async function grantByHttp(setup, connection, name = "e2e raw client") {
  const base = setup.worker_url;
  const redirectUri = "http://127.0.0.1:9/callback";
  const reg = await registerClient(base, { client_name: name, redirect_uris: [redirectUri], token_endpoint_auth_method: "none" });
  if (reg.status !== 201) throw new Error(`register: HTTP ${reg.status} ${JSON.stringify(reg.body)}`);
  const clientId = reg.body.client_id;
  const { verifier, challenge } = await pkcePair();
  const signed = await signInHttp(authorizationUrl(base, { clientId, redirectUri, challenge }), {
    connection, login: "demo2", apiKey: setup.odoo.c19.demo2,
  });
  const code = signed.location && new URL(signed.location).searchParams.get("code");
  if (signed.status !== 302 || !code) throw new Error(`sign-in: HTTP ${signed.status} ${signed.location ?? signed.html.slice(0, 300)}`);
  const t = await tokenRequest(base, { grant_type: "authorization_code", code, client_id: clientId, redirect_uri: redirectUri,
    code_verifier: verifier, resource: `${base}/mcp` });
  if (t.status !== 200) throw new Error(`token: HTTP ${t.status} ${JSON.stringify(t.body)}`);
  return { clientId, access: t.body.access_token, refresh: t.body.refresh_token, redirectUri };
}
