#!/usr/bin/env node
// `make lint`: a pinned version quoted in the documentation (a command such as
// `npx @modelcontextprotocol/inspector@X`, `cargo install worker-build@X`, `mcp==X`) must be the version
// pinned in its single source: package.json for npm packages, scripts/versions.env for worker-build,
// cargo-fuzz, the Python `mcp` and n8n's node package, Cargo.lock for wasm-bindgen(-cli). The prose
// itself names no other version, so nothing else can go stale. Exits 1, listing each stale mention.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";
import { pins } from "./lib/versions.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const SKIP = new Set(["node_modules", "target", ".venv", ".cache", ".git", "build", "build-bench", "dist", ".demo", ".wrangler", "artifacts"]);

/** name -> the versions it may be quoted with. */
function pinned() {
  const map = new Map();
  const add = (name, v) => map.set(name, new Set([...(map.get(name) ?? []), v]));
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));
  for (const [name, spec] of Object.entries({ ...pkg.dependencies, ...pkg.devDependencies })) {
    // An alias (conformance-next = npm:@modelcontextprotocol/conformance@<version>) pins its real name too.
    const m = /^npm:(@?[^@]+)@(.+)$/.exec(spec);
    if (m) add(m[1], m[2]);
    else add(name, spec);
  }
  const env = pins(ROOT);
  add("worker-build", env.WORKER_BUILD_VERSION);
  add("cargo-fuzz", env.CARGO_FUZZ_VERSION);
  add("@n8n/n8n-nodes-langchain", env.N8N_NODES_LANGCHAIN_VERSION);
  add("mcp==", env.MCP_PY_VERSION);
  const wasmBindgen = execFileSync(join(ROOT, "scripts/versions.sh"), ["wasm-bindgen"], { encoding: "utf8" }).trim();
  add("wasm-bindgen-cli", wasmBindgen);
  add("wasm-bindgen", wasmBindgen);
  return map;
}

function markdownFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (SKIP.has(e.name)) return [];
    const path = join(dir, e.name);
    if (e.isDirectory()) return markdownFiles(path);
    return e.name.endsWith(".md") ? [path] : [];
  });
}

const versions = pinned();
const stale = [];
const MENTION = /(@?[a-z0-9][\w.-]*(?:\/[\w.-]+)?)@(\d+\.\d+\.\d+[\w.-]*)|\b(mcp==)(\d+\.\d+\.\d+[\w.-]*)/g;
for (const file of markdownFiles(ROOT)) {
  readFileSync(file, "utf8").split("\n").forEach((line, i) => {
    for (const m of line.matchAll(MENTION)) {
      const [name, version] = m[1] ? [m[1], m[2].replace(/[.,;:)]+$/, "")] : [m[3], m[4].replace(/[.,;:)]+$/, "")];
      const ok = versions.get(name);
      if (ok && !ok.has(version)) stale.push(`${relative(ROOT, file)}:${i + 1}: ${name}${name.endsWith("==") ? "" : "@"}${version}, pinned: ${[...ok].join(" or ")}`);
    }
  });
}
if (stale.length) {
  console.error(`check-versions: versions in the documentation that are not the pinned ones:\n  ${stale.join("\n  ")}`);
  process.exit(1);
}
console.log("check-versions: every version the documentation quotes is the pinned one");
