// The brokers interop suites run against, behind one interface: aedes in-process and mosquitto as a
// child process, each on its own free 127.0.0.1 port.
import fs from "node:fs";
import { it } from "vitest";
import { startAedes, type RunningBroker } from "../../sim/broker/embedded";
import { mosquittoPath, startMosquitto } from "./mosquitto";

export interface BrokerOptions {
  /** Filters the broker refuses (SUBACK 0x80); "x/#" refuses "x/#" and every filter under "x/". */
  denySubscribe?: string[];
  /** Publish $SYS topics every second or faster (aedes heartbeat, mosquitto sys_interval). */
  sys?: boolean;
  /** Keep sessions and queued/in-flight messages across restart() (mosquitto; aedes keeps nothing). */
  persistence?: boolean;
}

export interface TestBroker {
  name: string;
  port: number;
  /** Stops the broker, awaits whileDown() if given, and starts it again on the same port. */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
  /** Broker log for failure messages (mosquitto), or "". */
  log(): string;
}

export interface BrokerKind {
  name: "aedes" | "mosquitto";
  /** Why this broker cannot run here, or null. */
  missing: string | null;
  /** Whether sessions (subscriptions, queued and in-flight messages) survive restart(). */
  keepsSessionsAcrossRestart: boolean;
  start(options?: BrokerOptions): Promise<TestBroker>;
}

function denied(filter: string, deny: string[]): boolean {
  return deny.some((d) => d === filter || (d.endsWith("/#") && filter.startsWith(d.slice(0, -1))));
}

const aedesKind: BrokerKind = {
  name: "aedes",
  missing: null,
  keepsSessionsAcrossRestart: false,
  async start(options: BrokerOptions = {}) {
    const config = options.sys ? { heartbeatInterval: 200 } : {};
    const setup = (b: RunningBroker) => {
      const deny = options.denySubscribe ?? [];
      // aedes 1.x: a null subscription negates it and the SUBACK carries 0x80 (docs/Aedes.md).
      if (deny.length > 0) b.aedes.authorizeSubscribe = (_c, sub, cb) => cb(null, denied(sub.topic, deny) ? null : sub);
      return b;
    };
    let b = setup(await startAedes(0, config));
    const port = b.port;
    let closed = false;
    return {
      name: "aedes",
      port,
      async restart(whileDown?: () => Promise<void>) {
        await b.close();
        if (whileDown) await whileDown();
        // aedes keeps sessions in memory: the new instance knows nobody.
        b = setup(await startAedes(port, config));
      },
      async close() {
        if (closed) return;
        closed = true;
        await b.close();
      },
      log: () => "",
    };
  },
};

/** The dynamic security plugin: mosquitto 2.0's acl_file never refuses a SUBSCRIBE, this does. */
function dynsecPlugin(): string | null {
  const dirs = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib", "/usr/local/lib", "/usr/lib/mosquitto"];
  for (const d of dirs) {
    const p = `${d}/mosquitto_dynamic_security.so`;
    if (fs.existsSync(p)) return p;
  }
  return null;
}

const mosquittoBin = mosquittoPath();

const mosquittoKind: BrokerKind = {
  name: "mosquitto",
  missing: mosquittoBin === null ? "mosquitto is not installed (Debian: apt-get install mosquitto; .ci/run installs it)" : null,
  keepsSessionsAcrossRestart: true,
  async start(options: BrokerOptions = {}) {
    const extra: string[] = [];
    let dynsec: string | null = null;
    if (options.denySubscribe && options.denySubscribe.length > 0) {
      const plugin = dynsecPlugin();
      if (plugin === null) throw new Error("mosquitto_dynamic_security.so not found: needed to refuse a SUBSCRIBE");
      dynsec = JSON.stringify({
        defaultACLAccess: { publishClientSend: true, publishClientReceive: true, subscribe: true, unsubscribe: true },
        clients: [],
        groups: [{ groupname: "anonymous", roles: [{ rolename: "restricted" }] }],
        roles: [{
          rolename: "restricted",
          acls: options.denySubscribe.map((t) => ({ acltype: "subscribePattern", topic: t, priority: 0, allow: false })),
        }],
        anonymousGroup: "anonymous",
      });
      extra.push(`plugin ${plugin}`, "plugin_opt_config_file {dir}/dynsec.json");
    }
    const m = await startMosquitto({
      persistence: options.persistence,
      sysInterval: options.sys ? 1 : 0,
      extra,
      files: dynsec === null ? undefined : { "dynsec.json": dynsec },
    });
    return { name: "mosquitto", port: m.port, restart: m.restart, close: m.close, log: m.log };
  },
};

export const BROKERS: BrokerKind[] = [aedesKind, mosquittoKind];

/**
 * brokerAvailable(kind) -> true when the suite can run. Otherwise registers one test that fails in CI
 * (process.env.CI: a missing broker must not pass silently) or is skipped with the reason elsewhere.
 */
export function brokerAvailable(kind: BrokerKind): boolean {
  if (kind.missing === null) return true;
  if (process.env.CI) {
    it(`${kind.name} is installed`, () => {
      throw new Error(kind.missing!);
    });
  } else {
    console.warn(`[interop] skipping ${kind.name}: ${kind.missing}`);
    it.skip(`${kind.name} skipped: ${kind.missing}`, () => {});
  }
  return false;
}
