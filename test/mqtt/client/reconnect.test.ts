// Reconnect: exponential backoff with jitter between min and max, the reset after a stable connection,
// and what is restored on the new connection (subscriptions without a session, nothing with one).
import { describe, it, expect } from "vitest";
import { OK, E_CONNECT_FAILED, E_CONNECTION_LOST, E_CONNACK_TIMEOUT } from "../../../firmware/mqtt";
import { ST_WAITING } from "../../../firmware/mqtt/client";
import { connack, suback, publish, unsuback } from "../../support/fake-transport";
import { setup, b, Harness } from "./harness";

/** Ticks 1 ms at a time until open() is called again; returns the delay. */
function nextOpenDelay(h: Harness, maxMs: number): number {
  const calls = h.t.openCalls;
  const from = h.clock.now();
  while (h.t.openCalls === calls) {
    if (h.clock.now() - from > maxMs) throw new Error("no open within " + maxMs + " ms");
    h.step(1);
  }
  return h.clock.now() - from;
}

function seq(values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length];
}

/**
 * The n-th ordinary reconnect delay (n from 0) for the random value r: drawn from [lo, hi] with
 * hi = min(max, min * 2^(n+1)) and lo = max(min, hi / 2) (lo <= hi). Uncapped that is min*2^n + r*min*2^n;
 * capped it is [max/2, max]; never below min.
 */
function delayFor(min: number, max: number, n: number, r: number): number {
  const hi = Math.min(max, min * 2 ** (n + 1));
  const lo = Math.min(hi, Math.max(min, hi / 2));
  return lo + r * (hi - lo);
}

describe("reconnect backoff", () => {
  it("doubles from min up to max, with the injected jitter over the upper half of each step (lo + r * (hi - lo))", () => {
    const rs = [0, 0.5, 0.25, 0.75, 0, 0.5, 0.25, 0.75];
    const h = setup({ reconnectMinMs: 1000, reconnectMaxMs: 16_000, random: seq(rs) });
    for (let i = 0; i < rs.length; i++) h.t.refuseNextOpen(E_CONNECT_FAILED);
    h.client.start();
    const delays: number[] = [];
    for (let k = 0; k < rs.length - 1; k++) delays.push(nextOpenDelay(h, 20_000));
    const expected = rs.slice(0, -1).map((r, k) => delayFor(1000, 16_000, k, r));
    // [1000, 2000], [2000, 4000], [4000, 8000], [8000, 16000], then capped at [8000, 16000].
    expect(expected).toEqual([1000, 3000, 5000, 14_000, 8000, 12_000, 10_000]);
    expect(delays).toEqual(expected);
    expect(h.ev.errors.every((e) => e === E_CONNECT_FAILED)).toBe(true);
  });

  it("never exceeds max nor goes below min, however many attempts fail (and never overflows)", () => {
    for (const r of [0, 0.999999]) {
      const h = setup({ reconnectMinMs: 1000, reconnectMaxMs: 30_000, random: () => r });
      for (let i = 0; i < 60; i++) h.t.refuseNextOpen(E_CONNECT_FAILED);
      h.client.start();
      for (let k = 0; k < 59; k++) {
        const d = nextOpenDelay(h, 40_000);
        expect(d).toBe(Math.ceil(delayFor(1000, 30_000, k, r)));
        expect(d).toBeLessThanOrEqual(30_000);
        expect(d).toBeGreaterThanOrEqual(1000);
        // From attempt 4 on, hi (32000) is capped: delays lie in [max/2, max].
        if (k >= 4) expect(d).toBeGreaterThanOrEqual(15_000);
      }
    }
  });

  it("CONNACK timeouts back off like refused opens", () => {
    const h = setup({ reconnectMinMs: 1000, reconnectMaxMs: 60_000, connectTimeoutMs: 5000, random: () => 0 });
    h.client.start();
    const delays: number[] = [];
    for (let k = 0; k < 4; k++) {
      h.step(5000); // the CONNACK never comes
      expect(h.client.lastError).toBe(E_CONNACK_TIMEOUT);
      delays.push(nextOpenDelay(h, 60_000));
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000]); // random 0: the bottom of each step, min * 2^n
  });

  function failThenConnect(h: Harness, failures: number): void {
    for (let i = 0; i < failures; i++) h.t.refuseNextOpen(E_CONNECT_FAILED);
    h.client.start();
    for (let i = 0; i < failures; i++) nextOpenDelay(h, 100_000);
    h.t.accept();
    h.t.deliver(connack());
    expect(h.client.isConnected()).toBe(true);
  }

  it("a connection that stayed up stableMs resets the delay to the minimum", () => {
    const h = setup({ reconnectMinMs: 1000, reconnectMaxMs: 60_000, stableMs: 30_000, random: () => 0 });
    failThenConnect(h, 3);
    for (let i = 0; i < 30; i++) h.step(1000);
    h.t.remoteClose();
    expect(nextOpenDelay(h, 100_000)).toBe(1000); // attempt 0 again: [1000, 2000], random 0
  });

  it("a connection that dropped before stableMs keeps growing the delay", () => {
    const h = setup({ reconnectMinMs: 1000, reconnectMaxMs: 60_000, stableMs: 30_000, random: () => 0 });
    failThenConnect(h, 3);
    h.step(29_999);
    h.t.remoteClose();
    expect(nextOpenDelay(h, 100_000)).toBe(8000); // attempt 3: [8000, 16000], random 0
  });

  it("the reset also applies when the stable connection ends without any tick in between", () => {
    const h = setup({ reconnectMinMs: 1000, reconnectMaxMs: 60_000, stableMs: 30_000, random: () => 0 });
    failThenConnect(h, 4);
    h.clock.advance(30_000); // no tick
    h.t.remoteClose();
    expect(nextOpenDelay(h, 100_000)).toBe(1000);
  });

  it("flapping connections (CONNACK then a drop at once) back off too", () => {
    const h = setup({ reconnectMinMs: 1000, reconnectMaxMs: 60_000, stableMs: 30_000, random: () => 0 });
    h.up();
    const delays: number[] = [];
    for (let k = 0; k < 4; k++) {
      h.t.remoteClose();
      delays.push(nextOpenDelay(h, 100_000));
      h.t.accept();
      h.t.deliver(connack());
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000]);
    expect(h.client.stats.connects).toBe(5);
    expect(h.client.stats.reconnects).toBe(4);
  });
});

