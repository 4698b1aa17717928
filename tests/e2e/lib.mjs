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
 * of PUT /admin/api/connections/<id>/models/<model>, field policy included), and an admin key for it.
 * The key is appended to $E2E_EXTRA_SECRETS, which the e2e harness scans for leaks at the end.
 */
export async function keyForModels(setup, label, models) {
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
    await admin(setup, "POST", "/admin/api/keys", { connection_id: conn.id, label, odoo_login: "admin", odoo_api_key: setup.odoo.c19.admin }),
    201,
    "issue key",
  );
  if (process.env.E2E_EXTRA_SECRETS) appendFileSync(process.env.E2E_EXTRA_SECRETS, `${k.key}\n`, { mode: 0o600 });
  return k.key;
}
