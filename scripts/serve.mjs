#!/usr/bin/env node
// The built bundles (build/worker/shim.mjs and build/admin/worker/shim.mjs, `make build`) in workerd through Miniflare, the engine
// `wrangler dev` runs, with nothing in front of it on port P, as deployed: neither wrangler dev's local
// proxy (about 7 ms per request here) nor Miniflare's own entry worker (about 0.8 ms at p50: P is a socket
// of workerd's that goes straight to the worker). No live reload, no rebuild: it serves the bundle as it is.
//
//   node scripts/serve.mjs --port P --persist-to DIR --env-file FILE [--config MAIN --config ADMIN] [--ip 127.0.0.1]
//                          [--inspector-port I]
//
// - each --config (wrangler.toml and wrangler.admin.toml by default, as `wrangler dev -c MAIN -c ADMIN`
//   takes them: the first is the one on P, the others are reached through its service bindings, by name)
//   gives a Worker's bundle (`main`), compatibility date and flags, D1 binding, service bindings, [vars]
//   and cron triggers, read by wrangler's own translation to Miniflare options (the one `wrangler dev`
//   uses), so nothing is repeated here; the same D1 database id is the same database;
// - --env-file (the .dev.vars format: KEY="value" lines) adds the secrets and local settings, over [vars],
//   to every Worker;
// - --persist-to DIR is laid out as `wrangler dev --persist-to DIR` lays it out (D1 under DIR/v3/d1), so
//   `wrangler d1 execute DB --local --persist-to DIR --file schema.sql` prepares the database it uses;
// - the scheduled handler is reachable as Miniflare offers it (and wrangler dev too, with or without
//   --test-scheduled), on the entry worker's own port Q, printed after the first line:
//   `curl "http://127.0.0.1:Q/cdn-cgi/local/scheduled?cron=17+3+*+*+*"`; wrangler dev --test-scheduled
//   also offers it as /__scheduled, through a wrapper it bundles in, which is not here (it would be in
//   front of every request);
// - prints exactly `listening on http://127.0.0.1:P` once /health answers 200 there, then
//   `scheduled handler: http://127.0.0.1:Q/cdn-cgi/local/scheduled`; the worker's console output follows
//   on stdout/stderr. Requests on P carry no CF-Connecting-IP (Miniflare's entry worker adds one): the
//   worker counts them all as one unknown network, as it would a deployment's requests without it;
// - --inspector-port I: the first Worker's V8 inspector (DevTools protocol) on I, through Miniflare's proxy
//   (ws://IP:I/NAME; it wants an `Origin` of localhost): what scripts/profile.mjs records a CPU profile with;
// - SIGTERM or SIGINT disposes of Miniflare (its workerd ends with it) and exits 0.
import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { waitForHttp } from "./lib/process.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const die = (m) => {
  console.error(`serve: ${m}`);
  process.exit(2);
};

let args;
try {
  ({ values: args } = parseArgs({
    options: {
      port: { type: "string" },
      ip: { type: "string", default: "127.0.0.1" },
      "persist-to": { type: "string" },
      "env-file": { type: "string" },
      "inspector-port": { type: "string" },
      config: { type: "string", multiple: true, default: [join(ROOT, "wrangler.toml"), join(ROOT, "wrangler.admin.toml")] },
    },
  }));
} catch (e) {
  die(e.message);
}
const port = Number(args.port);
if (!Number.isInteger(port) || port <= 0 || port > 65535) die("--port P is required (1 to 65535)");
if (!args["persist-to"]) die("--persist-to DIR is required");
if (!args["env-file"]) die("--env-file FILE is required");
const inspectorPort = args["inspector-port"] === undefined ? undefined : Number(args["inspector-port"]);
if (inspectorPort !== undefined && !(Number.isInteger(inspectorPort) && inspectorPort > 0 && inspectorPort <= 65535)) {
  die("--inspector-port I must be 1 to 65535");
}

// (Node 22 itself notices `--env-file` even after the script's name: for a missing file it stops first
// with "node: FILE: not found", exit 9; an existing file it leaves to this script.)
const envFile = resolve(args["env-file"]);
if (!existsSync(envFile)) die(`--env-file: no ${envFile}`);

