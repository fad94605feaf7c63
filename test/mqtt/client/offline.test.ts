// The offline store: a byte ring of records. Property tests against a simple model (an array of records
// placed by an independent interval check), and the client draining it over many disconnect cycles.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { OfflineQueue } from "../../../firmware/mqtt/offline-queue";
import { E_OFFLINE_FULL } from "../../../firmware/mqtt";
import { connack } from "../../support/fake-transport";
import { setup, autoAck } from "./harness";

interface Rec { flags: number; topic: number[]; payload: number[]; at: number; need: number }

/**
 * The model: live records with their place in the ring. A new record goes right after the newest one
 * (at 0 when that ended exactly at the end), or, when it does not fit before the end there, at 0; it
 * fits when it overlaps no live record. This is the policy the ring documents, checked by intervals.
 */
class Model {
  readonly recs: Rec[] = [];
  constructor(readonly cap: number) {}
  private free(at: number, need: number): boolean {
    if (at + need > this.cap) return false;
    return this.recs.every((r) => at + need <= r.at || r.at + r.need <= at);
  }
  /** place(need) -> where a record of `need` bytes goes, or -1 when it does not fit. */
  place(need: number): number {
    if (need > this.cap) return -1;
    if (this.recs.length === 0) return 0;
    const last = this.recs[this.recs.length - 1];
    const at = last.at + last.need === this.cap ? 0 : last.at + last.need;
    if (this.free(at, need)) return at;
    // Wrapping to 0 is only possible while the live records do not already wrap (tail after head).
    return at > this.recs[0].at && this.free(0, need) ? 0 : -1;
  }
  push(flags: number, topic: number[], payload: number[]): boolean {
    const need = 7 + topic.length + payload.length;
    const at = this.place(need);
    if (at < 0) return false;
    this.recs.push({ flags, topic, payload, at, need });
    return true;
  }
  pop(): Rec | undefined {
    return this.recs.shift();
  }
}

type Op = { kind: "push"; flags: number; topic: number[]; payload: number[] } | { kind: "pop" };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("push" as const),
      flags: fc.integer({ min: 0, max: 5 }),
      topic: fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 12 }),
      // Mostly small records, some large ones: sizes vary a lot relative to the ring.
      payload: fc.oneof(
        { weight: 4, arbitrary: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 24 }) },
        { weight: 1, arbitrary: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 120 }) },
      ),
    }),
  },
  { weight: 4, arbitrary: fc.constant({ kind: "pop" as const }) },
);

function read(q: OfflineQueue): { flags: number; topic: number[]; payload: number[] } {
  const at = q.peek();
  const t = q.topicOff(at);
  const p = q.payloadOff(at);
  return {
    flags: q.flags(at),
    topic: Array.from(q.bytes.subarray(t, t + q.topicLen(at))),
    payload: Array.from(q.bytes.subarray(p, p + q.payloadLen(at))),
  };
}

interface RunStats { wraps: number; refusals: number; spurious: string[] }

/**
 * Runs ops on a queue and the model. Order, content and placement must always agree, and the queue must
 * never take a record the model has no room for. A refusal of a record the model has room for is a
 * "spurious" refusal: recorded (with the ring's state), the model then skips the record too.
 */
function run(cap: number, ops: Op[], s: RunStats): void {
  const q = new OfflineQueue(cap);
  const m = new Model(cap);
  for (const op of ops) {
    if (op.kind === "push") {
      const need = 7 + op.topic.length + op.payload.length;
      const before = m.recs.length > 0 ? m.recs[m.recs.length - 1].at : -1;
      const ok = q.push(op.flags, Uint8Array.from(op.topic), 0, op.topic.length, Uint8Array.from(op.payload), 0, op.payload.length);
      const room = m.place(need) >= 0;
      if (ok) {
        expect(room).toBe(true);
        m.push(op.flags, op.topic, op.payload);
        if (before > 0 && m.recs[m.recs.length - 1].at === 0) s.wraps++;
      } else {
        s.refusals++;
        if (room) {
          const raw = q as unknown as { head: number; tail: number };
          s.spurious.push("cap " + cap + ": " + need + " bytes refused with records at " +
            JSON.stringify(m.recs.map((r) => [r.at, r.need])) + ", head " + raw.head + " (peek " + q.peek() + "), tail " + raw.tail);
        }
      }
    } else {
      const r = m.pop();
      if (r === undefined) {
        expect(q.peek()).toBe(-1);
        q.pop(); // harmless on empty
      } else {
        expect(q.peek()).toBe(r.at);
        expect(read(q)).toEqual({ flags: r.flags, topic: r.topic, payload: r.payload });
        q.pop();
      }
    }
    expect(q.count).toBe(m.recs.length);
  }
  // Drain what is left: same order, same bytes.
  while (m.recs.length > 0) {
    const r = m.pop() as Rec;
    expect(read(q)).toEqual({ flags: r.flags, topic: r.topic, payload: r.payload });
    q.pop();
  }
  expect(q.count).toBe(0);
  expect(q.peek()).toBe(-1);
}

const capArb = fc.integer({ min: 8, max: 200 });
const opsArb = fc.array(opArb, { minLength: 1, maxLength: 400, size: "max" });

