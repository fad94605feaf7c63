// What a hostile or broken peer cannot do to the session: a refused write ends the link (it is dying), a
// filter that could never be sent is refused at the call, long credentials are sent rather than crash the
// start, a network coming back does not cut a refusal's wait, and acknowledgements for nothing are counted.
import { describe, it, expect } from "vitest";
import {
  E_WRITE_FAILED, E_BUFFER_TOO_SMALL, E_CONNECT_FAILED, PUBREL, UNSUBACK, errorName,
} from "../../../firmware/mqtt";
import { ST_WAITING } from "../../../firmware/mqtt/client";
import { connack, suback, puback, pubrec, pubcomp, pubrel, unsuback, publish, ack } from "../../support/fake-transport";
import { setup, pub, b, names } from "./harness";

describe("a refused transport write is a dying link", () => {
  it("a QoS 0 publish whose write fails returns WRITE_FAILED, is counted dropped not sent, and the link reopens", () => {
    const h = setup({ reconnectMinMs: 100 });
    h.up();
    h.t.failWrites(1);
    expect(pub(h, "t", "lost", 0)).toBe(E_WRITE_FAILED);
    expect(h.client.stats.messagesOut).toBe(0);
    expect(h.client.stats.dropped).toBe(1);
    expect(names(h.ev.errors)).toEqual(["WRITE_FAILED"]);
    expect(h.ev.log).toContain("disconnected WRITE_FAILED");
    expect(h.client.isConnected()).toBe(false);
    h.reconnect();
    expect(pub(h, "t", "kept", 0)).toBe(0);
    expect(h.t.takeBrief()).toEqual(["PUBLISH q0 t=kept"]);
  });

  it("a QoS 1 publish whose write fails stays in flight and goes out again after the reconnect [MQTT-4.4.0-1]", () => {
    const h = setup({ reconnectMinMs: 100, cleanSession: false });
    h.up();
    h.t.failWrites(1);
    expect(pub(h, "t", "m", 1)).toBe(1);
    expect(h.client.state).toBe(ST_WAITING);
    h.reconnect(true);
    // Never sent before, so no DUP.
    expect(h.t.takeBrief()).toEqual(["PUBLISH q1 #1 t=m"]);
  });

  const cases: [string, (h: ReturnType<typeof setup>) => void][] = [
    ["the PUBACK of a QoS 1 message", (h) => h.t.deliver(publish({ topic: "in", payload: "x", qos: 1, id: 7 }))],
    ["the PUBREC of a QoS 2 message", (h) => h.t.deliver(publish({ topic: "in", payload: "x", qos: 2, id: 7 }))],
    ["the PINGREQ of keep alive", (h) => h.step(60_000)],
    ["a SUBSCRIBE", (h) => h.client.subscribe(b("in/#"), 1)],
  ];
  for (const [what, act] of cases) {
    it("a failed write of " + what + " closes the link and reports WRITE_FAILED", () => {
      const h = setup({ reconnectMinMs: 100 });
      h.up();
      h.t.failWrites(1);
      act(h);
      expect(names(h.ev.errors)).toEqual(["WRITE_FAILED"]);
      expect(h.ev.disconnected.map(errorName)).toEqual(["WRITE_FAILED"]);
      expect(h.t.closeCalls).toBe(1);
      h.reconnect();
    });
  }

  it("a failed CONNECT write closes the attempt and retries with backoff", () => {
    const h = setup({ reconnectMinMs: 100 });
    h.client.start();
    h.t.failWrites(1);
    h.t.accept();
    expect(names(h.ev.errors)).toEqual(["WRITE_FAILED"]);
    expect(h.client.state).toBe(ST_WAITING);
    h.reconnect();
  });
});

describe("subscribe() refuses what could never be sent", () => {
  it("a filter longer than a SUBSCRIBE in the TX buffer is BUFFER_TOO_SMALL at the call, and nothing is kept", () => {
    const h = setup({ maxPacketBytes: 64 });
    h.up();
    // 1 + 1 (remaining length) + 2 (id) + 2 (length) + filter + 1 (QoS) = 7 + filter bytes.
    expect(h.client.subscribe(b("f".repeat(57)), 1)).toBe(0);
    expect(h.client.subscribe(b("g".repeat(58)), 1)).toBe(E_BUFFER_TOO_SMALL);
    expect(h.client.subscribeAll([b("a"), b("h".repeat(58))], [1, 1])).toBe(E_BUFFER_TOO_SMALL);
    expect(h.t.takeBrief()).toEqual(["SUBSCRIBE #1 " + "f".repeat(57) + ":1"]);
    h.t.deliver(suback(1, [1]));
    h.t.remoteClose();
    h.reconnect();
    // Only the filter that fits is made again; nothing was freed behind the caller's back.
    expect(h.t.takeBrief()).toEqual(["SUBSCRIBE #2 " + "f".repeat(57) + ":1"]);
    expect(h.ev.errors.map(errorName)).toEqual(["CONNECTION_LOST"]);
  });
});

