// Raw-HTTP checks of what the clients do not exercise: auth, Origin, methods, errors, headers.
// Run by the e2e harness (tests/e2e/harness): node --test tests/e2e/negative.test.mjs  (needs E2E_SETUP)
import { describe, it, before } from "node:test";
import assert from "node:assert/strict";
import { request as httpRequest } from "node:http";
import { loadSetup, admin, rawPost, rawSession, initializeRequest, resultText, PROTOCOL } from "./lib.mjs";

const setup = loadSetup();
const URL_ = setup.mcp_url;
const KEY = setup.keys.admin19;

describe("authentication", () => {
  it("no key -> 401 with WWW-Authenticate: Bearer", async () => {
    const r = await rawPost(URL_, { body: initializeRequest() });
    assert.equal(r.status, 401);
    assert.match(r.headers.get("www-authenticate") ?? "", /^Bearer\b/i);
  });

  it("unknown key -> 401", async () => {
    const r = await rawPost(URL_, { key: "omcp_thisKeyDoesNotExist0000000000000000000", body: initializeRequest() });
    assert.equal(r.status, 401);
    assert.match(r.headers.get("www-authenticate") ?? "", /^Bearer\b/i);
  });

  it("revoked key -> 401, also inside a session opened before the revocation", async () => {
    const c = setup.connections.c19;
    const issued = await admin(setup, "POST", "/admin/api/keys", {
      connection_id: c.id,
      label: "e2e revoke-me",
      odoo_login: "admin",
      odoo_api_key: setup.odoo.c19.admin,
      expires_at: null,
    });
    assert.equal(issued.status, 201, JSON.stringify(issued.body));
    const key = issued.body.key;
    const s = await rawSession(URL_, key);
    const before = await s.request("tools/list", {});
    assert.equal(before.status, 200);

    const del = await admin(setup, "DELETE", `/admin/api/keys/${issued.body.id}`);
    assert.equal(del.status, 200, JSON.stringify(del.body));

    const inSession = await s.request("tools/list", {});
    assert.equal(inSession.status, 401);
    const fresh = await rawPost(URL_, { key, body: initializeRequest() });
    assert.equal(fresh.status, 401);
  });

  it("admin API without the admin token -> 401 JSON error; an MCP key is not an admin token", async () => {
    for (const auth of [undefined, `Bearer ${KEY}`]) {
      const res = await fetch(`${setup.worker_url}/admin/api/keys`, {
        headers: auth ? { authorization: auth } : {},
      });
      assert.ok(auth ? [401, 403].includes(res.status) : res.status === 401, `HTTP ${res.status}`);
      const body = await res.json();
      assert.equal(typeof body?.error?.code, "string");
    }
  });
});

describe("HTTP transport", () => {
  it("foreign Origin -> 403", async () => {
    const r = await rawPost(URL_, { key: KEY, body: initializeRequest(), headers: { origin: "http://evil.example.com" } });
    assert.equal(r.status, 403);
  });

  it("GET /mcp opens a session's stream: 400 without a session, 405 in the stateless era", async () => {
    const res = await fetch(URL_, {
      headers: { authorization: `Bearer ${KEY}`, accept: "text/event-stream" },
    });
    await res.arrayBuffer();
    assert.equal(res.status, 400);
    const modern = await fetch(URL_, {
      headers: { authorization: `Bearer ${KEY}`, accept: "text/event-stream", "mcp-protocol-version": "2026-07-28" },
    });
    await modern.arrayBuffer();
    assert.equal(modern.status, 405);
    assert.match(modern.headers.get("allow") ?? "", /\bPOST\b/);
  });

  it("wrong Content-Type -> 415", async () => {
    const r = await rawPost(URL_, {
      key: KEY,
      headers: { "content-type": "text/plain" },
      body: initializeRequest(),
    });
    assert.equal(r.status, 415);
  });

  it("invalid JSON -> 400 with JSON-RPC -32700", async () => {
    const r = await rawPost(URL_, { key: KEY, rawBody: '{"jsonrpc": "2.0", "id": 1, "method": ' });
    assert.equal(r.status, 400);
    assert.equal(r.body?.error?.code, -32700);
  });

  it("initialize answers JSON with Mcp-Session-Id; notifications -> 202; DELETE ends the session", async () => {
    const s = await rawSession(URL_, KEY);
    assert.ok(s.sessionId, "no Mcp-Session-Id");
    assert.match(s.init.headers.get("content-type") ?? "", /application\/json/);
    assert.equal(s.init.body?.result?.protocolVersion, PROTOCOL);
    const ping = await s.request("ping", {});
    assert.equal(ping.status, 200);
    assert.deepEqual(ping.body?.result, {});
    const res = await fetch(URL_, {
      method: "DELETE",
      headers: { authorization: `Bearer ${KEY}`, "mcp-session-id": s.sessionId, "mcp-protocol-version": PROTOCOL },
    });
    await res.arrayBuffer();
    assert.equal(res.status, 200);
  });
});

