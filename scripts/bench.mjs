#!/usr/bin/env node
// `make bench`: the real worker (a `bench`-feature build, whose responses carry request counters) in
// workerd (scripts/serve.mjs: Miniflare, local D1, without the proxy `wrangler dev` puts in front) against
// the fake Odoo answering from memory, measured from outside:
//   - p50/p95 of `tools/call odoo_search` through the worker and of the same search_read sent straight
//     to the fake Odoo, and their ratio (the fake is given a fixed latency, BENCH_ODOO_LATENCY_MS, to
//     stand for a real Odoo's server time; the worker's own cost is also shown in milliseconds);
//   - D1 round trips and statements per request, before the Odoo call and after the response;
//   - Odoo calls per request: cold (nothing cached), warm, and in a new isolate (worker restarted on the
//     same D1, so the schema comes from D1);
//   - throughput at concurrency 1 and 10; wasm size raw and gzip (the release build in build/);
//   - time from starting the server (scripts/serve.mjs) to its first answer.
// Prints a table, writes bench-results.json (git-ignored), and exits 1 if a budget is missed.
//
// Environment: BENCH_SAMPLES (default 200), BENCH_ODOO_LATENCY_MS (default 50), FAKE_ODOO_BIN,
// BENCH_SKIP_BUILD=1 (reuse build-bench/).

import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { randomBytes } from "node:crypto";
import { writeBundleConfig } from "./lib/bundle-config.mjs";
import { freePorts, Groups, waitForHttp, waitForLog } from "./lib/process.mjs";
import os from "node:os";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ART = join(ROOT, "target", "bench");
const SAMPLES = Number(process.env.BENCH_SAMPLES || 200);
const LATENCY_MS = Number(process.env.BENCH_ODOO_LATENCY_MS ?? 50);
const BUDGET = { ratio: 1.15, d1BeforeOdoo: 1, odooWarm: 1, gzipBytes: 1024 * 1024 };

const log = (m) => console.error(`bench: ${m}`);
const b64url = (n) => randomBytes(n).toString("base64url");

// Every child in its own process group (scripts/lib/process.mjs), output to target/bench/<name>.log;
// all are stopped on the way out, a Ctrl-C included.
const groups = new Groups({ cwd: ROOT });
const start = (name, cmd, args, env = {}) => groups.start(name, cmd, args, { env: { ...process.env, ...env }, log: join(ART, `${name}.log`) });

/** One build step to its end; throws (naming its log) if it fails. */
async function step(name, cmd, args) {
  const { code } = await groups.run(name, cmd, args, { log: join(ART, `${name}.log`) });
  if (code !== 0) throw new Error(`${name} failed (exit ${code}); see ${ART}/${name}.log`);
}

let stopping = false;
async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  groups.closing();
  await groups.stopAll(["worker", "worker-restart"]);
  const left = groups.leftovers();
  if (left.length) log(`processes left behind: ${left.map((p) => p.pid).join(" ")}`);
  if (code !== undefined) process.exit(code);
}
let interrupted = false;
for (const sig of ["SIGINT", "SIGTERM"]) {
  process.on(sig, () => {
    interrupted = true;
    stopAll(130);
  });
}
// A step that throws ends the run with exit code 1, its groups stopped first; after a Ctrl-C, a step
// failing (its worker gone) is the stop itself, not an error.
process.on("uncaughtException", (e) => {
  if (interrupted) return;
  console.error(e);
  process.exitCode = 1;
  stopAll(1);
});
process.on("exit", () => groups.killAll()); // the last resort: nothing outlives the script

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

// ------------------------------------------------------------------ build
rmSync(ART, { recursive: true, force: true });
mkdirSync(ART, { recursive: true, mode: 0o700 });
const wasmPath = join(ROOT, "build", "index_bg.wasm");
const wasm = readFileSync(wasmPath);
const size = { raw: wasm.length, gzip: gzipSync(wasm, { level: 9 }).length };
log(`release wasm: ${size.raw} bytes raw, ${size.gzip} gzip`);
if (!process.env.BENCH_SKIP_BUILD) {
  log("building the bench worker (--features bench) into build-bench/");
  await step("build", "./scripts/build-worker.sh", ["--out-dir", "build-bench", "--", "--features", "bench"]);
}
let fakeBin = process.env.FAKE_ODOO_BIN;
if (!fakeBin) {
  log("building fake-odoo");
  await step("fake-build", "cargo", ["build", "--release", "-p", "fake-odoo", "--bins"]);
  fakeBin = join(process.env.CARGO_TARGET_DIR || join(ROOT, "target"), "release", "fake-odoo");
}

