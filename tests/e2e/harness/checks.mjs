// The run's closing checks on the worker itself: no panic in either worker's log, the scheduled
// retention sweep (the cron trigger, through wrangler's --test-scheduled route), and secret hygiene: no
// issued MCP key, OAuth token, code or client secret, Odoo API key or the admin token in the workers'
// logs, anywhere in the D1 database (audit rows, keys, grants, sessions: keys and tokens are stored
// hashed, Odoo keys encrypted), or in any answer the worker gave the Node clients (capture.mjs; but the
// answers that hand a secret out). OAuth secrets are looked for twice: each one a test was given, and
// anything of their form (omat_, omrt_, omac_, omcs_ and 43 base64url characters).
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { httpStatus, sleep } from "../../../scripts/lib/process.mjs";

const PANIC = /panicked at|RuntimeError: unreachable/i;
// What an OAuth access token, refresh token, authorization code or client secret looks like
// (src/policy/tokens.rs): none may be written anywhere the scan reads, whoever it was issued to.
const OAUTH_SECRET = /om(?:at|rt|ac|cs)_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])/g;

const read = (file) => {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return "";
  }
};

export function checkNoPanic(ctx) {
  const logs = readdirSync(ctx.art).filter((f) => /^worker.*\.log$/.test(f)).sort();
  const hits = logs.flatMap((f) => read(join(ctx.art, f)).split("\n").filter((l) => PANIC.test(l)).slice(0, 3)
    .map((l) => `${join(ctx.art, f)}:${l}`));
  if (hits.length) ctx.report.fail("worker log has no panic", hits.join(" "));
  else ctx.report.pass("worker log has no panic");
}

/** The console's static files (scripts/console-assets.mjs), the admin Worker's [assets], from each of
 * `urls` (wrangler dev and scripts/serve.mjs): the public Worker hands them over its ADMIN binding, as it
 * does the rest of /admin. Each: the script, a language's words, nosniff, and a 404 for no file. */
export async function checkConsoleAssets(ctx, urls) {
  const problems = [];
  for (const url of urls) {
    const get = (path) => fetch(`${url}/admin/assets/${path}`).then(async (r) => ({ r, text: await r.text() }));
    const js = await get("console.js");
    if (js.r.status !== 200 || !/javascript/.test(js.r.headers.get("content-type")) || !js.text.includes("CONSOLE_WORDS")) {
      problems.push(`${url}: console.js ${js.r.status} ${js.r.headers.get("content-type")}`);
    }
    if (js.r.headers.get("x-content-type-options") !== "nosniff") problems.push(`${url}: console.js without nosniff`);
    const fr = await get("words/fr.js");
    if (fr.r.status !== 200 || !fr.text.startsWith("self.CONSOLE_WORDS = ") || !fr.text.includes('"Sign in":"Se connecter"')) {
      problems.push(`${url}: words/fr.js ${fr.r.status}: ${fr.text.slice(0, 80)}`);
    }
    const none = await get("words/xx.js");
    if (none.r.status !== 404) problems.push(`${url}: a file not built answered ${none.r.status}`);
  }
  if (problems.length) ctx.report.fail("console assets", problems.join("; "));
  else ctx.report.pass(`console assets served by the admin Worker (${urls.length} runners)`);
}

/** The two Workers behind each of `urls` (README, "Deploy to Cloudflare"): `/health` is the `/mcp` Worker's
 * own (no admin token of its own), `/admin/health` the admin Worker's, reached through the first one's
 * service binding; both name the same CREDENTIALS_KEY, and neither shows it. */
