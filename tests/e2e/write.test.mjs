// The write tools through the official TS SDK 1.x client against the real worker: create with read-back,
// an update preview, the chatter, a file attached and read back as a binary resource, an allowed action (a quotation confirmed), and a batch whose progress the client watches and which it cancels.
// Run by the e2e harness (tests/e2e/harness): node --test tests/e2e/write.test.mjs (needs E2E_SETUP and the FAKE* variables).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync } from "node:fs";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { admin, keyForModels, loadSetup, resultText } from "./lib.mjs";

const setup = loadSetup();
const FAKES = [
  ["Odoo 19 (json2)", { url: process.env.FAKE19_URL, db: "mcptest", admin: process.env.FAKE19_ADMIN_KEY }],
  ["Odoo 17 (jsonrpc)", { url: process.env.FAKE17_URL, db: "mcptest17", admin: process.env.FAKE17_ADMIN_KEY }],
];

async function api(method, path, body, want = 200) {
  const r = await admin(setup, method, path, body);
  assert.equal(r.status, want, `${method} ${path}: ${JSON.stringify(r.body).slice(0, 300)}`);
  return r.body;
}

async function fakeControl(fake, body) {
  const res = await fetch(`${fake.url}/__fake/control`, { method: "POST", body: JSON.stringify(body), headers: { "content-type": "application/json" } });
  assert.equal(res.status, 200, await res.text());
}

async function fakeMethods(fake) {
  const res = await fetch(`${fake.url}/__fake/calls`);
  return (await res.json()).calls.map((c) => c.method);
}

/** A connection of its own with writes enabled on res.partner and crm.lead, and an admin key for it. */
async function writableKey(label, fake) {
  const conn = await api("POST", "/admin/api/connections", { name: `write ${label}`, url: fake.url, database: fake.db }, 201);
  for (const model of ["res.partner", "crm.lead"]) {
    await api("PUT", `/admin/api/connections/${conn.id}/models/${model}`, { read: true, create: true, update: true, delete: true });
  }
  await api("PUT", `/admin/api/connections/${conn.id}/models/sale.order`, { read: true, actions: ["action_confirm"] });
  const k = await api("POST", "/admin/api/keys", { connection_id: conn.id, label: `e2e writes ${label}`, odoo_login: "admin", odoo_api_key: fake.admin }, 201);
  if (process.env.E2E_EXTRA_SECRETS) appendFileSync(process.env.E2E_EXTRA_SECRETS, `${k.key}\n`, { mode: 0o600 });
  return k.key;
}

function ok(result, what) {
  assert.notEqual(result.isError, true, `${what}: ${resultText(result)}`);
  return result.structuredContent;
}

