// Start-up and the connection's life: the CONNECT (will, credentials, keep alive), what goes out after
// CONNACK and in which order, subscriptions, the outbox waiting for PUBACKs, reconnects, and stop().
import { describe, it, expect } from "vitest";
import { Harness, boardConfig, relay, topicOf, subscribeFilters } from "./harness";

describe("device start-up", () => {
  it("connects with the will 'offline' retained QoS 1 on the status topic and the configured session", () => {
    const h = new Harness().start();
    expect(h.transport.openCalls).toBe(1);
    h.transport.accept();
    const [c] = h.take() as any[];
    expect(c).toBeUndefined();
    const connect = h.sent[0];
    expect(connect).toMatchObject({
      type: "CONNECT", clientId: "esp32-01", keepAlive: 30, cleanSession: true, username: "esp32-01", password: "secret",
      will: { topic: "devices/esp32-01/status", payload: "offline", qos: 1, retain: true },
    });
  });

  // Boards that `npm run build` accepts: none of them may throw at `new Device` (it once did past ~479 bytes).
  const credentials: [string, Partial<{ clientId: string; username: string; password: string }>][] = [
    ["a 600-byte password", { password: "p".repeat(600) }],
    ["a 700-byte client id", { clientId: "c".repeat(700) }],
    ["a 600-byte user name", { username: "u".repeat(600) }],
    ["all three near the build's 4 KB CONNECT limit", { clientId: "c".repeat(1300), username: "u".repeat(1300), password: "p".repeat(1300) }],
  ];
  it.each(credentials)("%s: the device starts and the CONNECT carries it whole", (_, mqtt) => {
    const base = boardConfig();
    const h = new Harness(boardConfig({ mqtt: { ...base.mqtt, ...mqtt } })).start().connect();
    expect(h.sent[0]).toMatchObject({ type: "CONNECT", ...mqtt });
    expect(h.device.isConnected()).toBe(true);
  });

  it("after CONNACK: SUBSCRIBE, online, every relay state, discovery, then (next tick) the sensors, in that order", () => {
    const h = new Harness();
    h.pins.levels.D4 = false; // door: pull-up, inverted -> pressed = 1
    h.pins.setAnalog("D34", 0.425);
    h.start();
    h.transport.accept();
    h.takeBrief();
    h.transport.deliver(new Uint8Array([0x20, 2, 0, 0]));
    h.respond();
    const out = h.takeBrief();
    expect(out[0]).toMatch(/^SUBSCRIBE #\d+ devices\/esp32-01\/relay\/\+\/set:1,homeassistant\/status:0$/);
    const brief = (list: string[]) => list.filter((s) => s.startsWith("PUBLISH")).map((s) => s.replace(/ #\d+/, "").replace(/=\{.*$/, "={...}"));
    // A first boot over relaymq 0.1.0: the device config, then its old per-entity configs removed.
    expect(brief(out)).toEqual([
      "PUBLISH q1 retain devices/esp32-01/status=online",
      "PUBLISH q1 retain devices/esp32-01/relay/pump/state=OFF",
      "PUBLISH q1 retain devices/esp32-01/relay/fan/state=OFF",
      "PUBLISH q0 retain homeassistant/device/esp32-01/config={...}",
      "PUBLISH q1 retain homeassistant/switch/esp32-01_pump/config=",
      "PUBLISH q1 retain homeassistant/switch/esp32-01_fan/config=",
      "PUBLISH q1 retain homeassistant/binary_sensor/esp32-01_door/config=",
      "PUBLISH q1 retain homeassistant/sensor/esp32-01_light/config=",
      "PUBLISH q1 retain homeassistant/sensor/esp32-01_water/config=",
    ]);
    h.run(100);
    expect(brief(h.takeBrief())).toEqual([
      "PUBLISH q0 devices/esp32-01/sensor/door/state=1",
      "PUBLISH q0 devices/esp32-01/sensor/light/state=42.5",
      "PUBLISH q0 devices/esp32-01/sensor/water/state=0.00",
    ]);
    h.checkWrites();
  });

  it("a burst bigger than the in-flight window waits for PUBACKs instead of being lost", () => {
    const relays = [];
    for (let i = 0; i < 10; i++) relays.push(relay("r" + i, "D" + (12 + i)));
    const h = new Harness(boardConfig({ relays, sensors: [] }));
    h.autoAck = false;
    h.start().connect();
    let qos1 = h.take().filter((p) => p.qos === 1);
    expect(qos1.length).toBe(4); // the window: status and the first three states
    expect(h.device.client.inflight.used).toBe(4);
    // Acknowledge one at a time: each PUBACK lets exactly one more out, in order.
    const seen = qos1.map((p) => p.topic);
    while (h.ackOldest()) {
      qos1 = h.take().filter((p) => p.qos === 1);
      expect(qos1.length).toBeLessThanOrEqual(1);
      seen.push(...qos1.map((p) => p.topic));
    }
    expect(seen.length).toBe(1 + 10 + 10);
    expect(seen[0]).toBe("devices/esp32-01/status");
    expect(seen.slice(1, 11)).toEqual(relays.map((r) => topicOf("state", r.name)));
    expect(new Set(seen).size).toBe(21);
  });

  it("subscribes once per relay when the set template cannot take '+'", () => {
    const c = boardConfig();
    c.topics.relaySet = "{prefix}/set-{name}";
    const h = new Harness(c).boot();
    expect(subscribeFilters(h)).toEqual(["devices/esp32-01/set-pump", "devices/esp32-01/set-fan", "homeassistant/status"]);
    h.send("devices/esp32-01/set-fan", "ON");
    expect(h.pins.levels.D27).toBe(true);
  });

  it("a relay set topic that is not a valid topic name is refused at construction", () => {
    const c = boardConfig();
    c.relays[0].name = "pu#mp";
    expect(() => new Harness(c)).toThrow(/invalid relay set topic/);
  });

  it("stop(): 'offline' retained QoS 1, then DISCONNECT, then the link closes (the will is not sent)", () => {
    const h = new Harness().boot();
    h.device.stop();
    const out = h.takeBrief();
    expect(out.map((s) => s.replace(/ #\d+/, ""))).toEqual([
      "PUBLISH q1 retain devices/esp32-01/status=offline",
      "DISCONNECT",
    ]);
    expect(h.transport.closeCalls).toBe(1);
    expect(h.events).toContain("connection down");
    // Nothing more: no reconnect, no watches, no timers.
    h.run(120_000);
    expect(h.transport.openCalls).toBe(1);
    expect(h.pins.watches.size).toBe(0);
  });

  it("stop() with every in-flight slot taken still says 'offline' (QoS 0) before DISCONNECT", () => {
    const h = new Harness().boot();
    h.autoAck = false;
    for (let i = 0; i < 4; i++) h.command("fan", "TOGGLE");
    expect(h.device.client.inflight.used).toBe(4);
    h.take();
    h.device.stop();
    expect(h.takeBrief()).toEqual(["PUBLISH q0 retain devices/esp32-01/status=offline", "DISCONNECT"]);
  });

  it("after a reconnect everything is published again; online each time", () => {
    const h = new Harness().boot();
    h.command("fan", "ON");
    h.take();
    h.transport.remoteClose();
    expect(h.events).toContain("connection down");
    h.reconnect();
    const pubs = h.take();
    expect(pubs[0]).toMatchObject({ topic: "devices/esp32-01/status", payload: "online", retain: true, qos: 1 });
    expect(pubs).toContainEqual({ topic: topicOf("state", "fan"), payload: "ON", qos: 1, retain: true });
    // The discovery config again; the removals of the first connect were done and are not repeated.
    expect(pubs.filter((p) => p.topic.startsWith("homeassistant/")).map((p) => p.topic)).toEqual(["homeassistant/device/esp32-01/config"]);
    expect(h.device.client.stats.reconnects).toBe(1);
    // The subscriptions are made again (clean session).
    expect(subscribeFilters(h).length).toBe(4);
  });

  it("start(true) drives relays and inputs at once and waits for networkUp() to open the broker connection", () => {
    const h = new Harness();
    h.device.start(true);
    expect(h.pins.ops.length).toBeGreaterThan(0);
    h.run(5000);
    expect(h.transport.openCalls).toBe(0);
    h.device.networkUp();
    expect(h.transport.openCalls).toBe(1);
    h.connect();
    expect(h.device.isConnected()).toBe(true);
    // A later networkUp() while connected opens nothing more.
    h.device.networkUp();
    expect(h.transport.openCalls).toBe(1);
  });

  it("networkUp() skips the rest of the reconnect delay", () => {
    const h = new Harness();
    for (let i = 0; i < 8; i++) h.transport.refuseNextOpen(-52);
    h.start();
    h.runUntil(() => h.transport.openCalls === 8, 600_000);
    h.run(100);
    expect(h.transport.pending).toBe(false); // waiting out a long delay (no network)
    h.device.networkUp();
    h.run(100);
    expect(h.transport.pending).toBe(true);
    h.connect();
    expect(h.device.isConnected()).toBe(true);
  });

  it("without discovery, no config is published: the old ones are removed once", () => {
    const h = new Harness(boardConfig({ discovery: { enabled: false, prefix: "homeassistant", mode: "device" } })).start().connect();
    const ha = h.take().filter((p) => p.topic.startsWith("homeassistant/"));
    expect(ha.length).toBe(5);
    for (const p of ha) expect(p).toMatchObject({ payload: "", retain: true, qos: 1 });
    h.transport.remoteClose();
    h.reconnect();
    expect(h.take().filter((p) => p.topic.startsWith("homeassistant/"))).toEqual([]);
    expect(subscribeFilters(h)).toEqual(["devices/esp32-01/relay/+/set", "devices/esp32-01/relay/+/set"]);
  });

  it("a board without relays subscribes only to Home Assistant's birth, and without discovery to nothing", () => {
    expect(subscribeFilters(new Harness(boardConfig({ relays: [] })).start().connect())).toEqual(["homeassistant/status"]);
    const h = new Harness(boardConfig({ relays: [], discovery: { enabled: false, prefix: "homeassistant", mode: "device" } })).start().connect();
    expect(subscribeFilters(h)).toEqual([]);
    expect(h.take()[0]).toMatchObject({ topic: "devices/esp32-01/status", payload: "online" });
  });
});
