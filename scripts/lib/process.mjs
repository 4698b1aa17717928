// Process control shared by everything that starts servers or tools: the e2e harness
// (tests/e2e/harness/), `make demo` (scripts/demo.mjs), `make bench` (scripts/bench.mjs) and the demo's
// e2e stage (tests/e2e/demo.test.mjs). It owns:
//   - free loopback ports (the OS picks them);
//   - children started as leaders of their own process group (spawn's `detached` is setsid), so that
//     stopping one also stops what it started (wrangler dev's workerd, a test's CLI), and a Ctrl-C in
//     the terminal reaches only the script, which then stops the groups itself;
//   - stopping a group: SIGTERM (or another first signal), then SIGKILL after a grace period, until no
//     live process is left in it;
//   - running a command to its end with a time limit (the group is stopped when it runs over: exit 124,
//     as coreutils' timeout reports it);
//   - waiting for a log line or an HTTP answer, with a time limit, failing early if the process ended;
//   - listing processes (ps), a process tree, and what a set of groups left behind.
// Linux (ps from procps); Node 20 or newer.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, createWriteStream, openSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { constants } from "node:os";

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- ports
/** A port on 127.0.0.1 that was free a moment ago (the OS picks it). */
export async function freePort() {
  return (await freePorts(1))[0];
}

/** `n` distinct ports on 127.0.0.1, free a moment ago: all are held open together, then released. */
export async function freePorts(n) {
  const servers = [];
  try {
    for (let i = 0; i < n; i++) {
      const s = createServer();
      servers.push(s);
      await new Promise((res, rej) => {
        s.once("error", rej);
        s.listen(0, "127.0.0.1", res);
      });
    }
    return servers.map((s) => s.address().port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => (s.listening ? s.close(() => r()) : r()))));
  }
}

/** Whether `port` on 127.0.0.1 can be listened on now. */
export function portIsFree(port) {
  return new Promise((res) => {
    const s = createServer();
    s.once("error", () => res(false));
    s.listen(port, "127.0.0.1", () => s.close(() => res(true)));
  });
}

// ---------------------------------------------------------------- processes
/** Every process: {pid, ppid, pgid, stat, args}. */
export function processes() {
  const ps = spawnSync("ps", ["-eo", "pid=,ppid=,pgid=,stat=,args="], { encoding: "utf8" });
  if (ps.status !== 0) throw new Error(`ps failed: ${ps.error?.message ?? ps.stderr}`);
  return ps.stdout.split("\n").filter((l) => l.trim()).map((l) => {
    const [pid, ppid, pgid, stat, ...args] = l.trim().split(/\s+/);
    return { pid: Number(pid), ppid: Number(ppid), pgid: Number(pgid), stat, args: args.join(" ") };
  });
}

const alive = (p) => p.stat && !p.stat.startsWith("Z");

/** The live (non-zombie) processes of process group `pgid`. */
export function liveInGroup(pgid, all = processes()) {
  return all.filter((p) => p.pgid === pgid && alive(p));
}

/** `root` and the processes it started, transitively (those still attached to it). */
export function tree(root, all = processes()) {
  const found = new Map([[root, all.find((p) => p.pid === root)]]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of all) {
      if (!found.has(p.pid) && found.has(p.ppid)) {
        found.set(p.pid, p);
        grew = true;
      }
    }
  }
  return [...found.values()].filter(Boolean);
}

/** Live processes whose environment has `name=value` (a marker every child of a run inherits, which
 * finds them even after they left their group or lost their parent). Own processes only. */
export function withEnvMarker(name, value, all = processes()) {
  const needle = Buffer.from(`${name}=${value}\0`);
  return all.filter((p) => {
    if (p.pid === process.pid || !alive(p)) return false;
    try {
      return readFileSync(`/proc/${p.pid}/environ`).includes(needle);
    } catch {
      return false; // gone, or not ours
    }
  });
}

