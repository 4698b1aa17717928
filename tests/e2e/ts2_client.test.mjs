// Interop with the official TypeScript MCP SDK 2.x client (@modelcontextprotocol/client, pinned in package.json): in
// `auto` mode it must end up on the stateless 2026-07-28 era, in `legacy` mode on a 2025-11-25 session,
// against the same /mcp. Pagination, progress, logging and cancellation are observed in both eras.
// Run by the e2e harness (tests/e2e/harness): node --test tests/e2e/ts2_client.test.mjs  (needs E2E_SETUP, E2E_WORKER_LOG)
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Client, ProtocolError, ResourceNotFoundError, StreamableHTTPClientTransport, UriTemplate } from "@modelcontextprotocol/client";
import { admin, keyForModels, loadSetup, resultText } from "./lib.mjs";

const setup = loadSetup();
// The e2e keys are read-only: tools/list offers them the read tools only (tools::offered).
const TOOLS = ["odoo_aggregate", "odoo_chatter_read", "odoo_describe_model", "odoo_get", "odoo_list_models", "odoo_search"];
const FAKE19 = setup.odoo.c19.url;

/** `wire`, if given, collects every request the client puts on the wire: {method, mcpName (the
 * Mcp-Name header), response (the JSON-RPC response as sent: the last message of an SSE body)}. */
