// The e2e suite's order of stages, and its end: whatever happened (a pass, a failure that stops the
// run, an error, Ctrl-C / SIGTERM / SIGHUP), every process group is stopped, the run checks that no
// process it started is left (and stops any it finds), and prints the failures and `N passed, M failed`
// last. The exit code is 0 only with no failure and at least one pass. See tests/e2e/README.md for what
// each stage tests.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, freePorts, stopGroup, tail } from "../../../scripts/lib/process.mjs";
import { checkConsoleAssets, checkNoPanic, checkTwoWorkers, checkRetentionCron, checkSecretHygiene } from "./checks.mjs";
import { runConformance } from "./conformance.mjs";
import { createContext, onPath, preconditions } from "./context.mjs";
import { runInspector } from "./inspector.mjs";
import { runNodeTest } from "./node-test.mjs";
import { fakeEnv, startFakes } from "./odoo.mjs";
import { runPython } from "./python.mjs";
import { Abort } from "./report.mjs";
import { configure, startDeployedWorker, startWorker } from "./worker.mjs";

async function stages(ctx) {
  const { art, e2e, report, groups } = ctx;
  const file = (name) => join(e2e, name);
  // With E2E_ONLY, only the stages it names run after setup, and of the closing checks only "no panic"
  // (the secret scan needs every kind of secret the whole run issues).
  const only = ctx.options.only;
  const wanted = (name) => !only || only.has(name);
  preconditions(ctx);
  const [fake19, fake17, fakedown, worker, inspector, proxy] = await freePorts(6);
  await startFakes(ctx, { fake19, fake17, fakedown });
  await startWorker(ctx, { worker, inspector });
  await configure(ctx);

  // The official clients: TS SDK 1.x; 2.x in auto and legacy mode; the Python SDK; the Inspector CLI.
  if (wanted("ts_client")) await runNodeTest(ctx, "ts_client", file("ts_client.test.mjs"));
  if (wanted("ts2_client")) await runNodeTest(ctx, "ts2_client", file("ts2_client.test.mjs"));
  if (wanted("py_client")) await runPython(ctx, "py_client", "py_client_test.py");
  if (wanted("inspector")) await runInspector(ctx);
  if (wanted("conformance")) await runConformance(ctx, proxy);
  if (wanted("negative")) await runNodeTest(ctx, "negative", file("negative.test.mjs"));

  // OAuth with the real clients (the TS SDK's sign-in in Chromium, mcp-remote, a metadata document
  // client, the refusals), then the Python SDK's; then the admin console in Chromium.
  const chromium = ctx.options.chromiumBin ?? onPath("chromium", ctx.env.PATH);
  if (!chromium && (wanted("oauth") || wanted("browser"))) {
    report.fail("oauth and browser tests", "no chromium on PATH (Debian package 'chromium'; make setup installs it)");
  } else {
    if (wanted("oauth")) await runNodeTest(ctx, "oauth", file("oauth.test.mjs"), { CHROMIUM_BIN: chromium, E2E_ARTIFACTS: art });
  }
  if (wanted("py_oauth")) await runPython(ctx, "py_oauth", "py_oauth_test.py");
  if (chromium && wanted("browser")) {
    await runNodeTest(ctx, "browser", file("browser.test.mjs"), { CHROMIUM_BIN: chromium, E2E_ARTIFACTS: art, ...fakeEnv(ctx, ["fake19"]) });
  }

  // Write tools, batch progress and cancellation.
  if (wanted("write")) await runNodeTest(ctx, "write", file("write.test.mjs"), fakeEnv(ctx, ["fake19", "fake17"], { demo2: false }));
  // The person's approval: elicitation in the session era, the input_required round in 2026-07-28.
  if (wanted("approval")) await runNodeTest(ctx, "approval", file("approval.test.mjs"), fakeEnv(ctx, ["fake19"], { demo2: false }));

  // The bad-input corpus (bad-input/corpus.json): each case's answer goes to bad-input-answers.jsonl.
  if (wanted("bad_input")) {
    await runNodeTest(ctx, "bad_input", file("bad_input.test.mjs"), { E2E_BAD_INPUT_ANSWERS: join(art, "bad-input-answers.jsonl") });
  }
  if (wanted("bad_input") && !/^bad-input corpus: [0-9]+ cases, [0-9]+ failed$/m.test(readFileSync(join(art, "bad_input.log"), "utf8"))) {
    report.fail("bad-input corpus", `no summary line (see ${art}/bad_input.log)`);
  }

  // The client snippets in their clients; n8n's node schemas are fetched once into .cache/.
  if (wanted("clients")) {
    const fetched = await groups.run("fetch-n8n-nodes", "bash", [file("fetch-n8n-nodes.sh")], {
      log: join(art, "fetch-n8n-nodes.out"), errLog: join(art, "fetch-n8n-nodes.log"),
    });
    const n8nNodes = readFileSync(join(art, "fetch-n8n-nodes.out"), "utf8").trim().split("\n").pop();
    if (fetched.code === 0 && n8nNodes) {
      await runNodeTest(ctx, "clients", file("clients.test.mjs"), { N8N_NODES_DIR: n8nNodes });
    } else {
      report.fail("client snippets", `could not fetch n8n's node schemas (see ${art}/fetch-n8n-nodes.log)`);
    }
  }

  // `make demo` as a newcomer runs it: its own worker, fake Odoo, D1 and logs (in artifacts/demo).
  if (wanted("demo")) await runNodeTest(ctx, "demo", file("demo.test.mjs"), { E2E_ARTIFACTS: art });

  // A second worker on the same D1, as deployed (no DEV_ALLOW_LOOPBACK): the rate limit across two
  // workers, and the URL guard.
  const worker2 = wanted("ratelimit") || wanted("url_guard") ? await startDeployedWorker(ctx) : null;
  if (worker2) {
    await checkConsoleAssets(ctx, [ctx.workerUrl, worker2]);
    await checkTwoWorkers(ctx, [ctx.workerUrl, worker2]);
    const log = join(art, "ratelimit.log");
    const r = await groups.run("ratelimit", process.execPath, [file("ratelimit.mjs"), ctx.workerUrl, worker2], { log, timeoutS: 180, killAfterS: 5 });
    const lines = readFileSync(log, "utf8").trimEnd().split("\n");
    if (r.code === 0) report.pass(`rate limit exact in any 60 s, across a minute boundary and two workers on one D1: ${lines.at(-1)}`);
    else report.fail("rate limit across two workers", lines.slice(-3).join(" "));
    await runNodeTest(ctx, "url_guard", file("url_guard.test.mjs"), { E2E_WORKER2_URL: worker2 });
  }
  await groups.stop("worker2");

  checkNoPanic(ctx);
  if (!only) {
    await checkRetentionCron(ctx);
    checkSecretHygiene(ctx);
  }
}