describe("OfflineQueue (property, against an array model)", () => {
  it("keeps order and content through wrap-arounds with records of varying sizes", () => {
    const s: RunStats = { wraps: 0, refusals: 0, spurious: [] };
    fc.assert(fc.property(capArb, opsArb, (cap, ops) => run(cap, ops, s)), { numRuns: 200 });
    // The runs did exercise wrapping and refusals, not just the easy middle.
    expect(s.wraps).toBeGreaterThan(200);
    expect(s.refusals).toBeGreaterThan(200);
  });

  it("never refuses a record it has room for (no spurious OFFLINE_FULL)", () => {
    // Smallest case: cap 17, records of 8 bytes. A at 0, B at 8 (ends at 16: 1 byte left), pop A,
    // C wraps to 0, pop B: the live record is C at [0, 8) and [8, 17) is free, but a 9-byte push fails
    // because the stored head still points at the skipped end (16), so only [8, 16) counts as free.
    const q = new OfflineQueue(17);
    const t1 = new Uint8Array([0x61]);
    const t2 = new Uint8Array([0x61, 0x62]);
    const none = new Uint8Array(0);
    expect(q.push(2, t1, 0, 1, none, 0, 0)).toBe(true);
    expect(q.push(2, t1, 0, 1, none, 0, 0)).toBe(true);
    q.pop();
    expect(q.push(2, t1, 0, 1, none, 0, 0)).toBe(true);
    q.pop();
    expect(q.peek()).toBe(0);
    expect(q.push(2, t2, 0, 2, none, 0, 0)).toBe(true); // 9 bytes into [8, 17)
    // And in general:
    const s: RunStats = { wraps: 0, refusals: 0, spurious: [] };
    fc.assert(fc.property(capArb, opsArb, (cap, ops) => run(cap, ops, s)), { numRuns: 200 });
    expect(s.spurious.slice(0, 3)).toEqual([]);
  });

  it("an empty store always takes a record that fits its capacity, also right after wrapping", () => {
    fc.assert(
      fc.property(fc.integer({ min: 8, max: 100 }), fc.array(fc.integer({ min: 0, max: 93 }), { minLength: 1, maxLength: 60 }), (cap, sizes) => {
        const q = new OfflineQueue(cap);
        const t = new Uint8Array([0x61]);
        const p = new Uint8Array(100);
        for (const s of sizes) {
          const fits = 8 + s <= cap;
          expect(q.push(2, t, 0, 1, p, 0, s)).toBe(fits);
          if (fits) {
            expect(q.payloadLen(q.peek())).toBe(s);
            q.pop();
          }
          expect(q.count).toBe(0);
        }
      }),
    );
  });

  it("a full ring refuses until the oldest record is popped (exact fit at the end)", () => {
    const q = new OfflineQueue(30);
    const t = new Uint8Array([0x74]);
    const p = new Uint8Array(7);
    expect(q.push(2, t, 0, 1, p, 0, 7)).toBe(true); // 15 bytes at 0
    expect(q.push(2, t, 0, 1, p, 0, 7)).toBe(true); // 15 bytes at 15, ends at the end
    expect(q.push(2, t, 0, 1, p, 0, 0)).toBe(false);
    q.pop();
    expect(q.push(2, t, 0, 1, p, 0, 7)).toBe(true); // at 0 again
    expect(q.push(2, t, 0, 1, p, 0, 0)).toBe(false);
    expect(q.count).toBe(2);
  });
});

describe("offline store through the client (property)", () => {
  it("messages of varying sizes over many disconnect cycles arrive in order, complete, or are reported", () => {
    let totalRefused = 0;
    let totalAccepted = 0;
    fc.assert(
      fc.property(
        fc.array(
          fc.array(fc.record({ qos: fc.integer({ min: 1, max: 2 }), len: fc.integer({ min: 0, max: 120 }) }), { maxLength: 12 }),
          { minLength: 1, maxLength: 12 },
        ),
        fc.integer({ min: 1, max: 4 }),
        (cycles, inflight) => {
          const h = setup({ offlineBytes: 300, inflight, reconnectMinMs: 10, reconnectMaxMs: 10 });
          const accepted: string[] = [];
          let refused = 0;
          let n = 0;
          const received: string[] = [];
          for (const batch of cycles) {
            for (const m of batch) {
              const payload = String(n++).padEnd(m.len, ".");
              const body = new TextEncoder().encode(payload);
              const r = h.client.publish(new TextEncoder().encode("o/" + (n % 7)), body, 0, body.length, m.qos, n % 3 === 0);
              if (r === 0) accepted.push(payload);
              else {
                expect(r).toBe(E_OFFLINE_FULL);
                refused++;
              }
            }
            if (h.t.openCalls === 0) h.client.start();
            else h.waitOpen();
            h.t.accept();
            h.t.take();
            h.t.deliver(connack(false, 0));
            for (const p of autoAck(h)) if (p.type === "PUBLISH") received.push(p.payload);
            expect(h.client.offline!.count).toBe(0);
            h.t.remoteClose();
          }
          expect(received).toEqual(accepted);
          totalRefused += refused;
          totalAccepted += accepted.length;
          expect(h.ev.errors.filter((e) => e === E_OFFLINE_FULL).length).toBe(refused);
          expect(h.client.stats.dropped).toBe(refused);
        },
      ),
      { numRuns: 150 },
    );
    expect(totalRefused).toBeGreaterThan(50);
    expect(totalAccepted).toBeGreaterThan(500);
  });
});
