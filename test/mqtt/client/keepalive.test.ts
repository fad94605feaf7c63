// Keep alive: PINGREQ after a keep-alive period without sending (or without receiving), the ping
// timeout that declares a half-open link dead, and keep alive 0.
import { describe, it, expect } from "vitest";
import { E_PING_TIMEOUT, PINGRESP } from "../../../firmware/mqtt";
import { ST_WAITING } from "../../../firmware/mqtt/client";
import { empty, publish, puback } from "../../support/fake-transport";
import { setup, pub, names } from "./harness";

const PINGRESP_BYTES = empty(PINGRESP);

describe("keep alive", () => {
  it("PINGREQ after keepAlive of silence, not before; PINGRESP answers it", () => {
    const h = setup({ keepAliveSec: 10 });
    h.up();
    h.step(9999);
    expect(h.t.take()).toEqual([]);
    h.step(1);
    expect(h.t.takeBrief()).toEqual(["PINGREQ"]);
    h.step(100);
    expect(h.t.take()).toEqual([]); // one outstanding ping at a time
    h.t.deliver(PINGRESP_BYTES);
    // The next ping is due keepAlive after the last one was sent.
    h.step(9899);
    expect(h.t.take()).toEqual([]);
    h.step(1);
    expect(h.t.takeBrief()).toEqual(["PINGREQ"]);
    expect(h.ev.errors).toEqual([]);
    expect(h.client.isConnected()).toBe(true);
  });

  it("sending resets the send timer: a QoS 1 publish every 6 s with answers never needs a ping", () => {
    const h = setup({ keepAliveSec: 10 });
    h.up();
    for (let i = 0; i < 20; i++) {
      h.step(6000);
      const id = pub(h, "t", "x" + i, 1);
      h.t.deliver(puback(id));
    }
    expect(h.t.take().filter((p) => p.type === "PINGREQ")).toEqual([]);
  });

  it("a packet sent or received between two ticks counts from the tick before it: the ping comes up to a tick early, never late", () => {
    // Ticks every 100 ms; the publish and its PUBACK go 50 ms after a tick. The client reads no clock per
    // packet, so both are dated to that earlier tick: the ping is due 10 s after it, 9,950 ms after the
    // publish, within keepAlive of the last packet either way [MQTT-3.1.2-23].
    const h = setup({ keepAliveSec: 10 });
    h.up();
    h.step(100);
    h.clock.advance(50); // no tick: the publish and its PUBACK land between two ticks
    const id = pub(h, "t", "x", 1);
    h.t.deliver(puback(id));
    h.t.take();
    h.step(50); // the tick 50 ms after the publish
    for (let i = 0; i < 98; i++) h.step(100);
    expect(h.t.take()).toEqual([]); // 9,850 ms after the publish
    h.step(100);
    expect(h.t.takeBrief()).toEqual(["PINGREQ"]); // 9,950 ms after it
  });

  it("pings when nothing was RECEIVED for keepAlive, even while it keeps publishing QoS 0", () => {
    const h = setup({ keepAliveSec: 10, pingTimeoutMs: 5000 });
    h.up();
    for (let i = 0; i < 9; i++) {
      h.step(1000);
      expect(pub(h, "telemetry", "v" + i, 0)).toBe(0);
    }
    h.step(999);
    expect(h.t.take().map((p) => p.type)).toEqual(Array(9).fill("PUBLISH"));
    h.step(1); // 10 s since CONNACK arrived, 1 ms since the last publish
    expect(h.t.takeBrief()).toEqual(["PINGREQ"]);
    // The link is dead: the publishes keep going in, nothing comes back.
    for (let i = 0; i < 4; i++) {
      h.step(1000);
      pub(h, "telemetry", "w" + i, 0);
    }
    h.step(999);
    expect(h.ev.errors).toEqual([]);
    h.step(1);
    expect(names(h.ev.errors)).toEqual(["PING_TIMEOUT"]);
  });

  it("pings when nothing was SENT for keepAlive, even while messages keep arriving", () => {
    const h = setup({ keepAliveSec: 10 });
    h.up();
    for (let i = 0; i < 12; i++) {
      h.step(900);
      h.t.deliver(publish({ topic: "in", payload: "" + i }));
    }
    // 10.8 s since CONNACK; the ping went out at the tick 10 s or more after the last send.
    const w = h.t.take();
    expect(w.map((p) => p.type)).toEqual(["PINGREQ"]);
  });

  it("no PINGRESP within pingTimeoutMs: PING_TIMEOUT, transport closed, reconnect scheduled", () => {
    const h = setup({ keepAliveSec: 10, pingTimeoutMs: 4000, reconnectMinMs: 1000 });
    h.up();
    h.step(10_000);
    expect(h.t.takeBrief()).toEqual(["PINGREQ"]);
    h.step(3999);
    expect(h.t.closeCalls).toBe(0);
    h.step(1);
    expect(h.ev.errors).toEqual([E_PING_TIMEOUT]);
    expect(h.ev.disconnected).toEqual([E_PING_TIMEOUT]);
    expect(h.t.closeCalls).toBe(1);
    expect(h.client.state).toBe(ST_WAITING);
    expect(h.client.lastError).toBe(E_PING_TIMEOUT);
    expect(h.client.stats.errors).toBe(1);
    h.reconnect();
    expect(h.t.openCalls).toBe(2);
  });

  it("default ping timeout is half the keep alive: a stalled link is noticed within 1.5 x keep alive", () => {
    const h = setup({ keepAliveSec: 60 });
    h.up();
    const connectedAt = h.clock.now();
    while (h.client.isConnected()) h.step(100);
    expect(h.ev.errors).toEqual([E_PING_TIMEOUT]);
    expect(h.clock.now() - connectedAt).toBe(90_000);
  });

  it("any packet answers the ping, not only PINGRESP", () => {
    const h = setup({ keepAliveSec: 10, pingTimeoutMs: 4000 });
    h.up();
    h.step(10_000);
    expect(h.t.takeBrief()).toEqual(["PINGREQ"]);
    h.step(3000);
    h.t.deliver(publish({ topic: "x", payload: "y" }));
    h.step(3000);
    expect(h.ev.errors).toEqual([]);
    expect(h.client.isConnected()).toBe(true);
  });

  it("after a ping timeout the link is closed and the client is no longer connected", () => {
    const h = setup({ keepAliveSec: 5, pingTimeoutMs: 1000 });
    h.up();
    h.step(5000);
    h.step(1000);
    expect(h.client.isConnected()).toBe(false);
    expect(h.t.isOpen).toBe(false);
  });

  it("keepAlive 0 never pings and never times out", () => {
    const h = setup({ keepAliveSec: 0 });
    h.up();
    for (let i = 0; i < 500; i++) h.step(60_000);
    expect(h.t.take()).toEqual([]);
    expect(h.client.isConnected()).toBe(true);
    expect(h.ev.errors).toEqual([]);
  });

  it("after a reconnect the keep alive starts afresh (no stale outstanding ping)", () => {
    const h = setup({ keepAliveSec: 10, pingTimeoutMs: 2000, reconnectMinMs: 100 });
    h.up();
    h.step(10_000);
    expect(h.t.takeBrief()).toEqual(["PINGREQ"]);
    h.t.remoteClose();
    h.reconnect();
    h.t.take();
    h.step(5000);
    expect(h.client.isConnected()).toBe(true);
    expect(h.t.take()).toEqual([]);
  });
});