/** Stops the process groups of `processes`, oldest first (a parent before what it started). */
async function stopGroupsOf(processes) {
  const pgids = [...new Set(processes.map((p) => p.pgid))].sort((a, b) => a - b);
  for (const pgid of pgids) await stopGroup(pgid);
}

/** Stops everything, checks for leftovers, prints the summary and exits. `interrupted`: a signal
 * stopped the run, so what its stages had started elsewhere (make demo's own groups) is stopped too
 * before the check, rather than reported. */
async function finish(ctx, rc, interrupted) {
  const { report, groups, art } = ctx;
  groups.closing();
  // wrangler first, so that it does not log the fakes' disappearance.
  await groups.stopAll(["worker2", "worker"]);
  if (interrupted) await stopGroupsOf(groups.leftovers());
  const left = groups.leftovers();
  if (left.length) {
    report.fail("no processes left behind", left.slice(0, 5).map(describe).join("; "), { force: true });
    await stopGroupsOf(left);
  }
  if (rc !== 0 && report.failed === 0) report.fail(`e2e harness aborted (exit ${rc})`, undefined, { force: true });
  const workerLog = join(art, "worker.log");
  process.exit(report.summary({ artifacts: art, workerLogTail: existsSync(workerLog) ? tail(workerLog, 25) : undefined }));
}

export async function main() {
  const ctx = createContext();
  // Last resort, should the end itself fail: no group outlives the harness.
  process.on("exit", () => ctx.groups.killAll());
  let finishing = false;
  const end = (rc, interrupted = false) => {
    if (finishing) return;
    finishing = true;
    return finish(ctx, rc, interrupted);
  };
  for (const [signal, rc] of [["SIGINT", 130], ["SIGTERM", 143], ["SIGHUP", 129]]) {
    process.on(signal, () => {
      if (finishing) return;
      console.log(`e2e: ${signal}: stopping`);
      ctx.report.frozen = true; // what the interrupted stage reports now is the interruption itself
      end(rc, true);
    });
  }
  let rc = 0;
  try {
    await stages(ctx);
  } catch (e) {
    rc = 1;
    if (!(e instanceof Abort) && !finishing) ctx.report.fail("e2e harness error", e.stack ?? String(e));
  }
  await end(rc);
}
