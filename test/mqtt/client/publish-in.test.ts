// Incoming publishes: QoS 0/1/2, exactly-once for QoS 2 across resends, the fixed slots for ids awaiting
// PUBREL, and those ids across a reconnect.
import { describe, it, expect } from "vitest";
import { inEveryMode } from "../../support/natives";
import { ST_WAITING } from "../../../firmware/mqtt/client";
import { publish, pubrel, suback } from "../../support/fake-transport";
import { setup, b, pub } from "./harness";

// Everything below runs once per way the runtime may hand over strings: as bytes (V8), as strings
// (Espruino), and as strings the heap cannot make (Espruino with no flat block: the bytes again).
inEveryMode("incoming messages, topics", incomingSuites);

function incomingSuites(): void {
  describe("receive", () => {
    it("QoS 0: delivered (topic, payload, retain), nothing written", () => {
      const h = setup();
      h.up();
      h.t.deliver(publish({ topic: "in/0", payload: "zero", retain: true }));
      expect(h.ev.messages).toEqual([{ sub: -1, topic: "in/0", payload: "zero", qos: 0, retain: true, dup: false, packetId: 0 }]);
      expect(h.t.take()).toEqual([]);
    });

    it("QoS 1: delivered, then PUBACK with its id; a resend is delivered again (at least once)", () => {
      const h = setup();
      h.up();
      h.t.deliver(publish({ topic: "in/1", payload: "one", qos: 1, id: 42 }));
      expect(h.ev.log).toEqual(["connected 0", "message -1 in/1=one"]);
      expect(h.t.take()).toEqual([{ type: "PUBACK", packetId: 42 }]);
      h.t.deliver(publish({ topic: "in/1", payload: "one", qos: 1, id: 42, dup: true }));
      expect(h.ev.messages.length).toBe(2);
      expect(h.ev.messages[1].dup).toBe(true);
      expect(h.t.takeBrief()).toEqual(["PUBACK #42"]);
    });

    it("QoS 2: delivered once even when the broker resends the PUBLISH before PUBREL; PUBREL -> PUBCOMP", () => {
      const h = setup();
      h.up();
      h.t.deliver(publish({ topic: "in/2", payload: "two", qos: 2, id: 7 }));
      expect(h.ev.messages.map((m) => m.payload)).toEqual(["two"]);
      expect(h.t.takeBrief()).toEqual(["PUBREC #7"]);
      h.t.deliver(publish({ topic: "in/2", payload: "two", qos: 2, id: 7, dup: true }));
      h.t.deliver(publish({ topic: "in/2", payload: "two", qos: 2, id: 7, dup: true }));
      expect(h.ev.messages.length).toBe(1);
      expect(h.t.takeBrief()).toEqual(["PUBREC #7", "PUBREC #7"]);
      h.t.deliver(pubrel(7));
      expect(h.t.takeBrief()).toEqual(["PUBCOMP #7"]);
      // The flow is over: the same id is a new message now.
      h.t.deliver(publish({ topic: "in/2", payload: "again", qos: 2, id: 7 }));
      expect(h.ev.messages.map((m) => m.payload)).toEqual(["two", "again"]);
      expect(h.t.takeBrief()).toEqual(["PUBREC #7"]);
    });

    it("PUBREL for an id we do not hold is still answered with PUBCOMP", () => {
      const h = setup();
      h.up();
      h.t.deliver(pubrel(999));
      expect(h.t.takeBrief()).toEqual(["PUBCOMP #999"]);
      expect(h.ev.errors).toEqual([]);
    });

    it("several QoS 2 flows interleaved, each delivered once", () => {
      const h = setup();
      h.up();
      const ids = [3, 1, 65535, 2];
      for (const id of ids) h.t.deliver(publish({ topic: "q2", payload: "m" + id, qos: 2, id }));
      for (const id of ids.slice().reverse()) h.t.deliver(publish({ topic: "q2", payload: "m" + id, qos: 2, id, dup: true }));
      h.t.deliver(pubrel(1), pubrel(65535));
      h.t.deliver(publish({ topic: "q2", payload: "m3", qos: 2, id: 3, dup: true }));
      expect(h.ev.messages.map((m) => m.payload)).toEqual(["m3", "m1", "m65535", "m2"]);
    });

    it("any number of QoS 2 messages may await PUBREL at once (a session backlog): all delivered once, no drop", () => {
      const h = setup({});
      h.up();
      const ids = Array.from({ length: 300 }, (_, i) => i + 1);
      for (const id of ids) h.t.deliver(publish({ topic: "s", payload: "" + id, qos: 2, id }));
      expect(h.t.take().map((p) => p.type)).toEqual(ids.map(() => "PUBREC"));
      // The whole window again with DUP before any PUBREL: acknowledged, not delivered again.
      for (const id of ids) h.t.deliver(publish({ topic: "s", payload: "" + id, qos: 2, id, dup: true }));
      for (const id of ids) h.t.deliver(pubrel(id));
      expect(h.ev.errors).toEqual([]);
      expect(h.t.closeCalls).toBe(0);
      expect(h.ev.messages.map((m) => m.payload)).toEqual(ids.map(String));
      // After PUBREL the id is free: the same id is a new message.
      h.t.deliver(publish({ topic: "s", payload: "again", qos: 2, id: 1 }));
      expect(h.ev.messages.at(-1)!.payload).toBe("again");
    });

    it("with a persistent session the ids awaiting PUBREL survive a reconnect with session present", () => {
      const h = setup({ cleanSession: false });
      h.up();
      h.t.deliver(publish({ topic: "p", payload: "once", qos: 2, id: 5 }));
      h.t.take();
      h.t.remoteClose();
      h.reconnect(true);
      // The broker never got our PUBREC: it resends the PUBLISH with DUP.
      h.t.deliver(publish({ topic: "p", payload: "once", qos: 2, id: 5, dup: true }));
      expect(h.ev.messages.map((m) => m.payload)).toEqual(["once"]);
      expect(h.t.takeBrief()).toEqual(["PUBREC #5"]);
      h.t.deliver(pubrel(5));
      expect(h.t.takeBrief()).toEqual(["PUBCOMP #5"]);
    });

    it("the broker got PUBREC but not our PUBCOMP: after reconnect it resends PUBREL, answered with PUBCOMP", () => {
      const h = setup({ cleanSession: false });
      h.up();
      h.t.deliver(publish({ topic: "p", payload: "x", qos: 2, id: 9 }));
      h.t.deliver(pubrel(9));
      h.t.take();
      h.t.remoteClose();
      h.reconnect(true);
      h.t.deliver(pubrel(9));
      expect(h.t.takeBrief()).toEqual(["PUBCOMP #9"]);
      expect(h.ev.messages.length).toBe(1);
    });

    it("without a session (sessionPresent=0) the awaited ids are forgotten: the same id is a new message", () => {
      const h = setup({ cleanSession: true });
      h.up();
      h.t.deliver(publish({ topic: "p", payload: "first", qos: 2, id: 5 }));
      h.t.take();
      h.t.remoteClose();
      h.reconnect(false);
      h.t.deliver(publish({ topic: "p", payload: "new", qos: 2, id: 5 }));
      expect(h.ev.messages.map((m) => m.payload)).toEqual(["first", "new"]);
    });

    it("messages are counted; a resent QoS 2 PUBLISH is counted in messagesIn but not delivered", () => {
      const h = setup();
      h.up();
      h.t.deliver(publish({ topic: "c", qos: 0 }), publish({ topic: "c", qos: 1, id: 1 }), publish({ topic: "c", qos: 2, id: 2 }));
      h.t.deliver(publish({ topic: "c", qos: 2, id: 2, dup: true }));
      expect(h.client.stats.messagesIn).toBe(4);
      expect(h.ev.messages.length).toBe(3);
    });

    it("a publish from inside onMessage (re-entrant) is written before the PUBACK of the message", () => {
      const h = setup();
      h.up();
      h.client.subscribe(b("cmd/#"), 1);
      h.t.deliver(suback(1, [1]));
      h.t.take();
      h.ev.onMessageHook = (sub) => {
        expect(pub(h, "state", "on", 1)).toBeGreaterThan(0);
        expect(pub(h, "log", "got " + sub, 0)).toBe(0);
      };
      h.t.deliver(publish({ topic: "cmd/relay", payload: "on", qos: 1, id: 77 }));
      expect(h.t.takeBrief()).toEqual(["PUBLISH q1 #2 state=on", "PUBLISH q0 log=got 0", "PUBACK #77"]);
    });
  });
}