describe("link loss", () => {
  it("an orderly close from the broker reports CONNECTION_LOST; a transport reason is passed on", () => {
    const h = setup();
    h.up();
    h.t.remoteClose(OK);
    expect(h.ev.disconnected).toEqual([E_CONNECTION_LOST]);
    expect(h.ev.errors).toEqual([E_CONNECTION_LOST]);
    expect(h.client.state).toBe(ST_WAITING);
    h.reconnect();
    h.t.remoteClose(E_CONNECT_FAILED);
    expect(h.ev.disconnected).toEqual([E_CONNECTION_LOST, E_CONNECT_FAILED]);
    expect(h.client.lastError).toBe(E_CONNECT_FAILED);
  });

  it("a packet cut by the close is forgotten: the next connection starts a fresh stream", () => {
    const h = setup();
    h.up();
    const p = publish({ topic: "cut/here", payload: "0123456789", qos: 1, id: 7 });
    h.t.deliver(p.subarray(0, 9));
    h.t.remoteClose();
    h.waitOpen();
    h.t.accept();
    h.t.take();
    h.t.deliver(connack(false, 0));
    expect(h.client.isConnected()).toBe(true);
    expect(h.ev.messages).toEqual([]);
    expect(h.ev.errors).toEqual([E_CONNECTION_LOST]);
  });

  it("onConnected / onDisconnected pair up over many reconnects; stats count them", () => {
    const h = setup({ reconnectMinMs: 10, reconnectMaxMs: 10 });
    h.up();
    for (let i = 0; i < 5; i++) {
      h.t.remoteClose();
      h.reconnect(i % 2 === 0);
    }
    expect(h.ev.log.filter((l) => l.startsWith("connected") || l.startsWith("disconnected"))).toEqual([
      "connected 0",
      "disconnected CONNECTION_LOST", "connected 1",
      "disconnected CONNECTION_LOST", "connected 0",
      "disconnected CONNECTION_LOST", "connected 1",
      "disconnected CONNECTION_LOST", "connected 0",
      "disconnected CONNECTION_LOST", "connected 1",
    ]);
    expect(h.client.stats.connects).toBe(6);
    expect(h.client.stats.reconnects).toBe(5);
  });
});

