// Interop with the official TypeScript MCP SDK 1.x client over Streamable HTTP with a bearer key.
// Run by the e2e harness (tests/e2e/harness): node --test tests/e2e/ts_client.test.mjs  (needs E2E_SETUP)
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { UriTemplate } from "@modelcontextprotocol/sdk/shared/uriTemplate.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { keyForModels, loadSetup, resultText } from "./lib.mjs";

const setup = loadSetup();
const WRITES = ["odoo_action", "odoo_attach", "odoo_batch", "odoo_chatter_post", "odoo_create", "odoo_delete", "odoo_update"];
// The e2e keys are read-only: tools/list offers them the read tools only (tools::offered).
const TOOLS = ["odoo_aggregate", "odoo_chatter_read", "odoo_describe_model", "odoo_get", "odoo_list_models", "odoo_search"];

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

    it("tools/list returns the read-only key's tools over two pages, fully described", async () => {
      const tools = [];
      let cursor, pages = 0;
      do {
        const page = await client.listTools(cursor ? { cursor } : {});
        tools.push(...page.tools);
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor && pages < 10);
      assert.equal(pages, 2, "the e2e worker lists 3 tools per page (LIST_PAGE_SIZE=3)");
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

// ---------------------------------------------------------------- resources, prompts, completion
// "Azure Interior" (a company with a note in its chatter) has id 15 on the Odoo 19 fake and 14 on 17.
const AZURE = { admin19: 15, admin17: 14 };
const TEMPLATES = {
  record: "odoo://{model}/{id}{?fields}",
  search: "odoo://{model}{?domain,fields,order,limit,offset}",
  fields: "odoo://{model}/fields",
  chatter: "odoo://{model}/{id}/chatter{?limit,cursor}",
  attachments: "odoo://{model}/{id}/attachments",
  attachment: "odoo://{model}/{id}/attachments/{attachment_id}",
};
// res.partner and crm.lead are readable (setup.mjs); sale.order, which sales_by_period needs, is not.
const PROMPTS = ["customer_overview", "draft_follow_up", "find_records", "pipeline_review", "summarize_record"];

/** Every item of a paginated list, following nextCursor (the e2e worker lists 3 items per page). */
async function allPages(list, key) {
  const items = [];
  let cursor, pages = 0;
  do {
    const page = await list(cursor ? { cursor } : {});
    items.push(...page[key]);
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor && pages < 20);
  assert.equal(cursor, undefined, `${key}: still a nextCursor after ${pages} pages`);
  return { items, pages };
}

/** The JSON document of a one-content resources/read result, after checking its uri and mimeType. */
function resourceJson(result, uri) {
  assert.equal(result.contents.length, 1, JSON.stringify(result).slice(0, 300));
  const [c] = result.contents;
  assert.equal(c.uri, uri);
  assert.equal(c.mimeType, "application/json");
  return JSON.parse(c.text);
}

/** Asserts that `promise` rejects with an McpError of this code (and data.uri, and message). */
async function rejectsWith(promise, { code, uri, message }) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof McpError, `not an McpError: ${e}`);
    assert.equal(e.code, code, e.message);
    if (uri !== undefined) assert.deepEqual(e.data, { uri }, e.message);
    if (message) assert.match(e.message, message);
    return true;
  });
}

const tool = async (client, name, args) => {
  const result = await client.callTool({ name, arguments: args });
  assertOk(result, name);
  return result.structuredContent;
};

