// Header-injecting reverse proxy for the MCP conformance suite, which has no option to send an
// Authorization header (modelcontextprotocol/conformance#453).
//   LISTEN=8788 TARGET=http://127.0.0.1:8787 KEY=omcp_... node tests/e2e/auth-proxy.mjs
// Adds `Authorization: Bearer $KEY` to every request; passes Host and Origin through unchanged
// (so the dns-rebinding scenario still tests the worker's checks) and streams the bodies.
// Listens on 127.0.0.1 only. The key comes from the environment, never the command line.
import http from "node:http";

const TARGET = new URL(process.env.TARGET ?? "");
const KEY = process.env.KEY ?? "";
const LISTEN = Number(process.env.LISTEN ?? "0");
if (!KEY || !TARGET.port || !LISTEN) {
  console.error("auth-proxy: set LISTEN, TARGET (http://127.0.0.1:PORT) and KEY");
  process.exit(2);
}

const server = http.createServer((req, res) => {
  const headers = { ...req.headers, authorization: `Bearer ${KEY}` };
  const up = http.request(
    { host: TARGET.hostname, port: TARGET.port, method: req.method, path: req.url, headers },
    (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    },
  );
  up.on("error", (e) => {
    if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
    res.end(`auth-proxy: upstream error: ${e.message}`);
  });
  req.pipe(up);
  res.on("close", () => up.destroy());
});
server.listen(LISTEN, "127.0.0.1", () => {
  console.log(`auth-proxy listening on http://127.0.0.1:${LISTEN} -> ${TARGET.origin}`);
});
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => server.close(() => process.exit(0)));
