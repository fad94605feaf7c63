// The allocation proof shared by the engine's, the client's and the device's allocation suites.
//
// Counting GC events alone is a threshold detector: V8 collects only when the young generation is full,
// so an allocation every 64th operation, or an object that escape analysis removed (Espruino would make
// it), passes a window with no GC. Here each measured window also reads the young generation's bytes:
// the child empties the new space (gc(), then a minor gc), runs the window, and reads new_space's used
// bytes again; with no GC in between, the difference is what the window allocated there, less the
// constant cost of reading the statistics (an empty window, measured the same way). Each phase is measured
// in two windows in a row and allocates what both show, so a one-off (a late deoptimization) is not
// taken for an allocation per operation. Old space is not counted: compilation and feedback land there
// at any time, and a survivor is copied out of the young generation only by a GC, which the window would
// count.
//
// The parent runs each child once per V8 variant: as shipped, and without TurboFan's escape analysis
// (`--no-turbo-escape`), so an object that is made but never escapes counts as the allocation it is
// on the interpreter. The young generation is set large enough that a window which does allocate is
// measured in bytes, not merely seen as a GC.
//
// Child side: measurePhases(phases) -> AllocReport (print it as the last JSON line).
// Parent side: runAllocChild(file, args, variant) -> that report; allocProblems(report) -> what failed.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { dirname, resolve } from "node:path";
import { PerformanceObserver, performance } from "node:perf_hooks";
import { Session } from "node:inspector";
import { findSourceMap } from "node:module";
import v8 from "node:v8";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Young-generation bytes a window may show and still count as allocation-free: the reading's jitter. */
export const TOLERANCE_BYTES = 256;

/** One measured operation: run(n) performs n of them and returns a checksum (0 if there is none). */
export interface AllocPhase {
  name: string;
  /** Operations in the measured window (warm-up calls use fewer). */
  ops: number;
  run(n: number): number;
  /** Counters read before and after the window; the report holds their differences (failures, messages...). */
  counters?(): Record<string, number>;
  /** Warm-up calls for this phase (default: the options'). */
  warmupCalls?: number;
}

export interface PhaseReport {
  ops: number;
  /** GC events that started inside its windows. */
  gcEvents: number;
  /** Young-generation bytes the phase allocated: the smaller of its two windows (meaningful when gcEvents is 0). */
  youngBytes: number;
  /** Each window's young-generation bytes. */
  windowBytes: number[];
  checksum: number;
  ms: number;
  counters: Record<string, number>;
  /**
   * Where a window that allocated did so, largest first: "function (file:line) bytes", sampled by V8's
   * heap profiler over a second window of the same phase. Empty for a clean phase.
   */
  sites: string[];
}

export interface AllocReport {
  node: string;
  /** The V8 flags the child ran with (what changes code generation or the heap). */
  flags: string[];
  /** What reading the statistics around an empty window costs, subtracted from every phase. */
  baselineBytes: number;
  phases: Record<string, PhaseReport>;
}

declare const gc: undefined | ((options?: { type: "major" | "minor" }) => void);

function newSpaceUsed(): number {
  const spaces = v8.getHeapSpaceStatistics();
  for (let i = 0; i < spaces.length; i++) if (spaces[i].space_name === "new_space") return spaces[i].space_used_size;
  throw new Error("no new_space in v8.getHeapSpaceStatistics()");
}

