// `npm run soak -- [--minutes M] [--bundle] [--seed S]`: one virtual board (the sources, or with --bundle
// the built firmware in the Espruino shim) against a real mosquitto on a free loopback port, through the
// fault proxy, while the broker is restarted and the link stalled and cut every few seconds, QoS 1
// commands go to its relays (ON and OFF) and its telemetry and sensor reports flow back. Then the faults
// stop and every command the broker accepted must be handled. Ends with one line:
//   soak: commands N, lost L, duplicated D, reconnects R, memory growth G bytes
// (test/soak/judge.ts says what lost and duplicated mean) and exits 1 when L or D is not 0, a relay
// switched with no command, or a relay's state topic disagrees with its pin at the end. Exit 2: a bad
// command line or no mosquitto.
import v8 from "node:v8";
import { randomInt } from "node:crypto";
import { topicNames } from "../../firmware/device/topics";
import { bundleBoard } from "../../sim/build/bundle";
import { BLOCK_SIZE } from "../../sim/shim/memory";
import { Simulator } from "../../sim/runner/simulator";
import type { SimEvent } from "../../sim/runner/events";
import { FaultProxy } from "../../sim/broker/fault-proxy";
import { mosquittoPath, startMosquitto, type RunningMosquitto } from "../support/mosquitto";
import { sleep, until } from "../support/wait";
import { Rng } from "../fuzz/rng";
import { soakBoard } from "./board";
import { Commander } from "./commander";
import { Faults } from "./faults";
import { Judge } from "./judge";

interface Options {
  minutes: number;
  bundle: boolean;
  seed: number;
}

const USAGE = "usage: npm run soak -- [--minutes M] [--bundle] [--seed S]";
/** A command every COMMAND_MS; a door edge every INPUT_MS. */
const COMMAND_MS = 200;
const INPUT_MS = 700;
/** After every FAULT_BURST faults, a quiet spell longer than the client's 30 s for a stable link, so its backoff starts over. */
const FAULT_BURST = 4;
const QUIET_MS = 32_000;
/** How long the board may take, once the faults stop, to handle every accepted command (its backoff reaches 60 s). */
const DRAIN_MS = 150_000;

/** parseArgs(argv) -> options, or a one-line error. */
export function parseArgs(argv: string[]): Options | string {
  const o: Options = { minutes: 1, bundle: false, seed: randomInt(2 ** 32) };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    if (name === "--bundle") {
      o.bundle = true;
      continue;
    }
    if (name !== "--minutes" && name !== "--seed") return `unknown option ${name}; ${USAGE}`;
    const value = argv[++i];
    const num = Number(value);
    if (value === undefined || value.trim() === "" || !Number.isFinite(num)) return `${name} needs a number, got ${value ?? "nothing"}`;
    if (name === "--minutes") {
      if (num <= 0) return "--minutes needs a number above 0";
      o.minutes = num;
    } else if (!Number.isInteger(num) || num < 0 || num > 2 ** 32 - 1) return `--seed needs a whole number from 0 to 4294967295, got ${value}`;
    else o.seed = num;
  }
  return o;
}

declare const gc: undefined | (() => void);

interface Sample {
  t: number;
  vars: number;
  heap: number;
}

