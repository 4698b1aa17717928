#!/usr/bin/env node
// `make bench`: the real worker (a `bench`-feature build, whose responses carry request counters) in
// workerd (scripts/serve.mjs: Miniflare, local D1, without the proxy `wrangler dev` puts in front) against
// the fake Odoo answering from memory after a fixed delay, measured from outside:
//   - interleaved rounds: each round sends, in a random order, the `search_read` the `odoo_search` tool
//     makes straight to the fake Odoo (JSON-2, as the worker sends it), the same `tools/call
//     odoo_search` through the worker in both protocol eras (2025-11-25 in a session, 2026-07-28
//     stateless) with a JSON and an SSE answer each, the direct call through a JavaScript Worker that only
//     forwards it (the runtime's floor: workerd, one hop in, one fetch out, no logic), and a bare request;
//     p50/p95 of each and the ratio to the direct call, gross: nothing is subtracted from anything (the
//     floor and the bare request, one that touches neither D1 nor Odoo, are information: each tools/call's
//     p50 is also given against the floor's, but the budget is against the direct call);
//   - then rounds of their own for the direct call, that floor, and the same through a Rust Worker that
//     only forwards it (bench/rust-floor, built as the server is: the floor of any Worker in Rust);
//   - the cold isolate: the process's start to `listening`, then the first tools/call (each era in turn,
//     over BENCH_RESTARTS restarts on the same D1) and the second one;
//   - D1 round trips and statements per request, before the Odoo call and after the response, and what
//     became of each measured call's early Odoo call (x-bench-early: used, dropped, or not started);
//   - Odoo calls per request: cold (nothing cached), warm, and in a new isolate (worker restarted on the
//     same D1, so the schema comes from D1);
//   - throughput at concurrency 1 and 10; wasm size raw and gzip (the release build in build/);
//   - the machine (CPU model, cores, Node, load average) and the date.
// Prints a table, writes bench-results.json (git-ignored), and exits 1 if a budget is missed (unless
// BENCH_NO_FAIL=1, which reports the budgets without failing).
//
// Environment: BENCH_SAMPLES (rounds, default 200), BENCH_ODOO_LATENCY_MS (the fake Odoo's delay per
// call, default 10: what a real Odoo on the same machine takes), BENCH_RESTARTS (cold starts, default 6),
// BENCH_NO_FAIL=1, FAKE_ODOO_BIN, BENCH_SKIP_BUILD=1 (reuse build-bench/), BENCH_BUILD=DIR (serve that bench
// build instead of building build-bench/), BENCH_CANDIDATE=DIR (a second
// bench build of the server, `./scripts/build-worker.sh --out-dir DIR -- --features bench`, served beside
// the first on a D1 of its own: the rounds are then the direct call, the floor and each build's stateless
// JSON tools/call, in two halves with the builds swapped between the two places, and the run ends with
// their comparison, to measure a change).

