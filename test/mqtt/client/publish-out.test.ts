// Outgoing publishes: QoS 0/1/2 flows, in-flight slots, packet ids, resend after reconnect, and what
// happens to messages published while disconnected.
import { describe, it, expect } from "vitest";
import {
  E_INFLIGHT_FULL, E_QOS0_OFFLINE, E_OFFLINE_FULL, E_BUFFER_TOO_SMALL, E_QOS_INVALID, E_TOPIC_WILDCARD,
  E_TOPIC_EMPTY, E_UTF8_NULL, PUBACK, topicName,
} from "../../../firmware/mqtt";
import { ack, puback, pubrec, pubcomp, suback } from "../../support/fake-transport";
import { setup, pub, b, autoAck } from "./harness";

describe("publish QoS 0, 1, 2", () => {
  it("QoS 0: one PUBLISH without id, retain flag kept, returns 0, nothing to acknowledge", () => {
    const h = setup();
    h.up();
    expect(pub(h, "a/b", "hello", 0)).toBe(0);
    expect(pub(h, "a/b", "kept", 0, true)).toBe(0);
    expect(h.t.take()).toEqual([
      { type: "PUBLISH", qos: 0, dup: false, retain: false, packetId: 0, topic: "a/b", payload: "hello" },
      { type: "PUBLISH", qos: 0, dup: false, retain: true, packetId: 0, topic: "a/b", payload: "kept" },
    ]);
    expect(h.client.inflight.used).toBe(0);
    expect(h.client.stats.messagesOut).toBe(2);
  });

  it("the payload is taken from (buffer, offset, length)", () => {
    const h = setup();
    h.up();
    const buf = new TextEncoder().encode("xxPAYLOADyy");
    expect(h.client.publish(b("t"), buf, 2, 7, 1, false)).toBe(1);
    expect(h.client.publish(b("t"), buf, 2, 7, 0, false)).toBe(0);
    expect(h.t.take().map((p) => p.payload)).toEqual(["PAYLOAD", "PAYLOAD"]);
  });

  it("publishQos(): what publish() does at QoS 1 and 2, the same bytes and ids; QoS 0 or 3 is QOS_INVALID, nothing sent", () => {
    const a = setup({ maxQos: 2 });
    const q = setup({ maxQos: 2 });
    a.up();
    q.up();
    const payload = b("state");
    for (const [qos, retain] of [[1, true], [2, false], [1, false]] as const) {
      expect(q.client.publishQos(b("r/1"), payload, 1, 3, qos, retain)).toBe(a.client.publish(b("r/1"), payload, 1, 3, qos, retain));
    }
    expect(q.t.take()).toEqual(a.t.take());
    expect(q.client.publishQos(b("r/1"), payload, 0, payload.length, 0, false)).toBe(E_QOS_INVALID);
    expect(q.client.publishQos(b("r/1"), payload, 0, payload.length, 3, false)).toBe(E_QOS_INVALID);
    expect(q.t.take()).toEqual([]);
    expect(q.client.inflight.used).toBe(a.client.inflight.used);
  });

  it("QoS 1: PUBLISH with id, PUBACK completes it and fires onPublished", () => {
    const h = setup();
    h.up();
    const id = pub(h, "q/1", "one", 1, true);
    expect(id).toBe(1);
    expect(h.t.take()).toEqual([{ type: "PUBLISH", qos: 1, dup: false, retain: true, packetId: 1, topic: "q/1", payload: "one" }]);
    expect(h.client.inflight.used).toBe(1);
    h.t.deliver(puback(1));
    expect(h.ev.published).toEqual([1]);
    expect(h.client.inflight.used).toBe(0);
    h.t.deliver(puback(1)); // a duplicate PUBACK: nothing more
    expect(h.ev.published).toEqual([1]);
    expect(h.t.take()).toEqual([]);
  });

  it("QoS 2: PUBREC -> PUBREL (flags 0010), PUBCOMP completes it and fires onPublished", () => {
    const h = setup();
    h.up();
    expect(pub(h, "q/2", "two", 2)).toBe(1);
    expect(h.t.takeBrief()).toEqual(["PUBLISH q2 #1 q/2=two"]);
    h.t.deliver(pubrec(1));
    expect(h.t.take()).toEqual([{ type: "PUBREL", packetId: 1 }]); // the fake's decoder checks the flags
    expect(h.ev.published).toEqual([]);
    h.t.deliver(pubrec(1)); // PUBREC again (our PUBREL was lost?): PUBREL again
    expect(h.t.takeBrief()).toEqual(["PUBREL #1"]);
    h.t.deliver(pubcomp(1));
    expect(h.ev.published).toEqual([1]);
    expect(h.client.inflight.used).toBe(0);
  });

  it("acknowledgements of the wrong kind or for unknown ids complete nothing", () => {
    const h = setup();
    h.up();
    const q1 = pub(h, "t", "1", 1);
    const q2 = pub(h, "t", "2", 2);
    h.t.take();
    h.t.deliver(pubcomp(q1), ack(PUBACK, q2), pubcomp(q2), puback(999));
    expect(h.ev.published).toEqual([]);
    expect(h.client.inflight.used).toBe(2);
    h.t.deliver(pubrec(777)); // unknown id: still answered so the broker's flow can end
    expect(h.t.takeBrief()).toEqual(["PUBREL #777"]);
    expect(h.ev.errors).toEqual([]);
    expect(h.client.isConnected()).toBe(true);
  });

  it("in-flight slots are configurable; when all are taken publish returns INFLIGHT_FULL at once", () => {
    const h = setup({ inflight: 3 });
    h.up();
    expect([pub(h, "t", "a", 1), pub(h, "t", "b", 2), pub(h, "t", "c", 1)]).toEqual([1, 2, 3]);
    h.t.take();
    expect(pub(h, "t", "d", 1)).toBe(E_INFLIGHT_FULL);
    expect(pub(h, "t", "e", 2)).toBe(E_INFLIGHT_FULL);
    expect(h.t.take()).toEqual([]);
    expect(h.client.offline!.count).toBe(0); // not queued anywhere
    expect(pub(h, "t", "q0", 0)).toBe(0); // QoS 0 needs no slot
    h.t.deliver(puback(3));
    expect(pub(h, "t", "f", 1)).toBe(4);
    expect(pub(h, "t", "g", 1)).toBe(E_INFLIGHT_FULL);
    // A QoS 2 flow holds its slot until PUBCOMP, not PUBREC.
    h.t.deliver(pubrec(2));
    expect(pub(h, "t", "h", 1)).toBe(E_INFLIGHT_FULL);
    h.t.deliver(pubcomp(2));
    expect(pub(h, "t", "h", 1)).toBe(5);
  });

  it("default: 8 in-flight slots", () => {
    const h = setup();
    h.up();
    for (let i = 1; i <= 8; i++) expect(pub(h, "t", "" + i, 1)).toBe(i);
    expect(pub(h, "t", "9", 1)).toBe(E_INFLIGHT_FULL);
  });
});

