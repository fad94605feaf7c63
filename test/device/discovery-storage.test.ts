// The discovery configs wait in Storage (the "ha_configs" file), not in RAM, between the announces that
// publish them: after every connect and every Home Assistant birth. What goes out must be byte for byte
// what the board would have sent from RAM, and a file gone missing must never turn into an empty config
// (an empty retained config removes the board's entities from Home Assistant).
import { describe, it, expect } from "vitest";
import { Harness, boardConfig } from "./harness";
import { inEveryMode } from "../support/natives";
import { E_STORED_LOST } from "../../firmware/mqtt/errors";
import { CONFIGS_KEY } from "../../firmware/device/ha-constants";
import type { DeviceConfig } from "../../firmware/device/config";
import type { Outbox } from "../../firmware/device/outbox";

const BIRTH = "homeassistant/status";

type Run = { sent: string[]; h: Harness };

// Boots a board (Storage refusing writes when `inRam`), then asks for a second announce by HA's birth:
// `first` is what the connect sent (configs and the hand-over), `again` what the birth did (the configs).
function announceTwice(config: DeviceConfig, inRam: boolean): { first: string[]; again: string[]; h: Harness } {
  const h = new Harness(config, (x) => {
    x.storage.failing = inRam;
  });
  const ha = (): string[] => h.take().filter((p) => p.topic.startsWith("homeassistant/")).map((p) => `q${p.qos} ${p.retain} ${p.topic} ${p.payload}`);
  h.start().connect();
  h.run(100);
  const first = ha();
  h.send(BIRTH, "online", { qos: 0 });
  h.run(100);
  return { first, again: ha(), h };
}

const MODES: { mode: "device" | "entity" }[] = [{ mode: "device" }, { mode: "entity" }];

inEveryMode("discovery configs kept in Storage", () => {
  it.each(MODES)("$mode mode: every config goes out twice, as it would from RAM", ({ mode }) => {
    const config = boardConfig({ discovery: { enabled: true, prefix: "homeassistant", mode } });
    const stored = announceTwice(config, false);
    const ram = announceTwice(config, true);
    expect(stored.again.length).toBeGreaterThanOrEqual(1);
    expect(stored.first).toEqual(ram.first);
    expect(stored.again).toEqual(ram.again);
    // The file holds exactly the configs' payloads (what a birth announces), one after another, in order.
    const payloads = stored.again.map((s) => s.slice(s.indexOf(" {") + 1));
    for (const p of payloads) expect(() => JSON.parse(p)).not.toThrow();
    expect(stored.h.storage.data[CONFIGS_KEY]).toBe(payloads.map((p) => Buffer.from(p, "utf8").toString("latin1")).join(""));
    // The board kept none of their bytes in its outbox.
    const outbox = (stored.h.device as unknown as { outbox: Outbox }).outbox;
    for (let i = 0; i < outbox.topics.length; i++) {
      if (new TextDecoder().decode(outbox.topics[i]).startsWith("homeassistant/")) expect(outbox.payloads[i].length).toBe(0);
    }
    expect(ram.h.storage.data[CONFIGS_KEY]).toBeUndefined();
  });

  it.each([
    { what: "gone", change: (_: string | undefined) => undefined },
    { what: "cut short", change: (t: string | undefined) => (t as string).slice(0, 100) },
  ])("the file $what at an announce: no config at all, STORED_LOST logged, states still sent", ({ change }) => {
    const h = new Harness().boot();
    const text = change(h.storage.data[CONFIGS_KEY]);
    if (text === undefined) delete h.storage.data[CONFIGS_KEY];
    else h.storage.data[CONFIGS_KEY] = text;
    h.send(BIRTH, "online", { qos: 0 });
    h.run(100);
    const sent = h.take();
    expect(sent.filter((p) => p.topic.startsWith("homeassistant/"))).toEqual([]);
    expect(sent.map((p) => p.topic)).toContain("devices/esp32-01/relay/pump/state");
    expect(h.log.lines.filter((l) => l.code === E_STORED_LOST).map((l) => l.message)).toEqual([
      "discovery config not in Storage (ha_configs)",
    ]);
    // Commands work as before.
    h.command("fan", "ON");
    expect(h.pins.levels.D27).toBe(true);
  });
});

describe("discovery configs kept in Storage, without discovery", () => {
  it("a board without discovery writes no file", () => {
    const h = new Harness(boardConfig({ discovery: { enabled: false, prefix: "homeassistant", mode: "device" } })).boot();
    expect(h.storage.data[CONFIGS_KEY]).toBeUndefined();
  });
});