import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { randomBytes, randomInt } from "node:crypto";
import { ACCEPT, issueKey, SEARCH, STATELESS_VERSION, statelessSearchInit, writeEnvFile } from "./lib/bench-server.mjs";
import { writeBundleConfigs } from "./lib/bundle-config.mjs";
import { freePorts, Groups, waitForLog } from "./lib/process.mjs";
import os from "node:os";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ART = join(ROOT, "target", "bench");
const SAMPLES = Number(process.env.BENCH_SAMPLES || 200);
const LATENCY_MS = Number(process.env.BENCH_ODOO_LATENCY_MS ?? 10);
const RESTARTS = Math.max(2, Number(process.env.BENCH_RESTARTS || 6));
const NO_FAIL = process.env.BENCH_NO_FAIL === "1";
const CANDIDATE = process.env.BENCH_CANDIDATE ? resolve(process.env.BENCH_CANDIDATE) : null;
// The bench build served (made here into build-bench/ unless BENCH_SKIP_BUILD=1 or BENCH_BUILD names one).
const BUILD = process.env.BENCH_BUILD ? resolve(process.env.BENCH_BUILD) : join(ROOT, "build-bench");
// The wasm budget is deploy-check's for the `/mcp` Worker (BUNDLE_BUDGET_KIB, 400 KiB), on its wasm alone here.
const BUDGET = { ratio: 1.15, d1BeforeOdoo: 1, odooWarm: 1, gzipBytes: Number(process.env.BUNDLE_BUDGET_KIB || 400) * 1024 };

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
  await groups.stopAll();
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
const median = (xs) => percentile([...xs].sort((a, b) => a - b), 50);
function shuffle(xs) {
  const a = [...xs];
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

const cpus = os.cpus();
const machine = {
  cpu: cpus[0]?.model?.trim() ?? "unknown",
  cores: cpus.length,
  node: process.version,
  os: `${os.type()} ${os.release()} ${os.arch()}`,
  load_average_at_start: os.loadavg().map((x) => round(x)),
};
const date = new Date().toISOString();

// ------------------------------------------------------------------ build
rmSync(ART, { recursive: true, force: true });
mkdirSync(ART, { recursive: true, mode: 0o700 });
// The release wasm of each Worker (scripts/build-worker.sh): the `/mcp` one's is what every MCP request starts.
const wasmSize = (path) => {
  const wasm = readFileSync(join(ROOT, path));
  return { raw: wasm.length, gzip: gzipSync(wasm, { level: 9 }).length };
};
const size = wasmSize("build/index_bg.wasm");
const adminSize = wasmSize("build/admin/index_bg.wasm");
log(`release wasm: the /mcp Worker ${size.raw} bytes raw, ${size.gzip} gzip; the admin Worker ${adminSize.raw} raw, ${adminSize.gzip} gzip`);
if (!process.env.BENCH_SKIP_BUILD && !process.env.BENCH_BUILD) {
  log("building the bench worker (--features bench) into build-bench/");
  await step("build", "./scripts/build-worker.sh", ["--out-dir", "build-bench", "--", "--features", "bench"]);
}
// The Rust floor's Worker, built unless it is there and a build was not asked for.
const RUST_FLOOR_BUILD = join(ROOT, "build-bench", "rust-floor");
if (!(process.env.BENCH_SKIP_BUILD || process.env.BENCH_BUILD) || !existsSync(join(RUST_FLOOR_BUILD, "worker", "shim.mjs"))) {
  log("building the Rust floor (bench/rust-floor) into build-bench/rust-floor/");
  await step("rust-floor-build", "./scripts/build-worker.sh", ["rust-floor", "--out-dir", RUST_FLOOR_BUILD]);
}
let fakeBin = process.env.FAKE_ODOO_BIN;
if (!fakeBin) {
  log("building fake-odoo");
  await step("fake-build", "cargo", ["build", "--release", "-p", "fake-odoo", "--bins"]);
  fakeBin = join(process.env.CARGO_TARGET_DIR || join(ROOT, "target"), "release", "fake-odoo");
}

// ------------------------------------------------------------------ processes
const [pOdoo, pWorker, pFloor, pRustFloor, pCandidate] = await freePorts(5);
const odooKey = b64url(20);
const fake = start("fake-odoo", fakeBin, ["--version", "19", "--port", String(pOdoo), "--database", "mcptest", "--admin-key", odooKey, "--demo2-key", b64url(20)]);
await waitForLog(fake, /fake-odoo listening on http:\/\/127\.0\.0\.1:\d+/, { timeoutS: 30 });
const ODOO = `http://127.0.0.1:${pOdoo}`;
const setOdooLatency = async (ms) => {
  const r = await fetch(`${ODOO}/__fake/control`, { method: "POST", body: JSON.stringify(ms ? { delay_ms: ms } : { reset: true }) });
  if (r.status !== 200) throw new Error(`fake-odoo control: ${r.status} ${await r.text()}`);
};

const adminToken = b64url(32);
writeEnvFile(join(ART, "bench.env"), adminToken);
const configs = writeBundleConfigs(ART, "wrangler-bench", BUILD);
await step("schema", "wrangler", ["d1", "execute", "DB", "--local", "--persist-to", join(ART, "state"), "--file", "schema.sql", "--config", configs[0]]);

const WORKER = `http://127.0.0.1:${pWorker}`;
const CANDIDATE_URL = `http://127.0.0.1:${pCandidate}`;
const FLOOR = `http://127.0.0.1:${pFloor}`;
const RUST_FLOOR = `http://127.0.0.1:${pRustFloor}`;
let workerRuns = 0;
/** Starts the server's two Workers (scripts/serve.mjs) on the configuration (`cfgs`, the bench build's
 * by default), state and env file `wrangler d1 execute` and `wrangler dev` would take. */
const startWorker = (cfgs = configs) => startServe(`worker-${++workerRuns}`, cfgs, pWorker, join(ART, "state"), join(ART, "bench.env"));

/** The runtime's floor: a JavaScript Worker that forwards the direct call's request to the fake Odoo and
 * its answer back, nothing else, served the same way (scripts/serve.mjs, its own workerd): one HTTP hop
 * in, one `fetch` out, through the same Miniflare plumbing as the server's Odoo calls. Then the same in
 * Rust (bench/rust-floor, built into RUST_FLOOR_BUILD), on a workerd of its own. */
async function startFloor() {
  writeFileSync(join(ART, "floor.mjs"), `export default {
  async fetch(req, env) {
    const { pathname } = new URL(req.url);
    if (pathname === "/health") return new Response("ok");
    const headers = {};
    for (const h of ["authorization", "x-odoo-database", "content-type", "user-agent"]) headers[h] = req.headers.get(h) ?? "";
    const r = await fetch(env.ODOO + pathname, { method: "POST", headers, body: await req.arrayBuffer() });
    return new Response(r.body, { status: r.status, headers: { "content-type": r.headers.get("content-type") ?? "application/json" } });
  },
};
`);
  const compatibility = readFileSync(join(ROOT, "wrangler.toml"), "utf8").match(/^compatibility_date = "([^"]+)"/m)?.[1];
  writeFileSync(join(ART, "floor.env"), "", { mode: 0o600 });
  /** One floor: its module `main`, served on `port` with ODOO in its vars. */
  const serveFloor = (name, main, port) => {
    writeFileSync(join(ART, `wrangler-${name}.toml`), `name = "bench-${name}"\nmain = ${JSON.stringify(main)}\ncompatibility_date = "${compatibility}"\n\n[vars]\nODOO = "${ODOO}"\n`);
    return startServe(name, [join(ART, `wrangler-${name}.toml`)], port, join(ART, `${name}-state`), join(ART, "floor.env"));
  };
  await serveFloor("floor", join(ART, "floor.mjs"), pFloor);
  await serveFloor("rust-floor", join(RUST_FLOOR_BUILD, "worker", "shim.mjs"), pRustFloor);
}

