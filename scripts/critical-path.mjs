#!/usr/bin/env node
// Where a warm tools/call's time goes on its critical path, beside the runtime's floor (`make
// critical-path`). `make profile` says where the isolate's CPU goes; this says what each request waits
// for. It runs `make bench`'s rounds (scripts/bench.mjs) with V8's perf map on (workerd's V8 then names
// JavaScript and wasm code for Linux `perf`), records the server's workerd and the floor's with `perf
// record` (CPU samples with their stacks, and the socket system calls), and splits every request into
// its two windows: from its receipt to its Odoo request leaving, and from Odoo's answer arriving to its
// response leaving. For each window it prints the median duration and the CPU spent in it per call, by
// where it ran; with a build that keeps the wasm's names, the server's Rust functions too. The
// profiler's own cost inflates every figure a little: compare the two columns, not the absolute values.
// Information, no budget. docs/performance.md, "Where the last millisecond goes", has a reading of it.
//
// Needs `perf` (Debian: linux-perf; `make critical-path` installs it) and the right to record another process (root, or
// kernel.perf_event_paranoid ≤ 1 and tracefs readable for the system-call events).
// Environment: CRITICAL_PATH_SECONDS (recording time, default 8), BENCH_BUILD=DIR (the bench build to
// serve: `./scripts/build-worker.sh --out-dir DIR -- --features bench`, with WASM_KEEP_NAMES=1 for the
// Rust functions' names; default build-bench/, built if missing), FAKE_ODOO_BIN.