for (const [label, keyName] of [["Odoo 19 (json2)", "admin19"], ["Odoo 17 (jsonrpc)", "admin17"]]) {
  const azure = AZURE[keyName];

  describe(`TS SDK client resources, prompts and completion, ${label}`, () => {
    let client, transport, readable;

    before(async () => {
      ({ client, transport } = await connect(setup.keys[keyName]));
      readable = (await tool(client, "odoo_list_models", {})).models.filter((m) => m.operations.includes("read")).map((m) => m.model).sort();
      assert.ok(readable.includes("res.partner") && readable.includes("crm.lead") && !readable.includes("sale.order"), `readable: ${readable}`);
    });
    after(async () => {
      try {
        await transport?.terminateSession();
      } finally {
        await client?.close();
      }
    });

    it("advertises resources, prompts and completions", () => {
      const caps = client.getServerCapabilities();
      assert.ok(caps?.resources && caps?.prompts && caps?.completions, JSON.stringify(caps));
    });

    it("resources/list: odoo://models, then each readable model's records and fields, over pages", async () => {
      const { items, pages } = await allPages((p) => client.listResources(p), "resources");
      assert.ok(pages > 1, "3 per page: the client followed nextCursor");
      assert.equal(items[0].uri, "odoo://models");
      const want = ["odoo://models", ...readable.flatMap((m) => [`odoo://${m}`, `odoo://${m}/fields`])];
      assert.deepEqual(items.map((r) => r.uri).sort(), want.sort());
      for (const r of items) {
        assert.equal(r.mimeType, "application/json", r.uri);
        assert.ok(r.name && r.description, `${r.uri}: name and description`);
      }
    });

    it("resources/templates/list: the record, search, fields, chatter and attachment templates", async () => {
      const { items } = await allPages((p) => client.listResourceTemplates(p), "resourceTemplates");
      assert.deepEqual(items.map((t) => t.uriTemplate).sort(), Object.values(TEMPLATES).sort());
      // An attachment's type is its own; every other template gives JSON.
      for (const t of items) assert.equal(t.mimeType, t.uriTemplate === TEMPLATES.attachment ? undefined : "application/json", t.uriTemplate);
    });

    it("reads a record through the record template, only the fields asked for", async () => {
      const uri = new UriTemplate(TEMPLATES.record).expand({ model: "res.partner", id: String(azure), fields: "name,city,no_such_field" });
      const body = resourceJson(await client.readResource({ uri }), uri);
      assert.equal(body.model, "res.partner");
      assert.deepEqual(body.record, { id: azure, name: "Azure Interior", city: "Fremont" });
      assert.deepEqual(body.dropped_fields.map((d) => d.field), ["no_such_field"]);
    });

    it("a search URI applies domain, fields, order, limit and offset as odoo_search does; next_uri pages to the end", async () => {
      const domain = [["is_company", "=", true]];
      const uri = new UriTemplate(TEMPLATES.search).expand({
        model: "res.partner", domain: JSON.stringify(domain), fields: "name,is_company", order: "name desc", limit: "3", offset: "2",
      });
      const page = resourceJson(await client.readResource({ uri }), uri);
      const same = await tool(client, "odoo_search", { model: "res.partner", domain, fields: ["name", "is_company"], order: "name desc", limit: 3, offset: 2 });
      assert.deepEqual(page.records, same.records, "the same page as the tool with the same arguments");
      assert.equal(page.offset, 2);
      assert.equal(page.count, 3);
      for (const r of page.records) {
        assert.deepEqual(Object.keys(r).sort(), ["id", "is_company", "name"], "fields applied");
        assert.equal(r.is_company, true, "domain applied");
      }
      // Every company by name descending: the page is the slice at offset 2, and next_uri walks the rest.
      const companies = (await tool(client, "odoo_search", { model: "res.partner", domain, fields: ["name"], order: "name desc", limit: 200 })).records;
      const everyone = (await tool(client, "odoo_search", { model: "res.partner", fields: ["name"], limit: 200 })).records;
      assert.ok(companies.length > 5 && everyone.length > companies.length, "the domain leaves contacts out");
      const names = companies.map((r) => r.name);
      assert.deepEqual(names, [...names].sort((a, b) => b.localeCompare(a)), "Odoo sorted by name desc");
      assert.deepEqual(page.records.map((r) => r.id), companies.slice(2, 5).map((r) => r.id), "offset and limit applied");
      const seen = [...page.records];
      let next = page.next_uri, hops = 0;
      while (next && hops < 10) {
        assert.match(next, /[?&]offset=\d+/);
        const more = resourceJson(await client.readResource({ uri: next }), next);
        assert.ok(more.records.length >= 1 && more.records.length <= 3, `a page of 1 to 3: ${more.records.length}`);
        seen.push(...more.records);
        next = more.next_uri;
        hops += 1;
      }
      assert.equal(next, undefined, "the last page has no next_uri");
      assert.deepEqual(seen.map((r) => r.id), companies.slice(2).map((r) => r.id), "the pages hold every remaining company once, in order");
    });

    it("the fields resource is the model as odoo_describe_model describes it", async () => {
      const uri = new UriTemplate(TEMPLATES.fields).expand({ model: "res.partner" });
      const body = resourceJson(await client.readResource({ uri }), uri);
      assert.deepEqual(body, await tool(client, "odoo_describe_model", { model: "res.partner" }));
      assert.equal(body.fields.find((f) => f.name === "name")?.type, "char");
      assert.ok(body.default_fields.includes("name"));
    });

    it("the chatter resource holds the record's messages, with its limit", async () => {
      const uri = new UriTemplate(TEMPLATES.chatter).expand({ model: "res.partner", id: String(azure), limit: "5" });
      const body = resourceJson(await client.readResource({ uri }), uri);
      assert.equal(body.model, "res.partner");
      assert.equal(body.id, azure);
      assert.equal(body.record_name, "Azure Interior");
      assert.ok(body.messages.some((m) => m.body === "Met at the trade fair, wants a catalogue."), JSON.stringify(body.messages));
      const one = resourceJson(await client.readResource({ uri: "odoo://crm.lead/1/chatter?limit=1" }), "odoo://crm.lead/1/chatter?limit=1");
      assert.equal(one.messages.length, 1, "limit applied (crm.lead 1 has two messages)");
      assert.deepEqual(one.messages, (await tool(client, "odoo_chatter_read", { model: "crm.lead", id: 1, limit: 1 })).messages);
    });

    it("odoo://models lists what odoo_list_models lists", async () => {
      const body = resourceJson(await client.readResource({ uri: "odoo://models" }), "odoo://models");
      assert.deepEqual(body, await tool(client, "odoo_list_models", {}));
    });

    it("a record that does not exist (or its chatter), an unknown path or scheme -> McpError -32002 with data.uri", async () => {
      for (const uri of [
        "odoo://res.partner/987654321",
        "odoo://res.partner/987654321?fields=name",
        "odoo://res.partner/987654321/chatter",
        "odoo://res.partner/1/messages",
        "https://example.com/res.partner/1",
      ]) {
        await rejectsWith(client.readResource({ uri }), { code: -32002, uri });
      }
    });

    it("malformed URIs and parameters -> McpError -32602 with data.uri, naming what is wrong", async () => {
      for (const [uri, message] of [
        ["odoo://res.partner?limit=0", /'limit'/],
        ["odoo://res.partner?colour=red", /unknown query parameter 'colour'/],
        ["odoo://res.partner?domain=%5B%5B", /'domain'/],
        ["odoo://res.partner?order=%4", /%-escape/],
        ["odoo://res.partner/1?domain=%5B%5D", /unknown query parameter 'domain'/],
      ]) {
        await rejectsWith(client.readResource({ uri }), { code: -32602, uri, message });
      }
    });

    it("prompts/list: the prompts this key's models allow, over pages", async () => {
      const { items, pages } = await allPages((p) => client.listPrompts(p), "prompts");
      assert.ok(pages > 1);
      assert.deepEqual(items.map((p) => p.name).sort(), PROMPTS);
      const overview = items.find((p) => p.name === "customer_overview");
      assert.deepEqual(overview.arguments.map((a) => [a.name, a.required]), [["customer", true]]);
      for (const p of items) assert.ok(p.description, p.name);
    });

    it("prompts/get resolves a customer typed by name to its record", async () => {
      const result = await client.getPrompt({ name: "customer_overview", arguments: { customer: "azure interior" } });
      assert.equal(result.messages.length, 1);
      const [m] = result.messages;
      assert.equal(m.role, "user");
      assert.equal(m.content.type, "text");
      assert.ok(m.content.text.includes(`res.partner ${azure} ("Azure Interior")`), m.content.text);
      assert.ok(m.content.text.includes(`ids [${azure}]`), "the steps use the resolved id");
    });

    it("prompts/get puts several matching records to the user", async () => {
      const result = await client.getPrompt({ name: "summarize_record", arguments: { model: "res.partner", record: "Azure" } });
      const text = result.messages[0].content.text;
      assert.match(text, /several match "Azure"/);
      assert.ok(text.includes(`${azure} "Azure Interior"`) && text.includes("Azure Interior, Brandon Freeman"), text);
    });

    it("prompts/get refuses what it cannot resolve -> McpError -32602", async () => {
      for (const [params, message] of [
        [{ name: "no_such_prompt", arguments: {} }, /unknown prompt/],
        [{ name: "sales_by_period", arguments: {} }, /unknown prompt/], // sale.order is not readable
        [{ name: "customer_overview", arguments: {} }, /missing required argument 'customer'/],
        [{ name: "customer_overview", arguments: { customer: "Azure", colour: "red" } }, /no argument 'colour'/],
        [{ name: "customer_overview", arguments: { customer: "Nobody Of That Name" } }, /no res\.partner record matches/],
        [{ name: "summarize_record", arguments: { model: "sale.order", record: "1" } }, /not enabled/],
      ]) {
        await rejectsWith(client.getPrompt(params), { code: -32602, message });
      }
    });

    it("complete(): a prompt's model argument offers the readable models", async () => {
      const ref = { type: "ref/prompt", name: "summarize_record" };
      const all = await client.complete({ ref, argument: { name: "model", value: "" } });
      assert.deepEqual([...all.completion.values].sort(), readable);
      assert.equal(all.completion.hasMore, false);
      const some = await client.complete({ ref, argument: { name: "model", value: "res" } });
      assert.deepEqual(some.completion.values, ["res.partner"]);
      assert.equal(some.completion.total, 1);
    });

    it("complete(): a record argument offers record names of the model in context.arguments", async () => {
      const ref = { type: "ref/prompt", name: "summarize_record" };
      const partners = await client.complete({ ref, argument: { name: "record", value: "azure" }, context: { arguments: { model: "res.partner" } } });
      assert.ok(partners.completion.values.includes("Azure Interior"), JSON.stringify(partners));
      assert.ok(partners.completion.values.every((v) => /azure/i.test(v)), JSON.stringify(partners));
      const leads = await client.complete({ ref, argument: { name: "record", value: "desks" }, context: { arguments: { model: "crm.lead" } } });
      assert.deepEqual([...leads.completion.values].sort(), ["Custom Desks", "Need 20 Desks"]);
      const none = await client.complete({ ref, argument: { name: "record", value: "azure" } });
      assert.deepEqual(none.completion.values, [], "no model chosen yet: nothing to suggest");
    });

    it("complete(): a template's fields variable completes the last name of the list", async () => {
      const ref = { type: "ref/resource", uri: TEMPLATES.record };
      const r = await client.complete({ ref, argument: { name: "fields", value: "name,em" }, context: { arguments: { model: "res.partner" } } });
      const values = r.completion.values;
      assert.ok(values.includes("name,email"), JSON.stringify(values));
      assert.ok(values.every((v) => v.startsWith("name,") && v.slice(5).includes("em")), JSON.stringify(values));
      const firstInner = values.findIndex((v) => !v.startsWith("name,em"));
      assert.ok(firstInner === -1 || values.slice(firstInner).every((v) => !v.startsWith("name,em")), "names starting with what was typed come first");
      const noModel = await client.complete({ ref, argument: { name: "fields", value: "em" } });
      assert.deepEqual(noModel.completion.values, []);
    });

    it("complete(): suggestions never show a model the key may not read", async () => {
      // Without crm.team, pipeline_review has no team argument for this key at all.
      const review = (await allPages((p) => client.listPrompts(p), "prompts")).items.find((p) => p.name === "pipeline_review");
      assert.deepEqual(review?.arguments ?? [], [], "crm.team is not enabled for this key");
      await assert.rejects(
        client.complete({ ref: { type: "ref/prompt", name: "pipeline_review" }, argument: { name: "team", value: "sa" } }),
        (e) => e.code === -32602 && /no argument 'team'/.test(e.message),
      );
      const orders = await client.complete({
        ref: { type: "ref/resource", uri: TEMPLATES.record }, argument: { name: "id", value: "" }, context: { arguments: { model: "sale.order" } },
      });
      assert.deepEqual(orders.completion.values, []);
    });
  });
}

