// The bad-input corpus (bad-input/corpus.json) against the real worker: every case is one malformed
// request with the exact HTTP status and error it must get (the case format: tests/e2e/README.md,
// "Bad-input corpus"). Run by the e2e harness after the other stages: node --test tests/e2e/bad_input.test.mjs
// (needs E2E_SETUP). Then: no case got a 5xx, the worker still serves a normal tools/call, and its log
// has no panic. Prints `bad-input corpus: N cases, M failed` and the cases per class.
import { describe, it, before, after } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import { appendFileSync, readFileSync, writeFileSync } from "node:fs";
import { loadSetup, admin, rawPost, initializeRequest } from "./lib.mjs";

const corpus = JSON.parse(readFileSync(new URL("./bad-input/corpus.json", import.meta.url), "utf8"));
const CASES = corpus.cases;
const setup = loadSetup();
const BASE = setup.worker_url;
const MODERN = "2026-07-28";
const META = {
  "io.modelcontextprotocol/protocolVersion": MODERN,
  "io.modelcontextprotocol/clientCapabilities": {},
  "io.modelcontextprotocol/clientInfo": { name: "e2e-bad-input", version: "1" },
};

// ------------------------------------------------------------------ state the cases refer to
const vars = {};
const sessions = new Map();
const cursors = new Map();
const outcomes = []; // {class, name, ok, status}

function remember(secret) {
  if (process.env.E2E_EXTRA_SECRETS) appendFileSync(process.env.E2E_EXTRA_SECRETS, `${secret}\n`, { mode: 0o600 });
}

async function issueKey(label, extra = {}) {
  const c = setup.connections.c19;
  const r = await admin(setup, "POST", "/admin/api/keys", {
    connection_id: c.id,
    label,
    odoo_login: "admin",
    odoo_api_key: setup.odoo.c19.admin,
    ...extra,
  });
  assert.equal(r.status, 201, `issue ${label}: ${JSON.stringify(r.body)}`);
  remember(r.body.key);
  return r.body;
}

/** A live session (or an ended one) in the given version, for our key or the other one. */
async function session(spec) {
  if (sessions.has(spec)) return sessions.get(spec);
  const [version, who] = spec === "other" ? ["2025-11-25", "other"] : spec === "ended" ? ["2025-11-25", "ended"] : [spec, "own"];
  const key = who === "other" ? vars.OTHER_KEY : vars.KEY;
  const init = initializeRequest(1);
  init.params.protocolVersion = version;
  const r = await rawPost(setup.mcp_url, { key, body: init });
  assert.equal(r.status, 200, `initialize ${spec}: ${JSON.stringify(r.body)}`);
  assert.equal(r.body?.result?.protocolVersion, version, `initialize ${spec} negotiated ${r.body?.result?.protocolVersion}`);
  const sid = r.headers.get("mcp-session-id");
  const h = { "mcp-session-id": sid, "mcp-protocol-version": version };
  const note = await rawPost(setup.mcp_url, { key, headers: h, body: { jsonrpc: "2.0", method: "notifications/initialized" } });
  assert.equal(note.status, 202);
  if (who === "ended") {
    const del = await fetch(setup.mcp_url, { method: "DELETE", headers: { authorization: `Bearer ${key}`, ...h } });
    await del.arrayBuffer();
    assert.equal(del.status, 200, "DELETE the session");
  }
  sessions.set(spec, sid);
  return sid;
}

/** A real cursor: `list` is an MCP list method or `search` (an odoo_search next_cursor). */
async function cursor(list, who) {
  const id = `${list}|${who}`;
  if (cursors.has(id)) return cursors.get(id);
  const key = who === "other" ? vars.OTHER_KEY : vars.KEY;
  const sid = await session(who === "other" ? "other" : "2025-11-25");
  const headers = { "mcp-session-id": sid, "mcp-protocol-version": "2025-11-25" };
  let c;
  if (list === "search") {
    const r = await rawPost(setup.mcp_url, {
      key,
      headers,
      body: { jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "odoo_search", arguments: { model: "res.partner", domain: [], fields: ["name"], limit: 1 } } },
    });
    c = r.body?.result?.structuredContent?.next_cursor;
  } else {
    const r = await rawPost(setup.mcp_url, { key, headers, body: { jsonrpc: "2.0", id: 1, method: list, params: {} } });
    c = r.body?.result?.nextCursor;
  }
  assert.equal(typeof c, "string", `no cursor from ${list} (${who})`);
  cursors.set(id, c);
  return c;
}

