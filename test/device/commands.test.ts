// Commands on the relay set topics, and every refusal: what changes, what is published, the exact
// error JSON, and that a refusal touches no pin.
import { describe, it, expect } from "vitest";
import { Harness, boardConfig, topicOf } from "./harness";
import {
  REFUSED_UNKNOWN_RELAY, REFUSED_TOO_LONG, REFUSED_RETAINED, REFUSED_UNKNOWN_PAYLOAD, REFUSAL_REASONS,
} from "../../firmware/device/refusal";
import { parseCommand, CMD_ON, CMD_OFF, CMD_TOGGLE, CMD_NONE } from "../../firmware/device/command";
import { utf8Bytes } from "../../firmware/mqtt";
import { parseCommandText } from "../../firmware/device/command";
import { inEveryMode } from "../support/natives";
import { STATE_ON, STATE_OFF, ON_BYTES, OFF_BYTES } from "../../firmware/device/state-payloads";
import { publish } from "../support/fake-transport";

const FAN = "D27"; // active high
const PUMP = "D26"; // active low

function stateOf(h: Harness, name: string): string[] {
  return h.take().filter((p) => p.topic === topicOf("state", name)).map((p) => p.payload);
}

// Everything below runs once per way the runtime may hand over strings: as bytes (V8), as strings
// (Espruino), and as strings the heap cannot make (Espruino with no flat block: the bytes again).
inEveryMode("commands read", commandSuites);

describe("state payloads", () => {
  it("ON_BYTES and OFF_BYTES are the byte lengths of STATE_ON and STATE_OFF (the device publishes that many)", () => {
    expect([utf8Bytes(STATE_ON).length, utf8Bytes(STATE_OFF).length]).toEqual([ON_BYTES, OFF_BYTES]);
  });
});

describe("parseCommandText", () => {
  const latin1 = (s: string) => Buffer.from(utf8Bytes(s)).toString("latin1");
  it.each([
    "ON", "on", "oN", "1", "OFF", "off", "0", "TOGGLE", "toggle", " ON\n", "off\r\n", "\ttoggle ", "", " ", "ONN", "O N", "2",
    "01", "true", "OFFF", "TOGGLES", "\u00d6N", "on\u0000", "constructor", "__proto__", "toString", "hasOwnProperty", "valueOf",
    // trim() drops these, the byte reading does not: no command either way (found by npm run fuzz).
    "ON\v", "\fOFF", "TOGGLE\f", "\u000b1", "on\u00a0",
  ])("%j: what parseCommand gives for the same bytes", (payload) => {
    const b = utf8Bytes(payload);
    expect(parseCommandText(latin1(payload))).toBe(parseCommand(b, 0, b.length));
  });

  it.each([[[0x4f, 0x4e, 0xa0]], [[0x54, 0x6f, 0x67, 0x47, 0x4c, 0x45, 0xa0]], [[0xa0, 0x30]]])(
    "raw bytes %j (a no-break space, which V8's trim() drops): no command, as parseCommand reads them", (bytes) => {
      const b = Uint8Array.from(bytes);
      expect(parseCommand(b, 0, b.length)).toBe(CMD_NONE);
      expect(parseCommandText(Buffer.from(b).toString("latin1"))).toBe(CMD_NONE);
    });
});

