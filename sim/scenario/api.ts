// The simulator for your own tests (README "Scenarios", "In your own tests"): import from here in a
// vitest file. A session is one board on a fresh embedded broker, on virtual time: the clock stands
// still until you advance it (or an expectation waits), so a 120 s fail-safe takes milliseconds.
//
//   const sim = await startSession({ board: "board.json", mode: "source" });
//   await sim.expect({ topic: "{prefix}/status", payload: "online", within: "2s" });
//   await sim.publish("{prefix}/relay/pump/set", "ON", { qos: 1 });
//   expect(sim.relay("pump")).toEqual({ on: true, level: "low" });
//   await sim.input("door", { level: "low" });
//   await sim.advance("121s");
//   await sim.stop();
//
// Expectations throw a ScenarioFailure whose message says what was expected and what the board sent.
import { loadScenario } from "./load";
import { runScenario, type RunOptions, type ScenarioResult } from "./run";

export { startSession, SimSession, ScenarioFailure, DEFAULT_WITHIN, DEFAULT_RATE } from "./session";
export type { SessionOptions, Mode, InputValue, ExpectOptions, ExpectNoneOptions, LogMatch } from "./session";
export type { BoardMessage, MessageMatch } from "./match";
export type { Duration } from "./duration";
export type { ScenarioResult } from "./run";
export { ScenarioFileError } from "./load";

/**
 * runScenarioFile(file, options) -> the result of one scenario file in one mode (result.passed,
 * result.output: its lines). Its board resolves from the file's folder, or is options.board. Throws
 * ScenarioFileError for a file that cannot run.
 */
export function runScenarioFile(
  file: string,
  options: Partial<RunOptions> & { board?: string } = {},
): Promise<ScenarioResult> {
  const scenario = loadScenario(file, { defaultBoard: options.board ?? "board.json", env: options.env ?? process.env });
  return runScenario(scenario, { mode: "source", print: () => {}, ...options });
}