describe("packet ids", () => {
  it("skip ids in use by in-flight messages and by pending SUBSCRIBE / UNSUBSCRIBE, and wrap 65535 -> 1", () => {
    const h = setup({ inflight: 4 });
    h.up();
    expect(h.client.subscribe(b("pending"), 1)).toBe(0); // id 1, no SUBACK
    expect(h.client.subscribe(b("acked"), 1)).toBe(1); // id 2
    h.t.deliver(suback(2, [1]));
    expect(h.client.unsubscribe(1)).toBe(0); // UNSUBSCRIBE id 3, no UNSUBACK
    expect(pub(h, "t", "q2", 2)).toBe(4);
    h.t.deliver(pubrec(4)); // now awaiting PUBCOMP
    expect(pub(h, "t", "q1", 1)).toBe(5); // awaiting PUBACK
    expect(h.t.takeBrief()).toEqual([
      "SUBSCRIBE #1 pending:1", "SUBSCRIBE #2 acked:1", "UNSUBSCRIBE #3 acked", "PUBLISH q2 #4 t=q2", "PUBREL #4",
      "PUBLISH q1 #5 t=q1",
    ]);
    const topic = b("c");
    const payload = new Uint8Array(1);
    const ids: number[] = [];
    for (let i = 6; i <= 65535; i++) {
      const id = h.client.publish(topic, payload, 0, 1, 1, false);
      ids.push(id);
      h.t.deliver(puback(id));
    }
    expect(ids[0]).toBe(6);
    expect(ids[ids.length - 1]).toBe(65535);
    expect(ids.every((id, k) => id === 6 + k)).toBe(true);
    h.t.take();
    // Wrapped: 1 (pending SUBSCRIBE) skipped, 2 free again, then 3 (UNSUBSCRIBE), 4, 5 (in flight) skipped.
    expect(pub(h, "t", "w1", 1)).toBe(2);
    expect(pub(h, "t", "w2", 1)).toBe(6);
    expect(h.t.take().map((p) => p.packetId)).toEqual([2, 6]);
    expect(h.ev.errors).toEqual([]);
  });

  it("ids are never 0 and never reused while in use, over many random flows", () => {
    const h = setup({ inflight: 5 });
    h.up();
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
    const live = new Map<number, number>(); // id -> qos
    let maxId = 0;
    let wrapped = false;
    for (let i = 0; i < 140_000; i++) {
      if (live.size < 5 && rnd() < 0.55) {
        const qos = rnd() < 0.5 ? 1 : 2;
        const id = pub(h, "r", "x", qos);
        if (!(id > 0 && id <= 65535) || live.has(id)) throw new Error("bad id " + id + " at step " + i);
        live.set(id, qos);
        if (id < maxId) wrapped = true;
        maxId = Math.max(maxId, id);
      } else if (live.size > 0) {
        const ids = [...live.keys()];
        const id = ids[Math.floor(rnd() * ids.length)];
        if (live.get(id) === 1) h.t.deliver(puback(id));
        else h.t.deliver(pubrec(id), pubcomp(id));
        live.delete(id);
      }
      if (i % 1000 === 0) h.t.take();
    }
    expect(h.client.inflight.used).toBe(live.size);
    expect(wrapped).toBe(true);
    expect(maxId).toBe(65535);
  });
});

