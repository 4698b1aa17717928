// The worker under test: the built bundle (build/worker/shim.mjs, as it is: no rebuild) in `wrangler dev`
// with its own local D1 (artifacts/state, from schema.sql) and variables (artifacts/e2e.env); its
// configuration through the admin API (setup.mjs -> artifacts/setup.json); and the second, "deployed"
// worker on the same D1 and bundle without DEV_ALLOW_LOOPBACK (artifacts/e2e-deployed.env), for the rate
// limit across two workers and the URL guard. Both trust a certificate authority made for the run
// (artifacts/tls), so that a test can serve https on loopback (an OAuth Client ID Metadata Document).
import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { writeBundleConfigs } from "../../../scripts/lib/bundle-config.mjs";
import { freePorts, httpStatus, tail, WaitError, waitForHttp } from "../../../scripts/lib/process.mjs";
import { randB64, randB64url } from "./context.mjs";
import { fakeEnv } from "./odoo.mjs";

/** artifacts/e2e.env: the worker's secrets and the suite's settings, mode 600. */
function writeEnvFile(ctx) {
  ctx.adminToken = randB64url();
  const lines = [
    "# e2e only (tests/e2e/harness); regenerated on every run",
    `ADMIN_TOKEN="${ctx.adminToken}"`,
    `CREDENTIALS_KEY="${randB64()}"`,
    'DEV_ALLOW_LOOPBACK="true"',
    // Every stage speaks from 127.0.0.1, and the bad-input corpus and the negative stage fail to
    // authenticate on purpose: the per-network throttle (tested natively, tests/auth_failures.rs) would
    // refuse the stages after them.
    'AUTH_FAILURES_PER_MINUTE="1000000"',
    // Small pages, so that every client's pagination is exercised (tools/list has 7 tools).
    'LIST_PAGE_SIZE="3"',
    // A slow Odoo's timeout within a test's patience (tests/e2e/negative.test.mjs); no other stage's
    // Odoo call is delayed past it (the longest is 2.5 s).
    'ODOO_TIMEOUT_MS="5000"',
  ];
  writeFileSync(join(ctx.art, "e2e.env"), `${lines.join("\n")}\n`, { mode: 0o600 });
}

/**
 * artifacts/tls: a certificate authority made for this run and a certificate it signed for localhost
 * and 127.0.0.1. The CA joins NODE_EXTRA_CA_CERTS of every child (miniflare hands that list to workerd
 * as trusted certificates, so the worker's fetches trust it); E2E_TLS_CERT and E2E_TLS_KEY let a test
 * serve https on loopback.
 */
