// The admin console in headless Chromium (Debian `chromium`, driven by playwright-core): an
// administrator signs in, adds a connection against the fake Odoo 19, enables models and a field
// policy, issues a scoped key and copies it, an MCP client (TS SDK) uses it and meets every rule,
// the key is revoked mid-session, and the audit view shows what happened; the OAuth view offers sign-in
// on the connection, lists the grant a person then makes, and revokes it. Screenshots go to
// $E2E_ARTIFACTS/browser-*.png.
import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync } from "node:fs";
import { chromium } from "playwright-core";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { admin, grantByHttp, loadSetup, rawSession } from "./lib.mjs";

const setup = loadSetup();
const base = setup.worker_url;
const art = process.env.E2E_ARTIFACTS;
const chromiumPath = process.env.CHROMIUM_BIN || "/usr/bin/chromium";
const fake = { url: process.env.FAKE19_URL, admin: process.env.FAKE19_ADMIN_KEY, demo2: process.env.FAKE19_DEMO2_KEY };

async function shot(page, name) {
  if (art) await page.screenshot({ path: `${art}/browser-${name}.png`, fullPage: true });
}

// The console reports each save in a toast; waiting for it means the API call has finished.
async function toast(page, pattern) {
  await page.locator("#toast.show").filter({ hasText: pattern }).waitFor({ timeout: 15_000 });
  await page.evaluate(() => { document.getElementById("toast").className = ""; });
}

async function mcpClient(key) {
  const client = new Client({ name: "e2e-browser", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers: { authorization: `Bearer ${key}` } } }));
  return client;
}

const text = (r) => r.content.map((c) => c.text ?? "").join("\n");