describe("resend after reconnect [MQTT-4.4.0-1]", () => {
  it("unacknowledged PUBLISH again with DUP and the same id, PUBREL for flows past PUBREC, in original order", () => {
    const h = setup({ cleanSession: false, inflight: 4 });
    h.up();
    expect(pub(h, "a", "A", 1)).toBe(1);
    expect(pub(h, "b", "B", 2, true)).toBe(2);
    expect(pub(h, "c", "C", 2)).toBe(3);
    expect(pub(h, "d", "D", 1)).toBe(4);
    h.t.deliver(pubrec(3), puback(1));
    expect(pub(h, "e", "E", 1)).toBe(5); // reuses slot 0 but is the newest
    h.t.take();
    h.t.remoteClose();
    h.reconnect(true);
    expect(h.t.takeBrief()).toEqual([
      "PUBLISH q2 #2 dup retain b=B", "PUBREL #3", "PUBLISH q1 #4 dup d=D", "PUBLISH q1 #5 dup e=E",
    ]);
    // Lost again before any answer: the same again.
    h.t.remoteClose();
    h.reconnect(true);
    expect(h.t.takeBrief()).toEqual([
      "PUBLISH q2 #2 dup retain b=B", "PUBREL #3", "PUBLISH q1 #4 dup d=D", "PUBLISH q1 #5 dup e=E",
    ]);
    h.t.deliver(pubrec(2));
    expect(h.t.takeBrief()).toEqual(["PUBREL #2"]);
    h.t.deliver(pubcomp(3), pubcomp(2), puback(4), puback(5));
    expect(h.ev.published).toEqual([1, 3, 2, 4, 5]);
    expect(h.client.inflight.used).toBe(0);
    // Resends are not new messages.
    expect(h.client.stats.messagesOut).toBe(5);
    // After all that, new ids continue and nothing is resent at the next reconnect.
    expect(pub(h, "f", "F", 1)).toBe(6);
    h.t.take();
    h.t.deliver(puback(6));
    h.t.remoteClose();
    h.reconnect(true);
    expect(h.t.take()).toEqual([]);
  });

  it("PUBREL resent for a QoS 2 flow past PUBREC, then PUBCOMP completes it", () => {
    const h = setup({ cleanSession: false });
    h.up();
    pub(h, "x", "X", 2);
    h.t.deliver(pubrec(1));
    h.t.take();
    h.t.remoteClose();
    h.reconnect(true);
    expect(h.t.takeBrief()).toEqual(["PUBREL #1"]);
    h.t.deliver(pubcomp(1));
    expect(h.ev.published).toEqual([1]);
  });

  it("resent in-flight messages go before messages queued while disconnected", () => {
    const h = setup({ cleanSession: false, inflight: 3 });
    h.up();
    pub(h, "t", "1", 1);
    pub(h, "t", "2", 2);
    h.t.take();
    h.t.remoteClose();
    expect(pub(h, "t", "3", 1)).toBe(0);
    expect(pub(h, "t", "4", 1)).toBe(0);
    h.reconnect(true);
    expect(h.t.takeBrief()).toEqual(["PUBLISH q1 #1 dup t=1", "PUBLISH q2 #2 dup t=2", "PUBLISH q1 #3 t=3"]);
    h.t.deliver(puback(1));
    expect(h.t.takeBrief()).toEqual(["PUBLISH q1 #4 t=4"]);
  });
});

