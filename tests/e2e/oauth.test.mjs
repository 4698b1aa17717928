// OAuth with the real clients against the worker as its own authorization server: the TypeScript SDK's
// own OAuth client (a 401, discovery, Dynamic Client Registration, the sign-in page in headless
// Chromium answered as demo2, the code caught on a loopback redirect, tools as demo2, a refresh the
// SDK does by itself, the administrator's revocation); mcp-remote's sign-in (what Claude Desktop runs:
// the browser it opens is a script that hands the URL to this test); a client known by its Client ID
// Metadata Document, served over https on loopback; and the refusals over plain HTTP (another
// resource, a grant revoked mid-session in both eras, a confidential client's secret).
// Run by the e2e harness (tests/e2e/harness): CHROMIUM_BIN, E2E_TLS_CERT, E2E_TLS_KEY, E2E_ARTIFACTS.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";
import { freePort, sleep } from "../../scripts/lib/process.mjs";
import {
  admin, authorizationUrl, grantByHttp, initializeRequest, loadSetup, oauthConnection, oauthGrants, pkcePair,
  rawPost, rawSession, registerClient, rememberSecrets, signInHttp, tokenRequest,
} from "./lib.mjs";

const setup = loadSetup();
const base = setup.worker_url;
const mcpUrl = `${base}/mcp`;
const demo2 = setup.odoo.c19.demo2;
const ROOT = new URL("../..", import.meta.url).pathname;
const art = process.env.E2E_ARTIFACTS ?? join(ROOT, "tests/e2e/artifacts");
const chromiumPath = process.env.CHROMIUM_BIN || "/usr/bin/chromium";

let conn; // the connection that offers OAuth sign-in in this file
let browser;
let catcher;

/** A loopback HTTP server standing for a native client's redirect URI: each request to /callback
 * resolves the next `next()` with its query. */
