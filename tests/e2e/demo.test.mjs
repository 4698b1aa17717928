// `make demo` as a newcomer runs it (an e2e harness stage): started in its own process group on a free PORT,
// with its own DEMO_DIR under the artifacts; the key and the commands are read from what it prints (the
// command lines split like a shell would, without running one), the Inspector commands run as printed;
// then a Ctrl-C (SIGINT to its process group) must stop everything it started and leave the developer's
// .wrangler/state and .dev.vars as they were.
//
// The demo's own logs and D1 (artifacts/demo/) are outside the suite's final secret scan (which reads
// worker*.log, state/ and responses/); this stage checks them itself for the demo's key and admin token,
// and adds both to $E2E_EXTRA_SECRETS so that the final scan also proves they never reached the suite's
// worker. Nothing here prints a secret.
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { freePort, Groups, processes, signalGroup, stopGroup, tree } from "../../scripts/lib/process.mjs";
import { npmPin } from "../../scripts/lib/versions.mjs";

const ROOT = resolve(import.meta.dirname, "../..");
const ART = process.env.E2E_ARTIFACTS ?? join(ROOT, "tests/e2e/artifacts");
const DEMO_DIR = join(ART, "demo");
const READY_TIMEOUT_MS = 400_000; // may include a cold `cargo build --release -p fake-odoo`
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// A race's timeout: unref'd, so that once the race is won it does not keep the test process alive.
const deadline = (ms, value) => new Promise((r) => setTimeout(r, ms, value).unref());

/** Splits one printed command line into argv as a POSIX shell would for what the demo prints: words,
 * '…' and "…"; anything that would need the shell to expand or interpret something is refused. */
export function splitCommand(line) {
  const argv = [];
  let cur = null;
  for (let i = 0; i < line.length; ) {
    const c = line[i];
    if (c === " " || c === "\t") {
      if (cur !== null) argv.push(cur);
      cur = null;
      i++;
    } else if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end < 0) throw new Error(`unterminated ${c} in: ${line.slice(0, 60)}`);
      const inner = line.slice(i + 1, end);
      if (c === '"' && /[$`\\!]/.test(inner)) throw new Error(`"${inner.slice(0, 20)}…" would be expanded by the shell`);
      cur = (cur ?? "") + inner;
      i = end + 1;
    } else if (/[$`\\|&;<>()*?[\]{}~#!]/.test(c)) {
      throw new Error(`unquoted ${c}: the line needs a shell to run`);
    } else {
      cur = (cur ?? "") + c;
      i++;
    }
  }
  if (cur !== null) argv.push(cur);
  return argv;
}

/** A newcomer's environment: none of the suite's variables, and node_modules/.bin not on PATH (make
 * and npx put it there themselves). */
function newcomerEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k === "NODE_OPTIONS" || k.startsWith("E2E_") || k.startsWith("FAKE")) continue;
    env[k] = v;
  }
  env.PATH = (env.PATH ?? "").split(":").filter((p) => p !== join(ROOT, "node_modules/.bin")).join(":");
  return { ...env, ...extra };
}

/** Every entry under `dir` with its size and mtime, or "absent": to prove the demo did not touch it. */
function snapshot(path) {
  if (!existsSync(path)) return "absent";
  const st = statSync(path);
  if (!st.isDirectory()) return `${st.size} ${st.mtimeMs} ${createHash("sha256").update(readFileSync(path)).digest("hex")}`;
  return readdirSync(path, { recursive: true }).sort().map((rel) => {
    const s = statSync(join(path, rel));
    return `${rel} ${s.size} ${s.mtimeMs}`;
  }).join("\n");
}