function writeTestCa(ctx) {
  const { report, art, env } = ctx;
  const dir = join(art, "tls");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const f = (name) => join(dir, name);
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  const steps = [
    ["req", "-x509", ...ec, "-keyout", f("ca.key"), "-out", f("ca.pem"), "-days", "2", "-subj", "/CN=odoo-mcp e2e CA",
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"],
    ["req", "-x509", ...ec, "-keyout", f("localhost.key"), "-out", f("localhost.pem"), "-days", "2", "-subj", "/CN=localhost",
      "-CA", f("ca.pem"), "-CAkey", f("ca.key"), "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
      "-addext", "basicConstraints=critical,CA:FALSE", "-addext", "extendedKeyUsage=serverAuth"],
  ];
  for (const args of steps) {
    const r = spawnSync("openssl", args, { encoding: "utf8" });
    if (r.status !== 0) report.abort("test certificate authority", `openssl ${args[0]}: ${r.stderr || r.error}`);
  }
  const inherited = env.NODE_EXTRA_CA_CERTS && existsSync(env.NODE_EXTRA_CA_CERTS) ? readFileSync(env.NODE_EXTRA_CA_CERTS, "utf8") : "";
  writeFileSync(f("trusted.pem"), `${inherited.trimEnd()}\n${readFileSync(f("ca.pem"), "utf8")}`);
  Object.assign(env, { NODE_EXTRA_CA_CERTS: f("trusted.pem"), E2E_TLS_CERT: f("localhost.pem"), E2E_TLS_KEY: f("localhost.key") });
}

/** The D1 schema, the config without [build], then `wrangler dev` on ports.worker until it answers. */
export async function startWorker(ctx, ports) {
  const { report, groups, art, root, options } = ctx;
  writeEnvFile(ctx);
  writeTestCa(ctx);
  report.log(`applying schema.sql to the e2e D1 (${art}/state)`);
  const schemaLog = join(art, "schema.log");
  const schema = await groups.run("schema", "wrangler", ["d1", "execute", "DB", "--local", "--persist-to", join(art, "state"), "--file", "schema.sql"], { log: schemaLog });
  if (schema.code !== 0) {
    console.log(tail(schemaLog, 20));
    report.abort("apply schema.sql", `see ${schemaLog}`);
  }
  // The `/mcp` Worker's configuration and the admin Worker's; wrangler dev gives the env file to the first
  // one only, so both read their secrets from .dev.vars beside them instead.
  ctx.wranglerConfigs = writeBundleConfigs(art, "wrangler-e2e", join(root, "build"));
  copyFileSync(join(art, "e2e.env"), join(art, ".dev.vars"));

  const log = join(art, "worker.log");
  report.log(`starting wrangler dev on 127.0.0.1:${ports.worker} (log: ${log})`);
  const t0 = performance.now();
  const handle = groups.start("worker", "wrangler", ["dev", ...ctx.wranglerConfigs.flatMap((c) => ["--config", c]), "--ip", "127.0.0.1",
    "--port", String(ports.worker), "--inspector-port", String(ports.inspector), "--test-scheduled",
    "--persist-to", join(art, "state"), "--show-interactive-dev-session=false",
    ...options.wranglerArgs], { log });
  ctx.workerUrl = `http://127.0.0.1:${ports.worker}`;
  ctx.workerLog = log;
  let status;
  try {
    // Any HTTP answer means it is up (the readiness check is not the /health test).
    status = await waitForHttp(`${ctx.workerUrl}/health`, { ready: () => true, handle, timeoutS: options.readyTimeoutS });
  } catch (e) {
    if (!(e instanceof WaitError)) throw e;
    if (e.reason === "exited") {
      console.log(tail(log, 30));
      report.abort("wrangler dev start", `exited (see ${log})`);
    }
    report.abort("wrangler dev start", `no answer within ${options.readyTimeoutS}s`);
  }
  report.log(`worker answered after ${((performance.now() - t0) / 1000).toFixed(1)} s (GET /health -> ${status})`);
}

/** setup.mjs through the admin API (connections, models, keys) -> artifacts/setup.json; then the
 * suite's E2E_* variables join every later child's environment, and the "Odoo down" fake is stopped. */
export async function configure(ctx) {
  const { report, groups, art, e2e } = ctx;
  ctx.setupJson = join(art, "setup.json");
  report.log("configuring the worker through the admin API (setup.mjs)");
  const log = join(art, "setup.log");
  const r = await groups.run("setup", process.execPath, [join(e2e, "setup.mjs")], {
    env: { ...ctx.env, WORKER_URL: ctx.workerUrl, ADMIN_TOKEN: ctx.adminToken, E2E_SETUP_OUT: ctx.setupJson,
      ...fakeEnv(ctx, ["fake19", "fake17", "fakedown"]) },
    log, timeoutS: 180, killAfterS: 5,
  });
  if (r.code !== 0) {
    console.log(tail(log, 20));
    report.abort("admin API setup", `see ${log}`);
  }
  report.pass("admin API setup (connections 19/17, models, keys)");
  ctx.setup = JSON.parse(readFileSync(ctx.setupJson, "utf8"));
  Object.assign(ctx.env, {
    E2E_SETUP: ctx.setupJson,
    E2E_WORKER_LOG: ctx.workerLog,
    // Keys the tests issue for themselves are appended here, and scanned for leaks at the end.
    E2E_EXTRA_SECRETS: join(art, "extra-secrets"),
    // Worker answers seen by the Node stages (tests/e2e/capture.mjs), scanned for secrets at the end.
    E2E_RESPONSES_DIR: join(art, "responses"),
    E2E_CAPTURE_ORIGINS: ctx.workerUrl,
  });

  // The "Odoo down" connection: stop its fake Odoo now.
  await groups.stop("fakedown");
  if (await httpStatus(`${ctx.fakes.fakedown.url}/`)) report.abort("stop fakedown", `port ${ctx.fakes.fakedown.port} still answers`);
}

/**
 * A second worker on the same local D1 and the same built bundle, configured as deployed: without
 * DEV_ALLOW_LOOPBACK (no Origin is sent by its stages, so the dev Origin rule does not matter), and
 * served as `make bench` serves it, by scripts/serve.mjs (workerd with nothing in front: no wrangler dev
 * proxy). Resolves to its URL once GET /health answers 200, or undefined (with a failure
 * recorded) if it never does.
 */
export async function startDeployedWorker(ctx) {
  const { report, groups, art, root, options } = ctx;
  const env = readFileSync(join(art, "e2e.env"), "utf8").split("\n").filter((l) => !l.startsWith("DEV_ALLOW_LOOPBACK="));
  writeFileSync(join(art, "e2e-deployed.env"), env.join("\n"), { mode: 0o600 });
  const [port] = await freePorts(1);
  const handle = groups.start("worker2", process.execPath, [join(root, "scripts/serve.mjs"), ...ctx.wranglerConfigs.flatMap((c) => ["--config", c]),
    "--ip", "127.0.0.1", "--port", String(port), "--persist-to", join(art, "state"),
    "--env-file", join(art, "e2e-deployed.env")], { log: join(art, "worker2.log") });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/health`, { handle, timeoutS: options.readyTimeoutS });
    return url;
  } catch (e) {
    if (!(e instanceof WaitError)) throw e;
    report.fail("second worker start", `see ${art}/worker2.log`);
    return undefined;
  }
}
