// A minimal client for the worker's admin API (README: "Setting it up"), shared by the scripts that
// configure a worker from the outside: the e2e suite's setup (tests/e2e/setup.mjs) and the demo
// (scripts/demo-configure.mjs). No dependencies: Node's fetch.

/**
 * Returns `call(method, path, body, expectStatus)`: one admin API request with the admin token. It
 * resolves to `{status, body}` (the body parsed as JSON) when the status is one of `expectStatus`
 * (a number or a list) and the answer is JSON; otherwise it throws an Error naming the request, the
 * status and the start of the answer, so that a failed setup says which step failed and why.
 * `label` prefixes the error and the one line logged per request through `log` (console.log by
 * default; pass `() => {}` to stay quiet).
 */
export function adminClient(workerUrl, adminToken, { label = "admin-api", log = console.log, timeoutMs = 60_000 } = {}) {
  return async function call(method, path, body, expectStatus) {
    const res = await fetch(`${workerUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${adminToken}`,
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let json;
    try {
      json = text === "" ? null : JSON.parse(text);
    } catch {
      json = undefined;
    }
    const expected = Array.isArray(expectStatus) ? expectStatus : [expectStatus];
    if (!expected.includes(res.status) || json === undefined) {
      throw new Error(
        `${label}: ${method} ${path} -> HTTP ${res.status} (expected ${expected.join("/")}, JSON): ${text.slice(0, 500)}`,
      );
    }
    log(`${label}: ${method} ${path} -> ${res.status}`);
    return { status: res.status, body: json };
  };
}
