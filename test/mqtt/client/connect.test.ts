// Connect: the CONNECT bytes, the CONNACK wait and its timeout, refusals 1-5, and what may come first.
import { describe, it, expect } from "vitest";
import {
  OK, E_CONNACK_TIMEOUT, E_REFUSED_PROTOCOL, E_REFUSED_IDENTIFIER, E_REFUSED_UNAVAILABLE, E_REFUSED_CREDENTIALS,
  E_REFUSED_NOT_AUTHORIZED, E_UNEXPECTED_PACKET, E_CONNECT_FAILED, PINGRESP, PINGREQ, errorName,
} from "../../../firmware/mqtt";
import { MqttClient, ST_WAITING, ST_CONNACK, ST_OPENING, ST_CONNECTED } from "../../../firmware/mqtt/client";
import { FakeClock, FakeTransport, connack, publish, suback, puback, empty } from "../../support/fake-transport";
import { setup, names } from "./harness";

describe("CONNECT", () => {
  it("carries client id, clean session and keep alive (defaults: clean, 60 s, MQTT 3.1.1)", () => {
    const h = setup({ clientId: "relay-01" });
    const c = h.open();
    expect(c).toEqual({
      type: "CONNECT", protocolName: "MQTT", protocolLevel: 4, cleanSession: true, keepAlive: 60,
      clientId: "relay-01", will: null, username: null, password: null,
    });
  });

  it("persistent session, will (topic, payload, QoS, retain), user name and password, keep alive", () => {
    const h = setup({
      clientId: "relay-02", cleanSession: false, keepAliveSec: 17, username: "user", password: "sëcret",
      will: { topic: "dev/relay-02/status", payload: "offline", qos: 2, retain: true },
    });
    expect(h.open()).toEqual({
      type: "CONNECT", protocolName: "MQTT", protocolLevel: 4, cleanSession: false, keepAlive: 17,
      clientId: "relay-02", will: { topic: "dev/relay-02/status", payload: "offline", qos: 2, retain: true },
      username: "user", password: "sëcret",
    });
  });

  it("will at QoS 1 without retain, user name without password", () => {
    const h = setup({ will: { topic: "w", payload: "", qos: 1, retain: false }, username: "u" });
    const c = h.open();
    expect(c.will).toEqual({ topic: "w", payload: "", qos: 1, retain: false });
    expect(c.username).toBe("u");
    expect(c.password).toBeNull();
  });

  it("MQTT 3.1 (MQIsdp) on request", () => {
    const h = setup({ clientId: "old-broker", protocolLevel: 3, keepAliveSec: 0 });
    const c = h.open();
    expect(c.clientId).toBe("old-broker");
    expect(c.protocolName).toBe("MQIsdp");
    expect(c.protocolLevel).toBe(3);
    expect(c.keepAlive).toBe(0);
  });

  it("invalid connect options fail at construction, not at the first connect", () => {
    const mk = (o: object) => () => new MqttClient({ clientId: "x", ...o }, new FakeTransport(), new FakeClock(), {});
    expect(mk({ password: "p" })).toThrow(); // password without user name [MQTT-3.1.2-22]
    expect(mk({ will: { topic: "a/#", payload: "", qos: 0, retain: false } })).toThrow();
    expect(mk({ will: { topic: "a", payload: "", qos: 3, retain: false } })).toThrow();
    expect(mk({ keepAliveSec: 70000 })).toThrow();
    expect(mk({ protocolLevel: 5 })).toThrow();
    expect(mk({ clientId: "", cleanSession: false })).toThrow(); // [MQTT-3.1.3-7]
    expect(mk({ clientId: "", protocolLevel: 3 })).toThrow(); // MQTT 3.1 needs a client id
  });

  it("the same CONNECT is sent on every connection", () => {
    const h = setup({ clientId: "again", cleanSession: false, username: "u", password: "p" });
    const first = h.open();
    h.t.deliver(connack());
    h.t.remoteClose();
    h.waitOpen();
    h.t.accept();
    expect(h.t.take()).toEqual([first]);
  });
});

