// The Python SDK stage: tests/e2e/py_client_test.py under the project's .venv (the `mcp` version
// pinned in scripts/versions.env), 5 minutes at most, its output on the terminal and in
// artifacts/py_client.log; counted from the JSON it writes to artifacts/py_client.json.
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export async function runPythonClient(ctx) {
  const { art, report, groups, root, e2e } = ctx;
  console.log("== py_client");
  const log = join(art, "py_client.log");
  const results = join(art, "py_client.json");
  const r = await groups.run("py_client", join(root, ".venv/bin/python"), [join(e2e, "py_client_test.py")], {
    env: { ...ctx.env, E2E_PY_RESULTS: results }, log, tee: true, timeoutS: 300, killAfterS: 10,
  });
  if (!existsSync(results)) {
    report.fail("py_client", `no results, exit ${r.code} (see ${log})`);
    return;
  }
  const { passed, failed, failures } = JSON.parse(readFileSync(results, "utf8"));
  report.add({
    passed,
    failed,
    failures: failed > 0 ? [`py_client: ${failed} failed (see ${log})`, ...failures.map((f) => `  ${f}`)] : [],
  });
  if (r.code !== 0 && failed === 0) report.fail("py_client", `exit ${r.code}`);
}