/** Starts scripts/serve.mjs on `port`; resolves when it prints `listening on` (it does once its own
 * /health probe answered), with the time from the spawn to that line. */
async function startServe(name, configList, port, persist, envFile) {
  const logFile = join(ART, `${name}.log`);
  const out = createWriteStream(logFile, { mode: 0o600 });
  const t0 = performance.now();
  const handle = groups.start(name, process.execPath, [join(ROOT, "scripts", "serve.mjs"), ...configList.flatMap((c) => ["--config", c]), "--port", String(port),
    "--persist-to", persist, "--env-file", envFile], { env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" }, log: logFile, pipe: true });
  let listening;
  const seen = new Promise((res) => (listening = res));
  // Only until the line is seen: the worker's log lines that follow are written, not scanned.
  let text = "";
  handle.child.stdout.on("data", (d) => {
    out.write(d);
    if (text === null) return;
    text += d;
    if (text.includes(`listening on http://127.0.0.1:${port}`)) {
      text = null;
      listening(performance.now() - t0);
    }
  });
  handle.child.stderr.on("data", (d) => out.write(d));
  handle.child.on("exit", () => out.end());
  let timer;
  const listeningMs = await Promise.race([
    seen,
    handle.done.then((how) => Promise.reject(new Error(`serve.mjs ended (${how}) before listening; see ${logFile}`))),
    new Promise((_, rej) => (timer = setTimeout(() => rej(new Error(`serve.mjs: not listening within 120 s; see ${logFile}`)), 120_000))),
  ]).finally(() => clearTimeout(timer));
  return { name, listeningMs };
}

/** The second place: `build` (`BENCH_CANDIDATE`'s, or the first's once swapped), served as the first
 * is, on a D1 of its own (made on the first start). */
let candidateRuns = 0;
async function startCandidate(build = CANDIDATE) {
  const cfgs = writeBundleConfigs(ART, `wrangler-candidate-${candidateRuns + 1}`, build);
  if (candidateRuns === 0) await step("candidate-schema", "wrangler", ["d1", "execute", "DB", "--local", "--persist-to", join(ART, "candidate-state"), "--file", "schema.sql", "--config", cfgs[0]]);
  return startServe(`candidate-${++candidateRuns}`, cfgs, pCandidate, join(ART, "candidate-state"), join(ART, "bench.env"));
}

// ------------------------------------------------------------------ the requests
const SESSION_VERSION = "2025-11-25";
let rpcId = 0;

/** The JSON-RPC message of a response, JSON or SSE (the last `data:` line), checked for its type. */
async function readMessage(r, sse, what) {
  const text = await r.text();
  const type = r.headers.get("content-type") ?? "";
  if (sse !== type.startsWith("text/event-stream")) throw new Error(`${what}: asked for ${sse ? "SSE" : "JSON"}, got ${type}: ${text.slice(0, 200)}`);
  if (!sse) return JSON.parse(text);
  const datas = text.split(/\r?\n/).filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).filter(Boolean);
  if (!datas.length) throw new Error(`${what}: an SSE answer without data: ${text.slice(0, 200)}`);
  return JSON.parse(datas[datas.length - 1]);
}

function counted(r) {
  const n = (h) => Number(r.headers.get(h));
  return { d1BeforeOdoo: n("x-bench-d1-before-odoo"), d1Batches: n("x-bench-d1-batches"), d1Statements: n("x-bench-d1-statements"), afterStatements: n("x-bench-after-statements"), odooCalls: n("x-bench-odoo-calls"), early: r.headers.get("x-bench-early"), ms: { d1: n("x-bench-d1-ms"), odoo: n("x-bench-odoo-ms"), total: n("x-bench-total-ms"), adapter: n("x-bench-before-core-ms") } };
}

function checkResult(r, body, what) {
  if (r.status !== 200 || body.error || body.result?.isError || !body.result?.structuredContent) throw new Error(`${what}: ${r.status} ${JSON.stringify(body).slice(0, 300)}`);
  return body.result.structuredContent;
}

/** One 2026-07-28 tools/call, no session: the version header, Mcp-Method/Mcp-Name and params._meta. */
async function statelessSearch(key, { sse = false } = {}, base = WORKER) {
  const r = await fetch(`${base}/mcp`, statelessSearchInit(key, ++rpcId, { sse }));
  const content = checkResult(r, await readMessage(r, sse, "stateless tools/call"), "stateless tools/call");
  return { ...counted(r), content };
}

/** A 2025-11-25 session: initialize, then notifications/initialized; resolves to its Mcp-Session-Id. */
async function openSession(key) {
  const r = await fetch(`${WORKER}/mcp`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", accept: ACCEPT.json },
    body: JSON.stringify({ jsonrpc: "2.0", id: ++rpcId, method: "initialize", params: { protocolVersion: SESSION_VERSION, capabilities: {}, clientInfo: { name: "bench", version: "1" } } }),
  });
  const body = await r.json();
  const sessionId = r.headers.get("mcp-session-id");
  if (r.status !== 200 || !body.result || !sessionId) throw new Error(`initialize: ${r.status} ${JSON.stringify(body).slice(0, 300)}`);
  const note = await fetch(`${WORKER}/mcp`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", accept: ACCEPT.json, "mcp-protocol-version": SESSION_VERSION, "mcp-session-id": sessionId },
    body: JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }),
  });
  await note.text();
  if (note.status !== 202) throw new Error(`notifications/initialized: ${note.status}`);
  return sessionId;
}