describe("subscriptions after a reconnect", () => {
  function subscribed3(cleanSession: boolean): Harness {
    const h = setup({ cleanSession });
    h.up();
    expect(h.client.subscribeAll([b("a/+"), b("b/#"), b("c")], [0, 1, 2])).toBe(0);
    expect(h.t.takeBrief()).toEqual(["SUBSCRIBE #1 a/+:0,b/#:1,c:2"]);
    h.t.deliver(suback(1, [0, 1, 2]));
    h.t.remoteClose();
    return h;
  }

  it("without a session (sessionPresent=0) every subscription is sent again, in one SUBSCRIBE", () => {
    const h = subscribed3(true);
    h.reconnect(false);
    const w = h.t.take();
    expect(w).toEqual([{ type: "SUBSCRIBE", packetId: 2, filters: [{ filter: "a/+", qos: 0 }, { filter: "b/#", qos: 1 }, { filter: "c", qos: 2 }] }]);
    h.t.deliver(suback(2, [0, 1, 0x80]));
    expect(h.ev.subscribed).toEqual([[0, 0], [1, 1], [2, 2], [0, 0], [1, 1], [2, 0x80]]);
  });

  it("a persistent session lost by the broker (sessionPresent=0) also resubscribes", () => {
    const h = subscribed3(false);
    h.reconnect(false);
    expect(h.t.takeBrief()).toEqual(["SUBSCRIBE #2 a/+:0,b/#:1,c:2"]);
  });

  it("with the session present nothing is resubscribed, and delivery goes on", () => {
    const h = subscribed3(false);
    h.reconnect(true);
    expect(h.t.take()).toEqual([]);
    h.t.deliver(publish({ topic: "b/x/y", payload: "p" }));
    expect(h.ev.messages.map((m) => m.sub)).toEqual([1]);
  });

  it("with the session present a SUBSCRIBE whose SUBACK never came is sent again", () => {
    const h = setup({ cleanSession: false });
    h.up();
    h.client.subscribe(b("s/1"), 1);
    h.t.deliver(suback(1, [1]));
    h.client.subscribe(b("s/2"), 2);
    expect(h.t.takeBrief()).toEqual(["SUBSCRIBE #1 s/1:1", "SUBSCRIBE #2 s/2:2"]);
    h.t.remoteClose();
    h.reconnect(true);
    expect(h.t.takeBrief()).toEqual(["SUBSCRIBE #3 s/2:2"]);
  });

  it("an unsubscribe made while away: dropped locally without a session, sent with one", () => {
    for (const sp of [false, true]) {
      const h = setup({ cleanSession: false });
      h.up();
      h.client.subscribeAll([b("keep"), b("gone")], [1, 1]);
      h.t.deliver(suback(1, [1, 1]));
      h.t.take();
      h.t.remoteClose();
      expect(h.client.unsubscribe(1)).toBe(0);
      expect(h.ev.unsubscribed).toEqual([]);
      h.reconnect(sp);
      if (sp) {
        expect(h.t.takeBrief()).toEqual(["UNSUBSCRIBE #2 gone"]);
        h.t.deliver(unsuback(2));
      } else {
        expect(h.t.takeBrief()).toEqual(["SUBSCRIBE #2 keep:1"]);
      }
      expect(h.ev.unsubscribed).toEqual([1]);
    }
  });

  it("subscriptions made before the first connection go out after its CONNACK", () => {
    const h = setup();
    expect(h.client.subscribe(b("x/#"), 2)).toBe(0);
    expect(h.client.subscribe(b("y"), 0)).toBe(1);
    h.client.start();
    h.t.accept();
    h.t.take();
    h.t.deliver(connack());
    expect(h.t.takeBrief()).toEqual(["SUBSCRIBE #1 x/#:2,y:0"]);
  });
});

describe("backoff range", () => {
  // ClientOptions: "Reconnect delays: exponential with jitter between these". Every delay, ordinary or
  // after a refusal with code 4/5 (the top of the range: [max(min, max/2), max]), lies in [min, max],
  // also when min is more than max/2 or equal to max.
  it("no reconnect delay is shorter than reconnectMinMs", () => {
    const h = setup({ reconnectMinMs: 1000, reconnectMaxMs: 60_000, random: () => 0 });
    h.t.refuseNextOpen(E_CONNECT_FAILED);
    h.client.start();
    expect(nextOpenDelay(h, 100_000)).toBeGreaterThanOrEqual(1000);
  });

  it("every delay lies in [reconnectMinMs, reconnectMaxMs], for any jitter and any min/max", () => {
    const configs: [number, number][] = [[1000, 60_000], [1000, 1500], [40_000, 60_000], [2000, 2000]];
    for (const [min, max] of configs) {
      for (const r of [0, 0.5, 0.999999]) {
        // Ordinary backoff over enough attempts to reach the cap.
        const h = setup({ reconnectMinMs: min, reconnectMaxMs: max, random: () => r });
        for (let i = 0; i < 10; i++) h.t.refuseNextOpen(E_CONNECT_FAILED);
        h.client.start();
        for (let k = 0; k < 9; k++) {
          const d = nextOpenDelay(h, 2 * max);
          expect(d).toBe(Math.ceil(delayFor(min, max, k, r)));
          expect(d).toBeGreaterThanOrEqual(min);
          expect(d).toBeLessThanOrEqual(max);
        }
        // A refusal that waits the longest (bad credentials).
        const g = setup({ reconnectMinMs: min, reconnectMaxMs: max, random: () => r });
        g.open();
        g.t.deliver(connack(false, 4));
        const lo = Math.max(min, max / 2);
        const d = nextOpenDelay(g, 2 * max);
        expect(d).toBe(Math.ceil(lo + r * (max - lo)));
        expect(d).toBeGreaterThanOrEqual(min);
        expect(d).toBeLessThanOrEqual(max);
      }
    }
  });
});
