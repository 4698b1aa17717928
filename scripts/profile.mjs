#!/usr/bin/env node
// `make profile`: where the Worker's CPU goes on a warm `tools/call odoo_search`. A release build that
// keeps the wasm's function names (build-profile/, WASM_KEEP_NAMES=1) runs in workerd through
// scripts/serve.mjs, as `make bench` runs it, with its V8 inspector open; after a warm-up, V8's sampling
// profiler records PROFILE_CALLS stateless calls (2026-07-28, JSON answers) against the fake Odoo.
// Prints the wall time per call and the isolate's time per call by where it was spent (the server's wasm,
// wasm-bindgen's JavaScript glue, D1's client in the runtime, the runtime's own, idle), then the functions
// with the most time of their own; writes target/profile/worker.cpuprofile (open it in Chrome DevTools'
// Performance panel, or any .cpuprofile viewer).
//
// The sampler adds its own cost to every function it interrupts, short JavaScript ones most: read the
// shares, not the absolute numbers, and compare runs made the same way.
//
// Environment: PROFILE_CALLS (default 500), PROFILE_ODOO_LATENCY_MS (the fake Odoo's delay, default 0:
// only the Worker's CPU is of interest), PROFILE_SKIP_BUILD=1 (reuse build-profile/), FAKE_ODOO_BIN, PROFILE_BARE=1
// (profile the bench's bare request, GET /mcp refused before D1 or Odoo, instead of the tools/call).

import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { issueKey, statelessSearchInit, writeEnvFile } from "./lib/bench-server.mjs";
import { writeBundleConfigs } from "./lib/bundle-config.mjs";
import { freePorts, Groups, waitForLog } from "./lib/process.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ART = join(ROOT, "target", "profile");
const CALLS = Number(process.env.PROFILE_CALLS || 500);
const LATENCY_MS = Number(process.env.PROFILE_ODOO_LATENCY_MS || 0);
const log = (m) => console.error(`profile: ${m}`);
const b64url = (n) => randomBytes(n).toString("base64url");

const groups = new Groups({ cwd: ROOT });
process.on("exit", () => groups.killAll());
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => groups.stopAll().then(() => process.exit(130)));

function run(name, cmd, args, env = {}) {
  const r = spawnSync(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, encoding: "utf8" });
  writeFileSync(join(ART, `${name}.log`), `${r.stdout ?? ""}${r.stderr ?? ""}`);
  if (r.status !== 0) throw new Error(`${name} failed; see ${ART}/${name}.log`);
}

rmSync(ART, { recursive: true, force: true });
mkdirSync(ART, { recursive: true, mode: 0o700 });
if (!process.env.PROFILE_SKIP_BUILD) {
  log("building both Workers with the wasm's function names into build-profile/");
  run("build", "./scripts/build-worker.sh", ["--out-dir", "build-profile"], { WASM_KEEP_NAMES: "1" });
}
let fakeBin = process.env.FAKE_ODOO_BIN;
if (!fakeBin) {
  run("fake-build", "cargo", ["build", "--release", "-p", "fake-odoo", "--bins"]);
  fakeBin = join(process.env.CARGO_TARGET_DIR || join(ROOT, "target"), "release", "fake-odoo");
}