describe("CONNACK", () => {
  it("accepted: onConnected(sessionPresent), state connected, counters", () => {
    const h = setup({ cleanSession: false });
    h.open();
    expect(h.client.state).toBe(ST_CONNACK);
    h.t.deliver(connack(true, 0));
    expect(h.client.state).toBe(ST_CONNECTED);
    expect(h.client.sessionPresent).toBe(true);
    expect(h.ev.log).toEqual(["connected 1"]);
    expect(h.client.stats.connects).toBe(1);
    expect(h.client.stats.reconnects).toBe(0);
  });

  it("nothing is sent before CONNACK but the CONNECT (publishes and subscriptions wait)", () => {
    const h = setup();
    h.open();
    expect(h.client.subscribe(new TextEncoder().encode("a"), 1)).toBe(0);
    expect(h.client.publish(new TextEncoder().encode("t"), new Uint8Array(1), 0, 1, 1, false)).toBe(0);
    expect(h.t.take()).toEqual([]);
    h.t.deliver(connack());
    expect(h.t.takeBrief()).toEqual(["SUBSCRIBE #1 a:1", "PUBLISH q1 #2 t=\u0000"]);
  });

  it("times out after connectTimeoutMs without CONNACK: error, close, reconnect scheduled", () => {
    const h = setup({ connectTimeoutMs: 5000, reconnectMinMs: 1000 });
    h.open();
    h.step(4999);
    expect(h.ev.errors).toEqual([]);
    expect(h.t.closeCalls).toBe(0);
    h.step(1);
    expect(names(h.ev.errors)).toEqual(["CONNACK_TIMEOUT"]);
    expect(h.t.closeCalls).toBe(1);
    expect(h.client.state).toBe(ST_WAITING);
    expect(h.client.lastError).toBe(E_CONNACK_TIMEOUT);
    expect(h.ev.disconnected).toEqual([]); // never connected
    h.waitOpen(1000, 1);
    expect(h.t.openCalls).toBe(2);
  });

  it("the timeout also covers an open() that never completes", () => {
    const h = setup({ connectTimeoutMs: 3000 });
    h.client.start();
    expect(h.client.state).toBe(ST_OPENING);
    h.step(2999);
    expect(h.t.closeCalls).toBe(0);
    h.step(1);
    expect(names(h.ev.errors)).toEqual(["CONNACK_TIMEOUT"]);
    expect(h.t.closeCalls).toBe(1);
    expect(h.client.state).toBe(ST_WAITING);
  });

  it("an open() refused synchronously (onClose inside open) reports CONNECT_FAILED and retries", () => {
    const h = setup({ reconnectMinMs: 2000 });
    h.t.refuseNextOpen(E_CONNECT_FAILED);
    h.client.start();
    expect(h.t.openCalls).toBe(1);
    expect(names(h.ev.errors)).toEqual(["CONNECT_FAILED"]);
    expect(h.client.state).toBe(ST_WAITING);
    expect(h.ev.disconnected).toEqual([]);
    h.waitOpen(2000, 1);
    expect(h.t.openCalls).toBe(2);
    h.t.accept();
    h.t.deliver(connack());
    expect(h.client.isConnected()).toBe(true);
  });

  it("an open() that fails later (asynchronous onClose) reports its reason and retries", () => {
    const h = setup();
    h.client.start();
    h.t.fail(E_CONNECT_FAILED);
    expect(names(h.ev.errors)).toEqual(["CONNECT_FAILED"]);
    expect(h.client.state).toBe(ST_WAITING);
  });

  const refusals: [number, number][] = [
    [1, E_REFUSED_PROTOCOL], [2, E_REFUSED_IDENTIFIER], [3, E_REFUSED_UNAVAILABLE],
    [4, E_REFUSED_CREDENTIALS], [5, E_REFUSED_NOT_AUTHORIZED],
  ];
  for (const [rc, code] of refusals) {
    it("return code " + rc + " surfaces as " + errorName(code) + ", closes and schedules a reconnect", () => {
      const h = setup();
      h.open();
      h.t.deliver(connack(false, rc));
      expect(h.ev.errors).toEqual([code]);
      expect(h.client.stats.errors).toBe(1);
      expect(h.ev.connected).toEqual([]);
      expect(h.ev.disconnected).toEqual([]);
      expect(h.t.closeCalls).toBe(1);
      expect(h.client.state).toBe(ST_WAITING);
      expect(h.client.lastError).toBe(code);
      expect(h.client.stats.connects).toBe(0);
    });
  }

  it("the five refusal codes are distinct", () => {
    expect(new Set(refusals.map((r) => r[1])).size).toBe(5);
  });

  // Refusals 4 and 5 wait at the top of the range: drawn from [max(min, max/2), max].
  for (const rc of [4, 5]) {
    for (const r of [0, 0.5, 0.999]) {
      it("refusal " + rc + " backs off at the top of the range: next open only after >= reconnectMaxMs/2 (random " + r + ")", () => {
        const max = 60_000;
        const h = setup({ reconnectMinMs: 1000, reconnectMaxMs: max, random: () => r });
        h.open();
        h.t.deliver(connack(false, rc));
        const expected = max / 2 + r * (max / 2); // lo = max(1000, 30000)
        expect(Math.ceil(expected) - 1).toBeGreaterThanOrEqual(max / 2 - 1);
        h.step(Math.ceil(expected) - 1);
        expect(h.t.openCalls).toBe(1);
        h.step(1);
        expect(h.t.openCalls).toBe(2);
      });
    }
  }

  it("refusal 4 with reconnectMinMs above reconnectMaxMs/2 still waits at least reconnectMinMs", () => {
    const h = setup({ reconnectMinMs: 40_000, reconnectMaxMs: 60_000, random: () => 0 });
    h.open();
    h.t.deliver(connack(false, 4));
    expect(h.waitOpen(100_000, 1)).toBe(40_000); // [40000, 60000], random 0
  });

  for (const rc of [1, 2, 3]) {
    it("refusal " + rc + " uses the ordinary (minimum) backoff", () => {
      const h = setup({ reconnectMinMs: 1000, reconnectMaxMs: 60_000, random: () => 0 });
      h.open();
      h.t.deliver(connack(false, rc));
      h.step(999); // attempt 0: [1000, 2000], random 0
      expect(h.t.openCalls).toBe(1);
      h.step(1);
      expect(h.t.openCalls).toBe(2);
    });
  }

  it("a refusal with 4 then a plain connection failure: only the refusal waited the maximum", () => {
    const h = setup({ reconnectMinMs: 1000, reconnectMaxMs: 64_000, random: () => 0 });
    h.open();
    h.t.deliver(connack(false, 4));
    expect(h.waitOpen(100_000, 1)).toBe(32_000); // [32000, 64000], random 0
    h.t.fail(E_CONNECT_FAILED);
    // attempt 1 of the ordinary schedule: [2000, 4000], random 0.
    expect(h.waitOpen(100_000, 1)).toBe(2000);
  });

  const notFirst: [string, Uint8Array][] = [
    ["PUBLISH", publish({ topic: "a", payload: "x", qos: 1, id: 1 })],
    ["SUBACK", suback(1, [0])],
    ["PUBACK", puback(1)],
    ["PINGRESP", empty(PINGRESP)],
  ];
  for (const [name, bytes] of notFirst) {
    it(name + " before CONNACK is UNEXPECTED_PACKET: connection dropped [MQTT-3.2.0-1]", () => {
      const h = setup();
      h.open();
      h.t.deliver(bytes);
      expect(h.ev.errors).toEqual([E_UNEXPECTED_PACKET]);
      expect(h.t.closeCalls).toBe(1);
      expect(h.client.state).toBe(ST_WAITING);
      expect(h.ev.messages).toEqual([]);
      expect(h.t.take()).toEqual([]); // nothing answered
    });
  }

  it("a second CONNACK or a PINGREQ from the broker while connected is UNEXPECTED_PACKET", () => {
    for (const bytes of [connack(false, 0), empty(PINGREQ)]) {
      const h = setup();
      h.up();
      h.t.deliver(bytes);
      expect(h.ev.errors).toEqual([E_UNEXPECTED_PACKET]);
      expect(h.ev.disconnected).toEqual([E_UNEXPECTED_PACKET]);
      expect(h.client.state).toBe(ST_WAITING);
    }
  });

  it("onOpen when not opening is ignored; start() while running does nothing", () => {
    const h = setup();
    h.up();
    h.client.start();
    expect(h.t.openCalls).toBe(1);
    h.client.onOpen();
    expect(h.t.take()).toEqual([]);
    expect(h.client.isConnected()).toBe(true);
    expect(h.client.lastError).toBe(OK);
  });
});

