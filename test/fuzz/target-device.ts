// Fuzz target "device": a whole Device on the device suites' harness (test/device/harness.ts: fake
// transport, clock, timers, pins, storage), booted and connected, then fed one stream as the broker's side
// of its connection. Each data event is checked against the relay oracle (relay-oracle.ts) and the
// engine's rules (session.ts); a connection the device or the broker closes is opened again as the board
// would, and the rest of the stream goes there. At the end a valid command must still switch a relay
// (after keep alive ended a link stuck in an endless packet, if need be), and the device must hold no
// more than it did after start-up.
import { Harness, boardConfig, relay } from "../device/harness";
import type { DeviceConfig } from "../../firmware/device/config";
import { topicNames } from "../../firmware/device/topics";
import type { MqttClient } from "../../firmware/mqtt/client";
import { setNatives, portableNatives } from "../../firmware/mqtt/bytes";
import { stringNatives } from "../support/natives";
import { RelayOracle } from "./relay-oracle";
import { ConnectedRun } from "./connected";
import { publish, type Stream, type Vocabulary } from "./streams";
import type { StreamResult } from "./report";

/** The fuzzed board: relays of every kind the oracle models (active-low, interlocked, restored). */
export function fuzzBoard(): DeviceConfig {
  return boardConfig({
    relays: [
      relay("pump", "D26", { activeLow: true }),
      relay("fan", "D27"),
      relay("v1", "D12", { interlock: "valves" }),
      relay("v2", "D13", { activeLow: true, interlock: "valves" }),
      relay("lamp", "D14", { powerOn: "restore" }),
    ],
    commands: { acceptRetained: false, maxPayload: 16 },
  });
}

/** What the device's streams talk about: its set topics, near misses, command words valid and not. */
export function deviceVocabulary(config: DeviceConfig): Vocabulary {
  const names = topicNames(config);
  return {
    topics: names.relaySet,
    otherTopics: [
      "devices/esp32-01/relay/nosuch/set", "devices/esp32-01/relay/PUMP/set", "devices/esp32-01/relay/pump/set/",
      "devices/esp32-01/relay/pump/state", "devices/esp32-01/relay/pump", "devices/esp32-02/relay/pump/set",
      "devices/esp32-01/relay/pümp/set", "devices/esp32-01/relay/pump/set\u0001", "$SYS/broker/load", "/",
      "devices/esp32-01/relay/constructor/set", "devices/esp32-01/relay/__proto__/set",
    ],
    payloads: ["ON", "OFF", "TOGGLE", "1", "0", "ON", "OFF", "TOGGLE", "", "2", "ONN", "OF", "TOGGLE!", "on off", "0x1",
      "ONONONONONONONONON", "constructor", "__proto__", "TOGGLE TOGGLE"],
    idPool: 30,
    weights: [70, 15, 8, 7],
  };
}

/** Packet ids of the liveness probes: far from the streams' pool, never DUP. */
const PROBE_ID0 = 60001;

/** runDeviceStream(stream) -> what the device did wrong with it. */
export function runDeviceStream(stream: Stream): StreamResult {
  setNatives(stream.strings ? stringNatives : portableNatives);
  try {
    return new DeviceRun(stream, fuzzBoard()).run();
  } finally {
    setNatives(portableNatives);
  }
}

class DeviceRun extends ConnectedRun {
  private readonly h: Harness;
  private readonly pumpSet: Uint8Array;
  private readonly toDevice: (c: Uint8Array) => void;
  private probeId = PROBE_ID0;

  constructor(stream: Stream, private readonly config: DeviceConfig) {
    const h = new Harness(config);
    const setTopics = topicNames(config).relaySet.map((t) => Uint8Array.from(Buffer.from(t, "utf8")));
    const c = config.commands;
    super(stream, h.transport, new RelayOracle(config.relays, { setTopics, maxPayload: c.maxPayload, acceptRetained: c.acceptRetained }, 0), "device");
    this.h = h;
    this.pumpSet = setTopics[0];
    // Every write to a relay pin, from start-up on.
    const relayPins = new Set(config.relays.map((r) => r.pin));
    const write = h.pins.write.bind(h.pins);
    h.pins.write = (pin: string, level: boolean) => {
      write(pin, level);
      if (relayPins.has(pin)) this.writes.push({ pin, level });
    };
    // Every byte the broker's side delivers, the harness's own answers included, goes through onData.
    this.toDevice = h.transport.deliver.bind(h.transport);
    h.transport.deliver = (...chunks: Uint8Array[]) => {
      for (const chunk of chunks) this.onData(chunk);
    };
  }

  protected client(): MqttClient {
    return this.h.device.client;
  }

  protected deliver(chunk: Uint8Array): void {
    this.toDevice(chunk);
  }

  protected start(): void {
    this.h.start();
  }

  protected runFor(ms: number): void {
    this.h.run(ms);
  }

  protected runUntilOpening(maxMs: number): void {
    this.h.runUntil(() => this.h.transport.pending, maxMs);
  }

  protected respond(): void {
    this.h.respond();
  }

  protected keepAliveMs(): number {
    return this.config.mqtt.keepAlive * 1000;
  }

  /** A valid ON then OFF for the pump (the oracle checks the pin). */
  protected probePackets(): Uint8Array[] {
    return [
      publish({ qos: 1, id: this.probeId++, topic: this.pumpSet, payload: Uint8Array.from([0x4f, 0x4e]) }),
      publish({ qos: 1, id: this.probeId++, topic: this.pumpSet, payload: Uint8Array.from([0x4f, 0x46, 0x46]) }),
    ];
  }

  protected probeTaken(sentBefore: number): boolean {
    const acked = this.h.sent.slice(sentBefore).filter((p) => p.type === "PUBACK").map((p) => p.packetId);
    return acked.indexOf(this.probeId - 2) >= 0 && acked.indexOf(this.probeId - 1) >= 0;
  }

  protected bits(): number {
    let b = 0;
    this.config.relays.forEach((r, i) => {
      if (this.h.pins.levels[r.pin] !== r.activeLow) b |= 1 << i;
    });
    return b;
  }

  protected retainedRoot(): { root: object; boundary: object[] } {
    const h = this.h;
    return { root: h.device, boundary: [h.transport, h.clock, h.timers, h.pins, h.storage, h.system, h.log] };
  }
}
