// Drops the `name` custom section (function names) from a built wasm, in place: node
// scripts/strip-wasm-names.mjs build/index_bg.wasm. Run by scripts/build-worker.sh after worker-build,
// which always asks wasm-opt to keep the names (`--debuginfo`) for readable stack traces; they are a
// quarter of the module's bytes and about 70 KiB of the upload's gzip size. Without them a trap's stack
// trace shows function indices instead of names; panic messages (text and source location) are unchanged.
// Every other section is copied byte for byte.
import { readFileSync, writeFileSync } from "node:fs";

const file = process.argv[2];
if (!file) {
  console.error("usage: node scripts/strip-wasm-names.mjs FILE.wasm");
  process.exit(2);
}
const wasm = readFileSync(file);
if (wasm.readUInt32BE(0) !== 0x0061736d) {
  console.error(`strip-wasm-names: ${file} is not a wasm module`);
  process.exit(1);
}

let at = 8;
// An unsigned LEB128 at `at`, moving `at` past it.
const uleb = () => {
  let value = 0;
  let scale = 1;
  for (;;) {
    const byte = wasm[at++];
    if (byte === undefined) throw new Error(`${file}: truncated section header`);
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return value;
    scale *= 128;
  }
};

const kept = [wasm.subarray(0, 8)];
let dropped = 0;
while (at < wasm.length) {
  const start = at;
  const id = wasm[at++];
  const size = uleb();
  const body = at;
  const end = body + size;
  if (end > wasm.length) throw new Error(`${file}: a section runs past the end of the file`);
  let name = null;
  if (id === 0) {
    const length = uleb();
    name = wasm.subarray(at, at + length).toString("utf8");
  }
  at = end;
  if (name === "name") dropped += end - start;
  else kept.push(wasm.subarray(start, end));
}
writeFileSync(file, Buffer.concat(kept));
console.log(`strip-wasm-names: ${file}: ${dropped} bytes of function names dropped`);
