// The e2e run's bookkeeping and what it prints: one `ok`/`FAIL` line per harness check, the counts of
// each test stage (from its reporter, see node-test.mjs), the list of failures, and the closing
// `N passed, M failed` line. `abort` records a failure and stops the run (main.mjs catches Abort).

/** Thrown to stop the run after a failure that leaves nothing sensible to test. */
export class Abort extends Error {}

export class Report {
  passed = 0;
  failed = 0;
  failures = [];
  frozen = false; // set once the run is stopping: a stage interrupted then records nothing more

  log(msg) {
    console.log(`e2e: ${msg}`);
  }

  pass(label) {
    if (this.frozen) return;
    this.passed++;
    console.log(`  ok   ${label}`);
  }

  /** A failed check; `force` records it even once frozen (the run's own closing checks). */
  fail(label, detail, { force = false } = {}) {
    if (this.frozen && !force) return;
    this.failed++;
    this.failures.push(label);
    console.log(`  FAIL ${label}${detail ? ` -- ${detail}` : ""}`);
  }

  /** A stage's own counts (a test file, the Python client): `failures` lines name what failed. */
  add({ passed, failed, failures = [] }) {
    if (this.frozen) return;
    this.passed += passed;
    this.failed += failed;
    this.failures.push(...failures);
  }

  /** fail, then stop the run. */
  abort(label, detail) {
    this.fail(label, detail);
    throw new Abort(label);
  }

  /** The closing lines; returns the exit code (0 only with no failure and at least one pass). */
  summary({ artifacts, workerLogTail }) {
    if (this.failed > 0 && workerLogTail) {
      console.log(`---- last lines of ${artifacts}/worker.log`);
      console.log(workerLogTail);
    }
    if (this.failures.length > 0) {
      console.log("e2e failures:");
      // A stage's entry, then (indented) the tests that failed in it.
      for (const f of this.failures) console.log(f.startsWith(" ") ? `  ${f}` : `  - ${f}`);
    }
    console.log(`e2e artifacts: ${artifacts}`);
    console.log(`${this.passed} passed, ${this.failed} failed`);
    return this.failed > 0 || this.passed === 0 ? 1 : 0;
  }
}