import { spawn, spawnSync } from "node:child_process";
import { createWriteStream, existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { Groups, processes } from "./lib/process.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const ART = join(ROOT, "target", "critical-path");
const SECONDS = Number(process.env.CRITICAL_PATH_SECONDS || 8);
const HZ = 15000;
const log = (m) => console.error(`critical-path: ${m}`);

if (spawnSync("perf", ["--version"]).status !== 0) {
  console.error("critical-path: Linux perf is not installed (Debian: apt-get install linux-perf)");
  process.exit(2);
}
rmSync(ART, { recursive: true, force: true });
mkdirSync(ART, { recursive: true, mode: 0o700 });

const groups = new Groups({ cwd: ROOT });
process.on("SIGINT", async () => {
  await groups.stopAll();
  process.exit(130);
});

// ------------------------------------------------------------------ the rounds, and the two recordings
const skipBuild = process.env.BENCH_BUILD || existsSync(join(ROOT, "build-bench", "worker", "shim.mjs"));
const bench = groups.start("bench", process.execPath, [join(ROOT, "scripts", "bench.mjs")], {
  env: {
    ...process.env,
    MINIFLARE_WORKERD_V8_FLAGS: "--perf-basic-prof --interpreted-frames-native-stack",
    BENCH_SAMPLES: "100000", // stopped once recorded
    BENCH_NO_FAIL: "1",
    ...(skipBuild ? { BENCH_SKIP_BUILD: "1" } : {}),
  },
  log: join(ART, "bench.log"),
  pipe: true,
});
log(`bench rounds starting (log: ${join(ART, "bench.log")})`);
const benchLog = createWriteStream(join(ART, "bench.log"), { mode: 0o600 });
bench.child.stdout.pipe(benchLog);
await new Promise((res, rej) => {
  let seen = "";
  bench.child.stderr.on("data", (d) => {
    benchLog.write(d);
    if (seen === null) return;
    seen += d;
    if (seen.includes("interleaved rounds")) {
      seen = null;
      res();
    }
  });
  bench.done.then((how) => rej(new Error(`bench.mjs ended (${how}) before its rounds; see ${join(ART, "bench.log")}`)));
});
await new Promise((r) => setTimeout(r, 3000)); // past the first rounds' tier-up

// The workerd of each serve.mjs the bench started: the floor's is the one given wrangler-floor.toml.
const all = processes();
const workerdOf = (serve) => all.find((p) => p.ppid === serve.pid && p.args.includes("workerd"));
const serves = all.filter((p) => p.args.includes("scripts/serve.mjs") && liveUnder(p, bench.pid, all));
const floorServe = serves.find((p) => p.args.includes("wrangler-floor.toml"));
const serverServe = serves.find((p) => p.args.includes("wrangler-bench.toml"));
const targets = { server: serverServe && workerdOf(serverServe), floor: floorServe && workerdOf(floorServe) };
if (!targets.server || !targets.floor) {
  await groups.stopAll();
  throw new Error("the server's or the floor's workerd was not found among the bench's processes");
}
log(`recording the server's workerd (${targets.server.pid}) and the floor's (${targets.floor.pid}) for ${SECONDS} s`);
const events = ["-e", "cpu-clock", "-e", "syscalls:sys_enter_recvfrom", "-e", "syscalls:sys_enter_sendto", "-e", "syscalls:sys_enter_writev"];
await Promise.all(
  Object.entries(targets).map(([name, p]) => {
    const rec = spawn("perf", ["record", "-F", String(HZ), "-g", ...events, "-p", String(p.pid), "-o", join(ART, `${name}.data`), "--", "sleep", String(SECONDS)], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    rec.stderr.on("data", (d) => (err += d));
    return new Promise((res, rej) => rec.on("exit", (code) => (code === 0 ? res() : rej(new Error(`perf record (${name}) failed: ${err.trim().slice(-400)}`)))));
  }),
).finally(() => groups.stopAll());

/** Whether `p` descends from `root`. */
function liveUnder(p, root, all) {
  for (let q = p; q; q = all.find((x) => x.pid === q.ppid)) if (q.pid === root) return true;
  return false;
}

// ------------------------------------------------------------------ reading a recording
const isWasm = (f) => f.startsWith("JS:") && /-\d+-(turbofan|liftoff|maglev)$/.test(f) && !/\.m?js:/.test(f);
const rustName = (f) => f.replace(/^JS:/, "").replace(/::h[0-9a-f]{16}-\d+-\w+$/, "").replace(/-\d+-\w+$/, "");
const CLASSES = [
  "the server's wasm (its code, and the runtime calls it makes)",
  "  of which the wasm code itself",
  "JavaScript (glue, shims, the floor's code)",
  "D1 (its client, SQLite)",
  "the runtime's microtasks",
  "the runtime's own work",
];
function classify(stack) {
  if (stack.some(isWasm)) return 0;
  if (stack.some((f) => f.includes("d1-api") || /sqlite/i.test(f))) return 3;
  if (stack.some((f) => f.startsWith("JS:"))) return 2;
  if (stack.some((f) => f.includes("runMicrotasks"))) return 4;
  return 5;
}

/** A recording's requests (their windows) and its CPU samples, read from `perf script` as it streams. */
async function read(name) {
  const ps = spawn("perf", ["script", "-i", join(ART, `${name}.data`), "-F", "tid,time,event,trace,ip,sym", "--no-demangle"], { stdio: ["ignore", "pipe", "ignore"] });
  const samples = []; // {t, cls, leafWasm, rust}
  const calls = []; // {t, call, fd}
  let cur = null;
  const flush = () => {
    if (!cur) return;
    if (cur.event === "cpu-clock") {
      const stack = cur.stack;
      const rust = stack.find((f) => isWasm(f) && f.includes("odoo_mcp_edge::"));
      samples.push({ t: cur.t, cls: classify(stack), leafWasm: stack.length > 0 && isWasm(stack[0]), rust: rust && rustName(rust) });
    } else {
      calls.push({ t: cur.t, call: cur.event.replace("syscalls:sys_enter_", ""), fd: cur.fd });
    }
    cur = null;
  };
  for await (const line of createInterface({ input: ps.stdout })) {
    if (line.startsWith("\t")) {
      if (cur && cur.event === "cpu-clock") cur.stack.push(line.trim().split(/\s+/).slice(1).join(" "));
    } else if (line.trim() === "") {
      flush();
    } else {
      flush();
      const m = /^\s*\d+\s+([\d.]+):\s+([^:\s]+(?::[^:\s]+)?):\s*(.*)$/.exec(line);
      if (m) cur = { t: Number(m[1]) * 1000, event: m[2], fd: Number.parseInt(/fd: (0x[0-9a-f]+)/.exec(m[3])?.[1] ?? "-1", 16), stack: [] };
    }
  }
  flush();
  return { requests: windows(calls), samples };
}

/** Each request's receipt, Odoo request, Odoo answer and response, from the socket calls: the Odoo
 * connection is the one written with `sendto`; a request is a read on another, its response a `writev` on it. */
function windows(calls) {
  const odoo = new Set(calls.filter((c) => c.call === "sendto").map((c) => c.fd));
  const reqs = [];
  let r = null;
  for (const c of calls) {
    if (c.call === "recvfrom" && !odoo.has(c.fd)) reqs.push((r = { in: c.t, fd: c.fd }));
    else if (!r) continue;
    else if (c.call === "sendto" && r.send === undefined) r.send = c.t;
    else if (c.call === "recvfrom" && odoo.has(c.fd) && r.answer === undefined) r.answer = c.t;
    else if (c.call === "writev" && c.fd === r.fd && r.out === undefined) r.out = c.t;
  }
  return reqs.filter((x) => x.send !== undefined && x.answer !== undefined && x.out !== undefined);
}

function summary({ requests, samples }) {
  const out = {};
  for (const [w, from, to] of [["before", "in", "send"], ["after", "answer", "out"]]) {
    const cpu = new Array(CLASSES.length).fill(0);
    const rust = new Map();
    let i = 0;
    for (const r of requests) {
      while (i < samples.length && samples[i].t < r[from]) i++;
      for (let j = i; j < samples.length && samples[j].t < r[to]; j++) {
        const s = samples[j];
        cpu[s.cls]++;
        if (s.leafWasm) cpu[1]++;
        if (s.rust) rust.set(s.rust, (rust.get(s.rust) ?? 0) + 1);
      }
    }
    const perCall = (n) => (n * 1000) / HZ / requests.length;
    const durations = requests.map((r) => r[to] - r[from]).sort((a, b) => a - b);
    out[w] = {
      median: durations[Math.floor(durations.length / 2)],
      cpu: cpu.map(perCall),
      rust: [...rust].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, n]) => [k, perCall(n)]),
    };
  }
  return out;
}

