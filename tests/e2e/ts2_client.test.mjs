// Interop with the official TypeScript MCP SDK 2.x client (@modelcontextprotocol/client 2.4.0): in
// `auto` mode it must end up on the stateless 2026-07-28 era, in `legacy` mode on a 2025-11-25 session,
// against the same /mcp. Pagination, progress, logging and cancellation are observed in both eras.
// Run by run.sh: node --test tests/e2e/ts2_client.test.mjs  (needs E2E_SETUP, E2E_WORKER_LOG)
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Client, StreamableHTTPClientTransport } from "@modelcontextprotocol/client";
import { admin, loadSetup, resultText } from "./lib.mjs";

const setup = loadSetup();
const TOOLS = ["odoo_aggregate", "odoo_batch", "odoo_chatter_post", "odoo_chatter_read", "odoo_create", "odoo_delete", "odoo_describe_model", "odoo_get", "odoo_list_models", "odoo_search", "odoo_update"];
const FAKE19 = setup.odoo.c19.url;

async function connect(mode, key = setup.keys.admin19) {
  const transport = new StreamableHTTPClientTransport(new URL(setup.mcp_url), {
    requestInit: { headers: { Authorization: `Bearer ${key}` } },
  });
  const client = new Client({ name: `odoo-mcp-e2e-ts2-${mode}`, version: "0.0.1" }, { versionNegotiation: { mode } });
  await client.connect(transport);
  return { client, transport };
}

/** The 2.x client gathers every page itself; with an explicit cursor it returns one page at a time. */
async function listBothWays(client) {
  const gathered = await client.listTools();
  const tools = [];
  let cursor = "", pages = 0; // an empty cursor is the first page
  do {
    const page = await client.listTools({ cursor });
    tools.push(...page.tools);
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor && pages < 10);
  return { gathered: gathered.tools.map((t) => t.name).sort(), tools: tools.map((t) => t.name).sort(), pages };
}

