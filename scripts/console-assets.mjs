#!/usr/bin/env node
// The admin console's static files, outside the Worker's code: Workers Static Assets serves them
// (wrangler.admin.toml [assets]), so they cost the wasm bundle nothing (about 45 KiB of its gzip size when they
// were compiled in) and a browser revalidates them by ETag instead of the Worker answering each time.
//
//   node scripts/console-assets.mjs OUT_DIR
//
// writes OUT_DIR/admin/assets/:
//   - console.js and console.css, as written in src/admin/assets/;
//   - words/<tag>.js for every language but English: the language's column of src/i18n/strings.tsv as
//     `self.CONSOLE_WORDS = {English text: text}` (cells left empty fall back to English), which the
//     console page loads before console.js (src/admin/console.rs);
// and OUT_DIR/_headers (the headers Static Assets adds): nosniff on every file.
// The directory is emptied first: a file no longer built is not served.
// Run by scripts/build-worker.sh after the wasm build (so by `make build`, `wrangler dev` and `wrangler deploy`).
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** The URL path the files are served under; the Worker forwards it to the ASSETS binding (src/worker_adapter.rs). */
export const PREFIX = "/admin/assets/";

/** strings.tsv as `{ tag: { English: text } }`, English excluded. */
export function wordsByLanguage(tsv) {
  const [header, ...rows] = tsv.split("\n").filter((l) => l.trim() !== "");
  const tags = header.split("\t");
  const out = Object.fromEntries(tags.slice(1).map((tag) => [tag, {}]));
  for (const row of rows) {
    const cells = row.split("\t");
    tags.forEach((tag, i) => {
      if (i > 0 && cells[0] && cells[i]) out[tag][cells[0]] = cells[i];
    });
  }
  return out;
}

export function writeConsoleAssets(outDir) {
  rmSync(outDir, { recursive: true, force: true });
  const dir = join(outDir, PREFIX);
  mkdirSync(join(dir, "words"), { recursive: true });
  for (const file of ["console.js", "console.css"]) copyFileSync(join(ROOT, "src/admin/assets", file), join(dir, file));
  const words = wordsByLanguage(readFileSync(join(ROOT, "src/i18n/strings.tsv"), "utf8"));
  for (const [tag, table] of Object.entries(words)) {
    writeFileSync(join(dir, "words", `${tag}.js`), `self.CONSOLE_WORDS = ${JSON.stringify(table)};\n`);
  }
  writeFileSync(join(outDir, "_headers"), `${PREFIX}*\n  X-Content-Type-Options: nosniff\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const out = process.argv[2];
  if (!out) {
    console.error("usage: node scripts/console-assets.mjs OUT_DIR");
    process.exit(2);
  }
  writeConsoleAssets(resolve(out));
}
