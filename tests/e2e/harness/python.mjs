// The Python SDK stages: a script of tests/e2e under the project's .venv (the `mcp` version pinned in
// scripts/versions.env), 5 minutes at most, its output on the terminal and in artifacts/<stage>.log;
// counted from the JSON it writes to artifacts/<stage>.json. py_client: py_client_test.py (the SDK with
// a key); py_oauth: py_oauth_test.py (its OAuth client provider).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export async function runPython(ctx, name, script) {
  const { art, report, groups, root, e2e } = ctx;
  console.log(`== ${name}`);
  const log = join(art, `${name}.log`);
  const results = join(art, `${name}.json`);
  const r = await groups.run(name, join(root, ".venv/bin/python"), [join(e2e, script)], {
    env: { ...ctx.env, E2E_PY_RESULTS: results }, log, tee: true, timeoutS: 300, killAfterS: 10,
  });
  if (!existsSync(results)) {
    report.fail(name, `no results, exit ${r.code} (see ${log})`);
    return;
  }
  const { passed, failed, failures } = JSON.parse(readFileSync(results, "utf8"));
  report.add({
    passed,
    failed,
    failures: failed > 0 ? [`${name}: ${failed} failed (see ${log})`, ...failures.map((f) => `  ${f}`)] : [],
  });
  if (r.code !== 0 && failed === 0) report.fail(name, `exit ${r.code}`);
}
