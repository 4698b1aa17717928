// Helpers for clients.test.mjs: a shell-words splitter (the Claude Code snippet is run as argv, never
// through a shell), n8n's own parameter schemas for the n8n snippet, and running a CLI without leaking the
// key into the test output.
import { execFile } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { z } from "zod/v3";

/**
 * Splits a POSIX shell command line into words: blanks separate words, '…' is literal, "…" is literal but
 * for \" \\ \$ \` escapes, a backslash outside quotes escapes the next character. Anything a shell would
 * treat specially (an unquoted operator, or expansion: $ or ` outside single quotes, a leading ~ or a glob)
 * is refused, so the words are exactly what a shell would pass to the program.
 */
export function shellWords(line) {
  const words = [];
  let word = null;
  const add = (s) => { word = (word ?? "") + s; };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === " " || c === "\t") {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) throw new Error("unterminated '");
      add(line.slice(i + 1, end));
      i = end;
    } else if (c === '"') {
      let s = "";
      for (i++; ; i++) {
        if (i >= line.length) throw new Error('unterminated "');
        const d = line[i];
        if (d === '"') break;
        if (d === "$" || d === "`") throw new Error(`expansion (${d}) inside double quotes`);
        if (d === "\\" && '"\\$`'.includes(line[i + 1] ?? "")) s += line[++i];
        else s += d;
      }
      add(s);
    } else if (c === "\\") {
      if (i + 1 >= line.length) throw new Error("trailing backslash");
      add(line[++i]);
    } else if ("|&;<>()$`\n*?[".includes(c) || (c === "~" && word === null)) {
      throw new Error(`shell syntax (${JSON.stringify(c)}) at ${i}`);
    } else {
      add(c);
    }
  }
  if (word !== null) words.push(word);
  return words;
}

/** The text with every secret replaced, for assertion messages and logs. */
export function redact(text, ...secrets) {
  let out = String(text);
  for (const s of secrets) if (s) out = out.split(s).join("«redacted»");
  return out;
}

/** Runs a program (no shell); resolves {code, stdout, stderr} whatever the exit status. */
export function run(file, args, options) {
  return new Promise((resolve) => {
    execFile(file, args, { timeout: 90_000, maxBuffer: 4 << 20, ...options }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === "number" ? err.code : -1) : 0, stdout: String(stdout), stderr: String(stderr), error: err });
    });
  });
}

// The helpers n8n's schema validator (@n8n/workflow-sdk, validation/node-parameter-schema) hands each
// generated schema factory, ported: an expression is a string "={{…}}", and a parameter whose
// displayOptions do not match the node's parameters (or their defaults) must be absent.
const expressionSchema = z.string().regex(/^={{.*}}$/s, "Must be an n8n expression (={{...}})");
const absent = z.any().refine((v) => v === undefined, { message: "This field is not applicable for the current configuration" });
// displayOptions' show/hide with plain values (the MCP nodes use no _cnd conditions).
function visible(parameters, displayOptions, defaults) {
  const value = (k) => parameters?.[k] ?? defaults[k];
  const shown = Object.entries(displayOptions?.show ?? {}).every(([k, allowed]) => allowed.includes(value(k)));
  const hidden = Object.entries(displayOptions?.hide ?? {}).some(([k, denied]) => denied.includes(value(k)));
  return shown && !hidden;
}
const helpers = {
  z,
  expressionSchema,
  stringOrExpression: z.string(),
  numberOrExpression: z.union([z.number(), expressionSchema]),
  booleanOrExpression: z.union([z.boolean(), expressionSchema]),
  resourceLocatorValueSchema: z.union([
    z.object({ __rl: z.literal(true), mode: z.string(), value: z.union([z.string(), z.number()]), cachedResultName: z.string().optional(), cachedResultUrl: z.string().optional() }),
    expressionSchema,
  ]),
  resourceMapperValueSchema: z.object({ mappingMode: z.string(), value: z.record(z.string(), z.unknown()).nullable().optional() }).passthrough(),
  filterValueSchema: z.object({ conditions: z.array(z.unknown()), combinator: z.enum(["and", "or"]).optional() }).passthrough(),
  assignmentCollectionValueSchema: z.object({ assignments: z.array(z.unknown()) }),
  iDataObjectSchema: z.record(z.string(), z.unknown()),
  resolveSchema({ parameters, schema, required, displayOptions, defaults = {} }) {
    return visible(parameters, displayOptions, defaults) ? (required ? schema : schema.optional()) : absent;
  },
  resolveOneOfSchemas({ parameters, variants, defaults = {} }) {
    const v = variants.find((v) => visible(parameters, v.displayOptions, { ...defaults, ...(v.defaults ?? {}) }));
    return v ? (v.required ? v.schema : v.schema.optional()) : absent;
  },
};

/**
 * Validates one pasted n8n node against the parameter schema n8n publishes for its type and typeVersion
 * (in `nodesDir`, the extracted @n8n/n8n-nodes-langchain package). Throws when there is no schema for that
 * version, when a parameter is unknown to it, or when a value is not one it accepts.
 */
export function validateN8nNode(nodesDir, node) {
  const m = /^@n8n\/n8n-nodes-langchain\.(\w+)$/.exec(node.type ?? "");
  if (!m) throw new Error(`not a langchain node type: ${node.type}`);
  const file = join(nodesDir, "package/dist/node-definitions/nodes/n8n-nodes-langchain", m[1], `v${String(node.typeVersion).replace(".", "")}.schema.js`);
  const getSchema = createRequire(import.meta.url)(file);
  const schema = getSchema({ parameters: node.parameters, ...helpers });
  // parameters: z.object(...).nullable().optional(); z.object drops unknown keys, so check those here.
  const known = Object.keys(schema.shape.parameters.unwrap().unwrap().shape);
  const unknown = Object.keys(node.parameters ?? {}).filter((k) => !known.includes(k));
  if (unknown.length) throw new Error(`${node.type} v${node.typeVersion}: unknown parameters ${unknown.join(", ")} (known: ${known.join(", ")})`);
  const r = schema.safeParse({ parameters: node.parameters });
  if (!r.success) throw new Error(`${node.type} v${node.typeVersion}: ${JSON.stringify(r.error.issues)}`);
  return known;
}

/** The credential type n8n asks for with an MCP node's `authentication` option (its shared descriptions). */
export function n8nCredentialFor(nodesDir, authentication) {
  const { credentials } = createRequire(import.meta.url)(join(nodesDir, "package/dist/nodes/mcp/shared/descriptions.js"));
  return credentials.find((c) => c.displayOptions?.show?.authentication?.includes(authentication))?.name;
}
