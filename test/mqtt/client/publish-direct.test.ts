// publishDirect: a QoS 0 PUBLISH written in two pieces (fixed header and topic from the TX buffer, then
// the payload from the caller's bytes), so a message far larger than every other one needs no buffer of
// its size. The bytes on the wire are decoded by mqtt-packet, an independent decoder.
import { describe, it, expect } from "vitest";
import mqttPacket from "mqtt-packet";
import { E_QOS0_OFFLINE, E_BUFFER_TOO_SMALL, E_WRITE_FAILED, errorName } from "../../../firmware/mqtt";
import { setup, b } from "./harness";

/** Records every chunk the client writes, beside what the fake transport decodes. */
function recorded(h: ReturnType<typeof setup>): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  const write = h.t.write.bind(h.t);
  h.t.write = (buf, off, len) => {
    const ok = write(buf, off, len);
    if (ok) chunks.push(buf.slice(off, off + len));
    return ok;
  };
  return chunks;
}

function decodeAll(chunks: Uint8Array[]): any[] {
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  const out: any[] = [];
  parser.on("packet", (p: any) => out.push(p));
  parser.on("error", (e: Error) => out.push({ error: e.message }));
  for (const c of chunks) parser.parse(Buffer.from(c));
  return out;
}

describe("publishDirect", () => {
  it("a payload 20 times the TX buffer goes out as one QoS 0 PUBLISH in two writes, the TX buffer untouched in size", () => {
    const h = setup({ maxPacketBytes: 256 });
    h.up();
    const chunks = recorded(h);
    const payload = new Uint8Array(5000);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 7) & 0xff;
    const stats = { ...h.client.stats };
    expect(h.client.publishDirect(b("homeassistant/device/esp32-01/config"), payload, 0, payload.length, true)).toBe(0);
    expect(chunks.length).toBe(2);
    expect(chunks[1]).toEqual(payload);
    const [p, ...rest] = decodeAll(chunks);
    expect(rest).toEqual([]);
    expect(p).toMatchObject({ cmd: "publish", qos: 0, retain: true, dup: false, topic: "homeassistant/device/esp32-01/config" });
    expect(new Uint8Array(p.payload)).toEqual(payload);
    expect(h.t.badWrites).toEqual([]);
    expect((h.client as any).tx.length).toBe(256);
    expect(h.client.stats.messagesOut - stats.messagesOut).toBe(1);
    expect(h.client.stats.packetsOut - stats.packetsOut).toBe(1);
    expect(h.client.stats.bytesOut - stats.bytesOut).toBe(chunks[0].length + chunks[1].length);
  });

  it("the payload is taken from (buffer, offset, length); an empty one is one write; retain false kept", () => {
    const h = setup();
    h.up();
    const chunks = recorded(h);
    const buf = new TextEncoder().encode("xx{\"a\":1}yy");
    expect(h.client.publishDirect(b("t"), buf, 2, 7, false)).toBe(0);
    expect(h.client.publishDirect(b("t"), buf, 0, 0, true)).toBe(0);
    expect(chunks.length).toBe(3);
    expect(decodeAll(chunks).map((p) => [p.retain, p.payload.toString()])).toEqual([[false, "{\"a\":1}"], [true, ""]]);
  });

  it("offline: E_QOS0_OFFLINE and counted as dropped, nothing written", () => {
    const h = setup();
    const chunks = recorded(h);
    const p = new Uint8Array(10);
    expect(errorName(h.client.publishDirect(b("t"), p, 0, p.length, true))).toBe(errorName(E_QOS0_OFFLINE));
    expect(h.client.stats.dropped).toBe(1);
    expect(chunks).toEqual([]);
  });

  it("a topic whose header does not fit the TX buffer: E_BUFFER_TOO_SMALL, nothing written", () => {
    const h = setup({ maxPacketBytes: 64 });
    h.up();
    const chunks = recorded(h);
    expect(h.client.publishDirect(b("t/" + "x".repeat(80)), new Uint8Array(1), 0, 1, true)).toBe(E_BUFFER_TOO_SMALL);
    expect(chunks).toEqual([]);
    expect(h.client.isConnected()).toBe(true);
  });

  it("a refused payload write leaves half a packet: the link is closed, and the message counted as dropped", () => {
    const h = setup();
    h.up();
    const write = h.t.write.bind(h.t);
    let n = 0;
    h.t.write = (buf, off, len) => (++n === 2 ? false : write(buf, off, len));
    expect(h.client.publishDirect(b("t"), new Uint8Array(300), 0, 300, true)).toBe(E_WRITE_FAILED);
    expect(h.client.stats.dropped).toBe(1);
    expect(h.client.isConnected()).toBe(false);
    expect(h.ev.disconnected.map(errorName)).toEqual([errorName(E_WRITE_FAILED)]);
  });
});