function emptyYoung(): void {
  if (typeof gc !== "function") throw new Error("the allocation harness needs --expose-gc (use runAllocChild)");
  gc();
  gc({ type: "minor" });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface MeasureOptions {
  /** Warm-up: this many calls of run(warmupOps) before the window, so the optimizing compiler is done. */
  warmupCalls?: number;
  warmupOps?: number;
}

/**
 * measurePhases(phases, options) -> the report: each phase warmed up in many short calls (a single long
 * call would be optimized on-stack only, and the window's call would then start in unoptimized code),
 * then measured in two windows of one call each. Needs --expose-gc. The phases run in order.
 */
export async function measurePhases(phases: AllocPhase[], options: MeasureOptions = {}): Promise<AllocReport> {
  const warmupCalls = options.warmupCalls ?? 300;
  const warmupOps = options.warmupOps ?? 500;
  const gcStarts: number[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcStarts.push(e.startTime);
  });
  obs.observe({ entryTypes: ["gc"] });

  // The cost of reading the statistics themselves: the largest of a few empty windows.
  let baselineBytes = 0;
  for (let k = 0; k < 5; k++) {
    emptyYoung();
    const u0 = newSpaceUsed();
    const u1 = newSpaceUsed();
    baselineBytes = Math.max(baselineBytes, u1 - u0);
  }

  const windows: Array<{ name: string; spans: Array<[number, number]>; report: PhaseReport }> = [];
  for (const phase of phases) {
    const calls = phase.warmupCalls ?? warmupCalls;
    for (let k = 0; k < calls; k++) phase.run(warmupOps);
    await sleep(20);
    // Two windows in a row; the phase allocates what both show. What only one shows happened once (a late
    // deoptimization and its reoptimization, a first call of a rare path), not per operation: an
    // allocation every k-th operation, k up to `ops`, shows in both.
    const first = window(phase, baselineBytes);
    const second = window(phase, baselineBytes);
    const counters: Record<string, number> = {};
    for (const k of Object.keys(second.c1)) counters[k] = second.c1[k] - (second.c0[k] ?? 0);
    windows.push({
      name: phase.name, spans: [first.span, second.span],
      report: {
        ops: phase.ops, gcEvents: 0, youngBytes: Math.min(first.bytes, second.bytes), windowBytes: [first.bytes, second.bytes],
        checksum: second.checksum, ms: second.ms, counters, sites: [],
      },
    });
  }
  // Let the buffered GC entries arrive.
  await sleep(100);
  for (const e of obs.takeRecords()) gcStarts.push(e.startTime);
  obs.disconnect();
  const out: Record<string, PhaseReport> = {};
  for (let i = 0; i < windows.length; i++) {
    const w = windows[i];
    w.report.gcEvents = gcStarts.filter((t) => w.spans.some(([a, b]) => t >= a && t <= b)).length;
    if (w.report.gcEvents > 0 || w.report.youngBytes > TOLERANCE_BYTES) {
      w.report.sites = await allocationSites(phases[i], Math.min(phases[i].ops, SAMPLED_OPS));
    }
    out[w.name] = w.report;
  }
  return { node: process.version, flags: process.execArgv.filter((f) => f.startsWith("--") && f !== "--import"), baselineBytes, phases: out };
}

/** Operations sampled for the allocation sites of a phase that allocated. */
const SAMPLED_OPS = 4096;

type Post = (method: string, params?: object) => Promise<any>;

interface ProfileNode {
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  selfSize: number;
  children: ProfileNode[];
}

// "firmware/device/sensors.ts:120": the TypeScript line where a source map says it (tsx writes them).
function sourcePosition(f: ProfileNode["callFrame"]): string {
  if (!f.url) return "(native)";
  const map = findSourceMap(f.url);
  const entry = map ? (map.findEntry(f.lineNumber, f.columnNumber) as { originalSource?: string; originalLine?: number }) : null;
  const url = entry && entry.originalSource ? entry.originalSource : f.url;
  const line = entry && entry.originalSource ? (entry.originalLine ?? 0) + 1 : f.lineNumber + 1;
  const file = url.startsWith("file://" + ROOT + "/") ? url.slice(8 + ROOT.length) : url;
  return `${file}:${line}`;
}

/** allocationSites(phase, ops) -> the top allocating functions of `ops` more operations, by sampled bytes. */
async function allocationSites(phase: AllocPhase, ops: number): Promise<string[]> {
  const session = new Session();
  session.connect();
  const post: Post = (method, params) => new Promise((res, rej) => session.post(method, params ?? {}, (e, r) => (e ? rej(e) : res(r))));
  try {
    await post("HeapProfiler.enable");
    await post("HeapProfiler.startSampling", {
      samplingInterval: 64, includeObjectsCollectedByMinorGC: true, includeObjectsCollectedByMajorGC: true,
    });
    phase.run(ops);
    const { profile } = await post("HeapProfiler.stopSampling");
    const bytes = new Map<string, number>();
    const walk = (n: ProfileNode): void => {
      if (n.selfSize > 0) {
        const key = `${n.callFrame.functionName || "(anonymous)"} (${sourcePosition(n.callFrame)})`;
        bytes.set(key, (bytes.get(key) ?? 0) + n.selfSize);
      }
      for (const c of n.children) walk(c);
    };
    walk(profile.head as ProfileNode);
    return [...bytes.entries()].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, b]) => `${k} ~${b} B/${ops} ops`);
  } finally {
    session.disconnect();
  }
}