/** Runs argv (no shell); resolves {code, stdout, stderr}. */
function runArgv(argv, env, timeoutMs = 120_000) {
  return new Promise((res) => {
    execFile(argv[0], argv.slice(1), { cwd: ROOT, env, timeout: timeoutMs, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      res({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

// ---------------------------------------------------------------- the demo, started once
const before = { state: snapshot(join(ROOT, ".wrangler/state")), devVars: snapshot(join(ROOT, ".dev.vars")) };
mkdirSync(DEMO_DIR, { recursive: true, mode: 0o700 });
const port = await freePort();
// The suite runs after make setup and make build (the harness's preconditions): -o keeps make from redoing
// them (make setup would reinstall when package.json is newer than node_modules), so what runs is the
// demo recipe itself, exactly as `make demo` runs it after its prerequisites. In its own process group,
// as a terminal's foreground job.
const demo = new Groups({ cwd: ROOT }).start("demo", "make", ["--no-print-directory", "-o", "setup", "-o", "build", "demo"], {
  env: newcomerEnv({ PORT: String(port), DEMO_DIR }),
  pipe: true,
});
let output = "";
const exited = demo.done;
for (const s of [demo.child.stdout, demo.child.stderr]) {
  s.on("data", (d) => {
    output += d;
    appendFileSync(join(DEMO_DIR, "make.out"), d, { mode: 0o600 }); // holds the key: not in the scanned paths
  });
}
const t0 = Date.now();
let seen = []; // the demo's processes while it ran
after(async () => {
  // Whatever happened, nothing of the demo outlives the stage: a Ctrl-C first (15 s to stop), then SIGKILL.
  await stopGroup(demo.pgid, { signal: "SIGINT", graceMs: 15_000 });
  for (const g of new Set(seen.map((p) => p.pgid))) await stopGroup(g, { signal: "SIGKILL" });
});

const ready = await Promise.race([
  (async () => {
    while (!output.includes("Press Ctrl-C to stop.")) {
      if (Date.now() - t0 > READY_TIMEOUT_MS) return "timeout";
      await sleep(200);
    }
    return "ready";
  })(),
  exited.then((c) => `exited (${c})`),
]);
if (ready === "ready") seen = tree(demo.pid);
const tail = () => output.split("\n").slice(-15).join("\n").replace(/omcp_\S+/g, "omcp_…");
const field = (name) => new RegExp(`^\\s*${name}:\\s+(\\S+)\\s*$`, "m").exec(output)?.[1];
const key = field("MCP key");
const adminToken = field("Admin token");
if (key && adminToken && process.env.E2E_EXTRA_SECRETS) appendFileSync(process.env.E2E_EXTRA_SECRETS, `${key}\n${adminToken}\n`);
const commands = output.split("\n").map((l) => l.trim()).filter((l) => /^(npx|claude) /.test(l));
const inspectorEnv = newcomerEnv({
  HOME: mkdtempSync(join(DEMO_DIR, "home-")), // the Inspector keeps a catalog in ~: not the real one
  MCP_INSPECTOR_SECRET_STORE: "memory",
  npm_config_update_notifier: "false",
});

test("make demo prints its banner: MCP URL, key, admin console and token, commands", () => {
  assert.equal(ready, "ready", `make demo did not get ready: ${ready}\n${tail()}`);
  const waited = (Date.now() - t0) / 1000;
  const claimed = Number(/ready in ([\d.]+) s/.exec(output)?.[1]);
  console.log(`make demo ready after ${waited.toFixed(1)} s (${claimed} s by its own clock)`);
  // The banner counts from when make started: what the person waited, not only the demo's own steps.
  assert.ok(Math.abs(claimed - waited) <= 2.5, `banner says ready in ${claimed} s, the wait was ${waited.toFixed(1)} s`);
  assert.equal(field("MCP URL"), `http://127.0.0.1:${port}/mcp`);
  assert.match(key ?? "", /^omcp_[A-Za-z0-9_-]{20,}$/);
  assert.match(adminToken ?? "", /^[A-Za-z0-9_-]{32,}$/);
  assert.equal(field("Admin console"), `http://127.0.0.1:${port}/admin`);
  assert.equal(commands.length, 3, `two Inspector commands and the claude line: ${commands.length}`);
});

test("the printed Inspector tools/list command lists odoo_search", async () => {
  const argv = splitCommand(commands[0]);
  // The Inspector package.json pins, so that npx runs the installed one.
  assert.deepEqual(argv.slice(0, 3), ["npx", `@modelcontextprotocol/inspector@${npmPin("@modelcontextprotocol/inspector")}`, "--cli"]);
  assert.ok(argv.includes(`Authorization: Bearer ${key}`), "the key is in the --header");
  const r = await runArgv(argv, inspectorEnv);
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr.slice(-400)}`);
  const names = JSON.parse(r.stdout).tools.map((t) => t.name);
  assert.ok(names.includes("odoo_search"), names.join(", "));
});

test("the printed Inspector tools/call command returns seeded demo records", async () => {
  const argv = splitCommand(commands[1]);
  assert.deepEqual(argv.slice(argv.indexOf("--method"), argv.indexOf("--method") + 4), ["--method", "tools/call", "--tool-name", "odoo_search"]);
  const r = await runArgv(argv, inspectorEnv);
  assert.equal(r.code, 0, `exit ${r.code}: ${r.stderr.slice(-400)}`);
  const out = JSON.parse(r.stdout).structuredContent;
  assert.equal(out.model, "res.partner");
  assert.equal(out.records.length, 5);
  for (const rec of out.records) assert.deepEqual(Object.keys(rec).sort(), ["city", "email", "id", "name"]);
  const names = out.records.map((x) => x.name);
  // Partners of the fake's seed (tests/fake-odoo/src/seed_data.rs), first by name.
  assert.ok(names.includes("Acme Corporation") && names.includes("Azure Interior"), names.join(", "));
});

test("the demo key is read-only: odoo_create is not offered, the Inspector cannot call it, and nothing reaches Odoo", async () => {
  const printed = splitCommand(commands[1]);
  const argv = [...printed.slice(0, printed.indexOf("--method")), "--method", "tools/call", "--tool-name", "odoo_create",
    "--tool-args-json", JSON.stringify({ model: "res.partner", values: { name: "Written by the demo test" }, dry_run: false })];
  const r = await runArgv(argv, inspectorEnv);
  assert.equal(r.code, 5, `the Inspector's exit code for a tool error is 5; got ${r.code}: ${r.stderr.slice(-300)}`);
  // tools/list offers a read-only key no write tool, so the Inspector finds none to call.
  assert.match(r.stdout + r.stderr, /Tool 'odoo_create' not found on server/);
  const odoo = /fake Odoo \d+ with demo data:\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
  assert.ok(odoo, "the banner names the fake Odoo's URL");
  const calls = (await (await fetch(`${odoo}/__fake/calls`)).json()).calls;
  assert.ok(calls.some((c) => c.method === "search_read"), "the fake's call log shows the search");
  assert.deepEqual(calls.filter((c) => ["create", "write", "unlink"].includes(c.method)), []);
});

test("the claude mcp add line and the admin console work with what is printed", async () => {
  const url = `http://127.0.0.1:${port}/mcp`;
  assert.deepEqual(splitCommand(commands[2]),
    ["claude", "mcp", "add", "--transport", "http", "odoo", url, "--header", `Authorization: Bearer ${key}`]);
  const console_ = await fetch(`http://127.0.0.1:${port}/admin`);
  assert.equal(console_.status, 200);
  const admin = (path) => fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${adminToken}` } });
  const keys = await (await admin("/admin/api/keys")).json();
  assert.equal(keys.keys.length, 1);
  assert.deepEqual(keys.keys[0].scope?.operations, ["read"]);
  // The connection has the console's browsing user: its model picker lists the fake's models.
  const { connections } = await (await admin("/admin/api/connections")).json();
  const models = await admin(`/admin/api/connections/${connections[0].id}/odoo-models?q=partner`);
  assert.equal(models.status, 200);
  assert.match(await models.text(), /res\.partner/);
});

test("Ctrl-C stops every process the demo started; .wrangler/state and .dev.vars are untouched", async () => {
  seen = tree(demo.pid); // again: the whole tree, as it is just before the Ctrl-C
  assert.ok(seen.some((p) => /workerd/.test(p.args)), "a workerd runs under the demo");
  assert.ok(seen.some((p) => /fake-odoo/.test(p.args)), "the fake Odoo runs under the demo");
  signalGroup(demo.pgid, "SIGINT");
  const how = await Promise.race([exited, deadline(30_000, "still running after 30 s")]);
  assert.notEqual(how, "still running after 30 s", tail());
  assert.match(output, /demo: stopped .*no process left/, tail());
  await sleep(300);
  const groups = new Set([demo.pid, ...seen.map((p) => p.pgid)]);
  const pids = new Set(seen.map((p) => p.pid));
  const left = processes().filter((p) => (groups.has(p.pgid) || pids.has(p.pid)) && !p.stat.startsWith("Z"));
  assert.deepEqual(left.map((p) => `${p.pid} ${p.args.slice(0, 80)}`), []);
  await assert.rejects(fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(3000) }), "the demo's port is closed");
  assert.equal(snapshot(join(ROOT, ".wrangler/state")), before.state, ".wrangler/state changed");
  assert.equal(snapshot(join(ROOT, ".dev.vars")), before.devVars, ".dev.vars changed");
  assert.ok(existsSync(join(DEMO_DIR, "state")), "the demo's D1 is in its own DEMO_DIR");
});

test("the demo's logs and D1 hold neither its key nor its admin token", () => {
  assert.ok(key && adminToken, "the banner gave both");
  const files = [join(DEMO_DIR, "worker.log"), join(DEMO_DIR, "fake-odoo.log"), join(DEMO_DIR, "schema.log"),
    ...readdirSync(join(DEMO_DIR, "state"), { recursive: true }).map((f) => join(DEMO_DIR, "state", f))]
    .filter((f) => existsSync(f) && statSync(f).isFile());
  assert.ok(files.length >= 4, `files to scan: ${files.length}`);
  const hits = files.filter((f) => {
    const text = readFileSync(f);
    return text.includes(key) || text.includes(adminToken);
  });
  assert.deepEqual(hits, []);
  writeFileSync(join(DEMO_DIR, "scanned.txt"), `${files.length} files scanned for the demo's key and admin token\n`);
});