// ------------------------------------------------------------------ the report
const results = {};
for (const name of ["server", "floor"]) {
  log(`reading the ${name}'s recording`);
  const rec = await read(name);
  if (rec.requests.length === 0) throw new Error(`no complete request in the ${name}'s recording`);
  results[name] = { n: rec.requests.length, ...summary(rec) };
}
const f = (x) => x.toFixed(2).padStart(7);
console.log(`\nwarm calls recorded: server ${results.server.n}, floor ${results.floor.n}; ms, medians of the windows, CPU per call (perf at ${HZ} Hz)\n`);
for (const [w, title] of [["before", "receipt → Odoo request"], ["after", "Odoo's answer → response"]]) {
  console.log(`${title.padEnd(66)} server   floor`);
  console.log(`${"  the window (median)".padEnd(66)}${f(results.server[w].median)}${f(results.floor[w].median)}`);
  CLASSES.forEach((c, k) => console.log(`${("  CPU: " + c).padEnd(66)}${f(results.server[w].cpu[k])}${f(results.floor[w].cpu[k])}`));
  if (results.server[w].rust.length) {
    console.log("  the server's Rust functions (innermost of the crate's frames):");
    for (const [k, ms] of results.server[w].rust) console.log(`  ${f(ms)}  ${k.slice(0, 120)}`);
  }
  console.log("");
}
console.log(`recordings: ${ART}/server.data, ${ART}/floor.data (perf report -i …)`);
