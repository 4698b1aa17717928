// The outbound guard in the wasm build, in workerd: a second worker on the same D1 without
// DEV_ALLOW_LOOPBACK (as deployed) refuses every internal spelling of tests/fixtures/url_guard.json as a
// connection URL, and refuses at send time a stored loopback connection; the first worker reports an
// Odoo redirect with its Location and does not follow it (fetch's redirect: "manual"). The same guard
// stands before an OAuth Client ID Metadata Document: one on a private or loopback address is never fetched.
// Run by the e2e harness (tests/e2e/harness): E2E_WORKER2_URL=<the worker without loopback> node --test tests/e2e/url_guard.test.mjs
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createServer } from "node:https";
import { authorizationUrl, loadSetup, pkcePair, rawSession, resultText } from "./lib.mjs";

const setup = loadSetup();
const worker2 = process.env.E2E_WORKER2_URL;
const table = JSON.parse(readFileSync(new URL("../fixtures/url_guard.json", import.meta.url), "utf8")).cases;
const admin2 = (method, path, body) =>
  fetch(`${worker2}${path}`, {
    method,
    headers: { authorization: `Bearer ${setup.admin_token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  }).then(async (r) => ({ status: r.status, body: await r.json().catch(() => null) }));

test("every internal spelling is refused as a connection URL by the deployed build", async () => {
  assert.ok(worker2, "E2E_WORKER2_URL is set");
  assert.ok(table.length >= 100);
  const wrong = [];
  for (const { url, allowed, why } of table.filter((c) => !c.allowed)) {
    const r = await admin2("POST", "/admin/api/connections", { name: "guard", url, database: "db" });
    if (r.status !== 400) wrong.push(`${url} (${why}): HTTP ${r.status} ${JSON.stringify(r.body)}`);
    assert.equal(allowed, false);
  }
  assert.deepEqual(wrong, []);
  // The fake Odoo itself, spelled plainly and otherwise: loopback is not for a deployed worker.
  const port = new URL(setup.odoo.c19.url).port;
  for (const url of [`http://127.0.0.1:${port}`, `http://[::ffff:7f00:1]:${port}`, `http://2130706433:${port}`, `http://localhost.:${port}`]) {
    const r = await admin2("POST", "/admin/api/connections", { name: "guard", url, database: "mcptest" });
    assert.equal(r.status, 400, `${url}: ${JSON.stringify(r.body)}`);
  }
});

test("a public spelling passes the guard (and then fails only to connect, offline)", async () => {
  for (const { url } of table.filter((c) => c.allowed).slice(0, 5)) {
    const r = await admin2("POST", "/admin/api/connections", { name: "guard", url, database: "db" });
    assert.notEqual(r.status, 400, `${url}: ${JSON.stringify(r.body)}`);
  }
});

test("a stored loopback connection is refused at send time by a worker that does not allow loopback", async () => {
  const before = await fetch(`${setup.odoo.c19.url}/__fake/calls`).then((r) => r.json());
  const s = await rawSession(`${worker2}/mcp`, setup.keys.admin19);
  const result = await s.callTool("odoo_search", { model: "res.partner", fields: ["name"], limit: 1 });
  assert.equal(result.isError, true, JSON.stringify(result));
  assert.match(resultText(result), /the Odoo URL is not allowed: loopback/);
  const after = await fetch(`${setup.odoo.c19.url}/__fake/calls`).then((r) => r.json());
  assert.equal(after.calls.length, before.calls.length, "nothing reached Odoo");
});

test("an Odoo redirect is reported with its Location and not followed", async () => {
  const fake = setup.odoo.c19.url;
  const control = (body) => fetch(`${fake}/__fake/control`, { method: "POST", body: JSON.stringify(body) }).then((r) => r.json());
  const s = await rawSession(setup.mcp_url, setup.keys.admin19);
  await s.callTool("odoo_search", { model: "res.partner", fields: ["name"], limit: 1 }); // schema cached
  await fetch(`${fake}/__fake/calls`, { method: "DELETE" });
  // Followed, the request would go to odoo-moved.example.com and fail to connect; only an unfollowed 307
  // reaches the core, which names it.
  assert.deepEqual(await control({ fault: "redirect", methods: ["search_read"], count: 1 }), { ok: true });
  try {
    const result = await s.callTool("odoo_search", { model: "res.partner", fields: ["name"], limit: 1 });
    assert.equal(result.isError, true, JSON.stringify(result));
    assert.match(resultText(result), /redirect \(HTTP 307\) to http:\/\/odoo-moved\.example\.com\//);
    const { calls } = await fetch(`${fake}/__fake/calls`).then((r) => r.json());
    assert.equal(calls.filter((c) => c.method === "search_read").length, 1, JSON.stringify(calls));
  } finally {
    await control({ reset: true });
  }
});

test("a Client ID Metadata Document on a private or loopback address is never fetched", async () => {
  const cert = process.env.E2E_TLS_CERT;
  const key = process.env.E2E_TLS_KEY;
  assert.ok(cert && key, "E2E_TLS_CERT and E2E_TLS_KEY are set by the e2e harness");
  // A valid document on loopback https, which the first worker (DEV_ALLOW_LOOPBACK) would use
  // (oauth.test.mjs): the deployed one must refuse it without asking.
  let fetched = 0;
  let doc;
  const server = createServer({ cert: readFileSync(cert), key: readFileSync(key) }, (req, res) => {
    fetched++;
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(doc));
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = server.address().port;
  const { challenge } = await pkcePair();
  const page = async (workerUrl, clientId) => {
    const url = authorizationUrl(workerUrl, { clientId, redirectUri: "http://127.0.0.1:9/callback", challenge });
    const r = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(30_000) });
    return { status: r.status, location: r.headers.get("location"), html: await r.text() };
  };
  try {
    const loopback = [`https://localhost:${port}/client.json`, `https://127.0.0.1:${port}/client.json`, `https://[::1]:${port}/client.json`];
    const internal = ["https://10.0.0.1/client.json", "https://192.168.1.10/client.json", "https://169.254.169.254/latest/client.json",
      "https://[fd00::1]/client.json", "https://printer.local/client.json"];
    for (const clientId of [...loopback, ...internal]) {
      doc = { client_id: clientId, client_name: "guarded", redirect_uris: ["http://127.0.0.1:9/callback"], token_endpoint_auth_method: "none" };
      const r = await page(worker2, clientId);
      assert.equal(r.status, 400, `${clientId}: ${r.html.slice(0, 300)}`);
      assert.equal(r.location, null, "no redirect to a client that is not known");
      assert.match(r.html, /Unknown application/, clientId);
      assert.match(r.html, /not one this server may fetch \(a private or local address\)/, clientId);
    }
    for (const clientId of internal) {
      const r = await page(setup.worker_url, clientId);
      assert.equal(r.status, 400, `first worker, ${clientId}`);
      assert.match(r.html, /not one this server may fetch/, `first worker, ${clientId}`);
    }
    assert.equal(fetched, 0, "no document was fetched");
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
});