/** An issued cursor, altered: `offset` changes the page it names, `mac` one character of its MAC. */
function alter(c, how) {
  const [payload, mac] = c.split(".");
  if (how === "offset") return `${Number(payload) + 3}.${mac}`;
  const last = mac.at(-1) === "A" ? "B" : "A";
  return `${payload}.${mac.slice(0, -1)}${last}`;
}

/** `{{NAME}}` / `{{NAME:arg:arg}}` placeholders in a string. */
async function fill(s) {
  const parts = s.split(/(\{\{[^}]+\}\})/);
  let out = "";
  for (const p of parts) {
    const m = /^\{\{([^}]+)\}\}$/.exec(p);
    if (!m) {
      out += p;
      continue;
    }
    const [name, ...args] = m[1].split(":");
    switch (name) {
      case "SESSION":
        out += await session(args[0]);
        break;
      case "CURSOR": {
        const who = args[1] === "other" ? "other" : "own";
        const c = await cursor(args[0], who);
        out += ["offset", "mac"].includes(args[1]) ? alter(c, args[1]) : c;
        break;
      }
      case "B64":
        out += Buffer.from(args.join(":"), "utf8").toString("base64");
        break;
      case "REPEAT": // {{REPEAT:n:text}}
        out += args.slice(1).join(":").repeat(Number(args[0]));
        break;
      default:
        assert.ok(name in vars, `unknown placeholder {{${name}}}`);
        out += vars[name];
    }
  }
  return out;
}

