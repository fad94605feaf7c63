// The console commands over MQTT, on <prefix>/cmd/<name>: status (one JSON document on <prefix>/info),
// restart, telemetry <sec>. This holds their topics (routed by exact topic, as relay commands are, and only
// after a topic was found not to be a relay's: the relay command path does no more work for them) and
// writes the status document (into the telemetry's buffer); the Device carries the commands out. Made only
// when the board enables them.
import { Packet } from "../mqtt/packet";
import { ClientStats } from "../mqtt/client";
import { utf8Bytes } from "../mqtt/utf8";
import { textOf, copyBytes } from "../mqtt/bytes";
import { TopicNames } from "./topics";
import { Telemetry } from "./telemetry";
import { sameBytes } from "./command";
import { writeAscii, writeInt } from "./format";

/** Indexes of CONSOLE_COMMANDS (topics.ts). */
export const CONSOLE_STATUS = 0;
export const CONSOLE_RESTART = 1;
export const CONSOLE_TELEMETRY = 2;
/** find(): a topic under the command topic that names no command. */
export const CONSOLE_UNKNOWN = -2;
/** find(): not a console topic at all. */
export const CONSOLE_NONE = -1;

/** The status document's fields after the telemetry's, the version's text and the last error aside. */
export const STATUS_EXTRA = 120;

export class Console {
  readonly infoTopic: Uint8Array;
  /**
   * The status document is buf[0 .. formatStatus()'s result): the telemetry's buffer, made STATUS_EXTRA
   * and an error document longer for it (both are written and published at once, never interleaved).
   */
  readonly buf: Uint8Array;
  private readonly routes: { [topic: string]: number } = {};
  private readonly topics: Uint8Array[] = [];
  /** The command topic up to its {name}: a topic that starts so names an unknown command. */
  private readonly prefix: Uint8Array;
  private readonly prefixText: string;
  /** The firmware's version ("" when the build named none), printable ASCII (package.json's semver). */
  private readonly version: string;

  /**
   * new Console(names, commandPrefix, telemetry, version): encodes the topics; telemetry was made with room
   * for the status document (STATUS_EXTRA, the version and the longest error document more).
   */
  constructor(names: TopicNames, commandPrefix: string, telemetry: Telemetry, version: string) {
    this.infoTopic = utf8Bytes(names.info);
    for (let i = 0; i < names.consoleTopics.length; i++) {
      const t = utf8Bytes(names.consoleTopics[i]);
      this.topics.push(t);
      const text = textOf(t);
      if (text !== null) this.routes[text] = i;
    }
    this.prefixText = commandPrefix;
    this.prefix = utf8Bytes(commandPrefix);
    this.buf = telemetry.buf;
    this.version = version;
  }

  /** find(p) -> the CONSOLE_* command p's topic names, CONSOLE_UNKNOWN, or CONSOLE_NONE. */
  find(p: Packet): number {
    const text = p.topicText;
    if (text !== null) {
      const found = this.routes[text];
      if (typeof found === "number") return found;
      return text.indexOf(this.prefixText) === 0 ? CONSOLE_UNKNOWN : CONSOLE_NONE;
    }
    const buf = p.buf;
    for (let i = 0; i < this.topics.length; i++) if (sameBytes(buf, p.topicOff, p.topicLen, this.topics[i])) return i;
    const n = this.prefix.length;
    return p.topicLen >= n && sameBytes(buf, p.topicOff, n, this.prefix) ? CONSOLE_UNKNOWN : CONSOLE_NONE;
  }

  /**
   * formatStatus(telemetry, uptimeSec, free, rssi, ip, relaysOn, values, kinds, decimals, stats, linkError,
   * telemetrySec, error, errorLen) -> the status document's length in buf: the telemetry document's fields
   * (WiFi's rssi and ip among them), then the version, the code of the last link error, the telemetry
   * period, and the last document the error topic carried (null when none). The telemetry is formatted by
   * its own format(), not by a helper around it: one call more in between and V8 stops inlining the
   * number writer, and every fractional sensor value passed to it becomes a heap number.
   */
  formatStatus(
    telemetry: Telemetry, uptimeSec: number, free: number, rssi: number, ip: string, relaysOn: Uint8Array,
    values: Float64Array, kinds: Uint8Array, decimals: Uint8Array, stats: ClientStats, linkError: number,
    telemetrySec: number, error: Uint8Array, errorLen: number,
  ): number {
    const b = this.buf;
    // The telemetry's document without its closing brace, then the status fields.
    let o = telemetry.format(uptimeSec, free, rssi, ip, relaysOn, values, kinds, decimals, stats) - 1;
    o = writeAscii(b, o, ",\"version\":\"");
    o = writeAscii(b, o, this.version);
    o = writeAscii(b, o, "\",\"linkError\":");
    o = writeInt(b, o, linkError);
    o = writeAscii(b, o, ",\"telemetrySec\":");
    o = writeInt(b, o, telemetrySec);
    o = writeAscii(b, o, ",\"lastError\":");
    if (errorLen === 0) o = writeAscii(b, o, "null");
    else {
      copyBytes(b, o, error, 0, errorLen);
      o += errorLen;
    }
    b[o++] = 0x7d;
    return o;
  }
}