/** One tools/call in an open 2025-11-25 session. */
async function sessionSearch(key, sessionId, { sse = false } = {}) {
  const r = await fetch(`${WORKER}/mcp`, {
    method: "POST",
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json", accept: sse ? ACCEPT.sse : ACCEPT.json, "mcp-protocol-version": SESSION_VERSION, "mcp-session-id": sessionId },
    body: JSON.stringify({ jsonrpc: "2.0", id: ++rpcId, method: "tools/call", params: { name: "odoo_search", arguments: SEARCH } }),
  });
  const content = checkResult(r, await readMessage(r, sse, "session tools/call"), "session tools/call");
  return { ...counted(r), content };
}

/** The search_read the tool sends (src/capabilities/tools/search.rs: one record more than the page),
 * straight to the fake Odoo (or, `via` the floor Worker, through it), with the worker's JSON-2 headers;
 * resolves to the records. */
async function directSearch(via = ODOO) {
  const r = await fetch(`${via}/json/2/res.partner/search_read`, {
    method: "POST",
    headers: { authorization: `bearer ${odooKey}`, "x-odoo-database": "mcptest", "content-type": "application/json", "user-agent": "odoo-mcp-edge-bench" },
    body: JSON.stringify({ domain: SEARCH.domain, fields: SEARCH.fields, offset: 0, limit: SEARCH.limit + 1 }),
  });
  const body = await r.json();
  if (r.status !== 200 || !Array.isArray(body)) throw new Error(`direct search_read: ${r.status}`);
  return body;
}