async function connect(mode, key = setup.keys.admin19, wire = undefined) {
  const transport = new StreamableHTTPClientTransport(new URL(setup.mcp_url), {
    requestInit: { headers: { Authorization: `Bearer ${key}` } },
    ...(wire
      ? {
          fetch: async (url, init) => {
            const res = await fetch(url, init);
            if (typeof init?.body === "string") {
              const text = await res.clone().text();
              const datas = text.split(/\r?\n/).filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).filter(Boolean);
              const last = (res.headers.get("content-type") ?? "").includes("text/event-stream") ? datas.at(-1) : text;
              const mcpName = new Headers(init.headers).get("mcp-name");
              wire.push({ method: JSON.parse(init.body).method, mcpName, response: last ? JSON.parse(last) : null });
            }
            return res;
          },
        }
      : {}),
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
    const hit = lines.find((l) => l.includes('"outcome":"cancelled"') && l.includes('"method":"tools/call"'));
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

  it("lists the read-only key's tools across pages", async () => {
    const { gathered, tools, pages } = await listBothWays(client);
    assert.deepEqual(gathered, TOOLS, "the client followed nextCursor (3 tools per page on the e2e worker)");
    assert.equal(pages, 2);
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

  it("lists the read-only key's tools across pages", async () => {
    const { gathered, tools, pages } = await listBothWays(client);
    assert.deepEqual(gathered, TOOLS);
    assert.equal(pages, 2);
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

// ---------------------------------------------------------------- resources, prompts, completion
const TEMPLATES = {
  record: "odoo://{model}/{id}{?fields}",
  search: "odoo://{model}{?domain,fields,order,limit,offset}",
  fields: "odoo://{model}/fields",
  chatter: "odoo://{model}/{id}/chatter{?limit,cursor}",
  attachments: "odoo://{model}/{id}/attachments",
  attachment: "odoo://{model}/{id}/attachments/{attachment_id}",
};

function resourceJson(result, uri) {
  assert.equal(result.contents.length, 1);
  assert.equal(result.contents[0].uri, uri);
  assert.equal(result.contents[0].mimeType, "application/json");
  return JSON.parse(result.contents[0].text);
}

async function rejectsWith(promise, { code, uri, message }) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof ProtocolError, `not a ProtocolError: ${e}`);
    assert.equal(e.code, code, e.message);
    if (uri !== undefined) assert.deepEqual(e.data, { uri }, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

async function tool(client, name, args) {
  const result = await client.callTool({ name, arguments: args });
  assert.notEqual(result.isError, true, resultText(result));
  return result.structuredContent;
}

describe("TS SDK 2.x client, auto mode (stateless 2026-07-28): resources, prompts, completion", () => {
  let client;
  const wire = [];
  before(async () => {
    ({ client } = await connect("auto", setup.keys.admin19, wire));
    assert.equal(client.getNegotiatedProtocolVersion(), "2026-07-28");
  });
  after(async () => {
    await client?.close();
  });

  it("advertises resources, prompts and completions in server/discover", () => {
    const caps = client.getServerCapabilities();
    assert.ok(caps?.resources && caps?.prompts && caps?.completions, JSON.stringify(caps));
  });

  it("lists resources and templates, the client gathering the pages", async () => {
    const { resources } = await client.listResources();
    const uris = resources.map((r) => r.uri);
    assert.equal(uris[0], "odoo://models");
    for (const u of ["odoo://res.partner", "odoo://res.partner/fields", "odoo://crm.lead", "odoo://crm.lead/fields"]) assert.ok(uris.includes(u), u);
    assert.ok(resources.every((r) => r.mimeType === "application/json"));
    const { resourceTemplates } = await client.listResourceTemplates();
    assert.deepEqual(resourceTemplates.map((t) => t.uriTemplate).sort(), Object.values(TEMPLATES).sort());
  });

  it("resources/read carries cache hints: record data ttlMs 0, models and fields 60 s, all private", async () => {
    const record = await client.readResource({ uri: "odoo://res.partner/15?fields=name" });
    assert.deepEqual(resourceJson(record, "odoo://res.partner/15?fields=name").record, { id: 15, name: "Azure Interior" });
    assert.equal(record.ttlMs, 0);
    assert.equal(record.cacheScope, "private");
    for (const uri of ["odoo://models", "odoo://res.partner/fields"]) {
      const meta = await client.readResource({ uri }, { cacheMode: "bypass" });
      assert.equal(meta.ttlMs, 60000, uri);
      assert.equal(meta.cacheScope, "private", uri);
    }
  });

  it("the client honours them: the fields resource is served from its cache, a record is fetched every time", async () => {
    const reads = () => wire.filter((w) => w.method === "resources/read").length;
    const first = await client.readResource({ uri: "odoo://crm.lead/fields" });
    const before = reads();
    const again = await client.readResource({ uri: "odoo://crm.lead/fields" });
    assert.equal(reads(), before, "no request for a fresh cached resource");
    assert.deepEqual(again.contents, first.contents);
    await client.readResource({ uri: "odoo://crm.lead/1?fields=name" });
    await client.readResource({ uri: "odoo://crm.lead/1?fields=name" });
    assert.equal(reads(), before + 2, "ttlMs 0: record data is never reused");
  });

  it("a search URI expanded from the published template pages like odoo_search with offset", async () => {
    const { resourceTemplates } = await client.listResourceTemplates();
    const template = new UriTemplate(resourceTemplates.find((t) => t.name === "odoo-search").uriTemplate);
    const domain = [["type", "=", "opportunity"]];
    const uri = template.expand({ model: "crm.lead", domain: JSON.stringify(domain), fields: ["name", "expected_revenue"], order: "expected_revenue desc", limit: "4", offset: "1" });
    const page = resourceJson(await client.readResource({ uri }), uri);
    const same = await tool(client, "odoo_search", { model: "crm.lead", domain, fields: ["name", "expected_revenue"], order: "expected_revenue desc", limit: 4, offset: 1 });
    assert.deepEqual(page.records, same.records);
    assert.equal(page.records.length, 4);
    const revenue = page.records.map((r) => r.expected_revenue);
    assert.deepEqual(revenue, [...revenue].sort((a, b) => b - a), "ordered by expected revenue, descending");
    assert.deepEqual(template.match(page.next_uri)?.offset, "5", `next_uri continues at offset 5: ${page.next_uri}`);
    const next = resourceJson(await client.readResource({ uri: page.next_uri }), page.next_uri);
    const after = await tool(client, "odoo_search", { model: "crm.lead", domain, fields: ["name", "expected_revenue"], order: "expected_revenue desc", limit: 4, offset: 5 });
    assert.deepEqual(next.records, after.records);
  });

  it("a missing record, an unknown path or scheme -> -32602 with data.uri (never -32002 on this era)", async () => {
    for (const uri of ["odoo://res.partner/987654321", "odoo://crm.lead/987654321/chatter?limit=2", "odoo://res.partner/1/messages", "test://nonexistent"]) {
      await rejectsWith(client.readResource({ uri }), { code: -32602, uri, message: /not found/i });
      // The SDK reports any not-found as -32602: the code the worker sent is checked on the wire.
      assert.deepEqual(wire.at(-1).response.error, { code: -32602, message: `Resource not found: ${uri}`, data: { uri } });
    }
  });

  it("a URI with non-ASCII characters reaches the worker (the SDK sends Mcp-Name base64-encoded)", async () => {
    const uri = 'odoo://res.partner?domain=["|",["name","=","Azure Interior"],["name","=","Zoë Liège"]]&fields=name';
    const body = resourceJson(await client.readResource({ uri }), uri);
    assert.deepEqual(body.records, [{ id: 15, name: "Azure Interior" }]);
    const { mcpName } = wire.at(-1);
    assert.match(mcpName, /^=\?base64\?.+\?=$/);
    assert.equal(Buffer.from(mcpName.slice(9, -2), "base64").toString("utf8"), uri);
  });

  it("a malformed URI -> -32602 with data.uri, naming what is wrong", async () => {
    await rejectsWith(client.readResource({ uri: "odoo://res.partner?limit=abc" }), { code: -32602, uri: "odoo://res.partner?limit=abc", message: /'limit'/ });
    await rejectsWith(client.readResource({ uri: "odoo://res.partner?domain=%7B%7D" }), { code: -32602, uri: "odoo://res.partner?domain=%7B%7D", message: /'domain'/ });
  });

  it("prompts: listed by the key's models, and a record typed by name resolved for the user message", async () => {
    const { prompts } = await client.listPrompts();
    assert.deepEqual(prompts.map((p) => p.name).sort(), ["customer_overview", "draft_follow_up", "find_records", "pipeline_review", "summarize_record"]);
    const result = await client.getPrompt({ name: "draft_follow_up", arguments: { model: "crm.lead", record: "custom desks", topic: "delivery date" } });
    const text = result.messages[0].content.text;
    assert.ok(text.includes('crm.lead 7 ("Custom Desks")') && text.includes("about: delivery date"), text);
    assert.match(text, /may not post on crm\.lead/, "read-only key: no odoo_chatter_post step");
    await rejectsWith(client.getPrompt({ name: "draft_follow_up", arguments: { model: "crm.lead" } }), { code: -32602, message: /missing required argument 'record'/ });
  });

  it("completion: template variables id and order, and a prompt's model", async () => {
    const ids = await client.complete({ ref: { type: "ref/resource", uri: TEMPLATES.record }, argument: { name: "id", value: "azure interior" }, context: { arguments: { model: "res.partner" } } });
    assert.ok(ids.completion.values.includes("15"), JSON.stringify(ids));
    assert.ok(ids.completion.values.every((v) => /^[1-9]\d*$/.test(v)), "ids, as strings");
    const fields = resourceJson(await client.readResource({ uri: "odoo://res.partner/fields" }), "odoo://res.partner/fields").fields;
    const order = await client.complete({ ref: { type: "ref/resource", uri: TEMPLATES.search }, argument: { name: "order", value: "na" }, context: { arguments: { model: "res.partner" } } });
    assert.equal(order.completion.values[0], "name");
    for (const v of order.completion.values) assert.equal(fields.find((f) => f.name === v)?.sortable, true, `${v} is a sortable field`);
    const models = await client.complete({ ref: { type: "ref/prompt", name: "find_records" }, argument: { name: "model", value: "LEAD" } });
    assert.deepEqual(models.completion.values, ["crm.lead"]);
  });

  it("permissions and field policies refuse the same way on this era", async () => {
    const key = await keyForModels(setup, "e2e resources policy, stateless", { "res.partner": { read: true, fields: { mode: "deny", fields: ["phone"] } } });
    const { client: limited } = await connect("auto", key);
    try {
      assert.equal(limited.getNegotiatedProtocolVersion(), "2026-07-28");
      await rejectsWith(limited.readResource({ uri: "odoo://crm.lead/1" }), { code: -32602, uri: "odoo://crm.lead/1", message: /not enabled/ });
      const byPhone = `odoo://res.partner?domain=${encodeURIComponent('[["phone","!=",false]]')}`;
      await rejectsWith(limited.readResource({ uri: byPhone }), { code: -32602, uri: byPhone, message: /field policy/ });
      const one = resourceJson(await limited.readResource({ uri: "odoo://res.partner/15?fields=name,phone" }), "odoo://res.partner/15?fields=name,phone");
      assert.deepEqual(one.record, { id: 15, name: "Azure Interior" });
      assert.deepEqual(one.dropped_fields.map((d) => d.field), ["phone"]);
      const { prompts } = await limited.listPrompts();
      assert.deepEqual(prompts.map((p) => p.name).sort(), ["customer_overview", "draft_follow_up", "find_records", "summarize_record"], "no pipeline_review without crm.lead");
    } finally {
      await limited.close();
    }
  });
});

describe("TS SDK 2.x client, legacy mode (2025-11-25 session): resources", () => {
  let client, transport;
  const wire = [];
  before(async () => {
    ({ client, transport } = await connect("legacy", setup.keys.admin19, wire));
  });
  after(async () => {
    try {
      await transport?.terminateSession();
    } finally {
      await client?.close();
    }
  });

  it("a missing record is -32002 with data.uri on the session era, and results carry no cache hints", async () => {
    assert.equal(client.getNegotiatedProtocolVersion(), "2025-11-25");
    // The SDK surfaces it as its ResourceNotFoundError (code -32602); on the wire the worker sent -32002.
    await assert.rejects(client.readResource({ uri: "odoo://res.partner/987654321" }), (e) => e instanceof ResourceNotFoundError && e.data?.uri === "odoo://res.partner/987654321");
    assert.deepEqual(wire.at(-1).response.error?.code, -32002);
    assert.deepEqual(wire.at(-1).response.error?.data, { uri: "odoo://res.partner/987654321" });
    const fields = await client.readResource({ uri: "odoo://res.partner/fields" });
    assert.equal(fields.ttlMs, undefined);
    assert.equal(fields.cacheScope, undefined);
    assert.ok(resourceJson(fields, "odoo://res.partner/fields").fields.length > 10);
  });
});
