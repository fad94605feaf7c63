// Shared set-up for the client suites: a client on a FakeTransport and FakeClock, with every event it
// reports recorded in order.
import { expect } from "vitest";
import { MqttClient, ClientEvents } from "../../../firmware/mqtt/client";
import type { ClientOptions } from "../../../firmware/mqtt/client-options";
import type { Packet } from "../../../firmware/mqtt/packet";
import { utf8Bytes, utf8Read, errorName } from "../../../firmware/mqtt";
import { FakeClock, FakeTransport, CloseMode, connack, puback, pubrec, pubcomp, Pkt } from "../../support/fake-transport";

export interface Msg {
  sub: number;
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
  dup: boolean;
  packetId: number;
}

export class Recorder implements ClientEvents {
  /** Every event as a short string, in order ("connected 0", "error UNEXPECTED_PACKET", "message 0 a/b=x"). */
  readonly log: string[] = [];
  readonly connected: boolean[] = [];
  readonly disconnected: number[] = [];
  readonly errors: number[] = [];
  readonly messages: Msg[] = [];
  readonly subscribed: [number, number][] = [];
  readonly unsubscribed: number[] = [];
  readonly published: number[] = [];
  /** Messages larger than the RX buffer: topic, whole payload length, qos, packet id. */
  readonly oversize: { sub: number; topic: string; length: number; qos: number; packetId: number }[] = [];
  /** Optional hook run inside onMessage (re-entrancy tests). */
  onMessageHook: ((sub: number, p: Packet) => void) | null = null;
  /** Optional hook run inside onSubscribed. */
  onSubscribedHook: ((sub: number, code: number) => void) | null = null;

  onConnected(sessionPresent: boolean): void {
    this.connected.push(sessionPresent);
    this.log.push("connected " + (sessionPresent ? 1 : 0));
  }
  onDisconnected(reason: number): void {
    this.disconnected.push(reason);
    this.log.push("disconnected " + errorName(reason));
  }
  onMessage(sub: number, p: Packet): void {
    // The topic and payload are (buffer, offset, length) views: check they lie inside the buffer.
    expect(p.topicOff).toBeGreaterThanOrEqual(0);
    expect(p.topicOff + p.topicLen).toBeLessThanOrEqual(p.buf.length);
    expect(p.payloadOff).toBeGreaterThanOrEqual(0);
    expect(p.payloadOff + p.payloadLen).toBeLessThanOrEqual(p.buf.length);
    const m: Msg = {
      sub, topic: utf8Read(p.buf, p.topicOff, p.topicLen), payload: utf8Read(p.buf, p.payloadOff, p.payloadLen),
      qos: p.qos, retain: p.retain, dup: p.dup, packetId: p.packetId,
    };
    this.messages.push(m);
    this.log.push("message " + sub + " " + m.topic + "=" + m.payload);
    if (this.onMessageHook) this.onMessageHook(sub, p);
  }
  onOversize(sub: number, p: Packet): void {
    expect(p.topicOff + p.topicLen).toBeLessThanOrEqual(p.buf.length);
    const o = { sub, topic: utf8Read(p.buf, p.topicOff, p.topicLen), length: p.payloadLen, qos: p.qos, packetId: p.packetId };
    this.oversize.push(o);
    this.log.push("oversize " + sub + " " + o.topic + " " + o.length);
  }
  onSubscribed(sub: number, code: number): void {
    this.subscribed.push([sub, code]);
    this.log.push("subscribed " + sub + " " + code);
    if (this.onSubscribedHook) this.onSubscribedHook(sub, code);
  }
  onUnsubscribed(sub: number): void {
    this.unsubscribed.push(sub);
    this.log.push("unsubscribed " + sub);
  }
  onPublished(id: number): void {
    this.published.push(id);
    this.log.push("published " + id);
  }
  onError(code: number): void {
    this.errors.push(code);
    this.log.push("error " + errorName(code));
  }
}

/** The clock starts well away from 0 so nothing can rely on time 0. */
export const T0 = 1_000_000;

export interface Harness {
  client: MqttClient;
  t: FakeTransport;
  clock: FakeClock;
  ev: Recorder;
  /** start() (when idle) and accept the pending open; returns the CONNECT written. */
  open(): Pkt;
  /** open() then CONNACK accepted; clears what was written so far. */
  up(sessionPresent?: boolean): void;
  /** advance(ms) then tick(). */
  step(ms: number): void;
  /** Tick in steps of `stepMs` until an open() is pending; returns the time waited. Fails after maxMs. */
  waitOpen(maxMs?: number, stepMs?: number): number;
  /** Forgets what was written so far, then waitOpen(), accept, CONNACK. */
  reconnect(sessionPresent?: boolean): void;
}

/**
 * setup(options, closeMode, Client) -> a harness around a new client; `Client` is the class to test (the
 * sources' MqttClient, or one from a build with features left out: lean-build.test.ts).
 */
export function setup(options: Partial<ClientOptions> = {}, closeMode: CloseMode = "sync", Client: typeof MqttClient = MqttClient): Harness {
  const t = new FakeTransport();
  t.closeMode = closeMode;
  const clock = new FakeClock(T0);
  const ev = new Recorder();
  const client = new Client({ clientId: "dev1", random: () => 0, ...options }, t, clock, ev);
  const h: Harness = {
    client, t, clock, ev,
    open(): Pkt {
      if (!t.pending) client.start();
      t.accept();
      const w = t.take();
      expect(w.map((p) => p.type)).toEqual(["CONNECT"]);
      return w[0];
    },
    up(sessionPresent = false): void {
      h.open();
      t.deliver(connack(sessionPresent, 0));
      expect(client.isConnected()).toBe(true);
      t.take();
    },
    step(ms: number): void {
      clock.advance(ms);
      client.tick();
    },
    waitOpen(maxMs = 10 * 60_000, stepMs = 10): number {
      const from = clock.now();
      while (!t.pending) {
        if (clock.now() - from > maxMs) throw new Error("no reconnect within " + maxMs + " ms");
        h.step(stepMs);
      }
      return clock.now() - from;
    },
    reconnect(sessionPresent = false): void {
      t.take();
      h.waitOpen();
      t.accept();
      expect(t.take().map((p) => p.type)).toEqual(["CONNECT"]);
      t.deliver(connack(sessionPresent, 0));
      expect(client.isConnected()).toBe(true);
    },
  };
  return h;
}

/** Topic/filter bytes. */
export const b = (s: string): Uint8Array => utf8Bytes(s);

/** publish(h, topic, payload, qos, retain) with string arguments. */
export function pub(h: Harness, topic: string, payload: string, qos: number, retain = false): number {
  const p = utf8Bytes(payload);
  return h.client.publish(utf8Bytes(topic), p, 0, p.length, qos, retain);
}

export const names = (codes: number[]): string[] => codes.map(errorName);

/** Plays a broker that acknowledges everything the client publishes; returns every packet written. */
export function autoAck(h: Harness): Pkt[] {
  const all: Pkt[] = [];
  for (;;) {
    const w = h.t.take();
    if (w.length === 0) return all;
    for (const p of w) {
      all.push(p);
      if (p.type === "PUBLISH" && p.qos === 1) h.t.deliver(puback(p.packetId));
      else if (p.type === "PUBLISH" && p.qos === 2) h.t.deliver(pubrec(p.packetId));
      else if (p.type === "PUBREL") h.t.deliver(pubcomp(p.packetId));
    }
  }
}