async function fakeControl(body) {
  const res = await fetch(`${FAKE19}/__fake/control`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  assert.equal(res.status, 200, `fake control ${JSON.stringify(body)}: ${await res.text()}`);
}

async function fakeCalls() {
  const res = await fetch(`${FAKE19}/__fake/calls`);
  return (await res.json()).calls;
}

/** Waits (bounded) for the worker's log line of a cancelled tools/call of this tool. */
async function waitForCancelledLine(since) {
  for (let i = 0; i < 150; i++) {
    const lines = readFileSync(process.env.E2E_WORKER_LOG, "utf8").split("\n").slice(since);
    const hit = lines.find((l) => l.includes('"cancelled":true') && l.includes('"rpc":"tools/call"'));
    if (hit) return hit;
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

const logLineCount = () => readFileSync(process.env.E2E_WORKER_LOG, "utf8").split("\n").length - 1;

/** Enables a model for read on the Odoo 19 connection that no other test reads (a cold schema cache). */
async function enable(model) {
  const r = await admin(setup, "PUT", `/admin/api/connections/${setup.connections.c19.id}/models/${model}`, { read: true });
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

/** Starts a search that waits on the (delayed) fields_get, aborts it, and returns what Odoo saw. */
async function cancelledSearch(client, model, withProgress) {
  await enable(model);
  await fakeControl({ reset: true });
  await fakeControl({ delay_ms: 2500, methods: ["fields_get"] });
  const since = logLineCount();
  const controller = new AbortController();
  const progress = [];
  const call = client.callTool(
    { name: "odoo_search", arguments: { model, limit: 2 } },
    { signal: controller.signal, ...(withProgress ? { onprogress: (p) => progress.push(p) } : {}) },
  );
  // Abort once Odoo has the fields_get request in hand (the search's first Odoo call).
  for (let i = 0; i < 100 && !(await fakeCalls()).some((c) => c.model === model && c.method === "fields_get"); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  controller.abort("user pressed stop");
  await assert.rejects(call, "the aborted call rejects on the client");
  const line = await waitForCancelledLine(since);
  await fakeControl({ reset: true });
  const calls = (await fakeCalls()).filter((c) => c.model === model);
  return { line, calls, progress };
}

describe("TS SDK 2.x client, auto mode (stateless 2026-07-28)", () => {
  let client;
  before(async () => {
    ({ client } = await connect("auto"));
  });
  after(async () => {
    await client?.close();
  });

  it("negotiates 2026-07-28 through server/discover", () => {
    assert.equal(client.getNegotiatedProtocolVersion(), "2026-07-28");
    assert.equal(client.getServerVersion()?.name, "odoo-mcp-edge");
    assert.ok(client.getServerCapabilities()?.tools, "tools capability");
    assert.match(client.getInstructions() ?? "", /odoo_search/);
  });

  it("lists every tool across pages", async () => {
    const { gathered, tools, pages } = await listBothWays(client);
    assert.deepEqual(gathered, TOOLS, "the client followed nextCursor (3 tools per page on the e2e worker)");
    assert.equal(pages, 4);
    assert.deepEqual(tools, TOOLS);
  });

  it("streams progress and log messages before the result of odoo_search", async () => {
    const progress = [];
    const logs = [];
    client.setNotificationHandler("notifications/message", (n) => logs.push(n.params));
    const result = await client.callTool(
      { name: "odoo_search", arguments: { model: "res.partner", fields: ["name", "no_such_field"], limit: 2 }, _meta: { "io.modelcontextprotocol/logLevel": "info" } },
      { onprogress: (p) => progress.push(p) },
    );
    assert.notEqual(result.isError, true, resultText(result));
    assert.equal(result.structuredContent.count, 2);
    assert.equal(progress.length, 2, JSON.stringify(progress));
    assert.deepEqual(progress.map((p) => p.progress), [1, 2]);
    assert.ok(progress.every((p) => p.total === 2 && typeof p.message === "string"));
    assert.ok(logs.some((l) => l.level === "warning" && String(l.data).includes("no_such_field")), JSON.stringify(logs));
    assert.ok(!logs.some((l) => l.level === "debug"), "nothing below the requested level");
  });

  it("cancels when the client closes the stream: Odoo never gets the search_read", async () => {
    const { line, calls, progress } = await cancelledSearch(client, "crm.tag", true);
    assert.ok(line, "the worker logged the tools/call as cancelled");
    assert.ok(line.includes('"era":"stateless"'), line);
    assert.deepEqual(calls.map((c) => c.method), ["fields_get"], "no search_read after the cancellation");
    assert.equal(progress.length, 0, "no progress arrives after the abort");
  });
});

describe("TS SDK 2.x client, legacy mode (2025-11-25 session)", () => {
  let client, transport;
  before(async () => {
    ({ client, transport } = await connect("legacy"));
  });
  after(async () => {
    try {
      await transport?.terminateSession();
    } finally {
      await client?.close();
    }
  });

  it("negotiates 2025-11-25 with a session id", () => {
    assert.equal(client.getNegotiatedProtocolVersion(), "2025-11-25");
    assert.ok(transport.sessionId, "Mcp-Session-Id");
  });

  it("lists every tool across pages", async () => {
    const { gathered, tools, pages } = await listBothWays(client);
    assert.deepEqual(gathered, TOOLS);
    assert.equal(pages, 4);
    assert.deepEqual(tools, TOOLS);
  });

  it("streams progress, and log messages at the session's level", async () => {
    await client.setLoggingLevel("info");
    const logs = [];
    client.setNotificationHandler("notifications/message", (n) => logs.push(n.params));
    const progress = [];
    const result = await client.callTool(
      { name: "odoo_search", arguments: { model: "res.partner", fields: ["name"], limit: 2 } },
      { onprogress: (p) => progress.push(p) },
    );
    assert.equal(result.structuredContent.count, 2);
    assert.deepEqual(progress.map((p) => p.progress), [1, 2]);
    assert.ok(logs.some((l) => l.level === "info"), JSON.stringify(logs));
  });

  it("records notifications/cancelled and stops before the next Odoo call", async () => {
    const { line, calls } = await cancelledSearch(client, "crm.stage", false);
    assert.ok(line, "the worker logged the tools/call as cancelled");
    assert.ok(line.includes('"era":"session"'), line);
    assert.deepEqual(calls.map((c) => c.method), ["fields_get"], "no search_read after the cancellation");
  });
});
