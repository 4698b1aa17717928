// Runs one node:test file as a stage: `node --test` in its own process group (10 minutes at most, 2
// minutes per test), the spec reporter's output on the terminal and in artifacts/<name>.log, and
// reporter.mjs's JSON lines in artifacts/<name>.events.jsonl, from which the stage is counted: the
// passed tests, and the failed and cancelled ones, named. Every answer the worker gives the test is
// copied for the secret scan (capture.mjs, preloaded through NODE_OPTIONS).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

const REPORTER = join(import.meta.dirname, "reporter.mjs");
const SHOW_FAILED = 10; // failed tests named in the summary, per stage

/** What reporter.mjs wrote: {summary, fails}. */
export function readEvents(file) {
  const out = { summary: undefined, fails: [] };
  if (!existsSync(file)) return out;
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line) continue;
    const e = JSON.parse(line);
    if (e.type === "summary") out.summary = e;
    else if (e.type === "fail") out.fails.push(e);
  }
  return out;
}

/** The stage `name`: `file` under node --test, with `env` added to the run's environment. */
export async function runNodeTest(ctx, name, file, env = {}) {
  const { art, report, groups, e2e } = ctx;
  console.log(`== ${name}`);
  const log = join(art, `${name}.log`);
  const events = join(art, `${name}.events.jsonl`);
  const r = await groups.run(name, process.execPath, [
    "--test", "--test-timeout=120000",
    "--test-reporter=spec", "--test-reporter-destination=stdout",
    `--test-reporter=${REPORTER}`, `--test-reporter-destination=${events}`,
    file,
  ], {
    env: { ...ctx.env, NODE_OPTIONS: `--import=file://${e2e}/capture.mjs`, ...env },
    log, tee: true, timeoutS: 600, killAfterS: 10,
  });
  const { summary, fails } = readEvents(events);
  if (!summary) {
    report.fail(name, `no test summary from the reporter, exit ${r.code}${r.timedOut ? " (timed out)" : ""} (see ${log})`);
    return;
  }
  const { passed, failed, cancelled } = summary.counts;
  const failures = [];
  if (failed > 0 || cancelled > 0) {
    failures.push(`${name}: ${failed} failed, ${cancelled} cancelled (see ${log})`);
    // The tests that failed themselves (not a parent failing because of them).
    const own = fails.filter((f) => f.failureType !== "subtestsFailed");
    for (const f of own.slice(0, SHOW_FAILED)) {
      const where = f.line ? ` (${f.file?.replace(`${ctx.root}/`, "")}:${f.line})` : "";
      const why = f.failureType === "cancelledByParent" ? "cancelled" : f.error.replace(/\s+/g, " ").trim().slice(0, 200);
      failures.push(`  ${f.name}${where}: ${why}`);
    }
    if (own.length > SHOW_FAILED) failures.push(`  … and ${own.length - SHOW_FAILED} more`);
  }
  report.add({ passed, failed: failed + cancelled, failures });
  if (r.code !== 0 && failed === 0 && cancelled === 0) report.fail(name, `exit ${r.code}`);
}