async function redirectCatcher() {
  const waiting = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    res.writeHead(200, { "content-type": "text/plain" }).end("Signed in. You may close this window.");
    if (url.pathname === "/callback") waiting.shift()?.(url.searchParams);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/callback`,
    next: (timeoutMs = 30_000) => new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no redirect reached the loopback callback")), timeoutMs);
      waiting.push((q) => { clearTimeout(timer); resolve(q); });
    }),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/** The sign-in page in a fresh Chromium context (no remembered sign-in): the form filled as `login`,
 * Allow clicked; resolves to the query the browser was sent back with. Screenshot: oauth-<shot>.png. */
async function signInChromium(url, { login = "demo2", apiKey = demo2, shot, expectText = [] }) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  try {
    const res = await page.goto(String(url));
    assert.equal(res.status(), 200, await page.content());
    const text = await page.locator("main").innerText();
    for (const t of expectText) assert.ok(text.includes(t), `the sign-in page says ${t}: ${text}`);
    const select = page.locator("select[name=connection]");
    if (await select.count()) await select.selectOption(String(conn));
    else assert.equal(await page.locator("form:not(.confirm) input[name=connection]").getAttribute("value"), String(conn));
    await page.fill("#login", login);
    await page.fill("#api_key", apiKey);
    if (shot) await page.screenshot({ path: join(art, `oauth-${shot}.png`), fullPage: true });
    const back = catcher.next();
    await page.click("#allow");
    const query = await back;
    rememberSecrets(query.get("code"));
    assert.deepEqual(errors, []);
    return query;
  } finally {
    await context.close();
  }
}

/** OAuthClientProvider as a native app implements it, kept in memory; every call is observable. */
class MemoryProvider {
  constructor({ name, redirectUrl, clientMetadataUrl }) {
    this.name = name;
    this._redirectUrl = redirectUrl;
    if (clientMetadataUrl) this.clientMetadataUrl = clientMetadataUrl;
    this.redirects = [];
    this.saved = [];
    this._client = undefined;
    this._tokens = undefined;
  }
  get redirectUrl() { return this._redirectUrl; }
  get clientMetadata() {
    return { client_name: this.name, redirect_uris: [this._redirectUrl], grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"], token_endpoint_auth_method: "none" };
  }
  state() { this.lastState = randomBytes(16).toString("hex"); return this.lastState; }
  clientInformation() { return this._client; }
  saveClientInformation(info) { this._client = info; }
  tokens() { return this._tokens; }
  saveTokens(tokens) {
    this._tokens = tokens;
    this.saved.push(tokens);
    rememberSecrets(tokens.access_token, tokens.refresh_token);
  }
  redirectToAuthorization(url) { this.redirects.push(new URL(url)); }
  saveCodeVerifier(v) { this._verifier = v; }
  codeVerifier() { return this._verifier; }
  invalidateCredentials(scope) {
    if (scope === "all" || scope === "client") this._client = undefined;
    if (scope === "all" || scope === "tokens") this._tokens = undefined;
  }
}

async function allTools(client) {
  const names = [];
  let cursor;
  for (let i = 0; i < 10; i++) {
    const page = await client.listTools(cursor ? { cursor } : undefined);
    names.push(...page.tools.map((t) => t.name));
    cursor = page.nextCursor;
    if (!cursor) break;
  }
  return names;
}

/** odoo_search on crm.lead: demo2 sees only their own leads, never the administrator's. */
async function demo2Leads(client) {
  const r = await client.callTool({ name: "odoo_search", arguments: { model: "crm.lead", fields: ["name", "user_id"], limit: 50 } });
  assert.ok(!r.isError, JSON.stringify(r.content));
  const users = r.structuredContent.records.map((x) => x.user_id);
  assert.ok(users.length > 0 && users.every((u) => !u || u[1] !== "Mitchell Admin"), JSON.stringify(users));
  return r.structuredContent.records.length;
}

const grantOf = async (clientId) => (await oauthGrants(setup)).find((g) => g.client_id === clientId);

before(async () => {
  conn = await oauthConnection(setup, "e2e-oauth", { who: "any" });
  catcher = await redirectCatcher();
  browser = await chromium.launch({ executablePath: chromiumPath, headless: true });
});

after(async () => {
  // Leave no connection offering sign-in to the stages after this one.
  if (conn) await admin(setup, "PUT", `/admin/api/connections/${conn}/oauth`, { enabled: false, who: "any", logins: [] });
  await browser?.close();
  await catcher?.close();
});

test("discovery: a 401 without a key names the protected resource metadata, which names this server", async () => {
  const r = await rawPost(mcpUrl, { body: initializeRequest() });
  assert.equal(r.status, 401);
  const prmUrl = `${base}/.well-known/oauth-protected-resource/mcp`;
  assert.match(r.headers.get("www-authenticate") ?? "", new RegExp(`resource_metadata="${prmUrl}"`));
  const prm = await (await fetch(prmUrl)).json();
  assert.equal(prm.resource, mcpUrl);
  assert.deepEqual(prm.authorization_servers, [base]);
  const asm = await (await fetch(`${base}/.well-known/oauth-authorization-server`)).json();
  assert.equal(asm.issuer, base);
  assert.deepEqual(asm.code_challenge_methods_supported, ["S256"]);
  assert.equal(asm.client_id_metadata_document_supported, true);
  assert.equal(asm.registration_endpoint, `${base}/register`);
});

test("the TypeScript SDK's OAuth client: DCR, sign-in in Chromium as demo2, tools, a refresh by itself, revocation", async (t) => {
  const provider = new MemoryProvider({ name: "e2e TS SDK client", redirectUrl: catcher.url });
  let client;
  let transport;
  try {
    await t.test("no token: the SDK gets a 401, discovers, registers and asks for the browser", async () => {
      const first = new Client({ name: "e2e-oauth-ts", version: "1.0.0" });
      transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider });
      await assert.rejects(first.connect(transport), UnauthorizedError);
      assert.match(provider.clientInformation()?.client_id ?? "", /^omcl_/, "registered by DCR");
      assert.equal(provider.redirects.length, 1);
      const u = provider.redirects[0];
      assert.equal(`${u.origin}${u.pathname}`, `${base}/authorize`);
      assert.equal(u.searchParams.get("resource"), mcpUrl);
      assert.equal(u.searchParams.get("code_challenge_method"), "S256");
      assert.equal(u.searchParams.get("redirect_uri"), catcher.url);
    });

    await t.test("Chromium signs in as demo2; the code comes back to the loopback redirect; finishAuth", async () => {
      const query = await signInChromium(provider.redirects[0], { shot: "ts-sign-in", expectText: ["e2e TS SDK client", "127.0.0.1"] });
      assert.equal(query.get("state"), provider.lastState);
      assert.equal(query.get("iss"), base);
      await transport.finishAuth(query.get("code"));
      const tokens = provider.tokens();
      assert.match(tokens.access_token, /^omat_/);
      assert.match(tokens.refresh_token, /^omrt_/);
      assert.equal(tokens.scope, "odoo.read", "a grant is read-only unless the administrator widens it");
      const grant = await grantOf(provider.clientInformation().client_id);
      assert.equal(grant?.odoo_login, "demo2");
      assert.equal(grant?.status, "active");
      assert.equal(grant?.connection_id, conn);
    });

    await t.test("connected with the token: tools, and odoo_search on crm.lead as demo2", async () => {
      client = new Client({ name: "e2e-oauth-ts", version: "1.0.0" });
      transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider });
      await client.connect(transport);
      assert.ok(transport.sessionId, "a session of the 2025-11-25 era");
      assert.ok((await allTools(client)).includes("odoo_search"));
      await demo2Leads(client);
    });

    await t.test("a write beyond the read-only grant: 403 insufficient_scope; the SDK's step-up cannot widen it", async () => {
      const raw = await rawPost(mcpUrl, { key: provider.tokens().access_token, headers: { "mcp-session-id": transport.sessionId, "mcp-protocol-version": "2025-11-25" },
        body: { jsonrpc: "2.0", id: 90, method: "tools/call", params: { name: "odoo_create", arguments: { model: "crm.lead", values: { name: "x" } } } } });
      assert.equal(raw.status, 403, JSON.stringify(raw.body));
      assert.match(raw.headers.get("www-authenticate") ?? "", /error="insufficient_scope", scope="[^"]*odoo\.write/);
      // The SDK answers the challenge by re-authorizing for the scope: it refreshes (a refresh never
      // widens a grant), meets the same 403, and gives up; no sign-in, nothing written.
      await assert.rejects(client.callTool({ name: "odoo_create", arguments: { model: "crm.lead", values: { name: "x" } } }), /403/);
      assert.equal(provider.redirects.length, 1);
      await demo2Leads(client);
    });

    await t.test("a refresh token for another resource is refused (invalid_target) and stays usable", async () => {
      const r = await tokenRequest(base, { grant_type: "refresh_token", refresh_token: provider.tokens().refresh_token,
        client_id: provider.clientInformation().client_id, resource: "https://other.example/mcp" });
      assert.equal(r.status, 400);
      assert.equal(r.body.error, "invalid_target");
    });

    await t.test("its access token revoked (RFC 7009): the SDK refreshes by itself and the session goes on", async () => {
      const before = provider.tokens();
      const sessionId = transport.sessionId;
      const r = await fetch(`${base}/revoke`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ token: before.access_token, client_id: provider.clientInformation().client_id }) });
      assert.equal(r.status, 200);
      const saved = provider.saved.length;
      await demo2Leads(client);
      assert.equal(provider.saved.length, saved + 1, "the SDK saved refreshed tokens");
      const after = provider.tokens();
      assert.notEqual(after.access_token, before.access_token);
      assert.notEqual(after.refresh_token, before.refresh_token, "refresh tokens rotate");
      assert.equal(transport.sessionId, sessionId, "the same session, under the new token");
      assert.equal(provider.redirects.length, 1, "no new sign-in was needed");
    });

    await t.test("the administrator revokes the grant: the next call is refused and the SDK is sent back to sign in", async () => {
      const grant = await grantOf(provider.clientInformation().client_id);
      const r = await admin(setup, "POST", `/admin/api/oauth/grants/${grant.key_id}/revoke`);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal((await grantOf(provider.clientInformation().client_id)).status, "revoked");
      const token = provider.tokens().access_token;
      const raw = await rawPost(mcpUrl, { key: token, body: initializeRequest() });
      assert.equal(raw.status, 401, "the access token stops at once");
      await assert.rejects(client.callTool({ name: "odoo_search", arguments: { model: "crm.lead", limit: 1 } }),
        (e) => e instanceof UnauthorizedError || /Unauthorized/.test(e.message));
      assert.equal(provider.redirects.length, 2, "its refresh failed (invalid_grant), so the SDK asked for the browser again");
    });
  } finally {
    await client?.close().catch(() => {});
  }
});

test("mcp-remote (Claude Desktop's bridge): the browser it opens signs in, then tools/list over stdio", async (t) => {
  const home = mkdtempSync(join(art, "mcp-remote-"));
  const opened = join(home, "opened-urls");
  // The "browser": xdg-open (through the `open` package) runs $BROWSER with the URL.
  const fakeBrowser = join(home, "browser.sh");
  writeFileSync(fakeBrowser, `#!/bin/sh\nprintf '%s\\n' "$1" >> '${opened}'\n`);
  chmodSync(fakeBrowser, 0o755);
  const port = await freePort();
  const transport = new StdioClientTransport({
    command: "npx",
    args: ["-y", "mcp-remote", mcpUrl, String(port)],
    env: { PATH: `${join(ROOT, "node_modules/.bin")}:/usr/local/bin:/usr/bin:/bin`, HOME: home, MCP_REMOTE_CONFIG_DIR: join(home, ".mcp-auth"),
      BROWSER: fakeBrowser, npm_config_offline: "true", npm_config_update_notifier: "false", NODE_OPTIONS: process.env.NODE_OPTIONS ?? "",
      E2E_RESPONSES_DIR: process.env.E2E_RESPONSES_DIR ?? "", E2E_CAPTURE_ORIGINS: process.env.E2E_CAPTURE_ORIGINS ?? "" },
    cwd: ROOT,
    stderr: "pipe",
  });
  let stderr = "";
  transport.stderr?.on("data", (d) => { stderr += d; });
  const client = new Client({ name: "e2e-claude-desktop-oauth", version: "1.0.0" });
  const connecting = client.connect(transport);
  try {
    let url;
    for (let i = 0; i < 300 && !url; i++) {
      if (existsSync(opened)) url = readFileSync(opened, "utf8").split("\n").find((l) => l.startsWith(`${base}/authorize?`));
      if (!url) await sleep(100);
    }
    assert.ok(url, `mcp-remote opened no authorization URL; its stderr:\n${stderr.slice(-1500)}`);
    const u = new URL(url);
    assert.equal(u.searchParams.get("redirect_uri"), `http://localhost:${port}/oauth/callback`);
    assert.equal(u.searchParams.get("resource"), mcpUrl);
    const signed = await signInHttp(u, { connection: conn, login: "demo2", apiKey: demo2 });
    assert.equal(signed.status, 302, signed.html.slice(0, 300));
    assert.ok(signed.location.startsWith(`http://localhost:${port}/oauth/callback?`), signed.location);
    // The browser follows the redirect to mcp-remote's own callback server.
    const back = await fetch(signed.location);
    assert.equal(back.status, 200);
    await connecting;
    const tools = await allTools(client);
    assert.ok(tools.includes("odoo_search"), JSON.stringify(tools));
    const r = await client.callTool({ name: "odoo_search", arguments: { model: "crm.lead", fields: ["name", "user_id"], limit: 50 } });
    assert.ok(!r.isError, JSON.stringify(r.content));
    const clientId = u.searchParams.get("client_id");
    assert.match(clientId, /^omcl_/, "mcp-remote registered by DCR");
    const grant = await grantOf(clientId);
    assert.equal(grant?.odoo_login, "demo2");
    t.diagnostic(`mcp-remote connected as demo2 through client ${clientId}`);
  } catch (e) {
    throw new Error(`${e.message}\nmcp-remote stderr:\n${stderr.slice(-2000)}`);
  } finally {
    await client.close().catch(() => {});
    // What mcp-remote stored (its client, its tokens) joins the secret scan, then goes.
    for (const f of readdirSync(home, { recursive: true }).map((f) => join(home, f)).filter((f) => f.endsWith(".json"))) {
      for (const m of readFileSync(f, "utf8").matchAll(/om(?:at|rt|cs)_[A-Za-z0-9_-]{43}/g)) rememberSecrets(m[0]);
    }
    rmSync(home, { recursive: true, force: true });
  }
});

