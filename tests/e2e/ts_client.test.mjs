// Interop with the official TypeScript MCP SDK 1.x client over Streamable HTTP with a bearer key.
// Run by run.sh: node --test tests/e2e/ts_client.test.mjs  (needs E2E_SETUP)
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { loadSetup, resultText } from "./lib.mjs";

const setup = loadSetup();
const WRITES = ["odoo_batch", "odoo_chatter_post", "odoo_create", "odoo_delete", "odoo_update"];
const TOOLS = ["odoo_aggregate", "odoo_batch", "odoo_chatter_post", "odoo_chatter_read", "odoo_create", "odoo_delete", "odoo_describe_model", "odoo_get", "odoo_list_models", "odoo_search", "odoo_update"];

async function connect(key) {
  const transport = new StreamableHTTPClientTransport(new URL(setup.mcp_url), {
    requestInit: { headers: { Authorization: `Bearer ${key}` } },
  });
  const client = new Client({ name: "odoo-mcp-e2e-ts", version: "0.0.1" });
  await client.connect(transport);
  return { client, transport };
}

function assertOk(result, what) {
  assert.notEqual(result.isError, true, `${what} returned isError: ${resultText(result)}`);
  assert.ok(result.structuredContent && typeof result.structuredContent === "object", `${what}: no structuredContent`);
}

for (const [label, keyName] of [["Odoo 19 (json2)", "admin19"], ["Odoo 17 (jsonrpc)", "admin17"]]) {
  describe(`TS SDK client, ${label}`, () => {
    let client, transport, partnerIds;

    before(async () => {
      ({ client, transport } = await connect(setup.keys[keyName]));
    });
    after(async () => {
      try {
        await transport?.terminateSession();
      } finally {
        await client?.close();
      }
    });

    it("initialize negotiates 2025-11-25 and issues a session id", () => {
      assert.equal(transport.protocolVersion, "2025-11-25");
      assert.ok(transport.sessionId, "no Mcp-Session-Id");
      const info = client.getServerVersion();
      assert.ok(info?.name, "serverInfo.name missing");
      assert.ok(client.getServerCapabilities()?.tools, "tools capability missing");
    });

    it("tools/list returns every tool over four pages, fully described", async () => {
      const tools = [];
      let cursor, pages = 0;
      do {
        const page = await client.listTools(cursor ? { cursor } : {});
        tools.push(...page.tools);
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor && pages < 10);
      assert.equal(pages, 4, "the e2e worker lists 3 tools per page (LIST_PAGE_SIZE=3)");
      assert.deepEqual(tools.map((t) => t.name).sort(), TOOLS);
      for (const t of tools) {
        assert.ok(typeof t.description === "string" && t.description.length > 0, `${t.name}: description`);
        assert.equal(t.inputSchema?.type, "object", `${t.name}: inputSchema`);
        assert.equal(t.outputSchema?.type, "object", `${t.name}: outputSchema`);
        assert.equal(t.annotations?.readOnlyHint, !WRITES.includes(t.name), `${t.name}: annotations.readOnlyHint`);
      }
    });

    it("odoo_search on res.partner returns records (validated against outputSchema by the SDK)", async () => {
      const result = await client.callTool({
        name: "odoo_search",
        arguments: { model: "res.partner", fields: ["name"], limit: 5 },
      });
      assertOk(result, "odoo_search");
      const { records, count } = result.structuredContent;
      assert.ok(Array.isArray(records) && records.length > 0 && records.length <= 5, `records: ${JSON.stringify(records)}`);
      assert.equal(typeof count, "number");
      for (const r of records) assert.equal(typeof r.id, "number", `record without id: ${JSON.stringify(r)}`);
      partnerIds = records.map((r) => r.id);
      assert.ok(resultText(result).length > 0, "no text content for clients without structuredContent");
    });

    it("odoo_get on the ids found returns them, and reports a missing id", async () => {
      assert.ok(partnerIds?.length, "odoo_search found no ids");
      const missing = 987654321;
      const result = await client.callTool({
        name: "odoo_get",
        arguments: { model: "res.partner", ids: [...partnerIds, missing], fields: ["name"] },
      });
      assertOk(result, "odoo_get");
      const { records, missing_ids, dropped_fields } = result.structuredContent;
      assert.deepEqual(records.map((r) => r.id).sort((a, b) => a - b), [...partnerIds].sort((a, b) => a - b));
      assert.deepEqual(missing_ids, [missing]);
      assert.ok(Array.isArray(dropped_fields));
    });

    it("odoo_list_models lists the enabled models", async () => {
      const result = await client.callTool({ name: "odoo_list_models", arguments: {} });
      assertOk(result, "odoo_list_models");
      const text = JSON.stringify(result.structuredContent);
      assert.ok(text.includes("res.partner") && text.includes("crm.lead"), text.slice(0, 300));
    });

    it("odoo_describe_model describes res.partner", async () => {
      const result = await client.callTool({ name: "odoo_describe_model", arguments: { model: "res.partner" } });
      assertOk(result, "odoo_describe_model");
      assert.ok(JSON.stringify(result.structuredContent).includes("name"), "field 'name' not described");
    });
  });
}

describe("TS SDK client, restricted user demo2 (Odoo 19)", () => {
  it("searches res.partner with demo2's own rights", async () => {
    const { client, transport } = await connect(setup.keys.demo2_19);
    try {
      const result = await client.callTool({
        name: "odoo_search",
        arguments: { model: "res.partner", fields: ["name"], limit: 3 },
      });
      assertOk(result, "odoo_search as demo2");
      assert.ok(Array.isArray(result.structuredContent.records));
    } finally {
      await transport.terminateSession().catch(() => {});
      await client.close();
    }
  });
});
