// How the board hands Home Assistant over from what it published before (the ledger in Storage) to what
// it has now: Home Assistant's migration procedure between the two discovery forms, removals of what the
// board no longer has, and the ledger written only once every hand-over message was acknowledged.
import { describe, it, expect } from "vitest";
import { Harness, boardConfig } from "./harness";
import type { DeviceConfig } from "../../firmware/device/config";
import { LEDGER_KEY } from "../../firmware/device/ha-constants";

const base = boardConfig();
const entity = (c: DeviceConfig): DeviceConfig => ({ ...c, discovery: { ...c.discovery, mode: "entity" } });
const fewer = { ...base, relays: base.relays.slice(0, 1) };
const MIGRATE = '{"migrate_discovery":true}';

function boot(config: DeviceConfig, stored: string | null): Harness {
  return new Harness(config, (h) => {
    if (stored !== null) h.storage.data[LEDGER_KEY] = stored;
  }).start().connect();
}

function ledgerOf(config: DeviceConfig): string {
  return boot(config, null).storage.data[LEDGER_KEY];
}

/** The discovery messages in wire order: "q1 topic=payload", a config payload as its component keys. */
function wire(h: Harness): string[] {
  return h.take().filter((p) => p.topic.startsWith("homeassistant/") && p.topic !== "homeassistant/status").map((p) => {
    let payload = p.payload;
    if (payload.startsWith("{\"dev\"") || payload.startsWith("{\"name\"")) {
      const j = JSON.parse(payload);
      payload = j.cmps ? "cmps " + Object.entries(j.cmps).map(([k, v]: [string, any]) => (Object.keys(v).length === 1 ? `${k}:${v.p}-removed` : `${k}:${v.p}`)).join(",") : "entity " + j.uniq_id;
    }
    return `q${p.qos} ${p.topic}=${payload}`;
  });
}

const DIAG = "uptime:sensor,free_memory:sensor,mqtt_reconnects:sensor,wifi_rssi:sensor,ip_address:sensor";