/** A request the worker answers without D1 or Odoo (GET /mcp is refused before either): the HTTP round
 * trip into workerd and back. For information only: nothing is subtracted from it. */
async function bareRequest() {
  const r = await fetch(`${WORKER}/mcp`);
  await r.text();
  if (r.headers.get("x-bench-d1-batches") !== "0" || r.headers.get("x-bench-odoo-calls") !== "0") throw new Error("the bare request touched D1 or Odoo");
}

async function timed(fn) {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

async function throughput(fn, concurrency, total) {
  let left = total;
  const t = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (left-- > 0) await fn();
  }));
  return total / ((performance.now() - t) / 1000);
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { p50: round(percentile(s, 50)), p95: round(percentile(s, 95)), min: round(s[0]), max: round(s[s.length - 1]) };
};

/** 20 unmeasured rounds, then `SAMPLES` measured ones: every target once a round, in a random order.
 * Per target, each call's time and its value. */
async function rounds(order, targets) {
  for (let i = 0; i < 20; i++) for (const n of shuffle(order)) await targets[n]();
  log(`${SAMPLES} interleaved rounds (${order.join(", ")}, each round in a random order), ${LATENCY_MS} ms of Odoo latency`);
  const times = Object.fromEntries(order.map((n) => [n, { ms: [], values: [] }]));
  for (let i = 0; i < SAMPLES; i++) {
    for (const n of shuffle(order)) {
      const { ms, value } = await timed(targets[n]);
      times[n].ms.push(ms);
      times[n].values.push(value);
    }
  }
  return times;
}

/** `BENCH_CANDIDATE`: the two builds' stateless JSON tools/call, with the direct call and the floor, in
 * two halves. The second server answers faster or slower than the first whatever its build (by up to a
 * millisecond on this machine), so after the first half both are restarted with their builds swapped
 * between the two places (each place keeps its port and its D1, so its key); the change is the mean of
 * the two halves' differences, the place's own effect half their difference. */
async function compareCandidate(targets) {
  const order = ["direct", "floor", "stateless_json", "candidate"];
  const halves = [];
  for (const swapped of [false, true]) {
    if (swapped) {
      log("the builds swapped between the two places");
      await groups.stop(`worker-${workerRuns}`);
      await groups.stop(`candidate-${candidateRuns}`);
      await startWorker(writeBundleConfigs(ART, "wrangler-swapped", CANDIDATE));
      await startCandidate(BUILD);
    }
    const t = await rounds(order, targets);
    const p50 = (n) => stats(t[n].ms).p50;
    const [base, cand] = swapped ? ["candidate", "stateless_json"] : ["stateless_json", "candidate"];
    halves.push({ direct: p50("direct"), floor: p50("floor"), base: p50(base), candidate: p50(cand), base_ms: t[base].ms, candidate_ms: t[cand].ms });
  }
  const diffs = halves.map((h) => h.candidate - h.base);
  const effect = (diffs[0] + diffs[1]) / 2;
  halves.forEach((h, i) => console.log(`half ${i + 1} (${i ? "candidate in the first place" : "candidate in the second place"}): direct ${h.direct.toFixed(2)}, floor ${h.floor.toFixed(2)}, base ${h.base.toFixed(2)}, candidate ${h.candidate.toFixed(2)} ms p50; candidate − base ${diffs[i].toFixed(2)} ms`));
  const all = (k) => stats(halves.flatMap((h) => h[k])).p50;
  console.log(`both halves: base p50 ${all("base_ms").toFixed(2)} ms, candidate p50 ${all("candidate_ms").toFixed(2)} ms`);
  console.log(`the change (candidate − base, the mean of the halves): ${effect >= 0 ? "+" : ""}${effect.toFixed(2)} ms p50; the second place's own effect: ${((diffs[0] - diffs[1]) / 2).toFixed(2)} ms`);
}

