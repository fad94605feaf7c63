// npm start / npm run sim: the simulator (docs/design.md, "Commands"). An embedded aedes broker (or
// --broker), one virtual board from board.json (or a fleet with --devices), and either the live view or,
// with --headless, one JSON object a line on stdout. Ctrl-C (or SIGTERM) stops every board cleanly: each
// says "offline" and disconnects, so the broker sends no will.
import { existsSync, readFileSync } from "node:fs";
import { BoardError } from "../board/load";
import type { DeviceConfig } from "../../firmware/device/config";
import { Simulator } from "../runner/simulator";
import { fleetConfigs, sharedTopics } from "../runner/fleet";
import type { SimEvent } from "../runner/events";
import { parseSimArgs, SIM_USAGE, type SimArgs, type BrokerAddress } from "./sim-args";
import type { BrokerRoute } from "../runner/firmware";
import type { ConnectionOptions } from "node:tls";
import { isIP } from "node:net";
import { loadSimBoard, loadBundleBoard, sidecarPath } from "./sim-board";
import { ioReason } from "../io-reason";
import { isMain, runMain } from "./entry";
import { startLive } from "./sim-live";
import { runScenarios } from "./sim-scenario";

export interface SimIO {
  out: NodeJS.WriteStream;
  err: (line: string) => void;
  input: NodeJS.ReadStream;
  env: NodeJS.ProcessEnv;
}

function loadConfig(args: SimArgs, io: SimIO): { config: DeviceConfig; bundle?: { source: string; file: string } } | number {
  let config: DeviceConfig;
  if (args.bundle && !existsSync(args.bundle)) {
    io.err(`${args.bundle}: no such file; build it first: npm run build`);
    return 1;
  }
  const embedded = args.bundle ? loadBundleBoard(args.bundle) : null;
  if (embedded && args.boardGiven) {
    // The bundle runs the board it was built from; another file would only describe it wrongly.
    io.err(`--board ${args.board}: ${args.bundle} runs the board it was built from (${sidecarPath(args.bundle!)}); ` +
      `drop --board, or rebuild with it: npm run build -- --board ${args.board}`);
    return 2;
  }
  if (embedded) config = embedded;
  else {
    try {
      const loaded = loadSimBoard(args.board, io.env);
      for (const n of loaded.notices) io.err(n);
      config = loaded.config;
    } catch (e) {
      if (!(e instanceof BoardError)) throw e;
      io.err(`${args.board}: cannot simulate, the board has ${e.problems.length} problem(s):`);
      for (const p of e.problems) io.err("  error: " + p);
      return 1;
    }
    if (args.bundle) io.err(`notice: no board next to ${args.bundle}; describing it with ${args.board}`);
  }
  if (sharedTopics(fleetConfigs(config, Math.min(args.devices, 2)))) {
    io.err(`warning: the topics do not contain the board id "${config.id}" as a level: the ${args.devices} boards share them`);
  }
  if (!args.bundle) return { config };
  return { config, bundle: { source: readFileSync(args.bundle, "utf8"), file: args.bundle } };
}

// mqtts://: Node checks the certificate against the system's CAs, or the one --ca names (its PEM text).
function brokerRoute(b: BrokerAddress, ca: Buffer | null): BrokerRoute {
  if (!b.tls) return { host: b.host, port: b.port };
  const options: ConnectionOptions = { servername: isIP(b.host) ? undefined : b.host };
  if (ca) options.ca = ca;
  return { host: b.host, port: b.port, tls: options };
}

// -> the CA file's contents, or null after saying why it cannot be used.
function readCa(file: string, io: SimIO): Buffer | null {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (e) {
    io.err(`--ca ${file}: cannot read it (${ioReason(e)})`);
    return null;
  }
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
    io.err(`--ca ${file}: not a PEM certificate (no "-----BEGIN CERTIFICATE-----" line)`);
    return null;
  }
  return pem;
}

/**
 * runSim(argv, io) -> the exit status once the simulator stopped: 0 after a clean stop, 1 on errors, 2 bad
 * usage; with --scenario, the scenario runner's (sim-scenario.ts).
 */
export async function runSim(argv: string[], io: SimIO): Promise<number> {
  const args = parseSimArgs(argv);
  if (typeof args === "string") {
    if (args) io.err(args);
    if (args) io.err(SIM_USAGE);
    else io.out.write(SIM_USAGE + "\n");
    return args ? 2 : 0;
  }
  const ca = args.ca ? readCa(args.ca, io) : null;
  if (args.ca && !ca) return 1;
  if (args.scenarios.length > 0) return runScenarios(args, { out: (l) => io.out.write(l + "\n"), err: io.err, env: io.env });
  const loaded = loadConfig(args, io);
  if (typeof loaded === "number") return loaded;
  let headless = args.headless;
  if (!headless && !(io.out.isTTY && io.input.isTTY)) {
    io.err("notice: not a terminal; writing one JSON object a line (as --headless)");
    headless = true;
  }
  const write = (e: SimEvent) => io.out.write(JSON.stringify(e) + "\n");
  let live: ReturnType<typeof startLive> | null = null;
  const sim = new Simulator({
    config: loaded.config,
    mode: args.bundle ? "bundle" : "source",
    bundle: loaded.bundle,
    broker: args.broker ? brokerRoute(args.broker, ca) : undefined,
    caFile: args.ca,
    port: args.port,
    devices: args.devices,
    trace: args.trace || !headless,
    emit: (e) => {
      if (live) live.event(e);
      else if (headless) write(e);
    },
  });
  if (!headless) live = startLive(sim, io, () => stop());

  let stopping: Promise<void> | null = null;
  let resolveDone: () => void = () => {};
  const done = new Promise<void>((r) => (resolveDone = r));
  const stop = () => {
    if (!stopping) stopping = sim.stop().finally(() => resolveDone());
    return stopping;
  };
  const onSignal = () => void stop();
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    try {
      await sim.start();
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (live) live.close();
      live = null;
      if (err.code === "EADDRINUSE") {
        io.err(`port ${args.port} on 127.0.0.1 is in use (another broker?): choose one with --port N, or use it with --broker mqtt://127.0.0.1:${args.port}`);
      } else io.err(`cannot start: ${err.message ?? String(e)}`);
      await sim.stop();
      return 1;
    }
    if (headless) {
      const pub = sim.mosquittoPub();
      if (pub) io.err(`switch relay 1: ${pub}`);
    }
    await done;
    return 0;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    if (live) live.close();
  }
}

if (isMain(import.meta.url)) {
  runMain("sim", () => runSim(process.argv.slice(2), {
    out: process.stdout,
    err: (s) => process.stderr.write(s + "\n"),
    input: process.stdin,
    env: process.env,
  }));
}
