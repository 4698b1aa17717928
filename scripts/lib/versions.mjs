// Pinned versions, read from their single sources so that no script repeats a number:
// scripts/versions.env (tools that are neither npm packages nor crates) and package.json (npm tools).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** The KEY=value pairs of scripts/versions.env. */
export function pins(root = ROOT) {
  const out = {};
  for (const line of readFileSync(join(root, "scripts/versions.env"), "utf8").split("\n")) {
    const m = /^([A-Z0-9_]+)=(\S+)$/.exec(line.trim());
    if (m) out[m[1]] = m[2];
  }
  return out;
}

/** One key of scripts/versions.env (throws when it is missing). */
export function pin(name, root = ROOT) {
  const v = pins(root)[name];
  if (!v) throw new Error(`no ${name} in scripts/versions.env`);
  return v;
}

/** The version package.json pins for an npm package, by the name it is installed under (an alias such
 * as conformance-next = npm:@modelcontextprotocol/conformance@<version> gives the alias's). */
export function npmPin(name, root = ROOT) {
  const { devDependencies = {}, dependencies = {} } = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
  const spec = devDependencies[name] ?? dependencies[name];
  if (!spec) throw new Error(`package.json pins no ${name}`);
  return spec.startsWith("npm:") ? spec.slice(spec.lastIndexOf("@") + 1) : spec;
}

/** The version of an npm package as installed in node_modules (what actually runs). */
export function installedVersion(name, root = ROOT) {
  return JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")).version;
}