/** Sends `signal` to process group `pgid`; false if there is no such group any more. */
export function signalGroup(pgid, signal) {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops process group `pgid`: `signal` (SIGTERM), up to `graceMs` for it to empty, then SIGKILL and up
 * to `killMs`. Resolves to the live processes still in it (none, normally), and `killed`: whether it
 * took a SIGKILL.
 */
export async function stopGroup(pgid, { signal = "SIGTERM", graceMs = 5000, killMs = 2000 } = {}) {
  let killed = false;
  for (const [sig, waitMs] of [[signal, graceMs], ["SIGKILL", killMs]]) {
    if (liveInGroup(pgid).length === 0) break;
    killed = sig === "SIGKILL";
    signalGroup(pgid, sig);
    for (let t = 0; t < waitMs && liveInGroup(pgid).length > 0; t += 100) await sleep(100);
  }
  return { left: liveInGroup(pgid), killed };
}

/** A line per process, as the leftover reports print them. */
export const describe = (p) => `${p.pid} ${p.pgid} ${p.stat} ${p.args}`;

/** The last `n` lines of a file, each prefixed with "  | " (or a note that it is missing). */
export function tail(file, n = 25) {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-n).map((l) => `  | ${l}`).join("\n");
  } catch {
    return `  (no ${file})`;
  }
}

// ---------------------------------------------------------------- groups
/**
 * The process groups one script started. `start` runs a long-lived child in its own group (output to
 * a log file, or to pipes with `pipe: true`); `run` runs one to its end with a time limit; `stop` and
 * `stopAll` stop groups; `leftovers` lists what any group started here (or any process carrying the
 * `marker` environment variable) still has alive. After `closing()`, nothing new is started.
 */
export class Groups {
  constructor({ cwd, env = process.env, marker } = {}) {
    this.cwd = cwd;
    this.env = env;
    this.marker = marker; // {name, value}: added to every child's environment
    this.live = new Map(); // name -> handle
    this.pgids = new Set(); // every group ever started
    this.closed = false;
  }

  closing() {
    this.closed = true;
  }

  /** Starts `cmd args` as the leader of a new process group. Output goes to `log` (a file path,
   * created mode 600; stderr to `errLog` instead when given) or, with `pipe: true`, to
   * child.stdout/stderr. Returns {name, pid, pgid, log, child, exited (null, or how it ended), done (a
   * promise of it)}. */
  start(name, cmd, args, { env, cwd, log, errLog, pipe = false } = {}) {
    if (this.closed) throw new Error(`not starting ${name}: stopping`);
    if (this.live.has(name)) throw new Error(`${name} is already running`);
    const fullEnv = { ...(env ?? this.env) };
    if (this.marker) fullEnv[this.marker.name] = this.marker.value;
    let stdio = ["ignore", "pipe", "pipe"];
    const fds = [];
    if (!pipe) {
      fds.push(openSync(log, "w", 0o600));
      fds.push(errLog ? openSync(errLog, "w", 0o600) : fds[0]);
      stdio = ["ignore", ...fds];
    }
    const child = spawn(cmd, args, { cwd: cwd ?? this.cwd, env: fullEnv, detached: true, stdio });
    for (const fd of new Set(fds)) closeSync(fd);
    const handle = { name, pid: child.pid, pgid: child.pid, log, child, exited: null };
    handle.done = new Promise((res) => {
      child.on("exit", (code, signal) => res((handle.exited = signal ?? `exit ${code}`)));
      child.on("error", (e) => res((handle.exited = handle.spawnError = e.message)));
    });
    if (child.pid !== undefined) this.pgids.add(child.pid);
    this.live.set(name, handle);
    return handle;
  }

  /**
   * Runs `cmd args` in its own group to its end; resolves to {code, signal, timedOut}. Output goes to
   * `log` (and to this process's stdout too with `tee: true`). After `timeoutS`, the group gets
   * SIGTERM, and SIGKILL `killAfterS` later; the code is then 124. Whatever the command left running in
   * its group is stopped when it ends.
   */
  async run(name, cmd, args, { env, cwd, log, errLog, tee = false, timeoutS, killAfterS = 5 } = {}) {
    const h = this.start(name, cmd, args, { env, cwd, log, errLog, pipe: tee });
    let closed = Promise.resolve();
    if (tee) {
      const out = createWriteStream(log, { mode: 0o600 });
      closed = new Promise((r) => out.on("close", r));
      let open = 2;
      for (const s of [h.child.stdout, h.child.stderr]) {
        s.on("data", (d) => {
          out.write(d);
          process.stdout.write(d);
        });
        s.on("close", () => --open === 0 && out.end());
      }
    }
    let timedOut = false;
    const timer = timeoutS && setTimeout(() => {
      timedOut = true;
      stopGroup(h.pgid, { graceMs: killAfterS * 1000 });
    }, timeoutS * 1000);
    await h.done;
    clearTimeout(timer);
    // What it left in its group (which could also hold its output open) goes with it.
    await this.stop(name);
    await Promise.race([closed, sleep(5000)]);
    const { exitCode, signalCode: signal } = h.child;
    // As a shell reports it: 124 for a time-out, 128 + n for a signal, 127 when it could not start.
    const code = timedOut ? 124 : h.spawnError || exitCode < 0 ? 127 : exitCode ?? 128 + (constants.signals[signal] ?? 0);
    return { code, signal, timedOut };
  }