// Wrangler's logger says only warnings and errors (not "Using secrets defined in …"): stdout is this
// script's `listening on` line and the worker's own output. Read when wrangler loads, hence the import here.
process.env.WRANGLER_LOG ??= "warn";
const { unstable_getMiniflareWorkerOptions, unstable_readConfig } = await import("wrangler");
const persist = resolve(args["persist-to"]);

// A bundle's modules, as wrangler dev lists them after bundling: the main module and every module it
// imports by a relative path, transitively, each typed by wrangler's module rules (the wasm one is
// CompiledWasm); `cloudflare:` imports are the runtime's own.
const ruleType = (rules, path) => {
  for (const { type, include } of rules ?? []) {
    if (include.some((glob) => path.endsWith(glob.replace(/^\*\*\/\*/, "")))) return type;
  }
  return "ESModule";
};
function bundleModules(entry, rules) {
  const seen = new Map();
  const visit = (path) => {
    if (seen.has(path)) return;
    const type = /\.m?js$/.test(path) ? "ESModule" : ruleType(rules, path);
    seen.set(path, { type, path });
    if (type !== "ESModule") return;
    const text = readFileSync(path, "utf8");
    for (const m of text.matchAll(/(?:\bfrom|\bimport)\s*["'](\.{1,2}\/[^"']+)["']/g)) visit(resolve(dirname(path), m[1]));
  };
  visit(entry);
  return [...seen.values()];
}

// Each configuration as a Miniflare worker; the env file is read as `wrangler dev --env-file FILE` reads it
// (and then .dev.vars is not).
const workers = args.config.map((file, i) => {
  const configPath = resolve(file);
  const config = unstable_readConfig({ config: configPath });
  const { workerOptions, main } = unstable_getMiniflareWorkerOptions(config, undefined, { envFiles: [envFile] });
  if (!main) die(`${configPath} names no main module`);
  const modules = bundleModules(main, workerOptions.modulesRules);
  delete workerOptions.modulesRules;
  return {
    ...workerOptions,
    name: config.name,
    modules,
    // The bundle's shim imports ../index.js: the modules' root is the directory above the main module's.
    modulesRoot: dirname(dirname(main)),
    // P is a socket of the first Worker's own, and so is the inspector, when asked for.
    ...(i === 0 ? { unsafeDirectSockets: [{ host: args.ip, port }], unsafeInspectorProxy: inspectorPort !== undefined } : {}),
  };
});

// The options in the shape wrangler gives them, converted as wrangler dev converts its own.
const mf = new Miniflare(convertV4MiniflareOptions({
  host: args.ip,
  // Miniflare's entry worker (the scheduled handler's route) on a port of its own; P is the direct socket.
  port: 0,
  // As `wrangler dev --persist-to DIR` passes it: DIR/v3, under which D1 keeps DIR/v3/d1.
  resourcePersistencePath: join(persist, "v3"),
  // /cdn-cgi/local/scheduled runs the cron handler (what wrangler dev's --test-scheduled offers).
  unsafeTriggerHandlers: true,
  ...(inspectorPort !== undefined ? { inspectorPort } : {}),
  workers,
}));

let stopping = null;
function stop() {
  stopping ??= mf.dispose().then(() => process.exit(0), (e) => {
    console.error(`serve: stopping: ${e.message}`);
    process.exit(1);
  });
  return stopping;
}
process.on("SIGTERM", stop);
process.on("SIGINT", stop);

try {
  const entry = await mf.ready;
  const direct = await mf.unsafeGetDirectURL(workers[0].name);
  const base = `http://${args.ip}:${direct.port}`;
  await waitForHttp(`${base}/health`, { label: "serve", timeoutS: 60, intervalMs: 20 });
  if (!stopping) {
    console.log(`listening on ${base}`);
    console.log(`scheduled handler: http://${args.ip}:${entry.port}/cdn-cgi/local/scheduled`);
  }
} catch (e) {
  if (stopping) await stopping; // a signal came first: the wait failed because of the stop itself
  console.error(`serve: ${e.message}`);
  await mf.dispose().catch(() => {});
  process.exit(1);
}