test("a client known by its Client ID Metadata Document (https on loopback): the TS SDK, no registration", async (t) => {
  const cert = process.env.E2E_TLS_CERT;
  const key = process.env.E2E_TLS_KEY;
  assert.ok(cert && key, "E2E_TLS_CERT and E2E_TLS_KEY are set by the e2e harness");
  let doc;
  let fetched = 0;
  const server = createHttpsServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
    if (req.url === "/clients/e2e.json") {
      fetched++;
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(doc));
    } else res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = server.address().port;
  // localhost may resolve to ::1 first: the same document there too, when this machine has IPv6.
  const server6 = createHttpsServer({ cert: readFileSync(cert), key: readFileSync(key) }, server.listeners("request")[0]);
  await new Promise((resolve) => server6.once("error", resolve).listen(port, "::1", resolve));
  const clientId = `https://localhost:${port}/clients/e2e.json`;
  doc = { client_id: clientId, client_name: "e2e CIMD client", redirect_uris: [catcher.url], grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"], token_endpoint_auth_method: "none" };
  const provider = new MemoryProvider({ name: "unused: the document names it", redirectUrl: catcher.url, clientMetadataUrl: clientId });
  let client;
  try {
    const first = new Client({ name: "e2e-oauth-cimd", version: "1.0.0" });
    let transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider });
    await assert.rejects(first.connect(transport), UnauthorizedError);
    assert.equal(provider.clientInformation()?.client_id, clientId, "the SDK used the URL as its client_id");
    assert.equal(provider.redirects[0].searchParams.get("client_id"), clientId);
    const query = await signInChromium(provider.redirects[0], { shot: "cimd-sign-in", expectText: ["e2e CIMD client", clientId] });
    assert.ok(fetched >= 1, "the worker fetched the document");
    await transport.finishAuth(query.get("code"));
    client = new Client({ name: "e2e-oauth-cimd", version: "1.0.0" });
    transport = new StreamableHTTPClientTransport(new URL(mcpUrl), { authProvider: provider });
    await client.connect(transport);
    await demo2Leads(client);
    const clients = (await admin(setup, "GET", "/admin/api/oauth/clients")).body.clients;
    assert.equal(clients.find((c) => c.client_id === clientId)?.source, "document");
    const grant = await grantOf(clientId);
    assert.equal(grant?.status, "active");
    t.diagnostic(`document fetched ${fetched} time(s)`);
  } finally {
    await client?.close().catch(() => {});
    await new Promise((resolve) => server.close(resolve));
    if (server6.listening) await new Promise((resolve) => server6.close(resolve));
  }
});