// One measured call of run(ops) on an empty young generation: its bytes there, checksum, time, counters.
function window(phase: AllocPhase, baselineBytes: number) {
  const c0 = phase.counters ? phase.counters() : {};
  emptyYoung();
  const t0 = performance.now();
  const u0 = newSpaceUsed();
  const checksum = phase.run(phase.ops);
  const u1 = newSpaceUsed();
  const t1 = performance.now();
  const c1 = phase.counters ? phase.counters() : {};
  return { bytes: u1 - u0 - baselineBytes, checksum, ms: Math.round(t1 - t0), c0, c1, span: [t0, t1] as [number, number] };
}

/** printReport(report): the child's last stdout line. */
export function printReport(report: object): void {
  process.stdout.write(JSON.stringify(report) + "\n");
}

// ---------------------------------------------------------------------------------------------------
// Parent side

/** A way to run V8: the flags it adds to the child's command line. */
export interface Variant {
  name: string;
  flags: string[];
}

/** The variants every allocation suite passes: as shipped, and with no escape analysis. */
export const VARIANTS: Variant[] = [
  { name: "default", flags: [] },
  { name: "no-escape-analysis", flags: ["--no-turbo-escape"] },
];

/**
 * Unoptimized code (Ignition and Sparkplug): every number that is not a small integer is a fresh heap
 * number there, so only code that computes in small integers passes (the codec does; the client's and the
 * device's timers work in milliseconds since 1970).
 */
export const UNOPTIMIZED: Variant = { name: "unoptimized", flags: ["--no-opt"] };

/**
 * Every child: gc() to empty the young generation, a young generation no window fills, TypeScript lines in
 * sites, and compilation on the main thread (--single-threaded), so what V8 inlines, and so what it boxes,
 * does not depend on when a background compiler finished: a run is reproducible.
 */
const BASE_FLAGS = ["--single-threaded", "--expose-gc", "--enable-source-maps", "--min-semi-space-size=64", "--max-semi-space-size=64"];

/**
 * runAllocChild(file, args, variant, timeoutMs) -> the JSON object the child printed last; throws with its
 * stderr when it failed. The child runs as `node <flags> --import tsx FILE ARGS...` from the repo root.
 */
export function runAllocChild<T>(file: string, args: string[], variant: Variant = VARIANTS[0], timeoutMs = 120_000): T {
  const argv = [...BASE_FLAGS, ...variant.flags, "--import", "tsx", file, ...args];
  const r = spawnSync(process.execPath, argv, { cwd: ROOT, encoding: "utf8", timeout: timeoutMs });
  if (r.status !== 0) throw new Error(`${file} (${variant.name}) failed (${r.status ?? r.signal}): ${r.stderr}`);
  const lines = r.stdout.trim().split("\n");
  return JSON.parse(lines[lines.length - 1]) as T;
}

/**
 * allocProblems(report, names?) -> one line per phase (all, or those named) that allocated: a GC event in
 * its window, or more young-generation bytes than the reading's jitter. Empty when allocation-free.
 */
export function allocProblems(report: AllocReport, names: string[] = Object.keys(report.phases)): string[] {
  const out: string[] = [];
  for (const name of names) {
    const p = report.phases[name];
    if (!p) {
      out.push(`${name}: not measured`);
      continue;
    }
    const where = p.sites.length > 0 ? "; sampled sites: " + p.sites.join(", ") : "";
    if (p.gcEvents > 0) out.push(`${name}: ${p.gcEvents} GC events in ${p.ops} operations${where}`);
    else if (p.youngBytes > TOLERANCE_BYTES) {
      out.push(`${name}: ${p.youngBytes} young-generation bytes in ${p.ops} operations (${(p.youngBytes / p.ops).toFixed(2)} B/op; ` +
        `windows ${p.windowBytes.join(" and ")})${where}`);
    }
  }
  const flags = report.flags.join(" ");
  return out.map((s) => s + (flags ? ` [${flags}]` : ""));
}
