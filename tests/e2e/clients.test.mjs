// The client snippets a new key comes with (POST /admin/api/keys → snippets, what the console shows),
// each used the way its client uses it, against this worker:
//   Claude Code     the command line split into argv and run with the real `claude` (package.json's); then
//                   `claude mcp get odoo` runs Claude Code's own health check, which must say Connected
//   Cursor, VS Code the mcp.json parsed, its shape checked, and exactly its url and headers used by the
//                   TS SDK's Streamable HTTP client: tools/list and an odoo_list_models call
//   Claude Desktop  exactly its command, args and env spawned over stdio as Claude Desktop does
//                   (npx -y mcp-remote, resolved from the pinned devDependency, offline)
//   n8n             each pasted node validated against n8n's published parameter schema for its type and
//                   version (tests/e2e/fetch-n8n-nodes.sh), then connected as n8n's MCP nodes connect
//                   (Streamable HTTP, Authorization: Bearer <token of the httpBearerAuth credential>)
// Every check also runs on the snippets issued with a wrong key, where it must fail.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, mkdtempSync, readFileSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { installedVersion, npmPin, pin } from "../../scripts/lib/versions.mjs";
import { admin, loadSetup, resultText } from "./lib.mjs";
import { n8nCredentialFor, redact, run, shellWords, validateN8nNode } from "./snippet-checks.mjs";

const setup = loadSetup();
const ROOT = join(dirname(fileURLToPath(import.meta.url)), "../..");
const BIN = join(ROOT, "node_modules/.bin");
const N8N_NODES = process.env.N8N_NODES_DIR;
const IDS = ["claude_code", "claude_desktop", "cursor", "n8n", "vscode"];
const temps = [];

function tempDir(name) {
  const d = realpathSync(mkdtempSync(join(tmpdir(), `omcp-${name}-`)));
  temps.push(d);
  return d;
}

/** A fresh read-only key on fake Odoo 19 (res.partner only), with the snippets its issue returned. */
async function issueKey(label) {
  const r = await admin(setup, "POST", "/admin/api/keys", {
    connection_id: setup.connections.c19.id,
    label,
    odoo_login: "admin",
    odoo_api_key: setup.odoo.c19.admin,
    scope: { models: ["res.partner"], operations: ["read"] },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body).slice(0, 300));
  if (process.env.E2E_EXTRA_SECRETS) appendFileSync(process.env.E2E_EXTRA_SECRETS, `${r.body.key}\n`, { mode: 0o600 });
  return r.body;
}

/** The key's snippets with the key swapped for one the worker never issued (same shape). */
function withWrongKey(issued) {
  const wrong = "omcp_" + "x".repeat(issued.key.length - 5);
  const swap = (s) => s?.split(issued.key).join(wrong);
  const snippets = Object.fromEntries(Object.entries(issued.snippets).map(([id, s]) => [id, { ...s, text: swap(s.text), then: swap(s.then) }]));
  return { ...issued, key: wrong, snippets };
}

/** tools/list and an odoo_list_models call through a connected client; the key's one model comes back. */
async function useTools(client) {
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name);
  assert.ok(names.includes("odoo_list_models") && names.includes("odoo_search"), names.join(","));
  const r = await client.callTool({ name: "odoo_list_models", arguments: {} });
  assert.ok(!r.isError, resultText(r));
  assert.match(resultText(r), /res\.partner/);
  assert.doesNotMatch(resultText(r), /crm\.lead/, "the key's scope (res.partner only) applies");
}

async function withHttpClient(url, requestInit, fetchImpl) {
  const client = new Client({ name: "e2e-snippets", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit, ...(fetchImpl ? { fetch: fetchImpl } : {}) }));
  try {
    await useTools(client);
  } finally {
    await client.close().catch(() => {});
  }
}

