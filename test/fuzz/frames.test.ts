// The fuzz run's own reading of a broker's stream (frames.ts) and its relay oracle (relay-oracle.ts),
// case by case: where packets end and when a decoder reports them, what a client in session must do with
// each, and which pin writes a command explains.
import { describe, it, expect } from "vitest";
import { fromHex } from "../helpers/vectors";
import { Framer, classify, ALIVE, KILL, EITHER } from "./frames";
import { RelayOracle, commandWord, CMD_ON, CMD_OFF, CMD_TOGGLE } from "./relay-oracle";
import { publish } from "./streams";
import { relay } from "../device/harness";

const latin1 = (s: string) => Uint8Array.from(Buffer.from(s, "latin1"));

describe("Framer: [start, byte at which a decoder reports it, length] of each packet", () => {
  it.each([
    ["two packets", "D0 00 40 02 00 07", 64, [[0, 2, 2], [2, 6, 4]]],
    ["remaining length over four bytes: reported at the fifth byte, the next byte starts a packet", "30 80 80 80 80 D0 00", 64, [[0, 5, 5], [5, 7, 2]]],
    ["oversize PUBLISH: reported when the buffer is full", "30 0A 00 01 61 31 32 33 34 35 36 37 D0 00", 8, [[0, 8, 12], [12, 14, 2]]],
    ["oversize PINGRESP: reported at its header", "D0 0A 00 00 00 00 00 00 00 00 00 00 D0 00", 8, [[0, 2, 12], [12, 14, 2]]],
  ])("%s", (_name, hex, rx, want) => {
    const f = new Framer(rx as number);
    const got = f.push(fromHex(hex as string)).map((x) => [x.start, x.eventAt, x.total]);
    expect(got).toEqual(want);
    expect(f.pending()).toBe(0);
  });

  it("pending() counts an unfinished packet as the decoder does, skipped bytes included", () => {
    const f = new Framer(8);
    f.push(fromHex("30 0A 00 01 61"));
    expect(f.pending()).toBe(5);
    f.push(fromHex("31 32 33 34 35"));
    expect(f.pending()).toBe(10);
  });
});

describe("classify: what a client in session does with a packet", () => {
  const v = (hex: string, rx = 256, maxQos = 1) => classify(new Framer(rx).push(fromHex(hex))[0], { maxQos });
  it.each([
    ["PINGRESP", "D0 00", ALIVE],
    ["PINGRESP with a body", "D0 01 00", KILL],
    ["PUBACK", "40 02 00 07", ALIVE],
    ["PUBACK with flags", "41 02 00 07", KILL],
    ["PUBACK for packet id 0 [MQTT-2.3.1-1]", "40 02 00 00", KILL],
    ["PUBREL without its flags", "60 02 00 07", KILL],
    ["a CONNACK in session", "20 02 00 00", KILL],
    ["a SUBSCRIBE (server-bound)", "82 06 00 01 00 01 61 00", KILL],
    ["SUBACK with return code 3", "90 03 00 01 03", KILL],
    ["PUBLISH QoS 0", "30 05 00 01 61 4F 4E", ALIVE],
    ["PUBLISH QoS 3", "36 07 00 01 61 00 01 4F 4E", KILL],
    ["PUBLISH QoS 0 with DUP", "38 05 00 01 61 4F 4E", KILL],
    ["PUBLISH QoS 2 above the subscriptions' QoS 1", "34 07 00 01 61 00 01 4F 4E", KILL],
    ["PUBLISH with a wildcard topic", "30 05 00 01 2B 4F 4E", KILL],
    ["PUBLISH with ill-formed UTF-8", "30 05 00 01 C0 4F 4E", KILL],
    ["PUBLISH with a control character (MAY close)", "30 05 00 01 01 4F 4E", EITHER],
    ["oversize QoS 0 PUBLISH whose topic is past the buffer", "30 0A 00 09 61 61 61 61 61 61 61 61 61", ALIVE, 8],
    ["oversize QoS 1 PUBLISH whose packet id is past the buffer", "32 0C 00 01 61 00 07 31 32 33 34 35 36 37", KILL, 6],
    ["oversize QoS 1 PUBLISH with topic and id in the buffer", "32 0C 00 01 61 00 07 31 32 33 34 35 36 37", ALIVE, 8],
  ])("%s", (_name, hex, link, rx = 256) => {
    expect(v(hex as string, rx as number).link).toBe(link);
  });
});