// ------------------------------------------------------------------ processes
const [pOdoo, pWorker] = await freePorts(2);
const odooKey = b64url(20);
const fake = start("fake-odoo", fakeBin, ["--version", "19", "--port", String(pOdoo), "--database", "mcptest", "--admin-key", odooKey, "--demo2-key", b64url(20)]);
await waitForLog(fake, /fake-odoo listening on http:\/\/127\.0\.0\.1:\d+/, { timeoutS: 30 });
const ODOO = `http://127.0.0.1:${pOdoo}`;

const adminToken = b64url(32);
writeFileSync(join(ART, "bench.env"), `ADMIN_TOKEN="${adminToken}"\nCREDENTIALS_KEY="${randomBytes(32).toString("base64")}"\nDEV_ALLOW_LOOPBACK="true"\n`, { mode: 0o600 });
writeBundleConfig(join(ART, "wrangler-bench.toml"), join(ROOT, "build-bench", "worker", "shim.mjs"));
await step("schema", "wrangler", ["d1", "execute", "DB", "--local", "--persist-to", join(ART, "state"), "--file", "schema.sql", "--config", join(ART, "wrangler-bench.toml")]);

const WORKER = `http://127.0.0.1:${pWorker}`;
async function startWorker(name) {
  const t0 = performance.now();
  // The same configuration, state and env file `wrangler d1 execute` and `wrangler dev` would take.
  const child = start(name, process.execPath, [join(ROOT, "scripts", "serve.mjs"), "--config", join(ART, "wrangler-bench.toml"), "--port", String(pWorker),
    "--persist-to", join(ART, "state"), "--env-file", join(ART, "bench.env")], { WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" });
  // Polled often: the time to the first answer is one of the measurements.
  await waitForHttp(`${WORKER}/health`, { label: "serve.mjs", handle: child, timeoutS: 120, intervalMs: 20 });
  return { name, startMs: performance.now() - t0 };
}

async function admin(method, path, body) {
  const r = await fetch(`${WORKER}/admin/api${path}`, { method, headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" }, body: body && JSON.stringify(body) });
  const json = await r.json();
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${JSON.stringify(json)}`);
  return json;
}

const SEARCH = { model: "res.partner", domain: [["is_company", "=", true]], fields: ["name", "email", "city"], limit: 10 };
const META = { "io.modelcontextprotocol/protocolVersion": "2026-07-28", "io.modelcontextprotocol/clientCapabilities": {}, "io.modelcontextprotocol/clientInfo": { name: "bench", version: "1" } };
let rpcId = 0;

/** One stateless tools/call; the counters from the response headers. */
async function workerSearch(key) {
  const id = ++rpcId;
  const r = await fetch(`${WORKER}/mcp`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", accept: "application/json, text/event-stream", "mcp-protocol-version": "2026-07-28", "mcp-method": "tools/call", "mcp-name": "odoo_search" },
    body: JSON.stringify({ jsonrpc: "2.0", id, method: "tools/call", params: { name: "odoo_search", arguments: SEARCH, _meta: META } }),
  });
  const body = await r.json();
  if (r.status !== 200 || body.result?.isError || !body.result?.structuredContent) throw new Error(`tools/call: ${r.status} ${JSON.stringify(body).slice(0, 300)}`);
  const n = (h) => Number(r.headers.get(h));
  return { d1BeforeOdoo: n("x-bench-d1-before-odoo"), d1Batches: n("x-bench-d1-batches"), d1Statements: n("x-bench-d1-statements"), afterStatements: n("x-bench-after-statements"), odooCalls: n("x-bench-odoo-calls"), ms: { d1: n("x-bench-d1-ms"), odoo: n("x-bench-odoo-ms"), total: n("x-bench-total-ms"), adapter: n("x-bench-before-core-ms") } };
}

/** The same search_read the worker sends, straight to the fake Odoo (JSON-2). */
async function directSearch() {
  const r = await fetch(`${ODOO}/json/2/res.partner/search_read`, {
    method: "POST",
    headers: { authorization: `bearer ${odooKey}`, "x-odoo-database": "mcptest", "content-type": "application/json" },
    body: JSON.stringify({ domain: SEARCH.domain, fields: SEARCH.fields, offset: 0, limit: SEARCH.limit + 1 }),
  });
  const body = await r.json();
  if (r.status !== 200 || !Array.isArray(body)) throw new Error(`direct search_read: ${r.status}`);
}

/** A request the worker answers without D1 or Odoo: the HTTP round trip into workerd and back. */
async function bareRequest() {
  const r = await fetch(`${WORKER}/mcp`);
  await r.text();
  if (r.headers.get("x-bench-d1-batches") !== "0" || r.headers.get("x-bench-odoo-calls") !== "0") throw new Error("the baseline request touched D1 or Odoo");
}

async function timed(fn) {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

async function throughput(fn, concurrency, total) {
  let left = total;
  const t = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (left-- > 0) await fn();
  }));
  return total / ((performance.now() - t) / 1000);
}

// ------------------------------------------------------------------ measurements
const results = { machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version }, samples: SAMPLES, odoo_latency_ms: LATENCY_MS, wasm: size };
let worker;
try {
  log(`starting scripts/serve.mjs on ${WORKER}`);
  worker = await startWorker("worker");
  results.start_to_first_answer_ms = round(worker.startMs, 0);
  const conn = await admin("POST", "/connections", { name: "bench", url: ODOO, database: "mcptest" });
  await admin("PUT", `/connections/${conn.id}/models/res.partner`, { read: true });
  const { key } = await admin("POST", "/keys", { connection_id: conn.id, label: "bench", odoo_login: "admin", odoo_api_key: odooKey, rate_limit: 100000 });

  results.counters = { cold: await workerSearch(key), warm: await workerSearch(key) };

  await fetch(`${ODOO}/__fake/control`, { method: "POST", body: JSON.stringify({ delay_ms: LATENCY_MS }) });
  for (let i = 0; i < 20; i++) { await directSearch(); await workerSearch(key); }
  log(`${SAMPLES} samples each, alternating, with ${LATENCY_MS} ms of Odoo latency`);
  const direct = [], through = [], bare = [], inside = { d1: [], odoo: [], total: [], adapter: [] };
  for (let i = 0; i < SAMPLES; i++) {
    direct.push(await timed(directSearch));
    bare.push(await timed(bareRequest));
    let counted;
    through.push(await timed(async () => { counted = await workerSearch(key); }));
    for (const k of Object.keys(inside)) inside[k].push(counted.ms[k]);
  }
  for (const k of Object.keys(inside)) inside[k].sort((a, b) => a - b);
  for (const xs of [direct, through, bare]) xs.sort((a, b) => a - b);
  results.latency_ms = {
    direct: { p50: round(percentile(direct, 50)), p95: round(percentile(direct, 95)) },
    worker: { p50: round(percentile(through, 50)), p95: round(percentile(through, 95)) },
  };
  const L = results.latency_ms;
  L.bare_request_p50 = round(percentile(bare, 50));
  L.gross_ratio_p50 = round(L.worker.p50 / L.direct.p50, 3);
  // The cost of a request that touches neither D1 nor Odoo, measured in this run, is taken out (it was
  // there for `wrangler dev`'s local proxy; serve.mjs has none, so what is left is workerd's own HTTP).
  L.overhead_p50 = round(L.worker.p50 - L.bare_request_p50 - L.direct.p50);
  L.ratio_p50 = round((L.worker.p50 - L.bare_request_p50) / L.direct.p50, 3);
  // Where the worker's time goes, by its own clock (whole milliseconds).
  results.latency_ms.inside_worker_p50 = { total: percentile(inside.total, 50), d1: percentile(inside.d1, 50), odoo: percentile(inside.odoo, 50), before_core: percentile(inside.adapter, 50) };
  const total = Math.max(50, SAMPLES);
  results.throughput_rps = {
    c1: round(await throughput(() => workerSearch(key), 1, total), 1),
    c10: round(await throughput(() => workerSearch(key), 10, total), 1),
    direct_c10: round(await throughput(directSearch, 10, total), 1),
  };
  await fetch(`${ODOO}/__fake/control`, { method: "POST", body: JSON.stringify({ reset: true }) });

  log("restarting the worker on the same D1: a new isolate");
  await groups.stop(worker.name);
  worker = await startWorker("worker-restart");
  results.restart_to_first_answer_ms = round(worker.startMs, 0);
  results.counters.new_isolate = await workerSearch(key);
} finally {
  await stopAll();
}

// ------------------------------------------------------------------ report
const c = results.counters;
const checks = [
  ["D1 round trips before the Odoo call (warm)", c.warm.d1BeforeOdoo, `≤ ${BUDGET.d1BeforeOdoo}`, c.warm.d1BeforeOdoo <= BUDGET.d1BeforeOdoo],
  ["D1 round trips before the Odoo call (new isolate)", c.new_isolate.d1BeforeOdoo, `≤ ${BUDGET.d1BeforeOdoo}`, c.new_isolate.d1BeforeOdoo <= BUDGET.d1BeforeOdoo],
  ["Odoo calls per search (warm)", c.warm.odooCalls, `= ${BUDGET.odooWarm}`, c.warm.odooCalls === BUDGET.odooWarm],
  ["Odoo calls per search (new isolate, schema from D1)", c.new_isolate.odooCalls, `= ${BUDGET.odooWarm}`, c.new_isolate.odooCalls === BUDGET.odooWarm],
  ["tools/call p50 (less a bare request) / direct p50", results.latency_ms.ratio_p50, `≤ ${BUDGET.ratio}`, results.latency_ms.ratio_p50 <= BUDGET.ratio],
  ["wasm gzip bytes", size.gzip, `≤ ${BUDGET.gzipBytes}`, size.gzip <= BUDGET.gzipBytes],
];
results.budgets = checks.map(([name, value, budget, met]) => ({ name, value, budget, met }));
writeFileSync(join(ROOT, "bench-results.json"), JSON.stringify(results, null, 2) + "\n");

const rows = [
  ["wasm (release)", `${size.raw} B raw, ${size.gzip} B gzip`],
  ["start to first answer", `${results.start_to_first_answer_ms} ms (restart: ${results.restart_to_first_answer_ms} ms)`],
  [`search, direct to Odoo (+${LATENCY_MS} ms)`, `p50 ${results.latency_ms.direct.p50} ms, p95 ${results.latency_ms.direct.p95} ms`],
  ["search, tools/call through the worker", `p50 ${results.latency_ms.worker.p50} ms, p95 ${results.latency_ms.worker.p95} ms`],
  ["bare request, p50", `${results.latency_ms.bare_request_p50} ms (a request with no D1 and no Odoo call)`],
  ["worker overhead p50", `${results.latency_ms.overhead_p50} ms net of a bare request (ratio ${results.latency_ms.ratio_p50}; gross ${results.latency_ms.gross_ratio_p50})`],
  ["inside the worker, p50", `${results.latency_ms.inside_worker_p50.total} ms: D1 ${results.latency_ms.inside_worker_p50.d1} ms, Odoo ${results.latency_ms.inside_worker_p50.odoo} ms; before the core ${results.latency_ms.inside_worker_p50.before_core} ms`],
  ["throughput, concurrency 1 / 10", `${results.throughput_rps.c1} / ${results.throughput_rps.c10} req/s (direct at 10: ${results.throughput_rps.direct_c10})`],
  ...["cold", "warm", "new_isolate"].map((k) => [`per request, ${k.replace("_", " ")}`,
    `D1 ${c[k].d1BeforeOdoo} round trip(s) before Odoo, ${c[k].d1Batches} before the response (${c[k].d1Statements} statements), ${c[k].afterStatements} statements after; Odoo calls ${c[k].odooCalls}`]),
];
const w = Math.max(...rows.map((r) => r[0].length));
console.log(`\nmachine: ${results.machine.cpus} × ${results.machine.model}, node ${results.machine.node}; ${SAMPLES} samples`);
for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
console.log("\nbudgets:");
for (const b of results.budgets) console.log(`  ${b.met ? "met   " : "MISSED"} ${b.name}: ${b.value} (${b.budget})`);
console.log(`\nwritten: bench-results.json`);
process.exitCode = results.budgets.every((b) => b.met) ? 0 : 1;