/** Resolves placeholders and `$gen` values in a JSON value. */
async function resolve(v, i) {
  // "{{#NAME}}" alone: the placeholder as a number (an id in a JSON body).
  if (typeof v === "string" && /^\{\{#\w+\}\}$/.test(v)) return Number(vars[v.slice(3, -2)]);
  if (typeof v === "string") return fill(v);
  if (Array.isArray(v)) {
    const out = [];
    for (const x of v) out.push(await resolve(x, i));
    return out;
  }
  if (v && typeof v === "object") {
    if ("$gen" in v) return gen(v, i);
    const out = {};
    for (const [k, x] of Object.entries(v)) out[k] = await resolve(x, i);
    return out;
  }
  return v;
}

async function gen(g, i) {
  switch (g.$gen) {
    case "str": // a string of `len` times `ch`
      return (g.ch ?? "a").repeat(g.len);
    case "i": // the index (from 1) inside a `list`
      return i;
    case "list": {
      const out = [];
      for (let n = 1; n <= g.len; n++) out.push(await resolve(g.item, n));
      return out;
    }
    case "nest": {
      // `leaf` wrapped in `depth` arrays (or objects {"a": …})
      let v = await resolve(g.leaf ?? [], i);
      for (let d = 0; d < g.depth; d++) v = g.kind === "object" ? { a: v } : [v];
      return v;
    }
    default:
      throw new Error(`unknown $gen ${g.$gen}`);
  }
}

/** The request body as bytes (or a stream), from `body`, `text`, `base64` or `bodyGen`. */
async function bodyOf(req) {
  if ("body" in req) return Buffer.from(JSON.stringify(await resolve(req.body)));
  if ("text" in req) return Buffer.from(await fill(req.text));
  if ("base64" in req) return Buffer.from(req.base64, "base64");
  const g = req.bodyGen;
  if (!g) return undefined;
  switch (g.kind) {
    case "nest": // prefix, `open` × depth, leaf, `close` × depth, suffix
      return Buffer.from((g.prefix ?? "") + g.open.repeat(g.depth) + (g.leaf ?? "") + g.close.repeat(g.depth) + (g.suffix ?? ""));
    case "pad": {
      // a JSON body padded with spaces to exactly `size` bytes (still valid JSON)
      const json = JSON.stringify(await resolve(g.body));
      assert.ok(json.length <= g.size, "pad: body longer than size");
      return Buffer.from(json + " ".repeat(g.size - Buffer.byteLength(json)));
    }
    default:
      throw new Error(`unknown bodyGen ${g.kind}`);
  }
}

function nameHeader(method, params) {
  if (method === "tools/call" || method === "prompts/get") return params?.name;
  if (method === "resources/read") return params?.uri;
  return undefined;
}

/** Builds and sends a case's request; returns {status, headers, text, json}. */
async function send(c) {
  const req = c.req;
  if ("raw" in req) {
    // `{{LEN}}`: the byte length of the body as written (a lying Content-Length is written as a number).
    const text = await fill(req.raw.replaceAll("{{LEN}}", "\u0001"));
    const body = text.slice(text.indexOf("\r\n\r\n") + 4);
    return sendRaw(text.replaceAll("\u0001", String(Buffer.byteLength(body, "latin1"))));
  }
  const path = await fill(req.path ?? "/mcp");
  const method = req.method ?? "POST";
  const admin_ = path.startsWith("/admin");
  const auth = req.auth ?? (admin_ ? "admin" : "key");
  const headers = {};
  if (method !== "GET" && method !== "HEAD") headers["content-type"] = "application/json";
  if (!admin_) headers.accept = "application/json, text/event-stream";
  const bearer = { key: vars.KEY, other: vars.OTHER_KEY, revoked: vars.REVOKED_KEY, admin: vars.ADMIN }[auth];
  if (bearer) headers.authorization = `Bearer ${bearer}`;
  if (req.session) {
    headers["mcp-session-id"] = await session(req.session);
    headers["mcp-protocol-version"] = { other: "2025-11-25", ended: "2025-11-25" }[req.session] ?? req.session;
  }
  let body;
  if (req.modern) headers["mcp-protocol-version"] = MODERN;
  if (req.modern && "body" in req) {
    // The stateless envelope: `full` adds the envelope to params._meta (case values win; null removes),
    // `headers` leaves the body as written. Both add the routing headers the body implies.
    const b = await resolve(req.body);
    if (req.modern === "full" && b && typeof b === "object" && !Array.isArray(b)) {
      const params = b.params && typeof b.params === "object" ? b.params : (b.params = {});
      const meta = { ...META, ...(params._meta ?? {}) };
      for (const [k, v] of Object.entries(meta)) if (v === null) delete meta[k];
      params._meta = meta;
    }
    if (typeof b?.method === "string") headers["mcp-method"] = b.method;
    const n = nameHeader(b?.method, b?.params);
    if (typeof n === "string") headers["mcp-name"] = n;
    body = Buffer.from(JSON.stringify(b));
  } else {
    body = await bodyOf(req);
  }
  for (const [k, v] of Object.entries(req.headers ?? {})) {
    if (v === null) delete headers[k.toLowerCase()];
    else headers[k.toLowerCase()] = await fill(v);
  }
  const list = Object.entries(headers);
  for (const [k, v] of req.headerList ?? []) list.push([k, await fill(v)]);
  const init = { method, headers: list, signal: AbortSignal.timeout(60_000) };
  if (req.stream) {
    // No Content-Length: the body arrives chunked, so only the core can count it.
    const bytes = body ?? Buffer.alloc(0);
    init.body = new ReadableStream({
      start(ctl) {
        for (let o = 0; o < bytes.length; o += 65536) ctl.enqueue(bytes.subarray(o, o + 65536));
        ctl.close();
      },
    });
    init.duplex = "half";
  } else if (body !== undefined && method !== "GET" && method !== "HEAD") {
    init.body = body;
  }
  const res = await fetch(`${BASE}${path}`, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: parse(text, res.headers.get("content-type") ?? "") };
}

function parse(text, ct) {
  if (ct.includes("text/event-stream")) {
    const datas = text.split(/\r?\n/).filter((l) => l.startsWith("data:")).map((l) => l.slice(5).trim()).filter(Boolean);
    return datas.length ? JSON.parse(datas.at(-1)) : undefined;
  }
  try {
    return text === "" ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** One HTTP/1.1 exchange over a plain socket, for what fetch refuses to send (NULs, lying lengths). */
function sendRaw(text) {
  const { hostname, port } = new URL(BASE);
  return new Promise((resolve_, reject) => {
    const s = net.connect(Number(port), hostname);
    let buf = Buffer.alloc(0);
    const done = () => {
      clearTimeout(timer);
      s.destroy();
      const raw = buf.toString("utf8");
      const head = raw.split("\r\n\r\n", 1)[0];
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(head);
      if (!m) return reject(new Error(`no HTTP response: ${JSON.stringify(raw.slice(0, 200))}`));
      const headers = new Headers();
      for (const line of head.split("\r\n").slice(1)) {
        const i = line.indexOf(":");
        if (i > 0) headers.append(line.slice(0, i).trim(), line.slice(i + 1).trim());
      }
      let bodyText = raw.slice(head.length + 4);
      const len = Number(headers.get("content-length") ?? NaN);
      if (Number.isInteger(len)) bodyText = Buffer.from(bodyText).subarray(0, len).toString("utf8");
      resolve_({ status: Number(m[1]), headers, text: bodyText, json: parse(bodyText, headers.get("content-type") ?? "") });
    };
    const timer = setTimeout(done, 15_000);
    s.on("data", (d) => {
      buf = Buffer.concat([buf, d]);
      // One response is all we want: stop once its declared body is in.
      const raw = buf.toString("latin1");
      const end = raw.indexOf("\r\n\r\n");
      const len = /\r\ncontent-length:\s*(\d+)/i.exec(raw.slice(0, end));
      if (end > 0 && len && buf.length >= end + 4 + Number(len[1])) done();
    });
    s.on("end", done);
    s.on("error", (e) => (buf.length ? done() : reject(e)));
    s.write(Buffer.from(text, "latin1"));
  });
}

// ------------------------------------------------------------------ expectations
function resultText(result) {
  return (result?.content ?? []).filter((x) => x.type === "text").map((x) => x.text).join("\n");
}

/** Every key of `want` is in `got` with that value (recursively). */
function partial(got, want, where) {
  if (want && typeof want === "object" && !Array.isArray(want)) {
    for (const [k, v] of Object.entries(want)) partial(got?.[k], v, `${where}.${k}`);
  } else {
    assert.deepEqual(got, want, where);
  }
}

function checkError(err, e, where) {
  assert.ok(err && typeof err === "object", `${where}: no error object`);
  assert.equal(err.code, e.code, `${where}: error code`);
  if (e.message) assert.ok(String(err.message).includes(e.message), `${where}: message ${JSON.stringify(err.message)} lacks ${JSON.stringify(e.message)}`);
  if (e.data) partial(err.data, e.data, `${where}: error.data`);
}

function check(c, r) {
  const e = c.expect;
  const show = `HTTP ${r.status} ${r.text.slice(0, 400)}`;
  assert.ok(r.status < 500, `a client mistake answered with a 5xx: ${show}`);
  assert.equal(r.status, e.status, `status: ${show}`);
  if (e.plain) {
    if (e.bodyIncludes) assert.ok(r.text.includes(e.bodyIncludes), `body lacks ${JSON.stringify(e.bodyIncludes)}: ${show}`);
    return;
  }
  if (e.empty) {
    assert.equal(r.text, "", `expected an empty body: ${show}`);
    return;
  }
  if (e.contentType) assert.ok((r.headers.get("content-type") ?? "").startsWith(e.contentType), `content-type ${r.headers.get("content-type")}`);
  const b = r.json;
  assert.ok(b !== undefined, `the body is not JSON: ${show}`);
  if (typeof e.code === "string") {
    // The admin API's errors: {"error": {"code": "...", "message": "..."}}
    checkError(b.error, e, show);
    return;
  }
  if (e.batchAll) {
    // Every reply alike (a long batch): `batchLength` of them.
    assert.ok(Array.isArray(b) && b.length === e.batchLength, `expected ${e.batchLength} replies: ${show}`);
    b.forEach((reply, n) => (e.batchAll.result ? assert.ok("result" in reply, `reply ${n}: ${show}`) : checkError(reply.error, e.batchAll, `reply ${n}`)));
    return;
  }
  if (e.batch) {
    assert.ok(Array.isArray(b), `expected an array of replies: ${show}`);
    assert.equal(b.length, e.batch.length, `replies: ${show}`);
    e.batch.forEach((want, n) => {
      if ("id" in want) assert.deepEqual(b[n].id, want.id, `reply ${n} id: ${show}`);
      if (want.result) assert.ok("result" in b[n] && !("error" in b[n]), `reply ${n} is no result: ${show}`);
      else checkError(b[n].error, want, `reply ${n}: ${show}`);
    });
    return;
  }
  assert.equal(b.jsonrpc, "2.0", `not a JSON-RPC message: ${show}`);
  if ("id" in e) assert.deepEqual(b.id, e.id, `echoed id: ${show}`);
  if (e.noId) assert.ok(!("id" in b), `expected no id member (2026-07-28 has no "id": null): ${show}`);
  if (typeof e.code === "number") {
    assert.ok(!("result" in b), `expected an error, got a result: ${show}`);
    checkError(b.error, e, show);
  } else if (e.isError) {
    assert.ok(!("error" in b), `expected a tool result, got a JSON-RPC error: ${show}`);
    assert.equal(b.result?.isError, true, `expected isError: true: ${show}`);
    if (e.text) assert.ok(resultText(b.result).includes(e.text), `tool text lacks ${JSON.stringify(e.text)}: ${show}`);
  } else if (e.result) {
    assert.ok(!("error" in b) && b.result && typeof b.result === "object", `expected a result: ${show}`);
    assert.notEqual(b.result.isError, true, `tool error: ${show}`);
    if (typeof e.result === "object") partial(b.result, e.result, "result");
  } else {
    assert.fail(`case ${c.name} expects nothing checkable`);
  }
}

// ------------------------------------------------------------------ the run
before(async () => {
  const own = await issueKey("e2e bad-input corpus", { rate_limit: 100000, expires_at: null });
  const revoked = await issueKey("e2e bad-input revoked");
  const del = await admin(setup, "DELETE", `/admin/api/keys/${revoked.id}`);
  assert.equal(del.status, 200);
  Object.assign(vars, {
    KEY: own.key,
    KEY_PREFIX: own.key.slice(0, 13),
    OTHER_KEY: setup.keys.admin19,
    REVOKED_KEY: revoked.key,
    ADMIN: setup.admin_token,
    CONN: String(setup.connections.c19.id),
    HOST: new URL(BASE).host,
  });
});

const classes = [...new Set(CASES.map((c) => c.class))];
const names = new Set();
for (const c of CASES) {
  assert.ok(!names.has(`${c.class}/${c.name}`), `duplicate case ${c.class}/${c.name}`);
  names.add(`${c.class}/${c.name}`);
}

for (const cls of classes) {
  describe(`bad input: ${cls}`, () => {
    for (const c of CASES.filter((x) => x.class === cls)) {
      it(`${cls}/${c.name}`, async () => {
        let r;
        try {
          r = await send(c);
          check(c, r);
          outcomes.push({ cls, name: c.name, ok: true, status: r.status, answer: r.text.slice(0, 300) });
        } catch (e) {
          outcomes.push({ cls, name: c.name, ok: false, status: r?.status, answer: r?.text?.slice(0, 300) });
          throw e;
        }
      });
    }
  });
}

describe("after the corpus", () => {
  it("every case ran and none was answered with a 5xx", () => {
    assert.equal(outcomes.length, CASES.length);
    const fives = outcomes.filter((o) => (o.status ?? 0) >= 500);
    assert.deepEqual(fives, [], "5xx answers to client mistakes");
  });

  it("the worker is still healthy: /health and a normal tools/call", async () => {
    const h = await fetch(`${BASE}/health`);
    assert.equal(h.status, 200);
    assert.equal((await h.json()).status, "ok");
    const sid = await session("2025-11-25");
    const r = await rawPost(setup.mcp_url, {
      key: vars.KEY,
      headers: { "mcp-session-id": sid, "mcp-protocol-version": "2025-11-25" },
      body: { jsonrpc: "2.0", id: "after", method: "tools/call", params: { name: "odoo_search", arguments: { model: "res.partner", fields: ["name"], limit: 2 } } },
    });
    assert.equal(r.status, 200);
    assert.notEqual(r.body?.result?.isError, true, JSON.stringify(r.body));
    assert.equal(r.body?.result?.structuredContent?.records?.length, 2);
  });

  it("the worker log has no panic", async () => {
    const path = process.env.E2E_WORKER_LOG;
    if (!path) return;
    await new Promise((res) => setTimeout(res, 500));
    const log = readFileSync(path, "utf8");
    assert.doesNotMatch(log, /panicked at|RuntimeError: unreachable/);
  });
});

after(() => {
  // E2E_BAD_INPUT_ANSWERS=file: every case's status and the start of its answer, one JSON line each.
  if (process.env.E2E_BAD_INPUT_ANSWERS) writeFileSync(process.env.E2E_BAD_INPUT_ANSWERS, outcomes.map((o) => JSON.stringify(o)).join("\n") + "\n");
  const failed = outcomes.filter((o) => !o.ok);
  const per = classes.map((cls) => `${cls} ${CASES.filter((c) => c.class === cls).length}`).join(", ");
  console.log(`bad-input classes: ${per}`);
  console.log(`bad-input corpus: ${CASES.length} cases, ${failed.length + (CASES.length - outcomes.length)} failed`);
});
