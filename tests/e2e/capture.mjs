// Preloaded into every Node e2e stage (the harness sets NODE_OPTIONS=--import=…/capture.mjs, tests/e2e/harness/node-test.mjs): every answer
// the worker sends to these clients is appended to $E2E_RESPONSES_DIR/<pid>.log, so that the final
// secret scan covers response bodies too. Left out: the answers whose purpose is to hand out a secret:
// a key's issue (POST /admin/api/keys), OAuth tokens (POST /token) and a confidential client's secret
// (POST /register). Capturing never changes what a test sees: the test reads the original response,
// the copy is read on the side, and a failure to copy is ignored.
import { appendFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";

const dir = process.env.E2E_RESPONSES_DIR;
const origins = (process.env.E2E_CAPTURE_ORIGINS || "").split(",").filter(Boolean);
if (dir && origins.length && typeof globalThis.fetch === "function") {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${process.pid}.log`);
  const original = globalThis.fetch;
  globalThis.fetch = async function capturingFetch(input, init) {
    const res = await original(input, init);
    try {
      const url = new URL(typeof input === "string" || input instanceof URL ? String(input) : input.url);
      const method = String(init?.method ?? input?.method ?? "GET").toUpperCase();
      const handsOutSecret = method === "POST" && ["/admin/api/keys", "/token", "/register"].includes(url.pathname);
      if (origins.includes(url.origin) && !handsOutSecret && res.body) {
        res.clone().arrayBuffer().then(
          (body) => appendFileSync(file, Buffer.concat([Buffer.from(`\n== ${method} ${url.pathname} ${res.status}\n`), Buffer.from(body)])),
          () => {},
        );
      }
    } catch {
      // A request the capture cannot describe is simply not captured.
    }
    return res;
  };
}
