// "The other client" in interop tests: MQTT.js (protocol 3.1.1) publishing to and subscribing from the
// broker side, with promise helpers. Always 127.0.0.1.
import mqtt, { type MqttClient as MqttJsClient, type IClientOptions } from "mqtt";
import { until } from "./wait";

export interface PeerMessage {
  topic: string;
  payload: string;
  /** The payload's bytes as the broker delivered them (payload is their UTF-8 text). */
  bytes: Buffer;
  qos: number;
  retain: boolean;
  dup: boolean;
  at: number;
}

export class Peer {
  readonly client: MqttJsClient;
  readonly messages: PeerMessage[] = [];
  readonly name: string;
  /** Called for each message after it is recorded. */
  onMessage: ((m: PeerMessage) => void) | null = null;
  /** CONNACKs (session present flags) and SUBACK return codes seen, including automatic resubscribes. */
  readonly connacks: boolean[] = [];
  readonly subacks: number[][] = [];

  private constructor(client: MqttJsClient, name: string) {
    this.client = client;
    this.name = name;
    client.on("message", (topic, payload, packet) => {
      const m = {
        topic,
        payload: payload.toString("utf8"),
        bytes: Buffer.from(payload),
        qos: packet.qos,
        retain: packet.retain,
        dup: packet.dup,
        at: performance.now(),
      };
      this.messages.push(m);
      if (this.onMessage) this.onMessage(m);
    });
    client.on("packetreceive", (p) => {
      if (p.cmd === "connack") this.connacks.push(p.sessionPresent);
      else if (p.cmd === "suback") this.subacks.push((p.granted as Array<number | { qos: number }>).map((g) => (typeof g === "number" ? g : g.qos)));
    });
    // Reconnects (broker restarts) are expected; errors are not fatal to the test process.
    client.on("error", () => {});
  }

  /** Peer.connect(port, options) -> a connected MQTT.js client (clean session, random id by default). */
  static async connect(port: number, options: IClientOptions = {}): Promise<Peer> {
    const clientId = options.clientId ?? "peer-" + Math.random().toString(16).slice(2, 10);
    const client = await mqtt.connectAsync(`mqtt://127.0.0.1:${port}`, {
      protocolVersion: 4,
      clientId,
      reconnectPeriod: 100,
      connectTimeout: 2000,
      keepalive: 10,
      ...options,
    });
    return new Peer(client, clientId);
  }

  /** subscribe({filter: qos}) -> the granted codes in order (0x80 included; MQTT.js would reject). */
  subscribe(filters: Record<string, number>): Promise<number[]> {
    const subs: Record<string, { qos: 0 | 1 | 2 }> = {};
    for (const [f, q] of Object.entries(filters)) subs[f] = { qos: q as 0 | 1 | 2 };
    return new Promise((resolve, reject) => {
      this.client.subscribe(subs, (err, granted) => {
        const codes = (granted ?? []).map((g) => g.qos);
        if (err && codes.length === 0) reject(err);
        else resolve(codes);
      });
    });
  }

  unsubscribe(filter: string): Promise<void> {
    return this.client.unsubscribeAsync(filter).then(() => undefined);
  }

  /** publish(...) -> resolves when the flow completed (QoS 0: when written). */
  async publish(topic: string, payload: string, qos: 0 | 1 | 2 = 0, retain = false): Promise<void> {
    await this.client.publishAsync(topic, payload, { qos, retain });
  }

  received(topic: string): PeerMessage[] {
    return this.messages.filter((m) => m.topic === topic);
  }

  waitFor(pred: (ms: PeerMessage[]) => boolean, timeoutMs: number, what: string): Promise<void> {
    return until(() => pred(this.messages), timeoutMs, () => `${this.name}: ${what}; got ${JSON.stringify(this.messages.slice(-20))}`);
  }

  /** waitMessage(topic) -> the first message on `topic` (waits for it). */
  async waitMessage(topic: string, timeoutMs = 3000): Promise<PeerMessage> {
    await this.waitFor((ms) => ms.some((m) => m.topic === topic), timeoutMs, `a message on ${topic}`);
    return this.messages.find((m) => m.topic === topic)!;
  }

  /** end(): a clean DISCONNECT (force: drop the socket). */
  async end(force = false): Promise<void> {
    await this.client.endAsync(force);
  }
}