const [pOdoo, pWorker, pInspector] = await freePorts(3);
const odooKey = b64url(20);
const adminToken = b64url(32);
const ODOO = `http://127.0.0.1:${pOdoo}`;
const WORKER = `http://127.0.0.1:${pWorker}`;
try {
  const fake = groups.start("fake-odoo", fakeBin, ["--version", "19", "--port", String(pOdoo), "--database", "mcptest", "--admin-key", odooKey, "--demo2-key", b64url(20)], { log: join(ART, "fake-odoo.log") });
  await waitForLog(fake, /fake-odoo listening on/, { timeoutS: 30 });
  writeEnvFile(join(ART, "profile.env"), adminToken);
  const configs = writeBundleConfigs(ART, "wrangler-profile", join(ROOT, "build-profile"));
  run("schema", join(ROOT, "node_modules/.bin/wrangler"), ["d1", "execute", "DB", "--local", "--persist-to", join(ART, "state"), "--file", "schema.sql", "--config", configs[0]]);
  const worker = groups.start("worker", process.execPath, [join(ROOT, "scripts/serve.mjs"), ...configs.flatMap((c) => ["--config", c]),
    "--port", String(pWorker), "--inspector-port", String(pInspector), "--persist-to", join(ART, "state"), "--env-file", join(ART, "profile.env")],
  { log: join(ART, "worker.log"), env: { ...process.env, WRANGLER_SEND_METRICS: "false", NO_COLOR: "1" } });
  await waitForLog(worker, /^listening on /m, { timeoutS: 120 });

  const key = await issueKey(WORKER, adminToken, ODOO, odooKey, "profile");
  if (LATENCY_MS) await fetch(`${ODOO}/__fake/control`, { method: "POST", body: JSON.stringify({ delay_ms: LATENCY_MS }) });

  // The call `make bench` measures (scripts/lib/bench-server.mjs).
  let id = 0;
  const call = async () => {
    const r = await fetch(`${WORKER}/mcp`, statelessSearchInit(key, ++id));
    const text = await r.text();
    if (r.status !== 200 || text.includes('"isError":true')) throw new Error(`tools/call: ${r.status} ${text.slice(0, 300)}`);
  };
  // PROFILE_BARE=1: the bench's bare request instead (GET /mcp, refused before D1 or Odoo): what every
  // request costs the Worker before it does anything.
  const bare = async () => {
    const r = await fetch(`${WORKER}/mcp`);
    await r.text();
    if (r.status !== 406) throw new Error(`GET /mcp: ${r.status}`);
  };
  const measured = process.env.PROFILE_BARE === "1" ? bare : call;
  log("warming up (300 calls)");
  for (let i = 0; i < 300; i++) {
    await call();
    if (measured !== call) await measured();
  }

  // The DevTools protocol through Miniflare's inspector proxy, which wants a localhost Origin.
  const [target] = await (await fetch(`http://127.0.0.1:${pInspector}/json/list`)).json();
  const ws = new WebSocket(target.webSocketDebuggerUrl, { headers: { origin: "http://localhost" } });
  await new Promise((res, rej) => {
    ws.addEventListener("open", res);
    ws.addEventListener("error", () => rej(new Error("the inspector refused the connection")));
  });
  let next = 0;
  const pending = new Map();
  ws.addEventListener("message", async (e) => {
    const m = JSON.parse(typeof e.data === "string" ? e.data : await e.data.text());
    pending.get(m.id)?.(m);
  });
  const send = (method, params = {}) => new Promise((res) => {
    const mid = ++next;
    pending.set(mid, res);
    ws.send(JSON.stringify({ id: mid, method, params }));
  });
  await send("Profiler.enable");
  await send("Profiler.setSamplingInterval", { interval: 50 });
  await send("Profiler.start");
  log(`profiling ${CALLS} calls (fake Odoo delay ${LATENCY_MS} ms)`);
  const t0 = performance.now();
  for (let i = 0; i < CALLS; i++) await measured();
  const wall = performance.now() - t0;
  const { result } = await send("Profiler.stop");
  ws.close();
  writeFileSync(join(ART, "worker.cpuprofile"), JSON.stringify(result.profile));
  report(result.profile, wall);
} finally {
  await groups.stopAll();
}

/** The profile per call: by where the time was spent, then the functions with the most time of their own. */
function report(profile, wall) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map();
  profile.samples.forEach((s, i) => self.set(s, (self.get(s) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  // A sample belongs to the nearest frame that says where it is: the wasm, wasm-bindgen's glue (the
  // bundle's index.js), D1's client (the runtime's d1-api module); V8's own buckets; else the runtime.
  const where = (id) => {
    for (let cur = id; cur; cur = parent.get(cur)) {
      const { url, functionName } = byId.get(cur).callFrame;
      if (url.includes("wasm")) return "the server's wasm";
      if (url.endsWith("index.js")) return "wasm-bindgen's JavaScript glue";
      if (url.includes("d1-api")) return "D1's client (the runtime's JavaScript)";
      if (["(idle)", "(program)", "(garbage collector)"].includes(functionName)) return `V8 ${functionName}`;
    }
    return "the runtime's own (fetch, streams, timers)";
  };
  const sum = (entries, key) => {
    const m = new Map();
    for (const [id, us] of entries) m.set(key(id), (m.get(key(id)) ?? 0) + us);
    return [...m].sort((a, b) => b[1] - a[1]);
  };
  const perCall = (us) => (us / 1000 / CALLS).toFixed(3).padStart(7);
  const sampled = [...self.values()].reduce((a, b) => a + b, 0);
  console.log(`\n${CALLS} ${process.env.PROFILE_BARE === "1" ? "bare GET /mcp (406)" : "warm stateless tools/call odoo_search"}: ${(wall / CALLS).toFixed(2)} ms each (wall); the isolate sampled ${(sampled / 1000 / CALLS).toFixed(2)} ms per call\n`);
  console.log("ms/call  where");
  for (const [k, us] of sum(self, where)) console.log(`${perCall(us)}  ${k}`);
  console.log("\nms/call  function (time of its own)");
  const name = (id) => {
    const { functionName, url } = byId.get(id).callFrame;
    return `${(functionName || "(anonymous)").replace(/::h[0-9a-f]{16}$/, "").slice(0, 110)}${url ? `  [${url.split("/").pop().slice(0, 30)}]` : ""}`;
  };
  for (const [k, us] of sum(self, name).slice(0, 25)) console.log(`${perCall(us)}  ${k}`);
  console.log(`\nwritten: ${join(ART, "worker.cpuprofile")}`);
}
