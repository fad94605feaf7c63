// npm run sim -- --scenario FILE|DIR...: scenario files run as tests. Every file is read and checked
// first (an invalid one: its problems, exit 2, nothing runs); then each scenario runs on a fresh broker
// and board, in each mode asked for, one line per step; then "scenarios: N passed, M failed", the JUnit
// file if asked, and the exit code: 0 all passed, 1 one failed, EXIT_TIMEOUT when --timeout ran out.
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { ScenarioFileError, loadScenario } from "../scenario/load";
import { runScenario, type ScenarioResult } from "../scenario/run";
import { junitXml, type NotRun } from "../scenario/junit";
import { formatMs } from "../scenario/duration";
import type { Mode } from "../scenario/session";
import type { Scenario } from "../scenario/steps";
import { EXIT_TIMEOUT, type SimArgs } from "./sim-args";

export interface ScenarioIO {
  /** One line of results (stdout). */
  out(line: string): void;
  /** One line of trouble (stderr). */
  err(line: string): void;
  env: NodeJS.ProcessEnv;
}

/** scenarioFiles(paths) -> the files named and every .yaml/.yml file in the folders named, or a message. */
export function scenarioFiles(paths: string[]): string[] | string {
  const files: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      return `${p}: no such file or folder`;
    }
    if (!st.isDirectory()) {
      files.push(p);
      continue;
    }
    const inDir = readdirSync(p).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(p, f));
    if (inDir.length === 0) return `${p}: no scenario files (.yaml or .yml) in this folder`;
    files.push(...inDir);
  }
  return files;
}

/** runScenarios(args, io) -> the exit code (see the top of this file). */
export async function runScenarios(args: SimArgs, io: ScenarioIO): Promise<number> {
  const files = scenarioFiles(args.scenarios);
  if (typeof files === "string") {
    io.err(files);
    return 2;
  }
  if (args.bundleFile && args.bundle && !existsSync(args.bundle)) {
    io.err(`${args.bundle}: no such file; build it first (npm run build), or leave out FILE to build each scenario's board`);
    return 2;
  }
  const scenarios: Scenario[] = [];
  const problems: string[] = [];
  for (const f of files) {
    try {
      scenarios.push(loadScenario(f, { defaultBoard: args.board, env: io.env }));
    } catch (e) {
      if (!(e instanceof ScenarioFileError)) throw e;
      problems.push(...e.problems);
    }
  }
  if (problems.length > 0) {
    for (const p of problems) io.err(p);
    io.err(`scenarios: ${problems.length} problem(s) in the files; nothing was run`);
    return 2;
  }
  const modes: Mode[] = args.mode === "both" ? ["source", "bundle"] : [args.mode === "bundle" ? "bundle" : "source"];
  const runs = scenarios.flatMap((scenario) => modes.map((mode) => ({ scenario, mode })));
  const abort = new AbortController();
  const timer = args.timeoutMs !== null ? setTimeout(() => abort.abort(), args.timeoutMs) : null;
  const results: ScenarioResult[] = [];
  const notRun: NotRun[] = [];
  const started = performance.now();
  try {
    for (const run of runs) {
      if (abort.signal.aborted) {
        notRun.push(run);
        continue;
      }
      results.push(await runScenario(run.scenario, {
        mode: run.mode,
        bundleFile: args.bundleFile && args.bundle ? args.bundle : undefined,
        broker: args.broker ? `${args.broker.tls ? "mqtts" : "mqtt"}://${args.broker.host}:${args.broker.port}` : undefined,
        ca: args.ca ?? undefined,
        env: io.env,
        print: io.out,
        signal: abort.signal,
      }));
    }
  } finally {
    if (timer) clearTimeout(timer);
  }
  const passed = results.filter((r) => r.passed).length;
  const failed = results.length - passed;
  const timedOut = abort.signal.aborted;
  const tail = timedOut ? `, ${notRun.length} not run: the --timeout of ${formatMs(args.timeoutMs ?? 0)} ran out` : "";
  io.out(`scenarios: ${passed} passed, ${failed} failed${tail} (${formatMs(performance.now() - started)})`);
  if (args.junit) {
    try {
      mkdirSync(dirname(args.junit), { recursive: true });
      writeFileSync(args.junit, junitXml(results, notRun));
    } catch (e) {
      io.err(`${args.junit}: cannot write the JUnit report: ${(e as Error).message}`);
      return timedOut ? EXIT_TIMEOUT : 1;
    }
  }
  if (timedOut) return EXIT_TIMEOUT;
  return failed > 0 ? 1 : 0;
}
