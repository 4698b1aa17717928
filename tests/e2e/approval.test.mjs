// The person's approval through the official clients: a key that deletes only after its person approves.
// Session era (TS SDK 1.x): the server asks with elicitation/create on the call's stream, and the client's
// handler accepts (the record goes) or declines (it stays); a client that declared no elicitation is
// refused with guidance. 2026-07-28 (TS SDK 2.x, pinned): the input_required round, which the client
// fulfils through the same elicitation handler and retries with the signed requestState.
// Run by the e2e harness (tests/e2e/harness): node --test tests/e2e/approval.test.mjs (needs E2E_SETUP and FAKE19_*).
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import * as v2 from "@modelcontextprotocol/client";
import { admin, keyForModels, loadSetup, resultText } from "./lib.mjs";

const setup = loadSetup();
const FAKE19 = process.env.FAKE19_URL;

async function fakeCalls() {
  const res = await fetch(`${FAKE19}/__fake/calls`);
  return (await res.json()).calls.map((c) => c.method);
}

async function fakeReset() {
  const res = await fetch(`${FAKE19}/__fake/calls`, { method: "DELETE" });
  assert.equal(res.status, 200, await res.text());
}

/** The person's answers, in order; each question the client was asked is kept in `asked`. */
function person(answers) {
  const asked = [];
  return {
    asked,
    handler: async (request) => {
      asked.push(request.params);
      return answers.shift() ?? { action: "cancel" };
    },
  };
}

const ACCEPT = { action: "accept", content: { confirm: true } };

let key;
before(async () => {
  key = await keyForModels(setup, "e2e approval", { "res.partner": { read: true, create: true, delete: true } }, { approval: ["delete"] });
});

async function create(client, name) {
  const r = await client.callTool({ name: "odoo_create", arguments: { model: "res.partner", values: { name } } });
  assert.notEqual(r.isError, true, resultText(r));
  return r.structuredContent.id;
}

async function exists(client, id) {
  const r = await client.callTool({ name: "odoo_get", arguments: { model: "res.partner", ids: [id], fields: ["name"] } });
  return (r.structuredContent?.records ?? []).length === 1;
}

describe("approval, TS SDK 1.x client (2025-11-25 session): elicitation/create on the call's stream", () => {
  let client, transport;
  const answers = [];
  const p = person(answers);

  before(async () => {
    transport = new StreamableHTTPClientTransport(new URL(setup.mcp_url), { requestInit: { headers: { Authorization: `Bearer ${key}` } } });
    client = new Client({ name: "odoo-mcp-e2e-approval", version: "0.0.1" }, { capabilities: { elicitation: {} } });
    client.setRequestHandler(ElicitRequestSchema, p.handler);
    await client.connect(transport);
  });
  after(async () => {
    try {
      await transport?.terminateSession();
    } finally {
      await client?.close();
    }
  });

  it("deletes only after the person accepts, and the question names the record", async () => {
    const id = await create(client, "E2E approve me");
    await fakeReset();
    answers.push(ACCEPT);
    const r = await client.callTool({ name: "odoo_delete", arguments: { model: "res.partner", ids: [id] } });
    assert.notEqual(r.isError, true, resultText(r));
    assert.equal(r.structuredContent.deleted, 1);
    const q = p.asked.at(-1);
    assert.match(q.message, /Delete 1 res\.partner record/);
    assert.match(q.message, /E2E approve me/);
    assert.deepEqual(q.requestedSchema.required, ["confirm"]);
    assert.ok((await fakeCalls()).includes("unlink"));
  });

  it("a decline deletes nothing and says so", async () => {
    const id = await create(client, "E2E keep me");
    await fakeReset();
    answers.push({ action: "decline" });
    const r = await client.callTool({ name: "odoo_delete", arguments: { model: "res.partner", ids: [id] } });
    assert.equal(r.isError, true);
    assert.match(resultText(r), /declined: nothing was done/);
    assert.ok(!(await fakeCalls()).includes("unlink"), "Odoo never got the unlink");
    assert.ok(await exists(client, id));
  });
});

