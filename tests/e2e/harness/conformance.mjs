// The MCP conformance suites, through auth-proxy.mjs (the suites cannot send an Authorization header):
// the older suite's generic server scenarios (`conformance`, package.json's
// @modelcontextprotocol/conformance), then the current suite (`conformance-next`) for each protocol
// revision, with tests/e2e/conformance-baseline-<revision>.yml listing the scenarios that can only pass
// against the suite's own fixture server. Logs and checks.json files go to the artifacts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { installedVersion } from "../../../scripts/lib/versions.mjs";
import { waitForStart } from "./odoo.mjs";

const SCENARIOS = ["server-initialize", "ping", "tools-list", "dns-rebinding-protection", "logging-set-level"];
const REPORTED_ONLY = new Set(["logging-set-level"]); // run and reported, not counted
const REVISIONS = ["2026-07-28", "2025-11-25"];

/** `grep -E [-i] -A after re file | head -n max`, joined with spaces (what a failure line shows). */
function grepLines(file, re, { after = 0, max }) {
  let lines;
  try {
    lines = readFileSync(file, "utf8").split("\n");
  } catch {
    return "";
  }
  const out = [];
  let last = -1;
  lines.forEach((line, i) => {
    if (!re.test(line)) return;
    if (last >= 0 && i > last + 1) out.push("--");
    for (let j = Math.max(i, last + 1); j <= Math.min(i + after, lines.length - 1); j++) out.push(lines[j]);
    last = Math.max(last, i + after);
  });
  return out.slice(0, max).join(" ");
}

export async function runConformance(ctx, proxyPort) {
  const { art, report, groups, root, e2e } = ctx;
  const url = `http://127.0.0.1:${proxyPort}/mcp`;
  const older = installedVersion("@modelcontextprotocol/conformance");
  const current = installedVersion("conformance-next");
  console.log(`== conformance ${older} (through auth-proxy.mjs on :${proxyPort})`);
  const proxy = groups.start("proxy", process.execPath, [join(e2e, "auth-proxy.mjs")], {
    env: { ...ctx.env, KEY: ctx.setup.keys.conformance, LISTEN: String(proxyPort), TARGET: ctx.workerUrl },
    log: join(art, "proxy.log"),
  });
  await waitForStart(ctx, proxy, /auth-proxy listening/, 30);

  for (const s of SCENARIOS) {
    const log = join(art, `conformance-${s}.log`);
    const { code } = await groups.run(`conformance-${s}`, "conformance", ["server", "--url", url, "--scenario", s,
      "-o", join(art, "conformance")], { log, timeoutS: 180, killAfterS: 5 });
    if (REPORTED_ONLY.has(s)) {
      console.log(code === 0
        ? `  info conformance ${s}: passed (reported only)`
        : `  info conformance ${s}: FAILED, exit ${code} (reported only, not counted; see ${log})`);
    } else if (code === 0) {
      report.pass(`conformance ${s}`);
    } else {
      report.fail(`conformance ${s}`, `exit ${code}: ${grepLines(log, /FAILURE|Error/, { max: 3 })}`);
    }
  }

  // The current suite, frozen per revision, against the same URL: the stateless era and the session era.
  // Each baseline lists only scenarios that need the suite's own fixture tools, prompts or resources.
  for (const req of REVISIONS) {
    const log = join(art, `conformance-${req}.log`);
    const { code } = await groups.run(`conformance-${req}`, process.execPath, [
      join(root, "node_modules/conformance-next/dist/index.js"), "server", "--url", url, "--requirements", req,
      "--expected-failures", join(e2e, `conformance-baseline-${req}.yml`), "-o", join(art, `conformance-${req}`),
    ], { log, timeoutS: 900, killAfterS: 5 });
    if (code === 0) report.pass(`conformance ${current} --requirements ${req} (baseline: fixture-only scenarios)`);
    else report.fail(`conformance ${current} --requirements ${req}`, `exit ${code}: ${grepLines(log, /unexpected|stale/i, { after: 4, max: 12 })}`);
  }
  await groups.stop("proxy");
}