describe("TS SDK client resources under permissions and a field policy (Odoo 19)", () => {
  // A connection of its own: res.partner readable with its email hidden, crm.lead and crm.team readable,
  // sale.order not enabled.
  const FAKE19 = setup.odoo.c19.url;
  let client, transport;

  before(async () => {
    const key = await keyForModels(setup, "e2e resources policy", {
      "res.partner": { read: true, fields: { mode: "deny", fields: ["email"] } },
      "crm.lead": { read: true },
      "crm.team": { read: true },
    });
    ({ client, transport } = await connect(key));
  });
  after(async () => {
    try {
      await transport?.terminateSession();
    } finally {
      await client?.close();
    }
  });

  it("a model not enabled: every resource of it is refused (-32602 naming the permission), and Odoo is never asked", async () => {
    for (const uri of ["odoo://sale.order/1", "odoo://sale.order?limit=1", "odoo://sale.order/fields", "odoo://sale.order/1/chatter"]) {
      await rejectsWith(client.readResource({ uri }), { code: -32602, uri, message: /'sale\.order' is not enabled for reading/ });
    }
    const calls = (await (await fetch(`${FAKE19}/__fake/calls`)).json()).calls;
    assert.deepEqual(calls.filter((c) => c.model === "sale.order"), [], "no sale.order call reached Odoo");
    const { items } = await allPages((p) => client.listResources(p), "resources");
    assert.ok(!items.some((r) => r.uri.includes("sale.order")), "not listed");
    const models = await client.complete({ ref: { type: "ref/prompt", name: "find_records" }, argument: { name: "model", value: "" } });
    assert.deepEqual([...models.completion.values].sort(), ["crm.lead", "crm.team", "res.partner"]);
  });

  it("a field hidden by the field policy: refused in a domain or an order, dropped when asked for, absent from the fields", async () => {
    const byEmail = `odoo://res.partner?domain=${encodeURIComponent(JSON.stringify([["email", "ilike", "example"]]))}`;
    await rejectsWith(client.readResource({ uri: byEmail }), { code: -32602, uri: byEmail, message: /field policy/ });
    await rejectsWith(client.readResource({ uri: "odoo://res.partner?order=email%20asc" }), { code: -32602, uri: "odoo://res.partner?order=email%20asc", message: /field policy/ });

    const one = resourceJson(await client.readResource({ uri: "odoo://res.partner/15?fields=name,email" }), "odoo://res.partner/15?fields=name,email");
    assert.deepEqual(one.record, { id: 15, name: "Azure Interior" });
    assert.deepEqual(one.dropped_fields.map((d) => d.field), ["email"]);
    assert.match(one.dropped_fields[0].reason, /field policy/);
    const byDefault = resourceJson(await client.readResource({ uri: "odoo://res.partner/15" }), "odoo://res.partner/15");
    assert.equal(byDefault.record.name, "Azure Interior");
    assert.ok(!("email" in byDefault.record), "not in the default fields either");
    const page = resourceJson(await client.readResource({ uri: "odoo://res.partner?fields=name,email&limit=2" }), "odoo://res.partner?fields=name,email&limit=2");
    assert.equal(page.records.length, 2);
    assert.ok(page.records.every((r) => !("email" in r)), JSON.stringify(page.records));
    assert.deepEqual(page.dropped_fields.map((d) => d.field), ["email"]);

    const fields = resourceJson(await client.readResource({ uri: "odoo://res.partner/fields" }), "odoo://res.partner/fields");
    assert.ok(fields.fields.some((f) => f.name === "name") && !fields.fields.some((f) => f.name === "email"));
    assert.ok(!fields.default_fields.includes("email"));
    const suggested = await client.complete({
      ref: { type: "ref/resource", uri: TEMPLATES.record }, argument: { name: "fields", value: "name,em" }, context: { arguments: { model: "res.partner" } },
    });
    assert.ok(!suggested.completion.values.includes("name,email"), JSON.stringify(suggested.completion.values));
  });

  it("with crm.team readable, a team is suggested and resolved by name for pipeline_review", async () => {
    const teams = await client.complete({ ref: { type: "ref/prompt", name: "pipeline_review" }, argument: { name: "team", value: "sales" } });
    assert.deepEqual([...teams.completion.values].sort(), ["Pre-Sales", "Sales"]);
    const result = await client.getPrompt({ name: "pipeline_review", arguments: { team: "pre-sales" } });
    const text = result.messages[0].content.text;
    assert.ok(text.includes('crm.team 5 ("Pre-Sales")'), text);
    assert.ok(text.includes('["team_id", "=", 5]'), "the domain filters on the resolved team");
  });
});