// ------------------------------------------------------------------ measurements
const results = { date, machine, rounds: SAMPLES, odoo_latency_ms: LATENCY_MS, wasm: size, admin_wasm: adminSize };
try {
  log(`starting scripts/serve.mjs on ${WORKER}`);
  const first = await startWorker();
  results.start_to_listening_ms = round(first.listeningMs, 0);
  log(`starting the floor Worker on ${FLOOR}`);
  await startFloor();
  const key = await issueKey(WORKER, adminToken, ODOO, odooKey, "bench");
  let candidateKey;
  if (CANDIDATE) {
    log(`starting the candidate build ${CANDIDATE} on ${CANDIDATE_URL}`);
    await startCandidate();
    candidateKey = await issueKey(CANDIDATE_URL, adminToken, ODOO, odooKey, "bench");
    await statelessSearch(candidateKey, {}, CANDIDATE_URL);
  }

  const cold = await statelessSearch(key);
  const warm = await statelessSearch(key);
  results.counters = { cold, warm };
  // The worker's answer is the direct call's (its first page): the two send the same search_read.
  const direct = await directSearch();
  const names = (rs) => JSON.stringify(rs.map((x) => x.name));
  if (names(warm.content.records) !== names(direct.slice(0, SEARCH.limit))) throw new Error(`the worker's records differ from the direct search_read's: ${names(warm.content.records)} vs ${names(direct)}`);

  await setOdooLatency(LATENCY_MS);
  const sessionId = await openSession(key);
  const targets = {
    direct: () => directSearch(),
    floor: () => directSearch(FLOOR),
    session_json: () => sessionSearch(key, sessionId),
    session_sse: () => sessionSearch(key, sessionId, { sse: true }),
    stateless_json: () => statelessSearch(key),
    stateless_sse: () => statelessSearch(key, { sse: true }),
    bare: () => bareRequest(),
    ...(CANDIDATE ? { candidate: () => statelessSearch(candidateKey, {}, CANDIDATE_URL) } : {}),
  };
  // Comparing two builds: each called as often as the other (how often a process is called changes what a
  // call costs it), nothing else measured.
  if (CANDIDATE) {
    await compareCandidate(targets);
    await stopAll(0);
  }
  const order = Object.keys(targets);
  const times = await rounds(order, targets);
  const inside = { d1: [], odoo: [], total: [], adapter: [] };
  const early = {}; // what became of each measured tools/call's early Odoo call (x-bench-early)
  for (const n of order) {
    for (const value of times[n].values) {
      if (n === "stateless_json") for (const k of Object.keys(inside)) inside[k].push(value.ms[k]);
      if (value?.ms) early[value.early ?? "not started"] = (early[value.early ?? "not started"] ?? 0) + 1;
    }
  }
  const L = (results.latency_ms = Object.fromEntries(order.map((n) => [n, stats(times[n].ms)])));
  for (const n of order) {
    if (n === "direct" || n === "bare") continue; // the bare request is information, not a target
    L[n].ratio_p50 = round(L[n].p50 / L.direct.p50, 3);
    L[n].ratio_p95 = round(L[n].p95 / L.direct.p95, 3);
    // Against the runtime's floor too (information: the budget is against the direct call).
    if (n !== "floor") L[n].floor_ratio_p50 = round(L[n].p50 / L.floor.p50, 3);
  }
  // The two floors in rounds of their own: a target more in the rounds above would change what every call
  // there costs (a process called less often answers more slowly), so these three only.
  const floorTimes = await rounds(["direct", "floor", "rust_floor"], { ...targets, rust_floor: () => directSearch(RUST_FLOOR) });
  const F = (results.floors_ms = Object.fromEntries(Object.entries(floorTimes).map(([n, t]) => [n, stats(t.ms)])));
  for (const n of ["floor", "rust_floor"]) F[n].ratio_p50 = round(F[n].p50 / F.direct.p50, 3);
  F.rust_floor.floor_ratio_p50 = round(F.rust_floor.p50 / F.floor.p50, 3);
  // Where the worker's time goes, by its own clock (whole milliseconds), stateless JSON.
  results.early_start = early;
  L.inside_worker_p50 = Object.fromEntries(Object.entries(inside).map(([k, xs]) => [k === "adapter" ? "before_core" : k, median(xs)]));

  const total = Math.max(50, SAMPLES);
  results.throughput_rps = {
    c1: round(await throughput(() => statelessSearch(key), 1, total), 1),
    c10: round(await throughput(() => statelessSearch(key), 10, total), 1),
    direct_c10: round(await throughput(directSearch, 10, total), 1),
  };

  // Cold isolates: the worker restarted on the same D1 (so the key and the schema come from D1), the
  // Odoo latency kept; the first tools/call after `listening`, each era in turn, then a second one.
  log(`${RESTARTS} restarts: the first request of a new isolate`);
  const coldRuns = [];
  for (let i = 0; i < RESTARTS; i++) {
    await groups.stop(`worker-${workerRuns}`);
    const w = await startWorker();
    const era = i % 2 === 0 ? "stateless" : "session";
    const run = { era, start_to_listening_ms: round(w.listeningMs, 0) };
    if (era === "stateless") {
      const a = await timed(() => statelessSearch(key));
      const b = await timed(() => statelessSearch(key));
      Object.assign(run, { first_call_ms: round(a.ms), second_call_ms: round(b.ms) });
      if (!results.counters.new_isolate) results.counters.new_isolate = a.value;
    } else {
      const init = await timed(() => openSession(key));
      const a = await timed(() => sessionSearch(key, init.value));
      const b = await timed(() => sessionSearch(key, init.value));
      Object.assign(run, { initialize_ms: round(init.ms), first_call_ms: round(a.ms), second_call_ms: round(b.ms) });
    }
    coldRuns.push(run);
  }
  const coldOf = (era) => coldRuns.filter((r) => r.era === era);
  results.cold = {
    runs: coldRuns,
    start_to_listening_ms_median: round(median(coldRuns.map((r) => r.start_to_listening_ms)), 0),
    stateless_first_call_ms_median: round(median(coldOf("stateless").map((r) => r.first_call_ms))),
    session_initialize_ms_median: round(median(coldOf("session").map((r) => r.initialize_ms))),
    session_first_call_ms_median: round(median(coldOf("session").map((r) => r.first_call_ms))),
    second_call_ms_median: round(median(coldRuns.map((r) => r.second_call_ms))),
  };
  await setOdooLatency(0);
} finally {
  await stopAll();
}
machine.load_average_at_end = os.loadavg().map((x) => round(x));