test("refusals over plain HTTP", async (t) => {
  await t.test("a code redeemed for another resource: invalid_target, and the code is spent", async () => {
    const redirectUri = "http://127.0.0.1:9/callback";
    const reg = await registerClient(base, { client_name: "e2e other resource", redirect_uris: [redirectUri], token_endpoint_auth_method: "none" });
    assert.equal(reg.status, 201);
    const { verifier, challenge } = await pkcePair();
    const signed = await signInHttp(authorizationUrl(base, { clientId: reg.body.client_id, redirectUri, challenge }),
      { connection: conn, login: "demo2", apiKey: demo2 });
    const code = new URL(signed.location).searchParams.get("code");
    const pairs = { grant_type: "authorization_code", code, client_id: reg.body.client_id, redirect_uri: redirectUri, code_verifier: verifier };
    const other = await tokenRequest(base, { ...pairs, resource: "https://other.example/mcp" });
    assert.equal(other.status, 400);
    assert.equal(other.body.error, "invalid_target");
    assert.equal(other.headers.get("cache-control"), "no-store");
    assert.equal((await tokenRequest(base, { ...pairs, resource: mcpUrl })).body.error, "invalid_grant");
    // The authorization request itself, for another resource, goes back to the client as invalid_target.
    const page = await fetch(authorizationUrl(base, { clientId: reg.body.client_id, redirectUri, challenge, resource: "https://other.example/mcp" }), { redirect: "manual" });
    assert.equal(page.status, 302);
    assert.equal(new URL(page.headers.get("location")).searchParams.get("error"), "invalid_target");
  });

  await t.test("a grant revoked mid-session (2025-11-25, Mcp-Session-Id): the same session is refused at once", async () => {
    const g = await grantByHttp(setup, conn, "e2e session lane");
    const s = await rawSession(mcpUrl, g.access);
    assert.ok(s.sessionId);
    const ok = await s.request("tools/list", {});
    assert.equal(ok.status, 200);
    assert.ok(Array.isArray(ok.body?.result?.tools));
    const grant = await grantOf(g.clientId);
    assert.equal((await admin(setup, "POST", `/admin/api/oauth/grants/${grant.key_id}/revoke`)).status, 200);
    const refused = await s.request("tools/list", {});
    assert.equal(refused.status, 401, JSON.stringify(refused.body));
    assert.match(refused.headers.get("www-authenticate") ?? "", /resource_metadata=/);
    const again = await tokenRequest(base, { grant_type: "refresh_token", refresh_token: g.refresh, client_id: g.clientId });
    assert.equal(again.body.error, "invalid_grant", "its refresh token died with it");
  });

  await t.test("a grant revoked between two stateless requests (2026-07-28): the next is refused", async () => {
    const g = await grantByHttp(setup, conn, "e2e stateless lane");
    const meta = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} };
    const call = (id) => rawPost(mcpUrl, {
      key: g.access,
      headers: { "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "odoo_search" },
      body: { jsonrpc: "2.0", id, method: "tools/call", params: { _meta: meta, name: "odoo_search", arguments: { model: "crm.lead", limit: 1 } } },
    });
    const ok = await call(1);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.headers.get("mcp-session-id"), null);
    assert.notEqual(ok.body?.result?.isError, true, JSON.stringify(ok.body));
    const grant = await grantOf(g.clientId);
    assert.equal((await admin(setup, "POST", `/admin/api/oauth/grants/${grant.key_id}/revoke`)).status, 200);
    const refused = await call(2);
    assert.equal(refused.status, 401, JSON.stringify(refused.body));
  });

  await t.test("a confidential client: its secret is required at /token, a wrong one is invalid_client", async () => {
    const reg = await registerClient(base, { client_name: "e2e confidential", redirect_uris: ["https://client.example.com/callback"],
      token_endpoint_auth_method: "client_secret_post" });
    assert.equal(reg.status, 201, JSON.stringify(reg.body));
    assert.match(reg.body.client_secret, /^omcs_/);
    const code = `omac_${"A".repeat(43)}`;
    const pairs = { grant_type: "authorization_code", code, client_id: reg.body.client_id, redirect_uri: "https://client.example.com/callback",
      code_verifier: "v".repeat(43), resource: mcpUrl };
    const right = await tokenRequest(base, { ...pairs, client_secret: reg.body.client_secret });
    assert.equal(right.body.error, "invalid_grant", "authenticated; only the code is wrong");
    const wrong = await tokenRequest(base, { ...pairs, client_secret: `omcs_${"B".repeat(43)}` });
    assert.equal(wrong.status, 401);
    assert.equal(wrong.body.error, "invalid_client");
    const none = await tokenRequest(base, pairs);
    assert.equal(none.body.error, "invalid_client");
  });

  await t.test("a person who denies sends the client access_denied; a wrong API key stays on the page", async () => {
    const redirectUri = "http://127.0.0.1:9/callback";
    const reg = await registerClient(base, { client_name: "e2e deny", redirect_uris: [redirectUri], token_endpoint_auth_method: "none" });
    const { challenge } = await pkcePair();
    const url = authorizationUrl(base, { clientId: reg.body.client_id, redirectUri, challenge });
    const wrong = await signInHttp(url, { connection: conn, login: "demo2", apiKey: "not-the-key-0000000000" });
    assert.equal(wrong.status, 400);
    assert.match(wrong.html, /did not accept this login and API key/);
    const denied = await signInHttp(url, { connection: conn, login: "", apiKey: "", decision: "deny" });
    assert.equal(denied.status, 302);
    assert.equal(new URL(denied.location).searchParams.get("error"), "access_denied");
  });
});
