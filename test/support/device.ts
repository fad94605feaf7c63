// Our MQTT client as "the device" in interop tests: a real TcpTransport and the Node clock, ticked by a
// timer, with every event recorded so tests can wait on and assert about what happened.
import { MqttClient } from "../../firmware/mqtt/client";
import type { ClientOptions } from "../../firmware/mqtt/client-options";
import { utf8Bytes, utf8Read, errorName } from "../../firmware/mqtt/index";
import { TcpTransport } from "../../sim/platform/tcp-transport";
import { nodeClock } from "../../sim/platform/clock";
import { until } from "./wait";

export interface DeviceMessage {
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
  dup: boolean;
  /** The subscription index the client dispatched it to (-1: none matched). */
  sub: number;
  at: number;
}

/** Defaults that keep interop suites fast: short keep alive, quick reconnects. */
export const FAST: Partial<ClientOptions> = {
  keepAliveSec: 2,
  connectTimeoutMs: 1000,
  reconnectMinMs: 50,
  reconnectMaxMs: 500,
  stableMs: 1000,
};

export class Device {
  readonly client: MqttClient;
  readonly transport: TcpTransport;
  readonly name: string;
  readonly messages: DeviceMessage[] = [];
  readonly errors: Array<{ code: number; at: number }> = [];
  readonly connects: Array<{ sessionPresent: boolean; at: number }> = [];
  readonly disconnects: Array<{ reason: number; at: number }> = [];
  readonly subacks: Array<{ sub: number; rc: number }> = [];
  readonly unsubacks: number[] = [];
  readonly published: number[] = [];
  /** Called for each message after it is recorded. */
  onMessage: ((m: DeviceMessage) => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly tickMs: number;

  constructor(port: number, options: Partial<ClientOptions> & { clientId: string }, tickMs = 20) {
    this.name = options.clientId;
    this.tickMs = tickMs;
    this.transport = new TcpTransport({ host: "127.0.0.1", port });
    const now = () => performance.now();
    this.client = new MqttClient({ ...FAST, ...options }, this.transport, nodeClock, {
      onConnected: (sp) => this.connects.push({ sessionPresent: sp, at: now() }),
      onDisconnected: (r) => this.disconnects.push({ reason: r, at: now() }),
      onMessage: (sub, p) => {
        const m: DeviceMessage = {
          topic: utf8Read(p.buf, p.topicOff, p.topicLen),
          payload: utf8Read(p.buf, p.payloadOff, p.payloadLen),
          qos: p.qos,
          retain: p.retain,
          dup: p.dup,
          sub,
          at: now(),
        };
        this.messages.push(m);
        if (this.onMessage) this.onMessage(m);
      },
      onSubscribed: (sub, rc) => this.subacks.push({ sub, rc }),
      onUnsubscribed: (sub) => this.unsubacks.push(sub),
      onPublished: (id) => this.published.push(id),
      onError: (code) => this.errors.push({ code, at: now() }),
    });
  }

  /** start(): connects and ticks every tickMs until stop(), kill() or dispose(). */
  start(): this {
    this.client.start();
    if (this.timer === null) this.timer = setInterval(() => this.client.tick(), this.tickMs);
    return this;
  }

  /** stop(): a clean DISCONNECT; ticking goes on (harmless while idle). */
  stop(): void {
    this.client.stop();
  }

  /** kill(): dies without DISCONNECT: ticking stops and the socket is closed under the client. */
  kill(): void {
    this.stopTicking();
    this.transport.close();
  }

  stopTicking(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** dispose(): stop() and no more ticks; for afterEach. */
  dispose(): void {
    this.client.stop();
    this.stopTicking();
  }

  publish(topic: string, payload: string, qos: number, retain = false): number {
    const p = utf8Bytes(payload);
    return this.client.publish(utf8Bytes(topic), p, 0, p.length, qos, retain);
  }

  subscribe(filter: string, qos: number): number {
    return this.client.subscribe(utf8Bytes(filter), qos);
  }

  subscribeAll(filters: Array<[string, number]>): number {
    return this.client.subscribeAll(filters.map(([f]) => utf8Bytes(f)), filters.map(([, q]) => q));
  }

  isConnected(): boolean {
    return this.client.isConnected();
  }

  received(topic: string): DeviceMessage[] {
    return this.messages.filter((m) => m.topic === topic);
  }

  errorNames(): string[] {
    return this.errors.map((e) => errorName(e.code));
  }

  /** A one-line state for failure messages. */
  describe(): string {
    const s = this.client.stats;
    return `${this.name}: connected=${this.isConnected()} connects=${this.connects.length} msgs=${this.messages.length} ` +
      `errors=[${this.errorNames().join(",")}] subacks=${JSON.stringify(this.subacks)} inflight=${this.client.inflight.used} ` +
      `offline=${this.client.offline?.count} stats=${JSON.stringify(s)}`;
  }

  /** waitConnected(n): until the n-th CONNACK (counting from construction). */
  waitConnected(n = 1, timeoutMs = 5000): Promise<void> {
    return until(() => this.connects.length >= n && this.isConnected(), timeoutMs, () => `connect #${n}: ${this.describe()}`);
  }

  /** waitSubacks(n): until n SUBACK return codes in all. */
  waitSubacks(n: number, timeoutMs = 3000): Promise<void> {
    return until(() => this.subacks.length >= n, timeoutMs, () => `${n} SUBACK codes: ${this.describe()}`);
  }

  waitMessages(pred: (ms: DeviceMessage[]) => boolean, timeoutMs: number, what: string): Promise<void> {
    return until(() => pred(this.messages), timeoutMs, () => `${what}: ${this.describe()} got ${JSON.stringify(this.messages.slice(-20))}`);
  }
}