function commandSuites(): void {
  describe("relay commands", () => {
    const cases: [string, boolean | "toggle"][] = [
      ["ON", true], ["on", true], ["On", true], ["oN", true], ["1", true],
      ["OFF", false], ["off", false], ["Off", false], ["oFf", false], ["0", false],
      ["TOGGLE", "toggle"], ["toggle", "toggle"], ["ToGgLe", "toggle"],
      [" ON\n", true], ["off\r\n", false], ["\ttoggle ", "toggle"],
    ];
    it.each(cases)("%j", (payload, expected) => {
      for (const start of [false, true]) {
        const h = new Harness().boot();
        if (start) h.command("fan", "ON");
        h.take();
        h.events.length = 0;
        h.command("fan", payload);
        const want = expected === "toggle" ? !start : expected;
        expect(h.pins.levels[FAN]).toBe(want);
        expect(h.device.relays.on[1]).toBe(want ? 1 : 0);
        // The state is published retained QoS 1, also when the command changed nothing (a confirmation).
        expect(h.take()).toEqual([{ topic: topicOf("state", "fan"), payload: want ? "ON" : "OFF", qos: 1, retain: true }]);
        expect(h.events.filter((e) => e.startsWith("relay"))).toEqual(want === start ? [] : ["relay 1 " + (want ? "on" : "off")]);
      }
    });

    it("commands at QoS 0 and 1 work; commands are subscribed at QoS 1", () => {
      const h = new Harness().boot();
      const sub = h.transport.sent.find((p) => p.type === "SUBSCRIBE")!;
      // Home Assistant's birth topic beside them, at QoS 0 (HA sends its birth at QoS 0).
      expect(sub.filters).toEqual([{ filter: "devices/esp32-01/relay/+/set", qos: 1 }, { filter: "homeassistant/status", qos: 0 }]);
      h.command("fan", "ON", { qos: 0 });
      expect(h.pins.levels[FAN]).toBe(true);
      h.command("fan", "OFF", { qos: 1 });
      expect(h.pins.levels[FAN]).toBe(false);
      h.checkWrites();
    });

    it("a QoS 2 command (a broker breaking [MQTT-3.8.4-6]) is not applied and the link is closed", () => {
      const h = new Harness().boot();
      h.command("fan", "ON", { qos: 2 });
      expect(h.pins.levels[FAN]).toBe(false);
      expect(h.transport.isOpen).toBe(false);
      expect(h.device.isConnected()).toBe(false);
    });

    it("a QoS 1 TOGGLE redelivered with DUP and the same packet id is not applied twice; its state is confirmed", () => {
      const h = new Harness().boot();
      h.transport.deliver(publish({ topic: topicOf("set", "fan"), payload: "TOGGLE", qos: 1, id: 7 }));
      h.transport.deliver(publish({ topic: topicOf("set", "pump"), payload: "TOGGLE", qos: 1, id: 8 }));
      h.respond();
      h.take();
      // Both PUBACKs lost; the broker sends both again with DUP [MQTT-4.4.0-1].
      h.transport.deliver(publish({ topic: topicOf("set", "fan"), payload: "TOGGLE", qos: 1, id: 7, dup: true }));
      h.transport.deliver(publish({ topic: topicOf("set", "pump"), payload: "TOGGLE", qos: 1, id: 8, dup: true }));
      h.respond();
      expect(h.pins.writesTo(FAN)).toEqual([0, 1]);
      expect(h.pins.writesTo(PUMP)).toEqual([1, 0]);
      expect(h.take().map((p) => p.topic.split("/")[3] + "=" + p.payload)).toEqual(["fan=ON", "pump=ON"]);
      // Both redeliveries were acknowledged.
      expect(h.transport.sent.filter((p) => p.type === "PUBACK").map((p) => p.packetId)).toEqual([7, 8, 7, 8]);
    });

    const fresh: [string, { id: number; dup: boolean; topic: string }][] = [
      ["without DUP (a new message reusing the id)", { id: 7, dup: false, topic: "fan" }],
      ["with DUP and another packet id", { id: 9, dup: true, topic: "fan" }],
      ["with DUP and the same id for another relay", { id: 7, dup: true, topic: "pump" }],
    ];
    it.each(fresh)("a TOGGLE %s is applied", (_, m) => {
      const h = new Harness().boot();
      h.transport.deliver(publish({ topic: topicOf("set", "fan"), payload: "TOGGLE", qos: 1, id: 7 }));
      h.transport.deliver(publish({ topic: topicOf("set", m.topic), payload: "TOGGLE", qos: 1, id: m.id, dup: m.dup }));
      const pin = m.topic === "fan" ? FAN : PUMP;
      expect(h.pins.writesTo(pin)).toEqual(m.topic === "fan" ? [0, 1, 0] : [1, 0]);
    });

    it("active-low wiring: ON drives the pin low, OFF high", () => {
      const h = new Harness().boot();
      expect(h.pins.levels[PUMP]).toBe(true);
      h.command("pump", "ON");
      expect(h.pins.levels[PUMP]).toBe(false);
      expect(stateOf(h, "pump")).toEqual(["ON"]);
      h.command("pump", "OFF");
      expect(h.pins.levels[PUMP]).toBe(true);
      expect(h.pins.writesTo(PUMP)).toEqual([1, 0, 1]);
    });

    it("parseCommand on bytes at an offset", () => {
      const b = utf8Bytes("xxToGgLexx");
      expect(parseCommand(b, 2, 6)).toBe(CMD_TOGGLE);
      expect(parseCommand(b, 2, 5)).toBe(CMD_NONE);
      expect(parseCommand(utf8Bytes("1"), 0, 1)).toBe(CMD_ON);
      expect(parseCommand(utf8Bytes("0"), 0, 1)).toBe(CMD_OFF);
      for (const bad of ["", " ", "ONN", "O N", "2", "01", "true", "OFFF", "TOGGLES", "\u00d6N", "on\u0000"]) {
        const u = utf8Bytes(bad);
        expect(parseCommand(u, 0, u.length), bad).toBe(CMD_NONE);
      }
    });
  });

  describe("refused commands", () => {
    function refusal(h: Harness): any[] {
      return h.take().filter((p) => p.topic === "devices/esp32-01/error").map((p) => {
        expect(p.qos).toBe(0);
        expect(p.retain).toBe(false);
        return JSON.parse(p.payload);
      });
    }

    function noPinChange(h: Harness, act: () => void): void {
      const ops = h.pins.ops.length;
      const writes = h.storage.writes.length;
      const on = Array.from(h.device.relays.on);
      act();
      expect(h.pins.ops.length).toBe(ops);
      expect(h.storage.writes.length).toBe(writes);
      expect(Array.from(h.device.relays.on)).toEqual(on);
    }

    it("unknown payload: exact JSON, nothing changes, no state published", () => {
      const h = new Harness().boot();
      noPinChange(h, () => h.command("pump", "FOO"));
      const out = h.take();
      expect(out.map((p) => p.payload)).toEqual([
        "{\"topic\":\"devices/esp32-01/relay/pump/set\",\"reason\":\"unknown payload\",\"payload\":\"FOO\"}",
      ]);
      expect(h.events).toEqual([
        "publish q0 devices/esp32-01/error=" + out[0].payload,
        "refused " + REFUSED_UNKNOWN_PAYLOAD + " devices/esp32-01/relay/pump/set",
      ]);
    });

    // Tasmota's convention: an empty payload asks for the state. `mosquitto_pub -r -n` clearing a retained
    // command reaches a connected board so, with RETAIN 0 [MQTT-3.3.1-9], or from a broker that keeps the
    // flag, with RETAIN 1: either way it is answered, not refused.
    it.each([["live", false], ["retained", true]])("an empty payload (%s) is answered with the relay's state, no error", (_, retain) => {
      const h = new Harness().boot();
      h.command("fan", "ON");
      h.take();
      noPinChange(h, () => h.command("fan", "", { retain }));
      expect(h.take()).toEqual([{ topic: topicOf("state", "fan"), payload: "ON", qos: 1, retain: true }]);
      expect(h.events.filter((e) => e.startsWith("refused"))).toEqual([]);
      noPinChange(h, () => h.command("pump", "", { retain, qos: 0 }));
      expect(h.take()).toEqual([{ topic: topicOf("state", "pump"), payload: "OFF", qos: 1, retain: true }]);
      // Only the empty payload: blanks are an unknown word, and a retained word is still refused.
      h.command("fan", " ");
      expect(refusal(h)).toEqual([{ topic: topicOf("set", "fan"), reason: "unknown payload", payload: " " }]);
      h.command("fan", "OFF", { retain: true });
      expect(refusal(h)).toEqual([{ topic: topicOf("set", "fan"), reason: "retained command", payload: "OFF" }]);
    });

    it("unknown relay: a set topic that matches the '+' filter but no relay", () => {
      const h = new Harness().boot();
      noPinChange(h, () => h.command("heater", "ON"));
      expect(refusal(h)).toEqual([{ topic: "devices/esp32-01/relay/heater/set", reason: "unknown relay", payload: "ON" }]);
      expect(h.events).toContain("refused " + REFUSED_UNKNOWN_RELAY + " devices/esp32-01/relay/heater/set");
    });

    it("retained command: refused by default, accepted when configured", () => {
      const h = new Harness().boot();
      noPinChange(h, () => h.command("fan", "ON", { retain: true }));
      expect(refusal(h)).toEqual([{ topic: topicOf("set", "fan"), reason: "retained command", payload: "ON" }]);
      expect(h.events).toContain("refused " + REFUSED_RETAINED + " " + topicOf("set", "fan"));

      const ok = new Harness(boardConfig({ commands: { acceptRetained: true, maxPayload: 16 } })).boot();
      ok.command("fan", "ON", { retain: true });
      expect(ok.pins.levels[FAN]).toBe(true);
      expect(refusal(ok)).toEqual([]);
    });

    it("oversize payload: refused unread, with its length; maxPayload itself is fine", () => {
      const h = new Harness().boot(); // maxPayload 16
      noPinChange(h, () => h.command("fan", "ON" + " ".repeat(15)));
      expect(refusal(h)).toEqual([{ topic: topicOf("set", "fan"), reason: "payload too long", length: 17 }]);
      expect(h.events).toContain("refused " + REFUSED_TOO_LONG + " " + topicOf("set", "fan"));
      h.command("fan", "ON" + " ".repeat(14));
      expect(h.pins.levels[FAN]).toBe(true);
      // Far beyond the RX buffer: skipped unread (counted as dropped), still refused with its length and
      // acknowledged, so a broker's window of unacknowledged messages never fills with them.
      const dropped = h.device.client.stats.dropped;
      h.take();
      const pubacks = () => h.transport.sent.filter((p) => p.type === "PUBACK").length;
      const before = pubacks();
      noPinChange(h, () => h.command("fan", "x".repeat(4000)));
      expect(h.device.client.stats.dropped).toBe(dropped + 1);
      expect(refusal(h)).toEqual([{ topic: topicOf("set", "fan"), reason: "payload too long", length: 4000 }]);
      expect(pubacks()).toBe(before + 1);
      // The same for a relay that does not exist: refused as such, with the length.
      noPinChange(h, () => h.command("heater", "x".repeat(4000)));
      expect(refusal(h)).toEqual([{ topic: topicOf("set", "heater"), reason: "unknown relay", length: 4000 }]);
      h.command("fan", "ON");
      expect(h.pins.levels[FAN]).toBe(true);
    });

    it("checks in order: unknown relay, then size, then retained, then payload", () => {
      const h = new Harness().boot();
      h.command("heater", "x".repeat(20), { retain: true });
      h.command("fan", "x".repeat(20), { retain: true });
      h.command("fan", "BAD", { retain: true });
      expect(refusal(h).map((r) => r.reason)).toEqual(["unknown relay", "payload too long", "retained command"]);
    });

    it("escapes the topic and payload as JSON, whatever bytes arrive", () => {
      const h = new Harness().boot();
      h.command("fan", "a\"b\\c\n\t\u0001é");
      h.command("fan", new Uint8Array([0x4f, 0xff, 0x00, 0xc3]));
      h.command("wei\u00dfe \"x\"", "ON");
      const r = refusal(h);
      expect(r[0]).toEqual({ topic: topicOf("set", "fan"), reason: "unknown payload", payload: "a\"b\\c\n\t\u0001é" });
      // Not UTF-8: every high byte escaped as \u00XX (Latin-1), so the JSON stays valid.
      expect(r[1].payload).toBe("O\u00ff\u0000\u00c3");
      expect(r[2]).toEqual({ topic: topicOf("set", "wei\u00dfe \"x\""), reason: "unknown relay", payload: "ON" });
    });

    it("a very long unknown topic is cut so the error still fits and stays valid JSON", () => {
      const h = new Harness().boot();
      const name = "\u00e9".repeat(150); // 300 bytes: fits the RX buffer, not the error buffer
      h.command(name, "ON");
      const [r] = refusal(h);
      expect(r.reason).toBe("unknown relay");
      expect(topicOf("set", name).startsWith(r.topic)).toBe(true);
      expect(r.topic.length).toBeGreaterThan(20);
    });

    it("reason texts", () => {
      expect(REFUSAL_REASONS[REFUSED_UNKNOWN_PAYLOAD]).toBe("unknown payload");
      expect(REFUSAL_REASONS[REFUSED_UNKNOWN_RELAY]).toBe("unknown relay");
    });
  });
}
