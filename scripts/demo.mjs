#!/usr/bin/env node
// `make demo`: the worker in `wrangler dev` against the fake Odoo (tests/fake-odoo) and its demo data,
// configured through the admin API (scripts/demo-configure.mjs) with a read-only MCP key; prints the
// URL, the key, the admin console's URL and token and commands to try it, then stays in the
// foreground until Ctrl-C / SIGTERM and stops both process groups.
//
// Everything the demo writes is under DEMO_DIR (default .demo/, git-ignored), wiped at each start so
// that every run begins from the same state: its own D1 (state/), its own secrets (.demo/.dev.vars, mode
// 600, read by wrangler beside the configurations, so argv never carries them), the two wrangler
// configurations it runs, and the logs. The developer's .dev.vars and .wrangler/state are never read or written.
//
// Environment: PORT (8787), DEMO_ODOO (19 or 17), DEMO_DIR (.demo), DEMO_READY_TIMEOUT (seconds, 180),
// DEMO_STARTED_MS (when `make demo` started, in ms since the epoch: the banner's "ready in" counts from
// there, so that it is the time the person waited, setup and build checks included).
// Expects `make setup` and `make build` done (the Makefile target depends on both); Node 22.
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { configureDemo, DEMO_MODELS, FAKE_USERS } from "./demo-configure.mjs";
import { banner } from "./demo-banner.mjs";
import { writeBundleConfigs } from "./lib/bundle-config.mjs";
import { describe, freePort, Groups, portIsFree, sleep, tail, waitForHttp, waitForLog } from "./lib/process.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const PORT = Number(process.env.PORT || 8787);
const MAJOR = process.env.DEMO_ODOO || "19";
const DIR = resolve(ROOT, process.env.DEMO_DIR || ".demo");
const READY_TIMEOUT_S = Number(process.env.DEMO_READY_TIMEOUT || 180);
const DATABASE = MAJOR === "17" ? "mcptest17" : "mcptest"; // the fake's own default names
const show = (p) => (relative(ROOT, p).startsWith("..") ? p : relative(ROOT, p));
const say = (msg) => console.log(`demo: ${msg}`);

/** A failed step: what failed, and the log whose tail explains it. */
class StepError extends Error {
  constructor(message, log) {
    super(message);
    this.log = log;
  }
}

// ---------------------------------------------------------------- process groups
// Each long-running child is the leader of its own process group (scripts/lib/process.mjs), so that
// stopping it also stops what it started (wrangler's workerd), and a Ctrl-C in the terminal reaches
// only this script, which then stops the groups in order.
const groups = new Groups({ cwd: ROOT });

let stopping = false;
/** Stops every group (wrangler first, so that it does not log the fake's disappearance) and exits. */
async function shutdown(code, why) {
  if (stopping) return;
  stopping = true;
  groups.closing();
  if (why) say(why);
  const started = [...groups.live.keys()];
  await groups.stopAll(["worker", "fake-odoo"]);
  const left = groups.leftovers();
  if (left.length) {
    console.error(`demo: processes left behind:\n${left.map(describe).join("\n")}`);
    process.exit(1);
  }
  if (started.length) say(`stopped ${started.join(" and ")}: no process left (logs and state in ${show(DIR)}/)`);
  process.exit(code);
}

for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"]) {
  process.on(sig, () => shutdown(0, `${sig}: stopping`));
}

async function fail(err) {
  // A child ending while the demo stops it is the stop itself, not a failure.
  if (stopping) return;
  console.error(`demo: FAILED: ${err.message}`);
  if (err.log) {
    console.error(`---- last lines of ${show(err.log)}`);
    console.error(tail(err.log));
  }
  await shutdown(1);
}

// ---------------------------------------------------------------- steps
/** Runs one step to its end (in its own process group, output to `log`); throws a StepError if it fails. */
async function run(label, cmd, args, env, log) {
  const { code } = await groups.run(label, cmd, args, { env, log });
  if (code !== 0) throw new StepError(`${label} (exit ${code})`, log);
}

/** Removes what an earlier run left: only the entries this script creates, never DEMO_DIR itself. */
function wipe() {
  mkdirSync(DIR, { recursive: true, mode: 0o700 });
  for (const entry of ["state", ".wrangler", ".dev.vars", "wrangler.toml", "wrangler.admin.toml", "fake-odoo.log", "fake-odoo-build.log",
    "worker.log", "schema.log"]) {
    rmSync(join(DIR, entry), { recursive: true, force: true });
  }
}

function writeSecrets() {
  const adminToken = randomBytes(32).toString("base64url");
  // Beside both configurations, where wrangler dev reads each Worker's secrets (its --env-file would reach
  // only the first).
  const file = join(DIR, ".dev.vars");
  writeFileSync(file, [
    "# make demo only (scripts/demo.mjs); regenerated on every start. Never use these values elsewhere.",
    `ADMIN_TOKEN="${adminToken}"`,
    `CREDENTIALS_KEY="${randomBytes(32).toString("base64")}"`,
    // The fake Odoo is on http://127.0.0.1: allowed only with this development switch.
    'DEV_ALLOW_LOOPBACK="true"',
    "",
  ].join("\n"), { mode: 0o600, flag: "wx" });
  return { adminToken, file };
}

