// Reads a board's socket the way a protocol analyzer would: one decoder per direction turns the bytes
// into packets, and the packets into the simulator's events (connected, published, received, sensor
// reports, refusals). Source and bundle mode feed it the same bytes, so they report the same events.
import { Decoder, type PacketSink } from "../../firmware/mqtt/decoder";
import { Packet } from "../../firmware/mqtt/packet";
import { CONNACK, PUBLISH, CONNECT, errorName, errorRule, utf8Read } from "../../firmware/mqtt";
import type { DeviceConfig } from "../../firmware/device/config";
import { topicNames } from "../../firmware/device/topics";
import { describePacket, printableText, hex, CONNACK_MEANINGS } from "../analyzer/describe";
import type { EventBody } from "./events";

/** Large enough for any packet a board sends or a broker forwards to it in practice. */
const TRACE_RX = 256 * 1024;

export class WireObserver {
  /** A CONNACK accepted on the current socket. */
  connected = false;
  /** PUBLISH packets the board sent, since boot. */
  published = 0;
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

  /** opened(to): a socket to the broker opened; `to` is where the board dialled. */
  opened(to: string): void {
    this.connected = false;
    this.out.reset();
    this.in.reset();
    this.emit({ event: "socket", to });
  }

  /** bytes(dir, buf, off, len): what went over the socket. */
  bytes(dir: "out" | "in", buf: Uint8Array, off: number, len: number): void {
    (dir === "out" ? this.out : this.in).feed(buf, off, len);
  }

  /** closed(reason, neverOpened): the socket is gone; reason says why, in words. */
  closed(reason: string, neverOpened: boolean): void {
    const was = this.connected;
    this.connected = false;
    if (was) this.emit({ event: "disconnected", reason });
    else if (neverOpened) this.emit({ event: "error", what: "connect", message: reason });
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
    if (this.trace) {
      const d = describePacket(p);
      // Traces end up in CI logs: the password is shown by length only.
      if (p.type === CONNECT && "password" in d) d.password = `(${p.passwordLen} bytes)`;
      if (p.type === CONNECT && "passwordHex" in d) {
        delete d.passwordHex;
        d.password = `(${p.passwordLen} bytes)`;
      }
      this.emit({ event: "packet", dir, packet: d });
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
