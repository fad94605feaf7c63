// The simulator under test, end to end: a board (source or bundle mode) against the embedded aedes or a
// mosquitto child process, an MQTT.js peer on the broker, and every event the board reported.
import type { DeviceConfig } from "../../firmware/device/config";
import { topicNames, type TopicNames } from "../../firmware/device/topics";
import { parseBoard } from "../../sim/board/load";
import { bundleBoard } from "../../sim/build/bundle";
import { Simulator } from "../../sim/runner/simulator";
import type { SimEvent } from "../../sim/runner/events";
import type { VirtualBoard } from "../../sim/runner/virtual-board";
import type { BrokerKind, TestBroker } from "../support/brokers";
import { Peer } from "../support/mqtt-peer";
import { until } from "../support/wait";

/** The board the end-to-end suites run: board.json's shape plus a pulse relay, telemetry every second. */
export const E2E_BOARD = JSON.stringify({
  id: "sim-e2e",
  wifi: { ssid: "lab", password: "$WIFI_PASSWORD" },
  mqtt: { host: "192.168.1.10", port: 1883, username: "sim-e2e", password: "$MQTT_PASSWORD", keepAlive: 10, cleanSession: true },
  telemetry: { periodSec: 1 },
  relays: [
    { name: "pump", pin: "D26", activeLow: true, powerOn: "off", failsafe: { state: "off", afterSec: 120 } },
    { name: "valve1", pin: "D27", activeLow: true, interlock: "valves" },
    { name: "valve2", pin: "D25", activeLow: true, interlock: "valves" },
    { name: "bell", pin: "D32", activeLow: false, pulseMs: 300 },
  ],
  sensors: [
    { name: "door", type: "digital", pin: "D4", pull: "up", invert: true, debounceMs: 30 },
    { name: "light", type: "analog", pin: "D34", scale: 100, unit: "%", delta: 2 },
    { name: "water", type: "counter", pin: "D13", edge: "falling", scale: 0.5, unit: "L" },
  ],
  discovery: { enabled: true, prefix: "homeassistant" },
});

export const e2eConfig: DeviceConfig = parseBoard(E2E_BOARD, { WIFI_PASSWORD: "w", MQTT_PASSWORD: "m" }, "e2e-board.json").config;
export const e2eTopics: TopicNames = topicNames(e2eConfig);

let bundle: Promise<string> | null = null;
/** The e2e board built as `npm run build` builds it (once per file). */
export function e2eBundle(): Promise<string> {
  if (!bundle) bundle = bundleBoard(e2eConfig);
  return bundle;
}

export interface SimUnderTest {
  sim: Simulator;
  board: VirtualBoard;
  peer: Peer;
  events: SimEvent[];
  /** The broker stops (every board dropped) and starts again on its port. */
  restartBroker(): Promise<void>;
  /** Events of one kind, in order. */
  of<K extends SimEvent["event"]>(kind: K): Array<Extract<SimEvent, { event: K }>>;
  /** Packet events' type names in one direction, in order. */
  packets(dir: "out" | "in"): string[];
  close(): Promise<void>;
}

/**
 * startSimUnderTest(kind, mode, other?) -> a connected board, a peer, and the events so far; other: another
 * config and its bundle (default: the e2e board).
 */
export async function startSimUnderTest(
  kind: BrokerKind, mode: "source" | "bundle", other?: { config: DeviceConfig; bundle: () => Promise<string> },
): Promise<SimUnderTest> {
  let external: TestBroker | null = null;
  if (kind.name === "mosquitto") external = await kind.start();
  const events: SimEvent[] = [];
  const sim = new Simulator({
    config: other ? other.config : e2eConfig,
    mode,
    bundle: mode === "bundle" ? { source: await (other ? other.bundle() : e2eBundle()), file: "firmware.js" } : undefined,
    broker: external ? { host: "127.0.0.1", port: external.port } : undefined,
    port: 0,
    trace: true,
    emit: (e) => events.push(e),
  });
  await sim.start();
  const board = sim.boards[0];
  const peer = await Peer.connect(sim.broker.port);
  await until(() => board.isConnected(), 5000, () => `the board to connect; events ${JSON.stringify(events.slice(-10))}`);
  // Commands are lost before the board's SUBACK: wait for it on the wire.
  await until(() => events.some((e) => e.event === "packet" && e.dir === "in" && e.packet.type === "SUBACK"), 5000, "the board's SUBACK");
  const of = <K extends SimEvent["event"]>(k: K) => events.filter((e) => e.event === k) as Array<Extract<SimEvent, { event: K }>>;
  return {
    sim,
    board,
    peer,
    events,
    of,
    packets: (dir) => of("packet").filter((e) => e.dir === dir).map((e) => String(e.packet.type)),
    restartBroker: () => (external ? external.restart() : sim.restartBroker()),
    async close() {
      await peer.end(true).catch(() => {});
      await sim.stop();
      if (external) await external.close();
    },
  };
}