// ------------------------------------------------------------------ report
const c = results.counters;
const L = results.latency_ms;
const checks = [
  ["D1 round trips before the Odoo call (warm)", c.warm.d1BeforeOdoo, `≤ ${BUDGET.d1BeforeOdoo}`, c.warm.d1BeforeOdoo <= BUDGET.d1BeforeOdoo],
  ["D1 round trips before the Odoo call (new isolate)", c.new_isolate.d1BeforeOdoo, `≤ ${BUDGET.d1BeforeOdoo}`, c.new_isolate.d1BeforeOdoo <= BUDGET.d1BeforeOdoo],
  ["Odoo calls per search (warm)", c.warm.odooCalls, `= ${BUDGET.odooWarm}`, c.warm.odooCalls === BUDGET.odooWarm],
  ["Odoo calls per search (new isolate, schema from D1)", c.new_isolate.odooCalls, `= ${BUDGET.odooWarm}`, c.new_isolate.odooCalls === BUDGET.odooWarm],
  [`warm tools/call p50 / direct p50, gross, ${SESSION_VERSION} session (JSON)`, L.session_json.ratio_p50, `≤ ${BUDGET.ratio}`, L.session_json.ratio_p50 <= BUDGET.ratio],
  [`warm tools/call p50 / direct p50, gross, ${STATELESS_VERSION} stateless (JSON)`, L.stateless_json.ratio_p50, `≤ ${BUDGET.ratio}`, L.stateless_json.ratio_p50 <= BUDGET.ratio],
  ["the /mcp Worker's wasm, gzip bytes", size.gzip, `≤ ${BUDGET.gzipBytes}`, size.gzip <= BUDGET.gzipBytes],
];
results.budgets = checks.map(([name, value, budget, met]) => ({ name, value, budget, met }));
results.budgets_enforced = !NO_FAIL;
writeFileSync(join(ROOT, "bench-results.json"), JSON.stringify(results, null, 2) + "\n");

