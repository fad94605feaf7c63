// `npm run fuzz -- [--minutes N | --streams K] [--seed S] [--stream N]`: the decoder, the client and the
// device fed random and mutated streams (test/fuzz/worker.ts runs them in a child process, so a stream that
// never ends is caught by a watchdog here, named, and the run goes on). Ends with one line:
//   fuzz: streams S, packets P, escapes E, wrong relay writes W
// and exits 1 when E or W is not 0, with every finding printed with the command that replays its stream.
// Exit 2: a bad command line.
import { fork } from "node:child_process";
import { randomInt } from "node:crypto";
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";
import type { WorkOrder, WorkerMessage } from "./worker";
import type { StreamResult } from "./report";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
/** FUZZ_WORKER: another worker, for the tests of this runner (one that hangs, one that dies). */
const WORKER = resolve(ROOT, process.env.FUZZ_WORKER ?? "test/fuzz/worker.ts");
/** A stream that reports nothing for this long is a hang (the slowest take well under a second). */
const HANG_MS = Number(process.env.FUZZ_HANG_MS ?? 20_000);
/** Findings printed in full; the rest are counted. */
const PRINT_MAX = 20;

interface Options {
  minutes: number | null;
  streams: number | null;
  seed: number;
  stream: number | null;
}

const USAGE = "usage: npm run fuzz -- [--minutes N | --streams K] [--seed S] [--stream N]";

/** parseArgs(argv) -> options, or a one-line error. */
export function parseArgs(argv: string[]): Options | string {
  const o: Options = { minutes: null, streams: null, seed: randomInt(2 ** 32), stream: null };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i];
    const value = argv[i + 1];
    const num = Number(value);
    if (name === "--minutes" || name === "--streams" || name === "--seed" || name === "--stream") {
      if (value === undefined || value.trim() === "" || !Number.isFinite(num) || num < 0) return `${name} needs a number, got ${value ?? "nothing"}`;
      i++;
      if (name === "--minutes") {
        if (num <= 0) return "--minutes needs a number above 0";
        o.minutes = num;
      } else if (!Number.isInteger(num) || num > 2 ** 32 - 1) return `${name} needs a whole number from 0 to 4294967295, got ${value}`;
      else if (name === "--streams") o.streams = num;
      else if (name === "--seed") o.seed = num;
      else o.stream = num;
    } else return `unknown option ${name}; ${USAGE}`;
  }
  if (o.stream !== null && (o.minutes !== null || o.streams !== null)) return "--stream replays one stream: it takes no --minutes or --streams";
  if (o.minutes === null && o.streams === null && o.stream === null) o.minutes = 1;
  return o;
}

interface Totals {
  streams: number;
  packets: number;
  escapes: number;
  wrongWrites: number;
  findings: number;
}

type Outcome = { kind: "done" } | { kind: "died"; index: number; why: string };

/** One worker from `order.from` on; resolves when it is done, or died (hung, crashed) in some stream. */
function runWorker(order: WorkOrder, totals: Totals, report: (m: Extract<WorkerMessage, { type: "result" }>) => void): Promise<Outcome> {
  return new Promise((resolveRun) => {
    const child = fork(WORKER, [], { cwd: ROOT, execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "pipe", "ipc"] });
    let current = order.from;
    let last = Date.now();
    let done = false;
    let settled = false;
    let stderr = "";
    const settle = (o: Outcome) => {
      if (settled) return;
      settled = true;
      clearInterval(watchdog);
      resolveRun(o);
    };
    child.stderr!.on("data", (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    const watchdog = setInterval(() => {
      if (Date.now() - last < HANG_MS) return;
      child.kill("SIGKILL");
      settle({ kind: "died", index: current, why: `hang: no progress for ${HANG_MS / 1000} s` });
    }, 250);
    child.on("message", (m: WorkerMessage) => {
      last = Date.now();
      if (m.type === "begin") current = m.index;
      else if (m.type === "totals") {
        totals.streams += m.streams;
        totals.packets += m.packets;
      } else if (m.type === "result") report(m);
      else if (m.type === "done") done = true;
    });
    child.on("exit", (code, signal) => {
      if (done) settle({ kind: "done" });
      else settle({ kind: "died", index: current, why: `the worker died (${signal ?? "exit " + code}): ${stderr.trim().split("\n").slice(-3).join(" | ")}` });
    });
    const finite = (n: number) => (Number.isFinite(n) ? n : -1);
    child.send({ ...order, count: finite(order.count), deadline: finite(order.deadline) });
  });
}

async function main(argv: string[]): Promise<number> {
  const parsed = parseArgs(argv);
  if (typeof parsed === "string") {
    process.stderr.write(`fuzz: ${parsed}\n`);
    return 2;
  }
  const o = parsed;
  const replay = (n: number) => `npm run fuzz -- --seed ${o.seed} --stream ${n}`;
  const totals: Totals = { streams: 0, packets: 0, escapes: 0, wrongWrites: 0, findings: 0 };
  const what = o.stream !== null ? `stream ${o.stream}` : o.streams !== null ? `${o.streams} streams` : `${o.minutes} minute(s)`;
  process.stdout.write(`fuzz: seed ${o.seed}, ${what} (replay one stream: ${replay(0).replace(/ 0$/, " N")})\n`);

  const finding = (index: number, label: string, r: StreamResult) => {
    totals.escapes += r.escapes.length;
    totals.wrongWrites += r.wrongWrites;
    if (r.escapes.length === 0 && r.wrongWrites === 0) return;
    if (totals.findings++ >= PRINT_MAX) return;
    const lines = [...r.escapes, ...r.details.slice(0, 4)];
    if (r.wrongWrites > 0 && r.details.length === 0) lines.push(`wrong relay writes: ${r.wrongWrites}`);
    process.stdout.write(`stream ${index} (${label}):\n  ${lines.join("\n  ")}\n  replay: ${replay(index)}\n`);
  };

  const deadline = o.minutes !== null ? Date.now() + o.minutes * 60_000 : Infinity;
  let from = o.stream ?? 0;
  let left = o.stream !== null ? 1 : o.streams ?? Infinity;
  while (left > 0 && Date.now() < deadline) {
    const outcome = await runWorker({ seed: o.seed, from, count: left, deadline, verbose: o.stream !== null }, totals, (m) => {
      if (m.steps) process.stdout.write(`stream ${m.index}: ${m.target}, natives as ${m.strings ? "strings" : "bytes"}, steps:\n  ${m.steps.join("\n  ")}\n`);
      finding(m.index, `${m.target}, natives as ${m.strings ? "strings" : "bytes"}`, m.result);
    });
    if (outcome.kind === "done") break;
    // The stream it died in counts, as an escape; the run goes on after it.
    totals.streams++;
    finding(outcome.index, "worker", { packets: 0, escapes: [outcome.why], wrongWrites: 0, details: [] });
    left -= outcome.index + 1 - from;
    from = outcome.index + 1;
  }
  if (totals.findings > PRINT_MAX) process.stdout.write(`(${totals.findings - PRINT_MAX} more streams with findings not shown)\n`);
  process.stdout.write(`fuzz: streams ${totals.streams}, packets ${totals.packets}, escapes ${totals.escapes}, wrong relay writes ${totals.wrongWrites}\n`);
  return totals.escapes > 0 || totals.wrongWrites > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write("fuzz failed: " + (err && err.stack ? err.stack : String(err)) + "\n");
    process.exitCode = 1;
  },
);
