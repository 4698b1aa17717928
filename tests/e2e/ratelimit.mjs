// The rate limit holds across isolates: two `wrangler dev` processes share one local D1 (as every
// isolate shares the one D1 in production); concurrent requests alternate between them, and exactly the
// key's limit is admitted within one window; the rest get 429 with Retry-After and a JSON-RPC error
// answering their own request id (the 2026-07-28 schema has no `"id": null`), none a 5xx.
// Run by run.sh: node tests/e2e/ratelimit.mjs <worker-url-1> <worker-url-2>  (needs E2E_SETUP)
import { admin, loadSetup } from "./lib.mjs";

const [urlA, urlB] = process.argv.slice(2);
const setup = loadSetup();
const LIMIT = 40;
const REQUESTS = 160;
const CONCURRENCY = 16;

const issued = await admin(setup, "POST", "/admin/api/keys", {
  connection_id: setup.connections.c19.id,
  label: "e2e rate limit",
  odoo_login: "admin",
  odoo_api_key: setup.odoo.c19.admin,
  rate_limit: LIMIT,
});
if (issued.status !== 201) throw new Error(`issue key: ${issued.status} ${JSON.stringify(issued.body)}`);
const key = issued.body.key;
// For the secret-hygiene scan at the end of run.sh.
if (process.env.E2E_EXTRA_SECRETS) (await import("node:fs")).appendFileSync(process.env.E2E_EXTRA_SECRETS, `${key}\n`, { mode: 0o600 });

// The limit is per minute window: start the burst well inside one (a bounded wait, not a measurement).
while (Date.now() % 60_000 > 45_000) await new Promise((r) => setTimeout(r, 250));

const meta = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} };
async function one(i) {
  const url = `${i % 2 === 0 ? urlA : urlB}/mcp`;
  const res = await fetch(url, {
    method: "POST",
    headers: {
      authorization: `Bearer ${key}`,
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      "mcp-protocol-version": "2026-07-28",
      "mcp-method": "server/discover",
    },
    body: JSON.stringify({ jsonrpc: "2.0", id: i, method: "server/discover", params: { _meta: meta } }),
    signal: AbortSignal.timeout(60_000),
  });
  let body;
  try { body = JSON.parse(await res.text()); } catch { body = undefined; }
  return { status: res.status, retryAfter: res.headers.get("retry-after"), worker: i % 2, answersItsId: body?.id === i };
}

const results = [];
let next = 0;
await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
  while (next < REQUESTS) results.push(await one(next++));
}));

const count = (pred) => results.filter(pred).length;
const admitted = count((r) => r.status === 200);
const limited = count((r) => r.status === 429);
const withRetryAfter = count((r) => r.status === 429 && Number(r.retryAfter) > 0);
const withId = count((r) => r.status === 429 && r.answersItsId);
const other = results.filter((r) => r.status !== 200 && r.status !== 429).map((r) => r.status);
const perWorker = [0, 1].map((w) => count((r) => r.worker === w && r.status === 200));
console.log(`rate limit ${LIMIT}/min, ${REQUESTS} requests (${CONCURRENCY} at a time over 2 workers): ` +
  `${admitted} admitted (${perWorker.join(" + ")}), ${limited} refused with 429 (${withId} echoing their id), other: ${JSON.stringify(other)}`);
const ok = admitted === LIMIT && limited === REQUESTS - LIMIT && withRetryAfter === limited && withId === limited && other.length === 0 && perWorker.every((n) => n > 0);
process.exit(ok ? 0 : 1);
