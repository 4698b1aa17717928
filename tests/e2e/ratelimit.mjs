// The rate limit holds in any 60 seconds, across isolates: two `wrangler dev` processes share one local D1
// (as every isolate shares the one D1 in production). Half the key's limit is spent a few seconds before a
// minute boundary, then a burst follows just after it: concurrent requests alternate between the two
// workers, and exactly the key's limit is admitted in all (a fixed clock-minute window would admit the
// limit again after the boundary); the rest get 429 with a Retry-After pointing at the moment the first
// requests leave the 60-second window, and a JSON-RPC error answering their own request id (the 2026-07-28
// schema has no `"id": null`), none a 5xx.
// Run by the e2e harness (tests/e2e/harness): node tests/e2e/ratelimit.mjs <worker-url-1> <worker-url-2>  (needs E2E_SETUP)
import { admin, loadSetup } from "./lib.mjs";

const [urlA, urlB] = process.argv.slice(2);
const setup = loadSetup();
const LIMIT = 40;
const BEFORE = LIMIT / 2; // requests sent before the boundary, all admitted
const AFTER = 140; // requests sent after it: LIMIT - BEFORE admitted
const CONCURRENCY = 16;
const MINUTE = 60_000;

const issued = await admin(setup, "POST", "/admin/api/keys", {
  connection_id: setup.connections.c19.id,
  label: "e2e rate limit",
  odoo_login: "admin",
  odoo_api_key: setup.odoo.c19.admin,
  rate_limit: LIMIT,
});
if (issued.status !== 201) throw new Error(`issue key: ${issued.status} ${JSON.stringify(issued.body)}`);
const key = issued.body.key;
// For the secret-hygiene scan at the end of the e2e run.
if (process.env.E2E_EXTRA_SECRETS) (await import("node:fs")).appendFileSync(process.env.E2E_EXTRA_SECRETS, `${key}\n`, { mode: 0o600 });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const meta = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {} };
let id = 0;
async function one(phase) {
  const i = id++;
  const worker = i % 2;
  const sent = Date.now();
  const res = await fetch(`${worker === 0 ? urlA : urlB}/mcp`, {
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
  return { phase, worker, status: res.status, retryAfter: res.headers.get("retry-after"), sent, recv: Date.now(), answersItsId: body?.id === i };
}
async function burst(phase, n) {
  const out = [];
  let left = n;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (left > 0) {
      left--;
      out.push(await one(phase));
    }
  }));
  return out;
}

// Start 5 to 8 s before a minute boundary (a bounded wait for the clock, not a measurement).
const inMinute = () => Date.now() % MINUTE;
while (inMinute() < 52_000 || inMinute() >= 55_000) await sleep(100);
const boundary = Math.ceil(Date.now() / MINUTE) * MINUTE;
const before = await burst("before", BEFORE);
if (Date.now() >= boundary) {
  console.log(`the ${BEFORE} requests before the boundary took until ${Date.now() - boundary} ms after it: the run did not straddle it`);
  process.exit(1);
}
while (Date.now() < boundary + 250) await sleep(50);
const after = await burst("after", AFTER);
const results = [...before, ...after];

const count = (rs, pred) => rs.filter(pred).length;
const ok = (r) => r.status === 200;
const admittedBefore = count(before, ok);
const admittedAfter = count(after, ok);
const refused = results.filter((r) => r.status === 429);
const other = results.filter((r) => r.status !== 200 && r.status !== 429).map((r) => r.status);
const perWorker = [0, 1].map((w) => count(results, (r) => r.worker === w && ok(r)));
// A refusal waits for the oldest admitted requests (the ones before the boundary) to leave the window:
// their bucket's second + 61 s. So a retry is never earlier than 60 s after the first of them was sent,
// nor later than 62 s after the last of them was answered.
const firstSent = Math.min(...before.map((r) => r.sent));
const lastAnswered = Math.max(...before.map((r) => r.recv));
const retryAfter = refused.map((r) => Number(r.retryAfter));
const badRetry = refused.filter((r) => {
  const s = Number(r.retryAfter);
  return !(Number.isInteger(s) && s >= 1 && r.recv + s * 1000 >= firstSent + MINUTE && r.sent + s * 1000 <= lastAnswered + 62_000);
});
const at = new Date(boundary).toISOString().slice(11, 19);
console.log(`rate limit ${LIMIT}/min across the minute boundary at ${at} UTC, ${results.length} requests (${CONCURRENCY} at a time over 2 workers): ` +
  `${admittedBefore} admitted before it + ${admittedAfter} after = ${admittedBefore + admittedAfter} (${perWorker.join(" + ")} per worker), ` +
  `${refused.length} refused with 429 (${refused.filter((r) => r.answersItsId).length} echoing their id; Retry-After ${Math.min(...retryAfter)}-${Math.max(...retryAfter)} s, ${badRetry.length} off), other: ${JSON.stringify(other)}`);
const pass = admittedBefore === BEFORE && admittedAfter === LIMIT - BEFORE && refused.length === results.length - LIMIT &&
  badRetry.length === 0 && refused.every((r) => r.answersItsId) && other.length === 0 && perWorker.every((n) => n > 0);
process.exit(pass ? 0 : 1);