describe("approval, TS SDK 1.x client without elicitation: refused with guidance", () => {
  it("says to use a client that can ask, or to ask the administrator", async () => {
    const transport = new StreamableHTTPClientTransport(new URL(setup.mcp_url), { requestInit: { headers: { Authorization: `Bearer ${key}` } } });
    const client = new Client({ name: "odoo-mcp-e2e-no-elicitation", version: "0.0.1" });
    await client.connect(transport);
    try {
      const id = await create(client, "E2E unasked");
      await fakeReset();
      const r = await client.callTool({ name: "odoo_delete", arguments: { model: "res.partner", ids: [id] } });
      assert.equal(r.isError, true);
      assert.match(resultText(r), /could not be asked/);
      assert.match(resultText(r), /administrator/);
      assert.ok(!(await fakeCalls()).includes("unlink"));
    } finally {
      await transport.terminateSession().catch(() => {});
      await client.close();
    }
  });
});

describe("approval, TS SDK 2.x client (stateless 2026-07-28): the input_required round", () => {
  let client;
  const answers = [];
  const p = person(answers);
  const wire = [];

  before(async () => {
    const transport = new v2.StreamableHTTPClientTransport(new URL(setup.mcp_url), {
      requestInit: { headers: { Authorization: `Bearer ${key}` } },
      fetch: async (url, init) => {
        const res = await fetch(url, init);
        if (typeof init?.body === "string") {
          const text = await res.clone().text();
          const datas = text.split(/\r?\n/).filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).filter(Boolean);
          const last = (res.headers.get("content-type") ?? "").includes("text/event-stream") ? datas.at(-1) : text;
          wire.push({ request: JSON.parse(init.body), response: last ? JSON.parse(last) : null });
        }
        return res;
      },
    });
    client = new v2.Client(
      { name: "odoo-mcp-e2e-approval-2026", version: "0.0.1" },
      { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: "2026-07-28" } } },
    );
    client.setRequestHandler("elicitation/create", p.handler);
    await client.connect(transport);
  });
  after(async () => client?.close());

  it("the client answers the question and retries with the state: the record goes", async () => {
    const id = await create(client, "E2E stateless approve");
    await fakeReset();
    wire.length = 0;
    answers.push(ACCEPT);
    const r = await client.callTool({ name: "odoo_delete", arguments: { model: "res.partner", ids: [id] } });
    assert.notEqual(r.isError, true, resultText(r));
    assert.equal(r.structuredContent.deleted, 1);
    assert.match(p.asked.at(-1).message, /E2E stateless approve/);
    const calls = wire.filter((w) => w.request.method === "tools/call");
    assert.equal(calls.length, 2, "two rounds on the wire");
    assert.equal(calls[0].response.result.resultType, "input_required");
    assert.equal(calls[1].request.params.requestState, calls[0].response.result.requestState, "the state echoed as sent");
    assert.deepEqual(calls[1].request.params.inputResponses.approval, ACCEPT);
    assert.notEqual(calls[1].request.id, calls[0].request.id, "a new id for the retry");
    assert.deepEqual((await fakeCalls()).filter((m) => m === "unlink"), ["unlink"]);
  });

  it("a decline deletes nothing", async () => {
    const id = await create(client, "E2E stateless keep");
    await fakeReset();
    answers.push({ action: "decline" });
    const r = await client.callTool({ name: "odoo_delete", arguments: { model: "res.partner", ids: [id] } });
    assert.equal(r.isError, true);
    assert.match(resultText(r), /declined/);
    assert.ok(!(await fakeCalls()).includes("unlink"));
    assert.ok(await exists(client, id));
  });
});

describe("approval in the admin API", () => {
  it("a key lists its rule, and the rule can be lifted", async () => {
    const keys = (await admin(setup, "GET", "/admin/api/keys")).body.keys;
    const mine = keys.find((k) => k.label === "e2e approval");
    assert.deepEqual(mine.approval, ["delete"]);
    const bad = await admin(setup, "PUT", `/admin/api/keys/${mine.id}/approval`, { approval: ["unlink"] });
    assert.equal(bad.status, 400);
  });
});