const cell = (x) => String(x).padStart(8);
const labels = {
  direct: `search_read straight to Odoo (+${LATENCY_MS} ms)`,
  floor: "the same through a JS Worker that only forwards it (the runtime's floor; information only)",
  session_json: `tools/call, ${SESSION_VERSION} session, JSON`,
  session_sse: `tools/call, ${SESSION_VERSION} session, SSE`,
  stateless_json: `tools/call, ${STATELESS_VERSION} stateless, JSON`,
  stateless_sse: `tools/call, ${STATELESS_VERSION} stateless, SSE`,
  bare: "bare GET /mcp (no D1, no Odoo; information only)",
  ...(CANDIDATE ? { candidate: `BENCH_CANDIDATE's build: tools/call, ${STATELESS_VERSION} stateless, JSON` } : {}),
};
const lw = Math.max(...Object.values(labels).map((l) => l.length));
console.log(`\nmachine: ${machine.cores} × ${machine.cpu}; node ${machine.node}; ${machine.os}`);
console.log(`date: ${date}; load average at start ${machine.load_average_at_start.join(" ")}, at end ${machine.load_average_at_end.join(" ")}`);
console.log(`${SAMPLES} interleaved rounds, each round every target once in a random order; ratios are gross (nothing subtracted)\n`);
console.log(`${"warm".padEnd(lw)}  ${cell("p50 ms")}${cell("p95 ms")}${cell("×p50")}${cell("×p95")}${cell("×floor")}`);
for (const n of Object.keys(labels)) {
  const s = L[n];
  const ratios = n === "direct" ? [cell("1.00"), cell("1.00"), cell("-")] : n === "bare" ? [cell("-"), cell("-"), cell("-")]
    : [cell(s.ratio_p50.toFixed(3)), cell(s.ratio_p95.toFixed(3)), cell(n === "floor" ? "1.00" : s.floor_ratio_p50.toFixed(3))];
  console.log(`${labels[n].padEnd(lw)}  ${cell(s.p50.toFixed(2))}${cell(s.p95.toFixed(2))}${ratios.join("")}`);
}
const F = results.floors_ms;
console.log(`\nthe floors, ${SAMPLES} rounds of their own (direct, the JS floor, a Rust Worker that only forwards it, bench/rust-floor):`);
console.log(`  direct ${F.direct.p50.toFixed(2)} ms p50; JS floor ${F.floor.p50.toFixed(2)} (${F.floor.ratio_p50.toFixed(3)}×); Rust floor ${F.rust_floor.p50.toFixed(2)} (${F.rust_floor.ratio_p50.toFixed(3)}×, ${F.rust_floor.floor_ratio_p50.toFixed(3)}× the JS floor)`);
const C = results.cold;
const rows = [
  ["inside the worker, p50 (stateless JSON)", `${L.inside_worker_p50.total} ms: D1 ${L.inside_worker_p50.d1} ms, Odoo ${L.inside_worker_p50.odoo} ms; before the core ${L.inside_worker_p50.before_core} ms`],
  ["cold: process start to listening", `${results.start_to_listening_ms} ms first start; median ${C.start_to_listening_ms_median} ms over ${RESTARTS} restarts`],
  ["cold: first tools/call of an isolate", `stateless ${C.stateless_first_call_ms_median} ms; session ${C.session_first_call_ms_median} ms after an initialize of ${C.session_initialize_ms_median} ms (medians; second call ${C.second_call_ms_median} ms)`],
  ["early Odoo call, measured rounds", Object.entries(results.early_start).map(([k, v]) => `${k} ${v}`).join(", ")],
  ["throughput, concurrency 1 / 10", `${results.throughput_rps.c1} / ${results.throughput_rps.c10} req/s (direct at 10: ${results.throughput_rps.direct_c10})`],
  ["wasm (release), the /mcp Worker", `${size.raw} B raw, ${size.gzip} B gzip`],
  ["wasm (release), the admin Worker", `${adminSize.raw} B raw, ${adminSize.gzip} B gzip`],
  ...["cold", "warm", "new_isolate"].map((k) => [`per request, ${k.replace("_", " ")}`,
    `D1 ${c[k].d1BeforeOdoo} round trip(s) before Odoo, ${c[k].d1Batches} before the response (${c[k].d1Statements} statements), ${c[k].afterStatements} statements after; Odoo calls ${c[k].odooCalls}${c[k].early ? ` (started early: ${c[k].early})` : ""}`]),
];
const w = Math.max(...rows.map((r) => r[0].length));
console.log("");
for (const [k, v] of rows) console.log(`${k.padEnd(w)}  ${v}`);
console.log("\nbudgets:");
for (const b of results.budgets) console.log(`  ${b.met ? "met   " : "MISSED"} ${b.name}: ${b.value} (${b.budget})`);
console.log(`\nwritten: bench-results.json`);
const allMet = results.budgets.every((b) => b.met);
if (!allMet && NO_FAIL) console.log("BENCH_NO_FAIL=1: a budget was missed; reported, not failed");
process.exitCode = allMet || NO_FAIL ? 0 : 1;
