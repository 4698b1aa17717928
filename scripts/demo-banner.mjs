// What `make demo` prints once it is ready (scripts/demo.mjs): where things are, the secrets of this
// run, and commands to paste. The e2e stage tests/e2e/demo.test.mjs reads this text as a newcomer
// would: the `MCP key:` and `Admin token:` lines, and the command lines (each on one line, shell-quoted
// with single or double quotes only, no variables) under "Try it".
import { npmPin } from "./lib/versions.mjs";

/** The Inspector as pinned in package.json; run from the repository, npx finds the installed one and
 * puts node_modules/.bin (Node 22) first on PATH. */
export const INSPECTOR = `@modelcontextprotocol/inspector@${npmPin("@modelcontextprotocol/inspector")}`;

// Plain words as they are; double quotes where nothing inside is special to the shell (as in the
// README's examples); single quotes otherwise.
const quote = (s) => {
  if (/^[\w@%+=:,./-]+$/.test(s)) return s;
  if (!/["$`\\!]/.test(s)) return `"${s}"`;
  return `'${s.replaceAll("'", `'\\''`)}'`;
};
const command = (argv) => argv.map(quote).join(" ");

/** The Inspector CLI command lines for `mcpUrl` and `key`: [tools/list, tools/call odoo_search]. */
export function inspectorCommands(mcpUrl, key) {
  const base = ["npx", INSPECTOR, "--cli", mcpUrl, "--transport", "http", "--header", `Authorization: Bearer ${key}`];
  return [
    command([...base, "--method", "tools/list"]),
    command([...base, "--method", "tools/call", "--tool-name", "odoo_search",
      "--tool-arg", "model=res.partner", 'fields=["name","city","email"]', "limit=5"]),
  ];
}

export function banner(b) {
  const mcpUrl = `${b.workerUrl}/mcp`;
  const [list, call] = inspectorCommands(mcpUrl, b.key);
  const rule = "=".repeat(100);
  return [
    "",
    rule,
    `Odoo MCP demo: ready in ${b.seconds} s`,
    `  fake Odoo ${b.major} with demo data:  ${b.odooUrl} (database ${b.database})`,
    `  the worker (wrangler dev):         ${b.workerUrl} (its own D1 in ${b.state})`,
    "",
    `  MCP URL:        ${mcpUrl}`,
    `  MCP key:        ${b.key}`,
    `                  read-only; works as the Odoo user ${b.demoLogin} ("Sales / User: Own Documents Only")`,
    `                  on ${b.models.join(", ")}`,
    `  Admin console:  ${b.workerUrl}/admin`,
    `  Admin token:    ${b.adminToken}`,
    "",
    "Try it (in another terminal, from this directory):",
    "  List the tools with the MCP Inspector:",
    `    ${list}`,
    "  Search the demo contacts:",
    `    ${call}`,
    "  Add the server to Claude Code (then ask it, e.g., \"which CRM opportunities are in the pipeline?\"):",
    `    ${b.claudeCode ?? command(["claude", "mcp", "add", "--transport", "http", "odoo", mcpUrl, "--header", `Authorization: Bearer ${b.key}`])}`,
    "",
    `Logs: ${b.logs.join(", ")}. Everything is new at each start (make demo again = a fresh demo).`,
    "Press Ctrl-C to stop.",
    rule,
    "",
  ].join("\n");
}