describe("credentials of any length MQTT allows", () => {
  const long: [string, object][] = [
    ["a 600-byte password", { username: "u", password: "p".repeat(600) }],
    ["a 700-byte client id", { clientId: "c".repeat(700) }],
    ["a 600-byte user name", { username: "n".repeat(600) }],
    ["a 2,000-byte password with a small packet size", { username: "u", password: "p".repeat(2000), maxPacketBytes: 128 }],
  ];
  for (const [what, o] of long) {
    it(what + " goes out whole in the CONNECT; the TX buffer is sized for it", () => {
      const h = setup(o);
      const c = h.open();
      for (const [k, v] of Object.entries(o)) if (k !== "maxPacketBytes") expect(c[k as "clientId"]).toBe(v);
      h.t.deliver(connack(false, 0));
      expect(h.client.isConnected()).toBe(true);
    });
  }
});

describe("reconnectNow() (the network came back)", () => {
  it("cuts an ordinary reconnect delay", () => {
    const h = setup({ reconnectMinMs: 5000, random: () => 0 });
    h.open();
    h.t.remoteClose();
    h.client.reconnectNow();
    h.step(0);
    expect(h.t.openCalls).toBe(2);
  });

  for (const rc of [4, 5]) {
    it("does not cut the long wait after CONNACK refusal " + rc, () => {
      const h = setup({ reconnectMinMs: 1000, reconnectMaxMs: 60_000, random: () => 0 });
      h.open();
      h.t.deliver(connack(false, rc));
      h.client.reconnectNow();
      h.step(100);
      expect(h.t.openCalls).toBe(1);
      expect(h.waitOpen(100_000, 100)).toBe(30_000 - 100);
      // The next failure is an ordinary one: the network coming back cuts it again.
      h.t.fail(E_CONNECT_FAILED);
      h.client.reconnectNow();
      h.step(0);
      expect(h.t.openCalls).toBe(3);
    });
  }
});

describe("acknowledgements for no packet this side holds", () => {
  const acks: [string, Uint8Array][] = [
    ["PUBACK", puback(42)],
    ["PUBREC", pubrec(42)],
    ["PUBCOMP", pubcomp(42)],
    ["PUBREL", pubrel(42)],
    ["SUBACK", suback(42, [1])],
    ["UNSUBACK", unsuback(42)],
  ];
  for (const [name, bytes] of acks) {
    it("an unknown " + name + " is counted in stats.unknownAcks; the session goes on", () => {
      const h = setup();
      h.up();
      h.t.deliver(bytes);
      expect(h.client.stats.unknownAcks).toBe(1);
      expect(h.client.isConnected()).toBe(true);
      // PUBREC and PUBREL are still answered, so the broker's flow can end [MQTT-4.3.3-1].
      const out = h.t.takeBrief();
      if (name === "PUBREC") expect(out).toEqual(["PUBREL #42"]);
      else if (name === "PUBREL") expect(out).toEqual(["PUBCOMP #42"]);
      else expect(out).toEqual([]);
    });
  }

  it("acknowledgements for what is held are not counted", () => {
    const h = setup();
    h.up();
    pub(h, "t", "a", 1);
    pub(h, "t", "b", 2);
    h.client.subscribe(b("x"), 1);
    h.t.deliver(puback(1));
    h.t.deliver(pubrec(2));
    h.t.deliver(pubcomp(2));
    h.t.deliver(suback(3, [1]));
    h.client.unsubscribe(0);
    h.t.deliver(ack(UNSUBACK, 4));
    h.t.deliver(publish({ topic: "x", payload: "q2", qos: 2, id: 9 }));
    h.t.deliver(ack(PUBREL, 9));
    expect(h.client.stats.unknownAcks).toBe(0);
  });
});