/** wrangler.toml and wrangler.admin.toml without [build] (the demo runs the bundles `make build` made: no
 * rebuild at start or when a source file changes), with absolute `main`s, as the e2e suite does. */
function writeWranglerConfigs() {
  for (const bundle of ["build/worker/shim.mjs", "build/admin/worker/shim.mjs"]) {
    if (!existsSync(join(ROOT, bundle))) throw new StepError(`${bundle} is missing: run make build`);
  }
  return writeBundleConfigs(DIR, "wrangler", join(ROOT, "build"));
}

// ---------------------------------------------------------------- main
async function main() {
  const started = Number(process.env.DEMO_STARTED_MS);
  const t0 = Number.isFinite(started) && started > 0 && started <= Date.now() ? started : Date.now();
  if (Number(process.versions.node.split(".")[0]) < 22) {
    throw new StepError(`Node ${process.versions.node}: the demo needs Node 22 (run it with make demo)`);
  }
  if (MAJOR !== "19" && MAJOR !== "17") throw new StepError(`DEMO_ODOO=${MAJOR}: use 19 or 17`);
  if (!(await portIsFree(PORT))) {
    throw new StepError(`port ${PORT} is already in use (a make dev or another make demo?); pick another: PORT=9000 make demo`);
  }
  wipe();
  const env = {
    ...process.env,
    PATH: `${ROOT}/node_modules/.bin:${process.env.CARGO_HOME || `${process.env.HOME}/.cargo`}/bin:${process.env.PATH}`,
    WRANGLER_SEND_METRICS: "false",
    NO_COLOR: "1",
  };
  const target = process.env.CARGO_TARGET_DIR ? resolve(ROOT, process.env.CARGO_TARGET_DIR) : join(ROOT, "target");

  say("building the fake Odoo (cargo build --release -p fake-odoo)");
  await run("building the fake Odoo", "cargo", ["build", "--release", "-p", "fake-odoo", "--bins"], env, join(DIR, "fake-odoo-build.log"));
  const secrets = writeSecrets();
  const configs = writeWranglerConfigs();
  const state = join(DIR, "state");

  say(`applying schema.sql to the demo's own D1 (${show(state)})`);
  await run("applying schema.sql to the demo D1", "wrangler",
    ["d1", "execute", "DB", "--local", "--config", configs[0], "--persist-to", state, "--file", join(ROOT, "schema.sql")],
    env, join(DIR, "schema.log"));

  say(`starting the fake Odoo ${MAJOR} and wrangler dev on 127.0.0.1:${PORT} (logs in ${show(DIR)}/)`);
  // --port 0: the fake picks a free port itself and prints it, so there is no race for one.
  const fake = groups.start("fake-odoo", join(target, "release/fake-odoo"),
    ["--version", MAJOR, "--port", "0", "--database", DATABASE], { env, log: join(DIR, "fake-odoo.log") });
  const worker = groups.start("worker", "wrangler", [
    "dev", ...configs.flatMap((c) => ["--config", c]), "--ip", "127.0.0.1", "--port", String(PORT),
    "--inspector-port", String(await freePort()), "--persist-to", state,
    "--show-interactive-dev-session=false",
  ], { env, log: join(DIR, "worker.log") });
  const odooUrl = (await waitForLog(fake, /fake-odoo listening on (http:\/\/127\.0\.0\.1:\d+)/,
    { label: "the fake Odoo", timeoutS: 30, intervalMs: 200 }))[1];
  const workerUrl = `http://127.0.0.1:${PORT}`;
  await waitForHttp(`${workerUrl}/health`, { label: "wrangler dev", handle: worker, timeoutS: READY_TIMEOUT_S });

  say("configuring the worker through the admin API (connection, models, a read-only key)");
  let configured;
  try {
    configured = await configureDemo({ workerUrl, adminToken: secrets.adminToken, odooUrl, database: DATABASE, major: MAJOR });
  } catch (e) {
    throw new StepError(`configuring the worker: ${e.message}`, worker.log);
  }

  console.log(banner({
    seconds: ((Date.now() - t0) / 1000).toFixed(1),
    major: MAJOR,
    database: DATABASE,
    odooUrl,
    workerUrl,
    state: show(state),
    logs: [show(worker.log), show(fake.log)],
    key: configured.key,
    adminToken: secrets.adminToken,
    models: DEMO_MODELS,
    demoLogin: FAKE_USERS.demo.login,
    claudeCode: configured.claudeCode,
  }));

  // Stay in the foreground; a child that ends on its own ends the demo (with its log's tail).
  for (;;) {
    await sleep(500);
    for (const [name, g] of groups.live) {
      if (g.exited) throw new StepError(`${name} ended on its own (${g.exited})`, g.log);
    }
  }
}

main().catch(fail);
