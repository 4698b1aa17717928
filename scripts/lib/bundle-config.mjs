// The wrangler configurations that run an already built pair of bundles as they are (scripts/build-worker.sh:
// BUILD/worker/shim.mjs, the `/mcp` Worker, and BUILD/admin/worker/shim.mjs, the admin Worker):
// wrangler.toml and wrangler.admin.toml without their [build] section (so that `wrangler dev` neither
// rebuilds at start nor when a source file changes), with `main` pointing at the bundle's absolute path
// and the admin Worker's [assets] at the console's files built beside it (BUILD/admin/assets). Used by the
// e2e harness, `make demo` and `make bench`, each writing its own copies next to its state; each passes
// both, the `/mcp` Worker's first (`wrangler dev -c MAIN -c ADMIN`, `scripts/serve.mjs --config MAIN --config ADMIN`).
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** `config`'s text (a file of `root`), [build] removed (up to and with the blank line that ends it),
 * `main` = bundle, the assets' `directory` = assets. */
export function bundleConfigText(config, bundle, assets, root = ROOT) {
  const out = [];
  let inBuild = false;
  for (const line of readFileSync(join(root, config), "utf8").split("\n")) {
    if (/^\[build\]/.test(line)) inBuild = true;
    else if (inBuild && line === "") inBuild = false;
    else if (inBuild) continue;
    else if (line.startsWith("main = ")) out.push(`main = ${JSON.stringify(bundle)}`);
    else if (line.startsWith("directory = ")) out.push(`directory = ${JSON.stringify(assets)}`);
    else out.push(line);
  }
  return out.join("\n");
}

/** Writes DIR/NAME.toml (the `/mcp` Worker's) and DIR/NAME.admin.toml (mode 600) for the bundles built in
 * `build`, and returns their paths: `[main, admin]`. */
export function writeBundleConfigs(dir, name, build, root = ROOT) {
  const assets = join(build, "admin", "assets");
  const files = [
    [join(dir, `${name}.toml`), "wrangler.toml", join(build, "worker", "shim.mjs")],
    [join(dir, `${name}.admin.toml`), "wrangler.admin.toml", join(build, "admin", "worker", "shim.mjs")],
  ];
  for (const [file, config, bundle] of files) writeFileSync(file, bundleConfigText(config, bundle, assets, root), { mode: 0o600 });
  return files.map(([file]) => file);
}