describe("the relay oracle", () => {
  const relays = [relay("pump", "D26", { activeLow: true }), relay("v1", "D12", { interlock: "g" }), relay("v2", "D13", { interlock: "g" })];
  const topics = ["r/pump", "r/v1", "r/v2"].map(latin1);
  const cmd = (r: number, word: string, over: { dup?: boolean; id?: number; retain?: boolean } = {}) =>
    classify(new Framer(512).push(publish({ qos: 1, id: over.id ?? 5, dup: over.dup, retain: over.retain, topic: topics[r], payload: latin1(word) }))[0], { maxQos: 1 });
  const make = () => {
    const o = new RelayOracle(relays, { setTopics: topics, maxPayload: 16, acceptRetained: false }, 0);
    o.opened();
    return o;
  };

  it.each([
    ["ON", CMD_ON], [" on\r\n", CMD_ON], ["1", CMD_ON], ["Off", CMD_OFF], ["0", CMD_OFF], ["toggle", CMD_TOGGLE],
    ["ON\u000b", 0], ["\u00a0ON", 0], ["ONN", 0], ["", 0],
  ])("commandWord(%j) = %i", (word, want) => {
    expect(commandWord(latin1(word))).toBe(want);
  });

  it("an ON in an interlock group: the partner's pin first, then its own; an unchanged relay writes nothing", () => {
    const o = make();
    expect(o.event([cmd(1, "ON")], [{ pin: "D12", level: true }], true, 0b010)).toBeNull();
    expect(o.event([cmd(2, "ON")], [{ pin: "D12", level: false }, { pin: "D13", level: true }], true, 0b100)).toBeNull();
    expect(o.event([cmd(2, "1")], [], true, 0b100)).toBeNull();
    // The partner's write missing, and one write too many:
    expect(o.event([cmd(1, "ON")], [{ pin: "D12", level: true }], true, 0b110)).toMatchObject({ kind: "wrong relay writes", count: 1 });
    expect(make().event([cmd(0, "OFF")], [{ pin: "D26", level: true }], true, 0)).toMatchObject({ kind: "wrong relay writes", count: 1 });
  });

  it("a retained command changes nothing; a redelivered TOGGLE (DUP, same id) may or may not be applied again", () => {
    expect(make().event([cmd(0, "ON", { retain: true })], [], true, 0)).toBeNull();
    for (const applied of [true, false]) {
      const o = make();
      expect(o.event([cmd(0, "TOGGLE", { id: 9 })], [{ pin: "D26", level: false }], true, 1)).toBeNull();
      const again = applied ? [{ pin: "D26", level: true }] : [];
      expect(o.event([cmd(0, "TOGGLE", { id: 9, dup: true })], again, true, applied ? 0 : 1)).toBeNull();
    }
  });

  it("after a packet that must close the link, nothing more is applied, and the link must be down", () => {
    const kill = classify(new Framer(512).push(fromHex("20 02 00 00"))[0], { maxQos: 1 });
    expect(make().event([kill, cmd(0, "ON")], [], false, 0)).toBeNull();
    expect(make().event([kill, cmd(0, "ON")], [{ pin: "D26", level: false }], false, 1)).toMatchObject({ kind: "wrong relay writes" });
    expect(make().event([kill], [], true, 0)).toMatchObject({ kind: "link", detail: expect.stringContaining("kept the link after a packet that must close it") });
    expect(make().event([cmd(0, "OFF")], [], false, 0)).toMatchObject({ kind: "link", detail: "closed the link on packets that are all valid" });
  });
});