describe("ready: the field a hot path reads in place of isConnected()", () => {
  // Each step is one thing that happens to the link; after every step ready must be 1 exactly when
  // isConnected() is true, and isConnected() what the step leads to.
  const steps: [string, (h: ReturnType<typeof setup>) => void, boolean][] = [
    ["built, not started", () => {}, false],
    ["started: the socket is opening", (h) => h.client.start(), false],
    ["the socket is open: waiting for CONNACK", (h) => h.t.accept(), false],
    ["CONNACK accepted", (h) => h.t.deliver(connack(false, 0)), true],
    ["a malformed packet: the client drops the link, onClose still owed", (h) => h.t.deliver(empty(PINGREQ)), false],
    ["onClose: waiting to reconnect", (h) => h.t.finishClose(), false],
    ["the reconnect delay passed: opening again", (h) => h.waitOpen(), false],
    ["open, then CONNACK", (h) => { h.t.accept(); h.t.deliver(connack(false, 0)); }, true],
    ["the broker closes the link", (h) => h.t.remoteClose(), false],
    ["reconnected", (h) => { h.waitOpen(); h.t.accept(); h.t.deliver(connack(true, 0)); }, true],
    ["stop(): DISCONNECT, the link closing", (h) => h.client.stop(), false],
    ["onClose after stop()", (h) => h.t.finishClose(), false],
  ];

  it("is 1 exactly while isConnected() is true, through connect, drop, reconnect and stop", () => {
    const h = setup({ reconnectMinMs: 1000, random: () => 0 }, "deferred");
    const seen: [string, number, boolean][] = [];
    for (const [what, step] of steps) {
      step(h);
      seen.push([what, h.client.ready, h.client.isConnected()]);
    }
    expect(seen).toEqual(steps.map(([what, , connected]) => [what, connected ? 1 : 0, connected]));
  });
});