export async function checkTwoWorkers(ctx, urls) {
  const problems = [];
  for (const url of urls) {
    const get = (path) => fetch(`${url}${path}`).then(async (r) => ({ status: r.status, body: await r.json().catch(() => null) }));
    const [mcp, admin] = [await get("/health"), await get("/admin/health")];
    if (mcp.status !== 200 || admin.status !== 200) problems.push(`${url}: /health ${mcp.status}, /admin/health ${admin.status}`);
    else {
      if ("admin_token_set" in mcp.body) problems.push(`${url}: /health answered by a Worker with the admin half`);
      if (admin.body.admin_token_set !== true) problems.push(`${url}: /admin/health without its admin token`);
      const id = mcp.body.credentials_key_id;
      if (!/^[0-9a-f]{8}$/.test(id ?? "") || admin.body.credentials_key_id !== id) {
        problems.push(`${url}: credentials_key_id ${id} and ${admin.body.credentials_key_id}`);
      }
    }
  }
  if (problems.length) ctx.report.fail("two Workers", problems.join("; "));
  else ctx.report.pass(`two Workers, one key: /health and /admin/health (${urls.length} runners)`);
}

export async function checkRetentionCron(ctx) {
  const code = await httpStatus(`${ctx.workerUrl}/__scheduled?cron=17+3+*+*+*`, { requestTimeoutMs: 30_000 });
  let swept = false;
  if (code === 200) {
    // A bounded wait for workerd to flush the handler's log line.
    for (let i = 0; i < 50 && !swept; i++) {
      swept = read(ctx.workerLog).includes('"event":"retention","outcome":"ok"');
      if (!swept) await sleep(200);
    }
  }
  if (swept) ctx.report.pass("scheduled retention sweep runs (cron trigger)");
  else ctx.report.fail("scheduled retention sweep", `HTTP ${String(code).padStart(3, "0")}; no retention line in worker.log`);
}

/** Every file under `dir` (none if it does not exist). */
function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true }).map((f) => join(dir, f)).filter((f) => statSync(f).isFile());
}

export function checkSecretHygiene(ctx) {
  const { art, setup, fakes, report } = ctx;
  const label = "no key, OAuth token or client secret, Odoo API key or admin token in the worker log, the D1 database or any answer to the Node clients";
  try {
    const secrets = [setup.admin_token, ...Object.values(setup.keys),
      ...Object.values(fakes).flatMap((f) => [f.admin, f.demo2]),
      ...read(join(art, "extra-secrets")).split(/\s+/)]
      .filter((s) => typeof s === "string" && s.length >= 16);
    if (secrets.length < 8) throw new Error(`too few secrets to check: ${secrets.length}`);
    const logs = ["worker.log", "worker2.log"].map((f) => join(art, f)).filter((f) => existsSync(f));
    const responses = filesUnder(join(art, "responses"));
    const files = [...logs, ...filesUnder(join(art, "state")), ...responses];
    const answers = responses.reduce((n, f) => n + readFileSync(f, "latin1").split("\n== ").length - 1, 0);
    if (answers < 200) throw new Error(`too few captured worker answers to trust the scan: ${answers}`);
    const oauth = secrets.filter((s) => /^om(at|rt|ac|cs)_/.test(s));
    const kinds = new Set(oauth.map((s) => s.slice(0, 5)));
    // The OAuth stages hand out every kind; a scan that was given none of one could not see it leak.
    if (!["omat_", "omrt_", "omac_", "omcs_"].every((k) => kinds.has(k))) {
      throw new Error(`OAuth secrets to look for: ${[...kinds].join(", ") || "none"} (expected omat_, omrt_, omac_, omcs_)`);
    }
    const hits = [];
    for (const f of files) {
      const bytes = readFileSync(f);
      for (const s of secrets) if (bytes.includes(s)) hits.push([f, s.slice(0, 6)]);
      for (const m of bytes.toString("latin1").matchAll(OAUTH_SECRET)) hits.push([f, m[0].slice(0, 6)]);
    }
    console.log(`  scanned ${files.length} files (${answers} worker answers) for ${secrets.length} secrets (${oauth.length} OAuth) and the OAuth secrets' form`);
    if (hits.length) {
      console.log(`  found (file, secret's first characters): ${JSON.stringify(hits)}`);
      report.fail("secret hygiene", "a secret was found (see above)");
      return;
    }
    report.pass(label);
  } catch (e) {
    console.log(`  ${e.message}`);
    report.fail("secret hygiene", "the scan could not be trusted (see above)");
  }
}
