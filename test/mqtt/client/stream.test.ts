// Packets split at every byte position and coalesced (several packets in one data event) must give
// exactly the behaviour of one packet per data event.
import { describe, it, expect } from "vitest";
import fc from "fast-check";
import { PINGRESP } from "../../../firmware/mqtt";
import { connack, suback, puback, pubrec, pubcomp, pubrel, publish, unsuback, empty, concat } from "../../support/fake-transport";
import { setup, b, pub } from "./harness";

const BIG = "B".repeat(300); // a 2-byte remaining length, and bigger than most chunks

// The broker's side of one session, as separate packets. The client's ids are known in advance: the
// SUBSCRIBE made before connecting gets 1, the two offline publishes 2 and 3, the UNSUBSCRIBE 4.
const BROKER: Uint8Array[] = [
  connack(false, 0),
  suback(1, [2, 0x80]),
  puback(2),
  pubrec(3),
  pubcomp(3),
  publish({ topic: "s/a", payload: "zero" }),
  publish({ topic: "s/b", payload: "one", qos: 1, id: 10, retain: true }),
  publish({ topic: "s/c", payload: BIG, qos: 2, id: 11 }),
  publish({ topic: "s/c", payload: BIG, qos: 2, id: 11, dup: true }),
  pubrel(11),
  empty(PINGRESP),
  publish({ topic: "other", payload: "" }),
  unsuback(4),
  publish({ topic: "s/d", payload: "after", qos: 1, id: 12 }),
];
const STREAM = concat(...BROKER);

interface Outcome { events: string[]; writes: string[]; stats: object }

/** Runs the session with the broker bytes handed over by `feed`. */
function run(feed: (deliver: (chunk: Uint8Array) => void) => void): Outcome {
  const h = setup({ cleanSession: false });
  expect(h.client.subscribeAll([b("s/#"), b("nope/+")], [2, 1])).toBe(0);
  expect(pub(h, "out", "o1", 1)).toBe(0);
  expect(pub(h, "out", "o2", 2)).toBe(0);
  // Unsubscribe 'nope/+' as soon as its SUBACK is in (it then gets id 4, after the publishes).
  h.ev.onSubscribedHook = (sub: number) => {
    if (sub === 1) expect(h.client.unsubscribe(1)).toBe(0);
  };
  h.client.start();
  h.t.accept();
  feed((chunk) => h.t.deliver(chunk));
  const s = h.client.stats;
  return {
    events: h.ev.log,
    writes: h.t.sent.map((p) => (p.type === "PUBLISH" ? "PUBLISH q" + p.qos + " #" + p.packetId + " " + p.topic + "=" + p.payload.slice(0, 8) : p.type + (p.packetId ? " #" + p.packetId : ""))),
    stats: { ...s },
  };
}

const reference = run((deliver) => {
  for (const p of BROKER) deliver(p);
});

describe("split and coalesced data events", () => {
  it("the reference session does what it should", () => {
    expect(reference.events).toEqual([
      "connected 0",
      "subscribed 0 2",
      "subscribed 1 128",
      "published 2",
      "published 3",
      "message 0 s/a=zero",
      "message 0 s/b=one",
      "message 0 s/c=" + BIG,
      "message -1 other=",
      "unsubscribed 1",
      "message 0 s/d=after",
    ]);
    expect(reference.writes).toEqual([
      "CONNECT",
      "SUBSCRIBE #1",
      "PUBLISH q1 #2 out=o1",
      "PUBLISH q2 #3 out=o2",
      "UNSUBSCRIBE #4",
      "PUBREL #3",
      "PUBACK #10",
      "PUBREC #11",
      "PUBREC #11",
      "PUBCOMP #11",
      "PUBACK #12",
    ]);
  });

  it("all packets coalesced in one data event", () => {
    expect(run((deliver) => deliver(STREAM))).toEqual(reference);
  });

  it("pairs of packets coalesced", () => {
    expect(run((deliver) => {
      for (let i = 0; i < BROKER.length; i += 2) deliver(concat(...BROKER.slice(i, i + 2)));
    })).toEqual(reference);
  });

  it("split in two at every byte position", () => {
    for (let k = 1; k < STREAM.length; k++) {
      const got = run((deliver) => {
        deliver(STREAM.subarray(0, k));
        deliver(STREAM.subarray(k));
      });
      if (JSON.stringify(got) !== JSON.stringify(reference)) expect({ k, got }).toEqual({ k, got: reference });
    }
  });

  it("split in three around every byte position (cut, cut + 1..3)", () => {
    for (let k = 1; k < STREAM.length - 1; k++) {
      for (let d = 1; d <= 3 && k + d < STREAM.length; d++) {
        const got = run((deliver) => {
          deliver(STREAM.subarray(0, k));
          deliver(STREAM.subarray(k, k + d));
          deliver(STREAM.subarray(k + d));
        });
        if (JSON.stringify(got) !== JSON.stringify(reference)) expect({ k, d, got }).toEqual({ k, d, got: reference });
      }
    }
  });

  it("one byte per data event", () => {
    expect(run((deliver) => {
      for (let i = 0; i < STREAM.length; i++) deliver(STREAM.subarray(i, i + 1));
    })).toEqual(reference);
  });

  it("any chunking (property)", () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: STREAM.length - 1 }), { maxLength: 40 }), (cuts) => {
        cuts.sort((x, y) => x - y);
        const got = run((deliver) => {
          let from = 0;
          for (const c of [...cuts, STREAM.length]) {
            deliver(STREAM.subarray(from, c));
            from = c;
          }
        });
        expect(got).toEqual(reference);
      }),
      { numRuns: 300 },
    );
  });
});
