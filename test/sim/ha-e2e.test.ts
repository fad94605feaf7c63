// Home Assistant end to end: an MQTT.js peer plays Home Assistant against a virtual board (from the
// sources and as the built bundle in the Espruino shim), on aedes and on mosquitto. It does what HA does
// when it starts: subscribes to the discovery topics, sets up the entities the retained configs describe
// (subscribing to their state topics), then publishes its birth message. Every entity's config and
// current state must then arrive within a second. And a board booted again without one of its relays
// must take that relay away from Home Assistant, in both discovery forms.
import { afterEach, describe, expect, it } from "vitest";
import { BROKERS, brokerAvailable, type BrokerKind, type TestBroker } from "../support/brokers";
import { Peer, type PeerMessage } from "../support/mqtt-peer";
import { until } from "../support/wait";
import { e2eConfig, startSimUnderTest, type SimUnderTest } from "./sim-harness";
import { checkDiscovery, type EntityConfig } from "../support/ha-validate";
import type { DeviceConfig } from "../../firmware/device/config";
import { LEDGER_KEY } from "../../firmware/device/ha-constants";
import { bundleBoard } from "../../sim/build/bundle";
import { VirtualBoard } from "../../sim/runner/virtual-board";

const MODES = ["source", "bundle"] as const;
const CASES = BROKERS.flatMap((kind) => MODES.map((mode) => ({ kind, mode, name: `${kind.name}, ${mode} mode` })));
const PREFIX = "homeassistant";
const DEVICE_TOPIC = `${PREFIX}/device/${e2eConfig.id}/config`;

/** Every entity a discovery message (in full) describes, by discovery id. */
function entitiesOf(messages: PeerMessage[]): Map<string, EntityConfig> {
  const out = new Map<string, EntityConfig>();
  for (const m of messages) {
    if (!m.topic.endsWith("/config") || m.bytes.length === 0) continue;
    const c = checkDiscovery(PREFIX, m.topic, m.bytes);
    expect(c.problems, m.topic).toEqual([]);
    for (const e of c.entities) out.set(e.platform + " " + e.discoveryId, e);
  }
  return out;
}

