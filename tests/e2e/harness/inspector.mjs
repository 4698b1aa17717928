// The Inspector CLI stage (the MCP Inspector pinned in package.json, `mcp-inspector --cli`): its exit
// codes (0 served, 5 a tool error, 3 a refused key, 1 a failed request), pagination followed by the
// Inspector itself, the stateless lane for `--protocol-era auto` (read from the worker log), and
// resources and prompts in both eras. Each call's stdout and stderr are kept as
// artifacts/inspector-<name>.out / .err; the Inspector's home is a temporary directory in the artifacts.
import { mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sleep } from "../../../scripts/lib/process.mjs";

const readHead = (file, n) => {
  try {
    return readFileSync(file, "utf8").slice(0, n);
  } catch {
    return "";
  }
};
const readTail = (file, n) => {
  try {
    return readFileSync(file, "utf8").slice(-n);
  } catch {
    return "";
  }
};

export async function runInspector(ctx) {
  const { art, report, groups } = ctx;
  console.log("== inspector CLI");
  const home = mkdtempSync(join(art, "inspector-home."));
  const mcpUrl = `${ctx.workerUrl}/mcp`;
  const key19 = ctx.setup.keys.admin19;
  const out = (name) => join(art, `inspector-${name}.out`);

  /** One Inspector call; true when it exits with `want` (a pass), false otherwise (a failure). */
  async function expectExit(label, want, name, key, args) {
    const err = join(art, `inspector-${name}.err`);
    const r = await groups.run(`inspector-${name}`, "mcp-inspector", ["--cli", mcpUrl, "--transport", "http",
      "--header", `Authorization: Bearer ${key}`, "--stored-auth-only", "--format", "json", ...args], {
      env: { ...ctx.env, HOME: home, MCP_INSPECTOR_SECRET_STORE: "memory" },
      log: out(name), errLog: err, timeoutS: 120, killAfterS: 5,
    });
    if (r.code === want) {
      report.pass(`${label} (exit ${r.code})`);
      return true;
    }
    report.fail(label, `exit ${r.code}, expected ${want}: ${readTail(err, 300).replaceAll("\n", " ")}`);
    return false;
  }

  /** "<tools on the page> <has nextCursor>" of a tools/list output. */
  function toolsPage(name) {
    try {
      const r = JSON.parse(readFileSync(out(name), "utf8"));
      const p = r.result ?? r;
      return `${(p.tools ?? []).length} ${Boolean(p.nextCursor)}`;
    } catch {
      return "0 false";
    }
  }

  /** The Inspector's JSON result must satisfy `cond`. */
  function expectResult(label, name, cond) {
    let ok = false;
    try {
      ok = Boolean(cond(JSON.parse(readFileSync(out(name), "utf8")).result));
    } catch {
      ok = false;
    }
    if (ok) report.pass(label);
    else report.fail(label, readHead(out(name), 300));
  }

  const eraLines = (era) => {
    try {
      return readFileSync(ctx.workerLog, "utf8").split("\n").filter((l) => l.includes(`"era":"${era}"`)).length;
    } catch {
      return 0;
    }
  };

  if (await expectExit("inspector tools/list", 0, "tools-list", key19, ["--method", "tools/list"])) {
    // The Inspector (TS SDK 2.x inside) follows nextCursor itself: the read-only key's 6 tools from two pages of
    // 3, no cursor left.
    const page = toolsPage("tools-list");
    if (page === "6 false") report.pass("inspector tools/list gathers the key's 6 tools over two pages");
    else report.fail("inspector tools/list pages", `got ${page}`);
  }
  const beforeStateless = eraLines("stateless");
  if (await expectExit("inspector --protocol-era auto tools/list", 0, "tools-list-auto", key19, ["--protocol-era", "auto", "--method", "tools/list"])) {
    const page = toolsPage("tools-list-auto");
    if (page === "6 false") report.pass("inspector (auto era) tools/list gathers the key's 6 tools");
    else report.fail("inspector (auto era) tools/list pages", `got ${page}`);
    // The worker logs each request's era: the auto-era Inspector must have been served statelessly.
    for (let i = 0; i < 50 && eraLines("stateless") <= beforeStateless; i++) await sleep(100);
    if (eraLines("stateless") > beforeStateless) report.pass("inspector --protocol-era auto is served on the stateless lane");
    else report.fail("inspector auto era", "no stateless request in worker.log");
  }
  await expectExit("inspector tools/call odoo_search res.partner", 0, "call-search", key19,
    ["--method", "tools/call", "--tool-name", "odoo_search", "--tool-args-json", '{"model":"res.partner","fields":["name"],"limit":3}']);
  await expectExit("inspector tools/call on a refused model (res.users)", 5, "call-refused", key19,
    ["--method", "tools/call", "--tool-name", "odoo_search", "--tool-args-json", '{"model":"res.users","limit":1}']);
  await expectExit("inspector with a wrong key", 3, "wrong-key", "omcp_wrongwrongwrongwrongwrongwrongwrong00", ["--method", "tools/list"]);

  // Resources and prompts through the Inspector, in both eras.
  if (await expectExit("inspector resources/list", 0, "resources-list", key19, ["--method", "resources/list"])) {
    expectResult("inspector resources/list gathers odoo://models and each readable model over pages", "resources-list",
      (r) => r.nextCursor === undefined && r.resources.length > 3 && r.resources[0].uri === "odoo://models"
        && ["odoo://res.partner", "odoo://res.partner/fields", "odoo://crm.lead"].every((u) => r.resources.some((x) => x.uri === u)));
  }
  if (await expectExit("inspector resources/read a record URI", 0, "read-record", key19, ["--method", "resources/read", "--uri", "odoo://res.partner/15?fields=name,city"])) {
    expectResult("inspector resources/read: the record with the fields asked for", "read-record",
      (r) => JSON.stringify(JSON.parse(r.contents[0].text).record) === JSON.stringify({ city: "Fremont", id: 15, name: "Azure Interior" }));
  }
  if (await expectExit("inspector --protocol-era auto resources/read", 0, "read-record-auto", key19, ["--protocol-era", "auto", "--method", "resources/read", "--uri", "odoo://res.partner/15?fields=name"])) {
    expectResult("inspector (auto era) resources/read carries ttlMs 0 and cacheScope private", "read-record-auto",
      (r) => r.ttlMs === 0 && r.cacheScope === "private" && JSON.parse(r.contents[0].text).record.name === "Azure Interior");
  }
  await expectExit("inspector resources/read of a missing record fails", 1, "read-missing", key19, ["--method", "resources/read", "--uri", "odoo://res.partner/987654321"]);
  if (await expectExit("inspector prompts/get customer_overview", 0, "prompt-get", key19, ["--method", "prompts/get", "--prompt-name", "customer_overview", "--prompt-args", "customer=Azure Interior"])) {
    expectResult("inspector prompts/get resolves the customer by name", "prompt-get",
      (r) => r.messages[0].content.text.includes('res.partner 15 ("Azure Interior")'));
  }
}