// ---------------------------------------------------------------- the checks, one per client
const checks = {
  async claude_code(snippet, issued) {
    const argv = shellWords(snippet.text);
    assert.deepEqual(argv.slice(0, 5), ["claude", "mcp", "add", "--transport", "http"]);
    assert.equal(argv.length, 9, "claude mcp add --transport http <name> <url> --header <header>");
    const [name, url, flag, header] = argv.slice(5);
    assert.equal(name, "odoo");
    assert.equal(url, issued.endpoint);
    assert.equal(flag, "--header");
    assert.match(header, /^Authorization: Bearer omcp_\S+$/);

    const home = tempDir("claude");
    // The user's setup: a project directory and a home of its own, no update check or telemetry.
    const env = { PATH: `${BIN}:/usr/bin:/bin`, HOME: home, DISABLE_AUTOUPDATER: "1", CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1", NO_COLOR: "1" };
    const claude = join(BIN, "claude");
    const added = await run(claude, argv.slice(1), { cwd: home, env });
    assert.equal(added.code, 0, redact(`claude mcp add: ${added.stdout}\n${added.stderr}`, issued.key));

    const config = JSON.parse(readFileSync(join(home, ".claude.json"), "utf8"));
    const server = config.projects?.[home]?.mcpServers?.odoo;
    assert.ok(server, "~/.claude.json has the server under this project");
    assert.equal(server.type, "http");
    assert.equal(server.url, issued.endpoint);
    assert.ok(server.headers?.Authorization === `Bearer ${issued.key}`, "~/.claude.json carries the key as the Authorization header");

    const got = await run(claude, ["mcp", "get", "odoo"], { cwd: home, env });
    const out = redact(got.stdout + got.stderr, issued.key);
    // Claude Code marks the status with ✔ (U+2714) or ✓, depending on the terminal's glyphs.
    assert.match(out, /Status: [✓✔] Connected/, `claude mcp get odoo: ${out}`);
    assert.doesNotMatch(out, /Failed|Needs authentication/, `claude mcp get odoo: ${out}`);
  },

  async cursor(snippet) {
    const cfg = JSON.parse(snippet.text);
    assert.deepEqual(Object.keys(cfg), ["mcpServers"]);
    const server = cfg.mcpServers.odoo;
    // Cursor takes an entry with a url (and no command) as a remote Streamable HTTP/SSE server.
    assert.deepEqual(Object.keys(server).sort(), ["headers", "url"]);
    assert.ok(Object.values(server.headers).every((v) => typeof v === "string"));
    await withHttpClient(server.url, { headers: server.headers });
  },

  async vscode(snippet) {
    const cfg = JSON.parse(snippet.text);
    assert.deepEqual(Object.keys(cfg), ["servers"]);
    const server = cfg.servers.odoo;
    // VS Code's mcp.json: "type": "http" (Streamable HTTP, falling back to SSE) with url and headers.
    assert.deepEqual(Object.keys(server).sort(), ["headers", "type", "url"]);
    assert.equal(server.type, "http");
    assert.ok(Object.values(server.headers).every((v) => typeof v === "string"));
    await withHttpClient(server.url, { headers: server.headers });
  },

  async claude_desktop(snippet, issued) {
    const cfg = JSON.parse(snippet.text);
    assert.deepEqual(Object.keys(cfg), ["mcpServers"]);
    const server = cfg.mcpServers.odoo;
    assert.deepEqual(Object.keys(server).sort(), ["args", "command", "env"]);
    assert.equal(server.command, "npx");
    assert.deepEqual(server.args.slice(0, 2), ["-y", "mcp-remote"]);
    assert.equal(server.args[2], issued.endpoint);
    // No argument may contain a space: Claude Desktop on Windows splits such arguments.
    assert.ok(server.args.every((a) => !/\s/.test(a)), JSON.stringify(server.args.map((a) => redact(a, issued.key))));
    assert.equal(installedVersion("mcp-remote"), npmPin("mcp-remote"));

    const home = tempDir("desktop");
    // Claude Desktop spawns command/args with env merged over a small default environment. npx must find
    // the pinned mcp-remote in this project (cwd) and never the registry: npm_config_offline, and an empty
    // npm cache in the fresh HOME (mcp-remote also keeps its ~/.mcp-auth there).
    const transport = new StdioClientTransport({
      command: server.command,
      args: server.args,
      env: { ...server.env, PATH: `${BIN}:/usr/local/bin:/usr/bin:/bin`, HOME: home, npm_config_offline: "true", npm_config_update_notifier: "false" },
      cwd: ROOT,
      stderr: "pipe",
    });
    let stderr = "";
    transport.stderr?.on("data", (d) => { stderr += d; });
    const client = new Client({ name: "e2e-claude-desktop", version: "1.0.0" });
    try {
      await client.connect(transport);
      await useTools(client);
    } catch (e) {
      throw new Error(redact(`${e.message}\nmcp-remote stderr:\n${stderr.slice(-2000)}`, issued.key));
    } finally {
      await client.close().catch(() => {});
    }
    assert.match(stderr, /Connected to remote server/, "mcp-remote reached the worker");
  },

  async n8n(snippet, issued) {
    assert.ok(N8N_NODES, "N8N_NODES_DIR is set by the e2e harness (tests/e2e/fetch-n8n-nodes.sh)");
    const pasted = JSON.parse(snippet.text);
    assert.deepEqual(Object.keys(pasted).sort(), ["connections", "nodes"], "n8n's clipboard format");
    const types = pasted.nodes.map((n) => n.type).sort();
    assert.deepEqual(types, ["@n8n/n8n-nodes-langchain.mcpClient", "@n8n/n8n-nodes-langchain.mcpClientTool"]);
    const m = /Bearer Token (omcp_\S+)$/.exec(snippet.then ?? "");
    assert.ok(m, "the snippet says which credential to create, with the token");
    assert.match(snippet.then, /Credential for Bearer Auth/);
    for (const node of pasted.nodes) {
      assert.ok(typeof node.name === "string" && node.name && Array.isArray(node.position), JSON.stringify(node));
      validateN8nNode(N8N_NODES, node);
      const p = node.parameters;
      assert.equal(p.serverTransport, "httpStreamable");
      assert.equal(p.authentication, "bearerAuth");
      assert.equal(n8nCredentialFor(N8N_NODES, p.authentication), "httpBearerAuth", "Bearer Auth takes an httpBearerAuth credential");
      assert.equal(p.endpointUrl, issued.endpoint);
      // n8n's MCP nodes: the SDK's StreamableHTTPClientTransport with a fetch that adds the credential's
      // headers; for httpBearerAuth that is Authorization: Bearer <token>.
      const headers = { Authorization: `Bearer ${m[1]}` };
      const authFetch = (url, init) => fetch(url, { ...init, headers: { ...Object.fromEntries(new Headers(init?.headers).entries()), ...headers } });
      await withHttpClient(p.endpointUrl, undefined, authFetch);
    }
  },
};

// ---------------------------------------------------------------- the tests
test("the client snippets of a new key work in their clients", async (t) => {
  const issued = await issueKey("e2e client snippets");
  const wrong = withWrongKey(issued);
  try {
    await t.test("the key's answer carries all five snippets for this worker", () => {
      assert.equal(issued.endpoint, setup.mcp_url);
      assert.deepEqual(Object.keys(issued.snippets).sort(), IDS);
      for (const id of IDS) {
        const s = issued.snippets[id];
        assert.ok(s.title && s.where && s.text, id);
        assert.ok(s.text.includes(issued.endpoint), `${id} has this worker's endpoint`);
        assert.ok(s.text.includes(issued.key) || s.then?.includes(issued.key), `${id} has the key`);
      }
    });

    // Claude Code first: its health check is the key's first use, which the audit trail then shows.
    await t.test("Claude Code: claude mcp add, then claude mcp get says Connected", async () => {
      await checks.claude_code(issued.snippets.claude_code, issued);
      const audit = await admin(setup, "GET", `/admin/api/audit?key_id=${issued.id}&event=key_first_use`);
      assert.equal(audit.status, 200);
      assert.equal(audit.body.events.length, 1, "the worker saw Claude Code use this key");
    });
    await t.test("Cursor: mcp.json through the TS SDK", () => checks.cursor(issued.snippets.cursor, issued));
    await t.test("VS Code: mcp.json (type http) through the TS SDK", () => checks.vscode(issued.snippets.vscode, issued));
    await t.test("Claude Desktop: npx -y mcp-remote over stdio", () => checks.claude_desktop(issued.snippets.claude_desktop, issued));
    await t.test(`n8n: nodes valid for n8n ${pin("N8N_NODES_LANGCHAIN_VERSION")}'s schemas, connected with a Bearer Auth credential`, () => checks.n8n(issued.snippets.n8n, issued));

    // Each check must fail for the right reason: the worker refused the key, or found no MCP endpoint.
    const refused = {
      claude_code: /claude mcp get odoo:[\s\S]*Failed to connect[\s\S]*401/,
      // mcp-remote answers a 401 by trying OAuth (this worker has none: registration 404) and then SSE.
      claude_desktop: /Dynamic Client Registration rejected|401|Unauthorized/i,
      cursor: /401|Unauthorized|invalid_key/i,
      vscode: /401|Unauthorized|invalid_key/i,
      n8n: /401|Unauthorized|invalid_key/i,
    };
    for (const id of IDS) {
      await t.test(`${id}: the same check fails with a wrong key`, async () => {
        await assert.rejects(checks[id](wrong.snippets[id], wrong), (e) => {
          t.diagnostic(`${id} with a wrong key: ${String(e.message).split("\n").slice(0, 4).join(" | ").slice(0, 300)}`);
          return refused[id].test(e.message);
        });
      });
    }
    await t.test("the checks fail with a wrong URL", async () => {
      const url = issued.endpoint.replace(/\/mcp$/, "/not-mcp");
      const moved = { ...issued, endpoint: url, snippets: Object.fromEntries(Object.entries(issued.snippets).map(([id, s]) => [id, { ...s, text: s.text.split(issued.endpoint).join(url) }])) };
      for (const id of ["claude_code", "cursor", "vscode", "n8n"]) {
        await assert.rejects(checks[id](moved.snippets[id], moved), (e) => {
          t.diagnostic(`${id} with a wrong URL: ${redact(String(e.message), issued.key).split("\n").slice(0, 4).join(" | ").slice(0, 300)}`);
          return /404|not found/i.test(e.message);
        }, id);
      }
    });
  } finally {
    for (const d of temps) rmSync(d, { recursive: true, force: true });
  }
});

test("n8n's published schemas refuse what n8n would refuse", () => {
  assert.ok(N8N_NODES, "N8N_NODES_DIR is set by the e2e harness");
  const node = (parameters, typeVersion = 1.4) => ({ type: "@n8n/n8n-nodes-langchain.mcpClientTool", typeVersion, parameters });
  const good = { endpointUrl: "https://example.com/mcp", serverTransport: "httpStreamable", authentication: "bearerAuth" };
  validateN8nNode(N8N_NODES, node(good));
  for (const bad of [{ ...good, serverTransport: "http" }, { ...good, authentication: "bearer" }, { ...good, endpointURL: "x" }, { serverTransport: "httpStreamable" }, { ...good, includeTools: ["odoo_search"] }]) {
    assert.throws(() => validateN8nNode(N8N_NODES, node(bad)), undefined, JSON.stringify(bad));
  }
  assert.throws(() => validateN8nNode(N8N_NODES, node(good, 9.9)), /Cannot find module/, "no schema for an unpublished version");
});

test("shellWords splits like a shell and refuses what a shell would expand", async () => {
  assert.deepEqual(shellWords(`a "b c" 'd e' f\\ g "h\\"i"`), ["a", "b c", "d e", "f g", 'h"i']);
  for (const bad of ['a "$HOME"', "a $(x)", "a `x`", "a; b", 'a "b', "a 'b", "a | b", "~/x"]) {
    assert.throws(() => shellWords(bad), undefined, bad);
  }
});