describe.each(CASES)("Home Assistant end to end: $name", ({ kind, mode }: { kind: BrokerKind; mode: "source" | "bundle" }) => {
  if (!brokerAvailable(kind)) return;

  let t: SimUnderTest | null = null;
  const peers: Peer[] = [];
  afterEach(async () => {
    for (const p of peers.splice(0)) await p.end(true).catch(() => {});
    if (t) await t.close();
    t = null;
  });

  it("Home Assistant restarts: after its birth message every entity's config and current state arrive within a second", async () => {
    t = await startSimUnderTest(kind, mode);
    const s = t;
    // Let the board finish its connect burst: HA restarting later is the case here.
    await until(() => s.board.files.has(LEDGER_KEY), 5000, "the board's first announcement done");
    s.board.flip(0); // the door opens: a state only this board knows, QoS 0 and not retained
    await until(() => s.of("sensor").some((e) => e.sensor === "door" && e.value === "1"), 3000, "the door reported");

    const ha = await Peer.connect(s.sim.broker.port, { clientId: "home-assistant" });
    peers.push(ha);
    await ha.subscribe({ [`${PREFIX}/+/+/config`]: 0, [`${PREFIX}/+/+/+/config`]: 0 });
    await ha.waitMessage(DEVICE_TOPIC, 3000);
    const entities = entitiesOf(ha.messages);
    // HA's entities subscribe to their state topics (the relays' are retained, so those come at once).
    const stateTopics = [...new Set([...entities.values()].map((e) => e.config.state_topic).filter((x) => x !== undefined))];
    await ha.subscribe(Object.fromEntries(stateTopics.map((x) => [x, 0])));
    await new Promise((r) => setTimeout(r, 200));

    const birthAt = performance.now();
    await ha.publish(`${PREFIX}/status`, "online", 0, false);
    const fresh = () => ha.messages.filter((m) => m.at >= birthAt);
    await until(() => {
      const got = new Set(fresh().map((m) => m.topic));
      return got.has(DEVICE_TOPIC) && stateTopics.every((x) => got.has(x));
    }, 3000, () => `every config and state after the birth; got ${JSON.stringify([...new Set(fresh().map((m) => m.topic))])}`);
    const after = fresh();
    for (const x of [DEVICE_TOPIC, ...stateTopics]) {
      const first = after.find((m) => m.topic === x)!;
      expect(first.at - birthAt, x).toBeLessThan(1000);
    }
    // The config after the birth is the whole board, still acceptable to HA.
    const again = entitiesOf(after.filter((m) => m.topic === DEVICE_TOPIC));
    expect([...again.keys()].sort()).toEqual([...entities.keys()].sort());
    // The door's state is its current one, and the diagnostics have their values in the telemetry.
    const door = [...entities.values()].find((e) => e.discoveryId.endsWith(" door"))!;
    expect(after.find((m) => m.topic === door.config.state_topic)!.payload).toBe("1");
    const telemetry = JSON.parse(after.find((m) => m.topic === e2eConfig.topics.telemetry)!.payload);
    expect(telemetry).toMatchObject({ rssi: -55, ip: "127.0.0.1" });
    expect(s.of("error").filter((e) => e.what === "refused")).toEqual([]);
  });

  describe.each(["device", "entity"] as const)("a relay removed, %s form", (form) => {
    let broker: TestBroker | null = null;
    const boards: VirtualBoard[] = [];
    afterEach(async () => {
      for (const b of boards.splice(0)) await b.stop().catch(() => {});
      if (broker) await broker.close();
      broker = null;
    });

    async function board(config: DeviceConfig, files: Map<string, string> | null): Promise<VirtualBoard> {
      const b = new VirtualBoard({
        config, mode, broker: { host: "127.0.0.1", port: broker!.port },
        bundle: mode === "bundle" ? { source: await bundleBoard(config), file: "firmware.js" } : undefined,
        emit: () => {},
      });
      if (files) for (const [k, v] of files) b.files.set(k, v);
      boards.push(b);
      b.boot();
      await until(() => b.isConnected(), 5000, "the board to connect");
      return b;
    }

    it("Home Assistant is told, and the relay's config is gone from the broker", async () => {
      broker = await kind.start();
      const before: DeviceConfig = { ...e2eConfig, discovery: { ...e2eConfig.discovery, mode: form } };
      const after: DeviceConfig = { ...before, relays: before.relays.filter((r) => r.name !== "valve2") };
      const a = await board(before, null);
      await until(() => a.files.has(LEDGER_KEY) && a.files.get(LEDGER_KEY)!.includes("valve2"), 5000, "the first board's ledger");
      await a.stop();

      // Home Assistant is running while the board comes back without valve2.
      const ha = await Peer.connect(broker.port, { clientId: "home-assistant" });
      peers.push(ha);
      await ha.subscribe({ [`${PREFIX}/#`]: 0 });
      const b = await board(after, a.files);
      await until(() => b.files.get(LEDGER_KEY) !== a.files.get(LEDGER_KEY) && !b.files.get(LEDGER_KEY)!.includes("valve2"), 5000, "the new ledger");
      const valve2Topic = `${PREFIX}/switch/${e2eConfig.id}/valve2/config`;
      if (form === "device") {
        const live = ha.messages.filter((m) => m.topic === DEVICE_TOPIC && !m.retain).at(-1)!;
        const checked = checkDiscovery(PREFIX, live.topic, live.bytes);
        expect(checked.problems).toEqual([]);
        expect(checked.removals).toEqual([{ platform: "switch", discoveryId: `${e2eConfig.id} valve2` }]);
      } else {
        expect(ha.messages.some((m) => m.topic === valve2Topic && m.bytes.length === 0)).toBe(true);
      }

      // What a Home Assistant starting now finds retained: no config for valve2, the others all there.
      const late = await Peer.connect(broker.port);
      peers.push(late);
      await late.subscribe({ [`${PREFIX}/#`]: 0 });
      await new Promise((r) => setTimeout(r, 500));
      const retained = late.messages.filter((m) => m.retain && m.bytes.length > 0 && m.topic.endsWith("/config"));
      const found = entitiesOf(retained);
      expect([...found.keys()].some((k) => k === `switch ${e2eConfig.id} valve2`)).toBe(false);
      expect([...found.keys()].filter((k) => k.startsWith("switch ")).sort()).toEqual(
        ["pump", "valve1"].map((n) => `switch ${e2eConfig.id} ${n}`).sort());
      expect(late.messages.some((m) => m.topic === valve2Topic && m.bytes.length > 0)).toBe(false);
    });
  });
});
