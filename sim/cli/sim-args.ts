// The simulator's command line (docs/design.md, "Commands"): parsed into options or a message naming the
// bad argument.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { userPath } from "./entry";
import { parseDuration } from "../scenario/duration";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Exit code when --timeout ran out (the one wokwi-cli uses for its timeout). */
export const EXIT_TIMEOUT = 42;

export const SIM_USAGE = `usage: npm run sim -- [--board FILE] [--broker mqtt://HOST:PORT] [--port N] [--headless]
                      [--bundle [FILE]] [--devices N] [--trace] [--ca FILE]
       npm run sim -- --scenario FILE|DIR... [--mode source|bundle|both] [--bundle [FILE]]
                      [--junit FILE] [--timeout DURATION] [--board FILE] [--broker URL] [--ca FILE]
  --board FILE      the board (default board.json); "$NAME" secrets missing from the environment are empty
  --broker URL      use this broker instead of the embedded one: mqtt://HOST:PORT, or mqtts://HOST:PORT
                    for TLS (the system's CAs, or --ca FILE for a broker with its own certificate)
  --port N          the embedded broker's port on 127.0.0.1 (default 1883)
  --headless        no live view: one JSON object a line on stdout for every event
  --bundle [FILE]   run the built firmware (default dist/firmware.js; npm run build makes it) in the
                    Espruino API shim instead of the TypeScript sources
  --devices N       N boards in one process, ids <id>-0001...: a load test for a fleet
  --trace           with --headless: also every packet, decoded field by field
scenarios (scenario files run as tests; see README "Scenarios"):
  --scenario PATH...  run these scenario files (YAML), or every .yaml/.yml file in a folder
  --mode MODE         source (default), bundle (the built firmware in the Espruino shim; --bundle too),
                      or both: each scenario runs twice
  --bundle [FILE]     bundle mode; FILE: run that build instead of building each scenario's board
  --junit FILE        also write the results as JUnit XML (CI test reports)
  --timeout DURATION  end the whole run after this much real time (e.g. 10m): exit code ${EXIT_TIMEOUT}
  --board FILE        the board of scenarios that name none (default board.json)
  exit codes: 0 every scenario passed, 1 one failed, 2 an invalid file or bad usage, ${EXIT_TIMEOUT} the timeout ran out
Relative paths are taken from the directory you run the command in. Without --scenario the exit status is 0
after a clean stop (Ctrl-C, q), 1 when it could not start, 2 for bad usage.`;

/** A broker the user names; tls: mqtts://, checked against the system's CAs or `ca`. */
export interface BrokerAddress {
  host: string;
  port: number;
  tls: boolean;
}

export interface SimArgs {
  board: string;
  /** --board was given (the default board.json was not merely assumed). */
  boardGiven: boolean;
  broker: BrokerAddress | null;
  /** PEM file of the CA that signed an mqtts:// broker's certificate. */
  ca: string | null;
  port: number;
  headless: boolean;
  bundle: string | null;
  devices: number;
  trace: boolean;
  /** Scenario files and folders (--scenario); empty: the simulator runs interactively. */
  scenarios: string[];
  /** --mode, or bundle when only --bundle was given; null: not given. */
  mode: "source" | "bundle" | "both" | null;
  /** Whether --bundle named a file (else scenarios build their own boards). */
  bundleFile: boolean;
  junit: string | null;
  /** --timeout in real ms, or null. */
  timeoutMs: number | null;
}


/** parseBrokerUrl(url) -> {host, port, tls}, or a message saying what is wrong with it. */
export function parseBrokerUrl(url: string): BrokerAddress | string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `--broker ${url}: not a URL; write mqtt://HOST:PORT`;
  }
  const tls = u.protocol === "mqtts:" || u.protocol === "ssl:" || u.protocol === "tls:";
  if (!tls && u.protocol !== "mqtt:" && u.protocol !== "tcp:") {
    return `--broker ${url}: use mqtt://HOST:PORT or mqtts://HOST:PORT, not ${u.protocol}//`;
  }
  if (!u.hostname) return `--broker ${url}: no host; write mqtt://HOST:PORT`;
  if (u.username || u.pathname.length > 1) return `--broker ${url}: only mqtt://HOST:PORT; credentials come from the board`;
  const port = u.port === "" ? (tls ? 8883 : 1883) : Number(u.port);
  return { host: u.hostname.replace(/^\[|\]$/g, ""), port, tls };
}

