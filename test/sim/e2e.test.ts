// End to end through the simulator: a virtual board running the firmware from the sources and as the
// built bundle in the Espruino shim, against the embedded aedes and against mosquitto. The other side
// is an MQTT.js client, as Home Assistant or mosquitto_pub would be.
import { afterEach, describe, expect, it } from "vitest";
import { BROKERS, brokerAvailable, type BrokerKind } from "../support/brokers";
import { Peer } from "../support/mqtt-peer";
import { sleep, until } from "../support/wait";
import { e2eConfig as config, e2eTopics as topics, startSimUnderTest, type SimUnderTest } from "./sim-harness";
import { checkDiscovery } from "../support/ha-validate";
import { DIAGNOSTIC_NAMES } from "../../firmware/device/ha-constants";
import { CONSOLE_RESTART } from "../../firmware/device/console";

const DIAGNOSTIC_KEYS = DIAGNOSTIC_NAMES.split(",");

const MODES = ["source", "bundle"] as const;
const CASES = BROKERS.flatMap((kind) => MODES.map((mode) => ({ kind, mode, name: `${kind.name}, ${mode} mode` })));

const PUMP = 0;
const VALVE1 = 1;
const VALVE2 = 2;
const BELL = 3;

describe.each(CASES)("simulator end to end: $name", ({ kind, mode }: { kind: BrokerKind; mode: "source" | "bundle" }) => {
  if (!brokerAvailable(kind)) return;

  let t: SimUnderTest | null = null;
  afterEach(async () => {
    if (t) await t.close();
    t = null;
  });
  async function start(): Promise<SimUnderTest> {
    t = await startSimUnderTest(kind, mode);
    return t;
  }
  const pin = (s: SimUnderTest, relay: number) => s.board.bank.read(config.relays[relay].pin);
  /** The relay's pin level when on: active-low relays are on at LOW. */
  const onLevel = (relay: number) => !config.relays[relay].activeLow;

  /** A fresh subscriber's view of a retained topic (what a dashboard that starts now would see). */
  async function retained(port: number, topic: string): Promise<{ payload: string; retain: boolean }> {
    const late = await Peer.connect(port);
    try {
      await late.subscribe({ [topic]: 1 });
      const m = await late.waitMessage(topic, 3000);
      return { payload: m.payload, retain: m.retain };
    } finally {
      await late.end(true);
    }
  }

  it("ON on a relay's set topic drives its pin and publishes ON, retained, on its state topic", async () => {
    const s = await start();
    expect(pin(s, PUMP)).toBe(!onLevel(PUMP));
    await s.peer.publish(topics.relaySet[PUMP], "ON", 1);
    await until(() => pin(s, PUMP) === onLevel(PUMP), 3000, "the pump pin to go LOW");
    await until(() => s.of("published").some((e) => e.topic === topics.relayState[PUMP] && e.payload === "ON" && e.retain), 3000, "ON on the state topic");
    expect(await retained(s.sim.broker.port, topics.relayState[PUMP])).toEqual({ payload: "ON", retain: true });
    expect(s.of("relay").filter((e) => e.relay === "pump").map((e) => [e.on, e.level])).toEqual([[false, 1], [true, 0]]);
  });

  it("TOGGLE flips a relay, a pulse relay turns itself off, interlocked relays are never on together", async () => {
    const s = await start();
    await s.peer.publish(topics.relaySet[PUMP], "toggle", 1);
    await until(() => pin(s, PUMP) === onLevel(PUMP), 3000, "TOGGLE to switch the pump on");
    await s.peer.publish(topics.relaySet[PUMP], "TOGGLE", 1);
    await until(() => pin(s, PUMP) === !onLevel(PUMP), 3000, "TOGGLE to switch the pump off");

    await s.peer.publish(topics.relaySet[BELL], "ON", 1);
    await until(() => pin(s, BELL) === onLevel(BELL), 3000, "the bell to ring");
    const rang = performance.now();
    await until(() => pin(s, BELL) === !onLevel(BELL), 3000, "the bell pulse to end");
    expect(performance.now() - rang).toBeGreaterThanOrEqual(200);

    await s.peer.publish(topics.relaySet[VALVE1], "1", 1);
    await until(() => pin(s, VALVE1) === onLevel(VALVE1), 3000, "valve1 on");
    await s.peer.publish(topics.relaySet[VALVE2], "1", 1);
    await until(() => pin(s, VALVE2) === onLevel(VALVE2), 3000, "valve2 on");
    expect(pin(s, VALVE1)).toBe(!onLevel(VALVE1));
    // Every relay event of the valves: never both on at once.
    const on = new Set<string>();
    for (const e of s.of("relay")) {
      if (e.on) on.add(e.relay);
      else on.delete(e.relay);
      expect(on.has("valve1") && on.has("valve2")).toBe(false);
    }
  });

  it("refuses unknown payloads, unknown relays and retained commands with a reason, and leaves relays as they were", async () => {
    const s = await start();
    await s.peer.subscribe({ [topics.error]: 0 });
    await s.peer.publish(topics.relaySet[PUMP], "MAYBE", 1);
    await s.peer.publish(topics.relaySet[PUMP].replace("/pump/", "/nosuch/"), "ON", 1);
    await s.peer.waitFor((ms) => ms.filter((m) => m.topic === topics.error).length >= 2, 3000, "two refusals");
    // A retained command reaches a live subscriber with RETAIN 0 [MQTT-3.3.1-9]; the stale one the board
    // must refuse is what the broker hands it on subscribing, with RETAIN 1 [MQTT-3.3.1-8]: after a reboot.
    s.board.kill();
    await s.peer.publish(topics.relaySet[PUMP], "ON", 1, true);
    s.board.boot();
    await s.peer.waitFor((ms) => ms.filter((m) => m.topic === topics.error).length >= 3, 3000, "three refusals");
    const reasons = s.peer.received(topics.error).map((m) => JSON.parse(m.payload).reason);
    expect(reasons).toEqual(["unknown payload", "unknown relay", "retained command"]);
    expect(s.of("error").filter((e) => e.what === "refused")).toHaveLength(3);
    expect(pin(s, PUMP)).toBe(!onLevel(PUMP));
    // Clear the retained command so it does not outlive the test on the broker.
    await s.peer.publish(topics.relaySet[PUMP], "", 1, true);
  });

  it("a digital input change produces a sensor message; telemetry arrives on its period", async () => {
    const s = await start();
    await s.peer.subscribe({ [topics.sensorState[0]]: 0, [topics.telemetry]: 0 });
    s.board.flip(0); // the door opens: the pulled-up input goes LOW, inverted it reads 1
    const m = await s.peer.waitMessage(topics.sensorState[0], 3000);
    expect(m.payload).toBe("1");
    expect(s.of("sensor").some((e) => e.sensor === "door" && e.value === "1")).toBe(true);

    await s.peer.waitFor((ms) => ms.filter((x) => x.topic === topics.telemetry).length >= 3, 5000, "three telemetry messages");
    const tm = s.peer.received(topics.telemetry);
    const gaps = tm.slice(1).map((x, i) => x.at - tm[i].at);
    for (const g of gaps) {
      expect(g).toBeGreaterThan(600);
      expect(g).toBeLessThan(1600);
    }
    const body = JSON.parse(tm[tm.length - 1].payload);
    expect(body).toMatchObject({ relays: { pump: "OFF" }, sensors: { door: 1 } });
    expect(typeof body.uptime).toBe("number");
  });

  it("online is retained on the status topic; cutting the power delivers offline through the will", async () => {
    const s = await start();
    expect(await retained(s.sim.broker.port, topics.status)).toEqual({ payload: "online", retain: true });
    await s.peer.subscribe({ [topics.status]: 1 });
    await s.peer.waitMessage(topics.status);
    s.board.kill();
    await s.peer.waitFor((ms) => ms.some((m) => m.topic === topics.status && m.payload === "offline"), 5000, "the will");
    // The board itself sent no "offline": the broker did.
    expect(s.of("published").filter((e) => e.topic === topics.status).map((e) => e.payload)).toEqual(["online"]);
    expect(await retained(s.sim.broker.port, topics.status)).toEqual({ payload: "offline", retain: true });
  });

  it("a clean stop says offline itself and disconnects, so no will is sent", async () => {
    const s = await start();
    await s.board.stop();
    expect(s.of("published").filter((e) => e.topic === topics.status).map((e) => e.payload)).toEqual(["online", "offline"]);
    expect(s.packets("out").slice(-1)).toEqual(["DISCONNECT"]);
    expect(await retained(s.sim.broker.port, topics.status)).toEqual({ payload: "offline", retain: true });
  });

  it("after a broker restart the board reconnects, subscribes again, republishes its state and obeys commands", async () => {
    const s = await start();
    await s.peer.publish(topics.relaySet[PUMP], "ON", 1);
    await until(() => pin(s, PUMP) === onLevel(PUMP), 3000, "the pump on");
    const subscribes = s.packets("out").filter((p) => p === "SUBSCRIBE").length;
    const stateCount = () => s.of("published").filter((e) => e.topic === topics.relayState[PUMP] && e.payload === "ON").length;
    const before = stateCount();
    await s.restartBroker();
    await until(() => s.of("connected").length >= 2 && s.board.isConnected(), 15000, "the board to reconnect");
    await until(() => s.packets("out").filter((p) => p === "SUBSCRIBE").length > subscribes, 5000, "a new SUBSCRIBE");
    await until(() => stateCount() > before, 5000, "the pump state republished");
    expect(s.of("disconnected").length).toBeGreaterThanOrEqual(1);

    const peer = await Peer.connect(s.sim.broker.port);
    try {
      await until(() => s.packets("in").filter((p) => p === "SUBACK").length >= 2, 5000, "the new SUBACK");
      await peer.publish(topics.relaySet[PUMP], "OFF", 1);
      await until(() => pin(s, PUMP) === !onLevel(PUMP), 3000, "the pump off after the restart");
    } finally {
      await peer.end(true);
    }
    // The relay held its state through the outage (the fail-safe is 120 s away).
    expect(s.of("relay").filter((e) => e.relay === "pump").map((e) => e.on)).toEqual([false, true, false]);
  });

  it("Home Assistant discovery: one retained device config that Home Assistant's rules accept, naming the board's topics", async () => {
    const s = await start();
    const deviceTopic = `homeassistant/device/${config.id}/config`;
    // Subscribed while the board still sends it, a config arrives live with RETAIN 0 [MQTT-3.3.1-9]:
    // Home Assistant starting later is the case here, so wait until the board acknowledged the rest.
    const acked = () => s.packets("in").filter((p) => p === "PUBACK").length >= s.of("published").filter((e) => e.qos === 1).length;
    await until(() => s.of("published").some((e) => e.topic === deviceTopic) && acked(), 5000, "the device config out and every PUBACK in");
    const ha = await Peer.connect(s.sim.broker.port);
    try {
      await ha.subscribe({ "homeassistant/#": 1 });
      const m = await ha.waitMessage(deviceTopic, 3000);
      expect(m.retain).toBe(true);
      const checked = checkDiscovery("homeassistant", m.topic, m.bytes);
      expect(checked.problems).toEqual([]);
      const entities = new Map(checked.entities.map((e) => [e.discoveryId.split(" ")[1], e]));
      // With the console's commands on (the default), its restart is a button too.
      expect(entities.size).toBe(config.relays.length + config.sensors.length + DIAGNOSTIC_KEYS.length + (config.commands.console ? 1 : 0));
      expect(entities.get("restart")?.config.command_topic).toBe(config.commands.console ? topics.consoleTopics[CONSOLE_RESTART] : undefined);
      for (let i = 0; i < config.relays.length; i++) {
        const r = config.relays[i];
        const e = entities.get(r.name)!;
        expect(e.platform).toBe(r.pulseMs > 0 ? "button" : "switch");
        expect(e.config.command_topic).toBe(topics.relaySet[i]);
        if (r.pulseMs === 0) expect(e.config.state_topic).toBe(topics.relayState[i]);
        expect(e.config.availability_topic).toBe(topics.status);
      }
      // The old per-entity configs (relaymq 0.1.0) were emptied: nothing else is retained under the prefix.
      await sleep(300);
      expect(ha.messages.filter((x) => x.topic.endsWith("/config")).map((x) => x.topic)).toEqual([deviceTopic]);
    } finally {
      await ha.end(true);
    }
  });

  it("counter pulses and analog changes are reported with their scale", async () => {
    const s = await start();
    await s.peer.subscribe({ [topics.sensorState[1]]: 0, [topics.sensorState[2]]: 0 });
    await s.board.pulse(2, 3);
    await s.peer.waitFor((ms) => ms.some((m) => m.topic === topics.sensorState[2] && m.payload === "1.5"), 5000, "3 pulses x 0.5 L");
    s.board.setAnalog(1, 0.8);
    await s.peer.waitFor((ms) => ms.some((m) => m.topic === topics.sensorState[1] && m.payload === "80.0"), 5000, "80 %");
    await sleep(0);
  });
});