describe("discovery hand-over", () => {
  it("entity form -> device form: migrate_discovery on each old topic, the device config, then the old topics emptied", () => {
    const h = boot(base, ledgerOf(entity(base)));
    const out = wire(h);
    const old = ["switch/esp32-01/pump", "switch/esp32-01/fan", "binary_sensor/esp32-01/door", "sensor/esp32-01/light",
      "sensor/esp32-01/water", "sensor/esp32-01/uptime", "sensor/esp32-01/free_memory", "sensor/esp32-01/mqtt_reconnects",
      "sensor/esp32-01/wifi_rssi", "sensor/esp32-01/ip_address"].map((t) => `homeassistant/${t}/config`);
    expect(out).toEqual([
      ...old.map((t) => `q1 ${t}=${MIGRATE}`),
      `q0 homeassistant/device/esp32-01/config=cmps pump:switch,fan:switch,door:binary_sensor,light:sensor,water:sensor,${DIAG}`,
      ...old.map((t) => `q1 ${t}=`),
    ]);
  });

  it("device form -> entity form (HA older than 2024.11): what is gone removed in the device config, migrate_discovery, the entity configs, then the device topic emptied", () => {
    const h = boot(entity(fewer), ledgerOf(base));
    const out = wire(h);
    expect(out[0]).toBe("q0 homeassistant/device/esp32-01/config=cmps fan:switch-removed");
    expect(out[1]).toBe(`q1 homeassistant/device/esp32-01/config=${MIGRATE}`);
    expect(out.slice(2, -1).every((s) => s.startsWith("q0 homeassistant/") && s.includes("=entity esp32-01:"))).toBe(true);
    expect(out.slice(2, -1).length).toBe(1 + 3 + 5);
    expect(out.at(-1)).toBe("q1 homeassistant/device/esp32-01/config=");
  });

  it("a relay removed: a platform-only component in the device config; in the entity form its config emptied", () => {
    expect(wire(boot(fewer, ledgerOf(base)))).toEqual([
      `q0 homeassistant/device/esp32-01/config=cmps pump:switch,door:binary_sensor,light:sensor,water:sensor,${DIAG},fan:switch-removed`,
    ]);
    const out = wire(boot(entity(fewer), ledgerOf(entity(base))));
    expect(out.at(-1)).toBe("q1 homeassistant/switch/esp32-01/fan/config=");
    expect(out.filter((s) => s.endsWith("="))).toHaveLength(1);
  });

  it("a relay that became a pulse relay: removed as a switch in an interim config before it comes back as a button", () => {
    const pulsed = { ...base, relays: [base.relays[0], { ...base.relays[1], pulseMs: 300 }] };
    const out = wire(boot(pulsed, ledgerOf(base)));
    expect(out).toEqual([
      `q0 homeassistant/device/esp32-01/config=cmps pump:switch,fan:switch-removed,door:binary_sensor,light:sensor,water:sensor,${DIAG}`,
      `q0 homeassistant/device/esp32-01/config=cmps pump:switch,fan:button,door:binary_sensor,light:sensor,water:sensor,${DIAG}`,
    ]);
  });

  it("over relaymq 0.1.0 (no ledger): its <id>_<name> configs are removed after the new config", () => {
    const out = wire(boot(base, null));
    expect(out.slice(1)).toEqual(["switch/esp32-01_pump", "switch/esp32-01_fan", "binary_sensor/esp32-01_door",
      "sensor/esp32-01_light", "sensor/esp32-01_water"].map((t) => `q1 homeassistant/${t}/config=`));
  });

  it("discovery turned off or the board renamed: the old device config emptied (HA removes its entities)", () => {
    const off = boot({ ...base, discovery: { ...base.discovery, enabled: false } }, ledgerOf(base));
    expect(wire(off)).toEqual(["q1 homeassistant/device/esp32-01/config="]);
    expect(off.storage.data[LEDGER_KEY]).toBe("relaymq-ha 1\n");
    const renamed = { ...base, id: "esp32-02", topics: { ...base.topics, prefix: "devices/esp32-02" } };
    const out = wire(boot(renamed, ledgerOf(base)));
    expect(out[0]).toMatch(/^q0 homeassistant\/device\/esp32-02\/config=cmps /);
    expect(out[1]).toBe("q1 homeassistant/device/esp32-01/config=");
  });

  it("the ledger is written once every hand-over message was acknowledged; until then a reconnect sends them again", () => {
    const stored = ledgerOf(entity(base));
    const h = new Harness(base, (x) => { x.storage.data[LEDGER_KEY] = stored; });
    h.autoAck = false;
    h.start().connect();
    for (let i = 0; i < 6; i++) h.ackOldest();
    h.run(1000);
    expect(h.storage.data[LEDGER_KEY]).toBe(stored);
    h.take();
    // The link drops before the rest was acknowledged: the whole hand-over goes out again.
    h.transport.remoteClose();
    h.reconnect();
    const again: string[] = [];
    do {
      h.run(100);
      again.push(...wire(h));
    } while (h.ackOldest());
    h.run(100);
    expect(again.filter((s) => s.endsWith(MIGRATE)).length).toBeGreaterThanOrEqual(10);
    expect(again.filter((s) => s.startsWith("q0 ")).length).toBe(1);
    expect(h.storage.data[LEDGER_KEY]).toBe(ledgerOf(base));
    // Once written: a reconnect sends the device config alone.
    h.autoAck = true;
    h.take();
    h.transport.remoteClose();
    h.reconnect();
    expect(wire(h)).toEqual([expect.stringMatching(/^q0 homeassistant\/device\/esp32-01\/config=cmps /)]);
  });

  it("a ledger Storage cannot write is logged; the hand-over is done for this session and comes again at the next boot", () => {
    const h = new Harness(base, (x) => { x.storage.data[LEDGER_KEY] = ledgerOf(entity(base)); x.storage.failing = true; });
    h.start().connect();
    expect(h.log.lines.some((l) => l.message === "discovery ledger not stored")).toBe(true);
    h.take();
    h.transport.remoteClose();
    h.reconnect();
    expect(wire(h).filter((s) => s.endsWith(MIGRATE))).toEqual([]);
  });

  it("steady state: nothing written and nothing handed over", () => {
    const stored = ledgerOf(base);
    const h = boot(base, stored);
    expect(h.storage.writes.filter((w) => w.startsWith(LEDGER_KEY))).toEqual([]);
    expect(wire(h)).toHaveLength(1);
  });
});
