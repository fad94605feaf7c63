// The fuzz run's worker process: makes and runs streams from..from+count-1 (or until the deadline) and
// reports to the parent (run.ts) over IPC: "begin" before each stream (so a stream that never ends is
// named), its findings, and the totals now and then.
import { streamAt, runStream, type Target } from "./targets";
import type { StreamResult } from "./report";

/** What the parent asks for. */
export interface WorkOrder {
  seed: number;
  from: number;
  /** Streams to run at most (-1: until the deadline). */
  count: number;
  /** Date.now() after which no stream begins (-1: none). */
  deadline: number;
  /** Send every stream's steps with its result (a replay). */
  verbose: boolean;
}

export type WorkerMessage =
  | { type: "begin"; index: number }
  | { type: "result"; index: number; target: Target; strings: boolean; result: StreamResult; steps?: string[] }
  | { type: "totals"; next: number; streams: number; packets: number }
  | { type: "done" };

function send(m: WorkerMessage): void {
  process.send!(m);
}

function work(o: WorkOrder): void {
  let streams = 0;
  let packets = 0;
  let lastTotals = Date.now();
  for (let i = o.from; i < o.from + o.count && Date.now() < o.deadline; i++) {
    send({ type: "begin", index: i });
    const { target, stream } = streamAt(o.seed, i);
    const result = runStream(target, stream);
    streams++;
    packets += result.packets;
    if (o.verbose || result.escapes.length > 0 || result.wrongWrites > 0) {
      const steps = o.verbose
        ? stream.steps.map((s) => (s === "cut" ? "cut" : Buffer.from(s.data).toString("hex")))
        : undefined;
      send({ type: "result", index: i, target, strings: stream.strings, result, steps });
    }
    if (Date.now() - lastTotals > 200) {
      send({ type: "totals", next: i + 1, streams, packets });
      streams = 0;
      packets = 0;
      lastTotals = Date.now();
    }
  }
  send({ type: "totals", next: -1, streams, packets });
  send({ type: "done" });
}

if (process.send) {
  process.once("message", (o: WorkOrder) => {
    // IPC carries JSON, which has no Infinity.
    work({ ...o, count: o.count < 0 ? Infinity : o.count, deadline: o.deadline < 0 ? Infinity : o.deadline });
    process.disconnect();
  });
}