for (const [label, fake] of FAKES) {
  describe(`write tools, TS SDK client, ${label}`, () => {
    let client, transport;

    before(async () => {
      const key = await writableKey(label, fake);
      transport = new StreamableHTTPClientTransport(new URL(setup.mcp_url), { requestInit: { headers: { Authorization: `Bearer ${key}` } } });
      client = new Client({ name: "odoo-mcp-e2e-writes", version: "0.0.1" });
      await client.connect(transport);
    });
    after(async () => {
      await fakeControl(fake, { reset: true });
      try {
        await transport?.terminateSession();
      } finally {
        await client?.close();
      }
    });

    it("creates a record, reads it back, previews an update and posts a note", async () => {
      const created = ok(await client.callTool({ name: "odoo_create", arguments: { model: "res.partner", values: { name: `E2E ${label}`, email: "e2e@example.com" } } }), "create");
      assert.ok(created.id > 0);
      assert.deepEqual(created.not_applied, []);
      assert.equal(created.record.email, "e2e@example.com");
      const preview = ok(await client.callTool({ name: "odoo_update", arguments: { model: "res.partner", ids: [created.id], values: { city: "Liège" }, dry_run: true } }), "preview");
      assert.equal(preview.changes[0].fields.city.new, "Liège");
      const bad = await client.callTool({ name: "odoo_update", arguments: { model: "res.partner", ids: [created.id], values: { city: 42 } } });
      assert.equal(bad.isError, true);
      assert.match(resultText(bad), /'city'.*expects text/);
      const posted = ok(await client.callTool({ name: "odoo_chatter_post", arguments: { model: "crm.lead", id: 1, body: "E2E <note> & more" } }), "post");
      const thread = ok(await client.callTool({ name: "odoo_chatter_read", arguments: { model: "crm.lead", id: 1, limit: 1 } }), "read");
      assert.equal(thread.messages[0].id, posted.message_id);
      assert.equal(thread.messages[0].body, "E2E <note> & more");
    });

    it("attaches a PDF to a partner; the client reads it back as a binary resource, a text file as text", async () => {
      const pdf = Buffer.from("%PDF-1.4\n%\xe2\xe3\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", "latin1");
      const attached = ok(await client.callTool({ name: "odoo_attach", arguments: { model: "res.partner", id: 3, name: "e2e.pdf", mimetype: "application/pdf", content_base64: pdf.toString("base64") } }), "attach");
      assert.equal(attached.size, pdf.length);
      const note = ok(await client.callTool({ name: "odoo_attach", arguments: { model: "res.partner", id: 3, name: "e2e.txt", mimetype: "text/plain", text: "E2E – attached\n" } }), "attach text");
      const listed = await client.readResource({ uri: "odoo://res.partner/3/attachments" });
      const list = JSON.parse(listed.contents[0].text);
      const item = list.attachments.find((a) => a.id === attached.attachment_id);
      assert.deepEqual([item.name, item.mimetype, item.size], ["e2e.pdf", "application/pdf", pdf.length]);
      const read = await client.readResource({ uri: item.uri });
      assert.equal(read.contents.length, 1);
      assert.equal(read.contents[0].mimeType, "application/pdf");
      assert.equal(read.contents[0].text, undefined);
      assert.deepEqual(Buffer.from(read.contents[0].blob, "base64"), pdf, "the SDK's BlobResourceContents, byte for byte");
      const text = await client.readResource({ uri: `odoo://res.partner/3/attachments/${note.attachment_id}` });
      assert.equal(text.contents[0].mimeType, "text/plain");
      assert.equal(text.contents[0].text, "E2E – attached\n");
    });

    it("confirms a quotation with an allowed action, and refuses a private method before Odoo", async () => {
      const args = { model: "sale.order", ids: [2], action: "action_confirm" };
      const preview = ok(await client.callTool({ name: "odoo_action", arguments: { ...args, dry_run: true } }), "dry run");
      assert.equal(preview.status, "dry_run");
      assert.equal(preview.records[0].state, "draft");
      const done = ok(await client.callTool({ name: "odoo_action", arguments: args }), "action");
      assert.equal(done.status, "done");
      assert.equal(done.records[0].state, "sale", "draft → sale");
      const refused = await client.callTool({ name: "odoo_action", arguments: { ...args, action: "_action_confirm" } });
      assert.equal(refused.isError, true);
      assert.match(resultText(refused), /private method/);
      assert.ok(!(await fakeMethods(fake)).includes("_action_confirm"), "the private method never reached Odoo");
    });

    it("runs a batch the client watches, one progress notification per operation", async () => {
      const operations = [1, 2, 3, 4].map((n) => ({ action: "create", model: "res.partner", values: { name: `E2E batch ${label} ${n}` } }));
      const seen = [];
      const result = await client.callTool({ name: "odoo_batch", arguments: { operations } }, undefined, {
        onprogress: (p) => seen.push([p.progress, p.total, p.message]),
      });
      const out = ok(result, "batch");
      assert.equal(out.succeeded, 4);
      assert.deepEqual(seen.map(([p, t]) => [p, t]), [[1, 4], [2, 4], [3, 4], [4, 4]], JSON.stringify(seen));
      assert.match(seen[3][2], /4 of 4: create res\.partner done/);
    });

    it("stops a batch between operations when the client cancels it", async () => {
      // Each create takes a while in Odoo, so the cancellation lands while the batch is under way.
      await fakeControl(fake, { delay_ms: 600, methods: ["create"] });
      await fetch(`${fake.url}/__fake/calls`, { method: "DELETE" });
      const operations = [1, 2, 3, 4, 5, 6].map((n) => ({ action: "create", model: "res.partner", values: { name: `E2E cancelled ${label} ${n}` } }));
      const controller = new AbortController();
      const progress = [];
      const call = client.callTool({ name: "odoo_batch", arguments: { operations } }, undefined, {
        signal: controller.signal,
        onprogress: (p) => {
          progress.push(p.progress);
          controller.abort("the user pressed stop");
        },
      });
      await assert.rejects(call, (e) => /abort|stop/i.test(String(e?.message ?? e)));
      // The worker records the cancellation and stops at its next check between operations: wait for its audit row.
      let cancelled = [];
      for (let i = 0; i < 100 && cancelled.length === 0; i++) {
        const body = await api("GET", "/admin/api/audit?event=request_cancelled&limit=50");
        cancelled = body.events.filter((e) => e.tool === "odoo_batch");
        if (cancelled.length === 0) await new Promise((r) => setTimeout(r, 100));
      }
      assert.ok(cancelled.length > 0, "the batch was audited as cancelled");
      const creates = (await fakeMethods(fake)).filter((m) => m === "create").length;
      assert.ok(creates >= 1 && creates < operations.length, `stopped part-way: ${creates} of ${operations.length} creates ran`);
      assert.deepEqual(progress.slice(0, 1), [1]);
    });
  });
}

describe("a key's time zone, in workerd", () => {
  it("chatter dates stay UTC and come in the key's time zone too (the runtime's Intl)", async () => {
    const key = await keyForModels(setup, "e2e time zone", { "crm.lead": { read: true } }, { tz: "Europe/Brussels" });
    const transport = new StreamableHTTPClientTransport(new URL(setup.mcp_url), { requestInit: { headers: { Authorization: `Bearer ${key}` } } });
    const client = new Client({ name: "odoo-mcp-e2e-tz", version: "0.0.1" });
    await client.connect(transport);
    try {
      const out = ok(await client.callTool({ name: "odoo_chatter_read", arguments: { model: "crm.lead", id: 1, limit: 1 } }), "chatter");
      assert.equal(out.time_zone, "Europe/Brussels");
      const m = out.messages[0];
      assert.match(m.date_local, /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
      const utc = Date.parse(m.date.replace(" ", "T") + "Z");
      const offset = new Intl.DateTimeFormat("en", { timeZone: "Europe/Brussels", timeZoneName: "shortOffset" }).formatToParts(utc).find((p) => p.type === "timeZoneName").value;
      const hours = Number(offset.replace("GMT", "") || 0);
      assert.equal(Date.parse(m.date_local.replace(" ", "T") + "Z") - utc, hours * 3600_000, `${m.date} -> ${m.date_local}`);
    } finally {
      await transport.terminateSession().catch(() => {});
      await client.close();
    }
  });
});
