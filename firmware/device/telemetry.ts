// The periodic telemetry document, formatted into one fixed buffer:
// {"uptime":s,"free":n,"rssi":dBm,"ip":"a.b.c.d","relays":{"pump":"ON",...},"sensors":{"door":1,...},
//  "mqtt":{"connects":..,"reconnects":..,"dropped":..,"errors":..,"msgsIn":..,"msgsOut":..}}
// Home Assistant's diagnostic entities read uptime, free, rssi, ip and mqtt.reconnects from it.
// Names are JSON-escaped and encoded once at start-up; numbers are written digit by digit.
import { DeviceConfig } from "./config";
import { ClientStats } from "../mqtt/client";
import { utf8Bytes } from "../mqtt/utf8";
import { writeAscii, writeBytes, writeInt, writeFixedAt } from "./format";
import { KIND_DIGITAL } from "./sensors";

/** Bytes a number may take: writeFixed and writeInt write at most 20. */
const NUMBER_BYTES = 24;

export class Telemetry {
  /** The formatted document is buf[0 .. format()'s result). */
  readonly buf: Uint8Array;
  private readonly relayKeys: Uint8Array[] = [];
  private readonly sensorKeys: Uint8Array[] = [];

  /**
   * new Telemetry(config, extra): encodes the names and sizes the buffer for the worst case, plus `extra`
   * bytes (the console's status document is this document with more fields: one buffer, not two).
   */
  constructor(config: DeviceConfig, extra = 0) {
    // The fixed text (about 150 bytes), nine numbers and the address (an IPv4 address: 15 chars).
    let size = 180 + 9 * NUMBER_BYTES + 15;
    for (let i = 0; i < config.relays.length; i++) {
      const k = utf8Bytes(JSON.stringify(config.relays[i].name) + ":");
      this.relayKeys.push(k);
      size += k.length + 6; // "OFF",
    }
    for (let i = 0; i < config.sensors.length; i++) {
      const k = utf8Bytes(JSON.stringify(config.sensors[i].name) + ":");
      this.sensorKeys.push(k);
      size += k.length + NUMBER_BYTES + 1;
    }
    this.buf = new Uint8Array(size + extra);
  }

  /**
   * format(uptimeSec, free, rssi, ip, relaysOn, values, kinds, decimals, stats) -> the document's length in
   * buf. Digital values are written as 0/1, the others with their decimals; an unknown rssi (NaN) as null;
   * ip is printable ASCII (a runtime's address text).
   */
  format(
    uptimeSec: number, free: number, rssi: number, ip: string, relaysOn: Uint8Array, values: Float64Array,
    kinds: Uint8Array, decimals: Uint8Array, stats: ClientStats,
  ): number {
    const b = this.buf;
    let o = writeAscii(b, 0, "{\"uptime\":");
    o = writeInt(b, o, uptimeSec);
    o = writeAscii(b, o, ",\"free\":");
    o = writeInt(b, o, free);
    o = writeAscii(b, o, ",\"rssi\":");
    o = writeInt(b, o, rssi);
    o = writeAscii(b, o, ",\"ip\":\"");
    // Longer than IPv4's 15 chars: cut (the document stays valid JSON).
    o = writeAscii(b, o, ip.length > 15 ? ip.substr(0, 15) : ip);
    b[o++] = 0x22;
    o = writeAscii(b, o, ",\"relays\":{");
    for (let i = 0; i < this.relayKeys.length; i++) {
      if (i > 0) b[o++] = 0x2c;
      o = writeBytes(b, o, this.relayKeys[i]);
      o = writeAscii(b, o, relaysOn[i] === 1 ? "\"ON\"" : "\"OFF\"");
    }
    o = writeAscii(b, o, "},\"sensors\":{");
    for (let i = 0; i < this.sensorKeys.length; i++) {
      if (i > 0) b[o++] = 0x2c;
      o = writeBytes(b, o, this.sensorKeys[i]);
      o = writeFixedAt(b, o, values, i, kinds[i] === KIND_DIGITAL ? 0 : decimals[i]);
    }
    o = writeAscii(b, o, "},\"mqtt\":{\"connects\":");
    o = writeInt(b, o, stats.connects);
    o = writeAscii(b, o, ",\"reconnects\":");
    o = writeInt(b, o, stats.reconnects);
    o = writeAscii(b, o, ",\"dropped\":");
    o = writeInt(b, o, stats.dropped);
    o = writeAscii(b, o, ",\"errors\":");
    o = writeInt(b, o, stats.errors);
    o = writeAscii(b, o, ",\"msgsIn\":");
    o = writeInt(b, o, stats.messagesIn);
    o = writeAscii(b, o, ",\"msgsOut\":");
    o = writeInt(b, o, stats.messagesOut);
    o = writeAscii(b, o, "}}");
    return o;
  }
}
