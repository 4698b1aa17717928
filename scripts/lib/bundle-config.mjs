// The wrangler configuration that runs an already built bundle as it is: wrangler.toml without its
// [build] section (so that `wrangler dev` neither rebuilds at start nor when a source file changes) and
// with `main` pointing at the bundle's absolute path and [assets] at the console's files built beside it
// (BUNDLE_DIR/assets for BUNDLE_DIR/worker/shim.mjs). Used by the e2e harness, `make demo` and
// `make bench`, each writing its own copy next to its state.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** wrangler.toml's text, [build] removed (up to and with the blank line that ends it), `main` = bundle,
 * the assets' `directory` = the bundle's. */
export function bundleConfigText(bundle, root = ROOT) {
  const assets = join(dirname(dirname(bundle)), "assets");
  const out = [];
  let inBuild = false;
  for (const line of readFileSync(join(root, "wrangler.toml"), "utf8").split("\n")) {
    if (/^\[build\]/.test(line)) inBuild = true;
    else if (inBuild && line === "") inBuild = false;
    else if (inBuild) continue;
    else if (line.startsWith("main = ")) out.push(`main = ${JSON.stringify(bundle)}`);
    else if (line.startsWith("directory = ")) out.push(`directory = ${JSON.stringify(assets)}`);
    else out.push(line);
  }
  return out.join("\n");
}

/** Writes that configuration to `file` (mode 600) and returns `file`. */
export function writeBundleConfig(file, bundle, root = ROOT) {
  writeFileSync(file, bundleConfigText(bundle, root), { mode: 0o600 });
  return file;
}
