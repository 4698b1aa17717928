#!/usr/bin/env node
// Entry point of the end-to-end suite (`make test-e2e`, after `make setup` and `make build`; or
// `node tests/e2e/harness/main.mjs`): the release wasm worker in workerd (`wrangler dev`) against fake
// Odoo servers, driven by the real MCP clients. This file only makes sure the suite runs under the
// Node 22 of node_modules (it re-runs itself there when started with another node), then hands over to
// suite.mjs, which owns the order of the stages; tests/e2e/README.md says what each one tests.
//
// Environment (all optional):
//   FAKE_ODOO_BIN        use this fake Odoo binary instead of building tests/fake-odoo
//   E2E_READY_TIMEOUT    seconds to wait for wrangler dev to answer (default 300)
//   E2E_WRANGLER_ARGS    extra arguments for the main worker's `wrangler dev` (e.g. --config other.toml)
//   CHROMIUM_BIN         the Chromium for the browser stage (default: chromium on PATH)
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const node22 = fileURLToPath(new URL("../../../node_modules/.bin/node", import.meta.url));
if (!process.version.startsWith("v22.") && existsSync(node22)) {
  const child = spawn(node22, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: "inherit" });
  // A Ctrl-C in the terminal reaches both processes; the suite's own handling decides what happens.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) process.on(signal, () => child.kill(signal));
  child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
} else {
  const { main } = await import("./suite.mjs");
  await main();
}
