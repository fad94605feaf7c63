// A mosquitto broker for interop tests: its own config in a temp dir, a free loopback port, started and
// stopped by the test. Debian installs it in /usr/sbin, which a non-root PATH often lacks.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

export interface MosquittoOptions {
  /** Keep sessions, queued and in-flight messages across restart() (persistence file in the temp dir). */
  persistence?: boolean;
  /**
   * acl_file contents (anonymous clients: lines before any `user` line). Note: mosquitto 2.0's acl_file
   * only filters delivery (read) and publishing (write); it never refuses a SUBSCRIBE with 0x80. For
   * that, test/support/brokers.ts uses the dynamic security plugin (subscribePattern deny).
   */
  acl?: string;
  /** username -> password; turns allow_anonymous off. */
  users?: Record<string, string>;
  /** $SYS publishing interval in seconds (mosquitto's default is 10; 0 turns it off). */
  sysInterval?: number;
  /** More config lines; "{dir}" in them becomes the temp dir. */
  extra?: string[];
  /** Files to write into the temp dir first (name -> contents), e.g. a plugin's config. */
  files?: Record<string, string>;
}

export interface RunningMosquitto {
  port: number;
  /** The temp dir with mosquitto.conf and mosquitto.log. */
  dir: string;
  /** The log so far (for failure messages). */
  log(): string;
  /**
   * SIGTERM (mosquitto saves its persistence file on the way out), whileDown() if given, then the same
   * port and config again.
   */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  /** Stops the broker and removes the temp dir. Safe to call twice. */
  close(): Promise<void>;
}

/** mosquittoPath() -> the mosquitto binary ($MOSQUITTO_BIN if set), or null when it is not installed. */
export function mosquittoPath(): string | null {
  const forced = process.env.MOSQUITTO_BIN;
  if (forced) {
    try {
      fs.accessSync(forced, fs.constants.X_OK);
      return forced;
    } catch {
      return null;
    }
  }
  const dirs = ["/usr/sbin", "/usr/local/sbin", ...(process.env.PATH ?? "").split(path.delimiter)];
  for (const d of dirs) {
    if (!d) continue;
    const p = path.join(d, "mosquitto");
    try {
      fs.accessSync(p, fs.constants.X_OK);
      return p;
    } catch {
      // next
    }
  }
  return null;
}

