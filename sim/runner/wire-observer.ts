// Reads a board's socket the way a protocol analyzer would: one decoder per direction turns the bytes
// into packets, and the packets into the simulator's events (connected, published, received, sensor
// reports, refusals). Source and bundle mode feed it the same bytes, so they report the same events.
import { Decoder, type PacketSink } from "../../firmware/mqtt/decoder";
import { Packet } from "../../firmware/mqtt/packet";
import {
  CONNACK, PUBLISH, CONNECT, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBSCRIBE, SUBACK, UNSUBSCRIBE, UNSUBACK, PINGREQ,
  PINGRESP, SUBACK_FAILURE, errorName, errorRule, utf8Read,
} from "../../firmware/mqtt";
import type { DeviceConfig } from "../../firmware/device/config";
import { topicNames } from "../../firmware/device/topics";
import { describePacket, maskSecrets, printableText, hex, CONNACK_MEANINGS } from "../analyzer/describe";
import type { EventBody } from "./events";

/** Large enough for any packet a board sends or a broker forwards to it in practice. */
const TRACE_RX = 256 * 1024;

/** For each packet a board sends that the broker must answer: the answer's type (QoS 2 steps included). */
const ANSWER: { [type: number]: number } = {
  [CONNECT]: CONNACK, [PINGREQ]: PINGRESP, [SUBSCRIBE]: SUBACK, [UNSUBSCRIBE]: UNSUBACK, [PUBREL]: PUBCOMP, [PUBREC]: PUBREL,
};

export class WireObserver {
  /** A CONNACK accepted on the current socket. */
  connected = false;
  /** PUBLISH packets the board sent, since boot. */
  published = 0;
  /** Filters the broker granted the board on the current socket. */
  readonly subscribed: string[] = [];
  /** performance.now() when the last byte moved either way. */
  lastBytes = 0;
  /** Answers the board waits for on the current socket ("<type>:<packet id>") -> performance.now() of the request. */
  private readonly awaiting = new Map<string, number>();
  /** SUBSCRIBE packets not yet answered: packet id -> their filters. */
  private readonly asked = new Map<number, string[]>();
  private readonly out: Decoder;
  private readonly in: Decoder;
  private readonly sensorTopics: string[];
  private readonly errorTopic: string;
  private readonly sensors: string[];

  /** new WireObserver(config, emit, trace): trace adds a "packet" event for every packet. */
  constructor(config: DeviceConfig, private readonly emit: (e: EventBody) => void, private readonly trace: boolean) {
    const names = topicNames(config);
    this.sensorTopics = names.sensorState;
    this.errorTopic = names.error;
    this.sensors = config.sensors.map((s) => s.name);
    this.out = new Decoder(TRACE_RX, this.sink("out"));
    this.in = new Decoder(TRACE_RX, this.sink("in"));
  }

  /** opened(to, broker): a socket opened; `to` is where the board dialled, `broker` where it really went. */
  opened(to: string, broker: string): void {
    this.connected = false;
    this.forget();
    this.out.reset();
    this.in.reset();
    this.emit({ event: "socket", to, broker });
  }

  /** bytes(dir, buf, off, len): what went over the socket. */
  bytes(dir: "out" | "in", buf: Uint8Array, off: number, len: number): void {
    this.lastBytes = performance.now();
    (dir === "out" ? this.out : this.in).feed(buf, off, len);
  }

  /** closed(reason, neverOpened): the socket is gone; reason says why, in words. */
  closed(reason: string, neverOpened: boolean): void {
    const was = this.connected;
    this.connected = false;
    this.forget();
    if (was) this.emit({ event: "disconnected", reason });
    else if (neverOpened) this.emit({ event: "error", what: "connect", message: reason });
  }

  /** awaitingSince() -> performance.now() when the oldest request still unanswered was sent, or null. */
  awaitingSince(): number | null {
    let since: number | null = null;
    for (const t of this.awaiting.values()) if (since === null || t < since) since = t;
    return since;
  }

  // A closed socket answers nothing more.
  private forget(): void {
    this.awaiting.clear();
    this.asked.clear();
    this.subscribed.length = 0;
  }

  // Keeps track of what the broker owes the board, and of what it granted.
  private track(dir: "out" | "in", p: Packet): void {
    const type = p.type;
    if (dir === "out") {
      let answer = ANSWER[type];
      if (type === PUBLISH && p.qos > 0) answer = p.qos === 1 ? PUBACK : PUBREC;
      if (answer === undefined) return;
      const id = type === CONNECT || type === PINGREQ ? 0 : p.packetId;
      this.awaiting.set(`${answer}:${id}`, performance.now());
      if (type === SUBSCRIBE) {
        const d = describePacket(p) as { subscriptions: { filter: string }[] };
        this.asked.set(p.packetId, d.subscriptions.map((x) => x.filter));
      }
      return;
    }
    const id = type === CONNACK || type === PINGRESP ? 0 : p.packetId;
    this.awaiting.delete(`${type}:${id}`);
    if (type !== SUBACK) return;
    const filters = this.asked.get(p.packetId) ?? [];
    this.asked.delete(p.packetId);
    for (let i = 0; i < p.count && i < filters.length; i++) {
      if (p.buf[p.listOff + i] !== SUBACK_FAILURE) this.subscribed.push(filters[i]);
    }
  }

  private sink(dir: "out" | "in"): PacketSink {
    return {
      onPacket: (p: Packet) => this.packet(dir, p),
      onDecodeError: (code: number, p: Packet) => {
        this.emit({ event: "error", what: "decode", message: `${dir} ${errorName(code)}: ${errorRule(code)}`, detail: { dir, type: p.type } });
      },
    };
  }

  private packet(dir: "out" | "in", p: Packet): void {
    this.track(dir, p);
    if (this.trace) {
      this.emit({ event: "packet", dir, packet: maskSecrets(describePacket(p), p) });
    }
    if (dir === "in" && p.type === CONNACK) {
      if (p.returnCode === 0) {
        this.connected = true;
        this.emit({ event: "connected", sessionPresent: p.sessionPresent });
      } else {
        this.emit({ event: "error", what: "connack", message: `broker refused the connection: ${p.returnCode} ${CONNACK_MEANINGS[p.returnCode] ?? "unknown"}` });
      }
      return;
    }
    if (p.type !== PUBLISH) return;
    const topic = utf8Read(p.buf, p.topicOff, p.topicLen);
    const text = printableText(p.buf, p.payloadOff, p.payloadLen);
    const payload = text ?? hex(p.buf, p.payloadOff, p.payloadLen);
    const flags = { qos: p.qos, retain: p.retain, dup: p.dup };
    if (dir === "in") {
      this.emit({ event: "received", topic, payload, ...flags });
      return;
    }
    this.published++;
    this.emit({ event: "published", topic, payload, ...flags });
    const s = this.sensorTopics.indexOf(topic);
    if (s >= 0) this.emit({ event: "sensor", sensor: this.sensors[s], index: s, value: payload });
    else if (topic === this.errorTopic) {
      let detail: unknown = payload;
      try {
        detail = JSON.parse(payload);
      } catch {
        // Not JSON: reported as text.
      }
      // A sensor's failure ({"sensor": ...}) or a refused command ({"topic": ...}).
      const sensor = detail !== null && typeof detail === "object" && "sensor" in detail;
      this.emit({ event: "error", what: sensor ? "sensor" : "refused", message: payload, detail });
    }
  }
}
