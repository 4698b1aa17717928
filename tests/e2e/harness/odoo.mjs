// The fake Odoo servers of the run (tests/fake-odoo): built once (cargo build -p fake-odoo, unless
// FAKE_ODOO_BIN names a binary), then three instances on free loopback ports, each in its own process
// group with fresh API keys: Odoo 19 (fake19), Odoo 17 (fake17), and a 19 that is stopped once the
// worker is configured (fakedown), so that one connection's Odoo is down.
import { join } from "node:path";
import { tail, WaitError, waitForLog } from "../../../scripts/lib/process.mjs";
import { executable, randHex } from "./context.mjs";

const LISTENING = /fake-odoo listening on http:\/\/127\.0\.0\.1:[0-9]+/;

/** Builds the fake (unless given one), starts the three instances on `ports` and waits for each. */
export async function startFakes(ctx, ports) {
  const { report, groups, art, options } = ctx;
  let bin = options.fakeOdooBin;
  if (!bin) {
    report.log("building fake-odoo (cargo build -p fake-odoo)");
    const log = join(art, "fake-odoo-build.log");
    const r = await groups.run("fake-odoo-build", "cargo", ["build", "-p", "fake-odoo", "--bins"], { log });
    if (r.code !== 0) {
      console.log(tail(log, 30));
      report.abort("build fake-odoo", `see ${log}`);
    }
    bin = join(options.cargoTarget, "debug/fake-odoo");
  }
  if (!executable(bin)) report.abort("build fake-odoo", `${bin} not found (tests/fake-odoo needs a fake-odoo binary)`);

  const specs = [["fake19", "19", ports.fake19, "mcptest"], ["fake17", "17", ports.fake17, "mcptest17"], ["fakedown", "19", ports.fakedown, "mcptest"]];
  for (const [name, version, port, db] of specs) {
    const fake = { version, port, db, url: `http://127.0.0.1:${port}`, admin: randHex(), demo2: randHex() };
    fake.handle = groups.start(name, bin, ["--version", version, "--port", String(port), "--database", db,
      "--admin-key", fake.admin, "--demo2-key", fake.demo2], { log: join(art, `${name}.log`) });
    ctx.fakes[name] = fake;
  }
  for (const name of Object.keys(ctx.fakes)) await waitForStart(ctx, ctx.fakes[name].handle, LISTENING, 30);
  report.log(`fake Odoo 19 on :${ports.fake19}, 17 on :${ports.fake17}, to-be-stopped 19 on :${ports.fakedown}`);
}

/** Waits for `re` in a started group's log; on failure prints the log's tail and aborts the run. */
export async function waitForStart(ctx, handle, re, timeoutS) {
  try {
    await waitForLog(handle, re, { timeoutS });
  } catch (e) {
    if (!(e instanceof WaitError)) throw e;
    console.log(tail(handle.log, 20));
    ctx.report.abort(`${handle.name} start`, e.reason === "exited" ? `exited before printing /${re.source}/` : `no /${re.source}/ within ${timeoutS}s`);
  }
}

/** The environment variables that hand the fakes' URLs and keys to setup.mjs and the test stages. */
export function fakeEnv(ctx, names, { demo2 = true } = {}) {
  const env = {};
  for (const name of names) {
    const f = ctx.fakes[name];
    const up = name.toUpperCase();
    env[`${up}_URL`] = f.url;
    env[`${up}_ADMIN_KEY`] = f.admin;
    if (demo2) env[`${up}_DEMO2_KEY`] = f.demo2;
  }
  return env;
}
