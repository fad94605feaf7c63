// Runs one scenario in one mode on a fresh session, one result line per step as it runs: "ok" or "FAIL"
// with its file and line and the board time, and on a failure what was expected, what the board sent,
// its recent events and the MQTT trace. The first failing step ends the scenario.
import { relative } from "node:path";
import { formatMs, boardTime } from "./duration";
import { ScenarioFailure, startSession, type Mode, type SimSession } from "./session";
import { describeStep, type Scenario, type Step } from "./steps";

export interface RunOptions {
  mode: Mode;
  /** Bundle mode: a built file to run instead of building the scenario's board. */
  bundleFile?: string;
  /** The user's broker (mqtt://HOST:PORT); absent: a fresh embedded one per scenario. */
  broker?: string;
  ca?: string;
  env?: NodeJS.ProcessEnv;
  /** Each output line, as it is made. */
  print(line: string): void;
  /** Aborting it ends the run where it is (the overall --timeout). */
  signal?: AbortSignal;
}

export interface StepResult {
  line: number;
  text: string;
  ok: boolean;
  /** Board time after the step, ms. */
  t: number;
}

export interface ScenarioResult {
  scenario: Scenario;
  mode: Mode;
  passed: boolean;
  /** The run was ended by the overall timeout. */
  timedOut: boolean;
  steps: StepResult[];
  /** What failed, in one line (null when passed). */
  failure: string | null;
  /** Every line printed for this scenario. */
  output: string[];
  realMs: number;
  boardMs: number;
}

/** Board events and MQTT packets shown after a failure. */
const EVENTS_SHOWN = 25;
const PACKETS_SHOWN = 30;

class Aborted extends Error {}

/** runScenario(scenario, options) -> its result; never throws for what the scenario or the board did. */
export async function runScenario(scenario: Scenario, o: RunOptions): Promise<ScenarioResult> {
  const output: string[] = [];
  const print = (line: string) => {
    output.push(line);
    o.print(line);
  };
  const where = relative(process.cwd(), scenario.file) || scenario.file;
  const result: ScenarioResult = {
    scenario, mode: o.mode, passed: false, timedOut: false, steps: [], failure: null, output, realMs: 0, boardMs: 0,
  };
  const started = performance.now();
  print(`scenario ${scenario.name} [${o.mode}] (${where})`);
  let session: SimSession | null = null;
  let onAbort = () => {};
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new Aborted());
    if (o.signal?.aborted) onAbort();
    o.signal?.addEventListener("abort", onAbort, { once: true });
  });
  aborted.catch(() => {});
  // Whatever is under way when time runs out may still fail afterwards: nobody waits for it then.
  const race = <T>(p: Promise<T>): Promise<T> => {
    p.catch(() => {});
    return Promise.race([p, aborted]);
  };
  const starting = startSession({
    board: scenario.config, mode: o.mode, bundleFile: o.bundleFile, broker: o.broker, ca: o.ca, env: o.env,
    link: scenario.usesLink,
  });
  try {
    session = await race(starting);
  } catch (e) {
    result.timedOut = e instanceof Aborted;
    // A session that comes up after the time ran out is closed at once.
    if (result.timedOut) starting.then((late) => late.abort()).catch(() => {});
    result.failure = result.timedOut ? "the overall --timeout ran out while starting" : `cannot start: ${(e as Error).message}`;
    print(`  FAIL ${where}  ${result.failure}`);
  }
  if (session) {
    const s = session;
    // Columns line up: the longest "file:line" of the scenario, and board times up to 99999 s.
    const width = Math.max(...scenario.steps.map((x) => `${where}:${x.line}`.length));
    const stamp = () => boardTime(s.now()).padEnd(12);
    for (const step of scenario.steps) {
      const at = `${where}:${step.line}`.padEnd(width);
      const text = describeStep(step);
      try {
        const note = await race(runStep(s, step));
        result.steps.push({ line: step.line, text, ok: true, t: s.now() });
        print(`  ok   ${at}  ${stamp()}${text}${note}`);
      } catch (e) {
        result.steps.push({ line: step.line, text, ok: false, t: s.now() });
        result.timedOut = e instanceof Aborted;
        const summary = result.timedOut ? "the overall --timeout ran out during this step" : e instanceof ScenarioFailure ? e.summary : (e as Error).message;
        result.failure = `${where}:${step.line}: ${text}: ${summary}`;
        print(`  FAIL ${at}  ${stamp()}${text}`);
        print(`       ${summary}`);
        if (e instanceof ScenarioFailure) for (const d of e.details) print(`       ${d}`);
        print(`       the board's last events:`);
        for (const l of s.recentEvents(EVENTS_SHOWN)) print(`         ${l}`);
        print(`       MQTT trace, last ${PACKETS_SHOWN} packets:`);
        for (const l of s.trace(PACKETS_SHOWN)) print(`         ${l}`);
        break;
      }
    }
    result.boardMs = s.now();
    result.passed = result.failure === null;
    await (result.timedOut ? s.abort() : s.stop()).catch(() => {});
  }
  o.signal?.removeEventListener("abort", onAbort);
  result.realMs = performance.now() - started;
  print(`${result.passed ? "passed" : "FAILED"}: ${scenario.name} [${o.mode}] in ${formatMs(result.realMs)} (board time ${formatMs(result.boardMs)})`);
  return result;
}

/** runStep(session, step) -> a note for the step's line (what was seen), after running it. */
async function runStep(s: SimSession, step: Step): Promise<string> {
  switch (step.kind) {
    case "expect": {
      const m = await s.expect({ ...step.match, within: step.withinMs });
      // What the step did not spell out: the topic a filter matched, the payload a pattern matched.
      const topic = m.topic !== step.match.topic ? ` on ${m.topic}` : "";
      const payload = step.match.payload === undefined ? ` ${shortText(m.payload)}` : "";
      return `: seen at ${boardTime(m.t)}${topic}${payload}`;
    }
    case "expect-log": {
      const line = await s.expectLog(step.text !== null ? { text: step.text, within: step.withinMs } : { match: step.match ?? "", within: step.withinMs });
      return `: seen "${line}"`;
    }
    case "publish": await s.publish(step.topic, step.payload, { qos: step.qos, retain: step.retain }); break;
    case "expect-none": await s.expectNone({ ...step.match, for: step.forMs }); break;
    case "input": await s.input(step.sensor, step.value); break;
    case "expect-relay": await s.expectRelay(step.relays, { pin: step.pin ?? undefined, within: step.withinMs }); break;
    case "expect-pin": await s.expectPin(step.pins, { within: step.withinMs }); break;
    case "advance": await s.advance(step.ms); break;
    case "wait": await s.wait(step.ms); break;
    case "broker": await s.broker(step.action); break;
    case "link": await s.link(step.action); break;
    case "power": await s.power(step.action); break;
    case "press": await s.press(step.button, step.forMs !== null ? { for: step.forMs } : {}); break;
    case "wifi": await s.wifi(step.action); break;
    case "expect-led": await s.expectLed(step.pattern, { within: step.withinMs }); break;
    case "expect-packet": await s.expectPacket({ type: step.type, dir: step.dir, within: step.withinMs }); break;
  }
  return "";
}

function shortText(text: string): string {
  return text.length > 60 ? JSON.stringify(text.slice(0, 60)) + `... (${text.length} chars)` : JSON.stringify(text);
}