describe("publishing while disconnected", () => {
  it("QoS 0 is dropped, counted and returns QOS0_OFFLINE (before the first connection and between)", () => {
    const h = setup();
    expect(pub(h, "t", "x", 0)).toBe(E_QOS0_OFFLINE);
    h.open();
    expect(pub(h, "t", "x", 0)).toBe(E_QOS0_OFFLINE); // CONNACK not yet in
    h.t.deliver(new Uint8Array([0x20, 2, 0, 0]));
    h.t.take();
    h.t.remoteClose();
    expect(pub(h, "t", "x", 0)).toBe(E_QOS0_OFFLINE);
    expect(h.client.stats.dropped).toBe(3);
    h.reconnect();
    expect(h.t.take()).toEqual([]); // never sent later
  });

  it("QoS 1/2 go to the offline store and are sent after CONNACK, in order, as slots allow", () => {
    const h = setup({ inflight: 2 });
    const msgs: [string, number][] = [["m1", 1], ["m2", 2], ["m3", 1], ["m4", 2], ["m5", 1]];
    for (const [p, q] of msgs) expect(pub(h, "off/line", p, q)).toBe(0);
    expect(h.client.offline!.count).toBe(5);
    h.client.start();
    h.t.accept();
    h.t.take();
    h.t.deliver(new Uint8Array([0x20, 2, 0, 0]));
    expect(h.t.takeBrief()).toEqual(["PUBLISH q1 #1 off/line=m1", "PUBLISH q2 #2 off/line=m2"]);
    // Connected, but older messages still wait: a new one queues behind them (order is kept).
    expect(pub(h, "off/line", "m6", 1)).toBe(0);
    h.t.deliver(puback(1));
    expect(h.t.takeBrief()).toEqual(["PUBLISH q1 #3 off/line=m3"]);
    h.t.deliver(pubrec(2), pubcomp(2), puback(3));
    const rest = autoAck(h).filter((p) => p.type === "PUBLISH").map((p) => p.payload);
    expect(rest).toEqual(["m4", "m5", "m6"]);
    expect(h.client.offline!.count).toBe(0);
    expect(h.ev.published.sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("the offline store keeps QoS and retain of each message", () => {
    const h = setup();
    expect(pub(h, "r", "1", 1, true)).toBe(0);
    expect(pub(h, "r", "2", 2, true)).toBe(0);
    expect(pub(h, "r", "3", 2, false)).toBe(0);
    h.client.start();
    h.t.accept();
    h.t.take();
    h.t.deliver(new Uint8Array([0x20, 2, 0, 0]));
    expect(h.t.takeBrief()).toEqual(["PUBLISH q1 #1 retain r=1", "PUBLISH q2 #2 retain r=2", "PUBLISH q2 #3 r=3"]);
  });

  it("overflow of the offline store returns OFFLINE_FULL, calls onError and counts the drop", () => {
    // Each record takes 7 + topic + payload = 7 + 1 + 5 = 13 bytes.
    const h = setup({ offlineBytes: 34 });
    expect(pub(h, "t", "one..", 1)).toBe(0);
    expect(pub(h, "t", "two..", 2)).toBe(0);
    expect(pub(h, "t", "three", 1)).toBe(E_OFFLINE_FULL);
    expect(h.ev.errors).toEqual([E_OFFLINE_FULL]);
    expect(h.client.stats.dropped).toBe(1);
    expect(h.client.stats.errors).toBe(1);
    expect(pub(h, "t", "!", 1)).toBe(E_OFFLINE_FULL); // 9 bytes: 8 left
    expect(pub(h, "t", "", 1)).toBe(0); // 8 bytes: fits the 8 left exactly
    h.client.start();
    h.t.accept();
    h.t.take();
    h.t.deliver(new Uint8Array([0x20, 2, 0, 0]));
    expect(h.t.take().map((p) => p.payload)).toEqual(["one..", "two..", ""]);
    expect(h.ev.errors).toEqual([E_OFFLINE_FULL, E_OFFLINE_FULL]);
    expect(h.client.stats.dropped).toBe(2);
  });

  it("a message bigger than the whole offline store is refused with OFFLINE_FULL", () => {
    const h = setup({ offlineBytes: 20 });
    expect(pub(h, "topic", "0123456789", 1)).toBe(E_OFFLINE_FULL);
    expect(h.ev.errors).toEqual([E_OFFLINE_FULL]);
  });

  it("an invalid QoS is refused whether connected or not", () => {
    const h = setup();
    expect(pub(h, "t", "x", 3)).toBe(E_QOS_INVALID);
    h.up();
    expect(pub(h, "t", "x", 3)).toBe(E_QOS_INVALID);
    expect(pub(h, "t", "x", -1)).toBe(E_QOS_INVALID);
    expect(h.t.take()).toEqual([]);
    expect(h.client.inflight.used).toBe(0);
  });

  // publish() trusts its topic, so a publish is a few native copies on the board: topics are checked
  // once, when their bytes are made [MQTT-3.3.2-2].
  it.each([
    ["a/+", E_TOPIC_WILDCARD],
    ["a/#", E_TOPIC_WILDCARD],
    ["", E_TOPIC_EMPTY],
    ["a\u0000b", E_UTF8_NULL],
  ])("topicName(%j) refuses the topic with its rule", (name, code) => {
    expect(topicName(name)).toBe(code);
  });

  it("topicName gives the UTF-8 bytes of a valid topic", () => {
    expect(Array.from(topicName("a/é") as Uint8Array)).toEqual([0x61, 0x2f, 0xc3, 0xa9]);
  });
});

describe("sizes", () => {
  // QoS 1/2 PUBLISH with a 1-byte topic: 1 + 1 + 2 + 1 + 2 + payload = 7 + payload bytes.
  it("a QoS 1/2 message too big for an in-flight slot returns BUFFER_TOO_SMALL (connected or not)", () => {
    const h = setup({ maxPacketBytes: 64 });
    expect(pub(h, "t", "x".repeat(58), 1)).toBe(E_BUFFER_TOO_SMALL);
    expect(pub(h, "t", "x".repeat(57), 1)).toBe(0); // fits exactly: queued
    h.client.start();
    h.t.accept();
    h.t.take();
    h.t.deliver(new Uint8Array([0x20, 2, 0, 0]));
    expect(h.t.take().map((p) => p.payload.length)).toEqual([57]);
    expect(pub(h, "t", "x".repeat(58), 2)).toBe(E_BUFFER_TOO_SMALL);
    expect(pub(h, "t", "x".repeat(57), 2)).toBe(2);
    expect(h.t.take().map((p) => p.payload.length)).toEqual([57]);
  });

  it("a QoS 0 message too big for the TX buffer returns BUFFER_TOO_SMALL and sends nothing", () => {
    const h = setup({ maxPacketBytes: 64 });
    h.up();
    expect(pub(h, "t", "x".repeat(60), 0)).toBe(E_BUFFER_TOO_SMALL);
    expect(pub(h, "t", "x".repeat(59), 0)).toBe(0);
    expect(h.t.take().map((p) => p.payload.length)).toEqual([59]);
  });
});
