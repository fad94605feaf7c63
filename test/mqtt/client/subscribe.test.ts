// Subscribe / unsubscribe: several filters per packet, SUBACK codes per filter, dispatch by byte
// matching, unsubscribe stopping delivery at once.
import { describe, it, expect } from "vitest";
import { inEveryMode } from "../../support/natives";
import {
  E_BAD_ARGUMENT, E_SUBSCRIPTIONS_FULL, E_FILTER_HASH, E_FILTER_PLUS, E_QOS_INVALID, E_TOPIC_EMPTY,
} from "../../../firmware/mqtt";
import { publish, suback, unsuback } from "../../support/fake-transport";
import { setup, b, Harness } from "./harness";

function subscribedAll(filters: string[], qos: number[], codes: number[]): Harness {
  const h = setup();
  h.up();
  expect(h.client.subscribeAll(filters.map(b), qos)).toBe(0);
  const w = h.t.take();
  expect(w.length).toBe(1);
  h.t.deliver(suback(w[0].packetId, codes));
  return h;
}

// Everything below runs once per way the runtime may hand over strings: as bytes (V8), as strings
// (Espruino), and as strings the heap cannot make (Espruino with no flat block: the bytes again).
inEveryMode("subscriptions, topics", subscriptionSuites);

function subscriptionSuites(): void {
  describe("subscribe", () => {
    it("subscribeAll: one SUBSCRIBE with every filter and its QoS", () => {
      const h = setup();
      h.up();
      expect(h.client.subscribeAll([b("a/+/c"), b("d/#"), b("#"), b("e")], [0, 1, 2, 1])).toBe(0);
      expect(h.t.take()).toEqual([{
        type: "SUBSCRIBE", packetId: 1,
        filters: [{ filter: "a/+/c", qos: 0 }, { filter: "d/#", qos: 1 }, { filter: "#", qos: 2 }, { filter: "e", qos: 1 }],
      }]);
    });

    it("SUBACK codes are reported per filter, 0x80 (refused) included", () => {
      const h = subscribedAll(["ok/0", "refused", "ok/2"], [0, 2, 2], [0, 0x80, 1]);
      expect(h.ev.subscribed).toEqual([[0, 0], [1, 0x80], [2, 1]]);
      expect(Array.from(h.client.subs.granted.subarray(0, 3))).toEqual([0, 0x80, 1]);
    });

    it("subscribe(filter, qos) returns the index; each call while connected is its own SUBSCRIBE", () => {
      const h = setup();
      h.up();
      expect(h.client.subscribe(b("x"), 1)).toBe(0);
      expect(h.client.subscribe(b("y"), 2)).toBe(1);
      expect(h.t.takeBrief()).toEqual(["SUBSCRIBE #1 x:1", "SUBSCRIBE #2 y:2"]);
      h.t.deliver(suback(2, [2]), suback(1, [1])); // answered out of order
      expect(h.ev.subscribed).toEqual([[1, 2], [0, 1]]);
    });

    it("a SUBACK with an unknown id changes nothing", () => {
      const h = setup();
      h.up();
      h.client.subscribe(b("x"), 1);
      h.t.deliver(suback(99, [1]));
      expect(h.ev.subscribed).toEqual([]);
      h.t.deliver(suback(1, [0]));
      expect(h.ev.subscribed).toEqual([[0, 0]]);
    });

    it("invalid filters and QoS are refused; a full table returns SUBSCRIPTIONS_FULL", () => {
      const h = setup({ subscriptions: 2 });
      h.up();
      expect(h.client.subscribe(b("a/#/b"), 0)).toBe(E_FILTER_HASH);
      expect(h.client.subscribe(b("a+"), 0)).toBe(E_FILTER_PLUS);
      expect(h.client.subscribe(b(""), 0)).toBe(E_TOPIC_EMPTY);
      expect(h.client.subscribe(b("a"), 3)).toBe(E_QOS_INVALID);
      expect(h.t.take()).toEqual([]);
      expect(h.client.subscribe(b("a"), 0)).toBe(0);
      expect(h.client.subscribe(b("b"), 0)).toBe(1);
      expect(h.client.subscribe(b("c"), 0)).toBe(E_SUBSCRIPTIONS_FULL);
      expect(h.client.subscribeAll([b("d")], [0])).toBe(E_SUBSCRIPTIONS_FULL);
    });

    it("more filters than one packet can carry go out in several SUBSCRIBE packets", () => {
      const h = setup({ maxPacketBytes: 40 });
      h.up();
      const filters = ["aaaaaaaa/1", "aaaaaaaa/2", "aaaaaaaa/3", "aaaaaaaa/4", "aaaaaaaa/5"];
      expect(h.client.subscribeAll(filters.map(b), [1, 1, 1, 1, 1])).toBe(0);
      const w = h.t.take();
      expect(w.length).toBeGreaterThan(1);
      expect(w.flatMap((p) => p.filters.map((f: any) => f.filter))).toEqual(filters);
      for (const p of w) h.t.deliver(suback(p.packetId, p.filters.map(() => 1)));
      expect(h.ev.subscribed.map((s) => s[0])).toEqual([0, 1, 2, 3, 4]);
    });
  });

  describe("dispatch", () => {
    it("by byte matching to the first matching filter's index; nothing matching gets -1", () => {
      const h = subscribedAll(["a/+", "a/#", "b/c", "+/+/z"], [0, 0, 0, 0], [0, 0, 0, 0]);
      const topics = ["a/x", "a/x/y", "a", "b/c", "b/c/d", "q/r/z", "zzz", "$SYS/a"];
      for (const t of topics) h.t.deliver(publish({ topic: t, payload: t.toUpperCase() }));
      expect(h.ev.messages.map((m) => [m.topic, m.sub, m.payload])).toEqual([
        ["a/x", 0, "A/X"], ["a/x/y", 1, "A/X/Y"], ["a", 1, "A"], ["b/c", 2, "B/C"], ["b/c/d", -1, "B/C/D"],
        ["q/r/z", 3, "Q/R/Z"], ["zzz", -1, "ZZZ"], ["$SYS/a", -1, "$SYS/A"],
      ]);
    });

    it("'#' and '+/#' do not match $ topics", () => {
      const h = subscribedAll(["#", "+/#"], [0, 0], [0, 0]);
      h.t.deliver(publish({ topic: "$SYS/uptime" }), publish({ topic: "x/y" }));
      expect(h.ev.messages.map((m) => m.sub)).toEqual([-1, 0]);
    });

    it("topic and payload are (buffer, offset, length) views, for in-place and reassembled packets", () => {
      const h = subscribedAll(["t/#"], [1], [1]);
      const pk = publish({ topic: "t/ü/1", payload: new Uint8Array([0, 1, 2, 255]), qos: 1, id: 3 });
      const seen: { off: number; bytes: number[]; topic: string }[] = [];
      h.ev.onMessageHook = (_sub, p) => {
        seen.push({
          off: p.topicOff,
          bytes: Array.from(p.buf.subarray(p.payloadOff, p.payloadOff + p.payloadLen)),
          topic: new TextDecoder().decode(p.buf.subarray(p.topicOff, p.topicOff + p.topicLen)),
        });
      };
      h.t.deliver(pk); // whole in one chunk (decoded in place, at an offset inside the chunk)
      h.t.deliverSplit(pk, [3]); // reassembled in the RX buffer
      expect(seen.map((s) => s.topic)).toEqual(["t/ü/1", "t/ü/1"]);
      expect(seen.map((s) => s.bytes)).toEqual([[0, 1, 2, 255], [0, 1, 2, 255]]);
      expect(h.ev.messages.map((m) => m.sub)).toEqual([0, 0]);
    });

    it("a refused (0x80) filter does not match; a later filter can", () => {
      const h = subscribedAll(["a/#", "a/b"], [1, 1], [0x80, 1]);
      h.t.deliver(publish({ topic: "a/b" }), publish({ topic: "a/c" }));
      expect(h.ev.messages.map((m) => m.sub)).toEqual([1, -1]);
    });

    it("a filter whose SUBACK has not come yet already matches", () => {
      const h = setup();
      h.up();
      h.client.subscribe(b("early/#"), 1);
      h.t.deliver(publish({ topic: "early/bird", qos: 1, id: 4 }));
      expect(h.ev.messages.map((m) => m.sub)).toEqual([0]);
    });
  });

  describe("unsubscribe", () => {
    it("stops delivery for that filter at once; UNSUBACK fires onUnsubscribed", () => {
      const h = subscribedAll(["a/+", "a/#"], [0, 0], [0, 0]);
      h.t.deliver(publish({ topic: "a/x" }));
      expect(h.client.unsubscribe(0)).toBe(0);
      expect(h.t.take()).toEqual([{ type: "UNSUBSCRIBE", packetId: 2, filters: ["a/+"] }]);
      // The broker may still send matching messages until UNSUBACK: they no longer go to filter 0.
      h.t.deliver(publish({ topic: "a/y" }));
      expect(h.ev.unsubscribed).toEqual([]);
      h.t.deliver(unsuback(2));
      expect(h.ev.unsubscribed).toEqual([0]);
      h.t.deliver(publish({ topic: "a/z" }));
      expect(h.ev.messages.map((m) => [m.topic, m.sub])).toEqual([["a/x", 0], ["a/y", 1], ["a/z", 1]]);
    });

    it("the other filters keep delivering; the freed index is reused", () => {
      const h = subscribedAll(["x", "y"], [0, 0], [0, 0]);
      h.client.unsubscribe(0);
      h.t.deliver(unsuback(2));
      h.t.deliver(publish({ topic: "x" }), publish({ topic: "y" }));
      expect(h.ev.messages.map((m) => m.sub)).toEqual([-1, 1]);
      expect(h.client.subscribe(b("z"), 0)).toBe(0);
    });

    it("unsubscribing a filter never sent (not connected yet) needs no packet", () => {
      const h = setup();
      expect(h.client.subscribe(b("never"), 1)).toBe(0);
      expect(h.client.unsubscribe(0)).toBe(0);
      expect(h.ev.unsubscribed).toEqual([0]);
      h.up();
      expect(h.t.take()).toEqual([]);
    });

    it("unsubscribing a filter whose SUBACK is pending sends UNSUBSCRIBE; the late SUBACK is ignored", () => {
      const h = setup();
      h.up();
      h.client.subscribe(b("p"), 1);
      h.client.unsubscribe(0);
      expect(h.t.takeBrief()).toEqual(["SUBSCRIBE #1 p:1", "UNSUBSCRIBE #2 p"]);
      h.t.deliver(suback(1, [1]));
      expect(h.ev.subscribed).toEqual([]);
      h.t.deliver(publish({ topic: "p" }));
      expect(h.ev.messages.map((m) => m.sub)).toEqual([-1]);
      h.t.deliver(unsuback(2));
      expect(h.ev.unsubscribed).toEqual([0]);
    });

    it("bad indexes return BAD_ARGUMENT (out of range, free, already leaving)", () => {
      const h = subscribedAll(["x"], [0], [0]);
      expect(h.client.unsubscribe(-1)).toBe(E_BAD_ARGUMENT);
      expect(h.client.unsubscribe(16)).toBe(E_BAD_ARGUMENT);
      expect(h.client.unsubscribe(5)).toBe(E_BAD_ARGUMENT);
      expect(h.client.unsubscribe(0)).toBe(0);
      expect(h.client.unsubscribe(0)).toBe(E_BAD_ARGUMENT);
      expect(h.t.take().length).toBe(1);
    });

    it("an UNSUBACK with an unknown id changes nothing", () => {
      const h = subscribedAll(["x"], [0], [0]);
      h.client.unsubscribe(0);
      h.t.deliver(unsuback(77));
      expect(h.ev.unsubscribed).toEqual([]);
    });
  });

  describe("subscribeAll is all or nothing", () => {
    // An error adds nothing: no filter before the bad one stays "wanted" to ride along later with the next
    // subscribe() or reconnect without the caller knowing its index.
    it("an error leaves the table unchanged: nothing is subscribed later behind the caller's back", () => {
      const h = setup();
      h.up();
      expect(h.client.subscribeAll([b("good/1"), b("bad/#/x"), b("good/2")], [1, 1, 1])).toBe(E_FILTER_HASH);
      expect(h.t.take()).toEqual([]);
      expect(h.client.subscribe(b("later"), 0)).toBe(0); // index 0 still free
      expect(h.t.takeBrief()).toEqual(["SUBSCRIBE #1 later:0"]);
    });

    it("an invalid QoS or too few free entries adds nothing either; a reconnect sends nothing extra", () => {
      const h = setup({ subscriptions: 3 });
      h.up();
      expect(h.client.subscribe(b("first"), 0)).toBe(0);
      h.t.take();
      expect(h.client.subscribeAll([b("q/1"), b("q/2")], [1, 3])).toBe(E_QOS_INVALID);
      expect(h.client.subscribeAll([b("f/1"), b("f/2"), b("f/3")], [0, 0, 0])).toBe(E_SUBSCRIPTIONS_FULL);
      expect(h.t.take()).toEqual([]);
      h.t.remoteClose();
      h.reconnect(false);
      expect(h.t.takeBrief()).toEqual(["SUBSCRIBE #2 first:0"]);
      // Exactly as many as are free still fit, at the lowest free indexes, in one SUBSCRIBE.
      expect(h.client.subscribeAll([b("f/1"), b("f/2")], [0, 1])).toBe(0);
      expect(h.t.takeBrief()).toEqual(["SUBSCRIBE #3 f/1:0,f/2:1"]);
      h.t.deliver(suback(3, [0, 1]));
      expect(h.ev.subscribed.slice(-2)).toEqual([[1, 0], [2, 1]]);
    });
  });
}