async function soak(o: Options, broker: RunningMosquitto): Promise<number> {
  const config = soakBoard();
  const names = topicNames(config);
  const proxy = await FaultProxy.start(broker.port);
  const rng = new Rng(o.seed);
  const judge = new Judge(names.relaySet, config.relays.map(() => false));
  let connects = 0;
  let sockets = 0;
  const mode = o.bundle ? "bundle" : "source";
  /** Connections and faults with their times, shown when something went wrong. */
  const timeline: string[] = [];
  const at = () => ((performance.now() - t0) / 1000).toFixed(1) + " s";
  let t0 = performance.now();
  const emit = (e: SimEvent) => {
    if (e.event === "socket") {
      judge.socket();
      timeline.push(`${at()} connection ${++sockets} opened`);
    } else if (e.event === "disconnected") timeline.push(`${at()} disconnected: ${e.reason}`);
    else if (e.event === "connected") {
      connects++;
      timeline.push(`${at()} connected, session present ${e.sessionPresent}`);
    }
    else if (e.event === "packet") {
      const p = e.packet as Record<string, unknown>;
      if (e.dir === "in" && p.type === "PUBLISH") {
        judge.received(String(p.topic), Buffer.from(String(p.payloadHex ?? "").replace(/ /g, ""), "hex").toString("latin1"), Number(p.packetId ?? 0));
      } else if (e.dir === "out" && p.type === "PUBACK") judge.acked(Number(p.packetId));
    }
  };
  const source = o.bundle ? await bundleBoard(config) : undefined;
  const sim = new Simulator({
    config, mode, bundle: source ? { source, file: "firmware.js" } : undefined, broker: { host: "127.0.0.1", port: proxy.port }, emit, trace: true,
  });
  let commander: Commander | null = null;
  const timers: NodeJS.Timeout[] = [];
  try {
    await sim.start();
    const board = sim.boards[0];
    // Relay pin writes from here on (the power-on writes are done: they leave every relay off).
    board.bank.listen((pin, level, src) => {
      const i = config.relays.findIndex((r) => r.pin === pin);
      if (src === "write" && i >= 0) judge.wrote(i, level !== config.relays[i].activeLow);
    });
    const pins = () => config.relays.map((r) => board.bank.read(r.pin) !== r.activeLow);
    commander = await Commander.start(broker.port, config, (k, relay, on) => judge.accept(k, relay, on));
    const stateTopics = new Map<string, string>();
    const observer = commander.peer;
    const onReport = observer.onMessage;
    observer.onMessage = (m) => {
      if (names.relayState.indexOf(m.topic) >= 0) stateTopics.set(m.topic, m.payload);
      if (onReport) onReport(m);
    };
    await observer.subscribe(Object.fromEntries(names.relayState.map((t) => [t, 1])));
    await until(() => board.isConnected(), 10_000, "the board's first connection");

    t0 = performance.now();
    const samples: Sample[] = [];
    // After a GC, the shim's meter hears of the buffers it freed a moment later (FinalizationRegistry).
    const sample = () => {
      if (typeof gc === "function") gc();
      return sleep(20).then(() => {
        samples.push({ t: performance.now() - t0, vars: board.memoryVars() ?? 0, heap: v8.getHeapStatistics().used_heap_size });
      });
    };
    await sample();
    timers.push(setInterval(() => void sample(), 1000));
    timers.push(setInterval(() => board.flip(0), INPUT_MS));
    commander.every(COMMAND_MS);

    const end = t0 + o.minutes * 60_000;
    const faults = new Faults(rng, proxy, broker);
    // Faults come a few seconds into a connection; every FAULT_BURST faults, a connection is left alone.
    const connected = () => until(() => board.isConnected() || performance.now() >= end, 150_000, "the board to reconnect");
    while (performance.now() < end) {
      await connected();
      await sleep(rng.range(2000, 4500));
      if (performance.now() >= end) break;
      const when = at();
      timeline.push(`${when} fault: ${await faults.inject()} (until ${at()})`);
      // A closed socket is noticed at once on loopback; a stall may be ridden out.
      await sleep(500);
      if (faults.total() % FAULT_BURST === 0 && end - performance.now() > QUIET_MS + 8000) {
        await connected();
        await sleep(QUIET_MS);
      }
    }
    const soakMs = performance.now() - t0;
    commander.stop();
    proxy.resume();

    // Every accepted command handled, every state topic as its pin.
    const drained = await until(() => judge.pending() === 0 && commander!.unacknowledged() === 0, DRAIN_MS, "").then(() => true, () => false);
    await sleep(500);
    const agree = () => config.relays.every((r, i) => stateTopics.get(names.relayState[i]) === (pins()[i] ? "ON" : "OFF"));
    await until(agree, 10_000, "").catch(() => undefined);
    for (const t of timers) clearInterval(t);
    await sample();

    const v = judge.verdict(pins());
    const window = Math.min(60_000, soakMs / 2);
    const first = Math.max(...samples.filter((s) => s.t <= window).map((s) => s.vars));
    const last = Math.max(...samples.filter((s) => s.t >= soakMs - window).map((s) => s.vars));
    const heapFirst = Math.max(...samples.filter((s) => s.t <= window).map((s) => s.heap));
    const heapLast = Math.max(...samples.filter((s) => s.t >= soakMs - window).map((s) => s.heap));
    const what = o.bundle
      ? "the bundle's process.memory().usage in the shim (typed arrays it holds, sim/shim/memory.ts), after a GC"
      : "the Device's own structures, JsVars as sim/shim/memory.ts estimates them";
    const out: string[] = [];
    out.push(`faults: ${faults.total()} (${Object.entries(faults.counts).map(([k, n]) => `${k} ${n}`).join(", ")})`);
    out.push(`commands: sent ${commander.sent}, accepted ${v.accepted} (ON ${commander.on}, OFF ${commander.off}), redelivered ${v.redelivered}; ` +
      `telemetry ${commander.telemetry}, sensor reports ${commander.sensorReports}`);
    out.push(`memory: ${what}: ${first} JsVars in the first ${Math.round(window / 1000)} s, ${last} in the last (${BLOCK_SIZE} bytes each); ` +
      `process heap ${(heapFirst / 1e6).toFixed(1)} -> ${(heapLast / 1e6).toFixed(1)} MB${typeof gc === "function" ? " after GC" : ""}`);
    if (v.lost.length > 0) out.push(`lost: ${v.lost.slice(0, 20).join(", ")}${drained ? "" : ` (still not handled ${DRAIN_MS / 1000} s after the faults stopped)`}`);
    if (v.duplicated.length > 0) out.push(`applied twice: ${v.duplicated.slice(0, 20).join(", ")}`);
    for (const k of [...v.lost.slice(0, 3), ...v.duplicated.slice(0, 3)]) out.push(`command ${k}: ${judge.history(k).join("; ") || "never reached the board"}`);
    for (const u of v.unexplained.slice(0, 10)) out.push(`unexplained: ${u}`);
    for (const m of v.finalMismatch) out.push(`at the end: ${m}`);
    if (!agree()) out.push(`at the end the state topics say ${JSON.stringify(Object.fromEntries(stateTopics))}, the pins ${JSON.stringify(pins())}`);
    if (out.length > 3) out.push("timeline:", ...timeline.map((l) => "  " + l));
    process.stdout.write(out.join("\n") + "\n");
    process.stdout.write(`soak: commands ${v.accepted}, lost ${v.lost.length}, duplicated ${v.duplicated.length}, reconnects ${connects - 1}, ` +
      `memory growth ${(last - first) * BLOCK_SIZE} bytes\n`);
    const bad = v.lost.length + v.duplicated.length + v.unexplained.length + v.finalMismatch.length + (agree() ? 0 : 1);
    return bad > 0 ? 1 : 0;
  } finally {
    for (const t of timers) clearInterval(t);
    commander?.stop();
    await sim.stop().catch(() => undefined);
    await commander?.peer.end(true).catch(() => undefined);
    await proxy.close();
  }
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseArgs(argv);
  if (typeof parsed === "string") {
    process.stderr.write(`soak: ${parsed}\n`);
    return 2;
  }
  if (mosquittoPath() === null) {
    process.stderr.write("soak: mosquitto is not installed (apt-get install mosquitto; .ci/run does it)\n");
    return 2;
  }
  const broker = await startMosquitto({ persistence: true });
  process.stdout.write(`soak: seed ${parsed.seed}, ${parsed.bundle ? "bundle" : "source"} mode, ${parsed.minutes} minute(s); ` +
    `mosquitto on 127.0.0.1:${broker.port} behind the fault proxy\n`);
  try {
    return await soak(parsed, broker);
  } finally {
    await broker.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // MQTT.js and the proxy may keep sockets half-open for a moment: the verdict is out.
    setTimeout(() => process.exit(code), 200).unref();
  },
  (err) => {
    process.stderr.write("soak failed: " + (err && err.stack ? err.stack : String(err)) + "\n");
    process.exit(1);
  },
);