  /** Stops the group started as `name` (see stopGroup); resolves to the processes left in it. */
  async stop(name, options) {
    const h = this.live.get(name);
    if (!h) return [];
    this.live.delete(name);
    if (h.pgid === undefined) return [];
    const { left } = await stopGroup(h.pgid, options);
    await Promise.race([h.done, sleep(1000)]);
    return left;
  }

  /** Stops every group still running, in `order` first (names), then the rest, newest first. */
  async stopAll(order = []) {
    const names = [...order.filter((n) => this.live.has(n)), ...[...this.live.keys()].reverse()];
    for (const name of new Set(names)) await this.stop(name);
  }

  /** Last resort, synchronous (for process.on("exit")): SIGKILL to every group not stopped yet. A
   * group whose leader ended is signalled only while ps still shows a member, so that a process group
   * id the system has since given to someone else is never signalled. */
  killAll() {
    for (const h of this.live.values()) {
      if (h.pgid !== undefined && (!h.exited || liveInGroup(h.pgid).length > 0)) signalGroup(h.pgid, "SIGKILL");
    }
    this.live.clear();
  }

  /** Live processes of every group started here, and every live process carrying the marker. */
  leftovers() {
    const all = processes();
    const left = new Map();
    for (const pg of this.pgids) for (const p of liveInGroup(pg, all)) left.set(p.pid, p);
    if (this.marker) for (const p of withEnvMarker(this.marker.name, this.marker.value, all)) left.set(p.pid, p);
    return [...left.values()];
  }
}

// ---------------------------------------------------------------- waiting
/** A wait that failed: `reason` is "exited" (the process ended first) or "timeout"; `log` its log. */
export class WaitError extends Error {
  constructor(message, { reason, log } = {}) {
    super(message);
    this.reason = reason;
    this.log = log;
  }
}

/**
 * Polls `check` (sync or async) every `intervalMs` until it returns a truthy value, which it resolves
 * to. Throws a WaitError when `handle` (a Groups handle) ended first, or after `timeoutS`.
 */
export async function waitFor(check, { label = "wait", handle, timeoutS, intervalMs = 200 } = {}) {
  const until = Date.now() + timeoutS * 1000;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (handle?.exited) {
      throw new WaitError(`${label}: the process ended (${handle.exited}) before it was ready`, { reason: "exited", log: handle.log });
    }
    if (Date.now() >= until) throw new WaitError(`${label}: not ready within ${timeoutS} s`, { reason: "timeout", log: handle?.log });
    await sleep(intervalMs);
  }
}

/** Waits for `re` in the handle's log file; resolves to the match. */
export function waitForLog(handle, re, { timeoutS = 30, intervalMs = 100, label = handle.name } = {}) {
  return waitFor(() => {
    try {
      return re.exec(readFileSync(handle.log, "utf8"));
    } catch {
      return null;
    }
  }, { label, handle, timeoutS, intervalMs });
}

/** The status `GET url` answers within `requestTimeoutMs`, or 0 when nothing answered. */
export async function httpStatus(url, { requestTimeoutMs = 2000 } = {}) {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(requestTimeoutMs) });
    await r.body?.cancel();
    return r.status;
  } catch {
    return 0;
  }
}

/** Waits until `GET url` answers with a status `ready(status)` accepts (200 by default); resolves to it. */
export function waitForHttp(url, { ready = (s) => s === 200, requestTimeoutMs = 2000, ...options } = {}) {
  return waitFor(async () => {
    const s = await httpStatus(url, { requestTimeoutMs });
    return s && ready(s) ? s : 0;
  }, { label: url, ...options });
}