test("an administrator governs everything from the browser", async (t) => {
  assert.ok(fake.url && fake.admin && fake.demo2, "FAKE19_URL, FAKE19_ADMIN_KEY and FAKE19_DEMO2_KEY are set by the e2e harness");
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("dialog", (d) => d.accept());
  let key;
  let client;
  try {
    await t.test("a wrong token is refused, the right one signs in", async () => {
      await page.goto(`${base}/admin`);
      await shot(page, "1-login");
      await page.fill("#token", "not-the-token");
      await page.click("#login");
      await page.locator(".error").waitFor();
      await page.fill("#token", setup.admin_token);
      await page.click("#login");
      await page.locator("#connections").waitFor();
      const cookies = await context.cookies();
      const session = cookies.find((c) => c.name === "omcp_admin");
      assert.ok(session && session.httpOnly && session.sameSite === "Strict", JSON.stringify(cookies));
      const icon = await page.evaluate(async () => { const r = await fetch("/favicon.ico"); return [r.status, r.headers.get("content-type")]; });
      assert.deepEqual(icon, [200, "image/svg+xml"], "/favicon.ico is served");
    });

    await t.test("adds a connection and tests it", async () => {
      const form = page.locator("#add-connection");
      await form.locator("input[name=name]").fill("browser-c19");
      await form.locator("input[name=url]").fill(fake.url);
      await form.locator("input[name=database]").fill("mcptest");
      await form.locator("input[name=odoo_login]").fill("admin");
      await form.locator("input[name=odoo_api_key]").fill(fake.admin);
      await form.locator("button[type=submit]").click();
      await toast(page, "Saved browser-c19: Odoo 19");
      await page.click("[data-test=test-browser-c19]");
      await page.locator("#test-result").filter({ hasText: "Browsing user: ok" }).waitFor();
      assert.match(await page.locator("#connections").innerText(), /browser-c19[\s\S]*19\.0[\s\S]*json2/);
      await shot(page, "2-connections");
    });

    await t.test("enables models and hides a field", async () => {
      await page.goto(`${base}/admin#models`);
      await page.locator("#app[data-loaded^=models]").waitFor();
      const id = await page.locator("#connection option", { hasText: "browser-c19" }).getAttribute("value");
      await page.selectOption("#connection", id);
      await page.locator(`#app[data-loaded='models:${id}']`).waitFor();
      await page.fill("#model-search", "partner");
      await page.locator("form.inline button[type=submit]").click();
      const partner = page.locator("#model-results tr[data-row='res.partner']");
      await partner.waitFor();
      await partner.locator("input[data-op=read]").check();
      await toast(page, "Saved res.partner");
      // Enabled, it moves to the top and is no longer a search result: a model is listed once.
      await page.locator("#enabled-models tr[data-row='res.partner']").waitFor();
      await page.locator("#model-results tr[data-row='res.partner']").waitFor({ state: "detached" });
      assert.equal(await page.locator("tr[data-row='res.partner']").count(), 1, "res.partner is listed once");
      await page.fill("#model-search", "crm.lead");
      await page.locator("form.inline button[type=submit]").click();
      const lead = page.locator("#model-results tr[data-row='crm.lead']");
      await lead.waitFor();
      await lead.locator("input[data-op=read]").check();
      await toast(page, "Saved crm.lead");
      await page.fill("#model-search", "res.users");
      await page.locator("form.inline button[type=submit]").click();
      const users = page.locator("#model-results tr[data-row='res.users']");
      await users.waitFor();
      assert.match(await users.innerText(), /locked/, "sensitive models are shown locked");
      // The search narrows the enabled models too; cleared, every enabled model is listed.
      assert.equal(await page.locator("#enabled-models tr[data-row='res.partner']").count(), 0, "the search narrows the enabled models");
      await page.fill("#model-search", "");
      await page.locator("form.inline button[type=submit]").click();
      await page.locator("#enabled-models tr[data-row='res.partner']").waitFor();

      await page.locator("#enabled-models [data-fields='res.partner']").click();
      await page.locator("#field-editor [data-field=email]").waitFor();
      // The editor opens under the model's row, with a filter over the fields and "select all shown".
      assert.equal(await page.locator("#enabled-models tr.editor #field-editor").count(), 1, "the field editor is inline");
      await page.selectOption("#field-mode", "deny");
      await page.fill("#field-filter", "email");
      assert.ok(await page.locator("#field-editor [data-field=name]").isHidden(), "the filter hides the other fields");
      await page.click("#select-shown");
      assert.ok(await page.locator("#field-editor [data-field=email]").isChecked());
      await page.locator("#field-editor label.field:visible input:checked").evaluateAll((els) => els.filter((e) => e.value !== "email").forEach((e) => e.click()));
      await page.click("#save-fields");
      await toast(page, "Saved the field policy of res.partner");
      await page.locator("#enabled-models tr[data-row='res.partner']", { hasText: "deny 1" }).waitFor();

      // Actions: crm.lead's usual button methods are offered with what they do; one is allowed.
      await page.locator("#enabled-models [data-actions='crm.lead']").click();
      const won = page.locator("[data-action=action_set_won_rainbowman]");
      await won.waitFor();
      assert.match(await page.locator("#field-editor").innerText(), /action_set_lost[\s\S]*lost/);
      await won.check();
      await page.click("#save-actions");
      await toast(page, "Saved crm.lead");
      await page.locator("#enabled-models tr[data-row='crm.lead']", { hasText: "action_set_won_rainbowman" }).waitFor();
      await shot(page, "3-models");
    });

    await t.test("issues a scoped key and copies it", async () => {
      await page.goto(`${base}/admin#keys`);
      await page.locator("#app[data-loaded^=keys]").waitFor();
      const form = page.locator("#issue-key");
      // Least privilege by default: only read is ticked.
      for (const op of ["read", "create", "update", "delete", "action"]) {
        assert.equal(await form.locator(`[data-scope-op=${op}]`).isChecked(), op === "read", `${op} by default`);
      }
      // And should it ever delete or press buttons, it asks its person first.
      for (const op of ["delete", "action"]) {
        assert.equal(await form.locator(`[data-approval-op=${op}]`).isChecked(), true, `approval before ${op} by default`);
      }
      await form.locator("select[name=connection_id]").selectOption({ label: "browser-c19" });
      await form.locator("input[name=label]").fill("browser key");
      await form.locator("input[name=odoo_login]").fill("demo2");
      await form.locator("input[name=odoo_api_key]").fill(fake.demo2);
      await form.locator("input[name=scope_models]").fill("res.partner");
      // A failed attempt first (no operation ticked): its error must go once the next attempt succeeds.
      await form.locator("[data-scope-op=read]").uncheck();
      await form.locator("button[type=submit]").click();
      await page.locator("#toast.show.error").filter({ hasText: "Tick at least one operation" }).waitFor();
      await form.locator("[data-scope-op=read]").check();
      const issue = page.waitForResponse((r) => r.request().method() === "POST" && new URL(r.url()).pathname === "/admin/api/keys");
      await form.locator("button[type=submit]").click();
      const issued = await (await issue).json();
      await page.locator("#new-key").waitFor();
      key = (await page.locator("#new-key").innerText()).trim();
      assert.equal(await page.locator("#toast.error").count(), 0, "the earlier error is cleared by the success");
      assert.match(key, /^omcp_/);
      if (process.env.E2E_EXTRA_SECRETS) appendFileSync(process.env.E2E_EXTRA_SECRETS, `${key}\n`, { mode: 0o600 });
      await page.click("#copy-key");
      await toast(page, "copied");
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), key, "the Copy button put the key on the clipboard");
      // "Connect an AI assistant" shows the five client snippets of the API's answer, as they are, filled
      // in with this key and this worker's MCP endpoint (clients.test.mjs runs each in its client).
      const ids = ["claude_code", "claude_desktop", "cursor", "n8n", "vscode"];
      assert.deepEqual(Object.keys(issued.snippets).sort(), ids);
      assert.deepEqual((await page.locator("[data-snippet]").evaluateAll((els) => els.map((e) => e.dataset.snippet))).sort(), ids);
      for (const id of ids) {
        const s = issued.snippets[id];
        const card = page.locator(`[data-snippet=${id}]`);
        assert.equal(await card.locator("h3").innerText(), s.title, id);
        assert.equal(await card.locator(".hint").innerText(), s.where, id);
        assert.equal(await card.locator("pre").evaluate((e) => e.textContent), s.text, id);
        assert.ok(s.text.includes(`${base}/mcp`), `${id} has this worker's endpoint`);
        const shown = await card.innerText();
        assert.ok(shown.includes(key), `${id} shows the issued key`);
        if (s.then) assert.equal(await card.locator(".then").innerText(), s.then, id);
      }
      await page.locator("[data-snippet=vscode] button").click();
      await toast(page, "copied");
      assert.equal(await page.evaluate(() => navigator.clipboard.readText()), issued.snippets.vscode.text, "a snippet's Copy button copies its text");
      await shot(page, "4-key-issued");
      await page.reload();
      await page.locator("#app[data-loaded^=keys]").waitFor();
      assert.doesNotMatch(await page.content(), new RegExp(key), "the key is shown once");
      assert.match(await page.locator("#keys").innerText(), /browser key[\s\S]*demo2[\s\S]*active/);
      // Scope, rate limit and expiry in words, the default's number said; never used yet.
      const row = await page.locator("#keys tr", { hasText: "browser key" }).innerText();
      assert.match(row, /read on 1 model, \d+ per minute \(default\), never expires/, row);
      assert.match(row, /never/, row);
      assert.doesNotMatch(row, /[{}"]/, "no JSON in the row");
      assert.match(row, /asks before delete, action/, row);
      // The person's approval can be lifted, and the row says so.
      await page.locator('[data-approval="browser key"]').click();
      await toast(page, "no longer asks its person first");
      // The list is drawn again from the API: wait for the row without the words.
      await page.waitForFunction(() => [...document.querySelectorAll("#keys tr")].some((r) => r.innerText.includes("browser key") && !r.innerText.includes("asks before")));
      assert.match(await page.locator("[data-approval='browser key']").innerText(), /Ask first/);
      // Where it acts: a time zone set in place, checked by Odoo, said in the row.
      await page.locator("[data-context='browser key']").click();
      await page.locator("#key-context input[name=tz]").fill("Europe/Brussels");
      await page.locator("#key-context button[type=submit]").click();
      await toast(page, "acts in its new companies");
      await page.waitForFunction(() => [...document.querySelectorAll("#keys tr")].some((r) => r.innerText.includes("browser key") && r.innerText.includes("Europe/Brussels")));
    });

    await t.test("an MCP client meets every rule set in the console", async () => {
      client = await mcpClient(key);
      let r = await client.callTool({ name: "odoo_search", arguments: { model: "res.partner", fields: ["name", "email"], limit: 2 } });
      assert.ok(!r.isError, text(r));
      assert.ok(r.structuredContent.records.length > 0);
      for (const rec of r.structuredContent.records) assert.equal(rec.email, undefined, "the hidden field never comes back");
      assert.equal(r.structuredContent.dropped_fields[0].field, "email");
      r = await client.callTool({ name: "odoo_search", arguments: { model: "res.partner", domain: [["email", "ilike", "@"]] } });
      assert.ok(r.isError && /field policy/.test(text(r)), text(r));
      // Three times: consecutive identical events are one line in the audit.
      for (let i = 0; i < 3; i++) {
        r = await client.callTool({ name: "odoo_search", arguments: { model: "crm.lead" } });
        assert.ok(r.isError && /scope/.test(text(r)), "crm.lead is enabled but outside the key's scope: " + text(r));
      }
      r = await client.callTool({ name: "odoo_describe_model", arguments: { model: "res.partner" } });
      assert.ok(!r.structuredContent.fields.some((f) => f.name === "email"));
    });

    await t.test("revoking stops the key mid-session", async () => {
      await page.goto(`${base}/admin#keys`);
      await page.locator("#app[data-loaded^=keys]").waitFor();
      await page.click("[data-revoke='browser key']");
      await toast(page, "Revoked browser key");
      // The toast comes before the view is drawn again: wait for the row to say it.
      await page.locator("#keys tr", { hasText: "browser key" }).filter({ hasText: "revoked" }).waitFor();
      await assert.rejects(client.callTool({ name: "odoo_search", arguments: { model: "res.partner", limit: 1 } }), /401|revoked|Unauthorized/i);
    });

    await t.test("the audit view shows what happened in words, one line each, filters and exports", async () => {
      await page.goto(`${base}/admin#audit`);
      await page.locator("#app[data-loaded^=audit]").waitFor();
      const audit = page.locator("#audit");
      const all = await audit.innerText();
      for (const needle of ["Tool call: odoo_search", "Refused by a permission", "Administrator revoked a key", "Administrator changed a field policy",
        "Administrator tested a connection", "Failed authentication (console sign-in)", "wrong key or token", "revoked"]) {
        assert.ok(all.includes(needle), `${needle} in ${all.slice(0, 2000)}`);
      }
      assert.doesNotMatch(all, /\b(admin_action|auth_failure|permission_denied|bad_admin_token|unknown_key|rate_limited|tool_call|connection\.update|admin_console)\b/, "no raw codes");
      // One line per event: no row taller than one line of text.
      const heights = await page.locator("#audit tbody tr").evaluateAll((trs) => trs.map((tr) => tr.getBoundingClientRect().height));
      assert.ok(heights.length > 5 && Math.max(...heights) <= 40, `row heights ${heights}`);
      // Times in the browser's zone, exact UTC on hover; a chart of the last day's calls.
      assert.match(await page.locator("#audit tbody time").first().getAttribute("title"), /UTC$/);
      assert.equal(await page.locator("#audit-chart rect.calls").count(), 24);
      assert.match(await page.locator("#audit-chart figcaption").innerText(), /[1-9]\d* tool calls? /);
      await shot(page, "5-audit");

      await page.locator("#audit-filter select[name=event]").selectOption("permission_denied");
      await page.locator("#audit-filter button[type=submit]").click();
      await page.waitForFunction(() => location.hash.includes("event=permission_denied") && document.getElementById("app").dataset.loaded === "audit"
        && [...document.querySelectorAll("#audit tbody tr")].every((tr) => tr.dataset.event === "permission_denied"));
      assert.match(await audit.innerText(), /crm\.lead/);
      assert.match(await audit.innerText(), /×3/, "the three identical refusals are one line");
      // The filter is in the URL: a reload keeps it.
      await page.reload();
      await page.locator("#app[data-loaded^=audit]").waitFor();
      assert.equal(await page.locator("#audit-filter select[name=event]").inputValue(), "permission_denied");
      // The detail opens in a drawer, from the keyboard too.
      await page.locator("#audit tbody tr").first().focus();
      await page.keyboard.press("Enter");
      await page.locator("#drawer:not([hidden])").waitFor();
      assert.match(await page.locator("#drawer").innerText(), /crm\.lead[\s\S]*UTC|UTC[\s\S]*crm\.lead/);
      await shot(page, "5-audit-drawer");
      await page.keyboard.press("Escape");
      await page.locator("#drawer[hidden]").waitFor({ state: "attached" });
      const exported = await page.evaluate(async () => (await fetch(document.getElementById("export").href)).text());
      const lines = exported.trim().split("\n").map((l) => JSON.parse(l));
      assert.ok(lines.length >= 2 && lines.every((l) => l.event === "permission_denied"), exported.slice(0, 300));
      assert.ok(!exported.includes(key));
    });

    await t.test("the OAuth view offers sign-in, lists the grant a person makes, and revokes it", async () => {
      await page.goto(`${base}/admin#oauth`);
      await page.locator("#app[data-loaded^=oauth]").waitFor();
      const card = page.locator("form[data-oauth='browser-c19']");
      await card.locator("input[name=enabled]").check();
      await card.locator("select[name=who]").selectOption("any");
      await card.locator("button[type=submit]").click();
      await toast(page, "OAuth settings of browser-c19 saved");
      const conns = (await admin(setup, "GET", "/admin/api/connections")).body.connections;
      const id = conns.find((c) => c.name === "browser-c19").id;
      const settings = await admin(setup, "GET", `/admin/api/connections/${id}/oauth`);
      assert.equal(settings.body.enabled, true, JSON.stringify(settings.body));
      assert.equal(settings.body.who, "any");

      // demo2 signs in from a client (plain HTTP here; oauth.test.mjs drives the page in Chromium).
      const grant = await grantByHttp(setup, id, "e2e console client");
      const s = await rawSession(`${base}/mcp`, grant.access);
      assert.equal((await s.request("tools/list", {})).status, 200);

      await page.reload();
      await page.locator("#app[data-loaded^=oauth]").waitFor();
      const row = page.locator("#grants tr", { hasText: "e2e console client" });
      assert.match(await row.innerText(), /demo2[\s\S]*browser-c19[\s\S]*active/);
      assert.match(await page.locator("#oauth-clients").innerText(), /e2e console client[\s\S]*omcl_[\s\S]*127\.0\.0\.1:9/);
      await shot(page, "6-oauth");
      // The grant may be made to ask its person first, as a key.
      await row.locator("[data-grant-approval=demo2]").click();
      await toast(page, "demo2 now asks its person first");
      await page.locator("#grants tr", { hasText: "e2e console client" }).filter({ hasText: "asks before delete, action" }).waitFor();
      // And set where it acts, as a key: a time zone, checked by Odoo as demo2, said in the row.
      await row.locator("[data-grant-context=demo2]").click();
      await page.locator("#key-context input[name=tz]").fill("Europe/Paris");
      await page.locator("#key-context button[type=submit]").click();
      await toast(page, "demo2 acts in its new companies");
      await page.locator("#grants tr", { hasText: "e2e console client" }).filter({ hasText: "Europe/Paris" }).waitFor();
      const listed = (await admin(setup, "GET", "/admin/api/oauth/grants")).body.grants.find((g) => g.client_name === "e2e console client");
      assert.equal(listed.tz, "Europe/Paris", JSON.stringify(listed));
      await row.locator("[data-revoke=demo2]").click();
      await toast(page, "Revoke: demo2 with e2e console client");
      await page.locator("#grants tr", { hasText: "e2e console client" }).filter({ hasText: "revoked" }).waitFor();
      assert.equal((await s.request("tools/list", {})).status, 401, "the client is refused at once");

      // Sign-in offered nowhere again: the server stops advertising OAuth, so a client configured with
      // a key (mcp-remote in the clients stage) is never sent to a sign-in.
      await page.locator("form[data-oauth='browser-c19'] input[name=enabled]").uncheck();
      await page.locator("form[data-oauth='browser-c19'] button[type=submit]").click();
      await toast(page, "OAuth settings of browser-c19 saved");
      assert.equal((await admin(setup, "GET", `/admin/api/connections/${id}/oauth`)).body.enabled, false);
      assert.equal((await fetch(`${base}/.well-known/oauth-authorization-server`)).status, 404);
      // The view draws itself again after a save; start afresh so that no late redraw lands on the next view.
      await page.reload();
      await page.locator("#app[data-loaded^=oauth]").waitFor();
      assert.equal(await page.locator("form[data-oauth='browser-c19'] input[name=enabled]").isChecked(), false);
    });

    await t.test("every page fits 1280 and 390 px wide, without sideways scrolling", async () => {
      for (const [width, height] of [[1280, 900], [390, 844]]) {
        await page.setViewportSize({ width, height });
        for (const view of ["connections", "models", "keys", "oauth", "audit", "settings"]) {
          await page.goto(`${base}/admin#${view}`);
          await page.reload();
          await page.locator(`#app[data-loaded^=${view}]`).waitFor();
          await shot(page, `w${width}-${view}`);
          // Last use, relative (the MCP client's calls have long been recorded by now).
          if (view === "keys") assert.match(await page.locator("#keys tr", { hasText: "browser key" }).innerText(), /just now|minute ago|minutes ago/, "last use, relative");
          const [scroll, inner] = await page.evaluate(() => [document.scrollingElement.scrollWidth, innerWidth]);
          assert.ok(scroll <= inner, `${view} at ${width} px scrolls sideways: ${scroll} > ${inner}`);
        }
      }
      const rows = await page.locator("#audit tbody tr").evaluateAll((trs) => trs.map((tr) => tr.getBoundingClientRect().height));
      assert.ok(Math.max(...rows) <= 40, `audit rows at 390 px: ${rows}`);
      await page.setViewportSize({ width: 1280, height: 900 });
    });

    await t.test("the console speaks French from Accept-Language, and Arabic right to left once picked", async () => {
      const fr = await browser.newContext({ locale: "fr-FR", viewport: { width: 390, height: 844 } });
      try {
        const p = await fr.newPage();
        p.on("pageerror", (e) => errors.push(e.message));
        await p.goto(`${base}/admin`);
        assert.equal(await p.locator("html").getAttribute("lang"), "fr");
        assert.equal(await p.locator("#login").innerText(), "Se connecter");
        await fr.addCookies((await context.cookies()).filter((c) => c.name === "omcp_admin"));
        await p.goto(`${base}/admin#audit`);
        await p.reload();
        await p.locator("#app[data-loaded^=audit]").waitFor();
        assert.match(await p.locator("#nav").innerText(), /Connexions[\s\S]*Modèles[\s\S]*Réglages/);
        const audit = await p.locator("#audit").innerText();
        assert.match(audit, /Appel d’outil: odoo_search|Appel d’outil : odoo_search/, audit.slice(0, 500));
        assert.match(audit, /Refusé par une permission/);
        assert.ok(await p.evaluate(() => document.scrollingElement.scrollWidth <= innerWidth), "French audit fits 390 px");
        await shot(p, "fr-w390-audit");
        await p.goto(`${base}/admin#keys`);
        await p.reload();
        await p.locator("#app[data-loaded^=keys]").waitFor();
        assert.match(await p.locator("#keys").innerText(), /lecture sur 1 modèle, \d+ par minute \(par défaut\), n’expire jamais/);
        assert.match(await p.locator("#issue-key").innerText(), /Émettre une clé/);
        await shot(p, "fr-w390-keys");

        // Picked in the header, Arabic is remembered (a cookie) and laid out right to left.
        await Promise.all([p.waitForEvent("load"), p.selectOption("#lang", "ar")]);
        await p.locator("#app[data-loaded^=keys]").waitFor();
        assert.deepEqual(await p.evaluate(() => [document.documentElement.lang, document.documentElement.dir]), ["ar", "rtl"]);
        assert.ok((await fr.cookies()).some((c) => c.name === "omcp_lang" && c.value === "ar"), "the choice is remembered");
        await p.goto(`${base}/admin#audit`);
        await p.reload();
        await p.locator("#app[data-loaded^=audit]").waitFor();
        assert.equal(await p.locator("html").getAttribute("dir"), "rtl");
        assert.match(await p.locator("#nav").innerText(), /الاتصالات/);
        assert.match(await p.locator("#audit").innerText(), /استدعاء أداة/);
        assert.ok(await p.evaluate(() => document.scrollingElement.scrollWidth <= innerWidth), "Arabic audit fits 390 px");
        await shot(p, "ar-w390-audit");
        await p.setViewportSize({ width: 1280, height: 900 });
        await shot(p, "ar-w1280-audit");
      } finally {
        await fr.close();
      }
    });

    await t.test("settings save, and sign-out ends the session", async () => {
      await page.goto(`${base}/admin#settings`);
      await page.locator("#app[data-loaded^=settings]").waitFor();
      await page.locator("#settings input[name=audit_retention_days]").fill("30");
      await page.locator("#settings button[type=submit]").click();
      await toast(page, "Settings saved");
      assert.equal(await page.locator("#settings input[name=audit_retention_days]").inputValue(), "30");
      await page.click("#logout");
      await page.locator("#token").waitFor();
      await page.setViewportSize({ width: 390, height: 844 });
      await shot(page, "w390-login");
      assert.ok(await page.evaluate(() => document.scrollingElement.scrollWidth <= innerWidth), "the sign-in page fits 390 px");
      await page.setViewportSize({ width: 1280, height: 900 });
      const r = await page.evaluate(async () => (await fetch("/admin/api/keys")).status);
      assert.equal(r, 401);
    });

    assert.deepEqual(errors, [], "no script error in the console");
  } finally {
    await client?.close().catch(() => {});
    await browser.close();
  }
});
