// The demo's worker configuration (make demo, scripts/demo.mjs): through the admin API, as an
// administrator would in the console, it connects the fake Odoo, enables read on the models the fake
// seeds with demo data, and issues a read-only MCP key for the fake's demo user.
import { adminClient } from "./admin-api.mjs";

/**
 * Models the fake Odoo seeds with records (tests/fake-odoo/README.md) that are not on the server's
 * sensitive list (src/policy/permissions.rs): res.users, res.groups and ir.* are left out on purpose,
 * the demo shows what an administrator would normally enable. The chatter tools read mail.message
 * through the thread's own model, so it needs no row of its own.
 */
export const DEMO_MODELS = [
  "res.partner",
  "crm.lead",
  "sale.order",
  "crm.stage",
  "crm.team",
  "res.country",
  "res.company",
];

/**
 * The fake's users (tests/fake-odoo/README.md): `admin` browses models in the console; `demo2`, a
 * "Sales / User: Own Documents Only" user, is the one the MCP key works as, so Odoo's own record rules
 * show through. Their API keys are the fake's built-in test constants: nothing secret is handed to the
 * fake on its command line (visible in `ps`), and the fake only listens on loopback.
 */
export const FAKE_USERS = {
  admin: { login: "admin", apiKey: "admin-api-key-0000000000000000000000000001" },
  demo: { login: "demo2", apiKey: "demo2-api-key-000000000000000000000000002" },
};

/**
 * Configures the worker at `workerUrl`. Returns `{connection, key, keyPrefix, claudeCode}`: the
 * connection as the API answered it, the MCP key (shown only here), its prefix and the issue's
 * ready-made `claude mcp add` line. Throws on the first step that fails, naming it.
 */
export async function configureDemo({ workerUrl, adminToken, odooUrl, database, major, log = () => {} }) {
  const call = adminClient(workerUrl, adminToken, { label: "demo", log });

  const { body: connection } = await call("POST", "/admin/api/connections", {
    name: `demo-odoo-${major}`,
    url: odooUrl,
    database,
    // The console's browsing user, so that its model and field pickers work in the demo too.
    odoo_login: FAKE_USERS.admin.login,
    odoo_api_key: FAKE_USERS.admin.apiKey,
  }, 201);
  if (!String(connection.odoo_version ?? "").startsWith(String(major))) {
    throw new Error(`demo: the connection detected Odoo ${connection.odoo_version}, expected ${major}.x`);
  }

  for (const model of DEMO_MODELS) {
    const { body: perm } = await call("PUT", `/admin/api/connections/${connection.id}/models/${model}`,
      { read: true }, 200);
    // A model the server blocks would make the demo look broken: fail here, where it is clear why.
    if (perm.blocked) throw new Error(`demo: ${model} is blocked: ${perm.blocked}`);
  }

  const { body: issued } = await call("POST", "/admin/api/keys", {
    connection_id: connection.id,
    label: "make demo (read-only)",
    odoo_login: FAKE_USERS.demo.login,
    odoo_api_key: FAKE_USERS.demo.apiKey,
    scope: { operations: ["read"] },
  }, 201);
  if (typeof issued.key !== "string" || !issued.key.startsWith("omcp_")) {
    throw new Error("demo: the key issue answered without an omcp_ key");
  }
  return {
    connection,
    key: issued.key,
    keyPrefix: issued.prefix,
    claudeCode: issued.snippets?.claude_code?.text,
  };
}
