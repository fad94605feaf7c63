// A worker for run.test.ts that behaves as a fuzz worker whose streams 3 and 5 never end or kill it: the
// runner must name those streams, count each as an escape, and carry on with the next.
import type { WorkOrder, WorkerMessage } from "./worker";

function send(m: WorkerMessage): void {
  process.send!(m);
}

process.once("message", (o: WorkOrder) => {
  const end = o.count < 0 ? o.from + 10 : o.from + o.count;
  for (let i = o.from; i < end; i++) {
    send({ type: "begin", index: i });
    if (i === 3) for (;;);
    if (i === 5) process.exit(7);
    send({ type: "totals", next: i + 1, streams: 1, packets: 2 });
  }
  send({ type: "done" });
  process.disconnect();
});
