// The simulator's command line (docs/design.md, "Commands"): parsed into options or a message naming the bad
// argument.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { userPath } from "./entry";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export const SIM_USAGE = `usage: npm run sim -- [--board FILE] [--broker mqtt://HOST:PORT] [--port N] [--headless]
                      [--bundle [FILE]] [--devices N] [--trace] [--ca FILE]
  --board FILE      the board (default board.json); "$NAME" secrets missing from the environment are empty
  --broker URL      use this broker instead of the embedded one: mqtt://HOST:PORT, or mqtts://HOST:PORT
                    for TLS (the system's CAs, or --ca FILE for a broker with its own certificate)
  --port N          the embedded broker's port on 127.0.0.1 (default 1883)
  --headless        no live view: one JSON object a line on stdout for every event
  --bundle [FILE]   run the built firmware (default dist/firmware.js; npm run build makes it) in the
                    Espruino API shim instead of the TypeScript sources
  --devices N       N boards in one process, ids <id>-0001...: a load test for a fleet
  --trace           with --headless: also every packet, decoded field by field
  Relative paths are taken from the directory you run the command in.
  Exit status: 0 stopped cleanly (Ctrl-C, q), 1 could not start, 2 bad usage.`;

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
  };
  let portGiven = false;
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
        break;
      }
      case "--devices": {
        const n = portNumber("--devices", argv[++i], 1, 20000);
        if (typeof n === "string") return n;
        a.devices = n;
        break;
      }
      case "--bundle":
        a.bundle = next !== undefined && !next.startsWith("--") ? userPath(argv[++i]) : resolve(ROOT, "dist/firmware.js");
        break;
      case "--headless":
        a.headless = true;
        break;
      case "--trace":
        a.trace = true;
        break;
      case "--help":
      case "-h":
        return "";
      default:
        return `unknown argument: ${arg}`;
    }
  }
  if (portGiven && a.broker) return "--port is the embedded broker's port; with --broker there is none";
  if (a.ca && !(a.broker && a.broker.tls)) return "--ca is for a TLS broker: --broker mqtts://HOST:PORT";
  if (a.bundle && a.devices > 1) {
    return "--bundle runs the flashed file, whose id is fixed at build time; a fleet (--devices) runs from the sources";
  }
  return a;
}