/** freePort() -> a loopback port nobody listened on a moment ago. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** waitForPort(port, timeoutMs): resolves once 127.0.0.1:port accepts a TCP connection. */
export async function waitForPort(port: number, timeoutMs: number, alive: () => string | null = () => null): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: "127.0.0.1", port });
      s.once("connect", () => {
        s.destroy();
        resolve(true);
      });
      s.once("error", () => resolve(false));
    });
    if (ok) return;
    const dead = alive();
    if (dead !== null) throw new Error(dead);
    if (Date.now() > until) throw new Error(`nothing accepted connections on 127.0.0.1:${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// mosquitto runs under a small sh guard: the guard prints mosquitto's pid, forwards SIGTERM to it and
// waits for it to exit (so restart() finds the port free and the persistence file written), and kills
// it when its stdin (a pipe from this process) closes, i.e. when this test process dies in any way,
// even by a signal that skips "exit" handlers.
const GUARD = [
  "exec 3<&0", // a background list's stdin is /dev/null unless redirected explicitly
  '"$1" -c "$2" & m=$!',
  "echo $m",
  "trap 't=1; kill -TERM $m 2>/dev/null' TERM INT",
  "(while read -r _ <&3; do :; done; kill -KILL $m 2>/dev/null) & r=$!",
  "wait $m",
  'if [ -n "$t" ]; then wait $m; fi',
  "kill $r 2>/dev/null",
].join("\n");

// Every broker this process started (mosquitto pids), killed on a normal exit too.
const running = new Set<number>();
let exitHook = false;
function track(pid: number): void {
  running.add(pid);
  if (!exitHook) {
    exitHook = true;
    process.once("exit", () => {
      for (const p of running) {
        try {
          process.kill(p, "SIGKILL");
        } catch {
          // gone
        }
      }
    });
  }
}

/** startMosquitto(options) -> a broker on a free 127.0.0.1 port; throws when mosquitto is missing. */
export async function startMosquitto(options: MosquittoOptions = {}): Promise<RunningMosquitto> {
  const bin = mosquittoPath();
  if (bin === null) throw new Error("mosquitto is not installed (apt-get install mosquitto; .ci/run does it)");
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "relaymq-mosquitto-"));
  const logFile = path.join(dir, "mosquitto.log");
  const port = await freePort();
  const lines = [
    `listener ${port} 127.0.0.1`,
    `log_dest file ${logFile}`,
    "log_type all",
    "log_timestamp_format %H:%M:%S",
    "connection_messages true",
    `sys_interval ${options.sysInterval ?? 0}`,
    `persistence ${options.persistence ? "true" : "false"}`,
  ];
  if (options.persistence) {
    lines.push(`persistence_location ${dir}/`, "persistence_file mosquitto.db", "autosave_interval 0");
  }
  // Run as root (CI containers), mosquitto would switch to "mosquitto"/"nobody", who cannot write here.
  if (process.getuid && process.getuid() === 0) lines.push(`user ${os.userInfo().username}`);
  if (options.users) {
    const pw = path.join(dir, "passwd");
    // Plain-text lines, hashed in place by mosquitto_passwd -U when available; mosquitto 2.0 needs hashes.
    fs.writeFileSync(pw, Object.entries(options.users).map(([u, p]) => `${u}:${p}`).join("\n") + "\n");
    await hashPasswords(pw);
    lines.push("allow_anonymous false", `password_file ${pw}`);
  } else {
    lines.push("allow_anonymous true");
  }
  if (options.acl !== undefined) {
    const acl = path.join(dir, "acl");
    fs.writeFileSync(acl, options.acl);
    lines.push(`acl_file ${acl}`);
  }
  for (const [name, text] of Object.entries(options.files ?? {})) fs.writeFileSync(path.join(dir, name), text);
  if (options.extra) lines.push(...options.extra.map((l) => l.split("{dir}").join(dir)));
  const conf = path.join(dir, "mosquitto.conf");
  fs.writeFileSync(conf, lines.join("\n") + "\n");

  let proc: ChildProcess | null = null;
  let stderr = "";
  let closed = false;
  const readLog = () => {
    try {
      return fs.readFileSync(logFile, "utf8");
    } catch {
      return "";
    }
  };

  let pid = 0;
  const launch = async () => {
    stderr = "";
    const p = spawn("/bin/sh", ["-c", GUARD, "mosquitto-guard", bin, conf], { stdio: ["pipe", "pipe", "pipe"] });
    proc = p;
    let exited: string | null = null;
    let out = "";
    const gotPid = new Promise<void>((resolve) => {
      p.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /^(\d+)\n/.exec(out);
        if (m && pid === 0) {
          pid = Number(m[1]);
          track(pid);
          resolve();
        }
      });
      p.once("exit", () => resolve());
    });
    p.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    p.once("exit", (code, sig) => {
      if (pid !== 0) running.delete(pid);
      pid = 0;
      exited = `mosquitto exited (code ${code}, signal ${sig}): ${stderr.trim()} ${readLog().slice(-2000)}`;
    });
    p.once("error", (e) => {
      exited = `mosquitto failed to start: ${e.message}`;
    });
    await gotPid;
    await waitForPort(port, 5000, () => exited);
  };

  const kill = (p: ChildProcess | null, signal: NodeJS.Signals) =>
    new Promise<void>((resolve) => {
      if (p === null || p.exitCode !== null || p.signalCode !== null) return resolve();
      const t = setTimeout(() => {
        if (pid !== 0) {
          try {
            process.kill(pid, "SIGKILL");
          } catch {
            // gone
          }
        }
        p.kill("SIGKILL");
      }, 3000);
      p.once("exit", () => {
        clearTimeout(t);
        resolve();
      });
      p.kill(signal);
    });

  await launch();
  return {
    port,
    dir,
    log: readLog,
    async restart(whileDown?: () => Promise<void>) {
      await kill(proc, "SIGTERM");
      if (whileDown) await whileDown();
      await launch();
    },
    async close() {
      if (closed) return;
      closed = true;
      await kill(proc, "SIGTERM");
      if (!process.env.KEEP_MOSQUITTO_DIR) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function hashPasswords(file: string): Promise<void> {
  const tool = mosquittoPath()?.replace(/mosquitto$/, "mosquitto_passwd");
  const candidates = [tool, "/usr/bin/mosquitto_passwd", "mosquitto_passwd"].filter((x): x is string => !!x);
  for (const c of candidates) {
    const ok = await new Promise<boolean>((resolve) => {
      const p = spawn(c, ["-U", file], { stdio: "ignore" });
      p.once("error", () => resolve(false));
      p.once("exit", (code) => resolve(code === 0));
    });
    if (ok) return;
  }
  throw new Error("mosquitto_passwd not found: cannot write a password_file for mosquitto 2.x");
}