/**
 * A chunked POST (no Content-Length) that sends `sendBytes` of a larger body and then holds the request
 * open without finishing it: the answer can only come from a worker that did not wait for the whole body.
 * Resolves with {status, body, ms} or rejects after `timeoutMs`.
 */
function unfinishedChunkedPost(url, { key, sendBytes, timeoutMs = 20_000 }) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const headers = { "content-type": "application/json", accept: "application/json", "transfer-encoding": "chunked" };
    if (key) headers.authorization = `Bearer ${key}`;
    const req = httpRequest(url, { method: "POST", headers });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms: the worker waits for the rest of the body`));
    }, timeoutMs);
    req.on("error", () => {}); // the worker may close the connection on an unread body
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (text += d));
      res.on("end", () => {
        clearTimeout(timer);
        req.destroy();
        resolve({ status: res.statusCode, body: text ? JSON.parse(text) : null, ms: Date.now() - started });
      });
    });
    // A JSON-RPC message padded with spaces: valid JSON if it were ever finished.
    req.write('{"jsonrpc":"2.0","id":1,"method":"ping"}');
    const chunk = Buffer.alloc(64 * 1024, " ");
    for (let sent = 0; sent < sendBytes; sent += chunk.length) req.write(chunk);
    // ... and never req.end().
  });
}

describe("request bodies: read only when needed, never past 1 MiB", () => {
  it("a 10 MiB chunked POST without a key is answered 401 before it has been sent", async () => {
    const r = await unfinishedChunkedPost(URL_, { sendBytes: 1024 * 1024 });
    assert.equal(r.status, 401, JSON.stringify(r.body));
    assert.equal(r.body?.error?.code, -32000);
    assert.ok(r.ms < 10_000, `${r.ms} ms`);
  });

  it("a chunked POST over 1 MiB with a key is answered 413 once 1 MiB has been read", async () => {
    const r = await unfinishedChunkedPost(URL_, { key: KEY, sendBytes: 1536 * 1024 });
    assert.equal(r.status, 413, JSON.stringify(r.body));
    assert.match(r.body?.error?.message ?? "", /at most 1048576 bytes/);
  });

  it("a message naming a key twice -> 400 / -32700, nothing run", async () => {
    const s = await rawSession(URL_, KEY);
    const r = await rawPost(URL_, {
      key: KEY,
      headers: { "mcp-session-id": s.sessionId, "mcp-protocol-version": PROTOCOL },
      rawBody: '{"jsonrpc":"2.0","id":1,"method":"tools/list","method":"tools/call","params":{"name":"odoo_search","arguments":{"model":"res.partner"}}}',
    });
    assert.equal(r.status, 400);
    assert.equal(r.body?.error?.code, -32700);
    assert.match(r.body?.error?.message ?? "", /duplicate key "method"/);
  });
});

describe("protocol version header", () => {
  let s;
  before(async () => {
    s = await rawSession(URL_, KEY);
  });

  it("MCP-Protocol-Version: 1999-01-01 -> 400", async () => {
    const r = await s.request("tools/list", {}, { headers: { "mcp-protocol-version": "1999-01-01" } });
    assert.equal(r.status, 400);
  });

  it("a supported version other than the session's -> 400 naming both", async () => {
    const r = await s.request("tools/list", {}, { headers: { "mcp-protocol-version": "2025-03-26" } });
    assert.equal(r.status, 400);
    assert.equal(r.body?.error?.code, -32000);
    assert.match(r.body?.error?.message ?? "", /2025-03-26 differs from this session's protocol version 2025-11-25/);
  });

  it("MCP-Protocol-Version: 2026-07-28 without the modern _meta envelope -> 400 / -32602 echoing the id", async () => {
    const r = await rawPost(URL_, {
      key: KEY,
      headers: { "mcp-protocol-version": "2026-07-28" },
      body: { jsonrpc: "2.0", id: 7, method: "tools/list", params: {} },
    });
    assert.equal(r.status, 400);
    assert.equal(r.body?.error?.code, -32602);
    assert.equal(r.body?.id, 7);
  });
});

describe("stateless era (2026-07-28), raw", () => {
  const meta = {
    "io.modelcontextprotocol/protocolVersion": "2026-07-28",
    "io.modelcontextprotocol/clientCapabilities": {},
  };

  it("claude.ai connectors (header 2025-11-25, body 2026-07-28) are served by the body, and logged", async () => {
    const r = await rawPost(URL_, {
      key: KEY,
      headers: { "mcp-protocol-version": "2025-11-25" },
      body: { jsonrpc: "2.0", id: "claude-ai-1", method: "tools/list", params: { _meta: meta } },
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body?.id, "claude-ai-1");
    assert.equal(r.body?.result?.resultType, "complete");
    assert.equal(r.headers.get("mcp-session-id"), null, "no session id on the stateless lane");
    const { readFileSync } = await import("node:fs");
    let logged = false;
    for (let i = 0; i < 50 && !logged; i++) {
      logged = readFileSync(process.env.E2E_WORKER_LOG, "utf8").includes('"version_header_mismatch":"2025-11-25"');
      if (!logged) await new Promise((res) => setTimeout(res, 100));
    }
    assert.ok(logged, "the worker log names the mismatch");
  });

  it("a version we do not serve -> 400 / -32022 with the supported list", async () => {
    const r = await rawPost(URL_, {
      key: KEY,
      headers: { "mcp-protocol-version": "2099-01-01", "mcp-method": "server/discover" },
      body: { jsonrpc: "2.0", id: 3, method: "server/discover", params: { _meta: { ...meta, "io.modelcontextprotocol/protocolVersion": "2099-01-01" } } },
    });
    assert.equal(r.status, 400);
    assert.equal(r.body?.error?.code, -32022);
    assert.deepEqual(r.body?.error?.data?.supported, ["2026-07-28"]);
  });

  it("ping does not exist on the stateless lane -> 404 / -32601", async () => {
    const r = await rawPost(URL_, {
      key: KEY,
      headers: { "mcp-protocol-version": "2026-07-28", "mcp-method": "ping" },
      body: { jsonrpc: "2.0", id: 4, method: "ping", params: { _meta: meta } },
    });
    assert.equal(r.status, 404);
    assert.equal(r.body?.error?.code, -32601);
    assert.equal(r.body?.id, 4);
  });
});

describe("tool errors", () => {
  let s;
  before(async () => {
    s = await rawSession(URL_, KEY);
  });

  it("unknown tool -> JSON-RPC error -32602", async () => {
    const r = await s.request("tools/call", { name: "odoo_nope", arguments: {} });
    assert.equal(r.body?.error?.code, -32602, JSON.stringify(r.body));
  });

  it("model not enabled (sale.order) -> isError naming the administrator", async () => {
    const result = await s.callTool("odoo_search", { model: "sale.order", limit: 1 });
    assert.equal(result.isError, true, JSON.stringify(result));
    assert.match(resultText(result), /administrator/i);
  });

  it("sensitive model (res.users, even though enabled) -> isError", async () => {
    const search = await s.callTool("odoo_search", { model: "res.users", limit: 1 });
    assert.equal(search.isError, true, JSON.stringify(search));
    const get = await s.callTool("odoo_get", { model: "res.users", ids: [1] });
    assert.equal(get.isError, true, JSON.stringify(get));
  });

  it("Odoo down -> isError with a readable message; the healthy connection still works", async () => {
    const down = await rawSession(URL_, setup.keys.down);
    const result = await down.callTool("odoo_search", { model: "res.partner", limit: 1 });
    assert.equal(result.isError, true, JSON.stringify(result));
    const text = resultText(result);
    assert.ok(text.length > 0 && text.length < 2000, `message: ${text}`);
    assert.doesNotMatch(text, /panicked|RuntimeError|wasm-function|stack backtrace/i);

    const ok = await s.callTool("odoo_search", { model: "res.partner", fields: ["name"], limit: 1 });
    assert.notEqual(ok.isError, true, resultText(ok));
    assert.ok(ok.structuredContent?.records?.length >= 1);
  });

  it("Odoo too slow -> isError once ODOO_TIMEOUT_MS (5000 in e2e.env) has passed, not a call left hanging", async () => {
    const control = async (body) => {
      const r = await fetch(`${setup.odoo.c19.url}/__fake/control`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      assert.equal(r.status, 200, await r.text());
    };
    await control({ delay_ms: 8000, methods: ["search_read"] });
    try {
      const t = performance.now();
      const result = await s.callTool("odoo_search", { model: "res.partner", fields: ["name"], limit: 1 });
      const ms = performance.now() - t;
      assert.equal(result.isError, true, JSON.stringify(result));
      assert.match(resultText(result), /5000 ms/);
      assert.ok(ms >= 4900 && ms < 7900, `answered after ${Math.round(ms)} ms`);
    } finally {
      await control({ reset: true });
    }
  });
});

describe("request log (one JSON line per request, as wrangler tail shows it)", () => {
  /** The worker log's JSON line with this request id (the log is written a moment after the answer). */
  async function lineFor(requestId) {
    const { readFileSync } = await import("node:fs");
    for (let i = 0; i < 50; i++) {
      const hit = readFileSync(process.env.E2E_WORKER_LOG, "utf8").split("\n").find((l) => l.includes(`"request_id":"${requestId}"`));
      if (hit) return JSON.parse(hit.slice(hit.indexOf("{")));
      await new Promise((res) => setTimeout(res, 100));
    }
    return null;
  }

  it("a tools/call: its x-request-id names a line with key prefix, era, method, tool, model, duration, outcome", async () => {
    const meta = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} };
    const r = await rawPost(URL_, {
      key: KEY,
      headers: { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "odoo_search" },
      body: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { _meta: meta, name: "odoo_search", arguments: { model: "res.partner", limit: 1 } } },
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const id = r.headers.get("x-request-id");
    assert.match(id ?? "", /^[0-9a-f]{16}$/);
    const line = await lineFor(id);
    assert.ok(line, `no log line with request_id ${id}`);
    assert.deepEqual(
      [line.http_method, line.path, line.status, line.key, line.era, line.method, line.tool, line.model, line.outcome],
      ["POST", "/mcp", 200, KEY.slice(0, 13), "stateless", "tools/call", "odoo_search", "res.partner", "ok"],
    );
    assert.equal(typeof line.duration_ms, "number");
  });

  it("a refused key: the line says why, with no key material beyond our own prefix", async () => {
    const bogus = "omcp_thisKeyDoesNotExist1111111111111111111";
    const r = await rawPost(URL_, { key: bogus, body: initializeRequest() });
    assert.equal(r.status, 401);
    const line = await lineFor(r.headers.get("x-request-id"));
    assert.ok(line, "no log line for the refused request");
    assert.equal(line.outcome, "unknown_key");
    assert.equal(JSON.stringify(line).includes(bogus), false, "the presented key is not logged");
  });
});