function portNumber(flag: string, v: string | undefined, min: number, max: number): number | string {
  if (v === undefined) return `${flag} needs a value`;
  if (!/^\d+$/.test(v)) return `${flag} ${v}: not a whole number`;
  const n = Number(v);
  if (n < min || n > max) return `${flag} ${v}: must be ${min}..${max}`;
  return n;
}

/** parseSimArgs(argv) -> the options, "" for --help, or a message naming the bad argument. */
export function parseSimArgs(argv: string[]): SimArgs | string {
  const a: SimArgs = {
    board: resolve(ROOT, "board.json"), boardGiven: false, broker: null, ca: null, port: 1883, headless: false, bundle: null,
    devices: 1, trace: false,
    scenarios: [], mode: null, bundleFile: false, junit: null, timeoutMs: null,
  };
  let portGiven = false;
  const interactive: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const next = argv[i + 1];
    switch (arg) {
      case "--board":
        if (next === undefined || next.startsWith("--")) return "--board needs a file";
        a.board = userPath(argv[++i]);
        a.boardGiven = true;
        break;
      case "--broker": {
        if (next === undefined || next.startsWith("--")) return "--broker needs mqtt://HOST:PORT";
        const b = parseBrokerUrl(argv[++i]);
        if (typeof b === "string") return b;
        a.broker = b;
        break;
      }
      case "--ca":
        if (next === undefined || next.startsWith("--")) return "--ca needs a PEM file";
        a.ca = userPath(argv[++i]);
        break;
      case "--port": {
        const p = portNumber("--port", argv[++i], 1, 65535);
        if (typeof p === "string") return p;
        a.port = p;
        portGiven = true;
        interactive.push(arg);
        break;
      }
      case "--devices": {
        const n = portNumber("--devices", argv[++i], 1, 20000);
        if (typeof n === "string") return n;
        a.devices = n;
        interactive.push(arg);
        break;
      }
      case "--bundle":
        a.bundleFile = next !== undefined && !next.startsWith("--");
        a.bundle = a.bundleFile ? userPath(argv[++i]) : resolve(ROOT, "dist/firmware.js");
        break;
      case "--headless":
        a.headless = true;
        interactive.push(arg);
        break;
      case "--trace":
        a.trace = true;
        interactive.push(arg);
        break;
      case "--scenario":
        if (next === undefined || next.startsWith("--")) return "--scenario needs a file or a folder";
        while (i + 1 < argv.length && !argv[i + 1].startsWith("--")) a.scenarios.push(userPath(argv[++i]));
        break;
      case "--mode":
        if (next !== "source" && next !== "bundle" && next !== "both") return "--mode is source, bundle or both";
        a.mode = next;
        i++;
        break;
      case "--junit":
        if (next === undefined || next.startsWith("--")) return "--junit needs a file to write";
        a.junit = userPath(argv[++i]);
        break;
      case "--timeout": {
        if (next === undefined) return "--timeout needs a duration, e.g. 10m";
        const ms = parseDuration(argv[++i]);
        if (typeof ms === "string") return `--timeout: ${ms}`;
        if (ms <= 0) return "--timeout must be more than 0";
        a.timeoutMs = ms;
        break;
      }
      case "--help":
      case "-h":
        return "";
      default:
        return `unknown argument: ${arg}`;
    }
  }
  if (a.scenarios.length > 0) {
    if (interactive.length > 0) return `${interactive[0]} has no use with --scenario (each scenario has its own broker and board)`;
    if (a.mode === "source" && a.bundle) return "--bundle runs the built firmware; it cannot go with --mode source";
    if (a.mode === null) a.mode = a.bundle ? "bundle" : "source";
    if (a.ca && !(a.broker && a.broker.tls)) return "--ca is for a TLS broker: --broker mqtts://HOST:PORT";
    return a;
  }
  if (a.mode !== null || a.junit !== null || a.timeoutMs !== null) return "--mode, --junit and --timeout go with --scenario";
  if (portGiven && a.broker) return "--port is the embedded broker's port; with --broker there is none";
  if (a.ca && !(a.broker && a.broker.tls)) return "--ca is for a TLS broker: --broker mqtts://HOST:PORT";
  if (a.bundle && a.devices > 1) {
    return "--bundle runs the flashed file, whose id is fixed at build time; a fleet (--devices) runs from the sources";
  }
  return a;
}
